"""Training the segment classifier on simulated (and reviewed) recordings.

The pipeline's segments and features are computed exactly as in
:func:`movement.score`; each segment is labelled with the class of the true event
it overlaps most (no overlap: ``other``, a spurious detection). A gradient
boosting classifier, calibrated (isotonic, cross-validated) so that
``probability`` means what it says, is fitted per modality and saved (a zlib-compressed
pickle that ``joblib.load`` also reads) together with a model card (training data,
seeds, features, parameters, package versions, held-out metrics).

Training draws simulator parameters from ranges wider than the simulator's
defaults (:func:`random_params`); evaluation uses seeds never used in training
and settings outside the training ranges (other sampling rates, SNR levels).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import platform
import sys
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._version import __version__
from .classify import CLASSES, RuleClassifier
from .config import Settings
from .errors import MovementError
from .features import FEATURES, segment_features
from .preprocess import preprocess
from .segment import segment

__all__ = [
    "MODEL_FEATURES",
    "TrainedClassifier",
    "cv_folds",
    "match_labels",
    "random_params",
    "segment_table",
    "training_set",
    "train",
    "cli_configure",
    "cli_run",
]

log = logging.getLogger(__name__)

#: Features the trained model uses (every numeric feature, plus duration and scale).
MODEL_FEATURES = ("duration", "is_sustained", *[f for f in FEATURES if f != "clipped"], "clipped")


def _model_matrix(X: pd.DataFrame, features: Sequence[str] = MODEL_FEATURES) -> np.ndarray:
    cols = []
    for f in features:
        if f == "is_sustained":
            cols.append(
                (X["scale"] == "sustained").to_numpy(float)
                if "scale" in X
                else np.full(len(X), np.nan)
            )
        elif f in X:
            cols.append(pd.to_numeric(X[f], errors="coerce").to_numpy(float))
        else:
            cols.append(np.full(len(X), np.nan))
    M = np.column_stack(cols) if cols else np.zeros((len(X), 0))
    M[~np.isfinite(M)] = np.nan
    return M


def feature_ranges(X: pd.DataFrame, features: Sequence[str]) -> dict[str, list[float]]:
    """Each feature's [min, max] over training segments ``X`` (in the units the model is
    given them), where it has a value: what :func:`movement.classify.outside_training`
    compares a scored segment's features with.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"peak_amplitude": [0.2, 3.0, None], "scale": ["brief"] * 3})
    >>> feature_ranges(X, ["peak_amplitude", "is_sustained"])
    {'peak_amplitude': [0.2, 3.0], 'is_sustained': [0.0, 0.0]}
    """
    M = _model_matrix(X, features)
    out = {}
    for j, f in enumerate(features):  # loop over the features (~20)
        v = M[:, j][np.isfinite(M[:, j])]
        if len(v):
            out[f] = [float(v.min()), float(v.max())]
    return out


def _modalities(modalities: Sequence[str] | str) -> list[str]:
    """``modalities`` as a list (one text: a list of one), each ``emg`` or ``accel``."""
    items = [modalities] if isinstance(modalities, str) else list(modalities)
    for m in items:
        if m not in ("emg", "accel"):
            raise MovementError(f"modality must be accel or emg, got {m!r}")
    return items


def _one_thread() -> Any:
    """``threadpool_limits(limits=1)`` from the controller shared with the pipeline's BLAS
    limit (:func:`movement.pipeline._threadpools`, made once).

    Scoring calls it once per recording; scanning the process's libraries each time cost
    more than the model's prediction on a few hundred segments.
    """
    from .pipeline import _threadpools

    return _threadpools().limit(limits=1)


class TrainedClassifier:
    """A fitted scikit-learn classifier over segment features, with the rules' explanations.

    ``predict_proba`` takes the features DataFrame that :func:`movement.score`
    builds, so it drops in where :class:`~movement.classify.RuleClassifier` is used.
    :func:`train` also sets ``training_settings_``: the settings (one modality's
    ``to_dict()``) its training segments were made with.
    """

    def __init__(
        self,
        estimator: Any,
        modality: str,
        features: Sequence[str],
        fs_range: tuple[float, float] | None = None,
    ) -> None:
        self.estimator = estimator
        self.modality = modality
        self.features = features
        self.fs_range = fs_range
        # (the fitted estimator's: a TrainedClassifier wraps one already fitted)
        self.classes_ = np.array(CLASSES, dtype=object)
        self.features_ = [features] if isinstance(features, str) else list(features)

    def accepts(self, fs: float) -> str | None:
        """Why a recording at ``fs`` Hz lies outside the model's validated domain, or None."""
        lo, hi = self.fs_range or (0.0, np.inf)
        if not lo <= fs <= hi:
            return f"{fs:g} Hz is outside the trained model's {lo:g}-{hi:g} Hz"
        return None

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Calibrated probabilities, columns in the order of ``classes_``."""
        from .classify import check_features_table

        needed = ["scale" if f == "is_sustained" else f for f in self.features_]
        check_features_table(X, "the trained model", ["duration", *dict.fromkeys(needed)])
        if len(X) == 0:
            return np.zeros((0, len(CLASSES)))
        # one native thread: gradient boosting's OpenMP prediction stalls on a busy machine
        with _one_thread():
            p = self.estimator.predict_proba(_model_matrix(X, self.features_))
        out = np.zeros((len(X), len(CLASSES)))
        for j, c in enumerate(self.estimator.classes_):
            out[:, CLASSES.index(str(c))] = p[:, j]
        return out

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def explain(self, X: pd.DataFrame, config: Any = None) -> list[str]:
        """The rules that held, for a reviewer, prefixed by ``model``: at ``config``'s
        thresholds (the run's settings, as :func:`movement.score` gives them), the
        modality's defaults when omitted."""
        rules = RuleClassifier(self.modality, config).fit().explain(X)
        return [f"trained model; rules held: {r}" for r in rules]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's parameters (scikit-learn's ``clone`` makes an unfitted copy)."""
        return {
            "estimator": self.estimator,
            "modality": self.modality,
            # (models saved before 0.6.1 kept the list only)
            "features": getattr(self, "features", self.features_),
            "fs_range": getattr(self, "fs_range", None),
        }

    def set_params(self, **params: Any) -> TrainedClassifier:
        """Set constructor parameters (as scikit-learn estimators do); returns ``self``."""
        known = self.get_params()
        for name, value in params.items():
            if name not in known:
                raise MovementError(
                    f"TrainedClassifier has no parameter {name!r} (it has {', '.join(known)})"
                )
            setattr(self, name, value)
            if name == "features":
                self.features_ = [value] if isinstance(value, str) else list(value)
        return self


def match_labels(seg: pd.DataFrame, truth: pd.DataFrame) -> np.ndarray:
    """Class of the true event each segment overlaps most; ``other`` when none.

    A segment covering less than half of a dystonia-like event is a fragment and is
    labelled ``other`` (it would not match the event in evaluation either).

    Parameters
    ----------
    seg : DataFrame with ``onset``, ``duration``
    truth : DataFrame with ``onset``, ``duration``, ``trial_type``
    """
    labels = np.full(len(seg), "other", dtype=object)
    if len(seg) == 0 or len(truth) == 0:
        return labels
    s_on = seg["onset"].to_numpy(float)
    s_off = s_on + seg["duration"].to_numpy(float)
    t_on = truth["onset"].to_numpy(float)
    t_off = t_on + truth["duration"].to_numpy(float)
    # overlap matrix (segments x events); both are sorted and sparse in practice
    ov = np.minimum(s_off[:, None], t_off[None, :]) - np.maximum(s_on[:, None], t_on[None, :])
    ov = np.where(ov > -0.02, ov + 0.02, 0.0)  # a twitch segment touching its event counts
    best = np.argmax(ov, axis=1)
    rows = np.arange(len(seg))
    hit = ov[rows, best] > 0
    # a fragment of a sustained event (covering under half of it) is not that event: the
    # evaluation would not match it either, so it is taught as `other`
    kind = truth["trial_type"].to_numpy(object)[best]
    t_len = (t_off - t_on)[best]
    fragment = (kind == "dystonia-like") & (ov[rows, best] < 0.5 * t_len)
    labels[hit & ~fragment] = kind[hit & ~fragment]
    return labels


def segment_table(rec: Any, settings: Settings | None = None) -> pd.DataFrame:
    """Segments and features of a recording, as :func:`movement.score` computes them."""
    from .pipeline import calibration_for

    cfg = (settings or Settings()).for_modality(rec.modality)
    pre = preprocess(rec, cfg, calibration=calibration_for(rec, cfg))
    seg = segment(pre, cfg)
    return segment_features(pre, seg, cfg, rec.modality, rec.duration)


def random_params(rng: np.random.Generator, modality: str) -> Any:
    """Simulator parameters drawn from ranges wider than the defaults (for training)."""
    from .simulate import SimulationParams

    def rng_range(lo: float, hi: float) -> tuple[float, float]:
        a, b = sorted(rng.uniform(lo, hi, 2))
        return (float(a), float(max(b, a * 1.2 + 1e-6)))

    base = SimulationParams()
    changes = dict(
        fasciculation_rate_per_min=float(rng.uniform(1, 25)),
        dystonia_rate_per_min=float(rng.uniform(0.2, 1.5)),
        muap_pp_mv=rng_range(0.03, 0.8),
        twitch_peak_g=rng_range(0.008, 0.15),
        twitch_duration_s=rng_range(0.08, 1.2),
        contraction_rms_mv=rng_range(0.02, 0.5),
        sustained_duration_s=rng_range(1.0, 40.0),
        dystonic_tremor_g=rng_range(0.02, 0.3),
        posture_tilt_deg=rng_range(8.0, 50.0),
        tremor_freq_hz=rng_range(2.5, 9.0),
        emg_noise_mv=rng_range(0.002, 0.015),
        accel_noise_g=rng_range(0.002, 0.012),
    )
    known = {f.name for f in dataclasses.fields(SimulationParams)}
    return dataclasses.replace(base, **{k: v for k, v in changes.items() if k in known})


@dataclass(frozen=True)
class TrainingSpec:
    """What the training set is made of (recorded in the model card)."""

    n_recordings: int = 120
    duration_s: float = 300.0
    seed: int = 1000
    snr_db_range: tuple[float, float] = (-3.0, 25.0)
    natural_snr_fraction: float = 0.3
    confounder_only_fraction: float = 0.15

    def __post_init__(self) -> None:
        """Refuse what no simulation can be made of, before any is made (a negative seed
        was numpy's "expected non-negative integer" after the first recording, and no
        recordings a misleading "not enough labelled segments")."""
        from .recording import MIN_DURATION_S

        n = self.n_recordings
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise MovementError(f"n_recordings must be an integer >= 1, got {n!r}")
        seed = self.seed
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise MovementError(f"seed must be an integer >= 0, got {seed!r}")
        d = self.duration_s
        if (
            isinstance(d, bool)
            or not isinstance(d, int | float | np.integer | np.floating)
            or not np.isfinite(d)
            or d < MIN_DURATION_S
        ):
            raise MovementError(f"duration_s must be at least {MIN_DURATION_S:g} s, got {d!r}")


def training_set(
    modality: str, spec: TrainingSpec, settings: Settings | None = None
) -> tuple[pd.DataFrame, np.ndarray]:
    """Segments with features and true labels from simulated recordings."""
    from .simulate import simulate

    rng = np.random.default_rng(spec.seed)
    frames, labels = [], []
    for i in range(spec.n_recordings):  # loop over recordings
        params = random_params(rng, modality)
        snr = (
            None
            if rng.random() < spec.natural_snr_fraction
            else float(rng.uniform(*spec.snr_db_range))
        )
        conf_only = bool(rng.random() < spec.confounder_only_fraction)
        sim = simulate(
            modality,
            spec.duration_s,
            spec.seed + i,
            snr_db=snr,
            confounders="all",
            confounder_only=conf_only,
            params=params,
        )
        table = segment_table(sim.recording, settings)
        frames.append(table)
        labels.append(match_labels(table, sim.events))
    X = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return X, np.concatenate(labels) if labels else np.array([], dtype=object)


#: What a training set too small for its model is told to grow, for the library and the
#: command line alike.
_MORE = (
    "more or longer recordings (--n, --duration); from the library, "
    "TrainingSpec(n_recordings=..., duration_s=...)"
)


def cv_folds(
    M: np.ndarray, y: np.ndarray, seed: int = 0, n_splits: int = 3
) -> tuple[Any, np.ndarray]:
    """The calibration's cross-validation over the rows of ``M`` (features as columns,
    NaN where undefined) and labels ``y``, as ``CalibratedClassifierCV``'s ``cv``, and
    which columns still have no defined value among some fold's training rows.

    The folds are ``n_splits`` itself, i.e. scikit-learn's ``StratifiedKFold(n_splits)``
    in row order (what ``cv=3`` gives: every model trained before, the shipped one
    included, was calibrated on them, and the fitted model is the same object, to the
    byte), unless a column has no defined value among some fold's training rows.
    A feature defined for a few dozen neighbouring rows (one recording's heartbeat-like
    train, ``beat_neighbours``) can lie in one fold's test rows alone, and gradient
    boosting's binning fails on a column with no value ("window shape cannot be larger
    than input array shape"); the folds are then stratified and shuffled with ``seed``
    (``StratifiedKFold(n_splits, shuffle=True, random_state=seed)``: the same folds for
    the same data and seed). A column without a value in some fold even so is for the
    caller to leave out.

    Examples
    --------
    >>> M = np.full((30, 1), np.nan)
    >>> M[:6, 0] = np.arange(6.0)  # defined for the first rows only
    >>> y = np.array(["a", "b", "c"] * 10)
    >>> cv_folds(M, y, seed=1)
    (StratifiedKFold(n_splits=3, random_state=1, shuffle=True), array([False]))
    >>> cv_folds(np.ones((30, 1)), y)  # defined everywhere: the folds in row order
    (3, array([False]))
    """
    from sklearn.model_selection import StratifiedKFold

    defined = np.isfinite(M)
    somewhere = defined.any(axis=0)

    def empty(splitter: Any) -> np.ndarray:
        out = np.zeros(M.shape[1], dtype=bool)
        for train_rows, _ in splitter.split(M, y):  # loop over the folds
            out |= somewhere & ~defined[train_rows].any(axis=0)
        return out

    missing = empty(StratifiedKFold(n_splits))
    if not missing.any():
        return n_splits, missing
    shuffled = StratifiedKFold(n_splits, shuffle=True, random_state=seed)
    return shuffled, empty(shuffled)


def fit_model(X: pd.DataFrame, y: np.ndarray, seed: int = 0) -> tuple[Any, list[str]]:
    """Gradient boosting on the segment features, isotonic-calibrated by 3-fold CV.

    Features that are never defined for this modality (e.g. tilt for EMG) are left out.
    The folds are :func:`cv_folds`: in row order, or shuffled with ``seed`` when a
    feature would have no value in some fold's training rows (a feature then still
    without one is left out). Returns the fitted estimator and the features it uses.
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier

    hgb = HistGradientBoostingClassifier(
        max_iter=300,
        learning_rate=0.08,
        max_leaf_nodes=31,
        l2_regularization=1.0,
        class_weight="balanced",
        random_state=seed,
    )
    M = _model_matrix(X)
    # a feature must vary often enough to reach every CV fold with >= 2 distinct values
    # (tilt is never defined for EMG, median frequency never for accelerometry, clipping
    # is rare): otherwise gradient boosting's binning fails on a constant column. On a
    # small training set 2 % is a row or two, which a fold can miss: at least 12 defined
    # values, 6 of them off the commonest (4 and 2 per fold)
    need, off = max(0.02 * len(M), 12), max(0.02 * len(M), 6)
    used = []
    for k, f in enumerate(MODEL_FEATURES):
        col = M[np.isfinite(M[:, k]), k]
        if col.size < need:
            continue
        _, counts = np.unique(col, return_counts=True)
        if counts.size >= 2 and (col.size - counts.max()) >= off:
            used.append(f)
    labels = y.astype(str)
    t0 = time.perf_counter()
    try:
        # the folds in row order (cv=3's), unless a feature defined for a few neighbouring
        # rows would miss a fold's training rows: shuffled then (cv_folds)
        folds, empty = cv_folds(_model_matrix(X, used), labels, seed)
        if empty.any():  # (no value in some fold even shuffled: left out)
            log.info("left out (no value in a CV fold): %s", [*np.array(used)[empty]])
            used = [f for f, gone in zip(used, empty, strict=True) if not gone]
        if not isinstance(folds, int):
            log.info("CV folds shuffled (seed %d): a feature missed a fold in row order", seed)
        # ensemble=False: one booster refitted on all rows, calibrated on 3-fold
        # out-of-fold predictions (a third of the trees of a 3-model ensemble: loads and
        # predicts 3x faster)
        clf = CalibratedClassifierCV(hgb, method="isotonic", cv=folds, ensemble=False)
        # one native thread below 20 000 segments: OpenMP's waiting threads made a 60-row
        # fit take 18 s instead of 0.5 s on a busy 2-core machine (same model either way)
        with _one_thread() if len(y) < 20_000 else contextlib.nullcontext():
            clf.fit(_model_matrix(X, used), labels)
    except ValueError as exc:  # (a fold of a small training set without a usable column)
        raise MovementError(
            f"training failed on {len(y)} segments ({exc}): simulate {_MORE}"
        ) from None
    log.info(
        "fitted %d segments x %d features in %.1f s", len(y), len(used), time.perf_counter() - t0
    )
    return clf, used


