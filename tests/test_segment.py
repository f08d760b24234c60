"""Segmentation: baseline, double threshold, merging, and segments of known signals."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SPIKE_ONSET_TOL_S, accel_rest, emg_noise, muap

from movement import Recording
from movement.config import AccelConfig, EMGConfig
from movement.preprocess import preprocess
from movement.segment import (
    hysteresis_runs,
    mask_to_runs,
    merge_runs,
    periodic_runs,
    robust_baseline,
    runs_to_mask,
    segment,
    thresholds,
    twitch_runs,
)


def _segments(x: np.ndarray, fs: float, modality: str = "emg", cfg=None):
    cfg = cfg or (EMGConfig() if modality == "emg" else AccelConfig())
    rec = Recording(x, fs=fs, modality=modality)
    return segment(preprocess(rec, cfg), cfg).table


def test_mask_and_runs_round_trip() -> None:
    mask = np.array([0, 1, 1, 0, 0, 1, 0, 1, 1, 1], bool)
    runs = mask_to_runs(mask)
    assert runs.tolist() == [[1, 3], [5, 6], [7, 10]]
    np.testing.assert_array_equal(runs_to_mask(runs, mask.size), mask)


def test_hysteresis_keeps_runs_that_reach_the_on_level() -> None:
    x = np.array([0, 2, 2, 0, 2, 5, 2, 0, 0, 6, 0], float)
    on, off = np.full(x.size, 4.0), np.full(x.size, 1.0)
    # the first run never reaches 4; the second does and spans its whole above-off extent
    assert hysteresis_runs(x, on, off).tolist() == [[4, 7], [9, 10]]
    assert hysteresis_runs(np.zeros(5), on[:5], off[:5]).shape == (0, 2)


def test_merge_runs_joins_short_gaps_only() -> None:
    runs = np.array([[0, 10], [12, 20], [40, 50], [45, 60]])
    assert merge_runs(runs, 5).tolist() == [[0, 20], [40, 60]]
    assert merge_runs(runs, 1).tolist() == [[0, 10], [12, 20], [40, 60]]


def test_robust_baseline_ignores_activity_filling_most_of_the_window(rng) -> None:
    # rest level 1.0 (MAD-SD 0.1); 70 % of the recording is activity at level 10
    env = np.abs(rng.normal(1.0, 0.1, (20000, 1)))
    env[3000:17000] = np.abs(rng.normal(10.0, 1.0, (14000, 1)))
    level, spread = robust_baseline(env, fs=100, window_s=300, quantile=0.1)
    np.testing.assert_allclose(level, 1.0, atol=0.02)
    np.testing.assert_allclose(spread, 0.1, rtol=0.15)


def test_thresholds_are_k_sd_or_db_above_level_whichever_is_higher() -> None:
    level, spread = np.array([1.0, 1.0]), np.array([0.1, 1.0])
    on, off = thresholds(level, spread, k_on=3.0, k_off=1.5, min_snr_on_db=6.0)
    # 6 dB above 1.0 is 1.995; 3 SD of 1.0 is 4
    np.testing.assert_allclose(on, [10 ** (6 / 20), 4.0])
    assert np.all(off <= on) and np.all(off > level)


def test_isolated_15_ms_muap_is_one_brief_segment(rng) -> None:
    fs = 2000.0
    x = emg_noise(rng, fs, 20.0)
    i0 = int(8.0 * fs)
    x[i0 : i0 + 30, 0] += muap(fs, 0.015, 0.5)
    table = _segments(x, fs)
    assert len(table) == 1
    row = table.iloc[0]
    assert row["scale"] == "brief"
    # length: the 15 ms spike plus up to 40 ms of envelope and filter spread
    assert row["onset"] == pytest.approx(8.0, abs=SPIKE_ONSET_TOL_S)
    assert 0.005 <= row["duration"] <= 0.055
    assert row["channel"] == "ch1"


def test_5_s_burst_is_one_sustained_segment(rng) -> None:
    fs = 1000.0
    x = emg_noise(rng, fs, 30.0)
    x[10_000:15_000, 0] += rng.normal(0, 0.1, 5000)  # 20 dB over rest for 5 s
    table = _segments(x, fs)
    assert len(table) == 1
    row = table.iloc[0]
    assert row["scale"] == "sustained"
    # edges within the 150 ms RMS half-window
    assert row["onset"] == pytest.approx(10.0, abs=0.075)
    assert row["duration"] == pytest.approx(5.0, abs=0.15)


def test_burst_on_two_channels_is_one_event_listing_both(rng) -> None:
    fs = 1000.0
    x = emg_noise(rng, fs, 20.0, k=3)
    x[5000:8000, 0] += rng.normal(0, 0.1, 3000)
    x[5200:8000, 2] += rng.normal(0, 0.1, 2800)
    table = _segments(x, fs)
    assert len(table) == 1
    assert table.iloc[0]["channel"] == "ch1,ch3"
    assert table.iloc[0]["n_sites"] == 2
    assert table.iloc[0]["onset"] == pytest.approx(5.0, abs=0.075)


def test_quiet_emg_has_no_segments(rng) -> None:
    table = _segments(emg_noise(rng, 1000.0, 30.0, k=2), 1000.0)
    assert len(table) == 0
    assert {"start", "stop", "onset", "duration", "channel", "scale", "site_0", "site_1"} <= set(
        table.columns
    )


def test_brief_spikes_separated_by_less_than_merge_gap_are_one_segment(rng) -> None:
    fs = 2000.0
    x = emg_noise(rng, fs, 20.0)
    for t0 in (6.0, 6.03):  # a doublet 30 ms apart [S: Kleine 2012]
        i = int(t0 * fs)
        x[i : i + 30, 0] += muap(fs)
    table = _segments(x, fs)
    assert len(table) == 1 and table.iloc[0]["onset"] == pytest.approx(6.0, abs=SPIKE_ONSET_TOL_S)


def test_no_segment_spans_a_gap(rng) -> None:
    fs = 1000.0
    x = emg_noise(rng, fs, 30.0)
    x[10_000:16_000, 0] += rng.normal(0, 0.1, 6000)
    x[12_000:12_500, 0] = np.nan  # the sensor dropped out in the middle of the burst
    table = _segments(x, fs)
    gaps = np.isnan(x[:, 0])
    assert len(table) >= 2
    for start, stop in table[["start", "stop"]].to_numpy():
        assert not gaps[start:stop].any()
    assert table["onset"].min() == pytest.approx(10.0, abs=0.075)


def test_periodic_runs_find_an_oscillation_filling_the_recording() -> None:
    fs = 100.0
    t = np.arange(6000) / fs
    x = (0.01 * np.sin(2 * np.pi * 6.0 * t))[:, None]
    runs = periodic_runs(x, fs, 3.0, (3, 12), 0.3, 0.0015)
    assert runs.tolist() == [[0, 6000]]
    # below the smallest physiological tremor amplitude nothing is marked
    assert len(periodic_runs(x * 0.05, fs, 3.0, (3, 12), 0.3, 0.0015)) == 0


def test_accel_tremor_bout_is_one_sustained_segment(rng) -> None:
    fs = 100.0
    x = accel_rest(rng, fs, 120.0)
    t = np.arange(len(x)) / fs
    bout = (t >= 40) & (t < 50)
    x[bout, 0] += 0.05 * np.sin(2 * np.pi * 6.0 * t[bout])
    table = _segments(x, fs, "accel")
    assert len(table) == 1
    row = table.iloc[0]
    assert row["scale"] == "sustained" and row["channel"] == "xyz"
    # edges within the 1 s sustained window
    assert row["onset"] == pytest.approx(40.0, abs=0.5)
    assert row["duration"] == pytest.approx(10.0, abs=1.0)


def test_low_rate_emg_reports_no_brief_segments() -> None:
    """Below ``min_muap_fs_hz`` a 200 Hz armband cannot show a MUAP: only sustained segments."""
    import movement

    rng = np.random.default_rng(4)
    fs = 200.0
    x = rng.normal(0, 1.0, (int(40 * fs), 2))
    x[2000:2004, 0] += 40.0  # a 20 ms spike
    x[4000:5000] += rng.normal(0, 8.0, (1000, 2))  # a 5 s contraction
    ev = movement.score(movement.Recording(x, fs=fs, modality="emg"), model="rules")
    assert len(ev) == 1 and ev["scale"].iloc[0] == "sustained"
    assert abs(ev["onset"].iloc[0] - 20.0) < 0.3 and abs(ev["duration"].iloc[0] - 5.0) < 0.6


# -- accelerometer sustained edges: tilt edges, snapping, peak-relative trimming ----------
def test_running_median_keeps_a_tilt_step_sharp_and_cancels_tremor() -> None:
    from movement.preprocess import running_median

    fs = 100.0
    t = np.arange(int(20 * fs)) / fs
    x = ((t >= 10).astype(float) * 0.3 + 0.05 * np.sin(2 * np.pi * 5.0 * t))[:, None]
    m = running_median(x, fs, 1.0)[:, 0]
    assert abs(m[200:900]).max() < 0.01  # the 5 Hz tremor cancels
    assert abs(m[1100:1800] - 0.3).max() < 0.01
    # the step stays within a few samples of where it is (a 0.25 Hz low-pass spreads it ~2 s)
    assert abs(np.argmax(m > 0.15) / fs - 10.0) < 0.1


@pytest.mark.parametrize("deg", [12.0, 35.0])
def test_spasm_edges_are_where_the_tilt_changes(rng, deg) -> None:
    """A fast tilt held 4 s comes out with onset and offset within 0.2 s.

    (The low-passed gravity puts them 0.5-0.9 s outside, beyond the 0.5 s collar.)
    """
    from conftest import tilt_rotation

    fs = 100.0
    x = accel_rest(rng, fs, 200.0)
    t = np.arange(len(x)) / fs
    ramp = np.clip((t - 100.0) / 0.1, 0, 1) * np.clip((104.0 - t) / 0.2, 0, 1)
    x += tilt_rotation(np.radians(deg) * ramp) - tilt_rotation(0 * t)
    table = _segments(x, fs, "accel")
    sus = table[table["scale"] == "sustained"]
    assert len(sus) == 1
    assert sus["onset"].iloc[0] == pytest.approx(100.0, abs=0.2)
    assert sus["onset"].iloc[0] + sus["duration"].iloc[0] == pytest.approx(104.0, abs=0.2)


def test_tilt_edges_keep_runs_without_a_clear_change() -> None:
    from movement.segment import tilt_edges

    fs = 50.0
    o = np.tile([0.0, 0.0, 1.0], (int(30 * fs), 1))
    runs = np.array([[500, 900]])
    # no tilt at all: nothing to locate, the run is kept as it is
    assert tilt_edges(o, runs, fs, 2.0, 0.1, 4.0).tolist() == [[500, 900]]
    assert tilt_edges(o, runs[:0], fs, 2.0).shape == (0, 2)


def test_snap_to_edges_moves_only_edges_just_outside_an_anchor() -> None:
    from movement.segment import snap_to_edges

    runs = np.array([[90, 215], [50, 150], [300, 400]])
    anchors = np.array([[100, 200]])
    out = snap_to_edges(runs, anchors, 20).tolist()
    assert out[0] == [100, 200]  # 10 before, 15 after: the anchor's smear
    assert out[1] == [50, 150]  # 50 before: its own activity, kept
    assert out[2] == [300, 400]  # far away: kept
    assert snap_to_edges(runs, anchors[:0], 20).tolist() == runs.tolist()


def test_trim_to_peak_cuts_tails_but_never_splits() -> None:
    from movement.segment import trim_to_peak

    env = np.zeros(100)
    env[10:90] = 0.02  # tail
    env[40:50] = 1.0  # a large movement
    env[60:65] = 0.01  # a dip inside is kept
    env[70:72] = 0.5
    out = trim_to_peak(env, np.array([[10, 90]]), 0.1).tolist()
    assert out == [[40, 72]]
    assert trim_to_peak(env, np.empty((0, 2), dtype=np.int64), 0.1).shape == (0, 2)


def test_emg_segmentation_ignores_the_accelerometer_edge_settings(rng) -> None:
    """EMGConfig has no sustained_edge_fraction: EMG sustained edges are unchanged."""
    assert not hasattr(EMGConfig(), "sustained_edge_fraction")
    assert not hasattr(EMGConfig(), "orientation_median_s")


def test_tilt_edges_drop_a_slow_drift_when_a_change_is_required() -> None:
    """A resting orientation drifting 15 deg over a minute is not a posture change."""
    from movement.segment import tilt_edges

    fs = 20.0
    t = np.arange(int(120 * fs)) / fs
    a = np.radians(15.0) * np.clip((t - 30) / 60.0, 0, 1)
    o = np.column_stack([0 * a, np.sin(a), np.cos(a)])
    runs = np.array([[int(60 * fs), int(100 * fs)]])
    assert len(tilt_edges(o, runs, fs, 2.0, 0.1, 4.0, require_change=True)) == 0
    # a real change at the run's edge is kept
    b = np.radians(15.0) * ((t >= 60.5) & (t < 100.5))
    o2 = np.column_stack([0 * b, np.sin(b), np.cos(b)])
    kept = tilt_edges(o2, runs, fs, 2.0, 0.1, 4.0, require_change=True)
    assert (kept / fs).round(1).tolist() == [[60.5, 100.5]]


# -- the motor-unit potential detector (whitened band-limited energy) ----------------


def _band(x: np.ndarray, fs: float) -> np.ndarray:
    from movement.preprocess import bandpass

    cfg = EMGConfig()
    return bandpass(x, fs, cfg.band_low_hz, cfg.band_high_hz, cfg.filter_order)


def test_energy_threshold_of_white_noise_is_the_chi_square_quantile() -> None:
    from scipy import stats

    from movement.segment import energy_threshold

    white = np.eye(1, 64)
    for w in (8, 16, 32):
        t = energy_threshold(white, w, 1e-6)
        assert t[0] == pytest.approx(stats.chi2.isf(1e-6, w) / w, rel=1e-6)
    # correlated noise has fewer degrees of freedom: a higher threshold
    rho = np.tile(0.8 ** np.arange(64.0), (2, 1))
    assert np.all(energy_threshold(rho, 16, 1e-6) > energy_threshold(white, 16, 1e-6)[0])


def test_energy_threshold_power_sums_match_the_eigenvalues(rng) -> None:
    """The traces of R^j equal the eigenvalues' power sums (no eigendecomposition needed)."""
    from scipy import stats

    from movement.segment import energy_threshold

    rho = np.stack([0.7 ** np.arange(48.0), np.cos(0.3 * np.arange(48.0)) * 0.9 ** np.arange(48)])
    for w in (8, 32):
        lag = np.abs(np.arange(w)[:, None] - np.arange(w)[None, :])
        lam = np.maximum(np.linalg.eigvalsh(np.round(rho[:, :w], 6)[:, lag]) / w, 0.0)
        c1, c2, c3, c4 = (np.sum(lam**j, axis=1) for j in (1, 2, 3, 4))
        s1, s2 = c3 / c2**1.5, c4 / c2**2
        big = s1 * s1 > s2
        a = np.where(big, 1.0 / (s1 - np.sqrt(np.maximum(s1 * s1 - s2, 0.0))), 1.0 / s1)
        delta = np.where(big, s1 * a**3 - a * a, 0.0)
        dof = np.where(big, a * a - 2 * delta, 1.0 / (s1 * s1))
        q = np.where(
            delta > 0,
            stats.ncx2.isf(1e-7, dof, np.maximum(delta, 1e-300)),
            stats.chi2.isf(1e-7, dof),
        )
        ref = (q - (dof + delta)) / (np.sqrt(2.0) * a) * np.sqrt(2 * c2) + c1
        assert energy_threshold(rho, w, 1e-7) == pytest.approx(ref, rel=1e-9)


