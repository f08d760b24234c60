"""The public functions' boundary: what a user can pass is taken as meant or refused in one
line (a :class:`movement.MovementError`), never an obscure NumPy/SciPy error or a silently
wrong result."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import DATA_DIR

import movement
from movement import AccelConfig, EMGConfig, MovementError, Recording, RecordingError, Settings
from movement.batch import ScoreOptions, score_batch, unique_stems
from movement.config import load_settings
from movement.io import find_recordings
from movement.stream import score_stream

G = 9.80665


def _accel(n: int = 3000, seed: int = 0, level: float = 1.0) -> np.ndarray:
    """Tri-axial acceleration at rest (|a| ~ ``level``) with a little noise."""
    rng = np.random.default_rng(seed)
    return (rng.normal(0, 0.01, (n, 3)) + [0.0, 0.0, 1.0]) * level


def _one_line(exc: BaseException) -> str:
    msg = str(exc)
    assert "\n" not in msg
    return msg


def _unit_warnings(caught: list) -> list[str]:
    return [str(w.message) for w in caught if "units" in str(w.message)]


# -- 1. a hand-built accelerometer Recording ends up in g ------------------------------------


@pytest.mark.parametrize(
    ("units", "scale", "detected"),
    [("mg", 1000.0, "mg"), ("m/s^2", G, "m/s2"), ("m/s²", G, "m/s2"), ("ms-2", G, "m/s2")],
)
def test_accel_recording_in_known_units_is_converted_to_g(units, scale, detected) -> None:
    x = _accel()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = Recording(x * scale, fs=100, modality="accel", units=units)
    assert rec.units == "g"
    np.testing.assert_allclose(rec.data, x, rtol=1e-12, atol=1e-12)
    assert f"detected as {detected}" in rec.notes["units"]
    assert "converted to g" in rec.notes["units"]


def test_accel_recording_in_g_is_kept_as_it_is() -> None:
    x = _accel()
    rec = Recording(x, fs=100, modality="accel", units="g")
    assert rec.units == "g" and np.shares_memory(rec.data, x) and "units" not in rec.notes
    assert Recording(x, fs=100, modality="accel", units=" G ").units == "g"


def test_accel_recording_without_units_is_detected_as_read_does(tmp_path: Path) -> None:
    x = _accel()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = Recording(x * 1000.0, fs=100, modality="accel")
        in_g = Recording(x, fs=100, modality="accel")
    assert rec.units == "g" and "detected as mg" in rec.notes["units"]
    np.testing.assert_allclose(rec.data, x, rtol=1e-12)
    assert in_g.units == "g" and "detected as g" in in_g.notes["units"]
    np.testing.assert_array_equal(in_g.data, x)
    # the same as movement.read of the same values
    np.save(tmp_path / "a.npy", x * 1000.0)
    read = movement.read(tmp_path / "a.npy", fs=100, modality="accel")
    np.testing.assert_array_equal(read.data, rec.data)
    assert read.units == rec.units == "g"


def test_accel_recording_whose_units_cannot_be_told_is_warned() -> None:
    x = _accel(level=3.5)  # near none of 1 g, 9.8 m/s^2 and 1000 mg
    with pytest.warns(UserWarning, match=r"units could not be detected.*give units="):
        rec = Recording(x, fs=100, modality="accel")
    assert rec.units == "a.u."
    np.testing.assert_array_equal(rec.data, x)
    assert "could not be detected" in rec.notes["units"]


def test_accel_recording_in_au_is_kept_without_detection() -> None:
    x = _accel(level=1000.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = Recording(x, fs=100, modality="accel", units="a.u.")
    assert rec.units == "a.u." and np.shares_memory(rec.data, x)
    assert "a.u." in rec.notes["units"]


@pytest.mark.parametrize("units", ["furlongs", "mV", "counts"])
def test_accel_recording_in_unknown_units_is_refused(units) -> None:
    with pytest.raises(RecordingError) as err:
        Recording(_accel(), fs=100, modality="accel", units=units)
    msg = _one_line(err.value)
    assert repr(units) in msg and "g, mg or m/s^2" in msg


def test_read_with_unknown_accel_units_is_refused_as_a_recording_is(tmp_path: Path) -> None:
    p = tmp_path / "a.npy"
    np.save(p, _accel())
    with pytest.raises(RecordingError) as err:
        movement.read(p, fs=100, modality="accel", units="furlongs")
    msg = _one_line(err.value)
    assert msg.startswith(f"{p}: ") and "'furlongs'" in msg and "g, mg or m/s^2" in msg
    # EMG units are kept as given
    assert movement.read(p, fs=100, modality="emg", units="furlongs").units == "furlongs"


def test_emg_recording_units_are_kept() -> None:
    x = np.random.default_rng(0).normal(0, 1, (1000, 2))
    assert Recording(x, fs=500, modality="emg").units == "a.u."
    rec = Recording(x * 1000, fs=500, modality="emg", units="uV")
    assert rec.units == "uV" and "units" not in rec.notes
    np.testing.assert_array_equal(rec.data, x * 1000)


def test_accel_in_mg_scores_as_in_g() -> None:
    sim = movement.simulate("accel", 180.0, seed=700001)
    whole = movement.score(sim.recording, model="rules")
    x = sim.recording.data
    rec = Recording(x * 1000.0, fs=sim.recording.fs, modality="accel", units="mg",
                    channels=sim.recording.channels)  # fmt: skip
    mg = movement.score(rec, model="rules")
    assert len(whole) and len(mg) == len(whole)
    assert list(mg["trial_type"]) == list(whole["trial_type"])
    np.testing.assert_allclose(mg["peak_amplitude"], whole["peak_amplitude"], rtol=1e-6)


def test_pieces_and_windows_of_an_undetected_recording_are_not_detected_again() -> None:
    """A recording whose units cannot be told (median |a| 3.5) holds a stretch that alone
    looks like m/s^2: its pieces and stream windows keep the recording's values."""
    fs = 25.0
    x = np.vstack([_accel(6000, 1, 3.5), _accel(4000, 2, G)])
    with pytest.warns(UserWarning, match="could not be detected"):
        rec = Recording(x, fs=fs, modality="accel")
    assert rec.units == "a.u."
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        part = rec.piece(6000, 10000)
    assert part.units == "a.u."
    np.testing.assert_array_equal(part.data, x[6000:])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        streamed = score_stream(rec, model="rules", window_s=100)
    assert not _unit_warnings(caught)
    whole = movement.score(rec, model="rules")
    assert len(streamed) == len(whole)
    np.testing.assert_allclose(streamed["onset"], whole["onset"], atol=1.0 / fs + 1e-9)


