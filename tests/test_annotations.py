"""Annotation files beside the events tables: WFDB (``write_wfdb_annotations``), EDF+ from a
scored table's attrs (``write_annotations``) and ``movement score --annotations``."""

from __future__ import annotations

import os
import shutil
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import movement
from movement.cli import main
from movement.errors import MissingExtraError, MovementError
from movement.export import (
    annotation_path,
    read_bids_events,
    write_annotations,
    write_wfdb_annotations,
)
from movement.io import find_recordings

wfdb = pytest.importorskip("wfdb")
edfio = pytest.importorskip("edfio")

# (wfdb's own use of deprecated pandas calls when it reads a file)
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:wfdb")

DATA = Path(__file__).resolve().parent.parent / "data"


def _events(**columns) -> pd.DataFrame:
    base = {
        "onset": [1.0, 2.5, 2.5],
        "duration": [0.2, 4.0, 0.5],
        "trial_type": ["fasciculation-like", "dystonia-like", "other"],
        "probability": [0.9, 0.75, 0.5],
        "review": [False, True, False],
        "channel": ["b", "c,a", None],
    }
    base.update(columns)
    return pd.DataFrame(base)


def test_wfdb_round_trip(tmp_path: Path) -> None:
    ev = _events()
    out = write_wfdb_annotations(ev, tmp_path / "rec.mvt", fs=100.0, channels=["a", "b", "c"])
    assert out == tmp_path / "rec.mvt"
    ann = wfdb.rdann(str(tmp_path / "rec"), "mvt")
    assert ann.fs == 100.0
    # onsets '(' and ends ')' in sample order; at 300 the short event's end
    assert ann.sample.tolist() == [100, 120, 250, 250, 300, 650]
    assert ann.symbol == ["(", ")", "(", "(", ")", ")"]
    assert ann.aux_note == [
        "fasciculation-like p=0.90",
        "fasciculation-like p=0.90",
        "dystonia-like p=0.75 review",
        "other p=0.50",
        "other p=0.50",
        "dystonia-like p=0.75 review",
    ]
    # the first channel an event lists; none given: 0
    assert ann.chan.tolist() == [1, 1, 2, 0, 0, 2]
    assert [p.name for p in tmp_path.iterdir()] == ["rec.mvt"]


def test_wfdb_an_end_comes_before_an_onset_at_the_same_sample(tmp_path: Path) -> None:
    ev = _events(onset=[1.0, 2.0, 5.0], duration=[1.0, 1.0, 1.0])
    write_wfdb_annotations(ev, tmp_path / "r.mvt", fs=10.0)
    ann = wfdb.rdann(str(tmp_path / "r"), "mvt")
    assert ann.sample.tolist() == [10, 20, 20, 30, 50, 60]
    assert ann.symbol == ["(", ")", "(", ")", "(", ")"]


def test_wfdb_any_file_name(tmp_path: Path) -> None:
    """WFDB allows only letters, digits, - and _ in a record name; the file is written
    under a plain name and renamed, so an output stem with spaces and dots works."""
    out = write_wfdb_annotations(_events(), tmp_path / "sub 01.day1.mvt", fs=50.0)
    assert out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["sub 01.day1.mvt"]
    # (wfdb reads it back under a plain name)
    os.replace(out, tmp_path / "plain.mvt")
    assert len(wfdb.rdann(str(tmp_path / "plain"), "mvt").sample) == 6


@pytest.mark.parametrize(
    ("kwargs", "columns", "match"),
    [
        ({"fs": 100.0, "name": "rec.m1"}, {}, "letters"),
        ({"fs": 0.0, "name": "rec.mvt"}, {}, "sampling rate"),
        ({"fs": 100.0, "name": "rec.mvt"}, {"onset": [-1.0, 2.0, 3.0]}, "onset >= 0"),
        ({"fs": 100.0, "name": "rec.mvt", "n_samples": 400}, {}, "after the recording"),
    ],
)
def test_wfdb_errors_leave_nothing(tmp_path: Path, kwargs, columns, match) -> None:
    name = kwargs.pop("name")
    with pytest.raises(MovementError, match=match):
        write_wfdb_annotations(_events(**columns), tmp_path / name, **kwargs)
    assert not list(tmp_path.iterdir())


def test_wfdb_missing_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "wfdb", None)
    with pytest.raises(MissingExtraError, match=r"movement\[wfdb\]"):
        write_wfdb_annotations(_events(), tmp_path / "a.mvt", fs=100.0)


