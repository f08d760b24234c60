"""Writing results: BIDS events tables with JSON sidecars, and the batch summary.

Every file is written whole or not at all: to a temporary file in the same
folder, then renamed over the target (``os.replace`` is atomic on POSIX).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._atomic import atomic_write, atomic_write_all
from ._version import __version__
from .classify import CLASSES
from .config import AccelConfig, EMGConfig
from .errors import MovementError

__all__ = [
    "COLUMN_DESCRIPTIONS",
    "RECORDING_COLUMNS",
    "atomic_write",
    "events_sidecar",
    "write_events",
    "summarise",
    "write_summary",
    "summary_sidecar",
    "PERIODS",
    "PERIOD_COLUMNS",
    "period_summary",
    "write_period_summary",
]


def _band(band: Any) -> str:
    """A band's edges as text (``2.5-8 Hz``)."""
    lo, hi = (float(v) for v in band)
    return f"{lo:g}-{hi:g} Hz"


def _gait_text(cfg: dict[str, Any], how: str) -> str:
    """The ``gait_fraction`` description with the accelerometer settings ``cfg``
    (:meth:`AccelConfig.to_dict`) ``how`` they were set ("by default", "as scored")."""
    return (
        f"Accelerometer events of >= gait_min_bout_s ({float(cfg['gait_min_bout_s']):g} s "
        f"{how}): share of their consecutive gait_window_s ({float(cfg['gait_window_s']):g} s) "
        "windows whose motion in the stride and step band (gait_band_hz: "
        f"{_band(cfg['gait_band_hz'])}) repeats at a step or stride period (autocorrelation "
        f">= gait_min_acf, {float(cfg['gait_min_acf']):g}) and holds >= gait_min_share "
        f"({float(cfg['gait_min_share']):g}) of the motion's power, i.e. gait; at >= "
        f"gait_min_fraction ({_or_off(cfg['gait_min_fraction'])}) the event is walking "
        "('other'). n/a for shorter events and EMG"
    )


def _or_off(v: Any) -> str:
    return "off" if v is None else f"{float(v):g}"


def _active_text(min_fs: Any) -> str:
    """The ``active_fraction`` description for EMG's ``min_muap_fs_hz``."""
    return (
        f"EMG at >= {float(min_fs):g} Hz (min_muap_fs_hz): share of the event's 25 ms "
        "sub-blocks whose whitened energy exceeds the noise model (n/a at lower rates)"
    )


COLUMN_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "onset": {"Description": "Start of the event from the recording's first sample", "Units": "s"},
    "duration": {"Description": "Length of the event", "Units": "s"},
    "trial_type": {
        "Description": "Class of the event (how the signal looks; not a diagnosis)",
        "Levels": {
            "fasciculation-like": "brief, irregular, isolated twitch",
            "dystonia-like": "sustained or patterned contraction (co-contraction, irregular 3-8 Hz activity, held posture)",
            "other": "anything else: voluntary movement, walking, regular tremor, knocks, artefacts",
        },
    },
    "probability": {"Description": "Probability of trial_type given the features (0-1)"},
    "review": {
        "Description": "True when a person should check this event (every dystonia-like event, close calls, low SNR, clipping)"
    },
    "reason": {
        "Description": "Rules that held for the label (their meanings: movement.classify."
        "RULE_MEANINGS, the README's Output section), the class definitions that overrode a "
        "classifier, and after '| review:' why the event is flagged for review"
    },
    "channel": {"Description": "Channel(s) or sensor(s) active during the event, comma-separated"},
    "p_fasciculation": {"Description": "Probability of fasciculation-like"},
    "p_dystonia": {"Description": "Probability of dystonia-like"},
    "p_other": {"Description": "Probability of other"},
    "scale": {
        "Description": "Time scale that found the segment: brief (TKEO / short RMS envelope) or sustained (long RMS envelope), or artefact (EMG motion artefact: raw low band, below the EMG high-pass)"
    },
    "peak_amplitude": {
        "Description": "Peak absolute value of the cleaned signal (band-passed EMG; dynamic acceleration magnitude)",
        "Units": "recording units (g for accelerometry)",
    },
    "rms": {
        "Description": "Root mean square of the cleaned signal over the event",
        "Units": "recording units",
    },
    "snr_db": {
        "Description": "Event RMS over the adaptive rest level of the same channel",
        "Units": "dB",
    },
    "crest_factor": {"Description": "peak_amplitude / rms"},
    "dominant_frequency_hz": {
        "Description": "Frequency of the spectral peak (accelerometer axes; EMG activation envelope)",
        "Units": "Hz",
    },
    "peak_power_ratio": {
        "Description": "Share of band power within 0.5 Hz of the dominant peak (Luft 2019)"
    },
    "tremor_band_ratio": {
        "Description": "Share of band power in the dystonic tremor band (tremor_band_hz: "
        f"{_band(EMGConfig().tremor_band_hz)} for EMG, {_band(AccelConfig().tremor_band_hz)} "
        "for accelerometry by default)"
    },
    "spectral_entropy": {
        "Description": "Normalised spectral entropy in the analysis band (0 = pure tone, 1 = flat)"
    },
    "regularity": {
        "Description": "First autocorrelation peak after the first zero crossing (1 = perfectly periodic)"
    },
    "gait_fraction": {"Description": _gait_text(AccelConfig().to_dict(), "by default")},
    "median_frequency_hz": {
        "Description": "Median frequency of the band-passed EMG (Go 2014)",
        "Units": "Hz",
    },
    "isolation_s": {
        "Description": "Time to the nearest other event (or the recording's edge)",
        "Units": "s",
    },
    "local_rate_per_min": {"Description": "Events within +-30 s, per minute", "Units": "1/min"},
    "local_interval_cv": {
        "Description": "CV of the intervals between neighbouring brief events (about 1 for Poisson-like, low for regular trains such as ECG)"
    },
    "beat_neighbours": {
        "Description": "How many of the event's two neighbouring brief events lie a whole number of heartbeat periods away (0-2; one neighbour at the recording's ends counts twice); n/a when the recording's brief events hold no such rhythm. 2 suggests ECG contamination"
    },
    "n_channels_active": {"Description": "Number of channels/sensors active during the event"},
    "channel_fraction": {"Description": "n_channels_active / number of channels"},
    "cocontraction": {
        "Description": "%COCON (Winter 1990) between EMG channel pairs, maximum over pairs (0-1)"
    },
    "tilt_change_deg": {
        "Description": "Angle between the gravity direction 2 s before onset and 2 s after offset",
        "Units": "degrees",
    },
    "tilt_held_deg": {
        "Description": "Angle between the gravity direction 2 s before onset and in the central half of the event (a posture held during it)",
        "Units": "degrees",
    },
    "tilt_hold_fraction": {
        "Description": "Share of the event spent at >= half of its largest tilt from the orientation 0.5 s before onset, on the acceleration low-passed at 1 Hz (a held posture: most of it; a reach out and back: about half)"
    },
    "n_subbursts": {"Description": "Brief-scale bursts inside the event"},
    "subburst_cv": {"Description": "CV of the intervals between those bursts"},
    "active_fraction": {"Description": _active_text(EMGConfig().min_muap_fs_hz)},
    "clipped": {"Description": "True when the signal reached the sensor's limit during the event"},
    "original_trial_type": {
        "Description": "The classifier's label before a reviewer relabelled the event"
    },
    "review_status": {
        "Description": "Reviewer's decision",
        "Levels": {
            "accepted": "label confirmed",
            "rejected": "not an event",
            "relabelled": "trial_type corrected by the reviewer",
        },
    },
    "reviewer": {"Description": "Who reviewed the event"},
    "comment": {"Description": "Reviewer's comment"},
}


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating,)):
        return float(x)
    if isinstance(x, np.bool_):
        return bool(x)
    if hasattr(x, "isoformat"):
        return x.isoformat()
    return x