# -- 2. sampling rates the pipeline cannot run at ---------------------------------------------


@pytest.mark.parametrize("fs", [10.0, 50.0, 60.0, 66.0])
def test_emg_below_its_band_is_refused(fs) -> None:
    x = np.random.default_rng(0).normal(0, 0.01, (int(fs * 20), 1))
    rec = Recording(x, fs=fs, modality="emg")
    with pytest.raises(RecordingError) as err:
        movement.score(rec, model="rules")
    msg = _one_line(err.value)
    assert f"EMG at {fs:g} Hz" in msg and "30 Hz high-pass" in msg and "66.67 Hz" in msg
    with pytest.raises(RecordingError, match=f"EMG at {fs:g} Hz"):
        score_stream(rec, model="rules")


def test_emg_rate_limit_follows_the_band() -> None:
    x = np.random.default_rng(0).normal(0, 0.01, (2000, 1))
    rec = Recording(x, fs=70.0, modality="emg")
    assert isinstance(movement.score(rec, model="rules"), pd.DataFrame)
    low = Recording(x[:1000], fs=25.0, modality="emg")
    with pytest.raises(RecordingError, match="EMG at 25 Hz"):
        movement.score(low, model="rules")
    assert isinstance(movement.score(low, EMGConfig(band_low_hz=10.0), model="rules"), pd.DataFrame)


