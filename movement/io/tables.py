"""Readers for plain tables: CSV/TSV/TXT (optionally gzipped), Parquet, NumPy.

CSV-like files may have a header or none, ``#`` comment lines (the "Simple Text
Format" header of OpenSignals/BioSPPy: ``# Sampling Rate (Hz):= 100``), and an
optional time column, in seconds or as timestamps. Every other numeric column is
a channel.
"""

from __future__ import annotations

import gzip
import io
import itertools
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
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


#: What a binary file of a known kind starts with, and what to say of it.
_MAGIC = (
    (b"\x93NUMPY", "a NumPy .npy file; rename it .npy"),
    (b"PK\x03\x04", "a ZIP archive (a NumPy .npz, an Excel .xlsx workbook, an ActiGraph .gt3x?); "
     "rename a .npz or .gt3x so, or export a workbook as CSV"),
    (b"\x89HDF\r\n\x1a\n", "an HDF5 file; rename it .h5 (or .mat for MATLAB v7.3)"),
    (b"MATLAB 5.0 MAT-file", "a MATLAB .mat file; rename it .mat"),
    (b"PAR1", "a Parquet file; rename it .parquet"),
    (b"\x1f\x8b", "a gzip-compressed file; add .gz to its name (e.g. .csv.gz)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel .xls workbook; export it as CSV"),
    (b"\xffBIOSEMI", "a BDF file; rename it .bdf"),
    (b"%PDF", "a PDF document"),
)  # fmt: skip


def binary_start(head: bytes) -> str | None:
    """What the first bytes of a file that should be a text table say it is instead (one
    line, from ``not a text table: ...``), or None when they may be text.

    A known binary kind by its first bytes (a NumPy ``.npy``, a ZIP, HDF5, MATLAB,
    Parquet, gzip...), UTF-16 text by its byte-order mark, else NUL bytes anywhere in
    ``head``. (Read as text, such a file failed deep in the parser: "field larger than
    field limit".)

    Examples
    --------
    >>> binary_start(b"\\x93NUMPY\\x01\\x00v\\x00{'descr'")
    'not a text table: the file starts like a NumPy .npy file; rename it .npy'
    >>> binary_start(b"time,x\\n0,1\\n") is None
    True
    """
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return f"not a text table: the file starts like {what}"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "not a text table it can read: the file is UTF-16 text; save it as UTF-8"
    if b"\x00" in head:
        return "not a text table: the file holds binary data (NUL bytes in its first 4 KB)"
    return None


def _check_text(path: Path) -> None:
    """Refuse, in one line, a file that is no text (see :func:`binary_start`); a gzipped
    table is judged by what it holds."""
    try:
        if path.name.lower().endswith(".gz"):
            with gzip.open(path, "rb") as fh:
                head = fh.read(4096)
        else:
            with open(path, "rb") as fh:
                head = fh.read(4096)
    except (OSError, EOFError, zlib.error):
        return  # (the read says what is wrong: not a gzip file, cut short, no permission)
    said = binary_start(head)
    if said:
        raise RecordingError(said, str(path))


def _sniff(path: Path) -> tuple[dict[str, str], int, str | None, bool, str | None]:
    """Comment-header keys, comment line count, delimiter, has-header, first data line."""
    lay = table_layout(path)
    return lay.keys, lay.n_comment, lay.sep, lay.header, lay.first


