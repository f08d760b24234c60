"""Cleaning per modality: pure functions on arrays with an explicit sampling rate.

EMG: zero-phase Butterworth band-pass (30-450 Hz by default, ``EMGConfig.band_low_hz`` /
``band_high_hz``; capped below Nyquist), optional
notch, ECG removal when a heartbeat rhythm is found (QRS detection in 5-40 Hz, then
subtraction of a local average beat; :func:`ecg_beats`, :func:`remove_ecg`), then
envelopes at two time scales: TKEO + ~10 ms RMS for brief events and 100-250 ms RMS for
sustained activity.

Accelerometry: gravity / tilt (low-pass, ``AccelConfig.gravity_cutoff_hz``) split from dynamic motion, the
vector magnitude of the dynamic part, and the tilt of the gravity vector over time.

Filters are second-order sections; arrays are (n_samples, n_channels).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from scipy import signal

from .config import AccelConfig, EMGConfig
from .recording import Recording, bridge_rows, unbridged

if TYPE_CHECKING:
    from .calibration import Calibration

__all__ = [
    "bandpass",
    "lowpass",
    "notch",
    "tkeo",
    "moving_rms",
    "gravity_split",
    "vector_magnitude",
    "tilt_angle",
    "running_median",
    "clipping_mask",
    "ecg_beats",
    "ecg_searchable",
    "remove_ecg",
    "Preprocessed",
    "preprocess",
]


def _fill_gaps(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fill NaN (for filtering) by a straight line between the samples either side of each
    gap, per channel (flat beyond the first and last sample); return data and gap mask.

    The fill depends only on the gap's two neighbours: a window of a streamed recording
    that holds a gap fills it as the whole recording does (a recording-wide median did
    not: the filters' response to the step into it, and the baselines near the gap,
    differed).

    Examples
    --------
    >>> import numpy as np
    >>> y, gaps = _fill_gaps(np.array([[1.0], [np.nan], [np.nan], [4.0], [np.nan]]))
    >>> y[:, 0].tolist(), gaps.tolist()
    ([1.0, 2.0, 3.0, 4.0, 4.0], [False, True, True, False, True])
    """
    if x.size == 0 or not np.isnan(np.min(x)):  # one pass, no temporary (min propagates NaN)
        return x, np.zeros(x.shape[0], dtype=bool)
    miss = np.isnan(x)
    gaps = miss.any(axis=1)
    y = np.array(x, dtype=np.float64)
    for c in range(x.shape[1]):  # loop over channels
        m = miss[:, c]
        if m.any():
            ok = np.flatnonzero(~m)
            y[m, c] = np.interp(np.flatnonzero(m), ok, x[ok, c]) if len(ok) else 0.0
    return y, gaps