def train(
    modalities: Sequence[str] | str = ("emg", "accel"),
    spec: TrainingSpec | None = None,
    *,
    reviewed: str | Path | None = None,
    settings: Settings | None = None,
    progress: bool = False,
    name: str | None = None,
) -> dict[str, Any]:
    """Train one classifier per modality; returns the bundle saved by :func:`save_bundle`.

    ``modalities``: ``"emg"``, ``"accel"`` or both (one text: that modality alone).
    ``name``: the model's name, which every result it labels carries (``summary.tsv``'s
    ``model``, the events JSON); by default :func:`model_name` of what it was trained on.
    """
    modalities = _modalities(modalities)
    if name is not None:
        name = _check_name(name)
    spec = spec or TrainingSpec()
    models: dict[str, TrainedClassifier] = {}
    info: dict[str, Any] = {}
    for m in modalities:
        t0 = time.perf_counter()
        X, y = training_set(m, spec, settings)
        n_sim = len(X)
        if reviewed is not None:
            Xr, yr = _reviewed_rows(reviewed, m)
            if len(Xr):
                X = pd.concat([X, Xr], ignore_index=True)
                y = np.concatenate([y, yr])
        # every class, a missing one as 0: a model that never saw a class cannot predict it
        counts = pd.Series(y, dtype=object).value_counts().reindex(list(CLASSES), fill_value=0)
        if counts.min() < 3:
            shown = ", ".join(f"{c} {int(n)}" for c, n in counts.items())
            raise MovementError(
                f"not enough labelled {m} segments to train ({shown}): each class needs >= 3 "
                f"for calibration; use {_MORE}"
            )
        est, used = fit_model(X, y, seed=spec.seed)
        counts = pd.Series(y).value_counts().to_dict()
        info[m] = {
            "n_segments": int(len(y)),
            "n_simulated_segments": int(n_sim),
            "n_reviewed_segments": int(len(y) - n_sim),
            "class_counts": {str(k): int(v) for k, v in counts.items()},
            "features": used,
            "feature_ranges": feature_ranges(X, used),
            "train_seconds": round(time.perf_counter() - t0, 1),
        }
        models[m] = TrainedClassifier(est, m, used, fs_range=_fs_domain(m))
        # what its trees were split on: a scored segment beyond it is flagged for review
        # (movement.classify.outside_training)
        models[m].feature_ranges_ = info[m]["feature_ranges"]
        # the settings its segments were made with: scoring with settings that change the
        # features is then said (movement.pipeline.classifier_for); a model saved before
        # 0.6.3 has the bundle's "settings" only, read the same way
        models[m].training_settings_ = (settings or Settings()).for_modality(m).to_dict()
        if progress:
            print(_progress_line(m, info[m]), file=sys.stderr)
    n_reviewed = sum(i["n_reviewed_segments"] for i in info.values())
    return {
        "name": name or model_name(spec, n_reviewed),
        "models": models,
        "training": {"spec": dataclasses.asdict(spec), "per_modality": info},
        "features": list(MODEL_FEATURES),
        "settings": (settings or Settings()).to_dict(),
        "versions": _versions(),
    }


