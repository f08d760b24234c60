"""What the rate changes of the settings is said when it matters: EMG below
``min_muap_fs_hz`` can have no fasciculation-like event (it was only in the events JSON's
notes), and a band edge the user set above 0.45 x the rate is applied lower (likewise). A
default capped at a low rate is noted, not warned."""

from __future__ import annotations

import warnings

import pytest

import movement
from movement.simulate import simulate


def _said(rec, settings=None) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ev = movement.score(rec, settings)
    return [str(w.message) for w in caught], ev


def test_emg_below_the_muap_rate_says_no_fasciculation_can_be_called():
    rec = simulate("emg", 30, seed=1, fs=500).recording
    said, ev = _said(rec)
    hits = [s for s in said if "below min_muap_fs_hz (900 Hz)" in s]
    assert len(hits) == 1 and "no event is called fasciculation-like" in hits[0]
    assert not ev["trial_type"].eq("fasciculation-like").any()
    assert "min_muap_fs_hz" in ev.attrs["notes"]


def test_a_band_edge_set_above_the_cap_is_said():
    rec = simulate("emg", 30, seed=1).recording
    said, ev = _said(rec, movement.Settings().with_overrides(["emg.band_high_hz=5000"]))
    assert any("band_high_hz 5000 Hz applied as 900 Hz" in s for s in said)
    assert ev.attrs["notes"]["band_high_hz"].startswith("band_high_hz 5000 Hz applied as 900")


@pytest.mark.parametrize("modality, fs", [("emg", 2000.0), ("accel", 50.0)])
def test_defaults_say_nothing(modality, fs):
    rec = simulate(modality, 30, seed=1, fs=fs).recording
    said, ev = _said(rec)
    assert not [s for s in said if "applied as" in s or "min_muap_fs_hz" in s]
    if modality == "accel":  # (the 40 Hz band at 50 Hz: capped, noted only)
        assert "band_high_hz" in ev.attrs["notes"]
