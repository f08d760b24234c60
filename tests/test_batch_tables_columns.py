"""The batch's tables say enough to be read on their own: ``summary.tsv``'s ``stem`` (the
join to each recording's ``<stem>_events.tsv`` where names were disambiguated),
``events_all.tsv``'s ``modality`` and ``units`` (its amplitudes are g, mV or a.u. by
recording), ``summary.json`` (the summary's data dictionary), a review page drawn again
when its events table changed since, and ``movement review apply`` counting a decision that
matches no event as not applied."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from movement.cli import main

DATA = Path(__file__).resolve().parent.parent / "data"
EMG = DATA / "sim_forearm_emg.npy"
ACCEL = DATA / "sim_wrist_accel.csv"

DECISIONS_HEADER = (
    "onset\tduration\ttrial_type\tchannel\treview_status\treviewer\tcomment\tnew_trial_type\n"
)


def _decisions(ev: pd.Series, status: str) -> str:
    """A decisions file (as a review page exports it) of one event ``ev``: ``status``."""
    return (
        DECISIONS_HEADER
        + f"{ev['onset']}\t{ev['duration']}\t{ev['trial_type']}\t{ev['channel']}\t{status}\t"
        "RA\tn/a\tn/a\n"
    )


def _table(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two recordings of the same name in two folders (``12345-1/0.csv``,
    ``12345-2/0.csv``: accelerometry, g) and an EMG recording (mV), scored with
    ``--collect``."""
    root = tmp_path_factory.mktemp("tables")
    inp = root / "in"
    for d in ("12345-1", "12345-2"):
        (inp / d).mkdir(parents=True)
        shutil.copy(ACCEL, inp / d / "0.csv")
        shutil.copy(ACCEL.with_suffix(".json"), inp / d / "0.json")
    (inp / "emg").mkdir()
    shutil.copy(EMG, inp / "emg" / EMG.name)
    shutil.copy(EMG.with_suffix(".json"), inp / "emg" / EMG.with_suffix(".json").name)
    out = root / "out"
    argv = ["score", str(inp), "--out", str(out), "--model", "rules", "-q", "--collect"]
    assert main(argv) == 0
    return out


def _fresh(scored: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(scored, tmp_path / "out"))


# -- A: summary.tsv's stem ------------------------------------------------------------------


def test_summary_has_a_stem_column_naming_each_rows_events_table(scored: Path) -> None:
    summary = _table(scored / "summary.tsv")
    cols = list(summary.columns)
    assert cols[:3] == ["file", "stem", "status"]
    by_file = {Path(f).parent.name + "/" + Path(f).name: s for f, s in zip(summary["file"], summary["stem"], strict=True)}  # fmt: skip
    assert by_file == {
        "12345-1/0.csv": "12345-1_0",
        "12345-2/0.csv": "12345-2_0",
        "emg/sim_forearm_emg.npy": "sim_forearm_emg",
    }
    # each row joins to its events table: the same number of events
    for stem, n in zip(summary["stem"], summary["n_events"], strict=True):
        events = _table(scored / f"{stem}_events.tsv")
        assert len(events) == int(n), stem


def test_a_failed_file_has_its_stem_too(tmp_path: Path) -> None:
    out = tmp_path / "out"
    missing = tmp_path / "gone" / "lost.csv"
    assert (
        main(["score", str(ACCEL), str(missing), "--out", str(out), "--model", "rules", "-q"]) == 1
    )
    summary = _table(out / "summary.tsv").set_index("file")
    assert summary.loc[str(ACCEL), "stem"] == "sim_wrist_accel"
    assert summary.loc[str(missing), "status"] == "error"
    assert summary.loc[str(missing), "stem"] == "lost"


# -- B: events_all.tsv's modality and units -------------------------------------------------


