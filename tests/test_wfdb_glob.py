"""A shell glob over a folder of WFDB records names each record's signal file beside
its header: the header is the record, the signal file is no second recording (it was an
error row each, exit code 1, though every record was scored)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from movement.cli import main


def _records(real, tmp_path: Path) -> Path:
    study = tmp_path / "study"
    study.mkdir()
    for stem in ("emg_healthy", "emg_myopathy"):
        for ext in (".hea", ".dat"):
            shutil.copy(real(f"physionet_emgdb/{stem}{ext}"), study / f"{stem}{ext}")
    return study


def test_a_glob_naming_headers_and_signal_files_scores_each_record_once(real, tmp_path, capsys):
    study = _records(real, tmp_path)
    listed = sorted(str(p) for p in study.iterdir())  # what `movement score study/*` gets
    assert len(listed) == 4
    out = tmp_path / "out"
    assert main(["score", *listed, "--out", str(out), "--model", "rules", "-q"]) == 0
    summary = pd.read_csv(out / "summary.tsv", sep="\t", comment="#")
    assert sorted(Path(f).name for f in summary["file"]) == ["emg_healthy.hea", "emg_myopathy.hea"]
    assert set(summary["status"]) == {"ok"}
    assert "WFDB signal file" not in capsys.readouterr().err


def test_a_signal_file_named_without_its_header_is_still_said(real, tmp_path, capsys):
    study = _records(real, tmp_path)
    out = tmp_path / "out"
    rc = main(["score", str(study / "emg_healthy.dat"), "--out", str(out), "--model", "rules"])
    assert rc == 1
    assert "a WFDB signal file: read its header emg_healthy.hea instead" in capsys.readouterr().err
