"""Write an HTML review page per scored recording (``movement report``).

Each page is one self-contained file: inline CSS and JavaScript, plots embedded
as base64 PNG (matplotlib, Agg canvas), no server and no network. It shows the
recording's provenance, a per-recording summary, a timeline with the events
coloured by class, a sortable and filterable table of the events, a plot of
each event (review-flagged events first, up to ``max_event_plots``) with its
features and the reason for its label, and review controls whose decisions are
downloaded as ``<stem>_decisions.tsv`` (read back with
:func:`movement.review.read_decisions`).

:func:`write_report` draws the page from a recording held in memory;
:func:`write_report_stream` draws the same page from a long file window by window (the
windows of :func:`movement.stream.score_stream`), in memory that does not grow with the
recording's length: the timeline from per-pixel maxima (:class:`_TimelineBins`), each
event's plot from the window whose core holds its onset.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import json
import math
import os
import re
import sys
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._atomic import atomic_path
from ._callable import callable_module  # noqa: E402
from ._version import __version__
from .classify import CLASSES
from .config import AccelConfig, EMGConfig, Settings
from .errors import MissingExtraError, MovementError
from .features import FEATURES
from .output import COLUMN_DESCRIPTIONS
from .recording import Recording

__all__ = [
    "PALETTE",
    "TREMOR_BAND_RATIO_HIGH",
    "report_summary",
    "select_event_plots",
    "write_report",
    "write_report_stream",
    "cli_configure",
    "cli_run",
]

#: Colour per class: Okabe-Ito (colour-blind safe) vermillion, blue and grey.
PALETTE: dict[str, str] = {
    "fasciculation-like": "#D55E00",
    "dystonia-like": "#0072B2",
    "other": "#8C8C8C",
}

#: ``tremor_band_ratio`` at or above which a sustained event counts as tremor-like
#: (the threshold the rule classifier uses for irregular tremor).
TREMOR_BAND_RATIO_HIGH = 0.4

DISCLAIMER = (
    "Research software, not a diagnostic device: labels describe how a signal looks, "
    "they are not a diagnosis."
)

# image budget: a few MB for 200 events
_DPI = 80
_EVENT_FIG_W = 8.4  # inches
_CONTEXT_BINS = 700  # min/max bins of the context trace
_TIMELINE_BINS = 1600
_MAX_SITES_PER_EVENT = 3
_MAX_TIMELINE_PANELS = 8
_TIMELINE_W = 14.0  # inches


# ---------------------------------------------------------------------------
# summary
# ---------------------------------------------------------------------------


def _union_length(starts: np.ndarray, ends: np.ndarray) -> float:
    """Total length covered by intervals (overlaps counted once)."""
    if len(starts) == 0:
        return 0.0
    order = np.argsort(starts)
    total, cur_s, cur_e = 0.0, float(starts[order[0]]), float(ends[order[0]])
    for s, e in zip(starts[order[1:]], ends[order[1:]], strict=True):
        if s > cur_e:
            total += cur_e - cur_s
            cur_s, cur_e = float(s), float(e)
        else:
            cur_e = max(cur_e, float(e))
    return total + cur_e - cur_s


def _num(events: pd.DataFrame, col: str) -> np.ndarray:
    if col not in events.columns:
        return np.full(len(events), np.nan)
    return pd.to_numeric(events[col], errors="coerce").to_numpy(np.float64)


def _flags(events: pd.DataFrame) -> np.ndarray:
    if "review" not in events.columns:
        return np.zeros(len(events), bool)
    return events["review"].map(lambda v: bool(v) if not pd.isna(v) else False).to_numpy(bool)


def _rejected(events: pd.DataFrame, rows: Any = None) -> np.ndarray:
    """Whether a reviewer rejected each event (its ``review_status``, read as
    :mod:`movement.review` reads it: ``reject``, ``Rejected``...), of the rows at positions
    ``rows`` (all rows when None)."""
    n = len(events) if rows is None else len(rows)
    if "review_status" not in events.columns or n == 0:
        return np.zeros(n, bool)
    from .review import _ALIASES, _text

    col = events["review_status"]
    vals = col.to_numpy(object) if rows is None else col.iloc[list(rows)].to_numpy(object)
    return np.array([_ALIASES.get((_text(v) or "").lower()) == "rejected" for v in vals], bool)


def report_summary(events: pd.DataFrame, duration_s: float) -> dict[str, Any]:
    """Per-recording numbers shown at the top of the report.

    Parameters
    ----------
    events : DataFrame
        An events table (:func:`movement.score`).
    duration_s : float
        Time recorded in seconds (the recording's length less its gaps longer than
        :data:`movement.recording.MAX_GAP_S`: ``events.attrs["recorded_duration"]``).

    Returns
    -------
    dict
        ``classes``: per class ``n``, ``per_min``, ``n_review``;
        ``dystonia``: ``n``, ``covered_s`` (union of the events, overlaps across
        channels counted once), ``time_fraction``, ``median_s``, ``longest_s``;
        ``tremor``: ``n`` sustained events with ``tremor_band_ratio >=
        TREMOR_BAND_RATIO_HIGH``, their ``median_hz``, ``q25_hz``, ``q75_hz``;
        ``fasciculation_intervals``: ``n`` intervals between consecutive
        fasciculation-like onsets, ``median_s``, ``mean_s``, ``cv``, ``min_s``, ``max_s``.
        Values that cannot be computed are ``None``.

    Examples
    --------
    >>> ev = pd.DataFrame({"onset": [1.0, 3.0, 10.0], "duration": [0.01, 0.01, 4.0],
    ...                    "trial_type": ["fasciculation-like", "fasciculation-like",
    ...                                   "dystonia-like"]})
    >>> s = report_summary(ev, 60.0)
    >>> s["classes"]["fasciculation-like"]["per_min"], s["dystonia"]["time_fraction"]
    (2.0, 0.06666666666666667)
    """
    dur = float(duration_s)
    minutes = dur / 60.0 if dur > 0 else float("nan")
    label = events["trial_type"].astype(str).to_numpy() if len(events) else np.array([], str)
    flags = _flags(events)
    onset = _num(events, "onset")
    length = _num(events, "duration")
    out: dict[str, Any] = {"duration_s": dur, "n_events": int(len(events)), "classes": {}}
    for c in CLASSES:
        m = label == c
        out["classes"][c] = {
            "n": int(m.sum()),
            "per_min": float(m.sum() / minutes) if minutes > 0 else None,
            "n_review": int((m & flags).sum()),
        }
    d = label == "dystonia-like"
    covered = _union_length(onset[d], onset[d] + np.nan_to_num(length[d]))
    out["dystonia"] = {
        "n": int(d.sum()),
        "covered_s": covered,
        "time_fraction": covered / dur if dur > 0 else None,
        "median_s": float(np.median(length[d])) if d.any() else None,
        "longest_s": float(np.max(length[d])) if d.any() else None,
    }
    if "scale" in events.columns:
        sustained = events["scale"].astype(str).to_numpy() == "sustained"
    else:
        sustained = length >= 1.0
    fdom = _num(events, "dominant_frequency_hz")
    tband = _num(events, "tremor_band_ratio")
    t = sustained & (tband >= TREMOR_BAND_RATIO_HIGH) & np.isfinite(fdom)
    out["tremor"] = {
        "n": int(t.sum()),
        "median_hz": float(np.median(fdom[t])) if t.any() else None,
        "q25_hz": float(np.percentile(fdom[t], 25)) if t.any() else None,
        "q75_hz": float(np.percentile(fdom[t], 75)) if t.any() else None,
    }
    f_on = np.sort(onset[(label == "fasciculation-like") & np.isfinite(onset)])
    iv = np.diff(f_on)
    out["fasciculation_intervals"] = {
        "n": int(len(iv)),
        "median_s": float(np.median(iv)) if len(iv) else None,
        "mean_s": float(np.mean(iv)) if len(iv) else None,
        "cv": float(np.std(iv) / np.mean(iv)) if len(iv) > 1 and np.mean(iv) > 0 else None,
        "min_s": float(np.min(iv)) if len(iv) else None,
        "max_s": float(np.max(iv)) if len(iv) else None,
    }
    return out


def select_event_plots(events: pd.DataFrame, max_plots: int) -> list[int]:
    """Row positions of the events to plot, in onset order.

    Review-flagged events come first (in onset order); the remaining budget is
    shared round-robin between the classes so every class gets examples.

    Examples
    --------
    >>> ev = pd.DataFrame({"onset": [1.0, 2.0, 3.0, 4.0], "review": [False, True, False, False],
    ...                    "trial_type": ["other", "dystonia-like", "other", "fasciculation-like"]})
    >>> select_event_plots(ev, 2)
    [1, 3]
    """
    n = len(events)
    if max_plots <= 0 or n == 0:
        return []
    flags = _flags(events)
    onset = _num(events, "onset")
    order = np.argsort(onset, kind="stable")
    chosen = [int(i) for i in order if flags[i]][:max_plots]
    if len(chosen) < max_plots:
        label = events["trial_type"].astype(str).to_numpy()
        queues = [[int(i) for i in order if not flags[i] and label[i] == c] for c in CLASSES]
        queues.append(
            [int(i) for i in order if not flags[i] and label[i] not in CLASSES]
        )  # unknown labels last
        while len(chosen) < max_plots and any(queues):
            for q in queues:
                if q and len(chosen) < max_plots:
                    chosen.append(q.pop(0))
    return sorted(chosen, key=lambda i: (onset[i], i))


# ---------------------------------------------------------------------------
# plots (matplotlib, Agg canvas; no pyplot so the caller's backend is untouched)
# ---------------------------------------------------------------------------


class _Mpl:
    """matplotlib's ``Figure`` and Agg canvas for one page, and the event figures it
    reuses (:class:`_EventFigure`, one per layout): a figure's axes and ticks are built
    once and its lines' data replaced per event, instead of a new figure per event.

    ``Figure, Canvas = mpl`` unpacks the two classes.
    """

    def __init__(self, figure: Any, canvas: Any) -> None:
        self.Figure, self.Canvas = figure, canvas
        self.event_figures: dict[tuple[int, bool], _EventFigure] = {}

    def __iter__(self) -> Iterator[Any]:
        return iter((self.Figure, self.Canvas))


def _matplotlib() -> _Mpl:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise MissingExtraError("HTML reports", "report", "matplotlib") from None
    return _Mpl(Figure, FigureCanvasAgg)


def _png(fig: Any, canvas_cls: Any, canvas: Any = None) -> bytes:
    """Render a figure to a small PNG (palette-quantised when Pillow is available).

    The palette (64 colours) comes from Pillow's fast octree quantiser, written at zlib
    level 6: for the event plots ~2 ms and ~10 KB a plot, against ~17 ms and ~11 KB for
    a median-cut palette written with ``optimize`` (measured on 30 plots of the 1 h
    benchmark recording); the plots' few flat colours look the same either way.
    ``canvas``: the figure's canvas, when it has one already (a reused figure).
    """
    if canvas is None:
        canvas = canvas_cls(fig)
    canvas.draw()
    try:
        from PIL import Image

        w, h = canvas.get_width_height()
        img = Image.frombuffer("RGBA", (w, h), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        img = img.convert("RGB").quantize(colors=64, method=Image.Quantize.FASTOCTREE)
        buf = io.BytesIO()
        img.save(buf, format="PNG", compress_level=6)
        return buf.getvalue()
    except ImportError:  # pragma: no cover - Pillow is a matplotlib dependency
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _bins_of(t: np.ndarray, y: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """``t`` and ``y`` as rows of ``k = ceil(n / bins)`` consecutive samples (at most
    ``bins`` rows), the last row filled out with NaN values at the last time: every sample
    in a row (until 0.10.0 the last ``n % bins`` samples were left out: up to 2 s of a
    200 Hz plot's right end was not drawn)."""
    n = len(y)
    k = -(-n // bins)
    rows = -(-n // k)
    pad = rows * k - n
    if pad:
        y = np.concatenate([np.asarray(y, dtype=np.float64), np.full(pad, np.nan)])
        t = np.concatenate([np.asarray(t, dtype=np.float64), np.full(pad, t[-1])])
    return t.reshape(rows, k), y.reshape(rows, k)


def _minmax(t: np.ndarray, y: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Decimate for drawing: per bin its min and max, in time order (keeps spikes).

    Examples
    --------
    >>> t = np.arange(1003) / 100.0
    >>> tt, yy = _minmax(t, np.sin(t), 100)
    >>> float(tt[-1]) == float(t[-1]), len(tt) <= 200    # the last sample is drawn
    (True, True)
    """
    n = len(y)
    if n <= 2 * bins:
        return t, y
    tb, yb = _bins_of(t, y, bins)
    lo, hi = np.nanmin(yb, axis=1), np.nanmax(yb, axis=1)
    tt = np.column_stack([tb[:, 0], tb[:, -1]]).ravel()
    yy = np.column_stack([lo, hi]).ravel()
    return tt, yy


def _binned_max(t: np.ndarray, y: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Decimate an envelope: the maximum per bin, at the bin's centre (of its samples)."""
    n = len(y)
    if n <= bins:
        return t, y
    tb, yb = _bins_of(t, y, bins)
    k = tb.shape[1]
    last = n - (tb.shape[0] - 1) * k  # (samples in the last bin)
    centre = tb.mean(axis=1)
    centre[-1] = tb[-1, :last].mean()
    return centre, np.nanmax(yb, axis=1)


def _site_indices(channel: Any, sites: tuple[str, ...]) -> list[int]:
    names = [] if channel is None or pd.isna(channel) else str(channel).split(",")
    idx = [sites.index(n.strip()) for n in names if n.strip() in sites]
    return idx[:_MAX_SITES_PER_EVENT] if idx else [0]


#: Percentile of the envelope the timeline's scale is based on (robust to a few knocks)
_TIMELINE_Q = 99.5


class _TimelineBins:
    """What the timeline draws, gathered chunk by chunk: memory by pixels, not samples.

    The recording's time axis is cut into the timeline's panels
    (:func:`_timeline_layout`), each panel's samples into at most ``bins`` bins of
    ``k`` consecutive samples. :meth:`add` takes the sustained envelope (the maximum
    over sites) of consecutive stretches of samples, in any order and any lengths (the
    whole recording at once, or one stream window's core after another), and keeps per
    bin its maximum, the envelope's peak, its largest values (for the robust scale:
    the :data:`_TIMELINE_Q` th percentile, exact) and the runs of missing samples.

    Parameters
    ----------
    n : int
        Samples in the recording.
    fs : float
        Sampling rate (Hz).
    duration : float
        The recording's duration (s), which decides the panels.
    bins : int
        Bins per panel (at most).
    """

    def __init__(self, n: int, fs: float, duration: float, bins: int = _TIMELINE_BINS) -> None:
        self.n, self.fs, self.duration = int(n), float(fs), float(duration)
        self.n_panels, self.panel = _timeline_layout(self.duration)
        #: per panel: first and last + 1 sample, samples per bin
        self.spans: list[tuple[int, int, int]] = []
        #: per panel: maximum of the envelope per bin (NaN: no sample seen)
        self.values: list[np.ndarray] = []
        for p in range(self.n_panels):
            a, b = p * self.panel, min(self.duration, (p + 1) * self.panel)
            i0 = min(self.n, int(a * fs))
            i1 = max(i0, min(self.n, int(math.ceil(b * fs)) + 1))
            k = max(1, math.ceil((i1 - i0) / bins))
            self.spans.append((i0, i1, k))
            self.values.append(np.full(math.ceil((i1 - i0) / k), np.nan))
        self.peak = np.nan
        self.n_valid = 0
        # the largest values: enough for the percentile's two order statistics
        self._keep = int(math.ceil(self.n * (1.0 - _TIMELINE_Q / 100.0))) + 3
        self._top: np.ndarray | None = None
        self._gaps: list[np.ndarray] = []

    def add(self, s0: int, sustained: np.ndarray, gaps: np.ndarray | None = None) -> None:
        """Samples ``s0 .. s0 + len(sustained)``: the sustained envelope (n, sites) and
        the gap mask (n,)."""
        from .segment import mask_to_runs

        if sustained.ndim == 2:
            env = (
                np.fmax.reduce(sustained, axis=1)  # NaN left out, no All-NaN warning
                if sustained.shape[1]
                else np.full(len(sustained), np.nan)
            )
        else:
            env = sustained
        s1 = s0 + len(env)
        for (i0, i1, k), y in zip(self.spans, self.values, strict=True):
            lo, hi = max(i0, s0), min(i1, s1)
            if lo >= hi:
                continue
            j0, j1 = (lo - i0) // k, (hi - 1 - i0) // k + 1
            starts = i0 + np.arange(j0, j1) * k
            starts[0] = lo
            part = np.fmax.reduceat(env[lo - s0 : hi - s0], starts - lo)
            y[j0:j1] = np.fmax(y[j0:j1], part)
        ok = env[~np.isnan(env)]
        if len(ok):
            from .stream import _act_top

            self.n_valid += len(ok)
            self.peak = float(np.fmax(self.peak, ok.max()))
            self._top = _act_top(ok[:, None], self._keep, self._top)
        if gaps is not None and gaps.any():
            self._gaps.append(mask_to_runs(gaps) + s0)

    def add_gap(self, s0: int, s1: int) -> None:
        """Samples ``s0 .. s1`` are missing (not given to :meth:`add`)."""
        if s1 > s0:
            self._gaps.append(np.array([[s0, s1]], np.int64))

    def gap_runs(self) -> np.ndarray:
        """[start, stop) sample runs of missing samples (sorted, touching runs joined)."""
        from .segment import _run_union

        if not self._gaps:
            return np.zeros((0, 2), np.int64)
        return _run_union(np.concatenate(self._gaps))

    def percentile(self) -> float:
        """The :data:`_TIMELINE_Q` th percentile of the envelope (``np.nanpercentile``'s
        linear method), from the largest values kept; NaN when there is none."""
        if self._top is None or not self.n_valid:
            return float("nan")
        from .stream import _top_percentile

        return float(_top_percentile(self._top, self.n_valid, _TIMELINE_Q)[0])

    def panel_curve(self, p: int) -> tuple[np.ndarray, np.ndarray]:
        """Panel ``p``'s bins: time of each bin's centre (s) and the bin's maximum."""
        i0, i1, k = self.spans[p]
        y = self.values[p]
        first = i0 + np.arange(len(y)) * k
        last = np.minimum(first + k, i1) - 1
        return (first + last) / (2.0 * self.fs), y

    @classmethod
    def of(cls, pre: Any, duration: float) -> _TimelineBins:
        """The bins of a whole recording's preprocessed signals."""
        tl = cls(len(pre.signal), pre.fs, duration)
        tl.add(0, pre.sustained, pre.gaps)
        return tl


def _timeline_png(
    tl: _TimelineBins, events: pd.DataFrame, units: str, mpl: Any
) -> tuple[bytes, list[dict[str, float]]]:
    """Whole-recording overview: envelope (max over sites) and events as coloured spans.

    Events a reviewer rejected (``review_status``) are not drawn as events: a dashed grey
    outline, no fill and no class lane, and left out of the legend's counts (as the
    summary leaves them out), with a "rejected" entry of their own.

    Returns the PNG and, per panel, its time span and position in the image (fractions
    from the left / top) so the page can map a click to a time.
    """
    fig, layout = _timeline_figure(tl, events, units, mpl)
    return _png(fig, mpl.Canvas), layout


def _timeline_figure(
    tl: _TimelineBins, events: pd.DataFrame, units: str, mpl: Any
) -> tuple[Any, list[dict[str, float]]]:
    """The figure :func:`_timeline_png` renders, and its panels' layout."""
    Figure = mpl.Figure
    fs, duration = tl.fs, tl.duration
    n_panels, panel = tl.n_panels, tl.panel
    # robust top: a single knock must not flatten the rest (taller peaks reach the top)
    peak = tl.peak if tl.n_valid else 0.0
    top = min(peak, 2.0 * tl.percentile()) if tl.n_valid else 0.0
    top = top if np.isfinite(top) and top > 0 else (peak if np.isfinite(peak) and peak > 0 else 1.0)
    legend_h, axes_h, ticks_h = 0.32, 1.0, 0.3  # inches
    fig_h = legend_h + n_panels * (axes_h + ticks_h)
    fig = Figure(figsize=(_TIMELINE_W, fig_h), dpi=_DPI)
    onset = _num(events, "onset")
    length = np.nan_to_num(_num(events, "duration"))
    label = events["trial_type"].astype(str).to_numpy() if len(events) else np.array([], str)
    # rejected by a reviewer: not an event (an outline only, not counted as its class)
    rejected = _rejected(events)
    label = np.where(rejected, "", label) if rejected.any() else label
    gaps = tl.gap_runs()
    # stretches not worn (accelerometry, movement.wear): [onset, duration] s
    nonwear = [(float(o), float(o) + float(d)) for o, d in (events.attrs.get("nonwear") or [])]
    left, right = 0.06, 0.99
    layout = []
    for k in range(n_panels):
        y_top = legend_h + k * (axes_h + ticks_h)
        ax = fig.add_axes((left, 1 - (y_top + axes_h) / fig_h, right - left, axes_h / fig_h))
        a, b = k * panel, min(duration, (k + 1) * panel)
        layout.append(
            {
                "t0": a,
                "t1": a + panel,
                "left": left,
                "right": right,
                "top": y_top / fig_h,
                "bottom": (y_top + axes_h) / fig_h,
            }
        )
        min_w = panel / 900.0  # short events stay visible
        xa = ax.get_xaxis_transform()
        for s, e in gaps:
            if e / fs >= a and s / fs <= b:
                ax.axvspan(
                    s / fs, e / fs, facecolor="none", edgecolor="#b0b0b0", hatch="////", lw=0
                )
        for s, e in nonwear:
            if e >= a and s <= b:
                ax.axvspan(s, e, facecolor="#f5e9c8", lw=0, zorder=0)
        for ci, c in enumerate(CLASSES):
            m = (label == c) & (onset + length >= a) & (onset <= b)
            if not m.any():
                continue
            spans = [
                (float(o), max(float(d), min_w)) for o, d in zip(onset[m], length[m], strict=True)
            ]
            ax.broken_barh(spans, (0, 0.86), transform=xa, color=PALETTE[c], alpha=0.25, lw=0)
            lane = 0.865 + 0.045 * (2 - ci)
            ax.broken_barh(spans, (lane, 0.04), transform=xa, color=PALETTE[c], lw=0)
        m = rejected & (onset + length >= a) & (onset <= b)
        if m.any():
            spans = [
                (float(o), max(float(d), min_w)) for o, d in zip(onset[m], length[m], strict=True)
            ]
            ax.broken_barh(spans, (0.0, 0.86), transform=xa, **_REJECTED_STYLE)
        tt, yy = tl.panel_curve(k)
        ax.plot(tt, np.minimum(yy, top / 0.86), color="#222222", lw=0.7)
        ax.set_xlim(a, a + panel)
        ax.set_ylim(0, top / 0.84)
        ax.set_yticks([0, top])
        ax.set_yticklabels(["0", f"{top:.3g} {units}" + ("+" if peak > top * 1.001 else "")])
        ax.tick_params(labelsize=8, length=2, pad=1)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        _time_axis(ax, a, a + panel)
    handles = [_patch(PALETTE[c], f"{c} ({int((label == c).sum())})") for c in CLASSES]
    if rejected.any():
        handles.append(_patch("none", f"rejected ({int(rejected.sum())})", rejected=True))
    if len(gaps):
        handles.append(_patch("none", "gap", hatch="////"))
    if nonwear:
        handles.append(_patch("#f5e9c8", "not worn"))
    fig.legend(
        handles=handles,
        loc="upper left",
        ncol=len(handles),
        fontsize=9,
        frameon=False,
        bbox_to_anchor=(left - 0.01, 1.0),
        handlelength=1.2,
        columnspacing=1.5,
    )
    return fig, layout


#: How the timeline and the event plots draw an event a reviewer rejected: an outline.
_REJECTED_STYLE: dict[str, Any] = {
    "facecolor": "none",
    "edgecolor": "#4d4d4d",
    "linestyle": (0, (2.0, 1.5)),
    "lw": 0.8,
}


def _patch(colour: str, text: str, hatch: str | None = None, rejected: bool = False) -> Any:
    from matplotlib.patches import Patch

    if rejected:
        return Patch(**_REJECTED_STYLE, label=text)
    return Patch(
        facecolor=colour, edgecolor="#b0b0b0" if hatch else "none", hatch=hatch, label=text
    )


def _time_axis(ax: Any, a: float, b: float) -> None:
    """Ticks at round times: seconds for short spans, h:mm:ss / h:mm for long ones."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

    span = b - a
    if span <= 120:
        ax.xaxis.set_major_locator(MaxNLocator(12))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g} s"))
        return
    steps = [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600]
    step = next((st for st in steps if span / st <= 12), steps[-1])
    ax.xaxis.set_major_locator(MultipleLocator(step))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _clock(v, show_seconds=step < 60)))


def _clock(seconds: float, *, show_seconds: bool = True) -> str:
    """``h:mm:ss`` (or ``h:mm``) from a number of seconds."""
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if show_seconds else f"{h}:{m:02d}"


@dataclass
class _EventView:
    """The data of one event's plot (what :func:`_event_png` draws)."""

    i: int
    onset: float
    dur: float
    colour: str
    env_name: str
    a: float  # the context's time range (s)
    b: float
    site_names: list[str]
    #: per site: decimated signal (t, y) and envelope (t, y) of the context
    context: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]
    #: neighbouring events' spans (onset, end, colour)
    near: list[tuple[float, float, str]]
    zoom: tuple[float, float] | None = None
    #: per site: signal (t, y) and envelope (t, y) of the zoom
    zoomed: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = field(
        default_factory=list
    )
    #: whether a reviewer rejected the event, and the spans (onset, end) of the
    #: neighbours a reviewer rejected (not in ``near``): drawn as outlines
    rejected: bool = False
    near_rejected: list[tuple[float, float]] = field(default_factory=list)


def _plot_range(row: pd.Series, duration: float) -> tuple[float, float]:
    """The time range (s) an event's plot shows: a few seconds before and after it."""
    on, dur = float(row["onset"]), float(np.nan_to_num(row.get("duration", 0.0)))
    pad = min(10.0, max(2.0, 0.5 * dur))
    return max(0.0, on - pad), min(duration, on + dur + pad)


def _event_view(pre: Any, offset: int, events: pd.DataFrame, i: int, duration: float) -> _EventView:
    """The plotted data of event ``i`` from preprocessed signals that start at sample
    ``offset`` of the recording (0: the whole recording; a stream window: its slice's
    first sample). Samples outside ``pre`` are left out (the axes keep their range)."""
    fs = pre.fs
    row = events.iloc[i]
    on, dur = float(row["onset"]), float(np.nan_to_num(row.get("duration", 0.0)))
    cls = str(row.get("trial_type", "other"))
    scale = str(row.get("scale", "brief" if dur < 0.5 else "sustained"))
    env_all = pre.brief if scale == "brief" else pre.sustained
    env_name = "brief envelope" if scale == "brief" else "sustained envelope"
    a, b = _plot_range(row, duration)
    end = offset + len(pre.signal)
    i0, i1 = max(offset, int(a * fs)), min(end, int(math.ceil(b * fs)) + 1)
    i1 = max(i0, i1)
    zoom = dur < 0.5 and (b - a) > 6 * max(dur, 1.0 / fs)
    za = max(0.0, on - max(0.05, 1.5 * dur))
    zb = min(duration, on + dur + max(0.05, 1.5 * dur))
    sites = _site_indices(row.get("channel"), pre.sites)
    onsets = _num(events, "onset")
    lengths = np.nan_to_num(_num(events, "duration"))
    labels = events["trial_type"].astype(str).to_numpy()
    around = [int(j) for j in np.flatnonzero((onsets + lengths >= a) & (onsets <= b))]
    rej = dict(zip(around, _rejected(events, around), strict=True))
    near = [
        (float(onsets[j]), float(onsets[j] + lengths[j]), PALETTE.get(labels[j], "#444"))
        for j in around
        if j != i and not rej[j]
    ]
    near_rejected = [
        (float(onsets[j]), float(onsets[j] + lengths[j])) for j in around if j != i and rej[j]
    ]
    t = np.arange(i0, i1) / fs
    context, zoomed = [], []
    for s in sites:
        tt, yy = _minmax(t, pre.signal[i0 - offset : i1 - offset, s], _CONTEXT_BINS)
        te, ye = _binned_max(t, env_all[i0 - offset : i1 - offset, s], _CONTEXT_BINS)
        context.append((tt, yy, te, ye))
        if zoom:
            j0 = max(offset, int(za * fs))
            j1 = max(j0, min(end, int(math.ceil(zb * fs)) + 1))
            tz = np.arange(j0, j1) / fs
            zs = slice(j0 - offset, j1 - offset)
            zoomed.append((tz, pre.signal[zs, s], tz, env_all[zs, s]))
    return _EventView(
        i=i,
        onset=on,
        dur=dur,
        colour=PALETTE.get(cls, "#444444"),
        env_name=env_name,
        a=a,
        b=b,
        site_names=[pre.sites[s] for s in sites],
        context=context,
        near=near,
        zoom=(za, zb) if zoom else None,
        zoomed=zoomed,
        rejected=bool(rej[i]) if i in rej else bool(_rejected(events, [i])[0]),
        near_rejected=near_rejected,
    )


@dataclass
class _EventAxes:
    """One site's row of an event figure: the context axes and the zoom's (or None),
    their signal and envelope lines, and their spans."""

    ax: Any
    sig: Any
    env: Any
    spans: _Spans
    zoom_ax: Any = None
    zoom_sig: Any = None
    zoom_env: Any = None
    zoom_spans: _Spans | None = None


class _Spans:
    """The spans of one axes of a reused figure, kept from plot to plot: a plot restyles
    as many as it draws, in the order it draws them, and hides the rest (a span artist
    made anew costs more than its drawing)."""

    def __init__(self, ax: Any) -> None:
        self.ax = ax
        self.patches: list[Any] = []
        self.used = 0

    def add(self, x0: float, x1: float, **style: Any) -> None:
        """A span from ``x0`` to ``x1`` drawn with ``style`` (as :func:`_vspan`)."""
        if self.used < len(self.patches):
            p = self.patches[self.used]
            p.set_x(x0)
            p.set_width(x1 - x0)
            # as the style would make it new: alpha first (colours take it), then the rest
            p.update({"alpha": None, "linestyle": "solid", **style})
            p.set_visible(True)
        else:
            self.patches.append(_vspan(self.ax, x0, x1, **style))
        self.used += 1

    def done(self) -> None:
        """Hide the spans this plot did not use, and start over for the next."""
        for p in self.patches[self.used :]:
            p.set_visible(False)
        self.used = 0


@dataclass
class _EventFigure:
    """A figure of :func:`_event_png`'s layout (``n_sites`` rows, a zoom column or not),
    built once and redrawn for each event."""

    fig: Any
    canvas: Any
    rows: list[_EventAxes]

    @classmethod
    def build(cls, n_sites: int, zoom: bool, mpl: Any) -> _EventFigure:
        from matplotlib.ticker import MaxNLocator

        Figure, Canvas = mpl
        h = 0.35 + 1.25 * n_sites
        fig = Figure(figsize=(_EVENT_FIG_W, h), dpi=_DPI)
        fig.subplots_adjust(
            left=0.085, right=0.975, top=1 - 0.08 / h, bottom=0.42 / h, hspace=0.15, wspace=0.12
        )
        grid = fig.add_gridspec(n_sites, 3 if zoom else 1)
        rows = []
        for r in range(n_sites):  # loop over the sites' rows
            ax = fig.add_subplot(grid[r, :2] if zoom else grid[r, 0])
            (sig,) = ax.plot([], [], color="#7a8ca3", lw=0.5)
            (env,) = ax.plot([], [], color="#111111", lw=1.1)
            ax.tick_params(labelsize=7, length=2, pad=1, labelbottom=r == n_sites - 1)
            row = _EventAxes(ax, sig, env, _Spans(ax))
            if zoom:
                az = fig.add_subplot(grid[r, 2])
                (row.zoom_sig,) = az.plot([], [], color="#5a6f8a", lw=0.7)
                (row.zoom_env,) = az.plot([], [], color="#111111", lw=1.0)
                az.tick_params(
                    labelsize=7, length=2, pad=1, labelleft=False, labelbottom=r == n_sites - 1
                )
                az.xaxis.set_major_locator(MaxNLocator(4))
                row.zoom_ax, row.zoom_spans = az, _Spans(az)
            rows.append(row)
        return cls(fig, Canvas(fig), rows)


def _event_png(view: _EventView, fs: float, units: str, mpl: Any) -> bytes:
    """Signal and envelope a few seconds around an event (+ a zoom for brief events).

    With a :class:`_Mpl` (a page's), the figure of the event's layout is reused: its
    lines get the event's data, its spans are replaced and its y-limits rescaled to the
    new data (the x-limits are set), so the plot is the one a new figure would give.
    """
    ef = _draw_event(view, fs, units, mpl)
    return _png(ef.fig, None, ef.canvas)


def _vspan(ax: Any, x0: float, x1: float, **style: Any) -> Any:
    """``ax.axvspan(x0, x1, **style)`` without its data-limit bookkeeping: the same
    rectangle (x in data, y over the whole axes), added as an artist that does not take
    part in autoscaling. ``axvspan`` runs every span's path through the axes' data limits
    (``add_patch``, and each ``relim`` again) though a span never moves the y-limits and
    the plots set their x-limits: most of an event plot's time with a few dozen
    neighbours in view."""
    from matplotlib.patches import Rectangle

    p = Rectangle((x0, 0.0), x1 - x0, 1.0, **style)
    p.set_transform(ax.get_xaxis_transform(which="grid"))
    return ax.add_artist(p)


def _own_span(spans: _Spans, view: _EventView, fs: float) -> None:
    """The span of the event an event plot is of: its class colour, or an outline when a
    reviewer rejected it (as the timeline draws it)."""
    end = view.onset + max(view.dur, 1.0 / fs)
    if view.rejected:
        spans.add(view.onset, end, **{**_REJECTED_STYLE, "lw": 1.1})
    else:
        spans.add(view.onset, end, color=view.colour, alpha=0.3, lw=0)


def _draw_event(view: _EventView, fs: float, units: str, mpl: Any) -> _EventFigure:
    """Draw an event's plot (:func:`_event_png`) into the figure of its layout."""
    n_sites = len(view.site_names)
    zoom = view.zoom is not None
    cache = mpl.event_figures if isinstance(mpl, _Mpl) else {}
    key = (n_sites, zoom)
    if key not in cache:
        cache[key] = _EventFigure.build(n_sites, zoom, mpl)
    ef = cache[key]
    last = n_sites - 1
    for r, (row, name) in enumerate(zip(ef.rows, view.site_names, strict=True)):
        ax, spans = row.ax, row.spans
        tt, yy, te, ye = view.context[r]
        row.sig.set_data(tt, yy)
        row.env.set_data(te, ye)
        for o, e, c in view.near:
            spans.add(o, e, color=c, alpha=0.12, lw=0)
        for o, e in view.near_rejected:  # (rejected by a reviewer: not events)
            spans.add(o, e, **_REJECTED_STYLE)
        _own_span(spans, view, fs)
        spans.done()
        ax.set_xlim(view.a, view.b)
        ax.relim()
        ax.autoscale_view(scalex=False)
        ax.set_ylabel(name, fontsize=8)
        if r == last:
            ax.set_xlabel(
                f"time (s)   signal [{units}] grey, {view.env_name} black", fontsize=7, labelpad=1
            )
        if view.zoom is not None:
            za, zb = view.zoom
            az = row.zoom_ax
            tz, yz, tze, yze = view.zoomed[r]
            row.zoom_sig.set_data(tz, yz)
            row.zoom_env.set_data(tze, yze)
            _own_span(row.zoom_spans, view, fs)
            row.zoom_spans.done()
            az.set_xlim(za, zb)
            az.relim()
            az.autoscale_view(scalex=False)
            if r == last:
                az.set_xlabel(f"zoom: {zb - za:.2g} s around the event", fontsize=7, labelpad=1)
    return ef


# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------

_CSS = """
:root{--fasc:#D55E00;--dyst:#0072B2;--other:#8C8C8C;--ink:#1d2329;--mute:#5b6670;--line:#d9dee3}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--ink);margin:0;background:#f6f7f9}
main{max-width:1180px;margin:0 auto;padding:16px 20px 60px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
.disclaimer{background:#fff4d6;border:1px solid #e8c766;padding:6px 10px;border-radius:4px;margin:8px 0;font-weight:600}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}
dl.meta dt{color:var(--mute)}dl.meta dd{margin:0;word-break:break-all}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.stat{background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px 12px;min-width:200px}
.stat h3{font-size:13px;margin:0 0 4px;color:var(--mute);font-weight:600}
.stat table td{padding:0 8px 0 0}
.badge{display:inline-block;padding:0 6px;border-radius:9px;color:#fff;font-size:12px;white-space:nowrap}
.b-fasciculation-like{background:var(--fasc)}.b-dystonia-like{background:var(--dyst)}.b-other{background:var(--other)}
img{max-width:100%;height:auto;display:block}
#timeline{width:100%;cursor:crosshair}
.tlwrap{position:relative}
#tl-marks{position:absolute;left:0;top:0;right:0;bottom:0;pointer-events:none}
.tl-mark{position:absolute;min-width:3px;border:1px solid}
.tl-mark.rej{background:rgba(255,255,255,.8);border:1px dashed #333}
.tl-mark.c-fasciculation-like{background:rgba(213,94,0,.45);border-color:var(--fasc)}
.tl-mark.c-dystonia-like{background:rgba(0,114,178,.45);border-color:var(--dyst)}
.tl-mark.c-other{background:rgba(140,140,140,.45);border-color:var(--other)}
#live-note{background:#fff4d6;border:1px solid #e8c766;border-radius:4px;padding:4px 8px}
.panel{background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px}
.controls{display:flex;flex-wrap:wrap;gap:10px 18px;align-items:center;background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px 10px;margin-bottom:8px}
.controls label{white-space:nowrap}
#reviewbar{position:sticky;top:0;z-index:5;box-shadow:0 1px 4px rgba(0,0,0,.08)}
.tablewrap{max-height:70vh;overflow:auto;border:1px solid var(--line);border-radius:6px;background:#fff}
table.ev{border-collapse:collapse;width:100%;font-size:13px}
table.ev th{position:sticky;top:0;background:#eef1f4;text-align:left;padding:4px 6px;border-bottom:1px solid var(--line);white-space:nowrap;cursor:pointer;user-select:none}
table.ev th.nosort{cursor:default}
table.ev th[aria-sort=ascending]::after{content:" \\25B2"}table.ev th[aria-sort=descending]::after{content:" \\25BC"}
table.ev td{padding:3px 6px;border-bottom:1px solid #eef0f2;vertical-align:top}
table.ev td.num{text-align:right;font-variant-numeric:tabular-nums}
table.ev tr.decided td{background:#f0f7ee}table.ev tr.rejected td{background:#fbefef}
td.why{max-width:190px;color:var(--mute);font-size:12px}
td.rv{max-width:120px;font-size:12px}
td.dec select,td.dec input{display:block;width:10.5em;margin:1px 0}
select,input{font:inherit;font-size:13px}
input.cm{width:150px}
.flag{color:#b3261e;font-weight:700}
.event{background:#fff;border:1px solid var(--line);border-left:6px solid var(--other);border-radius:6px;padding:8px 10px;margin:12px 0}
.event.c-fasciculation-like{border-left-color:var(--fasc)}.event.c-dystonia-like{border-left-color:var(--dyst)}
.event.rejected{background:#fbf6f6;border-left-style:dashed}.event.rejected .body>img{opacity:.6}
.rej{color:#b3261e;font-weight:600}
.event h3{font-size:14px;margin:0 0 6px;display:flex;gap:10px;flex-wrap:wrap;align-items:center}
.event .reason{margin:4px 0;font-size:13px}
.event .body{display:flex;gap:14px;align-items:flex-start}
.event .body>img{flex:0 0 auto;max-width:62%}
.event .body>div{flex:1 1 auto;min-width:0}
@media (max-width:900px){.event .body{display:block}.event .body>img{max-width:100%}}
.feat{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:0 12px;font-size:12px;margin:6px 0}
section.event,tr{scroll-margin-top:70px}
.feat span{color:var(--mute)}
.decide{display:flex;gap:10px;flex-wrap:wrap;align-items:center;margin-top:6px}
.muted{color:var(--mute)}.small{font-size:12px}
#msg{color:#1b5e20;font-weight:600}
details summary{cursor:pointer}
table.params{font-size:12px;border-collapse:collapse}table.params td{padding:1px 8px;border-bottom:1px solid #eef0f2}
a{color:#0b57d0}
"""

_JS = r"""
(function(){
"use strict";
var META = JSON.parse(document.getElementById("report-meta").textContent);
// the recording and its events (META.key); an earlier version's key, shared by pages of
// recordings of one name, settings and number of events, is only offered (OLD_KEY)
var KEY = "movement-report:v2:" + META.key;
var CLASSES = META.classes || [];
var OLD_KEY = "movement-report:" + META.stem + ":" + META.parameters_hash + ":" + META.n_events;
var BASE = {};            // event index -> the decision its events table holds
var state = {};           // event index -> {status, new_type, reviewer, comment, table}
var older = null;         // decisions an earlier version kept under OLD_KEY
var table = document.getElementById("events");
var tbody = table ? table.tBodies[0] : null;
var rows = tbody ? Array.prototype.slice.call(tbody.rows) : [];

function say(t){ document.getElementById("msg").textContent = t; }
function esc(t){ return String(t).replace(/[&<>"]/g, function(c){
  return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]; }); }
function rowOf(i){ return document.getElementById("row-" + i); }
function copy(d){ return {status: d.status || "", new_type: d.new_type || "", reviewer: d.reviewer || "",
                          comment: d.comment || "", table: !!d.table}; }
function same(a, b){ return !!a && !!b && (a.status || "") === (b.status || "") &&
  (a.new_type || "") === (b.new_type || "") && (a.comment || "") === (b.comment || ""); }
function applied(d, b){  // whether the events table holds decision d (its comment kept in it)
  return !!b && (d.status || b.status) === b.status && (d.status !== "relabelled" || d.new_type === b.new_type) &&
    (b.comment || "").indexOf(d.comment || "") >= 0;
}
function baseline(){
  rows.forEach(function(r){
    if (r.dataset.st0 === undefined) return;
    BASE[r.dataset.i] = {status: r.dataset.st0 || "", new_type: r.dataset.nt0 || "",
                         reviewer: r.dataset.by0 || "", comment: r.dataset.cm0 || "", table: true};
  });
}
function load(){
  baseline();
  for (var i in BASE) state[i] = copy(BASE[i]);
  var s = null, n = 0;
  try { s = JSON.parse(localStorage.getItem(KEY) || "null"); } catch(e) {}
  if (s && s.reviewer) document.getElementById("reviewer").value = s.reviewer;
  var dropped = 0;
  if (s && s.edits) for (var k in s.edits) {
    var d = s.edits[k];
    if (!rowOf(k) || !d || applied(d, BASE[k])) { dropped++; continue; }
    if (d.status || d.comment) { state[k] = copy(d); state[k].table = false; n++; }
  }
  if (dropped) save();  // (what is in the events table now is not kept twice)
  if (n) say(n + " decision(s) made in this browser and not in the events table restored");
  if (!s) try {
    older = JSON.parse(localStorage.getItem(OLD_KEY) || "null");
    var m = older && older.decisions ? Object.keys(older.decisions).filter(rowOf).length : 0;
    if (m) { var b = document.getElementById("restore"); b.hidden = false;
             b.textContent = "Restore " + m + " decision(s) saved by an earlier version of this page"; }
  } catch(e) {}
}
function save(){
  var edits = {};
  for (var i in state) if (!same(state[i], BASE[i])) edits[i] = state[i];
  try { localStorage.setItem(KEY, JSON.stringify({v: 2, edits: edits,
        reviewer: document.getElementById("reviewer").value})); } catch(e) {}
}
function reviewer(){ return document.getElementById("reviewer").value.trim(); }

function selValue(d){
  if (!d || !d.status) return "";
  return d.status === "relabelled" ? "relabelled:" + d.new_type : d.status;
}
function shown(row, d){  // the class an event has with decision d (as apply_decisions gives it)
  if (d && d.status === "relabelled") return d.new_type;
  if (d && d.status && row.dataset.model) return row.dataset.model;
  return row.dataset.now;
}
function fmt2(p){  // p to 2 decimals as Python's "%.2f" (ties to even: 0.125 -> 0.12)
  if (isNaN(p)) return "\u2013";
  // (the only doubles in [0, 1] halfway between two hundredths; toFixed rounds them up)
  var tie = {0.125: "0.12", 0.375: "0.38", 0.625: "0.62", 0.875: "0.88"}[p];
  return tie || p.toFixed(2);
}
function pCol(row, c){  // the model's probability of class c (its p_ column), NaN when not known
  var pc = row.dataset.pc === undefined ? null : row.dataset.pc.split(","), k = CLASSES.indexOf(c);
  return !pc || k < 0 || pc[k] === undefined || pc[k] === "" ? NaN : +pc[k];
}
function pOf(row, d, cls){  // the probability the event gets with decision d, as movement review
  // apply gives it: a relabel's of its new class, an undone relabel's of the model's label
  if (d && d.status === "relabelled") return pCol(row, cls);
  var m = row.dataset.model;
  if (d && d.status && m && m !== row.dataset.now) return pCol(row, m);
  return row.dataset.p0 ? +row.dataset.p0 : NaN;  // (the table's)
}
function pText(row, d, cls){  // an event card's header: p of its label (and the model's)
  var t = "p = " + fmt2(pOf(row, d, cls)), m = row.dataset.model;
  if (d && d.status === "relabelled" && m && m !== cls) {
    var pm = pCol(row, m); t += " (model: " + m + (isNaN(pm) ? ")" : ", p = " + fmt2(pm) + ")"); }
  return t;
}
// ---- the timeline's image is drawn from the events table: decisions made since are
// marked over it (a rejection, a relabel, a table's rejection undone)
var TL_REJ = {}; (META.timeline_rejected || []).forEach(function(i){ TL_REJ[i] = true; });
var marks = {};
function mark(i, row, d, cls){
  (marks[i] || []).forEach(function(el){ el.parentNode.removeChild(el); }); delete marks[i];
  var box = document.getElementById("tl-marks"); if (!box) return;
  var rej = !!(d && d.status === "rejected"), was = !!TL_REJ[i];
  var what = rej ? (was ? "" : "rej") : (was || cls !== row.dataset.now ? "c-" + cls : "");
  if (!what) return;
  var o = +row.dataset.onset, e = o + (+row.dataset.duration || 0);
  marks[i] = [];
  (META.timeline || []).forEach(function(P){
    var span = P.t1 - P.t0, w = P.right - P.left, end = Math.max(e, o + span / 900);
    if (end < P.t0 || o > P.t1) return;
    var x0 = Math.max(o, P.t0), x1 = Math.min(end, P.t1), el = document.createElement("span");
    el.className = "tl-mark " + what; el.dataset.i = i;
    el.title = "event " + i + (rej ? ": rejected on this page" : ": " + cls + " on this page");
    el.style.left = (100 * (P.left + (x0 - P.t0) / span * w)) + "%";
    el.style.width = (100 * (x1 - x0) / span * w) + "%";
    el.style.top = (100 * P.top) + "%"; el.style.height = (100 * (P.bottom - P.top)) + "%";
    box.appendChild(el); marks[i].push(el);
  });
}
function paint(i){
  var d = state[i], v = selValue(d), row = rowOf(i);
  document.querySelectorAll('.st[data-i="' + i + '"]').forEach(function(el){ el.value = v; });
  document.querySelectorAll('.cm[data-i="' + i + '"]').forEach(function(el){
    if (document.activeElement !== el) el.value = (d && d.comment) || ""; });
  document.querySelectorAll('.by[data-i="' + i + '"]').forEach(function(el){
    el.textContent = d && d.reviewer && (d.status || d.comment) ? "by " + d.reviewer : ""; });
  if (!row) return;
  var cls = shown(row, d), m = row.dataset.model, rej = !!(d && d.status === "rejected");
  var html = '<span class="badge b-' + esc(cls) + '">' + esc(cls) + "</span>" +
    (d && d.status === "relabelled" && m && m !== cls ? ' <span class="was small muted">model: ' + esc(m) + "</span>" : "") +
    (rej ? ' <span class="rej small">rejected</span>' : "");
  document.querySelectorAll('.cl[data-i="' + i + '"]').forEach(function(el){
    el.innerHTML = html; if (el.tagName === "TD") el.setAttribute("data-v", cls); });
  row.dataset.cls = cls;
  // the probability of the class the event has now (what the applied table will hold)
  var p = pOf(row, d, cls), cell = row.querySelector("td.pr");
  row.dataset.p = isNaN(p) ? "0" : String(p);
  if (cell) { cell.textContent = fmt2(p); cell.setAttribute("data-v", row.dataset.p); }
  var card = document.getElementById("ev-" + i);
  if (card) { card.dataset.cls = cls; card.dataset.p = row.dataset.p;
    card.className = "event c-" + cls + (rej ? " rejected" : "");
    card.querySelectorAll('.pp[data-i="' + i + '"]').forEach(function(el){ el.textContent = pText(row, d, cls); }); }
  mark(i, row, d, cls);
  row.classList.toggle("decided", !!(d && d.status) && d.status !== "rejected");
  row.classList.toggle("rejected", !!(d && d.status === "rejected"));
  row.dataset.st = v;
}
function counts(){
  var n = 0; for (var k in state) if (state[k].status) n++;
  document.getElementById("ndecided").textContent = n;
  var f = 0; rows.forEach(function(r){ var d = state[r.dataset.i];
    if (r.dataset.rv === "1" && !(d && d.status)) f++; });
  var nf = document.getElementById("nflag"); if (nf) nf.textContent = f;
  var live = 0; rows.forEach(function(r){ if (selValue(state[r.dataset.i]) !== selValue(BASE[r.dataset.i])) live++; });
  var ln = document.getElementById("live-note");
  if (ln) { ln.hidden = !live; document.getElementById("nlive").textContent = live; }
  return n;
}
function decide(i, field, value){
  var d = state[i] ? copy(state[i]) : {status: "", new_type: "", reviewer: "", comment: "", table: false};
  var base = BASE[i];
  if (field === "st") {
    if (value === "" && base && base.status) {  // (an export cannot take a table's decision back)
      d.status = base.status; d.new_type = base.new_type;
      say("Event " + i + " keeps the decision its events table holds: choose another one to change it");
    } else if (value.indexOf("relabelled:") === 0) { d.status = "relabelled"; d.new_type = value.slice(11); }
    else { d.status = value; d.new_type = ""; }
  } else { d.comment = value; }
  if (!same(d, state[i] || {})) { d.reviewer = reviewer(); d.table = false; }
  if (base && same(d, base)) d = copy(base);  // back to the table's (and its reviewer)
  if (!d.status && !d.comment) delete state[i]; else state[i] = d;
  paint(i); counts(); save();
}
document.addEventListener("change", function(e){
  var t = e.target;
  if (t.classList.contains("st")) decide(t.dataset.i, "st", t.value);
  else if (t.id === "reviewer") save();
  else if (t.classList.contains("flt")) filter();
});
document.addEventListener("input", function(e){
  var t = e.target;
  if (t.classList.contains("cm")) decide(t.dataset.i, "cm", t.value);
  else if (t.classList.contains("flt")) filter();
});

// ---- sorting -------------------------------------------------------------
var sortCol = -1, sortDir = 1;
function cellKey(row, col, num){
  var c = row.cells[col], v = c.getAttribute("data-v");
  if (c.classList.contains("dec")) v = row.dataset.st || "~";  // undecided last
  if (v === null) v = c.textContent;
  if (num) { var x = parseFloat(v); return isNaN(x) ? -Infinity : x; }
  return v.toLowerCase();
}
function sortBy(col){
  var th = table.tHead.rows[0].cells[col];
  if (th.classList.contains("nosort")) return;
  sortDir = (sortCol === col) ? -sortDir : 1; sortCol = col;
  var num = th.dataset.type === "num";
  var rows = Array.prototype.slice.call(tbody.rows);
  rows.sort(function(a, b){
    var x = cellKey(a, col, num), y = cellKey(b, col, num);
    if (x < y) return -sortDir; if (x > y) return sortDir;
    return (+a.dataset.i - +b.dataset.i);
  });
  var frag = document.createDocumentFragment();
  rows.forEach(function(r){ frag.appendChild(r); });
  tbody.appendChild(frag);
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function(h){ h.removeAttribute("aria-sort"); });
  th.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
}
if (table) Array.prototype.forEach.call(table.tHead.rows[0].cells, function(th, col){
  th.addEventListener("click", function(){ sortBy(col); });
});

// ---- filtering -----------------------------------------------------------
function filter(){
  var cls = document.getElementById("f-class").value;
  var pmin = parseFloat(document.getElementById("f-prob").value) || 0;
  var rev = document.getElementById("f-review").checked;
  var und = document.getElementById("f-undecided").checked;
  var shownN = 0;
  function keep(el){
    var i = el.dataset.i, d = state[i];
    return (!cls || el.dataset.cls === cls) && (parseFloat(el.dataset.p) >= pmin - 1e-12) &&
           (!rev || (el.dataset.rv === "1" && !(d && d.status))) && (!und || !(d && d.status));
  }
  rows.forEach(function(r){
    var k = keep(r); r.style.display = k ? "" : "none"; if (k) shownN++; });
  document.querySelectorAll("section.event").forEach(function(s){ s.style.display = keep(s) ? "" : "none"; });
  document.getElementById("nshown").textContent = shownN;
}

// ---- export --------------------------------------------------------------
function clean(s){ s = String(s == null ? "" : s).replace(/[\t\r\n]+/g, " ").trim(); return s === "" ? "n/a" : s; }
function decisionsTSV(){
  var cols = ["onset","duration","trial_type","channel","review_status","reviewer","comment","new_trial_type"];
  var lines = [cols.join("\t")];
  var who = reviewer();
  Array.prototype.slice.call(document.querySelectorAll("#events tbody tr"))
    .sort(function(a, b){ return +a.dataset.i - +b.dataset.i; })
    .forEach(function(r){
      var d = state[r.dataset.i];
      if (!d || (!d.status && !d.comment)) return;  // (a comment alone is a note, kept)
      // trial_type: the model's label (what "accept" accepts; apply_decisions matches it)
      lines.push([r.dataset.onset, r.dataset.duration, clean(r.dataset.model), clean(r.dataset.ch),
                  d.status || "n/a", clean(d.table ? d.reviewer : (d.reviewer || who)), clean(d.comment),
                  d.status === "relabelled" ? d.new_type : "n/a"].join("\t"));
    });
  return lines.join("\n") + "\n";
}
function exportTSV(){
  var msg = document.getElementById("msg");
  if (!Object.keys(state).length) { msg.textContent = "No decisions yet: choose accept / reject / relabel for some events."; return; }
  var blob = new Blob([decisionsTSV()], {type: "text/tab-separated-values"});
  var a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = META.stem + "_decisions.tsv";
  document.body.appendChild(a); a.click();
  setTimeout(function(){ URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  msg.textContent = "Saved " + a.download + (reviewer() ? "" : " (no reviewer name entered)");
}
document.getElementById("export").addEventListener("click", exportTSV);
document.getElementById("clear").addEventListener("click", function(){
  if (!window.confirm("Forget every decision made in this browser? (The events table's stay.)")) return;
  var ids = Object.keys(state); state = {};
  for (var i in BASE) state[i] = copy(BASE[i]);
  ids.forEach(paint); counts(); save(); filter();
});
document.getElementById("restore").addEventListener("click", function(){
  var n = 0, old = (older && older.decisions) || {};
  for (var k in old) { var d = old[k];
    if (!rowOf(k) || !d || !(d.status || d.comment)) continue;
    state[k] = copy(d); state[k].table = false; paint(k); n++; }
  if (older && older.reviewer && !reviewer()) document.getElementById("reviewer").value = older.reviewer;
  document.getElementById("restore").hidden = true;
  counts(); save(); filter();
  say(n + " decision(s) of an earlier version restored: check they are this recording's");
});

// ---- timeline click: jump to the nearest event -----------------------------
var tl = document.getElementById("timeline");
if (tl) tl.addEventListener("click", function(e){
  var r = tl.getBoundingClientRect(), fx = (e.clientX - r.left) / r.width, fy = (e.clientY - r.top) / r.height;
  var t = null;
  (META.timeline || []).forEach(function(P){
    if (fy >= P.top - 0.02 && fy <= P.bottom + 0.02 && fx >= P.left && fx <= P.right)
      t = P.t0 + (fx - P.left) / (P.right - P.left) * (P.t1 - P.t0);
  });
  if (t === null) return;
  // the nearest event shown (its span, not only its onset); one rejected only when the
  // click is on it (it is drawn, or marked, as no event)
  var best = null, bd = Infinity, tol = 0;
  (META.timeline || []).forEach(function(P){ tol = Math.max(tol, (P.t1 - P.t0) / 300); });
  rows.forEach(function(row){
    if (row.style.display === "none") return;
    var o = +row.dataset.onset, e = o + (+row.dataset.duration || 0), d = state[row.dataset.i];
    var dd = t < o ? o - t : (t > e ? t - e : 0);
    if (d && d.status === "rejected") dd = dd <= tol ? dd + tol : Infinity;
    if (dd < bd) { bd = dd; best = row; }
  });
  if (best) { var card = document.getElementById("ev-" + best.dataset.i);
    (card || best).scrollIntoView({behavior: "smooth", block: "center"});
    best.style.outline = "2px solid #0b57d0"; setTimeout(function(){ best.style.outline = ""; }, 2000); }
});

// feature descriptions as tooltips (kept once in META instead of on every card)
document.querySelectorAll(".feat [data-k]").forEach(function(el){
  var d = (META.descriptions || {})[el.dataset.k]; if (d) el.title = d; });

load();
Object.keys(state).forEach(paint);
counts(); filter();
window.movementReport = {decisionsTSV: decisionsTSV, state: function(){ return state; }, filter: filter};
})();
"""


def _esc(x: Any) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def _fmt(v: Any, digits: int = 3) -> str:
    """A value for display: numbers rounded, missing as an en dash."""
    if v is None:
        return "–"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        if not np.isfinite(v):
            return "–"
        a = abs(float(v))
        if a != 0 and (a < 10 ** -(digits - 1) or a >= 1e6):
            return f"{float(v):.{digits}g}"
        text = f"{float(v):.{digits}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    try:
        if pd.isna(v):
            return "–"
    except (TypeError, ValueError):
        pass
    return str(v)


def _duration_text(seconds: float) -> str:
    s = float(seconds)
    if s < 120:
        return f"{s:.1f} s"
    h, rem = divmod(int(round(s)), 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d} (h:mm:ss, {s:.0f} s)"


def _split_reason(reason: Any) -> tuple[str, str]:
    text = (
        "" if reason is None or (isinstance(reason, float) and math.isnan(reason)) else str(reason)
    )
    rules, _, why = text.partition(" | review: ")
    return rules.strip(), why.strip()


def _config(
    rec: Any, events: pd.DataFrame, settings: Settings | EMGConfig | AccelConfig | None
) -> EMGConfig | AccelConfig:
    """The config to clean the signal with: given, else the one stored with the events."""
    from .pipeline import _a, check_settings

    check_settings(settings)
    if isinstance(settings, (EMGConfig, AccelConfig)):
        if settings.modality != rec.modality:
            raise MovementError(
                f"{_a(settings.modality)} config was given for {_a(rec.modality)} recording"
            )
        return settings
    if isinstance(settings, Settings):
        return settings.for_modality(rec.modality)  # type: ignore[return-value]
    base = Settings().for_modality(rec.modality)
    params = events.attrs.get("parameters") or {}
    stored = params.get("config") if isinstance(params, dict) else None
    if isinstance(stored, dict) and params.get("modality", rec.modality) == rec.modality:
        try:
            return base.replace(**stored)  # type: ignore[return-value]
        except (MovementError, TypeError, ValueError) as exc:
            # (settings another version accepted, or an edited JSON: said, not silent)
            warnings.warn(
                f"the settings stored with the events cannot be used ({exc}); the signal "
                "is cleaned with the defaults",
                stacklevel=3,
            )
    return base  # type: ignore[return-value]


def _stem_of(path: Path) -> str:
    name = path.name
    for tail in ("_report.html", ".html", ".htm"):
        if name.lower().endswith(tail):
            return name[: -len(tail)] or "recording"
    return path.stem or "recording"


def _per_day_html(events: pd.DataFrame, duration: float, start: Any) -> str:
    """A table of each day (:func:`movement.output.period_summary`) for a recording that
    spans more than one; empty otherwise."""
    from .output import period_summary

    ev = events.copy(deep=False)
    ev.attrs = {**events.attrs, "duration": duration}
    if ev.attrs.get("start") is None and start is not None:
        ev.attrs["start"] = pd.Timestamp(start).isoformat()
    days = period_summary(ev, "day")
    if len(days) < 2:
        return ""

    def hours(v: Any) -> str:
        return "–" if v is None or pd.isna(v) else f"{float(v) / 3600:.1f}"

    rows = []
    for d in days.itertuples(index=False):  # loop over the days
        when = d.clock_start if isinstance(d.clock_start, str) else f"+{d.start_s / 3600:.1f} h"
        frac = d.dystonia_time_fraction
        rows.append(
            f"<tr><td class='num'>{d.period}</td><td>{_esc(when)}</td>"
            f"<td class='num'>{hours(d.recorded_s)}</td><td class='num'>{hours(d.nonwear_s)}</td>"
            f"<td class='num'>{d.n_fasciculation}</td><td class='num'>{d.n_dystonia}</td>"
            f"<td class='num'>{d.n_other}</td>"
            f"<td class='num'>{_fmt(None if pd.isna(frac) else 100 * frac, 2)}</td>"
            f"<td class='num'>{d.n_review}</td></tr>"
        )
    head = (
        "<tr><th>day</th><th>from</th><th>recorded (h)</th><th>not worn (h)</th>"
        "<th>fasciculation-like</th><th>dystonia-like</th><th>other</th>"
        "<th>dystonia-like time (%)</th><th>flagged</th></tr>"
    )
    note = (
        '<p class="muted small">Events counted on the day of their onset; days from midnight '
        "when the recording gives its start time, else 24 h from its first sample "
        "(<code>movement score --per day</code> writes this table).</p>"
    )
    return f"<h2>Per day</h2><div class='panel'><table>{head}{''.join(rows)}</table></div>{note}"


def _per_channel_html(events: pd.DataFrame, duration: float, sites: Sequence[str]) -> str:
    """A table of each channel or sensor (:func:`movement.output.channel_summary`) for a
    recording with more than one; empty otherwise."""
    from .output import channel_summary

    ev = events.copy(deep=False)
    ev.attrs = dict(events.attrs)
    ev.attrs.setdefault("duration", duration)
    per = channel_summary(ev)
    # (the page's sites first, as its timeline names them)
    order = {s: i for i, s in enumerate(sites)}
    per = per.iloc[np.argsort([order.get(c, len(order)) for c in per["channel"]], kind="stable")]
    if len(per) < 2:
        return ""

    def num(v: Any, digits: int = 3) -> str:
        return _fmt(None if v is None or pd.isna(v) else float(v), digits)

    rows = []
    for c in per.itertuples(index=False):  # loop over the channels (a few)
        frac = c.dystonia_time_fraction
        rows.append(
            f"<tr><td>{_esc(str(c.channel))}</td>"
            f"<td class='num'>{c.n_fasciculation}</td>"
            f"<td class='num'>{num(c.rate_per_min_fasciculation)}</td>"
            f"<td class='num'>{num(c.fasciculation_interval_median_s)}</td>"
            f"<td class='num'>{c.n_dystonia}</td>"
            f"<td class='num'>{num(None if pd.isna(frac) else 100 * frac, 2)}</td>"
            f"<td class='num'>{c.n_other}</td><td class='num'>{c.n_review}</td></tr>"
        )
    head = (
        "<tr><th>channel</th><th>fasciculation-like</th><th>per min</th>"
        "<th>median interval (s)</th><th>dystonia-like</th><th>dystonia-like time (%)</th>"
        "<th>other</th><th>flagged</th></tr>"
    )
    note = (
        '<p class="muted small">An event counts on every channel it names (a '
        "co-contraction on each muscle it involves); an accelerometer's three axes are one "
        "site (<code>movement score --per channel</code> writes this table).</p>"
    )
    return (
        f"<h2>Per channel</h2><div class='panel'><table>{head}{''.join(rows)}</table></div>{note}"
    )


def _reviewed_view(events: pd.DataFrame, review: _Review) -> tuple[pd.DataFrame, np.ndarray]:
    """The events a reviewed table counts (less the rejected ones; a relabelled one as its
    new class), with ``review`` set to the flagged events not yet reviewed; and, per event
    of ``events``, whether it is flagged and not yet reviewed."""
    flags = _flags(events)
    decided = review.decided()
    waiting = flags & ~decided
    if not decided.any():
        return events, waiting
    keep = np.array([s != "rejected" for s in review.status], dtype=bool)
    counted = events[keep].assign(
        trial_type=[w for w, k in zip(review.now, keep, strict=True) if k], review=waiting[keep]
    )
    counted.attrs = dict(events.attrs)
    return counted, waiting


def _reviewed_note(review: _Review) -> str:
    """A line under the summary saying it counts a reviewed table as reviewed."""
    if not review.decided().any():
        return ""
    n_rej = sum(s == "rejected" for s in review.status)
    n_rel = sum(s == "relabelled" for s in review.status)
    return (
        '<p class="muted small">Counted as reviewed: '
        f"{int(review.decided().sum())} event(s) reviewed in the events table, {n_rej} "
        f"rejected (left out), {n_rel} relabelled (counted as their new class); "
        "<i>flagged</i>: flagged events not yet reviewed.</p>"
    )


def _summary_html(summ: dict[str, Any]) -> str:
    rows = []
    for c in CLASSES:
        d = summ["classes"][c]
        rows.append(
            f'<tr><td><span class="badge b-{c}">{c}</span></td><td class="num">{d["n"]}</td>'
            f'<td class="num">{_fmt(d["per_min"])}</td><td class="num">{d["n_review"]}</td></tr>'
        )
    classes = (
        '<div class="stat"><h3>Events per class</h3><table><tr class="muted small"><td></td>'
        "<td>n</td><td>per min</td><td>flagged</td></tr>" + "".join(rows) + "</table></div>"
    )
    dy = summ["dystonia"]
    dyst = (
        '<div class="stat"><h3>Dystonia-like events</h3><table>'
        f"<tr><td>number</td><td>{dy['n']}</td></tr>"
        f"<tr><td>time covered</td><td>{_fmt(dy['covered_s'], 1)} s</td></tr>"
        f"<tr><td>fraction of recording</td><td>{_fmt(None if dy['time_fraction'] is None else 100 * dy['time_fraction'], 2)} %</td></tr>"
        f"<tr><td>median / longest</td><td>{_fmt(dy['median_s'], 2)} / {_fmt(dy['longest_s'], 2)} s</td></tr>"
        "</table></div>"
    )
    tr = summ["tremor"]
    trem = (
        '<div class="stat"><h3>Tremor frequency</h3><table>'
        f"<tr><td>median</td><td><b>{_fmt(tr['median_hz'], 2)}</b> Hz</td></tr>"
        f"<tr><td>IQR</td><td>{_fmt(tr['q25_hz'], 2)} – {_fmt(tr['q75_hz'], 2)} Hz</td></tr>"
        f"<tr><td>from</td><td>{tr['n']} sustained events</td></tr></table>"
        f'<div class="muted small">dominant frequency of sustained events with<br>'
        f"tremor_band_ratio ≥ {TREMOR_BAND_RATIO_HIGH}</div></div>"
    )
    fi = summ["fasciculation_intervals"]
    fasc = (
        '<div class="stat"><h3>Fasciculation-like intervals</h3><table>'
        f"<tr><td>intervals</td><td>{fi['n']}</td></tr>"
        f"<tr><td>median / mean</td><td>{_fmt(fi['median_s'], 2)} / {_fmt(fi['mean_s'], 2)} s</td></tr>"
        f"<tr><td>min / max</td><td>{_fmt(fi['min_s'], 3)} / {_fmt(fi['max_s'], 1)} s</td></tr>"
        f"<tr><td>CV</td><td>{_fmt(fi['cv'], 2)}</td></tr></table>"
        '<div class="muted small">CV ≈ 1: Poisson-like; low: a regular train</div></div>'
    )
    return f'<div class="cards">{classes}{dyst}{trem}{fasc}</div>'


@dataclass
class _Review:
    """The review an events table holds, per row (:mod:`movement.review`'s reading of it):
    ``status`` (one of :data:`movement.review.STATUSES` or None), ``now`` (the label now:
    a relabelled event's new class), ``model`` (the model's label: ``original_trial_type``
    of a relabelled event; None when a reviewer relabelled it in place without it),
    ``reviewer`` and ``comment`` (None when empty)."""

    status: list[str | None]
    now: list[str]
    model: list[str | None]
    reviewer: list[str | None]
    comment: list[str | None]

    @classmethod
    def of(cls, events: pd.DataFrame) -> _Review:
        from .review import _ALIASES, _class, _text

        n = len(events)

        def col(c: str) -> list[Any]:
            return events[c].tolist() if c in events.columns else [None] * n

        status = [_ALIASES.get((_text(v) or "").lower()) for v in col("review_status")]
        now = [_class(v) or str(v) for v in col("trial_type")]
        original = [_class(v) for v in col("original_trial_type")]
        model = [
            o if o is not None else (None if st == "relabelled" else w)
            for o, st, w in zip(original, status, now, strict=True)
        ]
        return cls(
            status,
            now,
            model,
            [_text(v) for v in col("reviewer")],
            [_text(v) for v in col("comment")],
        )

    def decided(self) -> np.ndarray:
        return np.array([s is not None for s in self.status], dtype=bool)


def _shown_probability(events: pd.DataFrame, review: _Review) -> np.ndarray:
    """Per event, the model's probability of the label it has now (its ``p_`` column): a
    relabelled event's of its new class, n/a when the table has no such column."""
    from .review import P_COLUMNS

    prob = _num(events, "probability")
    out = prob.copy()
    for c, pcol in P_COLUMNS.items():
        if pcol not in events.columns:
            continue
        m = np.array([w == c for w in review.now], dtype=bool)
        out[m] = _num(events, pcol)[m]
    relab = np.array(
        [
            s == "relabelled" and P_COLUMNS.get(w) not in events.columns
            for s, w in zip(review.status, review.now, strict=True)
        ],
        dtype=bool,
    )
    out[relab] = np.nan  # (the model's probability of the reviewer's class is not known)
    return out


def _storage_key(events: pd.DataFrame, stem: str, source: Any, duration: float) -> str:
    """The key a page keeps its decisions under in the browser: the recording (its file's
    name, its length) and its events (onset, duration, channel to the millisecond) with the
    parameters' hash, so that two recordings of one name (``1.txt`` of two subjects scored
    into two folders with the same settings) never share decisions, and a page drawn again
    from the same events (after their review was applied) finds them."""
    import hashlib

    onset, dur = _num(events, "onset"), _num(events, "duration")
    chans = events["channel"].tolist() if "channel" in events.columns else [None] * len(events)
    items = [
        stem,
        Path(str(source)).name,
        str(events.attrs.get("parameters_hash") or ""),
        f"{float(duration):.3f}",
        *(
            f"{o:.3f}/{d:.3f}/{'' if c is None or (isinstance(c, float) and math.isnan(c)) else c}"
            for o, d, c in zip(onset, dur, chans, strict=True)
        ),
    ]
    return hashlib.sha256("\n".join(items).encode("utf-8")).hexdigest()[:20]


def _p_text(v: float) -> str:
    """A probability as a page's data attribute: exact (shortest round trip, so the page's
    JavaScript rounds the value Python rounds), empty when not known."""
    return repr(float(v)) if np.isfinite(v) else ""


def _class_probabilities(events: pd.DataFrame) -> list[str]:
    """Per event, a ``data-pc`` attribute with the model's probability of each class, in
    :data:`movement.classify.CLASSES` order (the page shows the one of the class a reviewer
    picks, as :func:`movement.review.apply_decisions` gives it), empty for a class whose
    ``p_`` column the table lacks; no attribute without any ``p_`` column."""
    from .review import P_COLUMNS

    if not any(c in events.columns for c in P_COLUMNS.values()):
        return [""] * len(events)
    ps = np.column_stack([_num(events, P_COLUMNS.get(c, "")) for c in CLASSES])
    return [' data-pc="' + ",".join(_p_text(v) for v in row) + '"' for row in ps]


def _decision_select(i: int, model: str | None) -> str:
    """The decision control of event ``i``: accept (the model's label ``model``), reject, or
    relabel as another class (every class when the model's label is not known)."""
    relabel = "".join(f'<option value="relabelled:{c}">{c}</option>' for c in CLASSES if c != model)
    accept = f"accept ({_esc(model)})" if model else "accept"
    return (
        f'<select class="st" data-i="{i}" aria-label="decision for event {i}">'
        f'<option value="">undecided</option><option value="accepted">{accept}</option>'
        '<option value="rejected">reject (no event)</option>'
        f'<optgroup label="relabel as">{relabel}</optgroup></select>'
    )


def _class_html(now: str, model: str | None, status: str | None) -> str:
    """An event's class badge, the model's label under it when a reviewer relabelled it, and
    "rejected" when a reviewer rejected it (not an event)."""
    was = (
        f' <span class="was small muted">model: {_esc(model)}</span>'
        if status == "relabelled" and model and model != now
        else ""
    )
    if status == "rejected":
        was += ' <span class="rej small">rejected</span>'
    return f'<span class="badge b-{_esc(now)}">{_esc(now)}</span>{was}'


def _review_attrs(review: _Review, i: int) -> str:
    """The data attributes of a row with the decision its events table holds (the page
    starts from it)."""
    st, by, cm = review.status[i], review.reviewer[i], review.comment[i]
    if st is None and cm is None:
        return ""
    out = f' data-st0="{_esc(st or "")}"'
    if st == "relabelled":
        out += f' data-nt0="{_esc(review.now[i])}"'
    if by is not None:
        out += f' data-by0="{_esc(by)}"'
    if cm is not None:
        out += f' data-cm0="{_esc(cm)}"'
    return out


def _table_html(events: pd.DataFrame, plotted: set[int], start: datetime | None) -> list[str]:
    """The events table's HTML, in pieces (a row each: a long recording's table is tens of
    MB, not copied whole again to be written)."""
    heads = [
        ("#", "num", ""),
        ("onset (s)", "num", "Start from the recording's first sample"),
        ("duration (s)", "num", ""),
        ("class", "str", ""),
        ("probability", "num", COLUMN_DESCRIPTIONS["probability"]["Description"]),
        ("review", "str", COLUMN_DESCRIPTIONS["review"]["Description"]),
        ("channel", "str", ""),
        ("SNR (dB)", "num", COLUMN_DESCRIPTIONS["snr_db"]["Description"]),
        ("dom. freq (Hz)", "num", COLUMN_DESCRIPTIONS["dominant_frequency_hz"]["Description"]),
        ("reason", "str", COLUMN_DESCRIPTIONS["reason"]["Description"]),
        (
            "decision",
            "str",
            "accept / reject / relabel, and a comment (exported with the button above)",
        ),
    ]
    if start is not None:
        heads.insert(2, ("clock time", "num", "Wall-clock time of the onset"))
    th = "".join(
        f'<th data-type="{t}"{" class=nosort" if t == "nosort" else ""} title="{_esc(tip)}">{_esc(h)}</th>'
        for h, t, tip in heads
    )
    onset = _num(events, "onset")
    dur = _num(events, "duration")
    review = _Review.of(events)
    prob = _shown_probability(events, review)
    snr = _num(events, "snr_db")
    fdom = _num(events, "dominant_frequency_hz")
    flags = _flags(events)
    labels = review.now
    pc = _class_probabilities(events)
    chans = (
        events["channel"].to_numpy(object) if "channel" in events.columns else [None] * len(events)
    )
    reasons = (
        events["reason"].to_numpy(object) if "reason" in events.columns else [None] * len(events)
    )
    rows = []
    for i in range(len(events)):
        cls = labels[i]
        rules, why = _split_reason(reasons[i])
        ch = (
            ""
            if chans[i] is None or (isinstance(chans[i], float) and math.isnan(chans[i]))
            else str(chans[i])
        )
        clock = (
            f'<td data-v="{onset[i]:.6f}">'
            + _esc(
                (start + timedelta(seconds=float(onset[i]))).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
            )
            + "</td>"
            if start is not None
            else ""
        )
        idx = f'<a href="#ev-{i}" title="jump to the plot">{i}</a>' if i in plotted else str(i)
        p = prob[i] if np.isfinite(prob[i]) else 0.0
        model = review.model[i]
        rows.append(
            f'<tr id="row-{i}" data-i="{i}" data-cls="{_esc(cls)}" data-p="{p:.6f}" '
            f'data-rv="{int(flags[i])}" data-onset="{onset[i]:.6f}" data-duration="{dur[i]:.6f}" '
            f'data-ch="{_esc(ch)}" data-model="{_esc(model or "")}" data-now="{_esc(cls)}" '
            f'data-p0="{_p_text(prob[i])}"{pc[i]}{_review_attrs(review, i)}>'
            f'<td class="num" data-v="{i}">{idx}</td>'
            f'<td class="num" data-v="{onset[i]:.6f}" title="{_clock_ms(onset[i])}">'
            f"{onset[i]:.3f}</td>{clock}"
            f'<td class="num" data-v="{dur[i]:.6f}">{_fmt(dur[i], 3)}</td>'
            f'<td class="cl" data-i="{i}" data-v="{_esc(cls)}">'
            f"{_class_html(cls, model, review.status[i])}</td>"
            f'<td class="num pr" data-v="{p:.6f}">'
            + (f"{prob[i]:.2f}" if np.isfinite(prob[i]) else "–")
            + "</td>"
            f'<td class="rv" data-v="{int(flags[i])}" title="{_esc(why)}">'
            + (f'<span class="flag">⚑</span> {_esc(why)}' if flags[i] else "")
            + "</td>"
            f"<td>{_esc(ch)}</td>"
            f'<td class="num" data-v="{snr[i]}">{_fmt(snr[i], 1)}</td>'
            f'<td class="num" data-v="{fdom[i]}">{_fmt(fdom[i], 1)}</td>'
            f'<td class="why">{_esc(rules)}</td>'
            f'<td class="dec">{_decision_select(i, model)}'
            f'<input class="cm" data-i="{i}" placeholder="comment" aria-label="comment on event {i}">'
            f'<span class="by small muted" data-i="{i}"></span></td>'
            "</tr>"
        )
    return [
        f'<table class="ev" id="events"><thead><tr>{th}</tr></thead><tbody>',
        *rows,
        "</tbody></table>",
    ]


def _clock_ms(seconds: float) -> str:
    if not np.isfinite(seconds):
        return "–"
    ms = int(round(float(seconds) * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h}:{m:02d}:{s:02d}.{ms:03d}"


def _feature_html(row: pd.Series) -> str:
    names = ["p_fasciculation", "p_dystonia", "p_other", "scale", *FEATURES]
    items = []
    for n in names:
        if n not in row.index:
            continue
        desc = COLUMN_DESCRIPTIONS.get(n, {})
        unit = desc.get("Units", "")
        unit = unit if unit and len(unit) < 8 else ""
        v = row[n]
        if n.startswith("p_"):
            p = pd.to_numeric(v, errors="coerce")
            text = f"{p:.3f}" if np.isfinite(p) else "–"
        else:
            text = _fmt(v)
        if unit and text != "–":
            text += " " + ("°" if unit == "degrees" else unit)
        items.append(f'<div data-k="{_esc(n)}"><span>{_esc(n)}</span> {_esc(text)}</div>')
    return f'<div class="feat">{"".join(items)}</div>'


def _event_card(i: int, row: pd.Series, img: str, review: _Review, p_shown: float) -> str:
    cls, model, status = review.now[i], review.model[i], review.status[i]
    rules, why = _split_reason(row.get("reason"))
    from .review import P_COLUMNS

    p = float(np.nan_to_num(p_shown))
    p_text = f"p = {p_shown:.2f}" if np.isfinite(p_shown) else "p = –"
    if status == "relabelled" and model and model != cls:  # (the model's p of its own label)
        pm = pd.to_numeric(row.get(P_COLUMNS.get(model, ""), np.nan), errors="coerce")
        p_text += f" (model: {model}" + (f", p = {pm:.2f})" if np.isfinite(pm) else ")")
    flagged = bool(row.get("review")) if not pd.isna(row.get("review")) else False
    ch = row.get("channel")
    ch = "" if ch is None or (isinstance(ch, float) and math.isnan(ch)) else str(ch)
    onset = float(row["onset"])
    dur = float(np.nan_to_num(pd.to_numeric(row.get("duration"), errors="coerce")))
    flag = f'<span class="flag">⚑ review: {_esc(why)}</span>' if flagged else ""
    rejected = " rejected" if status == "rejected" else ""
    return (
        f'<section class="event c-{_esc(cls)}{rejected}" id="ev-{i}" data-i="{i}" '
        f'data-cls="{_esc(cls)}" data-p="{p:.6f}" data-rv="{int(flagged)}">'
        f'<h3><a href="#row-{i}" title="back to the table">#{i}</a>'
        f"<span>{onset:.3f} s ({_clock_ms(onset)})</span><span>{_fmt(dur, 3)} s</span>"
        f'<span class="cl" data-i="{i}">{_class_html(cls, model, status)}</span>'
        f'<span class="pp" data-i="{i}">{_esc(p_text)}</span>'
        f"<span>channel {_esc(ch)}</span>{flag}</h3>"
        f'<div class="body"><img src="{img}" alt="signal and envelope around event {i}" '
        'decoding="async"><div>'
        f'<div class="reason"><b>Why {_esc(model or cls)}:</b> {_esc(rules) or "–"}</div>'
        f"{_feature_html(row)}</div></div>"
        f'<div class="decide"><label>Decision {_decision_select(i, model)}</label>'
        f'<label>Comment <input class="cm" data-i="{i}" placeholder="comment"></label>'
        f'<span class="by small muted" data-i="{i}"></span></div>'
        "</section>"
    )


def _params_html(cfg: EMGConfig | AccelConfig) -> str:
    rows = "".join(
        f"<tr><td>{_esc(d['name'])}</td><td>{_esc(d['value'])}</td><td>{_esc(d['unit'])}</td>"
        f'<td class="muted">{_esc(d["source"])}</td></tr>'
        for d in cfg.describe()
    )
    return (
        f"<details><summary>Parameters ({cfg.modality})</summary>"
        f'<table class="params">{rows}</table></details>'
    )


def _checked(events: pd.DataFrame) -> pd.DataFrame:
    """The events table, indexed 0..n-1, with the columns the page needs."""
    events = events.reset_index(drop=True)
    if "trial_type" not in events.columns:
        raise MovementError("events table has no 'trial_type' column")
    if "onset" not in events.columns:
        raise MovementError("events table has no 'onset' column")
    return events


def _calibration_text(cal: dict[str, Any]) -> str:
    """One line per sensor of the gravity calibration: applied with its error before and
    after, or why not."""
    parts = []
    for s in cal.get("sites", []):  # loop over the sensors (a few)
        if s["applied"]:
            parts.append(
                f"{s['site']}: applied, error {s['error_before_mg']:.1f} -> "
                f"{s['error_after_mg']:.1f} mg over {s['n_windows']} still windows"
            )
        else:
            err = s.get("error_before_mg")
            parts.append(
                f"{s['site']}: not applied ({s['reason']})"
                + (f", error as read {err:.1f} mg" if err is not None else "")
            )
    return "; ".join(parts)


def _calibration(events: pd.DataFrame, k: int) -> Any:
    """The calibration the events were scored with (their ``attrs``), to draw the signals
    as they were scored; None without one."""
    from .calibration import Calibration

    return Calibration.from_dict(events.attrs.get("calibration"), k)


def _render(
    rec: Recording,
    events: pd.DataFrame,
    cfg: EMGConfig | AccelConfig,
    stem: str,
    max_event_plots: int,
) -> list[str]:
    """The page (in pieces) of a recording held in memory: its signals preprocessed whole."""
    mpl = _matplotlib()
    from .preprocess import preprocess

    events = _checked(events)
    duration = float(rec.duration)
    pre = preprocess(rec, cfg, calibration=_calibration(events, len(rec.channels)))
    timeline = _timeline_png(_TimelineBins.of(pre, duration), events, _units(rec), mpl)
    plotted = select_event_plots(events, max_event_plots)
    pngs = {
        i: _event_png(_event_view(pre, 0, events, i, duration), rec.fs, _units(rec), mpl)
        for i in plotted
    }
    return _page(rec, events, cfg, stem, max_event_plots, timeline, pngs, pre.sites)


def _page(
    rec: Any,
    events: pd.DataFrame,
    cfg: EMGConfig | AccelConfig,
    stem: str,
    max_event_plots: int,
    timeline: tuple[bytes, list[dict[str, float]]],
    pngs: dict[int, bytes],
    sites: tuple[str, ...],
) -> list[str]:
    """The HTML of a page, in pieces, from its parts: the timeline and the event plots (row -> PNG).

    ``rec``: the recording, or a stream source's header (``fs``, ``modality``,
    ``channels``, ``units``, ``duration``, ``source``, ``start``, ``notes``).
    """
    a = events.attrs
    duration = float(rec.duration)
    timeline_png, timeline_layout = timeline
    plotted = sorted(pngs, key=lambda i: (float(events["onset"].iloc[i]), i))
    review = _Review.of(events)
    p_shown = _shown_probability(events, review) if len(events) else np.zeros(0)
    cards = [
        _event_card(i, events.iloc[i], _data_uri(pngs[i]), review, p_shown[i]) for i in plotted
    ]
    # rates over the time recorded (the pieces between long gaps, when there are any); a
    # reviewed table counted as reviewed (as the per-day tables and movement.period_summary)
    counted, waiting = _reviewed_view(events, review)
    summ = report_summary(counted, float(a.get("recorded_duration", duration)))
    source = rec.source or a.get("source") or stem
    version = a.get("movement_version", __version__)
    phash = a.get("parameters_hash") or "–"
    model = a.get("model") or (a.get("parameters") or {}).get("model") or "–"
    meta = {
        "stem": stem,
        "parameters_hash": phash,
        "n_events": int(len(events)),
        "key": _storage_key(events, stem, source, duration),
        "classes": list(CLASSES),
        "timeline": timeline_layout,
        # the events the timeline's image draws as rejected (an outline, not an event):
        # the page marks over it the decisions made since
        "timeline_rejected": [int(j) for j in np.flatnonzero(_rejected(events))],
        "descriptions": {k: v.get("Description", k) for k, v in COLUMN_DESCRIPTIONS.items()},
    }
    start = rec.start
    notes = dict(rec.notes or {})
    meta_rows = [
        ("File", f'<span title="{_esc(source)}">{_esc(source)}</span>'),
        ("Modality", _esc(rec.modality)),
        ("Sampling rate", f"{rec.fs:g} Hz"),
        ("Duration", _esc(_duration_text(duration))),
        ("Channels", _esc(", ".join(rec.channels)) + f" ({_esc(_units(rec))})"),
        ("Start", _esc(start.isoformat()) if start else "unknown"),
        ("movement version", _esc(version)),
        ("Parameters hash", f"<code>{_esc(phash)}</code>"),
        ("Model", _esc(model)),
    ]
    recorded = a.get("recorded_duration")
    whole = a.get("duration") if a.get("duration") is not None else duration
    if recorded is not None and float(recorded) != float(whole):
        # (less long gaps; every table carries it, equal to the duration without one)
        meta_rows.append(("Recorded", _esc(_duration_text(float(recorded)))))
    if a.get("nonwear_s"):
        meta_rows.append(
            (
                "Not worn",
                _esc(
                    f"{_duration_text(float(a['nonwear_s']))} in "
                    f"{len(a.get('nonwear') or [])} stretch(es) (shaded beige on the timeline; "
                    "events there are flagged for review)"
                ),
            )
        )
    if a.get("calibration"):
        meta_rows.append(("Calibration", _esc(_calibration_text(a["calibration"]))))
    if a.get("ecg") is not None:
        meta_rows.append(("ECG", _esc(_ecg_text(a["ecg"]))))
    if notes:
        meta_rows.append(("Reader notes", _esc("; ".join(f"{k}: {v}" for k, v in notes.items()))))
    # what scoring added: settings the rate changed, pieces between gaps, calibration,
    # non-wear not judged, how a long file was streamed
    scored = a.get("notes") if isinstance(a.get("notes"), dict) else {}
    extra = {k: v for k, v in scored.items() if notes.get(k) != v}
    if extra:
        meta_rows.append(("Scoring notes", _esc("; ".join(f"{k}: {v}" for k, v in extra.items()))))
    meta_rows.append(("Report written", _esc(datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))))
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in meta_rows)
    n_flag = int(waiting.sum())
    class_opts = "".join(f'<option value="{c}">{c}</option>' for c in CLASSES)
    flags = _flags(events)
    unplotted_flags = int(flags.sum()) - int(sum(1 for i in plotted if flags[i]))
    plots_note = (
        f"Plots of {len(plotted)} of {len(events)} events"
        + (
            f" (max_event_plots = {max_event_plots}; review-flagged first)"
            if len(plotted) < len(events)
            else ""
        )
        + (
            f". {unplotted_flags} review-flagged event(s) have no plot: more are flagged than "
            "plots are drawn (raise max_event_plots: --max-plots of movement score --report or "
            "movement report); in the "
            "table, the number of an event with a plot links to it"
            if unplotted_flags > 0
            else ""
        )
        + ". Grey: cleaned signal (band-passed EMG, or dynamic acceleration magnitude); black: the "
        "envelope the event was found on; shaded: this event (class colour) and its neighbours; "
        "dashed outline: an event rejected by a reviewer in the events table."
    )
    cards_html = "".join(cards) if cards else '<p class="muted">No events to plot.</p>'
    table_html = (
        _table_html(events, set(plotted), start)
        if len(events)
        else ['<p class="muted">No events found.</p>']
    )
    meta_json = json.dumps(meta).replace("</", "<\\/")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="generator" content="movement {_esc(__version__)}">
<title>movement report – {_esc(stem)}</title>
<style>{_CSS}</style></head>
<body><main>
<h1>movement review page: {_esc(Path(str(source)).name)}</h1>
<div class="disclaimer">{_esc(DISCLAIMER)}</div>
<dl class="meta">{dl}</dl>
{_params_html(cfg)}
<h2>Summary</h2>
{_summary_html(summ)}{_reviewed_note(review)}
<p id="live-note" class="small" hidden><b><span id="nlive">0</span> decision(s) made on this page</b> are not counted in this summary and not drawn in the timeline's image (they are marked over it) or in the event plots: they count once exported, applied (<code>movement review apply</code>) and the page drawn again.</p>
{_per_day_html(events, duration, start)}
{_per_channel_html(events, duration, sites)}
<h2>Timeline</h2>
<div class="panel"><div class="tlwrap"><img id="timeline" src="{_data_uri(timeline_png)}" alt="timeline of the whole recording with events coloured by class" title="click to jump to the nearest event"><div id="tl-marks" aria-hidden="true"></div></div></div>
<p class="muted small">Black: envelope (maximum over {_esc(", ".join(sites))}); spans and the lanes at the top: events by class; dashed outline: rejected by a reviewer in the events table (not an event, not counted); hatched: gaps; beige: not worn. Decisions made on this page are marked over the image until it is drawn again: white with a dashed border where an event was rejected here, the class colour where one was relabelled or its rejection undone. Click the timeline to jump to the nearest event.</p>
<h2>Events</h2>
<div class="controls" id="reviewbar">
<label>Reviewer <input id="reviewer" placeholder="your name" autocomplete="name"></label>
<button id="export" type="button">Export decisions (TSV)</button>
<span class="small"><span id="ndecided">0</span> decided</span>
<button id="clear" type="button" class="small">Clear decisions</button>
<span id="msg" class="small"></span>
<button id="restore" type="button" class="small" hidden title="Decisions an earlier version of this page kept in this browser, under a name other pages of a recording of this file name, settings and number of events shared: restore them only if you made them on this recording">Restore decisions saved by an earlier version</button>
</div>
<div class="controls">
<label>Class <select id="f-class" class="flt"><option value="">all</option>{class_opts}</select></label>
<label>Min probability <input id="f-prob" class="flt" type="number" min="0" max="1" step="0.05" value="0" style="width:5em"></label>
<label><input id="f-review" class="flt" type="checkbox"> flagged for review, undecided only (<span id="nflag">{n_flag}</span>)</label>
<label><input id="f-undecided" class="flt" type="checkbox"> undecided only</label>
<span class="muted small"><span id="nshown">{len(events)}</span> of {len(events)} shown · click a column header to sort</span>
</div>
<div class="tablewrap">{_TABLE}</div>
<p class="muted small">The page starts from the decisions its events table holds (a review applied to it, or filled in); decisions made here are kept in this browser (local storage) until exported. The exported <code>{_esc(stem)}_decisions.tsv</code> holds both, with the model's label of each event, and is read by <code>movement.review.read_decisions</code> and <code>movement train --reviewed</code>. A decision or comment the table holds is not taken back by an export: change it, or edit the table.</p>
<h2>Event plots</h2>
<p class="muted small">{_esc(plots_note)}</p>
{cards_html}
<p class="muted small">{_esc(DISCLAIMER)}</p>
</main>
<script type="application/json" id="report-meta">{meta_json}</script>
<script>{_JS}</script>
</body></html>
"""
    head, tail = page.split(_TABLE)
    return [head, *table_html, tail]


#: where the events table goes in the page's text
_TABLE = "\x00events-table\x00"


def _page_path(path: str | Path, rec: Any, events: Any) -> Path:
    """The HTML file for ``path``: ``path`` itself, or, for a folder (one that exists, or a
    path ending in a separator), ``<stem>_report.html`` inside it, the stem the events
    table was written under (``<stem>_events.tsv``, ``attrs["events_file"]``), else the
    recording's file name up to its first dot (``movement score``'s stem), else
    ``recording``.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> _page_path(folder, "data/P01.csv.gz", pd.DataFrame()).name
    'P01_report.html'
    >>> _page_path(folder + "/page.html", "data/P01.csv", pd.DataFrame()).name
    'page.html'
    """
    text = os.fspath(path)
    out = Path(text)
    if not (out.is_dir() or text.endswith(("/", os.sep))):
        return out
    attrs = getattr(events, "attrs", None) or {}
    stem = None
    table = attrs.get("events_file")
    if isinstance(table, str) and table.endswith("_events.tsv"):
        stem = Path(table).name[: -len("_events.tsv")]
    if not stem:
        source = rec if isinstance(rec, (str, os.PathLike)) else getattr(rec, "source", None)
        source = source or attrs.get("source")
        if source:
            name = Path(os.fspath(source)).name
            stem = name.split(".")[0] if not name.startswith(".") else name
    return out / f"{stem or 'recording'}_report.html"


def _write_page(path: Path, parts: list[str]) -> Path:
    """Write a page's pieces to ``path`` (UTF-8, atomically), without joining them first."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.writelines(parts)
        fh.flush()
        os.fsync(fh.fileno())
    return path


def _units(rec: Any) -> str:
    return "g" if rec.modality == "accel" else (rec.units or "a.u.")


def _timeline_layout(duration: float) -> tuple[int, float]:
    nice = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400]
    panel = duration
    if duration > 900:
        panel = next((p for p in nice if duration / p <= _MAX_TIMELINE_PANELS), duration)
        panel = panel if duration > panel else duration
    return max(1, math.ceil(duration / panel - 1e-9)), float(panel)


