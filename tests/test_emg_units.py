"""The trained model is given an EMG recording's amplitudes in mV, whatever units the
recording states: in µV they were given 1000 times too large."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

import movement
from movement.simulate import simulate


def test_emg_in_microvolts_is_labelled_as_in_millivolts() -> None:
    rec = simulate("emg", 60, seed=2).recording
    assert rec.units == "mV"
    in_uv = movement.Recording(
        np.asarray(rec.data) * 1000.0, fs=rec.fs, modality="emg", channels=rec.channels, units="uV"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mv = movement.score(rec)
        uv = movement.score(in_uv)
    assert len(mv) >= 5
    cols = ["onset", "duration", "trial_type", "review"]
    pd.testing.assert_frame_equal(mv[cols], uv[cols])
    for c in ("p_fasciculation", "p_dystonia", "p_other"):
        np.testing.assert_allclose(uv[c], mv[c], atol=1e-9)
    # the table keeps the recording's own units
    np.testing.assert_allclose(uv["peak_amplitude"], mv["peak_amplitude"] * 1000.0, rtol=1e-9)
