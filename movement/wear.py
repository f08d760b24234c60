"""Non-wear: stretches where a wrist or body accelerometer was not worn.

A device lying on a table shows gravity and its own noise only; a worn one moves, even in
sleep, within the hour. The rule follows van Hees et al. (2013, PLoS ONE 8(4): e61691) as
GGIR applies it by default (``detect_nonwear_clipping``: 15 min blocks, 60 min windows,
``sdcriter = 0.013`` g, ``racriter = 0.05`` g, ``wearthreshold = 2`` axes): a window of
``nonwear_window_s`` (60 min), stepped by ``nonwear_step_s`` (15 min), is non-wear when on
at least ``nonwear_min_axes`` (2) axes the standard deviation is below ``nonwear_sd_g``
(13 mg) and the range (max - min) below ``nonwear_range_g`` (50 mg); every block of a
non-wear window is non-wear. Missing samples (NaN) are left out of the statistics.

The statistics are kept per block (count, sum, sum of squares, min, max per axis), so a
long recording read in chunks (:class:`BlockStats`, ``movement.stream``) gives the same
blocks as the whole array (:func:`block_stats`) and the same non-wear.

What is done with it (:func:`movement.pipeline.score`, ``movement.stream.score_stream``):
an event that overlaps non-wear is flagged for review, the time not worn is reported
(``events.attrs["nonwear_s"]``, ``summary.tsv``'s ``nonwear_s``). Nothing is removed: a
very still hour of sleep can meet the same rule.
"""

from __future__ import annotations

import numpy as np

from .config import AccelConfig

__all__ = ["BlockStats", "block_stats", "nonwear_blocks", "nonwear_runs", "nonwear_of_stats"]


def _block_len(fs: float, cfg: AccelConfig) -> int:
    return max(1, int(round(cfg.nonwear_step_s * fs)))


