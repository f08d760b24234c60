"""Readers for clinical and wearable-device formats.

Each reader imports its optional package inside the function, so ``import movement``
never needs them, and raises :class:`~movement.errors.MissingExtraError` naming the
extra to install when the package is missing:

========================  ===========================  ====================
suffix                    format                       extra (package)
========================  ===========================  ====================
``.edf``, ``.bdf``        EDF, EDF+, BDF               ``edf`` (edfio)
``.hea``                  PhysioNet WFDB record        ``wfdb`` (wfdb)
``.cwa``                  Axivity AX3 / AX6            ``devices`` (actfast)
``.bin``                  GENEActiv                    ``devices`` (actfast)
``.gt3x``                 ActiGraph                    ``devices`` (actfast), else
                                                       ``gt3x-gpl`` (pygt3x, GPL)
========================  ===========================  ====================

Every reader checks what it read against what the file's header declares (records,
blocks, pages, sample count or duration x rate): zero samples or a count that does not
fit is a :class:`~movement.errors.RecordingError`; a file that simply ends early
(truncated copy) is read up to its end with a warning and a ``notes["truncated"]``
entry, never silently short. An Axivity ``.cwa``'s blocks that fail their checksum or hold
no data (zeroed, erased) are skipped with one warning (``notes["skipped_blocks"]``), and a
hole between its blocks (the device stopped, blocks missing or skipped) is missing time
(``notes["block_gaps"]``), never the samples before it spread over it.

The start time is the device's local clock; it carries the UTC offset the file states
(GENEActiv ``Time Zone``, ActiGraph ``info.txt``'s ``TimeZone``, an Axivity header's
``timeZone`` when not -1), and none when the file states none.
"""

from __future__ import annotations

import importlib
import re
import warnings
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from ..errors import MissingExtraError, RecordingError
from . import RawSignal, register_reader, to_uniform_grid

__all__ = [
    "EdfRows",
    "open_edf",
    "read_edf",
    "WfdbRows",
    "open_wfdb",
    "read_wfdb",
    "read_cwa",
    "read_geneactiv",
    "read_gt3x",
]


