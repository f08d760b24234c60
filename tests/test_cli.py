"""The command line: help, exit codes, one-line errors, batch summaries, whole-or-nothing outputs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import (
    BAD_CASES,
    DATA_DIR,
    REPO,
    SPIKE_ONSET_TOL_S,
    accel_rest,
    emg_noise,
    make_bad_files,
    muap,
)

import movement
from movement import _atomic, output
from movement.cli import main
from movement.errors import RecordingError
from movement.export import read_bids_events
from movement.io import find_recordings


def _good_accel(folder: Path, name: str = "wrist.csv", seconds: float = 30.0) -> Path:
    rng = np.random.default_rng(1)
    fs = 50.0
    x = accel_rest(rng, fs, seconds)
    t = np.arange(len(x)) / fs
    bout = (t >= 10) & (t < 16)
    x[bout, 0] += 0.05 * np.sin(2 * np.pi * 5.0 * t[bout])
    p = folder / name
    p.parent.mkdir(parents=True, exist_ok=True)
    np.savetxt(
        p, np.column_stack([t, x]), delimiter=",", header="time,x,y,z", comments="", fmt="%.5f"
    )
    return p


def _good_emg(folder: Path, name: str = "arm.npz") -> Path:
    rng = np.random.default_rng(2)
    fs = 1000.0
    x = emg_noise(rng, fs, 10.0, k=2)
    x[4000:4015, 0] += muap(fs, 0.015, 0.5)
    p = folder / name
    np.savez(p, data=x, fs=fs, modality="emg", channels=np.array(["flexor", "extensor"]))
    return p


def _summary(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "summary.tsv", sep="\t", na_values="n/a", keep_default_na=False)


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "movement", *args],
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        timeout=120,
    )


# -- help and usage -------------------------------------------------------------------------


def test_python_dash_m_movement_help() -> None:
    r = _run("--help")
    assert r.returncode == 0
    assert "score" in r.stdout and "not a diagnostic device" in r.stdout


def test_console_script_score_help() -> None:
    exe = shutil.which("movement")
    if exe is None:
        pytest.skip("the movement console script is not on PATH")
    r = subprocess.run([exe, "score", "--help"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0
    for opt in ("--out", "--fs", "--modality", "--channels", "--set", "--jobs"):
        assert opt in r.stdout


def test_in_process_help_and_version(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["score", "--help"])
    assert info.value.code == 0
    assert "summary.tsv" in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert movement.__version__ in capsys.readouterr().out


def test_no_command_prints_help_and_is_a_usage_error(capsys) -> None:
    assert main([]) == 2
    assert "usage: movement" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["score", "missing.csv"], "missing.csv: no such file or folder"),
        (["score", "{tmp}", "--set", "emg.bogus=1"], "unknown emg parameter(s): bogus"),
        (["score", "{tmp}", "--set", "k_on"], "--set expects NAME=VALUE"),
        (["score", "{tmp}/empty_folder"], "no recordings found"),
        (["score", "{tmp}", "--config", "{tmp}/none.toml"], "cannot read config file"),
        (["score", "{tmp}", "--fs", "0"], "--fs must be a positive number of Hz, got 0"),
        (["score", "{tmp}", "--fs", "nan"], "--fs must be a positive number of Hz, got nan"),
        (["score", "{tmp}", "--jobs", "0"], "--jobs must be 1 or more, or -1 for all cores"),
        (["score", "{tmp}", "--model", "{tmp}/none.joblib"], "no such model file"),
        (
            ["score", "{tmp}", "--out", "{tmp}/wrist.csv"],
            "wrist.csv (--out) is a file, not a folder",
        ),
        (
            ["score", "{tmp}", "--backend", "loky", "--scheduler", "tcp://127.0.0.1:1"],
            "--scheduler is the address of a Dask cluster: use --backend dask",
        ),
    ],
)
def test_usage_errors_exit_2_with_one_line(tmp_path, capsys, args, fragment) -> None:
    (tmp_path / "empty_folder").mkdir()
    _good_accel(tmp_path)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "--out" not in argv:
        argv += ["--out", str(tmp_path / "o")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err
    assert err.count("\n") == 1 and err.startswith("movement: error: ")


@pytest.mark.parametrize("args", [["score"], ["score", "x.csv", "--fs", "fast"], ["frobnicate"]])
def test_argparse_usage_errors_exit_2(args) -> None:
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2


# -- scoring, outputs ---------------------------------------------------------------------------


def test_all_scored_exits_0_and_writes_bids_outputs(tmp_path, capsys) -> None:
    acc = _good_accel(tmp_path / "in")
    emg = _good_emg(tmp_path / "in")
    out = tmp_path / "out"
    assert main(["score", str(tmp_path / "in"), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "2 of 2 recordings scored" in captured.err
    summary = _summary(out)
    assert summary["file"].tolist() == [str(emg), str(acc)]  # sorted input order
    assert (summary["status"] == "ok").all()
    assert summary["modality"].tolist() == ["emg", "accel"]
    assert summary["n_fasciculation"].tolist()[0] == 1
    for stem in ("arm", "wrist"):
        tsv = (out / f"{stem}_events.tsv").read_text()
        assert tsv.splitlines()[0].startswith("onset\tduration\ttrial_type\tprobability")
        side = json.loads((out / f"{stem}_events.json").read_text())
        header = tsv.splitlines()[0].split("\t")
        assert set(header) <= set(side)  # every column described
        assert side["movement_version"] == movement.__version__
        assert len(side["parameters_hash"]) == 16
    emg_events = pd.read_csv(out / "arm_events.tsv", sep="\t")
    assert emg_events["trial_type"].tolist() == ["fasciculation-like"]
    assert emg_events["onset"].iloc[0] == pytest.approx(4.0, abs=SPIKE_ONSET_TOL_S)
    assert emg_events["channel"].iloc[0] == "flexor"
    raw = pd.read_csv(out / "arm_events.tsv", sep="\t", keep_default_na=False, dtype=str)
    assert raw.loc[0, "review_status"] == "n/a"  # BIDS: n/a until a person reviews
    assert not list(out.glob(".*.tmp"))


@pytest.mark.parametrize("case", BAD_CASES)
def test_each_bad_file_is_one_line_and_a_summary_row(tmp_path, capsys, case) -> None:
    bad, fragment = make_bad_files(tmp_path)[case]
    good = _good_accel(tmp_path)
    out = tmp_path / "out"
    rc = main(["score", str(bad), str(good), "--out", str(out), "-q"])
    err = capsys.readouterr().err
    assert rc == 1  # some inputs failed, the others were scored
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.startswith("error")]
    assert lines == [f"error  {bad}: {lines[0].split(': ', 1)[1]}"]
    assert fragment in lines[0]
    summary = _summary(out)
    rows = summary.set_index("file")
    assert rows.loc[str(bad), "status"] == "error"
    assert fragment in rows.loc[str(bad), "message"]
    assert str(bad) not in rows.loc[str(bad), "message"]  # named once, in the file column
    assert rows.loc[str(good), "status"] == "ok"
    assert (out / "wrist_events.tsv").exists()
    assert not list(out.glob(f"{bad.name.split('.')[0]}_events.*"))


def test_batch_of_many_bad_and_one_good_file(tmp_path, capsys) -> None:
    bad = make_bad_files(tmp_path / "in")
    good = _good_accel(tmp_path / "in")
    out = tmp_path / "out"
    rc = main(["score", str(tmp_path / "in"), "--out", str(out), "-q"])
    err = capsys.readouterr().err
    assert rc == 1
    summary = _summary(out)
    scanned = {str(p) for p, _ in bad.values() if p.suffix != ".xyz"} | {str(good)}
    assert set(summary["file"]) == scanned  # r.xyz is not a recording type: not picked up
    assert (summary["status"] == "ok").sum() == 1
    n_err = len(scanned) - 1
    assert sum(ln.startswith("error  ") for ln in err.splitlines()) == n_err
    assert f"1 of {n_err + 1} recordings scored" in err and "Traceback" not in err


def test_debug_shows_the_traceback(tmp_path) -> None:
    bad = make_bad_files(tmp_path)["empty"][0]
    with pytest.raises(RecordingError, match="empty"):
        main(["--debug", "score", str(bad), "--out", str(tmp_path / "o"), "-q"])
    r = _run("--debug", "score", str(bad), "--out", str(tmp_path / "o2"), "-q")
    assert r.returncode != 0 and "Traceback" in r.stderr
    r = _run("score", str(bad), "--out", str(tmp_path / "o3"), "-q")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert f"error  {bad}: the file is empty" in r.stderr


def test_debug_after_the_command_and_os_errors_are_one_line(tmp_path, capsys) -> None:
    bad = make_bad_files(tmp_path)["empty"][0]
    with pytest.raises(RecordingError, match="empty"):
        main(["score", str(bad), "--out", str(tmp_path / "o"), "-q", "--debug"])
    good = _good_accel(tmp_path / "in")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    # the output folder cannot be made: one line, no traceback (the report command too)
    assert main(["score", str(good), "--out", str(blocker / "sub"), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot create it (Not a directory)" in err


def test_a_missing_file_among_others_fails_alone(tmp_path, capsys) -> None:
    good = _good_accel(tmp_path / "in")
    out = tmp_path / "out"
    assert main(["score", str(good), str(tmp_path / "gone.csv"), "--out", str(out), "-q"]) == 1
    err = capsys.readouterr().err
    assert f"error  {tmp_path / 'gone.csv'}: no such file" in err
    assert "1 of 2 recordings scored" in err and "Traceback" not in err
    assert (out / "wrist_events.tsv").exists()


def test_model_names_in_any_case(tmp_path) -> None:
    good = _good_accel(tmp_path / "in")
    assert main(["score", str(good), "--model", "Rules", "--out", str(tmp_path / "o"), "-q"]) == 0
    js = json.loads((tmp_path / "o" / "wrist_events.json").read_text())
    assert str(js["model"]).startswith("rules")


def test_resumed_files_say_so_and_a_page_asked_later_is_drawn(tmp_path, capsys) -> None:
    pytest.importorskip("matplotlib")
    good = _good_accel(tmp_path / "in")
    out = tmp_path / "out"
    assert main(["score", str(good), "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["score", str(good), "--out", str(out)]) == 0
    assert "skip   " in capsys.readouterr().out  # not "ok": nothing was scored
    assert main(["score", str(good), "--out", str(out), "--report"]) == 0
    assert "ok     " in capsys.readouterr().out
    assert (out / "wrist_report.html").exists()


def test_scoring_again_keeps_a_review_filled_into_the_events_table(tmp_path, capsys) -> None:
    """`score --report` for a missing page (or --no-resume, other settings) rewrote an
    events table a reviewer had filled in, with no warning: the review was lost. The old
    table is kept, and its decisions go to the new events that are the same events."""
    out = tmp_path / "out"
    src = DATA_DIR / "sim_wrist_accel.csv"
    assert main(["score", str(src), "--out", str(out)]) == 0
    tsv = out / "sim_wrist_accel_events.tsv"
    ev = pd.read_csv(tsv, sep="\t", dtype=str, keep_default_na=False)
    assert len(ev) >= 2
    ev.loc[0, ["review_status", "reviewer", "comment"]] = ["accepted", "AB", "clear"]
    ev.loc[1, ["comment"]] = ["note only"]
    ev.to_csv(tsv, sep="\t", index=False)
    before = tsv.read_bytes()
    capsys.readouterr()
    assert main(["score", str(src), "--out", str(out), "--no-resume"]) == 0
    said = capsys.readouterr()
    assert "carried over to the new events: 2 of 2 decision(s)" in said.out + said.err
    assert (out / "sim_wrist_accel_events_reviewed-1.tsv").read_bytes() == before
    again = read_bids_events(tsv)
    assert again.loc[0, ["review_status", "reviewer", "comment"]].tolist() == [
        "accepted",
        "AB",
        "clear",
    ]
    assert again.loc[1, "comment"] == "note only" and again.loc[1, "review_status"] is None
    # with other settings, an event that changed keeps no decision (but the table is kept)
    assert main(["score", str(src), "--out", str(out), "--set", "accel.merge_gap_s=3"]) == 0
    assert (out / "sim_wrist_accel_events_reviewed-2.tsv").exists()
    # a table without a review is replaced without a copy
    assert main(["score", str(src), "--out", str(out), "--no-resume", "--model", "rules"]) == 0
    capsys.readouterr()
    plain = out / "plain"
    assert main(["score", str(src), "--out", str(plain)]) == 0
    assert main(["score", str(src), "--out", str(plain), "--no-resume"]) == 0
    assert "carried over" not in "".join(capsys.readouterr())
    assert not list(plain.glob("*_reviewed-*.tsv"))


def test_results_of_another_version_are_scored_again(tmp_path, capsys, monkeypatch) -> None:
    """A version that changes results (0.1.0 -> 0.2.0) must not resume the old results."""
    import movement.batch as batch

    good = _good_accel(tmp_path / "in")
    out = tmp_path / "out"
    monkeypatch.setattr(batch, "__version__", "0.0.1-older")
    assert main(["score", str(good), "--out", str(out)]) == 0
    monkeypatch.undo()
    capsys.readouterr()
    assert main(["score", str(good), "--out", str(out)]) == 0
    assert "ok     " in capsys.readouterr().out  # scored again, not "skip"
    assert main(["score", str(good), "--out", str(out)]) == 0
    assert "skip   " in capsys.readouterr().out


def test_two_folders_scored_one_after_the_other_into_one_out(tmp_path) -> None:
    """sub-01/wrist.csv, then sub-02/wrist.csv into the same --out: the second once
    overwrote the first's events; now it takes a name of its own, and both stay."""
    a = _good_accel(tmp_path / "sub-01", "wrist.csv")
    b = _good_accel(tmp_path / "sub-02", "wrist.csv", seconds=40.0)
    out = tmp_path / "out"
    assert main(["score", str(tmp_path / "sub-01"), "--out", str(out), "-q"]) == 0
    first = (out / "wrist_events.tsv").read_bytes()
    assert main(["score", str(tmp_path / "sub-02"), "--out", str(out), "-q"]) == 0
    assert (out / "wrist_events.tsv").read_bytes() == first
    assert (out / "sub-02_wrist_events.tsv").exists()
    files = json.loads((out / "manifest.json").read_text())["files"]
    assert files["wrist"]["source"] == str(a.resolve())
    assert files["sub-02_wrist"]["source"] == str(b.resolve())
    # and both again: each keeps its name (nothing re-scored)
    mtime = (out / "sub-02_wrist_events.tsv").stat().st_mtime_ns
    assert (
        main(["score", str(tmp_path / "sub-01"), str(tmp_path / "sub-02"), "--out", str(out), "-q"])
        == 0
    )
    assert (out / "sub-02_wrist_events.tsv").stat().st_mtime_ns == mtime
    assert sorted(p.name for p in out.glob("*_events.tsv")) == [
        "sub-02_wrist_events.tsv",
        "wrist_events.tsv",
    ]