@pytest.mark.parametrize("fs", [1.0, 2.0, 2.5, 3.0])
def test_accel_below_its_blocks_is_refused(fs) -> None:
    rec = Recording(_accel(int(fs * 600)), fs=fs, modality="accel", units="g")
    with pytest.raises(RecordingError) as err:
        movement.score(rec, model="rules")
    msg = _one_line(err.value)
    assert f"accelerometry at {fs:g} Hz" in msg and "at least 4 Hz" in msg
    with pytest.raises(RecordingError, match=f"accelerometry at {fs:g} Hz"):
        score_stream(rec, model="rules")


def test_accel_at_the_lowest_rate_runs() -> None:
    rec = Recording(_accel(2400), fs=4.0, modality="accel", units="g")
    assert isinstance(movement.score(rec, model="rules"), pd.DataFrame)


def test_a_bool_is_not_a_rate(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="got True"):
        Recording(_accel(), fs=True, modality="accel")
    p = tmp_path / "a.npy"
    np.save(p, _accel())
    with pytest.raises(RecordingError, match="got True"):
        movement.read(p, fs=True, modality="accel")
    with pytest.raises(RecordingError, match="got True"):
        score_stream(p, fs=True, modality="accel")


# -- 3. channels x samples -------------------------------------------------------------------


def test_recording_of_channels_by_samples_says_so() -> None:
    with pytest.raises(RecordingError) as err:
        Recording(_accel().T, fs=100, modality="accel")
    msg = _one_line(err.value)
    assert "looks like channels x samples" in msg and "too short" not in msg


# -- 4. what score takes --------------------------------------------------------------------


def test_score_of_an_array_says_what_it_takes() -> None:
    with pytest.raises(MovementError) as err:
        movement.score(_accel())
    msg = _one_line(err.value)
    assert "Recording or the path" in msg and "movement.Recording(" in msg
    with pytest.raises(MovementError, match="Recording or the path"):
        score_stream(_accel())


@pytest.mark.parametrize("settings", ["accel.k_on=4", {"k_on": 4}, 3])
def test_score_with_wrong_settings_says_what_it_takes(settings, tmp_path: Path) -> None:
    rec = Recording(_accel(), fs=100, modality="accel", units="g")
    with pytest.raises(MovementError) as err:
        movement.score(rec, settings)
    assert "settings must be a Settings, EMGConfig, AccelConfig or None" in _one_line(err.value)
    p = tmp_path / "a.npy"
    np.save(p, _accel())
    with pytest.raises(MovementError, match="settings must be a Settings"):
        score_stream(p, settings, fs=100, modality="accel")


def test_score_takes_a_path(tmp_path: Path) -> None:
    p = tmp_path / "a.npy"
    np.save(p, _accel())
    _sidecar(p, SamplingFrequency="100 Hz", Modality="accel")
    ev = movement.score(p, AccelConfig(), model="rules")
    assert ev.attrs["fs"] == 100.0 and ev.attrs["source"] == str(p)


# -- 5. fs as text ---------------------------------------------------------------------------


def _sidecar(path: Path, **fields) -> None:
    import json

    path.with_suffix(".json").write_text(json.dumps(fields))


@pytest.mark.parametrize("fs", ["100 Hz", "100", "1e2Hz", 100, np.float64(100.0)])
def test_fs_as_text_is_read_as_a_sidecar_rate(fs, tmp_path: Path) -> None:
    p = tmp_path / "a.npy"
    np.save(p, _accel())
    assert movement.read(p, fs=fs, modality="accel").fs == 100.0
    assert movement.read(p, fs=fs, modality="accel", start_s=1, stop_s=10).fs == 100.0
    assert movement.info(p, fs=fs, modality="accel")["fs"] == 100.0
    out = movement.convert(p, tmp_path / "out", fs=fs, modality="accel")
    assert movement.read(out).fs == 100.0
    ev = score_stream(p, fs=fs, modality="accel", model="rules")
    assert isinstance(ev, pd.DataFrame)
    assert Recording(_accel(), fs=fs, modality="accel").fs == 100.0


