"""movement.evaluate takes the recording's length and modality from the events' ``attrs``
(as movement.score sets them), refuses a duration that is not positive, and refuses
events that lie beyond the recording's end."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

import movement
from movement.errors import MovementError
from movement.evaluate import evaluate
from movement.simulate import simulate

F, D = "fasciculation-like", "dystonia-like"


def table(rows: list[tuple[float, float, str]], **attrs: object) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["onset", "duration", "trial_type"])
    df.attrs.update(attrs)
    return df


TRUTH = table([(1.0, 0.02, F), (10.0, 8.0, D), (40.0, 0.02, F)])


@pytest.fixture(scope="module")
def emg_sim() -> tuple[pd.DataFrame, pd.DataFrame, float]:
    sim = simulate("emg", 120, seed=1)
    pred = movement.score(sim.recording, model="rules")
    return pred, sim.events, sim.recording.duration


# --------------------------------------------------------------------------- attrs


def test_scored_events_give_modality_and_duration(emg_sim) -> None:
    pred, truth, duration = emg_sim
    assert pred.attrs["modality"] == "emg" and pred.attrs["duration"] == duration
    res = evaluate(pred, truth)
    row = res.per_file.iloc[0]
    assert row["modality"] == "emg" and row["modality_from"] == "attrs of the predictions"
    assert row["duration_s"] == duration and row["duration_from"] == "attrs of the predictions"
    assert res.hours == pytest.approx(duration / 3600.0)  # not the last event's end
    assert res.events.loc[F, "criterion"] == "onset within 0.05 s (emg)"
    assert "duration from: attrs" in res.notes
    assert "modality: emg (attrs of the predictions)" in res.notes


def test_explicit_arguments_win_over_attrs_and_say_so() -> None:
    pred = table([(5.15, 0.02, F)], modality="emg", duration=60.0)
    truth = table([(5.0, 0.02, F)])
    res = evaluate(pred, truth, modality="accel", duration=3600.0)
    row = res.per_file.iloc[0]
    assert row["modality_from"] == row["duration_from"] == "argument"
    assert res.events.loc[F, "tp"] == 1  # 0.15 s: inside the accelerometer collar
    assert res.hours == pytest.approx(1.0)
    text = " ".join(res.notes)
    assert "modality argument accel used" in text and "say emg" in text
    assert "duration argument 3600 s used" in text


def test_the_truths_attrs_are_used_too() -> None:
    truth = table([(5.0, 0.02, F)], modality="emg", duration=7200.0)
    res = evaluate(table([(5.15, 0.02, F)]), truth)
    row = res.per_file.iloc[0]
    assert row["modality_from"] == "attrs of the truth" and row["modality"] == "emg"
    assert res.events.loc[F, "tp"] == 0  # 0.15 s: outside the EMG collar
    assert res.hours == pytest.approx(2.0)


def test_modality_in_stored_parameters() -> None:
    """An ``_events.tsv`` read back by ``movement report --events`` keeps only
    ``attrs["parameters"]`` (with the modality)."""
    pred = table([(5.15, 0.02, F)], parameters={"modality": "emg", "config": {}})
    res = evaluate(pred, table([(5.0, 0.02, F)]))
    assert res.per_file.iloc[0]["modality"] == "emg"
    assert res.events.loc[F, "tp"] == 0


def test_predictions_and_truth_of_different_recordings() -> None:
    with pytest.raises(MovementError, match="modality emg and the truth's accel") as info:
        evaluate(table([], modality="emg"), table([], modality="accel"))
    assert "\n" not in str(info.value)
    with pytest.raises(MovementError, match="120 s recording and the truth's 300 s"):
        evaluate(table([], duration=120.0), table([], duration=300.0))


@pytest.mark.parametrize(
    ("attrs", "msg"),
    [({"modality": "eeg"}, "modality 'eeg'"), ({"duration": 0}, "duration 0"),
     ({"duration": float("nan")}, "duration nan"), ({"duration": "long"}, "duration 'long'")],
)  # fmt: skip
def test_bad_attrs_are_refused(attrs, msg) -> None:
    with pytest.raises(MovementError, match=msg):
        evaluate(table([(1.0, 0.0, F)], **attrs), TRUTH)


def test_attrs_against_a_sidecar(tmp_path: Path) -> None:
    t = tmp_path / "s_events.tsv"
    TRUTH.to_csv(t, sep="\t", index=False)
    (tmp_path / "s.json").write_text(json.dumps({"Duration": 600, "Modality": "accel"}))
    with pytest.raises(MovementError, match="modality emg but the sidecar s.json says accel"):
        evaluate(table([(1.0, 0.02, F)], modality="emg"), t)
    with pytest.raises(MovementError, match="a 60 s recording but the sidecar s.json says 600"):
        evaluate(table([(1.0, 0.02, F)], duration=60.0), t)
    res = evaluate(table([(1.0, 0.02, F)], modality="accel", duration=600.0), t)
    assert res.per_file.iloc[0]["duration_from"] == "attrs of the predictions"
    # an explicit modality settles a disagreement
    res = evaluate(table([(1.0, 0.02, F)], modality="emg"), t, modality="accel")
    assert res.per_file.iloc[0]["modality"] == "accel"


# --------------------------------------------------------------------------- duration


@pytest.mark.parametrize("bad", [0, 0.0, -5.0, math.nan, math.inf, "sixty", True])
def test_duration_must_be_positive_and_finite(bad) -> None:
    with pytest.raises(MovementError, match="duration must be a positive number") as info:
        evaluate(TRUTH, TRUTH, duration=bad)
    assert "\n" not in str(info.value)


def test_integer_duration_is_fine() -> None:
    assert evaluate(TRUTH, TRUTH, duration=60).hours == pytest.approx(60 / 3600)


def test_sidecar_with_infinite_duration_is_not_used(tmp_path: Path) -> None:
    t = tmp_path / "r_events.tsv"
    TRUTH.to_csv(t, sep="\t", index=False)
    (tmp_path / "r.json").write_text('{"Duration": Infinity}')
    row = evaluate(t, t).per_file.iloc[0]
    assert math.isfinite(row["duration_s"]) and row["duration_from"].startswith("events")


def test_onsets_in_milliseconds_are_refused() -> None:
    pred = TRUTH.assign(onset=TRUTH["onset"] * 1000)
    with pytest.raises(MovementError, match="beyond the recording's 60 s") as info:
        evaluate(pred, TRUTH, duration=60.0)
    msg = str(info.value)
    assert "predicted event at 40000 s" in msg and "(duration from argument)" in msg
    assert "not in seconds" in msg and "\n" not in msg
    with pytest.raises(MovementError, match="a true event"):
        evaluate(TRUTH, pred, duration=60.0)


def test_events_of_a_longer_recording_are_refused(emg_sim) -> None:
    pred, truth, _ = emg_sim
    part = pred[pred["onset"] < 30].copy()
    part.attrs = dict(pred.attrs, duration=30.0)  # scored on the first 30 s
    assert (truth["onset"] > 31).any()
    with pytest.raises(MovementError, match="attrs of the predictions"):
        evaluate(part, truth)


def test_a_small_overrun_is_tolerated() -> None:
    truth = table([(55.0, 5.5, D)])  # ends 0.5 s after the end: an annotation's rounding
    res = evaluate(truth, truth, duration=60.0)
    assert res.events.loc[D, "tp"] == 1
    assert res.segments.loc[D, ["tp", "fp", "fn", "tn"]].sum() == 61


def test_folder_names_the_file(tmp_path: Path) -> None:
    for d in ("p", "t"):
        (tmp_path / d).mkdir()
        TRUTH.to_csv(tmp_path / d / "a_events.tsv", sep="\t", index=False)
    TRUTH.assign(onset=TRUTH["onset"] * 1000).to_csv(
        tmp_path / "p" / "b_events.tsv", sep="\t", index=False
    )
    TRUTH.to_csv(tmp_path / "t" / "b_events.tsv", sep="\t", index=False)
    with pytest.raises(MovementError, match=r"^b: a predicted event"):
        evaluate(tmp_path / "p", tmp_path / "t", duration=60.0)


def test_a_reviewed_table_as_truth_leaves_out_rejected_events() -> None:
    """A reviewed events table used as truth counted the events a reviewer rejected as
    true events (F1 1.0 against the unreviewed predictions)."""
    pred = table([(2.0, 0.05, "fasciculation-like"), (10.0, 0.05, "fasciculation-like")])
    truth = pred.assign(review_status=["accepted", "rejected"])
    res = evaluate(pred, truth, duration=60.0, modality="emg")
    assert int(res.events.loc["fasciculation-like", "fp"]) == 1
    assert any("1 rejected event(s) left out" in n for n in res.notes)


def test_notes_say_what_made_the_predictions_and_when_it_differs(tmp_path: Path) -> None:
    """Predictions pooled from files scored with other settings or models were compared
    with no word of it; the evaluation JSON held no parameters hash or model."""
    from movement.cli import main

    src = Path(__file__).resolve().parents[1] / "data" / "sim_wrist_accel.csv"
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["score", str(src), "--out", str(a)]) == 0
    assert main(["score", str(src), "--out", str(b), "--model", "rules"]) == 0
    (a / "other_events.tsv").write_bytes((b / "sim_wrist_accel_events.tsv").read_bytes())
    (a / "other_events.json").write_bytes((b / "sim_wrist_accel_events.json").read_bytes())
    truth = tmp_path / "truth"
    truth.mkdir()
    for stem in ("sim_wrist_accel", "other"):
        (truth / f"{stem}_events.tsv").write_bytes(
            (src.parent / "sim_wrist_accel_events.tsv").read_bytes()
        )
    res = evaluate(a, truth, duration=120.0)
    made = [n for n in res.notes if n.startswith("predictions (accel) made 2 ways")]
    assert made and "model rules" in made[0] and "sha256" in made[0]
    one = evaluate(b, truth, duration=120.0)
    assert any(n.startswith("predictions (accel) made by movement ") for n in one.notes)


def test_reviewed_predictions_are_judged_on_the_models_labels() -> None:
    """A re-scored folder carries its review over: its events table then holds the
    reviewer's relabels, which evaluate took as the model's predictions."""
    truth = table([(2.0, 0.05, F), (10.0, 0.05, F)])
    pred = truth.assign(
        trial_type=[F, "other"], original_trial_type=[None, F], review_status=[None, "relabelled"]
    )
    res = evaluate(pred, truth, duration=60.0, modality="emg")
    assert int(res.events.loc[F, "tp"]) == 2
    assert any("the model's labels of 1 event(s)" in n for n in res.notes)
