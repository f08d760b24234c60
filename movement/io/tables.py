"""Readers for plain tables: CSV/TSV/TXT (optionally gzipped), Parquet, NumPy.

CSV-like files may have a header or none, ``#`` comment lines (the "Simple Text
Format" header of OpenSignals/BioSPPy: ``# Sampling Rate (Hz):= 100``), and an
optional time column, in seconds or as timestamps. Every other numeric column is
a channel.
"""

from __future__ import annotations

import gzip
import io
import re
import warnings
import zipfile
import zlib
from pathlib import Path
from tokenize import TokenError
from typing import Any

import numpy as np
import pandas as pd

from ..errors import MissingExtraError, RecordingError
from . import RawSignal, register_reader

_TIME_NAMES = {
    "time",
    "t",
    "ts",
    "timestamp",
    "timestamps",
    "seconds",
    "time_s",
    "times",
    "sec",
    "datetime",
    "date_time",
    "time_ms",
    "time (s)",
    "time[s]",
    "elapsed",
}
_STF_KEY = re.compile(r"^#\s*([^:=]+?)\s*:=\s*(.*)$")
_NUM = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _open_text(path: Path) -> io.TextIOBase:
    if path.name.lower().endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace")
    return open(path, encoding="utf-8", errors="replace")  # noqa: SIM115


def _sniff(path: Path) -> tuple[dict[str, str], int, str | None, bool, str | None]:
    """Comment-header keys, comment line count, delimiter, has-header, first data line."""
    keys: dict[str, str] = {}
    n_comment = 0
    first: str | None = None
    try:
        with _open_text(path) as fh:
            for line in fh:
                s = line.strip()
                if not s:
                    n_comment += 1
                    continue
                if s.startswith("#"):
                    n_comment += 1
                    m = _STF_KEY.match(s)
                    if m:
                        keys[m.group(1).strip().lower()] = m.group(2).strip()
                    continue
                first = s
                break
    except (UnicodeDecodeError, gzip.BadGzipFile, EOFError) as exc:
        # before OSError: gzip.BadGzipFile is an OSError without a strerror
        raise RecordingError(f"not a text table ({exc})", str(path)) from None
    except OSError as exc:
        raise RecordingError(f"cannot read ({exc.strerror or exc})", str(path)) from None
    if first is None:
        return keys, n_comment, None, False, None
    if "\t" in first:
        sep: str | None = "\t"
    elif "," in first:
        sep = ","
    elif ";" in first:
        sep = ";"
    else:
        sep = None  # whitespace
    tokens = re.split(r"\s+", first) if sep is None else first.split(sep)
    header = any(t.strip() and not _NUM.match(t.strip().strip('"')) for t in tokens)
    # a first row of timestamps is data, not a header
    if header and sep is not None:
        header = not all(_looks_like_value(t.strip().strip('"')) for t in tokens if t.strip())
    return keys, n_comment, sep, header, first


#: Bytes read from a text table's end to find its last line.
_TAIL_BYTES = 1 << 16


def cut_last_line(path: Path, first: str, sep: str | None) -> str | None:
    r"""Why the last line of an uncompressed text table is a cut one, or ``None``.

    A table written to the end ends with a line break; one copied or downloaded in part,
    or still being written, can stop within its last row. That row is cut when the file
    does not end with a line break and the row has fewer fields than the row above it
    (than the first line ``first`` when the row above is not at hand): its missing fields
    would read as missing values, and its last field as a number cut short. A gzipped
    table is not searched (its end is not at hand).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "cut.csv"
    >>> _ = p.write_text("x,y,z\n0.1,0.2,1.0\n0.1,0.2,1.0\n0.1,0.")
    >>> cut_last_line(p, "0.1,0.2,1.0", ",")
    'the last line has 2 of 3 fields and no line break after it (a file cut short?)'
    >>> _ = p.write_text("x,y,z\n0.1,0.2,1.0\n0.1,0.2,")
    >>> cut_last_line(p, "0.1,0.2,1.0", ",")
    'the last line has 2 of 3 fields and no line break after it (a file cut short?)'
    >>> _ = p.write_text("x,y,z\n0.1,0.2,1.0\n0.1,0.2,1.0")  # (no final line break: whole)
    >>> cut_last_line(p, "0.1,0.2,1.0", ",") is None
    True
    """
    if path.name.lower().endswith(".gz"):
        return None
    try:
        with open(path, "rb") as fh:
            size = fh.seek(0, 2)
            fh.seek(max(0, size - _TAIL_BYTES))
            tail = fh.read()
    except OSError:
        return None  # (the reader says why it cannot read the file)
    if not tail or tail.endswith((b"\n", b"\r")):
        return None
    lines = tail.decode("utf-8", errors="replace").splitlines()
    last = lines[-1]
    # (the row before it, else the first line: a header may have more tokens, "time (s)")
    above = next((ln for ln in reversed(lines[1:-1]) if ln.strip()), first)
    want, have = _fields(above, sep), _fields(last, sep)
    if sep is not None and last.strip().endswith(sep):
        have -= 1  # (cut just after a separator: its last field is empty)
    if have >= want:
        return None
    return (
        f"the last line has {have} of {want} fields and no line break after it (a file cut short?)"
    )


