"""Bad input at the reading boundary: one line naming the file and what is wrong."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import movement
from movement.errors import RecordingError
from movement.io import convert_accel_units

G = 9.80665


def _accel(n: int, scale: float = 1.0) -> np.ndarray:
    x = np.random.default_rng(0).normal(0, 0.01, (n, 3))
    x[:, 2] += 1.0
    return x * scale


def _npy(tmp_path: Path, side: dict | None = None, n: int = 1000) -> Path:
    p = tmp_path / "a.npy"
    np.save(p, _accel(n))
    if side is not None:
        (tmp_path / "a.json").write_text(json.dumps(side))
    return p


def _one_line_error(path: Path, **kw) -> str:
    with pytest.raises(RecordingError) as err:
        movement.read(path, **kw)
    return _problem(err.value, path)


def _problem(exc: BaseException, path: Path) -> str:
    """The message after ``<path>: `` (the test's folder name must not match by chance)."""
    msg = str(exc)
    assert "\n" not in msg
    assert msg.startswith(f"{path}: ")
    problem = msg[len(str(path)) + 2 :]
    assert f"{path.name}:" not in problem  # (not wrapped twice)
    assert "allow_pickle" not in problem and "internal" not in problem
    return problem


# -- sidecar values ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [100, 100.0, "100", " 100.0 ", "100 Hz", "100Hz", "100 hz"])
def test_sidecar_rate_number_or_number_in_hz(tmp_path: Path, value) -> None:
    p = _npy(tmp_path, {"SamplingFrequency": value, "Modality": "accel"})
    assert movement.read(p).fs == 100.0


@pytest.mark.parametrize("value", ["100 kHz", "fast", "", [100], {"v": 100}, True, 0, -5, "nan"])
def test_sidecar_rate_not_a_rate_names_sidecar_and_key(tmp_path: Path, value) -> None:
    p = _npy(tmp_path, {"SamplingFrequency": value, "Modality": "accel"})
    msg = _one_line_error(p)
    assert "a.json" in msg and "SamplingFrequency" in msg
    assert "internal" not in msg


def test_sidecar_rate_alias_key_is_named(tmp_path: Path) -> None:
    p = _npy(tmp_path, {"SamplingRate": "100 Hz!", "Modality": "accel"})
    assert "SamplingRate" in _one_line_error(p)


def test_sidecar_rate_streamed_as_read(tmp_path: Path) -> None:
    from movement.stream import header_of

    p = _npy(tmp_path, {"SamplingFrequency": "100 Hz", "Modality": "accel"})
    assert header_of(p)[0].fs == 100.0
    (tmp_path / "a.json").write_text(json.dumps({"SamplingFrequency": "1e2 kHz"}))
    with pytest.raises(RecordingError) as err:
        header_of(p)
    msg = _problem(err.value, p)
    assert "a.json" in msg and "SamplingFrequency" in msg


def test_sidecar_channels_comma_separated_string(tmp_path: Path) -> None:
    p = _npy(tmp_path, {"SamplingFrequency": 100, "Modality": "emg", "Channels": "0, 2"})
    assert movement.read(p).channels == ("ch1", "ch3")


@pytest.mark.parametrize("value", [3, {"x": 0}, [["ch1"]], [1.5]])
def test_sidecar_channels_not_a_list(tmp_path: Path, value) -> None:
    p = _npy(tmp_path, {"SamplingFrequency": 100, "Modality": "accel", "Channels": value})
    msg = _one_line_error(p)
    assert "a.json" in msg and "Channels" in msg and "list" in msg


def test_sidecar_units_not_text(tmp_path: Path) -> None:
    p = _npy(tmp_path, {"SamplingFrequency": 100, "Modality": "accel", "Units": 9.8})
    msg = _one_line_error(p)
    assert "a.json" in msg and "Units" in msg


def test_sidecar_units_list_of_one_unit(tmp_path: Path) -> None:
    p = _npy(tmp_path, {"SamplingFrequency": 100, "Modality": "emg", "Units": ["mV", "mV", "mV"]})
    assert movement.read(p).units == "mV"


@pytest.mark.parametrize("value", ["eeg", 5, ["accel"], "", True])
def test_sidecar_modality_not_a_modality_is_one_line(tmp_path: Path, value) -> None:
    """It was ignored: the modality was guessed (accel from x,y,z-like names) or asked for."""
    p = _npy(tmp_path, {"SamplingFrequency": 100, "modality": value})
    msg = _one_line_error(p)
    assert msg.startswith(
        "sidecar a.json: modality must be accel or emg (accel: acc, accelerometer"
    )
    assert msg.endswith(f"; any case), got {json.dumps(value)}")
    # a modality given overrules the sidecar's, which is then not read
    assert movement.read(p, modality="accel").modality == "accel"


@pytest.mark.parametrize(("value", "mod"), [("EMG", "emg"), (" Accelerometer ", "accel")])
def test_sidecar_modality_synonyms_any_case(tmp_path: Path, value: str, mod: str) -> None:
    units = "g" if mod == "accel" else "mV"  # (EMG in g is refused: acceleration)
    p = _npy(tmp_path, {"SamplingFrequency": 100, "Modality": value, "Units": units})
    assert movement.read(p).modality == mod


def test_sidecar_modality_null_is_absent(tmp_path: Path) -> None:
    p = _npy(tmp_path, {"SamplingFrequency": 100, "Modality": None})
    with pytest.raises(movement.errors.UnresolvedError, match="cannot tell the modality"):
        movement.read(p)


def test_sidecar_generic_type_keys_stay_lenient(tmp_path: Path) -> None:
    """BIDS's RecordingType is "continuous": not a modality, and no error."""
    p = _npy(tmp_path, {"SamplingFrequency": 100, "RecordingType": "continuous"})
    with pytest.raises(movement.errors.UnresolvedError):
        movement.read(p)


@pytest.mark.parametrize("value", ["furlongs", "mV"])
def test_sidecar_accel_units_unknown_is_one_line(tmp_path: Path, value: str) -> None:
    """They were ignored: the magnitude decided, as if the sidecar said nothing."""
    p = _npy(tmp_path, {"SamplingFrequency": 100, "Modality": "accel", "Unit": value})
    assert _one_line_error(p) == (
        f"sidecar a.json: Unit: unknown accelerometer units {value!r}: use g, mg or m/s^2 "
        "(also written m/s2, ms-2, m s-2), or leave it out to detect them from the "
        "magnitude at rest"
    )
    assert movement.read(p, units="g").units == "g"  # units given overrule the sidecar's
    side = {"SamplingFrequency": 100, "Modality": "emg", "Units": value}
    assert movement.read(_npy(tmp_path, side)).units == value  # (EMG units are free)


def test_sidecar_rate_integer_beyond_float_range(tmp_path: Path) -> None:
    """A 401-digit SamplingFrequency was 'internal error OverflowError'."""
    p = _npy(tmp_path, {"Modality": "accel"})
    (tmp_path / "a.json").write_text(
        '{"Modality": "accel", "SamplingFrequency": 1' + "0" * 400 + "}"
    )
    msg = _one_line_error(p)
    assert msg.startswith("sidecar a.json: SamplingFrequency must be a positive number of Hz")
    assert msg.endswith("got 1000000000000000000000000000000000000...")  # (cut, not 401 digits)


def test_sidecar_conversion_warnings_not_a_list(tmp_path: Path) -> None:
    """A number was 'internal error TypeError'; a text was warned character by character."""
    for value in (5, "cut short"):
        conv = {"SourceFile": "x.cwa", "Warnings": value}
        p = _npy(tmp_path, {"SamplingFrequency": 100, "Modality": "accel", "Conversion": conv})
        assert _one_line_error(p) == (
            f"sidecar a.json: Conversion.Warnings must be a list of messages, got {json.dumps(value)}"
        )


def test_sidecar_nested_too_deeply(tmp_path: Path) -> None:
    """JSON nested 100 000 deep was 'internal error RecursionError'."""
    p = _npy(tmp_path)
    (tmp_path / "a.json").write_text('{"x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert _one_line_error(p) == "sidecar a.json is not usable JSON (nested too deeply)"


def test_sidecar_keys_differing_only_by_case_are_named(tmp_path: Path) -> None:
    """The keys are read in any case: one of the two rates was taken silently."""
    p = _npy(tmp_path)
    (tmp_path / "a.json").write_text(
        '{"Modality": "accel", "samplingfrequency": 100, "SAMPLINGFREQUENCY": 50}'
    )
    assert _one_line_error(p) == (
        "sidecar a.json: keys 'samplingfrequency' (100) and 'SAMPLINGFREQUENCY' (50) differ "
        "only by case: keep one"
    )
    # the same value twice, or keys movement does not read, are let be
    side = {"Modality": "accel", "fs": 100, "FS": 100, "note": "a", "NOTE": "b"}
    assert movement.read(_npy(tmp_path, side)).fs == 100.0


def test_npz_of_complex_numbers_is_refused(tmp_path: Path) -> None:
    """Its imaginary part was dropped silently (read as the real part)."""
    p = tmp_path / "c.npz"
    np.savez(p, data=_accel(1000) + 1j, fs=100.0)
    assert _one_line_error(p, modality="accel") == (
        "'data' holds complex numbers (dtype complex128): save the real values (e.g. their "
        "magnitude or real part)"
    )


@pytest.mark.parametrize(
    ("fs", "said"),
    [(True, "1 value(s) of dtype bool"), ([100.0, 50.0], "2 value(s) of dtype float64"),
     ("fast", "1 value(s) of dtype <U4")],
)  # fmt: skip
def test_npz_fs_that_is_no_number_is_refused(tmp_path: Path, fs, said) -> None:
    """A bool 'fs' was read as 1 Hz; two values failed in numpy's words."""
    p = tmp_path / "f.npz"
    np.savez(p, data=_accel(1000), fs=fs)
    assert _one_line_error(p, modality="accel") == f"'fs' must be one number (Hz), got {said}"


def test_npz_fs_as_a_number_of_any_type_is_read(tmp_path: Path) -> None:
    for fs in (100, 100.0, np.float32(100.0), "100", np.array([100.0])):
        p = tmp_path / "f.npz"
        np.savez(p, data=_accel(1000), fs=fs)
        assert movement.read(p, modality="accel").fs == 100.0


# -- accelerometer units with missing rows ----------------------------------------------------


def test_accel_units_detected_from_finite_rows_only() -> None:
    x = _accel(1000, G)
    x[300:] = np.nan  # more missing than recorded
    x[0, 0] = np.nan  # a row with one axis missing: not used either
    out, unit, note = convert_accel_units(x, None)
    assert unit == "g"
    assert "detected as m/s2" in note
    assert np.nanmedian(np.linalg.norm(out[:300], axis=1)) == pytest.approx(1.0, rel=0.01)


def test_accel_units_all_rows_missing_says_so() -> None:
    x = _accel(100, G)
    x[:, 1] = np.nan
    _, unit, note = convert_accel_units(x, None)
    assert unit == "a.u."
    assert "no sample has all 3 axes" in note


def test_accel_hole_longer_than_recording_read_as_ms2(tmp_path: Path) -> None:
    fs, n = 50.0, 500
    t = np.arange(n) / fs
    t[250:] += 60.0  # a one-minute hole: 3000 missing rows for 500 recorded
    p = tmp_path / "hole.csv"
    np.savetxt(p, np.column_stack([t, _accel(n, G)]), delimiter=",", header="time,x,y,z",
               comments="", fmt="%.6f")  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rec = movement.read(p, fs=fs)
    assert rec.units == "g"
    assert "detected as m/s2" in rec.notes["units"]
    assert np.nanmedian(np.linalg.norm(rec.data, axis=1)) == pytest.approx(1.0, rel=0.01)


# -- channel selection ------------------------------------------------------------------------


@pytest.mark.parametrize("channels", [("ch1", "ch1", "ch1"), ["ch2", 1], ("0", "ch1")])
def test_duplicate_channels_rejected(tmp_path: Path, channels) -> None:
    p = _npy(tmp_path, {"SamplingFrequency": 100, "Modality": "accel"})
    msg = _one_line_error(p, channels=channels)
    assert msg.startswith("channel 'ch") and "is selected more than once" in msg


@pytest.mark.parametrize("channels", [(), [], ("",), ("ch1", "")])
def test_empty_channel_selection_rejected(tmp_path: Path, channels) -> None:
    p = _npy(tmp_path, {"SamplingFrequency": 100, "Modality": "accel"})
    msg = _one_line_error(p, channels=channels)
    assert msg.startswith("empty channel")


def test_duplicate_channels_rejected_when_streamed(tmp_path: Path) -> None:
    from movement.stream import header_of

    p = _npy(tmp_path, {"SamplingFrequency": 100, "Modality": "accel"})
    with pytest.raises(RecordingError) as err:
        header_of(p, channels=("ch1", "ch1"))
    assert "more than once" in _problem(err.value, p)


def test_channels_as_one_string_split_on_commas(tmp_path: Path) -> None:
    p = _npy(tmp_path, {"SamplingFrequency": 100, "Modality": "emg"})
    assert movement.read(p, channels="ch1,ch3").channels == ("ch1", "ch3")


# -- unreadable files -------------------------------------------------------------------------


def test_garbage_npy_never_invites_an_unsafe_load(tmp_path: Path) -> None:
    p = tmp_path / "fake.npy"
    p.write_bytes(b"hello")
    msg = _one_line_error(p, fs=100)
    assert msg == "not a readable .npy file (it does not start with the NumPy header)"


@pytest.mark.parametrize(
    "shape, said", [((0, 2), "no samples"), ((0,), "no samples"), ((3, 0), "no channels")]
)
def test_empty_npy_says_empty(tmp_path: Path, shape: tuple, said: str) -> None:
    """A (0, 2) array was said to look like channels x samples."""
    p = tmp_path / "empty.npy"
    np.save(p, np.zeros(shape))
    shown = shape if len(shape) == 2 else (0, 1)
    assert _one_line_error(p, fs=100) == f"{said} (array shape {shown})"


def test_object_npy_refused_without_unsafe_hint(tmp_path: Path) -> None:
    p = tmp_path / "obj.npy"
    np.save(p, np.array([[1, "a"], [2, None]], dtype=object), allow_pickle=True)
    msg = _one_line_error(p, fs=100)
    assert "pickle" not in msg.lower()
    assert "Python objects" in msg and "memory-mapped" not in msg


def test_truncated_npy_says_truncated(tmp_path: Path) -> None:
    p = _npy(tmp_path)
    full = p.read_bytes()
    p.write_bytes(full[: len(full) - 1000])
    msg = _one_line_error(p, fs=100, modality="accel")
    assert msg == "truncated .npy file: expected 24000 bytes of data, found 23000"


def test_truncated_npy_streamed_says_truncated(tmp_path: Path) -> None:
    from movement.stream import header_of

    p = _npy(tmp_path)
    p.write_bytes(p.read_bytes()[:-8])
    with pytest.raises(RecordingError) as err:
        header_of(p, fs=100, modality="accel")
    assert "truncated" in _problem(err.value, p)


def test_garbage_npz_never_invites_an_unsafe_load(tmp_path: Path) -> None:
    p = tmp_path / "fake.npz"
    p.write_bytes(b"hello")
    msg = _one_line_error(p, fs=100)
    assert msg == "not a readable .npz file (not a zip archive of arrays)"


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.99])
def test_truncated_npz_is_one_line(tmp_path: Path, cut: float) -> None:
    # a download cut short: zipfile's BadZipFile (no ValueError, no OSError) was an
    # "internal error" line in a batch, and escaped movement.read raw
    whole = tmp_path / "whole.npz"
    np.savez(whole, data=_accel(3000), fs=100.0, modality="accel")
    p = tmp_path / "cut.npz"
    raw = whole.read_bytes()
    p.write_bytes(raw[: int(len(raw) * cut)])
    assert _one_line_error(p).startswith("not a readable .npz file")


