"""Streaming (windowed) scoring gives the same events as whole-recording scoring."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import movement
import movement.stream as stream
from movement.config import AccelConfig, EMGConfig
from movement.simulate import simulate, write_simulation
from movement.stream import overlap_for, score_stream


def assert_same_events(a: pd.DataFrame, b: pd.DataFrame, fs: float) -> None:
    """Same count, onsets within one sample, same labels, features to float tolerance;
    the same ECG found (EMG with ECG removal) and the same dropouts bridged."""
    assert len(a) == len(b), (len(a), len(b))
    assert a.attrs.get("ecg") == b.attrs.get("ecg"), (a.attrs.get("ecg"), b.attrs.get("ecg"))
    drop_a, drop_b = ((d.attrs.get("notes") or {}).get("dropouts") for d in (a, b))
    assert drop_a == drop_b, (drop_a, drop_b)
    assert np.all(np.abs(a["onset"].to_numpy() - b["onset"].to_numpy()) <= 1.0 / fs + 1e-9)
    assert list(a["trial_type"]) == list(b["trial_type"])
    assert list(a["channel"]) == list(b["channel"])
    for col in ("duration", "probability", "snr_db", "isolation_s", "local_rate_per_min"):
        np.testing.assert_allclose(
            a[col].to_numpy(float), b[col].to_numpy(float), rtol=1e-6, atol=1e-6, err_msg=col
        )


@pytest.fixture(scope="module")
def accel_sim():
    return simulate("accel", 1500, seed=3)


@pytest.fixture(scope="module")
def accel_whole(accel_sim):
    return movement.score(accel_sim.recording, stream=False)


def test_overlap_defaults():
    # the reach (362.25 s: the detector's whitening, 150 + 25 s, compounds with its noise
    # level's 150 s) and the longest segment (60 s), rounded up once to the twitch
    # detector's whitening update step (50 s)
    assert overlap_for(AccelConfig(), 100.0) == 450.0
    assert overlap_for(AccelConfig(twitch_windows_s=None), 100.0) == 248.0
    # at 85.7 Hz (GENEActiv) the blocks (43, 9 and 21 samples) and the update step meet
    # every 3161 s: the overlap is whole 43-sample blocks (841 of them), not one such step
    # (the cores are offset instead: test_sparse_grid_plans_start_slices_on_the_grid)
    assert overlap_for(AccelConfig(), 85.7) == pytest.approx(841 * 43 / 85.7)
    assert stream._alignment(85.7, AccelConfig()) == 270_900
    # 105 s + the MUAP detector's whitening (32.5 s) + the ECG removal's reach (42 s)
    assert overlap_for(EMGConfig(), 2000.0) == 175.0
    assert overlap_for(EMGConfig(ecg_removal=False), 2000.0) == 135.0
    # the baseline window dominates: a longer one needs more overlap (twice: the
    # whitening's background spectrum and the noise level)
    assert overlap_for(AccelConfig(baseline_window_s=600), 100.0) >= 450.0 + 300


@pytest.mark.parametrize("fs", [85.7, 90.0, 128.0, 150.0, 100.0, 50.0])
def test_sparse_grid_plans_start_slices_on_the_grid(fs: float) -> None:
    """Where the blocks and update steps meet rarely (85.7 Hz: every 3161 s) the overlap
    is whole 0.5 s blocks, far less than a step, and the cores are offset so that every
    slice starts on the step's grid; where they meet often (50 s at 100 Hz) the plan is
    the one before the offset (cores on the grid, 450 s of overlap). A day at 85.7 Hz
    was cut with 3161 s of overlap on each side of 3.5 h cores (half the work again)."""
    cfg = AccelConfig()
    n = int(86_400 * fs)
    pl = stream.plan(n, fs, cfg, stream.auto_window_s(fs, 3, cfg), stream._MAX_SEGMENT_S)
    block = int(round(0.5 * fs))
    need = (stream._margin(cfg, fs) + stream._MAX_SEGMENT_S) * fs
    assert len(pl.cores) >= 5
    for core in pl.cores:  # loop over the windows
        s0, s1 = pl.slice_of(core)
        assert s0 % pl.step == 0
        assert s1 - s0 <= core[1] - core[0] + 2 * pl.overlap
    if fs in (100.0, 50.0):
        assert pl.overlap == 450 * fs and pl.overlap % pl.step == 0
        assert all(c0 % pl.step == 0 for c0, _ in pl.cores)
    else:
        assert pl.step > pl.overlap and pl.overlap % block == 0
        assert need <= pl.overlap < need + block


def test_a_geneactiv_rate_streams_with_the_default_settings(tmp_path: Path) -> None:
    """~2.3 h of a GENEActiv at 85.7 Hz with the default settings (twitch detector on:
    3161 s steps) streams in 3 offset cores with a 422 s overlap, and gives the whole
    read's events."""
    from test_stream_devices import GENEACTIV, tile_geneactiv

    path = tile_geneactiv(GENEACTIV, tmp_path / "h.bin", 150)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole = movement.score(movement.read(path), stream=False)
    ev = score_stream(path, window_s=3000)
    assert ev.attrs["stream"]["windows"] == 3
    assert ev.attrs["stream"]["overlap_s"] == pytest.approx(422.0, abs=0.5)
    assert len(whole) >= 5
    assert_same_events(whole, ev, 85.7)


def test_accel_stream_equals_in_memory(accel_sim, accel_whole):
    streamed = score_stream(accel_sim.recording, window_s=450)
    assert streamed.attrs["stream"]["windows"] == 3
    assert len(accel_whole) >= 5
    assert_same_events(accel_whole, streamed, accel_sim.recording.fs)
    assert list(streamed.columns) == list(accel_whole.columns)
    assert streamed.attrs["parameters_hash"] == accel_whole.attrs["parameters_hash"]


def test_threads_give_the_same_table(accel_sim):
    one = score_stream(accel_sim.recording, window_s=400)
    two = score_stream(accel_sim.recording, window_s=400, threads=2)
    assert one.attrs["stream"]["windows"] >= 3
    pd.testing.assert_frame_equal(one, two)
    assert one.attrs["stream"] == two.attrs["stream"]


def test_emg_two_channels_stream_equals_in_memory():
    from movement.preprocess import ecg_beats

    # 420 s: longer than one core + two overlaps (60 + 2 x 175 s)
    sim = simulate("emg", 420, seed=5)
    # ECG removal (beats, rhythm, average beat) is local: windows see the same beats
    assert len(ecg_beats(sim.recording.data, sim.recording.fs)) > 200
    whole = movement.score(sim.recording, stream=False)
    streamed = score_stream(sim.recording, window_s=60)
    assert streamed.attrs["stream"]["windows"] >= 2
    assert_same_events(whole, streamed, sim.recording.fs)
    # cocontraction uses the recording-wide 99th percentile (first pass)
    np.testing.assert_allclose(
        whole["cocontraction"].to_numpy(float),
        streamed["cocontraction"].to_numpy(float),
        rtol=1e-6,
        atol=1e-9,
    )


def _still_wrist(seconds: float, seed: int, tremor: tuple[float, float]) -> np.ndarray:
    """A still 100 Hz wrist (4 mg noise, 1 g on z) with a 5 Hz, 50 mg tremor on x over
    ``tremor`` (s)."""
    fs = 100.0
    rng = np.random.default_rng(seed)
    n = int(seconds * fs)
    x = rng.normal(0, 0.004, (n, 3))
    x[:, 2] += 1.0
    t = np.arange(n) / fs
    on = (t >= tremor[0]) & (t < tremor[1])
    x[on, 0] += 0.05 * np.sin(2 * np.pi * 5 * t[on])
    return x


def test_long_segment_crossing_a_window_is_taken_whole():
    """A 200 s tremor (longer than max_segment_s) crosses a core end: the slice is extended."""
    fs = 100.0
    # from the second core to past the slice's trusted end
    x = _still_wrist(1500, 0, (500, 1100))
    rec = movement.Recording(x, fs=fs, modality="accel")
    whole = movement.score(rec, model="rules", stream=False)
    streamed = score_stream(rec, model="rules", window_s=450, max_segment_s=10)
    assert streamed.attrs["stream"].get("extensions", 0) >= 1
    assert_same_events(whole, streamed, fs)
    assert (whole["duration"] > 150).any()


def test_long_segment_late_in_a_core_takes_a_shorter_slice():
    """A long tremor starting late in a core, after twitches in the same core: the longer
    slice starts one overlap before the tremor (not at the core's start); the twitches
    are measured on the first slice, the tremor on the shorter one, as the whole."""
    fs = 100.0
    x = _still_wrist(2400, 1, (1250, 1700))  # late in the second core, past its slice's end
    for t0 in (700.0, 760.0, 830.0, 905.0):  # twitches early in the second core
        i = int(t0 * fs)
        x[i : i + 20, 1] += 0.3 * np.hanning(20)
    rec = movement.Recording(x, fs=fs, modality="accel")
    whole = movement.score(rec, model="rules", stream=False)
    streamed = score_stream(rec, model="rules", window_s=650, max_segment_s=10)
    info = streamed.attrs["stream"]
    assert info.get("extensions", 0) >= 1
    assert info.get("late_slices", 0) >= 1
    assert_same_events(whole, streamed, fs)
    assert (whole["duration"] > 300).any()
    assert (whole["duration"] < 1).sum() >= 4


@pytest.mark.parametrize("window_s", [170, 450])
def test_emg_segment_late_in_a_core_takes_a_shorter_slice(window_s):
    """EMG (2 channels: the co-contraction of the recording-wide scale): the simulated
    15 s and 14.8 s bursts (onsets 163.7 s and 445.5 s) run past their core's slice
    (``max_segment_s`` 1 s: 5.4 s past the core's end are trusted); the longer slice
    starts one overlap before the burst, the events are the whole recording's."""
    sim = simulate("emg", 900, seed=8, n_channels=2)
    rec = sim.recording
    whole = movement.score(rec, stream=False)
    streamed = score_stream(rec, window_s=window_s, max_segment_s=1)
    info = streamed.attrs["stream"]
    assert info.get("late_slices", 0) >= 1
    assert_same_events(whole, streamed, rec.fs)
    assert (whole["duration"] > 10).sum() >= 2
    np.testing.assert_allclose(
        whole["cocontraction"].to_numpy(float),
        streamed["cocontraction"].to_numpy(float),
        rtol=1e-6,
        atol=1e-9,
    )


