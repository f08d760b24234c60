"""Tests of movement.evaluate: event/segment metrics, false alarms, confusion, files, CLI."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from movement.errors import MovementError
from movement.evaluate import (
    CLASSES,
    EvaluationResult,
    Tolerances,
    cli_configure,
    cli_run,
    evaluate,
    read_events,
)

F, D, OT = "fasciculation-like", "dystonia-like", "other"
TARGET = (F, D)


def table(rows: list[tuple[float, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["onset", "duration", "trial_type"])


TRUTH = table(
    [
        (1.0, 0.02, F),
        (3.0, 0.03, F),
        (10.0, 8.0, D),
        (30.0, 2.0, OT),
        (40.0, 0.02, F),
    ]
)


def write_events(path: Path, df: pd.DataFrame) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, sep="\t", index=False, na_rep="n/a")
    return path


# --------------------------------------------------------------------------- basics


def test_perfect_prediction_scores_one():
    res = evaluate(TRUTH, TRUTH, modality="emg", duration=60.0)
    assert (res.events["f1"] == 1.0).all()
    assert (res.events["fp"] == 0).all() and (res.events["fn"] == 0).all()
    assert res.macro_f1 == 1.0
    assert (res.segments["f1"] == 1.0).all()
    assert res.false_alarms_per_hour == {F: 0.0, D: 0.0}
    diag = np.diag(res.confusion.loc[list(CLASSES), list(CLASSES)].to_numpy())
    assert diag.tolist() == [3, 1, 1]
    assert res.confusion["missed"].sum() == 0 and res.confusion.loc["spurious"].sum() == 0


@pytest.mark.parametrize(
    ("modality", "shift", "found"),
    [("emg", 0.04, True), ("emg", 0.06, False), ("accel", 0.15, True), ("accel", 0.25, False)],
)
def test_brief_onset_collar_depends_on_modality(modality, shift, found):
    truth = table([(5.0, 0.02, F)])
    pred = table([(5.0 + shift, 0.02, F)])
    ev = evaluate(pred, truth, modality=modality).events
    assert ev.loc[F, "tp"] == int(found)
    assert ev.loc[F, "fp"] == ev.loc[F, "fn"] == int(not found)


def test_unknown_modality_uses_accelerometer_collar():
    res = evaluate(table([(5.15, 0.02, F)]), table([(5.0, 0.02, F)]))
    assert res.events.loc[F, "tp"] == 1
    assert any("unknown" in n for n in res.notes)


def test_sustained_onset_and_offset_collars():
    truth = table([(10.0, 10.0, D)])  # onset collar max(0.5, 2.0), offset collar max(0.5, 5.0)
    inside = table([(11.5, 12.0, D)])  # onset +1.5, offset +3.5
    late_onset = table([(12.5, 7.5, D)])  # onset +2.5
    bad_offset = table([(10.0, 16.0, D)])  # offset +6
    assert evaluate(inside, truth).events.loc[D, "tp"] == 1
    assert evaluate(late_onset, truth).events.loc[D, "tp"] == 0
    assert evaluate(bad_offset, truth).events.loc[D, "tp"] == 0
    short = table([(10.0, 0.6, D)])  # collars fall back to 0.5 s
    assert evaluate(table([(10.4, 0.6, D)]), short).events.loc[D, "tp"] == 1
    assert evaluate(table([(10.6, 0.6, D)]), short).events.loc[D, "tp"] == 0


def test_overlap_criterion():
    tol = Tolerances(sustained_criterion="overlap")
    truth = table([(10.0, 10.0, D)])
    # onset within collar, offset far off but covers the true event: IoU 10/16 passes
    assert evaluate(table([(10.0, 16.0, D)]), truth, tolerances=tol).events.loc[D, "tp"] == 1
    # onset within collar but too little overlap
    assert evaluate(table([(11.0, 1.0, D)]), truth, tolerances=tol).events.loc[D, "tp"] == 0


def test_wrong_class_is_fn_plus_fp_and_shows_in_confusion():
    truth = table([(5.0, 0.02, F)])
    pred = table([(5.0, 0.02, OT)])
    res = evaluate(pred, truth, modality="emg", duration=3600.0)
    assert res.events.loc[F, "fn"] == 1 and res.events.loc[OT, "fp"] == 1
    assert res.events.loc[F, "tp"] == 0
    assert res.confusion.loc[F, OT] == 1
    assert res.confusion.loc[F, "missed"] == 0
    assert res.confusion.loc["spurious"].sum() == 0
    # `other` is not a target class: no false alarm counted
    assert res.false_alarms_per_hour == {F: 0.0, D: 0.0}


def test_dystonia_predicted_as_fasciculation_counts_as_false_alarm():
    truth = table([(5.0, 6.0, D)])
    pred = table([(5.1, 0.02, F)])
    res = evaluate(pred, truth, duration=7200.0)
    assert res.false_alarms_per_hour[F] == pytest.approx(0.5)
    assert res.confusion.loc[D, F] == 1


def test_matching_is_one_to_one_and_maximal():
    # two predictions near one true event: one TP, one FP
    truth = table([(5.0, 0.02, F)])
    pred = table([(4.98, 0.02, F), (5.01, 0.02, F)])
    ev = evaluate(pred, truth, modality="emg").events
    assert (ev.loc[F, "tp"], ev.loc[F, "fp"], ev.loc[F, "fn"]) == (1, 1, 0)
    # greedy-by-distance would pair 1.04 with 1.0 and leave 0.96 unmatched; optimal finds 2
    truth = table([(1.0, 0.02, F), (1.08, 0.02, F)])
    pred = table([(0.96, 0.02, F), (1.04, 0.02, F)])
    assert evaluate(pred, truth, modality="emg").events.loc[F, "tp"] == 2


def test_empty_prediction():
    res = evaluate(TRUTH.iloc[:0], TRUTH, duration=3600.0)
    ev = res.events
    assert (ev["tp"] == 0).all() and (ev["fn"] == ev["n_true"]).all()
    assert (ev["f1"] == 0.0).all()
    assert ev["precision"].isna().all() and (ev["recall"] == 0).all()
    assert res.false_alarms_per_hour == {F: 0.0, D: 0.0}
    assert res.confusion["missed"].tolist() == [3, 1, 1, 0]


def test_empty_truth_counts_false_alarms():
    pred = table([(1.0, 0.02, F), (2.0, 0.02, F), (3.0, 5.0, D)])
    res = evaluate(pred, TRUTH.iloc[:0], duration=1800.0)
    ev = res.events
    assert ev.loc[F, "f1"] == 0.0 and ev.loc[F, "precision"] == 0.0
    assert math.isnan(ev.loc[F, "recall"])
    # neither true nor predicted: undefined (as sed_eval's class-wise F), not a perfect 1.0
    assert math.isnan(ev.loc[OT, "f1"])
    assert res.false_alarms_per_hour == {F: 4.0, D: 2.0}
    assert res.confusion.loc["spurious", F] == 2
    # both empty: undefined
    both = evaluate(TRUTH.iloc[:0], TRUTH.iloc[:0], duration=10.0)
    assert math.isnan(both.macro_f1)


def test_segment_metrics():
    truth = table([(0.5, 2.0, D)])  # active in segments 0, 1, 2
    pred = table([(1.2, 3.0, D)])  # segments 1, 2, 3, 4
    seg = evaluate(pred, truth, duration=10.0).segments
    assert tuple(seg.loc[D, ["tp", "fp", "fn", "tn"]]) == (2, 2, 1, 5)
    seg2 = evaluate(pred, truth, duration=10.0, tolerances=Tolerances(segment=5.0)).segments
    assert tuple(seg2.loc[D, ["tp", "fp", "fn", "tn"]]) == (1, 0, 0, 1)


def test_duration_from_events_when_nothing_else():
    res = evaluate(TRUTH, TRUTH)
    assert res.per_file["duration_from"].iloc[0].startswith("events")
    assert res.hours == pytest.approx(40.02 / 3600.0)


# --------------------------------------------------------------------------- files


def test_read_events_handles_na_and_labels(tmp_path):
    p = tmp_path / "a_events.tsv"
    p.write_text(
        "onset\tduration\ttrial_type\tsubtype\n"
        "2.0\tn/a\tFasciculation_like\tmuap\n"
        "1.0\t0.5\tother\tn/a\n"
    )
    df = read_events(p)
    assert df["onset"].tolist() == [1.0, 2.0]
    assert df["duration"].tolist() == [0.5, 0.0]
    assert df["trial_type"].tolist() == [OT, F]
    assert pd.isna(df["subtype"].iloc[0])


@pytest.mark.parametrize(
    ("text", "msg"),
    [
        ("onset\tduration\n1\t2\n", "missing column"),
        ("onset\tduration\ttrial_type\nx\t1\tother\n", "onset of row 1"),
        ("onset\tduration\ttrial_type\n1\t-1\tother\n", "negative"),
        ("onset\tduration\ttrial_type\n1\t1\ttremor\n", "unknown trial_type"),
        ("", "empty file"),
    ],
)
def test_bad_files_name_the_file(tmp_path, text, msg):
    p = tmp_path / "bad_events.tsv"
    p.write_text(text)
    with pytest.raises(MovementError, match=msg) as info:
        evaluate(p, p)
    assert str(p) in str(info.value) and "\n" not in str(info.value)


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(MovementError, match="no such file"):
        evaluate(tmp_path / "nope_events.tsv", tmp_path / "nope_events.tsv")


def test_single_files_and_sidecar_duration_and_modality(tmp_path):
    t = write_events(tmp_path / "truth" / "sub-01_events.tsv", TRUTH)
    (tmp_path / "truth" / "sub-01.json").write_text(
        json.dumps({"SamplingFrequency": 1000, "Duration": 7200, "Modality": "EMG"})
    )
    shifted = TRUTH.assign(onset=TRUTH["onset"] + 0.1)
    p = write_events(tmp_path / "pred" / "sub-01_events.tsv", shifted)
    res = evaluate(p, t)
    row = res.per_file.iloc[0]
    assert row["duration_s"] == 7200 and row["duration_from"].startswith("sidecar")
    assert row["modality"] == "emg"
    assert res.events.loc[F, "tp"] == 0  # 0.1 s > EMG collar
    assert res.false_alarms_per_hour[F] == pytest.approx(1.5)
    # the argument wins over the sidecar
    res2 = evaluate(p, t, duration=3600.0, modality="accel")
    assert res2.per_file.iloc[0]["duration_from"] == "argument"
    assert res2.events.loc[F, "tp"] == 3


def test_sidecar_samples_over_rate(tmp_path):
    t = write_events(tmp_path / "r_events.tsv", TRUTH)
    (tmp_path / "r_emg.json").write_text(
        json.dumps({"SamplingFrequency": 100, "NumberOfSamples": 360000})
    )
    res = evaluate(t, t)
    assert res.hours == pytest.approx(1.0)


def test_folder_pairing(tmp_path):
    tdir, pdir = tmp_path / "truth", tmp_path / "pred"
    write_events(tdir / "a_events.tsv", TRUTH)
    write_events(tdir / "sub" / "b_events.tsv", table([(1.0, 0.02, F), (2.0, 0.02, F)]))
    write_events(tdir / "c_events.tsv", table([(5.0, 3.0, D)]))
    write_events(pdir / "a_events.tsv", TRUTH)
    write_events(pdir / "b_events.tsv", table([(1.0, 0.02, F), (9.0, 0.02, F)]))
    write_events(pdir / "z_events.tsv", TRUTH)  # no truth: not scored
    res = evaluate(pdir, tdir, modality="emg", duration=1800.0)
    pf = res.per_file.set_index("file")
    assert set(pf.index) == {"a", "b", "c"}
    assert pf.loc["c", "status"] == "no prediction" and pf.loc["c", "dyst_fn"] == 1
    assert pf.loc["b", "fasc_tp"] == 1 and pf.loc["b", "fasc_fp"] == 1
    assert pf.loc["a", "macro_f1"] == 1.0
    ev = res.events
    assert ev.loc[F, "n_true"] == 5 and ev.loc[F, "tp"] == 4 and ev.loc[F, "fp"] == 1
    assert ev.loc[D, "n_true"] == 2 and ev.loc[D, "fn"] == 1
    assert res.hours == pytest.approx(1.5)
    assert res.false_alarms_per_hour[F] == pytest.approx(1 / 1.5)
    text = " ".join(res.notes)
    assert "c" in text and "z" in text
    assert "no prediction" in res.to_text()


def test_folder_against_file_is_an_error(tmp_path):
    f = write_events(tmp_path / "a_events.tsv", TRUTH)
    with pytest.raises(MovementError, match="folder"):
        evaluate(tmp_path, f)


def test_empty_truth_folder_is_an_error(tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "p").mkdir()
    with pytest.raises(MovementError, match="no \\*_events.tsv"):
        evaluate(tmp_path / "p", tmp_path / "t")


# --------------------------------------------------------------------------- output


def test_json_round_trip(tmp_path):
    pred = table([(1.0, 0.02, F), (50.0, 0.02, F), (10.5, 7.0, D)])
    res = evaluate(pred, TRUTH, modality="emg", duration=600.0)
    out = res.write_json(tmp_path / "out" / "eval.json")
    assert not list(out.parent.glob(".*tmp"))
    d = json.loads(out.read_text())
    assert d == json.loads(json.dumps(res.to_dict()))
    assert d["events"][2]["precision"] is None  # NaN -> null
    back = EvaluationResult.from_dict(d)
    pd.testing.assert_frame_equal(back.events, res.events, check_dtype=False)
    pd.testing.assert_frame_equal(back.segments, res.segments, check_dtype=False)
    pd.testing.assert_frame_equal(back.confusion, res.confusion)
    pd.testing.assert_frame_equal(back.per_file, res.per_file, check_dtype=False)
    assert back.false_alarms_per_hour == res.false_alarms_per_hour
    assert back.tolerances == res.tolerances and back.macro_f1 == res.macro_f1


def test_to_text_lists_everything():
    text = evaluate(TRUTH, TRUTH).to_text()
    for word in ("Event-based", "Segment-based", "False alarms per hour", "Confusion", *CLASSES):
        assert word in text


def test_cli(tmp_path, capsys):
    t = write_events(tmp_path / "x_events.tsv", TRUTH)
    parser = argparse.ArgumentParser()
    cli_configure(parser)
    out = tmp_path / "r.json"
    args = parser.parse_args(
        [str(t), str(t), "--out", str(out), "--modality", "emg", "--collar-brief", "0.01"]
    )
    assert cli_run(args) == 0
    assert "macro-F1" in capsys.readouterr().out
    d = json.loads(out.read_text())
    assert d["macro_f1"] == 1.0 and d["tolerances"]["brief_collar_emg"] == 0.01
    bad = parser.parse_args([str(t), str(t), "--segment", "-1"])
    with pytest.raises(MovementError, match="segment"):
        cli_run(bad)


def test_thousands_of_events():
    """5000 events an hour (speed is measured by benchmarks/, not here): every class is
    matched, and no prediction or true event is counted twice."""
    rng = np.random.default_rng(0)
    n = 5000
    on = np.sort(rng.uniform(0, 3600, n))
    cls = rng.choice(list(CLASSES), n, p=[0.8, 0.1, 0.1])
    dur = np.where(cls == F, 0.02, rng.uniform(1, 20, n))
    truth = pd.DataFrame({"onset": on, "duration": dur, "trial_type": cls})
    pred = truth.assign(onset=on + rng.normal(0, 0.05, n)).sample(frac=0.9, random_state=1)
    res = evaluate(pred, truth, modality="emg")
    ev = res.events
    for c in CLASSES:
        assert ev.loc[c, "tp"] > 0
        assert ev.loc[c, "tp"] + ev.loc[c, "fn"] == (truth["trial_type"] == c).sum()
        assert ev.loc[c, "tp"] + ev.loc[c, "fp"] == (pred["trial_type"] == c).sum()


# --------------------------------------------------------------------------- properties

_events = st.lists(
    st.tuples(
        st.floats(0, 100, allow_nan=False),
        st.one_of(st.just(0.0), st.floats(0, 20, allow_nan=False)),
        st.sampled_from(CLASSES),
    ),
    max_size=25,
).map(table)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pred=_events, truth=_events, modality=st.sampled_from([None, "emg", "accel"]))
def test_properties(pred, truth, modality):
    res = evaluate(pred, truth, modality=modality)
    ev = res.events
    for cls in CLASSES:
        n_p = int((pred["trial_type"] == cls).sum())
        n_t = int((truth["trial_type"] == cls).sum())
        assert ev.loc[cls, "n_pred"] == n_p and ev.loc[cls, "n_true"] == n_t
        assert 0 <= ev.loc[cls, "tp"] <= min(n_p, n_t)
        assert ev.loc[cls, "tp"] + ev.loc[cls, "fp"] == n_p
        assert ev.loc[cls, "tp"] + ev.loc[cls, "fn"] == n_t
        # F1 is undefined (NaN) exactly when the class is on neither side
        assert math.isnan(ev.loc[cls, "f1"]) == (n_p == 0 and n_t == 0)
        assert math.isnan(ev.loc[cls, "f1"]) or 0.0 <= ev.loc[cls, "f1"] <= 1.0
        seg_f1 = res.segments.loc[cls, "f1"]
        assert math.isnan(seg_f1) or 0.0 <= seg_f1 <= 1.0
    present = [c for c in TARGET if ev.loc[c, "n_pred"] + ev.loc[c, "n_true"] > 0]
    if present:
        assert res.macro_f1 == pytest.approx(np.mean([ev.loc[c, "f1"] for c in present]))
    else:
        assert math.isnan(res.macro_f1)
    conf = res.confusion
    # every true event is in one row cell, every prediction in one column cell
    assert conf.loc[list(CLASSES)].sum(axis=1).tolist() == [
        int((truth["trial_type"] == c).sum()) for c in CLASSES
    ]
    assert conf[list(CLASSES)].sum(axis=0).tolist() == [
        int((pred["trial_type"] == c).sum()) for c in CLASSES
    ]
    # the diagonal holds at least the event-based matches
    for cls in CLASSES:
        assert conf.loc[cls, cls] >= ev.loc[cls, "tp"]
    json.dumps(res.to_dict(), allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(x=_events, modality=st.sampled_from([None, "emg", "accel"]))
def test_self_evaluation_is_perfect(x, modality):
    res = evaluate(x, x, modality=modality)
    there = res.events["n_true"] > 0
    assert (res.events.loc[there, "f1"] == 1.0).all()
    assert res.events.loc[~there, "f1"].isna().all()
    assert (res.events["fp"] == 0).all()
    if there[[F, D]].any():
        assert res.macro_f1 == 1.0
    else:
        assert math.isnan(res.macro_f1)
    assert (res.segments["fp"] == 0).all() and (res.segments["fn"] == 0).all()
    assert res.confusion["missed"].sum() == 0 and res.confusion.loc["spurious"].sum() == 0


@settings(max_examples=40, deadline=None)
@given(x=_events, shift=st.floats(-0.04, 0.04))
def test_small_shift_keeps_brief_matches(x, shift):
    moved = x.assign(onset=x["onset"] + shift)
    res = evaluate(moved, x, modality="emg")
    n_f = int((x["trial_type"] == F).sum())
    assert res.events.loc[F, "tp"] == n_f


@settings(max_examples=40, deadline=None)
@given(pred=_events, truth=_events)
def test_sparse_and_dense_matching_agree(pred, truth):
    """The same event-based counts from either solver. (The confusion's second pass, on the
    events left unmatched, may differ: when two matchings tie in size and cost, e.g. a
    prediction at 0 s and two true events starting at 0 s, either is optimal, and which
    true event is left over is the solver's choice.)"""
    import movement.evaluate as ev_mod

    dense = evaluate(pred, truth, modality="emg")
    old = ev_mod._DENSE_CELLS
    ev_mod._DENSE_CELLS = 0
    try:
        sparse = evaluate(pred, truth, modality="emg")
    finally:
        ev_mod._DENSE_CELLS = old
    pd.testing.assert_series_equal(dense.events["tp"], sparse.events["tp"])
    # either way, every true event is in one row cell, every prediction in one column cell
    for res in (dense, sparse):
        conf = res.confusion
        assert conf.loc[list(CLASSES)].sum(axis=1).tolist() == [
            int((truth["trial_type"] == c).sum()) for c in CLASSES
        ]
        assert conf[list(CLASSES)].sum(axis=0).tolist() == [
            int((pred["trial_type"] == c).sum()) for c in CLASSES
        ]


_graphs = st.integers(1, 7).flatmap(
    lambda n_p: st.integers(1, 7).flatmap(
        lambda n_t: st.lists(
            st.tuples(
                st.integers(0, n_p - 1),
                st.integers(0, n_t - 1),
                st.sampled_from([0.0, 0.25, 0.5, 1.0]),
            ),
            max_size=20,
            unique_by=lambda e: (e[0], e[1]),
        ).map(lambda edges: (n_p, n_t, edges))
    )
)


@settings(max_examples=100, deadline=None)
@given(graph=_graphs)
def test_sparse_and_dense_solvers_find_matchings_of_equal_size_and_cost(graph):
    """Either solver: a one-to-one matching on the candidate edges, of maximum size, then of
    least total cost (ties in cost included: the sets may differ, their size and cost not)."""
    from scipy.optimize import linear_sum_assignment

    import movement.evaluate as ev_mod

    n_p, n_t, edges = graph
    pi = np.array([e[0] for e in edges], dtype=np.intp)
    tj = np.array([e[1] for e in edges], dtype=np.intp)
    cost = np.array([e[2] for e in edges], dtype=float)
    found = []
    old = ev_mod._DENSE_CELLS
    try:
        for cells in (old, 0):
            ev_mod._DENSE_CELLS = cells
            found.append(ev_mod._max_matching(n_p, n_t, pi, tj, cost))
    finally:
        ev_mod._DENSE_CELLS = old
    # the optimum, by brute force: the size first (each edge 1 + cost below a non-edge)
    big = 10.0 * (n_p + n_t)
    m = np.full((n_p, n_t), big)
    m[pi, tj] = 1.0 - 0.1 * (1.0 - cost)  # more edges always win; then lower cost
    r, c = linear_sum_assignment(m)
    ok = m[r, c] < big
    want_size = int(ok.sum())
    lookup = {(int(a), int(b)): w for a, b, w in zip(pi, tj, cost, strict=True)}
    want_cost = sum(lookup[(int(a), int(b))] for a, b in zip(r[ok], c[ok], strict=True))
    for mp, mt in found:
        assert len(set(mp.tolist())) == len(mp) and len(set(mt.tolist())) == len(mt)
        assert all((int(a), int(b)) in lookup for a, b in zip(mp, mt, strict=True))
        assert len(mp) == want_size
        got_cost = sum(lookup[(int(a), int(b))] for a, b in zip(mp, mt, strict=True))
        assert got_cost == pytest.approx(want_cost, abs=1e-9)


def test_duration_and_modality_from_recording_beside_truth(tmp_path):
    t = write_events(tmp_path / "s1_events.tsv", TRUTH)
    rng = np.random.default_rng(0)
    pd.DataFrame(rng.normal(0, 0.01, (5000, 3)) + [0, 0, 1], columns=["x", "y", "z"]).to_csv(
        tmp_path / "s1.csv", index=False
    )
    (tmp_path / "s1.json").write_text(json.dumps({"SamplingFrequency": 50}))
    row = evaluate(t, t).per_file.iloc[0]
    assert row["duration_s"] == pytest.approx(100.0)
    assert row["duration_from"] == "recording s1.csv" and row["modality"] == "accel"


def test_macro_f1_leaves_out_classes_absent_on_both_sides():
    """A detector that finds none of 2 true twitches scores 0, not 0.5 (the dystonia-like
    class, absent from both tables, is undefined and left out, as in sed_eval)."""
    t = table([(2.0, 0.02, F), (10.0, 0.02, F)])
    res = evaluate(t.iloc[0:0], t, modality="emg", duration=60.0)
    assert res.macro_f1 == 0.0
    assert math.isnan(res.events.loc[D, "f1"])
    assert res.per_file["macro_f1"].tolist() == [0.0]
    assert evaluate(t, t, modality="emg", duration=60.0).macro_f1 == 1.0
    # nothing of either class on either side: undefined
    empty = evaluate(t.iloc[0:0], t.iloc[0:0], modality="emg", duration=60.0)
    assert math.isnan(empty.macro_f1)
    assert "n/a" in empty.to_text()
    json.dumps(empty.to_dict(), allow_nan=False)


@pytest.mark.parametrize(
    ("onset", "duration", "segment"),
    [(1e300, None, 1.0), (1.0, 1e12, 1.0), (1.0, 60.0, 1e-9)],
)
def test_a_segment_grid_too_large_to_hold_is_one_line(onset, duration, segment):
    """A true event at 1e300 s (no recording length known), --duration 1e12 or
    --segment 1e-9 asked for billions of segments: an internal MemoryError or
    'Maximum allowed dimension exceeded'."""
    pred = pd.DataFrame({"onset": [1.0], "duration": [0.5], "trial_type": [OT]})
    truth = pd.DataFrame({"onset": [onset], "duration": [0.5], "trial_type": [OT]})
    with pytest.raises(MovementError, match="segments, over 1e\\+07: a longer --segment"):
        evaluate(
            pred, truth, duration=duration, modality="accel",
            tolerances=Tolerances(segment=segment),
        )  # fmt: skip


@pytest.mark.parametrize(
    "option", ["--collar-brief", "--collar-sustained", "--segment", "--duration"]
)
def test_evaluate_options_are_named_as_given(tmp_path, capsys, option) -> None:
    """A bad --collar-brief was said as the internal 'tolerance brief_collar_emg'."""
    from movement.cli import main

    assert main(["evaluate", str(tmp_path), str(tmp_path), option, "-1"]) == 2
    assert capsys.readouterr().err.strip() == (
        f"movement: error: {option} must be a positive number of s, got -1"
    )