@dataclass
class TableLayout:
    """How a text table is laid out, from its first lines (:func:`table_layout`): what
    both the whole read and the streamed one need to read it the same way.

    Attributes
    ----------
    keys : dict
        ``# key:= value`` comment-header keys (lower-case keys).
    n_comment : int
        Lines before the first line of the table (comments, blank lines, a device header).
    sep : str or None
        The delimiter (None: whitespace).
    header : bool
        Whether the first line names the columns.
    first : str or None
        The first line of the table (None: the file holds no table).
    units_row : int or None
        The line (0-based) of a units row under the header, left out of the data.
    decimal : str
        ``","`` for a table of decimal commas (``0,3125`` between ``;``), else ``"."``.
    fs, units, modality, start
        What a header declares (the rate in Hz, the units, the modality, the start).
    names : dict
        Columns renamed (a device's names to ``x``, ``y``, ``z``).
    drop : tuple of str
        Columns left out (an ActiGraph export's ``Timestamp``: its header gives the rate
        and the start).
    column_units : dict
        Each column's unit, from a units row.
    labels : list of str or None
        Names of a headerless table's columns.
    notes : dict
        What was decided (kept in ``Recording.notes``).
    """

    keys: dict[str, str] = field(default_factory=dict)
    n_comment: int = 0
    sep: str | None = None
    header: bool = False
    first: str | None = None
    units_row: int | None = None
    decimal: str = "."
    fs: float | None = None
    units: str | None = None
    modality: str | None = None
    start: Any = None
    names: dict[str, str] = field(default_factory=dict)
    drop: tuple[str, ...] = ()
    column_units: dict[str, str] = field(default_factory=dict)
    labels: list[str] | None = None
    notes: dict[str, str] = field(default_factory=dict)

    def csv_kwargs(self) -> dict[str, Any]:
        """``pandas.read_csv`` arguments that read the table (with or without chunks)."""
        skip: int | list[int] = self.n_comment
        if self.units_row is not None:
            skip = [*range(self.n_comment), self.units_row]
        return dict(
            sep=self.sep if self.sep is not None else r"\s+",
            header=0 if self.header else None,
            skiprows=skip,
            comment=None,
            engine="c",
            skipinitialspace=True,
            decimal=self.decimal,
        )

    def column_names(self, read: list[str]) -> list[str]:
        """The columns' names: as read (a header's, stripped; renamed where a device's),
        or a headerless table's labels, else ``ch1``, ``ch2``..."""
        if self.header:
            cols = [str(c).strip() for c in read]
        elif self.labels and len(self.labels) == len(read):
            cols = list(self.labels)
        else:
            cols = [f"ch{i + 1}" for i in range(len(read))]
        return [self.names.get(c, c) for c in cols]

    def time_unit(self, column: str) -> str | None:
        """The unit a time column's name or the units row gives it (``s``, ``ms``...)."""
        unit = self.column_units.get(column)
        return _TIME_UNITS.get(unit) if unit else named_time_unit(column)


#: Units a units row may give a time column, as :func:`time_scale` names them.
_TIME_UNITS = {"s": "s", "sec": "s", "ms": "ms", "us": "us", "µs": "us", "μs": "us", "ns": "ns"}
#: Units a units row under a header may hold (lower case, brackets taken off).
_UNIT_WORDS = {
    *_TIME_UNITS,
    "g", "mg", "m/s^2", "m/s²", "m/s2", "m s-2", "mv", "uv", "µv", "μv", "v", "a.u.", "au",
    "deg/s", "°/s", "dps", "rad/s", "deg", "°", "ut", "µt", "°c",
}  # fmt: skip
#: A time column named with its unit: ``time_ms``, ``time (ms)``, ``t[us]``, ``timestamp_ns``.
_NAMED_UNIT = re.compile(
    r"^(?:time|t|ts|timestamp|timestamps|elapsed|seconds)\s*[_\s\[(]\s*(s|sec|ms|us|µs|μs|ns)[\])]?$"
)


def named_time_unit(name: str) -> str | None:
    """The unit a time column's name states (``time_ms``: ``"ms"``), or None.

    Examples
    --------
    >>> named_time_unit("time_ms"), named_time_unit("Time (us)"), named_time_unit("time")
    ('ms', 'us', None)
    """
    m = _NAMED_UNIT.match(name.strip().lower())
    return _TIME_UNITS[m.group(1)] if m else None


def is_time_name(name: str) -> bool:
    """Whether a column's name makes it the time column (``time``, ``timestamp``,
    ``time_ms``...)."""
    return name.strip().lower() in _TIME_NAMES or named_time_unit(name) is not None


#: The first line of an ActiLife CSV export (as :func:`_header_line` gives it).
_ACTIGRAPH = re.compile(r"^-+\s*Data File Created By ActiGraph\b", re.IGNORECASE)