def test_a_shard_never_overwrites_another_files_results(tmp_path, capsys) -> None:
    a = _good_accel(tmp_path / "sub-01", "wrist.csv")
    b = _good_accel(tmp_path / "sub-02", "wrist.csv")
    out = tmp_path / "out"
    assert main(["score", str(a), "--out", str(out), "-q"]) == 0
    before = (out / "wrist_events.tsv").read_bytes()
    # a shard takes the names the whole-study manifest gives: sub-02's file another one
    assert main(["score", str(b), "--out", str(out), "--shard", "1/1", "-q"]) == 0
    assert (out / "wrist_events.tsv").read_bytes() == before
    assert (out / "sub-02_wrist_events.tsv").exists()
    # a name another array job's shard holds: refused, not overwritten
    other = tmp_path / "other"
    assert main(["score", str(a), "--out", str(other), "--shard", "1/2", "-q"]) == 0
    before = (other / "wrist_events.tsv").read_bytes()
    capsys.readouterr()
    assert main(["score", str(b), "--out", str(other), "--shard", "1/2", "-q"]) == 1
    err = capsys.readouterr().err
    assert "its output name wrist holds the results of" in err and str(a.resolve()) in err
    assert (other / "wrist_events.tsv").read_bytes() == before


def test_outputs_are_written_whole_or_not_at_all(tmp_path, monkeypatch) -> None:
    good = _good_accel(tmp_path / "in")
    out = tmp_path / "out"
    assert main(["score", str(good), "--out", str(out), "-q"]) == 0
    before = (out / "wrist_events.tsv").read_bytes()

    real_replace = _atomic.os.replace

    def failing_replace(src, dst):
        if str(dst).endswith("_events.tsv"):  # the disk fills up while writing the events
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(_atomic.os, "replace", failing_replace)
    rc = main(["score", str(good), "--out", str(out), "-q", "--no-resume", "--set", "accel.k_on=5"])
    assert rc == 1
    assert "No space left on device" in _summary(out).loc[0, "message"]
    # the old complete file is untouched and no partial temporary file is left behind
    assert (out / "wrist_events.tsv").read_bytes() == before
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


