"""The whole pipeline, read as its steps: preprocess → segment → features → classify."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._version import __version__
from .calibration import Calibration, calibration_of
from .classify import (
    CLASSES,
    ModelName,
    ModelSettingsWarning,
    RuleClassifier,
    RulesOnlySettingsWarning,
    apply_definitions,
    check_probabilities,
    load_model,
    outside_training,
    review_flags,
    rules_settings_warning,
    settings_warning,
    training_settings,
)
from .config import AccelConfig, EMGConfig, Settings, params_hash
from .errors import MovementError, RecordingError
from .features import FEATURES, segment_features
from .preprocess import preprocess
from .recording import Recording, bridge_rows, long_runs, nan_runs
from .segment import segment
from .wear import flag_nonwear, intersect_runs, nonwear_runs

__all__ = [
    "score",
    "label",
    "classifier_for",
    "calibration_for",
    "check_rate",
    "EVENT_COLUMNS",
    "REVIEW_COLUMNS",
]

#: Leading columns of every events table, in order (then the features, then review columns).
EVENT_COLUMNS = ("onset", "duration", "trial_type", "probability", "review", "reason", "channel")
REVIEW_COLUMNS = ("review_status", "reviewer", "comment")


def score(
    rec: Recording | str | Path,
    settings: Settings | EMGConfig | AccelConfig | None = None,
    *,
    model: Any = "default",
    stream: bool | None = None,
    fs: float | str | None = None,
    modality: str | None = None,
    channels: Sequence[str | int] | str | None = None,
) -> pd.DataFrame:
    """Find and classify the events of one recording.

    Parameters
    ----------
    rec : Recording or path
        The recording (a path is read with :func:`movement.read`). Its rate must be one
        the pipeline can run at (:func:`check_rate`).
    settings : Settings, EMGConfig or AccelConfig, optional
        Thresholds; the defaults of the recording's modality when omitted.
    model : "default", "rules", path, or a fitted classifier
        ``"default"`` is the trained model shipped with the package (the rules
        when none is shipped); any object with ``predict_proba(DataFrame)`` and
        ``classes_`` in the order of ``movement.classify.CLASSES`` also works.
    stream : bool, optional
        Score window by window (:func:`movement.stream.score_stream`: memory that does
        not grow with the recording's length; the same events, to float tolerance, as
        scoring it whole, which the tests check). By default a long recording is: a file
        ``movement score`` streams (:func:`movement.batch.is_streamed`, e.g. a day of
        100 Hz accelerometry in ``.npy``, never fully read), or a recording in memory the
        same rule picks: its samples 256 MiB or more as float64 (4.7 h of one 2 kHz
        channel), or cut into 3 stream windows or more, the last one shorter, where
        windows are faster too (:func:`movement.stream.faster_in_windows`: from 5.7 h of
        100 Hz tri-axial accelerometry, 26-28 min of 2 kHz EMG on 2 channels or more).
        ``False``: always the whole recording at once; ``True``: always in windows.
    fs, modality, channels : optional
        For a path: what :func:`movement.read` takes (the sampling rate, ``"accel"`` or
        ``"emg"``, the columns to score) when the file or its sidecar does not say.

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
    if isinstance(stream, np.bool_):
        stream = bool(stream)
    if stream is not None and not isinstance(stream, bool):
        raise MovementError(f"stream must be True, False or None, got {stream!r}")
    given = {"fs": fs, "modality": modality, "channels": channels}
    given = {k: v for k, v in given.items() if v is not None}
    if isinstance(rec, (str, os.PathLike)):
        path = Path(rec)
        if stream is not False and path.is_file():
            from .batch import is_streamed

            if stream or is_streamed(path, settings, **given):  # (never read whole)
                from .stream import _NotStreamable, score_stream

                check_settings(settings)
                try:
                    return score_stream(rec, settings, model=model, **given)
                except _NotStreamable as exc:
                    if stream:  # (windows asked for, and the file cannot give them)
                        raise MovementError(
                            f"{exc} (asked for with stream=True; leave stream unset to read "
                            "it whole)"
                        ) from None
                    # (e.g. a time column of dates or with holes: read whole, as the command)
        if given:
            from .io import read

            rec = read(rec, **given)
    elif given and isinstance(rec, Recording):
        raise MovementError(
            f"{', '.join(k + '=' for k in given)} apply to a file read here; a Recording "
            "has its own (movement.Recording(data, fs=..., modality=..., channels=...))"
        )
    made_here = isinstance(rec, Recording) and "fs_from" not in rec.notes
    rec = recording_of(rec)
    if made_here:
        say_recording_checks(rec)
    cfg = _config_for(rec.modality, settings)
    check_rate(rec.fs, cfg, rec.source)
    if stream or stream is None and _long(rec, cfg):
        from .stream import score_stream

        return score_stream(rec, settings, model=model)
    clf, model_name = classifier_for(model, rec.modality, cfg, rec.fs)

    pieces = rec.pieces
    with _one_blas_thread():
        cal = calibration_for(rec, cfg)
        if len(pieces) == 1 and pieces[0, 0] == 0 and pieces[0, 1] == rec.n_samples:
            pre = preprocess(rec, cfg, calibration=cal)
            seg = segment(pre, cfg)
            feats = segment_features(pre, seg, cfg, rec.modality, rec.duration)
            beats = pre.ecg_beats
        else:
            feats = _piece_features(rec, cfg, pieces, cal)
            beats = feats.attrs.pop("ecg_beats", None)
    out = _label(feats, clf, cfg, rec, model_name)
    note_ecg(out, beats, rec.fs, pieces)
    note_dropouts(out, nan_runs(rec.gaps), rec.fs, cfg, pieces)
    note_calibration(out, cal)
    if "gaps" in feats.attrs:
        note_pieces(out, rec.duration, pieces, rec.fs)
    if isinstance(cfg, AccelConfig) and cfg.nonwear_window_s is not None:
        # (the time not worn within the time recorded)
        runs = intersect_runs(nonwear_runs(rec.data, rec.fs, cfg), pieces)
        flag_nonwear(out, runs, rec.fs, cfg, rec.duration)
    return out


