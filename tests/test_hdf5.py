"""MATLAB ``.mat`` (v4-v7.2 with scipy, v7.3 with h5py) and HDF5 (``.h5``) readers.

Round trips compare to the written array exactly; HDF5 files read lazily (``H5Rows``)
stream window by window with the same events as the same data as ``.npy``.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.io

import movement
from movement.errors import MissingExtraError, RecordingError
from movement.io import find_recordings, is_recording_file
from movement.simulate import simulate

#: the fixed text header MATLAB writes in the 512-byte user block of a v7.3 file
_MAT73_HEADER = (
    (
        b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Thu Nov 26 12:00:00 2026 "
        b"HDF5 schema 1.00 ."
    ).ljust(116, b" ")
    + b"\x00" * 8
    + b"\x00\x02IM"
)


def write_mat73(path: Path, variables: dict) -> Path:
    """A file laid out as MATLAB's ``save -v7.3``: a 512-byte user block with MATLAB's
    header, then HDF5 with every array stored transposed (column-major), ``MATLAB_class``
    attributes, char as uint16 codes and a cellstr as references into ``#refs#``."""
    h5py = pytest.importorskip("h5py")
    with h5py.File(path, "w", userblock_size=512) as f:
        refs = f.create_group("#refs#")

        def char(name: str, text: str | list[str], where) -> object:
            rows = [text] if isinstance(text, str) else text  # a char matrix: one row each
            width = max(len(r) for r in rows)
            codes = np.array([[ord(c) for c in r.ljust(width)] for r in rows], np.uint16)
            d = where.create_dataset(name, data=codes.T)  # (chars, rows): transposed
            d.attrs["MATLAB_class"] = np.bytes_("char")
            d.attrs["MATLAB_int_decode"] = np.int32(2)
            return d

        for name, value in variables.items():
            if isinstance(value, str) or (isinstance(value, tuple)):  # char (matrix)
                char(name, list(value) if isinstance(value, tuple) else value, f)
            elif isinstance(value, list):  # cellstr, 1 x k
                rs = [char(f"{name}{i}", t, refs).ref for i, t in enumerate(value)]
                d = f.create_dataset(name, data=np.array([[r] for r in rs], dtype=h5py.ref_dtype))
                d.attrs["MATLAB_class"] = np.bytes_("cell")
            else:
                arr = np.asarray(value)
                cls = {"f8": "double", "f4": "single", "i2": "int16", "i8": "int64"}[
                    arr.dtype.str[1:]
                ]
                arr = arr.reshape(1, 1) if arr.ndim == 0 else arr
                d = f.create_dataset(name, data=arr.T)  # MATLAB's column-major layout
                d.attrs["MATLAB_class"] = np.bytes_(cls)
    with open(path, "r+b") as fh:
        fh.write(_MAT73_HEADER)
    return path


@pytest.fixture
def x() -> np.ndarray:
    """A still tri-axial accelerometer with noise: 40 s at 50 Hz, (2000, 3), in g."""
    rng = np.random.default_rng(7)
    out = rng.normal(0, 0.01, (2000, 3))
    out[:, 2] += 1.0
    return out


# -- MATLAB v4-v7.2 (scipy) -----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["5", "4"])
@pytest.mark.parametrize("transposed", [False, True])
def test_mat_round_trip(tmp_path: Path, x: np.ndarray, fmt: str, transposed: bool) -> None:
    p = tmp_path / "rec.mat"
    names = np.array(["acc x", "acc y", "acc z"])  # a char matrix
    data = x.T if transposed else x
    scipy.io.savemat(p, {"data": data, "fs": 50.0, "channels": names}, format=fmt)
    rec = movement.read(p)
    assert np.array_equal(rec.data, x)  # samples are the longer axis, either way
    assert (
        rec.fs == 50.0 and rec.channels == ("acc x", "acc y", "acc z") and rec.modality == "accel"
    )
    assert ("transposed" in rec.notes["signal"]) == transposed