def test_events_all_says_each_rows_modality_and_units(scored: Path) -> None:
    table = _table(scored / "events_all.tsv")
    assert list(table.columns[:4]) == ["file", "stem", "modality", "units"]
    assert list(table.columns[-2:]) == ["parameters_hash", "movement_version"]
    got = table.groupby("stem")[["modality", "units"]].agg(lambda s: sorted(set(s)))
    assert got.loc["12345-1_0"].tolist() == [["accel"], ["g"]]
    assert got.loc["12345-2_0"].tolist() == [["accel"], ["g"]]
    assert got.loc["sim_forearm_emg"].tolist() == [["emg"], ["mV"]]
    # as each recording's events sidecar says
    for stem, part in table.groupby("stem"):
        rec = json.loads((scored / f"{stem}_events.json").read_text())["recording"]
        assert set(part["modality"]) == {rec["modality"]}
        assert set(part["units"]) == {rec["units"]}
    side = json.loads((scored / "events_all.json").read_text())
    assert "peak_amplitude and rms" in side["units"]["Description"]
    assert "Description" in side["modality"]
    assert "units column" in side["peak_amplitude"]["Units"]
    assert {(r["stem"], r["modality"], r["units"]) for r in side["recordings"]["in_table"]} == {
        ("12345-1_0", "accel", "g"),
        ("12345-2_0", "accel", "g"),
        ("sim_forearm_emg", "emg", "mV"),
    }


# -- E: review apply, a decision that matches no event --------------------------------------


