"""A reviewer's edits and the outputs made from them: rows deleted from an events table
(scored again: said, kept), per-day / per-channel tables of tables edited in a
spreadsheet (class names in any case; unknown classes and decimal commas refused), batch
tables kept up to date when a file is scored again, ``movement review apply`` (decisions
folded into the tables from the command line), ``movement collect`` saying which
decisions it did not apply, and the error of a model without the recording's modality."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest

import movement
from movement.batch import _hand_edits, apply_review, collect_events
from movement.classify import load_model
from movement.cli import main
from movement.config import EMGConfig
from movement.errors import MovementError
from movement.export import read_bids_events

DATA = Path(__file__).resolve().parent.parent / "data"
EMG = DATA / "sim_forearm_emg.npy"
ACCEL = DATA / "sim_wrist_accel.csv"


def _score(out: Path, *more: str, inputs: tuple[Path, ...] = (EMG,)) -> int:
    return main(["score", *map(str, inputs), "--out", str(out), "--model", "rules", "-q", *more])


def _raw(tsv: Path) -> pd.DataFrame:
    """An events table as text, as a spreadsheet shows it."""
    return pd.read_csv(tsv, sep="\t", dtype=str, keep_default_na=False)


def _save(df: pd.DataFrame, tsv: Path) -> None:
    df.to_csv(tsv, sep="\t", index=False)


@pytest.fixture(scope="module")
def scored_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``data/sim_forearm_emg.npy`` scored once (rules) into a folder: each test that edits
    what is in it starts from a copy (:func:`_fresh`)."""
    out = tmp_path_factory.mktemp("scored_folder")
    assert _score(out) == 0
    return out


def _fresh(scored_folder: Path, tmp_path: Path) -> Path:
    """A copy of the scored folder, as ``movement score`` left it (the manifest too)."""
    return Path(shutil.copytree(scored_folder, tmp_path / "out"))


# -- A: rows deleted from a reviewed table ---------------------------------------------------


def test_rows_deleted_by_hand_come_back_said_with_the_table_kept(
    scored_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The tester's case: two rows deleted (to reject them) and one accepted; the changed
    row count scores the file again, every event comes back, and only "1 of 1
    decision(s) carried" was said. Decision: deleting a row is no decision (a table cut
    short looks the same), so the events come back unreviewed, and the warning says how
    many, where, how to reject, and which file keeps the table as it was left."""
    out = _fresh(scored_folder, tmp_path)
    tsv = out / "sim_forearm_emg_events.tsv"
    full = _raw(tsv)
    edited = full.copy()
    edited.loc[0, "review_status"] = "accepted"
    edited = edited.drop(index=[1, 2])
    _save(edited, tsv)
    left = tsv.read_bytes()
    capsys.readouterr()
    assert _score(out) == 0
    said = capsys.readouterr().err
    assert "1 of 1 decision(s)" in said
    gone = [f"{float(full.loc[k, 'onset']):.3f} s {full.loc[k, 'channel']}" for k in (1, 2)]
    assert (
        "2 event(s) deleted by hand from the previous sim_forearm_emg_events.tsv are back" in said
    )
    assert all(g in said for g in gone), said
    assert "set its review_status to rejected" in said
    assert "kept as sim_forearm_emg_events_reviewed-1.tsv" in said
    assert (out / "sim_forearm_emg_events_reviewed-1.tsv").read_bytes() == left
    again = _raw(tsv)
    assert len(again) == len(full)
    assert again.loc[0, "review_status"] == "accepted"
    assert list(again.loc[[1, 2], "review_status"]) == ["n/a", "n/a"]


def test_rows_deleted_from_a_table_with_no_review_keep_it_too(
    scored_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With no review_status filled in, the table as left was replaced without a copy or a
    word: the reviewer's deletions were lost."""
    out = _fresh(scored_folder, tmp_path)
    tsv = out / "sim_forearm_emg_events.tsv"
    _save(_raw(tsv).drop(index=[3]), tsv)
    left = tsv.read_bytes()
    capsys.readouterr()
    assert _score(out) == 0
    said = capsys.readouterr().err
    assert "1 event(s) deleted by hand" in said and "are back, not reviewed" in said
    assert (out / "sim_forearm_emg_events_reviewed-1.tsv").read_bytes() == left