#: seconds an onset may lie past the recording's end (an events table's rounding)
_ONSET_SLACK_S = 1e-3


def _same_file(a: str, b: str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except (OSError, RuntimeError, ValueError):
        return a == b


def _same_source(source: str, drawn: str, events_file: Any = None) -> bool | None:
    """Whether the file the events were found in (``source``, as their sidecar gives it)
    is the file ``drawn``: True, False (a file of that name is another one), or None (no
    file of that name can be found: a moved or renamed recording).

    ``source`` is the path the recording was scored as, relative to the folder scored in
    when given so (``movement score rec.csv --out ../results``): it is looked for from the
    current folder and from the events table's (``events_file``); a relative path found
    in neither names the file drawn when it is the end of the drawn file's path (the
    folder it was relative to, unknown, then holds the file drawn).

    Examples
    --------
    >>> _same_source("data/rec.csv", "/nowhere/study/data/rec.csv")
    True
    >>> _same_source("data/rec.csv", "/nowhere/study/other/rec.csv") is None
    True
    """
    given = Path(source)
    looked = [given]
    if not given.is_absolute() and events_file:
        looked.append(Path(str(events_file)).parent / given)
    if any(_same_file(str(p), drawn) for p in looked):
        return True
    try:
        if any(p.exists() for p in looked):
            return False  # (another file of that name)
        ends = tuple(part for part in given.parts if part != ".")
        if given.is_absolute() or ".." in ends or not ends:
            return None
        full = Path(drawn).resolve().parts
    except (OSError, RuntimeError, ValueError):
        return None
    return True if full[-len(ends) :] == ends else None


def _check_same_recording(rec: Any, events: pd.DataFrame) -> None:
    """Refuse events found in another recording than ``rec`` (a Recording or a stream
    source's header), from what their ``attrs`` say (:func:`movement.score`: ``modality``,
    ``duration``, ``source``, ``notes``; an ``_events.tsv`` read back by ``movement report
    --events``: ``parameters["modality"]``) and from their onsets.

    Refused, one line: another modality; onsets past the recording's end; a longer
    recording (``attrs["duration"]``); another span of the file (``notes["span"]``, a
    :func:`movement.read` with ``start_s``/``stop_s``). Warned: a shorter recording, or
    another source path (a renamed or moved file is legitimate; a relative path is looked
    for from the events table's folder too, :func:`_same_source`).
    """
    import warnings

    from .io import _normalise_modality

    a = events.attrs if isinstance(events.attrs, dict) else {}
    name = Path(str(rec.source)).name if rec.source else "the recording"
    params = a.get("parameters")
    raw_mod = a.get("modality")
    if raw_mod is None and isinstance(params, dict):
        raw_mod = params.get("modality")
    if raw_mod is not None:
        ev_mod = _normalise_modality(raw_mod) or str(raw_mod)
        if ev_mod != rec.modality:
            raise MovementError(
                f"the events were found in {ev_mod} data; {name} is {rec.modality}: "
                "events of another recording"
            )
    try:
        ev_fs = float(a["fs"]) if a.get("fs") is not None else math.nan
    except (TypeError, ValueError):
        ev_fs = math.nan
    if math.isfinite(ev_fs) and abs(ev_fs - float(rec.fs)) > 1e-9 * ev_fs:
        raise MovementError(
            f"the events were scored at {ev_fs:g} Hz; {name} is read at {float(rec.fs):g} Hz: "
            "read it as when scoring"
        )
    notes = a.get("notes")
    if isinstance(notes, dict):  # (the reader's notes: kept in memory, or from the sidecar)
        ev_span, rec_span = _span_of(notes), _span_of(rec.notes or {})
        if ev_span != rec_span:
            raise MovementError(
                f"the events were found in {notes.get('span') if ev_span else 'the whole file'}; "
                f"{name} was read as {(rec.notes or {}).get('span') if rec_span else 'the whole file'}: "
                "read it as when scoring (movement.read(path, start_s=, stop_s=), then "
                "movement.report.write_report)"
            )
    duration = float(rec.duration)
    one = 1.0 / float(rec.fs)
    try:
        ev_dur = float(a["duration"]) if a.get("duration") is not None else math.nan
    except (TypeError, ValueError):
        ev_dur = math.nan
    if math.isfinite(ev_dur) and ev_dur > duration + one:
        raise MovementError(
            f"the events were found in a {ev_dur:g} s recording; {name} is {duration:g} s: "
            "events of another recording"
        )
    onset = _num(events, "onset")
    beyond = onset > duration + one + _ONSET_SLACK_S
    if beyond.any():
        i = int(np.flatnonzero(beyond)[0])
        raise MovementError(
            f"{int(beyond.sum())} of {len(events)} events start after the end of {name} "
            f"({duration:g} s), the first at {onset[i]:g} s: events of another recording, "
            "or onsets not in seconds"
        )
    if math.isfinite(ev_dur) and ev_dur < duration - one:
        warnings.warn(
            f"the events were found in a {ev_dur:g} s recording; {name} is {duration:g} s",
            UserWarning,
            stacklevel=3,
        )
    ev_src = a.get("source")
    if ev_src and rec.source:
        same = _same_source(str(ev_src), str(rec.source), a.get("events_file"))
        if not same:
            where = ""
            if same is None:  # (moved or renamed: the path the events give leads nowhere)
                where = " (no such file" + (
                    ")" if Path(str(ev_src)).is_absolute() else " from here, nor beside the events)"
                )
            warnings.warn(
                f"the events were found in {ev_src}{where}; drawn on {rec.source}",
                UserWarning,
                stacklevel=3,
            )


def _span_of(notes: dict[str, Any]) -> tuple[int, int] | None:
    """The samples ``[a, b)`` a reading's ``notes["span"]`` gives, None for the whole file
    (no span, or one from the first sample to the last).

    Examples
    --------
    >>> _span_of({"span": "samples 0-120000 of 120000 (0-60 s)"}) is None
    True
    >>> _span_of({"span": "samples 2000-110000 of 120000 (1-55 s)"})
    (2000, 110000)
    """
    text = notes.get("span")
    if not text:
        return None
    m = re.match(r"samples (\d+)-(\d+) of (\d+)", str(text))
    if m is None:
        return (-1, -1)  # (not ours: differs from the whole file and any span)
    a, b, n = (int(v) for v in m.groups())
    return None if a == 0 and b == n else (a, b)


def write_report(
    rec: Recording | str | Path,
    events: pd.DataFrame,
    path: str | Path,
    *,
    settings: Settings | EMGConfig | AccelConfig | None = None,
    max_event_plots: int = 200,
) -> Path:
    """Write a self-contained HTML review page for one scored recording.

    Parameters
    ----------
    rec : Recording or path
        The recording the events were found in. A path is read with
        :func:`movement.read`; a long file, one ``movement score`` streams
        (:func:`movement.batch.is_streamed`), is drawn window by window by
        :func:`write_report_stream` instead, never read whole; a recording longer than
        one stream window (:func:`movement.stream.auto_window_s`, ~2.8 h of 100 Hz
        accelerometry) is drawn window by window by it too.
    events : DataFrame
        Its events table (:func:`movement.score`, or an ``_events.tsv`` read back
        with its sidecar's provenance in ``events.attrs``).
    path : str or Path
        The HTML file to write (conventionally ``<stem>_report.html``; the
        decisions file the page exports is named ``<stem>_decisions.tsv``), or a folder
        (one that exists, or a path ending in ``/``): ``<stem>_report.html`` in it, the
        stem of the events table (``<stem>_events.tsv`` read back), else the
        recording's file name up to its first dot, else ``recording``.
    settings : Settings, EMGConfig or AccelConfig, optional
        Configuration used to clean the signal for the plots; by default the one
        stored in ``events.attrs["parameters"]``, else the modality's defaults.
    max_event_plots : int
        At most this many events get a plot (review-flagged ones first); every
        event is in the table.

    Returns
    -------
    Path
        The page written (atomically): ``path``, or the file in the folder ``path``.

    Raises
    ------
    MissingExtraError
        matplotlib is not installed (``pip install 'movement[report]'``).
    MovementError
        The events are of another recording: their ``attrs`` give another modality, a
        longer recording or another span of the file, or an onset lies past the
        recording's end. (Another source path or a shorter recording only warns.)

    See Also
    --------
    write_report_stream : the same page from a long file, in bounded memory.

    Examples
    --------
    >>> import numpy as np, movement
    >>> x = np.random.default_rng(0).normal(0, 0.01, (20000, 1))
    >>> x[10000:10030, 0] += np.hanning(30) * 0.5
    >>> rec = movement.Recording(x, fs=2000, modality="emg")
    >>> ev = movement.score(rec, model="rules")
    >>> write_report(rec, ev, "rec_report.html")  # doctest: +SKIP
    PosixPath('rec_report.html')
    """
    from .pipeline import recording_of

    path = _page_path(path, rec, events)
    if isinstance(rec, (str, os.PathLike)) and Path(rec).is_file():
        # the file read as its events were scored (rate, modality, channels given then)
        rec, streamed = _open_as_scored(Path(rec), events)
        if streamed:
            # a long file (one movement score streams): drawn window by window, never
            # read whole
            how = _reading_of(events)
            return write_report_stream(
                rec.meta.source, events, path, settings=settings,
                max_event_plots=max_event_plots, fs=how.get("fs"),
                modality=how.get("modality"), channels=rec.meta.channels,
            )  # fmt: skip
    rec = recording_of(rec)
    _check_same_recording(rec, _checked(events))
    cfg = _config(rec, events, settings)
    from .stream import auto_window_s

    if rec.duration > auto_window_s(rec.fs, len(rec.channels), cfg):
        # longer than one stream window (a week read whole from a device file): drawn
        # window by window, as the stream scores it, not cleaned whole at once
        return write_report_stream(
            rec, events, path, settings=settings, max_event_plots=max_event_plots
        )
    parts = _render(rec, events, cfg, _stem_of(path), int(max_event_plots))
    return _write_page(path, parts)


def _stream_windows(
    src: Any,
    cfg: EMGConfig | AccelConfig,
    events: pd.DataFrame,
    plotted: list[int],
    window_s: float,
    *,
    only_plotted: bool = False,
    progress: bool = False,
) -> Iterator[tuple[int, tuple[int, int], int, Any, list[int]]]:
    """The windows of a stream source, preprocessed one at a time, with the plotted events
    whose onset lies in each one's core.

    The windows are those :func:`movement.stream.score_stream` scores (a plan per piece
    between long gaps): each window's slice is read and preprocessed as there. A plot
    reaching past the slice's trusted end (an event longer than the overlap) gets a longer
    slice, by at most :func:`movement.stream.max_extend_rows`. ``only_plotted``: only the
    windows holding a plotted event are read.

    Yields
    ------
    (piece start, core [start, stop) within the piece, slice start within the piece,
    Preprocessed of the slice, plotted events in the core)
    """
    from ._memory import heap_reuse
    from ._progress import progress as _progress
    from .pipeline import _one_blas_thread
    from .preprocess import preprocess
    from .recording import pieces_between
    from .stream import _MAX_SEGMENT_S, _SpanSource, _window_recording, max_extend_rows, plan

    meta = src.meta
    fs, n, duration = meta.fs, meta.n_samples, meta.duration
    src.prepare()  # the recording's max |x| (clipping) and its runs of missing rows
    pieces = pieces_between(src.nan_runs, n, fs)
    windows: list[tuple[int, Any, Any, tuple[int, int]]] = []
    for a, b in pieces:  # loop over the pieces between long gaps
        whole = a == 0 and b == n
        sub = src if whole else _SpanSource(src, int(a), int(b))
        pl = plan(int(b - a), fs, cfg, window_s, _MAX_SEGMENT_S)
        windows += [(int(a), sub, pl, core) for core in pl.cores]
    # each plotted event is drawn by the window whose core holds its onset
    starts = np.array([a + core[0] for a, _, _, core in windows], np.int64)
    onset = np.floor(_num(events, "onset")[plotted] * fs + 0.5)
    which = np.clip(np.searchsorted(starts, onset, "right") - 1, 0, max(0, len(windows) - 1))
    visit = np.unique(which) if only_plotted else np.arange(len(windows))
    max_extend = max_extend_rows(window_s, fs, len(meta.channels))
    name = Path(meta.source).name if meta.source else "recording"
    cal = _calibration(events, len(meta.channels))
    with _one_blas_thread(), heap_reuse():
        steps = _progress(iter(visit.tolist()), len(visit), progress, name, "window")
        for w in steps:  # loop over the windows (one slice in memory at a time)
            a, sub, pl, core = windows[w]
            mine = [plotted[j] for j in np.flatnonzero(which == w)]
            s0, s1 = pl.slice_of(core)
            reach = max(
                (
                    int(math.ceil(_plot_range(events.iloc[i], duration)[1] * fs)) + 1 - a
                    for i in mine
                ),
                default=0,
            )
            if s1 < pl.n and reach > s1 - pl.margin:
                # a plot reaches past the trusted part: a longer slice, in alignment steps
                grow = math.ceil((reach + pl.margin - s1) / pl.step) * pl.step
                s1 = min(pl.n, s1 + min(grow, max_extend))
            x = sub.read(s0, s1)
            pre = preprocess(_window_recording(sub, x), cfg, clip_top=src.top, calibration=cal)
            del x
            yield a, core, s0, pre, mine
            del pre


def _stream_parts(
    src: Any,
    cfg: EMGConfig | AccelConfig,
    events: pd.DataFrame,
    plotted: list[int],
    window_s: float,
    mpl: Any,
    *,
    progress: bool = False,
) -> tuple[_TimelineBins, dict[int, bytes], tuple[str, ...]]:
    """The timeline's bins and the event plots of a stream source, one window at a time
    (:func:`_stream_windows`): each window's core's samples go to the timeline, and the
    plotted events whose onset lies in its core are drawn from it.

    Returns
    -------
    (timeline bins, {event row: PNG}, detection sites)
    """
    from .recording import pieces_between

    meta = src.meta
    fs, n, duration = meta.fs, meta.n_samples, meta.duration
    units = _units(meta)
    src.prepare()
    pieces = pieces_between(src.nan_runs, n, fs)
    tl = _TimelineBins(n, fs, duration)
    edges = np.concatenate([[0], np.asarray(pieces, np.int64).ravel(), [n]]).reshape(-1, 2)
    for e0, e1 in edges:  # loop over the long gaps between pieces (not preprocessed)
        tl.add_gap(int(e0), int(e1))
    pngs: dict[int, bytes] = {}
    sites: tuple[str, ...] = tuple(meta.channels)
    windows = _stream_windows(src, cfg, events, plotted, window_s, progress=progress)
    for a, core, s0, pre, mine in windows:  # loop over the windows, in order
        sites = pre.sites
        c0, c1 = core[0] - s0, core[1] - s0
        tl.add(a + core[0], pre.sustained[c0:c1], pre.gaps[c0:c1])
        for i in mine:  # loop over the plotted events of this window
            view = _event_view(pre, a + s0, events, i, duration)
            pngs[i] = _event_png(view, fs, units, mpl)
        del pre  # (one window in memory: dropped before the next is read)
    return tl, pngs, sites


def write_report_stream(
    path_or_recording: Recording | str | Path,
    events: pd.DataFrame,
    out_path: str | Path,
    *,
    settings: Settings | EMGConfig | AccelConfig | None = None,
    max_event_plots: int = 200,
    fs: float | None = None,
    modality: str | None = None,
    channels: Sequence[str | int] | None = None,
    window_s: float | None = None,
    progress: bool = False,
) -> Path:
    """Write the review page of a long recording in bounded memory (read in windows).

    The same page as :func:`write_report`, made from the recording's windows as
    :func:`movement.stream.score_stream` reads them (``.npy`` memory-mapped, EDF, WFDB
    and HDF5 by random access, CSV and Parquet front to back; other formats are read
    whole): each window's slice is preprocessed, its core's samples give the timeline's
    per-pixel maxima, and the plotted events whose onset lies in its core are drawn from
    it. Memory holds one window (and the timeline's bins, the event plots' PNGs and a
    fraction of a percent of the envelope for the timeline's scale), not the recording.

    The plots equal :func:`write_report`'s to float tolerance (a gap is filled from its
    two neighbouring samples, in a window as in the whole recording), except
    around gaps longer than :data:`movement.recording.MAX_GAP_S`: the pieces between them
    are preprocessed apart, as they are scored (the whole-recording page preprocesses
    across them) and the long gaps themselves are drawn as missing.

    Parameters
    ----------
    path_or_recording : Recording or path
        The recording the events were found in (a file, or one held in memory).
    events : DataFrame
        Its events table (:func:`movement.stream.score_stream`, :func:`movement.score`,
        or an ``_events.tsv`` read back).
    out_path : str or Path
        The HTML file to write (``<stem>_report.html``), or a folder, as in
        :func:`write_report`.
    settings, max_event_plots
        As in :func:`write_report`.
    fs, modality, channels
        As in :func:`movement.read` (files only).
    window_s : float, optional
        Core length of a window (s); by default :func:`movement.stream.auto_window_s`,
        as :func:`movement.stream.score_stream` uses.
    progress : bool
        A progress bar of the windows on a terminal.

    Returns
    -------
    Path
        The page written (atomically): ``out_path``, or the file in that folder.

    Raises
    ------
    MovementError
        Events of another recording, as in :func:`write_report`.

    Examples
    --------
    >>> from movement.stream import score_stream
    >>> ev = score_stream("day.npy", model="rules")  # doctest: +SKIP
    >>> write_report_stream("day.npy", ev, "day_report.html")  # doctest: +SKIP
    PosixPath('day_report.html')
    """
    from .stream import _CHUNK_ROWS, _open, _positive_arg, auto_window_s

    if window_s is not None:
        window_s = _positive_arg("window_s", window_s)
    mpl = _matplotlib()
    out_path = _page_path(out_path, path_or_recording, events)
    events = _checked(events)
    src = _open(
        path_or_recording, fs=fs, modality=modality, channels=channels, chunk_rows=_CHUNK_ROWS
    )
    meta = src.meta
    _check_same_recording(meta, events)
    cfg = _config(meta, events, settings)
    if window_s is None:
        window_s = auto_window_s(meta.fs, len(meta.channels), cfg)
    max_event_plots = int(max_event_plots)
    plotted = select_event_plots(events, max_event_plots)
    tl, pngs, sites = _stream_parts(src, cfg, events, plotted, window_s, mpl, progress=progress)
    timeline = _timeline_png(tl, events, _units(meta), mpl)
    parts = _page(meta, events, cfg, _stem_of(out_path), max_event_plots, timeline, pngs, sites)
    return _write_page(out_path, parts)


# ---------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------


def cli_configure(parser: argparse.ArgumentParser) -> None:
    """Options of ``movement report``."""
    parser.description = (
        "Write <out>/<stem>_report.html per recording: a self-contained review page "
        "(summary, timeline, sortable event table, event plots, review controls that "
        "export <stem>_decisions.tsv). " + DISCLAIMER
    )
    parser.epilog = (
        "Examples: movement report data/ --events results/   "
        "(pages for an earlier 'movement score data/ --out results/');  "
        "movement report rec.edf --out pages/   (score now)"
    )
    parser.add_argument(
        "inputs", nargs="+", metavar="INPUT", help="recordings: files, folders or globs"
    )
    parser.add_argument(
        "--events",
        metavar="DIR",
        help="folder with <stem>_events.tsv from an earlier 'movement score' (default: score now)",
    )
    parser.add_argument(
        "--out",
        "-o",
        metavar="DIR",
        help="output folder (default: the --events folder, else results)",
    )
    parser.add_argument("--modality", choices=["accel", "emg"], help="modality of every input")
    parser.add_argument("--fs", type=float, metavar="HZ", help="sampling rate of every input")
    parser.add_argument(
        "--channels", metavar="LIST", help="comma-separated channel names or indices to keep"
    )
    parser.add_argument(
        "--format",
        metavar="EXT",
        help="read the inputs whose extension is no known type as this type (as in movement score)",
    )
    parser.add_argument(
        "--model",
        default="default",
        metavar="NAME|PATH",
        help="model when scoring now: 'default', 'rules' or a model file",
    )
    parser.add_argument(
        "--config",
        action="append",
        metavar="FILE",
        help="TOML/JSON thresholds (when scoring now; repeatable: merged in order)",
    )
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="override one threshold"
    )
    parser.add_argument(
        "--max-plots", type=int, default=200, metavar="N", help="event plots per page (default 200)"
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no per-file lines")


def _events_from_dir(events_dir: Path, stem: str, path: Path) -> pd.DataFrame:
    """Read ``<stem>_events.tsv`` and put its sidecar's provenance in ``attrs`` (also a
    table a reviewer saved from a spreadsheet as UTF-16 or Windows-1252)."""
    from .review import _read_events_table

    tsv = events_dir / f"{stem}_events.tsv"
    if not tsv.exists():
        alt = events_dir / f"{path.name.split('.')[0]}_events.tsv"
        if not alt.exists():
            raise MovementError(f"{path}: no {tsv.name} in {events_dir}")
        tsv = alt
    # (the sidecar's provenance in attrs: parameters, calibration, non-wear, ECG...)
    return _read_events_table(tsv)


def _ecg_text(ecg: dict[str, Any]) -> str:
    """The review page's line on what ECG removal found.

    Examples
    --------
    >>> _ecg_text({"beats": 736, "heart_rate_bpm": 75.8, "rhythm_s": 580.4})
    'removal on: 736 R peaks found and subtracted (heart rate 75.8 beats/min, rhythm followed for 0:09:40 (h:mm:ss, 580 s))'
    >>> _ecg_text({"beats": 0, "heart_rate_bpm": None, "rhythm_s": 0.0})
    'removal on: no heartbeat rhythm found, nothing subtracted'
    >>> _ecg_text({"beats": None, "not_searched": "the recording is shorter than 40 s"})
    'removal on, but not searched for a heartbeat: the recording is shorter than 40 s'
    >>> _ecg_text({"beats": 0, "searched_s": 50.0, "not_searched": "1 of 2 pieces between long gaps are shorter than 40 s"})
    'removal on: no heartbeat rhythm found, nothing subtracted; searched 50.0 s only (1 of 2 pieces between long gaps are shorter than 40 s)'
    """
    why = ecg.get("not_searched")
    if ecg.get("beats") is None:
        return f"removal on, but not searched for a heartbeat: {why or 'unknown reason'}"
    n = int(ecg["beats"])
    if not n:
        text = "removal on: no heartbeat rhythm found, nothing subtracted"
    else:
        hr = ecg.get("heart_rate_bpm")
        rate = f"heart rate {hr:g} beats/min, " if hr is not None else ""
        text = (
            f"removal on: {n} R peaks found and subtracted ({rate}rhythm followed for "
            f"{_duration_text(float(ecg.get('rhythm_s') or 0.0))})"
        )
    if why:
        text += f"; searched {_duration_text(float(ecg.get('searched_s') or 0.0))} only ({why})"
    return text


def _reading_of(events: pd.DataFrame) -> dict[str, Any]:
    """How the events' recording was read, from their ``attrs`` (as
    :func:`_scored_reading` from their sidecar): ``channels`` (the ones scored), and
    ``fs`` / ``modality`` where they were given rather than found in the file."""
    a = events.attrs if isinstance(events.attrs, dict) else {}
    notes = a.get("notes") if isinstance(a.get("notes"), dict) else {}
    out: dict[str, Any] = {}
    if isinstance(a.get("channels"), (list, tuple)) and len(a["channels"]):
        out["channels"] = tuple(str(c) for c in a["channels"])
    if notes.get("fs_from") == "given" and a.get("fs"):
        out["fs"] = float(a["fs"])
    if notes.get("modality_from") == "given" and a.get("modality"):
        out["modality"] = str(a["modality"])
    return out


def _open_as_scored(path: Path, events: pd.DataFrame) -> tuple[Any, bool]:
    """The file the events were scored from, read as it was (:func:`_reading_of`): a
    stream source for a long file (one ``movement score`` streams), else the Recording;
    and whether it is the stream source. Channels the file does not name (events scored
    from a Recording of other names) are not asked for: the check that the events are of
    this recording then judges."""
    from .batch import is_streamed
    from .io import read
    from .stream import _CHUNK_ROWS, _open

    how = _reading_of(events)
    while True:  # at most twice: as scored, then without the channels
        try:
            if is_streamed(path, **how):
                kw = {"fs": None, "modality": None, "channels": None, **how}
                return _open(path, chunk_rows=_CHUNK_ROWS, **kw), True
            return read(path, **how), False
        except MovementError as exc:
            if "channels" not in how or "channel" not in str(exc).lower():
                raise
            how.pop("channels")


def _scored_reading(events_dir: Path, stem: str) -> dict[str, Any]:
    """How the events in ``events_dir`` were read, from their JSON sidecar: ``channels``
    (always), and ``fs`` / ``modality`` where they were given (``--fs``, ``--modality``)
    rather than found in the file (a rate from a time column is found again the same way)."""
    side = events_dir / f"{stem}_events.json"
    try:
        rec = (json.loads(side.read_text()) or {}).get("recording") or {}
    except (OSError, ValueError, AttributeError):
        return {}
    notes = rec.get("reader_notes") or {}
    out: dict[str, Any] = {}
    if isinstance(rec.get("channels"), list) and rec["channels"]:
        out["channels"] = tuple(str(c) for c in rec["channels"])
    if notes.get("fs_from") == "given" and rec.get("SamplingFrequency"):
        out["fs"] = float(rec["SamplingFrequency"])
    if notes.get("modality_from") == "given" and rec.get("modality"):
        out["modality"] = str(rec["modality"])
    # what the events were scored at, however it was found (a --fs now must agree)
    if rec.get("SamplingFrequency"):
        out["scored_fs"] = float(rec["SamplingFrequency"])
    if rec.get("modality"):
        out["scored_modality"] = str(rec["modality"])
    return out


def _check_as_scored(rec: Recording, stored: dict[str, Any]) -> None:
    """Refuse to draw events over channels (or a rate, a modality) other than scored."""
    if "channels" in stored and tuple(rec.channels) != stored["channels"]:
        raise MovementError(
            f"the events were scored on channels {', '.join(stored['channels'])}; read now "
            f"with {', '.join(rec.channels)}: give --channels as when scoring"
        )
    fs = stored.get("fs", stored.get("scored_fs"))
    if fs is not None and abs(rec.fs - fs) > 1e-9 * fs:
        raise MovementError(f"the events were scored at {fs:g} Hz; read now at {rec.fs:g} Hz")
    modality = stored.get("modality", stored.get("scored_modality"))
    if modality is not None and rec.modality != modality:
        raise MovementError(f"the events were scored as {modality}; read now as {rec.modality}")


def cli_run(args: argparse.Namespace) -> int:
    """Run ``movement report``; 0 when every page was written, 1 when some failed."""
    import warnings

    from .batch import output_stems, unique_stems
    from .config import load_settings
    from .io import find_recordings

    _matplotlib()  # fail early, once, when matplotlib is missing
    from .cli import _model_option

    # (a model file that does not exist: one line before anything, as for movement score;
    # it was a failure per file, exit 1)
    args.model = _model_option(args.model)
    settings = load_settings(getattr(args, "config", None), getattr(args, "set", None) or [])
    paths = find_recordings(args.inputs, format=getattr(args, "format", None))
    if not paths:
        raise MovementError("no recordings found in: " + " ".join(args.inputs))
    events_dir = Path(args.events) if args.events else None
    if events_dir is not None and not events_dir.is_dir():
        raise MovementError(f"--events {events_dir}: no such folder")
    out = Path(args.out) if args.out else (events_dir or Path("results"))
    from .batch import output_folder

    output_folder(out)  # (a file of that name, no permission: one line, exit 2, first)
    chans = (
        tuple(c.strip() for c in args.channels.split(","))
        if getattr(args, "channels", None) is not None
        else None
    )
    failed = 0
    # with --events: the names the batch wrote each file's events under (its manifest)
    stems = output_stems(paths, events_dir) if events_dir is not None else unique_stems(paths)
    for path, stem in zip(paths, stems, strict=True):
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", UserWarning)
                page, events = report_one(
                    path, stem, out, events_dir, settings, chans, fs=args.fs,
                    modality=args.modality, model=args.model, max_plots=args.max_plots,
                    format=getattr(args, "format", None),
                    settings_given=bool(args.config or args.set),
                )  # fmt: skip
            if not args.quiet:
                print(f"ok     {path}: {len(events)} events -> {page}")
            # what the readers warned (a truncated file...), as `movement score` prints it
            for msg in dict.fromkeys(
                str(w.message).replace(f"{path}: ", "")
                for w in caught
                if issubclass(w.category, UserWarning)
            ):
                print(f"warning {path}: {msg}", file=sys.stderr)
        except MovementError as exc:
            if getattr(args, "debug", False):
                raise
            failed += 1
            print(f"error  {path}: {str(exc).replace(f'{path}: ', '', 1)}", file=sys.stderr)
    print(
        f"{len(paths) - failed} of {len(paths)} report pages written to {out}/"
        + (f"; {failed} failed" if failed else ""),
        file=sys.stderr,
    )
    return 1 if failed else 0


def report_one(
    path: Path,
    stem: str,
    out: Path,
    events_dir: Path | None,
    settings: Any,
    chans: tuple[str, ...] | None,
    *,
    fs: float | None = None,
    modality: str | None = None,
    model: Any = None,
    max_plots: int | None = None,
    format: str | None = None,
    settings_given: bool = False,
) -> tuple[Path, pd.DataFrame]:
    """One file's review page ``out/<stem>_report.html``: scored now, or, with
    ``events_dir``, from the events table ``movement score`` wrote there (the file read as
    it was scored, with the settings stored with the events unless ``settings_given``).
    What ``movement report`` does per file, and a batch's ``--report`` for a file whose
    events table changed since its page was drawn."""
    from .batch import is_streamed
    from .io import read
    from .pipeline import score
    from .stream import score_stream

    cfg_settings: Any = settings
    if events_dir is not None and not settings_given:
        cfg_settings = None  # the configuration stored with the events
    page_path = out / f"{stem}_report.html"
    channels = chans
    stored: dict[str, Any] = {}
    if events_dir is not None:  # read the file as it was scored, unless told
        stored = _scored_reading(events_dir, stem)
        fs = fs if fs is not None else stored.get("fs")
        modality = modality or stored.get("modality")
        channels = channels if channels is not None else stored.get("channels")
    from .io import format_for

    fmt = format_for(path, format)
    if not fmt and is_streamed(path, settings, fs=fs, modality=modality, channels=channels):
        # a long file: scored (when asked) and drawn window by window
        if events_dir is not None:
            events = _events_from_dir(events_dir, stem, path)
        else:
            events = score_stream(
                path, settings, model=model, fs=fs,
                modality=modality, channels=channels,
            )  # fmt: skip
        page = write_report_stream(
            path, events, page_path, settings=cfg_settings,
            max_event_plots=max_plots, fs=fs, modality=modality,
            channels=channels,
        )  # fmt: skip
    else:
        rec = read(path, fs=fs, modality=modality, channels=channels, format=fmt)
        if events_dir is not None:
            _check_as_scored(rec, stored)
            events = _events_from_dir(events_dir, stem, path)
        else:
            events = score(rec, settings, model=model)
        page = write_report(
            rec, events, page_path, settings=cfg_settings, max_event_plots=max_plots
        )
    return page, events


callable_module(__name__, "write_report")
