"""Scoring long recordings in overlapping windows, with memory that does not grow with length.

:func:`score_stream` runs the same steps as :func:`movement.score` (``preprocess`` →
``segment`` → ``segment_features`` → ``_label``, imported from the pipeline, not copied)
on windows of the recording and keeps only the per-segment rows.

Windows, overlap and stitching
------------------------------
The recording is cut into *cores* of ``window_s`` seconds. Each core is processed with
``overlap`` seconds of signal on either side (the *slice*), so a slice holds at most
``window_s + 2 * overlap`` seconds. The overlap is the sum of what a sample's result
can depend on (see :func:`overlap_for`):

* filter settling: the slowest zero-phase filter's transient decays to float noise
  (accelerometer: ``8 / gravity_cutoff_hz`` = 32 s for the 0.25 Hz gravity low-pass;
  EMG: ``max(5, 8 / band_low_hz)`` s), plus half the sustained RMS window;
* the adaptive baseline: ``baseline_window_s / 2`` plus one block (the rolling
  quantile of block medians is centred; 150 s for accelerometry, 30 s for EMG; the
  block is 0.5 s, or the posture reference's 1 s for accelerometry);
* EMG ECG removal (``ecg_removal``): beats, their rhythm and the average beat are
  estimated from the signal within ``preprocess.ECG_REACH_S`` (42 s) of a sample;
* the noise-model detectors (EMG motor-unit potentials, the accelerometer's twitches):
  their whitening filter comes from the block spectra over ``baseline_window_s`` at the
  nearest update centre (half an update step away), and their noise level spans
  another half ``baseline_window_s`` of the whitened signal (:func:`_whitening_reach_s`);
* the features' reach around a segment: 4 s (tilt 2 s before/after, spectral windows
  widened to 1-2 s around short segments);
* the longest segment expected to cross the end of a core (``max_segment_s``, 60 s).

Defaults: 450 s for 100 Hz accelerometry, 175 s for 2 kHz EMG (the sum, rounded up once).
Every slice starts on the *alignment grid*: multiples of the baseline's 0.5 s block, of the
periodicity detector's hop and of the posture reference's block (EMG: of the whitening
filter's 5 s update; accelerometry: of the twitch detector's 50 s whitening update), so the
blocks and spectral windows of every slice fall on the same samples as in the whole
recording. Where these grids meet often (50 s at 100 Hz), the overlap is rounded up to whole
steps and the core boundaries are on the grid too. Where they meet rarely (85.7 Hz,
GENEActiv: every 3161 s; 90, 128 and 150 Hz: 550-950 s), the overlap is rounded up to the
0.5 s block instead and the cores are offset so that their slices start on the grid
(:func:`plan`): until 0.4.4 the overlap was one such step, and a day at 85.7 Hz took twice
the time per sample of a day at 100 Hz.

A segment belongs to the window in whose core its onset lies. It is taken from that
window's slice, which holds it whole when it ends at least the settling margin before
the slice's end; when it does not (a segment longer than ``max_segment_s``, e.g. an
hour of walking merged into one event), the slice is extended to the right, by
doubling steps from one overlap, and the window is scored again. A slice grows by at most
:func:`max_extend_rows` (2 cores of 100 Hz tri-axial accelerometry, 1 core of 8-channel
2 kHz EMG): a segment still running there is cut at the slice's trusted end and the
window whose core holds the cut continues it from there, so a longer event is reported
as consecutive events (none of it lost; noted in ``attrs["notes"]["stream"]``) and
memory stays bounded. Context features (isolation,
local rate, interval CV, :func:`movement.features._context`) are recomputed on the
stitched table with the recording's full duration, and the classifier runs once on it.

Recording-wide statistics
-------------------------
Some steps of the in-memory pipeline use a statistic of the whole recording; the stream
gets them so that its result is the same:

* ``clipping_mask`` compares samples with the recording's largest ``|x|`` per channel
  (when no ``clip_g`` is set): the per-channel maximum is taken in a read-only pass
  before the windows, with the runs of missing values (gaps over 60 s cut the
  recording into pieces scored apart);
* accelerometer calibration (:mod:`movement.calibration`) is fitted on the statistics
  of every 10 s window, taken in the same pass (CSV and Parquet too when their first
  chunk tells the rate, else in one more pass), and applied to every window;
* accelerometer non-wear (:mod:`movement.wear`) reads the statistics of 15 min blocks,
  taken in the same pass (CSV and Parquet: as the windows read the file);
* EMG ``cocontraction`` normalises each channel's envelope by its 99th percentile over
  the recording: with two or more EMG channels, each window writes its core's activity
  above rest to a temporary file and keeps the top 1 % of it per channel (memory: 1 % of
  one channel); once every window has run, the feature is computed for each window's
  segments from the file with the exact percentile (:class:`_ActStore`).

Known differences: an event longer than a slice may grow (above: from ~12 min of
8-channel 2 kHz EMG, ~5.6 h of accelerometry) is split; the
accelerometer unit (g, m/s², mg) is detected from a subsample of at most 200,000 rows.
Results otherwise equal :func:`movement.score` to float tolerance (a threshold crossing
can move by one sample where cumulative sums differ in the last bits).

Sources: a :class:`Recording` (sliced), ``.npy`` (memory-mapped, each slice converted to
float64), EDF (edfio's memory map), WFDB (``rdrecord`` per slice), HDF5 and MATLAB v7.3
(an h5py hyperslab per slice), CSV/TSV (pandas ``chunksize``), Parquet (pyarrow row
groups). Other formats are read whole with :func:`movement.read`, then scored in windows.
"""

from __future__ import annotations

import math
import mmap
import os
import warnings
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import features as _features
from ._memory import heap_reuse
from ._progress import progress as _progress
from .calibration import Calibration, calibration_of_stats
from .calibration import window_len as calib_window_len
from .config import AccelConfig, EMGConfig, Settings
from .errors import MovementError, NoSuchFileError, RecordingError, UnresolvedError
from .features import segment_features
from .io import (
    RawSignal,
    _finish,
    _sidecar_channels,
    read,
    read_sidecar,
    sidecar_path,
    sidecar_rate,
    snap_rate,
    span_recording,
    span_rows,
    suffix_of,
)
from .io.hdf5 import is_hdf5
from .pipeline import (
    _config_for,
    _label,
    _one_blas_thread,
    classifier_for,
    note_calibration,
    note_dropouts,
    note_ecg,
    note_pieces,
)
from .preprocess import (
    DECIMATED_HZ,
    ECG_REACH_S,
    _colreduce,
    _wide,
    decimation,
    median_block,
    preprocess,
)
from .recording import (
    MAX_GAP_S,
    Recording,
    bridge_rows,
    check_missing,
    flat_note,
    long_runs,
    nan_runs,
    pieces_between,
)
from .segment import (
    _BLOCK_S,
    _POSTURE_BLOCK_S,
    _TWITCH_WHITEN_HOP_BLOCKS,
    _WHITEN_HOP_BLOCKS,
    _posture_block,
    _posture_ref_blocks,
    mask_to_runs,
    periodic_hop,
    segment,
)
from .wear import BlockStats, block_stats_pair, flag_nonwear, intersect_runs, nonwear_of_stats

__all__ = [
    "score_stream",
    "read_span",
    "header_of",
    "missing_runs_of",
    "streams_faster",
    "overlap_for",
    "auto_window_s",
    "StreamPlan",
]

_SETTLE_MIN_S = 5.0
_FEATURE_REACH_S = 4.0
_MAX_SEGMENT_S = 60.0
_SUBSAMPLE_ROWS = 200_000
_CHUNK_ROWS = 250_000


# --------------------------------------------------------------------------- planning