def _looks_like_value(token: str) -> bool:
    if _NUM.match(token):
        return True
    return bool(re.match(r"^\d{4}-\d{2}-\d{2}[ T]\d", token))


#: A time of day without a date: hours, minutes, optional seconds and their fraction
#: (after a dot, or a colon as device exports write milliseconds)
_TIME_OF_DAY = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?([.:]\d{1,9})?$")
#: strftime directives of a date (a format without one holds times of day only)
_DATE_PART = re.compile(r"%[YymdbBjaAUWGVuw]")

_MS_COLON = re.compile(r"(\d{2}:\d{2}:\d{2}):(\d{1,6})$")
#: A dotted date with a two-digit year ("03.04.19 ..."): day, month and the year's start.
_DOTTED_YY = re.compile(r"(\d{1,2}\.\d{1,2}\.)\d{2}(?!\d)")


def timestamp_format(first: str) -> str | None:
    """The strftime format of a time column's first value (pandas' guess), or None.

    Milliseconds after a colon (``14:58:00:500``, common in device exports) are kept as
    written: the format reads them (``%S:%f``).

    Examples
    --------
    >>> timestamp_format("2019-03-21 14:58:00:500"), timestamp_format("3/21/2019 14:58:00.5")
    ('%Y-%m-%d %H:%M:%S:%f', '%m/%d/%Y %H:%M:%S.%f')
    >>> timestamp_format("2019-03-09T23:59:50Z"), timestamp_format("09.03.2019 23:59:50")
    ('ISO8601', '%d.%m.%Y %H:%M:%S')
    >>> timestamp_format("03.04.19 14:58:00.500")
    '%d.%m.%y %H:%M:%S.%f'
    >>> timestamp_format("soon") is None
    True
    """
    from pandas.tseries.api import guess_datetime_format

    text = str(first).strip()
    colon = _MS_COLON.search(text) is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (pandas warns of formats it cannot guess)
        fmt = guess_datetime_format(_MS_COLON.sub(r"\1.\2", text))
        short = _DOTTED_YY.match(text)
        if fmt is None and short:
            # a dotted date with a two-digit year (03.04.19): pandas guesses none (the
            # values were parsed one by one, month first); its four-digit twin's format,
            # with the year as written
            fmt = guess_datetime_format(
                _MS_COLON.sub(r"\1.\2", short.group(1) + "20" + text[short.end(1) :])
            )
            four = fmt is not None and fmt.startswith(("%m.%d.%Y", "%d.%m.%Y"))
            fmt = fmt[: len("%m.%d.")] + "%y" + fmt[len("%m.%d.%Y") :] if four else None
    if fmt is None:
        clock = _TIME_OF_DAY.match(text)
        if clock is None:
            return None
        # times of day without a date (14:58:00.000): pandas guesses none, and a value parsed
        # on its own is put on the day of the run
        sec, frac = clock.group(1), clock.group(2)
        return "%H:%M" + (":%S" if sec else "") + (frac[0] + "%f" if frac else "")
    if fmt.startswith("%m.%d."):
        # dotted dates are day first (09.03.2019: 9 March; DIN 5008 and most of Europe);
        # pandas guesses month first where the day is 12 or less
        fmt = "%d.%m." + fmt[len("%m.%d.") :]
    if colon:
        return fmt[: -len(".%f")] + ":%f" if fmt.endswith(".%f") else None
    if fmt.startswith("%Y-%m-%d"):
        # ISO 8601 order: pandas' own parser, which also takes the fractions of a second
        # written with fewer digits where they end in zeros (10:00:00.5, 10:00:01), a
        # "T" or a space, and a "Z" or an offset
        return "ISO8601"
    return fmt


#: A UTC offset ending a written time ("Z", "+02:00", "-0500").
_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")


def _to_datetime(values: pd.Series, fmt: str, src: str) -> tuple[pd.Series, bool]:
    """``pd.to_datetime(values, format=fmt)``, and whether it was read in UTC: times written
    with different UTC offsets (a change to or from summer time within the file) are the
    instants they name.

    pandas refuses offsets that differ ("Mixed timezones detected"), and so did the whole
    read, although each such time names one instant. Times with an offset and times
    without one do not: they are refused (a :class:`RecordingError`), the first of the
    other kind named.
    """
    try:
        with warnings.catch_warnings():
            # (pandas < 3 warns of mixed offsets and returns objects; pandas 3 raises)
            warnings.simplefilter("ignore", FutureWarning)
            out = pd.to_datetime(values, format=fmt)
        if pd.api.types.is_datetime64_any_dtype(out):
            return out, False
    except ValueError as exc:
        if "timezone" not in str(exc).lower():
            raise
    text = values.astype(str).str.strip()
    # (an empty cell is neither: it is named as empty once the times are read)
    blank = values.isna() | text.isin(["", "nan", "NaT", "None"])
    has = (text.str.contains(_OFFSET) | blank).to_numpy(bool)
    if not has.all():
        i = int(np.flatnonzero(has != has[0])[0]) if (has != has[0]).any() else 0
        row = values.index[i]
        at = f"data row {row + 1}" if isinstance(row, (int, np.integer)) else f"row {row!r}"
        raise RecordingError(
            f"time column has times with a UTC offset and times without one (from {at}: "
            f"{str(values.iloc[i]).strip()[:40]!r})",
            src,
        )
    return pd.to_datetime(values, format=fmt, utc=True), True


