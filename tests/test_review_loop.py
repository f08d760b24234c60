"""The review loop: a page drawn again from a reviewed table, reviewing twice, decisions
carried to events scored again (another model, other settings), spreadsheet-saved files."""

from __future__ import annotations

import codecs
import json
import re
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import DATA_DIR, jsdom_node, twitches_and_tremor

import movement
from movement.classify import CLASSES
from movement.cli import main
from movement.errors import MovementError
from movement.export import read_bids_events
from movement.output import events_to_tsv, write_events
from movement.review import (
    apply_decisions,
    carry_review,
    previous_review,
    read_decisions,
    review_backups,
    reviewed_training_rows,
)

HEADER = "onset\tduration\ttrial_type\tchannel\treview_status\treviewer\tcomment\tnew_trial_type\n"


def _events() -> pd.DataFrame:
    """Four events as movement.score gives them (per-class probabilities too)."""
    ev = pd.DataFrame(
        {
            "onset": [2.77, 8.4, 23.35, 106.96],
            "duration": [0.18, 3.25, 0.27, 0.55],
            "trial_type": ["fasciculation-like", "dystonia-like", "other", "fasciculation-like"],
            "probability": [0.99, 0.97, 0.95, 0.9],
            "p_fasciculation": [0.99, 0.02, 0.04, 0.9],
            "p_dystonia": [0.005, 0.97, 0.01, 0.04],
            "p_other": [0.005, 0.01, 0.95, 0.06],
            "review": [False, True, False, True],
            "channel": ["xyz"] * 4,
        }
    )
    ev.attrs.update(modality="accel", duration=120.0, fs=100.0, parameters_hash="abc")
    return ev


def _dec(rows: list[str]) -> pd.DataFrame:
    from io import StringIO

    return read_decisions(StringIO(HEADER + "".join(r + "\n" for r in rows)))


# ---------------------------------------------------------------------------
# applying decisions
# ---------------------------------------------------------------------------


