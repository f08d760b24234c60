"""Device files with holes, damaged blocks, stated time zones, and the calibration of a
recording with stretches not worn or filled with zeros (a user tester's findings on a
free-living wrist study):

- an Axivity ``.cwa`` with blocks missing (the device stopped, a hole in the file) had the
  samples before the hole spread over it: scattered samples, false events and time
  counted as recorded; the hole is now one missing run, read whole and streamed alike;
- one bad 512-byte block made a whole ``.cwa`` unreadable: such blocks are skipped with
  one warning, their time missing;
- the offsets GENEActiv, ActiGraph and Axivity headers state were dropped;
- a stretch of a device lying still for hours (or of zeros) set the calibration error;
- an ActiLife export whose first line is quoted, ``participants.csv``, and the trailing
  idle sleep of every ActiGraph file.
"""

from __future__ import annotations

import json
import sys
import warnings
from datetime import timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import movement
from movement.calibration import calibration_of
from movement.config import AccelConfig
from movement.errors import RecordingError
from movement.stream import _open, score_stream

pytest.importorskip("actfast")

REPO = Path(__file__).resolve().parents[1]
DEV = Path(__file__).parent / "data" / "real" / "wearable_device_files"
sys.path.insert(0, str(REPO / "benchmarks"))
from device_tiles import damage_cwa, tile_cwa  # noqa: E402
from test_stream import assert_same_events  # noqa: E402

AX3 = DEV / "ax3_testfile.cwa"


