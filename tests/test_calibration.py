"""Gravity auto-calibration (movement.calibration): the fit, its guards, the pipeline,
streaming, and what is reported."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import movement
from movement.calibration import (
    Calibration,
    calibration_of,
    fit_gravity,
    still_points,
    window_len,
)
from movement.config import AccelConfig
from movement.output import events_sidecar, summarise
from movement.simulate import simulate
from movement.stream import score_stream
from movement.wear import block_stats

OFFSET = np.array([0.03, -0.02, 0.015])
SCALE = np.array([1.02, 0.97, 1.01])


def _directions(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` gravity directions: the six faces first, then random ones."""
    faces = np.vstack([np.eye(3), -np.eye(3)])
    u = rng.normal(size=(max(0, n - 6), 3))
    u = np.vstack([faces, u])[:n]
    return u / np.linalg.norm(u, axis=1, keepdims=True)


def _miscalibrated(x: np.ndarray) -> np.ndarray:
    """What a device with OFFSET and SCALE errors reads: calibrated = OFFSET + SCALE * raw."""
    return (x - OFFSET) / SCALE


@pytest.fixture(scope="module")
def handled() -> movement.Recording:
    """An hour of simulated wrist accelerometry, then 40 min of the device put down and
    picked up in 20 orientations (2 min still each), read by a miscalibrated device."""
    sim = simulate("accel", 3600, seed=4)
    fs = sim.recording.fs
    rng = np.random.default_rng(4)
    u = _directions(rng, 20)
    still = np.repeat(u, int(120 * fs), axis=0) + rng.normal(0, 0.003, (20 * int(120 * fs), 3))
    x = np.vstack([sim.recording.data, still])
    return movement.Recording(
        _miscalibrated(x), fs=fs, modality="accel", channels=sim.recording.channels
    )


def test_fit_recovers_offset_and_scale() -> None:
    rng = np.random.default_rng(0)
    u = _directions(rng, 80)
    off, sc, before, after = fit_gravity(_miscalibrated(u) + rng.normal(0, 0.002, (80, 3)))
    np.testing.assert_allclose(off, OFFSET, atol=2e-3)
    np.testing.assert_allclose(sc, SCALE, atol=2e-3)
    assert before > 0.01 and after < 0.003


@settings(max_examples=40, deadline=None)
@given(
    off=st.lists(st.floats(-0.1, 0.1), min_size=3, max_size=3),
    sc=st.lists(st.floats(0.9, 1.1), min_size=3, max_size=3),
    seed=st.integers(0, 2**16),
)
def test_fit_recovers_any_moderate_miscalibration(off, sc, seed) -> None:
    rng = np.random.default_rng(seed)
    u = _directions(rng, 60)
    raw = (u - np.array(off)) / np.array(sc)  # exact readings: no noise
    o, s, before, after = fit_gravity(raw)
    np.testing.assert_allclose(o, off, atol=1e-5)
    np.testing.assert_allclose(s, sc, atol=1e-5)
    assert after <= before + 1e-12 and after < 1e-5


def test_still_points_leave_out_motion_and_gaps() -> None:
    fs, cfg = 10.0, AccelConfig()
    b = window_len(fs, cfg.calib_window_s)
    assert b == 100
    rng = np.random.default_rng(1)
    x = np.tile([0.0, 0.0, 1.0], (10 * b, 1)) + rng.normal(0, 0.003, (10 * b, 3))
    x[b : 2 * b, 0] += rng.normal(0, 0.05, b)  # moving on one axis
    x[3 * b + 5, 1] = np.nan  # one missing sample
    pts = still_points(block_stats(x, b), b, [0, 1, 2], cfg)
    assert len(pts) == 8  # windows 1 and 3 left out
    np.testing.assert_allclose(pts[:, 2], 1.0, atol=0.002)
    # a unit factor scales the points and the standard deviations (values in mg)
    pts_mg = still_points(block_stats(x * 1000.0, b), b, [0, 1, 2], cfg, factor=1e-3)
    np.testing.assert_allclose(pts_mg, pts, rtol=1e-12, atol=1e-15)


