"""The :class:`Recording`: a validated multichannel signal with its sampling rate.

Every stage of the pipeline takes and returns typed values; a ``Recording`` is the
first of them. It is validated once, here, so later stages can trust its shape,
rate and values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from .errors import RecordingError

MODALITIES = ("accel", "emg")

#: Shortest recording the pipeline accepts, in seconds. Baselines and the
#: slowest filters (0.25 Hz gravity low-pass) need a few seconds of signal.
MIN_DURATION_S = 2.0

#: NaN runs up to this long (seconds) are treated as gaps inside the recording;
#: the pipeline fills them for filtering and never lets a segment span them. A longer
#: run (a device off for charging, a lost connection) splits the recording into pieces
#: that are scored separately (:func:`pieces_between`): a filled hour would hold the
#: 5-minute baselines and the filters' state across it.
MAX_GAP_S = 60.0


def nan_runs(mask: np.ndarray) -> np.ndarray:
    """[start, stop) runs of True in a boolean vector, as an (m, 2) int64 array."""
    padded = np.zeros(mask.shape[0] + 2, dtype=bool)
    padded[1:-1] = mask
    return np.flatnonzero(padded[1:] != padded[:-1]).reshape(-1, 2).astype(np.int64)


def pieces_between(runs: np.ndarray, n: int, fs: float) -> np.ndarray:
    """The stretches of a recording of ``n`` samples between its long gaps.

    Parameters
    ----------
    runs : ndarray (m, 2)
        [start, stop) sample runs of missing values (sorted, disjoint).
    n : int
        Samples in the recording.
    fs : float
        Sampling rate (Hz).

    Returns
    -------
    ndarray (p, 2)
        [start, stop) of each piece: the samples between runs longer than
        :data:`MAX_GAP_S` (and the recording's ends), pieces with fewer than
        :data:`MIN_DURATION_S` of samples that are not missing left out. One piece
        ``[[0, n]]`` when no gap is that long.

    Examples
    --------
    >>> import numpy as np
    >>> pieces_between(np.array([[100, 200], [1000, 8000]]), 10000, 100.0).tolist()
    [[0, 1000], [8000, 10000]]
    >>> # 3 s between two long gaps, 1.5 s of them missing: too little left to score
    >>> pieces_between(np.array([[0, 7000], [7100, 7250], [7300, 15000]]), 20000, 100.0).tolist()
    [[15000, 20000]]
    """
    runs = np.asarray(runs, dtype=np.int64).reshape(-1, 2)
    long = runs[(runs[:, 1] - runs[:, 0]) > MAX_GAP_S * fs]
    edges = np.concatenate([[0], long.ravel(), [n]]).reshape(-1, 2)
    # samples missing within each piece: the shorter runs inside it (runs are disjoint)
    c = np.concatenate([[0], np.cumsum(runs[:, 1] - runs[:, 0])])
    inside = (
        c[np.searchsorted(runs[:, 1], edges[:, 1], side="right")]
        - c[np.searchsorted(runs[:, 0], edges[:, 0], side="left")]
    )
    keep = (edges[:, 1] - edges[:, 0] - inside) >= MIN_DURATION_S * fs
    return edges[keep]


@dataclass
class Recording:
    """A recording of one or more channels sampled at a constant rate.

    Parameters
    ----------
    data : array_like, shape (n_samples,) or (n_samples, n_channels)
        The samples. A 1-D array is one channel. NaN marks missing samples (gaps); a gap longer than
        :data:`MAX_GAP_S` splits the recording into pieces (:attr:`pieces`), scored apart.
    fs : float
        Sampling rate in Hz.
    modality : {"accel", "emg"}
        Accelerometer / IMU (in g) or electromyography.
    channels : sequence of str, optional
        Channel names; ``ch1``, ``ch2``... by default (``x, y, z`` for 3-channel accel).
    units : str, optional
        Physical unit of ``data`` (``"g"`` for accelerometry after reading, ``"mV"``,
        ``"uV"`` or ``"a.u."`` for EMG).
    start : datetime, optional
        Wall-clock time of the first sample, when known.
    source : str, optional
        Where the recording came from (a file path), used in messages.
    annotations : pandas.DataFrame, optional
        Annotations stored in the file (``onset``, ``duration``, ``description``).
    notes : dict, optional
        What the reader decided (unit conversion, resampling...), kept for the report.

    Examples
    --------
    >>> import numpy as np
    >>> import movement
    >>> rec = movement.Recording(np.zeros((1000, 3)), fs=100, modality="accel")
    >>> rec.duration, rec.channels
    (10.0, ('x', 'y', 'z'))
    """

    data: np.ndarray
    fs: float
    modality: str
    channels: tuple[str, ...] | None = None
    units: str = "a.u."
    start: datetime | None = None
    source: str | None = None
    annotations: Any = None
    notes: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        src = self.source
        try:
            data = np.asarray(self.data, dtype=np.float64 if _is_int(self.data) else None)
        except (TypeError, ValueError) as exc:
            raise RecordingError(f"data is not numeric ({exc})", src) from None
        if not np.issubdtype(data.dtype, np.number) or np.iscomplexobj(data):
            raise RecordingError(f"data must be real numbers, got dtype {data.dtype}", src)
        if data.dtype not in (np.float32, np.float64):
            data = data.astype(np.float64)
        if data.ndim == 1:
            data = data[:, None]
        if data.ndim != 2:
            raise RecordingError(f"data must be 1-D or 2-D, got shape {data.shape}", src)
        if data.shape[1] == 0:
            raise RecordingError("the recording has no channels", src)
        if data.shape[0] == 0:
            raise RecordingError("the recording is empty (no samples)", src)
        try:
            fs = float(self.fs)
        except (TypeError, ValueError):
            raise RecordingError(f"sampling rate must be a number, got {self.fs!r}", src) from None
        if not np.isfinite(fs) or fs <= 0:
            raise RecordingError(f"sampling rate must be > 0 Hz, got {self.fs!r}", src)
        if self.modality not in MODALITIES:
            raise RecordingError(
                f"modality must be one of {', '.join(MODALITIES)}, got {self.modality!r}", src
            )
        n = data.shape[0]
        if n / fs < MIN_DURATION_S:
            raise RecordingError(
                f"too short: {n} samples at {fs:g} Hz is {n / fs:.3g} s "
                f"(at least {MIN_DURATION_S:g} s needed)",
                src,
            )
        # finite extremes: no inf and no NaN (both propagate), so the per-sample checks
        # below, ~20x slower than the two reductions, are skipped
        clean = bool(np.isfinite(np.min(data)) and np.isfinite(np.max(data)))
        if not clean and np.isinf(data).any():
            raise RecordingError("data contains infinite values", src)
        bad = np.zeros(n, dtype=bool) if clean else np.isnan(data).any(axis=1)
        if bad.all():
            raise RecordingError("no usable samples: every sample is missing (NaN)", src)
        if bad.any():
            if (~bad).sum() / fs < MIN_DURATION_S:
                raise RecordingError("too few usable (non-missing) samples", src)
            if not len(pieces_between(nan_runs(bad), n, fs)):
                raise RecordingError(
                    f"no stretch of at least {MIN_DURATION_S:g} s between gaps longer than "
                    f"{MAX_GAP_S:g} s",
                    src,
                )
        if self.channels is None:
            k = data.shape[1]
            names = ("x", "y", "z") if (self.modality == "accel" and k == 3) else None
            self.channels = names or tuple(f"ch{i + 1}" for i in range(k))
        else:
            self.channels = tuple(str(c) for c in self.channels)
        if len(self.channels) != data.shape[1]:
            raise RecordingError(
                f"{len(self.channels)} channel names for {data.shape[1]} channels", src
            )
        self.data = data
        self.fs = fs

    # -- derived values -----------------------------------------------------
    @property
    def n_samples(self) -> int:
        """Number of samples."""
        return int(self.data.shape[0])

    @property
    def n_channels(self) -> int:
        """Number of channels."""
        return int(self.data.shape[1])

    @property
    def duration(self) -> float:
        """Length in seconds (``n_samples / fs``)."""
        return self.n_samples / self.fs

    @property
    def gaps(self) -> np.ndarray:
        """Boolean mask, True where any channel is missing (NaN)."""
        data = self.data
        if data.size and data.dtype.kind == "f" and not np.isnan(np.min(data)):
            # no NaN (one pass: the minimum propagates NaN)
            return np.zeros(data.shape[0], dtype=bool)
        return np.isnan(data).any(axis=1)

    @property
    def pieces(self) -> np.ndarray:
        """[start, stop) samples of the stretches between gaps longer than
        :data:`MAX_GAP_S` (:func:`pieces_between`); ``[[0, n_samples]]`` without one."""
        return pieces_between(nan_runs(self.gaps), self.n_samples, self.fs)

    def piece(self, a: int, b: int) -> Recording:
        """Samples ``a:b`` as a Recording (a view of the data): ``start`` moved to sample
        ``a``, ``notes["piece"]`` saying which samples."""
        from datetime import timedelta

        notes = dict(self.notes)
        notes["piece"] = f"samples {a}-{b} of {self.n_samples}"
        start = self.start + timedelta(seconds=a / self.fs) if self.start and a else self.start
        return Recording(
            self.data[a:b], fs=self.fs, modality=self.modality, channels=self.channels,
            units=self.units, start=start, source=self.source, notes=notes,
        )  # fmt: skip

    @property
    def name(self) -> str:
        """A short name: the source file's stem, or ``"recording"``."""
        if not self.source:
            return "recording"
        from pathlib import Path

        return Path(self.source).name.split(".")[0] or "recording"

    def __repr__(self) -> str:
        return (
            f"Recording({self.modality}, {self.n_channels} ch {list(self.channels)}, "
            f"{self.fs:g} Hz, {self.duration:.1f} s, units={self.units!r}"
            + (f", source={self.source!r}" if self.source else "")
            + ")"
        )


def _is_int(a: Any) -> bool:
    return isinstance(a, np.ndarray) and np.issubdtype(a.dtype, np.integer)
