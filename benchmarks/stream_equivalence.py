"""Streamed = whole on random simulated recordings: a search for what the tests' fixed cases miss.

Each seed draws a recording (accelerometry: 25-100 Hz, one or two tri-axial sensors,
gaps; EMG: 200 Hz to 2 kHz, 1-4 channels, ECG removal on or off, a 50 Hz notch, gaps),
scores it whole (:func:`movement.score`) and in windows (:func:`movement.stream.score_stream`,
a random window length and one or two threads), and compares the events as the tests do
(``tests/test_stream.assert_same_events``: same count, onsets within a sample, same labels,
features to float tolerance). Prints every seed that differs, then a summary line.

    python benchmarks/stream_equivalence.py accel 0 200
    python benchmarks/stream_equivalence.py emg 0 100

Not part of the test suite (minutes, not seconds); run it after changing a step's reach.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import movement
from movement import Recording
from movement.config import EMGConfig
from movement.simulate import simulate
from movement.stream import score_stream

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_stream import assert_same_events  # noqa: E402


def _accel(seed: int) -> tuple[Recording, object, float, int]:
    rng = np.random.default_rng(seed + 77)
    fs = float(rng.choice([25.0, 30.0, 50.0, 64.0, 100.0]))
    dur = float(rng.uniform(600, 2400))
    window_s = float(rng.choice([200, 300, 600]))
    x = simulate("accel", dur, seed=seed + 9000, fs=fs).recording.data.copy()
    for _ in range(int(rng.integers(0, 4))):  # loop over a few gaps
        i = int(rng.integers(0, len(x) - 2))
        x[i : i + int(rng.uniform(0.1, 120) * fs)] = np.nan
    if rng.random() < 0.3:
        x = np.hstack([x, x[:, [1, 2, 0]] * 0.9])  # a second sensor
    return Recording(x, fs=fs, modality="accel"), None, window_s, int(rng.integers(1, 3))


def _emg(seed: int) -> tuple[Recording, object, float, int]:
    rng = np.random.default_rng(seed + 333)
    fs = float(rng.choice([1000.0, 2000.0]))
    dur = float(rng.uniform(250, 500))
    k = int(rng.integers(1, 5))
    x = simulate("emg", dur, seed=seed + 12000, fs=fs, n_channels=k).recording.data.copy()
    if rng.random() < 0.3:  # a 200 Hz armband: block means
        q = int(fs // 200)
        n = len(x) // q
        x = x[: n * q].reshape(n, q, k).mean(axis=1)
        fs = 200.0
    for _ in range(int(rng.integers(0, 4))):  # loop over a few gaps
        i = int(rng.integers(0, len(x) - 2))
        x[i : i + int(rng.uniform(0.01, 100) * fs)] = np.nan
    cfg = EMGConfig(
        ecg_removal=bool(rng.random() < 0.7), notch_hz=50.0 if rng.random() < 0.3 else None
    )
    window_s = float(rng.choice([30, 60, 120]))
    return Recording(x, fs=fs, modality="emg"), cfg, window_s, int(rng.integers(1, 3))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("modality", choices=["accel", "emg"])
    ap.add_argument("first", type=int, help="first seed")
    ap.add_argument("stop", type=int, help="seed after the last")
    args = ap.parse_args(argv)
    draw = _accel if args.modality == "accel" else _emg
    bad = []
    t0 = time.perf_counter()
    for seed in range(args.first, args.stop):  # loop over the seeds
        rec, cfg, window_s, threads = draw(seed)
        try:
            whole = movement.score(rec, cfg)
            streamed = score_stream(rec, cfg, window_s=window_s, threads=threads)
            assert_same_events(whole, streamed, rec.fs)
        except Exception as exc:  # noqa: BLE001 - a crash is a finding too
            bad.append(seed)
            detail = [type(exc).__name__] + str(exc).strip().splitlines()[:3]
            print(f"seed {seed}: {rec.fs:g} Hz, {rec.duration:.0f} s, {rec.data.shape[1]} "
                  f"channels, window {window_s:g} s, {threads} thread(s): {' '.join(detail)}")  # fmt: skip
    n = args.stop - args.first
    print(
        f"{args.modality}: {n - len(bad)} of {n} equal"
        + (f"; differ: {bad}" if bad else "")
        + f" ({time.perf_counter() - t0:.0f} s)"
    )
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