def test_trim_to_peak_fast_path_matches_the_general_one(rng) -> None:
    """Sorted disjoint runs take a shortcut; it must cut exactly where overlapping runs would."""
    from movement.segment import trim_to_peak

    env = rng.random(400) ** 3
    runs = np.sort(rng.choice(np.arange(-5, 410), 24, replace=False)).reshape(-1, 2)
    # the same runs plus one overlapping run force the general path; drop its result
    extra = np.vstack([runs, [[0, 1]]])
    for frac in (0.1, 0.5, 1.0):
        assert np.array_equal(trim_to_peak(env, runs, frac), trim_to_peak(env, extra, frac)[:-1])


def test_running_median_rows_is_pandas_at_its_centres(rng) -> None:
    import pandas as pd

    from movement.segment import _running_median_rows

    x = rng.normal(size=(230, 4))
    for w in (7, 40, 120):
        ref = pd.DataFrame(x).rolling(w, center=True, min_periods=max(1, w // 4)).median()
        ref = ref.to_numpy()
        med, nearest = _running_median_rows(x, w, 1)
        assert np.array_equal(med[nearest], ref)
        med, nearest = _running_median_rows(x, w, 10)
        centres = np.append(np.arange(0, 230, 10), 229)
        assert np.array_equal(med, ref[centres])
        # each row takes its nearest centre (5 s of 0.5 s blocks at most 2.5 s away)
        assert np.all(np.abs(centres[nearest] - np.arange(230)) <= 5)


def test_running_median_of_non_negative_values_is_np_median(rng) -> None:
    # non-negative floats take the sorted-halves path (integer keys): the same values as
    # np.median of each centre's window, ties, zeros, odd and even windows included
    from movement.segment import _running_median_rows

    for trial in range(60):
        m = int(rng.integers(10, 300))
        w = int(rng.integers(2, m))
        hop = int(rng.integers(1, 25))
        dtype = np.float32 if trial % 2 else np.float64
        x = rng.chisquare(3, (m, 3)).astype(dtype)
        if trial % 3 == 1:
            x = np.round(x * 2) / 2  # many ties
        if trial % 3 == 2:
            x[rng.random(x.shape) < 0.2] = 0.0
        med, _ = _running_median_rows(x, w, hop)
        centres = np.unique(np.append(np.arange(0, m, hop), m - 1))
        half = w // 2
        ref = [np.median(x[max(0, c - half) : min(m, c - half + w)], axis=0) for c in centres]
        assert np.array_equal(med, np.array(ref, dtype=np.float64)), (m, w, hop)


def test_block_median_is_np_median(rng) -> None:
    # integer keys (non-negative values, sorted) and floats with signs (partitioned)
    from movement.segment import _block_median

    for b in (1, 2, 7, 50):
        for x in (
            rng.chisquare(1, (40, b, 3)),
            np.round(rng.chisquare(1, (40, b, 2)).astype(np.float32)),
            rng.normal(size=(40, b, 1)),
        ):
            assert np.array_equal(_block_median(x), np.median(x, axis=1)), (b, x.dtype)


def test_max_window_energy_is_window_mean_over_noise(rng, monkeypatch) -> None:
    # the pieces (small ones here) give the same values as whole-array window means
    from movement import segment
    from movement.preprocess import _cumsum0, _window_mean

    monkeypatch.setattr(segment, "_CACHE_VALUES", 8 * 64)
    for n, w, block in ((1000, 10, 50), (1037, 40, 50), (333, 7, 13), (30, 29, 50), (12, 20, 5)):
        x = rng.chisquare(1, (n, 3))
        noise = rng.random((-(-n // block), 3)) + 0.1
        cums = [_cumsum0(x[:, a]) for a in range(3)]
        z = segment._max_window_energy(cums, w, noise, block)
        ref = [_window_mean(cums[a], w) / np.repeat(noise[:, a], block)[:n] for a in range(3)]
        ref = np.maximum(np.maximum(ref[0], ref[1]), ref[2])
        first, stop = w // 2, n + w // 2 - w + 1
        assert np.array_equal(z[first:stop], ref[first:stop]), (n, w, block)
        assert not z[:first].any() and not z[max(first, stop) :].any()


def test_hysteresis_runs_match_their_definition(rng) -> None:
    # runs above off that reach above on somewhere in [start, next start), per block,
    # with off sometimes above on; mask_to_runs against np.diff of the padded mask
    from movement.segment import hysteresis_runs, mask_to_runs

    for _ in range(300):
        n = int(rng.integers(0, 80))
        block = int(rng.choice([1, 4, 9]))
        x = rng.random(n) * 3
        on, off = rng.random((2, max(1, -(-n // block)))) * 3
        mask = rng.random(n) < rng.random()
        d = np.diff(np.concatenate(([0], mask.astype(int), [0])))
        ref = np.stack([np.flatnonzero(d == 1), np.flatnonzero(d == -1)], axis=1)
        assert np.array_equal(mask_to_runs(mask), ref)
        above = x > np.repeat(off, block)[:n]
        strong = x > np.repeat(on, block)[:n]
        runs = mask_to_runs(above)
        nxt = np.append(runs[1:, 0], n)[: len(runs)]
        keep = [strong[a:b].any() for a, b in zip(runs[:, 0], nxt, strict=True)]
        got = hysteresis_runs(x, on, off, block=block)
        assert np.array_equal(got, runs[np.array(keep, dtype=bool)].reshape(-1, 2))


def test_whitening_flattens_mains_hum(rng) -> None:
    from movement.segment import whiten

    fs = 2000.0
    t = np.arange(int(60 * fs)) / fs
    hum = 0.05 * np.sin(2 * np.pi * 50 * t) + 0.02 * np.sin(2 * np.pi * 150 * t)
    y = _band((rng.normal(0, 0.01, t.size) + hum)[:, None], fs)[:, 0]
    e, rho = whiten(y, fs, EMGConfig().muap_whitening_order, 20.0, (30.0, 450.0))

    def line_over_floor(v: np.ndarray) -> float:
        spec = np.abs(np.fft.rfft(v[int(fs) :])) ** 2
        f = np.fft.rfftfreq(v.size - int(fs), 1 / fs)
        band = (f > 30) & (f < 450)
        return float(spec[np.argmin(np.abs(f - 50))] / np.median(spec[band]))

    # the hum stands ~10^5 over the noise floor before, and 1000x less after
    assert line_over_floor(e) < line_over_floor(y) / 1000
    assert rho.shape[1] == int(0.5 * fs) and np.allclose(rho[:, 0], 1.0)


def test_noise_only_emg_gives_no_more_false_detections_than_designed(rng) -> None:
    """The threshold bounds the expected false detections per hour on Gaussian noise."""
    from movement.segment import muap_runs

    fs = 2000.0
    minutes = 10.0
    x = rng.normal(0, 0.01, (int(minutes * 60 * fs), 1))
    y = _band(x, fs)[:, 0]
    # a design rate high enough to count: 1 per second per channel
    cfg = EMGConfig(muap_false_alarms_per_h=3600.0)
    n = len(muap_runs(y, fs, cfg))
    assert 0 < n <= 3600.0 * minutes / 60
    # the default (0.5 / h per channel): none expected in 10 min
    assert len(muap_runs(y, fs, EMGConfig())) <= 1


def test_coloured_noise_with_mains_keeps_the_designed_false_detection_rate(rng) -> None:
    from scipy import signal

    from movement.segment import muap_runs

    fs = 2000.0
    minutes = 10.0
    n = int(minutes * 60 * fs)
    t = np.arange(n) / fs
    pink = signal.lfilter([1.0], [1.0, -0.8], rng.normal(0, 0.01, n))
    hum = 0.03 * np.sin(2 * np.pi * 50 * t) + 0.01 * np.sin(2 * np.pi * 250 * t)
    y = _band((pink + hum)[:, None], fs)[:, 0]
    cfg = EMGConfig(muap_false_alarms_per_h=3600.0)
    assert len(muap_runs(y, fs, cfg)) <= 3600.0 * minutes / 60


@pytest.mark.parametrize(
    ("snr_db", "duration_s"),
    # a 5 ms potential at 6 dB is near the detector's limit (about 60 % found in simulation)
    [(12.0, 0.005), (12.0, 0.012), (12.0, 0.020), (6.0, 0.012), (6.0, 0.020)],
)
def test_muap_at_a_modest_snr_is_found_with_its_onset(rng, snr_db, duration_s) -> None:
    """A biphasic potential whose RMS over its span is ``snr_db`` above the noise."""
    fs = 2000.0
    sd = 0.01
    x = emg_noise(rng, fs, 30.0, sd=sd)
    wave = muap(fs, duration_s, 1.0)
    wave *= sd * 10 ** (snr_db / 20) / np.sqrt(np.mean(wave**2))
    onsets = [6.0, 13.0, 21.0]
    for o in onsets:
        i = int(o * fs)
        x[i : i + len(wave), 0] += wave
    table = _segments(x, fs)
    brief = table[table["scale"] == "brief"]
    found = [np.min(np.abs(brief["onset"].to_numpy() - o)) for o in onsets]
    # every one, within 5 ms of its true onset (at 6 dB the tapered first ~quarter of a
    # long potential is still within the noise: within 30 % of its length)
    assert max(found) <= max(0.005, 0.3 * duration_s if snr_db < 9 else 0.0) + 1e-9, found
    assert len(brief) <= len(onsets) + 1  # at most one false detection in 30 s


def test_triphasic_muap_is_found_like_a_biphasic_one(rng) -> None:
    fs = 2000.0
    sd = 0.01
    x = emg_noise(rng, fs, 20.0, sd=sd)
    n = int(0.012 * fs)
    u = np.linspace(-3, 3, n)
    wave = (1 - u**2) * np.exp(-(u**2) / 2)
    wave *= sd * 10 ** (9 / 20) / np.sqrt(np.mean(wave**2))
    x[int(8 * fs) : int(8 * fs) + n, 0] += wave
    table = _segments(x, fs)
    assert len(table) == 1
    assert table["onset"].iloc[0] == pytest.approx(8.0, abs=0.005)


# -- dystonia-like postures, spasms and irregular tremor on the accelerometer ----------


def _tilted(t: np.ndarray, spans: list[tuple[float, float, float]]) -> np.ndarray:
    """Unit directions tilted by ``deg`` about x during each (start, stop, deg) span."""
    a = np.zeros_like(t)
    for t0, t1, deg in spans:
        a = a + np.radians(deg) * ((t >= t0) & (t < t1))
    return np.column_stack([0 * a, np.sin(a), np.cos(a)])


def test_tilt_edges_cut_a_run_that_starts_in_a_drift_to_the_held_tilt() -> None:
    """A run starting where the resting direction drifts across the threshold and ending
    with a real tilt back is cut to the posture next to that real change."""
    from movement.segment import tilt_edges

    fs = 20.0
    t = np.arange(int(120 * fs)) / fs
    drift = np.radians(8.0) * np.clip((t - 20) / 40.0, 0, 1)  # slow drift of the rest
    held = np.radians(20.0) * ((t >= 70.0) & (t < 80.0))  # a posture held 10 s
    a = drift + held
    o = np.column_stack([0 * a, np.sin(a), np.cos(a)])
    runs = np.array([[int(50 * fs), int(80.5 * fs)]])  # from the drift to past the posture
    out = tilt_edges(o, runs, fs, 2.0, 0.1, 4.0, require_change=True) / fs
    assert out.round(1).tolist() == [[70.0, 80.0]]
    # mirrored: the posture first, then the drift
    rev = o[::-1].copy()
    runs_r = np.array([[len(t) - int(80.5 * fs), len(t) - int(50 * fs)]])
    out_r = tilt_edges(rev, runs_r, fs, 2.0, 0.1, 4.0, require_change=True) / fs
    assert out_r.round(1).tolist() == [[40.0, 50.0]]


def test_posture_runs_short_steadiness_finds_a_short_held_tilt() -> None:
    """A 25 deg tilt held 1.75 s is found with +-0.25 s steadiness, not with +-1 s."""
    from movement.segment import posture_runs

    fs = 50.0
    t = np.arange(int(120 * fs)) / fs
    o = _tilted(t, [(60.0, 61.75, 25.0)])
    assert len(posture_runs(o, fs, 60.0, 7.0, 4.0, 3.0, 1.0)) == 0
    r = posture_runs(o, fs, 60.0, 7.0, 4.0, 3.0, 0.25) / fs
    assert len(r) == 1 and 59.9 <= r[0, 0] <= 60.6 and 61.0 <= r[0, 1] <= 62.0


def test_absorb_bursts_joins_chained_bursts_only_to_sustained_runs() -> None:
    from movement.segment import absorb_bursts

    s = np.array([[100, 300], [900, 1000]])
    b = np.array([[320, 340], [360, 380], [600, 620], [1040, 1050]])
    assert absorb_bursts(s, b, 50).tolist() == [[100, 380], [900, 1050]]
    assert absorb_bursts(s, b[:0], 50).tolist() == s.tolist()
    assert absorb_bursts(s[:0], b, 50).shape == (0, 2)
    # bursts alone never become a sustained run
    assert absorb_bursts(np.array([[5000, 5100]]), b, 50).tolist() == [[5000, 5100]]


def test_absorb_bursts_joins_sustained_runs_only_through_bursts() -> None:
    """With ``sustained_gap``, two sustained runs join across a pause only when bursts
    carry the chain; a burst inside a run does not count as one sticking out of it."""
    from movement.segment import absorb_bursts

    s = np.array([[0, 100], [180, 300]])
    # a pause of 80 samples: joined at max_gap=100 alone, not with sustained_gap=50 ...
    assert absorb_bursts(s, np.array([[10, 20]]), 100).tolist() == [[0, 300]]
    assert absorb_bursts(s, np.array([[10, 20]]), 100, 50).tolist() == s.tolist()
    # ... unless a burst bridges it (hops of 40 and 30 samples)
    assert absorb_bursts(s, np.array([[140, 150]]), 100, 50).tolist() == [[0, 300]]
    # a burst that ends past the run does carry the chain from its own end
    assert absorb_bursts(s, np.array([[90, 120]]), 100, 50).tolist() == [[0, 300]]


def test_split_at_rest_cuts_two_tilts_with_a_return_to_rest_between() -> None:
    from movement.segment import split_at_rest

    fs = 100.0
    n = int(20 * fs)
    t = np.arange(n) / fs

    def orient(deg: np.ndarray) -> np.ndarray:
        a = np.radians(deg)
        return np.column_stack([0 * a, np.sin(a), np.cos(a)])

    # 15 deg held 5-8 s, back at rest 8-9.2 s, 20 deg held 9.2-13 s
    deg = 15.0 * ((t >= 5) & (t < 8)) + 20.0 * ((t >= 9.2) & (t < 13))
    run = np.array([[int(5 * fs), int(13 * fs)]])
    r = split_at_rest(orient(deg), run, fs, 4.0, 0.5) / fs
    assert r.tolist() == [[5.0, 8.0], [9.2, 13.0]]
    # a dip to rest shorter than min_rest_s is kept inside the run
    deg = 15.0 * ((t >= 5) & (t < 13)) * ~((t >= 8) & (t < 8.3))
    assert split_at_rest(orient(deg), run, fs, 4.0, 0.5).tolist() == run.tolist()
    # slow ramps at the run's edges are near rest too, but they are not a return
    deg = 15.0 * np.clip(np.minimum(t - 5, 13 - t) / 1.5, 0, 1)
    assert split_at_rest(orient(deg), run, fs, 4.0, 0.5).tolist() == run.tolist()
    # a run at the recording's start has its rest after it
    deg = 15.0 * ((t < 3) | ((t >= 4.5) & (t < 8)))
    edge = np.array([[0, int(8 * fs)]])
    assert (split_at_rest(orient(deg), edge, fs, 4.0, 0.5) / fs).tolist() == [
        [0.0, 3.0],
        [4.5, 8.0],
    ]
    # a run that starts in the return of an earlier movement is trimmed to the tilt
    deg = 15.0 * ((t >= 5) & (t < 5.5)) + 20.0 * ((t >= 6.5) & (t < 9))
    r = split_at_rest(orient(deg), np.array([[int(5.3 * fs), int(9 * fs)]]), fs, 4.0, 0.5) / fs
    assert r.tolist() == [[6.5, 9.0]]
    # a run spanning the whole recording has no rest to compare with: kept whole
    whole = np.array([[0, n]])
    assert split_at_rest(orient(deg), whole, fs, 4.0, 0.5).tolist() == whole.tolist()


def test_split_at_rest_judges_each_run_alone() -> None:
    """A run that starts at rest (in the return of an earlier movement) is trimmed to its
    tilt whether or not the run before it ends at rest. Before, the two rest stretches
    lay end to end in the runs' joined samples and were one stretch, counted for the
    first run: the second run kept its start at rest, and a stream window whose slice did
    not hold the first run trimmed it (found on random settings, stream vs whole)."""
    from movement.segment import split_at_rest

    fs = 10.0
    ang = np.zeros(400)
    ang[100:140] = np.radians(20)  # the first tilt, back at rest from 14 s
    ang[180:260] = np.radians(25)  # the second, after 2 s at rest
    o = np.column_stack([0 * ang, np.sin(ang), np.cos(ang)])
    both = split_at_rest(o, np.array([[100, 160], [160, 260]]), fs, 4.0, 1.0)
    assert both.tolist() == [[100, 140], [180, 260]]
    assert split_at_rest(o, np.array([[160, 260]]), fs, 4.0, 1.0).tolist() == [[180, 260]]


def test_accel_short_spasm_is_one_sustained_event(rng) -> None:
    """A 30 deg spasm held ~2.5 s is one event, not its two ramps."""
    from conftest import tilt_rotation

    fs = 100.0
    x = accel_rest(rng, fs, 200.0)
    t = np.arange(len(x)) / fs
    ramp = np.clip((t - 100.0) / 0.1, 0, 1) * np.clip((102.6 - t) / 0.2, 0, 1)
    x += tilt_rotation(np.radians(30.0) * ramp) - tilt_rotation(0 * t)
    table = _segments(x, fs, "accel")
    near = table[(table["onset"] < 103.5) & (table["onset"] + table["duration"] > 99.0)]
    assert len(near) == 1
    assert near["onset"].iloc[0] == pytest.approx(100.0, abs=0.3)
    assert near["onset"].iloc[0] + near["duration"].iloc[0] == pytest.approx(102.6, abs=0.4)


def test_tilt_edges_drop_the_rest_between_two_different_tilts() -> None:
    """Rest between a posture's return and the next tilt (another direction), off a stale
    reference, has tilt changes at both edges but is not a posture; a posture is kept."""
    from movement.segment import tilt_edges

    fs = 20.0
    t = np.arange(int(120 * fs)) / fs
    a = np.radians(25.0) * ((t >= 30.0) & (t < 50.0))  # a posture about x
    b = np.radians(30.0) * ((t >= 60.0) & (t < 64.0))  # a spasm about y
    o = np.column_stack([np.sin(b), np.sin(a) * np.cos(b), np.cos(a) * np.cos(b)])
    o /= np.linalg.norm(o, axis=1, keepdims=True)
    rest = np.array([[int(50.5 * fs), int(59.5 * fs)]])
    assert len(tilt_edges(o, rest, fs, 2.0, 0.1, 4.0, require_change=True)) == 0
    posture = np.array([[int(30.5 * fs), int(49.5 * fs)]])
    kept = tilt_edges(o, posture, fs, 2.0, 0.1, 4.0, require_change=True) / fs
    assert kept.round(1).tolist() == [[30.0, 50.0]]


def _contraction(rng, fs: float, n: int, lo: float, hi: float) -> np.ndarray:
    from scipy import signal

    sos = signal.butter(4, (lo, hi), btype="bandpass", fs=fs, output="sos")
    return signal.sosfiltfilt(sos, rng.normal(0, 1, n))


def test_sustained_energy_detector_keeps_its_designed_false_alarm_rate(rng) -> None:
    """On Gaussian noise the count threshold bounds false sustained detections per hour."""
    from movement.segment import sustained_energy_runs, whitened_power

    fs = 2000.0
    minutes = 10.0
    y = _band(rng.normal(0, 0.01, (int(minutes * 60 * fs), 1)), fs)[:, 0]
    p, noise, rho = whitened_power(y, fs, EMGConfig())
    # a design rate high enough to count: 1 per second
    loose = sustained_energy_runs(p, noise, rho, fs, EMGConfig(sustained_false_alarms_per_h=3600))
    assert 0 < len(loose) <= 3600.0 * minutes / 60
    assert len(sustained_energy_runs(p, noise, rho, fs, EMGConfig())) <= 1


def test_low_snr_contraction_is_one_sustained_segment_with_its_edges(rng) -> None:
    """A 10 s contraction 3 dB over the noise, amplitude swinging +-50 %: one segment."""
    fs = 2000.0
    n = int(60 * fs)
    noise = rng.normal(0, 0.01, n)
    a, b = int(20 * fs), int(30 * fs)
    t = np.arange(b - a) / fs
    c = _contraction(rng, fs, b - a, 20.0, 120.0) * (1 + 0.5 * np.sin(2 * np.pi * 0.3 * t))
    c *= 10 ** (3 / 20) * 0.01 / np.std(c)
    x = noise.copy()
    x[a:b] += c
    seg = _segments(x[:, None], fs)
    sus = seg[seg["scale"] == "sustained"]
    assert len(sus) == 1
    assert abs(sus["onset"].iloc[0] - 20.0) < 0.5
    assert abs(sus["onset"].iloc[0] + sus["duration"].iloc[0] - 30.0) < 0.5


def test_strong_isolated_potentials_do_not_make_sustained_activity(rng) -> None:
    """A single MUAP lights one or two sub-blocks of a 1 s window: never sustained."""
    from movement.segment import sustained_energy_runs, whitened_power

    fs = 2000.0
    n = int(120 * fs)
    x = rng.normal(0, 0.01, n)
    for k in range(5, 115, 3):  # one 10 ms potential at ~30 dB every 3 s
        i = int(k * fs)
        x[i : i + 20] += 0.3 * np.sin(np.linspace(0, 2 * np.pi, 20))
    y = _band(x[:, None], fs)[:, 0]
    p, noise, rho = whitened_power(y, fs, EMGConfig())
    assert len(sustained_energy_runs(p, noise, rho, fs, EMGConfig())) == 0


def test_active_fraction_is_nan_without_the_noise_model() -> None:
    from movement.segment import active_fraction

    assert np.isnan(active_fraction(None, np.array([0]), np.array([0]), np.array([10]))[0])
    act = [(10, np.ones(10, bool)), (10, np.zeros(10, bool))]
    out = active_fraction(act, np.array([0, 1, 0]), np.array([0, 0, 95]), np.array([100, 100, 99]))
    assert out[0] == 1.0 and out[1] == 0.0 and np.isnan(out[2])


def _twitch_0db(fs: float, noise_g: float, dur_s: float, direction: np.ndarray) -> np.ndarray:
    """A damped 15 Hz oscillation (alpha envelope) along ``direction`` whose vector RMS over
    its span equals the RMS of 3-axis noise of ``noise_g`` per axis (0 dB), (n, 3)."""
    t = np.arange(int(round(dur_s * fs))) / fs
    tp = dur_s / 6.5
    w = (t / tp) * np.exp(1 - t / tp) * np.sin(2 * np.pi * 15.0 * t)
    w *= noise_g * np.sqrt(3) / np.sqrt(np.mean(w**2))
    return np.outer(w, direction / np.linalg.norm(direction))


def test_twitch_detector_keeps_its_designed_false_alarm_rate(rng) -> None:
    # 20 min of still sensor noise: at 0.1 false detections/h per axis, none expected
    fs, cfg = 100.0, AccelConfig()
    pre = preprocess(Recording(accel_rest(rng, fs, 1200.0, 0.005), fs=fs, modality="accel"), cfg)
    assert len(twitch_runs(pre.oscill[:, 0, :], fs, cfg)) == 0


@pytest.mark.parametrize("direction", [(1.0, 0.0, 0.0), (1.0, 1.0, 1.0)])
def test_0db_twitches_are_found_by_the_twitch_detector(rng, direction) -> None:
    fs, noise = 100.0, 0.005
    onsets = np.arange(40.0, 160.0, 15.0)
    x = accel_rest(rng, fs, 180.0, noise)
    tw = _twitch_0db(fs, noise, 0.35, np.array(direction))
    for on in onsets:
        i = int(on * fs)
        x[i : i + len(tw)] += tw
    found = _segments(x, fs, "accel")
    envelope_only = _segments(x, fs, "accel", AccelConfig(twitch_windows_s=None))

    def hits(table) -> int:
        on = table["onset"].to_numpy()
        return sum(bool(len(on)) and np.abs(on - o).min() < 0.2 for o in onsets)

    assert len(found) == hits(found)  # nothing else in the noise
    assert set(found["scale"]) <= {"brief"}
    assert hits(found) >= hits(envelope_only)
    if direction[1] == 0.0:
        # along one axis: that axis' noise is a third of the vector's
        assert hits(found) >= len(onsets) - 1 > hits(envelope_only)


def test_twitch_detector_ignores_filled_gaps(rng) -> None:
    # gaps (filled with a constant) hold no noise: they must not lower the noise model
    fs, cfg = 100.0, AccelConfig()
    x = accel_rest(rng, fs, 600.0, 0.005)
    x[20000:25500] = np.nan  # 55 s (the longest gap allowed: 60 s)
    x[50000:50300] = np.nan
    pre = preprocess(Recording(x, fs=fs, modality="accel"), cfg)
    assert pre.gaps.any()
    assert len(twitch_runs(pre.oscill[:, 0, :], fs, cfg, pre.gaps)) == 0
    assert len(_segments(x, fs, "accel").query("scale == 'brief'")) == 0


def test_twitch_speed_helpers_match_the_full_computations():
    """The shortcuts of twitch_runs give the values of what they replace, exactly."""
    from movement.segment import _block_baseline, _blockwise, _whiten_held, whiten

    rng = np.random.default_rng(3)
    env = rng.normal(size=(30_017, 3)) ** 2
    lvl, spr, b = _block_baseline(env, 100.0, 20.0, 0.1)
    lvl2, none, b2 = _block_baseline(env, 100.0, 20.0, 0.1, spread=False)
    assert none is None and b2 == b and np.array_equal(lvl, lvl2) and spr is not None
    x = rng.normal(size=1003)
    per = rng.uniform(0.5, 2.0, size=-(-1003 // 50))
    ref = x / np.repeat(per, 50)[:1003]
    got = x.copy()
    _blockwise(np.true_divide, got, per, 50, 0, got)
    assert np.array_equal(got, ref)
    y = rng.normal(size=40_000) + np.sin(np.arange(40_000) * 0.3)
    e, rho = whiten(y, 100.0, 8, 60.0, (0.0, 20.0), 10)
    e2, rho_c, nearest = _whiten_held(y, 100.0, 8, 60.0, (0.0, 20.0), 10)
    assert np.array_equal(e, e2) and np.array_equal(rho, rho_c[nearest])


def test_speed_helpers_give_the_runs_of_the_direct_computations(rng) -> None:
    """mask_to_runs, hysteresis_runs' shortcut and the run-union tests equal per-sample ones."""
    from movement.segment import _covered, _overlaps, _run_union

    for _ in range(300):
        n = int(rng.integers(1, 120))
        mask = rng.random(n) < rng.random()
        d = np.diff(np.concatenate(([False], mask, [False])).astype(np.int8))
        ref = np.stack([np.flatnonzero(d == 1), np.flatnonzero(d == -1)], axis=1)
        assert np.array_equal(mask_to_runs(mask), ref)
        # hysteresis: the shortcut (on >= off) against the per-sample definition
        x = rng.random(n) * 3
        block = int(rng.integers(1, 8))
        on = 1 + 2 * rng.random(-(-n // block))
        off = on - rng.random(on.size)
        above = x > np.repeat(off, block)[:n]
        big = x > np.repeat(on, block)[:n]
        want = [r for r in mask_to_runs(above) if big[r[0] : r[1]].any()]
        got = hysteresis_runs(x, on, off, block=block)
        assert np.array_equal(got.reshape(-1, 2), np.array(want, dtype=np.int64).reshape(-1, 2))
        # the union of runs: overlap and cover against a sample mask
        runs = rng.integers(0, n, (int(rng.integers(0, 6)), 1))
        runs = np.hstack([runs, np.minimum(n, runs + rng.integers(0, 20, runs.shape))])
        q = rng.integers(0, n, (8, 1))
        q = np.hstack([q, np.minimum(n, q + rng.integers(0, 20, q.shape))])
        m = runs_to_mask(runs, n)
        union = _run_union(runs)
        assert np.array_equal(_overlaps(q, union), [m[a:b].any() for a, b in q])
        assert np.array_equal(_covered(q, union), [m[a:b].all() for a, b in q])


def test_muap_runs_per_centre_equal_the_expanded_noise_model(rng) -> None:
    """The MUAP detector from per-centre thresholds and per-block noise (as _site_runs
    calls it) gives the runs of the expanded per-block, per-sample inputs."""
    from movement.segment import (
        _muap_runs,
        _rho_lags,
        _whitened_power_held,
        muap_runs,
        whitened_power,
    )

    fs = 2000.0
    cfg = EMGConfig()
    x = emg_noise(rng, fs, 130.0, sd=0.01)
    wave = muap(fs, 0.01, 1.0) * 0.05
    for o in np.arange(5.0, 125.0, 3.7):
        i = int(o * fs)
        x[i : i + len(wave), 0] += wave
    y = _band(x, fs)[:, 0]
    p, noise, blk, rho_c, nearest = _whitened_power_held(y.copy(), fs, cfg)
    lags = _rho_lags(fs, cfg, blk)
    per_centre = _muap_runs(p, noise, rho_c[:, :lags], fs, cfg, nearest)
    per_block = _muap_runs(p, noise, rho_c[nearest], fs, cfg)
    assert len(per_centre) > 20
    assert np.array_equal(per_centre, per_block)
    assert np.array_equal(per_centre, muap_runs(y, fs, cfg))
    # the public whitened_power is the expanded form of the held one
    p2, noise2, rho2 = whitened_power(y.copy(), fs, cfg)
    assert np.array_equal(p2, p) and np.array_equal(rho2, rho_c[nearest])
    assert np.array_equal(noise2, np.repeat(noise, blk)[: len(p)])


def test_running_median_rows_edge_windows_equal_numpy_median(rng) -> None:
    from movement.segment import _running_median_rows

    for dtype in (np.float32, np.float64):
        x = (rng.normal(size=(300, 7)) ** 3).astype(dtype)
        for w, hop in ((120, 10), (31, 7), (8, 1)):
            med, _ = _running_median_rows(x, w, hop)
            centres = np.unique(np.append(np.arange(0, 300, hop), 299))
            h = w // 2
            ref = [np.median(x[max(0, c - h) : min(300, c - h + w)], axis=0) for c in centres]
            assert np.array_equal(med, np.stack(ref))


def test_whitening_in_chunks_of_blocks_equals_one_chunk(rng, monkeypatch) -> None:
    import movement.segment as seg

    y = rng.normal(size=300_517) * np.exp(0.3 * rng.normal(size=300_517))
    chunked = seg._whiten_held(y, 2000.0, 32, 20.0, (30.0, 450.0))
    monkeypatch.setattr(seg, "_CACHE_VALUES", 1 << 30)
    whole = seg._whiten_held(y, 2000.0, 32, 20.0, (30.0, 450.0))
    assert all(np.array_equal(a, b) for a, b in zip(chunked, whole, strict=True))


def test_sustained_edge_is_not_a_twitch_before_the_contraction():
    """A single 20 ms twitch 0.3 s before a contraction does not become its onset."""
    from movement.segment import sustained_energy_runs

    fs = 2000.0
    rng = np.random.default_rng(1)
    x = rng.normal(0, 1, 120 * 2000)
    x[100000:110000] *= 1.6  # a 5 s contraction ~4 dB over the noise
    i = int(round(49.7 * fs))
    x[i - 20 : i + 20] *= 8  # the twitch lights two adjacent 25 ms sub-blocks
    p = x * x
    runs = sustained_energy_runs(p, np.ones_like(p), np.eye(1, 1000), fs, EMGConfig())
    assert [(float(a) / fs, float(b) / fs) for a, b in runs] == [(50.0, 55.0)]


def test_rolling_quantile_equals_pandas():
    """The rank-filter rolling quantile and median give pandas' values bit for bit (ties,
    ends, windows longer than the array, and the NaN / inf fallback)."""
    import pandas as pd

    from movement.segment import _rolling_quantile

    rng = np.random.default_rng(3)
    for trial in range(60):
        n = int(rng.integers(2, 1500))
        w = int(rng.integers(1, 400))
        q = None if trial % 2 else float(rng.choice([0.1, 0.25, 0.5, 0.9, 0.0, 1.0, rng.random()]))
        kind = trial // 2 % 4
        v = rng.random((n, 2))
        if kind == 1:
            v = rng.integers(0, 4, (n, 2)).astype(float)  # many ties
        elif kind == 2:
            v[rng.random((n, 2)) < 0.02] = np.nan
        elif kind == 3:
            v[rng.random((n, 2)) < 0.02] = np.inf
        mp = max(1, w // 4)
        r = pd.DataFrame(v).rolling(w, center=True, min_periods=mp)
        ref = (r.median() if q is None else r.quantile(q)).to_numpy()
        assert np.array_equal(_rolling_quantile(v, w, q, mp), ref, equal_nan=True)


def test_block_baseline_overwrite_same_values():
    """Sorting the blocks in place (``overwrite``) gives the copy's level and spread."""
    from movement.segment import _block_baseline

    rng = np.random.default_rng(4)
    env = np.ascontiguousarray(np.abs(rng.normal(size=(3, 50 * 700)))).T  # channels-first
    ref = _block_baseline(env.copy(), 100.0, 30.0, 0.1)
    got = _block_baseline(env, 100.0, 30.0, 0.1, overwrite=True)
    assert np.array_equal(ref[0], got[0]) and np.array_equal(ref[1], got[1])


def test_a_gap_of_rounding_noise_is_whitened_as_a_gap_of_zeros(rng) -> None:
    """A filled gap's motion is 0 or a few ulps, as the arithmetic before it rounded (a
    stream window and the whole recording can differ there): either way its centres hold
    no signal and are white, and the whitened signal after the gap is the same. Before,
    only exact zeros counted as no signal; the whole recording's ulps got a filter fitted
    to rounding noise, and its twitch noise level after a 59 s gap differed from the stream
    window's (found on random settings, stream vs whole)."""
    from movement.segment import _whiten_held

    fs = 100.0
    y = rng.normal(0, 1e-3, 60_000)
    gap = slice(20_000, 26_000)  # 60 s
    zeros, ulps = y.copy(), y.copy()
    zeros[gap] = 0.0
    ulps[gap] = -1.1102230246251565e-16  # one ulp of 1 g
    e0, rho0, near0 = _whiten_held(zeros, fs, 8, 60.0, (0.0, 40.0), 100, spectra_every=2)
    e1, rho1, near1 = _whiten_held(ulps, fs, 8, 60.0, (0.0, 40.0), 100, spectra_every=2)
    c = near0[23_000 // 50]  # the centre in the middle of the gap
    assert np.array_equal(near0, near1)
    assert rho0[c, 0] == 1.0 and not rho0[c, 1:].any()
    assert np.array_equal(rho0[c], rho1[c])
    assert np.allclose(e0[26_000:], e1[26_000:], rtol=0, atol=1e-15)
    # the scale a centre is judged against is its own window's: 2 min of movement 1e6
    # times the noise's power, 3 min away, change nothing near the gap (a recording-wide
    # scale did, so a stream window without that movement judged otherwise)
    faint = y.copy()
    faint[gap] = rng.normal(0, 1e-11, 6_000)  # 1e-16 of the noise's power: not rounding
    loud = faint.copy()
    loud[40_000:52_000] += rng.normal(0, 1.0, 12_000)
    e3, rho3, _ = _whiten_held(faint, fs, 8, 60.0, (0.0, 40.0), 100, spectra_every=2)
    e2, rho2, _ = _whiten_held(loud, fs, 8, 60.0, (0.0, 40.0), 100, spectra_every=2)
    assert np.array_equal(rho2[c], rho3[c])
    assert np.array_equal(e2[20_000:30_000], e3[20_000:30_000])


def test_whitening_from_every_other_block_spectrum_whitens_as_well(rng) -> None:
    """The twitch detector's background spectrum from every other block's spectrum: the
    same centres' spacing, a block-per-block nearest centre, and the prediction error and
    noise model of every block's spectrum (stationary coloured noise, 20 min)."""
    from scipy import signal

    from movement.segment import _whiten_held

    fs, n = 100.0, 120_000
    y = signal.lfilter([1.0], [1.0, -1.2, 0.5], rng.normal(size=n))
    e1, r1, near1 = _whiten_held(y, fs, 8, 300.0, (0.0, 40.0), 100)
    e2, r2, near2 = _whiten_held(y, fs, 8, 300.0, (0.0, 40.0), 100, spectra_every=2)
    nb = n // 50
    assert near2.shape == (nb,) and near2.min() == 0 and near2.max() == len(r2) - 1
    assert np.all(np.diff(near2) >= 0) and np.all(np.diff(near2) <= 1)
    # centres every 100 blocks in both (the last one at the last block, or the one before)
    assert abs(len(r1) - len(r2)) <= 1 and np.mean(near1 != near2[: len(near1)]) < 0.02
    lag1 = [float(np.corrcoef(e[1000:-1], e[1001:])[0, 1]) for e in (e1, e2)]
    assert abs(lag1[1] - lag1[0]) < 0.03
    assert np.std(e2[1000:]) == pytest.approx(np.std(e1[1000:]), rel=0.01)
    assert np.max(np.abs(r1[:, :5] - r2[: len(r1), :5])) < 0.05


def test_posture_helpers_equal_the_expressions_they_replace() -> None:
    """``_group_means``, ``_centred_max`` and ``_row_windows`` give the values of the numpy /
    pandas expressions they replace in ``posture_runs`` and ``tilt_edges``, bit for bit."""
    import pandas as pd

    from movement.segment import _centred_max, _group_means, _row_windows

    rng = np.random.default_rng(5)
    for r in (1, 2, 3, 4, 7, 8, 9):
        x = rng.normal(size=(r * 333, 3))
        assert np.array_equal(_group_means(x, r), x.reshape(-1, r, 3).mean(axis=1))
    for w in (1, 3, 9, 10, 41):
        for n in (1, 5, 40, 3000):
            v = rng.random(n) * 5
            if n == 40:
                v[[3, 17]] = np.nan
            ref = pd.Series(v).rolling(w, center=True, min_periods=1).max().to_numpy()
            assert np.array_equal(_centred_max(v, w), ref, equal_nan=True)
    x = rng.normal(size=(500, 3))
    for width in (0, 1, 37, 500, 600):
        lo = np.concatenate([rng.integers(0, 500, 20), [0, 499, max(0, 500 - width)]])
        at = lo[:, None] + np.arange(width)
        inside = at < 500
        got = _row_windows(x, lo, width)
        assert got.shape == (len(lo), width, 3)
        assert np.array_equal(got[inside], x[at[inside]])


def test_posture_runs_and_tilt_edges_pinned_on_a_simulated_recording() -> None:
    """Posture runs (on gravity and on the sharp orientation) and their located edges on a
    simulated accelerometer recording with every confounder: the same runs, sample for
    sample, as before their arithmetic was rearranged (digest made on main at ec4aa1e)."""
    import hashlib

    from movement.segment import posture_runs, tilt_edges
    from movement.simulate import simulate

    sim = simulate("accel", 900.0, 11, confounders="all")
    cfg = AccelConfig()
    pre = preprocess(sim.recording, cfg)
    g, o = pre.gravity[:, 0, :], pre.orientation[:, 0, :]
    h = hashlib.sha256()
    counts = []
    for sig, steady_s in ((g, 1.0), (o, cfg.posture_sharp_steady_s)):
        runs = posture_runs(
            sig,
            100.0,
            cfg.baseline_window_s,
            cfg.posture_min_deg * cfg.posture_on_fraction,
            cfg.posture_min_deg * cfg.posture_off_fraction,
            cfg.posture_steady_deg,
            steady_s,
        )
        edges = tilt_edges(
            o,
            runs,
            100.0,
            1.0 / (2.0 * cfg.gravity_cutoff_hz),
            cfg.posture_edge_fraction,
            cfg.posture_min_deg * cfg.posture_off_fraction,
            require_change=True,
        )
        counts += [len(runs), len(edges)]
        h.update(np.ascontiguousarray(runs, dtype="<i8").tobytes())
        h.update(np.ascontiguousarray(edges, dtype="<i8").tobytes())
    assert counts == [23, 8, 29, 17]
    assert h.hexdigest() == "1b0d4d83f3c1812bc016120995795ff5fef63b1ea1e4112a575c75642bd8890b"


def test_hysteresis_runs_equals_the_search_over_strong_samples() -> None:
    """Keeping runs by one ``logical_or`` per stretch [start_i, start_{i+1}) gives the runs
    of the previous search among the samples above ``on`` (blocks or samples, thresholds
    that cross, no strong sample at all)."""
    from movement.segment import _exceeds, hysteresis_runs, mask_to_runs

    def by_search(x: np.ndarray, on: np.ndarray, off: np.ndarray, block: int) -> np.ndarray:
        runs = mask_to_runs(_exceeds(x, off, block))
        strong = np.flatnonzero(_exceeds(x, on, block))
        if not len(runs) or not len(strong):
            return np.empty((0, 2), dtype=np.int64)
        starts, stops = runs[:, 0], runs[:, 1]
        nxt = np.append(starts[1:], x.shape[0])
        i = np.searchsorted(strong, starts)
        keep = (i < len(strong)) & (strong[np.minimum(i, len(strong) - 1)] < nxt)
        return np.stack([starts[keep], stops[keep]], axis=1)

    rng = np.random.default_rng(6)
    for trial in range(300):
        block = int(rng.choice([1, 1, 4, 50]))
        n = int(rng.integers(1, 3000))
        nb = -(-n // block)
        x = np.abs(rng.normal(size=n)).cumsum() % 3.0 if trial % 2 else rng.random(n) * 3
        off = rng.uniform(0.5, 2.0, nb)
        on = off + rng.uniform(-0.3 if trial % 3 == 0 else 0.0, 1.5, nb)
        got = hysteresis_runs(x, on, off, block=block)
        ref = by_search(x, on, off, block)
        assert got.dtype == np.int64 and got.shape[1] == 2
        assert np.array_equal(got, ref)


def test_rest_after_a_gap_is_not_far_above_a_zero_baseline() -> None:
    # 5 min of quiet 2-channel EMG with a 40 s drop-out (<= 60 s: filled, not split): the
    # gap's zeroed envelope must not pull the rest level to 0 and make the quiet signal
    # after it a contraction (before: a 'dystonia-like' event at ~200 dB SNR)
    rng = np.random.default_rng(35)
    fs = 1000.0
    x = rng.normal(0, 0.01, (int(300 * fs), 2))
    x[int(120 * fs) : int(160 * fs)] = np.nan
    rec = Recording(x, fs=fs, modality="emg")
    import movement

    ev = movement.score(rec, model="rules")
    assert not (ev["snr_db"] > 20).any(), ev[["onset", "duration", "snr_db"]]
    assert not (ev["trial_type"] == "dystonia-like").any()
    from movement.segment import rest_levels

    level = rest_levels(preprocess(rec, EMGConfig()), EMGConfig())
    after = level[int(161 * fs) : int(190 * fs)]
    before = level[int(60 * fs) : int(110 * fs)]
    assert after.min() > 0.5 * np.median(before)
