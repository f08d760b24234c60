"""Plug-in and trained models at the pipeline's boundary.

1. A classifier's ``predict_proba`` output is checked where it comes back: NaN, infinite
   values, probabilities outside [0, 1], rows not summing to 1, a wrong shape or
   ``classes_`` without the package's classes were accepted silently.
2. A model trained with settings that change the segments' features, used with other
   ones, is said (once), naming the settings; settings that act on labels only are not.
3. The parameters hash (and the batch manifest's key) holds a model file's fitted
   content, not its name or bytes: renamed, or trained again with the same seed, it is
   the same; the shipped model's part of it is unchanged.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import copies_with_sidecars

import movement
from movement import batch, classify
from movement.batch import ScoreOptions, score_batch
from movement.classify import (
    CLASSES,
    ModelSettingsWarning,
    RuleClassifier,
    check_probabilities,
    load_model,
    settings_warning,
)
from movement.config import (
    LABEL_ONLY_SETTINGS,
    AccelConfig,
    EMGConfig,
    Settings,
    feature_setting_changes,
    params_hash,
)
from movement.errors import MovementError
from movement.train import TrainedClassifier, TrainingSpec, model_name, save_bundle, train

REPO = Path(__file__).resolve().parents[1]
ACCEL = REPO / "data" / "sim_wrist_accel.csv"
SHIPPED = "default.joblib (movement-hgb-0.1.0, sha256 9b038dbaf931)"
SPEC = TrainingSpec(n_recordings=6, duration_s=120.0, seed=5)


def _emg_recording() -> movement.Recording:
    """10 s of EMG noise with three brief spikes: three segments."""
    rng = np.random.default_rng(0)
    x = rng.normal(0, 0.01, (20000, 1))
    for at in (4000, 10000, 16000):
        x[at : at + 30, 0] += np.hanning(30) * 0.5
    return movement.Recording(x, fs=2000, modality="emg")


class Plugin:
    """A user's classifier: the rules' probabilities, spoiled by ``spoil``."""

    def __init__(self, spoil=None, classes=CLASSES) -> None:
        self.rules = RuleClassifier("emg").fit()
        self.spoil = spoil
        if classes is not None:
            self.classes_ = np.array(classes, dtype=object)

    def predict_proba(self, X: pd.DataFrame):
        p = self.rules.predict_proba(X)
        return p if self.spoil is None else self.spoil(p.copy())


def _nan(p):
    p[1, 0] = np.nan
    return p


def _inf(p):
    p[0, 2] = np.inf
    return p


def _above_one(p):
    p[:, 0] = 1.4
    p[:, 1] = -0.2
    p[:, 2] = -0.2
    return p


def _short_sum(p):
    return p * 0.7


@pytest.mark.parametrize(
    ("spoil", "said"),
    [
        (_nan, r"predict_proba returned NaN for 1 of 3 segments \(first: the segment at "),
        (_inf, r"predict_proba returned infinite values for 1 of 3 segments"),
        (_above_one, r"probabilities outside \[0, 1\] \(from -0.2 to 1.4\) for 3 of 3"),
        (_short_sum, r"rows must each sum to 1 \(within 1e-06\); 3 of 3 do not \(0.7 for "),
        (lambda p: p[:, :2], r"shape \(3, 2\) for 3 segments; expected \(3, 3\)"),
        (lambda p: p[:2], r"shape \(2, 3\) for 3 segments; expected \(3, 3\)"),
        (lambda p: p.ravel(), r"shape \(9,\) for 3 segments"),
        (lambda p: [["a", "b", "c"]] * 3, r"returned list that is not an array of numbers"),
    ],
)
def test_a_plugin_models_bad_probabilities_are_one_line_naming_it(spoil, said) -> None:
    """Before: NaN labelled every segment by argmax's first column, a row summing to 0.7
    or values of 1.4 were written as probabilities, a wrong shape was an IndexError."""
    rec = _emg_recording()
    assert len(movement.score(rec, model=Plugin())) == 3  # (the unspoiled plug-in scores)
    with pytest.raises(MovementError) as exc:
        movement.score(rec, model=Plugin(spoil))
    text = str(exc.value)
    assert "\n" not in text and text.startswith("model Plugin: ")
    assert re.search(said, text), text


def test_classes_without_the_packages_classes_are_said() -> None:
    rec = _emg_recording()
    with pytest.raises(MovementError, match=r"^model Plugin: has no classes_"):
        movement.score(rec, model=Plugin(classes=None))
    with pytest.raises(MovementError, match=r"its classes_ \(a, b, other\) has no "):
        movement.score(rec, model=Plugin(classes=("a", "b", "other")))


def test_probabilities_within_rounding_pass_unchanged() -> None:
    """Float rounding is not an error, and nothing is rescaled or clipped."""
    p = np.array([[0.5, 0.25, 0.25 + 5e-7], [1.0 + 1e-9, 0.0, -1e-9], [0.2, 0.3, 0.5]])
    got = check_probabilities(p, CLASSES, 3, "model m")
    assert np.array_equal(got, p)
    with pytest.raises(MovementError, match="1 of 3 do not"):
        check_probabilities(p + [[0, 0, 2e-6], [0, 0, 0], [0, 0, 0]], CLASSES, 3, "model m")
    assert check_probabilities(np.zeros((0, 3)), CLASSES, 0, "model m").shape == (0, 3)


class NaNModel:
    """A model file's entry (as `movement train` writes) whose probabilities are NaN."""

    classes_ = np.array(CLASSES, dtype=object)
    features_ = ["duration", "snr_db"]
    modality = "accel"

    def predict_proba(self, X):
        return np.full((len(X), 3), np.nan)