def _as_scored(parameters: Any) -> dict[str, str]:
    """Column descriptions that name settings, with the values the events were scored
    with (``attrs["parameters"]``: the modality's tremor band, the gait settings); none
    when the parameters do not say them."""
    cfg = parameters.get("config") if isinstance(parameters, dict) else None
    if not isinstance(cfg, dict):
        return {}
    out: dict[str, str] = {}
    try:
        if cfg.get("tremor_band_hz") is not None:
            out["tremor_band_ratio"] = (
                "Share of band power in the dystonic tremor band (tremor_band_hz: "
                f"{_band(cfg['tremor_band_hz'])} as scored)"
            )
        if all(k in cfg for k in ("gait_min_bout_s", "gait_window_s", "gait_band_hz",
                                  "gait_min_acf", "gait_min_share", "gait_min_fraction")):  # fmt: skip
            out["gait_fraction"] = _gait_text(cfg, "as scored")
        if cfg.get("min_muap_fs_hz") is not None:
            out["active_fraction"] = _active_text(cfg["min_muap_fs_hz"])
    except (TypeError, ValueError):  # (parameters edited by hand: the generic text)
        return {}
    return out


def events_sidecar(events: pd.DataFrame) -> dict[str, Any]:
    """The ``_events.json`` content: every column described, plus provenance."""
    cols = {c: COLUMN_DESCRIPTIONS.get(c, {"Description": c}) for c in events.columns}
    a = events.attrs
    for c, text in _as_scored(a.get("parameters")).items():  # (the run's bands, not defaults)
        if c in cols:
            cols[c] = {**cols[c], "Description": text}
    units = a.get("units")
    if units:  # the amplitudes' unit itself (mV, g, a.u.), as the recording gave it
        for c in ("peak_amplitude", "rms"):
            if c in cols:
                cols[c] = {**cols[c], "Units": str(units)}
    return _jsonable(
        {
            **cols,
            "movement_version": a.get("movement_version", __version__),
            "parameters_hash": a.get("parameters_hash"),
            "parameters": a.get("parameters"),
            "model": a.get("model"),
            "recording": {
                "source": a.get("source"),
                "duration_s": a.get("duration"),
                "recorded_s": a.get("recorded_duration", a.get("duration")),
                "start": a.get("start"),
                "long_gaps": a.get("long_gaps"),
                "nonwear_s": a.get("nonwear_s"),
                "nonwear": a.get("nonwear"),
                "calibration": a.get("calibration"),
                "ecg": a.get("ecg"),
                "dropouts": a.get("dropouts"),
                "stream": a.get("stream"),
                "SamplingFrequency": a.get("fs"),
                "modality": a.get("modality"),
                "channels": a.get("channels"),
                "units": a.get("units"),
                "reader_notes": a.get("notes"),
            },
            "disclaimer": "Research software, not a diagnostic device: labels describe how a signal looks.",
        }
    )


def events_to_tsv(events: pd.DataFrame) -> str:
    """The events table as BIDS TSV text (``n/a`` for missing values)."""
    return events.to_csv(
        sep="\t", index=False, na_rep="n/a", float_format="%.10g", lineterminator="\n"
    )


def write_events(events: pd.DataFrame, out_dir: str | Path, stem: str) -> tuple[Path, Path]:
    """Write ``<stem>_events.tsv`` and ``<stem>_events.json`` into ``out_dir``, together:
    a failure leaves both as they were (:func:`movement._atomic.atomic_write_all`)."""
    out = Path(out_dir)
    tsv, side = atomic_write_all(
        [
            (out / f"{stem}_events.tsv", events_to_tsv(events)),
            (out / f"{stem}_events.json", json.dumps(events_sidecar(events), indent=2) + "\n"),
        ]
    )
    return tsv, side


#: The count and the rate per minute recorded of each label: columns of every summary table.
_CLASS_COUNTS = [f"n_{c.split('-')[0]}" for c in CLASSES] + [
    f"rate_per_min_{c.split('-')[0]}" for c in CLASSES
]

SUMMARY_COLUMNS = (
    [
        "file",
        # (the output files' prefix: <stem>_events.tsv; set by the batch, which names them)
        "stem",
        "status",
        "message",
        "duration_s",
        "recorded_s",
        "nonwear_s",
        "worn_s",
        "calibrated",
        "calibration_error_mg",
        "calibration_orientations",
        "ecg_beats",
        "heart_rate_bpm",
        "dropouts",
        "n_events",
    ]
    + _CLASS_COUNTS
    + [
        "dystonia_time_fraction",
        "dystonia_median_s",
        "dystonia_longest_s",
        "tremor_median_hz",
        "fasciculation_interval_median_s",
        "fasciculation_interval_cv",
        "n_review",
        "model",
        "modality",
        "fs",
        "parameters_hash",
        "movement_version",
    ]
)