def timestamps_ns(
    values: pd.Series, src: str, fmt: str | None = ""
) -> tuple[np.ndarray, object, str | None]:
    """Timestamp strings (or datetimes) to int64 nanoseconds; also the first as a datetime
    and the format that read them (None: each value parsed on its own).

    The format is the first value's (:func:`timestamp_format`; ``fmt`` gives it, ``""``
    guesses it): every value written the same way is read the same way, as device exports
    are, and ~20x faster than parsing each value on its own (a day at 100 Hz of
    ``3/21/2019 14:58:00.500``: ~14 s instead of ~5 min). A date read month first
    (``12/04/2019``) is read day first when a later one can only be (``13/04/2019``) and
    all are. When a value does not match it, each value is parsed on its own (ISO 8601 tried first, then ``format="mixed"``). Times
    whose UTC offsets differ (summer time begins or ends) are read as instants; the first
    datetime keeps its own offset.

    Examples
    --------
    >>> ns, first, fmt = timestamps_ns(pd.Series(["2019-03-21 14:58:00:500", "2019-03-21 14:58:00:510"]), "f")
    >>> (ns - ns[0]).tolist(), str(first), fmt
    ([0, 10000000], '2019-03-21 14:58:00.500000', '%Y-%m-%d %H:%M:%S:%f')
    """
    in_utc = False  # (offsets that differ: read in UTC)
    if pd.api.types.is_datetime64_any_dtype(values):
        ts = values
        used = None
    else:
        if fmt == "":
            fmt = timestamp_format(values.iloc[0]) if len(values) else None
        ts, used = None, None
        tries = [fmt] if fmt is not None else []
        # (a date month first by the first value's guess, 12/04/2019, and day first by a
        # later one, 13/04/2019: read day first, as every value can be)
        swap = day_first_format(fmt)
        if swap is not None:
            tries.append(swap)
        for f in tries:
            try:
                ts, in_utc = _to_datetime(values, f, src)
            except RecordingError:
                raise  # (times with and without an offset: so they are in any format)
            except (ValueError, TypeError):
                continue
            used = f
            break
        if ts is None:
            text = values.astype(str).str.strip()
            # "14:58:00:500" (milliseconds after a colon) is common in device exports
            text = text.str.replace(_MS_COLON, r"\1.\2", regex=True)
            try:
                ts, in_utc = _to_datetime(text, "ISO8601", src)
            except RecordingError:
                raise
            except (ValueError, TypeError):
                try:
                    ts, in_utc = _to_datetime(text, "mixed", src)
                except RecordingError:
                    raise
                except (ValueError, TypeError) as exc:
                    raise RecordingError(
                        f"time column has values that are not times ({exc})", src
                    ) from None
    missing = np.flatnonzero(pd.isna(ts))
    if len(missing):  # (an empty cell: NaT, which is no time)
        row = values.index[missing[0]]
        at = f"data row {row + 1}" if isinstance(row, (int, np.integer)) else f"row {row!r}"
        raise RecordingError(f"time column has an empty value at {at}", src)
    ns = ts.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    first = ts.iloc[0]
    if in_utc:  # (the start keeps the first time's own offset)
        head = values.iloc[:1].astype(str).str.strip()
        own = pd.to_datetime(head.str.replace(_MS_COLON, r"\1.\2", regex=True), format="mixed")
        first = first.tz_convert(own.iloc[0].tzinfo)
    if used not in (None, "ISO8601") and not _DATE_PART.search(used):
        # times of day without a date (14:58:00.000): no start date (pandas would put the
        # day of the run there, or 1900-01-01: a start that changed from one run to the next)
        return ns, None, used
    return ns, first.to_pydatetime(warn=False), used  # (its nanoseconds: in ns)


def day_first_format(fmt: str | None) -> str | None:
    """The day-first twin of a month-first slash or dash date format (what pandas guesses
    for ``03/04/2019``, day and month 12 or less), or None for any other format.

    Examples
    --------
    >>> day_first_format("%m/%d/%Y %H:%M:%S.%f"), day_first_format("%d.%m.%Y %H:%M")
    ('%d/%m/%Y %H:%M:%S.%f', None)
    """
    swap = {"%m/%d/": "%d/%m/", "%m-%d-": "%d-%m-"}.get((fmt or "")[: len("%m/%d/")])
    return None if swap is None or fmt is None else swap + fmt[len(swap) :]


#: Nanoseconds in a day.
_DAY_NS = 86_400 * 10**9


