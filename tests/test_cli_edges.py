"""Mistakes a user can make with train, evaluate, params/--config and simulate: each is one
line (an error with exit code 2, or a ``warning:`` line), never a traceback or a quietly
wrong result."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import movement.train as train_mod
from movement.cli import main
from movement.config import Settings, load_settings
from movement.errors import MovementError
from movement.evaluate import evaluate
from movement.output import write_events
from movement.train import TrainingSpec, train

F, D, OTHER = "fasciculation-like", "dystonia-like", "other"


def _one_error_line(err: str) -> str:
    assert err.startswith("movement: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


# --------------------------------------------------------------------------- train


def test_train_refuses_a_class_with_no_segments(tmp_path: Path, capsys) -> None:
    """3 x 60 s of accelerometry hold no dystonia-like segment: the model trained on it
    called a true dystonia-like event `other` with probability 1."""
    out = tmp_path / "m1.joblib"
    args = ["train", "--out", str(out), "--modality", "accel", "--n", "3", "--duration", "60"]
    assert main([*args, "--eval-n", "0"]) == 2
    err = _one_error_line(capsys.readouterr().err)
    assert "not enough labelled accel segments" in err
    assert f"{D} 0" in err and f"{F} 10" in err and f"{OTHER} 4" in err
    assert "more or longer recordings (--n, --duration)" in err
    assert not out.exists()


def _fake_training(monkeypatch, labels: dict[str, int]) -> list[int]:
    """``training_set`` giving ``labels`` (class -> count) and a ``fit_model`` that records
    how many rows it was given, instead of simulating and fitting."""
    fitted: list[int] = []

    def fake_set(modality, spec, settings=None):
        y = np.array([c for c, n in labels.items() for _ in range(n)], dtype=object)
        return pd.DataFrame({"duration": np.linspace(0.01, 5.0, len(y))}), y

    def fake_fit(X, y, seed=0):
        fitted.append(len(y))
        return "estimator", ["duration"]

    monkeypatch.setattr(train_mod, "training_set", fake_set)
    monkeypatch.setattr(train_mod, "fit_model", fake_fit)
    return fitted


@pytest.mark.parametrize(
    ("labels", "shown"),
    [
        ({F: 10, OTHER: 4}, f"{F} 10, {D} 0, {OTHER} 4"),  # a class missing altogether
        ({F: 10, D: 2, OTHER: 4}, f"{F} 10, {D} 2, {OTHER} 4"),
        ({F: 5}, f"{F} 5, {D} 0, {OTHER} 0"),
        ({}, f"{F} 0, {D} 0, {OTHER} 0"),
    ],
)
def test_train_names_every_class_count(monkeypatch, labels, shown) -> None:
    fitted = _fake_training(monkeypatch, labels)
    with pytest.raises(MovementError, match="each class needs >= 3") as exc:
        train("accel", TrainingSpec(n_recordings=1))
    assert f"({shown})" in str(exc.value)
    assert fitted == []


def test_train_fits_with_three_of_each_class(monkeypatch) -> None:
    fitted = _fake_training(monkeypatch, {F: 3, D: 3, OTHER: 3})
    bundle = train("accel", TrainingSpec(n_recordings=1))
    assert fitted == [9]
    counts = bundle["training"]["per_modality"]["accel"]["class_counts"]
    assert counts == {F: 3, D: 3, OTHER: 3}


def _train_args(tmp_path: Path, reviewed: Path) -> list[str]:
    out = tmp_path / "m.joblib"
    return ["train", "--out", str(out), "--modality", "accel", "--eval-n", "0",
            "--reviewed", str(reviewed)]  # fmt: skip


def test_train_warns_in_one_line_when_the_reviewed_folder_has_no_reviews(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    fitted = _fake_training(monkeypatch, {F: 5, D: 5, OTHER: 5})
    empty = tmp_path / "reviews"
    empty.mkdir()
    assert main(_train_args(tmp_path, empty)) == 0
    assert fitted == [15] and (tmp_path / "m.joblib").exists()
    err = capsys.readouterr().err
    warn = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert warn == [
        f"warning: {empty}: no reviewed events (no <stem>_decisions.tsv, no review_status "
        "filled in a <stem>_events.tsv); training on simulated data only"
    ]
    assert "UserWarning" not in err and "train.py" not in err
    card = json.loads((tmp_path / "m.json").read_text())
    assert card["training"]["per_modality"]["accel"]["n_reviewed_segments"] == 0


def _reviewed_emg_table(folder: Path) -> None:
    ev = pd.DataFrame(
        {
            "onset": [1.0, 2.0, 9.0],
            "duration": [0.02, 0.02, 4.0],
            "trial_type": [F, OTHER, D],
            "probability": [0.9, 0.7, 0.8],
            "channel": ["emg1", "emg1", "emg1"],
            "review_status": ["accepted", "rejected", "accepted"],
        }
    )
    ev.attrs.update(modality="emg", duration=60.0, fs=2000.0)
    write_events(ev, folder, "rec")


def test_train_warns_when_the_reviews_are_of_another_modality(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    fitted = _fake_training(monkeypatch, {F: 5, D: 5, OTHER: 5})
    reviews = tmp_path / "reviews"
    _reviewed_emg_table(reviews)
    assert main(_train_args(tmp_path, reviews)) == 0
    assert fitted == [15]
    err = capsys.readouterr().err
    assert (
        f"warning: {reviews}: no reviewed accel events (reviewed: emg 3); accel trained on "
        "simulated data only\n" in err
    )
    assert "UserWarning" not in err


def test_train_with_reviews_of_its_modality_says_nothing(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    _fake_training(monkeypatch, {F: 5, D: 5, OTHER: 5})
    reviews = tmp_path / "reviews"
    _reviewed_emg_table(reviews)
    args = _train_args(tmp_path, reviews)
    args[args.index("accel")] = "emg"
    assert main(args) == 0
    assert "warning" not in capsys.readouterr().err
    card = json.loads((tmp_path / "m.json").read_text())
    assert card["training"]["per_modality"]["emg"]["n_reviewed_segments"] == 3


# --------------------------------------------------------------------------- evaluate


def _events(path: Path, rows: list[tuple[float, float, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=["onset", "duration", "trial_type"]).to_csv(
        path, sep="\t", index=False
    )
    return path


def test_evaluate_folders_with_no_stem_in_common_is_an_error(tmp_path: Path, capsys) -> None:
    """It scored every truth file as all misses and a dystonia F1 of 1.0 from nothing on
    either side: macro-F1 0.500, exit 0."""
    pred, truth = tmp_path / "pred", tmp_path / "truth"
    for i in range(5):
        _events(pred / f"rec{i}_events.tsv", [(1.0, 0.02, F)])
    _events(truth / "sub" / "sim_0_events.tsv", [(1.0, 0.02, F)])
    assert main(["evaluate", str(pred), str(truth), "--duration", "60"]) == 2
    err = _one_error_line(capsys.readouterr().err)
    assert "no prediction file pairs with a truth file (pairing is by <stem>_events.tsv)" in err
    assert (
        f"predictions {pred}: rec0_events.tsv, rec1_events.tsv, rec2_events.tsv ... (5 files)"
        in err
    )
    assert f"truth {truth}: sub/sim_0_events.tsv" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(MovementError, match=r"predictions .*empty: no \*_events.tsv files"):
        evaluate(empty, truth, duration=60.0)


def test_evaluate_folders_with_one_stem_in_common_still_score(tmp_path: Path) -> None:
    pred, truth = tmp_path / "pred", tmp_path / "truth"
    _events(pred / "a_events.tsv", [(1.0, 0.02, F)])
    _events(pred / "x_events.tsv", [(1.0, 0.02, F)])
    _events(truth / "a_events.tsv", [(1.0, 0.02, F)])
    _events(truth / "b_events.tsv", [(1.0, 0.02, F)])
    res = evaluate(pred, truth, duration=60.0, modality="emg")
    assert res.per_file.set_index("file")["status"].to_dict() == {
        "a": "ok",
        "b": "no prediction",
    }


# --------------------------------------------------------------------------- --config

ACCEPTED = (
    'TOML with [emg] / [accel] tables, JSON: {"emg": {"k_on": 4}}, or YAML '
    "(.yaml / .yml, with PyYAML: movement[yaml])"
)


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        (
            "list.json",
            "[1, 2]",
            f"the top level is a list, not a table; a config file is {ACCEPTED}",
        ),
        ("text.json", '"k_on"', "the top level is a text, not a table"),
        ("num.json", "3", "the top level is a number, not a table"),
        ("sec.json", '{"emg": 3}', "the [emg] section must be a table of NAME = VALUE, got 3"),
        (
            "sec.toml",
            "accel = 'x'\n",
            "the [accel] section must be a table of NAME = VALUE, got 'x'",
        ),
        ("bare.toml", "k_on = 4\n", "k_on is outside any section: put k_on under [emg] or [accel]"),
        ("bare.json", '{"k_on": 4}', "put k_on under [emg] or [accel]"),
        ("emgonly.toml", "notch_hz = 50\n", "put notch_hz under [emg]\n"),
        (
            "unknown.json",
            '{"thresholds": 4}',
            f"unknown key 'thresholds': a config file is {ACCEPTED}",
        ),
        ("section.toml", "[eeg]\nk_on = 4\n", "unknown config section [eeg]; use [emg] or [accel]"),
        ("bad.txt", '{"emg": {"k_on": 4}\n', "not valid JSON (Expecting ',' delimiter"),
        ("bad.cfg", "k_on 4\n", "not valid TOML ("),
        ("list.txt", "[1, 2]\n", "the top level is a list, not a table"),
        ("binary.toml", b"\xff\xfe\x00\x81", f"not a text file; a config file is {ACCEPTED}"),
    ],
)
@pytest.mark.parametrize("command", ["params", "score"])
def test_bad_config_file_is_one_line(tmp_path: Path, capsys, command, name, content, fragment):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    (tmp_path / "in").mkdir()
    argv = [command, "--config", str(path)]
    if command == "score":  # the settings are checked before any recording is looked for
        argv += [str(tmp_path / "in"), "--out", str(tmp_path / "out"), "-q"]
    assert main(argv) == 2
    err = _one_error_line(capsys.readouterr().err)
    assert err.startswith(f"movement: error: {path}: ")
    assert fragment in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("thresholds.txt", '{"emg": {"k_on": 4.5}}'),  # JSON by its content
        ("thresholds.cfg", "\n  [emg]\nk_on = 4.5\n"),
        ("thresholds.conf", '{"emg.k_on": 4.5}'),  # as --set emg.k_on=4.5
        ("thresholds.toml", "emg.k_on = 4.5\n"),  # TOML's dotted key: the [emg] table
        ("bom.json", '\ufeff{"emg": {"k_on": 4.5}}'),
    ],
)
def test_config_file_format_by_suffix_or_content(tmp_path: Path, name: str, content: str):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert load_settings(path) == Settings().with_overrides(["emg.k_on=4.5"])


def test_bare_name_in_set_still_sets_every_modality(capsys) -> None:
    """``--set k_on=4`` (no modality) sets both, as tests/test_config_validation.py has it;
    only a config file must put each value in its table."""
    s = load_settings(None, ["k_on=4"])
    assert s.emg.k_on == 4.0 and s.accel.k_on == 4.0
    assert main(["params", "--set", "emg=3"]) == 2
    err = _one_error_line(capsys.readouterr().err)
    assert "--set emg=3: name a parameter, e.g. emg.k_on=4" in err
    with pytest.raises(MovementError, match="overrides are NAME=VALUE texts, got 1"):
        Settings().with_overrides([1])  # type: ignore[list-item]


# --------------------------------------------------------------------------- simulate


def test_simulate_prints_a_confounder_that_does_not_apply_as_one_line(
    tmp_path: Path, capsys
) -> None:
    argv = ["simulate", "--modality", "accel", "--confounders", "ecg", "--duration", "20"]
    assert main([*argv, "--n-files", "2", "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.err == "warning: confounder(s) ecg do not apply to accel; skipped\n"
    assert captured.out.count("sim_accel_0_") == 2


def test_output_piped_into_head_ends_quietly() -> None:
    """`movement params | head -1`: the closed pipe is not an error line."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    cmd = f"'{sys.executable}' -m movement params | head -1"
    res = subprocess.run(
        ["bash", "-c", cmd], cwd=root, capture_output=True, text=True, timeout=120,
        env={**__import__("os").environ, "PYTHONPATH": str(root)},
    )  # fmt: skip
    assert res.stdout.strip() == "emg:"
    assert "Broken pipe" not in res.stderr and "error" not in res.stderr