def test_failed_write_of_a_new_output_leaves_nothing(tmp_path, monkeypatch) -> None:
    def failing_replace(src, dst):
        raise OSError(28, "No space left on device")

    target = tmp_path / "out" / "x_events.tsv"
    monkeypatch.setattr(_atomic.os, "replace", failing_replace)
    with pytest.raises(OSError):
        output.atomic_write(target, "onset\tduration\n1\t2\n")
    assert not target.exists()
    assert list((tmp_path / "out").iterdir()) == []


def test_same_stem_in_two_folders_gets_two_outputs(tmp_path) -> None:
    a = _good_accel(tmp_path / "in" / "left", "wrist.csv")
    b = _good_accel(tmp_path / "in" / "right", "wrist.csv")
    out = tmp_path / "out"
    assert main(["score", str(a), str(b), "--out", str(out), "-q"]) == 0
    names = sorted(p.name for p in out.glob("*_events.tsv"))
    assert names == ["left_wrist_events.tsv", "right_wrist_events.tsv"]


def test_parallel_jobs_give_the_same_summary(tmp_path) -> None:
    inputs = [_good_accel(tmp_path / "in", f"w{i}.csv", seconds=20.0) for i in range(3)]
    args = ["score", *map(str, inputs), "-q", "--no-resume"]
    assert main([*args, "--out", str(tmp_path / "o1")]) == 0
    assert main([*args, "--out", str(tmp_path / "o2"), "--jobs", "2"]) == 0
    pd.testing.assert_frame_equal(_summary(tmp_path / "o1"), _summary(tmp_path / "o2"))