def test_calibration_is_skipped_and_says_why() -> None:
    fs, cfg = 10.0, AccelConfig()
    rng = np.random.default_rng(2)
    flat = np.tile([0.0, 0.0, 1.0], (3000, 1)) + rng.normal(0, 0.003, (3000, 3))
    few = calibration_of(flat, fs, ("x", "y", "z"), cfg)  # 30 still windows, one way up
    assert not few.applied and "30 still 10 s window(s); calibration needs 50" in (
        few.sites[0].reason
    )
    many = calibration_of(np.vstack([flat] * 3), fs, ("x", "y", "z"), cfg)
    assert not many.applied
    assert "do not cover the sphere" in many.sites[0].reason
    assert "x+, x-, y+, y-, z-" in many.sites[0].reason
    # points that cannot come within calib_max_error_g of the sphere: left as read
    u = _directions(rng, 60)
    bent = u * (1.0 + 0.05 * np.sign(u[:, :1]))  # no offset and scale fit this
    x = np.repeat(bent, 100, axis=0) + rng.normal(0, 0.002, (6000, 3))
    cal = calibration_of(x, fs, ("x", "y", "z"), cfg)
    assert not cal.applied and "is not below 10 mg" in cal.sites[0].reason
    assert cal.apply(x) is x
    # values not in g (mg kept as arbitrary units): never fitted
    mg = calibration_of(np.repeat(u, 100, axis=0) * 1000.0, fs, ("x", "y", "z"), cfg)
    assert not mg.applied and "not ~1: calibration needs acceleration in g" in mg.sites[0].reason
    assert calibration_of(x, fs, ("x", "y", "z"), AccelConfig(calibrate=False)) is None
    assert calibration_of(x[:, :2], fs, ("x", "y"), cfg) is None  # no tri-axial sensor


def test_each_sensor_is_fitted_on_its_own() -> None:
    fs, rng = 10.0, np.random.default_rng(3)
    u = _directions(rng, 60)
    a = np.repeat(_miscalibrated(u), 100, axis=0)
    b = np.repeat(u, 100, axis=0)[:, [2, 0, 1]]  # a second, calibrated, sensor
    x = np.hstack([a, b]) + rng.normal(0, 0.002, (6000, 6))
    names = ("ax", "ay", "az", "bx", "by", "bz")
    cal = calibration_of(x, fs, names, AccelConfig())
    assert [s.site for s in cal.sites] == ["ax+ay+az", "bx+by+bz"]
    np.testing.assert_allclose(cal.offset[:3], OFFSET, atol=2e-3)
    np.testing.assert_allclose(cal.offset[3:], 0.0, atol=2e-3)
    np.testing.assert_allclose(cal.scale[3:], 1.0, atol=2e-3)
    back = Calibration.from_dict(cal.to_dict(), 6)
    assert np.array_equal(back.offset, cal.offset) and np.array_equal(back.scale, cal.scale)


