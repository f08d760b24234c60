"""Features per segment, vectorised over segments.

Each feature is computed for all segments at once: cumulative sums give
per-segment sums and means in O(1) each; ``np.maximum.reduceat`` gives peaks;
spectra are taken for groups of segments padded to a common FFT length. Python
loops run over sites, channel pairs and FFT-length groups, never over samples
or segments.

Features (units):

* ``duration`` (s); ``peak_amplitude`` (mV / a.u. for EMG, g for accel);
  ``rms``; ``snr_db`` (segment RMS over the rest level); ``crest_factor``;
* periodicity: ``dominant_frequency_hz``, ``peak_power_ratio`` (power within
  ±0.5 Hz of the peak / power in the band), ``tremor_band_ratio`` (3-8 Hz power
  share), ``spectral_entropy`` (0-1), ``regularity`` (first autocorrelation peak
  after the first zero crossing);
* ``gait_fraction``: share of a long accelerometer segment's 5 s windows whose motion
  repeats at a step or stride period (:func:`gait_fraction`);
* EMG: ``median_frequency_hz`` of the band-passed signal [S: Go 2014];
* context: ``isolation_s`` (time to the nearest other segment), ``local_rate_per_min``,
  ``local_interval_cv`` (CV of the intervals between neighbouring brief events),
  ``beat_neighbours`` (how many of a brief event's two neighbours sit a whole number
  of heartbeat periods away, 0-2, one neighbour at the recording's ends counting
  twice, when the recording's brief events hold a heartbeat rhythm: ECG
  contamination; NaN otherwise);
* spatial: ``n_channels_active``, ``channel_fraction``, ``cocontraction``
  (%COCON, Winter 1990, max over channel pairs, EMG);
* posture: ``tilt_change_deg`` (gravity direction 2 s after vs 2 s before) and
  ``tilt_held_deg`` (central half of the segment vs 2 s before), accel;
  ``tilt_hold_fraction`` (share of the segment spent at >= half of its largest tilt
  from the direction just before onset, on the acceleration low-passed below
  1/``orientation_median_s``), accel;
* ``n_subbursts``, ``subburst_cv`` (CV of sub-burst intervals); ``clipped``;
* ``active_fraction``: share of the segment's 25 ms sub-blocks whose whitened energy
  exceeds the noise model (:func:`movement.segment.active_fraction`), EMG sampled at
  ``min_muap_fs_hz`` or faster (NaN otherwise).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
from scipy import fft as sfft

from .config import AccelConfig, EMGConfig
from .preprocess import (
    DECIMATED_HZ,
    DecimatedLowpass,
    Preprocessed,
    _cumsum0,
    vector_magnitude,
)
from .segment import Segmentation, active_fraction, run_samples

__all__ = ["FEATURES", "gait_fraction", "segment_features", "spectral_features"]

#: The periodicity features of :func:`spectral_features`.
SPECTRAL = (
    "dominant_frequency_hz",
    "peak_power_ratio",
    "tremor_band_ratio",
    "spectral_entropy",
    "regularity",
)

FEATURES = (
    "peak_amplitude",
    "rms",
    "snr_db",
    "crest_factor",
    "dominant_frequency_hz",
    "peak_power_ratio",
    "tremor_band_ratio",
    "spectral_entropy",
    "regularity",
    "gait_fraction",
    "median_frequency_hz",
    "isolation_s",
    "local_rate_per_min",
    "local_interval_cv",
    "beat_neighbours",
    "n_channels_active",
    "channel_fraction",
    "cocontraction",
    "tilt_change_deg",
    "tilt_held_deg",
    "tilt_hold_fraction",
    "n_subbursts",
    "subburst_cv",
    "active_fraction",
    "clipped",
)


def _seg_sum(cs: np.ndarray, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Sums over [start, stop) from a cumulative sum with a leading zero."""
    return cs[stop] - cs[start]


