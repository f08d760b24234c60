"""A trained model's name: what it was trained on, never the shipped model's prefix."""

from __future__ import annotations

from pathlib import Path

import pytest

import movement
from movement.cli import main
from movement.errors import MovementError
from movement.train import TrainingSpec, model_name, train

SPEC = TrainingSpec(n_recordings=6, duration_s=120.0, seed=5)


def test_the_default_name_says_what_it_was_trained_on() -> None:
    name = model_name(SPEC)
    assert name == f"trained-hgb-6x120s-seed5-movement{movement.__version__}"
    assert not name.startswith("movement-")
    assert model_name(SPEC, 12).startswith("trained-hgb-6x120s-seed5+12reviewed-")


@pytest.mark.parametrize("bad", ["", "  ", "a (b)", "a,b", "a\tb", "a\nb"])
def test_a_name_that_would_break_the_provenance_is_refused_before_training(bad: str) -> None:
    with pytest.raises(MovementError, match="--name"):
        train("accel", SPEC, name=bad)


def test_the_name_given_is_carried_by_the_results(tmp_path: Path, capsys) -> None:
    model = tmp_path / "wrist.joblib"
    args = ["train", "--modality", "accel", "--n", "6", "--duration", "120", "--seed", "5"]
    args += ["--eval-n", "0", "--out", str(model), "--name", "wrist-study-2026", "--quiet"]
    assert main(args) == 0
    ev = movement.score(
        Path(__file__).resolve().parents[1] / "data" / "sim_wrist_accel.csv", model=model
    )
    assert ev.attrs["model"].startswith("wrist.joblib (wrist-study-2026, sha256 ")


def test_the_cli_refuses_a_bad_name_in_one_line(tmp_path: Path, capsys) -> None:
    args = ["train", "--modality", "accel", "--n", "2", "--duration", "60"]
    args += ["--out", str(tmp_path / "m.joblib"), "--name", "a (b)"]
    assert main(args) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--name 'a (b)'" in err[0]
    assert not (tmp_path / "m.joblib").exists()
