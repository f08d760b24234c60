"""Text and Parquet tables from the field: ActiGraph ActiLife CSV exports, a spreadsheet's
rows of empty fields, an empty Parquet file, a label column left out by ``channels=``,
decimal commas and units rows, whole seconds that may be ms, Unix-time columns. Each read
whole (:func:`movement.read`) and in chunks (:mod:`movement.stream`) alike."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import read_errors

import movement
from movement import stream

_ACTIGRAPH_HEAD = (
    "------------ Data File Created By ActiGraph GT3X+ ActiLife v6.13.3 Firmware v2.5.0 "
    "date format {fmt} at {fs} Hz  Filter Normal -----------\n"
    "Serial Number: NEO1F18120387\n"
    "Start Time 10:00:00\n"
    "Start Date {date}\n"
    "Epoch Period (hh:mm:ss) {epoch}\n"
    "Download Time 16:19:03\n"
    "Download Date 5/27/2017\n"
    "Current Memory Address: 0\n"
    "Current Battery Voltage: 4.22     Mode = 12\n"
    "--------------------------------------------------\n"
)


def _accel(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.round(rng.normal(0, 0.02, (n, 3)) + [0.0, 0.0, 1.0], 4)


def _both(path: Path, chunk_rows: int = 700, **kw) -> movement.Recording:
    """``path`` read whole and in chunks of ``chunk_rows``: the same rate, channels, start,
    notes and samples (the chunked read not falling back to the whole one)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rec = movement.read(path, **kw)
        src = stream._open(
            path,
            fs=kw.get("fs"),
            modality=kw.get("modality"),
            channels=kw.get("channels"),
            chunk_rows=chunk_rows,
        )
    assert (src.meta.fs, src.meta.channels, src.meta.start) == (
        rec.fs,
        tuple(rec.channels),
        rec.start,
    )
    assert src.meta.modality == rec.modality and src.meta.units == rec.units
    assert src.meta.notes == rec.notes
    np.testing.assert_array_equal(np.asarray(src.read(0, rec.n_samples)), rec.data)
    return rec


def _errors(path: Path, **kw) -> tuple[str, str]:
    """The one line the whole read and the chunked read give for ``path``."""
    whole, chunked = read_errors(path, **kw)
    return whole, chunked


# -- 1. ActiGraph ActiLife CSV export --------------------------------------------------


@pytest.mark.parametrize("layout", ["names", "timestamp", "bare", "bare_timestamp"])
def test_an_actigraph_raw_csv_export_is_read_from_its_header(tmp_path, layout) -> None:
    """An ActiLife RAW export failed on its 10-line header ("non-numeric value 'Serial' in
    column '------------'"). Now its rate ("at 30 Hz"), start (Start Date/Time in its stated
    date format) and x, y, z in g are read, with or without a column header row and a
    Timestamp column (left out: the header gives the rate and start)."""
    n = 3000
    x = _accel(n)
    when = pd.Timestamp("2017-05-20 10:00:00") + pd.to_timedelta(np.arange(n) / 30, unit="s")
    stamps = when.strftime("%-m/%-d/%Y %H:%M:%S.%f").str[:-3]
    rows = [",".join(f"{v:g}" for v in r) for r in x]
    if layout in ("timestamp", "bare_timestamp"):
        rows = [f"{t},{r}" for t, r in zip(stamps, rows, strict=True)]
    names = {
        "names": "Accelerometer X,Accelerometer Y,Accelerometer Z\n",
        "timestamp": "Timestamp,Accelerometer X,Accelerometer Y,Accelerometer Z\n",
    }.get(layout, "")
    p = tmp_path / "NEO1F18120387 (2017-05-27)RAW.csv"
    head = _ACTIGRAPH_HEAD.format(fmt="M/d/yyyy", fs=30, date="5/20/2017", epoch="00:00:00")
    p.write_text(head + names + "\n".join(rows) + "\n")
    rec = _both(p)
    assert (rec.fs, rec.modality, rec.units) == (30.0, "accel", "g")
    assert rec.channels == ("x", "y", "z") and rec.n_samples == n
    assert rec.start == datetime(2017, 5, 20, 10, 0, 0)
    np.testing.assert_allclose(rec.data, x)
    assert (
        "ActiGraph ActiLife CSV export (GT3X+, serial NEO1F18120387): 30 Hz"
        in (rec.notes["device"])
    )
    assert rec.notes["fs_from"] == "header"