def _offset_ns(first: Any) -> int:
    """A datetime's UTC offset in nanoseconds (0 without one)."""
    off = first.utcoffset() if first is not None else None
    return 0 if off is None else int(off.total_seconds()) * 10**9


def date_order(
    values: pd.Series,
    ns: np.ndarray,
    fmt: str,
    other: str,
    src: str,
    offset: int = 0,
    before: tuple[str, int] | None = None,
) -> tuple[bool, bool, np.ndarray, np.ndarray]:
    """What a column's dates say of the order of their day and month: read as ``fmt``
    (``ns``, in nanoseconds) or as ``other``, the same with day and month swapped.

    Only its dates tell, and a column holds few: the first value's and those where the date
    changes (``offset``: the first time's UTC offset, where times have one). A date that
    ``other`` cannot read (``04/13/2019`` day first) tells ``fmt``; where the date changes,
    the reading that advances by less (and does not go back) is seen: ``03/04/2019
    23:59:59.990`` then ``04/04/2019 00:00:00.000`` advance 10 ms day first, a month month
    first. ``before``: the value and time of the row before ``values`` (a chunk's first row
    is then a change of date too, where it is one).

    Returns
    -------
    (bool, bool, ndarray, ndarray)
        Whether ``fmt``'s reading is seen, whether ``other``'s is, and where the dates
        begin (rows of ``values``, the first 0) with what ``other`` adds to ``ns`` from each
        (empty when ``other`` cannot read them all).

    Examples
    --------
    >>> v = pd.Series(["03/04/2019 23:59:59.990", "04/04/2019 00:00:00.000"])
    >>> ns, _, fmt = timestamps_ns(v, "f")
    >>> fmt, date_order(v, ns, fmt, day_first_format(fmt), "f")[:2]
    ('%m/%d/%Y %H:%M:%S.%f', (False, True))
    """
    lead = int(before is not None)
    if before is not None:  # (the row before: row 0 here, its own date's first row or not)
        values = pd.concat([pd.Series([before[0]]), values], ignore_index=True)
        ns = np.concatenate([[before[1]], ns])
    day = (ns + offset) // _DAY_NS
    at = np.flatnonzero(day[1:] != day[:-1])  # the rows before a change of date
    starts = np.concatenate([[0], at + 1])  # each date's first row
    rows = np.union1d(at, starts)  # (sorted: the only rows read again)
    try:
        alt, _ = _to_datetime(values.iloc[rows].reset_index(drop=True), other, src)
    except (ValueError, TypeError):
        none = np.zeros(0, np.int64)
        return True, False, none, none  # (a date only fmt reads)
    alt_ns = alt.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    i, j = np.searchsorted(rows, at), np.searchsorted(rows, at + 1)
    # each change of date: its step in either reading (a step back: longer than any)
    mine = np.where(ns[at + 1] < ns[at], np.inf, ns[at + 1] - ns[at])
    theirs = np.where(alt_ns[j] < alt_ns[i], np.inf, alt_ns[j] - alt_ns[i])
    shifts = alt_ns[np.searchsorted(rows, starts)] - ns[starts]
    # (rows of values: the row before's date, where it goes on, begins at 0)
    starts = np.maximum(starts - lead, 0)
    return bool((mine < theirs).any()), bool((theirs < mine).any()), starts, shifts


def _parse_timestamps(values: pd.Series, src: str) -> tuple[np.ndarray, object, str | None, bool]:
    """Timestamp strings to seconds from the first; also the first as a datetime, the
    format that read them (None: each value on its own, or stored as datetimes) and whether
    the dates told their day from their month (False: month first assumed, see below).

    Dates read month first by the first value's guess (``03/04/2019``) are read day first
    when the dates that change say so (:func:`date_order`: over midnight day first, a step
    of a month month first); when none tells (a recording within one day), month first.
    """
    ns, first, used = timestamps_ns(values, src)
    other = day_first_format(used)
    told = other is None
    if other is not None:
        mine, theirs, starts, shifts = date_order(values, ns, used, other, src, _offset_ns(first))
        told = mine or theirs
        if theirs and not mine:
            if first.tzinfo is None:
                # each date's values move by the same whole days: no second parse
                ns = ns + np.repeat(shifts, np.diff(np.append(starts, len(ns))))
                first = first + pd.Timedelta(int(shifts[0]), "ns").to_pytimedelta()
                used = other
            else:  # (times with UTC offsets: a date may begin off midnight in UTC)
                again = timestamps_ns(values, src, other)
                if again[2] == other:
                    ns, first, used = again
    return (ns - ns[0]) / 1e9, first, used, told