def _whole(path: Path) -> tuple[movement.Recording, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rec = movement.read(path)
    return rec, [str(w.message) for w in caught]


def _streamed(path: Path, chunk_rows: int) -> tuple[np.ndarray, dict, object, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        src = _open(path, fs=None, modality=None, channels=None, chunk_rows=chunk_rows)
        x = src.read(0, src.meta.n_samples)
    assert type(src).__name__ == "_ChunkedSource"  # (in pieces, not read whole)
    return x, src.meta.notes, src.meta.start, [str(w.message) for w in caught]


def _runs(mask: np.ndarray) -> np.ndarray:
    """[start, stop) runs of True."""
    d = np.diff(np.r_[0, mask.astype(np.int8), 0])
    return np.column_stack([np.flatnonzero(d == 1), np.flatnonzero(d == -1)])


# -- 1. a hole between the blocks of a .cwa -------------------------------------------------


@pytest.fixture(scope="module")
def holed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """~30 min of AX3 blocks with 300 blocks (~6 min) left out after block 400."""
    d = tmp_path_factory.mktemp("holed")
    return tile_cwa(AX3, d / "hole6.cwa", 10, drop=(400, 700))


def _hole_s(path: Path) -> float:
    """The seconds between the end of block 399's samples (at the blocks' median rate)
    and block 400's start, as actfast times the blocks."""
    import actfast

    lf = actfast.read(str(path))["timeseries"]["low_frequency"]["datetime"] / 1e9
    return float(lf[400] - lf[399] - np.median(np.diff(lf)))  # (120 samples: a block)


def test_a_hole_in_a_cwa_is_one_missing_run_whole_and_streamed(holed: Path) -> None:
    """The 120 samples of the block before the hole were spread over its 6 min (a sample
    every 3 s, each a grid point of its own: "120 runs, the longest 3 s"); they now sit
    at the device's rate after their block's start, and the hole is one missing run."""
    rec, _ = _whole(holed)
    hole = _hole_s(holed)
    assert 360 < hole < 370
    missing = np.isnan(rec.data).any(axis=1)
    runs = _runs(missing)
    # one run, nothing measured in it, nothing scattered around it
    assert len(runs) == 1
    longest = runs[0]
    assert (longest[1] - longest[0]) / rec.fs == pytest.approx(hole, abs=0.03)
    assert rec.notes["block_gaps"].startswith("1 gap(s) between data blocks")
    assert f"the longest {hole:.1f} s" in rec.notes["block_gaps"]
    # the measured rate leaves the hole out (it said 90 Hz with a 10 min hole in 2 h)
    assert "measured 98.86 Hz" in rec.notes["resampled"]
    # the block before the hole: its 120 samples at the rate after its start
    before = np.flatnonzero(~missing[: longest[0]])
    assert longest[0] - before[-120] == 120
    for chunk_rows in (1000, 7000, 250_000):
        x, notes, start, _ = _streamed(holed, chunk_rows)
        assert np.array_equal(x, rec.data, equal_nan=True)
        assert notes == rec.notes and start == rec.start


def test_no_events_in_a_cwa_hole_and_its_time_not_recorded(holed: Path) -> None:
    rec, _ = _whole(holed)
    ev = movement.score(rec)
    gaps = ev.attrs["long_gaps"]
    assert len(gaps) == 1 and gaps[0][1] == pytest.approx(_hole_s(holed), abs=0.03)
    a, b = gaps[0][0], gaps[0][0] + gaps[0][1]
    on = ev["onset"].to_numpy(float)
    off = on + ev["duration"].to_numpy(float)
    assert not ((on < b - 1e-6) & (off > a + 1e-6)).any()  # (one may end where it starts)
    from movement.output import summarise

    row = summarise(holed.name, ev)
    assert row["recorded_s"] == pytest.approx(rec.duration - gaps[0][1], abs=0.01)
    # scored in windows from pieces of blocks: the same
    streamed = score_stream(holed, window_s=450, chunk_rows=7000)
    assert streamed.attrs["stream"]["windows"] >= 2
    assert_same_events(ev, streamed, 100.0)
    assert streamed.attrs["long_gaps"] == gaps


def test_a_hole_before_the_last_block_does_not_stretch_it(tmp_path: Path) -> None:
    """Past the last block start its samples took the previous interval's rate: across a
    hole, a rate of a few Hz, 120 samples stretched over minutes."""
    p = tile_cwa(AX3, tmp_path / "last.cwa", 2, drop=(145, 289))  # a copy, then one block
    rec, _ = _whole(p)
    finite = np.flatnonzero(~np.isnan(rec.data).any(axis=1))
    tail = finite[finite > 177 * 100]  # (after the first copy: its 176 s)
    assert 115 <= len(tail) <= 125  # (the last block's 120 samples on the 100 Hz grid)
    assert tail[-1] - tail[0] < 125
    x, notes, _, _ = _streamed(p, 1000)
    assert np.array_equal(x, rec.data, equal_nan=True) and notes == rec.notes


def test_a_cwa_without_a_hole_reads_as_before() -> None:
    """The block times of a file without a hole jitter by milliseconds: nothing is
    missing, nothing noted (the real files: the events are those of before)."""
    for name in ("ax3_testfile.cwa", "ax6_testfile.cwa"):
        rec, _ = _whole(DEV / name)
        assert not np.isnan(rec.data).any() and "block_gaps" not in rec.notes


# -- 2. unreadable blocks --------------------------------------------------------------------


@pytest.mark.parametrize("how", ["checksum", "zero", "erased"])
def test_unreadable_blocks_are_skipped_and_said_once(tmp_path: Path, how: str) -> None:
    """One bad block made the file unreadable ("sector 50 ... failed checksum")."""
    p = tmp_path / "bad.cwa"
    p.write_bytes(AX3.read_bytes())
    damage_cwa(p, range(50, 52), how)
    rec, said = _whole(p)
    ok, _ = _whole(AX3)
    kind = {"checksum": "2 failed checksum", "zero": "2 zeroed", "erased": "2 erased (0xFF)"}
    assert rec.notes["skipped_blocks"].startswith(
        f"2 of 145 blocks unreadable ({kind[how]}): block(s) 50-51"
    )
    assert [s for s in said if "unreadable" in s] == [f"{p}: {rec.notes['skipped_blocks']}"]
    # their 2.4 s missing; the samples before and after as in the intact file
    missing = np.isnan(rec.data).any(axis=1)
    assert 230 <= missing.sum() <= 245 and len(_runs(missing)) == 1
    # (blocks are 1.2125 s: block 49, before the hole, now at the device's rate from its
    # start, no more spread to block 50's)
    np.testing.assert_array_equal(rec.data[: 49 * 121], ok.data[: 49 * 121])
    np.testing.assert_array_equal(rec.data[53 * 122 :], ok.data[53 * 122 :])
    for chunk_rows in (1000, 250_000):  # (the bad blocks in a piece of their own, or not)
        x, notes, start, warned = _streamed(p, chunk_rows)
        assert np.array_equal(x, rec.data, equal_nan=True) and notes == rec.notes
        assert [s for s in warned if "unreadable" in s] == [s for s in said if "unreadable" in s]


def test_a_cwa_of_unreadable_blocks_only_says_so(tmp_path: Path) -> None:
    p = tmp_path / "dead.cwa"
    p.write_bytes(AX3.read_bytes())
    damage_cwa(p, range(145), "zero")
    with pytest.raises(RecordingError, match=r"no data blocks .*145 of 145 blocks unreadable"):
        movement.read(p)


def test_a_cut_gt3x_says_why_it_cannot_be_read(tmp_path: Path) -> None:
    """ActiGraph writes log.bin first and info.txt (rate, start, scale) last: a cut file
    has lost info.txt, and its records are not read without it."""
    cut = tmp_path / "cut.gt3x"
    cut.write_bytes((DEV / "actigraph_testfile.gt3x").read_bytes()[:40000])
    with pytest.raises(RecordingError, match="info.txt .* is lost"):
        movement.read(cut)


# -- 3. the UTC offsets the files state ------------------------------------------------------


def test_geneactiv_and_gt3x_keep_the_stated_offset_whole_and_streamed() -> None:
    for name, hours in (("GENEActiv_testfile.bin", 1), ("actigraph_testfile.gt3x", 2)):
        rec, _ = _whole(DEV / name)
        assert rec.start.utcoffset() == timedelta(hours=hours), name
        _, _, start, _ = _streamed(DEV / name, 3000)
        assert start == rec.start and start.utcoffset() == rec.start.utcoffset()
    # the clock itself is as before: the local times the files hold
    gene, _ = _whole(DEV / "GENEActiv_testfile.bin")
    assert gene.start.replace(tzinfo=None).isoformat() == "2013-05-30T10:12:54.500000"


def test_cwa_offset_only_when_the_header_states_one(tmp_path: Path) -> None:
    """An Axivity header's timeZone (int16 minutes at byte 42; -1: unknown, as in the
    real files) is kept when stated, not invented when not."""
    rec, _ = _whole(AX3)
    assert rec.start.tzinfo is None
    p = tmp_path / "zoned.cwa"
    raw = bytearray(AX3.read_bytes())
    raw[42:44] = (-300).to_bytes(2, "little", signed=True)
    p.write_bytes(bytes(raw))
    zoned, _ = _whole(p)
    assert zoned.start == rec.start.replace(tzinfo=timezone(timedelta(hours=-5)))
    _, _, start, _ = _streamed(p, 1000)
    assert start == zoned.start and start.utcoffset() == timedelta(hours=-5)


def test_days_are_the_local_clocks_with_a_stated_offset() -> None:
    from movement.output import period_summary

    gene, _ = _whole(DEV / "GENEActiv_testfile.bin")
    ev = pd.DataFrame({"onset": [60.0], "duration": [1.0], "trial_type": ["other"]})
    ev["review"] = False
    ev.attrs.update(duration=30 * 3600.0, start=gene.start.isoformat())
    days = period_summary(ev, "day")
    assert days["clock_start"].tolist()[1] == "2013-05-31T00:00:00+01:00"
    # local midnight: 13 h 47 min 5.5 s after 10:12:54.5
    assert days["start_s"].tolist()[1] == pytest.approx(49625.5)


# -- 4. ActiGraph's trailing idle sleep ------------------------------------------------------


def test_gt3x_trailing_idle_sleep_is_a_note_not_a_warning() -> None:
    """Every ActiGraph file warned "data end 4.0 s before the header's last-sample
    time": with idle sleep on, its Last Sample Time is the download's."""
    rec, said = _whole(DEV / "actigraph_testfile.gt3x")
    assert "trailing idle sleep (the idle sleep mode is on" in rec.notes["end"]
    assert not [s for s in said if "last-sample time" in s]
    _, notes, _, warned = _streamed(DEV / "actigraph_testfile.gt3x", 3000)
    assert notes["end"] == rec.notes["end"] and not [s for s in warned if "last-sample" in s]


def test_gt3x_early_end_without_idle_sleep_still_warns(tmp_path: Path) -> None:
    from movement.io.devices import gt3x_described

    meta = {"Start Date": "0", "Last Sample Time": str(100 * 10**7), "Sample Rate": "30"}
    notes: dict = {}
    with pytest.warns(UserWarning, match="idle sleep or a truncated file"):
        gt3x_described(tmp_path / "a.gt3x", meta, 30.0, 2880, 2880, 0.0, notes, {})
    assert "truncated" in notes["end"]


# -- 5. a study folder -----------------------------------------------------------------------


def _actilife(epoch: str, quoted: bool) -> str:
    first = (
        "------------ Data File Created By ActiGraph GT3X+ ActiLife v6.13.3 Firmware v2.5.0 "
        "date format M/d/yyyy at 30 Hz  Filter Normal -----------"
    )
    head = [
        f'"{first}"' if quoted else first,
        "Serial Number: MOS1",
        "Start Time 10:00:00",
        "Start Date 3/5/2024",
        f"Epoch Period (hh:mm:ss) {epoch}",
        "Download Time 12:00:00",
        "Download Date 3/6/2024",
        "Current Memory Address: 0",
        "Current Battery Voltage: 4.1     Mode = 12",
        "--------------------------------------------------",
    ]
    return "\n".join(head) + "\n"


@pytest.mark.parametrize("quoted", [False, True])
def test_an_actilife_export_with_a_quoted_first_line_is_recognised(
    tmp_path: Path, quoted: bool
) -> None:
    """The quoted first line gave "cannot parse as a table (Error tokenizing...)"."""
    epoch = tmp_path / "P03_60sec.csv"
    epoch.write_text(_actilife("00:01:00", quoted) + "Axis1,Axis2,Axis3,Steps\n10,20,30,1\n")
    with pytest.raises(RecordingError, match="an ActiGraph epoch export"):
        movement.read(epoch)
    raw = tmp_path / "P03_raw.csv"
    rng = np.random.default_rng(0)
    x = rng.normal(0, 0.05, (3600, 3)) + [0.0, 0.0, 1.0]
    rows = "\n".join(",".join(f"{v:.3f}" for v in r) for r in x)
    raw.write_text(
        _actilife("00:00:00", quoted) + "Accelerometer X,Accelerometer Y,Accelerometer Z\n" + rows
    )
    rec = movement.read(raw)
    assert rec.fs == 30.0 and rec.start.isoformat() == "2024-03-05T10:00:00"
    np.testing.assert_allclose(rec.data, np.round(x, 3))


def test_participants_tables_are_not_recordings(tmp_path: Path) -> None:
    from movement.io import find_recordings

    (tmp_path / "participants.csv").write_text("id,age,sex\nP01,54,F\n")
    (tmp_path / "participants.tsv").write_text("participant_id\tage\nsub-01\t54\n")
    (tmp_path / "w.csv").write_text("time,x,y,z\n0,0,0,1\n0.01,0,0,1\n")
    assert [p.name for p in find_recordings([tmp_path])] == ["w.csv"]


# -- 6. the calibration of a recording with a stretch not worn, or of zeros -------------------


@pytest.fixture(scope="module")
def worn() -> tuple[np.ndarray, float]:
    """2 h of a miscalibrated device worn: held still in 60 orientations (1 min each),
    moving between them (10 Hz)."""
    fs, rng = 10.0, np.random.default_rng(8)
    u = rng.normal(size=(60, 3))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    raw = (u - [0.02, -0.015, 0.01]) / [1.02, 0.98, 1.01]
    parts = []
    for p in raw:  # loop over the postures (60)
        parts.append(np.repeat(p[None], 600, axis=0) + rng.normal(0, 0.003, (600, 3)))
        parts.append(rng.normal(0, 0.3, (600, 3)) + p)
    return np.vstack(parts), fs


def _site(x: np.ndarray, fs: float) -> dict:
    return calibration_of(x, fs, ("x", "y", "z"), AccelConfig()).to_dict()["sites"][0]


def test_a_stretch_not_worn_does_not_set_the_calibration_error(worn) -> None:
    """6 h on a table (one orientation) took the reported error from 11.7 mg to 1.3 mg:
    the table's 2160 windows outweighed the postures worn. Now one point an hour."""
    x, fs = worn
    alone = _site(x, fs)
    rng = np.random.default_rng(9)
    table = np.tile([0.02, -0.012, 1.0003], (int(6 * 3600 * fs), 1))
    table += rng.normal(0, 0.002, table.shape)
    mid = len(x) // 2 - 300  # (amid a movement: the table's stretch its own)
    both = _site(np.vstack([x[:mid], table, x[mid:]]), fs)
    assert both["long_still_windows"] == 2160 and both["n_windows"] == alone["n_windows"] + 6
    assert both["error_before_mg"] == pytest.approx(alone["error_before_mg"], rel=0.05)
    assert alone["applied"] and both["applied"]
    np.testing.assert_allclose(both["offset_g"], alone["offset_g"], atol=1e-3)
    assert "2160 windows of stretches still for 60 min or more" in both["basis"]
    assert both["orientations"]["z+"] >= 6 and both["sphere_covered"]


def test_zeros_are_no_reading_of_gravity(worn) -> None:
    """An EDF gap filled with zeros made still windows of |a| = 0: 300 mg reported."""
    x, fs = worn
    alone = _site(x, fs)
    zeros = np.vstack([x, np.zeros((int(0.5 * 3600 * fs), 3))])
    with_zeros = _site(zeros, fs)
    assert with_zeros["left_out_windows"] == 180
    assert with_zeros["error_before_mg"] == pytest.approx(alone["error_before_mg"])
    assert with_zeros["offset_g"] == alone["offset_g"]
    assert "180 still windows not near 1 g (zeros?) left out" in with_zeros["basis"]
    # too few still windows to fit: the error said is still that of the readings of gravity
    few = x[: 8 * 1200]  # (8 postures: 48 still windows)
    short = _site(few, fs)
    short_zeros = _site(np.vstack([few, np.zeros((3000, 3))]), fs)
    assert short_zeros["left_out_windows"] == 30 and "needs 50" in short_zeros["reason"]
    assert short_zeros["error_before_mg"] == short["error_before_mg"]


def test_calibration_without_such_stretches_is_unchanged(worn) -> None:
    """No stretch still for an hour, no window off 1 g: the fit of before (every still
    window a point), and nothing left out."""
    from movement.calibration import fit_gravity, still_points, window_len
    from movement.wear import block_stats

    x, fs = worn
    site = _site(x, fs)
    b = window_len(fs, 10.0)
    off, sc, before, after = fit_gravity(
        still_points(block_stats(x, b), b, [0, 1, 2], AccelConfig())
    )
    assert site["offset_g"] == off.tolist() and site["scale"] == sc.tolist()
    assert site["error_before_mg"] == round(1e3 * before, 4)
    assert site["left_out_windows"] == 0 and site["long_still_windows"] == 0
    assert site["basis"].startswith(f"{site['n_windows']} still 10 s windows, in ")
    back = json.loads(json.dumps(site))
    assert back == site
