"""Inputs users got wrong without a word: a DataFrame's time column or text
columns given to ``Recording``, a DatetimeIndex's start, channel numbers of a table whose
first column is its clock, ``start=`` checked, gravity-removed accelerometry, a label
column scored as a signal, modality spellings, an ``.npz`` of other names, what a folder
search leaves out, and a binary file named ``.csv``. Each file read whole
(:func:`movement.read`) and in chunks (:mod:`movement.stream`) alike."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import movement
from movement import recording, stream
from movement.errors import MovementError, RecordingError
from movement.io import find_recordings
from movement.simulate import simulate

WRIST = "wrist_accel_free_living_sample/sample_wrist_accelerometer_data.csv"
DAPHNET = "daphnet_fog/S01R02.txt"
PDKIT = (
    "pdkit_cloudupdrs_pd_2458/T_-_REST_TREMOR_AMPLITUDE_-_LEFT_HAND_-_2016-10-14_10-49-11_-_"
    "f73512ccfc_-_2458.csv"
)
MYO_LABELLED = "myo_wrist_gestures/12345-1/7.txt"


def _user_warnings(func, *args, **kw) -> tuple[object, list[str]]:
    """``func(*args, **kw)`` and the UserWarnings it gave (their texts)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = func(*args, **kw)
    return out, [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


def _opened(path: Path, chunk_rows: int = 700, **kw) -> tuple[stream._Source, list[str]]:
    """``path`` opened for the streamed read (its first pass), and what it warned."""
    return _user_warnings(
        stream._open,
        path,
        fs=kw.get("fs"),
        modality=kw.get("modality"),
        channels=kw.get("channels"),
        chunk_rows=chunk_rows,
    )


def _accel(n: int, seed: int = 0, gravity: bool = True) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 0.03, (n, 3))
    return np.round(x + ([0.0, 0.0, 1.0] if gravity else 0.0), 5)


# -- 1. a DataFrame's time column, a DatetimeIndex -----------------------------------------


@pytest.mark.parametrize("name", ["time", "t", "timestamp", "time_ms", "Time (s)"])
def test_a_dataframe_time_column_is_refused_not_scored(name) -> None:
    """A DataFrame's 'time' column was scored as an EMG channel ('time,emg'; F1 0.44 against
    1.0 without it): the reader's name rule now refuses it, saying what to pass."""
    x = np.random.default_rng(0).normal(0, 0.05, 4000)
    df = pd.DataFrame({name: np.arange(4000) / 2000, "emg": x})
    with pytest.raises(RecordingError) as err:
        movement.Recording(df, fs=2000, modality="emg")
    assert str(err.value) == (
        f"column {name!r} looks like a time column: pass df.drop(columns={name!r}) and fs=, "
        "or use movement.read (which reads a file's time column for the rate and start)"
    )
    rec = movement.Recording(df.drop(columns=name), fs=2000, modality="emg")
    assert rec.channels == ("emg",)


def test_a_datetime_index_gives_the_start_and_is_checked_against_fs() -> None:
    idx = pd.date_range("2024-03-01 10:00", periods=1000, freq="10ms", tz="Europe/Berlin")
    df = pd.DataFrame(_accel(1000), index=idx, columns=list("xyz"))
    rec = movement.Recording(df, fs=100, modality="accel", units="g")
    assert rec.start == idx[0] and rec.start.utcoffset() == timedelta(hours=1)  # (aware)
    # a start given wins
    given = datetime(2024, 3, 1, 9, 0)
    assert movement.Recording(df, fs=100, modality="accel", start=given).start == given
    with pytest.raises(RecordingError, match=r"fs=200 Hz disagrees with the DataFrame's "):
        movement.Recording(df, fs=200, modality="accel")
    with pytest.raises(RecordingError, match=r"does not increase at row 2 .*df.sort_index"):
        movement.Recording(df.iloc[::-1], fs=100, modality="accel")
    holed = df.drop(index=idx[300:400])
    _, said = _user_warnings(movement.Recording, holed, fs=100, modality="accel", units="g")
    assert any("DatetimeIndex has 1 hole (the longest 1.01 s" in s for s in said)


# -- 2. text columns, a Recording as data ------------------------------------------------


