"""Preprocessing: filters, envelopes and the gravity/tilt split on signals with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import accel_rest, tilt_rotation

from movement import Recording
from movement.config import AccelConfig, EMGConfig
from movement.preprocess import (
    bandpass,
    clipping_mask,
    gravity_split,
    lowpass,
    moving_rms,
    notch,
    preprocess,
    tilt_angle,
    tkeo,
    vector_magnitude,
)


def _sine(f: float, fs: float, seconds: float, amp: float = 1.0) -> np.ndarray:
    t = np.arange(int(seconds * fs)) / fs
    return amp * np.sin(2 * np.pi * f * t)


def _gain(y: np.ndarray, x: np.ndarray, edge: int) -> float:
    """Steady-state amplitude ratio (away from the filter edges)."""
    return float(np.std(y[edge:-edge]) / np.std(x[edge:-edge]))


@pytest.mark.parametrize(
    ("f", "passes"), [(5.0, False), (100.0, True), (300.0, True), (900.0, False)]
)
def test_emg_bandpass_20_450_hz(f: float, passes: bool) -> None:
    fs = 2000.0
    x = _sine(f, fs, 4.0)
    g = _gain(bandpass(x, fs, 20, 450), x, 1000)
    # zero-phase 4th-order Butterworth: ~1 in the pass band, < 0.1 two octaves below / one above
    assert (g > 0.95) if passes else (g < 0.1)


def test_bandpass_high_edge_capped_below_nyquist() -> None:
    fs = 200.0  # a Myo armband: 20-450 Hz becomes 20-90 Hz
    x = _sine(60.0, fs, 5.0)
    assert _gain(bandpass(x, fs, 20, 450), x, 200) > 0.9
    y = bandpass(_sine(5.0, fs, 5.0), fs, 20, 450)
    assert np.std(y[200:-200]) < 0.05


def test_lowpass_and_notch() -> None:
    fs = 1000.0
    slow, hum = _sine(2.0, fs, 4.0), _sine(50.0, fs, 4.0, 0.5)
    y = lowpass(slow + hum, fs, 10.0)
    np.testing.assert_allclose(y[500:-500], slow[500:-500], atol=0.01)
    z = notch(slow + hum + _sine(150.0, fs, 4.0, 0.3), fs, 50.0)
    # mains and its harmonic removed, the slow signal kept
    np.testing.assert_allclose(z[1000:-1000], slow[1000:-1000], atol=0.03)


def test_a_notch_at_or_above_048_fs_is_skipped_and_said(rng) -> None:
    """The notch is not applied at or above 0.48 fs; that was silent, and is now in the
    events' notes, as a band edge capped at 0.45 fs is."""
    import movement
    from movement.pipeline import applied_settings

    fs = 100.0  # (a low-rate EMG sensor and a 60 Hz mains notch)
    x = _sine(50.0, fs, 4.0)
    assert notch(x, fs, 50.0) is x  # skipped (the filtering is unchanged)
    assert applied_settings(EMGConfig(notch_hz=50.0), fs)["notch_hz"] == (
        "notch_hz 50 Hz not applied (at or above 0.48 x 100 Hz)"
    )
    assert "notch_hz" not in applied_settings(EMGConfig(notch_hz=47.9), fs)  # applied
    assert "notch_hz" not in applied_settings(EMGConfig(notch_hz=50.0), 1000.0)
    assert "notch_hz" not in applied_settings(EMGConfig(), fs)  # none asked for
    rec = Recording(rng.normal(0.0, 0.01, (6000, 1)), fs=fs, modality="emg")
    for stream in (False, True):  # (in memory and window by window alike)
        ev = movement.score(rec, EMGConfig(notch_hz=60.0), model="rules", stream=stream)
        assert ev.attrs["notes"]["notch_hz"].startswith("notch_hz 60 Hz not applied")