def test_a_relabelled_event_can_be_reviewed_again_on_a_page_drawn_from_its_table() -> None:
    """A page drawn from a reviewed table exported a relabelled event with its new label
    as trial_type, and apply_decisions, matching on the model's label, dropped it ("made on
    another event ... (fasciculation-like, now other)"). The page now exports the model's
    label; an export of the label shown (an earlier page) means the same."""
    first = apply_decisions(
        _events(), _dec(["106.96\t0.55\tfasciculation-like\txyz\trelabelled\tSmith\tn/a\tother"])
    )
    assert first.loc[3, ["trial_type", "original_trial_type"]].tolist() == [
        "other",
        "fasciculation-like",
    ]
    for seen in ("fasciculation-like", "other"):  # (the model's label, the label shown)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            back = apply_decisions(
                first, _dec([f"106.96\t0.55\t{seen}\txyz\trelabelled\tJones\tn/a\tdystonia-like"])
            )
        assert back.loc[3, ["trial_type", "original_trial_type", "reviewer"]].tolist() == [
            "dystonia-like",
            "fasciculation-like",
            "Jones",
        ]
    # accepting the model's label undoes the relabel; accepting the label shown keeps it
    acc = apply_decisions(
        first, _dec(["106.96\t0.55\tfasciculation-like\txyz\taccepted\tJ\tn/a\tn/a"])
    )
    assert acc.loc[3, ["trial_type", "review_status"]].tolist() == [
        "fasciculation-like",
        "accepted",
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kept = apply_decisions(first, _dec(["106.96\t0.55\tother\txyz\taccepted\tJ\tn/a\tn/a"]))
    assert kept.loc[3, ["trial_type", "original_trial_type"]].tolist() == [
        "other",
        "fasciculation-like",
    ]


def test_a_later_decision_keeps_an_earlier_comment() -> None:
    """Jones's reject without a comment wiped Smith's "held wrist, typical"."""
    smith = _dec(["8.4\t3.25\tdystonia-like\txyz\taccepted\tSmith\theld wrist, typical\tn/a"])
    ev = apply_decisions(_events(), smith)
    jones = apply_decisions(ev, _dec(["8.4\t3.25\tdystonia-like\txyz\trejected\tJones\tn/a\tn/a"]))
    assert jones.loc[1, ["review_status", "reviewer", "comment"]].tolist() == [
        "rejected",
        "Jones",
        "Smith: held wrist, typical",
    ]
    # another comment is added after it, each named; applied again, nothing doubles
    other = _dec(["8.4\t3.25\tdystonia-like\txyz\trejected\tJones\tlooks like an artefact\tn/a"])
    both = apply_decisions(apply_decisions(ev, other), other)
    assert both.loc[1, "comment"] == "Smith: held wrist, typical; Jones: looks like an artefact"
    # a comment holding the earlier one (a page shows it to edit) replaces it
    edited = _dec(
        ["8.4\t3.25\tdystonia-like\txyz\taccepted\tSmith\theld wrist, typical; clipped\tn/a"]
    )
    assert apply_decisions(ev, edited).loc[1, "comment"] == "held wrist, typical; clipped"
    # a decision without a reviewer keeps the event's
    anon = apply_decisions(ev, _dec(["8.4\t3.25\tdystonia-like\txyz\taccepted\tn/a\tn/a\tn/a"]))
    assert anon.loc[1, ["reviewer", "comment"]].tolist() == ["Smith", "held wrist, typical"]


def test_decisions_hold_when_another_model_labels_the_same_event_otherwise(tmp_path) -> None:
    """After train --reviewed and scoring again, a decision whose event the new model labels
    otherwise was dropped as "made on another event" although onset, duration and channel
    were the same."""
    dec = _dec(
        [
            "8.4\t3.25\tdystonia-like\txyz\taccepted\tSmith\tn/a\tn/a",  # model: other now
            "23.35\t0.27\tother\txyz\trelabelled\tSmith\tn/a\tfasciculation-like",  # agrees
            "2.77\t0.18\tother\txyz\trejected\tSmith\tn/a\tn/a",  # a reject is a reject
            "106.96\t0.9\tfasciculation-like\txyz\taccepted\tSmith\tn/a\tn/a",  # longer now
        ]
    )
    new = _events()
    new.loc[1, ["trial_type", "probability"]] = ["other", 0.01]
    new.loc[2, ["trial_type", "probability"]] = ["fasciculation-like", 0.04]
    with pytest.warns(UserWarning) as said:
        out = apply_decisions(new, dec)
    text = " | ".join(str(w.message) for w in said)
    assert "2 decision(s) were made when the model labelled the event otherwise" in text
    assert "accepted dystonia-like, now other: relabelled dystonia-like" in text
    assert "1 decision(s) were made on another event" in text and "0.900 s long" in text
    assert out["review_status"].tolist() == ["rejected", "relabelled", "accepted", None]
    assert out["trial_type"].tolist()[:3] == [
        "fasciculation-like",
        "dystonia-like",
        "fasciculation-like",
    ]
    assert out["original_trial_type"].tolist()[:3] == [None, "other", None]
    # training reads the reviewer's label, evaluation's predictions the model's
    write_events(out, tmp_path, "rec")
    rows = reviewed_training_rows(tmp_path, tmp_path).set_index("onset")
    assert rows.loc[8.4, ["model_label", "label"]].tolist() == ["other", "dystonia-like"]
    assert rows.loc[23.35, ["model_label", "label"]].tolist() == [
        "fasciculation-like",
        "fasciculation-like",
    ]
    # a decision that records no duration still needs its label to be the event's
    bare = dec.iloc[[0]].assign(duration=np.nan)
    with pytest.warns(UserWarning, match="dystonia-like, now other"):
        assert apply_decisions(new, bare)["review_status"].isna().all()


def test_a_relabelled_events_probability_is_the_models_of_its_new_class() -> None:
    """probability stayed the model's probability of its old label ("other p=0.99" became
    "fasciculation-like p=0.99") although it is documented as the probability of trial_type."""
    ev = apply_decisions(
        _events(), _dec(["23.35\t0.27\tother\txyz\trelabelled\tS\tn/a\tfasciculation-like"])
    )
    assert ev.loc[2, "probability"] == pytest.approx(0.04)
    assert ev.loc[2, "p_other"] == pytest.approx(0.95)  # (the model's own, kept)
    undone = apply_decisions(ev, _dec(["23.35\t0.27\tother\txyz\taccepted\tS\tn/a\tn/a"]))
    assert undone.loc[2, "probability"] == pytest.approx(0.95)
    bare = _events().drop(columns=["p_fasciculation", "p_dystonia", "p_other"])
    ev = apply_decisions(bare, _dec(["23.35\t0.27\tother\txyz\trelabelled\tS\tn/a\tdystonia-like"]))
    assert np.isnan(ev.loc[2, "probability"])  # (not known: n/a, not the old label's)


# ---------------------------------------------------------------------------
# reading what spreadsheets save
# ---------------------------------------------------------------------------


def test_decisions_saved_by_a_spreadsheet_are_read(tmp_path) -> None:
    """A fully quoted TSV (R's write.table) was "not a decisions table"; a comma-saved one
    got no hint; ANSI or UTF-16 failed with "'utf-8' codec can't decode byte"; a class
    name LibreOffice capitalised was refused."""
    rows = [
        ["8.4", "3.25", "dystonia-like", "xyz", "accepted", "Zoë", "wrist 20° flexed", "n/a"],
        ["23.35", "0.27", "other", "xyz", "Relabel", "Zoë", "n/a", "Fasciculation-like"],
    ]
    plain = HEADER + "".join("\t".join(r) + "\n" for r in rows)
    quoted = "".join(
        "\t".join(f'"{c}"' for c in line.split("\t")) + "\r\n" for line in plain.splitlines()
    )
    files = {
        "quoted_decisions.tsv": codecs.BOM_UTF8 + quoted.encode("utf-8"),
        "ansi_decisions.tsv": plain.replace("\n", "\r\n").encode("cp1252"),
        "u16_decisions.tsv": plain.encode("utf-16"),
    }
    for name, data in files.items():
        p = tmp_path / name
        p.write_bytes(data)
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            d = read_decisions(p)
        assert d["reviewer"].tolist() == ["Zoë", "Zoë"], name
        assert d["comment"].iloc[0] == "wrist 20° flexed", name
        assert d[["review_status", "new_trial_type"]].iloc[1].tolist() == [
            "relabelled",
            "fasciculation-like",
        ]
        ansi = [str(w.message) for w in said if "Windows-1252" in str(w.message)]
        assert len(ansi) == (name == "ansi_decisions.tsv") and (not ansi or name in ansi[0])
    comma = tmp_path / "comma_decisions.tsv"
    comma.write_text(plain.replace("\t", ","))
    with pytest.raises(MovementError, match="comma_decisions.tsv: .*saved with another separator"):
        read_decisions(comma)


def test_a_reviewed_table_saved_as_ansi_or_with_capitals_trains(tmp_path) -> None:
    ev = _events()
    ev["review_status"] = ["Reject", None, "relabelled", None]
    ev["reviewer"] = ["Zoë", None, "Zoë", None]
    ev["comment"] = [None, None, "ça bouge", None]
    ev.loc[2, "trial_type"] = "Dystonia-like"
    write_events(_events(), tmp_path, "rec")  # (the sidecar)
    (tmp_path / "rec_events.tsv").write_bytes(events_to_tsv(ev).encode("cp1252"))
    with pytest.warns(UserWarning, match="rec_events.tsv: not UTF-8 text; read as Windows-1252"):
        rows = reviewed_training_rows(tmp_path, tmp_path)
    assert rows["label"].tolist() == ["other", "dystonia-like"]
    with pytest.warns(UserWarning, match="Windows-1252"):
        dec = previous_review(tmp_path / "rec_events.tsv")
    assert dec["new_trial_type"].tolist() == [None, "dystonia-like"]
    assert dec["comment"].tolist() == [None, "ça bouge"]
    # movement report REC --events DIR draws its page from it
    from movement.report import _events_from_dir

    with pytest.warns(UserWarning, match="Windows-1252"):
        back = _events_from_dir(tmp_path, "rec", tmp_path / "rec.csv")
    assert back["reviewer"].tolist()[0] == "Zoë" and back.attrs["parameters_hash"] == "abc"


# ---------------------------------------------------------------------------
# carrying a review to events scored again
# ---------------------------------------------------------------------------


def test_decisions_come_back_from_an_earlier_kept_table(tmp_path) -> None:
    """Scored with other settings (onsets moved: decisions not carried, the table kept as
    _events_reviewed-1.tsv), then with the first settings again: the decisions did not come
    back. And the kept copy could not be read (read_bids_events looked for
    _reviewed-1_events.tsv; read_decisions said "relabelled but new_trial_type is None")."""
    first = apply_decisions(
        _events(),
        _dec(
            [
                "8.4\t3.25\tdystonia-like\txyz\trejected\tSmith\tknock\tn/a",
                "23.35\t0.27\tother\txyz\trelabelled\tSmith\tn/a\tfasciculation-like",
            ]
        ),
    )
    (tmp_path / "rec_events_reviewed-1.tsv").write_text(events_to_tsv(first))
    moved = _events().assign(onset=_events()["onset"] + 0.5)  # (other settings: no review)
    moved = apply_decisions(
        moved, _dec(["3.27\t0.18\tfasciculation-like\txyz\taccepted\tLee\tn/a\tn/a"])
    )
    write_events(moved, tmp_path, "rec")
    newer = first.copy()  # a later copy decided the 8.4 s event otherwise: the newest counts
    newer.loc[1, ["review_status", "reviewer", "comment"]] = ["accepted", "Jones", "knock"]
    (tmp_path / "rec_events_reviewed-2.tsv").write_text(events_to_tsv(newer))
    tsv = tmp_path / "rec_events.tsv"
    assert [p.name for p in review_backups(tsv)] == [
        "rec_events_reviewed-2.tsv",
        "rec_events_reviewed-1.tsv",
    ]
    back, said = carry_review(_events(), tsv)
    assert back["review_status"].tolist() == [None, "accepted", "relabelled", None]
    assert back.loc[1, ["reviewer", "comment"]].tolist() == ["Jones", "knock"]
    assert back.loc[2, ["trial_type", "original_trial_type"]].tolist() == [
        "fasciculation-like",
        "other",
    ]
    assert said is not None
    assert "carried over to the new events: 0 of 1 decision(s)" in said
    assert "2 more decision(s) of earlier reviews kept beside it were carried over" in said
    assert "rec_events_reviewed-2.tsv: 2" in said
    # the kept copies read as what they are
    kept = read_decisions(tmp_path / "rec_events_reviewed-1.tsv")
    assert kept["new_trial_type"].tolist()[2] == "fasciculation-like"
    assert kept["trial_type"].tolist()[2] == "other"
    assert len(previous_review(tmp_path / "rec_events_reviewed-1.tsv")) == 2
    # nothing to carry: said so (None), the events as given
    empty = tmp_path / "empty"
    empty.mkdir()
    write_events(_events(), empty, "rec")
    same, none = carry_review(_events(), empty / "rec_events.tsv")
    assert none is None and same["onset"].tolist() == _events()["onset"].tolist()


# ---------------------------------------------------------------------------
# the review page
# ---------------------------------------------------------------------------


def _accel(seed: int = 1, shift: float = 0.0) -> movement.Recording:
    """120 s of wrist accelerometry: gravity, noise, small twitches, a tremor spell."""
    return twitches_and_tremor(seed, source="data/s1/1.txt", shift=shift)


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory) -> tuple[movement.Recording, pd.DataFrame, pd.DataFrame, Path]:
    """A recording, its events, the same reviewed (reject, relabel, comment), and its page."""
    pytest.importorskip("matplotlib")
    from movement.report import write_report

    rec = _accel()
    events = movement.score(rec, model="rules")
    assert len(events) >= 4
    flagged = np.flatnonzero(events["review"].to_numpy(bool))
    rej = int(flagged[0]) if len(flagged) else 0
    rest = [i for i in range(len(events)) if i != rej]
    rel, com = rest[0], rest[1]
    new = "dystonia-like" if events.loc[rel, "trial_type"] != "dystonia-like" else "other"

    def row(i: int, status: str, who: str, comment: str, new_type: str) -> str:
        e = events.iloc[i]
        return (
            f"{e['onset']:.6f}\t{e['duration']:.6f}\t{e['trial_type']}\t{e['channel']}\t"
            f"{status}\t{who}\t{comment}\t{new_type}"
        )

    dec = _dec(
        [
            row(rej, "rejected", "Smith", "knock", "n/a"),
            row(rel, "relabelled", "Smith", "n/a", new),
            row(com, "n/a", "Jones", "check this one", "n/a"),
        ]
    )
    done = apply_decisions(events, dec)
    page = write_report(rec, done, tmp_path_factory.mktemp("page") / "1_report.html")
    done.attrs["picked"] = {"rej": rej, "rel": rel, "com": com, "new": new}
    return rec, events, done, page


