"""Segmentation: robust adaptive baseline, double threshold, minimum duration, gap merging.

Works on envelopes shaped (n_samples, n_sites). Two time scales are segmented:
brief events on the short envelope and sustained activity on the long one; brief
segments inside sustained ones are absorbed. Segments are found per site, then
combined across sites into one row per event (``channel`` lists the sites).
All steps are vectorised over samples; loops run over sites only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import fft as sfft

from .config import AccelConfig, EMGConfig
from .preprocess import BlockRows, Preprocessed, _cumsum0

__all__ = [
    "Segmentation",
    "periodic_runs",
    "rest_levels",
    "posture_runs",
    "tilt_edges",
    "snap_to_edges",
    "trim_to_peak",
    "run_samples",
    "absorb_bursts",
    "runs_to_mask",
    "mask_to_runs",
    "robust_baseline",
    "thresholds",
    "hysteresis_runs",
    "merge_runs",
    "energy_threshold",
    "muap_runs",
    "sustained_energy_runs",
    "active_fraction",
    "whitened_power",
    "segment",
]

_MAD = 1.4826  # MAD to SD for Gaussian noise
_CHI2_1_MEDIAN = 0.454936423119572  # median of chi-square(1): median(y^2) / var(y), Gaussian y
#: Longest energy window (samples) whose threshold uses the correlation matrix's eigenvalues
_EIG_MAX = 128
_BLOCK_S = 0.5
#: Width (Hz) of the groups of spectral bins whose running median :func:`whiten` takes.
_WHITEN_BIN_HZ = 4.0
#: A whitening centre whose (median) power is at most this fraction of the loudest block
#: spectrum in its window holds no signal (a filled gap: rounding noise, ~1e-30 of it; a
#: real quiet stretch is within ~1e-8 of the loudest, 80 dB) [E]
_SILENT_POWER = 1e-20
#: Blocks between the centres at which :func:`whiten`'s running median (and filter) is
#: evaluated (5 s: a twelfth of its 60 s window); each block takes its nearest centre's.
_WHITEN_HOP_BLOCKS = 10
#: Posture blocks (s), and how many make a block of the posture reference (1 s).
_POSTURE_BLOCK_S = 0.25
_POSTURE_REF_BLOCKS = 4
#: ... and for :func:`twitch_runs` (50 s: a sixth of the accelerometer's 5 min baseline
#: window, over which the background moves little), whose background spectrum is the
#: running median of the spectra of every other 0.5 s block (300 spectra in 5 min: the
#: median of 300 is as robust as that of 600). Against 25 s and every block: ~20 % less
#: CPU time in the detector (~0.2 s on the 24 h benchmark recording, 2.8 % of its events
#: moved); dev seeds (heldout_metrics seed 700000, 8 x 5 min; 12 x 30 min per SNR, all
#: confounders) F1 unchanged within noise, rules and model [E]
_TWITCH_WHITEN_HOP_BLOCKS = 100
_TWITCH_SPECTRA_EVERY = 2
#: Samples per block that the block statistics read at the most (about; a stride).
_BLOCK_READS = 100


def robust_baseline(
    env: np.ndarray, fs: float, window_s: float, quantile: float = 0.25
) -> tuple[np.ndarray, np.ndarray]:
    """Adaptive rest level and spread of an envelope (per sample, per site).

    The envelope is cut into 0.5 s blocks; each block gives its median and MAD (read
    from about 100 evenly spaced samples of a longer block).
    Over a sliding window of ``window_s`` the ``quantile`` of block medians is the
    rest level (robust when activity fills much of the window) and the same
    quantile of block MADs is the spread. Returns arrays shaped like ``env``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> env = np.abs(rng.normal(1.0, 0.1, (10000, 1)))
    >>> level, spread = robust_baseline(env, fs=100, window_s=30)
    >>> bool(0.9 < level.mean() < 1.05)
    True
    """
    lvl, spr, b = _block_baseline(env, fs, window_s, quantile)
    n = env.shape[0]
    return np.repeat(lvl, b, axis=0)[:n], np.repeat(spr, b, axis=0)[:n]


def _block_median(blocks: np.ndarray, columns_first: bool = False) -> np.ndarray:
    """``np.median(blocks, axis=1)`` by partial sorting (the same values, without NaN checks).

    The order statistics around the middle are found on a (columns, blocks, samples)
    copy whose blocks are contiguous: sorted as integer keys where it can
    (:func:`_order_keys`), else by ``np.partition``; for an even block length the median
    is the mean of the two middle ones, as in ``np.median``. With ``columns_first``,
    ``blocks`` is already such a (columns, blocks, samples) array, C-ordered, that may be
    overwritten (no copy is made).
    """
    if columns_first:
        bt = blocks
        b = blocks.shape[2]
    else:
        b = blocks.shape[1]
        bt = blocks.transpose(2, 0, 1).copy()
    h = b // 2
    keys = _order_keys(bt)
    if keys.dtype.kind == "i":
        # integer keys: a (SIMD) sort of such short rows is cheaper than a partition
        keys.sort(axis=2)
        below = keys[:, :, h - 1] if b % 2 == 0 else None
    else:
        keys.partition(h, axis=2)
        # one kth (several are ~5x slower): the element below the middle is the largest
        # of the lower part
        below = keys[:, :, :h].max(axis=2) if b % 2 == 0 else None
    mid = keys[:, :, h].view(bt.dtype)
    if b % 2:
        return mid.T
    return ((below.view(bt.dtype) + mid) / 2).T


def _block_baseline(
    env: np.ndarray | BlockRows,
    fs: float,
    window_s: float,
    quantile: float,
    spread: bool = True,
    overwrite: bool = False,
    exclude: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None, int]:
    """:func:`robust_baseline` per 0.5 s block: (level, spread, block length in samples).

    ``exclude`` (n,) bool: samples that are no signal (gaps, whose envelope preprocessing
    set to 0): blocks more than a tenth excluded are left out of the running quantiles
    (a few dropouts' zeros barely move a block's median), and a block with
    no other block in reach takes the nearest level (a gap's zeros would otherwise pull
    the rest level down to 0, and everything after the gap would stand far above it).

    ``spread=False`` skips the block MADs (the spread is then ``None``). ``overwrite``:
    ``env`` may be changed (the samples of each block are then sorted in place when its
    layout allows, instead of in a copy; a block's median and MAD do not depend on the
    order of its samples).
    """
    n, k = env.shape
    b = max(1, int(round(_BLOCK_S * fs)))
    nb = int(np.ceil(n / b))
    pad = nb * b - n
    # an envelope is smooth (RMS over >= 10 ms): beyond ~100 samples a block holds no
    # more independent values, so long blocks (EMG at kHz rates) are read at a stride
    stride = max(1, b // _BLOCK_READS)
    if isinstance(env, BlockRows):  # (values held per block: the same values read)
        blocks = env.strided(b, stride, nb)
    else:
        padded = np.concatenate([env, np.repeat(env[-1:], pad, axis=0)]) if pad else env
        blocks = padded.reshape(nb, b, k)[:, ::stride, :]
    if (
        overwrite
        and not pad
        and stride == 1
        and isinstance(env, np.ndarray)
        and env.T.flags.c_contiguous
    ):
        # channels-first memory: the (columns, blocks, samples) layout the median sorts
        med = _block_median(env.T.reshape(k, nb, b), columns_first=True)
    else:
        med = _block_median(blocks)
    w = max(1, int(round(window_s / _BLOCK_S)))

    def level(v: np.ndarray) -> np.ndarray:
        if nb <= w:
            return np.quantile(v, quantile, axis=0, keepdims=True).repeat(nb, axis=0)
        return _rolling_quantile(v, w, quantile, max(1, w // 4))

    bad = None
    if exclude is not None and exclude.shape[0] == n and exclude.any():
        ex = np.concatenate([exclude, np.zeros(pad, bool)]) if pad else exclude
        # a block is left out when more than a tenth of it is missing: a few dropouts'
        # zeros barely move its median, and leaving out every block they touch left
        # no block to take a level from in a recording with dense dropouts
        bad = ex.reshape(nb, b).sum(axis=1) > 0.1 * b
        if not bad.any():
            bad = None
        elif bad.all():
            bad = None  # nothing else to take the level from

    def level_of(v: np.ndarray) -> np.ndarray:
        out = np.array(level(v))  # (a writable copy)
        if bad is None:
            return out
        vv = v.copy()
        vv[bad] = np.nan
        if nb <= w:
            with np.errstate(all="ignore"):
                alt = np.nanquantile(vv, quantile, axis=0, keepdims=True).repeat(nb, axis=0)
            near = np.ones(nb, dtype=bool)
        else:
            # only the rows whose window holds an excluded block change (the same values
            # elsewhere: a stream window without the gap computes them alike)
            a = w // 2
            cb = np.concatenate([[0], np.cumsum(bad)])
            r = np.arange(nb)
            near = cb[np.clip(r - a + w, 0, nb)] - cb[np.clip(r - a, 0, nb)] > 0
            alt = _rolling_quantile(vv, w, quantile, max(1, w // 4))  # (pandas: NaN left out)
        plain = out.copy()
        out[near] = alt[near]
        for c in range(out.shape[1]):  # loop over columns: blocks out of reach of any
            miss = np.isnan(out[:, c])
            if miss.all():
                # too few blocks without a gap anywhere (a recording full of gaps): the
                # level with them
                out[:, c] = plain[:, c]
            elif miss.any():
                ok = np.flatnonzero(~miss)
                out[miss, c] = np.interp(np.flatnonzero(miss), ok, out[ok, c])
        return out

    if not spread:
        return level_of(med), None, b
    # the absolute deviations written straight in the (columns, blocks, samples) layout
    # that the median sorts (the same values; no second copy)
    dev = np.subtract(blocks.transpose(2, 0, 1), med.T[:, :, None])
    mad = _block_median(np.abs(dev, out=dev), columns_first=True)
    return level_of(med), level_of(mad) * _MAD, b


def _rolling_quantile(
    v: np.ndarray, window: int, quantile: float | None, min_periods: int
) -> np.ndarray:
    """``pd.DataFrame(v).rolling(window, center=True, min_periods=min_periods)
    .quantile(quantile)`` of ``v`` (n, k), or ``.median()`` with ``quantile=None``: the
    same values, several times faster.

    Rows whose window lies whole in ``v``: the two order statistics that pandas reads
    from its sorted window (quantile: ranks ``i`` and ``i + 1``, ``i = int(quantile *
    (window - 1))``; median: the middle one, or the two middle ones of an even window)
    from :func:`scipy.ndimage.rank_filter` (a sliding order statistic, exact), combined
    by pandas' formula (``low + (high - low) * (quantile * (window - 1) - i)``; ``(high +
    low) / 2``); the rows whose window an end of ``v`` cuts (fewer values): pandas on
    that end's ``window`` rows (their windows lie in them). Arrays with NaN (pandas
    leaves them out of a window) or infinities, not float64, or not longer than the
    window: pandas throughout.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> v = np.random.default_rng(0).random((400, 2))
    >>> ref = pd.DataFrame(v).rolling(60, center=True, min_periods=15).quantile(0.1)
    >>> bool(np.array_equal(_rolling_quantile(v, 60, 0.1, 15), ref.to_numpy()))
    True
    """
    from scipy import ndimage

    n, k = v.shape

    def by_pandas(x: np.ndarray) -> np.ndarray:
        r = pd.DataFrame(x).rolling(window, center=True, min_periods=min_periods)
        return (r.median() if quantile is None else r.quantile(quantile)).to_numpy()

    if n <= window + 1 or v.dtype != np.float64 or not np.isfinite(v).all():
        return by_pandas(v)
    a = window // 2  # pandas' centred window of row r: [r - a, r - a + window)
    b = window - a
    if quantile is None:  # the middle value, or the mean of the two middle ones
        frac, i = (None, window // 2) if window % 2 else (0.5, window // 2 - 1)
    else:
        frac = quantile * (window - 1)
        i = int(frac)
    out = np.empty((n, k))
    for c in range(k):  # loop over columns
        col = np.ascontiguousarray(v[:, c])
        low = ndimage.rank_filter(col, i, size=window)[a : n - b + 1]
        if frac is None or frac == i:
            out[a : n - b + 1, c] = low
            continue
        high = ndimage.rank_filter(col, i + 1, size=window)[a : n - b + 1]
        if quantile is None:
            out[a : n - b + 1, c] = (high + low) / 2
        else:
            out[a : n - b + 1, c] = low + (high - low) * (frac - i)
    # the ends: the rows whose window is cut, from pandas on the window-long end pieces
    out[:a] = by_pandas(v[:window])[:a]
    if b > 1:
        out[n - b + 1 :] = by_pandas(v[n - window :])[window - b + 1 :]
    return out


def thresholds(
    level: np.ndarray,
    spread: np.ndarray,
    k_on: float,
    k_off: float,
    min_snr_on_db: float,
    floor: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """On and off thresholds: ``level + k·spread``, at least ``min_snr_on_db`` above level.

    The off threshold uses half the dB margin. ``floor`` is an absolute lower bound
    of the on threshold above the level (sensor noise).
    """
    r_on = 10 ** (min_snr_on_db / 20) - 1
    r_off = 10 ** (min_snr_on_db / 40) - 1
    on = level + np.maximum(np.maximum(k_on * spread, r_on * level), floor)
    off = level + np.maximum(
        np.maximum(k_off * spread, r_off * level), floor * k_off / max(k_on, 1e-9)
    )
    return on, np.minimum(off, on)


def energy_threshold(rho: np.ndarray, window: int, p_exceed: float) -> np.ndarray:
    """Threshold of a ``window``-sample mean of squared Gaussian noise, in noise powers.

    For Gaussian noise of unit power and autocorrelation ``rho``, the mean of ``w``
    squared samples is a weighted sum of chi-square(1) variables whose weights are
    the eigenvalues of the window's correlation matrix over ``w``. Its value exceeded
    with probability ``p_exceed`` comes from the Liu-Tang-Zhang (2009) approximation
    (a chi-square matched on the first four cumulants, which holds in the far tail);
    windows longer than ``_EIG_MAX`` samples use the two-moment (Satterthwaite)
    chi-square(nu) / nu, ``nu = w**2 / sum_m (w - |m|) rho[m]**2``. White noise gives
    chi-square(w) / w exactly.

    Parameters
    ----------
    rho : ndarray (k, >= window)
        Autocorrelations (lag 0 = 1), one row per block.
    window : int
    p_exceed : float

    Returns
    -------
    ndarray (k,)

    Examples
    --------
    >>> import numpy as np
    >>> white = np.eye(1, 32)
    >>> [round(float(t), 2) for t in energy_threshold(white, 16, 1e-7)]
    [4.01]
    """
    from scipy import stats

    w = max(1, int(window))
    k = rho.shape[0]
    if w > _EIG_MAX:
        m = np.arange(1, w)
        r = rho[:, 1:w]
        nu = w * w / (w + 2.0 * (r * r) @ (w - m).astype(float))
        return stats.chi2.isf(p_exceed, nu) / nu
    # rows are near-identical in time (a running median): solve each distinct row once
    uniq, inv = np.unique(np.round(rho[:, :w], 6), axis=0, return_inverse=True)
    lag = np.abs(np.arange(w)[:, None] - np.arange(w)[None, :])
    # the power sums of the eigenvalues of R / w are traces of its powers (R symmetric,
    # positive semi-definite: a principal block of the circulant of a spectrum >= 0):
    # no eigendecomposition (tr R^3 = sum(R^2 * R), tr R^4 = ||R^2||_F^2)
    mat = uniq[:, lag] / w  # (u, w, w)
    sq = mat @ mat
    c1 = np.trace(mat, axis1=1, axis2=2)
    c2 = np.einsum("ijk,ijk->i", mat, mat)
    c3 = np.einsum("ijk,ijk->i", sq, mat)
    c4 = np.einsum("ijk,ijk->i", sq, sq)
    s1, s2 = c3 / c2**1.5, c4 / c2**2
    big = s1 * s1 > s2
    a = np.where(big, 1.0 / (s1 - np.sqrt(np.maximum(s1 * s1 - s2, 0.0))), 1.0 / s1)
    delta = np.where(big, s1 * a**3 - a * a, 0.0)
    dof = np.where(big, a * a - 2 * delta, 1.0 / (s1 * s1))
    # (the non-central quantile only where there is a non-centrality: the same values)
    q = np.asarray(stats.chi2.isf(p_exceed, dof), dtype=float).reshape(-1)
    pos = np.asarray(delta > 0).reshape(-1)
    if pos.any():
        q[pos] = stats.ncx2.isf(p_exceed, np.reshape(dof, -1)[pos], np.reshape(delta, -1)[pos])
    t = (q - (dof + delta)) / (np.sqrt(2.0) * a) * np.sqrt(2 * c2) + c1
    return np.asarray(t, dtype=float).reshape(-1)[np.asarray(inv).reshape(-1)][:k]


def _levinson(r: np.ndarray) -> np.ndarray:
    """Prediction-error filters ``[1, a1..ap]`` from autocorrelations ``r`` (m, p + 1).

    Levinson-Durbin recursion, vectorised over rows (loops over the order only).
    """
    m, p1 = r.shape
    a = np.zeros((m, p1))
    a[:, 0] = 1.0
    err = r[:, 0].copy()
    for k in range(1, p1):  # loop over the model order
        acc = np.einsum("ij,ij->i", a[:, :k], r[:, k:0:-1])
        refl = -acc / np.maximum(err, 1e-300)
        a[:, 1 : k + 1] = a[:, 1 : k + 1] + refl[:, None] * a[:, k - 1 :: -1][:, :k]
        err *= 1.0 - refl**2
    return a


def _order_keys(x: np.ndarray) -> np.ndarray:
    """Integer keys ordered as the values of ``x``: its bits when no sign bit is set.

    IEEE floats without a sign bit (``+0`` up to ``+inf``, NaN last) compare as their
    bit patterns read as signed integers, which ``np.partition`` and ``max`` handle
    faster (no NaN checks). Any other array is returned as it is.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([2.5, 0.0, 1e-30, np.inf], np.float32)
    >>> np.argsort(_order_keys(x)).tolist() == np.argsort(x).tolist()
    True
    """
    ints = {np.dtype(np.float32): np.int32, np.dtype(np.float64): np.int64}
    if x.dtype not in ints or not x.flags.c_contiguous or x.size == 0:
        return x
    keys = x.view(ints[x.dtype])
    # (a set sign bit, and only that, makes the integer negative)
    return keys if keys.min() >= 0 else x


def _window_middles(
    keys: np.ndarray, starts: np.ndarray, half: int, window: int
) -> tuple[np.ndarray, np.ndarray]:
    """The values of rank ``half - 1`` and ``half`` in windows of the rows of ``keys``.

    Per row of ``keys`` (columns, m; integers >= 0) and window ``[s, s + window)``
    (``s`` in ``starts``, ``1 <= half <= window // 2``): its sorted halves ``A = [s, s +
    half)`` and ``B = [s + half, s + window)`` (each sorted once, however many windows
    share it), and the split of the ``half`` smallest values between them found by a
    binary search (the k-th value of two sorted arrays). Returns (lower, upper), each
    (columns, len(starts)): exactly the order statistics of a partial sort.

    Examples
    --------
    >>> import numpy as np
    >>> k = np.random.default_rng(1).integers(0, 50, (2, 40))
    >>> lo, up = _window_middles(k, np.array([0, 7, 20]), 5, 11)
    >>> ref = np.sort(np.stack([k[:, s : s + 11] for s in (0, 7, 20)], 1), axis=2)
    >>> bool(np.array_equal(lo, ref[:, :, 4]) and np.array_equal(up, ref[:, :, 5]))
    True
    """
    from numpy.lib.stride_tricks import sliding_window_view

    cols = keys.shape[0]
    la, lb = half, window - half

    def sorted_at(first: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
        u = np.unique(first)
        v = sliding_window_view(keys, length, axis=1)[:, u]  # a copy (fancy indexing)
        v.sort(axis=2)
        return v.reshape(-1), u

    if la == lb:
        flat, u = sorted_at(np.concatenate([starts, starts + half]), la)
        flat_a, u_a, flat_b, u_b = flat, u, flat, u
    else:
        flat_a, u_a = sorted_at(starts, la)
        flat_b, u_b = sorted_at(starts + half, lb)
    col = np.arange(cols)[:, None]
    base_a = (col * len(u_a) + np.searchsorted(u_a, starts)[None, :]) * la
    base_b = (col * len(u_b) + np.searchsorted(u_b, starts + half)[None, :]) * lb
    # i: how many of the ``half`` smallest come from A, the least i with A[i] >= B[k - i]
    k = half - 1
    lo = np.full(base_a.shape, max(0, k + 1 - lb), dtype=np.int64)
    hi = np.full(base_a.shape, min(k + 1, la), dtype=np.int64)
    while True:  # loop over the ~log2(half) halvings
        live = lo < hi
        if not live.any():
            break
        mid = (lo + hi) // 2
        ai = flat_a[base_a + np.minimum(mid, la - 1)]
        bj = flat_b[base_b + np.clip(k - mid, 0, lb - 1)]
        up = live & (ai < bj)
        lo = np.where(up, mid + 1, lo)
        hi = np.where(live & ~up, mid, hi)
    i = lo
    below, above = np.iinfo(keys.dtype).min, np.iinfo(keys.dtype).max

    def at(flat: np.ndarray, base: np.ndarray, idx: np.ndarray, n: int, fill: int) -> np.ndarray:
        ok = (idx >= 0) & (idx < n)
        return np.where(ok, flat[base + np.clip(idx, 0, n - 1)], fill)

    lower = np.maximum(at(flat_a, base_a, i - 1, la, below), at(flat_b, base_b, k - i, lb, below))
    upper = np.minimum(at(flat_a, base_a, i, la, above), at(flat_b, base_b, k + 1 - i, lb, above))
    return lower.astype(keys.dtype), upper.astype(keys.dtype)


def _running_median_rows(x: np.ndarray, window: int, hop: int) -> tuple[np.ndarray, np.ndarray]:
    """Centred running median of the rows of ``x`` over ``window`` rows, every ``hop`` rows.

    The median (per column) of rows ``[c - window // 2, c - window // 2 + window)``, cut
    to the array (as ``pandas`` ``rolling(window, center=True).median()``), taken
    exactly at centres ``c`` every ``hop`` rows (and the last row). Needs
    ``x.shape[0] > window``.

    Returns
    -------
    med : ndarray (n_centres, n_columns)
    nearest : ndarray of int (n_rows,)
        Per row, its nearest centre (a row of ``med``). ``hop=1``: ``med[nearest]`` is
        the exact running median.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> x = np.random.default_rng(0).normal(size=(50, 3))
    >>> ref = pd.DataFrame(x).rolling(8, center=True, min_periods=1).median().to_numpy()
    >>> med, nearest = _running_median_rows(x, 8, 1)
    >>> bool(np.allclose(med[nearest], ref))
    True
    """
    from numpy.lib.stride_tricks import sliding_window_view

    m = x.shape[0]
    half = window // 2
    hop = max(1, int(hop))
    centres = np.unique(np.append(np.arange(0, m, hop), m - 1))
    full = (centres >= half) & (centres - half + window <= m)
    med = np.empty((len(centres), x.shape[1]))
    xt = np.ascontiguousarray(x.T)
    keys = _order_keys(xt)
    inf_key = np.array(np.inf, xt.dtype).view(keys.dtype) if keys.dtype.kind == "i" else None
    if full.any():
        # whole windows: one partial sort of (columns, centres, window), each window
        # contiguous (the median of an even count is the mean of the two middle values,
        # as np.median's)
        starts = centres[full] - half
        if keys.dtype.kind == "i" and half >= 1:
            # integer keys: each window is two sorted halves (SIMD sorts, shared by
            # the windows that hold the same half) whose middle values a binary search
            # finds
            lower, upper = _window_middles(keys, starts, half, window)
            mid = upper.view(xt.dtype)
        else:
            v = sliding_window_view(keys, window, axis=1)[:, starts]
            v.partition(half, axis=2)  # in place: v is already a copy (fancy indexing)
            mid = v[:, :, half].view(xt.dtype)
            lower = v[:, :, :half].max(axis=2) if window % 2 == 0 else None
        if window % 2:
            med[full] = mid.T
        else:
            med[full] = ((lower.view(xt.dtype) + mid) / 2).T
    for i in np.flatnonzero(~full):  # the few centres whose window the array's edge cuts
        c = centres[i]
        lo, hi = max(0, c - half), min(m, c - half + window)
        srt = np.sort(keys[:, lo:hi], axis=1) if keys.dtype.kind == "i" else None
        if srt is not None and not (srt[:, -1] > inf_key).any():
            # (a SIMD sort of integer keys, no NaN: np.median's values)
            h = (hi - lo) // 2
            up = srt[:, h].view(xt.dtype)
            med[i] = up if (hi - lo) % 2 else (srt[:, h - 1].view(xt.dtype) + up) / 2
        else:
            med[i] = np.median(x[lo:hi], axis=0)
    j = np.clip(np.searchsorted(centres, np.arange(m), side="right") - 1, 0, len(centres) - 1)
    nxt = np.minimum(j + 1, len(centres) - 1)
    nearest = np.where(centres[nxt] - np.arange(m) < np.arange(m) - centres[j], nxt, j)
    return med, nearest


def whiten(
    y: np.ndarray,
    fs: float,
    order: int,
    window_s: float,
    band: tuple[float, float] = (0.0, np.inf),
    hop_blocks: int = _WHITEN_HOP_BLOCKS,
) -> tuple[np.ndarray, np.ndarray]:
    """Prediction error of ``y`` under a local linear-prediction model of its background.

    The power spectrum of each 0.5 s block, averaged over ~4 Hz groups of bins, is
    smoothed by a centred running median over ``window_s`` (robust to the blocks that
    hold events, as the adaptive baseline of :func:`robust_baseline`). Raised to at least its median level within
    ``band``, so that only what stands above the band's level (mains lines, coloured
    bumps) is flattened and the band-pass's edges and stop bands are never boosted
    back, its autocorrelation (lags ``0..order``) gives the prediction-error filter. The prediction-error filter of
    each block (Levinson-Durbin) is applied causally: stationary coloured noise and
    mains hum lose their peaks, a transient keeps its onset. The
    first ``order`` samples are 0.

    Parameters
    ----------
    y : ndarray (n,)
    fs : float
    order : int
        Linear-prediction order (lags).
    window_s : float
        Running-median window (s).
    band : (float, float)
        The pass band of ``y`` (Hz).
    hop_blocks : int
        0.5 s blocks between the centres at which the running median (and the filter)
        is evaluated.

    Returns
    -------
    e : ndarray (n,)
        The prediction error.
    rho : ndarray (n_blocks, block)
        Per 0.5 s block, the autocorrelation (lag 0 = 1) the background has after the
        filter: the noise model of :func:`muap_runs`.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> t = np.arange(40000) / 2000.0
    >>> y = rng.normal(0, 1, t.size) + 5 * np.sin(2 * np.pi * 50 * t)
    >>> e, rho = whiten(y, 2000.0, 12, 10.0)
    >>> bool(np.std(e[2000:]) < 1.2)
    True
    """
    e, rho, nearest = _whiten_held(y, fs, order, window_s, band, hop_blocks)
    return e, rho[nearest]


#: Values (float32) per piece of blocks that :func:`whiten` transforms at a time: its
#: temporaries then stay in the CPU's cache (several times faster than whole arrays).
_CACHE_VALUES = 1 << 18


def _cache_rows(width: int) -> int:
    """Rows of ``width`` values per piece of :data:`_CACHE_VALUES`."""
    return max(1, _CACHE_VALUES // max(1, width))


def _block_power_groups(
    blocks: np.ndarray, hann: np.ndarray, tapered: np.ndarray, fs: float, b: int
) -> np.ndarray:
    """Per block (row), its Hann-tapered power spectrum averaged over ~4 Hz groups of bins.

    ``tapered`` (rows, 2 b) float32, zero beyond column ``b``, is the work space.
    """
    # Hann taper: a strong mains line must not leak its sidelobes over the spectrum
    # (float32: a background estimate, a median of many blocks; half the FFT's cost)
    # (zero-padded to 2 b in place: the FFT then copies nothing)
    m = blocks.shape[0]
    np.multiply(blocks, hann, out=tapered[:, :b], casting="same_kind")
    spec = sfft.rfft(tapered, axis=1)
    power = np.square(spec.real)
    power += np.square(spec.imag)
    spec = power
    # averaged over ~4 Hz groups of bins before the running median (g times fewer
    # columns): an order-p prediction filter resolves ~fs/p (60 Hz at 2 kHz, p = 32), so
    # its autocorrelation changes by < 1 % (sinc(4 Hz * p / fs))
    nbin = spec.shape[1]
    g = max(1, int(round(_WHITEN_BIN_HZ / (fs / (2 * b)))))
    ng = -(-nbin // g)
    # (whole groups averaged from a view; the last, partial one padded with its last bin)
    full = nbin // g
    groups = spec[:, : full * g].reshape(m, full, g)
    if g <= 8:
        # numpy's mean over so short an axis adds in order: the same sums, by slices
        # (several times faster than a reduction over a length-g axis)
        grouped = groups[:, :, 0].copy()
        for i in range(1, g):  # loop over the few bins of a group
            grouped += groups[:, :, i]
        grouped /= spec.dtype.type(g)
    else:
        grouped = groups.mean(axis=2)
    if ng > full:
        tail = np.concatenate(
            [spec[:, full * g :], np.repeat(spec[:, -1:], ng * g - nbin, axis=1)], 1
        )
        grouped = np.concatenate([grouped, tail.mean(axis=1, keepdims=True)], axis=1)
    return grouped


def _whiten_held(
    y: np.ndarray,
    fs: float,
    order: int,
    window_s: float,
    band: tuple[float, float] = (0.0, np.inf),
    hop_blocks: int = _WHITEN_HOP_BLOCKS,
    out: np.ndarray | None = None,
    spectra_every: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`whiten` with ``rho`` per update centre: ``(e, rho_centres, nearest)``.

    ``rho_centres[nearest]`` is :func:`whiten`'s ``rho`` (one row per 0.5 s block).
    ``out`` (float64, contiguous, ``len(y)``): where ``e`` is written when ``y`` holds
    whole blocks (``e`` is then a view of it). ``spectra_every``: the background spectrum
    is the running median (over the same ``window_s``) of the spectra of every so many
    blocks only (a divisor of ``hop_blocks``; the blocks counted from the first).
    """
    n = y.shape[0]
    b = max(1, int(round(_BLOCK_S * fs)))
    nb = int(np.ceil(n / b))
    order = max(1, min(int(order), b - 1))
    if n == nb * b and y.dtype == np.float64 and y.flags.c_contiguous:
        yp = y  # whole blocks already: read in place
    else:
        yp = np.zeros(nb * b)
        yp[:n] = y
    # per-block power spectra: their running median is a robust background spectrum and,
    # being >= 0, gives a positive-definite autocorrelation (lags 0..order)
    # (in pieces of blocks whose temporaries stay in the CPU's cache: the same values)
    step = _cache_rows(2 * b)
    yb = yp.reshape(nb, b)
    # (with ``spectra_every`` > 1, the spectra of every so many blocks only)
    every = max(1, int(spectra_every))
    ys = yb[::every]
    ns = ys.shape[0]
    hann = np.hanning(b)
    tapered = np.zeros((min(step, ns), 2 * b), np.float32)
    grouped = None
    for s0 in range(0, ns, step):  # loop over pieces of many blocks
        s1 = min(ns, s0 + step)
        piece = _block_power_groups(ys[s0:s1], hann, tapered[: s1 - s0], fs, b)
        if grouped is None:
            grouped = np.empty((ns, piece.shape[1]), piece.dtype)
        grouped[s0:s1] = piece
    del tapered
    nbin = b + 1  # the rfft bins of 2 b samples
    g = max(1, int(round(_WHITEN_BIN_HZ / (fs / (2 * b)))))
    w = max(1, int(round(window_s / _BLOCK_S / every)))
    # the filter is estimated every _WHITEN_HOP_BLOCKS (the running median at the
    # nearest centre): a 60 s median moves little in 5 s, and the spectra, filters and
    # thresholds below are computed once per centre
    # per centre, the loudest block spectrum of its window (the scale against which a
    # centre of filled gap is only rounding noise: local, as the median itself)
    row_power = grouped.mean(axis=1, dtype=np.float64)
    if ns > w:
        from scipy.ndimage import maximum_filter1d

        hop_rows = max(1, hop_blocks // every)
        centres = np.unique(np.append(np.arange(0, ns, hop_rows), ns - 1))
        loudest = maximum_filter1d(row_power, w, mode="nearest")[centres]
        grouped, nearest = _running_median_rows(grouped, w, hop_rows)
        if every > 1:  # each block takes the centre of its spectra row
            nearest = nearest[np.minimum(np.arange(nb) // every, ns - 1)]
    else:
        loudest = np.array([row_power.max(initial=0.0)])
        grouped = np.median(grouped, axis=0, keepdims=True)
        nearest = np.zeros(nb, dtype=np.int64)
    spec = np.repeat(grouped.astype(np.float64), g, axis=1)[:, :nbin]
    # only what stands above the median pass-band level is flattened (mains lines,
    # coloured bumps): the band-pass's edges and stop bands are never boosted back
    f = sfft.rfftfreq(2 * b, 1.0 / fs)
    lo, hi = band
    in_band = (f >= lo) & (f <= min(hi, 0.45 * fs))
    if not in_band.any():
        in_band[:] = True
    floor = np.median(spec[:, in_band], axis=1, keepdims=True)
    r = sfft.irfft(np.maximum(spec, floor), n=2 * b, axis=1)[:, : order + 1]
    # a centre whose blocks are mostly gap holds no signal, only rounding: taken as white.
    # (A filled gap's filtered values are 0 or a few ulps of the raw signal, ~1e-30 of any
    # real block's power, as the arithmetic before happened to round: an exact-zero test
    # whitened one stream window's centre and gave the whole recording's a filter fitted
    # to rounding noise, whose twitch noise level then differed after the gap. The scale
    # is the loudest block in the centre's own window: a recording-wide one made the
    # test depend on a loud event anywhere, so a window without it judged otherwise.)
    silent = r[:, 0] <= _SILENT_POWER * loudest
    r = r / np.maximum(r[:, :1], np.finfo(float).tiny)
    r[silent] = np.eye(1, r.shape[1])[0]
    a_c = _levinson(r)
    # e[t] = y[t] + sum_k a[block(t), k] y[t - k]: per block, the linear convolution of
    # the block and the ``order`` samples before it with that block's filter, by FFT
    # (float32: the error is a detection statistic, 7 digits are plenty; half the traffic)
    nf = sfft.next_fast_len(b + order, real=True)  # >= b + order: no wrap onto the block
    # per block, the ``order`` samples before it, the block, zeros up to nf (the FFT's
    # input, built in place)
    # (in pieces of blocks, as the spectra)
    step = _cache_rows(nf)
    ext = np.zeros((min(step, nb), nf), dtype=np.float32)
    filt = sfft.rfft(a_c.astype(np.float32), n=nf, axis=1)
    # float64, in one pass from the float32 blocks
    if (
        out is not None
        and out.shape == (nb * b,)
        and out.dtype == np.float64
        and out.flags.c_contiguous
    ):
        ep = out
    else:
        ep = np.empty(nb * b)
    eb = ep.reshape(nb, b)
    for s0 in range(0, nb, step):  # loop over pieces of many blocks
        s1 = min(nb, s0 + step)
        x = ext[: s1 - s0]
        x[:, order : order + b] = yb[s0:s1]
        x[1:, :order] = yb[s0 : s1 - 1, b - order :]
        x[0, :order] = yb[s0 - 1, b - order :] if s0 else 0.0
        spec_e = sfft.rfft(x, axis=1)
        # each block's filter spectrum: its centre's, multiplied per stretch of blocks
        # that share a centre (no gathered (blocks, nf) copy)
        near = nearest[s0:s1]
        edges = np.flatnonzero(np.diff(near)) + 1
        for lo, hi in zip(np.r_[0, edges], np.r_[edges, s1 - s0], strict=True):  # centres
            spec_e[lo:hi] *= filt[near[lo]]
        eb[s0:s1] = sfft.irfft(spec_e, n=nf, axis=1)[:, order : order + b]
    del ext
    e = ep[:n]
    e[:order] = 0.0
    # what is left of the background's colour (the band-pass's stop bands stay empty)
    ha = sfft.rfft(a_c, n=2 * b, axis=1)
    spec *= ha.real**2 + ha.imag**2
    rho = sfft.irfft(spec, n=2 * b, axis=1)[:, :b]
    rho /= np.maximum(rho[:, :1], np.finfo(float).tiny)
    rho[silent | (rho[:, 0] <= 0.0)] = np.eye(1, b)[0]  # (no signal at a centre: white, as above)
    return e, rho, nearest


def muap_runs(y: np.ndarray, fs: float, cfg: EMGConfig) -> np.ndarray:
    """Motor-unit-potential-like transients of one band-passed EMG channel.

    A band-limited energy detector over MUAP-length windows (``cfg.muap_windows_s``)
    whose thresholds follow from a noise model, not from a margin tuned by hand:

    1. :func:`whiten`: the background (sensor noise shaped by the band-pass, mains hum,
       other stationary colour) is turned into white noise by a local linear-prediction
       error filter of order ``muap_whitening_order``;
    2. noise power: the median of ``e**2`` in 0.5 s blocks over the median of
       chi-square(1), the ``baseline_quantile`` of those blocks over
       ``baseline_window_s`` (as :func:`robust_baseline`);
    3. per window of ``w`` samples, the centred moving mean of ``e**2`` over the noise
       power is, on Gaussian noise, close to chi-square(nu) / nu, with ``nu`` from the
       background's autocorrelation after whitening (measured, :func:`whiten`); on
       where it exceeds :func:`energy_threshold` at a per-sample probability
       ``muap_false_alarms_per_h / (3600 * fs * n_windows)``, so that such noise gives at
       most that many false detections per hour (a union bound over samples and
       windows); off below ``1 + (on - 1) * k_off / k_on`` (hysteresis);
    4. each run is trimmed to where the energy is within ``muap_edge_db`` of its peak
       (the zero-phase band-pass rings before and after a strong potential), then
       gives back the window's spread (``w // 2`` samples each side: a
       centred window rises half a window before the potential starts), keeping at
       least the shortest window (and more than ``min_brief_s``); the runs of all windows are
       joined, with gaps shorter than the shortest window.

    Short potentials gain from the short windows, long ones from the long windows
    (an energy detector's processing gain grows with the part of the window the
    potential fills); the potential's shape (bi-, tri-, polyphasic) does not matter.

    Parameters
    ----------
    y : ndarray (n,)
        Band-passed EMG (:attr:`movement.preprocess.Preprocessed.signal`, one site).
    fs : float
    cfg : EMGConfig

    Returns
    -------
    ndarray (m, 2)
        [start, stop) sample runs, sorted.
    """
    n = y.shape[0]
    if n == 0:
        return np.empty((0, 2), dtype=np.int64)
    p, noise, _blk, rho_c, nearest = _whitened_power_held(y, fs, cfg)
    return _muap_runs(p, noise, rho_c[:, : _rho_lags(fs, cfg, _blk)], fs, cfg, nearest)


def whitened_power(y: np.ndarray, fs: float, cfg: EMGConfig) -> tuple[np.ndarray, ...]:
    """Squared prediction error of :func:`whiten`, its noise power per sample, and ``rho``.

    The noise power is the median of ``e**2`` in 0.5 s blocks over the median of
    chi-square(1), the ``baseline_quantile`` of those blocks over ``baseline_window_s``
    (as :func:`robust_baseline`): the noise model of :func:`muap_runs` and
    :func:`sustained_energy_runs`.
    """
    p, noise, blk, rho_c, nearest = _whitened_power_held(y, fs, cfg)
    return p, np.repeat(noise, blk)[: p.shape[0]], rho_c[nearest]


def _whitened_power_held(
    y: np.ndarray, fs: float, cfg: EMGConfig, gaps: np.ndarray | None = None
) -> tuple:
    """:func:`whitened_power` per block: ``(p, noise per 0.5 s block, block, rho_c, nearest)``.

    ``rho_c[nearest]`` is :func:`whitened_power`'s ``rho`` and ``np.repeat(noise,
    block)`` its noise power (neither is expanded here). ``gaps``: missing samples, left
    out of the noise power (a filled gap holds none: it would pull the noise to 0).
    """
    band = (cfg.band_low_hz, cfg.band_high_hz)
    e, rho_c, nearest = _whiten_held(y, fs, muap_lags(cfg, fs), cfg.baseline_window_s, band)
    p = np.square(e, out=e)
    # per block (robust_baseline's level, without its spread)
    lvl, _, blk = _block_baseline(
        p[:, None], fs, cfg.baseline_window_s, cfg.baseline_quantile, spread=False,
        exclude=gaps,
    )  # fmt: skip
    noise = np.maximum(lvl[:, 0] / _CHI2_1_MEDIAN, np.finfo(float).tiny)
    return p, noise, blk, rho_c, nearest


def muap_lags(cfg: EMGConfig, fs: float) -> int:
    """The MUAP detector's whitening order at ``fs``: ``muap_whitening_order`` lags, and
    above 2 kHz as many as span the same time (``order x fs / 2000``).

    The order was measured at 2 kHz, and nulling mains lines takes ~1/(line spacing) of
    lags in *time*: 32 lags are 16 ms at 2 kHz but 8 ms at 4 kHz. At 4 kHz (8 simulated
    5 min recordings, 12 dB, all confounders, seeds 4242006+) 32 lags gave F1
    fasciculation-like 0.94, dystonia-like 0.75, other 0.72 (34 false), 64 lags 0.99,
    1.00, 0.84 (2 kHz: 0.99, 1.00, 0.96). Below 2 kHz the order is kept (as validated).

    Examples
    --------
    >>> from movement.config import EMGConfig
    >>> [muap_lags(EMGConfig(), fs) for fs in (1000.0, 2000.0, 4000.0, 10000.0)]
    [32, 32, 64, 160]
    """
    order = int(cfg.muap_whitening_order)
    return max(order, int(round(order * fs / 2000.0)))


def _rho_lags(fs: float, cfg: EMGConfig, block: int) -> int:
    """Lags of ``rho`` that :func:`_muap_runs` and :func:`sustained_energy_runs` read."""
    longest = max(max(2, int(round(w * fs))) for w in cfg.muap_windows_s)
    # the sub-block (a divisor of the block nearest its target) is at most twice the target
    sub = 2 * max(1, int(round(cfg.sustained_block_s * fs)))
    return min(block, max(longest, sub) + 1)


def _muap_runs(
    p: np.ndarray,
    noise: np.ndarray,
    rho: np.ndarray,
    fs: float,
    cfg: EMGConfig,
    nearest: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`muap_runs` from :func:`whitened_power`'s output, with ``noise`` per 0.5 s block.

    ``rho`` has at least :func:`_rho_lags` columns and one row per 0.5 s block, or, with
    ``nearest``, one row per whitening centre (``rho[nearest]`` per block): the
    thresholds are then computed once per centre.
    """
    n = p.shape[0]
    order = muap_lags(cfg, fs)
    settle = int(round(2.0 * fs / max(cfg.band_low_hz, 1.0)))
    b = max(1, int(round(_BLOCK_S * fs)))
    c = _cumsum0(p)
    windows = sorted({max(2, int(round(w * fs))) for w in cfg.muap_windows_s})
    p_exceed = cfg.muap_false_alarms_per_h / (3600.0 * fs * len(windows))
    frac = cfg.k_off / max(cfg.k_on, 1e-9)
    edge = 10 ** (-cfg.muap_edge_db / 10)
    shortest = int(np.ceil(cfg.min_brief_s * fs))
    found = []
    # a detection spans at least the shortest window (and more than the shortest potential)
    span = max(windows[0], shortest + 1)
    z = np.empty(n)  # one buffer for every window's normalised energy
    for w in windows:  # loop over a few window lengths
        on = energy_threshold(rho, w, p_exceed)  # per 0.5 s block (or per centre)
        if nearest is not None:
            on = on[nearest]
        off = 1.0 + (on - 1.0) * frac
        half = w // 2
        # z: the window's mean of p over the noise power; 0 over incomplete windows, the
        # whitening's start-up and the band-pass's edge transient (the odd extension of
        # zero-phase filtering rings for ~2 periods of the low corner)
        v0, v1 = w // 2 + order + settle, max(0, n - w // 2 - settle)
        above, hits = _muap_energy(c, w, noise, b, v0, v1, on, off, z)
        if np.all(on >= off):
            # hysteresis_runs(z, on, off, block=b): runs of z > off that reach on (on >= off:
            # no sample between runs is above on)
            runs = _runs_with_hits(above, hits)
        else:
            runs = hysteresis_runs(z, on, off, block=b)
        if not len(runs):
            continue
        found.append(_detection_spans(z, runs, edge, half, span))
    # pieces closer than the shortest window are below the detector's time resolution
    return _merged_spans(found, windows[0])


def _detection_spans(
    z: np.ndarray, runs: np.ndarray, edge: float, half: int, span: int
) -> np.ndarray:
    """An energy detector's runs on ``z`` as event spans ([start, stop) samples).

    Each run is trimmed to where ``z`` is within ``edge`` of its peak
    (:func:`trim_to_peak`), gives back ``half`` (half the window, by which a centred
    window mean reaches beyond the transient) at each end, is at least ``span`` samples
    long (centred on the run) and lies within the signal.
    """
    n = z.shape[0]
    runs = trim_to_peak(z, runs, edge)
    mid = (runs[:, 0] + runs[:, 1]) // 2
    lo = runs[:, 0] + half
    hi = runs[:, 1] - half
    short = hi - lo < span
    lo[short] = mid[short] - span // 2
    hi[short] = lo[short] + span
    return np.stack([np.clip(lo, 0, n), np.clip(hi, 0, n)], axis=1)


def _merged_spans(found: list[np.ndarray], min_gap: int) -> np.ndarray:
    """The spans of every window length, by start, joined when closer than ``min_gap``."""
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    allr = np.concatenate(found)
    return merge_runs(allr[np.argsort(allr[:, 0], kind="stable")], min_gap)


#: Blocks per chunk of :func:`_muap_energy` (a chunk's rows stay in cache between steps).
_CHUNK_BLOCKS = 32


def _blockwise(
    op: np.ufunc, x: np.ndarray, t: np.ndarray, block: int, at: int, out: np.ndarray
) -> None:
    """``op(x, np.repeat(t, block)[at : at + len(x)], out=out)`` without the repeated array.

    ``x`` holds rows ``at .. at + len(x)`` of a signal whose ``block``-row blocks have one
    value of ``t`` each (a partial first block, whole blocks, a partial last block).
    """
    m = x.shape[0]
    head = min(m, (-at) % block)
    if head:
        op(x[:head], t[at // block], out=out[:head])
    j0 = (at + head) // block
    nfull = (m - head) // block
    if nfull:
        r = slice(head, head + nfull * block)
        op(x[r].reshape(nfull, block), t[j0 : j0 + nfull, None], out=out[r].reshape(nfull, block))
    r0 = head + nfull * block
    if r0 < m:
        op(x[r0:], t[j0 + nfull], out=out[r0:])


def _muap_energy(
    c: np.ndarray,
    w: int,
    noise: np.ndarray,
    block: int,
    v0: int,
    v1: int,
    on: np.ndarray,
    off: np.ndarray,
    z: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Fill ``z`` with the normalised window energy; return ``z > off`` and where ``z > on``.

    ``z[i] = ((c[i - w // 2 + w] - c[i - w // 2]) / w) / noise[i // block]`` for ``i`` in
    ``[v0, v1)`` and 0 elsewhere: :func:`movement.preprocess._window_mean`'s arithmetic,
    divided per block (``on``, ``off``: per block). Computed in chunks of whole blocks,
    each compared while it is in cache (no full-length temporaries besides ``z`` and the
    mask).
    """
    n = z.shape[0]
    half = w // 2
    above = np.zeros(n, dtype=bool)
    hits = []
    v0, v1 = min(v0, n), max(0, min(v1, n))
    z[:v0] = 0.0
    z[max(v0, v1) :] = 0.0
    step = _CHUNK_BLOCKS * block
    for a in range(v0 - v0 % block, v1, step):  # loop over chunks of whole blocks
        lo, e = max(a, v0), min(a + step, v1)
        zz = z[lo:e]
        np.subtract(c[lo - half + w : e - half + w], c[lo - half : e - half], out=zz)
        zz /= w
        _blockwise(np.true_divide, zz, noise, block, lo, zz)
        _blockwise(np.greater, zz, off, block, lo, above[lo:e])
        big = np.empty(e - lo, dtype=bool)
        _blockwise(np.greater, zz, on, block, lo, big)
        hits.append(np.flatnonzero(big) + lo)
    return above, (np.concatenate(hits) if hits else np.zeros(0, dtype=np.int64))


def _runs_with_hits(above: np.ndarray, hits: np.ndarray) -> np.ndarray:
    """Runs of True in ``above`` that hold one of the (sorted) sample indices ``hits``."""
    runs = mask_to_runs(above)
    keep = np.searchsorted(hits, runs[:, 1]) > np.searchsorted(hits, runs[:, 0])
    return runs[keep].astype(np.int64, copy=False)


_MIN_TWITCH_WINDOW = 2


def twitch_runs(
    motion: np.ndarray, fs: float, cfg: AccelConfig, gaps: np.ndarray | None = None
) -> np.ndarray:
    """Twitch-like transients of one accelerometer site: an energy detector on each axis.

    The accelerometer's counterpart of :func:`muap_runs`, thresholds from a noise model
    rather than a margin over the rest level:

    1. each axis of the motion (:attr:`movement.preprocess.Preprocessed.oscill`, one
       site) is whitened (:func:`whiten`, order ``twitch_whitening_order``, band up to
       ``band_high_hz``, background spectrum over ``baseline_window_s`` from the spectra
       of every other 0.5 s block, updated every 50 s: ``_TWITCH_SPECTRA_EVERY``,
       ``_TWITCH_WHITEN_HOP_BLOCKS``);
    2. its noise power is the unbiased (:func:`_quantile_bias`) ``baseline_quantile`` of
       the 0.5 s block medians of ``e**2`` over ``baseline_window_s``;
    3. per window of ``twitch_windows_s``, the centred moving mean of ``e**2`` over the
       noise power, on the axis where it is largest, must exceed :func:`energy_threshold`
       (the axes' mean noise autocorrelation) at a per-sample probability
       ``twitch_false_alarms_per_h / (3600 * fs * n_windows * n_axes)`` (a union bound
       over samples, windows and axes); off below ``1 + (on - 1) * k_off / k_on``;
    4. runs are trimmed to within 20 dB of their peak energy and give back half a window
       each side (as :func:`muap_runs`); the runs of all windows are joined.

    A twitch in any direction puts at least a third of its energy on one axis, whose
    noise is a third of the vector's: one along an axis stands out of it three times
    more than out of the vector's (the brief envelope, whose runs these join).

    Parameters
    ----------
    motion : ndarray (n, n_axes)
    fs : float
    cfg : AccelConfig
    gaps : ndarray of bool (n,), optional
        Missing samples (filled with a constant by preprocessing): left out of the noise
        power, and no detection within the filters' settling time of them (as at the
        recording's ends).

    Returns
    -------
    ndarray (m, 2)
        [start, stop) sample runs, sorted.
    """
    n, axes = motion.shape
    b = max(1, int(round(_BLOCK_S * fs)))
    windows = sorted(
        {max(_MIN_TWITCH_WINDOW, min(b, int(round(w * fs)))) for w in cfg.twitch_windows_s or ()}
    )
    if not windows or n <= 4 * b:
        return np.empty((0, 2), dtype=np.int64)
    band_high = min(cfg.band_high_hz, 0.45 * fs)
    order = cfg.twitch_whitening_order
    bias = _quantile_bias(b, cfg.baseline_quantile)
    # axes first (each axis contiguous); ``pw.T`` is the (n, axes) view
    pw = np.empty((axes, n))
    mt = np.ascontiguousarray(motion.T, dtype=np.float64)
    rho_c = None
    for a in range(axes):  # loop over axes
        y = mt[a]
        # (over the 5 min baseline: a 60 s spectrum takes a long walk's colour as the
        # background, and its whitening then raises false detections after the walk)
        # (the axes share the update centres: rho is averaged per centre, expanded once)
        # (e written into pw's row, then squared in place)
        e, rho_a, nearest = _whiten_held(
            y,
            fs,
            order,
            cfg.baseline_window_s,
            (0.0, band_high),
            _TWITCH_WHITEN_HOP_BLOCKS,
            out=pw[a],
            spectra_every=_TWITCH_SPECTRA_EVERY,
        )
        np.square(e, out=pw[a])
        rho_c = rho_a / axes if rho_c is None else rho_c + rho_a / axes
    del mt
    gap = gaps is not None and gaps.shape[0] == n and bool(gaps.any())
    if gap:
        # a filled gap holds no noise: its blocks would pull the low quantile down
        pn = pw.T.copy()
        pn[gaps] = np.nan
    cums = [_cumsum0(pw[a]) for a in range(axes)]
    # (pw is not read after: its blocks are sorted in place for their medians)
    lvl, _, blk = _block_baseline(
        pn if gap else pw.T,
        fs,
        cfg.baseline_window_s,
        cfg.baseline_quantile,
        spread=False,
        overwrite=True,
    )
    del pw
    noise = np.maximum(lvl / (_CHI2_1_MEDIAN * bias), np.finfo(float).tiny)
    # the filter (and rho) is held between the whitening's update centres: one row each
    # (a block's row is ``rho_c[nearest]``: only where ``nearest`` steps can it change)
    held = np.zeros(nearest.shape[0], dtype=bool)
    held[0] = True
    step = np.flatnonzero(nearest[1:] != nearest[:-1]) + 1
    held[step] = np.any(rho_c[nearest[step]] != rho_c[nearest[step - 1]], axis=1)
    rho, row = rho_c[nearest[held]], np.cumsum(held) - 1
    p_exceed = cfg.twitch_false_alarms_per_h / (3600.0 * fs * len(windows) * axes)
    frac = cfg.k_off / max(cfg.k_on, 1e-9)
    # start-up of the whitening and the filters' edge transients (~2 periods of 1 Hz)
    settle = order + int(round(2.0 * fs))
    span = max(windows[0], int(np.ceil(cfg.min_brief_s * fs)) + 1)
    near_gap = None
    if gap:
        reach = settle + windows[-1] // 2
        cg = _cumsum0(gaps.astype(np.float64))
        i = np.arange(n)
        near_gap = cg[np.minimum(i + reach + 1, n)] - cg[np.maximum(i - reach, 0)] > 0
    found = []
    for w in windows:  # loop over a few window lengths
        # the axis with the most energy (each against its own noise power)
        z = _max_window_energy(cums, w, noise, blk)
        on = energy_threshold(rho, w, p_exceed)[row]  # per 0.5 s block
        off = 1.0 + (on - 1.0) * frac
        z[: w // 2 + settle] = 0.0
        z[max(0, n - w // 2 - settle) :] = 0.0
        if near_gap is not None:
            z[near_gap | np.isnan(z)] = 0.0
        runs = hysteresis_runs(z, on, off, block=b)
        if not len(runs):
            continue
        # edges within 20 dB of the peak energy, as muap_runs (muap_edge_db)
        found.append(_detection_spans(z, runs, 0.01, w // 2, span))
    return _merged_spans(found, windows[0])


def _max_window_energy(cums: list[np.ndarray], w: int, noise: np.ndarray, block: int) -> np.ndarray:
    """Per sample, the largest over series of ``_window_mean(c, w) / noise`` (per block).

    ``cums`` holds each series' ``_cumsum0`` (n + 1), ``noise`` (n_blocks, series) its
    noise power per ``block`` samples. Only whole windows (rows ``w // 2`` to ``n + w //
    2 - w``) are computed, in cache-sized pieces (the same arithmetic as
    :func:`_window_mean` and :func:`_blockwise`); the incomplete windows at the
    ends are 0 (:func:`twitch_runs` zeroes a longer stretch there).

    Examples
    --------
    >>> import numpy as np
    >>> from movement.preprocess import _cumsum0, _window_mean
    >>> x = np.random.default_rng(0).random((30, 2))
    >>> nz = np.array([[1.0, 2.0], [3.0, 0.5], [2.0, 2.0]])
    >>> z = _max_window_energy([_cumsum0(x[:, 0]), _cumsum0(x[:, 1])], 4, nz, 10)
    >>> ref = [_window_mean(_cumsum0(x[:, a]), 4) / np.repeat(nz[:, a], 10) for a in (0, 1)]
    >>> ref = np.maximum(*ref)
    >>> bool(np.array_equal(z[2:29], ref[2:29])) and not z[:2].any() and not z[29:].any()
    True
    """
    n = cums[0].shape[0] - 1
    half = w // 2
    z = np.zeros(n)
    first, stop = half, n + half - w + 1  # rows whose window fits
    if stop <= first:
        return z
    step = max(block, (_CACHE_VALUES // 8 // block) * block)
    tmp = np.empty(step)
    for a0 in range(first, stop, step):  # loop over cache-sized pieces
        a1 = min(stop, a0 + step)
        zp = z[a0:a1]
        for a, c in enumerate(cums):  # loop over the series (axes)
            t = zp if a == 0 else tmp[: a1 - a0]
            np.subtract(c[a0 - half + w : a1 - half + w], c[a0 - half : a1 - half], out=t)
            t /= w
            _blockwise(np.true_divide, t, noise[:, a], block, a0, t)
            if a:
                np.maximum(zp, t, out=zp)
    return z


def _quantile_bias(block: int, quantile: float) -> float:
    """Expected ``quantile`` of 0.5 s block medians of chi-square(1) over the true median.

    :func:`robust_baseline` reads ~``_BLOCK_READS`` samples per block; the median of
    ``m`` such samples is about normal with relative SD ``1 / (2 f(med) med sqrt(m))``
    (``f`` the chi-square(1) density), so the ``quantile`` of rest blocks' medians sits
    ``z_quantile`` SDs below the true noise power (about 30 % low for 100 reads and the
    10th percentile). The count detector, whose tail is steep in the sub-block
    probability, needs the unbiased noise power.
    """
    from scipy import stats

    m = len(range(0, max(1, block), max(1, block // _BLOCK_READS)))
    sd = 1.0 / (2.0 * stats.chi2.pdf(_CHI2_1_MEDIAN, 1) * _CHI2_1_MEDIAN * np.sqrt(m))
    return float(max(1.0 + stats.norm.ppf(quantile) * sd, 0.1))


def _binomial_block_p(window: int, k: int, p_window: float) -> float:
    """Per-block probability ``q`` at which ``Binomial(window, q) >= k`` has probability ``p_window``."""
    from scipy import optimize, stats

    def f(lq: float) -> float:
        return float(stats.binom.logsf(k - 1, window, np.exp(lq)) - np.log(p_window))

    lo, hi = np.log(1e-300), np.log(0.999999)
    if f(hi) < 0:
        return 0.999999
    if f(lo) > 0:
        return 1e-300
    return float(np.exp(optimize.brentq(f, lo, hi, xtol=1e-6)))


def sustained_energy_runs(
    p: np.ndarray,
    noise: np.ndarray,
    rho: np.ndarray,
    fs: float,
    cfg: EMGConfig,
    valid: np.ndarray | None = None,
    activity: list | None = None,
) -> np.ndarray:
    """Sustained muscle activity of one channel against the whitened noise model.

    A counting detector, robust to brief transients, whose threshold follows from the
    noise model of :func:`muap_runs` (not from a dB margin):

    1. the whitened power ``p`` over the noise power is averaged in sub-blocks of
       ``sustained_block_s`` (aligned with the 0.5 s blocks of :func:`whiten`); on
       Gaussian noise each is ~chi-square(nu)/nu (``nu`` from the background's
       autocorrelation after whitening, as in :func:`energy_threshold`'s two-moment
       form), thresholded at a per-sub-block probability ``q``; the noise power is
       the baseline's low quantile of noisy block medians, corrected for that bias
       (:func:`_quantile_bias`);
    2. a centred window of ``sustained_window_s`` (``W`` sub-blocks) is active when at
       least ``k = ceil(sustained_active_fraction * W)`` of them exceed it; ``q`` is
       where ``P(Binomial(W, q) >= k)`` equals ``sustained_false_alarms_per_h`` per hour
       of window positions, so noise alone crosses at that rate; off below
       ``k * k_off / k_on`` (hysteresis);
    3. each run is cut to its first and last sub-blocks that exceed together with two
       more within two sub-blocks (3 of 5): a centred count starts half a window early,
       and a single twitch (10-30 ms in surface EMG, domain reference section 1) lights
       at most two adjacent 25 ms sub-blocks, so one that fires up to a window before a
       contraction does not become the contraction's edge.

    A contraction a few dB above rest lights most sub-blocks of its windows; a single
    motor-unit potential, however strong, lights one or two.

    Parameters
    ----------
    p, noise : ndarray (n,)
        Whitened power and its noise power (:func:`whitened_power`).
    rho : ndarray (n_blocks, block)
        Background autocorrelation after whitening, per 0.5 s block.
    fs : float
    cfg : EMGConfig
    valid : ndarray of bool (n,), optional
        Samples that may count (filter start-up and gaps excluded).
    activity : list, optional
        When given, ``(sub, active)`` is appended: the sub-block length (samples) and
        which sub-blocks exceed the noise model (for :func:`active_fraction`).

    Returns
    -------
    ndarray (m, 2)
        [start, stop) sample runs, sorted.

    Examples
    --------
    >>> import numpy as np
    >>> from movement.config import EMGConfig
    >>> rng = np.random.default_rng(1)
    >>> fs = 2000.0
    >>> x = rng.normal(0, 1, 120 * 2000)
    >>> x[100000:110000] *= 1.6  # a 5 s contraction ~4 dB over the noise
    >>> p = x * x
    >>> runs = sustained_energy_runs(p, np.ones_like(p), np.eye(1, 1000), fs, EMGConfig())
    >>> [(float(a) / fs, float(b) / fs) for a, b in runs]
    [(50.0, 55.0)]
    """
    return _sustained_energy_runs(p, noise, rho, rho.shape[1], fs, cfg, valid, activity)


def _sustained_energy_runs(
    p: np.ndarray,
    noise: np.ndarray,
    rho: np.ndarray,
    b: int,
    fs: float,
    cfg: EMGConfig,
    valid: np.ndarray | None = None,
    activity: list | None = None,
    block_noise: bool = False,
) -> np.ndarray:
    """:func:`sustained_energy_runs` with the block length ``b`` given; ``block_noise``:
    ``noise`` holds one value per ``b``-sample block (``rho`` then needs only
    :func:`_rho_lags` columns)."""
    from scipy import stats

    n = p.shape[0]
    target = max(1, int(round(cfg.sustained_block_s * fs)))
    divs = np.array([d for d in range(1, b + 1) if b % d == 0])
    sub = int(divs[np.argmin(np.abs(divs - target))])
    nsb = n // sub
    if nsb == 0:
        return np.empty((0, 2), dtype=np.int64)
    w = max(1, int(round(cfg.sustained_window_s * fs / sub)))
    k = max(1, int(np.ceil(cfg.sustained_active_fraction * w)))
    p_window = cfg.sustained_false_alarms_per_h * sub / (3600.0 * fs)
    q = _binomial_block_p(w, k, min(p_window, 0.5))
    # the noise power is constant within a 0.5 s block, so within a sub-block
    if block_noise:
        noise_sub = noise[np.arange(nsb) * sub // b]
    else:
        noise_sub = noise[: nsb * sub : sub]
    z = p[: nsb * sub].reshape(nsb, sub).mean(axis=1) / noise_sub
    z *= _quantile_bias(b, cfg.baseline_quantile)
    per_block = b // sub
    # a moderate quantile (q ~ 0.05): the two-moment chi-square(nu) / nu is enough
    m = np.arange(1, sub)
    r = rho[:, 1:sub]
    nu = sub * sub / (sub + 2.0 * (r * r) @ (sub - m).astype(float))
    t = np.repeat(stats.chi2.isf(q, nu) / nu, per_block)
    t = t[np.minimum(np.arange(nsb), len(t) - 1)]
    active = z > t
    if valid is not None:
        active &= valid[: nsb * sub].reshape(nsb, sub).all(axis=1)
    if activity is not None:
        activity.append((sub, active))
    c = _cumsum0(active.astype(np.float64))
    h = w // 2
    idx = np.arange(nsb)
    count = c[np.minimum(idx + w - h, nsb)] - c[np.maximum(idx - h, 0)]
    off_k = k * cfg.k_off / max(cfg.k_on, 1e-9)
    runs = hysteresis_runs(count, np.full(nsb, k - 0.5), np.full(nsb, max(off_k - 0.5, 0.5)))
    if not len(runs):
        return np.empty((0, 2), dtype=np.int64)
    # edge sub-blocks: active with two more active ones within two sub-blocks (3 of 5)
    near = c[np.minimum(idx + 3, nsb)] - c[np.maximum(idx - 2, 0)]
    paired = (active & (near >= 3)).astype(np.float64)
    runs = trim_to_peak(paired, runs, 0.5)
    return runs * sub


def active_fraction(
    activity: list | None, main: np.ndarray, start: np.ndarray, stop: np.ndarray
) -> np.ndarray:
    """Share of each segment's sub-blocks (on its main site) above the whitened noise model.

    NaN where the sustained detector did not run (``activity`` None: sampling below
    ``min_muap_fs_hz``) or the segment holds no whole sub-block.

    Examples
    --------
    >>> import numpy as np
    >>> act = [(10, np.array([0, 1, 1, 0, 1], bool))]
    >>> active_fraction(act, np.array([0]), np.array([10]), np.array([50])).tolist()
    [0.75]
    """
    out = np.full(len(start), np.nan)
    if activity is None:
        return out
    for site in np.unique(main):  # loop over sites
        sel = np.flatnonzero(main == site)
        sub, active = activity[int(site)]
        c = _cumsum0(active.astype(np.float64))
        a = np.clip(-(-start[sel] // sub), 0, len(active))
        b = np.clip(stop[sel] // sub, 0, len(active))
        k = b - a
        out[sel] = np.where(k > 0, (c[b] - c[a]) / np.maximum(k, 1), np.nan)
    return out


def hysteresis_runs(x: np.ndarray, on: np.ndarray, off: np.ndarray, block: int = 1) -> np.ndarray:
    """Runs where ``x > off`` that reach ``x > on`` somewhere (Bonato-style double threshold).

    With ``block`` > 1, ``on`` and ``off`` hold one threshold per ``block`` consecutive
    samples (as ``np.repeat(on, block)[:len(x)]``, which is not built).
    Returns an (m, 2) int array of [start, stop) sample indices.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.0, 2.0, 3.0, 0.0, 2.0, 0.0, 2.5, 0.0])
    >>> hysteresis_runs(x, np.array([2.5, 1.5]), np.array([1.0, 1.0]), block=4).tolist()
    [[1, 3], [4, 5], [6, 7]]
    """
    above = _exceeds(x, off, block)
    runs = mask_to_runs(above)
    if not len(runs):
        return np.empty((0, 2), dtype=np.int64)
    starts, stops = runs[:, 0], runs[:, 1]
    # a run is kept when a sample above ``on`` lies in [start_i, start_{i+1}) (the gap
    # after stop_i is all below off): one ``logical_or`` over each of those stretches (they
    # tile [start_0, n); no index array of the samples above ``on``)
    keep = np.logical_or.reduceat(_exceeds(x, on, block), starts)
    return np.stack([starts[keep], stops[keep]], axis=1).astype(np.int64, copy=False)


def _exceeds(x: np.ndarray, t: np.ndarray, block: int) -> np.ndarray:
    """``x > np.repeat(t, block)[:len(x)]`` (per sample when ``block`` is 1)."""
    if block <= 1:
        return x > t
    out = np.empty(x.shape[0], dtype=bool)
    _blockwise(np.greater, x, t, block, 0, out)
    return out


def merge_runs(runs: np.ndarray, max_gap: int) -> np.ndarray:
    """Merge runs (sorted by start, may overlap) separated by fewer than ``max_gap`` samples."""
    if len(runs) < 2:
        return runs
    gap = runs[1:, 0] - np.maximum.accumulate(runs[:, 1])[:-1]
    new = np.concatenate(([True], gap >= max_gap))
    starts = runs[new, 0]
    stops = np.maximum.reduceat(runs[:, 1], np.flatnonzero(new))
    return np.stack([starts, stops], axis=1)


def runs_to_mask(runs: np.ndarray, n: int) -> np.ndarray:
    """Boolean mask of length ``n`` that is True inside the [start, stop) runs."""
    marks = np.zeros(n + 1, dtype=np.int64)
    np.add.at(marks, runs[:, 0], 1)
    np.add.at(marks, runs[:, 1], -1)
    return np.cumsum(marks[:-1]) > 0


def mask_to_runs(mask: np.ndarray) -> np.ndarray:
    """[start, stop) runs of True in a boolean vector, as an (m, 2) array."""
    padded = np.zeros(mask.shape[0] + 2, dtype=bool)
    padded[1:-1] = mask
    # the changes alternate: a start (False -> True), then its stop (True -> False)
    return np.flatnonzero(padded[1:] != padded[:-1]).reshape(-1, 2)


def _run_union(runs: np.ndarray) -> np.ndarray:
    """The union of [start, stop) runs (any order, may overlap) as sorted disjoint runs;
    touching runs are joined (``runs_to_mask``'s True stretches, as runs)."""
    runs = np.asarray(runs, dtype=np.int64).reshape(-1, 2)
    runs = runs[runs[:, 1] > runs[:, 0]]
    if len(runs) < 2:
        return runs
    return merge_runs(runs[np.argsort(runs[:, 0], kind="stable")], 1)


def _overlaps(q: np.ndarray, union: np.ndarray) -> np.ndarray:
    """Per [start, stop) run of ``q``: does it share a sample with the disjoint sorted ``union``?"""
    if not len(union):
        return np.zeros(len(q), dtype=bool)
    j = np.searchsorted(union[:, 0], q[:, 1], side="left") - 1  # last run starting before stop
    return (q[:, 1] > q[:, 0]) & (j >= 0) & (union[np.maximum(j, 0), 1] > q[:, 0])


def _covered(q: np.ndarray, union: np.ndarray) -> np.ndarray:
    """Per [start, stop) run of ``q``: does the disjoint sorted ``union`` hold all its samples?"""
    if not len(union):
        return q[:, 1] <= q[:, 0]
    j = np.searchsorted(union[:, 0], q[:, 0], side="right") - 1  # last run starting at or before
    return (q[:, 1] <= q[:, 0]) | ((j >= 0) & (union[np.maximum(j, 0), 1] >= q[:, 1]))


def _split_at_gaps(runs: np.ndarray, gaps: np.ndarray) -> np.ndarray:
    """Cut runs at missing samples so that no segment spans a gap."""
    if not gaps.any() or len(runs) == 0:
        return runs
    return mask_to_runs(runs_to_mask(runs, gaps.size) & ~gaps)


def _hop_window_sums(osc: np.ndarray, win: int, hop: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Per window of :func:`periodic_runs` (``m`` windows of ``win`` samples every ``hop``):
    the sum of each column (m, k) and the sum of squares over all columns (m,).

    Summed per hop-long block, then over the ``win // hop`` blocks of each window, plus
    the first ``win % hop`` samples of the block after them: each sample is read about
    twice instead of once per window holding it (``win / hop`` times); the sums differ
    from direct ones by rounding only, and stay local (no running sums), so a slice that
    starts on the hop's grid gets the whole recording's. (Until 0.4.4 a window that was
    not whole hops, 257 samples every 43 at 85.7 Hz, was summed directly: 3x the time.)

    Examples
    --------
    >>> import numpy as np
    >>> osc = np.arange(24.0).reshape(12, 2)
    >>> s1, s2 = _hop_window_sums(osc, 5, 2, 4)
    >>> s1[1].tolist(), float(s2[1]) == float((osc[2:7] ** 2).sum())
    ([40.0, 45.0], True)
    """
    r, e = divmod(win, hop)
    k = osc.shape[1]
    if r:
        nblk = m - 1 + r  # whole blocks covered by the windows
        h = osc[: nblk * hop].reshape(nblk, hop, k)
        b1 = h.sum(axis=1)
        b2 = np.einsum("ijk,ijk->i", h, h)
        s1, s2 = b1[:m].copy(), b2[:m].copy()
    else:  # (a window shorter than the hop: its e samples alone)
        s1, s2 = np.zeros((m, k)), np.zeros(m)
    for i in range(1, r):  # loop over the blocks of a window (no running sums: local rounding)
        s1 += b1[i : i + m]
        s2 += b2[i : i + m]
    if e:
        # the first e samples of the block after each window's r whole ones (m, k, e)
        p = np.lib.stride_tricks.sliding_window_view(osc[r * hop :], e, axis=0)[::hop][:m]
        s1 += p.sum(axis=2)
        s2 += np.einsum("mkw,mkw->m", p, p)
    return s1, s2


def _periodic_ratio(
    osc: np.ndarray,
    fs: float,
    win: int,
    hop: int,
    band: tuple[float, float],
    mean: np.ndarray,
    todo: np.ndarray,
) -> np.ndarray:
    """Per window of :func:`periodic_runs`: the share of its 1-15 Hz power within 0.5 Hz of
    its spectral peak in ``band`` (NaN where ``todo`` is False: not computed).

    Parameters
    ----------
    osc : ndarray (n, k)
        The motion; window ``i`` is ``osc[i * hop : i * hop + win]``.
    fs : float
    win, hop : int
        Window length and step in samples.
    band : (low, high)
        Where the peak is searched (Hz).
    mean : ndarray (m, k)
        Each window's mean per component (removed from its spectrum).
    todo : ndarray of bool (m,)
        The windows whose ratio is wanted.

    Notes
    -----
    The power of the components' Hann-tapered, mean-removed windows is summed over the
    components. The windows are tapered and transformed in float32, ~1 MB of windows
    at a time (in cache); the mean is removed from the spectrum (mean x the taper's
    spectrum: the same as removing it before tapering), and the power and its sums are
    taken in float32 as well, on the bins the ratio reads only (1-15 Hz and the peak's
    neighbours): within ~1e-6 of float64 arithmetic on the same float32 spectra (the
    float32 transform itself is the larger error).
    """
    m, k = mean.shape
    df = fs / win
    # only the bins up to 15 Hz (and the band's top + 0.5 Hz) enter the statistics
    nbin = min(win // 2 + 1, int(np.floor(max(15.0, band[1] + 0.5) / df + 1e-9)) + 2)
    freqs = np.arange(nbin) * df
    tot_idx = np.flatnonzero((freqs >= 1.0) & (freqs <= 15.0))
    band_idx = np.flatnonzero((freqs >= band[0]) & (freqs <= band[1]))
    half = max(0, int(np.floor(0.5 / df + 1e-9)))  # bins within 0.5 Hz of the peak
    ratio = np.full(m, np.nan)
    rows = np.flatnonzero(todo)
    if len(rows) == 0:
        return ratio
    if len(band_idx) == 0 or len(tot_idx) == 0:
        ratio[rows] = 0.0
        return ratio
    # the bins read: [lo_bin, hi_bin) (a peak's neighbours stop at bin 0 and at nbin)
    lo_bin = min(int(tot_idx[0]), max(0, int(band_idx[0]) - half))
    hi_bin = max(int(tot_idx[-1]) + 1, min(nbin, int(band_idx[-1]) + half + 1))
    t0, t1 = int(tot_idx[0]) - lo_bin, int(tot_idx[-1]) + 1 - lo_bin
    b0, b1 = int(band_idx[0]) - lo_bin, int(band_idx[-1]) + 1 - lo_bin
    nb = hi_bin - lo_bin
    taper = np.hanning(win).astype(np.float32)
    taper_spec = sfft.rfft(taper.astype(np.float64))[lo_bin:hi_bin]
    # (real, imag) per bin: a unit mean's share of the tapered window's spectrum
    taper_ri = np.stack([taper_spec.real, taper_spec.imag], axis=1).astype(np.float32)
    mean32 = mean.astype(np.float32)
    # the windows as a strided view (m, k, win): no copy until the tapered float32 buffer
    view = np.lib.stride_tricks.sliding_window_view(osc, win, axis=0)[::hop]
    every = len(rows) == m
    chunk = max(1, 250_000 // (win * k))  # ~1 MB of float32 windows: stays in cache
    buf = np.empty((min(chunk, len(rows)), k, win), dtype=np.float32)
    for c0 in range(0, len(rows), chunk):  # loop over chunks of windows (bounded memory)
        c1 = min(len(rows), c0 + chunk)
        w = c1 - c0
        sel = slice(c0, c1) if every else rows[c0:c1]
        seg = buf[:w]
        # to float32 first, then tapered in float32 (the spectrum is float32 anyway)
        seg[...] = view[sel]
        seg *= taper
        spec = sfft.rfft(seg, axis=2)
        ri = spec.view(np.float32).reshape(w, k, -1, 2)[:, :, lo_bin:hi_bin]
        d = mean32[sel, :, None, None] * taper_ri
        np.subtract(ri, d, out=d)
        d *= d
        pc = np.add(d[..., 0], d[..., 1])  # (w, k, nb): each component's power
        power = pc[:, 0].copy()
        for c in range(1, k):  # loop over components (<= 3)
            power += pc[:, c]
        tot = power[:, t0:t1].sum(axis=1)
        pk = b0 + np.argmax(power[:, b0:b1], axis=1)
        r = np.arange(w)
        near = power[r, pk]
        # (the bins read reach every neighbour that exists: a relative index outside
        # [0, nb) is one below bin 0 or above the last bin)
        for h in range(1, half + 1):  # loop over the peak's neighbours (1 bin at 3 s)
            below, above = pk - h, pk + h
            near += np.where(below >= 0, power[r, np.maximum(below, 0)], 0.0)
            near += np.where(above < nb, power[r, np.minimum(above, nb - 1)], 0.0)
        ratio[sel] = near / np.maximum(tot, np.finfo(np.float32).tiny)
    return ratio


def periodic_window(fs: float, window_s: float) -> int:
    """Samples per window of :func:`periodic_runs`: ``window_s * fs`` rounded, or, where
    that length has a prime factor above 5 (a slow real FFT: ``scipy.fft.next_fast_len``),
    the nearest length that has none (the longer of two as near).

    Every window is Fourier-transformed: 3 s at 85.7 Hz (GENEActiv) is 257 samples, a
    prime, whose transform took 4.3x as long as 256 samples' (1.3 s of a 28 h recording's
    7.6 s); 256 samples are 2.99 s. At 25, 30, 50, 64, 100 and 128 Hz the rounded length
    is kept (75, 90, 150, 192, 300, 384 samples).

    Examples
    --------
    >>> periodic_window(100.0, 3.0), periodic_window(85.7, 3.0), periodic_window(25.0, 3.0)
    (300, 256, 75)
    """
    n = max(1, int(round(window_s * fs)))
    up = sfft.next_fast_len(n, real=True)
    if up == n or n < 8:
        return n
    down = n - 1
    while sfft.next_fast_len(down, real=True) != down:  # loop down to a 5-smooth length
        down -= 1
    return down if n - down < up - n else up


def periodic_hop(fs: float, window_s: float, hop_s: float | None = None) -> int:
    """Samples between :func:`periodic_runs`' windows: ``hop_s`` (default half the
    window) on the 0.5 s baseline block grid.

    Below a block the hop is the nearest divisor of the block; from a block up, the
    nearest whole number of blocks that divides the twitch detector's update step (100
    blocks). The windows are counted from a slice's first sample, so stream windows must
    start on the hop's grid: a hop on the block grid keeps that alignment (and so the
    stream's overlap) as short as the defaults', where an arbitrary hop (0.37 s at 100 Hz:
    37 samples) made it the least common multiple of 37 samples and the other steps, up
    to ~30 min. The default 0.5 s is one block, unchanged.

    Examples
    --------
    >>> periodic_hop(100.0, 3.0, 0.5), periodic_hop(100.0, 3.0, 0.37), periodic_hop(100.0, 3.0, 1.4)
    (50, 25, 100)
    >>> periodic_hop(50.0, 3.0), periodic_hop(64.0, 3.0, 0.25)
    (50, 16)
    """
    block = max(1, int(round(_BLOCK_S * fs)))
    want = max(1, int(round((hop_s or window_s / 2) * fs)))
    if want < block:
        choices = [d for d in range(1, block + 1) if block % d == 0]
    else:
        choices = [
            block * d
            for d in range(1, _TWITCH_WHITEN_HOP_BLOCKS + 1)
            if _TWITCH_WHITEN_HOP_BLOCKS % d == 0
        ]
    # the nearest, the smaller of two as near (a finer grid)
    return min(choices, key=lambda c: (abs(c - want), c))


def periodic_runs(
    osc: np.ndarray,
    fs: float,
    window_s: float,
    band: tuple[float, float],
    min_ratio: float,
    min_rms: float,
    hop_s: float | None = None,
) -> np.ndarray:
    """Runs of windows holding a narrow spectral peak in ``band`` (tremor-like oscillation).

    The envelope thresholds cannot see an oscillation that fills the whole recording
    (the baseline then *is* the oscillation); this detector marks windows whose
    power within 0.5 Hz of the peak is at least ``min_ratio`` of the 1-15 Hz power
    and whose RMS is at least ``min_rms``. Returns [start, stop) sample runs.

    The RMS comes first (from per-hop sums): a window below ``min_rms`` is not
    transformed at all (:func:`_periodic_ratio`).

    Examples
    --------
    >>> import numpy as np
    >>> fs = 100.0
    >>> t = np.arange(6000) / fs
    >>> x = (0.01 * np.sin(2 * np.pi * 5.5 * t) * (t > 20))[:, None]
    >>> bool(abs(periodic_runs(x, fs, 3.0, (3, 12), 0.3, 0.002)[0, 0] / fs - 20) < 1.5)
    True
    """
    n, k = osc.shape
    win = periodic_window(fs, window_s)
    hop = periodic_hop(fs, window_s, hop_s)
    if win < 2 or n < win:  # (a window of under 2 samples has no spectrum)
        return np.empty((0, 2), dtype=np.int64)
    starts = np.arange(0, n - win + 1, hop)
    m = len(starts)
    s1, s2 = _hop_window_sums(osc, win, hop, m)  # (sum, sum of squares)
    mean = s1 / win
    # RMS of the mean-removed window
    rms = np.sqrt(np.maximum(s2 - (s1 * s1).sum(axis=1) / win, 0.0) / win)
    loud = rms >= min_rms
    ratio = _periodic_ratio(osc, fs, win, hop, band, mean, loud)
    periodic = loud & (ratio >= min_ratio)
    if not periodic.any():
        return np.empty((0, 2), dtype=np.int64)
    # a periodic window marks its central hop (the first and last windows reach the edges)
    lo = starts + (win - hop) // 2
    hi = lo + hop
    lo[0] = 0
    hi[-1] = n
    runs = np.stack([lo[periodic], hi[periodic]], axis=1)
    return merge_runs(runs, 1)


def _posture_block(fs: float) -> int:
    """Samples per posture block."""
    return max(1, int(round(_POSTURE_BLOCK_S * fs)))


def _posture_ref_blocks(fs: float) -> int:
    """Posture blocks per block of the posture reference: 4 (1 s) when that is exactly two
    baseline blocks (so that windows aligned to baseline blocks align it too), else 1."""
    block = max(1, int(round(_BLOCK_S * fs)))
    r = _POSTURE_REF_BLOCKS
    return r if r * _posture_block(fs) == 2 * block else 1


def _norm3(v: np.ndarray) -> np.ndarray:
    """Euclidean norm over the last axis of length 3, keeping it (length 1):
    ``np.linalg.norm(v, axis=-1, keepdims=True)``, the same values (the squares are added
    in the same order), without its temporaries and its reduction over a short axis."""
    x, y, z = v[..., 0], v[..., 1], v[..., 2]
    return np.sqrt(x * x + y * y + z * z)[..., None]


def _block_means(x: np.ndarray, b: int) -> np.ndarray:
    """Means of the full blocks of ``b`` rows of ``x`` (n, k):
    ``x[: nb * b].reshape(nb, b, k).mean(axis=1)``, the same values.

    A row-major ``x`` with ``k >= 2`` columns is summed by ``einsum`` (the same
    row-by-row order as ``mean``, which is ~5x slower over that strided axis);
    other layouts (e.g. the filters' channels-first output) use ``mean``.
    """
    nb = x.shape[0] // b
    h = x[: nb * b].reshape(nb, b, -1)
    if x.ndim == 2 and x.shape[1] >= 2 and x.flags.c_contiguous:
        return np.einsum("ijk->ik", h) / b
    return h.mean(axis=1)


def _group_means(x: np.ndarray, r: int) -> np.ndarray:
    """Means of consecutive groups of ``r`` rows of ``x`` (m * r, k):
    ``x.reshape(-1, r, k).mean(axis=1)``, the same values.

    For ``r < 8`` that mean adds a group's rows one after the other (numpy's pairwise
    summation only starts at 8 values; tests/test_segment.py checks the equality); so do
    these ``r - 1`` additions of whole (m, k) slices, without the mean's slow reduction
    over a short strided axis (~4x faster for the 4-block posture reference).
    """
    g = x.reshape(-1, r, x.shape[-1])
    if r >= 8:
        return g.mean(axis=1)
    acc = g[:, 0].copy()
    for j in range(1, r):  # loop over the rows of a group
        acc += g[:, j]
    acc /= r
    return acc


def _centred_max(v: np.ndarray, window: int) -> np.ndarray:
    """``pd.Series(v).rolling(window, center=True, min_periods=1).max()`` of a 1-D ``v``
    for an odd ``window``, the same values: the running maximum of
    :func:`scipy.ndimage.maximum_filter1d` with the ends padded by the end values (a window
    that an end cuts holds that end value already, so its maximum is unchanged). With NaN
    (pandas leaves them out) or an even window: pandas.
    """
    if window % 2 == 0 or not np.isfinite(v).all():
        return pd.Series(v).rolling(window, center=True, min_periods=1).max().to_numpy()
    from scipy import ndimage

    return ndimage.maximum_filter1d(v, window, mode="nearest")


def posture_runs(
    gravity: np.ndarray,
    fs: float,
    ref_window_s: float,
    on_deg: float,
    off_deg: float,
    steady_deg: float = 3.0,
    steady_s: float = 1.0,
) -> np.ndarray:
    """Runs where the gravity direction is held away from its slow reference (a posture).

    The reference is the running median direction over ``ref_window_s``; a run starts
    where the deviation exceeds ``on_deg`` and lasts while it stays above ``off_deg`` and
    the direction stays steady (within ``steady_deg`` of its ±``steady_s`` mean, over
    ±``steady_s``).
    Computed on 0.25 s blocks. Returns [start, stop) sample runs.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 50.0
    >>> n = int(300 * fs)
    >>> g = np.tile([0.0, 0.0, 1.0], (n, 1))
    >>> a = np.radians(30)
    >>> g[int(100 * fs):int(110 * fs)] = [0.0, np.sin(a), np.cos(a)]   # 30 deg for 10 s
    >>> r = posture_runs(g, fs, 120.0, 7.0, 4.0)  # an instant jump: not steady for ~1 s
    >>> (r / fs).round(0).tolist()
    [[102.0, 108.0]]
    """
    n = gravity.shape[0]
    b = _posture_block(fs)
    nb = n // b
    if nb < 4:
        return np.empty((0, 2), dtype=np.int64)
    blocks = _block_means(gravity, b)
    unit = blocks / np.maximum(_norm3(blocks), 1e-9)
    # the slow reference: running median over ref_window_s of 1 s mean directions (4x
    # fewer rows than the 0.25 s blocks and a 4x shorter window: the median is ~16x
    # cheaper); at rates where 1 s is not two baseline blocks, of the 0.25 s blocks
    r = _posture_ref_blocks(fs)
    nr = -(-nb // r)
    padded = np.concatenate([unit, np.repeat(unit[-1:], nr * r - nb, axis=0)])
    coarse = _group_means(padded, r)
    w = max(3, int(round(ref_window_s / (_POSTURE_BLOCK_S * r))))
    # (pandas' rolling median, the same values: see _rolling_quantile)
    ref = _rolling_quantile(coarse, w, None, 1)
    # normalised before it is repeated (the same values, r times fewer rows)
    ref = ref / np.maximum(_norm3(ref), 1e-9)
    ref = np.repeat(ref, r, axis=0)[:nb]
    angle = np.degrees(np.arccos(np.clip(np.einsum("ij,ij->i", unit, ref), -1, 1)))
    # held: the direction is steady over +-1 s (a limb moving about is not a posture)
    sw = 2 * max(1, int(round(steady_s / 0.25))) + 1  # blocks in +-steady_s
    local = pd.DataFrame(unit).rolling(sw, center=True, min_periods=1).mean().to_numpy(copy=True)
    local /= np.maximum(_norm3(local), 1e-9)
    wobble = np.degrees(np.arccos(np.clip(np.einsum("ij,ij->i", unit, local), -1, 1)))
    steady = _centred_max(wobble, sw) <= steady_deg
    angle = np.where(steady, angle, 0.0)
    runs = hysteresis_runs(angle, np.full(nb, on_deg), np.full(nb, off_deg))
    runs = runs * b
    runs[runs[:, 1] >= nb * b, 1] = n
    return runs


def _row_windows(x: np.ndarray, lo: np.ndarray, width: int) -> np.ndarray:
    """``x[lo[i] : lo[i] + width]`` per ``i`` (x: (n, k)), stacked: (len(lo), width, k); rows
    past the end of ``x`` repeat its first row (a filler, for the caller to mask).

    Each window is one slice of a strided view of ``x`` (a copy of contiguous rows, not a
    gather of single rows by an index array); windows that run past the end are gathered.
    """
    n, k = x.shape
    if width == 0 or len(lo) == 0:
        return np.empty((len(lo), width, k), dtype=x.dtype)
    fits = lo <= n - width
    if n < width or not fits.any():
        at = lo[:, None] + np.arange(width)
        return x[np.where(at < n, at, 0)]
    view = np.lib.stride_tricks.as_strided(
        x, shape=(n - width + 1, width, k), strides=(x.strides[0],) + x.strides, writeable=False
    )
    if fits.all():
        return view[lo]
    out = np.empty((len(lo), width, k), dtype=x.dtype)
    out[fits] = view[lo[fits]]
    at = lo[~fits, None] + np.arange(width)
    out[~fits] = x[np.where(at < n, at, 0)]
    return out


def tilt_edges(
    orientation: np.ndarray,
    runs: np.ndarray,
    fs: float,
    search_s: float,
    fraction: float = 0.1,
    min_deg: float = 0.0,
    require_change: bool = False,
) -> np.ndarray:
    """Move posture-run edges to where the tilt change starts and where it has ended.

    A posture found on a low-passed gravity signal starts where the smoothed angle
    crosses a threshold, which can be seconds away from the movement. Here each edge is
    looked for within ``search_s`` of the run's edge on ``orientation`` (a signal that
    keeps tilt changes sharp, :func:`movement.preprocess.running_median`): with ``r0``
    the direction at the far end of the search window (outside the run) and ``r1`` the
    direction held in the run's central half, the onset is the last sample before the
    change is half done whose angle from ``r0`` is at most ``fraction`` of the angle
    between ``r0`` and ``r1``; the offset is found the same way from the other side.
    Edges are kept when the held change is below ``min_deg`` or not found. With
    ``require_change``, a run whose orientation changes by less than ``min_deg`` across
    both edge windows (``search_s`` either side of each edge) is dropped: a slow drift of
    the resting orientation away from the long reference is not a posture change; a run
    with a change at one edge only (a drift across the threshold at the other) is cut to
    the hold next to its change, and dropped when that hold is the rest rather than the
    tilt (it differs from the drifting side by less than half the change); a run with
    changes at both edges whose outsides differ from each other more than from the run
    (the rest between two different tilts) is dropped. Runs at the recording's edges are
    cut, never dropped.
    Vectorised over runs; loops over the runs with a change at one edge only.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 50.0
    >>> n = int(60 * fs)
    >>> o = np.tile([0.0, 0.0, 1.0], (n, 1))
    >>> a = np.radians(20) * np.clip((np.arange(n) / fs - 20) / 0.5, 0, 1)
    >>> a[int(30 * fs):] = 0.0                      # 20 deg from 20-20.5 s to 30 s
    >>> o[:] = np.column_stack([0 * a, np.sin(a), np.cos(a)])
    >>> r = tilt_edges(o, np.array([[int(19 * fs), int(31 * fs)]]), fs, 2.0)
    >>> (r / fs).round(2).tolist()
    [[20.06, 30.0]]
    """
    n = orientation.shape[0]
    out = np.array(runs, dtype=np.int64, copy=True)
    if len(out) == 0:
        return out
    s = max(1, int(round(search_s * fs)))
    q = max(1, int(round(0.25 * fs)))  # the reference directions: 0.25 s means

    def unit(v: np.ndarray) -> np.ndarray:
        return v / np.maximum(_norm3(v), 1e-12)

    def mean_dirs(i0: np.ndarray, i1: np.ndarray) -> np.ndarray:
        """The mean directions (unit) over [i0, i1) (at least one sample; i1 <= n)."""
        i1 = np.minimum(np.maximum(i1, i0 + 1), n)
        idx, _, first = run_samples(i0, i1 - i0)
        # (np.take: the rows of a fancy index, several times faster on (n, 3) rows)
        tot = np.add.reduceat(np.take(orientation, idx, axis=0), first, axis=0)
        return unit(tot / (i1 - i0)[:, None])

    def angles(u: np.ndarray, r: np.ndarray) -> np.ndarray:
        """Angles (deg) of ``u`` (m, ..., 3) from ``r`` (m, 3), row by row."""
        dots = np.einsum("i...k,ik->i...", u, r)
        return np.degrees(np.arccos(np.clip(dots, -1.0, 1.0)))

    def window_angles(lo: np.ndarray, hi: np.ndarray, r0: np.ndarray) -> np.ndarray:
        """Angles from ``r0`` of the samples in each [lo, hi), NaN-padded (m, max length)."""
        width = int((hi - lo).max(initial=0))
        inside = np.arange(width) < (hi - lo)[:, None]
        th = angles(unit(_row_windows(orientation, lo, width)), r0)
        th[~inside] = np.nan
        return th

    def onset_edges(a: np.ndarray, r1: np.ndarray, mid: np.ndarray) -> tuple[np.ndarray, ...]:
        """Onsets searched from outside each run (a - s) up to ``mid``: (onset or -1, and
        whether the direction at ``mid`` differs by ``min_deg`` from the outside)."""
        lo = np.maximum(0, a - s)
        on = np.full(len(a), -1, dtype=np.int64)
        ch = np.zeros(len(a), dtype=bool)
        v = np.flatnonzero(mid - lo > q)
        if len(v) == 0:
            return on, ch
        lo, mid, r1 = lo[v], mid[v], r1[v]
        r0 = mean_dirs(lo, lo + q)
        held = angles(r1, r0)
        th = window_angles(lo, mid, r0)
        ch[v] = angles(mean_dirs(mid - q, mid), r0) >= min_deg
        up = th >= 0.5 * held[:, None]
        first = np.where(up.any(axis=1), up.argmax(axis=1), -1)
        col = np.arange(th.shape[1])
        low = (th <= fraction * held[:, None]) & (col < first[:, None])
        last_low = th.shape[1] - 1 - low[:, ::-1].argmax(axis=1)
        ok = (held >= min_deg) & (first >= 0) & low.any(axis=1)
        on[v[ok]] = lo[ok] + last_low[ok] + 1
        return on, ch

    def offset_edges(b: np.ndarray, r1: np.ndarray, mid: np.ndarray) -> tuple[np.ndarray, ...]:
        """Offsets searched from ``mid`` out to b + s: (offset or -1, and whether the
        direction at ``mid`` differs by ``min_deg`` from the outside)."""
        hi = np.minimum(n, b + s)
        off = np.full(len(b), -1, dtype=np.int64)
        ch = np.zeros(len(b), dtype=bool)
        v = np.flatnonzero(hi - mid > q)
        if len(v) == 0:
            return off, ch
        hi, mid, r1 = hi[v], mid[v], r1[v]
        r0 = mean_dirs(hi - q, hi)
        held = angles(r1, r0)
        th = window_angles(mid, hi, r0)
        ch[v] = angles(mean_dirs(mid, mid + q), r0) >= min_deg
        up = th >= 0.5 * held[:, None]
        last = np.where(up.any(axis=1), th.shape[1] - 1 - up[:, ::-1].argmax(axis=1), -1)
        col = np.arange(th.shape[1])
        low = (th <= fraction * held[:, None]) & (col >= last[:, None])
        ok = (held >= min_deg) & (last >= 0) & low.any(axis=1)
        off[v[ok]] = mid[ok] + low[ok].argmax(axis=1)
        return off, ch

    # every run's edges at once; the runs whose edges disagree (require_change) after
    a_all, b_all = out[:, 0].copy(), out[:, 1].copy()
    quarter_all = (b_all - a_all) // 4
    r1_all = mean_dirs(a_all + quarter_all, b_all - quarter_all)
    on_all, ch_on_all = onset_edges(
        a_all, r1_all, np.minimum(a_all + s, a_all + 2 * quarter_all + 1)
    )
    off_all, ch_off_all = offset_edges(
        b_all, r1_all, np.maximum(b_all - s, a_all + 2 * quarter_all)
    )
    changed = ch_on_all | ch_off_all
    inner_all = (a_all > q) & (b_all < n - q)
    if require_change:
        both = ch_on_all & ch_off_all & inner_all
        if both.any():
            # a posture goes away from a direction and comes back to it: a run between two
            # different tilts (the rest between a posture's return and the next spasm, off a
            # stale reference) is closer to each of them than they are to each other
            w = np.flatnonzero(both)
            lo, hi = np.maximum(0, a_all[w] - s), np.minimum(n, b_all[w] + s)
            r_b, r_a = mean_dirs(lo, lo + q), mean_dirs(hi - q, hi)
            apart = angles(r_b, r_a)
            away = np.minimum(angles(r1_all[w], r_b), angles(r1_all[w], r_a))
            changed[w] = apart < away

    def away_from_hold(
        i0: np.ndarray, i1: np.ndarray, r_h: np.ndarray, r_out: np.ndarray, last: bool
    ) -> np.ndarray:
        """In each [i0, i1): the last (first) sample closer to ``r_out`` than to ``r_h``,
        relative to i0, or -1."""
        idx, rid, first = run_samples(i0, i1 - i0)
        u = unit(np.take(orientation, idx, axis=0))
        flag = angles(u, np.take(r_h, rid, axis=0)) > angles(u, np.take(r_out, rid, axis=0))
        pos = np.arange(len(idx)) - first[rid]
        if last:
            return np.maximum.reduceat(np.where(flag, pos, -1), first)
        big = len(idx) + 1
        found = np.minimum.reduceat(np.where(flag, pos, big), first)
        return np.where(found < big, found, -1)

    if require_change:
        # a change at one edge only: that edge is the slow drift of the resting direction
        # across the threshold, not a tilt change: the posture is the hold next to the
        # other edge, which starts (ends) where the orientation is last (first) closer to
        # the direction outside the drifting edge than to the hold (a held posture may
        # drift a little too)
        lo_all, hi_all = np.maximum(0, a_all - s), np.minimum(n, b_all + s)
        f = np.flatnonzero(ch_off_all & ~ch_on_all)
        if len(f):
            a, b, lo, hi = a_all[f], b_all[f], lo_all[f], hi_all[f]
            hold = np.maximum(a + 1, np.where(off_all[f] >= 0, off_all[f], b) - s)
            r_h = mean_dirs(np.maximum(a, hold - q), hold)
            # the hold is the tilted state: it differs from the direction outside the
            # drifting edge by at least half the tilt at the changed edge; a run holding
            # the rest it started from only touches the next change (the low-passed
            # gravity's smear ahead of a tilt, the rest after a posture's return)
            r_out = mean_dirs(lo, lo + q)
            tilt = angles(r_h, mean_dirs(hi - q, hi))
            keep = angles(r_h, r_out) >= np.maximum(min_deg, 0.5 * tilt)
            away = away_from_hold(a, hold, r_h, r_out, last=True)
            w = np.flatnonzero(away >= 0)
            a2 = a[w] + away[w] + 1
            on2, _ = onset_edges(a2, r_h[w], np.maximum(np.minimum(a2 + s, hold[w]), a2 + 1))
            on2 = np.where(on2 >= 0, on2, a2)
            # and the offset is located against the hold, not the run's centre
            off2, _ = offset_edges(b[w], r_h[w], np.maximum(b[w] - s, on2 + 1))
            on_all[f[w]] = on2
            off_all[f[w]] = np.where(off2 >= 0, off2, off_all[f[w]])
            changed[f] = keep | ~inner_all[f]
        g = np.flatnonzero(ch_on_all & ~ch_off_all)
        if len(g):
            a, b, lo, hi = a_all[g], b_all[g], lo_all[g], hi_all[g]
            hold = np.minimum(b - 1, np.where(on_all[g] >= 0, on_all[g], a) + s)
            r_h = mean_dirs(hold, np.minimum(b, hold + q))
            r_out = mean_dirs(hi - q, hi)
            tilt = angles(r_h, mean_dirs(lo, lo + q))
            keep = angles(r_h, r_out) >= np.maximum(min_deg, 0.5 * tilt)
            away = away_from_hold(hold, b, r_h, r_out, last=False)
            w = np.flatnonzero(away >= 0)
            b2 = hold[w] + away[w]
            off2, _ = offset_edges(b2, r_h[w], np.minimum(np.maximum(b2 - s, hold[w]), b2 - 1))
            off2 = np.where(off2 >= 0, off2, b2)
            on2, _ = onset_edges(a[w], r_h[w], np.minimum(a[w] + s, off2))
            off_all[g[w]] = off2
            on_all[g[w]] = np.where(on2 >= 0, on2, on_all[g[w]])
            changed[g] = keep | ~inner_all[g]
    out[on_all >= 0, 0] = on_all[on_all >= 0]
    out[off_all >= 0, 1] = off_all[off_all >= 0]
    out[:, 1] = np.maximum(out[:, 1], out[:, 0] + 1)
    return out[changed] if require_change else out


def split_at_rest(
    orientation: np.ndarray,
    runs: np.ndarray,
    fs: float,
    rest_deg: float,
    min_rest_s: float,
    ref_s: float = 0.25,
) -> np.ndarray:
    """Cut posture runs where the orientation is back at rest for a while.

    The 0.25 Hz gravity low-pass spreads each tilt over seconds, so two tilts with a
    short return to rest between them (a reach and then a spasm; two postures) read as
    one held posture, or a posture's run starts in the return of a movement before it.
    On the sharp orientation the rest is visible: the direction within ``rest_deg`` of
    its mean over ``ref_s`` before the run's onset or after its offset (the rest on
    either side). A stretch at rest of at least ``min_rest_s`` inside a run cuts it (the
    stretch left out); one at the onset that is at the rest after the run (the run began
    in the return of an earlier movement), or at the offset at the rest before it, is
    trimmed off. Shorter stretches at the edges are the ramps of the tilt. Vectorised
    over runs.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 10.0
    >>> a = np.radians(20) * ((np.arange(300) >= 100) & (np.arange(300) < 140)
    ...                       | (np.arange(300) >= 160) & (np.arange(300) < 200))
    >>> o = np.column_stack([0 * a, np.sin(a), np.cos(a)])
    >>> split_at_rest(o, np.array([[100, 200]]), fs, 4.0, 1.0).tolist()
    [[100, 140], [160, 200]]
    >>> split_at_rest(o, np.array([[80, 140]]), fs, 4.0, 1.0).tolist()
    [[100, 140]]
    """
    n = orientation.shape[0]
    out = np.array(runs, dtype=np.int64, copy=True).reshape(-1, 2)
    out = out[np.argsort(out[:, 0], kind="stable")]
    q = max(1, int(round(ref_s * fs)))
    m = max(1, int(round(min_rest_s * fs)))
    a = np.clip(out[:, 0], 0, n)
    b = np.clip(out[:, 1], 0, n)
    lens = b - a
    live = np.flatnonzero((lens >= m) & ((a > 0) | (b < n)))
    if len(live) == 0:
        return out
    a, b, lens = a[live], b[live], lens[live]

    def mean_dirs(i0: np.ndarray, i1: np.ndarray) -> np.ndarray:
        """Mean direction over [i0, i1) per run (zero where empty)."""
        k = np.maximum(i1 - i0, 1)
        j, _, f = run_samples(i0, k)
        rows = np.take(orientation, np.minimum(j, n - 1), axis=0)
        d = np.add.reduceat(rows, f, axis=0) / k[:, None]
        d[i1 <= i0] = 0.0
        return d / np.maximum(_norm3(d), 1e-12)

    c = np.cos(np.radians(rest_deg))
    before = mean_dirs(np.maximum(a - q, 0), a)
    after = mean_dirs(b, np.minimum(b + q, n))
    idx, rid, first = run_samples(a, lens)
    last = first + lens
    u = np.take(orientation, idx, axis=0)
    u = u / np.maximum(_norm3(u), 1e-12)
    rest_b = np.einsum("ij,ij->i", u, np.take(before, rid, axis=0)) >= c
    rest_a = np.einsum("ij,ij->i", u, np.take(after, rid, axis=0)) >= c

    def stretches(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Runs of ``mask`` of at least ``m`` samples, each within one run, and their run.

        The runs' samples lie end to end in ``mask``: a stretch ends at its run's last
        sample and the next run's starts at its first (a stretch at rest that ran on from
        one run's end into the next one's start was one stretch, counted for the first
        run: the next run's own start at rest was then not seen, and whether it was
        depended on the run before it, in a stream window on a run in the overlap).
        """
        begin = mask.copy()
        begin[1:] &= ~mask[:-1]
        begin[first] = mask[first]
        end = mask.copy()
        end[:-1] &= ~mask[1:]
        end[last - 1] = mask[last - 1]
        rr = np.stack([np.flatnonzero(begin), np.flatnonzero(end) + 1], axis=1)
        if len(rr) == 0:
            return rr, np.empty(0, dtype=np.int64)
        r_id = rid[rr[:, 0]]
        ok = (rr[:, 1] - rr[:, 0]) >= m
        return rr[ok], r_id[ok]

    s0, s1 = out[:, 0].copy(), out[:, 1].copy()
    rr, r_id = stretches(rest_a | rest_b)
    n_a = np.concatenate(([0], np.cumsum(rest_a)))
    n_b = np.concatenate(([0], np.cumsum(rest_b)))
    # at the onset, a stretch reaching the rest that follows the run (the run began in
    # the return of an earlier movement); at the offset, one reaching the rest before it.
    # (The rest on the same side alone is where a run may start or end inside a hold.)
    head = (
        (rr[:, 0] == first[r_id]) & (rr[:, 1] < last[r_id]) & ((n_a[rr[:, 1]] - n_a[rr[:, 0]]) >= m)
    )
    s0[live[r_id[head]]] = idx[rr[head, 1] - 1] + 1
    tail = (
        (rr[:, 1] == last[r_id]) & (rr[:, 0] > first[r_id]) & ((n_b[rr[:, 1]] - n_b[rr[:, 0]]) >= m)
    )
    s1[live[r_id[tail]]] = idx[rr[tail, 0]]
    # inside: at rest with either side, between two tilts
    inner = (rr[:, 0] > first[r_id]) & (rr[:, 1] < last[r_id])
    cut0 = idx[rr[inner, 0]]
    cut1 = idx[rr[inner, 1] - 1] + 1
    # a cut overlapping a trimmed edge only moves that edge
    r_in = live[r_id[inner]]
    keep = (cut0 > s0[r_in]) & (cut1 < s1[r_in])
    # each cut lies inside one run: its start ends a piece, its stop starts the next
    starts = np.sort(np.concatenate([s0, cut1[keep]]))
    stops = np.sort(np.concatenate([s1, cut0[keep]]))
    return np.stack([starts, stops], axis=1)


def _refine_with_bursts(
    s_runs: np.ndarray, b_runs: np.ndarray, gap_n: int, half: int
) -> np.ndarray:
    """Sustained edges moved (by at most ``half`` samples) to the brief-scale bursts' edges.

    The long RMS window smears onsets and offsets by half its length; the brief scale
    locates them better.
    """
    if not (len(s_runs) and len(b_runs)):
        return s_runs
    merged_b = merge_runs(b_runs, gap_n)
    lo_i = np.searchsorted(merged_b[:, 1], s_runs[:, 0] - half, side="right")
    hi_i = np.searchsorted(merged_b[:, 0], s_runs[:, 1] + half, side="left") - 1
    ok = hi_i >= lo_i
    new_on = np.where(ok, merged_b[np.clip(lo_i, 0, len(merged_b) - 1), 0], s_runs[:, 0])
    new_off = np.where(ok, merged_b[np.clip(hi_i, 0, len(merged_b) - 1), 1], s_runs[:, 1])
    out = np.stack(
        [
            np.clip(new_on, s_runs[:, 0] - half, s_runs[:, 0] + half),
            np.clip(new_off, s_runs[:, 1] - half, s_runs[:, 1] + half),
        ],
        axis=1,
    )
    return merge_runs(out[np.argsort(out[:, 0], kind="stable")], 1)


def absorb_bursts(
    s_runs: np.ndarray, b_runs: np.ndarray, max_gap: int, sustained_gap: int | None = None
) -> np.ndarray:
    """Sustained runs extended over the brief runs (bursts) that chain to them.

    Runs of both kinds closer than ``max_gap`` samples are joined (as :func:`merge_runs`);
    a joined group that holds at least one sustained run becomes a sustained run, and a
    group of bursts only is left out (they stay brief events). An irregular tremor whose
    amplitude varies from burst to burst (amplitude CV 0.3-0.6, domain reference section
    1) leaves the long envelope between its strong stretches while its bursts go on:
    one event, not several. With ``sustained_gap``, a step from a sustained run straight
    to the next sustained run (no burst between) joins only when shorter than that: the
    chain is carried by the bursts. Vectorised over runs.

    Examples
    --------
    >>> import numpy as np
    >>> s = np.array([[100, 300], [900, 1000]])
    >>> b = np.array([[320, 340], [360, 380], [600, 620]])
    >>> absorb_bursts(s, b, 50).tolist()
    [[100, 380], [900, 1000]]
    >>> absorb_bursts(np.array([[0, 100], [150, 300], [500, 600]]), np.array([[420, 440]]),
    ...               100, 20).tolist()
    [[0, 100], [150, 300], [420, 600]]
    """
    if not (len(s_runs) and len(b_runs)):
        return s_runs
    allr = np.concatenate([s_runs, b_runs])
    sus = np.r_[np.ones(len(s_runs), np.int8), np.zeros(len(b_runs), np.int8)]
    order = np.argsort(allr[:, 0], kind="stable")
    allr, sus = allr[order], sus[order]
    reach = np.maximum.accumulate(allr[:, 1])
    gap = allr[1:, 0] - reach[:-1]
    limit = np.full(len(gap), max_gap)
    if sustained_gap is not None:
        # the run whose end the next one is measured from (the farthest-reaching so far)
        holder = np.maximum.accumulate(np.where(allr[:, 1] == reach, np.arange(len(allr)), 0))
        limit[(sus[1:] & sus[holder[:-1]]).astype(bool)] = sustained_gap
    first = np.flatnonzero(np.concatenate(([True], gap >= limit)))
    keep = np.maximum.reduceat(sus, first).astype(bool)
    starts = allr[first, 0]
    stops = np.maximum.reduceat(allr[:, 1], first)
    return np.stack([starts[keep], stops[keep]], axis=1)


def run_samples(starts: np.ndarray, lens: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every sample index of runs ``[starts[i], starts[i] + lens[i])`` (lens > 0), concatenated.

    Returns ``(idx, rid, offsets)``: the sample indices, each one's run number, and where
    each run begins in ``idx`` (for ``np.ufunc.reduceat`` per run).

    Examples
    --------
    >>> import numpy as np
    >>> idx, rid, off = run_samples(np.array([2, 7]), np.array([3, 2]))
    >>> idx.tolist(), rid.tolist(), off.tolist()
    ([2, 3, 4, 7, 8], [0, 0, 0, 1, 1], [0, 3])
    """
    offsets = np.concatenate(([0], np.cumsum(lens)[:-1])).astype(np.int64)
    rid = np.repeat(np.arange(len(lens)), lens)
    idx = np.arange(int(np.sum(lens))) - np.repeat(offsets - starts, lens)
    return idx, rid, offsets


#: Samples at each end of a run that :func:`trim_to_peak` checks first for its edges.
_EDGE_SCAN = 16


def trim_to_peak(env: np.ndarray, runs: np.ndarray, fraction: float) -> np.ndarray:
    """Cut each run's leading and trailing samples where ``env`` is below ``fraction`` of its peak.

    A threshold relative to rest places the edges of a large movement far out in its
    smoothing and filter tails (a 1 g reach crosses a 10 mg threshold a second early);
    measured against the event's own peak, the edge is where the movement starts and
    ends. Runs are never split (dips inside a run are kept). Vectorised over runs.

    Examples
    --------
    >>> import numpy as np
    >>> env = np.array([0.0, 0.05, 0.2, 1.0, 0.5, 0.02, 0.0, 0.3, 0.3, 0.0])
    >>> trim_to_peak(env, np.array([[1, 6], [7, 9]]), 0.1).tolist()
    [[2, 5], [7, 9]]
    """
    if len(runs) == 0:
        return runs
    out = np.array(runs, dtype=np.int64, copy=True)
    n = env.shape[0]
    a = np.clip(out[:, 0], 0, n)
    lens = np.clip(out[:, 1], 0, n) - a
    live = np.flatnonzero(lens > 0)
    if len(live) == 0:
        return out
    al, ll = a[live], lens[live]
    bl = al + ll
    if np.all(al[1:] >= bl[:-1]):
        # sorted, disjoint runs (the usual case): peaks read in place, strong samples
        # located by position (no per-sample run numbers); the same arithmetic
        bounds = np.stack([al, bl], axis=1).ravel()
        peak = np.maximum.reduceat(env, bounds[:-1] if bounds[-1] >= n else bounds)[::2]
        thr = fraction * peak
        # the edges are usually within a few samples of the run's: look at the first and
        # last _EDGE_SCAN samples of every run at once; the other runs sample by sample
        j = np.arange(_EDGE_SCAN)[None, :]
        inrun = j < ll[:, None]
        head = inrun & (env[np.minimum(al[:, None] + j, n - 1)] >= thr[:, None])
        tail = inrun & (env[np.maximum(bl[:, None] - 1 - j, 0)] >= thr[:, None])
        ok = head.any(axis=1) & tail.any(axis=1)
        first = al + np.argmax(head, axis=1)
        last = bl - 1 - np.argmax(tail, axis=1)
        rest = np.flatnonzero(~ok)
        if len(rest):
            ar, lr = al[rest], ll[rest]
            offsets = np.concatenate(([0], np.cumsum(lr)[:-1])).astype(np.int64)
            idx = np.arange(int(np.sum(lr))) - np.repeat(offsets - ar, lr)
            sp = idx[env[idx] >= np.repeat(thr[rest], lr)]
            lo = np.searchsorted(sp, ar, side="left")
            hi = np.searchsorted(sp, ar + lr, side="left")
            found = hi > lo
            first[rest[found]] = sp[lo[found]]
            last[rest[found]] = sp[hi[found] - 1]
            ok[rest] = found
        out[live[ok], 0] = first[ok]
        out[live[ok], 1] = last[ok] + 1
        return out
    else:
        idx, rid, offsets = run_samples(al, ll)
        vals = env[idx]
        peak = np.maximum.reduceat(vals, offsets)
        strong = vals >= fraction * peak[rid]
        sp, sr = idx[strong], rid[strong]  # strong samples, sorted by run
        runs_i = np.arange(len(live))
        lo = np.searchsorted(sr, runs_i, side="left")
        hi = np.searchsorted(sr, runs_i, side="right")
    ok = hi > lo
    out[live[ok], 0] = sp[lo[ok]]
    out[live[ok], 1] = sp[hi[ok] - 1] + 1
    return out


def snap_to_edges(runs: np.ndarray, anchors: np.ndarray, tol: int) -> np.ndarray:
    """Move run edges that lie at most ``tol`` samples outside an anchor run's edge onto it.

    An envelope smoothed over a window starts up to one window before the movement
    it measures and ends up to one window after it; when a better-located run (a tilt
    change, :func:`tilt_edges`) starts or ends within that distance, the envelope's
    edge is that run's smear and takes the located edge. Edges inside an anchor, or
    farther out than ``tol``, are kept.

    Examples
    --------
    >>> import numpy as np
    >>> snap_to_edges(np.array([[90, 215], [300, 400]]), np.array([[100, 200]]), 20).tolist()
    [[100, 200], [300, 400]]
    """
    if not (len(runs) and len(anchors)):
        return runs
    out = np.array(runs, dtype=np.int64, copy=True)
    a0 = np.sort(anchors[:, 0])
    a1 = np.sort(anchors[:, 1])
    i = np.searchsorted(a0, out[:, 0], side="left")
    ok = i < len(a0)
    d = a0[np.clip(i, 0, len(a0) - 1)] - out[:, 0]
    snap = ok & (d <= tol) & (a0[np.clip(i, 0, len(a0) - 1)] < out[:, 1])
    out[snap, 0] = a0[i[snap]]
    j = np.searchsorted(a1, out[:, 1], side="right") - 1
    ok = j >= 0
    d = out[:, 1] - a1[np.clip(j, 0, None)]
    snap = ok & (d <= tol) & (a1[np.clip(j, 0, None)] > out[:, 0])
    out[snap, 1] = a1[j[snap]]
    return out


def _rest_level(
    sustained: np.ndarray,
    fs: float,
    cfg: EMGConfig | AccelConfig,
    gaps: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, int]:
    """One site's rest level and spread of its sustained envelope, per 0.5 s baseline
    block (capped at ``max_rest_level_g`` where set; ``gaps`` left out), and the samples
    per block."""
    cap = getattr(cfg, "max_rest_level_g", None) or np.inf
    lvl, spr, blk = _block_baseline(
        sustained[:, None], fs, cfg.baseline_window_s, cfg.baseline_quantile, exclude=gaps
    )
    lvl = np.minimum(lvl[:, 0], cap)
    return lvl, np.minimum(spr[:, 0], lvl), blk


def rest_levels(pre: Preprocessed, cfg: EMGConfig | AccelConfig) -> np.ndarray:
    """The rest level of every site per sample (n_samples, n_sites): ``segment(pre,
    cfg).level`` without running the detectors (a stream's first pass reads only this).

    Examples
    --------
    >>> import numpy as np, movement
    >>> from movement.config import EMGConfig
    >>> from movement.preprocess import preprocess
    >>> rec = movement.simulate("emg", 30.0, 1).recording
    >>> pre = preprocess(rec, EMGConfig())
    >>> bool(np.array_equal(rest_levels(pre, EMGConfig()), segment(pre, EMGConfig()).level))
    True
    """
    n = pre.sustained.shape[0]
    cols = [_rest_level(pre.sustained[:, j], pre.fs, cfg, pre.gaps) for j in range(len(pre.sites))]
    if not cols:
        return np.zeros((n, 0))
    blk = cols[0][2]
    return np.repeat(np.stack([c[0] for c in cols], axis=1), blk, axis=0)[:n]


def _site_runs(
    brief: np.ndarray | None,
    sustained: np.ndarray,
    fs: float,
    cfg: EMGConfig | AccelConfig,
    gaps: np.ndarray,
    osc: np.ndarray | None = None,
    gravity: np.ndarray | None = None,
    orientation: np.ndarray | None = None,
    sig: np.ndarray | None = None,
    activity: list | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Brief runs, sustained runs, rest level (sustained scale, per 0.5 s baseline block)
    and all bursts of one site.

    With ``orientation`` (accelerometer, :attr:`Preprocessed.orientation`), posture runs
    found on ``gravity`` get their edges where the tilt change starts and ends
    (:func:`tilt_edges`). EMG sampled at ``min_muap_fs_hz`` or faster finds its brief
    runs with :func:`muap_runs` on the band-passed signal ``sig``, and adds to its
    sustained runs those of :func:`sustained_energy_runs` (a noise-model threshold on the
    same whitened signal), whose sub-block activity is appended to ``activity``; otherwise
    (and for accelerometry) the brief envelope is thresholded.
    """
    floor = getattr(cfg, "noise_floor_g", 0.0)
    cap = getattr(cfg, "max_rest_level_g", None) or np.inf
    n = sustained.shape[0]
    # thresholds per 0.5 s block (the baseline is constant within a block; hysteresis_runs
    # reads them per block)
    lvl_s, spr_s, blk = _rest_level(sustained, fs, cfg, gaps)
    on_s, off_s = thresholds(lvl_s, spr_s, cfg.k_on, cfg.k_off, cfg.min_snr_on_db, floor)
    gap_n = int(round(cfg.merge_gap_s * fs))
    s_runs = hysteresis_runs(sustained, on_s, off_s, block=blk)
    if sig is not None and isinstance(cfg, EMGConfig) and fs >= cfg.min_muap_fs_hz and n:
        # the noise power per 0.5 s block and the lags of rho the detectors read (no
        # full-length noise or (blocks, block) autocorrelation is built)
        p, noise, blk_w, rho_c, nearest = _whitened_power_held(
            sig, fs, cfg, gaps if gaps.shape[0] == n else None
        )
        rho_c = rho_c[:, : _rho_lags(fs, cfg, blk_w)]
        b_runs = _muap_runs(p, noise, rho_c, fs, cfg, nearest)
        if cfg.sustained_window_s:
            # whitening start-up and the band-pass's edge transient, and gaps, do not count
            settle = muap_lags(cfg, fs) + int(round(2.0 * fs / max(cfg.band_low_hz, 1.0)))
            valid = ~gaps if gaps.shape[0] == n else np.ones(n, bool)
            valid[:settle] = False
            valid[max(0, n - settle) :] = False
            e_runs = _sustained_energy_runs(
                p, noise, rho_c[nearest], blk_w, fs, cfg, valid, activity, block_noise=True
            )
            if len(e_runs):
                both = np.concatenate([s_runs, e_runs])
                s_runs = both[np.argsort(both[:, 0], kind="stable")]
    else:
        # the brief envelope's thresholds (the MUAP detector replaces them above)
        assert brief is not None, "the brief envelope is needed without the MUAP detector"
        lvl_b, spr_b, _ = _block_baseline(
            brief[:, None], fs, cfg.baseline_window_s, cfg.baseline_quantile, exclude=gaps
        )
        lvl_b = np.minimum(lvl_b[:, 0], cap)
        spr_b = np.minimum(spr_b[:, 0], lvl_b)
        on_b, off_b = thresholds(lvl_b, spr_b, cfg.k_on, cfg.k_off, cfg.brief_snr_on_db, floor)
        b_runs = hysteresis_runs(brief, on_b, off_b, block=blk)
        if osc is not None and isinstance(cfg, AccelConfig) and cfg.twitch_windows_s:
            t_runs = twitch_runs(osc, fs, cfg, gaps)
            if len(t_runs):
                both = np.concatenate([b_runs, t_runs])
                b_runs = merge_runs(both[np.argsort(both[:, 0], kind="stable")], 0)
    bursts = b_runs
    if isinstance(cfg, EMGConfig) and len(b_runs):
        # sub-bursts: pieces of one burst closer than the brief envelope's window (~10 ms,
        # Solnik 2008) are one burst (a burst's rising edge can cross on, off, on again)
        bursts = merge_runs(b_runs, int(round(cfg.brief_rms_s * fs)))
    s_runs = merge_runs(s_runs, gap_n)
    tilt = np.empty((0, 2), dtype=np.int64)
    if osc is not None and isinstance(cfg, AccelConfig):
        p_runs = periodic_runs(
            osc,
            fs,
            cfg.periodic_window_s,
            tuple(cfg.periodic_band_hz),
            cfg.periodic_min_ratio,
            cfg.periodic_min_rms_g,
            cfg.periodic_hop_s,
        )
        if gravity is not None:

            def postures(direction: np.ndarray, steady_s: float = 1.0) -> np.ndarray:
                return posture_runs(
                    direction,
                    fs,
                    cfg.baseline_window_s,
                    cfg.posture_min_deg * cfg.posture_on_fraction,
                    cfg.posture_min_deg * cfg.posture_off_fraction,
                    cfg.posture_steady_deg,
                    steady_s,
                )

            tilt = postures(gravity)
            if orientation is not None:
                # a fast, large tilt (a spasm) is steady on the sharp orientation while the
                # low-passed gravity is still moving: look on both. Each set's edges are
                # located before they are joined: a posture found on the sharp orientation
                # must not be lost in a gravity run that a drift of the rest spreads around it
                sharp = postures(orientation, cfg.posture_sharp_steady_s)
                found = [
                    tilt_edges(
                        orientation,
                        runs,
                        fs,
                        1.0 / (2.0 * cfg.gravity_cutoff_hz),
                        cfg.posture_edge_fraction,
                        cfg.posture_min_deg * cfg.posture_off_fraction,
                        require_change=True,
                    )
                    for runs in (tilt, sharp)
                ]
                both = np.concatenate(found)
                tilt = merge_runs(both[np.argsort(both[:, 0], kind="stable")], 1)
                # two tilts with a return to rest between them are two events; rest: within
                # half the smallest posture change of the direction beside the run (the
                # resting direction drifts by a few degrees over a posture)
                tilt = split_at_rest(
                    orientation,
                    tilt,
                    fs,
                    0.5 * cfg.posture_min_deg,
                    cfg.merge_gap_s,
                )
            else:
                # no sharp orientation: the posture runs' edges are as smeared as the
                # envelope's, and are refined with it (as before)
                p_runs = np.concatenate([p_runs, tilt])
                tilt = tilt[:0]
        if len(p_runs):
            both = np.concatenate([s_runs, p_runs])
            s_runs = merge_runs(both[np.argsort(both[:, 0], kind="stable")], gap_n)
    edge_fraction = getattr(cfg, "sustained_edge_fraction", None)
    if edge_fraction:
        # envelope and tremor-window runs end where the movement does, not in its tails
        s_runs = trim_to_peak(sustained, s_runs, edge_fraction)
    min_n = cfg.min_sustained_s * fs
    s_runs = s_runs[(s_runs[:, 1] - s_runs[:, 0]) >= min_n]
    s_runs = _refine_with_bursts(
        s_runs, b_runs, gap_n, int(round(cfg.sustained_rms_s * fs / 2)) + 1
    )
    s_runs = np.clip(s_runs, 0, n)
    if len(tilt):
        # located tilt edges win over the envelope's smeared ones
        s_runs = snap_to_edges(s_runs, tilt, int(round(cfg.sustained_rms_s * fs)))
        both = np.concatenate([s_runs, tilt])
        s_runs = merge_runs(both[np.argsort(both[:, 0], kind="stable")], gap_n)
    if isinstance(cfg, AccelConfig):
        # (refined to its bursts, a run can end shorter than min_sustained_s: dropped
        # whether or not a tilt was found anywhere; before, only then, so a stream window
        # without the recording's postures kept a run the whole recording dropped)
        s_runs = s_runs[(s_runs[:, 1] - s_runs[:, 0]) >= min_n]
    # brief-scale runs: merge doublets, drop ones absorbed by sustained activity
    b_runs = merge_runs(b_runs, int(round(min(cfg.merge_gap_s, 0.05) * fs)))
    b_runs = b_runs[(b_runs[:, 1] - b_runs[:, 0]) >= max(1, cfg.min_brief_s * fs)]
    if isinstance(cfg, AccelConfig) and len(s_runs) and len(b_runs):
        # a weak irregular tremor dips below the sustained scale's off threshold between
        # its bursts: bursts closer than burst_chain_gap_s to sustained activity are part of it
        s_runs = absorb_bursts(s_runs, b_runs, int(round(cfg.burst_chain_gap_s * fs)), gap_n)
    # a brief event cut by the recording's edge cannot be measured whole (and filter edge
    # transients live there): drop it
    b_runs = b_runs[(b_runs[:, 0] > 0) & (b_runs[:, 1] < n)]
    if len(s_runs) and len(b_runs):
        i = np.searchsorted(s_runs[:, 0], b_runs[:, 1], side="left") - 1
        inside = (i >= 0) & (s_runs[np.clip(i, 0, None), 1] > b_runs[:, 0])
        b_runs = b_runs[~inside]
    b_runs = _split_at_gaps(b_runs, gaps)
    if fs < getattr(cfg, "min_muap_fs_hz", 0.0):
        # too slow to resolve a motor-unit potential: brief EMG bursts are not events here
        b_runs = b_runs[:0]
    s_runs = _split_at_gaps(s_runs, gaps)
    return b_runs, s_runs, lvl_s, bursts


def _artefact_tails(
    lo: np.ndarray,
    lv: np.ndarray,
    hold: np.ndarray,
    jump: np.ndarray,
    a: np.ndarray,
    e: np.ndarray,
    ratio: float,
    peak_fraction: float,
    free: np.ndarray,
) -> np.ndarray:
    """New ends of artefact runs ``[a, e)`` (positions in ``lo``) extended through their tails.

    A tail sample is ``free`` with ``lo`` above ``ratio`` times its baseline ``lv`` and
    above ``peak_fraction`` of the peak of the runs it follows; ``hold`` samples always
    count. ``jump`` marks positions not contiguous with the one before (block stretches).
    """

    def run_ends(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        prev = np.r_[False, mask[:-1]] & ~jump
        nxt = np.r_[mask[1:], False] & ~np.r_[jump[1:], True]
        rid = np.cumsum(mask & ~prev)  # 1-based id of the run a sample is in
        return rid, np.flatnonzero(mask & ~nxt) + 1

    tail = ((lo > ratio * lv) & free) | hold
    rid, ends = run_ends(tail)
    # the peak of the runs inside each tail run (every run's last sample is in one)
    bounds = np.column_stack([a, e]).ravel()
    peak = np.maximum.reduceat(lo, bounds[bounds < len(lo)])[::2][: len(a)]
    top = np.zeros(len(ends) + 1)
    np.maximum.at(top, rid[e - 1], peak)
    tail &= (lo > peak_fraction * top[rid]) | hold
    rid, ends = run_ends(tail)
    return ends[rid[e - 1] - 1]


def artefact_runs(
    lowband: np.ndarray | BlockRows,
    sustained: np.ndarray,
    fs: float,
    cfg: EMGConfig,
    gaps: np.ndarray | None = None,
    busy: np.ndarray | None = None,
) -> np.ndarray:
    """Motion-artefact runs: the raw signal's low band far above its own baseline and the EMG.

    Cable and electrode movement puts content below 20 Hz and baseline steps into the raw
    signal (domain reference section 3), below the EMG high-pass, so the segmenter's
    envelopes barely see it. A sample is artefact on a site when ``lowband`` is at least
    ``artefact_min_ratio`` times its robust baseline (median of 0.5 s blocks over
    ``baseline_window_s``) and at least ``artefact_min_lowfreq_ratio`` times the EMG
    band's ``sustained`` envelope; the run extends while both ratios stay above their
    square roots (half the dB margin). A run then goes on through its tail, the recovery
    of a baseline step whose content lies mostly below the EMG band (so the ratio to the
    EMG band falls first): while the low band alone stays above the square root of
    ``artefact_min_ratio`` over its baseline and above ``artefact_tail_peak_fraction`` of
    the run's peak (the band-pass's own ringing after an edge is not artefact) and ``busy``
    (sustained EMG found by the other detectors) is not set. Runs closer than 0.1 s join,
    runs shorter than ``artefact_min_s`` and the first and last 0.5 s (filter edges) are
    dropped.

    Parameters
    ----------
    lowband, sustained : ndarray (n, n_sites)
        :attr:`Preprocessed.lowband` and :attr:`Preprocessed.sustained` (``lowband``
        may be given per block, :class:`movement.preprocess.BlockRows`).
    fs : float
    cfg : EMGConfig
    gaps : ndarray (n,) bool, optional
        Missing samples (never artefact).
    busy : ndarray (n,) bool, optional
        Samples a run's tail does not extend into (sustained segments).

    Returns
    -------
    ndarray (k, 3) int64
        ``[start, stop)`` samples and the site index of each run, ordered by site and onset.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 1000.0
    >>> low = np.full((10_000, 1), 0.001)
    >>> low[5000:5500] = 0.5
    >>> artefact_runs(low, np.full((10_000, 1), 0.002), fs, EMGConfig()).tolist()
    [[5000, 5500, 0]]
    >>> low[5500:6000] = 0.02  # a recovery: 20x its baseline, 4 % of the peak
    >>> artefact_runs(low, np.full((10_000, 1), 0.01), fs, EMGConfig()).tolist()
    [[5000, 6000, 0]]
    """
    n, k = lowband.shape
    if cfg.artefact_min_ratio <= 0 or n == 0:
        return np.empty((0, 3), dtype=np.int64)
    lvl, _spr, blk = _block_baseline(lowband, fs, cfg.baseline_window_s, 0.5, spread=False)
    r_hit, f_hit = cfg.artefact_min_ratio, cfg.artefact_min_lowfreq_ratio
    r_hold, f_hold = np.sqrt(r_hit), np.sqrt(f_hit)
    # hysteresis: a run holds while both ratios stay above the square roots of the on
    # ratios (half the dB margin, as thresholds() does) and reaches the on ratios somewhere.
    # Only stretches of 0.5 s blocks whose low band reaches the hold ratio, one of which
    # reaches the on ratio, are looked at sample by sample
    nb = lvl.shape[0]
    pad = nb * blk - n
    if isinstance(lowband, BlockRows):
        # per site (the same maxima), no per-sample array of every site
        peak = np.empty((nb, k))
        for j in range(k):  # loop over sites
            col = lowband.column(j)
            col = np.concatenate([col, np.zeros(pad)]) if pad else col
            peak[:, j] = col.reshape(nb, blk).max(axis=1)
    else:
        low_p = np.concatenate([lowband, np.zeros((pad, k))]) if pad else lowband
        peak = low_p.reshape(nb, blk, k).max(axis=1)
    edge = int(round(0.5 * fs))
    min_n = max(1, int(round(cfg.artefact_min_s * fs)))
    valid = np.ones(n, dtype=bool)
    valid[:edge] = False
    valid[max(0, n - edge) :] = False
    if gaps is not None and gaps.shape[0] == n:
        valid &= ~gaps
    out = []
    for j in range(k):  # loop over sites
        blocks = mask_to_runs(peak[:, j] > r_hold * lvl[:, j])
        c = np.r_[0, np.cumsum(peak[:, j] > r_hit * lvl[:, j])]
        blocks = blocks[c[blocks[:, 1]] > c[blocks[:, 0]]]
        if not len(blocks):
            continue
        bi, _rid, _off = run_samples(blocks[:, 0], blocks[:, 1] - blocks[:, 0])
        idx = (bi[:, None] * blk + np.arange(blk)).ravel()
        idx = idx[idx < n]
        lo = lowband.take(idx, j) if isinstance(lowband, BlockRows) else lowband[idx, j]
        su, lv = sustained[idx, j], lvl[idx // blk, j]
        hold = (lo > r_hold * lv) & (lo > f_hold * su) & valid[idx]
        hit = hold & (lo > r_hit * lv) & (lo > f_hit * su)
        # runs of hold over contiguous samples (idx jumps between block stretches)
        jump = np.r_[True, np.diff(idx) != 1]
        prev = np.r_[False, hold[:-1]] & ~jump
        nxt = np.r_[hold[1:], False] & ~np.r_[jump[1:], True]
        a = np.flatnonzero(hold & ~prev)
        e = np.flatnonzero(hold & ~nxt) + 1
        ch = np.r_[0, np.cumsum(hit)]
        keep = ch[e] > ch[a]
        a, e = a[keep], e[keep]
        if len(a) and cfg.artefact_tail_peak_fraction < 1:
            # only the block stretches that hold a run can hold its tail
            st = np.cumsum(jump)
            mark = np.zeros(int(st[-1]) + 1, dtype=bool)
            mark[st[a]] = True
            pos = np.flatnonzero(mark[st])
            at = np.cumsum(mark[st]) - 1  # position -> index in pos
            free = valid[idx[pos]] if busy is None else valid[idx[pos]] & ~busy[idx[pos]]
            e_t = _artefact_tails(
                lo[pos],
                lv[pos],
                hold[pos],
                jump[pos],
                at[a],
                at[e - 1] + 1,
                r_hold,
                cfg.artefact_tail_peak_fraction,
                free,
            )
            e = pos[e_t - 1] + 1
        r = np.column_stack([idx[a], idx[e - 1] + 1]).astype(np.int64)
        r = merge_runs(r, int(round(0.1 * fs)))
        if gaps is not None and gaps.shape[0] == n:
            r = _split_at_gaps(r, gaps)  # (joined across a gap: cut at it again)
        r = r[(r[:, 1] - r[:, 0]) >= min_n]
        if len(r):
            out.append(np.column_stack([r, np.full(len(r), j)]))
    if not out:
        return np.empty((0, 3), dtype=np.int64)
    return np.concatenate(out).astype(np.int64)


@dataclass
class Segmentation:
    """The segments table with what the features need from segmentation.

    Attributes
    ----------
    table : DataFrame
        The segments (see :func:`segment`).
    level_blocks : ndarray (n_blocks, n_sites)
        Rest level of the sustained-scale envelope (for SNR), per baseline block of
        ``block`` samples (it is constant within a block).
    bursts : list of ndarray
        Per site, every brief-scale burst ([start, stop) samples), for sub-burst features.
    activity : list of (int, ndarray) or None
        Per site, the sub-block length and which sub-blocks exceed the whitened noise
        model (:func:`sustained_energy_runs`); None where it is not run.
    block : int
        Samples per row of ``level_blocks``.
    n_samples : int
        Samples of the recording.
    """

    table: pd.DataFrame
    level_blocks: np.ndarray
    bursts: list[np.ndarray]
    activity: list | None = None
    block: int = 1
    n_samples: int = 0

    @cached_property
    def level(self) -> np.ndarray:
        """Rest level per sample (n_samples, n_sites): ``level_blocks`` expanded (on first
        access; :meth:`level_at` reads single samples without it)."""
        return np.repeat(self.level_blocks, self.block, axis=0)[: self.n_samples]

    def level_at(self, rows: np.ndarray, sites: np.ndarray) -> np.ndarray:
        """``level[rows, sites]`` without the per-sample array."""
        return self.level_blocks[np.asarray(rows) // self.block, sites]


def segment(pre: Preprocessed, cfg: EMGConfig | AccelConfig) -> Segmentation:
    """Segment the activity of a preprocessed recording.

    Returns
    -------
    Segmentation
        ``table`` has one row per event, sorted by onset, with ``start``/``stop`` (samples,
        stop exclusive), ``onset``/``duration`` (s), ``channel`` (sites joined by
        ``,``), ``scale`` (``brief``, ``sustained``, or ``artefact``: a motion artefact
        where no other segment is, see :func:`artefact_runs`), ``n_sites`` and one
        boolean column per site (``site_<i>``) saying which sites were active.
    """
    fs = pre.fs
    rows = []
    levels, bursts = [], []
    activity: list = []
    # EMG fast enough for the MUAP detector does not read the brief envelope (computed
    # only when read, see Preprocessed)
    muap = isinstance(cfg, EMGConfig) and fs >= cfg.min_muap_fs_hz and pre.sustained.shape[0] > 0
    for j, _name in enumerate(pre.sites):  # loop over sites
        b_runs, s_runs, level, site_bursts = _site_runs(
            None if muap else pre.brief[:, j],
            pre.sustained[:, j],
            fs,
            cfg,
            pre.gaps,
            pre.oscill[:, j, :] if isinstance(cfg, AccelConfig) else None,
            pre.gravity[:, j, :] if pre.gravity is not None else None,
            pre.orientation[:, j, :] if pre.orientation is not None else None,
            pre.signal[:, j] if isinstance(cfg, EMGConfig) else None,
            activity,
        )
        levels.append(level)
        bursts.append(site_bursts)
        for runs, scale in ((b_runs, 0), (s_runs, 1)):
            if len(runs):
                rows.append(
                    np.column_stack([runs, np.full(len(runs), scale), np.full(len(runs), j)])
                )
    n_sites = len(pre.sites)
    # (the low band per block where it has them: no per-sample array)
    low = pre.lowband_rows() if isinstance(cfg, EMGConfig) else None
    if low is not None:
        found = np.concatenate(rows) if rows else np.empty((0, 4), np.int64)
        busy = runs_to_mask(found[found[:, 2] == 1, :2], pre.sustained.shape[0])
        art = artefact_runs(low, pre.sustained, fs, cfg, pre.gaps, busy)
        if len(art) and rows:
            # sustained activity found by the detectors above keeps its label: artefact runs
            # only where none is; a brief segment inside an artefact run (the band-pass's
            # response to a baseline step) is part of the artefact
            # (on the runs' union, not per sample)
            sus = _run_union(found[found[:, 2] == 1, :2])
            art = art[~_overlaps(art[:, :2], sus)]
            if len(art):
                brief = found[:, 2] == 0
                absorbed = brief & _covered(found[:, :2], _run_union(art[:, :2]))
                if absorbed.any():
                    rows = [found[~absorbed]]
        if len(art):
            rows.append(np.column_stack([art[:, :2], np.full(len(art), 2), art[:, 2]]))
    # per baseline block (the per-sample level is expanded only when read)
    blk = max(1, int(round(_BLOCK_S * fs)))
    n = pre.sustained.shape[0]
    level_arr = np.stack(levels, axis=1) if levels else np.zeros((0, n_sites))
    act = activity if len(activity) == n_sites else None
    cols = ["start", "stop", "onset", "duration", "channel", "scale", "n_sites"]
    if not rows:
        empty = pd.DataFrame({c: pd.Series(dtype=float) for c in cols})
        empty["channel"] = empty["channel"].astype(object)
        for j in range(n_sites):
            empty[f"site_{j}"] = pd.Series(dtype=bool)
        return Segmentation(empty, level_arr, bursts, act, blk, n)
    allr = np.concatenate(rows)
    allr = allr[np.lexsort((allr[:, 1], allr[:, 0]))]
    # union of overlapping site segments -> one event
    ends = np.maximum.accumulate(allr[:, 1])
    new = np.concatenate(([True], allr[1:, 0] >= ends[:-1]))
    gid = np.cumsum(new) - 1
    first = np.flatnonzero(new)
    start = allr[first, 0]
    stop = np.maximum.reduceat(allr[:, 1], first)
    scale = np.maximum.reduceat(allr[:, 2], first)
    active = np.zeros((len(first), n_sites), dtype=bool)
    active[gid, allr[:, 3]] = True
    # a brief event merged into a sustained one takes the sustained scale; a sustained
    # event that is no longer than a brief one is brief
    dur = (stop - start) / fs
    names = np.array(pre.sites, dtype=object)
    channel = [",".join(names[a]) for a in active]
    out = pd.DataFrame(
        {
            "start": start.astype(np.int64),
            "stop": stop.astype(np.int64),
            "onset": start / fs,
            "duration": dur,
            "channel": channel,
            "scale": np.select([scale == 2, scale == 1], ["artefact", "sustained"], "brief"),
            "n_sites": active.sum(axis=1),
        }
    )
    for j in range(n_sites):
        out[f"site_{j}"] = active[:, j]
    return Segmentation(out, level_arr, bursts, act, blk, n)
