"""EMG motion artefacts: low-band runs that no other segment covers become ``other``."""

import numpy as np
import pandas as pd

import movement
from movement.classify import apply_definitions
from movement.config import EMGConfig
from movement.features import context_features
from movement.segment import artefact_runs


def _emg_with_swing(fs: float = 2000.0, seconds: float = 30.0) -> np.ndarray:
    rng = np.random.default_rng(3)
    n = int(seconds * fs)
    x = rng.normal(0.0, 0.01, (n, 1))
    t = np.arange(n) / fs
    on = (t >= 12.0) & (t < 13.0)
    # a 4 Hz cable swing of 1 mV decaying over 1 s: below the 20-30 Hz EMG high-pass
    x[on, 0] += np.sin(2 * np.pi * 4 * (t[on] - 12.0)) * np.exp(-(t[on] - 12.0) / 0.33)
    return x


def test_artefact_runs_needs_both_ratios():
    fs = 1000.0
    low = np.full((10_000, 1), 0.001)
    low[5000:5500] = 0.5
    cfg = EMGConfig()
    assert artefact_runs(low, np.full((10_000, 1), 0.002), fs, cfg).tolist() == [[5000, 5500, 0]]
    # as strong in the EMG band: muscle activity, not an artefact
    sus = np.full((10_000, 1), 0.002)
    sus[5000:5500] = 0.5
    assert len(artefact_runs(low, sus, fs, cfg)) == 0
    # shorter than artefact_min_s (a heartbeat's low band)
    short = np.full((10_000, 1), 0.001)
    short[5000:5080] = 0.5
    assert len(artefact_runs(short, np.full((10_000, 1), 0.002), fs, cfg)) == 0
    # switched off
    assert len(artefact_runs(low, sus * 0, fs, cfg.replace(artefact_min_ratio=0.0))) == 0


def test_motion_artefact_is_an_other_event():
    x = _emg_with_swing()
    rec = movement.Recording(x, fs=2000.0, modality="emg")
    ev = movement.score(rec)
    art = ev[ev["scale"] == "artefact"]
    assert len(art) == 1
    assert art["trial_type"].iloc[0] == "other"
    assert 11.5 < art["onset"].iloc[0] < 12.3
    assert not ev["trial_type"].isin(["fasciculation-like", "dystonia-like"]).any()


def test_artefact_scale_is_never_a_target():
    X = pd.DataFrame({"scale": ["artefact", "brief"], "isolation_s": [5.0, 5.0]})
    p, why = apply_definitions(X, np.array([[0.8, 0.1, 0.1], [0.8, 0.1, 0.1]]), EMGConfig(), 2000.0)
    np.testing.assert_allclose(p[0], [0.0, 0.0, 1.0])
    np.testing.assert_allclose(p[1], [0.8, 0.1, 0.1])
    assert "motion artefact" in why[0]


def test_artefacts_do_not_crowd_their_neighbours():
    onset = np.array([10.0, 10.3, 20.0])
    offset = np.array([10.01, 10.8, 20.01])
    brief = np.array([True, False, True])
    ctx = context_features(onset, offset, brief, 60.0, np.array([False, True, False]))
    assert ctx["isolation_s"][0] > 9.0  # the artefact 0.29 s later does not count
    assert ctx["isolation_s"][1] < 0.5