@pytest.mark.parametrize("n", [6000, 6001, 6003, 30_000])
def test_decimated_lowpass_matches_full_rate_and_keeps_layout(rng, n: int) -> None:
    # a slow posture drift plus tremor (6 Hz) and twitch-band (18 Hz) oscillation and noise
    fs = 100.0
    t = np.arange(n) / fs
    x = np.column_stack(
        [
            0.5 * np.sin(2 * np.pi * 0.05 * t) + 0.3 * np.sin(2 * np.pi * 6 * t),
            0.2 * np.cos(2 * np.pi * 0.1 * t) + 0.1 * np.sin(2 * np.pi * 18 * t),
            1.0 + 0.05 * rng.standard_normal(n),
        ]
    )
    full = lowpass(x, fs, 0.25, order=2)
    fast = lowpass(x, fs, 0.25, order=2, decimate=True)
    assert fast.shape == x.shape and fast.T.flags.c_contiguous  # channels-first, as full
    edge = int(10 * fs)  # the two filters' paddings differ at the ends
    np.testing.assert_allclose(fast[edge:-edge], full[edge:-edge], atol=2e-3)
    # 1-D input, and a cut-off too high to decimate at this rate: the full-rate filter
    np.testing.assert_allclose(
        lowpass(x[:, 0], fs, 0.25, 2, decimate=True), fast[:, 0], rtol=0, atol=1e-12
    )
    np.testing.assert_array_equal(lowpass(x, fs, 5.0, 2, decimate=True), lowpass(x, fs, 5.0, 2))


def test_decimated_lowpass_is_block_means_filtered_and_interpolated(rng) -> None:
    from scipy import signal

    fs, q, n = 100.0, 4, 1003  # a partial last block of 3 samples
    x = rng.standard_normal((n, 2)).cumsum(axis=0)
    starts = np.arange(0, n, q)
    blocks = np.array([x[a : a + q].mean(axis=0) for a in starts])
    centres = np.array([a + (min(q, n - a) - 1) / 2 for a in starts])
    sos = signal.butter(2, 0.25, btype="lowpass", fs=fs / q, output="sos")
    y = signal.sosfiltfilt(sos, blocks, axis=0)
    ref = np.column_stack([np.interp(np.arange(n), centres, y[:, c]) for c in range(2)])
    np.testing.assert_allclose(lowpass(x, fs, 0.25, 2, decimate=True), ref, rtol=0, atol=1e-9)


def test_tkeo_of_a_sine_is_constant() -> None:
    # for x = A sin(w n): x[n]^2 - x[n-1] x[n+1] = A^2 sin^2(w) exactly
    fs, f, amp = 1000.0, 50.0, 2.0
    y = tkeo(_sine(f, fs, 1.0, amp))
    expected = amp**2 * np.sin(2 * np.pi * f / fs) ** 2
    np.testing.assert_allclose(y, expected, rtol=1e-9, atol=1e-12)


def test_moving_rms_of_a_sine_is_amplitude_over_root_two() -> None:
    fs = 1000.0
    x = _sine(10.0, fs, 2.0, 3.0)[:, None]
    r = moving_rms(x, fs, 0.5)  # a whole number of periods
    np.testing.assert_allclose(r[300:-300, 0], 3.0 / np.sqrt(2), rtol=1e-3)


def test_gravity_split_separates_posture_from_tremor() -> None:
    fs = 100.0
    g = np.tile([0.0, 0.0, 1.0], (3000, 1))
    tremor = np.column_stack([_sine(6.0, fs, 30.0, 0.05), np.zeros(3000), np.zeros(3000)])
    grav, dyn = gravity_split(g + tremor, fs, cutoff=0.25, high=20.0)
    core = slice(500, -500)
    np.testing.assert_allclose(grav[core], g[core], atol=2e-3)
    np.testing.assert_allclose(dyn[core], tremor[core], atol=3e-3)