def summarise(
    file: str, events: pd.DataFrame | None = None, error: str | None = None
) -> dict[str, Any]:
    """One summary row: status, duration, count and rate per minute of each label."""
    row: dict[str, Any] = dict.fromkeys(SUMMARY_COLUMNS)
    row["file"] = file
    row["movement_version"] = __version__
    if events is None:
        row["status"] = "error"
        row["message"] = error or "failed"
        return row
    total = float(events.attrs.get("duration", np.nan))
    # rates over the time recorded: the pieces between long gaps (all of it without one)
    dur = float(events.attrs.get("recorded_duration", total))
    row.update(
        status="ok", message="", duration_s=round(total, 3), recorded_s=round(dur, 3),
        n_events=len(events),
        nonwear_s=(
            round(float(events.attrs["nonwear_s"]), 3)
            if events.attrs.get("nonwear_s") is not None
            else None
        ),
    )  # fmt: skip
    if row["nonwear_s"] is not None:
        # (the time recorded less the time judged not worn: n/a where wear was not judged)
        row["worn_s"] = round(max(0.0, dur - row["nonwear_s"]), 3)
    # the classifier that labelled the file (the rules where the trained model does not
    # apply, e.g. a 30 Hz recording: said with why)
    row["model"] = events.attrs.get("model")
    ecg = events.attrs.get("ecg")
    if ecg is not None:
        # (EMG with ECG removal: the R peaks subtracted; n/a where removal is off or the
        # recording could not be searched: under 40 s, or below 160 Hz)
        row["ecg_beats"] = None if ecg.get("beats") is None else int(ecg["beats"])
        row["heart_rate_bpm"] = ecg.get("heart_rate_bpm")
    drop = events.attrs.get("dropouts")
    if isinstance(drop, dict) and drop.get("count") is not None:
        row["dropouts"] = int(drop["count"])  # (short gaps bridged: interpolated, scored)
    cal = events.attrs.get("calibration")
    if cal is not None:
        # (the error the scored values carry: after the fit where applied; the worst sensor)
        errs = [
            s["error_after_mg"] if s["applied"] else s["error_before_mg"]
            for s in cal.get("sites", [])
            if s.get("error_before_mg") is not None
        ]
        row["calibrated"] = bool(cal.get("applied"))
        row["calibration_error_mg"] = round(max(errs), 3) if errs else None
        # what that error rests on: of the 6 orientations (x+, x-...), how many the still
        # points reach (the fewest over sensors). Below 6 the fit is not tried, and the error
        # (GGIR's cal.error.start) checks only the orientations seen: a device that rested
        # face up all day can be off by 30 mg on x and y and show ~1 mg here.
        faces = [
            sum(1 for n in s["orientations"].values() if n)
            for s in cal.get("sites", [])
            if isinstance(s.get("orientations"), dict)
        ]
        row["calibration_orientations"] = min(faces) if faces else None
    for c in CLASSES:
        k = c.split("-")[0]
        n = int((events["trial_type"] == c).sum())
        row[f"n_{k}"] = n
        row[f"rate_per_min_{k}"] = round(n / (dur / 60), 4) if dur > 0 else None
    dyst = events.loc[events["trial_type"] == "dystonia-like", "duration"].sum()
    row["dystonia_time_fraction"] = round(float(dyst) / dur, 5) if dur > 0 else None
    # the report's per-recording numbers (movement.report.report_summary), for a batch's
    # table: dystonia-like durations, the sustained tremor's frequency, the intervals
    # between fasciculation-like onsets
    from .report import report_summary

    summ = report_summary(events, dur)

    def rounded(v: Any, digits: int) -> float | None:
        return None if v is None else round(float(v), digits)

    row["dystonia_median_s"] = rounded(summ["dystonia"]["median_s"], 3)
    row["dystonia_longest_s"] = rounded(summ["dystonia"]["longest_s"], 3)
    row["tremor_median_hz"] = rounded(summ["tremor"]["median_hz"], 2)
    row["fasciculation_interval_median_s"] = rounded(summ["fasciculation_intervals"]["median_s"], 3)
    row["fasciculation_interval_cv"] = rounded(summ["fasciculation_intervals"]["cv"], 3)
    row["n_review"] = int(events["review"].sum())
    row["modality"] = events.attrs.get("modality")
    row["fs"] = events.attrs.get("fs")
    row["parameters_hash"] = events.attrs.get("parameters_hash")
    return row


def _per_class(what: str, units: str | None = None) -> dict[str, dict[str, str]]:
    """``{n_fasciculation: ..., n_dystonia: ..., n_other: ...}`` descriptions (``what`` with
    the class's name in ``{}``)."""
    out = {}
    for c in CLASSES:
        key = c.split("-")[0]
        col = f"n_{key}" if units is None else f"rate_per_min_{key}"
        out[col] = {"Description": what.format(c), **({"Units": units} if units else {})}
    return out


