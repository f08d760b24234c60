"""The whole pipeline, read as its steps: preprocess → segment → features → classify."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._version import __version__
from .classify import CLASSES, RuleClassifier, apply_definitions, load_model, review_flags
from .config import AccelConfig, EMGConfig, Settings, params_hash
from .errors import MovementError
from .features import FEATURES, segment_features
from .preprocess import preprocess
from .recording import Recording
from .segment import segment

__all__ = ["score", "classifier_for", "EVENT_COLUMNS", "REVIEW_COLUMNS"]

#: Leading columns of every events table, in order (then the features, then review columns).
EVENT_COLUMNS = ("onset", "duration", "trial_type", "probability", "review", "reason", "channel")
REVIEW_COLUMNS = ("review_status", "reviewer", "comment")


def score(
    rec: Recording | str | Path,
    settings: Settings | EMGConfig | AccelConfig | None = None,
    *,
    model: Any = "default",
) -> pd.DataFrame:
    """Find and classify the events of one recording.

    Parameters
    ----------
    rec : Recording or path
        The recording (a path is read with :func:`movement.read`).
    settings : Settings, EMGConfig or AccelConfig, optional
        Thresholds; the defaults of the recording's modality when omitted.
    model : "default", "rules", path, or a fitted classifier
        ``"default"`` is the trained model shipped with the package (the rules
        when none is shipped); any object with ``predict_proba(DataFrame)`` and
        ``classes_`` in the order of ``movement.classify.CLASSES`` also works.

    Returns
    -------
    DataFrame
        One row per segment: ``onset``, ``duration`` (s), ``trial_type``,
        ``probability``, ``review``, ``reason``, ``channel``, the features, and
        empty ``review_status``, ``reviewer``, ``comment``. ``df.attrs`` holds
        ``movement_version``, ``parameters``, ``parameters_hash``, ``model`` and
        the recording's ``duration``, ``fs``, ``modality``, ``channels``.

    Examples
    --------
    >>> import numpy as np, movement
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(0, 0.01, (20000, 1))
    >>> x[10000:10030, 0] += np.hanning(30) * 0.5       # a 15 ms spike at 5 s
    >>> rec = movement.Recording(x, fs=2000, modality="emg")
    >>> ev = movement.score(rec, model="rules")
    >>> ev["trial_type"].tolist(), bool(abs(ev["onset"].iloc[0] - 5.0) < 0.03)
    (['fasciculation-like'], True)
    """
    if not isinstance(rec, Recording):
        from .io import read

        rec = read(rec)
    cfg = _config_for(rec.modality, settings)
    clf, model_name = classifier_for(model, rec.modality, cfg, rec.fs)

    with _one_blas_thread():
        pre = preprocess(rec, cfg)
        seg = segment(pre, cfg)
        feats = segment_features(pre, seg, cfg, rec.modality, rec.duration)
    return _label(feats, clf, cfg, rec, model_name)


def _one_blas_thread() -> Any:
    """A context that runs BLAS on one thread (``threadpoolctl``, a scikit-learn dependency).

    The pipeline's matrix products are small (the running median's sub-block means, a
    spectrum's band sums): on a busy machine a second BLAS thread waits for a core, and
    one 10 000 s window's ``(n/10, 30) @ (30, 3)`` product measured 25-78 ms with OpenBLAS's
    two threads against 2-20 ms on one (same bits: the threads split rows, not sums); a
    4 h recording scored in memory took 2.6-3.1 s against 1.6-1.9 s.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - installed with scikit-learn
        from contextlib import nullcontext

        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def classifier_for(
    model: Any, modality: str, cfg: EMGConfig | AccelConfig, fs: float
) -> tuple[Any, str]:
    """The classifier a recording is scored with, and its name.

    ``model`` is ``"default"``, ``"rules"``, a path or a fitted classifier. The default
    trained model is never applied outside the sampling rates it was validated at: the
    rules are used there, and the name says why.
    """
    if isinstance(model, (str, Path)) or model is None:
        clf, name = load_model(model, modality, cfg)
    else:
        clf, name = model, type(model).__name__
    outside = clf.accepts(fs) if hasattr(clf, "accepts") else None
    if outside and model in (None, "default"):
        clf, name = RuleClassifier(modality, cfg).fit(), f"rules ({outside})"
    return clf, name


def _config_for(
    modality: str, settings: Settings | EMGConfig | AccelConfig | None
) -> EMGConfig | AccelConfig:
    if settings is None:
        settings = Settings()
    if isinstance(settings, Settings):
        return settings.for_modality(modality)  # type: ignore[return-value]
    if settings.modality != modality:
        raise MovementError(f"a {settings.modality} config was given for a {modality} recording")
    return settings


def _label(
    feats: pd.DataFrame, clf: Any, cfg: EMGConfig | AccelConfig, rec: Recording, model_name: str
) -> pd.DataFrame:
    n = len(feats)
    if n:
        proba = np.asarray(clf.predict_proba(feats), dtype=float)
        order = [list(clf.classes_).index(c) for c in CLASSES]
        proba, vetoed = apply_definitions(feats, proba[:, order], cfg, rec.fs)
        label = np.array(CLASSES, dtype=object)[np.argmax(proba, axis=1)]
        reason = clf.explain(feats) if hasattr(clf, "explain") else ["trained model"] * n
        reason = [f"{r}; {v}" if v else r for r, v in zip(reason, vetoed, strict=True)]
    else:
        proba = np.zeros((0, 3))
        label = np.array([], dtype=object)
        reason = []
    flags, why = review_flags(
        label,
        proba,
        feats["snr_db"].to_numpy(float) if n else np.zeros(0),
        feats["clipped"].to_numpy(bool) if n else np.zeros(0, bool),
        cfg.review_margin,
        cfg.min_event_snr_db,
    )
    # every column in one dict, one DataFrame (inserting ~60 columns one at a time costs
    # more than the rest of labelling)
    cols: dict[str, Any] = {
        "onset": feats["onset"].to_numpy(float) if n else np.zeros(0),
        "duration": feats["duration"].to_numpy(float) if n else np.zeros(0),
        "trial_type": pd.Series(label, dtype=object),
        "probability": proba.max(axis=1) if n else np.zeros(0),
        "review": flags,
        "reason": [
            f"{r}" + (f" | review: {w}" if w else "") for r, w in zip(reason, why, strict=True)
        ],
        "channel": feats["channel"].to_numpy(object) if n else np.array([], dtype=object),
    }
    cols["p_fasciculation"] = proba[:, 0] if n else np.zeros(0)
    cols["p_dystonia"] = proba[:, 1] if n else np.zeros(0)
    cols["p_other"] = proba[:, 2] if n else np.zeros(0)
    cols["scale"] = feats["scale"].to_numpy(object) if n else np.array([], dtype=object)
    for f in FEATURES:
        cols[f] = feats[f].to_numpy() if n else np.zeros(0)
    for c in REVIEW_COLUMNS:
        cols[c] = pd.Series([None] * n, dtype=object)
    out = pd.DataFrame(cols)
    params = {"modality": rec.modality, "config": cfg.to_dict(), "model": model_name}
    out.attrs.update(
        movement_version=__version__,
        parameters=params,
        parameters_hash=params_hash(params),
        model=model_name,
        duration=rec.duration,
        fs=rec.fs,
        modality=rec.modality,
        channels=list(rec.channels),
        source=rec.source,
        notes=dict(rec.notes),
    )
    return out
