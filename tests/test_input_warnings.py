"""Inputs users reported: accelerometer columns named ``ax``/``accX``..., channels constant
over the whole recording, EMG units off by orders of magnitude or unknown, booleans
written alike by every events writer, and a review page's source path relative to the
folder the recording was scored in. The whole read (:func:`movement.read`) and the
streamed one (:mod:`movement.stream`) are checked to say the same."""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import movement
from movement.export import read_bids_events, write_bids_events
from movement.io import _guess_modality
from movement.output import events_to_tsv, write_events
from movement.recording import (
    EMG_PEAK_RANGE_UV,
    emg_unit_key,
    emg_units_note,
    flat_channels,
    flat_note,
)
from movement.stream import described, header_of, score_stream

G = 9.80665


def _said(record: list[warnings.WarningMessage], words: str) -> list[str]:
    """The UserWarnings recorded that hold ``words``."""
    return [
        str(w.message)
        for w in record
        if issubclass(w.category, UserWarning) and words in str(w.message)
    ]


def _accel_csv(path: Path, names: list[str], n: int = 3000, scale: float = G) -> Path:
    """A still wrist sensor (z up) at 100 Hz with a time column, in m/s² by default."""
    x = np.random.default_rng(0).normal(0.0, 0.01, (n, 3))
    x[:, 2] += 1.0
    table = pd.DataFrame(x * scale, columns=names)
    table.insert(0, "time", np.arange(n) / 100.0)
    table.to_csv(path, index=False)
    return path


def _npy(path: Path, data: np.ndarray, **side: object) -> Path:
    np.save(path, data)
    path.with_suffix(".json").write_text(json.dumps(side))
    return path


# ------------------------------------------------------------------ 1. accelerometer names


@pytest.mark.parametrize(
    "names",
    [
        ["ax", "ay", "az"],
        ["AX", "AY", "AZ"],
        ["accX", "accY", "accZ"],
        ["AccelX", "AccelY", "AccelZ"],
        ["accelerometerX", "accelerometerY", "accelerometerZ"],
        ["ax (m/s^2)", "ay (m/s^2)", "az (m/s^2)"],
        ["wrist_ax", "wrist_ay", "wrist_az"],
    ],
)
def test_accelerometer_axis_names_tell_the_modality(tmp_path: Path, names: list[str]) -> None:
    """Columns named as an accelerometer's axes are accelerometry, their units detected
    (m/s² here), in the whole read and the streamed one."""
    path = _accel_csv(tmp_path / "wrist.csv", names)
    rec = movement.read(path)
    assert rec.modality == "accel" and rec.units == "g"
    assert rec.notes["modality_from"] == "channel names"
    assert "detected as m/s2" in rec.notes["units"]
    np.testing.assert_allclose(np.median(rec.data[:, 2]), 1.0, atol=0.01)
    meta, _ = header_of(path)
    assert meta.modality == "accel" and meta.units == "g"
    assert meta.notes["units"] == rec.notes["units"]


def test_names_that_are_not_axes() -> None:
    # the names recognised before still are; words merely ending in x are not axes, and a
    # gyroscope's or magnetometer's short names are not an accelerometer's
    assert _guess_modality(["x", "y", "z"]) == "accel"
    assert _guess_modality(["acc_x", "acc_y", "acc_z"]) == "accel"
    assert _guess_modality(["a_x", "a_y", "a_z"]) == "accel"
    assert _guess_modality(["max", "relax", "box"]) is None
    assert _guess_modality(["gx", "gy", "gz"]) is None
    assert _guess_modality(["ax", "ay", "az", "gx", "gy", "gz"]) is None  # (an IMU: say which)
    assert _guess_modality(["emg1", "emg2"]) == "emg"


def test_short_gyroscope_names_are_said(tmp_path: Path) -> None:
    """An IMU's ``ax..az, gx..gz`` read as accelerometry: the gyroscope's columns are named
    in the warning (they would be scored as acceleration)."""
    x = np.random.default_rng(1).normal(0.0, 0.01, (3000, 6))
    x[:, 2] += 1.0
    with pytest.warns(UserWarning, match="gx, gy, gz look like a gyroscope's"):
        movement.Recording(
            x, fs=100, modality="accel", channels=["ax", "ay", "az", "gx", "gy", "gz"]
        )


# ------------------------------------------------------------------------ 2. flat channels