def test_rerun_resumes_and_reuses_results(tmp_path) -> None:
    good = _good_accel(tmp_path / "in")
    out = tmp_path / "out"
    assert main(["score", str(good), "--out", str(out), "-q"]) == 0
    mtime = (out / "wrist_events.tsv").stat().st_mtime_ns
    assert main(["score", str(good), "--out", str(out), "-q"]) == 0
    assert (out / "wrist_events.tsv").stat().st_mtime_ns == mtime
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["files"]["wrist"]["status"] == "ok"


# -- the sample recordings in data/ ------------------------------------------------------------


def _data_recordings() -> list[Path]:
    if not DATA_DIR.is_dir():
        return []
    return find_recordings([DATA_DIR])


def test_sample_recordings_in_data_are_all_scored(tmp_path, capsys) -> None:
    recs = _data_recordings()
    if not recs:
        pytest.skip("data/ has no sample recordings yet")
    out = tmp_path / "out"
    rc = main(["score", str(DATA_DIR), "--out", str(out), "-q", "--jobs", "2"])
    summary = _summary(out)
    assert rc == 0, summary.loc[summary["status"] != "ok", ["file", "message"]].to_string()
    assert sorted(summary["file"]) == sorted(map(str, recs))
    for stem in summary["file"].map(lambda f: Path(f).name.split(".")[0]):
        assert any(out.glob(f"*{stem}_events.tsv"))


