"""``movement.io.convert`` / ``movement convert``: a recording read once, kept as ``.npy`` + sidecar.

The contract: ``movement.read`` of the converted file gives the same rate, modality,
channels, units, start, annotations and (float64) bit-identical data as of the original,
and ``movement score`` gives the same events; outputs are never half written nor
silently replaced.
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import DATA_DIR, find_real

import movement
from movement.cli import main
from movement.errors import MovementError, RecordingError
from movement.io import conversion, convert, is_recording_file
from movement.io.conversion import up_to_date


def _read(path: Path, **kw) -> movement.Recording:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return movement.read(path, **kw)


def _assert_same(a: movement.Recording, b: movement.Recording, exact: bool = True) -> None:
    assert b.fs == a.fs
    assert b.modality == a.modality
    assert b.channels == a.channels
    assert b.units == a.units
    assert b.start == a.start
    assert b.data.shape == a.data.shape
    if exact:
        assert b.data.dtype == a.data.dtype
        assert np.array_equal(a.data, b.data, equal_nan=True)
    if a.annotations is None or not len(a.annotations):
        assert b.annotations is None or not len(b.annotations)
    else:
        pd.testing.assert_frame_equal(
            a.annotations.reset_index(drop=True)[["onset", "duration", "description"]],
            b.annotations.reset_index(drop=True)[["onset", "duration", "description"]],
        )


@pytest.mark.parametrize("name", ["sim_wrist_accel.csv", "sim_forearm_emg.npy"])
def test_round_trip_sample_data(tmp_path: Path, name: str) -> None:
    src = DATA_DIR / name
    npy = convert(src, tmp_path)
    assert npy == tmp_path / (name.split(".")[0] + ".npy")
    a, b = _read(src), _read(npy)
    _assert_same(a, b)
    side = json.loads((tmp_path / (name.split(".")[0] + ".json")).read_text())
    assert side["Conversion"]["SourceFile"] == name
    assert side["Conversion"]["Version"] == movement.__version__
    assert side["Conversion"]["ReaderNotes"]["fs_from"] == "sidecar"
    assert "Simulation" in side  # the input sidecar's other keys travel along
    assert "converted from " + name in b.notes["converted"]
    assert "fs_from: sidecar" in b.notes["source_notes"]
    # memory-mapped, so it streams
    assert isinstance(np.load(npy, mmap_mode="r"), np.memmap)


def test_round_trip_units_channels_and_time_column(tmp_path: Path) -> None:
    """m/s² converted to g, a label column dropped, a time column with a start timestamp."""
    n = 1000
    t = pd.date_range("2024-03-01 08:00:00.25", periods=n, freq="20ms")
    rng = np.random.default_rng(3)
    xyz = rng.normal(0, 0.3, (n, 3)) + [0, 0, 9.80665]
    df = pd.DataFrame({"time": t.strftime("%Y-%m-%d %H:%M:%S.%f"), "ax": xyz[:, 0]})
    df["ay"], df["az"], df["label"] = xyz[:, 1], xyz[:, 2], rng.integers(0, 3, n)
    src = tmp_path / "in" / "wrist.csv"
    src.parent.mkdir()
    df.to_csv(src, index=False)
    kw = {"channels": ["ax", "ay", "az"], "modality": "accel"}
    npy = convert(src, tmp_path / "out" / "w.npy", **kw)
    a, b = _read(src, **kw), _read(npy)
    _assert_same(a, b)
    assert b.start == datetime(2024, 3, 1, 8, 0, 0, 250000)
    assert b.fs == a.fs == pytest.approx(50.0)
    assert "converted to g" in b.notes["source_notes"]
    side = json.loads((tmp_path / "out" / "w.json").read_text())
    assert side["Conversion"]["Options"] == {"modality": "accel", "channels": ["ax", "ay", "az"]}
    assert "Channels" not in side  # the selection is already applied


def _write_edf(path: Path) -> None:
    edfio = pytest.importorskip("edfio")
    rng = np.random.default_rng(0)
    sigs = [
        edfio.EdfSignal(
            rng.normal(0, 0.1, 20_000),
            1000,
            label=f"EMG {m}",
            physical_dimension="mV",
            physical_range=(-5, 5),
        )
        for m in ("biceps", "triceps")
    ]
    edf = edfio.Edf(
        sigs,
        starttime=datetime(2024, 1, 2, 10, 11, 12).time(),
        recording=edfio.Recording(startdate=datetime(2024, 1, 2).date()),
        annotations=[
            edfio.EdfAnnotation(1.5, 0.2, "twitch"),
            edfio.EdfAnnotation(3.0, None, "x\ty"),
            edfio.EdfAnnotation(12.125, 2.0, "1"),
        ],
    )
    edf.write(path)


def test_round_trip_edf_with_annotations(tmp_path: Path) -> None:
    src = tmp_path / "rec.edf"
    _write_edf(src)
    npy = convert(src, tmp_path / "cache")
    ann = tmp_path / "cache" / "rec_annotations.tsv"
    assert ann.exists()
    a, b = _read(src), _read(npy)
    _assert_same(a, b)
    assert b.annotations["description"].tolist() == ["twitch", "x\ty", "1"]
    assert b.start == datetime(2024, 1, 2, 10, 11, 12)
    assert b.units == "mV" and b.modality == "emg"
    assert "rec_annotations.tsv" in b.notes["annotations"]
    # a folder of converted files: the annotations table is not a recording
    assert not is_recording_file(ann)
    assert movement.io.find_recordings([tmp_path / "cache"]) == [npy]


def test_score_of_converted_file_gives_same_events(tmp_path: Path) -> None:
    src = DATA_DIR / "sim_wrist_accel.csv"
    assert main(["convert", str(src), "--out", str(tmp_path / "cache"), "-q"]) == 0
    npy = tmp_path / "cache" / "sim_wrist_accel.npy"
    assert main(["score", str(src), "--out", str(tmp_path / "a"), "-q"]) == 0
    assert main(["score", str(npy), "--out", str(tmp_path / "b"), "-q"]) == 0
    ev_a = (tmp_path / "a" / "sim_wrist_accel_events.tsv").read_text()
    ev_b = (tmp_path / "b" / "sim_wrist_accel_events.tsv").read_text()
    assert len(ev_a.splitlines()) > 2
    assert ev_a == ev_b


def test_streamed_converted_file_resolves_the_same(tmp_path: Path) -> None:
    """The windowed scorer reads the sidecar too: same rate, modality, units, events."""
    from movement.stream import score_stream

    src = DATA_DIR / "sim_wrist_accel.csv"
    npy = convert(src, tmp_path)
    whole = movement.score(_read(src), model="rules")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        streamed = score_stream(npy, model="rules", window_s=60.0)
    assert streamed.attrs["fs"] == whole.attrs["fs"]
    assert streamed.attrs["modality"] == whole.attrs["modality"]
    cols = ["onset", "duration", "trial_type", "channel"]
    pd.testing.assert_frame_equal(
        whole[cols].reset_index(drop=True), streamed[cols].reset_index(drop=True)
    )
    assert tuple(streamed.attrs["channels"]) == ("x", "y", "z")  # the sidecar's ColumnNames
    # a channel selection by name works on the streamed .npy too
    sel = score_stream(npy, model="rules", window_s=60.0, channels=["z", "x"])
    assert tuple(sel.attrs["channels"]) == ("z", "x")


def test_float32_halves_the_size(tmp_path: Path) -> None:
    src = DATA_DIR / "sim_forearm_emg.npy"
    n64 = convert(src, tmp_path / "a")
    n32 = convert(src, tmp_path / "b", dtype="float32")
    assert n32.stat().st_size < 0.51 * n64.stat().st_size
    a, b = _read(src), _read(n32)
    _assert_same(a, b, exact=False)
    assert b.data.dtype == np.float32
    np.testing.assert_allclose(b.data, a.data, rtol=1e-6, atol=1e-9)
    with pytest.raises(MovementError, match="dtype"):
        convert(src, tmp_path / "c", dtype="int16")


def test_refuses_to_overwrite(tmp_path: Path) -> None:
    src = DATA_DIR / "sim_wrist_accel.csv"
    npy = convert(src, tmp_path)
    before = npy.stat().st_mtime_ns
    # the same file, the same options: up to date, kept as it is
    assert up_to_date(src, npy) and convert(src, tmp_path) == npy
    assert npy.stat().st_mtime_ns == before
    # other options (or another source) write to the same name: refused
    assert not up_to_date(src, npy, dtype="float32")
    with pytest.raises(RecordingError, match="output exists"):
        convert(src, tmp_path, dtype="float32")
    assert npy.stat().st_mtime_ns == before
    # a changed source (new modification time) is not up to date
    copy = tmp_path / "in" / src.name
    copy.parent.mkdir()
    copy.write_bytes(src.read_bytes())
    shutil.copy(DATA_DIR / "sim_wrist_accel.json", copy.parent)
    out2 = convert(copy, tmp_path / "o2")
    os.utime(copy, ns=(copy.stat().st_atime_ns, copy.stat().st_mtime_ns + 10**9))
    assert not up_to_date(copy, out2)
    with pytest.raises(RecordingError, match="output exists"):
        convert(copy, tmp_path / "o2")
    # a sidecar alone (from an earlier run) is an existing output too
    npy.unlink()
    with pytest.raises(RecordingError, match="sim_wrist_accel.json"):
        convert(src, tmp_path)
    assert convert(src, tmp_path, overwrite=True) == npy
    _assert_same(_read(src), _read(npy))


def test_never_replaces_the_input_or_its_sidecar(tmp_path: Path) -> None:
    for name in ("sim_wrist_accel.csv", "sim_wrist_accel.json"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    side = (tmp_path / "sim_wrist_accel.json").read_text()
    with pytest.raises(RecordingError, match="would replace the input"):
        convert(tmp_path / "sim_wrist_accel.csv", tmp_path, overwrite=True)
    assert (tmp_path / "sim_wrist_accel.json").read_text() == side
    assert not (tmp_path / "sim_wrist_accel.npy").exists()
    npy = tmp_path / "x.npy"
    np.save(npy, np.zeros((1000, 3)))
    with pytest.raises(RecordingError, match="would replace the input"):
        convert(npy, npy, fs=100, overwrite=True)


def test_cli_overwrite_and_force(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    src = str(DATA_DIR / "sim_wrist_accel.csv")
    out = str(tmp_path / "one.npy")
    assert main(["convert", src, "-o", out]) == 0
    assert "ok     " in capsys.readouterr().out
    # a re-run skips what is up to date
    assert main(["convert", src, "-o", out]) == 0
    assert "is up to date" in capsys.readouterr().out
    # with other options the existing output is refused, --force replaces it
    assert main(["convert", src, "-o", out, "--dtype", "float32"]) == 1
    err = capsys.readouterr().err
    assert "output exists" in err and "--force" in err
    assert main(["convert", src, "-o", out, "--force"]) == 0
    assert _read(Path(out)).channels == ("x", "y", "z")
    # one .npy for two inputs is a usage error
    two = [src, str(DATA_DIR / "sim_forearm_emg.npy")]
    assert main(["convert", *two, "-o", str(tmp_path / "x.npy")]) == 2
    assert "give a folder" in capsys.readouterr().err


def test_cli_bad_file_one_line_and_batch_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "bad.csv").write_text("x,y,z\n0.1,0.2,oops\n0.1,0.2,0.9\n")
    (inp / "short.csv").write_text("x,y,z\n0,0,1\n0,0,1\n")
    shutil.copy(DATA_DIR / "sim_wrist_accel.csv", inp / "good.csv")
    shutil.copy(DATA_DIR / "sim_wrist_accel.json", inp / "good.json")
    out = tmp_path / "out"
    assert main(["convert", str(inp), "--out", str(out)]) == 1
    captured = capsys.readouterr()
    errors = [ln for ln in captured.err.splitlines() if ln.startswith("error")]
    assert len(errors) == 2
    assert any("bad.csv" in ln and "non-numeric value 'oops'" in ln for ln in errors)
    assert "Traceback" not in captured.err
    assert "1 of 3 recordings converted; 2 failed" in captured.err
    assert sorted(p.name for p in out.iterdir()) == ["good.json", "good.npy"]
    with pytest.raises(RecordingError, match="bad.csv"):
        main(["--debug", "convert", str(inp / "bad.csv"), "--out", str(out)])


def test_cli_same_stem_in_two_folders_gets_the_names_score_gives(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """Per-subject folders with the same file names (a/rec.csv, b/rec.csv) once failed to
    convert into one folder; now they get the names `movement score` gives them, and the
    converted folder scores to the same events under the same names."""
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        shutil.copy(DATA_DIR / "sim_wrist_accel.csv", tmp_path / sub / "rec.csv")
    args = [str(tmp_path / "a" / "rec.csv"), str(tmp_path / "b" / "rec.csv"), "--fs", "100"]
    assert main(["convert", *args, "--out", str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / "out").glob("*.npy")) == ["a_rec.npy", "b_rec.npy"]
    assert main(["convert", *args, "--out", str(tmp_path / "out")]) == 0  # up to date
    assert capsys.readouterr().out.count("is up to date") == 2
    assert main(["score", *args, "--modality", "accel", "--out", str(tmp_path / "s1"), "-q"]) == 0
    assert main(["score", str(tmp_path / "out"), "--out", str(tmp_path / "s2"), "-q"]) == 0
    for stem in ("a_rec", "b_rec"):
        a = pd.read_csv(tmp_path / "s1" / f"{stem}_events.tsv", sep="\t")
        b = pd.read_csv(tmp_path / "s2" / f"{stem}_events.tsv", sep="\t")
        pd.testing.assert_frame_equal(a, b)


def test_no_partial_output_when_writing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = DATA_DIR / "sim_wrist_accel.csv"
    real_write = conversion._write_npy

    def half_then_fail(target: Path, data: np.ndarray, dtype: str) -> None:
        real_write(target, data[: len(data) // 2], dtype)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(conversion, "_write_npy", half_then_fail)
    with pytest.raises(OSError, match="No space"):
        convert(src, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []

    # the sidecar failing leaves no .npy either (and an earlier good output untouched)
    monkeypatch.setattr(conversion, "_write_npy", real_write)
    npy = convert(src, tmp_path / "out")
    before = npy.read_bytes()

    def fail_text(target: Path, text: str) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(conversion, "_write_text", fail_text)
    with pytest.raises(OSError):
        convert(src, tmp_path / "out", overwrite=True)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "sim_wrist_accel.json",
        "sim_wrist_accel.npy",
    ]
    assert npy.read_bytes() == before


def test_cli_unexpected_error_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    def fail(target: Path, data: np.ndarray, dtype: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(conversion, "_write_npy", fail)
    src = str(DATA_DIR / "sim_wrist_accel.csv")
    assert main(["convert", src, "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "error  " in err and "No space left on device" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_column_names_must_match(tmp_path: Path) -> None:
    npy = tmp_path / "r.npy"
    np.save(npy, np.zeros((1000, 3)))
    (tmp_path / "r.json").write_text(
        json.dumps({"SamplingFrequency": 100, "Modality": "accel", "ColumnNames": ["a", "b"]})
    )
    with pytest.raises(RecordingError, match="2 ColumnNames for 3 columns"):
        movement.read(npy)


def test_bad_annotations_table_is_one_line(tmp_path: Path) -> None:
    src = DATA_DIR / "sim_wrist_accel.csv"
    npy = convert(src, tmp_path)
    (tmp_path / "sim_wrist_accel_annotations.tsv").write_text("onset\tdescription\n1\tx\n")
    with pytest.raises(RecordingError, match="no duration column"):
        movement.read(npy)


@pytest.mark.parametrize("name", ["ax3_testfile.cwa", "ax6_testfile.cwa", "GENEActiv_testfile.bin"])
def test_real_device_file_round_trip(tmp_path: Path, name: str) -> None:
    pytest.importorskip("actfast")
    src = find_real(f"wearable_device_files/{name}")
    if src is None:
        pytest.skip(f"{name} not available (tests/data/real or ../shared)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the truncated GENEActiv excerpt warns
        npy = convert(src, tmp_path)
    a = _read(src)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        b = movement.read(npy)
    _assert_same(a, b)
    assert a.start is not None
    assert b.notes["source_notes"].startswith(
        "; ".join(f"{k}: {v}" for k, v in a.notes.items())[:40]
    )
    if "truncated" in a.notes:  # the truncation warning survives the conversion
        assert any("truncated" in str(w.message) and name in str(w.message) for w in caught)
        assert b.notes["truncated"] == a.notes["truncated"]


def test_cli_rerun_with_cache_inside_the_input_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """Outputs of an earlier run found by the folder search are skipped, not converted onto themselves."""
    shutil.copy(DATA_DIR / "sim_wrist_accel.csv", tmp_path / "w.csv")
    shutil.copy(DATA_DIR / "sim_wrist_accel.json", tmp_path / "w.json")
    cache = tmp_path / "cache"
    assert main(["convert", str(tmp_path), "--out", str(cache)]) == 0
    capsys.readouterr()
    assert main(["convert", str(tmp_path), "--out", str(cache), "--force"]) == 0
    out = capsys.readouterr()
    assert "skip   " in out.out and "1 of 1 recordings converted (1 skipped)" in out.err