def _header_line(line: str) -> str:
    """A line of an ActiLife CSV export's header as ActiLife wrote it: a spreadsheet that
    saved the file again may have quoted it and added empty fields (``"---- Data File
    ...",,,``); a byte-order mark is left out.

    Examples
    --------
    >>> _header_line('\\ufeff"--- Data File Created By ActiGraph GT3X+ ---",,,\\n')
    '--- Data File Created By ActiGraph GT3X+ ---'
    >>> _header_line("Serial Number: MOS1")
    'Serial Number: MOS1'
    """
    s = line.strip().lstrip("\ufeff").rstrip(",;\t ")
    if len(s) >= 2 and s[0] == s[-1] == '"':
        s = s[1:-1].replace('""', '"').strip()
    return s


#: ActiLife's raw acceleration columns, as movement names them.
_ACTIGRAPH_AXES = {"accelerometer x": "x", "accelerometer y": "y", "accelerometer z": "z"}


def _java_date_format(pattern: str) -> str | None:
    """A .NET/Java date pattern (ActiLife's ``M/d/yyyy``) as a strftime format, or None.

    Examples
    --------
    >>> _java_date_format("M/d/yyyy"), _java_date_format("dd.MM.yyyy"), _java_date_format("?")
    ('%m/%d/%Y', '%d.%m.%Y', None)
    """
    parts = {"yyyy": "%Y", "yy": "%y", "MM": "%m", "M": "%m", "dd": "%d", "d": "%d"}
    out = re.sub(r"yyyy|yy|MM|M|dd|d", lambda m: parts[m.group(0)], pattern)
    return out if re.fullmatch(r"(%[Ymdy]|[./\- ])+", out) and out.count("%") == 3 else None


def _actigraph_header(lines: list[str], src: str) -> TableLayout:
    """What an ActiLife CSV export's 10-line header says: the rate (``at 30 Hz``), the start
    (``Start Date``/``Start Time`` in its stated ``date format``), raw acceleration in g.
    An epoch export (``Epoch Period`` other than ``00:00:00``: activity counts) is refused.
    """
    text = "\n".join(lines)

    def find(pattern: str) -> str | None:
        m = re.search(pattern, text, re.IGNORECASE | re.MULTILINE)
        return m.group(1).strip() if m else None

    epoch = find(r"^Epoch Period \(hh:mm:ss\)\s*(\S+)")
    if epoch is not None and epoch.strip("0:") != "":
        raise RecordingError(
            f"an ActiGraph epoch export (Epoch Period {epoch}): it holds activity counts, not "
            "raw acceleration; export the RAW data from ActiLife (or read the .gt3x file)",
            src,
        )
    lay = TableLayout(units="g", modality="accel", drop=("Timestamp",))
    rate = find(r"\bat\s+(\d+(?:\.\d+)?)\s*Hz")
    lay.fs = float(rate) if rate else None
    stated = find(r"date format\s+(\S+)")
    fmt = _java_date_format(stated) if stated else "%m/%d/%Y"
    day, clock = find(r"^Start Date\s+(\S+)"), find(r"^Start Time\s+(\S+)")
    said = f"date format {stated}" if stated else "no date format stated: month first"
    if fmt and day and clock:
        try:
            lay.start = datetime.strptime(f"{day} {clock}", f"{fmt} %H:%M:%S")
        except ValueError:
            pass
    serial = find(r"^Serial Number:\s*(\S+)")
    device = find(r"Created By ActiGraph\s+(.+?)\s+ActiLife") or "device"
    note = f"ActiGraph ActiLife CSV export ({device}" + (f", serial {serial}" if serial else "")
    note += f"): {lay.fs:g} Hz" if lay.fs else "): no rate stated"
    if lay.start is not None:
        note += f", start {lay.start.isoformat(sep=' ')} ({said})"
    else:
        note += f", start not read (Start Date {day!r}, Start Time {clock!r}, {said})"
    lay.notes["device"] = note + ", acceleration in g"
    return lay