def test_npz_with_a_damaged_member_is_one_line(tmp_path: Path) -> None:
    whole = tmp_path / "whole.npz"
    np.savez(whole, data=_accel(3000), fs=100.0, modality="accel")
    raw = bytearray(whole.read_bytes())
    raw[len(raw) // 2 : len(raw) // 2 + 64] = bytes(64)  # (the CRC no longer matches)
    p = tmp_path / "bad.npz"
    p.write_bytes(bytes(raw))
    assert "damaged or truncated" in _one_line_error(p)


@pytest.mark.parametrize(
    ("arrays", "words"),
    [
        ({"data": np.array(1.0)}, "'data' must be 1-D or 2-D"),
        ({"data": np.zeros((50, 2, 2))}, "'data' must be 1-D or 2-D"),
        ({"data": _accel(3000), "time": np.array([])}, "'time' must hold one value per sample"),
        ({"data": _accel(3000), "time": np.array(5.0)}, "'time' must hold one value per sample"),
        ({"data": _accel(3000), "time": np.zeros((3000, 2))}, "'time' must hold one value"),
        ({"data": _accel(3000), "fs": 100.0, "time": np.arange(10.0)}, "shape (10,) for 3000"),
    ],
)
def test_npz_of_the_wrong_shape_is_one_line(tmp_path: Path, arrays: dict, words: str) -> None:
    p = tmp_path / "odd.npz"
    np.savez(p, modality="accel", **arrays)
    assert words in _one_line_error(p, fs=None if "fs" in arrays else 100)


def test_npz_with_object_array_refused(tmp_path: Path) -> None:
    p = tmp_path / "obj.npz"
    np.savez(p, data=np.array([[1, "a"], [2, None]], dtype=object))
    msg = _one_line_error(p, fs=100)
    assert "pickle" not in msg.lower()
    assert "Python objects" in msg


@pytest.mark.parametrize(
    "array",
    [
        _accel(3000) > 1.0,  # bool: was scored as 0/1
        _accel(3000).astype(str),  # text: was parsed as numbers
        _accel(3000).astype("S12"),
        np.zeros((3000, 3), dtype="datetime64[ns]"),  # was scored as nanoseconds
        (_accel(3000) * 1000).astype("timedelta64[ms]"),
        np.zeros((3000, 3), dtype=[("a", "f8")]),  # structured: was read as its first field
    ],
    ids=["bool", "str", "bytes", "datetime", "timedelta", "structured"],
)
def test_npz_of_no_real_numbers_is_refused_as_npy(tmp_path: Path, array: np.ndarray) -> None:
    from movement.cli import main

    np.save(tmp_path / "a.npy", array)
    np.savez(tmp_path / "a.npz", data=array, fs=100.0, modality="accel")
    npy = _one_line_error(tmp_path / "a.npy", fs=100, modality="accel")
    npz = _one_line_error(tmp_path / "a.npz")
    assert npy == f"data must be real numbers, got dtype {array.dtype}"
    assert npz == f"'data' must be real numbers, got dtype {array.dtype}"
    out = tmp_path / "out"
    assert main(["score", str(tmp_path / "a.npz"), "--out", str(out), "-q"]) == 1
    summary = (out / "summary.tsv").read_text()
    assert npz in summary and "internal" not in summary


@pytest.mark.parametrize(
    "time",
    [
        (np.arange(3000) * 10).astype("datetime64[ms]"),  # was read as s: a 0.1 Hz rate
        (np.arange(3000) * 10).astype("timedelta64[ms]"),
        (np.arange(3000) / 100).astype(str),
        np.ones(3000, dtype=bool),
    ],
    ids=["datetime", "timedelta", "str", "bool"],
)
def test_npz_time_of_no_real_numbers_is_refused(tmp_path: Path, time: np.ndarray) -> None:
    p = tmp_path / "t.npz"
    np.savez(p, data=_accel(3000), time=time, modality="accel")
    assert _one_line_error(p) == f"'time' must be real numbers (s), got dtype {time.dtype}"


def test_npz_of_real_numbers_of_any_width_still_read(tmp_path: Path) -> None:
    x = _accel(3000)
    for dtype in (np.float16, np.float32, np.int16, np.uint8):
        p = tmp_path / f"{np.dtype(dtype).name}.npz"
        np.savez(p, data=(x * 100).astype(dtype), time=np.arange(3000, dtype=np.int32) / 100)
        rec = movement.read(p, modality="accel", units="g")
        assert rec.fs == 100.0
        np.testing.assert_array_equal(rec.data, (x * 100).astype(dtype).astype(np.float64))


# -- WFDB -------------------------------------------------------------------------------------


def _wfdb_record(tmp_path: Path, n: int = 2000) -> Path:
    wfdb = pytest.importorskip("wfdb")
    x = np.random.default_rng(0).normal(0, 1, (n, 2))
    wfdb.wrsamp(
        "rec", fs=500, units=["mV", "mV"], sig_name=["emg1", "emg2"], p_signal=x,
        fmt=["16", "16"], write_dir=str(tmp_path),
    )  # fmt: skip
    return tmp_path / "rec.hea"


@pytest.mark.filterwarnings("ignore:The inplace keyword")
def test_wfdb_truncated_dat_names_the_signal_file(tmp_path: Path) -> None:
    hea = _wfdb_record(tmp_path)
    dat = tmp_path / "rec.dat"
    dat.write_bytes(dat.read_bytes()[:3000])
    msg = _one_line_error(hea, modality="emg")
    assert msg == (
        "signal file rec.dat is shorter than its header declares "
        "(expected 8000 bytes of data, found 3000)"
    )


@pytest.mark.filterwarnings("ignore:The inplace keyword")
def test_wfdb_truncated_dat_streamed_names_the_signal_file(tmp_path: Path) -> None:
    from movement.stream import read_span

    hea = _wfdb_record(tmp_path)
    dat = tmp_path / "rec.dat"
    dat.write_bytes(dat.read_bytes()[:3000])
    with pytest.raises(RecordingError) as err:
        read_span(hea, 0, 1, modality="emg")
    assert "rec.dat is shorter than its header declares" in _problem(err.value, hea)


@pytest.mark.filterwarnings("ignore:The inplace keyword")
def test_wfdb_missing_dat_named(tmp_path: Path) -> None:
    hea = _wfdb_record(tmp_path)
    (tmp_path / "rec.dat").unlink()
    msg = _one_line_error(hea, modality="emg")
    assert msg == "signal file rec.dat (named in the header) is missing"


@pytest.mark.filterwarnings("ignore:The inplace keyword")
def test_wfdb_dat_read_directly_hints_at_the_header(tmp_path: Path) -> None:
    _wfdb_record(tmp_path)
    msg = _one_line_error(tmp_path / "rec.dat")
    assert msg == "a WFDB signal file: read its header rec.hea instead"


#: Edits of a 2-signal header (record line ``r``, signal lines ``s``) -> the one line said.
#: wfdb's own words were an IndexError, a TypeError, a KeyError or "invalid syntax".
_BAD_WFDB_HEADERS = {
    "fewer signal lines": (
        lambda r, s: [r, s[0]],
        "the WFDB header declares 2 signals but lists 1",
    ),
    "no signal lines": (lambda r, s: [r], "the WFDB header declares 2 signals but lists none"),
    "more signal lines": (
        lambda r, s: [r, *s, s[1]],
        "the WFDB header declares 2 signals but lists 3",
    ),
    "fewer lines, no length": (  # (a header without the length is read whole)
        lambda r, s: [" ".join(r.split()[:3]), s[0]],
        "the WFDB header declares 2 signals but lists 1",
    ),
    "only comments": (lambda r, s: ["# rec 2 500 2000"], "the WFDB header has no record line"),
    "record line cut": (
        lambda r, s: ["rec", *s],
        "the WFDB header's record line 'rec' gives no number of signals (2nd field)",
    ),
    "signals not a number": (
        lambda r, s: [r.replace(" 2 ", " two ", 1), *s],
        "the WFDB header's number of signals 'two' (2nd on the record line) is not a whole number",
    ),
    "signal line cut": (
        lambda r, s: [r, s[0], "rec.dat"],
        "the WFDB header's line for signal 2 ('rec.dat') gives no format (2nd field)",
    ),
    "unknown format": (
        lambda r, s: [r, *(x.replace(" 16 ", " 17 ", 1) for x in s)],
        "the WFDB header gives signal 1 the format '17', which is no WFDB signal format "
        "(8, 16, 24, 32, 61, 80, 160, 212, 310, 311, 508, 516, 524)",
    ),
    "format not a number": (
        lambda r, s: [r, *(x.replace(" 16 ", " x16 ", 1) for x in s)],
        "the WFDB header gives signal 1 the format 'x16', which is no WFDB signal format",
    ),
}


@pytest.mark.filterwarnings("ignore:The inplace keyword")
@pytest.mark.parametrize("case", _BAD_WFDB_HEADERS)
def test_wfdb_malformed_header_is_one_clear_line(tmp_path: Path, case: str, capsys) -> None:
    from movement.cli import main

    hea = _wfdb_record(tmp_path)
    record, *signals = hea.read_text().splitlines()
    edit, expected = _BAD_WFDB_HEADERS[case]
    hea.write_text("\n".join(edit(record, signals)) + "\n")
    assert _one_line_error(hea, modality="emg").startswith(expected)
    with pytest.raises(RecordingError, match=re.escape(expected)):
        movement.info(hea, modality="emg")
    assert main(["score", str(hea), "--modality", "emg", "--out", str(tmp_path / "o"), "-q"]) == 1
    err = capsys.readouterr().err
    assert f"error  {hea}: {expected}" in err and "Traceback" not in err


@pytest.mark.filterwarnings("ignore:The inplace keyword")
def test_wfdb_valid_header_forms_still_read(tmp_path: Path) -> None:
    """Omitted optional fields, comments and blank lines are no malformed header."""
    hea = _wfdb_record(tmp_path)
    whole = movement.read(hea, modality="emg").data
    record, *signals = hea.read_text().splitlines()
    short = [" ".join(s.split()[:3]) for s in signals]  # file, format, gain
    hea.write_text("\n".join(["# made by a test", record, "", *short, "#end"]) + "\n")
    rec = movement.read(hea, modality="emg")
    assert rec.data.shape == whole.shape and rec.fs == 500.0


def test_lone_dat_is_still_unknown(tmp_path: Path) -> None:
    p = tmp_path / "other.dat"
    p.write_bytes(b"\x00" * 10)
    assert "unknown file type" in _one_line_error(p)


def test_npz_without_data_array_keeps_its_message(tmp_path: Path) -> None:
    p = tmp_path / "two.npz"
    np.savez(p, a=np.ones((10, 3)), b=np.ones(10))
    msg = _one_line_error(p, fs=100)
    # (it names what the archive holds, and what movement reads)
    assert msg.startswith("no 'data' array in the archive: it holds a (10 x 3), b (10)")
    assert "save the signal as 'data' (the largest here: 'a') and the rate as 'fs'" in msg


def test_unknown_type_that_is_a_text_table_says_how_to_read_it(tmp_path) -> None:
    """PhysioNet's tremor .rit files are whitespace tables under their own extension."""
    import movement
    from movement.errors import RecordingError

    rit = tmp_path / "g9r15of.rit"
    x = np.random.default_rng(0).normal(0, 0.01, (300, 3)) + [0.0, 0.0, 1.0]
    rit.write_text("".join(f"{a:.4f} {b:.4f} {c:.4f}\n" for a, b, c in x))
    with pytest.raises(RecordingError, match="looks like a text table") as err:
        movement.read(rit, fs=100, modality="accel")
    assert str(err.value).startswith(str(rit)) and "\n" not in str(err.value)
    rec = movement.read(rit, fs=100, modality="accel", format=".txt", units="g")
    assert rec.data.shape == (300, 3)
    binary = tmp_path / "blob.xyz"
    binary.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(RecordingError) as err:
        movement.read(binary)
    assert "unknown file type" in str(err.value) and "text table" not in str(err.value)


def test_unsearchable_folders_and_unreadable_sidecars_are_said(tmp_path) -> None:
    """A subfolder without read permission was skipped with no word (its recordings left
    out of the study); an unreadable sidecar was "not valid JSON"; an input folder with
    no recording in it was dropped silently."""
    import os

    import numpy as np

    from movement.errors import MovementError, RecordingError
    from movement.io import find_recordings, read_sidecar

    if os.geteuid() == 0 and os.access("/root", os.R_OK):  # root reads anything: simulate
        import unittest.mock as mock

        real_walk = os.walk

        def walk(top, onerror=None, **kw):
            err = PermissionError(13, "Permission denied")
            err.filename = str(tmp_path / "study" / "locked")
            if onerror:
                onerror(err)
            yield from real_walk(top, onerror=onerror, **kw)

        patch = mock.patch("os.walk", walk)
    else:
        (tmp_path / "study" / "locked").mkdir(parents=True)
        os.chmod(tmp_path / "study" / "locked", 0)
        import contextlib

        patch = contextlib.nullcontext()
    (tmp_path / "study").mkdir(exist_ok=True)
    np.save(tmp_path / "study" / "a.npy", np.zeros((300, 3)))
    with patch, pytest.warns(UserWarning, match="locked: cannot be searched"):
        assert [p.name for p in find_recordings([tmp_path / "study"])] == ["a.npy"]
    (tmp_path / "empty.npy").mkdir()
    with pytest.warns(UserWarning, match="a folder with no recordings in it"):
        find_recordings([tmp_path / "study" / "a.npy", tmp_path / "empty.npy"])
    # a pattern that matches nothing beside other inputs was dropped without a word
    pattern = str(tmp_path / "study" / "nothing*.csv")
    with pytest.warns(UserWarning, match=r"nothing\*\.csv: the pattern matches no recording"):
        assert len(find_recordings([tmp_path / "study" / "a.npy", pattern])) == 1
    # a folder named as an input that cannot be listed was a warning, and a batch of it
    # and other inputs exited 0: it is an error, as a missing input is
    import unittest.mock as mock

    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path) == tmp_path / "study":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    with mock.patch("os.scandir", scandir):
        with pytest.raises(MovementError, match=r"study: cannot be searched \(Permission denied\)"):
            find_recordings([tmp_path / "study", tmp_path / "study" / "a.npy"])
    side = tmp_path / "study" / "a.json"
    side.write_text("{}")
    with mock_unreadable(side):
        with pytest.raises(RecordingError, match="sidecar a.json cannot be read"):
            read_sidecar(tmp_path / "study" / "a.npy")


