"""Segment features on signals whose answer is known from physics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import accel_rest, emg_noise, muap, tilt_rotation
from scipy.ndimage import uniform_filter1d

import movement
from movement import Recording
from movement.config import AccelConfig, EMGConfig
from movement.features import FEATURES, segment_features, spectral_features
from movement.preprocess import preprocess
from movement.segment import segment
from movement.simulate import simulate


def _features(x: np.ndarray, fs: float, modality: str) -> pd.DataFrame:
    cfg = EMGConfig() if modality == "emg" else AccelConfig()
    rec = Recording(x, fs=fs, modality=modality)
    pre = preprocess(rec, cfg)
    return segment_features(pre, segment(pre, cfg), cfg, modality, rec.duration)


def _spec(x: np.ndarray, fs: float, start: int, stop: int) -> dict[str, float]:
    f = spectral_features(
        x[:, None] if x.ndim == 1 else x,
        fs,
        np.array([start]),
        np.array([stop]),
        (0.5, 15.0),
        (3.0, 8.0),
        2.0,
        8.0,
    )
    return {k: float(v[0]) for k, v in f.items()}


@pytest.mark.parametrize("freq", [4.0, 6.0, 9.5])
def test_spectral_features_of_a_pure_tone(freq: float) -> None:
    fs = 100.0
    t = np.arange(3000) / fs
    f = _spec(np.sin(2 * np.pi * freq * t), fs, 1000, 1600)
    # 6 s window: resolution 1/6 Hz, so +- 0.5 Hz is generous
    assert f["dominant_frequency_hz"] == pytest.approx(freq, abs=0.5)
    assert f["peak_power_ratio"] > 0.9
    assert f["regularity"] > 0.9
    assert f["spectral_entropy"] < 0.5  # white noise: > 0.85 (below)
    assert f["tremor_band_ratio"] == pytest.approx(1.0 if 3 <= freq <= 8 else 0.0, abs=0.05)


def test_long_segment_window_is_cut_from_its_start_or_around_its_centre() -> None:
    """Longer than max_len_s: the first 8 s by default, the central 8 s with ``centred``."""
    fs = 100.0
    t = np.arange(int(30 * fs)) / fs
    x = np.where(t < 12, np.sin(2 * np.pi * 4 * t), np.sin(2 * np.pi * 7 * t))[:, None]
    args = (x, fs, np.array([0]), np.array([x.shape[0]]), (0.5, 15.0), (3.0, 8.0), 2.0, 8.0)
    assert spectral_features(*args)["dominant_frequency_hz"][0] == pytest.approx(4.0, abs=0.2)
    f = spectral_features(*args, centred=True)["dominant_frequency_hz"][0]
    assert f == pytest.approx(7.0, abs=0.2)


def test_white_noise_is_flat_and_irregular(rng) -> None:
    f = _spec(rng.normal(size=3000), 100.0, 1000, 1800)
    assert f["spectral_entropy"] > 0.85
    assert f["peak_power_ratio"] < 0.2
    assert f["regularity"] < 0.3


def test_short_segment_window_is_widened_to_the_minimum() -> None:
    fs = 100.0
    t = np.arange(3000) / fs
    # a 0.2 s segment inside a 6 Hz oscillation is analysed over >= 2 s around its centre
    f = _spec(np.sin(2 * np.pi * 6.0 * t), fs, 1500, 1520)
    assert f["dominant_frequency_hz"] == pytest.approx(6.0, abs=0.5)


def test_6_hz_accel_segment_reports_6_hz(rng) -> None:
    fs = 100.0
    x = accel_rest(rng, fs, 90.0)
    t = np.arange(len(x)) / fs
    bout = (t >= 30) & (t < 40)
    x[bout, 1] += 0.03 * np.sin(2 * np.pi * 6.0 * t[bout])
    feats = _features(x, fs, "accel")
    assert len(feats) == 1
    row = feats.iloc[0]
    assert row["dominant_frequency_hz"] == pytest.approx(6.0, abs=0.5)
    assert row["regularity"] > 0.8
    # peak of the dynamic vector magnitude = the oscillation amplitude (0.03 g)
    assert row["peak_amplitude"] == pytest.approx(0.03, rel=0.2)
    assert row["tilt_change_deg"] < 2.0
    assert not row["clipped"]


def _tilt_recording(rng, fs: float, total_s: float, on_s: float, off_s: float | None):
    """Still forearm that turns by 30 deg within 0.5 s at ``on_s`` and holds it (until ``off_s``)."""
    n = int(total_s * fs)
    t = np.arange(n) / fs
    held = (t >= on_s) & ((t < off_s) if off_s is not None else True)
    ang = uniform_filter1d(np.where(held, np.radians(30.0), 0.0), int(0.5 * fs))
    return tilt_rotation(ang) + rng.normal(0, 0.002, (n, 3))


# zero-phase 0.25 Hz gravity low-pass: a step leaks into the dynamic part up to one period early
GRAVITY_SMEAR_S = 4.0


def test_held_30_degree_tilt_is_seen(rng) -> None:
    fs = 50.0
    feats = _features(_tilt_recording(rng, fs, 180.0, 120.0, None), fs, "accel")
    at_tilt = feats[(feats["onset"] - 120.0).abs() <= GRAVITY_SMEAR_S]
    assert len(at_tilt) == 1
    # gravity direction 2 s before vs 2 s after the event: the held angle
    assert at_tilt.iloc[0]["tilt_change_deg"] == pytest.approx(30.0, abs=3.0)
    assert (feats["onset"] >= 120.0 - GRAVITY_SMEAR_S).all()  # nothing during the still part


def test_held_then_released_tilt_reports_the_held_angle(rng) -> None:
    fs = 50.0
    feats = _features(_tilt_recording(rng, fs, 180.0, 60.0, 90.0), fs, "accel")
    near = feats[
        (feats["onset"] <= 90.0 + GRAVITY_SMEAR_S)
        & (feats["onset"] + feats["duration"] >= 60.0 - GRAVITY_SMEAR_S)
    ]
    assert len(near) >= 1
    # the posture held during the event, measured against the direction before it
    assert near["tilt_held_deg"].max() == pytest.approx(30.0, abs=3.0)


def test_emg_spike_features(rng) -> None:
    fs = 2000.0
    x = emg_noise(rng, fs, 20.0, sd=0.01)
    for t0 in (5.0, 12.0):
        i = int(t0 * fs)
        x[i : i + 30, 0] += muap(fs, 0.015, 0.5)
    feats = _features(x, fs, "emg")
    assert len(feats) == 2
    # after the 20-450 Hz band-pass most of a 15 ms spike's peak is kept
    assert (feats["peak_amplitude"] > 0.25).all() and (feats["peak_amplitude"] < 0.8).all()
    assert (feats["snr_db"] > 20).all()
    # isolation: time to the other spike (~7 s) or to the recording's edge (5 s / 8 s)
    np.testing.assert_allclose(feats["isolation_s"], [5.0, 7.0], atol=0.1)
    assert (feats["n_channels_active"] == 1).all()
    assert set(FEATURES) <= set(feats.columns)


def test_cocontraction_identical_vs_alternating(rng) -> None:
    fs = 1000.0
    x = emg_noise(rng, fs, 30.0, k=2)
    burst = rng.normal(0, 0.1, 5000)
    x[10_000:15_000, 0] += burst
    x[10_000:15_000, 1] += rng.normal(0, 0.1, 5000)
    both = _features(x, fs, "emg")
    assert len(both) == 1
    # the same activation profile on both channels: %COCON near 1
    assert both.iloc[0]["cocontraction"] > 0.8

    y = emg_noise(rng, fs, 30.0, k=2)
    y[10_000:12_500, 0] += rng.normal(0, 0.1, 2500)
    y[12_500:15_000, 1] += rng.normal(0, 0.1, 2500)
    alt = _features(y, fs, "emg")
    # reciprocal (alternating) activation: little common area
    assert (alt["cocontraction"] < 0.3).all()


def test_subbursts_of_a_regular_burst_train(rng) -> None:
    fs = 1000.0
    x = emg_noise(rng, fs, 30.0)
    # 10 bursts of 100 ms every 250 ms (4 Hz): one sustained event with 10 sub-bursts
    for k in range(10):
        i = 10_000 + k * 250
        x[i : i + 100, 0] += rng.normal(0, 0.2, 100)
    feats = _features(x, fs, "emg")
    sustained = feats[feats["scale"] == "sustained"]
    assert len(sustained) == 1
    row = sustained.iloc[0]
    assert row["n_subbursts"] == 10
    assert row["subburst_cv"] < 0.1
    assert row["dominant_frequency_hz"] == pytest.approx(4.0, abs=0.5)


def test_emg_median_frequency_of_band_limited_noise(rng) -> None:
    from scipy import signal

    fs = 2000.0
    x = emg_noise(rng, fs, 20.0, sd=0.005)
    sos = signal.butter(4, [60, 140], btype="bandpass", fs=fs, output="sos")
    x[16_000:22_000, 0] += signal.sosfiltfilt(sos, rng.normal(0, 0.5, 6000))
    feats = _features(x, fs, "emg")
    sustained = feats[feats["scale"] == "sustained"]
    assert len(sustained) == 1
    # activity in 60-140 Hz: its median frequency lies near the band centre
    assert 80 <= sustained.iloc[0]["median_frequency_hz"] <= 120


def test_no_segments_gives_empty_feature_columns(rng) -> None:
    feats = _features(emg_noise(rng, 1000.0, 10.0), 1000.0, "emg")
    assert len(feats) == 0 and set(FEATURES) <= set(feats.columns)


def test_tilt_hold_fraction_tells_a_held_tilt_from_a_reach_out_and_back() -> None:
    """A ramp-hold-ramp tilt sits near its peak most of the time; a min-jerk reach does not."""
    from movement.features import _tilt_hold

    fs = 50.0
    n = int(30 * fs)
    t = np.arange(n) / fs

    def orient(profile: np.ndarray) -> np.ndarray:
        return tilt_rotation(np.radians(25.0) * profile)[:, None, :]

    def minjerk(s: np.ndarray) -> np.ndarray:
        s = np.clip(s, 0, 1)
        return s**3 * (10 - 15 * s + 6 * s**2)

    held = minjerk((t - 10) / 0.3) * minjerk((15 - t) / 0.3)  # 5 s, 0.3 s ramps
    reach = minjerk((t - 10) / 1.35) * minjerk((13 - t) / 1.35)  # 3 s out and back
    start, stop = np.array([int(10 * fs)]), np.array([int(15 * fs)])
    h = _tilt_hold(orient(held), np.array([0]), start, stop, fs)[0]
    r = _tilt_hold(orient(reach), np.array([0]), start, np.array([int(13 * fs)]), fs)[0]
    assert h > 0.9
    assert r < AccelConfig().posture_hold_fraction < h


def test_short_spasm_tilt_is_measured_on_the_sharp_orientation(rng) -> None:
    """A 2 s, 25 deg spasm: tilt_held_deg reads ~25 deg (a 0.25 Hz gravity reads much less)."""
    fs = 100.0
    n = int(120 * fs)
    t = np.arange(n) / fs
    ang = np.radians(25.0) * np.clip((t - 60) / 0.1, 0, 1) * np.clip((62 - t) / 0.2, 0, 1)
    x = tilt_rotation(ang) + rng.normal(0, 0.002, (n, 3))
    x += (0.01 * np.sin(2 * np.pi * 7 * t) * ((t > 60) & (t < 62)))[:, None]  # tremulous
    from movement.features import _tilts

    cfg = AccelConfig()
    pre = preprocess(Recording(x, fs=fs, modality="accel"), cfg)
    feats = segment_features(pre, segment(pre, cfg), cfg, "accel", n / fs)
    sus = feats[(feats["onset"] - 60).abs() < 0.5]
    assert len(sus) == 1
    assert sus["tilt_held_deg"].iloc[0] == pytest.approx(25.0, abs=4.0)
    s0, s1 = sus["start"].to_numpy(), sus["stop"].to_numpy()
    smeared = _tilts(pre.gravity, np.array([0]), s0, s1, fs)[1][0]
    assert smeared < sus["tilt_held_deg"].iloc[0] - 5.0


@pytest.mark.parametrize(("leak", "expected"), [(0.2, 1), (0.8, 2)])
def test_weak_copy_on_a_neighbour_is_cross_talk_not_an_active_site(rng, leak, expected) -> None:
    """A potential volume-conducted to a neighbour at 20 % is local; at 80 % it is not."""
    fs = 2000.0
    x = emg_noise(rng, fs, 20.0, k=2, sd=0.002)
    i = int(8.0 * fs)
    wave = muap(fs, 0.012, 0.5)
    x[i : i + len(wave), 0] += wave
    x[i : i + len(wave), 1] += leak * wave
    feats = _features(x, fs, "emg")
    brief = feats[feats["scale"] == "brief"]
    assert len(brief) == 1
    assert brief["n_channels_active"].iloc[0] == expected


def test_beat_neighbours_finds_a_sparsely_detected_heartbeat() -> None:
    """QRS detections skip beats (1, 2, 3... beats apart); Poisson-like events hold no rhythm."""
    from movement.features import _beat_neighbours

    rng = np.random.default_rng(3)
    rr = rng.normal(0.85, 0.025, 400)  # ~70 beats/min, a few % beat-to-beat variation
    beats = np.cumsum(rr)
    detected = beats[rng.random(beats.size) < 0.3]  # near threshold: ~30 % of QRS detected
    bn = _beat_neighbours(detected)
    assert np.mean(bn == 2) > 0.8
    poisson = np.cumsum(rng.exponential(3.0, 100))  # fasciculation-like timing (ISI CV ~1)
    assert np.all(np.isnan(_beat_neighbours(poisson)))
    # an event off the beat among detected beats has neither neighbour on it
    mixed = np.sort(np.concatenate([detected, [detected[40] + 0.4 * 0.85]]))
    i = int(np.searchsorted(mixed, detected[40] + 0.4 * 0.85))
    assert _beat_neighbours(mixed)[i] == 0


def _seg_reduce_in_start_order(
    ufunc: np.ufunc, x: np.ndarray, start: np.ndarray, stop: np.ndarray
) -> np.ndarray:
    """The previous ``_seg_reduce``: interleaved bounds in the given order (the stretches
    between windows reduced too), windows to the end reduced alone."""
    idx = np.column_stack([start, np.maximum(stop, start + 1)]).ravel()
    if idx[-1] >= x.shape[0]:
        idx = idx[:-1]
    over = np.flatnonzero(idx >= x.shape[0])
    idx[over] = idx[over - 1]
    out = ufunc.reduceat(x, idx)[::2]
    for i in over:
        out[i // 2] = ufunc.reduceat(x, idx[i - 1 : i])[0]
    return out


def test_seg_reduce_by_decreasing_start_gives_the_same_values(rng) -> None:
    """Windows taken by decreasing start (only their samples read) reduce to the values of
    the windows taken in the given order, bit for bit: strided and contiguous signals,
    overlapping, empty and end-reaching windows, sums and maxima."""
    from movement.features import _seg_reduce

    for trial in range(400):
        n = int(rng.integers(1, 2000))
        x = rng.normal(size=(n, 3))[:, int(rng.integers(0, 3))]
        if trial % 3 == 0:
            x = np.ascontiguousarray(x)
        m = int(rng.integers(1, 30))
        start = rng.integers(0, n, m)
        stop = start + rng.integers(-3, 1500, m)
        if trial % 4 == 0:
            stop[rng.random(m) < 0.3] = n + int(rng.integers(0, 3))
        for uf in (np.add, np.maximum):
            ref = _seg_reduce_in_start_order(uf, x, start, stop)
            got = _seg_reduce(uf, x, start, stop)
            assert got.dtype == ref.dtype and np.array_equal(got, ref)
    assert _seg_reduce(np.add, np.ones(5), np.zeros(0, int), np.zeros(0, int)).shape == (0,)


def _sawtooth(t: np.ndarray, f0: float, rng: np.random.Generator, jitter: float) -> np.ndarray:
    """A tremor whose cycle frequency wanders by +-``jitter`` Hz (dystonic tremor)."""
    f = f0 + jitter * np.repeat(rng.uniform(-1, 1, size=len(t) // 10 + 1), 10)[: len(t)]
    ph = 2 * np.pi * np.cumsum(f) / 100.0
    return np.sin(ph) + np.sin(2 * ph) / 2 + np.sin(3 * ph) / 3


def test_gait_fraction_tells_walking_from_tremor(rng) -> None:
    """Steps (1.8/s, with the stride's sway at half that rate) are gait in every window;
    3-8 Hz tremor, regular or wandering by +-1 Hz, in none; a segment shorter than the
    shortest walking bout is not measured."""
    from movement.features import gait_fraction

    fs, n = 100.0, 3000  # 30 s each
    t = np.arange(n) / fs
    steps = np.sin(2 * np.pi * 1.8 * t) + 0.3 * np.sin(2 * np.pi * 0.9 * t + 1.0)
    walk = np.column_stack([steps, 0.6 * steps, np.zeros(n)]) * 0.2
    parts = [walk]
    for f0, jitter in ((3.0, 1.0), (5.0, 1.0), (6.0, 0.0)):
        trem = _sawtooth(t, f0, rng, jitter)
        parts.append(np.column_stack([trem, 0.3 * trem, np.zeros(n)]) * 0.1)
    x = np.concatenate(parts) + 0.005 * rng.standard_normal((4 * n, 3))
    start = np.arange(4) * n
    stop = start + n
    g = gait_fraction(x, fs, start, stop, 5.0, 10.0, (0.5, 2.5), (1.4, 2.5), 0.5, 0.2)
    assert g[0] == 1.0
    np.testing.assert_array_equal(g[1:], 0.0)
    short = gait_fraction(
        x, fs, np.array([0]), np.array([900]), 5.0, 10.0, (0.5, 2.5), (1.4, 2.5), 0.5, 0.2
    )
    assert np.isnan(short[0])


def test_gait_fraction_counts_the_walking_share_of_a_segment(rng) -> None:
    """A segment half walking, half standing still reads about half gait."""
    from movement.features import gait_fraction

    fs = 100.0
    t = np.arange(4000) / fs
    steps = np.sin(2 * np.pi * 1.7 * t)
    x = 0.005 * rng.standard_normal((8000, 3))
    x[:4000, 0] += 0.2 * steps
    g = gait_fraction(
        x, fs, np.array([0]), np.array([8000]), 5.0, 10.0, (0.5, 2.5), (1.4, 2.5), 0.5, 0.2
    )
    assert g[0] == 0.5


def test_gait_fraction_is_a_feature_of_long_accelerometer_segments_only() -> None:
    """In the pipeline: a simulated walking bout is measured (and called other), short
    events are not; EMG never is."""
    sim = simulate("accel", 120.0, seed=4, confounders=["walking"], confounder_only=True)
    ev = movement.score(sim.recording)
    walk = sim.events[sim.events["subtype"] == "walking"].iloc[0]  # 35 s from 1.8 s
    over = ev[
        (ev["onset"] < walk.onset + walk.duration) & (ev["onset"] + ev["duration"] > walk.onset)
    ]
    long = over[over["duration"] >= 10.0]
    assert len(long) and (long["gait_fraction"] >= 0.5).all()
    assert (long["trial_type"] == "other").all()
    assert ev.loc[ev["duration"] < 10.0, "gait_fraction"].isna().all()
    emg = movement.score(simulate("emg", 20.0, seed=3).recording)
    assert emg["gait_fraction"].isna().all()
