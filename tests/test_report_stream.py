"""The review page made window by window (bounded memory) equals the whole-recording one."""

from __future__ import annotations

import base64
import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import movement
import movement.report  # noqa: F401  (the module; ``movement.report`` is also a function)
from movement.simulate import simulate
from movement.stream import overlap_for, score_stream

pytest.importorskip("matplotlib")
R = sys.modules["movement.report"]


def _images(text: str) -> list[np.ndarray]:
    from PIL import Image

    return [
        np.asarray(Image.open(io.BytesIO(base64.b64decode(m))).convert("RGB")).astype(int)
        for m in re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", text)
    ]


def _text(text: str) -> str:
    """The page without its images and the time it was written."""
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)
    return re.sub(r"<dt>Report written</dt><dd>[^<]*</dd>", "", text)


def _parts(monkeypatch: pytest.MonkeyPatch, run: Any) -> tuple[dict, Any, str]:
    """Run ``run()`` (which writes a page) and catch what it plotted: the event views,
    the timeline's bins and the page's text."""
    views: dict[int, Any] = {}
    tls: list[Any] = []
    real_png, real_tl = R._event_png, R._timeline_png

    def spy_png(view, fs, units, mpl):
        views[view.i] = view
        return real_png(view, fs, units, mpl)

    def spy_tl(tl, events, units, mpl):
        tls.append(tl)
        return real_tl(tl, events, units, mpl)

    with monkeypatch.context() as m:
        m.setattr(R, "_event_png", spy_png)
        m.setattr(R, "_timeline_png", spy_tl)
        page = run()
    assert len(tls) == 1
    return views, tls[0], Path(page).read_text(encoding="utf-8")


#: A 1x1 PNG: an event plot of a page that is only the oracle of the text (not drawn).
_PLACEHOLDER_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg=="
)


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _same_curve(a: np.ndarray, b: np.ndarray, rtol: float = 1e-9) -> None:
    assert a.shape == b.shape
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-12, equal_nan=True)


def _same_timeline(whole: Any, streamed: Any) -> None:
    assert whole.spans == streamed.spans and whole.n_panels == streamed.n_panels
    for p in range(whole.n_panels):
        tw, yw = whole.panel_curve(p)
        ts, ys = streamed.panel_curve(p)
        np.testing.assert_array_equal(tw, ts)
        _same_curve(yw, ys)
    assert whole.n_valid == streamed.n_valid
    assert streamed.peak == pytest.approx(whole.peak, rel=1e-9)
    assert streamed.percentile() == pytest.approx(whole.percentile(), rel=1e-9)
    np.testing.assert_array_equal(whole.gap_runs(), streamed.gap_runs())


def _same_view(v: Any, w: Any, rtol: float = 1e-9) -> None:
    assert (v.i, v.a, v.b, v.zoom, v.site_names, v.near) == (
        w.i,
        w.a,
        w.b,
        w.zoom,
        w.site_names,
        w.near,
    )
    for x, y in zip(v.context + v.zoomed, w.context + w.zoomed, strict=True):
        for p, q in zip(x, y, strict=True):
            _same_curve(p, q, rtol)


def _compare(monkeypatch, rec, events, tmp_path, window_s, max_plots) -> tuple[dict, dict]:
    whole = _parts(
        monkeypatch,
        lambda: R.write_report(rec, events, tmp_path / "w" / "rec_report.html",
                               max_event_plots=max_plots),
    )  # fmt: skip
    streamed = _parts(
        monkeypatch,
        lambda: R.write_report_stream(rec, events, tmp_path / "s" / "rec_report.html",
                                      max_event_plots=max_plots, window_s=window_s),
    )  # fmt: skip
    _same_timeline(whole[1], streamed[1])
    assert sorted(whole[0]) == sorted(streamed[0]) == R.select_event_plots(events, max_plots)
    for i in whole[0]:
        _same_view(whole[0][i], streamed[0][i])
    # the same page: text, and images (decoded) that differ in at most a few pixels
    assert _text(whole[2]) == _text(streamed[2])
    iw, is_ = _images(whole[2]), _images(streamed[2])
    assert len(iw) == len(is_) == 1 + len(whole[0])
    for a, b in zip(iw, is_, strict=True):
        assert a.shape == b.shape
        assert (np.abs(a - b).sum(axis=2) > 0).mean() < 1e-3
    return whole[0], streamed[0]


@pytest.fixture(scope="module")
def accel_sim() -> movement.Recording:
    return simulate("accel", 2700, seed=3).recording  # 45 min


def test_streamed_page_equals_whole_accel(monkeypatch, tmp_path: Path, accel_sim) -> None:
    rec = accel_sim
    events = score_stream(rec, model="rules", window_s=600)
    assert events.attrs["stream"]["windows"] >= 4 and len(events) > 30
    # an event of 400 s whose plot reaches past its window's slice (the overlap is 300 s)
    long = events.iloc[[0]].copy()
    long["onset"], long["duration"], long["review"] = 1150.0, 400.0, True
    long["trial_type"], long["scale"] = "dystonia-like", "sustained"
    events = pd.concat([events, long]).sort_values("onset", kind="stable").reset_index(drop=True)
    events.attrs = dict(long.attrs)
    views, _ = _compare(monkeypatch, rec, events, tmp_path, 600, 30)
    i = int(np.flatnonzero(events["duration"].to_numpy() == 400.0)[0])
    assert views[i].b == pytest.approx(1560.0)
    assert views[i].context[0][0][-1] == pytest.approx(1560.0, abs=1.0)  # not cut at 1500 s