def test_command_descriptions_have_no_markup(capsys) -> None:
    from movement.cli import main

    with pytest.raises(SystemExit):
        main(["info", "--help"])
    out = capsys.readouterr().out
    assert "movement info: what a recording file holds" in out and "``" not in out
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    assert "override one threshold" in capsys.readouterr().out


def test_format_reads_a_table_under_another_extension(tmp_path, capsys) -> None:
    """`--format txt` for score, info and report (PhysioNet's tremor .rit files), also for a
    quoted glob; and movement.read(format=) works as a process's first read."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    from movement.cli import main

    rng = np.random.default_rng(0)
    for name in ("a.rit", "b.rit"):
        x = rng.normal(0, 0.01, (3000, 3)) + [0.0, 0.0, 1.0]
        (tmp_path / name).write_text("".join(f"{p:.4f} {q:.4f} {r:.4f}\n" for p, q, r in x))
    args = ["--fs", "100", "--modality", "accel"]
    out = tmp_path / "out"
    assert main(["score", str(tmp_path / "a.rit"), "--out", str(out), *args]) == 1
    assert "looks like a text table" in capsys.readouterr().err
    pattern = str(tmp_path / "*.rit")
    assert main(["score", pattern, "--out", str(out), "--format", "txt", *args]) == 0
    assert sorted(p.name for p in out.glob("*_events.tsv")) == ["a_events.tsv", "b_events.tsv"]
    side = json.loads((out / "a_events.json").read_text())
    assert side["recording"]["SamplingFrequency"] == 100
    capsys.readouterr()
    assert main(["info", str(tmp_path / "a.rit"), "--format", "txt", *args]) == 0
    assert "text table" in capsys.readouterr().out
    pages = tmp_path / "pages"
    argv = ["report", str(tmp_path / "a.rit"), "--events", str(out), "--out", str(pages)]
    assert main([*argv, "--format", "txt", *args]) == 0
    assert (pages / "a_report.html").exists()
    root = Path(__file__).resolve().parent.parent
    code = (
        "import movement; "
        f"print(movement.read({str(tmp_path / 'a.rit')!r}, fs=100, modality='accel', "
        "format='txt', units='g').n_samples)"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
        env={**__import__("os").environ, "PYTHONPATH": str(root)},
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "3000"


def test_format_leaves_files_of_known_types_to_their_readers(tmp_path, capsys) -> None:
    """`--format txt` with a folder beside a .rit: the folder's .csv is read as CSV."""
    from movement.cli import main

    rng = np.random.default_rng(1)
    x = rng.normal(0, 0.01, (3000, 3)) + [0.0, 0.0, 1.0]
    (tmp_path / "t.rit").write_text("".join(f"{p:.4f} {q:.4f} {r:.4f}\n" for p, q, r in x))
    folder = tmp_path / "csvs"
    folder.mkdir()
    np.savetxt(folder / "c.csv", x, delimiter=",", header="x,y,z", comments="")
    (folder / "c.json").write_text('{"SamplingFrequency": 100, "Modality": "accel"}')
    out = tmp_path / "out"
    argv = ["score", str(tmp_path / "t.rit"), str(folder), "--format", "txt", "--out", str(out)]
    assert main([*argv, "--fs", "100", "--modality", "accel"]) == 0
    assert sorted(p.name for p in out.glob("*_events.json")) == ["c_events.json", "t_events.json"]


