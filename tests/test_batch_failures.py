"""A 193-file study's batch problems: long output names, a Dask worker
killed by one file, a cluster that loses every worker, summaries of batches scored in
steps or killed, unsearchable subfolders, resume of damaged outputs, broken worker pools,
per-file lines in a pipe, files finished during shutdown, the scheduler checked first,
and the final line's counts."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import movement.batch as batch
from movement.batch import WORKER_START_ENV, ScoreOptions, score_batch
from movement.cli import main

RULES = ScoreOptions(model="rules")


def _recordings(folder: Path, n: int = 3, names: list[str] | None = None) -> list[Path]:
    """Short 2 kHz EMG recordings with one spike each (one event), with sidecars."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(3)
    paths = []
    for i, name in enumerate(names or [f"rec{k}" for k in range(n)]):
        x = rng.normal(0, 0.01, (20_000, 2))
        x[8_000 + 1000 * i : 8_030 + 1000 * i, 0] += np.hanning(30) * 0.5
        p = folder / f"{name}.npy"
        np.save(p, x)
        p.with_suffix(".json").write_text(
            json.dumps({"SamplingFrequency": 2000, "Modality": "emg"})
        )
        paths.append(p)
    return paths


def _summary(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "summary.tsv", sep="\t", keep_default_na=False)


def _cli(*args: object) -> int:
    return main(["score", *map(str, args), "--model", "rules"])


# -- 1: output names too long for the file system -----------------------------------------


def test_clashing_long_names_are_shortened_and_scored(tmp_path: Path) -> None:
    """Two 200-character names in two 200-character folders: the name that told them
    apart (folder + name) was over 255 bytes, an OSError stopped the whole batch, and a
    re-run did the same. Now each is shortened (first bytes + a CRC-32) and scored."""
    r = "r" * 200
    a = _recordings(tmp_path / ("a" * 200), names=[r])[0]
    b = _recordings(tmp_path / ("b" * 200), names=[r])[0]
    ok = _recordings(tmp_path / "ok", names=["wrist"])[0]
    out = tmp_path / "out"
    rows = score_batch([a, b, ok], out, RULES, progress=False)
    assert [row["status"] for row in rows] == ["ok"] * 3
    stems = [row["stem"] for row in rows]
    assert len(set(stems)) == 3 and stems[2] == "wrist"
    for stem in stems:
        assert len(stem.encode()) <= batch.MAX_STEM_BYTES
        assert (out / f"{stem}_events.tsv").is_file() and (out / f"{stem}_events.json").is_file()
    assert stems[0].startswith("a" * 100) and stems[1].startswith("b" * 100)
    again = score_batch([a, b, ok], out, RULES, progress=False)  # the same names: resumed
    assert [row.get("resumed") for row in again] == [True] * 3
    assert [row["stem"] for row in again] == stems


def test_a_name_too_long_to_write_is_the_files_error_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENAMETOOLONG where a name cannot be shortened (a long --out path, another file
    system's limit): one error row naming it, the batch goes on (it was an OSError out of
    score_one, from the is_file() check after its try)."""
    import errno

    paths = _recordings(tmp_path / "in", n=2)
    out = tmp_path / "out"
    real = batch.write_events

    def too_long(events, out_dir, stem):
        if stem == "rec0":
            name = str(Path(out_dir) / f"{stem}_events.tsv")
            raise OSError(errno.ENAMETOOLONG, "File name too long", name)
        return real(events, out_dir, stem)

    monkeypatch.setattr(batch, "write_events", too_long)
    real_is_file = Path.is_file

    def is_file(self: Path) -> bool:  # (as the file system answers for such a name)
        if self.name.startswith("rec0_events"):
            raise OSError(errno.ENAMETOOLONG, "File name too long", str(self))
        return real_is_file(self)

    monkeypatch.setattr(Path, "is_file", is_file)
    rows = score_batch(paths, out, RULES, progress=False)
    assert [r["status"] for r in rows] == ["error", "ok"]
    assert rows[0]["message"] == (
        f"output name too long for the file system: {out / 'rec0_events.tsv'}; rename the "
        "file or use a shorter --out"
    )
    assert list(_summary(out)["status"]) == ["error", "ok"]


def test_an_error_escaping_score_one_in_a_worker_is_not_a_dead_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exception out of score_one in a forked worker was reported as "the worker
    process scoring this file died"."""
    if not sys.platform.startswith("linux"):
        pytest.skip("forked workers (the patched scorer reaches them) are Linux-only")
    import errno

    monkeypatch.setenv(WORKER_START_ENV, "fork")
    real = batch.score_one

    def raises(path: Path, stem: str, out: Path, *args: object, **kwargs: object) -> dict:
        if path.stem == "rec0":
            raise OSError(errno.ENAMETOOLONG, "File name too long", str(out / "x"))
        return real(path, stem, out, *args, **kwargs)

    monkeypatch.setattr(batch, "score_one", raises)
    paths = _recordings(tmp_path / "in", n=3)
    rows = score_batch(paths, tmp_path / "out", RULES, jobs=2, progress=False)
    assert [r["status"] for r in rows] == ["error", "ok", "ok"]
    assert rows[0]["message"].startswith("output name too long for the file system")
    assert "died" not in rows[0]["message"]


