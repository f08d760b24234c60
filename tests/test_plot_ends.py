"""The event plots' and the review page's decimation kept whole bins only: the last
``n % bins`` samples were not drawn (on a 200 Hz Myo recording the trace stopped 1.9 s
before the axis' end; at 2 kHz up to 0.35 s, where a spike would not be seen)."""

from __future__ import annotations

import numpy as np
import pytest

from movement import report as R


@pytest.mark.parametrize("n", [1401, 2099, 2487, 7000])
def test_the_last_samples_are_drawn_and_a_spike_there_seen(n):
    t = np.arange(n) / 200.0
    y = np.zeros(n)
    y[-1] = 5.0  # a spike in the very last sample
    tt, yy = R._minmax(t, y, 700)
    assert tt[-1] == t[-1] and yy.max() == 5.0
    assert len(tt) <= 2 * 700
    te, ye = R._binned_max(t, y, 700)
    assert ye.max() == 5.0 and te[-1] <= t[-1] and len(te) <= 700
    # bins in time order, each of consecutive samples
    assert np.all(np.diff(tt) >= 0) and np.all(np.diff(te) > 0)


def test_whole_bins_are_decimated_as_before():
    t = np.arange(1400) / 100.0
    y = np.sin(t * 7.0)
    tt, yy = R._minmax(t, y, 700)
    assert len(tt) == 1400 and np.array_equal(tt, t)  # (n <= 2 bins: as is)
    t = np.arange(2800) / 100.0
    y = np.sin(t * 7.0)
    tt, yy = R._minmax(t, y, 700)
    blocks = y.reshape(700, 4)
    assert np.array_equal(yy[0::2], blocks.min(axis=1))
    assert np.array_equal(yy[1::2], blocks.max(axis=1))