def model_name(spec: TrainingSpec, n_reviewed: int = 0) -> str:
    """The default name of a model :func:`train` makes: what it was trained on, and the
    version of ``movement`` that trained it. It starts with ``trained-``, never with
    ``movement-``, the prefix of the model shipped in ``models/``: a result labelled by a
    model of one's own does not read as labelled by the package's.

    Examples
    --------
    >>> model_name(TrainingSpec(n_recordings=12, duration_s=300.0, seed=0), 40)  # doctest: +ELLIPSIS
    'trained-hgb-12x300s-seed0+40reviewed-movement...'
    """
    text = f"trained-hgb-{spec.n_recordings}x{spec.duration_s:g}s-seed{spec.seed}"
    if n_reviewed:
        text += f"+{n_reviewed}reviewed"
    return f"{text}-movement{__version__}"


def _check_name(name: str) -> str:
    """A model's name as given (``--name``): one line of printable text without the
    parentheses and tabs its provenance (``file (name, sha256 ...)``) and tables use.

    Examples
    --------
    >>> _check_name("  wrist-study-2026 ")
    'wrist-study-2026'
    >>> _check_name("a (b)")
    Traceback (most recent call last):
    ...
    movement.errors.MovementError: --name 'a (b)': a model's name is one line of printable text without parentheses, tabs or commas, e.g. wrist-study-2026
    """
    text = name.strip()
    if not text or not text.isprintable() or any(c in text for c in "(),\t"):
        raise MovementError(
            f"--name {name!r}: a model's name is one line of printable text without "
            "parentheses, tabs or commas, e.g. wrist-study-2026"
        )
    return text


