"""The review page's live view of a review: the probability in an event card's header
follows a relabel as the exported (applied) table's ``probability`` does, and events a
reviewer rejected are not drawn as events (the timeline's image, its legend and the
page's metadata; the cards and plots; marks over the timeline for decisions made on the
page)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import movement
from movement.classify import CLASSES
from movement.review import P_COLUMNS, apply_decisions, read_decisions

pytest.importorskip("matplotlib")

from conftest import jsdom_node, twitches_and_tremor

import movement.report as R  # noqa: E402

HEADER = "onset\tduration\ttrial_type\tchannel\treview_status\treviewer\tcomment\tnew_trial_type\n"


def _decisions(events: pd.DataFrame, rows: list[tuple[int, str, str]]) -> pd.DataFrame:
    lines = []
    for i, status, new in rows:
        e = events.iloc[i]
        lines.append(
            f"{e['onset']:.6f}\t{e['duration']:.6f}\t{e['trial_type']}\t{e['channel']}\t"
            f"{status}\tSmith\tn/a\t{new}\n"
        )
    return read_decisions(io.StringIO(HEADER + "".join(lines)))


@pytest.fixture(scope="module")
def scored() -> tuple[movement.Recording, pd.DataFrame]:
    rec = twitches_and_tremor(source="data/s1/r.txt")
    events = movement.score(rec, model="rules")
    assert len(events) >= 4 and set(P_COLUMNS.values()) <= set(events.columns)
    return rec, events


@pytest.fixture(scope="module")
def rejected_table(scored) -> tuple[movement.Recording, pd.DataFrame, int]:
    """The events with one rejected by a reviewer (a twitch the model labelled)."""
    rec, events = scored
    k = int(np.flatnonzero(events["trial_type"] == "fasciculation-like")[1])
    return rec, apply_decisions(events, _decisions(events, [(k, "rejected", "n/a")])), k


def _meta(text: str) -> dict:
    return json.loads(re.search(r'id="report-meta">(.*?)</script>', text, re.S).group(1))


def _card(text: str, i: int) -> str:
    return re.search(rf'<section class="[^"]*" id="ev-{i}".*?</section>', text, re.S).group(0)


def _timeline(rec: movement.Recording, events: pd.DataFrame):  # noqa: ANN202
    from movement.pipeline import _config_for
    from movement.preprocess import preprocess

    pre = preprocess(rec, _config_for(rec.modality, None))
    bins = R._TimelineBins.of(pre, float(rec.duration))
    fig, layout = R._timeline_figure(bins, events, "g", R._matplotlib())
    return fig, layout


def _drawn(fig) -> dict[str, list[float]]:  # noqa: ANN001
    """Per colour the timeline draws events in (a class, or "outline"), the onsets (s)
    of the spans it draws."""
    from matplotlib.colors import to_hex

    out: dict[str, list[float]] = {}
    for ax in fig.axes:
        for coll in ax.collections:
            fc = coll.get_facecolor()
            key = "outline" if len(fc) == 0 or fc[0][3] == 0 else to_hex(fc[0][:3]).upper()
            for path in coll.get_paths():
                out.setdefault(key, []).append(round(float(path.vertices[:, 0].min()), 6))
    return out


def _legend(fig) -> list[str]:  # noqa: ANN001
    return [t.get_text() for t in fig.legends[0].get_texts()]


# ---------------------------------------------------------------------------
# the Python side: what the page draws and embeds
# ---------------------------------------------------------------------------


def test_the_timeline_draws_a_rejected_event_as_an_outline_not_as_its_class(
    scored, rejected_table
) -> None:
    """The timeline drew an event a reviewer rejected as an event of its class (span, lane
    and legend count): now it is a dashed outline, counted as "rejected", as the summary
    leaves it out."""
    rec, events = scored
    _, done, k = rejected_table
    on_k = round(float(events.loc[k, "onset"]), 6)
    fasc = R.PALETTE["fasciculation-like"].upper()
    before, after = _timeline(rec, events)[0], _timeline(rec, done)[0]
    drawn0, drawn1 = _drawn(before), _drawn(after)
    assert on_k in drawn0[fasc] and "outline" not in drawn0  # (not reviewed: as before)
    assert on_k not in drawn1[fasc] and drawn1["outline"] == [on_k]
    # the other events are drawn as before (span and lane: twice each)
    for c in CLASSES:
        want = [o for o in drawn0.get(R.PALETTE[c].upper(), []) if o != on_k]
        assert drawn1.get(R.PALETTE[c].upper(), []) == want
    n0 = {c: int((events["trial_type"] == c).sum()) for c in CLASSES}
    assert _legend(before) == [f"{c} ({n0[c]})" for c in CLASSES]
    n0["fasciculation-like"] -= 1
    assert _legend(after) == [f"{c} ({n0[c]})" for c in CLASSES] + ["rejected (1)"]
    # a status typed in place (any case) reads the same
    typed = events.copy()
    typed["review_status"] = typed["review_status"].astype(object)
    typed.loc[k, "review_status"] = "Reject"
    assert _drawn(_timeline(rec, typed)[0]) == drawn1


def test_the_page_says_which_events_its_timeline_draws_as_rejected(
    rejected_table, tmp_path
) -> None:
    """The page's metadata names the events its timeline's image draws as rejected, and
    the page's other parts treat them alike: the summary and the legend leave them out,
    the card says "rejected", the plots draw it as an outline."""
    from movement.report import write_report

    rec, done, k = rejected_table
    page = write_report(rec, done, tmp_path / "r_report.html", max_event_plots=50)
    text = page.read_text()
    meta = _meta(text)
    assert meta["timeline_rejected"] == [k]
    card = _card(text, k)
    assert card.startswith('<section class="event c-fasciculation-like rejected"')
    assert '<span class="rej small">rejected</span>' in card
    others = [i for i in range(len(done)) if i != k]
    assert all(" rejected" not in _card(text, i).split(">")[0] for i in others)
    # the summary's counts are the legend's
    box = re.search(r"<h3>Events per class</h3>(.*?)</table>", text, re.S).group(1)
    counts = dict(re.findall(r'b-([a-z-]+)">[^<]*</span></td><td class="num">(\d+)', box))
    kept = done[done["review_status"] != "rejected"]
    assert {c: int(n) for c, n in counts.items()} == {
        c: int((kept["trial_type"] == c).sum()) for c in CLASSES
    }
    # plots: the rejected event's own span and its neighbours' are outlines
    from movement.pipeline import _config_for
    from movement.preprocess import preprocess

    pre = preprocess(rec, _config_for("accel", None))
    assert R._event_view(pre, 0, done, k, rec.duration).rejected
    # (the events are far apart: a neighbour moved next to the rejected one)
    moved = done.copy()
    j = others[0]
    moved.loc[j, "onset"] = float(done.loc[k, "onset"]) + 1.0
    moved = moved.sort_values("onset", kind="stable").reset_index(drop=True)
    kk = int(np.flatnonzero(moved["review_status"].eq("rejected"))[0])
    jj = int(np.flatnonzero(np.isclose(moved["onset"], float(done.loc[k, "onset"]) + 1.0))[0])
    v = R._event_view(pre, 0, moved, jj, rec.duration)
    on_k = float(moved.loc[kk, "onset"])
    assert [o for o, _ in v.near_rejected] == [on_k]
    assert all(o != on_k for o, _, _ in v.near) and not v.rejected
    png = R._event_png(v, rec.fs, "g", R._matplotlib())
    assert png[:4] == b"\x89PNG"


def test_the_probabilities_the_page_keeps_are_exact(scored, tmp_path) -> None:
    """The page keeps each class's probability exactly (it rounded them to 4 digits: the
    header it shows after a relabel could differ from the applied table's by 0.01)."""
    from movement.report import write_report

    rec, events = scored
    text = write_report(rec, events, tmp_path / "p_report.html").read_text()
    for i in range(len(events)):
        row = re.search(rf'<tr id="row-{i}"[^>]*>', text).group(0)
        pc = re.search(r'data-pc="([^"]*)"', row).group(1).split(",")
        assert [float(v) for v in pc] == [float(events.loc[i, P_COLUMNS[c]]) for c in CLASSES]
        p0 = re.search(r'data-p0="([^"]*)"', row).group(1)
        assert float(p0) == float(events.loc[i, "probability"])
    bare = events.drop(columns=list(P_COLUMNS.values()))
    text = write_report(rec, bare, tmp_path / "b_report.html").read_text()
    assert "data-pc=" not in text