def _long(rec: Recording, cfg: EMGConfig | AccelConfig) -> bool:
    """Whether ``rec`` is long enough to score in windows (:func:`score`'s default): the
    rule ``movement score`` applies to a file (:func:`movement.batch.is_streamed`), its
    samples 256 MiB or more as float64, or scored faster in windows."""
    from .batch import STREAM_BYTES
    from .stream import faster_in_windows

    if 8 * rec.n_samples * len(rec.channels) >= STREAM_BYTES:
        return True
    return faster_in_windows(rec.n_samples, rec.fs, len(rec.channels), cfg)


def recording_of(rec: Any) -> Recording:
    """``rec`` itself when a Recording, the file read when a path (str or path-like);
    anything else is a :class:`~movement.errors.MovementError` saying what is accepted."""
    if isinstance(rec, Recording):
        return rec
    if isinstance(rec, (str, os.PathLike)):
        from .io import read

        return read(rec)
    hint = (
        ": wrap an array as movement.Recording(x, fs=..., modality=...)"
        if hasattr(rec, "shape") or isinstance(rec, (list, tuple))
        else ""
    )
    raise MovementError(
        f"expected a Recording or the path of a recording file, got {type(rec).__name__}{hint}"
    )


#: The highest frequency the filters keep, as a share of the rate (``preprocess._cap``).
_BAND_CAP = 0.45


def check_rate(fs: float, cfg: EMGConfig | AccelConfig, source: str | None = None) -> None:
    """Refuse a sampling rate the pipeline cannot honestly run at, in one line.

    Both modalities: the rest level's and the noise models' 0.5 s blocks
    (``segment._BLOCK_S``) must hold at least 2 samples (4 Hz). EMG also: its band-pass
    starts at ``band_low_hz`` and is capped at 0.45 x the rate, so the rate must be above
    ``band_low_hz / 0.45`` (66.7 Hz for the default 30 Hz) for any band to be left.

    Examples
    --------
    >>> check_rate(60.0, EMGConfig())
    Traceback (most recent call last):
    ...
    movement.errors.RecordingError: EMG at 60 Hz: its 30 Hz high-pass (emg.band_low_hz) needs a rate above 66.67 Hz (the band is capped at 0.45 x the rate: 27 Hz here)
    """
    from .segment import _BLOCK_S

    name = "EMG" if isinstance(cfg, EMGConfig) else "accelerometry"
    lowest = 2.0 / _BLOCK_S
    if fs < lowest:
        raise RecordingError(
            f"{name} at {fs:g} Hz: its {_BLOCK_S:g} s blocks (rest level, noise model) need "
            f"at least 2 samples each: a rate of at least {lowest:g} Hz",
            source,
        )
    if isinstance(cfg, EMGConfig) and _BAND_CAP * fs <= cfg.band_low_hz:
        low = cfg.band_low_hz
        raise RecordingError(
            f"EMG at {fs:g} Hz: its {low:g} Hz high-pass (emg.band_low_hz) needs a rate above "
            f"{low / _BAND_CAP:.4g} Hz (the band is capped at {_BAND_CAP:g} x the rate: "
            f"{_BAND_CAP * fs:.3g} Hz here)",
            source,
        )
    motion = getattr(cfg, "motion_highpass_hz", None)
    if isinstance(cfg, AccelConfig) and motion and motion >= _BAND_CAP * fs:
        raise RecordingError(
            f"accelerometry at {fs:g} Hz: its {motion:g} Hz high-pass "
            f"(accel.motion_highpass_hz) needs a rate above {motion / _BAND_CAP:.4g} Hz",
            source,
        )
    _say_unapplied(fs, cfg, source)


def _say_unapplied(fs: float, cfg: EMGConfig | AccelConfig, source: str | None) -> None:
    """Warn of a setting changed from its default that the rate keeps from applying as
    given (a notch at or above 0.48 x the rate, a gravity low-pass above 0.45 x): it is
    recorded as asked (the parameters) and noted as applied (:func:`applied_settings`),
    and without a word it looks in effect."""
    import warnings

    default = type(cfg)()
    applied = applied_settings(cfg, fs)
    said = (
        [applied["notch_hz"]]
        if "notch_hz" in applied and cfg.notch_hz != getattr(default, "notch_hz", None)
        else []
    )  # type: ignore[union-attr]
    grav = getattr(cfg, "gravity_cutoff_hz", None)
    if (
        grav is not None
        and grav > _BAND_CAP * fs
        and grav != getattr(default, "gravity_cutoff_hz", None)
    ):
        said.append(
            f"gravity_cutoff_hz {grav:g} Hz applied as {_BAND_CAP * fs:g} Hz (capped at {_BAND_CAP:g} x {fs:g} Hz)"
        )
    for text in said:
        warnings.warn((f"{source}: " if source else "") + text, UserWarning, stacklevel=3)


def _piece_features(
    rec: Recording,
    cfg: EMGConfig | AccelConfig,
    pieces: np.ndarray,
    calibration: Calibration | None = None,
) -> pd.DataFrame:
    """The features of each piece of ``rec`` between its long gaps, scored apart (times
    from the recording's first sample); clipping judged against the whole recording's
    maximum and the whole recording's calibration applied, as in streaming."""
    top = np.fmax.reduce(np.abs(rec.data), axis=0)  # NaN left out
    parts, beats = [], []
    for a, b in pieces:  # loop over the pieces between long gaps
        sub = rec.piece(int(a), int(b))
        pre = preprocess(sub, cfg, clip_top=top, calibration=calibration)
        seg = segment(pre, cfg)
        f = segment_features(pre, seg, cfg, rec.modality, sub.duration)
        f["start"] += a
        f["stop"] += a
        f["onset"] = f["start"] / rec.fs
        parts.append(f)
        if pre.ecg_beats is not None:
            beats.append(pre.ecg_beats + a)
    feats = pd.concat(parts, ignore_index=True)
    feats.attrs["gap_runs_s"] = gap_runs_s(rec.gaps, rec.fs, cfg)
    feats.attrs["gaps"] = True
    if beats:
        # (ECG removal ran: the R peaks found, from the recording's first sample)
        feats.attrs["ecg_beats"] = np.concatenate(beats)
    return feats