def _median0(x: np.ndarray) -> np.ndarray:
    """``np.median(x, axis=0)`` of an (n, k) array without NaN, the same values, cheaper.

    Per column, the order statistics around the middle lie (almost surely) between two
    quantiles of a ~4000-value strided sample: only the values between them are sorted.
    The counts below and between them confirm it (else ``np.median`` is called); a full
    partition of a long column, with np.median's two middle ranks, costs several times
    more.
    """
    n, k = x.shape
    if n < 1 << 14:
        return np.median(x, axis=0)
    out = np.empty(k)
    lo_k, hi_k = (n - 1) // 2, n // 2  # the middle ranks (one when n is odd)
    for c in range(k):  # loop over channels
        v = x[:, c]
        s = np.sort(v[:: n // 4096])
        j, d = len(s) // 2, 4 * int(np.sqrt(len(s))) + 2
        lo, hi = s[max(0, j - d)], s[min(len(s) - 1, j + d)]
        below = np.count_nonzero(v < lo)
        inside = v[(v >= lo) & (v <= hi)]
        above = np.count_nonzero(v > hi)
        if below + len(inside) + above == n and below <= lo_k and below + len(inside) > hi_k:
            inside.sort()
            a, b = inside[lo_k - below], inside[hi_k - below]
            out[c] = a if n % 2 else (a + b) / 2
        else:  # (NaN, or the middle outside the sample's bounds)
            out[c] = np.median(v)
    return out


def _cap(high: float, fs: float) -> float:
    return min(high, 0.45 * fs)


#: Rows per block of the blocked zero-phase filter (below it, scipy's sosfiltfilt is called).
_BLOCK = 1 << 16


def _sosfiltfilt(
    sos: np.ndarray,
    x: np.ndarray,
    minus: np.ndarray | None = None,
    absolute: bool = False,
    rows_first: bool = False,
) -> np.ndarray:
    """Zero-phase filtering along axis 0: ``scipy.signal.sosfiltfilt(sos, x, axis=0)``.

    Long float64 inputs are filtered in blocks of ``_BLOCK`` rows with the filter state
    carried from block to block (forward pass, then backward pass in place): the same
    arithmetic in the same order as scipy's (odd extension, ``sosfilt_zi`` initial
    state, default pad length), so the same bits, but with no full-length temporaries
    besides the output. On a fresh process the page faults of those temporaries cost
    more than the filtering itself. The result is channels-first in memory (a
    transposed ``(channels, n)`` array), the layout the steps after it were built on.

    With ``minus`` (shaped as ``x``), ``x - minus`` is filtered: the difference is taken a
    block at a time in the blocked path (the same values, no full-length difference).
    With ``absolute``, ``|x|`` (or ``|x - minus|``) is filtered, likewise a block at a time.
    With ``rows_first``, the blocked path's result is a C-ordered ``(n, k)`` array instead
    (the same values).
    """
    if x.ndim == 1:
        m1 = None if minus is None else minus[:, None]
        return _sosfiltfilt(sos, x[:, None], m1, absolute)[:, 0]
    n, k = x.shape
    ntaps = 2 * len(sos) + 1 - min(int((sos[:, 2] == 0).sum()), int((sos[:, 5] == 0).sum()))
    pad = 3 * ntaps
    if x.dtype != np.float64 or n < 4 * _BLOCK or (minus is not None and minus.dtype != x.dtype):
        if minus is not None:
            x = x - minus
        if absolute:
            x = np.abs(x)
        return signal.sosfiltfilt(sos, np.ascontiguousarray(x.T), axis=-1).T

    def rows(sl: slice) -> np.ndarray:
        r = x[sl] if minus is None else x[sl] - minus[sl]
        return np.abs(r) if absolute else r

    zi = signal.sosfilt_zi(sos)[:, :, None]  # (sections, 2, 1): broadcast over channels
    out = np.empty((n, k)) if rows_first else np.empty((k, n)).T
    # forward over the odd extension [2 x0 - x[pad:0:-1], x, 2 xn - x[-2:-pad-2:-1]]
    left = 2 * rows(slice(0, 1)) - rows(slice(pad, 0, -1))
    right = 2 * rows(slice(n - 1, n)) - rows(slice(n - 2, n - pad - 2, -1))
    _, z = signal.sosfilt(sos, left, axis=0, zi=zi * left[0:1])
    for a in range(0, n, _BLOCK):
        out[a : a + _BLOCK], z = signal.sosfilt(sos, rows(slice(a, a + _BLOCK)), axis=0, zi=z)
    yr, z = signal.sosfilt(sos, right, axis=0, zi=z)
    # backward from the end of the extension; its outputs on the left pad are not kept
    _, z = signal.sosfilt(sos, yr[::-1], axis=0, zi=zi * yr[-1:])
    for b in range(n, 0, -_BLOCK):
        a = max(0, b - _BLOCK)
        y, z = signal.sosfilt(sos, out[a:b][::-1], axis=0, zi=z)
        out[a:b] = y[::-1]
    return out


def bandpass(
    x: np.ndarray, fs: float, low: float, high: float, order: int = 4, rows_first: bool = False
) -> np.ndarray:
    """Zero-phase Butterworth band-pass along axis 0 (``rows_first``: see
    :func:`_sosfiltfilt`).

    ``high`` is capped at 0.45·fs, so a 200 Hz armband gets 20-90 Hz. If the cap
    leaves no band (``high <= low``), a high-pass at ``low`` is applied instead.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 1000.0
    >>> t = np.arange(2000) / fs
    >>> y = bandpass(np.sin(2 * np.pi * 5 * t) + np.sin(2 * np.pi * 100 * t), fs, 20, 450)
    >>> bool(abs(y[500:1500]).max() < 1.1)
    True
    """
    high = _cap(high, fs)
    if high <= low * 1.2:
        sos = signal.butter(order, low, btype="highpass", fs=fs, output="sos")
    else:
        sos = signal.butter(order, [low, high], btype="bandpass", fs=fs, output="sos")
    return _sosfiltfilt(sos, x, rows_first=rows_first)


#: Lowest rate (Hz) a slow low-pass is computed at with ``lowpass(..., decimate=True)``
#: (and at least 40 times its cut-off): the block means keep 25 Hz away from tremor (3-12 Hz).
DECIMATED_HZ = 25.0


def decimation(fs: float, cutoff: float) -> int:
    """Samples per block of ``lowpass(..., decimate=True)``: ``fs // max(DECIMATED_HZ,
    40 * cutoff)`` (1: the full rate).

    Examples
    --------
    >>> decimation(100.0, 0.25), decimation(128.0, 0.25), decimation(30.0, 0.25)
    (4, 5, 1)
    """
    return max(1, int(fs // max(DECIMATED_HZ, 40.0 * cutoff)))


def lowpass(
    x: np.ndarray, fs: float, cutoff: float, order: int = 4, decimate: bool = False
) -> np.ndarray:
    """Zero-phase Butterworth low-pass along axis 0 (cutoff capped at 0.45·fs).

    With ``decimate``, the filter runs on the means of blocks of
    ``q = fs // max(DECIMATED_HZ, 40 * cutoff)`` samples (the block mean is the
    anti-alias filter: it nulls ``fs / q`` and its multiples and passes the cut-off with
    a gain of ~1 - (pi * cutoff * q / fs)² / 6) and is linearly interpolated back
    between the block centres (flat beyond the first and last). For the 0.25 Hz gravity
    at 100 Hz (``q = 4``) the direction differs from the full-rate filter's by under
    0.02 degrees inside 5.5 h of the 24 h benchmark recording (up to ~1 degree in the first and last few
    seconds, where the filters' padding differs), at about 3/4 of the CPU time. When
    ``q < 2`` and for signals shorter than ``64 * q`` samples the filter runs at the
    full rate.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 100.0
    >>> t = np.arange(6000) / fs
    >>> x = np.column_stack([np.sin(2 * np.pi * 0.1 * t) + 0.3 * np.sin(2 * np.pi * 6 * t)])
    >>> full, fast = lowpass(x, fs, 0.25, 2), lowpass(x, fs, 0.25, 2, decimate=True)
    >>> bool(abs(full - fast)[500:-500].max() < 1e-3)
    True
    """
    q = decimation(fs, cutoff) if decimate else 1
    if q >= 2 and x.shape[0] >= 64 * q:
        return _lowpass_decimated(x, fs, cutoff, order, q)
    sos = signal.butter(order, _cap(cutoff, fs), btype="lowpass", fs=fs, output="sos")
    return _sosfiltfilt(sos, x)


#: Blocks per chunk of :func:`_lowpass_decimated`'s interpolation (~0.4 MB per channel).
_INTERP_BLOCKS = 1 << 14


def _block_sums(head: np.ndarray, q: int, out: np.ndarray) -> None:
    """Sums of the blocks of ``q`` rows of ``head`` (whole blocks) into ``out``, adding the
    rows of a block in order."""
    nb, k = head.shape[0] // q, head.shape[1]
    if k >= 2 and head.flags.c_contiguous:
        # row-major input: one einsum, the same sums in the same order as the loop below
        np.einsum("ijk->ik", head.reshape(nb, q, k), out=out)
    else:
        np.add(head[0::q], head[1::q], out=out)  # sums of strided rows: any layout
        for i in range(2, q):
            out += head[i::q]


#: Blocks per chunk of :func:`_decimated_series`'s sums of two signals (~0.4 MB per channel).
_SUM_BLOCKS = 1 << 14


def _decimated_series(
    x: np.ndarray, fs: float, cutoff: float, order: int, q: int, plus: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, int]:
    """The low-passed block means of :func:`_lowpass_decimated`: ``(y, centres, nb)`` with
    ``y`` (k, m) channels-first, the blocks' centres (samples) and the full blocks' count.

    With ``plus`` (shaped as ``x``), the block means are those of ``x + plus``, added a
    chunk of blocks at a time (the same values, without the full-length sum).
    """
    n, k = x.shape
    nb, rest = divmod(n, q)
    m = nb + (rest > 0)
    blocks = np.empty((k, m)).T  # channels-first: the filter runs along contiguous rows
    if plus is None:
        _block_sums(x[: nb * q], q, blocks[:nb])
    elif x.T.flags.c_contiguous or plus.T.flags.c_contiguous:
        # a channels-first operand (the filters' output): the sum is taken channels-first,
        # into a chunk-sized work space, and its blocks' rows added in order straight into
        # the (channels-first) block rows: the same sums as below, ~2x faster than a
        # row-major sum that reads one operand across its layout
        bt = blocks.T
        work = np.empty((k, min(nb, _SUM_BLOCKS) * q))
        for a in range(0, nb, _SUM_BLOCKS):  # loop over chunks of blocks
            b = min(nb, a + _SUM_BLOCKS)
            h = work[:, : (b - a) * q]
            np.add(x[a * q : b * q].T, plus[a * q : b * q].T, out=h)
            h3 = h.reshape(k, b - a, q)
            np.add(h3[:, :, 0], h3[:, :, 1], out=bt[:, a:b])
            for i in range(2, q):  # loop over the rows of a block
                bt[:, a:b] += h3[:, :, i]
    else:
        for a in range(0, nb, _SUM_BLOCKS):  # loop over chunks of blocks
            b = min(nb, a + _SUM_BLOCKS)
            _block_sums(x[a * q : b * q] + plus[a * q : b * q], q, blocks[a:b])
    blocks[:nb] /= q
    centres = np.arange(m) * float(q) + (q - 1) / 2.0
    if rest:
        tail = x[nb * q :] if plus is None else x[nb * q :] + plus[nb * q :]
        blocks[nb] = tail.mean(axis=0)
        centres[nb] = nb * q + (rest - 1) / 2.0
    sos = signal.butter(order, cutoff, btype="lowpass", fs=fs / q, output="sos")
    return np.ascontiguousarray(_sosfiltfilt(sos, blocks).T), centres, nb


def _lowpass_decimated(x: np.ndarray, fs: float, cutoff: float, order: int, q: int) -> np.ndarray:
    """:func:`lowpass` on means of blocks of ``q`` samples, interpolated back (see there)."""
    if x.ndim == 1:
        return _lowpass_decimated(x[:, None], fs, cutoff, order, q)[:, 0]
    n, k = x.shape
    yt, centres, nb = _decimated_series(x, fs, cutoff, order, q)  # yt: (k, m)
    out = np.empty((k, n))  # returned channels-first, like the full-rate filter's output
    # linear interpolation between block centres, one offset within the blocks at a time,
    # over chunks of blocks (the q strided passes over a chunk stay in cache)
    o3 = out[:, : nb * q].reshape(k, nb, q)
    step = np.diff(yt[:, :nb], axis=1)  # y[j + 1] - y[j]
    for a in range(0, nb, _INTERP_BLOCKS):  # loop over chunks of blocks
        b = min(nb, a + _INTERP_BLOCKS)
        for i in range(q):  # loop over the q offsets within a block
            d = (i - (q - 1) / 2.0) / q
            if d >= 0:  # between this block's centre and the next one's
                lo, hi = a, min(b, nb - 1)
                np.multiply(step[:, lo:hi], d, out=o3[:, lo:hi, i])
                o3[:, lo:hi, i] += yt[:, lo:hi]
            else:  # between the previous block's centre and this one's
                lo, hi = max(a, 1), b
                np.multiply(step[:, lo - 1 : hi - 1], d, out=o3[:, lo:hi, i])
                o3[:, lo:hi, i] += yt[:, lo:hi]
    # the first block, the last full one and the rest: flat beyond the end centres
    for r in (np.arange(min(q, n)), np.arange(max(0, (nb - 1) * q), n)):
        for c in range(k):  # loop over channels
            out[c, r] = np.interp(r.astype(np.float64), centres, yt[c])
    return out.T


class DecimatedLowpass:
    """:func:`lowpass` ``(..., decimate=True)`` of ``x`` (n, k), read only at the rows asked for
    (of ``x + plus`` when ``plus`` is given, whose sum is not built at the full rate).

    The filter runs on the means of blocks of ``q`` samples (see :func:`lowpass`); the
    interpolation back to the full rate, which costs more than the filter, is done only
    for the rows a caller reads (:meth:`rows`): the values are those of
    ``_lowpass_decimated(x, fs, cutoff, order, q)`` at these rows. ``q < 2``, a signal
    shorter than ``64 * q`` samples or a cut-off above a tenth of the block rate is
    filtered at the full rate.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 100.0
    >>> t = np.arange(6000) / fs
    >>> x = np.column_stack([np.sin(2 * np.pi * 0.1 * t), np.cos(2 * np.pi * 0.2 * t)])
    >>> lp = DecimatedLowpass(x, fs, 1.0, 2, 4)
    >>> rows = np.array([0, 1, 2, 3, 4, 2999, 5998, 5999])
    >>> bool(np.array_equal(lp.rows(rows), _lowpass_decimated(x, fs, 1.0, 2, 4)[rows]))
    True
    """

    def __init__(
        self,
        x: np.ndarray,
        fs: float,
        cutoff: float,
        order: int,
        q: int,
        plus: np.ndarray | None = None,
    ) -> None:
        n = x.shape[0]
        self.n, self.q = n, q
        self.full: np.ndarray | None = None
        if q < 2 or n < 64 * q or fs / q < 10.0 * cutoff:
            self.full = lowpass(x if plus is None else x + plus, fs, cutoff, order)
            return
        self.y, self.centres, self.nb = _decimated_series(x, fs, cutoff, order, q, plus)
        # row-major copies for gathering rows: the values and their steps y[j + 1] - y[j]
        self._y = np.ascontiguousarray(self.y.T)
        self._step = np.diff(self._y[: self.nb], axis=0)

    def rows(self, r: np.ndarray) -> np.ndarray:
        """The filtered signal at rows ``r`` (any order, repeats allowed): (len(r), k)."""
        r = np.asarray(r, dtype=np.int64)
        # (np.take of the rows, not a fancy index: the same values, ~6x faster on these
        # (m, 3) rows; 24 h benchmark: rows() 0.109 -> 0.070 s CPU over its ~2.8 M rows)
        if self.full is not None:
            return np.take(self.full, r, axis=0)
        q, nb = self.q, self.nb
        j = r // q
        d = ((r - j * q) - (q - 1) / 2.0) / q
        edge = (j == 0) | (j >= nb - 1)  # flat beyond the end centres: np.interp there
        jj = np.where(edge, 1, j)
        # as in _lowpass_decimated: (y[j + 1] - y[j]) d + y[j] ahead of the block's centre,
        # (y[j] - y[j - 1]) d + y[j] behind it
        out = np.take(self._step, np.where(d >= 0, jj, jj - 1), axis=0)
        out *= d[:, None]
        out += np.take(self._y, jj, axis=0)
        e = np.flatnonzero(edge)
        if len(e):
            for c in range(self.y.shape[0]):  # loop over channels
                out[e, c] = np.interp(r[e].astype(np.float64), self.centres, self.y[c])
        return out


def lowband_rms(x: np.ndarray, fs: float, low: float, high: float, window_s: float) -> np.ndarray:
    """Moving RMS (``window_s``) of ``x`` (n, k) band-passed to ``low``-``high`` Hz (order 2).

    Computed on the means of blocks of ``q`` samples (the block mean is the anti-alias
    filter; < 0.5 dB down at ``high``) and held constant within each block: ``q`` is the
    largest divisor of the 0.5 s baseline block (``round(0.5 * fs)``) with
    ``fs / q >= 10 * high``, so the blocks of a streamed window (whose slices start on
    that block grid, :mod:`movement.stream`) are the whole recording's. For ``q < 2``
    the band-pass runs at the full rate.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 2000.0
    >>> t = np.arange(20_000) / fs
    >>> x = np.column_stack([np.sin(2 * np.pi * 5 * t) + np.sin(2 * np.pi * 200 * t)])
    >>> r = lowband_rms(x, fs, 1.0, 15.0, 0.1)
    >>> bool(abs(r[5000:15000] - np.sqrt(0.5)).max() < 0.05)
    True
    """
    r = _lowband_rows(x, fs, low, high, window_s)
    return r.expand() if isinstance(r, BlockRows) else r


def _lowband_rows(
    x: np.ndarray, fs: float, low: float, high: float, window_s: float
) -> np.ndarray | BlockRows:
    """:func:`lowband_rms`, as its per-block values (:class:`BlockRows`) when it is
    computed on block means (the per-sample array is then those values repeated)."""
    n = x.shape[0]
    grid = max(1, int(round(0.5 * fs)))
    most = int(fs // (10.0 * high))
    q = max([d for d in range(1, max(1, min(most, grid)) + 1) if grid % d == 0])
    if q < 2 or n < 64 * q:
        return moving_rms(bandpass(x, fs, low, high, 2), fs, window_s)
    nb = n // q
    blocks = x[: nb * q].reshape(nb, q, -1).mean(axis=1)
    if nb * q < n:
        blocks = np.concatenate([blocks, x[nb * q :].mean(axis=0, keepdims=True)])
    r = moving_rms(bandpass(blocks, fs / q, low, high, 2), fs / q, window_s)
    return BlockRows(r, q, n)


class BlockRows:
    """An (n, k) array constant over blocks of ``q`` rows, held per block: the values of
    ``np.repeat(blocks, q, axis=0)[:n]`` without that per-sample array (the EMG low band
    of :func:`lowband_rms`; :func:`movement.segment.artefact_runs` reads it so)."""

    def __init__(self, blocks: np.ndarray, q: int, n: int) -> None:
        self.blocks, self.q, self.n = blocks, q, n
        self.shape = (n, blocks.shape[1])

    def expand(self) -> np.ndarray:
        """The per-sample array."""
        return np.repeat(self.blocks, self.q, axis=0)[: self.n]

    def column(self, j: int) -> np.ndarray:
        """Column ``j`` per sample."""
        return np.repeat(self.blocks[:, j], self.q)[: self.n]

    def take(self, rows: np.ndarray, j: int) -> np.ndarray:
        """``expand()[rows, j]`` (``rows`` in ``[0, n)``)."""
        return self.blocks[rows // self.q, j]

    def strided(self, b: int, stride: int, nb: int) -> np.ndarray:
        """``padded.reshape(nb, b, k)[:, ::stride, :]`` of the per-sample array padded to
        ``nb * b`` rows with its last row."""
        rows = np.arange(nb)[:, None] * b + np.arange(0, b, stride)[None, :]
        return self.blocks[np.minimum(rows, self.n - 1) // self.q]


#: Notches are applied below this share of the rate only; a ``notch_hz`` at or above it
#: is not applied, which the events' notes say (:func:`movement.pipeline.applied_settings`).
NOTCH_CAP = 0.48


def notch(
    x: np.ndarray, fs: float, freq: float, quality: float = 30.0, harmonics: int | None = 3
) -> np.ndarray:
    """Zero-phase notches at ``freq`` and its multiples up to ``harmonics`` x ``freq``
    (all below 0.48 ``fs`` with ``harmonics=None``): mains hum. None at or above 0.48
    ``fs`` (``x`` is returned as it is when ``freq`` is).

    Few harmonics by default: notches at every harmonic add up to a comb filter, whose
    response to a brief transient has echoes every ``1 / freq`` s (a 15 ms MUAP came out
    84 ms long with the 19 harmonics of 50 Hz below 1 kHz).

    Examples
    --------
    >>> import numpy as np
    >>> fs = 2000.0
    >>> t = np.arange(4000) / fs
    >>> x = np.sin(2 * np.pi * 50 * t) + 0.5 * np.sin(2 * np.pi * 150 * t)
    >>> bool(np.abs(notch(x, fs, 50.0)[1000:3000]).max() < 0.05)
    True
    """
    y = x
    k = 1
    while k * freq < NOTCH_CAP * fs and (harmonics is None or k <= harmonics):
        b, a = signal.iirnotch(k * freq, quality, fs=fs)
        y = signal.filtfilt(b, a, y, axis=0)
        k += 1
    return y


def tkeo(x: np.ndarray) -> np.ndarray:
    """Teager-Kaiser energy operator ``x[n]^2 - x[n-1]·x[n+1]`` along axis 0 (edges repeated)."""
    y = np.empty_like(x)
    y[1:-1] = x[1:-1] ** 2 - x[:-2] * x[2:]
    y[0] = y[1]
    y[-1] = y[-2]
    return y


def moving_rms(x: np.ndarray, fs: float, window_s: float) -> np.ndarray:
    """Centred moving RMS over ``window_s`` seconds (cumulative-sum, O(n)).

    Examples
    --------
    >>> import numpy as np
    >>> r = moving_rms(np.ones((100, 1)) * 2.0, fs=100, window_s=0.1)
    >>> float(r[50, 0])
    2.0
    """
    return _moving_rms_many(x, fs, (window_s,))[0]


def _moving_rms_many(x: np.ndarray, fs: float, windows: tuple[float, ...]) -> list[np.ndarray]:
    """:func:`moving_rms` of one signal at several window lengths (one cumulative sum)."""
    if len(windows) == 1 and x.ndim == 2 and x.shape[1] > 1 and x.dtype == np.float64:
        return [_moving_rms_rows(x, max(1, int(round(windows[0] * fs))))]
    c = _cumsum0(x, square=True)
    # the window means clipped at 0 and square-rooted chunk by chunk (in cache)
    return [_window_mean(c, max(1, int(round(window_s * fs))), rms=True) for window_s in windows]


#: Rows per chunk of the chunked cumulative sums and window means (cache-sized).
_ROWS = 1 << 15


def _cumsum0(x: np.ndarray, square: bool = False) -> np.ndarray:
    """Cumulative sum along axis 0 (float64) with a leading row of zeros.

    A channels-first ``(n, k)`` array (the filters' output layout) is summed along its
    contiguous rows and the result returned in the same layout (a transposed view).
    With ``square``, the cumulative sum of ``x ** 2``: for a float64 channels-first array
    (or one column) squared and summed in cache-sized chunks, the running total carried
    from chunk to chunk (a cumulative sum adds in order, so the same bits), with no
    squared temporary.
    """
    if (
        square
        and x.ndim == 2
        and x.dtype == np.float64
        and (x.shape[1] == 1 or x.T.flags.c_contiguous)
    ):
        n, k = x.shape
        ct = np.empty((k, n + 1))
        ct[:, 0] = 0.0
        xt = x.T
        for j in range(k):  # loop over channels
            row, out = xt[j], ct[j, 1:]
            for a in range(0, n, _ROWS):  # loop over chunks
                e = min(n, a + _ROWS)
                o = out[a:e]
                np.square(row[a:e], out=o)
                if a:
                    o[0] += out[a - 1]
                np.cumsum(o, out=o)
        return ct.T
    if square:
        x = np.square(x)
    if x.ndim == 2 and x.shape[1] > 1 and x.T.flags.c_contiguous:
        ct = np.empty((x.shape[1], x.shape[0] + 1))
        ct[:, 0] = 0.0
        np.cumsum(x.T, axis=1, dtype=np.float64, out=ct[:, 1:])
        return ct.T
    c = np.empty((x.shape[0] + 1,) + x.shape[1:])
    c[0] = 0.0
    np.cumsum(x, axis=0, dtype=np.float64, out=c[1:])
    return c


def _moving_rms_rows(x: np.ndarray, w: int) -> np.ndarray:
    """``_window_mean(_cumsum0(x, square=True), w, rms=True)`` of a float64 ``(n, k)``
    array, the same values, without the full-length cumulative sum (nor a squared copy):
    the sum is carried over cache-sized chunks of rows (a cumulative sum adds in order, so
    the same bits) and only the rows the current chunk of windows reads are kept."""
    n, k = x.shape
    half = w // 2
    a, b = half, n + half - w + 1  # rows whose window [i - half, i - half + w) fits
    if b <= a or n < 2 * _ROWS:
        return _window_mean(_cumsum0(x, square=True), w, rms=True)
    out = np.empty((n, k))
    c = np.zeros((1, k))  # rows [c0, c0 + len(c)) of the cumulative sum (row 0: zeros)
    c0 = 0

    def upto(hi: int, keep: int) -> None:
        # the sum's rows [keep, hi) kept: rows below ``keep`` dropped, new ones added
        nonlocal c, c0
        top = c0 + len(c)
        if hi <= top:
            c, c0 = c[keep - c0 :], keep
            return
        new = np.square(x[top - 1 : hi - 1])
        new[0] += c[-1]
        np.cumsum(new, axis=0, out=new)
        c = np.concatenate([c[keep - c0 :], new])
        c0 = keep

    def edges(rows: np.ndarray) -> None:
        lo = np.clip(rows - half, 0, n)
        hi = np.clip(rows - half + w, 0, n)
        count = (hi - lo).reshape(-1, 1)
        out[rows] = (c[hi - c0] - c[lo - c0]) / count
        out[rows] = np.sqrt(np.maximum(out[rows], 0.0))

    for r in range(a, b, _ROWS):  # loop over chunks of rows
        e = min(b, r + _ROWS)
        upto(e - half + w, r - half)
        o = out[r:e]
        np.subtract(
            c[r - half + w - c0 : e - half + w - c0], c[r - half - c0 : e - half - c0], out=o
        )
        o /= w
        np.maximum(o, 0.0, out=o)
        np.sqrt(o, out=o)
        if r == a:
            edges(np.arange(0, a))  # (their windows start at row 0)
    upto(n + 1, n - w + 1)
    edges(np.arange(b, n))
    return out


def _moving_mean(x: np.ndarray, w: int) -> np.ndarray:
    """Centred moving mean with window ``w`` samples; edges use the samples available."""
    return _window_mean(_cumsum0(x), w)


def _window_mean(c: np.ndarray, w: int, rms: bool = False) -> np.ndarray:
    """The centred moving mean from a cumulative sum ``c`` (n + 1 rows, see ``_cumsum0``):
    full windows by slicing (in cache-sized chunks), the ``w`` edge rows (fewer samples)
    by indexing. ``rms``: then clipped at 0 and square-rooted (:func:`moving_rms`)."""
    n = c.shape[0] - 1
    half = w // 2
    out = np.empty((n,) + c.shape[1:])
    a, b = half, n + half - w + 1  # rows whose window [i - half, i - half + w) fits
    if b > a:
        for r in range(a, b, _ROWS):  # loop over chunks of rows
            e = min(b, r + _ROWS)
            o = out[r:e]
            np.subtract(c[r - half + w : e - half + w], c[r - half : e - half], out=o)
            o /= w
            if rms:
                np.maximum(o, 0.0, out=o)
                np.sqrt(o, out=o)
        edge = np.r_[0:a, b:n]
    else:
        edge = np.arange(n)
    lo = np.clip(edge - half, 0, n)
    hi = np.clip(edge - half + w, 0, n)
    count = (hi - lo).reshape((-1,) + (1,) * (c.ndim - 1))
    out[edge] = (c[hi] - c[lo]) / count
    if rms and len(edge):
        out[edge] = np.sqrt(np.maximum(out[edge], 0.0))
    return out


def gravity_split(
    x: np.ndarray,
    fs: float,
    cutoff: float = 0.25,
    high: float = 40.0,
    order: int = 4,
    motion_highpass: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Split acceleration into gravity (low-pass at ``cutoff``) and dynamic motion.

    Dynamic motion is what is left below ``high`` (capped at 0.45·fs); with
    ``motion_highpass`` it is instead the band ``motion_highpass``-``high``, which
    keeps the slow tail of a tilt change (the low-pass's spread) out of it.

    Returns ``(gravity, dynamic)``, both shaped like ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 100.0
    >>> t = np.arange(3000) / fs
    >>> x = np.column_stack([0.05 * np.sin(2 * np.pi * 6 * t), 0 * t, 1 + 0 * t])
    >>> g, d = gravity_split(x, fs)
    >>> bool(abs(g[1000:2000, 2].mean() - 1) < 1e-3 and abs(d[1000:2000, 0]).max() > 0.045)
    True
    """
    gravity = lowpass(x, fs, cutoff, order=2)
    if motion_highpass:
        return gravity, bandpass(x, fs, motion_highpass, high, order=order)
    dynamic = x - gravity
    if high < 0.45 * fs:
        dynamic = lowpass(dynamic, fs, high, order=order)
    return gravity, dynamic


#: Length (s) of the sub-blocks whose means :func:`running_median` takes the median of.
MEDIAN_BLOCK_S = 0.1


def median_block(fs: float) -> int:
    """Samples per sub-block of :func:`running_median` (about ``MEDIAN_BLOCK_S``)."""
    return max(1, int(round(MEDIAN_BLOCK_S * fs)))


def running_median(x: np.ndarray, fs: float, window_s: float) -> np.ndarray:
    """Centred running median of each column over ``window_s`` seconds.

    A running median cancels oscillations with at least one period in the window and
    isolated transients shorter than half of it, while any monotone stretch (a tilt's
    ramp, a step) passes unchanged: the median of a monotone window is its centre sample.
    Applied to acceleration it follows the sensor's orientation through fast tilt changes
    that a low-pass spreads over seconds.

    Computed as the running median (an odd number of values; edges: the values
    available) of 0.2 s means taken every ~0.1 s (pairs of consecutive sub-block means,
    :func:`median_block`), linearly interpolated between their centres: ~15x cheaper
    than a per-sample running median, with the same three properties. A 0.2 s mean
    cancels 5 and 10 Hz and keeps an oscillation at half the sub-block rate from
    aliasing into alternating means that no median would cancel (measured residual of a
    3-12 Hz sine: <= 15 % of its amplitude, 0 % at 5 and 10 Hz; the per-sample median
    leaves <= 16 %); it spreads a step over 0.1 s each side (its 50 % point stays in
    place). Sub-blocks start at sample 0, so a slice that starts at a multiple of the
    sub-block gives the same values as the whole recording away from its ends.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 100.0
    >>> t = np.arange(1000) / fs
    >>> step = (t >= 5).astype(float)
    >>> x = (step + 0.1 * np.sin(2 * np.pi * 6 * t))[:, None]
    >>> m = running_median(x, fs, 1.0)[:, 0]
    >>> bool(abs(m[200:450]).max() < 0.02 and abs(m[550:800] - 1).max() < 0.02)
    True
    >>> int(np.argmax(m > 0.5)) in range(490, 511)
    True
    """
    x = np.asarray(x, dtype=float)
    shape = x.shape
    x2 = x.reshape(len(x), -1)
    n, k = x2.shape
    sub = median_block(fs)
    w = int(round(window_s * fs / sub)) // 2 * 2 + 1  # odd, in sub-blocks
    nb = n // sub
    if w < 3 or nb < w + 1:
        if n == 0:
            return np.array(x, copy=True)
        wn = max(1, int(round(window_s * fs)))
        med = pd.DataFrame(x2).rolling(wn, center=True, min_periods=1).median().to_numpy()
        return med.reshape(shape)
    # sub-block means (an averaging matrix: one BLAS call over (nb, sub * k) rows), then
    # 0.2 s means centred on the sub-block boundaries
    rows = x2[: nb * sub].reshape(nb, sub * k)
    means = rows @ (np.tile(np.eye(k), (sub, 1)) / sub)
    pairs = (means[:-1] + means[1:]) / 2  # centre of pair i: sample (i + 1) * sub - 0.5
    npair = nb - 1
    h = w // 2
    med = np.empty_like(pairs)
    if w >= _LONG_MEDIAN and not np.isnan(pairs).any():
        # a long window (the ECG floor's 10 s): each column's windows partially sorted as
        # contiguous rows; the edges' medians of 1..h fewer values at once
        for c in range(k):  # loop over columns
            v = np.partition(sliding_window_view(pairs[:, c], w), h, axis=1)
            med[h : npair - h, c] = v[:, h]
        med[:h] = _growing_medians(pairs[: 2 * h], h)
        med[npair - h :] = _growing_medians(pairs[::-1][: 2 * h], h)[::-1]
    else:
        if not np.isnan(pairs).any():
            # interior: scipy's running order statistic per column (the same values as a
            # partial sort of each window; ~25 % faster than the stacked windows below)
            from scipy import ndimage

            for c in range(k):  # loop over columns
                col = np.ascontiguousarray(pairs[:, c])
                med[h : npair - h, c] = ndimage.rank_filter(col, h, size=w)[h : npair - h]
        else:
            # each window's w values copied to a contiguous row (m, k, w), partially sorted
            # along it (NaN last, as np.median's partition)
            stack = sliding_window_view(pairs, w, axis=0).copy()
            stack.partition(h, axis=2)  # in place
            med[h : npair - h] = stack[:, :, h]
            del stack
        for i in range(h):  # the edges: the values available (h rows at each end)
            med[i] = np.median(pairs[: i + h + 1], axis=0)
            med[npair - 1 - i] = np.median(pairs[npair - 1 - i - h :], axis=0)
    # block j lies between the centres of pairs j - 1 and j: linear between them, held
    # before the first centre and after the last
    v = np.concatenate([med[:1], med, med[-1:]])  # (nb + 1, k): v[j] = med[j - 1]
    frac = (np.arange(sub) + 0.5) / sub
    out = np.empty((n, k))
    _interpolate_blocks(v, frac, out[: nb * sub].reshape(nb, sub, k))
    out[nb * sub :] = med[-1]
    return out.reshape(shape)


def _interpolate_blocks(v: np.ndarray, frac: np.ndarray, out: np.ndarray) -> None:
    """``out[j, s] = frac[s] * (v[j + 1] - v[j]) + v[j]`` for ``v`` (nb + 1, k) into ``out``
    (nb, sub, k), C-ordered: each value's product rounded, then the sum (no fused
    multiply-add).

    Finite values: one matrix product ``[v[j + 1] - v[j], v[j]] @ P`` (nb, 2 k) x (2 k,
    sub k), whose only non-zero terms per output are ``frac[s] * step`` (first, the
    accumulation starting from it) and ``1 * v[j]``: its other terms are exact zeros, so
    the result is the same bits as the elementwise formula, in one pass writing rows of
    ``sub * k`` values (~2x faster than the outer product and sum over these short axes).
    (The test suite checks it against the elementwise formula.) Otherwise (NaN or
    infinities, where ``0 * x`` is not 0): the elementwise formula.
    """
    nb, sub, k = out.shape
    step = v[1:] - v[:-1]
    a = np.concatenate([step, v[:-1]], axis=1)  # (nb, 2 k)
    if out.flags.c_contiguous and np.isfinite(a).all():
        p = np.zeros((2 * k, sub, k))
        idx = np.arange(k)
        p[idx, :, idx] = frac[None, :]  # frac[s] * step[j, c] -> out[j, s, c]
        p[k + idx, :, idx] = 1.0  # v[j, c] -> out[j, s, c]
        np.matmul(a, p.reshape(2 * k, sub * k), out=out.reshape(nb, sub * k))
        return
    # frac x step as an einsum outer product (the same products; a broadcast multiply
    # over these short inner axes is ~2x slower)
    np.einsum("s,jk->jsk", frac, step, out=out)
    out += v[:-1, None, :]


#: Windows (values) from which :func:`running_median` sorts rows, not a stacked axis.
_LONG_MEDIAN = 33


def _growing_medians(a: np.ndarray, h: int) -> np.ndarray:
    """``np.median(a[: i + h + 1], axis=0)`` for ``i`` in ``range(h)``, at once (no NaN).

    Each prefix is padded with +inf to ``2 h`` values and sorted; the median of ``L``
    values is the middle one, or the mean of the two middle ones (as ``np.median``).
    """
    lens = np.arange(h) + h + 1
    pad = np.where(
        np.arange(2 * h)[None, :, None] < lens[:, None, None], a[None, : 2 * h, :], np.inf
    )
    pad.sort(axis=1)
    rows = np.arange(h)
    lo = pad[rows, (lens - 1) // 2]
    hi = pad[rows, lens // 2]
    return np.where((lens % 2 == 1)[:, None], lo, (lo + hi) / 2)


def vector_magnitude(x: np.ndarray) -> np.ndarray:
    """Euclidean norm over the last axis (the three axes of a sensor)."""
    return np.sqrt(np.einsum("...i,...i->...", x, x))


def tilt_angle(gravity: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """Angle in degrees between the gravity vector and a reference direction.

    Parameters
    ----------
    gravity : ndarray, shape (n_samples, 3)
        Low-passed acceleration (the gravity component).
    reference : ndarray, shape (3,), optional
        The neutral direction; by default the median gravity direction of the recording.

    Examples
    --------
    >>> import numpy as np
    >>> g = np.array([[0, 0, 1.0], [0, np.sin(np.radians(30)), np.cos(np.radians(30))]])
    >>> np.round(tilt_angle(g, reference=np.array([0, 0, 1.0])), 1)
    array([ 0., 30.])
    """
    unit = gravity / np.maximum(vector_magnitude(gravity), 1e-9)[:, None]
    if reference is None:
        reference = np.median(unit, axis=0)
    ref = np.asarray(reference, dtype=float)
    ref = ref / max(float(np.linalg.norm(ref)), 1e-9)
    return np.degrees(np.arccos(np.clip(unit @ ref, -1.0, 1.0)))


def clipping_mask(
    x: np.ndarray, level: float | None = None, top: np.ndarray | None = None
) -> np.ndarray:
    """True at samples that sit at the sensor's limit.

    With ``level`` given, a sample is clipped when ``|x| >= level``. Otherwise a
    sample is clipped when it equals the channel's maximum absolute value and the
    same value repeats in the neighbouring sample (a flat top at the ADC limit).
    ``top`` gives that maximum per channel when ``x`` is a window of a longer
    recording (2-D ``x`` only); by default it is ``x``'s own.
    """
    if level is not None:
        return ((x >= level) | (x <= -level)).any(axis=1)  # |x| >= level, without |x|
    if x.ndim != 2 or x.shape[0] == 0:
        a = np.abs(x)
        top = a.max(axis=0)
        at_top = (a >= top * 0.9999) & (top > 0)
        flat = np.zeros_like(at_top)
        flat[1:] |= at_top[1:] & at_top[:-1]
        flat[:-1] |= at_top[1:] & at_top[:-1]
        return flat.any(axis=1)
    n, k = x.shape
    wide, rest = _wide(x)
    if top is None:
        top = np.maximum(_colreduce(np.max, wide, rest, k), -_colreduce(np.min, wide, rest, k))
    thr = np.asarray(top, dtype=np.float64) * 0.9999
    thr[~(top > 0)] = np.nan  # a silent (or NaN) channel has no top: nothing compares true
    # (row, channel) pairs at the top, as indices into x.ravel(): few, unless the signal
    # sits at an ADC limit
    tw = np.tile(thr, wide.shape[1] // k)
    # only the rows of ``wide`` whose extremes reach the lowest threshold can hold one (two
    # fast row reductions instead of comparing every value; a row with NaN is compared too)
    low = float(np.nanmin(thr)) if np.isfinite(thr).any() else np.inf
    hi_row, lo_row = wide.max(axis=1), wide.min(axis=1)
    cand = np.flatnonzero((hi_row >= low) | (lo_row <= -low) | np.isnan(hi_row))
    sub = wide[cand]
    hit = np.flatnonzero(((sub >= tw) | (sub <= -tw)).ravel())
    width = wide.shape[1]
    at = cand[hit // width] * width + hit % width
    if len(rest):
        more = np.flatnonzero(((rest >= thr) | (rest <= -thr)).ravel())
        at = np.concatenate([at, more + wide.size])
    nxt = np.searchsorted(at, at + k)  # the same channel one row later, also at the top?
    ok = nxt < len(at)
    ok[ok] = at[nxt[ok]] == at[ok] + k
    rows = at[ok] // k
    flat = np.zeros(n, dtype=bool)
    flat[rows] = True
    flat[rows + 1] = True
    return flat


#: Rows folded into one row of :func:`_wide` (column reductions of an (n, 3) array are
#: ~50× slower along axis 0 than over a flat run of memory).
_FOLD = 256


def _wide(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A C-ordered (n, k) array as (n // _FOLD, _FOLD * k) rows (a view) and the rest rows."""
    x = np.ascontiguousarray(x)
    n0 = x.shape[0] - x.shape[0] % _FOLD
    return x[:n0].reshape(-1, _FOLD * x.shape[1]), x[n0:]


def _colreduce(f: Any, wide: np.ndarray, rest: np.ndarray, k: int) -> np.ndarray:
    """Per-channel ``np.max`` or ``np.min`` from :func:`_wide`'s pieces (NaN propagates)."""
    parts = [f(p, axis=0).reshape(-1, k) for p in (wide, rest) if len(p)]
    return f(np.concatenate(parts), axis=0)


@dataclass
class Preprocessed:
    """The cleaned signals the segmenter and the features work on.

    Attributes
    ----------
    fs : float
    sites : tuple of str
        Detection sites: EMG channels, or accelerometer sensors (``xyz`` triplets).
    signal : ndarray (n, n_sites)
        Cleaned signal per site: band-passed EMG, or dynamic vector magnitude (g).
    brief : ndarray (n, n_sites)
        Envelope for brief events. May be given as a function that computes it (as may
        ``oscill`` and ``lowband``): it is then computed on first access (EMG at
        ``min_muap_fs_hz`` or faster, whose brief events come from the MUAP detector,
        does not read it to segment).
    sustained : ndarray (n, n_sites)
        Envelope for sustained activity.
    oscill : ndarray (n, n_sites, k)
        Signal whose spectrum gives periodicity: the dynamic axes (accel) or the
        mean-removed rectified envelope (EMG), k components per site.
    gravity : ndarray (n, n_sensors, 3) or None
        Gravity vector per accelerometer sensor.
    gaps : ndarray (n,) bool
    clipped : ndarray (n,) bool
    orientation : ndarray (n, n_sensors, 3) or None
        Accelerometer orientation that keeps fast tilt changes sharp: the running median
        of the acceleration over ``AccelConfig.orientation_median_s`` (see
        :func:`running_median`); ``None`` when not computed.
    lowband : ndarray (n, n_sites) or None
        EMG: moving RMS (0.1 s) of the raw signal's low band (``EMGConfig.artefact_band_hz``,
        below the EMG high-pass), where motion artefacts live; ``None`` when not computed.
    ecg_beats : ndarray of int or None
        EMG with ``ecg_removal``: the R peaks found (:func:`ecg_beats`) and subtracted
        (empty: no heartbeat rhythm found, or the signal too short or slow to search:
        :func:`ecg_searchable`); ``None`` when ECG removal is off.
    """

    fs: float
    sites: tuple[str, ...]
    signal: np.ndarray
    brief: np.ndarray
    sustained: np.ndarray
    oscill: np.ndarray
    gravity: np.ndarray | None
    gaps: np.ndarray
    clipped: np.ndarray
    orientation: np.ndarray | None = None
    lowband: np.ndarray | None = None
    ecg_beats: np.ndarray | None = None

    def lowband_rows(self) -> np.ndarray | BlockRows | None:
        """:attr:`lowband`, as its per-block values (:class:`BlockRows`) when it has them
        and has not been read per sample (computed on first access, as ``lowband``)."""
        value = self._lowband  # type: ignore[attr-defined]
        if callable(value):
            value = value()
            self._lowband = value  # type: ignore[attr-defined]
        return value


def _lazy(name: str, doc: str) -> property:
    """A field that may be given as a function computing it: it is then computed on first
    access and kept (the dataclass's generated ``__init__`` assigns through the property)."""
    slot = f"_{name}"

    def get(self: Preprocessed) -> Any:
        value = getattr(self, slot)
        if callable(value):
            value = value()
            setattr(self, slot, value)
        if isinstance(value, BlockRows):
            value = value.expand()  # (the per-sample array, kept once read)
            setattr(self, slot, value)
        return value

    def set_(self: Preprocessed, value: Any) -> None:
        setattr(self, slot, value)

    return property(get, set_, doc=doc)


# EMG at ``min_muap_fs_hz`` or faster does not read ``brief`` to segment; a stream's first
# pass (the co-contraction scale) reads only ``sustained``
Preprocessed.brief = _lazy("brief", "Envelope for brief events.")  # type: ignore[assignment]
Preprocessed.oscill = _lazy("oscill", "Signal whose spectrum gives periodicity.")  # type: ignore[assignment]
Preprocessed.lowband = _lazy("lowband", "EMG low-band RMS (motion artefacts), or None.")  # type: ignore[assignment]


def _accel_groups(channels: tuple[str, ...]) -> list[list[int]]:
    """Channel indices per accelerometer sensor: triplets when possible, else single axes."""
    k = len(channels)
    if k % 3 == 0:
        return [[i, i + 1, i + 2] for i in range(0, k, 3)]
    return [[i] for i in range(k)]


def _site_name(names: list[str]) -> str:
    return "xyz" if [n.lower() for n in names] == ["x", "y", "z"] else "+".join(names)


def _writeable_base(a: np.ndarray) -> np.ndarray:
    """The writeable array a :class:`Recording`'s read-only view of it shows (the same
    memory, shape and strides), for a caller allowed to overwrite it; else ``a``."""
    b = a.base
    if (
        isinstance(b, np.ndarray)
        and b.flags.writeable
        and b.shape == a.shape
        and b.strides == a.strides
        and b.dtype == a.dtype
        and b.__array_interface__["data"][0] == a.__array_interface__["data"][0]
    ):
        return b
    return a


def preprocess(
    rec: Recording,
    config: EMGConfig | AccelConfig,
    clip_top: np.ndarray | None = None,
    calibration: Calibration | None = None,
    *,
    overwrite: bool = False,
) -> Preprocessed:
    """Clean a recording for its modality (the first stage of :func:`movement.score`).

    ``clip_top`` is the per-channel maximum ``|x|`` of the whole recording when ``rec``
    is a window of it (see :func:`clipping_mask`). ``calibration`` (accelerometry; see
    :mod:`movement.calibration`, fitted on the whole recording) is applied after the
    clipping mask, which is judged on the values as read. With ``overwrite``, a float64
    ``rec.data`` may be changed (EMG: its channels' medians are subtracted in place, no
    full-length copy): for a caller that does not read it after (a stream's window).
    """
    data = _writeable_base(rec.data) if overwrite else rec.data
    x, gaps = _fill_gaps(np.asarray(data, dtype=np.float64))
    # dropouts (runs of missing samples up to bridge_gap_s) stay filled and are not gaps
    gaps = unbridged(gaps, bridge_rows(getattr(config, "bridge_gap_s", None), rec.fs))
    clipped = clipping_mask(x, getattr(config, "clip_g", None), clip_top)
    if rec.modality == "emg":
        # x is this call's own when it is a new array (gaps filled, another dtype)
        own = (overwrite or not np.may_share_memory(x, data)) and x.flags.writeable
        return _preprocess_emg(x, rec.fs, rec.channels, config, gaps, clipped, own)  # type: ignore[arg-type]
    if calibration is not None:
        x = calibration.apply(x)  # a new array when applied (x may be rec.data itself)
    return _preprocess_accel(x, rec.fs, rec.channels, config, gaps, clipped)  # type: ignore[arg-type]


def _preprocess_emg(
    x: np.ndarray,
    fs: float,
    channels: tuple[str, ...],
    cfg: EMGConfig,
    gaps: np.ndarray,
    clipped: np.ndarray,
    own: bool = False,
) -> Preprocessed:
    """EMG's preprocessing; ``own``: ``x`` may be changed (centred in place)."""
    if own:
        x -= _median0(x)  # the same differences as below, no second full-length array
    else:
        x = x - _median0(x)
    beats = ecg_beats(x, fs) if cfg.ecg_removal else None
    # beats to subtract from the band-passed signal (no notch between): it is filtered into
    # the C-ordered array remove_ecg would otherwise copy it into (the same values; the
    # two were full-length arrays alive at once)
    rows_first = (
        beats is not None and not cfg.notch_hz and len(_ecg_spans(beats, x.shape[0], fs)) >= 3
    )
    y = bandpass(x, fs, cfg.band_low_hz, cfg.band_high_hz, cfg.filter_order, rows_first)
    if cfg.notch_hz:
        y = notch(y, fs, cfg.notch_hz, harmonics=cfg.notch_harmonics)
    if beats is not None and len(beats):
        y = remove_ecg(y, fs, beats, overwrite=True)  # y is this function's own
    if gaps.any():
        # no signal in a gap: exactly 0, not the filters' float residue of the fill (the
        # whitening's running spectra would otherwise whiten by that residue's colour)
        y[gaps] = 0.0
    # at least 5 samples: a 10 ms window is 2 samples on a 200 Hz armband
    brief = partial(_emg_brief, y, fs, max(cfg.brief_rms_s, 5 / fs), gaps)

    sustained = moving_rms(y, fs, cfg.sustained_rms_s)
    if gaps.any():
        sustained[gaps] = 0.0
    lo_hz, hi_hz = cfg.artefact_band_hz
    # motion artefacts: content below the EMG band (domain ref. section 3)
    low = (
        partial(_emg_lowband_rows, x, fs, lo_hz, hi_hz, gaps)
        if cfg.artefact_min_ratio > 0 and hi_hz < 0.45 * fs
        else None
    )
    # the brief envelope (TKEO + ~10 ms RMS), the periodicity envelope and the low band
    # are computed when first read: at min_muap_fs_hz or faster the MUAP detector finds
    # the brief events instead
    return Preprocessed(
        fs,
        tuple(channels),
        y,
        brief,
        sustained,
        partial(_emg_oscill, y, fs),
        None,
        gaps,
        clipped,
        lowband=low,
        ecg_beats=beats,
    )


def _emg_oscill(y: np.ndarray, fs: float) -> np.ndarray:
    """Periodicity of the activation: rectified EMG smoothed to < ~25 Hz, mean removed
    (n, n_sites, 1)."""
    # lowpass(np.abs(y), fs, min(25.0, 0.2 * fs), order=2), |y| taken a block at a time
    sos = signal.butter(2, _cap(min(25.0, 0.2 * fs), fs), btype="lowpass", fs=fs, output="sos")
    env = _sosfiltfilt(sos, y, absolute=True)
    env -= env.mean(axis=0)  # in place: the same differences, no second full-length array
    return env[:, :, None]


def _emg_lowband(
    x: np.ndarray, fs: float, lo_hz: float, hi_hz: float, gaps: np.ndarray
) -> np.ndarray:
    """Moving RMS (0.1 s) of the raw EMG's ``lo_hz``-``hi_hz`` band, 0 in gaps."""
    low = lowband_rms(x, fs, lo_hz, hi_hz, 0.1)
    if gaps.any():
        low[gaps] = 0.0
    return low


def _emg_lowband_rows(
    x: np.ndarray, fs: float, lo_hz: float, hi_hz: float, gaps: np.ndarray
) -> np.ndarray | BlockRows:
    """:func:`_emg_lowband`, as its per-block values (:class:`BlockRows`) where it has
    them and no gap sets samples to 0."""
    if gaps.any():
        return _emg_lowband(x, fs, lo_hz, hi_hz, gaps)
    return _lowband_rows(x, fs, lo_hz, hi_hz, 0.1)


def _emg_brief(y: np.ndarray, fs: float, window_s: float, gaps: np.ndarray) -> np.ndarray:
    """EMG brief envelope: moving RMS (``window_s``) of sqrt|TKEO| of ``y``, 0 in gaps."""
    te = tkeo(y)
    np.sqrt(np.abs(te, out=te), out=te)  # in place: no full-length temporaries
    out = moving_rms(te, fs, window_s)
    if gaps.any():
        out[gaps] = 0.0
    return out


def _preprocess_accel(
    x: np.ndarray,
    fs: float,
    channels: tuple[str, ...],
    cfg: AccelConfig,
    gaps: np.ndarray,
    clipped: np.ndarray,
) -> Preprocessed:
    groups = _accel_groups(channels)
    orient = None
    if cfg.orientation_median_s and all(len(g) == 3 for g in groups):
        orient = running_median(x, fs, cfg.orientation_median_s)
    if orient is not None:
        gravity = lowpass(x, fs, cfg.gravity_cutoff_hz, order=2, decimate=True)
        # the motion is what the orientation does not explain: no high-pass, whose
        # zero-phase ringing spreads a tilt's step, or a twitch's slow lobe, over
        # ~1/motion_highpass_hz before and after it
        if cfg.band_high_hz < 0.45 * fs:
            # lowpass(x - orient, ...), the difference taken block by block in the filter
            sos = signal.butter(
                cfg.filter_order, cfg.band_high_hz, btype="lowpass", fs=fs, output="sos"
            )
            dynamic = _sosfiltfilt(sos, x, minus=orient)
        else:
            dynamic = x - orient
    else:
        gravity, dynamic = gravity_split(
            x, fs, cfg.gravity_cutoff_hz, cfg.band_high_hz, cfg.filter_order, cfg.motion_highpass_hz
        )
    if len(groups) == 1 and len(groups[0]) == 3:
        # one xyz sensor: (n, 3) → (n, 1, 3) is a view (np.stack would copy the same layout)
        dyn = dynamic[:, None, :]
        mag = vector_magnitude(dyn)
        grav = gravity[:, None, :]
        ori = orient[:, None, :] if orient is not None else None
        sites = (_site_name(list(channels)),)
    elif all(len(g) == 3 for g in groups):
        dyn = np.stack([dynamic[:, g] for g in groups], axis=1)  # (n, sensors, 3)
        mag = vector_magnitude(dyn)
        grav = np.stack([gravity[:, g] for g in groups], axis=1)
        ori = np.stack([orient[:, g] for g in groups], axis=1) if orient is not None else None
        sites = tuple(_site_name([channels[i] for i in g]) for g in groups)
    else:
        dyn = dynamic[:, :, None]
        mag = np.abs(dynamic)
        grav = None
        ori = None
        sites = tuple(channels)
    # at least 5 samples: 0.1 s is 5 samples at 50 Hz, the rates above are unchanged.
    # Below, an RMS of 2 samples is no envelope (it broke every twitch into pieces: dev
    # seeds 700000+, 6 dB, fasciculation-like F1 0.65 at 24-25 Hz against 0.89-0.91 with
    # 3), and one of 3-4 samples of near-white noise (the band reaches 0.45 fs) has so
    # few degrees of freedom that its tail crosses the 6 dB margin on a still sensor:
    # 10 mg white noise gave 288 / 327 / 81 brief events per hour at 25 / 30 / 40 Hz with 3
    # samples, 30 / 18 / 12 with 5; simulated recordings (seeds 7000-7005, rules model)
    # fasciculation-like F1 at 6 dB 0.75 / 0.73 / 0.97 -> 0.97 / 0.94 / 1.00 and
    # confounder-only false alarms 202 / 164 / 40 -> 20 / 14 / 6 per hour
    brief_s = max(cfg.brief_rms_s, 5.0 / fs)
    brief, sustained = _moving_rms_many(mag, fs, (brief_s, cfg.sustained_rms_s))
    if gaps.any():
        for arr in (brief, sustained):
            arr[gaps] = 0.0
    return Preprocessed(fs, sites, mag, brief, sustained, dyn, grav, gaps, clipped, ori)


# --------------------------------------------------------------------------- ECG removal

#: Heart rates (beats/min) accepted as an ECG rhythm [S: ECG at 1-1.7 Hz, Drake & Callaghan
#: 2006; 40-150 bpm covers rest to light exercise].
ECG_BPM = (40.0, 150.0)
#: Low band (Hz) where the QRS complex dominates surface EMG at rest [S: Drake & Callaghan 2006].
ECG_BAND_HZ = (5.0, 40.0)
_ECG_RATIO = 16.0  # candidate beat: low-band energy >= 16x (12 dB) its 10 s running median [E]
_ECG_MEDIAN_S = 10.0
_ECG_FS = 400.0  # detection rate (Hz): block means
_ECG_MIN_CORR = 0.6  # a QRS correlates with its neighbours' average low-band waveform [E]
_ECG_RR_TOL = 0.25  # an interval within 25 % of the median of its 9 neighbours is on the rhythm
_ECG_MIN_CHAIN = 4  # a rhythm: >= 4 candidates in a row, each within a heart period (1.5 s) [E]
_ECG_HALF = 8  # template: mean of the 8 accepted beats either side (the beat itself excluded)
_ECG_SPAN_S = 6.0  # ... within 6 s: every estimate stays local (stream windows)
_ECG_PRE_S, _ECG_POST_S = 0.06, 0.10  # subtracted span around the R peak (QRS ~90 ms)
_ECG_OUTLIER = 2.0  # a beat whose residual energy exceeds 2x its 16 neighbours' lower quartile [E]
#: Seconds from a sample at which its ECG removal still depends on the signal (stream
#: margins): the running median, the candidates' correlation, the interval median (4
#: intervals), the first template, the residual median (8 beats), the final template.
ECG_REACH_S = _ECG_MEDIAN_S / 2 + 3 * _ECG_SPAN_S + (4 + _ECG_HALF) * 60.0 / ECG_BPM[0] + 1.0


def ecg_searchable(n: int, fs: float) -> bool:
    """Whether :func:`ecg_beats` searches a signal of ``n`` samples at ``fs`` Hz: at least
    160 Hz (4 x the top of the QRS band) and 40 s (4 x the 10 s running median of the
    QRS energy, its noise floor).

    Examples
    --------
    >>> ecg_searchable(2000 * 60, 2000.0), ecg_searchable(2000 * 39, 2000.0), ecg_searchable(6000, 100.0)
    (True, False, False)
    """
    return fs >= 4 * ECG_BAND_HZ[1] and n >= int(4 * _ECG_MEDIAN_S * fs)


def ecg_beats(x: np.ndarray, fs: float) -> np.ndarray:
    """Sample indices of R peaks of an ECG rhythm found in (raw) surface EMG.

    The signal is averaged down to ~400 Hz, band-passed to :data:`ECG_BAND_HZ` (where the
    QRS dominates surface EMG at rest), squared and summed over channels (the QRS polarity
    differs between channels) and smoothed over 20 ms. Candidates are peaks at least
    60/150 s apart and 12 dB above the 10 s running median of that energy whose low-band
    waveform (+-50 ms, all channels) correlates (>= 0.6) with the mean of the candidates
    within 6 s (at most 8 either side): a QRS repeats, EMG bursts, tremor and artefacts do
    not. A candidate is a beat only if one of its two intervals is a heart period (40-150
    beats/min) within 25 % of the median of the 9 intervals around it, so a twitch between
    two beats breaks no rhythm. Every estimate is local (within :data:`ECG_REACH_S`), so
    stream windows find the same beats; recordings shorter than 40 s or sampled below
    160 Hz give none.

    Parameters
    ----------
    x : ndarray (n,) or (n, n_channels)
    fs : float

    Returns
    -------
    ndarray of int
        R-peak indices (empty when no rhythm is found or ``fs`` is too low).
    """
    x2 = np.asarray(x, dtype=float).reshape(len(x), -1)
    none = np.zeros(0, dtype=np.int64)
    if not ecg_searchable(len(x2), fs):
        return none
    # block means down to >= 400 Hz: the QRS band needs no more, and filtering is 5x cheaper
    q = max(1, int(fs // _ECG_FS))
    nq = len(x2) // q
    k = x2.shape[1]
    # an averaging matrix: one BLAS call (a strided mean over the block axis is 5x slower)
    xd = x2[: nq * q].reshape(nq, q * k) @ (np.tile(np.eye(k), (q, 1)) / q) if q > 1 else x2
    fd = fs / q
    low = bandpass(xd, fd, ECG_BAND_HZ[0], ECG_BAND_HZ[1], 2)
    energy = np.einsum("ij,ij->i", low, low)
    w = max(1, int(round(0.02 * fd)))
    env = _moving_mean(energy, w) if w > 1 else energy
    floor = running_median(env[:, None], fd, _ECG_MEDIAN_S)[:, 0]
    peaks, _ = signal.find_peaks(
        env - _ECG_RATIO * floor, height=0.0, distance=max(1, int(60.0 / ECG_BPM[1] * fd))
    )
    half = int(round(0.05 * fd))
    peaks = peaks[(peaks >= half) & (peaks + half < nq)]
    if len(peaks) < 4:
        return none
    # shape: a QRS repeats; EMG bursts and artefacts do not (correlation with the mean of
    # the neighbouring candidates' low-band waveforms)
    seg = low[peaks[:, None] + np.arange(-half, half + 1)[None, :]]  # (np, L, k)
    seg = seg.reshape(len(seg), -1)
    ref = _neighbour_mean(seg, peaks / fd, _ECG_HALF, _ECG_SPAN_S)
    num = np.einsum("ij,ij->i", seg, ref)
    den = np.sqrt(np.einsum("ij,ij->i", seg, seg) * np.einsum("ij,ij->i", ref, ref)) + 1e-300
    ok = num / den >= _ECG_MIN_CORR
    peaks, seg, ref = peaks[ok], seg[ok], ref[ok]
    if len(peaks) < 4:
        return none
    # sub-sample timing from the low band (where the QRS dominates): the lag (+-1 sample)
    # of the best correlation with the neighbours' mean, refined by a parabola
    L = 2 * half + 1
    seg3, ref3 = seg.reshape(len(seg), L, -1), ref.reshape(len(ref), L, -1)
    xc = np.stack(
        [
            np.einsum("blk,blk->b", seg3[:, 1 + d : L - 1 + d], ref3[:, 1 : L - 1])
            for d in (-1, 0, 1)
        ]
    )
    curv = xc[0] - 2 * xc[1] + xc[2]
    frac = np.where(curv < 0, 0.5 * (xc[0] - xc[2]) / np.where(curv < 0, curv, -1.0), 0.0)
    frac = np.clip(frac, -1.0, 1.0)
    rr = np.diff(peaks) / fd
    med = _chain_median(rr, 4, 60.0 / ECG_BPM[0])
    good = (
        (rr >= 60.0 / ECG_BPM[1])
        & (rr <= 60.0 / ECG_BPM[0])
        & (np.abs(rr - med) <= _ECG_RR_TOL * med)
    )
    keep = np.zeros(len(peaks), dtype=bool)
    keep[:-1] |= good
    keep[1:] |= good
    # a rhythm: at least _ECG_MIN_CHAIN candidates in a row at most a heart period apart
    # (a pair of similar twitches is not one; a local rule, as every other here)
    chain = np.cumsum(np.concatenate([[0], rr > 60.0 / ECG_BPM[0]]))
    keep &= np.bincount(chain)[chain] >= _ECG_MIN_CHAIN
    t = (peaks[keep] + frac[keep]) * q + (q - 1) / 2  # block i is centred on i*q + (q-1)/2
    return np.round(t).astype(np.int64)


def _chain_median(rr: np.ndarray, h: int, longest: float) -> np.ndarray:
    """Per interval, the median of the ``2 h + 1`` intervals around it (fewer at the ends)
    that belong to the same chain: intervals of at most ``longest`` seconds in a row (a
    longer one is no heart period and ends the chain). Neighbours are then never more
    than ``(h + 1) * longest`` seconds away, so the result is local in time (stream
    windows see the same); an interval longer than ``longest`` is its own median."""
    m = len(rr)
    if m == 0:
        return rr.copy()
    chain = np.cumsum(np.concatenate([[0], rr[:-1] > longest])) + (rr > longest) * 0.5
    pad_v = np.pad(rr, h, constant_values=np.nan)
    pad_c = np.pad(chain, h, constant_values=-1.0)
    win = np.lib.stride_tricks.sliding_window_view(pad_v, 2 * h + 1).copy()
    same = np.lib.stride_tricks.sliding_window_view(pad_c, 2 * h + 1) == chain[:, None]
    win[~same] = np.nan
    return np.nanmedian(win, axis=1)


def _neighbour_mean(
    a: np.ndarray, t: np.ndarray, h: int, span: float, w: np.ndarray | None = None
) -> np.ndarray:
    """Mean of the rows of ``a`` at most ``h`` rows and ``span`` (units of ``t``) either side
    of each row, the row itself excluded (zero when there is none); ``w``: row weights."""
    wa = a if w is None else a * w.reshape((-1,) + (1,) * (a.ndim - 1))
    ww = np.ones(len(a)) if w is None else np.asarray(w, dtype=float)
    c = np.concatenate([np.zeros((1,) + a.shape[1:]), np.cumsum(wa, axis=0)])
    cw = np.concatenate([[0.0], np.cumsum(ww)])
    i = np.arange(len(a))
    lo = np.maximum(np.searchsorted(t, t - span, side="left"), i - h)
    hi = np.minimum(np.searchsorted(t, t + span, side="right"), i + h + 1)
    tot = c[hi] - c[lo] - wa
    cnt = cw[hi] - cw[lo] - ww
    return (
        tot
        / np.maximum(1e-12, cnt).reshape((-1,) + (1,) * (a.ndim - 1))
        * (cnt > 0.5).reshape((-1,) + (1,) * (a.ndim - 1))
    )


def _ecg_spans(beats: np.ndarray, n: int, fs: float) -> np.ndarray:
    """The beats whose template span (:func:`remove_ecg`) lies whole in ``n`` samples."""
    pre, post = int(round(_ECG_PRE_S * fs)), int(round(_ECG_POST_S * fs))
    return beats[(beats - pre >= 0) & (beats + post < n)]


def remove_ecg(y: np.ndarray, fs: float, beats: np.ndarray, overwrite: bool = False) -> np.ndarray:
    """Subtract a local average beat from band-passed EMG ``y`` at each R peak.

    Each beat's template is the mean of the beats within 6 s (at most 8 on either side; not
    the beat itself, so a twitch that falls on a beat is kept whole), over 60 ms before to
    100 ms after the R peak, tapered at both ends. Beats holding something else (a twitch,
    a knock, a burst: residual energy above twice the lower quartile of their neighbours')
    are left out of the others' templates. The template is scaled by a Wiener gain
    ``1 - (noise left in the template) / (template energy)`` (0 when the residue is at the
    noise level, so a weak ECG costs no noise). The R peaks come from :func:`ecg_beats`,
    timed on the low band: the beats are not re-aligned on ``y``, which would fit its
    noise. Per-beat numpy, no per-sample loops. Template subtraction [S: Drake & Callaghan
    2006].

    Returns ``y`` itself when there are fewer than 3 beats. With ``overwrite``, a
    C-ordered ``y`` is changed in place (no copy; the result is then ``y``'s data).
    """
    y2 = y.reshape(len(y), -1)
    pre, post = int(round(_ECG_PRE_S * fs)), int(round(_ECG_POST_S * fs))
    idx = _ecg_spans(beats, len(y2), fs)
    if len(idx) < 3:
        return y
    seg = y2[idx[:, None] + np.arange(-pre, post)[None, :]]  # (nb, L, k)
    t = idx / fs
    tmpl = _neighbour_mean(seg, t, _ECG_HALF, _ECG_SPAN_S)
    # beats holding something else leave a residual far above their neighbours': they are
    # left out of the others' templates, which would otherwise copy 1/16 of it onto them
    res = np.einsum("blk,blk->b", seg - tmpl, seg - tmpl)
    # the lower quartile over the 8 beats either side, of those within 12 s (8 periods of
    # the slowest heart rate): the nearest of them stands in for any further, as the end
    # beat does at the recording's ends (across a pause in the rhythm the 8th beat can lie
    # minutes away, beyond what a stream window holds)
    reach = _ECG_HALF * 60.0 / ECG_BPM[0]
    first = np.searchsorted(t, t - reach, side="left")
    last = np.searchsorted(t, t + reach, side="right") - 1
    j = np.arange(len(idx))[:, None] + np.arange(-_ECG_HALF, _ECG_HALF + 1)
    typical = np.quantile(res[np.clip(j, first[:, None], last[:, None])], 0.25, axis=1)
    clean = (res <= _ECG_OUTLIER * typical).astype(float)
    tmpl = _neighbour_mean(seg, t, _ECG_HALF, _ECG_SPAN_S, clean)
    # clean neighbours per beat (the weights' sum)
    cw = np.concatenate([[0.0], np.cumsum(clean)])
    i = np.arange(len(idx))
    lo = np.maximum(np.searchsorted(t, t - _ECG_SPAN_S, side="left"), i - _ECG_HALF)
    hi = np.minimum(np.searchsorted(t, t + _ECG_SPAN_S, side="right"), i + _ECG_HALF + 1)
    count = cw[hi] - cw[lo] - clean
    energy = np.einsum("blk,blk->b", tmpl, tmpl)
    noise = typical / np.maximum(count, 1.0)  # a segment's noise energy / beats averaged
    gain = np.clip(1.0 - noise / np.maximum(energy, 1e-300), 0.0, 1.0) * (count > 0)
    tmpl *= gain[:, None, None] * signal.windows.tukey(pre + post, 0.3)[None, :, None]
    out = y2 if overwrite and y2.flags.c_contiguous else y2.copy()
    pos = (idx[:, None] + np.arange(-pre, post)[None, :]).ravel()
    out[pos] -= tmpl.reshape(-1, y2.shape[1])  # spans < the shortest heart period: no overlap
    return out.reshape(y.shape)