@pytest.mark.parametrize("fmt", ["npy", "csv"])
def test_file_sources(tmp_path: Path, accel_sim, fmt: str):
    paths = write_simulation(accel_sim, tmp_path, "rec", format=fmt)
    whole = movement.score(movement.read(paths["data"]), stream=False)
    streamed = score_stream(paths["data"], window_s=450, chunk_rows=7_000)
    assert streamed.attrs["stream"]["windows"] == 3
    assert streamed.attrs["fs"] == 100.0 and streamed.attrs["modality"] == "accel"
    assert_same_events(whole, streamed, 100.0)


def test_gzipped_csv_source(tmp_path: Path, accel_sim):
    import gzip

    paths = write_simulation(accel_sim, tmp_path, "rec", format="csv")
    gz = tmp_path / "rec.csv.gz"
    gz.write_bytes(gzip.compress(paths["data"].read_bytes()))
    whole = movement.score(movement.read(gz), stream=False)
    streamed = score_stream(gz, window_s=450, chunk_rows=7_000)
    assert streamed.attrs["stream"]["windows"] == 3
    assert_same_events(whole, streamed, 100.0)
    from movement.batch import _decoded_bytes

    assert _decoded_bytes(gz) == 8 * gz.stat().st_size


def test_parquet_source(tmp_path: Path, accel_sim):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rec = accel_sim.recording
    table = pa.Table.from_pandas(pd.DataFrame(rec.data, columns=list(rec.channels)))
    table = table.replace_schema_metadata({b"movement.fs": b"100"})
    path = tmp_path / "rec.parquet"
    pq.write_table(table, path, row_group_size=20_000)
    whole = movement.score(movement.read(path), stream=False)
    streamed = score_stream(path, window_s=450)
    assert_same_events(whole, streamed, 100.0)


def _write_accel_edf(path: Path, rec: movement.Recording, scale: float = 1.0, unit: str = "g"):
    edfio = pytest.importorskip("edfio")
    sigs = [
        edfio.EdfSignal(
            rec.data[:, j] * scale,
            rec.fs,
            label=f"Acc {c.upper()}",
            physical_dimension=unit,
            physical_range=(-16 * scale, 16 * scale),
        )
        for j, c in enumerate(rec.channels)
    ]
    # an extra signal at another rate (dropped, with a note, by both paths)
    sigs.append(edfio.EdfSignal(np.zeros(int(rec.duration)), 1, label="Temp"))
    edfio.Edf(sigs).write(path)


@pytest.mark.parametrize("suffix", [".edf", ".bdf"])
def test_edf_source_equals_in_memory(tmp_path: Path, accel_sim, suffix: str):
    edfio = pytest.importorskip("edfio")
    path = tmp_path / f"rec{suffix}"
    if suffix == ".edf":
        _write_accel_edf(path, accel_sim.recording)
    else:
        rec = accel_sim.recording
        sigs = [
            edfio.BdfSignal(rec.data[:, j], rec.fs, label=f"Acc {c}", physical_range=(-16, 16))
            for j, c in enumerate("XYZ")
        ]
        edfio.Bdf(sigs).write(path)
    whole_rec = movement.read(path)
    whole = movement.score(whole_rec, stream=False)
    streamed = score_stream(path, window_s=450)
    assert streamed.attrs["stream"]["windows"] == 3
    assert streamed.attrs["fs"] == 100.0 and streamed.attrs["modality"] == "accel"
    assert "read whole" not in streamed.attrs["notes"].get("stream", "")
    assert len(whole) >= 5
    assert_same_events(whole, streamed, 100.0)
    # random access: two windows at a time give the same table
    assert_same_events(whole, score_stream(path, window_s=450, threads=2), 100.0)


def test_edf_rows_are_the_decoded_data(tmp_path: Path, accel_sim):
    """Row slices of an EDF file (decoded on demand) equal the whole read, bit for bit;
    a channel selection and an mg file are resolved as by movement.read."""
    pytest.importorskip("edfio")
    from movement.io.devices import open_edf, read_edf

    path = tmp_path / "mg.edf"
    _write_accel_edf(path, accel_sim.recording, scale=1000.0, unit="mg")
    whole = movement.read(path)
    assert whole.units == "g" and whole.channels == ("Acc X", "Acc Y", "Acc Z")
    rows = open_edf(path).data
    assert rows.shape == (whole.n_samples, 3)
    np.testing.assert_array_equal(np.concatenate([rows[0:777], rows[777:]]), read_edf(path).data)
    np.testing.assert_allclose(rows[:] * 1e-3, whole.data, rtol=1e-15)
    sel = movement.read(path, channels=["Acc Z", "Acc X"])
    streamed = score_stream(path, channels=["Acc Z", "Acc X"], window_s=450)
    assert tuple(streamed.attrs["channels"]) == ("Acc Z", "Acc X")
    assert_same_events(movement.score(sel, stream=False), streamed, 100.0)


def test_npy_in_mg_units_and_fs_argument(tmp_path: Path, accel_sim):
    path = tmp_path / "mg.npy"
    np.save(path, (accel_sim.recording.data * 1000).astype(np.float32))
    (tmp_path / "mg.json").write_text(json.dumps({"Modality": "accel"}))
    whole = movement.score(movement.read(path, fs=100), stream=False)
    streamed = score_stream(path, fs=100, window_s=450)
    assert streamed.attrs["fs"] == 100.0
    assert_same_events(whole, streamed, 100.0)


def test_windows_are_bounded(monkeypatch, accel_sim):
    """Every array handed to preprocess holds at most window + 2 x overlap."""
    sizes: list[int] = []
    real = stream.preprocess

    def spy(rec, cfg, **kw):
        sizes.append(rec.n_samples)
        return real(rec, cfg, **kw)

    monkeypatch.setattr(stream, "preprocess", spy)
    rec = accel_sim.recording
    score_stream(rec, window_s=300)
    ov = overlap_for(AccelConfig(), rec.fs)
    assert len(sizes) >= 4
    assert max(sizes) <= (300 + 2 * ov) * rec.fs
    assert max(sizes) < rec.n_samples


def test_short_recording_is_one_window(accel_sim):
    ev = score_stream(accel_sim.recording, window_s=3600)
    assert ev.attrs["stream"]["windows"] == 1


def test_bad_window():
    rec = movement.Recording(np.zeros((1000, 1)), fs=100, modality="emg")
    with pytest.raises(movement.MovementError, match="window_s"):
        score_stream(rec, window_s=0)


def test_auto_window_bounds_values_per_window():
    """The default core holds a bounded number of values, and at least four overlaps."""
    from movement.stream import _WINDOW_VALUES, auto_window_s

    for fs, k, cfg in (
        (100.0, 3, AccelConfig()),
        (2000.0, 8, EMGConfig()),
        (50.0, 6, AccelConfig()),
    ):
        w = auto_window_s(fs, k, cfg)
        ov = overlap_for(cfg, fs)
        assert w >= 4 * ov
        assert w * fs * k <= max(_WINDOW_VALUES, 4 * ov * fs * k) + 1e-6


def test_other_bout_crossing_a_core_end_is_joined_as_in_memory():
    """The pieces of a walking bout on both sides of a core end join as in memory."""
    sim = simulate("emg", 300, 700002, snr_db=6.0, confounders="all")
    walk = sim.events[sim.events["subtype"] == "walking"].iloc[0]
    rec = sim.recording
    # twice as long, so that it is cut in windows; the bout (125-152 s) crosses 130 s
    x = np.concatenate([rec.data, rec.data])
    # a drop-out inside the second copy of the bout: no event may span it (both paths)
    x[int(440.0 * rec.fs) : int(440.2 * rec.fs)] = np.nan
    rec = movement.Recording(x, fs=rec.fs, modality="emg")
    whole = movement.score(rec, model="rules", stream=False)
    streamed = score_stream(rec, model="rules", window_s=65)
    pl = stream.plan(len(rec.data), rec.fs, EMGConfig(), 65, stream._MAX_SEGMENT_S)
    assert [c[0] / rec.fs for c in pl.cores[:3]] == [0.0, 65.0, 130.0]
    assert_same_events(whole, streamed, rec.fs)
    joined = streamed[streamed["reason"].str.contains("other segments joined")]
    on, off = joined["onset"].to_numpy(), (joined["onset"] + joined["duration"]).to_numpy()
    assert walk["onset"] < 130.0 < walk["onset"] + walk["duration"]
    assert ((on < 130.0) & (off > 130.0)).any()
    ends = streamed["onset"] + streamed["duration"]
    assert not ((streamed["onset"] < 440.2) & (ends > 440.0)).any()
    assert ((on > 424.0) & (off <= 440.0 + 1e-9)).any()  # the bout up to the gap is one event


def test_act_top_keeps_the_largest_values_of_all_windows():
    from movement.stream import _act_top, _percentile99

    rng = np.random.default_rng(3)
    parts = [rng.exponential(1.0, (m, 3)) for m in (50, 400, 300, 1000)]
    parts[2][:5] = parts[1].max()  # ties with kept values
    whole = np.concatenate(parts)
    keep = len(whole) - int(np.floor(0.99 * (len(whole) - 1))) + 1
    top = None
    for p in parts:
        top = _act_top(p, keep, top)
    assert np.array_equal(np.sort(top, axis=0), np.sort(whole, axis=0)[-keep:])
    assert np.allclose(_percentile99(top, len(whole)), np.percentile(whole, 99, axis=0))


@pytest.mark.filterwarnings("ignore:.*inplace.*")  # wfdb's writer vs pandas 3
def test_wfdb_source_equals_in_memory(tmp_path: Path, accel_sim):
    """A WFDB record streams window by window (rdrecord's sampfrom/sampto): same events."""
    wfdb = pytest.importorskip("wfdb")
    rec = accel_sim.recording
    wfdb.wrsamp(
        "rec",
        fs=rec.fs,
        units=["g"] * 3,
        sig_name=["AccX", "AccY", "AccZ"],
        p_signal=rec.data,
        fmt=["16"] * 3,
        adc_gain=[2000.0] * 3,
        baseline=[0] * 3,
        write_dir=str(tmp_path),
    )
    path = tmp_path / "rec.hea"
    from movement.io.devices import open_wfdb

    rows = open_wfdb(path).data
    whole_rec = movement.read(path)
    np.testing.assert_array_equal(np.concatenate([rows[0:5000], rows[5000:]]), whole_rec.data)
    whole = movement.score(whole_rec, stream=False)
    streamed = score_stream(path, window_s=450)
    assert streamed.attrs["stream"]["windows"] == 3
    assert streamed.attrs["modality"] == "accel"
    assert len(whole) >= 5
    assert_same_events(whole, streamed, 100.0)
    from movement.batch import _decoded_bytes

    assert _decoded_bytes(path) == 8 * 3 * rec.n_samples  # as float64, from the header


