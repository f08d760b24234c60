"""Classification of segments: a transparent rule classifier and trained models.

:class:`RuleClassifier` has scikit-learn's interface (``fit``, ``predict``,
``predict_proba``, ``get_params``). Each rule is a named, soft (logistic)
comparison of one feature with one threshold from the modality's config
(:mod:`movement.config`, where every threshold's source is given), so every
label can be explained (:meth:`RuleClassifier.explain`).

Scores are combined as

* fasciculation-like: brief AND isolated AND not part of a regular train AND
  spatially local (EMG) / small (accelerometer, not a jerk or knock);
* dystonia-like (EMG): sustained AND strong AND (long OR co-contraction OR irregular
  3-8 Hz activity) AND NOT regular tremor AND NOT walking (a regular rhythm at step
  rate); strong: ``dystonia_min_snr_db`` over rest or, sampled at ``min_muap_fs_hz`` or
  faster, above the whitened noise model in at least ``sustained_active_fraction`` of
  the segment's sub-blocks; accelerometer: (long AND irregular 3-8 Hz activity) OR a
  posture change held for most of the event and at least ``spasm_min_s`` (a spasm or
  held posture), AND NOT regular tremor AND NOT walking;
* other: the rest (walking, reaching, regular tremor, knocks, artefacts).

``p(fasc) = F``, ``p(dyst) = (1 - F)·D``, ``p(other) = (1 - F)(1 - D)``.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import NotFittedError

from .config import CONFIGS, AccelConfig, EMGConfig
from .errors import MovementError, NoSuchFileError

CLASSES = ("fasciculation-like", "dystonia-like", "other")

__all__ = [
    "CLASSES",
    "ModelSettingsWarning",
    "RuleClassifier",
    "RulesOnlySettingsWarning",
    "check_probabilities",
    "load_model",
    "review_flags",
]


def _sig(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


def _gt(x: np.ndarray, t: float, width: float, nan: float = 0.0) -> np.ndarray:
    """Soft ``x > t``: 0.5 at the threshold, ~0.95 at ``t + 3·width``."""
    v = _sig((np.asarray(x, float) - t) / max(width, 1e-12))
    return np.where(np.isnan(x), nan, v)


def _lt(x: np.ndarray, t: float, width: float, nan: float = 0.0) -> np.ndarray:
    v = _sig((t - np.asarray(x, float)) / max(width, 1e-12))
    return np.where(np.isnan(x), nan, v)


def check_features_table(X: Any, who: str, required: Sequence[str] = ("duration",)) -> None:
    """``X`` must be a features DataFrame (:func:`movement.features.segment_features`)
    holding the ``required`` columns: a bare array, or a table without them, was scored
    with every feature missing, one label for every row."""
    if not isinstance(X, pd.DataFrame):
        raise MovementError(
            f"{who} takes the segments' features as a DataFrame (segment_features), "
            f"got {type(X).__name__}: the features are found by column name"
        )
    missing = [c for c in required if c not in X.columns]
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        raise MovementError(
            f"{who}: the features table has no column {shown} (a table of segment_features)"
        )


def _col(X: pd.DataFrame, name: str) -> np.ndarray:
    if name in X:
        return pd.to_numeric(X[name], errors="coerce").to_numpy(float)
    return np.full(len(X), np.nan)


class NotFitted(MovementError, NotFittedError):
    """A classifier used before ``fit``: a :class:`MovementError` and scikit-learn's
    ``NotFittedError`` (so ``check_is_fitted``-style code catches it)."""


#: What each rule name in an event's ``reason`` means (the rules that held, at the run's
#: thresholds; ``trained model; rules held: ...`` when a trained model labelled it, whose
#: call the rules explain but do not make). Where EMG and accelerometry differ, both.
RULE_MEANINGS: dict[str, str] = {
    "brief": "lasts between min_brief_s and max_brief_s (a twitch's length)",
    "isolated": "no other activity within isolation_s",
    "irregular_train": "not one of a regular train (interval CV above regular_train_cv)",
    "off_heartbeat": "its neighbours are not a whole number of heartbeats away (not ECG)",
    "long": "lasts at least dystonia_min_s",
    "irregular_tremor": "its dominant frequency is in tremor_band_hz, with its power there, "
    "and it is not regular tremor",
    "regular_tremor": "regular (autocorrelation above regular_tremor_regularity) with a narrow "
    "spectral peak (regular_tremor_peak_power) at 3.5-12.5 Hz: PD, ET or physiological tremor",
    "walking": "a regular rhythm (autocorrelation above 0.5) at step rate (walking_band_hz)",
    "local": "EMG: on one channel, or on at most max_brief_channel_fraction of them",
    "sustained": "EMG: lasts at least min_sustained_s",
    "cocontraction": "EMG: channels active together (co-contraction above cocontraction_min)",
    "held": "EMG: above the whitened noise model in at least sustained_active_fraction of its "
    "sub-blocks; accelerometer: its tilt held for at least posture_hold_fraction of the event",
    "strong": "EMG: at least dystonia_min_snr_db above rest, or held",
    "small": "accelerometer: its peak below max_twitch_g (a visible twitch, not a jerk)",
    "knock": "accelerometer: a peak of at least knock_g in under 0.3 s (the sensor knocked)",
    "posture": "accelerometer: a tilt of at least posture_min_deg held for most of the event, "
    "and not smooth",
    "smooth": "accelerometer: one narrow spectral peak below the tremor band (spectral "
    "entropy below smooth_max_entropy): a reach out and back",
    "spasm": "accelerometer: a posture held for at least spasm_min_s",
    "tremor_like": "accelerometer: most of its power in the tremor band, the spectrum "
    "concentrated (spectral entropy below 0.85)",
}


class RuleClassifier(ClassifierMixin, BaseEstimator):
    """Transparent rules over segment features, with scikit-learn's interface.

    Parameters
    ----------
    modality : {"emg", "accel"}
    config : EMGConfig or AccelConfig, optional
        Thresholds; the modality's defaults when omitted.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"duration": [0.02], "isolation_s": [3.0], "n_channels_active": [1],
    ...                   "channel_fraction": [0.5]})
    >>> RuleClassifier("emg").fit(X).predict(X)[0]
    'fasciculation-like'
    """

    def __init__(
        self, modality: str = "emg", config: EMGConfig | AccelConfig | None = None
    ) -> None:
        self.modality = modality
        self.config = config

    def fit(self, X: pd.DataFrame | None = None, y: Any = None) -> RuleClassifier:
        """Rules learn nothing; ``fit`` checks the parameters and sets ``classes_``."""
        if self.modality not in CONFIGS:
            raise MovementError(f"modality must be 'emg' or 'accel', got {self.modality!r}")
        cfg = self.config if self.config is not None else CONFIGS[self.modality]()
        if cfg.modality != self.modality:
            raise MovementError(  # (AccelConfig, EMGConfig: "an" either way)
                f"an {type(cfg).__name__} (for {cfg.modality}) given to the {self.modality} "
                f"rules, which take an {CONFIGS[self.modality].__name__}"
            )
        self.config_ = cfg
        self.classes_ = np.array(CLASSES, dtype=object)
        return self

    def _scores(self, X: pd.DataFrame) -> dict[str, np.ndarray]:
        c = self.config_
        dur = _col(X, "duration")
        iso = _col(X, "isolation_s")
        cv = _col(X, "local_interval_cv")
        reg = _col(X, "regularity")
        fdom = _col(X, "dominant_frequency_hz")
        tband = _col(X, "tremor_band_ratio")
        ppr = _col(X, "peak_power_ratio")
        lo, hi = c.tremor_band_hz
        r: dict[str, np.ndarray] = {}
        r["brief"] = _lt(dur, c.max_brief_s, 0.1 * c.max_brief_s) * _gt(
            dur, c.min_brief_s, 0.2 * c.min_brief_s, 1
        )
        r["isolated"] = _gt(iso, c.isolation_s, 0.1 * c.isolation_s, nan=1.0)
        r["irregular_train"] = _gt(cv, getattr(c, "regular_train_cv", 0.25), 0.05, nan=1.0)
        # ECG: every neighbour a whole number of heartbeats away (features._beat_neighbours)
        r["off_heartbeat"] = _lt(_col(X, "beat_neighbours"), 1.5, 0.1, nan=1.0)
        r["long"] = _gt(dur, c.dystonia_min_s, 0.1 * c.dystonia_min_s)
        r["irregular_tremor"] = (
            _gt(fdom, lo, 0.25)
            * _lt(fdom, hi, 0.25)
            * _gt(tband, 0.4, 0.05)
            * _lt(reg, c.regular_tremor_regularity, 0.05, nan=1.0)
        )
        r["regular_tremor"] = (
            _gt(reg, c.regular_tremor_regularity, 0.05)
            * _gt(ppr, getattr(c, "regular_tremor_peak_power", 0.3), 0.05)
            * _gt(fdom, 3.5, 0.25)
            * _lt(fdom, 12.5, 0.25)
        )
        if self.modality == "emg":
            frac = _col(X, "channel_fraction")
            nact = _col(X, "n_channels_active")
            r["local"] = np.where((nact <= 1) | (frac <= c.max_brief_channel_fraction), 1.0, 0.1)
            r["sustained"] = _gt(dur, c.min_sustained_s, 0.1 * c.min_sustained_s)
            r["cocontraction"] = _gt(_col(X, "cocontraction"), c.cocontraction_min, 0.05)
            fasc = (
                r["brief"] * r["isolated"] * r["irregular_train"] * r["local"] * r["off_heartbeat"]
            )
            pattern = np.maximum.reduce([r["long"], r["cocontraction"], r["irregular_tremor"]])
            # clearly above rest, or (sampled fast enough for the whitened noise model)
            # held above the noise for as much of the segment as the sustained detector
            # asks of a window: a significance, not a dB margin
            r["held"] = _gt(_col(X, "active_fraction"), c.sustained_active_fraction, 0.02, nan=0.0)
            r["strong"] = np.maximum(_gt(_col(X, "snr_db"), c.dystonia_min_snr_db, 1.0), r["held"])
            # gait: a regular activation rhythm at step rate (domain reference section 2)
            wlo, whi = c.walking_band_hz
            r["walking"] = _gt(fdom, wlo, 0.1) * _lt(fdom, whi, 0.1) * _gt(reg, 0.5, 0.05)
            dyst = (
                r["sustained"]
                * r["strong"]
                * pattern
                * (1 - r["regular_tremor"])
                * (1 - r["walking"])
            )
        else:
            peak = _col(X, "peak_amplitude")
            wlo, whi = c.walking_band_hz
            r["small"] = _lt(peak, c.max_twitch_g, 0.1 * c.max_twitch_g, nan=1.0)
            r["knock"] = _gt(peak, c.knock_g, 0.05 * c.knock_g) * _lt(dur, 0.3, 0.05)
            # a posture is a tilt held for most of the event (a reach goes out and back);
            # without the hold measure (older tables) the tilt alone decides
            r["held"] = _gt(_col(X, "tilt_hold_fraction"), c.posture_hold_fraction, 0.03, nan=1.0)
            r["posture"] = _gt(_col(X, "tilt_held_deg"), c.posture_min_deg, 1.0) * r["held"]
            # a smooth voluntary movement: one narrow low-frequency peak (a reach out and
            # back), not the broad motion of a tremulous or noisy hold; read on sustained
            # segments only (a shorter one fills little of its >= 2 s spectral window, where
            # a spasm's single fast step reads as smooth)
            r["smooth"] = (
                _lt(_col(X, "spectral_entropy"), getattr(c, "smooth_max_entropy", 0.0), 0.02)
                * _lt(fdom, lo, 0.25)
                * _gt(dur, c.min_sustained_s, 0.1 * c.min_sustained_s)
            )
            r["posture"] = r["posture"] * (1 - r["smooth"])
            r["spasm"] = r["posture"] * _gt(dur, c.spasm_min_s, 0.1 * c.spasm_min_s)
            r["walking"] = _gt(fdom, wlo, 0.1) * _lt(fdom, whi, 0.1) * _gt(reg, 0.5, 0.05)
            # irregular: tremor-band activity that is not regular tremor (regular needs both
            # a high autocorrelation peak and a narrow spectral peak)
            r["irregular_tremor"] = (
                _gt(fdom, lo, 0.25)
                * _lt(fdom, hi, 0.25)
                * _gt(tband, 0.4, 0.05)
                * (1 - r["regular_tremor"])
                * _gt(ppr, c.min_tremor_power * 0.5, 0.05)
            )
            fasc = r["brief"] * r["small"] * r["isolated"] * r["irregular_train"] * (1 - r["knock"])
            r["tremor_like"] = _gt(tband, 0.4, 0.05) * _lt(_col(X, "spectral_entropy"), 0.85, 0.03)
            # a held tilt, or irregular tremor; the accelerometer cannot tell a voluntary
            # hold from a dystonic one, so every such call is flagged for review
            # or a spasm: a held tilt of >= spasm_min_s (domain reference, section 3)
            pattern = np.maximum(r["long"] * r["irregular_tremor"], r["spasm"])
            dyst = pattern * (1 - r["regular_tremor"]) * (1 - r["walking"])
        r["_fasc"] = fasc
        r["_dyst"] = dyst
        return r

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Probabilities of (fasciculation-like, dystonia-like, other) per row."""
        self._check_fitted()
        check_features_table(X, "RuleClassifier")
        r = self._scores(X)
        f, d = r["_fasc"], r["_dyst"]
        return np.column_stack([f, (1 - f) * d, (1 - f) * (1 - d)])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The most probable class per row."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def explain(self, X: pd.DataFrame) -> list[str]:
        """Per row, the rules that held (score > 0.5), e.g. ``"brief, isolated, local"``."""
        self._check_fitted()
        check_features_table(X, "RuleClassifier")
        r = self._scores(X)
        names = [k for k in r if not k.startswith("_")]
        held = (
            np.column_stack([r[k] > 0.5 for k in names]) if names else np.zeros((len(X), 0), bool)
        )
        if len(held) == 0:
            return []
        # few distinct combinations of rules: each one's text is joined once
        _, first, which = np.unique(
            np.packbits(held, axis=1), axis=0, return_index=True, return_inverse=True
        )
        text = [
            ", ".join(n for n, h in zip(names, held[i], strict=True) if h) or "no rule held"
            for i in first
        ]
        return [text[j] for j in which.ravel().tolist()]

    def _check_fitted(self) -> None:
        if not hasattr(self, "classes_"):
            raise NotFitted("RuleClassifier is not fitted: call fit() first")