def test_an_actigraph_export_reads_its_start_in_its_date_format(tmp_path) -> None:
    """The start date is read as the header's date format says (d/M/yyyy: 3 April)."""
    p = tmp_path / "raw.csv"
    head = _ACTIGRAPH_HEAD.format(fmt="d/M/yyyy", fs=100, date="3/4/2019", epoch="00:00:00")
    rows = "\n".join(",".join(f"{v:g}" for v in r) for r in _accel(3000))
    p.write_text(head + "Accelerometer X,Accelerometer Y,Accelerometer Z\n" + rows + "\n")
    rec = _both(p)
    assert rec.fs == 100.0 and rec.start == datetime(2019, 4, 3, 10, 0, 0)
    assert "date format d/M/yyyy" in rec.notes["device"]


def test_an_actigraph_epoch_export_is_refused(tmp_path) -> None:
    """An epoch (count) export is no raw acceleration: refused in one line saying so."""
    p = tmp_path / "60sec.csv"
    head = _ACTIGRAPH_HEAD.format(fmt="M/d/yyyy", fs=30, date="5/20/2017", epoch="00:01:00")
    p.write_text(head + "Axis1,Axis2,Axis3\n" + "12,30,7\n" * 200)
    whole, chunks = _errors(p)
    assert whole == chunks
    assert "ActiGraph epoch export (Epoch Period 00:01:00)" in whole
    assert "activity counts, not raw acceleration" in whole and whole.startswith(str(p))


# -- 2. rows of empty fields at a spreadsheet's end --------------------------------------


@pytest.mark.parametrize("chunk_rows", [700, 2998, 100_000])
def test_rows_of_separators_at_the_end_are_left_out(tmp_path, chunk_rows) -> None:
    """An Excel export ending in rows of ',,,' failed ("time column has a missing or
    non-finite value at row 3001"); they are left out as blank lines are, with a note,
    also where they cross a chunk boundary (2998-row chunks)."""
    n = 3000
    x = _accel(n)
    p = tmp_path / "excel.csv"
    rows = [f"{i / 100:.2f}," + ",".join(f"{v:g}" for v in r) for i, r in enumerate(x)]
    p.write_text("time,x,y,z\n" + "\n".join(rows) + "\n" + ",,,\n" * 4)
    rec = _both(p, chunk_rows=chunk_rows)
    assert rec.n_samples == n and rec.fs == 100.0
    assert rec.notes["empty_rows"] == "4 rows of empty fields at the end left out"
    # (semicolons, no final line break: not a line cut short either)
    q = tmp_path / "excel_semicolon.csv"
    bare = [";".join(f"{v:g}" for v in r) for r in x]
    q.write_text("x;y;z\n" + "\n".join(bare) + "\n;;\n;;")
    rec = _both(q, fs=100)
    assert rec.n_samples == n and "2 rows of empty fields" in rec.notes["empty_rows"]


# -- 3. an empty Parquet file -----------------------------------------------------------


def test_an_empty_parquet_file_says_it_has_no_rows(tmp_path) -> None:
    """Columns and no rows gave 'internal error IndexError'; now one line, as streamed."""
    pytest.importorskip("pyarrow")
    p = tmp_path / "empty.parquet"
    pd.DataFrame({"time": pd.Series([], dtype=float), "x": pd.Series([], dtype=float)}).to_parquet(
        p
    )
    whole, chunks = _errors(p)
    assert whole == chunks == f"{p}: the table has no rows"


# -- 4. --channels leaves out a text column ----------------------------------------------


