"""The :class:`Recording`: a validated multichannel signal with its sampling rate.

Every stage of the pipeline takes and returns typed values; a ``Recording`` is the
first of them. It is validated once, here, so later stages can trust its shape,
rate and values.
"""

from __future__ import annotations

import numbers
import re
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import numpy as np

from .errors import RecordingError

MODALITIES = ("accel", "emg")

#: Spellings of each modality accepted everywhere (any case): ``modality=`` of
#: :class:`Recording`, :func:`movement.read` and :func:`movement.score`, a sidecar's
#: ``Modality``, a file's header (:func:`normalise_modality`).
_ACCEL_WORDS = ("accel", "acc", "accelerometer", "accelerometry", "imu", "motion", "accel_g", "mmg")
_EMG_WORDS = ("emg", "semg", "electromyography", "needle emg", "surface emg")


def normalise_modality(value: Any) -> str | None:
    """``"accel"`` or ``"emg"`` for any spelling of :data:`_ACCEL_WORDS` / :data:`_EMG_WORDS`
    (any case, spaces around), else None (not text, or no modality).

    Examples
    --------
    >>> normalise_modality("EMG"), normalise_modality(" Accelerometer "), normalise_modality("sEMG")
    ('emg', 'accel', 'emg')
    >>> normalise_modality("eeg") is None, normalise_modality(5) is None
    (True, True)
    """
    if not isinstance(value, str):
        return None
    v = value.strip().lower()
    if v in _ACCEL_WORDS:
        return "accel"
    if v in _EMG_WORDS:
        return "emg"
    return None


def modality_words() -> str:
    """The accepted spellings, for messages: ``accel: acc, ...; emg: semg, ...; any case``."""
    return f"accel: {', '.join(_ACCEL_WORDS[1:])}; emg: {', '.join(_EMG_WORDS[1:])}; any case"


#: Shortest recording the pipeline accepts, in seconds. Baselines and the
#: slowest filters (0.25 Hz gravity low-pass) need a few seconds of signal.
MIN_DURATION_S = 2.0

#: NaN runs up to this long (seconds) are treated as gaps inside the recording;
#: the pipeline fills them for filtering and never lets a segment span them. A longer
#: run (a device off for charging, a lost connection) splits the recording into pieces
#: that are scored separately (:func:`pieces_between`): a filled hour would hold the
#: 5-minute baselines and the filters' state across it.
MAX_GAP_S = 60.0

#: A rate as text: a number, optionally followed by "Hz" ("100", "100 Hz", "1e2Hz").
_RATE_TEXT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*(?:hz)?\s*$", re.I)


def rate_value(value: Any) -> float | None:
    """The sampling rate ``value`` states, in Hz, or None when it states none.

    A real number (Python or NumPy, not a bool: ``True`` is no rate), or text holding
    one with an optional trailing ``Hz`` (``"100"``, ``"100 Hz"``, ``"1e2Hz"``), as a
    sidecar's ``SamplingFrequency``. An integer beyond float range is infinite. Whether
    the number is a usable rate (finite, > 0) is the caller's check.

    Examples
    --------
    >>> rate_value("100 Hz"), rate_value(250), rate_value(True), rate_value("100 kHz")
    (100.0, 250.0, None, None)
    """
    if isinstance(value, str):
        m = _RATE_TEXT.match(value)
        return float(m.group(1)) if m else None
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, numbers.Real):
        try:
            return float(value)
        except OverflowError:  # an integer beyond float range (a JSON 1e400 written out)
            return float("inf") if value > 0 else float("-inf")
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        return float(value)
    return None


#: Unix times (s) read as a start: 2000-01-01 to 2100-01-01, as the readers take a numeric
#: time column's first value (:data:`movement.io.tables._EPOCH_SPAN`).
_UNIX_SPAN = (946_684_800, 4_102_444_800)


def start_value(value: Any, source: str | None = None) -> datetime | None:
    """``value`` as the wall-clock time of a recording's first sample, or None.

    A ``datetime`` (a pandas ``Timestamp`` too) is kept as it is, timezone-aware or not; a
    ``date`` is its midnight; a NumPy ``datetime64`` is converted (naive); text is ISO 8601
    (``"2024-03-01T10:00:00"``, ``"2024-03-01 10:00:00+01:00"``, a trailing ``Z`` for UTC);
    a real number is Unix seconds, in UTC (timezone-aware), as the readers take a time
    column of Unix times, and must lie in 2000-2100. Anything else (``"yesterday"``, NaT,
    a bool, 12.5) is a one-line :class:`~movement.errors.RecordingError`.

    Examples
    --------
    >>> str(start_value("2024-03-01T10:00:00")), str(start_value(1709287200.0))
    ('2024-03-01 10:00:00', '2024-03-01 10:00:00+00:00')
    >>> start_value("yesterday")
    Traceback (most recent call last):
    ...
    movement.errors.RecordingError: start must be a date and time (a datetime, pandas Timestamp, numpy datetime64, ISO 8601 text such as '2024-03-01T10:00:00', or Unix seconds), got 'yesterday'
    """
    if value is None:
        return None
    what = (
        "start must be a date and time (a datetime, pandas Timestamp, numpy datetime64, "
        "ISO 8601 text such as '2024-03-01T10:00:00', or Unix seconds), got "
    )
    if isinstance(value, datetime):
        if value != value:  # (pandas' NaT is a datetime, unequal to itself)
            raise RecordingError(what + "NaT (no time)", source)
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise RecordingError(what + "NaT (no time)", source)
        import pandas as pd

        return pd.Timestamp(value).to_pydatetime(warn=False)
    if isinstance(value, str):
        text = value.strip()
        if text[-1:] in ("Z", "z"):
            text = text[:-1] + "+00:00"
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            raise RecordingError(what + repr(value[:40]), source) from None
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
        seconds = float(value)
        if np.isfinite(seconds) and _UNIX_SPAN[0] <= seconds < _UNIX_SPAN[1]:
            return datetime.fromtimestamp(seconds, tz=UTC)
        raise RecordingError(
            f"start {value!r}: a number is read as Unix seconds (UTC) and must lie in "
            "2000-2100 (946684800 to 4102444800); give a datetime or ISO 8601 text for "
            "another time",
            source,
        )
    raise RecordingError(what + f"{type(value).__name__} {value!r}"[:80], source)


_G = 9.80665

#: Accelerometer units converted to g, by their spelling as :func:`accel_unit_key` gives
#: it (lower case, ``^`` dropped, ``²`` as ``2``): the factor to g.
ACCEL_UNITS = {"g": 1.0, "m/s2": 1 / _G, "ms-2": 1 / _G, "m s-2": 1 / _G, "mg": 1e-3}


def accel_unit_key(unit: str | None) -> str:
    """``unit`` spelled as the keys of :data:`ACCEL_UNITS` (``"m/s^2"`` -> ``"m/s2"``)."""
    return ("" if unit is None else str(unit)).strip().lower().replace("^", "").replace("²", "2")


