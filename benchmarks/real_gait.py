"""What movement calls the real gait recordings of the Daphnet freezing-of-gait dataset.

Parkinson's patients in a lab protocol (straight walking, turns, daily activities), three
tri-axial accelerometers (ankle, thigh, trunk) at 64 Hz in mg, each sample annotated
0 (not part of the experiment: between trials), 1 (experiment, no freeze), 2 (freeze).
No dystonia is annotated: this measures how much of real walking (labels 1-2) and of the
time between trials (label 0) each model calls dystonia-like, and how many
fasciculation-like events per hour it reports, per recording and sensor. The sensors are
not at the wrist the trained model was simulated for; read the numbers as what to expect
from gait-heavy recordings, not as an accuracy.

Usage::

    python benchmarks/real_gait.py [FOLDER]   # default ../shared/data/real/daphnet_fog

Needs the Daphnet files (``S01R02.txt`` ...; see that folder's SOURCES.md: cite Bächlin
et al. 2010). Prints one row per recording x sensor x model, then the means.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import movement

FS = 64.0
SENSORS = {"ankle": [1, 2, 3], "thigh": [4, 5, 6], "trunk": [7, 8, 9]}


def _covered(onset: np.ndarray, duration: np.ndarray, n: int) -> np.ndarray:
    """Samples inside any of the events (a difference array: no loop over samples)."""
    d = np.zeros(n + 1, np.int64)
    a = np.clip(np.round(onset * FS).astype(np.int64), 0, n)
    b = np.clip(np.round((onset + duration) * FS).astype(np.int64), 0, n)
    np.add.at(d, a, 1)
    np.add.at(d, b, -1)
    return np.cumsum(d[:-1]) > 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    here = Path(__file__).resolve().parent.parent
    folder = Path(args[0]) if args else here.parent / "shared" / "data" / "real" / "daphnet_fog"
    files = sorted(folder.glob("S*R*.txt"))
    if not files:
        print(f"no Daphnet files (S*R*.txt) in {folder}", file=sys.stderr)
        return 2
    rows = []
    for path in files:  # loop over the recordings
        raw = np.loadtxt(path)
        label = raw[:, 10]
        walk = label >= 1
        hours = len(raw) / FS / 3600
        for sensor, cols in SENSORS.items():  # loop over the three sensors
            rec = movement.Recording(
                raw[:, cols], fs=FS, modality="accel", units="mg", channels=("x", "y", "z"),
                source=f"{path.name}:{sensor}",
            )  # fmt: skip
            for model in ("default", "rules"):  # loop over the two classifiers
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    ev = movement.score(rec, model=model)
                dyst = ev[ev["trial_type"] == "dystonia-like"]
                cover = _covered(dyst["onset"].to_numpy(), dyst["duration"].to_numpy(), len(raw))
                fasc = ev[ev["trial_type"] == "fasciculation-like"]
                rows.append(
                    {
                        "file": path.stem,
                        "sensor": sensor,
                        "model": model,
                        "minutes": round(len(raw) / FS / 60, 1),
                        "dystonia_events": len(dyst),
                        "dystonia_share_of_walking": round(float(cover[walk].mean()), 3),
                        "dystonia_share_between_trials": round(float(cover[~walk].mean()), 3)
                        if (~walk).any()
                        else float("nan"),
                        "fasciculation_per_h": round(len(fasc) / hours, 1),
                        "fasciculation_flagged": round(float(fasc["review"].mean()), 2)
                        if len(fasc)
                        else float("nan"),
                    }
                )
    df = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    print(f"movement {movement.__version__}; {len(files)} Daphnet recordings in {folder}")
    print(df.to_string(index=False))
    cols = ["dystonia_share_of_walking", "dystonia_share_between_trials", "fasciculation_per_h"]
    print("\nmeans per sensor and model")
    print(df.groupby(["sensor", "model"])[cols].mean().round(3).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
