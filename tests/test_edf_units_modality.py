"""An EDF of muscles' labels (``FDS``, ``ECR``) in µV was refused with "cannot tell the
modality": its unit says it, volts being EMG's (accelerometry is in g or m/s²)."""

from __future__ import annotations

import pytest

import movement
from movement.simulate import simulate

edfio = pytest.importorskip("edfio")


@pytest.mark.parametrize("unit, scale", [("uV", 1000.0), ("mV", 1.0)])
def test_an_edf_in_volts_is_emg(tmp_path, unit, scale):
    rec = simulate("emg", 20, seed=1).recording
    signals = [
        edfio.EdfSignal(
            rec.data[:, i] * scale, sampling_frequency=rec.fs, label=label, physical_dimension=unit
        )  # fmt: skip
        for i, label in enumerate(["FDS", "ECR"][: rec.data.shape[1]])
    ]
    path = tmp_path / "forearm.edf"
    edfio.Edf(signals).write(path)
    got = movement.read(path)
    assert got.modality == "emg" and got.units == unit
    assert got.channels == ("FDS", "ECR")[: rec.data.shape[1]]
    # (the same events as the recording itself: 16-bit samples, EDF's resolution)
    ev, want = movement.score(got), movement.score(rec)
    assert list(ev["trial_type"]) == list(want["trial_type"])


def test_an_edf_of_unknown_units_and_labels_still_asks(tmp_path):
    rec = simulate("emg", 20, seed=1).recording
    signals = [edfio.EdfSignal(rec.data[:, 0], sampling_frequency=rec.fs, label="A1")]
    path = tmp_path / "unknown.edf"
    edfio.Edf(signals).write(path)
    with pytest.raises(movement.errors.MovementError, match="cannot tell the modality"):
        movement.read(path)