def ecg_summary(beats: np.ndarray | None, fs: float, pieces: np.ndarray) -> dict[str, Any] | None:
    """What EMG's ECG removal found: R peaks, heart rate, the time on the rhythm, and the
    time searched.

    Parameters
    ----------
    beats : ndarray of int or None
        R-peak sample indices (:func:`movement.preprocess.ecg_beats`); None when ECG
        removal is off (or accelerometry).
    fs : float
    pieces : ndarray (k, 2)
        The sample ranges scored apart (the recording, or its pieces between long gaps):
        a piece is searched for a heartbeat only when
        :func:`movement.preprocess.ecg_searchable` (40 s or longer, 160 Hz or faster).

    Returns
    -------
    dict or None
        ``beats`` (R peaks found and subtracted; None when nothing could be searched),
        ``heart_rate_bpm`` (60 over the median interval between consecutive beats that is
        a heart period, 40-150 beats/min; None with no such interval), ``rhythm_s`` (the
        sum of those intervals: the time the ECG was followed), ``searched_s`` (the time in
        pieces searched) and ``not_searched`` (why part or all of the recording was not
        searched, or None). None when ``beats`` is None.

    Examples
    --------
    >>> ecg_summary(np.arange(0, 120000, 1600), 2000.0, np.array([[0, 120000]]))
    {'beats': 75, 'heart_rate_bpm': 75.0, 'rhythm_s': 59.2, 'searched_s': 60.0, 'not_searched': None}
    >>> ecg_summary(np.zeros(0, int), 2000.0, np.array([[0, 60000]]))["not_searched"]
    'the recording is shorter than 40 s'
    >>> ecg_summary(np.zeros(0, int), 100.0, np.array([[0, 6000]]))["not_searched"]
    '100 Hz is below the 160 Hz the QRS band needs'
    """
    if beats is None:
        return None
    from .preprocess import ECG_BPM, ecg_searchable

    lengths = np.diff(np.asarray(pieces, dtype=np.int64).reshape(-1, 2), axis=1)[:, 0]
    ok = np.array([ecg_searchable(int(n), fs) for n in lengths], dtype=bool)
    searched_s = float(lengths[ok].sum()) / fs
    if ok.all():
        why = None
    elif not ecg_searchable(10**12, fs):
        why = f"{fs:g} Hz is below the 160 Hz the QRS band needs"
    elif len(lengths) == 1:
        why = "the recording is shorter than 40 s"
    else:
        why = f"{int((~ok).sum())} of {len(lengths)} pieces between long gaps are shorter than 40 s"
    b = np.unique(np.asarray(beats, dtype=np.int64))
    rr = np.diff(b) / fs
    rr = rr[(rr >= 60.0 / ECG_BPM[1]) & (rr <= 60.0 / ECG_BPM[0])]
    return {
        "beats": int(len(b)) if ok.any() else None,
        "heart_rate_bpm": round(60.0 / float(np.median(rr)), 1) if len(rr) else None,
        "rhythm_s": round(float(rr.sum()), 3),
        "searched_s": round(searched_s, 3),
        "not_searched": why,
    }


def note_ecg(events: pd.DataFrame, beats: np.ndarray | None, fs: float, pieces: np.ndarray) -> None:
    """Record what ECG removal found in ``events.attrs["ecg"]`` (:func:`ecg_summary`);
    nothing when it is off."""
    found = ecg_summary(beats, fs, pieces)
    if found is not None:
        events.attrs["ecg"] = found


def calibration_for(rec: Recording, cfg: EMGConfig | AccelConfig) -> Calibration | None:
    """The gravity calibration of an accelerometer recording (:mod:`movement.calibration`),
    fitted on all of it; None for EMG, with ``calibrate`` off, or without a tri-axial
    sensor."""
    if not isinstance(cfg, AccelConfig):
        return None
    return calibration_of(rec.data, rec.fs, rec.channels, cfg)


def note_calibration(events: pd.DataFrame, calibration: Calibration | None) -> None:
    """Record the calibration in ``events.attrs["calibration"]`` (and a line in
    ``notes`` when a sensor's fit was not applied)."""
    if calibration is None:
        return
    events.attrs["calibration"] = calibration.to_dict()
    skipped = [s for s in calibration.sites if not s.applied]
    if skipped:
        notes = dict(events.attrs.get("notes") or {})
        notes["calibration"] = "; ".join(f"{s.site}: not calibrated, {s.reason}" for s in skipped)
        events.attrs["notes"] = notes


def gap_runs_s(gaps: np.ndarray, fs: float, cfg: EMGConfig | AccelConfig) -> np.ndarray:
    """[start, stop) seconds of the gaps no event may span: the runs of missing samples
    longer than ``cfg.bridge_gap_s`` (shorter ones are bridged dropouts)."""
    return long_runs(nan_runs(gaps), bridge_rows(getattr(cfg, "bridge_gap_s", None), fs)) / fs