def test_streamed_page_equals_whole_emg_two_channels(monkeypatch, tmp_path: Path) -> None:
    rec = simulate("emg", 420, seed=5).recording
    assert len(rec.channels) == 2
    events = score_stream(rec, model="rules", window_s=60)
    assert events.attrs["stream"]["windows"] >= 2 and len(events) > 10
    _compare(monkeypatch, rec, events, tmp_path, 60, 25)


def test_windows_read_are_bounded(monkeypatch, accel_sim, tmp_path: Path) -> None:
    """Every array preprocessed holds at most a window's slice (+ the growth a long
    event's plot may ask for), and the timeline's arrays hold pixels, not samples."""
    import movement.preprocess as prep

    sizes: list[int] = []
    real = prep.preprocess

    def spy(rec, cfg, **kw):
        sizes.append(rec.n_samples)
        return real(rec, cfg, **kw)

    monkeypatch.setattr(prep, "preprocess", spy)
    rec = accel_sim
    events = score_stream(rec, model="rules", window_s=300)
    sizes.clear()
    tls: list[Any] = []
    real_tl = R._timeline_png
    monkeypatch.setattr(R, "_timeline_png", lambda tl, *a: tls.append(tl) or real_tl(tl, *a))
    R.write_report_stream(rec, events, tmp_path / "r_report.html", window_s=300, max_event_plots=5)
    ov = overlap_for(movement.config.AccelConfig(), rec.fs)
    assert len(sizes) >= 4
    assert max(sizes) <= (300 + 2 * ov) * rec.fs < rec.n_samples
    tl = tls[0]
    assert sum(len(v) for v in tl.values) <= tl.n_panels * R._TIMELINE_BINS
    assert len(tl._top) <= 0.005 * rec.n_samples + 4


def test_timeline_bins_any_chunks_equal_one_pass() -> None:
    rng = np.random.default_rng(0)
    n, fs = 250_000, 100.0
    env = np.abs(rng.standard_normal((n, 2)))
    env[1000:1500] = np.nan  # missing: left out of the maxima and the percentile
    gaps = np.isnan(env[:, 0])
    one = R._TimelineBins(n, fs, n / fs)
    one.add(0, env, gaps)
    many = R._TimelineBins(n, fs, n / fs)
    cuts = np.sort(rng.choice(np.arange(1, n), 40, replace=False))
    for a, b in zip(np.r_[0, cuts], np.r_[cuts, n], strict=True):
        many.add(int(a), env[a:b], gaps[a:b])
    _same_timeline(one, many)
    m = np.fmax.reduce(env, axis=1)
    assert one.percentile() == np.nanpercentile(m, R._TIMELINE_Q)
    assert one.peak == np.nanmax(m) and one.n_valid == n - 500
    np.testing.assert_array_equal(one.gap_runs(), [[1000, 1500]])
    # every sample is in a bin of its panel: the bins' maxima hold the panel's maximum
    for p, (i0, i1, _) in enumerate(one.spans):
        assert np.nanmax(one.values[p]) == np.nanmax(m[i0:i1])
        t, _ = one.panel_curve(p)
        assert i0 / fs <= t[0] and t[-1] <= (i1 - 1) / fs


def test_long_gap_pieces(monkeypatch, tmp_path: Path) -> None:
    """Pieces between long gaps are preprocessed apart (as they are scored): the long gap
    is drawn as missing; away from the gaps the plots equal the whole page's."""
    sim = simulate("accel", 2700, seed=4)
    x = sim.recording.data.copy()
    fs = sim.recording.fs
    x[int(900 * fs) : int(1200 * fs)] = np.nan  # longer than MAX_GAP_S: two pieces
    rec = movement.Recording(x, fs=fs, modality="accel", channels=sim.recording.channels)
    events = score_stream(rec, model="rules", window_s=300)
    n_plots = 60
    whole, wtl, _ = _parts(
        monkeypatch,
        lambda: R.write_report(rec, events, tmp_path / "w_report.html", max_event_plots=n_plots),
    )
    streamed, stl, text = _parts(
        monkeypatch,
        lambda: R.write_report_stream(
            rec, events, tmp_path / "s_report.html", max_event_plots=n_plots, window_s=300
        ),
    )
    np.testing.assert_array_equal(stl.gap_runs(), [[int(900 * fs), int(1200 * fs)]])
    assert sorted(whole) == sorted(streamed) == R.select_event_plots(events, n_plots)
    far = [i for i in whole if abs(whole[i].onset - 1050) > 400]
    assert len(far) > 10
    for i in far:  # (the pieces' own fill values and filters: float noise far from the gap)
        _same_view(whole[i], streamed[i], rtol=1e-6)
    assert len(_images(text)) == 1 + n_plots