def _progress_line(modality: str, info: dict[str, Any]) -> str:
    """What ``movement train`` says of one trained modality: one readable line (not the
    model card's dict).

    Examples
    --------
    >>> print(_progress_line("accel", {"n_segments": 38, "n_simulated_segments": 38,
    ...     "n_reviewed_segments": 0, "features": ["duration", "rms"], "train_seconds": 0.8,
    ...     "class_counts": {"fasciculation-like": 23, "other": 11, "dystonia-like": 4}}))
    trained accel: 38 segments (38 simulated, 0 reviewed): fasciculation-like 23, dystonia-like 4, other 11; 2 features; 0.8 s
    """
    counts = info.get("class_counts", {})
    classes = ", ".join(f"{c} {counts.get(c, 0)}" for c in CLASSES)
    return (
        f"trained {modality}: {info['n_segments']} segments ({info['n_simulated_segments']} "
        f"simulated, {info['n_reviewed_segments']} reviewed): {classes}; "
        f"{len(info['features'])} features; {info['train_seconds']:g} s"
    )


def _fs_domain(modality: str) -> tuple[float, float]:
    """Sampling rates the model is validated for: half to twice the simulated rate.

    Training simulates at the simulator's default rate; held-out metrics include half
    that rate (``heldout_metrics``). Outside this range :func:`movement.score` uses the rules.
    """
    from .simulate import _MODALITY

    fs = _MODALITY[modality]["fs"]
    return (fs / 2, fs * 2)


