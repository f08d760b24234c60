"""Settings a trained model does not read, its ``reason`` column, what the events keep of
the model's settings, training on modest simulated sets, and ``score_batch``'s options.

1. The rules' thresholds (``config.RULES_ONLY_SETTINGS``: ``accel.dystonia_min_s``,
   ``max_twitch_g``...) changed with a trained model did nothing and nothing said so;
   now a :class:`~movement.classify.RulesOnlySettingsWarning` says so, once per run (once
   per batch on the command line), and the events' notes keep it. The other label-only
   settings (``posture_max_deg``, review, bouts) act on the trained model's output.
2. Under the trained model the ``reason`` column listed the rules at the default
   thresholds, not the run's.
3. A :class:`~movement.classify.ModelSettingsWarning` is kept in the events' notes and
   their JSON.
4. ``train`` failed on modest training sets: a feature defined for a few neighbouring
   rows missed a fold of the unshuffled CV.
5. ``score_batch`` given a dict or ``settings=`` failed with an AttributeError or a
   TypeError.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import copies_with_sidecars

import movement
from movement import batch, classify
from movement import train as train_mod
from movement.classify import (
    CLASSES,
    ModelSettingsWarning,
    RuleClassifier,
    RulesOnlySettingsWarning,
)
from movement.config import (
    CONFIGS,
    LABEL_ONLY_SETTINGS,
    RULES_ONLY_SETTINGS,
    AccelConfig,
    Settings,
    rules_setting_changes,
)
from movement.errors import MovementError
from movement.output import events_sidecar
from movement.simulate import simulate

DATA = Path(__file__).resolve().parent.parent / "data"
ACCEL = DATA / "sim_wrist_accel.csv"
EMG = DATA / "sim_forearm_emg.npy"


def _s(*items: str) -> Settings:
    return Settings().with_overrides(list(items))


@pytest.fixture(scope="module")
def sustained() -> movement.Recording:
    """The user's recording: 5 min of simulated wrist accelerometry with dystonia-like
    events of 1.98-28 s."""
    return simulate("accel", 300, 3, snr_db=12).recording


def _scored(rec, settings=None, **kw) -> tuple[pd.DataFrame, list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ev = movement.score(rec, settings, **kw)
    return ev, [w for w in caught if issubclass(w.category, ModelSettingsWarning)]


def _rules_said(caught) -> list[str]:
    return [str(w.message) for w in caught if w.category is RulesOnlySettingsWarning]


# --------------------------------------------------------------------------- 1. rules only


def test_a_rules_threshold_with_the_trained_model_is_said_once_and_kept(sustained) -> None:
    """Before: dystonia_min_s=20 changed the hash, was recorded as applied, and the
    trained model's 6.5, 3.7 and 1.98 s dystonia-like events stayed, without a word."""
    base, caught = _scored(sustained)
    assert caught == []
    ev, caught = _scored(sustained, _s("accel.dystonia_min_s=20"))
    said = _rules_said(caught)
    assert len(said) == 1, said  # (once per run)
    assert said[0].startswith(
        "accel.dystonia_min_s=20 is a threshold of the rules: the default model does not read it"
    )
    assert "use model='rules' (--model rules)" in said[0]
    # the labels are the model's, as at the default (what the warning says)...
    assert ev["trial_type"].tolist() == base["trial_type"].tolist()
    assert ev.attrs["parameters_hash"] != base.attrs["parameters_hash"]
    # ... and the saved results say so: the notes, and the events JSON
    assert ev.attrs["notes"]["rules_settings"] == said[0]
    assert "rules_settings" not in base.attrs["notes"]
    assert events_sidecar(ev)["recording"]["reader_notes"]["rules_settings"] == said[0]
    # the rules read it: nothing to say, and the 10 s irregular tremor is no longer
    # dystonia-like (under 20 s, not a held posture)
    rules, caught = _scored(sustained, _s("accel.dystonia_min_s=20"), model="rules")
    assert caught == [] and "rules_settings" not in rules.attrs["notes"]
    d = rules[rules["trial_type"] == "dystonia-like"]
    assert not np.isclose(d["onset"], 160.01, atol=0.05).any()


def test_several_rules_thresholds_are_one_line_and_default_values_say_nothing() -> None:
    _, caught = _scored(ACCEL, _s("accel.max_twitch_g=0.1", "accel.knock_g=0.8"))
    said = _rules_said(caught)
    assert len(said) == 1
    assert said[0].startswith(
        "accel.max_twitch_g=0.1, accel.knock_g=0.8 are thresholds of the rules: the default "
        "model does not read them"
    )
    # the default values written out (a config file from `movement params --toml`): silent
    _, caught = _scored(ACCEL, _s("accel.max_twitch_g=0.15", "accel.dystonia_min_s=2"))
    assert caught == []
    # settings the model reads, or that act on its output, are no rules' threshold
    _, caught = _scored(ACCEL, _s("accel.review_margin=0.3", "accel.posture_max_deg=30"))
    assert _rules_said(caught) == []


