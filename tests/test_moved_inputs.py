"""A recording renamed (or its study moved) after it was scored, then scored again under
the new name into the same folder: its earlier row is ``moved`` and ``movement collect``
counts its events once (it listed them twice: 34 events of 3 recordings for 2 inputs)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from movement.batch import collect_events
from movement.cli import main

DATA = Path(__file__).resolve().parent.parent / "data"


def _study(tmp_path: Path) -> Path:
    study = tmp_path / "study"
    study.mkdir()
    for name in ("sim_wrist_accel.csv", "sim_wrist_accel.json", "sim_forearm_emg.npy",
                 "sim_forearm_emg.json"):  # fmt: skip
        shutil.copy2(DATA / name, study / name)  # (copy2: the times, as a move keeps them)
    return study


def _score(study: Path, out: Path) -> int:
    return main(["score", str(study), "--out", str(out), "--model", "rules", "-q"])


def _rename(study: Path) -> None:
    for ext in (".csv", ".json"):
        (study / f"sim_wrist_accel{ext}").rename(study / f"sub01_wrist{ext}")


def test_collect_counts_a_renamed_recording_once(tmp_path, capsys):
    study, out = _study(tmp_path), tmp_path / "out"
    assert _score(study, out) == 0
    _rename(study)
    assert _score(study, out) == 0
    summary = pd.read_csv(out / "summary.tsv", sep="\t", keep_default_na=False)
    status = dict(zip(summary["stem"], summary["status"], strict=True))
    assert status == {"sim_forearm_emg": "ok", "sub01_wrist": "ok", "sim_wrist_accel": "moved"}
    capsys.readouterr()
    assert main(["collect", str(out)]) == 0
    said = capsys.readouterr().err
    assert "1 moved or renamed and scored again under the new name, counted once" in said
    table = pd.read_csv(out / "events_all.tsv", sep="\t")
    assert sorted(set(table["stem"])) == ["sim_forearm_emg", "sub01_wrist"]
    per_file = {
        stem: len(pd.read_csv(out / f"{stem}_events.tsv", sep="\t"))
        for stem in ("sim_forearm_emg", "sub01_wrist")
    }
    assert len(table) == sum(per_file.values())
    meta = json.loads((out / "events_all.json").read_text())["recordings"]
    assert meta["n_moved"] == 1 and meta["n_failed"] == 0
    assert [m["stem"] for m in meta["moved"]] == ["sim_wrist_accel"]


def test_a_deleted_input_keeps_its_results_and_status(tmp_path):
    """An input deleted (not scored again elsewhere): its row stays ``ok``, its events in
    the collected table (the results are still the study's), its message says so."""
    study, out = _study(tmp_path), tmp_path / "out"
    assert _score(study, out) == 0
    (study / "sim_wrist_accel.csv").unlink()
    assert _score(study, out) == 0
    summary = pd.read_csv(out / "summary.tsv", sep="\t", keep_default_na=False)
    row = summary.set_index("stem").loc["sim_wrist_accel"]
    assert row["status"] == "ok" and row["message"].startswith("input no longer found at")
    table = pd.read_csv(collect_events(out), sep="\t")
    assert set(table["stem"]) == {"sim_forearm_emg", "sim_wrist_accel"}


def test_collect_alone_finds_the_move_of_an_earlier_run(tmp_path):
    """Renamed and scored again in a second run, then a third run on the other file only:
    the folder still knows the two rows are one file ("scored into this folder")."""
    study, out = _study(tmp_path), tmp_path / "out"
    assert _score(study, out) == 0
    _rename(study)
    assert _score(study, out) == 0
    assert main(["score", str(study / "sim_forearm_emg.npy"), "--out", str(out), "-q",
                 "--model", "rules"]) == 0  # fmt: skip
    summary = pd.read_csv(out / "summary.tsv", sep="\t", keep_default_na=False)
    row = summary.set_index("stem").loc["sim_wrist_accel"]
    assert row["status"] == "moved"
    assert "sub01_wrist.csv, scored into this folder)" in row["message"]
    table = pd.read_csv(collect_events(out), sep="\t")
    assert set(table["stem"]) == {"sim_forearm_emg", "sub01_wrist"}