def test_score_says_a_named_folder_it_cannot_search_and_exits_1(
    tmp_path, capsys, monkeypatch
) -> None:
    """``movement score locked/ other.npy``: the locked folder was a warning and the batch
    exited 0; it is an error line, the other input is scored, and the exit code is 1."""
    import os

    from movement.cli import main

    (tmp_path / "locked").mkdir()
    rng = np.random.default_rng(0)
    np.save(tmp_path / "a.npy", 0.01 * rng.standard_normal((6000, 3)) + [0, 0, 1])
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path) == tmp_path / "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    args = ["score", "--fs", "100", "--modality", "accel", "--out", str(tmp_path / "out")]
    rc = main([*args, str(tmp_path / "locked"), str(tmp_path / "a.npy")])
    err = capsys.readouterr().err
    assert rc == 1
    assert "locked: cannot be searched (Permission denied); its recordings are left out" in err
    assert "1 of 1 recordings scored" in err and "1 folder(s) could not be searched" in err
    assert (tmp_path / "out" / "a_events.tsv").is_file()
    # alone, it is a usage error (nothing to score), in one line
    assert main([*args, str(tmp_path / "locked")]) == 2
    assert (
        capsys.readouterr().err.strip().endswith("locked: cannot be searched (Permission denied)")
    )