def note_dropouts(
    events: pd.DataFrame,
    runs: np.ndarray,
    fs: float,
    cfg: EMGConfig | AccelConfig,
    pieces: np.ndarray,
) -> None:
    """Record in ``events.attrs["notes"]`` the dropouts bridged: the runs of missing
    samples (``runs``, [start, stop) samples of the whole recording) no longer than
    ``cfg.bridge_gap_s`` within the ``pieces`` scored, which were interpolated and scored
    through; ``events.attrs["dropouts"]``: their ``count``, ``samples``, ``seconds`` and
    the ``bridge_gap_s`` (a count of 0 when there was none, or bridging was off)."""
    limit = bridge_rows(getattr(cfg, "bridge_gap_s", None), fs)
    runs = np.asarray(runs, dtype=np.int64).reshape(-1, 2)
    pieces = np.asarray(pieces, dtype=np.int64).reshape(-1, 2)
    # (a run lies in the piece that starts last at or before it; pieces are disjoint)
    p = np.searchsorted(pieces[:, 0], runs[:, 0], side="right") - 1
    inside = (p >= 0) & (runs[:, 1] <= pieces[np.maximum(p, 0), 1])
    length = runs[inside, 1] - runs[inside, 0]
    short = length[length <= limit] if limit else length[:0]
    events.attrs["dropouts"] = {
        "count": int(len(short)),
        "samples": int(short.sum()),
        "seconds": round(float(short.sum() / fs), 6),
        "bridge_gap_s": getattr(cfg, "bridge_gap_s", None),
    }
    if not len(short):
        return
    notes = dict(events.attrs.get("notes") or {})
    notes["dropouts"] = (
        f"{len(short)} dropout(s) of up to {cfg.bridge_gap_s:g} s (bridge_gap_s), "
        f"{int(short.sum())} sample(s) ({short.sum() / fs:.3g} s) in all, interpolated and "
        "scored through; longer gaps are never spanned by an event"
    )
    events.attrs["notes"] = notes


def note_pieces(events: pd.DataFrame, duration: float, pieces: np.ndarray, fs: float) -> None:
    """Record in ``events.attrs`` that the recording was scored in ``pieces`` between long
    gaps: ``recorded_duration`` (s, the pieces' total), ``long_gaps`` (``[onset,
    duration]`` s of each stretch not scored) and a line in ``notes``."""
    from .recording import MAX_GAP_S

    recorded = float((pieces[:, 1] - pieces[:, 0]).sum() / fs)
    events.attrs["recorded_duration"] = recorded
    # the stretches not scored ([onset, duration] s, as ``nonwear``): between the pieces
    # and before or after them
    edges = np.concatenate([[0.0], pieces.reshape(-1) / fs, [duration]]).reshape(-1, 2)
    edges = edges[edges[:, 1] > edges[:, 0]]
    events.attrs["long_gaps"] = [[a, b - a] for a, b in edges.tolist()]
    notes = dict(events.attrs.get("notes") or {})
    notes["gaps"] = (
        f"scored in {len(pieces)} piece(s) apart, between missing stretches longer than "
        f"{MAX_GAP_S:g} s: {recorded:.1f} s of {duration:.1f} s recorded"
    )
    events.attrs["notes"] = notes


def _one_blas_thread() -> Any:
    """A context that runs BLAS on one thread (``threadpoolctl``, a scikit-learn dependency).

    The pipeline's matrix products are small (the running median's sub-block means, a
    spectrum's band sums): on a busy machine a second BLAS thread waits for a core, and
    one 10 000 s window's ``(n/10, 30) @ (30, 3)`` product measured 25-78 ms with OpenBLAS's
    two threads against 2-20 ms on one (same bits: the threads split rows, not sums); a
    4 h recording scored in memory took 2.6-3.1 s against 1.6-1.9 s.
    """
    pools = _threadpools()
    if pools is None:  # pragma: no cover - threadpoolctl is installed with scikit-learn
        from contextlib import nullcontext

        return nullcontext()
    return pools.limit(limits=1, user_api="blas")


#: threadpoolctl's controller (it scans the process's native libraries, ~10 ms), shared by
#: the BLAS limit above and the trained model's one-thread prediction; and whether
#: scikit-learn's compiled modules (their OpenMP runtime) were loaded when it was made.
_THREADPOOLS: Any = None
_THREADPOOLS_SKLEARN = False


def _threadpools() -> Any:
    """The shared ``threadpoolctl.ThreadpoolController``, made on first use (again once
    scikit-learn's estimators have been imported since, so that their OpenMP runtime is
    seen); None without threadpoolctl."""
    global _THREADPOOLS, _THREADPOOLS_SKLEARN
    import sys

    have = "sklearn.ensemble" in sys.modules
    if _THREADPOOLS is None or (have and not _THREADPOOLS_SKLEARN):
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - installed with scikit-learn
            return None
        _THREADPOOLS = ThreadpoolController()
        _THREADPOOLS_SKLEARN = have
    return _THREADPOOLS


