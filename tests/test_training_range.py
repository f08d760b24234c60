"""A trained model's call on features beyond any of its training segments' is flagged for
review, and says which (its trees are flat there: an extrapolation). The labels and
probabilities are the model's, unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import movement
from movement.classify import load_model, outside_training
from movement.config import AccelConfig, EMGConfig
from movement.simulate import simulate
from movement.train import MODEL_FEATURES, TrainingSpec, feature_ranges, train

REPO = Path(__file__).resolve().parent.parent
PHRASE = "outside the model's training range"


@pytest.fixture(scope="module")
def small_model():
    return train("accel", TrainingSpec(n_recordings=4, duration_s=120.0, seed=5))


def test_train_keeps_each_features_range_in_the_model_and_its_card(small_model):
    clf = small_model["models"]["accel"]
    info = small_model["training"]["per_modality"]["accel"]
    assert clf.feature_ranges_ == info["feature_ranges"]
    assert set(info["feature_ranges"]) <= set(info["features"])
    assert "peak_amplitude" in info["feature_ranges"]
    for lo, hi in info["feature_ranges"].values():
        assert np.isfinite(lo) and np.isfinite(hi) and lo <= hi


def test_the_shipped_model_has_ranges_for_every_feature_it_reads():
    card = json.loads((REPO / "models" / "default.json").read_text())
    for m, cfg in (("emg", EMGConfig()), ("accel", AccelConfig())):
        info = card["training"]["per_modality"][m]
        assert set(info["feature_ranges"]) == set(info["features"])
        _, name = load_model("default", m, cfg)
        assert name.feature_ranges == info["feature_ranges"]


def test_the_samples_lie_inside_the_shipped_models_range():
    for f in ("sim_wrist_accel.csv", "sim_forearm_emg.npy"):
        ev = movement.score(REPO / "data" / f)
        assert not ev["reason"].str.contains(PHRASE).any(), f


def _twitches_in_other_units(scale: float) -> movement.Recording:
    """A simulated wrist recording whose values were multiplied by ``scale`` (mg read as
    g): every amplitude beyond the training's."""
    rec = simulate("accel", 120, seed=3).recording
    return movement.Recording(rec.data * scale, fs=rec.fs, modality="accel",
                              channels=rec.channels, units="g")  # fmt: skip


def test_target_calls_beyond_the_range_are_flagged_and_say_which_feature(small_model):
    clf = small_model["models"]["accel"]
    ev = movement.score(_twitches_in_other_units(1000.0), model=clf)
    target = ev["trial_type"].isin(["fasciculation-like", "dystonia-like"])
    assert target.any()
    flagged = ev["reason"].str.contains(PHRASE)
    assert (flagged == target).all()  # (every target call; `other` calls are not flagged)
    assert ev.loc[target, "review"].all()
    assert ev.loc[target, "reason"].str.contains(r"peak_amplitude [\d.e+]+ \(trained ").all()


def test_the_flag_changes_no_label_or_probability(small_model):
    clf = small_model["models"]["accel"]
    rec = _twitches_in_other_units(1000.0)
    with_flag = movement.score(rec, model=clf)
    del clf.feature_ranges_
    try:
        without = movement.score(rec, model=clf)
    finally:
        clf.feature_ranges_ = small_model["training"]["per_modality"]["accel"]["feature_ranges"]
    assert not without["reason"].str.contains(PHRASE).any()
    cols = ["onset", "duration", "trial_type", "probability", "p_fasciculation", "p_dystonia"]
    pd.testing.assert_frame_equal(with_flag[cols], without[cols])


def test_the_rules_have_no_range():
    ev = movement.score(_twitches_in_other_units(1000.0), model="rules")
    assert not ev["reason"].str.contains(PHRASE).any()


def test_outside_training_names_the_farthest_features_first():
    X = pd.DataFrame({"rms": [0.5, 9.0], "peak_amplitude": [1.0, 200.0], "scale": ["brief"] * 2})
    ranges = {"rms": [0.0, 1.0], "peak_amplitude": [0.0, 2.0], "is_sustained": [0.0, 1.0]}
    got = outside_training(X, ranges)
    assert got[0] == ""
    assert got[1].index("peak_amplitude") < got[1].index("rms")  # (100 spans out, then 8)
    assert outside_training(X, None) == ["", ""]
    assert outside_training(X.iloc[:0], ranges) == []


def test_feature_ranges_skip_missing_values():
    X = pd.DataFrame({"duration": [0.2, np.nan, 3.0], "scale": ["brief", "sustained", "brief"]})
    got = feature_ranges(X, ["duration", "is_sustained", "rms"])
    assert got == {"duration": [0.2, 3.0], "is_sustained": [0.0, 1.0]}
    assert set(MODEL_FEATURES) >= {"duration", "is_sustained"}


@pytest.mark.parametrize("n_channels", [3, 8])
def test_more_channels_than_in_training_are_not_outside(n_channels):
    """Trained on 1-2 channels, the model's channel counts (n_channels_active,
    channel_fraction) are beyond its range on every event of a 3-channel recording, as are
    isolation and durations in recordings longer than 5 min: more of the same, not another
    signal; only the signal's own features are compared (RANGE_CHECKED). Every event of
    3-8 channel EMG was flagged."""
    from movement.classify import RANGE_CHECKED

    assert "channel_fraction" not in RANGE_CHECKED and "duration" not in RANGE_CHECKED
    rec = simulate("emg", 60, seed=5, fs=2000, n_channels=n_channels).recording
    ev = movement.score(rec)
    assert ev["trial_type"].eq("fasciculation-like").any()
    assert not ev["reason"].str.contains(PHRASE).any()
