"""Tests of the recording simulator (movement.simulate)."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import signal

import movement
from movement.simulate import (
    CONFOUNDERS,
    TRUTH_COLUMNS,
    SimulationError,
    SimulationParams,
    cli_configure,
    cli_run,
    simulate,
    write_simulation,
)

TARGETS_ONLY = dict(confounders="none")


def _slice(sim, row):
    fs = sim.recording.fs
    i0 = int(round(row.onset * fs))
    return i0, i0 + int(round(row.duration * fs))


# -- determinism -----------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "npy"])
def test_same_seed_same_bytes(tmp_path, fmt):
    for d in ("a", "b"):
        sim = simulate("emg", 8, seed=7, confounders="all")
        write_simulation(sim, tmp_path / d, "rec", format=fmt)
    for name in (f"rec.{fmt}", "rec.json", "rec_events.tsv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    other = simulate("emg", 8, seed=8, confounders="all")
    write_simulation(other, tmp_path / "c", "rec", format=fmt)
    assert (tmp_path / "c" / f"rec.{fmt}").read_bytes() != (
        tmp_path / "a" / f"rec.{fmt}"
    ).read_bytes()


def test_streams_differ_and_global_rng_untouched():
    state = np.random.get_state()  # noqa: NPY002 - checking the legacy global RNG is unused
    a = simulate("accel", 10, seed=1)
    after = np.random.get_state()  # noqa: NPY002
    assert all(np.array_equal(x, y) for x, y in zip(state, after, strict=True))
    b = simulate("accel", 10, seed=1, stream=1)
    assert not np.array_equal(a.recording.data, b.recording.data)


# -- the timeline ------------------------------------------------------------------
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    duration=st.floats(2.0, 90.0),
    modality=st.sampled_from(["accel", "emg"]),
)
def test_truth_inside_and_not_overlapping(seed, duration, modality):
    p = SimulationParams(fasciculation_rate_per_min=30, dystonia_rate_per_min=4)
    fs = 100.0 if modality == "accel" else 1000.0
    sim = simulate(modality, duration, seed, fs=fs, confounders="all", params=p)
    ev = sim.events
    assert list(ev.columns) == list(TRUTH_COLUMNS)
    assert set(ev.trial_type) <= {"fasciculation-like", "dystonia-like", "other"}
    if len(ev):
        end = ev.onset + ev.duration
        assert (ev.onset >= p.min_gap_s - 1e-9).all()
        assert (end <= sim.recording.duration - p.min_gap_s + 1e-9).all()
        assert (ev.duration > 0).all()
        assert ev.onset.is_monotonic_increasing
        assert (ev.onset.to_numpy()[1:] - end.to_numpy()[:-1] >= p.min_gap_s - 1e-9).all()
    assert not ev.subtype.isin(["ecg", "powerline", "wander"]).any()


def test_confounder_only_and_labels():
    sim = simulate("accel", 600, seed=3, confounders="all", confounder_only=True)
    assert len(sim.events) > 0
    assert (sim.events.trial_type == "other").all()
    assert set(sim.events.subtype) <= set(CONFOUNDERS["accel"])
    sim = simulate("emg", 120, seed=3, confounders="none")
    assert set(sim.events.trial_type) <= {"fasciculation-like", "dystonia-like"}


def test_bad_options():
    with pytest.raises(SimulationError):
        simulate("eeg", 10, 0)
    with pytest.raises(SimulationError):
        simulate("emg", 10, 0, confounders=["cramp_xyz"])
    with pytest.raises(SimulationError):
        simulate("accel", 10, 0, n_channels=2)
    with pytest.raises(SimulationError):
        simulate("emg", 1, 0)
    with pytest.raises(SimulationError):
        SimulationParams(muap_pp_mv=(0.5, 0.1))
    # internal errors before: a MemoryError (745 GiB at once), an OverflowError (10 ** 50000)
    with pytest.raises(SimulationError, match=r"is 3e\+11 values, over the 2e\+08"):
        simulate("accel", 1e9, 0)
    with pytest.raises(SimulationError, match="snr_db must be a number from -60 to 120 dB"):
        simulate("accel", 10, 0, snr_db=1e6)


# -- event shapes --------------------------------------------------------------------
def test_muap_duration_and_amplitude_scale():
    p = SimulationParams(fasciculation_rate_per_min=30, dystonia_rate_per_min=0, doublet_fraction=0)
    sim = simulate("emg", 60, seed=5, params=p, **TARGETS_ONLY)
    ev = sim.events
    assert len(ev) >= 10 and (ev.subtype == "muap").all()
    assert ev.duration.between(0.003, 0.0245).all()
    x = sim.recording.data
    for row in ev.itertuples():
        i0, i1 = _slice(sim, row)
        ch = int(row.channel.removeprefix("emg")) - 1
        seg = x[i0:i1, ch]
        pp = seg.max() - seg.min()
        assert 0.03 < pp < 0.6, pp  # 50-500 uV plus noise
        # the potential fills its span: big inside, only noise just around it
        around = np.concatenate((x[i0 - 40 : i0 - 5, ch], x[i1 + 5 : i1 + 40, ch]))
        assert np.ptp(around) < pp


def test_snr_definition():
    for mod in ("emg", "accel"):
        sim = simulate(
            mod,
            120,
            seed=2,
            snr_db=12.0,
            params=SimulationParams(dystonia_rate_per_min=2),
            **TARGETS_ONLY,
        )
        targets = sim.events[sim.events.trial_type != "other"]
        assert len(targets) > 3
        not_tilt = targets[targets.tilt_deg.isna()]
        np.testing.assert_allclose(not_tilt.snr_db, 12.0, atol=1e-6)
        # measured on the data: RMS over the span vs the noise floor
        row = next(not_tilt.itertuples())
        i0, i1 = _slice(sim, row)
        seg = sim.recording.data[i0:i1]
        if mod == "emg":
            ch = int(row.channel.split(",")[0].removeprefix("emg")) - 1
            meas = np.sqrt(np.mean(seg[:, ch] ** 2))
            expect = sim.noise_rms * np.sqrt(1 + 10 ** (12 / 10))
        else:
            seg = seg - np.median(seg, axis=0)
            meas = np.sqrt(np.mean(np.sum(seg**2, axis=1)))
            expect = sim.noise_rms * np.sqrt(3) * np.sqrt(1 + 10 ** (12 / 10))
        assert 0.6 * expect < meas < 1.5 * expect


def test_dystonic_tremor_in_3_8_hz():
    p = SimulationParams(
        fasciculation_rate_per_min=0,
        dystonia_rate_per_min=3,
        dystonia_mix={"dystonic_tremor": 1.0},
        tremor_freq_hz=(6.0, 6.0),
    )
    sim = simulate("accel", 120, seed=1, params=p, **TARGETS_ONLY)
    assert len(sim.events) >= 2
    for row in sim.events.itertuples():
        i0, i1 = _slice(sim, row)
        seg = signal.detrend(sim.recording.data[i0:i1], axis=0)
        f, pxx = signal.welch(seg, fs=100, nperseg=min(256, seg.shape[0]), axis=0)
        pxx = pxx.sum(axis=1)
        frac = pxx[(f >= 3) & (f <= 8)].sum() / pxx[(f >= 0.5) & (f <= 25)].sum()
        assert frac > 0.5, frac
        assert 4.5 <= f[np.argmax(pxx)] <= 7.5
    # irregular: the per-cycle amplitude varies (CV 0.3-0.6), unlike a regular tremor
    seg = sim.recording.data[_slice(sim, next(sim.events.itertuples()))[0] :][:500]
    peaks = np.abs(signal.hilbert(signal.detrend(seg[:, 0])))[50:-50]
    assert peaks.std() / peaks.mean() > 0.15


def test_emg_dystonia_cocontracts():
    p = SimulationParams(fasciculation_rate_per_min=0, dystonia_rate_per_min=3)
    sim = simulate("emg", 60, seed=4, params=p, **TARGETS_ONLY)
    assert len(sim.events) > 0
    assert (sim.events.channel == "emg1,emg2").all()
    for row in sim.events.itertuples():
        i0, i1 = _slice(sim, row)
        rms = np.sqrt(np.mean(sim.recording.data[i0:i1] ** 2, axis=0))
        assert (rms > 2 * sim.noise_rms).all()


# -- sensor model --------------------------------------------------------------------
def test_accel_in_g_with_gravity_and_quantised():
    sim = simulate("accel", 60, seed=9, confounders="none", confounder_only=True)
    rec = sim.recording
    assert rec.units == "g" and rec.fs == 100 and rec.channels == ("x", "y", "z")
    vm = np.linalg.norm(rec.data, axis=1)
    assert abs(np.median(vm) - 1.0) < 0.02
    lsb = 16 / 2**12
    np.testing.assert_allclose(rec.data / lsb, np.round(rec.data / lsb), atol=1e-9)
    assert 0.002 < np.std(np.diff(rec.data[:, 0])) / np.sqrt(2) < 0.012  # ~3-8 mg noise
    assert np.abs(rec.data).max() <= 8.0


def test_clipping_saturates():
    p = SimulationParams(confounder_rates_per_min={"clipping": 6})
    sim = simulate("accel", 30, seed=0, params=p, confounders=["clipping"], confounder_only=True)
    assert (sim.events.subtype == "clipping").any()
    assert np.isclose(np.abs(sim.recording.data).max(), 8.0, atol=0.01)


# -- files -------------------------------------------------------------------------
@pytest.mark.parametrize(("modality", "fmt"), [("accel", "csv"), ("emg", "csv"), ("emg", "npy")])
def test_round_trip_through_read(tmp_path, modality, fmt):
    sim = simulate(modality, 6, seed=11)
    paths = write_simulation(sim, tmp_path, "s", format=fmt)
    rec = movement.read(paths["data"])
    assert rec.fs == sim.recording.fs
    assert rec.modality == modality
    assert rec.units == ("g" if modality == "accel" else "mV")
    assert rec.data.shape == sim.recording.data.shape
    np.testing.assert_allclose(rec.data, sim.recording.data, rtol=1e-5, atol=1e-6)
    if fmt == "csv":
        assert rec.channels == sim.recording.channels
    side = json.loads(paths["sidecar"].read_text())
    assert side["Simulation"]["seed"] == 11 and "Channels" not in side
    truth = pd.read_csv(paths["events"], sep="\t", na_values="n/a")
    assert list(truth.columns) == list(TRUTH_COLUMNS)
    np.testing.assert_allclose(truth.onset, sim.events.onset, atol=1e-6)
    assert not list(tmp_path.glob(".*tmp"))  # no temporary files left behind


def test_cli(tmp_path, capsys):
    ap = argparse.ArgumentParser()
    cli_configure(ap)
    args = ap.parse_args(
        [
            "--modality",
            "accel",
            "--out",
            str(tmp_path),
            "--duration",
            "5",
            "--seed",
            "3",
            "--n-files",
            "2",
        ]
    )
    assert cli_run(args) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert "sim_accel_3_0.csv" in names and "sim_accel_3_1_events.tsv" in names
    a = (tmp_path / "sim_accel_3_0.csv").read_bytes()
    assert a != (tmp_path / "sim_accel_3_1.csv").read_bytes()
    args = ap.parse_args(["--modality", "emg", "--out", str(tmp_path), "--confounders", "bogus"])
    assert cli_run(args) == 2


def test_package_level_call_after_submodule_import():
    import movement.simulate as mod

    assert isinstance(movement.simulate("accel", 3, 0), mod.Simulation)


@pytest.mark.parametrize(
    "name,func", [("simulate", "simulate"), ("evaluate", "evaluate"), ("report", "write_report")]
)
def test_package_names_are_their_modules_in_any_import_order(name: str, func: str) -> None:
    """``movement.NAME`` touched first once gave the function, so the README's
    ``movement.report.write_report(...)`` raised AttributeError; now it is the module,
    callable as its function, whichever comes first (fresh interpreters)."""
    import subprocess
    import sys

    first_attribute = (
        f"import movement; m = movement.{name}; "
        f"assert callable(m) and callable(m.{func}); "
        f"import movement.{name} as mod; assert movement.{name} is mod"
    )
    first_import = (
        f"import movement.{name} as mod; import movement; "
        f"assert movement.{name} is mod and callable(movement.{name}.{func}); "
        f"from movement import {name} as again; assert again is mod"
    )
    for code in (first_attribute, first_import):
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