def apply_definitions(
    X: pd.DataFrame, proba: np.ndarray, config: EMGConfig | AccelConfig, fs: float
) -> tuple[np.ndarray, list[str]]:
    """Enforce the class definitions that no classifier may override; returns new probabilities.

    * fasciculation-like needs an isolated event: no other event within ``isolation_s``
      (±0.25 s EMG, ±1 s accelerometer: "isolated, no voluntary activity within ±1 s",
      domain reference section 3);
    * an accelerometer's dystonia-like posture is 10-40° off neutral (domain reference
      section 1): a segment held beyond ``posture_max_deg`` is a voluntary reorientation;
    * EMG sampled below ``min_muap_fs_hz`` cannot resolve a motor-unit potential, so no
      brief EMG event there is called fasciculation-like;
    * an EMG motion artefact (``scale`` ``artefact``: content below the EMG band, domain
      reference section 3) is ``other``;
    * fasciculation-like is brief: a segment more than twice ``max_brief_s`` long (2 s
      accelerometer, 160 ms EMG; segment edges may reach a little past the event) is not
      one, whatever a trained model says of a signal unlike its training data;
    * an accelerometer's dystonia-like segment is not walking: one whose motion is a
      regular rhythm at step rate (dominant frequency within ``walking_band_hz``,
      regularity above 0.5: the rules' ``walking``) is ``other`` (the trained model
      called a real walking bout of a Daphnet recording dystonia-like; on the held-out
      simulated recordings nothing changed). Not for EMG, where a train of repetitive
      spasms at ~2 Hz can read as a step rhythm (one of 44 held-out 4-channel
      dystonia-like events was lost).
    * nor is one of at least ``gait_min_bout_s`` whose motion repeats at a step or stride
      period in at least ``gait_min_fraction`` of its windows (``gait_fraction``): a long
      walking bout whose rhythm changes over its length (turns, freezing, stops), read as
      one dystonia-like segment by its central 8 s alone.

    Probability taken from a class goes to ``other`` (from a long fasciculation-like
    segment: to the other two in proportion); the second value says why, per row.
    """
    p = proba.copy()
    why = [""] * len(p)
    if len(p) == 0:
        return p, why
    iso = _col(X, "isolation_s")
    crowded = np.isfinite(iso) & (iso < config.isolation_s)
    min_fs = getattr(config, "min_muap_fs_hz", None)
    slow = min_fs is not None and fs < min_fs
    moved = (crowded | slow) & (p[:, 0] > 0)
    p[moved, 2] += p[moved, 0]
    p[moved, 0] = 0.0
    for i in np.flatnonzero(moved & (proba[:, 0] >= proba.max(axis=1))):
        why[i] = (
            f"a motor-unit potential is not resolvable at {fs:g} Hz"
            if slow
            else f"not isolated (another event within {config.isolation_s:g} s)"
        )
    if "scale" in X:
        # a motion artefact (EMG low band, segment.artefact_runs) is never a target event
        art = (X["scale"] == "artefact").to_numpy(bool) & (p[:, 2] < 1.0)
        for i in np.flatnonzero(art):
            why[i] = "motion artefact (content below the EMG band)"
        p[art, 2] = p[art].sum(axis=1)
        p[art, :2] = 0.0
    dur = _col(X, "duration")
    longer = np.isfinite(dur) & (dur > 2.0 * config.max_brief_s + 1.0 / fs) & (p[:, 0] > 0)
    for i in np.flatnonzero(longer & (p[:, 0] >= p.max(axis=1))):
        why[i] = f"{dur[i]:.3g} s: far longer than a brief event (<= {config.max_brief_s:g} s)"
    # (shared by the other two in proportion: their order, the classifier's judgement
    # between them, is kept; equal shares when both are 0)
    rest = p[longer, 1:].sum(axis=1, keepdims=True)
    share = np.where(rest > 0, p[longer, 1:] / np.where(rest > 0, rest, 1.0), 0.5)
    p[longer, 1:] += p[longer, :1] * share
    p[longer, 0] = 0.0
    if isinstance(config, AccelConfig):
        band = config.walking_band_hz
        fdom, reg = _col(X, "dominant_frequency_hz"), _col(X, "regularity")
        gait = (
            np.isfinite(fdom)
            & (fdom >= band[0])
            & (fdom <= band[1])
            & np.isfinite(reg)
            & (reg > 0.5)
            & (p[:, 1] > 0)
        )
        for i in np.flatnonzero(gait & (p[:, 1] >= p.max(axis=1))):
            why[i] = f"a regular rhythm at step rate ({fdom[i]:.2g} Hz): walking"
        p[gait, 2] += p[gait, 1]
        p[gait, 1] = 0.0
        least = getattr(config, "gait_min_fraction", None)
        if least is not None:
            share = _col(X, "gait_fraction")
            walk = np.isfinite(share) & (share >= least) & (p[:, 1] > 0)
            for i in np.flatnonzero(walk & (p[:, 1] >= p.max(axis=1))):
                why[i] = (
                    f"a stride rhythm in {100 * share[i]:.0f} % of its "
                    f"{config.gait_window_s:g} s windows: walking"
                )
            p[walk, 2] += p[walk, 1]
            p[walk, 1] = 0.0
    limit = getattr(config, "posture_max_deg", None)
    if limit is not None:
        held = _col(X, "tilt_held_deg")
        over = np.isfinite(held) & (held > limit)
        p[over, 2] += p[over, 1]
        p[over, 1] = 0.0
        for i in np.flatnonzero(over & (proba[:, 1] >= proba.max(axis=1))):
            why[i] = f"held tilt {held[i]:.0f} deg > {limit:g} deg: a voluntary reorientation"
    return p, why