def _rows(text: str) -> dict[int, str]:
    return {int(m.group(1)): m.group(0) for m in re.finditer(r'<tr id="row-(\d+)"[^>]*>', text)}


def _meta(text: str) -> dict:
    return json.loads(re.search(r'id="report-meta">(.*?)</script>', text, re.S).group(1))


def test_a_page_drawn_from_a_reviewed_table_starts_from_its_decisions(reviewed) -> None:
    """The page ignored the decisions in its events table: rejected or relabelled events
    were "undecided", no reviewer or comment shown, the summary counted rejected events."""
    import html

    _, events, done, page = reviewed
    k = done.attrs["picked"]
    text = page.read_text()
    rows = _rows(text)
    assert 'data-st0="rejected"' in rows[k["rej"]] and 'data-by0="Smith"' in rows[k["rej"]]
    assert 'data-cm0="knock"' in rows[k["rej"]]
    assert f'data-nt0="{k["new"]}"' in rows[k["rel"]]
    # the export names the model's label (what the page's "accept" accepts)
    assert f'data-model="{events.loc[k["rel"], "trial_type"]}"' in rows[k["rel"]]
    assert 'data-st0=""' in rows[k["com"]] and 'data-cm0="check this one"' in rows[k["com"]]
    undecided = next(i for i in rows if i not in (k["rej"], k["rel"], k["com"]))
    assert "data-st0" not in rows[undecided]
    # the relabelled event shows its new class, the model's under it, and p of the new class
    cell = re.search(rf'<td class="cl" data-i="{k["rel"]}"[^>]*>(.*?)</td>', text).group(1)
    assert f">{k['new']}<" in cell and f"model: {events.loc[k['rel'], 'trial_type']}" in cell
    p_new = done.loc[k["rel"], {"dystonia-like": "p_dystonia", "other": "p_other"}[k["new"]]]
    assert f'data-p="{p_new:.6f}"' in rows[k["rel"]]
    # the summary counts the table as reviewed: rejected left out, relabelled as the new class
    card = re.search(r"<h3>Events per class</h3>(.*?)</table>", text, re.S).group(1)
    counts = {
        c: int(n)
        for c, n in re.findall(r'b-([a-z-]+)">[^<]*</span></td><td class="num">(\d+)', card)
    }
    kept = done[done["review_status"] != "rejected"]
    assert counts == {c: int((kept["trial_type"] == c).sum()) for c in CLASSES}
    assert "Counted as reviewed" in html.unescape(text)
    flagged_waiting = int((events["review"].to_numpy(bool) & done["review_status"].isna()).sum())
    assert f'<span id="nflag">{flagged_waiting}</span>' in text