def test_tilt_angle_of_a_held_30_degree_tilt() -> None:
    ang = np.radians(np.r_[np.zeros(100), np.full(100, 30.0)])
    tilt = tilt_angle(tilt_rotation(ang), reference=np.array([0, 0, 1.0]))
    np.testing.assert_allclose(tilt[:100], 0.0, atol=1e-6)
    np.testing.assert_allclose(tilt[100:], 30.0, atol=1e-6)
    assert vector_magnitude(np.array([[3.0, 4.0, 0.0]]))[0] == pytest.approx(5.0)


def test_clipping_mask_flat_top_or_level() -> None:
    x = np.sin(np.linspace(0, 20, 1000))[:, None] * 3
    x = np.clip(x, -2, 2)
    m = clipping_mask(x)
    assert m.sum() == (np.abs(x[:, 0]) >= 2).sum()
    assert not clipping_mask(np.sin(np.linspace(0, 20, 1000))[:, None]).all()
    assert clipping_mask(x, level=1.9).sum() == (np.abs(x[:, 0]) >= 1.9).sum()


def test_preprocess_emg_envelopes_and_gaps(rng) -> None:
    fs = 1000.0
    x = rng.normal(0, 0.01, (5000, 2))
    x[2000:2500, 0] += rng.normal(0, 0.2, 500)
    x[4000:4100, :] = np.nan
    pre = preprocess(Recording(x, fs=fs, modality="emg"), EMGConfig())
    assert pre.sites == ("ch1", "ch2")
    assert pre.signal.shape == (5000, 2) and pre.oscill.shape == (5000, 2, 1)
    assert pre.gravity is None
    assert pre.gaps.sum() == 100
    assert np.all(pre.brief[4000:4100] == 0) and np.all(pre.sustained[4000:4100] == 0)
    # the burst raises the sustained envelope ~20x over rest on ch1 only
    assert pre.sustained[2200:2300, 0].mean() > 10 * pre.sustained[500:1500, 0].mean()
    assert pre.sustained[2200:2300, 1].mean() < 2 * pre.sustained[500:1500, 1].mean()


def test_preprocess_accel_groups_sensors_into_xyz_sites(rng) -> None:
    fs = 50.0
    x = np.column_stack([accel_rest(rng, fs, 20.0), accel_rest(rng, fs, 20.0)])
    pre = preprocess(Recording(x, fs=fs, modality="accel"), AccelConfig())
    assert pre.sites == ("ch1+ch2+ch3", "ch4+ch5+ch6")
    assert pre.gravity is not None and pre.gravity.shape == (1000, 2, 3)
    np.testing.assert_allclose(pre.gravity[100:-100, :, 2], 1.0, atol=0.01)
    rec = Recording(accel_rest(rng, fs, 20.0), fs=fs, modality="accel")
    assert preprocess(rec, AccelConfig()).sites == ("xyz",)


# --------------------------------------------------------------------------- ECG removal