def test_score_calibrates_and_reports(handled, handled_scored) -> None:
    ev = handled_scored
    cal = ev.attrs["calibration"]
    assert cal["applied"]
    site = cal["sites"][0]
    np.testing.assert_allclose(site["offset_g"], OFFSET, atol=3e-3)
    np.testing.assert_allclose(site["scale"], SCALE, atol=3e-3)
    assert site["error_before_mg"] > 10 and site["error_after_mg"] < 3
    assert site["n_windows"] >= 200  # the 40 still minutes, and still moments of the hour
    assert "calibration" not in (ev.attrs.get("notes") or {})
    row = summarise("h.npy", ev)
    assert row["calibrated"] is True and row["calibration_error_mg"] == pytest.approx(
        site["error_after_mg"], abs=1e-3
    )
    assert events_sidecar(ev)["recording"]["calibration"] == json.loads(json.dumps(cal))
    off = movement.score(handled, AccelConfig(calibrate=False))
    assert "calibration" not in off.attrs
    assert summarise("h.npy", off)["calibrated"] is None
    # the scored values are the calibrated ones: the same events as from a calibrated device
    fixed = movement.Recording(
        OFFSET + SCALE * handled.data, fs=handled.fs, modality="accel", channels=handled.channels
    )
    ref = movement.score(fixed, AccelConfig(calibrate=False))
    assert len(ev) == len(ref)
    np.testing.assert_allclose(ev["onset"], ref["onset"], atol=0.05)
    assert ev["trial_type"].tolist() == ref["trial_type"].tolist()


def test_a_short_recording_notes_why_it_was_not_calibrated() -> None:
    ev = movement.score(simulate("accel", 120, seed=1).recording)
    assert not ev.attrs["calibration"]["applied"]
    assert "needs 50" in ev.attrs["notes"]["calibration"]
    row = summarise("s.npy", ev)
    assert row["calibrated"] is False and row["calibration_error_mg"] is not None


def test_emg_is_never_calibrated() -> None:
    ev = movement.score(simulate("emg", 10, seed=1).recording)
    assert "calibration" not in ev.attrs and summarise("e.npy", ev)["calibrated"] is None


@pytest.fixture(scope="module")
def handled_scored(handled) -> pd.DataFrame:
    """``movement.score(handled)``, scored once for the tests that each scored it."""
    return movement.score(handled)


@pytest.fixture(scope="module")
def handled_files(tmp_path_factory: pytest.TempPathFactory, handled) -> Path:
    """A folder with ``handled`` as ``h.npy`` and as the table ``h_csv.csv`` (in mg), each
    with its sidecar: written once, read (never written) by the tests."""
    folder = tmp_path_factory.mktemp("handled")
    np.save(folder / "h.npy", handled.data)
    (folder / "h.json").write_text(
        json.dumps({"SamplingFrequency": handled.fs, "Modality": "accel"})
    )
    # a table read in chunks, in mg (the unit factor applied to the statistics)
    t = np.arange(handled.n_samples) / handled.fs
    df = pd.DataFrame(handled.data * 1000.0, columns=list(handled.channels))
    df.insert(0, "time", t)
    df.to_csv(folder / "h.csv", index=False, float_format="%.9f")
    (folder / "h_csv.json").write_text(json.dumps({"Modality": "accel", "Units": "mg"}))
    (folder / "h.csv").rename(folder / "h_csv.csv")
    return folder


@pytest.mark.parametrize("threads", [1, 2])
def test_calibration_streams_as_in_memory(
    handled_files: Path, handled, handled_scored, threads: int
) -> None:
    whole = handled_scored
    for src in (handled, handled_files / "h.npy", handled_files / "h_csv.csv"):
        ev = score_stream(src, window_s=900, threads=threads, chunk_rows=30_000)
        assert ev.attrs["stream"]["windows"] >= 3
        a, b = ev.attrs["calibration"]["sites"][0], whole.attrs["calibration"]["sites"][0]
        assert a["applied"] and a["n_windows"] == b["n_windows"]
        tol = 0 if src is handled or str(src).endswith(".npy") else 1e-6
        np.testing.assert_allclose(a["offset_g"], b["offset_g"], rtol=tol, atol=tol)
        np.testing.assert_allclose(a["scale"], b["scale"], rtol=tol, atol=tol)
        assert len(ev) == len(whole), src
        np.testing.assert_allclose(ev["onset"], whole["onset"], atol=1e-6)
        assert ev["trial_type"].tolist() == whole["trial_type"].tolist()


