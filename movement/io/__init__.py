"""Reading recordings: a registry of readers keyed by file suffix.

A reader is one function ``reader(path) -> RawSignal`` registered with
:func:`register_reader`. :func:`read` then resolves what the file itself may not
say, in one place and in this order:

* sampling rate: the ``fs`` argument, a BIDS-style JSON sidecar ``<stem>.json``
  (``SamplingFrequency``: a number, or text such as ``"100"`` or ``"100 Hz"``), the
  file's own header, the time column;
* modality: the argument, the sidecar, the file's header, the channel names
  (``x``/``y``/``z``-like names mean accelerometry);
* units: accelerometry is converted to g (from g, m/s² or mg, detected from the
  magnitude at rest) and the decision is recorded in ``Recording.notes``; EMG is kept in
  the units stated, their magnitude checked (:func:`movement.recording.emg_units_note`).
  Units stated per channel (a table's units row, a sidecar's list) must be one unit
  over the channels read (:func:`_one_unit`).

A channel constant over the whole file (a disconnected sensor, a file of zeros) is a
warning (``notes["flat"]``).
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import MovementError, NoSuchFileError, RecordingError, UnresolvedError
from ..recording import (
    ACCEL_UNITS,
    AU_GIVEN,
    EMG_UNITS,
    GRAVITY_REMOVED,
    MODALITIES,
    UNITS_OVERRIDDEN,
    Recording,
    _not_acceleration,
    _odd_sensors,
    _unit_sample,
    accel_unit_factor,
    accel_unit_key,
    emg_unit_key,
    emg_units_note,
    flat_channels,
    flat_note,
    gravity_note,
    label_channels,
    label_note,
    modality_words,
    normalise_modality,
    rate_value,
    unknown_accel_units,
)


@dataclass
class RawSignal:
    """What a reader found in a file, before the rate, modality and units are resolved.

    Parameters
    ----------
    data : ndarray, shape (n_samples, n_channels)
    channels : list of str
    fs : float, optional
        Sampling rate from the file's header, when it has one.
    time : ndarray, optional
        Time of each sample in seconds from the first one (from a time column).
    start : datetime, optional
    units : str, optional
        Units the file declares.
    modality : str, optional
        Modality the file declares.
    annotations : DataFrame, optional
        ``onset``, ``duration``, ``description`` rows stored in the file.
    notes : dict
        What the reader decided (kept in ``Recording.notes``).
    """

    data: np.ndarray
    channels: list[str]
    fs: float | None = None
    time: np.ndarray | None = None
    start: datetime | None = None
    units: str | None = None
    modality: str | None = None
    annotations: Any = None
    notes: dict = field(default_factory=dict)


Reader = Callable[[Path], RawSignal]


@dataclass(frozen=True)
class ReaderInfo:
    """A registered reader: the function, its suffixes and the extra it needs."""

    func: Reader
    suffixes: tuple[str, ...]
    extra: str | None = None
    description: str = ""


READERS: dict[str, ReaderInfo] = {}


def register_reader(
    *suffixes: str, extra: str | None = None, description: str = ""
) -> Callable[[Reader], Reader]:
    """Register ``func`` as the reader of files ending in any of ``suffixes``.

    Examples
    --------
    >>> from movement.io import register_reader, RawSignal
    >>> @register_reader(".myfmt", description="my lab's format")
    ... def read_myfmt(path):
    ...     import numpy as np
    ...     return RawSignal(np.loadtxt(path, ndmin=2), ["ch1"], fs=100.0)
    """

    def deco(func: Reader) -> Reader:
        info = ReaderInfo(func, tuple(s.lower() for s in suffixes), extra, description)
        for s in info.suffixes:
            READERS[s] = info
        return func

    return deco


def suffix_of(path: Path) -> str:
    """The registered suffix a path ends with (longest match, e.g. ``.csv.gz``)."""
    _load_plugins()
    name = path.name.lower()
    best = ""
    for s in READERS:
        if name.endswith(s) and len(s) > len(best):
            best = s
    return best


#: What ``movement`` writes (events, their annotation exports, summaries, per-day /
#: per-hour / per-channel tables, review decisions, review pages), and the sidecars and
#: annotation tables beside recordings: never a recording, so a project folder holding
#: earlier results can be scored again.
_OUTPUTS = (
    r"_events\.tsv|_events\.json|_events\.edf|\.json|"
    r"summary(_per_(day|hour|channel))?(-shard-\d+-of-\d+)?\.tsv|"
    r"events_all(-shard-\d+-of-\d+)?\.tsv|"
    r"_per_(day|hour|channel)\.tsv|_channels\.tsv|_reviewed(-\d+)?\.tsv|_annotations\.tsv|"
    r"_decisions(\s*\(\d+\))?\.tsv|_report\.html"
)

#: A BIDS dataset's metadata tables (``participants.tsv``, ``*_sessions.tsv``,
#: ``*_scans.tsv``, ``*_electrodes.tsv``; its ``*_channels.tsv`` and ``*_events.tsv`` are
#: in :data:`_OUTPUTS`, its ``.json`` descriptions too), and a study's ``participants.csv``
#: (not BIDS, which has only ``.tsv``, but the same table): never recordings, left out of a
#: folder's search (named one by one, they are read, and the reader says what is wrong).
_BIDS_TABLES = r"^participants\.(tsv|csv)|_(sessions|scans|electrodes)\.tsv"

#: Files in a folder that are outputs or metadata, never recordings.
_NOT_INPUTS = re.compile(
    rf"({_OUTPUTS}|{_BIDS_TABLES}|manifest\.json|\.md|\.html|\.dat)$", re.IGNORECASE
)

#: Files beside recordings that are never one (sidecars, outputs): skipped even when named
#: explicitly, as a shell glob (``movement score acc_*``) names a recording's sidecar too.
_COMPANIONS = re.compile(rf"({_OUTPUTS})$", re.IGNORECASE)

_DOCS = re.compile(r"^(licen[cs]e|readme|sources|notice|copying|changelog|authors)", re.IGNORECASE)


def _not_input(path: Path) -> bool:
    """Whether ``path`` is never a recording, whatever its type: hidden, an output, a
    sidecar, a BIDS metadata table, a document, or a WFDB record's ``.mat`` signal file."""
    if path.name.startswith(".") or _NOT_INPUTS.search(path.name) or _DOCS.search(path.name):
        return True
    if any(_DOCS.search(part) for part in path.parent.parts[-2:]):
        return True
    # a WFDB record's signal file (PhysioNet's .mat form): read by its .hea
    return path.name.lower().endswith(".mat") and path.with_suffix(".hea").is_file()


def is_recording_file(path: Path) -> bool:
    """True when ``path`` has a registered suffix and is not a sidecar, output table, BIDS
    metadata table or document."""
    return not _not_input(path) and bool(suffix_of(path))


#: Types of file a study folder holds besides recordings, not worth a note when left out
#: (code, documents, images, logs, settings).
_NOT_NOTED = frozenset(
    ".py .pyc .ipynb .r .m .sh .bat .md .rst .txt~ .html .htm .pdf .doc .docx .png .jpg .jpeg "
    ".svg .gif .log .yaml .yml .toml .ini .cfg .lock .tmp .bak .swp".split()
)


class Found(list):
    """The recordings :func:`find_recordings` found (a list of paths), and what the
    folders it searched held besides: ``unknown``, how many files of each type no reader
    knows (``{".rit": 10}``, a file without a suffix as ``""``), and ``excluded``, the
    files ``exclude=`` left out. :meth:`unknown_note` says the first in one line."""

    def __init__(self, paths: Sequence[Path] = ()) -> None:
        super().__init__(paths)
        self.unknown: dict[str, int] = {}
        self.excluded: list[Path] = []

    def unknown_note(self) -> str:
        """``"12 files of unknown type left out: .rit (10), .xyz (2)"``, or ``""`` when the
        folders searched held none.

        Examples
        --------
        >>> f = Found(); f.unknown = {".rit": 10, ".xyz": 2}
        >>> f.unknown_note()
        '12 files of unknown type left out: .rit (10), .xyz (2)'
        """
        n = sum(self.unknown.values())
        if not n:
            return ""
        kinds = sorted(self.unknown.items(), key=lambda kv: (-kv[1], kv[0]))
        said = ", ".join(f"{k or '(no suffix)'} ({v})" for k, v in kinds)
        return f"{n} file{'s' if n > 1 else ''} of unknown type left out: {said}"


