"""Per-channel tables (``movement.output.channel_summary``, ``score --per channel``)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import movement
from movement.cli import main
from movement.errors import MovementError
from movement.export import read_bids_events
from movement.output import CHANNEL_COLUMNS, channel_summary, period_summary, summarise

DATA = Path(__file__).resolve().parent.parent / "data"
CLASSES = ("fasciculation-like", "dystonia-like", "other")


def _events(onsets, durations, labels, names, **attrs) -> pd.DataFrame:
    ev = pd.DataFrame(
        {
            "onset": np.asarray(onsets, float),
            "duration": np.asarray(durations, float),
            "trial_type": pd.Series(list(labels), dtype=object),
            "review": np.zeros(len(onsets), bool),
            "channel": pd.Series(list(names), dtype=object),
        }
    )
    ev.attrs.update(attrs)
    return ev


def test_every_channel_has_a_row_and_an_event_counts_on_each_it_names() -> None:
    ev = _events(
        [1.0, 5.0, 9.0, 20.0, 30.0],
        [0.05, 0.05, 0.05, 10.0, 2.0],
        ["fasciculation-like"] * 3 + ["dystonia-like", "other"],
        ["ch2", "ch2", "ch2", "ch1,ch2", "ch3"],
        duration=120.0,
        recorded_duration=60.0,
        channels=["ch1", "ch2", "ch3", "ch4"],
        modality="emg",
        parameters_hash="abc",
    )
    t = channel_summary(ev)
    assert list(t.columns) == CHANNEL_COLUMNS
    assert t["channel"].tolist() == ["ch1", "ch2", "ch3", "ch4"]
    assert t["n_events"].tolist() == [1, 4, 1, 0]
    assert t["n_fasciculation"].tolist() == [0, 3, 0, 0]
    assert t["n_dystonia"].tolist() == [1, 1, 0, 0]
    # per minute recorded (60 s, not the 120 s span)
    assert t["rate_per_min_fasciculation"].tolist() == [0.0, 3.0, 0.0, 0.0]
    assert t["dystonia_s"].tolist() == [10.0, 10.0, 0.0, 0.0]
    assert t["dystonia_time_fraction"].iloc[0] == pytest.approx(10 / 60, abs=1e-5)
    # intervals between ch2's fasciculation-like onsets: 4 s and 4 s
    assert t["fasciculation_interval_median_s"].iloc[1] == 4.0
    assert t["fasciculation_interval_cv"].iloc[1] == 0.0
    assert t["fasciculation_interval_median_s"].isna().tolist() == [True, False, True, True]
    assert (t["parameters_hash"] == "abc").all()


def test_accelerometer_sites_are_sensors() -> None:
    chans = ["ank_x", "ank_y", "ank_z", "x", "y", "z"]
    ev = _events([3.0], [0.5], ["fasciculation-like"], ["x"], duration=60.0, channels=chans)
    ev.attrs["modality"] = "accel"
    ev.loc[0, "channel"] = "xyz"
    t = channel_summary(ev)
    assert t["channel"].tolist() == ["ank_x+ank_y+ank_z", "xyz"]
    assert t["n_events"].tolist() == [0, 1]


def test_without_a_sidecar_the_sites_its_events_name() -> None:
    ev = _events([1.0, 2.0], [0.1, 0.1], ["other", "other"], ["b", "a, b"])
    # the length was taken from the last event's end without a word: rates too high
    with pytest.warns(UserWarning, match="last event's end, so rates are too high"):
        t = channel_summary(ev)
    assert t["channel"].tolist() == ["b", "a"]
    assert t["n_other"].tolist() == [2, 1]
    assert t["recorded_s"].tolist() == [2.1, 2.1]
    # the length can be given instead
    t = channel_summary(ev, duration=60.0)
    assert t["recorded_s"].tolist() == [60.0, 60.0]
    assert t["rate_per_min_other"].tolist() == [2.0, 1.0]
    for bad, say in ((0.0, "positive"), ("x", "positive"), (1.5, "before the table's last onset")):
        with pytest.raises(MovementError, match=say):
            channel_summary(ev, duration=bad)


def test_period_summary_takes_a_duration_for_a_bare_table() -> None:
    ev = _events([10.0, 4000.0], [1.0, 1.0], ["other", "other"], ["a", "a"])
    with pytest.warns(UserWarning, match="pass duration="):
        assert len(period_summary(ev, "hour")) == 2  # (to 4001 s)
    t = period_summary(ev, "hour", duration=3 * 3600.0)
    assert t["stop_s"].tolist() == [3600.0, 7200.0, 10800.0]
    assert t["n_other"].tolist() == [1, 1, 0]


def test_no_events() -> None:
    ev = _events([], [], [], [], duration=30.0, channels=["EMG"], modality="emg")
    t = channel_summary(ev)
    assert t["channel"].tolist() == ["EMG"]
    assert t["n_events"].tolist() == [0]
    assert t["rate_per_min_dystonia"].tolist() == [0.0]


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0.0, 500.0),
            st.floats(0.01, 20.0),
            st.sampled_from(CLASSES),
            st.sampled_from(["c1", "c2", "c3"]),
        ),
        max_size=40,
    )
)
def test_property_one_channel_per_event_adds_up_to_the_recording(items) -> None:
    """With one channel per event, the channels' counts add up to the recording's (as
    summary.tsv counts them), and every channel of the recording has a row."""
    ev = _events(
        [i[0] for i in items],
        [i[1] for i in items],
        [i[2] for i in items],
        [i[3] for i in items],
        duration=600.0,
        channels=["c1", "c2", "c3", "c4"],
        modality="emg",
    )
    t = channel_summary(ev)
    assert t["channel"].tolist() == ["c1", "c2", "c3", "c4"]
    whole = summarise("f", ev)
    for c in CLASSES:
        k = c.split("-")[0]
        assert int(t[f"n_{k}"].sum()) == whole[f"n_{k}"]
    assert int(t["n_events"].sum()) == len(ev)
    assert (t["dystonia_time_fraction"] <= 1.0 + 1e-9).all()


def test_top_level_name() -> None:
    assert movement.channel_summary is channel_summary


def test_cli_per_channel(tmp_path: Path) -> None:
    out = tmp_path / "out"
    emg = str(DATA / "sim_forearm_emg.npy")
    accel = str(DATA / "sim_wrist_accel.csv")
    assert main(["score", emg, accel, "--out", str(out), "--model", "rules", "-q"]) == 0
    before = (out / "sim_forearm_emg_events.tsv").read_bytes()
    # asked for later: resumed, only the tables added
    args = ["score", emg, accel, "--out", str(out), "--model", "rules", "-q", "--per", "channel"]
    assert main(args) == 0
    assert (out / "sim_forearm_emg_events.tsv").read_bytes() == before
    per = pd.read_csv(out / "sim_forearm_emg_per_channel.tsv", sep="\t", dtype={"channel": str})
    ev = read_bids_events(out / "sim_forearm_emg_events.tsv")
    assert per["channel"].tolist() == ev.attrs["channels"]
    assert per["n_events"].sum() >= len(ev)
    both = pd.read_csv(out / "summary_per_channel.tsv", sep="\t", dtype={"channel": str})
    assert both.columns[0] == "file"
    assert sorted(set(both["file"])) == sorted([emg, accel])
    assert both.loc[both["file"] == accel, "channel"].tolist() == ["xyz"]
    # a reviewer relabels an event: the table is made again from the events table
    tsv = out / "sim_wrist_accel_events.tsv"
    made = (out / "sim_wrist_accel_per_channel.tsv").stat().st_mtime_ns
    table = pd.read_csv(tsv, sep="\t", keep_default_na=False)
    first = table.loc[0, "trial_type"]
    new = "other" if first != "other" else "dystonia-like"
    table.loc[0, "trial_type"] = new
    table.loc[0, "review_status"] = "relabelled"
    table.to_csv(tsv, sep="\t", index=False)
    os.utime(tsv, ns=(made + 10**9, made + 10**9))
    assert main(args) == 0
    again = pd.read_csv(out / "sim_wrist_accel_per_channel.tsv", sep="\t")
    k = new.split("-")[0]
    assert int(again[f"n_{k}"].iloc[0]) == int((table["trial_type"] == new).sum())


def test_report_of_a_multichannel_recording_has_a_channel_table(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from movement.report import _per_channel_html, write_report

    rec = movement.read(DATA / "sim_forearm_emg.npy")
    ev = movement.score(rec, model="rules")
    page = tmp_path / "emg_report.html"
    write_report(rec, ev, page)
    text = page.read_text()
    assert "<h2>Per channel</h2>" in text
    per = channel_summary(ev)
    section = text[text.index("<h2>Per channel</h2>") :].split("</table>")[0]
    assert section.count("<tr>") == len(per) + 1 == len(rec.channels) + 1
    # one accelerometer: no table
    acc = movement.read(DATA / "sim_wrist_accel.csv")
    assert _per_channel_html(movement.score(acc, model="rules"), acc.duration, ("xyz",)) == ""


def test_a_table_that_is_no_events_table_is_one_line() -> None:
    """An empty DataFrame gave a bare KeyError: 'onset'."""
    import pandas as pd

    from movement.errors import MovementError
    from movement.output import channel_summary, period_summary

    for f, who in ((channel_summary, "channel_summary"), (period_summary, "period_summary")):
        with pytest.raises(
            MovementError,
            match=f"^{who}: the events table has no column onset, duration, trial_type",
        ):
            f(pd.DataFrame())
        with pytest.raises(MovementError, match=f"^{who} takes an events table"):
            f([1, 2])