def timestamp_note(tcol: str, fmt: str | None, told: bool = True) -> str:
    """The reader's note on a time column of dates, with the format that read them
    (provenance: how ``03/04/2019`` was read), and whether the dates could not tell their
    day from their month (``told=False``).

    Examples
    --------
    >>> timestamp_note("ts", "%m/%d/%Y %H:%M:%S.%f")
    "time column 'ts' read as timestamps (%m/%d/%Y %H:%M:%S.%f)"
    >>> timestamp_note("ts", "%m/%d/%Y %H:%M", told=False)  # doctest: +ELLIPSIS
    "time column 'ts' read as timestamps (%m/%d/%Y %H:%M): its dates do not tell the day ..."
    """
    note = f"time column {tcol!r} read as timestamps" + (f" ({fmt})" if fmt else "")
    if not told:
        note += (
            ": its dates do not tell the day from the month (none over 12, no change of "
            "date): month first assumed for the start date (written day first, swap its day "
            "and month; the times from the start are the same either way)"
        )
    return note


def _numeric_time_to_seconds(t: np.ndarray, named: bool) -> tuple[np.ndarray, str]:
    """Scale a numeric time column to seconds: seconds, ms, µs or ns, by its step."""
    t = t.astype(np.float64)
    dt = np.diff(t)
    step = float(np.median(dt)) if dt.size else 1.0
    order = [(1.0, "s"), (1e-3, "ms"), (1e-6, "us"), (1e-9, "ns")]
    for scale, unit in order:
        rate = 1.0 / (step * scale) if step > 0 else 0
        if 0.5 <= rate <= 50_000:
            return (t - t[0]) * scale, unit
    return t - t[0], "s"


#: The column Parquet files written by pandas hold an unnamed index in.
STORED_INDEX = re.compile(r"^__index_level_\d+__$")


def _index_like(col: pd.Series) -> bool:
    """A column of row numbers (whole numbers >= 0, one apart: 0, 1, 2, ... or a slice's
    2000, 2001, ...): what pandas writes as an unnamed first column (``DataFrame.to_csv``
    with its index), not a signal.

    Examples
    --------
    >>> _index_like(pd.Series([0, 1, 2, 3])), _index_like(pd.Series([2000, 2001, 2002]))
    (True, True)
    >>> _index_like(pd.Series([0.1, 0.3, 0.2]))
    False
    """
    if not pd.api.types.is_numeric_dtype(col) or len(col) < 2:
        return False
    v = col.to_numpy(np.float64)
    return bool(
        np.all(np.isfinite(v))
        and v[0] >= 0
        and float(v[0]).is_integer()
        and np.all(np.diff(v) == 1.0)
    )


def _unnamed_kept(col: pd.Series, name: str) -> bool:
    """Whether a column is a channel: a column without a name (``Unnamed: 0``) is left out
    when it is empty or holds row numbers (a written index)."""
    if not name.lower().startswith("unnamed:"):
        return True
    return bool(col.notna().any()) and not _index_like(col)


def time_scale(unit: str) -> float:
    """Seconds per unit of a numeric time column (``s``, ``ms``, ``us``, ``ns``)."""
    return {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}[unit]


def _is_time_like(col: np.ndarray) -> bool:
    """A headerless first column that is a clock: strictly increasing, steady steps."""
    if col.size < 3 or not np.all(np.isfinite(col)):
        return False
    dt = np.diff(col)
    if np.any(dt <= 0):
        return False
    med = np.median(dt)
    return bool(np.mean(np.abs(dt - med) < 0.5 * med) > 0.9)


def _fields(line: str, sep: str | None) -> int:
    """How many fields a text line holds (quotes respected; whitespace-separated: runs)."""
    if sep is None:
        return len(line.split())
    import csv

    return len(next(csv.reader([line], delimiter=sep, skipinitialspace=True), []))


def header_width_check(path: Path, n_comment: int, sep: str | None, first: str) -> None:
    """Refuse a header that names fewer columns than its first data row holds.

    pandas takes the extra leading fields as the row index: one column (the first
    signal, or every row's value when rows end in a separator) was silently left out
    and the names shifted onto the wrong columns, and a row of thousands of fields made
    a MultiIndex of as many levels (minutes and gigabytes). One extra field is kept for
    what :func:`header_index_check` accepts (row names, as R's ``write.table`` writes).
    """
    src = str(path)
    width = _fields(first, sep)
    try:
        with _open_text(path) as fh:
            lines = (ln.strip() for i, ln in enumerate(fh) if i > n_comment)
            row = next((ln for ln in lines if ln), None)
    except (UnicodeDecodeError, OSError, EOFError, zlib.error):
        return  # (the read says what is wrong)
    if row is not None and _fields(row, sep) > width + 1:
        raise RecordingError(_width_message(width, _fields(row, sep)), src)


def _width_message(width: int, found: int) -> str:
    return (
        f"the header names {width} columns but the first data row holds {found} values "
        "(a header name missing, or a separator at the end of each row?)"
    )


def header_index_check(df: pd.DataFrame, src: str) -> pd.DataFrame:
    """``df`` without the row index pandas took from a data row one field wider than the
    header: kept out when it holds row numbers (R's row names), else an error (it is a
    signal, or the empty field of a separator ending each row)."""
    if isinstance(df.index, pd.RangeIndex):
        return df
    if df.index.nlevels == 1 and _index_like(pd.Series(np.asarray(df.index))):
        return df.reset_index(drop=True)
    raise RecordingError(_width_message(df.shape[1], df.shape[1] + df.index.nlevels), src)