def _ecg_emg(
    seconds: float = 60.0, fs: float = 2000.0, bpm: float = 72.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two channels of sensor noise plus a QRS train (opposite polarity on channel 2)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * fs)
    rr = rng.normal(60.0 / bpm, 0.02 * 60.0 / bpm, int(seconds * bpm / 60) + 2)
    beats = np.round((0.5 + np.cumsum(rr)) * fs).astype(int)
    beats = beats[beats < n - int(0.3 * fs)]
    tt = np.arange(-int(0.05 * fs), int(0.05 * fs)) / fs
    # a QRS of another shape than the simulator's (Q and S deeper, R narrower)
    qrs = np.exp(-((tt / 0.007) ** 2) / 2) - 0.3 * np.exp(-(((tt + 0.02) / 0.006) ** 2) / 2)
    qrs -= 0.4 * np.exp(-(((tt - 0.022) / 0.007) ** 2) / 2)
    ecg = np.zeros(n)
    idx = beats[:, None] + np.arange(-len(tt) // 2, len(tt) // 2)[None, :]
    ecg[idx] += np.broadcast_to(qrs, idx.shape)
    x = 0.003 * rng.standard_normal((n, 2)) + np.outer(ecg, [0.1, -0.06])
    return x, beats


def test_ecg_beats_found_on_a_contaminated_signal() -> None:
    from movement.preprocess import ecg_beats

    x, beats = _ecg_emg()
    found = ecg_beats(x, 2000.0)
    assert abs(len(found) - len(beats)) <= 2
    # every true beat has a detection within 10 ms
    d = np.abs(found[:, None] - beats[None, :]).min(axis=0)
    assert np.mean(d <= 20) >= 0.95


def test_ecg_removal_leaves_a_signal_without_ecg_unchanged() -> None:
    from movement.simulate import simulate

    for conf in (["walking"], ["regular_tremor"], ["motion_artefact"]):
        rec = simulate("emg", 60, seed=3, confounders=conf).recording
        on = preprocess(rec, EMGConfig(ecg_removal=True))
        off = preprocess(rec, EMGConfig(ecg_removal=False))
        assert np.array_equal(on.signal, off.signal)
        assert np.array_equal(on.brief, off.brief)


def test_ecg_removed_and_a_twitch_on_a_beat_kept() -> None:
    fs = 2000.0
    x, beats = _ecg_emg()
    k = beats[len(beats) // 2]
    t = np.arange(int(0.006 * fs)) / fs
    muap = 0.05 * np.sin(2 * np.pi * t / 0.006) * np.hanning(len(t))  # a 6 ms biphasic MUAP
    x[k - 4 : k - 4 + len(t), 0] += muap
    rec = Recording(x, fs, "emg", ("a", "b"))
    on = preprocess(rec, EMGConfig(ecg_removal=True)).signal
    off = preprocess(rec, EMGConfig(ecg_removal=False)).signal
    far = np.abs(beats[2:-2] - k) > 4000
    others = (beats[2:-2, None] + np.arange(-100, 200)[None, :])[far]
    between = (beats[2:-2, None] + np.arange(700, 1000)[None, :])[far]  # 0.35-0.5 s after
    noise = np.sqrt(np.mean(off[between] ** 2))
    # QRS residue at the other beats: down to the noise from well above it
    assert np.sqrt(np.mean(off[others] ** 2)) > 2 * noise
    assert np.sqrt(np.mean(on[others] ** 2)) < 1.2 * noise
    # the twitch on the beat: its peak survives (within 20 % of the twitch alone)
    ref = bandpass(np.r_[np.zeros(100), muap, np.zeros(100)], fs, 30.0, 450.0)
    win = slice(k - 20, k + 30)
    assert abs(np.abs(on[win, 0]).max() / np.abs(ref).max() - 1) < 0.2


def test_a_large_twitch_on_a_beat_is_not_copied_onto_its_neighbours() -> None:
    """A beat holding a twitch is left out of the neighbouring beats' templates."""
    fs = 2000.0
    x, beats = _ecg_emg(seed=1)
    k = beats[len(beats) // 2]
    t = np.arange(int(0.006 * fs)) / fs
    x[k : k + len(t), 0] += 1.0 * np.sin(2 * np.pi * t / 0.006) * np.hanning(len(t))
    rec = Recording(x, fs, "emg", ("a", "b"))
    on = preprocess(rec, EMGConfig(ecg_removal=True)).signal[:, 0]
    i = int(np.searchsorted(beats, k))
    near = beats[i - 4 : i + 5][np.arange(9) != 4]  # the 4 beats either side
    between = (beats[2:-2, None] + np.arange(700, 1000)[None, :]).ravel()
    noise = np.sqrt(np.mean(on[between] ** 2))
    window = near[:, None] + np.arange(-40, 60)[None, :]
    assert np.abs(on[window]).max() < 5 * noise
    assert np.abs(on[k - 20 : k + 40]).max() > 0.5


def test_emg_brief_envelope_is_computed_when_first_read(rng) -> None:
    """The lazily computed brief envelope equals TKEO + moving RMS (gaps at 0)."""
    fs = 2000.0
    x = rng.normal(0, 0.01, (int(5 * fs), 2))
    x[3000:3100] = np.nan
    cfg = EMGConfig()
    pre = preprocess(Recording(x, fs=fs, modality="emg"), cfg)
    assert callable(pre._brief)  # not computed by preprocessing
    te = np.sqrt(np.abs(tkeo(pre.signal)))
    want = moving_rms(te, fs, max(cfg.brief_rms_s, 5 / fs))
    want[pre.gaps] = 0.0
    assert np.array_equal(pre.brief, want)
    assert pre.brief is pre.brief  # computed once


def test_speed_helpers_equal_numpy(rng) -> None:
    """_median0, _growing_medians, the chunked squared cumulative sum and running_median's
    long-window path give numpy's values exactly."""
    import pandas as pd

    from movement.preprocess import _cumsum0, _growing_medians, _median0, running_median

    for n, k in ((1 << 15, 1), (40_001, 2), (5_000, 3)):
        for x in (rng.normal(size=(n, k)), rng.standard_cauchy((n, k)), rng.integers(0, 4, (n, k))):
            x = np.asarray(x, dtype=float)
            assert np.array_equal(_median0(x), np.median(x, axis=0))
    a = rng.normal(size=(40, 3))
    want = np.stack([np.median(a[: i + 20 + 1], axis=0) for i in range(20)])
    assert np.array_equal(_growing_medians(a, 20), want)
    for x in (rng.normal(size=(200_001, 1)), rng.normal(size=(3, 70_000)).T):
        c = _cumsum0(x, square=True)
        assert np.array_equal(c[1:], np.cumsum(x**2, axis=0)) and np.all(c[0] == 0)
    # the long window (10 s at 400 Hz) against the median of the 0.2 s means directly
    fs = 400.0
    x = rng.normal(size=(24_000, 1)) ** 3
    out = running_median(x, fs, 10.0)
    sub = 40
    means = x[: len(x) // sub * sub].reshape(-1, sub).mean(axis=1)
    pairs = (means[:-1] + means[1:]) / 2
    med = pd.Series(pairs).rolling(101, center=True, min_periods=1).median().to_numpy()
    centres = (np.arange(len(pairs)) + 1) * sub - 0.5
    assert np.allclose(out[:, 0], np.interp(np.arange(len(x)), centres, med), atol=1e-12)


def test_emg_periodicity_and_low_band_are_computed_when_first_read() -> None:
    from movement.config import EMGConfig
    from movement.preprocess import _emg_lowband, _emg_oscill, lowband_rms, preprocess
    from movement.simulate import simulate

    rec = simulate("emg", 20.0, 4, confounders="all").recording
    cfg = EMGConfig()
    pre = preprocess(rec, cfg)
    assert callable(pre._oscill) and callable(pre._lowband)  # not computed yet
    osc = pre.oscill
    assert pre.oscill is osc and not callable(pre._oscill)  # computed once, kept
    assert np.array_equal(osc, _emg_oscill(pre.signal, rec.fs))
    x = rec.data - np.median(rec.data, axis=0)
    lo, hi = cfg.artefact_band_hz
    assert np.allclose(pre.lowband, lowband_rms(x, rec.fs, lo, hi, 0.1), rtol=0, atol=1e-12)
    assert np.array_equal(pre.lowband, _emg_lowband(x, rec.fs, lo, hi, pre.gaps))


def test_running_median_interpolation_is_the_elementwise_formula(rng) -> None:
    """The matrix product that interpolates running_median between its centres gives the
    bits of ``frac * (v[j + 1] - v[j]) + v[j]`` (rounded product, then sum), also for
    the values a product with zeros would spoil (NaN, infinities)."""
    from movement.preprocess import _interpolate_blocks

    for nb, sub, k in ((5000, 10, 3), (777, 4, 1), (300, 40, 6), (1, 10, 3)):
        frac = (np.arange(sub) + 0.5) / sub
        for v in (
            rng.normal(size=(nb + 1, k)) * 10.0 ** rng.integers(-8, 8, (1, k)),
            np.cumsum(rng.normal(size=(nb + 1, k)), axis=0) + 1.0,
        ):
            want = frac[None, :, None] * (v[1:] - v[:-1])[:, None, :] + v[:-1, None, :]
            got = np.empty((nb, sub, k))
            _interpolate_blocks(v, frac, got)
            assert np.array_equal(got, want), (nb, sub, k)
    v = rng.normal(size=(101, 3))
    v[40, 1], v[70, 2] = np.nan, np.inf
    frac = (np.arange(10) + 0.5) / 10
    got = np.empty((100, 10, 3))
    with np.errstate(invalid="ignore"):
        _interpolate_blocks(v, frac, got)
        want = frac[None, :, None] * (v[1:] - v[:-1])[:, None, :] + v[:-1, None, :]
    assert np.array_equal(got, want, equal_nan=True)
    assert np.isfinite(got[:, :, 0]).all()


def test_running_median_short_window_is_the_median_of_the_pair_means(rng) -> None:
    """running_median's interior (scipy's running order statistic) and edges give the
    median of each window of 0.2 s means exactly (ties, negative values, infinities)."""
    from numpy.lib.stride_tricks import sliding_window_view

    from movement.preprocess import _interpolate_blocks, median_block, running_median

    fs = 100.0
    for x in (
        rng.normal(size=(20_003, 3)),
        rng.integers(-3, 3, (5_000, 2)).astype(float),
        np.where(rng.random((3_000, 1)) < 0.01, np.inf, rng.normal(size=(3_000, 1))),
    ):
        n, k = x.shape
        sub = median_block(fs)
        nb = n // sub
        # (the sub-block means as running_median takes them: one matrix product)
        means = x[: nb * sub].reshape(nb, sub * k) @ (np.tile(np.eye(k), (sub, 1)) / sub)
        pairs = (means[:-1] + means[1:]) / 2
        w, h = 11, 5
        med = np.empty_like(pairs)
        med[h : len(pairs) - h] = np.median(sliding_window_view(pairs, w, axis=0), axis=2)
        for i in range(h):
            med[i] = np.median(pairs[: i + h + 1], axis=0)
            med[len(pairs) - 1 - i] = np.median(pairs[len(pairs) - 1 - i - h :], axis=0)
        v = np.concatenate([med[:1], med, med[-1:]])
        want = np.empty((n, k))
        with np.errstate(invalid="ignore"):
            _interpolate_blocks(
                v, (np.arange(sub) + 0.5) / sub, want[: nb * sub].reshape(nb, sub, k)
            )
            want[nb * sub :] = med[-1]
            got = running_median(x, fs, 1.0)
        assert np.array_equal(got, want, equal_nan=True)


def test_pairs_of_similar_twitches_are_no_heartbeat() -> None:
    # twitch pairs 0.8 s apart (a heart period) every ~20 s: each pair's shapes correlate,
    # but a rhythm needs at least 4 beats in a row
    from movement.preprocess import ecg_beats

    rng = np.random.default_rng(4)
    fs = 2000.0
    x = 0.003 * rng.standard_normal((int(120 * fs), 1))
    qrs = np.hanning(int(0.04 * fs)) * 0.2
    for start in np.arange(5.0, 115.0, 20.0):
        for dt in (0.0, 0.8):
            i = int((start + dt) * fs)
            x[i : i + len(qrs), 0] += qrs
    assert len(ecg_beats(x, fs)) == 0
    # the same shape every 0.8 s for 6 s is a rhythm
    y = 0.003 * rng.standard_normal((int(120 * fs), 1))
    for s_ in np.arange(5.0, 115.0, 0.8):
        i = int(s_ * fs)
        y[i : i + len(qrs), 0] += qrs
    assert len(ecg_beats(y, fs)) > 100


def test_accel_brief_envelope_spans_at_least_three_samples() -> None:
    # at 25 Hz, 0.1 s is 2.5 samples (rounded to 2): the brief RMS takes 3
    from movement.config import AccelConfig

    fs = 25.0
    x = np.zeros((2000, 3))
    x[:, 2] = 1.0
    x[1000, 0] += 0.3  # one sample
    pre = preprocess(Recording(x, fs=fs, modality="accel"), AccelConfig())
    around = pre.brief[995:1006, 0]
    assert (around > 0.5 * around.max()).sum() >= 3


def test_ecg_removal_of_a_rhythm_is_local_across_a_pause() -> None:
    """Two stretches of rhythm 100 s apart: each is cleaned as if the other were not
    there (a stream window holds only one; every estimate is within 12 s)."""
    from movement.preprocess import remove_ecg

    fs = 2000.0
    x, beats = _ecg_emg(seconds=30.0)
    n = len(x)
    y = np.vstack([x, 0.003 * np.random.default_rng(7).standard_normal((200 * int(fs), 2)), x])
    both = np.concatenate([beats[:6], beats[:6] + n + 200 * int(fs)])  # 6 beats each
    whole = remove_ecg(y, fs, both)
    alone = remove_ecg(y[:n], fs, beats[:6])
    assert not np.array_equal(alone, y[:n])  # something was removed
    # (to float tolerance: the templates are differences of running sums over all beats)
    np.testing.assert_allclose(whole[:n], alone, rtol=0, atol=1e-8)


def test_moving_rms_rows_is_the_full_cumulative_sum_bit_for_bit(rng) -> None:
    """The chunked moving RMS of a multi-channel signal (no full-length cumulative sum)
    gives the bits of the full one, for either memory layout and at the edges."""
    from movement.preprocess import _cumsum0, _moving_rms_rows, _window_mean

    for n, w in ((70_000, 1), (70_000, 2), (70_000, 501), (140_001, 5000), (100, 7)):
        x = rng.standard_normal((n, 3)) * 5
        for arr in (x, np.asfortranarray(x), x[:, ::2]):
            ref = _window_mean(_cumsum0(arr, square=True), w, rms=True)
            out = _moving_rms_rows(arr, w)
            assert out.flags.c_contiguous and out.tobytes() == ref.tobytes()


def test_low_band_per_block_gives_the_same_artefacts() -> None:
    """The EMG low band held per block (BlockRows) reads as its per-sample array: the same
    values, and artefact_runs finds the same runs from either."""
    from movement.preprocess import BlockRows, _emg_lowband, _emg_lowband_rows, preprocess
    from movement.segment import artefact_runs
    from movement.simulate import simulate

    rec = simulate("emg", 60.0, 5, confounders="all", n_channels=2).recording
    cfg = EMGConfig()
    pre = preprocess(rec, cfg)
    x = rec.data - np.median(rec.data, axis=0)
    lo, hi = cfg.artefact_band_hz
    rows = _emg_lowband_rows(x, rec.fs, lo, hi, pre.gaps)
    assert isinstance(rows, BlockRows)
    full = _emg_lowband(x, rec.fs, lo, hi, pre.gaps)
    assert np.array_equal(rows.expand(), full) and rows.shape == full.shape
    for n in (len(full), len(full) - 1234):  # (a length that is no whole 0.5 s block)
        part = BlockRows(rows.blocks[: -(-n // rows.q)], rows.q, n)
        for cfg_ in (cfg, EMGConfig(artefact_min_ratio=2.0, artefact_min_lowfreq_ratio=0.5)):
            a = artefact_runs(part, pre.sustained[:n], rec.fs, cfg_)
            b = artefact_runs(full[:n], pre.sustained[:n], rec.fs, cfg_)
            assert np.array_equal(a, b)
    assert pre.lowband_rows() is not None and np.array_equal(pre.lowband, full)