def in_model_units(rows: pd.DataFrame, modality: str) -> pd.DataFrame:
    """Reviewed events' features (:func:`movement.review.reviewed_training_rows`) in the
    units the trained model learns them in: EMG amplitudes in mV, from each events
    table's ``units``, as :func:`movement.pipeline.model_features` gives a recording's
    features to a trained model when scoring.

    EMG events reviewed in µV, V or nV were folded into training in their table's units:
    amplitudes 1000 times those of the simulated segments (in mV) beside them. Events in
    mV, of unknown units (``a.u.``, none) and accelerometry (g) are taken as they are.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"units": ["uV", "mV", None], "peak_amplitude": [250.0, 0.25, 3.0],
    ...                      "rms": [40.0, 0.04, 1.0], "snr_db": [12.0, 12.0, 12.0]})
    >>> in_model_units(rows, "emg")[["peak_amplitude", "rms", "snr_db"]].to_dict("list")
    {'peak_amplitude': [0.25, 0.25, 3.0], 'rms': [0.04, 0.04, 1.0], 'snr_db': [12.0, 12.0, 12.0]}
    """
    if modality != "emg" or not len(rows) or "units" not in rows.columns:
        return rows
    from .pipeline import model_features

    # (a model of this package: model_features converts for it as for a trained model)
    trained = TrainedClassifier(None, modality, ())
    units = rows["units"].map(lambda u: str(u) if isinstance(u, str) else "")
    parts, moved = [], []
    for unit, group in rows.groupby(units, sort=False):  # (one group per unit: a few)
        scaled = model_features(group, trained, modality, unit)
        parts.append(scaled)
        if scaled is not group:  # (a new table: its amplitudes were converted)
            moved.append(f"{len(group)} in {unit}")
    if moved:
        log.info("reviewed %s events' amplitudes converted to mV: %s", modality, ", ".join(moved))
    return pd.concat(parts).loc[rows.index]


def _reviewed_rows(folder: str | Path, modality: str) -> tuple[pd.DataFrame, np.ndarray]:
    try:
        from .review import reviewed_training_rows
    except ImportError:  # pragma: no cover
        raise MovementError("reviewed training needs movement.review") from None
    everything = reviewed_training_rows(folder, folder)
    mods = everything["modality"].map(lambda v: v if isinstance(v, str) else "unknown")
    rows = in_model_units(everything[mods == modality].reset_index(drop=True), modality)
    # a folder that adds nothing (a wrong folder, nothing reviewed yet) is said, not silent
    if len(everything) == 0:
        warnings.warn(
            f"{folder}: no reviewed events (no <stem>_decisions.tsv, no review_status filled "
            "in a <stem>_events.tsv); training on simulated data only",
            UserWarning,
            stacklevel=3,
        )
    elif len(rows) == 0:
        found = ", ".join(f"{k} {n}" for k, n in mods.value_counts().items())
        warnings.warn(
            f"{folder}: no reviewed {modality} events (reviewed: {found}); "
            f"{modality} trained on simulated data only",
            UserWarning,
            stacklevel=3,
        )
    if (mods == "unknown").any() and len(rows):
        warnings.warn(
            f"{folder}: {int((mods == 'unknown').sum())} reviewed event(s) of unknown modality "
            "(no <stem>_events.json) left out",
            UserWarning,
            stacklevel=3,
        )
    return rows, rows["label"].to_numpy(dtype=object) if len(rows) else np.array([], dtype=object)


def _versions() -> dict[str, str]:
    import joblib
    import scipy
    import sklearn

    return {
        "movement": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "pandas": pd.__version__,
        "joblib": joblib.__version__,
    }


