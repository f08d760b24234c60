"""Reading plain tables: sampling rate, modality and units resolved; bad files rejected cleanly."""

from __future__ import annotations

import gzip
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import BAD_CASES, make_bad_files

import movement
from movement.errors import MovementError, RecordingError
from movement.io import convert_accel_units, find_recordings, is_recording_file

G = 9.80665


def _write_csv(path: Path, header: str | None, rows: np.ndarray, fmt: str = "%.6f") -> Path:
    with open(path, "w") as fh:
        if header:
            fh.write(header + "\n")
        np.savetxt(fh, rows, delimiter=",", fmt=fmt)
    return path


def _accel(n: int, rng: np.random.Generator, scale: float = 1.0) -> np.ndarray:
    x = rng.normal(0, 0.01, (n, 3))
    x[:, 2] += 1.0
    return x * scale


def test_time_column_in_seconds_gives_rate_and_accel_from_names(tmp_path, rng) -> None:
    fs, n = 50.0, 500
    t = np.arange(n) / fs
    p = _write_csv(tmp_path / "a.csv", "time,x,y,z", np.column_stack([t, _accel(n, rng)]))
    rec = movement.read(p)
    assert rec.fs == pytest.approx(fs, rel=1e-6)
    assert rec.modality == "accel" and rec.channels == ("x", "y", "z")
    assert rec.n_samples == n and rec.units == "g"
    assert rec.notes["fs_from"] == "time column"


@pytest.mark.parametrize(("scale", "unit"), [(1e3, "ms"), (1e6, "us"), (1e9, "ns")])
def test_headerless_numeric_clock_scaled_by_its_step(tmp_path, rng, scale, unit) -> None:
    fs, n = 100.0, 400
    t = 1.6e9 * (scale / 1e9 if scale < 1e9 else 1) + np.arange(n) / fs * scale
    p = _write_csv(tmp_path / "c.csv", None, np.column_stack([t, _accel(n, rng)]), fmt="%.3f")
    rec = movement.read(p, modality="accel")
    assert rec.fs == pytest.approx(fs, rel=1e-3)
    assert unit in rec.notes["time"]
    assert rec.n_channels == 3


def test_timestamp_strings_with_colon_milliseconds(tmp_path, rng) -> None:
    n = 300
    x = _accel(n, rng)
    lines = ["ts,x,y,z"] + [
        f"2019-03-21 14:58:{i // 100:02d}:{(i % 100) * 10:03d},{a:.4f},{b:.4f},{c:.4f}"
        for i, (a, b, c) in enumerate(x)
    ]
    p = tmp_path / "w.csv"
    p.write_text("\n".join(lines) + "\n")
    rec = movement.read(p)
    assert rec.fs == pytest.approx(100.0, rel=1e-6)
    assert rec.start is not None and rec.start.second == 0 and rec.start.minute == 58


def test_units_m_per_s2_and_mg_converted_to_g(tmp_path, rng) -> None:
    for scale, name in ((G, "m/s2"), (1000.0, "mg")):
        x = _accel(400, rng)
        conv, unit, note = convert_accel_units(x * scale, None)
        assert unit == "g" and name in note
        np.testing.assert_allclose(conv, x, rtol=1e-9)
    # a single axis cannot tell: the declared unit is used
    conv, unit, _ = convert_accel_units(np.full((10, 1), 9.80665), "m/s^2")
    assert unit == "g" and conv[0, 0] == pytest.approx(1.0)