def _labelled(tmp_path: Path, n: int = 3000) -> pd.DataFrame:
    d = pd.DataFrame(_accel(n), columns=list("xyz"))
    d.insert(0, "time", np.arange(n) / 100)
    d["subject"] = "S01"
    return d


def _label_column_error(p: Path) -> str:
    """The one line a kept 'subject' column (S01) of ``p`` is refused with."""
    return (
        f"{p}: non-numeric value 'S01' in column 'subject' (data row 1): a column of labels? "
        "Select the signal's columns (--channels x,y,z; channels= in movement.read)"
    )


@pytest.mark.parametrize("channels", ["x,y,z", "0,1,2", ["z", "x"]])
def test_channels_leave_out_a_text_column(tmp_path, channels) -> None:
    """A label column ('subject': S01) failed 'non-numeric value' even when channels= left
    it out, as the README says to do; now the selection is made before the check."""
    d = _labelled(tmp_path)
    p = tmp_path / "labelled.csv"
    d.to_csv(p, index=False)
    rec = _both(p, channels=channels)
    want = ["z", "x"] if isinstance(channels, list) else ["x", "y", "z"]
    assert list(rec.channels) == want
    np.testing.assert_allclose(rec.data, d[want].to_numpy())
    # kept (no selection, or selected), the column is refused as before
    whole, chunks = _errors(p)
    assert whole == chunks == _label_column_error(p)
    assert "'subject'" in _errors(p, channels="x,subject")[0]


def test_a_sidecars_channels_leave_out_a_text_column(tmp_path) -> None:
    d = _labelled(tmp_path)
    p = tmp_path / "labelled.csv"
    d.to_csv(p, index=False)
    (tmp_path / "labelled.json").write_text(json.dumps({"Channels": ["x", "y", "z"]}))
    assert _both(p).channels == ("x", "y", "z")


def test_channels_leave_out_a_text_column_of_a_parquet_file(tmp_path) -> None:
    pytest.importorskip("pyarrow")
    d = _labelled(tmp_path)
    d["subject"] = d["subject"].astype("category")
    p = tmp_path / "labelled.parquet"
    d.to_parquet(p, index=False)
    rec = _both(p, channels="0,1,2")
    assert rec.channels == ("x", "y", "z") and rec.n_samples == len(d)
    whole, chunks = _errors(p)
    assert whole == chunks == _label_column_error(p)


# -- 5. decimal commas, a units row ------------------------------------------------------


@pytest.mark.parametrize("timed", [True, False])
def test_decimal_commas_between_semicolons_are_read(tmp_path, timed) -> None:
    """'0,3125' between ';' (a European spreadsheet's CSV) failed ('time column has values
    that are not times (month must be in 1..12: 0,0)', 'non-numeric value '0,3125''). Every
    number written with a decimal comma, no decimal point: read so, with a note."""
    n = 3000
    x = _accel(n)
    rows = [";".join(f"{v:g}".replace(".", ",") for v in r) for r in x]
    if timed:
        rows = [f"{i / 100:g}".replace(".", ",") + ";" + r for i, r in enumerate(rows)]
    p = tmp_path / "euro.csv"
    p.write_text(("time;x;y;z\n" if timed else "x;y;z\n") + "\n".join(rows) + "\n")
    rec = _both(p, **({} if timed else {"fs": 100}))
    assert rec.fs == 100.0 and rec.n_samples == n
    np.testing.assert_allclose(rec.data, x)
    assert rec.notes["decimal"].startswith("decimal commas read (fields between ';'")
    # headerless too (its first line holds both ';' and ',')
    q = tmp_path / "euro_bare.csv"
    q.write_text("\n".join(rows) + "\n")
    assert _both(q, fs=100, modality="accel").n_samples == n