def test_a_classifier_object_and_a_stream_say_it_too() -> None:
    model = classify.load_model("default", "accel", AccelConfig())[0]
    ev, caught = _scored(ACCEL, _s("accel.spasm_min_s=1"), model=model)
    said = _rules_said(caught)
    assert len(said) == 1 and "the classifier given (TrainedClassifier) does not read" in said[0]
    assert ev.attrs["notes"]["rules_settings"] == said[0]
    ev, caught = _scored(ACCEL, _s("accel.spasm_min_s=1"), stream=True)
    said = _rules_said(caught)
    assert len(said) == 1 and ev.attrs["notes"]["rules_settings"] == said[0]


def test_the_default_model_outside_its_rates_is_the_rules_and_says_nothing() -> None:
    rec = simulate("accel", 60, 4, fs=30).recording
    ev, caught = _scored(rec, _s("accel.dystonia_min_s=20"))
    assert ev.attrs["model"].startswith("rules (")
    assert caught == [] and "rules_settings" not in ev.attrs["notes"]


def test_rules_only_settings_are_the_rules_thresholds_and_say_so() -> None:
    assert RULES_ONLY_SETTINGS < LABEL_ONLY_SETTINGS
    import dataclasses

    for modality, cls in CONFIGS.items():
        for f in dataclasses.fields(cls):
            if f.name in RULES_ONLY_SETTINGS:
                assert "Rules only (a trained model does not read it)" in f.metadata["source"], (
                    modality,
                    f.name,
                )
            else:  # (the other settings say nothing of the kind)
                assert "Rules only" not in f.metadata["source"], (modality, f.name)
        # every one of them changes what the rules say of some segment: they are read
        present = sorted(RULES_ONLY_SETTINGS & {f.name for f in dataclasses.fields(cls)})
        assert present
    assert rules_setting_changes("emg", CONFIGS["emg"](cocontraction_min=0.7).to_dict()) == [
        ("cocontraction_min", 0.5, 0.7)
    ]


@pytest.mark.parametrize(
    ("item", "changed", "sample"),
    [
        # the class definitions, review flags and bouts act on any classifier's output
        ("accel.posture_max_deg=15", "trial_type", False),
        ("accel.review_margin=0.49", "review", False),
        ("accel.min_event_snr_db=30", "review", False),
        ("accel.other_bout_gap_s=10", "onset", True),  # (the sample file's bouts)
    ],
)
def test_the_other_label_only_settings_act_on_the_trained_model(
    sustained, item, changed, sample
) -> None:
    rec = ACCEL if sample else sustained
    base, _ = _scored(rec)
    ev, caught = _scored(rec, _s(item))
    assert caught == []  # (nothing to say: the model's output obeys them)
    assert ev.attrs["model"] == base.attrs["model"]
    assert len(ev) != len(base) or ev[changed].tolist() != base[changed].tolist()


def test_the_command_says_it_once_for_the_batch_and_each_json_keeps_it(
    tmp_path, capsys, monkeypatch
) -> None:
    from movement.cli import main

    monkeypatch.setattr(batch, "_SAID", set())
    data = copies_with_sidecars(tmp_path / "in", ACCEL)
    out = tmp_path / "out"
    args = ["score", str(data), "--out", str(out), "--set", "accel.max_twitch_g=0.05"]
    assert main(args) == 0
    err = capsys.readouterr().err.splitlines()
    lines = [ln for ln in err if "threshold of the rules" in ln]
    assert lines == [
        "warning: accel.max_twitch_g=0.05 is a threshold of the rules: the default model "
        "does not read it (its labels are the same at any value; only the reason column's "
        "rules use it); use model='rules' (--model rules) for labels by the rules"
    ], err
    summary = pd.read_csv(out / "summary.tsv", sep="\t", keep_default_na=False)
    assert list(summary["status"]) == ["ok", "ok"]
    assert not summary["message"].str.contains("rules").any()
    for stem in ("one", "two"):
        side = json.loads((out / f"{stem}_events.json").read_text())
        assert side["recording"]["reader_notes"]["rules_settings"] == lines[0][9:]
    # with the rules: nothing to say
    monkeypatch.setattr(batch, "_SAID", set())
    assert main([*args[:-2], "--set", "accel.max_twitch_g=0.06", "--model", "rules"]) == 0
    assert "threshold of the rules" not in capsys.readouterr().err