def test_undetected_accel_units_are_warned_not_silent(tmp_path, rng) -> None:
    """Nine axes in mg plus a label column (as the Daphnet FoG files): the units cannot be
    told, the values stay as stored, and the reader warns (the CLI prints it); the
    tri-axial columns alone are detected as mg and converted."""
    x = np.column_stack([_accel(600, rng, 1000.0)] * 3 + [np.ones((600, 1))])
    p = _write_csv(tmp_path / "fog.csv", "a,b,c,d,e,f,g,h,i,label", x)
    with pytest.warns(UserWarning, match=r"fog\.csv: .*units could not be detected \(10 channels"):
        rec = movement.read(p, fs=64, modality="accel")
    assert rec.units == "a.u."
    np.testing.assert_allclose(rec.data, x, atol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = movement.read(p, fs=64, modality="accel", channels=[0, 1, 2])
    assert rec.units == "g" and "detected as mg" in rec.notes["units"]
    np.testing.assert_allclose(rec.data, x[:, :3] / 1000.0, atol=1e-9)


def test_stf_comment_header_gives_rate_and_labels(tmp_path, rng) -> None:
    x = rng.normal(2048, 3, (3000, 1)).round()
    p = tmp_path / "emg.txt"
    with open(p, "w") as fh:
        fh.write("# Sampling Rate (Hz):= 1000\n# Labels:= EMG\n")
        np.savetxt(fh, x, fmt="%d")
    rec = movement.read(p)
    assert rec.fs == 1000.0 and rec.notes["fs_from"] == "header"
    assert rec.channels == ("EMG",) and rec.modality == "emg"


def test_precedence_argument_over_sidecar_over_time_column(tmp_path, rng) -> None:
    n = 1000
    t = np.arange(n) / 100.0
    p = _write_csv(tmp_path / "r.csv", "time,a,b", np.column_stack([t, rng.normal(size=(n, 2))]))
    (tmp_path / "r.json").write_text(
        json.dumps({"SamplingFrequency": 200, "Modality": "EMG", "Units": "mV"})
    )
    rec = movement.read(p)
    assert (rec.fs, rec.modality, rec.units, rec.notes["fs_from"]) == (
        200.0,
        "emg",
        "mV",
        "sidecar",
    )
    rec = movement.read(p, fs=250)
    assert rec.fs == 250.0 and rec.notes["fs_from"] == "given"


def test_channel_selection_by_name_and_index(tmp_path, rng) -> None:
    data = np.column_stack([rng.normal(size=(400, 2)), np.ones(400)])  # last column: a label
    p = _write_csv(tmp_path / "m.csv", None, data)
    assert movement.read(p, fs=200, modality="emg", channels=[0, 1]).channels == ("ch1", "ch2")
    assert movement.read(p, fs=200, modality="emg", channels=["ch3"]).n_channels == 1
    # numpy integers are indices too (they were 'no channel np.int64(0)')
    picked = movement.read(p, fs=200, modality="emg", channels=np.array([1, 0]))
    assert picked.channels == ("ch2", "ch1")
    with pytest.raises(RecordingError, match="out of range"):
        movement.read(p, fs=200, modality="emg", channels=[7])
    with pytest.raises(RecordingError, match="no channel 'q'"):
        movement.read(p, fs=200, modality="emg", channels=["q"])


def test_irregular_time_is_resampled_with_a_warning_and_gaps(tmp_path, rng) -> None:
    t = np.arange(1000) / 100.0
    t = np.delete(t, np.arange(400, 450))  # a 0.5 s hole
    p = _write_csv(tmp_path / "g.csv", "time,x,y,z", np.column_stack([t, _accel(t.size, rng)]))
    with pytest.warns(UserWarning, match="irregular sampling"):
        rec = movement.read(p)
    assert rec.fs == pytest.approx(100.0)
    assert rec.n_samples == 1000
    gap = rec.gaps
    assert 45 <= gap.sum() <= 50 and gap[405:445].all()


def test_npz_and_npy(tmp_path, rng) -> None:
    x = rng.normal(size=(600, 2))
    np.savez(tmp_path / "r.npz", data=x, fs=300.0, channels=np.array(["a", "b"]), modality="emg")
    rec = movement.read(tmp_path / "r.npz")
    assert (rec.fs, rec.channels, rec.modality) == (300.0, ("a", "b"), "emg")
    np.save(tmp_path / "r2.npy", x)
    assert movement.read(tmp_path / "r2.npy", fs=300, modality="emg").n_samples == 600
    np.save(tmp_path / "wide.npy", x.T)
    with pytest.raises(RecordingError, match="channels x samples"):
        movement.read(tmp_path / "wide.npy", fs=300, modality="emg")


def test_find_recordings_skips_outputs_and_sidecars(tmp_path) -> None:
    for name in (
        "a.csv",
        "sub/b.tsv",
        "a.json",
        "a_events.tsv",
        "summary.tsv",
        "notes.md",
        "x.dat",
    ):
        (tmp_path / name).parent.mkdir(exist_ok=True, parents=True)
        (tmp_path / name).write_text("1\n")
    found = [p.relative_to(tmp_path).as_posix() for p in find_recordings([tmp_path])]
    assert found == ["a.csv", "sub/b.tsv"]
    assert not is_recording_file(tmp_path / ".hidden.csv")
    assert find_recordings([tmp_path / "a.csv", str(tmp_path / "*.csv")]) == [tmp_path / "a.csv"]
    with pytest.raises(MovementError, match="no such file or folder"):
        find_recordings([tmp_path / "missing.csv"])


# -- bad input: one line that names the file and the problem --------------------------------


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_files_raise_one_line_naming_file_and_problem(tmp_path, case) -> None:
    path, fragment = make_bad_files(tmp_path)[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RecordingError) as info:
            movement.read(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}: ")
    assert fragment in msg
    assert "\n" not in msg


def test_time_backwards_rejected_even_when_rate_is_given(tmp_path, rng) -> None:
    t = np.arange(500) / 100.0
    t[10] = t[5]
    p = _write_csv(tmp_path / "b.csv", "time,x,y,z", np.column_stack([t, _accel(500, rng)]))
    with pytest.raises(RecordingError, match="time does not increase"):
        movement.read(p, fs=100)


@pytest.mark.parametrize("bad", [np.nan, np.inf, "all"])
def test_non_finite_time_is_one_line_when_the_rate_comes_from_it(tmp_path, rng, bad) -> None:
    # an empty or "inf" cell in the time column was an internal error (int(nan) making the
    # uniform grid); pandas reads an empty cell as NaN
    t = np.arange(500) / 100.0
    if bad == "all":
        t[:] = np.nan
    else:
        t[250] = bad
    p = _write_csv(tmp_path / "t.csv", "time,x,y,z", np.column_stack([t, _accel(500, rng)]))
    with pytest.raises(RecordingError) as info:
        movement.read(p)
    msg = str(info.value)
    assert msg.startswith(f"{p}: time column has a missing or non-finite value at row ")
    assert "\n" not in msg
    if bad is not np.inf:  # (a rate given: read as before; inf is "time does not increase")
        assert movement.read(p, fs=100).n_samples == 500


@pytest.mark.parametrize("rows", ["one_more", "trailing_separator", "many_more"])
def test_header_narrower_than_the_rows_is_one_line(tmp_path, rng, rows) -> None:
    # pandas took the extra leading field(s) as the row index: "x,y" over rows of 3 values
    # was read as 2 channels, the first signal column dropped and the names shifted; a row
    # of 500 001 fields under "x,y,z" took minutes and gigabytes
    x = _accel(300, rng)
    if rows == "many_more":
        text = "x,y,z\n" + "1," * 500_000 + "1\n"
    else:
        head = "x,y" if rows == "one_more" else "x,y,z"
        end = "," if rows == "trailing_separator" else ""
        text = head + "\n" + "".join(f"{a:.5f},{b:.5f},{c:.5f}{end}\n" for a, b, c in x)
    p = tmp_path / "narrow.csv"
    p.write_text(text)
    with pytest.raises(RecordingError) as info:
        movement.read(p, fs=100, modality="accel")
    msg = str(info.value)
    assert msg.startswith(f"{p}: the header names ") and "\n" not in msg


def test_row_names_under_a_narrower_header_are_left_out(tmp_path, rng) -> None:
    # R's write.table(row.names=TRUE): no header name for the row names; kept working
    x = _accel(300, rng)
    p = tmp_path / "r.csv"
    p.write_text(
        "x,y,z\n" + "".join(f'"{i + 1}",{a:.5f},{b:.5f},{c:.5f}\n' for i, (a, b, c) in enumerate(x))
    )
    rec = movement.read(p, fs=100, modality="accel")
    assert rec.channels == ("x", "y", "z")
    np.testing.assert_allclose(rec.data, np.round(x, 5), atol=1e-9)


def test_missing_file_and_folder(tmp_path) -> None:
    with pytest.raises(RecordingError, match="no such file"):
        movement.read(tmp_path / "nope.csv")
    with pytest.raises(RecordingError, match="is a folder"):
        movement.read(tmp_path)


def test_corrupt_gzip_message_names_the_problem(tmp_path) -> None:
    p = tmp_path / "broken.csv.gz"
    p.write_bytes(b"this is not gzip data" * 10)
    with pytest.raises(RecordingError) as info:
        movement.read(p)
    msg = str(info.value)
    assert msg.startswith(f"{p}: ")
    # gzip.BadGzipFile is an OSError without strerror: the message must say what is wrong,
    # not "cannot read (None)"
    assert "None" not in msg
    assert "gzip" in msg.lower() or "not a text table" in msg


def test_valid_gzip_table_is_read(tmp_path, rng) -> None:
    x = _accel(300, rng)
    t = np.arange(300) / 100.0
    text = "time,x,y,z\n" + "\n".join(
        f"{a:.2f},{b:.5f},{c:.5f},{d:.5f}" for a, b, c, d in zip(t, *x.T, strict=True)
    )
    p = tmp_path / "r.csv.gz"
    p.write_bytes(gzip.compress(text.encode()))
    rec = movement.read(p)
    assert rec.fs == pytest.approx(100.0) and rec.n_samples == 300


def test_time_column_holes_are_kept_when_the_rate_comes_from_elsewhere(tmp_path, rng) -> None:
    # 20 s at 100 Hz, then the device was off for 90 s, then 20 s more
    t = np.concatenate([np.arange(2000), np.arange(2000) + 11_000]) / 100.0
    x = _accel(t.size, rng)
    p = _write_csv(tmp_path / "h.csv", "time,x,y,z", np.column_stack([t, x]))
    (tmp_path / "h.json").write_text(json.dumps({"SamplingFrequency": 100}))
    with pytest.warns(UserWarning, match="time column has holes"):
        rec = movement.read(p)
    assert rec.notes["fs_from"] == "sidecar"
    assert rec.n_samples == 13_000  # the samples after the hole at their own times
    np.testing.assert_allclose(rec.data[11_000:], x[2000:], atol=1e-6)  # (as written)
    # (grid points within 1.5 periods of a sample are interpolated: one each side)
    assert rec.gaps.sum() == 9000 - 2 and rec.pieces.tolist() == [[0, 2001], [10_999, 13_000]]


@pytest.mark.parametrize("jump", [1e6, 1e9])
@pytest.mark.parametrize("side", [None, {"SamplingFrequency": 100}])
def test_time_column_jump_too_long_for_a_grid_is_one_line(tmp_path, rng, jump, side) -> None:
    """30 s at 100 Hz then one time 1e6 s later built a 1e8-sample grid (62 s, >2.4 GB);
    1e9 s later, a MemoryError. The rate from the time column or from a sidecar alike."""
    t = np.append(np.arange(3000) / 100.0, 29.99 + jump)
    p = _write_csv(tmp_path / "j.csv", "time,x,y,z", np.column_stack([t, _accel(t.size, rng)]))
    if side:
        (tmp_path / "j.json").write_text(json.dumps(side))
    with pytest.raises(RecordingError) as err:
        movement.read(p, modality="accel")
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.startswith(f"{p}: the time column jumps by {jump:.6g} s between rows 3000 and 3001 ")
    assert msg.endswith("split the file at row 3001 (or correct its time)")


def test_time_column_jump_of_an_hour_is_still_a_hole(tmp_path, rng) -> None:
    t = np.append(np.arange(3000) / 100.0, 29.99 + 3600)
    p = _write_csv(tmp_path / "h.csv", "time,x,y,z", np.column_stack([t, _accel(t.size, rng)]))
    with pytest.warns(UserWarning, match="irregular sampling"):
        rec = movement.read(p, modality="accel")
    assert rec.n_samples == 363_000 and rec.fs == 100.0


def test_rate_from_a_time_column_is_exact_for_a_round_rate(tmp_path, rng) -> None:
    # (n - 1) / (t[-1] - t[0]) gives 25.000000000000004 here; sample counts derived from the
    # rate (round(0.1 * fs) = 2 or 3) must not depend on that last digit
    t = np.arange(270_000) / 25.0
    p = _write_csv(tmp_path / "t.csv", "time,x,y,z", np.column_stack([t, _accel(t.size, rng)]))
    tc = pd.read_csv(p)["time"].to_numpy()
    assert (len(tc) - 1) / (tc[-1] - tc[0]) != 25.0  # (as written and parsed)
    assert movement.read(p).fs == 25.0
    from movement.stream import score_stream

    assert score_stream(p, model="rules").attrs["fs"] == 25.0


def test_an_empty_timestamp_cell_is_named_not_a_huge_time(tmp_path) -> None:
    """An empty cell in a column of dates was NaT, read as -9.2e18 ns: "time does not
    increase at row 3 (7.67019e+09 s then 0.02 s)". Now it is named."""
    from movement.errors import RecordingError

    rows = ["ts,x,y,z", "2019-03-21 14:58:00.000,0.1,0.2,0.9", ",0.1,0.2,0.9"]
    rows += [
        f"2019-03-21 14:58:{1 + i // 100:02d}.{(i % 100) * 10:03d},0.1,0.2,0.9" for i in range(300)
    ]
    p = tmp_path / "a.csv"
    p.write_text("\n".join(rows) + "\n")
    with pytest.raises(RecordingError, match="time column has an empty value at data row 2"):
        movement.read(p)


def test_dates_are_read_with_the_first_ones_format() -> None:
    """Each date of a column was parsed on its own: a day-first column read 13/01 as 13 Jan
    and 01/02 as 2 Jan (month first). Now the first value's format reads them all; a column
    whose values do not all match it is still parsed value by value."""
    from movement.io.tables import timestamps_ns

    ns, _, fmt = timestamps_ns(pd.Series(["13/01/2024 10:00:00", "01/02/2024 10:00:00"]), "f")
    assert fmt == "%d/%m/%Y %H:%M:%S"
    assert (ns[1] - ns[0]) / 86400e9 == 19.0  # 13 Jan -> 1 Feb
    ns, _, fmt = timestamps_ns(pd.Series(["2024-01-13 10:00:00", "13 Jan 2024 10:00:01"]), "f")
    assert fmt is None and (ns[1] - ns[0]) == 1e9


def test_dotted_dates_are_day_first_and_iso_dates_take_any_fraction(tmp_path) -> None:
    """09.03.2019 was read as 3 September (month first, as pandas and dateutil guess), so a
    recording over midnight jumped by a month ("the time column jumps by 2.5e+06 s"); an ISO
    column whose first value had no fraction of a second (10:00:00, then 10:00:00.01) was
    parsed value by value and could not be streamed."""
    from movement.io.tables import timestamps_ns

    ns, first, fmt = timestamps_ns(
        pd.Series(["09.03.2019 23:59:59.990", "10.03.2019 00:00:00.000"]), "f"
    )
    assert fmt == "%d.%m.%Y %H:%M:%S.%f" and str(first) == "2019-03-09 23:59:59.990000"
    assert ns[1] - ns[0] == 10_000_000
    ns, _, fmt = timestamps_ns(
        pd.Series(["2019-03-09 23:59:59", "2019-03-09 23:59:59.01", "2019-03-09T23:59:59.020"]), "f"
    )
    assert fmt == "ISO8601" and (np.diff(ns) == 10_000_000).all()
    n = 3000
    when = pd.Timestamp("2019-03-09 23:59:50") + pd.to_timedelta(np.arange(n) * 10, unit="ms")
    x = np.column_stack([np.zeros(n), np.zeros(n), np.ones(n)]) + 0.001 * np.random.default_rng(
        0
    ).standard_normal((n, 3))
    d = pd.DataFrame(x, columns=list("xyz"))
    d.insert(0, "time", when.strftime("%d.%m.%Y %H:%M:%S.%f").str[:-3])
    d.to_csv(tmp_path / "eu.csv", index=False)
    rec = movement.read(tmp_path / "eu.csv")
    assert rec.fs == 100.0 and rec.n_samples == n and str(rec.start) == "2019-03-09 23:59:50"


@pytest.mark.parametrize("first", ["03.04.19 14:58:00.500", "03.04.2019 14:58:00:500"])
def test_dotted_dates_are_day_first_with_a_short_year_or_ms_after_a_colon(first) -> None:
    """Dotted dates are read day first, but 03.04.19 (a two-digit year: no format guessed,
    each value parsed month first) and 03.04.2019 14:58:00:500 (milliseconds after a colon:
    the format returned before the dotted date was turned) were 4 March."""
    from movement.io.tables import timestamps_ns

    later = first.replace("00.500", "00.510").replace("00:500", "00:510")
    ns, start, fmt = timestamps_ns(pd.Series([first, later]), "f")
    assert fmt is not None and fmt.startswith("%d.%m.")
    assert str(start) == "2019-04-03 14:58:00.500000" and ns[1] - ns[0] == 10_000_000


def test_a_date_that_can_only_be_day_first_reads_the_column_day_first(tmp_path) -> None:
    """12/04/2019 23:59:59.990 then 13/04/2019 00:00:00.000: the first value's guess reads
    month first (4 December), the next does not match it, and each value parsed on its own
    read 13/04 day first: "time does not increase at row 2 (0 s then -2.03903e+07 s)". Now
    the column is read day first, as every value can be, and streamed so too (it was read
    whole: its first rows' format was not the one that reads it)."""
    from movement.io.tables import timestamps_ns
    from movement.stream import _open

    ns, start, fmt = timestamps_ns(
        pd.Series(["12/04/2019 23:59:59.990", "13/04/2019 00:00:00.000"]), "f"
    )
    assert fmt == "%d/%m/%Y %H:%M:%S.%f" and ns[1] - ns[0] == 10_000_000
    assert str(start) == "2019-04-12 23:59:59.990000"
    n = 3000
    when = pd.Timestamp("2019-04-12 23:59:50") + pd.to_timedelta(np.arange(n) * 10, unit="ms")
    d = pd.DataFrame(np.ones((n, 3)) + 0.01, columns=list("xyz"))
    d.insert(0, "time", when.strftime("%d/%m/%Y %H:%M:%S.%f").str[:-3])
    d.to_csv(tmp_path / "a.csv", index=False)
    rec = movement.read(tmp_path / "a.csv")
    assert rec.fs == 100.0 and str(rec.start) == "2019-04-12 23:59:50"
    src = _open(tmp_path / "a.csv", fs=None, modality=None, channels=None, chunk_rows=1000)
    assert src.meta.start == rec.start and src.meta.notes["time"] == rec.notes["time"]
    np.testing.assert_array_equal(src.read(0, n), rec.data)


def _dated_csv(path: Path, first: str, fmt: str, n: int = 3000) -> Path:
    """``n`` rows at 100 Hz from ``first``, the time column written with ``fmt`` (ms)."""
    when = pd.Timestamp(first) + pd.to_timedelta(np.arange(n) * 10, unit="ms")
    d = pd.DataFrame(_accel(n, np.random.default_rng(0)), columns=list("xyz"))
    d.insert(0, "time", when.strftime(fmt).str[:-3])
    d.to_csv(path, index=False, float_format="%.6f")
    return path


def test_day_first_dates_over_midnight_are_read_day_first(monkeypatch) -> None:
    """02/04/2019 23:59:59.990 then 03/04/2019 00:00:00.000 (2 April, day first) were read
    month first, as the first value's guess (4 February, then 4 March: a jump of 27 days).
    Now the change of date tells: day first, 10 ms apart, from 2 April; each date moved by
    whole days, without a second parse of the column."""
    from movement.io import tables
    from movement.io.tables import _parse_timestamps, date_order, timestamps_ns

    calls = []
    monkeypatch.setattr(
        tables, "timestamps_ns", lambda v, *a: calls.append(len(v)) or timestamps_ns(v, *a)
    )
    v = pd.Series(["02/04/2019 23:59:59.980", "02/04/2019 23:59:59.990", "03/04/2019 00:00:00.000"])
    t, start, fmt, told = _parse_timestamps(v, "f")
    assert fmt == "%d/%m/%Y %H:%M:%S.%f" and told and calls == [3]  # (one parse)
    assert str(start) == "2019-04-02 23:59:59.980000" and t.tolist() == [0.0, 0.01, 0.02]
    # (the same dates month first: a day apart month first, a month day first)
    v = pd.Series(["04/02/2019 23:59:59.990", "04/03/2019 00:00:00.000"])
    ns, _, fmt = timestamps_ns(v, "f")
    assert date_order(v, ns, fmt, "%d/%m/%Y %H:%M:%S.%f", "f")[:2] == (True, False)
    t, start, fmt, told = _parse_timestamps(v, "f")
    assert fmt == "%m/%d/%Y %H:%M:%S.%f" and told
    assert str(start) == "2019-04-02 23:59:59.990000" and t.tolist() == [0.0, 0.01]


def test_dates_that_do_not_tell_day_from_month_say_so(tmp_path) -> None:
    """A recording within one day whose dates are 12 or less in both fields (02/04/2019)
    was read month first without a word: its start date, 4 February, could be 2 April.
    Now the note says the dates do not tell (whole and streamed); other columns' notes
    and readings are as they were."""
    from movement.stream import _open

    said = "its dates do not tell the day from the month"
    cases = [  # (first time, written as, start read, whether the note says it)
        ("2019-04-02 10:00:00", "%m/%d/%Y %H:%M:%S.%f", "2019-04-02 10:00:00", True),
        ("2019-04-02 10:00:00", "%d/%m/%Y %H:%M:%S.%f", "2019-02-04 10:00:00", True),
        ("2019-04-02 23:59:50", "%m/%d/%Y %H:%M:%S.%f", "2019-04-02 23:59:50", False),
        ("2019-04-13 10:00:00", "%m/%d/%Y %H:%M:%S.%f", "2019-04-13 10:00:00", False),
        ("2019-04-13 10:00:00", "%d/%m/%Y %H:%M:%S.%f", "2019-04-13 10:00:00", False),
        ("2019-04-02 10:00:00", "%d.%m.%Y %H:%M:%S.%f", "2019-04-02 10:00:00", False),
        ("2019-04-02 10:00:00", "%Y-%m-%d %H:%M:%S.%f", "2019-04-02 10:00:00", False),
    ]
    for i, (first, fmt, start, says) in enumerate(cases):  # (loop over files)
        p = _dated_csv(tmp_path / f"{i}.csv", first, fmt)
        rec = movement.read(p)
        assert (str(rec.start), rec.fs, rec.n_samples) == (start, 100.0, 3000), first
        note = rec.notes["time"]
        assert (said in note) == says, note
        if says:
            assert note.startswith("time column 'time' read as timestamps (%m/%d/%Y ")
            assert "month first assumed for the start date" in note
        src = _open(p, fs=None, modality=None, channels=None, chunk_rows=700)
        assert src.meta.start == rec.start and src.meta.notes["time"] == note
        np.testing.assert_array_equal(src.read(0, 3000), rec.data)


def test_times_whose_utc_offset_changes_are_instants() -> None:
    """Summer time beginning within a file of ISO times with offsets (01:59:59.990+01:00,
    then 03:00:00.000+02:00) was "time column has values that are not times (Mixed
    timezones detected. Pass utc=True in to_datetime ...)". Now they are the instants they
    name, 10 ms apart, the start with its own offset; times with an offset and times
    without one are refused in words that say so."""
    from movement.errors import RecordingError
    from movement.io.tables import timestamps_ns

    ns, first, fmt = timestamps_ns(
        pd.Series(["2019-03-31T01:59:59.990+01:00", "2019-03-31T03:00:00.000+02:00"]), "f"
    )
    assert fmt == "ISO8601" and ns[1] - ns[0] == 10_000_000
    assert str(first) == "2019-03-31 01:59:59.990000+01:00"
    with pytest.raises(
        RecordingError, match="times with a UTC offset and times without one .from data row 3"
    ):
        timestamps_ns(
            pd.Series(["2019-03-31T01:59:59.980", "2019-03-31T01:59:59.990", "2019-03-31T00:00Z"]),
            "f",
        )


def test_a_clock_coarser_than_the_samples_is_said(tmp_path) -> None:
    """Whole seconds for 100 samples a second said only "time does not increase at row 2
    (0 s then 0 s)"."""
    from movement.errors import RecordingError

    n = 1000
    when = pd.Timestamp("2019-03-09 10:00:00") + pd.to_timedelta(np.arange(n) * 10, unit="ms")
    d = pd.DataFrame(np.ones((n, 3)), columns=list("xyz"))
    d.insert(0, "time", when.strftime("%Y-%m-%d %H:%M:%S"))
    d.to_csv(tmp_path / "s.csv", index=False)
    with pytest.raises(RecordingError, match=r"990 of 999 steps repeat .*give the rate \(--fs\)"):
        movement.read(tmp_path / "s.csv")


def test_times_of_day_without_a_date_give_no_start_date(tmp_path) -> None:
    """A column of times of day (14:58:00.000) put the day of the run into the start (each
    value parsed on its own): the report and a converted file's RecordingStartTime changed
    from one day to the next. Now the times are read with their format and there is no start."""
    from movement.stream import score_stream

    n = 3000
    when = pd.Timestamp("2019-03-09 10:00:00") + pd.to_timedelta(np.arange(n) * 10, unit="ms")
    x = np.column_stack([np.zeros(n), np.zeros(n), np.ones(n)])
    x += 0.001 * np.random.default_rng(0).standard_normal((n, 3))
    for style in ("%H:%M:%S.%f", "%H:%M:%S:%f"):
        d = pd.DataFrame(x, columns=list("xyz"))
        d.insert(0, "time", when.strftime(style).str[:-3])
        p = tmp_path / "t.csv"
        d.to_csv(p, index=False)
        rec = movement.read(p)
        assert rec.fs == 100.0 and rec.n_samples == n and rec.start is None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ev = score_stream(p, chunk_rows=1000)
        assert ev.attrs["fs"] == 100.0