#: The summary's columns described (``summary.json``, :func:`summary_sidecar`): every one
#: of :data:`SUMMARY_COLUMNS`, as the events sidecar describes its columns.
SUMMARY_DESCRIPTIONS: dict[str, dict[str, Any]] = {
    "file": {
        "Description": "The recording as it was given to movement score (a folder that "
        "could not be searched: that folder)"
    },
    "stem": {
        "Description": "Its output name, the prefix of its outputs in this folder: "
        "<stem>_events.tsv, <stem>_events.json (and <stem>_report.html, "
        "<stem>_per_day.tsv...); parent folders are prepended where names clash "
        "(myo/12345-1/0.txt: 12345-1_0). n/a for a folder not searched"
    },
    "status": {
        "Description": "Whether the recording was scored",
        "Levels": {
            "ok": "scored: its events table is in the folder",
            "error": "not scored",
            "moved": "scored by an earlier run, from a path where the file no longer is; the "
            "same file (size and time) was scored again under its new path or name, whose "
            "row holds its results: not counted twice (collect leaves it out)",
        },
    },
    "message": {
        "Description": "The error, or the reader's warnings (a truncated file, "
        "resampling...) and what the batch's tables said of the file"
    },
    "duration_s": {
        "Description": "Length of the recording, first sample to last",
        "Units": "s",
    },
    "recorded_s": {
        "Description": "Time recorded: duration_s less gaps over 60 s (the rates are per "
        "minute of it)",
        "Units": "s",
    },
    "nonwear_s": {
        "Description": "Accelerometry: time judged not worn (n/a where wear was not judged)",
        "Units": "s",
    },
    "worn_s": {
        "Description": "recorded_s less nonwear_s (n/a where wear was not judged)",
        "Units": "s",
    },
    "calibrated": {"Description": "Accelerometry: True when the autocalibration fit was applied"},
    "calibration_error_mg": {
        "Description": "Accelerometry: the calibration error of the values scored (after "
        "the fit where applied; the worst sensor)",
        "Units": "mg",
    },
    "calibration_orientations": {
        "Description": "Of the 6 orientations (x+, x-...), how many the still points reach "
        "(the fewest over sensors): below 6 the fit is not tried and the error checks only "
        "the orientations seen"
    },
    "ecg_beats": {
        "Description": "EMG with ECG removal: R peaks found and subtracted (0: searched, no "
        "heartbeat rhythm found; n/a: not searched)"
    },
    "heart_rate_bpm": {
        "Description": "EMG with ECG removal: the heart rate of those beats",
        "Units": "1/min",
    },
    "dropouts": {
        "Description": "Short gaps bridged: interpolated and scored through (the events "
        "JSON's recording.dropouts adds their samples and seconds)"
    },
    "n_events": {"Description": "Number of events"},
    **_per_class("Number of {} events"),
    **_per_class("{} events per minute recorded (recorded_s)", "1/min"),
    "dystonia_time_fraction": {
        "Description": "Fraction of the time recorded in dystonia-like events (0-1)"
    },
    "dystonia_median_s": {"Description": "Median duration of dystonia-like events", "Units": "s"},
    "dystonia_longest_s": {"Description": "Longest dystonia-like event", "Units": "s"},
    "tremor_median_hz": {
        "Description": "Median dominant frequency of sustained events, of any label, with "
        ">= 40 % of their power in the tremor band (n/a when there are none)",
        "Units": "Hz",
    },
    "fasciculation_interval_median_s": {
        "Description": "Median interval between consecutive fasciculation-like onsets (n/a "
        "when there are too few)",
        "Units": "s",
    },
    "fasciculation_interval_cv": {
        "Description": "CV of those intervals (about 1 for Poisson-like firing)"
    },
    "n_review": {"Description": "Number of events flagged for review"},
    "model": {
        "Description": "The classifier that labelled the file: the trained model's file, "
        "name and hash, or the rules (with why where the trained model does not apply)"
    },
    "modality": {
        "Description": "The recording's modality",
        "Levels": {"emg": "electromyography", "accel": "accelerometry"},
    },
    "fs": {"Description": "Sampling rate the recording was scored at", "Units": "Hz"},
    "parameters_hash": {
        "Description": "Hash of the parameters and model the recording was scored with "
        "(its <stem>_events.json holds them)"
    },
    "movement_version": {"Description": "The version that scored the recording"},
}


def summary_sidecar() -> dict[str, Any]:
    """The ``summary.json`` content: every column of ``summary.tsv`` described (with its
    units), as ``<stem>_events.json`` describes the events table's."""
    return _jsonable(
        {
            **{c: SUMMARY_DESCRIPTIONS.get(c, {"Description": c}) for c in SUMMARY_COLUMNS},
            # (the version that wrote the summary: movement_version is a column's key)
            "GeneratedBy": [{"Name": "movement", "Version": __version__}],
            "rows": "One per input: this run's files, then those of earlier runs into the "
            "same folder (manifest.json); each recording's parameters and reader's decisions "
            "are in its <stem>_events.json",
            "disclaimer": "Research software, not a diagnostic device: labels describe how a "
            "signal looks.",
        }
    )


def write_summary(
    rows: Iterable[dict[str, Any]], out_dir: str | Path, name: str = "summary.tsv"
) -> Path:
    """Write ``summary.tsv`` (one row per input; ``name``) into ``out_dir``, with its data
    dictionary ``summary.json`` (``name`` with ``.json``: :func:`summary_sidecar`), together
    (:func:`movement._atomic.atomic_write_all`)."""
    df = pd.DataFrame(list(rows), columns=list(SUMMARY_COLUMNS))
    tsv = Path(out_dir) / name
    side = tsv.with_suffix(".json")
    atomic_write_all(
        [(tsv, events_to_tsv(df)), (side, json.dumps(summary_sidecar(), indent=2) + "\n")]
    )
    return tsv


#: Lengths (s) of the periods :func:`period_summary` cuts a recording into.
PERIODS: dict[str, float] = {"day": 86_400.0, "hour": 3_600.0}

PERIOD_COLUMNS = (
    ["period", "clock_start", "start_s", "stop_s", "recorded_s", "nonwear_s", "n_events"]
    + _CLASS_COUNTS
    + ["dystonia_s", "dystonia_time_fraction", "n_review", "parameters_hash", "movement_version"]
)


def _period_edges(duration: float, start: Any, period: str) -> tuple[np.ndarray, list[Any]]:
    """Period boundaries (s from the first sample) and each period's clock start (None
    without a clock): on the clock's midnights (hours) when the start time is known, else
    every 24 h (1 h) from the first sample."""
    length = PERIODS[period]
    if start is None or duration <= 0:
        edges = (
            np.append(np.arange(0.0, duration, length), duration) if duration > 0 else np.zeros(2)
        )
        return edges, [None] * (len(edges) - 1)
    t0 = pd.Timestamp(start)
    first = (
        t0.normalize()
        if period == "day"
        else t0.replace(minute=0, second=0, microsecond=0, nanosecond=0)
    )
    # (calendar days: 23 or 25 h where a start with a time zone crosses a clock change)
    step = pd.DateOffset(days=1) if period == "day" else pd.Timedelta(hours=1)
    count = int(np.ceil(duration / length)) + 2
    clocks = [first + step * k for k in range(count + 1)]  # loop over the periods
    secs = np.array([(c - t0).total_seconds() for c in clocks])
    inner = (secs > 0) & (secs < duration)
    edges = np.concatenate([[0.0], secs[inner], [duration]])
    starts = [t0, *[c for c, keep in zip(clocks, inner, strict=True) if keep]]
    return edges, [c.isoformat() for c in starts]