# -- 2, 3: a Dask worker killed by one file; a cluster that loses every worker -------------


def test_a_file_that_kills_its_dask_worker_is_its_own_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """KilledWorker stopped the whole batch ("the Dask cluster failed", exit code 2, every
    file "not scored", none named). Now that file has an error row, and a file blamed
    beside it (queued on the worker that died) is scored when submitted again, alone.

    (The workers are threads of this process, raising KilledWorker as the scheduler does
    for a task whose workers died: a real death, a worker process that exits, gives the
    same rows, in ~10 s of nanny restarts.)"""
    distributed = pytest.importorskip("distributed")

    real = batch._indexed
    marks = tmp_path / "tries"  # (the task is sent to the worker as a copy: files count)
    marks.mkdir()

    def killed(i: int, path: Path, *args: object) -> tuple:
        k = len(list(marks.glob(f"{path.stem}-*"))) + 1
        (marks / f"{path.stem}-{k}").touch()
        if path.stem == "rec0" or (path.stem == "rec1" and k == 1):
            worker = type("WorkerState", (), {"address": "tcp://127.0.0.1:1"})()
            raise distributed.KilledWorker(f"_indexed-{path.stem}", worker, 3)
        return real(i, path, *args)

    monkeypatch.setattr(batch, "_indexed", killed)
    paths = _recordings(tmp_path / "in", n=3)
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, protocol="tcp://",
        host="127.0.0.1", dashboard_address=None,
    )  # fmt: skip
    try:
        rows = score_batch(
            paths, tmp_path / "out", RULES, backend="dask",
            scheduler=cluster.scheduler_address, progress=False,
        )  # fmt: skip
    finally:
        cluster.close()
    assert [r["status"] for r in rows] == ["error", "ok", "ok"]
    assert rows[0]["message"] == (
        "the Dask worker scoring this file died 8 times, the last time alone on the cluster "
        "(out of memory, or a crash in native code?); a re-run retries it"
    )
    assert sorted(p.name for p in marks.iterdir()) == [
        "rec0-1",
        "rec0-2",
        "rec1-1",
        "rec1-2",
        "rec2-1",
    ]
    assert list(_summary(tmp_path / "out")["status"]) == ["error", "ok", "ok"]


