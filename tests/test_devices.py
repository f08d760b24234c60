"""Device and clinical-format readers on real files (tests/data/real, see SOURCES.md)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import movement
from movement.errors import MissingExtraError, RecordingError
from movement.io import devices
from movement.io.info import cli_configure, cli_run, info

REAL = Path(__file__).parent / "data" / "real"
DEV = REAL / "wearable_device_files"
EMGDB = REAL / "physionet_emgdb"

# Known values (tests/data/real/SOURCES.md): file -> (fs, n_samples read, duration s)
EMGDB_KNOWN = {
    "emg_healthy": (4000.0, 50_860, 12.7),
    "emg_myopathy": (4000.0, 110_337, 27.6),
    "emg_neuropathy": (4000.0, 147_858, 37.0),
}


def _read_quiet(path: Path, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rec = movement.read(path, **kw)
    return rec, [str(w.message) for w in caught]


def _truncate(src: Path, tmp_path: Path, n_bytes: int) -> Path:
    out = tmp_path / src.name
    out.write_bytes(src.read_bytes()[:n_bytes])
    return out


def _block_import(monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    """Make ``import module`` fail as if the package were not installed."""
    monkeypatch.setitem(sys.modules, module, None)


# -- WFDB -------------------------------------------------------------------------------------


@pytest.mark.parametrize("stem", sorted(EMGDB_KNOWN))
def test_wfdb_emgdb_known_values(stem: str) -> None:
    pytest.importorskip("wfdb")
    fs, n, dur = EMGDB_KNOWN[stem]
    rec, _ = _read_quiet(EMGDB / f"{stem}.hea")
    assert rec.fs == fs
    assert rec.n_samples == n
    assert rec.duration == pytest.approx(dur, abs=0.05)
    assert rec.channels == ("EMG",)
    assert rec.modality == "emg"
    assert rec.units == "mV"  # emg_myopathy's header says "mv"
    assert rec.start is None  # emgdb headers have no base date/time
    # physical units: gain 10000 adu/mV, int16 -> at most 3.2767 mV
    assert np.nanmax(np.abs(rec.data)) <= 3.2768


def test_wfdb_first_sample_matches_header() -> None:
    pytest.importorskip("wfdb")
    rec, _ = _read_quiet(EMGDB / "emg_healthy.hea")
    # emg_healthy.hea: initial value -333 adu at gain 10000 adu/mV
    assert rec.data[0, 0] == pytest.approx(-0.0333)


def test_wfdb_dat_is_not_an_input() -> None:
    assert not movement.io.is_recording_file(EMGDB / "emg_healthy.dat")
    assert movement.io.is_recording_file(EMGDB / "emg_healthy.hea")


def test_wfdb_truncated_dat(tmp_path: Path) -> None:
    pytest.importorskip("wfdb")
    shutil.copy(EMGDB / "emg_healthy.hea", tmp_path)
    _truncate(EMGDB / "emg_healthy.dat", tmp_path, 1000)
    with pytest.raises(RecordingError) as err:
        movement.read(tmp_path / "emg_healthy.hea")
    assert "\n" not in str(err.value)


def test_wfdb_missing_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    _block_import(monkeypatch, "wfdb")
    with pytest.raises(MissingExtraError, match=r"movement\[wfdb\]"):
        movement.read(EMGDB / "emg_healthy.hea")


def _wfdb_record_line(tmp_path: Path, line: str) -> Path:
    for f in ("emg_healthy.hea", "emg_healthy.dat"):
        shutil.copy(EMGDB / f, tmp_path)
    hea = tmp_path / "emg_healthy.hea"
    lines = hea.read_text().splitlines()
    hea.write_text("\n".join([line, *lines[1:]]) + "\n")
    return hea


@pytest.mark.parametrize("field", ["-4000", "abc", "0", "0/1(0)", "."])
def test_wfdb_bad_rate_field_is_refused_not_250_hz(tmp_path: Path, field: str) -> None:
    """wfdb reads a rate it cannot parse as absent, i.e. the spec's 250 Hz default."""
    pytest.importorskip("wfdb")
    hea = _wfdb_record_line(tmp_path, f"emg_healthy 1 {field} 50860")
    with pytest.raises(RecordingError) as err:
        movement.read(hea)
    assert str(err.value) == (
        f"{hea}: the WFDB header's sampling-rate field {field!r} (3rd on the record line) "
        "is not a positive number"
    )


@pytest.mark.parametrize("field", ["-5", "abc", "5.5"])
def test_wfdb_bad_length_field_is_refused_not_absent(tmp_path: Path, field: str) -> None:
    """wfdb reads a length it cannot parse as absent: the record was read whole, whatever
    its header said."""
    pytest.importorskip("wfdb")
    hea = _wfdb_record_line(tmp_path, f"emg_healthy 1 4000 {field}")
    with pytest.raises(RecordingError) as err:
        movement.read(hea)
    assert str(err.value) == (
        f"{hea}: the WFDB header's number of samples {field!r} (4th on the record line) "
        "is not a whole number"
    )