def test_a_decimal_comma_among_decimal_points_is_named(tmp_path) -> None:
    """Not every number with a decimal comma (decimal points in the first rows): not read
    so; the error says it looks like a decimal comma."""
    rows = ["0.5;0.1;1.0"] * 20 + ["0,5;0,1;1,0"] * 3000
    p = tmp_path / "mixed.csv"
    p.write_text("x;y;z\n" + "\n".join(rows) + "\n")
    whole, chunks = _errors(p, fs=100)
    assert whole == chunks
    assert "non-numeric value '0,5' in column 'x' (data row 21): a decimal comma?" in whole


def test_a_units_row_under_the_header_gives_the_units(tmp_path) -> None:
    """'s,g,g,g' under the header failed ('time column has values that are not times (...
    unable to parse: s)'); now it gives the time column's unit and the channels' units."""
    n = 3000
    x = _accel(n) * 1000  # mg
    p = tmp_path / "units.csv"
    rows = [f"{i * 10}," + ",".join(f"{v:g}" for v in r) for i, r in enumerate(x)]
    p.write_text("time,x,y,z\nms,mg,mg,mg\n" + "\n".join(rows) + "\n")
    rec = _both(p)
    assert rec.fs == 100.0 and rec.n_samples == n and rec.units == "g"
    np.testing.assert_allclose(rec.data, x / 1000)
    assert rec.notes["units_row"] == (
        "row 2 'ms,mg,mg,mg' under the header read as units (channels in mg)"
    )
    assert rec.notes["time"] == "time column 'time' read as ms (its units row says so)"


# -- 6. whole numbers one apart in a time column ---------------------------------------


def test_a_time_column_of_whole_numbers_one_apart_is_warned_of(tmp_path) -> None:
    """0, 1, 2... at 1 kHz (ms) was read as seconds, 1 Hz, without a word: now a warning
    and the note say so and what to do; a column named time_ms is read in ms."""
    n = 6000
    rng = np.random.default_rng(1)
    emg = rng.normal(0, 0.02, (n, 2))
    d = pd.DataFrame({"time": np.arange(n), "emg1": emg[:, 0], "emg2": emg[:, 1]})
    p = tmp_path / "emg.csv"
    d.to_csv(p, index=False)
    with pytest.warns(UserWarning, match="whole numbers one apart, read as seconds .1 Hz.: if "):
        movement.read(p)
    with pytest.warns(UserWarning, match="name the column time_ms"):
        stream._open(p, fs=None, modality=None, channels=None, chunk_rows=1000)
    rec = _both(p)
    assert rec.fs == 1.0 and "if ms or samples, give the rate" in rec.notes["time"]
    q = tmp_path / "emg_ms.csv"
    d.rename(columns={"time": "time_ms"}).to_csv(q, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (no warning: the name says ms)
        rec = _both(q)
    assert rec.fs == 1000.0
    assert rec.notes["time"] == "time column 'time_ms' read as ms (its name says so)"


# -- 7. Unix times in a numeric time column ----------------------------------------------


@pytest.mark.parametrize(("unit", "factor"), [("s", 1), ("ms", 10**3), ("us", 10**6)])
def test_unix_times_give_the_start(tmp_path, unit, factor) -> None:
    """1709629200000 (ms) gave the rate but no start; a first value of 2000 to 2100 as a
    Unix time in the column's unit gives the start, in UTC, with a note."""
    n = 3000
    t0 = 1_709_629_200
    t = t0 * factor + np.arange(n) * (factor // 100 if factor >= 100 else 0.01)
    d = pd.DataFrame(_accel(n), columns=list("xyz"))
    d.insert(0, "timestamp", t)
    p = tmp_path / "epoch.csv"
    d.to_csv(p, index=False)
    rec = _both(p)
    assert rec.fs == 100.0
    assert rec.start == datetime(2024, 3, 5, 9, 0, tzinfo=UTC)
    assert rec.notes["time"] == (
        f"time column 'timestamp' read as {unit}, Unix times: start 2024-03-05 09:00:00+00:00 (UTC)"
    )
    # elapsed time is no clock
    d["timestamp"] = np.arange(n) * 10
    d.to_csv(p, index=False)
    assert _both(p).start is None
