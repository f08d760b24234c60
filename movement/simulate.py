"""Simulated recordings with exact ground truth, for tests, training and evaluation.

:func:`simulate` builds an accelerometer (in g, gravity included) or surface-EMG
(in mV) recording from a background (sensor noise, orientation drift, baseline
wander, powerline hum, ECG) plus discrete events placed on a timeline, and
returns it with a ground-truth table in the project's events format
(``onset``, ``duration``, ``trial_type``, ``subtype``, ``channel`` + a few
descriptive columns). :func:`write_simulation` writes it in the project's own
input format (``<stem>.csv`` or ``.npy`` + ``<stem>.json`` sidecar) and the truth
as ``<stem>_events.tsv``.

The shapes, rates and amplitudes come from the project's domain reference (its studies
are listed under Sources in the README): [S] values are from a cited study, the rest are
estimates.

Event types (``trial_type`` / ``subtype``)
------------------------------------------
fasciculation-like
    EMG ``muap``: one motor-unit potential, biphasic / triphasic / polyphasic
    (Hermite-Gaussian shapes), 3-24 ms, 0.05-0.5 mV peak-to-peak, on one channel
    (20 % of them leak at 10-30 % into a neighbouring channel, not listed);
    ``doublet``: the same unit firing twice 30-35 ms apart (5 % of twitches).
    Accel ``twitch``: a damped 10-25 Hz oscillation or a twitch-shaped bump
    (contraction time 35-98 ms), 0.1-1 s, 0.01-0.1 g peak.
    Timing: Poisson-like (uniform order statistics on the free timeline).
dystonia-like
    EMG ``cocontraction``: an interference pattern (20-120 Hz band-limited noise,
    amplitude-modulated) on two or more channels at once, 2-30 s;
    ``dystonic_tremor``: irregular 3-8 Hz co-contracting bursts of 70-140 ms,
    per-cycle frequency jitter +-1 Hz, burst amplitude CV 0.3-0.6;
    ``spasm``: 0.3-5 s co-contraction with a fast onset.
    Accel ``posture``: the gravity vector tilted 10-40 deg (minimum-jerk ramps),
    held 2-30 s, half of them with a small dystonic tremor on top;
    ``dystonic_tremor``: a jerky saw-tooth oscillation, 3-8 Hz +-1 Hz per cycle,
    amplitude CV 0.3-0.6, 0.03-0.2 g; ``spasm``: a fast 10-40 deg tilt held
    0.3-5 s with tremulous jitter.
other (confounders, listed in the truth)
    ``walking`` (~1.7 steps/s, bouts 10-90 s; EMG: alternating bursts),
    ``reaching`` (0.5-3 s minimum-jerk out and back; EMG: a smooth burst on one
    channel), ``regular_tremor`` (ET/PD 4-7 Hz or enhanced physiological
    8-12 Hz; stable frequency and amplitude), ``myoclonus`` (10-200 ms, large,
    all EMG channels; >= 0.2 g), ``knock`` (a few samples, >= 0.5 g or 1-5 mV,
    broadband), ``clipping`` (a movement beyond the sensor's range),
    ``motion_artefact`` (EMG: a baseline step or < 20 Hz swing),
    ``activity`` (accelerometer: a 5-60 s bout of vigorous everyday movement, a chain of
    0.3-1.5 s minimum-jerk movements in random directions with the wrist turning
    10-90 deg, peaks up to several g: household tasks, gesturing).
continuous contamination (never listed)
    ``ecg`` (QRS trains at 1-1.7 Hz, ~90 ms), ``powerline`` (50/60 Hz and odd
    harmonics), ``wander`` (EMG baseline wander < 0.5 Hz; accel offset drift).

Events never overlap and are separated by at least ``min_gap_s`` (1 s) from each
other and from the recording's ends.

Signal-to-noise ratio
---------------------
``snr_db = 20 log10(rms_event / rms_noise)`` where ``rms_event`` is the RMS of the
event's own added waveform over its span in the truth table (EMG: on its main
channel, the first one listed; accelerometer: the vector norm over the three axes,
a tilt's change of the gravity vector included) and ``rms_noise`` the RMS of the
sensor's white background noise over the same channels (EMG: ``sigma``; accel:
``sigma * sqrt(3)``). Quantisation and continuous contamination are not counted.
When ``snr_db`` is given, every target event is scaled to it, except accelerometer
tilts (``posture``, ``spasm``), which keep their physiological 10-40 deg; confounders keep physiological amplitudes. The
realised value of every event is in the truth table's ``snr_db`` column.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import signal

from ._atomic import atomic_path
from ._callable import callable_module
from ._version import __version__
from .errors import MovementError
from .recording import MIN_DURATION_S, Recording

__all__ = [
    "SimulationParams",
    "Simulation",
    "SimulationError",
    "simulate",
    "write_simulation",
    "cli_configure",
    "cli_run",
    "CONFOUNDERS",
    "DEFAULT_CONFOUNDERS",
    "TARGET_SUBTYPES",
]

_G = 9.80665

TRIAL_TYPES = ("fasciculation-like", "dystonia-like", "other")

#: Values (samples x channels) a simulated recording may hold: it is built whole in memory,
#: with a few float64 copies (2e8 values: 1.6 GB each; 7.7 days of 100 Hz accelerometry,
#: 28 h of one channel of 2 kHz EMG).
MAX_VALUES = 2e8
#: SNRs (dB) a simulation accepts: far beyond any real recording's either way.
SNR_DB_RANGE = (-60.0, 120.0)

#: Subtypes of the two target classes, per modality.
TARGET_SUBTYPES: dict[str, dict[str, tuple[str, ...]]] = {
    "emg": {
        "fasciculation-like": ("muap", "doublet"),
        "dystonia-like": ("cocontraction", "dystonic_tremor", "spasm"),
    },
    "accel": {
        "fasciculation-like": ("twitch",),
        "dystonia-like": ("posture", "dystonic_tremor", "spasm"),
    },
}

#: Target subtypes that keep their physiological amplitude when ``snr_db`` is given.
_UNSCALED: dict[str, tuple[str, ...]] = {"accel": ("posture", "spasm")}

#: Confounders each modality can simulate. ``ecg``, ``powerline`` and ``wander``
#: are continuous contamination and never appear in the truth table.
CONFOUNDERS: dict[str, tuple[str, ...]] = {
    "accel": (
        "walking",
        "reaching",
        "activity",
        "regular_tremor",
        "myoclonus",
        "knock",
        "clipping",
        "wander",
    ),
    "emg": (
        "walking",
        "reaching",
        "regular_tremor",
        "myoclonus",
        "knock",
        "clipping",
        "motion_artefact",
        "ecg",
        "powerline",
        "wander",
    ),
}
CONTINUOUS = ("ecg", "powerline", "wander")

#: The default, "realistic" mix of confounders (``confounders=None``).
DEFAULT_CONFOUNDERS: dict[str, tuple[str, ...]] = {
    "accel": ("walking", "reaching", "activity", "regular_tremor", "knock", "wander"),
    "emg": ("reaching", "regular_tremor", "knock", "motion_artefact", "ecg", "powerline", "wander"),
}

_MODALITY = {
    "accel": {"fs": 100.0, "n_channels": 3, "units": "g", "fs_range": (20.0, 1000.0)},
    "emg": {"fs": 2000.0, "n_channels": 2, "units": "mV", "fs_range": (500.0, 20000.0)},
}

#: Columns of the ground-truth table, in order.
TRUTH_COLUMNS = (
    "onset",
    "duration",
    "trial_type",
    "subtype",
    "channel",
    "amplitude",
    "snr_db",
    "frequency_hz",
    "tilt_deg",
)


class SimulationError(MovementError, ValueError):
    """Bad simulation options (unknown modality or confounder, impossible range...)."""


def _r(lo: float, hi: float) -> Any:
    return field(default=(float(lo), float(hi)))


@dataclass(frozen=True)
class SimulationParams:
    """Rates, amplitude and duration ranges of the simulator.

    Every ``(lo, hi)`` pair is a range values are drawn from, uniformly (durations
    over 1 s and amplitudes: log-uniformly). Widen them to train on more varied
    data; ``dataclasses.replace(params, ...)`` or ``SimulationParams(**overrides)``.
    Rates are events per minute of recording (the timeline drops events that do
    not fit with ``min_gap_s`` between them).

    Examples
    --------
    >>> from movement.simulate import SimulationParams, simulate
    >>> p = SimulationParams(fasciculation_rate_per_min=20, muap_pp_mv=(0.02, 0.2))
    >>> sim = simulate("emg", 20, seed=1, params=p, confounders="none")
    >>> set(sim.events.trial_type) <= {"fasciculation-like", "dystonia-like"}
    True
    """

    # -- targets ------------------------------------------------------------
    fasciculation_rate_per_min: float = 4.0  # benign 1-5/min, ALS ~40/min [S: Bashford 2020]
    doublet_fraction: float = 0.05  # doublets in ~5 % [S: Kleine 2012; E]
    dystonia_rate_per_min: float = 0.5
    dystonia_mix: dict = field(
        default_factory=lambda: {
            "cocontraction": 0.35,
            "posture": 0.35,
            "dystonic_tremor": 0.35,
            "spasm": 0.3,
        }
    )
    muap_duration_s: tuple = _r(0.003, 0.024)  # 2.8-23.9 ms [S: JNNP]
    muap_pp_mv: tuple = _r(0.05, 0.5)  # surface 50-500 uV [E]
    doublet_interval_s: tuple = _r(0.030, 0.035)
    twitch_duration_s: tuple = _r(0.1, 1.0)  # visible twitch 0.1-1 s [S: ultrasound]
    twitch_peak_g: tuple = _r(0.01, 0.1)
    twitch_freq_hz: tuple = _r(10.0, 25.0)
    twitch_contraction_s: tuple = _r(0.035, 0.098)  # [S: Sica & McComas 1971]
    sustained_duration_s: tuple = _r(2.0, 30.0)  # cocontraction / posture
    spasm_duration_s: tuple = _r(0.3, 5.0)
    dystonic_tremor_duration_s: tuple = _r(2.0, 20.0)
    contraction_rms_mv: tuple = _r(0.03, 0.3)
    tremor_freq_hz: tuple = _r(3.0, 8.0)  # [S: Dystonia 2024; Grosse 2004]
    tremor_jitter_hz: float = 1.0
    tremor_amp_cv: tuple = _r(0.3, 0.6)
    tremor_burst_s: tuple = _r(0.07, 0.14)  # 92-111 ms [S: Dystonia 2024]
    dystonic_tremor_g: tuple = _r(0.03, 0.2)
    posture_tilt_deg: tuple = _r(10.0, 40.0)
    # -- confounders ----------------------------------------------------------
    confounder_rates_per_min: dict = field(
        default_factory=lambda: {
            "walking": 0.15,
            "reaching": 1.0,
            "activity": 0.1,
            "regular_tremor": 0.15,
            "myoclonus": 0.2,
            "knock": 0.3,
            "clipping": 0.05,
            "motion_artefact": 0.3,
        }
    )
    walking_duration_s: tuple = _r(10.0, 90.0)  # bouts >= 10 s [S: Urbanek 2015]
    step_hz: tuple = _r(1.5, 1.9)  # ~1.7 steps/s
    walking_g: tuple = _r(0.1, 0.35)
    reach_duration_s: tuple = _r(0.5, 3.0)
    reach_distance_m: tuple = _r(0.1, 0.5)
    activity_duration_s: tuple = _r(5.0, 60.0)
    activity_move_s: tuple = _r(0.3, 1.5)
    activity_distance_m: tuple = _r(0.1, 0.8)
    voluntary_rms_mv: tuple = _r(0.05, 0.4)
    regular_tremor_duration_s: tuple = _r(3.0, 30.0)
    essential_tremor_hz: tuple = _r(4.0, 7.0)
    physiological_tremor_hz: tuple = _r(8.0, 12.0)
    regular_tremor_g: tuple = _r(0.02, 0.15)
    physiological_tremor_g: tuple = _r(0.005, 0.035)  # [S: Arch Neurol 1982]
    myoclonus_duration_s: tuple = _r(0.01, 0.2)  # [S: van der Veen 2024]
    myoclonus_g: tuple = _r(0.2, 1.0)
    myoclonus_rms_mv: tuple = _r(0.3, 1.5)
    knock_g: tuple = _r(0.5, 4.0)
    knock_mv: tuple = _r(1.0, 4.0)
    clipping_duration_s: tuple = _r(0.05, 0.4)
    motion_artefact_duration_s: tuple = _r(0.2, 2.0)
    motion_artefact_mv: tuple = _r(0.2, 2.0)
    ecg_rate_hz: tuple = _r(1.0, 1.7)  # [S: Drake & Callaghan 2006]
    ecg_mv: tuple = _r(0.01, 0.15)
    powerline_hz: float = 50.0
    powerline_mv: tuple = _r(0.002, 0.02)
    wander_mv: tuple = _r(0.01, 0.08)
    wander_g: tuple = _r(0.002, 0.01)
    # -- sensor -------------------------------------------------------------
    accel_noise_g: tuple = _r(0.003, 0.008)  # consumer MEMS ~+-8 mg
    emg_noise_mv: tuple = _r(0.003, 0.010)
    orientation_drift_deg: tuple = _r(2.0, 8.0)
    accel_range_g: float = 8.0
    accel_bits: int = 12
    emg_range_mv: float = 5.0
    emg_bits: int = 16
    min_gap_s: float = 1.0

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, list):
                v = tuple(float(x) for x in v)
                object.__setattr__(self, f.name, v)
            if isinstance(v, tuple):
                if len(v) != 2 or not (0 <= v[0] <= v[1]) or not all(map(math.isfinite, v)):
                    raise SimulationError(
                        f"{f.name} must be a range (lo, hi) with 0 <= lo <= hi, got {v!r}"
                    )
            elif isinstance(v, dict):
                if any((not isinstance(x, int | float)) or x < 0 for x in v.values()):
                    raise SimulationError(f"{f.name} values must be numbers >= 0, got {v!r}")
            elif isinstance(v, int | float) and (not math.isfinite(v) or v < 0):
                raise SimulationError(f"{f.name} must be >= 0, got {v!r}")
        unknown = set(self.confounder_rates_per_min) - (
            set(CONFOUNDERS["emg"]) | set(CONFOUNDERS["accel"])
        )
        if unknown:
            raise SimulationError(
                f"unknown confounder(s) in confounder_rates_per_min: {sorted(unknown)}"
            )
        subtypes = {s for m in TARGET_SUBTYPES.values() for s in m["dystonia-like"]}
        if set(self.dystonia_mix) - subtypes:
            raise SimulationError(f"dystonia_mix keys must be among {sorted(subtypes)}")
        if self.doublet_fraction > 1:
            raise SimulationError("doublet_fraction must be within 0-1")

    def to_dict(self) -> dict[str, Any]:
        """The parameters as a JSON-serialisable dict."""
        d = asdict(self)
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in d.items()}


@dataclass
class Simulation:
    """A simulated recording and its ground truth.

    Attributes
    ----------
    recording : Recording
        The signal (quantised, clipped to the sensor's range).
    events : pandas.DataFrame
        Ground truth, one row per event ordered by onset, columns ``TRUTH_COLUMNS``:
        ``onset``, ``duration`` (s), ``trial_type``, ``subtype``, ``channel``,
        ``amplitude`` (peak of the event's own waveform, recording units),
        ``snr_db`` (realised, see the module docstring), ``frequency_hz`` and
        ``tilt_deg`` (NaN where they do not apply).
    seed, stream : int
        The random seed (and sub-stream) that reproduce it.
    params : SimulationParams
    snr_db : float or None
        The SNR target events were scaled to (None: physiological amplitudes).
    confounders : tuple of str
        The confounders simulated.
    confounder_only : bool
    noise_rms : float
        Per-channel RMS of the white background noise (g or mV).
    """

    recording: Recording
    events: pd.DataFrame
    seed: int
    stream: int
    params: SimulationParams
    snr_db: float | None
    confounders: tuple[str, ...]
    confounder_only: bool
    noise_rms: float

    @property
    def modality(self) -> str:
        """``"accel"`` or ``"emg"``."""
        return self.recording.modality

    def describe(self) -> dict[str, Any]:
        """What reproduces this simulation (stored in the sidecar's ``Simulation``)."""
        return {
            "generator": f"movement.simulate {__version__}",
            "seed": self.seed,
            "stream": self.stream,
            "modality": self.modality,
            "duration_s": self.recording.duration,
            "fs": self.recording.fs,
            "n_channels": self.recording.n_channels,
            "snr_db": self.snr_db,
            "confounders": list(self.confounders),
            "confounder_only": self.confounder_only,
            "noise_rms": self.noise_rms,
            "n_events": int(len(self.events)),
            "params": self.params.to_dict(),
        }


# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------
def _u(rng: np.random.Generator, r: Sequence[float]) -> float:
    return float(rng.uniform(r[0], r[1])) if r[1] > r[0] else float(r[0])


def _lu(rng: np.random.Generator, r: Sequence[float]) -> float:
    """Log-uniform in ``r`` (uniform when ``lo`` is 0)."""
    if r[0] <= 0 or r[1] <= r[0]:
        return _u(rng, r)
    return float(np.exp(rng.uniform(np.log(r[0]), np.log(r[1]))))


def _unit(rng: np.random.Generator) -> np.ndarray:
    v = rng.normal(size=3)
    return v / np.linalg.norm(v)


def _perp(rng: np.random.Generator, g: np.ndarray) -> np.ndarray:
    """A random unit vector perpendicular to ``g``."""
    g = g / np.linalg.norm(g)
    while True:
        v = rng.normal(size=3)
        k = v - (v @ g) * g
        nk = np.linalg.norm(k)
        if nk > 1e-6:
            return k / nk


def _taper(n: int, nr: int) -> np.ndarray:
    """Ones with raised-cosine ramps of ``nr`` samples at both ends."""
    w = np.ones(n)
    nr = int(min(nr, n // 2))
    if nr > 0:
        ramp = 0.5 - 0.5 * np.cos(np.pi * (np.arange(nr) + 0.5) / nr)
        w[:nr] = ramp
        w[n - nr :] = ramp[::-1]
    return w


def _minjerk(s: np.ndarray) -> np.ndarray:
    """Minimum-jerk position profile 0 -> 1 for ``s`` in [0, 1]."""
    s = np.clip(s, 0.0, 1.0)
    return s**3 * (10 - 15 * s + 6 * s**2)


def _ramp_hold(n: int, n_in: int, n_out: int) -> np.ndarray:
    """0 -> 1 (minimum-jerk over ``n_in``), held, 1 -> 0 over the last ``n_out`` samples."""
    i = np.arange(n, dtype=float)
    up = _minjerk((i + 1) / max(n_in, 1))
    down = _minjerk((n - 1 - i) / max(n_out, 1))
    return np.minimum(up, down)


@lru_cache(maxsize=32)
def _band_sos(lo: float, hi: float, fs: float, order: int = 2) -> np.ndarray:
    hi = min(hi, 0.45 * fs)
    return signal.butter(order, [lo, hi], btype="bandpass", fs=fs, output="sos")


def _band_noise(rng: np.random.Generator, n: int, fs: float, lo: float, hi: float) -> np.ndarray:
    """Unit-RMS band-limited Gaussian noise (the EMG interference pattern's carrier)."""
    pad = int(0.1 * fs)
    x = signal.sosfilt(_band_sos(lo, hi, fs), rng.normal(size=n + pad))[pad:]
    return x / (np.sqrt(np.mean(x**2)) + 1e-12)


def _smooth_mod(
    rng: np.random.Generator, n: int, fs: float, f: tuple[float, float], k: int = 3
) -> np.ndarray:
    """A smooth random modulation, zero mean, peak about 1 (sum of ``k`` sinusoids)."""
    t = np.arange(n) / fs
    fr = rng.uniform(f[0], f[1], k)
    ph = rng.uniform(0, 2 * np.pi, k)
    return np.sin(2 * np.pi * fr[None, :] * t[:, None] + ph[None, :]).sum(axis=1) / k


def _cycles(
    rng: np.random.Generator,
    n: int,
    fs: float,
    f0: float,
    jitter: float,
    f_range: tuple[float, float],
    cv: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-sample cycle index, phase in [0, 1), time into the cycle; per-cycle amplitude, period.

    Each cycle has its own frequency ``f0 + U(-jitter, jitter)`` (kept in
    ``f_range``) and amplitude (gamma, mean 1, coefficient of variation ``cv``).
    """
    m = int(np.ceil(n / fs * f_range[1])) + 2
    f = np.clip(f0 + rng.uniform(-jitter, jitter, m), f_range[0], f_range[1])
    period = 1.0 / f
    starts = np.concatenate(([0.0], np.cumsum(period)))
    t = np.arange(n) / fs
    k = np.searchsorted(starts, t, side="right") - 1
    tau = t - starts[k]
    phase = tau / period[k]
    if cv > 0:
        amp = rng.gamma(1.0 / cv**2, cv**2, m)
    else:
        amp = np.ones(m)
    return k, phase, tau, amp, period


def _rotate(gv: np.ndarray, axis: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Rotate vectors ``gv`` (m, 3) about unit ``axis`` by ``theta`` (m,) radians (Rodrigues)."""
    c = np.cos(theta)[:, None]
    s = np.sin(theta)[:, None]
    kxg = np.cross(axis[None, :], gv)
    kdg = (gv @ axis)[:, None]
    return gv * c + kxg * s + axis[None, :] * kdg * (1 - c)


# ---------------------------------------------------------------------------
# the simulation context and event generators
# ---------------------------------------------------------------------------
@dataclass
class _Ctx:
    modality: str
    fs: float
    n: int
    nch: int
    p: SimulationParams
    rng: np.random.Generator
    sigma: float
    gravity: np.ndarray | None = None  # accel: (n, 3) unit gravity vectors

    @property
    def noise_ref(self) -> float:
        return self.sigma * (np.sqrt(3.0) if self.modality == "accel" else 1.0)


@dataclass
class _Ev:
    w: np.ndarray  # (n_event, n_channels) additive waveform
    channels: list[int]
    frequency: float = float("nan")
    tilt: float = float("nan")


def _ref_rms(ctx: _Ctx, ev: _Ev) -> float:
    if ctx.modality == "accel":
        return float(np.sqrt(np.mean(np.sum(ev.w**2, axis=1))))
    return float(np.sqrt(np.mean(ev.w[:, ev.channels[0]] ** 2)))


def _ref_peak(ctx: _Ctx, ev: _Ev) -> float:
    if ctx.modality == "accel":
        return float(np.sqrt(np.sum(ev.w**2, axis=1)).max())
    return float(np.abs(ev.w[:, ev.channels[0]]).max())


def _fit(ctx: _Ctx, ev: _Ev, target: float | None) -> _Ev:
    """Scale the waveform so its reference RMS is ``target`` (when given)."""
    if target is not None:
        rms = _ref_rms(ctx, ev)
        if rms > 0:
            ev.w = ev.w * (target / rms)
    return ev


def _emg_channels(ctx: _Ctx, at_least: int = 2) -> list[int]:
    """Channels of a multi-channel (co-contraction / overflow) event: all, or a subset >= 2."""
    if ctx.nch <= 2:
        return list(range(ctx.nch))
    k = int(ctx.rng.integers(at_least, ctx.nch + 1))
    return sorted(int(c) for c in ctx.rng.choice(ctx.nch, size=k, replace=False))


def _burst_emg(
    ctx: _Ctx,
    n: int,
    chans: list[int],
    env: np.ndarray,
    band: tuple[float, float],
    gains: bool = True,
) -> np.ndarray:
    """Band-limited noise under the envelope ``env`` on ``chans`` (independent carriers)."""
    w = np.zeros((n, ctx.nch))
    for j, c in enumerate(chans):
        g = 1.0 if (j == 0 or not gains) else ctx.rng.uniform(0.6, 1.0)
        w[:, c] = g * env * _band_noise(ctx.rng, n, ctx.fs, *band)
    return w


# -- EMG targets ------------------------------------------------------------------
def _muap_shape(rng: np.random.Generator, n: int) -> np.ndarray:
    """A motor-unit potential filling ``n`` samples, unit peak-to-peak."""
    x = np.linspace(-3.5, 3.5, n)  # the span is +-3.5 sigma
    kind = rng.choice(3, p=[0.45, 0.4, 0.15])
    if kind == 0:  # biphasic: first Hermite-Gaussian
        w = -x * np.exp(-(x**2) / 2)
    elif kind == 1:  # triphasic: second
        w = (1 - x**2) * np.exp(-(x**2) / 2)
    else:  # polyphasic: a few narrower shifted components
        w = np.zeros(n)
        for _ in range(int(rng.integers(2, 4))):
            c = rng.uniform(-1.2, 1.2)
            s = rng.uniform(0.45, 0.7)
            z = (x - c) / s
            w += rng.choice([-1.0, 1.0]) * rng.uniform(0.4, 1.0) * z * np.exp(-(z**2) / 2)
    w = w * _taper(n, max(1, n // 8))
    w -= w.mean() * _taper(n, n // 2)  # no DC step
    pp = w.max() - w.min()
    return w / pp if pp > 0 else w


def _gen_muap(ctx: _Ctx, n: int, extra: dict, target: float | None) -> _Ev:
    rng = ctx.rng
    ch = int(rng.integers(ctx.nch))
    pp = _lu(rng, ctx.p.muap_pp_mv)
    w = np.zeros((n, ctx.nch))
    if extra.get("doublet"):
        nm = extra["n_muap"]
        shape = _muap_shape(rng, nm)
        w[:nm, ch] = pp * shape
        w[n - nm :, ch] += pp * rng.uniform(0.85, 1.0) * shape
    else:
        w[:, ch] = pp * _muap_shape(rng, n)
    if ctx.nch > 1 and rng.random() < 0.2:  # volume-conducted leak to a neighbour
        nb = ch + 1 if ch + 1 < ctx.nch else ch - 1
        w[:, nb] = rng.uniform(0.1, 0.3) * w[:, ch]
    return _fit(ctx, _Ev(w, [ch]), target)


def _gen_cocontraction(ctx: _Ctx, n: int, extra: dict, target: float | None) -> _Ev:
    rng, fs = ctx.rng, ctx.fs
    chans = _emg_channels(ctx)
    rise = int(rng.uniform(0.1, 0.5) * fs)
    env = _taper(n, rise) * (1 + rng.uniform(0.2, 0.5) * _smooth_mod(rng, n, fs, (0.2, 2.0)))
    w = _burst_emg(ctx, n, chans, env, (20.0, 120.0))  # median frequency lower [S: Go 2014]
    w *= _lu(rng, ctx.p.contraction_rms_mv)
    return _fit(ctx, _Ev(w, chans), target)


def _gen_spasm_emg(ctx: _Ctx, n: int, extra: dict, target: float | None) -> _Ev:
    rng, fs = ctx.rng, ctx.fs
    chans = _emg_channels(ctx)
    n_in = int(min(rng.uniform(0.03, 0.1) * fs, n // 3))
    n_out = int(min(rng.uniform(0.1, 0.3) * fs, n // 3))
    env = np.sqrt(_ramp_hold(n, n_in, n_out)) * (1 + 0.3 * _smooth_mod(rng, n, fs, (1.0, 4.0)))
    w = _burst_emg(ctx, n, chans, env, (20.0, 150.0))
    w *= 1.5 * _lu(rng, ctx.p.contraction_rms_mv)
    return _fit(ctx, _Ev(w, chans), target)


def _tremor_bursts(
    ctx: _Ctx,
    n: int,
    f0: float,
    jitter: float,
    cv: float,
    burst: tuple[float, float],
    f_range: tuple[float, float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Burst envelope (sin^2 bursts at cycle starts); also cycle index and phase."""
    k, phase, tau, amp, period = _cycles(ctx.rng, n, ctx.fs, f0, jitter, f_range, cv)
    b = ctx.rng.uniform(burst[0], burst[1], amp.size)
    bk = np.minimum(b, 0.8 * period)[k]
    inside = tau < bk
    env = np.where(inside, amp[k] * np.sin(np.pi * tau / np.maximum(bk, 1e-9)) ** 2, 0.0)
    return env, k, phase


def _gen_dystonic_tremor_emg(ctx: _Ctx, n: int, extra: dict, target: float | None) -> _Ev:
    rng, fs, p = ctx.rng, ctx.fs, ctx.p
    chans = _emg_channels(ctx)
    f0 = _u(rng, p.tremor_freq_hz)
    lo, hi = p.tremor_freq_hz
    f_range = (max(1.0, lo - p.tremor_jitter_hz), hi + p.tremor_jitter_hz)
    env, _, _ = _tremor_bursts(
        ctx, n, f0, p.tremor_jitter_hz, _u(rng, p.tremor_amp_cv), p.tremor_burst_s, f_range
    )
    env = (env + 0.1) * _taper(n, int(0.1 * fs))  # tonic floor between bursts
    w = _burst_emg(ctx, n, chans, env, (20.0, 150.0))
    w *= _lu(rng, p.contraction_rms_mv) * 1.5
    return _fit(ctx, _Ev(w, chans, frequency=f0), target)


# -- accelerometer targets -------------------------------------------------------
def _gen_twitch(ctx: _Ctx, n: int, extra: dict, target: float | None) -> _Ev:
    rng, fs, p = ctx.rng, ctx.fs, ctx.p
    t = np.arange(n) / fs
    dur = n / fs
    f = float("nan")
    if rng.random() < 0.7:  # damped oscillation of the soft tissue
        f = min(_u(rng, p.twitch_freq_hz), 0.4 * fs)
        tp = dur / 6.5  # alpha envelope: peak at tp, 5 % at the end
        env = (t / tp) * np.exp(1 - t / tp)
        x = env * np.sin(2 * np.pi * f * t)
    else:  # twitch-shaped bump: accelerate then decelerate (zero net velocity)
        tc = min(_u(rng, p.twitch_contraction_s), dur / 12.6)

        def bump(tt: np.ndarray, T: float) -> np.ndarray:
            return tt * np.exp(-tt / T)

        x = bump(t, tc) - bump(t, 2 * tc) / 4
    x = x * _taper(n, max(1, n // 20))
    x /= np.abs(x).max() + 1e-12
    d = _unit(rng)
    w = np.outer(x, d) * _lu(rng, p.twitch_peak_g)
    return _fit(ctx, _Ev(w, [0, 1, 2], frequency=f), target)


def _sawtooth_tremor(ctx: _Ctx, n: int, f0: float, cv: float) -> np.ndarray:
    """Irregular jerky saw-tooth oscillation, unit peak on average."""
    p = ctx.p
    lo, hi = p.tremor_freq_hz
    f_range = (max(1.0, lo - p.tremor_jitter_hz), hi + p.tremor_jitter_hz)
    k, phase, _, amp, _ = _cycles(ctx.rng, n, ctx.fs, f0, p.tremor_jitter_hz, f_range, cv)
    ph = 2 * np.pi * phase
    saw = np.sin(ph) + np.sin(2 * ph) / 2 + np.sin(3 * ph) / 3  # peak ~1.63
    return amp[k] * saw / 1.63


def _gen_dystonic_tremor_accel(ctx: _Ctx, n: int, extra: dict, target: float | None) -> _Ev:
    rng, fs, p = ctx.rng, ctx.fs, ctx.p
    f0 = _u(rng, p.tremor_freq_hz)
    x = _sawtooth_tremor(ctx, n, f0, _u(rng, p.tremor_amp_cv)) * _taper(n, int(0.2 * fs))
    d = _unit(rng)
    d2 = _perp(rng, d)
    w = (np.outer(x, d) + 0.3 * np.outer(x, d2)) * _lu(rng, p.dystonic_tremor_g)
    return _fit(ctx, _Ev(w, [0, 1, 2], frequency=f0), target)


def _tilt_wave(ctx: _Ctx, i0: int, profile: np.ndarray, deg: float, axis: np.ndarray) -> np.ndarray:
    g = ctx.gravity[i0 : i0 + profile.size]
    return _rotate(g, axis, np.deg2rad(deg) * profile) - g


def _tilt_event(
    ctx: _Ctx,
    i0: int,
    n: int,
    profile: np.ndarray,
    deg: float,
    extra_w: np.ndarray | None,
    target: float | None,
) -> _Ev:
    axis = _perp(ctx.rng, ctx.gravity[i0 : i0 + n].mean(axis=0))
    w = _tilt_wave(ctx, i0, profile, deg, axis)
    if extra_w is not None:
        w = w + extra_w
    ev = _Ev(w, [0, 1, 2], tilt=deg)
    if target is not None:
        rms = _ref_rms(ctx, ev)
        deg = float(np.clip(deg * target / max(rms, 1e-12), 1.0, 60.0))
        w = _tilt_wave(ctx, i0, profile, deg, axis)
        if extra_w is not None:
            w = w + extra_w * (target / max(rms, 1e-12))
        ev = _Ev(w, [0, 1, 2], tilt=deg)
    return ev


def _gen_posture(ctx: _Ctx, n: int, extra: dict, target: float | None) -> _Ev:
    rng, fs, p = ctx.rng, ctx.fs, ctx.p
    n_in = int(min(rng.uniform(0.3, 1.0) * fs, 0.3 * n))
    n_out = int(min(rng.uniform(0.3, 1.0) * fs, 0.3 * n))
    prof = _ramp_hold(n, n_in, n_out)
    extra_w = None
    freq = float("nan")
    if rng.random() < 0.5:  # dystonic tremor superimposed on the held posture
        freq = _u(rng, p.tremor_freq_hz)
        x = _sawtooth_tremor(ctx, n, freq, _u(rng, p.tremor_amp_cv)) * prof
        extra_w = np.outer(x, _unit(rng)) * 0.5 * p.dystonic_tremor_g[0]
    ev = _tilt_event(ctx, extra["i0"], n, prof, _u(rng, p.posture_tilt_deg), extra_w, target)
    ev.frequency = freq
    return ev


def _gen_spasm_accel(ctx: _Ctx, n: int, extra: dict, target: float | None) -> _Ev:
    rng, fs, p = ctx.rng, ctx.fs, ctx.p
    n_in = int(max(1, min(rng.uniform(0.05, 0.2) * fs, 0.3 * n)))
    n_out = int(max(1, min(rng.uniform(0.1, 0.3) * fs, 0.4 * n)))
    prof = _ramp_hold(n, n_in, n_out)
    jit = (_band_noise(rng, n, fs, 4.0, min(12.0, 0.4 * fs)) * prof)[:, None] * _unit(rng)[None, :]
    jit *= rng.uniform(0.005, 0.02)
    return _tilt_event(ctx, extra["i0"], n, prof, _u(rng, p.posture_tilt_deg), jit, target)


# -- confounders -----------------------------------------------------------------
def _gen_walking(ctx: _Ctx, n: int, extra: dict, target: float | None) -> _Ev:
    rng, fs, p = ctx.rng, ctx.fs, ctx.p
    t = np.arange(n) / fs
    f = _u(rng, p.step_hz)
    ph = 2 * np.pi * f * t + 0.05 * np.cumsum(rng.normal(size=n)) / np.sqrt(
        fs
    )  # slight phase noise
    fade = _taper(n, int(1.0 * fs))
    if ctx.modality == "emg":  # alternating gait bursts, one stride = 2 steps
        chans = list(range(ctx.nch))
        w = np.zeros((n, ctx.nch))
        amp = _lu(rng, p.voluntary_rms_mv)
        for j in chans:
            phase = ((ph / 2) / (2 * np.pi) + j / max(ctx.nch, 2)) % 1.0
            env = np.where(phase < 0.35, np.sin(np.pi * phase / 0.35) ** 2, 0.0) * fade
            w[:, j] = amp * rng.uniform(0.6, 1.0) * env * _band_noise(rng, n, fs, 20.0, 200.0)
        return _Ev(w, chans, frequency=f)
    a = _lu(rng, p.walking_g)
    g = ctx.gravity[extra["i0"] : extra["i0"] + n]
    vert = (a * (np.sin(ph) + 0.3 * np.sin(2 * ph + rng.uniform(0, 2 * np.pi))) * fade)[:, None] * g
    axis = _perp(rng, g.mean(axis=0))
    swing = _rotate(g, axis, np.deg2rad(rng.uniform(10, 25)) * np.sin(ph / 2) * fade) - g
    fwd = np.outer(
        0.3 * a * np.cos(ph / 2) * fade,
        np.cross(axis, g.mean(axis=0) / np.linalg.norm(g.mean(axis=0))),
    )
    return _Ev(vert + swing + fwd, [0, 1, 2], frequency=f)


def _gen_reaching(ctx: _Ctx, n: int, extra: dict, target: float | None) -> _Ev:
    rng, fs, p = ctx.rng, ctx.fs, ctx.p
    T = n / fs
    if ctx.modality == "emg":  # one smooth voluntary burst (min-jerk velocity profile)
        ch = int(rng.integers(ctx.nch))
        s = (np.arange(n) + 0.5) / n
        env = 16 * s**2 * (1 - s) ** 2
        w = np.zeros((n, ctx.nch))
        w[:, ch] = _lu(rng, p.voluntary_rms_mv) * env * _band_noise(rng, n, fs, 20.0, 200.0)
        return _Ev(w, [ch])
    n_out = int(0.45 * n)
    n_hold = n - 2 * n_out
    s = (np.arange(n_out) + 0.5) / n_out
    T1 = n_out / fs
    dist = _u(rng, p.reach_distance_m)
    acc1 = dist / T1**2 * (60 * s - 180 * s**2 + 120 * s**3) / _G  # g
    acc = np.concatenate((acc1, np.zeros(n_hold), -acc1))
    pos = np.concatenate((_minjerk(s), np.ones(n_hold), _minjerk(s)[::-1]))
    d = _unit(rng)
    g = ctx.gravity[extra["i0"] : extra["i0"] + n]
    axis = _perp(rng, g.mean(axis=0))
    tilt = _rotate(g, axis, np.deg2rad(rng.uniform(5, 30)) * pos) - g
    del T
    return _Ev(np.outer(acc, d) + tilt, [0, 1, 2])


def _gen_activity(ctx: _Ctx, n: int, extra: dict, target: float | None) -> _Ev:
    """Vigorous everyday movement: a chain of minimum-jerk movements in random directions
    (0.3-1.5 s each, 0.1-0.8 m) while the wrist turns by 10-90 deg (accelerometer)."""
    rng, fs, p = ctx.rng, ctx.fs, ctx.p
    acc = np.zeros((n, 3))
    angle = np.zeros(n)
    i = 0
    while i < n:  # loop over the movements of the bout (a few dozen)
        m = min(n - i, max(4, int(round(_u(rng, p.activity_move_s) * fs))))
        s = (np.arange(m) + 0.5) / m
        T = m / fs
        a = _u(rng, p.activity_distance_m) / T**2 * (60 * s - 180 * s**2 + 120 * s**3) / _G
        acc[i : i + m] = np.outer(a, _unit(rng))
        angle[i : i + m] = angle[i - 1] * (i > 0) + np.deg2rad(rng.uniform(-1, 1) * 45) * _minjerk(
            s
        )
        i += m
    # the wrist ends where it started (every bout is bracketed by rest in the same pose)
    back = _minjerk((np.arange(n) + 0.5) / n)
    angle = np.clip(angle - back * angle[-1], -np.pi / 2, np.pi / 2)
    g = ctx.gravity[extra["i0"] : extra["i0"] + n]
    tilt = _rotate(g, _perp(rng, g.mean(axis=0)), angle) - g
    return _Ev(acc + tilt, [0, 1, 2])


def _gen_regular_tremor(ctx: _Ctx, n: int, extra: dict, target: float | None) -> _Ev:
    rng, fs, p = ctx.rng, ctx.fs, ctx.p
    t = np.arange(n) / fs
    fade = _taper(n, int(0.5 * fs))
    if ctx.modality == "emg":  # ET / PD: stable bursts, PD alternating
        f0 = _u(rng, p.essential_tremor_hz)
        alternating = rng.random() < 0.5
        chans = list(range(ctx.nch)) if ctx.nch > 1 else [0]
        amp = _lu(rng, p.voluntary_rms_mv)
        w = np.zeros((n, ctx.nch))
        base = 2 * np.pi * f0 * t + rng.uniform(0, 2 * np.pi)
        bfrac = rng.uniform(0.25, 0.4)
        for j in chans:
            shift = np.pi * j if alternating else 0.0
            phase = ((base + shift) / (2 * np.pi)) % 1.0
            env = np.where(phase < bfrac, np.sin(np.pi * phase / bfrac) ** 2, 0.0)
            env *= 1 + 0.05 * _smooth_mod(rng, n, fs, (0.05, 0.3))
            w[:, j] = amp * env * fade * _band_noise(rng, n, fs, 20.0, 200.0)
        return _Ev(w, chans, frequency=f0)
    if rng.random() < 0.6:
        f0, a = _u(rng, p.essential_tremor_hz), _lu(rng, p.regular_tremor_g)
    else:
        f0, a = _u(rng, p.physiological_tremor_hz), _lu(rng, p.physiological_tremor_g)
    f0 = min(f0, 0.4 * fs)
    drift = 0.05 * _smooth_mod(rng, n, fs, (0.02, 0.1))  # < 0.1 Hz frequency drift
    ph = 2 * np.pi * np.cumsum(f0 + drift) / fs
    x = a * np.sin(ph) * (1 + 0.05 * _smooth_mod(rng, n, fs, (0.05, 0.3))) * fade
    return _Ev(np.outer(x, _unit(rng)), [0, 1, 2], frequency=f0)


def _gen_myoclonus(ctx: _Ctx, n: int, extra: dict, target: float | None) -> _Ev:
    rng, p = ctx.rng, ctx.p
    if ctx.modality == "emg":
        chans = list(range(ctx.nch))
        env = np.sin(np.pi * (np.arange(n) + 0.5) / n) ** 2
        w = _burst_emg(ctx, n, chans, env, (20.0, 250.0)) * _lu(rng, p.myoclonus_rms_mv)
        return _Ev(w, chans)
    x = np.sin(2 * np.pi * (np.arange(n) + 0.5) / n)  # accelerate, decelerate
    return _Ev(np.outer(x, _unit(rng)) * _lu(rng, p.myoclonus_g), [0, 1, 2])


def _gen_knock(ctx: _Ctx, n: int, extra: dict, target: float | None) -> _Ev:
    rng, p = ctx.rng, ctx.p
    if ctx.modality == "emg":
        chans = list(range(ctx.nch))
        n_spike = int(extra["n_spike"])
        i = np.arange(n)
        spike = np.where(i < n_spike, (-0.6) ** i, 0.0)
        tau = max((n - n_spike) / 4, 1.0)
        tail = np.where(i >= n_spike, -0.2 * np.exp(-(i - n_spike) / tau), 0.0)
        a = _lu(rng, p.knock_mv) * rng.choice([-1.0, 1.0])
        w = np.zeros((n, ctx.nch))
        for j in chans:
            w[:, j] = a * rng.uniform(0.5, 1.0) * (spike + tail)
        return _Ev(w, chans)
    x = (-0.5) ** np.arange(n)
    return _Ev(np.outer(x, _unit(rng)) * _lu(rng, p.knock_g), [0, 1, 2])


def _gen_clipping(ctx: _Ctx, n: int, extra: dict, target: float | None) -> _Ev:
    rng = ctx.rng
    x = np.sin(np.pi * (np.arange(n) + 0.5) / n) * rng.choice([-1.0, 1.0])
    if ctx.modality == "emg":
        chans = list(range(ctx.nch))
        a = rng.uniform(1.3, 2.0) * ctx.p.emg_range_mv
        w = np.outer(x, rng.uniform(0.8, 1.0, ctx.nch)) * a
        return _Ev(w, chans)
    d = np.zeros(3)
    d[int(rng.integers(3))] = 1.0
    return _Ev(np.outer(x, d) * rng.uniform(1.3, 2.0) * ctx.p.accel_range_g, [0, 1, 2])


def _gen_motion_artefact(ctx: _Ctx, n: int, extra: dict, target: float | None) -> _Ev:
    rng, fs, p = ctx.rng, ctx.fs, ctx.p
    t = np.arange(n) / fs
    if rng.random() < 0.5:  # baseline step with exponential recovery
        x = np.exp(-t / (n / fs / 4)) * _minjerk(t / 0.005)
    else:  # < 20 Hz swing
        f = rng.uniform(1.0, 10.0)
        x = np.sin(2 * np.pi * f * t) * np.exp(-t / (n / fs / 3))
    x = x * _taper(n, max(1, n // 10))
    chans = list(range(ctx.nch)) if rng.random() < 0.5 else [int(rng.integers(ctx.nch))]
    a = _lu(rng, p.motion_artefact_mv) * rng.choice([-1.0, 1.0])
    w = np.zeros((n, ctx.nch))
    for c in chans:
        w[:, c] = a * rng.uniform(0.6, 1.0) * x
    return _Ev(w, chans)


_Gen = Callable[[_Ctx, int, dict, float | None], _Ev]

_GENERATORS: dict[tuple[str, str], _Gen] = {
    ("emg", "muap"): _gen_muap,
    ("emg", "doublet"): _gen_muap,
    ("emg", "cocontraction"): _gen_cocontraction,
    ("emg", "spasm"): _gen_spasm_emg,
    ("emg", "dystonic_tremor"): _gen_dystonic_tremor_emg,
    ("accel", "twitch"): _gen_twitch,
    ("accel", "posture"): _gen_posture,
    ("accel", "spasm"): _gen_spasm_accel,
    ("accel", "dystonic_tremor"): _gen_dystonic_tremor_accel,
}
for _m in ("emg", "accel"):
    for _name, _g in (
        ("walking", _gen_walking),
        ("reaching", _gen_reaching),
        ("regular_tremor", _gen_regular_tremor),
        ("myoclonus", _gen_myoclonus),
        ("knock", _gen_knock),
        ("clipping", _gen_clipping),
    ):
        _GENERATORS[(_m, _name)] = _g
_GENERATORS[("emg", "motion_artefact")] = _gen_motion_artefact
_GENERATORS[("accel", "activity")] = _gen_activity


# ---------------------------------------------------------------------------
# planning: which events, how long, where
# ---------------------------------------------------------------------------
def _plan(
    ctx: _Ctx, duration: float, confounders: tuple[str, ...], confounder_only: bool
) -> list[dict]:
    """Draw the events (type, length in samples) from their rates."""
    rng, p, fs, mod = ctx.rng, ctx.p, ctx.fs, ctx.modality
    minutes = duration / 60.0
    plan: list[dict] = []

    def dur(r: Sequence[float]) -> float:
        return _lu(rng, r) if r[0] >= 1.0 else _u(rng, r)

    def add(trial: str, sub: str, seconds: float, **extra: Any) -> None:
        plan.append(
            {"trial_type": trial, "subtype": sub, "n": max(1, int(round(seconds * fs))), **extra}
        )

    if not confounder_only:
        for _ in range(int(rng.poisson(p.fasciculation_rate_per_min * minutes))):
            if mod == "emg":
                d = _u(rng, p.muap_duration_s)
                if rng.random() < p.doublet_fraction:
                    gap = _u(rng, p.doublet_interval_s)
                    add(
                        "fasciculation-like",
                        "doublet",
                        gap + d,
                        doublet=True,
                        n_muap=max(2, int(round(d * fs))),
                    )
                else:
                    add("fasciculation-like", "muap", max(d, 3 / fs))
            else:
                add("fasciculation-like", "twitch", max(dur(p.twitch_duration_s), 6 / fs))
        subs = TARGET_SUBTYPES[mod]["dystonia-like"]
        weights = np.array([p.dystonia_mix.get(s, 0.0) for s in subs], dtype=float)
        if weights.sum() > 0:
            weights /= weights.sum()
            for _ in range(int(rng.poisson(p.dystonia_rate_per_min * minutes))):
                sub = subs[int(rng.choice(len(subs), p=weights))]
                r = {
                    "cocontraction": p.sustained_duration_s,
                    "posture": p.sustained_duration_s,
                    "spasm": p.spasm_duration_s,
                    "dystonic_tremor": p.dystonic_tremor_duration_s,
                }[sub]
                add("dystonia-like", sub, max(dur(r), 0.3))
    ranges = {
        "walking": p.walking_duration_s,
        "reaching": p.reach_duration_s,
        "activity": p.activity_duration_s,
        "regular_tremor": p.regular_tremor_duration_s,
        "myoclonus": p.myoclonus_duration_s,
        "clipping": p.clipping_duration_s,
        "motion_artefact": p.motion_artefact_duration_s,
    }
    for name in confounders:
        if name in CONTINUOUS:
            continue
        rate = p.confounder_rates_per_min.get(name, 0.0)
        for _ in range(int(rng.poisson(rate * minutes))):
            if name == "knock":
                k = int(rng.integers(2, 6))
                if mod == "emg":
                    add("other", name, (k + rng.uniform(0.01, 0.05) * fs) / fs, n_spike=k)
                else:
                    add("other", name, k / fs)
            elif name == "myoclonus" and mod == "accel":
                add("other", name, max(dur(ranges[name]), 0.05, 4 / fs))
            elif name == "clipping":
                add("other", name, max(dur(ranges[name]), 3 / fs))
            else:
                add("other", name, dur(ranges[name]))
    return plan


def _place(
    rng: np.random.Generator, plan: list[dict], n_total: int, fs: float, gap_s: float
) -> list[dict]:
    """Put the events on the timeline: no overlap, >= ``gap_s`` apart and from the ends.

    The order is random; events that do not fit are dropped at random. The free
    time is split by uniform order statistics, so onsets are Poisson-like.
    """
    gap = int(np.ceil(gap_s * fs))
    order = [plan[i] for i in rng.permutation(len(plan))]
    avail = n_total - 2 * gap
    while order and sum(e["n"] for e in order) + gap * (len(order) - 1) > avail:
        order.pop(int(rng.integers(len(order))))
    if not order:
        return []
    slack = avail - sum(e["n"] for e in order) - gap * (len(order) - 1)
    cuts = np.sort(rng.integers(0, slack + 1, len(order)))
    pos = gap
    prev = 0
    for e, c in zip(order, cuts, strict=True):
        pos += int(c - prev)
        prev = int(c)
        e["i0"] = pos
        pos += e["n"] + gap
    return order


# ---------------------------------------------------------------------------
# backgrounds
# ---------------------------------------------------------------------------
def _gravity(ctx: _Ctx) -> np.ndarray:
    """Unit gravity vectors in the sensor frame: a resting orientation with slow drift."""
    rng, n, fs = ctx.rng, ctx.n, ctx.fs
    drift = np.deg2rad(_u(rng, ctx.p.orientation_drift_deg))
    roll = rng.uniform(-np.pi / 3, np.pi / 3) + drift * _smooth_mod(rng, n, fs, (0.002, 0.02))
    pitch = rng.uniform(-np.pi / 4, np.pi / 4) + drift * _smooth_mod(rng, n, fs, (0.002, 0.02))
    cp = np.cos(pitch)
    return np.column_stack((-np.sin(pitch), np.sin(roll) * cp, np.cos(roll) * cp))


def _ecg(ctx: _Ctx) -> np.ndarray:
    """QRS(+T) complexes at 1-1.7 Hz with heart-rate variability, on every channel."""
    rng, n, fs, p = ctx.rng, ctx.n, ctx.fs, ctx.p
    hr = _u(rng, p.ecg_rate_hz)
    m = int(n / fs * hr * 1.2) + 2
    rr = np.clip(rng.normal(1 / hr, 0.03 / hr, m), 0.5 / hr, 1.5 / hr)
    beats = np.round((rng.uniform(0, 1 / hr) + np.cumsum(rr)) * fs).astype(np.int64)
    beats = beats[beats < n]
    train = np.zeros(n)
    train[beats] = 1.0
    tt = np.arange(-int(0.1 * fs), int(0.4 * fs)) / fs
    qrs = (
        -0.12 * np.exp(-(((tt + 0.025) / 0.008) ** 2) / 2)
        + np.exp(-((tt / 0.009) ** 2) / 2)
        - 0.25 * np.exp(-(((tt - 0.025) / 0.008) ** 2) / 2)
        + 0.1 * np.exp(-(((tt - 0.25) / 0.04) ** 2) / 2)
    )
    lead = int(0.1 * fs)  # the template starts 100 ms before the R peak
    ecg = signal.oaconvolve(train, qrs)[lead : lead + n]
    amp = _lu(rng, p.ecg_mv)
    return np.outer(ecg, amp * rng.uniform(0.5, 1.0, ctx.nch) * rng.choice([-1.0, 1.0], ctx.nch))


def _powerline(ctx: _Ctx) -> np.ndarray:
    rng, n, fs, p = ctx.rng, ctx.n, ctx.fs, ctx.p
    t = np.arange(n) / fs
    f = p.powerline_hz
    x = np.zeros(n)
    for h, a in ((1, 1.0), (3, 0.3), (5, 0.1)):
        if h * f < 0.5 * fs:
            x += a * np.sin(2 * np.pi * h * f * t + rng.uniform(0, 2 * np.pi))
    x *= 1 + 0.3 * _smooth_mod(rng, n, fs, (0.01, 0.1))
    return np.outer(x, _lu(rng, p.powerline_mv) * rng.uniform(0.5, 1.0, ctx.nch))


def _wander(ctx: _Ctx, r: Sequence[float], f: tuple[float, float]) -> np.ndarray:
    cols = [_lu(ctx.rng, r) * _smooth_mod(ctx.rng, ctx.n, ctx.fs, f, k=4) for _ in range(ctx.nch)]
    return np.column_stack(cols)


def _quantise(x: np.ndarray, full_range: float, bits: int) -> np.ndarray:
    lsb = 2 * full_range / 2**bits
    return np.clip(np.round(x / lsb), -(2 ** (bits - 1)), 2 ** (bits - 1) - 1) * lsb


# ---------------------------------------------------------------------------
# the public function
# ---------------------------------------------------------------------------
def _known_text() -> str:
    """Every confounder name, with the modality of those only one simulates."""
    both = [c for c in CONFOUNDERS["emg"] if c in CONFOUNDERS["accel"]]
    only = [f"{c} ({m} only)" for m in ("accel", "emg") for c in CONFOUNDERS[m] if c not in both]
    return ", ".join([*both, *only])


def _resolve_confounders(modality: str, confounders: Sequence[str] | str | None) -> tuple[str, ...]:
    if confounders is None:
        return DEFAULT_CONFOUNDERS[modality]
    if isinstance(confounders, str):
        confounders = [c for c in confounders.replace(" ", "").split(",") if c]
    names = [str(c).strip().lower() for c in confounders]
    if names in (["all"],):
        return CONFOUNDERS[modality]
    if names in (["none"], []):
        return ()
    known = set(CONFOUNDERS["emg"]) | set(CONFOUNDERS["accel"])
    unknown = [c for c in names if c not in known]
    if unknown:
        raise SimulationError(
            f"unknown confounder(s): {', '.join(unknown)}; known: all, none, {_known_text()}"
        )
    skipped = [c for c in names if c not in CONFOUNDERS[modality]]
    if skipped:
        warnings.warn(
            f"confounder(s) {', '.join(skipped)} do not apply to {modality}; skipped", stacklevel=3
        )
    return tuple(c for c in CONFOUNDERS[modality] if c in names)


def simulate(
    modality: str,
    duration: float,
    seed: int,
    *,
    fs: float | None = None,
    n_channels: int | None = None,
    snr_db: float | None = None,
    confounders: Sequence[str] | str | None = None,
    confounder_only: bool = False,
    params: SimulationParams | None = None,
    stream: int = 0,
) -> Simulation:
    """Simulate a recording with exact ground truth.

    Parameters
    ----------
    modality : {"accel", "emg"}
        Wrist / muscle accelerometer in g (3 axes, gravity included) or surface EMG in mV.
    duration : float
        Length in seconds (>= 2).
    seed : int
        Random seed (>= 0). The same arguments give the same bytes.
    fs : float, optional
        Sampling rate in Hz (default 100 for accel, 2000 for EMG).
    n_channels : int, optional
        EMG channels (default 2: an agonist/antagonist pair); accel has 3 axes.
    snr_db : float, optional
        Scale every target event to this SNR: ``20 log10(rms_event / rms_noise)``,
        RMS of the event's own waveform over its span (EMG: its main channel;
        accel: the 3-axis vector norm) over the RMS of the white sensor noise on
        the same channels. None: physiological amplitudes from ``params``.
    confounders : sequence of str, or str, optional
        Confounder names (see ``CONFOUNDERS``), ``"all"`` or ``"none"``; a string may be
        comma-separated. Default: ``DEFAULT_CONFOUNDERS[modality]``.
    confounder_only : bool
        No target events (for false-alarm tests).
    params : SimulationParams, optional
        Rates and ranges (default ``SimulationParams()``).
    stream : int
        Sub-stream of ``seed`` (used for several files from one seed); 0 is
        ``numpy.random.Generator(PCG64(seed))``.

    Returns
    -------
    Simulation
        ``.recording`` (a :class:`movement.Recording`) and ``.events`` (the truth).

    Examples
    --------
    >>> from movement.simulate import simulate
    >>> sim = simulate("accel", 60, seed=3)
    >>> sim.recording.fs, sim.recording.units, sim.recording.channels
    (100.0, 'g', ('x', 'y', 'z'))
    >>> list(sim.events.columns[:5])
    ['onset', 'duration', 'trial_type', 'subtype', 'channel']
    >>> bool(((sim.events.onset + sim.events.duration) <= sim.recording.duration).all())
    True
    """
    if modality not in _MODALITY:
        raise SimulationError(f"modality must be accel or emg, got {modality!r}")
    spec = _MODALITY[modality]
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise SimulationError(f"seed must be an integer >= 0, got {seed!r}")
    if not isinstance(stream, int | np.integer) or stream < 0:
        raise SimulationError(f"stream must be an integer >= 0, got {stream!r}")
    duration = float(duration)
    if not math.isfinite(duration) or duration < MIN_DURATION_S:
        raise SimulationError(f"duration must be at least {MIN_DURATION_S:g} s, got {duration!r}")
    fs = float(spec["fs"] if fs is None else fs)
    lo, hi = spec["fs_range"]
    if not (lo <= fs <= hi):
        raise SimulationError(
            f"{modality} sampling rate must be within {lo:g}-{hi:g} Hz, got {fs:g}"
        )
    nch = int(spec["n_channels"] if n_channels is None else n_channels)
    if modality == "accel" and nch != 3:
        raise SimulationError(f"an accelerometer has 3 axes, got n_channels={nch}")
    if nch < 1 or nch > 64:
        raise SimulationError(f"n_channels must be within 1-64, got {nch}")
    if snr_db is not None and not (
        math.isfinite(float(snr_db)) and SNR_DB_RANGE[0] <= float(snr_db) <= SNR_DB_RANGE[1]
    ):
        # (10 ** (1e6 / 20) overflowed: an internal error)
        raise SimulationError(
            f"snr_db must be a number from {SNR_DB_RANGE[0]:g} to {SNR_DB_RANGE[1]:g} dB, "
            f"got {snr_db!r}"
        )
    if duration * fs * nch > MAX_VALUES:
        # (built whole in memory, with a few float64 copies: 1e9 s asked for 745 GiB at once)
        raise SimulationError(
            f"duration {duration:g} s at {fs:g} Hz x {nch} channel(s) is "
            f"{duration * fs * nch:.3g} values, over the {MAX_VALUES:.0e} a simulated "
            "recording is built with in memory; simulate shorter recordings (--n-files)"
        )
    p = params if params is not None else SimulationParams()
    conf = _resolve_confounders(modality, confounders)

    root = np.random.SeedSequence(int(seed) if stream == 0 else [int(seed), int(stream)])
    rng = np.random.Generator(np.random.PCG64(root))
    r_bg, r_plan, r_wave, r_noise = rng.spawn(4)
    n = int(round(duration * fs))
    sigma = _u(r_bg, p.accel_noise_g if modality == "accel" else p.emg_noise_mv)
    ctx = _Ctx(modality, fs, n, nch, p, r_bg, sigma)

    # -- background ------------------------------------------------------------
    if modality == "accel":
        ctx.gravity = _gravity(ctx)
        data = ctx.gravity.copy()
        if "wander" in conf:
            data += _wander(ctx, p.wander_g, (0.001, 0.01))
    else:
        data = np.zeros((n, nch))
        if "wander" in conf:
            data += _wander(ctx, p.wander_mv, (0.05, 0.5))
        if "powerline" in conf:
            data += _powerline(ctx)
        if "ecg" in conf:
            data += _ecg(ctx)

    # -- events ----------------------------------------------------------------------
    ctx.rng = r_plan
    placed = _place(r_plan, _plan(ctx, duration, conf, confounder_only), n, fs, p.min_gap_s)
    placed.sort(key=lambda e: e["i0"])
    ctx.rng = r_wave
    target_rms = None if snr_db is None else ctx.noise_ref * 10 ** (float(snr_db) / 20)
    names = ("x", "y", "z") if modality == "accel" else tuple(f"emg{i + 1}" for i in range(nch))
    rows = []
    for e in placed:
        i0, m = e["i0"], e["n"]
        # tilt events keep their physiological 10-40 deg: scaled to a low SNR they would be
        # 1 deg tilts that no definition calls a posture
        scaled = e["trial_type"] != "other" and e["subtype"] not in _UNSCALED.get(modality, ())
        ev = _GENERATORS[(modality, e["subtype"])](ctx, m, e, target_rms if scaled else None)
        data[i0 : i0 + m] += ev.w
        rms = _ref_rms(ctx, ev)
        rows.append(
            {
                "onset": i0 / fs,
                "duration": m / fs,
                "trial_type": e["trial_type"],
                "subtype": e["subtype"],
                "channel": "".join(names)
                if modality == "accel"
                else ",".join(names[c] for c in ev.channels),
                "amplitude": _ref_peak(ctx, ev),
                "snr_db": 20 * np.log10(max(rms, 1e-300) / ctx.noise_ref),
                "frequency_hz": ev.frequency,
                "tilt_deg": ev.tilt,
            }
        )
    events = pd.DataFrame(rows, columns=list(TRUTH_COLUMNS))
    events = events.astype(
        {
            "onset": float,
            "duration": float,
            "amplitude": float,
            "snr_db": float,
            "frequency_hz": float,
            "tilt_deg": float,
        }
    )

    # -- sensor: noise, range, ADC ------------------------------------------------------
    data += r_noise.normal(0.0, sigma, data.shape)
    if modality == "accel":
        data = _quantise(data, p.accel_range_g, p.accel_bits)
    else:
        data = _quantise(data, p.emg_range_mv, p.emg_bits)
    rec = Recording(
        data,
        fs=fs,
        modality=modality,
        channels=names,
        units=spec["units"],
        notes={"simulated": f"movement.simulate seed={seed} stream={stream}"},
    )
    return Simulation(
        recording=rec,
        events=events,
        seed=int(seed),
        stream=int(stream),
        params=p,
        snr_db=None if snr_db is None else float(snr_db),
        confounders=conf,
        confounder_only=bool(confounder_only),
        noise_rms=float(sigma),
    )


# ---------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------
def _atomic_write(path: Path, write: Callable[[Any], None], binary: bool = False) -> None:
    """Write through ``write(fh)`` to ``path``, whole or not at all."""
    text = {} if binary else {"encoding": "utf-8", "newline": ""}
    with atomic_path(path) as tmp, open(tmp, "wb" if binary else "w", **text) as fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())


def _fmt(x: Any, spec: str) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    return format(x, spec)


def truth_tsv(events: pd.DataFrame) -> str:
    """The ground-truth table as BIDS-style TSV text (``n/a`` for missing values)."""
    specs = {
        "onset": ".6f",
        "duration": ".6f",
        "amplitude": ".4g",
        "snr_db": ".2f",
        "frequency_hz": ".3f",
        "tilt_deg": ".2f",
    }
    lines = ["\t".join(events.columns)]
    for row in events.itertuples(index=False):
        cells = []
        for col, v in zip(events.columns, row, strict=True):
            if col in specs:
                cells.append(_fmt(float(v), specs[col]))
            else:
                cells.append("n/a" if v is None or v == "" else str(v))
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


def write_simulation(
    sim: Simulation, out_dir: str | Path, stem: str, format: str = "csv"
) -> dict[str, Path]:
    """Write a simulation in the project's input format, with its ground truth.

    Writes ``<stem>.csv`` (a header of channel names, ``%.6g`` values, no time
    column) or ``<stem>.npy`` (samples x channels, float64), the sidecar
    ``<stem>.json`` (``SamplingFrequency``, ``Modality``, ``Units``, ``Simulation``)
    and ``<stem>_events.tsv``. Every file is written atomically; the same
    simulation gives the same bytes.

    Parameters
    ----------
    sim : Simulation
    out_dir : str or Path
        Created if missing.
    stem : str
        File name without suffix (no dots or slashes).
    format : {"csv", "npy"}

    Returns
    -------
    dict
        ``{"data": path, "sidecar": path, "events": path}``.

    Examples
    --------
    >>> import tempfile, movement
    >>> from movement.simulate import simulate, write_simulation
    >>> out = write_simulation(simulate("emg", 5, seed=0), tempfile.mkdtemp(), "demo")
    >>> rec = movement.read(out["data"])
    >>> rec.fs, rec.modality, rec.units
    (2000.0, 'emg', 'mV')
    """
    if format not in ("csv", "npy"):
        raise SimulationError(f"format must be csv or npy, got {format!r}")
    if not stem or any(c in stem for c in "./\\") or stem.startswith("-"):
        raise SimulationError(
            f"stem must be a plain file name without dots or slashes, got {stem!r}"
        )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rec = sim.recording
    data_path = out / f"{stem}.{format}"
    if format == "csv":
        df = pd.DataFrame(rec.data, columns=list(rec.channels))

        def write_csv(fh: Any) -> None:
            df.to_csv(fh, index=False, float_format="%.6g", lineterminator="\n")

        _atomic_write(data_path, write_csv)
    else:
        arr = np.ascontiguousarray(rec.data, dtype=np.float64)
        _atomic_write(data_path, lambda fh: np.save(fh, arr, allow_pickle=False), binary=True)
    sidecar = {
        "SamplingFrequency": rec.fs,
        "Modality": rec.modality,
        "Units": rec.units,
        "RecordingDuration": rec.duration,
        "Simulation": sim.describe(),
    }
    if rec.modality == "emg":
        sidecar["PowerLineFrequency"] = sim.params.powerline_hz
    side_path = out / f"{stem}.json"
    text = json.dumps(sidecar, indent=2, allow_nan=False, default=_json_default) + "\n"
    _atomic_write(side_path, lambda fh: fh.write(text))
    ev_path = out / f"{stem}_events.tsv"
    tsv = truth_tsv(sim.events)
    _atomic_write(ev_path, lambda fh: fh.write(tsv))
    return {"data": data_path, "sidecar": side_path, "events": ev_path}


def _json_default(x: Any) -> Any:
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating):
        return float(x)
    raise TypeError(f"not JSON-serialisable: {type(x).__name__}")


# ---------------------------------------------------------------------------
# command line: `movement simulate`
# ---------------------------------------------------------------------------
def cli_configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``movement simulate`` options to ``parser``.

    Examples
    --------
    >>> import argparse
    >>> from movement.simulate import cli_configure
    >>> ap = argparse.ArgumentParser(prog="movement simulate")
    >>> cli_configure(ap)
    >>> args = ap.parse_args(["--modality", "emg", "--out", "sims", "--n-files", "3"])
    >>> args.duration, args.seed, args.n_files
    (60.0, 0, 3)
    """
    parser.description = (
        "Simulate accelerometer or EMG recordings with exact ground truth "
        "(<stem>.csv|.npy, <stem>.json, <stem>_events.tsv)."
    )
    parser.add_argument(
        "--modality", required=True, choices=("accel", "emg"), help="accel (g) or emg (mV)"
    )
    parser.add_argument(
        "--duration", type=float, default=60.0, metavar="S", help="seconds per file (default 60)"
    )
    parser.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (default 0)")
    parser.add_argument(
        "--out", required=True, metavar="DIR", help="output folder (created if missing)"
    )
    parser.add_argument(
        "--snr", type=float, default=None, metavar="DB", help="scale target events to this SNR (dB)"
    )
    parser.add_argument(
        "--confounders",
        default=None,
        metavar="LIST",
        help="comma-separated confounders, 'all' or 'none' (default: a realistic mix); "
        f"known: {_known_text()}",
    )
    parser.add_argument(
        "--fs",
        type=float,
        default=None,
        metavar="HZ",
        help="sampling rate (default 100 accel, 2000 emg)",
    )
    parser.add_argument(
        "--channels", type=int, default=None, metavar="N", help="EMG channels (default 2)"
    )
    parser.add_argument(
        "--n-files",
        type=int,
        default=1,
        metavar="N",
        help="number of files (stems sim_<modality>_<seed>_<i>)",
    )
    parser.add_argument(
        "--format", choices=("csv", "npy"), default="csv", help="data file format (default csv)"
    )
    parser.add_argument(
        "--confounder-only", action="store_true", help="no target events (false-alarm tests)"
    )


@contextlib.contextmanager
def _warnings_as_lines(prefix: str = "warning: ") -> Iterator[None]:
    """Within the block, each distinct :class:`UserWarning` is printed to stderr at once as
    one line (``warning: ...``), not as Python's ``file:line: UserWarning`` with a source
    line under it; other warnings (a dependency's deprecation) show as Python shows them.

    For the commands' ``cli_run``: what the library warns (a confounder that does not apply,
    a folder with no reviewed events) is meant for the user.
    """
    seen: set[str] = set()
    original = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        if not issubclass(category, UserWarning):
            original(message, category, filename, lineno, file, line)
            return
        text = str(message)
        if text not in seen:
            seen.add(text)
            print(f"{prefix}{text}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.simplefilter("always", UserWarning)
        warnings.showwarning = show
        yield


def cli_run(args: argparse.Namespace) -> int:
    """Run ``movement simulate``: write ``--n-files`` simulations to ``--out``; the exit code."""
    if args.n_files < 1:
        print("movement simulate: --n-files must be >= 1", file=sys.stderr)
        return 2
    from .batch import output_folder

    try:
        output_folder(args.out)  # (a file of that name: one line, before anything is made)
    except MovementError as exc:
        print(f"movement simulate: {exc}", file=sys.stderr)
        return 2
    try:
        # e.g. a confounder that does not apply to the modality: one `warning: ...` line
        with _warnings_as_lines():
            for i in range(args.n_files):
                stem = f"sim_{args.modality}_{args.seed}_{i}"
                sim = simulate(
                    args.modality,
                    args.duration,
                    args.seed,
                    fs=args.fs,
                    n_channels=args.channels,
                    snr_db=args.snr,
                    confounders=args.confounders,
                    confounder_only=args.confounder_only,
                    stream=i,
                )
                paths = write_simulation(sim, args.out, stem, format=args.format)
                counts = sim.events.trial_type.value_counts()
                summary = ", ".join(f"{counts.get(t, 0)} {t}" for t in TRIAL_TYPES)
                print(f"{paths['data']}: {sim.recording.duration:g} s, {summary}")
    except SimulationError as exc:
        print(f"movement simulate: {exc}", file=sys.stderr)
        return 2
    return 0


callable_module(__name__, "simulate")
