"""HTML review pages: content, self-containment, size, CLI, and a headless-browser check."""

from __future__ import annotations

import base64
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import twitches_and_tremor

import movement
from movement.classify import CLASSES
from movement.errors import MissingExtraError
from movement.report import report_summary, select_event_plots, write_report
from movement.review import apply_decisions, read_decisions

pytest.importorskip("matplotlib")


def _emg_recording(seed: int = 0) -> movement.Recording:
    """40 s of 2-channel EMG noise, isolated MUAP-like spikes and one co-contraction."""
    fs = 2000.0
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 0.01, (int(40 * fs), 2))
    for t, ch in [(3.1, 0), (7.4, 1), (12.9, 0), (19.2, 0), (33.3, 1), (37.5, 0)]:
        i = int(t * fs)
        x[i : i + 30, ch] += np.hanning(30) * rng.uniform(0.3, 0.6) * np.sign(rng.normal())
    a, b = int(24 * fs), int(29 * fs)
    mod = 1 + 0.8 * np.sin(2 * np.pi * 5 * np.arange(b - a) / fs)  # 5 Hz modulated burst
    x[a:b] += rng.normal(0, 0.08, (b - a, 2)) * mod[:, None]
    return movement.Recording(x, fs=fs, modality="emg", channels=("emg1", "emg2"), units="mV")


@pytest.fixture(scope="module")
def emg() -> tuple[movement.Recording, pd.DataFrame]:
    rec = _emg_recording()
    return rec, movement.score(rec, model="rules")


@pytest.fixture(scope="module")
def accel() -> tuple[movement.Recording, pd.DataFrame]:
    rec = twitches_and_tremor()
    return rec, movement.score(rec, model="rules")


_REMOTE = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def _images(text: str) -> list[bytes]:
    return [
        base64.b64decode(m) for m in re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", text)
    ]