def save_bundle(bundle: dict[str, Any], path: str | Path) -> Path:
    """Save a trained bundle (atomically) and its card as JSON beside it.

    The file is a zlib-compressed standard pickle, which ``joblib.load`` reads (it
    detects the zlib stream) as it reads its own format. A standard pickle is loaded
    by Python's C unpickler, ~6x faster than joblib's own array format, whose
    pure-Python unpickler took ~0.4 s of every CLI run or stream (thousands of
    small tree arrays).
    """
    import pickle
    import zlib

    from .output import atomic_write

    path = Path(path)
    _check_model_name(path, str(path))
    atomic_write(path, zlib.compress(pickle.dumps(bundle, protocol=pickle.HIGHEST_PROTOCOL), 3))
    card = {k: v for k, v in bundle.items() if k != "models"}
    atomic_write(card_json_path(path), json.dumps(card, indent=2, default=str) + "\n")
    return path


def card_json_path(model: Path) -> Path:
    """The JSON card beside a model file: ``<model less its suffix>.json``.

    Examples
    --------
    >>> card_json_path(Path("models/default.joblib")).as_posix()
    'models/default.json'
    """
    return model.with_suffix(".json")


def _check_model_name(path: Path, named: str) -> None:
    """A model file's name must not be its own JSON card's (``x.json``: the card was
    written over the model), nor another model's card (``a1.json`` beside ``a1.joblib``).

    Examples
    --------
    >>> _check_model_name(Path("m/x.json"), "--out m/x.json")
    Traceback (most recent call last):
    ...
    movement.errors.MovementError: --out m/x.json: a model file cannot end in .json (its model card is written beside it as <name>.json): give e.g. m/x.joblib
    """
    if path.suffix.lower() == ".json" or card_json_path(path) == path:
        raise MovementError(
            f"{named}: a model file cannot end in .json (its model card is written beside "
            f"it as <name>.json): give e.g. {path.with_suffix('.joblib')}"
        )


def cli_configure(parser: argparse.ArgumentParser) -> None:
    """Options of ``movement train``."""
    parser.add_argument(
        "--out",
        default="models/default.joblib",
        metavar="FILE",
        help="model file to write (default: models/default.joblib)",
    )
    parser.add_argument(
        "--modality",
        choices=["emg", "accel"],
        action="append",
        help="train only this modality (repeatable; default: both)",
    )
    parser.add_argument(
        "--n",
        type=int,
        default=TrainingSpec.n_recordings,
        metavar="N",
        help="simulated recordings per modality",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=TrainingSpec.duration_s,
        metavar="S",
        help="length of each simulated recording (s)",
    )
    parser.add_argument(
        "--seed", type=int, default=TrainingSpec.seed, metavar="N", help="first simulation seed"
    )
    parser.add_argument(
        "--reviewed", metavar="DIR", help="folder of reviewed events tables to fold into training"
    )
    parser.add_argument(
        "--name",
        metavar="TEXT",
        help="the model's name, carried by every result it labels (default: what it was "
        "trained on, e.g. trained-hgb-12x300s-seed0+40reviewed-movement<version>)",
    )
    parser.add_argument(
        "--config",
        action="append",
        metavar="FILE",
        help="thresholds file (as for movement score; repeatable: merged in order)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override one threshold of the pipeline the training segments come from, "
        "e.g. --set accel.k_on=4 (repeatable)",
    )
    parser.add_argument(
        "--eval-n",
        type=int,
        default=15,
        metavar="N",
        help="held-out recordings per condition for the model card (0: skip)",
    )
    parser.add_argument(
        "--eval-fa-n",
        type=int,
        default=12,
        metavar="N",
        help="held-out 5-min confounder-only recordings per confounder for false alarms/h",
    )


def _check_cli_numbers(args: argparse.Namespace) -> None:
    """``--n``, ``--seed``, ``--duration``, ``--eval-n``, ``--eval-fa-n``: one line each,
    before anything is simulated (as ``movement simulate`` checks its own)."""
    import math

    from .recording import MIN_DURATION_S

    if args.n < 1:
        raise MovementError(
            f"--n must be 1 or more simulated recordings per modality, got {args.n}"
        )
    if args.seed < 0:
        raise MovementError(f"--seed must be an integer >= 0, got {args.seed}")
    if not (math.isfinite(args.duration) and args.duration >= MIN_DURATION_S):
        raise MovementError(
            f"--duration must be at least {MIN_DURATION_S:g} s, got {args.duration:g}"
        )
    for option in ("eval_n", "eval_fa_n"):
        if getattr(args, option) < 0:
            raise MovementError(
                f"--{option.replace('_', '-')} must be 0 or more, got {getattr(args, option)}"
            )


def cli_run(args: argparse.Namespace) -> int:
    from .cli import output_file
    from .config import load_settings
    from .simulate import _warnings_as_lines

    _check_cli_numbers(args)
    # the model file and its cards, checked before the training they hold (minutes to hours)
    out = output_file(args.out, example="model.joblib")
    _check_model_name(out, f"--out {args.out}")
    settings = load_settings(args.config, args.set)
    spec = TrainingSpec(n_recordings=args.n, duration_s=args.duration, seed=args.seed)
    # what training warns (no reviewed events, decisions matching no event...) as one line
    # each, not Python's "file:line: UserWarning" with the source line under it
    with _warnings_as_lines():
        bundle = train(
            args.modality or ("emg", "accel"),
            spec,
            reviewed=args.reviewed,
            settings=settings,
            progress=not getattr(args, "quiet", False),
            name=args.name,
        )
    if args.eval_n > 0:
        metrics = heldout_metrics(
            bundle,
            args.modality or ("emg", "accel"),
            n_recordings=args.eval_n,
            settings=settings,
            fa_recordings=args.eval_fa_n,
        )
        bundle["heldout_metrics"] = metrics
    path = save_bundle(bundle, out)
    cards = [card_json_path(path)]
    if args.eval_n > 0:
        from .output import atomic_write

        cards.append(
            atomic_write(card_path(path), card_markdown(bundle, bundle["heldout_metrics"]))
        )
    print(f"model written to {path} (card: {', '.join(str(c) for c in cards)})")
    return 0


