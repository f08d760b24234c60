"""What EMG's ECG removal found is recorded: events attrs, events JSON, summary row, review
page; the streamed and the piecewise paths record what the in-memory path does."""

from __future__ import annotations

import json

import numpy as np
import pytest

import movement
from movement import Recording
from movement.config import AccelConfig, EMGConfig
from movement.output import summarise, write_events
from movement.pipeline import ecg_summary
from movement.stream import score_stream

FS = 2000.0


def _ecg_emg(
    seconds: float = 240.0, bpm: float = 72.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two channels of sensor noise plus a QRS train (opposite polarity on channel 2)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * FS)
    rr = rng.normal(60.0 / bpm, 0.02 * 60.0 / bpm, int(seconds * bpm / 60) + 2)
    beats = np.round((0.5 + np.cumsum(rr)) * FS).astype(int)
    beats = beats[beats < n - int(0.3 * FS)]
    tt = np.arange(-int(0.05 * FS), int(0.05 * FS)) / FS
    qrs = np.exp(-((tt / 0.007) ** 2) / 2) - 0.3 * np.exp(-(((tt + 0.02) / 0.006) ** 2) / 2)
    qrs -= 0.4 * np.exp(-(((tt - 0.022) / 0.007) ** 2) / 2)
    ecg = np.zeros(n)
    idx = beats[:, None] + np.arange(-len(tt) // 2, len(tt) // 2)[None, :]
    ecg[idx] += np.broadcast_to(qrs, idx.shape)
    x = 0.003 * rng.standard_normal((n, 2)) + np.outer(ecg, [0.1, -0.06])
    return x, beats


def test_ecg_summary_counts_beats_rate_and_rhythm() -> None:
    beats = np.arange(0, 60 * 2000, 1500)  # 80 beats/min for 60 s
    whole = np.array([[0, 60 * 2000]])
    got = ecg_summary(beats, FS, whole)
    assert got == {
        "beats": 80,
        "heart_rate_bpm": 80.0,
        "rhythm_s": 59.25,
        "searched_s": 60.0,
        "not_searched": None,
    }
    # a pause longer than a heart period (40 beats/min) is not followed as rhythm
    split = np.concatenate([beats, beats[-1] + 10 * 2000 + beats])
    got = ecg_summary(split, FS, np.array([[0, 200 * 2000]]))
    assert got["beats"] == 160 and got["rhythm_s"] == pytest.approx(2 * 59.25)
    # duplicates (a beat in two stream cores cannot happen, but the count is of peaks)
    assert ecg_summary(np.concatenate([beats, beats]), FS, whole)["beats"] == 80
    assert ecg_summary(None, FS, whole) is None


def test_what_could_not_be_searched_is_not_called_no_heartbeat() -> None:
    """Under 40 s, or below 160 Hz, nothing is searched: beats None (n/a), not 0."""
    none = np.zeros(0, np.int64)
    short = ecg_summary(none, FS, np.array([[0, 39 * 2000]]))
    assert short["beats"] is None and short["searched_s"] == 0.0
    assert short["not_searched"] == "the recording is shorter than 40 s"
    slow = ecg_summary(none, 100.0, np.array([[0, 600 * 100]]))
    assert slow["beats"] is None and "below the 160 Hz" in slow["not_searched"]
    part = ecg_summary(none, FS, np.array([[0, 30 * 2000], [40 * 2000, 100 * 2000]]))
    assert part["beats"] == 0 and part["searched_s"] == 60.0
    assert part["not_searched"] == "1 of 2 pieces between long gaps are shorter than 40 s"


def test_score_records_the_heartbeat_it_removed(tmp_path) -> None:
    x, truth = _ecg_emg()
    ev = movement.score(Recording(x, fs=FS, modality="emg"), model="rules")
    ecg = ev.attrs["ecg"]
    assert abs(ecg["beats"] - len(truth)) <= 3
    assert ecg["heart_rate_bpm"] == pytest.approx(72.0, rel=0.03)
    assert ecg["rhythm_s"] > 0.9 * 240
    # the events JSON, the summary row
    write_events(ev, tmp_path, "rec")
    side = json.loads((tmp_path / "rec_events.json").read_text())
    assert side["recording"]["ecg"] == ecg
    row = summarise("rec.npy", ev)
    assert row["ecg_beats"] == ecg["beats"]
    assert row["heart_rate_bpm"] == ecg["heart_rate_bpm"]


def test_no_rhythm_is_zero_beats_and_removal_off_or_accel_is_not_recorded() -> None:
    rng = np.random.default_rng(1)
    noise = Recording(0.003 * rng.standard_normal((int(120 * FS), 2)), fs=FS, modality="emg")
    ev = movement.score(noise, model="rules")
    assert ev.attrs["ecg"] == {
        "beats": 0,
        "heart_rate_bpm": None,
        "rhythm_s": 0.0,
        "searched_s": 120.0,
        "not_searched": None,
    }
    assert summarise("n.npy", ev)["ecg_beats"] == 0
    # a short recording with a heartbeat: not searched, so n/a, and the page says why
    x, _ = _ecg_emg(30.0)
    short = movement.score(Recording(x, fs=FS, modality="emg"), model="rules")
    assert short.attrs["ecg"]["beats"] is None
    assert short.attrs["ecg"]["not_searched"] == "the recording is shorter than 40 s"
    assert summarise("short.npy", short)["ecg_beats"] is None
    x, _ = _ecg_emg(120.0)
    off = movement.score(
        Recording(x, fs=FS, modality="emg"), EMGConfig(ecg_removal=False), model="rules"
    )
    assert "ecg" not in off.attrs
    row = summarise("off.npy", off)
    assert row["ecg_beats"] is None and row["heart_rate_bpm"] is None
    still = 0.01 * rng.standard_normal((6000, 3)) + [0.0, 0.0, 1.0]
    acc = Recording(still, fs=100.0, modality="accel", units="g")
    assert "ecg" not in movement.score(acc, AccelConfig(), model="rules").attrs


def test_stream_records_the_same_beats_as_the_whole_recording() -> None:
    x, _ = _ecg_emg(480.0, bpm=64.0, seed=2)
    rec = Recording(x, fs=FS, modality="emg")
    whole = movement.score(rec, model="rules", stream=False)
    streamed = score_stream(rec, model="rules", window_s=120)
    assert streamed.attrs["stream"]["windows"] >= 2
    assert streamed.attrs["ecg"] == whole.attrs["ecg"]
    assert whole.attrs["ecg"]["beats"] > 400


def test_pieces_between_long_gaps_record_their_beats_together() -> None:
    x, _ = _ecg_emg(400.0, bpm=70.0, seed=3)
    x[int(150 * FS) : int(250 * FS)] = np.nan  # a 100 s gap: two pieces scored apart
    rec = Recording(x, fs=FS, modality="emg")
    whole = movement.score(rec, model="rules", stream=False)
    ecg = whole.attrs["ecg"]
    # ~300 s recorded at 70 beats/min, none in the gap
    assert 300 <= ecg["beats"] <= 355
    assert ecg["searched_s"] == 300.0 and ecg["not_searched"] is None
    assert ecg["heart_rate_bpm"] == pytest.approx(70.0, rel=0.03)
    assert ecg["rhythm_s"] < 300
    streamed = score_stream(rec, model="rules", window_s=120)
    assert streamed.attrs["ecg"] == ecg


def test_review_page_says_what_ecg_removal_found(tmp_path) -> None:
    from movement.report import write_report

    x, _ = _ecg_emg(120.0)
    rec = Recording(x, fs=FS, modality="emg", source="ecg.npy")
    ev = movement.score(rec, model="rules")
    page = write_report(rec, ev, tmp_path / "page.html")
    html = page.read_text()
    assert "<dt>ECG</dt>" in html
    assert f"{ev.attrs['ecg']['beats']} R peaks found and subtracted" in html