def _patterns(exclude: str | Sequence[str] | None) -> list[str]:
    """``exclude`` as a list of glob patterns (one text is one pattern)."""
    if exclude is None:
        return []
    if isinstance(exclude, (str, Path)):
        exclude = [exclude]
    out = []
    for pat in exclude:  # (a few)
        if not isinstance(pat, (str, Path)) or not str(pat).strip():
            raise MovementError(f"exclude: a pattern must be non-empty text, got {pat!r}")
        out.append(str(pat).strip().rstrip("/"))
    return out


def excluded_by(path: Path, base: Path | None, patterns: Sequence[str]) -> str | None:
    """The first of ``patterns`` (globs, ``*`` matching across folders too) that matches
    ``path``: its file name, its path relative to ``base`` (the folder searched; the path
    as given without one), or one of the folders on that relative path; else None.

    Examples
    --------
    >>> p = Path("study/derivatives/sub-01/a.csv")
    >>> excluded_by(p, Path("study"), ["derivatives"]), excluded_by(p, Path("study"), ["*.csv"])
    ('derivatives', '*.csv')
    >>> excluded_by(p, Path("study"), ["sub-01/*"]) is None, excluded_by(p, Path("study"), ["*/sub-01/*"])
    (True, '*/sub-01/*')
    """
    import fnmatch

    if not patterns:
        return None
    rel = path
    if base is not None:
        try:
            rel = path.relative_to(base)
        except ValueError:
            rel = path
    whole = rel.as_posix()
    for pat in patterns:  # (a few)
        if fnmatch.fnmatch(path.name, pat) or fnmatch.fnmatch(whole, pat):
            return pat
        if any(fnmatch.fnmatch(part, pat) for part in rel.parts[:-1]):
            return pat
    return None


def find_recordings(
    inputs: Sequence[str | Path],
    format: str | None = None,
    *,
    exclude: str | Sequence[str] | None = None,
) -> Found:
    """Expand files, folders and glob patterns into a sorted list of recordings.

    A folder is searched recursively for files of the known types; sidecars (``.json``),
    event tables (``*_events.tsv``), a reviewer's backups (``*_events_reviewed-2.tsv``)
    and summaries are skipped, also when named one by one (a shell glob names a
    recording's sidecar too); a BIDS dataset's metadata tables (``participants.tsv``,
    ``*_sessions.tsv``, ``*_scans.tsv``, ``*_electrodes.tsv``, ``*_channels.tsv``) are
    left out of a folder's search. With ``format`` (every file to be read as that type) a
    glob pattern's matches of any extension are taken, as named files are. A missing
    input is an error. One path (a str or Path) is taken as a list of one.

    ``exclude``: glob patterns (one text, or several) of files to leave out, matched
    against each file's name, its path relative to the folder searched (a file named,
    or matched by a glob pattern: its path as given), and the folders on that path
    (``"derivatives"`` leaves out a BIDS dataset's ``derivatives/``; ``*`` matches across
    folders: ``"*/sub-01/*"``). The result is a :class:`Found` list: its ``unknown``
    counts the files of types no reader knows in the folders searched, its
    :meth:`~Found.unknown_note` says them in one line, its ``excluded`` lists the files
    ``exclude`` left out.
    """
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    patterns = _patterns(exclude)
    out = Found()
    found: list[Path] = []
    empty: list[Path] = []
    unmatched: list[str] = []

    def kept(q: Path, base: Path | None) -> bool:
        if excluded_by(q, base, patterns):
            out.excluded.append(q)
            return False
        return True

    for item in inputs:
        p = Path(item)
        if p.is_dir():
            _check_listable(p)
            here = []
            for q in sorted(p.rglob("*")):  # (every file below: one look at each)
                if not q.is_file() or _not_input(q):
                    continue
                if not suffix_of(q):
                    # (counted, but not in hidden folders: a .git's objects are no data)
                    hidden = any(part.startswith(".") for part in q.relative_to(p).parts)
                    kind = q.suffix.lower() if q.suffix.strip(".") else ""
                    if not hidden and kind not in _NOT_NOTED and not excluded_by(q, p, patterns):
                        out.unknown[kind] = out.unknown.get(kind, 0) + 1
                    continue
                here.append(q)
            left = [q for q in here if kept(q, p)]
            found.extend(left)
            if not _say_unsearched(p) and not here:
                empty.append(p)
        elif p.exists():
            if not (p.is_file() and _COMPANIONS.search(p.name)) and kept(p, None):
                found.append(p)
        elif any(ch in str(item) for ch in "*?["):
            import glob

            hits = sorted(Path(h) for h in glob.glob(str(item), recursive=True))
            matched = [
                h
                for h in hits
                if h.is_file()
                and (
                    is_recording_file(h)
                    if not format
                    else not (_COMPANIONS.search(h.name) or h.suffix.lower() == ".json")
                )
            ]
            found.extend(h for h in matched if kept(h, None))
            if not format:  # (matched, of a type no reader knows: counted as a folder's)
                for h in hits:
                    if h.is_file() and not _not_input(h) and not suffix_of(h):
                        kind = h.suffix.lower() if h.suffix.strip(".") else ""
                        if kind not in _NOT_NOTED and not excluded_by(h, None, patterns):
                            out.unknown[kind] = out.unknown.get(kind, 0) + 1
            if not matched:
                unmatched.append(str(item))
        else:
            raise NoSuchFileError("no such file or folder", str(item))
    seen: set[Path] = set()
    for p in found:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            out.append(p)
    for p in empty if out else ():  # (when nothing is found, the caller says so)
        warnings.warn(f"{p}: a folder with no recordings in it", UserWarning, stacklevel=2)
    for pattern in unmatched if out else ():  # (a typo must not drop files unsaid)
        warnings.warn(f"{pattern}: the pattern matches no recording", UserWarning, stacklevel=2)
    return out


def unlisted(folder: str | Path) -> str | None:
    """Why ``folder`` cannot be listed (``"Permission denied"``...), or None if it can."""
    import os

    try:
        with os.scandir(folder) as it:
            next(it, None)
    except OSError as exc:
        return str(exc.strerror or exc)
    return None


def _check_listable(folder: Path) -> None:
    """Raise if a folder named as an input cannot be listed: like a missing input, not a
    warning, since none of the recordings asked for could be scored."""
    why = unlisted(folder)
    if why:
        raise MovementError(f"{folder}: cannot be searched ({why})")


def _say_unsearched(folder: Path) -> bool:
    """Warn of the subfolders of ``folder`` that could not be searched (no permission):
    their recordings would otherwise be left out of a study without a word. Whether any
    was."""
    import os

    errors: list[OSError] = []
    for _ in os.walk(folder, onerror=errors.append):  # (only to collect what failed)
        pass
    for exc in errors:
        warnings.warn(
            f"{exc.filename}: cannot be searched ({exc.strerror or exc}); its recordings, if "
            "any, are left out",
            UserWarning,
            stacklevel=3,
        )
    return bool(errors)


def format_for(path: str | Path, format: str | None) -> str | None:
    """The type to read ``path`` as under ``--format``: ``format`` for a file whose
    extension is no known type, None (its own reader) for one that is, so that files found
    in a folder, or named ``.csv``/``.edf``... beside a ``.rit``, keep their readers.

    Examples
    --------
    >>> format_for("g9r15of.rit", "txt"), format_for("day.cwa", "txt"), format_for("a.rit", None)
    ('txt', None, None)
    """
    if not format:
        return None
    return None if suffix_of(Path(path)) else format


def _stems(path: Path) -> tuple[str, str]:
    """The name of ``path`` less its type (``P01_2024.03.05.csv.gz`` → ``P01_2024.03.05``:
    its registered suffix, else its last one), and the name up to its first dot."""
    name = path.name
    suffix = suffix_of(path) or path.suffix
    exact = name[: len(name) - len(suffix)] if suffix and len(suffix) < len(name) else name
    return exact, name.split(".")[0]


