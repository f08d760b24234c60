"""Training: labels from ground truth, a small end-to-end fit, reviewed events folded in."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import movement
import movement.classify
from movement.cli import main
from movement.review import write_decisions
from movement.train import TrainedClassifier, match_labels


def test_match_labels_takes_the_most_overlapping_true_event() -> None:
    seg = pd.DataFrame({"onset": [1.0, 5.0, 20.0], "duration": [0.02, 3.0, 1.0]})
    truth = pd.DataFrame(
        {
            "onset": [1.005, 4.0, 7.5],
            "duration": [0.01, 3.5, 4.0],
            "trial_type": ["fasciculation-like", "dystonia-like", "other"],
        }
    )
    # 5-8 s overlaps the dystonia-like event by 2.5 s and the other by 0.5 s; 20 s hits nothing
    assert match_labels(seg, truth).tolist() == ["fasciculation-like", "dystonia-like", "other"]


def test_train_small_model_with_reviewed_events_and_score_with_it(tmp_path: Path) -> None:
    sim = movement.simulate("emg", 60.0, 5, snr_db=15.0)
    rec_path = tmp_path / "rec.npy"
    np.save(rec_path, sim.recording.data)
    (tmp_path / "rec.json").write_text('{"SamplingFrequency": 2000, "Modality": "emg"}')
    results = tmp_path / "results"
    assert main(["score", str(rec_path), "--out", str(results), "--model", "rules", "-q"]) == 0
    ev = pd.read_csv(results / "rec_events.tsv", sep="\t")
    d = ev[["onset", "duration", "trial_type", "channel"]].head(2).copy()
    d["review_status"] = ["accepted", "relabelled"]
    d["reviewer"] = "tester"
    d["comment"] = ""
    d["new_trial_type"] = [None, "dystonia-like"]
    write_decisions(d, results / "rec_decisions.tsv")
    model = tmp_path / "m.joblib"
    args = ["train", "--modality", "emg", "--n", "4", "--duration", "120", "--eval-n", "0"]
    assert main([*args, "--reviewed", str(results), "--out", str(model)]) == 0
    card = (tmp_path / "m.json").read_text()
    assert '"n_reviewed_segments": 2' in card
    events = movement.score(sim.recording, model=model)
    assert events.attrs["model"].startswith("m.joblib")
    assert set(events["trial_type"]) <= {"fasciculation-like", "dystonia-like", "other"}
    np.testing.assert_allclose(
        events[["p_fasciculation", "p_dystonia", "p_other"]].sum(axis=1), 1.0
    )


def test_default_model_is_a_trained_classifier_within_its_rate_range() -> None:
    clf, name = movement.classify.load_model("default", "emg", movement.EMGConfig())
    if not isinstance(clf, TrainedClassifier):
        return  # no model shipped in this checkout: the rules are the default
    assert clf.accepts(2000.0) is None
    assert "outside" in clf.accepts(200.0)
    rng = np.random.default_rng(0)
    rec = movement.Recording(rng.normal(0, 1, (20 * 200, 2)), fs=200, modality="emg")
    assert movement.score(rec).attrs["model"].startswith("rules (200 Hz is outside")


def test_heldout_false_alarms_are_pooled_over_every_confounder_only_set() -> None:
    from movement.simulate import CONFOUNDERS
    from movement.train import heldout_metrics

    res = heldout_metrics(None, ["accel"], n_recordings=1, duration_s=20.0, fa_recordings=2)
    fa = res["accel"]["false_alarms_per_hour_confounder_only"]
    assert set(fa) == {*CONFOUNDERS["accel"], "all", "pooled"}
    n_sets = len(CONFOUNDERS["accel"]) + 1
    assert fa["pooled"]["hours"] == round(n_sets * 2 * 20.0 / 3600, 3)
    events = fa["pooled"]["events"]["rules"]
    assert fa["pooled"]["rules"] == round(events / (n_sets * 2 * 20.0 / 3600), 2)
    assert res["protocol"]["false_alarm_recordings_per_confounder"] == 2


def test_no_false_alarm_recordings_is_not_measured_not_a_crash() -> None:
    """`train --eval-fa-n 0` trained, then crashed (ZeroDivisionError) and saved nothing."""
    from movement.train import card_markdown, heldout_metrics

    res = heldout_metrics(None, ["accel"], n_recordings=1, duration_s=20.0, fa_recordings=0)
    assert res["accel"]["false_alarms_per_hour_confounder_only"] == {}
    bundle = {
        "name": "m",
        "training": {"spec": {}, "per_modality": {}},
        "versions": {},
    }
    assert "| accel | not measured" in card_markdown(bundle, res)


def test_a_small_training_set_uses_features_every_fold_can_bin() -> None:
    """2 % of a small training set is a row or two, which a CV fold can miss: gradient
    boosting's binning then failed with a scikit-learn traceback ("window shape cannot be
    larger than input array shape"). A feature now needs 12 defined values, 6 off the
    commonest."""
    import pandas as pd

    from movement.train import MODEL_FEATURES, fit_model

    rng = np.random.default_rng(0)
    n = 60
    X = pd.DataFrame({f: rng.normal(size=n) for f in MODEL_FEATURES if f != "is_sustained"})
    X["scale"] = np.where(rng.random(n) < 0.5, "brief", "sustained")
    X["tilt_change_deg"] = np.nan
    X.loc[:4, "tilt_change_deg"] = 1.0 + np.arange(5)  # 5 values: too few for 3 folds
    y = np.array(["fasciculation-like", "dystonia-like", "other"] * (n // 3), dtype=object)
    _, used = fit_model(X, y)
    assert "tilt_change_deg" not in used and "duration" in used


def test_saved_bundle_is_a_compressed_pickle_joblib_reads(tmp_path: Path) -> None:
    import pickle
    import zlib

    import joblib

    from movement.train import save_bundle

    bundle = {"name": "t", "models": {"accel": np.arange(5.0)}, "features": ["a"]}
    path = save_bundle(bundle, tmp_path / "m.joblib")
    again = pickle.loads(zlib.decompress(path.read_bytes()))  # Python's C unpickler
    np.testing.assert_array_equal(again["models"]["accel"], bundle["models"]["accel"])
    via_joblib = joblib.load(path)
    np.testing.assert_array_equal(via_joblib["models"]["accel"], bundle["models"]["accel"])
    assert (tmp_path / "m.json").exists()
