"""movement.plot: the review page's drawings as matplotlib figures for notebooks."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("matplotlib")

import movement  # noqa: E402
from movement import report as R  # noqa: E402
from movement.errors import MovementError  # noqa: E402
from movement.plot import plot_event, plot_timeline  # noqa: E402
from movement.simulate import simulate  # noqa: E402


@pytest.fixture(scope="module")
def scored():
    rec = simulate("accel", 600, seed=11).recording
    return rec, movement.score(rec)


def _pixels(png: bytes) -> np.ndarray:
    from matplotlib.image import imread

    return imread(io.BytesIO(png), format="png")


def test_plot_event_is_the_review_pages_plot(scored) -> None:
    from movement.preprocess import preprocess

    rec, ev = scored
    assert len(ev) >= 3
    pre = preprocess(rec, R._config(rec, ev, None), calibration=R._calibration(ev, 3))
    for i in (0, len(ev) // 2, len(ev) - 1):
        fig = plot_event(rec, ev, i)
        view = R._event_view(pre, 0, ev, i, rec.duration)
        # a row per site, plus a zoom column for events under 0.5 s
        assert len(fig.axes) == len(view.site_names) * (2 if view.zoom else 1)
        assert fig.axes[0].get_ylabel() == view.site_names[0]
        assert fig.axes[0].get_xlim() == pytest.approx((view.a, view.b))
        got = _pixels(R._png(fig, R._matplotlib().Canvas))
        want = _pixels(R._event_png(view, rec.fs, R._units(rec), R._matplotlib()))
        # the page's plot under a strip with the title and legend
        # (which the page has in the event's card; tests/test_plot_event_title.py)
        assert got.shape[1:] == want.shape[1:] and got.shape[0] > want.shape[0]
        # (to a few 1/255 steps per channel: the taller figure's pixel grid rounds the
        # antialiasing of edge pixels the other way)
        diff = np.abs(got[-want.shape[0] :] - want)
        assert diff.max() <= 3.5 / 255 and diff.mean() < 1e-3
    # negative positions count from the end, as in events.iloc
    assert (
        plot_event(rec, ev, -1).axes[0].get_xlim()
        == plot_event(rec, ev, len(ev) - 1).axes[0].get_xlim()
    )


def test_plot_event_refuses_what_is_not_an_event(scored) -> None:
    rec, ev = scored
    for bad in (len(ev), -len(ev) - 1, 1.5, "0", True):
        with pytest.raises(MovementError, match="is not in a table of"):
            plot_event(rec, ev, bad)
    emg = simulate("emg", 30, seed=1).recording
    with pytest.raises(MovementError, match="events of another recording"):
        plot_event(emg, ev, 0)


def test_plot_event_takes_a_mask_or_index_labels(scored) -> None:
    """``events.review`` (a mask) and ``events.index[events.review]`` (labels) were refused
    as "not in a table" though every row was in it."""
    rec, ev = scored
    mask = np.zeros(len(ev), bool)
    mask[[0, len(ev) - 1]] = True
    want = [f.axes[0].get_xlim() for f in plot_event(rec, ev, [0, len(ev) - 1])]
    assert [f.axes[0].get_xlim() for f in plot_event(rec, ev, pd.Series(mask))] == want
    assert [f.axes[0].get_xlim() for f in plot_event(rec, ev, ev.index[mask])] == want
    # labels of a filtered table with its own index: their rows, not those positions
    sub = ev.iloc[::-1]
    got = plot_event(rec, sub, sub.index[[0]])[0].axes[0].get_xlim()
    assert got == plot_event(rec, sub, 0).axes[0].get_xlim()
    with pytest.raises(MovementError, match="a mask of 2 value"):
        plot_event(rec, ev, np.array([True, False]))
    with pytest.raises(MovementError, match=r"label\(s\) \[9999\] not in"):
        plot_event(rec, ev, pd.Index([9999]))


def test_plot_timeline_draws_every_event_and_panels_long_recordings(scored) -> None:
    rec, ev = scored
    fig = plot_timeline(rec, ev)
    ax = fig.axes[0]
    assert ax.get_xlim()[0] == 0.0 and ax.get_xlim()[1] >= rec.duration
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    for c in ("fasciculation-like", "dystonia-like", "other"):
        assert f"{c} ({int((ev['trial_type'] == c).sum())})" in legend
    # 3 h: more than one panel
    long = movement.Recording(
        np.tile([0.0, 0.0, 1.0], (3 * 3600 * 25, 1))
        + np.random.default_rng(0).normal(0, 0.003, (3 * 3600 * 25, 3)),
        fs=25.0,
        modality="accel",
        units="g",
    )
    ev_long = movement.score(long, model="rules")
    assert len(plot_timeline(long, ev_long).axes) >= 2


def test_plot_event_reads_a_path(tmp_path) -> None:
    import json

    sim = simulate("emg", 60, seed=4)
    path = tmp_path / "rec.npy"
    np.save(path, sim.recording.data)
    (tmp_path / "rec.json").write_text(
        json.dumps({"SamplingFrequency": sim.recording.fs, "Modality": "emg"})
    )
    ev = movement.score(path)
    assert len(ev)
    from_path = plot_event(str(path), ev, 0)
    from_rec = plot_event(movement.read(path), ev, 0)
    assert [a.get_ylabel() for a in from_path.axes] == [a.get_ylabel() for a in from_rec.axes]
    assert from_path.axes[0].get_xlim() == from_rec.axes[0].get_xlim()


def test_settings_of_another_type_are_refused_not_ignored(scored, tmp_path) -> None:
    rec, ev = scored
    for bad in ({"accel": {"k_on": 4}}, "nonsense"):
        with pytest.raises(MovementError, match="settings must be a Settings"):
            plot_event(rec, ev, 0, settings=bad)
        with pytest.raises(MovementError, match="settings must be a Settings"):
            plot_timeline(rec, ev, settings=bad)
        with pytest.raises(MovementError, match="settings must be a Settings"):
            R.write_report(rec, ev, tmp_path / "p.html", settings=bad)


def test_write_report_takes_a_path_as_plot_and_score_do(tmp_path) -> None:
    path = "data/sim_wrist_accel.csv"
    from pathlib import Path

    path = str(Path(__file__).resolve().parent.parent / path)
    ev = movement.score(path)
    page = R.write_report(path, ev, tmp_path / "p.html")
    assert "sim_wrist_accel.csv" in page.read_text()


def test_events_read_back_keep_their_parameters_and_plot_the_same(tmp_path) -> None:
    from movement.config import EMGConfig
    from movement.export import read_bids_events
    from movement.output import write_events

    rec = simulate("emg", 60, seed=4).recording
    cfg = EMGConfig(ecg_removal=False, band_low_hz=40.0)
    ev = movement.score(rec, cfg)
    tsv, _ = write_events(ev, tmp_path, "rec")
    back = read_bids_events(tsv)
    for k in ("parameters_hash", "movement_version", "modality"):
        assert back.attrs[k] == ev.attrs[k], k
    # (JSON keeps lists for tuples: the config they give is the one scored with)
    assert R._config(rec, back, None) == R._config(rec, ev, None) == cfg
    want = _pixels(R._png(plot_event(rec, ev, 0), R._matplotlib().Canvas))
    got = _pixels(R._png(plot_event(rec, back, 0), R._matplotlib().Canvas))
    assert np.array_equal(got, want)
    # a table without them (pandas alone) warns that the defaults clean the signal
    import pandas as pd

    bare = pd.read_csv(tsv, sep="\t", na_values="n/a")
    with pytest.warns(UserWarning, match="no scoring parameters"):
        plot_event(rec, bare, 0)


def test_figures_display_in_ipython_without_a_backend() -> None:
    pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell
    from matplotlib.figure import Figure

    import movement.plot as P

    shell = InteractiveShell.instance()
    png = shell.display_formatter.formatters["image/png"]
    png.type_printers.pop(Figure, None)
    fig = Figure()
    fig.add_subplot().plot([0, 1])
    assert "image/png" not in shell.display_formatter.format(fig)[0]
    assert P._register_display() is True
    data = shell.display_formatter.format(fig)[0]
    assert data["image/png"][:4] == b"\x89PNG"
    # a backend's (or an earlier) printer is kept
    assert P._register_display() is False


def test_review_page_says_what_scoring_changed(tmp_path) -> None:
    """The settings the rate changed (a band capped at 0.45 fs) and other scoring notes are
    on the page, also when it is drawn from an _events.tsv read back."""
    from movement.export import read_bids_events
    from movement.output import write_events

    rec = simulate("accel", 300, seed=2, fs=30.0).recording
    ev = movement.score(rec, model="rules")
    assert "applied as 13.5 Hz" in ev.attrs["notes"]["band_high_hz"]
    page = R.write_report(rec, ev, tmp_path / "a.html").read_text()
    assert "<dt>Scoring notes</dt>" in page and "applied as 13.5 Hz" in page
    tsv, _ = write_events(ev, tmp_path, "a")
    back = read_bids_events(tsv)
    page = R.write_report(rec, back, tmp_path / "b.html").read_text()
    assert "applied as 13.5 Hz" in page


def test_several_events_are_cleaned_once_and_drawn_as_separate_figures(scored, monkeypatch) -> None:
    import movement.preprocess as pp

    rec, ev = scored
    calls = []
    real = pp.preprocess
    monkeypatch.setattr(pp, "preprocess", lambda *a, **k: calls.append(1) or real(*a, **k))
    figs = plot_event(rec, ev, [0, len(ev) - 1, -1])
    assert len(calls) == 1 and len(figs) == 3
    assert len({id(f) for f in figs}) == 3
    monkeypatch.undo()
    # each is the figure a single call draws
    for k, fig in zip([0, len(ev) - 1], figs, strict=False):
        one = plot_event(rec, ev, k)
        assert np.array_equal(
            _pixels(R._png(fig, R._matplotlib().Canvas)),
            _pixels(R._png(one, R._matplotlib().Canvas)),
        )
    with pytest.raises(MovementError, match="is not in a table of"):
        plot_event(rec, ev, [0, len(ev)])


@pytest.fixture(scope="module")
def hour():
    rec = simulate("accel", 3600, seed=12).recording
    return rec, movement.score(rec)


def _line_data(fig) -> list[np.ndarray]:
    return [np.asarray(ln.get_ydata(), float) for ax in fig.axes for ln in ax.get_lines()]


def test_a_long_recording_is_plotted_from_the_windows_holding_its_events(hour, monkeypatch) -> None:
    import movement.preprocess as pp
    import movement.stream as stream

    rec, ev = hour
    on = ev["onset"].to_numpy()
    first, last = int(np.argmax(on > 60)), int(np.argmax(on > 3000))
    assert 60 < on[first] < 1500 and on[last] > 3000
    whole = plot_event(rec, ev, [first, last])  # 1 h: shorter than a window, cleaned whole
    # windows of 2000 s (4 overlaps): the hour is cleaned as the stream scores it
    monkeypatch.setattr(stream, "_WINDOW_VALUES", 1)
    calls = []
    real = pp.preprocess
    monkeypatch.setattr(pp, "preprocess", lambda *a, **k: calls.append(1) or real(*a, **k))
    one = plot_event(rec, ev, first)
    assert len(calls) == 1
    both = plot_event(rec, ev, [first, last, first])
    assert len(calls) == 3  # the two windows, each once
    assert both[0] is not both[2]
    for a, b in ((whole[0], one), (whole[0], both[0]), (whole[1], both[1])):
        assert [x.get_xlim() for x in a.axes] == [x.get_xlim() for x in b.axes]
        for ya, yb in zip(_line_data(a), _line_data(b), strict=True):
            np.testing.assert_allclose(ya, yb, rtol=1e-6, atol=1e-6)


def test_a_long_recording_timeline_is_drawn_window_by_window(hour, monkeypatch) -> None:
    import movement.stream as stream

    rec, ev = hour
    whole = plot_timeline(rec, ev)
    monkeypatch.setattr(stream, "_WINDOW_VALUES", 1)
    windowed = plot_timeline(rec, ev)
    assert len(whole.axes) == len(windowed.axes)
    for ya, yb in zip(_line_data(whole), _line_data(windowed), strict=True):
        np.testing.assert_allclose(ya, yb, rtol=1e-6, atol=1e-6)


def test_a_long_recording_holds_one_cleaned_window_at_a_time(hour, monkeypatch) -> None:
    import gc
    import weakref

    import movement.preprocess as pp
    import movement.stream as stream

    rec, ev = hour
    on = ev["onset"].to_numpy()
    first, last = int(np.argmax(on > 60)), int(np.argmax(on > 3000))
    monkeypatch.setattr(stream, "_WINDOW_VALUES", 1)
    made: list[weakref.ref] = []
    alive: list[int] = []
    real = pp.preprocess

    def spy(*a, **k):
        gc.collect()
        alive.append(sum(r() is not None for r in made))  # windows still held
        out = real(*a, **k)
        made.append(weakref.ref(out))
        return out

    monkeypatch.setattr(pp, "preprocess", spy)
    plot_event(rec, ev, [first, last])
    assert alive == [0, 0]  # the first window was let go before the second was cleaned


def test_plot_of_a_missing_file_says_so(scored) -> None:
    _, ev = scored
    for name in ("nope.npy", "nope.csv", "nope.edf"):
        with pytest.raises(movement.RecordingError, match="no such file"):
            plot_event(name, ev, 0)
        with pytest.raises(movement.RecordingError, match="no such file"):
            plot_timeline(name, ev)


def test_a_file_without_its_rate_is_read_as_it_was_scored(tmp_path) -> None:
    rec = movement.read(Path(__file__).parents[1] / "data" / "sim_forearm_emg.npy")
    np.save(tmp_path / "bare.npy", rec.data)  # no sidecar: no rate, no modality
    ev = movement.score(tmp_path / "bare.npy", fs=rec.fs, modality="emg", model="rules")
    assert len(ev) >= 1
    fig = plot_event(tmp_path / "bare.npy", ev, 0)  # the rate and modality from the events
    assert fig.axes[0].get_xlim()[1] <= rec.duration + 10
    assert len(plot_timeline(tmp_path / "bare.npy", ev).axes) == 1


def test_a_file_is_read_with_the_channels_its_events_were_scored_on(tmp_path) -> None:
    import pandas as pd

    rec = movement.read(Path(__file__).parents[1] / "data" / "sim_wrist_accel.csv")
    x = rec.data
    table = pd.DataFrame({"x": x[:, 0], "y": x[:, 1], "z": x[:, 2], "label": 3.0})
    table.to_csv(tmp_path / "four.csv", index=False)  # no time column, no sidecar
    path = tmp_path / "four.csv"
    ev = movement.score(path, fs=100, modality="accel", channels=["x", "y", "z"])
    assert list(ev.attrs["channels"]) == ["x", "y", "z"] and len(ev) >= 1
    three = movement.read(path, fs=100, modality="accel", channels=["x", "y", "z"])
    for a, b in (
        (plot_event(path, ev, 0), plot_event(three, ev, 0)),
        (plot_timeline(path, ev), plot_timeline(three, ev)),
    ):
        for ya, yb in zip(_line_data(a), _line_data(b), strict=True):
            np.testing.assert_array_equal(ya, yb)
    # and the review page of the file (the rate and modality it was given)
    page = R.write_report(path, ev, tmp_path / "four_report.html")
    assert page.exists()