def block_stats(x: np.ndarray, b: int, xt: np.ndarray | None = None) -> np.ndarray:
    """Per block of ``b`` rows of ``x`` (n, k): count, sum, sum of squares, min and max of
    each column, NaN left out; a last partial block too. Returns (n_blocks, 5, k).

    Each block's values depend on its own rows only (the same whoever cuts the rows into
    chunks: :class:`BlockStats`). ``xt``, if given, is ``x`` transposed, channels-first and
    float64, each channel's rows contiguous (``np.ascontiguousarray(x.T)``): its blocks are
    reduced as they lie, without a transposed copy of their own.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1.0], [3.0], [np.nan], [5.0], [7.0]])
    >>> block_stats(x, 2)[:, :, 0].tolist()
    [[2.0, 4.0, 10.0, 1.0, 3.0], [1.0, 5.0, 25.0, 5.0, 5.0], [1.0, 7.0, 49.0, 7.0, 7.0]]
    """
    x = np.asarray(x)
    n, k = x.shape
    nb, rest = divmod(n, b)
    out = np.empty((nb + (rest > 0), 5, k))
    step = max(1, (1 << 20) // max(1, b * k))  # blocks per piece: ~8 MB transposed
    if xt is not None:
        step = max(1, nb)  # (the transposed rows exist already: one piece)
    for j in range(0, nb, step):  # loop over pieces of whole blocks (bounded temporaries)
        j1 = min(nb, j + step)
        piece = None if xt is None else xt[:, j * b : j1 * b]
        _fill(x[j * b : j1 * b], b, out[j:j1], piece)
    if rest:
        _fill(x[nb * b :], rest, out[nb:], None if xt is None else xt[:, nb * b :])
    return out


def _fill(
    x: np.ndarray, b: int, out: np.ndarray, xt: np.ndarray | None = None, extremes: bool = True
) -> None:
    """``out[:, 0..4]`` = count, sum, sum of squares, min, max of each block of ``b`` rows
    of ``x`` (whole blocks), per column (``xt``: ``x`` channels-first, as in
    :func:`block_stats`; without ``extremes``, ``out[:, 3:]`` is left to the caller)."""
    k = x.shape[1]
    # channels first, each block contiguous: reductions along the last axis (fast); each
    # block's values are reduced from its own contiguous rows, whatever array holds them
    if xt is None:
        xt = np.ascontiguousarray(x.T, dtype=np.float64)
    xt = xt.reshape(k, -1, b)
    s1 = xt.sum(axis=2)
    bad = np.isnan(s1)  # blocks with a missing sample: NaN-aware, only those
    out[:, 0] = b
    out[:, 1] = s1.T
    out[:, 2] = np.einsum("ijk,ijk->ij", xt, xt).T
    if extremes:
        out[:, 3] = xt.min(axis=2).T
        out[:, 4] = xt.max(axis=2).T
    if bad.any():
        for c, j in zip(*np.nonzero(bad), strict=True):  # loop over blocks with gaps
            v = xt[c, j]
            ok = v[~np.isnan(v)]
            out[j, 0, c] = ok.size
            out[j, 1, c] = ok.sum()
            out[j, 2, c] = np.dot(ok, ok)
            if extremes:
                out[j, 3, c] = ok.min() if ok.size else np.nan
                out[j, 4, c] = ok.max() if ok.size else np.nan


def block_stats_pair(
    x: np.ndarray, b: int, r: int, xt: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`block_stats` of ``x`` for blocks of ``b`` rows and for blocks of ``r * b``
    rows (``x`` holds whole blocks of ``r * b`` rows): the same values as two calls.

    One channels-first copy of ``x`` (or ``xt``, as in :func:`block_stats`) serves both;
    the long blocks' minima and maxima are those of their ``r`` short blocks (NaN left
    out, as there: the same samples, so the same values; only the sign of a zero
    extreme may differ, which no comparison sees), their counts, sums and sums of
    squares are reduced from their own rows as :func:`block_stats` does.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(600, 2))
    >>> x[10:20, 1] = np.nan
    >>> short, long = block_stats_pair(x, 50, 3)
    >>> bool(np.array_equal(short, block_stats(x, 50), equal_nan=True))
    True
    >>> bool(np.array_equal(long, block_stats(x, 150), equal_nan=True))
    True
    """
    n, k = x.shape
    nb = n // (r * b)
    if n != nb * r * b:
        raise ValueError(f"{n} rows are not whole blocks of {r} x {b} rows")
    if xt is None:
        xt = np.ascontiguousarray(x.T, dtype=np.float64)
    short = block_stats(x, b, xt)
    long = np.empty((nb, 5, k))
    _fill(x, r * b, long, xt, extremes=False)
    per = short.reshape(nb, r, 5, k)
    long[:, 3] = np.fmin.reduce(per[:, :, 3], axis=1)
    long[:, 4] = np.fmax.reduce(per[:, :, 4], axis=1)
    return short, long


class BlockStats:
    """:func:`block_stats` of rows given in consecutive chunks (the same blocks, the same
    values: every block is reduced from its own rows, whole).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(1000, 3))
    >>> acc = BlockStats(64, 3)
    >>> for a in range(0, 1000, 300):
    ...     acc.add(x[a : a + 300])
    >>> bool(np.array_equal(acc.result(), block_stats(x, 64)))
    True
    """

    def __init__(self, b: int, k: int) -> None:
        self.b, self.k = int(b), int(k)
        self._parts: list[np.ndarray] = []
        self._carry = np.empty((0, k))

    def add(self, c: np.ndarray) -> None:
        """The next rows."""
        if self._carry.shape[0]:
            c = np.concatenate([self._carry, c])
        whole = (c.shape[0] // self.b) * self.b
        if whole:
            self._parts.append(block_stats(c[:whole], self.b))
        self._carry = np.array(c[whole:], dtype=np.float64)

    def add_blocks(self, stats: np.ndarray) -> None:
        """The next rows, as the statistics of their whole blocks (computed elsewhere, as
        :func:`block_stats` does); no rows may be carried over from before."""
        if self._carry.shape[0]:
            raise ValueError("rows are carried over: add them as rows")
        self._parts.append(stats)

    def skip(self, m: int) -> None:
        """``m`` missing rows (as ``m`` rows of NaN, without making them)."""
        b, k = self.b, self.k
        fill = min(m, (-self._carry.shape[0]) % b) if self._carry.shape[0] else 0
        if fill:
            self.add(np.full((fill, k), np.nan))
            m -= fill
        nb, rest = divmod(m, b)
        if nb:
            empty = np.zeros((nb, 5, k))
            empty[:, 3:] = np.nan  # no sample: count 0, no min or max
            self._parts.append(empty)
        if rest:
            self.add(np.full((rest, k), np.nan))

    def result(self) -> np.ndarray:
        """The blocks so far (the rows left over as a last partial block)."""
        parts = list(self._parts)
        if self._carry.shape[0]:
            parts.append(block_stats(self._carry, self.b))
        return np.concatenate(parts) if parts else np.empty((0, 5, self.k))


def nonwear_blocks(
    stats: np.ndarray, fs: float, cfg: AccelConfig, scale: float = 1.0
) -> np.ndarray:
    """Which blocks of :func:`block_stats` are non-wear (bool, one per block).

    ``scale`` multiplies the values (a unit factor applied after the statistics were
    taken). A window is the ``nonwear_window_s / nonwear_step_s`` blocks from one block on;
    blocks with no sample and a recording shorter than a window are never non-wear.
    """
    nb = stats.shape[0]
    flag = np.zeros(nb, dtype=bool)
    if cfg.nonwear_window_s is None:
        return flag
    w = max(1, int(round(cfg.nonwear_window_s / cfg.nonwear_step_s)))
    if nb < w:
        return flag
    # the windows' sums of the blocks' statistics (counts, sums, squares; min, max)
    c = np.cumsum(np.concatenate([np.zeros((1, 3, stats.shape[2])), stats[:, :3]]), axis=0)
    tot = c[w:] - c[:-w]  # (nb - w + 1, 3, k)
    cnt = tot[:, 0]
    from numpy.lib.stride_tricks import sliding_window_view

    lo = np.fmin.reduce(sliding_window_view(stats[:, 3], w, axis=0), axis=-1)
    hi = np.fmax.reduce(sliding_window_view(stats[:, 4], w, axis=0), axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = tot[:, 1] / cnt
        var = np.maximum(tot[:, 2] / cnt - mean * mean, 0.0)
        sd = np.sqrt(var * cnt / np.maximum(cnt - 1, 1)) * abs(scale)
        rng = (hi - lo) * abs(scale)
    still = (sd < cfg.nonwear_sd_g) & (rng < cfg.nonwear_range_g) & (cnt > 1)
    axes = min(cfg.nonwear_min_axes, stats.shape[2])
    win = still.sum(axis=1) >= axes
    # every block of a non-wear window
    for i in range(w):  # loop over the few block offsets of a window
        flag[i : i + len(win)] |= win
    return flag


def nonwear_of_stats(
    stats: np.ndarray, n: int, fs: float, cfg: AccelConfig, scale: float = 1.0
) -> np.ndarray:
    """[start, stop) sample runs of non-wear from :func:`block_stats` of ``n`` samples."""
    from .segment import mask_to_runs

    if cfg.nonwear_window_s is None or not len(stats):
        return np.zeros((0, 2), dtype=np.int64)
    b = _block_len(fs, cfg)
    runs = mask_to_runs(nonwear_blocks(stats, fs, cfg, scale)) * b
    return np.minimum(runs, n).astype(np.int64)


def nonwear_runs(x: np.ndarray, fs: float, cfg: AccelConfig) -> np.ndarray:
    """[start, stop) sample runs where the accelerometer ``x`` (n, axes; g) was not worn.

    Examples
    --------
    >>> import numpy as np
    >>> from movement.config import AccelConfig
    >>> fs = 10.0
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(0, 0.05, (int(4 * 3600 * fs), 3))   # worn: moving
    >>> x[int(3600 * fs) : int(6300 * fs)] = rng.normal(0, 0.002, (int(2700 * fs), 3))
    >>> (nonwear_runs(x, fs, AccelConfig(nonwear_window_s=1800.0)) / fs).tolist()
    [[3600.0, 6300.0]]
    """
    if cfg.nonwear_window_s is None:
        return np.zeros((0, 2), dtype=np.int64)
    return nonwear_of_stats(block_stats(x, _block_len(fs, cfg)), x.shape[0], fs, cfg)


def intersect_runs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The intersection of two sets of sorted, disjoint [start, stop) runs.

    Examples
    --------
    >>> import numpy as np
    >>> intersect_runs(np.array([[0, 10], [20, 30]]), np.array([[5, 25]])).tolist()
    [[5, 10], [20, 25]]
    """
    a = np.asarray(a, dtype=np.int64).reshape(-1, 2)
    b = np.asarray(b, dtype=np.int64).reshape(-1, 2)
    if not len(a) or not len(b):
        return np.zeros((0, 2), dtype=np.int64)
    lo = np.maximum(a[:, None, 0], b[None, :, 0])
    hi = np.minimum(a[:, None, 1], b[None, :, 1])
    keep = hi > lo
    out = np.stack([lo[keep], hi[keep]], axis=1)
    return out[np.argsort(out[:, 0], kind="stable")]