def file_there(path: Path) -> bool:
    """``path.is_file()``, False when the name cannot even be looked up (a name too long
    for the file system: the companion of a recording whose own name nearly is)."""
    try:
        return path.is_file()
    except OSError:
        return False


def _beside(path: Path, ending: str) -> Path:
    exact, first = _stems(path)
    near = path.with_name(exact + ending)
    if exact != first and not file_there(near):
        older = path.with_name(first + ending)
        if file_there(older):  # (the rule before 0.6.2, kept for the files named by it)
            return older
    return near


def sidecar_path(path: Path) -> Path:
    """Where the JSON sidecar of ``path`` is: ``<name less its type>.json``
    (``P01_2024.03.05.csv`` → ``P01_2024.03.05.json``); when there is none, a sidecar named
    by the name up to the first dot (``P01_2024.json``), if there is one.

    Examples
    --------
    >>> sidecar_path(Path("day.csv.gz")).name, sidecar_path(Path("P01_2024.03.05.csv")).name
    ('day.json', 'P01_2024.03.05.json')
    """
    return _beside(path, ".json")


def annotations_path(path: Path) -> Path:
    """Where an annotations table beside ``path`` is: ``<name less its type>_annotations.tsv``
    (as :func:`sidecar_path`, the name up to the first dot when only that one exists)."""
    return _beside(path, "_annotations.tsv")


def _sidecar_note(path: Path, side: dict[str, Any], notes: dict) -> None:
    """Say which sidecar was read when it is named by the name up to the first dot: it may
    be another file's (``P02.json`` beside ``P02.day1.csv``)."""
    if side:
        used, exact = sidecar_path(path), _stems(path)[0]
        if used.name != exact + ".json":
            notes.setdefault(
                "sidecar",
                f"sidecar {used.name} read (the name up to the first dot; there is no "
                f"{exact}.json)",
            )


def read_annotations(path: Path, source: str | None = None) -> Any:
    """An annotations table (``onset``, ``duration``, ``description``; tab-separated, ``n/a``).

    Written by :func:`movement.io.convert` for files that hold annotations (EDF+, WFDB),
    and read back by :func:`read` for a recording that has none of its own.

    Returns
    -------
    pandas.DataFrame
        ``onset`` and ``duration`` in seconds (float; ``n/a`` is NaN), ``description`` text.
    """
    import pandas as pd

    src = source or str(path)
    try:
        df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RecordingError(f"cannot read {path.name} ({msg})", src) from None
    missing = [c for c in ("onset", "duration", "description") if c not in df.columns]
    if missing:
        raise RecordingError(f"{path.name} has no {', '.join(missing)} column", src)
    out = pd.DataFrame({"description": df["description"].astype(str)})
    for col in ("onset", "duration"):
        values = pd.to_numeric(df[col].replace("n/a", "nan"), errors="coerce")
        bad = values.isna() & ~df[col].isin(["n/a", "nan", ""])
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise RecordingError(
                f"{path.name}: {col} {df[col].iloc[row]!r} is not a number (row {row + 1})", src
            )
        out[col] = values.astype(np.float64)
    return out[["onset", "duration", "description"]]


def read_sidecar(path: Path) -> dict[str, Any]:
    """The BIDS-style JSON sidecar beside ``path`` (``<stem>.json``), or ``{}``."""
    side = sidecar_path(path)
    if not file_there(side):
        return {}
    try:
        text = side.read_text()
    except UnicodeDecodeError as exc:
        raise RecordingError(f"sidecar {side.name} is not valid JSON ({exc})", str(path)) from None
    except OSError as exc:
        raise RecordingError(
            f"sidecar {side.name} cannot be read ({exc.strerror or exc})", str(path)
        ) from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise RecordingError(f"sidecar {side.name} is not valid JSON ({exc})", str(path)) from None
    except RecursionError:
        raise RecordingError(
            f"sidecar {side.name} is not usable JSON (nested too deeply)", str(path)
        ) from None
    if not isinstance(data, dict):
        raise RecordingError(f"sidecar {side.name} must hold a JSON object", str(path))
    seen: dict[str, str] = {}
    for k in data:  # a loop over the sidecar's keys
        low = str(k).lower()
        if low in _SIDECAR_KEYS and low in seen and data[seen[low]] != data[k]:
            # (the keys are read in any case: which one was meant cannot be told)
            raise RecordingError(
                f"sidecar {side.name}: keys {seen[low]!r} ({_shown(data[seen[low]])}) and "
                f"{k!r} ({_shown(data[k])}) differ only by case: keep one",
                str(path),
            )
        seen.setdefault(low, k)
    return data


#: The sidecar keys movement reads (in any case), lower case.
_SIDECAR_KEYS = {
    k.lower()
    for k in (
        "SamplingFrequency", "SamplingRate", "fs", "Modality", "RecordingType", "DataType",
        "Type", "Channels", "ChannelNames", "Units", "Unit", "AccelerometerUnits",
        "RecordingStartTime", "StartTime", "AcquisitionDateTime", "ColumnNames",
    )
}  # fmt: skip


def _sidecar_get(side: dict[str, Any], *keys: str) -> Any:
    return _sidecar_item(side, *keys)[1]


def _sidecar_item(side: dict[str, Any], *keys: str) -> tuple[str, Any]:
    """The first of ``keys`` (any case) in ``side``: its spelling there and its value."""
    lower = {k.lower(): (k, v) for k, v in side.items()}
    for k in keys:
        if k.lower() in lower:
            return lower[k.lower()]
    return keys[0], None


