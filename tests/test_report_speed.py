"""The review page's drawing shortcuts draw what matplotlib draws, and ``--max-plots``.

The event plots reuse one figure per layout and keep their span artists from plot to plot
(:class:`movement.report._Spans`): each must give the pixels of a new figure drawn by
matplotlib.
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("matplotlib")

import movement  # noqa: E402
from movement import report as R  # noqa: E402
from movement.errors import MovementError  # noqa: E402


def _pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _agg() -> R._Mpl:
    """matplotlib's own classes, for a new figure per plot."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    return R._Mpl(Figure, FigureCanvasAgg)


def _new_figure_png(view: R._EventView, fs: float, units: str) -> bytes:
    mpl = _agg()
    return R._png(R._draw_event(view, fs, units, mpl).fig, mpl.Canvas)


@pytest.fixture(scope="module")
def scored() -> tuple[movement.Recording, pd.DataFrame, object]:
    from movement.pipeline import _config_for
    from movement.preprocess import preprocess

    fs = 2000.0
    rng = np.random.default_rng(5)
    x = rng.normal(0, 0.01, (int(30 * fs), 3))
    for k, t in enumerate(np.arange(1.0, 29.0, 1.3)):  # spikes every 1.3 s, one site each
        i = int(t * fs)
        x[i : i + 30, k % 3] += np.hanning(30) * rng.uniform(0.2, 0.8)
    a, b = int(14 * fs), int(18 * fs)  # a sustained burst
    x[a:b] += rng.normal(0, 0.08, (b - a, 3))
    rec = movement.Recording(x, fs=fs, modality="emg", units="mV")
    ev = movement.score(rec, model="rules")
    ev.loc[ev.index[::3], "channel"] = ",".join(rec.channels)
    pre = preprocess(rec, _config_for("emg", None))
    return rec, ev, pre


def test_reused_spans_draw_what_a_new_figure_does(scored) -> None:
    """Plot after plot on the page's reused figures (more spans, then fewer; rejected
    outlines and class colours swapping on the same span artists; the same labels at
    other fractions of a pixel), each plot is the pixels of a new figure."""
    rec, ev, pre = scored
    mpl = R._matplotlib()
    views, per_layout = [], {}
    for i in range(len(ev)):  # loop over the events: up to 2 of each figure layout
        v = R._event_view(pre, 0, ev, i, rec.duration)
        layout = (len(v.site_names), v.zoom is not None)
        per_layout[layout] = per_layout.get(layout, 0) + 1
        if per_layout[layout] > 2:
            continue
        near = [(v.onset - 0.5 - 0.1 * k, v.onset - 0.45 - 0.1 * k, "#CC79A7") for k in range(4)]
        views += [
            v,
            dataclasses.replace(v, rejected=True, near=near, near_rejected=[(v.a, v.a + 0.2)]),
            dataclasses.replace(v, near=[], near_rejected=[]),
            dataclasses.replace(v, a=v.a + 0.013, b=v.b + 0.013, colour="#009E73"),
        ]
    assert len({(len(v.site_names), v.zoom is not None) for v in views}) >= 2
    for v in views:  # loop over the plots, in the page's order
        want = _pixels(_new_figure_png(v, rec.fs, "mV"))
        got = _pixels(R._event_png(v, rec.fs, "mV", mpl))
        assert want.shape == got.shape and np.array_equal(want, got), v.i
    # the span artists are kept, not added plot after plot
    most = max(len(v.near) + len(v.near_rejected) + 1 for v in views)
    for ef in mpl.event_figures.values():
        for row in ef.rows:
            assert len(row.spans.patches) <= most
            assert len(row.ax.patches) == len(row.spans.patches)


# ---------------------------------------------------------------------------
# --max-plots of movement score --report
# ---------------------------------------------------------------------------


def _images(page: Path) -> int:
    return page.read_text().count('src="data:image/png;base64,')


@pytest.fixture(scope="module")
def wrist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from movement.simulate import simulate, write_simulation

    data = tmp_path_factory.mktemp("data")
    write_simulation(simulate("accel", 300, 4), data, "wrist")
    (data / "wrist_events.tsv").unlink()  # (the ground truth: not a recording)
    return data / "wrist.csv"


def test_score_options_max_plots() -> None:
    from movement.batch import ScoreOptions, score_options

    assert ScoreOptions().max_plots == 200
    assert score_options({"max_plots": 3}).max_plots == 3
    got = score_options({"max_plots": np.int64(4)}).max_plots
    assert got == 4 and type(got) is int
    for bad in (-1, 2.5, True, "10", None):
        with pytest.raises(MovementError, match="max_plots must be a whole number") as info:
            score_options({"max_plots": bad})
        assert "\n" not in str(info.value)
    # not hashed, as --report: a page drawn with other options is kept on resume
    assert ScoreOptions(max_plots=5, report=True).key() == ScoreOptions().key()


def test_score_batch_draws_max_plots(wrist: Path, tmp_path: Path) -> None:
    from movement.batch import ScoreOptions, score_batch

    opts = ScoreOptions(model="rules", report=True, max_plots=2)
    rows = score_batch([wrist], tmp_path, opts, jobs=1, progress=False)
    assert rows[0]["status"] == "ok" and rows[0]["n_events"] > 2
    page = tmp_path / "wrist_report.html"
    assert _images(page) == 1 + 2  # the timeline and two plots
    assert "max_event_plots = 2" in page.read_text()


def test_cli_score_max_plots(wrist: Path, tmp_path: Path, capsys) -> None:
    from movement.cli import main

    out = tmp_path / "r"
    args = ["score", str(wrist), "--out", str(out), "--model", "rules", "-q"]
    assert main([*args, "--report", "--max-plots", "1"]) == 0
    assert _images(out / "wrist_report.html") == 1 + 1
    assert main([*args, "--report", "--max-plots", "0"]) == 0  # resumed: the page is kept
    assert _images(out / "wrist_report.html") == 1 + 1
    assert main([*args, "--report", "--max-plots", "0", "--no-resume"]) == 0
    assert _images(out / "wrist_report.html") == 1
    capsys.readouterr()
    for bad, said in [
        (["--report", "--max-plots", "-1"], "--max-plots must be 0 or more event plots, got -1"),
        (["--max-plots", "3"], "--max-plots is for the review page: add --report"),
    ]:
        assert main([*args, *bad]) == 2
        err = capsys.readouterr().err
        assert said in err and err.count("\n") == 1, err
