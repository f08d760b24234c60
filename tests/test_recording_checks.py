"""A Recording made from arrays (a notebook's) gets the checks movement.read gives a
file's samples, once, when scored: EMG units wrong by orders of magnitude, and channels
constant throughout (both passed silently)."""

from __future__ import annotations

import warnings

import numpy as np

import movement
from movement.simulate import simulate


def _said(rec) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        movement.score(rec, model="rules")
    return [str(w.message) for w in caught]


def test_emg_in_microvolts_labelled_volts_is_said():
    x = np.random.default_rng(0).normal(0, 300.0, (20000, 2))  # µV values
    said = _said(movement.Recording(x, fs=2000, modality="emg", units="V"))
    assert sum("EMG units 'V' look wrong by orders of magnitude" in s for s in said) == 1


def test_a_dead_channel_is_said_once():
    rec = simulate("emg", 20, seed=1).recording
    x = rec.data.copy()
    x[:, 1] = 0.0
    said = _said(movement.Recording(x, fs=rec.fs, modality="emg", units="mV"))
    assert sum("channel ch2 is constant (0) over the whole recording" in s for s in said) == 1


def test_a_recording_read_from_a_file_is_not_said_again(tmp_path):
    rec = simulate("emg", 20, seed=1).recording
    x = rec.data.copy()
    x[:, 1] = 0.0
    np.save(tmp_path / "dead.npy", x)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read = movement.read(tmp_path / "dead.npy", fs=rec.fs, modality="emg")
        movement.score(read, model="rules")
    said = [str(w.message) for w in caught]
    assert sum("is constant (0) over the whole recording" in s for s in said) == 1  # (read)


def test_a_clean_recording_says_nothing():
    rec = simulate("emg", 20, seed=1).recording
    assert not [s for s in _said(rec) if "units" in s or "constant" in s]
