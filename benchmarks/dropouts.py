"""Event F1 with lost samples: dropouts bridged (the default) against bridging off.

Simulated recordings (dev seeds, never the held-out ones) are scored clean, then with
scattered runs of 1-3 missing samples (a wireless link's lost packets) at a given share
of the samples, with the default ``bridge_gap_s`` and with ``bridge_gap_s = 0`` (every
dropout a gap no event may span). Prints the pooled event F1 per target class (movement's
``evaluate``: onset collars, offsets for sustained events) and the number of events.

Usage::

    python benchmarks/dropouts.py [N_RECORDINGS] [MINUTES]   # default 6 recordings x 5 min
    python benchmarks/dropouts.py --also 0.04,0.0025   # and bridged at other accel,EMG values

The dropouts come from their own generator (seed + 4242): the same recording and the same
holes for both settings.
"""

from __future__ import annotations

import sys
import time
import warnings

import numpy as np
import pandas as pd

import movement
from movement.config import Settings
from movement.evaluate import evaluate
from movement.simulate import simulate

SEED0 = 700_000  # dev seeds (as the config notes' measurements), not the held-out 900000+
LOSS = (0.01, 0.05)  # share of samples lost


def _with_dropouts(x: np.ndarray, share: float, seed: int) -> np.ndarray:
    """``x`` with runs of 1-3 missing samples covering about ``share`` of its rows."""
    rng = np.random.default_rng(seed + 4242)
    n = len(x)
    k = int(n * share / 2)  # (runs of 2 samples on average)
    starts = np.sort(rng.choice(n - 4, k, replace=False))
    length = rng.integers(1, 4, k)
    marks = np.zeros(n + 1, np.int64)  # a difference array: no loop over samples
    np.add.at(marks, starts, 1)
    np.add.at(marks, starts + length, -1)
    y = np.array(x, dtype=np.float64)
    y[np.cumsum(marks[:-1]) > 0] = np.nan
    return y


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", nargs="?", type=int, default=6, help="recordings per modality")
    ap.add_argument("minutes", nargs="?", type=float, default=5.0, help="minutes each")
    ap.add_argument(
        "--also", metavar="ACCEL_S,EMG_S",
        help="also score with these bridge_gap_s values (e.g. 0.04,0.0025)",
    )  # fmt: skip
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)
    n_rec, minutes = args.n, args.minutes
    also = [float(v) for v in args.also.split(",")] if args.also else None
    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    print(f"{n_rec} simulated recordings x {minutes:g} min per modality, seeds {SEED0}+")
    print("modality  condition                 F1 fasc  F1 dyst  events (true)")
    for j, modality in enumerate(("accel", "emg")):  # loop over the two modalities
        off = Settings(**{modality: {"bridge_gap_s": 0}})
        other = Settings(**{modality: {"bridge_gap_s": also[j]}}) if also else None
        preds: dict[str, list[pd.DataFrame]] = {}
        truths, durations = [], []
        for k in range(n_rec):  # loop over the recordings
            sim = simulate(modality, minutes * 60, seed=SEED0 + k)
            rec = sim.recording
            truths.append(sim.events)
            durations.append(rec.duration)
            runs = {"clean": (rec, None)}
            for share in LOSS:  # loop over the losses
                x = _with_dropouts(rec.data, share, SEED0 + k)
                lossy = movement.Recording(x, fs=rec.fs, modality=modality, channels=rec.channels)
                runs[f"{share:.0%} lost, bridged"] = (lossy, None)
                if other is not None:
                    runs[f"{share:.0%} lost, at {also[j]:g} s"] = (lossy, other)
                runs[f"{share:.0%} lost, not bridged"] = (lossy, off)
            for name, (r, cfg) in runs.items():  # loop over the conditions
                preds.setdefault(name, []).append(movement.score(r, cfg, stream=False))
        for name, evs in preds.items():  # loop over the conditions
            tp = fp = fn = np.zeros(2)
            n_pred = 0
            for ev, truth, dur in zip(evs, truths, durations, strict=True):
                res = evaluate(ev, truth, duration=dur, modality=modality)
                t = res.events.loc[["fasciculation-like", "dystonia-like"]]
                tp = tp + t["tp"].to_numpy(float)
                fp = fp + t["fp"].to_numpy(float)
                fn = fn + t["fn"].to_numpy(float)
                n_pred += len(ev)
            # (no event of a class on either side: no F1, as evaluate reports it)
            some = tp + fp + fn > 0
            f1 = [f"{2 * a / (2 * a + b + c):7.3f}" if s else "    n/a" for a, b, c, s in
                  zip(tp, fp, fn, some, strict=True)]  # fmt: skip
            n_true = sum(len(t) for t in truths)
            print(f"{modality:8s}  {name:24s}  {f1[0]}  {f1[1]}  {n_pred} ({n_true})")
    print(f"({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
