"""Device files read in pieces: Axivity ``.cwa`` by blocks, GENEActiv ``.bin`` by pages,
ActiGraph ``.gt3x`` by its log's records. The same values, notes, warnings and events as
the whole read (``movement.io.devices.read_cwa``, ``read_geneactiv``, ``read_gt3x``), in
bounded memory."""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import movement
from movement.batch import is_streamed
from movement.config import AccelConfig
from movement.errors import RecordingError
from movement.io.devices import cwa_size, geneactiv_size, gt3x_size
from movement.stream import _NotStreamable, _open, score_stream, streams_faster

pytest.importorskip("actfast")

REPO = Path(__file__).resolve().parents[1]
DEV = Path(__file__).parent / "data" / "real" / "wearable_device_files"
sys.path.insert(0, str(REPO / "benchmarks"))
from device_tiles import tile_cwa, tile_geneactiv, tile_gt3x  # noqa: E402
from test_stream import assert_same_events  # noqa: E402


def _whole(path: Path) -> movement.Recording:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return movement.read(path)


def _streamed(path: Path, chunk_rows: int) -> tuple[np.ndarray, dict, object]:
    src = _open(path, fs=None, modality=None, channels=None, chunk_rows=chunk_rows)
    return src.read(0, src.meta.n_samples), src.meta.notes, src.meta.start


@pytest.fixture(scope="module")
def tiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("cwa")
    return {
        "copies": tile_cwa(DEV / "ax3_testfile.cwa", d / "copies.cwa", 3),
        # 30 blocks (~36 s) left out of the second copy: a hole set missing on the grid
        "hole": tile_cwa(DEV / "ax3_testfile.cwa", d / "hole.cwa", 4, drop=(200, 230)),
        # ~41 min (windows of 450 s), with the same hole
        "long": tile_cwa(DEV / "ax3_testfile.cwa", d / "long.cwa", 14, drop=(200, 230)),
    }