def flag_nonwear(
    events: object,
    runs: np.ndarray,
    fs: float,
    cfg: AccelConfig,
    duration_s: float | None = None,
) -> None:
    """Flag the events (a :func:`movement.score` table) that overlap the non-wear ``runs``
    (samples) for review, and record the time not worn in ``events.attrs``:
    ``nonwear_s`` and ``nonwear`` (``[onset, duration]`` s per stretch).

    A recording of ``duration_s`` shorter than one window is not judged: both are None
    (``n/a`` in ``summary.tsv``, not 0 s) and ``attrs["notes"]["nonwear"]`` says why."""
    import pandas as pd

    assert isinstance(events, pd.DataFrame)
    window = cfg.nonwear_window_s
    if window is not None and duration_s is not None and duration_s < window:
        events.attrs["nonwear_s"] = None
        events.attrs["nonwear"] = None
        notes = dict(events.attrs.get("notes") or {})
        notes["nonwear"] = (
            f"not judged: the recording ({duration_s / 60:.1f} min) is shorter than one "
            f"{window / 60:g} min window (accel.nonwear_window_s)"
        )
        events.attrs["notes"] = notes
        return
    runs = np.asarray(runs, dtype=np.int64).reshape(-1, 2)
    total = float((runs[:, 1] - runs[:, 0]).sum() / fs)
    events.attrs["nonwear_s"] = total
    events.attrs["nonwear"] = [[a / fs, (b - a) / fs] for a, b in runs.tolist()]
    if not len(runs) or not len(events):
        hit = np.zeros(len(events), dtype=bool)
    else:
        on = events["onset"].to_numpy(float)
        off = on + events["duration"].to_numpy(float)
        lo, hi = runs[:, 0] / fs, runs[:, 1] / fs
        # the first stretch ending after each onset: the event overlaps it if it starts first
        j = np.searchsorted(hi, on, side="right")
        hit = (j < len(runs)) & (lo[np.minimum(j, len(runs) - 1)] < off)
    if hit.any():
        reason = events["reason"].to_numpy(object).copy()
        for i in np.flatnonzero(hit):  # loop over the few flagged events
            r = str(reason[i])
            reason[i] = (
                r + ("; " if " | review: " in r else " | review: ") + "during detected non-wear"
            )
        events["reason"] = reason
        events["review"] = events["review"].to_numpy(bool) | hit
    if len(runs):
        notes = dict(events.attrs.get("notes") or {})
        notes["nonwear"] = (
            f"{total:.0f} s in {len(runs)} stretch(es) not worn (still for "
            f">= {cfg.nonwear_window_s:g} s on {cfg.nonwear_min_axes} axes: SD < "
            f"{cfg.nonwear_sd_g:g} g, range < {cfg.nonwear_range_g:g} g); {int(hit.sum())} "
            "event(s) in them flagged for review"
        )
        events.attrs["notes"] = notes