def classifier_for(
    model: Any, modality: str, cfg: EMGConfig | AccelConfig, fs: float
) -> tuple[Any, str]:
    """The classifier a recording is scored with, and its name.

    ``model`` is ``"default"``, ``"rules"``, a path or a fitted classifier. The default
    trained model is never applied outside the sampling rates it was validated at: the
    rules are used there, and the name says why.

    The name is what the events' ``model`` says (a model file's name and SHA-256). What
    the parameters hash holds of a model file is its ``identity``
    (:class:`movement.classify.ModelName`): the fitted model's content, not the file's
    name or bytes (the shipped model's is the name it always had); of a classifier given
    as an object, its type's name.

    A trained model given ``cfg`` values that change the segments' features from the
    ones it was trained with (:func:`movement.config.feature_setting_changes`: not those
    that act on labels only, :data:`movement.config.LABEL_ONLY_SETTINGS`) is used, with a
    :class:`movement.classify.ModelSettingsWarning` naming them (Python shows one warning
    once per process). The training's settings are its file's (``movement train`` keeps
    them), or a classifier object's ``training_settings_`` (a dict of one modality's
    settings); a model that keeps none is not checked.

    A classifier other than the rules given a rules' threshold changed from its default
    (:data:`movement.config.RULES_ONLY_SETTINGS`: ``accel.dystonia_min_s``,
    ``max_twitch_g``...), which it does not read, is used with a
    :class:`movement.classify.RulesOnlySettingsWarning` naming them (the default model
    outside its sampling rates is the rules: nothing to say). Either warning is also
    kept in the name's ``notes``, which :func:`score` puts in the events'
    ``attrs["notes"]`` (``model_settings``, ``rules_settings``) and so in the events
    JSON: saved results show it.
    """
    if isinstance(model, (str, os.PathLike)) or model is None:
        clf, name = load_model(model, modality, cfg)
    elif not callable(getattr(model, "predict_proba", None)):
        raise MovementError(
            "model must be 'default', 'rules', a path to a saved model, or a fitted "
            f"classifier with predict_proba; got {type(model).__name__} {model!r:.60}"
        )
    else:
        trained_on = getattr(model, "modality", None)
        if (
            isinstance(trained_on, str)
            and trained_on in ("emg", "accel")
            and trained_on != modality
        ):
            # (its features are the other modality's: every segment was 'other')
            raise MovementError(
                f"the classifier given is for {trained_on}, the recording is {modality}"
            )
        clf, name = model, type(model).__name__
    outside = clf.accepts(fs) if hasattr(clf, "accepts") else None
    if outside and model in (None, "default"):
        return RuleClassifier(modality, cfg).fit(), f"rules ({outside})"
    if not isinstance(clf, RuleClassifier):
        trained = (
            name.trained_with
            if isinstance(name, ModelName)
            else training_settings(clf, None, modality)
        )
        who = (
            "the default model"
            if model in (None, "default")
            else f"model {model}"
            if isinstance(model, (str, os.PathLike))
            else f"the classifier given ({name})"
        )
        used = cfg.to_dict()
        features = settings_warning(who, modality, trained, used)
        rules = rules_settings_warning(who, modality, used)
        said = {
            "model_settings": (features, ModelSettingsWarning),
            "rules_settings": (rules, RulesOnlySettingsWarning),
        }
        notes = {key: text for key, (text, _) in said.items() if text}
        if notes:
            for text, kind in said.values():  # (the two kinds, in that order)
                if text:
                    warnings.warn(text, kind, stacklevel=2)
            name = (name if isinstance(name, ModelName) else ModelName(name)).noted(notes)
    return clf, name


def _a(modality: str) -> str:
    """``modality`` with its article, as said aloud: "an EMG", "an accel"."""
    word = "EMG" if modality == "emg" else modality
    return f"{'an' if word[:1].lower() in 'aeiou' or word == 'EMG' else 'a'} {word}"


def check_settings(settings: Any) -> None:
    """A :class:`~movement.errors.MovementError` saying what ``settings`` of
    :func:`score` accepts, unless it is a Settings, an EMGConfig, an AccelConfig or None."""
    if settings is None or isinstance(settings, (Settings, EMGConfig, AccelConfig)):
        return
    hint = ""
    if isinstance(settings, str):
        hint = ": overrides such as 'accel.k_on=4' go through Settings().with_overrides(...)"
    elif isinstance(settings, dict):
        hint = ": a dict of values goes through Settings(emg={...}, accel={...})"
    raise MovementError(
        "settings must be a Settings, EMGConfig, AccelConfig or None, got "
        f"{type(settings).__name__}{hint}"
    )


def _config_for(
    modality: str, settings: Settings | EMGConfig | AccelConfig | None
) -> EMGConfig | AccelConfig:
    check_settings(settings)
    if settings is None:
        settings = Settings()
    if isinstance(settings, Settings):
        return settings.for_modality(modality)  # type: ignore[return-value]
    if settings.modality != modality:
        raise MovementError(
            f"{_a(settings.modality)} config was given for {_a(modality)} recording"
        )
    return settings


#: Features in the recording's amplitude units (EMG: the units it states; accelerometry: g).
AMPLITUDE_FEATURES = ("peak_amplitude", "rms")


def model_features(feats: pd.DataFrame, clf: Any, modality: str, units: str | None) -> pd.DataFrame:
    """The features a model trained by ``movement train`` is given: an EMG recording's
    amplitudes (:data:`AMPLITUDE_FEATURES`) in mV, the unit its simulated training
    recordings are in; the events table keeps them in the recording's units.

    EMG in V, µV or nV had its amplitudes given to the trained model 1000 times too large
    or small (its trees split on them). Accelerometry is always in g; EMG in mV, or with no
    unit (a.u.), and plug-in models are given the features as they are.

    Examples
    --------
    >>> import pandas as pd
    >>> from movement.train import TrainedClassifier
    >>> f = pd.DataFrame({"peak_amplitude": [250.0], "rms": [40.0], "snr_db": [12.0]})
    >>> model_features(f, TrainedClassifier.__new__(TrainedClassifier), "emg", "uV").to_dict("list")
    {'peak_amplitude': [0.25], 'rms': [0.04], 'snr_db': [12.0]}
    """
    if modality != "emg" or not len(feats):
        return feats
    from .recording import EMG_UNITS, emg_unit_key
    from .train import TrainedClassifier

    per_uv = EMG_UNITS.get(emg_unit_key(units))
    if per_uv is None or per_uv == 1e3 or not isinstance(clf, TrainedClassifier):
        return feats
    scaled = feats.copy()
    for c in AMPLITUDE_FEATURES:
        if c in scaled:
            scaled[c] = scaled[c] * (per_uv / 1e3)
    return scaled


