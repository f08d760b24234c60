"""Per-day and per-hour tables (``movement.output.period_summary``, ``score --per``)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import movement
from movement.batch import ScoreOptions, score_batch
from movement.cli import main
from movement.export import read_bids_events
from movement.output import PERIOD_COLUMNS, period_summary, summarise

CLASSES = ("fasciculation-like", "dystonia-like", "other")


def _events(onsets, durations, labels, **attrs) -> pd.DataFrame:
    ev = pd.DataFrame(
        {
            "onset": np.asarray(onsets, float),
            "duration": np.asarray(durations, float),
            "trial_type": pd.Series(list(labels), dtype=object),
            "review": np.zeros(len(onsets), bool),
        }
    )
    ev.attrs.update(attrs)
    return ev


def test_without_a_clock_days_are_24_h_from_the_first_sample() -> None:
    day = 86_400.0
    ev = _events(
        [10.0, day - 50.0, day + 5.0, 2 * day + 100.0],
        [1.0, 100.0, 0.5, 3600.0],
        ["fasciculation-like", "dystonia-like", "other", "dystonia-like"],
        duration=2.5 * day,
        nonwear=[[day - 3600.0, 7200.0]],
    )
    t = period_summary(ev)
    assert list(t.columns) == PERIOD_COLUMNS
    assert t["start_s"].tolist() == [0.0, day, 2 * day]
    assert t["stop_s"].tolist() == [day, 2 * day, 2.5 * day]
    assert t["clock_start"].isna().all()
    # counted by onset; dystonia-like time split at midnight (50 s each side)
    assert t["n_fasciculation"].tolist() == [1, 0, 0]
    assert t["n_dystonia"].tolist() == [1, 0, 1]
    assert t["n_other"].tolist() == [0, 1, 0]
    assert t["dystonia_s"].tolist() == [50.0, 50.0, 3600.0]
    # the non-wear stretch across midnight: an hour in each day
    assert t["nonwear_s"].tolist() == [3600.0, 3600.0, 0.0]
    assert t["rate_per_min_fasciculation"].iloc[0] == pytest.approx(1 / 1440, abs=1e-4)
    assert t["dystonia_time_fraction"].iloc[2] == pytest.approx(3600 / (0.5 * day), abs=1e-5)


def test_clock_days_start_at_midnight_and_hours_on_the_hour() -> None:
    start = datetime(2024, 3, 1, 22, 30)
    ev = _events([0.0, 1900.0, 5500.0], [1.0, 1.0, 1.0], CLASSES, duration=3 * 3600.0)
    ev.attrs["start"] = start.isoformat()
    days = period_summary(ev, "day")
    assert days["clock_start"].tolist() == ["2024-03-01T22:30:00", "2024-03-02T00:00:00"]
    assert days["stop_s"].tolist() == [5400.0, 10800.0]
    assert days["n_events"].tolist() == [2, 1]
    hours = period_summary(ev, "hour")
    assert hours["clock_start"].tolist() == [
        "2024-03-01T22:30:00",
        "2024-03-01T23:00:00",
        "2024-03-02T00:00:00",
        "2024-03-02T01:00:00",
    ]
    assert hours["start_s"].tolist() == [0.0, 1800.0, 5400.0, 9000.0]
    assert hours["n_events"].tolist() == [1, 1, 1, 0]


def test_a_start_with_a_utc_offset_keeps_it() -> None:
    ev = _events([], [], [], duration=86_400.0, start="2024-03-01T22:30:00+01:00")
    t = period_summary(ev)
    assert t["clock_start"].tolist() == ["2024-03-01T22:30:00+01:00", "2024-03-02T00:00:00+01:00"]
    assert t["start_s"].tolist() == [0.0, 5400.0]


def test_long_gaps_are_not_recorded_time() -> None:
    ev = _events([100.0], [1.0], ["other"], duration=7200.0, long_gaps=[[3000.0, 1200.0]])
    t = period_summary(ev, "hour")
    assert t["recorded_s"].tolist() == [3000.0, 3000.0]  # 600 s of the gap in each hour
    assert t["nonwear_s"].isna().all()  # not judged: n/a, not 0


def test_an_unknown_period_is_refused() -> None:
    with pytest.raises(ValueError, match="period must be one of"):
        period_summary(_events([], [], [], duration=10.0), "week")


@settings(max_examples=60, deadline=None)
@given(
    duration=st.floats(1.0, 4 * 86_400.0),
    fracs=st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), st.integers(0, 2)), max_size=30),
    start_h=st.one_of(st.none(), st.floats(0, 23.99)),
    period=st.sampled_from(["day", "hour"]),
)
def test_periods_tile_the_recording_and_add_up_to_its_summary(
    duration, fracs, start_h, period
) -> None:
    onsets = [a * duration for a, _, _ in fracs]
    durs = [min(b * 3600.0, duration - o) for (_, b, _), o in zip(fracs, onsets, strict=True)]
    labels = [CLASSES[k] for _, _, k in fracs]
    ev = _events(onsets, durs, labels, duration=duration)
    if start_h is not None:
        ev.attrs["start"] = (datetime(2024, 5, 1) + timedelta(hours=start_h)).isoformat()
    t = period_summary(ev, period)
    # the periods tile [0, duration]: each at most one period long
    assert t["start_s"].iloc[0] == 0.0
    assert t["stop_s"].iloc[-1] == pytest.approx(duration, abs=1e-3)
    assert np.allclose(t["start_s"].to_numpy()[1:], t["stop_s"].to_numpy()[:-1])
    assert ((t["stop_s"] - t["start_s"]) <= (86_400 if period == "day" else 3600) + 1e-3).all()
    assert ((t["stop_s"] - t["start_s"]) > 0).all()
    # the counts and the dystonia-like time add up to the recording's
    row = summarise("f", ev)
    assert t["n_events"].sum() == len(ev)
    for k in ("fasciculation", "dystonia", "other"):
        assert t[f"n_{k}"].sum() == row[f"n_{k}"]
    dyst = sum(d for d, lab in zip(durs, labels, strict=True) if lab == "dystonia-like")
    assert t["dystonia_s"].sum() == pytest.approx(dyst, abs=1e-2)


def _day_with_gap(path: Path) -> Path:
    """2.2 h of 25 Hz accelerometry from 23:00 with a 10 min gap (NaN) at 0:30."""
    fs = 25.0
    n = int(2.2 * 3600 * fs)
    rng = np.random.default_rng(5)
    x = rng.normal(0, 0.005, (n, 3))
    x[:, 2] += 1.0
    for k in range(40):  # twitches every ~3 min
        a = int((60 + 190 * k) * fs)
        x[a : a + 5, 0] += np.hanning(5) * 0.3
    g0 = int(5400 * fs)
    x[g0 : g0 + int(600 * fs)] = np.nan
    np.save(path, x)
    path.with_suffix(".json").write_text(
        json.dumps(
            {
                "SamplingFrequency": fs,
                "Modality": "accel",
                "Units": "g",
                "StartTime": "2024-03-01T23:00:00",
            }
        )
    )
    return path


def test_scored_recording_carries_its_start_and_gaps_to_the_tables(tmp_path: Path) -> None:
    path = _day_with_gap(tmp_path / "night.npy")
    rec = movement.read(path)  # (the sidecar's StartTime is how a .npy gives its clock)
    ev = movement.score(rec, model="rules")
    assert ev.attrs["start"] == "2024-03-01T23:00:00"
    assert ev.attrs["long_gaps"] == [[5400.0, 600.0]]
    t = period_summary(ev, "day")
    assert t["clock_start"].tolist() == ["2024-03-01T23:00:00", "2024-03-02T00:00:00"]
    assert t["recorded_s"].sum() == pytest.approx(ev.attrs["recorded_duration"])
    assert t["recorded_s"].tolist() == pytest.approx([3600.0, 2.2 * 3600 - 3600 - 600])
    assert t["n_events"].sum() == len(ev)


def test_cli_per_day_and_per_hour_from_the_events_on_resume(tmp_path: Path) -> None:
    path = _day_with_gap(tmp_path / "night.npy")
    out = tmp_path / "out"
    assert main(["score", str(path), "--out", str(out), "--model", "rules", "-q"]) == 0
    assert not (out / "night_per_day.tsv").exists()
    events_before = (out / "night_events.tsv").read_bytes()
    # a re-run that asks for the tables resumes the file and makes them from its events
    code = main(
        ["score", str(path), "--out", str(out), "--model", "rules", "-q", "--per", "day",
         "--per", "hour"]
    )  # fmt: skip
    assert code == 0
    assert (out / "night_events.tsv").read_bytes() == events_before
    summary = pd.read_csv(out / "summary.tsv", sep="\t")
    mine = pd.read_csv(out / "night_per_day.tsv", sep="\t", na_values=["n/a"])
    batch = pd.read_csv(out / "summary_per_day.tsv", sep="\t", na_values=["n/a"])
    assert batch["file"].tolist() == [str(path)] * len(mine)
    assert batch.drop(columns="file").equals(mine)
    assert mine["n_events"].sum() == summary["n_events"].iloc[0]
    assert mine["recorded_s"].sum() == pytest.approx(summary["recorded_s"].iloc[0])
    hours = pd.read_csv(out / "night_per_hour.tsv", sep="\t")
    assert len(hours) == 3 and hours["n_events"].sum() == summary["n_events"].iloc[0]
    # the tables equal those made from the events read back (sidecar: start, gaps)
    back = period_summary(read_bids_events(out / "night_events.tsv"), "day")
    assert mine["n_events"].tolist() == back["n_events"].tolist()
    assert mine["clock_start"].tolist() == back["clock_start"].tolist()


def test_scoring_again_drops_period_tables_of_the_old_events(tmp_path: Path) -> None:
    path = _day_with_gap(tmp_path / "night.npy")
    out = tmp_path / "out"
    score_batch([path], out, ScoreOptions(model="rules", per=("day",)), progress=False)
    assert (out / "night_per_day.tsv").exists()
    # other settings, no --per: the file is scored again and its old day table removed
    other = movement.Settings().with_overrides(["accel.baseline_quantile=0.2"])
    score_batch([path], out, ScoreOptions(settings=other, model="rules"), progress=False)
    assert not (out / "night_per_day.tsv").exists()
    # asked again: made from the new events
    rows = score_batch(
        [path], out, ScoreOptions(settings=other, model="rules", per=("day",)), progress=False
    )
    assert rows[0].get("resumed")
    table = pd.read_csv(out / "night_per_day.tsv", sep="\t")
    assert (
        table["parameters_hash"].iloc[0]
        == read_bids_events(out / "night_events.tsv").attrs["parameters_hash"]
    )


def test_a_failed_file_has_no_period_rows(tmp_path: Path) -> None:
    good = _day_with_gap(tmp_path / "night.npy")
    bad = tmp_path / "bad.npy"
    bad.write_bytes(b"not a numpy file")
    out = tmp_path / "out"
    code = main(["score", str(good), str(bad), "--out", str(out), "-q", "--per", "day"])
    assert code != 0
    batch = pd.read_csv(out / "summary_per_day.tsv", sep="\t")
    assert set(batch["file"]) == {str(good)}


def test_report_of_a_recording_across_midnight_has_a_day_table(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from movement.report import _per_day_html, write_report

    rec = movement.read(_day_with_gap(tmp_path / "night.npy"))
    ev = movement.score(rec, model="rules")
    page = tmp_path / "night_report.html"
    write_report(rec, ev, page)
    text = page.read_text()
    assert "<h2>Per day</h2>" in text
    assert "2024-03-02T00:00:00" in text
    # one day: no table
    short = ev.copy()
    short.attrs = {**ev.attrs, "start": "2024-03-01T01:00:00"}
    assert _per_day_html(short, rec.duration, None) == ""


def test_period_summary_is_in_the_top_level_namespace() -> None:
    assert movement.period_summary is period_summary


def test_shards_write_their_own_day_tables_and_a_plain_rerun_collates(tmp_path: Path) -> None:
    paths = [_day_with_gap(tmp_path / f"night{i}.npy") for i in range(3)]
    out = tmp_path / "out"
    opts = ScoreOptions(model="rules", per=("day",))
    mine = []
    for k in (1, 2):
        rows = score_batch(paths, out, opts, shard=(k, 2), progress=False)
        table = pd.read_csv(out / f"summary_per_day-shard-{k}-of-2.tsv", sep="\t")
        assert set(table["file"]) == {r["file"] for r in rows}
        mine += [r["file"] for r in rows]
    assert sorted(mine) == sorted(str(p) for p in paths)
    assert not (out / "summary_per_day.tsv").exists()
    score_batch(paths, out, opts, progress=False)  # (nothing left to score: collates)
    table = pd.read_csv(out / "summary_per_day.tsv", sep="\t")
    assert sorted(set(table["file"])) == sorted(str(p) for p in paths)
    assert len(table) == 2 * len(paths)  # each recording crosses midnight once


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-100, 700_000), st.floats(0, 50_000)), max_size=40),
    st.lists(st.floats(0, 700_000), min_size=2, max_size=30, unique=True),
)
def test_overlap_equals_the_interval_by_interval_sum(intervals, cuts) -> None:
    from movement.output import _overlap

    edges = np.sort(np.asarray(cuts))
    got = _overlap(intervals, edges)
    iv = np.asarray(intervals, float).reshape(-1, 2)
    want = np.array(
        [
            np.clip(np.minimum(iv[:, 0] + iv[:, 1], b) - np.maximum(iv[:, 0], a), 0, None).sum()
            for a, b in zip(edges[:-1], edges[1:], strict=True)
        ]
    )
    assert (got >= 0).all()
    assert np.allclose(got, want, rtol=0, atol=1e-6)  # (seconds)
