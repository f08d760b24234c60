"""The rule classifier: labels of prototypical feature rows, probabilities, explanations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from movement.classify import CLASSES, RuleClassifier, load_model, review_flags
from movement.config import AccelConfig, EMGConfig
from movement.errors import MovementError

# prototypes: one feature row per kind of event, from the domain reference
EMG_ROWS = {
    # a 15 ms MUAP, 5 s from anything else, on one of 4 channels
    "fasciculation-like": dict(
        duration=0.015, isolation_s=5.0, local_interval_cv=1.0, n_channels_active=1,
        channel_fraction=0.25,
    ),
    # 6 s of co-contraction of two antagonists, well above rest
    "dystonia-like": dict(
        duration=6.0, snr_db=20.0, isolation_s=10.0, n_channels_active=2, channel_fraction=0.5,
        cocontraction=0.9, regularity=0.2, dominant_frequency_hz=1.0, peak_power_ratio=0.2,
        tremor_band_ratio=0.2,
    ),
    # a regular train of brief spikes (ECG-like: interval CV 0.05)
    "other": dict(
        duration=0.02, isolation_s=0.8, local_interval_cv=0.05, n_channels_active=1,
        channel_fraction=0.25,
    ),
}  # fmt: skip

ACCEL_ROWS = {
    "fasciculation-like": dict(duration=0.3, peak_amplitude=0.03, isolation_s=20.0),
    # 5 s of irregular 5 Hz activity (dystonic tremor)
    "dystonia-like": dict(
        duration=5.0, peak_amplitude=0.05, isolation_s=20.0, dominant_frequency_hz=5.0,
        tremor_band_ratio=0.7, peak_power_ratio=0.45, regularity=0.3, spectral_entropy=0.6,
        tilt_change_deg=2.0,
    ),
    # regular 6 Hz tremor (PD/ET): other
    "other": dict(
        duration=10.0, peak_amplitude=0.05, isolation_s=20.0, dominant_frequency_hz=6.0,
        tremor_band_ratio=0.95, peak_power_ratio=0.95, regularity=0.95, spectral_entropy=0.3,
        tilt_change_deg=0.5,
    ),
}  # fmt: skip

OTHER_ACCEL = {
    "walking": dict(
        duration=30.0, peak_amplitude=0.4, isolation_s=5.0, dominant_frequency_hz=1.8,
        tremor_band_ratio=0.1, peak_power_ratio=0.6, regularity=0.8, spectral_entropy=0.5,
        tilt_change_deg=3.0,
    ),
    "knock": dict(duration=0.1, peak_amplitude=2.0, isolation_s=30.0),
    "jerk": dict(duration=0.4, peak_amplitude=0.6, isolation_s=30.0),
}  # fmt: skip


def _fit(modality: str) -> RuleClassifier:
    return RuleClassifier(modality).fit()


@pytest.mark.parametrize(
    ("modality", "rows"), [("emg", EMG_ROWS), ("accel", ACCEL_ROWS)], ids=["emg", "accel"]
)
def test_prototypes_get_their_label(modality: str, rows: dict) -> None:
    X = pd.DataFrame(list(rows.values()))
    clf = _fit(modality)
    assert list(clf.predict(X)) == list(rows)
    proba = clf.predict_proba(X)
    assert proba.shape == (3, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (proba.max(axis=1) > 0.8).all()


@pytest.mark.parametrize("kind", sorted(OTHER_ACCEL))
def test_walking_knocks_and_jerks_are_other(kind: str) -> None:
    X = pd.DataFrame([OTHER_ACCEL[kind]])
    assert _fit("accel").predict(X)[0] == "other"


def test_doublet_or_brief_burst_on_most_channels_is_not_fasciculation() -> None:
    row = dict(EMG_ROWS["fasciculation-like"], n_channels_active=4, channel_fraction=1.0)
    p = _fit("emg").predict_proba(pd.DataFrame([row]))[0]
    assert p[0] < 0.5  # fasciculations are spatially local


def test_probabilities_are_monotone_in_isolation() -> None:
    iso = np.linspace(0.0, 1.0, 21)
    X = pd.DataFrame([dict(EMG_ROWS["fasciculation-like"], isolation_s=v) for v in iso])
    p = _fit("emg").predict_proba(X)[:, 0]
    assert np.all(np.diff(p) >= -1e-12)
    assert p[0] < 0.05 and p[-1] > 0.9  # threshold 0.25 s [E: domain ref. section 3]


def test_missing_features_and_empty_input() -> None:
    clf = _fit("accel")
    proba = clf.predict_proba(pd.DataFrame({"duration": [0.3, 8.0]}))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.isfinite(proba).all()
    assert clf.predict_proba(pd.DataFrame({"duration": []})).shape == (0, 3)


def test_explain_lists_the_rules_that_held() -> None:
    X = pd.DataFrame([EMG_ROWS["fasciculation-like"], EMG_ROWS["dystonia-like"]])
    fasc, dyst = _fit("emg").explain(X)
    assert {"brief", "isolated", "local"} <= set(fasc.split(", "))
    assert {"long", "sustained", "cocontraction"} <= set(dyst.split(", "))
    assert "brief" not in dyst.split(", ")


def test_sklearn_interface_and_errors() -> None:
    clf = RuleClassifier("emg", EMGConfig(isolation_s=0.5))
    assert clone(clf).get_params()["config"].isolation_s == 0.5
    assert list(clf.fit().classes_) == list(CLASSES)
    with pytest.raises(MovementError, match="not fitted"):
        RuleClassifier("emg").predict_proba(pd.DataFrame({"duration": [1.0]}))
    with pytest.raises(MovementError, match="modality"):
        RuleClassifier("eeg").fit()
    with pytest.raises(
        MovementError,
        match="an AccelConfig \\(for accel\\) given to the emg rules, which take an EMGConfig",
    ):
        RuleClassifier("emg", AccelConfig()).fit()


def test_a_table_the_classifiers_cannot_read_is_refused() -> None:
    """An array, or a table without the features, was scored as every feature missing:
    one label for every row (the trained model: all fasciculation-like)."""
    from sklearn.exceptions import NotFittedError

    from movement.classify import load_model

    X = pd.DataFrame([EMG_ROWS["fasciculation-like"], EMG_ROWS["dystonia-like"]])
    rules = RuleClassifier("emg").fit()
    trained, _ = load_model("default", "emg", EMGConfig())
    for clf, who in ((rules, "RuleClassifier"), (trained, "the trained model")):
        with pytest.raises(
            MovementError, match=f"^{who} takes the segments' features as a DataFrame"
        ):
            clf.predict(X.to_numpy())
        with pytest.raises(
            MovementError, match=f"^{who}: the features table has no column duration"
        ):
            clf.predict(X.drop(columns="duration"))
    with pytest.raises(MovementError, match="the features table has no column scale, "):
        trained.predict(X[["duration"]])
    # scikit-learn's own check catches a classifier used before fit
    with pytest.raises(NotFittedError, match="not fitted"):
        RuleClassifier("emg").predict(X)


def test_predict_before_fit_says_not_fitted() -> None:
    with pytest.raises(MovementError, match="not fitted"):
        RuleClassifier("emg").predict(pd.DataFrame({"duration": [1.0]}))


def test_config_threshold_moves_the_decision() -> None:
    row = pd.DataFrame([dict(EMG_ROWS["fasciculation-like"], isolation_s=0.4)])
    assert RuleClassifier("emg").fit().predict(row)[0] == "fasciculation-like"
    strict = RuleClassifier("emg", EMGConfig(isolation_s=1.0)).fit()
    assert strict.predict(row)[0] != "fasciculation-like"


def test_review_flags() -> None:
    label = np.array(["dystonia-like", "fasciculation-like", "other", "other"], dtype=object)
    proba = np.array([[0.0, 0.99, 0.01], [0.55, 0.0, 0.45], [0.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    flags, why = review_flags(
        label, proba, np.array([20.0, 20.0, 3.0, 20.0]), np.array([0, 0, 0, 1], bool), 0.15, 6.0
    )
    assert flags.tolist() == [True, True, True, True]
    assert why == ["dystonia-like", "close call", "low SNR", "clipping"]
    flags, why = review_flags(label[2:3], proba[2:3], np.array([20.0]), np.zeros(1, bool), 0.15, 6)
    assert flags.tolist() == [False] and why == [""]


def test_load_model(tmp_path) -> None:
    clf, name = load_model("rules", "emg", EMGConfig())
    assert name == "rules" and isinstance(clf, RuleClassifier)
    with pytest.raises(MovementError, match="no such model file"):
        load_model(tmp_path / "none.joblib", "emg", EMGConfig())
    bad = tmp_path / "bad.joblib"
    bad.write_bytes(b"not a pickle")
    with pytest.raises(MovementError, match="not a movement model"):
        load_model(bad, "emg", EMGConfig())


def test_a_model_from_another_scikit_learn_is_one_warning_line(monkeypatch, tmp_path) -> None:
    """scikit-learn warns once per pickled estimator class (a dozen multi-line warnings for
    the default model); loading says it once, with both versions, and passes on the rest."""
    import warnings

    from sklearn.exceptions import InconsistentVersionWarning

    from movement import classify

    def unpickle(path: str) -> dict:
        for cls in ("HistGradientBoostingClassifier", "IsotonicRegression"):
            warnings.warn(
                InconsistentVersionWarning(
                    estimator_name=cls,
                    current_sklearn_version="1.4.2",
                    original_sklearn_version="9.9",
                ),
                stacklevel=2,
            )
        warnings.warn("something else", RuntimeWarning, stacklevel=2)
        return {"versions": {"scikit-learn": "9.9"}, "models": {}}

    monkeypatch.setattr(classify, "_unpickle", unpickle)
    classify._load_bundle.cache_clear()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            classify._load_bundle(str(tmp_path / "m.joblib"), 1, 1)
    finally:
        classify._load_bundle.cache_clear()
    assert not [w for w in caught if issubclass(w.category, InconsistentVersionWarning)]
    said = [str(w.message) for w in caught]
    assert any("something else" in m for m in said)
    line = [m for m in said if "trained with scikit-learn 9.9" in m]
    assert len(line) == 1 and "\n" not in line[0]


def test_a_numpy_2_model_under_numpy_1_says_which_numpy(monkeypatch, tmp_path) -> None:
    """A model pickled under numpy 2 names ``numpy._core``, which numpy 1 lacks: the error
    says to install numpy >= 2 instead of "not a movement model"."""
    import zlib

    from movement import classify

    path = tmp_path / "np2.joblib"
    path.write_bytes(zlib.compress(b"cnumpy._core.no_such_module\nX\n."))
    monkeypatch.setattr(classify.np, "__version__", "1.26.4")
    classify._load_bundle.cache_clear()
    try:
        with pytest.raises(MovementError, match=r"numpy >= 2 .*numpy 1\.26\.4"):
            load_model(path, "emg", EMGConfig())
    finally:
        classify._load_bundle.cache_clear()


def test_definitions_override_any_classifier() -> None:
    """Isolation, the posture range and MUAP resolution are enforced after the classifier."""
    from movement.classify import apply_definitions
    from movement.config import AccelConfig, EMGConfig

    sure = np.array([[0.9, 0.05, 0.05], [0.05, 0.9, 0.05], [0.9, 0.05, 0.05]])
    X = pd.DataFrame({"isolation_s": [0.1, 5.0, 3.0], "tilt_held_deg": [np.nan, 80.0, 20.0]})
    p, why = apply_definitions(X, sure, AccelConfig(), fs=100.0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert p[0, 0] == 0 and "not isolated" in why[0]  # another event 0.1 s away
    assert p[1, 1] == 0 and "reorientation" in why[1]  # held 80 deg: not a dystonic posture
    np.testing.assert_allclose(p[2], sure[2])  # isolated twitch untouched
    # a 200 Hz armband cannot resolve a motor-unit potential
    p, why = apply_definitions(X.iloc[[2]], sure[[2]], EMGConfig(), fs=200.0)
    assert p[0, 0] == 0 and "not resolvable" in why[0]
    p, _ = apply_definitions(X.iloc[[2]], sure[[2]], EMGConfig(), fs=2000.0)
    assert p[0, 0] == 0.9
    # fasciculation-like is brief: a 128 s segment is not one, whatever the classifier says
    long = pd.DataFrame({"isolation_s": [5.0, 5.0], "duration": [128.0, 0.5]})
    p, why = apply_definitions(long, sure[[0, 2]], AccelConfig(), fs=100.0)
    assert p[0, 0] == 0 and "far longer than a brief event" in why[0]
    np.testing.assert_allclose(p[1], sure[2])  # a 0.5 s twitch untouched
    p, why = apply_definitions(long.assign(duration=[0.2, 0.05]), sure[[0, 2]], EMGConfig(), 2000.0)
    assert p[0, 0] == 0 and p[1, 0] == 0.9  # EMG: brief means <= 80 ms


def test_accelerometer_walking_is_not_dystonia_like_whatever_the_model_says() -> None:
    """A regular rhythm at step rate (the rules' walking) is other; the rhythm must be
    regular and in the band; EMG's model keeps its call (a spasm train may read as one)."""
    from movement.classify import apply_definitions
    from movement.config import AccelConfig, EMGConfig

    dyst = np.array([[0.02, 0.74, 0.24]] * 4)
    X = pd.DataFrame(
        {
            "isolation_s": [5.0] * 4,
            "dominant_frequency_hz": [1.8, 1.8, 5.0, np.nan],
            "regularity": [0.8, 0.3, 0.8, 0.9],
        }
    )
    p, why = apply_definitions(X, dyst, AccelConfig(), fs=100.0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert p[0, 1] == 0 and p[0, 2] == pytest.approx(0.98) and "walking" in why[0]
    for i in (1, 2, 3):  # irregular at step rate; regular at 5 Hz; no frequency
        np.testing.assert_allclose(p[i], dyst[i])
    p, why = apply_definitions(X, dyst, EMGConfig(), fs=2000.0)
    np.testing.assert_allclose(p, dyst)


def test_a_long_segment_mostly_of_gait_is_walking_whatever_the_model_says() -> None:
    """gait_fraction >= gait_min_fraction moves an accelerometer's dystonia-like call to
    other, with the reason; below it, or NaN (a short segment), or off, or EMG: unchanged."""
    from movement.classify import apply_definitions
    from movement.config import AccelConfig, EMGConfig

    dyst = np.array([[0.02, 0.74, 0.24]] * 4)
    X = pd.DataFrame({"isolation_s": [5.0] * 4, "gait_fraction": [0.8, 0.5, 0.3, np.nan]})
    p, why = apply_definitions(X, dyst, AccelConfig(), fs=100.0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    for i in (0, 1):
        assert p[i, 1] == 0 and p[i, 2] == pytest.approx(0.98)
    assert "a stride rhythm in 80 % of its 5 s windows: walking" in why[0]
    np.testing.assert_allclose(p[2:], dyst[2:])
    p, _ = apply_definitions(X, dyst, AccelConfig(gait_min_fraction=None), fs=100.0)
    np.testing.assert_allclose(p, dyst)
    p, _ = apply_definitions(X, dyst, EMGConfig(), fs=2000.0)
    np.testing.assert_allclose(p, dyst)


def test_accel_held_tilt_of_spasm_length_is_dystonia_like_and_a_reach_is_not() -> None:
    rc = RuleClassifier("accel").fit()
    X = pd.DataFrame(
        {
            "duration": [1.2, 1.2, 0.1],
            "isolation_s": [5.0, 5.0, 5.0],
            "tilt_held_deg": [20.0, 20.0, 20.0],
            # held for most of the event / out and back / a 0.1 s blip (below spasm_min_s)
            "tilt_hold_fraction": [0.95, 0.45, 0.95],
            "peak_amplitude": [0.05, 0.05, 0.05],
        }
    )
    assert rc.predict(X).tolist()[:2] == ["dystonia-like", "other"]
    assert rc.predict(X)[2] != "dystonia-like"


def test_accel_smooth_reach_with_a_held_looking_tilt_is_not_a_posture() -> None:
    """A 2.5 s reach whose tilt reads as held (hold fraction 0.75) is smooth (one narrow
    low-frequency peak) and stays 'other'; the same tilt with the broad motion of a
    tremulous or noisy hold is a posture; a short spasm's single fast step reads as
    smooth in its 2 s spectral window and is still a spasm."""
    rc = RuleClassifier("accel").fit()
    X = pd.DataFrame(
        {
            "duration": [2.5, 2.5, 1.0],
            "isolation_s": [5.0, 5.0, 5.0],
            "tilt_held_deg": [15.0, 15.0, 20.0],
            "tilt_hold_fraction": [0.75, 0.75, 0.9],
            "peak_amplitude": [0.2, 0.05, 0.2],
            "dominant_frequency_hz": [1.2, 1.2, 0.8],
            "spectral_entropy": [0.48, 0.9, 0.65],
            "peak_power_ratio": [0.9, 0.2, 0.6],
            "tremor_band_ratio": [0.02, 0.3, 0.2],
        }
    )
    assert rc.predict(X).tolist() == ["other", "dystonia-like", "dystonia-like"]
    assert "smooth" in rc.explain(X.iloc[:1])[0]


def test_accel_slow_dystonic_tremor_peaking_below_3_hz_is_irregular_tremor() -> None:
    """A 3 Hz dystonic tremor whose cycles wander by +-1 Hz can peak at 2.5-3 Hz."""
    rc = RuleClassifier("accel").fit()
    X = pd.DataFrame(
        {
            "duration": [6.0, 6.0],
            "isolation_s": [5.0, 5.0],
            "dominant_frequency_hz": [2.8, 1.8],
            "tremor_band_ratio": [0.6, 0.6],
            "regularity": [0.3, 0.3],
            "peak_power_ratio": [0.45, 0.45],
            "spectral_entropy": [0.8, 0.8],
        }
    )
    assert rc.predict(X).tolist() == ["dystonia-like", "other"]


def test_accel_jittery_tremor_is_irregular_even_with_a_high_autocorrelation_peak() -> None:
    """Regular (PD/ET) tremor needs a narrow spectral peak as well as a high regularity."""
    rc = RuleClassifier("accel").fit()
    X = pd.DataFrame(
        {
            "duration": [6.0, 6.0],
            "isolation_s": [5.0, 5.0],
            "dominant_frequency_hz": [5.0, 5.0],
            "tremor_band_ratio": [0.75, 0.98],
            "regularity": [0.66, 0.95],
            "peak_power_ratio": [0.55, 0.97],
            "spectral_entropy": [0.75, 0.35],
        }
    )
    assert rc.predict(X).tolist() == ["dystonia-like", "other"]


def test_low_snr_contraction_held_above_the_noise_model_is_dystonia_like() -> None:
    """5 dB over rest is not 'strong' by the dB margin, but a segment active above the
    whitened noise model in most of its sub-blocks is; without that measure (slow
    sampling: NaN) the dB margin alone decides, as before."""
    low = dict(EMG_ROWS["dystonia-like"], snr_db=5.0)
    X = pd.DataFrame(
        [
            dict(low, active_fraction=0.9),
            dict(low, active_fraction=np.nan),
            dict(low, active_fraction=0.05),
        ]
    )
    clf = _fit("emg")
    assert list(clf.predict(X)) == ["dystonia-like", "other", "other"]
    assert "held" in clf.explain(X.iloc[:1])[0]


def test_emg_walking_rhythm_is_not_dystonia_like() -> None:
    """A long bout of regular activations at step rate (~1.7 Hz) is gait: other."""
    walk = dict(
        EMG_ROWS["dystonia-like"], duration=30.0, dominant_frequency_hz=1.7, regularity=0.95,
        peak_power_ratio=0.55,
    )  # fmt: skip
    assert _fit("emg").predict(pd.DataFrame([walk]))[0] == "other"


def test_a_model_is_named_by_its_content_and_checked_against_its_features(tmp_path) -> None:
    """Two models of one file name gave the same `model` and parameters hash; a model
    asking for features this version does not compute was given NaN columns silently, and
    one fit on another number of features failed with an internal error."""
    from sklearn.tree import DecisionTreeClassifier

    from movement.train import TrainedClassifier, save_bundle

    X = np.random.default_rng(0).normal(size=(6, 2))
    y = np.array(["other", "dystonia-like", "fasciculation-like"] * 2)

    def bundle(features, seed: int, n_fit: int = 2) -> dict:
        # (a tree has n_features_in_ in every supported scikit-learn; DummyClassifier not
        # in 1.4)
        est = DecisionTreeClassifier(random_state=seed).fit(X[:, :n_fit], y)
        return {"name": "m", "models": {"accel": TrainedClassifier(est, "accel", features)}}

    def saved(name: str, b: dict):  # (one file name, in folders of their own)
        path = tmp_path / name / "model.joblib"
        path.parent.mkdir()
        return save_bundle(b, path)

    _, first = load_model(saved("a", bundle(["duration", "snr_db"], 1)), "accel", AccelConfig())
    _, second = load_model(saved("b", bundle(["duration", "snr_db"], 2)), "accel", AccelConfig())
    assert first.startswith("model.joblib (m, sha256 ") and first != second
    path = saved("c", bundle(["duration", "snr_db_renamed"], 1))
    with pytest.raises(MovementError, match="does not compute \\(snr_db_renamed\\)"):
        load_model(path, "accel", AccelConfig())
    path = saved("d", bundle(["duration", "snr_db", "rms"], 1))
    with pytest.raises(MovementError, match="fit on 2 features but lists 3"):
        load_model(path, "accel", AccelConfig())


def test_a_model_file_entry_of_another_modality_or_kind_is_refused(tmp_path) -> None:
    """An accelerometer model filed under ``emg`` scored EMG segments silently; an entry
    that is no movement classifier (a number, a plain scikit-learn estimator), or a file
    holding a list, failed with an internal error or a misleading 'has no model'."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    from movement.config import EMGConfig
    from movement.train import TrainedClassifier, save_bundle

    X = np.random.default_rng(0).normal(size=(6, 2))
    y = np.array(["other", "dystonia-like", "fasciculation-like"] * 2)
    est = DecisionTreeClassifier(random_state=0).fit(X, y)
    accel = TrainedClassifier(est, "accel", ["duration", "snr_db"])

    def saved(name: str, bundle) -> Path:
        return save_bundle(bundle, tmp_path / name)

    swapped = saved("swapped.joblib", {"name": "m", "models": {"emg": accel}})
    with pytest.raises(MovementError, match="its emg model was trained on accel segments"):
        load_model(swapped, "emg", EMGConfig())
    plain = LogisticRegression().fit(X, y)
    for name, entry in (("int.joblib", 3), ("plain.joblib", plain)):
        path = saved(name, {"name": "m", "models": {"accel": entry}})
        with pytest.raises(MovementError, match="not a classifier of fasciculation-like"):
            load_model(path, "accel", AccelConfig())
    import joblib

    joblib.dump([1, 2], tmp_path / "list.joblib")
    with pytest.raises(MovementError, match="not a movement model \\(it holds list"):
        load_model(tmp_path / "list.joblib", "accel", AccelConfig())
    # the right modality still loads
    model, _ = load_model(
        saved("ok.joblib", {"name": "m", "models": {"accel": accel}}), "accel", AccelConfig()
    )
    assert model is not None


def test_a_model_loads_with_the_collector_paused_and_restores_it(tmp_path: Path) -> None:
    # (unpickling the default model's trees otherwise ran a full collection: 0.05 s)
    import gc
    import pickle
    import zlib

    from movement import classify

    f = tmp_path / "probe.joblib"
    f.write_bytes(zlib.compress(pickle.dumps({"probe": _Probe()})))
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            _SEEN.clear()
            classify._unpickle(str(f))
            assert _SEEN == [False]  # paused while the objects were made
            assert gc.isenabled() is enabled  # as it was, after
        finally:
            gc.enable()


_SEEN: list[bool] = []


def _collector_state() -> object:
    import gc

    _SEEN.append(gc.isenabled())
    return object()


class _Probe:
    def __reduce__(self) -> tuple:
        return (_collector_state, ())


def test_score_refuses_a_classifier_of_the_other_modality() -> None:
    """An accel RuleClassifier given for an EMG recording called every segment other."""
    import movement
    from movement.simulate import simulate

    rec = simulate("emg", 20.0, 1).recording
    with pytest.raises(
        MovementError, match="the classifier given is for accel, the recording is emg"
    ):
        movement.score(rec, model=RuleClassifier("accel").fit())


def test_the_trained_model_follows_scikit_learns_parameters() -> None:
    """clone() failed ('missing argument features'), get_params() left out features and
    fs_range, and there was no set_params."""
    from sklearn.base import clone

    from movement.classify import load_model

    model, _ = load_model("default", "emg", EMGConfig())
    params = model.get_params()
    assert set(params) == {"estimator", "modality", "features", "fs_range"}
    copy = clone(model)
    assert copy.features_ == model.features_ and copy.modality == "emg"
    assert not hasattr(copy.estimator, "n_iter_")  # (clone's copy is unfitted)
    copy.set_params(features=["duration"], fs_range=(100.0, 200.0))
    assert copy.features_ == ["duration"] and copy.accepts(50.0)
    with pytest.raises(MovementError, match="no parameter 'foo'"):
        copy.set_params(foo=1)