@pytest.mark.parametrize("threads", [1, 2])
def test_a_segment_longer_than_a_slice_may_grow_is_continued(monkeypatch, threads):
    """A 700 s tremor in 300 s windows whose slices may grow by only 100 s: it is cut at
    the longest slice's trusted end and continued by the window holding the cut (no part
    lost); the pieces, 'other' bouts touching each other, join again into the whole
    recording's event."""
    fs = 100.0
    rng = np.random.default_rng(0)
    n = int(1800 * fs)
    x = rng.normal(0, 0.004, (n, 3))
    x[:, 2] += 1.0
    t = np.arange(n) / fs
    on = (t >= 400) & (t < 1100)
    x[on, 0] += 0.05 * np.sin(2 * np.pi * 5 * t[on])
    rec = movement.Recording(x, fs=fs, modality="accel")
    whole = movement.score(rec, model="rules", stream=False)
    assert (whole["duration"] > 650).any()
    monkeypatch.setattr(stream, "max_extend_rows", lambda w, f, k: int(100 * f))
    streamed = score_stream(rec, model="rules", window_s=300, max_segment_s=10, threads=threads)
    assert streamed.attrs["stream"].get("split", 0) >= 1
    assert "split at its end" in streamed.attrs["notes"]["stream"]
    # the same events and extents (the joined bout's features come from its pieces)
    cols = ["trial_type", "channel"]
    assert streamed[cols].values.tolist() == whole[cols].values.tolist()
    for col in ("onset", "duration"):
        np.testing.assert_allclose(streamed[col], whole[col], atol=1.0 / fs + 1e-9)


def test_max_extend_rows_bounds_values():
    # accelerometry: 2 cores of 100 Hz x 3; 8-channel 2 kHz EMG: one core, not four
    assert stream.max_extend_rows(10_000, 100.0, 3) == 20_000 * 100
    assert stream.max_extend_rows(580, 2000.0, 8) == 580 * 2000
    assert stream.max_extend_rows(600, 100.0, 3) == 4 * 600 * 100


def test_window_progress_on_a_terminal_only(monkeypatch, accel_sim, capsys):
    """score_stream(progress=True) counts windows on a terminal (here the counter that
    stands in for tqdm) and writes nothing when stderr is not one."""
    import io
    import sys

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    plain = score_stream(accel_sim.recording, window_s=450, progress=True)
    assert capsys.readouterr().err == ""
    tty = Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import fails: the counter line
    shown = score_stream(accel_sim.recording, window_s=450, progress=True)
    assert "window" not in tty.getvalue() and "recording 3/3" in tty.getvalue()
    pd.testing.assert_frame_equal(plain, shown)


@pytest.mark.filterwarnings("ignore:.*inplace.*")  # wfdb's writer vs pandas 3
@pytest.mark.parametrize("fmt", ["npy", "csv", "parquet", "edf", "wfdb"])
def test_read_a_span_equals_the_same_rows_of_the_whole(tmp_path: Path, accel_sim, fmt: str):
    """movement.read(path, start_s=, stop_s=) reads only that part (random access or up
    to stop_s) and gives the same values, channels, units and shifted start."""
    from datetime import datetime

    rec = accel_sim.recording
    if fmt in ("npy", "csv"):
        path = write_simulation(accel_sim, tmp_path, "rec", format=fmt)["data"]
    elif fmt == "parquet":
        pa = pytest.importorskip("pyarrow")
        pq = pytest.importorskip("pyarrow.parquet")
        table = pa.Table.from_pandas(pd.DataFrame(rec.data, columns=list(rec.channels)))
        path = tmp_path / "rec.parquet"
        pq.write_table(table.replace_schema_metadata({b"movement.fs": b"100"}), path)
    elif fmt == "edf":
        path = tmp_path / "rec.edf"
        _write_accel_edf(path, rec)
    else:
        wfdb = pytest.importorskip("wfdb")
        wfdb.wrsamp(
            "rec", fs=rec.fs, units=["g"] * 3, sig_name=["AccX", "AccY", "AccZ"],
            p_signal=rec.data, fmt=["16"] * 3, adc_gain=[2000.0] * 3, baseline=[0] * 3,
            write_dir=str(tmp_path), base_date=datetime(2024, 1, 2).date(),
            base_time=datetime(2024, 1, 2, 9, 0, 0).time(),
        )  # fmt: skip
        path = tmp_path / "rec.hea"
    whole = movement.read(path)
    part = movement.read(path, start_s=100.5, stop_s=130)
    np.testing.assert_array_equal(part.data, whole.data[10050:13000])
    assert (part.fs, part.modality, part.channels, part.units) == (
        whole.fs, whole.modality, whole.channels, whole.units,
    )  # fmt: skip
    assert "10050-13000" in part.notes["span"]
    if whole.start is not None:
        assert (part.start - whole.start).total_seconds() == pytest.approx(100.5)
    # open-ended spans; past the end is the end (said); empty or outside is an error
    assert movement.read(path, stop_s=10).n_samples == 1000
    with pytest.warns(UserWarning, match="is past the end of the recording .*: read to the end"):
        tail = movement.read(path, start_s=rec.duration - 5, stop_s=rec.duration + 100)
    np.testing.assert_array_equal(tail.data, whole.data[-500:])
    with pytest.raises(movement.errors.RecordingError, match="at or past the end of the recording"):
        movement.read(path, start_s=rec.duration + 1)
    with pytest.raises(movement.errors.RecordingError, match="start_s must be 0 or more"):
        movement.read(path, start_s=-5, stop_s=10)
    with pytest.raises(
        movement.errors.RecordingError, match="stop_s 10 s must be after start_s \\(20 s\\)"
    ):
        movement.read(path, start_s=20, stop_s=10)


def test_read_a_span_with_format_and_units(tmp_path: Path, accel_sim):
    path = tmp_path / "mg.dat"
    np.savetxt(path, accel_sim.recording.data * 1000, delimiter=",", header="x,y,z", comments="")
    kw = {"format": ".csv", "fs": 100, "units": "mg"}
    whole = movement.read(path, **kw)
    part = movement.read(path, start_s=10, stop_s=20, **kw)
    np.testing.assert_array_equal(part.data, whole.data[1000:2000])
    assert part.units == "g"
    npy = tmp_path / "mg.npy"
    np.save(npy, accel_sim.recording.data * 1000)
    a = movement.read(npy, fs=100, modality="accel", units="mg")
    b = movement.read(npy, fs=100, modality="accel", units="mg", start_s=10, stop_s=20)
    np.testing.assert_array_equal(b.data, a.data[1000:2000])


@pytest.mark.parametrize("kind", ["f64", "f32", "1d", "fortran"])
def test_npy_rows_read_straight_from_the_file(tmp_path: Path, kind: str):
    """A C-order float64 .npy is read with readinto (no memory map); other layouts through
    the map: the same rows either way."""
    rng = np.random.default_rng(0)
    x = {
        "f64": rng.normal(size=(5000, 3)),
        "f32": rng.normal(size=(5000, 3)).astype(np.float32),
        "1d": rng.normal(size=5000),
        "fortran": np.asfortranarray(rng.normal(size=(5000, 3))),
    }[kind]
    path = tmp_path / "x.npy"
    np.save(path, x)
    (tmp_path / "x.json").write_text(json.dumps({"SamplingFrequency": 100, "Modality": "emg"}))
    src = stream._npy_source(path, None, None, None)
    assert (src._file is not None) == (kind in ("f64", "1d"))
    ref = np.asarray(x).reshape(5000, -1)
    for a, b in ((0, 5000), (1234, 4321), (4999, 5000)):
        np.testing.assert_array_equal(src.read(a, b), ref[a:b])


@pytest.fixture(scope="module")
def gapped_sim():
    """Simulated accelerometry with a 5-minute hole (NaN) and a 20 s one: two pieces."""
    sim = simulate("accel", 2700, seed=4)
    x = sim.recording.data.copy()
    fs = sim.recording.fs
    x[int(900 * fs) : int(1200 * fs)] = np.nan  # longer than MAX_GAP_S: splits
    x[int(2000 * fs) : int(2020 * fs)] = np.nan  # shorter: a gap inside the second piece
    return movement.Recording(x, fs=fs, modality="accel", channels=sim.recording.channels)


@pytest.mark.parametrize("threads", [1, 2])
def test_long_gap_pieces_stream_as_in_memory(tmp_path: Path, gapped_sim, threads: int):
    whole = movement.score(gapped_sim, stream=False)
    assert whole.attrs["recorded_duration"] == pytest.approx(2400.0)
    on = whole["onset"].to_numpy()
    assert len(whole) >= 5 and not ((on + whole["duration"].to_numpy() > 900) & (on < 1200)).any()
    assert "2 piece(s)" in whole.attrs["notes"]["gaps"]
    np.save(tmp_path / "gapped.npy", gapped_sim.data)
    (tmp_path / "gapped.json").write_text(
        json.dumps(
            {
                "SamplingFrequency": gapped_sim.fs,
                "Modality": "accel",
                "ColumnNames": list(gapped_sim.channels),
            }
        )
    )
    for src in (gapped_sim, tmp_path / "gapped.npy"):
        ev = score_stream(src, window_s=200, threads=threads)  # several windows per piece
        assert ev.attrs["stream"]["windows"] >= 4
        assert_same_events(whole, ev, gapped_sim.fs)
        assert ev.attrs["recorded_duration"] == whole.attrs["recorded_duration"]
        assert ev.attrs["notes"]["gaps"] == whole.attrs["notes"]["gaps"]


def test_nan_runs_are_joined_across_chunks(monkeypatch):
    monkeypatch.setattr(stream, "_CHUNK_ROWS", 1000)
    x = np.ones((10_000, 2))
    x[1500:4200, 0] = np.nan  # across chunk boundaries, one channel
    x[4100:4300, 1] = np.nan  # overlapping it on the other channel
    x[9990:, :] = np.nan  # at the end
    src = stream._open(
        movement.Recording(x, fs=100.0, modality="emg"),
        fs=None, modality=None, channels=None, chunk_rows=1000,
    )  # fmt: skip
    assert src.nan_runs.tolist() == [[1500, 4300], [9990, 10_000]]
    assert np.array_equal(src.top, [1.0, 1.0])


@pytest.mark.parametrize("fs", [25.0, 30.0, 50.0, 64.0, 90.0, 100.0, 128.0])
def test_cores_hold_whole_blocks_of_every_kind(fs: float) -> None:
    """Core boundaries fall on every block grid counted from a slice's start: baseline,
    posture (and its reference's groups), orientation median, twitch whitening updates."""
    from movement.preprocess import median_block
    from movement.segment import (
        _BLOCK_S,
        _TWITCH_WHITEN_HOP_BLOCKS,
        _posture_block,
        _posture_ref_blocks,
    )

    step = stream._alignment(fs, AccelConfig())
    block = max(1, int(round(_BLOCK_S * fs)))
    for grid in (
        block,
        _posture_block(fs) * _posture_ref_blocks(fs),
        median_block(fs),
        block * _TWITCH_WHITEN_HOP_BLOCKS,
    ):
        assert step % grid == 0, (fs, grid)