def test_params_lists_sources_and_round_trips_through_a_toml_config(tmp_path, capsys) -> None:
    assert main(["params", "--modality", "emg"]) == 0
    table = capsys.readouterr().out
    assert "band_low_hz" in table and "Drake & Callaghan 2006" in table
    assert main(["params", "--toml", "--set", "accel.k_on=5"]) == 0
    toml = tmp_path / "thresholds.toml"
    toml.write_text(capsys.readouterr().out)
    from movement.config import AccelConfig, EMGConfig, load_settings

    settings = load_settings(toml)
    assert settings.accel == AccelConfig(k_on=5.0)
    assert settings.emg == EMGConfig()


def test_reader_warnings_are_one_line_and_kept_in_the_summary(tmp_path, capsys) -> None:
    """A file with irregular timestamps is scored; the resampling warning is one line and a summary note."""
    t = np.cumsum(np.r_[0.0, np.full(1999, 0.01)])
    t[1000:] += 0.5  # a 0.5 s hole: resampled onto a uniform grid, the hole becomes a gap
    x = np.c_[t, np.zeros((2000, 2)), np.ones(2000)]
    path = tmp_path / "holey.csv"
    np.savetxt(path, x, delimiter=",", header="time,x,y,z", comments="")
    out = tmp_path / "out"
    assert main(["score", str(path), "--out", str(out), "-q"]) == 0
    err = capsys.readouterr().err
    assert [line for line in err.splitlines() if line.startswith("warning")] == [
        line for line in err.splitlines() if "resampled" in line
    ]
    summary = pd.read_csv(out / "summary.tsv", sep="\t")
    assert summary.loc[0, "status"] == "ok" and "resampled" in summary.loc[0, "message"]


def test_same_input_same_output_bytes(tmp_path) -> None:
    """Two runs on the same sample data write byte-identical events tables and sidecars."""
    data = Path(__file__).resolve().parents[1] / "data"
    if not (data / "sim_forearm_emg.npy").exists():
        pytest.skip("no sample data")
    outs = []
    for k in (1, 2):
        out = tmp_path / f"run{k}"
        assert (
            main(
                [
                    "score",
                    str(data / "sim_forearm_emg.npy"),
                    str(data / "sim_wrist_accel.csv"),
                    "--out",
                    str(out),
                    "-q",
                ]
            )
            == 0
        )
        outs.append(out)
    for name in (
        "sim_forearm_emg_events.tsv",
        "sim_forearm_emg_events.json",
        "sim_wrist_accel_events.tsv",
        "sim_wrist_accel_events.json",
    ):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    side = json.loads((outs[0] / "sim_wrist_accel_events.json").read_text())
    assert side["movement_version"] and len(side["parameters_hash"]) == 16


def test_ecg_removal_is_a_setting(tmp_path, capsys) -> None:
    """emg.ecg_removal: from --set text and through a TOML config file."""
    from movement.config import EMGConfig, Settings, load_settings

    assert Settings().with_overrides(["emg.ecg_removal=false"]).emg == EMGConfig(ecg_removal=False)
    assert main(["params", "--toml", "--set", "emg.ecg_removal=off"]) == 0
    toml = tmp_path / "thresholds.toml"
    toml.write_text(capsys.readouterr().out)
    assert load_settings(toml).emg.ecg_removal is False


def test_a_recording_with_a_long_gap_is_scored_in_pieces(tmp_path) -> None:
    # 60 s, the device off for 2 minutes, 60 s more; a 5 Hz bout in each part
    rng = np.random.default_rng(3)
    fs = 50.0
    x = accel_rest(rng, fs, 120.0)
    t = np.concatenate([np.arange(3000), np.arange(3000) + 9000]) / fs
    for lo in (20.0, 200.0):  # (s, on the recording's clock)
        bout = (t >= lo) & (t < lo + 6)
        x[bout, 0] += 0.05 * np.sin(2 * np.pi * 5.0 * t[bout])
    p = tmp_path / "in" / "gap.csv"
    p.parent.mkdir()
    np.savetxt(p, np.column_stack([t, x]), delimiter=",", header="time,x,y,z", comments="")
    out = tmp_path / "out"
    assert main(["score", str(p), "--out", str(out), "-q"]) == 0
    row = _summary(out).iloc[0]
    assert row["status"] == "ok" and "resampled" in row["message"]
    assert row["duration_s"] == pytest.approx(240.0, abs=0.05)
    assert row["recorded_s"] == pytest.approx(120.0, abs=0.1)
    n = row["n_events"]
    rates = sum(row[f"rate_per_min_{k}"] for k in ("fasciculation", "dystonia", "other"))
    assert rates == pytest.approx(n / 2.0, rel=1e-3)  # per minute recorded
    ev = pd.read_csv(out / "gap_events.tsv", sep="\t")
    on, off = ev["onset"], ev["onset"] + ev["duration"]
    assert not ((off > 60.0) & (on < 180.0)).any()  # nothing in the hole
    assert ((on < 27) & (off > 20)).any() and ((on < 207) & (off > 200)).any()
    side = json.loads((out / "gap_events.json").read_text())
    assert side["recording"]["recorded_s"] == pytest.approx(120.0, abs=0.1)
    assert "2 piece(s)" in side["recording"]["reader_notes"]["gaps"]