def unknown_accel_units(unit: Any) -> str:
    """The message for accelerometer units that are not one of :data:`ACCEL_UNITS`."""
    return (
        f"unknown accelerometer units {unit!r}: use g, mg or m/s^2 (also written m/s2, "
        "ms-2, m s-2), or leave the units out to detect them from the magnitude at rest"
    )


#: Median vector magnitude (g) of accelerometry under which gravity looks removed: raw
#: acceleration reads ~1 g at rest and a median of ~1 g over a day (a wrist's movement
#: adds to it), a "linear acceleration" (gravity subtracted, as phones and IMUs offer it)
#: ~0.01-0.1 g (:func:`gravity_note`).
GRAVITY_MIN_G = 0.3
#: What :func:`gravity_note` and :func:`accel_unit_factor` say of it.
GRAVITY_REMOVED = (
    "gravity seems removed (linear acceleration); movement expects raw acceleration "
    "including gravity — the posture features and units detection need it"
)


def median_magnitude(data: np.ndarray) -> float | None:
    """The median vector magnitude of the first 3 axes of ``data`` (samples x 3k channels;
    rows with all 3 present), or None (not sets of 3 axes, or no such row)."""
    k = data.shape[1]
    if k < 3 or k % 3:
        return None
    xyz = np.asarray(data[:, :3], dtype=np.float64)
    full = np.isfinite(xyz).all(axis=1)
    if not full.any():
        return None
    return float(np.median(np.sqrt(np.sum(xyz[full] ** 2, axis=1))))


def gravity_note(data_g: np.ndarray) -> str:
    """What to say of tri-axial accelerometry in g (a sample of rows is enough) whose
    median vector magnitude is far below 1 g (under :data:`GRAVITY_MIN_G`): gravity
    removed. Empty when it is not (or cannot be told: not sets of 3 axes; or all zeros,
    which the constant-channel check says).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> gravity_note(rng.normal(0, 0.012, (1000, 3)))[:70]
    'median |a| = 0.019 g: gravity seems removed (linear acceleration); mov'
    >>> gravity_note(rng.normal(0, 0.01, (1000, 3)) + [0, 0, 1])
    ''
    """
    level = median_magnitude(data_g)
    if level is None or not 0 < level < GRAVITY_MIN_G:
        return ""
    return f"median |a| = {level:.2g} g: {GRAVITY_REMOVED}"


#: The words of :func:`accel_unit_factor`'s note when the magnitude overrules a declared
#: unit (a reader warns then: the file or the caller said otherwise).
UNITS_OVERRIDDEN = "does not fit the magnitude"


#: What ``notes["units"]`` says of accelerometry given as ``a.u.``: kept as it is.
AU_GIVEN = (
    "accelerometer units given as a.u. (not converted): amplitude thresholds in g may not apply"
)


def accel_unit_factor(data: np.ndarray, declared: str | None) -> tuple[float | None, str]:
    """The factor that brings tri-axial acceleration to g, and a sentence saying why.

    The unit is detected from the median vector magnitude (≈1 in g, ≈9.8 in m/s², ≈1000
    in mg) of the samples whose first 3 axes are all finite (missing values, e.g. a hole
    in the time column put on a grid, are left out); the ``declared`` unit is used when
    the data cannot tell (fewer than 3 axes, or no sample with all 3). The factor is None
    when neither tells (the sentence says why). :func:`movement.io.convert_accel_units`
    applies it.
    """
    decl = accel_unit_key(declared)
    tri = data.shape[1] >= 3 and data.shape[1] % 3 == 0
    n_used = 0
    if tri:
        # only rows with all 3 axes present: a missing value is not a magnitude of 0
        xyz = np.asarray(data[:, :3], dtype=np.float64)
        full = np.isfinite(xyz).all(axis=1)
        n_used = int(full.sum())
    if n_used:
        vm = np.sqrt(np.sum(xyz[full] ** 2, axis=1))
        level = float(np.median(vm))
        candidates = {"g": 1.0, "m/s2": _G, "mg": 1000.0}
        unit = min(candidates, key=lambda u: abs(np.log(max(level, 1e-12) / candidates[u])))
        ratio = level / candidates[unit]
        if 0.5 < ratio < 2.0:
            note = f"accelerometer units detected as {unit} (median |a| = {level:.3g})"
            # (compared by factor: 'ms-2', 'm/s^2' and 'm/s2' are one unit)
            if decl and decl in ACCEL_UNITS and ACCEL_UNITS[decl] != ACCEL_UNITS[unit]:
                note += f"; the declared {declared!r} {UNITS_OVERRIDDEN}"
            if unit != "g":
                note += ", converted to g"
            return ACCEL_UNITS[unit], note
    if decl in ACCEL_UNITS:
        note = f"accelerometer units taken as declared ({declared}), converted to g"
        return ACCEL_UNITS[decl], note
    k = data.shape[1]
    if not tri:
        why = f"{k} channel{'s' if k > 1 else ''}, not sets of 3 axes"
    elif not n_used:
        why = "no sample has all 3 axes present"
    elif 0 < level < GRAVITY_MIN_G:  # (under 0.3 g whatever its unit: no unit fixes it)
        why = f"median |a| = {level:.2g}, near 0 in g, m/s² and mg alike: {GRAVITY_REMOVED}"
    else:
        why = "the magnitude is near none of 1 g, 9.8 m/s² and 1000 mg"
    kept = "a.u." if decl in ("", "a.u.") else f"a.u. (declared {declared!r})"
    note = (
        f"accelerometer units could not be detected ({why}); "
        f"kept as {kept}: amplitude thresholds in g may not apply"
    )
    return None, note


#: Channel names of an IMU's other sensors (gyroscope, magnetometer, orientation); also
#: the short ``gx``/``mx`` of an IMU's ``ax, ay, az, gx, gy, gz, mx, my, mz`` columns.
_NOT_ACCEL_NAME = re.compile(
    r"gyr|magnet|\bmagn?\b|magn?[_ .-]?[xyz]\b|quat|angular|euler|deg/s|rad/s"
    r"|(?<![a-z])[gm][xyz](?![a-z])",
    re.I,
)


def _not_acceleration(channels: Sequence[str]) -> str:
    """What to say of accelerometer channels whose names are an IMU's other sensors'
    (``gyro_x``, ``mag_y``...): they would be scored as acceleration. Empty if none."""
    odd = [c for c in channels if _NOT_ACCEL_NAME.search(str(c))]
    if not odd:
        return ""
    return (
        f"channel{'s' if len(odd) > 1 else ''} {', '.join(odd)} look like a gyroscope's or "
        "magnetometer's, not acceleration, and are scored as acceleration: keep the "
        "accelerometer's channels (--channels, channels=)"
    )