def table_layout(path: Path) -> TableLayout:
    """How the text table ``path`` is laid out (see :class:`TableLayout`), from its first
    lines: comment-header keys, a device header (ActiGraph's ActiLife CSV export), the
    delimiter, a header row, a units row under it, decimal commas."""
    src = str(path)
    _check_text(path)
    keys: dict[str, str] = {}
    n_comment = 0
    first: str | None = None
    ahead: list[str] = []  # (the lines after the first: a units row, decimal commas)
    lay = TableLayout()
    try:
        with _open_text(path) as fh:
            line0 = fh.readline()
            if _ACTIGRAPH.match(_header_line(line0)):
                lines = [_header_line(line0)] + [_header_line(fh.readline()) for _ in range(9)]
                lay = _actigraph_header(lines, src)
                n_comment = 10
            elif line0:
                fh = itertools.chain([line0], fh)  # type: ignore[assignment]
            for line in fh:
                s = line.strip()
                if first is not None:
                    ahead.append(s)
                    if len(ahead) >= 20:
                        break
                    continue
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
    except (UnicodeDecodeError, gzip.BadGzipFile, EOFError) as exc:
        # before OSError: gzip.BadGzipFile is an OSError without a strerror
        raise RecordingError(f"not a text table ({exc})", src) from None
    except OSError as exc:
        raise RecordingError(f"cannot read ({exc.strerror or exc})", src) from None
    lay.keys, lay.n_comment, lay.first = keys, n_comment, first
    if first is None:
        return lay
    if "\t" in first:
        sep: str | None = "\t"
    elif ";" in first and (
        "," not in first or _decimal_commas([[t.strip() for t in first.split(";")]])
    ):
        sep = ";"  # (and decimal commas, "0,3125;0,17", in a headerless table)
    elif "," in first:
        sep = ","
    else:
        sep = None  # whitespace
    lay.sep = sep

    def tokens(line: str) -> list[str]:
        raw = re.split(r"\s+", line) if sep is None else line.split(sep)
        return [t.strip().strip('"').strip() for t in raw]

    toks = tokens(first)
    if lay.modality == "accel" and "device" in lay.notes:  # (ActiGraph: names, or data)
        header = not any(_NUM.match(t) for t in toks if t)
        lay.names = {n: _ACTIGRAPH_AXES.get(n.lower(), n) for n in toks if n}
        if not header:
            lead = [] if _NUM.match(toks[0]) else ["Timestamp"]
            axes = ["x", "y", "z"][: len(toks) - len(lead)]
            lay.labels = lead + axes + [f"ch{i + 1}" for i in range(len(lead) + 3, len(toks))]
    elif sep != "," and _decimal_commas([toks]):
        header = False  # (a first row of numbers with decimal commas: data)
    else:
        header = any(t and not _NUM.match(t) for t in toks)
        # a first row of timestamps is data, not a header
        if header and sep is not None:
            header = not all(_looks_like_value(t) for t in toks if t)
    lay.header = header
    if fs_key := next((k for k in _RATE_KEYS if k in keys), None):
        try:
            lay.fs = float(keys[fs_key])
        except ValueError:
            pass
    lay.units = keys.get("units", lay.units)
    labels = keys.get("labels")
    if labels and lay.labels is None:
        lay.labels = labels.split()
    data = ([] if header else [first]) + [ln for ln in ahead if ln and not ln.startswith("#")]
    if header and ahead and ahead[0]:
        units = tokens(ahead[0])
        known = [u.strip("[]()").lower() in _UNIT_WORDS for u in units if u]
        if known and all(known) and len(units) == len(toks):
            lay.units_row = n_comment + 1
            _units_row(lay, toks, units, ahead[0])
            data = [ln for ln in ahead[1:] if ln and not ln.startswith("#")]
    if sep != "," and data and _decimal_commas([tokens(ln) for ln in data[:10]]):
        lay.decimal = ","
        what = {";": "';'", "\t": "tabs", None: "spaces"}[sep]
        lay.notes["decimal"] = (
            f"decimal commas read (fields between {what}, values like {_comma_value(data):s})"
        )
    return lay


#: Comment-header keys of the sampling rate (OpenSignals' "Sampling Rate (Hz)").
_RATE_KEYS = ("sampling rate (hz)", "sampling rate", "sampling frequency", "fs")
#: A number written with a decimal comma (``0,3125``, ``-1,5e-3``) or a whole number.
_COMMA_NUM = re.compile(r"^[+-]?\d+(,\d+)?([eE][+-]?\d+)?$")