def test_review_apply_counts_a_decision_matching_no_event_as_not_applied(
    scored: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _fresh(scored, tmp_path)
    decisions = tmp_path / "decisions"
    decisions.mkdir()
    (decisions / "sim_forearm_emg_decisions.tsv").write_text(
        DECISIONS_HEADER + "999\t0.5\tfasciculation-like\tch1\taccepted\tRA\tn/a\tn/a\n"
    )
    before = (out / "sim_forearm_emg_events.tsv").read_bytes()
    capsys.readouterr()
    assert main(["review", "apply", str(out), "--decisions", str(decisions)]) == 1
    said = capsys.readouterr()
    assert "already in it" not in said.out + said.err
    assert "already held" not in said.err
    assert "1 decision(s) match no event within 1 ms" in said.err  # (the warning: which)
    lines = said.err.strip().splitlines()
    assert lines[-1] == (
        f"0 of 1 events table(s) updated; 1 decision(s) match no event; not applied; in {out}/"
    )
    assert any(
        "sim_forearm_emg_events.tsv: sim_forearm_emg_decisions.tsv: 1 decision(s) match no "
        "event; not applied" in line
        for line in lines
    )
    assert (out / "sim_forearm_emg_events.tsv").read_bytes() == before
    assert not (out / "sim_forearm_emg_events_reviewed-1.tsv").exists()


def test_review_apply_with_one_decision_applied_and_one_not(
    scored: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _fresh(scored, tmp_path)
    ev = _table(out / "sim_forearm_emg_events.tsv").iloc[0]
    (out / "sim_forearm_emg_decisions.tsv").write_text(
        _decisions(ev, "rejected") + "999\t0.5\tfasciculation-like\tch1\taccepted\tRA\tn/a\tn/a\n"
    )
    capsys.readouterr()
    assert main(["review", "apply", str(out)]) == 1
    said = capsys.readouterr()
    assert "applied sim_forearm_emg_events.tsv: 1 event(s) changed" in said.out
    assert "; 1 decision(s) match no event; not applied" in said.out
    assert said.err.strip().splitlines()[-1] == (
        f"1 of 1 events table(s) updated; 1 decision(s) match no event; not applied; in {out}/"
    )
    assert _table(out / "sim_forearm_emg_events.tsv").loc[0, "review_status"] == "rejected"
    # again: the matched one is held, the other still not applied
    assert main(["review", "apply", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err == (
        f"0 of 1 events table(s) updated; 1 decision(s) match no event; not applied; in {out}/"
    )


def test_review_apply_of_decisions_all_held_still_exits_0(
    scored: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _fresh(scored, tmp_path)
    ev = _table(out / "12345-1_0_events.tsv").iloc[0]
    (out / "12345-1_0_decisions.tsv").write_text(_decisions(ev, "accepted"))
    assert main(["review", "apply", str(out)]) == 0
    capsys.readouterr()
    assert main(["review", "apply", str(out)]) == 0
    said = capsys.readouterr()
    assert "same    12345-1_0_events.tsv" in said.out and "nothing changed" in said.out
    assert said.err.strip().splitlines()[-1] == (
        f"0 of 1 events table(s) updated, 1 already held their decisions; in {out}/"
    )


# -- C: summary.json ------------------------------------------------------------------------


def test_summary_json_describes_every_column_of_summary_tsv(scored: Path) -> None:
    from movement import __version__
    from movement.output import SUMMARY_COLUMNS

    header = (scored / "summary.tsv").read_text().splitlines()[0].split("\t")
    assert header == list(SUMMARY_COLUMNS)
    side = json.loads((scored / "summary.json").read_text())
    for col in header:
        assert side[col]["Description"] and side[col]["Description"] != col, col
    units = {c: side[c].get("Units") for c in header}
    assert units["duration_s"] == units["recorded_s"] == units["dystonia_median_s"] == "s"
    assert units["rate_per_min_fasciculation"] == "1/min"
    assert units["fs"] == units["tremor_median_hz"] == "Hz"
    assert units["calibration_error_mg"] == "mg"
    assert set(side["status"]["Levels"]) == {"ok", "error", "moved"}
    assert "12345-1_0" in side["stem"]["Description"]
    assert side["GeneratedBy"] == [{"Name": "movement", "Version": __version__}]
    assert side["disclaimer"]
    # (the events sidecar's format: a column maps to Description and optional Units/Levels)
    events_side = json.loads((scored / "sim_forearm_emg_events.json").read_text())
    assert set(events_side["onset"]) <= {"Description", "Units", "Levels"}
    assert all(set(side[c]) <= {"Description", "Units", "Levels"} for c in header)


def test_summary_json_is_written_with_every_summary(tmp_path: Path) -> None:
    out = tmp_path / "out"
    argv = ["score", str(ACCEL), str(EMG), "--out", str(out), "--model", "rules", "-q"]
    assert main([*argv, "--shard", "1/2"]) == 0
    assert main([*argv, "--shard", "2/2"]) == 0
    for k in (1, 2):
        assert (out / f"summary-shard-{k}-of-2.tsv").is_file()
        side = json.loads((out / f"summary-shard-{k}-of-2.json").read_text())
        assert "Description" in side["stem"]
    assert not (out / "summary.json").exists()
    assert main(argv) == 0  # (collated: the study's summary, and its dictionary)
    assert json.loads((out / "summary.json").read_text())["stem"]["Description"]
    # removed, it comes back with the next summary (a resumed batch)
    (out / "summary.json").unlink()
    assert main(argv) == 0
    assert (out / "summary.json").is_file()
    # and no temporary file is left beside it
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


# -- D: score --report after a review -------------------------------------------------------


def _statuses(page: Path) -> list[str]:
    return re.findall(r'data-st0="([a-z]*)"', page.read_text(encoding="utf-8"))


def test_score_report_redraws_a_page_older_than_its_reviewed_events_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "out"
    argv = ["score", str(ACCEL), "--out", str(out), "--model", "rules", "--report"]
    assert main([*argv, "-q"]) == 0
    page = out / "sim_wrist_accel_report.html"
    assert _statuses(page) == []
    ev = _table(out / "sim_wrist_accel_events.tsv").iloc[0]
    (out / "sim_wrist_accel_decisions.tsv").write_text(_decisions(ev, "rejected"))
    assert main(["review", "apply", str(out), "-q"]) == 0
    capsys.readouterr()
    assert main(argv) == 0
    said = capsys.readouterr()
    lines = [ln for ln in said.out.splitlines() if "sim_wrist_accel" in ln]
    assert len(lines) == 1 and lines[0].startswith("skip   ")
    assert "sim_wrist_accel_report.html drawn again" in lines[0]
    assert "0 of 1 recordings scored, 1 already scored (skipped)" in said.err
    assert _statuses(page) == ["rejected"]  # (the page starts from the decision)
    assert page.stat().st_mtime_ns >= (out / "sim_wrist_accel_events.tsv").stat().st_mtime_ns
    # the same page as `movement report FILE --events OUT` draws
    other = tmp_path / "other"
    assert main(["report", str(ACCEL), "--events", str(out), "--out", str(other), "-q"]) == 0
    assert _statuses(other / page.name) == _statuses(page)
    # again: the page is up to date, kept
    stamp = page.stat().st_mtime_ns
    assert main(argv) == 0
    assert "drawn again" not in capsys.readouterr().out
    assert page.stat().st_mtime_ns == stamp


def test_score_without_report_leaves_a_stale_page_alone(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "out"
    argv = ["score", str(ACCEL), "--out", str(out), "--model", "rules", "-q"]
    assert main([*argv, "--report"]) == 0
    page = out / "sim_wrist_accel_report.html"
    tsv = out / "sim_wrist_accel_events.tsv"
    os.utime(tsv, ns=(page.stat().st_mtime_ns + 10**9,) * 2)  # (the table edited since)
    stamp = page.stat().st_mtime_ns
    assert main(argv) == 0  # (no --report: resumed, no page drawn)
    assert page.stat().st_mtime_ns == stamp