# --------------------------------------------------------------------------- 2. reason


def test_the_trained_models_reason_uses_the_runs_thresholds() -> None:
    """Before: max_twitch_g=0.01 still listed "small" for 0.12 g peaks (the rules were
    built with the default thresholds)."""
    base, _ = _scored(ACCEL)
    ev, _ = _scored(ACCEL, _s("accel.max_twitch_g=0.01"))
    big = ev["peak_amplitude"] > 0.02
    assert big.any()
    assert base.loc[big, "reason"].str.contains(r"\bsmall\b").any()
    assert not ev.loc[big, "reason"].str.contains(r"\bsmall\b").any()
    assert ev["reason"].str.startswith("trained model; rules held: ").all()
    # the labels and probabilities are the model's: unchanged
    pd.testing.assert_frame_equal(
        ev.drop(columns="reason"), base.drop(columns="reason"), check_like=False
    )


def test_trained_classifier_explain_takes_the_config() -> None:
    model = classify.load_model("default", "accel", AccelConfig())[0]
    X = pd.DataFrame({"duration": [0.3], "peak_amplitude": [0.12], "isolation_s": [5.0]})
    assert "small" in model.explain(X)[0]
    assert "small" in model.explain(X, config=AccelConfig())[0]
    assert "small" not in model.explain(X, config=AccelConfig(max_twitch_g=0.01))[0]
    at = RuleClassifier("accel", AccelConfig(max_twitch_g=0.01)).fit().explain(X)[0]
    assert model.explain(X, config=AccelConfig(max_twitch_g=0.01))[0].endswith(at)


def test_a_plugin_classifiers_explain_without_a_config_still_works() -> None:
    class Plain:
        classes_ = np.array(CLASSES, dtype=object)

        def predict_proba(self, X):
            return np.tile([0.2, 0.1, 0.7], (len(X), 1))

        def explain(self, X):
            return ["mine"] * len(X)

    ev, _ = _scored(ACCEL, _s("accel.max_twitch_g=0.01"), model=Plain())
    assert len(ev) and ev["reason"].str.contains("mine").all()


# --------------------------------------------------------------------------- 3. notes


def test_a_model_settings_warning_is_kept_in_the_notes_and_json(tmp_path) -> None:
    """Before: the warning was said, but the saved results did not show that the model
    was given features unlike its training's."""
    from movement.output import write_events

    ev, caught = _scored(EMG, _s("emg.band_high_hz=950"))
    said = [str(w.message) for w in caught if w.category is ModelSettingsWarning]
    assert len(said) == 1 and said[0].startswith("the default model was trained with")
    assert ev.attrs["notes"]["model_settings"] == said[0]
    _, side = write_events(ev, tmp_path, "e")
    notes = json.loads(side.read_text())["recording"]["reader_notes"]
    assert notes["model_settings"] == said[0]
    assert "band_high_hz" in notes  # (what the rate applied: kept beside it)
    base, _ = _scored(EMG)
    assert "model_settings" not in base.attrs["notes"]


def test_the_needle_emg_the_readme_recommends_keeps_its_note(real) -> None:
    path = real("physionet_emgdb/emg_neuropathy.hea")
    ev, caught = _scored(movement.read(path), _s("emg.band_high_hz=1900"))
    said = [str(w.message) for w in caught if w.category is ModelSettingsWarning]
    assert len(said) == 1
    assert "emg.band_high_hz=1900" in ev.attrs["notes"]["model_settings"]
    assert events_sidecar(ev)["recording"]["reader_notes"]["model_settings"] == said[0]


# --------------------------------------------------------------------------- 4. training


