"""EMG motion artefacts: low-band runs that no other segment covers become ``other``."""

import numpy as np
import pandas as pd
import pytest

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


def test_artefact_run_holds_through_its_tail():
    fs = 1000.0
    low = np.full((10_000, 1), 0.001)
    low[5000:5500] = 0.5
    low[5500:6000] = 0.02  # the recovery: 20x its baseline, 4 % of the peak
    low[6000:6500] = 0.01  # 10x its baseline but 2 % of the peak (band-pass ringing)
    sus = np.full((10_000, 1), 0.01)  # the recovery is below the EMG-band ratio
    cfg = EMGConfig()
    assert artefact_runs(low, sus, fs, cfg).tolist() == [[5000, 6000, 0]]
    # switched off: the run ends with the EMG-band ratio
    off = cfg.replace(artefact_tail_peak_fraction=1.0)
    assert artefact_runs(low, sus, fs, off).tolist() == [[5000, 5500, 0]]
    # a sustained segment stops the tail where it starts
    busy = np.zeros(10_000, dtype=bool)
    busy[5800:7000] = True
    assert artefact_runs(low, sus, fs, cfg, busy=busy).tolist() == [[5000, 5800, 0]]


def _emg_with(kind: str, amp: float, tau: float, fs: float = 2000.0) -> np.ndarray:
    """30 s of EMG noise with an artefact at 12 s decaying with time constant ``tau``."""
    rng = np.random.default_rng(4)
    x = rng.normal(0.0, 0.01, (int(30 * fs), 1))
    t = np.arange(x.shape[0]) / fs
    u = t[t >= 12.0] - 12.0
    shape = np.sin(2 * np.pi * 2.0 * u) if kind == "swing" else 1.0  # 2 Hz cable swing
    x[t >= 12.0, 0] += amp * np.exp(-u / tau) * shape
    return x


def _artefact_stop(x: np.ndarray, **cfg: float) -> float:
    rec = movement.Recording(x, fs=2000.0, modality="emg")
    ev = movement.score(rec, settings=EMGConfig().replace(**cfg))
    art = ev[ev["scale"] == "artefact"]
    assert len(art) == 1
    return float(art["onset"].iloc[0] + art["duration"].iloc[0])


def test_artefact_lasts_through_its_recovery():
    # a 0.3 mV swing decaying with tau 0.5 s: within 5 % of its start after 3 tau (13.5 s)
    x = _emg_with("swing", 0.3, 0.5)
    assert abs(_artefact_stop(x) - 13.5) < 0.2
    # without the tail the EMG-band ratio ends it half a second early
    assert _artefact_stop(x, artefact_tail_peak_fraction=1.0) < 13.1
    # a baseline step recovering with tau 0.4 s has little content in the 1-15 Hz band;
    # the tail still holds it ~0.5 s longer (until the band-pass's ringing)
    step = _emg_with("step", 0.5, 0.4)
    assert _artefact_stop(step) > _artefact_stop(step, artefact_tail_peak_fraction=1.0) + 0.3


def test_artefact_is_not_joined_to_a_movement_bout():
    from movement.pipeline import merge_other_bouts

    ev = pd.DataFrame(
        {
            "onset": [0.0, 1.0, 1.8],
            "duration": [0.5, 0.5, 0.5],
            "trial_type": ["other", "other", "other"],
            "scale": ["artefact", "sustained", "sustained"],
            "channel": ["ch1", "ch1", "ch1"],
        }
    )
    out = merge_other_bouts(ev, 0.5)
    assert out[["onset", "scale"]].values.tolist() == [[0.0, "artefact"], [1.0, "sustained"]]
    assert out["duration"].tolist() == [0.5, pytest.approx(1.3)]