def _decimal_commas(rows: list[list[str]]) -> bool:
    """Whether rows of fields are numbers written with decimal commas: none written with a
    decimal point, every number a decimal-comma or whole number, one at least with a comma
    (fields that are no number, dates, are left to the columns' own checks)."""
    cells = [t for row in rows for t in row if t]
    if any(_NUM.match(t) and not t.lstrip("+-").isdigit() for t in cells):
        return False  # (a number with a decimal point: "," is no decimal mark here)
    numbers = [t for t in cells if re.match(r"^[+-]?[\d,]+([eE][+-]?\d+)?$", t)]
    return (
        bool(numbers)
        and all(_COMMA_NUM.match(t) for t in numbers)
        and any("," in t for t in numbers)
    )


def _comma_value(lines: list[str]) -> str:
    """The first decimal-comma number of ``lines``, quoted."""
    m = re.search(r"(?<![\w,])[+-]?\d+,\d+", " ".join(lines))
    return repr(m.group(0)) if m else "'0,5'"


def _units_row(lay: TableLayout, names: list[str], units: list[str], line: str) -> None:
    """Take a units row under the header (``s,g,g,g``) as the columns' units: the time
    column's unit, and the channels' when they share one. Channels in units that differ
    (``s,g,g,g,mV``) have each theirs noted (:data:`movement.io.CHANNEL_UNITS`): the
    channels read must then share one (a selection of them), else the read says which
    are in which."""
    from . import CHANNEL_UNITS

    lay.column_units = {n: u.strip("[]()") for n, u in zip(names, units, strict=True) if u}
    per = {
        lay.names.get(n, n): u
        for n, u in lay.column_units.items()
        if not is_time_name(lay.names.get(n, n))
    }
    chans = set(per.values())
    said = f"row 2 {line[:40]!r} under the header read as units"
    if len(chans) == 1:
        lay.units = lay.units or chans.pop()
        said += f" (channels in {lay.units})"
    elif chans:
        said += " (the channels' units differ: each channel's kept)"
        lay.notes[CHANNEL_UNITS] = per  # type: ignore[assignment]  # (taken out by the read)
    lay.notes["units_row"] = said


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
    if sep is not None and not last.replace(sep, "").strip():
        return None  # (a row of separators alone, a spreadsheet's: no value to cut)
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


def _numeric_time_to_seconds(
    t: np.ndarray, named: bool, unit: str | None = None
) -> tuple[np.ndarray, str]:
    """Scale a numeric time column to seconds: seconds, ms, µs or ns, by its step (or in
    ``unit``, which its name or a units row gives, when that gives a rate of 0.5 Hz to
    50 kHz)."""
    t = t.astype(np.float64)
    dt = np.diff(t)
    step = float(np.median(dt)) if dt.size else 1.0
    order = [(1.0, "s"), (1e-3, "ms"), (1e-6, "us"), (1e-9, "ns")]
    if unit is not None:
        order = [(time_scale(unit), unit), *order]
    for scale, name in order:
        rate = 1.0 / (step * scale) if step > 0 else 0
        if 0.5 <= rate <= 50_000:
            return (t - t[0]) * scale, name
    return t - t[0], "s"


#: Unix times (s) of 2000-01-01 and 2100-01-01 UTC: a time column whose first value lies
#: between them, in its unit, is a clock.
_EPOCH_SPAN = (946_684_800, 4_102_444_800)