def review_flags(
    label: np.ndarray,
    proba: np.ndarray,
    snr_db: np.ndarray,
    clipped: np.ndarray,
    margin: float,
    min_snr_db: float,
) -> tuple[np.ndarray, list[str]]:
    """Which events a person should check, and why.

    Every dystonia-like event; close calls (top probability < 0.5 + ``margin``);
    low SNR; clipping.
    """
    n = len(label)
    if n == 0:
        return np.zeros(0, dtype=bool), []
    top = np.asarray(proba).max(axis=1)
    snr = np.asarray(snr_db, dtype=float)
    tests = (
        ("dystonia-like", np.asarray(label, dtype=object) == "dystonia-like"),
        ("close call", top < 0.5 + margin),
        ("low SNR", np.isfinite(snr) & (snr < min_snr_db)),
        ("clipping", np.asarray(clipped, dtype=bool)),
    )
    # each event's combination of reasons as a 4-bit code; the 16 texts joined once
    code = np.zeros(n, dtype=np.int64)
    for bit, (_, hit) in enumerate(tests):  # loop over the four tests
        code |= hit.astype(np.int64) << bit
    text = [
        "; ".join(name for bit, (name, _) in enumerate(tests) if c >> bit & 1) for c in range(16)
    ]
    return code > 0, [text[c] for c in code.tolist()]