def test_a_bug_is_one_line_unless_debug(monkeypatch, capsys) -> None:
    """An unexpected exception outside `score`'s per-file rows (`train` on a small set
    failed inside scikit-learn) printed a full traceback without --debug."""
    import movement.train as train

    def boom(args) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(train, "cli_run", boom)
    assert main(["train", "--n", "1"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error RuntimeError: boom" in err
    assert "--debug" in err and "Traceback" not in err
    with pytest.raises(RuntimeError, match="boom"):
        main(["train", "--n", "1", "--debug"])


@pytest.mark.parametrize(
    "argv",
    [
        ["score", "{rec}", "--out", ""],
        ["convert", "{rec}", "--out", " "],
        ["simulate", "--modality", "accel", "--duration", "5", "--out", ""],
    ],
)
def test_an_empty_out_is_refused_before_anything_is_written(
    tmp_path: Path, monkeypatch, capsys, argv
) -> None:
    """``--out ""`` is the current folder to pathlib: score, convert and simulate wrote
    their outputs (and a lock file) wherever the command was run."""
    rec = tmp_path / "rec.csv"
    t = np.arange(2000) / 100.0
    pd.DataFrame({"x": 0.01 * np.sin(t), "y": 0.0 * t, "z": 1.0 + 0 * t}).to_csv(rec, index=False)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    code = main(
        [a.replace("{rec}", str(rec)) for a in argv] + ["--fs", "100"] * (argv[0] != "simulate")
    )
    assert code == 2
    assert capsys.readouterr().err.strip() == (
        "movement: error: --out is empty: give a folder (or file) to write to"
    )
    assert list(work.iterdir()) == []


@pytest.mark.parametrize(
    "command",
    [
        ["score", "{csv}"],
        ["simulate", "--modality", "accel"],
        ["report", "{csv}"],
        ["convert", "{csv}"],
        ["convert", "{csv}", "--out", "{file}/one.npy"],
    ],
)
def test_an_out_that_is_a_file_is_one_line_for_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """score said so in one line (exit 2); simulate and report said "File exists" (exit 1),
    convert "FileExistsError: [Errno 17] ..." per input."""
    csv = Path(__file__).resolve().parents[1] / "data" / "sim_wrist_accel.csv"
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    args = [a.format(csv=csv, file=afile) for a in command]
    if "--out" not in args:
        args += ["--out", str(afile)]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.endswith(f"the output folder {afile} (--out) is a file, not a folder")
    assert afile.read_text() == "not a folder"


def test_report_checks_its_model_before_anything(tmp_path: Path, capsys) -> None:
    """A --model that is no file was a failure per recording (exit 1), as score checks it."""
    csv = Path(__file__).resolve().parents[1] / "data" / "sim_wrist_accel.csv"
    for model in (tmp_path / "missing.joblib", tmp_path):
        assert main(["report", str(csv), "--model", str(model), "--out", str(tmp_path / "o")]) == 2
        err = capsys.readouterr().err.strip()
        if model == tmp_path:  # (a folder is said to be one)
            assert err.startswith(
                f"movement: error: --model {model}: is a folder, not a model file"
            )
        else:
            assert err == f"movement: error: --model {model}: no such model file (use default, " \
                          "rules or a path)"  # fmt: skip
    assert not (tmp_path / "o").exists()


def test_a_file_that_is_no_model_is_refused_before_anything(tmp_path: Path, capsys) -> None:
    """An empty file, a table or a pickle of something else given as --model was a failure
    per recording (exit 1, one error row each); it is refused once, in one line (exit 2)."""
    import pickle

    csv = Path(__file__).resolve().parents[1] / "data" / "sim_wrist_accel.csv"
    empty, table, other = (tmp_path / n for n in ("empty.joblib", "t.joblib", "d.joblib"))
    empty.write_bytes(b"")
    table.write_bytes(csv.read_bytes()[:3000])
    other.write_bytes(pickle.dumps({"a": 1}))
    for model, why in (
        (empty, "the file is empty"),
        (table, ""),
        (other, "it holds a dict without 'models'"),
    ):
        for cmd in ("score", "report"):
            out = tmp_path / f"o_{cmd}"
            assert main([cmd, str(csv), "--model", str(model), "--out", str(out)]) == 2
            err = capsys.readouterr().err.strip()
            assert err.startswith(f"movement: error: --model {model}: not a movement model (")
            assert why in err and "\n" not in err and "()" not in err
            assert not out.exists()


@pytest.mark.parametrize("command", ["score", "report", "info", "convert"])
def test_reading_options_are_checked_once_for_every_command(
    tmp_path: Path, capsys, command: str
) -> None:
    """--fs 0 was a usage error (exit 2) for score but a failure per file (exit 1) for info
    and report; an unknown --format was accepted or blamed on the file."""
    csv = Path(__file__).resolve().parents[1] / "data" / "sim_wrist_accel.csv"
    out = [] if command == "info" else ["--out", str(tmp_path / "o")]
    assert main([command, str(csv), "--fs", "0", *out]) == 2
    assert (
        capsys.readouterr().err.strip()
        == "movement: error: --fs must be a positive number of Hz, got 0"
    )
    if command != "convert":  # (convert reads known types only: no --format)
        assert main([command, str(csv), "--format", "xyz", *out]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("movement: error: --format xyz: no reader for this type (known: ")
        assert ", txt" in err and "\n" not in err
    assert not (tmp_path / "o").exists()