def _blocky(n: int = 300, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Features with ``beat_neighbours`` defined for 40 neighbouring rows only (one
    recording's heartbeat-like train), all in the middle third of the table: the test
    rows of one unshuffled stratified fold."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {f: rng.normal(size=n) for f in train_mod.MODEL_FEATURES if f != "is_sustained"}
    )
    X["scale"] = np.where(rng.random(n) < 0.5, "brief", "sustained")
    X["beat_neighbours"] = np.nan
    X.loc[130:169, "beat_neighbours"] = rng.integers(0, 4, 40).astype(float)
    y = np.array(["fasciculation-like", "dystonia-like", "other"] * (n // 3), dtype=object)
    return X, y


def test_a_feature_of_neighbouring_rows_no_longer_fails_training() -> None:
    """Before: "training failed on 300 segments (window shape cannot be larger than input
    array shape)": the unshuffled folds left one fold's training rows without a value."""
    X, y = _blocky()
    est, used = train_mod.fit_model(X, y, seed=5)
    assert "beat_neighbours" in used
    assert repr(est.cv) == "StratifiedKFold(n_splits=3, random_state=5, shuffle=True)"
    # deterministic: the same data and seed give the same model
    again, _ = train_mod.fit_model(X, y, seed=5)
    M = train_mod._model_matrix(X, used)
    assert np.array_equal(est.predict_proba(M), again.predict_proba(M))


def test_a_well_spread_training_set_keeps_the_folds_in_row_order() -> None:
    """The shipped model was calibrated on cv=3's folds: a training set whose features
    reach every fold keeps them (the fitted model is the same object, to the byte)."""
    X, y = _blocky()
    X["beat_neighbours"] = np.arange(len(X)) % 3.0
    est, used = train_mod.fit_model(X, y, seed=5)
    assert est.cv == 3 and "beat_neighbours" in used
    folds, empty = train_mod.cv_folds(train_mod._model_matrix(X, used), y.astype(str), 5)
    assert folds == 3 and not empty.any()


def test_a_feature_no_fold_can_hold_is_left_out() -> None:
    M = np.column_stack([np.arange(30.0), np.full(30, np.nan)])
    M[0, 1] = 1.0  # one value: some fold's training rows lack it, shuffled or not
    y = np.array(["a", "b", "c"] * 10)
    folds, empty = train_mod.cv_folds(M, y, seed=0)
    assert empty.tolist() == [False, True] and not isinstance(folds, int)


def test_training_advice_names_the_library_and_the_command(monkeypatch) -> None:
    def fails(*a, **k):
        raise ValueError("no")

    monkeypatch.setattr(train_mod, "cv_folds", fails)
    X, y = _blocky()
    with pytest.raises(MovementError) as err:
        train_mod.fit_model(X, y)
    text = str(err.value)
    assert text.startswith("training failed on 300 segments (no): simulate more or longer")
    assert "(--n, --duration)" in text and "TrainingSpec(n_recordings=..., duration_s=...)" in text

    monkeypatch.setattr(
        train_mod, "training_set", lambda m, spec, settings=None: (X.iloc[:5], y[:5])
    )
    with pytest.raises(MovementError, match=r"TrainingSpec\(n_recordings=\.\.\., duration_s"):
        train_mod.train("accel", train_mod.TrainingSpec(n_recordings=1, duration_s=60))


@pytest.mark.slow
def test_the_users_modest_training_set_trains() -> None:
    """The report: 30 recordings of 5 min, seed 5, failed on 1905 segments."""
    bundle = train_mod.train("accel", train_mod.TrainingSpec(n_recordings=30, seed=5))
    info = bundle["training"]["per_modality"]["accel"]
    assert info["n_segments"] > 1000 and "beat_neighbours" in info["features"]


# --------------------------------------------------------------------------- 5. batch options


def test_score_batch_takes_a_dict_of_its_options(tmp_path) -> None:
    """Before: AttributeError: 'dict' object has no attribute 'model'."""
    rows = batch.score_batch([ACCEL], tmp_path / "a", {"model": "rules"}, progress=False)
    same = batch.score_batch(
        [ACCEL], tmp_path / "b", batch.ScoreOptions(model="rules"), progress=False
    )
    assert rows[0]["status"] == "ok" and rows[0]["n_events"] == same[0]["n_events"]
    a = (tmp_path / "a" / "sim_wrist_accel_events.tsv").read_bytes()
    assert a == (tmp_path / "b" / "sim_wrist_accel_events.tsv").read_bytes()


@pytest.mark.parametrize(
    ("call", "said"),
    [
        (
            lambda out: batch.score_batch([ACCEL], out, "rules"),
            "options must be a ScoreOptions (movement.batch.ScoreOptions(settings=..., model=...))",
        ),
        (
            lambda out: batch.score_batch([ACCEL], out, settings=Settings()),
            "score_batch takes settings= in its options: score_batch(paths, out, "
            "ScoreOptions(settings=...))",
        ),
        (
            lambda out: batch.score_batch([ACCEL], out, {"modell": "rules"}),
            "options: ScoreOptions has no field 'modell'",
        ),
        (
            lambda out: batch.score_batch([ACCEL], out, {"settings": AccelConfig()}),
            "options: settings must be a Settings, got AccelConfig",
        ),
    ],
)
def test_score_batch_refuses_other_options_in_one_line(tmp_path, call, said) -> None:
    """Before: an AttributeError, or Python's TypeError for settings=."""
    with pytest.raises(MovementError) as err:
        call(tmp_path / "out")
    assert str(err.value).startswith(said), str(err.value)
    assert not (tmp_path / "out" / "summary.tsv").exists()


def test_score_batch_keeps_pythons_error_for_any_other_name(tmp_path) -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'job'"):
        batch.score_batch([ACCEL], tmp_path, job=2)