def mock_unreadable(path):
    """Reading ``path`` fails with a permission error (root reads anything)."""
    import unittest.mock as mock
    from pathlib import Path

    real = Path.read_text

    def read_text(self, *a, **kw):
        if self == path:
            raise PermissionError(13, "Permission denied", str(path))
        return real(self, *a, **kw)

    return mock.patch.object(Path, "read_text", read_text)


# -- Parquet ----------------------------------------------------------------------------------


def _parquet(tmp_path: Path, metadata: dict[bytes, bytes] | None = None) -> Path:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    x = _accel(300)
    table = pa.table({"x": x[:, 0], "y": x[:, 1], "z": x[:, 2]})
    if metadata is not None:
        table = table.replace_schema_metadata(metadata)
    p = tmp_path / "t.parquet"
    pq.write_table(table, p)
    return p


def test_parquet_with_a_corrupt_header_is_one_line(tmp_path: Path) -> None:
    # thrift's message runs over three lines: the summary.tsv row and the error line broke
    p = _parquet(tmp_path)
    raw = bytearray(p.read_bytes())
    raw[4:40] = bytes(range(200, 236))  # (the first page header)
    p.write_bytes(bytes(raw))
    assert _one_line_error(p, fs=100).startswith("not a readable Parquet file (")


@pytest.mark.parametrize(
    ("metadata", "words"),
    [
        ({b"movement.fs": b"abc"}, "movement.fs is not a number"),
        ({b"pandas": b"{not json"}, "not a readable Parquet file"),
    ],
)
def test_parquet_with_bad_metadata_is_one_line(tmp_path: Path, metadata, words) -> None:
    p = _parquet(tmp_path, metadata)
    assert words in _one_line_error(p, modality="accel")


