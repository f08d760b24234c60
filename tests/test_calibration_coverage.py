"""What the calibration error rests on: ``calibration_orientations`` in the summary.

The error of a recording the fit was not tried on (its still points do not reach every side
of the sphere) is the mean distance of those points from 1 g, as GGIR's ``cal.error.start``;
it checks only the orientations seen, so the summary says how many of the 6 that is."""

from __future__ import annotations

import numpy as np
import pytest

import movement
from movement.config import AccelConfig
from movement.output import SUMMARY_COLUMNS, summarise

FS = 50.0
OFFSET = np.array([0.03, -0.03, 0.0])  # 30 mg off on x and y


def _still(directions: np.ndarray, seconds_each: float, seed: int = 0) -> movement.Recording:
    """A device put down still in each of ``directions`` in turn, ``seconds_each`` each,
    reading ``OFFSET`` too much on every sample (its noise 3 mg)."""
    rng = np.random.default_rng(seed)
    n = int(seconds_each * FS)
    x = np.repeat(directions, n, axis=0) + OFFSET + rng.normal(0, 0.003, (len(directions) * n, 3))
    return movement.Recording(x, fs=FS, modality="accel", channels=("x", "y", "z"))


def test_face_up_all_the_time_checks_one_orientation_only() -> None:
    ev = movement.score(_still(np.array([[0.0, 0.0, 1.0]]), 20 * 60))
    row = summarise("up.npy", ev)
    assert row["calibrated"] is False
    assert row["calibration_orientations"] == 1
    # 30 mg offsets across gravity move |a| by ~0.9 mg: the error cannot see them
    assert row["calibration_error_mg"] < 5
    assert "sphere" in ev.attrs["notes"]["calibration"]


def test_every_side_reached_gives_six_and_a_fit() -> None:
    rng = np.random.default_rng(1)
    faces = np.vstack([np.eye(3), -np.eye(3)])
    u = rng.normal(size=(14, 3))
    u = np.vstack([faces, u / np.linalg.norm(u, axis=1, keepdims=True)])
    ev = movement.score(_still(u, 60))
    row = summarise("all.npy", ev)
    assert row["calibrated"] is True
    assert row["calibration_orientations"] == 6
    assert row["calibration_error_mg"] < 3
    np.testing.assert_allclose(ev.attrs["calibration"]["sites"][0]["offset_g"], -OFFSET, atol=3e-3)


def test_without_calibration_the_column_is_empty() -> None:
    ev = movement.score(_still(np.array([[0.0, 0.0, 1.0]]), 120), AccelConfig(calibrate=False))
    row = summarise("off.npy", ev)
    assert row["calibrated"] is None and row["calibration_orientations"] is None


def test_the_column_sits_next_to_the_error() -> None:
    i = SUMMARY_COLUMNS.index("calibration_error_mg")
    assert SUMMARY_COLUMNS[i + 1] == "calibration_orientations"


@pytest.mark.parametrize("modality", ["emg"])
def test_emg_has_no_calibration_column_value(modality: str) -> None:
    x = np.random.default_rng(0).normal(0, 0.01, (2000 * 10, 1))
    ev = movement.score(movement.Recording(x, fs=2000.0, modality=modality, channels=("m",)))
    assert summarise("m.npy", ev)["calibration_orientations"] is None