def test_a_dask_cluster_failing_mid_batch_exits_1_with_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit code 2 is for bad options: a cluster lost mid-batch exited 2 with one line; it
    is exit code 1, each file not scored saying why in its row."""
    distributed = pytest.importorskip("distributed")
    from distributed.comm.core import CommClosedError

    paths = _recordings(tmp_path / "in", n=3)
    out = tmp_path / "out"

    def lost_after_one(results, total, enabled):  # as a scheduler killed after one file
        it = iter(results)
        yield next(it)
        raise CommClosedError("Stream is closed\nmore lines")

    monkeypatch.setattr(batch, "_progress", lost_after_one)
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, protocol="tcp://",
        host="127.0.0.1", dashboard_address=None,
    )  # fmt: skip
    try:
        code = _cli(*paths, "--out", out, "-q", "--scheduler", cluster.scheduler_address)
    finally:
        cluster.close()
    assert code == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "movement: error" not in err
    summary = _summary(out)
    # the first file, and any other whose task had finished when the cluster was lost
    # (recorded, not thrown away), is ok; the rest say the cluster failed
    n_ok = int((summary["status"] == "ok").sum())
    assert len(summary) == 3 and 1 <= n_ok <= 2
    failed = summary[summary["status"] == "error"]["message"]
    assert (failed == "not scored: the Dask cluster failed (CommClosedError: Stream is "
            "closed); run it again to go on").all()  # fmt: skip
    assert f"{n_ok} of 3 recordings scored, {3 - n_ok} failed" in err


def test_a_dask_cluster_that_loses_every_worker_ends_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every worker gone mid-batch: the batch waited forever, without a word. After
    MOVEMENT_DASK_NO_WORKER_S without a worker, the files not scored say so."""
    distributed = pytest.importorskip("distributed")
    import time

    monkeypatch.setenv("MOVEMENT_DASK_NO_WORKER_S", "1")
    paths = _recordings(tmp_path / "in", n=3)
    real = batch.score_one

    def slow(path: Path, *args: object, **kwargs: object) -> dict:
        if path.stem != "rec0":
            time.sleep(0.5)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(batch, "score_one", slow)  # (the workers are threads of this process)
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, protocol="tcp://",
        host="127.0.0.1", dashboard_address=None,
    )  # fmt: skip
    out = tmp_path / "out"
    try:
        rows = score_batch(
            paths, out, RULES, backend="dask", scheduler=cluster.scheduler_address,
            progress=False, on_row=lambda row: cluster.scale(0),
        )  # fmt: skip
    finally:
        cluster.close()
    assert [r["status"] for r in rows] == ["ok", "error", "error"]
    why = "not scored: no Dask worker for 1 s (every worker died or left; run it again once"
    assert all(r["message"].startswith(why) for r in rows[1:])
    assert list(_summary(out)["status"]) == ["ok", "error", "error"]


def test_a_bad_no_worker_wait_is_refused_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("distributed")
    from movement.errors import MovementError

    monkeypatch.setenv(batch.DASK_NO_WORKER_ENV, "soon")
    paths = _recordings(tmp_path / "in", n=1)
    with pytest.raises(MovementError, match="MOVEMENT_DASK_NO_WORKER_S=soon"):
        score_batch(paths, tmp_path / "out", RULES, backend="dask", scheduler="tcp://x:1")
    assert not (tmp_path / "out").exists()


# -- 4, 5: summary rows of earlier runs ----------------------------------------------------


def test_a_summary_scored_in_steps_keeps_earlier_failures_and_marks_moved_inputs(
    tmp_path: Path,
) -> None:
    """Scoring a/ then b/ into one --out kept a/'s ok rows but dropped its failed ones;
    and a file renamed since kept its old ok row beside its new one, unmarked (counted
    twice)."""
    (a,) = _recordings(tmp_path / "a", names=["wrist"])
    (tmp_path / "a" / "empty.csv").write_text("")
    (b,) = _recordings(tmp_path / "b", names=["other"])
    out = tmp_path / "out"
    assert _cli(tmp_path / "a", "--out", out, "-q") == 1
    assert _cli(tmp_path / "b", "--out", out, "-q") == 0
    summary = _summary(out)
    assert list(summary["file"]) == [str(b), str(tmp_path / "a" / "empty.csv"), str(a)]
    assert list(summary["status"]) == ["ok", "error", "ok"]
    assert summary["message"][1].startswith("the file is empty")  # (an earlier run's row)
    # the study renamed: the old row stays (its results are in the folder), marked
    renamed = b.with_name("renamed.npy")
    b.rename(renamed)
    b.with_suffix(".json").rename(renamed.with_suffix(".json"))
    assert _cli(renamed, "--out", out, "-q") == 0
    summary = _summary(out).set_index("file")
    assert summary.loc[str(renamed), "status"] == "ok"
    # (its results are the new row's: status moved, so that status == "ok" counts it once)
    assert summary.loc[str(b), "status"] == "moved"
    assert summary.loc[str(b), "message"] == (
        f"input no longer found at {b.resolve()} (row from an earlier run; the same file, "
        f"by size and time, is {renamed} of this run)"
    )
    assert summary.loc[str(a), "message"] == ""  # (its input is still there)
    assert (summary["status"] == "ok").sum() == 2  # (a/wrist and the renamed b)