@pytest.mark.parametrize("fs", ["100 kHz", "fast", "0", -5, [100]])
def test_fs_that_is_no_rate_is_one_line_naming_the_file(fs, tmp_path: Path) -> None:
    p = tmp_path / "a.npy"
    np.save(p, _accel())
    for call in (
        lambda: movement.read(p, fs=fs, modality="accel"),
        lambda: movement.info(p, fs=fs, modality="accel"),
        lambda: movement.convert(p, tmp_path / "out", fs=fs, modality="accel"),
        lambda: score_stream(p, fs=fs, modality="accel"),
    ):
        with pytest.raises(RecordingError) as err:
            call()
        msg = _one_line(err.value)
        assert msg.startswith(f"{p}: fs must be a positive number of Hz"), msg
    csv = tmp_path / "b.csv"
    np.savetxt(csv, _accel(), delimiter=",", header="x,y,z", comments="")
    with pytest.raises(RecordingError, match="fs must be a positive number of Hz"):
        score_stream(csv, fs=fs, modality="accel")


# -- 6. score_batch's inputs -----------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    np.savetxt(d / "a.csv", _accel(), delimiter=",", header="x,y,z", comments="")
    np.savetxt(d / "sub" / "b.csv", _accel(seed=1), delimiter=",", header="x,y,z", comments="")
    return d


_OPTS = ScoreOptions(fs=100.0, modality="accel", model="rules")


def test_score_batch_of_one_path(folder: Path, tmp_path: Path) -> None:
    for one in (str(folder / "a.csv"), folder / "a.csv"):
        rows = score_batch(one, tmp_path / "out", _OPTS, progress=False)
        assert [(r["file"], r["status"]) for r in rows] == [(str(folder / "a.csv"), "ok")]


def test_score_batch_expands_folders_and_patterns(folder: Path, tmp_path: Path) -> None:
    rows = score_batch([folder], tmp_path / "o1", _OPTS, progress=False)
    assert sorted(Path(r["file"]).name for r in rows) == ["a.csv", "b.csv"]
    assert all(r["status"] == "ok" for r in rows)
    rows = score_batch(str(folder), tmp_path / "o2", _OPTS, progress=False)
    assert len(rows) == 2
    rows = score_batch([str(folder / "**" / "b.csv")], tmp_path / "o3", _OPTS, progress=False)
    assert [Path(r["file"]).name for r in rows] == ["b.csv"]
    with pytest.raises(MovementError, match="no recordings found"):
        score_batch([str(folder / "*.edf")], tmp_path / "o4", _OPTS, progress=False)


