"""The faster accelerometer helpers give the values of the code they replace."""

from __future__ import annotations

import numpy as np
import pytest

from movement.features import _seg_reduce, _tilt_hold
from movement.preprocess import DecimatedLowpass, _lowpass_decimated, lowpass
from movement.segment import _block_means, _hop_window_sums, _norm3, mask_to_runs, periodic_runs


def _old_mask_to_runs(mask: np.ndarray) -> np.ndarray:
    d = np.diff(np.concatenate(([False], mask, [False])).astype(np.int8))
    return np.stack([np.flatnonzero(d == 1), np.flatnonzero(d == -1)], axis=1)


def test_mask_to_runs_matches_padded_diff() -> None:
    rng = np.random.default_rng(0)
    for n in (0, 1, 2, 5, 200):
        for _ in range(50):
            m = rng.random(n) < rng.random()
            got, want = mask_to_runs(m), _old_mask_to_runs(m)
            assert got.shape == want.shape and got.dtype == want.dtype
            assert np.array_equal(got, want)


def test_norm3_equals_linalg_norm() -> None:
    rng = np.random.default_rng(1)
    for shape in ((1000, 3), (20, 30, 3), (0, 3)):
        v = rng.standard_normal(shape) * 3.0
        assert np.array_equal(_norm3(v), np.linalg.norm(v, axis=-1, keepdims=True))


@pytest.mark.parametrize("layout", ["C", "F"])
def test_block_means_equal_reshape_mean(layout: str) -> None:
    rng = np.random.default_rng(2)
    x = rng.standard_normal((10_007, 3)) + 1.0
    if layout == "F":
        x = np.ascontiguousarray(x.T).T
    for b in (2, 4, 25):
        nb = len(x) // b
        assert np.array_equal(_block_means(x, b), x[: nb * b].reshape(nb, b, 3).mean(axis=1))