def test_report_from_events_reads_the_file_as_it_was_scored(tmp_path, capsys) -> None:
    """`movement report FILE --events DIR` once drew every column of the file (a label
    column too) whatever `--channels` had scored, and could not find events that the
    batch had renamed; now it reads the channels (and a given rate/modality) stored
    with the events, finds them through the manifest, and refuses a different reading."""
    pytest.importorskip("matplotlib")
    src = _good_accel(tmp_path / "a", "wrist.csv")
    table = pd.read_csv(src)
    table["label"] = 1.0
    for sub in ("sub-01", "sub-02"):
        (tmp_path / sub).mkdir()
        table.to_csv(tmp_path / sub / "wrist.csv", index=False)
    out = tmp_path / "out"
    for sub in ("sub-01", "sub-02"):
        argv = ["score", str(tmp_path / sub), "--channels", "x,y,z", "--out", str(out), "-q"]
        assert main(argv) == 0
    capsys.readouterr()
    target = tmp_path / "sub-02" / "wrist.csv"
    assert main(["report", str(target), "--events", str(out), "-q"]) == 0
    assert (out / "sub-02_wrist_report.html").exists()
    page = (out / "sub-02_wrist_report.html").read_text()
    assert "Channels</dt><dd>x, y, z (g)</dd>" in page
    argv = ["report", str(target), "--events", str(out), "--channels", "x,y,z,label"]
    assert main([*argv, "--modality", "accel"]) == 1
    err = capsys.readouterr().err
    assert "scored on channels x, y, z; read now with x, y, z, label" in err


def test_no_resume_keeps_the_folders_other_results(tmp_path) -> None:
    """`--no-resume` on one file once emptied the manifest of the folder's other files, and a
    later batch then wrote a different recording's events over one of them."""
    for i in range(2):
        _good_accel(tmp_path / "study", f"rec{i}.csv")
    other = _good_accel(tmp_path / "other", "rec1.csv", seconds=40.0)
    out = tmp_path / "out"
    assert main(["score", str(tmp_path / "study"), "--out", str(out), "-q"]) == 0
    kept = (out / "rec1_events.tsv").read_bytes()
    argv = ["score", str(tmp_path / "study" / "rec0.csv"), "--out", str(out), "-q", "--no-resume"]
    assert main(argv) == 0
    assert len(json.loads((out / "manifest.json").read_text())["files"]) == 2
    assert main(["score", str(other), "--out", str(out), "-q"]) == 0
    assert (out / "rec1_events.tsv").read_bytes() == kept
    assert (out / "other_rec1_events.tsv").exists()
    # the summary lists every recording whose results the folder holds
    assert sorted(_summary(out)["file"].map(lambda f: Path(f).name)) == [
        "rec0.csv",
        "rec1.csv",
        "rec1.csv",
    ]