#: Features of :func:`outside_training` named per event (the farthest out first).
_OUTSIDE_SHOWN = 2

#: The features :func:`outside_training` compares with the training's range: those of the
#: signal itself (its amplitude, spectrum and tilt), where a value beyond any training
#: segment's means a signal unlike the simulations (other units, a device handled, a limb
#: reoriented). Not those that a recording's layout or length sets (``n_channels_active``
#: and ``channel_fraction``: 1-2 channels in training; ``duration``, ``isolation_s``,
#: ``local_rate_per_min``, ``n_subbursts``: 5 min recordings), whose values beyond the
#: training's mean more of the same (more channels, more isolated, longer): flagging them
#: flagged every event of a 3-channel EMG recording (held-out F1 at 4 channels: 0.98-0.99),
#: nor the ratios bounded to [0, 1].
RANGE_CHECKED = (
    "peak_amplitude",
    "rms",
    "snr_db",
    "crest_factor",
    "dominant_frequency_hz",
    "median_frequency_hz",
    "tilt_change_deg",
    "tilt_held_deg",
)


def outside_training(
    features: pd.DataFrame, ranges: dict[str, Sequence[float]] | None
) -> list[str]:
    """Per row of ``features`` (in the units the model was given them: :func:`movement.
    pipeline.model_features`): ``""``, or which features lie outside the range a trained
    model saw in training (``ranges``: ``{feature: [min, max]}``, from its model file or
    card), e.g. ``"outside the model's training range: peak_amplitude 57.4 (trained
    0.0133-16)"``, the farthest out (in spans of its range) first. A gradient-boosted
    model's trees are flat beyond the values they were split on: what it says there is an
    extrapolation no training segment backs. Missing values (NaN) are not outside. Only
    the features of :data:`RANGE_CHECKED` are compared.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"peak_amplitude": [0.5, 57.4], "rms": [0.1, 30.0]})
    >>> outside_training(f, {"peak_amplitude": [0.0133, 16.0], "rms": [0.0056, 6.8]})
    ['', "outside the model's training range: rms 30 (trained 0.0056-6.8), peak_amplitude 57.4 (trained 0.0133-16)"]
    """
    n = len(features)
    if not ranges or n == 0:
        return [""] * n
    from .train import _model_matrix

    names = [f for f in RANGE_CHECKED if f in ranges and f in features.columns]
    if not names:
        return [""] * n
    lo = np.array([float(ranges[f][0]) for f in names])
    hi = np.array([float(ranges[f][1]) for f in names])
    M = _model_matrix(features, names)
    with np.errstate(invalid="ignore"):
        span = np.where(hi > lo, hi - lo, 1.0)
        # how far out, in spans of the training range (0 inside; NaN: not outside)
        far = np.nan_to_num(np.maximum(lo - M, M - hi) / span, nan=0.0).clip(min=0.0)
    out = [""] * n
    for i in np.flatnonzero((far > 0).any(axis=1)):  # loop over the rows outside (few)
        cols = [j for j in np.argsort(-far[i], kind="stable") if far[i, j] > 0][:_OUTSIDE_SHOWN]
        shown = ", ".join(
            f"{names[j]} {M[i, j]:.3g} (trained {lo[j]:.3g}-{hi[j]:.3g})" for j in cols
        )
        out[i] = "outside the model's training range: " + shown
    return out


