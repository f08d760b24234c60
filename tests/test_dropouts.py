"""Dropouts: short runs of missing samples are bridged (interpolated and scored through),
longer gaps are never spanned by an event; in memory and streamed alike."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_stream import assert_same_events

import movement
from movement.config import AccelConfig, EMGConfig, Settings
from movement.evaluate import evaluate
from movement.recording import bridge_rows, long_runs, nan_runs, unbridged
from movement.stream import score_stream

DATA = Path(__file__).resolve().parents[1] / "data"


def _with_nans(rec: movement.Recording, rows: np.ndarray) -> movement.Recording:
    x = np.array(rec.data, dtype=np.float64)
    x[rows] = np.nan
    return movement.Recording(x, fs=rec.fs, modality=rec.modality, channels=rec.channels)


@pytest.fixture(scope="module")
def wrist():
    return movement.read(DATA / "sim_wrist_accel.csv")


@pytest.fixture(scope="module")
def wrist_clean(wrist):
    return movement.score(wrist)


@pytest.mark.parametrize("start", range(7))
def test_one_sample_dropouts_do_not_cut_events(wrist, wrist_clean, start):
    # a NaN every 7th sample (a wireless link losing packets): the same events as without
    rec = _with_nans(wrist, np.arange(start, wrist.n_samples, 7))
    ev = movement.score(rec)
    assert len(wrist_clean) >= 5
    assert len(ev) == len(wrist_clean)
    # a seventh of the samples lost can move a sharp knock's peak (0.8-1.8 g against
    # 1.3 g): its label may change, but then it is flagged for review
    same = ev["trial_type"].to_numpy() == wrist_clean["trial_type"].to_numpy()
    assert same.sum() >= len(ev) - 1
    assert ev["review"].to_numpy(bool)[~same].all()
    np.testing.assert_allclose(ev["onset"], wrist_clean["onset"], atol=0.05)
    np.testing.assert_allclose(ev["duration"], wrist_clean["duration"], atol=0.1)
    note = ev.attrs["notes"]["dropouts"]
    assert note.startswith(f"{len(np.arange(start, wrist.n_samples, 7))} dropout(s)")
    assert "bridge_gap_s" in note
    assert "dropouts" not in wrist_clean.attrs.get("notes", {})


def test_bridging_off_cuts_events_at_every_gap(wrist, wrist_clean):
    rec = _with_nans(wrist, np.arange(0, wrist.n_samples, 7))
    ev = movement.score(rec, Settings(accel={"bridge_gap_s": 0}))
    assert len(ev) > 3 * len(wrist_clean)  # each event cut apart at its dropouts
    assert "dropouts" not in ev.attrs.get("notes", {})
    starts = nan_runs(rec.gaps)[:, 0] / rec.fs
    on, off = ev["onset"].to_numpy(), (ev["onset"] + ev["duration"]).to_numpy()
    # no event spans a gap
    assert not ((on[:, None] < starts[None, :]) & (off[:, None] > starts[None, :] + 1e-9)).any()


def test_a_gap_longer_than_the_bridge_is_never_spanned(wrist, wrist_clean):
    # a 150 ms hole (15 samples, over the 0.1 s bridge) in the middle of each event
    mid = ((wrist_clean["onset"] + wrist_clean["duration"] / 2) * wrist.fs).astype(int)
    rows = (mid.to_numpy()[:, None] + np.arange(15)[None, :]).ravel()
    rec = _with_nans(wrist, rows)
    ev = movement.score(rec)
    assert "dropouts" not in ev.attrs.get("notes", {})
    on, off = ev["onset"].to_numpy(), (ev["onset"] + ev["duration"]).to_numpy()
    for a in mid / wrist.fs:  # loop over the holes (a few)
        assert not ((on < a) & (off > a + 0.15 - 1e-9)).any()


def test_emg_dropouts_bridged():
    rec = movement.read(DATA / "sim_forearm_emg.npy")
    truth = DATA / "sim_forearm_emg_events.tsv"
    clean = movement.score(rec)
    # scattered single-sample dropouts, 1 in 500 samples (every 0.25 s at 2 kHz)
    rows = np.random.default_rng(0).choice(rec.n_samples, rec.n_samples // 500, replace=False)
    ev = movement.score(_with_nans(rec, np.sort(rows)))
    assert "dropouts" in ev.attrs["notes"]
    f_clean = evaluate(clean, truth).macro_f1
    f_drop = evaluate(ev, truth).macro_f1
    assert f_drop >= f_clean - 0.05, (f_clean, f_drop)
    assert abs(len(ev) - len(clean)) <= max(2, len(clean) // 10)


def test_dropouts_stream_as_in_memory(tmp_path: Path):
    sim = movement.simulate("accel", 1500, seed=3).recording
    rng = np.random.default_rng(1)
    rows = np.sort(rng.choice(sim.n_samples, sim.n_samples // 50, replace=False))
    rows = np.concatenate([rows, np.arange(60_000, 60_003), np.arange(90_000, 90_010)])
    rec = _with_nans(sim, rows)
    whole = movement.score(rec, stream=False)
    assert "dropouts" in whole.attrs["notes"]
    np.save(tmp_path / "drop.npy", rec.data)
    (tmp_path / "drop.json").write_text(
        json.dumps(
            {"SamplingFrequency": rec.fs, "Modality": "accel", "ColumnNames": list(rec.channels)}
        )
    )
    for src in (rec, tmp_path / "drop.npy"):
        ev = score_stream(src, window_s=450)
        assert ev.attrs["stream"]["windows"] >= 3
        assert_same_events(whole, ev, rec.fs)
        assert ev.attrs["notes"]["dropouts"] == whole.attrs["notes"]["dropouts"]


def test_bridge_defaults_and_rows():
    assert AccelConfig().bridge_gap_s == 0.1
    assert EMGConfig().bridge_gap_s == 0.01
    assert bridge_rows(AccelConfig().bridge_gap_s, 100.0) == 10
    assert bridge_rows(AccelConfig().bridge_gap_s, 30.0) == 3
    assert bridge_rows(EMGConfig().bridge_gap_s, 2000.0) == 20
    assert bridge_rows(0.04, 100.0) == 4
    assert bridge_rows(0.04, 30.0) == 1
    assert bridge_rows(0.04, 20.0) == 0  # one sample at 20 Hz is 50 ms: not a dropout
    assert bridge_rows(None, 100.0) == bridge_rows(0, 100.0) == 0
    with pytest.raises(movement.MovementError, match="bridge_gap_s"):
        AccelConfig(bridge_gap_s=5.0)
    with pytest.raises(movement.MovementError, match="bridge_gap_s"):
        EMGConfig(bridge_gap_s=-1.0)


@settings(max_examples=200, deadline=None)
@given(
    mask=st.lists(st.booleans(), min_size=0, max_size=200),
    max_rows=st.integers(min_value=0, max_value=6),
)
def test_unbridged_removes_exactly_the_short_runs(mask, max_rows):
    m = np.array(mask, dtype=bool)
    out = unbridged(m, max_rows)
    assert out.shape == m.shape and out.dtype == bool
    assert not (out & ~m).any()  # never marks a sample that is not missing
    runs = nan_runs(m)
    kept = long_runs(runs, max_rows)
    assert np.array_equal(nan_runs(out), kept.reshape(-1, 2))
    short = runs[(runs[:, 1] - runs[:, 0]) <= max_rows] if max_rows else runs[:0]
    assert all(not out[a:b].any() for a, b in short)


def test_dense_unbridged_gaps_score_and_stream_alike():
    # 12 ms holes starting at 0.5 % of the samples of 1 kHz EMG, longer than the 10 ms
    # bridge: nine 0.5 s blocks in ten hold one. Scoring failed in numpy ("array of
    # sample points is empty"): every block with a gap was left out of the rest level,
    # leaving too few.
    sim = movement.simulate("emg", 480, seed=5, fs=1000.0, n_channels=2).recording
    rng = np.random.default_rng(0)
    starts = rng.choice(sim.n_samples - 8, int(sim.n_samples * 0.005), replace=False)
    gappy = _with_nans(sim, (starts[:, None] + np.arange(12)[None, :]).ravel())
    whole = movement.score(gappy, stream=False)
    assert len(whole) > 20
    assert "dropouts" not in whole.attrs.get("notes", {})
    streamed = score_stream(gappy, window_s=120)
    assert streamed.attrs["stream"]["windows"] >= 2
    assert_same_events(whole, streamed, sim.fs)


def test_emg_artefacts_never_span_a_gap():
    # 1 kHz EMG with 400 holes of 1-26 samples (some on one channel): the motion-artefact
    # detector joined runs across 0.1 s, gaps included (two events spanned gaps)
    sim = movement.simulate("emg", 300, seed=5, fs=1000.0).recording
    x = np.array(sim.data)
    rng = np.random.default_rng(5)
    for s in rng.choice(len(x) - 40, 400, replace=False):  # loop over the holes
        m = int(rng.integers(1, 27))
        if rng.random() < 0.3:
            x[s : s + m, rng.integers(0, x.shape[1])] = np.nan
        else:
            x[s : s + m] = np.nan
    rec = movement.Recording(x, fs=sim.fs, modality="emg", channels=sim.channels)
    ev = movement.score(rec, stream=False)
    assert (ev["scale"] == "artefact").any()
    runs = long_runs(nan_runs(rec.gaps), bridge_rows(EMGConfig().bridge_gap_s, rec.fs)) / rec.fs
    on = ev["onset"].to_numpy()
    off = on + ev["duration"].to_numpy()
    spans = (on[:, None] < runs[None, :, 0] - 1e-9) & (off[:, None] > runs[None, :, 1] + 1e-9)
    assert not spans.any(), ev[spans.any(axis=1)][["onset", "duration", "scale"]]


def test_dropouts_counted_only_where_scored():
    # three dropouts inside a 1.5 s stretch between two long gaps (too short to score)
    # and 20 elsewhere: 20 bridged
    sim = movement.simulate("accel", 1500, seed=3).recording
    x = np.array(sim.data)
    x[40000:46100] = np.nan
    x[60000:66100] = np.nan
    x[66250:72400] = np.nan
    for a in (66120, 66150, 66200):  # loop over the dropouts in the stretch left out
        x[a : a + 2] = np.nan
    for a in range(80000, 140000, 3000):  # loop over 20 dropouts in a piece scored
        x[a : a + 3] = np.nan
    rec = movement.Recording(x, fs=sim.fs, modality="accel", channels=sim.channels)
    whole = movement.score(rec, stream=False)
    assert whole.attrs["notes"]["dropouts"].startswith("20 dropout(s)")
    assert whole.attrs["dropouts"]["count"] == 20 and whole.attrs["dropouts"]["samples"] == 60
    streamed = score_stream(rec, window_s=450)
    assert streamed.attrs["dropouts"] == whole.attrs["dropouts"]
    assert_same_events(whole, streamed, rec.fs)


def test_dropouts_in_the_summary_and_sidecar(tmp_path: Path):
    from movement.cli import main

    rec = movement.read(DATA / "sim_wrist_accel.csv")
    x = np.array(rec.data)
    x[::7] = np.nan
    t = np.arange(len(x)) / rec.fs
    import pandas as pd

    pd.DataFrame({"time": t, "x": x[:, 0], "y": x[:, 1], "z": x[:, 2]}).to_csv(
        tmp_path / "drop.csv", index=False
    )
    out = tmp_path / "out"
    assert main(["score", str(tmp_path / "drop.csv"), "--out", str(out), "-q"]) == 0
    summary = pd.read_csv(out / "summary.tsv", sep="\t")
    assert int(summary.loc[0, "dropouts"]) == len(x[::7])
    side = json.loads((out / "drop_events.json").read_text())
    assert side["recording"]["dropouts"]["count"] == len(x[::7])
    from movement.export import read_bids_events

    back = read_bids_events(out / "drop_events.tsv")
    assert back.attrs["dropouts"]["count"] == len(x[::7])
    # without missing samples: 0
    assert main(["score", str(DATA / "sim_wrist_accel.csv"), "--out", str(out), "-q"]) == 0
    summary = pd.read_csv(out / "summary.tsv", sep="\t")
    row = summary[summary["file"].str.endswith("sim_wrist_accel.csv")]
    assert row["dropouts"].tolist() == [0]