def numeric_time_meaning(
    tcol: str,
    unit: str,
    first: Any,
    step: float,
    whole: bool,
    named: bool = True,
    how: str = "",
) -> tuple[str, Any, str | None]:
    """The reader's note on a numeric time column read in ``unit``, the start it gives, and
    a warning (or None).

    ``first``: its first value (as stored); ``step``: its median step (as stored);
    ``whole``: the column holds whole numbers (an integer column). A first value that is a
    Unix time (2000 to 2100, in ``unit``) gives the start, in UTC. A column of whole numbers
    one apart read as seconds (1 Hz) is warned of: it may count milliseconds or samples.

    Examples
    --------
    >>> note, start, warn = numeric_time_meaning("ts", "ms", 1709629200000, 10.0, True)
    >>> note, str(start), warn
    ("time column 'ts' read as ms, Unix times: start 2024-03-05 09:00:00+00:00 (UTC)", '2024-03-05 09:00:00+00:00', None)
    >>> numeric_time_meaning("time", "s", 0, 1.0, True)[2]  # doctest: +ELLIPSIS
    "time column 'time' holds whole numbers one apart, read as seconds (1 Hz): ..."
    """
    note = (
        f"time column {tcol!r} read as {unit}{how}"
        if named
        else f"first column read as a time column in {unit}"
    )
    start = None
    try:
        value = int(first) if whole else float(first)
        seconds = value * time_scale(unit)
    except (TypeError, ValueError, OverflowError):
        seconds = None
    if seconds is not None and _EPOCH_SPAN[0] <= seconds < _EPOCH_SPAN[1]:
        unit_pd = {"s": "s", "ms": "ms", "us": "us", "ns": "ns"}[unit]
        start = pd.Timestamp(value, unit=unit_pd, tz="UTC").to_pydatetime(warn=False)
        note += f", Unix times: start {start} (UTC)"
    warn = None
    if unit == "s" and whole and step == 1.0 and named and not how:
        warn = (
            f"time column {tcol!r} holds whole numbers one apart, read as seconds (1 Hz): "
            "if they count milliseconds, name the column time_ms or give the rate (--fs, "
            "fs=); if they count samples, give the rate"
        )
        note += " (whole numbers one apart: if ms or samples, give the rate)"
    return note, start, warn


def time_unit_said(lay: TableLayout | None, column: str, unit: str) -> str:
    """How the note says where a time column's unit came from: its units row or its name
    (empty when its step decided)."""
    if lay is not None and lay.column_units.get(column):
        return " (its units row says so)" if lay.time_unit(column) == unit else ""
    return " (its name says so)" if named_time_unit(column) == unit else ""


def trailing_empty_rows(df: pd.DataFrame) -> int:
    """How many rows at the end of ``df`` hold no value (a row of separators alone,
    ``,,,``, as spreadsheet exports end)."""
    if not len(df) or not df.shape[1]:
        return 0
    empty = df.isna().all(axis=1).to_numpy(bool)
    filled = np.flatnonzero(~empty)
    return len(df) if not filled.size else int(len(df) - 1 - filled[-1])


def empty_rows_note(k: int) -> str:
    """The reader's note on ``k`` rows of empty fields left out at a table's end."""
    return f"{k} row{'s' if k != 1 else ''} of empty fields at the end left out"


def non_numeric_hint(value: Any, row: int, lay: TableLayout | None = None) -> str:
    """What a non-numeric value (at data row ``row``, from 1) may mean: a decimal comma,
    or a units row under the header. Empty when neither."""
    text = str(value).strip()
    if re.fullmatch(r"[+-]?\d*,\d+([eE][+-]?\d+)?", text):
        return (
            ": a decimal comma? Save the table with decimal points, or with ';' between "
            "fields and every number written with a decimal comma"
        )
    if row == 1 and lay is not None and lay.header and text.strip("[]()").lower() in _UNIT_WORDS:
        return ": a row of units under the header? Remove it (or write only known units in it)"
    return ""


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

    try:
        return len(next(csv.reader([line], delimiter=sep, skipinitialspace=True), []))
    except csv.Error:  # (a field over csv's limit: pandas' parser says what is wrong)
        return len(line.split(sep))


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


def kept_columns(names: list[str], channels: Any, src: str) -> set[str] | None:
    """The columns a channel selection keeps (names or 0-based indices, as
    :func:`movement.read`'s ``channels=`` and a sidecar's ``Channels``), or None when it
    keeps all. A selection that names no column is refused as the selection itself is."""
    if channels is None:
        return None
    from . import _select

    probe = RawSignal(np.zeros((0, len(names))), list(names))
    _select(probe, channels, src)
    return set(probe.channels)


