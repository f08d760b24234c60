"""Figures for scripts and notebooks: an event as the detector saw it, and the timeline.

The review page's drawings (:mod:`movement.report`) as matplotlib figures, to show in a
notebook, save in any format (``fig.savefig("event.pdf")``) or restyle. The signals are
cleaned with the settings the events were scored with (``events.attrs["parameters"]``),
so the plot shows what the classifier measured: the cleaned signal (grey) and the
envelope that found the event (black), the event shaded in its class's colour and its
neighbours faintly.

The figures are :class:`matplotlib.figure.Figure` objects made without ``pyplot`` (no
global state, nothing left open): a script saves one (``fig.savefig``); in IPython or
Jupyter, importing this module registers a PNG display for figures when no matplotlib
backend has (``%matplotlib inline`` does too), so a cell that returns one shows it.

Each call cleans the recording again (a few seconds for an hour of multi-channel EMG): give
:func:`plot_event` several positions to clean it once for all of them, or let
:func:`movement.report.write_report` draw every event on one page. A recording longer than
one of the stream's windows (about 2.8 h of 100 Hz accelerometry) is cleaned one window at
a time, as :func:`movement.stream.score_stream` scores it: :func:`plot_event` reads only
the windows holding its events, so a week-long file plots in bounded memory.

Needs matplotlib (``pip install 'movement[report]'``).

Examples
--------
>>> import numpy as np, movement
>>> from movement.plot import plot_event, plot_timeline
>>> x = np.random.default_rng(0).normal(0, 0.01, (20000, 1))
>>> x[10000:10030, 0] += np.hanning(30) * 0.5       # a 15 ms spike at 5 s
>>> rec = movement.Recording(x, fs=2000, modality="emg")
>>> ev = movement.score(rec, model="rules")
>>> fig = plot_event(rec, ev, 0)
>>> [ax.get_ylabel() for ax in fig.axes]
['ch1', '']
>>> fig.axes[1].get_xlabel()
'zoom: 0.22 s around the event'
>>> len(plot_timeline(rec, ev).axes)
1
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .config import AccelConfig, EMGConfig, Settings
from .errors import MovementError
from .pipeline import recording_of
from .recording import Recording
from .stream import auto_window_s

__all__ = ["plot_event", "plot_timeline"]


def _signal(
    rec: Recording | str | Path,
    events: pd.DataFrame,
    settings: Settings | EMGConfig | AccelConfig | None,
) -> tuple[Any, Any, EMGConfig | AccelConfig, pd.DataFrame]:
    """What to clean: ``(recording, stream source, config, events)``, one of the first two
    None. A recording longer than one of the stream's windows
    (:func:`movement.stream.auto_window_s`, ~2.8 h of 100 Hz accelerometry), or a file
    ``movement score`` streams, is cleaned one window at a time, as
    :func:`movement.stream.score_stream` scored it and as its review page is drawn: memory
    does not grow with its length."""
    from . import report as R
    from .stream import _CHUNK_ROWS, _open

    if settings is None and not isinstance(events.attrs.get("parameters"), dict):
        warnings.warn(
            "the events carry no scoring parameters (events.attrs): the signal is cleaned "
            "with the defaults; read an _events.tsv with movement.export.read_bids_events "
            "(it restores them from the JSON sidecar), or give settings=",
            UserWarning,
            stacklevel=3,
        )
    src = None
    if isinstance(rec, (str, os.PathLike)) and Path(rec).is_file():
        # the file read as its events were scored: the channels scored, and the rate and
        # modality when they were given (a file that does not say them)
        opened, streamed = R._open_as_scored(Path(rec), events)
        if streamed:
            src = opened
        else:
            rec = opened
    if src is not None:
        meta: Any = src.meta
    else:
        rec = recording_of(rec)
        meta = rec
    events = R._checked(events)
    R._check_same_recording(meta, events)
    cfg = R._config(meta, events, settings)
    if src is None and meta.duration > auto_window_s(meta.fs, len(meta.channels), cfg):
        src = _open(rec, fs=None, modality=None, channels=None, chunk_rows=_CHUNK_ROWS)
    return (None if src is not None else rec), src, cfg, events


def plot_event(
    rec: Recording | str,
    events: pd.DataFrame,
    i: int,
    *,
    settings: Settings | EMGConfig | AccelConfig | None = None,
) -> Any:
    """One event with a few seconds around it, as the review page draws it.

    Parameters
    ----------
    rec : Recording or path
        The recording the events were found in (a path is read with :func:`movement.read`;
        a long one is read one window at a time, see below).
    events : DataFrame
        Its events table (:func:`movement.score`, or an ``_events.tsv`` read back).
    i : int, sequence of int, boolean mask or pandas Index
        The event's position in ``events`` (``events.iloc[i]``; negative counts from the
        end), not its index label: for a label ``k`` of a filtered or sorted table, give
        ``events.index.get_loc(k)``. Several positions (a list, range or array) give a
        list of figures from one cleaning of the recording, e.g.
        ``plot_event(rec, events, np.flatnonzero(events["review"]))``. A boolean mask
        of the table's length (``events["review"]``) gives the rows it marks, and a
        pandas ``Index`` is taken as index labels (``events.index[events["review"]]``).
    settings : Settings, EMGConfig or AccelConfig, optional
        The cleaning settings; by default those stored in ``events.attrs["parameters"]``.

    Returns
    -------
    matplotlib.figure.Figure, or a list of them for several positions
        A row per channel (EMG) or sensor (accelerometry) the event was found on, the
        first three of them at most (as on the review page): the cleaned signal and the
        event's envelope over the context (at most 10 s either side), and for events
        under 0.5 s a zoom column of the event itself at full resolution. Above them, a
        title (which event, its class and probability, onset + duration, channel) and a
        legend (signal, envelope, this event, the classes of the events near it): the
        review page's plot, with what the page says in the event's card.

    Raises
    ------
    MovementError
        ``i`` is not an event of the table, or the events are of another recording.
    MissingExtraError
        matplotlib is not installed.

    Notes
    -----
    A recording longer than one of the stream's windows (about 2.8 h of 100 Hz
    accelerometry, 12 min of 8-channel 2 kHz EMG), or a file that ``movement score``
    streams, is cleaned as :func:`movement.stream.score_stream` cleans it: only the
    windows holding the events asked for are read and cleaned, one at a time, so a
    week-long file is plotted in the memory of one window.

    Examples
    --------
    >>> import tempfile, numpy as np, movement
    >>> x = np.random.default_rng(0).normal(0, 0.01, (20000, 1))
    >>> x[10000:10030, 0] += np.hanning(30) * 0.5       # a 15 ms spike at 5 s
    >>> rec = movement.Recording(x, fs=2000, modality="emg")
    >>> ev = movement.score(rec, model="rules")
    >>> fig = plot_event(rec, ev, 0)                     # the first event
    >>> fig.savefig(tempfile.mkdtemp() + "/event.png")
    >>> len(plot_event(rec, ev, ev["review"] | True))    # every row the mask marks
    1
    """
    from . import report as R

    n = len(events)
    many = isinstance(i, (list, tuple, range, np.ndarray, pd.Index, pd.Series))
    if isinstance(i, pd.Index):  # index labels (``events.index[events.review]``)
        at_label = events.index.get_indexer(i)
        if (at_label < 0).any():
            missing = [k for k, p in zip(i, at_label, strict=True) if p < 0]
            raise MovementError(f"event label(s) {missing[:5]} not in the events table's index")
        i = at_label
    elif many and np.asarray(i).dtype == bool:  # a mask (``events.review``)
        mask = np.asarray(i).ravel()
        if mask.shape[0] != n:
            raise MovementError(f"a mask of {mask.shape[0]} value(s) for a table of {n} event(s)")
        i = np.flatnonzero(mask)
    positions = list(np.asarray(i).ravel().tolist()) if many else [i]
    for k in positions:  # loop over the events asked for (checked before any work)
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or not -n <= int(k) < n:
            raise MovementError(f"event {k!r} is not in a table of {n} event(s)")
    from .preprocess import preprocess  # (at call time: a patched stage is seen)

    mpl = R._matplotlib()
    whole, src, cfg, events = _signal(rec, events, settings)
    at: dict[int, list[int]] = {}  # event row -> where it was asked for
    for j, k in enumerate(positions):  # loop over the positions asked for
        at.setdefault(int(k) % n, []).append(j)
    rows = sorted(at)
    figures: list[Any] = [None] * len(positions)

    def draw(
        pre: Any, offset: int, mine: list[int], fs: float, duration: float, units: str
    ) -> None:
        for k in mine:  # loop over the events drawn from this cleaned stretch
            view = R._event_view(pre, offset, events, k, duration)
            for j in at[k]:  # loop over the positions of this event (usually one)
                fig = R._draw_event(view, fs, units, mpl).fig  # a figure per position
                _annotate_event(fig, view, events, k, n)
                figures[j] = fig
                # (a new figure for the next: the page's figure reuse would redraw this one)
                mpl.event_figures.clear()

    if src is None:
        pre = preprocess(whole, cfg, calibration=R._calibration(events, len(whole.channels)))
        draw(pre, 0, rows, whole.fs, float(whole.duration), R._units(whole))
    else:
        meta = src.meta
        window_s = auto_window_s(meta.fs, len(meta.channels), cfg)
        windows = R._stream_windows(src, cfg, events, rows, window_s, only_plotted=True)
        for a, _, s0, pre, mine in windows:  # loop over the windows holding the events
            draw(pre, a + s0, mine, meta.fs, float(meta.duration), R._units(meta))
            del pre  # (one window in memory: dropped before the next is cleaned)
    return figures if many else figures[0]


def _event_title(events: pd.DataFrame, k: int, n: int) -> str:
    """The title of a standalone event plot: which event, its class, probability and time
    (what the review page's card says beside its plot).

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"onset": [12.5], "duration": [0.12], "trial_type":
    ...     ["fasciculation-like"], "probability": [0.91], "channel": ["ch1"]})
    >>> _event_title(ev, 0, 1)
    'event 1 of 1: fasciculation-like, p = 0.91 | 12.500 s + 120 ms | ch1'
    >>> _event_title(ev.assign(duration=0.004), 0, 1).split(" | ")[1]   # a motor-unit potential
    '12.500 s + 4 ms'
    """
    row = events.iloc[k]
    parts = [f"event {k + 1} of {n}: {row.get('trial_type', 'other')}"]
    p = row.get("probability")
    if p is not None and pd.notna(p):
        parts[0] += f", p = {float(p):.2f}"
    if "review" in events.columns and bool(row.get("review")):
        parts[0] += " (to review)"
    onset, dur = float(row["onset"]), float(np.nan_to_num(row.get("duration", 0.0)))
    # (ms under a second: a 4 ms motor-unit potential read "+ 0.00 s")
    length = f"{dur * 1000:.0f} ms" if dur < 1.0 else f"{dur:.2f} s"
    parts.append(f"{onset:.3f} s + {length}")
    ch = row.get("channel")
    if isinstance(ch, str) and ch and ch != "n/a":
        parts.append(ch)
    return " | ".join(parts)


def _annotate_event(fig: Any, view: Any, events: pd.DataFrame, k: int, n: int) -> None:
    """Give a standalone event plot a title and a legend (the review page's card and
    legend say these beside the plot): the figure grows by the room they take."""
    from . import report as R

    w, h = fig.get_size_inches()
    extra = 0.5
    fig.set_size_inches(w, h + extra)
    # keep the axes where they were, in inches from the bottom (the grid's margins in
    # the taller figure's fractions): the title and the legend go in the new strip on top
    sp = fig.subplotpars
    fig.subplots_adjust(top=sp.top * h / (h + extra), bottom=sp.bottom * h / (h + extra))
    fig.suptitle(
        _event_title(events, k, n),
        x=0.085,
        ha="left",
        y=1 - 0.06 / (h + extra),
        fontsize=9,
        va="top",
    )
    first = fig.axes[0]
    handles = [
        first.lines[0],
        first.lines[1],
        R._patch(
            view.colour,
            "this event" + (" (rejected)" if view.rejected else ""),
            rejected=view.rejected,
        ),
    ]
    if not view.rejected:
        handles[2].set_alpha(0.3)  # (as drawn)
    labels = ["signal", view.env_name, handles[2].get_label()]
    colours = {c for _, _, c in view.near}
    for cls, c in R.PALETTE.items():  # loop over the classes of the neighbours in view
        if c in colours:
            handles.append(R._patch(c, f"other event: {cls}"))
            handles[-1].set_alpha(0.12)  # (as drawn)
            labels.append(f"other event: {cls}")
    if view.near_rejected:
        handles.append(R._patch("none", "rejected", rejected=True))
        labels.append("rejected")
    fig.legend(
        handles,
        labels,
        loc="upper left",
        ncol=len(handles),
        fontsize=7,
        frameon=False,
        bbox_to_anchor=(0.075, 1 - 0.27 / (h + extra)),
        handlelength=1.4,
        columnspacing=1.2,
    )


def plot_timeline(
    rec: Recording | str,
    events: pd.DataFrame,
    *,
    settings: Settings | EMGConfig | AccelConfig | None = None,
) -> Any:
    """The whole recording at a glance, as the review page's timeline.

    The sustained envelope (its maximum over channels or sensors) with the events as
    spans coloured by class, a lane per class above it, missing data hatched and time
    not worn shaded; a recording longer than 2 h is drawn in several panels. A long
    recording is cleaned one window at a time (as in :func:`plot_event`).

    Parameters
    ----------
    rec : Recording or path
    events : DataFrame
    settings : Settings, EMGConfig or AccelConfig, optional
        As in :func:`plot_event`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import tempfile, numpy as np, movement
    >>> x = np.random.default_rng(0).normal(0, 0.01, (20000, 1))
    >>> x[10000:10030, 0] += np.hanning(30) * 0.5       # a 15 ms spike at 5 s
    >>> rec = movement.Recording(x, fs=2000, modality="emg")
    >>> ev = movement.score(rec, model="rules")
    >>> fig = plot_timeline(rec, ev)
    >>> fig.savefig(tempfile.mkdtemp() + "/timeline.pdf")   # any format matplotlib writes
    >>> [float(t) for t in fig.axes[0].get_xlim()]          # the whole 10 s
    [0.0, 10.0]
    """
    from . import report as R
    from .preprocess import preprocess

    mpl = R._matplotlib()
    whole, src, cfg, events = _signal(rec, events, settings)
    if src is None:
        pre = preprocess(whole, cfg, calibration=R._calibration(events, len(whole.channels)))
        bins = R._TimelineBins.of(pre, float(whole.duration))
        units = R._units(whole)
    else:
        meta = src.meta
        window_s = auto_window_s(meta.fs, len(meta.channels), cfg)
        bins, _, _ = R._stream_parts(src, cfg, events, [], window_s, mpl)
        units = R._units(meta)
    fig, _ = R._timeline_figure(bins, events, units, mpl)
    return fig


def _figure_png(fig: Any) -> bytes:
    """A figure as PNG bytes (IPython's display of figures returned by a cell)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buf = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buf)
    return buf.getvalue()


def _register_display() -> bool:
    """In IPython, show returned figures as PNG unless a backend already does (True when
    registered here)."""
    import sys

    if "IPython" not in sys.modules:
        return False
    try:
        from IPython import get_ipython
        from matplotlib.figure import Figure
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    png = shell.display_formatter.formatters["image/png"]
    known = any(isinstance(t, type) and issubclass(Figure, t) for t in png.type_printers)
    if known or ("matplotlib.figure", "Figure") in png.deferred_printers:
        return False
    png.for_type(Figure, _figure_png)
    return True


def _try_register_display() -> None:
    try:
        _register_display()
    except Exception:  # noqa: BLE001 - a display nicety must never break an import
        pass


_try_register_display()
