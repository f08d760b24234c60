"""Non-wear (movement.wear): block statistics, the still-hour rule, flags, streaming."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import movement
from movement.config import AccelConfig
from movement.output import summarise
from movement.simulate import simulate
from movement.stream import score_stream
from movement.wear import BlockStats, block_stats, block_stats_pair, intersect_runs, nonwear_runs

FS = 10.0


def _worn(rng: np.random.Generator, hours: float) -> np.ndarray:
    """Wrist-like acceleration: gravity on z plus movement well above 13 mg."""
    x = rng.normal(0, 0.04, (int(hours * 3600 * FS), 3))
    x[:, 2] += 1.0
    return x


def _on_a_table(rng: np.random.Generator, x: np.ndarray, a_s: float, b_s: float) -> None:
    a, b = int(a_s * FS), int(b_s * FS)
    x[a:b] = np.array([0.02, -0.05, 0.998]) + rng.normal(0, 0.002, (b - a, 3))


def test_block_stats_in_chunks_equal_the_whole_with_gaps() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(10_007, 3))
    x[100:130, 1] = np.nan  # a short gap on one axis
    x[4000:6500] = np.nan  # a long one on all
    whole = block_stats(x, 256)
    assert whole.shape == (40, 5, 3)
    assert whole[0, 0].tolist() == [256, 226, 256]  # samples counted per axis
    for cut in (1, 255, 1000, 4000):
        acc = BlockStats(256, 3)
        acc.add(x[:cut])
        if cut == 4000:
            acc.skip(2500)  # missing rows, never made
            acc.add(x[6500:])
        else:
            acc.add(x[cut:])
        assert np.array_equal(acc.result(), whole, equal_nan=True), cut


def test_block_stats_pair_equals_two_block_stats() -> None:
    # the stream's first pass: calibration and non-wear blocks from one set of reductions
    rng = np.random.default_rng(3)
    x = rng.normal(0, 0.3, (6_000, 3))
    x[1_234:1_300, 1] = np.nan  # a gap on one axis
    x[2_000:2_400] = np.nan  # whole short blocks missing
    x[5_000, 2], x[5_001, 2] = np.inf, -np.inf  # (a NaN sum, no missing value)
    x[3_000:3_100, 0] = 0.0
    xt = np.ascontiguousarray(x.T)
    for b, r in ((100, 3), (200, 1), (50, 40)):
        with np.errstate(invalid="ignore"):  # (inf - inf in a sum)
            short, long = block_stats_pair(x, b, r, xt if r == 3 else None)
            assert short.tobytes() == block_stats(x, b).tobytes()
            assert np.array_equal(long, block_stats(x, b * r), equal_nan=True)
    with pytest.raises(ValueError):
        block_stats_pair(x[:5_999], 100, 3)


@pytest.mark.parametrize("gap", [False, True])
def test_the_first_pass_gives_the_statistics_of_the_whole_array(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gap: bool
) -> None:
    import movement.stream as st

    monkeypatch.setattr(st, "_CHUNK_ROWS", 3_000)  # chunks of 2 700 rows: 3 blocks of 900
    rng = np.random.default_rng(5)
    x = rng.normal(0, 0.5, (10_000, 3))  # 3 whole chunks and a partial one
    if gap:
        x[2_650:2_760, 1] = np.nan  # across a chunk boundary
        x[9_950:, 0] = np.nan  # in the partial chunk
    np.save(tmp_path / "x.npy", x)
    src = st._open(tmp_path / "x.npy", fs=100.0, modality="accel", channels=None, chunk_rows=1_000)
    src.prepare(900, 100)
    assert src._blocks is not None and src._calib is not None
    assert src.block_stats()[0].tobytes() == block_stats(x, 900).tobytes()
    assert src.calib_stats()[0].tobytes() == block_stats(x, 100).tobytes()
    assert src.top.tolist() == np.nanmax(np.abs(x), axis=0).tolist()
    want = [[2_650, 2_760], [9_950, 10_000]] if gap else []
    assert src.nan_runs.tolist() == want


def test_a_still_hour_and_more_is_nonwear_a_shorter_one_is_not() -> None:
    rng = np.random.default_rng(1)
    cfg = AccelConfig()
    x = _worn(rng, 6.0)
    _on_a_table(rng, x, 3600.0, 3600.0 + 75 * 60)  # 75 min: non-wear
    _on_a_table(rng, x, 4 * 3600.0, 4 * 3600.0 + 45 * 60)  # 45 min: shorter than the window
    runs = nonwear_runs(x, FS, cfg) / FS
    # the 15-min blocks wholly inside the still stretch (3600-8100 s)
    assert runs.tolist() == [[3600.0, 8100.0]]
    assert nonwear_runs(x, FS, AccelConfig(nonwear_window_s=None)).shape == (0, 2)
    assert nonwear_runs(x[: int(3000 * FS)], FS, cfg).shape == (0, 2)  # shorter than 1 h


def test_both_criteria_on_at_least_two_axes() -> None:
    rng = np.random.default_rng(2)
    cfg = AccelConfig()
    base = _worn(rng, 3.0)
    _on_a_table(rng, base, 0.0, 3 * 3600.0)  # still throughout
    assert len(nonwear_runs(base, FS, cfg)) == 1
    one = base.copy()
    one[:, 0] += rng.normal(0, 0.04, len(one))  # one axis moves: the other two are still
    assert len(nonwear_runs(one, FS, cfg)) == 1
    two = one.copy()
    two[:, 1] += rng.normal(0, 0.04, len(two))  # two axes move: worn
    assert len(nonwear_runs(two, FS, cfg)) == 0
    knock = base.copy()
    knock[:: int(600 * FS), :2] += 0.2  # brief bumps every 10 min: SD small, range not
    assert len(nonwear_runs(knock, FS, cfg)) == 0
    assert len(nonwear_runs(knock, FS, AccelConfig(nonwear_range_g=0.5))) == 1


def test_intersect_runs() -> None:
    a = np.array([[0, 10], [20, 30], [40, 50]])
    assert intersect_runs(a, np.array([[5, 45]])).tolist() == [[5, 10], [20, 30], [40, 45]]
    assert intersect_runs(a, np.zeros((0, 2))).shape == (0, 2)


@pytest.fixture(scope="module")
def unworn():
    """3 h of simulated wrist accelerometry (25 Hz) with 75 min on a table from 1 h."""
    sim = simulate("accel", 3 * 3600, seed=11, fs=25.0)
    x = sim.recording.data.copy()
    fs = sim.recording.fs
    rng = np.random.default_rng(0)
    a, b = int(3600 * fs), int(8100 * fs)
    x[a:b] = np.array([0.05, -0.1, 0.99]) + rng.normal(0, 0.002, (b - a, 3))
    x[int(3700 * fs) : int(3700 * fs) + 5, 0] += 0.1  # a tap on the table: an event in it
    return movement.Recording(x, fs=fs, modality="accel", channels=sim.recording.channels)


def test_events_in_nonwear_are_flagged_and_the_time_reported(unworn) -> None:
    ev = movement.score(unworn)
    assert ev.attrs["nonwear"] == [[3600.0, 4500.0]] and ev.attrs["nonwear_s"] == 4500.0
    on = ev["onset"].to_numpy()
    inside = (on < 8100.0) & (on + ev["duration"].to_numpy() > 3600.0)
    assert inside.any()
    assert ev.loc[inside, "review"].all()
    assert ev.loc[inside, "reason"].str.contains("during detected non-wear").all()
    assert not ev.loc[~inside, "reason"].str.contains("non-wear").any()
    assert "1 stretch(es) not worn" in ev.attrs["notes"]["nonwear"]
    row = summarise("r.npy", ev)
    assert row["nonwear_s"] == 4500.0 and row["recorded_s"] == pytest.approx(3 * 3600.0)
    # the time worn beside it ("nonwear 0" read as "worn all the time" was easy to misread)
    assert row["worn_s"] == pytest.approx(3 * 3600.0 - 4500.0)
    off = movement.score(unworn, movement.Settings(accel=AccelConfig(nonwear_window_s=None)))
    assert "nonwear_s" not in off.attrs and summarise("r.npy", off)["nonwear_s"] is None
    assert summarise("r.npy", off)["worn_s"] is None  # (not judged: not all of it)
    assert len(off) == len(ev)  # nothing removed
    assert not off["reason"].str.contains("non-wear").any()


@pytest.mark.parametrize("threads", [1, 2])
def test_nonwear_streams_as_in_memory(tmp_path: Path, unworn, threads: int) -> None:
    whole = movement.score(unworn)
    sources: list = [unworn]
    # a table read in chunks, in mg (the unit factor applied after the statistics)
    t = np.arange(unworn.n_samples) / unworn.fs
    df = pd.DataFrame(unworn.data * 1000.0, columns=list(unworn.channels))
    df.insert(0, "time", t)
    df.to_csv(tmp_path / "unworn.csv", index=False, float_format="%.6f")
    (tmp_path / "unworn.json").write_text(json.dumps({"Modality": "accel", "Units": "mg"}))
    sources.append(tmp_path / "unworn.csv")
    for src in sources:
        ev = score_stream(src, window_s=1800, threads=threads, chunk_rows=20_000)
        assert ev.attrs["stream"]["windows"] >= 3
        # (the table's rate comes from its time column, to float precision)
        np.testing.assert_allclose(ev.attrs["nonwear"], whole.attrs["nonwear"], rtol=1e-9)
        assert len(ev) == len(whole)
        assert ev["review"].tolist() == whole["review"].tolist()
        assert (
            ev["reason"].str.contains("non-wear") == whole["reason"].str.contains("non-wear")
        ).all()


def test_the_summary_names_the_classifier_of_each_file() -> None:
    """A 30 Hz file is labelled by the rules, a 100 Hz one by the trained model: only the
    parameters hash and the events JSON said so, not summary.tsv."""
    rows = [
        summarise(f"{fs:g}.npy", movement.score(simulate("accel", 60, seed=1, fs=fs).recording))
        for fs in (100.0, 30.0)
    ]
    assert rows[0]["model"].startswith("default.joblib (movement-hgb-")
    assert rows[1]["model"] == "rules (30 Hz is outside the trained model's 50-200 Hz)"
    assert summarise("x.npy", error="bad")["model"] is None


def test_emg_has_no_nonwear() -> None:
    sim = simulate("emg", 20, seed=1)
    ev = movement.score(sim.recording)
    assert "nonwear_s" not in ev.attrs and summarise("e.npy", ev)["nonwear_s"] is None


def test_the_review_page_shows_the_time_not_worn(tmp_path: Path, unworn) -> None:
    pytest.importorskip("matplotlib")
    from movement.report import write_report

    ev = movement.score(unworn)
    page = write_report(unworn, ev, tmp_path / "r_report.html", max_event_plots=2).read_text()
    assert "Not worn</dt><dd>1:15:00" in page and "beige: not worn" in page


def test_a_recording_shorter_than_a_window_is_not_judged_not_zero() -> None:
    """Under an hour the README says non-wear is never judged; the summary once said 0 s."""
    import movement
    from movement.output import summarise

    sim = movement.simulate("accel", 120.0, 3)
    events = movement.score(sim.recording)
    assert events.attrs["nonwear_s"] is None and events.attrs["nonwear"] is None
    assert "not judged" in events.attrs["notes"]["nonwear"]
    assert summarise("x.csv", events)["nonwear_s"] is None
