"""The command line's input options: --exclude, the note of files of unknown
type, --modality in a sidecar's spellings, and recordings whose names nearly fill the
file system's limit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import DATA_DIR

from movement.cli import main


def _study(tmp_path: Path) -> Path:
    study = tmp_path / "study"
    (study / "derivatives").mkdir(parents=True)
    for name in ("sim_wrist_accel.csv", "sim_wrist_accel.json"):
        shutil.copy(DATA_DIR / name, study / name)
        shutil.copy(DATA_DIR / name, study / "derivatives" / name)
    (study / "g9r15of.rit").write_text("1 2 3\n")
    (study / "notes.xyz").write_text("x")
    (study / "make.py").write_text("print(1)\n")  # (code: not worth a note)
    return study


def test_exclude_and_the_note_of_unknown_types(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = _study(tmp_path)
    out = tmp_path / "out"
    code = main(["score", str(study), "--out", str(out), "--exclude", "derivatives"])
    err = capsys.readouterr().err
    assert code == 0
    assert "note: 2 files of unknown type left out: .rit (1), .xyz (1)" in err
    summary = pd.read_csv(out / "summary.tsv", sep="\t")
    assert len(summary) == 1 and "derivatives" not in summary["file"].iloc[0]
    # -q: no note
    assert main(["score", str(study), "--out", str(tmp_path / "o2"), "-q"]) == 0
    assert "unknown type" not in capsys.readouterr().err
    assert len(pd.read_csv(tmp_path / "o2" / "summary.tsv", sep="\t")) == 2


def test_modality_takes_a_sidecars_spellings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = DATA_DIR / "sim_wrist_accel.csv"
    assert (
        main(["score", str(src), "--out", str(tmp_path / "a"), "--modality", "Accelerometer"]) == 0
    )
    with pytest.raises(SystemExit) as exc:
        main(["score", str(src), "--out", str(tmp_path / "b"), "--modality", "gyro"])
    assert exc.value.code == 2
    assert "must be accel or emg" in capsys.readouterr().err


def test_a_name_whose_companions_cannot_be_looked_up_is_scored(tmp_path: Path) -> None:
    """A 246-character name: its ``_annotations.tsv`` companion's name is over the file
    system's 255 bytes, and looking it up raised OSError (the file failed)."""
    name = "r" * 246
    shutil.copy(DATA_DIR / "sim_wrist_accel.csv", tmp_path / f"{name}.csv")
    shutil.copy(DATA_DIR / "sim_wrist_accel.json", tmp_path / f"{name}.json")
    out = tmp_path / "out"
    assert main(["score", str(tmp_path / f"{name}.csv"), "--out", str(out), "-q"]) == 0
    summary = pd.read_csv(out / "summary.tsv", sep="\t")
    assert list(summary["status"]) == ["ok"]