def _odd_sensors(data: np.ndarray, channels: Sequence[str], factor: float | None) -> str:
    """What to say of the sensors (3 channels each) after the first whose magnitude at rest
    is not in the unit the first one's gives (``factor`` to g): a second sensor in m/s²
    beside one in g, or a gyroscope (near none of the units). Empty if none."""
    k = data.shape[1]
    if k <= 3 or k % 3:
        return ""
    unit = {1.0: "g", 1 / _G: "m/s²", 1e-3: "mg"}.get(factor)
    if unit is None:
        return ""
    levels = {"g": 1.0, "m/s²": _G, "mg": 1000.0}
    said = []
    for j in range(3, k, 3):  # loop over the sensors after the first (a few)
        xyz = np.asarray(data[:, j : j + 3], dtype=np.float64)
        full = np.isfinite(xyz).all(axis=1)
        if not full.any():
            continue
        level = float(np.median(np.sqrt(np.sum(xyz[full] ** 2, axis=1))))
        fits = [u for u, v in levels.items() if 0.5 < max(level, 1e-12) / v < 2.0]
        if unit in fits:
            continue
        names = ", ".join(str(c) for c in channels[j : j + 3])
        said.append(
            f"{names} (median |a| {level:.3g}: "
            + (f"{fits[0]}?" if fits else "no accelerometer unit; not acceleration?")
            + ")"
        )
    if not said:
        return ""
    return (
        f"the units ({unit}) were detected on the first sensor ({', '.join(map(str, channels[:3]))}); "
        f"not those of {'; '.join(said)}: they are scaled as the first; read each sensor "
        "apart (--channels, channels=) to have its units detected"
    )


#: Rows of a long recording its accelerometer units are detected on (as the streaming
#: readers do, :func:`movement.stream._row_sample`): all of a shorter one.
_UNIT_SAMPLE_ROWS = 200_000


def _unit_sample(data: np.ndarray) -> np.ndarray:
    """All rows of a short array; of a long one, 200 evenly spaced runs of 1000 rows (the
    median magnitude at rest needs no more)."""
    n = data.shape[0]
    if n <= _UNIT_SAMPLE_ROWS:
        return data
    starts = np.linspace(0, n - 1000, 200).astype(np.int64)
    return np.concatenate([data[a : a + 1000] for a in starts])


def flat_channels(data: np.ndarray) -> dict[int, float]:
    """The channels of ``data`` (samples x channels) whose values are all the same over
    every sample (missing ones left out), with that value: ``{column: value}``.

    A channel that varies within a sample of rows (:func:`_unit_sample`) varies: only the
    others are looked at whole, so a recording whose channels all vary costs no pass over
    its rows. A channel with no value at all is not listed (it is refused elsewhere).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.zeros((500_000, 3)); x[:, 0] = np.arange(500_000) % 7; x[-1, 1] = 1.0
    >>> flat_channels(x)
    {2: 0.0}
    """
    sample = np.asarray(_unit_sample(data))
    with warnings.catch_warnings():  # (a channel all NaN: no value, no warning)
        warnings.simplefilter("ignore", RuntimeWarning)
        same = np.nanmin(sample, axis=0) == np.nanmax(sample, axis=0)
        out: dict[int, float] = {}
        for j in np.flatnonzero(same):  # loop over the channels flat in the sample (few)
            col = data[:, j]
            lo, hi = np.nanmin(col), np.nanmax(col)
            if lo == hi:
                out[int(j)] = float(lo)
    return out


def flat_note(channels: Sequence[str], flat: dict[int, float], modality: str = "emg") -> str:
    """What to say of the channels constant over a whole recording (``flat``:
    ``{column: value}``, :func:`flat_channels`); empty when none is. One text for the whole
    read and the streamed one (:mod:`movement.stream`), which finds them in its first pass.
    An EMG channel may be left out; an accelerometer's axis is one of its sensor's three.

    Examples
    --------
    >>> flat_note(("EMG1", "EMG2"), {1: 0.0})
    'channel EMG2 is constant (0) over the whole recording: a disconnected or saturated sensor? (nothing can be found on it; leave it out with --channels, channels=)'
    >>> flat_note(("x", "y", "z"), {0: 0.0, 1: 0.0, 2: 0.0}, "accel")
    'every channel is constant over the whole recording (x 0, y 0, z 0): a disconnected sensor, or a file of zeros? (nothing can be found in it)'
    """
    if not flat:
        return ""
    said = [(str(channels[j]), f"{v:.6g}") for j, v in sorted(flat.items())]
    if len(flat) == len(channels):
        values = ", ".join(f"{c} {v}" for c, v in said)
        return (
            f"every channel is constant over the whole recording ({values}): a disconnected "
            "sensor, or a file of zeros? (nothing can be found in it)"
        )
    one = len(said) == 1
    hint = ""
    if modality == "emg":
        hint = f"; leave {'it' if one else 'them'} out with --channels, channels="
    if one:
        c, v = said[0]
        return (
            f"channel {c} is constant ({v}) over the whole recording: a disconnected or "
            f"saturated sensor? (nothing can be found on it{hint})"
        )
    return (
        f"channels {', '.join(f'{c} ({v})' for c, v in said)} are constant over the whole "
        f"recording: disconnected or saturated sensors? (nothing can be found on them{hint})"
    )


#: A channel holding at most this many distinct values, all whole numbers, each for long
#: runs of rows, beside channels that vary, is a label or trigger column (:func:`label_channels`).
LABEL_MAX_VALUES = 16
#: ... each for long runs: its value changes on fewer than this share of consecutive rows
#: (a label: once per trial, 0.1 % of the Myo files' rows; a signal quantised to a few
#: steps at rest changes on most rows: 87-97 % of the Myo files' EMG)
LABEL_MAX_CHANGES = 0.05


def _few_whole_values(col: np.ndarray) -> np.ndarray | None:
    """The distinct values of a column (NaN left out) when there are 2 to
    :data:`LABEL_MAX_VALUES` of them, all whole numbers; else None."""
    col = col[np.isfinite(col)]
    if col.size < 2:
        return None
    head = col[:10_000]
    if np.any(head != np.round(head)) or np.unique(head).size > LABEL_MAX_VALUES:
        return None  # (most signals stop here)
    values = np.unique(col)
    if not 2 <= values.size <= LABEL_MAX_VALUES or np.any(values != np.round(values)):
        return None
    return values


