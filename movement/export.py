"""Writing event tables for other tools: BIDS ``_events.tsv`` + JSON, EDF+ and WFDB
annotations.

Both writers are atomic: each file is written to a temporary file in the target
folder and moved into place with :func:`os.replace`, so a crash never leaves a
half-written table where a reader expects a complete one.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import tempfile
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._atomic import atomic_path, atomic_write
from .errors import MissingExtraError, MovementError
from .output import events_to_tsv

__all__ = [
    "ANNOTATION_FORMATS",
    "events_paths",
    "write_bids_events",
    "read_bids_events",
    "write_edf_annotations",
    "write_wfdb_annotations",
    "annotation_path",
    "write_annotations",
]

#: BIDS marks missing values with ``n/a``.
NA = "n/a"


def events_paths(path: str | Path) -> tuple[Path, Path]:
    """The ``<stem>_events.tsv`` and ``<stem>_events.json`` paths for ``path``.

    ``path`` may be the recording (``sub-01_emg.edf`` → ``sub-01_emg_events.tsv``), a
    stem, or already an ``..._events.tsv`` / ``..._events.json`` path.

    Examples
    --------
    >>> events_paths("out/rec.csv.gz")[0].as_posix()
    'out/rec_events.tsv'
    """
    p = Path(path)
    name = p.name
    for tail in ("_events.tsv", "_events.json"):
        if name.lower().endswith(tail):
            name = name[: -len(tail)]
            break
    else:
        name = name.split(".")[0] if not name.startswith(".") else name
    if not name:
        raise MovementError(f"{path}: cannot make an events file name from it")
    return p.with_name(name + "_events.tsv"), p.with_name(name + "_events.json")


def _in_folder(path: str | Path, events: pd.DataFrame) -> Path:
    """``path`` itself, or for a folder (existing, or ending in a separator: made), the
    recording's name inside it: the stem the events were scored under
    (``attrs["events_file"]``, else ``attrs["source"]``), else ``recording``."""
    text = os.fspath(path)
    out = Path(text)
    if not (out.is_dir() or text.endswith(("/", os.sep))):
        return out
    attrs = events.attrs or {}
    name = None
    for key in ("events_file", "source"):
        value = attrs.get(key)
        if isinstance(value, (str, os.PathLike)) and Path(os.fspath(value)).name:
            name = Path(os.fspath(value)).name
            break
    out.mkdir(parents=True, exist_ok=True)
    return out / (name or "recording")


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (datetime, Path)):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def write_bids_events(
    events: pd.DataFrame, path: str | Path, *, sidecar: dict[str, Any] | None = None
) -> tuple[Path, Path]:
    """Write a BIDS events table ``<stem>_events.tsv`` and its ``<stem>_events.json``.

    Parameters
    ----------
    events : DataFrame
        One row per event; must have ``onset`` and ``duration`` (seconds), which are
        written first, as BIDS requires. Other columns keep their order.
    path : str or Path
        The recording (or any path with the wanted stem); see :func:`events_paths`. A
        folder (one that exists, or a path ending in a separator, made if missing) holds
        the files under the stem of the recording the events came from
        (``events.attrs["source"]``: ``movement score``'s stem), as
        :func:`movement.report` names its page.
    sidecar : dict, optional
        The JSON sidecar: column descriptions plus e.g. ``movement_version``,
        ``parameters``, ``parameters_hash``. Written as given (numpy scalars converted).
        By default the one ``movement score`` writes (:func:`movement.output.events_sidecar`:
        every column described, the provenance in ``events.attrs``), so
        :func:`read_bids_events` gives the table back with its ``attrs``.

    Returns
    -------
    (Path, Path)
        The TSV and JSON paths.

    Notes
    -----
    Written as ``movement score`` writes its tables
    (:func:`movement.output.events_to_tsv`): missing values as ``n/a``, floats with up to
    10 significant digits, booleans as ``True``/``False`` (as pandas writes them: a
    ``review`` column holding missing values too is written so as well), which
    :func:`read_bids_events`, pandas and R's ``read.delim`` read back as booleans.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> ev = pd.DataFrame({"trial_type": ["other"], "onset": [1.5], "duration": [0.25]})
    >>> ev.attrs.update(duration=60.0, fs=100.0, modality="accel")
    >>> tsv, js = write_bids_events(ev, tempfile.mkdtemp() + "/rec.csv")
    >>> tsv.name, js.name, read_bids_events(tsv).attrs["fs"]
    ('rec_events.tsv', 'rec_events.json', 100.0)
    >>> ev.attrs["source"] = "data/P01.csv.gz"
    >>> write_bids_events(ev, tempfile.mkdtemp() + "/out/")[0].name
    'P01_events.tsv'
    """
    for col in ("onset", "duration"):
        if col not in events.columns:
            raise MovementError(f"events table has no {col!r} column")
    if sidecar is None:
        from .output import events_sidecar

        sidecar = events_sidecar(events)
    elif not isinstance(sidecar, dict):
        raise MovementError(f"sidecar must be a dict (the JSON), got {type(sidecar).__name__}")
    tsv, js = events_paths(_in_folder(path, events))
    cols = ["onset", "duration"] + [c for c in events.columns if c not in ("onset", "duration")]
    table = events.loc[:, cols]
    text = json.dumps(sidecar, indent=2, ensure_ascii=False, default=_json_default) + "\n"
    atomic_write(tsv, events_to_tsv(table))
    atomic_write(js, text)
    return tsv, js


#: Columns of an events table that hold text (read back as str, never as numbers).
_TEXT = (
    "trial_type", "reason", "channel", "review_status", "reviewer", "comment",
    "original_trial_type",
)  # fmt: skip


def typed_events_columns(df: pd.DataFrame) -> pd.DataFrame:
    """An events table read as text: ``true``/``false`` columns (any case) as booleans,
    missing text (``_TEXT`` columns) as None, as :func:`movement.score` leaves them."""
    for c in df.columns:
        vals = set(df[c].dropna().astype(str).str.lower().unique())
        if vals and vals <= {"true", "false"} and c not in _TEXT:
            df[c] = df[c].map(lambda v: None if pd.isna(v) else str(v).lower() == "true")
    for c in _TEXT:  # missing text as None, as movement.score leaves it
        if c in df.columns:
            df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df


def read_bids_events(path: str | Path) -> pd.DataFrame:
    """Read a ``_events.tsv`` (``n/a`` → missing, ``True``/``False`` in any case →
    booleans) with its ``_events.json`` sidecar's provenance in ``attrs``, as
    :func:`movement.score` left them.

    ``attrs`` gets, when the sidecar holds them: ``movement_version``, ``parameters_hash``,
    ``parameters`` (so :mod:`movement.plot` and :func:`movement.report.write_report` clean
    the signal as it was scored), ``model``, and the recording's ``source``, ``calibration``,
    ``nonwear``, ``nonwear_s``, ``ecg``, ``dropouts``, ``stream``, ``modality``,
    ``channels``, ``units``, ``start``, ``long_gaps``, ``fs``, ``duration``,
    ``recorded_duration`` and ``notes`` (the reader's and scoring's); a missing or
    unreadable sidecar gives none of them. ``attrs["events_file"]`` is the table read (a
    relative ``source`` may be relative to its folder: :func:`movement.report.write_report`
    looks there too).

    Examples
    --------
    >>> import tempfile, numpy as np, movement
    >>> from movement.output import write_events
    >>> x = np.random.default_rng(0).normal(0, 0.01, (20000, 1))
    >>> x[10000:10030, 0] += np.hanning(30) * 0.5
    >>> ev = movement.score(movement.Recording(x, fs=2000, modality="emg"), model="rules")
    >>> folder = tempfile.mkdtemp()
    >>> tsv, _ = write_events(ev, folder, "rec")
    >>> back = read_bids_events(tsv)
    >>> back.attrs["parameters_hash"] == ev.attrs["parameters_hash"], back.attrs["modality"]
    (True, 'emg')
    """
    from .review import _table_text

    if re.search(r"_events_reviewed-\d+\.tsv$", Path(path).name):
        # a reviewed table kept when its recording was scored again: read as itself (the
        # sidecar beside it is the new table's)
        tsv, side = Path(path), Path(path).with_suffix(".json")
    else:
        tsv, side = events_paths(path)
    # text columns stay text: a channel "01" or a reviewer "007" is not a number; a table a
    # spreadsheet saved as UTF-16 or Windows-1252 is read (the latter with a warning)
    df = pd.read_csv(
        io.StringIO(_table_text(tsv)), sep="\t", na_values=[NA], keep_default_na=False,
        dtype=dict.fromkeys(_TEXT, str),
    )  # fmt: skip
    df = typed_events_columns(df)
    df.attrs.update(_sidecar_attrs(side))
    df.attrs["events_file"] = str(tsv)
    return df


def _sidecar_attrs(side: Path) -> dict[str, Any]:
    """The provenance an ``_events.json`` sidecar (:func:`movement.output.events_sidecar`)
    holds, as :func:`movement.score`'s ``attrs`` name it."""
    try:
        js = json.loads(side.read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(js, dict):
        return {}
    out = {
        k: js[k]
        for k in ("movement_version", "parameters_hash", "parameters", "model")
        if js.get(k) is not None
    }
    rec = js.get("recording") if isinstance(js.get("recording"), dict) else {}
    for k in (
        "source", "calibration", "nonwear", "nonwear_s", "ecg", "dropouts", "stream",
        "modality", "channels", "units", "start", "long_gaps",
    ):  # fmt: skip
        if rec.get(k) is not None:
            out[k] = rec[k]
    if isinstance(rec.get("reader_notes"), dict):
        out["notes"] = rec["reader_notes"]
    if rec.get("SamplingFrequency") is not None:
        out["fs"] = rec["SamplingFrequency"]
    if rec.get("duration_s") is not None:
        out["duration"] = rec["duration_s"]
    if rec.get("recorded_s") is not None:  # (the duration without a long gap)
        out["recorded_duration"] = rec["recorded_s"]
    return out


_TAL_BAD = str.maketrans({"\x14": " ", "\x15": " ", "\x00": " ", "\n": " ", "\r": " "})


def _annotation_texts(events: pd.DataFrame) -> list[str]:
    """Per event, ``"<trial_type> p=<probability>"``, then the reviewer's decision
    (``accepted``, ``rejected``, ``relabelled``) when there is one, else `` review`` when
    the event is flagged for review (column by column: no loop over rows)."""
    n = len(events)
    if n == 0:
        return []

    def column(name: str) -> pd.Series:
        return events[name] if name in events.columns else pd.Series([None] * n, index=events.index)

    label = column("trial_type").astype(object).where(column("trial_type").notna(), "event")
    text = label.astype(str)
    p = pd.to_numeric(column("probability"), errors="coerce")
    # a relabelled event: the model's probability of its new class (as apply_decisions
    # sets it; a table relabelled in place still holds the old label's)
    from .review import P_COLUMNS

    relab = (
        column("review_status")
        .astype(str)
        .str.strip()
        .str.lower()
        .isin(["relabelled", "relabeled", "relabel"])
    )
    for cls, pcol in P_COLUMNS.items():
        if pcol in events.columns:
            m = relab & (label.astype(str).str.lower() == cls)
            p = p.where(~m, pd.to_numeric(events[pcol], errors="coerce"))
    has_p = p.notna()
    text = text.where(~has_p, text + " p=" + p.map(lambda v: f"{v:.2f}").astype(str))
    status = column("review_status").astype(object)
    status = status.where(status.notna(), "").astype(str).str.strip()
    flag = column("review").astype(object)
    flagged = flag.where(flag.notna(), False).astype(bool)
    text = text.where(status == "", text + " " + status)
    text = text.where(~((status == "") & flagged), text + " review")
    clean = text.str.translate(_TAL_BAD).str.strip()
    return clean.where(clean != "", "event").tolist()


def write_edf_annotations(
    events: pd.DataFrame,
    path: str | Path,
    *,
    start: datetime | None,
    duration: float,
) -> Path:
    """Write the events as an annotation-only EDF+ file (needs ``edfio``).

    Each event becomes an annotation with its ``onset`` and ``duration`` (seconds from
    the recording's first sample) and the text ``"<trial_type> p=<probability>"``, then
    the reviewer's decision when the table holds one (``accepted``, ``rejected``,
    ``relabelled``: its ``review_status``), else `` review`` when the event is flagged for
    review.

    Parameters
    ----------
    events : DataFrame
        With ``onset``, ``duration`` and usually ``trial_type`` and ``probability``.
    path : str or Path
        The output file (e.g. ``rec_events.edf``).
    start : datetime or None
        The recording's start. **It must equal the start date/time of the recording the
        annotations belong to**: EDF viewers (and edfio) align an annotation file with a
        recording by its header start, to the second (sub-second starts are kept in the
        EDF+ time-keeping annotation). None writes an anonymised start date (``X``).
    duration : float
        The recording's length in seconds. Annotation-only EDF+ files have a data-record
        duration of 0 (edfio enforces this), so it is used to check that every event
        lies inside the recording.

    Returns
    -------
    Path
        The file written; with no events, an EDF+ file with an annotation signal and no
        annotation (its time-keeping one alone), which viewers and edfio open.

    Raises
    ------
    MissingExtraError
        edfio is not installed (``pip install 'movement[edf]'``).
    MovementError
        An event has a negative or missing onset, or lies beyond ``duration``.
    """
    try:
        import edfio
    except ImportError:
        raise MissingExtraError("writing EDF+ annotations", "edf", "edfio") from None
    out = Path(path)
    for col in ("onset", "duration"):
        if col not in events.columns:
            raise MovementError(f"events table has no {col!r} column")
    onsets = pd.to_numeric(events["onset"], errors="coerce").to_numpy(np.float64)
    durs = pd.to_numeric(events["duration"], errors="coerce").to_numpy(np.float64)
    if np.isnan(onsets).any() or (onsets < 0).any():
        raise MovementError("every event needs an onset >= 0 s for an EDF+ annotation")
    ends = onsets + np.nan_to_num(durs)
    if len(ends) and float(ends.max()) > float(duration) + 1e-6:
        i = int(np.argmax(ends))
        raise MovementError(
            f"event at {onsets[i]:.3f} s ends at {ends[i]:.3f} s, after the recording's "
            f"{float(duration):.3f} s"
        )
    anns = [
        edfio.EdfAnnotation(float(on), float(d) if np.isfinite(d) and d > 0 else None, text)
        for on, d, text in zip(onsets, durs, _annotation_texts(events), strict=True)
    ]
    kwargs: dict[str, Any] = {}
    if start is not None:
        kwargs["starttime"] = start.time().replace(tzinfo=None)
        kwargs["recording"] = edfio.Recording(startdate=start.date())
    if anns:
        edf = edfio.Edf([], annotations=anns, **kwargs)
    else:
        edf = _empty_annotations(edfio, kwargs)
    with atomic_path(out) as tmp:
        edf.write(tmp)
    return out


#: The text of the placeholder annotation :func:`_empty_annotations` makes and removes.
_PLACEHOLDER = "movement: no events"


def _empty_annotations(edfio: Any, kwargs: dict[str, Any]) -> Any:
    """An annotation-only EDF+ with no annotation: edfio refuses a file with neither
    signals nor annotations, so one annotation is made and dropped (its data record
    keeps the time-keeping annotation alone, as an EDF+ annotation signal must)."""
    edf = edfio.Edf([], annotations=[edfio.EdfAnnotation(0.0, None, _PLACEHOLDER)], **kwargs)
    drop = getattr(edf, "drop_annotations", None)
    if drop is None:  # pragma: no cover - edfio >= 0.4.16 has it
        raise MovementError("no events: no EDF annotations written (this edfio cannot)")
    drop(_PLACEHOLDER)
    return edf


#: The annotation files :func:`write_annotations` writes, and the annotator name (file
#: extension) of the WFDB one.
ANNOTATION_FORMATS = ("edf", "wfdb")
WFDB_ANNOTATOR = "mvt"

#: WFDB's annotation codes for a waveform's onset and end (``(`` and ``)``).
_WFDB_ON, _WFDB_OFF = "(", ")"


def write_wfdb_annotations(
    events: pd.DataFrame,
    path: str | Path,
    *,
    fs: float,
    channels: tuple[str, ...] | list[str] | None = None,
    n_samples: int | None = None,
) -> Path:
    """Write the events as a WFDB annotation file (needs ``wfdb``).

    Each event becomes two annotations: WFDB's waveform onset ``(`` at its first sample
    and waveform end ``)`` at the sample after its last (``round(t * fs)``, the
    recording's sample numbers), both with the note ``"<trial_type> p=<probability>"``
    (and `` review`` as in :func:`write_edf_annotations`), as PhysioNet marks the bounds
    of a waveform. Read it back with
    ``wfdb.rdann("<folder>/<record>", "<annotator>")``.

    Parameters
    ----------
    events : DataFrame
        With ``onset`` and ``duration`` (s from the first sample), and usually
        ``trial_type``, ``probability`` and ``channel``.
    path : str or Path
        The output file ``<record>.<annotator>`` (e.g. ``rec.mvt``); the annotator name,
        its extension, is letters only (WFDB's rule). The record part may be any file name.
    fs : float
        The recording's sampling rate (Hz): the annotations count its samples.
    channels : sequence of str, optional
        The recording's channels: an event's ``chan`` is the index of the first channel
        its ``channel`` lists (0 when none is given or found).
    n_samples : int, optional
        The recording's length in samples: an event ending after it is an error.

    Returns
    -------
    Path
        The file written; with no events, an empty annotation file (its end mark alone).

    Raises
    ------
    MissingExtraError
        wfdb is not installed (``pip install 'movement[wfdb]'``).
    MovementError
        A missing or negative onset, an event past ``n_samples``, a bad ``fs`` or
        annotator name.

    Examples
    --------
    >>> import tempfile, pandas as pd, wfdb
    >>> ev = pd.DataFrame({"onset": [1.0, 2.5], "duration": [0.2, 4.0],
    ...                    "trial_type": ["fasciculation-like", "dystonia-like"],
    ...                    "probability": [0.9, 0.75]})
    >>> folder = tempfile.mkdtemp()
    >>> _ = write_wfdb_annotations(ev, f"{folder}/rec.mvt", fs=100.0)
    >>> ann = wfdb.rdann(f"{folder}/rec", "mvt")
    >>> ann.sample.tolist(), ann.symbol, ann.aux_note[0]
    ([100, 120, 250, 650], ['(', ')', '(', ')'], 'fasciculation-like p=0.90')
    """
    try:
        import wfdb
    except ImportError:
        raise MissingExtraError("writing WFDB annotations", "wfdb", "wfdb") from None
    out = Path(path)
    annotator = out.suffix[1:]
    if not re.fullmatch(r"[A-Za-z]+", annotator):
        raise MovementError(
            f"{out.name}: a WFDB annotation file needs an annotator name of letters as its "
            "extension (e.g. rec.mvt)"
        )
    if not (np.isfinite(fs) and fs > 0):
        raise MovementError(f"a WFDB annotation file needs a sampling rate > 0, got {fs!r}")
    for col in ("onset", "duration"):
        if col not in events.columns:
            raise MovementError(f"events table has no {col!r} column")
    onsets = pd.to_numeric(events["onset"], errors="coerce").to_numpy(np.float64)
    durs = np.nan_to_num(pd.to_numeric(events["duration"], errors="coerce").to_numpy(np.float64))
    if np.isnan(onsets).any() or (onsets < 0).any():
        raise MovementError("every event needs an onset >= 0 s for a WFDB annotation")
    first = np.round(onsets * fs).astype(np.int64)
    end = np.maximum(np.round((onsets + np.maximum(durs, 0.0)) * fs).astype(np.int64), first)
    if n_samples is not None and len(end) and int(end.max()) > n_samples:
        i = int(np.argmax(end))
        raise MovementError(
            f"event at {onsets[i]:.3f} s ends at sample {end[i]}, after the recording's "
            f"{n_samples} samples"
        )
    index = {str(c): i for i, c in enumerate(channels or ())}
    listed = events["channel"] if "channel" in events.columns else pd.Series([None] * len(events))
    chan = np.array(
        [index.get(str(c).split(",")[0].strip(), 0) if c is not None else 0 for c in listed],
        dtype=np.int64,
    )
    texts = _annotation_texts(events)
    # onsets and ends in the order of their samples; at one sample, the ends of events
    # that began earlier, then the onsets, then the ends of events there and then gone
    # (WFDB stores the differences between consecutive annotations)
    sample = np.concatenate([first, end])
    is_end = np.concatenate([np.zeros(len(first), bool), np.ones(len(end), bool)])
    rank = np.concatenate([np.ones(len(first)), np.where(end > first, 0, 2)])
    order = np.lexsort((rank, sample))
    symbol = np.where(is_end, _WFDB_OFF, _WFDB_ON)[order].tolist()
    both = texts + texts
    notes = [both[i] for i in order]
    chans = np.concatenate([chan, chan])[order]
    if not len(events):  # (wfdb writes no empty file: an empty one is its end mark alone)
        atomic_write(out, b"\x00\x00")
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    # written under a plain temporary record name (WFDB allows only letters, digits, - and
    # _ there), then renamed whole into place
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".wfdb-") as tmp:
        with warnings.catch_warnings():  # (wfdb's own use of deprecated pandas calls)
            warnings.simplefilter("ignore", DeprecationWarning)
            wfdb.wrann(
                "events", annotator, sample[order], symbol=symbol, aux_note=notes,
                chan=chans, fs=float(fs), write_dir=tmp,
            )  # fmt: skip
        os.replace(Path(tmp) / f"events.{annotator}", out)
    return out


def annotation_path(folder: str | Path, stem: str, fmt: str) -> Path:
    """Where :func:`write_annotations` puts a recording's ``fmt`` annotations:
    ``<stem>_events.edf``, or ``<stem>.mvt`` (WFDB: record ``<stem>``, annotator ``mvt``).

    Examples
    --------
    >>> annotation_path("out", "rec", "edf").as_posix(), annotation_path("out", "rec", "wfdb").as_posix()
    ('out/rec_events.edf', 'out/rec.mvt')
    """
    fmt = _format(fmt)
    name = f"{stem}_events.edf" if fmt == "edf" else f"{stem}.{WFDB_ANNOTATOR}"
    return Path(folder) / name


def _format(fmt: Any) -> str:
    """An annotation format, in any case (``"EDF"`` is ``"edf"``)."""
    name = fmt.strip().lower() if isinstance(fmt, str) else fmt
    if name not in ANNOTATION_FORMATS:
        raise MovementError(
            f"annotations must be one of {', '.join(ANNOTATION_FORMATS)}, got {fmt!r}"
        )
    return name


def write_annotations(events: pd.DataFrame, path: str | Path, fmt: str) -> Path:
    """Write a scored recording's events as ``fmt`` annotations (``"edf"`` or ``"wfdb"``,
    in any case), the recording's start, length, rate and channels taken from
    ``events.attrs`` (as :func:`movement.score` and :func:`read_bids_events` leave them).

    EDF+ annotations carry the recording's start date and time (anonymised when it is not
    known), so an EDF viewer lines them up with the recording; WFDB annotations count the
    recording's samples. ``path`` is the file written, as given: an EDF file named other
    than ``.edf`` (viewers look for that) is written with a warning; a WFDB file's
    extension is its annotator name (``rec.mvt``, :func:`annotation_path`). A recording
    with no events gives a file with no annotation.

    Raises
    ------
    MovementError
        ``attrs`` lack what the format needs (the rate for WFDB), an event lies outside
        the recording, or ``fmt`` is neither format.

    Examples
    --------
    >>> import tempfile, edfio, pandas as pd, wfdb
    >>> ev = pd.DataFrame({"onset": [5.0], "duration": [0.015],   # as movement.score gives
    ...     "trial_type": ["fasciculation-like"], "probability": [0.97], "review": [False]})
    >>> ev.attrs.update(duration=10.0, fs=2000.0, start="2024-03-01T09:30:00")
    >>> folder = tempfile.mkdtemp()
    >>> edf = edfio.read_edf(write_annotations(ev, f"{folder}/rec_events.edf", "edf"))
    >>> edf.startdate, edf.starttime, [(a.onset, a.duration, a.text) for a in edf.annotations]
    (datetime.date(2024, 3, 1), datetime.time(9, 30), [(5.0, 0.015, 'fasciculation-like p=0.97')])
    >>> mvt = write_annotations(ev, f"{folder}/rec.mvt", "WFDB")
    >>> wfdb.rdann(f"{folder}/rec", "mvt").sample.tolist()    # the first sample and the end
    [10000, 10030]
    """
    fmt = _format(fmt)
    a = events.attrs
    duration = a.get("duration")
    fs = a.get("fs")
    if fmt == "edf":
        start = None
        if a.get("start"):
            # (the local clock time, as EDF holds it: no UTC offset, whole microseconds)
            start = pd.Timestamp(str(a["start"])).tz_localize(None).to_pydatetime(warn=False)
        length = math.inf if duration is None else float(duration)
        if Path(path).suffix.lower() != ".edf":
            warnings.warn(
                f"{Path(path).name}: EDF+ annotations written under a name not ending in "
                ".edf: EDF viewers and readers look for .edf (movement score writes "
                "<stem>_events.edf)",
                UserWarning,
                stacklevel=2,
            )
        return write_edf_annotations(events, path, start=start, duration=length)
    if fmt == "wfdb":
        if fs is None:
            raise MovementError("WFDB annotations need the recording's sampling rate (fs)")
        n = None if duration is None else int(round(float(duration) * float(fs)))
        return write_wfdb_annotations(
            events, path, fs=float(fs), channels=a.get("channels"), n_samples=n
        )
    raise AssertionError(fmt)  # pragma: no cover - _format accepts the formats only