def test_pages_of_two_recordings_of_one_name_keep_decisions_apart(reviewed, tmp_path) -> None:
    """The browser kept decisions under stem + parameters hash + event count: the pages of
    two subjects' 1.txt scored into two folders shared them."""
    from movement.report import write_report

    rec, events, done, page = reviewed
    other_rec = _accel(seed=2, shift=3.0)
    other = movement.score(other_rec, model="rules")
    if len(other) != len(events):  # (same name, settings and count: the case that collided)
        other = other.iloc[: min(len(other), len(events))]
    p2 = write_report(other_rec, other, tmp_path / "b" / "1_report.html")
    m1, m2 = _meta(page.read_text()), _meta(p2.read_text())
    assert m1["stem"] == m2["stem"] and m1["key"] != m2["key"]
    # the same events drawn again (their review applied since) keep their key
    again = write_report(rec, events, tmp_path / "c" / "1_report.html")
    assert _meta(again.read_text())["key"] == m1["key"]


_DRIVE = r"""
const {JSDOM} = require('jsdom'); const fs = require('fs');
const [file, storeIn, storeOut, ...actions] = process.argv.slice(2);
const pre = storeIn && fs.existsSync(storeIn) ? JSON.parse(fs.readFileSync(storeIn, 'utf8')) : {};
const errors = [];
const dom = new JSDOM(fs.readFileSync(file, 'utf8'), {runScripts: 'dangerously',
  url: 'http://localhost/p.html', beforeParse(w){ for (const [a, b] of Object.entries(pre))
  w.localStorage.setItem(a, b); w.confirm = () => true;
  w.addEventListener('error', e => errors.push(String(e.message))); }});
const w = dom.window, d = w.document;
function fire(el, t){ el.dispatchEvent(new w.Event(t, {bubbles: true})); }
for (const a of actions) {
  let m;
  if ((m = a.match(/^r=(.*)$/s))) { const r = d.getElementById('reviewer'); r.value = m[1]; fire(r, 'change'); }
  else if ((m = a.match(/^(\d+)=(.*)$/))) { const s = d.querySelector('tr .st[data-i="' + m[1] + '"]'); s.value = m[2]; fire(s, 'change'); }
  else if ((m = a.match(/^filter:([\w-]+)$/))) { const c = d.getElementById(m[1]); c.checked = true; fire(c, 'change'); }
  else if (a === 'restore') d.getElementById('restore').click();
}
const rows = [...d.querySelectorAll('#events tbody tr')];
const store = Object.fromEntries(Object.keys(w.localStorage).map(k => [k, w.localStorage.getItem(k)]));
if (storeOut) fs.writeFileSync(storeOut, JSON.stringify(store));
console.log(JSON.stringify({errors, restore: !d.getElementById('restore').hidden,
  visible: rows.filter(r => r.style.display !== 'none').map(r => +r.dataset.i),
  rows: rows.map(r => ({i: +r.dataset.i, sel: r.querySelector('.st').value,
    cm: r.querySelector('.cm').value, by: r.querySelector('.by').textContent,
    cls: r.dataset.cls})),
  tsv: w.movementReport.decisionsTSV(), store}));
"""