def test_a_model_files_nan_probabilities_fail_each_file_in_one_line(tmp_path, capsys) -> None:
    from movement.cli import main

    path = save_bundle({"name": "nan", "models": {"accel": NaNModel()}}, tmp_path / "nan.joblib")
    with pytest.raises(MovementError, match=r"^model nan\.joblib \(nan, sha256 \w{12}\): "):
        movement.score(ACCEL, model=path)
    assert main(["score", str(ACCEL), "--out", str(tmp_path / "o"), "--model", str(path)]) == 1
    err = [ln for ln in capsys.readouterr().err.splitlines() if "predict_proba" in ln]
    assert len(err) == 1 and "predict_proba returned NaN for" in err[0]


# --------------------------------------------------------------------------- 2. settings


def test_label_only_settings_are_real_and_never_reach_the_features() -> None:
    """What LABEL_ONLY_SETTINGS lists acts after the features: no preprocessing,
    calibration, segmentation or feature code reads it (a name added there later that
    does would be compared again by removing it from the list)."""
    names = {f for cfg in (EMGConfig(), AccelConfig()) for f in cfg.to_dict()}
    assert LABEL_ONLY_SETTINGS <= names
    pkg = REPO / "movement"
    for module in ("preprocess", "segment", "features", "calibration", "recording"):
        text = (pkg / f"{module}.py").read_text()
        used = sorted(n for n in LABEL_ONLY_SETTINGS if re.search(rf"\b{n}\b", text))
        assert not used, f"{module}.py reads {used}"


def test_feature_setting_changes_compare_what_changes_the_features() -> None:
    base = AccelConfig().to_dict()
    run = AccelConfig(k_on=5.0, review_margin=0.3, posture_max_deg=50.0).to_dict()
    assert feature_setting_changes(base, run) == [("k_on", 4.0, 5.0)]
    # read back from JSON (lists), a setting the training's version did not have
    old = {k: list(v) if isinstance(v, tuple) else v for k, v in base.items()}
    del old["calibrate"]
    assert feature_setting_changes(old, AccelConfig(calibrate=False).to_dict()) == []
    assert feature_setting_changes(None, run) == []
    many = AccelConfig(
        k_on=5.0, k_off=1.0, merge_gap_s=0.6, min_sustained_s=2.0, noise_floor_g=0.01
    ).to_dict()
    text = settings_warning("model m.joblib", "accel", base, many)
    assert text.startswith(
        "model m.joblib was trained with accel.k_on=4, accel.k_off=2, accel.noise_floor_g=0.008,"
        " accel.min_sustained_s=1.5 and 1 more; this run uses accel.k_on=5, accel.k_off=1, "
    )
    assert "\n" not in text


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> dict[str, Path]:
    """Small accelerometer models: two of the default settings and one seed (trained
    twice), one with ``accel.k_on=4.5``."""
    folder = tmp_path_factory.mktemp("models")
    out = {}
    first = train("accel", SPEC)
    again = train("accel", SPEC)
    # (the training's duration is kept in the file: the files differ, as two runs' do)
    again["training"]["per_modality"]["accel"]["train_seconds"] += 1.0
    out["a"] = save_bundle(first, folder / "a.joblib")
    out["again"] = save_bundle(again, folder / "again.joblib")
    k_on = Settings().with_overrides(["accel.k_on=4.5"])
    out["k_on"] = save_bundle(train("accel", SPEC, settings=k_on), folder / "k_on.joblib")
    return out