def test_score_and_report_cli_stream_long_files(monkeypatch, tmp_path: Path, accel_sim) -> None:
    """``movement score --report`` and ``movement report`` make the page window by window
    for a file that streams (the same page as from the recording in memory)."""
    import movement.batch as batch
    from movement.cli import main

    data = tmp_path / "data"
    data.mkdir()
    np.save(data / "day.npy", accel_sim.data[: int(600 * accel_sim.fs)])  # 10 min
    (data / "day.json").write_text(
        json.dumps({"SamplingFrequency": accel_sim.fs, "Modality": "accel",
                    "ColumnNames": list(accel_sim.channels)})
    )  # fmt: skip
    monkeypatch.setattr(batch, "STREAM_BYTES", 0)  # every streamable file streams
    calls: list[str] = []
    real_stream, real_whole = R.write_report_stream, R.write_report

    def spy_stream(*a, **k):
        calls.append("stream")
        return real_stream(*a, **k)

    def spy_whole(*a, **k):
        calls.append("whole")
        return real_whole(*a, **k)

    monkeypatch.setattr(R, "write_report_stream", spy_stream)
    monkeypatch.setattr(R, "write_report", spy_whole)
    out = tmp_path / "out"
    args = ["score", str(data / "day.npy"), "--out", str(out), "--model", "rules", "--report"]
    assert main([*args, "-q"]) == 0
    assert calls == ["stream"]
    text = (out / "day_report.html").read_text()
    scored = pd.read_csv(out / "day_events.tsv", sep="\t")
    assert text.count('<tr id="row-') == len(scored) > 0
    assert len(_images(text)) == 1 + min(200, len(scored))
    # a page for an earlier score
    calls.clear()
    assert main(["report", str(data / "day.npy"), "--events", str(out), "--out",
                 str(tmp_path / "pages"), "-q"]) == 0  # fmt: skip
    assert calls == ["stream"]
    again = (tmp_path / "pages" / "day_report.html").read_text()
    assert again.count('<tr id="row-') == len(scored)
    # (the events read back from the TSV: the same plots)
    for a, b in zip(_images(again), _images(text), strict=True):
        assert a.shape == b.shape and (np.abs(a - b).sum(axis=2) > 0).mean() < 1e-3


def test_write_report_of_a_long_file_is_made_window_by_window(tmp_path: Path, monkeypatch):
    import movement.batch as batch

    # (300 s: the file is taken as long below; its pages draw fewer event plots)
    sim = simulate("accel", 300, seed=31).recording
    np.save(tmp_path / "rec.npy", sim.data)
    (tmp_path / "rec.json").write_text(
        json.dumps({"SamplingFrequency": 100, "Modality": "accel", "ColumnNames": ["x", "y", "z"]})
    )
    ev = score_stream(tmp_path / "rec.npy", model="rules")
    # the stream record survives the events files
    movement.output.write_events(ev, tmp_path / "out", "rec")
    back = movement.export.read_bids_events(tmp_path / "out" / "rec_events.tsv")
    assert back.attrs["stream"] == ev.attrs["stream"]
    calls = []
    real = R.write_report_stream
    monkeypatch.setattr(R, "write_report_stream", lambda *a, **k: calls.append(a) or real(*a, **k))
    monkeypatch.setattr(batch, "is_streamed", lambda *a, **k: True)  # as a long file is
    page = R.write_report(tmp_path / "rec.npy", ev, tmp_path / "rec_report.html")
    assert len(calls) == 1 and page.exists()
    monkeypatch.setattr(batch, "is_streamed", lambda *a, **k: False)
    R.write_report(tmp_path / "rec.npy", ev, tmp_path / "whole_report.html")
    assert len(calls) == 1  # a short file: read whole


def test_write_report_of_a_long_recording_in_memory_is_drawn_window_by_window(
    tmp_path: Path, monkeypatch
):
    import movement.stream as stream

    rec = simulate("accel", 2400, seed=32).recording
    ev = movement.score(rec, model="rules")
    # the whole page is the oracle of the text only (``_text`` leaves its images out): its
    # event plots are not drawn; the windowed page below draws every one of its plots
    with monkeypatch.context() as m:
        m.setattr(R, "_event_png", lambda view, fs, units, mpl: _PLACEHOLDER_PNG)
        whole = R.write_report(rec, ev, tmp_path / "whole_report.html").read_text()
    assert whole.count(_data_uri(_PLACEHOLDER_PNG)) == min(200, len(ev)) > 0
    monkeypatch.setattr(stream, "_WINDOW_VALUES", 1)  # windows of 2000 s: 2400 s is long
    calls = []
    real = R.write_report_stream
    monkeypatch.setattr(R, "write_report_stream", lambda *a, **k: calls.append(a) or real(*a, **k))
    windowed = R.write_report(rec, ev, tmp_path / "x" / "whole_report.html").read_text()
    assert len(calls) == 1
    assert _data_uri(_PLACEHOLDER_PNG) not in windowed  # (its plots drawn)
    assert _text(windowed) == _text(whole)  # the same page, drawn from windows