def test_a_text_column_is_named_with_the_selection_to_pass() -> None:
    df = pd.DataFrame(_accel(500), columns=list("xyz"))
    df["subject"] = "S01"
    with pytest.raises(RecordingError) as err:
        movement.Recording(df, fs=100, modality="accel")
    assert str(err.value) == (
        "data must be real numbers: column 'subject' holds text ('S01'): pass the signal "
        "columns alone, e.g. df[['x', 'y', 'z']]"
    )


def test_the_wrist_sample_read_with_pandas_says_its_time_column(real) -> None:
    """pd.read_csv of the wrist sample: 'data must be real numbers, got dtype object'."""
    df = pd.read_csv(real(WRIST))
    with pytest.raises(RecordingError, match=r"^column 'ts' looks like a time column: pass "):
        movement.Recording(df, fs=100, modality="accel")
    rec = movement.Recording(df[["x", "y", "z"]], fs=100, modality="accel")
    assert rec.units == "g" and rec.channels == ("x", "y", "z")


def test_a_recording_given_as_data_is_said_to_be_one() -> None:
    rec = movement.Recording(_accel(500), fs=100, modality="accel", units="g")
    with pytest.raises(RecordingError, match=r"^data is already a Recording \(Recording\(accel"):
        movement.Recording(rec, fs=100, modality="accel")


# -- 3. channel numbers of a table whose first column is its clock -----------------------