def _shown(value: Any, limit: int = 40) -> str:
    """``value`` as JSON for a message, cut to ``limit`` characters (a 400-digit number)."""
    text = json.dumps(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def sidecar_rate(side: dict[str, Any], src: str) -> float | None:
    """The sampling rate a sidecar states (``SamplingFrequency``, ``SamplingRate``, ``fs``), or None.

    A JSON number, or text holding one with an optional trailing ``Hz`` (``"100"``,
    ``"100 Hz"``); anything else (``"100 kHz"``, a list, 0) is an error naming the
    sidecar and the key. ``src`` is the recording the sidecar belongs to.

    Examples
    --------
    >>> sidecar_rate({"SamplingFrequency": "100 Hz"}, "a.csv"), sidecar_rate({}, "a.csv")
    (100.0, None)
    """
    key, value = _sidecar_item(side, "SamplingFrequency", "SamplingRate", "fs")
    if value is None:
        return None
    rate = rate_value(value)
    if rate is None or not (np.isfinite(rate) and rate > 0):
        raise RecordingError(
            f"sidecar {sidecar_path(Path(src)).name}: {key} must be a positive number of Hz "
            f"(e.g. 100), got {_shown(value)}",
            src,
        )
    return rate


def _sidecar_channels(side: dict[str, Any], src: str) -> list[str | int] | None:
    """The sidecar's channel selection (``Channels``, ``ChannelNames``): a list of names or
    0-based indices, or one comma-separated text (``"x,y,z"``, as ``--channels``); None
    when absent or empty."""
    key, value = _sidecar_item(side, "Channels", "ChannelNames")
    if isinstance(value, str):
        value = [c.strip() for c in value.split(",")] if value.strip() else None
    if not value:
        return None
    if not isinstance(value, list) or not all(
        isinstance(c, (str, int)) and not isinstance(c, bool) for c in value
    ):
        raise RecordingError(
            f"sidecar {sidecar_path(Path(src)).name}: {key} must be a list of channel names "
            f"or 0-based indices, got {json.dumps(value)}",
            src,
        )
    return value


def _sidecar_units(side: dict[str, Any], src: str) -> str | None:
    """The sidecar's ``Units`` (``Unit``, ``AccelerometerUnits``): text, or a list of one
    unit repeated per channel; None when absent, or a list of units that differ (each
    channel's: :func:`_sidecar_channel_units`)."""
    key, value = _sidecar_item(side, "Units", "Unit", "AccelerometerUnits")
    if isinstance(value, list) and value and all(isinstance(u, str) for u in value):
        return value[0] if len(set(value)) == 1 else None
    if value is None or isinstance(value, str):
        return value or None
    raise RecordingError(
        f"sidecar {sidecar_path(Path(src)).name}: {key} must be one unit as text "
        f'(e.g. "g" or "mV"), or a list of one per channel, got {_shown(value)}',
        src,
    )


#: The key of a reader's note (:attr:`RawSignal.notes`) holding each channel's unit, by
#: channel name (a text table's units row, ``s,g,g,g,mV``), when they differ. The read
#: takes it out of the notes: the channels it keeps must share one unit (:func:`_one_unit`).
CHANNEL_UNITS = "_channel_units"


def _sidecar_channel_units(side: dict[str, Any], channels: Sequence[str], src: str) -> dict:
    """Each channel's unit from a sidecar's ``Units`` list of units that differ, one per
    channel of the file in its order (``["g", "g", "g", "mV"]``); empty when the sidecar
    states one unit or none. A list of another length is an error."""
    key, value = _sidecar_item(side, "Units", "Unit", "AccelerometerUnits")
    if not isinstance(value, list) or not all(isinstance(u, str) for u in value):
        return {}  # (one unit, none, or a list that is no units: _sidecar_units says so)
    if len(set(value)) < 2:
        return {}
    if len(value) != len(channels):
        raise RecordingError(
            f"sidecar {sidecar_path(Path(src)).name}: {key} lists {len(value)} units for the "
            f"file's {len(channels)} channels ({', '.join(channels)}): give one unit, or one "
            "per channel in their order",
            src,
        )
    return {c: u for c, u in zip(channels, value, strict=True) if u.strip()}


def _same_unit(a: str, b: str) -> bool:
    """Whether two spellings name one unit (``m/s^2`` and ``m/s2``, ``µV`` and ``uV``)."""
    if accel_unit_key(a) in ACCEL_UNITS and accel_unit_key(b) in ACCEL_UNITS:
        return ACCEL_UNITS[accel_unit_key(a)] == ACCEL_UNITS[accel_unit_key(b)]
    if emg_unit_key(a) in EMG_UNITS and emg_unit_key(b) in EMG_UNITS:
        return EMG_UNITS[emg_unit_key(a)] == EMG_UNITS[emg_unit_key(b)]
    return a.strip().lower() == b.strip().lower()


def _one_unit(
    channels: Sequence[str], per_channel: dict[str, str], where: str, src: str
) -> str | None:
    """The one unit stated for the ``channels`` read, from each channel's (``per_channel``,
    stated by ``where``); None when none of them has one stated.

    Channels in different units (two accelerometers, one in g and one in m/s²; an
    accelerometer's and an EMG's columns) are an error naming each unit's channels, and
    how to read each sensor apart. They are not converted sensor by sensor: a Recording
    holds one unit, and the streamed read of a long file scales all its channels by one
    factor.

    Examples
    --------
    >>> _one_unit(["x", "y"], {"x": "m/s^2", "y": "m/s2", "t": "s"}, "its units row", "f.csv")
    'm/s^2'
    >>> _one_unit(["ax", "emg"], {"ax": "g", "emg": "mV"}, "its units row", "f.csv")
    Traceback (most recent call last):
    ...
    movement.errors.RecordingError: f.csv: the channels are in different units, as its units row states (ax: g; emg: mV): a recording is read in one unit; read each sensor apart (channels= or --channels: ax or emg)
    """
    groups: dict[str, list[str]] = {}  # (unit -> its channels, in their order)
    for c in channels:
        unit = per_channel.get(c)
        if unit:
            same = next((u for u in groups if _same_unit(u, unit)), unit)
            groups.setdefault(same, []).append(c)
    if len(groups) <= 1:
        return next(iter(groups), None)
    said = "; ".join(f"{', '.join(cs)}: {u}" for u, cs in groups.items())
    apart = " or ".join(",".join(cs) for cs in groups.values())
    raise RecordingError(
        f"the channels are in different units, as {where} states ({said}): a recording is "
        f"read in one unit; read each sensor apart (channels= or --channels: {apart})",
        src,
    )


def _sensors_note(channels: Sequence[str]) -> str:
    """What to say of EMG channels read beside channels named as an accelerometer's
    (``acc_x``, ``ay``...; none naming EMG) when no unit says which is which: they are
    scored as EMG. Empty if the channels are not of both kinds."""
    emg = [c for c in channels if _EMG_NAME.search(c)]
    acc = [c for c in channels if _ACCEL_NAME.search(c) and not _EMG_NAME.search(c)]
    if not emg or not acc:
        return ""
    return (
        f"channel{'s' if len(acc) > 1 else ''} {', '.join(acc)} look like an accelerometer's "
        f"beside EMG ({', '.join(emg)}) and are scored as EMG: read each sensor apart "
        f"(channels= or --channels: {','.join(emg)}, or {','.join(acc)} as accel)"
    )


#: Channel names of an accelerometer's axes or of an accelerometer, as a word (between
#: non-letters or the name's ends, any case): ``x``, ``acc``, ``accel``, ``accelerometer``,
#: ``acceleration``, and an axis joined to its sensor's name: ``ax``, ``accX``,
#: ``accel_x``, ``a_x``, ``AccelerometerZ``, ``ax (g)``, ``acc_x_1``. Not ``max``,
#: ``relax`` (a letter before), nor a gyroscope's ``gx``.
_ACCEL_NAME = re.compile(
    r"(^|[^a-z])(acc|accel|accelerometer|acceleration"
    r"|(a|acc|accel|accelerometer|acceleration)?[xyz])([^a-z]|$)",
    re.IGNORECASE,
)
_EMG_NAME = re.compile(r"emg|muscle|mv$|uv$", re.IGNORECASE)


def _guess_modality(channels: Sequence[str]) -> str | None:
    if channels and all(_ACCEL_NAME.search(c) for c in channels):
        return "accel"
    if channels and any(_EMG_NAME.search(c) for c in channels):
        return "emg"
    return None


def _normalise_modality(value: Any) -> str | None:
    """``"accel"`` or ``"emg"`` for a spelling of either (any case), else None: one
    normaliser for every place a modality is given (:func:`movement.recording.normalise_modality`)."""
    if value is None:
        return None
    return normalise_modality(str(value))


def _given_modality(modality: Any) -> str | None:
    """The ``modality=`` argument as ``"accel"``/``"emg"`` (None when not given): any
    spelling a sidecar may use; anything else is a one-line error."""
    if modality is None:
        return None
    mod = normalise_modality(modality)
    if mod is None:
        raise MovementError(
            f"modality must be one of {', '.join(MODALITIES)} ({modality_words()}), got "
            f"{modality!r}"
        )
    return mod


def _sidecar_modality(side: dict[str, Any], src: str) -> str | None:
    """The modality a sidecar states, or None.

    Its ``Modality`` (any case) must name one (``"accel"``, ``"emg"`` or a synonym, any
    case): anything else (``"eeg"``, ``5``, ``["accel"]``) is an error naming the
    sidecar, the key and the accepted values. ``RecordingType``, ``DataType`` and
    ``Type`` are read when there is no ``Modality``, and only when they name one: they
    are generic keys (BIDS's ``RecordingType`` is ``"continuous"``).
    """
    key, value = _sidecar_item(side, "Modality")
    if value is None:
        return _normalise_modality(_sidecar_get(side, "RecordingType", "DataType", "Type"))
    mod = _normalise_modality(value) if isinstance(value, str) else None
    if mod is None:
        raise RecordingError(
            f"sidecar {sidecar_path(Path(src)).name}: {key} must be accel or emg "
            f"({modality_words()}), got {_shown(value)}",
            src,
        )
    return mod


def convert_accel_units(data: np.ndarray, declared: str | None) -> tuple[np.ndarray, str, str]:
    """Convert tri-axial acceleration to g from g, m/s² or mg.

    The unit is detected from the median vector magnitude (≈1 in g, ≈9.8 in m/s², ≈1000
    in mg) of the samples whose first 3 axes are all finite (missing values, e.g. a hole
    in the time column put on a grid, are left out); the declared unit is used when the
    data cannot tell (fewer than 3 axes, or no sample with all 3)
    (:func:`movement.recording.accel_unit_factor`). Returns the converted data, the unit
    (``"g"``, or ``"a.u."`` when neither tells: the values are then kept) and a sentence
    saying what was done.
    """
    factor, note = accel_unit_factor(data, declared)
    if factor is None:
        return data, "a.u.", note
    return data * factor, "g", note


def parse_fs(fs: Any, source: str | None = None) -> float | None:
    """The ``fs`` argument of :func:`read` (and the functions passing it on) in Hz, or None.

    A number or text with an optional ``Hz`` (``100``, ``"100 Hz"``), as a sidecar's
    ``SamplingFrequency`` (:func:`movement.recording.rate_value`); anything else (a
    bool, ``"100 kHz"``, 0) is a one-line error naming ``source``.

    Examples
    --------
    >>> parse_fs("100 Hz"), parse_fs(None)
    (100.0, None)
    """
    if fs is None:
        return None
    rate = rate_value(fs)
    if rate is None or not (np.isfinite(rate) and rate > 0):
        raise RecordingError(
            f"fs must be a positive number of Hz (e.g. 100 or '100 Hz'), got {fs!r}", source
        )
    return rate


def snap_rate(rate: float) -> float:
    """A rate estimated from time stamps, rounded to 1 µHz when within a billionth of it.

    ``(n - 1) / (t[-1] - t[0])`` carries float noise in its last digits (25 Hz comes out
    as 25.000000000000004), and sample counts derived from the rate (``round(0.1 * fs)``)
    must not depend on it: the same samples with a 25 Hz sidecar and with a time column
    give the same events.

    Examples
    --------
    >>> snap_rate(25.000000000000004), snap_rate(99.99999999999999), snap_rate(30.3)
    (25.0, 100.0, 30.3)
    """
    snapped = round(float(rate), 6)
    return snapped if abs(rate - snapped) <= 1e-9 * abs(rate) else float(rate)


def _fs_from_time(time: np.ndarray, source: str) -> tuple[float, bool]:
    """Sampling rate from a time column; also whether sampling is irregular."""
    dt = np.diff(time)
    if dt.size == 0:
        raise RecordingError("too few samples to infer the sampling rate", source)
    back = np.flatnonzero(dt <= 0)
    if back.size:
        i = int(back[0])
        # (many repeats: a clock coarser than the samples, e.g. whole seconds at 100 Hz)
        same = int(np.count_nonzero(dt == 0))
        hint = (
            f"; {same} of {dt.size} steps repeat the time before them: a clock coarser than "
            "the samples? Rename or drop the time column and give the rate (--fs)"
            if same > dt.size // 2
            else ""
        )
        raise RecordingError(
            f"time does not increase at row {i + 2} ({time[i]:.6g} s then {time[i + 1]:.6g} s)"
            + hint,
            source,
        )
    med = float(np.median(dt))
    irregular = bool(np.mean(np.abs(dt - med) > 0.1 * med) > 0.01)
    if not irregular and dt.max() < 2 * med:
        return snap_rate((len(time) - 1) / float(time[-1] - time[0])), False
    # a hole in the time column (a step of 2+ periods) also needs the uniform grid
    return snap_rate(1.0 / med), True


def to_uniform_grid(
    time: np.ndarray, data: np.ndarray, fs: float, source: str | None = None
) -> tuple[np.ndarray, int]:
    """Linear interpolation of irregular samples onto a uniform grid at ``fs``.

    Grid points farther than 1.5 sample periods from any original sample become
    NaN (gaps). Returns the data and the number of gap samples.

    A grid of more than ``max(100 x the rows, 10**8)`` samples is refused before it is
    made (a :class:`~movement.errors.RecordingError` for ``source`` saying where the
    time jumps): one wrong timestamp (1e6 s after 30 s of data) asked for gigabytes.
    """
    n_grid = float(np.floor((time[-1] - time[0]) * fs)) + 1
    if not n_grid <= max(100 * len(time), 10**8):
        dt = np.diff(time)
        i = int(np.argmax(dt))
        raise RecordingError(
            f"the time column jumps by {dt[i]:.6g} s between rows {i + 1} and {i + 2} "
            f"({time[i]:.6g} s, then {time[i + 1]:.6g} s): a uniform {fs:g} Hz grid would "
            f"hold {n_grid:.3g} samples for {len(time)} rows; split the file at row {i + 2} "
            "(or correct its time)",
            source,
        )
    grid = time[0] + np.arange(int(n_grid)) / fs
    out = np.empty((grid.size, data.shape[1]), dtype=np.float64)
    for j in range(data.shape[1]):  # a loop over channels, not samples
        out[:, j] = np.interp(grid, time, data[:, j])
    idx = np.clip(np.searchsorted(time, grid), 1, time.size - 1)
    nearest = np.minimum(np.abs(grid - time[idx - 1]), np.abs(time[idx] - grid))
    far = nearest > 1.5 / fs
    out[far] = np.nan
    return out, int(far.sum())


def _looks_like_text_table(path: Path) -> bool:
    """Whether a file of an unknown type starts like a numeric text table (UTF-8 text whose
    first lines are mostly numbers), to say so in the error.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "tremor.rit"
    >>> _ = p.write_text("0.01 -0.02 0.98\\n0.02 -0.01 0.99\\n")
    >>> _looks_like_text_table(p)
    True
    >>> _ = p.write_bytes(bytes(range(256)))
    >>> _looks_like_text_table(p)
    False
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
        text = head.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    lines = [ln for ln in text.splitlines()[:20] if ln.strip()]
    if len(lines) < 2:
        return False
    numeric = 0
    for ln in lines:  # loop over the first lines (<= 20)
        fields = ln.replace(",", " ").replace(";", " ").replace("\t", " ").split()
        try:
            [float(f) for f in fields]
            numeric += bool(fields)
        except ValueError:
            pass
    return numeric >= max(2, len(lines) // 2)


def read(
    path: str | Path,
    *,
    fs: float | None = None,
    modality: str | None = None,
    channels: Sequence[str | int] | None = None,
    units: str | None = None,
    format: str | None = None,
    start_s: float | None = None,
    stop_s: float | None = None,
) -> Recording:
    """Read a recording from a file.

    Parameters
    ----------
    path : str or Path
        The file. Its suffix picks the reader (see ``movement.io.READERS``).
    fs : float or str, optional
        Sampling rate in Hz; overrides the sidecar, the header and the time column. A
        number or text as a sidecar's (``"100 Hz"``, :func:`parse_fs`).
    modality : {"accel", "emg"}, optional
        Overrides the sidecar, the header and the guess from channel names. A sidecar's
        ``Modality`` that names neither is an error, except when ``modality`` is given:
        the sidecar's is then not read (so a wrong one can be overruled).
    channels : sequence of str or int, optional
        Keep only these channels (names or 0-based indices), e.g. to drop a label column;
        one text is split on commas (``"x,y,z"``). Empty, or a channel twice, is an error.
    units : str, optional
        Units of the data when the file does not say (``g``, ``m/s^2``, ``mg``, ``mV``...).
        Accelerometry is converted to g; a unit other than g, mg, m/s² (or ``a.u.``) is
        an error for it, as for a :class:`~movement.Recording`, and so is a sidecar's
        ``Units`` when ``units`` is not given (given, it overrules the sidecar's). Units
        stated per channel (a units row under a table's header, ``s,g,g,g,mV``, or a
        sidecar's list of one per channel) give the channels read theirs: those kept must
        share one (two sensors in different units are an error saying how to read each
        apart with ``channels``).
    format : str, optional
        Read as this suffix (e.g. ``".csv"``) whatever the file's name.
    start_s, stop_s : float, optional
        Read only this part, in seconds from the first sample (either may be left out):
        a memory-mapped ``.npy``, EDF, WFDB and HDF5 read just those rows, CSV and Parquet
        stop reading at ``stop_s``, other formats are read whole and cut
        (:func:`movement.stream.read_span`). ``start`` then is the first sample's time and
        ``notes["span"]`` says which samples were read, ``notes["span_start_s"]`` the first
        one's time in the file (events' onsets count from it: add it to place them).

    Returns
    -------
    Recording

    Raises
    ------
    NoSuchFileError
        ``path`` does not exist (a :class:`FileNotFoundError` too).
    RecordingError
        The file cannot be read or used, or an option does not fit it (one line naming
        the file). Every error of the library is a :class:`~movement.MovementError`, so a
        :class:`ValueError`.

    Examples
    --------
    >>> import movement
    >>> rec = movement.read("data/wrist_twitches.csv")  # doctest: +SKIP
    >>> hour2 = movement.read("week.npy", start_s=3600, stop_s=7200)  # doctest: +SKIP
    """
    p = Path(path)
    src = str(p)
    if not p.exists():
        raise NoSuchFileError("no such file", src)
    if p.is_dir():
        raise RecordingError("is a folder, not a recording", src)
    modality = _given_modality(modality)  # ("EMG", "accelerometer"...: as in a sidecar)
    fs = parse_fs(fs, src)
    _load_plugins()  # (the readers register on first use; format= skips suffix_of)
    suffix = (
        (format if format.startswith(".") else "." + format).lower() if format else suffix_of(p)
    )
    if suffix not in READERS:
        hea = p.with_suffix(".hea")
        if not format and p.suffix.lower() == ".dat" and hea.is_file():
            raise RecordingError(f"a WFDB signal file: read its header {hea.name} instead", src)
        known = ", ".join(sorted(READERS))
        hint = ""
        if not format and _looks_like_text_table(p):
            hint = (
                "; it looks like a text table: read it as one with format='.txt' "
                "(--format txt on the command line)"
            )
        raise RecordingError(f"unknown file type (known: {known}){hint}", src)
    if (start_s is not None or stop_s is not None) and not format:
        from ..stream import read_span

        return read_span(
            p, start_s, stop_s, fs=fs, modality=modality, channels=channels, units=units
        )
    import inspect

    func = READERS[suffix].func
    if "channels" in inspect.signature(func).parameters:
        # (a reader that takes the selection leaves out what it does not keep before its
        # checks: a text column, a label, is no error when --channels drops it)
        keep = channels
        if keep is None and sidecar_path(p).is_file():
            keep = _sidecar_channels(read_sidecar(p), src)
        raw = func(p, channels=keep)
    else:
        raw = func(p)
    side = read_sidecar(p)
    if raw.annotations is None:
        ann = annotations_path(p)
        if file_there(ann):
            raw.annotations = read_annotations(ann, src)
            raw.notes.setdefault("annotations", f"annotations read from {ann.name}")
    rec = _finish(raw, src, side, fs=fs, modality=modality, channels=channels, units=units)
    if start_s is not None or stop_s is not None:  # (format= given: read whole, then cut)
        return _cut(rec, start_s, stop_s)
    _say_flat(rec)
    return rec


def _say_flat(rec: Recording) -> None:
    """Warn (once, and in ``notes["flat"]``) of the channels of a file read whole that are
    constant over the whole recording, as the streamed read does from its first pass
    (:meth:`movement.stream._Source.say_flat`)."""
    note = flat_note(rec.channels, flat_channels(rec.data), rec.modality)
    if note:
        rec.notes["flat"] = note
        warnings.warn(f"{rec.source}: {note}", UserWarning, stacklevel=3)


def _cut(rec: Recording, start_s: float | None, stop_s: float | None) -> Recording:
    """``rec`` from ``start_s`` to ``stop_s`` seconds (as :func:`movement.stream.read_span`)."""
    a, b = span_rows(rec.n_samples, rec.fs, start_s, stop_s, str(rec.source))
    return span_recording(
        rec.data[a:b], a, rec.n_samples, fs=rec.fs, modality=rec.modality,
        channels=rec.channels, units=rec.units, start=rec.start, source=rec.source,
        notes=rec.notes,
    )  # fmt: skip


def span_rows(
    n: int, fs: float, start_s: float | None, stop_s: float | None, src: str
) -> tuple[int, int]:
    """Rows ``[a, b)`` of ``start_s`` to ``stop_s`` seconds in ``n`` samples at ``fs``
    (``stop_s`` past the end: the end, with a warning); an empty span or one outside is an
    error.

    Examples
    --------
    >>> span_rows(1000, 100.0, 2.0, 5.0, "r.npy")
    (200, 500)
    >>> span_rows(1000, 100.0, 12.0, None, "r.npy")
    Traceback (most recent call last):
    ...
    movement.errors.RecordingError: r.npy: start_s 12 s is at or past the end of the recording (10 s)
    """
    length = f"{n / fs:g} s"
    if start_s is not None and float(start_s) < 0:
        raise RecordingError(
            f"start_s must be 0 or more (s from the first sample), got {start_s}", src
        )
    a = 0 if start_s is None else int(round(float(start_s) * fs))
    b = n if stop_s is None else min(n, int(round(float(stop_s) * fs)))
    if a >= n:
        raise RecordingError(
            f"start_s {float(start_s):g} s is at or past the end of the recording ({length})",
            src,  # type: ignore[arg-type]
        )
    if stop_s is not None and float(stop_s) <= float(start_s or 0.0):
        raise RecordingError(
            f"stop_s {float(stop_s):g} s must be after start_s ({float(start_s or 0.0):g} s)", src
        )
    if b <= a:
        raise RecordingError(
            f"the span {float(start_s or 0.0):g}-{float(stop_s):g} s holds no sample at {fs:g} Hz",  # type: ignore[arg-type]
            src,
        )
    if stop_s is not None and float(stop_s) * fs > n + 0.5:
        warnings.warn(
            f"{src}: stop_s {float(stop_s):g} s is past the end of the recording ({length}): "
            "read to the end",
            stacklevel=3,
        )
    return a, b


def span_recording(
    x: np.ndarray,
    a: int,
    n: int,
    *,
    fs: float,
    modality: str,
    channels: Sequence[str],
    units: str | None,
    start: datetime | None,
    source: str | None,
    notes: dict,
) -> Recording:
    """The rows ``x`` read from sample ``a`` of ``n`` as a Recording: ``start`` moved to the
    first of them, ``notes["span"]`` saying which samples."""
    from datetime import timedelta

    b = a + x.shape[0]
    notes = dict(notes)
    notes["span"] = f"samples {a}-{b} of {n} ({a / fs:g}-{b / fs:g} s)"
    # (the events' onsets count from the span's first sample: this is its time in the file)
    notes["span_start_s"] = a / fs
    if start is not None and a:
        start = start + timedelta(seconds=a / fs)
    return Recording(
        x, fs=fs, modality=modality, channels=tuple(channels), units=units, start=start,
        source=source, notes=notes,
    )  # fmt: skip


#: A channel named by its place in the file: ``ch1``, ``ch2``... (a table without a header).
_PLACE_NAME = re.compile(r"^ch([1-9]\d*)$")


def column_places(names: Sequence[str]) -> list[int] | None:
    """Each channel's column in the file (0-based) when the channels are named by their
    place there, ``ch1``, ``ch2``... counting every column of the file, and a column before
    or between them is not a channel (a table without a header whose first column is its
    time: Daphnet's and pdkit's, channels ``ch2``...); else None (the channels' own order
    numbers them, as it does when the names run ``ch1``, ``ch2``... without a hole).

    Examples
    --------
    >>> column_places(["ch2", "ch3", "ch4"]), column_places(["ch1", "ch2"]), column_places(["x"])
    ([1, 2, 3], None, None)
    """
    places = []
    for c in names:  # loop over the channels' names
        m = _PLACE_NAME.match(str(c))
        if not m:
            return None
        places.append(int(m.group(1)) - 1)
    if places == list(range(len(places))) or any(
        b <= a for a, b in zip(places, places[1:], strict=False)
    ):
        return None
    return places


def _index_of(i: int, raw: RawSignal, places: list[int] | None, src: str) -> int:
    """The channel that number ``i`` of a selection names (see :func:`_select`)."""
    k = len(raw.channels)
    if places is None:
        if not 0 <= i < k:
            raise RecordingError(f"channel index {i} out of range (0-{k - 1})", src)
        return i
    if i in places:
        return places.index(i)
    span = (
        f"{places[0]}-{places[-1]}: channels are numbered by their column in the file, from "
        f"0, as they are named ({raw.channels[0]} is {places[0]})"
    )
    if not places[0] <= i <= places[-1] and not (0 <= i < places[0]):
        raise RecordingError(f"channel index {i} out of range ({span})", src)
    what = "its time column" if i < places[0] else "a column left out"
    raise RecordingError(
        f"channel index {i} is column {i} of the file (ch{i + 1}), {what}, not a channel ({span})",
        src,
    )


def _select(raw: RawSignal, channels: Sequence[str | int] | str, src: str) -> None:
    """Keep the ``channels`` (names or 0-based numbers; one text is split on commas) of
    ``raw``, in that order. An empty selection, an empty name or a channel selected twice
    is an error.

    Numbers count the channels as their names do: where the channels are named by their
    column in the file (``ch2``, ``ch3``... of a table without a header whose first column,
    ``ch1``, is its time: :func:`column_places`), number ``i`` is ``ch<i+1>``, the file's
    column ``i`` (Daphnet's ``[1, 2, 3]`` are ``ch2``-``ch4``, its ankle's axes), and the
    time column's number is an error; otherwise number ``i`` is the ``i``-th channel (the
    time column, when named, not counted)."""
    if isinstance(channels, str):
        channels = [c.strip() for c in channels.split(",")]
    # (numpy integers, e.g. from np.arange or np.flatnonzero, are indices too)
    channels = [int(c) if isinstance(c, np.integer) else c for c in channels]
    if not channels:
        raise RecordingError(f"empty channel selection (channels: {', '.join(raw.channels)})", src)
    if any(isinstance(c, str) and not c.strip() for c in channels):
        given = ",".join(str(c) for c in channels)
        raise RecordingError(f"empty channel name in the selection {given!r}", src)
    idx: list[int] = []
    places = column_places(raw.channels)
    for c in channels:
        if isinstance(c, int) or (isinstance(c, str) and c.isdigit() and c not in raw.channels):
            idx.append(_index_of(int(c), raw, places, src))
        elif c in raw.channels:
            idx.append(raw.channels.index(c))
        else:
            raise RecordingError(f"no channel {c!r} (channels: {', '.join(raw.channels)})", src)
        if idx.count(idx[-1]) > 1:
            given = ",".join(str(c) for c in channels)
            raise RecordingError(
                f"channel {raw.channels[idx[-1]]!r} is selected more than once ({given})", src
            )
    raw.data = raw.data[:, idx]
    raw.channels = [raw.channels[i] for i in idx]


def _conversion_notes(side: dict[str, Any], src: str, notes: dict) -> None:
    """Provenance of a file written by :func:`movement.io.convert`, from its sidecar.

    Adds ``notes["converted"]`` (from what, by which version, when) and
    ``notes["source_notes"]`` (what the original reader decided), and warns again what
    reading the original warned (a truncated device file stays flagged after conversion).
    """
    conv = side.get("Conversion")
    if not isinstance(conv, dict) or not conv.get("SourceFile"):
        return
    notes["converted"] = (
        f"converted from {conv['SourceFile']} by movement {conv.get('Version', '?')} "
        f"on {conv.get('Date', '?')}"
    )
    source_notes = conv.get("ReaderNotes")
    if isinstance(source_notes, dict) and source_notes:
        notes["source_notes"] = "; ".join(f"{k}: {v}" for k, v in source_notes.items())
        if source_notes.get("truncated"):  # the readers' contract: a short file says so
            notes["truncated"] = source_notes["truncated"]
    messages = conv.get("Warnings") or []
    if not isinstance(messages, list):  # (a text was warned character by character)
        raise RecordingError(
            f"sidecar {sidecar_path(Path(src)).name}: Conversion.Warnings must be a list of "
            f"messages, got {_shown(messages)}",
            src,
        )
    for message in messages:
        warnings.warn(f"{src}: {message} (in the original {conv['SourceFile']})", stacklevel=3)


def _say_given(notes: dict, src: str, what: str, used: Any, stated: Any, source: str) -> None:
    """Warn (one line naming the file) that the ``what`` given (``fs`` or ``modality``),
    ``used``, is not what the file states (``stated``, from ``source``: ``"sidecar"``,
    ``"header"`` or ``"time column"``), and note it (``notes["<what>_stated"]`` and
    ``notes["<what>_stated_from"]``): the value given is used, as documented (a wrong header
    is a reason to give one), but a batch given ``--fs`` or ``--modality`` for every file
    must not overrule silently what each one says of itself.

    Examples
    --------
    >>> import warnings
    >>> notes = {}
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     _say_given(notes, "d/sub01.hea", "fs", 200.0, 4000.0, "header")
    >>> print(w[0].message)
    d/sub01.hea: fs 200 Hz given (--fs), its header states 4000 Hz (used: 200 Hz)
    >>> notes
    {'fs_stated': 4000.0, 'fs_stated_from': 'header'}
    """
    where = {
        "sidecar": f"its sidecar {sidecar_path(Path(src)).name}",
        "time column": "its time column",
    }.get(source, f"its {source}")
    verb = "gives" if source == "time column" else "states"
    if what == "fs":
        given, said = f"{used:g} Hz", f"{stated:g} Hz"
        notes["fs_stated"] = float(stated)
    else:
        given, said = str(used), str(stated)
        notes["modality_stated"] = str(stated)
    notes[f"{what}_stated_from"] = source
    warnings.warn(
        f"{src}: {what} {given} given (--{what}), {where} {verb} {said} (used: {given})",
        UserWarning,
        stacklevel=3,
    )


def _finish(
    raw: RawSignal,
    src: str,
    side: dict[str, Any],
    *,
    fs: float | None,
    modality: str | None,
    channels: Sequence[str | int] | None,
    units: str | None,
    header_from: str = "header",
    time_fs: float | None = None,
) -> Recording:
    """``raw`` resolved into a Recording (rate, modality, channels, units): what
    :func:`read` and the streamed read (:func:`movement.stream._resolve`, on a sample of the
    rows) both call. ``header_from``: what ``raw.fs`` was taken from (the streamed read of a
    table passes its time column's rate there, ``"time column"``); ``time_fs``: the rate
    the time column gives when ``raw`` holds no ``time`` (a streamed table, ``fs`` given),
    for :func:`_say_given`."""
    notes = dict(raw.notes)
    # each channel's unit, as the file or its sidecar states it (by name: the channels
    # selected below must share one)
    per_channel, where = notes.pop(CHANNEL_UNITS, None) or {}, "its units row"
    _sidecar_note(Path(src), side, notes)
    _conversion_notes(side, src, notes)
    if raw.data.ndim != 2 or raw.data.shape[0] == 0:
        raise RecordingError("no samples in the file", src)
    if not units and (listed := _sidecar_channel_units(side, raw.channels, src)):
        per_channel, where = listed, f"sidecar {sidecar_path(Path(src)).name}'s Units"
    side_channels = _sidecar_channels(side, src)
    if channels is None and side_channels:
        channels = side_channels
    if channels is not None:
        _select(raw, channels, src)
    # -- sampling rate --------------------------------------------------------
    side_fs = sidecar_rate(side, src)
    fs = parse_fs(fs, src)
    if fs is not None:
        rate, how = fs, "given"
    elif side_fs is not None:
        rate, how = float(side_fs), "sidecar"
    elif raw.fs is not None:
        rate, how = float(raw.fs), header_from
    elif raw.time is not None:
        bad = np.flatnonzero(~np.isfinite(raw.time))
        if bad.size:  # (NaN compares false: it passed the checks, then broke the grid)
            i = int(bad[0])
            raise RecordingError(
                f"time column has a missing or non-finite value at row {i + 1} "
                f"({raw.time[i]}): the rate cannot be taken from it (give fs=, --fs or a "
                "sidecar)",
                src,
            )
        rate, irregular = _fs_from_time(raw.time, src)
        how = "time column"
        if irregular:
            raw.data, n_gap = to_uniform_grid(raw.time, raw.data, rate, src)
            msg = f"{src}: irregular sampling; resampled to a uniform {rate:.4g} Hz grid" + (
                f" ({n_gap} samples in gaps set missing)" if n_gap else ""
            )
            warnings.warn(msg, stacklevel=2)
            notes["resampled"] = msg
    else:
        side_name = sidecar_path(Path(src)).name
        raise UnresolvedError(
            "unknown sampling rate: give fs= (--fs on the command line), a sidecar JSON "
            f"with SamplingFrequency ({side_name}"
            + (", which has none)" if side else ")")
            + ", or a time column",
            src,
            missing="fs",
        )
    if raw.time is not None and how != "time column":
        # (still reject time going backwards; its rate is what the file states, fs given)
        time_fs = _fs_from_time(raw.time, src)[0]
        time_fs = time_fs if np.isfinite(time_fs) else None
        step = np.diff(raw.time)
        if step.size and step.max() >= 2.0 * max(float(np.median(step)), 1.0 / rate):
            # a hole in the time column: the samples after it are not the next ones; they
            # go on a grid at the rate given (the hole becomes missing values)
            raw.data, n_gap = to_uniform_grid(raw.time, raw.data, rate, src)
            msg = (
                f"{src}: the time column has holes; put on a uniform {rate:.4g} Hz grid "
                f"({n_gap} samples in gaps set missing)"
            )
            warnings.warn(msg, stacklevel=2)
            notes["resampled"] = msg
    notes["fs_from"] = how
    if how == "given":  # (what the file states, when it says otherwise: warned, noted)
        said_fs = next(
            ((float(v), w) for v, w in ((side_fs, "sidecar"), (raw.fs, header_from)) if v),
            (time_fs, "time column") if time_fs else None,
        )
        if said_fs and abs(said_fs[0] - rate) > 1e-3 * said_fs[0]:  # (0.1 %: the same)
            _say_given(notes, src, "fs", rate, *said_fs)
    # -- a label or trigger column (as stored, on the rate's grid: in both reads alike) --
    said = label_note(raw.channels, label_channels(raw.data))
    if said:
        notes["labels"] = said
        warnings.warn(f"{src}: {said}", stacklevel=2)
    # -- modality ---------------------------------------------------------------
    # (a modality given wins: the sidecar's is then not read, nor checked)
    mod = (
        _given_modality(modality)
        or _sidecar_modality(side, src)
        or _normalise_modality(raw.modality)
        or _guess_modality(raw.channels)
    )
    if mod is None:
        raise UnresolvedError(
            "cannot tell the modality: give modality='accel' or 'emg' (--modality on the "
            "command line), or a sidecar with 'Modality'",
            src,
            missing="modality",
        )
    notes["modality_from"] = (
        "given" if modality else ("sidecar/header" if (side or raw.modality) else "channel names")
    )
    if modality:  # (the sidecar's, or the header's: a guess from channel names states none)
        try:
            side_mod = _sidecar_modality(side, src)
        except RecordingError:  # (one naming neither: overruled, as it is not read)
            side_mod = None
        stated_mod = (side_mod, "sidecar") if side_mod else None
        if stated_mod is None and _normalise_modality(raw.modality):
            stated_mod = (_normalise_modality(raw.modality), "header")
        if stated_mod and stated_mod[0] != mod:
            _say_given(notes, src, "modality", mod, *stated_mod)
    # -- units ----------------------------------------------------------------------
    side_units = None if units else _sidecar_units(side, src)  # (units given win)
    stated = None if (units or side_units) else _one_unit(raw.channels, per_channel, where, src)
    declared = units or side_units or stated or raw.units
    data = raw.data
    if mod == "accel":
        if units and accel_unit_key(units) not in (*ACCEL_UNITS, "a.u."):
            raise RecordingError(unknown_accel_units(units), src)  # (as a Recording's)
        if side_units and accel_unit_key(side_units) not in (*ACCEL_UNITS, "a.u."):
            # (was ignored: the magnitude decided, as if the sidecar said nothing)
            key = _sidecar_item(side, "Units", "Unit", "AccelerometerUnits")[0]
            raise RecordingError(
                f"sidecar {sidecar_path(Path(src)).name}: {key}: "
                + unknown_accel_units(side_units).replace("leave the units out", "leave it out"),
                src,
            )
        if accel_unit_key(units or side_units) == "a.u.":
            # given as a.u. (the argument or the sidecar): kept as read, never detected,
            # as a Recording made with units="a.u." is
            factor, note = None, AU_GIVEN
        else:
            factor, note = accel_unit_factor(data, declared)  # (convert_accel_units, inlined)
        data, unit = (data, "a.u.") if factor is None else (data * factor, "g")
        notes["units"] = note
        for odd in (
            _not_acceleration(raw.channels),
            _odd_sensors(_unit_sample(raw.data), raw.channels, factor),
        ):
            if odd:  # (an IMU's gyroscope, a second sensor in other units)
                warnings.warn(f"{src}: {odd}", stacklevel=2)
        if UNITS_OVERRIDDEN in note:  # the file, its sidecar or the caller said otherwise
            warnings.warn(f"{src}: {note}", stacklevel=2)
        if unit != "g" and note != AU_GIVEN:  # (against thresholds in g: the user must hear)
            k = data.shape[1]
            hint = "keep only the tri-axial columns with --channels, or " if k > 3 else ""
            advice = (  # (no unit makes linear acceleration raw: not "state the Units")
                "give the raw acceleration, with gravity: a unit would not make it so"
                if GRAVITY_REMOVED in note
                else f"{hint}state the Units in a sidecar JSON"
            )
            warnings.warn(f"{src}: {note} ({advice})", stacklevel=2)
        else:
            # (declared in g, mg or m/s², or so detected: a median |a| far below 1 g is
            # gravity removed, which the units detection cannot tell from a unit)
            said = gravity_note(_unit_sample(data))
            if said:
                notes["gravity"] = said
                warnings.warn(f"{src}: {said}", stacklevel=2)
    else:
        if declared and accel_unit_key(declared) in ACCEL_UNITS:
            # (an EDF's accelerometer, chosen by its rate, read with --modality emg)
            raise RecordingError(
                f"the channels ({', '.join(map(str, raw.channels))}) are in {declared}: "
                "acceleration, not EMG; score them as accel, or select the EMG channels "
                "(--channels, channels=)",
                src,
            )
        unit = declared or "a.u."
        # (kept as stated: nothing converts EMG to a common unit; a unit none knows, or
        # one off by orders of magnitude, is told, as the amplitudes are reported in it)
        said = emg_units_note(_unit_sample(data), unit)
        if said:
            notes["units"] = said
            warnings.warn(f"{src}: {said}", stacklevel=2)
        # (an accelerometer's columns beside the EMG's, no unit telling them apart)
        both = "" if per_channel else _sensors_note(raw.channels)
        if both:
            notes["sensors"] = both
            warnings.warn(f"{src}: {both}", stacklevel=2)
    start = raw.start
    side_start = _sidecar_get(side, "RecordingStartTime", "StartTime", "AcquisitionDateTime")
    if start is None and side_start:
        try:
            start = datetime.fromisoformat(str(side_start))
        except ValueError:
            notes["start"] = f"could not parse start time {side_start!r}"
    return Recording(
        data,
        fs=rate,
        modality=mod,
        channels=tuple(raw.channels),
        units=str(unit),
        start=start,
        source=src,
        annotations=raw.annotations,
        notes=notes,
    )


_PLUGINS_LOADED = False


def _load_plugins() -> None:
    """Import the built-in reader modules (registration happens at import)."""
    global _PLUGINS_LOADED
    if not _PLUGINS_LOADED:
        _PLUGINS_LOADED = True
        from . import hdf5, tables  # noqa: F401

        try:
            from . import devices  # noqa: F401
        except ImportError:  # pragma: no cover - devices module is optional
            pass


def readers() -> list[ReaderInfo]:
    """The registered readers (one entry per reader function)."""
    _load_plugins()
    seen: dict[int, ReaderInfo] = {}
    for info in READERS.values():
        seen.setdefault(id(info.func), info)
    return list(seen.values())


__all__ = [
    "RawSignal",
    "READERS",
    "register_reader",
    "read",
    "readers",
    "find_recordings",
    "Found",
    "is_recording_file",
    "read_sidecar",
    "sidecar_path",
    "sidecar_rate",
    "annotations_path",
    "read_annotations",
    "convert",
    "convert_accel_units",
    "parse_fs",
    "to_uniform_grid",
]

from .conversion import convert  # noqa: E402 - uses read() above
