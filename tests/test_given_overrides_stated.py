"""A rate or modality given (``fs=``/``--fs``, ``modality=``/``--modality``) still wins over
what a file states (its header, its sidecar, its time column; a device file is
accelerometry), but no longer silently: one warning per file names the file, what it
states and where, and the value used, and ``notes["fs_stated"]`` / ``["fs_stated_from"]``
(``modality_stated``...) keep it in the events JSON. Rates within 0.1 % agree; a file that
states nothing (a bare ``.npy``) draws no warning. The whole read (:func:`movement.read`) and
the streamed one (:func:`movement.stream.header_of`) say the same."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

import movement
from movement.stream import header_of

WFDB = "physionet_emgdb/emg_healthy.hea"
CWA = "wearable_device_files/ax3_testfile.cwa"
TIMED_CSV = "wrist_accel_free_living_sample/sample_wrist_accelerometer_data.csv"
SIM = Path(__file__).resolve().parent.parent / "data" / "sim_wrist_accel.csv"


def _read(path: Path, how: str, **kw) -> tuple[dict, list[str]]:
    """The notes of ``path`` read whole or streamed, and the warnings saying a value given
    differs from the file's."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if how == "whole":
            notes = movement.read(path, **kw).notes
        else:
            notes = header_of(path, chunk_rows=5000, **kw)[0].notes
    said = [
        str(w.message)
        for w in caught
        if issubclass(w.category, UserWarning) and " given (--" in str(w.message)
    ]
    return notes, said


def _wfdb(real) -> Path:
    pytest.importorskip("wfdb")
    return real(WFDB)


BOTH = pytest.mark.parametrize("how", ["whole", "streamed"])


# ------------------------------------------------------------------- each source of a rate


@BOTH
def test_header_rate_differs(real, how) -> None:
    path = _wfdb(real)
    notes, said = _read(path, how, fs=200)
    assert said == [f"{path}: fs 200 Hz given (--fs), its header states 4000 Hz (used: 200 Hz)"]
    assert notes["fs_from"] == "given"
    assert (notes["fs_stated"], notes["fs_stated_from"]) == (4000.0, "header")


@BOTH
def test_sidecar_rate_differs(how) -> None:
    notes, said = _read(SIM, how, fs="200 Hz")
    assert said == [
        f"{SIM}: fs 200 Hz given (--fs), its sidecar sim_wrist_accel.json states 100 Hz "
        "(used: 200 Hz)"
    ]
    assert (notes["fs_stated"], notes["fs_stated_from"]) == (100.0, "sidecar")


@BOTH
def test_time_column_rate_differs(real, how) -> None:
    path = real(TIMED_CSV)
    notes, said = _read(path, how, fs=200)
    assert len(said) == 1 and said[0].startswith(f"{path}: fs 200 Hz given (--fs)")
    assert "its time column gives 100 Hz (used: 200 Hz)" in said[0]
    assert (notes["fs_stated"], notes["fs_stated_from"]) == (100.0, "time column")


@BOTH
def test_time_column_with_a_hole_rate_differs(tmp_path, how) -> None:
    """A time column with a hole is put on the grid of the rate given: its own rate (the
    median step's) is still the one it states."""
    t = np.arange(3000) / 50.0
    t[1500:] += 2.0  # (a 2 s hole)
    xyz = np.column_stack([np.zeros(3000), np.zeros(3000), np.ones(3000)])
    xyz += np.random.default_rng(0).normal(0, 0.01, xyz.shape)
    path = tmp_path / "holed.csv"
    np.savetxt(path, np.column_stack([t, xyz]), delimiter=",", header="time,x,y,z", comments="")
    notes, said = _read(path, how, fs=100)
    assert len(said) == 1 and "its time column gives 50 Hz (used: 100 Hz)" in said[0]
    assert (notes["fs_stated"], notes["fs_stated_from"]) == (50.0, "time column")


@BOTH
def test_device_file_rate_differs(real, how) -> None:
    pytest.importorskip("actfast")
    path = real(CWA)
    notes, said = _read(path, how, fs=200)
    assert said == [f"{path}: fs 200 Hz given (--fs), its header states 100 Hz (used: 200 Hz)"]
    assert (notes["fs_stated"], notes["fs_stated_from"]) == (100.0, "header")