def _packaged_model_path() -> Path | None:
    try:
        from importlib.resources import files

        p = files("movement._models").joinpath("default.joblib")
        if p.is_file():
            return Path(str(p))
    except (ModuleNotFoundError, FileNotFoundError, TypeError):
        pass
    local = Path(__file__).resolve().parent.parent / "models" / "default.joblib"
    return local if local.exists() else None


@lru_cache(maxsize=4)
def _load_bundle(path: str, size: int, mtime_ns: int, inode: int = 0) -> Any:
    """A model file, loaded once per process (keyed by path, size, modification time and
    inode).

    Files written by :func:`movement.train.save_bundle` (a zlib-compressed standard pickle)
    are read by Python's C unpickler; any other joblib file by ``joblib.load`` (whose
    pure-Python unpickler takes ~0.4 s on the default model's thousands of tree arrays).
    Either way a model file is a pickle: load only files you trust.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bundle = _unpickle(path)
    other = [w for w in caught if type(w.message).__name__ != "InconsistentVersionWarning"]
    for w in other:  # pass on what is not scikit-learn's per-estimator version warning
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if len(other) < len(caught):  # one line instead of one warning per estimator class
        import sklearn

        versions = bundle.get("versions", {}) if isinstance(bundle, dict) else {}
        trained = versions.get("scikit-learn", "another version")
        warnings.warn(
            f"{path}: trained with scikit-learn {trained}, loaded with {sklearn.__version__}; "
            "its labels were checked with the training version only (`movement train` "
            "re-fits a model here)",
            UserWarning,
            stacklevel=2,
        )
    return bundle


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused (as it was after).

    Unpickling the default model's ~1800 trees made one full collection run over every
    object the process holds (scikit-learn's modules included); paused, the same objects
    load in 0.02 s instead of 0.07 s CPU (24 h accel stream: classifier_for 0.170 ->
    0.116 s), and the collector runs as before afterwards.
    """
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _unpickle(path: str) -> Any:
    with _gc_paused():
        return _unpickle_any(path)


def _unpickle_any(path: str) -> Any:
    import pickle
    import zlib

    import joblib

    try:
        with open(path, "rb") as fh:
            head = fh.read(2)
        if head[:1] == b"\x78":  # a zlib stream (joblib's own files start otherwise)
            with open(path, "rb") as fh:
                try:
                    raw = zlib.decompress(fh.read())
                except zlib.error:
                    raw = None
            if raw is not None:
                return pickle.loads(raw)
        return joblib.load(path)
    except ModuleNotFoundError as exc:
        numpy_1 = int(np.__version__.split(".")[0]) < 2
        if numpy_1 and (exc.name or "").startswith("numpy._core"):  # pickled by numpy >= 2
            raise MovementError(
                f"{path}: the model was saved with numpy >= 2 and this is numpy "
                f"{np.__version__} (pip install 'numpy>=2')"
            ) from None
        raise MovementError(f"{path}: not a movement model ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - any unpickling error is a bad model file
        why = str(exc) or type(exc).__name__  # (EOFError of a cut file says nothing)
        raise MovementError(f"{path}: not a movement model ({why})") from None


#: How the files ``joblib.load`` reads begin: a pickle (protocol 2+), or joblib's
#: compressors (zlib, as ``movement train`` writes; gzip, bz2, xz, lzma, lz4).
_PICKLE_STARTS = (
    b"\x80",
    b"\x78",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ",
    b"\x5d\x00\x00",
    b"\x04\x22\x4d\x18",
)


def _not_a_pickle(path: Path) -> str | None:
    """What a file that failed to load as a model is, when it is no pickle at all (a JSON
    model card, a text file, other binary data); ``None`` for what looks like a pickle or
    a joblib file (damaged, or of something else: the unpickler's reason stands).

    Examples
    --------
    >>> import json, tempfile
    >>> card = Path(tempfile.mkdtemp()) / "a.json"
    >>> _ = card.write_text(json.dumps({"name": "m", "training": {}, "versions": {}}))
    >>> _not_a_pickle(card)
    'a JSON file: the model card `movement train` writes beside a model? give the model file (.joblib)'
    """
    import json

    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return None
    if head.startswith(_PICKLE_STARTS):
        return None
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] in (b"{", b"["):
        card = None
        try:
            if path.stat().st_size < 64 << 20:
                card = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            card = None
        if isinstance(card, dict) and {"training", "versions"} & set(card):
            model = next(
                (p for p in (path.with_suffix(".joblib"),) if p.is_file() and p != path), None
            )
            return "a JSON file: the model card `movement train` writes beside a model? " + (
                f"give {model}" if model else "give the model file (.joblib)"
            )
        if card is not None:
            return "a JSON file, not a joblib/pickle file"
    try:
        head.decode("utf-8")
        is_text = b"\x00" not in head
    except UnicodeDecodeError as exc:  # (cut in the middle of a character: still text)
        is_text = exc.start >= len(head) - 3 and b"\x00" not in head
    if is_text:
        return "a text file, not a joblib/pickle file"
    return "not a joblib/pickle file"


