"""Streamed = whole on random simulated recordings: a search for what the tests' fixed cases miss.

Each seed draws a recording (accelerometry: 25-100 Hz, or with ``--rates sparse`` 85.7-150 Hz
and 1.5-3 h, one or two tri-axial sensors,
gaps and dropouts; EMG: 200 Hz to 2 kHz, 1-4 channels, ECG removal on or off, a 50 Hz notch,
gaps and dropouts),
scores it whole (:func:`movement.score`) and in windows (:func:`movement.stream.score_stream`,
a random window length and one or two threads), and compares the events as the tests do
(``tests/test_stream.assert_same_events``: same count, onsets within a sample, same labels,
features to float tolerance). Prints every seed that differs, then a summary line.

    python benchmarks/stream_equivalence.py accel 0 200
    python benchmarks/stream_equivalence.py emg 0 100
    python benchmarks/stream_equivalence.py accel 0 200 --settings random
    python benchmarks/stream_equivalence.py accel 0 40 --rates sparse

With ``--settings random`` each seed also draws its settings (filter bands and orders,
baseline windows, envelope and detector windows, the orientation median or none, merge
and length rules, calibration and non-wear on or off): every setting a user can change
must keep streamed = whole, so the stream's overlap must follow them.

Not part of the test suite (minutes, not seconds); run it after changing a step's reach.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import sys
import time
from pathlib import Path

import numpy as np

import movement
from movement import Recording
from movement.config import AccelConfig, EMGConfig
from movement.simulate import simulate
from movement.stream import score_stream

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_stream import assert_same_events  # noqa: E402


def _dropouts(x: np.ndarray, seed: int) -> None:
    """In about half the recordings, scattered runs of 1-6 missing samples (a wireless
    link's lost packets), some bridged and some not (their own generator: the rest of a
    seed's recording is as before)."""
    rng = np.random.default_rng(seed + 4242)
    if rng.random() < 0.5:
        return
    n = len(x)
    starts = np.sort(rng.choice(n - 8, int(n * rng.uniform(0.001, 0.05)), replace=False))
    for a, k in zip(starts, rng.integers(1, 7, len(starts)), strict=True):  # the dropouts
        x[a : a + k] = np.nan


#: Rates whose blocks and update steps meet rarely (``--rates sparse``): the overlap is
#: whole 0.5 s blocks there and the cores are offset (:func:`movement.stream.plan`).
SPARSE_RATES = (85.7, 90.0, 128.0, 150.0)


def _accel(seed: int, rates: str = "common") -> tuple[Recording, object, float, int]:
    rng = np.random.default_rng(seed + 77)
    if rates == "sparse":
        from movement.stream import _alignment

        fs = float(rng.choice(SPARSE_RATES))
        step = _alignment(fs, AccelConfig()) / fs  # (3161 s at 85.7 Hz)
        dur = float(rng.uniform(max(600, 2.2 * step), max(2400, 3.5 * step)))
    else:
        fs = float(rng.choice([25.0, 30.0, 50.0, 64.0, 100.0]))
        dur = float(rng.uniform(600, 2400))
    window_s = float(rng.choice([200, 300, 600]))
    x = simulate("accel", dur, seed=seed + 9000, fs=fs).recording.data.copy()
    for _ in range(int(rng.integers(0, 4))):  # loop over a few gaps
        i = int(rng.integers(0, len(x) - 2))
        x[i : i + int(rng.uniform(0.1, 120) * fs)] = np.nan
    _dropouts(x, seed)
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
    _dropouts(x, seed)
    cfg = EMGConfig(
        ecg_removal=bool(rng.random() < 0.7), notch_hz=50.0 if rng.random() < 0.3 else None
    )
    window_s = float(rng.choice([30, 60, 120]))
    return Recording(x, fs=fs, modality="emg"), cfg, window_s, int(rng.integers(1, 3))


def _random_accel(rng: np.random.Generator) -> AccelConfig:
    """Accelerometer settings drawn around the defaults (every one a user can set)."""
    u = rng.uniform
    pick = rng.choice
    win = float(u(2.0, 5.0))
    return dataclasses.replace(
        AccelConfig(),
        orientation_median_s=[None, 0.5, 1.0, 2.0, 4.0][int(rng.integers(5))],
        motion_highpass_hz=float(u(0.5, 2.0)),
        gravity_cutoff_hz=float(u(0.15, 0.5)),
        band_high_hz=float(pick([15.0, 20.0, 40.0])),
        filter_order=int(pick([2, 4])),
        baseline_window_s=float(pick([60.0, 120.0, 300.0, 600.0])),
        brief_rms_s=float(u(0.05, 0.2)),
        sustained_rms_s=float(u(0.25, 1.0)),
        twitch_windows_s=[None, (0.1,), (0.1, 0.2, 0.4), (0.2, 0.4, 0.8)][int(rng.integers(4))],
        periodic_window_s=win,
        periodic_hop_s=float(u(0.25, min(1.0, win / 2))),
        merge_gap_s=float(u(0.2, 1.0)),
        min_sustained_s=float(u(0.5, 3.0)),
        calibrate=bool(rng.random() < 0.5),
        nonwear_window_s=None if rng.random() < 0.3 else 3600.0,
        k_on=float(u(3.0, 5.0)),
        k_off=float(u(1.5, 2.5)),
        brief_snr_on_db=float(u(4.0, 9.0)),
        min_brief_s=float(u(0.03, 0.1)),
        max_brief_s=float(u(0.5, 2.0)),
        isolation_s=float(u(0.5, 5.0)),
        burst_chain_gap_s=float(u(0.5, 3.0)),
        other_bout_gap_s=float(u(0.25, 2.0)),
        posture_min_deg=float(u(7.0, 15.0)),
        posture_steady_deg=float(u(2.0, 5.0)),
        posture_sharp_steady_s=float(u(0.25, 1.0)),
        bridge_gap_s=float(pick([0.0, 0.02, 0.04, 0.1])),
    )


def _random_emg(rng: np.random.Generator, cfg: EMGConfig) -> EMGConfig:
    """EMG settings drawn around the defaults (``cfg``'s ECG and notch choices kept)."""
    u = rng.uniform
    pick = rng.choice
    return dataclasses.replace(
        cfg,
        band_low_hz=float(u(10.0, 40.0)),
        band_high_hz=float(u(300.0, 500.0)),
        filter_order=int(pick([2, 4])),
        baseline_window_s=float(pick([20.0, 60.0, 120.0])),
        brief_rms_s=float(u(0.005, 0.02)),
        sustained_rms_s=float(u(0.05, 0.3)),
        muap_windows_s=[(0.004, 0.008, 0.016), (0.008,), (0.004, 0.016, 0.032)][
            int(rng.integers(3))
        ],
        muap_whitening_order=int(pick([16, 32])),
        sustained_window_s=[None, 0.5, 1.0, 2.0][int(rng.integers(4))],
        merge_gap_s=float(u(0.1, 0.6)),
        min_sustained_s=float(u(0.2, 1.0)),
        k_on=float(u(2.5, 4.0)),
        k_off=float(u(1.2, 2.0)),
        sustained_block_s=float(pick([0.02, 0.025, 0.05])),
        artefact_min_s=float(u(0.1, 0.3)),
        min_brief_s=float(u(0.002, 0.005)),
        max_brief_s=float(u(0.05, 0.12)),
        isolation_s=float(u(0.1, 1.0)),
        other_bout_gap_s=float(u(0.25, 2.0)),
        bridge_gap_s=float(pick([0.0, 0.001, 0.0025, 0.005])),
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("modality", choices=["accel", "emg"])
    ap.add_argument("first", type=int, help="first seed")
    ap.add_argument("stop", type=int, help="seed after the last")
    ap.add_argument(
        "--settings", choices=["default", "random"], default="default",
        help="the default settings, or settings drawn per seed",
    )  # fmt: skip
    ap.add_argument(
        "--max-segment-s", type=float, default=None,
        help="score_stream's max_segment_s (small: segments crossing a core's end take "
        "longer slices, from one overlap before them, far more often)",
    )  # fmt: skip
    ap.add_argument(
        "--rates", choices=["common", "sparse"], default="common",
        help="accelerometry: 25-100 Hz, or 85.7, 90, 128 and 150 Hz, whose alignment "
        "steps (550-3161 s) are longer than half the overlap (longer recordings)",
    )  # fmt: skip
    args = ap.parse_args(argv)
    more = {} if args.max_segment_s is None else {"max_segment_s": args.max_segment_s}
    draw = functools.partial(_accel, rates=args.rates) if args.modality == "accel" else _emg
    bad = []
    windows: list[int] = []  # windows per streamed recording (1: nothing was cut)
    late = ext = 0  # longer slices taken (from one overlap before a running segment)
    t0 = time.perf_counter()
    for seed in range(args.first, args.stop):  # loop over the seeds
        rec, cfg, window_s, threads = draw(seed)
        if args.settings == "random":
            rng = np.random.default_rng(seed + 555)
            cfg = _random_accel(rng) if rec.modality == "accel" else _random_emg(rng, cfg)
        try:
            whole = movement.score(rec, cfg, stream=False)
            streamed = score_stream(rec, cfg, window_s=window_s, threads=threads, **more)
            windows.append(streamed.attrs["stream"]["windows"])
            ext += streamed.attrs["stream"].get("extensions", 0)
            late += streamed.attrs["stream"].get("late_slices", 0)
            assert_same_events(whole, streamed, rec.fs)
        except Exception as exc:  # noqa: BLE001 - a crash is a finding too
            bad.append(seed)
            detail = [type(exc).__name__] + str(exc).strip().splitlines()[:3]
            print(f"seed {seed}: {rec.fs:g} Hz, {rec.duration:.0f} s, {rec.data.shape[1]} "
                  f"channels, window {window_s:g} s, {threads} thread(s): {' '.join(detail)}")  # fmt: skip
    n = args.stop - args.first
    print(
        f"{args.modality}: {n - len(bad)} of {n} equal"
        + f" ({sum(w > 1 for w in windows)} streamed in 2 or more windows; {ext} longer "
        f"slices, {late} of them from before the running segment)"
        + (f"; differ: {bad}" if bad else "")
        + f" ({time.perf_counter() - t0:.0f} s)"
    )
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