def _clocked(tmp_path: Path, n: int = 3000) -> Path:
    """A headerless table as Daphnet's: a ms clock, two tri-axial sensors in mg, a label."""
    rng = np.random.default_rng(3)
    ankle = np.round(rng.normal(0, 20, (n, 3)) + [0, 0, -1000])
    thigh = np.round(rng.normal(0, 20, (n, 3)) + [0, 1000, 0])
    label = np.repeat([0, 1, 2, 1], n // 4)
    x = np.column_stack([np.arange(n) * 15.625, ankle, thigh, label])
    p = tmp_path / "fog.txt"
    np.savetxt(p, x, fmt="%g")
    return p


def test_channel_numbers_count_the_columns_as_the_names_do(tmp_path) -> None:
    """Names counted the time column (the first channel is ch2) and numbers did not
    (number 0 was ch2): channels=[1, 2, 3] gave ch3-ch5, two sensors' axes mixed."""
    p = _clocked(tmp_path)
    for sel in ([1, 2, 3], "1,2,3", ["ch2", "ch3", "ch4"]):
        rec, _ = _user_warnings(movement.read, p, modality="accel", channels=sel)
        assert rec.channels == ("ch2", "ch3", "ch4") and rec.units == "g"
        src, _ = _opened(p, modality="accel", channels=sel)
        assert src.meta.channels == rec.channels
        np.testing.assert_array_equal(np.asarray(src.read(0, rec.n_samples)), rec.data)
    for sel, msg in (
        ([0, 1, 2], "channel index 0 is column 0 of the file (ch1), its time column, not a "
         "channel (1-7: channels are numbered by their column in the file, from 0, as they "
         "are named (ch2 is 1))"),
        ([8], "channel index 8 out of range (1-7: channels are numbered"),
    ):  # fmt: skip
        for read in (movement.read, lambda q, **kw: _opened(q, **kw)):
            with pytest.raises(RecordingError) as err, warnings.catch_warnings():
                warnings.simplefilter("ignore")
                read(p, modality="accel", channels=sel)
            assert str(err.value).startswith(f"{p}: {msg}")


def test_named_columns_are_still_numbered_without_their_time_column(tmp_path) -> None:
    df = pd.DataFrame(_accel(600), columns=list("xyz"))
    df.insert(0, "time", np.arange(600) / 100)
    df.to_csv(tmp_path / "named.csv", index=False)
    rec = movement.read(tmp_path / "named.csv", channels=[0, 1, 2])
    assert rec.channels == ("x", "y", "z")


@pytest.mark.parametrize(("rel", "want"), [(DAPHNET, "ch2"), (PDKIT, "ch2")])
def test_real_tables_with_a_clock_number_their_columns_as_named(real, rel, want) -> None:
    rec, said = _user_warnings(movement.read, real(rel), modality="accel", channels=[1, 2, 3])
    assert rec.channels[0] == want and rec.units == "g"
    assert not [s for s in said if "constant" in s]  # (pdkit's ch5, a constant 3, left out)


# -- 4. start= -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "want"),
    [
        ("2024-03-01T10:00:00", datetime(2024, 3, 1, 10)),
        ("2024-03-01 10:00:00Z", datetime(2024, 3, 1, 10, tzinfo=UTC)),
        ("2024-03-01T10:00:00+01:00", datetime(2024, 3, 1, 10, tzinfo=timezone(timedelta(hours=1)))),
        (1709287200.0, datetime(2024, 3, 1, 10, tzinfo=UTC)),
        (np.datetime64("2024-03-01T10:00:00"), datetime(2024, 3, 1, 10)),
        (pd.Timestamp("2024-03-01 10:00", tz="UTC"), datetime(2024, 3, 1, 10, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_start_is_converted_when_made(value, want) -> None:
    """An ISO text crashed in score ('can only concatenate str'), a float became
    1970-01-01T00:00:01.709."""
    rec = movement.Recording(_accel(500), fs=100, modality="accel", units="g", start=value)
    assert rec.start == want and (rec.start.tzinfo is None) == (want.tzinfo is None)
    assert rec.piece(100, 400).start == want + timedelta(seconds=1)


@pytest.mark.parametrize("value", ["yesterday", 12.5, True, pd.NaT, [2024, 3, 1]])
def test_a_start_that_is_no_time_is_one_line(value) -> None:
    with pytest.raises(RecordingError) as err:
        movement.Recording(_accel(500), fs=100, modality="accel", units="g", start=value)
    assert "start" in str(err.value) and "\n" not in str(err.value)


def test_a_start_set_later_is_converted_too() -> None:
    rec = movement.Recording(_accel(500), fs=100, modality="accel", units="g")
    rec.start = "2024-03-01T10:00:00"
    assert rec.start == datetime(2024, 3, 1, 10)
    with pytest.raises(RecordingError, match="got 'yesterday'"):
        rec.start = "yesterday"


def test_a_text_start_is_scored_on_the_clock() -> None:
    """A recording with a long gap (scored in pieces, each started at its own time)
    failed 'can only concatenate str (not "datetime.timedelta") to str'."""
    sim = simulate("accel", 300, seed=5).recording
    x = sim.data.copy()
    x[10000:17000] = np.nan  # (70 s missing: two pieces)
    rec, _ = _user_warnings(
        movement.Recording, x, fs=sim.fs, modality="accel", units="g", start="2024-03-01T10:00:00"
    )
    assert len(rec.pieces) == 2
    events, _ = _user_warnings(movement.score, rec, model="rules")
    assert str(events.attrs["start"]).startswith("2024-03-01T10:00:00")


# -- 5. gravity removed ----------------------------------------------------------------------


def test_linear_acceleration_given_in_g_is_warned_of() -> None:
    """Gravity-removed accelerometry with units='g' was scored (F1 0.41 against 1.0) with
    no word; without units, the advice was to give units='g'."""
    x = _accel(3000, gravity=False)
    rec, said = _user_warnings(movement.Recording, x, fs=100, modality="accel", units="g")
    assert said == [
        "median |a| = 0.046 g: gravity seems removed (linear acceleration); movement expects "
        "raw acceleration including gravity — the posture features and units detection need it"
    ]
    assert rec.notes["gravity"] == said[0]
    _, said = _user_warnings(
        movement.Recording, x * 9.80665, fs=100, modality="accel", units="m/s^2"
    )
    assert "gravity seems removed" in said[0]
    rec, said = _user_warnings(movement.Recording, x, fs=100, modality="accel")
    assert rec.units == "a.u." and "gravity seems removed" in said[0]
    assert "give units=" not in said[0] and "units= would not make it so" in said[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        movement.Recording(_accel(3000), fs=100, modality="accel", units="g")


def test_linear_acceleration_in_a_file_is_warned_of_once_whole_and_streamed(tmp_path) -> None:
    x = _accel(3000, gravity=False)
    p = tmp_path / "lin.csv"
    pd.DataFrame(x, columns=list("xyz")).to_csv(p, index=False)
    (tmp_path / "lin.json").write_text(json.dumps({"SamplingFrequency": 100, "Units": "g"}))
    rec, whole = _user_warnings(movement.read, p)
    src, chunks = _opened(p)
    assert whole == chunks == [f"{p}: {rec.notes['gravity']}"]
    assert src.meta.notes["gravity"] == rec.notes["gravity"]


def test_a_long_linear_recording_is_warned_of_once_over_its_windows(monkeypatch) -> None:
    sim = simulate("accel", 1800, seed=23).recording
    x = sim.data - np.median(sim.data, axis=0)
    rec, said = _user_warnings(movement.Recording, x, fs=sim.fs, modality="accel", units="g")
    assert len(said) == 1
    monkeypatch.setattr(stream, "_WINDOW_VALUES", 1)
    monkeypatch.setattr(stream, "_FASTER_MAX_OVERLAP", 1.0)
    monkeypatch.setattr(stream, "overlap_for", lambda cfg, fs, *a: 60.0)
    events, said = _user_warnings(movement.score, rec, model="rules", stream=True)
    assert events.attrs["stream"]["windows"] >= 3 and not [s for s in said if "gravity" in s]


@pytest.mark.parametrize(
    ("rel", "kw"),
    [
        (WRIST, {}),
        (DAPHNET, {"modality": "accel", "channels": [1, 2, 3]}),
        (DAPHNET, {"modality": "accel", "channels": [4, 5, 6]}),
        (DAPHNET, {"modality": "accel", "channels": [7, 8, 9]}),
        (PDKIT, {"modality": "accel", "channels": [1, 2, 3]}),
        ("biosppy_examples/acc.txt", {}),
        ("wearable_device_files/ax3_testfile.cwa", {}),
        ("wearable_device_files/ax6_testfile.cwa", {}),
        ("wearable_device_files/GENEActiv_testfile.bin", {}),
        ("wearable_device_files/genea_testfile.bin", {}),
        ("wearable_device_files/actigraph_testfile.gt3x", {}),
    ],
)
def test_real_accelerometry_is_not_taken_for_linear(real, rel, kw) -> None:
    pytest.importorskip("actfast") if rel.endswith((".cwa", ".bin", ".gt3x")) else None
    try:
        rec, said = _user_warnings(movement.read, real(rel), **kw)
    except MovementError as exc:  # (a device file this environment cannot read)
        pytest.skip(str(exc))
    assert rec.units == "g" and "gravity" not in rec.notes
    assert not [s for s in said if "gravity" in s or "label" in s]


# -- 6. a label or trigger column --------------------------------------------------------------


def _labelled_emg(tmp_path: Path, n: int = 12000) -> Path:
    rng = np.random.default_rng(7)
    emg = np.round(rng.normal(0, 20, (n, 4)) * np.repeat([0.2, 1.0] * 6, n // 12)[:, None])
    label = np.repeat([0, 7] * 6, n // 12)
    p = tmp_path / "myo.csv"
    np.savetxt(p, np.column_stack([emg, label]), fmt="%d", delimiter=",")
    return p


def test_a_label_column_is_warned_of_whole_and_streamed(tmp_path) -> None:
    """A Myo file's label column (0/7) was scored as the 9th EMG channel, unsaid."""
    p = _labelled_emg(tmp_path)
    want = (
        f"{p}: channel ch5 holds only the values 0, 7: a label or trigger column? leave it "
        "out with --channels, channels="
    )
    rec, whole = _user_warnings(movement.read, p, fs=200, modality="emg")
    src, chunks = _opened(p, fs=200, modality="emg", chunk_rows=1000)
    assert whole == chunks == [want]
    assert rec.notes["labels"] == src.meta.notes["labels"] == want.removeprefix(f"{p}: ")
    _, said = _user_warnings(movement.read, p, fs=200, modality="emg", channels=[0, 1, 2, 3])
    assert said == []


def test_the_real_myo_label_column_is_warned_of(real) -> None:
    _, said = _user_warnings(movement.read, real(MYO_LABELLED), fs=200, modality="emg")
    assert [s for s in said if "label" in s] == [
        f"{real(MYO_LABELLED)}: channel ch9 holds only the values 0, 7: a label or trigger "
        "column? leave it out with --channels, channels="
    ]
    _, said = _user_warnings(
        movement.read, real(MYO_LABELLED), fs=200, modality="emg", channels=list(range(8))
    )
    assert said == []


def test_quantised_signals_are_not_labels() -> None:
    """A Myo channel at rest holds 15 values (-8..6), changing on 87 % of rows: a signal."""
    rng = np.random.default_rng(1)
    quiet = np.clip(np.round(rng.normal(0, 2.5, 12000)), -8, 6)
    loud = np.round(rng.normal(0, 30, 12000))
    assert recording.label_channels(np.column_stack([loud, quiet])) == {}
    # every channel label-like (a file of codes), or one channel: nothing to tell apart
    codes = np.repeat([0, 1, 2, 1], 3000)
    assert recording.label_channels(np.column_stack([codes, codes[::-1]])) == {}
    assert recording.label_channels(codes[:, None]) == {}
    # a label on a grid of 200k+ rows: found in the sample, its values over every row
    long = np.column_stack([rng.normal(0, 1, 300_000), np.repeat(np.arange(12) % 3, 25_000)])
    long[150_000:150_010, 1] = 9  # (a value the sample's runs may miss)
    assert recording.label_channels(long) == {1: (0.0, 1.0, 2.0, 9.0)}


# -- 7. modality spellings, an .npz of other names -----------------------------------------


@pytest.mark.parametrize(
    ("given", "want"), [("EMG", "emg"), ("sEMG", "emg"), ("Accelerometer", "accel")]
)
def test_modality_spellings_of_sidecars_are_taken_everywhere(tmp_path, given, want) -> None:
    x = _accel(3000)
    assert movement.Recording(x, fs=100, modality=given, units="a.u.").modality == want
    np.save(tmp_path / "r.npy", x)
    assert movement.read(tmp_path / "r.npy", fs=100, modality=given).modality == want
    src, _ = _opened(tmp_path / "r.npy", fs=100, modality=given)
    assert src.meta.modality == want
    events = movement.score(tmp_path / "r.npy", fs=100, modality=given, model="rules")
    assert events.attrs["modality"] == want


def test_movement_info_takes_the_spellings_too() -> None:
    import argparse

    from movement.io.info import cli_configure

    parser = argparse.ArgumentParser()
    cli_configure(parser)
    assert parser.parse_args(["a.csv", "--modality", "sEMG"]).modality == "emg"
    with pytest.raises(SystemExit):
        parser.parse_args(["a.csv", "--modality", "eeg"])


def test_a_modality_none_knows_lists_the_spellings(tmp_path) -> None:
    with pytest.raises(RecordingError, match=r"modality must be one of accel, emg \(accel: acc, "):
        movement.Recording(_accel(500), fs=100, modality="eeg")
    np.save(tmp_path / "r.npy", _accel(500))
    with pytest.raises(MovementError, match=r"emg: semg, electromyography.*got 'eeg'"):
        movement.read(tmp_path / "r.npy", fs=100, modality="eeg")


def test_an_npz_of_other_names_says_what_it_holds_and_what_is_read(tmp_path) -> None:
    p = tmp_path / "phone.npz"
    np.savez(p, acc=_accel(1000), sampling_rate=100)
    with pytest.raises(RecordingError) as err:
        movement.read(p)
    assert str(err.value) == (
        f"{p}: no 'data' array in the archive: it holds acc (1000 x 3), sampling_rate (one "
        "value); movement reads 'data' (samples x channels) and, optional, 'fs' (Hz), "
        "'channels', 'time' (s), 'modality', 'units': save the signal as 'data' (the largest "
        "here: 'acc') and the rate as 'fs' (np.savez(path, data=..., fs=...))"
    )


# -- 8. what a folder search leaves out --------------------------------------------------------


def _study(tmp_path: Path) -> Path:
    root = tmp_path / "study"
    for name in (
        "sub-01/wrist.csv", "sub-02/wrist.csv", "derivatives/sub-01/wrist.csv",
        "results/wrist_events.tsv", "results/wrist_events_reviewed-1.tsv",
        "results/wrist_events_reviewed-12.tsv", "participants.tsv", "participants.json",
        "dataset_description.json", "sub-01/sub-01_sessions.tsv", "sub-01/sub-01_scans.tsv",
        "sub-01/wrist_electrodes.tsv", "sub-01/wrist_channels.tsv",
        "tremor/a.rit", "tremor/b.rit", "tremor/c.xyz", "tremor/README.md", "tremor/NOTES",
        ".git/objects/ab/cdef", ".git/HEAD",
    ):  # fmt: skip
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x,y,z\n0,0,1\n")
    return root


def test_a_folder_search_leaves_out_backups_bids_tables_and_says_unknown_types(tmp_path) -> None:
    """A reviewer's backup (_events_reviewed-1.tsv) and BIDS metadata (participants.tsv...)
    were scored, and failed, every run; files of other types were dropped unsaid."""
    root = _study(tmp_path)
    found = find_recordings([root])
    assert isinstance(found, movement.io.Found) and isinstance(found, list)
    assert [p.relative_to(root).as_posix() for p in found] == [
        "derivatives/sub-01/wrist.csv",
        "sub-01/wrist.csv",
        "sub-02/wrist.csv",
    ]
    assert found.unknown == {".rit": 2, ".xyz": 1, "": 1}
    assert found.unknown_note() == (
        "4 files of unknown type left out: .rit (2), (no suffix) (1), .xyz (1)"
    )
    # named one by one, a BIDS table is tried (its reader says what is wrong); a backup not
    assert find_recordings([root / "participants.tsv"]) == [root / "participants.tsv"]
    assert find_recordings([root / "results/wrist_events_reviewed-1.tsv"]) == []
    assert find_recordings([root / "sub-01"]).unknown_note() == ""


@pytest.mark.parametrize(
    ("exclude", "left"),
    [
        ("derivatives", ["sub-01/wrist.csv", "sub-02/wrist.csv"]),
        (["derivatives/*", "sub-02/*"], ["sub-01/wrist.csv"]),
        ("*/sub-01/*", ["sub-01/wrist.csv", "sub-02/wrist.csv"]),
        ("wrist.*", []),
    ],
)
def test_exclude_patterns_leave_files_out(tmp_path, exclude, left) -> None:
    root = _study(tmp_path)
    found = find_recordings([root], exclude=exclude)
    assert [p.relative_to(root).as_posix() for p in found] == left
    assert len(found.excluded) == 3 - len(left)
    # a file named, or a glob pattern's matches: matched by its name or its path as given
    assert find_recordings([root / "sub-02/wrist.csv"], exclude="wrist.csv") == []
    assert find_recordings([str(root / "*/wrist.csv")], exclude="*sub-02*") == [
        root / "sub-01/wrist.csv"
    ]
    with pytest.raises(MovementError, match="exclude: a pattern must be non-empty text"):
        find_recordings([root], exclude=[""])


# -- 9. a binary file named as a text table ----------------------------------------------------


@pytest.mark.parametrize(
    ("write", "said"),
    [
        (lambda p: np.save(p.with_suffix(".tmp.npy"), _accel(3000)), "the file starts like a "
         "NumPy .npy file; rename it .npy"),
        (lambda p: np.savez(p.with_suffix(".tmp.npz"), data=_accel(3000)), "the file starts "
         "like a ZIP archive"),
        (lambda p: p.with_suffix(".tmp.npy").write_bytes(b"\x00\x01\x02" * 2000), "the file holds "
         "binary data (NUL bytes in its first 4 KB)"),
        (lambda p: p.with_suffix(".tmp.npy").write_bytes("x,y\n1,2\n".encode("utf-16")), "the "
         "file is UTF-16 text; save it as UTF-8"),
    ],
)  # fmt: skip
def test_a_binary_file_named_csv_is_one_line(tmp_path, write, said) -> None:
    """An .npy renamed .csv: 'internal error Error: field larger than field limit (131072)'."""
    tmp = tmp_path / "a.csv"
    write(tmp)
    made = next(tmp_path.glob("a.tmp.*"))
    made.rename(tmp)
    for read in (movement.read, lambda q, **kw: _opened(q, **kw)):
        with pytest.raises(RecordingError) as err:
            read(tmp, fs=100, modality="accel")
        assert str(err.value).startswith(f"{tmp}: not a text table") and said in str(err.value)
