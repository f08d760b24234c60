"""plot_event's figures say which event they show (title) and what is drawn (legend):
a figure saved from a notebook is read without the review page's card beside it."""

from __future__ import annotations

import numpy as np
import pytest

import movement
from movement.plot import _event_title, plot_event

pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def two_twitches():
    x = np.random.default_rng(0).normal(0, 0.01, (40000, 1))
    x[10000:10030, 0] += np.hanning(30) * 0.5
    x[14000:14030, 0] += np.hanning(30) * 0.5
    rec = movement.Recording(x, fs=2000, modality="emg")
    return rec, movement.score(rec, model="rules")


def test_title_names_the_event_its_class_probability_and_time(two_twitches):
    rec, ev = two_twitches
    assert len(ev) == 2
    fig = plot_event(rec, ev, 1)
    title = fig._suptitle.get_text()
    row = ev.iloc[1]
    assert title.startswith(f"event 2 of 2: {row.trial_type}, p = {row.probability:.2f}")
    assert f"{row.onset:.3f} s + {row.duration * 1000:.0f} ms" in title  # (a brief twitch)


def test_legend_lists_signal_envelope_this_event_and_neighbours(two_twitches):
    rec, ev = two_twitches
    fig = plot_event(rec, ev, 0)
    (legend,) = fig.legends
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts[:3] == ["signal", "brief envelope", "this event"]
    # the second twitch (2 s later) is within the 10 s context: named by its class
    assert f"other event: {ev.trial_type.iloc[1]}" in texts


def test_title_and_legend_do_not_overlap_the_axes(two_twitches):
    rec, ev = two_twitches
    fig = plot_event(rec, ev, 0)
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    top_axes = max(ax.get_window_extent(r).y1 for ax in fig.axes)
    (legend,) = fig.legends
    assert legend.get_window_extent(r).y0 >= top_axes
    assert fig._suptitle.get_window_extent(r).y0 >= legend.get_window_extent(r).y1 - 1


def test_rejected_event_and_missing_probability_are_said():
    import pandas as pd

    ev = pd.DataFrame(
        {"onset": [1.0], "duration": [2.5], "trial_type": ["dystonia-like"], "review": [True]}
    )
    assert _event_title(ev, 0, 1) == "event 1 of 1: dystonia-like (to review) | 1.000 s + 2.50 s"