def test_the_review_page_gives_the_calibration(tmp_path: Path, handled, handled_scored) -> None:
    pytest.importorskip("matplotlib")
    from movement.report import write_report

    ev = handled_scored
    page = write_report(handled, ev, tmp_path / "h_report.html", max_event_plots=2)
    html = Path(page).read_text()
    assert "<dt>Calibration</dt>" in html and "applied, error" in html


def test_calibration_settings_from_the_command_line(tmp_path: Path, handled) -> None:
    from movement.cli import main

    np.save(tmp_path / "h.npy", handled.data)
    (tmp_path / "h.json").write_text(
        json.dumps({"SamplingFrequency": handled.fs, "Modality": "accel"})
    )
    assert main(["score", str(tmp_path / "h.npy"), "--out", str(tmp_path / "on")]) == 0
    assert main([
        "score", str(tmp_path / "h.npy"), "--out", str(tmp_path / "off"),
        "--set", "accel.calibrate=off",
    ]) == 0  # fmt: skip
    on = pd.read_csv(tmp_path / "on" / "summary.tsv", sep="\t")
    off = pd.read_csv(tmp_path / "off" / "summary.tsv", sep="\t")
    assert bool(on.loc[0, "calibrated"]) and on.loc[0, "calibration_error_mg"] < 3
    assert off["calibrated"].isna().all() and off["calibration_error_mg"].isna().all()
    side = json.loads((tmp_path / "on" / "h_events.json").read_text())
    assert side["recording"]["calibration"]["applied"]
    assert side["parameters"]["config"]["calibrate"] is True


def test_a_table_takes_the_calibration_windows_in_its_first_pass(tmp_path: Path) -> None:
    from movement.stream import _open

    rng = np.random.default_rng(5)
    fs = 20.0
    x = np.tile([0.0, 0.0, 1.0], (4000, 1)) + rng.normal(0, 0.01, (4000, 3))
    df = pd.DataFrame(x, columns=["x", "y", "z"])
    df.insert(0, "time", np.arange(4000) / fs)
    df.to_csv(tmp_path / "t.csv", index=False, float_format="%.9f")
    src = _open(
        tmp_path / "t.csv", fs=None, modality="accel", channels=None, chunk_rows=700,
        calib_window_s=10.0,
    )  # fmt: skip
    b = window_len(fs, 10.0)
    assert src._calib is not None and src._calib.b == b  # the rate from the first chunk
    src.prepare(None, b)
    stats, factor = src.calib_stats()
    np.testing.assert_allclose(stats, block_stats(src.read(0, 4000), b), rtol=1e-12)
    # another window length than the first pass took: the file is read once more
    src.prepare(None, 150)
    as_read = pd.read_csv(tmp_path / "t.csv")[["x", "y", "z"]].to_numpy()
    np.testing.assert_allclose(src.calib_stats()[0], block_stats(as_read, 150), rtol=1e-12)
    # no calibration asked (EMG settings, or calibrate off): the first pass takes nothing
    src = _open(tmp_path / "t.csv", fs=None, modality="accel", channels=None, chunk_rows=700)
    assert src._calib is None


def test_a_page_made_later_from_the_events_gives_the_calibration(tmp_path: Path, handled) -> None:
    """``movement report --events``: the header and the signals as they were scored."""
    pytest.importorskip("matplotlib")
    from movement.cli import main

    np.save(tmp_path / "h.npy", handled.data)
    (tmp_path / "h.json").write_text(
        json.dumps({"SamplingFrequency": handled.fs, "Modality": "accel"})
    )
    out = tmp_path / "out"
    assert main(["score", str(tmp_path / "h.npy"), "--out", str(out), "-q"]) == 0
    # (the header is the point: a few event plots draw the signals as scored)
    args = ["report", str(tmp_path / "h.npy"), "--events", str(out), "--max-plots", "10", "-q"]
    assert main(args) == 0
    html = (out / "h_report.html").read_text()
    assert "<dt>Calibration</dt>" in html and ": applied, error" in html