@pytest.mark.filterwarnings("ignore:The inplace keyword")
@pytest.mark.parametrize(
    ("line", "fs"), [("emg_healthy 1", 250.0), ("emg_healthy 1 4000/1(0) 50860", 4000.0)]
)
def test_wfdb_rate_field_absent_is_250_hz_and_counter_part_is_kept(
    tmp_path: Path, line: str, fs: float
) -> None:
    pytest.importorskip("wfdb")
    rec, _ = _read_quiet(_wfdb_record_line(tmp_path, line))
    assert rec.fs == fs
    assert rec.n_samples == 50_860


def test_empty_hea_is_one_line(tmp_path: Path) -> None:
    pytest.importorskip("wfdb")
    (tmp_path / "e.hea").write_bytes(b"")
    with pytest.raises(RecordingError, match=r"e\.hea: the file is empty$"):
        movement.read(tmp_path / "e.hea")


@pytest.mark.filterwarnings("ignore:The inplace keyword")
def test_wfdb_annotations(tmp_path: Path) -> None:
    wfdb = pytest.importorskip("wfdb")
    for f in ("emg_healthy.hea", "emg_healthy.dat"):
        shutil.copy(EMGDB / f, tmp_path)
    wfdb.wrann(
        "emg_healthy",
        "atr",
        np.array([4000, 8000]),
        symbol=['"', '"'],
        aux_note=["twitch", "burst"],
        write_dir=str(tmp_path),
        fs=4000,
    )
    rec, _ = _read_quiet(tmp_path / "emg_healthy.hea")
    ann = rec.annotations
    assert list(ann.columns) == ["onset", "duration", "description"]
    assert ann["onset"].tolist() == [1.0, 2.0]
    assert ann["description"].tolist() == ["twitch", "burst"]


# -- Axivity .cwa -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "n_raw", "span_s", "measured"),
    [
        ("ax3_testfile.cwa", 17_400, 176.0, 98.86),  # 145 blocks x 120 samples
        ("ax6_testfile.cwa", 11_320, 114.3, 99.04),
    ],
)
def test_cwa_known_values(name: str, n_raw: int, span_s: float, measured: float) -> None:
    pytest.importorskip("actfast")
    rec, warns = _read_quiet(DEV / name)
    assert rec.fs == 100.0  # configured rate
    assert rec.modality == "accel"
    assert rec.units == "g"
    assert rec.channels == ("x", "y", "z")
    # resampled from the block timestamps: the real span, not n_raw / 100
    assert rec.duration == pytest.approx(span_s, abs=0.1)
    assert f"{n_raw} samples resampled" in rec.notes["resampled"]
    assert f"measured {measured:.4g} Hz" in rec.notes["resampled"]
    assert np.nanmedian(np.linalg.norm(rec.data, axis=1)) == pytest.approx(1.0, abs=0.1)
    assert not warns


def test_cwa_start_and_gyro_note() -> None:
    pytest.importorskip("actfast")
    ax3, _ = _read_quiet(DEV / "ax3_testfile.cwa")
    assert ax3.start.replace(microsecond=0) == datetime(2019, 2, 26, 10, 55, 6)
    assert "gyroscope" not in ax3.notes
    ax6, _ = _read_quiet(DEV / "ax6_testfile.cwa")
    assert ax6.start.replace(microsecond=0) == datetime(2019, 12, 23, 21, 4, 6)
    assert "gyroscope" in ax6.notes["gyroscope"]
    assert ax6.n_channels == 3


def test_cwa_first_1000_bytes(tmp_path: Path) -> None:
    pytest.importorskip("actfast")
    bad = _truncate(DEV / "ax3_testfile.cwa", tmp_path, 1000)
    with pytest.raises(RecordingError, match="truncated .cwa header"):
        movement.read(bad)


def test_cwa_cut_mid_block_is_not_silent(tmp_path: Path) -> None:
    pytest.importorskip("actfast")
    bad = _truncate(DEV / "ax3_testfile.cwa", tmp_path, 1024 + 50 * 512 + 300)
    with pytest.warns(UserWarning, match="truncated"):
        rec = movement.read(bad)
    assert "truncated" in rec.notes
    assert rec.duration == pytest.approx(50 * 1.2146, rel=0.02)  # 50 whole blocks


def test_not_a_cwa(tmp_path: Path) -> None:
    bad = tmp_path / "x.cwa"
    bad.write_bytes(b"hello world" * 200)
    with pytest.raises(RecordingError, match="not an Axivity"):
        movement.read(bad)


def test_cwa_missing_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    _block_import(monkeypatch, "actfast")
    with pytest.raises(MissingExtraError, match=r"movement\[devices\]") as err:
        movement.read(DEV / "ax3_testfile.cwa")
    assert "actfast" in str(err.value)


# -- GENEActiv / GENEA .bin -------------------------------------------------------------------


def test_geneactiv_truncated_excerpt_is_read_with_a_warning() -> None:
    pytest.importorskip("actfast")
    rec, warns = _read_quiet(DEV / "GENEActiv_testfile.bin")
    assert rec.fs == 85.7
    assert rec.n_samples == 5_031
    assert rec.duration == pytest.approx(58.7, abs=0.05)
    assert rec.channels == ("x", "y", "z")
    assert rec.units == "g"
    assert rec.start.date() == datetime(2013, 5, 30).date()
    assert "17 of 222048 pages" in rec.notes["truncated"]
    assert any("truncated" in w for w in warns)