def test_mat_cellstr_struct_and_other_rate_names(tmp_path: Path, x: np.ndarray) -> None:
    p = tmp_path / "rec.mat"
    chans = np.array(["flexor", "extensor", "biceps"], dtype=object)  # a cellstr
    scipy.io.savemat(
        p,
        {"rec": {"sig": x, "SamplingRate": 500, "channels": chans, "modality": "emg",
                 "units": "mV"}, "subject": "s01"},
    )  # fmt: skip
    rec = movement.read(p)
    assert np.array_equal(rec.data, x)
    assert rec.fs == 500.0 and rec.modality == "emg" and rec.units == "mV"
    assert rec.channels == ("flexor", "extensor", "biceps")
    assert "'SamplingRate' in 'rec'" in rec.notes["fs"]
    # a struct named data: the one numeric matrix inside it
    scipy.io.savemat(p, {"data": {"emg": x, "fs": 500, "modality": "emg"}})
    rec = movement.read(p)
    assert np.array_equal(rec.data, x) and rec.fs == 500.0 and "'data/emg'" in rec.notes["signal"]
    for name in ("Fs", "srate", "sfreq", "sampling_rate"):
        scipy.io.savemat(p, {"data": x[:, 0], name: 50})  # one channel, a 1-D data
        rec = movement.read(p, modality="emg")
        assert rec.fs == 50.0 and np.array_equal(rec.data[:, 0], x[:, 0])


def test_mat_time_and_missing_rate(tmp_path: Path, x: np.ndarray) -> None:
    p = tmp_path / "rec.mat"
    scipy.io.savemat(p, {"data": x, "time": 10 + np.arange(len(x)) / 50.0, "modality": "accel"})
    rec = movement.read(p)
    assert rec.fs == pytest.approx(50.0) and rec.notes["fs_from"] == "time column"
    scipy.io.savemat(p, {"data": x, "modality": "accel"})
    with pytest.raises(RecordingError, match="unknown sampling rate: give fs= \\(--fs"):
        movement.read(p)
    assert movement.read(p, fs=50).fs == 50.0


def test_mat_without_h5py(tmp_path: Path, x: np.ndarray, monkeypatch) -> None:
    """v4-v7.2 need no h5py; v7.3 names the extra to install."""
    v73 = write_mat73(tmp_path / "new.mat", {"data": x, "fs": 50.0})
    v5 = tmp_path / "old.mat"
    scipy.io.savemat(v5, {"data": x, "fs": 50.0, "modality": "accel"})
    h5 = _h5(tmp_path / "rec.h5", data=x, fs=50.0)
    monkeypatch.setitem(sys.modules, "h5py", None)
    assert np.array_equal(movement.read(v5).data, x)
    with pytest.raises(MissingExtraError, match=r"pip install 'movement\[hdf5\]'"):
        movement.read(v73)
    with pytest.raises(MissingExtraError, match="MATLAB v7.3 files"):
        movement.read(v73)
    with pytest.raises(MissingExtraError, match="HDF5 files"):
        movement.read(h5)
    (tmp_path / "bad.h5").write_bytes(b"not HDF5 at all" * 50)  # told apart without h5py
    with pytest.raises(RecordingError, match="not an HDF5 file"):
        movement.read(tmp_path / "bad.h5")


# -- MATLAB v7.3 and HDF5 (h5py) ----------------------------------------------------------------


def test_mat73_round_trip(tmp_path: Path, x: np.ndarray) -> None:
    p = write_mat73(
        tmp_path / "rec.mat",
        {"data": x, "fs": 50.0, "channels": ["acc x", "acc y", "acc z"], "modality": "accel",
         "units": "g"},
    )  # fmt: skip
    with pytest.raises(NotImplementedError):  # (the layout is MATLAB's: scipy declines it)
        scipy.io.loadmat(p)
    rec = movement.read(p)
    assert np.array_equal(rec.data, x)
    assert rec.fs == 50.0 and rec.channels == ("acc x", "acc y", "acc z") and rec.units == "g"
    assert "transposed" in rec.notes["signal"]  # stored (3, 2000) in HDF5
    # a char matrix of names and int16 data
    ints = np.round(x * 1000).astype(np.int16)
    p2 = write_mat73(
        tmp_path / "ints.mat", {"data": ints, "Fs": 50, "channels": ("x1", "y1", "z1")}
    )
    rec2 = movement.read(p2, units="mg")
    assert rec2.channels == ("x1", "y1", "z1")
    np.testing.assert_array_equal(rec2.data, ints * 1e-3)  # mg -> g, as for any file


