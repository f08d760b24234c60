"""Using movement as a library, from a notebook user's walk-through: the stages by hand
give score's events, modules reachable as ``movement.<name>``, folders as output paths,
units given as a.u., channels selected from a Recording."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import DATA_DIR

import movement
from movement.errors import RecordingError
from movement.export import read_bids_events, write_bids_events
from movement.features import segment_features
from movement.pipeline import calibration_for, label
from movement.preprocess import preprocess
from movement.segment import segment

ACCEL = DATA_DIR / "sim_wrist_accel.csv"


@pytest.mark.parametrize("model", ["default", "rules"])
def test_the_stages_by_hand_give_scores_events(model: str) -> None:
    rec = movement.read(ACCEL)
    cfg = movement.AccelConfig()
    pre = preprocess(rec, cfg, calibration=calibration_for(rec, cfg))
    feats = segment_features(pre, segment(pre, cfg), cfg, rec.modality, rec.duration)
    by_hand = label(feats, rec, cfg, model=model)
    scored = movement.score(rec, model=model)
    assert len(scored) > 5
    pd.testing.assert_frame_equal(by_hand, scored.loc[:, list(by_hand.columns)])


def test_label_takes_settings_of_the_recordings_modality_only() -> None:
    rec = movement.read(ACCEL)
    with pytest.raises(movement.MovementError, match="EMG config was given for an accel recording"):
        label(pd.DataFrame(), rec, movement.EMGConfig())


def test_modules_are_reachable_as_attributes_without_importing_them_first() -> None:
    code = (
        "import sys, movement\n"
        "heavy = [m for m in ('movement.plot', 'movement.stream', 'matplotlib', 'sklearn') "
        "if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "names = ['plot', 'export', 'stream', 'batch', 'preprocess', 'segment', 'features',"
        " 'classify', 'review', 'io', 'wear', 'calibration', 'train', 'output']\n"
        "print([getattr(movement, n).__name__ for n in names])\n"
        "assert set(names) <= set(dir(movement))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "'movement.plot'" in out.stdout and "'movement.output'" in out.stdout


def test_an_unknown_attribute_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'plots'"):
        movement.plots  # noqa: B018


def test_bids_events_written_into_a_folder_take_the_recordings_stem(tmp_path: Path) -> None:
    ev = pd.DataFrame({"onset": [1.0], "duration": [0.5], "trial_type": ["other"]})
    ev.attrs.update(duration=60.0, fs=100.0, modality="accel", source="data/P01.csv.gz")
    tsv, js = write_bids_events(ev, f"{tmp_path}/new/")
    assert tsv == tmp_path / "new" / "P01_events.tsv" and js.exists()
    tsv2, _ = write_bids_events(ev, tmp_path)  # (an existing folder, no separator)
    assert tsv2 == tmp_path / "P01_events.tsv"
    assert read_bids_events(tsv2)["onset"].tolist() == [1.0]
    # a file path is a file path, as before
    assert write_bids_events(ev, tmp_path / "x.csv")[0].name == "x_events.tsv"
    ev.attrs.pop("source")
    assert write_bids_events(ev, f"{tmp_path}/anon/")[0].name == "recording_events.tsv"


def _daphnet_like(folder: Path, units: str | None) -> Path:
    rng = np.random.default_rng(0)
    x = rng.normal(0, 5, (64 * 60, 3)) + [40.0, 30.0, -980.0]  # mg, as Daphnet's
    path = folder / "ankle.csv"
    pd.DataFrame(x, columns=["x", "y", "z"]).to_csv(path, index=False)
    side = {"SamplingFrequency": 64, "Modality": "accel"}
    if units:
        side["Units"] = units
    path.with_suffix(".json").write_text(json.dumps(side))
    return path


def test_units_given_as_au_keep_the_values_as_read(tmp_path: Path) -> None:
    path = _daphnet_like(tmp_path, None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (chosen: nothing to warn of)
        rec = movement.read(path, units="a.u.")
    assert rec.units == "a.u." and rec.data[:, 2].mean() == pytest.approx(-980, abs=1)
    assert "given as a.u." in rec.notes["units"]
    # the same from the sidecar, and as a Recording made with units="a.u."
    side = movement.read(_daphnet_like(tmp_path, "a.u."))
    assert side.units == "a.u." and np.array_equal(side.data, rec.data)
    made = movement.Recording(np.asarray(rec.data), fs=64.0, modality="accel", units="a.u.")
    assert made.notes["units"] == rec.notes["units"]
    # without units: detected as mg and converted, as before
    assert movement.read(_daphnet_like(tmp_path, None)).units == "g"


def test_select_picks_channels_by_name_or_position_and_keeps_the_rest() -> None:
    rec = movement.read(ACCEL)
    names = list(rec.channels)
    one = rec.select([names[2]])
    assert one.channels == (names[2],) and np.array_equal(one.data[:, 0], rec.data[:, 2])
    assert (one.fs, one.units, one.source, one.start) == (rec.fs, rec.units, rec.source, rec.start)
    assert rec.select([2, 0]).channels == (names[2], names[0])
    assert {k: v for k, v in one.notes.items() if k != "selected"} == rec.notes
    assert "selected" in one.notes and "selected" not in rec.notes
    for bad, said in (([9], "position 9"), (["w"], "no channel 'w'"), ([], "at least one")):
        with pytest.raises(RecordingError, match=said):
            rec.select(bad)
    with pytest.raises(RecordingError, match="twice"):
        rec.select([0, names[0]])


def test_one_axis_selected_is_not_judged_again_for_gravity() -> None:
    rec = movement.read(ACCEL)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = rec.select([0])  # (x alone reads ~0 g: no "gravity removed" warning)
    assert x.units == "g"


def test_the_tutorials_code_runs_as_a_plain_script_too() -> None:
    """No IPython-only names or magics in the tutorial's code cells: exported with
    ``jupyter nbconvert --to script`` (or its cells copied), it runs with python alone
    (``tests/test_notebook.py`` runs it in a kernel)."""
    nb = json.loads((DATA_DIR.parent / "notebooks" / "tutorial.ipynb").read_text())
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    for text in code:
        compile(text, "<cell>", "exec")  # (no %magic or !shell line)
        assert "display(" not in text and "get_ipython" not in text, text[:80]
