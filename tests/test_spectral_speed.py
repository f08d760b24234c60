"""The cheaper spectral work of the accelerometer path gives the statistics it replaces.

``periodic_runs``' ratio is taken in float32 on the bins it reads (within ~1e-6 of the
float64 arithmetic); windows below the RMS floor are not transformed (the same runs);
``spectral_features`` builds its tapers once per length, reads its windows as rows of a
strided view and takes the autocorrelation from a transform just long enough for the lags
it reads (the same values up to rounding).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import fft as sfft

from movement.features import _hann_rows, _window_rows, spectral_features
from movement.segment import _periodic_ratio, periodic_runs


def _reference_ratio(osc: np.ndarray, fs: float, win: int, hop: int, band: tuple) -> np.ndarray:
    """The periodicity ratio by the book: float64 windows, mean removed, Hann, full rfft."""
    view = np.lib.stride_tricks.sliding_window_view(osc, win, axis=0)[::hop]
    seg = view - view.mean(axis=2, keepdims=True)
    spec = sfft.rfft(seg * np.hanning(win), axis=2)
    power = (np.abs(spec) ** 2).sum(axis=1)
    freqs = sfft.rfftfreq(win, 1 / fs)
    tot = power[:, (freqs >= 1.0) & (freqs <= 15.0)].sum(axis=1)
    idx = np.flatnonzero((freqs >= band[0]) & (freqs <= band[1]))
    pk = idx[np.argmax(power[:, idx], axis=1)]
    near = np.abs(freqs[None, :] - freqs[pk][:, None]) <= 0.5 + 1e-9
    return (power * near).sum(axis=1) / tot


def _signal(rng: np.random.Generator, n: int, fs: float) -> np.ndarray:
    t = np.arange(n) / fs
    x = rng.standard_normal((n, 3)) * 0.01 + np.array([0.1, -0.5, 0.9])  # noise + gravity
    x[:, 0] += 0.03 * np.sin(2 * np.pi * 5.5 * t) * (t > n / fs / 2)  # a tremor half-way
    x[:, 1] += 0.02 * np.sin(2 * np.pi * (3.0 + t / 20) * t)  # a drifting rhythm
    return np.ascontiguousarray(x.T).T  # channels-first, as the preprocessing gives


@pytest.mark.parametrize("hop", [50, 70])
def test_periodic_ratio_matches_float64_reference(hop: int) -> None:
    rng = np.random.default_rng(0)
    fs, win = 100.0, 300
    osc = _signal(rng, 20_000, fs)
    view = np.lib.stride_tricks.sliding_window_view(osc, win, axis=0)[::hop]
    mean = view.mean(axis=2)
    todo = np.ones(len(mean), bool)
    got = _periodic_ratio(osc, fs, win, hop, (3.0, 12.0), mean, todo)
    want = _reference_ratio(osc, fs, win, hop, (3.0, 12.0))
    assert got.dtype == np.float64 and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-5)
    assert want.min() < 0.2 and want.max() > 0.8  # both kinds of window were tested


def test_periodic_ratio_only_computes_the_windows_asked_for() -> None:
    rng = np.random.default_rng(1)
    fs, win, hop = 100.0, 300, 50
    osc = _signal(rng, 12_000, fs)
    view = np.lib.stride_tricks.sliding_window_view(osc, win, axis=0)[::hop]
    mean = view.mean(axis=2)
    every = _periodic_ratio(osc, fs, win, hop, (3.0, 12.0), mean, np.ones(len(mean), bool))
    todo = rng.random(len(mean)) < 0.3
    some = _periodic_ratio(osc, fs, win, hop, (3.0, 12.0), mean, todo)
    assert np.isnan(some[~todo]).all()
    np.testing.assert_allclose(some[todo], every[todo], rtol=1e-6, atol=0)
    none = _periodic_ratio(osc, fs, win, hop, (3.0, 12.0), mean, np.zeros(len(mean), bool))
    assert np.isnan(none).all()


def test_periodic_runs_skip_quiet_windows_with_the_same_runs() -> None:
    rng = np.random.default_rng(2)
    fs = 100.0
    n = 30_000
    t = np.arange(n) / fs
    # quiet (below the floor) except a tremor bout and a louder noisy stretch
    x = rng.standard_normal((n, 3)) * 0.0003
    x[(t > 60) & (t < 120), 0] += 0.01 * np.sin(2 * np.pi * 6.0 * t[(t > 60) & (t < 120)])
    x[(t > 200) & (t < 250)] += rng.standard_normal((int(((t > 200) & (t < 250)).sum()), 3)) * 0.01
    runs = periodic_runs(x, fs, 3.0, (3.0, 12.0), 0.3, 0.0015, 0.5)
    # the same decisions from every window's ratio
    win, hop = 300, 50
    view = np.lib.stride_tricks.sliding_window_view(x, win, axis=0)[::hop]
    ratio = _reference_ratio(x, fs, win, hop, (3.0, 12.0))
    rms = view.std(axis=2)
    rms = np.sqrt((rms**2).sum(axis=1))
    periodic = (ratio >= 0.3) & (rms >= 0.0015)
    marked = np.zeros(n, bool)
    for lo, hi in runs:
        marked[lo:hi] = True
    centres = np.arange(len(view)) * hop + win // 2
    assert np.array_equal(marked[centres], periodic)
    assert len(runs) == 1 and abs(runs[0, 0] / fs - 60) < 1.5 and abs(runs[0, 1] / fs - 120) < 1.5


def test_hann_rows_equal_the_row_by_row_taper() -> None:
    lens = np.array([200, 7, 200, 256, 1, 200, 31])
    width = 256
    taper, valid = _hann_rows(lens, width)
    j = np.arange(width)
    for row, length in enumerate(lens):
        want = np.where(j < length, 0.5 - 0.5 * np.cos(2 * np.pi * j / max(length - 1, 1)), 0.0)
        assert np.array_equal(taper[row], want)
        assert np.array_equal(valid[row], j < length)


def test_window_rows_equal_clipped_fancy_index() -> None:
    col = np.arange(1000, dtype=float) * 0.5
    for w0 in (np.array([0, 10, 500, 700]), np.array([0, 990, 999, 400])):
        got = _window_rows(col, w0, 300)
        idx = np.minimum(w0[:, None] + np.arange(300)[None, :], len(col) - 1)
        assert np.array_equal(got, col[idx])


def _reference_regularity(x: np.ndarray, w0: int, length: int) -> float:
    """First autocorrelation peak after the first zero crossing, by direct correlation."""
    seg = x[w0 : w0 + length] - x[w0 : w0 + length].mean(axis=0)
    acf = np.array([(seg[: length - lag] * seg[lag:]).sum() for lag in range(length // 2 + 1)])
    r = np.clip(acf / acf[0] * length / (length - np.arange(len(acf))), -1, 1)
    neg = np.flatnonzero(r < 0)
    if len(neg) == 0:
        return 0.0
    return max(float(r[neg[0] :].max()), 0.0)


def test_spectral_features_regularity_from_a_short_transform() -> None:
    rng = np.random.default_rng(3)
    fs = 100.0
    t = np.arange(20_000) / fs
    x = np.column_stack(
        [
            np.sin(2 * np.pi * 5.0 * t) + 0.5 * rng.standard_normal(len(t)),
            0.3 * rng.standard_normal(len(t)),
            np.sin(2 * np.pi * 7.3 * t + 1.0) * (t % 10 < 5),
        ]
    )
    start = np.array([100, 1000, 5000, 9000, 15_000, 19_900])
    stop = np.array([150, 1300, 5600, 10_000, 16_900, 20_000])
    f = spectral_features(x, fs, start, stop, (0.5, 15.0), (3.0, 8.0), 2.0, 8.0)
    length = np.clip(stop - start, 200, 800)
    short = stop - start < length  # widened around the segment's centre
    w0 = np.where(short, (start + stop) // 2 - length // 2, start)
    w0 = np.clip(w0, 0, len(t) - length)
    for i in range(len(start)):
        want = _reference_regularity(x, w0[i], length[i])
        assert f["regularity"][i] == pytest.approx(want, abs=1e-12)