def _ramp_sums(points: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """``sum(max(e - p, 0) for p in points)`` at each edge ``e`` (sorted points, cumulative
    sums: no points x edges matrix)."""
    p = np.sort(points)
    before = np.searchsorted(p, edges, side="right")
    csum = np.concatenate([[0.0], np.cumsum(p)])
    return before * edges - csum[before]


def _overlap(intervals: Any, edges: np.ndarray) -> np.ndarray:
    """Seconds of ``[onset, duration]`` ``intervals`` inside each period of ``edges``.

    The time covered up to an edge ``e`` is ``sum(clip(e - onset, 0, duration))``, which
    is ``sum(max(e - onset, 0)) - sum(max(e - end, 0))``; overlapping intervals count
    twice (as ``summary.tsv``'s dystonia-like time).

    Examples
    --------
    >>> _overlap([[0.0, 10.0], [25.0, 10.0]], np.array([0.0, 5.0, 30.0, 40.0])).tolist()
    [5.0, 10.0, 5.0]
    """
    iv = np.asarray(intervals if intervals is not None else [], dtype=float).reshape(-1, 2)
    if not len(iv):
        return np.zeros(len(edges) - 1)
    a, d = iv[:, 0], np.maximum(iv[:, 1], 0.0)
    covered = _ramp_sums(a, edges) - _ramp_sums(a + d, edges)
    # (a difference of large sums: rounding may leave -1e-9 s where nothing is covered)
    return np.maximum(np.diff(covered), 0.0)


def period_summary(
    events: pd.DataFrame, period: str = "day", duration: float | None = None
) -> pd.DataFrame:
    """Counts, rates and dystonia-like time of each day (or hour) of a recording.

    A multi-day recording's :func:`summarise` row, per period: days on the clock's
    midnights (hours on the hour) when the recording's start time is known
    (``events.attrs["start"]``: device files, EDF, tables with timestamps), else 24 h
    (1 h) from its first sample; the first and last periods are then partial. An event
    counts in the period of its onset; dystonia-like time is split at the boundaries.
    As in ``summary.tsv``, rates are per minute recorded (``recorded_s``: the period less
    long gaps, ``events.attrs["long_gaps"]``); ``nonwear_s`` is the time judged not worn
    (n/a where not judged: EMG, or a recording shorter than one non-wear window), whose
    events are flagged for review, not removed.

    A reviewed table (:func:`movement.review.apply_decisions`, or ``review_status``
    filled in place) is counted as reviewed: a rejected event (not an event) is left
    out, a relabelled one counts as its new ``trial_type``, and ``n_review`` counts the
    flagged events not yet reviewed (as scored: every flagged event).

    One recording's table: a table of several (``pd.concat`` of their tables) with a
    column naming them (:data:`RECORDING_COLUMNS`: ``file``, ``source``...) holding
    several values is refused, and in a table without its recording's ``attrs`` (which
    ``pd.concat`` of several recordings' tables drops) events that overlap on one
    channel are a warning; summarise each recording apart::

        per_file = pd.concat([movement.period_summary(ev, "day").assign(file=name)
                              for name, ev in tables.items()])

    Parameters
    ----------
    events : DataFrame
        A :func:`movement.score` table, or one read back with
        :func:`movement.export.read_bids_events` (its sidecar gives ``attrs``).
    period : {"day", "hour"}
    duration : float, optional
        The recording's length (s), for a table that does not carry it
        (``events.attrs["duration"]``, which it overrides). Without either, the table
        ends at its last event's end, with a warning: rates are then too high.

    Returns
    -------
    DataFrame
        One row per period (:data:`PERIOD_COLUMNS`): ``period`` (1, 2, ...),
        ``clock_start`` (ISO 8601, n/a without a clock), ``start_s`` and ``stop_s`` (from
        the first sample), then the summary's counts and rates.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"onset": [10.0, 3900.0, 4500.0], "duration": [0.2, 400.0, 1.0],
    ...     "trial_type": ["fasciculation-like", "dystonia-like", "other"],
    ...     "review": [False, True, False]})
    >>> ev.attrs.update(duration=7200.0, start="2024-03-01T09:50:00")
    >>> t = period_summary(ev, "hour")
    >>> t[["clock_start", "start_s", "n_fasciculation", "dystonia_s"]].to_numpy().tolist()
    [['2024-03-01T09:50:00', 0.0, 1, 0.0], ['2024-03-01T10:00:00', 600.0, 0, 300.0], \
['2024-03-01T11:00:00', 4200.0, 0, 100.0]]
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {sorted(PERIODS)}, got {period!r}")
    _check_events_table(events, "period_summary")
    events = _readable(events, "period_summary")
    _check_one_recording(events, "period_summary")
    a = events.attrs
    total = _table_length(events, duration, "period_summary")
    events, waiting = _review_view(events)  # (rejected events left out)
    edges, clocks = _period_edges(total, a.get("start"), period)
    span = np.diff(edges)
    recorded = span - _overlap(a.get("long_gaps"), edges)
    nonwear = None if a.get("nonwear") is None else _overlap(a["nonwear"], edges)
    onset = events["onset"].to_numpy(float)
    which = np.clip(np.searchsorted(edges, onset, side="right") - 1, 0, len(span) - 1)
    label = events["trial_type"].to_numpy(object)
    out: dict[str, Any] = {
        "period": np.arange(1, len(span) + 1),
        "clock_start": clocks,
        "start_s": np.round(edges[:-1], 3),
        "stop_s": np.round(edges[1:], 3),
        "recorded_s": np.round(recorded, 3),
        "nonwear_s": [None] * len(span) if nonwear is None else np.round(nonwear, 3),
        "n_events": np.bincount(which, minlength=len(span)),
    }
    minutes = np.where(recorded > 0, recorded / 60.0, np.nan)
    for c in CLASSES:
        k = c.split("-")[0]
        n = np.bincount(which[label == c], minlength=len(span))
        out[f"n_{k}"] = n
        out[f"rate_per_min_{k}"] = np.round(n / minutes, 4)
    dyst = label == "dystonia-like"
    held = _overlap(np.c_[onset[dyst], events["duration"].to_numpy(float)[dyst]], edges)
    out["dystonia_s"] = np.round(held, 3)
    out["dystonia_time_fraction"] = np.round(
        np.where(recorded > 0, held / np.where(recorded > 0, recorded, 1.0), np.nan), 5
    )
    out["n_review"] = np.bincount(which[waiting], minlength=len(span))
    out["parameters_hash"] = a.get("parameters_hash")
    out["movement_version"] = a.get("movement_version", __version__)
    return pd.DataFrame(out, columns=PERIOD_COLUMNS)


CHANNEL_COLUMNS = (
    ["channel", "recorded_s", "n_events"]
    + _CLASS_COUNTS
    + [
        "dystonia_s",
        "dystonia_time_fraction",
        "dystonia_median_s",
        "tremor_median_hz",
        "fasciculation_interval_median_s",
        "fasciculation_interval_cv",
        "n_review",
        "parameters_hash",
        "movement_version",
    ]
)


def _recording_sites(events: pd.DataFrame) -> list[str]:
    """The sites a recording's events can name: its EMG channels, or its accelerometers
    (an x, y, z triplet is one site, as :mod:`movement.preprocess` groups them)."""
    chans = events.attrs.get("channels")
    if not chans:
        return []
    names = tuple(str(c) for c in chans)
    if events.attrs.get("modality") != "accel":
        return list(names)
    from .preprocess import _accel_groups, _site_name

    groups = _accel_groups(names)
    if all(len(g) == 3 for g in groups):
        return [_site_name([names[i] for i in g]) for g in groups]
    return list(names)


def _table_length(events: pd.DataFrame, duration: float | None, who: str) -> float:
    """The recording's length (s) for a summary of ``events``: ``duration`` if given, else
    ``attrs["duration"]``, else (with a warning) its last event's end."""
    if duration is not None:
        try:
            total = float(duration)
        except (TypeError, ValueError):
            total = np.nan
        if not (np.isfinite(total) and total > 0):
            raise MovementError(
                f"{who}: duration must be a positive number of seconds, got {duration!r}"
            )
        if len(events) and np.nanmax(events["onset"].to_numpy(float)) >= total:
            raise MovementError(
                f"{who}: duration={total:g} s ends before the table's last onset "
                f"({float(np.nanmax(events['onset'].to_numpy(float))):g} s)"
            )
        return total
    total = float(events.attrs.get("duration", np.nan))
    if np.isfinite(total):
        return total
    import warnings

    ends = events["onset"].to_numpy(float) + events["duration"].to_numpy(float)
    warnings.warn(
        f"{who}: the table does not give the recording's length (its sidecar's, or "
        "attrs['duration']): it is taken to end at its last event's end, so rates are "
        "too high; pass duration=",
        UserWarning,
        stacklevel=3,
    )
    return float(np.nanmax(ends)) if len(ends) else 0.0


def channel_summary(events: pd.DataFrame, duration: float | None = None) -> pd.DataFrame:
    """Counts, rates, dystonia-like time and fasciculation intervals of each channel (EMG)
    or sensor (accelerometer: its three axes are one site) of a recording.

    An event counts on every site its ``channel`` lists (a co-contraction on two
    muscles counts on both); every site of the recording has a row, those without events
    too (``events.attrs["channels"]``; a table without its sidecar: the sites its events
    name). As in ``summary.tsv``, rates are per minute recorded; ``dystonia_s`` is the
    time covered by the site's dystonia-like events (their union);
    ``fasciculation_interval_median_s`` and ``_cv`` are of the intervals between its
    fasciculation-like onsets (n/a with fewer than two intervals).

    A reviewed table is counted as reviewed, and a table of several recordings refused,
    as in :func:`period_summary`: a rejected event is left out (its sites keep their
    rows), a relabelled one counts as its new ``trial_type``, and ``n_review`` counts the
    site's flagged events not yet reviewed.

    Parameters
    ----------
    events : DataFrame
        A :func:`movement.score` table, or one read back with
        :func:`movement.export.read_bids_events`.
    duration : float, optional
        The recording's length (s), for a table that does not carry it
        (``events.attrs["duration"]``, which it overrides). Without either, the table
        ends at its last event's end, with a warning: rates are then too high.

    Returns
    -------
    DataFrame
        One row per site (:data:`CHANNEL_COLUMNS`), in the recording's order.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"onset": [10.0, 20.0, 30.0, 40.0], "duration": [0.01, 0.01, 5.0, 0.01],
    ...     "trial_type": ["fasciculation-like", "fasciculation-like", "dystonia-like",
    ...                    "fasciculation-like"], "channel": ["ch1", "ch1", "ch1,ch2", "ch1"],
    ...     "review": [False, False, True, False]})
    >>> ev.attrs.update(duration=120.0, channels=["ch1", "ch2", "ch3"], modality="emg")
    >>> t = channel_summary(ev)
    >>> t[["channel", "n_fasciculation", "n_dystonia", "rate_per_min_fasciculation"]].to_numpy().tolist()
    [['ch1', 3, 1, 1.5], ['ch2', 0, 1, 0.0], ['ch3', 0, 0, 0.0]]

    After review (the dystonia-like event rejected: not an event):

    >>> ev["review_status"] = [None, None, "rejected", None]
    >>> channel_summary(ev)[["channel", "n_dystonia", "n_review"]].to_numpy().tolist()
    [['ch1', 0, 0], ['ch2', 0, 0], ['ch3', 0, 0]]
    """
    from .report import report_summary

    _check_events_table(events, "channel_summary")
    events = _readable(events, "channel_summary")
    _check_one_recording(events, "channel_summary")
    a = events.attrs
    total = _table_length(events, duration, "channel_summary")
    dur = total if duration is not None else float(a.get("recorded_duration", total))
    # every site the table names has a row (a rejected event's too); rejected events
    # are not counted, and only flagged events not yet reviewed wait
    sites = list(dict.fromkeys([*_recording_sites(events), *_sites_of_rows(events)[1].tolist()]))
    events, waiting = _review_view(events)
    row_of, site_of = _sites_of_rows(events)

    def rounded(v: Any, digits: int) -> float | None:
        return None if v is None else round(float(v), digits)

    rows = []
    for site in sites:  # loop over the channels or sensors (a few)
        rows_of_site = np.sort(row_of[site_of == site])
        sub = events.iloc[rows_of_site]
        summ = report_summary(sub, dur)
        row: dict[str, Any] = {"channel": site, "recorded_s": round(dur, 3), "n_events": len(sub)}
        for c in CLASSES:
            k = c.split("-")[0]
            row[f"n_{k}"] = summ["classes"][c]["n"]
            row[f"rate_per_min_{k}"] = rounded(summ["classes"][c]["per_min"], 4)
        d = summ["dystonia"]
        row["dystonia_s"] = round(float(d["covered_s"]), 3)
        row["dystonia_time_fraction"] = rounded(d["time_fraction"], 5)
        row["dystonia_median_s"] = rounded(d["median_s"], 3)
        row["tremor_median_hz"] = rounded(summ["tremor"]["median_hz"], 2)
        row["fasciculation_interval_median_s"] = rounded(
            summ["fasciculation_intervals"]["median_s"], 3
        )
        row["fasciculation_interval_cv"] = rounded(summ["fasciculation_intervals"]["cv"], 3)
        row["n_review"] = int(waiting[rows_of_site].sum())
        row["parameters_hash"] = a.get("parameters_hash")
        row["movement_version"] = a.get("movement_version", __version__)
        rows.append(row)
    return pd.DataFrame(rows, columns=CHANNEL_COLUMNS)


#: The tables ``movement score --per`` writes: per day, per hour, per channel.
PER_TABLES = ("day", "hour", "channel")


def _check_events_table(events: Any, who: str) -> None:
    """``events`` must be an events table (:func:`movement.score`, or one read back with
    :func:`movement.export.read_bids_events`): a DataFrame with its ``onset``,
    ``duration`` and ``trial_type`` columns."""
    if not isinstance(events, pd.DataFrame):
        raise MovementError(
            f"{who} takes an events table (a DataFrame), got {type(events).__name__}"
        )
    missing = [c for c in ("onset", "duration", "trial_type") if c not in events.columns]
    if missing:
        raise MovementError(
            f"{who}: the events table has no column {', '.join(missing)} (a table of "
            "movement.score, or read back with movement.export.read_bids_events)"
        )


#: The number columns the per-day and per-channel tables read (``report_summary``'s
#: tremor frequency too); ``onset`` and ``duration`` must be given on every row.
_NUMBER_COLUMNS = ("onset", "duration", "dominant_frequency_hz", "tremor_band_ratio")

#: The values a ``review`` column may hold, read as booleans (a spreadsheet writes
#: ``TRUE``/``FALSE``, or 1/0).
_FLAGS = {"true": True, "false": False, "1": True, "0": False, "1.0": True, "0.0": False}


def _blank(v: Any) -> bool:
    """A missing cell: None, NaN, empty or ``n/a`` text."""
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip().lower() in ("", "n/a", "nan")
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def refuse_non_numbers(at: str, column: str, typed: np.ndarray, bad: np.ndarray) -> None:
    """Raise the one line that says a table's ``column`` is not a number in rows ``bad``
    (``typed``: the column as read), with a hint where they hold decimal commas."""
    comma = any(isinstance(typed[k], str) and "," in typed[k] for k in bad)
    raise MovementError(
        f"{at}: {column} is not a number in {_rows_text(bad, typed)}"
        + (
            ": decimal commas? save the table with a point as the decimal separator (or a "
            "spreadsheet set to English number formats)"
            if comma
            else ""
        )
    )


def _rows_text(rows: np.ndarray, values: Any = None) -> str:
    """``row 3`` / ``rows 3, 7, 9 ...`` (data rows from 1), with the first value as
    typed."""
    shown = ", ".join(str(int(k) + 1) for k in rows[:5]) + (" ..." if len(rows) > 5 else "")
    first = "" if values is None else f" ({values[int(rows[0])]!r})"
    return f"row{'s' if len(rows) > 1 else ''} {shown}{first}"


def _readable(events: pd.DataFrame, who: str) -> pd.DataFrame:
    """``events`` as the summaries count it, or a one-line :class:`MovementError`
    naming the table (``attrs["events_file"]``) and the rows a person edited into a
    shape the counts would silently get wrong.

    A table read back from disk may have been edited in a spreadsheet: class names are
    taken in any case (``Dystonia-like``, as LibreOffice capitalises it) and review
    statuses as :mod:`movement.review` reads them (``Reject``). A class that is none of
    :data:`~movement.classify.CLASSES` (``fasciculation``) on a row that counts (not
    rejected), an ``onset`` or ``duration`` that is missing or not a number (``2,0705``:
    a decimal comma), a feature the tables read that is not a number, or a ``review``
    flag that is not true/false is refused (they made ``n_events`` differ from the sum of
    the classes, and medians n/a, without a word). A status that is none of
    :data:`movement.review.STATUSES` (``maybe``) is no decision: its row counts as not
    reviewed, said in a :class:`UserWarning` naming the rows."""
    from .review import _ALIASES, STATUSES

    where = events.attrs.get("events_file")
    at = f"{who}: {where}" if where else f"{who}: the events table"
    out = events.copy()
    out.attrs = dict(events.attrs)
    n = len(out)
    for c in _NUMBER_COLUMNS:
        if c not in out.columns:
            continue
        raw = out[c]
        if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
            num = raw.to_numpy(np.float64)
        else:
            typed = raw.to_numpy(object)
            given = np.array([not _blank(v) for v in typed], dtype=bool)
            num = pd.to_numeric(
                pd.Series(np.where(given, typed, np.nan), dtype=object), errors="coerce"
            ).to_numpy(np.float64)
            bad = np.flatnonzero(np.isnan(num) & given)
            if len(bad):
                refuse_non_numbers(at, c, typed, bad)
        if c in ("onset", "duration"):
            missing = np.flatnonzero(~np.isfinite(num))
            if len(missing):
                raise MovementError(
                    f"{at}: {_rows_text(missing)} ha{'ve' if len(missing) > 1 else 's'} no {c}"
                )
        out[c] = num
    status = np.full(n, None, dtype=object)
    if "review_status" in out.columns:
        typed = out["review_status"].to_numpy(object)
        wrong = []
        for k, v in enumerate(typed):  # loop over the rows (a table a person reviewed)
            if not _blank(v):
                status[k] = _ALIASES.get(str(v).strip().lower())
                if status[k] is None:
                    wrong.append(k)
        if wrong:  # (a note, "maybe": no decision; a misspelt one is said)
            import warnings

            warnings.warn(
                f"{at}: review_status is not one of {', '.join(STATUSES)} in "
                f"{_rows_text(np.array(wrong), typed)}: counted as not reviewed",
                UserWarning,
                stacklevel=3,
            )
        out["review_status"] = pd.Series(status, index=out.index, dtype=object)
    spelled = {c.lower(): c for c in CLASSES}
    typed = out["trial_type"].to_numpy(object)
    label = np.array(
        [spelled.get(v.strip().lower()) if isinstance(v, str) else None for v in typed],
        dtype=object,
    )
    known = np.array([v is not None for v in label], dtype=bool)
    bad = np.flatnonzero(~known & (status != "rejected"))
    if len(bad):
        raise MovementError(
            f"{at}: trial_type is not one of {', '.join(CLASSES)} in "
            f"{_rows_text(bad, typed)} (a relabelled event takes one of them)"
        )
    out["trial_type"] = pd.Series(np.where(known, label, typed), index=out.index, dtype=object)
    if "review" in out.columns and not pd.api.types.is_bool_dtype(out["review"]):
        typed = out["review"].to_numpy(object)
        flags = np.zeros(n, dtype=bool)
        wrong = []
        for k, v in enumerate(typed):  # loop over the rows
            if _blank(v):
                continue
            if isinstance(v, (bool, np.bool_)):
                flags[k] = bool(v)
                continue
            key = str(v).strip().lower()
            if key not in _FLAGS:
                wrong.append(k)
                continue
            flags[k] = _FLAGS[key]
        if wrong:
            raise MovementError(
                f"{at}: review is not True or False in {_rows_text(np.array(wrong), typed)}"
            )
        out["review"] = flags
    return out


#: Columns that name the recording a row came from, in a table of several recordings'
#: events (``pd.concat([ev_a.assign(file="a"), ev_b.assign(file="b")])``).
RECORDING_COLUMNS = ("file", "filename", "source", "stem", "recording", "path")

#: Overlap (s) two events on one site may have within one recording: a table's onsets
#: and durations are written with 10 significant digits (0.1 ms after a week).
_OVERLAP_TOLERANCE_S = 1e-3


def _check_one_recording(events: pd.DataFrame, who: str) -> None:
    """``events`` must be one recording's: a column naming recordings
    (:data:`RECORDING_COLUMNS`) with several values is an error; in a table without its
    recording's ``attrs`` (``pd.concat`` of several recordings' tables drops them),
    events that overlap on one site (one recording's never do: its sites' segments are
    joined into one event) are a warning. Both say how to summarise each recording
    apart."""
    how = (
        f"summarise each recording's table apart, e.g. pd.concat([movement.{who}(ev)"
        ".assign(file=name) for name, ev in tables.items()]) (each table keeps its "
        "recording's length and channels in attrs), or group by file first: "
        f"df.groupby('file').apply(lambda g: movement.{who}(g, duration=...))"
    )
    for c in RECORDING_COLUMNS:
        if c not in events.columns:
            continue
        names = pd.unique(events[c].dropna().astype(str))
        if len(names) > 1:
            shown = ", ".join(repr(v) for v in names[:3]) + (" ..." if len(names) > 3 else "")
            raise MovementError(
                f"{who}: events of several recordings (column {c!r}: {shown}): {how}"
            )
    if events.attrs.get("duration") is not None:  # (a recording's table, as it says)
        return
    where = _overlap_on_a_site(events)
    if where:
        import warnings

        warnings.warn(
            f"{who}: events overlap on one channel ({where}), as in a table of several "
            f"recordings' events (one recording's never overlap): if so, {how}",
            UserWarning,
            stacklevel=3,
        )


def _sites_of_rows(events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``(row, site)``: each row's position once for every site its ``channel`` lists
    (comma-separated; rows with none left out)."""
    listed = (
        events["channel"].astype(object).where(events["channel"].notna(), "")
        if "channel" in events.columns
        else pd.Series([""] * len(events), index=events.index)
    )
    names = listed.astype(str).str.split(",")
    row_of = np.repeat(np.arange(len(events)), names.str.len().to_numpy(int))
    site_of = np.array([n.strip() for ns in names for n in ns], dtype=object)
    keep = site_of != ""
    return row_of[keep], site_of[keep]


def _overlap_on_a_site(events: pd.DataFrame) -> str | None:
    """Where two events overlap on one site by more than :data:`_OVERLAP_TOLERANCE_S`
    (``"'ch1' at 12.5 s"``), or None."""
    if len(events) < 2:
        return None
    row_of, site_of = _sites_of_rows(events)
    if len(row_of) < 2:
        return None
    onset = pd.to_numeric(events["onset"], errors="coerce").to_numpy(np.float64)[row_of]
    length = pd.to_numeric(events["duration"], errors="coerce").to_numpy(np.float64)[row_of]
    end = onset + np.nan_to_num(np.maximum(length, 0.0))
    site_id = pd.factorize(site_of)[0]
    order = np.lexsort((onset, site_id))
    on, en, sid = onset[order], end[order], site_id[order]
    # the latest end so far on each site (a running maximum restarted at each site)
    reach = pd.Series(en).groupby(sid).cummax().to_numpy()
    hit = (sid[1:] == sid[:-1]) & (on[1:] < reach[:-1] - _OVERLAP_TOLERANCE_S)
    if not hit.any():
        return None
    k = int(np.flatnonzero(hit)[0]) + 1
    return f"{site_of[order[k]]!r} at {on[k]:.3f} s"


def _review_view(events: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows a summary counts and which of them wait for a reviewer: ``(events less
    the rows a reviewer rejected, flagged rows not yet reviewed)``.

    ``review_status`` as :mod:`movement.review` fills it (``accepted``, ``rejected``,
    ``relabelled``: :data:`movement.review.STATUSES`; ``accept``, ``Reject``... as a
    reviewer may type them in place); a relabelled row's ``trial_type`` holds its new
    class. Without a status filled in (a table as scored), every row counts and every
    flagged row waits."""
    flagged = events["review"].to_numpy(bool) if "review" in events else np.zeros(len(events), bool)
    if "review_status" not in events.columns:
        return events, flagged
    from .review import _ALIASES

    status = np.array(
        [
            _ALIASES.get(str(v).strip().lower()) if isinstance(v, str) else None
            for v in events["review_status"].to_numpy(object)
        ],
        dtype=object,
    )
    reviewed = np.array([v is not None for v in status], dtype=bool)
    if not reviewed.any():
        return events, flagged
    keep = status != "rejected"
    kept = events[keep]
    kept.attrs = dict(events.attrs)
    return kept, (flagged & ~reviewed)[keep]


def per_summary(events: pd.DataFrame, per: str) -> pd.DataFrame:
    """:func:`period_summary` (``"day"``, ``"hour"``) or :func:`channel_summary`
    (``"channel"``) of a recording's events."""
    if per == "channel":
        return channel_summary(events)
    return period_summary(events, per)


def per_columns(per: str) -> list[str]:
    """The columns of :func:`per_summary`'s table."""
    return list(CHANNEL_COLUMNS if per == "channel" else PERIOD_COLUMNS)


def write_period_summary(
    events: pd.DataFrame, out_dir: str | Path, stem: str, period: str = "day"
) -> Path:
    """Write :func:`per_summary` as ``<stem>_per_<period>.tsv`` (atomically): ``period``
    ``"day"``, ``"hour"`` or ``"channel"``."""
    table = per_summary(events, period)
    return atomic_write(Path(out_dir) / f"{stem}_per_{period}.tsv", events_to_tsv(table))