def _import(module: str, what: str, extra: str) -> ModuleType:
    """Import an optional package or raise :class:`MissingExtraError`."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(what, extra, module) from None


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _truncated(path: Path, notes: dict, message: str) -> None:
    """Record and warn that ``path`` ends before its header says it should."""
    notes["truncated"] = message
    warnings.warn(f"{path}: {message}", stacklevel=3)


def _refuse_empty(path: Path) -> None:
    """A 0-byte file is one line (the readers' libraries fail on it in their own words)."""
    if path.stat().st_size == 0:
        raise RecordingError("the file is empty", str(path))


def _refuse_broken_zip(path: Path) -> None:
    """A ``.gt3x`` is a ZIP archive, whose directory is at its end: a file cut short (a
    copy in progress, a full disk) has none. Said in one line, before the readers fail in
    their own words (and a second reader is suggested for a file no reader can read)."""
    import zipfile

    if zipfile.is_zipfile(path):
        return
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head == b"PK\x03\x04":
        names = _zip_local_names(path)
        why = ""
        if "info.txt" not in names:
            # (ActiGraph writes log.bin first, info.txt last: a cut file has lost it)
            why = (
                ": its info.txt (the sample rate, start time and acceleration scale), "
                "which ActiGraph writes after log.bin, is lost, and the samples cannot be read "
                "soundly without it; copy the file again from the device or ActiLife"
            )
        raise RecordingError(
            "truncated or damaged .gt3x file: a ZIP archive without its directory at the end" + why,
            str(path),
        )
    raise RecordingError("not an ActiGraph .gt3x file (not a ZIP archive)", str(path))


def _zip_local_names(path: Path) -> list[str]:
    """The names of the entries whose local header a ZIP archive holds, in order, up to the
    first that is cut or whose length is not in its header (stored after its data)."""
    names: list[str] = []
    size = path.stat().st_size
    with open(path, "rb") as fh:
        at = 0
        while at + 30 <= size:  # loop over the entries' local headers (a few)
            fh.seek(at)
            h = fh.read(30)
            if h[:4] != b"PK\x03\x04":
                break
            flags = int.from_bytes(h[6:8], "little")
            packed = int.from_bytes(h[18:22], "little")
            n_name, n_extra = int.from_bytes(h[26:28], "little"), int.from_bytes(h[28:30], "little")
            names.append(fh.read(n_name).decode("utf-8", "replace"))
            if flags & 0x08:  # (its length follows its data: the next one cannot be found)
                break
            at += 30 + n_name + n_extra + packed
    return names


def _ns_to_datetime(ns: int, zone: timezone | None = None) -> datetime:
    """Nanoseconds since the epoch (the device's local clock, as actfast gives it) to a
    datetime on that clock: naive, or with ``zone``, the UTC offset the file states."""
    t = datetime(1970, 1, 1) + timedelta(microseconds=int(ns) // 1000)
    return t if zone is None else t.replace(tzinfo=zone)


def _zone(minutes: float) -> timezone | None:
    """A UTC offset of ``minutes``, or None when no clock has it (beyond +-14 h)."""
    if not abs(minutes) <= 14 * 60:
        return None
    return timezone(timedelta(minutes=minutes))


_OFFSET = re.compile(r"^\s*(?:GMT|UTC)?\s*([+-])?\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$", re.I)


def _stated_zone(text: Any) -> timezone | None:
    """The UTC offset a device header states as text (GENEActiv ``GMT +01:00``, an
    ActiGraph ``info.txt``'s ``TimeZone`` ``02:00:00`` or ``-05:00:00``), or None.

    Examples
    --------
    >>> _stated_zone("GMT +01:00"), _stated_zone("-05:00:00"), _stated_zone(""), _stated_zone("x")
    (datetime.timezone(datetime.timedelta(seconds=3600)), \
datetime.timezone(datetime.timedelta(days=-1, seconds=68400)), None, None)
    """
    m = _OFFSET.match(str(text or ""))
    if not m:
        return None
    minutes = int(m.group(2)) * 60 + int(m.group(3)) + int(m.group(4) or 0) / 60
    return _zone(-minutes if m.group(1) == "-" else minutes)


_EMG_LABEL = re.compile(r"emg|muscle", re.IGNORECASE)
_ACC_LABEL = re.compile(r"acc|accel|accelerometer", re.IGNORECASE)
_ACC_UNITS = {"g", "mg", "m/s2", "m/s^2", "m/s²", "ms-2", "m s-2"}
#: Electrical units: of the two modalities scored, only EMG is in volts (a muscle's label,
#: ``FDS`` or ``TA``, names no modality)
_EMG_UNITS = {"v", "mv", "uv", "µv", "μv", "nv"}


def _guess_modality(labels: list[str], transducers: list[str], units: list[str]) -> str | None:
    """``"emg"`` or ``"accel"`` when every channel says the same (by its label and
    transducer, else its unit: g or m/s² is accelerometry, volts EMG), else None.

    Examples
    --------
    >>> _guess_modality(["FDS", "ECR"], ["", ""], ["uV", "uV"])
    'emg'
    >>> _guess_modality(["X", "Y"], ["", ""], ["g", "g"]), _guess_modality(["A"], [""], [""])
    ('accel', None)
    """
    votes = []
    for lab, trans, unit in zip(labels, transducers, units, strict=True):
        text = f"{lab} {trans}"
        u = unit.strip().lower()
        if _EMG_LABEL.search(text):
            votes.append("emg")
        elif _ACC_LABEL.search(text) or u in _ACC_UNITS:
            votes.append("accel")
        elif u in _EMG_UNITS:
            votes.append("emg")
        else:
            votes.append(None)
    if votes and len(set(votes)) == 1:
        return votes[0]
    return None


# -- EDF / EDF+ / BDF --------------------------------------------------------------------------


def _edf_header_check(path: Path, notes: dict) -> None:
    """Check the fixed header against the file size (truncated copies, wrong files)."""
    src = str(path)
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(256)
        if len(head) < 256:
            raise RecordingError(f"not an EDF/BDF file: only {size} bytes (header is 256+)", src)
        is_bdf = head[:8] == b"\xffBIOSEMI"
        if not (is_bdf or head[:8] == b"0       "):
            raise RecordingError("not an EDF/BDF file (the first 8 bytes are not a version)", src)
        try:
            n_sig = int(head[252:256].decode("ascii").strip())
            declared = int(head[236:244].decode("ascii").strip())
        except ValueError:
            raise RecordingError("corrupt EDF header (signal or record count)", src) from None
        header_bytes = 256 * (n_sig + 1)
        rest = fh.read(header_bytes - 256)
    if n_sig <= 0 or len(rest) < header_bytes - 256:
        raise RecordingError(
            f"truncated EDF header: {size} bytes, the header alone needs {header_bytes}", src
        )
    duration_field = head[244:252].decode("ascii", "replace").strip()
    try:
        duration = float(duration_field)
    except ValueError:
        duration = float("nan")
    labels = [rest[16 * i : 16 * i + 16].strip() for i in range(n_sig)]
    annotation_only = all(lab == b"EDF Annotations" for lab in labels)  # (0 s allowed there)
    if not (np.isfinite(duration) and duration > 0) and not annotation_only:
        # (the rate is samples per record / duration: edfio divided by 0 or went negative)
        raise RecordingError(
            f"corrupt EDF header: record duration {duration_field!r} s is not a positive number",
            src,
        )
    off = n_sig * (16 + 80 + 8 * 5 + 80)  # label .. prefiltering, then ns
    try:
        per_record = [
            int(rest[off + 8 * i : off + 8 * i + 8].decode("ascii").strip()) for i in range(n_sig)
        ]
    except ValueError:
        raise RecordingError("corrupt EDF header (samples per record)", src) from None
    record_bytes = sum(per_record) * (3 if is_bdf else 2)
    if record_bytes <= 0:
        raise RecordingError("corrupt EDF header (empty data records)", src)
    in_file = (size - header_bytes) // record_bytes
    if in_file == 0:
        raise RecordingError(
            f"no complete data record after the header (header declares {declared})", src
        )
    if declared > 0 and in_file < declared:
        _truncated(
            path,
            notes,
            f"file is truncated: {in_file} of {declared} data records declared in the header "
            "were read",
        )
    elif declared > 0 and in_file > declared:
        notes["records"] = (
            f"{in_file - declared} data records beyond the {declared} declared ignored"
        )


class EdfRows:
    """The rows of an EDF/BDF file's signals, decoded on demand (physical values, float64).

    An array-like of shape ``(n_samples, n_signals)``: ``rows[a:b]`` reads samples
    ``a:b`` of every signal with edfio's ``get_data_slice`` (for a lazily opened EDF only
    the data records that hold them), so a long file can be scored window by window
    (:func:`movement.stream.score_stream`) without its whole data in memory. The values
    are those of ``signal.data``: the same calibration, element by element.

    Parameters
    ----------
    signals : list of edfio signals
        Signals of one sampling rate, in output column order.
    n : int
        Samples per signal (the shortest of them).
    fs : float
        Their sampling rate (Hz).
    runs : ndarray of int, shape (n_runs, 3), optional
        For an EDF+D file, the runs of contiguous data records on the recording's clock:
        ``(row, file_sample, length)`` each (see :func:`_edf_runs`). The rows are then those
        of the clock, ``n`` of them: samples between runs (the gaps) are NaN, missing.
    """

    ndim = 2
    dtype = np.dtype(np.float64)

    def __init__(
        self, signals: list[Any], n: int, fs: float, runs: np.ndarray | None = None
    ) -> None:
        self.signals = list(signals)
        self.n = int(n)
        self.fs = float(fs)
        self.runs = runs
        self.shape = (self.n, len(self.signals))

    def __len__(self) -> int:
        return self.n

    def select(self, idx: list[int]) -> EdfRows:
        """The same rows with only the signals ``idx`` (in that order)."""
        return EdfRows([self.signals[i] for i in idx], self.n, self.fs, self.runs)

    def _read(self, out: np.ndarray, a: int, b: int) -> None:
        """File samples ``a:b`` of every signal into ``out``."""
        for j, sig in enumerate(self.signals):  # loop over channels
            # samples a:b exactly: edfio rounds second * fs back to the index
            out[:, j] = sig.get_data_slice(a / self.fs, b / self.fs)

    def __getitem__(self, key: slice) -> np.ndarray:
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("EdfRows supports row slices rows[a:b] only")
        a, b, _ = key.indices(self.n)
        b = max(a, b)
        if self.runs is None:
            out = np.empty((b - a, len(self.signals)))
            if b > a:
                self._read(out, a, b)
        else:  # EDF+D: the runs of records that meet a:b, NaN between them
            out = np.full((b - a, len(self.signals)), np.nan)
            row, at, length = self.runs.T
            first = max(0, int(np.searchsorted(row + length, a, side="right")))
            last = int(np.searchsorted(row, b, side="left"))
            for r in range(first, last):  # loop over the runs met (gaps + 1 at most)
                lo, hi = max(a, int(row[r])), min(b, int(row[r] + length[r]))
                if hi > lo:
                    f = int(at[r]) + lo - int(row[r])
                    self._read(out[lo - a : hi - a], f, f + hi - lo)
        self._drop_pages()
        return out

    def _drop_pages(self) -> None:
        """Release the file pages a read mapped in (file-backed RSS stays flat)."""
        import mmap

        for sig in self.signals[:1]:  # the signals share one memory map of the records
            buf = getattr(getattr(sig, "_lazy_loader", None), "buffer", None)
            mm = getattr(buf, "_mmap", None)
            if isinstance(mm, mmap.mmap):
                mm.madvise(mmap.MADV_DONTNEED)


def _edf_rate(signals: list[Any], channels: Any, src: str) -> float:
    """The sampling rate whose signals are kept: that of the signals ``channels`` names
    (they must share one), else the most common rate (ties go to the highest)."""
    rates = Counter(float(s.sampling_frequency) for s in signals)
    best = max(rates.items(), key=lambda kv: (kv[1], kv[0]))[0]
    if channels is None or len(rates) == 1:
        return best
    names = [channels] if isinstance(channels, str) else list(channels)
    if len(names) == 1 and isinstance(names[0], str) and "," in names[0]:
        names = names[0].split(",")
    labels = {s.label.strip(): float(s.sampling_frequency) for s in signals}
    named = [str(c).strip() for c in names if str(c).strip() in labels]
    if not named or len(named) < len(names):  # (indices: of the signals at the usual rate)
        return best
    chosen = {labels[c] for c in named}
    if len(chosen) > 1:
        raise RecordingError(
            "the channels selected are sampled at different rates ("
            + ", ".join(f"{c} {labels[c]:g} Hz" for c in named)
            + "): select channels of one rate, and score the others apart",
            src,
        )
    return chosen.pop()


#: An EDF+D file's clock may be at most this many times longer than its records (and
#: at least 1e8 samples): beyond it the gaps are taken for wrong onsets, not restored.
_EDF_GAP_LIMIT = 100


def _edf_record_onsets(path: Path, n_records: int) -> np.ndarray | None:
    """The onsets (s) of the first ``n_records`` data records of an EDF+/BDF+ file.

    Each data record's first annotation signal begins with its timekeeping annotation,
    ``+onset\\x14\\x14`` (EDF+ specification, section 2.2.4): its onset is read from the
    file's bytes (memory-mapped; the first 64 bytes of that signal in each record). None
    when the file has no annotation signal or a record's onset cannot be read.
    """
    with open(path, "rb") as fh:
        head = fh.read(256)
        n_sig = int(head[252:256].decode("ascii").strip())
        rest = fh.read(256 * n_sig)
    bps = 3 if head[:8] == b"\xffBIOSEMI" else 2
    labels = [rest[16 * i : 16 * i + 16].strip() for i in range(n_sig)]
    off = n_sig * (16 + 80 + 8 * 5 + 80)  # label .. prefiltering, then samples per record
    per_record = [int(rest[off + 8 * i : off + 8 * i + 8].decode("ascii")) for i in range(n_sig)]
    ann = [i for i, lab in enumerate(labels) if lab in (b"EDF Annotations", b"BDF Annotations")]
    record = sum(per_record) * bps
    n_records = min(n_records, (path.stat().st_size - 256 * (n_sig + 1)) // record)
    if not ann or n_records <= 0:
        return None
    at = sum(per_record[: ann[0]]) * bps
    width = min(per_record[ann[0]] * bps, 64)
    mm = np.memmap(path, np.uint8, "r", offset=256 * (n_sig + 1), shape=(n_records, record))
    tal = np.array(mm[:, at : at + width])
    del mm
    end = np.argmax(tal == 0x14, axis=1)  # the first separator of each record's TAL
    if not (tal[np.arange(n_records), end] == 0x14).all():
        return None
    try:
        return np.fromiter(
            (float(bytes(r[:k])) for r, k in zip(tal, end, strict=True)), float, n_records
        )
    except ValueError:
        return None


def _edf_runs(onsets: np.ndarray, spr: int, fs: float) -> tuple[np.ndarray, int, float] | str:
    """The runs of contiguous data records of an EDF+D file on its clock.

    Parameters
    ----------
    onsets : ndarray
        Each data record's onset (s), :func:`_edf_record_onsets`.
    spr : int
        Samples per data record of the signals kept.
    fs : float
        Their sampling rate (Hz).

    Returns
    -------
    (runs, n, off) or str
        ``runs`` (n_runs, 3): each run's first row on the clock (onsets rounded to the
        sample grid), its first sample in the file and its length (samples); ``n``
        the clock's length (samples); ``off`` the largest rounding (samples). A string
        says why the onsets cannot be used: records that overlap or go back in time, or
        gaps that would make the clock over ``_EDF_GAP_LIMIT`` times the records.

    Examples
    --------
    >>> runs, n, off = _edf_runs(np.array([0.0, 1.0, 5.0, 6.0]), 100, 100.0)
    >>> runs.tolist(), n, off
    ([[0, 0, 200], [500, 200, 200]], 700, 0.0)
    """
    rel = (onsets - onsets[0]) * fs
    row = np.rint(rel).astype(np.int64)
    if np.any(np.diff(row) < spr):
        return "data records overlap or go back in time on their onsets"
    n_file = len(row) * spr
    n = int(row[-1]) + spr
    if n > max(_EDF_GAP_LIMIT * n_file, 10**8):
        return f"the record onsets span {n / fs:g} s for {n_file / fs:g} s of data (wrong onsets?)"
    first = np.r_[0, np.flatnonzero(np.diff(row) != spr) + 1]  # records that start a run
    length = np.diff(np.r_[first, len(row)]) * spr
    runs = np.column_stack([row[first], first * spr, length])
    return runs, n, float(np.abs(rel - row).max())


def open_edf(path: Path, channels: Any = None) -> RawSignal:
    """Open an EDF, EDF+ or BDF file: its header, annotations and on-demand rows.

    What :func:`read_edf` returns, except that ``data`` is an :class:`EdfRows` (decoded
    when sliced) instead of an array. EDF files are memory-mapped by edfio (only the
    records read are decoded); edfio reads a BDF file's digital values whole.
    ``channels`` (names), when given, choose the sampling rate kept (see :func:`read_edf`).
    """
    edfio = _import("edfio", "EDF/BDF files", "edf")
    src = str(path)
    notes: dict[str, Any] = {}
    _edf_header_check(path, notes)
    bdf = path.suffix.lower() == ".bdf"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # truncation is reported above, once
            edf = edfio.read_bdf(path) if bdf else edfio.read_edf(path, lazy_load_data=True)
    except Exception as exc:  # noqa: BLE001 - edfio raises many types for bad files
        raise RecordingError(
            f"not a readable {'BDF' if bdf else 'EDF'} file ({_one_line(exc)})", src
        ) from None
    signals = list(edf.signals)
    if not signals:
        raise RecordingError("no signals (annotation-only EDF+ file)", src)
    best = _edf_rate(signals, channels, src)
    kept = [s for s in signals if float(s.sampling_frequency) == best]
    dropped = [s for s in signals if float(s.sampling_frequency) != best]
    if dropped:
        notes["dropped_channels"] = (
            f"kept {len(kept)} signals at {best:g} Hz; dropped "
            + ", ".join(f"{s.label.strip()} ({s.sampling_frequency:g} Hz)" for s in dropped)
        )
        if channels is None:  # (on screen too: whole sensors may be left out unsaid)
            warnings.warn(
                f"{src}: {notes['dropped_channels']}: signals of one rate are scored together; "
                "select the others by name to score them (--channels, channels=)",
                stacklevel=3,
            )
    n = min(len(s.data) if bdf else s.samples_per_data_record * edf.num_data_records for s in kept)
    labels = [s.label.strip() or f"ch{i + 1}" for i, s in enumerate(kept)]
    dims = [s.physical_dimension.strip() for s in kept]
    units = dims[0] if dims and len(set(dims)) == 1 and dims[0] else None
    if units is None and any(dims):
        notes["units"] = "channels have different units: " + ", ".join(
            f"{lab}={d or '?'}" for lab, d in zip(labels, dims, strict=True)
        )
        acc = [lab for lab, d in zip(labels, dims, strict=True) if d.lower() in _ACC_UNITS]
        if acc and len(acc) < len(labels):  # (one rate: scored together, as one modality)
            other = [lab for lab in labels if lab not in acc]
            warnings.warn(
                f"{src}: {', '.join(acc)} (acceleration) and {', '.join(other)} are sampled "
                "at one rate and would be scored together as one modality: select one kind "
                "(--channels, channels=)",
                stacklevel=3,
            )
    start = None
    try:
        start = edf.startdatetime
    except Exception as exc:  # noqa: BLE001 - anonymised or invalid dates
        notes["start"] = f"start date not usable ({_one_line(exc)})"
    runs = None
    try:
        continuous = edf.is_continuous
    except Exception:  # noqa: BLE001 - plain EDF has no continuity flag
        continuous = True
    if not continuous:  # EDF+D: the records are put on the file's clock, gaps missing
        spr = int(kept[0].samples_per_data_record)
        onsets = _edf_record_onsets(path, n // spr) if spr else None
        made = (
            _edf_runs(onsets, spr, best)
            if onsets is not None and len(onsets) == n // spr
            else "the records' timekeeping onsets could not be read"
        )
        if isinstance(made, str):  # (on screen too: every onset after a gap is early)
            notes["discontinuous"] = (
                "EDF+D (discontinuous) file: data records were joined end to end, "
                f"time gaps between them are not restored ({made})"
            )
            warnings.warn(
                f"{src}: {notes['discontinuous']}: onsets after a gap are early by its "
                "length; split the file at its gaps (e.g. with edfio) to score it on its clock",
                stacklevel=3,
            )
        else:
            runs, n_clock, off = made
            notes["discontinuous"] = (
                f"EDF+D (discontinuous) file: {len(runs) - 1} gap(s) between data records, "
                f"{(n_clock - n) / best:g} s in all, restored as missing samples"
                + (
                    f"; record onsets rounded to the sample grid by up to {off / best:.3g} s"
                    if off > 1e-3
                    else ""
                )
            )
            if len(runs) == 1:
                runs = None  # (marked EDF+D, but its records are contiguous)
            n = n_clock
    try:
        anns = edf.annotations
    except Exception as exc:  # noqa: BLE001
        anns = ()
        notes["annotations"] = f"annotations could not be read ({_one_line(exc)})"
    annotations = None
    if anns:
        annotations = pd.DataFrame(
            {
                "onset": [float(a.onset) for a in anns],
                "duration": [float(a.duration) if a.duration is not None else 0.0 for a in anns],
                "description": [str(a.text) for a in anns],
            }
        )
    modality = _guess_modality(labels, [s.transducer_type for s in kept], dims)
    return RawSignal(
        data=EdfRows(kept, n, best, runs),  # type: ignore[arg-type]
        channels=labels,
        fs=best,
        start=start,
        units=units,
        modality=modality,
        annotations=annotations,
        notes=notes,
    )


@register_reader(".edf", ".bdf", extra="edf", description="EDF / EDF+ / BDF (edfio)")
def read_edf(path: Path, channels: Any = None) -> RawSignal:
    """Read an EDF, EDF+ or BDF file with edfio.

    The channels are the ordinary signals at one sampling rate: that of the signals
    ``channels`` names (``--channels EMG1,EMG2``), else the most common rate (ties go to
    the highest); annotation signals are excluded and signals at other rates are dropped
    with a note (and a warning, when no channels were named). EDF files are loaded lazily and decoded once, channel by channel, into
    the output array (:func:`open_edf` gives the same rows on demand, for streaming).

    Parameters
    ----------
    path : Path
        The ``.edf`` or ``.bdf`` file.

    Returns
    -------
    RawSignal
        Physical values, the header's sampling rate, start date/time, units (when all
        channels share one), annotations (``onset``, ``duration``, ``description``) and a
        modality guessed from the labels / transducer when it is clear.
    """
    raw = open_edf(path, channels)
    try:
        raw.data = raw.data[:]  # one channel at a time; no whole-file float64 copy
    except Exception as exc:  # noqa: BLE001
        raise RecordingError(f"cannot decode the EDF data ({_one_line(exc)})", str(path)) from None
    return raw


# -- WFDB --------------------------------------------------------------------------------------

_UNIT_CASE = {"mv": "mV", "uv": "uV", "MV": "mV", "UV": "uV"}
_WFDB_NOT_ANN = {".hea", ".dat", ".json", ".md", ".txt", ".csv", ".tsv", ".mat", ".edf", ".tmp"}


class WfdbRows:
    """The rows of a WFDB record, read on demand with ``wfdb.rdrecord(sampfrom, sampto)``.

    An array-like of shape ``(n_samples, n_channels)`` (physical values, float64) whose
    row slices equal the same rows of the whole record, bit for bit (the same per-sample
    conversion); see :class:`EdfRows`.

    Parameters
    ----------
    base : str
        The record's path without ``.hea``.
    n : int
        Samples per channel (the header's ``sig_len``).
    channels : list of int
        Channel indices in the record, in output column order.
    """

    ndim = 2
    dtype = np.dtype(np.float64)

    def __init__(self, base: str, n: int, channels: list[int]) -> None:
        self.base = base
        self.n = int(n)
        self.channels = list(channels)
        self.shape = (self.n, len(self.channels))

    def __len__(self) -> int:
        return self.n

    def select(self, idx: list[int]) -> WfdbRows:
        """The same rows with only the channels ``idx`` (in that order)."""
        return WfdbRows(self.base, self.n, [self.channels[i] for i in idx])

    def __getitem__(self, key: slice) -> np.ndarray:
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("WfdbRows supports row slices rows[a:b] only")
        a, b, _ = key.indices(self.n)
        if b <= a:
            return np.empty((0, len(self.channels)))
        src = self.base + ".hea"
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*inplace keyword.*")  # wfdb vs pandas 3
            wfdb = _import("wfdb", "WFDB records", "wfdb")
            try:
                rec = wfdb.rdrecord(
                    self.base, sampfrom=a, sampto=b, channels=self.channels, physical=True
                )
            except Exception as exc:  # noqa: BLE001 - wfdb raises many types for bad records
                raise RecordingError(_wfdb_error(exc), src) from None
        sig = rec.p_signal
        if sig is None or sig.ndim != 2 or sig.shape[0] != b - a:
            got = 0 if sig is None else sig.shape[0]
            raise RecordingError(f"read {a + got} samples but the header declares {self.n}", src)
        return np.asarray(sig, dtype=np.float64)


#: Bytes per sample of the WFDB signal formats (not the FLAC-compressed 508, 516, 524).
_WFDB_BYTES = {
    "8": 1.0, "16": 2.0, "24": 3.0, "32": 4.0, "61": 2.0, "80": 1.0, "160": 2.0,
    "212": 1.5, "310": 4 / 3, "311": 4 / 3,
}  # fmt: skip


def _wfdb_files_check(rec: Any, base: Path, src: str) -> None:
    """Refuse a record whose signal files are missing or shorter than the header declares.

    ``wfdb`` itself only says "Samples were not loaded correctly" (and that only when
    the rows are read). Each file's size must hold ``sig_len`` frames of the samples of
    its signals (``fmt`` bytes each, ``samps_per_frame`` per frame) after its byte offset.
    """
    n_sig = int(rec.n_sig or 0)
    names = list(rec.file_name or [])
    fmts = [str(f) for f in (rec.fmt or [])]
    per = list(rec.samps_per_frame or [1] * n_sig)
    offs = list(rec.byte_offset or [None] * n_sig)
    files: dict[str, list[float]] = {}  # name -> [bytes per frame, byte offset]
    unknown: set[str] = set()  # (compressed formats: the size says nothing)
    for name, fmt, k, off in zip(names, fmts, per, offs, strict=False):
        if name in ("~", "-") or fmt == "0":  # (no samples stored / standard input)
            continue
        entry = files.setdefault(name, [0.0, float(off or 0)])
        if fmt in _WFDB_BYTES:
            entry[0] += _WFDB_BYTES[fmt] * int(k or 1)
        else:
            unknown.add(name)
    for name, (frame_bytes, offset) in files.items():
        f = base.parent / name
        if not f.is_file():
            raise RecordingError(f"signal file {name} (named in the header) is missing", src)
        if name in unknown:
            continue
        expected = int(int(rec.sig_len) * frame_bytes)  # (rounded down: 212/310 packing)
        found = f.stat().st_size - int(offset)
        if found < expected:
            raise RecordingError(
                f"signal file {name} is shorter than its header declares "
                f"(expected {expected} bytes of data, found {max(found, 0)})",
                src,
            )


def _wfdb_error(exc: BaseException) -> str:
    """What a failed ``wfdb.rdrecord`` means, in one line."""
    if "Samples were not loaded correctly" in str(exc):
        return "a signal file is shorter than its header declares"
    return f"not a readable WFDB record ({_one_line(exc)})"


def _wfdb_whole(wfdb: ModuleType, base: Path, src: str) -> tuple[Any, np.ndarray]:
    """The whole record (``rdrecord``) and its physical values: for a header that does
    not give its length, and for multi-segment records."""
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*inplace keyword.*")  # wfdb vs pandas 3
            rec = wfdb.rdrecord(str(base), physical=True)
    except Exception as exc:  # noqa: BLE001 - wfdb raises many types for bad records
        raise RecordingError(_wfdb_error(exc), src) from None
    sig = rec.p_signal
    if sig is None or sig.ndim != 2 or sig.shape[0] == 0:
        raise RecordingError("the WFDB record has no samples", src)
    if rec.sig_len and sig.shape[0] != rec.sig_len:
        raise RecordingError(
            f"read {sig.shape[0]} samples but the header declares {rec.sig_len}", src
        )
    return rec, np.asarray(sig, dtype=np.float64)


_WFDB_RATE = re.compile(r"(?:\d+\.?\d*|\.\d+)")
#: The WFDB signal formats (``fmt``, the 2nd field of a signal line): wfdb reads these.
_WFDB_FORMATS = (*_WFDB_BYTES, "508", "516", "524")


def _wfdb_header_check(path: Path, src: str) -> None:
    """Refuse, in one line, a header that is empty, has no usable record line, lists
    another number of signal (or segment) lines than it declares, or gives a signal line
    no WFDB format; and a record line whose sampling-frequency field is present but not
    a positive number, or whose number of samples is present but not a whole number.

    wfdb says these as an IndexError, a TypeError or a KeyError when the rows are read,
    or "invalid syntax in record line"; a header listing more signals than it declares
    was read as that many. wfdb reads a rate field it cannot parse (``-4000``, ``abc``)
    as absent, and an absent rate is 250 Hz by the WFDB spec: such a record was scored at
    250 Hz, silently. A record line that omits the field (``name n_sig``) keeps the
    default.
    """
    try:
        raw = path.read_bytes()
    except OSError:
        return  # (rdheader has read it: not reached)
    text = raw.decode("latin-1")
    if not text.strip():
        raise RecordingError("the file is empty", src)
    # the lines as wfdb takes them: ASCII (other bytes dropped), stripped, comments apart
    lines = [ln.strip() for ln in raw.decode("ascii", "ignore").splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    if not lines:
        raise RecordingError("the WFDB header has no record line (only comments)", src)
    fields = lines[0].split()
    if len(fields) < 2:
        raise RecordingError(
            f"the WFDB header's record line {_shown(lines[0])} gives no number of signals "
            "(2nd field)",
            src,
        )
    if not fields[1].isdigit():
        raise RecordingError(
            f"the WFDB header's number of signals {_shown(fields[1])} (2nd on the record line) "
            "is not a whole number",
            src,
        )
    for line in text.splitlines():  # (the rate as written, before any byte is dropped)
        rate_fields = line.split()
        if not rate_fields or rate_fields[0].startswith("#"):
            continue
        if len(rate_fields) >= 3:  # (without the field: 250 Hz, the WFDB default)
            field = rate_fields[2]
            rate = re.split(r"[/(]", field, maxsplit=1)[0]
            if not _WFDB_RATE.fullmatch(rate) or not float(rate) > 0:
                raise RecordingError(
                    f"the WFDB header's sampling-rate field {field!r} (3rd on the record "
                    "line) is not a positive number",
                    src,
                )
        # (a length wfdb cannot parse, "-5", was read as absent: the whole file then)
        if len(rate_fields) >= 4 and not rate_fields[3].isdigit():
            raise RecordingError(
                f"the WFDB header's number of samples {_shown(rate_fields[3])} (4th on the "
                "record line) is not a whole number",
                src,
            )
        break
    name, _, n_seg = fields[0].partition("/")
    what, declared = ("segments", n_seg) if n_seg.isdigit() else ("signals", fields[1])
    listed = len(lines) - 1
    if listed != int(declared):
        raise RecordingError(
            f"the WFDB header declares {int(declared)} {what} but lists {listed or 'none'}", src
        )
    if what == "segments":
        return
    for i, line in enumerate(lines[1:], start=1):
        parts = line.split()
        if len(parts) < 2:
            raise RecordingError(
                f"the WFDB header's line for signal {i} ({_shown(line)}) gives no format "
                "(2nd field)",
                src,
            )
        # (the field is FORMAT, then optionally xSAMPLES, :SKEW, +OFFSET)
        fmt = re.match(r"\d*", parts[1]).group() or parts[1]  # type: ignore[union-attr]
        if fmt not in _WFDB_FORMATS:
            raise RecordingError(
                f"the WFDB header gives signal {i} the format {fmt!r}, which is no WFDB "
                f"signal format ({', '.join(_WFDB_FORMATS)})",
                src,
            )


def _shown(text: str, limit: int = 40) -> str:
    """``text`` quoted, cut to ``limit`` characters (a header line may be long)."""
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def open_wfdb(path: Path) -> RawSignal:
    """Open a WFDB record: its header, annotations and on-demand rows (:class:`WfdbRows`).

    What :func:`read_wfdb` returns, except that ``data`` is read when sliced.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*inplace keyword.*")  # wfdb vs pandas 3
        wfdb = _import("wfdb", "WFDB records", "wfdb")
    src = str(path)
    base = path.with_name(path.name[: -len(".hea")])
    notes: dict[str, Any] = {}
    if path.exists():
        _wfdb_header_check(path, src)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*inplace keyword.*")  # wfdb vs pandas 3
            rec = wfdb.rdheader(str(base))
    except Exception as exc:  # noqa: BLE001 - wfdb raises many types for bad records
        raise RecordingError(f"not a readable WFDB record ({_one_line(exc)})", src) from None
    whole = None
    if rec.sig_len and not getattr(rec, "seg_name", None):
        _wfdb_files_check(rec, base, src)
    if not rec.sig_len or getattr(rec, "seg_name", None):
        # no length in the header, or a multi-segment record: read whole (rdrecord joins
        # the segments), and take the channels, units and dates from what it read
        rec, whole = _wfdb_whole(wfdb, base, src)
    n_sig = int(rec.n_sig or 0)
    if n_sig == 0:
        raise RecordingError("the WFDB record has no signals", src)
    if rec.fs is None or not float(rec.fs) > 0:
        raise RecordingError("the WFDB header has no sampling rate", src)
    if any(int(k) > 1 for k in (rec.samps_per_frame or [1])):
        notes["frames"] = "multi-rate record: oversampled channels were averaged to the frame rate"
    # (a header may leave a signal's description out: wfdb names it None)
    names = list(rec.sig_name or [None] * n_sig)
    channels = [f"ch{i + 1}" if c in (None, "") else str(c) for i, c in enumerate(names)]
    units_all = [_UNIT_CASE.get(str(u), str(u)) for u in (rec.units or [])]
    units = units_all[0] if units_all and len(set(units_all)) == 1 else None
    if units is None and units_all:
        notes["units"] = "channels have different units: " + ", ".join(
            f"{c}={u}" for c, u in zip(channels, units_all, strict=False)
        )
    start = None
    if rec.base_date is not None and rec.base_time is not None:
        start = datetime.combine(rec.base_date, rec.base_time)
    if rec.comments:
        notes["header_comments"] = " | ".join(str(c) for c in rec.comments)
    annotations = None
    rows: list[tuple[float, float, str]] = []
    for ann_file in sorted(path.parent.glob(base.name + ".*")):
        ext = ann_file.name[len(base.name) + 1 :]
        if not ext or "." in ext or ann_file.suffix.lower() in _WFDB_NOT_ANN:
            continue
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*inplace keyword.*")
                ann = wfdb.rdann(str(base), ext)
        except Exception:  # noqa: BLE001, S112 - not an annotation file
            continue
        aux = ann.aux_note or [""] * len(ann.sample)
        sym = ann.symbol or [""] * len(ann.sample)
        for s, a, y in zip(ann.sample, aux, sym, strict=False):
            rows.append((float(s) / float(rec.fs), 0.0, (a.strip("\x00 ") or y)))
        notes.setdefault("annotation_files", []).append(ann_file.name)
    if rows:
        annotations = pd.DataFrame(rows, columns=["onset", "duration", "description"])
        annotations = annotations.sort_values("onset", kind="stable").reset_index(drop=True)
    modality = _guess_modality(channels, [""] * len(channels), units_all or [""] * len(channels))
    data: Any = WfdbRows(str(base), int(rec.sig_len), list(range(n_sig)))
    if whole is not None:
        data = whole
    return RawSignal(
        data=data,
        channels=channels,
        fs=float(rec.fs),
        start=start,
        units=units,
        modality=modality,
        annotations=annotations,
        notes=notes,
    )


@register_reader(".hea", extra="wfdb", description="PhysioNet WFDB record (.hea + signal files)")
def read_wfdb(path: Path) -> RawSignal:
    """Read a WFDB record from its ``.hea`` header with ``wfdb.rdrecord``.

    Parameters
    ----------
    path : Path
        The ``.hea`` header; the signal files (``.dat``...) it names must sit beside it.

    Returns
    -------
    RawSignal
        Physical values, the header's rate, ``sig_name`` channels, units (when all
        channels share one), the base date/time when given, and the annotations of any
        annotation file ``<record>.<ext>`` beside it (``onset`` in s, ``duration`` 0,
        ``description`` from the aux note or the symbol). :func:`open_wfdb` gives the
        same rows on demand (streaming).
    """
    raw = open_wfdb(path)
    raw.data = raw.data[:]
    return raw


# -- actfast device files ------------------------------------------------------------------------


def _actfast_read(path: Path, what: str, lenient: bool = False) -> dict:
    """actfast's reading of ``path``; ``lenient``: damaged blocks skipped, each said in the
    result's ``warnings`` (an Axivity ``.cwa`` file's blocks that fail their checksum or
    are no data block)."""
    actfast = _import("actfast", what, "devices")
    try:
        return actfast.read(str(path), lenient=True) if lenient else actfast.read(str(path))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - a Rust panic is a BaseException
        raise RecordingError(f"not a readable {what} ({_one_line(exc)})", str(path)) from None


_CWA_HEADER_LEN = 1024
_CWA_BLOCK = 512
_CWA_READ_BLOCKS = 8192  # blocks read at a time for their headers (4 MB)

#: Why a 512-byte block after a ``.cwa`` header is not read (:func:`_cwa_scan`'s state).
_CWA_BAD = {1: "failed checksum", 2: "zeroed", 3: "erased (0xFF)", 4: "not a data block"}


def _cwa_scan(path: Path) -> tuple[int, np.ndarray, int, np.ndarray]:
    """The header's length, each 512-byte block's declared samples (0: not a readable data
    block), the bytes past the last whole block, and each block's state: 0 a data block,
    else why it is not read (a key of :data:`_CWA_BAD`).

    A ``.cwa`` file is a 1024-byte ``MD`` header then 512-byte ``AX`` blocks; each block
    header holds its sample count (uint16 at offset 28), and a block's 256 little-endian
    ``uint16`` words sum to 0 (mod 2**16) unless its rate byte (24) is 0 (the oldest files
    have no checksum): Axivity's ``cwa.h``, as actfast checks them. actfast's lenient
    reading skips the blocks that are not read, and only those.
    """
    src = str(path)
    _refuse_empty(path)
    size = path.stat().st_size
    with open(path, "rb") as fh:
        first = fh.read(4)
    if size < 4 or first[:2] != b"MD":
        raise RecordingError("not an Axivity .cwa file (no 'MD' header)", src)
    head_len = first[2] | (first[3] << 8)
    head_len = head_len + 4 if head_len > 0 else _CWA_HEADER_LEN
    if size < head_len:
        raise RecordingError(f"truncated .cwa header ({size} of {head_len} bytes)", src)
    n_blocks = (size - head_len) // _CWA_BLOCK
    tail = (size - head_len) % _CWA_BLOCK
    head = np.empty((n_blocks, 30), dtype=np.uint8)  # (the block headers: 30 of 512 bytes)
    state = np.zeros(n_blocks, dtype=np.int8)
    buf = bytearray(min(n_blocks, _CWA_READ_BLOCKS) * _CWA_BLOCK)
    with open(path, "rb") as fh:  # (read in pieces, not mapped: a week's file is 250 MB)
        fh.seek(head_len)
        for b0 in range(0, n_blocks, _CWA_READ_BLOCKS):  # loop over pieces of blocks
            m = min(_CWA_READ_BLOCKS, n_blocks - b0)
            view = memoryview(buf)[: m * _CWA_BLOCK]
            if fh.readinto(view) != len(view):
                raise RecordingError("the file changed while it was read", src)
            blocks = np.frombuffer(view, dtype=np.uint8).reshape(m, _CWA_BLOCK)
            head[b0 : b0 + m] = blocks[:, :30]
            words = np.frombuffer(view, dtype="<u2").reshape(m, _CWA_BLOCK // 2)
            summed = (words.sum(axis=1, dtype=np.uint32) & 0xFFFF) == 0
            is_data = (blocks[:, 0] == ord("A")) & (blocks[:, 1] == ord("X"))
            st = np.where(is_data, np.where(summed | (blocks[:, 24] == 0), 0, 1), 4)
            for j in np.flatnonzero(~is_data):  # loop over the blocks that are no data
                if not blocks[j].any():
                    st[j] = 2
                elif (blocks[j] == 0xFF).all():
                    st[j] = 3
            state[b0 : b0 + m] = st
    counts = head[:, 28].astype(np.int64) | (head[:, 29].astype(np.int64) << 8)
    return head_len, np.where(state == 0, counts, 0), tail, state


def _cwa_layout(path: Path) -> tuple[int, np.ndarray, int]:
    """The header's length, each 512-byte block's declared samples (0: not a readable data
    block, :func:`_cwa_scan`), and the bytes past the last whole block."""
    head_len, counts, tail, _ = _cwa_scan(path)
    return head_len, counts, tail


def _cwa_declared(path: Path) -> tuple[int, int, int]:
    """Samples declared by the data-block headers, valid blocks, bytes past the last block."""
    _, counts, tail = _cwa_layout(path)
    return int(counts.sum()), int(np.count_nonzero(counts)), tail


def _block_list(blocks: np.ndarray, limit: int = 4) -> str:
    """Block numbers as runs, the first ``limit`` of them.

    Examples
    --------
    >>> _block_list(np.array([3, 50, 51, 52, 90]))
    '3, 50-52, 90'
    """
    cut = np.flatnonzero(np.diff(blocks) != 1) + 1
    runs = [(int(r[0]), int(r[-1])) for r in np.split(blocks, cut)]
    text = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in runs[:limit])
    return text + (f" and {len(runs) - limit} more run(s)" if len(runs) > limit else "")


def _cwa_bad_text(state: np.ndarray) -> str:
    """How many blocks are not read and why (:func:`_cwa_scan`'s ``state``), and where."""
    bad = np.flatnonzero(state)
    kinds = Counter(int(k) for k in state[bad])
    why = ", ".join(f"{n} {_CWA_BAD[k]}" for k, n in sorted(kinds.items()))
    return f"{len(bad)} of {len(state)} blocks unreadable ({why}): block(s) {_block_list(bad)}"


def _cwa_skipped(path: Path, notes: dict, state: np.ndarray) -> None:
    """Record and warn that blocks of ``path`` were skipped (their time is then missing,
    unless they are the file's last)."""
    if not state.any():
        return
    bad = np.flatnonzero(state)
    last = bad[0] == len(state) - len(bad)  # (only the file's last blocks: no time after)
    notes["skipped_blocks"] = f"{_cwa_bad_text(state)} (counted from 0 after the header) " + (
        "skipped: the file's last blocks" if last else "skipped; their time is missing"
    )
    warnings.warn(f"{path}: {notes['skipped_blocks']}", stacklevel=3)


def _cwa_lenient_check(res: dict, state: np.ndarray, src: str) -> None:
    """actfast's lenient reading skipped the blocks :func:`_cwa_scan` found unreadable and
    no other (a block it could not decode otherwise is the file's error, as strictly)."""
    said = list(res.get("warnings") or [])
    if len(said) != int(np.count_nonzero(state)):
        raise RecordingError(
            f"not a readable Axivity .cwa file ({said[-1] if said else 'blocks not read'})", src
        )


def cwa_size(path: Path) -> tuple[int, float | None]:
    """Samples the data blocks declare, and the first data block's sample rate (Hz).

    The rate is its code at byte 24 of a block (``3200 / 2**(15 - (code & 15))`` Hz,
    Axivity's ``cwa.h``): what a size estimate needs, without decoding a sample.
    """
    head_len, counts, _ = _cwa_layout(path)
    data = np.flatnonzero(counts)
    if not len(data):
        return 0, None
    with open(path, "rb") as fh:
        fh.seek(head_len + int(data[0]) * _CWA_BLOCK + 24)
        code = fh.read(1)
    rate = 3200.0 / 2.0 ** (15 - (code[0] & 15)) if code else None
    return int(counts.sum()), rate


def actfast_piece(
    path: Path, head_len: int, a: int, b: int, scratch: Path, what: str, lenient: bool = False
) -> dict:
    """actfast's reading of a file's header (its first ``head_len`` bytes) followed by its
    bytes ``[a, b)`` (whole blocks or pages): a piece of a long file, written to
    ``scratch`` (removed after) and read as a file of its own. Its samples are those of the
    whole file's reading, value for value, where the blocks or pages are independent (an
    Axivity ``.cwa``'s blocks, a GENEActiv ``.bin``'s pages: their calibration is the
    header's). ``lenient``: see :func:`_actfast_read`."""
    with open(path, "rb") as fh:
        head = fh.read(head_len)
        fh.seek(a)
        body = fh.read(b - a)
    try:
        with open(scratch, "wb") as out:
            out.write(head)
            out.write(body)
        del body
        return _actfast_read(scratch, what, lenient)
    finally:
        scratch.unlink(missing_ok=True)


def cwa_blocks(
    path: Path, head_len: int, b0: int, b1: int, scratch: Path, lenient: bool = False
) -> dict:
    """actfast's reading of blocks ``[b0, b1)`` of a ``.cwa`` file (:func:`actfast_piece`)."""
    a, b = head_len + b0 * _CWA_BLOCK, head_len + b1 * _CWA_BLOCK
    return actfast_piece(path, head_len, a, b, scratch, "Axivity .cwa file", lenient)


def _block_anchors(hf_t: np.ndarray, block_t: np.ndarray) -> np.ndarray:
    """The samples stamped with a block's start time (sorted, unique)."""
    anchors = np.searchsorted(hf_t, block_t)
    ok = (anchors < hf_t.size) & (hf_t[np.minimum(anchors, hf_t.size - 1)] == block_t)
    return np.unique(anchors[ok])


#: Consecutive block starts further apart than the first block's samples take at the
#: blocks' rate, by more than this share of that time and :data:`_CWA_HOLE_SAMPLES`
#: sample periods, have a hole between them (the device stopped logging, blocks are missing
#: from the file or were skipped unreadable): one missing block of an AX3 (120 samples,
#: 1.2 s) or an AX6 (40 samples) is one. The block times jitter by a few ms.
_CWA_HOLE_SHARE = 0.5
_CWA_HOLE_SAMPLES = 2


def _block_holes(
    anchors: np.ndarray, t_anchor: np.ndarray, rate: float | None = None
) -> tuple[float, np.ndarray, np.ndarray]:
    """The blocks' rate, the block starts a hole follows, and the seconds missing in each.

    The rate is the median over consecutive block starts of their samples per second (the
    device's real rate, a few per cent off the configured one); the configured ``rate``
    when that is not within 10 % of it. A hole follows block start ``i`` when block start
    ``i + 1`` is later than its samples at that rate allow (see :data:`_CWA_HOLE_SHARE`);
    the time missing is the rest.

    Examples
    --------
    >>> ref, i, missing = _block_holes(np.array([0, 100, 200, 300]), np.array([0, 1, 62, 63.0]))
    >>> ref, i.tolist(), missing.tolist()
    (100.0, [1], [60.0])
    """
    count = np.diff(anchors).astype(np.float64)
    dt = np.diff(np.asarray(t_anchor, dtype=np.float64))
    up = dt > 0
    ref = float(np.median(count[up] / dt[up])) if up.any() else float("nan")
    if rate and not abs(ref / float(rate) - 1.0) <= 0.1:  # (nan too)
        ref = float(rate)
    if not (np.isfinite(ref) and ref > 0):
        return ref, np.zeros(0, dtype=np.int64), np.zeros(0)
    span = count / ref
    i = np.flatnonzero(dt > span * (1.0 + _CWA_HOLE_SHARE) + _CWA_HOLE_SAMPLES / ref)
    return ref, i, dt[i] - span[i]


def _anchor_spread(
    anchors: np.ndarray, t_anchor: np.ndarray, n: int, rate: float | None = None
) -> tuple[np.ndarray, ...]:
    """Sample indices and times (s) that :func:`_block_time` interpolates between: the
    block starts, and past the last one its last block's rate. Where a hole follows a
    block (:func:`_block_holes`), the block's last sample too, at the blocks' rate after
    its start: its samples are not spread over the hole, which stays empty (missing on the
    grid). ``rate``: the configured rate (Hz), if known."""
    ref, i, _ = _block_holes(anchors, t_anchor, rate)
    if len(i) and i[-1] == len(anchors) - 2:  # (a hole before the last block)
        last_rate = ref
    else:
        last_rate = (anchors[-1] - anchors[-2]) / (t_anchor[-1] - t_anchor[-2])
    idx = np.asarray(anchors).astype(np.float64)
    tt = np.asarray(t_anchor, dtype=np.float64)
    if len(i):
        end = anchors[i + 1] - 1
        i = i[end > anchors[i]]  # (a block of one sample: its start alone)
        end = anchors[i + 1] - 1
        idx = np.insert(idx, i + 1, end.astype(np.float64))
        tt = np.insert(tt, i + 1, t_anchor[i] + (end - anchors[i]) / ref)
    idx = np.append(idx, float(n))
    tt = np.append(tt, t_anchor[-1] + (n - anchors[-1]) / last_rate)
    return idx, tt


def _cwa_holes_note(
    anchors: np.ndarray, t_anchor: np.ndarray, rate: float | None
) -> tuple[str | None, float]:
    """What :func:`read_cwa` notes of the holes between blocks, and their seconds."""
    _, i, missing = _block_holes(anchors, t_anchor, rate)
    if not len(i):
        return None, 0.0
    total = float(missing.sum())
    return (
        f"{len(i)} gap(s) between data blocks (the device not logging, or blocks missing or "
        f"unreadable): {total:.1f} s in all, the longest {float(missing.max()):.1f} s, "
        "missing (the samples before a gap are not spread over it)"
    ), total


def _block_time(
    hf_t: np.ndarray, block_t: np.ndarray, rate: float | None = None
) -> np.ndarray | None:
    """Sample times (s from the first) interpolated between the block start times.

    actfast stamps the samples of a block at the nominal rate from the block's
    timestamp; the devices' real rate differs by up to a few percent, so the times are
    re-spread evenly between consecutive block starts (not over a hole between them:
    :func:`_anchor_spread`).
    """
    anchors = _block_anchors(hf_t, block_t)
    if anchors.size < 2:
        return None
    t_anchor = (hf_t[anchors] - hf_t[0]).astype(np.float64) / 1e9
    idx, tt = _anchor_spread(anchors, t_anchor, hf_t.size, rate)
    return np.interp(np.arange(hf_t.size, dtype=np.float64), idx, tt)


def _cwa_zone(meta: dict) -> timezone | None:
    """The UTC offset an Axivity header states (``timeZone``, minutes; -1: unknown), or
    None: the block times are the device's local clock."""
    try:
        minutes = int(meta.get("device", {}).get("time_zone", "-1"))
    except (TypeError, ValueError):
        return None
    return None if minutes == -1 else _zone(minutes)


@register_reader(".cwa", extra="devices", description="Axivity AX3/AX6 .cwa (actfast)")
def read_cwa(path: Path) -> RawSignal:
    """Read an Axivity ``.cwa`` file (AX3, AX6) with actfast.

    The accelerometer (in g) is kept; an AX6's gyroscope is dropped (noted). The sample
    count is checked against the block headers. Samples are placed on their block
    timestamps and resampled to the configured rate, because the devices' real rate
    differs from the configured one by up to a few percent (noted with the measured rate).
    A hole between blocks (the device stopped, blocks missing) is missing, and blocks
    that fail their checksum or hold no data (zeroed, erased) are skipped with a warning,
    their time missing.

    Parameters
    ----------
    path : Path

    Returns
    -------
    RawSignal
        ``x, y, z`` in g at the configured rate, the start time (device local time, with
        the header's UTC offset when it states one).
    """
    src = str(path)
    head_len, counts, tail, state = _cwa_scan(path)
    declared, n_blocks = int(counts.sum()), int(np.count_nonzero(counts))
    if declared == 0:
        said = f"; {_cwa_bad_text(state)}" if state.any() else ""
        raise RecordingError(f"no data blocks after the .cwa header (0 samples{said})", src)
    res = _actfast_read(path, "Axivity .cwa file", lenient=bool(state.any()))
    if state.any():
        _cwa_lenient_check(res, state, src)
    hf = res.get("timeseries", {}).get("high_frequency", {})
    acc = hf.get("acceleration")
    hf_t = hf.get("datetime")
    n = 0 if acc is None else int(acc.shape[0])
    if n == 0:
        raise RecordingError(f"0 samples read; the block headers declare {declared}", src)
    if n != declared:
        raise RecordingError(
            f"read {n} samples but the {n_blocks} data blocks declare {declared}", src
        )
    notes: dict[str, Any] = {}
    if tail:
        _truncated(
            path,
            notes,
            f"file is truncated: a partial {tail}-byte block after the last full block was ignored",
        )
    _cwa_skipped(path, notes, state)
    meta = res.get("metadata", {})
    dev = meta.get("device", {})
    cfg = meta.get("configuration", {})
    hw = dev.get("hardware_type", "AX")
    if "gyroscope" in hf:
        notes["gyroscope"] = f"{hw}: the gyroscope channels were dropped (accelerometer kept)"
    try:
        fs = float(cfg["sample_rate_hz"])
    except (KeyError, ValueError):
        fs = None
    start = _ns_to_datetime(int(hf_t[0]), _cwa_zone(meta))
    block_t = res["timeseries"].get("low_frequency", {}).get("datetime")
    hf_t = np.asarray(hf_t, dtype=np.int64)
    time, hole_s = None, 0.0
    if block_t is not None:
        anchors = _block_anchors(hf_t, np.asarray(block_t, dtype=np.int64))
        if anchors.size >= 2:
            t_anchor = (hf_t[anchors] - hf_t[0]).astype(np.float64) / 1e9
            idx, tt = _anchor_spread(anchors, t_anchor, hf_t.size, fs)
            time = np.interp(np.arange(hf_t.size, dtype=np.float64), idx, tt)
            said, hole_s = _cwa_holes_note(anchors, t_anchor, fs)
            if said:
                notes["block_gaps"] = said
    if time is None:
        time = (hf_t - hf_t[0]).astype(np.float64) / 1e9
    data = np.asarray(acc, dtype=np.float64)
    if fs is None:
        return RawSignal(
            data, ["x", "y", "z"], time=time, start=start, units="g", modality="accel", notes=notes
        )
    logged = float(time[-1]) - hole_s  # (the time the samples span, holes left out)
    measured = (n - 1) / logged if logged > 0 else fs
    grid, n_gap = to_uniform_grid(time, data, fs, src)
    del data
    notes["resampled"] = _cwa_resampled(hw, fs, measured, n, grid.shape[0], n_gap)
    notes["device"] = _cwa_device(hw, dev, cfg)
    return RawSignal(
        grid, ["x", "y", "z"], fs=fs, start=start, units="g", modality="accel", notes=notes
    )


def _cwa_resampled(hw: str, fs: float, measured: float, n: int, n_grid: int, n_gap: int) -> str:
    return (
        f"{hw} configured at {fs:g} Hz, measured {measured:.4g} Hz from the block timestamps: "
        f"{n} samples resampled onto a {fs:g} Hz grid ({n_grid} samples"
        + (f", {n_gap} in gaps set missing)" if n_gap else ")")
    )


def _cwa_device(hw: str, dev: dict, cfg: dict) -> str:
    return f"{hw} id {dev.get('device_id', '?')}, range ±{cfg.get('accelerometer_range_g', '?')} g"


_GENEACTIV_PAGE = 300  # samples per data page


_GENEACTIV_MARK = b"Recorded Data"  # the first line of every data page
_SCAN_BYTES = 16 * 2**20  # bytes read at a time when looking for the pages


def geneactiv_pages(path: Path) -> tuple[int, np.ndarray]:
    """Where a GENEActiv ``.bin`` file's data pages start: the header's length (bytes up
    to the first page) and each page's byte offset (the file's size appended).

    A page is ten text lines, the first ``Recorded Data``, the last 300 samples in hex.
    """
    offsets: list[int] = []
    k = len(_GENEACTIV_MARK)
    with open(path, "rb") as fh:
        at, tail = 0, b""
        while True:  # loop over pieces of the file (not samples)
            buf = fh.read(_SCAN_BYTES)
            if not buf:
                break
            text = tail + buf
            base = at - len(tail)
            i = text.find(_GENEACTIV_MARK)
            while i >= 0:  # loop over the pages in this piece
                if i == 0 and base == 0 or text[i - 1 : i] in (b"\n", b"\r"):
                    offsets.append(base + i)
                i = text.find(_GENEACTIV_MARK, i + k)
            tail = text[-k:]
            at += len(buf)
    offsets = sorted(set(offsets))
    size = path.stat().st_size
    return (offsets[0] if offsets else size), np.array([*offsets, size], dtype=np.int64)


def geneactiv_size(path: Path) -> tuple[int, float | None]:
    """About the samples of a GENEActiv ``.bin`` file (its size over its first page's, 300
    samples a page) and the header's measurement frequency: a size estimate read from the
    first pages alone."""
    with open(path, "rb") as fh:
        head = fh.read(256 * 1024)
    i = head.find(b"\n" + _GENEACTIV_MARK)
    j = head.find(b"\n" + _GENEACTIV_MARK, i + 1)
    m = re.search(rb"Measurement Frequency:\s*(\d+\.?\d*)", head)
    if i < 0 or j < 0 or m is None:
        return 0, None
    size = path.stat().st_size
    return int((size - i) / (j - i) * _GENEACTIV_PAGE), float(m.group(1))


@register_reader(".bin", extra="devices", description="GENEActiv .bin (actfast)")
def read_geneactiv(path: Path) -> RawSignal:
    """Read a GENEActiv ``.bin`` file with actfast (calibrated acceleration in g).

    The number of pages read is compared with the header's ``Number of Pages``: a file
    that ends early is read to its end with a warning and ``notes["truncated"]``. The
    original GENEA ``.bin`` format (before GENEActiv) is not supported.

    Parameters
    ----------
    path : Path

    Returns
    -------
    RawSignal
        ``x, y, z`` in g, the header's measurement frequency, the start time.
    """
    src = str(path)
    _refuse_empty(path)
    with open(path, "rb") as fh:
        first = fh.read(4096)
    if b"GENEA" not in first and b"Device Type" not in first:
        raise RecordingError("not a GENEActiv .bin file (no GENEActiv header)", src)
    if b"GENEActiv" not in first:
        try:
            res = _actfast_read(path, "GENEActiv .bin file")
        except RecordingError:
            raise RecordingError(
                "original GENEA .bin format (pre-GENEActiv, 2010) is not supported: actfast "
                "cannot read it; convert it to CSV first, e.g. with GGIRread",
                src,
            ) from None
    else:
        res = _actfast_read(path, "GENEActiv .bin file")
    hf = res.get("timeseries", {}).get("high_frequency", {})
    acc = hf.get("acceleration")
    n = 0 if acc is None else int(acc.shape[0])
    t0 = int(hf["datetime"][0]) if n else None
    fs, notes, start = geneactiv_described(path, n, res.get("metadata", {}), t0)
    return RawSignal(
        np.asarray(acc, dtype=np.float64),
        ["x", "y", "z"],
        fs=fs,
        start=start,
        units="g",
        modality="accel",
        notes=notes,
    )


def geneactiv_described(
    path: Path, n: int, meta: dict, t0: int | None
) -> tuple[float, dict[str, Any], datetime]:
    """The rate, notes and start of a GENEActiv file read as ``n`` samples with actfast's
    ``metadata`` and first sample time ``t0`` (ns): its header's frequency, checked, and
    the sample count against the header's pages (a short file warns, a long one is an
    error). What :func:`read_geneactiv` and the streamed reading both say."""
    src = str(path)
    cfg = meta.get("Configuration Info", {})
    try:
        declared_pages = int(meta.get("Memory Status", {}).get("Number of Pages", "0"))
    except ValueError:
        declared_pages = 0
    if n == 0 or t0 is None:
        raise RecordingError(f"0 samples read; the header declares {declared_pages} pages", src)
    freq = cfg.get("Measurement Frequency")
    if freq is None or not str(freq).strip():
        raise RecordingError("no 'Measurement Frequency' in the GENEActiv header", src)
    m = re.match(r"\s*(\d+\.?\d*|\.\d+)", str(freq))  # (text after it was always let be)
    fs = float(m.group(1)) if m else 0.0
    if not (np.isfinite(fs) and fs > 0):  # (0 divided the sample count: ZeroDivisionError)
        raise RecordingError(
            f"the GENEActiv header's Measurement Frequency {str(freq).strip()!r} is not a "
            "positive number of Hz",
            src,
        )
    notes: dict[str, Any] = {}
    pages_read = int(np.ceil(n / _GENEACTIV_PAGE))
    expected = declared_pages * _GENEACTIV_PAGE
    if declared_pages and n < expected:
        _truncated(
            path,
            notes,
            f"file is truncated: {n} samples ({pages_read} of {declared_pages} pages declared "
            f"in the header, {n / fs:.1f} s of {expected / fs / 3600:.1f} h) were read",
        )
    elif declared_pages and n > expected:
        raise RecordingError(
            f"read {n} samples but the header declares {declared_pages} pages ({expected} samples)",
            src,
        )
    ident = meta.get("Device Identity", {})
    notes["device"] = (
        f"{ident.get('Device Type', 'GENEActiv')} {ident.get('Device Model', '')}".strip()
    )
    # (the page times are the device's local clock; the header states its UTC offset)
    return fs, notes, _ns_to_datetime(t0, _stated_zone(cfg.get("Time Zone")))


def _gt3x_pygt3x(path: Path) -> tuple[np.ndarray, np.ndarray, dict]:
    """Read with pygt3x (GPL): acceleration, times (s since epoch), info dict."""
    reader_mod = _import(
        "pygt3x.reader", "ActiGraph .gt3x files that actfast cannot read", "gt3x-gpl"
    )
    try:
        with reader_mod.FileReader(str(path)) as reader:
            df = reader.to_pandas()
            info = reader.info
    except Exception as exc:  # noqa: BLE001
        raise RecordingError(f"pygt3x could not read it ({_one_line(exc)})", str(path)) from None
    acc = df[["X", "Y", "Z"]].to_numpy(np.float64)
    t = df.index.to_numpy(np.float64)
    meta = {
        "Sample Rate": str(info.sample_rate),
        "Start Date": str(info.start_date),
        "Last Sample Time": str(info.last_sample_time),
        "Device Type": str(info.device_type),
    }
    zone = _gt3x_info(path).get("TimeZone")
    if zone:
        meta["TimeZone"] = zone
    return acc, t, meta


def _gt3x_info(path: Path) -> dict[str, str]:
    """The ``key: value`` lines of a ``.gt3x`` file's ``info.txt`` ({} when unreadable)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            text = z.read("info.txt").decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - zipfile raises many types for a bad archive
        return {}
    return {k.strip(): v.strip() for k, _, v in (ln.partition(":") for ln in text.splitlines())}


_GT3X_ACTIVITY = (0x00, 0x1A)  # log.bin record types of samples (ACTIVITY, ACTIVITY2)
_GT3X_SCAN = 1 << 20  # bytes of log.bin inflated at a time when finding its records


def gt3x_records(path: Path) -> tuple[bytes, np.ndarray, np.ndarray] | None:
    """A ``.gt3x`` file's ``info.txt``, and where each record of its ``log.bin`` starts
    (offsets in the inflated ``log.bin``, its length appended) and its type; None when
    the log does not read as records (the whole read says what is wrong).

    A record is ``0x1E``, its type (1 byte), a timestamp (4), its payload's length (2),
    the payload and a checksum byte (ActiGraph's GT3X format).
    """
    import zipfile

    starts: list[int] = []
    kinds: list[int] = []
    try:
        with zipfile.ZipFile(path) as z:
            info = z.read("info.txt")
            with z.open("log.bin") as fh:
                buf, base, at = b"", 0, 0  # inflated bytes held, their offset, next record
                while True:  # loop over pieces of the log (its records within them)
                    more = fh.read(_GT3X_SCAN)
                    buf = buf[at - base :] + more
                    base = at
                    i = 0
                    while i + 8 <= len(buf):  # loop over the records in this piece
                        if buf[i] != 0x1E:
                            return None
                        end = i + 9 + int.from_bytes(buf[i + 6 : i + 8], "little")
                        if end > len(buf):
                            break
                        starts.append(base + i)
                        kinds.append(buf[i + 1])
                        i = end
                    at = base + i
                    if not more:
                        if at != base + len(buf):  # (a cut last record)
                            return None
                        break
    except (OSError, KeyError, ValueError, EOFError, RuntimeError):
        return None
    except Exception:  # noqa: BLE001 - zipfile.BadZipFile, zlib.error: the whole read's words
        return None
    return info, np.array([*starts, at], dtype=np.int64), np.array(kinds, dtype=np.int64)


def gt3x_read_records(path: Path, info: bytes, preamble: bytes, body: bytes, scratch: Path) -> dict:
    """actfast's reading of some records of a ``.gt3x`` file's log (``body``, after the
    records before its first samples, ``preamble``: the settings), as a file of its own."""
    import zipfile

    try:
        with zipfile.ZipFile(scratch, "w") as z:
            z.writestr("info.txt", info)
            z.writestr("log.bin", preamble + body)
        return _actfast_read(scratch, "ActiGraph .gt3x file")
    finally:
        scratch.unlink(missing_ok=True)


def gt3x_size(path: Path) -> tuple[int, float | None]:
    """About the samples of a ``.gt3x`` file (its ``info.txt``'s start to last-sample time
    x rate) and its rate: a size estimate that inflates no sample."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        text = z.read("info.txt").decode("utf-8", "replace")
    info = dict(
        (k.strip(), v.strip()) for k, _, v in (ln.partition(":") for ln in text.splitlines())
    )
    try:
        fs = float(info["Sample Rate"])
        span = (int(info["Last Sample Time"]) - int(info["Start Date"])) / 1e7
    except (KeyError, ValueError):
        return 0, None
    return max(0, int(span * fs)), fs


def gt3x_rate(meta: dict, src: str) -> float:
    """The rate in a ``.gt3x`` file's ``info.txt`` (as actfast gives it), checked."""
    try:
        int(meta["Start Date"])
        int(meta.get("Last Sample Time") or 0)
        return float(meta["Sample Rate"])
    except (KeyError, ValueError):
        raise RecordingError(
            "the .gt3x info.txt has no usable Sample Rate / Start Date", src
        ) from None


def _gt3x_sleep_mode(features: dict | None) -> bool:
    """Whether a ``.gt3x`` file says its idle sleep mode was on (actfast's
    ``device_feature_enabled``: ``sleep_mode``)."""
    return str((features or {}).get("sleep_mode", "")).strip().lower() == "true"


def gt3x_described(
    path: Path,
    meta: dict,
    fs: float,
    n: int,
    n_grid: int,
    t0: float,
    notes: dict[str, Any],
    features: dict | None = None,
) -> datetime:
    """The notes (idle sleep, an early end, the device) and start of ``n`` samples of a
    ``.gt3x`` file put on a grid of ``n_grid``, the first at ``t0`` (s since 1970); the
    grid's length against the header's start and last-sample times (too long or over 5 %
    short: an error). What :func:`read_gt3x` and the streamed reading both say.

    An early end (over 1 s) is a warning, unless ``features`` (actfast's
    ``device_feature_enabled``) say the idle sleep mode was on: the device then stops
    logging when still, and its ``Last Sample Time`` is when it was downloaded (a few
    seconds to hours after its last record), so the end is noted, not warned of. The start
    carries the UTC offset ``info.txt`` states (``TimeZone``): the times are its local clock.
    """
    src = str(path)
    start_ticks = int(meta["Start Date"])
    last_ticks = int(meta.get("Last Sample Time") or 0)
    if n_grid > n:
        notes["idle_sleep"] = (
            f"{n_grid - n} samples ({(n_grid - n) / fs:.0f} s) in idle-sleep "
            "gaps (the device still, not sampling): missing, not filled with the last sample "
            "as ActiLife does"
        )
    if last_ticks > start_ticks:
        expected = int(round((last_ticks - start_ticks) / 1e7 * fs))
        if n_grid > expected + fs:
            raise RecordingError(
                f"{n_grid} samples but the header's start/last-sample times give {expected}", src
            )
        short = expected - n_grid
        if short > 0.05 * expected:
            raise RecordingError(
                f"read {n_grid} samples ({n_grid / fs:.0f} s) but the header's start and "
                f"last-sample times give {expected} ({expected / fs:.0f} s)",
                src,
            )
        if short > fs and _gt3x_sleep_mode(features):
            notes["end"] = (
                f"data end {short / fs:.1f} s before the header's last-sample time: trailing "
                "idle sleep (the idle sleep mode is on: the device logs nothing while still "
                "before it is downloaded)"
            )
        elif short > fs:
            notes["end"] = (
                f"data end {short / fs:.1f} s before the header's last-sample time "
                "(trailing idle sleep or a truncated file)"
            )
            warnings.warn(f"{src}: {notes['end']}", stacklevel=3)
    if meta.get("Device Type"):
        notes["device"] = str(meta["Device Type"])
    start = datetime(1970, 1, 1) + timedelta(seconds=t0)
    zone = _stated_zone(meta.get("TimeZone"))
    return start if zone is None else start.replace(tzinfo=zone)


@register_reader(".gt3x", extra="devices", description="ActiGraph .gt3x (actfast; pygt3x fallback)")
def read_gt3x(path: Path) -> RawSignal:
    """Read an ActiGraph ``.gt3x`` file with actfast, falling back to pygt3x.

    actfast can return 0 samples, without an error, for older ``.gt3x`` files; then (or
    when actfast fails) pygt3x is used when installed (GPL-3.0: extra ``gt3x-gpl``).
    Idle-sleep-mode gaps (the device stops sampling while still) are missing samples
    (NaN): ActiLife fills them with the last sample, but a repeated sample is no
    measurement, and counted as data it made the noise level ~0 (SNRs of ~200 dB, no
    low-SNR review flag) and most of the calibration's "still windows" copies of one
    sample. As other gaps, they are never spanned by an event, and those over 60 s split
    the recording into pieces scored apart. The length is checked against the header's
    start and last-sample times x rate.

    Parameters
    ----------
    path : Path

    Returns
    -------
    RawSignal
        ``x, y, z`` in g at the header's rate, the start time (device local time).
    """
    src = str(path)
    _refuse_empty(path)
    _refuse_broken_zip(path)
    notes: dict[str, Any] = {}
    acc = t = None
    meta: dict = {}
    features: dict | None = None
    problem = ""
    try:
        res = _actfast_read(path, "ActiGraph .gt3x file")
    except RecordingError as exc:
        problem = str(exc).split(": ", 1)[-1]
    else:
        ts = res.get("timeseries", {}).get("acceleration", {})
        meta = res.get("metadata", {}).get("info", {})
        features = res.get("metadata", {}).get("device_feature_enabled")
        if ts.get("acceleration") is not None and len(ts["acceleration"]):
            acc = np.asarray(ts["acceleration"], dtype=np.float64)
            t = np.asarray(ts["datetime"], dtype=np.int64).astype(np.float64) / 1e9
            notes["reader"] = "actfast"
        else:
            problem = "actfast read 0 samples"
    if acc is None:
        try:
            acc, t, meta = _gt3x_pygt3x(path)
        except MissingExtraError:
            raise RecordingError(
                f"{problem}; the GPL reader pygt3x may read it: pip install 'movement[gt3x-gpl]'",
                src,
            ) from None
        except RecordingError as exc:
            raise RecordingError(f"{problem}; {str(exc).split(': ', 1)[-1]}", src) from None
        notes["reader"] = f"pygt3x (GPL-3.0; {problem})"
        if acc.shape[0] == 0:
            raise RecordingError(f"0 samples read ({problem}; pygt3x also read none)", src)
    fs = gt3x_rate(meta, src)
    # samples on the grid of their timestamps; idle-sleep gaps missing (NaN)
    idx = np.rint((t - t[0]) * fs).astype(np.int64)
    if np.any(np.diff(idx) <= 0):
        raise RecordingError("sample times in the .gt3x file do not increase", src)
    n_grid = int(idx[-1]) + 1
    if n_grid > max(100 * acc.shape[0], 10**8):  # (as to_uniform_grid: not gigabytes of NaN)
        i = int(np.argmax(np.diff(t)))
        raise RecordingError(
            f"the sample times jump by {t[i + 1] - t[i]:.6g} s after sample {i + 1}: a "
            f"{fs:g} Hz grid would hold {n_grid:.3g} samples for {acc.shape[0]}",
            src,
        )
    if n_grid > acc.shape[0]:
        grid = np.full((n_grid, acc.shape[1]), np.nan)
        grid[idx] = acc
        acc = grid
    start = gt3x_described(path, meta, fs, int(idx.size), n_grid, float(t[0]), notes, features)
    return RawSignal(
        acc, ["x", "y", "z"], fs=fs, start=start, units="g", modality="accel", notes=notes
    )
