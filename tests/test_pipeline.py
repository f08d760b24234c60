"""movement.score end to end on synthetic recordings with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SPIKE_ONSET_TOL_S, accel_rest, emg_noise, muap

import movement
from movement import Recording, Settings
from movement.config import AccelConfig, EMGConfig, params_hash
from movement.features import FEATURES
from movement.pipeline import EVENT_COLUMNS, REVIEW_COLUMNS


def test_isolated_spike_is_one_fasciculation_like_event(rng) -> None:
    fs = 2000.0
    x = emg_noise(rng, fs, 20.0, k=4)
    i = int(7.5 * fs)
    x[i : i + 30, 2] += muap(fs, 0.015, 0.5)
    ev = movement.score(Recording(x, fs=fs, modality="emg"), model="rules")
    assert len(ev) == 1
    row = ev.iloc[0]
    assert row["trial_type"] == "fasciculation-like"
    assert row["onset"] == pytest.approx(7.5, abs=SPIKE_ONSET_TOL_S)
    assert row["duration"] < 0.06
    assert row["channel"] == "ch3"
    assert row["scale"] == "brief"
    assert row["probability"] > 0.8 and not row["review"]


def test_5_s_burst_is_one_sustained_event(rng) -> None:
    fs = 1000.0
    x = emg_noise(rng, fs, 40.0)
    x[20_000:25_000, 0] += rng.normal(0, 0.1, 5000)
    ev = movement.score(Recording(x, fs=fs, modality="emg"), model="rules")
    assert len(ev) == 1
    row = ev.iloc[0]
    assert row["scale"] == "sustained"
    assert row["onset"] == pytest.approx(20.0, abs=0.075)
    assert row["duration"] == pytest.approx(5.0, abs=0.15)
    # >= 2 s of sustained activity [E: domain ref. section 3]; every dystonia-like call is reviewed
    assert row["trial_type"] == "dystonia-like" and row["review"]


def test_table_layout_and_provenance(rng) -> None:
    fs = 2000.0
    x = emg_noise(rng, fs, 20.0)
    for t0 in (4.0, 11.0):
        i = int(t0 * fs)
        x[i : i + 30, 0] += muap(fs)
    ev = movement.score(Recording(x, fs=fs, modality="emg", source="arm.csv"), model="rules")
    cols = list(ev.columns)
    assert tuple(cols[: len(EVENT_COLUMNS)]) == EVENT_COLUMNS
    assert tuple(cols[-3:]) == REVIEW_COLUMNS
    assert {"p_fasciculation", "p_dystonia", "p_other", *FEATURES} <= set(cols)
    assert ev["onset"].is_monotonic_increasing
    np.testing.assert_allclose(ev[["p_fasciculation", "p_dystonia", "p_other"]].sum(axis=1), 1.0)
    np.testing.assert_allclose(
        ev["probability"], ev[["p_fasciculation", "p_dystonia", "p_other"]].max(axis=1)
    )
    assert ev[list(REVIEW_COLUMNS)].isna().all().all()
    a = ev.attrs
    assert a["movement_version"] == movement.__version__
    assert a["parameters_hash"] == params_hash(a["parameters"])
    assert (a["fs"], a["modality"], a["channels"], a["source"]) == (fs, "emg", ["ch1"], "arm.csv")
    assert a["duration"] == pytest.approx(20.0)


def test_no_events_gives_an_empty_table_with_all_columns(rng) -> None:
    ev = movement.score(Recording(emg_noise(rng, 1000.0, 10.0), fs=1000, modality="emg"))
    assert len(ev) == 0
    assert tuple(ev.columns[: len(EVENT_COLUMNS)]) == EVENT_COLUMNS
    assert set(FEATURES) <= set(ev.columns)


def test_regular_6_hz_tremor_bout_is_other_at_6_hz(rng) -> None:
    fs = 100.0
    x = accel_rest(rng, fs, 120.0)
    t = np.arange(len(x)) / fs
    bout = (t >= 40) & (t < 50)
    x[bout, 0] += 0.05 * np.sin(2 * np.pi * 6.0 * t[bout])
    ev = movement.score(Recording(x, fs=fs, modality="accel"), model="rules")
    assert len(ev) == 1
    row = ev.iloc[0]
    assert row["dominant_frequency_hz"] == pytest.approx(6.0, abs=0.5)
    # a perfectly regular tremor is PD/ET-like, not dystonic [S: di Biase 2017]
    assert row["trial_type"] == "other"
    assert "regular_tremor" in row["reason"]


def test_settings_change_the_result_and_the_hash(rng) -> None:
    fs = 2000.0
    x = emg_noise(rng, fs, 20.0)
    i = int(10 * fs)
    x[i : i + 30, 0] += muap(fs, amplitude=0.5)
    rec = Recording(x, fs=fs, modality="emg")
    default = movement.score(rec, model="rules")
    strict = movement.score(
        rec, Settings().with_overrides(["emg.min_muap_fs_hz=4000"]), model="rules"
    )
    assert len(default) == 1 and len(strict) == 0
    assert default.attrs["parameters_hash"] != strict.attrs["parameters_hash"]
    same = movement.score(rec, EMGConfig(), model="rules")
    assert same.attrs["parameters_hash"] == default.attrs["parameters_hash"]


def test_config_of_the_wrong_modality_is_rejected(rng) -> None:
    rec = Recording(emg_noise(rng, 1000.0, 5.0), fs=1000, modality="emg")
    with pytest.raises(movement.MovementError, match="accel config"):
        movement.score(rec, AccelConfig())


def test_score_reads_a_path(tmp_path, rng) -> None:
    fs = 100.0
    x = accel_rest(rng, fs, 30.0)
    t = np.arange(len(x)) / fs
    p = tmp_path / "wrist.csv"
    np.savetxt(p, np.column_stack([t, x]), delimiter=",", header="time,x,y,z", comments="")
    ev = movement.score(p, model="rules")
    assert ev.attrs["source"] == str(p) and ev.attrs["fs"] == pytest.approx(fs)


def test_a_fitted_object_with_predict_proba_can_be_the_model(rng) -> None:
    class AlwaysOther:
        classes_ = np.array(["other", "dystonia-like", "fasciculation-like"])

        def predict_proba(self, X):
            return np.tile([1.0, 0.0, 0.0], (len(X), 1))

    fs = 2000.0
    x = emg_noise(rng, fs, 10.0)
    x[8000:8030, 0] += muap(fs)
    ev = movement.score(Recording(x, fs=fs, modality="emg"), model=AlwaysOther())
    assert ev["trial_type"].tolist() == ["other"]
    assert ev["p_other"].tolist() == [1.0] and ev["reason"].iloc[0].startswith("trained model")
    assert ev.attrs["model"] == "AlwaysOther"


def _events_table(onset, duration, trial_type, p_other, channel, scale="sustained"):
    import pandas as pd

    n = len(onset)
    p_other = np.asarray(p_other, float)
    rest = (1.0 - p_other) / 2
    return pd.DataFrame(
        {
            "onset": np.asarray(onset, float),
            "duration": np.asarray(duration, float),
            "trial_type": trial_type,
            "probability": p_other,
            "review": [False] * (n - 1) + [True],
            "reason": ["r"] * n,
            "channel": channel,
            "p_fasciculation": rest,
            "p_dystonia": rest,
            "p_other": p_other,
            "scale": scale,
            "peak_amplitude": np.arange(1.0, n + 1),
            "n_channels_active": [1] * n,
            "clipped": [False] * n,
            "rms": np.arange(10.0, 10.0 + n),
        }
    )


def test_other_bout_pieces_are_joined_and_targets_kept() -> None:
    import pandas as pd

    from movement.pipeline import merge_other_bouts

    # a walking bout in three pieces (gaps 0.3 s), a twitch, then a reach 3 s later
    ev = _events_table(
        [10.0, 11.3, 12.0, 14.0, 17.0],
        [1.0, 0.4, 2.0, 0.01, 1.5],
        ["other", "other", "other", "fasciculation-like", "other"],
        [0.6, 0.9, 0.8, 0.1, 0.7],
        ["ch1", "ch2", "ch1,ch2", "ch1", "ch1"],
    )
    ev.attrs["modality"] = "emg"
    out = merge_other_bouts(ev, 0.5)
    assert out["trial_type"].tolist() == ["other", "fasciculation-like", "other"]
    first = out.iloc[0]
    assert first["onset"] == 10.0 and first["duration"] == pytest.approx(4.0)
    assert first["channel"] == "ch1,ch2"
    # duration-weighted probabilities: (1.0 * 0.6 + 0.4 * 0.9 + 2.0 * 0.8) / 3.4
    assert first["p_other"] == pytest.approx((0.6 + 0.36 + 1.6) / 3.4)
    assert first["probability"] == first["p_other"]
    np.testing.assert_allclose(out[["p_fasciculation", "p_dystonia", "p_other"]].sum(axis=1), 1)
    assert first["peak_amplitude"] == 3.0 and first["rms"] == 12.0  # max; the longest part's
    assert first["reason"].startswith("3 other segments joined")
    # the twitch and the reach are untouched (a twitch between others also splits a bout)
    pd_rows = out.iloc[1:].reset_index(drop=True)
    pd.testing.assert_frame_equal(pd_rows, ev.iloc[3:].reset_index(drop=True), check_exact=True)
    assert out.attrs == ev.attrs
    # 0 turns it off; a target event between two close others keeps them apart
    assert merge_other_bouts(ev, 0.0) is ev
    ev2 = _events_table(
        [0.0, 0.6, 0.7],
        [0.5, 0.05, 0.5],
        ["other", "dystonia-like", "other"],
        [0.9] * 3,
        ["ch1"] * 3,
    )
    assert len(merge_other_bouts(ev2, 0.5)) == 3
    # missing data between two close others keeps them apart too
    assert len(merge_other_bouts(ev, 0.5, np.array([[11.1, 11.2]]))) == 4
    assert len(merge_other_bouts(ev, 0.5, np.array([[5.0, 6.0], [20.0, 21.0]]))) == 3


def test_a_bout_flagged_by_a_part_says_why() -> None:
    from movement.pipeline import merge_other_bouts

    # the longest part is not flagged, a short one is (low SNR): the joined bout is flagged,
    # and its reason (the longest part's) said no "review:" part before
    ev = _events_table([0.0, 1.2, 1.9], [1.0, 0.5, 0.3], ["other"] * 3, [0.9] * 3, ["ch1"] * 3)
    ev["reason"] = ["walking", "reach | review: low SNR", "reach | review: low SNR"]
    ev["review"] = [False, True, True]
    out = merge_other_bouts(ev, 0.5)
    assert len(out) == 1 and bool(out["review"].iloc[0])
    assert out["reason"].iloc[0] == (
        "3 other segments joined (gaps <= 0.5 s); walking | review: low SNR (in 2 of 3 parts)"
    )
    # an unflagged bout, or one whose longest part says why, is worded as before
    ev["review"] = False
    assert " | review: " not in merge_other_bouts(ev, 0.5)["reason"].iloc[0]
    ev["reason"] = ["walking | review: clipped", "reach", "reach"]
    ev["review"] = [True, False, False]
    assert merge_other_bouts(ev, 0.5)["reason"].iloc[0] == (
        "3 other segments joined (gaps <= 0.5 s); walking | review: clipped"
    )


def test_walking_bout_is_one_other_event() -> None:
    from movement.simulate import simulate

    # a simulated recording holding a walking bout: one 'other' event covers it
    sim = simulate("emg", 300, 700002, snr_db=6.0, confounders="all")
    walk = sim.events[sim.events["subtype"] == "walking"].iloc[0]
    ev = movement.score(sim.recording, model="rules")
    a, b = walk["onset"], walk["onset"] + walk["duration"]
    inside = ev[(ev["onset"] < b) & (ev["onset"] + ev["duration"] > a)]
    assert inside["trial_type"].tolist() == ["other"]
    assert inside["onset"].iloc[0] == pytest.approx(a, abs=0.5)
    assert inside["onset"].iloc[0] + inside["duration"].iloc[0] == pytest.approx(b, abs=1.0)


def test_settings_the_rate_keeps_from_applying_are_said(tmp_path) -> None:
    """A notch at 1500 Hz on 2 kHz EMG was recorded and never applied, a gravity low-pass
    above 0.45 x the rate was capped, without a word; a motion high-pass above the band
    was an internal error. The defaults say nothing."""
    import warnings

    from movement.config import AccelConfig, EMGConfig
    from movement.errors import RecordingError
    from movement.pipeline import check_rate

    with pytest.warns(
        UserWarning, match=r"notch_hz 1500 Hz not applied \(at or above 0.48 x 2000 Hz\)"
    ):
        check_rate(2000.0, EMGConfig(notch_hz=1500.0), "e.npy")
    with pytest.warns(UserWarning, match=r"gravity_cutoff_hz 1000 Hz applied as 45 Hz"):
        check_rate(100.0, AccelConfig(gravity_cutoff_hz=1000.0), "a.csv")
    with pytest.raises(
        RecordingError,
        match=r"60 Hz high-pass \(accel.motion_highpass_hz\) needs a rate above 133.3 Hz",
    ):
        check_rate(100.0, AccelConfig(band_high_hz=1000.0, motion_highpass_hz=60.0), "a.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_rate(100.0, AccelConfig())
        check_rate(2000.0, EMGConfig())
        check_rate(100.0, EMGConfig())  # (the default notch at 100 Hz: noted, not warned)