@pytest.mark.parametrize("fs", [25.0, 30.0, 50.0, 64.0, 100.0])
@pytest.mark.parametrize("hop_s", [0.1, 0.25, 0.3, 0.37, 0.5, 0.7, 1.0, 1.4, 2.2])
def test_any_periodicity_hop_keeps_the_default_alignment(fs: float, hop_s: float) -> None:
    """The periodicity windows' hop is snapped onto the 0.5 s block grid: whatever the
    ``periodic_hop_s``, the cores' alignment (and so the overlap) is the default's. An
    arbitrary hop made it the least common multiple of the hop and the other grids
    (0.37 s at 100 Hz: a 1,850 s step and 3,700 s of overlap; streams of a short
    recording were then one window)."""
    from dataclasses import replace

    from movement.segment import periodic_hop

    cfg = replace(AccelConfig(), periodic_hop_s=hop_s)
    assert stream._alignment(fs, cfg) == stream._alignment(fs, AccelConfig())
    assert stream.overlap_for(cfg, fs) == stream.overlap_for(AccelConfig(), fs)
    hop = periodic_hop(fs, cfg.periodic_window_s, hop_s)
    assert stream._alignment(fs, cfg) % hop == 0
    assert abs(hop / fs - hop_s) <= max(0.25, 0.5 * hop_s)  # the nearest grid step


def test_every_slice_holds_more_than_a_baseline_window() -> None:
    """A slice shorter than the baseline window takes one rest level over all of it,
    where the whole recording's rows take their running window's: the plan makes every
    slice longer than it. Found on random settings (a 600 s baseline, no twitch detector,
    200 s cores): the first slice held 560 s and 21 of 185 events' SNR differed."""
    from dataclasses import replace

    cfg = replace(
        AccelConfig(), baseline_window_s=600.0, twitch_windows_s=None, gravity_cutoff_hz=0.4
    )
    fs = 50.0
    pl = stream.plan(int(2000 * fs), fs, cfg, 200.0, stream._MAX_SEGMENT_S)
    assert len(pl.cores) >= 2
    for core in pl.cores:  # loop over the windows
        s0, s1 = pl.slice_of(core)
        assert s1 - s0 > (cfg.baseline_window_s + 1.0) * fs, (core, s1 - s0)
    rng = np.random.default_rng(5)
    n = int(2000 * fs)
    t = np.arange(n) / fs
    x = rng.normal(0, 0.004, (n, 3))
    x[:, 2] += 1.0
    for _ in range(40):  # loop over bouts of movement
        i = int(rng.integers(0, n - 5))
        seg = slice(i, min(n, i + int(rng.uniform(0.05, 20) * fs)))
        x[seg, int(rng.integers(3))] += rng.uniform(0.005, 0.3) * np.sin(
            2 * np.pi * rng.uniform(1, 12) * t[seg]
        )
    x[: int(300 * fs)] *= 0.3  # a quiet first 5 min: its level is not the recording's
    rec = movement.Recording(x, fs=fs, modality="accel")
    streamed = score_stream(rec, cfg, window_s=200)
    assert streamed.attrs["stream"]["windows"] >= 2
    assert_same_events(movement.score(rec, cfg, stream=False), streamed, fs)


