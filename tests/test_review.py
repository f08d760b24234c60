"""Reviewers' decisions: TSV round trip, applying them to events, training rows."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from movement.errors import MovementError
from movement.features import FEATURES
from movement.output import write_events
from movement.review import (
    DECISION_COLUMNS,
    apply_decisions,
    read_decisions,
    reviewed_training_rows,
    write_decisions,
)


@pytest.fixture
def events() -> pd.DataFrame:
    n = 5
    ev = pd.DataFrame(
        {
            "onset": [1.25, 2.5, 2.5, 40.0, 1234.567891],
            "duration": [0.012, 0.02, 0.02, 4.0, 0.015],
            "trial_type": [
                "fasciculation-like",
                "fasciculation-like",
                "other",
                "dystonia-like",
                "fasciculation-like",
            ],
            "probability": [0.9, 0.6, 0.7, 0.8, 0.95],
            "review": [False, True, True, True, False],
            "reason": ["brief, isolated"] * n,
            "channel": ["emg1", "emg1", "emg2", "emg1,emg2", "emg2"],
        }
    )
    rng = np.random.default_rng(0)
    for f in FEATURES:
        ev[f] = rng.normal(size=n)
    ev["scale"] = ["brief", "brief", "brief", "sustained", "brief"]
    for c in ("review_status", "reviewer", "comment"):
        ev[c] = pd.Series([None] * n, dtype=object)
    ev.attrs.update(modality="emg", duration=1300.0, fs=2000.0, parameters_hash="abc")
    return ev


def _decisions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "onset": [1.2504, 2.5, 40.0, 1234.567891],
            "duration": [0.012, 0.02, 4.0, 0.015],
            "trial_type": ["fasciculation-like", "other", "dystonia-like", "fasciculation-like"],
            "channel": ["emg1", "emg2", "emg1, emg2", "emg2"],
            "review_status": ["accept", "relabelled", "rejected", "accepted"],
            "reviewer": ["AB", "AB", "CD", None],
            "comment": [None, "a twitch, clearly", "movement artefact", "ok\tfine"],
            "new_trial_type": [None, "fasciculation-like", None, None],
        }
    )


def test_round_trip(tmp_path: Path) -> None:
    p = write_decisions(_decisions(), tmp_path / "rec_decisions.tsv")
    text = p.read_text()
    assert text.splitlines()[0].split("\t") == list(DECISION_COLUMNS)
    assert "n/a" in text and "ok fine" in text  # tabs in comments cannot break columns
    back = read_decisions(p)
    assert list(back.columns) == list(DECISION_COLUMNS)
    assert back["review_status"].tolist() == ["accepted", "relabelled", "rejected", "accepted"]
    assert back["new_trial_type"].tolist() == [None, "fasciculation-like", None, None]
    assert back["reviewer"].tolist() == ["AB", "AB", "CD", None]
    np.testing.assert_allclose(back["onset"], _decisions()["onset"], atol=1e-6)
    # written again, read again: identical
    again = read_decisions(write_decisions(back, tmp_path / "again_decisions.tsv"))
    pd.testing.assert_frame_equal(again, back)


def test_read_errors(tmp_path: Path) -> None:
    with pytest.raises(MovementError, match="no such file"):
        read_decisions(tmp_path / "missing.tsv")
    bad = tmp_path / "bad.tsv"
    bad.write_text("onset\treview_status\n1.0\tmaybe\n")
    with pytest.raises(MovementError, match="maybe"):
        read_decisions(bad)
    bad.write_text("onset\treview_status\tnew_trial_type\n1.0\trelabelled\tn/a\n")
    with pytest.raises(MovementError, match="new_trial_type"):
        read_decisions(bad)
    bad.write_text("start\tstatus\n1.0\taccepted\n")
    with pytest.raises(MovementError, match="not a decisions table"):
        read_decisions(bad)


def test_apply(events: pd.DataFrame) -> None:
    out = apply_decisions(events, _decisions())
    assert out is not events and out.attrs == events.attrs
    assert events["review_status"].isna().all()  # input untouched
    assert out["review_status"].tolist() == ["accepted", None, "relabelled", "rejected", "accepted"]
    # same onset, other channel: the channel decides the match
    assert out["trial_type"].tolist() == [
        "fasciculation-like",
        "fasciculation-like",
        "fasciculation-like",
        "dystonia-like",
        "fasciculation-like",
    ]
    assert out["original_trial_type"].tolist() == [None, None, "other", None, None]
    assert out["reviewer"].tolist() == ["AB", None, "AB", "CD", None]
    assert out["comment"].iloc[3] == "movement artefact"
    # applying twice keeps the model's label as the original
    twice = apply_decisions(out, _decisions())
    assert twice["original_trial_type"].iloc[2] == "other"
    assert twice["trial_type"].iloc[2] == "fasciculation-like"
    # a later accept undoes the relabel
    undo = _decisions().iloc[[1]].assign(review_status="accepted", new_trial_type=None)
    back = apply_decisions(twice, undo)
    assert back["trial_type"].iloc[2] == "other" and back["original_trial_type"].iloc[2] is None


def test_apply_tolerance_and_unmatched(events: pd.DataFrame) -> None:
    far = _decisions().iloc[[0]].assign(onset=1.2515)  # 1.5 ms away
    with pytest.warns(UserWarning, match="1 decision"):
        out = apply_decisions(events, far)
    assert out["review_status"].isna().all()
    out = apply_decisions(events, far, tolerance_s=0.002)
    assert out["review_status"].iloc[0] == "accepted"


def test_reviewed_training_rows(events: pd.DataFrame, tmp_path: Path) -> None:
    results, reviews = tmp_path / "results", tmp_path / "reviews"
    ev = events.copy()
    ev.attrs = dict(events.attrs)
    write_events(ev, results, "rec")
    # the sidecar written by movement score holds the modality
    side = json.loads((results / "rec_events.json").read_text())
    assert side["recording"]["modality"] == "emg"
    d = _decisions()
    # the TSV keeps 10 significant digits, so onsets match the page's export to < 1 ms
    written = pd.read_csv(results / "rec_events.tsv", sep="\t")
    assert abs(float(written["onset"].iloc[4]) - d.loc[3, "onset"]) < 1e-6
    write_decisions(d, reviews / "rec_decisions.tsv")
    # a second download of the same page (browser renames it) overrides the first
    newer = d.iloc[[0]].assign(review_status="rejected")
    p2 = write_decisions(newer, reviews / "rec_decisions (1).tsv")
    os.utime(p2, ns=(p2.stat().st_atime_ns, p2.stat().st_mtime_ns + 10**9))
    rows = reviewed_training_rows(results, reviews)
    assert rows["stem"].unique().tolist() == ["rec"]
    assert rows["modality"].unique().tolist() == ["emg"]
    by_onset = rows.set_index(rows["onset"].round(3))
    assert by_onset.loc[1.25, "review_status"] == "rejected"
    assert by_onset.loc[1.25, "label"] == "other"  # rejected -> other
    assert by_onset.loc[2.5, "label"] == "fasciculation-like"  # relabelled
    assert by_onset.loc[2.5, "model_label"] == "other"
    assert by_onset.loc[40.0, "label"] == "other"  # rejected dystonia-like
    assert by_onset.loc[1234.568, "label"] == "fasciculation-like"
    assert len(rows) == 4
    for f in FEATURES:
        assert f in rows.columns
    assert {"duration", "scale"} <= set(rows.columns)

    # no decisions: an empty table with the same columns
    empty = reviewed_training_rows(results, tmp_path)
    assert empty.empty and "label" in empty.columns
    # decisions without their events table
    write_decisions(d, tmp_path / "other" / "lost_decisions.tsv")
    with pytest.raises(MovementError, match="lost_events.tsv"):
        reviewed_training_rows(results, tmp_path / "other")
    with pytest.raises(MovementError, match="no such"):
        reviewed_training_rows(tmp_path / "nope", reviews)


def test_decisions_without_a_channel_match_on_the_onset(events: pd.DataFrame) -> None:
    """read_decisions needs only onset and review_status; such a table once matched
    nothing (every event has a channel). Now the onset decides, unless events on two
    channels share it."""
    dec = pd.DataFrame(
        {"onset": [1.25, 40.0, 2.5], "review_status": ["accept", "reject", "accept"]}
    )
    with pytest.warns(UserWarning, match="1 decision.*several channels.*2.500 s"):
        out = apply_decisions(events, dec)
    assert out["review_status"].tolist()[:4] == ["accepted", None, None, "rejected"]


def test_events_tables_reviewed_in_place_train_too(events: pd.DataFrame, tmp_path: Path) -> None:
    """The README lets a reviewer fill review_status in the events table itself; `train
    --reviewed` once read decisions files only and silently found 0 reviewed segments."""
    ev = events.copy()
    ev.attrs = dict(events.attrs)
    ev["review_status"] = pd.Series([None, "Accept", "rejected", None, None], dtype=object)
    ev.loc[0, ["review_status", "trial_type"]] = ["relabelled", "other"]
    write_events(ev, tmp_path, "rec")
    rows = reviewed_training_rows(tmp_path, tmp_path)
    assert rows["onset"].round(2).tolist() == [1.25, 2.5, 2.5]
    assert rows["review_status"].tolist() == ["relabelled", "accepted", "rejected"]
    assert rows["label"].tolist() == ["other", "fasciculation-like", "other"]
    # a decisions file for the same table is applied on top of what the table holds
    write_decisions(
        pd.DataFrame({"onset": [40.0], "channel": ["emg1,emg2"], "review_status": ["accept"]}),
        tmp_path / "rec_decisions.tsv",
    )
    assert len(reviewed_training_rows(tmp_path, tmp_path)) == 4
    bad = ev.copy()
    bad.loc[1, "review_status"] = "maybe"
    write_events(bad, tmp_path / "bad", "rec")
    with pytest.raises(MovementError, match="review_status 'maybe'"):
        reviewed_training_rows(tmp_path / "bad", tmp_path / "bad")


def test_a_decision_made_on_another_event_is_not_applied(events: pd.DataFrame) -> None:
    """Events scored again (other settings) can hold another event at a decision's onset:
    one of another duration. Such a decision is not applied (an accept of a twitch became
    the accept of an `other` bout), and a warning says so. The same event (onset, channel,
    duration) that another model labels otherwise keeps the decision as the reviewer meant
    it: an accepted twitch is relabelled to a twitch."""
    dec = _decisions().iloc[[0, 2]].copy()  # 1.25 s fasciculation-like; 40 s dystonia-like
    changed = events.copy()
    changed.loc[0, "trial_type"] = "other"  # the model's label is another now
    changed.loc[3, "duration"] = 9.5  # a longer event at the same onset
    with pytest.warns(UserWarning) as w:
        out = apply_decisions(changed, dec)
    said = " | ".join(str(x.message) for x in w)
    assert "1 decision(s) were made on another event" in said
    assert "4.000 s long, now 9.500 s" in said
    assert "accepted fasciculation-like, now other: relabelled fasciculation-like" in said
    assert out["review_status"].tolist() == ["relabelled", None, None, None, None]
    assert out.loc[0, ["trial_type", "original_trial_type"]].tolist() == [
        "fasciculation-like",
        "other",
    ]
    # the same event, relabelled before: its model label (original_trial_type) counts
    first = apply_decisions(events, _decisions().iloc[[1]])
    again = apply_decisions(first, _decisions().iloc[[1]].assign(review_status="accepted"))
    assert again["review_status"].iloc[2] == "accepted"
    # a decision that does not record the label or duration matches on onset and channel
    bare = dec.assign(trial_type=None, duration=np.nan)
    assert apply_decisions(changed, bare)["review_status"].notna().sum() == 2
    # one that records its label but no duration needs the label to be the event's
    with pytest.warns(UserWarning, match="fasciculation-like, now other"):
        labelled = apply_decisions(changed, dec.assign(duration=np.nan))
    assert labelled["review_status"].notna().sum() == 1


def test_decisions_keep_quotes_as_text(tmp_path: Path) -> None:
    """The page writes comments as typed; a leading double quote made the file unreadable
    ("EOF inside string"), and a quoted word lost its quotes."""
    p = tmp_path / "rec_decisions.tsv"
    p.write_text(
        "onset\tduration\ttrial_type\tchannel\treview_status\treviewer\tcomment\tnew_trial_type\n"
        '1.25\t0.012\tfasciculation-like\temg1\taccepted\tAB\t"not sure\tn/a\n'
        '2.5\t0.02\tother\temg2\tn/a\tAB\t"hold" then twitch\tn/a\n'
    )
    back = read_decisions(p)
    assert back["comment"].tolist() == ['"not sure', '"hold" then twitch']
    again = read_decisions(write_decisions(back, tmp_path / "again_decisions.tsv"))
    pd.testing.assert_frame_equal(again, back)


def test_text_columns_read_back_as_text(events: pd.DataFrame, tmp_path: Path) -> None:
    """A channel "01" came back as "1" (and then matched no decision), a reviewer "007"
    as 7.0; missing review columns came back as float NaN instead of None."""
    from movement.export import read_bids_events

    ev = events.assign(channel=["01", "01", "02", "01,02", "02"])
    ev.loc[0, ["review_status", "reviewer", "comment"]] = ["accepted", "007", "42"]
    tsv, _ = write_events(ev, tmp_path, "rec")
    back = read_bids_events(tsv)
    assert back["channel"].tolist() == ["01", "01", "02", "01,02", "02"]
    assert back["reviewer"].tolist() == ["007", None, None, None, None]
    assert back["comment"].iloc[0] == "42" and back["comment"].iloc[1] is None
    assert back["review_status"].iloc[1] is None
    dec = pd.DataFrame({"onset": [2.5], "channel": ["02"], "review_status": ["rejected"]})
    assert apply_decisions(back, dec)["review_status"].iloc[2] == "rejected"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("drop_trial_type", "not an events table as movement score writes it \\(no trial_type"),
        ("text_onset", "row 1 has no numeric onset"),
    ],
)
def test_a_reviewed_table_without_labels_or_numeric_onsets_is_one_line(
    tmp_path: Path, change: str, message: str
) -> None:
    """``train --reviewed`` on an events table reviewed in place but without a trial_type
    column, or with an onset that is text, failed with an internal KeyError / ValueError."""
    table = pd.DataFrame(
        {
            "onset": ["1.5", "4.0"],
            "duration": ["0.2", "3.0"],
            "trial_type": ["fasciculation-like", "other"],
            "review_status": ["accepted", "n/a"],
        }
    )
    if change == "drop_trial_type":
        table = table.drop(columns=["trial_type"])
    else:
        table.loc[0, "onset"] = "abc"
    table.to_csv(tmp_path / "rec_events.tsv", sep="\t", index=False)
    with pytest.raises(MovementError, match=message):
        reviewed_training_rows(tmp_path, tmp_path)


@pytest.mark.parametrize(
    ("onset", "duration", "fragment"),
    [
        ("inf", "0.02", "row 1: onset 'inf' is not a time in the recording"),
        ("-1", "0.02", "row 1: onset '-1' is not a time in the recording"),
        ("1.5", "abc", "row 1: duration 'abc' is not a number of seconds >= 0"),
        ("1.5", "-0.5", "row 1: duration '-0.5' is not a number of seconds >= 0"),
    ],
)
def test_a_decision_with_an_impossible_onset_or_duration_is_one_line(
    tmp_path, onset, duration, fragment
) -> None:
    """An onset of inf or -1 matched nothing and was warned as "made on another event"; a
    text duration became NaN and the decision was applied whatever its event's duration."""
    p = tmp_path / "d_decisions.tsv"
    p.write_text(
        "onset\tduration\ttrial_type\treview_status\n"
        f"{onset}\t{duration}\tfasciculation-like\taccepted\n"
    )
    with pytest.raises(MovementError, match=re.escape(f"d_decisions.tsv: {fragment}")):
        read_decisions(p)
    p.write_text("onset\tduration\treview_status\n1.5\tn/a\taccepted\n2.5\t\trejected\n")
    assert read_decisions(p)["duration"].isna().all()


def test_a_decisions_table_of_no_rows_reads_as_none(tmp_path) -> None:
    """(The duration check failed on no rows: an internal TypeError in every re-score.)"""
    p = tmp_path / "e_decisions.tsv"
    p.write_text("onset\tduration\treview_status\n")
    assert read_decisions(p).empty