@pytest.mark.parametrize("samples_first", [True, False])
@pytest.mark.parametrize("fs_where", ["dataset", "data attribute", "file attribute"])
def test_h5_round_trip(tmp_path: Path, x: np.ndarray, samples_first: bool, fs_where: str) -> None:
    h5py = pytest.importorskip("h5py")
    p = tmp_path / "rec.h5"
    with h5py.File(p, "w") as f:
        ds = f.create_dataset("data", data=(x if samples_first else x.T).astype(np.float32))
        if fs_where == "dataset":
            f["fs"] = 50.0
            f["channels"] = ["acc x", "acc y", "acc z"]  # str
        elif fs_where == "data attribute":
            ds.attrs["sfreq"] = 50
            ds.attrs["channels"] = [b"acc x", b"acc y", b"acc z"]  # bytes
        else:
            f.attrs["sampling_rate"] = 50.0
            f.attrs["channels"] = np.array(["acc x", "acc y", "acc z"], dtype=h5py.string_dtype())
    rec = movement.read(p)
    assert np.array_equal(rec.data, x.astype(np.float32).astype(np.float64))
    assert rec.fs == 50.0 and rec.channels == ("acc x", "acc y", "acc z")
    assert rec.modality == "accel"


def test_unreadable_optional_text_is_a_warning(tmp_path: Path, x: np.ndarray) -> None:
    """MATLAB ``string`` objects (opaque in v7.3) as channel names: ignored with a warning."""
    h5py = pytest.importorskip("h5py")
    p = write_mat73(tmp_path / "rec.mat", {"data": x, "fs": 50.0, "modality": "accel"})
    with h5py.File(p, "r+") as f:
        d = f.create_dataset("channels", data=np.zeros((6, 1), np.uint32))
        d.attrs["MATLAB_class"] = np.bytes_("string")
    with pytest.warns(UserWarning, match="'channels' not read \\(MATLAB string values"):
        rec = movement.read(p)
    assert rec.channels == ("ch1", "ch2", "ch3") and np.array_equal(rec.data, x)
    assert "ignored" in rec.notes["channels"]


def test_h5_group_and_single_matrix(tmp_path: Path, x: np.ndarray) -> None:
    h5py = pytest.importorskip("h5py")
    p = tmp_path / "rec.hdf5"
    with h5py.File(p, "w") as f:
        g = f.create_group("session1")
        g["emg"] = x
        g.attrs["srate"] = 500
        g["modality"] = np.bytes_("EMG")
        f["notes"] = "a text data set"
    rec = movement.read(p)
    assert np.array_equal(rec.data, x) and rec.fs == 500.0 and rec.modality == "emg"
    assert "session1/emg" in rec.notes["signal"]


def test_h5_rows_slices_equal_the_whole_read(tmp_path: Path, x: np.ndarray) -> None:
    h5py = pytest.importorskip("h5py")
    from movement.io.hdf5 import H5Rows, open_hdf5

    for layout, arr in (("rows", x), ("columns", x.T)):
        p = tmp_path / f"{layout}.h5"
        with h5py.File(p, "w") as f:
            f.create_dataset("data", data=arr, chunks=(3, 256) if layout == "columns" else None)
            f["fs"] = 50.0
            f["modality"] = "accel"
        rows = open_hdf5(p).data
        assert isinstance(rows, H5Rows) and rows.shape == (2000, 3)
        whole = movement.read(p).data
        parts = np.concatenate([rows[0:777], rows[777:1500], rows[1500:]])
        assert np.array_equal(parts, whole) and parts.flags.c_contiguous
        sub = rows.select([2, 0])
        assert sub.shape == (2000, 2)
        assert np.array_equal(sub[100:900], whole[100:900][:, [2, 0]])
        assert rows[5:5].shape == (0, 3)
        with pytest.raises(TypeError):
            rows[::2]
        rows.close()
        assert np.array_equal(rows[10:20], whole[10:20])  # opened again


# -- streaming --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def accel_sim():
    return simulate("accel", 1500, seed=3)