def test_decimation_blocks_are_on_the_stream_grid() -> None:
    """The gravity and the tilt's time course are low-passed on means of blocks counted
    from a slice's start (``fs // 25`` samples at the default cut-offs): every slice starts
    on their grid. Without the twitch detector at 128 Hz the other grids meet every 13 s,
    which 5-sample blocks do not divide, and ~1 % of the events' ``tilt_hold_fraction``
    differed between stream and whole (found by stream_equivalence.py --rates sparse)."""
    from dataclasses import replace

    from movement.preprocess import DECIMATED_HZ, decimation

    for fs in (25.0, 50.0, 64.0, 75.0, 85.7, 90.0, 100.0, 128.0, 150.0, 160.0, 256.0):
        for cfg in (
            AccelConfig(),
            AccelConfig(twitch_windows_s=None),
            replace(AccelConfig(twitch_windows_s=None), gravity_cutoff_hz=0.9),
        ):
            step = stream._alignment(fs, cfg)
            assert step % decimation(fs, cfg.gravity_cutoff_hz) == 0, (fs, cfg)
            assert step % int(fs // DECIMATED_HZ) == 0, (fs, cfg)
    cfg = AccelConfig(twitch_windows_s=None, baseline_window_s=120.0)
    sim = simulate("accel", 1500, seed=31, fs=128.0)
    whole = movement.score(sim.recording, cfg, stream=False)
    streamed = score_stream(sim.recording, cfg, window_s=200)
    assert streamed.attrs["stream"]["windows"] >= 3
    assert len(whole) >= 20
    assert_same_events(whole, streamed, 128.0)


def test_a_50_hz_stream_equals_the_whole_recording() -> None:
    # found on a random simulated recording: 0.25 s posture blocks (12 samples at 50 Hz)
    # did not fall whole into the 50 s alignment step, so postures differed by a block
    sim = simulate("accel", 1528.8789198699542, seed=9153, fs=50.0)
    whole = movement.score(sim.recording, stream=False)
    streamed = score_stream(sim.recording, window_s=200, threads=2)
    assert streamed.attrs["stream"]["windows"] >= 3
    assert_same_events(whole, streamed, 50.0)


@pytest.mark.parametrize("case", ["empty", "header only", "non-numeric", "too few samples"])
@pytest.mark.parametrize("chunk_rows", [40, 250_000])
def test_streamed_bad_tables_say_what_read_says(tmp_path, case, chunk_rows) -> None:
    """A bad CSV streamed gives movement.read's one line (a header alone was 'non-numeric
    values'; a bad value had no row), whatever chunk it lies in."""
    from conftest import make_bad_files

    from movement.errors import RecordingError

    path, fragment = make_bad_files(tmp_path)[case]
    with pytest.raises(RecordingError) as read_err:
        movement.read(path)
    with pytest.raises(RecordingError) as stream_err:
        score_stream(path, chunk_rows=chunk_rows)
    assert fragment in str(read_err.value)
    assert fragment in str(stream_err.value)
    assert str(stream_err.value).startswith(str(path))


def test_read_a_span_of_a_table_with_dates_or_holes_in_its_time(tmp_path: Path) -> None:
    """A time column of dates (or with holes) cannot be read in windows: the span is cut
    from the whole read (it said 'streaming needs a numeric time column; use movement.score')."""
    rng = np.random.default_rng(5)
    n = 3000
    x = rng.normal(0, 0.01, (n, 3)) + [0.0, 0.0, 1.0]
    stamps = pd.date_range("2026-01-01 10:00", periods=n, freq="10ms")
    dated = tmp_path / "dated.csv"
    pd.DataFrame({"timestamp": stamps, "x": x[:, 0], "y": x[:, 1], "z": x[:, 2]}).to_csv(
        dated, index=False
    )
    whole = movement.read(dated, modality="accel")
    part = movement.read(dated, modality="accel", start_s=5, stop_s=20)
    np.testing.assert_array_equal(part.data, whole.data[500:2000])
    assert part.fs == whole.fs == 100.0 and "500-2000" in part.notes["span"]
    t = np.arange(n) / 100.0
    t[1500:] += 3.0  # a 3 s hole
    holes = tmp_path / "holes.csv"
    pd.DataFrame({"time": t, "x": x[:, 0], "y": x[:, 1], "z": x[:, 2]}).to_csv(holes, index=False)
    with pytest.warns(UserWarning, match="holes"):
        whole = movement.read(holes, modality="accel")
        part = movement.read(holes, modality="accel", start_s=10, stop_s=20)
    np.testing.assert_array_equal(part.data, whole.data[1000:2000])


def test_streamed_text_keeps_the_units_its_header_declares(tmp_path: Path) -> None:
    """An OpenSignals-style header's 'Units' is read by the stream as by movement.read: a
    1-channel file in mg (no magnitude to detect) is converted, and a mismatch is warned."""
    rng = np.random.default_rng(2)
    head = "# Simple Text Format\n# Sampling Rate (Hz):= 100.00\n# Units:= {u}\n# Labels:= {l}\n"
    one = tmp_path / "one.txt"
    x = 1000.0 + rng.normal(0, 10, 3000)  # mg, one axis
    one.write_text(head.format(u="mg", l="acc") + "".join(f"{v:.3f}\n" for v in x))
    whole = movement.read(one, modality="accel")
    src = stream._open(one, fs=None, modality="accel", channels=None, chunk_rows=1000)
    assert src.meta.units == whole.units == "g"
    np.testing.assert_allclose(np.asarray(src.read(0, 3000))[:, 0], whole.data[:, 0])
    wrong = tmp_path / "wrong.txt"
    g = rng.normal(0, 0.01, (3000, 3)) + [0.0, 0.0, 1.0]
    wrong.write_text(
        head.format(u="m/s^2", l="x\ty\tz")
        + "".join(f"{a:.4f}\t{b:.4f}\t{c:.4f}\n" for a, b, c in g)
    )
    with pytest.warns(UserWarning, match="the declared 'm/s\\^2' does not fit the magnitude"):
        ev = score_stream(wrong, model="rules", window_s=10)
    assert "does not fit" in ev.attrs["notes"]["units"]


def test_score_streams_a_long_recording_by_default(tmp_path: Path, monkeypatch):
    # windows of 2000 s (4 overlaps) that count as small: 6600 s is 3 or more of them
    monkeypatch.setattr(stream, "_WINDOW_VALUES", 1)
    monkeypatch.setattr(stream, "_FASTER_MAX_OVERLAP", 1.0)
    rec = simulate("accel", 6600, seed=21, fs=25.0).recording
    auto = movement.score(rec, model="rules")
    whole = movement.score(rec, model="rules", stream=False)
    assert auto.attrs["stream"]["windows"] >= 3
    assert "stream" not in whole.attrs
    assert len(whole) >= 5
    assert_same_events(whole, auto, rec.fs)
    # a file is streamed from disk (never read whole)
    np.save(tmp_path / "long.npy", rec.data)
    (tmp_path / "long.json").write_text(
        json.dumps({"SamplingFrequency": 25.0, "Modality": "accel", "ColumnNames": ["x", "y", "z"]})
    )
    read = []
    monkeypatch.setattr(movement.io, "read", lambda *a, **k: read.append(a) or None)
    from_file = movement.score(tmp_path / "long.npy", model="rules")
    assert not read and from_file.attrs["stream"]["windows"] >= 3
    assert_same_events(whole, from_file, rec.fs)
    # a short recording is scored whole unless asked
    monkeypatch.undo()
    short = simulate("accel", 300, seed=22).recording
    assert "stream" not in movement.score(short, model="rules").attrs
    forced = movement.score(short, model="rules", stream=True)
    assert forced.attrs["stream"]["windows"] == 1
    with pytest.raises(movement.MovementError, match="stream must be"):
        movement.score(short, stream="yes")


def test_score_reads_a_file_with_fs_modality_channels(tmp_path: Path, monkeypatch):
    rec = simulate("accel", 1800, seed=23).recording
    np.save(tmp_path / "bare.npy", np.column_stack([rec.data, np.zeros(rec.n_samples)]))
    with pytest.raises(movement.MovementError, match="fs="):
        movement.score(tmp_path / "bare.npy")
    got = movement.score(
        tmp_path / "bare.npy", fs="100 Hz", modality="accel", channels=[0, 1, 2], model="rules"
    )
    named = movement.Recording(
        rec.data, fs=rec.fs, modality="accel", channels=["ch1", "ch2", "ch3"]
    )
    assert_same_events(movement.score(named, model="rules"), got, rec.fs)
    # streamed from the file as well (windows shrunk so that 1800 s is long: every slice
    # holds two 300 s baseline windows)
    monkeypatch.setattr(stream, "_WINDOW_VALUES", 1)
    monkeypatch.setattr(stream, "_FASTER_MAX_OVERLAP", 1.0)
    monkeypatch.setattr(stream, "overlap_for", lambda cfg, fs, *a: 60.0)
    s = movement.score(tmp_path / "bare.npy", fs=100, modality="accel", channels="0,1,2")
    assert s.attrs["stream"]["windows"] >= 3
    # a Recording has its own
    with pytest.raises(movement.MovementError, match="apply to a file"):
        movement.score(rec, fs=100)


def test_score_arguments_are_checked():
    rec = simulate("accel", 120, seed=24).recording
    assert "stream" in movement.score(rec, model="rules", stream=np.bool_(True)).attrs
    with pytest.raises(movement.MovementError, match="model must be"):
        movement.score(rec, model=42)
    with pytest.raises(movement.MovementError, match="an EMG config was given for an accel"):
        movement.score(rec, EMGConfig())


def test_score_streams_a_recording_of_many_bytes(monkeypatch):
    import movement.batch as batch

    rec = simulate("emg", 120, seed=25, fs=1000.0).recording  # 1 channel: never "faster"
    assert "stream" not in movement.score(rec, model="rules").attrs
    monkeypatch.setattr(batch, "STREAM_BYTES", 8 * rec.n_samples)  # as a 4.7 h channel is
    assert "stream" in movement.score(rec, model="rules").attrs


@pytest.fixture(scope="module")
def accel_10min() -> np.ndarray:
    return simulate("accel", 600, seed=11).recording.data


def _table(path: Path, x: np.ndarray, time: np.ndarray | None = None, **kw: Any) -> Path:
    d = pd.DataFrame(x, columns=list("xyz"))
    if time is not None:
        d.insert(0, "time", time)
    d.to_csv(path, float_format="%.6f", **{"index": False, **kw})
    return path


@pytest.mark.parametrize(
    "case", ["ms_time", "headerless_time", "index_column", "hole_at_chunk", "jitter"]
)
def test_tables_read_in_chunks_as_read_whole(tmp_path, accel_10min, case) -> None:
    """The streamed table reader decided from column names alone, and within each chunk:
    a time column in ms named `time` gave 0.1 Hz, a headerless first column of clock was
    a channel, a pandas index column was dropped (kept whole), a hole between two chunks
    went unseen (a wrong rate, shifted onsets), and jittered timestamps were not resampled.
    Now the first rows decide as movement.read decides, steps are checked across chunk
    boundaries, and a table read whole would resample is put on the same grid in chunks."""
    x = accel_10min
    n = len(x)
    t = np.arange(n) / 100
    kw: dict[str, Any] = {}
    if case == "ms_time":
        p = _table(tmp_path / "a.csv", x, np.arange(n) * 10)
    elif case == "headerless_time":
        p = _table(tmp_path / "a.csv", x, np.round(t, 2), header=False)
        kw = {"fs": 100, "modality": "accel"}
    elif case == "index_column":
        p = _table(tmp_path / "a.csv", x, index=True)
        kw = {"fs": 100, "modality": "accel"}
    else:
        keep = np.ones(n, bool)
        if case == "hole_at_chunk":
            keep[20_000:20_500] = False  # exactly at the boundary of 10 000-row chunks
            tt = np.round(t, 2)
        else:
            tt = np.round(t + np.random.default_rng(0).uniform(-0.0025, 0.0025, n), 5)
        d = pd.DataFrame(x, columns=list("xyz"))
        d.insert(0, "time", tt)
        p = tmp_path / "a.csv"
        d[keep].to_csv(p, index=False, float_format="%.6f")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole = movement.score(p, stream=False, **kw)
        streamed = score_stream(p, chunk_rows=10_000, **kw)
    if case in ("hole_at_chunk", "jitter"):  # put on a grid as the whole read puts them
        assert streamed.attrs["notes"]["resampled"] == whole.attrs["notes"]["resampled"]
        assert "read whole" not in streamed.attrs["notes"].get("stream", "")
    assert streamed.attrs["fs"] == whole.attrs["fs"] == 100.0
    expected = ["ch2", "ch3", "ch4"] if case == "headerless_time" else ["x", "y", "z"]
    assert streamed.attrs["channels"] == whole.attrs["channels"] == expected
    # (the written index left out is said streamed too: it was only in the whole read's notes)
    assert streamed.attrs["notes"].get("index") == whole.attrs["notes"].get("index")
    assert ("index" in whole.attrs["notes"]) == (case == "index_column")
    assert len(streamed) == len(whole)
    np.testing.assert_allclose(streamed["onset"], whole["onset"])
    assert (streamed["trial_type"].to_numpy() == whole["trial_type"].to_numpy()).all()


_STAMP_FORMATS = {
    "iso": "%Y-%m-%d %H:%M:%S.%f",
    "iso_t_offset": "%Y-%m-%dT%H:%M:%S.%f+01:00",
    "colon_ms": "%Y-%m-%d %H:%M:%S:%f",
    "us": "%m/%d/%Y %H:%M:%S.%f",
    "day_first": "%d/%m/%Y %H:%M:%S.%f",
}


@pytest.mark.parametrize("style", list(_STAMP_FORMATS))
def test_timestamped_tables_are_read_in_windows_as_read_whole(
    tmp_path, accel_10min, monkeypatch, style
) -> None:
    """A time column of dates made a table unstreamable: a day of a device's CSV export was
    read whole (2.5 GB) and its dates parsed one by one (a US-style day: ~5 min). Now its
    chunks are parsed with the first value's format, once (the windows' passes skip the
    column), to the seconds and start time of the whole read."""
    from movement.io import tables

    n = len(accel_10min)
    when = pd.Timestamp("2024-01-13 09:30:00") + pd.to_timedelta(np.arange(n) * 10, unit="ms")
    text = when.strftime(_STAMP_FORMATS[style])
    if style != "iso_t_offset":
        text = text.str[:-3]  # milliseconds, as devices write them
    p = _table(tmp_path / "a.csv", accel_10min, text.to_numpy())
    calls = []
    parse = tables.timestamps_ns

    def counted(values, *a, **k):
        calls.append(len(values))
        return parse(values, *a, **k)

    monkeypatch.setattr(tables, "timestamps_ns", counted)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        streamed = score_stream(p, chunk_rows=10_000)  # (6 chunks, read twice)
        assert sum(calls) == n + min(n, 1000)  # the head's rows, then each row once
        rec = movement.read(p)
        whole = movement.score(rec)
        part = movement.read(p, start_s=100.0, stop_s=160.0)
    assert rec.fs == streamed.attrs["fs"] == 100.0
    # (the note names the format the dates were read with: provenance of 03/04 vs 04/03)
    fmt = "ISO8601" if style.startswith("iso") else _STAMP_FORMATS[style]
    assert (
        streamed.attrs["notes"]["time"]
        == rec.notes["time"]
        == f"time column 'time' read as timestamps ({fmt})"
    )
    assert len(streamed) == len(whole)
    np.testing.assert_allclose(streamed["onset"], whole["onset"])
    assert (streamed["trial_type"].to_numpy() == whole["trial_type"].to_numpy()).all()
    assert part.start == rec.start + pd.Timedelta(seconds=100).to_pytimedelta()
    np.testing.assert_array_equal(part.data, rec.data[10_000:16_000])


def test_timestamps_written_two_ways_are_read_whole(tmp_path, accel_10min) -> None:
    """A column whose dates change their writing after the first chunk is read whole (each
    value parsed on its own, as movement.read parses it), not in windows."""
    from movement.errors import MovementError

    n = len(accel_10min)
    when = pd.Timestamp("2024-01-13 09:30:00") + pd.to_timedelta(np.arange(n) * 10, unit="ms")
    text = when.strftime("%m/%d/%Y %H:%M:%S.%f").str[:-3].to_numpy().astype(object)
    text[30_000:] = when[30_000:].strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3]
    p = _table(tmp_path / "a.csv", accel_10min, text)
    with pytest.raises(
        MovementError, match="not all written as '%m/%d/%Y %H:%M:%S.%f'.*read whole"
    ):
        score_stream(p, chunk_rows=10_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev = movement.score(p)  # (falls back to the whole read)
    assert ev.attrs["fs"] == 100.0 and len(ev)


@pytest.mark.parametrize("chunk_rows", [7_000, 30_000])
def test_day_first_dates_over_midnight_are_read_in_windows_as_whole(
    tmp_path, accel_10min, chunk_rows
) -> None:
    """10 min from 02/04/2019 23:55:00.000 (2 April, day first) were read month first, as
    the first value's guess: from 4 February, and at midnight on 4 March, a jump of 27 days
    ("the time column jumps by 2.3328e+06 s"). Now the change of date tells, in the whole
    column and chunk by chunk (30 000-row chunks: at a chunk's first row): day first, from
    2 April, the same start, note, samples and events."""
    n = len(accel_10min)
    when = pd.Timestamp("2019-04-02 23:55:00") + pd.to_timedelta(np.arange(n) * 10, unit="ms")
    p = _table(tmp_path / "a.csv", accel_10min, when.strftime("%d/%m/%Y %H:%M:%S.%f").str[:-3])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (no hole, no grid: 10 ms apart throughout)
        rec = movement.read(p)
    assert (rec.fs, rec.n_samples, str(rec.start)) == (100.0, n, "2019-04-02 23:55:00")
    assert rec.notes["time"] == "time column 'time' read as timestamps (%d/%m/%Y %H:%M:%S.%f)"
    src = stream._open(p, fs=None, modality=None, channels=None, chunk_rows=chunk_rows)
    assert (src.meta.fs, src.meta.start, src.meta.notes) == (rec.fs, rec.start, rec.notes)
    np.testing.assert_array_equal(src.read(0, n), rec.data)
    streamed = score_stream(p, chunk_rows=chunk_rows)
    assert "read whole" not in streamed.attrs["notes"]["stream"]
    assert streamed.attrs["notes"]["time"] == rec.notes["time"]
    assert_same_events(streamed, movement.score(rec, stream=False), 100.0)


def test_dates_are_read_day_or_month_first_in_windows_as_whole(tmp_path) -> None:
    """Property (hypothesis): slash or dash dates written day or month first, within a day
    or over midnight, read whole and in chunks cut anywhere: the same start, note and
    samples; the true start wherever the dates tell (over 12, or a change of date), else
    month first and said."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    x = np.random.default_rng(0).normal(0, 0.01, (4000, 3)) + [0, 0, 1.0]

    @settings(max_examples=25, deadline=None)
    @given(
        day=st.dates(pd.Timestamp("2019-01-01").date(), pd.Timestamp("2024-12-31").date()),
        before_midnight=st.integers(1, 8000),
        n=st.integers(500, 4000),
        day_first=st.booleans(),
        sep=st.sampled_from("/-"),
        chunk_rows=st.integers(50, 5000),
    )
    def check(day, before_midnight, n, day_first, sep, chunk_rows) -> None:
        first = pd.Timestamp(day) + pd.Timedelta(days=1, milliseconds=-10 * before_midnight)
        when = first + pd.to_timedelta(np.arange(n) * 10, unit="ms")
        fmt = sep.join(["%d", "%m", "%Y"] if day_first else ["%m", "%d", "%Y"])
        p = _table(tmp_path / "d.csv", x[:n], when.strftime(fmt + " %H:%M:%S.%f").str[:-3])
        rec = movement.read(p)
        src = stream._open(p, fs=None, modality=None, channels=None, chunk_rows=chunk_rows)
        assert (src.meta.start, src.meta.notes) == (rec.start, rec.notes)
        np.testing.assert_array_equal(src.read(0, n), rec.data)
        assert rec.n_samples == n and rec.fs == 100.0
        untold = when[-1].date() == first.date() and first.day <= 12
        said = "do not tell the day from the month" in rec.notes["time"]
        assert said == untold
        # (untold: month first, the start's day and month swapped where written day first)
        swapped = first.replace(month=first.day, day=first.month) if untold and day_first else None
        assert rec.start == (swapped or first)

    check()


@pytest.mark.parametrize("late", ["utc_offset", "seconds"])
def test_dates_that_change_kind_at_a_chunk_boundary_are_read_whole(
    tmp_path, accel_10min, late
) -> None:
    """Dates with no UTC offset, then with one ("Z") from a chunk's first row on, or then
    seconds ("300.00"), were streamed (each chunk parses on its own) where movement.read
    refuses the column: a result the whole read does not give. Now they are read whole."""
    from movement.errors import MovementError, RecordingError

    n = len(accel_10min)
    when = pd.Timestamp("2024-01-13 09:30:00") + pd.to_timedelta(np.arange(n) * 10, unit="ms")
    text = when.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3].to_numpy().astype(object)
    if late == "utc_offset":
        text[30_000:] = text[30_000:] + "Z"  # (the first row of the 4th 10 000-row chunk)
    else:
        text[30_000:] = [f"{i / 100:.2f}" for i in range(30_000, n)]
    p = _table(tmp_path / "a.csv", accel_10min, text)
    with pytest.raises(MovementError, match="read whole"):
        score_stream(p, chunk_rows=10_000)
    with pytest.raises(RecordingError, match="time column"):
        movement.read(p)


@pytest.mark.parametrize("row", [30_000, 25_000])
def test_summer_time_in_a_column_of_offsets_is_read_in_windows_as_whole(
    tmp_path, accel_10min, row
) -> None:
    """Times of +01:00, then +02:00 (summer time) from the first row of a chunk, were
    streamed (one offset a chunk) where movement.read refused the column ("Mixed timezones
    detected"); within a chunk both refused it. Now both read the instants: the same rate,
    start and events."""
    n = len(accel_10min)
    utc = pd.Timestamp("2019-03-31 01:00:00") - pd.Timedelta(seconds=row / 100)
    when = utc + pd.to_timedelta(np.arange(n) * 10, unit="ms")
    text = np.where(
        np.arange(n) < row,
        (when + pd.Timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3] + "+01:00",
        (when + pd.Timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3] + "+02:00",
    )
    p = _table(tmp_path / "a.csv", accel_10min, text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        streamed = score_stream(p, chunk_rows=10_000)
        rec = movement.read(p)
        whole = movement.score(rec, stream=False)
        part = movement.read(p, start_s=100.0, stop_s=160.0)  # (the streamed span reader)
    assert rec.fs == streamed.attrs["fs"] == 100.0 and rec.n_samples == n
    assert str(rec.start) == str(part.start - pd.Timedelta(seconds=100).to_pytimedelta())
    assert str(rec.start).endswith("+01:00")
    assert len(streamed) == len(whole)
    np.testing.assert_allclose(streamed["onset"], whole["onset"])


@pytest.mark.parametrize("kind", ["datetime64", "text"])
def test_an_empty_time_in_a_parquet_file_is_named_at_its_row(tmp_path, kind) -> None:
    """An empty time (NaT) in a Parquet column of datetimes was read whole as -9.2e18 ns:
    "time does not increase at row 20002 (7.67019e+09 s then 200.01 s)"; in batches it was
    named at the batch's row (2001, not 20001). Now both name the file's row."""
    pytest.importorskip("pyarrow")
    from movement.errors import RecordingError

    n = 25_000
    when = pd.Series(
        pd.Timestamp("2019-03-21 14:58:00") + pd.to_timedelta(np.arange(n) * 10, unit="ms")
    )
    col = when if kind == "datetime64" else when.dt.strftime("%Y-%m-%d %H:%M:%S.%f").str[:-3]
    col.iloc[20_000] = None
    d = pd.DataFrame(np.ones((n, 3)) + 0.01, columns=list("xyz"))
    d.insert(0, "time", col)
    d.to_parquet(tmp_path / "a.parquet", index=False)
    for read in (movement.read, lambda p: score_stream(p, chunk_rows=3000)):
        with pytest.raises(RecordingError, match="empty value at data row 20001$"):
            read(tmp_path / "a.parquet")


def test_a_broken_table_is_one_line_in_windows_too(tmp_path, accel_10min) -> None:
    """A row with too many fields, read in chunks, was "internal error ParserError"; a
    .csv.gz cut short was "internal error EOFError" in both paths."""
    import gzip

    from movement.errors import RecordingError

    plain = _table(tmp_path / "a.csv", accel_10min, np.round(np.arange(len(accel_10min)) / 100, 2))
    lines = plain.read_text().splitlines()
    lines.insert(30_000, "1,2,3,4,5")  # in the fourth chunk of 10 000 rows
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(RecordingError, match="cannot parse as a table .*line 30001"):
        score_stream(bad, chunk_rows=10_000)
    raw = gzip.compress(plain.read_bytes())
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(raw[: len(raw) // 2])
    for read in (movement.read, lambda p: score_stream(p, chunk_rows=10_000)):
        with pytest.raises(RecordingError, match="cut.csv.gz: cannot read"):
            read(cut)


def test_a_span_of_a_sample_or_two_is_too_short_not_transposed() -> None:
    """read(start_s=0, stop_s=0.01) of a tri-axial file said the (1, 3) array "looks like
    channels x samples"."""
    from movement.errors import RecordingError

    with pytest.raises(RecordingError, match="too short: 1 samples"):
        movement.Recording(np.zeros((1, 3)), fs=100, modality="accel")
    with pytest.raises(RecordingError, match="channels x samples"):
        movement.Recording(np.zeros((3, 5000)), fs=100, modality="accel")


def test_parquet_with_pandas_index_reads_alike_whole_and_in_windows(tmp_path, accel_10min) -> None:
    """A Parquet file saved with a pandas index crashed when read in windows (the head
    became one column short: "Length mismatch"), and a DatetimeIndex named `time` was
    never taken as the time column; a sliced frame's CSV index (2000, 2001, ...) was a
    channel."""
    x = pd.DataFrame(accel_10min, columns=list("xyz"))
    timed = x.copy()
    timed.index = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(len(x)) * 10, unit="ms")
    timed.index.name = "time"
    timed.to_parquet(tmp_path / "timed.parquet")
    rec = movement.read(tmp_path / "timed.parquet")
    assert rec.fs == 100.0 and list(rec.channels) == ["x", "y", "z"]
    # (its datetimes are read in windows too, as the whole read takes them)
    streamed = score_stream(tmp_path / "timed.parquet", chunk_rows=10_000)
    whole = movement.score(rec)
    # (the whole read said nothing of its datetimes; the streamed read did)
    assert rec.notes["time"] == streamed.attrs["notes"]["time"]
    assert rec.notes["time"] == "time column 'time' read as timestamps"
    assert streamed.attrs["fs"] == 100.0 and len(streamed) == len(whole)
    np.testing.assert_allclose(streamed["onset"], whole["onset"])
    x.iloc[1000:].to_parquet(tmp_path / "sliced.parquet")  # an unnamed stored index
    whole = movement.score(tmp_path / "sliced.parquet", stream=False, fs=100, modality="accel")
    streamed = score_stream(
        tmp_path / "sliced.parquet", fs=100, modality="accel", chunk_rows=10_000
    )
    assert whole.attrs["channels"] == streamed.attrs["channels"] == ["x", "y", "z"]
    np.testing.assert_allclose(streamed["onset"], whole["onset"])
    x.iloc[2000:].to_csv(tmp_path / "sliced.csv")  # index 2000, 2001, ...
    assert movement.read(tmp_path / "sliced.csv", fs=100, modality="accel").channels == (
        "x",
        "y",
        "z",
    )


@pytest.mark.parametrize("chunk_rows", [10_000, 59_999])
def test_a_cut_last_line_is_left_out_in_windows_as_read_whole(
    tmp_path, accel_10min, chunk_rows
) -> None:
    """A CSV cut within its last row (copied in part, or still being written): its missing
    fields were read as a missing sample and its last field as a number cut short. Both
    paths leave the row out, and say so (59 999 rows: the cut row alone in the last chunk)."""
    plain = _table(tmp_path / "a.csv", accel_10min, np.round(np.arange(len(accel_10min)) / 100, 2))
    text = plain.read_text()
    cut = tmp_path / "cut.csv"
    cut.write_text(text[: text.rstrip("\n").rfind(",") - 3])  # "t,x,y,0.9" of "t,x,y,z"
    assert len(cut.read_text().splitlines()) == len(accel_10min) + 1  # (header + rows)
    with pytest.warns(UserWarning, match=r"cut.csv: the last line has 3 of 4 fields .*left out"):
        rec = movement.read(cut)
    assert rec.n_samples == len(accel_10min) - 1 and not rec.gaps.any()
    with pytest.warns(UserWarning, match="the last line has 3 of 4 fields"):
        whole = movement.score(cut, stream=False)
    with pytest.warns(UserWarning, match="the last line has 3 of 4 fields"):
        streamed = score_stream(cut, chunk_rows=chunk_rows)
    assert streamed.attrs["duration"] == whole.attrs["duration"] == (len(accel_10min) - 1) / 100
    assert len(streamed) == len(whole)
    np.testing.assert_allclose(streamed["onset"], whole["onset"])
    # a whole file without a final line break is whole
    whole_text = tmp_path / "whole.csv"
    whole_text.write_text(text.rstrip("\n"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert movement.read(whole_text).n_samples == len(accel_10min)


def _irregular_times(case: str, n: int, rng: np.random.Generator) -> tuple[Any, dict]:
    """A time column for ``case`` and the read's keywords."""
    t = np.arange(n) / 100.0
    if case == "jitter_s":
        return np.round(t + rng.uniform(-0.003, 0.003, n), 5), {}
    if case == "jitter_ms_hole":  # whole milliseconds, +-3 ms, and a 4.5 s hole
        ms = np.arange(n) * 10 + rng.integers(-3, 4, n)
        ms[31_234:] += 4_500
        return ms, {}
    if case == "hole_rate_given":  # a regular clock with a 7.3 s hole; the rate given
        t[22_222:] += 7.3
        return np.round(t, 2), {"fs": 100}
    if case in ("dates_jitter", "parquet_datetimes"):
        ns = np.arange(n) * 10_000_000 + rng.integers(-2_000_000, 2_000_001, n)
        ns[40_000:] += 3_000_000_000  # a 3 s hole
        return pd.Timestamp("2026-03-02 09:00") + pd.to_timedelta(ns, unit="ns"), {}
    raise AssertionError(case)


@pytest.mark.parametrize(
    "case",
    ["jitter_s", "jitter_ms_hole", "hole_rate_given", "dates_jitter", "parquet_datetimes"],
)
def test_irregular_tables_are_put_on_the_whole_reads_grid_in_chunks(
    tmp_path, accel_10min, case
) -> None:
    """A table with holes or jitter in its time column was read whole (a 24 h CSV: 2.3 GB)
    to be put on a uniform grid. Now the steps are counted exactly in one pass, and the
    rows are put on the same grid chunk by chunk: the same values, NaN where the whole
    read has them, the same rate and note, the same events."""
    pytest.importorskip("pyarrow") if case.startswith("parquet") else None
    x = accel_10min
    n = len(x)
    t, kw = _irregular_times(case, n, np.random.default_rng(7))
    d = pd.DataFrame(x, columns=list("xyz"))
    d.insert(0, "time", t)
    if case.startswith("parquet"):
        p = tmp_path / "a.parquet"
        d.to_parquet(p, index=False)
    else:
        p = tmp_path / "a.csv"
        d.to_csv(p, index=False, float_format="%.6f")
    with pytest.warns(UserWarning, match="grid"):
        whole = movement.read(p, modality="accel", **kw)
    for chunk_rows in (7_000, 60_000):
        with pytest.warns(UserWarning, match="grid") as caught:
            src = stream._open(
                p, fs=kw.get("fs"), modality="accel", channels=None, chunk_rows=chunk_rows
            )
        assert [str(w.message) for w in caught if "grid" in str(w.message)] == [
            whole.notes["resampled"]
        ]
        src.prepare()
        got = np.asarray(src.read(0, src.meta.n_samples))
        np.testing.assert_array_equal(got, whole.data)  # (NaN where the whole read's are)
        assert src.meta.fs == whole.fs
        assert src.meta.notes["resampled"] == whole.notes["resampled"]
        assert src.meta.notes["fs_from"] == whole.notes["fs_from"]
        missing = np.isnan(whole.data).any(axis=1)
        assert missing.any() == (case != "jitter_s")
        expected = np.flatnonzero(np.diff(np.r_[0, missing.astype(int), 0])).reshape(-1, 2)
        np.testing.assert_array_equal(np.asarray(src.nan_runs).reshape(-1, 2), expected)


@pytest.mark.parametrize("case", ["jitter_ms_hole", "dates_jitter"])
def test_irregular_tables_score_in_windows_as_whole(tmp_path, case) -> None:
    """The events of a table put on a grid chunk by chunk, in 3 windows or more, are those
    of the whole read."""
    x = simulate("accel", 1800, seed=23, fs=100.0).recording.data
    t, kw = _irregular_times(case, len(x), np.random.default_rng(11))
    p = _table(tmp_path / "a.csv", x, t)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        at_once = movement.score(p, modality="accel", stream=False, **kw)
        streamed = score_stream(p, modality="accel", chunk_rows=20_000, window_s=450, **kw)
    assert streamed.attrs["stream"]["windows"] >= 3
    assert streamed.attrs["notes"]["resampled"] == at_once.attrs["notes"]["resampled"]
    assert len(at_once) >= 5
    assert_same_events(at_once, streamed, at_once.attrs["fs"])


def test_a_span_of_an_irregular_table_is_read_in_chunks(tmp_path, accel_10min) -> None:
    """movement.read(start_s=, stop_s=) of a table with holes reads its chunks up to the
    span (it read the whole table, then cut it): the same samples as the whole read's."""
    t, kw = _irregular_times("jitter_ms_hole", len(accel_10min), np.random.default_rng(3))
    p = _table(tmp_path / "a.csv", accel_10min, t)
    with pytest.warns(UserWarning, match="grid"):
        whole = movement.read(p, modality="accel")
        part = movement.read(p, modality="accel", start_s=300, stop_s=320)
    np.testing.assert_array_equal(part.data, whole.data[30_000:32_000])
    assert "read whole" not in part.notes.get("stream", "")


def _median_elsewhere(case: str, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """A time column whose first 1000 rows step otherwise than most rows, and the read's
    keywords."""
    if case == "faster_later_fs_given":  # 1000 rows at 50 Hz, then 1500 at 100 Hz
        steps = np.r_[np.full(999, 0.02), np.full(1500, 0.01)]
        return np.round(np.r_[0, np.cumsum(steps)], 2), {"fs": 100}
    if case == "slower_later":  # 100 Hz, then 91.7 Hz with 2 % of the steps at 9.5 ms
        steps = np.r_[np.full(999, 0.01), np.full(4000, 0.0109)]
        steps[rng.choice(np.arange(1000, len(steps)), 100, replace=False)] = 0.0095
        return np.round(np.r_[0, np.cumsum(steps)], 5), {}
    # whole milliseconds since 1970, +-1 ms: 1.x % of the steps (9 or 11 ms) are 10 % off
    # the median in seconds (float rounding), none in the milliseconds as written
    ms = (
        1_772_000_000_000
        + np.arange(5000) * 10
        + rng.choice([-1, 0, 1], 5000, p=[0.03, 0.94, 0.03])
    )
    return ms, {}


@pytest.mark.parametrize("case", ["faster_later_fs_given", "slower_later", "ms_epoch"])
def test_a_time_column_whose_median_step_is_not_its_first_rows_is_put_on_the_grid(
    tmp_path, case
) -> None:
    """The streamed read looked for holes and jitter by the first 1000 rows' step: a table
    whose median step is elsewhere (a device that changed its rate, with fs given; a
    slower clock later) or whose steps are 10 % off it in seconds only was read whole on
    a grid and streamed without one (other samples, another rate). Now the stream sees
    that the median may lie elsewhere and counts the steps exactly."""
    t, kw = _median_elsewhere(case, np.random.default_rng(5))
    x = np.random.default_rng(6).normal(0, 0.01, (len(t), 3)) + [0, 0, 1.0]
    p = _table(tmp_path / "a.csv", x, t)
    with pytest.warns(UserWarning, match="grid"):
        whole = movement.read(p, modality="accel", **kw)
    with pytest.warns(UserWarning, match="grid") as caught:
        src = stream._open(p, fs=kw.get("fs"), modality="accel", channels=None, chunk_rows=700)
    assert [str(w.message) for w in caught] == [whole.notes["resampled"]]
    src.prepare()
    np.testing.assert_array_equal(src.read(0, src.meta.n_samples), whole.data)
    assert src.meta.fs == whole.fs and src.meta.notes["fs_from"] == whole.notes["fs_from"]


def test_the_samples_missing_from_a_long_grid_are_judged_on_all_its_rows(tmp_path) -> None:
    """Whether too many samples are missing was judged on every k-th point of a grid over
    400 000 points: 3000 rows with a 40 000 s jump in their time column (4 million points,
    3000 of them samples) were "too few usable" streamed, and read whole; 70 bursts of
    1.5 s, 61 s apart (no 2 s between gaps over 60 s: refused whole) were read streamed,
    the sample's gaps shorter than 60 s. Now the missing samples are judged on all rows,
    and a sample refused is read whole."""
    from movement.errors import RecordingError

    rng = np.random.default_rng(8)
    sparse = np.r_[np.arange(1500), 40_000 * 100 + np.arange(1500)] / 100
    bursts = (np.arange(70)[:, None] * 62.5 + np.arange(150)[None, :] / 100).ravel()
    for name, t in (("sparse", sparse), ("bursts", bursts)):
        x = rng.normal(0, 0.01, (len(t), 3)) + [0, 0, 1.0]
        _table(tmp_path / f"{name}.csv", x, np.round(t, 2))
    with pytest.warns(UserWarning, match="grid"):
        whole = movement.read(tmp_path / "sparse.csv", modality="accel")
    assert whole.n_samples > 4_000_000 and np.count_nonzero(~whole.gaps) < 3010
    with pytest.warns(UserWarning, match="grid"), pytest.raises(stream._NotStreamable):
        stream._open(
            tmp_path / "sparse.csv", fs=None, modality="accel", channels=None, chunk_rows=5000
        )
    with pytest.warns(UserWarning, match="grid"):
        part = movement.read(tmp_path / "sparse.csv", modality="accel", start_s=10, stop_s=20)
    np.testing.assert_array_equal(part.data, whole.data[1000:2000])
    with pytest.warns(UserWarning, match="grid"), pytest.raises(RecordingError) as at_once:
        movement.read(tmp_path / "bursts.csv", modality="accel")
    with pytest.warns(UserWarning, match="grid"), pytest.raises(RecordingError) as streamed:
        stream._open(
            tmp_path / "bursts.csv", fs=None, modality="accel", channels=None, chunk_rows=5000
        )
    assert "no stretch of at least 2 s between gaps longer than 60 s" in str(at_once.value)
    assert str(streamed.value) == str(at_once.value)


def test_an_infinite_value_is_looked_for_in_all_rows(tmp_path) -> None:
    """A table whose grid (or rows) number over 400 000 was resolved on every k-th point:
    an infinite value elsewhere, refused by the whole read, was read streamed."""
    from movement.errors import RecordingError

    t = np.r_[np.arange(1500), 5000 * 100 + np.arange(1500)] / 100  # (503 000 points)
    x = np.random.default_rng(9).normal(0, 0.01, (len(t), 3)) + [0, 0, 1.0]
    x[701, 0] = np.inf  # (an odd row: on no k-th point of the grid)
    p = _table(tmp_path / "a.csv", x, np.round(t, 2))
    with pytest.warns(UserWarning, match="grid"), pytest.raises(RecordingError) as at_once:
        movement.read(p, modality="accel")
    with pytest.warns(UserWarning, match="grid"), pytest.raises(RecordingError) as streamed:
        stream._open(p, fs=None, modality="accel", channels=None, chunk_rows=5000)
    assert str(streamed.value) == f"{p}: data contains infinite values"
    # (the whole read says where: the sample on the recording's grid, and the channel)
    assert str(at_once.value) == (
        f"{p}: data contains infinite values (1 value; the first at sample 701 (7.01 s), "
        "channel 'x')"
    )


def test_a_headerless_clock_unsteady_in_its_first_rows_is_read_as_whole(tmp_path) -> None:
    """A headerless table whose first column is a 100 Hz clock with a hole every 6 rows in
    its first 1000 (unsteady there, steady over all 5000 rows): the whole read takes it
    for a clock and puts the rows on a grid; the stream took it for a channel (4 of them,
    and no rate: "unknown sampling rate"). A headerless first column that rises on every
    row and that the first rows do not show to be a clock is now read whole."""
    steps = np.full(4999, 0.01)
    steps[:1000:6] = 0.02  # (17 % of the first rows' steps, 3 % of all)
    t = np.round(np.r_[0, np.cumsum(steps)], 2)
    x = np.random.default_rng(10).normal(0, 0.01, (len(t), 3)) + [0, 0, 1.0]
    p = _table(tmp_path / "a.csv", x, t, header=False)
    with pytest.warns(UserWarning, match="grid"):
        whole = movement.read(p, modality="accel")
    assert whole.channels == ("ch2", "ch3", "ch4") and whole.fs == 100
    with pytest.raises(stream._NotStreamable, match="may be a clock"):
        stream._open(p, fs=None, modality="accel", channels=None, chunk_rows=700)
    with pytest.warns(UserWarning, match="grid"):
        part = movement.read(p, modality="accel", start_s=10, stop_s=20)
    np.testing.assert_array_equal(part.data, whole.data[1000:2000])


def test_a_time_column_of_too_many_steps_is_read_whole(tmp_path, monkeypatch) -> None:
    """Steps are counted exactly only while they take few values (a clock's ticks): a
    column of more distinct steps than the cap is read whole, as before."""
    monkeypatch.setattr(stream._StepCounts.__init__, "__defaults__", (50,))
    rng = np.random.default_rng(1)
    n = 5000
    t = np.arange(n) / 100 + rng.uniform(-0.003, 0.003, n)
    p = _table(tmp_path / "a.csv", rng.normal(0, 0.01, (n, 3)) + [0, 0, 1.0], t)
    with pytest.raises(stream._NotStreamable, match="too many different steps"):
        stream._open(p, fs=None, modality="accel", channels=None, chunk_rows=1000)
    with pytest.warns(UserWarning, match="grid"):
        whole = movement.read(p, modality="accel")
        part = movement.read(p, modality="accel", start_s=10, stop_s=20)
    a, b = (int(v) for v in part.notes["span"].split()[1].split("-"))
    assert b - a == part.n_samples > 900
    np.testing.assert_array_equal(part.data, whole.data[a:b])


def _grid_case(seed: int, n: int, holes: int, cuts: list[int]) -> None:
    from movement.io import to_uniform_grid

    rng = np.random.default_rng(seed)
    steps = 0.01 + rng.choice([0.0, 0.001, -0.001, 0.0004], n - 1)
    steps[rng.integers(0, n - 1, holes)] += rng.uniform(0.02, 0.5, holes)
    t = np.concatenate([[0.0], np.cumsum(steps)])
    x = rng.normal(size=(n, 2))
    x[rng.integers(0, n, 3), 0] = np.nan  # (missing values interpolate as the whole read's)
    counts = stream._StepCounts()
    for a, b in zip([0, *cuts], [*cuts, n], strict=True):
        counts.add(np.diff(t[max(a - 1, 0) : b]))
    dt = np.diff(t)
    assert counts.median() == np.median(dt) and counts.n == dt.size
    assert counts.largest() == dt.max()
    fs = 1 / counts.median()
    whole, n_gap = to_uniform_grid(t, x, fs)
    got = [0]
    chunks = ((t[a:b], x[a:b]) for a, b in zip([0, *cuts], [*cuts, n], strict=True))
    parts = list(stream._grid_chunks(chunks, fs, len(whole), 37, got))
    np.testing.assert_array_equal(np.concatenate(parts), whole)
    assert got[0] == n_gap and max(len(c) for c in parts) <= 37


def test_a_grid_made_chunk_by_chunk_is_the_whole_columns() -> None:
    """Property (hypothesis): the steps counted over chunks give np.median of the whole
    column's, and rows put on a grid chunk by chunk, wherever the chunks are cut (a
    chunk of one row, a hole at a cut), are movement.io.to_uniform_grid's, value for
    value, with the same count of grid points set missing."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=60, deadline=None)
    @given(
        seed=st.integers(0, 10_000),
        n=st.integers(3, 400),
        holes=st.integers(0, 4),
        cuts=st.lists(st.floats(0, 1), max_size=6),
    )
    def check(seed: int, n: int, holes: int, cuts: list[float]) -> None:
        at = sorted({min(n - 1, max(1, int(c * n))) for c in cuts})
        _grid_case(seed, n, holes, at)

    check()


@pytest.mark.parametrize("timed", [True, False])
@pytest.mark.parametrize("chunk_rows", [700, 250_000])
def test_a_repeated_header_is_named_at_its_row(tmp_path, timed, chunk_rows) -> None:
    """Two exports joined with `cat` leave a header line in the data: it was "time column
    has values that are not times (day is out of range for month: 0.0)", or a non-numeric
    'x'. Now one line names the row, whole and streamed alike."""
    from movement.errors import RecordingError

    x = np.random.default_rng(0).normal(0, 0.01, (3000, 3)) + [0, 0, 1.0]
    d = pd.DataFrame(x, columns=list("xyz"))
    if timed:
        d.insert(0, "time", np.arange(3000) / 100)
    p = tmp_path / "joined.csv"
    p.write_text(d.iloc[:1500].to_csv(index=False) + d.iloc[1500:].to_csv(index=False))
    kw = {} if timed else {"fs": 100}
    names = "time,x,y,z" if timed else "x,y,z"
    expected = f"{p}: data row 1501 repeats the header ({names}): files joined into one?"
    with pytest.raises(RecordingError) as whole:
        movement.read(p, modality="accel", **kw)
    with pytest.raises(RecordingError) as streamed:
        score_stream(p, modality="accel", chunk_rows=chunk_rows, **kw)
    assert str(whole.value).startswith(expected)
    assert str(streamed.value) == str(whole.value)


def test_slices_hold_two_baseline_windows_and_late_slices_stay_on_the_grid() -> None:
    """Property (hypothesis): the cores tile the recording, every slice starts on the
    alignment grid (85.7 and 128 Hz: offset cores) and, in a plan of several cores, holds
    ``_min_slice_s``; a longer slice from before a running segment starts on the
    alignment grid one overlap before the first onset it owns, after the first slice's
    start, at or before the segment's onset, and holds ``_min_slice_s`` as well."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=60, deadline=None)
    @given(
        modality=st.sampled_from(["accel", "emg"]),
        fs=st.sampled_from([50.0, 85.7, 100.0, 128.0, 200.0, 1000.0]),
        baseline=st.sampled_from([20.0, 60.0, 300.0]),
        window_s=st.floats(5.0, 3000.0),
        max_segment_s=st.floats(0.5, 120.0),
        minutes=st.floats(5.0, 240.0),
        where=st.floats(0.0, 1.0),
        past=st.floats(0.0, 1.0),
    )
    def check(modality, fs, baseline, window_s, max_segment_s, minutes, where, past) -> None:
        cfg = (AccelConfig if modality == "accel" else EMGConfig)(baseline_window_s=baseline)
        n = int(minutes * 60 * fs)
        pl = stream.plan(n, fs, cfg, window_s, max_segment_s)
        need = int(np.ceil(stream._min_slice_s(cfg) * fs))
        slices = [pl.slice_of(c) for c in pl.cores]
        # the cores tile the recording; every slice starts on the alignment grid
        assert pl.cores[0][0] == 0 and pl.cores[-1][1] == n
        assert all(a[1] == b[0] for a, b in zip(pl.cores, pl.cores[1:], strict=False))
        assert all(s0 % pl.step == 0 for s0, _ in slices)
        if len(pl.cores) > 1:
            assert all(b - a >= need for a, b in slices)
        for core, (s0, s1) in zip(pl.cores, slices, strict=True):
            onset = core[0] + int(where * (core[1] - core[0] - 1))
            nxt = min(pl.n, s1 + int(past * pl.overlap) + 1)
            m0, a = stream._late_slice(pl, cfg, fs, s0, onset, nxt)
            if m0 == s0:
                assert a == s0  # (no shorter slice: the whole window again)
                continue
            assert s0 < m0 and a - m0 == pl.overlap
            assert m0 % pl.step == 0
            assert core[0] <= a <= onset
            assert nxt - m0 >= need

    check()