def test_geneactiv_first_1000_bytes(tmp_path: Path) -> None:
    pytest.importorskip("actfast")
    bad = _truncate(DEV / "GENEActiv_testfile.bin", tmp_path, 1000)
    with pytest.raises(RecordingError) as err:
        movement.read(bad)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("freq", ["0 Hz", "0.0 Hz", "-5 Hz", ". Hz", "abc"])
def test_geneactiv_bad_measurement_frequency_is_one_line(tmp_path: Path, freq: str) -> None:
    """``0 Hz`` divided the sample count (ZeroDivisionError: an internal error)."""
    pytest.importorskip("actfast")
    old = b"Measurement Frequency:85.7 Hz"
    new = (b"Measurement Frequency:" + freq.encode()).ljust(len(old))
    bad = tmp_path / "g.bin"
    bad.write_bytes((DEV / "GENEActiv_testfile.bin").read_bytes().replace(old, new, 1))
    with pytest.raises(RecordingError) as err:
        movement.read(bad)
    assert str(err.value) == (
        f"{bad}: the GENEActiv header's Measurement Frequency {freq!r} is not a positive "
        "number of Hz"
    )


@pytest.mark.parametrize("suffix", [".cwa", ".bin", ".gt3x"])
def test_empty_device_file_is_one_line(tmp_path: Path, suffix: str) -> None:
    """An empty .cwa was 'internal error ValueError: cannot mmap an empty file'."""
    pytest.importorskip("actfast")
    p = tmp_path / f"empty{suffix}"
    p.write_bytes(b"")
    with pytest.raises(RecordingError) as err:
        movement.read(p)
    assert str(err.value) == f"{p}: the file is empty"
    with pytest.raises(RecordingError, match="the file is empty$"):
        info(p)


def test_cut_or_fake_gt3x_is_one_plain_line(tmp_path: Path) -> None:
    """A .gt3x cut short gave the ZIP library's words ('Could not find EOCD') and
    suggested installing a second reader."""
    pytest.importorskip("actfast")
    cut, fake = tmp_path / "cut.gt3x", tmp_path / "fake.gt3x"
    cut.write_bytes((DEV / "actigraph_testfile.gt3x").read_bytes()[:40000])
    fake.write_bytes(b"time,x,y,z\n")
    for p, said in (
        (cut, "truncated or damaged .gt3x file: a ZIP archive without its directory at the end"),
        (fake, "not an ActiGraph .gt3x file (not a ZIP archive)"),
    ):
        with pytest.raises(RecordingError) as err:
            movement.read(p)
        assert str(err.value).startswith(f"{p}: {said}")


def test_original_genea_is_refused_clearly() -> None:
    pytest.importorskip("actfast")
    with pytest.raises(RecordingError, match="original GENEA"):
        movement.read(DEV / "genea_testfile.bin")


# -- ActiGraph .gt3x --------------------------------------------------------------------------


def test_gt3x_known_values() -> None:
    pytest.importorskip("actfast")
    rec, warns = _read_quiet(DEV / "actigraph_testfile.gt3x")
    assert rec.fs == 30.0
    assert rec.channels == ("x", "y", "z")
    assert rec.units == "g"
    # header: 1772 s from start to last-sample time; data (idle sleep on the grid) 1768 s
    assert rec.duration == pytest.approx(1768.0, abs=0.1)
    assert rec.n_samples == 53_040
    assert "35400 samples" in rec.notes["idle_sleep"]
    # idle sleep is missing, not the last sample repeated (no measurement)
    assert int(np.isnan(rec.data).any(axis=1).sum()) == 35_400
    # (info.txt: TimeZone 02:00:00; idle sleep on: the 4 s before the download noted)
    assert rec.start == datetime(2020, 8, 26, 10, 9, 0, tzinfo=timezone(timedelta(hours=2)))
    assert "trailing idle sleep" in rec.notes["end"]
    assert not any("before the header's last-sample time" in w for w in warns)


def test_gt3x_idle_sleep_is_neither_still_windows_nor_noise() -> None:
    """67 % of the file is idle sleep. Filled with the last sample (as ActiLife does), it
    gave 125 "still windows" (99 of them copies of one sample) to the calibration and a
    noise level of ~0 (SNRs of 193-232 dB, no event flagged for low SNR). As missing
    samples: 8 still windows of real samples (not calibrated, and the reason says so), and
    SNRs measured against the sensor's real noise."""
    pytest.importorskip("actfast")
    from movement.calibration import calibration_of
    from movement.config import AccelConfig

    rec, _ = _read_quiet(DEV / "actigraph_testfile.gt3x")
    cal = calibration_of(rec.data, rec.fs, rec.channels, AccelConfig())
    (site,) = cal.sites
    assert not site.applied and site.n_windows < 50 and "calibration needs 50" in site.reason
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        events = movement.score(rec)
    assert len(events) and events["snr_db"].max() < 60


def _actfast_edited(monkeypatch: pytest.MonkeyPatch, edit: Any) -> None:
    """actfast.read giving what ``edit(timeseries)`` makes of the acceleration it read."""
    actfast = pytest.importorskip("actfast")
    real = actfast.read

    def edited(path: str) -> dict:
        res = real(path)
        edit(res["timeseries"]["acceleration"])
        return res

    monkeypatch.setattr(actfast, "read", edited)