# ---------------------------------------------------------------------------
# the JavaScript (jsdom)
# ---------------------------------------------------------------------------


_DRIVE = r"""
const {JSDOM} = require('jsdom'); const fs = require('fs');
const [file, ...actions] = process.argv.slice(2);
const errors = [];
const dom = new JSDOM(fs.readFileSync(file, 'utf8'), {runScripts: 'dangerously',
  url: 'http://localhost/p.html', beforeParse(w){ w.confirm = () => true;
  w.addEventListener('error', e => errors.push(String(e.message))); }});
const w = dom.window, d = w.document;
function fire(el, t){ el.dispatchEvent(new w.Event(t, {bubbles: true})); }
function snap(){
  const rows = [...d.querySelectorAll('#events tbody tr')];
  return {
    rows: Object.fromEntries(rows.map(r => [r.dataset.i, {p: r.querySelector('td.pr').textContent,
      cls: r.dataset.cls, cell: r.querySelector('td.cl').textContent, rejected: r.classList.contains('rejected')}])),
    cards: Object.fromEntries([...d.querySelectorAll('section.event')].map(s => [s.dataset.i,
      {pp: s.querySelector('.pp').textContent, cls: s.className, cl: s.querySelector('.cl').textContent}])),
    marks: [...d.querySelectorAll('#tl-marks .tl-mark')].map(m => ({i: +m.dataset.i, cls: m.className,
      left: parseFloat(m.style.left), width: parseFloat(m.style.width), top: parseFloat(m.style.top),
      height: parseFloat(m.style.height)})),
    live: d.getElementById('live-note').hidden ? 0 : +d.getElementById('nlive').textContent,
    tsv: w.movementReport.decisionsTSV()};
}
const steps = [snap()];
for (const a of actions) {
  const m = a.match(/^(\d+)=(.*)$/);
  const s = d.querySelector('tr .st[data-i="' + m[1] + '"]'); s.value = m[2]; fire(s, 'change');
  steps.push(snap());
}
console.log(JSON.stringify({errors, steps}));
"""