def repeated_header_row(df: pd.DataFrame, row0: int = 0) -> int | None:
    """The first row (counted from 0, plus ``row0``) whose text columns all repeat their
    names: a header line in the middle of the data, as ``cat a.csv b.csv`` leaves it.

    Examples
    --------
    >>> df = pd.DataFrame({"time": ["0.0", "time", "0.02"], "x": ["0.1", "x", "0.3"]})
    >>> repeated_header_row(df)
    1
    >>> repeated_header_row(pd.DataFrame({"x": [0.1, 0.2]})) is None
    True
    """
    text = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    if not text:
        return None
    hit = np.ones(len(df), bool)
    for c in text:  # loop over the text columns (a few)
        same = df[c].astype("string").str.strip() == str(c).strip()
        hit &= same.fillna(False).to_numpy(bool)
    rows = np.flatnonzero(hit)
    return int(rows[0]) + row0 if rows.size else None


def repeated_header_message(row: int, columns: list[str]) -> str:
    """The one line for a header repeated at data row ``row + 1``."""
    names = ",".join(columns)
    return (
        f"data row {row + 1} repeats the header ({names[:60]}): files joined into one? "
        "Remove the repeated header lines (or split the file there)"
    )


@register_reader(".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz", description="text table")
def read_text_table(path: Path) -> RawSignal:
    """Read a delimited text table (header or none, optional time column)."""
    src = str(path)
    keys, n_comment, sep, header, first = _sniff(path)
    if first is None:
        raise RecordingError("the file is empty (no data rows)", src)
    if header:
        header_width_check(path, n_comment, sep, first)
    try:
        df = pd.read_csv(
            path,
            sep=sep if sep is not None else r"\s+",
            header=0 if header else None,
            skiprows=n_comment,
            comment=None,
            engine="c",
            skipinitialspace=True,
        )
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as exc:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RecordingError(f"cannot parse as a table ({msg})", src) from None
    except (EOFError, OSError, zlib.error) as exc:  # (a .gz cut short or damaged)
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RecordingError(f"cannot read ({msg})", src) from None
    df = header_index_check(df, src)
    cut = cut_last_line(path, first, sep)
    if cut is not None and len(df):
        # (its missing fields would be missing samples, its last field a number cut short)
        df = df.iloc[:-1]
        warnings.warn(f"{src}: {cut}: left out", stacklevel=3)
    if df.empty:
        raise RecordingError("the file has a header but no data rows", src)
    if not header:
        labels = keys.get("labels")
        names = labels.split() if labels else None
        if names and len(names) == df.shape[1]:
            df.columns = names
        else:
            df.columns = [f"ch{i + 1}" for i in range(df.shape[1])]
    df.columns = [str(c).strip() for c in df.columns]
    if header:
        again = repeated_header_row(df)
        if again is not None:
            raise RecordingError(repeated_header_message(again, list(df.columns)), src)
    kept = [_unnamed_kept(df[c], c) for c in df.columns]
    notes: dict[str, str] = {}
    index = [c for c, k in zip(df.columns, kept, strict=True) if not k and df[c].notna().any()]
    if index:
        notes["index"] = f"column {index[0]!r} (row numbers) left out"
    df = df.loc[:, kept]
    time = start = None
    tcol = next((c for c in df.columns if c.strip().lower() in _TIME_NAMES), None)
    if tcol is not None:
        col = df[tcol]
        if pd.api.types.is_numeric_dtype(col):
            time, unit = _numeric_time_to_seconds(col.to_numpy(), named=True)
            notes["time"] = f"time column {tcol!r} read as {unit}"
        else:
            time, start, fmt, told = _parse_timestamps(col, src)
            notes["time"] = timestamp_note(tcol, fmt, told)
        df = df.drop(columns=[tcol])
    elif not header and df.shape[1] >= 2:
        c0 = df.columns[0]
        if pd.api.types.is_numeric_dtype(df[c0]) and _is_time_like(df[c0].to_numpy(float)):
            time, unit = _numeric_time_to_seconds(df[c0].to_numpy(), named=False)
            notes["time"] = f"first column read as a time column in {unit}"
            df = df.drop(columns=[c0])
    bad = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    if bad:
        col = bad[0]
        coerced = pd.to_numeric(df[col], errors="coerce")
        row = (
            int(np.flatnonzero(coerced.isna() & df[col].notna())[0])
            if (coerced.isna() & df[col].notna()).any()
            else 0
        )
        value = df[col].iloc[row]
        raise RecordingError(
            f"non-numeric value {str(value)[:30]!r} in column {col!r} (data row {row + 1})", src
        )
    if df.shape[1] == 0:
        raise RecordingError("no numeric channel columns", src)
    fs = None
    for k in ("sampling rate (hz)", "sampling rate", "sampling frequency", "fs"):
        if k in keys:
            try:
                fs = float(keys[k])
            except ValueError:
                pass
            break
    return RawSignal(
        data=df.to_numpy(dtype=np.float64),
        channels=list(df.columns),
        fs=fs,
        time=time,
        start=start,
        units=keys.get("units"),
        notes=notes,
    )