def label_channels(data: np.ndarray) -> dict[int, tuple[float, ...]]:
    """The channels of ``data`` (samples x channels, as stored: before any unit
    conversion) that look like a label or trigger column, with their values:
    ``{column: (values...)}``.

    Such a channel holds 2 to :data:`LABEL_MAX_VALUES` distinct values, all whole numbers,
    and changes value on fewer than :data:`LABEL_MAX_CHANGES` of consecutive rows, while
    another channel varies otherwise (a file whose channels all look so says nothing). The
    candidates are found in a sample of rows (:func:`_unit_sample`), then their values
    taken over every row of ``data`` (a candidate with more values there is not one): a
    recording whose channels all vary costs one look at the sample. Constant channels are
    not listed (:func:`flat_channels` says them).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = np.column_stack([rng.normal(0, 30, 4000).round(), np.repeat([0, 7, 0, 1], 1000)])
    >>> label_channels(x)
    {1: (0.0, 1.0, 7.0)}
    """
    x = np.asarray(data)
    if x.ndim != 2 or x.shape[1] < 2 or x.shape[0] < 3:
        return {}
    sample = np.asarray(_unit_sample(x), dtype=np.float64)
    found: dict[int, tuple[float, ...]] = {}
    varies = False  # (a channel that is neither constant nor label-like)
    for j in range(x.shape[1]):  # loop over the channels (few)
        col = sample[:, j]
        values = _few_whole_values(col)
        if values is not None:
            v = col[np.isfinite(col)]
            if np.count_nonzero(v[1:] != v[:-1]) < LABEL_MAX_CHANGES * (v.size - 1):
                found[j] = tuple(float(u) for u in values)
                continue
        with warnings.catch_warnings():  # (a channel all NaN: no value, no warning)
            warnings.simplefilter("ignore", RuntimeWarning)
            varies = varies or bool(np.nanmin(col) < np.nanmax(col))
    if not found or not varies:
        return {}
    if sample.shape[0] < x.shape[0]:  # (the sample's candidates, over every row)
        for j in list(found):  # (few)
            values = _few_whole_values(np.asarray(x[:, j], dtype=np.float64))
            if values is None:
                del found[j]
            else:
                found[j] = tuple(float(u) for u in values)
    return found


def label_note(channels: Sequence[str], labels: dict[int, tuple[float, ...]]) -> str:
    """What to say of the channels :func:`label_channels` found (``{column: values}``);
    empty when none. One text for the whole read and the streamed one.

    Examples
    --------
    >>> label_note([f"ch{i}" for i in range(1, 10)], {8: (0.0, 1.0, 7.0)})
    'channel ch9 holds only the values 0, 1, 7: a label or trigger column? leave it out with --channels, channels='
    """
    if not labels:
        return ""
    said = [
        f"{channels[j]}" + (" holds only the values " if len(labels) == 1 else " (")
        + ", ".join(f"{v:.0f}" for v in values) + ("" if len(labels) == 1 else ")")
        for j, values in sorted(labels.items())
    ]  # fmt: skip
    if len(said) == 1:
        return (
            f"channel {said[0]}: a label or trigger column? leave it out with --channels, channels="
        )
    return (
        f"channels {', '.join(said)} hold only a few whole values each: label or trigger "
        "columns? leave them out with --channels, channels="
    )


#: EMG units (spelled as :func:`emg_unit_key` gives them) and their size in µV.
EMG_UNITS = {
    "v": 1e6, "volt": 1e6, "volts": 1e6,
    "mv": 1e3, "millivolt": 1e3, "millivolts": 1e3,
    "uv": 1.0, "microvolt": 1.0, "microvolts": 1.0,
    "nv": 1e-3, "nanovolt": 1e-3, "nanovolts": 1e-3,
}  # fmt: skip
#: EMG "units" that state none (the values are kept as they are, unchecked).
EMG_NO_UNITS = frozenset({"", "a.u.", "a.u", "au", "arb", "arb.", "arbitrary", "arbitraryunits"})
#: The plausible range of an EMG channel's large values, in µV, as the 99.9th percentile
#: of ``|x - median|`` over the recording (:func:`emg_units_note`). Generous on purpose,
#: as only a unit off by orders of magnitude (1000 x: µV written as mV, mV as V) is to be
#: told, never a real recording: surface EMG is ~10 µV at rest to a few mV (0-10 mV peak
#: to peak, De Luca 1997), needle EMG's motor-unit potentials ~0.2-3 mV, giant ones of
#: chronic neuropathy ~10-20 mV (PhysioNet's needle EMG in tests/data: 0.5-3.1 mV). The
#: top, 100 mV, is 5-10 x the largest of them (a DC drift or an artefact over 0.1 % of
#: the time, on every channel, does not reach it either); the bottom, 0.5 µV, lies under
#: the noise of any EMG amplifier with its electrodes (~0.5-5 µV RMS, whose 99.9th
#: percentile is 3.3 x that).
EMG_PEAK_RANGE_UV = (0.5, 1e5)


def emg_unit_key(unit: Any) -> str:
    """``unit`` spelled as the keys of :data:`EMG_UNITS` (lower case, ``µ``/``μ`` as
    ``u``, brackets and spaces taken off: ``"[µV]"`` -> ``"uv"``)."""
    text = "" if unit is None else str(unit)
    text = text.strip().lower().replace("µ", "u").replace("μ", "u")
    return text.strip("[]() ").replace(" ", "")


def _voltage_text(uv: float) -> str:
    """A voltage in µV as text in V, mV or µV (``1234.5`` -> ``"1.23 mV"``)."""
    for size, name in ((1e6, "V"), (1e3, "mV")):
        if abs(uv) >= size:
            return f"{uv / size:.3g} {name}"
    return f"{uv:.3g} µV"


#: Rows (evenly spaced) :func:`_large_values` looks at: plenty for a magnitude's order.
_LARGE_VALUE_ROWS = 20_000


