"""End to end on real recordings (tests/data/real, else ../shared/data/real; skipped without).

Known answers come from each file's documentation (tests/data/real/SOURCES.md):

* Myo armband (surface EMG, 200 Hz, 8 channels + a label column): the label alternates every
  5 s between rest (0) and a held gesture, so a gesture file has six ~5 s holds; ``0.txt``
  files are rest only.
* pdkit CloudUPDRS subject 2458, rest-tremor test of the left hand: a sustained ~5.7 Hz
  (5.6-5.8 Hz) parkinsonian rest tremor.
* PhysioNet tremordb g9r15of: a continuous rest tremor with a dominant frequency of 6.6 Hz.
* Free-living wrist sample: ordinary movement of a person without a movement disorder.

Tolerances: +-0.5 Hz for frequencies (the 2 s minimum analysis window resolves 0.5 Hz);
"few" dystonia-like events means at most 3 per (whole) minute of recording, half the six
labelled holds per minute of a Myo gesture file.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import movement
from movement.cli import main

MYO_ARGS = ["--fs", "200", "--modality", "emg", "--channels", "0,1,2,3,4,5,6,7"]
PDKIT_REST_LH = (
    "pdkit_cloudupdrs_pd_2458/"
    "T_-_REST_TREMOR_AMPLITUDE_-_LEFT_HAND_-_2016-10-14_10-49-11_-_f73512ccfc_-_2458.csv"
)
WRIST = "wrist_accel_free_living_sample/sample_wrist_accelerometer_data.csv"
TREMORDB = "physionet_tremordb/g9r15of.rit"
FEW_PER_MIN = 3.0
FREQ_TOL_HZ = 0.5


def _score(path: Path, out: Path, *args: str) -> tuple[pd.DataFrame, dict]:
    """Run ``movement score`` on one file; return its events table and summary row."""
    rc = main(["score", str(path), "--out", str(out), "-q", *args])
    summary = pd.read_csv(out / "summary.tsv", sep="\t", na_values="n/a")
    assert rc == 0, summary.loc[0, "message"]
    stem = path.name.split(".")[0]
    events = pd.read_csv(out / f"{stem}_events.tsv", sep="\t", na_values="n/a")
    side = json.loads((out / f"{stem}_events.json").read_text())
    assert side["recording"]["source"] == str(path)
    return events, summary.iloc[0].to_dict()


def _holds(path: Path) -> list[tuple[float, float]]:
    """Labelled gesture holds (label column > 0) as (onset, offset) in seconds at 200 Hz."""
    label = np.loadtxt(path, delimiter=",", usecols=8)
    d = np.diff(np.concatenate(([0], (label > 0).astype(int), [0])))
    return list(zip(np.flatnonzero(d == 1) / 200.0, np.flatnonzero(d == -1) / 200.0, strict=True))


def _few(n_events: int, duration_s: float) -> bool:
    return n_events <= FEW_PER_MIN * max(1, round(duration_s / 60.0))


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, cum[-1] / 2)])


@pytest.mark.parametrize(
    "rel",
    [
        "myo_wrist_gestures/12345-1/1.txt",  # wrist flexion
        "myo_wrist_gestures/21547-1/1.txt",
        "myo_wrist_gestures/12345-1/7.txt",  # fist
        "myo_wrist_gestures/21547-1/7.txt",
    ],
)
def test_myo_holds_come_out_as_5_s_sustained_segments(real, tmp_path, rel) -> None:
    path = real(rel)
    holds = _holds(path)
    assert len(holds) == 6  # the documented protocol
    events, row = _score(path, tmp_path, *MYO_ARGS)
    assert row["status"] == "ok" and row["fs"] == 200
    sus = events[events["scale"] == "sustained"]
    on = sus["onset"].to_numpy()
    off = on + sus["duration"].to_numpy()
    covering = set()
    for h_on, h_off in holds:
        mid = (h_on + h_off) / 2
        inside = np.flatnonzero((on <= mid) & (off >= mid))
        assert len(inside) == 1, f"hold {h_on:.1f}-{h_off:.1f} s is not one sustained segment"
        covering.add(int(inside[0]))
    # ~5 s: the 5 s cue window, -1 s for reaction time, +3 s for the relaxation tail above
    # the +3 dB offset threshold (the forearm does not always relax fully between holds)
    durations = sus["duration"].to_numpy()[sorted(covering)]
    assert 4.0 <= np.median(durations) <= 8.0
    # no hold-length (>= 2 s) sustained segment lies wholly within a rest period
    for i in sorted(set(range(len(sus))) - covering):
        assert sus["duration"].iloc[i] < 2.0, f"{sus['onset'].iloc[i]:.1f} s: long in rest"


@pytest.mark.parametrize(
    "rel", ["myo_wrist_gestures/12345-1/0.txt", "myo_wrist_gestures/21547-1/0.txt"]
)
def test_rest_only_myo_files_give_few_dystonia_like_events(real, tmp_path, rel) -> None:
    events, row = _score(real(rel), tmp_path, *MYO_ARGS)
    n_dyst = int((events["trial_type"] == "dystonia-like").sum())
    assert n_dyst == row["n_dystonia"]
    assert _few(n_dyst, row["duration_s"]), f"{n_dyst} dystonia-like events at rest"


@pytest.mark.parametrize(
    "rel",
    [
        "myo_wrist_gestures/12345-1/0.txt",
        "myo_wrist_gestures/21547-1/0.txt",
    ],
)
def test_rest_only_myo_files_are_not_mostly_dystonia_like(real, tmp_path, rel) -> None:
    _, row = _score(real(rel), tmp_path, *MYO_ARGS)
    # a rest recording: less dystonia-like time than a gesture file's 50 % of holds, by half
    assert row["dystonia_time_fraction"] <= 0.25


def test_parkinson_rest_tremor_frequency_is_reported(real, tmp_path) -> None:
    path = real(PDKIT_REST_LH)
    events, row = _score(path, tmp_path, "--modality", "accel", "--channels", "ch2,ch3,ch4")
    assert row["fs"] == pytest.approx(100.0, rel=0.02)  # from the nanosecond time column
    assert len(events) > 0
    f = _weighted_median(events["dominant_frequency_hz"].to_numpy(), events["duration"].to_numpy())
    assert f == pytest.approx(5.7, abs=FREQ_TOL_HZ)
    # the recording is in m/s^2: amplitudes are reported in g (tremor well under 1 g)
    assert events["peak_amplitude"].max() < 1.0


def test_tremordb_rest_tremor_frequency(real) -> None:
    rec = movement.read(real(TREMORDB), format=".txt", fs=100, modality="accel")
    assert rec.n_samples == 6306
    events = movement.score(rec)
    assert len(events) > 0
    f = _weighted_median(events["dominant_frequency_hz"].to_numpy(), events["duration"].to_numpy())
    assert f == pytest.approx(6.6, abs=FREQ_TOL_HZ)


def test_tremordb_file_type_needs_to_be_named(real, tmp_path, capsys) -> None:
    path = real(TREMORDB)
    rc = main(["score", str(path), "--out", str(tmp_path), "-q", "--fs", "100"])
    err = capsys.readouterr().err
    assert rc == 1
    assert f"{path}: unknown file type" in err and "Traceback" not in err


def test_free_living_wrist_gives_few_dystonia_like_events(real, tmp_path) -> None:
    events, row = _score(real(WRIST), tmp_path)
    assert row["modality"] == "accel" and row["fs"] == pytest.approx(100.0)
    assert row["duration_s"] == pytest.approx(120.0, abs=0.05)
    assert _few(row["n_dystonia"], row["duration_s"])
    # ordinary movement happens (the first ~40 s), and it is found
    assert (events["onset"] < 40).any()


def test_daphnet_walking_with_freezing_at_the_ankle_is_not_dystonia_like(real) -> None:
    """Daphnet S01R02 (Bächlin et al. 2010), ankle sensor: the 410 s stretch of walking with
    turns and freezing (273-684 s) was one dystonia-like event (p 0.60) when read by its
    central 8 s; its gait in most of its 5 s windows makes it walking (other)."""
    path = real("daphnet_fog/S01R02.txt")
    raw = np.loadtxt(path)
    rec = movement.Recording(
        raw[:, 1:4], fs=64.0, modality="accel", units="mg", channels=("x", "y", "z")
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev = movement.score(rec)
    walk = raw[:, 10] >= 1
    lab = ev[(ev["onset"] < 684.0) & (ev["onset"] + ev["duration"] > 273.0)]
    long = lab[lab["duration"] >= 60.0]
    assert len(long) and (long["gait_fraction"] >= 0.5).all()
    assert (long["trial_type"] == "other").all()
    assert "walking" in " ".join(long["reason"])
    # share of the annotated walking (labels 1-2) called dystonia-like
    dyst = ev[ev["trial_type"] == "dystonia-like"]
    t = np.arange(len(raw)) / 64.0
    covered = np.zeros(len(raw), bool)
    for on, du in zip(dyst["onset"], dyst["duration"], strict=True):  # (a few events)
        covered |= (t >= on) & (t < on + du)
    assert covered[walk].mean() < 0.05