def card_path(model: Path) -> Path:
    """The markdown card beside a model file: ``MODEL_CARD.md`` for ``default.joblib`` (as
    shipped in ``models/``), else ``<stem>_MODEL_CARD.md``, so that two models trained
    into one folder keep a card each.

    Examples
    --------
    >>> card_path(Path("models/default.joblib")).name, card_path(Path("runs/a.joblib")).name
    ('MODEL_CARD.md', 'a_MODEL_CARD.md')
    """
    stem = model.name.split(".")[0]
    return model.with_name("MODEL_CARD.md" if stem == "default" else f"{stem}_MODEL_CARD.md")


#: SNR levels (dB, the simulator's definition: event RMS over its span / sensor noise RMS)
#: at which held-out metrics are reported, per modality. They stay inside physiological
#: amplitudes: a wrist twitch of 0.01-0.1 g over 3-8 mg noise is about -8 to +10 dB, so
#: 20 dB would make a 0.3 g "twitch" (a jerk); a surface MUAP is naturally 10-30 dB.
SNR_LEVELS = {
    "emg": {"low": 6.0, "moderate": 12.0, "high": 20.0},
    "accel": {"low": 0.0, "moderate": 6.0, "high": 12.0},
}


def _pooled(rows: list[pd.DataFrame]) -> dict[str, dict[str, float]]:
    df = pd.concat(rows).groupby("class")[["tp", "fp", "fn"]].sum()
    out = {}
    for c, r in df.iterrows():
        tp, fp, fn = int(r.tp), int(r.fp), int(r.fn)
        denom = 2 * tp + fp + fn
        out[str(c)] = {
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "f1": round(2 * tp / denom, 3) if denom else float("nan"),
        }
    return out


def heldout_metrics(
    bundle: dict[str, Any] | None,
    modalities: Sequence[str] | str = ("emg", "accel"),
    *,
    n_recordings: int = 15,
    duration_s: float = 300.0,
    seed: int = 900_000,
    settings: Settings | None = None,
    fa_recordings: int = 12,
) -> dict[str, Any]:
    """Event F1 per class and false alarms per hour on simulated sets never used in training.

    False alarms are counted on ``fa_recordings`` confounder-only recordings per confounder
    (12 x 5 min: one hour each, so that a rate of 1/h is resolved), and pooled over them all
    (``"pooled"``: every target event reported on any confounder-only recording, over their
    total duration).

    Seeds start at ``seed`` (training uses ``TrainingSpec.seed`` upwards, far below), the
    simulator's default parameters are used (not the training draws), and three extra
    settings lie outside the training ranges: another sampling rate, 30 dB SNR and (EMG)
    four channels. Both the rules and the trained models (when ``bundle`` is given) are scored
    on the same segments.
    """
    from .evaluate import evaluate
    from .pipeline import _label
    from .recording import Recording  # noqa: F401 - documents the type used below
    from .simulate import CONFOUNDERS, simulate

    modalities = _modalities(modalities)
    settings = settings or Settings()
    out: dict[str, Any] = {}
    for m in modalities:
        cfg = settings.for_modality(m)
        classifiers: dict[str, Any] = {"rules": RuleClassifier(m, cfg).fit()}
        if bundle is not None and m in bundle.get("models", {}):
            classifiers["model"] = bundle["models"][m]
        alt_fs = _fs_domain(m)[0]  # the lowest rate the model is said to be valid at
        conditions: dict[str, dict[str, Any]] = {
            **{f"snr_{k}_{v:g}dB": {"snr_db": v} for k, v in SNR_LEVELS[m].items()},
            "natural_snr": {},
            f"outside_fs_{alt_fs:g}Hz": {"fs": alt_fs, "snr_db": SNR_LEVELS[m]["moderate"]},
        }
        if m == "emg":
            conditions["outside_4_channels"] = {
                "n_channels": 4,
                "snr_db": SNR_LEVELS[m]["moderate"],
            }
            conditions["outside_snr_30dB"] = {"snr_db": 30.0}
        res: dict[str, Any] = {}
        for ci, (name, kw) in enumerate(conditions.items()):
            rows: dict[str, list[pd.DataFrame]] = {k: [] for k in classifiers}
            for i in range(n_recordings):
                sim = simulate(m, duration_s, seed + 1000 * ci + i, confounders="all", **kw)
                table = segment_table(sim.recording, settings)
                for k, clf in classifiers.items():
                    ev = _label(table, clf, cfg, sim.recording, k)
                    r = evaluate(ev, sim.events, duration=sim.recording.duration, modality=m)
                    rows[k].append(r.events.reset_index())
            res[name] = {k: _pooled(v) for k, v in rows.items()}
        # false alarms per hour on confounder-only recordings, per confounder and all together
        fa: dict[str, Any] = {}
        total = {k: 0 for k in classifiers}
        total_hours = 0.0
        confounders = [*CONFOUNDERS[m], "all"] if fa_recordings > 0 else []  # (0: not measured)
        for ci, conf in enumerate(confounders):
            counts = {k: 0 for k in classifiers}
            hours = 0.0
            for i in range(fa_recordings):
                sim = simulate(
                    m,
                    duration_s,
                    seed + 50_000 + 1000 * ci + i,
                    confounders=conf if conf == "all" else [conf],
                    confounder_only=True,
                )
                table = segment_table(sim.recording, settings)
                hours += sim.recording.duration / 3600
                for k, clf in classifiers.items():
                    ev = _label(table, clf, cfg, sim.recording, k)
                    counts[k] += int(
                        ev["trial_type"].isin(["fasciculation-like", "dystonia-like"]).sum()
                    )
            fa[conf] = {k: round(v / hours, 2) for k, v in counts.items()}
            total = {k: total[k] + counts[k] for k in classifiers}
            total_hours += hours
        if total_hours > 0:
            fa["pooled"] = {k: round(v / total_hours, 2) for k, v in total.items()}
            fa["pooled"]["events"] = total
            fa["pooled"]["hours"] = round(total_hours, 3)
        res["false_alarms_per_hour_confounder_only"] = fa
        out[m] = res
    out["protocol"] = {
        "n_recordings_per_condition": n_recordings,
        "false_alarm_recordings_per_confounder": fa_recordings,
        "duration_s": duration_s,
        "seed": seed,
        "snr_levels_db": SNR_LEVELS,
        "matching": "movement.evaluate defaults (EMG twitch onset +-0.05 s, accel twitch +-0.2 s; sustained: onset within max(0.5 s, 20% of length), offset within max(0.5 s, 50%))",
    }
    return out