def _alignment(fs: float, cfg: EMGConfig | AccelConfig) -> int:
    """Samples every slice's start is a multiple of (baseline block, periodicity hop,
    posture reference block, the low-passes' decimation blocks; the whitening filter's
    update step: EMG, and the accelerometer's twitch detector)."""
    block = max(1, int(round(_BLOCK_S * fs)))
    step = block
    if isinstance(cfg, EMGConfig):
        # the whitening filter is re-estimated every _WHITEN_HOP_BLOCKS blocks, counted
        # from the slice's start: slices must start on that grid to see the same filters
        step = block * _WHITEN_HOP_BLOCKS
    if isinstance(cfg, AccelConfig):
        step = math.lcm(block, periodic_hop(fs, cfg.periodic_window_s, cfg.periodic_hop_s))
        if cfg.orientation_median_s:
            step = math.lcm(step, median_block(fs))
            # the low-passes run on block means counted from the slice's start: the
            # gravity (preprocess) and the tilt's time course (features, 25 Hz blocks).
            # Not in the grid until 0.4.4: at 128 Hz (5-sample blocks) without the
            # twitch detector, tilt_hold_fraction differed between stream and whole
            # (found on random settings, stream_equivalence.py --rates sparse)
            for q in (
                decimation(fs, cfg.gravity_cutoff_hz),
                int(fs // DECIMATED_HZ),
            ):
                step = math.lcm(step, max(1, q))
        if cfg.twitch_windows_s:
            # the twitch detector's whitening filter: updated as the EMG one (above)
            step = math.lcm(step, block * _TWITCH_WHITEN_HOP_BLOCKS)
        # the posture blocks (and their reference's groups of them), counted from the
        # slice's start (at 50 Hz a 0.25 s block is 12 samples, which 50 s do not hold
        # whole: found on random recordings, stream vs whole)
        step = math.lcm(step, _posture_ref_blocks(fs) * _posture_block(fs))
    return step


def overlap_for(
    cfg: EMGConfig | AccelConfig, fs: float, max_segment_s: float = _MAX_SEGMENT_S
) -> float:
    """Overlap (s, each side of a core) that makes windowed results equal whole-recording ones.

    Parameters
    ----------
    cfg : EMGConfig or AccelConfig
    fs : float
        Sampling rate (Hz); the overlap is rounded up to whole alignment steps, or to
        whole 0.5 s blocks where a step is longer than half the sum (below).
    max_segment_s : float
        Longest segment expected to cross a core's end without extending the slice.

    Returns
    -------
    float
        Seconds: filter settling + half the sustained RMS window + half the baseline
        window + one block + the features' reach (+ the ECG removal's reach) + ``max_segment_s``.
        Rounded up to the alignment step (:func:`_alignment`) where that step is at most
        half the sum (at most a third more), else to the 0.5 s block: at rates whose
        blocks meet rarely (85.7 Hz, GENEActiv: every 3161 s; 128 Hz: 650 s) a step
        would be most of the overlap, and :func:`plan` offsets the cores instead so
        that every slice still starts on the step's grid.

    Examples
    --------
    >>> from movement.config import AccelConfig, EMGConfig
    >>> overlap_for(AccelConfig(), 100.0), overlap_for(EMGConfig(), 2000.0)
    (450.0, 175.0)
    >>> round(overlap_for(AccelConfig(), 85.7), 1)  # 3161 s steps: whole blocks of 43 samples
    422.0
    """
    need = _margin(cfg, fs) + max_segment_s
    step = _alignment(fs, cfg)
    if step > need * fs / 2:
        step = max(1, int(round(_BLOCK_S * fs)))
    return math.ceil(need * fs / step) * step / fs


def _settle_s(cfg: EMGConfig | AccelConfig) -> float:
    """Seconds for the slowest filter's edge transient to fall to float noise (8 / corner)."""
    corners = [
        getattr(cfg, name, None)
        for name in ("gravity_cutoff_hz", "motion_highpass_hz", "band_low_hz")
    ]
    notch = getattr(cfg, "notch_hz", None)
    if notch:
        corners.append(notch / 30.0)  # notch bandwidth (Q = 30)
    slow = min((c for c in corners if c), default=1.0)
    return max(_SETTLE_MIN_S, 8.0 / slow)


def _whitening_reach_s(cfg: EMGConfig | AccelConfig, fs: float) -> float:
    """Seconds from a sample within which the noise-model detectors' whitening filter
    reads the signal: the running median of block spectra over ``baseline_window_s``
    at the update centre nearest the sample (half an update step away at most). The
    detector's noise level then spans another half ``baseline_window_s`` (the
    baseline's term in :func:`_margin`); 0 when no such detector runs."""
    if isinstance(cfg, EMGConfig) and fs >= cfg.min_muap_fs_hz:
        return cfg.baseline_window_s / 2 + _WHITEN_HOP_BLOCKS * _BLOCK_S / 2
    if isinstance(cfg, AccelConfig) and cfg.twitch_windows_s:
        return cfg.baseline_window_s / 2 + _TWITCH_WHITEN_HOP_BLOCKS * _BLOCK_S / 2
    return 0.0


def _margin(cfg: EMGConfig | AccelConfig, fs: float) -> float:
    """Seconds from a slice edge beyond which every sample's result is exact."""
    s = (
        _settle_s(cfg)
        + cfg.sustained_rms_s / 2
        + cfg.baseline_window_s / 2
        # (the whitening's reach compounds with the noise level's: found on a random 50 Hz
        # recording whose twitch thresholds differed 25 s into a 300 s overlap)
        + _whitening_reach_s(cfg, fs)
        + (
            max(_BLOCK_S, _posture_ref_blocks(fs) * _POSTURE_BLOCK_S)
            if isinstance(cfg, AccelConfig)
            else _BLOCK_S
        )
        + _FEATURE_REACH_S
        + (getattr(cfg, "sustained_window_s", 0.0) or 0.0) / 2
        + (ECG_REACH_S if getattr(cfg, "ecg_removal", False) else 0.0)
    )
    return s


class _NotStreamable(RecordingError):
    """A table the windows cannot read front to back (a time column that goes back, mixes
    numbers and text, or writes its dates two ways): it is read whole instead (:func:`read_span`; a batch's :func:`movement.batch.score_one`)."""


@dataclass(frozen=True)
class StreamPlan:
    """How a recording is cut: cores ``[c0, c1)`` and the overlap, in samples.

    Attributes
    ----------
    n : int
        Samples in the recording.
    cores : list of (int, int)
    overlap : int
        Samples of context on each side of a core.
    margin : int
        Samples from a slice's (non-recording) edge within which results are not trusted.
    step : int
        Alignment of every boundary (samples).
    """

    n: int
    cores: list[tuple[int, int]]
    overlap: int
    margin: int
    step: int

    def slice_of(self, core: tuple[int, int]) -> tuple[int, int]:
        """The slice ``[s0, s1)`` read for a core."""
        return max(0, core[0] - self.overlap), min(self.n, core[1] + self.overlap)


#: Values (rows x channels) per window core when ``window_s`` is not given: memory per
#: window is bounded (~100 bytes of temporaries per value), whatever the rate and channels.
_WINDOW_VALUES = 3_000_000


def auto_window_s(fs: float, n_channels: int, cfg: EMGConfig | AccelConfig) -> float:
    """Core length (s) holding about ``_WINDOW_VALUES`` values, and >= 4 overlaps.

    Cores much longer than the overlap keep the re-processed share small (the overlap
    is processed twice); a bound on values keeps peak memory flat: about 2.8 h for a
    100 Hz tri-axial accelerometer; 8 channels of 2 kHz EMG (400 s of values) get the
    4-overlap floor, 700 s.

    Examples
    --------
    >>> from movement.config import AccelConfig, EMGConfig
    >>> round(auto_window_s(100.0, 3, AccelConfig())), round(auto_window_s(2000.0, 8, EMGConfig()))
    (10000, 700)
    """
    by_values = _WINDOW_VALUES / max(1, n_channels) / fs
    return max(by_values, 4 * overlap_for(cfg, fs))


def _min_slice_s(cfg: EMGConfig | AccelConfig) -> float:
    """Seconds every slice holds: two baseline windows and 4 blocks.

    A slice shorter than a baseline window takes one level (and one whitening spectrum)
    over all of it, where the whole recording's rows take their running window's (found
    on random settings: a 600 s baseline with 200 s cores). One window was not enough
    either: at a recording's start a 75 s first slice of 200 Hz EMG (60 s baseline)
    gave 83 events where the whole recording gives 51, all in its first 6 s, and 85 s
    still differed, 95 s did not (``stream_equivalence.py emg`` with a small
    ``--max-segment-s``, whose overlaps are short). The default windows are far longer.
    """
    return 2 * cfg.baseline_window_s + 4 * _BLOCK_S


def plan(
    n: int, fs: float, cfg: EMGConfig | AccelConfig, window_s: float, max_segment_s: float
) -> StreamPlan:
    """Cut ``n`` samples into cores of about ``window_s`` seconds whose slices start on the
    alignment grid.

    The cores are ``window_s`` rounded up to whole alignment steps; their boundaries are
    ``i * w + d``, with ``d`` the overlap modulo the step, so that every slice (a core and
    one overlap either side) starts on the step's grid. ``d`` is 0 where the overlap is
    whole steps (most rates); at 85.7 Hz it lets a 422 s overlap replace a 3161 s step.

    Examples
    --------
    >>> from movement.config import AccelConfig
    >>> pl = plan(86_400 * 100, 100.0, AccelConfig(), 10_000.0, 60.0)
    >>> len(pl.cores), pl.overlap / 100, pl.cores[1]
    (9, 450.0, (1000000, 2000000))
    >>> pl = plan(int(86_400 * 85.7), 85.7, AccelConfig(), 12_644.0, 60.0)
    >>> all(pl.slice_of(c)[0] % pl.step == 0 for c in pl.cores), round(pl.overlap / 85.7)
    (True, 422)
    """
    if not window_s > 0:
        raise MovementError(f"window_s must be > 0, got {window_s!r}")
    step = _alignment(fs, cfg)
    ov = int(round(overlap_for(cfg, fs, max_segment_s) * fs))
    margin = int(round(_margin(cfg, fs) * fs))
    w = max(step, int(math.ceil(window_s * fs / step)) * step)
    # every slice holds at least _min_slice_s: the first slice is a core and one
    # overlap, the middle ones a core and two (the last one: below)
    need = int(math.ceil(_min_slice_s(cfg) * fs)) - ov
    w = max(w, int(math.ceil(need / step)) * step)
    if n <= w + 2 * ov:
        return StreamPlan(n, [(0, n)], ov, margin, step)
    # interior boundaries i w + d: each slice then starts at i w + d - ov, a multiple of
    # the step (d - ov is; d < step <= w, so the first core is at least w long)
    d = ov % step
    bounds = [0, *range(w + d, n, w)]
    # a short last core joins the previous one: shorter than an overlap, or its slice
    # (the core and one overlap, as the first one's) shorter than _min_slice_s
    if len(bounds) > 1 and n - bounds[-1] < max(ov, need):
        bounds.pop()
    cores = [(b, bounds[i + 1] if i + 1 < len(bounds) else n) for i, b in enumerate(bounds)]
    return StreamPlan(n, cores, ov, margin, step)


# --------------------------------------------------------------------------- sources


@dataclass
class _Meta:
    """What :func:`movement.pipeline._label` needs to know about the recording."""

    fs: float
    modality: str
    channels: tuple[str, ...]
    n_samples: int
    units: str = "a.u."
    source: str | None = None
    start: Any = None
    notes: dict = field(default_factory=dict)

    @property
    def duration(self) -> float:
        return self.n_samples / self.fs


class _Source:
    """A recording read in slices: ``read(s0, s1)`` returns float rows (s0 never decreases)."""

    meta: _Meta
    top: np.ndarray  # per-channel max |x| over the recording (for clipping_mask)
    #: [start, stop) sample runs of missing values (NaN), found with ``top`` (same pass)
    nan_runs: np.ndarray = np.zeros((0, 2), np.int64)
    annotations: Any = None  # what the file's header holds (EDF+, WFDB), when read
    #: the recording's gravity calibration (accelerometry), applied to every window
    calibration: Calibration | None = None
    #: whether any rows can be read at any time (several windows at once)
    random_access = False
    #: per-channel (min, max) of the values scored, NaN left out, found in the pass of
    #: ``top`` (None: not known); :meth:`say_flat` warns of channels constant throughout
    ranges: tuple[np.ndarray, np.ndarray] | None = None
    #: whether :meth:`say_flat` is still to look (a Recording in memory: never; a file
    #: read whole first has been judged by :func:`movement.read`)
    _flat_unsaid = True

    def read(self, s0: int, s1: int) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def read_owned(self, s0: int, s1: int) -> tuple[np.ndarray, bool]:
        """:meth:`read`, and whether the rows are a new array no one else holds (the
        caller may then change them); by default not known: False."""
        return self.read(s0, s1), False

    def rewind(self) -> None:
        """Start again from the first sample (sequential sources)."""

    def prepare(self, block: int | None = None, calib_block: int | None = None) -> None:
        """Before the windows: the recording's max ``|x|`` and runs of missing rows, with
        ``block`` per-block statistics for non-wear (:mod:`movement.wear`) and with
        ``calib_block`` per-window statistics for calibration
        (:mod:`movement.calibration`)."""
        self.top  # noqa: B018

    def block_stats(self) -> tuple[np.ndarray, float]:
        """The per-block statistics asked for by :meth:`prepare` (available once the
        windows have been read) and the factor to scale them by."""
        raise NotImplementedError

    def say_flat(self) -> None:
        """Warn once (and in ``meta.notes["flat"]``) of the channels constant over the whole
        recording, from :attr:`ranges` (no pass of its own), as :func:`movement.read` does."""
        if not self._flat_unsaid or self.ranges is None:
            return
        self._flat_unsaid = False
        lo, hi = self.ranges
        flat = {int(j): float(lo[j]) for j in np.flatnonzero(lo == hi)}
        note = flat_note(self.meta.channels, flat, self.meta.modality)
        if note:
            self.meta.notes["flat"] = note
            warnings.warn(f"{self.meta.source}: {note}", UserWarning, stacklevel=4)

    def calib_stats(self) -> tuple[np.ndarray, float]:
        """The per-window statistics for calibration asked for by :meth:`prepare`
        (available before the windows) and the factor to scale them by."""
        raise NotImplementedError


def _abs_max(
    chunks: Iterator[np.ndarray | tuple[np.ndarray, np.ndarray, int]],
    k: int,
    gaps: _NanRuns | None = None,
) -> np.ndarray:
    """Per-channel maximum of ``|x|`` over consecutive chunks, NaN ignored (and, with
    ``gaps``, the chunks' runs of missing values recorded there).

    A chunk may come as ``(rows, stats, b)``: its rows with their whole ``b``-row
    blocks' :func:`movement.wear.block_stats`, whose minima and maxima (NaN left out)
    and counts (below ``b`` where a value is missing) give the same maximum without a
    pass over the rows (the sign of a zero maximum aside, which no comparison sees).
    With ``gaps``, each channel's minimum and maximum are kept there too
    (:meth:`_NanRuns.extent`: a channel constant throughout).
    """
    top = np.zeros(k)
    for item in chunks:
        st = None
        if isinstance(item, tuple):
            c, st, b = item
        else:
            c = item
        if len(c):
            if st is not None and len(st):
                lo, hi = np.fmin.reduce(st[:, 3], axis=0), np.fmax.reduce(st[:, 4], axis=0)
                m = np.maximum(hi, -lo)
                if np.any(st[:, 0] < b):  # a missing value: NaN in the rows' own maximum
                    m[:] = np.nan
            else:
                wide, rest = _wide(c)
                hi, lo = _colreduce(np.max, wide, rest, k), _colreduce(np.min, wide, rest, k)
                m = np.maximum(hi, -lo)
            if np.isnan(m).any():  # a gap: NaN propagated, take the slow NaN-aware path
                # (NaN only where all is missing)
                lo, hi = np.fmin.reduce(c, axis=0), np.fmax.reduce(c, axis=0)
                m = np.fmax(hi, -lo)
                if gaps is not None:
                    gaps.add(c)
            elif gaps is not None:
                gaps.skip(len(c))
            if gaps is not None:
                gaps.extent(lo, hi)
            top = np.fmax(top, m)
    return top


def _scan_rows(blocks: Sequence[int]) -> int:
    """Rows per chunk of a first pass: about ``_CHUNK_ROWS``, a multiple of every block
    length when their least common multiple allows, so that no block's rows are carried
    from chunk to chunk (the same statistics either way; a day at 100 Hz: 0.04 s instead
    of 0.1 s for the 15 min blocks)."""
    m = 1
    for b in blocks:  # loop over the (one or two) block lengths
        m = math.lcm(m, int(b))
    if m > 4 * _CHUNK_ROWS:
        return _CHUNK_ROWS
    return m * max(1, round(_CHUNK_ROWS / m))


class _NanRuns:
    """Runs of missing values (NaN) per channel, gathered over consecutive chunks, and
    each channel's smallest and largest value (NaN left out), when the pass gives them."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.n = 0  # rows seen
        self._runs: list[list[np.ndarray]] = [[] for _ in range(k)]
        self.lo = np.full(k, np.nan)
        self.hi = np.full(k, np.nan)

    def extent(self, lo: np.ndarray, hi: np.ndarray) -> None:
        """The next chunk's per-channel minimum and maximum (NaN where all is missing)."""
        self.lo = np.fmin(self.lo, lo)
        self.hi = np.fmax(self.hi, hi)

    def ranges(
        self, idx: Sequence[int] | None = None, factor: float = 1.0
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per-channel (min, max) of the channels ``idx`` (all by default), scaled as the
        rows are read (``factor``, > 0)."""
        cols = list(range(self.k)) if idx is None else list(idx)
        return self.lo[cols] * factor, self.hi[cols] * factor

    def skip(self, rows: int) -> None:
        """``rows`` rows without a missing value."""
        self.n += rows

    def add(self, c: np.ndarray) -> None:
        """The next rows (some missing)."""
        miss = np.isnan(c)
        for j in range(self.k):  # loop over channels (a few)
            if miss[:, j].any():
                self._runs[j].append(nan_runs(miss[:, j]) + self.n)
        self.n += len(c)

    def runs(self, idx: Sequence[int] | None = None) -> np.ndarray:
        """[start, stop) runs where any of the channels ``idx`` (all by default) is missing,
        joined across chunk boundaries."""
        from .segment import _run_union

        cols = range(self.k) if idx is None else idx
        found = [r for j in cols for r in self._runs[j]]
        return _run_union(np.concatenate(found)) if found else np.zeros((0, 2), np.int64)


class _ArraySource(_Source):
    """A 2-D array (a Recording's data or a memory-mapped ``.npy``), sliced per window."""

    random_access = True

    def __init__(
        self, arr: np.ndarray, meta: _Meta, idx: list[int] | None = None, factor: float = 1.0
    ) -> None:
        self.arr = arr
        self.meta = meta
        self.idx = idx
        self.factor = factor
        self._mm = _find_mmap(arr)
        self._top: np.ndarray | None = None
        self._gaps: np.ndarray | None = None
        self._blocks: BlockStats | None = None
        self._calib: BlockStats | None = None
        self._file = _file_rows(arr)

    def _scan(self, block: int | None = None, calib_block: int | None = None) -> None:
        n, k = self.arr.shape[0], len(self.meta.channels)
        acc = _NanRuns(k)
        self._blocks = BlockStats(block, k) if block else None
        self._calib = BlockStats(calib_block, k) if calib_block else None
        sums = [a for a in (self._blocks, self._calib) if a is not None]
        rows = _scan_rows([a.b for a in sums])
        short, long = self._calib, self._blocks
        # non-wear blocks (15 min) that are whole calibration blocks (10 s), chunks of
        # whole non-wear blocks: both statistics and the max |x| from one channels-first
        # copy of a chunk and one set of reductions (the non-wear blocks' min and max are
        # those of their calibration blocks, and so is the max |x|): the same values
        # (24 h at 100 Hz: the first pass 0.182 -> 0.121 s CPU, medians of 5 runs)
        paired = (
            short is not None and long is not None and long.b % short.b == 0 and rows % long.b == 0
        )

        def chunks() -> Iterator[np.ndarray | tuple[np.ndarray, np.ndarray, int]]:
            for a in range(0, n, rows):  # loop over chunks of rows
                c = self._peek(a, min(n, a + rows))
                if paired and len(c) == rows:
                    assert short is not None and long is not None
                    s_st, l_st = block_stats_pair(c, short.b, long.b // short.b)
                    short.add_blocks(s_st)
                    long.add_blocks(l_st)
                    yield c, s_st, short.b
                    continue
                for st in sums:  # (one or two statistics)
                    st.add(c)
                yield c

        self._top = _abs_max(chunks(), k, acc)
        self._gaps = acc.runs()
        self.ranges = acc.ranges()  # (the rows as read: channels selected, factor applied)

    def prepare(self, block: int | None = None, calib_block: int | None = None) -> None:
        def stale(have: BlockStats | None, want: int | None) -> bool:
            return bool(want) and (have is None or have.b != want)

        if self._top is None or stale(self._blocks, block) or stale(self._calib, calib_block):
            self._scan(block, calib_block)
        self.say_flat()

    def block_stats(self) -> tuple[np.ndarray, float]:
        assert self._blocks is not None
        return self._blocks.result(), 1.0

    def calib_stats(self) -> tuple[np.ndarray, float]:
        assert self._calib is not None
        return self._calib.result(), 1.0

    @property
    def top(self) -> np.ndarray:  # type: ignore[override]
        """Per-channel max |x| of the whole recording: one pass, on first use."""
        if self._top is None:
            self._scan()
        return self._top

    @property
    def nan_runs(self) -> np.ndarray:  # type: ignore[override]
        """Runs of missing rows of the whole recording (the pass of :attr:`top`)."""
        if self._gaps is None:
            self._scan()
        return self._gaps

    def _peek(self, s0: int, s1: int) -> np.ndarray:
        """Rows ``s0:s1`` as :meth:`read` gives them, for reading only: a view of the array
        when :meth:`read` would copy it unchanged (float, all channels, no unit factor)."""
        w = self.arr[s0:s1]
        if self.idx is not None or self.factor != 1.0 or w.dtype.kind != "f":
            return self.read(s0, s1)
        if self._mm is not None:
            self._mm.madvise(mmap.MADV_DONTNEED)  # as read(): RSS stays flat
        return w

    def read(self, s0: int, s1: int) -> np.ndarray:
        return self.read_owned(s0, s1)[0]

    def read_owned(self, s0: int, s1: int) -> tuple[np.ndarray, bool]:
        if self._file is not None and self.idx is None:
            w = _read_rows(self._file, s0, s1, self.arr.shape[1])
            if w is not None:
                return (w * self.factor if self.factor != 1.0 else w), True
        w = self.arr[s0:s1]
        # a new array unless a reader's rows are passed on as it gave them
        own = isinstance(self.arr, np.ndarray) or self.factor != 1.0
        if self.idx is not None:
            w = w[:, self.idx]
        if np.issubdtype(w.dtype, np.integer):
            w = w.astype(np.float64)
            own = True
        elif isinstance(self.arr, np.ndarray):
            w = np.array(w)  # (a decoding reader, e.g. EDF rows, gives a new array already)
        if self.factor != 1.0:
            w = w * self.factor  # the same arithmetic as movement.io.convert_accel_units
        if self._mm is not None:
            # pages of a memory map that were read stay in this process's RSS (file-backed)
            # until dropped; dropping them keeps memory flat whatever the file's length
            self._mm.madvise(mmap.MADV_DONTNEED)
        return w, own


def _file_rows(arr: Any) -> tuple[str, int, int] | None:
    """``(file, offset, row bytes)`` of a memory-mapped C-order float64 ``.npy``, whose
    rows :func:`_read_rows` reads straight into a new array; else None."""
    if not (
        isinstance(arr, np.memmap)
        and arr.ndim == 2
        and arr.flags.c_contiguous
        and arr.dtype == np.dtype(np.float64)
        and isinstance(getattr(arr, "filename", None), (str, Path))
        and isinstance(getattr(arr, "offset", None), int)
    ):
        return None
    return str(arr.filename), arr.offset, arr.strides[0]


def _read_rows(file: tuple[str, int, int], s0: int, s1: int, k: int) -> np.ndarray | None:
    """Rows ``s0:s1`` of the file's array, read with one ``readinto`` (no memory map:
    none of its page faults, nothing to drop after); None if the file is short."""
    name, offset, row = file
    out = np.empty((max(0, s1 - s0), k))
    with open(name, "rb", buffering=0) as fh:
        fh.seek(offset + s0 * row)
        got = fh.readinto(memoryview(out).cast("B"))
    return out if got == out.nbytes else None


def _find_mmap(arr: Any) -> mmap.mmap | None:
    """The ``mmap`` behind a memory-mapped array (or None)."""
    obj = arr
    for _ in range(8):
        mm = getattr(obj, "_mmap", None)
        if isinstance(mm, mmap.mmap):
            return mm
        if isinstance(obj, mmap.mmap):
            return obj
        obj = getattr(obj, "base", None)
        if obj is None:
            return None
    return None


class _ChunkedSource(_Source):
    """A table read front to back in chunks (CSV, Parquet), buffered between windows."""

    def __init__(
        self,
        chunks: Any,
        meta: _Meta,
        idx: list[int],
        factor: float,
        top: np.ndarray,
        nan_runs: np.ndarray | None = None,
        n_columns: int | None = None,
        calib: BlockStats | None = None,
    ):
        self._make = chunks  # callable returning a fresh iterator of float arrays (all columns)
        self._ncols = n_columns if n_columns is not None else max(idx) + 1
        self.meta = meta
        self.idx = idx
        self.factor = factor
        self.top = top
        if nan_runs is not None:
            self.nan_runs = nan_runs
        self._block: int | None = None
        # the calibration windows' statistics when the first pass could take them (its
        # rate known from the start: argument, header, sidecar or the first chunk's times)
        self._calib: BlockStats | None = calib
        self.rewind()

    def prepare(self, block: int | None = None, calib_block: int | None = None) -> None:
        # the statistics are taken of every chunk as the windows pull it (all columns,
        # before the unit factor: both applied after)
        if calib_block and (self._calib is None or self._calib.b != calib_block):
            # calibration is needed before the windows: one more pass over the chunks
            # (the rate, hence the window's rows, may come only from the first pass's
            # time column)
            self._calib = BlockStats(calib_block, self._ncols)
            for c in self._make():  # loop over the file's chunks
                self._calib.add(c)
        self._block = block
        self.rewind()
        self.say_flat()

    def calib_stats(self) -> tuple[np.ndarray, float]:
        assert self._calib is not None
        return self._calib.result()[:, :, self.idx], self.factor

    def block_stats(self) -> tuple[np.ndarray, float]:
        assert self._blocks is not None
        acc = self._blocks
        rest = self.meta.n_samples - self._fed
        if rest > 0:  # rows no window read (beyond the last piece): missing
            acc.skip(rest)
            self._fed += rest
        return acc.result()[:, :, self.idx], abs(self.factor)

    def rewind(self) -> None:
        self._blocks = BlockStats(self._block, self._ncols) if self._block else None
        self._fed = 0
        self._it = self._make()
        self._buf = np.empty((0, len(self.idx)))
        self._b0 = 0  # sample index of self._buf[0]

    def read(self, s0: int, s1: int) -> np.ndarray:
        if s0 < self._b0:
            raise RuntimeError("sequential source read backwards")
        have = self._b0 + len(self._buf)  # the next row the chunks give
        parts = [self._buf[s0 - self._b0 :]] if s0 <= have else []
        while have < s1:
            c = next(self._it, None)
            if c is None:
                break
            if self._blocks is not None:  # every chunk once, in order
                self._blocks.add(c)
                self._fed += len(c)
            if have + len(c) <= s0:  # wholly before the rows asked for (a jump ahead)
                have += len(c)
                continue
            c = c[max(0, s0 - have) :, self.idx]
            if self.factor != 1.0:
                c = c * self.factor
            have = max(have, s0) + len(c)
            parts.append(c)
        if not parts:
            parts = [np.empty((0, len(self.idx)))]
        self._buf = np.concatenate(parts) if len(parts) > 1 else parts[0]
        self._b0 = s0
        return self._buf[: s1 - s0]


class _SpanSource(_Source):
    """Samples ``a:b`` of a source as a source of their own (a piece between long gaps):
    rows counted from ``a``, the recording's maximum ``|x|`` kept."""

    def __init__(self, src: _Source, a: int, b: int) -> None:
        from datetime import timedelta

        self.src, self.a = src, int(a)
        m = src.meta
        start = m.start + timedelta(seconds=a / m.fs) if m.start is not None and a else m.start
        self.meta = replace(m, n_samples=int(b - a), start=start, notes=dict(m.notes))
        self.top = src.top
        self.calibration = src.calibration
        self.random_access = src.random_access

    def read(self, s0: int, s1: int) -> np.ndarray:
        return self.src.read(self.a + s0, self.a + s1)

    def read_owned(self, s0: int, s1: int) -> tuple[np.ndarray, bool]:
        return self.src.read_owned(self.a + s0, self.a + s1)


class _StepCounts:
    """The steps of a time column, counted exactly over consecutive chunks: their median,
    share off it and largest, as :func:`movement.io.read` takes them from the whole
    column (``np.median(np.diff(time))``).

    A clock's steps take few distinct values (whole milliseconds, or a float's rounding of
    a few); over ``cap`` distinct ones :attr:`full` turns true and the counts are dropped.

    Examples
    --------
    >>> c = _StepCounts()
    >>> c.add(np.array([0.01, 0.01, 0.012]))
    >>> c.add(np.array([0.01, 0.03]))
    >>> c.median(), c.n, c.off(c.median()), c.largest()
    (0.01, 5, 2, 0.03)
    """

    def __init__(self, cap: int = 1_000_000) -> None:
        self.cap = cap
        self.full = False
        self.values = np.empty(0)
        self.counts = np.empty(0, np.int64)

    def add(self, steps: np.ndarray) -> None:
        if self.full or not len(steps):
            return
        v, c = np.unique(steps, return_counts=True)
        if len(self.values):
            v, inv = np.unique(np.concatenate([self.values, v]), return_inverse=True)
            c = np.bincount(inv, weights=np.concatenate([self.counts, c]), minlength=len(v))
        self.values, self.counts = v, np.asarray(c, np.int64)
        if len(v) > self.cap:
            self.full = True
            self.values, self.counts = np.empty(0), np.empty(0, np.int64)

    @property
    def n(self) -> int:
        return int(self.counts.sum())

    def median(self) -> float:
        """As ``np.median`` of the steps: the middle one, or the mean of the middle two."""
        n = self.n
        cum = np.cumsum(self.counts)
        at = np.searchsorted(cum, [(n - 1) // 2, n // 2], side="right")
        a, b = (float(x) for x in self.values[at])
        return a if n % 2 else (a + b) / 2

    def off(self, med: float, share: float = 0.1) -> int:
        """How many steps differ from ``med`` by more than ``share`` of it."""
        return int(self.counts[np.abs(self.values - med) > share * med].sum())

    def near(self, med: float, share: float) -> int:
        """How many steps lie within ``share`` of ``med`` (strictly)."""
        return int(self.counts[np.abs(self.values - med) < share * med].sum())

    def largest(self) -> float:
        return float(self.values[-1])


def _grid_chunks(
    timed: Iterator[tuple[np.ndarray, np.ndarray]],
    fs: float,
    n_grid: int,
    max_rows: int,
    gap_count: list[int],
    t0: float = 0.0,
) -> Iterator[np.ndarray]:
    """Rows with their times in seconds, put on a uniform grid at ``fs`` from ``t0`` (the
    first row's time) chunk by chunk: :func:`movement.io.to_uniform_grid` of the whole
    column, value for value (each grid point interpolated between the same two rows;
    points over 1.5 periods from any row missing), the last row of a chunk carried into
    the next.

    ``gap_count[0]`` counts the grid points set missing; a chunk's grid is given in pieces
    of at most ``max_rows`` rows (a long hole does not make one large array).
    """
    k = 0  # the next grid point
    carry: tuple[float, np.ndarray] | None = None
    held = next(timed, None)
    while held is not None:
        following = next(timed, None)
        t, x = held
        if carry is not None:
            t = np.concatenate([[carry[0]], t])
            x = np.concatenate([carry[1][None], x])
        if following is None:
            k_end = n_grid
        else:
            # the grid points before this chunk's last time: their two rows are known
            top = min(n_grid, int((t[-1] - t0) * fs) + 2)
            g = t0 + np.arange(k, max(k, top)) / fs
            k_end = k + int(np.searchsorted(g, t[-1], side="left"))
        # (rows no more than ~3 periods apart leave no grid point between them over 1.5
        # periods from both: nothing to look for; a margin for rounding)
        holes = t.size < 2 or float(np.max(np.diff(t))) >= 2.9 / fs
        for a in range(k, k_end, max_rows):  # loop over pieces of a long hole's grid
            b = min(k_end, a + max_rows)
            g = t0 + np.arange(a, b) / fs  # (as the whole grid: time[0] + k / fs)
            out = np.empty((b - a, x.shape[1]), dtype=np.float64)
            for j in range(x.shape[1]):  # a loop over channels, not samples
                out[:, j] = np.interp(g, t, x[:, j])
            if holes or g[0] < t[0] or g[-1] > t[-1]:
                idx = np.clip(np.searchsorted(t, g), 1, t.size - 1)
                far = np.minimum(np.abs(g - t[idx - 1]), np.abs(t[idx] - g)) > 1.5 / fs
                out[far] = np.nan
                gap_count[0] += int(far.sum())
            yield out
        k = k_end
        carry = (float(t[-1]), x[-1].copy())
        held = following


def _col_extremes(c: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-column minimum and maximum of the rows ``c`` (NaN left out: NaN only where a
    column is all missing), each column's values reduced where they lie in memory (a
    table's chunk comes columns-first, a grid's rows-first: 0.5-0.7 ms for 250,000 x 3,
    where ``np.abs`` then a maximum took 0.7-5.8 ms)."""
    if c.flags.f_contiguous or not c.flags.c_contiguous:
        return np.fmin.reduce(c, axis=0), np.fmax.reduce(c, axis=0)
    wide, rest = _wide(c)
    hi, lo = _colreduce(np.max, wide, rest, k), _colreduce(np.min, wide, rest, k)
    if np.isnan(hi).any() or np.isnan(lo).any():  # a missing value: left out
        return np.fmin.reduce(c, axis=0), np.fmax.reduce(c, axis=0)
    return lo, hi


def _subsample_rows(
    chunks: Iterator[np.ndarray],
    k: int,
    gaps: _NanRuns | None = None,
    calib: BlockStats | None = None,
) -> tuple[np.ndarray, int, np.ndarray]:
    """One pass: every ``stride``-th row (at most ~200,000), the row count, per-column max
    |x| (and, with ``gaps``, the runs of missing values and each column's range; with
    ``calib``, every chunk's calibration-window statistics, as
    :meth:`_ChunkedSource.prepare` would take them)."""
    stride = 1
    kept: list[np.ndarray] = []
    n_kept = 0
    n = 0
    top = np.zeros(k)
    for c in chunks:
        if calib is not None:
            calib.add(c)
        if not len(c):
            continue
        lo, hi = _col_extremes(c, k)
        top = np.fmax(top, np.fmax(hi, -lo))
        if gaps is not None:
            gaps.extent(lo, hi)
            if np.isnan(np.min(c)):
                gaps.add(c)
            else:
                gaps.skip(len(c))
        first = (-n) % stride
        kept.append(c[first::stride].copy())  # (a view would keep the whole chunk alive)
        n_kept += len(kept[-1])
        n += len(c)
        if n_kept > 2 * _SUBSAMPLE_ROWS:
            allk = np.concatenate(kept)[::2]
            stride *= 2
            kept, n_kept = [allk], len(allk)
    sub = np.concatenate(kept) if kept else np.empty((0, k))
    return sub, n, top


def _resolve(
    path: Path,
    channels: list[str],
    sub: np.ndarray,
    *,
    header_fs: float | None,
    n: int,
    fs: float | None,
    modality: str | None,
    channel_sel: Sequence[str | int] | None,
    notes: dict | None = None,
    header: RawSignal | None = None,
    units: str | None = None,
    header_from: str = "header",
    time_fs: float | None = None,
) -> tuple[_Meta, list[int], float]:
    """Rate, modality, channel selection and unit factor, resolved as :func:`movement.read` does.

    :func:`movement.io._finish` runs on a row subsample (the same sidecar / header /
    argument precedence and unit detection); the unit factor is read back from it.
    ``header``: what a file's own header declares (units, modality, start), as its
    reader returns it. ``header_from``, ``time_fs``: where ``header_fs`` comes from (a
    table's time column) and the rate its time column gives when another is used
    (:func:`movement.io._finish`, which warns of an ``fs`` given that the file contradicts).
    """
    raw = RawSignal(np.array(sub, dtype=np.float64, copy=True), list(channels), fs=header_fs)
    if header is not None:
        raw.units, raw.modality, raw.start = header.units, header.modality, header.start
    raw.notes = dict(notes or {})
    rec = _finish(
        raw,
        str(path),
        read_sidecar(path),
        fs=fs,
        modality=modality,
        channels=channel_sel,
        units=units,
        header_from=header_from,
        time_fs=time_fs,
    )
    idx = [list(channels).index(c) for c in rec.channels]
    factor = 1.0
    if rec.modality == "accel":
        x = np.asarray(sub, dtype=np.float64)[:, idx]
        ok = np.isfinite(x) & (np.abs(x) > 0) & np.isfinite(rec.data)
        if ok.any():
            ratio = float(np.median(rec.data[ok] / x[ok]))
            factor = min((1.0, 1 / 9.80665, 1e-3), key=lambda f: abs(math.log(ratio / f)))
    meta = _Meta(
        fs=rec.fs,
        modality=rec.modality,
        channels=tuple(rec.channels),
        n_samples=n,
        units=rec.units,
        source=str(path),
        start=rec.start,
        notes=dict(rec.notes),
    )
    return meta, idx, factor


def _row_sample(arr: Any) -> np.ndarray:
    """All rows of a short array; of a long one, 200 evenly spaced runs of 1000 rows
    (enough for the unit and modality checks, and touches few pages of a file)."""
    n = arr.shape[0]
    if n <= _SUBSAMPLE_ROWS:
        return np.array(arr[0:n])
    starts = np.linspace(0, n - 1000, 200).astype(np.int64)
    return np.concatenate([np.asarray(arr[a : a + 1000]) for a in starts])


def _npy_source(
    path: Path, fs: Any, modality: Any, channels: Any, units: str | None = None
) -> _Source:
    from .io.tables import npy_channel_names, open_npy

    arr = open_npy(path)
    n, k = arr.shape
    sub = _row_sample(arr)
    mm = _find_mmap(arr)
    if mm is not None:
        mm.madvise(mmap.MADV_DONTNEED)
    names = npy_channel_names(path, k)  # the sidecar's ColumnNames (movement convert)
    meta, idx, factor = _resolve(
        path,
        names,
        sub,
        header_fs=None,
        n=n,
        fs=fs,
        modality=modality,
        channel_sel=channels,
        units=units,
    )
    return _ArraySource(arr, meta, None if idx == list(range(k)) else idx, factor)


def _edf_source(
    path: Path, fs: Any, modality: Any, channels: Any, units: str | None = None
) -> _Source:
    """An EDF (memory-mapped by edfio, decoded per window) or BDF file's rows on demand."""
    from .io.devices import open_edf

    return _rows_source(path, open_edf(path, channels), fs, modality, channels, units)


def _wfdb_source(
    path: Path, fs: Any, modality: Any, channels: Any, units: str | None = None
) -> _Source:
    """A WFDB record's rows on demand (``wfdb.rdrecord(sampfrom, sampto)`` per window)."""
    from .io.devices import open_wfdb

    return _rows_source(path, open_wfdb(path), fs, modality, channels, units)


def _h5_source(
    path: Path, fs: Any, modality: Any, channels: Any, units: str | None = None
) -> _Source | None:
    """An HDF5 file's (``.h5``, ``.hdf5``, MATLAB v7.3 ``.mat``) rows on demand (a
    hyperslab per window); None when it has a ``time`` data set (the file is then read
    whole: the times place the samples, a hole in them becomes missing values, and time
    going backwards is refused, as :func:`movement.read` does)."""
    from .io.hdf5 import open_hdf5

    raw = open_hdf5(path, read_time=False)
    if raw.data.time_name is not None:  # type: ignore[attr-defined]
        return None
    return _rows_source(path, raw, fs, modality, channels, units)


def _rows_source(
    path: Path,
    raw: RawSignal,
    fs: Any,
    modality: Any,
    channels: Any,
    units: str | None = None,
) -> _Source:
    """A reader's header (``raw``) whose ``data`` reads rows when sliced (or is an array)."""
    rows = raw.data
    n, k = rows.shape
    meta, idx, factor = _resolve(
        path,
        raw.channels,
        _row_sample(rows),
        header_fs=raw.fs,
        n=n,
        fs=fs,
        modality=modality,
        channel_sel=channels,
        notes=raw.notes,
        header=raw,
        units=units,
    )
    if isinstance(rows, np.ndarray):
        out = _ArraySource(rows, meta, None if idx == list(range(k)) else idx, factor)
    else:
        out = _ArraySource(rows.select(idx), meta, None, factor)  # type: ignore[attr-defined]
    out.annotations = raw.annotations
    return out


def _first_line(exc: BaseException) -> str:
    """An exception's first line (its type when it says nothing)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


#: Rows of a table read first to decide, as :func:`movement.read` does from the whole
#: columns, which column is a clock (and in which unit) and which holds row numbers.
_HEAD_ROWS = 1000


def _table_source(
    path: Path,
    kind: str,
    fs: Any,
    modality: Any,
    channels: Any,
    chunk_rows: int,
    units: str | None = None,
    calib_window_s: float | None = None,
) -> _Source:
    """CSV/TSV (pandas ``chunksize``) or Parquet (batches of rows): numeric columns, optional
    time.

    With ``calib_window_s`` the first pass also takes the statistics of calibration
    windows of that length (:mod:`movement.calibration`) when it knows the rate from its
    first chunk; the source's :meth:`~_ChunkedSource.prepare` reads the file once more
    when it did not.
    """
    from .io import tables

    src = str(path)
    header_fs: float | None = None
    header_units: str | None = None  # (an OpenSignals-style header's "Units", as read takes it)
    # (how the table is laid out: a device's header, a units row, decimal commas; a
    # Parquet file's columns are named and typed)
    lay = tables.table_layout(path) if kind == "csv" else tables.TableLayout(header=True)
    empty_rows = [0]  # (rows of empty fields left out at the end: movement.read's note)
    if kind == "csv":
        n_comment, sep, header, first = lay.n_comment, lay.sep, lay.header, lay.first
        header_units, header_fs = lay.units, lay.fs
        if first is None:
            raise RecordingError("the file is empty (no data rows)", src)
        kw = lay.csv_kwargs()
        del kw["comment"]
        # (the first rows decide what movement.read decides from the whole column: a time
        # column, its unit, a column of row numbers)
        if header:
            tables.header_width_check(path, n_comment, sep, first)
        try:
            head = pd.read_csv(path, nrows=_HEAD_ROWS, **kw)
        except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as exc:
            raise RecordingError(f"cannot parse as a table ({_first_line(exc)})", src) from None
        except (EOFError, OSError, zlib.error) as exc:  # (a .gz cut short or damaged)
            raise RecordingError(f"cannot read ({_first_line(exc)})", src) from None
        head = tables.header_index_check(head, src)  # (as the whole read: R's row names)
        cols = lay.column_names(list(head.columns))

        cut = tables.cut_last_line(path, first, sep)
        if cut is not None:
            # (left out, as movement.read leaves it out: the last chunk's last row)
            warnings.warn(f"{src}: {cut}: left out", stacklevel=3)
            if len(head) < _HEAD_ROWS:
                head = head.iloc[:-1]
        # (rows of empty fields ending the first rows: the file's end, or left to the chunks)
        head = head.iloc[: len(head) - tables.trailing_empty_rows(head)]

        def chunks() -> Iterator[pd.DataFrame]:
            try:
                with pd.read_csv(path, chunksize=chunk_rows, **kw) as reader:
                    held = None  # (one chunk behind: the last one is known when it ends)
                    for df in reader:
                        df.columns = cols
                        if held is not None:
                            yield held
                        held = df
                    if held is not None:
                        yield held.iloc[:-1] if cut is not None else held
            except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as exc:
                raise RecordingError(f"cannot parse as a table ({_first_line(exc)})", src) from None
            except (EOFError, OSError, zlib.error) as exc:  # (a .gz cut short or damaged)
                raise RecordingError(f"cannot read ({_first_line(exc)})", src) from None

        def frames() -> Iterator[pd.DataFrame]:
            """The chunks, rows of empty fields at the file's end left out (a spreadsheet's
            ``,,,``): those ending a chunk are held until a later row holds a value."""
            pending: pd.DataFrame | None = None
            for df in chunks():
                k = tables.trailing_empty_rows(df)
                if k == len(df):
                    pending = df if pending is None else pd.concat([pending, df])
                    continue
                if pending is not None:  # (rows of the middle: kept, as the whole read)
                    df, pending = pd.concat([pending, df]), None
                if k:
                    df, pending = df.iloc[: len(df) - k], df.iloc[len(df) - k :]
                yield df
            empty_rows[0] = 0 if pending is None else len(pending)

    else:
        try:
            import pyarrow.parquet as pq
        except ImportError:
            from .errors import MissingExtraError

            raise MissingExtraError("Parquet files", "parquet", "pyarrow") from None
        try:
            pf = pq.ParquetFile(path)
            first_batch = next(pf.iter_batches(batch_size=_HEAD_ROWS), None)
        except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for bad files
            raise RecordingError(f"not a readable Parquet file ({_first_line(exc)})", src) from None
        meta = pf.schema_arrow.metadata or {}
        if b"movement.fs" in meta:
            header_fs = float(meta[b"movement.fs"])
        # (pandas' stored index is a column here, as read_parquet takes it: its metadata
        # would make it the frame's index, one column short of the schema's names)
        cols = [str(c) for c in pf.schema_arrow.names]
        head = (
            first_batch.to_pandas(ignore_metadata=True)
            if first_batch is not None
            else pd.DataFrame(columns=cols)
        )
        head.columns = cols
        header = True

        def frames() -> Iterator[pd.DataFrame]:
            # batches of chunk_rows, not whole row groups: a file written as one row group
            # would be one frame of the whole table
            batches = pq.ParquetFile(path).iter_batches(batch_size=chunk_rows)
            row0 = 0
            while True:
                try:
                    batch = next(batches, None)
                except Exception as exc:  # noqa: BLE001 - pyarrow raises many types
                    raise RecordingError(
                        f"not a readable Parquet file ({_first_line(exc)})", src
                    ) from None
                if batch is None:
                    return
                df = batch.to_pandas(ignore_metadata=True)
                # (rows numbered on from the batches before, as a CSV's chunks are: a bad
                # time's data row is the file's, not the batch's)
                df.index = pd.RangeIndex(row0, row0 + len(df))
                row0 += len(df)
                yield df

    if kind == "csv":
        head.columns = cols
    tcol = next((c for c in cols if tables.is_time_name(c) and c not in lay.drop), None)
    time_note = None
    time_start = None  # (a numeric time column's first value as a Unix time)
    # (the unit a time column's name or units row gives it)
    named_unit = lay.time_unit(tcol) if tcol is not None else None
    if tcol is None and not header and len(cols) >= 2:  # a headerless first column of clock
        c0 = head[cols[0]]
        if pd.api.types.is_numeric_dtype(c0) and tables._is_time_like(c0.to_numpy(float)):
            tcol = cols[0]
            time_note = "first column read as a time column in {}"
    # a headerless first column of numbers its first rows do not show to be a clock: the
    # whole read takes it for one when its steps are steady over all rows (see below)
    unsure = (
        tcol is None
        and not header
        and len(cols) >= 2
        and pd.api.types.is_numeric_dtype(head[cols[0]])
    )
    scale = 1.0
    # a clock of dates or text (timestamps): each chunk's parsed to seconds from the first
    # row's, as movement.read parses the whole column (value by value: the same seconds)
    stamped = tcol is not None and not pd.api.types.is_numeric_dtype(head[tcol])
    # the first row's nanoseconds and datetime, and the format of the first value that
    # movement.read parses the whole column with (a chunk that does not match it is read
    # whole: the whole read then parses each value on its own)
    as_text = stamped and len(head) and not pd.api.types.is_datetime64_any_dtype(head[tcol])
    clock: dict[str, Any] = {
        "fmt": tables.timestamp_format(head[tcol].iloc[0]) if as_text else None
    }
    # slash dates month first by the first value's guess (03/04/2019) may be day first: the
    # first pass reads the dates where they change (tables.date_order) and takes the
    # reading movement.read takes from the whole column's: day first where a date tells so
    # and none month first, turning to it then. Before the date changes, either reading
    # gives the same seconds (only the start date differs).
    order: dict[str, Any] = {"month": clock["fmt"], "day": tables.day_first_format(clock["fmt"])}
    order["by"] = None  # (the reading the dates told so far)

    def turn(t: pd.Series, at_start: bool, ns: np.ndarray | None = None) -> tuple[Any, Any]:
        """Read the dates day first from this chunk on: its times (``ns`` when read so
        already) and first datetime; the file's start read so too."""
        if order["by"] is not None:  # (month first told before: the whole read decides)
            raise _NotStreamable(
                "a time column whose dates read day first in places and month first in "
                "others cannot be read in windows: it is read whole",
                src,
            )
        if not at_start and "tail" in clock:
            days = (np.array([clock["ns0"], clock["tail"][1]]) + clock["off"]) // tables._DAY_NS
            if days[0] != days[1]:  # (rows on another date before, read month first)
                raise _NotStreamable(
                    "a time column whose dates tell their day from their month only after "
                    "a change of date cannot be read in windows: it is read whole",
                    src,
                )
        clock["fmt"] = order["by"] = order["day"]
        first_dt = None
        if ns is None:
            ns, first_dt, used = tables.timestamps_ns(t, src, clock["fmt"])
            if used != clock["fmt"]:
                raise _NotStreamable(
                    f"a time column whose timestamps are not all written as {clock['fmt']!r} "
                    "cannot be read in windows: it is read whole",
                    src,
                )
        if at_start:
            clock.pop("ns0", None)  # (set from this chunk's first row)
        else:
            ns0, clock["start"], _ = tables.timestamps_ns(clock["v0"], src, clock["fmt"])
            clock["ns0"] = int(ns0[0])
        return ns, first_dt

    def seconds_of(t: pd.Series, at_start: bool = False) -> np.ndarray:
        """A chunk's timestamps as seconds from the file's first row (``at_start``: the
        chunk begins with it)."""
        if pd.api.types.is_numeric_dtype(t):
            # (a chunk of numbers alone, "210.00", in a column of dates: the whole read
            # parses them as text with the dates, and refuses them)
            raise _NotStreamable(
                "a time column of dates and numbers cannot be read in windows: it is read whole",
                src,
            )
        ns, first_dt, used = tables.timestamps_ns(t, src, clock["fmt"])
        telling = order["day"] is not None and not clock.get("checked")
        if telling and used == order["day"] != clock["fmt"]:
            # (a date only day first reads, 13/04/2019: the whole read reads all day first)
            turn(t, at_start, ns)
        if used != clock["fmt"]:
            raise _NotStreamable(
                f"a time column whose timestamps are not all written as {clock['fmt']!r} "
                "cannot be read in windows: it is read whole",
                src,
            )
        # dates with a UTC offset in one chunk and none in another each parse (as UTC, as
        # local time), but not together: the whole read decides, as with one chunk of both
        aware = getattr(first_dt, "tzinfo", None) is not None
        if clock.setdefault("aware", aware) != aware:
            raise _NotStreamable(
                "a time column with a UTC offset in some rows and none in others cannot be "
                "read in windows: it is read whole",
                src,
            )
        if "ns0" not in clock:
            clock["ns0"], clock["start"] = int(ns[0]), first_dt
            clock["v0"], clock["off"] = t.iloc[:1], tables._offset_ns(first_dt)
        if telling:
            before = None if at_start else clock.get("tail")
            day_first = clock["fmt"] == order["day"]
            other = order["month"] if day_first else order["day"]
            mine, theirs, _, _ = tables.date_order(
                t, ns, clock["fmt"], other, src, clock["off"], before
            )
            month, day = (theirs, mine) if day_first else (mine, theirs)
            if month and order["by"] == order["day"]:  # (read day first so far)
                raise _NotStreamable(
                    "a time column whose dates read day first in places and month first in "
                    "others cannot be read in windows: it is read whole",
                    src,
                )
            if month:
                order["by"] = order["month"]  # (whatever the dates tell later: as whole)
            elif day and order["by"] is None:  # (a change of date that advances by less)
                ns, first_dt = turn(t, at_start)
                if "ns0" not in clock:
                    clock["ns0"], clock["start"] = int(ns[0]), first_dt
            clock["tail"] = (t.iloc[-1], int(ns[-1]))
        return (ns - clock["ns0"]) / 1e9

    head_t: np.ndarray | None = None
    if tcol is not None and len(head) > 1:
        if stamped:
            head_t = seconds_of(head[tcol], at_start=True)
            time_note = tables.timestamp_note(tcol, clock["fmt"])
        else:
            head_t = head[tcol].to_numpy(np.float64)
            named = time_note is None  # (a headerless first column: no name, no unit)
            unit = tables._numeric_time_to_seconds(head_t, named=True, unit=named_unit)[1]
            scale = tables.time_scale(unit)
            # (its start when its values are Unix times; a warning when whole seconds one
            # apart may be ms: as movement.read says them, from the first rows)
            time_note, time_start, warn = tables.numeric_time_meaning(
                tcol,
                unit,
                head[tcol].iloc[0],
                float(np.median(np.diff(head_t))),
                bool(np.all(np.mod(head_t, 1) == 0)),
                named,
                tables.time_unit_said(lay, tcol, unit) if named else "",
            )
            if warn:
                warnings.warn(f"{src}: {warn}", stacklevel=3)
    data_cols = [
        c
        for c in cols
        if c != tcol
        and c not in lay.drop
        and tables._unnamed_kept(head[c], c)
        and not tables.STORED_INDEX.match(c)
    ]
    # the columns the selection keeps (channels=, else the sidecar's Channels): a column of
    # text it leaves out is missing values, no error (as movement.read reads it)
    keep = channels
    if keep is None and sidecar_path(path).is_file():
        keep = _sidecar_channels(read_sidecar(path), src)
    kept = tables.kept_columns(list(data_cols), keep, src)
    # the time column's step in its first rows: later steps are compared with it (what
    # movement.read calls irregular sampling is put on its grid: see grid_plan)
    step0 = float(np.median(np.diff(head_t))) if head_t is not None else None
    guessed = time_note is not None and time_note.startswith("first column")

    def unit_of(step: float) -> str:
        """The unit movement.read reads a numeric time column in, its median step ``step``."""
        return tables._numeric_time_to_seconds(np.array([0.0, step]), True, named_unit)[1]

    times: dict[str, float] = {}
    # (the first pass: calibration window statistics, all columns, before the unit factor)
    first: dict[str, Any] = {"on": calib_window_s is not None, "acc": None}
    # (the rate as movement.read takes it: argument, sidecar, header, time column; a
    # guess only: a window length that turns out different makes prepare() read again)
    try:
        side_fs = sidecar_rate(read_sidecar(path), str(path))
    except RecordingError:
        side_fs = None

    def feed(arr: np.ndarray, tv: np.ndarray | None) -> None:
        if first["acc"] is None:
            rate = fs or side_fs or header_fs
            if rate is None and tv is not None and len(tv) > 1 and tv[-1] > tv[0]:
                rate = snap_rate((len(tv) - 1) / ((tv[-1] - tv[0]) * scale))
            if not rate:
                first["on"] = False  # the rate is not known yet: prepare() reads again
                return
            b = calib_window_len(float(rate), float(calib_window_s))  # type: ignore[arg-type]
            first["acc"] = BlockStats(b, arr.shape[1])
        first["acc"].add(arr)

    def arrays() -> Iterator[np.ndarray]:
        row0 = 0  # data rows before this chunk (to name a bad value's row)
        for df in frames():
            if not len(df):  # (a header alone reads as a frame of no rows, of text columns)
                continue
            tv = None
            # (the time column is checked on the first pass; the windows' passes only
            # need the samples: a day of timestamps parsed once, not once per pass)
            if tcol is not None and not clock.get("checked"):
                t = df[tcol]
                if stamped:
                    tv = seconds_of(t, at_start=row0 == 0)
                elif pd.api.types.is_numeric_dtype(t):
                    tv = t.to_numpy(np.float64)
                else:  # (numbers in the first rows, text further down: as the whole read)
                    again = tables.repeated_header_row(df, row0) if header else None
                    if again is not None:
                        raise RecordingError(tables.repeated_header_message(again, cols), src)
                    raise _NotStreamable(
                        "a time column of numbers and text cannot be read in windows: it is "
                        "read whole",
                        src,
                    )
                if not np.isfinite(tv).all():  # (the whole read names the row, or not)
                    raise _NotStreamable(
                        "a time column with missing values cannot be read in windows: it is "
                        "read whole",
                        src,
                    )
                # steps within the chunk and across its boundary with the previous one (a
                # hole between two chunks or row groups is a hole too)
                dt = np.diff(tv, prepend=times["last"]) if "last" in times else np.diff(tv)
                times.setdefault("first", float(tv[0]))
                times["last"] = float(tv[-1])
                if len(dt):
                    times["min_dt"] = min(times.get("min_dt", np.inf), float(dt.min()))
                    times["max_dt"] = max(times.get("max_dt", 0.0), float(dt.max()))
                    if step0:  # (the steps against the first rows' one: see `maybe`)
                        hits = (
                            dt < 0.99 * step0,
                            dt > 1.01 * step0,
                            np.abs(dt - step0) > 0.08 * step0,
                        )
                        for key, hit in zip(("below", "above", "far"), hits, strict=True):
                            times[key] = times.get(key, 0) + int(np.count_nonzero(hit))
            if unsure and not clock.get("checked"):  # (does it rise on every row?)
                c0 = pd.to_numeric(df[cols[0]], errors="coerce").to_numpy(np.float64)
                rise = np.diff(c0, prepend=times.get("c0", -np.inf))
                times["c0"] = float(c0[-1])
                times["falls"] = times.get("falls", 0) + int(np.count_nonzero(~(rise > 0)))
            block = df[data_cols]
            bad = [c for c in data_cols if not pd.api.types.is_numeric_dtype(block[c])]
            if bad:
                again = tables.repeated_header_row(df, row0) if header else None
                if again is not None:
                    raise RecordingError(tables.repeated_header_message(again, cols), src)
                block = tables.text_columns(block, kept, src, lay, row0)
            row0 += len(df)
            arr = block.to_numpy(dtype=np.float64)
            if first["on"]:
                feed(arr, tv)
            yield arr

    def seconds(t: pd.Series) -> np.ndarray:
        """A chunk's times in seconds from the first row's, as movement.read makes them."""
        if stamped:
            return seconds_of(t)
        return (t.to_numpy(np.float64) - times["first"]) * scale

    def timed() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for df in frames():
            if len(df):
                block = tables.text_columns(df[data_cols], kept, src, lay)
                yield seconds(df[tcol]), block.to_numpy(dtype=np.float64)

    def grid_plan(n_rows: int, rate_from_time: bool) -> tuple[float, int, str] | None:
        """Whether movement.read puts the table on a uniform grid, from its steps counted
        exactly (one pass over the time column): the grid's rate and length and the
        warning's words (``{}`` for the samples set missing), or None."""
        from .io import parse_fs

        steps, raw = _StepCounts(), None if stamped else _StepCounts()
        last: list[float] = []
        for df in frames():  # loop over the file's chunks (the time column alone)
            if not len(df):
                continue
            t = df[tcol]
            tt = seconds(t)
            steps.add(np.diff(tt, prepend=last[0]) if last else np.diff(tt))
            if raw is not None:
                tv = t.to_numpy(np.float64)
                raw.add(np.diff(tv, prepend=last[1]) if last else np.diff(tv))
                last[:] = [float(tt[-1]), float(tv[-1])]
            else:
                last[:] = [float(tt[-1])]
            if steps.full or (raw is not None and raw.full):
                raise _NotStreamable(
                    "a time column of too many different steps cannot be read in windows: "
                    "it is read whole",
                    src,
                )
        if raw is not None:
            # (the whole column's step decides its unit, and whether a headerless first
            # column is a clock: the first rows' decided here so far)
            step = raw.median()
            clockless = guessed and not (raw.near(step, 0.5) / raw.n > 0.9)
            if tables.time_scale(unit_of(step)) != scale or clockless:
                raise _NotStreamable(
                    "a time column whose first rows do not step as the rest cannot be read "
                    "in windows: it is read whole",
                    src,
                )
        med = steps.median()
        times["rate"] = snap_rate(1.0 / med)  # (the time column's, as movement.read takes it)
        if rate_from_time:
            if not steps.off(med) / steps.n > 0.01 and steps.largest() < 2 * med:
                return None
            rate = snap_rate(1.0 / med)
            msg = f"{src}: irregular sampling; resampled to a uniform {rate:.4g} Hz grid"
            msg += " ({} samples in gaps set missing)"
        else:
            rate = float(parse_fs(fs, src) or side_fs or header_fs)  # type: ignore[arg-type]
            if not steps.largest() >= 2.0 * max(med, 1.0 / rate):
                return None
            msg = (
                f"{src}: the time column has holes; put on a uniform {rate:.4g} Hz grid "
                "({} samples in gaps set missing)"
            )
        n_grid = float(np.floor(last[0] * rate)) + 1
        if not n_grid <= max(100 * n_rows, 10**8):  # (the whole read says where it jumps)
            raise _NotStreamable("a time column with a long jump: read whole", src)
        return rate, int(n_grid), msg

    gaps = _NanRuns(len(data_cols))
    sub, n, top_all = _subsample_rows(arrays(), len(data_cols), gaps)
    first["on"] = False  # (later passes: the windows')
    clock["checked"] = True
    if n == 0:
        # (movement.read's words for a CSV with a header and nothing under it)
        raise RecordingError(
            "the file has a header but no data rows" if kind == "csv" else "the table has no rows",
            src,
        )
    if unsure and n >= 3 and not times["falls"]:
        # (a clock whose first rows step unsteadily: rows at 100 Hz with holes)
        raise _NotStreamable(
            "a headerless first column that rises on every row may be a clock: it is read whole",
            src,
        )
    notes: dict[str, str] = dict(lay.notes)  # (a device's header, units row, decimal commas)
    if empty_rows[0]:
        notes["empty_rows"] = tables.empty_rows_note(empty_rows[0])
    if kind == "csv":  # (a written row index left out: movement.read's note)
        index = [
            c
            for c in cols
            if c != tcol
            and c not in lay.drop
            and not tables._unnamed_kept(head[c], c)
            and head[c].notna().any()
        ]
        if index:
            notes["index"] = f"column {index[0]!r} (row numbers) left out"
    time_rate = False  # (the rate is the time column's)
    if tcol is not None and n > 1:
        span = times["last"] - times["first"]
        rate_from_time = not (fs or side_fs or header_fs)
        if times.get("min_dt", 1.0) <= 0:  # (the whole read says where time goes back)
            raise _NotStreamable(
                "a time column that does not increase cannot be read in windows: it is read whole",
                src,
            )
        # movement.read decides on the whole column's median step: a step of twice it or
        # more is a hole, put on a uniform grid, and so is, the rate taken from the time
        # column, more than 1 % of the steps off it by over 10 %; it gives a numeric
        # column's unit, and a headerless first column is a clock when 90 % of the steps
        # lie within 50 % of it. When the median lies within 1 % of the first rows' step
        # (under half the steps below 0.99 or above 1.01 times it), no step reaches 1.95
        # times it, at most 0.9 % of the steps lie over 8 % off it and the unit at both
        # ends of that 1 % is the first rows', the whole read finds no hole nor irregular
        # steps, and reads the column as its first rows are read (margins: these steps
        # are of the column as written, the whole read's in seconds). Else the steps are
        # counted exactly in one more pass (grid_plan), and a table to put on a grid is
        # streamed through one. (The first rows' step alone missed a median elsewhere:
        # 1000 rows at 50 Hz, then rows at 100 Hz, fs=100 given: a hole, whole.)
        m, s0 = n - 1, step0 or 0.0  # (steps; the first rows' step)
        near = s0 > 0 and 2 * max(times["below"], times["above"]) < m - 1
        if near and not stamped:
            near = all(tables.time_scale(unit_of(f * s0)) == scale for f in (0.99, 1.01))
        maybe = (
            not near
            or times["max_dt"] >= 1.95 * s0
            or ((rate_from_time or guessed) and times["far"] > 0.009 * m)
        )
        if maybe:
            plan = grid_plan(n, rate_from_time)
            if plan is not None:
                grid_rate, n_grid, msg = plan
                gap_count = [0]

                def arrays_on_grid() -> Iterator[np.ndarray]:
                    gap_count[0] = 0
                    rows = max(chunk_rows, 1000)
                    for c in _grid_chunks(timed(), grid_rate, n_grid, rows, gap_count):
                        if first["on"]:
                            feed(c, None)
                        yield c

                arrays = arrays_on_grid  # type: ignore[assignment]  # (the windows' too)
                if rate_from_time:
                    header_fs = grid_rate
                if calib_window_s is not None:  # (the first pass's were of the rows)
                    first.update(on=True, acc=None)
                gaps = _NanRuns(len(data_cols))
                sub, n, top_all = _subsample_rows(arrays(), len(data_cols), gaps)
                first["on"] = False
                msg = msg.format(gap_count[0])
                if not gap_count[0] and rate_from_time:  # (as movement.read words it)
                    msg = msg.replace(" (0 samples in gaps set missing)", "")
                warnings.warn(msg, stacklevel=3)
                notes["resampled"] = msg
                time_rate = rate_from_time
    rate_of_time = tcol is not None and header_fs is None and n > 1 and "resampled" not in notes
    time_rate = time_rate or rate_of_time
    if rate_of_time:
        header_fs = snap_rate((n - 1) / (span * scale))
    if stamped and time_note:  # (the format the whole first pass read the dates with)
        told = order["day"] is None or order["by"] is not None
        time_note = tables.timestamp_note(tcol, clock["fmt"], told)
    if tcol is not None and time_note:
        notes["time"] = time_note
    try:
        meta, idx, factor = _resolve(
            path,
            data_cols,
            sub,
            header_fs=header_fs,
            n=n,
            fs=fs,
            modality=modality,
            channel_sel=channels,
            notes=notes,
            header=RawSignal(
                np.zeros((0, len(data_cols))),
                list(data_cols),
                units=header_units,
                modality=lay.modality,
                start=next(
                    (t for t in (clock.get("start"), time_start, lay.start) if t is not None), None
                ),
            ),
            units=units,
            header_from="time column" if time_rate else "header",
            time_fs=times.get("rate") if tcol is not None and not time_rate else None,
        )
    except RecordingError as exc:
        if len(sub) == n or not len(gaps.runs()) or isinstance(exc, UnresolvedError):
            raise
        # (the sample, one row in many of a long grid mostly missing, held too few samples
        # to score where all the rows may hold enough: the whole read judges them all)
        why = str(exc).removeprefix(f"{src}: ")
        raise _NotStreamable(f"a sample of its rows: {why}; it is read whole", src) from None
    # infinite and missing values judged on all rows, as the whole read judges them (a
    # sample of one row in many leaves out an infinite value, joins gaps kept apart)
    if not np.isfinite(top_all[idx]).all():
        raise RecordingError("data contains infinite values", src)
    runs = gaps.runs(idx)
    check_missing(runs, n, meta.fs, src)
    if time_rate and meta.notes.get("fs_from") == "header":
        meta.notes["fs_from"] = "time column"  # (as movement.read says it)
    top = top_all[idx] * abs(factor)
    out = _ChunkedSource(arrays, meta, idx, factor, top, runs, len(data_cols), calib=first["acc"])
    out.ranges = gaps.ranges(idx, factor)
    return out


def _scratch(suffix: str) -> Path:
    """A new empty file in the temporary folder, for a device file's piece (its reader
    removes it once read)."""
    import tempfile

    fd, name = tempfile.mkstemp(prefix="movement-", suffix=suffix)
    os.close(fd)
    return Path(name)


def _device_source(
    path: Path,
    arrays: Any,
    sub: np.ndarray,
    n: int,
    top_all: np.ndarray,
    gaps: _NanRuns,
    rate: float,
    notes: dict[str, Any],
    start: Any,
    fs: Any,
    modality: Any,
    channels: Any,
    units: str | None,
    calib: BlockStats | None = None,
) -> _Source:
    """A device file's pieces (``arrays``: x, y, z in g at ``rate``) as a streamed source,
    given its first pass (row sample ``sub`` of ``n`` rows, largest values, missing runs,
    and ``calib``, the calibration windows' statistics when the pass could take them)
    and what its reader says (``notes``, ``start``): rate, modality, channels and units
    resolved as :func:`movement.read` resolves them, and judged as it judges them."""
    src = str(path)
    xyz = ["x", "y", "z"]
    try:
        meta, idx, factor = _resolve(
            path, xyz, sub, header_fs=rate, n=n, fs=fs, modality=modality,
            channel_sel=channels, notes=notes, units=units,
            header=RawSignal(np.zeros((0, 3)), xyz, units="g", modality="accel", start=start),
        )  # fmt: skip
    except RecordingError as exc:
        if len(sub) == n or not len(gaps.runs()) or isinstance(exc, UnresolvedError):
            raise
        # (a sample of a long grid mostly missing: the whole read judges all its rows)
        why = str(exc).removeprefix(f"{src}: ")
        raise _NotStreamable(f"a sample of its rows: {why}; it is read whole", src) from None
    if not np.isfinite(top_all[idx]).all():
        raise RecordingError("data contains infinite values", src)
    runs = gaps.runs(idx)
    check_missing(runs, n, meta.fs, src)
    out = _ChunkedSource(
        arrays, meta, idx, factor, top_all[idx] * abs(factor), runs, 3, calib=calib
    )
    out.ranges = gaps.ranges(idx, factor)
    return out


def _first_pass_calib(
    rate: float | None, fs: Any, calib_window_s: float | None
) -> BlockStats | None:
    """The calibration windows' statistics for a device file's first pass, when its rate is
    known before it (the header's; an ``fs`` given overrides it, and the windows then take
    their own pass): the pass that reads every piece for the row sample takes them too,
    and :meth:`_ChunkedSource.prepare` does not read the file again (a day of a GENEActiv
    ``.bin``: one decoding of its pages fewer, ~0.7 s of ~10 s)."""
    if fs is not None or not rate or not calib_window_s:
        return None
    return BlockStats(calib_window_len(float(rate), float(calib_window_s)), 3)


def _cwa_source(
    path: Path,
    fs: Any,
    modality: Any,
    channels: Any,
    chunk_rows: int,
    units: str | None = None,
    calib_window_s: float | None = None,
) -> _Source:
    """An Axivity ``.cwa`` file read in pieces of its 512-byte blocks, each by actfast
    (:func:`movement.io.devices.cwa_blocks`), put on the configured rate's grid chunk by
    chunk: the values, notes and warnings of :func:`movement.io.devices.read_cwa`.

    Three kinds of pass over the blocks: the first finds the samples that start a block
    (the sample times are spread between them, not over a hole between blocks, as the
    whole read spreads them; unreadable blocks skipped as it skips them), the
    second the grid's missing points, largest values and a row sample, then the windows'.
    A file the whole read would refuse, or time some other way (no configured rate,
    sample times that do not rise, fewer than two block starts), is read whole.
    """

    from .io import devices as dv

    src = str(path)
    head_len, counts, tail, state = dv._cwa_scan(path)
    if not counts.sum():
        raise _NotStreamable("no data blocks: it is read whole", src)
    per = max(1, chunk_rows // max(1, int(counts.max())))  # blocks a piece
    edges = [*range(0, len(counts), per), len(counts)]

    def pieces() -> Iterator[tuple[int, dict]]:
        for b0, b1 in zip(edges[:-1], edges[1:], strict=True):  # loop over pieces of blocks
            scratch = _scratch(".cwa")
            skip = bool(state[b0:b1].any())  # (unreadable blocks: skipped, as read whole)
            try:
                res = dv.cwa_blocks(path, head_len, b0, b1, scratch, lenient=skip)
                if skip:
                    dv._cwa_lenient_check(res, state[b0:b1], src)
            except RecordingError as exc:  # (the whole read's words for what is wrong)
                raise _NotStreamable(f"{exc}: it is read whole", src) from None
            hf = res.get("timeseries", {}).get("high_frequency", {})
            acc = hf.get("acceleration")
            m = 0 if acc is None else int(acc.shape[0])
            if m != int(counts[b0:b1].sum()):  # (the whole read counts what is missing)
                raise _NotStreamable("a piece of blocks read short: it is read whole", src)
            if m:
                yield b0, res

    # pass 1: the samples a block starts at, and the sample times' order
    n, anchors, t_anchor, spans, strays = 0, [], [], [], []
    first: dict[str, Any] = {}
    for _, res in pieces():  # loop over pieces of blocks
        hf = res["timeseries"]["high_frequency"]
        ht = np.asarray(hf["datetime"], dtype=np.int64)
        bt = res["timeseries"].get("low_frequency", {}).get("datetime")
        if not first:
            first.update(ns=int(ht[0]), meta=res.get("metadata", {}), gyro="gyroscope" in hf)
        if bt is None or np.any(ht[1:] <= ht[:-1]) or (spans and ht[0] <= spans[-1][1]):
            raise _NotStreamable("sample times that do not rise: it is read whole", src)
        bt = np.asarray(bt, dtype=np.int64)
        a = dv._block_anchors(ht, bt)
        hit = np.isin(bt, ht[a])
        strays.append(bt[~hit])  # (a block time no sample of its piece has)
        anchors.append(a + n)
        t_anchor.append(ht[a])
        spans.append((int(ht[0]), int(ht[-1])))
        n += len(ht)
    # (the whole read matches each block time against all samples: one another piece holds)
    lo, hi = np.array(spans).T
    stray = np.concatenate(strays)
    if len(stray) and np.any(np.searchsorted(hi, stray) < np.searchsorted(lo, stray, "right")):
        raise _NotStreamable("block times among other blocks' samples: it is read whole", src)
    at = np.concatenate(anchors)
    cfg = first["meta"].get("configuration", {})
    try:
        rate = float(cfg["sample_rate_hz"])
    except (KeyError, ValueError):
        rate = None
    if rate is None or at.size < 2:
        raise _NotStreamable("a .cwa file timed by its samples alone: it is read whole", src)
    t_at = (np.concatenate(t_anchor) - first["ns"]).astype(np.float64) / 1e9
    idx, tt = dv._anchor_spread(at, t_at, n, rate)
    holes, hole_s = dv._cwa_holes_note(at, t_at, rate)
    t_first, t_last = np.interp(np.array([0.0, n - 1.0]), idx, tt)
    n_grid = float(np.floor((t_last - t_first) * rate)) + 1
    if not n_grid <= max(100 * n, 10**8):  # (the whole read says where it jumps)
        raise _NotStreamable("block times with a long jump: it is read whole", src)

    def timed() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        k = 0
        for _, res in pieces():  # loop over pieces of blocks
            acc = res["timeseries"]["high_frequency"]["acceleration"]
            t = np.interp(np.arange(k, k + len(acc), dtype=np.float64), idx, tt)
            k += len(acc)
            yield t, np.asarray(acc, dtype=np.float64)

    gap_count = [0]

    def arrays() -> Iterator[np.ndarray]:
        gap_count[0] = 0
        rows = max(chunk_rows, 1000)
        yield from _grid_chunks(timed(), rate, int(n_grid), rows, gap_count, t0=float(t_first))

    notes: dict[str, Any] = {}
    if tail:
        dv._truncated(
            path,
            notes,
            f"file is truncated: a partial {tail}-byte block after the last full block was ignored",
        )
    dv._cwa_skipped(path, notes, state)
    dev = first["meta"].get("device", {})
    hw = dev.get("hardware_type", "AX")
    if first["gyro"]:
        notes["gyroscope"] = f"{hw}: the gyroscope channels were dropped (accelerometer kept)"
    if holes:
        notes["block_gaps"] = holes
    gaps = _NanRuns(3)
    calib = _first_pass_calib(rate, fs, calib_window_s)
    sub, n_rows, top_all = _subsample_rows(arrays(), 3, gaps, calib)
    logged = float(t_last) - hole_s  # (the time the samples span, holes left out)
    measured = (n - 1) / logged if logged > 0 else rate
    notes["resampled"] = dv._cwa_resampled(hw, rate, measured, n, n_rows, gap_count[0])
    notes["device"] = dv._cwa_device(hw, dev, cfg)
    start = dv._ns_to_datetime(first["ns"], dv._cwa_zone(first["meta"]))
    return _device_source(
        path, arrays, sub, n_rows, top_all, gaps, rate, notes, start, fs, modality, channels,
        units, calib,
    )  # fmt: skip


def _geneactiv_source(
    path: Path,
    fs: Any,
    modality: Any,
    channels: Any,
    chunk_rows: int,
    units: str | None = None,
    calib_window_s: float | None = None,
) -> _Source:
    """A GENEActiv ``.bin`` file read in pieces of its pages, each by actfast
    (:func:`movement.io.devices.actfast_piece`): the values, notes and warnings of
    :func:`movement.io.devices.read_geneactiv` (its samples as they are, at the header's
    frequency). One pass takes the rows' sample, largest values and count, then the
    windows'. A file not of the GENEActiv kind, or whose pieces actfast reads otherwise
    than 300 samples a page, is read whole (the whole read says what is wrong).
    """

    from .io import devices as dv

    src = str(path)
    with open(path, "rb") as fh:
        first = fh.read(4096)
    if b"GENEActiv" not in first:
        raise _NotStreamable("not a GENEActiv header: it is read whole", src)
    head_len, offsets = dv.geneactiv_pages(path)
    n_pages = len(offsets) - 1
    if n_pages < 1:
        raise _NotStreamable("no data pages: it is read whole", src)
    per = max(1, chunk_rows // dv._GENEACTIV_PAGE)
    edges = [*range(0, n_pages, per), n_pages]
    seen: dict[str, Any] = {}

    def arrays() -> Iterator[np.ndarray]:
        for p0, p1 in zip(edges[:-1], edges[1:], strict=True):  # loop over pieces of pages
            scratch = _scratch(".bin")
            a, b = int(offsets[p0]), int(offsets[p1])
            try:
                res = dv.actfast_piece(path, head_len, a, b, scratch, "GENEActiv .bin file")
            except RecordingError as exc:  # (the whole read's words for what is wrong)
                raise _NotStreamable(f"{exc}: it is read whole", src) from None
            hf = res.get("timeseries", {}).get("high_frequency", {})
            acc = hf.get("acceleration")
            m = 0 if acc is None else int(acc.shape[0])
            whole = dv._GENEACTIV_PAGE * (p1 - p0)
            if m > whole or (m < whole and p1 < n_pages):  # (only the last page may be cut)
                raise _NotStreamable("a piece of pages read short: it is read whole", src)
            if not m:
                continue
            if not seen:
                seen.update(meta=res.get("metadata", {}), t0=int(hf["datetime"][0]))
            yield np.asarray(acc, dtype=np.float64)

    gaps = _NanRuns(3)
    calib = _first_pass_calib(dv.geneactiv_size(path)[1], fs, calib_window_s)
    sub, n, top_all = _subsample_rows(arrays(), 3, gaps, calib)
    rate, notes, start = dv.geneactiv_described(path, n, seen.get("meta", {}), seen.get("t0"))
    return _device_source(
        path, arrays, sub, n, top_all, gaps, rate, notes, start, fs, modality, channels,
        units, calib,
    )  # fmt: skip


def _gt3x_source(
    path: Path,
    fs: Any,
    modality: Any,
    channels: Any,
    chunk_rows: int,
    units: str | None = None,
    calib_window_s: float | None = None,
) -> _Source:
    """An ActiGraph ``.gt3x`` file read in pieces of its log's records, each by actfast
    (:func:`movement.io.devices.gt3x_read_records`, after the records that hold the
    settings), its samples put on the grid of their times with idle-sleep gaps missing:
    the values, notes and warnings of :func:`movement.io.devices.read_gt3x`.

    Two kinds of pass: the first finds the first sample's time and the grid's length, then
    the row sample's and the windows'. A log that does not read as records, that actfast
    cannot read or reads no sample of (the whole read then tries pygt3x), or whose sample
    times do not rise, is read whole.
    """
    import zipfile

    from .io import devices as dv

    src = str(path)
    found = dv.gt3x_records(path)
    if found is None:
        raise _NotStreamable("a log that does not read as records: it is read whole", src)
    info, offsets, kinds = found
    act = np.flatnonzero(np.isin(kinds, dv._GT3X_ACTIVITY))
    if not len(act):
        raise _NotStreamable("no records of samples: it is read whole", src)
    _, rate_guess = dv.gt3x_size(path)
    per = max(1, int(chunk_rows // (rate_guess or 100.0)))  # records a piece (1 s each)
    bounds = [*act[::per].tolist(), len(kinds)]
    bounds[0] = int(act[0])

    def pieces() -> Iterator[dict]:
        with zipfile.ZipFile(path) as z, z.open("log.bin") as log:
            preamble = log.read(int(offsets[act[0]]))
            for r0, r1 in zip(bounds[:-1], bounds[1:], strict=True):  # loop over pieces
                body = log.read(int(offsets[r1] - offsets[r0]))
                scratch = _scratch(".gt3x")
                try:
                    res = dv.gt3x_read_records(path, info, preamble, body, scratch)
                except RecordingError as exc:  # (the whole read tries pygt3x)
                    raise _NotStreamable(f"{exc}: it is read whole", src) from None
                ts = res.get("timeseries", {}).get("acceleration", {})
                if ts.get("acceleration") is not None and len(ts["acceleration"]):
                    yield {"res": res, "acc": ts["acceleration"], "dt": ts["datetime"]}

    # pass 1: the first sample's time, the grid's length, the samples' order
    first: dict[str, Any] = {}
    n, last = 0, -1
    for p in pieces():  # loop over pieces of records
        if not first:
            meta = p["res"].get("metadata", {}).get("info", {})
            rate = dv.gt3x_rate(meta, src)
            t0 = float(np.asarray(p["dt"][:1], dtype=np.int64).astype(np.float64)[0] / 1e9)
            features = p["res"].get("metadata", {}).get("device_feature_enabled")
            first.update(meta=meta, rate=rate, t0=t0, features=features)
        t = np.asarray(p["dt"], dtype=np.int64).astype(np.float64) / 1e9
        idx = np.rint((t - first["t0"]) * first["rate"]).astype(np.int64)
        if np.any(np.diff(idx) <= 0) or idx[0] <= last:
            raise _NotStreamable("sample times that do not rise: it is read whole", src)
        last = int(idx[-1])
        n += len(idx)
    if not n:
        raise _NotStreamable("actfast read no sample: it is read whole", src)
    rate, t0 = first["rate"], first["t0"]
    n_grid = last + 1
    if n_grid > max(100 * n, 10**8):  # (the whole read says where the times jump)
        raise _NotStreamable("sample times with a long jump: it is read whole", src)
    notes: dict[str, Any] = {"reader": "actfast"}
    start = dv.gt3x_described(path, first["meta"], rate, n, n_grid, t0, notes, first["features"])
    rows = max(chunk_rows, 1000)

    def arrays() -> Iterator[np.ndarray]:
        at = 0  # the next grid row
        for p in pieces():  # loop over pieces of records
            t = np.asarray(p["dt"], dtype=np.int64).astype(np.float64) / 1e9
            idx = np.rint((t - t0) * rate).astype(np.int64)
            for a in range(at, int(idx[0]), rows):  # loop over pieces of an idle gap
                yield np.full((min(rows, int(idx[0]) - a), 3), np.nan)
            block = np.full((int(idx[-1]) + 1 - int(idx[0]), 3), np.nan)
            block[idx - idx[0]] = np.asarray(p["acc"], dtype=np.float64)
            at = int(idx[-1]) + 1
            yield block

    gaps = _NanRuns(3)
    calib = _first_pass_calib(rate, fs, calib_window_s)
    sub, n_rows, top_all = _subsample_rows(arrays(), 3, gaps, calib)
    return _device_source(
        path, arrays, sub, n_rows, top_all, gaps, rate, notes, start, fs, modality, channels,
        units, calib,
    )  # fmt: skip


def _open(
    obj: Recording | str | Path,
    *,
    fs: float | None,
    modality: str | None,
    channels: Sequence[str | int] | None,
    chunk_rows: int,
    units: str | None = None,
    calib_window_s: float | None = None,
) -> _Source:
    if isinstance(obj, Recording):
        meta = _Meta(
            fs=obj.fs,
            modality=obj.modality,
            channels=tuple(obj.channels or ()),
            n_samples=obj.n_samples,
            units=obj.units,
            source=obj.source,
            start=obj.start,
            notes=dict(obj.notes),
        )
        src = _ArraySource(obj.data, meta)
        # (a Recording in memory is not judged, as movement.score does not judge it; a file
        # read whole was, by movement.read)
        src._flat_unsaid = False
        return src
    path = Path(obj)
    if not path.exists():
        raise NoSuchFileError("no such file", str(path))
    suffix = suffix_of(path)
    if suffix == ".npy":
        return _npy_source(path, fs, modality, channels, units)
    if suffix in (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz"):
        return _table_source(path, "csv", fs, modality, channels, chunk_rows, units, calib_window_s)
    if suffix in (".parquet", ".pq"):
        return _table_source(
            path, "parquet", fs, modality, channels, chunk_rows, units, calib_window_s
        )
    if suffix in (".edf", ".bdf"):
        return _edf_source(path, fs, modality, channels, units)
    if suffix == ".cwa":
        return _cwa_source(path, fs, modality, channels, chunk_rows, units, calib_window_s)
    if suffix == ".bin":  # (GENEActiv)
        return _geneactiv_source(path, fs, modality, channels, chunk_rows, units, calib_window_s)
    if suffix == ".gt3x":
        return _gt3x_source(path, fs, modality, channels, chunk_rows, units, calib_window_s)
    if suffix == ".hea":
        return _wfdb_source(path, fs, modality, channels, units)
    if suffix in (".h5", ".hdf5") or (suffix == ".mat" and is_hdf5(path)):
        h5 = _h5_source(path, fs, modality, channels, units)
        if h5 is not None:
            return h5
    rec = read(path, fs=fs, modality=modality, channels=channels, units=units)  # whole
    src = _open(rec, fs=None, modality=None, channels=None, chunk_rows=chunk_rows)
    src.meta.notes["stream"] = "read whole (no chunked reader for this format)"
    return src


def missing_runs_of(
    path: str | Path,
    *,
    fs: float | None = None,
    modality: str | None = None,
    channels: Sequence[str | int] | None = None,
    units: str | None = None,
    chunk_rows: int = _CHUNK_ROWS,
) -> np.ndarray:
    """[start, stop) rows where any channel of a file is missing, from one pass over its
    samples in chunks (the stream's first pass: bounded memory).

    Examples
    --------
    >>> missing_runs_of("week.npy")  # doctest: +SKIP
    array([[1440000, 1446000]])
    """
    return described(
        path, fs=fs, modality=modality, channels=channels, units=units, chunk_rows=chunk_rows
    )[2]


def _annotations(src: _Source, path: str | Path) -> Any:
    """A file's own annotations, or those of a ``<stem>_annotations.tsv`` beside it."""
    from .io import annotations_path, file_there, read_annotations

    if src.annotations is not None or isinstance(path, Recording):
        return src.annotations
    ann = annotations_path(Path(path))
    return read_annotations(ann, str(path)) if file_there(ann) else None


def described(
    path: str | Path,
    *,
    fs: float | None = None,
    modality: str | None = None,
    channels: Sequence[str | int] | None = None,
    units: str | None = None,
    chunk_rows: int = _CHUNK_ROWS,
) -> tuple[_Meta, Any, np.ndarray]:
    """:func:`header_of` and :func:`missing_runs_of` from one opening of the file: a CSV
    or Parquet table's first pass gives both (it was read twice over for ``movement info``).

    Examples
    --------
    >>> header, annotations, missing = described("week.npy")  # doctest: +SKIP
    """
    src = _open(
        path, fs=fs, modality=modality, channels=channels, chunk_rows=chunk_rows, units=units
    )
    anns = _annotations(src, path)
    src.prepare()
    return src.meta, anns, np.asarray(src.nan_runs, dtype=np.int64).reshape(-1, 2)


def header_of(
    path: str | Path,
    *,
    fs: float | None = None,
    modality: str | None = None,
    channels: Sequence[str | int] | None = None,
    units: str | None = None,
    chunk_rows: int = _CHUNK_ROWS,
) -> tuple[_Meta, Any]:
    """What a file holds, without reading its samples where the format allows.

    Rate, modality, channels and units are resolved as by :func:`movement.read`, on a
    sample of rows (``.npy``, EDF, WFDB, HDF5: the header and 200 short runs; CSV: one pass in
    chunks; Parquet: its metadata and batches of rows).

    Returns
    -------
    (header, DataFrame or None)
        The header (``fs``, ``modality``, ``channels``, ``n_samples``, ``duration``,
        ``units``, ``start``, ``source``, ``notes``) and the file's annotations (its own,
        or a ``<stem>_annotations.tsv`` beside it).
    """
    src = _open(
        path, fs=fs, modality=modality, channels=channels, chunk_rows=chunk_rows, units=units
    )
    return src.meta, _annotations(src, path)


def read_span(
    path: str | Path,
    start_s: float | None = None,
    stop_s: float | None = None,
    *,
    fs: float | None = None,
    modality: str | None = None,
    channels: Sequence[str | int] | None = None,
    units: str | None = None,
    chunk_rows: int = _CHUNK_ROWS,
) -> Recording:
    """Part of a recording file, ``start_s`` to ``stop_s`` seconds from its first sample.

    Only that part is read where the format allows (a memory-mapped ``.npy``, EDF, WFDB
    and HDF5 by random access; CSV and Parquet front to back up to ``stop_s``); other formats
    are read whole, then cut. Rate, modality, channels and units are resolved as by
    :func:`movement.read` (on a sample of rows), so the values equal the same rows of the
    whole read. ``movement.read(path, start_s=..., stop_s=...)`` calls this.

    Returns
    -------
    Recording
        ``start`` moved to the first sample read; ``notes["span"]`` says which samples.
    """
    try:
        src = _open(
            path, fs=fs, modality=modality, channels=channels, chunk_rows=chunk_rows, units=units
        )
    except _NotStreamable:
        # (a time column that goes back or mixes kinds: the whole read says what it does)
        from .io import _cut, read

        whole = read(path, fs=fs, modality=modality, channels=channels, units=units)
        return _cut(whole, start_s, stop_s)
    m = src.meta
    a, b = span_rows(m.n_samples, m.fs, start_s, stop_s, str(path))
    return span_recording(
        np.asarray(src.read(a, b), dtype=np.float64), a, m.n_samples, fs=m.fs,
        modality=m.modality, channels=m.channels, units=m.units, start=m.start,
        source=m.source, notes=m.notes,
    )  # fmt: skip


# --------------------------------------------------------------------------- windows


def _window_recording(src: _Source, x: np.ndarray) -> Recording:
    m = src.meta
    return Recording(x, fs=m.fs, modality=m.modality, channels=m.channels, units=m.units)


def _run_window(
    src: _Source, x: np.ndarray, cfg: EMGConfig | AccelConfig, overwrite: bool = False
) -> tuple[Any, Any, Recording]:
    """Preprocess and segment one slice; the clipping mask uses the recording's maximum.
    ``overwrite``: ``x`` may be changed (see :func:`movement.preprocess.preprocess`)."""
    rec = _window_recording(src, x)
    # flat tops at the recording's max |x|; the recording's calibration
    pre = preprocess(rec, cfg, clip_top=src.top, calibration=src.calibration, overwrite=overwrite)
    seg = segment(pre, cfg)
    return pre, seg, rec


def _core_activity(sustained: np.ndarray, seg: Any, a: int, b: int) -> np.ndarray:
    """``max(sustained - seg.level, 0)`` on rows ``a:b``, the same values, without the
    per-sample level of the whole window (``seg.level``) or a second temporary."""
    act = np.empty((b - a, sustained.shape[1]))
    blk = seg.block
    for j in range(sustained.shape[1]):  # loop over sites
        lv = np.repeat(seg.level_blocks[a // blk : -(-b // blk), j], blk)[a % blk :][: b - a]
        np.subtract(sustained[a:b, j], lv, out=act[:, j])
    return np.maximum(act, 0.0, out=act)


def _act_top(act: np.ndarray, keep: int, prev: np.ndarray | None) -> np.ndarray:
    """The ``keep`` largest values per column of ``act`` and ``prev`` (unsorted).

    Once ``prev`` holds ``keep`` rows, a value of ``act`` not above its column's smallest
    kept value cannot change the kept values, so only the larger ones are partitioned
    (a window's ~10^6 rows become a few hundred candidates).
    """
    if prev is None or len(prev) < keep:
        allv = act if prev is None else np.concatenate([prev, act])
        if len(allv) <= keep:
            return allv
        # (a copy: a view would keep the whole partitioned window alive until the next)
        return np.partition(allv, len(allv) - keep, axis=0)[len(allv) - keep :].copy()
    out = np.empty_like(prev)
    for j in range(act.shape[1]):  # loop over channels
        col = act[:, j]
        cand = np.concatenate([prev[:, j], col[col > prev[:, j].min()]])
        out[:, j] = np.partition(cand, len(cand) - keep)[len(cand) - keep :]
    return out


def _percentile99(top: np.ndarray, n: int) -> np.ndarray:
    """``np.percentile(x, 99, axis=0)`` of n rows from their largest rows (linear method)."""
    return _top_percentile(top, n, 99.0)


def _top_percentile(top: np.ndarray, n: int, q: float) -> np.ndarray:
    """``np.percentile(x, q, axis=0)`` of n rows from their largest rows (linear method;
    ``top`` must hold at least the ``n - floor(q / 100 * (n - 1))`` largest)."""
    vi = q / 100.0 * (n - 1)
    j = int(math.floor(vi))
    g = vi - j
    srt = np.sort(top, axis=0)
    base = n - len(srt)
    a = srt[j - base]
    b = srt[min(j + 1, n - 1) - base]
    d = b - a
    return a + d * g if g < 0.5 else b - d * (1 - g)


class _ActStore:
    """The recording's co-contraction activity, ``max(sustained - level, 0)`` per sample
    and channel (float64), written core by core to a temporary file, and its per-channel
    largest 1 % (for the recording-wide 99th percentile, :func:`_percentile99`).

    Multi-channel EMG's ``cocontraction`` feature normalises each channel by that
    percentile, known only once every window has run: each window writes its core's
    activity here, and the feature is computed at the end from what the file holds (the
    same values as the whole recording's), instead of a first pass that preprocessed the
    whole recording once more (~40 % of the stream's time). Disk: 8 bytes a value (1 h of
    8-channel 2 kHz EMG: 460 MB, deleted on close); memory: 1 % of the values.
    """

    def __init__(self, n: int, k: int) -> None:
        import tempfile
        import threading

        self.n, self.k = n, k
        self.keep = n - int(math.floor(0.99 * (n - 1))) + 1
        self.top: np.ndarray | None = None
        self._lock = threading.Lock()
        self._fh = tempfile.TemporaryFile(prefix="movement-act-")

    def write(self, row: int, act: np.ndarray) -> None:
        """Rows ``row ..`` of the activity (positional write: safe from several threads)."""
        act = np.ascontiguousarray(act, dtype=np.float64)
        view = memoryview(act).cast("B")
        offset, done = row * self.k * 8, 0
        while done < len(view):  # loop over short writes (rare)
            done += os.pwrite(self._fh.fileno(), view[done:], offset + done)
        with self._lock:
            self.top = _act_top(act, self.keep, self.top)

    def read(self, a: int, b: int) -> np.ndarray:
        """Rows ``a:b`` of the activity."""
        out = np.empty((b - a, self.k))
        view = memoryview(out).cast("B")
        offset, done = a * self.k * 8, 0
        while done < len(view):  # loop over short reads (rare)
            got = os.preadv(self._fh.fileno(), [view[done:]], offset + done)
            if got <= 0:
                raise OSError("the co-contraction activity file ended early")
            done += got
        return out

    def scale(self) -> np.ndarray:
        """The per-channel 99th percentile of the whole recording's activity."""
        assert self.top is not None
        return _percentile99(self.top, self.n)

    def close(self) -> None:
        self._fh.close()


def _cocontraction_of(part: pd.DataFrame, store: _ActStore, scale: np.ndarray) -> None:
    """``part["cocontraction"]`` (one window's segments, global ``start``/``stop``) from the
    stored activity and the recording-wide scale."""
    if not len(part):
        return
    start = part["start"].to_numpy(np.int64)
    stop = part["stop"].to_numpy(np.int64)
    a, b = int(start.min()), int(stop.max())
    act = store.read(a, b)
    part["cocontraction"] = _features.cocontraction_of_activity(act, start - a, stop - a, scale)


def _windows(
    src: _Source,
    pl: StreamPlan,
    cfg: EMGConfig | AccelConfig,
    max_extend: int,
    coco: _ActStore | None,
    stats: dict[str, Any],
    threads: int = 1,
) -> Iterator[pd.DataFrame]:
    """Per core: the feature rows of the segments whose onset lies in it (global samples).

    With ``threads`` > 1 and a random-access source (an array, a memory-mapped
    ``.npy``, an EDF, WFDB or HDF5 file), up to ``threads`` windows are processed at once (numpy and scipy release
    the GIL in their loops); results are yielded in core order, so the table is the same.

    A segment still running at the end of the longest slice allowed (``max_extend``) is
    cut there and continued by the window whose core holds the cut (``carry``): a very
    long event is reported as consecutive pieces, none lost, memory bounded.
    """
    carry = None  # global sample where the last piece of a cut segment ended
    if threads <= 1 or len(pl.cores) < 2 or not src.random_access:
        for core in pl.cores:
            if carry is not None and carry < core[0]:
                carry = None  # (the cut fell in a core with no segment left to continue)
            use = carry if carry is not None and carry < core[1] else None
            feats = _core_rows(src, pl, cfg, core, max_extend, coco, stats, use)
            if use is not None or carry is None:
                carry = feats.attrs.pop("carry", None)
            yield feats
        return
    from concurrent.futures import ThreadPoolExecutor

    def run(core: tuple[int, int]) -> tuple[pd.DataFrame, dict[str, Any]]:
        own: dict[str, Any] = {}
        return _core_rows(src, pl, cfg, core, max_extend, coco, own), own

    def merge(own: dict[str, Any]) -> None:
        stats["max_rows"] = max(stats.get("max_rows", 0), own.pop("max_rows", 0))
        for k, v in own.items():
            stats[k] = stats.get(k, 0) + v

    with ThreadPoolExecutor(max_workers=threads) as pool:
        # tasks hold memory only while they run: at most ``threads`` windows at once
        for core, (feats, own) in zip(pl.cores, pool.map(run, pl.cores), strict=True):
            if carry is not None and carry < core[0]:
                carry = None
            if carry is not None and carry < core[1]:
                # the core that holds a cut: scored again, continuing the cut segment (rare)
                own = {}
                feats = _core_rows(src, pl, cfg, core, max_extend, coco, own, carry)
                carry = None
            merge(own)
            if carry is None:
                carry = feats.attrs.pop("carry", None)
            yield feats


def max_extend_rows(window_s: float, fs: float, n_channels: int) -> int:
    """Rows a window's slice may grow by to hold a long segment whole.

    Up to 4 cores, and at most twice the values of a window (``_WINDOW_VALUES``) but at
    least one core: memory stays bounded whatever the events. Longer segments are split
    (:func:`_core_rows`). 100 Hz tri-axial accelerometry: 2 cores (5.6 h); 8-channel
    2 kHz EMG: 1 core (700 s).
    """
    by_values = 2 * _WINDOW_VALUES / max(1, n_channels) / fs
    return int(round(min(4 * window_s, max(window_s, by_values)) * fs))


def _late_slice(
    pl: StreamPlan, cfg: EMGConfig | AccelConfig, fs: float, s0: int, onset: int, s1: int
) -> tuple[int, int]:
    """Where a shorter slice ending at ``s1`` can take over a core's segments from a
    running segment's ``onset`` on: ``(m0, a)``, the slice's start and the first onset
    it owns (``m0`` on the alignment grid, ``a - m0`` one overlap), or ``(s0, s0)`` when
    it would not start after ``s0``.

    Results in a slice's trusted part are the whole recording's whatever grid-aligned
    slice holds them, so the segments before ``a`` are the first slice's and those from
    ``a`` on the shorter slice's. It holds at least a baseline window and 4 blocks (as
    every slice of :func:`plan`).
    """
    ov, st = pl.overlap, pl.step
    need = int(math.ceil(_min_slice_s(cfg) * fs))
    m0 = min((onset - ov) // st * st, (s1 - need - ov) // st * st)
    if m0 <= s0:
        return s0, s0
    return m0, m0 + ov


def _core_rows(
    src: _Source,
    pl: StreamPlan,
    cfg: EMGConfig | AccelConfig,
    core: tuple[int, int],
    max_extend: int,
    coco: _ActStore | None,
    stats: dict[str, Any],
    carry: int | None = None,
) -> pd.DataFrame:
    """The feature rows of the segments whose onset lies in ``core`` (global samples).

    ``carry`` (in ``core``): where the previous window cut a segment that was still
    running; the segment holding it starts there (its continuation is this core's). A
    segment still running at ``max_extend`` past the slice is cut at the slice's trusted
    end, and ``attrs["carry"]`` says where.

    A segment (onset in the core) still running near the slice's end takes a longer
    slice, by doubling steps. That slice starts one overlap before the running segment
    (:func:`_late_slice`), not at the core's start: the segments before it are measured
    on the first slice, so a 2-minute bout at a core's end costs a slice of ~16 min, not
    a window of ~3 h again.
    """
    modality = src.meta.modality
    fs = src.meta.fs
    s0, s1 = pl.slice_of(core)
    limit = min(pl.n, s1 + max_extend)
    step = pl.overlap
    carried = cut_at = None
    lo = core[0]  # the onsets this slice measures: [lo, core[1])
    early = None  # the rows of onsets [core[0], lo), measured on the first slice
    while True:
        x, own = src.read_owned(s0, s1)
        stats["max_rows"] = max(stats.get("max_rows", 0), len(x))
        # the rows are not read after preprocessing: changed in place when they are new
        pre, seg, rec = _run_window(src, x, cfg, own)
        duration = rec.duration
        del x, rec  # (EMG: the centred rows, once segmentation no longer needs them)
        tab = seg.table
        start = tab["start"].to_numpy(np.int64)
        stop = tab["stop"].to_numpy(np.int64)
        if carry is not None:
            c = carry - s0
            held = (start < c) & (stop > c)
            if held.any():
                start = np.where(held, c, start)
                carried = held
        own = (start >= lo - s0) & (start < core[1] - s0)
        cut = own & (stop > (s1 - s0) - pl.margin)
        if s1 < limit and cut.any():
            # a segment runs past the trusted part: a longer slice, by doubling steps
            nxt = min(limit, s1 + step)
            if early is None and carry is None:
                m0, a = _late_slice(pl, cfg, fs, s0, int(start[cut].min()) + s0, nxt)
                if m0 > s0:
                    # the segments before ``a`` are measured here (with the core's own
                    # rows: gaps, beats, activity); the shorter slice takes the rest
                    early = _measure(
                        pre,
                        seg,
                        cfg,
                        modality,
                        duration,
                        core,
                        s0,
                        own & (start < a - s0),
                        coco,
                        fs,
                    )
                    lo, s0 = a, m0
                    stats["late_slices"] = stats.get("late_slices", 0) + 1
            s1 = nxt
            step *= 2
            stats["extensions"] = stats.get("extensions", 0) + 1
            del pre, seg, tab  # (before the longer slice is read)
            continue
        if cut.any() and s1 < pl.n:
            # still running at the longest slice allowed: cut at the trusted end, and the
            # window whose core holds the cut continues it
            stats["split"] = stats.get("split", 0) + int(cut.sum())
            cut_at = s1 - pl.margin
            stop = np.where(cut, (s1 - s0) - pl.margin, stop)
        break
    if carried is not None or cut_at is not None:
        tab = tab.copy()
        tab["start"], tab["stop"] = start, stop
        tab["onset"] = (start + s0) / fs
        tab["duration"] = (stop - start) / fs
        seg = replace(seg, table=tab)
    if early is None:
        feats = _measure(pre, seg, cfg, modality, duration, core, s0, own, coco, fs)
    else:
        late = _measure(pre, seg, cfg, modality, duration, core, s0, own, coco, fs, False)
        feats = pd.concat([early, late], ignore_index=True) if len(late) else early
        feats.attrs = dict(early.attrs)
    if cut_at is not None:
        feats.attrs["carry"] = int(cut_at)
    return feats


def _measure(
    pre: Any,
    seg: Any,
    cfg: EMGConfig | AccelConfig,
    modality: str,
    duration: float,
    core: tuple[int, int],
    s0: int,
    own: np.ndarray,
    coco: _ActStore | None,
    fs: float,
    core_rows: bool = True,
) -> pd.DataFrame:
    """The features of a slice's segments ``own`` (global samples); with ``core_rows``,
    also the core's missing samples, R peaks and (with ``coco``) activity, from this
    slice (which holds the core)."""
    tab = seg.table
    # only this core's segments are measured: the others (in the overlaps) are another
    # core's (every feature is measured per segment; the context features, which depend
    # on the neighbours, are recomputed on the stitched table)
    if not own.all():
        seg = replace(seg, table=tab.loc[own])
    if coco is not None and core_rows:
        # this core's activity, for the feature once the recording-wide scale is known
        # (before the features: its temporaries and theirs are not alive at once)
        coco.write(core[0], _core_activity(pre.sustained, seg, core[0] - s0, core[1] - s0))
    # with a store, the window's own co-contraction (its own scale) would be replaced
    feats = segment_features(pre, seg, cfg, modality, duration, cocontraction_scale=coco is None)
    feats["start"] += s0
    feats["stop"] += s0
    feats["onset"] = feats["start"] / fs
    if core_rows:
        # this core's missing samples, [start, stop) s (other-bout joining stops at them)
        c0, c1 = core[0] - s0, core[1] - s0
        feats.attrs["gap_runs_s"] = (mask_to_runs(pre.gaps[c0:c1]) + core[0]) / fs
        if pre.ecg_beats is not None:
            # this core's R peaks (ECG removal's estimates are local: those of the whole)
            b = pre.ecg_beats
            feats.attrs["ecg_beats"] = b[(b >= c0) & (b < c1)] + s0
    return feats


#: Windows at least this many, each with an overlap at most this share of its core, make
#: streaming cheaper than scoring the recording whole (see :func:`streams_faster`)
_FASTER_MIN_CORES, _FASTER_MAX_OVERLAP = 3, 0.1


def streams_faster(
    path: str | Path,
    settings: Settings | EMGConfig | AccelConfig | None = None,
    *,
    fs: float | None = None,
    modality: str | None = None,
    channels: Sequence[str | int] | None = None,
) -> bool:
    """Whether :func:`score_stream` scores a ``.npy``, EDF, WFDB, HDF5 or device file (``.cwa``,
    ``.bin``, ``.gt3x``) faster than whole.

    Streaming re-processes each window's overlap, but its windows stay small (the
    same memory reused from window to window) where a whole-recording pass works on
    arrays of the recording's full length. Measured on this project's 2-core VM
    (CPU time, same events): 100 Hz tri-axial accelerometry, 24 h 4.7 s streamed vs
    7.8 s whole (1.8 GB), 8 h 1.8 vs 2.6 s, 4 h (1.4 windows) equal. Multi-channel EMG's
    windows are only 4 overlaps long, but its whole-recording pass is heavier still
    (~85 bytes a value): 2 kHz 4-channel EMG, 1 h 8.3-9.0 s streamed (0.89 GB) vs 10.2 s
    whole (2.5 GB), 30 min (3 windows) 4.75 vs 5.1 s. So: at least 3 windows, each with
    an overlap of at most 10 % of its core on a side, or any overlap for EMG of 2 channels
    or more. Only ``.npy``, EDF, WFDB and HDF5 (``.h5``, ``.hdf5``, MATLAB v7.3 ``.mat``)
    files are judged (their header and a sample of rows is all it reads), Axivity ``.cwa``
    files by their block headers (a day of a 100 Hz AX3 was scored in 11.8 s at 544 MB
    streamed, 16.3 s at 2.1 GB whole), GENEActiv ``.bin`` files by their header and first
    page and ``.gt3x`` files by their ``info.txt``, with at least 3 windows whatever their
    overlap; other formats: False.
    """
    path = Path(path)
    if suffix_of(path) in (".cwa", ".bin", ".gt3x"):  # (judged on headers: nothing decoded)
        from .io import devices as dv

        size_of = {".cwa": dv.cwa_size, ".bin": dv.geneactiv_size, ".gt3x": dv.gt3x_size}
        try:
            n, rate = size_of[suffix_of(path)](path)
        except Exception:  # noqa: BLE001 - a broken file (BadZipFile...): the read says what
            return False
        if not n or not rate:
            return False
        # (3 windows or more, whatever the overlap: a device file read whole is converted
        # and resampled at full length; a day of a GENEActiv at 85.7 Hz took 8.5-8.8 s
        # at 0.51 GB streamed in 0.4.4, 18.5-18.9 s at 2.0 GB whole)
        cfg = _config_for(modality or "accel", settings)
        rate = float(fs or rate)
        pl = plan(int(n), rate, cfg, auto_window_s(rate, 3, cfg), _MAX_SEGMENT_S)
        return len(pl.cores) >= _FASTER_MIN_CORES
    opener = {
        ".npy": _npy_source, ".edf": _edf_source, ".hea": _wfdb_source,
        ".h5": _h5_source, ".hdf5": _h5_source, ".mat": _h5_source,  # (.mat: v7.3 only)
    }.get(suffix_of(path))  # fmt: skip
    if opener is None:
        return False
    try:
        with warnings.catch_warnings():  # (a probe: the read that follows says it once)
            warnings.simplefilter("ignore", UserWarning)
            src = opener(path, fs, modality, channels)
    except (MovementError, OSError, ValueError):
        return False
    if src is None:  # (an HDF5 file timed only by a time data set: read whole)
        return False
    meta = src.meta
    cfg = _config_for(meta.modality, settings)
    return faster_in_windows(meta.n_samples, meta.fs, len(meta.channels), cfg)


def faster_in_windows(
    n_samples: int, fs: float, n_channels: int, cfg: EMGConfig | AccelConfig
) -> bool:
    """Whether a recording of this size is scored faster in windows than whole (the rule
    :func:`streams_faster` applies to a file's header; :func:`movement.score` to a
    recording in memory): at least 3 windows, each with an overlap of at most 10 % of its
    core on a side, or any overlap for EMG of 2 channels or more.

    Examples
    --------
    >>> from movement.config import AccelConfig
    >>> faster_in_windows(24 * 3600 * 100, 100.0, 3, AccelConfig())  # a day at 100 Hz
    True
    >>> faster_in_windows(4 * 3600 * 100, 100.0, 3, AccelConfig())  # 4 h: 1.4 windows
    False
    """
    window_s = auto_window_s(fs, n_channels, cfg)
    pl = plan(int(n_samples), fs, cfg, window_s, _MAX_SEGMENT_S)
    multi_emg = cfg.modality == "emg" and n_channels >= 2
    small_overlap = pl.overlap <= _FASTER_MAX_OVERLAP * window_s * fs
    return len(pl.cores) >= _FASTER_MIN_CORES and (small_overlap or multi_emg)


# --------------------------------------------------------------------------- entry point


def _stream_features(
    src: _Source,
    cfg: EMGConfig | AccelConfig,
    window_s: float,
    max_segment_s: float,
    threads: int,
    progress: bool,
    name: str,
) -> tuple[pd.DataFrame, StreamPlan, dict[str, Any]]:
    """The feature rows of a source (no long gap) scored window by window: ``(features,
    plan, stats)``; ``features.attrs["gap_runs_s"]``: its missing stretches (s)."""
    meta = src.meta
    pl = plan(meta.n_samples, meta.fs, cfg, window_s, max_segment_s)
    max_extend = max_extend_rows(window_s, meta.fs, len(meta.channels))
    coco = None
    if meta.modality == "emg" and len(meta.channels) >= 2 and len(pl.cores) > 1:
        coco = _ActStore(meta.n_samples, len(meta.channels))
    stats: dict[str, Any] = {}
    try:
        with _one_blas_thread(), heap_reuse():
            windows = _windows(src, pl, cfg, max_extend, coco, stats, threads)
            parts = list(_progress(windows, len(pl.cores), progress, name, "window"))
        if coco is not None:
            scale = coco.scale()
            for part in parts:  # loop over windows
                _cocontraction_of(part, coco, scale)
    finally:
        if coco is not None:
            coco.close()
    # each core's missing samples (a run cut at a core end stays cut: only its extent matters)
    runs = [p.attrs.pop("gap_runs_s") for p in parts if "gap_runs_s" in p.attrs]
    gap_runs = np.concatenate(runs) if runs else np.zeros((0, 2))
    beats = [p.attrs.pop("ecg_beats") for p in parts if "ecg_beats" in p.attrs]
    feats = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if len(parts) > 1:
        feats = feats.sort_values(["start", "stop"], kind="stable").reset_index(drop=True)
        start = feats["start"].to_numpy(np.int64)
        stop = feats["stop"].to_numpy(np.int64)
        brief = (stop - start) <= cfg.max_brief_s * meta.fs
        art = (feats["scale"] == "artefact").to_numpy(bool) if "scale" in feats else None
        ctx = _features.context_features(start / meta.fs, stop / meta.fs, brief, meta.duration, art)
        for k, v in ctx.items():
            feats[k] = v
    feats.attrs["gap_runs_s"] = gap_runs
    if beats:
        feats.attrs["ecg_beats"] = np.concatenate(beats)
    return feats, pl, stats


def _calib_window_s(settings: Settings | EMGConfig | AccelConfig | None) -> float | None:
    """The calibration window an accelerometer recording would use under ``settings``
    (None when they turn calibration off or are EMG's), for a table's first pass."""
    if isinstance(settings, EMGConfig):
        return None
    acc = settings if isinstance(settings, AccelConfig) else (settings or Settings()).accel
    return acc.calib_window_s if acc.calibrate else None


def _number_arg(name: str, value: Any, what: str) -> float:
    """``value`` as a float: a number, or numeric text (``"900"``, ``"900 s"`` for
    seconds); anything else (a bool, ``"15 min"``, None) is a one-line error."""
    num: float | None = None
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    ):
        num = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if what == "s" and text.lower().endswith("s"):
            text = text[:-1].strip()
        try:
            num = float(text)
        except ValueError:
            num = None
    if num is None or not math.isfinite(num):
        unit = " of seconds (e.g. 900 or '900')" if what == "s" else " (e.g. 4 or '4')"
        raise MovementError(f"{name} must be a positive number{unit}, got {value!r}")
    return num


def _positive_arg(name: str, value: Any, what: str = "s") -> float:
    """A positive, finite number of seconds (:func:`_number_arg`).

    Examples
    --------
    >>> _positive_arg("window_s", "900")
    900.0
    >>> _positive_arg("window_s", "quarter of an hour")
    Traceback (most recent call last):
    ...
    movement.errors.MovementError: window_s must be a positive number of seconds (e.g. 900 or '900'), got 'quarter of an hour'
    """
    num = _number_arg(name, value, what)
    if num <= 0:
        raise MovementError(f"{name} must be a positive number of seconds, got {value!r}")
    return num


def _whole_arg(name: str, value: Any) -> int:
    """A whole number >= 1 (``4``, ``4.0``, ``"4"``)."""
    num = _number_arg(name, value, "count")
    if num < 1 or num != int(num):
        raise MovementError(f"{name} must be a whole number >= 1, got {value!r}")
    return int(num)


def score_stream(
    path_or_recording: Recording | str | Path,
    settings: Settings | EMGConfig | AccelConfig | None = None,
    *,
    model: Any = "default",
    window_s: float | None = None,
    fs: float | None = None,
    modality: str | None = None,
    channels: Sequence[str | int] | None = None,
    max_segment_s: float = _MAX_SEGMENT_S,
    chunk_rows: int = _CHUNK_ROWS,
    threads: int = 1,
    progress: bool = False,
) -> pd.DataFrame:
    """Score a long recording window by window; the same table as :func:`movement.score`.

    Parameters
    ----------
    path_or_recording : Recording or path
        A recording, or a file: ``.npy`` (memory-mapped), EDF (memory-mapped, decoded
        per window), WFDB (``.hea``: each window's samples read), HDF5 (``.h5``,
        ``.hdf5``, MATLAB v7.3 ``.mat``: each window's rows read with h5py; one whose rate
        comes only from a ``time`` data set is read whole), CSV/TSV (read in
        chunks), Parquet (in batches of rows); BDF is held as
        edfio reads it (its digital values, whole) and decoded per window; other formats
        are read whole, then scored in windows.
    settings : Settings, EMGConfig or AccelConfig, optional
        As in :func:`movement.score`.
    model : "default", "rules", path, or a fitted classifier
        As in :func:`movement.score`.
    window_s : float, optional
        Core length of a window in seconds (rounded up to the alignment step). Each
        window is processed with :func:`overlap_for` seconds of context on both sides.
        By default :func:`auto_window_s` (a bounded number of values per window).
    fs, modality, channels
        As in :func:`movement.read` (files only).
    max_segment_s : float
        Segments up to this long that cross a core's end are taken whole without
        re-running the window; longer ones extend the window (up to 4 × ``window_s``).
    chunk_rows : int
        Rows per CSV chunk.
    threads : int
        Windows processed at once (threads) for arrays, ``.npy``, EDF, WFDB and HDF5 files; the same
        table. Each running window holds its own temporaries, so peak memory grows
        by about one window per thread. Files read front to back (CSV, Parquet) are
        processed one window at a time.
    progress : bool
        A progress bar of the windows on a terminal (stderr; ``movement score`` shows it
        for a batch of one large file).

    Returns
    -------
    DataFrame
        The events table of :func:`movement.score`; ``attrs["notes"]["stream"]`` says how
        the recording was cut.

    Examples
    --------
    >>> import numpy as np, movement
    >>> from movement.stream import score_stream
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(0, 0.01, (20000, 1))
    >>> x[10000:10030, 0] += np.hanning(30) * 0.5
    >>> rec = movement.Recording(x, fs=2000, modality="emg")
    >>> score_stream(rec, model="rules", window_s=2)[["onset", "trial_type"]].round(1).values.tolist()
    [[5.0, 'fasciculation-like']]
    """
    from .io import parse_fs
    from .pipeline import check_rate, check_settings, recording_of

    if not isinstance(path_or_recording, (Recording, str, os.PathLike)):
        recording_of(path_or_recording)  # (raises, saying what is accepted)
    # numbers or numeric text ("900"), checked before anything is read
    if window_s is not None:
        window_s = _positive_arg("window_s", window_s, "s")
    max_segment_s = _positive_arg("max_segment_s", max_segment_s, "s")
    chunk_rows = _whole_arg("chunk_rows", chunk_rows)
    threads = _whole_arg("threads", threads)
    check_settings(settings)
    if fs is not None:
        fs = parse_fs(
            fs, None if isinstance(path_or_recording, Recording) else str(path_or_recording)
        )
    src = _open(
        path_or_recording,
        fs=fs,
        modality=modality,
        channels=channels,
        chunk_rows=chunk_rows,
        calib_window_s=_calib_window_s(settings),
    )
    meta = src.meta
    cfg = _config_for(meta.modality, settings)
    check_rate(meta.fs, cfg, meta.source)
    clf, model_name = classifier_for(model, meta.modality, cfg, meta.fs)
    if window_s is None:
        window_s = auto_window_s(meta.fs, len(meta.channels), cfg)
    # one pass before the windows (threads): the recording's max |x|, its missing rows and
    # (accelerometry) the blocks' statistics for non-wear
    nw_block = cal_block = None
    if isinstance(cfg, AccelConfig) and cfg.nonwear_window_s is not None:
        nw_block = max(1, int(round(cfg.nonwear_step_s * meta.fs)))
    if isinstance(cfg, AccelConfig) and cfg.calibrate and len(meta.channels) % 3 == 0:
        cal_block = calib_window_len(meta.fs, cfg.calib_window_s)
    src.prepare(nw_block, cal_block)
    if cal_block is not None:
        stats, factor = src.calib_stats()
        src.calibration = calibration_of_stats(stats, cal_block, meta.channels, cfg, factor)  # type: ignore[arg-type]
    pieces = pieces_between(src.nan_runs, meta.n_samples, meta.fs)
    if not len(pieces):
        raise RecordingError(
            f"no stretch of at least 2 s between gaps longer than {MAX_GAP_S:g} s", meta.source
        )
    name = Path(meta.source).name if meta.source else "recording"
    whole = len(pieces) == 1 and pieces[0, 0] == 0 and pieces[0, 1] == meta.n_samples
    if whole:
        feats, pl, stats = _stream_features(
            src, cfg, window_s, max_segment_s, threads, progress, name
        )
        gap_runs = feats.attrs["gap_runs_s"]
        beats = feats.attrs.pop("ecg_beats", None)
        n_windows = len(pl.cores)
    else:
        # a piece between gaps longer than MAX_GAP_S at a time, as movement.score does
        found, runs, n_windows, stats, found_beats = [], [], 0, {}, []
        for a, b in pieces:  # loop over the pieces between long gaps
            part, pl, st = _stream_features(
                _SpanSource(src, a, b), cfg, window_s, max_segment_s, threads, progress, name
            )
            runs.append(part.attrs.pop("gap_runs_s") + a / meta.fs)
            if "ecg_beats" in part.attrs:
                found_beats.append(part.attrs.pop("ecg_beats") + a)
            if "start" in part:
                part["start"] += a
                part["stop"] += a
                part["onset"] = part["start"] / meta.fs
                found.append(part)
            n_windows += len(pl.cores)
            for k, v in st.items():
                stats[k] = max(stats.get(k, 0), v) if k == "max_rows" else stats.get(k, 0) + v
        feats = pd.concat(found, ignore_index=True) if found else pd.DataFrame()
        gap_runs = np.concatenate(
            runs + [long_runs(src.nan_runs, bridge_rows(cfg.bridge_gap_s, meta.fs)) / meta.fs]
        )
        beats = np.concatenate(found_beats) if found_beats else None
    meta.notes["stream"] = (
        f"{n_windows} window(s) of {window_s:g} s, overlap {pl.overlap / meta.fs:g} s"
        + (f", {stats['extensions']} extension(s)" if stats.get("extensions") else "")
        + (
            f", {stats['split']} event(s) longer than a window split at its end "
            "(reported as consecutive events)"
            if stats.get("split")
            else ""
        )
    )
    feats.attrs["gap_runs_s"] = gap_runs
    out = _label(feats, clf, cfg, meta, model_name)  # type: ignore[arg-type]
    # the time recorded: all of it without a long gap (note_pieces sets it with one)
    out.attrs.setdefault("recorded_duration", float(meta.duration))
    note_ecg(out, beats, meta.fs, pieces)
    note_dropouts(out, src.nan_runs, meta.fs, cfg, pieces)
    if not whole:
        note_pieces(out, meta.duration, pieces, meta.fs)
    note_calibration(out, src.calibration)
    if nw_block is not None:
        blocks, scale = src.block_stats()
        runs = nonwear_of_stats(blocks, meta.n_samples, meta.fs, cfg, scale)  # type: ignore[arg-type]
        flag_nonwear(out, intersect_runs(runs, pieces), meta.fs, cfg, meta.duration)  # type: ignore[arg-type]
    out.attrs["stream"] = {
        "windows": n_windows,
        "overlap_s": pl.overlap / meta.fs,
        "max_window_rows": int(stats.get("max_rows", 0)),
        **{k: v for k, v in stats.items() if k != "max_rows"},
    }
    return out