@settings(max_examples=40, deadline=None)
@given(
    fs=st.sampled_from([25.0, 64.0, 100.0, 2000.0]),
    spans=st.lists(st.tuples(st.floats(0.0, 100.0), st.floats(0.0, 10.0)), min_size=0, max_size=25),
)
def test_wfdb_property_every_event_has_its_onset_and_end(
    fs: float, spans, tmp_path_factory
) -> None:
    """Whatever the events (overlapping, touching, zero-length), the file holds an onset and
    an end per event at their samples, in non-decreasing sample order, and never an end
    before its onset."""
    folder = tmp_path_factory.mktemp("wfdb")
    ev = pd.DataFrame(
        {
            "onset": [a for a, _ in spans],
            "duration": [d for _, d in spans],
            "trial_type": ["other"] * len(spans),
        }
    )
    write_wfdb_annotations(ev, folder / "r.mvt", fs=fs)
    if not spans:  # (an empty table: an empty annotation file)
        assert (folder / "r.mvt").exists()
        return
    ann = wfdb.rdann(str(folder / "r"), "mvt")
    s = np.asarray(ann.sample)
    assert (np.diff(s) >= 0).all()
    on = np.sort(s[np.asarray(ann.symbol) == "("])
    end = np.sort(s[np.asarray(ann.symbol) == ")"])
    first = np.round(ev["onset"].to_numpy() * fs).astype(int)
    last = np.maximum(np.round((ev["onset"] + ev["duration"]).to_numpy() * fs).astype(int), first)
    assert on.tolist() == np.sort(first).tolist()
    assert end.tolist() == np.sort(last).tolist()
    # an end never comes before as many onsets as ends have been seen
    opened = np.cumsum(np.where(np.asarray(ann.symbol) == "(", 1, -1))
    assert (opened >= 0).all()


def test_the_text_says_the_review(tmp_path: Path) -> None:
    ev = _events(review=[True, True, False], review_status=["rejected", None, None])
    write_wfdb_annotations(ev, tmp_path / "r.mvt", fs=10.0)
    notes = wfdb.rdann(str(tmp_path / "r"), "mvt").aux_note
    assert notes[:3] == ["fasciculation-like p=0.90 rejected"] * 2 + ["dystonia-like p=0.75 review"]
    assert "other p=0.50" in notes


def test_write_annotations_from_attrs(tmp_path: Path) -> None:
    ev = _events()
    ev.attrs.update(
        fs=100.0, duration=10.0, channels=["a", "b", "c"], start="2024-03-01T22:10:00.25+01:00"
    )
    edf = write_annotations(ev, tmp_path / "rec_events.edf", "edf")
    e = edfio.read_edf(edf)
    # the local clock time (EDF holds no UTC offset), to the sub-second
    assert e.startdatetime == datetime(2024, 3, 1, 22, 10, 0, 250000)
    assert [a.onset for a in e.annotations] == pytest.approx([1.0, 2.5, 2.5])
    ann_path = write_annotations(ev, tmp_path / "rec.mvt", "wfdb")
    assert wfdb.rdann(str(ann_path.with_suffix("")), "mvt").chan.tolist() == [1, 1, 2, 0, 0, 2]
    ev.attrs["duration"] = 3.0
    with pytest.raises(MovementError, match="after the recording"):
        write_annotations(ev, tmp_path / "late.mvt", "wfdb")
    del ev.attrs["fs"]
    with pytest.raises(MovementError, match="sampling rate"):
        write_annotations(ev, tmp_path / "nofs.mvt", "wfdb")
    with pytest.raises(MovementError, match="one of edf, wfdb"):
        write_annotations(ev, tmp_path / "x.txt", "txt")


def _score(*args: str) -> int:
    return main(["score", *args, "--model", "rules", "-q"])


def test_cli_annotations_line_up_with_the_events(tmp_path: Path) -> None:
    out = tmp_path / "out"
    src = DATA / "sim_forearm_emg.npy"
    assert _score(str(src), "--out", str(out), "--annotations", "wfdb", "--annotations", "edf") == 0
    ev = read_bids_events(out / "sim_forearm_emg_events.tsv")
    fs = ev.attrs["fs"]
    ann = wfdb.rdann(str(out / "sim_forearm_emg"), "mvt")
    on = ann.sample[np.asarray(ann.symbol) == "("]
    assert ann.fs == fs
    assert sorted(on.tolist()) == sorted(np.round(ev["onset"] * fs).astype(int).tolist())
    edf = edfio.read_edf(annotation_path(out, "sim_forearm_emg", "edf"))
    assert [a.onset for a in edf.annotations] == pytest.approx(ev["onset"].tolist(), abs=1e-6)
    assert [a.text.split(" ")[0] for a in edf.annotations] == ev["trial_type"].tolist()