def _seg_reduce(ufunc: np.ufunc, x: np.ndarray, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """``ufunc`` reduced over each [start, stop) window of a 1-D ``x`` (0 <= start < n).

    One ``reduceat`` over the interleaved bounds (any order, overlaps allowed): its even
    entries are the windows, each odd entry runs from a window's stop to the next
    window's start (read as that one sample when it lies behind the stop), the last one
    to the end of the array passed (the largest stop). The windows are taken in the
    given order or by decreasing start, whichever reads fewer samples in between (in
    start order, disjoint windows: the stretches between them; by decreasing start,
    overlapping windows: none, but the stretch after the earliest window). Each window
    is reduced alone over the same samples: the same values in any order. An empty
    window reads its first sample. No full-length temporary.
    """
    m = len(start)
    if m == 0:
        return np.empty(0, dtype=x.dtype)
    n = x.shape[0]
    start = np.asarray(start, dtype=np.int64)
    stop = np.minimum(np.maximum(stop, start + 1), n)
    inner = np.flatnonzero(stop < n)  # windows to the last sample: reduced alone below
    out: np.ndarray | None = None
    if len(inner):
        top = int(stop[inner].max()) + 1  # the array passed: up to the largest stop

        def between(order: np.ndarray) -> int:
            """Samples the odd entries read when the windows are taken in ``order``."""
            s, e = start[order], stop[order]
            return int(np.maximum(s[1:] - e[:-1], 0).sum()) + top - int(e[-1])

        s_in, e_in = start[inner], stop[inner]
        order = inner
        if not np.all(s_in[1:] >= e_in[:-1]):  # (sorted disjoint windows: in order)
            desc = inner[np.argsort(s_in, kind="stable")[::-1]]
            order = desc if between(desc) < between(inner) else inner
        idx = np.column_stack([start[order], stop[order]]).ravel()
        red = ufunc.reduceat(x[:top], idx)[::2]
        out = np.empty(m, dtype=red.dtype)
        out[order] = red
    for i in np.flatnonzero(stop >= n):  # loop over the (few) windows that end at the last sample
        r = ufunc.reduceat(x, start[i : i + 1])
        if out is None:
            out = np.empty(m, dtype=r.dtype)
        out[i] = r[0]
    assert out is not None
    return out


def _seg_max(x: np.ndarray, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Max of ``x`` (1-D) over [start, stop) windows."""
    return _seg_reduce(np.maximum, x, start, stop)


def _hann_rows(lens: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, a symmetric Hann taper of that row's length zero-padded to ``width``,
    and the mask of its samples: both (len(lens), width).

    The taper is computed once per distinct length (many segments share the minimum
    analysis window) and gathered: the same values as a row-by-row formula.
    """
    uniq, inv = np.unique(lens, return_inverse=True)
    j = np.arange(width)
    valid = j[None, :] < uniq[:, None]
    taper = np.where(
        valid,
        0.5 - 0.5 * np.cos(2 * np.pi * j[None, :] / np.maximum(uniq[:, None] - 1, 1)),
        0.0,
    )
    return taper[inv], valid[inv]


def _window_rows(col: np.ndarray, w0: np.ndarray, width: int) -> np.ndarray:
    """``col[w0[i] : w0[i] + width]`` per row (1-D ``col``; past its end the last sample)."""
    n = len(col)
    if len(w0) and width <= n and int(w0.max()) <= n - width:
        # rows of a strided view: one gather of contiguous slices, no index array
        return np.lib.stride_tricks.sliding_window_view(col, width)[w0]
    j = np.arange(width)
    return col[np.minimum(w0[:, None] + j[None, :], n - 1)]


def spectral_features(
    x: np.ndarray,
    fs: float,
    start: np.ndarray,
    stop: np.ndarray,
    band: tuple[float, float],
    tremor_band: tuple[float, float],
    min_len_s: float,
    max_len_s: float,
    centred: bool = False,
) -> dict[str, np.ndarray]:
    """Periodicity features of windows of ``x`` for many segments at once.

    Parameters
    ----------
    x : ndarray (n_samples, k)
        Signal components whose power spectra are summed (e.g. three accelerometer axes).
    fs : float
    start, stop : ndarray of int
        Segment bounds in samples. Windows shorter than ``min_len_s`` are widened
        around the segment's centre; longer than ``max_len_s`` are cut (to their first
        ``max_len_s``, or with ``centred`` to the central ``max_len_s``: away from an
        onset transient, a long segment's body).
    band : (low, high)
        Frequency band searched for the dominant peak (Hz).
    tremor_band : (low, high)
        Band whose share of power is reported as ``tremor_band_ratio``.

    Returns
    -------
    dict of ndarray
        ``dominant_frequency_hz``, ``peak_power_ratio``, ``tremor_band_ratio``,
        ``spectral_entropy``, ``regularity`` per segment.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 100.0
    >>> t = np.arange(3000) / fs
    >>> x = np.sin(2 * np.pi * 6 * t)[:, None]
    >>> f = spectral_features(x, fs, np.array([500]), np.array([1500]), (0.5, 15), (3, 8), 2, 8)
    >>> round(float(f["dominant_frequency_hz"][0]), 1)
    6.0
    """
    n = x.shape[0]
    m = len(start)
    out = {k: np.full(m, np.nan) for k in SPECTRAL}
    if m == 0:
        return out
    length = np.clip(stop - start, int(min_len_s * fs), int(max_len_s * fs))
    length = np.minimum(length, n)
    centre = (start + stop) // 2
    w0 = np.where((stop - start >= length) & (not centred), start, centre - length // 2)
    w0 = np.clip(w0, 0, n - length)
    nfft_all = 2 ** np.ceil(np.log2(2 * np.maximum(length, 4))).astype(int)
    for nfft in np.unique(nfft_all):  # loop over FFT-length groups
        sel = np.flatnonzero(nfft_all == nfft)
        lens = length[sel]
        lmax = int(lens.max())
        win, valid = _hann_rows(lens, lmax)
        freqs = sfft.rfftfreq(nfft, 1 / fs)
        # only the bins up to the band's top enter the spectral statistics
        nbin = int(np.searchsorted(freqs, band[1], side="right"))
        power = np.zeros((len(sel), nbin))
        # the autocorrelation is read up to lag lmax // 2 only: a transform of
        # lmax + lmax // 2 samples keeps those lags free of circular wrap
        nacf = sfft.next_fast_len(lmax + lmax // 2 + 1, real=True)
        praw = np.zeros((len(sel), nacf // 2 + 1))
        for c in range(x.shape[1]):  # loop over components (<= 3)
            seg = np.where(valid, _window_rows(x[:, c], w0[sel], lmax), 0.0)
            seg = seg - (seg.sum(axis=1) / lens)[:, None] * valid
            spec = sfft.rfft(seg * win, n=nfft, axis=1)[:, :nbin]
            power += spec.real**2 + spec.imag**2
            raw = sfft.rfft(seg, n=nacf, axis=1)
            praw += raw.real**2 + raw.imag**2
        # the autocorrelation is linear in the power spectrum: one inverse transform of the
        # components' summed spectra
        acf = sfft.irfft(praw, n=nacf, axis=1)
        freqs = freqs[:nbin]
        inband = (freqs >= band[0]) & (freqs <= band[1])
        pb = np.where(inband[None, :], power, 0.0)
        total = pb.sum(axis=1)
        k = np.argmax(pb, axis=1)
        fdom = freqs[k]
        near = np.abs(freqs[None, :] - fdom[:, None]) <= max(0.5, 1.5 * fs / nfft)
        ratio = (pb * near).sum(axis=1) / np.maximum(total, 1e-300)
        tb = (freqs >= tremor_band[0]) & (freqs <= tremor_band[1])
        tratio = (pb * tb[None, :]).sum(axis=1) / np.maximum(total, 1e-300)
        p = pb / np.maximum(total, 1e-300)[:, None]
        ent = -(np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)).sum(axis=1) / np.log(
            max(int(inband.sum()), 2)
        )
        # unbiased autocorrelation up to half the window: first peak after the first zero crossing
        # (lags beyond lmax // 2 are never usable: not computed)
        lags = np.arange(lmax // 2 + 1)
        a0 = np.maximum(acf[:, :1], 1e-300)
        denom = np.maximum(lens[:, None] - lags[None, :], 1)
        r = (acf[:, : len(lags)] / a0) * (lens[:, None] / denom)
        usable = lags[None, :] <= (lens[:, None] // 2)
        r = np.where(usable, np.clip(r, -1, 1), np.nan)
        below = (r < 0) & usable
        first_neg = np.where(below.any(axis=1), np.argmax(below, axis=1), len(lags))
        after = (lags[None, :] >= first_neg[:, None]) & usable
        # r is finite wherever ``after`` holds (a usable lag; a NaN row has total NaN and is
        # dropped below), so a plain max equals the NaN-aware one
        reg = np.where(after.any(axis=1), np.where(after, r, -1.0).max(axis=1), 0.0)
        good = total > 0
        out["dominant_frequency_hz"][sel] = np.where(good, fdom, np.nan)
        out["peak_power_ratio"][sel] = np.where(good, ratio, np.nan)
        out["tremor_band_ratio"][sel] = np.where(good, tratio, np.nan)
        out["spectral_entropy"][sel] = np.where(good, ent, np.nan)
        out["regularity"][sel] = np.where(good, np.maximum(reg, 0.0), np.nan)
    return out


#: Windows per batch of :func:`gait_fraction` (1024 windows of 5 s at 100 Hz x 3 axes:
#: ~25 MB of samples, ~50 MB of spectra).
_GAIT_BATCH = 1024


def gait_fraction(
    x: np.ndarray,
    fs: float,
    start: np.ndarray,
    stop: np.ndarray,
    window_s: float,
    min_bout_s: float,
    band_hz: tuple[float, float],
    step_rate_hz: tuple[float, float],
    min_acf: float,
    min_share: float,
) -> np.ndarray:
    """Share of each segment's consecutive windows whose motion repeats at a stride
    period: gait.

    A segment of at least ``min_bout_s`` is cut into consecutive windows of ``window_s``
    (the remainder dropped). A window is gait when its motion, restricted to the band of
    the step and stride fundamentals ``band_hz``, repeats one stride (two steps) later:
    the largest autocorrelation at lags ``2 / step_rate_hz[1]`` to ``2 / step_rate_hz[0]``
    (0.8-1.43 s at 1.4-2.5 steps/s) is at least ``min_acf`` (stride regularity, the
    autocorrelation at the stride lag: Moe-Nilssen & Helbostad 2004, J Biomech 37:121),
    and that band holds at least ``min_share`` of the motion's power from ``band_hz[0]``
    to 15 Hz. A 3 Hz tremor whose cycles wander by +-1 Hz (dystonic tremor) leaks
    narrow-band power into the band's top, which repeats at one step's lag (~0.4 s) but
    not a stride later; a regular 3-8 Hz tremor carries its power above the band. The
    band is applied in the frequency domain (the squared response of a 4th-order
    Butterworth band-pass on the window's zero-padded power spectrum): no full-length
    filter.

    Parameters
    ----------
    x : ndarray (n_samples, k)
        Motion components (e.g. the three axes' oscillation at one site).
    fs : float
    start, stop : ndarray of int
        Segment bounds in samples.
    window_s, min_bout_s : float
        Window length and the shortest segment measured (s); shorter segments are NaN.
    band_hz : (low, high)
        Band of the step and stride fundamentals (Hz).
    step_rate_hz : (low, high)
        Step rates (steps/s): the lags searched are one stride (two steps) at the fastest
        to one stride at the slowest.
    min_acf, min_share : float
        A window's thresholds (see above).

    Returns
    -------
    ndarray
        Per segment, the share (0-1) of its windows that are gait; NaN when shorter than
        ``min_bout_s`` or than one window.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 100.0
    >>> t = np.arange(6000) / fs
    >>> rng = np.random.default_rng(0)
    >>> steps = np.sin(2 * np.pi * 1.8 * t) + 0.4 * np.sin(2 * np.pi * 0.9 * t)
    >>> walk = np.column_stack([steps, 0.5 * steps, 0.1 * rng.normal(size=t.size)])
    >>> tremor = np.column_stack([np.sin(2 * np.pi * 5.0 * t), 0.5 * np.cos(2 * np.pi * 5.0 * t),
    ...                           0.1 * rng.normal(size=t.size)])
    >>> x = np.concatenate([walk, tremor])
    >>> gait_fraction(x, fs, np.array([0, 6000]), np.array([6000, 12000]), 5.0, 10.0,
    ...               (0.5, 3.0), (1.4, 2.5), 0.5, 0.2).round(2).tolist()
    [1.0, 0.0]
    """
    from scipy import signal

    m = len(start)
    out = np.full(m, np.nan)
    w = int(round(window_s * fs))
    lag_lo = int(np.ceil(2.0 * fs / step_rate_hz[1]))
    lag_hi = min(int(2.0 * fs / step_rate_hz[0]), w // 2)
    length = stop - start
    nwin = np.where(length >= max(min_bout_s * fs, w), length // max(w, 1), 0)
    seg_ids = np.flatnonzero(nwin > 0)
    if len(seg_ids) == 0 or w < 8 or lag_hi < lag_lo or band_hz[1] >= fs / 2:
        return out
    # every window of every long segment: its segment and its first sample
    counts = nwin[seg_ids]
    owner = np.repeat(seg_ids, counts)
    first = np.cumsum(counts) - counts
    w0 = start[owner] + (np.arange(len(owner)) - np.repeat(first, counts)) * w
    nfft = sfft.next_fast_len(2 * w, real=True)  # zero-padded: no circular wrap
    freqs = sfft.rfftfreq(nfft, 1 / fs)
    sos = signal.butter(4, band_hz, btype="bandpass", fs=fs, output="sos")
    gain = np.abs(signal.sosfreqz(sos, worN=freqs, fs=fs)[1]) ** 2
    low = (freqs >= band_hz[0]) & (freqs <= band_hz[1])
    wide = (freqs >= band_hz[0]) & (freqs <= 15.0)
    lags = np.arange(lag_hi + 1)
    unbias = w / (w - lags)
    gait = np.zeros(len(w0), bool)
    for a in range(0, len(w0), _GAIT_BATCH):  # loop over batches of windows
        b = min(len(w0), a + _GAIT_BATCH)
        power = np.zeros((b - a, len(freqs)))
        for c in range(x.shape[1]):  # loop over components (<= 3)
            seg = _window_rows(x[:, c], w0[a:b], w)
            seg = seg - seg.mean(axis=1, keepdims=True)
            spec = sfft.rfft(seg, n=nfft, axis=1)
            power += spec.real**2 + spec.imag**2
        share = power[:, low].sum(axis=1) / np.maximum(power[:, wide].sum(axis=1), 1e-300)
        acf = sfft.irfft(power * gain, n=nfft, axis=1)[:, : lag_hi + 1]
        r = acf / np.maximum(acf[:, :1], 1e-300) * unbias
        # the largest autocorrelation at a stride lag, after its first zero crossing
        # (the main lobe of a slow drift is no repetition)
        below = r < 0
        first_neg = np.where(below.any(axis=1), np.argmax(below, axis=1), lag_hi + 1)
        ok = lags[None, :] >= np.maximum(first_neg, lag_lo)[:, None]
        best = np.where(ok, r, -1.0).max(axis=1)
        gait[a:b] = (best >= min_acf) & (share >= min_share) & (acf[:, 0] > 0)
    out[seg_ids] = np.bincount(owner, weights=gait, minlength=m)[seg_ids] / counts
    return out


def _median_frequency(
    y: np.ndarray, fs: float, start: np.ndarray, stop: np.ndarray, max_len_s: float = 1.0
) -> np.ndarray:
    """Median frequency (Hz) of the band-passed EMG in each segment (first ``max_len_s``)."""
    m = len(start)
    out = np.full(m, np.nan)
    if m == 0:
        return out
    n = y.shape[0]
    length = np.clip(stop - start, 8, int(max_len_s * fs))
    nfft_all = 2 ** np.ceil(np.log2(length)).astype(int)
    for nfft in np.unique(nfft_all):
        sel = np.flatnonzero(nfft_all == nfft)
        lens = length[sel]
        j = np.arange(int(lens.max()))
        valid = j[None, :] < lens[:, None]
        seg = np.where(valid, y[np.minimum(start[sel, None] + j[None, :], n - 1)], 0.0)
        p = np.abs(sfft.rfft(seg, n=nfft, axis=1)) ** 2
        c = np.cumsum(p, axis=1)
        half = c[:, -1:] / 2
        k = np.argmax(c >= half, axis=1)
        out[sel] = sfft.rfftfreq(nfft, 1 / fs)[k]
    return out


def _beat_neighbours(
    onset: np.ndarray,
    lo: float = 0.5,
    hi: float = 1.25,
    tol: float = 0.06,
    max_lag: float = 8.0,
    min_z: float = 20.0,
    cap: float = 0.15,
) -> np.ndarray:
    """How many of an event's two neighbours sit a whole number of heartbeats away (0-2).

    ECG contamination of surface EMG is a train of QRS complexes at 40-120 beats/min
    [S: ECG at 1-1.7 Hz, Drake & Callaghan 2006]; near the detection threshold only some
    of them are detected, so consecutive detections are 1, 2, 3, ... beats apart. The
    recording's beat period ``T`` in ``[lo, hi]`` s is the one at which the differences
    between brief events up to ``max_lag`` s apart (at most 63 following events) are most
    phase-coherent (Rayleigh statistic ``Z = n R**2``, ``R`` the mean resultant of
    ``exp(2 pi i d / T)`` over the ``n`` differences, binned to 8 ms); a rhythm counts only
    when ``Z >= min_z`` (Poisson-like timing gives ``Z`` about exponential with mean 1 per
    candidate; measured <= 6 on simulated EMG without ECG). A neighbour is on the beat
    when its interval ``g`` is within ``min(tol sqrt(k), cap) T`` of ``k T``, ``k =
    round(g / T) >= 1``: RR intervals vary by a few % [E] and the variation adds up over
    ``k`` beats. Returns 0, 1 or 2 per event (twice the share of its neighbours on the
    beat: an event at the recording's ends has one neighbour); NaN when no such rhythm
    exists.
    """
    m = len(onset)
    out = np.full(m, np.nan)
    if m < 8:
        return out
    j_hi = np.searchsorted(onset, onset + max_lag, side="right")
    width = int(min((j_hi - np.arange(m)).max(), 64))
    if width < 2:
        return out
    idx = np.arange(m)[:, None] + np.arange(1, width)[None, :]
    valid = idx < m
    diffs = np.where(valid, onset[np.minimum(idx, m - 1)] - onset[:, None], np.nan)
    d = diffs[valid & (diffs <= max_lag) & (diffs >= 0.9 * lo)]
    if d.size < 8:
        return out
    # differences binned to 8 ms (a phase error < 0.06 rad at T >= 0.5 s); candidate
    # beat rates 0.1 of a cycle apart at the longest lag
    cnt = np.bincount(np.round(d / 0.008).astype(np.int64))
    nz = np.flatnonzero(cnt)
    step = 0.1 / max_lag
    periods = 1.0 / np.arange(1.0 / hi, 1.0 / lo + step / 2, step)
    phase = 2 * np.pi * (nz * 0.008)[None, :] / periods[:, None]
    w = cnt[nz].astype(float)
    r = np.hypot((np.cos(phase) * w).sum(axis=1), (np.sin(phase) * w).sum(axis=1)) / d.size
    best = int(np.argmax(r))
    if d.size * r[best] ** 2 < min_z:
        return out
    period = float(periods[best])
    g = np.diff(onset)
    k = np.maximum(np.round(g / period), 1.0)
    on = (np.abs(g - k * period) <= np.minimum(tol * np.sqrt(k), cap) * period).astype(float)
    prev = np.concatenate(([np.nan], on))
    nxt = np.concatenate((on, [np.nan]))
    both = np.column_stack([prev, nxt])
    return 2.0 * np.nansum(both, axis=1) / np.maximum(np.sum(np.isfinite(both), axis=1), 1)


def context_features(
    onset: np.ndarray,
    offset: np.ndarray,
    brief: np.ndarray,
    duration: float,
    artefact: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """:func:`_context` where motion artefacts (``artefact`` rows) are no one's neighbours.

    A motion artefact (segment scale ``artefact``) is not activity: the other segments'
    isolation and local rate are measured without it; its own rows get the context
    measured among all segments.
    """
    if artefact is None or not artefact.any():
        return _context(onset, offset, brief, duration)
    out = _context(onset, offset, brief, duration)
    keep = ~artefact
    if keep.any():
        sub = _context(onset[keep], offset[keep], brief[keep], duration)
        for k, v in sub.items():
            out[k][keep] = v
    return out


def _context(
    onset: np.ndarray, offset: np.ndarray, brief: np.ndarray, duration: float
) -> dict[str, np.ndarray]:
    """Isolation, local rate, the regularity of neighbouring brief events, heartbeat-like neighbours."""
    m = len(onset)
    if m == 0:
        empty = np.empty(0)
        return {
            k: empty
            for k in ("isolation_s", "local_rate_per_min", "local_interval_cv", "beat_neighbours")
        }
    prev_gap = np.concatenate(([onset[0]], onset[1:] - offset[:-1]))
    next_gap = np.concatenate((onset[1:] - offset[:-1], [duration - offset[-1]]))
    isolation = np.maximum(np.minimum(prev_gap, next_gap), 0.0)
    lo = np.searchsorted(onset, onset - 30.0, side="left")
    hi = np.searchsorted(onset, onset + 30.0, side="right")
    span = (np.minimum(onset + 30.0, duration) - np.maximum(onset - 30.0, 0.0)) / 60.0
    rate = (hi - lo) / np.maximum(span, 1e-9)
    cv = np.full(m, np.nan)
    beats = np.full(m, np.nan)
    bi = np.flatnonzero(brief)
    if len(bi) >= 4:
        d = np.diff(onset[bi])
        k = 5
        padded = np.concatenate([np.full(k, np.nan), d, np.full(k, np.nan)])
        win = np.lib.stride_tricks.sliding_window_view(padded, 2 * k)[: len(bi)]
        cnt = np.sum(~np.isnan(win), axis=1)
        with np.errstate(invalid="ignore"):
            mean = np.nanmean(win, axis=1)
            sd = np.nanstd(win, axis=1)
        cv[bi] = np.where(cnt >= 3, sd / np.maximum(mean, 1e-9), np.nan)
        beats[bi] = _beat_neighbours(onset[bi])
    return {
        "isolation_s": isolation,
        "local_rate_per_min": rate,
        "local_interval_cv": cv,
        "beat_neighbours": beats,
    }


def cocontraction(
    sustained: np.ndarray,
    level: np.ndarray,
    start: np.ndarray,
    stop: np.ndarray,
    scale: np.ndarray | None = None,
) -> np.ndarray:
    """%COCON (Winter 1990) of envelopes above rest, max over channel pairs.

    Each channel's activity above its rest ``level`` is normalised by ``scale`` (by
    default its 99th percentile over the array given, a stand-in for a maximal
    contraction; streaming passes the recording-wide value).
    """
    s = sustained.shape[1]
    m = len(start)
    if s < 2 or m == 0:
        return np.full(m, np.nan)
    act = np.maximum(sustained - level, 0.0)
    if scale is None:
        scale = np.percentile(act, 99, axis=0)
    return cocontraction_of_activity(act, start, stop, scale)


def cocontraction_of_activity(
    act: np.ndarray, start: np.ndarray, stop: np.ndarray, scale: np.ndarray
) -> np.ndarray:
    """:func:`cocontraction` from the activity above rest, ``max(sustained - level, 0)``
    (n, channels), and the per-channel ``scale`` (a stream computes it from stored
    activity once every window has run)."""
    s = act.shape[1]
    m = len(start)
    if s < 2 or m == 0:
        return np.full(m, np.nan)
    act = act / np.maximum(scale, 1e-12)
    pairs = (
        [(i, j) for i in range(s) for j in range(i + 1, s)]
        if s <= 8
        else [(i, i + 1) for i in range(s - 1)]
    )
    sums = _seg_sum(_cumsum0(act), start, stop)  # (m, s)
    best = np.zeros(m)
    for i, j in pairs:  # loop over channel pairs
        common = _seg_sum(_cumsum0(np.minimum(act[:, i], act[:, j])), start, stop)
        val = 2 * common / np.maximum(sums[:, i] + sums[:, j], 1e-12)
        best = np.maximum(best, val)
    return best


def _tilts(
    gravity: np.ndarray,
    main: np.ndarray,
    start: np.ndarray,
    stop: np.ndarray,
    fs: float,
    window_s: float = 2.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Posture angles (deg) of each segment, from mean gravity directions on its main sensor.

    Returns ``(change, held)``: the angle between ``window_s`` before onset and
    ``window_s`` after offset (a lasting change), and between before onset and the
    segment's central half (a posture held during the segment).
    """
    n = gravity.shape[0]
    w = max(1, int(window_s * fs))
    change = np.full(len(start), np.nan)
    held = np.full(len(start), np.nan)

    def angle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        cos = np.einsum("ij,ij->i", a, b) / np.maximum(
            vector_magnitude(a) * vector_magnitude(b), 1e-12
        )
        return np.degrees(np.arccos(np.clip(cos, -1, 1)))

    for site in np.unique(main):  # loop over sensors
        sel = np.flatnonzero(main == site)
        g = gravity[:, site, :]
        s0, s1 = start[sel], stop[sel]
        q = (s1 - s0) // 4
        a0 = np.clip(s0 - w, 0, n - 1)
        b0 = np.minimum(s1, n - 1)
        m0 = np.minimum(s0 + q, n - 1)
        # before onset, after offset and the central half, summed over the windows only
        # (a cumulative sum of the whole signal costs more than the windows hold)
        lo = np.concatenate([a0, b0, m0])
        hi = np.concatenate(
            [np.clip(s0, a0 + 1, n), np.clip(s1 + w, b0 + 1, n), np.clip(s1 - q, m0 + 1, n)]
        )
        sums = np.stack([_seg_reduce(np.add, g[:, c], lo, hi) for c in range(3)], axis=1)
        before, after, middle = np.split(sums, 3)
        change[sel] = angle(before, after)
        held[sel] = angle(before, middle)
    return change, held


def _tilt_hold(
    orientation: np.ndarray | DecimatedLowpass,
    main: np.ndarray,
    start: np.ndarray,
    stop: np.ndarray,
    fs: float,
    before_s: float = 0.5,
) -> np.ndarray:
    """Share of each segment spent at >= half of its largest tilt (0-1), main sensor.

    The tilt is the angle between the orientation and its mean over ``before_s`` before
    onset. A held posture or spasm sits at its tilt for most of the event; a reach goes
    out and back (minimum jerk), at >= half its excursion for about half of it.
    ``orientation`` is an (n, n_sensors, 3) array, or a :class:`DecimatedLowpass` of its
    (n, 3 * n_sensors) reshape (read at the segments' samples only).
    Vectorised over segments (loops over sensors).
    """
    if isinstance(orientation, DecimatedLowpass):
        n = orientation.n

        def at(rows: np.ndarray, site: int) -> np.ndarray:
            return orientation.rows(rows)[:, 3 * site : 3 * site + 3]

    else:
        n = orientation.shape[0]

        def at(rows: np.ndarray, site: int) -> np.ndarray:
            return orientation[rows, site, :]

    w = max(1, int(round(before_s * fs)))
    out = np.full(len(start), np.nan)
    for site in np.unique(main):  # loop over sensors
        sel = np.flatnonzero(main == site)
        s0 = start[sel]
        s1 = np.minimum(stop[sel], n)
        ok = (s1 - s0) >= 2
        sel, s0, s1 = sel[ok], s0[ok], s1[ok]
        if len(sel) == 0:
            continue
        # reference: the mean direction over before_s before onset (at least one sample)
        a0 = np.maximum(0, s0 - w)
        b0 = np.maximum(s0, 1)
        ridx, _, rfirst = run_samples(a0, b0 - a0)
        r0 = np.add.reduceat(at(ridx, site), rfirst, axis=0)
        r0 /= (b0 - a0)[:, None]
        lens = s1 - s0
        idx, seg_id, first = run_samples(s0, lens)  # every sample of every segment
        v = at(idx, site)
        r = np.repeat(r0, lens, axis=0)  # (the rows of r0[seg_id], several times faster)
        # (the reference's length per segment, read per sample: the same values)
        cos = np.einsum("ij,ij->i", v, r) / np.maximum(
            vector_magnitude(v) * np.repeat(vector_magnitude(r0), lens), 1e-12
        )
        th = np.arccos(np.clip(cos, -1.0, 1.0))
        peak = np.maximum.reduceat(th, first)
        held = np.add.reduceat((th >= 0.5 * peak[seg_id]).astype(np.float64), first) / lens
        out[sel] = np.where(peak > 0, held, np.nan)
    return out


def _subbursts(
    bursts: list[np.ndarray], main: np.ndarray, start: np.ndarray, stop: np.ndarray, fs: float
) -> tuple[np.ndarray, np.ndarray]:
    """Number of brief-scale bursts in each segment and the CV of their intervals."""
    m = len(start)
    count = np.zeros(m)
    cv = np.full(m, np.nan)
    for site, runs in enumerate(bursts):  # loop over sites
        sel = np.flatnonzero(main == site)
        if len(sel) == 0 or len(runs) == 0:
            continue
        b_on = runs[:, 0]
        ev = np.searchsorted(start[sel], b_on, side="right") - 1
        inside = (ev >= 0) & (b_on < stop[sel][np.clip(ev, 0, None)])
        ev_in = ev[inside]
        on_in = b_on[inside] / fs
        count[sel] = np.bincount(ev_in, minlength=len(sel))
        same = ev_in[1:] == ev_in[:-1]
        d = np.diff(on_in)[same]
        g = ev_in[1:][same]
        n_d = np.bincount(g, minlength=len(sel))
        s1 = np.bincount(g, weights=d, minlength=len(sel))
        s2 = np.bincount(g, weights=d * d, minlength=len(sel))
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = s1 / n_d
            sd = np.sqrt(np.maximum(s2 / n_d - mean**2, 0))
            cv[sel] = np.where(n_d >= 2, sd / mean, np.nan)
    return count, cv


def segment_features(
    pre: Preprocessed,
    seg: Segmentation,
    cfg: EMGConfig | AccelConfig,
    modality: str,
    duration: float,
    *,
    cocontraction_scale: bool = True,
) -> pd.DataFrame:
    """Measure every segment; returns the segments table with feature columns added.

    The "main" site of a segment is the active site with the largest peak; amplitude,
    SNR and periodicity are measured there. With ``cocontraction_scale=False`` the EMG
    ``cocontraction`` column is left NaN: for a caller that computes it from a
    recording-wide scale (a stream's windows, :mod:`movement.stream`), where this
    window's own would be discarded (it costs three full-length temporaries).
    """
    table = seg.table
    fs = pre.fs
    start = table["start"].to_numpy(np.int64)
    stop = table["stop"].to_numpy(np.int64)
    m = len(table)
    s = len(pre.sites)
    active = table[[f"site_{j}" for j in range(s)]].to_numpy(bool) if m else np.zeros((0, s), bool)
    if m == 0:
        out = table.copy()
        for f in FEATURES:
            out[f] = pd.Series(dtype=float)
        out["main_site"] = pd.Series(dtype=int)
        return out
    cols: dict[str, Any] = {}

    # the accelerometer's signal is a magnitude (>= 0): no copy; EMG's |signal| one
    # channel at a time (no full-length copy of every channel)
    def sig_col(j: int) -> np.ndarray:
        col = pre.signal[:, j]
        return col if modality == "accel" else np.abs(col)

    peaks = np.stack([_seg_max(sig_col(j), start, stop) for j in range(s)], axis=1)
    peaks = np.where(active, peaks, -np.inf)
    main = np.argmax(peaks, axis=1)
    rows = np.arange(m)
    peak = peaks[rows, main]
    sq = np.empty(m)
    for site in np.unique(main):  # loop over sites
        sel = np.flatnonzero(main == site)
        col = pre.signal[:, site] if modality == "emg" else sig_col(site)
        sq[sel] = _seg_reduce(np.add, col * col, start[sel], stop[sel])
    rms = np.sqrt(sq / np.maximum(stop - start, 1))
    level = seg.level_at(start, main)
    snr = 20 * np.log10(np.maximum(rms, 1e-12) / np.maximum(level, 1e-12))
    cols["peak_amplitude"] = peak
    cols["rms"] = rms
    cols["snr_db"] = snr
    cols["crest_factor"] = peak / np.maximum(rms, 1e-12)
    # periodicity on the main site's oscillation signal
    if modality == "emg":
        band, min_len, max_len = (1.0, 15.0), 1.0, 8.0
    else:
        band, min_len, max_len = (0.5, 15.0), 2.0, 8.0
    spec = {k: np.full(m, np.nan) for k in SPECTRAL}
    # EMG's oscillation signal is low-passed below 25 Hz: read it at >= 200 Hz
    q = max(1, int(fs // 200)) if modality == "emg" else 1
    for site in np.unique(main):
        sel = np.flatnonzero(main == site)
        f = spectral_features(
            pre.oscill[::q, site, :],
            fs / q,
            start[sel] // q,
            -(-stop[sel] // q),
            band,
            tuple(cfg.tremor_band_hz),
            min_len,
            max_len,
            # accelerometer: a long tremor episode joined over its pauses reads from its
            # central 8 s, not from its onset (a tilt, a jerk)
            centred=modality == "accel",
        )
        for k, v in f.items():
            spec[k][sel] = v
    for k in spec:
        cols[k] = spec[k]
    gait = np.full(m, np.nan)
    # tri-axial sensors only: what it was measured on (simulated wrists, the Daphnet
    # recordings' three sensors); one axis of unknown orientation can hold a hand's
    # rhythm at step rate with its harmonics (a seated PD patient's postural-tremor task,
    # cloudUPDRS 2458: 1.9 Hz on one a.u. channel, read as gait)
    triaxial = pre.oscill.ndim == 3 and pre.oscill.shape[2] == 3
    if modality == "accel" and triaxial and getattr(cfg, "gait_min_fraction", None) is not None:
        for site in np.unique(main):  # loop over sites
            sel = np.flatnonzero(main == site)
            gait[sel] = gait_fraction(
                pre.oscill[:, site, :],
                fs,
                start[sel],
                stop[sel],
                cfg.gait_window_s,
                cfg.gait_min_bout_s,
                tuple(cfg.gait_band_hz),
                tuple(cfg.walking_band_hz),
                cfg.gait_min_acf,
                cfg.gait_min_share,
            )
    cols["gait_fraction"] = gait
    med = np.full(m, np.nan)
    if modality == "emg":
        for site in np.unique(main):
            sel = np.flatnonzero(main == site)
            med[sel] = _median_frequency(pre.signal[:, site], fs, start[sel], stop[sel])
    cols["median_frequency_hz"] = med
    onset = start / fs
    offset = stop / fs
    brief = (stop - start) <= cfg.max_brief_s * fs
    art = (table["scale"] == "artefact").to_numpy(bool) if "scale" in table else None
    for k, v in context_features(onset, offset, brief, duration, art).items():
        cols[k] = v
    ratio = getattr(cfg, "crosstalk_ratio", None)
    if ratio:
        # a site far weaker than the main one carries volume-conducted cross-talk
        with np.errstate(invalid="ignore"):
            active = active & (peaks >= ratio * peak[:, None])
    cols["n_channels_active"] = active.sum(axis=1)
    cols["channel_fraction"] = active.sum(axis=1) / s
    cols["cocontraction"] = (
        cocontraction(pre.sustained, seg.level, start, stop)
        if modality == "emg" and cocontraction_scale
        else np.nan
    )
    # tilts on the sharp orientation when there is one: the 0.25 Hz gravity spreads a
    # short spasm's tilt over seconds and under-reads it
    sharp = pre.orientation if pre.orientation is not None else pre.gravity
    if sharp is not None:
        cols["tilt_change_deg"], cols["tilt_held_deg"] = _tilts(sharp, main, start, stop, fs)
    else:
        cols["tilt_change_deg"] = np.nan
        cols["tilt_held_deg"] = np.nan
    if pre.orientation is not None and getattr(cfg, "orientation_median_s", None):
        # the tilt's time course: a running median flattens a turnaround (a reach's far
        # point) into a plateau as long as its window, so the hold is measured on the
        # acceleration low-passed below 1/orientation_median_s (tremor >= 3 Hz removed)
        # computed on 25 Hz block means (DECIMATED_HZ) and read at the segments' samples
        # only (filter and _tilt_hold: ~40 ms instead of ~60 ms per 10^6 samples of the
        # 24 h benchmark recording, with its ~800 segments). Measured against the full-rate
        # filter: dev F1 (heldout_metrics seed 700000, 10 recordings, rules and model)
        # unchanged; 24 h benchmark: no label changed, tilt_hold_fraction moved in 27 % of
        # events (median 0.024: samples near half the peak tilt), probabilities of 1 % of
        # events by <= 0.032
        k = pre.orientation.shape[1]
        shape = DecimatedLowpass(
            pre.orientation.reshape(len(pre.orientation), 3 * k),
            fs,
            1.0 / cfg.orientation_median_s,
            2,
            int(fs // DECIMATED_HZ),
            plus=pre.oscill.reshape(len(pre.oscill), 3 * k),
        )
        cols["tilt_hold_fraction"] = _tilt_hold(shape, main, start, stop, fs)
    else:
        cols["tilt_hold_fraction"] = (
            _tilt_hold(sharp, main, start, stop, fs) if sharp is not None else np.nan
        )
    nsub, subcv = _subbursts(seg.bursts, main, start, stop, fs)
    cols["n_subbursts"] = nsub
    cols["subburst_cv"] = subcv
    cols["active_fraction"] = active_fraction(getattr(seg, "activity", None), main, start, stop)
    at = np.flatnonzero(pre.clipped)  # clipped samples (usually none)
    cols["clipped"] = np.searchsorted(at, stop) > np.searchsorted(at, start)
    cols["main_site"] = main
    # one DataFrame of the new columns joined once (inserting ~30 columns one at a time
    # costs more than computing them)
    if any(k in table.columns for k in cols):
        out = table.copy()
        for k, v in cols.items():
            out[k] = v
        return out
    out = pd.concat([table, pd.DataFrame(cols, index=table.index)], axis=1)
    out.attrs = copy.deepcopy(table.attrs)
    return out
