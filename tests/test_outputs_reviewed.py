"""Outputs after review, of several recordings, and at the API's edges:
summaries of reviewed tables, tables of several recordings, ``recorded_duration``,
``score_stream``'s numeric arguments, a report into a folder, exports, column wording
and docstring examples."""

from __future__ import annotations

import doctest
import json
import re
import warnings
from dataclasses import replace
from pathlib import Path

import edfio
import numpy as np
import pandas as pd
import pytest

import movement
from movement.cli import main
from movement.config import AccelConfig, EMGConfig
from movement.errors import MovementError
from movement.export import (
    annotation_path,
    read_bids_events,
    write_annotations,
    write_bids_events,
)
from movement.output import (
    COLUMN_DESCRIPTIONS,
    channel_summary,
    events_sidecar,
    events_to_tsv,
    period_summary,
    write_events,
)
from movement.review import apply_decisions
from movement.stream import score_stream

DATA = Path(__file__).resolve().parent.parent / "data"


def _table() -> pd.DataFrame:
    """A scored-looking table: two channels, every class, flagged rows."""
    ev = pd.DataFrame(
        {
            "onset": [1.0, 5.0, 9.0, 20.0, 30.0, 40.0],
            "duration": [0.05, 0.05, 0.05, 10.0, 4.0, 2.0],
            "trial_type": pd.Series(
                ["fasciculation-like"] * 3 + ["dystonia-like", "dystonia-like", "other"],
                dtype=object,
            ),
            "probability": [0.9, 0.9, 0.55, 0.8, 0.7, 0.9],
            "review": [False, False, True, True, True, False],
            "channel": pd.Series(["ch1", "ch1", "ch2", "ch1,ch2", "ch2", "ch1"], dtype=object),
        }
    )
    for c in ("review_status", "reviewer", "comment"):  # (as movement.score leaves them)
        ev[c] = pd.Series([None] * len(ev), dtype=object)
    ev.attrs.update(duration=120.0, channels=["ch1", "ch2", "ch3"], modality="emg")
    return ev


def _decisions(ev: pd.DataFrame) -> pd.DataFrame:
    """The user's case: a dystonia-like row rejected, another relabelled to other, a
    flagged fasciculation-like one accepted."""
    return pd.DataFrame(
        {
            "onset": [20.0, 30.0, 9.0],
            "channel": ["ch1,ch2", "ch2", "ch2"],
            "review_status": ["rejected", "relabelled", "accepted"],
            "new_trial_type": [None, "other", None],
        }
    )


# -- 1. summaries of a reviewed table ------------------------------------------------


def test_channel_summary_leaves_rejected_out_and_counts_relabelled_as_new_class() -> None:
    ev = _table()
    out = apply_decisions(ev, _decisions(ev))
    t = channel_summary(out).set_index("channel")
    # ch1: 2 fasciculation-like + (rejected dystonia-like) + other
    assert t.loc["ch1", ["n_events", "n_fasciculation", "n_dystonia", "n_other"]].tolist() == [
        3,
        2,
        0,
        1,
    ]
    # ch2: accepted fasciculation-like, (rejected dystonia-like), dystonia-like -> other
    assert t.loc["ch2", ["n_events", "n_fasciculation", "n_dystonia", "n_other"]].tolist() == [
        2,
        1,
        0,
        1,
    ]
    assert t["dystonia_s"].tolist() == [0.0, 0.0, 0.0]
    # every flagged row was reviewed: none waits
    assert t["n_review"].tolist() == [0, 0, 0]
    # before: the rejected row counted, and every flagged row "waited"
    before = channel_summary(ev).set_index("channel")
    assert before.loc["ch1", "n_dystonia"] == 1 and before.loc["ch2", "n_review"] == 3


def test_period_summary_leaves_rejected_out_and_counts_rows_not_yet_reviewed() -> None:
    ev = _table()
    dec = _decisions(ev).iloc[:1]  # only the rejection: the other flagged rows wait
    t = period_summary(apply_decisions(ev, dec), "hour")
    assert t[["n_events", "n_fasciculation", "n_dystonia", "n_other"]].iloc[0].tolist() == [
        5,
        3,
        1,
        1,
    ]
    assert t["dystonia_s"].iloc[0] == 4.0
    assert t["n_review"].iloc[0] == 2  # flagged 9 s and 30 s, not reviewed yet