def test_gt3x_zero_samples_falls_back_or_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def empty(ts: dict) -> None:
        ts["acceleration"] = ts["acceleration"][:0]
        ts["datetime"] = ts["datetime"][:0]

    _actfast_edited(monkeypatch, empty)
    try:
        import pygt3x.reader  # noqa: F401
    except ImportError:
        with pytest.raises(RecordingError, match=r"0 samples.*gt3x-gpl"):
            movement.read(DEV / "actigraph_testfile.gt3x")
    else:
        rec, _ = _read_quiet(DEV / "actigraph_testfile.gt3x")
        assert rec.notes["reader"].startswith("pygt3x")
        assert rec.n_samples == 53_040
        assert rec.fs == 30.0


def test_gt3x_time_jump_too_long_for_a_grid_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """A last timestamp 1e9 s on would have made a grid of 3e10 samples (NaN-filled)."""

    def jump(ts: dict) -> None:
        ts["datetime"] = ts["datetime"].copy()
        ts["datetime"][-1] += 10**18

    _actfast_edited(monkeypatch, jump)
    path = DEV / "actigraph_testfile.gt3x"
    with pytest.raises(RecordingError, match=r"the sample times jump by 1e\+09 s after sample"):
        movement.read(path)


def test_gt3x_pygt3x_agrees_with_actfast(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pygt3x")
    actfast = pytest.importorskip("actfast")
    a, _ = _read_quiet(DEV / "actigraph_testfile.gt3x")

    def fail(path: str) -> dict:
        raise ValueError("simulated failure")

    monkeypatch.setattr(actfast, "read", fail)
    b, _ = _read_quiet(DEV / "actigraph_testfile.gt3x")
    assert b.notes["reader"].startswith("pygt3x")
    assert b.n_samples == a.n_samples
    np.testing.assert_allclose(b.data, a.data, atol=1e-6)


def test_gt3x_corrupt(tmp_path: Path) -> None:
    pytest.importorskip("actfast")
    bad = _truncate(DEV / "actigraph_testfile.gt3x", tmp_path, 1000)
    with pytest.raises(RecordingError) as err:
        movement.read(bad)
    assert "\n" not in str(err.value)


# -- EDF / EDF+ / BDF -------------------------------------------------------------------------


def _write_edf(path: Path, *, bdf: bool = False) -> None:
    edfio = pytest.importorskip("edfio")
    rng = np.random.default_rng(0)
    cls = edfio.BdfSignal if bdf else edfio.EdfSignal
    sigs = [
        cls(
            rng.normal(0, 0.1, 20_000),
            1000,
            label="EMG biceps",
            transducer_type="Ag/AgCl",
            physical_dimension="mV",
            physical_range=(-5, 5),
        ),
        cls(
            rng.normal(0, 0.1, 20_000),
            1000,
            label="EMG triceps",
            physical_dimension="mV",
            physical_range=(-5, 5),
        ),
        cls(
            rng.normal(0, 0.1, 2_000),
            100,
            label="Acc X",
            physical_dimension="g",
            physical_range=(-8, 8),
        ),
    ]
    cls_edf = edfio.Bdf if bdf else edfio.Edf
    edf = cls_edf(
        sigs,
        starttime=datetime(2024, 1, 2, 10, 11, 12).time(),
        recording=edfio.Recording(startdate=datetime(2024, 1, 2).date()),
        annotations=[edfio.EdfAnnotation(1.5, 0.2, "twitch"), edfio.EdfAnnotation(3.0, None, "x")],
    )
    edf.write(path)


@pytest.mark.parametrize("suffix", [".edf", ".bdf"])
def test_edf_channels_units_start_annotations(tmp_path: Path, suffix: str) -> None:
    edfio = pytest.importorskip("edfio")
    if suffix == ".bdf" and not hasattr(edfio, "Bdf"):
        pytest.skip("edfio without BDF support")
    path = tmp_path / f"rec{suffix}"
    _write_edf(path, bdf=suffix == ".bdf")
    rec, _ = _read_quiet(path)
    assert rec.fs == 1000.0
    assert rec.channels == ("EMG biceps", "EMG triceps")
    assert "Acc X (100 Hz)" in rec.notes["dropped_channels"]
    assert rec.modality == "emg"
    assert rec.units == "mV"
    assert rec.duration == pytest.approx(20.0)
    assert rec.start == datetime(2024, 1, 2, 10, 11, 12)
    assert rec.annotations["onset"].tolist() == [1.5, 3.0]
    assert rec.annotations["description"].tolist() == ["twitch", "x"]
    assert rec.data.dtype == np.float64


def test_edf_first_1000_bytes(tmp_path: Path) -> None:
    pytest.importorskip("edfio")
    path = tmp_path / "rec.edf"
    _write_edf(path)
    bad = tmp_path / "short.edf"
    bad.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(RecordingError, match="truncated EDF header"):
        movement.read(bad)


def test_edf_missing_records_is_not_silent(tmp_path: Path) -> None:
    pytest.importorskip("edfio")
    path = tmp_path / "rec.edf"
    _write_edf(path)
    data = path.read_bytes()
    cut = tmp_path / "cut.edf"
    cut.write_bytes(data[: len(data) - 5 * 4200])  # 5 data records of 2 x 1000 + 100 int16
    with pytest.warns(UserWarning, match="truncated"):
        rec = movement.read(cut)
    assert "15 of 20 data records" in rec.notes["truncated"]
    assert rec.duration == pytest.approx(15.0)


@pytest.mark.parametrize("duration", ["0", "-1", "0.0", "abc"])
@pytest.mark.parametrize("how", ["read", "info"])
def test_edf_record_duration_not_positive_is_one_line(
    tmp_path: Path, duration: str, how: str
) -> None:
    """score said 'not a readable EDF file (UnboundLocalError ...)', info 'internal error'."""
    pytest.importorskip("edfio")
    path = tmp_path / "rec.edf"
    _write_edf(path)
    data = bytearray(path.read_bytes())
    data[244:252] = duration.ljust(8).encode()
    bad = tmp_path / "bad.edf"
    bad.write_bytes(bytes(data))
    with pytest.raises(RecordingError) as err:
        movement.read(bad) if how == "read" else info(bad)
    assert str(err.value) == (
        f"{bad}: corrupt EDF header: record duration {duration!r} s is not a positive number"
    )


def test_not_an_edf(tmp_path: Path) -> None:
    bad = tmp_path / "x.edf"
    bad.write_bytes(b"\x00" * 4000)
    with pytest.raises(RecordingError, match="not an EDF"):
        movement.read(bad)


def test_edf_missing_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pytest.importorskip("edfio")
    path = tmp_path / "rec.edf"
    _write_edf(path)
    _block_import(monkeypatch, "edfio")
    with pytest.raises(MissingExtraError, match=r"movement\[edf\]"):
        movement.read(path)


# -- info -------------------------------------------------------------------------------------


def test_info_dict() -> None:
    pytest.importorskip("wfdb")
    d = info(EMGDB / "emg_neuropathy.hea")
    assert d["fs"] == 4000.0
    assert d["n_samples"] == 147_858
    assert d["duration_s"] == pytest.approx(37.0, abs=0.05)
    assert d["channels"] == ["EMG"]
    assert d["modality"] == "emg"
    assert d["units"] == "mV"
    assert d["n_annotations"] == 0
    assert "WFDB" in d["format"]
    json.dumps(d)  # JSON-friendly


def test_info_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pytest.importorskip("wfdb")
    import argparse

    parser = argparse.ArgumentParser()
    cli_configure(parser)
    missing = tmp_path / "nope.edf"
    args = parser.parse_args([str(EMGDB / "emg_healthy.hea"), str(missing)])
    assert cli_run(args) == 1
    out, err = capsys.readouterr()
    assert "4000 Hz" in out and "12.7 s" in out
    assert err.strip().splitlines() == [f"{missing}: no such file"]
    args = parser.parse_args([str(EMGDB / "emg_healthy.hea"), "--json"])
    assert cli_run(args) == 0
    out, _ = capsys.readouterr()
    assert json.loads(out)[0]["n_samples"] == 50_860


def test_info_describes_a_file_without_rate_or_modality(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A plain table with neither rate nor modality (a Myo gesture file) is described, the
    unknowns named with what to give; given them, the description is the full one."""
    import argparse

    myo = REAL / "myo_wrist_gestures" / "12345-1" / "0.txt"
    with pytest.raises(RecordingError, match="unknown sampling rate"):
        movement.read(myo)
    d = info(myo)
    assert d["unresolved"] == ["fs", "modality"]
    assert d["fs"] is None and d["duration_s"] is None
    assert d["modality"] is None and d["units"] is None
    assert d["n_channels"] == 9 and d["n_samples"] > 1000
    assert "fs_from" not in d["notes"] and "modality_from" not in d["notes"]
    json.dumps(d)
    full = info(myo, fs=200.0, modality="emg")
    assert full["unresolved"] == [] and full["modality"] == "emg"
    assert full["duration_s"] == pytest.approx(d["n_samples"] / 200.0)
    assert {
        k: v
        for k, v in full.items()
        if k not in ("fs", "duration_s", "modality", "units", "notes", "unresolved", "missing")
    } == {
        k: v
        for k, v in d.items()
        if k not in ("fs", "duration_s", "modality", "units", "notes", "unresolved", "missing")
    }
    # without a rate, missing samples are counted but not timed
    assert d["missing"] == {"samples": 0, "runs": 0}
    assert full["missing"] == {
        "samples": 0,
        "runs": 0,
        "longest_s": 0.0,
        "pieces": 1,
        "dropouts": 0,
    }
    parser = argparse.ArgumentParser()
    cli_configure(parser)
    assert cli_run(parser.parse_args([str(myo)])) == 0
    out, _ = capsys.readouterr()
    assert "modality    unknown: give --modality accel|emg" in out
    assert "rate        unknown: give --fs HZ" in out and "duration    unknown" in out
    assert (
        cli_run(
            parser.parse_args([str(myo), "--fs", "200", "--modality", "emg", "--channels", "0,1"])
        )
        == 0
    )
    out, _ = capsys.readouterr()
    assert "rate        200 Hz" in out and "channels    2: ch1, ch2" in out
    assert "unknown" not in out.replace("start       unknown", "")


def test_readers_registered() -> None:
    from movement.io import READERS

    for suffix, extra in [
        (".edf", "edf"),
        (".bdf", "edf"),
        (".hea", "wfdb"),
        (".cwa", "devices"),
        (".bin", "devices"),
        (".gt3x", "devices"),
    ]:
        assert READERS[suffix].extra == extra
    assert devices.read_gt3x is READERS[".gt3x"].func


def test_info_from_the_header_equals_the_whole_read(tmp_path: Path, monkeypatch) -> None:
    """.npy, EDF and WFDB are described without reading their samples: the same
    description as from a whole read (annotations included)."""
    pytest.importorskip("edfio")
    import movement.io.info as info_mod

    edf = tmp_path / "rec.edf"
    _write_edf(edf)
    npy = tmp_path / "big.npy"
    np.save(npy, np.random.default_rng(0).normal(0, 0.01, (40_000, 2)))
    (tmp_path / "big.json").write_text(json.dumps({"SamplingFrequency": 2000, "Modality": "emg"}))
    files = [edf, npy]
    if importlib.util.find_spec("wfdb") is not None:
        files.append(EMGDB / "emg_neuropathy.hea")
    for path in files:
        lazy = info(path)
        monkeypatch.setattr(info_mod, "_HEADER_ONLY", set())
        whole = info(path)
        monkeypatch.undo()
        assert lazy == whole, path
    assert info(edf)["n_annotations"] == 2


def test_info_counts_missing_samples(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import pandas as pd

    from movement.cli import main

    rec = movement.read(Path(__file__).parents[1] / "data" / "sim_wrist_accel.csv")
    x = np.array(rec.data)
    x[::7] = np.nan  # 1715 one-sample dropouts
    x[5000:5300] = np.nan  # and a 3 s gap (holding 43 of them)
    t = np.arange(len(x)) / rec.fs
    pd.DataFrame({"time": t, "x": x[:, 0], "y": x[:, 1], "z": x[:, 2]}).to_csv(
        tmp_path / "drop.csv", index=False
    )
    m = info(tmp_path / "drop.csv")["missing"]
    n_drop = len(np.arange(0, len(x), 7)) - len(np.arange(5005, 5300, 7))
    assert m == {
        "samples": int(np.isnan(x[:, 0]).sum()),
        "runs": n_drop + 1,
        "longest_s": 3.0,
        "pieces": 1,
        "dropouts": n_drop,
    }
    assert main(["info", str(tmp_path / "drop.csv")]) == 0
    assert f"{n_drop} dropout(s) short enough to bridge" in capsys.readouterr().out
    assert info(Path(__file__).parents[1] / "data" / "sim_wrist_accel.csv")["missing"] == {
        "samples": 0, "runs": 0, "longest_s": 0.0, "pieces": 1, "dropouts": 0,
    }  # fmt: skip


def test_info_of_a_long_file_counts_its_missing_samples_in_one_pass(
    tmp_path: Path, monkeypatch
) -> None:
    import movement.io.info as info_mod

    x = np.random.default_rng(1).normal(0, 0.01, (200_000, 3))
    x[:, 2] += 1.0
    x[50_000:57_000] = np.nan  # 70 s at 100 Hz: two pieces
    x[90_000:90_003] = np.nan  # a dropout
    x[120_000:120_030, 1] = np.nan  # 0.3 s on one axis: a gap
    np.save(tmp_path / "long.npy", x)
    (tmp_path / "long.json").write_text(json.dumps({"SamplingFrequency": 100, "Modality": "accel"}))
    lazy = info(tmp_path / "long.npy")
    monkeypatch.setattr(info_mod, "_HEADER_ONLY", set())
    whole = info(tmp_path / "long.npy")
    assert lazy == whole
    # a file whose reading warns: the warning once (the pass that counts opens it again)
    np.save(tmp_path / "four.npy", np.random.default_rng(2).normal(0, 0.01, (50_000, 4)))
    whole4 = info(tmp_path / "four.npy", fs=100, modality="accel")
    monkeypatch.undo()
    lazy4 = info(tmp_path / "four.npy", fs=100, modality="accel")
    assert len(lazy4["warnings"]) == 1 and lazy4 == whole4
    assert lazy["missing"] == {
        "samples": 7033, "runs": 3, "longest_s": 70.0, "pieces": 2, "dropouts": 1,
    }  # fmt: skip


def test_info_of_a_long_table_reads_it_in_chunks_and_says_the_same(
    tmp_path: Path, monkeypatch
) -> None:
    """`movement info` read CSV and Parquet tables whole (a 36 h Parquet file: 1.75 GB);
    one that `movement score` would stream is now described in chunks, the same way."""
    import pandas as pd

    import movement.batch as batch

    rec = movement.read(Path(__file__).parents[1] / "data" / "sim_wrist_accel.csv")
    x = np.array(rec.data)
    x[::7] = np.nan
    t = np.arange(len(x)) / rec.fs
    frame = pd.DataFrame({"time": t, "x": x[:, 0], "y": x[:, 1], "z": x[:, 2]})
    frame.to_csv(tmp_path / "long.csv", index=False)
    files = [tmp_path / "long.csv"]
    if importlib.util.find_spec("pyarrow") is not None:
        frame.to_parquet(tmp_path / "long.parquet", index=False)
        files.append(tmp_path / "long.parquet")
    dated = frame.assign(time=pd.Timestamp("2024-01-01") + pd.to_timedelta(t, unit="s"))
    dated.to_csv(tmp_path / "dated.csv", index=False)
    files.append(tmp_path / "dated.csv")
    import movement.stream as stream

    calls = []
    described = stream.described

    def counted(*a, **k):
        calls.append(a)
        return described(*a, **k)

    for path in files:
        whole = info(path)
        monkeypatch.setattr(batch, "STREAM_BYTES", 1)  # as if 256 MiB and more
        monkeypatch.setattr(stream, "described", counted)
        lazy = info(path)
        monkeypatch.undo()
        assert lazy == whole, path
    assert len(calls) == len(files)  # each went through the chunked reader first


def _accel_edf_signals_array(rng: np.random.Generator, n: int) -> np.ndarray:
    """A still wrist's three axes at 100 Hz in g, (n, 3)."""
    return rng.normal(0, 0.01, (n, 3)) + np.array([0.0, 0.0, 1.0])


def _accel_edf_signals(rng: np.random.Generator, n: int) -> list:
    """A still wrist's three axes at 100 Hz in g, as edfio signals."""
    edfio = pytest.importorskip("edfio")
    return [
        edfio.EdfSignal(
            rng.normal(0, 0.01, n) + (1.0 if c == "Z" else 0.0),
            100,
            label=f"Acc{c}",
            physical_dimension="g",
            physical_range=(-8, 8),
        )
        for c in "XYZ"
    ]


def test_edf_signals_of_another_rate_are_chosen_by_name_and_said(tmp_path: Path) -> None:
    """An EDF with EMG at 1000 Hz and an accelerometer at 100 Hz: the accelerometer was
    dropped with a note only, ``channels=["Acc X"]`` said it was not in the file, and
    ``modality="emg"`` on channels in g was scored as EMG."""
    edfio = pytest.importorskip("edfio")
    from movement.errors import RecordingError
    from movement.stream import score_stream

    rng = np.random.default_rng(5)
    emg = [
        edfio.EdfSignal(
            rng.normal(0, 0.05, 60_000),
            1000,
            label=f"EMG{i}",
            physical_dimension="mV",
            physical_range=(-5, 5),
        )
        for i in (1, 2)
    ]
    acc = _accel_edf_signals(rng, 6_000)
    path = tmp_path / "mixed.edf"
    edfio.Edf([*emg, *acc]).write(path)
    with pytest.warns(
        UserWarning,
        match=r"kept 3 signals at 100 Hz; dropped EMG1 \(1000 Hz\), EMG2 \(1000 Hz\).*select the others by name",
    ):
        rec = movement.read(path)
    assert rec.channels == ("AccX", "AccY", "AccZ") and rec.modality == "accel"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (named: nothing left out unsaid)
        emg_rec = movement.read(path, channels=["EMG1", "EMG2"])
    assert emg_rec.fs == 1000.0 and emg_rec.channels == ("EMG1", "EMG2")
    assert emg_rec.modality == "emg" and "AccX (100 Hz)" in emg_rec.notes["dropped_channels"]
    with pytest.raises(RecordingError, match=r"different rates \(EMG1 1000 Hz, AccX 100 Hz\)"):
        movement.read(path, channels=["EMG1", "AccX"])
    with (
        pytest.warns(UserWarning),
        pytest.raises(RecordingError, match="are in g: acceleration, not EMG"),
    ):
        movement.read(path, modality="emg")
    # the stream reads the same channels
    whole = movement.score(emg_rec, stream=False)
    streamed = score_stream(path, channels=["EMG1", "EMG2"], window_s=30)
    assert streamed.attrs["fs"] == 1000.0
    pd.testing.assert_frame_equal(
        whole[["onset", "duration", "trial_type"]].reset_index(drop=True),
        streamed[["onset", "duration", "trial_type"]].reset_index(drop=True),
    )


def _edf_plus_d(tmp_path: Path, x: np.ndarray, gaps: dict[int, float]) -> tuple[Path, Path]:
    """An EDF+C file of ``x`` (100 Hz, g, 1 s records) and its EDF+D copy in which the
    records from ``k`` on start ``gaps[k]`` s later (onsets edited in the bytes)."""
    edfio = pytest.importorskip("edfio")
    sigs = [
        edfio.EdfSignal(
            x[:, i], 100, label=f"Acc{c}", physical_dimension="g", physical_range=(-8, 8)
        )
        for i, c in enumerate("XYZ")
    ]
    cont = tmp_path / "c.edf"
    edfio.Edf(sigs, annotations=[edfio.EdfAnnotation(1.0, None, "start")]).write(cont)
    raw = cont.read_bytes()
    n_rec = len(x) // 100
    shift = np.zeros(n_rec)
    for k, s in gaps.items():
        shift[k:] += s
    for k in range(n_rec - 1, -1, -1):  # (from the end: an edited onset is never met again)
        if shift[k]:
            tal, edit = f"+{k}\x14\x14".encode(), f"+{k + shift[k]:.12g}\x14\x14".encode()
            d = len(edit) - len(tal)  # (into the record's zero padding: the same length)
            tal, edit = tal + b"\x00" * (max(d, 0) + 1), edit + b"\x00" * (max(-d, 0) + 1)
            assert raw.count(tal) == 1
            raw = raw.replace(tal, edit)
    disc = tmp_path / "d.edf"
    disc.write_bytes(raw.replace(b"EDF+C", b"EDF+D", 1))
    return cont, disc


def test_an_edf_plus_d_file_is_put_on_its_clock_with_its_gaps_missing(tmp_path: Path) -> None:
    """An EDF+D file's records were joined end to end (a warning said every onset after a
    gap was early): they are placed at their timekeeping onsets, the gaps NaN."""
    x = _accel_edf_signals_array(np.random.default_rng(0), 7_000)
    cont, disc = _edf_plus_d(tmp_path, x, {60: 30.0})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (restored: nothing to warn of)
        rec = movement.read(disc)
        c = movement.read(cont)
    assert "discontinuous" not in c.notes and c.data.shape == (7_000, 3)
    assert rec.data.shape == (10_000, 3)
    note = rec.notes["discontinuous"]
    assert "1 gap(s) between data records, 30 s in all, restored as missing" in note
    gap = np.isnan(rec.data).all(axis=1)
    assert np.array_equal(np.flatnonzero(gap), np.arange(6_000, 9_000))
    assert not np.isnan(rec.data[~gap]).any()
    np.testing.assert_array_equal(rec.data[:6_000], c.data[:6_000])
    np.testing.assert_array_equal(rec.data[9_000:], c.data[6_000:])
    # the rows read on demand (the stream's reader) are the same, across the gap too
    rows = devices.open_edf(disc).data
    assert len(rows) == 10_000
    for a, b in ((0, 10_000), (5_990, 6_010), (6_100, 6_200), (8_990, 9_010), (9_999, 10_000)):
        np.testing.assert_array_equal(rows[a:b], rec.data[a:b])
    assert rows.select([2])[5_990:9_010].shape == (3_020, 1)


def test_events_of_an_edf_plus_d_file_are_on_its_clock(tmp_path: Path) -> None:
    """Scored whole or streamed, the events after a gap are where the clock puts them,
    and none spans the gap."""
    from movement.simulate import simulate
    from movement.stream import score_stream

    x = simulate("accel", 600, seed=3).recording.data
    cont, disc = _edf_plus_d(tmp_path, x, {300: 45.0})
    cols = ["onset", "duration", "trial_type"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (a short recording: calibration, non-wear notes)
        c = movement.score(movement.read(cont), stream=False)
        d = movement.score(movement.read(disc), stream=False)
        streamed = score_stream(disc, window_s=60)
    pd.testing.assert_frame_equal(
        d[cols].reset_index(drop=True), streamed[cols].reset_index(drop=True)
    )
    assert not ((d.onset < 345.0) & (d.onset + d.duration > 300.0 + 1e-9)).any()
    # events well clear of the gap (and of the filters' reach) are the continuous file's,
    # moved by 45 s after it
    clear_c = c[(c.onset + c.duration < 290) | (c.onset > 310)].copy()
    clear_c.loc[clear_c.onset > 310, "onset"] += 45.0
    clear_d = d[(d.onset + d.duration < 290) | (d.onset > 355)]
    assert len(clear_c) >= 30
    pd.testing.assert_frame_equal(
        clear_c[cols].reset_index(drop=True), clear_d[cols].reset_index(drop=True), atol=0.011
    )


def test_an_edf_plus_d_file_with_unusable_onsets_is_joined_with_a_warning(tmp_path: Path) -> None:
    """Records that overlap or go back in time, or gaps that would make the clock far
    longer than the data, are not restored: joined as before, with a warning."""
    x = _accel_edf_signals_array(np.random.default_rng(1), 7_000)
    _, back = _edf_plus_d(tmp_path, x, {60: -0.5})
    with pytest.warns(UserWarning, match="EDF\\+D .*overlap or go back in time.*early by its"):
        rec = movement.read(back)
    assert rec.data.shape == (7_000, 3) and "not restored" in rec.notes["discontinuous"]
    far = tmp_path / "far"
    far.mkdir()
    _, disc = _edf_plus_d(far, x, {60: 1e7})
    with pytest.warns(UserWarning, match="record onsets span .* for 70 s of data"):
        assert movement.read(disc).data.shape == (7_000, 3)


def test_edf_runs_on_onsets_off_the_sample_grid() -> None:
    """Onsets between samples are rounded to the grid and the rounding is said."""
    runs, n, off = devices._edf_runs(np.array([0.0, 1.0, 2.504, 3.504]), 100, 100.0)
    assert runs.tolist() == [[0, 0, 200], [250, 200, 200]] and n == 450
    assert off == pytest.approx(0.4, abs=1e-9)
    assert "overlap" in devices._edf_runs(np.array([0.0, 0.5]), 100, 100.0)