# -- 6: the summary while a batch runs -----------------------------------------------------


def test_a_running_batch_rewrites_its_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After kill -9 the summary of the run before stayed, contradicting the events on
    disk. It is rewritten as the batch starts and every SUMMARY_EVERY_S: seen here while
    the third file is scored."""
    paths = _recordings(tmp_path / "in", n=3)
    out = tmp_path / "out"
    score_batch(paths[:1], out, RULES, progress=False)  # an earlier run: rec0 ok
    monkeypatch.setattr(batch, "SUMMARY_EVERY_S", 0.0)
    seen: dict[str, pd.DataFrame] = {}
    real = batch.score_one

    def looks(path: Path, *args: object, **kwargs: object) -> dict:
        seen[path.stem] = _summary(out)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(batch, "score_one", looks)
    score_batch(paths, out, RULES, progress=False, resume=False)
    first, third = seen["rec0"], seen["rec2"]
    assert first["message"][0].startswith("earlier results, not scored again (yet): the batch")
    assert first["message"][1].startswith("not scored (yet): the batch was running when")
    assert list(third["status"]) == ["ok", "ok", "error"]
    assert "not scored (yet)" in third["message"][2]
    assert list(_summary(out)["status"]) == ["ok"] * 3


def test_writing_the_summary_of_200_files_is_cheap(tmp_path: Path) -> None:
    """The cost of one rewrite (:data:`SUMMARY_EVERY_S` apart): ~10 ms for 200 files."""
    import time

    from movement.output import summarise

    rows = []
    manifest = {}
    for k in range(200):
        row = {**summarise(f"f{k}.npy", error="x"), "status": "ok", "n_events": 3, "stem": f"f{k}"}
        rows.append(row)
        manifest[f"f{k}"] = {"status": "ok", "row": row, "source": str(tmp_path / f"f{k}")}
    t = time.perf_counter()
    batch._save_summary(batch._folder_rows(rows, manifest, tmp_path, None), tmp_path, None)
    assert time.perf_counter() - t < 1.0


# -- 7: a subfolder that cannot be searched ------------------------------------------------


def test_a_subfolder_that_cannot_be_searched_is_an_error_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """chmod 000 on a subfolder was a warning, no summary row, exit code 0 (a named folder
    was exit code 1). Both are an error row naming the folder, and exit code 1."""
    study = tmp_path / "study"
    _recordings(study / "x", names=["wrist"])
    _recordings(study / "y", names=["wrist"])
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path) == study / "y":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    out = tmp_path / "out"
    assert _cli(study, "--out", out) == 1
    err = capsys.readouterr().err
    assert f"error  {study / 'y'}: cannot be searched (Permission denied)" in err
    assert "1 of 1 recordings scored, 0 failed" in err
    assert "1 folder(s) could not be searched" in err
    summary = _summary(out)
    assert list(summary["file"]) == [str(study / "x" / "wrist.npy"), str(study / "y")]
    assert list(summary["status"]) == ["ok", "error"]
    assert summary["message"][1] == (
        "cannot be searched (Permission denied); its recordings are left out"
    )
    # the library: the same row
    rows = score_batch([study], tmp_path / "lib", RULES, progress=False)
    assert [(r["file"], r["status"]) for r in rows][1:] == [(str(study / "y"), "error")]


# -- 9: resume checks the outputs ----------------------------------------------------------


@pytest.mark.parametrize("damage", ["json deleted", "tsv emptied", "tsv cut"])
def test_resume_scores_again_a_file_whose_outputs_are_damaged(tmp_path: Path, damage: str) -> None:
    """Resume looked at <stem>_events.tsv only: a deleted events JSON, or a table cut short,
    was skipped as done."""
    (src,) = _recordings(tmp_path / "in", n=1)
    out = tmp_path / "out"
    (first,) = score_batch([src], out, RULES, progress=False)
    assert first["n_events"] == 1
    entry = json.loads((out / "manifest.json").read_text())["files"]["rec0"]
    assert entry["outputs"] == ["rec0_events.tsv", "rec0_events.json"]
    tsv = out / "rec0_events.tsv"
    if damage == "json deleted":
        (out / "rec0_events.json").unlink()
    elif damage == "tsv emptied":
        tsv.write_bytes(b"")
    else:
        tsv.write_text(tsv.read_text().splitlines()[0] + "\n")  # (the header: 0 events)
    (again,) = score_batch([src], out, RULES, progress=False)
    assert not again.get("resumed")
    assert (out / "rec0_events.json").is_file() and len(pd.read_csv(tsv, sep="\t")) == 1


def test_resume_still_skips_a_reviewed_table_and_an_older_manifest(tmp_path: Path) -> None:
    """A reviewer's decisions change the table's bytes, not its rows: still skipped; a
    manifest entry from before outputs were listed resumes as before."""
    (src,) = _recordings(tmp_path / "in", n=1)
    out = tmp_path / "out"
    score_batch([src], out, RULES, progress=False)
    tsv = out / "rec0_events.tsv"
    table = pd.read_csv(tsv, sep="\t", keep_default_na=False)
    table["review_status"] = "accepted"
    table["comment"] = 'looks "real",\nsecond line'  # (quoted, a line break inside)
    table.to_csv(tsv, sep="\t", index=False)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["files"]["rec0"].pop("outputs", None)
    (out / "manifest.json").write_text(json.dumps(manifest))
    (again,) = score_batch([src], out, RULES, progress=False)
    assert again.get("resumed")


# -- 10: one worker death fails one file ---------------------------------------------------


def test_a_broken_pool_scores_the_other_files_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that died broke the pool: the file another worker was scoring failed too
    ("BrokenProcessPool" on both). Each is scored again alone: only the culprit fails."""
    if not sys.platform.startswith("linux"):
        pytest.skip("forked workers (the patched scorer reaches them) are Linux-only")
    import time

    monkeypatch.setenv(WORKER_START_ENV, "fork")
    parent = os.getpid()
    real = batch.score_one

    def dies_in_a_worker(path: Path, *args: object, **kwargs: object) -> dict:
        if os.getpid() != parent:
            if path.stem == "rec0":
                time.sleep(0.3)
                os._exit(3)  # as a worker killed by the kernel for memory
            if path.stem == "rec1":
                time.sleep(1.0)  # (scoring when rec0's worker dies)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(batch, "score_one", dies_in_a_worker)
    paths = _recordings(tmp_path / "in", n=5)
    rows = score_batch(paths, tmp_path / "out", RULES, jobs=3, progress=False)
    assert [r["status"] for r in rows] == ["error", "ok", "ok", "ok", "ok"]
    assert rows[0]["message"].startswith(
        "the worker process scoring this file died, and again when it was scored alone in a "
        "new one (BrokenProcessPool: out of memory"
    )