@register_reader(".parquet", ".pq", extra="parquet", description="Apache Parquet table")
def read_parquet(path: Path) -> RawSignal:
    """Read a Parquet table (needs ``pyarrow``); columns as in a CSV."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingExtraError("Parquet files", "parquet", "pyarrow") from None
    src = str(path)
    try:
        table = pq.read_table(path)
        # pandas' stored index as a column (a DatetimeIndex named "time" is the time
        # column), and an unnamed one (__index_level_0__) left out, as the windowed read does
        df = table.to_pandas(ignore_metadata=True)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for bad files
        # (thrift's messages run over several lines: the first says what is wrong)
        raise RecordingError(f"not a readable Parquet file ({_first_line(exc)})", src) from None
    df = df.loc[:, [not STORED_INDEX.match(str(c)) for c in df.columns]]
    meta = table.schema.metadata or {}
    fs = None
    if b"movement.fs" in meta:
        try:
            fs = float(meta[b"movement.fs"])
        except ValueError:
            raise RecordingError(
                f"its metadata's movement.fs is not a number ({meta[b'movement.fs']!r})", src
            ) from None
    notes: dict[str, str] = {}
    time = start = None
    tcol = next((c for c in df.columns if str(c).lower() in _TIME_NAMES), None)
    if tcol is not None:
        col = df.pop(tcol)
        if pd.api.types.is_numeric_dtype(col):
            time, unit = _numeric_time_to_seconds(col.to_numpy(), named=True)
            notes["time"] = f"time column {tcol!r} read as {unit}"
        else:
            # (datetimes as text dates are: an empty cell, NaT, is named, not read as
            # -9.2e18 ns; the note as the streamed read's)
            time, start, fmt, told = _parse_timestamps(col, src)
            notes["time"] = timestamp_note(str(tcol), fmt, told)
    bad = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    if bad:
        raise RecordingError(f"non-numeric column {bad[0]!r}", src)
    if df.empty:
        raise RecordingError("the table has no rows", src)
    return RawSignal(
        df.to_numpy(np.float64),
        [str(c) for c in df.columns],
        fs=fs,
        time=time,
        start=start,
        notes=notes,
    )


def _first_line(exc: BaseException) -> str:
    """An exception's message, first line only (or its type when it has none)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


_NPY_MAGIC = b"\x93NUMPY"


def _npy_check(path: Path) -> None:
    """Refuse, in one line, a file that is no ``.npy``, holds Python objects or is truncated.

    Checked from the header before ``np.load``, whose messages for these invite an unsafe
    load (``allow_pickle=``) or speak of ``mmap`` lengths.
    """
    src = str(path)
    try:
        with open(path, "rb") as fh:
            magic = fh.read(len(_NPY_MAGIC))
            fh.seek(0)
            if magic != _NPY_MAGIC:
                raise ValueError("it does not start with the NumPy header")
            version = np.lib.format.read_magic(fh)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(fh)
            else:  # 2.0 and 3.0 have the same layout (3.0: UTF-8 field names)
                shape, _, dtype = np.lib.format.read_array_header_2_0(fh)
            offset = fh.tell()
        size = path.stat().st_size
    except (ValueError, OSError, EOFError, SyntaxError, TokenError) as exc:
        # (a garbled header dict: numpy's parser raises tokenize's TokenError too)
        raise RecordingError(f"not a readable .npy file ({_first_line(exc)})", src) from None
    if dtype.hasobject:
        raise RecordingError(
            "holds Python objects (dtype object), which movement does not load: "
            "save a numeric array",
            src,
        )
    if dtype.kind not in "iuf":  # (the streamed read and info would fail deep inside)
        raise RecordingError(f"data must be real numbers, got dtype {dtype}", src)
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    found = size - offset
    if found < expected:
        raise RecordingError(
            f"truncated .npy file: expected {expected} bytes of data, found {found}", src
        )


def open_npy(path: Path) -> np.ndarray:
    """A ``.npy`` file as a memory-mapped (samples, channels) array, validated."""
    _npy_check(path)
    try:
        arr = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise RecordingError(f"not a readable .npy file ({exc})", str(path)) from None
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise RecordingError(f"array must be 1-D or 2-D, got shape {arr.shape}", str(path))
    if arr.size == 0:
        what = "no channels" if arr.shape[1] == 0 else "no samples"
        raise RecordingError(f"{what} (array shape {arr.shape})", str(path))
    if arr.shape[0] < arr.shape[1]:
        raise RecordingError(
            f"array shape {arr.shape} looks like channels x samples; save it as samples x channels",
            str(path),
        )
    return arr


