"""A batch user's items: one table of every event (``movement collect``), the same
``recording.source`` on Dask as locally, ``--quiet`` on every command, resume that a
same-size edit with its old time put back does not fool, one line on Ctrl-C with a local
Dask cluster, and ``score_batch``'s example."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import movement.batch as batch
from movement.batch import COLLECTED_NAME, ScoreOptions, collect_events, score_batch
from movement.cli import build_parser, main

RULES = ScoreOptions(model="rules")


def _recordings(folder: Path, n: int = 3, spikes: int = 1) -> list[Path]:
    """Short 2 kHz EMG recordings with ``spikes`` spikes each (an event each), with
    sidecars."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(3)
    paths = []
    for i in range(n):
        x = rng.normal(0, 0.01, (20_000, 2))
        for k in range(spikes):
            at = 3_000 + 4_000 * k + 200 * i
            x[at : at + 30, 0] += np.hanning(30) * 0.5
        p = folder / f"rec{i}.npy"
        np.save(p, x)
        p.with_suffix(".json").write_text(
            json.dumps({"SamplingFrequency": 2000, "Modality": "emg"})
        )
        paths.append(p)
    return paths


def _table(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", keep_default_na=False, dtype=str)


def _sidecar(out: Path) -> dict:
    return json.loads((out / f"{COLLECTED_NAME}.json").read_text())


# -- 1: one table of every event ------------------------------------------------------------


def test_collect_after_a_batch_is_every_event_with_its_recording(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No built-in table of all events: a user concatenated the per-file tables by hand,
    losing which recording each event came from. `--collect` writes one, each row naming
    its recording as summary.tsv does, and `movement collect OUT` writes the same bytes."""
    paths = _recordings(tmp_path / "in", n=3, spikes=2)
    out = tmp_path / "out"
    argv = ["score", *map(str, paths), "--out", str(out), "--model", "rules", "-q"]
    assert main([*argv, "--collect"]) == 0
    table = _table(out / "events_all.tsv")
    summary = _table(out / "summary.tsv")
    assert list(table.columns[:2]) == ["file", "stem"]
    assert list(table.columns[-2:]) == ["parameters_hash", "movement_version"]
    assert sorted(set(table["file"])) == sorted(summary["file"])
    assert len(table) == summary["n_events"].astype(int).sum() == 6
    # each recording's rows are its events table's, value for value (same text)
    for stem, part in table.groupby("stem", sort=False):
        own = _table(out / f"{stem}_events.tsv")
        mine = part[own.columns].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, own)
        meta = json.loads((out / f"{stem}_events.json").read_text())
        assert set(part["parameters_hash"]) == {meta["parameters_hash"]}
        assert set(part["movement_version"]) == {meta["movement_version"]}
    side = _sidecar(out)
    assert side["recordings"]["n_in_table"] == 3 and side["recordings"]["n_failed"] == 0
    assert side["recordings"]["n_events"] == 6
    assert side["GeneratedBy"] == [{"Name": "movement", "Version": batch.__version__}]
    # (the column's description, not the version that collected: it was overwritten)
    assert "Description" in side["movement_version"]
    assert side["parameters_hashes"] == sorted(set(table["parameters_hash"]))
    assert "Description" in side["file"] and "Description" in side["onset"]
    # reproducible: collected again on its own, the same bytes
    written = {n: (out / n).read_bytes() for n in ("events_all.tsv", "events_all.json")}
    capsys.readouterr()
    assert main(["collect", str(out)]) == 0
    assert capsys.readouterr().err == f"6 events of 3 recordings in {out / 'events_all.tsv'}\n"
    assert {n: (out / n).read_bytes() for n in written} == written
    assert collect_events(out) == out / "events_all.tsv"
    assert {n: (out / n).read_bytes() for n in written} == written


def test_a_failed_recording_is_counted_not_silently_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = _recordings(tmp_path / "in", n=2)
    bad = tmp_path / "in" / "broken.npy"
    bad.write_bytes(b"not an array")
    out = tmp_path / "out"
    argv = ["score", *map(str, paths), str(bad), "--out", str(out), "--model", "rules", "-q"]
    assert main([*argv, "--collect"]) == 1
    side = _sidecar(out)["recordings"]
    assert (side["n_in_table"], side["n_failed"], side["n_left_out"]) == (2, 1, 0)
    (failed,) = side["failed"]
    assert failed["file"] == str(bad) and failed["message"]
    assert set(_table(out / "events_all.tsv")["stem"]) == {"rec0", "rec1"}
    written = (out / "events_all.json").read_bytes()
    capsys.readouterr()
    # on its own: the summary's failures, the same count, said on the final line
    with pytest.warns(UserWarning, match=r"holds 2 recording\(s\); not in it: 1 failed"):
        collect_events(out)
    assert main(["collect", str(out)]) == 0
    assert capsys.readouterr().err.endswith("; 1 failed (see summary.tsv)\n")
    assert (out / "events_all.json").read_bytes() == written  # (the same, on its own)


def test_collect_takes_the_review_in_the_tables_and_exported_decisions(
    tmp_path: Path,
) -> None:
    """Decision (documented in collect_events): the events tables as reviewers left them,
    statuses spelled as the review module's; a review page's exported decisions in the
    folder applied on top; rejected events kept, marked."""
    paths = _recordings(tmp_path / "in", n=1, spikes=3)
    out = tmp_path / "out"
    score_batch(paths, out, RULES, progress=False)
    tsv = out / "rec0_events.tsv"
    events = _table(tsv)
    assert len(events) == 3
    # a reviewer's edits in place: a spelling of their own, and a relabel
    lines = tsv.read_text().splitlines()
    head = lines[0].split("\t")
    rows = [line.split("\t") for line in lines[1:]]
    rows[0][head.index("review_status")] = "Reject"
    rows[1][head.index("review_status")] = "relabelled"
    rows[1][head.index("trial_type")] = "dystonia-like"
    tsv.write_text("\n".join("\t".join(r) for r in [head, *rows]) + "\n")
    # and a decision exported from the review page, for the third event
    third = events.iloc[2]
    (out / "rec0_decisions.tsv").write_text(
        "onset\tduration\ttrial_type\tchannel\treview_status\treviewer\tcomment\tnew_trial_type\n"
        f"{third['onset']}\t{third['duration']}\t{third['trial_type']}\t{third['channel']}"
        "\taccepted\tAB\tclear MUAP\tn/a\n"
    )
    table = _table(collect_events(out))
    assert list(table["review_status"]) == ["rejected", "relabelled", "accepted"]
    assert list(table["trial_type"]) == [
        events["trial_type"][0],
        "dystonia-like",
        third["trial_type"],
    ]
    assert list(table["reviewer"]) == ["n/a", "n/a", "AB"]
    (entry,) = _sidecar(out)["recordings"]["in_table"]
    assert entry["decisions"] == ["rec0_decisions.tsv"]
    assert "rejected events are kept" in _sidecar(out)["review"]


def test_a_table_that_cannot_be_read_is_left_out_and_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = _recordings(tmp_path / "in", n=2)
    out = tmp_path / "out"
    score_batch(paths, out, RULES, progress=False)
    (out / "rec1_events.tsv").write_text("saved,with,commas\n1,2,3\n")
    assert main(["collect", str(out)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"error  {paths[1]}: not in events_all.tsv (")
    assert err[-1] == f"1 events of 1 recordings in {out / 'events_all.tsv'}; 1 left out"
    side = _sidecar(out)["recordings"]
    assert [r["stem"] for r in side["left_out"]] == ["rec1"] and side["n_in_table"] == 1
    assert "saved,with,commas" not in _table(out / "events_all.tsv").columns


def test_collect_writes_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A disk that fills while the table is written leaves the previous table and its
    sidecar as they were (no half-written table, no temporary file), one line."""
    import errno

    import movement.output as output

    paths = _recordings(tmp_path / "in", n=3)
    out = tmp_path / "out"
    score_batch(paths, out, ScoreOptions(model="rules", collect=True), progress=False)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    real = output.events_to_tsv
    calls = []

    def fills_up(events: pd.DataFrame) -> str:
        calls.append(1)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(events)

    monkeypatch.setattr(output, "events_to_tsv", fills_up)
    (out / "rec0_events.tsv").touch()  # (something to collect again)
    assert main(["collect", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"movement: error: the output folder {out} (--out): cannot write events_all.tsv "
        "(No space left on device)\n"
    )
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before


def test_a_collected_table_is_not_taken_for_a_recording(tmp_path: Path) -> None:
    """Scoring a folder that holds earlier results read events_all.tsv as a table
    recording (its numeric columns as channels)."""
    paths = _recordings(tmp_path / "study", n=1)
    out = tmp_path / "study" / "results"
    score_batch(paths, out, ScoreOptions(model="rules", collect=True), progress=False)
    assert (out / "events_all.tsv").exists()
    assert batch.expand_inputs(tmp_path / "study") == paths
    assert (
        main(["score", str(tmp_path / "study"), "--out", str(out), "-q", "--model", "rules"]) == 0
    )
    assert list(_table(out / "summary.tsv")["file"]) == [str(paths[0])]


def test_collect_refuses_a_folder_that_holds_no_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["collect", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"movement: error: {tmp_path}: no manifest.json: not a folder movement score wrote "
        "results into\n"
    )
    with pytest.raises(FileNotFoundError):
        collect_events(tmp_path / "nowhere")


# -- 2: the same source on Dask as locally --------------------------------------------------


@pytest.fixture(scope="module")
def cluster() -> object:
    distributed = pytest.importorskip("distributed")
    c = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    )  # fmt: skip
    yield c
    c.close()


def test_dask_outputs_name_the_file_as_a_local_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cluster: object
) -> None:
    """A Dask worker is sent the absolute path: its events sidecar said
    recording.source /abs/data/rec0.npy where a local run of the same command says
    data/rec0.npy. Now both say the file as given (as summary.tsv's `file`)."""
    _recordings(tmp_path / "data", n=2)
    monkeypatch.chdir(tmp_path)
    given = ["data/rec0.npy", "data/rec1.npy"]
    opts = ScoreOptions(model="rules", collect=True)
    score_batch(given, "dask", opts, backend="dask", scheduler=cluster.scheduler_address,
                progress=False)  # fmt: skip
    score_batch(given, "local", opts, progress=False)
    for name in ("rec0_events.json", "rec1_events.json", "rec0_events.tsv", "events_all.tsv"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
    side = json.loads((tmp_path / "dask" / "rec0_events.json").read_text())
    assert side["recording"]["source"] == "data/rec0.npy"


# -- 3: --quiet (and --debug) on every command ----------------------------------------------

#: The least each command needs to parse (every command of the parser must be here).
_MINIMAL = {
    "score": ["x.csv"],
    "collect": ["out"],
    "params": [],
    "simulate": ["--modality", "accel", "--out", "sims"],
    "evaluate": ["pred", "truth"],
    "train": [],
    "info": ["x.csv"],
    "convert": ["x.csv", "--out", "conv"],
    "report": ["x.csv"],
    "review": ["apply", "out"],
}


def _commands() -> list[str]:
    sub = next(a for a in build_parser()._actions if hasattr(a, "choices") and a.choices)
    return list(sub.choices)


def test_every_command_is_in_the_quiet_test() -> None:
    assert sorted(_commands()) == sorted(_MINIMAL)


@pytest.mark.parametrize("command", sorted(_MINIMAL))
@pytest.mark.parametrize("where", ["after", "before"])
@pytest.mark.parametrize("flag", ["--quiet", "-q"])
def test_every_command_takes_quiet_and_debug(command: str, where: str, flag: str) -> None:
    """`movement params -q`, `train -q`, `info -q`... were usage errors (exit 2)."""
    parser = build_parser()
    rest = _MINIMAL[command]
    argv = [flag, command, *rest] if where == "before" else [command, *rest, flag, "--debug"]
    args = parser.parse_args(argv)
    assert args.quiet is True
    if where == "after":
        assert args.debug is True
    # and without it: not quiet (main fills in what no parser set)
    plain = parser.parse_args([command, *rest])
    assert getattr(plain, "quiet", False) is False


def test_quiet_silences_per_file_lines_and_keeps_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sims = tmp_path / "sims"
    argv = ["simulate", "--modality", "accel", "--duration", "20", "--n-files", "2"]
    assert main([*argv, "--out", str(sims)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2  # a line per file
    assert main([*argv, "--out", str(tmp_path / "q"), "-q"]) == 0
    said = capsys.readouterr()
    assert said.out == "" and said.err == ""
    assert len(list((tmp_path / "q").glob("*.csv"))) == 2
    assert main(["-q", "params", "--modality", "emg"]) == 0  # its table is its result
    assert capsys.readouterr().out.startswith("emg:\n")


# -- 4: resume is not fooled by a same-size edit with its old time put back ----------------


def _hashes(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files this process reads whole to hash, from now on."""
    read: list[Path] = []
    real = batch._sha256

    def counted(path: Path) -> str:
        if not path.name.endswith(".json"):  # (a sidecar: a few bytes, always)
            read.append(path)
        return real(path)

    monkeypatch.setattr(batch, "_sha256", counted)
    return read


def _edit_keeping_size_and_time(path: Path) -> None:
    st = path.stat()
    data = bytearray(path.read_bytes())
    data[-8:] = np.float64(5.0).tobytes()  # (the last sample: a 5 mV spike)
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns


def test_a_same_size_edit_with_its_old_time_put_back_is_scored_again(tmp_path: Path) -> None:
    """Resume compared size and modification time only: an edit of the same size whose
    modification time was set back (`touch -r`, a de-identification tool) kept the old
    results. Its status-change time moved, so it is read, and its SHA-256 differs."""
    paths = _recordings(tmp_path / "in", n=2)
    out = tmp_path / "out"
    score_batch(paths, out, RULES, progress=False)
    _edit_keeping_size_and_time(paths[0])
    rows = score_batch(paths, out, RULES, progress=False)
    assert [bool(r.get("resumed")) for r in rows] == [False, True]
    entry = json.loads((out / "manifest.json").read_text())["files"]["rec0"]
    assert entry["fingerprint"]["sha256"] == batch._sha256(paths[0])


def test_an_unchanged_file_is_not_read_and_a_touched_one_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _recordings(tmp_path / "in", n=2)
    out = tmp_path / "out"
    read = _hashes(monkeypatch)
    score_batch(paths, out, RULES, progress=False)
    assert sorted(read) == sorted(paths)  # (hashed once each, when scored)
    read.clear()
    rows = score_batch(paths, out, RULES, progress=False)
    assert all(r.get("resumed") for r in rows) and read == []
    os.utime(paths[1])  # touched: same content, new times
    rows = score_batch(paths, out, RULES, progress=False)
    assert all(r.get("resumed") for r in rows) and read == [paths[1]]
    read.clear()
    rows = score_batch(paths, out, RULES, progress=False)  # (its new times recorded)
    assert all(r.get("resumed") for r in rows) and read == []


def test_verify_inputs_reads_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Where the status-change time says nothing (a file system that keeps it, as
    Windows' creation time), --verify-inputs still finds the edit."""
    paths = _recordings(tmp_path / "in", n=2)
    out = tmp_path / "out"
    score_batch(paths, out, RULES, progress=False)
    _edit_keeping_size_and_time(paths[0])
    manifest = json.loads((out / "manifest.json").read_text())  # as such a file system says
    manifest["files"]["rec0"]["fingerprint"]["ctime_ns"] = paths[0].stat().st_ctime_ns
    (out / "manifest.json").write_text(json.dumps(manifest))
    read = _hashes(monkeypatch)
    rows = score_batch(paths, out, RULES, progress=False)
    assert all(r.get("resumed") for r in rows) and read == []  # (what it cannot see)
    argv = ["score", *map(str, paths), "--out", str(out), "--model", "rules", "-q"]
    assert main([*argv, "--verify-inputs"]) == 0
    assert "1 of 2 recordings scored, 1 already scored (skipped)" in capsys.readouterr().err
    assert read[:2] == paths  # (both read; the edited one then hashed again as it is scored)


def test_an_entry_recorded_before_inputs_were_hashed_still_resumes(tmp_path: Path) -> None:
    paths = _recordings(tmp_path / "in", n=1)
    out = tmp_path / "out"
    score_batch(paths, out, RULES, progress=False)
    manifest = json.loads((out / "manifest.json").read_text())
    fp = manifest["files"]["rec0"]["fingerprint"]
    manifest["files"]["rec0"]["fingerprint"] = {
        "size": fp["size"], "mtime_ns": fp["mtime_ns"],
        "sidecar": {k: fp["sidecar"][k] for k in ("size", "mtime_ns")},
    }  # fmt: skip
    (out / "manifest.json").write_text(json.dumps(manifest))
    (row,) = score_batch(paths, out, RULES, progress=False)
    assert row.get("resumed")
    (row,) = score_batch(paths, out, RULES, progress=False, verify_inputs=True)
    assert not row.get("resumed")  # (nothing to verify it by: scored again, and hashed)
    assert (
        "sha256" in json.loads((out / "manifest.json").read_text())["files"]["rec0"]["fingerprint"]
    )


# -- 5: one line on Ctrl-C with a local Dask cluster ---------------------------------------

_SLOW_CLI = """
import sys, time
import movement.batch as batch

_real = batch.score_one


def _slow(path, *args, **kwargs):  # (in the workers too: they import this file)
    time.sleep(60)
    return _real(path, *args, **kwargs)


batch.score_one = _slow
if __name__ == "__main__":
    from movement.cli import main

    sys.exit(main(sys.argv[1:]))
"""


def _dashboard_note(line: str) -> bool:
    """A line of Dask's warning that port 8787 is taken (another cluster on the machine)."""
    return any(
        s in line
        for s in ("Port 8787 is already in use", "Perhaps you already have a cluster",
                  "Hosting the HTTP server on port", "warnings.warn(")
    )  # fmt: skip


def test_ctrl_c_with_a_local_dask_cluster_is_one_line(tmp_path: Path) -> None:
    """Ctrl-C signals the terminal's whole process group: each worker of the local
    cluster printed a KeyboardInterrupt traceback, and the cluster's shutdown a warning
    per task and worker (5 to 69 lines measured), around the batch's line."""
    pytest.importorskip("distributed")
    if not sys.platform.startswith("linux"):
        pytest.skip("process groups and SIGINT as a terminal sends them: POSIX")
    _recordings(tmp_path / "in", n=4)
    script = tmp_path / "slow_cli.py"
    script.write_text(_SLOW_CLI)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, str(script), "score", "in", "--out", "out", "--model", "rules",
         "--backend", "dask", "-j", "2"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # (its own group, as a terminal's job)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not (out / "summary.tsv").exists() and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.1)
        time.sleep(1.0)  # (the workers busy with their files)
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: to every process of the group
        _, stderr = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, stderr
    lines = [line for line in stderr.splitlines() if not _dashboard_note(line)]
    assert lines == ["movement: interrupted; summary.tsv says which files were scored"], stderr
    # the workers are gone with it
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("worker processes outlived the interrupted batch")
    summary = _table(out / "summary.tsv")
    assert summary["message"].str.startswith("not scored: the batch was interrupted").all()


# -- 6: score_batch's example runs ----------------------------------------------------------


def test_score_batch_has_a_runnable_example() -> None:
    import doctest

    finder = doctest.DocTestFinder()
    (test,) = [t for t in finder.find(batch) if t.name == "movement.batch.score_batch"]
    assert len(test.examples) >= 4
    result = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS).run(test)
    assert result.failed == 0 and result.attempted == len(test.examples)


@pytest.mark.parametrize("quiet", [False, True])
def test_train_quiet_turns_its_progress_lines_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quiet: bool
) -> None:
    # `train -q` was accepted but still printed its per-modality progress lines
    from movement import train as train_mod

    seen: dict[str, object] = {}

    def fake_train(*args: object, **kwargs: object) -> dict:
        seen["progress"] = kwargs["progress"]
        raise SystemExit(0)  # (the training itself is not what is tested)

    monkeypatch.setattr(train_mod, "train", fake_train)
    argv = ["train", "--modality", "accel", "--out", str(tmp_path / "m.joblib")]
    with pytest.raises(SystemExit):
        main([*argv, "-q"] if quiet else argv)
    assert seen["progress"] is (not quiet)
