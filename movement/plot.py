"""Figures for scripts and notebooks: an event as the detector saw it, and the timeline.

The review page's drawings (:mod:`movement.report`) as matplotlib figures, to show in a
notebook, save in any format (``fig.savefig("event.pdf")``) or restyle. The signals are
cleaned with the settings the events were scored with (``events.attrs["parameters"]``),
so the plot shows what the classifier measured: the cleaned signal (grey) and the
envelope that found the event (black), the event shaded in its class's colour and its
neighbours faintly.

The figures are :class:`matplotlib.figure.Figure` objects made without ``pyplot`` (no
global state, nothing left open): a notebook displays one returned by a cell; a script
saves it.

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

from typing import Any

import numpy as np
import pandas as pd

from .config import AccelConfig, EMGConfig, Settings
from .errors import MovementError
from .pipeline import recording_of
from .recording import Recording

__all__ = ["plot_event", "plot_timeline"]


def _cleaned(
    rec: Recording, events: pd.DataFrame, settings: Settings | EMGConfig | AccelConfig | None
) -> tuple[Any, pd.DataFrame]:
    """The recording cleaned as it was scored, and the events checked against it."""
    from . import report as R
    from .preprocess import preprocess

    events = R._checked(events)
    R._check_same_recording(rec, events)
    cfg = R._config(rec, events, settings)
    return preprocess(rec, cfg, calibration=R._calibration(events, len(rec.channels))), events


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
        The recording the events were found in (a path is read with :func:`movement.read`).
    events : DataFrame
        Its events table (:func:`movement.score`, or an ``_events.tsv`` read back).
    i : int
        The event's position in ``events`` (``events.iloc[i]``; negative counts from the
        end).
    settings : Settings, EMGConfig or AccelConfig, optional
        The cleaning settings; by default those stored in ``events.attrs["parameters"]``.

    Returns
    -------
    matplotlib.figure.Figure
        A row per channel (EMG) or sensor (accelerometry) the event was found on: the
        cleaned signal and the event's envelope over the context (at most 10 s either
        side), and for events under 0.5 s a zoom column of the event itself at full
        resolution.

    Raises
    ------
    MovementError
        ``i`` is not an event of the table, or the events are of another recording.
    MissingExtraError
        matplotlib is not installed.
    """
    from . import report as R

    rec = recording_of(rec)
    n = len(events)
    if not isinstance(i, (int, np.integer)) or isinstance(i, bool) or not -n <= int(i) < n:
        raise MovementError(f"event {i!r} is not in a table of {n} event(s)")
    mpl = R._matplotlib()
    pre, events = _cleaned(rec, events, settings)
    view = R._event_view(pre, 0, events, int(i) % n, float(rec.duration))
    return R._draw_event(view, rec.fs, R._units(rec), mpl).fig


def plot_timeline(
    rec: Recording | str,
    events: pd.DataFrame,
    *,
    settings: Settings | EMGConfig | AccelConfig | None = None,
) -> Any:
    """The whole recording at a glance, as the review page's timeline.

    The sustained envelope (its maximum over channels or sensors) with the events as
    spans coloured by class, a lane per class above it, missing data hatched and time
    not worn shaded; a recording longer than 2 h is drawn in several panels.

    Parameters
    ----------
    rec : Recording or path
    events : DataFrame
    settings : Settings, EMGConfig or AccelConfig, optional
        As in :func:`plot_event`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from . import report as R

    rec = recording_of(rec)
    mpl = R._matplotlib()
    pre, events = _cleaned(rec, events, settings)
    duration = float(rec.duration)
    fig, _ = R._timeline_figure(R._TimelineBins.of(pre, duration), events, R._units(rec), mpl)
    return fig