def _score(path, model, settings=None) -> tuple[pd.DataFrame, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ev = movement.score(path, settings, model=model)
    return ev, [str(w.message) for w in caught if w.category is ModelSettingsWarning]


def test_a_model_trained_with_other_feature_settings_is_said(trained) -> None:
    """Before: a model trained with --set accel.k_on=4.5 scored default-settings segments
    without a word."""
    ev, said = _score(ACCEL, trained["k_on"])
    assert len(said) == 1, said
    assert said[0].startswith(
        f"model {trained['k_on']} was trained with accel.k_on=4.5; this run uses accel.k_on=4 "
    )
    assert len(ev)  # (scored all the same)
    _, said = _score(ACCEL, trained["k_on"], Settings().with_overrides(["accel.k_on=4.5"]))
    assert said == []
    # settings that act on the labels only are not the features' business
    labels = Settings().with_overrides(
        ["accel.k_on=4.5", "accel.review_margin=0.3", "accel.other_bout_gap_s=1", "emg.k_on=9"]
    )
    _, said = _score(ACCEL, trained["k_on"], labels)
    assert said == []
    # a model object kept in memory says it too (train() keeps its settings on it)
    model = classify.read_model_file(trained["k_on"])[0]["models"]["accel"]
    assert model.training_settings_["k_on"] == 4.5
    _, said = _score(ACCEL, model)
    assert len(said) == 1 and said[0].startswith("the classifier given (TrainedClassifier) was")


def test_the_default_model_with_default_settings_says_nothing(trained) -> None:
    _, said = _score(ACCEL, "default")
    assert said == []
    _, said = _score(ACCEL, "default", Settings().with_overrides(["accel.k_on=5"]))
    assert said and said[0].startswith("the default model was trained with accel.k_on=4;")
    _, said = _score(ACCEL, "rules", Settings().with_overrides(["accel.k_on=5"]))
    assert said == []


def test_an_older_model_file_without_its_settings_loads_without_a_warning(tmp_path) -> None:
    """A model file made before the settings were kept (and a TrainedClassifier without
    training_settings_) loads and scores as before, without a warning."""
    from sklearn.tree import DecisionTreeClassifier

    X = np.random.default_rng(0).normal(size=(6, 2))
    y = np.array(["other", "dystonia-like", "fasciculation-like"] * 2)
    est = DecisionTreeClassifier(random_state=0).fit(X, y)
    entry = TrainedClassifier(est, "accel", ["duration", "snr_db"])
    assert not hasattr(entry, "training_settings_")
    path = save_bundle({"name": "old", "models": {"accel": entry}}, tmp_path / "old.joblib")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ev = movement.score(ACCEL, Settings().with_overrides(["accel.k_on=5"]), model=path)
    assert [str(w.message) for w in caught] == []
    assert ev.attrs["model"].startswith("old.joblib (old, sha256 ")


def test_the_command_says_it_once_and_not_in_each_files_row(
    trained, tmp_path, capsys, monkeypatch
) -> None:
    from movement.cli import main

    monkeypatch.setattr(batch, "_SAID", set(), raising=False)
    data = copies_with_sidecars(tmp_path / "in", ACCEL)
    out = tmp_path / "out"
    assert main(["score", str(data), "--out", str(out), "--model", str(trained["k_on"])]) == 0
    err = capsys.readouterr().err.splitlines()
    lines = [ln for ln in err if "was trained with" in ln]
    assert len(lines) == 1, err
    assert lines[0].startswith(f"warning: model {trained['k_on']} was trained with accel.k_on=4.5")
    summary = pd.read_csv(out / "summary.tsv", sep="\t", keep_default_na=False)
    assert list(summary["status"]) == ["ok", "ok"]
    assert not summary["message"].str.contains("trained with").any()


# --------------------------------------------------------------------------- 3. the hash


def test_the_shipped_models_part_of_the_hash_is_unchanged() -> None:
    ev = movement.score(ACCEL)
    params = ev.attrs["parameters"]
    assert params["model"] == SHIPPED and ev.attrs["model"] == SHIPPED
    cfg = AccelConfig().to_dict()
    assert ev.attrs["parameters_hash"] == params_hash(
        {"modality": "accel", "config": cfg, "model": SHIPPED}
    )
    assert ev.attrs["parameters_hash"] == "02e858251507b5e1"  # (as in 0.6.2)
    # the shipped file named by its path, or copied under another name: the same
    copy = Path(movement.__file__).parent.parent / "models" / "default.joblib"
    assert movement.score(ACCEL, model=copy).attrs["parameters_hash"] == "02e858251507b5e1"


def test_a_renamed_or_retrained_model_keeps_its_hash(trained, tmp_path) -> None:
    """Before: the hash held the file's name and SHA-256: renaming the file or training it
    again with the same seed (the file keeps the training's duration) changed it."""
    sha = {k: hashlib.sha256(p.read_bytes()).hexdigest() for k, p in trained.items()}
    assert sha["a"] != sha["again"]
    renamed = tmp_path / "elsewhere" / "renamed.joblib"
    renamed.parent.mkdir()
    shutil.copy(trained["a"], renamed)
    runs = {k: movement.score(ACCEL, model=p) for k, p in trained.items()}
    moved = movement.score(ACCEL, model=renamed)
    h = runs["a"].attrs["parameters_hash"]
    assert moved.attrs["parameters_hash"] == h == runs["again"].attrs["parameters_hash"]
    assert runs["k_on"].attrs["parameters_hash"] != h  # (another model, other features)
    assert runs["a"].attrs["parameters"]["model"].startswith("trained model, content sha256 ")
    # the file's name and SHA-256 stay in the provenance
    assert runs["a"].attrs["model"] == f"a.joblib ({model_name(SPEC)}, sha256 {sha['a'][:12]})"
    assert (
        moved.attrs["model"].startswith("renamed.joblib (")
        and sha["a"][:12] in moved.attrs["model"]
    )
    # the same events, and the manifest's key is the same too
    pd.testing.assert_frame_equal(runs["a"], moved)
    for m in (None, "accel"):
        keys = {
            ScoreOptions(model=str(p)).key(m) for p in (trained["a"], trained["again"], renamed)
        }
        assert len(keys) == 1
        assert ScoreOptions(model=str(trained["k_on"])).key(m) not in keys


def test_the_content_digest_is_stable_once_the_model_has_predicted(trained) -> None:
    _, name = load_model(trained["a"], "accel", AccelConfig())
    movement.score(ACCEL, model=trained["a"])
    classify._content_digest.cache_clear()
    _, again = load_model(trained["a"], "accel", AccelConfig())
    assert again.identity == name.identity and str(again) == str(name)


def test_a_batch_skips_files_scored_with_the_model_under_another_name(trained, tmp_path) -> None:
    out = tmp_path / "out"
    first = score_batch([ACCEL], out, ScoreOptions(model=str(trained["a"])), progress=False)
    assert first[0]["status"] == "ok" and not first[0].get("resumed")
    moved = tmp_path / "moved.joblib"
    shutil.copy(trained["again"], moved)  # (trained again with the seed, and renamed)
    rows = score_batch([ACCEL], out, ScoreOptions(model=str(moved)), progress=False)
    assert rows[0].get("resumed") is True
    other = score_batch([ACCEL], out, ScoreOptions(model=str(trained["k_on"])), progress=False)
    assert not other[0].get("resumed")