def text_columns(
    df: pd.DataFrame, kept: set[str] | None, src: str, lay: TableLayout | None = None, row0: int = 0
) -> pd.DataFrame:
    """``df`` with its columns of text that the selection ``kept`` leaves out made missing
    values (a label column, ``subject``: ``S01``), kept in place so that indices select the
    same columns; a column of text kept is refused, naming its first value that is no
    number and its data row (from ``row0``)."""
    bad = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    if not bad:
        return df
    unused = [c for c in bad if kept is not None and c not in kept]
    if unused:
        df = df.copy()
        for c in unused:  # (a few columns)
            df[c] = np.nan
    used = [c for c in bad if c not in unused]
    if not used:
        return df
    col = used[0]
    text = df[col].astype("string").str.strip()
    number = pd.to_numeric(text.mask(text == ""), errors="coerce")
    wrong = (number.isna() & text.notna() & (text != "")).to_numpy(bool)
    if not wrong.any():
        raise RecordingError(f"non-numeric values in column {col!r}", src)
    i = int(np.flatnonzero(wrong)[0])
    value, row = text.iloc[i], row0 + i + 1
    hint = non_numeric_hint(value, row, lay)
    filled = (text.notna() & (text != "")).to_numpy(bool)
    if not hint and kept is None and wrong.sum() * 2 > filled.sum():
        # (mostly words: a column of labels, annotations or subject codes beside the signal)
        numeric = [str(c) for c in df.columns if c not in bad]
        hint = (
            ": a column of labels? Select the signal's columns"
            + (f" (--channels {','.join(numeric[:8])}" if numeric else " (--channels")
            + "; channels= in movement.read)"
        )
    raise RecordingError(
        f"non-numeric value {value[:30]!r} in column {col!r} (data row {row})" + hint,
        src,
    )


@register_reader(".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz", description="text table")
def read_text_table(path: Path, channels: Any = None) -> RawSignal:
    """Read a delimited text table (header or none, optional time column).

    ``channels``: the selection :func:`movement.read` will keep (see :func:`kept_columns`):
    a column of text it leaves out is no error.
    """
    src = str(path)
    lay = table_layout(path)
    n_comment, sep, header, first = lay.n_comment, lay.sep, lay.header, lay.first
    if first is None:
        raise RecordingError("the file is empty (no data rows)", src)
    if header:
        header_width_check(path, n_comment, sep, first)
    try:
        df = pd.read_csv(path, **lay.csv_kwargs())
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
    notes: dict[str, str] = dict(lay.notes)
    empty = trailing_empty_rows(df)
    if empty:  # (a spreadsheet's rows of separators alone: as blank lines)
        df = df.iloc[: len(df) - empty]
        notes["empty_rows"] = empty_rows_note(empty)
    if df.empty:
        raise RecordingError("the file has a header but no data rows", src)
    df.columns = lay.column_names(list(df.columns))
    if header:
        again = repeated_header_row(df)
        if again is not None:
            raise RecordingError(repeated_header_message(again, list(df.columns)), src)
    kept = [_unnamed_kept(df[c], c) and c not in lay.drop for c in df.columns]
    index = [
        c
        for c, k in zip(df.columns, kept, strict=True)
        if not k and c not in lay.drop and df[c].notna().any()
    ]
    if index:
        notes["index"] = f"column {index[0]!r} (row numbers) left out"
    df = df.loc[:, kept]
    time = start = None
    tcol = next((c for c in df.columns if is_time_name(c)), None)
    if tcol is not None:
        col = df[tcol]
        if pd.api.types.is_numeric_dtype(col):
            time, start, notes["time"] = _numeric_time(col, tcol, lay, src)
        else:
            time, start, fmt, told = _parse_timestamps(col, src)
            notes["time"] = timestamp_note(tcol, fmt, told)
        df = df.drop(columns=[tcol])
    elif not header and df.shape[1] >= 2:
        c0 = df.columns[0]
        if pd.api.types.is_numeric_dtype(df[c0]) and _is_time_like(df[c0].to_numpy(float)):
            time, start, notes["time"] = _numeric_time(df[c0], c0, None, src, named=False)
            df = df.drop(columns=[c0])
    df = text_columns(df, kept_columns(list(df.columns), channels, src), src, lay)
    if df.shape[1] == 0:
        raise RecordingError("no numeric channel columns", src)
    return RawSignal(
        data=df.to_numpy(dtype=np.float64),
        channels=list(df.columns),
        fs=lay.fs,
        time=time,
        start=start if start is not None else lay.start,
        units=lay.units,
        modality=lay.modality,
        notes=notes,
    )