def _large_values(data: np.ndarray) -> np.ndarray:
    """Each channel's 99.9th percentile of ``|x - median|`` (the lower of the two values
    around each, NaN left out; NaN for a channel with no value) over at most
    :data:`_LARGE_VALUE_ROWS` evenly spaced rows: every channel at once (64 channels of
    200,000 rows in ~0.05 s, against 8 s with ``np.nanpercentile``)."""
    x = np.asarray(data)
    if x.ndim == 1:
        x = x[:, None]
    x = x[:: max(1, x.shape[0] // _LARGE_VALUE_ROWS)]
    xt = np.ascontiguousarray(x.T, dtype=np.float64)  # (channels x rows)
    if not xt.size:
        return np.full(xt.shape[0], np.nan)
    if not np.isnan(xt).any():
        m = xt.shape[1]
        med = np.partition(xt, m // 2, axis=1)[:, m // 2]
        q = int(0.999 * (m - 1))
        return np.partition(np.abs(xt - med[:, None]), q, axis=1)[:, q]
    out = np.full(xt.shape[0], np.nan)
    for j, v in enumerate(xt):  # loop over the channels (some values missing)
        v = v[~np.isnan(v)]
        if v.size:
            m = v.size
            med = np.partition(v, m // 2)[m // 2]
            q = int(0.999 * (m - 1))
            out[j] = np.partition(np.abs(v - med), q)[q]
    return out


def emg_units_note(data: np.ndarray, unit: str | None) -> str:
    """What to say of EMG ``data`` (samples x channels, a sample of rows is enough) in
    ``unit``; empty when nothing is wrong.

    A unit none of :data:`EMG_UNITS` (nor a.u., :data:`EMG_NO_UNITS`) is said to be
    unknown. In a known unit, each channel's 99.9th percentile of ``|x - median|`` (NaN
    left out; constant channels, said elsewhere, left out) is compared with
    :data:`EMG_PEAK_RANGE_UV`: when every channel's lies above it, or every channel's
    below it, the unit looks wrong by orders of magnitude, and the note says which unit
    would put the values in range. The values are kept as they are either way: the
    rules' EMG thresholds are relative to each recording's own baseline, but the
    amplitudes reported (``peak_amplitude``, ``rms``) are in this unit, and the trained
    model, which takes them as features, learned them in mV (simulated recordings).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(0, 300.0, (4000, 2))  # µV written as V
    >>> emg_units_note(x, "V")[:74]
    "EMG units 'V' look wrong by orders of magnitude (are they in µV?): the val"
    >>> emg_units_note(x, "uV"), emg_units_note(x, "a.u.")
    ('', '')
    >>> emg_units_note(x, "counts")[:40]
    "unknown EMG units 'counts' (known: V, mV"
    """
    key = emg_unit_key(unit)
    if key in EMG_NO_UNITS:
        return ""
    if key not in EMG_UNITS:
        return (
            f"unknown EMG units {unit!r} (known: V, mV, µV or uV; a.u. for none): the values "
            "are kept as they are, their magnitude not checked"
        )
    peak = _large_values(data)
    peak = peak[np.isfinite(peak) & (peak > 0)]  # (constant channels: said apart)
    if not len(peak):
        return ""
    size = EMG_UNITS[key]
    lo, hi = EMG_PEAK_RANGE_UV
    if peak.min() * size > hi:
        how = "reach"
    elif peak.max() * size < lo:
        how = "stay below"
    else:
        return ""
    typical = float(np.median(peak))
    # (the unit that puts them nearest 300 µV, in log terms, within the range)
    fits = {
        name: abs(np.log10(typical * EMG_UNITS[k] / 300.0))
        for name, k in (("V", "v"), ("mV", "mv"), ("µV", "uv"))
        if lo <= typical * EMG_UNITS[k] <= hi
    }
    guess = f" (are they in {min(fits, key=fits.__getitem__)}?)" if fits else ""
    volts = _voltage_text(typical * size)
    same = volts == f"{typical:.3g} {unit}"
    return (
        f"EMG units {unit!r} look wrong by orders of magnitude{guess}: the values {how} "
        f"{typical:.3g} {unit}{'' if same else f' ({volts})'} (99.9th percentile of "
        "|x - median|, median over channels), where surface EMG is ~10 µV-5 mV and needle "
        f"EMG up to ~10 mV; they are kept in {unit} as stated"
    )


def nan_runs(mask: np.ndarray) -> np.ndarray:
    """[start, stop) runs of True in a boolean vector, as an (m, 2) int64 array."""
    padded = np.zeros(mask.shape[0] + 2, dtype=bool)
    padded[1:-1] = mask
    return np.flatnonzero(padded[1:] != padded[:-1]).reshape(-1, 2).astype(np.int64)


def bridge_rows(bridge_gap_s: float | None, fs: float) -> int:
    """The longest run of missing samples (rows) that ``bridge_gap_s`` seconds bridge at
    ``fs`` Hz (0: none; see ``bridge_gap_s`` in :mod:`movement.config`).

    Examples
    --------
    >>> bridge_rows(0.04, 100.0), bridge_rows(0.04, 30.0), bridge_rows(0.0025, 2000.0)
    (4, 1, 5)
    """
    if not bridge_gap_s or bridge_gap_s <= 0:
        return 0
    return int(np.floor(bridge_gap_s * fs + 1e-9))


def long_runs(runs: np.ndarray, max_rows: int) -> np.ndarray:
    """The [start, stop) runs longer than ``max_rows`` rows (the gaps not bridged).

    Examples
    --------
    >>> import numpy as np
    >>> long_runs(np.array([[3, 4], [10, 20]]), 2).tolist()
    [[10, 20]]
    """
    runs = np.asarray(runs, dtype=np.int64).reshape(-1, 2)
    if max_rows <= 0 or not len(runs):
        return runs
    return runs[(runs[:, 1] - runs[:, 0]) > max_rows]


def unbridged(gaps: np.ndarray, max_rows: int) -> np.ndarray:
    """The gap mask without its runs of at most ``max_rows`` samples: the dropouts that
    are interpolated and scored through (a new array when any is bridged).

    Examples
    --------
    >>> import numpy as np
    >>> m = np.array([0, 1, 0, 0, 1, 1, 1, 0], bool)
    >>> unbridged(m, 2).astype(int).tolist()
    [0, 0, 0, 0, 1, 1, 1, 0]
    """
    if max_rows <= 0 or not gaps.any():
        return gaps
    runs = nan_runs(gaps)
    short = runs[(runs[:, 1] - runs[:, 0]) <= max_rows]
    if not len(short):
        return gaps
    marks = np.zeros(gaps.shape[0] + 1, dtype=np.int8)
    marks[short[:, 0]] += 1  # (disjoint runs: no start repeats, nor any stop)
    marks[short[:, 1]] -= 1
    return gaps & ~(np.cumsum(marks[:-1], dtype=np.int8) > 0)


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


def check_missing(runs: np.ndarray, n: int, fs: float, source: str | None = None) -> None:
    """Refuse ``n`` samples at ``fs`` Hz whose missing ones leave too little to score.

    ``runs`` are the [start, stop) runs of samples missing in any channel (sorted,
    disjoint: :func:`nan_runs`). Every sample missing, fewer than :data:`MIN_DURATION_S`
    of samples present, or no stretch holding that much between gaps longer than
    :data:`MAX_GAP_S` (:func:`pieces_between`) is a :class:`RecordingError` for
    ``source``: a :class:`Recording` checks its data so, and the streamed read the rows
    of a whole file (of which it holds only a sample).

    Examples
    --------
    >>> check_missing(np.array([[100, 250]]), 400, 100.0)  # 2.5 s present: enough
    >>> check_missing(np.array([[0, 250]]), 400, 100.0, "r.csv")
    Traceback (most recent call last):
    ...
    movement.errors.RecordingError: r.csv: too few usable (non-missing) samples
    """
    runs = np.asarray(runs, dtype=np.int64).reshape(-1, 2)
    missing = int(np.sum(runs[:, 1] - runs[:, 0]))
    if not missing:
        return
    if missing >= n:
        raise RecordingError("no usable samples: every sample is missing (NaN)", source)
    if (n - missing) / fs < MIN_DURATION_S:
        raise RecordingError("too few usable (non-missing) samples", source)
    if not len(pieces_between(runs, n, fs)):
        raise RecordingError(
            f"no stretch of at least {MIN_DURATION_S:g} s between gaps longer than {MAX_GAP_S:g} s",
            source,
        )


#: The fields of a :class:`Recording` checked when it is made, and fixed after.
_CHECKED_FIELDS = frozenset({"data", "fs", "modality", "channels", "units"})


@dataclass
class Recording:
    """A recording of one or more channels sampled at a constant rate.

    Parameters
    ----------
    data : array_like, shape (n_samples,) or (n_samples, n_channels)
        The samples. A 1-D array is one channel. NaN marks missing samples (gaps); a gap longer than
        :data:`MAX_GAP_S` splits the recording into pieces (:attr:`pieces`), scored apart.
        A pandas DataFrame's columns are the channels (named by its column names): a column
        named like a time column (``time``, ``t``, ``timestamp``, ``time_ms``..., the names
        :func:`movement.read` takes one by) is refused, as are columns of text, dates or
        True/False, naming them (pass ``df.drop(columns="time")`` and ``fs=``, or read the
        file with :func:`movement.read`, which takes the rate and start from its time
        column). A DatetimeIndex gives ``start`` (its first time, unless ``start`` is given)
        and is checked against ``fs``: a median step more than 1 % off ``1 / fs``, or going
        back, is an error, holes a warning.
    fs : float or str
        Sampling rate in Hz: a number, or text such as ``"100 Hz"`` (as a sidecar's
        ``SamplingFrequency``).
    modality : {"accel", "emg"}
        Accelerometer / IMU (in g) or electromyography; the spellings a sidecar's
        ``Modality`` may use are taken too, any case (``"EMG"``, ``"sEMG"``,
        ``"accelerometer"``...: :func:`normalise_modality`), and stored as ``"accel"`` or
        ``"emg"``.
    channels : sequence of str, optional
        Channel names; ``ch1``, ``ch2``... by default (``x, y, z`` for 3-channel accel).
        One text is split on commas (``"x,y,z"``), as :func:`movement.read` does.
    units : str, optional
        Physical unit of ``data``. Accelerometry ends up in g, as :func:`movement.read`
        leaves it: ``"g"`` is kept as it is; ``"mg"`` or ``"m/s^2"`` (the spellings of
        :data:`ACCEL_UNITS`) is converted, the unit checked against the magnitude at rest
        (:func:`accel_unit_factor`); left out, the unit is detected from the magnitude
        (a warning when it cannot be: the values are then kept, as ``"a.u."``); ``"a.u."``
        keeps the values as they are (arbitrary units: amplitude thresholds in g may not
        apply); another unit is an error. ``notes["units"]`` says what was done. EMG units
        (``"mV"``, ``"uV"``, ``"a.u."`` when left out) are kept as given. Tri-axial
        accelerometry in g (given, converted or detected) whose median vector magnitude is
        under 0.3 g is a warning (``notes["gravity"]``): gravity removed ("linear
        acceleration"), which the posture features and the units detection need.
    start : datetime, str, numpy.datetime64 or float, optional
        Wall-clock time of the first sample, when known: a ``datetime`` or pandas
        ``Timestamp`` (kept, timezone-aware or not), ISO 8601 text, a ``datetime64``, or
        Unix seconds (UTC, 2000-2100), converted when the recording is made or ``start``
        set (:func:`start_value`); anything else is an error.
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
    >>> rec = movement.Recording(np.zeros((1000, 3)), fs=100, modality="accel", units="g")
    >>> rec.duration, rec.channels
    (10.0, ('x', 'y', 'z'))
    >>> mg = movement.Recording(np.tile([0.0, 0.0, 1000.0], (1000, 1)), fs=100, modality="accel",
    ...                         units="mg")
    >>> mg.units, float(mg.data[0, 2]), mg.notes["units"]
    ('g', 1.0, 'accelerometer units detected as mg (median |a| = 1e+03), converted to g')
    """

    data: np.ndarray
    fs: float
    modality: str
    channels: tuple[str, ...] | None = None
    units: str | None = None
    start: datetime | None = None
    source: str | None = None
    annotations: Any = None
    notes: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        src = self.source
        if isinstance(self.data, Recording):
            raise RecordingError(
                f"data is already a Recording ({self.data!r}): use it as it is, or make a new "
                "one with dataclasses.replace(rec, ...); its samples are rec.data",
                src,
            )
        index = None  # (a pandas DataFrame's or Series' index: a DatetimeIndex gives the start)
        if _is_pandas(self.data):
            _check_frame(self.data, src)
            index = self.data.index
            if self.channels is None and type(self.data).__name__ == "DataFrame":
                self.channels = tuple(str(c) for c in self.data.columns)  # (not ch1...)
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
        fs = rate_value(self.fs)
        if fs is None:
            raise RecordingError(
                f"sampling rate must be a number of Hz (e.g. 100 or '100 Hz'), got {self.fs!r}",
                src,
            )
        if not np.isfinite(fs) or fs <= 0:
            raise RecordingError(f"sampling rate must be > 0 Hz, got {self.fs!r}", src)
        modality = normalise_modality(self.modality)
        if modality is None:
            raise RecordingError(
                f"modality must be one of {', '.join(MODALITIES)} ({modality_words()}), "
                f"got {self.modality!r}",
                src,
            )
        self.modality = modality
        self.start = start_value(self.start, src)
        if index is not None:
            self.start = _index_start(index, fs, self.start, src)
        n = data.shape[0]
        if data.shape[1] > n and data.shape[1] / fs >= MIN_DURATION_S:  # (else: too short)
            raise RecordingError(
                f"data of shape {data.shape} ({n} samples of {data.shape[1]} channels) looks "
                "like channels x samples; give it as samples x channels (data.T)",
                src,
            )
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
            raise RecordingError(
                f"data contains infinite values ({_first_inf(data, fs, self.channels)})", src
            )
        if self.channels is None:
            k = data.shape[1]
            names = ("x", "y", "z") if (self.modality == "accel" and k == 3) else None
            self.channels = names or tuple(f"ch{i + 1}" for i in range(k))
        elif isinstance(self.channels, str):  # one text: comma-separated names
            self.channels = tuple(c.strip() for c in self.channels.split(","))
        else:
            self.channels = tuple(str(c) for c in self.channels)
        if len(self.channels) != data.shape[1]:
            raise RecordingError(
                f"{len(self.channels)} channel names for {data.shape[1]} channels", src
            )
        twice = sorted({c for c in self.channels if self.channels.count(c) > 1})
        if twice:  # (an event's channel would name two; per-channel tables count it twice)
            raise RecordingError(f"channel name {twice[0]!r} is given more than once", src)
        if not clean:  # (NaN: missing samples)
            _say_channel_gaps(data, self.channels, src)
            check_missing(nan_runs(np.isnan(data).any(axis=1)), n, fs, src)
        self.notes = dict(self.notes or {})
        if self.modality == "accel":
            data, self.units = self._accel_in_g(data, src)
        else:
            self.units = "a.u." if self.units is None else str(self.units)
        if data.flags.writeable:  # (a view: the caller's array stays as it was)
            data = data.view()
            data.flags.writeable = False
        self.data = data
        self.fs = fs
        object.__setattr__(self, "_checked", True)

    def __setattr__(self, name: str, value: Any) -> None:
        # the checks above hold for the recording's life: its samples are read-only and
        # its checked fields are not set again (a new Recording, or dataclasses.replace,
        # checks the new values)
        if name in _CHECKED_FIELDS and self.__dict__.get("_checked"):
            raise AttributeError(
                f"Recording.{name} is checked when the recording is made and cannot be "
                f"set after: make a new one, e.g. dataclasses.replace(rec, {name}=...)"
            )
        if name == "start" and self.__dict__.get("_checked"):  # (converted as when made)
            value = start_value(value, self.source)
        object.__setattr__(self, name, value)

    def _accel_in_g(self, data: np.ndarray, src: str | None) -> tuple[np.ndarray, str]:
        """Accelerometry in g (see ``units``): the data and its unit, ``notes["units"]``
        saying what was done. ``"g"`` and ``"a.u."`` are kept as they are, never
        detected: the Recordings the readers, :meth:`piece` and the stream's windows make
        carry one of them, and a window must not be judged apart from its recording."""
        units = self.units
        if units is not None and not isinstance(units, str):
            raise RecordingError(f"units must be text (e.g. 'g'), got {units!r}", src)
        key = accel_unit_key(units)
        if key == "g":
            # (a reader's recording, its pieces, its channels selected and the stream's
            # windows were judged when the file was read or made: notes["units"] says so,
            # or notes["selected"], or the stream made the window)
            if not ({"units", "gravity", "selected"} & set(self.notes)) and not _made_by_stream():
                self._say_gravity(_unit_sample(data), src)
            return data, "g"
        if key == "a.u.":
            self.notes.setdefault("units", AU_GIVEN)
            return data, "a.u."
        if key and key not in ACCEL_UNITS:
            raise RecordingError(unknown_accel_units(units), src)
        sample = _unit_sample(data)
        factor, note = accel_unit_factor(sample, units or None)
        self.notes["units"] = note
        for odd in (_not_acceleration(self.channels), _odd_sensors(sample, self.channels, factor)):
            if odd:
                warnings.warn((f"{src}: " if src else "") + odd, stacklevel=4)
        if UNITS_OVERRIDDEN in note:  # (units= was given and is not what the data show)
            warnings.warn((f"{src}: " if src else "") + note, stacklevel=4)
        if factor is None:  # (only without a unit: a declared one is used when undetected)
            k = data.shape[1]
            hint = "keep only the tri-axial columns, or " if k > 3 else ""
            # (gravity removed: no unit given makes it raw acceleration; "give units='g'"
            # led there, and the g then scored without a word)
            advice = (
                "give the raw acceleration, with gravity: units= would not make it so"
                if GRAVITY_REMOVED in note
                else f"{hint}give units='g', 'mg' or 'm/s^2'"
            )
            warnings.warn((f"{src}: " if src else "") + f"{note} ({advice})", stacklevel=4)
            return data, "a.u."
        self._say_gravity(sample * factor, src)
        return (data * factor if factor != 1.0 else data), "g"

    def _say_gravity(self, sample_g: np.ndarray, src: str | None) -> None:
        """Warn (and ``notes["gravity"]``) when the accelerometry in g (``sample_g``, a
        sample of its rows) has its gravity removed (:func:`gravity_note`)."""
        note = gravity_note(sample_g)
        if note:
            self.notes["gravity"] = note
            warnings.warn((f"{src}: " if src else "") + note, UserWarning, stacklevel=5)

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

    def select(self, channels: Sequence[str | int]) -> Recording:
        """The recording of some of its channels, by name or by 0-based position, in the
        order given (a view of the data when it can be): the rate, units, start, source and
        notes kept, ``notes["selected"]`` saying which. Accelerometry is not judged again
        (it was in g, or a.u., when this recording was made).

        Examples
        --------
        >>> import numpy as np
        >>> rec = Recording(np.zeros((100, 4)) + [0, 0, 1, 5], fs=50.0, modality="accel",
        ...     channels=("x", "y", "z", "temp"), units="g")
        >>> rec.select(["x", "y", "z"]).channels, rec.select([2]).data[0].tolist()
        (('x', 'y', 'z'), [1.0])
        >>> rec.select(["w"])
        Traceback (most recent call last):
        ...
        movement.errors.RecordingError: no channel 'w' (channels: x, y, z, temp)
        """
        names = list(self.channels or ())
        if isinstance(channels, (str, int)):
            channels = [channels]
        idx: list[int] = []
        for c in channels:
            if isinstance(c, (int, np.integer)) and not isinstance(c, bool):
                if not 0 <= int(c) < len(names):
                    raise RecordingError(
                        f"no channel at position {c} (0 to {len(names) - 1}: {', '.join(names)})",
                        self.source,
                    )
                idx.append(int(c))
            elif str(c) in names:
                idx.append(names.index(str(c)))
            else:
                raise RecordingError(
                    f"no channel {c!r} (channels: {', '.join(names)})", self.source
                )
        if not idx:
            raise RecordingError("select needs at least one channel", self.source)
        if len(set(idx)) != len(idx):
            raise RecordingError(f"a channel is selected twice: {list(channels)}", self.source)
        chosen = tuple(names[i] for i in idx)
        notes = dict(self.notes)
        notes["selected"] = f"channels {', '.join(chosen)} of {', '.join(names)}"
        data = (
            self.data[:, idx]
            if idx != list(range(idx[0], idx[-1] + 1))
            else (self.data[:, idx[0] : idx[-1] + 1])
        )
        return Recording(
            data, fs=self.fs, modality=self.modality, channels=chosen, units=self.units,
            start=self.start, source=self.source, annotations=self.annotations, notes=notes,
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


def _made_by_stream() -> bool:
    """Whether the Recording being made is a window of :mod:`movement.stream` (the first
    caller outside this module): a slice of a recording whose accelerometry was judged
    (gravity) when it was read or made, not to be judged again window by window."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back  # (this module's frames: __post_init__, the dataclass __init__)
    return frame is not None and frame.f_globals.get("__name__") == "movement.stream"


def _is_pandas(obj: Any) -> bool:
    """Whether ``obj`` is a pandas DataFrame or Series (pandas not imported to tell)."""
    return type(obj).__name__ in ("DataFrame", "Series") and type(obj).__module__.startswith(
        "pandas"
    )


def _check_frame(obj: Any, src: str | None) -> None:
    """Refuse a DataFrame's columns that are not samples, in one line naming them: a time
    column (by the name :func:`movement.io.read` recognises one, whatever its values), or a
    column of text, dates or True/False, with the selection that keeps the signal columns
    (``df[["x", "y", "z"]]``)."""
    import pandas as pd

    from .io.tables import is_time_name

    if not isinstance(obj, pd.DataFrame):
        if obj.name is not None and is_time_name(str(obj.name)):
            raise RecordingError(
                f"data (a pandas Series named {obj.name!r}) looks like a time column: pass "
                "the signal and fs=, or use movement.read",
                src,
            )
        if not pd.api.types.is_numeric_dtype(obj) or pd.api.types.is_bool_dtype(obj):
            raise RecordingError(f"data (a pandas Series) holds {_kind_of(obj)}, not numbers", src)
        return
    cols = list(obj.columns)
    timed = [c for c in cols if is_time_name(str(c))]
    odd = [
        c
        for c in cols
        if c not in timed
        and (not pd.api.types.is_numeric_dtype(obj[c]) or pd.api.types.is_bool_dtype(obj[c]))
    ]
    if not timed and not odd:
        return
    keep = [c for c in cols if c not in timed and c not in odd]
    if not keep:
        pick = "no column of samples is left: give the signal columns"
    elif timed and not odd and len(timed) == 1:
        pick = f"pass df.drop(columns={timed[0]!r})"
    else:
        shown = ", ".join(repr(c) for c in keep[:8]) + (", ..." if len(keep) > 8 else "")
        pick = f"pass the signal columns alone, e.g. df[[{shown}]]"
    if timed:
        which = ", ".join(repr(c) for c in timed)
        also = f" (and {', '.join(f'{c!r} holds {_kind_of(obj[c])}' for c in odd)})" if odd else ""
        raise RecordingError(
            f"column{'s' if len(timed) > 1 else ''} {which} look{'' if len(timed) > 1 else 's'} "
            f"like a time column{also}: {pick} and fs=, or use movement.read (which reads a "
            "file's time column for the rate and start)",
            src,
        )
    said = "; ".join(f"column {c!r} holds {_kind_of(obj[c])}" for c in odd[:4])
    raise RecordingError(f"data must be real numbers: {said}: {pick}", src)


def _kind_of(col: Any) -> str:
    """What a pandas column that is not numbers holds, for a message: ``text ('S01')``,
    ``dates``, ``True/False values``."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(col):
        return "True/False values"
    if pd.api.types.is_datetime64_any_dtype(col) or pd.api.types.is_timedelta64_dtype(col):
        return "dates or times"
    first = next((v for v in col if isinstance(v, str)), None)
    return f"text ({first[:30]!r})" if first is not None else f"values of dtype {col.dtype}"


def _index_start(index: Any, fs: float, start: datetime | None, src: str | None) -> Any:
    """The start a pandas DatetimeIndex gives (its first time; ``start`` when given
    wins), its rate checked against ``fs``: a median step more than 1 % off ``1 / fs`` is an
    error, a step going back too, and holes (steps over 1.5 periods) a warning, as the
    samples are taken one every ``1 / fs``."""
    import pandas as pd

    if not isinstance(index, pd.DatetimeIndex) or not len(index):
        return start
    if index.hasnans:
        raise RecordingError(
            "the DataFrame's DatetimeIndex has missing times (NaT): drop those rows or the index",
            src,
        )
    utc = index.tz_convert(None) if index.tz is not None else index
    ns = np.diff(utc.to_numpy().astype("datetime64[ns]").astype(np.int64))
    if ns.size:
        back = np.flatnonzero(ns <= 0)
        if back.size:
            i = int(back[0])
            raise RecordingError(
                f"the DataFrame's DatetimeIndex does not increase at row {i + 2} "
                f"({index[i]} then {index[i + 1]}): sort it (df.sort_index()) or drop "
                "repeated times",
                src,
            )
        step = float(np.median(ns)) / 1e9
        if abs(step * fs - 1.0) > 0.01:
            raise RecordingError(
                f"fs={fs:g} Hz disagrees with the DataFrame's DatetimeIndex (median step "
                f"{step:.6g} s: {1 / step:.6g} Hz): give the rate the index shows, or "
                "resample the data to fs",
                src,
            )
        longest = float(ns.max()) / 1e9
        if longest > 1.5 / fs:
            holes = int(np.count_nonzero(ns > 1.5e9 / fs))
            i = int(np.argmax(ns))
            warnings.warn(
                (f"{src}: " if src else "")
                + f"the DataFrame's DatetimeIndex has {holes} hole{'s' if holes > 1 else ''} "
                f"(the longest {longest:.6g} s, after {index[i]}): its samples are taken one "
                f"every 1/{fs:g} s, so times after a hole are off; movement.read puts a file's "
                "time column with holes on a uniform grid",
                UserWarning,
                stacklevel=4,
            )
    return start if start is not None else index[0]  # (a pandas Timestamp: a datetime)


def _first_inf(data: np.ndarray, fs: float, channels: Any = None) -> str:
    """Where a (samples, channels) array's infinite values are, for its error: how many,
    and the first one's sample, time and channel (its name, else its 0-based index)."""
    bad = np.isinf(data)
    rows = np.flatnonzero(bad.any(axis=1))
    i = int(rows[0])
    c = int(np.flatnonzero(bad[i])[0])
    count = int(bad.sum())
    names = list(channels) if channels is not None else []
    where = f"channel {names[c]!r}" if len(names) == data.shape[1] else f"channel index {c}"
    return f"{count} value{'s' if count > 1 else ''}; the first at sample {i} ({i / fs:.6g} s), {where}"


def _say_channel_gaps(data: np.ndarray, channels: tuple[str, ...], src: str | None) -> None:
    """Missing samples are shared by every channel (a sample with a NaN on any channel is
    missing): a channel with no samples at all is refused by name (its neighbours'
    samples would all be missing), and channels whose NaNs cost the others samples they
    have are a warning naming them (the same text in every stream window)."""
    k = data.shape[1]
    if k < 2:
        return
    nan = np.isnan(data)
    dead = np.flatnonzero(nan.all(axis=0))
    if len(dead) and len(dead) < k:
        which = ", ".join(repr(channels[int(c)]) for c in dead)
        raise RecordingError(
            f"channel {which} holds no samples (all NaN): leave it out (channels=...; "
            "--channels on the command line), as a sample with a NaN on any channel is "
            "missing on every channel",
            src,
        )
    some = nan.any(axis=1) & ~nan.all(axis=1)  # missing on some channels only
    if some.any():
        cols = np.flatnonzero(nan[some].any(axis=0))
        which = ", ".join(repr(channels[int(c)]) for c in cols)
        said = (
            f"samples missing on channel {which} only are missing on every channel"
            if len(cols) == 1
            else f"samples missing on some channels only (on {which}, not all at once) are "
            "missing on every channel"
        )
        warnings.warn(
            f"{src + ': ' if src else ''}{said}: events of the other channels there are not "
            "looked for",
            UserWarning,
            stacklevel=4,
        )