@pytest.mark.parametrize(
    ("n", "win", "hop"),
    # whole hops (100 Hz), 85.7 Hz's 257 samples every 43, 25 Hz's 75 every 12, a window
    # shorter than its hop, and the last window ending at the last sample
    [(5000, 300, 50), (5000, 257, 43), (1000, 75, 12), (100, 5, 7), (300, 257, 43)],
)
def test_hop_window_sums_match_direct_sums(n: int, win: int, hop: int) -> None:
    rng = np.random.default_rng(3)
    osc = rng.standard_normal((n, 3)) * 0.01
    m = (len(osc) - win) // hop + 1
    s1, s2 = _hop_window_sums(osc, win, hop, m)
    view = np.lib.stride_tricks.sliding_window_view(osc, win, axis=0)[::hop]
    assert s1.shape == (m, 3) and s2.shape == (m,)
    np.testing.assert_allclose(s1, view.sum(axis=2), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(s2, np.einsum("mkw,mkw->m", view, view), rtol=1e-12)


def test_periodic_runs_finds_tremor_with_block_sums() -> None:
    fs = 100.0
    t = np.arange(12_000) / fs
    x = np.column_stack([0.01 * np.sin(2 * np.pi * 5.5 * t) * (t > 40), 0 * t, 0 * t])
    runs = periodic_runs(x, fs, 3.0, (3.0, 12.0), 0.3, 0.002, 0.5)
    assert len(runs) == 1 and abs(runs[0, 0] / fs - 40) < 1.5 and runs[0, 1] == len(t)


@pytest.mark.parametrize("fs", [25.0, 30.0, 50.0, 64.0, 85.7, 90.0, 100.0, 128.0, 12.5, 75.0])
def test_periodicity_windows_have_fast_fft_lengths_and_find_tremor(fs: float) -> None:
    """The window is ``3 s * fs`` rounded where that length is 5-smooth (the common rates:
    unchanged), else the nearest 5-smooth length (85.7 Hz: 256 samples, not the prime
    257), within a few samples of 3 s; a 5.5 Hz tremor from 40 s on is found there."""
    from scipy import fft as sfft

    from movement.segment import periodic_window

    win = periodic_window(fs, 3.0)
    assert sfft.next_fast_len(win, real=True) == win
    assert abs(win - round(3.0 * fs)) <= max(2, 0.05 * 3.0 * fs)  # (12.5 Hz: 40 for 38)
    if sfft.next_fast_len(round(3.0 * fs), real=True) == round(3.0 * fs):
        assert win == round(3.0 * fs)
    t = np.arange(int(120 * fs)) / fs
    x = np.column_stack([0.01 * np.sin(2 * np.pi * 5.5 * t) * (t > 40), 0 * t, 0 * t])
    runs = periodic_runs(x, fs, 3.0, (3.0, 12.0), 0.3, 0.002)
    assert len(runs) == 1 and abs(runs[0, 0] / fs - 40) < 2.0 and runs[0, 1] == len(t)


def test_seg_reduce_several_windows_to_the_end() -> None:
    x = np.arange(10, dtype=float)
    start = np.array([7, 2, 8, 0])
    stop = np.array([10, 5, 10, 10])
    got = _seg_reduce(np.add, x, start, stop)
    assert got.tolist() == [x[7:].sum(), x[2:5].sum(), x[8:].sum(), x.sum()]
    assert _seg_reduce(np.maximum, x, start, stop).tolist() == [9.0, 4.0, 9.0, 9.0]


def test_decimated_lowpass_rows_equal_full_interpolation() -> None:
    rng = np.random.default_rng(4)
    for n, q, k in ((5003, 4, 3), (2000, 3, 6), (100, 4, 3)):
        x = np.cumsum(rng.standard_normal((n, k)), axis=0) * 0.01 + 1.0
        full = _lowpass_decimated(x, 100.0, 1.0, 2, q) if n >= 64 * q else lowpass(x, 100.0, 1.0, 2)
        rows = np.r_[rng.integers(0, n, 500), np.arange(3 * q), np.arange(n - 3 * q, n)]
        assert np.array_equal(DecimatedLowpass(x, 100.0, 1.0, 2, q).rows(rows), full[rows])


def test_tilt_hold_reads_a_decimated_lowpass_like_its_array() -> None:
    fs = 100.0
    n = 6000
    a = np.radians(20) * np.clip((np.arange(n) / fs - 20) / 0.5, 0, 1) * (np.arange(n) < 4000)
    o = np.column_stack([0 * a, np.sin(a), np.cos(a)])
    lp = DecimatedLowpass(o, fs, 1.0, 2, 4)
    arr = _lowpass_decimated(o, fs, 1.0, 2, 4)[:, None, :]
    start, stop, main = np.array([1900, 3000]), np.array([4200, 3500]), np.zeros(2, int)
    got = _tilt_hold(lp, main, start, stop, fs)
    assert np.array_equal(got, _tilt_hold(arr, main, start, stop, fs), equal_nan=True)
    assert 0.7 < got[0] < 1.0


def test_heap_reuse_is_a_context_that_restores() -> None:
    from movement._memory import heap_reuse as _heap_reuse

    with _heap_reuse():
        a = np.ones((1 << 20, 3))
        del a
    with pytest.raises(ValueError), _heap_reuse():
        raise ValueError("propagates")


def test_heap_reuse_switches_numpy_hugepages_off_and_back() -> None:
    import sys

    from movement._memory import heap_reuse as _heap_reuse
    from movement._memory import set_hugepage as _set_hugepage

    before = _set_hugepage(True)
    if before is None:
        pytest.skip("this numpy has no hugepage switch")
    try:
        with _heap_reuse():
            inner = _set_hugepage(False)  # reads the setting (and keeps it off)
            with _heap_reuse():  # nested: the outer use owns the setting
                assert _set_hugepage(False) is False
        assert inner is (False if sys.platform.startswith("linux") else True)
        assert _set_hugepage(True) is True  # restored on exit
    finally:
        _set_hugepage(before)


def test_decimated_lowpass_falls_back_to_full_rate_for_a_high_cutoff() -> None:
    rng = np.random.default_rng(5)
    x = rng.standard_normal((4000, 3))
    lp = DecimatedLowpass(x, 100.0, 5.0, 2, 4)  # 5 Hz > 25 Hz / 10
    rows = np.arange(0, 4000, 7)
    assert np.array_equal(lp.rows(rows), lowpass(x, 100.0, 5.0, 2)[rows])


def test_decimated_lowpass_of_a_sum_is_that_of_the_summed_array(monkeypatch) -> None:
    # x + plus is never built whole: row-major, channels-first and mixed operands, over
    # several chunks of blocks and a partial last block, give the sum's values exactly
    from movement import preprocess

    monkeypatch.setattr(preprocess, "_SUM_BLOCKS", 64)
    rng = np.random.default_rng(6)
    for n, q, k in ((5003, 4, 3), (2001, 3, 6), (1280, 2, 1)):
        a = np.cumsum(rng.standard_normal((n, k)), axis=0) * 0.01 + 1.0
        b = rng.standard_normal((n, k)) * 0.05
        want = DecimatedLowpass(a + b, 100.0, 1.0, 2, q)
        for x, plus in (
            (a, b),
            (np.asfortranarray(a), np.asfortranarray(b)),
            (a, np.asfortranarray(b)),
            (np.asfortranarray(a), b),
        ):
            got = DecimatedLowpass(x, 100.0, 1.0, 2, q, plus=plus)
            assert np.array_equal(got.y, want.y) and np.array_equal(got.centres, want.centres)