def read_model_file(path: str | Path) -> tuple[dict[str, Any], tuple[int, int, int]]:
    """A model file written by ``movement train``, checked: ``(bundle, version)``.

    Loaded once per process and file version (``version``: size, modification time,
    inode). A missing file, a folder, one that is no pickle (said what it is instead: a
    JSON file, the model card beside a model, a text file), or a pickle that holds no
    ``models`` dictionary raises a one-line :class:`~movement.errors.MovementError` naming
    it: the CLI calls this once, before any recording is scored.
    """
    path = Path(path)
    if path.is_dir():
        raise MovementError(f"{path}: is a folder, not a model file (give the .joblib file)")
    if not path.is_file():
        raise NoSuchFileError("no such model file", str(path))
    st = path.stat()
    # (the file's inode too: a model saved again at once, atomically, is a new file whose
    # size and modification time, to the clock's tick, can equal the old one's)
    version = st.st_size, st.st_mtime_ns, st.st_ino
    if not st.st_size:
        raise MovementError(f"{path}: not a movement model (the file is empty)")
    full = str(path.resolve())
    try:
        bundle = _load_bundle(full, *version)
    except MovementError as exc:  # (named as given, not by its resolved path)
        what = _not_a_pickle(path)  # (the unpickler's "Memo value not found", "123": no help)
        if what:
            raise MovementError(f"{path}: not a movement model ({what})") from None
        raise MovementError(str(exc).replace(full, str(path), 1)) from None
    models = bundle.get("models") if isinstance(bundle, dict) else None
    if not isinstance(models, dict):
        got = type(bundle).__name__ if not isinstance(bundle, dict) else "a dict without 'models'"
        raise MovementError(
            f"{path}: not a movement model (it holds {got}, not the models `movement train` writes)"
        )
    return bundle, version


def load_model(
    spec: str | Path | None, modality: str, config: EMGConfig | AccelConfig
) -> tuple[Any, str]:
    """The classifier for a modality, and a name for it.

    ``spec`` is ``"rules"``, ``"default"`` (the trained model shipped with the
    package, or the rules when none is shipped for this modality), or a path to a
    joblib file written by ``movement train``.
    """
    if spec in (None, "default"):
        path = _packaged_model_path()
        if path is None:
            return RuleClassifier(modality, config).fit(), "rules"
        spec_path: Path | None = path
    elif spec == "rules":
        return RuleClassifier(modality, config).fit(), "rules"
    else:
        spec_path = Path(spec)
    bundle, version = read_model_file(spec_path)
    models = bundle["models"]
    if modality not in models:
        if spec in (None, "default"):
            return RuleClassifier(modality, config).fit(), "rules"
        held = sorted(map(str, models))
        shown = {"emg": "EMG", "accel": "accelerometer"}.get(modality, modality)
        both = " ".join(f"--modality {m}" for m in [*held, modality])
        # (no fallback to another model: a file's results must say which model made them)
        raise MovementError(
            f"{spec_path}: has no model for {modality} (trained for "
            f"{', '.join(held) or 'no modality'} only): score the {shown} files with "
            f"--model default or --model rules (in a run of their own), or train a model "
            f"for both (movement train {both})"
        )
    model = models[modality]
    _check_entry(model, spec_path, modality)
    _check_features(model, spec_path, modality)
    # the file's content digest (provenance: two models of one name, retrained or copied
    # over, are told apart)
    full = str(spec_path.resolve())
    digest = _digest(full, *version)
    name = ModelName(f"{spec_path.name} ({bundle.get('name', 'trained')}, sha256 {digest[:12]})")
    legacy = _LEGACY_IDENTITIES.get(digest)
    name.identity = (
        f"{legacy} ({bundle.get('name', 'trained')}, sha256 {digest[:12]})"
        if legacy
        else f"trained model, content sha256 {_content_digest(full, *version, modality)}"
    )
    name.trained_with = training_settings(model, bundle, modality)
    name.feature_ranges = training_ranges(model, bundle, spec_path, modality)
    return model, name


class ModelName(str):
    """A classifier's name (what the events' ``model`` says: a model file's name, its
    training name and the file's SHA-256), with what the parameters hash holds of it
    (``identity``) and the settings its segments were made with in training
    (``trained_with``: one modality's :meth:`~movement.config.EMGConfig.to_dict`, or None
    when unknown). A plain ``str`` everywhere else.

    ``notes``: what :func:`movement.pipeline.classifier_for` said of this run's settings
    for the model (a :class:`ModelSettingsWarning` under ``"model_settings"``, a
    :class:`RulesOnlySettingsWarning` under ``"rules_settings"``), which the events keep
    in ``attrs["notes"]`` (the events JSON's ``recording.reader_notes``)."""

    identity: str | None = None
    trained_with: dict[str, Any] | None = None
    notes: dict[str, str] | None = None
    #: the range of each feature in the model's training segments (:func:`training_ranges`)
    feature_ranges: dict[str, list[float]] | None = None

    def noted(self, notes: dict[str, str]) -> ModelName:
        """A copy of this name (``identity``, ``trained_with`` and ``feature_ranges``
        kept) with ``notes``."""
        out = ModelName(str(self))
        out.identity = self.identity
        out.trained_with = self.trained_with
        out.feature_ranges = self.feature_ranges
        out.notes = dict(notes)
        return out


#: Model files whose parameters-hash identity is the one of earlier versions, by their
#: SHA-256: the model shipped with the package (trained 2026-11, ``movement-hgb-0.1.0``),
#: whose ``default.joblib (movement-hgb-0.1.0, sha256 9b038dbaf931)`` every result scored
#: with it carries, so that results and batch manifests made with it keep their
#: parameters hash. Any other model is identified by its fitted content
#: (:func:`_content_digest`), not by its file's name or bytes.
_LEGACY_IDENTITIES = {
    "9b038dbaf9313b28b537fcf54dace5a0fd314faee423313c6787f75e9f28216b": "default.joblib",
}