@pytest.mark.parametrize("which", ["emg", "accel"])
def test_report_is_self_contained(
    which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    rec, events = request.getfixturevalue(which)
    assert len(events) >= 3
    out = write_report(rec, events, tmp_path / f"{which}_report.html")
    assert out == tmp_path / f"{which}_report.html"
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert not _REMOTE.search(text), "the page must not load anything from the network"
    assert "<link" not in text and "@import" not in text and "url(" not in text
    assert "research software, not a diagnostic device" in text.lower()
    assert events.attrs["parameters_hash"] in text
    assert "Export decisions (TSV)" in text
    for i in range(len(events)):
        assert f'<tr id="row-{i}"' in text
        assert f'data-onset="{events["onset"].iloc[i]:.6f}"' in text
    imgs = _images(text)
    assert len(imgs) == 1 + len(events)  # timeline + one per event
    assert all(b.startswith(b"\x89PNG\r\n\x1a\n") for b in imgs)
    assert text.count('<section class="event') == len(events)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # atomic write


def test_summary_numbers(emg: tuple[movement.Recording, pd.DataFrame]) -> None:
    rec, events = emg
    s = report_summary(events, rec.duration)
    counts = events["trial_type"].value_counts()
    for c in CLASSES:
        assert s["classes"][c]["n"] == int(counts.get(c, 0))
        assert s["classes"][c]["per_min"] == pytest.approx(counts.get(c, 0) / (rec.duration / 60))
    fasc = np.sort(events.loc[events.trial_type == "fasciculation-like", "onset"].to_numpy())
    if len(fasc) > 1:
        assert s["fasciculation_intervals"]["median_s"] == pytest.approx(np.median(np.diff(fasc)))
    # union of overlapping dystonia-like events counts once
    ev = pd.DataFrame(
        {
            "onset": [0.0, 1.0, 10.0],
            "duration": [2.0, 2.0, 1.0],
            "trial_type": ["dystonia-like"] * 3,
            "scale": ["sustained"] * 3,
            "dominant_frequency_hz": [5.0, 6.0, 20.0],
            "tremor_band_ratio": [0.6, 0.5, 0.1],
        }
    )
    s = report_summary(ev, 100.0)
    assert s["dystonia"]["covered_s"] == pytest.approx(4.0)
    assert s["dystonia"]["time_fraction"] == pytest.approx(0.04)
    assert s["tremor"]["n"] == 2 and s["tremor"]["median_hz"] == pytest.approx(5.5)
    assert s["fasciculation_intervals"]["median_s"] is None


def test_event_plot_budget_prefers_flagged(
    emg: tuple[movement.Recording, pd.DataFrame], tmp_path: Path
) -> None:
    rec, events = emg
    ev = events.copy()
    ev["review"] = False
    ev.loc[ev.index[-1], "review"] = True
    chosen = select_event_plots(ev, 2)
    assert len(chosen) == 2 and len(ev) - 1 in chosen
    text = write_report(rec, ev, tmp_path / "r_report.html", max_event_plots=2).read_text()
    assert len(_images(text)) == 1 + 2
    assert f'id="ev-{len(ev) - 1}"' in text
    assert text.count('<tr id="row-') == len(ev)  # every event stays in the table


def test_page_size_for_200_events(tmp_path: Path) -> None:
    rec = _emg_recording(seed=3)
    base = movement.score(rec, model="rules")
    rng = np.random.default_rng(0)
    rows = base.iloc[rng.integers(0, len(base), 200)].copy()
    rows["onset"] = np.sort(rng.uniform(0.5, rec.duration - 1, 200))
    rows["review"] = True
    rows = rows.reset_index(drop=True)
    rows.attrs = dict(base.attrs)
    out = write_report(rec, rows, tmp_path / "big_report.html")
    assert len(_images(out.read_text())) == 201
    assert out.stat().st_size < 5_000_000, out.stat().st_size


def _reference_event_png(view, fs: float, units: str) -> bytes:  # noqa: ANN001
    """An event plot drawn on a new figure, artist by artist (the drawing code before
    figures were reused): the oracle of the reused figure's pixels."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    import movement.report as R

    on, dur, colour = view.onset, view.dur, view.colour
    n = len(view.site_names)
    h = 0.35 + 1.25 * n
    fig = Figure(figsize=(R._EVENT_FIG_W, h), dpi=R._DPI)
    fig.subplots_adjust(
        left=0.085, right=0.975, top=1 - 0.08 / h, bottom=0.42 / h, hspace=0.15, wspace=0.12
    )
    grid = fig.add_gridspec(n, 3 if view.zoom else 1)
    for r, name in enumerate(view.site_names):
        ax = fig.add_subplot(grid[r, :2] if view.zoom else grid[r, 0])
        tt, yy, te, ye = view.context[r]
        ax.plot(tt, yy, color="#7a8ca3", lw=0.5)
        ax.plot(te, ye, color="#111111", lw=1.1)
        for o, e, c in view.near:
            ax.axvspan(o, e, color=c, alpha=0.12, lw=0)
        ax.axvspan(on, on + max(dur, 1.0 / fs), color=colour, alpha=0.3, lw=0)
        ax.set_xlim(view.a, view.b)
        ax.tick_params(labelsize=7, length=2, pad=1)
        ax.set_ylabel(name, fontsize=8)
        if r < n - 1:
            ax.set_xticklabels([])
        else:
            ax.set_xlabel(
                f"time (s)   signal [{units}] grey, {view.env_name} black", fontsize=7, labelpad=1
            )
        if view.zoom is not None:
            za, zb = view.zoom
            az = fig.add_subplot(grid[r, 2])
            tz, yz, tze, yze = view.zoomed[r]
            az.plot(tz, yz, color="#5a6f8a", lw=0.7)
            az.plot(tze, yze, color="#111111", lw=1.0)
            az.axvspan(on, on + max(dur, 1.0 / fs), color=colour, alpha=0.3, lw=0)
            az.set_xlim(za, zb)
            az.tick_params(labelsize=7, length=2, pad=1)
            az.xaxis.set_major_locator(MaxNLocator(4))
            az.set_yticklabels([])
            if r < n - 1:
                az.set_xticklabels([])
            else:
                az.set_xlabel(f"zoom: {zb - za:.2g} s around the event", fontsize=7, labelpad=1)
    return R._png(fig, FigureCanvasAgg)


def test_reused_event_figure_draws_what_a_new_one_does() -> None:
    """A page reuses one figure per plot layout (sites x zoom): each event's plot must be
    the pixels of that event drawn on a new figure (:func:`_reference_event_png`),
    whatever was drawn before it: other data and limits, spans in the same time range,
    labels, a brief or a sustained envelope."""
    import dataclasses
    import io

    from PIL import Image

    import movement.report as R
    from movement.pipeline import _config_for
    from movement.preprocess import preprocess

    def pixels(png: bytes) -> np.ndarray:
        return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))

    rec = _emg_recording(seed=3)
    # a third channel: events on 1, 2 and 3 sites
    x = np.column_stack([rec.data, rec.data[:, 0] * 0.7 + rec.data[:, 1] * 0.5])
    rec = movement.Recording(x, fs=rec.fs, modality="emg", units="mV")
    ev = movement.score(rec, model="rules")
    ev.loc[ev.index[::2], "channel"] = ",".join(rec.channels)  # every other: all sites
    pre = preprocess(rec, _config_for("emg", None))
    mpl = R._matplotlib()
    views = []
    for i in range(len(ev)):  # loop over the events
        v = R._event_view(pre, 0, ev, i, rec.duration)
        # the same stretch again with the event moved and a neighbour: what the previous
        # plot drew there must be gone
        moved = dataclasses.replace(
            v, onset=v.onset + 0.2, colour="#009E73", near=[(v.onset, v.onset + 0.1, "#CC79A7")]
        )
        views += [v, moved]
    layouts = {(len(v.site_names), v.zoom is not None) for v in views}
    assert len(layouts) >= 3, layouts
    for v in views:  # loop over the plots, in the page's order
        want = pixels(_reference_event_png(v, rec.fs, "mV"))
        got = pixels(R._event_png(v, rec.fs, "mV", mpl))
        assert want.shape == got.shape and np.array_equal(want, got), v.i
    assert set(mpl.event_figures) == layouts


def test_recording_without_events(tmp_path: Path) -> None:
    rec = movement.Recording(
        np.random.default_rng(0).normal(0, 0.01, (20000, 1)), fs=2000, modality="emg"
    )
    ev = movement.score(rec, model="rules").iloc[0:0]
    text = write_report(rec, ev, tmp_path / "quiet_report.html").read_text()
    assert "No events found." in text and len(_images(text)) == 1


def test_missing_matplotlib(
    emg: tuple[movement.Recording, pd.DataFrame], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rec, events = emg
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(MissingExtraError, match="matplotlib"):
        write_report(rec, events, tmp_path / "x_report.html")
    assert not (tmp_path / "x_report.html").exists()


def test_cli_report_from_earlier_score(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from movement.cli import main
    from movement.simulate import simulate, write_simulation

    data, results = tmp_path / "data", tmp_path / "results"
    write_simulation(simulate("accel", 60, 4), data, "wrist")
    (data / "wrist_events.tsv").unlink()  # ground truth: not a recording, not needed here
    assert (
        main(["score", str(data / "wrist.csv"), "--out", str(results), "--model", "rules", "-q"])
        == 0
    )
    assert main(["report", str(data / "wrist.csv"), "--events", str(results)]) == 0
    page = results / "wrist_report.html"
    text = page.read_text()
    scored = pd.read_csv(results / "wrist_events.tsv", sep="\t")
    assert text.count('<tr id="row-') == len(scored)
    assert "wrist_decisions.tsv" in text
    # score now into another folder
    assert (
        main(["report", str(data / "wrist.csv"), "--out", str(tmp_path / "p"), "--model", "rules"])
        == 0
    )
    assert (tmp_path / "p" / "wrist_report.html").exists()
    # a missing events table is a per-file failure (exit 1), not a crash
    assert main(["report", str(data / "wrist.csv"), "--events", str(tmp_path / "p")]) == 1
    assert "no wrist_events.tsv" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# headless browser
# ---------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@pytest.fixture
def browser(tmp_path: Path):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service

    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("needs /usr/bin/chromium and /usr/bin/chromedriver")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    profile = tempfile.mkdtemp(prefix="movement-chrome-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--window-size=1300,1000",
    ):
        opts.add_argument(a)
    opts.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    try:
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    except WebDriverException as exc:
        shutil.rmtree(profile, ignore_errors=True)
        pytest.skip(f"chromium did not start: {exc.msg}")
    driver.downloads = downloads  # type: ignore[attr-defined]
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _visible_ids(driver) -> list[int]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#events tbody tr'))"
        ".filter(r => r.style.display !== 'none').map(r => +r.dataset.i);"
    )


@pytest.mark.browser
def test_page_in_browser(
    browser, emg: tuple[movement.Recording, pd.DataFrame], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    rec, events = emg
    page = write_report(rec, events, tmp_path / "emg_report.html")
    browser.get(page.resolve().as_uri())
    assert "movement report" in browser.title
    assert browser.execute_script("return typeof window.movementReport === 'object'")

    # every image decoded
    widths = browser.execute_script(
        "return Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0);"
    )
    assert len(widths) == 1 + len(events) and min(widths) > 0

    # sorting: click "duration (s)" (ascending, then descending)
    assert _visible_ids(browser) == list(range(len(events)))
    header = browser.find_element(
        By.XPATH, "//table[@id='events']//th[normalize-space()='duration (s)']"
    )
    header.click()
    expect = list(np.argsort(events["duration"].to_numpy(), kind="stable"))
    assert _visible_ids(browser) == expect != list(range(len(events)))
    assert header.get_attribute("aria-sort") == "ascending"
    header.click()
    assert header.get_attribute("aria-sort") == "descending"
    assert _visible_ids(browser)[0] == int(np.argmax(events["duration"].to_numpy()))

    # filtering by class, then probability, then review flag
    Select(browser.find_element(By.ID, "f-class")).select_by_value("fasciculation-like")
    fasc = set(np.flatnonzero(events["trial_type"] == "fasciculation-like"))
    assert fasc and set(_visible_ids(browser)) == fasc
    assert browser.find_element(By.ID, "nshown").text == str(len(fasc))
    Select(browser.find_element(By.ID, "f-class")).select_by_value("")
    review = browser.find_element(By.ID, "f-review")
    review.click()
    assert set(_visible_ids(browser)) == set(np.flatnonzero(events["review"].to_numpy(bool)))
    review.click()
    prob = browser.find_element(By.ID, "f-prob")
    prob.clear()
    prob.send_keys("1.01")
    assert _visible_ids(browser) == []
    prob.clear()
    prob.send_keys("0")
    assert len(_visible_ids(browser)) == len(events)

    # review: accept, reject, relabel; comment; reviewer; export
    browser.find_element(By.ID, "reviewer").send_keys("A. Reviewer")
    f0 = int(sorted(fasc)[0])
    Select(browser.find_element(By.CSS_SELECTOR, f"#row-{f0} select.st")).select_by_value(
        "accepted"
    )
    Select(browser.find_element(By.CSS_SELECTOR, "#row-1 select.st")).select_by_value("rejected")
    Select(browser.find_element(By.CSS_SELECTOR, "#row-2 select.st")).select_by_value(
        "relabelled:other"
        if events["trial_type"].iloc[2] != "other"
        else "relabelled:dystonia-like"
    )
    browser.find_element(By.CSS_SELECTOR, "#row-2 input.cm").send_keys("too long for a MUAP")
    browser.execute_script(  # tabs and newlines typed or pasted must not break the TSV
        "var el = document.querySelector('#row-1 input.cm'); el.value = 'pasted\\tcell';"
        "el.dispatchEvent(new Event('input', {bubbles: true}));"
    )
    # a note without a decision is exported too; a leading quote is text, not CSV quoting
    note = int(next(k for k in range(len(events)) if k not in {f0, 1, 2}))
    browser.find_element(By.CSS_SELECTOR, f"#row-{note} input.cm").send_keys('"not sure')
    # the event card mirrors the table's decision
    card = browser.find_elements(By.CSS_SELECTOR, f"#ev-{f0} select.st")
    assert card and card[0].get_attribute("value") == "accepted"
    assert browser.find_element(By.ID, "ndecided").text == str(len({f0, 1, 2}))

    tsv = tmp_path / "from_page.tsv"
    tsv.write_text(browser.execute_script("return window.movementReport.decisionsTSV();"))
    dec = read_decisions(tsv)
    assert len(dec) == len({f0, 1, 2, note}) and set(dec["reviewer"]) == {"A. Reviewer"}
    noted = dec[dec["comment"] == '"not sure']
    assert len(noted) == 1 and noted["review_status"].isna().all()
    applied = apply_decisions(events, dec)
    assert applied["review_status"].iloc[note] is None
    assert applied["comment"].iloc[note] == '"not sure'
    assert applied["review_status"].iloc[1] == "rejected"
    assert applied["review_status"].iloc[f0] == "accepted"
    assert applied["review_status"].iloc[2] == "relabelled"
    assert applied["original_trial_type"].iloc[2] == events["trial_type"].iloc[2]
    assert applied["comment"].iloc[2] == "too long for a MUAP"
    assert applied["comment"].iloc[1] == "pasted cell"
    assert {line.count("\t") for line in tsv.read_text().splitlines()} == {7}

    browser.find_element(By.ID, "export").click()
    target = browser.downloads / "emg_decisions.tsv"
    for _ in range(50):
        if target.exists():
            break
        time.sleep(0.1)
    assert target.exists(), list(browser.downloads.iterdir())
    pd.testing.assert_frame_equal(read_decisions(target), dec)

    # decisions survive a reload (local storage)
    browser.refresh()
    assert browser.find_element(By.ID, "ndecided").text == str(len({f0, 1, 2}))
    assert browser.find_element(By.ID, "reviewer").get_attribute("value") == "A. Reviewer"

    shot = tmp_path / "report.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


def test_the_page_says_how_many_flagged_events_have_no_plot(tmp_path) -> None:
    """With more flagged events than plots, the page said only "review-flagged first"."""
    pytest.importorskip("matplotlib")
    import warnings

    import movement
    from movement.report import write_report

    sim = movement.simulate("accel", 900.0, 12)  # (13 of 71 events flagged: more than 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        events = movement.score(sim.recording)
    n_flag = int(events["review"].sum())
    assert n_flag > 5
    page = write_report(sim.recording, events, tmp_path / "p.html", max_event_plots=5).read_text()
    assert f"{n_flag - 5} review-flagged event(s) have no plot" in page
    page = write_report(sim.recording, events, tmp_path / "q.html", max_event_plots=len(events))
    assert "have no plot" not in page.read_text()


def test_stored_settings_that_cannot_be_used_are_said_not_silently_replaced() -> None:
    """A report took the defaults without a word when the settings stored with the events
    were refused (another version's, or an edited JSON: k_off above k_on)."""
    from movement.config import AccelConfig
    from movement.report import _config

    rec = movement.Recording(np.zeros((1000, 3)), fs=100.0, modality="accel")
    ev = pd.DataFrame({"onset": [], "duration": []})
    ev.attrs["parameters"] = {"modality": "accel", "config": {"k_on": 4.0, "k_off": 2.0}}
    assert _config(rec, ev, None) == AccelConfig(k_on=4.0, k_off=2.0)
    ev.attrs["parameters"] = {"modality": "accel", "config": {"k_on": 2.0, "k_off": 4.0}}
    with pytest.warns(UserWarning, match="settings stored with the events cannot be used .*k_off"):
        assert _config(rec, ev, None) == AccelConfig()
