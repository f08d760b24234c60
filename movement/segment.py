"""Segmentation: robust adaptive baseline, double threshold, minimum duration, gap merging.

Works on envelopes shaped (n_samples, n_sites). Two time scales are segmented:
brief events on the short envelope and sustained activity on the long one; brief
segments inside sustained ones are absorbed. Segments are found per site, then
combined across sites into one row per event (``channel`` lists the sites).
All steps are vectorised over samples; loops run over sites only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import AccelConfig, EMGConfig
from .preprocess import Preprocessed, _cumsum0, _window_mean

__all__ = [
    "Segmentation",
    "periodic_runs",
    "posture_runs",
    "runs_to_mask",
    "mask_to_runs",
    "robust_baseline",
    "thresholds",
    "hysteresis_runs",
    "merge_runs",
    "energy_threshold",
    "muap_runs",
    "segment",
]

_MAD = 1.4826  # MAD to SD for Gaussian noise
_CHI2_1_MEDIAN = 0.454936423119572  # median of chi-square(1): median(y^2) / var(y), Gaussian y
#: Longest energy window (samples) whose threshold uses the correlation matrix's eigenvalues
_EIG_MAX = 128
_BLOCK_S = 0.5


def robust_baseline(
    env: np.ndarray, fs: float, window_s: float, quantile: float = 0.25
) -> tuple[np.ndarray, np.ndarray]:
    """Adaptive rest level and spread of an envelope (per sample, per site).

    The envelope is cut into 0.5 s blocks; each block gives its median and MAD.
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
    n, k = env.shape
    b = max(1, int(round(_BLOCK_S * fs)))
    nb = int(np.ceil(n / b))
    pad = nb * b - n
    padded = np.concatenate([env, np.repeat(env[-1:], pad, axis=0)]) if pad else env
    blocks = padded.reshape(nb, b, k)
    med = np.median(blocks, axis=1)
    mad = np.median(np.abs(blocks - med[:, None, :]), axis=1)
    w = max(1, int(round(window_s / _BLOCK_S)))
    if nb <= w:
        lvl = np.quantile(med, quantile, axis=0, keepdims=True).repeat(nb, axis=0)
        spr = np.quantile(mad, quantile, axis=0, keepdims=True).repeat(nb, axis=0)
    else:
        roll = dict(window=w, center=True, min_periods=max(1, w // 4))
        lvl = pd.DataFrame(med).rolling(**roll).quantile(quantile).to_numpy()
        spr = pd.DataFrame(mad).rolling(**roll).quantile(quantile).to_numpy()
    level = np.repeat(lvl, b, axis=0)[:n]
    spread = np.repeat(spr, b, axis=0)[:n] * _MAD
    return level, spread


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
    lam = np.linalg.eigvalsh(uniq[:, lag]) / w  # (u, w)
    lam = np.maximum(lam, 0.0)
    c1, c2, c3, c4 = (np.sum(lam**j, axis=1) for j in (1, 2, 3, 4))
    s1, s2 = c3 / c2**1.5, c4 / c2**2
    big = s1 * s1 > s2
    a = np.where(big, 1.0 / (s1 - np.sqrt(np.maximum(s1 * s1 - s2, 0.0))), 1.0 / s1)
    delta = np.where(big, s1 * a**3 - a * a, 0.0)
    dof = np.where(big, a * a - 2 * delta, 1.0 / (s1 * s1))
    q = np.where(
        delta > 0,
        stats.ncx2.isf(p_exceed, dof, np.maximum(delta, 1e-300)),
        stats.chi2.isf(p_exceed, dof),
    )
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


def whiten(
    y: np.ndarray,
    fs: float,
    order: int,
    window_s: float,
    band: tuple[float, float] = (0.0, np.inf),
) -> tuple[np.ndarray, np.ndarray]:
    """Prediction error of ``y`` under a local linear-prediction model of its background.

    The power spectrum of each 0.5 s block is smoothed by a centred running median
    over ``window_s`` (robust to the blocks that hold events, as the adaptive
    baseline of :func:`robust_baseline`). Raised to at least its median level within
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
    n = y.shape[0]
    b = max(1, int(round(_BLOCK_S * fs)))
    nb = int(np.ceil(n / b))
    order = max(1, min(int(order), b - 1))
    yp = np.zeros(nb * b)
    yp[:n] = y
    # per-block power spectra: their running median is a robust background spectrum and,
    # being >= 0, gives a positive-definite autocorrelation (lags 0..order)
    # Hann taper: a strong mains line must not leak its sidelobes over the spectrum
    spec = np.fft.rfft(yp.reshape(nb, b) * np.hanning(b), n=2 * b, axis=1)
    spec = spec.real**2 + spec.imag**2
    w = max(1, int(round(window_s / _BLOCK_S)))
    if nb > w:
        roll = dict(window=w, center=True, min_periods=max(1, w // 4))
        spec = pd.DataFrame(spec).rolling(**roll).median().to_numpy(copy=True)
    else:
        spec = np.repeat(np.median(spec, axis=0, keepdims=True), nb, axis=0)
    # only what stands above the median pass-band level is flattened (mains lines,
    # coloured bumps): the band-pass's edges and stop bands are never boosted back
    f = np.fft.rfftfreq(2 * b, 1.0 / fs)
    lo, hi = band
    in_band = (f >= lo) & (f <= min(hi, 0.45 * fs))
    if not in_band.any():
        in_band[:] = True
    floor = np.median(spec[:, in_band], axis=1, keepdims=True)
    r = np.fft.irfft(np.maximum(spec, floor), n=2 * b, axis=1)[:, : order + 1]
    r = r / np.maximum(r[:, :1], np.finfo(float).tiny)
    a = _levinson(r)
    blk = np.minimum(np.arange(n) // b, nb - 1)
    e = y.astype(np.float64, copy=True)
    for k in range(1, order + 1):  # loop over the filter taps
        e[k:] += a[blk[k:], k] * y[:-k]
    e[:order] = 0.0
    # what is left of the background's colour (the band-pass's stop bands stay empty)
    ha = np.fft.rfft(a, n=2 * b, axis=1)
    spec *= ha.real**2 + ha.imag**2
    rho = np.fft.irfft(spec, n=2 * b, axis=1)[:, :b]
    rho /= np.maximum(rho[:, :1], np.finfo(float).tiny)
    return e, rho


def _trim_to_peak(z: np.ndarray, runs: np.ndarray, fraction: float) -> np.ndarray:
    """Shrink each [start, stop) run to where ``z`` is at least ``fraction`` of its peak.

    Vectorised over runs: the first and last samples of each run at or above its own
    ``fraction * max`` become its new edges.
    """
    if not len(runs):
        return runs
    starts = runs[:, 0]
    lens = runs[:, 1] - starts
    # the max over [start_i, start_i+1) is the run's: between runs z stays below off
    peak = np.maximum.reduceat(z, starts)
    ids = np.repeat(np.arange(len(runs)), lens)
    pos = np.arange(lens.sum()) - np.repeat(np.cumsum(lens) - lens, lens) + np.repeat(starts, lens)
    keep = z[pos] >= fraction * peak[ids]
    kp, kid = pos[keep], ids[keep]  # sorted by run, then by position
    uniq, i_first = np.unique(kid, return_index=True)
    i_last = np.r_[i_first[1:], len(kid)] - 1
    out = runs.copy()
    out[uniq, 0] = kp[i_first]
    out[uniq, 1] = kp[i_last] + 1
    return out


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
    band = (cfg.band_low_hz, cfg.band_high_hz)
    order = cfg.muap_whitening_order
    settle = int(round(2.0 * fs / max(cfg.band_low_hz, 1.0)))
    e, rho = whiten(y, fs, order, cfg.baseline_window_s, band)
    b = rho.shape[1]
    p = np.square(e, out=e)
    noise, _ = robust_baseline(p[:, None], fs, cfg.baseline_window_s, cfg.baseline_quantile)
    noise = np.maximum(noise[:, 0] / _CHI2_1_MEDIAN, np.finfo(float).tiny)
    c = _cumsum0(p)
    windows = sorted({max(2, int(round(w * fs))) for w in cfg.muap_windows_s})
    p_exceed = cfg.muap_false_alarms_per_h / (3600.0 * fs * len(windows))
    frac = cfg.k_off / max(cfg.k_on, 1e-9)
    edge = 10 ** (-cfg.muap_edge_db / 10)
    shortest = int(np.ceil(cfg.min_brief_s * fs))
    found = []
    # a detection spans at least the shortest window (and more than the shortest potential)
    span = max(windows[0], shortest + 1)
    for w in windows:  # loop over a few window lengths
        on = np.repeat(energy_threshold(rho, w, p_exceed), b)[:n]
        off = 1.0 + (on - 1.0) * frac
        z = _window_mean(c, w)
        z /= noise
        # incomplete windows, the whitening's start-up and the band-pass's edge transient
        # (the odd extension of zero-phase filtering rings for ~2 periods of the low corner)
        z[: w // 2 + order + settle] = 0.0
        z[max(0, n - w // 2 - settle) :] = 0.0
        runs = hysteresis_runs(z, on, off)  # type: ignore[arg-type]
        if not len(runs):
            continue
        runs = _trim_to_peak(z, runs, edge)
        half = w // 2
        mid = (runs[:, 0] + runs[:, 1]) // 2
        lo = runs[:, 0] + half
        hi = runs[:, 1] - half
        short = hi - lo < span
        lo[short] = mid[short] - span // 2
        hi[short] = lo[short] + span
        found.append(np.stack([np.clip(lo, 0, n), np.clip(hi, 0, n)], axis=1))
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    allr = np.concatenate(found)
    allr = allr[np.argsort(allr[:, 0], kind="stable")]
    # pieces closer than the shortest window are below the detector's time resolution
    return merge_runs(allr, windows[0])


def hysteresis_runs(x: np.ndarray, on: np.ndarray, off: np.ndarray) -> np.ndarray:
    """Runs where ``x > off`` that reach ``x > on`` somewhere (Bonato-style double threshold).

    Returns an (m, 2) int array of [start, stop) sample indices.
    """
    above = x > off
    if not above.any():
        return np.empty((0, 2), dtype=np.int64)
    runs = mask_to_runs(above)
    starts, stops = runs[:, 0], runs[:, 1]
    hit = np.maximum.reduceat((x > on).astype(np.int8), starts)
    # reduceat over [start_i, start_{i+1}) includes the gap after stop_i, which is all below off
    keep = hit.astype(bool)
    return np.stack([starts[keep], stops[keep]], axis=1)


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
    d = np.diff(np.concatenate(([False], mask, [False])).astype(np.int8))
    return np.stack([np.flatnonzero(d == 1), np.flatnonzero(d == -1)], axis=1)


def _split_at_gaps(runs: np.ndarray, gaps: np.ndarray) -> np.ndarray:
    """Cut runs at missing samples so that no segment spans a gap."""
    if not gaps.any() or len(runs) == 0:
        return runs
    return mask_to_runs(runs_to_mask(runs, gaps.size) & ~gaps)


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
    win = int(round(window_s * fs))
    hop = max(1, int(round((hop_s or window_s / 2) * fs)))
    if n < win:
        return np.empty((0, 2), dtype=np.int64)
    starts = np.arange(0, n - win + 1, hop)
    freqs = np.fft.rfftfreq(win, 1 / fs)
    total_band = (freqs >= 1.0) & (freqs <= 15.0)
    in_band = (freqs >= band[0]) & (freqs <= band[1])
    taper = np.hanning(win)
    periodic = np.zeros(len(starts), dtype=bool)
    half = max(0, int(np.floor(0.5 / (freqs[1] - freqs[0]) + 1e-9)))  # bins within 0.5 Hz
    band_idx = np.flatnonzero(in_band)
    chunk = max(1, 2_000_000 // (win * k))
    for c0 in range(0, len(starts), chunk):  # loop over chunks of windows (bounded memory)
        st = starts[c0 : c0 + chunk]
        seg = osc[st[:, None] + np.arange(win)[None, :]]  # (m, win, k)
        seg = seg - seg.mean(axis=1, keepdims=True)
        rms = np.sqrt(np.einsum("ijk,ijk->i", seg, seg) / win)
        spec = np.fft.rfft(seg * taper[None, :, None], axis=1)
        power = (spec.real**2 + spec.imag**2).sum(axis=2)
        tot = power @ total_band.astype(power.dtype)
        pk = band_idx[np.argmax(power[:, band_idx], axis=1)]
        cs = np.concatenate([np.zeros((len(st), 1)), np.cumsum(power, axis=1)], axis=1)
        hi = np.minimum(pk + half + 1, power.shape[1])
        lo = np.maximum(pk - half, 0)
        rows = np.arange(len(st))
        ratio = (cs[rows, hi] - cs[rows, lo]) / np.maximum(tot, 1e-300)
        periodic[c0 : c0 + chunk] = (ratio >= min_ratio) & (rms >= min_rms)
    if not periodic.any():
        return np.empty((0, 2), dtype=np.int64)
    # a periodic window marks its central hop (the first and last windows reach the edges)
    lo = starts + (win - hop) // 2
    hi = lo + hop
    lo[0] = 0
    hi[-1] = n
    runs = np.stack([lo[periodic], hi[periodic]], axis=1)
    return merge_runs(runs, 1)


def posture_runs(
    gravity: np.ndarray,
    fs: float,
    ref_window_s: float,
    on_deg: float,
    off_deg: float,
    steady_deg: float = 3.0,
) -> np.ndarray:
    """Runs where the gravity direction is held away from its slow reference (a posture).

    The reference is the running median direction over ``ref_window_s``; a run starts
    where the deviation exceeds ``on_deg`` and lasts while it stays above ``off_deg`` and
    the direction stays steady (within ``steady_deg`` of its ±1 s mean).
    Computed on 0.25 s blocks. Returns [start, stop) sample runs.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 50.0
    >>> n = int(300 * fs)
    >>> g = np.tile([0.0, 0.0, 1.0], (n, 1))
    >>> a = np.radians(30)
    >>> g[int(100 * fs):int(110 * fs)] = [0.0, np.sin(a), np.cos(a)]   # 30 deg for 10 s
    >>> r = posture_runs(g, fs, 120.0, 7.0, 4.0)
    >>> (r / fs).round(0).tolist()
    [[100.0, 110.0]]
    """
    n = gravity.shape[0]
    b = max(1, int(round(0.25 * fs)))
    nb = n // b
    if nb < 4:
        return np.empty((0, 2), dtype=np.int64)
    blocks = gravity[: nb * b].reshape(nb, b, 3).mean(axis=1)
    unit = blocks / np.maximum(np.linalg.norm(blocks, axis=1, keepdims=True), 1e-9)
    w = max(3, int(round(ref_window_s / 0.25)))
    ref = pd.DataFrame(unit).rolling(w, center=True, min_periods=1).median().to_numpy(copy=True)
    ref /= np.maximum(np.linalg.norm(ref, axis=1, keepdims=True), 1e-9)
    angle = np.degrees(np.arccos(np.clip(np.einsum("ij,ij->i", unit, ref), -1, 1)))
    # held: the direction is steady over +-1 s (a limb moving about is not a posture)
    local = pd.DataFrame(unit).rolling(9, center=True, min_periods=1).mean().to_numpy(copy=True)
    local /= np.maximum(np.linalg.norm(local, axis=1, keepdims=True), 1e-9)
    wobble = np.degrees(np.arccos(np.clip(np.einsum("ij,ij->i", unit, local), -1, 1)))
    steady = pd.Series(wobble).rolling(9, center=True, min_periods=1).max().to_numpy() <= steady_deg
    angle = np.where(steady, angle, 0.0)
    runs = hysteresis_runs(angle, np.full(nb, on_deg), np.full(nb, off_deg))
    runs = runs * b
    runs[runs[:, 1] >= nb * b, 1] = n
    return runs


def _site_runs(
    brief: np.ndarray,
    sustained: np.ndarray,
    fs: float,
    cfg: EMGConfig | AccelConfig,
    gaps: np.ndarray,
    osc: np.ndarray | None = None,
    gravity: np.ndarray | None = None,
    sig: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Brief runs, sustained runs, rest level (sustained scale) and all bursts of one site.

    EMG sampled at ``min_muap_fs_hz`` or faster finds its brief runs with
    :func:`muap_runs` on the band-passed signal ``sig``; otherwise (and for
    accelerometry) the brief envelope is thresholded.
    """
    floor = getattr(cfg, "noise_floor_g", 0.0)
    cap = getattr(cfg, "max_rest_level_g", None) or np.inf
    lvl_b, spr_b = robust_baseline(brief[:, None], fs, cfg.baseline_window_s, cfg.baseline_quantile)
    lvl_b = np.minimum(lvl_b, cap)
    spr_b = np.minimum(spr_b, lvl_b)
    on_b, off_b = thresholds(
        lvl_b[:, 0], spr_b[:, 0], cfg.k_on, cfg.k_off, cfg.brief_snr_on_db, floor
    )
    lvl_s, spr_s = robust_baseline(
        sustained[:, None], fs, cfg.baseline_window_s, cfg.baseline_quantile
    )
    lvl_s = np.minimum(lvl_s, cap)
    spr_s = np.minimum(spr_s, lvl_s)
    on_s, off_s = thresholds(
        lvl_s[:, 0], spr_s[:, 0], cfg.k_on, cfg.k_off, cfg.min_snr_on_db, floor
    )
    gap_n = int(round(cfg.merge_gap_s * fs))
    if sig is not None and isinstance(cfg, EMGConfig) and fs >= cfg.min_muap_fs_hz:
        b_runs = muap_runs(sig, fs, cfg)
    else:
        b_runs = hysteresis_runs(brief, on_b, off_b)
    bursts = b_runs
    s_runs = merge_runs(hysteresis_runs(sustained, on_s, off_s), gap_n)
    if osc is not None and isinstance(cfg, AccelConfig):
        p_runs = periodic_runs(
            osc,
            fs,
            cfg.periodic_window_s,
            tuple(cfg.periodic_band_hz),
            cfg.periodic_min_ratio,
            cfg.periodic_min_rms_g,
        )
        if gravity is not None:
            tilt = posture_runs(
                gravity,
                fs,
                cfg.baseline_window_s,
                cfg.posture_min_deg * cfg.posture_on_fraction,
                cfg.posture_min_deg * cfg.posture_off_fraction,
                cfg.posture_steady_deg,
            )
            p_runs = np.concatenate([p_runs, tilt])
        if len(p_runs):
            both = np.concatenate([s_runs, p_runs])
            s_runs = merge_runs(both[np.argsort(both[:, 0], kind="stable")], gap_n)
    s_runs = s_runs[(s_runs[:, 1] - s_runs[:, 0]) >= cfg.min_sustained_s * fs]
    # refine sustained edges with the brief scale (the long window smears onsets)
    if len(s_runs) and len(b_runs):
        merged_b = merge_runs(b_runs, gap_n)
        half = int(round(cfg.sustained_rms_s * fs / 2)) + 1
        lo_i = np.searchsorted(merged_b[:, 1], s_runs[:, 0] - half, side="right")
        hi_i = np.searchsorted(merged_b[:, 0], s_runs[:, 1] + half, side="left") - 1
        ok = hi_i >= lo_i
        new_on = np.where(ok, merged_b[np.clip(lo_i, 0, len(merged_b) - 1), 0], s_runs[:, 0])
        new_off = np.where(ok, merged_b[np.clip(hi_i, 0, len(merged_b) - 1), 1], s_runs[:, 1])
        s_runs = np.stack(
            [
                np.clip(new_on, s_runs[:, 0] - half, s_runs[:, 0] + half),
                np.clip(new_off, s_runs[:, 1] - half, s_runs[:, 1] + half),
            ],
            axis=1,
        )
        s_runs = np.clip(s_runs, 0, brief.size)
        s_runs = merge_runs(s_runs[np.argsort(s_runs[:, 0], kind="stable")], 1)
    # brief-scale runs: merge doublets, drop ones absorbed by sustained activity
    b_runs = merge_runs(b_runs, int(round(min(cfg.merge_gap_s, 0.05) * fs)))
    b_runs = b_runs[(b_runs[:, 1] - b_runs[:, 0]) >= max(1, cfg.min_brief_s * fs)]
    # a brief event cut by the recording's edge cannot be measured whole (and filter edge
    # transients live there): drop it
    b_runs = b_runs[(b_runs[:, 0] > 0) & (b_runs[:, 1] < brief.size)]
    if len(s_runs) and len(b_runs):
        i = np.searchsorted(s_runs[:, 0], b_runs[:, 1], side="left") - 1
        inside = (i >= 0) & (s_runs[np.clip(i, 0, None), 1] > b_runs[:, 0])
        b_runs = b_runs[~inside]
    b_runs = _split_at_gaps(b_runs, gaps)
    if fs < getattr(cfg, "min_muap_fs_hz", 0.0):
        # too slow to resolve a motor-unit potential: brief EMG bursts are not events here
        b_runs = b_runs[:0]
    s_runs = _split_at_gaps(s_runs, gaps)
    return b_runs, s_runs, lvl_s[:, 0], bursts


@dataclass
class Segmentation:
    """The segments table with what the features need from segmentation.

    Attributes
    ----------
    table : DataFrame
        The segments (see :func:`segment`).
    level : ndarray (n_samples, n_sites)
        Rest level of the sustained-scale envelope (for SNR).
    bursts : list of ndarray
        Per site, every brief-scale burst ([start, stop) samples), for sub-burst features.
    """

    table: pd.DataFrame
    level: np.ndarray
    bursts: list[np.ndarray]


def segment(pre: Preprocessed, cfg: EMGConfig | AccelConfig) -> Segmentation:
    """Segment the activity of a preprocessed recording.

    Returns
    -------
    Segmentation
        ``table`` has one row per event, sorted by onset, with ``start``/``stop`` (samples,
        stop exclusive), ``onset``/``duration`` (s), ``channel`` (sites joined by
        ``,``), ``scale`` (``brief`` or ``sustained``), ``n_sites`` and one
        boolean column per site (``site_<i>``) saying which sites were active.
    """
    fs = pre.fs
    rows = []
    levels, bursts = [], []
    for j, _name in enumerate(pre.sites):  # loop over sites
        b_runs, s_runs, level, site_bursts = _site_runs(
            pre.brief[:, j],
            pre.sustained[:, j],
            fs,
            cfg,
            pre.gaps,
            pre.oscill[:, j, :] if isinstance(cfg, AccelConfig) else None,
            pre.gravity[:, j, :] if pre.gravity is not None else None,
            pre.signal[:, j] if isinstance(cfg, EMGConfig) else None,
        )
        levels.append(level)
        bursts.append(site_bursts)
        for runs, scale in ((b_runs, 0), (s_runs, 1)):
            if len(runs):
                rows.append(
                    np.column_stack([runs, np.full(len(runs), scale), np.full(len(runs), j)])
                )
    n_sites = len(pre.sites)
    level_arr = np.stack(levels, axis=1)
    cols = ["start", "stop", "onset", "duration", "channel", "scale", "n_sites"]
    if not rows:
        empty = pd.DataFrame({c: pd.Series(dtype=float) for c in cols})
        empty["channel"] = empty["channel"].astype(object)
        for j in range(n_sites):
            empty[f"site_{j}"] = pd.Series(dtype=bool)
        return Segmentation(empty, level_arr, bursts)
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
            "scale": np.where(scale == 1, "sustained", "brief"),
            "n_sites": active.sum(axis=1),
        }
    )
    for j in range(n_sites):
        out[f"site_{j}"] = active[:, j]
    return Segmentation(out, level_arr, bursts)