@lru_cache(maxsize=4)
def _digest(path: str, size: int, mtime_ns: int, inode: int = 0) -> str:
    """A file's SHA-256, in hex (once per process and file version)."""
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@lru_cache(maxsize=8)
def _content_digest(path: str, size: int, mtime_ns: int, inode: int, modality: str) -> str:
    """First 16 hex digits of the SHA-256 of a model file's fitted ``modality`` model,
    pickled again as loaded (protocol 5): what the model computes, without the file's
    name or what else the file holds (the training's duration, the package versions,
    the held-out metrics, the other modality's model).

    Two files of one model (renamed, copied, or trained again with the same data, seed
    and settings) give the same digest; a model fit otherwise, on other features or
    settings, another one. A model loaded by another numpy or scikit-learn can give
    another digest (its outputs may differ too). Once per process and file version.
    """
    import hashlib
    import pickle

    bundle = _load_bundle(path, size, mtime_ns, inode)
    blob = pickle.dumps(bundle["models"][modality], protocol=5)
    return hashlib.sha256(blob).hexdigest()[:16]


def training_settings(
    model: Any, bundle: dict[str, Any] | None, modality: str
) -> dict[str, Any] | None:
    """The settings a model's training segments were made with, for ``modality``: the
    model's own ``training_settings_`` (``movement train`` keeps them there since 0.6.3),
    else its file's ``settings`` (kept by every ``movement train`` model file); None when
    neither says (a model file of another kind)."""
    own = getattr(model, "training_settings_", None)
    if isinstance(own, dict):
        return own
    kept = bundle.get("settings") if isinstance(bundle, dict) else None
    if isinstance(kept, dict) and isinstance(kept.get(modality), dict):
        return kept[modality]
    return None