def _f1_text(f1: Any) -> str:
    """An F1 for the model card: two decimals, ``n/a`` when undefined (as ``evaluate``).

    Examples
    --------
    >>> _f1_text(0.9512), _f1_text(float("nan")), _f1_text(None)
    ('0.95', 'n/a', 'n/a')
    """
    try:
        v = float(f1)
    except (TypeError, ValueError):
        return "n/a"
    return f"{v:.2f}" if np.isfinite(v) else "n/a"


def card_markdown(bundle: dict[str, Any], metrics: dict[str, Any]) -> str:
    """A readable model card (markdown) from a bundle and its held-out metrics."""
    lines = [
        f"# Model card: {bundle.get('name')}",
        "",
        "Research software, not a diagnostic device. Labels describe how a signal looks.",
        "",
        "## Model",
        "Per modality, scikit-learn `HistGradientBoostingClassifier` (balanced class weights; 300 iterations, learning rate 0.08, 31 leaves, L2 1.0: scikit-learn's automatic early stopping only starts above 10 000 segments) "
        "wrapped in `CalibratedClassifierCV(method='isotonic', cv=3, ensemble=False)` (one booster refitted on all rows, calibrated on out-of-fold predictions; "
        "the stratified folds are shuffled with the spec's seed only when a feature would miss one fold's training rows: `movement.train.cv_folds`), over the segment features of "
        "`movement.features` computed exactly as `movement score` computes them.",
        "",
        "## Training data",
        f"Simulated recordings (`movement.simulate`), spec: `{json.dumps(bundle['training']['spec'])}`. "
        "Simulator parameters are drawn per recording from ranges wider than the defaults "
        "(`movement.train.random_params`); each segment is labelled with the class of the true event it overlaps most.",
        "",
        "| modality | segments | class counts | features |",
        "|---|---|---|---|",
    ]
    for m, info in bundle["training"]["per_modality"].items():
        lines.append(
            f"| {m} | {info['n_segments']} | {info['class_counts']} | {len(info['features'])} |"
        )
    lines += [
        "",
        "Each feature's range over the training segments is kept with the model "
        "(`training.per_modality.<modality>.feature_ranges`): a fasciculation-like or "
        "dystonia-like call on a segment whose features lie outside it is flagged for review, "
        "its `reason` naming them (`movement.classify.outside_training`).",
    ]
    lines += ["", "## Versions", "", "`" + json.dumps(bundle["versions"]) + "`", ""]
    lines += [
        "## Held-out evaluation",
        "",
        f"Protocol: `{json.dumps(metrics['protocol'])}`",
        "",
        "Event F1 per class (rules / trained model):",
        "",
        "| modality | condition | fasciculation-like | dystonia-like | other |",
        "|---|---|---|---|---|",
    ]
    for m in [k for k in metrics if k != "protocol"]:
        for cond, res in metrics[m].items():
            if cond.startswith("false_alarms"):
                continue
            cells = []
            for c in CLASSES:
                vals = [
                    _f1_text(res[k].get(c, {}).get("f1", float("nan")))
                    for k in ("rules", "model")
                    if k in res
                ]
                cells.append(" / ".join(vals))
            lines.append(f"| {m} | {cond} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "False alarms per hour (fasciculation-like + dystonia-like) on confounder-only recordings (rules / trained model):",
        "",
        "| modality | confounder | false alarms / h |",
        "|---|---|---|",
    ]
    for m in [k for k in metrics if k != "protocol"]:
        if not metrics[m]["false_alarms_per_hour_confounder_only"]:
            lines.append(f"| {m} | not measured (no confounder-only recordings) | n/a |")
        for conf, v in metrics[m]["false_alarms_per_hour_confounder_only"].items():
            label = conf
            if conf == "pooled":
                events = " / ".join(str(v["events"][k]) for k in ("rules", "model") if k in v)
                label = f"**pooled** ({events} events in {v['hours']:g} h)"
            lines.append(
                f"| {m} | {label} | "
                + " / ".join(f"{v[k]:g}" for k in ("rules", "model") if k in v)
                + " |"
            )
    return "\n".join(lines) + "\n"