# -- .npy -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("array", "words"),
    [
        (np.zeros((3000, 2), dtype=[("a", "f8")]), "data must be real numbers"),
        (np.zeros((3000, 2), dtype=bool), "data must be real numbers"),
        (np.array([["1", "2"]] * 3000), "data must be real numbers"),
        (np.zeros((3000, 2), dtype="datetime64[ns]"), "data must be real numbers"),
    ],
)
def test_npy_of_no_real_numbers_is_one_line_for_score_and_info(
    tmp_path: Path, array: np.ndarray, words: str
) -> None:
    # the streamed read (movement info, and score's is_streamed) failed deep inside
    from movement.cli import main

    p = tmp_path / "odd.npy"
    np.save(p, array)
    (tmp_path / "odd.json").write_text('{"SamplingFrequency": 100, "Modality": "emg"}')
    assert words in _one_line_error(p)
    with pytest.raises(RecordingError, match=words):
        movement.info(p)
    assert main(["score", str(p), "--out", str(tmp_path / "out"), "-q"]) == 1
    summary = (tmp_path / "out" / "summary.tsv").read_text()
    assert words in summary and "internal" not in summary


@pytest.mark.parametrize("content", [b"", b"\x93NUMPY\x01\x00v\x00{'descr': '<f8', (((\n"])
def test_empty_or_garbled_npy_is_one_line_in_a_batch(tmp_path: Path, content: bytes) -> None:
    from movement.cli import main

    p = tmp_path / "bad.npy"
    p.write_bytes(content)
    assert main(["score", str(p), "--fs", "100", "--out", str(tmp_path / "out"), "-q"]) == 1
    summary = (tmp_path / "out" / "summary.tsv").read_text()
    assert "not a readable .npy file" in summary and "internal" not in summary