def test_a_row_added_by_hand_is_said_and_kept_in_the_copy(
    scored_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _fresh(scored_folder, tmp_path)
    tsv = out / "sim_forearm_emg_events.tsv"
    ev = _raw(tsv)
    extra = ev.iloc[[0]].copy()
    extra["onset"] = "55.5"
    _save(pd.concat([ev, extra], ignore_index=True), tsv)
    capsys.readouterr()
    assert _score(out) == 0
    said = capsys.readouterr().err
    assert "1 row(s) added by hand to the previous sim_forearm_emg_events.tsv" in said
    assert "55.500 s" in said
    assert "55.5\t" in (out / "sim_forearm_emg_events_reviewed-1.tsv").read_text()


def test_events_of_other_settings_are_not_taken_for_hand_edits(
    scored_folder: Path, tmp_path: Path
) -> None:
    """Scored again with other settings, the events differ: no rows are "deleted"."""
    out = _fresh(scored_folder, tmp_path)
    tsv = out / "sim_forearm_emg_events.tsv"
    rec = movement.read(EMG)
    same = movement.score(rec, model="rules")
    other = movement.score(rec, movement.Settings().with_overrides(["emg.k_on=6"]), model="rules")
    cut = _raw(tsv).drop(index=[0])
    _save(cut, tsv)
    assert _hand_edits(tsv, same)  # (the same scoring: the deleted row is found)
    assert _hand_edits(tsv, other) == []


# -- B: per-channel / per-day tables of a table edited in a spreadsheet ----------------------


@pytest.fixture(scope="module")
def scored(scored_folder: Path) -> Path:
    """The scored events table (read, never written: :func:`_edited` edits a copy)."""
    return scored_folder / "sim_forearm_emg_events.tsv"


def _edited(scored: Path, tmp_path: Path, edit) -> Path:
    """A copy of the scored table (with its sidecar) as ``edit`` leaves it."""
    tsv = tmp_path / scored.name
    shutil.copy(scored.with_suffix(".json"), tmp_path / scored.with_suffix(".json").name)
    df = _raw(scored)
    edit(df)
    _save(df, tsv)
    return tsv


def _other_row(df: pd.DataFrame) -> int:
    return int(np.flatnonzero(df["trial_type"].to_numpy() == "other")[0])


@pytest.mark.parametrize(
    "typed", ["Fasciculation-like", "FASCICULATION-LIKE ", "fasciculation-like"]
)
def test_a_relabel_in_any_case_counts_as_its_class(
    scored: Path, tmp_path: Path, typed: str
) -> None:
    """LibreOffice capitalises `Fasciculation-like`: n_events 3 but fasciculation 0 +
    dystonia 2 + other 0 (the relabelled event counted in no class)."""
    base = read_bids_events(scored)
    k = _other_row(_raw(scored))

    def relabel(df: pd.DataFrame) -> None:
        df.loc[k, ["review_status", "trial_type"]] = ["relabelled", typed]

    ev = read_bids_events(_edited(scored, tmp_path, relabel))
    for table in (movement.channel_summary(ev), movement.period_summary(ev, "day")):
        parts = table[["n_fasciculation", "n_dystonia", "n_other"]].sum(axis=1)
        assert (parts == table["n_events"]).all()
    before = movement.channel_summary(base).set_index("channel")
    after = movement.channel_summary(ev).set_index("channel")
    site = str(base.loc[k, "channel"]).split(",")[0]
    assert after.loc[site, "n_fasciculation"] == before.loc[site, "n_fasciculation"] + 1
    assert after.loc[site, "n_other"] == before.loc[site, "n_other"] - 1


def test_an_unknown_class_is_refused_naming_the_table_and_row(scored: Path, tmp_path: Path) -> None:
    k = _other_row(_raw(scored))

    def typo(df: pd.DataFrame) -> None:
        df.loc[k, ["review_status", "trial_type"]] = ["relabelled", "fasciculation"]

    tsv = _edited(scored, tmp_path, typo)
    ev = read_bids_events(tsv)
    for summary in (movement.channel_summary, movement.period_summary):
        with pytest.raises(MovementError) as err:
            summary(ev)
        said = str(err.value)
        assert str(tsv) in said and f"row {k + 1} ('fasciculation')" in said
        assert "fasciculation-like, dystonia-like, other" in said
    # rejected, its label does not count: no error
    ev.loc[k, "review_status"] = "rejected"
    assert len(movement.channel_summary(ev))


def test_decimal_commas_are_refused_not_n_a(scored: Path, tmp_path: Path) -> None:
    """European Excel saves 2,0705: the durations and medians were n/a, without a word."""

    def european(df: pd.DataFrame) -> None:
        for c in ("onset", "duration", "dominant_frequency_hz"):
            df[c] = df[c].str.replace(".", ",", regex=False)

    tsv = _edited(scored, tmp_path, european)
    ev = read_bids_events(tsv)
    for summary in (movement.channel_summary, movement.period_summary):
        with pytest.raises(MovementError, match="decimal commas") as err:
            summary(ev)
        assert str(tsv) in str(err.value) and "rows 1, 2, 3" in str(err.value)


def test_a_feature_that_is_no_number_is_refused(scored: Path, tmp_path: Path) -> None:
    def text(df: pd.DataFrame) -> None:
        df.loc[2, "tremor_band_ratio"] = "high"

    ev = read_bids_events(_edited(scored, tmp_path, text))
    with pytest.raises(
        MovementError, match=r"tremor_band_ratio is not a number in row 3 \('high'\)"
    ):
        movement.channel_summary(ev)


def test_an_unknown_status_is_said_and_an_unknown_review_flag_refused(
    scored: Path, tmp_path: Path
) -> None:
    """A status the summaries do not know counted as not reviewed without a word (a
    misspelt reject counted as an event): it is still no decision ("maybe"), said with
    its rows; a German spreadsheet's WAHR was read as flagged, FALSCH too."""

    def status(df: pd.DataFrame) -> None:
        df.loc[1, "review_status"] = "rejeted"

    tsv = _edited(scored, tmp_path, status)
    with pytest.warns(UserWarning, match=r"review_status .* row 2 \('rejeted'\): counted as not"):
        table = movement.channel_summary(read_bids_events(tsv))
    assert (
        table["n_events"].sum()
        == movement.channel_summary(read_bids_events(scored))["n_events"].sum()
    )

    def flag(df: pd.DataFrame) -> None:
        df["review"] = df["review"].map({"True": "WAHR", "False": "FALSCH"})

    with pytest.raises(MovementError, match=r"review is not True or False in rows 1, 2"):
        movement.period_summary(read_bids_events(_edited(scored, tmp_path, flag)), "hour")


def test_a_clean_table_summarises_as_before(scored: Path) -> None:
    ev = read_bids_events(scored)
    table = movement.channel_summary(ev)
    parts = table[["n_fasciculation", "n_dystonia", "n_other"]].sum(axis=1)
    assert (parts == table["n_events"]).all() and table["n_events"].sum() >= len(ev)


def test_a_batch_says_which_table_it_refused_and_drops_its_old_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert _score(out, "--per", "channel", inputs=(EMG, ACCEL)) == 0
    tsv = out / "sim_forearm_emg_events.tsv"
    df = _raw(tsv)
    df.loc[_other_row(df), ["review_status", "trial_type"]] = ["relabelled", "fasciculation"]
    _save(df, tsv)
    capsys.readouterr()
    assert _score(out, "--per", "channel", inputs=(EMG, ACCEL)) == 0
    said = capsys.readouterr().err
    assert f"warning {EMG}: per-channel table not made (channel_summary: {tsv}" in said
    assert "('fasciculation')" in said
    assert not (out / "sim_forearm_emg_per_channel.tsv").exists()  # (it was outdated)
    batch = pd.read_csv(out / "summary_per_channel.tsv", sep="\t")
    assert set(batch["file"]) == {str(ACCEL)}


# -- C: batch tables of files scored again ---------------------------------------------------


def test_a_file_scored_again_without_per_leaves_no_old_rows_in_the_batch_table(
    scored_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Scored again without --per, its <stem>_per_channel.tsv was removed but the batch's
    summary_per_channel.tsv kept its rows of the old scoring. Decision: the batch table
    follows the files' tables, as those do the events: its rows are left out (and said)
    until --per makes them again; the other files' rows stay."""
    out = tmp_path / "out"
    assert _score(out, "--per", "channel", "--per", "day", inputs=(EMG, ACCEL)) == 0
    capsys.readouterr()
    assert _score(out, "--set", "emg.k_on=6", inputs=(EMG,)) == 0
    said = capsys.readouterr().err
    for period in ("channel", "day"):
        batch = pd.read_csv(out / f"summary_per_{period}.tsv", sep="\t", dtype=str)
        assert set(batch["file"]) == {str(ACCEL)}
        assert not (out / f"sim_forearm_emg_per_{period}.tsv").exists()
        assert (
            f"its rows are left out of summary_per_{period}.tsv: its "
            f"sim_forearm_emg_per_{period}.tsv is gone (scored again); --per {period} makes it"
        ) in said
    # asked again: the new scoring's rows
    assert _score(out, "--per", "channel", "--set", "emg.k_on=6", inputs=(EMG, ACCEL)) == 0
    new_hash = json.loads((out / "sim_forearm_emg_events.json").read_text())["parameters_hash"]
    batch = pd.read_csv(out / "summary_per_channel.tsv", sep="\t", dtype=str)
    assert set(batch.loc[batch["file"] == str(EMG), "parameters_hash"]) == {new_hash}


def test_a_batch_table_leaves_out_a_table_older_than_its_reviewed_events(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert _score(out, "--per", "channel", inputs=(EMG, ACCEL)) == 0
    tsv = out / "sim_forearm_emg_events.tsv"
    df = _raw(tsv)
    df.loc[0, "review_status"] = "rejected"
    _save(df, tsv)
    later = (out / "sim_forearm_emg_per_channel.tsv").stat().st_mtime_ns + 10**9
    os.utime(tsv, ns=(later, later))
    capsys.readouterr()
    assert _score(out, inputs=(ACCEL,)) == 0
    batch = pd.read_csv(out / "summary_per_channel.tsv", sep="\t", dtype=str)
    assert set(batch["file"]) == {str(ACCEL)}
    said = capsys.readouterr().err
    assert f"warning: {EMG}: its rows are left out of summary_per_channel.tsv: its " in said
    assert "older than its events table (edited since)" in said


def test_a_collected_table_is_made_again_when_a_file_is_scored_again(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _score(out, "--collect", inputs=(EMG, ACCEL)) == 0
    assert _score(out, "--set", "emg.k_on=6", inputs=(EMG,)) == 0
    new_hash = json.loads((out / "sim_forearm_emg_events.json").read_text())["parameters_hash"]
    table = pd.read_csv(out / "events_all.tsv", sep="\t", dtype=str)
    assert set(table.loc[table["stem"] == "sim_forearm_emg", "parameters_hash"]) == {new_hash}
    n = len(read_bids_events(out / "sim_forearm_emg_events.tsv"))
    assert (table["stem"] == "sim_forearm_emg").sum() == n


# -- D: movement review apply; collect says what it did not apply ----------------------------


def _export(tsv: Path, rows: list[int], status: list[str], new: list[str | None]) -> str:
    """A decisions table as a review page exports it, for rows of an events table."""
    ev = _raw(tsv)
    lines = [
        "onset\tduration\ttrial_type\tchannel\treview_status\treviewer\tcomment\tnew_trial_type"
    ]
    for k, st, nt in zip(rows, status, new, strict=True):
        r = ev.iloc[k]
        lines.append(
            f"{r['onset']}\t{r['duration']}\t{r['trial_type']}\t{r['channel']}\t{st}\tRA\tn/a\t"
            f"{nt or 'n/a'}"
        )
    return "\n".join(lines) + "\n"


def test_review_apply_folds_decisions_into_the_table_and_its_outputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert _score(out, "--per", "channel", inputs=(EMG, ACCEL)) == 0
    tsv = out / "sim_forearm_emg_events.tsv"
    before = tsv.read_bytes()
    k = _other_row(_raw(tsv))
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    (downloads / "sim_forearm_emg_decisions.tsv").write_text(
        _export(tsv, [0, k], ["rejected", "relabelled"], [None, "fasciculation-like"])
    )
    per_before = movement.channel_summary(read_bids_events(tsv))
    capsys.readouterr()
    assert main(["review", "apply", str(out), "--decisions", str(downloads)]) == 0
    said = capsys.readouterr()
    assert "applied sim_forearm_emg_events.tsv: 2 event(s) changed" in said.out
    assert "sim_forearm_emg_events_reviewed-1.tsv" in said.out
    assert (out / "sim_forearm_emg_events_reviewed-1.tsv").read_bytes() == before
    ev = read_bids_events(tsv)
    assert ev.loc[0, "review_status"] == "rejected"
    assert ev.loc[k, ["review_status", "trial_type", "original_trial_type"]].tolist() == [
        "relabelled",
        "fasciculation-like",
        "other",
    ]
    assert "original_trial_type" in json.loads(tsv.with_suffix(".json").read_text())
    # the tables made from it follow
    per = pd.read_csv(out / "sim_forearm_emg_per_channel.tsv", sep="\t")
    assert per["n_events"].sum() == per_before["n_events"].sum() - 1 - (
        str(ev.loc[0, "channel"]).count(",")
    )
    assert per["n_fasciculation"].sum() > per_before["n_fasciculation"].sum() - 1
    batch = pd.read_csv(out / "summary_per_channel.tsv", sep="\t")
    emg = batch[batch["file"] == str(EMG)].reset_index(drop=True)
    assert emg["n_events"].tolist() == per["n_events"].tolist()
    # again: nothing changes, nothing is written
    stamp = tsv.stat().st_mtime_ns
    assert main(["review", "apply", str(out), "--decisions", str(downloads)]) == 0
    assert "nothing changed" in capsys.readouterr().out
    assert tsv.stat().st_mtime_ns == stamp
    assert not (out / "sim_forearm_emg_events_reviewed-2.tsv").exists()


def test_review_apply_says_a_decisions_file_of_no_recording_and_applies_the_others(
    scored_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _fresh(scored_folder, tmp_path)
    tsv = out / "sim_forearm_emg_events.tsv"
    (out / "sim_forearm_emg_decisions.tsv").write_text(_export(tsv, [1], ["accepted"], [None]))
    (out / "other_rec_decisions.tsv").write_text(_export(tsv, [1], ["rejected"], [None]))
    capsys.readouterr()
    assert main(["review", "apply", str(out)]) == 1
    said = capsys.readouterr()
    assert "error  other_rec_decisions.tsv: no other_rec_events.tsv in" in said.err
    assert "1 of 2 events table(s) updated" in said.err
    assert read_bids_events(tsv).loc[1, "review_status"] == "accepted"


def test_review_apply_leaves_a_table_it_cannot_read_as_it_was(
    scored_folder: Path, tmp_path: Path
) -> None:
    out = _fresh(scored_folder, tmp_path)
    tsv = out / "sim_forearm_emg_events.tsv"
    (out / "sim_forearm_emg_decisions.tsv").write_text(_export(tsv, [1], ["accepted"], [None]))
    df = _raw(tsv)
    df["onset"] = df["onset"].str.replace(".", ",", regex=False)
    _save(df, tsv)
    left = tsv.read_bytes()
    (result,) = apply_review(out)
    assert result["status"] == "error" and "decimal commas" in result["message"]
    assert tsv.read_bytes() == left
    assert not (out / "sim_forearm_emg_events_reviewed-1.tsv").exists()


def test_review_apply_needs_decisions_files(scored_folder: Path, tmp_path: Path) -> None:
    out = _fresh(scored_folder, tmp_path)
    with pytest.raises(MovementError, match="no decisions files"):
        apply_review(out)


def test_collect_says_decisions_it_did_not_apply_on_stderr(
    scored_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Decisions that matched no event were only in events_all.json's notes, and a
    decisions file of no recording was skipped without a word (train --reviewed aborts
    on it). Now: one line each on stderr, and exit code 1 for a file not applied."""
    out = _fresh(scored_folder, tmp_path)
    tsv = out / "sim_forearm_emg_events.tsv"
    text = _export(tsv, [1], ["accepted"], [None])
    (out / "sim_forearm_emg_decisions.tsv").write_text(
        text + "59.123\t0.01\tfasciculation-like\tch1\trejected\tRA\tn/a\tn/a\n"
    )
    (out / "other_rec_decisions.tsv").write_text(text)
    capsys.readouterr()
    assert main(["collect", str(out)]) == 1
    err = capsys.readouterr().err
    assert "other_rec_decisions.tsv: not applied (no recording scored into" in err
    assert "1 decision(s) match no event" in err and "59.123 s" in err
    assert "1 decisions file(s) not applied" in err
    meta = json.loads((out / "events_all.json").read_text())
    assert [d["file"] for d in meta["decisions_not_applied"]] == ["other_rec_decisions.tsv"]
    # without the orphan: the table, the warning of the decision, exit code 0
    os.remove(out / "other_rec_decisions.tsv")
    with pytest.warns(UserWarning, match="match no event"):
        collect_events(out)
    assert main(["collect", str(out)]) == 0


# -- E: a model trained for one modality -----------------------------------------------------


def test_a_model_without_the_modality_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "accel_only.joblib"
    joblib.dump({"name": "movement-hgb-test", "models": {"accel": object()}}, path)
    with pytest.raises(MovementError) as err:
        load_model(str(path), "emg", EMGConfig())
    said = str(err.value)
    assert "has no model for emg (trained for accel only)" in said
    assert "--model default or --model rules" in said
    assert "movement train --modality accel --modality emg" in said