def test_a_constant_channel_is_said_once_whole_and_streamed(tmp_path: Path) -> None:
    x = np.random.default_rng(2).normal(0.0, 0.05, (40000, 2))
    x[:, 1] = 0.0  # a disconnected electrode
    path = _npy(tmp_path / "emg.npy", x, SamplingFrequency=2000, Modality="emg", Units="mV")
    with warnings.catch_warnings(record=True) as whole:
        warnings.simplefilter("always")
        rec = movement.read(path)
    expected = (
        "channel ch2 is constant (0) over the whole recording: a disconnected or saturated "
        "sensor? (nothing can be found on it; leave it out with --channels, channels=)"
    )
    assert _said(whole, "constant") == [f"{path}: {expected}"]
    assert rec.notes["flat"] == expected
    with warnings.catch_warnings(record=True) as streamed:
        warnings.simplefilter("always")
        events = score_stream(path, model="rules", window_s=8)
    assert _said(streamed, "constant") == [f"{path}: {expected}"]
    assert events.attrs["notes"]["flat"] == expected
    with warnings.catch_warnings(record=True) as scored:
        warnings.simplefilter("always")
        events = movement.score(path, model="rules", stream=False)
    assert _said(scored, "constant") == [f"{path}: {expected}"]
    assert events.attrs["notes"]["flat"] == expected


def test_a_file_of_zeros_is_said(tmp_path: Path) -> None:
    path = _npy(
        tmp_path / "zeros.npy", np.zeros((20000, 2)), SamplingFrequency=2000, Modality="emg"
    )
    for how in (movement.read, lambda p: described(p)):
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            how(path)
        assert _said(said, "every channel is constant") == [
            f"{path}: every channel is constant over the whole recording (ch1 0, ch2 0): a "
            "disconnected sensor, or a file of zeros? (nothing can be found in it)"
        ]


def test_a_stuck_axis_in_a_streamed_table(tmp_path: Path) -> None:
    """A CSV table streamed in chunks finds the constant axis in its first pass, with the
    value in g (after the unit's conversion), as the whole read does."""
    n = 30000
    x = np.random.default_rng(3).normal(0.0, 0.05, (n, 3)) * G
    x[:, 2] = G  # stuck at 1 g
    x[7, 0] = np.nan  # (a missing value: the slow NaN-aware path of the pass)
    table = pd.DataFrame(x, columns=["x", "y", "z"])
    table.insert(0, "time", np.arange(n) / 100.0)
    table.to_csv(tmp_path / "stuck.csv", index=False)
    path = tmp_path / "stuck.csv"
    with warnings.catch_warnings(record=True) as whole:
        warnings.simplefilter("always")
        movement.read(path)
    with warnings.catch_warnings(record=True) as streamed:
        warnings.simplefilter("always")
        meta, _, _ = described(path, chunk_rows=4000)
    text = (
        "channel z is constant (1) over the whole recording: a disconnected or saturated "
        "sensor? (nothing can be found on it)"
    )
    assert _said(whole, "constant") == _said(streamed, "constant") == [f"{path}: {text}"]
    assert meta.notes["flat"] == text


def test_varying_channels_say_nothing(tmp_path: Path) -> None:
    x = np.random.default_rng(4).normal(0.0, 0.05, (20000, 2))
    path = _npy(tmp_path / "fine.npy", x, SamplingFrequency=2000, Modality="emg", Units="mV")
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        rec = movement.read(path)
        described(path)
    assert not _said(said, "constant") and "flat" not in rec.notes


def test_flat_channels_looks_whole_only_where_the_sample_is_flat() -> None:
    n = 600_000
    x = np.zeros((n, 3))
    x[:, 0] = np.arange(n) % 7  # varies in any sample
    x[300_500, 1] = 1.0  # one value between the sample's runs of rows
    x[:, 2] = np.nan
    x[::2, 2] = -0.5  # constant where not missing
    assert flat_channels(x) == {2: -0.5}
    assert flat_note(("a", "b", "c"), {0: 0.0, 2: -0.5}).startswith(
        "channels a (0), c (-0.5) are constant over the whole recording"
    )
    assert flat_note(("a", "b"), {}) == ""


# --------------------------------------------------------------------------- 3. EMG units


def _emg(tmp_path: Path, values: np.ndarray, units: str | None) -> Path:
    side: dict[str, object] = {"SamplingFrequency": 2000, "Modality": "emg"}
    if units is not None:
        side["Units"] = units
    return _npy(tmp_path / "emg.npy", values, **side)


def _unit_warnings(path: Path) -> tuple[list[str], list[str], movement.Recording]:
    """The EMG unit warnings of the whole read and of the streamed one."""
    with warnings.catch_warnings(record=True) as whole:
        warnings.simplefilter("always")
        rec = movement.read(path)
    with warnings.catch_warnings(record=True) as streamed:
        warnings.simplefilter("always")
        header_of(path)
    words = "EMG units"
    return _said(whole, words), _said(streamed, words), rec