# ------------------------------------------------------------------ no conflict: no warning


@BOTH
@pytest.mark.parametrize("fs", [4000, 4003.9, 3996.1, "4000 Hz"])
def test_header_rate_equal_within_a_thousandth(real, how, fs) -> None:
    notes, said = _read(_wfdb(real), how, fs=fs)
    assert said == [] and "fs_stated" not in notes and notes["fs_from"] == "given"


@BOTH
def test_equal_rates_of_sidecar_and_time_column(real, how) -> None:
    assert _read(SIM, how, fs=100)[1] == []
    assert _read(real(TIMED_CSV), how, fs=100)[1] == []


@BOTH
def test_nothing_stated_nothing_said(tmp_path, how) -> None:
    """A bare ``.npy`` states no rate nor modality: whatever is given is no conflict."""
    x = np.random.default_rng(1).normal(0, 0.01, (6000, 3)) + [0.0, 0.0, 1.0]
    path = tmp_path / "bare.npy"
    np.save(path, x)
    notes, said = _read(path, how, fs=200, modality="accel")
    assert said == [] and "fs_stated" not in notes and "modality_stated" not in notes


# ------------------------------------------------------------------------------- modality


@BOTH
def test_header_modality_differs(real, how) -> None:
    path = _wfdb(real)
    notes, said = _read(path, how, modality="accel")
    assert said == [
        f"{path}: modality accel given (--modality), its header states emg (used: accel)"
    ]
    assert (notes["modality_stated"], notes["modality_stated_from"]) == ("emg", "header")
    assert _read(path, how, modality="EMG")[1] == []  # (a spelling of the same)


@BOTH
def test_sidecar_modality_differs(tmp_path, how) -> None:
    path = tmp_path / "wrist.csv"
    shutil.copy(SIM, path)
    (tmp_path / "wrist.json").write_text(json.dumps({"SamplingFrequency": 100, "Modality": "EMG"}))
    notes, said = _read(path, how, modality="accel")
    assert said == [
        f"{path}: modality accel given (--modality), its sidecar wrist.json states emg "
        "(used: accel)"
    ]
    assert (notes["modality_stated"], notes["modality_stated_from"]) == ("emg", "sidecar")
    # a sidecar's Modality naming neither is overruled by the one given, as before: unsaid
    (tmp_path / "wrist.json").write_text(json.dumps({"SamplingFrequency": 100, "Modality": "eeg"}))
    notes, said = _read(path, how, modality="accel")
    assert said == [] and "modality_stated" not in notes


@BOTH
def test_modality_guessed_from_channel_names_is_not_stated(real, how) -> None:
    notes, said = _read(real(TIMED_CSV), how, modality="accel")
    assert said == [] and "modality_stated" not in notes


# ------------------------------------------------------------------------------ a batch


def test_batch_says_it_per_file_and_scores(real, tmp_path, capsys) -> None:
    from movement.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    hea = _wfdb(real)
    for f in (hea, hea.with_suffix(".dat"), SIM, SIM.with_suffix(".json")):
        shutil.copy(f, folder / f.name)
    out = tmp_path / "out"
    assert main(["score", str(folder), "--fs", "200", "--out", str(out), "--model", "rules"]) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = sorted(ln for ln in err.splitlines() if " given (--fs)" in ln)
    assert len(lines) == 2
    assert lines[0].startswith(
        f"warning {folder / hea.name}: fs 200 Hz given (--fs), its header states 4000 Hz "
        "(used: 200 Hz)"
    )
    # (and, EMG at 200 Hz: below the motor-unit detector's rate, said on the same line)
    assert "below min_muap_fs_hz (900 Hz)" in lines[0]
    assert lines[1] == (
        f"warning {folder / SIM.name}: fs 200 Hz given (--fs), its sidecar "
        "sim_wrist_accel.json states 100 Hz (used: 200 Hz)"
    )
    side = json.loads((out / "emg_healthy_events.json").read_text())
    notes = side["recording"]["reader_notes"]
    assert (notes["fs_stated"], notes["fs_stated_from"]) == (4000.0, "header")
    assert side["recording"]["SamplingFrequency"] == 200.0
