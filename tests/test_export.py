"""BIDS events and EDF+ annotation writers: round trips."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from movement.errors import MissingExtraError, MovementError
from movement.export import events_paths, read_bids_events, write_bids_events, write_edf_annotations


@pytest.fixture
def events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "onset": [1.25, 150.5, 1234.5678],
            "duration": [0.1, 3.0, 0.05],
            "trial_type": ["fasciculation-like", "dystonia-like", "other"],
            "probability": [0.913, 0.7, 0.5],
            "review": [True, False, True],
            "reason": ["isolated brief burst", "sustained 5 Hz", "low snr"],
            "channel": ["ch1", "ch1,ch3", "xyz"],
            "snr_db": [12.5, np.nan, 3.25],
            "review_status": [None, None, None],
        }
    )


def test_events_paths() -> None:
    tsv, js = events_paths("out/sub-01_emg.edf")
    assert tsv == Path("out/sub-01_emg_events.tsv")
    assert js == Path("out/sub-01_emg_events.json")
    assert events_paths("a/rec_events.tsv")[0] == Path("a/rec_events.tsv")
    assert events_paths("a/rec.csv.gz")[1] == Path("a/rec_events.json")


def test_bids_round_trip(tmp_path: Path, events: pd.DataFrame) -> None:
    sidecar = {
        "onset": {"Description": "seconds from the first sample", "Units": "s"},
        "movement_version": "0.1.0",
        "parameters": {"threshold": np.float64(3.5), "n": np.int64(4)},
        "parameters_hash": "abc123",
    }
    shuffled = events[
        [
            "trial_type",
            "onset",
            "probability",
            "duration",
            "review",
            "reason",
            "channel",
            "snr_db",
            "review_status",
        ]
    ]
    tsv, js = write_bids_events(shuffled, tmp_path / "rec.edf", sidecar=sidecar)
    assert tsv.name == "rec_events.tsv" and js.name == "rec_events.json"
    lines = tsv.read_text().splitlines()
    assert lines[0].split("\t")[:2] == ["onset", "duration"]  # BIDS order
    assert "n/a" in lines[1] and "nan" not in tsv.read_text().lower()
    back = read_bids_events(tsv)
    assert len(back) == 3
    np.testing.assert_allclose(back["onset"], events["onset"])
    np.testing.assert_allclose(back["duration"], events["duration"])
    np.testing.assert_allclose(back["probability"], events["probability"])
    assert back["trial_type"].tolist() == events["trial_type"].tolist()
    assert back["review"].tolist() == [True, False, True]
    assert back["channel"].tolist() == ["ch1", "ch1,ch3", "xyz"]
    assert np.isnan(back["snr_db"][1]) and back["review_status"].isna().all()
    meta = json.loads(js.read_text())
    assert meta["parameters"] == {"threshold": 3.5, "n": 4}
    assert meta["parameters_hash"] == "abc123"


def test_bids_atomic_no_leftovers(tmp_path: Path, events: pd.DataFrame) -> None:
    write_bids_events(events, tmp_path / "rec.csv", sidecar={})
    write_bids_events(events.iloc[:1], tmp_path / "rec.csv", sidecar={"x": 1})  # overwrite
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rec_events.json", "rec_events.tsv"]
    assert len(read_bids_events(tmp_path / "rec_events.tsv")) == 1
    mode = (tmp_path / "rec_events.tsv").stat().st_mode & 0o777
    mask = os.umask(0)
    os.umask(mask)
    assert mode == 0o666 & ~mask


def test_bids_failure_keeps_old_file(tmp_path: Path, events: pd.DataFrame) -> None:
    tsv, js = write_bids_events(events, tmp_path / "rec.csv", sidecar={})
    before = tsv.read_text()

    with pytest.raises(TypeError):
        write_bids_events(events, tmp_path / "rec.csv", sidecar={"bad": object()})
    assert tsv.read_text() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_bids_needs_onset(tmp_path: Path) -> None:
    with pytest.raises(MovementError, match="onset"):
        write_bids_events(pd.DataFrame({"duration": [1.0]}), tmp_path / "r.csv", sidecar={})


def test_edf_annotations_round_trip(tmp_path: Path, events: pd.DataFrame) -> None:
    edfio = pytest.importorskip("edfio")
    start = datetime(2024, 1, 2, 10, 11, 12, 500000)
    out = write_edf_annotations(events, tmp_path / "rec_events.edf", start=start, duration=1300.0)
    edf = edfio.read_edf(out)
    assert edf.num_signals == 0
    assert edf.startdatetime == start
    anns = edf.annotations
    assert [a.onset for a in anns] == pytest.approx(events["onset"].tolist())
    assert [a.duration for a in anns] == pytest.approx(events["duration"].tolist())
    assert [a.text for a in anns] == [
        "fasciculation-like p=0.91 review",
        "dystonia-like p=0.70",
        "other p=0.50 review",
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["rec_events.edf"]


def test_edf_annotations_match_recording_start(tmp_path: Path, events: pd.DataFrame) -> None:
    """Annotations written with the recording's start align with it in edfio."""
    edfio = pytest.importorskip("edfio")
    start = datetime(2024, 1, 2, 10, 11, 12)
    sig = edfio.EdfSignal(np.zeros(1300 * 10), 10, label="EMG", physical_range=(-1, 1))
    rec = edfio.Edf(
        [sig], starttime=start.time(), recording=edfio.Recording(startdate=start.date())
    )
    rec.write(tmp_path / "rec.edf")
    out = write_edf_annotations(events, tmp_path / "rec_events.edf", start=start, duration=1300.0)
    a = edfio.read_edf(out)
    r = edfio.read_edf(tmp_path / "rec.edf")
    assert a.startdatetime == r.startdatetime
    r.add_annotations(a.annotations)  # as a viewer would merge them
    assert len(r.annotations) == 3


def test_edf_annotations_no_start(tmp_path: Path, events: pd.DataFrame) -> None:
    edfio = pytest.importorskip("edfio")
    out = write_edf_annotations(events, tmp_path / "a.edf", start=None, duration=1300.0)
    assert len(edfio.read_edf(out).annotations) == 3


def test_edf_annotations_outside_recording(tmp_path: Path, events: pd.DataFrame) -> None:
    pytest.importorskip("edfio")
    with pytest.raises(MovementError, match="after the recording"):
        write_edf_annotations(events, tmp_path / "a.edf", start=None, duration=100.0)
    assert not list(tmp_path.iterdir())


def test_edf_annotations_missing_extra(
    tmp_path: Path, events: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "edfio", None)
    with pytest.raises(MissingExtraError, match=r"movement\[edf\]"):
        write_edf_annotations(events, tmp_path / "a.edf", start=None, duration=1300.0)


def test_the_events_json_names_the_amplitudes_unit(tmp_path) -> None:
    """peak_amplitude and rms were described as in "recording units", and the unit (mV for
    this EMG) appeared nowhere in the outputs."""
    import json
    from pathlib import Path

    import movement
    from movement.export import read_bids_events
    from movement.output import write_events

    src = Path(__file__).resolve().parents[1] / "data" / "sim_forearm_emg.npy"
    ev = movement.score(movement.read(src))
    tsv, side = write_events(ev, tmp_path, "emg")
    js = json.loads(side.read_text())
    assert js["rms"]["Units"] == js["peak_amplitude"]["Units"] == "mV"
    assert js["recording"]["units"] == "mV"
    assert read_bids_events(tsv).attrs["units"] == "mV"