def npy_channel_names(path: Path, n_columns: int) -> list[str]:
    """Names of a ``.npy`` file's columns: the sidecar's ``ColumnNames``, else ``ch1``, ``ch2``...

    A ``.npy`` holds no names; :func:`movement.io.convert` writes them to the sidecar
    as ``ColumnNames`` (``Channels`` there means "keep these", as for any format).
    """
    from . import _sidecar_get, read_sidecar, sidecar_path

    names = _sidecar_get(read_sidecar(path), "ColumnNames")
    if names is None:
        return [f"ch{i + 1}" for i in range(n_columns)]
    if not isinstance(names, list) or len(names) != n_columns:
        count = len(names) if isinstance(names, list) else "no list of"
        raise RecordingError(
            f"sidecar {sidecar_path(path).name} has {count} ColumnNames for {n_columns} columns",
            str(path),
        )
    return [str(c) for c in names]


@register_reader(".npy", description="NumPy array (samples x channels), memory-mapped")
def read_npy(path: Path) -> RawSignal:
    """Read a ``.npy`` array (memory-mapped, so large files open lazily).

    Columns are named by the sidecar's ``ColumnNames`` when it has them (see
    :func:`npy_channel_names`), else ``ch1``, ``ch2``...
    """
    arr = open_npy(path)
    return RawSignal(np.asarray(arr), npy_channel_names(path, arr.shape[1]))


@register_reader(".npz", description="NumPy archive: 'data' (+ optional 'fs', 'channels', 'time')")
def read_npz(path: Path) -> RawSignal:
    """Read a ``.npz`` with a ``data`` array and optional ``fs``, ``channels``, ``time``, ``modality``, ``units``."""
    src = str(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise RecordingError(f"not a readable .npz file ({exc.strerror or exc})", src) from None
    if head[:2] != b"PK":  # (np.load would try it as a pickle, and suggest allow_pickle=)
        raise RecordingError("not a readable .npz file (not a zip archive of arrays)", src)
    # a cut-short or damaged archive: zipfile's BadZipFile (not an OSError), zlib's error
    damaged = (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error)
    try:
        z = np.load(path, allow_pickle=False)
    except damaged as exc:
        raise RecordingError(f"not a readable .npz file ({_first_line(exc)})", src) from None
    with z:
        try:
            return _npz_signal(z, src)
        except RecordingError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # (members are read lazily)
            raise RecordingError(
                f"not a readable .npz file, damaged or truncated ({_first_line(exc)})", src
            ) from None
        except (ValueError, TypeError) as exc:
            if "allow_pickle" in str(exc) or "Object arrays" in str(exc):
                raise RecordingError(
                    "an array holds Python objects (dtype object), which movement does not "
                    "load: save numeric arrays",
                    src,
                ) from None
            msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise RecordingError(f"not a readable .npz file ({msg})", src) from None


def _npz_signal(z: Any, src: str) -> RawSignal:
    """The signal in an open ``.npz`` archive (see :func:`read_npz`)."""
    names = list(z.files)
    key = "data" if "data" in names else (names[0] if len(names) == 1 else None)
    if key is None:
        raise RecordingError(f"no 'data' array in the archive (arrays: {', '.join(names)})", src)
    for name in (key, "time"):
        if name not in names:
            continue
        dtype = z[name].dtype
        if dtype.kind == "c":  # (float64 dropped the imaginary part)
            raise RecordingError(
                f"{name!r} holds complex numbers (dtype {dtype}): save the real "
                "values (e.g. their magnitude or real part)",
                src,
            )
        if dtype.kind not in "iuf":
            # as a .npy's (_npy_check): float64 read bools as 0/1, text as the numbers it
            # spells, datetimes as counts of their unit (a 'time' in ms as s: a 0.1 Hz
            # rate), and a structured array as its first field
            unit = " (s)" if name == "time" else ""
            raise RecordingError(f"{name!r} must be real numbers{unit}, got dtype {dtype}", src)
    data = np.asarray(z[key], dtype=np.float64)
    if data.ndim == 1:
        data = data[:, None]
    if data.ndim != 2:
        raise RecordingError(f"{key!r} must be 1-D or 2-D, got shape {data.shape}", src)
    fs = None
    if "fs" in names:
        f = z["fs"]
        # (a bool read as 1 Hz, several values failed with numpy's words)
        try:
            if f.dtype.kind in "bcmMO" or f.size != 1:
                raise ValueError
            fs = float(f.reshape(()))
        except (ValueError, TypeError):
            raise RecordingError(
                f"'fs' must be one number (Hz), got {f.size} value(s) of dtype {f.dtype}", src
            ) from None
    chans = (
        [str(c) for c in z["channels"]]
        if "channels" in names
        else [f"ch{i + 1}" for i in range(data.shape[1])]
    )
    time = np.asarray(z["time"], dtype=np.float64) if "time" in names else None
    modality = str(z["modality"]) if "modality" in names else None
    units = str(z["units"]) if "units" in names else None
    if time is not None:
        if time.ndim != 1 or time.size != data.shape[0]:
            raise RecordingError(
                f"'time' must hold one value per sample: shape {time.shape} for "
                f"{data.shape[0]} samples",
                src,
            )
        time = time - time[0]
    return RawSignal(data, chans, fs=fs, time=time, modality=modality, units=units)
