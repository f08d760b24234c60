"""A CSV with a column of labels beside the signal (``activity``: ``rest``, ``walk``) was
refused as "non-numeric value 'rest'" without a word on the way out: the error now says to
select the signal's columns, and names them."""

from __future__ import annotations

import numpy as np
import pytest

import movement
from movement.errors import RecordingError


def _table(tmp_path, labels):
    n = 500
    t = np.arange(n) / 100.0
    rows = [f"{t[i]:.2f},0.01,0.02,1.0,{labels[i % len(labels)]}" for i in range(n)]
    path = tmp_path / "wrist.csv"
    path.write_text("time,x,y,z,activity\n" + "\n".join(rows) + "\n")
    return path


def test_a_label_column_says_which_channels_to_select(tmp_path):
    path = _table(tmp_path, ["rest", "walk"])
    with pytest.raises(RecordingError) as err:
        movement.read(path, modality="accel")
    said = str(err.value)
    assert "non-numeric value 'rest' in column 'activity' (data row 1)" in said
    assert "a column of labels? Select the signal's columns (--channels x,y,z;" in said
    rec = movement.read(path, modality="accel", channels=["x", "y", "z"])
    assert rec.channels == ("x", "y", "z") and rec.fs == pytest.approx(100.0)


def test_a_stray_word_in_a_numeric_column_gets_no_label_hint(tmp_path):
    """One bad value among numbers is a typo, not a label column: no hint to select."""
    path = tmp_path / "wrist.csv"
    rows = [f"{i / 100:.2f},0.01,0.02,{'oops' if i == 7 else '1.0'}" for i in range(500)]
    path.write_text("time,x,y,z\n" + "\n".join(rows) + "\n")
    with pytest.raises(RecordingError) as err:
        movement.read(path, modality="accel")
    said = str(err.value)
    assert "non-numeric value 'oops' in column 'z' (data row 8)" in said
    assert "labels" not in said