def _surface_emg(seed: int = 5) -> np.ndarray:
    """20 s of surface EMG in µV: ~5 µV of rest, two 2 s contractions of ~300 µV."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 5.0, (40000, 2))
    for a in (8000, 24000):
        x[a : a + 4000] += rng.normal(0.0, 300.0, (4000, 2))
    return x


def test_volts_that_are_microvolts(tmp_path: Path) -> None:
    """Values of ~1000 stated in V: a warning, the unit that fits, the values kept."""
    path = _emg(tmp_path, _surface_emg(), "V")
    whole, streamed, rec = _unit_warnings(path)
    assert len(whole) == 1 and whole == streamed
    assert "EMG units 'V' look wrong by orders of magnitude (are they in µV?)" in whole[0]
    assert rec.units == "V" and rec.notes["units"] in whole[0]
    np.testing.assert_array_equal(rec.data, np.load(path))  # (kept as stated)


def test_millivolts_that_are_microvolts(tmp_path: Path) -> None:
    whole, streamed, _ = _unit_warnings(_emg(tmp_path, _surface_emg(), "mV"))
    assert len(whole) == 1 and whole == streamed and "(are they in µV?)" in whole[0]


def test_microvolts_that_are_millivolts(tmp_path: Path) -> None:
    """Resting EMG in mV (~0.005) stated in µV: below any amplifier's noise."""
    rest = np.random.default_rng(6).normal(0.0, 0.005, (40000, 2))
    whole, streamed, _ = _unit_warnings(_emg(tmp_path, rest, "uV"))
    assert len(whole) == 1 and whole == streamed
    assert "EMG units 'uV' look wrong" in whole[0] and "stay below" in whole[0]


@pytest.mark.parametrize(
    ("scale", "units"),
    [(1.0, "uV"), (1.0, "µV"), (1.0, "μV"), (1.0, "microvolts"), (1e-3, "mV"), (1e-6, "V"),
     (1.0, None), (1.0, "a.u.")],
)  # fmt: skip
def test_plausible_units_say_nothing(tmp_path: Path, scale: float, units: str | None) -> None:
    whole, streamed, rec = _unit_warnings(_emg(tmp_path, _surface_emg() * scale, units))
    assert whole == streamed == []
    assert rec.units == (units or "a.u.") and "units" not in rec.notes


def test_needle_emg_in_millivolts_is_plausible(real) -> None:
    path = real("physionet_emgdb/emg_neuropathy.hea")
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        rec = movement.read(path)
    assert rec.units == "mV" and not _said(said, "EMG units")


def test_unknown_emg_units_are_said(tmp_path: Path) -> None:
    whole, streamed, rec = _unit_warnings(_emg(tmp_path, _surface_emg(), "counts"))
    assert (
        whole
        == streamed
        == [
            f"{tmp_path / 'emg.npy'}: unknown EMG units 'counts' (known: V, mV, µV or uV; a.u. "
            "for none): the values are kept as they are, their magnitude not checked"
        ]
    )
    assert rec.units == "counts"


def test_emg_unit_spellings_and_range() -> None:
    assert {emg_unit_key(u) for u in ("uV", "µV", "μV", "[uV]", "UV")} == {"uv"}
    assert emg_unit_key(" mV ") == "mv" and emg_unit_key(None) == ""
    lo, hi = EMG_PEAK_RANGE_UV
    assert lo <= 1.0 and hi >= 1e4  # (generous: 1 µV noise peaks and 10 mV needle EMG pass)
    # one channel with an artefact is no unit error: every channel must be off
    x = _surface_emg()
    x[:, 1] *= 1e4
    assert emg_units_note(x, "uV") == ""
    assert emg_units_note(np.zeros((100, 2)), "V") == ""  # (constant: said apart)


# -------------------------------------------------------------------------- 4. booleans


