"""``movement train`` and ``movement evaluate``: a model never overwritten by its own card,
``--out`` and the numbers checked before the work, the predictions' ``_events.json``
sidecar read from a path as from a DataFrame, duplicated true events said, and ``--model``
errors that say what the file is."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import movement.train
from movement.cli import main
from movement.errors import MovementError
from movement.evaluate import evaluate, read_events
from movement.export import read_bids_events

F, D, OTHER = "fasciculation-like", "dystonia-like", "other"
DATA = Path(__file__).resolve().parents[1] / "data"
FAST = ["--modality", "accel", "--n", "4", "--duration", "120", "--eval-n", "0"]


def _err_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


@pytest.fixture
def no_training(monkeypatch):
    """Training that must not start: the checks come before it."""

    def refuse(*a, **k):
        raise AssertionError("training started before the options were checked")

    monkeypatch.setattr(movement.train, "train", refuse)
    monkeypatch.setattr(movement.train, "training_set", refuse)


# --------------------------------------------------------------------------- 1. card path


@pytest.mark.parametrize("name", ["x.json", "a1.JSON"])
def test_a_model_named_json_is_refused_before_training(
    tmp_path: Path, capsys, no_training, name: str
) -> None:
    """``--out m/x.json`` wrote the card over the model (model lost, exit 0); ``--out
    m/a1.json`` replaced the card of ``m/a1.joblib``."""
    (tmp_path / "a1.joblib").write_bytes(b"model")
    (tmp_path / "a1.json").write_text('{"card": 1}')
    out = tmp_path / name
    assert main(["train", *FAST, "--out", str(out)]) == 2
    err = _err_line(capsys)
    assert err.startswith(f"movement: error: --out {out}: a model file cannot end in .json")
    assert f"give e.g. {out.with_suffix('.joblib')}" in err
    assert (tmp_path / "a1.json").read_text() == '{"card": 1}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a1.joblib", "a1.json"]


def test_save_bundle_never_writes_the_card_over_the_model(tmp_path: Path) -> None:
    with pytest.raises(MovementError, match="cannot end in .json"):
        movement.train.save_bundle({"models": {}}, tmp_path / "x.json")
    assert not list(tmp_path.iterdir())
    path = movement.train.save_bundle({"models": {}}, tmp_path / "x.joblib")
    assert movement.train.card_json_path(path) != path


def test_train_writes_model_and_card_and_says_it_readably(tmp_path: Path, capsys) -> None:
    """The progress line was a raw Python dict (``trained accel: {'n_segments': ...}``)."""
    out = tmp_path / "m" / "a.joblib"  # (a folder that does not exist yet is made)
    assert main(["train", *FAST, "--out", str(out)]) == 0
    cap = capsys.readouterr()
    line = next(x for x in cap.err.splitlines() if x.startswith("trained accel:"))
    assert "{" not in line and "'" not in line
    assert " segments (" in line and "simulated, 0 reviewed)" in line
    assert f"{F} " in line and f"{D} " in line and " features; " in line
    assert out.is_file() and (tmp_path / "m" / "a.json").is_file()
    card = json.loads((tmp_path / "m" / "a.json").read_text())
    assert "training" in card and "models" not in card
    assert f"model written to {out}" in cap.out
    from movement.classify import read_model_file

    assert "accel" in read_model_file(out)[0]["models"]


# --------------------------------------------------------------------------- 3. --out first


def test_train_out_is_checked_before_training(tmp_path: Path, capsys, no_training) -> None:
    """A folder, or a path under a file, failed after all the training, naming the hidden
    temporary file (``/tmp/.m.cj19o1l1.tmp: Is a directory``)."""
    assert main(["train", *FAST, "--out", str(tmp_path)]) == 2
    err = _err_line(capsys)
    assert err == (
        f"movement: error: --out {tmp_path}: is a folder; give a file name "
        f"(e.g. {tmp_path / 'model.joblib'})"
    )
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert main(["train", *FAST, "--out", str(afile / "m.joblib")]) == 2
    assert _err_line(capsys).endswith(
        f"--out {afile / 'm.joblib'}: {afile} is a file, not a folder"
    )


def test_an_unwritable_out_folder_is_one_line_naming_the_users_path(
    tmp_path: Path, capsys, monkeypatch, no_training
) -> None:
    import tempfile

    def denied(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    out = tmp_path / "x.joblib"
    assert main(["train", *FAST, "--out", str(out)]) == 2
    err = _err_line(capsys)
    assert err == (
        f"movement: error: --out {out}: cannot write into its folder {tmp_path} (Permission denied)"
    )
    assert ".tmp" not in err
    deeper = tmp_path / "new" / "x.joblib"
    assert main(["train", *FAST, "--out", str(deeper)]) == 2
    assert f"cannot write into the folder {tmp_path} (" in _err_line(capsys)


def test_output_file_accepts_a_new_file_in_a_new_folder(tmp_path: Path) -> None:
    from movement.cli import output_file

    out = tmp_path / "a" / "b" / "r.json"
    assert output_file(out) == out
    assert not (tmp_path / "a").exists()  # (nothing made by the check)


def _pair(tmp_path: Path) -> tuple[Path, Path]:
    truth = pd.DataFrame({"onset": [1.0, 5.0], "duration": [0.02, 3.0], "trial_type": [F, D]})
    t = tmp_path / "r_events.tsv"
    truth.to_csv(t, sep="\t", index=False)
    return t, t


def test_evaluate_out_is_checked_before_the_comparison(tmp_path: Path, capsys) -> None:
    pred, truth = _pair(tmp_path)
    assert main(["evaluate", str(pred), str(truth), "--out", str(tmp_path)]) == 2
    cap = capsys.readouterr()
    assert cap.out == ""  # (nothing compared, nothing printed)
    assert cap.err.strip() == (
        f"movement: error: --out {tmp_path}: is a folder; give a file name "
        f"(e.g. {tmp_path / 'evaluation.json'})"
    )
    # the JSON results over the truth file: refused, the truth kept
    before = truth.read_bytes()
    assert main(["evaluate", str(pred), str(truth), "--out", str(truth)]) == 2
    assert "is the predictions file" in _err_line(capsys)
    assert truth.read_bytes() == before


# --------------------------------------------------------------------------- 4. numbers


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--seed", "-1", "--seed must be an integer >= 0, got -1"),
        ("--n", "0", "--n must be 1 or more simulated recordings per modality, got 0"),
        ("--n", "-1", "--n must be 1 or more simulated recordings per modality, got -1"),
        ("--duration", "1", "--duration must be at least 2 s, got 1"),
        ("--duration", "nan", "--duration must be at least 2 s, got nan"),
        ("--eval-n", "-1", "--eval-n must be 0 or more, got -1"),
        ("--eval-fa-n", "-2", "--eval-fa-n must be 0 or more, got -2"),
    ],
)
def test_train_numbers_are_checked_first(
    tmp_path: Path, capsys, no_training, option: str, value: str, message: str
) -> None:
    """``--seed -1`` was an internal error (numpy's "expected non-negative integer");
    ``--n 0`` a misleading "not enough labelled segments"."""
    args = ["train", *FAST, option, value, "--out", str(tmp_path / "m.joblib")]
    assert main(args) == 2
    assert _err_line(capsys) == f"movement: error: {message}"


@pytest.mark.parametrize(
    ("kw", "message"),
    [({"seed": -1}, "seed must be an integer >= 0"), ({"n_recordings": 0}, "n_recordings"),
     ({"duration_s": 0.5}, "duration_s must be at least")],
)  # fmt: skip
def test_training_spec_refuses_what_cannot_be_simulated(kw, message) -> None:
    with pytest.raises(MovementError, match=message):
        movement.train.TrainingSpec(**kw)


# --------------------------------------------------------------------------- 2. sidecars


def _scored(folder: Path, stem: str, rows, *, modality="emg", duration=60.0) -> Path:
    """An events table with the ``_events.json`` sidecar ``movement score`` writes."""
    folder.mkdir(parents=True, exist_ok=True)
    tsv = folder / f"{stem}_events.tsv"
    pd.DataFrame(rows, columns=["onset", "duration", "trial_type"]).to_csv(
        tsv, sep="\t", index=False
    )
    side = {
        "movement_version": "test",
        "recording": {"modality": modality, "duration_s": duration, "SamplingFrequency": 2000},
    }
    (folder / f"{stem}_events.json").write_text(json.dumps(side))
    return tsv


def _truth(folder: Path, stem: str, rows) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    tsv = folder / f"{stem}_events.tsv"
    pd.DataFrame(rows, columns=["onset", "duration", "trial_type"]).to_csv(
        tsv, sep="\t", index=False
    )
    return tsv


TRUE_ROWS = [(1.0, 0.01, F), (10.0, 0.01, F), (20.0, 6.0, D)]
# 0.1 s late: a match within the accelerometer collar (0.2 s), not the EMG one (0.05 s)
PRED_ROWS = [(1.1, 0.01, F), (10.1, 0.01, F), (20.3, 5.5, D)]


def test_a_predictions_file_gives_its_sidecars_modality_and_duration(tmp_path: Path) -> None:
    """Given paths, the predictions' ``_events.json`` (EMG, 60 s) was ignored when the truth
    had no sidecar: the accelerometer collar, "modality: unknown", the duration from the
    latest event; given the DataFrame read_bids_events reads, it was used."""
    pred = _scored(tmp_path / "p", "r", PRED_ROWS)
    truth = _truth(tmp_path / "t", "r", TRUE_ROWS)
    res = evaluate(pred, truth)
    row = res.per_file.iloc[0]
    assert row["modality"] == "emg"
    assert row["modality_from"] == "sidecar r_events.json of the predictions"
    assert row["duration_s"] == 60.0
    assert res.events.loc[F, "tp"] == 0 and res.events.loc[F, "criterion"].endswith("(emg)")
    assert res.false_alarms_per_hour[F] == pytest.approx(2 / (60 / 3600))
    # the DataFrame route: the same counts
    frame = evaluate(read_bids_events(pred), read_events(truth))
    pd.testing.assert_frame_equal(res.events, frame.events)
    assert frame.hours == res.hours
    # and the folders
    folders = evaluate(tmp_path / "p", tmp_path / "t")
    pd.testing.assert_frame_equal(folders.events, res.events)
    assert folders.per_file.iloc[0]["modality"] == "emg"


def test_the_cli_reads_the_predictions_sidecar_too(tmp_path: Path, capsys) -> None:
    pred = _scored(tmp_path / "p", "r", PRED_ROWS)
    truth = _truth(tmp_path / "t", "r", TRUE_ROWS)
    for a, b in ((pred, truth), (tmp_path / "p", tmp_path / "t")):
        assert main(["evaluate", str(a), str(b)]) == 0
        out = capsys.readouterr().out
        assert "modality: emg (sidecar r_events.json of the predictions)" in out
        assert "onset within 0.05 s (emg)" in out and "modality: unknown" not in out


def test_truth_beyond_the_predictions_recording_is_refused_from_paths(tmp_path: Path) -> None:
    """Onsets in ms in the truth passed silently from paths (the duration was the latest
    event's end), as they did not from DataFrames."""
    pred = _scored(tmp_path / "p", "r", PRED_ROWS)
    ms = [(on * 1000, d, c) for on, d, c in TRUE_ROWS]
    truth = _truth(tmp_path / "t", "r", ms)
    with pytest.raises(MovementError, match="beyond the recording's 60 s") as info:
        evaluate(pred, truth)
    assert "sidecar r_events.json of the predictions" in str(info.value)
    with pytest.raises(MovementError, match=r"^r: a true event at 20000 s"):
        evaluate(tmp_path / "p", tmp_path / "t")


def test_sidecars_of_different_recordings_are_refused(tmp_path: Path) -> None:
    pred = _scored(tmp_path / "p", "r", PRED_ROWS, modality="emg")
    truth = _scored(tmp_path / "t", "r", TRUE_ROWS, modality="accel")
    with pytest.raises(MovementError, match="events of different recordings") as info:
        evaluate(pred, truth)
    msg = str(info.value)
    assert "says modality emg" in msg and "says accel" in msg and "\n" not in msg
    # an explicit --modality still wins over both, and says so
    res = evaluate(pred, _truth(tmp_path / "t2", "r", TRUE_ROWS), modality="accel")
    assert res.events.loc[F, "tp"] == 2
    assert any("modality argument accel used" in n and "says emg" in n for n in res.notes)


def test_a_predictions_file_without_sidecar_is_as_before(tmp_path: Path) -> None:
    pred = _truth(tmp_path / "p", "r", PRED_ROWS)
    res = evaluate(pred, _truth(tmp_path / "t", "r", TRUE_ROWS))
    assert res.per_file.iloc[0]["modality"] == "unknown"
    assert res.per_file.iloc[0]["duration_from"].startswith("events")


# --------------------------------------------------------------------------- 2. duplicates


def test_duplicated_truth_is_said_in_one_line(tmp_path: Path, capsys) -> None:
    """Every true event duplicated 0.01 s later doubled n_true without a word."""
    truth = pd.DataFrame(TRUE_ROWS, columns=["onset", "duration", "trial_type"])
    twice = pd.concat([truth, truth.assign(onset=truth["onset"] + 0.01)], ignore_index=True)
    pred = truth.assign(onset=truth["onset"] + 0.02)
    with pytest.warns(UserWarning, match=f"2 {F}, 1 {D} event") as rec:
        res = evaluate(pred, twice, modality="emg", duration=60.0)
    assert len(rec) == 1
    assert res.events.loc[F, "n_true"] == 4  # (counted as given)
    assert any(
        n.startswith("truth truth: 2 fasciculation-like, 1 dystonia-like") for n in res.notes
    )
    p = _scored(tmp_path / "p", "r", [tuple(r) for r in pred.itertuples(index=False)])
    t = tmp_path / "t_events.tsv"
    twice.to_csv(t, sep="\t", index=False)
    assert main(["evaluate", str(p), str(t)]) == 0
    warn = [x for x in capsys.readouterr().err.splitlines() if x.startswith("warning:")]
    assert len(warn) == 1 and "coincide with another true event of the same class" in warn[0]


def test_distinct_or_cross_class_truth_is_not_warned(recwarn) -> None:
    # a twitch within a posture (other classes), twitches 1 s apart, events back to back
    truth = pd.DataFrame(
        [(1.0, 0.02, F), (2.0, 0.02, F), (1.5, 5.0, D), (6.5, 2.0, D), (3.0, 1.0, OTHER)],
        columns=["onset", "duration", "trial_type"],
    )
    res = evaluate(truth, truth, modality="emg", duration=60.0)
    assert not [w for w in recwarn if "coincide" in str(w.message)]
    assert not any("coincide" in n for n in res.notes)


# --------------------------------------------------------------------------- 5. --model


def _model_err(tmp_path: Path, capsys, model: Path) -> str:
    csv = DATA / "sim_wrist_accel.csv"
    assert main(["score", str(csv), "--model", str(model), "--out", str(tmp_path / "o")]) == 2
    return _err_line(capsys)


def test_model_errors_say_what_the_file_is(tmp_path: Path, capsys) -> None:
    """A text file was "not a movement model (Memo value not found at index 105)", random
    bytes "(5)", a JSON model card "(123)", a folder "no such model file"."""
    text = tmp_path / "notes.joblib"
    text.write_text("hi\nthis is a text file\n")
    assert _model_err(tmp_path, capsys, text).endswith(
        f"--model {text}: not a movement model (a text file, not a joblib/pickle file)"
    )
    rand = tmp_path / "rand.joblib"
    rand.write_bytes(bytes(np.random.default_rng(5).integers(0, 256, 100, dtype=np.uint8)))
    rand.write_bytes(b"\x05\x00" + rand.read_bytes()[2:])  # (never a pickle's first byte)
    assert _model_err(tmp_path, capsys, rand).endswith(
        f"--model {rand}: not a movement model (not a joblib/pickle file)"
    )
    model = tmp_path / "a1.joblib"
    model.write_bytes(pickle.dumps({"models": {}}))
    card = tmp_path / "a1.json"
    card.write_text(json.dumps({"name": "m", "training": {}, "versions": {}}))
    err = _model_err(tmp_path, capsys, card)
    assert f"--model {card}: not a movement model (a JSON file: the model card" in err
    assert err.endswith(f"give {model})")
    other = tmp_path / "cfg.json"
    other.write_text('{"accel": {"k_on": 5}}')
    assert _model_err(tmp_path, capsys, other).endswith(
        "not a movement model (a JSON file, not a joblib/pickle file)"
    )
    err = _model_err(tmp_path, capsys, tmp_path)
    assert err.startswith(f"movement: error: --model {tmp_path}: is a folder, not a model file")
    assert "it holds a1.joblib, notes.joblib, rand.joblib" in err
    assert not (tmp_path / "o").exists()


def test_a_damaged_pickle_keeps_the_unpicklers_reason(tmp_path: Path) -> None:
    from movement.classify import read_model_file

    cut = tmp_path / "cut.joblib"
    cut.write_bytes(pickle.dumps({"models": {"a": list(range(100))}})[:40])
    with pytest.raises(MovementError, match="not a movement model") as info:
        read_model_file(cut)
    assert "joblib/pickle" not in str(info.value)
    with pytest.raises(MovementError, match="is a folder, not a model file"):
        read_model_file(tmp_path)