def _assert_same_events(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert len(a) == len(b)
    assert list(a["trial_type"]) == list(b["trial_type"])
    np.testing.assert_array_equal(a["onset"].to_numpy(), b["onset"].to_numpy())
    np.testing.assert_array_equal(a["duration"].to_numpy(), b["duration"].to_numpy())
    np.testing.assert_allclose(a["probability"], b["probability"], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", ["h5", "mat73"])
def test_hdf5_streams_as_the_same_npy(tmp_path: Path, accel_sim, kind: str) -> None:
    """Windows read from the HDF5 file (a hyperslab each) give the events of the same
    data as a memory-mapped ``.npy``, with one thread or two."""
    h5py = pytest.importorskip("h5py")
    import movement.stream as stream
    from movement.io.hdf5 import H5Rows
    from movement.stream import header_of, score_stream

    data = accel_sim.recording.data
    npy = tmp_path / "rec.npy"
    np.save(npy, data)
    (tmp_path / "rec.json").write_text(json.dumps({"SamplingFrequency": 100, "Modality": "accel"}))
    if kind == "h5":
        p = tmp_path / "other.h5"
        with h5py.File(p, "w") as f:
            f.create_dataset("data", data=data.T, chunks=(3, 4096), compression="gzip")
            f["data"].attrs["fs"] = 100.0
            f.attrs["modality"] = "accel"
    else:
        p = write_mat73(tmp_path / "other.mat", {"data": data, "fs": 100.0, "modality": "accel"})
    ref = score_stream(npy, window_s=450)
    assert ref.attrs["stream"]["windows"] == 3 and len(ref) >= 5
    src = stream._open(p, fs=None, modality=None, channels=None, chunk_rows=1000)
    assert isinstance(src.arr, H5Rows)  # rows read per window, not the whole file
    for threads in (1, 2):
        got = score_stream(p, window_s=450, threads=threads)
        assert got.attrs["stream"]["windows"] == 3
        _assert_same_events(ref, got)
    head, _ = header_of(p)
    assert head.n_samples == len(data) and head.fs == 100.0 and head.modality == "accel"
    span = movement.read(p, start_s=600, stop_s=610)
    assert np.array_equal(span.data, data[60000:61000])
    from movement.batch import _decoded_bytes

    assert _decoded_bytes(p) == 8 * data.size  # from the shape, not the (compressed) size


def test_hdf5_with_a_time_data_set_is_read_whole(tmp_path: Path, x: np.ndarray) -> None:
    h5py = pytest.importorskip("h5py")
    import movement.stream as stream
    from movement.io.hdf5 import H5Rows
    from movement.stream import score_stream, streams_faster

    p = tmp_path / "timed.h5"
    with h5py.File(p, "w") as f:
        f["data"] = x
        f["time"] = np.arange(len(x)) / 50.0
        f["channels"] = ["x", "y", "z"]
    rec = movement.read(p)
    assert rec.fs == pytest.approx(50.0) and rec.notes["fs_from"] == "time column"
    src = stream._open(p, fs=None, modality=None, channels=None, chunk_rows=1000)
    assert isinstance(src.arr, np.ndarray) and "read whole" in src.meta.notes["stream"]
    assert not streams_faster(p)
    assert len(score_stream(p, model="rules")) == len(movement.score(rec, model="rules"))
    # with the rate given too, the file is read whole: its times place the samples
    src = stream._open(p, fs=50, modality=None, channels=None, chunk_rows=1000)
    assert isinstance(src.arr, np.ndarray) and src.meta.fs == 50.0
    with h5py.File(tmp_path / "untimed.h5", "w") as f:
        f["data"] = x
        f["fs"] = 50.0
    src = stream._open(tmp_path / "untimed.h5", fs=None, modality="accel", channels=None,
                       chunk_rows=1000)  # fmt: skip
    assert isinstance(src.arr, H5Rows) and src.meta.fs == 50.0


def test_streams_faster_and_decoded_bytes_for_old_mat(tmp_path: Path, x: np.ndarray) -> None:
    from movement.batch import _decoded_bytes
    from movement.stream import streams_faster

    p = tmp_path / "old.mat"
    scipy.io.savemat(p, {"data": x, "fs": 50.0})
    assert _decoded_bytes(p) == 0 and not streams_faster(p)  # v4-v7.2: read whole


def test_info_of_hdf5_from_the_header_equals_the_whole_read(
    tmp_path: Path, x: np.ndarray, monkeypatch
) -> None:
    h5py = pytest.importorskip("h5py")
    import movement.io.info as info_mod
    from movement.io.info import info

    p = tmp_path / "rec.h5"
    with h5py.File(p, "w") as f:
        f["data"] = x.T
        f.attrs["fs"] = 50.0
        f["units"] = "g"
        f["channels"] = ["x", "y", "z"]
    v73 = write_mat73(tmp_path / "rec73.mat", {"data": x, "fs": 50.0, "modality": "accel"})
    import movement.stream as stream

    calls: list[Path] = []
    header_only = info_mod._HEADER_ONLY
    real = stream.described
    monkeypatch.setattr(
        stream, "described", lambda path, **k: calls.append(path) or real(path, **k)
    )
    for path in (p, v73):
        lazy = info(path)
        assert calls == [p, v73][: len(calls)] and calls[-1] == path  # from the header
        monkeypatch.setattr(info_mod, "_HEADER_ONLY", set())
        whole = info(path)
        monkeypatch.setattr(info_mod, "_HEADER_ONLY", header_only)
        assert lazy == whole
        assert lazy["n_samples"] == 2000 and lazy["fs"] == 50.0


# -- errors: one line naming the file and the problem ------------------------------------------


def _h5(path: Path, **datasets) -> Path:
    h5py = pytest.importorskip("h5py")
    with h5py.File(path, "w") as f:
        for k, v in datasets.items():
            f[k] = v
    return path


def test_bad_files_are_one_line_errors(tmp_path: Path, x: np.ndarray) -> None:
    pytest.importorskip("h5py")
    cases = {
        "no data set": (_h5(tmp_path / "a.h5", fs=50.0, t=np.arange(5.0)), "no data set named 'data' and no numeric matrix (the file holds fs (scalar float64), t (5 float64))"),
        "two matrices": (_h5(tmp_path / "b.h5", left=x, right=x, fs=50.0), "2 numeric matrices (left, right): name the signal 'data'"),
        "three dims": (_h5(tmp_path / "c.h5", data=np.zeros((2, 3, 4))), "'data' has 3 dimensions"),
        "text data": (_h5(tmp_path / "d.h5", data="abc"), "'data' is not numeric"),
        "bad rate": (_h5(tmp_path / "e.h5", data=x, fs=-1.0), "'fs' is not a positive rate"),
        "names": (_h5(tmp_path / "f.h5", data=x, fs=50.0, channels=["a", "b"]), "'channels' has 2 names for 3 channels"),
        "empty": (_h5(tmp_path / "g.h5", data=np.zeros((0, 3))), "no samples in the file"),
        "hdf5 header only": (tmp_path / "h.h5", "not a readable HDF5 file"),
    }  # fmt: skip
    (tmp_path / "h.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + b"\x00" * 300)
    scipy.io.savemat(tmp_path / "two.mat", {"a": x, "b": x})
    cases["two mat matrices"] = (tmp_path / "two.mat", "no variable named 'data' and 2 numeric")
    scipy.io.savemat(tmp_path / "txt.mat", {"data": "abc"})
    cases["mat text data"] = (tmp_path / "txt.mat", "'data' is not numeric (char)")
    (tmp_path / "trunc.mat").write_bytes(_truncated_mat(tmp_path / "full.mat", x)[: 128 + 300])
    cases["truncated mat"] = (tmp_path / "trunc.mat", "not a readable MATLAB file")
    for case, (path, fragment) in cases.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(RecordingError) as info:
                movement.read(path, modality="accel")
        msg = str(info.value)
        assert msg.startswith(f"{path}: ") and "\n" not in msg, case
        assert fragment in msg, (case, msg)


def _truncated_mat(path: Path, x: np.ndarray) -> bytes:
    scipy.io.savemat(path, {"data": x, "fs": 50.0}, do_compression=True)
    return path.read_bytes()


def _damaged_mats(tmp_path: Path, x: np.ndarray) -> dict[str, tuple[bytes, str]]:
    """Damaged ``.mat`` files (their bytes) -> the one line said. scipy's own words were
    an IndexError, "could not read bytes", zlib's error, advice to call ``whosmat``..."""
    files = {}
    for name, kw in {"v5": {}, "v5z": {"do_compression": True}, "v4": {"format": "4"}}.items():
        scipy.io.savemat(tmp_path / f"{name}.mat", {"data": x, "fs": 50.0}, **kw)
        files[name] = (tmp_path / f"{name}.mat").read_bytes()
    v5z = bytearray(files["v5z"])
    v5z[2000:2064] = bytes(64)  # (the zlib stream no longer decodes)
    head = b"not a readable MATLAB file"
    return {
        "empty": (b"", "the file is empty"),
        "cut in its header": (
            files["v5"][:64],
            f"{head.decode()} (truncated: 64 bytes, shorter than the 128-byte MATLAB header)",
        ),
        "cut in a variable": (
            files["v5"][:5000],
            f"{head.decode()} (truncated or damaged: a variable runs past the end of the file)",
        ),
        "compressed, damaged": (
            bytes(v5z),
            f"{head.decode()} (damaged: a compressed variable does not decompress:",
        ),
        "v4, cut": (
            files["v4"][:5000],
            # (scipy names the matrix: 'data'; scipy 1.13.1, the oldest accepted, says 'b')
            f"{head.decode()} (truncated or damaged: too few bytes for matrix '",
        ),
        "no MATLAB header": (b"hello world\n" * 20, f"{head.decode()} (no MATLAB header)"),
        "bad version": (
            b"MATLAB 5.0 MAT-file, broken" + b"\xff" * 200,
            f"{head.decode()} (its header names no MATLAB version)",
        ),
        "zeros": (bytes(300), f"{head.decode()} (it starts with 20 zero bytes: no MATLAB header)"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "empty", "cut in its header", "cut in a variable", "compressed, damaged", "v4, cut",
        "no MATLAB header", "bad version", "zeros",
    ],
)  # fmt: skip
def test_damaged_mat_is_one_clear_line(tmp_path: Path, x: np.ndarray, case: str, capsys) -> None:
    from movement.cli import main

    content, expected = _damaged_mats(tmp_path, x)[case]
    p = tmp_path / "bad.mat"
    p.write_bytes(content)
    with pytest.raises(RecordingError) as info:
        movement.read(p, fs=50, modality="accel")
    assert str(info.value).startswith(f"{p}: {expected}") and "\n" not in str(info.value)
    out = tmp_path / "out"
    assert main(["score", str(p), "--fs", "50", "--modality", "accel", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"error  {p}: {expected}" in err and "Traceback" not in err


def test_truncated_mat73_says_truncated(tmp_path: Path, x: np.ndarray) -> None:
    whole = write_mat73(tmp_path / "whole.mat", {"data": x, "fs": 50.0}).read_bytes()
    p = tmp_path / "cut.mat"
    p.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(RecordingError) as info:
        movement.read(p, modality="accel")
    assert str(info.value) == (
        f"{p}: not a readable MATLAB v7.3 file (truncated: shorter than its HDF5 header declares)"
    )


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, "the file holds no variables"),
        (
            {"data": {"a": np.arange(5.0), "b": 1}},
            "no numeric variable named 'data' ('data' is a struct) and no numeric matrix (the "
            "file holds data (struct), data/a (5 float64), data/b (scalar int64))",
        ),
        ({"data": np.array(["a", np.ones(3)], dtype=object)}, "'data' is not numeric (2 cell)"),
        ({"data": np.array(["abc", "def"])}, "'data' is not numeric (2 char)"),
        (
            {"data": "sparse"},
            "'data' is a sparse matrix: save it full (in MATLAB: data = full(data))",
        ),
        (
            {"sig": np.ones(9), "s": "abc", "c": np.array([1, "a"], object)},
            "no variable named 'data' and no numeric matrix (the file holds sig (9 float64), "
            "s (char), c (2 cell))",
        ),
    ],
    ids=["empty workspace", "struct", "cell", "char", "sparse", "listing"],
)
def test_mat_of_no_numeric_array_says_what_it_holds(
    tmp_path: Path, x: np.ndarray, variables: dict, expected: str
) -> None:
    if isinstance(variables.get("data"), str):
        from scipy.sparse import csc_matrix

        variables = {"data": csc_matrix(x), "fs": 50.0}
    p = tmp_path / "odd.mat"
    scipy.io.savemat(p, variables)
    with pytest.raises(RecordingError) as info:
        movement.read(p, fs=50, modality="accel")
    assert str(info.value).startswith(f"{p}: {expected}") and "\n" not in str(info.value)


def test_mat73_struct_named_data_says_so(tmp_path: Path) -> None:
    h5py = pytest.importorskip("h5py")
    p = write_mat73(tmp_path / "s.mat", {"fs": 50.0})
    with h5py.File(p, "a") as f:
        g = f.create_group("data")
        g.attrs["MATLAB_class"] = np.bytes_("struct")
        d = g.create_dataset("name", data=np.array([[104], [105]], np.uint16))
        d.attrs["MATLAB_class"] = np.bytes_("char")
    with pytest.raises(RecordingError) as info:
        movement.read(p, modality="accel")
    assert str(info.value) == (
        f"{p}: no numeric variable named 'data' ('data' is a struct) and no numeric matrix "
        "(the file holds data/name (1x2 char), fs (1x1 double))"
    )


def test_cli_batch_with_a_bad_and_a_good_mat(tmp_path: Path, x: np.ndarray, capsys) -> None:
    from movement.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    bad = folder / "bad.mat"
    bad.write_bytes(b"MATLAB 5.0 MAT-file, broken" + b"\xff" * 200)
    good = folder / "good.mat"
    scipy.io.savemat(good, {"data": x, "fs": 50.0, "channels": np.array(["x", "y", "z"])})
    out = tmp_path / "out"
    rc = main(["score", str(folder), "--out", str(out), "-q"])
    err = capsys.readouterr().err
    assert rc == 1 and "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.startswith("error")]
    assert len(lines) == 1 and lines[0].startswith(f"error  {bad}: not a readable MATLAB file")
    summary = pd.read_csv(out / "summary.tsv", sep="\t", keep_default_na=False).set_index("file")
    assert summary.loc[str(bad), "status"] == "error"
    assert summary.loc[str(good), "status"] == "ok"
    assert (out / "good_events.tsv").exists()


def test_a_wfdb_signal_mat_is_not_a_recording(tmp_path: Path, x: np.ndarray) -> None:
    """PhysioNet ships some WFDB records as ``<rec>.hea`` + ``<rec>.mat``: the .mat is the
    record's signal file, read through the header, not a second recording."""
    scipy.io.savemat(tmp_path / "rec.mat", {"val": x.T})
    (tmp_path / "rec.hea").write_text("rec 3 50 2000\n")
    scipy.io.savemat(tmp_path / "other.mat", {"data": x})
    assert not is_recording_file(tmp_path / "rec.mat")
    assert is_recording_file(tmp_path / "other.mat")
    assert find_recordings([tmp_path]) == [tmp_path / "other.mat", tmp_path / "rec.hea"]


def test_convert_and_registration(tmp_path: Path, x: np.ndarray) -> None:
    """``movement convert`` reads .mat and .h5 as any input: the .npy reads back the same."""
    from movement.io import READERS, convert

    assert READERS[".h5"].extra == READERS[".hdf5"].extra == "hdf5"
    assert READERS[".mat"].extra is None  # v4-v7.2 are core; v7.3 asks for the extra itself
    sources = [tmp_path / "a.mat"]
    scipy.io.savemat(sources[0], {"data": x.T, "fs": 50.0, "modality": "accel"})
    if pytest.importorskip("h5py"):
        sources.append(_h5(tmp_path / "b.h5", data=x, fs=50.0, modality="accel"))
        sources.append(
            write_mat73(tmp_path / "c.mat", {"data": x, "fs": 50.0, "modality": "accel"})
        )
    for src in sources:
        out = convert(src, tmp_path / "cache" / f"{src.stem}.npy")
        a, b = movement.read(src), movement.read(out)
        assert np.array_equal(a.data, b.data) and a.fs == b.fs and a.channels == b.channels


def test_movement_score_streams_a_large_hdf5(tmp_path: Path, accel_sim, monkeypatch) -> None:
    """``movement score`` streams an HDF5 file over STREAM_BYTES (judged by its data set's
    shape), with the events of the whole read."""
    h5py = pytest.importorskip("h5py")
    import movement.batch as batch
    import movement.stream as stream
    from movement.batch import ScoreOptions, score_batch

    p = tmp_path / "long.h5"
    with h5py.File(p, "w") as f:
        f["data"] = accel_sim.recording.data
        f["fs"] = 100.0
        f["modality"] = "accel"
    calls = []
    real = stream.score_stream
    monkeypatch.setattr(stream, "score_stream", lambda *a, **k: calls.append(a) or real(*a, **k))
    opts = ScoreOptions(model="rules")
    monkeypatch.setattr(batch, "STREAM_BYTES", 1)
    score_batch([p], tmp_path / "streamed", opts, progress=False)
    assert len(calls) == 1
    monkeypatch.setattr(batch, "STREAM_BYTES", 2**60)
    score_batch([p], tmp_path / "whole", opts, progress=False)
    assert len(calls) == 1  # 25 min: fewer than 3 windows, not faster streamed
    a = pd.read_csv(tmp_path / "streamed" / "long_events.tsv", sep="\t")
    b = pd.read_csv(tmp_path / "whole" / "long_events.tsv", sep="\t")
    assert len(a) == len(b) >= 5
    np.testing.assert_allclose(a["onset"], b["onset"], atol=0.011)
    assert list(a["trial_type"]) == list(b["trial_type"])


def test_a_data_set_declared_huge_but_never_written_is_one_line(tmp_path: Path, capsys) -> None:
    """A 60 kB file declaring 10^9 x 3 samples (chunks never written read as zeros): score
    streamed a billion fill values past any timeout, and movement.read ran out of memory."""
    h5py = pytest.importorskip("h5py")
    from movement.cli import main
    from movement.io.info import info

    p = tmp_path / "sparse.h5"
    with h5py.File(p, "w") as f:
        ds = f.create_dataset("data", shape=(10**9, 3), dtype="f8", chunks=(4096, 3))
        ds[:1000] = np.random.default_rng(0).normal(0, 0.01, (1000, 3))
        f.attrs["fs"] = 100.0
        f.attrs["modality"] = "accel"
    assert p.stat().st_size < 1 << 20
    with pytest.raises(RecordingError, match=r"sparse.h5: 'data' declares 1000000000 samples x 3 "
                       r"channels \(22.4 GiB\) but stores .* never written"):  # fmt: skip
        movement.read(p)
    with pytest.raises(RecordingError, match="never written"):
        info(p)
    assert main(["score", str(p), "--out", str(tmp_path / "out"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "never written" in err and "Traceback" not in err
    # a data set with every chunk written is read as before (the check reads no samples)
    q = tmp_path / "whole.h5"
    with h5py.File(q, "w") as f:
        f.create_dataset("data", data=np.zeros((5000, 3)) + [0, 0, 1], chunks=(1000, 3))
        f.attrs["fs"] = 100.0
    assert movement.read(q, modality="accel").n_samples == 5000


@pytest.mark.parametrize("kind", ["mat5", "mat73", "h5"])
def test_a_logical_data_variable_is_refused_as_a_npy_of_booleans_is(tmp_path, kind) -> None:
    """A logical `data` (a mask saved by mistake) was read as samples of 0 and 1 from a
    .mat file (loadmat gives it as uint8), where a .npy of booleans is refused."""
    h5py = pytest.importorskip("h5py") if kind != "mat5" else None
    mask = np.random.default_rng(0).random((3000, 3)) > 0.5
    if kind == "mat5":
        p = tmp_path / "mask.mat"
        scipy.io.savemat(p, {"data": mask, "fs": 100.0})
    elif kind == "h5":
        p = tmp_path / "mask.h5"
        with h5py.File(p, "w") as f:
            f.create_dataset("data", data=mask)
            f.attrs["fs"] = 100.0
    else:
        p = tmp_path / "mask.mat"
        with h5py.File(p, "w", userblock_size=512) as f:
            d = f.create_dataset("data", data=mask.T.astype(np.uint8))
            d.attrs["MATLAB_class"] = np.bytes_("logical")
            f.create_dataset("fs", data=np.array([[100.0]]))
        with open(p, "r+b") as fh:
            fh.write(_MAT73_HEADER)
    with pytest.raises(RecordingError, match=r"'data' is logical \(true/false\), not samples"):
        movement.read(p, modality="accel")
    # (a logical beside the samples is no matter)
    ok = tmp_path / "ok.mat"
    x = np.random.default_rng(1).normal(0, 0.01, (3000, 3)) + [0, 0, 1.0]
    scipy.io.savemat(ok, {"data": x, "fs": 100.0, "worn": True})
    np.testing.assert_array_equal(movement.read(ok, modality="accel").data, x)
