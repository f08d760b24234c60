"""The batch runner on a Dask cluster (loopback) and the manifest's resume rules."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from movement.batch import WORKER_START_ENV, ScoreOptions, score_batch, unique_stems
from movement.config import Settings


def _write_recordings(folder: Path, n: int = 3) -> list[Path]:
    rng = np.random.default_rng(3)
    paths = []
    for i in range(n):
        x = rng.normal(0, 0.01, (20_000, 2))
        x[8_000 + 1000 * i : 8_030 + 1000 * i, 0] += np.hanning(30) * 0.5  # one 15 ms spike
        p = folder / f"rec{i}.npy"
        np.save(p, x)
        (folder / f"rec{i}.json").write_text(
            json.dumps({"SamplingFrequency": 2000, "Modality": "emg"})
        )
        paths.append(p)
    return paths


def _events(out: Path, stem: str) -> pd.DataFrame:
    return pd.read_csv(out / f"{stem}_events.tsv", sep="\t")


@pytest.mark.parametrize("start", ["fork", "loky"])
def test_worker_processes_match_serial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start: str
) -> None:
    # forked workers (Linux default) and fresh loky interpreters give the serial results,
    # with the trained model (so the forked children use the model loaded before the fork)
    monkeypatch.setenv(WORKER_START_ENV, start)
    paths = _write_recordings(tmp_path)
    serial = score_batch(paths, tmp_path / "serial", jobs=1, progress=False)
    rows = score_batch(paths, tmp_path / "par", jobs=2, progress=False)
    assert [r["status"] for r in rows] == ["ok"] * 3
    for i in range(3):
        assert rows[i]["n_events"] == serial[i]["n_events"]
        pd.testing.assert_frame_equal(
            _events(tmp_path / "serial", f"rec{i}"), _events(tmp_path / "par", f"rec{i}")
        )


def test_a_worker_that_dies_fails_its_file_and_the_batch_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    import movement.batch as batch

    if batch.sys.platform != "linux":
        pytest.skip("forked workers (the patched scorer reaches them) are Linux-only")
    monkeypatch.setenv(WORKER_START_ENV, "fork")
    parent = os.getpid()
    real = batch.score_one

    def dies_in_a_worker(path: Path, *args: object) -> dict[str, object]:
        if os.getpid() != parent and path.stem == "rec0":
            os._exit(3)  # as a worker killed by the kernel for memory
        return real(path, *args)

    monkeypatch.setattr(batch, "score_one", dies_in_a_worker)
    paths = _write_recordings(tmp_path)
    out = tmp_path / "out"
    rows = score_batch(paths, out, ScoreOptions(model="rules"), jobs=2, progress=False)
    assert rows[0]["status"] == "error" and "worker process" in rows[0]["message"]
    assert [r["status"] for r in rows[1:]] == ["ok", "ok"]
    assert not (out / "rec0_events.tsv").exists()
    # the re-run retries the failed file only
    monkeypatch.setattr(batch, "score_one", real)
    again = score_batch(paths, out, ScoreOptions(model="rules"), jobs=1, progress=False)
    assert [r["status"] for r in again] == ["ok"] * 3


def test_dask_backend_on_a_local_cluster_matches_loky(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    paths = _write_recordings(tmp_path)
    opts = ScoreOptions(model="rules")
    loky_rows = score_batch(paths, tmp_path / "loky", opts, jobs=2, progress=False)
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    )  # fmt: skip
    try:
        dask_rows = score_batch(
            paths, tmp_path / "dask", opts, backend="dask", scheduler=cluster.scheduler_address,
            progress=False,
        )  # fmt: skip
    finally:
        cluster.close()
    assert [r["status"] for r in dask_rows] == ["ok"] * 3
    for a, b in zip(loky_rows, dask_rows, strict=True):
        assert a["n_events"] == b["n_events"] and a["parameters_hash"] == b["parameters_hash"]
    for i in range(3):
        pd.testing.assert_frame_equal(
            _events(tmp_path / "loky", f"rec{i}"), _events(tmp_path / "dask", f"rec{i}")
        )
    assert (tmp_path / "dask" / "summary.tsv").exists()


def test_manifest_rescores_when_parameters_or_input_change(tmp_path: Path) -> None:
    paths = _write_recordings(tmp_path, n=2)
    out = tmp_path / "out"
    score_batch(paths, out, ScoreOptions(model="rules"), progress=False)
    manifest = json.loads((out / "manifest.json").read_text())["files"]
    assert set(manifest) == {"rec0", "rec1"}
    mtime = (out / "rec0_events.tsv").stat().st_mtime_ns
    # same parameters: nothing rewritten
    score_batch(paths, out, ScoreOptions(model="rules"), progress=False)
    assert (out / "rec0_events.tsv").stat().st_mtime_ns == mtime
    # other parameters: re-scored, and the sidecar records the new hash
    changed = ScoreOptions(settings=Settings().with_overrides(["emg.k_on=4"]), model="rules")
    score_batch(paths, out, changed, progress=False)
    assert (out / "rec0_events.tsv").stat().st_mtime_ns != mtime
    side = json.loads((out / "rec0_events.json").read_text())
    assert side["parameters"]["config"]["k_on"] == 4.0
    # a changed input file is re-scored
    mtime = (out / "rec1_events.tsv").stat().st_mtime_ns
    x = np.load(paths[1])
    np.save(paths[1], x * 1.0001)
    score_batch(paths, out, changed, progress=False)
    assert (out / "rec1_events.tsv").stat().st_mtime_ns != mtime


def test_unique_stems_prefix_parent_folders_only_where_needed(tmp_path: Path) -> None:
    a = tmp_path / "s1" / "rest.csv"
    b = tmp_path / "s2" / "rest.csv"
    c = tmp_path / "s2" / "walk.csv"
    assert unique_stems([a, b, c]) == ["s1_rest", "s2_rest", "walk"]


def test_unique_stems_never_leave_the_output_folder(tmp_path: Path) -> None:
    """Files of one folder that share a stem (a.edf + a.npz, subj01.day1 + subj01.day2)
    once walked up to the root and gave "/_tmp_..._a": events written to /, one file over
    the other. Now the whole name tells them apart, and every stem is a plain name."""
    d = tmp_path / "x" / "y"
    paths = [d / "a.edf", d / "a.npz", d / "subj01.day1.csv", d / "subj01.day2.csv", d / "b.csv"]
    stems = unique_stems(paths)
    assert stems == ["a_edf", "a_npz", "subj01_day1_csv", "subj01_day2_csv", "b"]
    deep = [tmp_path / "p" / "s1" / "rest.csv", tmp_path / "q" / "s1" / "rest.csv"]
    assert unique_stems(deep) == ["p_s1_rest", "q_s1_rest"]
    same = unique_stems([d / "a.csv", d / "a.csv"])
    assert len(set(same)) == 2
    for s in [*stems, *unique_stems(deep), *same]:
        assert "/" not in s and "\\" not in s and not Path(s).is_absolute()


def test_same_stem_in_one_folder_scored_apart_inside_out(tmp_path: Path) -> None:
    paths = _write_recordings(tmp_path, 2)
    a, b = tmp_path / "subj01.day1.npy", tmp_path / "subj01.day2.npy"
    paths[0].rename(a)
    paths[1].rename(b)
    (tmp_path / "rec0.json").rename(tmp_path / "subj01.json")
    out = tmp_path / "out"
    rows = score_batch([a, b], out, progress=False)
    assert [r["status"] for r in rows] == ["ok", "ok"]
    written = sorted(p.name for p in out.iterdir())
    assert "subj01_day1_npy_events.tsv" in written and "subj01_day2_npy_events.tsv" in written
    assert _events(out, "subj01_day1_npy").shape[0] > 0


def test_default_model_is_found_from_any_folder(tmp_path: Path) -> None:
    """After `pip install .` the packaged model is found wherever Python runs."""
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    if not (repo / "models" / "default.joblib").exists():
        pytest.skip("no trained model in models/")
    code = (
        "import movement.classify as c, sys; p = c._packaged_model_path(); "
        "m, name = c.load_model('default', 'emg', __import__('movement').EMGConfig()); "
        "print(p); print(type(m).__name__); sys.exit(0 if p else 1)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "TrainedClassifier" in out.stdout


def _header_only_npy(path: Path, rows: int, cols: int, fs: float, modality: str) -> Path:
    """An .npy file of ``rows`` x ``cols`` (sparse on disk: only its header is written)."""
    np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=(rows, cols)).flush()
    sidecar = {"SamplingFrequency": fs, "Modality": modality}
    path.with_suffix(".json").write_text(json.dumps(sidecar))
    return path


def test_streaming_is_chosen_where_it_is_faster(tmp_path: Path) -> None:
    """A day of accelerometry streams (many windows, small overlap), and an hour of
    4-channel EMG (its whole-recording pass is heavier than its windows' overlap); a 4 h
    file, short multi-channel EMG (fewer than 3 windows) and other formats are scored
    whole."""
    from movement.stream import streams_faster

    day = _header_only_npy(tmp_path / "day.npy", 24 * 3600 * 100, 3, 100.0, "accel")
    four = _header_only_npy(tmp_path / "four.npy", 4 * 3600 * 100, 3, 100.0, "accel")
    emg = _header_only_npy(tmp_path / "emg.npy", 3600 * 2000, 4, 2000.0, "emg")
    short_emg = _header_only_npy(tmp_path / "emg10.npy", 600 * 2000, 4, 2000.0, "emg")
    assert streams_faster(day)
    assert not streams_faster(four)
    assert streams_faster(emg)
    assert not streams_faster(short_emg)
    assert not streams_faster(tmp_path / "day.csv")  # judged for .npy only
    assert not streams_faster(tmp_path / "missing.npy")  # unreadable: the whole-file path says why
    # a longer baseline (more overlap per window) changes the verdict only through the plan
    wide = Settings().with_overrides(["accel.baseline_window_s=3000"])
    assert not streams_faster(day, wide)


def test_large_files_are_streamed_with_the_same_events(tmp_path: Path, monkeypatch) -> None:
    """Above STREAM_BYTES a file is scored in windows; its events equal the in-memory ones."""
    import movement
    import movement.batch as batch
    import movement.stream as stream

    sim = movement.simulate("accel", 1500.0, 8)
    p = tmp_path / "long.npy"
    np.save(p, sim.recording.data)
    (tmp_path / "long.json").write_text(json.dumps({"SamplingFrequency": 100, "Modality": "accel"}))
    calls = []
    real = stream.score_stream
    monkeypatch.setattr(stream, "score_stream", lambda *a, **k: calls.append(k) or real(*a, **k))
    monkeypatch.setattr(batch, "STREAM_BYTES", 1)
    opts = ScoreOptions(model="rules")
    score_batch([p], tmp_path / "streamed", opts, progress=False)
    assert len(calls) == 1 and calls[0]["threads"] == 1
    # one file and two jobs: the spare core goes to the stream's windows, same events
    score_batch([p], tmp_path / "threaded", opts, jobs=2, progress=False)
    assert calls[1]["threads"] == 2
    pd.testing.assert_frame_equal(
        _events(tmp_path / "threaded", "long"), _events(tmp_path / "streamed", "long")
    )
    monkeypatch.setattr(batch, "STREAM_BYTES", 2**60)
    score_batch([p], tmp_path / "whole", opts, progress=False)
    a = _events(tmp_path / "streamed", "long")
    b = _events(tmp_path / "whole", "long")
    pd.testing.assert_frame_equal(
        a[["onset", "duration", "trial_type"]], b[["onset", "duration", "trial_type"]]
    )


def test_large_edf_is_streamed_with_the_same_events(tmp_path: Path, monkeypatch) -> None:
    """An EDF file is judged by its decoded size (2 bytes a sample on disk, 8 in float64)
    and streamed from its memory map; the same events as the whole read."""
    edfio = pytest.importorskip("edfio")
    import movement
    import movement.batch as batch
    import movement.stream as stream

    sim = movement.simulate("accel", 1500.0, 8)
    x = sim.recording.data
    p = tmp_path / "long.edf"
    sigs = [
        edfio.EdfSignal(x[:, j], 100, label=f"Acc {c}", physical_dimension="g",
                        physical_range=(-16, 16))
        for j, c in enumerate("XYZ")
    ]  # fmt: skip
    edfio.Edf(sigs).write(p)
    assert batch._decoded_bytes(p) == 4 * p.stat().st_size
    calls = []
    real = stream.score_stream
    monkeypatch.setattr(stream, "score_stream", lambda *a, **k: calls.append(k) or real(*a, **k))
    monkeypatch.setattr(batch, "STREAM_BYTES", 4 * p.stat().st_size)
    opts = ScoreOptions(model="rules")
    score_batch([p], tmp_path / "streamed", opts, progress=False)
    assert len(calls) == 1
    monkeypatch.setattr(batch, "STREAM_BYTES", 4 * p.stat().st_size + 1)
    score_batch([p], tmp_path / "whole", opts, progress=False)
    assert len(calls) == 1  # 25 min: below the size, and too short for windows to pay
    a = _events(tmp_path / "streamed", "long")
    b = _events(tmp_path / "whole", "long")
    assert len(a) >= 3
    pd.testing.assert_frame_equal(
        a[["onset", "duration", "trial_type"]], b[["onset", "duration", "trial_type"]]
    )


def test_shards_split_a_study_and_a_plain_rerun_collates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Array-job shards score disjoint files that together are all of them, each with its
    own manifest and summary; the same command without a shard then scores nothing and
    writes the whole study's summary.tsv and manifest.json."""
    import movement.batch as batch
    from movement.io import find_recordings

    paths = _write_recordings(tmp_path, n=6)
    out = tmp_path / "out"
    opts = ScoreOptions(model="rules")
    whole = score_batch(paths, tmp_path / "whole", opts, progress=False)
    done: list[str] = []
    for k in (1, 2, 3):
        rows = score_batch(paths, out, opts, shard=(k, 3), progress=False)
        assert all(batch.shard_of(Path(r["file"]).stem, 3) == k for r in rows)
        done += [r["file"] for r in rows]
        assert (out / f"manifest-shard-{k}-of-3.json").exists()
        assert len(pd.read_csv(out / f"summary-shard-{k}-of-3.tsv", sep="\t")) == len(rows)
    assert sorted(done) == sorted(str(p) for p in paths)  # disjoint, and every file
    assert not (out / "summary.tsv").exists() and not (out / "manifest.json").exists()
    # the shards' summaries and manifests are not taken for recordings
    assert find_recordings([out]) == []

    calls = []
    real = batch.score_one
    monkeypatch.setattr(batch, "score_one", lambda *a: calls.append(a) or real(*a))
    rows = score_batch(paths, out, opts, progress=False)
    assert calls == []  # every file was done by a shard
    assert [r["n_events"] for r in rows] == [r["n_events"] for r in whole]
    assert len(pd.read_csv(out / "summary.tsv", sep="\t")) == 6
    manifest = json.loads((out / "manifest.json").read_text())["files"]
    assert sorted(manifest) == [f"rec{i}" for i in range(6)]
    for i in range(6):
        pd.testing.assert_frame_equal(
            _events(out, f"rec{i}"), _events(tmp_path / "whole", f"rec{i}")
        )


def test_parse_shard() -> None:
    from movement.batch import parse_shard
    from movement.errors import MovementError

    assert parse_shard("2/5") == (2, 5)
    slurm = {"SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "9"}
    assert parse_shard("auto", slurm) == (7, 9)
    for bad in ("0/3", "4/3", "3", "a/b"):
        with pytest.raises(MovementError, match="--shard"):
            parse_shard(bad)
    with pytest.raises(MovementError, match="SLURM"):
        parse_shard("auto", {})


def test_cli_shard(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from movement.cli import main

    paths = _write_recordings(tmp_path, n=4)
    out = tmp_path / "out"
    for k in (1, 2):
        assert main(["score", *map(str, paths), "--out", str(out), "--model", "rules",
                     "--shard", f"{k}/2", "-q"]) == 0  # fmt: skip
        assert f"shard {k} of 2:" in capsys.readouterr().err
    assert main(["score", *map(str, paths), "--out", str(out), "--shard", "3/2"]) == 2
    assert "K must be between 1 and N" in capsys.readouterr().err


def test_decoded_bytes_of_npy_and_parquet_are_their_samples_as_float64(tmp_path: Path) -> None:
    """The streaming threshold (256 MiB of float64 samples) took an int16 .npy and a
    compressed Parquet file at their size on disk: 6 h of 2 kHz EMG in int16 (86 MB, 346 MB
    as float64) and 48 h of Parquet (55 MB, 415 MB) were read whole."""
    from movement import batch

    x = np.zeros((1000, 3), dtype=np.int16)
    np.save(tmp_path / "a.npy", x)
    assert batch._decoded_bytes(tmp_path / "a.npy") == 8 * 3000
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    t = pa.table({"x": np.zeros(5000), "y": np.zeros(5000)})
    pq.write_table(t, tmp_path / "a.parquet", compression="zstd")
    assert batch._decoded_bytes(tmp_path / "a.parquet") == 8 * 10_000
    assert (tmp_path / "a.parquet").stat().st_size < 8 * 10_000


def _hold(path: Path, shared: bool = False):
    """An open file holding a lock on ``path`` (as another batch would)."""
    import fcntl

    fh = open(path, "a+")  # noqa: SIM115 - closed by the caller
    fcntl.flock(fh, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    return fh


def test_two_batches_never_write_into_one_folder_at_once(tmp_path: Path) -> None:
    """Two batches into one --out at once lost results (each rewrote the manifest and the
    summary with its own files): the folder is locked for a batch. Shards of one array
    job share it, but never with a whole-study run, and one shard never runs twice."""
    pytest.importorskip("fcntl")
    from movement.errors import MovementError

    paths = _write_recordings(tmp_path, n=2)
    out = tmp_path / "out"
    out.mkdir()
    opts = ScoreOptions(model="rules")
    busy = "another `movement score` is writing results into"
    whole = _hold(out / ".movement.lock")  # a whole-study run
    try:
        for shard in (None, (1, 2)):
            with pytest.raises(MovementError, match=busy) as exc:
                score_batch(paths, out, opts, progress=False, shard=shard)
            assert str(out) in str(exc.value) and "\n" not in str(exc.value)
    finally:
        whole.close()
    assert not list(out.glob("*_events.tsv"))
    shard_1 = [
        _hold(out / ".movement.lock", shared=True),
        _hold(out / ".movement-shard-1-of-2.lock"),
    ]
    try:
        with pytest.raises(MovementError, match=busy):  # a whole-study run waits for the shards
            score_batch(paths, out, opts, progress=False)
        with pytest.raises(MovementError, match=busy):  # shard 1 is running already
            score_batch(paths, out, opts, progress=False, shard=(1, 2))
        rows = score_batch(paths, out, opts, progress=False, shard=(2, 2))  # its sibling runs
        assert [r["status"] for r in rows] == ["ok"] * len(rows)
    finally:
        for fh in shard_1:
            fh.close()
    rows = score_batch(paths, out, opts, progress=False)  # the folder is free again
    assert [r["status"] for r in rows] == ["ok", "ok"]


def test_an_output_folder_that_cannot_be_written_is_refused_up_front(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A read-only --out failed only at the end, naming a temporary file
    (`.manifest.json.c073977t.tmp: Read-only file system`), even for a pure re-check."""
    import errno
    import tempfile

    from movement.cli import main

    paths = _write_recordings(tmp_path, n=1)
    out = tmp_path / "out"
    args = ["score", str(paths[0]), "--out", str(out), "--model", "rules", "-q"]
    assert main(args) == 0
    capsys.readouterr()
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}

    def read_only(*a: object, **k: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)  # (the test may run as root)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err == (
        f"movement: error: the output folder {out} (--out): cannot write into it "
        "(Read-only file system)\n"
    )
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before


def _scored_by(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files ``score_one`` is called for (this process only: serial batches)."""
    import movement.batch as batch

    calls: list[str] = []
    real = batch.score_one

    def record(path: Path, *args: object, **kwargs: object) -> dict[str, object]:
        calls.append(str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(batch, "score_one", record)
    return calls


def test_the_newest_manifest_entry_wins_over_older_shard_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shards' manifests, never updated after collating, were preferred over
    manifest.json: a study re-scored with other settings was scored again on every run,
    and a run with the shards' settings skipped files whose outputs had the other ones."""
    paths = _write_recordings(tmp_path, n=2)
    out = tmp_path / "out"
    default = ScoreOptions(model="rules")
    other = ScoreOptions(settings=Settings().with_overrides(["emg.k_on=4"]), model="rules")
    for k in (1, 2):
        score_batch(paths, out, default, shard=(k, 2), progress=False)
    score_batch(paths, out, default, progress=False)  # collates
    calls = _scored_by(monkeypatch)
    score_batch(paths, out, other, progress=False)
    assert len(calls) == 2  # other settings: scored again
    score_batch(paths, out, other, progress=False)
    assert len(calls) == 2  # and then skipped
    rows = score_batch(paths, out, default, progress=False)
    assert len(calls) == 4  # the outputs are k_on=4's: scored again, not skipped
    assert not any(r.get("resumed") for r in rows)
    side = json.loads((out / "rec0_events.json").read_text())
    assert side["parameters"]["config"]["k_on"] == Settings().emg.k_on


def test_shards_keep_the_names_the_folder_gave_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pilot run `score subs/sub-01 --out R`, then an array job `score subs --out R
    --shard k/2`: the shards named sub-01's file sub-01_wrist and scored it again, and the
    summary listed it twice."""
    for sub in ("sub-01", "sub-02"):
        (tmp_path / "subs" / sub).mkdir(parents=True)
        _write_recordings(tmp_path / "subs" / sub, n=1)
    out = tmp_path / "out"
    opts = ScoreOptions(model="rules")
    score_batch([tmp_path / "subs" / "sub-01"], out, opts, progress=False)
    assert (out / "rec0_events.tsv").exists()
    calls = _scored_by(monkeypatch)
    for k in (1, 2):
        score_batch([tmp_path / "subs"], out, opts, shard=(k, 2), progress=False)
    assert calls == [str(tmp_path / "subs" / "sub-02" / "rec0.npy")]
    rows = score_batch([tmp_path / "subs"], out, opts, progress=False)
    assert len(calls) == 1 and all(r.get("resumed") for r in rows)
    summary = pd.read_csv(out / "summary.tsv", sep="\t")
    assert len(summary) == 2 and summary["file"].is_unique
    assert len(list(out.glob("*_events.tsv"))) == 2
    manifest = json.loads((out / "manifest.json").read_text())["files"]
    assert manifest["rec0"]["source"] == str(tmp_path / "subs" / "sub-01" / "rec0.npy")


def test_an_edited_added_or_removed_sidecar_scores_the_file_again(tmp_path: Path) -> None:
    """Changing SamplingFrequency in rec.json beside rec.npy left every file skipped with
    stale results: the sidecar is part of what resume compares."""
    import os

    paths = _write_recordings(tmp_path, n=1)
    side = tmp_path / "rec0.json"
    out = tmp_path / "out"
    opts = ScoreOptions(model="rules")
    score_batch(paths, out, opts, progress=False)
    assert score_batch(paths, out, opts, progress=False)[0].get("resumed")
    side.write_text(json.dumps({"SamplingFrequency": 1000, "Modality": "emg"}))
    os.utime(side, ns=(side.stat().st_atime_ns, side.stat().st_mtime_ns + 10**9))
    rows = score_batch(paths, out, opts, progress=False)
    assert not rows[0].get("resumed") and rows[0]["fs"] == 1000
    assert score_batch(paths, out, opts, progress=False)[0].get("resumed")
    # removed, then added back (the rate and modality given: ok either way)
    opts = ScoreOptions(model="rules", fs=2000.0, modality="emg")
    assert score_batch(paths, out, opts, progress=False)[0]["status"] == "ok"
    moved = side.rename(tmp_path / "moved.json")
    rows = score_batch(paths, out, opts, progress=False)
    assert not rows[0].get("resumed") and rows[0]["status"] == "ok"
    assert score_batch(paths, out, opts, progress=False)[0].get("resumed")
    moved.rename(side)
    rows = score_batch(paths, out, opts, progress=False)
    assert not rows[0].get("resumed") and rows[0]["status"] == "ok"


def test_a_full_disk_leaves_the_previous_events_and_sidecar_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Re-scoring on a full disk replaced the events table and then failed on its JSON
    sidecar: a table of one scoring beside the sidecar of another. Both are written to
    temporary files first, then renamed, so a failure leaves the previous pair."""
    import builtins
    import errno

    import movement._atomic as atomic

    paths = _write_recordings(tmp_path, n=1)
    out = tmp_path / "out"
    score_batch(paths, out, ScoreOptions(model="rules"), progress=False)
    pair = {n: (out / n).read_bytes() for n in ("rec0_events.tsv", "rec0_events.json")}
    real_open = builtins.open

    def full_disk(file: object, *args: object, **kwargs: object) -> object:
        fh = real_open(file, *args, **kwargs)
        if "_events.json." in Path(str(file)).name:  # (the sidecar's temporary file)
            fh.close()
            raise OSError(errno.ENOSPC, "No space left on device")
        return fh

    monkeypatch.setattr(atomic, "open", full_disk, raising=False)
    other = ScoreOptions(settings=Settings().with_overrides(["emg.k_on=4"]), model="rules")
    rows = score_batch(paths, out, other, progress=False)
    assert rows[0]["status"] == "error"
    assert rows[0]["message"] == (
        f"cannot write its events into {out} (No space left on device); "
        "the previous results are kept"
    )
    assert {n: (out / n).read_bytes() for n in pair} == pair
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    monkeypatch.undo()
    rows = score_batch(paths, out, other, progress=False)  # the failure is not skipped
    assert rows[0]["status"] == "ok" and not rows[0].get("resumed")


def test_a_manifest_that_cannot_be_written_names_the_output_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import errno

    import movement.batch as batch
    from movement.cli import main

    paths = _write_recordings(tmp_path, n=1)
    out = tmp_path / "out"
    real = batch.atomic_write

    def full_disk(path: Path, data: object) -> Path:
        if Path(path).name == "manifest.json":
            raise OSError(errno.ENOSPC, "No space left on device", str(path) + ".x.tmp")
        return real(path, data)

    monkeypatch.setattr(batch, "atomic_write", full_disk)
    assert main(["score", str(paths[0]), "--out", str(out), "--model", "rules", "-q"]) == 2
    assert capsys.readouterr().err == (
        f"movement: error: the output folder {out} (--out): cannot write manifest.json "
        "(No space left on device)\n"
    )
    summary = pd.read_csv(out / "summary.tsv", sep="\t")  # what was done is said
    assert list(summary["status"]) == ["ok"]


@pytest.fixture(scope="module")
def one_thread_cluster() -> object:
    """A Dask cluster on loopback: one worker process with one thread."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    )  # fmt: skip
    yield cluster
    cluster.close()


def test_dask_workers_get_absolute_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, one_thread_cluster: object
) -> None:
    """Relative paths were sent to the workers as given: a worker whose working folder
    differs found no such file, or wrote the events into its own folder. The summary
    still names each file as it was given, and the outputs are the serial run's."""
    data = tmp_path / "data"
    data.mkdir()
    _write_recordings(data, n=2)
    monkeypatch.chdir(tmp_path)  # (the worker's working folder stays where it started)
    given = ["data/rec0.npy", "data/rec1.npy"]
    opts = ScoreOptions(model="rules")
    rows = score_batch(
        given, "out", opts, backend="dask", scheduler=one_thread_cluster.scheduler_address,
        progress=False,
    )  # fmt: skip
    assert [(r["file"], r["status"]) for r in rows] == [(g, "ok") for g in given]
    assert list(pd.read_csv(tmp_path / "out" / "summary.tsv", sep="\t")["file"]) == given
    score_batch(given, "serial", opts, progress=False)
    for name in ("rec0_events.tsv", "rec1_events.tsv", "summary.tsv"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "serial" / name).read_bytes()
    side = json.loads((tmp_path / "out" / "rec0_events.json").read_text())
    serial = json.loads((tmp_path / "serial" / "rec0_events.json").read_text())
    # the path as given, as a local run names it (not the absolute path the worker read)
    assert side["recording"]["source"] == serial["recording"]["source"] == "data/rec0.npy"
    assert side == serial


def test_dask_with_one_worker_thread_scores_on_the_cluster(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, one_thread_cluster: object
) -> None:
    """joblib's Dask backend with n_jobs=-1 saw one thread and scored every file in this
    process, not on the cluster."""
    paths = _write_recordings(tmp_path, n=2)
    here = _scored_by(monkeypatch)  # (this process only: a worker has its own score_one)
    rows = score_batch(
        paths, tmp_path / "out", ScoreOptions(model="rules"), backend="dask",
        scheduler=one_thread_cluster.scheduler_address, progress=False,
    )  # fmt: skip
    assert [r["status"] for r in rows] == ["ok", "ok"]
    assert here == []


def test_dask_scheduler_without_workers_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    distributed = pytest.importorskip("distributed")
    import movement.batch as batch
    from movement.cli import main

    paths = _write_recordings(tmp_path, n=1)
    monkeypatch.setattr(batch, "DASK_WAIT_S", 0.5, raising=False)
    cluster = distributed.LocalCluster(
        n_workers=0, processes=True, host="127.0.0.1", dashboard_address=None
    )
    try:
        address = cluster.scheduler_address
        code = main(["score", str(paths[0]), "--out", str(tmp_path / "out"), "--model",
                     "rules", "-q", "--scheduler", address])  # fmt: skip
    finally:
        cluster.close()
    assert code == 2
    assert capsys.readouterr().err == (
        f"movement: error: no Dask worker joined the scheduler {address} within 0.5 s; "
        f"start workers first (dask worker {address})\n"
    )


def test_a_dask_scheduler_that_does_not_answer_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An address nobody answers at was an OSError after Dask's own 30 s (exit code 1)."""
    import socket

    pytest.importorskip("distributed")
    import movement.batch as batch
    from movement.cli import main

    paths = _write_recordings(tmp_path, n=1)
    monkeypatch.setattr(batch, "DASK_WAIT_S", 1.0, raising=False)
    with socket.socket() as s:  # a port nobody listens at
        s.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{s.getsockname()[1]}"
    code = main(["score", str(paths[0]), "--out", str(tmp_path / "out"), "--model",
                 "rules", "-q", "--scheduler", address])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith(
        f"movement: error: --scheduler {address}: no Dask scheduler answered within 1 s ("
    )
    assert err.count("\n") == 1


def test_a_dask_cluster_failing_mid_batch_is_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    one_thread_cluster: object,
) -> None:
    """A scheduler killed mid-batch printed a 58-line traceback."""
    from distributed.comm.core import CommClosedError

    import movement.batch as batch
    from movement.cli import main

    paths = _write_recordings(tmp_path, n=3)
    out = tmp_path / "out"

    def lost_after_one(results, total, enabled):  # as a scheduler killed after one file
        it = iter(results)
        yield next(it)
        raise CommClosedError("in <TCP (closed) ConnectionPool.gather local=tcp://127.0.0.1:1>: "
                              "Stream is closed\nmore lines")  # fmt: skip

    monkeypatch.setattr(batch, "_progress", lost_after_one)
    code = main(["score", *map(str, paths), "--out", str(out), "--model", "rules", "-q",
                 "--scheduler", one_thread_cluster.scheduler_address])  # fmt: skip
    # (exit 1, not 2: 2 is for bad options; each file not scored says why)
    assert code == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "more lines" not in err
    summary = pd.read_csv(out / "summary.tsv", sep="\t")
    # the first file, and any other whose task finished before the cluster was lost, is
    # recorded; the rest say the cluster failed
    assert len(summary) == 3 and (summary["status"] == "ok").sum() >= 1
    failed = summary[summary["status"] == "error"]
    assert len(failed) >= 1 and failed["message"].str.contains("the Dask cluster failed").all()


def _running(pid: int) -> bool:
    """Whether process ``pid`` is running (a zombie is not)."""
    try:
        import psutil
    except ImportError:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        return state not in ("Z", "X")
    try:
        return psutil.Process(pid).status() not in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD)
    except psutil.NoSuchProcess:
        return False


_SLOW_BATCH = """
import os, sys, time
from pathlib import Path
import movement.batch as batch

parent, marks = os.getpid(), Path(sys.argv[2])
def slow(path, *args, **kwargs):
    if os.getpid() != parent:  # a forked worker says it is scoring
        (marks / f"worker-{os.getpid()}").touch()
    time.sleep(60)
batch.score_one = slow
paths = sorted(Path(sys.argv[1]).glob("rec*.npy"))
batch.score_batch(paths, marks / "out", batch.ScoreOptions(model="rules"), jobs=2,
                  progress=False)
"""


@pytest.mark.parametrize("sig", ["SIGKILL", "SIGTERM"])
def test_a_forked_worker_exits_when_the_batch_is_killed(tmp_path: Path, sig: str) -> None:
    """With --jobs 2, killing the parent left its forked worker running forever (~200 MB):
    it held both ends of its job pipe."""
    import os
    import signal
    import subprocess
    import sys
    import time

    if not sys.platform.startswith("linux"):
        pytest.skip("forked workers are Linux-only")
    _write_recordings(tmp_path, n=3)
    marks = tmp_path / "marks"
    marks.mkdir()
    env = {**os.environ, WORKER_START_ENV: "fork"}
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_BATCH, str(tmp_path), str(marks)], env=env)
    try:
        deadline = time.monotonic() + 30
        while not list(marks.glob("worker-*")) and time.monotonic() < deadline:
            assert proc.poll() is None, "the batch ended early"
            time.sleep(0.05)
        (mark,) = marks.glob("worker-*")
        worker = int(mark.name.split("-")[1])
        proc.send_signal(getattr(signal, sig))
        proc.wait(timeout=10)
        deadline = time.monotonic() + 5
        while _running(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        alive = _running(worker)
        if alive:
            os.kill(worker, signal.SIGKILL)  # (not left behind by the test)
        assert not alive, "the worker outlived its killed parent"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_setting_of_the_other_modality_does_not_score_a_file_again(tmp_path: Path) -> None:
    """Changing an emg.* setting re-scored every accelerometer file of a study (the resume
    key held all settings); a file's own modality's settings now decide."""
    import shutil

    from movement.cli import main

    data = Path(__file__).resolve().parents[1] / "data"
    for name in ("sim_wrist_accel.csv", "sim_wrist_accel.json"):
        shutil.copy(data / name, tmp_path / name)
    out = tmp_path / "out"
    assert main(["score", str(tmp_path / "sim_wrist_accel.csv"), "--out", str(out)]) == 0
    before = (out / "sim_wrist_accel_events.tsv").stat().st_mtime_ns
    args = ["score", str(tmp_path / "sim_wrist_accel.csv"), "--out", str(out)]
    assert main([*args, "--set", "emg.k_on=5"]) == 0
    assert (out / "sim_wrist_accel_events.tsv").stat().st_mtime_ns == before  # skipped
    assert main([*args, "--set", "accel.k_on=5"]) == 0
    assert (out / "sim_wrist_accel_events.tsv").stat().st_mtime_ns != before  # scored again


def test_no_more_worker_processes_than_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--jobs 1000 for two files started ~999 worker processes (77 s instead of ~2 s)."""
    import movement.batch as batch

    asked: list[int] = []
    real = batch._worker_pool

    def pool(n, opts):
        asked.append(n)
        return real(n, opts)

    monkeypatch.setattr(batch, "_worker_pool", pool)
    paths = _write_recordings(tmp_path, n=2)
    rows = score_batch(
        paths, tmp_path / "out", jobs=1000, progress=False, opts=ScoreOptions(model="rules")
    )
    assert [r["status"] for r in rows] == ["ok", "ok"]
    assert asked == [1]  # one worker beside this process: one file each


def test_a_failed_file_says_its_earlier_events_are_an_earlier_runs(tmp_path) -> None:
    """A file scored once, then damaged: its row was an error while its old events table
    stayed beside the new results without a word (it is kept: outputs are never lost)."""
    src = _write_recordings(tmp_path, n=1)[0]
    out = tmp_path / "out"
    assert score_batch([src], out, progress=False)[0]["status"] == "ok"
    before = (out / f"{src.stem}_events.tsv").read_bytes()
    src.write_text("x,y,z\nfoo,1,2\n")
    row = score_batch([src], out, progress=False)[0]
    assert row["status"] == "error"
    assert row["message"].endswith(
        f"; its {src.stem}_events.tsv in the output folder is from an earlier run"
    )
    assert (out / f"{src.stem}_events.tsv").read_bytes() == before