def label(
    features: pd.DataFrame,
    rec: Recording,
    settings: Settings | EMGConfig | AccelConfig | None = None,
    *,
    model: Any = "default",
) -> pd.DataFrame:
    """The events table of segments' features: the last step of :func:`score`.

    The classifier (:func:`classifier_for`) gives each segment the probability of each
    class; the class definitions then hold or veto them
    (:func:`movement.classify.apply_definitions`: e.g. a regular rhythm at step rate is
    walking, ``other``), neighbouring ``other`` segments are joined into bouts, and each
    event is flagged for review when its label is a close call, its SNR low or it is
    clipped (:func:`movement.classify.review_flags`). The stages one by one, as
    :func:`score` runs them on a recording without long gaps::

        cfg = movement.AccelConfig()                      # or EMGConfig, or Settings
        cal = calibration_for(rec, cfg)                   # accelerometry: gravity fit
        pre = preprocess(rec, cfg, calibration=cal)       # movement.preprocess
        seg = segment(pre, cfg)                           # movement.segment
        feats = segment_features(pre, seg, cfg, rec.modality, rec.duration)
        events = label(feats, rec, cfg)

    give :func:`score`'s events; :func:`score` adds what concerns the whole recording to
    ``events.attrs`` (the ECG removed, dropouts bridged, the calibration) and, for
    accelerometry, flags the events in stretches not worn (:mod:`movement.wear`). A
    recording with gaps longer than ``MAX_GAP_S`` is scored piece by piece.

    Examples
    --------
    >>> import movement
    >>> from movement.preprocess import preprocess
    >>> from movement.segment import segment
    >>> from movement.features import segment_features
    >>> rec = movement.simulate("emg", 30, seed=1).recording
    >>> cfg = movement.EMGConfig()
    >>> pre = preprocess(rec, cfg, calibration=calibration_for(rec, cfg))
    >>> feats = segment_features(pre, segment(pre, cfg), cfg, rec.modality, rec.duration)
    >>> events = label(feats, rec, cfg)
    >>> events[["onset", "trial_type"]].equals(movement.score(rec)[["onset", "trial_type"]])
    True
    """
    cfg = _config_for(rec.modality, settings)
    clf, name = classifier_for(model, rec.modality, cfg, rec.fs)
    return _label(features, clf, cfg, rec, name)


def _label(
    feats: pd.DataFrame, clf: Any, cfg: EMGConfig | AccelConfig, rec: Recording, model_name: str
) -> pd.DataFrame:
    n = len(feats)
    if n:
        # a plug-in model's output, checked where it comes back: NaN, values outside
        # [0, 1], rows not summing to 1 or a wrong shape are one line naming the model
        given = getattr(clf, "classes_", None)
        classes = (
            None if given is None else [str(c) for c in np.asarray(given, dtype=object).ravel()]
        )
        given_feats = model_features(feats, clf, rec.modality, rec.units)
        proba = check_probabilities(
            clf.predict_proba(given_feats),
            classes,
            n,
            f"model {model_name}",
            feats["onset"].to_numpy(float) if "onset" in feats else None,
        )
        order = [classes.index(c) for c in CLASSES]
        proba, vetoed = apply_definitions(feats, proba[:, order], cfg, rec.fs)
        label = np.array(CLASSES, dtype=object)[np.argmax(proba, axis=1)]
        reason = _explain(clf, feats, cfg)
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
    # a trained model's call of a target class on features beyond any of its training
    # segments' (other units, a device's handling, a limb's reorientation): for review
    ranges = getattr(clf, "feature_ranges_", None) or getattr(model_name, "feature_ranges", None)
    if n and ranges:
        beyond = outside_training(given_feats, ranges)
        target = np.isin(label, ("fasciculation-like", "dystonia-like"))
        for i in np.flatnonzero(target & np.array([bool(b) for b in beyond])):
            flags[i] = True
            why[i] = "; ".join(w for w in (why[i], beyond[i]) if w)
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
    # missing data (NaN gaps, [start, stop) s) between two 'other' events keeps them apart:
    # the streamed path gathers them per window, the in-memory one reads the recording
    gap_runs = feats.attrs.get("gap_runs_s")
    if gap_runs is None and isinstance(rec, Recording):
        gap_runs = gap_runs_s(rec.gaps, rec.fs, cfg)
    out = merge_other_bouts(
        pd.DataFrame(cols), getattr(cfg, "other_bout_gap_s", 0.0), gap_runs,
        sites=_sites_of(rec.channels, rec.modality),
    )  # fmt: skip
    # the hash holds what decides the results: a model file's fitted content, not its
    # name (ModelName.identity); the events' `model` keeps the file's name and SHA-256
    identity = getattr(model_name, "identity", None) or str(model_name)
    warn_applied(cfg, rec.fs, rec.source)
    params = {"modality": rec.modality, "config": cfg.to_dict(), "model": identity}
    out.attrs.update(
        movement_version=__version__,
        parameters=params,
        parameters_hash=params_hash(params),
        model=str(model_name),
        duration=rec.duration,
        recorded_duration=rec.duration,  # (less long gaps: note_pieces, when there are)
        fs=rec.fs,
        modality=rec.modality,
        channels=list(rec.channels),
        units=getattr(rec, "units", None),
        source=rec.source,
        start=_iso(getattr(rec, "start", None)),
        # (and what was said of the model and these settings: classifier_for)
        notes={
            **rec.notes,
            **applied_settings(cfg, rec.fs),
            **(getattr(model_name, "notes", None) or {}),
        },
    )
    return out


def _sites_of(channels: Sequence[Any], modality: str) -> list[str]:
    """The names :func:`movement.segment.segment` gives a recording's sites, in its order:
    its EMG channels, or its accelerometers (an x, y, z triplet is one site)."""
    from .preprocess import _accel_groups, _site_name

    names = tuple(str(c) for c in channels)
    groups = _accel_groups(names)
    if modality == "accel" and all(len(g) == 3 for g in groups):
        return [_site_name([names[i] for i in g]) for g in groups]
    return list(names)


def _explain(clf: Any, feats: pd.DataFrame, cfg: EMGConfig | AccelConfig) -> list[str]:
    """The ``reason`` of each segment: the classifier's ``explain``, given this run's
    settings (``config=``) when it takes them (a trained model lists the rules that held
    at the run's thresholds, not at the defaults); ``"trained model"`` without one."""
    explain = getattr(clf, "explain", None)
    if explain is None:
        return ["trained model"] * len(feats)
    if not isinstance(clf, RuleClassifier):  # (the rules hold the run's config already)
        import inspect

        try:
            takes = "config" in inspect.signature(explain).parameters
        except (TypeError, ValueError):  # (a builtin or C callable: no signature)
            takes = False
        if takes:
            return explain(feats, config=cfg)
    return explain(feats)