def test_statuses_typed_in_place_are_read_as_the_review_module_spells_them() -> None:
    ev = _table()
    ev["review_status"] = pd.Series([None, None, " Accept", "REJECT", "maybe", None], dtype=object)
    t = period_summary(ev, "hour")
    assert t["n_dystonia"].iloc[0] == 1 and t["n_events"].iloc[0] == 5
    # "maybe" is no decision: the row still waits
    assert t["n_review"].iloc[0] == 1


def test_a_site_whose_events_were_all_rejected_keeps_its_row() -> None:
    ev = _table()
    ev.attrs.pop("channels")
    ev["review_status"] = pd.Series(
        [None, None, "rejected", "rejected", "rejected", None], dtype=object
    )
    t = channel_summary(ev)
    assert t["channel"].tolist() == ["ch1", "ch2"]
    assert t.set_index("channel").loc["ch2", "n_events"] == 0


def test_unreviewed_tables_give_the_same_bytes_as_before() -> None:
    ev = _table()
    bare = ev.drop(columns=["review_status", "reviewer", "comment"])
    bare.attrs = dict(ev.attrs)
    for f in (channel_summary, lambda e: period_summary(e, "hour")):
        assert events_to_tsv(f(ev)) == events_to_tsv(f(bare))


def test_scored_sample_tables_summarise_as_before(tmp_path: Path) -> None:
    """A scored table (review_status all n/a) and the same table without the review
    columns give byte-identical per-channel and per-day tables."""
    ev = movement.score(DATA / "sim_forearm_emg.npy", model="rules")
    write_events(ev, tmp_path, "emg")
    back = read_bids_events(tmp_path / "emg_events.tsv")
    bare = back.drop(columns=["review_status", "reviewer", "comment"])
    bare.attrs = dict(back.attrs)
    for f in (channel_summary, period_summary):
        assert events_to_tsv(f(back)) == events_to_tsv(f(bare))


# -- 2. several recordings in one table ----------------------------------------------


def test_a_table_of_several_recordings_is_refused_with_what_to_do() -> None:
    a, b = _table(), _table()
    both = pd.concat([a.assign(file="a"), b.assign(file="b")])
    for f in (channel_summary, period_summary):
        with pytest.raises(MovementError, match=r"several recordings \(column 'file'.*groupby"):
            f(both, duration=120.0)
    # one recording with a file column: summarised
    assert channel_summary(a.assign(file="a"))["n_events"].sum() > 0