def test_the_page_reviews_again_in_a_browser(reviewed, tmp_path) -> None:
    """(jsdom) The page shows the table's decisions, filters them out of "undecided" and
    "flagged", exports them with the model's label, and offers what an earlier version
    kept under its shared key instead of taking it."""
    node, env = jsdom_node()
    _, events, done, page = reviewed
    k = done.attrs["picked"]
    drive = tmp_path / "drive.js"
    drive.write_text(_DRIVE)

    def run(*actions: str, store_in: str = "", store_out: str = "") -> dict:
        got = subprocess.run(
            [node, str(drive), str(page), store_in, store_out, *actions],
            env=env, capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        out = json.loads(got.stdout)
        assert out["errors"] == []
        return out

    first = run()
    by = {r["i"]: r for r in first["rows"]}
    assert by[k["rej"]]["sel"] == "rejected" and by[k["rej"]]["by"] == "by Smith"
    assert by[k["rej"]]["cm"] == "knock"
    assert by[k["rel"]]["sel"] == f"relabelled:{k['new']}" and by[k["rel"]]["cls"] == k["new"]
    assert by[k["com"]]["cm"] == "check this one"
    # the export holds the table's decisions, the model's label as trial_type
    (tmp_path / "page_decisions.tsv").write_text(first["tsv"])
    dec = read_decisions(tmp_path / "page_decisions.tsv")
    assert len(dec) == 3
    model = events.loc[k["rel"], "trial_type"]
    assert (
        dec.set_index("onset").loc[round(events.loc[k["rel"], "onset"], 6), "trial_type"] == model
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (applied again: no "made on another event")
        again = apply_decisions(done, dec)
    cols = ["trial_type", "original_trial_type", "review_status", "reviewer", "comment"]
    pd.testing.assert_frame_equal(again[cols], done[cols])
    # filters: reviewed events are neither undecided nor waiting as flagged
    und = run("filter:f-undecided")["visible"]
    assert k["rej"] not in und and k["rel"] not in und and k["com"] in und
    flg = run("filter:f-review")["visible"]
    waiting = set(np.flatnonzero(events["review"].to_numpy(bool))) - {k["rej"], k["rel"]}
    assert set(flg) == waiting
    # a second reviewer accepts the model's label of the relabelled event: exported, applied
    store = str(tmp_path / "store.json")
    second = run("r=Jones", f"{k['rel']}=accepted", store_out=store)
    (tmp_path / "second_decisions.tsv").write_text(second["tsv"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = apply_decisions(done, read_decisions(tmp_path / "second_decisions.tsv"))
    assert out.loc[k["rel"], ["trial_type", "review_status", "reviewer"]].tolist() == [
        model,
        "accepted",
        "Jones",
    ]
    assert out.loc[k["rej"], "reviewer"] == "Smith"  # (the table's decisions keep their names)
    # decisions saved under the key an earlier version used are offered, not taken
    meta = _meta(page.read_text())
    old_key = f"movement-report:{meta['stem']}:{meta['parameters_hash']}:{meta['n_events']}"
    old = tmp_path / "old.json"
    free = next(i for i in range(len(events)) if i not in k.values())
    old.write_text(
        json.dumps({old_key: json.dumps({"decisions": {str(free): {"status": "rejected"}}})})
    )
    offered = run(store_in=str(old))
    assert offered["restore"] and {r["i"]: r for r in offered["rows"]}[free]["sel"] == ""
    taken = run("restore", store_in=str(old))
    assert {r["i"]: r for r in taken["rows"]}[free]["sel"] == "rejected"


def test_decisions_come_back_when_scored_with_the_first_settings_again(tmp_path, capsys) -> None:
    """Scored with other settings (the review kept as _events_reviewed-1.tsv, not carried),
    then with the first settings again: the decisions did not come back."""
    out, other = tmp_path / "out", ["--set", "accel.merge_gap_s=3"]
    src = DATA_DIR / "sim_wrist_accel.csv"
    assert main(["score", str(src), "--out", str(out)]) == 0
    assert main(["score", str(src), "--out", str(tmp_path / "b"), *other]) == 0
    tsv = out / "sim_wrist_accel_events.tsv"
    b = read_bids_events(tmp_path / "b" / "sim_wrist_accel_events.tsv")
    ev = pd.read_csv(tsv, sep="\t", dtype=str, keep_default_na=False)
    moved = [  # events the other settings do not give
        k for k in range(len(ev))
        if not ((abs(b["onset"] - float(ev.loc[k, "onset"])) < 1e-3)
                & (abs(b["duration"] - float(ev.loc[k, "duration"])) < 1e-3)).any()
    ]  # fmt: skip
    assert moved
    k = moved[0]
    ev.loc[k, ["review_status", "reviewer", "comment"]] = ["rejected", "AB", "knock"]
    ev.to_csv(tsv, sep="\t", index=False)
    assert main(["score", str(src), "--out", str(out), *other]) == 0
    assert read_bids_events(tsv)["review_status"].isna().all()  # (another event: not carried)
    capsys.readouterr()
    assert main(["score", str(src), "--out", str(out), "--no-resume"]) == 0
    said = "".join(capsys.readouterr())
    back = read_bids_events(tsv)
    assert back.loc[k, ["review_status", "reviewer", "comment"]].tolist() == [
        "rejected",
        "AB",
        "knock",
    ]
    assert "1 decision(s) of earlier reviews kept beside it were carried over" in said
    assert "sim_wrist_accel_events_reviewed-1.tsv: 1" in said