# -- 11, 14: per-file lines in a pipe; files finished while the batch stops ---------------

_SLOW_SECOND = """
import os, sys, time
from pathlib import Path
import movement.batch as batch
from movement.cli import main

real, parent = batch.score_one, os.getpid()
def slow(path, *args, **kwargs):
    if path.stem == sys.argv[2]:
        time.sleep(float(sys.argv[3]))
    return real(path, *args, **kwargs)
batch.score_one = slow
paths = sorted(str(p) for p in Path(sys.argv[1]).glob("rec*.npy"))
sys.exit(main(["score", *paths, "--out", sys.argv[4], "--model", "rules", *sys.argv[5:]]))
"""


def _run(script: str, *args: object) -> object:
    import subprocess

    env = {
        **os.environ,
        WORKER_START_ENV: "fork",
        "PYTHONPATH": str(Path(batch.__file__).parents[1]),
    }
    return subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_per_file_lines_reach_a_pipe_as_files_finish(tmp_path: Path) -> None:
    """Piped (a cluster's log), stdout got every line at the end of the batch, or never
    after a hard kill."""
    import selectors

    _recordings(tmp_path / "in", n=2)
    proc = _run(_SLOW_SECOND, tmp_path / "in", "rec1", 30, tmp_path / "out")
    try:
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        assert sel.select(timeout=20), "no line while the second file is scored"
        line = proc.stdout.readline()
        assert line.startswith(f"ok     {tmp_path / 'in' / 'rec0.npy'}: 1 events")
    finally:
        proc.kill()
        proc.wait()