def _numeric_time(
    col: pd.Series, tcol: str, lay: TableLayout | None, src: str, named: bool = True
) -> tuple[np.ndarray, Any, str]:
    """A numeric time column in seconds from its first value, its start (Unix times) and
    the reader's note; a column of whole numbers one apart read as seconds is warned of."""
    v = col.to_numpy()
    unit = lay.time_unit(tcol) if lay is not None and named else None
    time, got = _numeric_time_to_seconds(v, named=named, unit=unit)
    # (whole numbers by value: a column of them with empty rows cut off the end reads as
    # floats, and the streamed read sees its first rows')
    whole = bool(np.all(np.mod(v.astype(np.float64), 1) == 0))
    step = float(np.median(np.diff(v.astype(np.float64)))) if len(v) > 1 else 0.0
    note, start, warn = numeric_time_meaning(
        tcol, got, v[0] if len(v) else None, step, whole, named, time_unit_said(lay, tcol, got)
    )
    if warn:
        warnings.warn(f"{src}: {warn}", stacklevel=4)
    return time, start, note


@register_reader(".parquet", ".pq", extra="parquet", description="Apache Parquet table")
def read_parquet(path: Path, channels: Any = None) -> RawSignal:
    """Read a Parquet table (needs ``pyarrow``); columns as in a CSV (``channels``: as for
    :func:`read_text_table`)."""
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
    if df.empty:  # (columns and no rows: as the streamed read says it)
        raise RecordingError("the table has no rows", src)
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
    df.columns = [str(c) for c in df.columns]
    tcol = next((c for c in df.columns if is_time_name(c)), None)
    if tcol is not None:
        col = df.pop(tcol)
        if pd.api.types.is_numeric_dtype(col):
            time, start, notes["time"] = _numeric_time(col, tcol, TableLayout(), src)
        else:
            # (datetimes as text dates are: an empty cell, NaT, is named, not read as
            # -9.2e18 ns; the note as the streamed read's)
            time, start, fmt, told = _parse_timestamps(col, src)
            notes["time"] = timestamp_note(str(tcol), fmt, told)
    df = text_columns(df, kept_columns(list(df.columns), channels, src), src)
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


#: The arrays of a ``.npz`` that :func:`read_npz` reads.
NPZ_NAMES = ("data", "fs", "channels", "time", "modality", "units")


def _no_data_message(z: Any, names: list[str]) -> str:
    """The error for an archive of several arrays none named ``data``: what it holds
    (each array's shape) and which names are read."""

    sizes: dict[str, int] = {}

    def shape(name: str) -> str:
        try:
            a = z[name]
        except Exception:  # noqa: BLE001 - a damaged member: its name is enough
            return name
        sizes[name] = int(a.size)
        dims = " x ".join(str(d) for d in a.shape) if a.ndim else "one value"
        return f"{name} ({dims})"

    held = ", ".join(shape(n) for n in names[:12]) + (", ..." if len(names) > 12 else "")
    signal = max(sizes, key=sizes.__getitem__) if sizes else names[0]
    return (
        f"no 'data' array in the archive: it holds {held}; movement reads 'data' (samples x "
        "channels) and, optional, 'fs' (Hz), 'channels', 'time' (s), 'modality', 'units': "
        f"save the signal as 'data' (the largest here: {signal!r}) and the rate as 'fs' "
        "(np.savez(path, data=..., fs=...))"
    )


def _npz_signal(z: Any, src: str) -> RawSignal:
    """The signal in an open ``.npz`` archive (see :func:`read_npz`)."""
    names = list(z.files)
    key = "data" if "data" in names else (names[0] if len(names) == 1 else None)
    if key is None:
        raise RecordingError(_no_data_message(z, names), src)
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