def _iso(start: Any) -> str | None:
    """The recording's first sample time as ISO 8601 text (None when unknown)."""
    return None if start is None else pd.Timestamp(start).isoformat()


def applied_settings(cfg: Any, fs: float) -> dict[str, str]:
    """Notes on settings the rate changed: the parameters record what was asked (and make
    the hash); these say what was applied (a band edge capped at 0.45 x the rate, a mains
    notch at or above 0.48 x the rate not applied, the MUAP whitening's lags above 2 kHz).

    Examples
    --------
    >>> from movement.config import EMGConfig
    >>> applied_settings(EMGConfig(band_high_hz=600.0), 1000.0)["band_high_hz"]
    'band_high_hz 600 Hz applied as 450 Hz (capped at 0.45 x 1000 Hz)'
    >>> applied_settings(EMGConfig(notch_hz=60.0), 100.0)["notch_hz"]
    'notch_hz 60 Hz not applied (at or above 0.48 x 100 Hz)'
    >>> applied_settings(EMGConfig(), 500.0)["min_muap_fs_hz"][:60]
    'EMG at 500 Hz, below min_muap_fs_hz (900 Hz): a motor-unit p'
    """
    from .preprocess import NOTCH_CAP

    notes = {}
    high = getattr(cfg, "band_high_hz", None)
    if high is not None and high > 0.45 * fs:
        notes["band_high_hz"] = (
            f"band_high_hz {high:g} Hz applied as {0.45 * fs:g} Hz (capped at 0.45 x {fs:g} Hz)"
        )
    mains = getattr(cfg, "notch_hz", None)
    if mains and mains >= NOTCH_CAP * fs:  # (preprocess.notch applies none)
        notes["notch_hz"] = (
            f"notch_hz {mains:g} Hz not applied (at or above {NOTCH_CAP:g} x {fs:g} Hz)"
        )
    if isinstance(cfg, EMGConfig) and fs < cfg.min_muap_fs_hz:
        notes["min_muap_fs_hz"] = (
            f"EMG at {fs:g} Hz, below min_muap_fs_hz ({cfg.min_muap_fs_hz:g} Hz): a motor-unit "
            "potential (3-24 ms) cannot be resolved, so no event is called fasciculation-like"
        )
    if isinstance(cfg, EMGConfig) and fs >= cfg.min_muap_fs_hz:
        from .segment import muap_lags

        lags = muap_lags(cfg, fs)
        if lags != cfg.muap_whitening_order:
            notes["muap_whitening_order"] = (
                f"muap_whitening_order {cfg.muap_whitening_order} applied as {lags} lags at "
                f"{fs:g} Hz (the same span in time as at 2 kHz)"
            )
    return notes


def say_recording_checks(rec: Recording) -> None:
    """Warn of what :func:`movement.read` says of a file's samples, for a
    :class:`~movement.Recording` made from arrays (in a notebook), which ``read`` never saw:
    EMG units wrong by orders of magnitude (µV values labelled mV) or unknown, and channels
    constant throughout (a dead electrode, all zeros). A recording ``read`` made
    (``notes["fs_from"]``) was said of when read; accelerometry's units are checked when the
    Recording is made.

    Examples
    --------
    >>> import warnings, numpy as np, movement
    >>> x = np.random.default_rng(0).normal(0, 300.0, (20000, 2))   # µV, labelled mV
    >>> rec = movement.Recording(x, fs=2000, modality="emg", units="mV")
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     say_recording_checks(rec)
    >>> str(w[0].message)[:56]
    "EMG units 'mV' look wrong by orders of magnitude (are th"
    """
    from .recording import _unit_sample, emg_units_note, flat_channels, flat_note

    where = f"{rec.source}: " if rec.source else ""
    said = []
    if rec.modality == "emg":
        said.append(emg_units_note(_unit_sample(rec.data), rec.units))
    said.append(flat_note(rec.channels, flat_channels(rec.data), rec.modality))
    for text in said:  # (two at most)
        if text:
            warnings.warn(where + text, UserWarning, stacklevel=3)


def warn_applied(cfg: Any, fs: float, source: str | None) -> None:
    """Warn, once per recording, of what :func:`applied_settings` notes that a user needs
    to know: EMG below ``min_muap_fs_hz`` (no fasciculation-like event can be called),
    and a band edge or notch set by the user (not the default) that the rate caps or
    drops. A default capped at a low rate (an accelerometer's 40 Hz band at 50 Hz) is
    noted only (the events JSON's ``reader_notes``)."""
    notes = applied_settings(cfg, fs)
    default = type(cfg)()
    where = f"{source}: " if source else ""
    for key, text in notes.items():  # (a few)
        asked = key == "min_muap_fs_hz" or getattr(cfg, key, None) != getattr(default, key, None)
        if asked and key != "muap_whitening_order":
            warnings.warn(where + text, UserWarning, stacklevel=3)