def _run(page: Path, tmp_path: Path, *actions: str) -> list[dict]:
    node, env = jsdom_node()
    drive = tmp_path / "drive.js"
    drive.write_text(_DRIVE)
    got = subprocess.run(
        [node, str(drive), str(page), *actions],
        env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    out = json.loads(got.stdout)
    assert out["errors"] == []
    return out["steps"]


def _applied(events: pd.DataFrame, tsv: str, tmp_path: Path) -> pd.DataFrame:
    path = tmp_path / "page_decisions.tsv"
    path.write_text(tsv)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return apply_decisions(events, read_decisions(path))


def _p(v: float) -> str:
    return f"{v:.2f}" if np.isfinite(v) else "–"


def test_the_cards_probability_follows_a_relabel_as_the_applied_table_does(
    scored, tmp_path
) -> None:
    """(jsdom) A relabel on the page left the card's "p = " at the model's label's: it now
    shows the probability the exported decisions give once applied (the new class's), and
    the model's beside it; an accept takes it back; a tie rounds as Python rounds it."""
    from movement.report import write_report

    rec, events = scored
    events = events.copy()
    k = int(np.flatnonzero(events["trial_type"] == "fasciculation-like")[0])
    model = events.loc[k, "trial_type"]
    events.loc[k, "p_other"] = 0.125  # (halfway: Python gives 0.12, toFixed 0.13)
    page = write_report(rec, events, tmp_path / "x_report.html", max_event_plots=50)
    steps = _run(page, tmp_path, f"{k}=relabelled:other", f"{k}=relabelled:dystonia-like",
                 f"{k}=accepted")  # fmt: skip
    start, other, dyst, acc = steps
    pm = float(events.loc[k, "p_fasciculation"])
    assert start["cards"][str(k)]["pp"] == f"p = {_p(events.loc[k, 'probability'])}"
    for step, new in ((other, "other"), (dyst, "dystonia-like")):
        done = _applied(events, step["tsv"], tmp_path)
        assert done.loc[k, "trial_type"] == new
        p_new = float(done.loc[k, "probability"])
        assert p_new == float(events.loc[k, P_COLUMNS[new]])
        card = step["cards"][str(k)]
        assert card["pp"] == f"p = {_p(p_new)} (model: {model}, p = {_p(pm)})"
        assert step["rows"][str(k)]["p"] == _p(p_new) and step["rows"][str(k)]["cls"] == new
    assert other["cards"][str(k)]["pp"].startswith("p = 0.12 ")
    done = _applied(events, acc["tsv"], tmp_path)
    assert acc["cards"][str(k)]["pp"] == f"p = {_p(done.loc[k, 'probability'])}"
    # a page drawn from the relabelled table: accepting the model's label there takes the
    # probability back to the model's label's, as applying the export does
    relab = apply_decisions(events, _decisions(events, [(k, "relabelled", "dystonia-like")]))
    page2 = write_report(rec, relab, tmp_path / "y_report.html", max_event_plots=50)
    start, acc = _run(page2, tmp_path, f"{k}=accepted")
    p_d = float(relab.loc[k, "probability"])
    assert start["cards"][str(k)]["pp"] == f"p = {_p(p_d)} (model: {model}, p = {_p(pm)})"
    back = _applied(relab, acc["tsv"], tmp_path)
    assert back.loc[k, "trial_type"] == model
    assert acc["cards"][str(k)]["pp"] == f"p = {_p(back.loc[k, 'probability'])}" == f"p = {_p(pm)}"


def test_without_class_probabilities_a_relabel_shows_no_probability(scored, tmp_path) -> None:
    """(jsdom) A table without ``p_`` columns: a relabel's probability is not known (n/a
    once applied); the page kept showing the model's label's."""
    from movement.report import write_report

    rec, events = scored
    bare = events.drop(columns=list(P_COLUMNS.values()))
    k = int(np.flatnonzero(bare["trial_type"] == "fasciculation-like")[0])
    page = write_report(rec, bare, tmp_path / "z_report.html", max_event_plots=50)
    start, rel, acc = _run(page, tmp_path, f"{k}=relabelled:other", f"{k}=accepted")
    assert np.isnan(_applied(bare, rel["tsv"], tmp_path).loc[k, "probability"])
    assert rel["cards"][str(k)]["pp"] == "p = – (model: fasciculation-like)"
    assert rel["rows"][str(k)]["p"] == "–"
    p0 = float(_applied(bare, acc["tsv"], tmp_path).loc[k, "probability"])
    assert acc["cards"][str(k)]["pp"] == start["cards"][str(k)]["pp"] == f"p = {_p(p0)}"


def test_an_event_rejected_on_the_page_is_marked_over_the_timeline(scored, tmp_path) -> None:
    """(jsdom) Rejected on the page: the card and the row say so, the timeline's image (which
    cannot change) gets a mark over the event's span, and a note says the summary does
    not count the page's decisions yet; taking the decision back removes both."""
    from movement.report import write_report

    rec, events = scored
    k = int(np.flatnonzero(events["trial_type"] == "fasciculation-like")[0])
    page = write_report(rec, events, tmp_path / "w_report.html", max_event_plots=50)
    layout = _meta(page.read_text())["timeline"]
    start, rej, undone = _run(page, tmp_path, f"{k}=rejected", f"{k}=")
    assert start["marks"] == [] and start["live"] == 0
    assert "rejected" not in start["cards"][str(k)]["cls"]
    card, row = rej["cards"][str(k)], rej["rows"][str(k)]
    assert card["cls"].split() == ["event", "c-fasciculation-like", "rejected"]
    assert card["cl"].endswith("rejected") and row["rejected"] and row["cell"].endswith("rejected")
    assert rej["live"] == 1
    (mark,) = rej["marks"]
    assert mark["i"] == k and mark["cls"] == "tl-mark rej"
    # over the event's span in the image (the panel's fractions of the image, in %)
    P = layout[0]
    on = float(events.loc[k, "onset"])
    x = 100 * (P["left"] + (on - P["t0"]) / (P["t1"] - P["t0"]) * (P["right"] - P["left"]))
    assert mark["left"] == pytest.approx(x, abs=1e-6)
    assert mark["top"] == pytest.approx(100 * P["top"])
    assert mark["height"] == pytest.approx(100 * (P["bottom"] - P["top"]))
    assert 0 < mark["width"] < 1
    assert undone["marks"] == [] and undone["live"] == 0
    assert "rejected" not in undone["cards"][str(k)]["cls"]


def test_a_rejection_the_table_holds_is_drawn_and_undoing_it_is_marked(
    rejected_table, tmp_path
) -> None:
    """(jsdom) A page drawn from a table with a rejection: the image draws it (no mark), the
    card says "rejected"; accepted on the page, the event is marked in its class colour
    over the timeline (the image still shows it rejected) and the card is an event again."""
    from movement.report import write_report

    rec, done, k = rejected_table
    page = write_report(rec, done, tmp_path / "v_report.html", max_event_plots=50)
    start, acc = _run(page, tmp_path, f"{k}=accepted")
    assert start["marks"] == [] and start["live"] == 0
    assert "rejected" in start["cards"][str(k)]["cls"].split()
    assert [(m["i"], m["cls"]) for m in acc["marks"]] == [(k, "tl-mark c-fasciculation-like")]
    assert acc["live"] == 1 and "rejected" not in acc["cards"][str(k)]["cls"]
    assert _applied(done, acc["tsv"], tmp_path).loc[k, "review_status"] == "accepted"


# ---------------------------------------------------------------------------
# headless chromium: the marks over the timeline's image, and clicks on it
# ---------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@pytest.fixture
def browser():  # noqa: ANN201
    webdriver = pytest.importorskip("selenium.webdriver")
    import tempfile

    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service

    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("needs /usr/bin/chromium and /usr/bin/chromedriver")
    profile = tempfile.mkdtemp(prefix="movement-chrome-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--no-first-run", f"--user-data-dir={profile}", "--window-size=1300,1000"):  # fmt: skip
        opts.add_argument(a)
    try:
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    except WebDriverException as exc:
        shutil.rmtree(profile, ignore_errors=True)
        pytest.skip(f"chromium did not start: {exc.msg}")
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


_LANE_COLOUR = r"""
// the colour of the timeline's image under the middle of event i's mark, in its class's lane
const [i, laneFrac] = arguments;
const img = document.getElementById('timeline'), m = document.querySelector('.tl-mark[data-i="' + i + '"]');
const ir = img.getBoundingClientRect(), mr = m.getBoundingClientRect();
const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;
const g = c.getContext('2d'); g.drawImage(img, 0, 0);
const P = JSON.parse(document.getElementById('report-meta').textContent).timeline[0];
const x = Math.round((mr.left + mr.width / 2 - ir.left) / ir.width * img.naturalWidth);
const y = Math.round((P.top + laneFrac * (P.bottom - P.top)) * img.naturalHeight);
return {rgb: Array.from(g.getImageData(x, y, 1, 1).data).slice(0, 3),
        inside: mr.left >= ir.left && mr.right <= ir.right + 1 && mr.top >= ir.top - 1 && mr.bottom <= ir.bottom + 1};
"""

_CLICK = r"""
// a click on the timeline at time t (s), mid-height of the first panel; the row it outlines
const [t] = arguments;
const img = document.getElementById('timeline'), r = img.getBoundingClientRect();
const P = JSON.parse(document.getElementById('report-meta').textContent).timeline[0];
const fx = P.left + (t - P.t0) / (P.t1 - P.t0) * (P.right - P.left), fy = (P.top + P.bottom) / 2;
document.querySelectorAll('#events tbody tr').forEach(function(row){ row.style.outline = ''; });
img.dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: r.left + fx * r.width, clientY: r.top + fy * r.height}));
const hit = Array.from(document.querySelectorAll('#events tbody tr')).filter(row => row.style.outline);
return hit.map(row => +row.dataset.i);
"""


@pytest.mark.browser
def test_the_marks_sit_on_the_events_the_timeline_draws(browser, rejected_table, tmp_path) -> None:
    """(chromium) A mark over the timeline covers the event's span in the image (its class
    colour in its lane under it); a click on a rejected event's outline goes to it, a click
    near it but not on it to the nearest event."""
    from selenium.webdriver.support.ui import Select

    from movement.report import write_report

    rec, done, k = rejected_table
    page = write_report(rec, done, tmp_path / "u_report.html", max_event_plots=50)
    browser.get(page.resolve().as_uri())
    assert browser.execute_script("return typeof window.movementReport === 'object'")
    j = int(next(i for i in np.flatnonzero(done["trial_type"] == "fasciculation-like") if i != k))
    Select(browser.find_element("css selector", f"#row-{j} select.st")).select_by_value("rejected")
    assert browser.execute_script("return document.querySelectorAll('.tl-mark').length") == 1
    # the fasciculation-like lane: axes fraction 0.955-0.995 from the bottom
    got = browser.execute_script(_LANE_COLOUR, j, 1 - 0.975)
    want = [int(R.PALETTE["fasciculation-like"][a : a + 2], 16) for a in (1, 3, 5)]
    assert got["inside"] and np.abs(np.array(got["rgb"]) - want).max() <= 24, got
    assert not browser.find_element("id", "live-note").get_attribute("hidden")
    # clicks: on the rejected event (the table's), beside it, on the one rejected here
    on_k, on_j = float(done.loc[k, "onset"]), float(done.loc[j, "onset"])
    assert browser.execute_script(_CLICK, on_k + 0.05) == [k]
    onsets = done["onset"].to_numpy(float)
    t = on_k + 4.0
    kept = [i for i in range(len(done)) if i not in (k, j)]
    ends = onsets + done["duration"].to_numpy(float)
    dist = [max(onsets[i] - t, t - ends[i], 0.0) for i in kept]
    assert browser.execute_script(_CLICK, t) == [kept[int(np.argmin(dist))]]
    assert browser.execute_script(_CLICK, on_j + 0.05) == [j]