def training_ranges(
    model: Any, bundle: dict[str, Any] | None, path: Path | None, modality: str
) -> dict[str, list[float]] | None:
    """Each feature's [min, max] over a trained model's training segments, for
    ``modality``: the model's own ``feature_ranges_`` (``movement train`` keeps them since
    0.10.0), else its file's ``training.per_modality.<modality>.feature_ranges``, else its
    card's (``<model>.json``: the shipped model's, computed from its training recordings
    again); None when none says."""

    def of(info: Any) -> dict[str, list[float]] | None:
        try:
            got = info["training"]["per_modality"][modality]["feature_ranges"]
        except (KeyError, TypeError):
            return None
        return got if isinstance(got, dict) else None

    own = getattr(model, "feature_ranges_", None)
    if isinstance(own, dict):
        return own
    if (kept := of(bundle)) is not None:
        return kept
    if path is not None:
        from .train import card_json_path

        card = card_json_path(Path(path))
        try:
            return of(json.loads(card.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return None
    return None


class ModelSettingsWarning(UserWarning):
    """A trained model used with settings that change the segments' features from the
    ones it was trained on (:func:`settings_warning`)."""


def settings_warning(
    who: str, modality: str, trained: dict[str, Any] | None, used: dict[str, Any]
) -> str | None:
    """One line saying which settings that change the features differ between a model's
    training and this run (:func:`movement.config.feature_setting_changes`), or None.

    Settings that act only on the labels (:data:`movement.config.LABEL_ONLY_SETTINGS`:
    the rules' thresholds, review flags, bout joining, non-wear) are not compared, nor is
    a setting the training's version did not have.

    Examples
    --------
    >>> a = AccelConfig().to_dict()
    >>> print(settings_warning("model m.joblib", "accel", {**a, "k_on": 5.0}, a))
    model m.joblib was trained with accel.k_on=5; this run uses accel.k_on=4 (settings that change the segments and their features: the model is given features unlike its training's; score with its settings, or train it with these)
    """
    from .config import feature_setting_changes

    changes = feature_setting_changes(trained, used)
    if not changes:
        return None
    shown = changes[:4]
    more = f" and {len(changes) - 4} more" if len(changes) > 4 else ""

    def listed(i: int) -> str:
        return ", ".join(f"{modality}.{c[0]}={_setting_text(c[i])}" for c in shown) + more

    return (
        f"{who} was trained with {listed(1)}; this run uses {listed(2)} (settings that change "
        "the segments and their features: the model is given features unlike its "
        "training's; score with its settings, or train it with these)"
    )


class RulesOnlySettingsWarning(ModelSettingsWarning):
    """A rules' threshold (:data:`movement.config.RULES_ONLY_SETTINGS`) changed from its
    default for a run whose labels come from a trained model, which does not read it
    (:func:`rules_settings_warning`). A :class:`ModelSettingsWarning`: a batch says it
    once, not in each file's summary row."""


def rules_settings_warning(who: str, modality: str, used: dict[str, Any]) -> str | None:
    """One line naming the rules' thresholds that ``used`` (one modality's settings)
    changes from their defaults (:func:`movement.config.rules_setting_changes`), which
    the trained model ``who`` does not read; None when there is none.

    Its labels are what they are at any value of these: only the ``reason`` column's
    rules (and ``model='rules'``) use them.

    Examples
    --------
    >>> print(rules_settings_warning("the default model", "accel",
    ...       AccelConfig(dystonia_min_s=20.0).to_dict()))
    accel.dystonia_min_s=20 is a threshold of the rules: the default model does not read it (its labels are the same at any value; only the reason column's rules use it); use model='rules' (--model rules) for labels by the rules
    """
    from .config import rules_setting_changes

    changes = rules_setting_changes(modality, used)
    if not changes:
        return None
    listed = ", ".join(f"{modality}.{c[0]}={_setting_text(c[2])}" for c in changes)
    one = len(changes) == 1
    return (
        f"{listed} {'is a threshold' if one else 'are thresholds'} of the rules: {who} does "
        f"not read {'it' if one else 'them'} (its labels are the same at any value; only the "
        f"reason column's rules use {'it' if one else 'them'}); use model='rules' "
        "(--model rules) for labels by the rules"
    )


def _setting_text(value: Any) -> str:
    """A setting's value as ``--set`` takes it: ``none``, ``true``, ``4``, ``0.1,0.2``."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(_setting_text(v) for v in value)
    if isinstance(value, float):
        return f"{value:.12g}"
    return str(value)


#: How far a row of a classifier's probabilities may sum from 1, and a probability lie
#: outside [0, 1]: float rounding (a calibrated model's rows are ~1e-15 off, a float32
#: softmax's ~1e-7). Beyond it the model is wrong: its output is refused, not rescaled.
PROBA_TOL = 1e-6


def check_probabilities(
    proba: Any, classes: Any, n: int, who: str, onsets: np.ndarray | None = None
) -> np.ndarray:
    """What a classifier's ``predict_proba`` returned for ``n`` segments, as a float array
    ``(n, len(classes))``, checked: finite, within [0, 1] and each row summing to 1 (within
    :data:`PROBA_TOL`), and ``classes`` (its ``classes_``) naming every class of
    :data:`CLASSES` once. Anything else is a one-line
    :class:`~movement.errors.MovementError` naming the model (``who``) and what is wrong
    (with the onset of the first segment concerned, when ``onsets`` are given); nothing is
    clipped or renormalised.

    Examples
    --------
    >>> check_probabilities([[0.5, 0.2, 0.3]], CLASSES, 1, "model m").tolist()
    [[0.5, 0.2, 0.3]]
    >>> check_probabilities([[0.5, 0.2, 0.2]], CLASSES, 1, "model m")
    Traceback (most recent call last):
    ...
    movement.errors.MovementError: model m: predict_proba's rows must each sum to 1 (within 1e-06); 1 of 1 do not (0.9 for row 0)
    """
    if classes is None:
        raise MovementError(f"{who}: has no classes_ (the classes its columns are, in order)")
    names = [str(c) for c in np.asarray(classes, dtype=object).ravel()]
    missing = [c for c in CLASSES if c not in names]
    doubled = sorted({c for c in names if names.count(c) > 1})
    if missing or doubled:
        what = f"has no {', '.join(missing)}" if missing else f"names {', '.join(doubled)} twice"
        raise MovementError(
            f"{who}: its classes_ ({', '.join(names[:6])}) {what}: it must name "
            f"{', '.join(CLASSES)} once each"
        )
    try:
        p = np.asarray(proba, dtype=float)
    except (TypeError, ValueError) as exc:
        raise MovementError(
            f"{who}: predict_proba returned {type(proba).__name__} that is not an array of "
            f"numbers ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
        ) from None
    want = (n, len(names))
    if p.shape != want:
        raise MovementError(
            f"{who}: predict_proba returned an array of shape {p.shape} for {n} segments; "
            f"expected {want} (a row per segment, a column per class of classes_)"
        )
    if n == 0:
        return p

    def first(rows: np.ndarray) -> str:
        i = int(rows[0])
        if onsets is not None and len(onsets) == n:
            return f"the segment at {float(onsets[i]):.6g} s"
        return f"row {i}"

    def where(bad: np.ndarray) -> str:
        rows = np.flatnonzero(bad)
        return f"{len(rows)} of {n} segments (first: {first(rows)})"

    finite = np.isfinite(p)
    if not finite.all():
        kinds = " or ".join(
            k
            for k, hit in (("NaN", np.isnan(p).any()), ("infinite values", np.isinf(p).any()))
            if hit
        )
        raise MovementError(
            f"{who}: predict_proba returned {kinds} for {where(~finite.all(axis=1))}"
        )
    out = (p < -PROBA_TOL) | (p > 1 + PROBA_TOL)
    if out.any():
        raise MovementError(
            f"{who}: predict_proba returned probabilities outside [0, 1] (from "
            f"{p.min():.6g} to {p.max():.6g}) for {where(out.any(axis=1))}"
        )
    total = p.sum(axis=1)
    off = np.flatnonzero(np.abs(total - 1.0) > PROBA_TOL)
    if len(off):
        raise MovementError(
            f"{who}: predict_proba's rows must each sum to 1 (within {PROBA_TOL:g}); "
            f"{len(off)} of {n} do not ({total[off[0]]:.6g} for {first(off)})"
        )
    return p


def _check_entry(model: Any, path: Path, modality: str) -> None:
    """A model file's entry for ``modality`` must be a classifier of this package's labels,
    over the features it names, trained on that modality's segments.

    An accelerometer model filed under ``emg`` (or the reverse) scored the other
    modality's segments silently; an entry that is no such classifier (a number, a
    scikit-learn estimator fit on a bare matrix) failed with an internal error.
    """
    trained_on = getattr(model, "modality", None)
    if isinstance(trained_on, str) and trained_on != modality:
        raise MovementError(
            f"{path}: its {modality} model was trained on {trained_on} segments; train one "
            f"for {modality} with `movement train --modality {modality}`"
        )
    classes = getattr(model, "classes_", None)
    features = getattr(model, "features_", None)
    if (
        not callable(getattr(model, "predict_proba", None))
        or classes is None
        or not set(CLASSES) <= {str(c) for c in np.asarray(classes, dtype=object).ravel()}
        or not isinstance(features, (list, tuple))
        or not all(isinstance(f, str) for f in features)
    ):
        raise MovementError(
            f"{path}: its {modality} entry is {type(model).__name__}, not a classifier of "
            f"{', '.join(CLASSES)} over named features (a model `movement train` writes)"
        )


def _check_features(model: Any, path: Path, modality: str) -> None:
    """A trained model must ask for features this version computes, as many as it was fit on.

    A model of another version (or edited) whose feature names this version does not
    compute would otherwise be given NaN columns and predict silently.
    """
    features = getattr(model, "features_", None)
    if features is None:
        return
    from .train import MODEL_FEATURES

    unknown = [f for f in features if f not in MODEL_FEATURES]
    if unknown:
        raise MovementError(
            f"{path}: its {modality} model uses features this version of movement does not "
            f"compute ({', '.join(map(str, unknown))}); train it again with `movement train`"
        )
    fitted = getattr(getattr(model, "estimator", None), "n_features_in_", None)
    if fitted is not None and int(fitted) != len(features):
        raise MovementError(
            f"{path}: its {modality} model was fit on {fitted} features but lists "
            f"{len(features)}; the file is damaged or was edited"
        )