def test_cli_annotations_of_an_edf_recording_open_at_its_start(tmp_path: Path) -> None:
    """The annotation file of an EDF recording has the recording's start: a viewer (here
    edfio) lines the two up."""
    sim = movement.simulate("accel", 120.0, seed=3)
    x = sim.recording.data
    start = datetime(2023, 5, 6, 7, 8, 9)
    sigs = [
        edfio.EdfSignal(
            x[:, i], sim.recording.fs, label=c, physical_dimension="g", physical_range=(-8, 8)
        )
        for i, c in enumerate(sim.recording.channels)
    ]
    edfio.Edf(
        sigs, starttime=start.time(), recording=edfio.Recording(startdate=start.date())
    ).write(tmp_path / "wrist.edf")
    out = tmp_path / "out"
    assert (
        _score(
            str(tmp_path / "wrist.edf"),
            "--modality",
            "accel",
            "--out",
            str(out),
            "--annotations",
            "edf",
        )
        == 0
    )
    ann = edfio.read_edf(out / "wrist_events.edf")
    rec = edfio.read_edf(tmp_path / "wrist.edf")
    assert ann.startdatetime == rec.startdatetime == start
    ev = read_bids_events(out / "wrist_events.tsv")
    assert len(ann.annotations) == len(ev) > 0


def test_cli_annotations_resume_stale_and_edited(tmp_path: Path) -> None:
    out = tmp_path / "out"
    src = str(DATA / "sim_wrist_accel.csv")
    assert _score(src, "--out", str(out)) == 0
    tsv = out / "sim_wrist_accel_events.tsv"
    before = tsv.read_bytes()
    mvt = annotation_path(out, "sim_wrist_accel", "wfdb")
    assert not mvt.exists()
    # resumed: only the annotations are added, the events untouched
    assert _score(src, "--out", str(out), "--annotations", "wfdb") == 0
    assert mvt.exists() and tsv.read_bytes() == before
    made = mvt.stat().st_mtime_ns
    # resumed again: an annotation file newer than its table is kept
    assert _score(src, "--out", str(out), "--annotations", "wfdb") == 0
    assert mvt.stat().st_mtime_ns == made
    # a reviewer relabels an event in the table: the annotations follow it
    table = pd.read_csv(tsv, sep="\t", keep_default_na=False)
    table.loc[0, "trial_type"] = "dystonia-like"
    table.loc[0, "review_status"] = "relabelled"
    table.to_csv(tsv, sep="\t", index=False)
    os.utime(tsv, ns=(made + 10**9, made + 10**9))
    assert _score(src, "--out", str(out), "--annotations", "wfdb") == 0
    ann = wfdb.rdann(str(out / "sim_wrist_accel"), "mvt")
    first = int(np.argmin(ann.sample))
    assert ann.aux_note[first].startswith("dystonia-like p=")
    assert ann.aux_note[first].endswith(" relabelled")
    # scored again without --annotations: the old file, which could contradict the new
    # events, is removed
    assert _score(src, "--out", str(out), "--no-resume") == 0
    assert not mvt.exists()


def test_cli_annotations_need_their_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda n, *a: None if n == "edfio" else real(n, *a)
    )
    code = _score(
        str(DATA / "sim_wrist_accel.csv"), "--out", str(tmp_path / "o"), "--annotations", "edf"
    )
    err = capsys.readouterr().err
    assert code != 0
    assert "pip install 'movement[edf]'" in err
    assert "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_a_project_folder_with_earlier_results_is_scored_again(tmp_path: Path) -> None:
    """Results written inside the folder scored (per-day/hour/channel tables, their batch
    summaries, the EDF+ annotations, review decisions) were taken for recordings on the
    next run: error rows, exit code 1. They are skipped, as the events tables are."""
    proj = tmp_path / "proj"
    proj.mkdir()
    for name in ("sim_forearm_emg.npy", "sim_forearm_emg.json"):
        shutil.copy(DATA / name, proj / name)
    out = proj / "results"
    more = ["--per", "day", "--per", "hour", "--per", "channel", "--annotations", "edf"]
    assert _score(str(proj), "--out", str(out), *more) == 0
    (out / "sim_forearm_emg_decisions.tsv").write_text("onset\tduration\tdecision\n")
    written = sorted(p.name for p in out.iterdir())
    assert "sim_forearm_emg_events.edf" in written and "summary_per_hour.tsv" in written
    assert [p.name for p in find_recordings([proj])] == ["sim_forearm_emg.npy"]
    # named one by one, as a shell glob names them, they are skipped too
    assert find_recordings([p for p in sorted(out.iterdir()) if not p.name.startswith(".")]) == []
    assert _score(str(proj), "--out", str(tmp_path / "again")) == 0