def test_a_sidecar_is_found_by_the_name_less_its_type(tmp_path) -> None:
    """``P01_2024.03.05.csv`` looked for ``P01_2024.json`` (the name up to the first dot),
    missed the ``P01_2024.03.05.json`` beside it, and asked for a sidecar; ``P02.day1.csv``
    took ``P02.json`` without a word."""
    rng = np.random.default_rng(1)
    x = 0.01 * rng.standard_normal((3000, 3)) + [0.0, 0.0, 1.0]
    body = "x,y,z\n" + "\n".join(",".join(f"{v:.5f}" for v in r) for r in x) + "\n"
    (tmp_path / "P01_2024.03.05.csv").write_text(body)
    (tmp_path / "P01_2024.03.05.json").write_text('{"SamplingFrequency": 100, "Modality": "accel"}')
    rec = movement.read(tmp_path / "P01_2024.03.05.csv")
    assert rec.fs == 100.0 and "sidecar" not in rec.notes
    # only the older rule's sidecar: read, and said
    (tmp_path / "P02.day1.csv").write_text(body)
    (tmp_path / "P02.json").write_text('{"SamplingFrequency": 50, "Modality": "accel"}')
    rec = movement.read(tmp_path / "P02.day1.csv")
    assert rec.fs == 50.0
    assert rec.notes["sidecar"] == (
        "sidecar P02.json read (the name up to the first dot; there is no P02.day1.json)"
    )
    # none: the error names the sidecar looked for
    (tmp_path / "P03.x.csv").write_text(body)
    with pytest.raises(RecordingError, match=r"SamplingFrequency \(P03\.x\.json\)"):
        movement.read(tmp_path / "P03.x.csv", modality="accel")
    # a .csv.gz takes the sidecar of its name less both suffixes
    assert movement.io.sidecar_path(tmp_path / "a.b.csv.gz").name == "a.b.json"