def merge_other_bouts(
    events: pd.DataFrame,
    max_gap_s: float,
    gaps: np.ndarray | None = None,
    sites: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Consecutive ``other`` events closer than ``max_gap_s`` joined into one event.

    A confounder bout (walking: a burst per step; a reach or a regular tremor episode whose
    envelope dips between bursts) is segmented in pieces that are each labelled ``other``;
    it is one confounder, reported as one event. Two ``other`` events join when the next
    starts at most ``max_gap_s`` after the end of the ones before it and no event of
    another class lies between them (the table is one row per segment, ordered by onset,
    so they are neighbours) and no missing data (``gaps``) either: an event never spans a
    gap. A motion artefact (``scale`` ``artefact``) joins only other artefacts: it is a
    recording problem, not part of a movement bout. Events of the target classes are never
    changed.

    The joined event spans the first onset to the last end. Its class probabilities
    (``p_*``) are the duration-weighted mean of its parts' (``other`` stays the most
    probable: it is in every part) and ``probability`` is its ``p_other``; ``review`` is
    set when any part was flagged (and ``reason`` then says why the flagged parts were, when
    the longest part was not); ``channel`` is the union of the parts' channels (in
    order of appearance); ``scale`` is ``sustained`` when any part is; ``peak_amplitude``
    and ``n_channels_active`` are the parts' maxima and ``clipped`` is any part's. The
    other feature columns are those of the longest part (the one that best describes the
    bout), and ``reason`` says how many segments were joined. ``max_gap_s`` <= 0 joins
    nothing.

    Parameters
    ----------
    events : DataFrame
        An events table (``docs/internals.md``) ordered by onset.
    max_gap_s : float
        Largest gap (s) between two ``other`` events of one bout.
    gaps : ndarray (k, 2), optional
        ``[start, stop)`` times (s) of missing samples, sorted and disjoint.

    Returns
    -------
    DataFrame
        The table with each bout in one row (same columns and dtypes, ``attrs`` kept).

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"onset": [0.0, 1.0, 2.0, 5.0], "duration": [0.5, 0.5, 0.1, 0.5],
    ...     "trial_type": ["other", "other", "fasciculation-like", "other"],
    ...     "probability": 0.9, "p_fasciculation": 0.05, "p_dystonia": 0.05, "p_other": 0.9,
    ...     "review": False, "reason": "r", "channel": ["ch1", "ch2", "ch1", "ch1"]})
    >>> merge_other_bouts(ev, 1.0)[["onset", "duration", "trial_type", "channel"]].values.tolist()
    [[0.0, 1.5, 'other', 'ch1,ch2'], [2.0, 0.1, 'fasciculation-like', 'ch1'], [5.0, 0.5, 'other', 'ch1']]
    """
    n = len(events)
    if n < 2 or not max_gap_s or max_gap_s <= 0:
        return events
    on = events["onset"].to_numpy(float)
    end = on + events["duration"].to_numpy(float)
    other = (events["trial_type"] == "other").to_numpy(bool)
    reach = np.maximum.accumulate(end)
    join = other[1:] & other[:-1] & (on[1:] - reach[:-1] <= max_gap_s)
    if "scale" in events:
        # a motion artefact (one cable or electrode movement) is not part of a movement bout
        art = (events["scale"] == "artefact").to_numpy(bool)
        join &= art[1:] == art[:-1]
    if gaps is not None and len(gaps) and join.any():
        # the first gap ending after the earlier event: does it start before the next one?
        g = np.asarray(gaps, float).reshape(-1, 2)
        k = np.searchsorted(g[:, 1], reach[:-1], side="right")
        join &= ~((k < len(g)) & (g[np.minimum(k, len(g) - 1), 0] < on[1:]))
    if not join.any():
        return events
    gid = np.cumsum(np.r_[True, ~join]) - 1
    first = np.flatnonzero(np.r_[True, ~join])
    size = np.diff(np.r_[first, n])
    dur = end - on
    # the longest part of each group represents it (first among equals)
    order = np.lexsort((np.arange(n), -dur, gid))
    rep = order[np.r_[0, np.cumsum(size)[:-1]]]
    out = events.iloc[rep].reset_index(drop=True).copy()
    multi = size > 1
    g_end = np.maximum.reduceat(end, first)
    # single rows keep their values exactly (end - onset can differ in the last bit)
    out.loc[multi, "onset"] = on[first][multi]
    out.loc[multi, "duration"] = (g_end - on[first])[multi]
    w = np.bincount(gid, weights=dur)
    w = np.where(w > 0, w, 1.0)
    pcols = [c for c in ("p_fasciculation", "p_dystonia", "p_other") if c in events]
    for c in pcols:
        v = events[c].to_numpy(float)
        mean = np.bincount(gid, weights=v * np.where(dur > 0, dur, 0.0)) / w
        out.loc[multi, c] = mean[multi]
    if "p_other" in events and "probability" in events:
        out.loc[multi, "probability"] = out.loc[multi, "p_other"].to_numpy()
    if "review" in events:
        out["review"] = np.maximum.reduceat(events["review"].to_numpy(bool), first)
    if "clipped" in events:
        out["clipped"] = np.maximum.reduceat(events["clipped"].to_numpy(bool), first)
    for c in ("peak_amplitude", "n_channels_active"):
        if c in events:
            v = events[c].to_numpy(float)
            big = np.fmax.reduceat(v, first)
            out.loc[multi, c] = big[multi].astype(out[c].dtype)
    if "scale" in events:
        sus = np.maximum.reduceat((events["scale"] == "sustained").to_numpy(bool), first)
        out.loc[multi & sus, "scale"] = "sustained"
    groups = np.flatnonzero(multi)
    if "channel" in events:
        chans = events["channel"].astype(str).to_numpy(object)
        rank = {s: k for k, s in enumerate(sites or ())}
        for g in groups:  # one small join per bout (tens per recording)
            names = ",".join(chans[first[g] : first[g] + size[g]]).split(",")
            # in the recording's site order (as segment names them), whichever came first
            names = sorted(dict.fromkeys(names), key=lambda n: rank.get(n, len(rank)))
            out.at[g, "channel"] = ",".join(names)
    if "reason" in events:
        reasons = events["reason"].astype(str).to_numpy(object)
        flagged = out["review"].to_numpy(bool) if "review" in out else np.zeros(len(out), bool)
        for g in groups:
            text = (
                f"{size[g]} other segments joined (gaps <= {max_gap_s:g} s); {out.at[g, 'reason']}"
            )
            if flagged[g] and " | review: " not in text:
                # the bout is flagged because a part was, and the longest part (whose
                # reason it keeps) was not: say why the parts were
                parts = reasons[first[g] : first[g] + size[g]]
                why = [r.partition(" | review: ")[2] for r in parts if " | review: " in r]
                if why:
                    said = "; ".join(dict.fromkeys(why))
                    text += f" | review: {said} (in {len(why)} of {size[g]} parts)"
            out.at[g, "reason"] = text
    out.attrs = dict(events.attrs)
    return out