@pytest.fixture(scope="module")
def long_cwa(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file of ~9 h (3 stream windows): 182 copies of the test file, made once."""
    return tile_cwa(DEV / "ax3_testfile.cwa", tmp_path_factory.mktemp("long") / "long.cwa", 182)


@pytest.fixture(scope="module")
def long_cwa_whole(long_cwa: Path) -> movement.Recording:
    """The ~9 h file read whole, once (the oracle of the tests that each read it)."""
    return _whole(long_cwa)


@pytest.mark.parametrize("chunk_rows", [1000, 7000, 250_000])
@pytest.mark.parametrize("name", ["ax3", "ax6", "copies", "hole"])
def test_streamed_equals_whole(name: str, chunk_rows: int, tiled: dict[str, Path]) -> None:
    """Value for value (the sample times spread between block starts, the grid's
    interpolation and its missing points), with the same notes and start."""
    path = tiled.get(name) or DEV / f"{name}_testfile.cwa"
    whole = _whole(path)
    x, notes, start = _streamed(path, chunk_rows)
    assert x.shape == whole.data.shape
    assert np.array_equal(x, whole.data, equal_nan=True)
    assert notes == whole.notes
    assert start == whole.start
    if name == "hole":
        assert np.isnan(x).any(axis=1).sum() > 3000  # (~36 s at 100 Hz)
        assert "in gaps set missing" in notes["resampled"]


def test_events_streamed_equal_whole(tiled: dict[str, Path]) -> None:
    """Scored in windows from pieces of blocks: the events of the whole read."""
    path = tiled["long"]
    whole = movement.score(_whole(path), stream=False)
    ev = score_stream(path, window_s=450, chunk_rows=7000)
    assert ev.attrs["stream"]["windows"] >= 3
    assert len(whole) >= 5
    assert_same_events(whole, ev, 100.0)
    assert ev.attrs["parameters_hash"] == whole.attrs["parameters_hash"]


def test_span_reads_only_its_part(tiled: dict[str, Path]) -> None:
    path = tiled["copies"]
    part = movement.read(path, start_s=100.0, stop_s=160.0)
    whole = _whole(path)
    assert np.array_equal(part.data, whole.data[10_000:16_000], equal_nan=True)


def test_truncated_file_warns_as_whole(tmp_path: Path, tiled: dict[str, Path]) -> None:
    cut = tmp_path / "cut.cwa"
    cut.write_bytes(tiled["copies"].read_bytes() + b"\0" * 300)
    with pytest.warns(UserWarning, match="truncated: a partial 300-byte block"):
        x, notes, _ = _streamed(cut, 7000)
    assert notes == _whole(cut).notes
    assert np.array_equal(x, _whole(cut).data, equal_nan=True)


def test_times_that_go_back_are_read_whole(tmp_path: Path, tiled: dict[str, Path]) -> None:
    """Two blocks swapped: the samples' times fall back; the stream leaves the file to the
    whole read (whatever it makes of it), through the library and a span alike."""
    raw = bytearray(tiled["copies"].read_bytes())
    a, b = 1024 + 50 * 512, 1024 + 51 * 512
    raw[a:b], raw[b : b + 512] = raw[b : b + 512], raw[a:b]
    odd = tmp_path / "swapped.cwa"
    odd.write_bytes(bytes(raw))
    with pytest.raises(_NotStreamable, match="do not rise"):
        _open(odd, fs=None, modality=None, channels=None, chunk_rows=7000)
    whole = _whole(odd)
    part = movement.read(odd, start_s=0.0, stop_s=10.0)
    assert np.array_equal(part.data, whole.data[:1000], equal_nan=True)


def test_broken_block_is_the_whole_reads_error(tmp_path: Path) -> None:
    bad = tmp_path / "empty.cwa"
    bad.write_bytes((DEV / "ax3_testfile.cwa").read_bytes()[:1024])
    with pytest.raises(RecordingError, match="no data blocks"):
        _open(bad, fs=None, modality=None, channels=None, chunk_rows=7000)


def test_long_files_stream(tmp_path: Path) -> None:
    """A file of 9 h (3 windows) streams, judged from its block headers; a short one not."""
    long = tile_cwa(DEV / "ax3_testfile.cwa", tmp_path / "long.cwa", 182)
    n, rate = cwa_size(long)
    assert (n, rate) == (182 * 17_400, 100.0)
    assert streams_faster(long) and is_streamed(long)
    assert not streams_faster(DEV / "ax3_testfile.cwa")
    assert not is_streamed(DEV / "ax3_testfile.cwa")


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    drop=st.one_of(
        st.none(),
        st.tuples(st.integers(1, 430), st.integers(1, 60)).map(lambda t: (t[0], t[0] + t[1])),
    ),
    chunk_rows=st.integers(100, 60_000),
)
def test_property_pieces_anywhere(tmp_path: Path, drop, chunk_rows: int) -> None:
    """Holes anywhere (blocks left out), pieces of any size: the whole read's values and
    notes (a piece's last sample carried into the next, each block start found)."""
    path = tile_cwa(DEV / "ax3_testfile.cwa", tmp_path / "p.cwa", 3, drop=drop)
    whole = _whole(path)
    x, notes, start = _streamed(path, chunk_rows)
    assert np.array_equal(x, whole.data, equal_nan=True)
    assert notes == whole.notes and start == whole.start


# -- GENEActiv .bin ------------------------------------------------------------------------

GENEACTIV = DEV / "GENEActiv_testfile.bin"  # 16 whole pages and a cut one; 85.7 Hz


def _quiet_warnings(fn, *args):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(*args)
    return out, [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


@pytest.mark.parametrize("chunk_rows", [300, 1000, 7000, 250_000])
@pytest.mark.parametrize("copies", [0, 3])
def test_geneactiv_streamed_equals_whole(tmp_path: Path, copies: int, chunk_rows: int) -> None:
    """The real (cut) file, and its whole pages repeated: the values of the whole read,
    its notes, start and warnings (the cut file's "truncated")."""
    path = tile_geneactiv(GENEACTIV, tmp_path / "g.bin", copies) if copies else GENEACTIV
    whole, warned = _quiet_warnings(movement.read, path)
    (x, notes, start), warned_s = _quiet_warnings(_streamed, path, chunk_rows)
    assert np.array_equal(x, whole.data)
    assert notes == whole.notes and start == whole.start
    assert warned_s == warned
    assert ("truncated" in notes) == (copies == 0)


@pytest.mark.parametrize("kind", ["bin", "cwa"])
def test_device_calibration_takes_no_pass_of_its_own(tmp_path: Path, monkeypatch, kind) -> None:
    """The first pass over a device file (row sample, largest values, gaps) also takes the
    calibration windows' statistics when the header tells the rate: a stream with
    calibration decodes each piece twice (that pass and the windows'), as one without
    does, where it was three times; with an ``fs`` given the windows take their own pass
    (as before). The events are those of the pass of its own."""
    from movement.io import devices as dv

    path = (
        tile_geneactiv(GENEACTIV, tmp_path / "g.bin", 30)
        if kind == "bin"
        else tile_cwa(DEV / "ax3_testfile.cwa", tmp_path / "a.cwa", 12)
    )
    calls = [0]
    real = dv.actfast_piece

    def counted(*args, **kwargs):
        calls[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(dv, "actfast_piece", counted)

    def run(cfg: AccelConfig, **kw) -> tuple[int, object]:
        calls[0] = 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ev = score_stream(path, cfg, chunk_rows=2000, **kw)
        return calls[0], ev

    plain, _ = run(AccelConfig(calibrate=False))
    fused, ev = run(AccelConfig())
    rate = geneactiv_size(path)[1] if kind == "bin" else cwa_size(path)[1]
    own, ev_own = run(AccelConfig(), fs=rate)
    assert plain > 2 and fused == plain and own > fused
    assert_same_events(ev_own, ev, rate)


def test_geneactiv_events_streamed_equal_whole(tmp_path: Path) -> None:
    """~1 h at 85.7 Hz in windows (twitch detector off: its whitening's grid at 85.7 Hz puts
    the slices' starts ~53 min apart; test_stream's GENEActiv test has it on, in 2.3 h):
    the events of the whole read."""
    path = tile_geneactiv(GENEACTIV, tmp_path / "h.bin", 65)
    cfg = AccelConfig(twitch_windows_s=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole = movement.score(movement.read(path), cfg, stream=False)
    ev = score_stream(path, cfg, window_s=900, chunk_rows=7000)
    assert ev.attrs["stream"]["windows"] >= 3
    assert len(whole) >= 5
    assert_same_events(whole, ev, 85.7)


def test_geneactiv_long_files_stream(tmp_path: Path) -> None:
    """A day at 85.7 Hz (7 windows, 422 s of overlap: 3161 s until 0.4.4) streams,
    judged from its header and first page; 4.7 h (2 windows) and the short file do not."""
    day = tile_geneactiv(GENEACTIV, tmp_path / "day.bin", 1600)  # ~24.9 h
    n, rate = geneactiv_size(day)
    assert rate == 85.7 and n == pytest.approx(1600 * 4800, rel=0.01)
    assert is_streamed(day)
    assert not is_streamed(tile_geneactiv(GENEACTIV, tmp_path / "short.bin", 300))
    assert not is_streamed(GENEACTIV)


def test_genea_before_geneactiv_is_left_to_the_whole_read() -> None:
    """The original GENEA format: the whole read says it is not supported."""
    with pytest.raises(_NotStreamable):
        _open(DEV / "genea_testfile.bin", fs=None, modality=None, channels=None, chunk_rows=7000)
    with pytest.raises(RecordingError, match="original GENEA"):
        movement.score(DEV / "genea_testfile.bin")


# -- movement convert of a long device file: in pieces too ---------------------------------


def _convert_both(path: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    from movement.io import conversion

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        streamed = conversion.convert(path, out / "streamed")
        monkeypatch.setattr(conversion, "_stream_source", lambda *a, **k: None)
        whole = conversion.convert(path, out / "whole")
    return streamed, whole


def test_convert_streams_a_long_cwa(
    tmp_path: Path, tiled: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file movement score streams is converted in pieces: the same .npy, byte for byte,
    and the same sidecar but for the date (the units note's median from a row sample may
    differ in its last digit, as when scoring)."""
    import json

    long = tile_cwa(DEV / "ax3_testfile.cwa", tmp_path / "long.cwa", 182)  # ~9 h
    from movement.io.conversion import _stream_source

    assert _stream_source(long, fs=None, modality=None, channels=None, units=None) is not None
    streamed, whole = _convert_both(long, tmp_path, monkeypatch)
    assert streamed.read_bytes() == whole.read_bytes()
    a, b = (json.loads(p.with_suffix(".json").read_text())["Conversion"] for p in (streamed, whole))
    for c in (a, b):
        c.pop("Date")
        c["ReaderNotes"].pop("units")
    assert a == b


def test_convert_streamed_geneactiv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The streamed conversion of a GENEActiv file (taken as long): the whole one's bytes,
    and its truncated warning said once."""
    monkeypatch.setattr("movement.batch.is_streamed", lambda *a, **k: True)
    from movement.io import conversion

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        streamed = conversion.convert(GENEACTIV, tmp_path / "s")
    said = [str(w.message) for w in caught if "truncated" in str(w.message)]
    assert len(said) == 1
    monkeypatch.setattr(conversion, "_stream_source", lambda *a, **k: None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole = conversion.convert(GENEACTIV, tmp_path / "w")
    assert streamed.read_bytes() == whole.read_bytes()


# -- ActiGraph .gt3x -----------------------------------------------------------------------

GT3X = DEV / "actigraph_testfile.gt3x"  # 30 Hz, idle-sleep gaps, ends 4 s before its header


@pytest.mark.parametrize("chunk_rows", [30, 3000, 250_000])
@pytest.mark.parametrize("copies", [0, 3])
def test_gt3x_streamed_equals_whole(tmp_path: Path, copies: int, chunk_rows: int) -> None:
    """Pieces of the log's records (down to one record a piece): the whole read's grid,
    idle-sleep gaps missing, its notes, start and warnings."""
    path = tile_gt3x(GT3X, tmp_path / "g.gt3x", copies) if copies else GT3X
    whole, warned = _quiet_warnings(movement.read, path)
    (x, notes, start), warned_s = _quiet_warnings(_streamed, path, chunk_rows)
    assert np.array_equal(x, whole.data, equal_nan=True)
    assert np.isnan(x).any()  # (the idle-sleep gaps)
    assert notes == whole.notes and start == whole.start
    assert warned_s == warned


def test_gt3x_events_streamed_equal_whole(tmp_path: Path) -> None:
    path = tile_gt3x(GT3X, tmp_path / "h.gt3x", 3)  # ~1.5 h
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole = movement.score(movement.read(path), stream=False)
        ev = score_stream(path, window_s=900, chunk_rows=3000)
    assert ev.attrs["stream"]["windows"] >= 3
    assert len(whole) >= 3
    assert_same_events(whole, ev, 30.0)


def test_gt3x_long_files_stream(tmp_path: Path) -> None:
    """~28 h at 30 Hz (3 windows) streams, judged from info.txt alone; the short file not."""
    day = tile_gt3x(GT3X, tmp_path / "day.gt3x", 57)
    n, rate = gt3x_size(day)
    assert rate == 30.0 and n > 3 * 33_000 * 30
    assert is_streamed(day)
    assert not is_streamed(GT3X)


def test_gt3x_not_records_is_left_to_the_whole_read(tmp_path: Path) -> None:
    import zipfile

    bad = tmp_path / "bad.gt3x"
    with zipfile.ZipFile(GT3X) as z, zipfile.ZipFile(bad, "w") as out:
        out.writestr("info.txt", z.read("info.txt"))
        out.writestr("log.bin", b"\x1e\x00" + z.read("log.bin")[2:40] + b"\x00garbage")
    with pytest.raises(_NotStreamable):
        _open(bad, fs=None, modality=None, channels=None, chunk_rows=3000)
    with pytest.raises(RecordingError):
        movement.read(bad)


def test_info_of_a_long_device_file_reads_it_in_pieces(
    long_cwa: Path, long_cwa_whole: movement.Recording, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``movement info`` of a file ``movement score`` streams: its pieces' passes (bounded
    memory), never the whole read, with the whole read's samples and notes."""
    from movement.io import info as info_mod

    long, whole = long_cwa, long_cwa_whole

    def no_whole_read(*a, **k):
        raise AssertionError("read whole")

    monkeypatch.setattr("movement.io.read", no_whole_read)
    d = info_mod.info(long)
    assert d["n_samples"] == whole.n_samples and d["fs"] == 100.0
    assert d["notes"]["resampled"] == whole.notes["resampled"]


def test_cli_scores_a_long_cwa_streamed_with_its_page(
    tmp_path: Path, long_cwa: Path, long_cwa_whole: movement.Recording
) -> None:
    """``movement score long.cwa --report``: streamed (never read whole), the events of the
    whole read, and its review page drawn window by window."""
    import pandas as pd

    from movement.cli import main

    long = long_cwa  # ~9 h, 3 windows
    out = tmp_path / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["score", str(long), "--out", str(out), "--report", "-q"]) == 0
        whole = movement.score(long_cwa_whole, stream=False)
    ev = pd.read_csv(out / "long_events.tsv", sep="\t")
    rec = json.loads((out / "long_events.json").read_text())["recording"]
    assert rec["stream"]["windows"] >= 3
    assert (out / "long_report.html").stat().st_size > 10_000
    assert len(ev) == len(whole) > 0
    assert list(ev["trial_type"]) == list(whole["trial_type"])
    np.testing.assert_allclose(ev["onset"], whole["onset"], atol=0.011)