def test_overlapping_events_on_one_channel_are_a_warning() -> None:
    a = _table()
    b = _table().assign(onset=lambda d: d["onset"] + 0.5)
    both = pd.concat([a, b])
    both.attrs = {}
    with pytest.warns(UserWarning, match="overlap on one channel.*several recordings"):
        channel_summary(both, duration=120.0)
    with pytest.warns(UserWarning, match="overlap on one channel"):
        period_summary(both, duration=120.0)
    # a table whose attrs give its recording is taken as one (no warning)
    both.attrs = dict(a.attrs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        channel_summary(both)


def test_one_recordings_table_is_not_warned_of() -> None:
    ev = movement.score(DATA / "sim_forearm_emg.npy", model="rules")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        channel_summary(ev)
        period_summary(ev)
        # events that touch (a stream window's split event) do not overlap
        touch = _table().iloc[:2].assign(onset=[1.0, 1.05], channel="ch1")
        touch.attrs = {}
        channel_summary(touch, duration=60.0)


# -- 3. recorded_duration always in attrs --------------------------------------------


def _spike_rec() -> movement.Recording:
    x = np.random.default_rng(0).normal(0, 0.01, (20000, 1))
    x[10000:10030, 0] += np.hanning(30) * 0.5
    return movement.Recording(x, fs=2000, modality="emg")


def test_streamed_events_carry_recorded_duration_without_a_gap() -> None:
    ev = score_stream(_spike_rec(), model="rules", window_s=2)
    assert ev.attrs["recorded_duration"] == ev.attrs["duration"] == 10.0
    assert events_sidecar(ev)["recording"]["recorded_s"] == 10.0


def test_a_table_read_back_carries_recorded_duration(tmp_path: Path) -> None:
    ev = score_stream(_spike_rec(), model="rules")
    tsv, _ = write_events(ev, tmp_path, "rec")
    assert read_bids_events(tsv).attrs["recorded_duration"] == 10.0


def test_events_scored_in_memory_carry_recorded_duration() -> None:
    ev = movement.score(_spike_rec(), model="rules", stream=False)
    assert ev.attrs["recorded_duration"] == 10.0


# -- 5. score_stream's numeric arguments ---------------------------------------------


def test_score_stream_takes_numeric_text_and_refuses_the_rest_in_one_line() -> None:
    rec = _spike_rec()
    base = score_stream(rec, model="rules", window_s=2)
    text = score_stream(rec, model="rules", window_s="2", threads="2", max_segment_s="60")
    pd.testing.assert_frame_equal(base.drop(columns="reason"), text.drop(columns="reason"))
    assert text.attrs["stream"] == base.attrs["stream"]
    bad = [
        {"window_s": "fifteen minutes"},
        {"window_s": True},
        {"window_s": 0},
        {"window_s": "-5"},
        {"window_s": float("inf")},
        {"max_segment_s": "x"},
        {"threads": 0},
        {"threads": 2.5},
        {"chunk_rows": "many"},
    ]
    for kw in bad:
        with pytest.raises(MovementError) as err:
            score_stream(rec, model="rules", **kw)
        name = next(iter(kw))
        assert str(err.value).startswith(name) and "\n" not in str(err.value), kw


# -- 6. a report into a folder ---------------------------------------------------------


def test_write_report_into_a_folder_names_the_page_after_the_recording(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from movement.report import write_report

    rec = _spike_rec()
    ev = movement.score(rec, model="rules")
    folder = tmp_path / "out"
    folder.mkdir()
    page = write_report(rec, ev, folder)
    assert page == folder / "recording_report.html" and page.is_file()
    html = page.read_text()
    assert "recording_decisions.tsv" in html
    # a file's stem, as movement score names it; a folder not made yet, given with "/"
    np.save(tmp_path / "P01.day1.npy", rec.data)
    (tmp_path / "P01.day1.json").write_text('{"SamplingFrequency": 2000, "Modality": "emg"}')
    ev2 = movement.score(tmp_path / "P01.day1.npy", model="rules")
    page2 = write_report(tmp_path / "P01.day1.npy", ev2, f"{tmp_path}/new/")
    assert page2 == tmp_path / "new" / "P01_report.html" and page2.is_file()
    # a table read back: the stem it was written under
    tsv, _ = write_events(ev2, tmp_path / "scored", "sub-01")
    page3 = write_report(tmp_path / "P01.day1.npy", read_bids_events(tsv), folder)
    assert page3 == folder / "sub-01_report.html"
    # (no gap: no "Recorded" line beside the duration)
    assert ">Recorded<" not in page3.read_text()


# -- 7. exports ----------------------------------------------------------------------


def test_write_bids_events_writes_the_scored_sidecar_by_default(tmp_path: Path) -> None:
    ev = movement.score(_spike_rec(), model="rules")
    tsv, js = write_bids_events(ev, tmp_path / "rec.npy")
    assert json.loads(js.read_text()) == json.loads(json.dumps(events_sidecar(ev)))
    assert read_bids_events(tsv).attrs["parameters_hash"] == ev.attrs["parameters_hash"]
    with pytest.raises(MovementError, match="sidecar must be a dict"):
        write_bids_events(ev, tmp_path / "rec.npy", sidecar="x.json")  # type: ignore[arg-type]


def test_annotation_formats_in_any_case_and_edf_under_another_name(tmp_path: Path) -> None:
    ev = _table()
    ev.attrs.update(fs=100.0)
    with pytest.warns(UserWarning, match=r"d\.txt: EDF\+ annotations written under a name"):
        out = write_annotations(ev, tmp_path / "d.txt", "edf")
    assert len(edfio.read_edf(out).annotations) == len(ev)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = write_annotations(ev, tmp_path / "d_events.EDF", "EDF")
    assert len(edfio.read_edf(out).annotations) == len(ev)
    assert write_annotations(ev, tmp_path / "d.mvt", " Wfdb ").is_file()
    assert annotation_path(tmp_path, "d", "EDF").name == "d_events.edf"
    with pytest.raises(MovementError, match="one of edf, wfdb"):
        write_annotations(ev, tmp_path / "d.bin", "bin")


def test_edf_annotations_of_no_events_are_a_valid_empty_file(tmp_path: Path) -> None:
    ev = _table().iloc[:0]
    ev.attrs.update(start="2024-03-01T09:30:00.5")
    out = write_annotations(ev, tmp_path / "none_events.edf", "edf")
    e = edfio.read_edf(out)
    assert e.annotations == () and str(e.startdatetime) == "2024-03-01 09:30:00.500000"


def test_cli_edf_annotations_of_a_recording_without_events(tmp_path: Path) -> None:
    x = np.random.default_rng(1).normal(0, 0.01, (40000, 2))
    np.save(tmp_path / "quiet.npy", x)
    out = tmp_path / "out"
    rc = main(
        [
            "score",
            str(tmp_path / "quiet.npy"),
            "--fs",
            "2000",
            "--modality",
            "emg",
            "--model",
            "rules",
            "--out",
            str(out),
            "--annotations",
            "edf",
            "-q",
        ]
    )
    assert rc == 0
    assert len(read_bids_events(out / "quiet_events.tsv")) == 0
    summary = pd.read_csv(out / "summary.tsv", sep="\t", keep_default_na=False)
    assert "annotations" not in summary["message"].iloc[0]
    assert edfio.read_edf(out / "quiet_events.edf").annotations == ()


# -- 8. wording ----------------------------------------------------------------------


def test_column_descriptions_give_the_bands_as_scored() -> None:
    generic = COLUMN_DESCRIPTIONS["tremor_band_ratio"]["Description"]
    assert "3-8 Hz for EMG" in generic and "2.5-8 Hz for accelerometry" in generic
    assert "0.5-2.5 Hz" in COLUMN_DESCRIPTIONS["gait_fraction"]["Description"]
    cols = ["onset", "duration", "tremor_band_ratio", "gait_fraction", "active_fraction"]
    ev = pd.DataFrame(columns=cols)
    ev.attrs["parameters"] = {"modality": "accel", "config": AccelConfig().to_dict()}
    side = events_sidecar(ev)
    assert "2.5-8 Hz as scored" in side["tremor_band_ratio"]["Description"]
    assert "gait_band_hz: 0.5-2.5 Hz" in side["gait_fraction"]["Description"]
    assert "0.5-3 Hz" not in json.dumps(side)
    ev.attrs["parameters"] = {"modality": "emg", "config": EMGConfig().to_dict()}
    assert "3-8 Hz as scored" in events_sidecar(ev)["tremor_band_ratio"]["Description"]
    custom = replace(AccelConfig(), tremor_band_hz=(3.0, 7.0), gait_band_hz=(0.6, 2.4))
    ev.attrs["parameters"] = {"modality": "accel", "config": custom.to_dict()}
    side = events_sidecar(ev)
    assert "3-7 Hz" in side["tremor_band_ratio"]["Description"]
    assert "0.6-2.4 Hz" in side["gait_fraction"]["Description"]


def test_missing_samples_on_every_axis_are_said_in_a_sentence() -> None:
    x = np.random.default_rng(0).normal(0, 0.01, (6000, 3))
    x[100, 0] = x[200, 1] = x[300, 2] = np.nan
    with pytest.warns(UserWarning) as said:
        movement.Recording(x, fs=100, modality="accel", channels=["x", "y", "z"])
    text = " ".join(str(w.message) for w in said)
    assert "missing on some channels" in text
    assert not re.search(r"channel '[^']+'(, '[^']+')+ only", text)


# -- 9. runnable docstring examples ----------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "movement.plot.plot_timeline",
        "movement.plot.plot_event",
        "movement.export.write_annotations",
        "movement.export.write_bids_events",
    ],
)
def test_functions_have_runnable_examples(name: str) -> None:
    import importlib

    mod, _, attr = name.rpartition(".")
    fn = getattr(importlib.import_module(mod), attr)
    tests = doctest.DocTestFinder().find(fn, name, globs=dict(vars(importlib.import_module(mod))))
    assert sum(len(t.examples) for t in tests) >= 3
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for t in tests:
        runner.run(t)
    assert runner.failures == 0