def test_a_file_finished_while_the_batch_stops_is_recorded(tmp_path: Path) -> None:
    """SIGTERM to the batch (not its workers): the worker finishes its file, which was on
    disk but reported "not scored" and missing from the manifest."""
    if not sys.platform.startswith("linux"):
        pytest.skip("forked workers are Linux-only")
    import signal
    import time

    script = _SLOW_SECOND.replace(
        "if path.stem == sys.argv[2]:",
        "if os.getpid() != parent:\n        time.sleep(2)\n    if path.stem == sys.argv[2]:",
    )
    _recordings(tmp_path / "in", n=2)
    out = tmp_path / "out"
    # rec0 goes to the worker (2 s), this process scores rec1 (60 s): SIGTERM at 1 s
    proc = _run(script, tmp_path / "in", "rec1", 60, out, "--jobs", "2")
    try:
        deadline = time.monotonic() + 30
        while not (out / "summary.tsv").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 143, stderr
    assert f"ok     {tmp_path / 'in' / 'rec0.npy'}" in stdout
    files = json.loads((out / "manifest.json").read_text())["files"]
    assert files["rec0"]["status"] == "ok" and "rec1" not in files
    assert list(_summary(out)["status"]) == ["ok", "error"]
    assert stderr.rstrip().endswith(
        "movement: terminated (SIGTERM); summary.tsv says which files were scored"
    )


# -- 18: the scheduler checked first; what an interrupt says -------------------------------


def test_a_scheduler_nobody_answers_at_leaves_no_output_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    pytest.importorskip("distributed")
    monkeypatch.setattr(batch, "DASK_WAIT_S", 0.5)
    paths = _recordings(tmp_path / "in", n=1)
    with socket.socket() as s:  # a port nobody listens at
        s.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{s.getsockname()[1]}"
    assert _cli(paths[0], "--out", tmp_path / "out", "-q", "--scheduler", address) == 2
    assert "no Dask scheduler answered" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_sigterm_before_a_summary_does_not_point_at_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from movement.cli import Terminated

    paths = _recordings(tmp_path / "in", n=1)
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.tsv").write_text("an earlier run's\n")

    def terminated(opts: object) -> None:  # (SIGTERM while the batch starts)
        raise Terminated

    monkeypatch.setattr(batch, "say_model_settings", terminated)
    assert _cli(paths[0], "--out", out, "-q") == 143
    assert capsys.readouterr().err == "movement: terminated (SIGTERM)\n"


# -- 21: the final line ---------------------------------------------------------------------


def test_the_final_line_counts_skipped_files_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "165 of 193 recordings scored" counted the files skipped as scored now."""
    paths = _recordings(tmp_path / "in", n=3)
    (tmp_path / "in" / "empty.csv").write_text("")
    out = tmp_path / "out"
    assert _cli(*paths[:2], "--out", out, "-q") == 0
    capsys.readouterr()
    assert _cli(*paths, tmp_path / "in" / "empty.csv", "--out", out, "-q") == 1
    last = capsys.readouterr().err.splitlines()[-1]
    assert last == (
        "1 of 4 recordings scored, 2 already scored (skipped), 1 failed (see summary.tsv); "
        f"results in {out}/"
    )