def test_score_batch_missing_file_is_its_summary_row(folder: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    rows = score_batch([folder / "a.csv", missing], tmp_path / "out", _OPTS, progress=False)
    assert [r["status"] for r in rows] == ["ok", "error"]
    summary = pd.read_csv(tmp_path / "out" / "summary.tsv", sep="\t")
    assert "no such file" in summary.loc[summary["file"] == str(missing), "message"].iloc[0]


def test_cli_keeps_missing_inputs_as_rows(folder: Path, tmp_path: Path) -> None:
    from movement.cli import main

    missing = tmp_path / "nope.csv"
    out = tmp_path / "out"
    code = main(["score", str(folder), str(missing), "--out", str(out), "--fs", "100",
                 "--modality", "accel", "--model", "rules", "--quiet"])  # fmt: skip
    assert code != 0  # one file failed
    summary = pd.read_csv(out / "summary.tsv", sep="\t")
    assert len(summary) == 3 and (summary["status"] == "ok").sum() == 2


def test_one_path_is_a_list_of_one(folder: Path) -> None:
    assert unique_stems("s1/rest.csv") == ["rest"]
    assert find_recordings(str(folder)) == find_recordings([folder])
    assert find_recordings(folder / "a.csv") == [folder / "a.csv"]


# -- 7. Settings' construction ---------------------------------------------------------------


def test_settings_of_a_dict_is_that_modality_config() -> None:
    s = Settings(emg={"k_on": 4}, accel={"k_on": "5"})
    assert isinstance(s.emg, EMGConfig) and s.emg.k_on == 4
    assert isinstance(s.accel, AccelConfig) and s.accel.k_on == 5.0
    assert Settings(emg=None).emg == EMGConfig()


def test_settings_of_a_bad_dict_or_type_is_refused() -> None:
    with pytest.raises(MovementError, match="emg.k_on must be"):
        Settings(emg={"k_on": -1})
    with pytest.raises(MovementError, match="unknown emg parameter"):
        Settings(emg={"k_onn": 4})
    with pytest.raises(MovementError) as err:
        Settings(emg=AccelConfig())
    assert "Settings(emg=...) must be an EMGConfig" in _one_line(err.value)
    with pytest.raises(MovementError, match="Settings\\(accel=...\\) must be an AccelConfig"):
        Settings(accel="k_on=4")


# -- 8. one text where a list of texts is expected ---------------------------------------------


def test_with_overrides_takes_one_text() -> None:
    assert Settings().with_overrides("emg.k_on=4").emg.k_on == 4.0
    assert load_settings(None, "accel.k_on=5").accel.k_on == 5.0
    with pytest.raises(MovementError, match="NAME=VALUE, got 'emg.k_on'"):
        Settings().with_overrides("emg.k_on")


def test_recording_channels_as_one_text() -> None:
    x = np.random.default_rng(0).normal(0, 1, (1000, 1))
    assert Recording(x, fs=500, modality="emg", channels="biceps").channels == ("biceps",)
    rec = Recording(_accel(), fs=100, modality="accel", channels="ax, ay, az")
    assert rec.channels == ("ax", "ay", "az")


def test_train_takes_one_modality(monkeypatch) -> None:
    import movement.train as train

    class Stop(Exception):
        pass

    seen: list[str] = []

    def fake_training_set(modality, spec, settings=None):
        seen.append(modality)
        raise Stop

    monkeypatch.setattr(train, "training_set", fake_training_set)
    with pytest.raises(Stop):
        train.train("accel")
    assert seen == ["accel"]
    with pytest.raises(MovementError, match="modality must be accel or emg, got 'eeg'"):
        train.train("eeg")
    with pytest.raises(MovementError, match="modality must be accel or emg, got 'eeg'"):
        train.heldout_metrics(None, "eeg")
    clf = train.TrainedClassifier(None, "accel", "duration")
    assert clf.features_ == ["duration"]


def test_a_span_says_where_it_starts_in_the_file() -> None:
    """Events scored on part of a file have onsets from the part's first sample; the
    offset to place them in the file is a number, not only text in a note."""
    import movement

    whole = movement.score(movement.read(DATA_DIR / "sim_wrist_accel.csv"))
    rec = movement.read(DATA_DIR / "sim_wrist_accel.csv", start_s=30, stop_s=90)
    assert rec.notes["span_start_s"] == 30.0
    part = movement.score(rec)
    assert part.attrs["notes"]["span_start_s"] == 30.0
    shifted = part["onset"] + rec.notes["span_start_s"]
    inside = whole[(whole["onset"] > 35) & (whole["onset"] < 85)]["onset"]
    for t in inside:  # the events well inside the span are found at the same file times
        assert abs(shifted - t).min() < 0.05


def test_a_recording_is_not_changed_after_its_checks() -> None:
    """A Recording's fields could be set after it was made (``rec.fs = 0``, ``rec.data[5] =
    inf``), past every check; its samples are read-only and its checked fields fixed, and
    ``dataclasses.replace`` makes a new, checked one. The caller's array is not copied and
    stays writeable."""
    import dataclasses

    from movement.errors import RecordingError

    x = _accel()
    rec = Recording(x, fs=100, modality="accel", units="g")
    for name, value in (("fs", 0.0), ("data", x[:10]), ("modality", "emg"), ("channels", ("a",))):
        with pytest.raises(AttributeError, match=f"Recording.{name} is checked .*replace"):
            setattr(rec, name, value)
    with pytest.raises(ValueError, match="read-only"):
        rec.data[5, 0] = np.inf
    assert x.flags.writeable and np.shares_memory(rec.data, x)
    assert rec.fs == 100.0 and rec.modality == "accel"
    half = dataclasses.replace(rec, fs=50)
    assert half.fs == 50.0 and half.duration == 2 * rec.duration
    with pytest.raises(RecordingError, match="sampling rate must be > 0"):
        dataclasses.replace(rec, fs=0)
    rec.source = "renamed.npy"  # (not checked: free to set)
    assert rec.source == "renamed.npy"


def test_a_streams_window_is_still_overwritten_in_place() -> None:
    """A stream's window lends its own array (``overwrite=True``): the read-only view a
    Recording keeps must not cost it a full-length copy. Without ``overwrite`` the
    caller's samples are not touched."""
    from movement.config import EMGConfig
    from movement.preprocess import preprocess

    rng = np.random.default_rng(0)
    a = rng.standard_normal((2000 * 30, 2)) + 5.0
    preprocess(Recording(a, fs=2000, modality="emg"), EMGConfig(), overwrite=True)
    assert abs(a.mean()) < 0.5  # (its medians subtracted in place)
    b = rng.standard_normal((2000 * 30, 2)) + 5.0
    before = b.copy()
    preprocess(Recording(b, fs=2000, modality="emg"), EMGConfig())
    np.testing.assert_array_equal(b, before)


def test_an_imus_other_sensors_and_a_second_sensors_units_are_said(tmp_path: Path) -> None:
    """Units were judged on the first 3 columns only: a gyroscope (deg/s) beside the
    accelerometer, or a second sensor in m/s² beside one in g, was scored as acceleration
    in g without a word."""
    rng = np.random.default_rng(3)
    acc = 0.01 * rng.standard_normal((3000, 3)) + [0.0, 0.0, 1.0]
    gyro = 1.5 * rng.standard_normal((3000, 3))  # deg/s at rest: |w| ~2.6, no unit
    t = (np.arange(3000) / 100.0)[:, None]
    head = "time,acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z\n"
    np.savetxt(
        tmp_path / "imu.csv",
        np.hstack([t, acc, gyro]),
        delimiter=",",
        header=head.strip(),
        comments="",
    )
    with pytest.warns(UserWarning) as said:
        movement.read(tmp_path / "imu.csv", modality="accel")
    text = " | ".join(str(w.message) for w in said)
    assert "gyro_x, gyro_y, gyro_z look like a gyroscope's" in text
    assert "not those of gyro_x, gyro_y, gyro_z" in text and "no accelerometer unit" in text
    head = "time,wrist_x,wrist_y,wrist_z,ankle_x,ankle_y,ankle_z\n"
    np.savetxt(
        tmp_path / "two.csv",
        np.hstack([t, acc, 9.80665 * acc]),
        delimiter=",",
        header=head.strip(),
        comments="",
    )
    with pytest.warns(
        UserWarning,
        match=r"detected on the first sensor .*ankle_x, ankle_y, ankle_z \(median \|a\| 9.81: m/s²\?\)",
    ):
        movement.read(tmp_path / "two.csv", modality="accel")
    # the same from a Recording made in the library
    with pytest.warns(UserWarning, match="ankle_x, ankle_y, ankle_z"):
        Recording(
            np.hstack([acc, 9.80665 * acc]),
            fs=100,
            modality="accel",
            channels=["wrist_x", "wrist_y", "wrist_z", "ankle_x", "ankle_y", "ankle_z"],
        )
    # two sensors in g: nothing to say
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        movement.read(tmp_path / "imu.csv", modality="accel", channels=["acc_x", "acc_y", "acc_z"])
        Recording(
            np.hstack([acc, acc]),
            fs=100,
            modality="accel",
            channels=["a_x", "a_y", "a_z", "magnitude", "b_y", "b_z"],
        )


def test_module_functions_show_their_signature() -> None:
    """``movement.simulate``, ``movement.evaluate`` and ``movement.report`` are modules
    callable as their functions: Shift-Tab in Jupyter showed ``(*args, **kwargs)``."""
    import inspect

    import movement.evaluate as ev_mod
    import movement.report as rep_mod
    import movement.simulate as sim_mod

    for name, mod, func in (
        ("simulate", sim_mod, sim_mod.simulate),
        ("evaluate", ev_mod, ev_mod.evaluate),
        ("report", rep_mod, rep_mod.write_report),
    ):
        got = inspect.signature(getattr(movement, name))
        assert got == inspect.signature(func), name
        assert "modality" in got.parameters or "events" in got.parameters, name
        assert type(mod).__call__.__doc__ == func.__doc__, name