def test_an_interrupted_batch_leaves_a_summary_of_what_was_scored(
    tmp_path, monkeypatch, capsys
) -> None:
    import movement.batch as batch

    inputs = [_good_accel(tmp_path / "in", f"w{i}.csv", seconds=20.0) for i in range(4)]
    out = tmp_path / "out"
    # w3 is new in the second run: the folder holds no results of it
    assert main(["score", *map(str, inputs[:3]), "--out", str(out), "-q"]) == 0
    before = (out / "w1_events.tsv").read_bytes()
    real = batch.score_one
    calls = []

    def stop_on_second(path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(path, *args, **kwargs)

    monkeypatch.setattr(batch, "score_one", stop_on_second)
    assert main(["score", *map(str, inputs), "--out", str(out), "--no-resume"]) == 130
    said = capsys.readouterr()
    assert "summary.tsv says which files were scored" in said.err
    # the file finished before Ctrl-C has its line (they were printed at the batch's end)
    assert said.out.startswith(f"ok     {inputs[0]}: ") and len(said.out.splitlines()) == 1
    summary = _summary(out).set_index(_summary(out)["file"].map(lambda f: Path(f).name))
    assert len(summary) == 4
    assert summary.loc["w0.csv", "status"] == "ok"
    assert not summary.loc["w0.csv", "message"]
    # not reached: the earlier run's results are still in the folder, and the summary
    # lists them as such (they were called "not scored" while their tables were there)
    for name in ("w1.csv", "w2.csv"):
        assert summary.loc[name, "status"] == "ok"
        assert summary.loc[name, "message"].startswith("earlier results, not scored again")
        assert summary.loc[name, "n_events"] >= 0
    assert (out / "w1_events.tsv").read_bytes() == before
    assert summary.loc["w3.csv", "status"] == "error"
    assert "not scored: the batch was interrupted" in summary.loc["w3.csv", "message"]


def test_a_shell_glob_that_names_sidecars_scores_the_recordings_only(tmp_path, capsys) -> None:
    src = DATA_DIR / "sim_wrist_accel.csv"
    shutil.copy(src, tmp_path / "acc.csv")
    shutil.copy(src.with_suffix(".json"), tmp_path / "acc.json")
    out = tmp_path / "out"
    # what `movement score acc*` passes after the shell expands it
    assert (
        main(
            [
                "score",
                str(tmp_path / "acc.csv"),
                str(tmp_path / "acc.json"),
                "--out",
                str(out),
                "-q",
            ]
        )
        == 0
    )
    assert (out / "acc_events.tsv").exists() and len(_summary(out)) == 1


def test_a_source_tree_stamps_its_own_version(tmp_path) -> None:
    """Code imported from a checkout ahead of an installed copy (PYTHONPATH) reports the
    checkout's version, not the installed one's (results carry it; batches resume by it)."""
    import os
    import shutil
    import subprocess
    import sys

    root = Path(movement.__file__).resolve().parent
    shutil.copytree(root, tmp_path / "movement", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "movement"\nversion = "9.9.9"\n')

    def stamped() -> str:
        return subprocess.run(
            [sys.executable, "-c", "import movement; print(movement.__version__)"],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(tmp_path)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    assert stamped() == "9.9.9"
    # with the stale metadata a build leaves in the checkout (movement.egg-info, found
    # first from the checkout): the version was the one of the last build, not the code's
    egg = tmp_path / "movement.egg-info"
    egg.mkdir()
    (egg / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: movement\nVersion: 0.0.1\n")
    (egg / "top_level.txt").write_text("movement\n")
    assert stamped() == "9.9.9"


def test_a_review_that_cannot_all_be_read_is_kept_and_said(tmp_path, capsys) -> None:
    """A reviewed table saved with ';' was replaced without a copy (read as one column: "no
    review"); one bad status dropped every decision with a warning that hid why; each
    re-score copied the same table again; the summary counted the reviewer's relabels."""
    out = tmp_path / "out"
    src = DATA_DIR / "sim_wrist_accel.csv"
    assert main(["score", str(src), "--out", str(out)]) == 0
    tsv = out / "sim_wrist_accel_events.tsv"
    ev = pd.read_csv(tsv, sep="\t", dtype=str, keep_default_na=False)
    first_label = ev.loc[0, "trial_type"]
    ev.loc[0, ["review_status", "trial_type"]] = [
        "relabelled",
        "dystonia-like" if first_label != "dystonia-like" else "other",
    ]
    ev.loc[1, "review_status"] = "maybe"  # not a status: left out, the others carried
    ev.loc[2, "review_status"] = "rejected"
    ev.to_csv(tsv, sep="\t", index=False)
    capsys.readouterr()
    assert main(["score", str(src), "--out", str(out), "--no-resume"]) == 0
    said = "".join(capsys.readouterr())
    assert "carried over to the new events: 2 of 3 decision(s)" in said
    assert "row 2: review_status 'maybe'" in said
    summary = pd.read_csv(out / "summary.tsv", sep="\t")
    fresh = movement.score(movement.read(src))
    assert int(summary.loc[0, "n_events"]) == len(fresh)
    n_d = int((fresh["trial_type"] == "dystonia-like").sum())
    assert int(summary.loc[0, "n_dystonia"]) == n_d  # the model's, not the relabel
    assert main(["score", str(src), "--out", str(out), "--no-resume"]) == 0
    assert sorted(p.name for p in out.glob("*_reviewed-*.tsv")) == [
        "sim_wrist_accel_events_reviewed-1.tsv",
        "sim_wrist_accel_events_reviewed-2.tsv",
    ]  # (the second copy is the carried-over table; a third run adds none)
    assert main(["score", str(src), "--out", str(out), "--no-resume"]) == 0
    assert len(list(out.glob("*_reviewed-*.tsv"))) == 2
    # saved with ';': not read as a review, but kept, and said why
    semi = pd.read_csv(tsv, sep="\t", dtype=str, keep_default_na=False)
    semi.to_csv(tsv, sep=";", index=False)
    capsys.readouterr()
    assert main(["score", str(src), "--out", str(out), "--no-resume"]) == 0
    said = "".join(capsys.readouterr())
    assert "could not be read as an events table (not a tab-separated" in said
    assert (out / "sim_wrist_accel_events_reviewed-3.tsv").read_text().count(";") > 10


def test_the_summary_carries_the_reports_per_recording_numbers(tmp_path) -> None:
    """A batch's summary.tsv had counts, rates and the dystonia-like time fraction only; the
    report's durations, tremor frequency and fasciculation intervals were per file, in HTML."""
    from movement.output import summarise
    from movement.report import report_summary

    ev = pd.DataFrame(
        {
            "onset": [1.0, 3.0, 10.0, 20.0, 40.0],
            "duration": [0.01, 0.01, 4.0, 0.02, 9.0],
            "trial_type": ["fasciculation-like"] * 2
            + ["dystonia-like", "fasciculation-like", "dystonia-like"],
            "review": [False, False, True, False, True],
            "scale": ["brief", "brief", "sustained", "brief", "sustained"],
            "dominant_frequency_hz": [np.nan, np.nan, 5.0, np.nan, 6.0],
            "tremor_band_ratio": [np.nan, np.nan, 0.8, np.nan, 0.7],
        }
    )
    ev.attrs["duration"] = 60.0
    row = summarise("f.csv", ev)
    rs = report_summary(ev, 60.0)
    assert row["dystonia_median_s"] == 6.5 == rs["dystonia"]["median_s"]
    assert row["dystonia_longest_s"] == 9.0 and row["tremor_median_hz"] == 5.5
    assert row["fasciculation_interval_median_s"] == 9.5  # intervals 2 and 17 s
    assert row["fasciculation_interval_cv"] == round(7.5 / 9.5, 3)
    main(["score", str(DATA_DIR / "sim_forearm_emg.npy"), "--out", str(tmp_path)])
    got = pd.read_csv(tmp_path / "summary.tsv", sep="\t")
    for c in ("dystonia_median_s", "tremor_median_hz", "fasciculation_interval_cv"):
        assert c in got.columns
    assert 0 < got["fasciculation_interval_cv"].iloc[0] < 3


def test_a_page_of_replaced_events_is_removed_and_drawn_again(tmp_path) -> None:
    """Scored again with other settings and no --report, a file's old review page (which
    shows the events replaced) is removed; the next --report scores it and draws it."""
    src = str(DATA_DIR / "sim_wrist_accel.csv")
    out = tmp_path / "out"
    page = out / "sim_wrist_accel_report.html"
    assert main(["score", src, "--out", str(out), "--report", "-q"]) == 0
    assert page.exists()
    assert main(["score", src, "--out", str(out), "--model", "rules", "-q"]) == 0
    assert not page.exists()
    assert main(["score", src, "--out", str(out), "--model", "rules", "--report", "-q"]) == 0
    events = pd.read_csv(out / "sim_wrist_accel_events.tsv", sep="\t")
    meta = json.loads((out / "sim_wrist_accel_events.json").read_text())
    assert meta["model"] == "rules"
    html = page.read_text()
    assert f'"n_events": {len(events)},' in html
    assert f'hash": "{meta["parameters_hash"]}"' in html


def test_sigterm_is_handled_as_ctrl_c(tmp_path, monkeypatch, capsys) -> None:
    """A cluster's time limit (SIGTERM) ended a batch with no summary.tsv; now it is
    handled as Ctrl-C: the summary is written, the files finished are said (exit 143)."""
    import os
    import signal

    import movement.batch as batch

    inputs = [_good_accel(tmp_path / "in", f"w{i}.csv", seconds=20.0) for i in range(3)]
    out = tmp_path / "out"
    real = batch.score_one
    calls = []

    def term_on_second(path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGTERM)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(batch, "score_one", term_on_second)
    before = signal.getsignal(signal.SIGTERM)
    assert main(["score", *map(str, inputs), "--out", str(out)]) == 143
    assert signal.getsignal(signal.SIGTERM) is before  # (restored)
    said = capsys.readouterr()
    assert said.err.strip().endswith(
        "movement: terminated (SIGTERM); summary.tsv says which files were scored"
    )
    assert said.out.startswith(f"ok     {inputs[0]}: ") and len(said.out.splitlines()) == 1
    summary = _summary(out)
    assert list(summary["status"]) == ["ok", "error", "error"]
    assert summary["message"].iloc[2].startswith("not scored: the batch was interrupted")
    assert sorted(p.name for p in out.iterdir() if "w1" in p.name) == []


@pytest.mark.parametrize("sig, code_after", [("SIGINT", 0), ("SIGTERM", 143)])
def test_a_forked_worker_on_ctrl_c_or_sigterm(sig: str, code_after: int) -> None:
    """The terminal (Ctrl-C) or a cluster (SIGTERM) signals every worker too. An idle one,
    waiting for its next file, printed the traceback of the pool's queue: it now exits at
    once, silently (128 + the signal). A busy one is interrupted as the parent is (its
    temporary files cleaned up); after SIGTERM it then leaves with 143."""
    code = (
        "import os, signal, time\n"
        "from movement import batch\n"
        f"signal.signal(signal.{sig}, batch._child_signal)\n"
        "batch._CHILD_BUSY = True\n"
        "try:\n"
        f"    os.kill(os.getpid(), signal.{sig}); time.sleep(5)\n"
        "except KeyboardInterrupt:\n"
        "    print('busy: interrupted', batch._CHILD_EXIT)\n"
        "batch._CHILD_BUSY, batch._CHILD_EXIT = False, 0\n"
        f"os.kill(os.getpid(), signal.{sig}); time.sleep(5)\n"
        "print('not reached')\n"
    )
    root = str(Path(__file__).resolve().parents[1])
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=root
    )
    assert done.returncode == 128 + {"SIGINT": 2, "SIGTERM": 15}[sig]
    assert done.stdout == f"busy: interrupted {code_after}\n" and done.stderr == ""