def test_every_events_writer_writes_booleans_alike(tmp_path: Path) -> None:
    """``write_bids_events`` writes the table ``movement score`` writes, byte for byte
    (booleans as True/False, as the score tables always had them), and both read back."""
    x = np.random.default_rng(7).normal(0.0, 0.01, (20000, 1))
    x[10000:10030, 0] += np.hanning(30) * 0.5
    events = movement.score(movement.Recording(x, fs=2000, modality="emg"), model="rules")
    events = pd.concat([events, events.assign(onset=events["onset"] + 1.0, review=True)])
    events = events.reset_index(drop=True)
    assert events["review"].dtype == bool and events["clipped"].dtype == bool
    tsv_score, _ = write_events(events, tmp_path / "score", "rec")
    tsv_bids, _ = write_bids_events(events, tmp_path / "bids" / "rec.npy", sidecar={})
    assert tsv_bids.read_bytes() == tsv_score.read_bytes()
    assert "\tTrue\t" in tsv_bids.read_text() and "\ttrue\t" not in tsv_bids.read_text()
    for tsv in (tsv_score, tsv_bids):
        back = read_bids_events(tsv)
        assert back["review"].tolist() == events["review"].tolist()
        assert pd.read_csv(tsv, sep="\t")["review"].dtype == bool  # (pandas alone too)
    # a review column holding missing values (object) was already True/False: unchanged
    mixed = pd.DataFrame({"onset": [1.0, 2.0], "duration": [0.1, 0.1], "review": [True, None]})
    tsv, _ = write_bids_events(mixed, tmp_path / "m.csv", sidecar={})
    assert (
        tsv.read_text()
        == events_to_tsv(mixed)
        == "onset\tduration\treview\n1\t0.1\tTrue\n2\t0.1\tn/a\n"
    )


def test_tables_written_in_lower_case_still_read(tmp_path: Path) -> None:
    tsv = tmp_path / "old_events.tsv"
    tsv.write_text(
        "onset\tduration\ttrial_type\treview\n1\t0.1\tother\ttrue\n2\t0.1\tother\tfalse\n"
    )
    assert read_bids_events(tsv)["review"].tolist() == [True, False]


# ------------------------------------------------------------- 5. relative source paths


@pytest.fixture
def scored_elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A recording scored from its own folder by a relative path, into another folder."""
    pytest.importorskip("matplotlib")
    from movement.cli import main
    from movement.simulate import simulate, write_simulation

    study = tmp_path / "study"
    data, results, elsewhere = study / "data", study / "results", tmp_path / "elsewhere"
    write_simulation(simulate("accel", 60, 4), data, "wrist")
    (data / "wrist_events.tsv").unlink()  # (ground truth: not needed here)
    elsewhere.mkdir()
    monkeypatch.chdir(data)
    assert main(["score", "wrist.csv", "--out", "../results", "--model", "rules", "-q"]) == 0
    assert (
        json.loads((results / "wrist_events.json").read_text())["recording"]["source"]
        == "wrist.csv"
    )
    return {"study": study, "data": data, "results": results, "elsewhere": elsewhere}


def test_report_from_another_folder_finds_the_relative_source(
    scored_elsewhere: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from movement.cli import main

    d = scored_elsewhere
    capsys.readouterr()
    for cwd, recording, events in (
        (d["elsewhere"], d["data"] / "wrist.csv", d["results"]),  # absolute paths
        (d["study"], Path("data/wrist.csv"), Path("results")),  # relative to another folder
        (d["results"], Path("../data/wrist.csv"), Path(".")),
    ):
        monkeypatch.chdir(cwd)
        assert (
            main(["report", str(recording), "--events", str(events), "--out", str(d["elsewhere"])])
            == 0
        )
        err = capsys.readouterr().err
        assert "found in" not in err, err
    assert (d["elsewhere"] / "wrist_report.html").exists()


def test_report_api_with_the_events_folder(scored_elsewhere: dict[str, Path], monkeypatch) -> None:
    """``source`` relative to the events table's folder (scored with ``--out .``) is found
    through ``attrs["events_file"]``; a moved recording still warns, saying it is gone."""
    import movement.report  # noqa: F401  (the module; ``movement.report`` is also a function)

    R = sys.modules["movement.report"]
    d = scored_elsewhere
    monkeypatch.chdir(d["elsewhere"])
    events = read_bids_events(d["results"] / "wrist_events.tsv")
    assert events.attrs["events_file"] == str(d["results"] / "wrist_events.tsv")
    events.attrs["source"] = "../data/wrist.csv"  # (relative to the results folder)
    rec = movement.read(d["data"] / "wrist.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        R.write_report(rec, events, d["elsewhere"] / "a_report.html", max_event_plots=1)
    moved = d["elsewhere"] / "renamed.csv"
    moved.write_bytes((d["data"] / "wrist.csv").read_bytes())
    (d["elsewhere"] / "renamed.json").write_bytes((d["data"] / "wrist.json").read_bytes())
    events.attrs["source"] = "gone/wrist.csv"
    with pytest.warns(
        UserWarning,
        match=r"found in gone/wrist\.csv \(no such file from here, nor beside the events\); drawn on .*renamed\.csv",
    ):
        R.write_report(
            movement.read(moved), events, d["elsewhere"] / "b_report.html", max_event_plots=1
        )
