"""The Recording: validation at construction, derived values."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from movement import Recording, RecordingError
from movement.recording import MAX_GAP_S, MIN_DURATION_S


def test_shapes_names_and_derived_values() -> None:
    rec = Recording(np.zeros(500), fs=100, modality="emg", source="/x/arm.emg.csv")
    assert rec.data.shape == (500, 1)
    assert rec.channels == ("ch1",)
    assert rec.n_samples == 500 and rec.n_channels == 1
    assert rec.duration == pytest.approx(5.0)
    assert rec.name == "arm"
    assert "100 Hz" in repr(rec) and "5.0 s" in repr(rec)

    acc = Recording(np.zeros((300, 3)), fs=100, modality="accel")
    assert acc.channels == ("x", "y", "z")
    assert acc.name == "recording"
    six = Recording(np.zeros((300, 6)), fs=100, modality="accel")
    assert six.channels == tuple(f"ch{i}" for i in range(1, 7))


def test_integer_data_becomes_float_and_names_are_strings() -> None:
    raw = np.arange(600, dtype=np.int16).reshape(300, 2)
    rec = Recording(raw, fs=100.0, modality="emg", channels=[1, 2], start=datetime(2020, 1, 1))
    assert rec.data.dtype == np.float64
    assert rec.channels == ("1", "2")
    np.testing.assert_array_equal(rec.data, raw)
    assert isinstance(rec.fs, float)


def test_gaps_mask_marks_any_missing_channel() -> None:
    x = np.ones((400, 2))
    x[10:20, 1] = np.nan
    rec = Recording(x, fs=100, modality="emg")
    assert rec.gaps.sum() == 10
    assert rec.gaps[10:20].all() and not rec.gaps[:10].any()


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        (dict(data=np.zeros((0, 2))), "empty"),
        (dict(data=np.zeros((300, 0))), "no channels"),
        (dict(data=np.array([["a", "b"]] * 300)), "real numbers"),
        (dict(data=np.zeros(300) + 1j), "real numbers"),
        (dict(data=np.zeros((10, 10, 10))), "1-D or 2-D"),
        (dict(fs=0), "> 0 Hz"),
        (dict(fs=-100), "> 0 Hz"),
        (dict(fs=float("nan")), "> 0 Hz"),
        (dict(fs="fast"), "must be a number"),
        (dict(modality="eeg"), "modality must be one of"),
        (dict(data=np.zeros(150)), "too short"),
        (dict(data=np.full(300, np.inf)), "infinite"),
        (dict(data=np.full(300, np.nan)), "every sample is missing"),
        (dict(channels=("a", "b")), "2 channel names for 1 channels"),
    ],
)
def test_invalid_recordings_raise_one_line_errors(kwargs: dict, fragment: str) -> None:
    args = dict(data=np.zeros(300), fs=100, modality="emg", source="rec.csv") | kwargs
    with pytest.raises(RecordingError) as info:
        Recording(**args)
    msg = str(info.value)
    assert fragment in msg
    assert msg.startswith("rec.csv: ")
    assert "\n" not in msg
    assert info.value.source == "rec.csv"


def test_too_short_is_measured_in_seconds_not_samples() -> None:
    fs = 1000.0
    n_ok = int(MIN_DURATION_S * fs)
    Recording(np.zeros(n_ok), fs=fs, modality="emg")  # exactly the minimum is accepted
    with pytest.raises(RecordingError, match="too short"):
        Recording(np.zeros(n_ok - 1), fs=fs, modality="emg")


def test_gap_longer_than_limit_splits_into_pieces_shorter_is_kept() -> None:
    fs = 10.0
    n = int((MAX_GAP_S + 20) * fs)
    x = np.ones(n)
    x[50 : 50 + int((MAX_GAP_S + 1) * fs)] = np.nan
    rec = Recording(x, fs=fs, modality="accel")
    assert rec.pieces.tolist() == [[0, 50], [50 + int((MAX_GAP_S + 1) * fs), n]]
    y = np.ones(n)
    y[50 : 50 + int((MAX_GAP_S - 1) * fs)] = np.nan
    rec = Recording(y, fs=fs, modality="accel")
    assert rec.gaps.sum() == int((MAX_GAP_S - 1) * fs)
    assert rec.pieces.tolist() == [[0, n]]


def test_pieces_shorter_than_the_minimum_are_left_out() -> None:
    fs = 10.0
    short = int(MIN_DURATION_S * fs) - 1
    n = short + int((MAX_GAP_S + 1) * fs) + 100
    x = np.ones(n)
    x[short : n - 100] = np.nan  # a piece too short, a long gap, then 10 s
    assert Recording(x, fs=fs, modality="accel").pieces.tolist() == [[n - 100, n]]
    z = np.ones(n)
    z[short : n - short] = np.nan  # nothing long enough either side
    with pytest.raises(RecordingError, match="no stretch of at least"):
        Recording(z, fs=fs, modality="accel")


def test_piece_is_a_view_with_its_start_moved() -> None:
    from datetime import datetime, timedelta

    t0 = datetime(2026, 1, 1, 8, 0, 0)
    rec = Recording(np.arange(100.0), fs=10.0, modality="emg", start=t0, source="f.csv")
    p = rec.piece(30, 80)
    assert np.shares_memory(p.data, rec.data) and p.n_samples == 50
    assert p.start == t0 + timedelta(seconds=3) and p.source == "f.csv"
    assert p.notes["piece"] == "samples 30-80 of 100"


def test_too_few_usable_samples_is_rejected() -> None:
    x = np.ones(1000)
    x[:900] = np.nan  # 1 s of data left at 100 Hz; the gap itself is short enough
    with pytest.raises(RecordingError, match="too few usable"):
        Recording(x, fs=100, modality="emg")


def test_a_piece_mostly_missing_is_left_out_and_scoring_goes_on() -> None:
    """3 s between two long gaps, 1.5 s of them missing: no piece there (found by
    benchmarks/stream_equivalence.py: scoring raised 'too few usable samples')."""
    import movement
    from movement.stream import score_stream

    fs = 50.0
    x = np.random.default_rng(0).normal(0, 0.01, (int(400 * fs), 3))
    x[:, 2] += 1.0  # a still wrist sensor
    a = int(100 * fs)
    x[a : a + int(70 * fs)] = np.nan  # a long gap
    b = a + int(70 * fs)
    x[b + int(0.5 * fs) : b + int(2.0 * fs)] = np.nan  # 1.5 s missing of the next 3 s
    x[b + int(3 * fs) : b + int(75 * fs)] = np.nan  # another long gap
    rec = Recording(x, fs=fs, modality="accel")
    assert (rec.pieces / fs).tolist() == [[0.0, 100.0], [245.0, 400.0]]
    whole = movement.score(rec, model="rules")
    assert whole.attrs["recorded_duration"] == pytest.approx(255.0)
    streamed = score_stream(rec, model="rules", window_s=150)
    assert len(streamed) == len(whole)


def test_declared_units_the_magnitude_overrules_are_warned(tmp_path) -> None:
    """Data in g declared as m/s^2 (a real file's header did): read as g, and said aloud."""
    import warnings

    import movement

    rng = np.random.default_rng(0)
    x = rng.normal(0, 0.01, (3000, 3)) + [0.0, 0.0, 1.0]
    with pytest.warns(UserWarning, match="the declared 'm/s\\^2' does not fit the magnitude"):
        rec = Recording(x, fs=100.0, modality="accel", units="m/s^2")
    assert rec.units == "g" and abs(np.median(rec.data[:, 2]) - 1.0) < 0.01
    csv = tmp_path / "a.csv"
    np.savetxt(csv, x, delimiter=",", header="x,y,z", comments="")
    (tmp_path / "a.json").write_text('{"SamplingFrequency": 100, "Units": "m/s^2"}')
    with pytest.warns(UserWarning, match="a.csv: accelerometer units detected as g"):
        movement.read(csv, modality="accel")
    # a declared unit that fits: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Recording(x * 9.80665, fs=100.0, modality="accel", units="m/s^2")


def test_an_infinite_value_is_located() -> None:
    """The error said only "data contains infinite values": in a 7 h file, where?"""
    from movement.errors import RecordingError

    x = np.zeros((1000, 3))
    x[5, 2] = np.inf
    x[7, 0] = -np.inf
    with pytest.raises(
        RecordingError, match=r"\(2 values; the first at sample 5 \(0\.05 s\), channel index 2\)$"
    ):
        Recording(x, 100.0, modality="accel")
    with pytest.raises(RecordingError, match=r"channel 'c'\)$"):
        Recording(x, 100.0, modality="accel", channels=("a", "b", "c"))


def test_channels_are_named_once_and_from_a_dataframe() -> None:
    """Duplicate names were accepted (an event's channel then named two, per-channel
    tables counted it twice); a DataFrame's column names were replaced by ch1, ch2."""
    import pandas as pd

    x = np.random.default_rng(0).normal(0, 0.01, (4000, 2))
    with pytest.raises(RecordingError, match="channel name 'a' is given more than once$"):
        Recording(x, 2000.0, modality="emg", channels=["a", "a"])
    rec = Recording(pd.DataFrame(x, columns=["biceps", "triceps"]), 2000.0, modality="emg")
    assert rec.channels == ("biceps", "triceps")
    assert Recording(pd.DataFrame(x), 2000.0, modality="emg").channels == ("0", "1")


def test_a_dead_channel_is_named_and_a_one_channel_gap_is_said() -> None:
    """A channel all NaN made the whole recording 'every sample is missing'; NaNs on one
    channel silently removed the other channels' events there (gaps are shared)."""
    x = np.random.default_rng(0).normal(0, 0.01, (40000, 2))
    x[:, 1] = np.nan
    with pytest.raises(RecordingError, match=r"^channel 'b' holds no samples \(all NaN\): leave"):
        Recording(x, 2000.0, modality="emg", channels=["a", "b"])
    x[20000:, 1] = 0.0
    with pytest.warns(
        UserWarning, match="samples missing on channel 'b' only are missing on every"
    ):
        rec = Recording(x, 2000.0, modality="emg", channels=["a", "b"])
    assert np.isnan(rec.data[:20000, 1]).all()
    x[:] = np.nan  # (every channel: the existing message)
    with pytest.raises(RecordingError, match="every sample is missing"):
        Recording(x, 2000.0, modality="emg")
