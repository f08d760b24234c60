"""Defaults, one dataclass per modality, each value with its source.

Every threshold the pipeline uses lives here. Sources refer to
``docs`` in the project's domain reference ([S] a cited study, [E] an estimate
still to be validated). A value can be changed from the library
(``EMGConfig(k_on=4)`` or ``config.replace(k_on=4)``), from the command line
(``--set emg.k_on=4``) and from a TOML/JSON file (``--config file.toml`` with an
``[emg]`` or ``[accel]`` table). Each way, the values are checked when the config is
built (:data:`_RULES`): a bad one is a one-line :class:`~movement.errors.MovementError`
naming it (``emg.filter_order must be a whole number, got 2.5``). Every value accepted can
run: besides its own bounds, no duration, window or gap is longer than
:data:`MAX_DURATION_S` (24 h), no frequency above :data:`MAX_FREQUENCY_HZ` (1 MHz), no dB
margin beyond +-:data:`MAX_DB` (200 dB) and no whitening order above :data:`MAX_LAGS`
(``describe()`` gives each parameter's accepted values). An empty value (``--set
accel.twitch_windows_s=``) is an error, never "off": ``none`` switches a step off.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import numbers
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import MovementError


def _p(default: Any, source: str, unit: str = "") -> Any:
    """A config field with its source and unit kept as metadata."""
    return field(default=default, metadata={"source": source, "unit": unit})


@dataclass(frozen=True)
class _Config:
    """Shared behaviour of the per-modality configurations.

    Every value is checked when a config is built (:meth:`__post_init__`), so the
    library (``EMGConfig(...)``, :meth:`replace`, ``dataclasses.replace``), ``--set``
    and ``--config`` files all get the same rules (:data:`_RULES`) and the same
    one-line :class:`~movement.errors.MovementError` naming the parameter.
    """

    def __post_init__(self) -> None:
        for f in fields(self):
            rule = _RULES.get(f.name)
            if rule is None:
                continue
            value = getattr(self, f.name)
            checked = rule.check(f"{self.modality}.{f.name}", value)
            if checked is not value:  # text parsed, 3.0 -> 3, list -> tuple
                object.__setattr__(self, f.name, checked)
        names = {f.name for f in fields(self)}
        for low, high in _ORDERED:
            if low not in names or high not in names:
                continue
            a, b = getattr(self, low), getattr(self, high)
            if a is None or b is None or (_RULES[low].optional and a == 0):
                continue  # one of them is off
            if not a < b:
                m = self.modality
                raise MovementError(f"{m}.{low} ({a!r}) must be below {m}.{high} ({b!r})")
        for off, on in _NOT_ABOVE:
            if off in names and on in names and getattr(self, off) > getattr(self, on):
                m = self.modality
                raise MovementError(
                    f"{m}.{off} ({getattr(self, off)!r}) must not be above {m}.{on} "
                    f"({getattr(self, on)!r}) (hysteresis: a run starts above the on "
                    "threshold and ends below the off one)"
                )
        # the periodicity window must hold a cycle of the lowest frequency it looks for
        # (a window of no whole sample failed with a ZeroDivisionError when scoring)
        if "periodic_window_s" in names and self.periodic_band_hz[0] > 0:
            low = self.periodic_band_hz[0]
            if self.periodic_window_s * low < 1.0:
                m = self.modality
                raise MovementError(
                    f"{m}.periodic_window_s ({self.periodic_window_s!r}) must hold at least one "
                    f"cycle of {m}.periodic_band_hz's low edge ({low:g} Hz: {1 / low:.3g} s)"
                )

    def replace(self, **changes: Any) -> _Config:
        """Return a copy with some values changed (unknown names are an error)."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise MovementError(
                f"unknown {self.modality} parameter(s): {', '.join(unknown)}; "
                f"known: {', '.join(sorted(known))}"
            )
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Parameters as a plain dict (JSON-serialisable; hashed by :func:`params_hash`).

        A value that means "off" is None here however it was given (``notch_hz=0`` and
        ``notch_hz=none``: one setting, one hash).
        """
        out = dataclasses.asdict(self)
        for name, value in out.items():
            rule = _RULES.get(name)
            if rule is not None and rule.zero_is_off and value == 0:
                out[name] = None
        return out

    def describe(self) -> list[dict[str, Any]]:
        """Each parameter with its value, unit, source and the values it accepts
        (``accepts``: its bounds, e.g. at most 86400 s (24 h) for a duration; for reports
        and ``--help``)."""
        return [
            {
                "name": f.name,
                "value": getattr(self, f.name),
                "unit": f.metadata.get("unit", ""),
                "source": f.metadata.get("source", ""),
                "accepts": _RULES[f.name]._what() if f.name in _RULES else "",
            }
            for f in fields(self)
        ]

    @property
    def modality(self) -> str:  # overridden by subclasses
        raise NotImplementedError


# --------------------------------------------------------------------------- validation

# (an empty value is none of them: `--set accel.twitch_windows_s=$UNSET` turned the
# detector off silently; "none" says so)
_NONE_WORDS = ("none", "null", "off")
_TRUE_WORDS = ("true", "1", "yes", "on")
_FALSE_WORDS = ("false", "0", "no", "off", "none")


@dataclass(frozen=True)
class _Rule:
    """The values one parameter accepts.

    ``kind``: ``"real"`` (a finite number), ``"int"`` (a whole number; 3.0 is taken as
    3), ``"bool"``, ``"band"`` (two numbers, low < high; the bounds apply to the low
    edge) or ``"windows"`` (one or more numbers; the bounds apply to each). ``lo`` /
    ``hi`` bound the value (``lo_open``/``hi_open``: the bound itself is excluded).
    ``optional``: None is accepted (the step is off); for ``"windows"``, no window
    (``[]``) means off too and is stored as None, and where 0 means off (``zero_is_off``)
    :meth:`_Config.to_dict` gives None for it (one setting, one parameters hash).
    ``note`` is added to the error (what 0 or none mean for this parameter).
    """

    kind: str = "real"
    lo: float | None = None
    lo_open: bool = False
    hi: float | None = None
    hi_open: bool = False
    optional: bool = False
    note: str = ""
    #: Set: a value is 0 (off) or at least this (a notch of a fraction of a hertz is no
    #: mains notch, and its filter is singular).
    zero_or_from: float | None = None
    #: Set: 0 means off, as None does: :meth:`_Config.to_dict` (what the parameters hash
    #: and the events' provenance are made of) gives None for either (``notch_hz=0`` and
    #: ``notch_hz=none`` are one setting, with one hash).
    zero_is_off: bool = False
    #: Set: the largest value any run can use (:data:`_CAPS`: no duration above 24 h,
    #: no frequency above 1 MHz...); ``cap_text`` says it in the error. A finite value
    #: beyond it passed the checks and then failed each file as an internal error
    #: (``baseline_window_s=1e308``: an OverflowError in every file).
    cap: float | None = None
    cap_text: str = ""

    def _what(self) -> str:
        """The accepted values in words (for the error message)."""
        noun = {
            "int": "a whole number",
            "band": "two numbers (low, high) with low < high",
            "windows": "one or more numbers",
        }.get(self.kind, "a finite number")
        if self.lo is not None and self.hi is not None:
            rng = (
                f"{'(' if self.lo_open else '['}{self.lo:g}, {self.hi:g}"
                f"{')' if self.hi_open else ']'}"
            )
            bound = f"in {rng}"
        elif self.lo is not None:
            bound = f"{'>' if self.lo_open else '>='} {self.lo:g}"
        elif self.hi is not None:
            bound = f"{'<' if self.hi_open else '<='} {self.hi:g}"
        else:
            bound = ""
        if self.zero_or_from is not None:
            bound = f"0 or >= {self.zero_or_from:g}"
        if bound and self.kind in ("band", "windows"):
            bound = ("low edge " if self.kind == "band" else "each ") + bound
        if self.cap is not None:
            most = f"at most {self.cap_text or format(self.cap, 'g')}"
            most = ("high edge " if self.kind == "band" else "") + most
            bound = f"{bound}, {most}" if bound else most
        text = noun + (f", {bound}" if bound else "")
        if self.optional:
            text += ", or none"
        return text + (f" ({self.note})" if self.note else "")

    def _fail(self, name: str, value: Any) -> MovementError:
        shown = "none" if value is None else repr(value)
        return MovementError(f"{name} must be {self._what()}, got {shown}")

    def _empty(self, name: str) -> MovementError:
        """An empty text (``--set NAME=``, an unset shell variable): an error, never
        "off"."""
        what = "true or false" if self.kind == "bool" else self._what()
        off = " (write none to switch it off)" if self.optional else ""
        return MovementError(f"{name} must be {what}, got an empty value{off}")

    def parse(self, name: str, text: str) -> Any:
        """A value given as text (``--set``, or a quoted value in a config file)."""
        t = text.strip()
        if not t:
            raise self._empty(name)
        if self.kind == "bool":  # before the None words: "off" is False for a switch
            if t.lower() in _TRUE_WORDS:
                return True
            if t.lower() in _FALSE_WORDS:
                return False
            raise MovementError(f"{name} must be true or false, got {text!r}")
        if t.lower() in _NONE_WORDS:
            return None
        try:
            if self.kind in ("band", "windows"):
                return tuple(float(p) for p in t.strip("()[]").replace(",", " ").split())
            if self.kind == "int":
                try:
                    return int(t)
                except ValueError:
                    return float(t)  # "3.0" or "1e3": whole numbers; "2.5" fails the check
            return float(t)
        except ValueError:
            raise self._fail(name, text) from None

    def check(self, name: str, value: Any) -> Any:
        """``value`` if it is valid, normalised (text parsed, 3.0 -> 3 for a whole number,
        4 -> 4.0 for a real one, list -> tuple of floats); else a :class:`MovementError`
        naming ``name``."""
        if isinstance(value, str):
            value = self.parse(name, value)
        if value is None:
            if self.optional:
                return None
            raise self._fail(name, value)
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            if getattr(getattr(value, "dtype", None), "kind", "") == "b" or (
                isinstance(value, numbers.Integral) and value in (0, 1)  # JSON 0/1
            ):
                return bool(value)
            raise MovementError(f"{name} must be true or false, got {value!r}")
        if self.kind in ("band", "windows"):
            if isinstance(value, (bytes, dict)) or not hasattr(value, "__iter__"):
                raise self._fail(name, value)
            items = tuple(value)
            if not all(_is_number(v) for v in items):
                raise self._fail(name, value)
            if self.kind == "band":
                if len(items) != 2 or not items[0] < items[1] or not self._ok(items[0]):
                    raise self._fail(name, items)
                if not math.isfinite(items[1]) or (self.cap is not None and items[1] > self.cap):
                    raise self._fail(name, items)
            elif not all(self._ok(v) for v in items) or not (items or self.optional):
                raise self._fail(name, items)
            if not items:  # no window is off, as none is: one setting, one hash
                return None
            # floats, whatever the numbers' type: (2.5, 8) and (2.5, 8.0) are one setting
            # (the same parameters hash)
            items = tuple(float(v) for v in items)
            return value if value == items and all(type(v) is float for v in value) else items
        if not _is_number(value):
            raise self._fail(name, value)
        if self.kind == "int" and math.isfinite(value):
            if not float(value).is_integer():
                raise MovementError(f"{name} must be a whole number, got {value!r}")
            value = int(value)  # 3.0 (TOML, JSON, "--set 3.0") -> 3; NumPy -> int
        if not self._ok(value):
            raise self._fail(name, value)
        # 4 (TOML, JSON, the library), np.float32(4) and 4.0 are one setting (one hash)
        return value if self.kind == "int" or type(value) is float else float(value)

    def _ok(self, v: Any) -> bool:
        """``v`` (a number) is finite and within the bounds."""
        if not math.isfinite(v):
            return False
        if self.zero_or_from is not None and 0 < v < self.zero_or_from:
            return False
        if self.cap is not None and v > self.cap:
            return False
        if self.lo is not None and (v <= self.lo if self.lo_open else v < self.lo):
            return False
        return self.hi is None or not (v >= self.hi if self.hi_open else v > self.hi)


def _is_number(v: Any) -> bool:
    """A real number (Python or NumPy), not a bool."""
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


_POSITIVE = _Rule(lo=0.0, lo_open=True)
_NONNEG = _Rule(lo=0.0)
_FINITE = _Rule()
_FRACTION = _Rule(lo=0.0, hi=1.0)
_SWITCH = _Rule("bool")
_ORDER = _Rule(
    "int", lo=1, hi=100, note="a Butterworth filter of higher order is numerically unstable"
)
_LAGS = _Rule("int", lo=0, note="0 = no whitening")
_SPECTRAL_BAND = _Rule("band", lo=0.0)
_DURATION_MIN = _Rule(lo=0.0, note="0 = no minimum")
_GAP = _Rule(lo=0.0, note="0 = only touching runs join")
_RATE_PER_H = _Rule(lo=0.0, lo_open=True)

#: What each parameter accepts (both modalities; a name means the same in each). Read
#: from each field's source note and the code using it: lengths, windows, rates and
#: amplitudes > 0; minimum durations, gaps and ratios >= 0 where 0 is meaningful;
#: shares of a whole in [0, 1]; dB margins any finite value; None only where the code
#: reads it as "off" (those also take 0 where the code reads 0 as off).
_RULES: dict[str, _Rule] = {
    # filters and envelopes
    "band_low_hz": _POSITIVE,
    "band_high_hz": _POSITIVE,
    "filter_order": _ORDER,
    "notch_hz": _Rule(
        lo=0.0,
        optional=True,
        zero_or_from=1.0,
        zero_is_off=True,
        note="0 or none = no notch; mains: 50 or 60",
    ),
    "notch_harmonics": _Rule("int", lo=1, note="1 = the mains frequency only"),
    "ecg_removal": _SWITCH,
    "bridge_gap_s": _Rule(
        lo=0.0, hi=1.0, optional=True, zero_is_off=True, note="0 or none = no gap bridged"
    ),
    "gravity_cutoff_hz": _POSITIVE,
    "motion_highpass_hz": _Rule(
        lo=0.0, optional=True, zero_is_off=True, note="0 or none = x - gravity"
    ),
    "orientation_median_s": _Rule(lo=0.0, optional=True, zero_is_off=True, note="0 or none = off"),
    "brief_rms_s": _POSITIVE,
    "sustained_rms_s": _POSITIVE,
    # rest level and thresholds
    "baseline_window_s": _POSITIVE,
    "baseline_quantile": _Rule(lo=0.0, hi=1.0, hi_open=True),
    "max_rest_level_g": _Rule(lo=0.0, optional=True, zero_is_off=True, note="0 or none = no cap"),
    "k_on": _NONNEG,
    "k_off": _NONNEG,
    "noise_floor_g": _NONNEG,
    "min_snr_on_db": _FINITE,
    "brief_snr_on_db": _FINITE,
    "min_event_snr_db": _FINITE,
    "dystonia_min_snr_db": _FINITE,
    # noise-model detectors
    "muap_windows_s": _Rule(
        "windows", lo=0.0, lo_open=True, hi=0.5, note="within the noise model's 0.5 s blocks"
    ),
    "muap_whitening_order": _LAGS,
    "muap_false_alarms_per_h": _RATE_PER_H,
    "muap_edge_db": _NONNEG,
    "min_muap_fs_hz": _Rule(lo=0.0, note="0 = the MUAP detector at any rate"),
    "twitch_windows_s": _Rule(
        "windows", lo=0.0, lo_open=True, optional=True, note="none or [] = off"
    ),
    "twitch_whitening_order": _LAGS,
    "twitch_false_alarms_per_h": _RATE_PER_H,
    "sustained_window_s": _Rule(lo=0.0, optional=True, zero_is_off=True, note="0 or none = off"),
    "sustained_block_s": _POSITIVE,
    "sustained_active_fraction": _FRACTION,
    "sustained_false_alarms_per_h": _RATE_PER_H,
    "sustained_edge_fraction": _Rule(
        lo=0.0, hi=1.0, optional=True, zero_is_off=True, note="0 or none = off"
    ),
    # motion artefacts (EMG)
    "artefact_band_hz": _Rule("band", lo=0.0, lo_open=True),
    "artefact_min_ratio": _Rule(lo=0.0, note="0 turns the detector off"),
    "artefact_min_lowfreq_ratio": _NONNEG,
    "artefact_tail_peak_fraction": _Rule(lo=0.0, note=">= 1 turns the tail off"),
    "artefact_min_s": _DURATION_MIN,
    # segment lengths and joining
    "min_brief_s": _DURATION_MIN,
    "max_brief_s": _POSITIVE,
    "min_sustained_s": _DURATION_MIN,
    "merge_gap_s": _GAP,
    "burst_chain_gap_s": _GAP,
    "isolation_s": _Rule(lo=0.0, note="0 = every event isolated"),
    "other_bout_gap_s": _Rule(lo=0.0, optional=True, zero_is_off=True, note="0 or none = off"),
    "dystonia_min_s": _DURATION_MIN,
    "spasm_min_s": _DURATION_MIN,
    # classification
    "regular_train_cv": _NONNEG,
    "max_brief_channel_fraction": _FRACTION,
    "crosstalk_ratio": _Rule(
        lo=0.0, hi=1.0, optional=True, zero_is_off=True, note="0 or none = off"
    ),
    "cocontraction_min": _FRACTION,
    "walking_band_hz": _SPECTRAL_BAND,
    "gait_window_s": _POSITIVE,
    "gait_min_bout_s": _NONNEG,
    "gait_band_hz": _Rule("band", lo=0.0, lo_open=True),
    "gait_min_acf": _FRACTION,
    "gait_min_share": _FRACTION,
    "gait_min_fraction": _Rule(lo=0.0, hi=1.0, optional=True, note="none = off"),
    "tremor_band_hz": _SPECTRAL_BAND,
    "regular_tremor_regularity": _FRACTION,
    "regular_tremor_peak_power": _FRACTION,
    "min_tremor_power": _FRACTION,
    "max_twitch_g": _POSITIVE,
    "knock_g": _POSITIVE,
    "clip_g": _Rule(lo=0.0, lo_open=True, optional=True, note="none = the recording's max"),
    "smooth_max_entropy": _FRACTION,
    "review_margin": _FRACTION,
    # periodicity (accelerometer)
    "periodic_window_s": _POSITIVE,
    "periodic_hop_s": _Rule(
        lo=0.0, optional=True, zero_is_off=True, note="0 or none = half the window"
    ),
    "periodic_band_hz": _SPECTRAL_BAND,
    "periodic_min_ratio": _FRACTION,
    "periodic_min_rms_g": _NONNEG,
    # postures (accelerometer)
    "posture_min_deg": _POSITIVE,
    "posture_max_deg": _Rule(lo=0.0, lo_open=True, optional=True, note="none = no limit"),
    "posture_on_fraction": _FRACTION,
    "posture_off_fraction": _FRACTION,
    "posture_hold_fraction": _FRACTION,
    "posture_edge_fraction": _FRACTION,
    "posture_steady_deg": _POSITIVE,
    "posture_sharp_steady_s": _POSITIVE,
    # non-wear and calibration (accelerometer)
    "nonwear_window_s": _Rule(lo=0.0, lo_open=True, optional=True, note="none = off"),
    "nonwear_step_s": _POSITIVE,
    "nonwear_sd_g": _POSITIVE,
    "nonwear_range_g": _POSITIVE,
    "nonwear_min_axes": _Rule("int", lo=1),
    "calibrate": _SWITCH,
    "calib_window_s": _POSITIVE,
    "calib_sd_g": _POSITIVE,
    "calib_sphere_g": _NONNEG,
    "calib_min_windows": _Rule("int", lo=1),
    "calib_max_error_g": _POSITIVE,
}

#: The longest duration, window or gap any parameter accepts (s): 24 h. Longer ones
#: passed the checks and failed every file as an internal error (``baseline_window_s=1e308``:
#: an OverflowError; ``orientation_median_s=1e9``: a LinAlgError); no analysis here has a
#: use for a window of more than a day (the longest default, nonwear_window_s, is 1 h).
MAX_DURATION_S = 86400.0
#: The highest frequency (Hz) any parameter accepts: 1 MHz, far above any sensor's rate
#: (a band edge of 1e308 Hz failed each file with an OverflowError).
MAX_FREQUENCY_HZ = 1e6
#: The largest dB margin (either sign): 200 dB, an amplitude ratio of 1e10 (a margin of
#: 1e9 dB overflowed ``10 ** (dB / 20)`` in every file).
MAX_DB = 200.0
#: The largest whitening order (lags): far above the 0.5 s noise-model blocks' samples at
#: any usual rate (1e308 failed each EMG file with an OverflowError).
MAX_LAGS = 10000

#: Upper bounds by what a parameter is (its name's ending): (ending, cap, how it reads).
_CAPS = (
    ("_s", MAX_DURATION_S, "86400 s (24 h)"),
    ("_hz", MAX_FREQUENCY_HZ, "1e6 Hz"),
    ("_db", MAX_DB, "200 dB"),
    ("_whitening_order", MAX_LAGS, "10000 lags"),
)


def _capped(name: str, rule: _Rule) -> _Rule:
    """``rule`` with the upper bound of what ``name`` is (:data:`_CAPS`), unless it has a
    tighter one; a dB margin, which may be negative, also gets the cap's negative as its
    lower bound."""
    for ending, cap, text in _CAPS:
        if not name.endswith(ending) or rule.kind == "bool":
            continue
        if rule.hi is not None and rule.hi <= cap:
            return rule
        lo = rule.lo
        if ending == "_db" and lo is None:
            lo = -cap
        return dataclasses.replace(rule, cap=cap, cap_text=text, lo=lo)
    return rule


_RULES = {name: _capped(name, rule) for name, rule in _RULES.items()}

#: Pairs that must be ordered, low below high (checked when both are set and not off).
_ORDERED = (
    ("band_low_hz", "band_high_hz"),
    ("motion_highpass_hz", "band_high_hz"),
    ("min_brief_s", "max_brief_s"),
    ("posture_min_deg", "posture_max_deg"),
)
#: Hysteresis (off, on) pairs: off at most on (equal: one threshold). An off above the on
#: one was clamped to it (segment.thresholds) or made the on one unused (hysteresis_runs:
#: every run above off reaches on), silently.
_NOT_ABOVE = (
    ("k_off", "k_on"),
    ("posture_off_fraction", "posture_on_fraction"),
)


@dataclass(frozen=True)
class EMGConfig(_Config):
    """Defaults for surface and needle EMG. Sources: domain reference sections 1 and 3."""

    # -- preprocessing ------------------------------------------------------
    band_low_hz: float = _p(
        30.0,
        "SENIAM/De Luca 2010 use 20 Hz [S]; 30 Hz removes ECG contamination [S: Drake & "
        "Callaghan 2006]. Measured on simulated EMG: no loss without ECG, 35 false twitches -> 0 with ECG",
        "Hz",
    )
    band_high_hz: float = _p(
        450.0, "De Luca 2010; SENIAM [S]; capped at 0.45*fs for low-rate devices", "Hz"
    )
    filter_order: int = _p(
        4, "Butterworth, zero-phase (sosfiltfilt); the band [S: De Luca 2010], the order [E]"
    )
    notch_hz: float | None = _p(
        None, "mains notch only on request [S: domain ref. section 3]", "Hz"
    )
    notch_harmonics: int = _p(
        3,
        "notches at notch_hz and its multiples up to this one: a notch at every harmonic "
        "is a comb whose echoes (every 1/notch_hz s) stretched brief MUAPs past 80 ms "
        "(3 simulated 4-channel recordings with hum: fasciculation-like F1 0.97, other "
        "0.62 with all 19 harmonics at 2 kHz; 1.00 and 1.00 with 3) [E]",
        "",
    )
    ecg_removal: bool = _p(
        True,
        "find a QRS rhythm (40-150 beats/min) in the 5-40 Hz band and subtract a local "
        "average beat from the band-passed EMG (template subtraction [S: Drake & Callaghan "
        "2006; domain ref. sections 2-3]); a recording without such a rhythm is unchanged. "
        "Measured on dev seeds (48 x 5 min per EMG confounder, confounder only; trained "
        "model of 2026-11): false alarms/h on ECG 8.5 -> 0 (model), 18.5 -> 0 (rules); "
        "pooled over all confounders 1.05 -> 0.20 (model), 5.25 -> 3.40 (rules), the other "
        "confounders unchanged. Event F1 (8 dev recordings per condition, seed 700000), "
        "fasciculation-like, model: 6 dB 0.888 -> 0.875, 12 dB 0.973 -> 0.969, 20 dB 1.0 -> "
        "0.988, natural 0.984 -> 0.992, 30 dB 0.959 -> 0.989, 4 channels 0.954 -> 0.974 [E]. "
        "Adds ~15-25 ms CPU per 10 min of 2 kHz EMG",
    )
    bridge_gap_s: float | None = _p(
        0.010,
        "missing samples (NaN) in runs no longer than this are dropouts (a wireless "
        "link's lost packets): interpolated and scored through, so an event may span them; "
        "a longer gap is never spanned. The brief envelope's RMS window (brief_rms_s, 10 "
        "ms): the envelope averages over such a span anyway; 20 samples at 2 kHz, 2 at "
        "200 Hz. Measured (benchmarks/dropouts.py: 6 x 5 min dev simulations, runs of 1-3 "
        "lost samples, which merge into longer ones): event F1 fasciculation-like / "
        "dystonia-like clean 0.993 / 1.00; 1 % lost 0.993 / 1.00 (0.0025 s: the same; not "
        "bridged: 0.901 / 0.00); 5 % lost 0.980 / 1.00 (0.0025 s: 0.969 / 0.571; not "
        "bridged: 0.594 / 0.00) [E]",
        "s",
    )
    brief_rms_s: float = _p(0.010, "TKEO then ~10 ms RMS for brief events [S: Solnik 2008]", "s")
    sustained_rms_s: float = _p(
        0.150, "100-250 ms RMS for sustained activity [S: St-Amant 1996]", "s"
    )
    # -- segmentation -------------------------------------------------------
    baseline_window_s: float = _p(60.0, "adaptive robust baseline window (median + k*MAD) [E]", "s")
    baseline_quantile: float = _p(
        0.40,
        "quantile of 0.5 s block levels taken as rest: robust while activity fills up to ~60% "
        "of the window; lower quantiles sit below a restless rest (Myo rest files) [E]",
    )
    k_on: float = _p(
        3.0, "onset at baseline + k*SD, k = 1-3 [S: Hodges & Bui 1996]; MAD-scaled [E]"
    )
    k_off: float = _p(1.5, "double threshold (hysteresis) [S: Bonato 1998]; offset level [E]")
    min_snr_on_db: float = _p(
        6.0, "onset also needs the envelope >= this far above baseline [E]", "dB"
    )
    brief_snr_on_db: float = _p(
        9.0,
        "brief-scale onset margin over rest, used below min_muap_fs_hz (at higher rates "
        "the MUAP detector's noise-model threshold, muap_false_alarms_per_h, replaces it). Measured on simulated Gaussian-noise EMG: the "
        "TKEO envelope reaches ~8 dB over its median within 5 min; 8 dB gave 5 false segments/h, "
        "9 dB none in 1 h, and recall of 12 dB twitches 0.90 (0.80 at 10 dB) [E]",
        "dB",
    )
    muap_windows_s: tuple = _p(
        (0.004, 0.008, 0.016),
        "energy windows of the motor-unit potential detector (sampling rates >= min_muap_fs_hz): "
        "fasciculation potentials last 2.8-23.9 ms [S: JNNP, domain ref. section 1]; octave "
        "spacing puts one window within a factor 1.4 of any MUAP's central energy span [E]",
        "s",
    )
    muap_whitening_order: int = _p(
        32,
        "linear-prediction order (lags) of the MUAP detector's whitening: whitening is the "
        "front end of a detector in coloured noise (mains hum, band-pass shape); an FIR "
        "prediction-error filter needs ~1/(line spacing) of lags to null mains lines. Measured "
        "on simulated EMG at 6 dB (dev seeds 700000-700005, all confounders): MUAPs reaching "
        "threshold 39% (16 lags), 84% (32), 84% (64); cost grows with the order; lags at "
        "2 kHz, as many as span the same time above (segment.muap_lags) [E]",
    )
    muap_false_alarms_per_h: float = _p(
        0.1,
        "design rate of false MUAP detections on Gaussian sensor noise, per channel and hour: "
        "the threshold of each window is the energy quantile at "
        "rate / (windows * samples per hour) of chi-square(w)/w for the whitened signal (a "
        "union bound over samples and windows), scaled by the measured noise power; the held-out "
        "goal is <= 1 false alarm/h on confounder-only recordings [E], so sensor noise on 2-4 "
        "channels must use a small part of it. Measured on dev seeds (48 x 5 min per EMG "
        "confounder, confounder only; trained model of 2026-11): 0.5/h gave 0.86 false "
        "fasciculation-like events/h over the confounders other than ECG (4-5 ms detections "
        "at 6-11 dB, sensor noise) and 13/h on ECG (QRS residues near threshold); 0.25/h "
        "0.56/h and 10/h; 0.1/h (threshold 0.2-0.3 dB higher) 0.19/h and 9/h. Cost at 6 dB "
        "(16 dev recordings, all confounders): fasciculation-like F1 0.897 -> 0.887 (model), "
        "0.879 -> 0.887 (rules, fewer noise detections); unchanged at 12 and 20 dB",
        "1/h",
    )
    sustained_window_s: float = _p(
        1.0,
        "window of the sustained-activity detector on the whitened signal (sampling rates >= "
        "min_muap_fs_hz): long enough that a contraction a few dB above rest stands out of the "
        "noise model (chi-square statistics of many sub-blocks), short enough that its half "
        "(0.5 s) stays within the onset tolerance of a sustained event; spasms last >= 0.3 s "
        "[E: domain ref. sections 1 and 3]",
        "s",
    )
    artefact_band_hz: tuple = _p(
        (1.0, 15.0),
        "band of the motion-artefact detector, on the raw (not band-passed) signal: cable and "
        "electrode movement is content below 20 Hz and baseline steps [S: De Luca 2010, domain "
        "ref. section 2], below the EMG high-pass; the lower edge keeps baseline wander "
        "(< 0.5 Hz) out [E]",
        "Hz",
    )
    artefact_min_ratio: float = _p(
        10.0,
        "a motion artefact's low-band RMS (0.1 s) is at least this many times its own robust "
        "baseline (median of 0.5 s blocks over baseline_window_s): 20 dB [E: dev seeds: "
        "artefacts 20-300x, elsewhere < 5x at the 99.9th percentile]; 0 turns the detector off",
    )
    artefact_min_lowfreq_ratio: float = _p(
        8.0,
        "and at least this many times the EMG band's RMS (sustained envelope) at the same "
        "time: muscle activity has little content below 20 Hz, an artefact most of it "
        "[E: dev seeds: artefacts 19-97x, elsewhere < 5x at the 99.9th percentile]",
    )
    artefact_tail_peak_fraction: float = _p(
        0.03,
        "a motion-artefact run, once started, holds on its low band alone (above the square "
        "root of artefact_min_ratio over its baseline, without the EMG-band ratio) while no "
        "sustained EMG segment is there and the low band stays above this fraction of the "
        "run's peak: the recovery of a baseline step (an exponential, the electrode's "
        "half-cell potential settling) has most of its content below the EMG band and little "
        "in the EMG band's RMS, so the EMG-band ratio ended runs halfway through the recovery "
        "[S: De Luca 2010, domain ref. section 2]; the fraction is the zero-phase 1-15 Hz "
        "band-pass's own ringing after an edge (its 0.1 s RMS step response: 9 % of the peak "
        "0.5 s after the edge, 3 % at 0.8 s, 0.3 % at 1 s), which is not artefact [E: dev "
        "seeds 720000+, 3 x 30 x 5 min: artefact runs matching the true event 84/115 -> "
        "98/115]; >= 1 turns the tail off",
    )
    artefact_min_s: float = _p(
        0.15,
        "shortest motion-artefact run: longer than a heartbeat's QRS complex (< 0.12 s) plus "
        "the 0.1 s RMS window, whose low band stands out where the EMG noise is low (30 dB), "
        "shorter than a cable or electrode movement (simulated 0.2-2 s) [E]",
        "s",
    )
    sustained_block_s: float = _p(
        0.025,
        "sub-blocks the sustained detector counts: about one dystonic-tremor burst's quarter "
        "(bursts 92-111 ms [S: Dystonia 2024, domain ref. section 1]) and a MUAP's length "
        "(3-24 ms), so one potential lights at most two of them [E]",
        "s",
    )
    sustained_active_fraction: float = _p(
        0.25,
        "a window is sustained activity when at least this fraction of its sub-blocks is "
        "above the noise model: dystonic-tremor bursts of 92-111 ms at >= 3 Hz fill >= 28 % of "
        "the time [S: Dystonia 2024; domain ref. section 1], a held contraction nearly all; an "
        "isolated fasciculation or doublet (< 60 ms) fills < 10 % of 1 s [E]",
    )
    sustained_false_alarms_per_h: float = _p(
        0.5,
        "design rate of false sustained detections on Gaussian sensor noise, per channel and "
        "hour: the sub-block threshold is the chi-square quantile at which a binomial count "
        "of sub-blocks reaches the active fraction with probability rate / (windows per "
        "hour), as muap_false_alarms_per_h [E]",
        "1/h",
    )
    muap_edge_db: float = _p(
        20.0,
        "a MUAP detection's edges are where its window energy is this far below its peak "
        "(or at the noise off level, whichever is higher): the zero-phase 30 Hz band-pass "
        "rings before and after a strong potential; measured on a 15 ms potential at ~34 dB "
        "over rest: onset 24 ms early without it [E]",
        "dB",
    )
    min_brief_s: float = _p(0.003, "shortest MUAP 2.8 ms [S: JNNP fasciculation potentials]", "s")
    max_brief_s: float = _p(
        0.080, "MUAP <= 24 ms, doublets 30-35 ms apart [S]; + envelope spread [E]", "s"
    )
    min_sustained_s: float = _p(0.30, "spasm 0.3-5 s [E: domain ref. section 1]", "s")
    merge_gap_s: float = _p(
        0.35,
        "sustained bursts closer than this are one event: dystonic tremor bursts (92-111 ms "
        "[S: Dystonia 2024]) at 3-8 Hz leave gaps up to ~0.25 s. Measured on simulated EMG at "
        "12 dB: dystonia-like F1 0.57 (0.12 s) -> 0.73 (0.35 s), rules [E]",
        "s",
    )
    # -- classification -----------------------------------------------------
    min_muap_fs_hz: float = _p(
        900.0,
        "a MUAP (3-24 ms, energy to ~450 Hz [S: De Luca 2010]) needs >= 900 Hz sampling; "
        "below it brief EMG events are not called fasciculation-like",
        "Hz",
    )
    isolation_s: float = _p(
        0.25, "brief event isolated: no other burst within +-250 ms [E: domain ref. section 3]", "s"
    )
    min_event_snr_db: float = _p(
        6.0, "below this an event is low-SNR, flagged for review [E]", "dB"
    )
    regular_train_cv: float = _p(
        0.25,
        "Rules only (a trained model does not read it): brief events with interval CV "
        "below this are a regular train (ECG, tremor) [E]",
    )
    max_brief_channel_fraction: float = _p(
        0.5,
        "Rules only (a trained model does not read it): fasciculations are spatially local "
        "[E]; more channels at once = jerk/artefact",
    )
    crosstalk_ratio: float = _p(
        0.5,
        "a site whose peak within a segment is below this fraction (-6 dB) of the main "
        "site's is counted as volume-conducted cross-talk, not as an active site, in "
        "n_channels_active / channel_fraction: a local potential reaches neighbouring "
        "surface electrodes attenuated by volume conduction; the fraction is [E]. "
        "Measured on simulated EMG at 30 dB (dev seeds): 34/178 twitches lost as 'not local' "
        "with the more sensitive MUAP detector without it",
    )
    dystonia_min_s: float = _p(
        2.0,
        "Rules only (a trained model does not read it): sustained activity >= 2 s "
        "(continuous >= 5 s [S: PMID 8752404]) [E]",
        "s",
    )
    dystonia_min_snr_db: float = _p(
        9.0,
        "a dystonia-like contraction stands clearly above rest; low-level restlessness (2-3x "
        "rest RMS in the Myo rest files) does not [E]. Rules only (a trained model does not "
        "read it), and only where no noise model is available: at min_muap_fs_hz or faster a "
        "segment held above the whitened noise model in >= sustained_active_fraction of its "
        "sub-blocks is strong enough (a 6 dB contraction measures 4-8 dB here) [E]",
        "dB",
    )
    cocontraction_min: float = _p(
        0.5,
        "Rules only (a trained model does not read it): %COCON (Winter 1990) above which "
        "agonist-antagonist co-contraction is called [E]",
    )
    walking_band_hz: tuple = _p(
        (1.4, 2.5),
        "walking ~1.7 steps/s, bouts >= 10 s [S: Urbanek 2015, domain ref. section 2]: a "
        "regular activation rhythm in this band is gait, not dystonia (as AccelConfig)",
        "Hz",
    )
    tremor_band_hz: tuple = _p(
        (3.0, 8.0),
        "dystonic tremor 3-7 Hz [S: Dystonia 2024 arm 3.5-7 Hz; Grosse 2004 4-7 Hz; domain ref. "
        "sections 1, 3]; the top edge 8 Hz leaves room for its cycle jitter (+-1 Hz) [E]",
        "Hz",
    )
    regular_tremor_regularity: float = _p(
        0.6,
        "Rules only (a trained model does not read it): autocorrelation regularity above "
        "which tremor is 'regular' (PD/ET) [E]",
    )
    other_bout_gap_s: float = _p(
        0.5,
        "consecutive 'other' events closer than this are one confounder bout (a walking "
        "bout's step bursts, a reach or regular tremor cut where its envelope dips): under "
        "one step interval at ~1.7 steps/s [S: Urbanek, arXiv 1505.04066]; 0 turns joining "
        "off. Measured on simulated EMG (dev seeds 700000+, 8 x 5 min, trained model): "
        "other F1 0.80 -> 0.88 at 6 dB, 0.68 -> 0.89 at 12 dB, 0.60 -> 0.93 at 1 kHz; "
        "target classes unchanged (only 'other' rows are joined); 1.0 s no better [E]",
        "s",
    )
    review_margin: float = _p(0.15, "probability margin under which a call is 'close' [E]")

    @property
    def modality(self) -> str:
        return "emg"


@dataclass(frozen=True)
class AccelConfig(_Config):
    """Defaults for wrist / muscle-belly accelerometers and IMUs (in g)."""

    gravity_cutoff_hz: float = _p(0.25, "gravity/tilt low-pass 0.2-0.5 Hz [S: van Hees 2013]", "Hz")
    motion_highpass_hz: float | None = _p(
        1.0,
        "dynamic motion for the envelopes is band-passed from 1 Hz: the 0.25 Hz gravity "
        "split leaks +-2-3 s around a tilt change (measured on simulated postures: onsets "
        "2.8 s early); None = x - gravity. Used only when orientation_median_s is None: "
        "then motion = x - orientation, low-passed (no high-pass ringing) [E]",
        "Hz",
    )
    orientation_median_s: float | None = _p(
        1.0,
        "sensor orientation = running median of the acceleration over this window: it cancels "
        "oscillations of >= 1 Hz (tremor 3-12 Hz, walking ~1.7 Hz [S: domain ref. section 2]; "
        "the same 1 Hz as motion_highpass_hz) and transients < 0.5 s (twitches 0.1-1 s "
        "[S: ultrasound twitch studies]) but keeps a tilt change as sharp as it is (a median "
        "passes monotone ramps unchanged). Used for posture edges and to keep a tilt's step "
        "out of the motion band; None = off [E]",
        "s",
    )
    band_high_hz: float = _p(
        40.0,
        "keeps twitch oscillations (10-25 Hz [E]); capped at 0.45*fs. MMG (5-100 Hz [S: domain "
        "ref. section 1, MMG reviews]) needs accel.band_high_hz=100 and a sensor of >= 250 Hz",
        "Hz",
    )
    filter_order: int = _p(4, "Butterworth, zero-phase [E]")
    bridge_gap_s: float | None = _p(
        0.10,
        "missing samples (NaN) in runs no longer than this are dropouts (a wireless "
        "link's lost packets): interpolated and scored through, so an event may span them; "
        "a longer gap is never spanned. The brief envelope's RMS window (brief_rms_s, 0.1 "
        "s, the shortest visible twitch [S: ultrasound twitch studies]): the envelope "
        "averages over such a span anyway; 10 samples at 100 Hz, 3 at 30 Hz. Measured "
        "(benchmarks/dropouts.py: 6 x 5 min dev simulations, runs of 1-3 lost samples, "
        "which merge into longer ones): event F1 fasciculation-like / dystonia-like clean "
        "0.868 / 0.941; 1 % lost 0.872 / 0.941 (0.04 s: 0.872 / 0.857, a 5-sample gap "
        "split a dystonic hold; not bridged: 0.794 / 0.077); 5 % lost 0.868 / 0.941 (0.04 "
        "s: 0.864 / 0.833; not bridged: 0.649 / 0.015). data/sim_wrist_accel.csv with a NaN "
        "every 7th sample keeps its 12 events (1141 not bridged; 0.9.0) [E]",
        "s",
    )
    brief_rms_s: float = _p(
        0.10,
        "twitch transient 0.1-1 s [S: ultrasound twitch studies]; at least 5 samples (below 50 Hz)",
        "s",
    )
    sustained_rms_s: float = _p(0.5, "sustained activity over 0.5 s windows [E]", "s")
    baseline_window_s: float = _p(300.0, "adaptive baseline over 5 min [E]", "s")
    baseline_quantile: float = _p(0.10, "quantile of 0.5 s block levels taken as rest [E]")
    max_rest_level_g: float | None = _p(
        None,
        "rest level never above this, so activity filling a whole recording (continuous tremor) "
        "is still found; physiological tremor 0.0015-0.035 g [S: Arch Neurol 1982; value E]",
        "g",
    )
    k_on: float = _p(4.0, "onset at baseline + k*MAD [E]")
    k_off: float = _p(2.0, "hysteresis offset level [S: Bonato 1998]; value [E]")
    noise_floor_g: float = _p(
        0.008, "consumer MEMS noise ~+-8 mg at 100 Hz [E: domain ref. section 2]", "g"
    )
    min_snr_on_db: float = _p(6.0, "onset needs the envelope >= this above baseline [E]", "dB")
    brief_snr_on_db: float = _p(6.0, "brief-scale onset margin over the rest level [E]", "dB")
    min_brief_s: float = _p(
        0.05, "accelerometer transient >= 0.05 s [E: domain ref. section 3]", "s"
    )
    max_brief_s: float = _p(1.0, "visible twitch 0.1-1 s [S: ultrasound twitch studies]", "s")
    twitch_windows_s: tuple | None = _p(
        (0.1, 0.2, 0.4),
        "energy windows of the twitch detector (segment.twitch_runs) on the whitened motion "
        "of each axis, whose runs join the brief envelope's: visible twitch 0.1-1 s [S: "
        "ultrasound twitch studies], most of a damped transient's energy in its first part; "
        "octave spacing as the EMG muap_windows_s; at most 0.5 s (the noise model's block). "
        "Measured on simulated recordings (heldout_metrics, dev seed 700000, 8 x 5 min per "
        "condition, all confounders): fasciculation-like F1 at 0 dB 0.761 -> 0.912 (rules; "
        "recall 110/178 -> 150/178, false positives 1 -> 1), 6 dB 0.980 -> 0.990, natural "
        "SNR 0.887 -> 0.897, 12 dB unchanged; confounder-only false alarms 0.22/h -> 0/h "
        "(rules, 9 h). None = the brief envelope's rest margin only (brief_snr_on_db) [E]",
        "s",
    )
    twitch_whitening_order: int = _p(
        8,
        "linear-prediction order (lags) of the twitch detector's whitening: the motion band "
        "(low-pass at band_high_hz, the orientation median's notch below 1 Hz) at ~100 Hz "
        "has a smooth spectrum that few lags follow [E]",
    )
    twitch_false_alarms_per_h: float = _p(
        0.1,
        "design rate of false twitch detections on Gaussian sensor noise, per site and hour "
        "(a union bound over samples, windows and axes; as the EMG muap_false_alarms_per_h). "
        "Measured: none in 1 h of simulated sensor noise (12 x 5 min, no confounders) [E]",
        "1/h",
    )
    sustained_edge_fraction: float | None = _p(
        0.1,
        "a sustained run's onset/offset is where its envelope reaches this fraction of the "
        "run's own peak (never earlier than the rest-based threshold): the 10 %-90 % "
        "transition convention [S: IEEE Std 181-2011]; keeps the filter and RMS tails of "
        "large movements (reaches of ~1 g) out of the event. None = rest-based edges only",
    )
    min_sustained_s: float = _p(1.5, "sustained scale: at least 1.5 s of activity [E]", "s")
    merge_gap_s: float = _p(0.5, "movements closer than this are one event [E]", "s")
    isolation_s: float = _p(
        1.0, "no voluntary activity within +-1 s [E: domain ref. section 3]", "s"
    )
    burst_chain_gap_s: float = _p(
        1.0,
        "brief-scale bursts closer than this to sustained activity (or to each other in a "
        "chain reaching it) are part of it: a dystonic episode is one event even with short "
        "pauses, and an irregular tremor (3-8 Hz, cycle jitter +-1 Hz, amplitude CV 0.3-0.6 "
        "[E: domain ref. section 1]) can drop two of its slowest (2 Hz, 0.5 s) cycles below "
        "the brief threshold. Two sustained runs join only through bursts (merge_gap_s "
        "between them otherwise). Measured on simulated accelerometer recordings (seeds "
        "700100-700159, dev, rules): dystonia-like F1 at 0 dB 0.862 (0.5 s) -> 0.874 (1.0 s) "
        "-> 0.866 (1.5 s, and at 6 dB 0.953 -> 0.869, fasciculation-like 0.990 -> 0.962: "
        "neighbouring events joined) [E]",
        "s",
    )
    min_event_snr_db: float = _p(6.0, "below this an event is low-SNR [E]", "dB")
    max_twitch_g: float = _p(
        0.15,
        "Rules only (a trained model does not read it): visible twitch, not a jerk or "
        "knock; knocks >= 0.5 g [E]",
        "g",
    )
    knock_g: float = _p(
        0.5,
        "Rules only (a trained model does not read it): sensor knock: a few samples "
        ">= 0.5 g, broadband [E]",
        "g",
    )
    clip_g: float = _p(
        None, "clipping level; None = detect runs at the recording's own max |a| [E]", "g"
    )
    crosstalk_ratio: float = _p(
        0.5,
        "a sensor whose peak within a segment is below this fraction (-6 dB) of the main "
        "sensor's is not counted as active in n_channels_active / channel_fraction: a "
        "movement of one limb reaches sensors elsewhere on the body attenuated [E]",
    )
    dystonia_min_s: float = _p(
        2.0,
        "Rules only (a trained model does not read it): sustained >= 2 s [E: domain ref. "
        "section 3]",
        "s",
    )
    tremor_band_hz: tuple = _p(
        (2.5, 8.0),
        "dystonic tremor 3-7 Hz [S: Dystonia 2024; Grosse 2004; Yanagisawa & Goto: 1-6.5 Hz; "
        "domain ref. sections 1, 3], the top edge 8 Hz [E], whose cycle "
        "frequency wanders by +-1 Hz [E: domain ref. section 1]: a 3 Hz tremor's power and "
        "spectral peak spread down to 2.5 Hz (simulated 3.0-3.5 Hz dystonic tremor, seeds "
        "700100+, dev, 6 dB: peaks at 2.7-3.0 Hz in 4 of 6 missed events); walking "
        "(<= 2.5 Hz [S: Urbanek 2015]) stays below",
        "Hz",
    )
    regular_tremor_regularity: float = _p(
        0.6,
        "Rules only (a trained model does not read it): tremor stability: regular above "
        "this autocorrelation peak (PD/ET) [S: di Biase 2017; value E]",
    )
    regular_tremor_peak_power: float = _p(
        0.7,
        "Rules only (a trained model does not read it): regular (PD/ET) tremor also keeps most "
        "of its power at one frequency: >= this share within 0.5 Hz of the peak [S: Luft 2019 "
        "relative peak power; value E]. A tremor whose cycle frequency wanders by +-1 Hz "
        "(dystonic tremor [E: domain ref. section 1]) spreads it over ~2 Hz; a short window's "
        "autocorrelation alone can read it as regular. Measured on simulated 3-8 Hz sustained "
        "segments (seeds 700000+, dev): dystonic tremor 0.32-0.77 (median 0.52), regular "
        "tremor 0.86-1.00 (median 0.98)",
    )
    min_tremor_power: float = _p(
        0.35,
        "Rules only (a trained model does not read it): relative power at the spectral "
        "peak for tremor-like activity [S: Luft 2019; value E]",
    )
    periodic_window_s: float = _p(3.0, "tremor windows of 3 s [S: Luft 2019]", "s")
    periodic_hop_s: float = _p(
        0.5,
        "step between tremor windows; a periodic window marks its central hop, so run edges "
        "are placed to +-hop/2: 0.5 s = the sustained RMS window, within the 0.5 s minimum "
        "onset collar of sustained events in movement.evaluate (the project's choice; sed_eval's "
        "default collar is 0.2 s [S: domain ref. section 4]); rounded onto the 0.5 s block "
        "grid (a divisor of the block, or whole blocks): segment.periodic_hop [E]",
        "s",
    )
    periodic_band_hz: tuple = _p(
        (3.0, 12.0),
        "tremor of any kind: dystonic 3-7 (section 1), PD 3-8, ET 4-12, physiological 6-12 Hz "
        "[S: domain ref. sections 1, 2]",
        "Hz",
    )
    periodic_min_ratio: float = _p(
        0.3,
        "window is periodic when >= this share of 1-15 Hz power lies within 0.5 Hz of the peak [E]",
    )
    periodic_min_rms_g: float = _p(
        0.0015,
        "smallest tremor amplitude considered: physiological tremor 0.0015 g [S: Arch Neurol 1982]",
        "g",
    )
    posture_min_deg: float = _p(
        10.0, "held posture change >= 10 deg [E: domain ref. section 3]", "deg"
    )
    posture_max_deg: float = _p(
        45.0,
        "dystonic postures are 10-40 deg off neutral [E: domain ref. section 1]; a limb held "
        "beyond 45 deg has been reoriented (hand turned over), not twisted",
        "deg",
    )
    posture_on_fraction: float = _p(
        0.7,
        "a posture segment starts at this fraction of posture_min_deg off the running median direction [E]",
    )
    posture_off_fraction: float = _p(0.4, "and ends below this fraction (hysteresis) [E]")
    posture_hold_fraction: float = _p(
        0.65,
        "Rules only (a trained model does not read it): a held posture or spasm spends at least "
        "this share of the event at >= half of its tilt; a voluntary reach (smooth "
        "out-and-back, minimum jerk [E: domain ref. section 2]) spends ~50-55 % there, a held "
        "tilt with 0.05-1 s ramps 70-95 % [E]. Measured on simulated segments tilted >= 10 deg "
        "(seeds 700000+, dev): reaches median 0.52 (75th pct 0.59), postures median 0.95 (10th "
        "pct 0.80), spasms median 0.92 (25th pct 0.72)",
    )
    smooth_max_entropy: float = _p(
        0.72,
        "Rules only (a trained model does not read it): a tilt whose motion spectrum is this "
        "concentrated (normalised spectral entropy below this, peak below the tremor band) is a "
        "smooth voluntary movement (reach out and back, minimum jerk [E: domain ref. section "
        "2]), not a held posture or spasm, whose motion is tremulous jitter, dystonic tremor or "
        "sensor noise [E: domain ref. section 1]. Measured on simulated segments tilted >= 8 "
        "deg (seeds 700100+, dev, 6 dB), 10th-90th pct: reaches 0.46-0.60, postures 0.84-0.97, "
        "spasms 0.84-0.94 [E]",
    )
    spasm_min_s: float = _p(
        0.3,
        "Rules only (a trained model does not read it): a held posture change >= "
        "posture_min_deg lasting >= 0.3 s is a spasm (spasm 0.3-5 s; sustained: >= 300 ms plus "
        "a held posture change [E: domain ref. sections 1, 3])",
        "s",
    )
    posture_edge_fraction: float = _p(
        0.1,
        "a posture's onset/offset is where this fraction of its tilt change is done, looked "
        "for on the sharp orientation (orientation_median_s) within 1/(2*gravity_cutoff_hz) "
        "of the low-passed run's edge: the 10 %-90 % transition-duration convention "
        "[S: IEEE Std 181-2011]",
    )
    posture_steady_deg: float = _p(
        3.0,
        "held: the gravity direction stays within this of its +-1 s mean; free-living "
        "movement otherwise reads as one long 'posture' [E]",
        "deg",
    )
    posture_sharp_steady_s: float = _p(
        0.25,
        "on the sharp orientation (a running median over orientation_median_s, which already "
        "removes oscillations >= 1 Hz) a posture is held when the direction is steady over "
        "+-this (one posture block), not +-1 s as on the 0.25 Hz gravity, which needs ~2 s "
        "of steady direction: a spasm or short posture held ~1-5 s [E: domain ref. section "
        "1] is then found whole instead of as its two ramps (dev seeds 710000+, 6 dB: "
        "postures of 2.1-2.6 s split 3/20 -> 0/20) [E]",
        "s",
    )
    walking_band_hz: tuple = _p((1.4, 2.5), "walking ~1.7 steps/s [S: Urbanek 2015]", "Hz")
    gait_window_s: float = _p(
        5.0,
        "gait_fraction: a long segment is measured in consecutive windows of this length, "
        "each holding about four strides at ~1.7 steps/s [S: Urbanek 2015] and lags up to "
        "half its length (the slowest stride, 2 / walking_band_hz[0] = 1.43 s)",
        "s",
    )
    gait_min_bout_s: float = _p(
        10.0,
        "gait_fraction is measured on segments at least this long: walking bouts last >= "
        "10 s [S: Urbanek 2015, domain ref. section 2]",
        "s",
    )
    gait_band_hz: tuple = _p(
        (0.5, 2.5),
        "band of the stride (0.7-1.25 Hz) and step (1.4-2.5 Hz) fundamentals at "
        "walking_band_hz step rates; a window's motion in it must repeat one stride later. "
        "Its top at the fastest step rate: up to 3 Hz, a 3 Hz dystonic tremor wandering by "
        "+-1 Hz was read as gait (simulated, 24 h benchmark recording) [E]",
        "Hz",
    )
    gait_min_acf: float = _p(
        0.5,
        "a window is gait when its motion in gait_band_hz repeats one stride later with an "
        "autocorrelation >= this (stride regularity [S: Moe-Nilssen & Helbostad 2004, "
        "J Biomech 37:121]; value [E]). Measured on 5 s windows (gait_fraction): Daphnet "
        "recordings (benchmarks/real_gait.py, 12 recording x sensor runs) 40 % of the "
        "annotated walking windows gait (7-65 % per run: low in S03R02 and at S01R02's "
        "trunk), 4 % of those between trials (1-7 %); simulated recordings (dev seeds "
        "700000-700009 and 710000-710019, 0/6/12 dB and natural SNR) all windows of the 88 "
        "walking bouts, none of any of the 152 dystonia-like events >= 5 s [E]",
    )
    gait_min_share: float = _p(
        0.2,
        "... and gait_band_hz holds >= this share of its motion power up to 15 Hz: a "
        "3-8 Hz tremor repeats at a stride lag too, but carries its power above the band [E]",
    )
    gait_min_fraction: float | None = _p(
        0.5,
        "a segment (tri-axial sensor) with gait in at least this share of its windows is "
        "walking, 'other' whatever a classifier says of it (walking is 'other', domain ref. "
        "section 3); None = off [E]",
    )
    other_bout_gap_s: float = _p(
        0.5,
        "consecutive 'other' events closer than this are one confounder bout (a walking "
        "bout, a reach, a tremor episode in pieces); as merge_gap_s, under one step "
        "interval at ~1.7 steps/s [S: Urbanek, arXiv 1505.04066]; 0 turns joining off. "
        "Measured on simulated accelerometry (dev seeds 700000+, 8 x 5 min, trained "
        "model): other F1 0.92 -> 0.94 at 6 dB, 0.91 -> 0.93 at 50 Hz; 1.0 s worse at "
        "50 Hz (0.91) [E]",
        "s",
    )
    nonwear_window_s: float | None = _p(
        3600.0,
        "non-wear: a window this long that is still on nonwear_min_axes axes is not worn "
        "(60 min stepped by 15 min [S: van Hees et al. 2013, PLoS ONE 8:e61691; GGIR "
        "detect_nonwear_clipping windowsizes 900/3600 s]); events overlapping it are flagged "
        "for review and its time reported (nothing is removed); None = off",
        "s",
    )
    nonwear_step_s: float = _p(
        900.0, "non-wear windows step by 15 min blocks [S: van Hees 2013; GGIR]", "s"
    )
    nonwear_sd_g: float = _p(
        0.013, "still: standard deviation below 13 mg [S: van Hees 2013; GGIR sdcriter]", "g"
    )
    nonwear_range_g: float = _p(
        0.05, "still: range (max - min) below 50 mg [S: van Hees 2013; GGIR racriter]", "g"
    )
    nonwear_min_axes: int = _p(
        2, "still on at least 2 of the 3 axes [S: van Hees 2013; GGIR wearthreshold]"
    )
    calibrate: bool = _p(
        True,
        "auto-calibrate each tri-axial sensor against gravity before anything else "
        "(movement.calibration) [S: van Hees et al. 2014, J Appl Physiol 117:738; GGIR "
        "g.calibrate, actipy, wristpy do so by default]; off = the values as read",
    )
    calib_window_s: float = _p(
        10.0, "still windows of 10 s give the calibration's points [S: van Hees 2014]", "s"
    )
    calib_sd_g: float = _p(
        0.013, "still: every axis' standard deviation below 13 mg [S: van Hees 2014]", "g"
    )
    calib_sphere_g: float = _p(
        0.3,
        "points must reach beyond +-0.3 g on every axis, both ways [S: van Hees 2014; "
        "GGIR spherecrit]",
        "g",
    )
    calib_min_windows: int = _p(
        50, "at least 50 still windows (~8 min still) to fit [E; actipy calib_min_samples]"
    )
    calib_max_error_g: float = _p(
        0.01,
        "applied only when the still points end within 10 mg of the unit sphere on "
        "average [S: van Hees 2014, error after calibration < 0.01 g]",
        "g",
    )
    review_margin: float = _p(0.15, "probability margin under which a call is 'close' [E]")

    @property
    def modality(self) -> str:
        return "accel"


CONFIGS: dict[str, type[_Config]] = {"emg": EMGConfig, "accel": AccelConfig}


@dataclass(frozen=True)
class Settings:
    """The configuration of a run: one config per modality.

    Examples
    --------
    >>> s = Settings().with_overrides(["emg.k_on=4"])
    >>> s.emg.k_on
    4.0
    """

    emg: EMGConfig = field(default_factory=EMGConfig)
    accel: AccelConfig = field(default_factory=AccelConfig)

    def __post_init__(self) -> None:
        # a dict is that modality's values (checked as the config checks them); None is
        # its defaults; another type is an error here, not an AttributeError when scoring
        for mod, cls in CONFIGS.items():
            value = getattr(self, mod)
            if isinstance(value, cls):
                continue
            if value is None:
                object.__setattr__(self, mod, cls())
            elif isinstance(value, dict):
                object.__setattr__(
                    self, mod, cls().replace(**{str(k): v for k, v in value.items()})
                )
            else:
                raise MovementError(
                    f"Settings({mod}=...) must be an {cls.__name__}, a dict of {mod} values or "
                    f"None, got {type(value).__name__}"
                )

    def for_modality(self, modality: str) -> _Config:
        """The config of one modality."""
        return self.emg if modality == "emg" else self.accel

    def with_overrides(self, items: list[str] | str | dict[str, Any]) -> Settings:
        """Apply ``modality.name=value`` overrides (from ``--set``) or a nested dict.

        One ``NAME=VALUE`` text is taken as a list of one.
        """
        changes = _changes(items)
        return Settings(
            emg=self.emg.replace(**changes["emg"]), accel=self.accel.replace(**changes["accel"])
        )

    def to_dict(self) -> dict[str, Any]:
        return {"emg": self.emg.to_dict(), "accel": self.accel.to_dict()}


def _changes(items: list[str] | str | dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The per-modality changes that ``NAME=VALUE`` texts or a nested dict ask for
    (:meth:`Settings.with_overrides`), not yet checked against the parameters' rules."""
    if isinstance(items, str):
        items = [items]
    changes: dict[str, dict[str, Any]] = {"emg": {}, "accel": {}}
    pairs = items.items() if isinstance(items, dict) else (_split(s) for s in items)
    for key, value in pairs:
        if isinstance(value, dict):
            if key not in changes:
                raise MovementError(f"unknown config section [{key}]; use [emg] or [accel]")
            changes[key].update(value)
            continue
        if key in changes:  # a modality given a value, not a table of values
            if isinstance(items, dict):
                raise MovementError(
                    f"the [{key}] section must be a table of NAME = VALUE, got {_brief(value)}"
                )
            raise MovementError(f"--set {key}={value}: name a parameter, e.g. {key}.k_on=4")
        mod, _, name = str(key).partition(".")
        if not name:
            # a bare name applies to every modality that has it
            hits = [m for m in changes if name_in(m, mod)]
            if not hits:
                raise MovementError(f"unknown parameter {mod!r}")
            for m in hits:
                changes[m][mod] = value
            continue
        if mod not in changes:
            raise MovementError(f"unknown modality in {key!r}; use emg.NAME or accel.NAME")
        changes[mod][name] = value
    return changes


def name_in(modality: str, name: str) -> bool:
    return name in {f.name for f in fields(CONFIGS[modality])}


def _brief(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _split(item: str) -> tuple[str, str]:
    if not isinstance(item, str):
        raise MovementError(f"overrides are NAME=VALUE texts, got {_brief(item)}")
    key, sep, value = item.partition("=")
    if not sep:
        raise MovementError(f"--set expects NAME=VALUE, got {item!r}")
    return key.strip(), value.strip()


def load_settings(
    path: str | Path | Sequence[str | Path] | None = None,
    overrides: list[str] | str | None = None,
) -> Settings:
    """Settings from optional TOML/JSON files, then ``NAME=VALUE`` overrides.

    Parameters
    ----------
    path : path or list of paths, optional
        A TOML or JSON file with ``[emg]`` and/or ``[accel]`` tables (JSON: ``{"emg":
        {"k_on": 4}}``). A ``.json`` file is read as JSON, a ``.toml`` file as TOML, and
        another one by its content: JSON when it starts with ``{``, else TOML. Every
        parameter belongs in its modality's table (a bare ``k_on = 4`` is refused; ``--set
        k_on=4`` sets both). Several files (``--config a.toml --config b.toml``) are
        merged in order, a later file's value winning, as with ``--set``; the values are
        checked once merged.
    overrides : list of str, optional
        ``emg.k_on=4`` style overrides, applied after the file(s) (one text: a list of one).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.toml").write_text("[emg]\\nk_on = 4\\nk_off = 2\\n")
    >>> _ = (d / "b.toml").write_text("[emg]\\nk_on = 5\\n")
    >>> s = load_settings([d / "a.toml", d / "b.toml"])
    >>> s.emg.k_on, s.emg.k_off
    (5.0, 2.0)
    """
    settings = Settings()
    paths = _config_paths(path)
    if not paths:
        return settings.with_overrides(overrides) if overrides else settings
    from_file: dict[str, dict[str, Any]] = {"emg": {}, "accel": {}}
    given_by: dict[str, Path] = {}  # "emg.k_on" -> the last file that set it
    for p in paths:
        data = _read_config(p)
        try:
            changes = _changes(_sections(data))
        except MovementError as exc:
            raise MovementError(f"{p}: {exc}") from None
        for mod, values in changes.items():
            from_file[mod].update(values)
            given_by.update({f"{mod}.{name}": p for name in values})
    try:
        alone = settings.with_overrides(from_file)
    except MovementError as exc:
        # a file that --set completes (k_on = 1 in it, --set emg.k_off=0.5) is checked
        # with the overrides applied: the values are checked together, as the run uses them
        if overrides:
            extra = _changes(overrides)
            try:
                return Settings(
                    emg=settings.emg.replace(**{**from_file["emg"], **extra["emg"]}),
                    accel=settings.accel.replace(**{**from_file["accel"], **extra["accel"]}),
                )
            except MovementError:
                pass
        raise MovementError(f"{_blamed(str(exc), paths, given_by)}: {exc}") from None
    return alone.with_overrides(overrides) if overrides else alone


def _config_paths(path: str | Path | Sequence[str | Path] | None) -> list[Path]:
    """The config files ``load_settings`` is given: none, one, or several in order."""
    if path is None:
        return []
    if isinstance(path, (str, os.PathLike)):
        return [Path(path)]
    if isinstance(path, (bytes, dict)) or not isinstance(path, Iterable):
        raise MovementError(f"a config file is a path or a list of paths, got {_brief(path)}")
    return [Path(p) for p in path]


def _blamed(message: str, paths: list[Path], given_by: dict[str, Path]) -> str:
    """The config file(s) an error about merged files' values is named after: of one file,
    that file; of several, the last one to give each parameter the message names (a pair's
    two values may come from two files: both), else all of them."""
    if len(paths) == 1:
        return str(paths[0])
    named = [given_by[w] for w in re.findall(r"\b(?:emg|accel)\.\w+", message) if w in given_by]
    blamed = list(dict.fromkeys(named)) or paths
    return ", ".join(str(p) for p in blamed)


_FORMATS = (
    'a config file is TOML with [emg] / [accel] tables, JSON: {"emg": {"k_on": 4}}, or YAML '
    "(.yaml / .yml, with PyYAML: movement[yaml])"
)


def _read_yaml(p: Path, text: str) -> Any:
    """A ``.yaml`` / ``.yml`` config file parsed with PyYAML's safe loader (no tags that
    build objects); a key given twice in one mapping is refused, as in TOML and JSON."""
    try:
        import yaml
    except ImportError:
        raise MovementError(
            f"{p}: a YAML config file needs PyYAML: pip install 'movement[yaml]' (or write "
            "it as TOML: [emg] / [accel] tables of the same keys)"
        ) from None

    class Loader(yaml.SafeLoader):
        pass

    def mapping(loader: Any, node: Any, deep: bool = False) -> dict:
        keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
        twice = sorted({str(k) for k in keys if keys.count(k) > 1})
        if twice:
            raise _DuplicateKey(f"key {twice[0]!r} given twice (line {node.start_mark.line + 1})")
        return loader.construct_mapping(node, deep=deep)

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    try:
        data = yaml.load(text, Loader=Loader)  # noqa: S506 - a SafeLoader subclass
    except _DuplicateKey as exc:
        raise MovementError(f"{p}: {exc}; {_FORMATS}") from None
    except yaml.YAMLError as exc:
        said = " ".join(str(exc).split())
        raise MovementError(f"{p}: not valid YAML ({said}); {_FORMATS}") from None
    return {} if data is None else data


def _read_config(p: Path) -> Any:
    """The parsed content of a config file: JSON or TOML by suffix, else by content."""
    import tomllib

    try:
        text = p.read_text(encoding="utf-8-sig")  # (a BOM a Windows editor added)
    except OSError as exc:
        raise MovementError(f"{p}: cannot read config file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise MovementError(f"{p}: not a text file; {_FORMATS}") from None
    suffix = p.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _read_yaml(p, text)
    start = text.lstrip()[:1]
    if suffix == ".json" or (suffix != ".toml" and start == "{"):
        order = ["JSON"]
    elif suffix != ".toml" and start == "[":  # a TOML table header, or a JSON list
        order = ["TOML", "JSON"]
    else:
        order = ["TOML"]
    first: Exception | None = None
    for fmt in order:
        try:
            if fmt == "JSON":
                return json.loads(text, object_pairs_hook=_unique_keys)
            return tomllib.loads(text)
        except _DuplicateKey as exc:  # (TOML refuses them itself)
            raise MovementError(f"{p}: {exc}; {_FORMATS}") from None
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, TOMLDecodeError
            first = first or exc
    raise MovementError(f"{p}: not valid {order[0]} ({first}); {_FORMATS}")


class _DuplicateKey(Exception):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict, refusing a key given twice: ``json`` keeps the last one,
    so ``{"emg": {"k_on": 4}, "emg": {"k_off": 1}}`` lost ``k_on`` silently."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(f"{key!r} is given twice in one table")
        out[key] = value
    return out


def _sections(data: Any) -> dict[str, Any]:
    """A config file's content, checked to hold ``emg`` / ``accel`` tables (a value given
    as ``emg.NAME`` is taken as in ``--set``); a parameter outside them is refused, not
    applied to both modalities."""
    if not isinstance(data, dict):
        kind = {list: "a list", str: "a text", bool: "true/false", type(None): "null"}
        got = kind.get(type(data), "a number")
        raise MovementError(f"the top level is {got}, not a table; {_FORMATS}")
    for key, value in data.items():
        if key in CONFIGS or str(key).partition(".")[0] in CONFIGS or isinstance(value, dict):
            continue  # (with_overrides says what is wrong in there, or with [other])
        hits = [m for m in CONFIGS if name_in(m, str(key))]
        if hits:
            where = " or ".join(f"[{m}]" for m in hits)
            raise MovementError(f"{key} is outside any section: put {key} under {where}")
        raise MovementError(f"unknown key {key!r}: {_FORMATS}")
    return data


def params_hash(params: dict[str, Any]) -> str:
    """A short stable hash of a parameter dict (sorted JSON, SHA-256)."""
    blob = json.dumps(params, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


#: The rules' thresholds among :data:`LABEL_ONLY_SETTINGS`: read by
#: :class:`~movement.classify.RuleClassifier` alone (its scores and the ``reason``
#: column's rules), never by a trained model's labels, and no class definition that
#: holds whatever the classifier says. Changed from its default with a trained model,
#: such a setting changes the parameters hash and the ``reason`` column but not the
#: labels: :func:`movement.pipeline.classifier_for` says so
#: (:class:`movement.classify.RulesOnlySettingsWarning`, and the events' notes). The
#: other label-only settings (``posture_max_deg``, the review flags, bout joining,
#: non-wear) act on every classifier's output.
RULES_ONLY_SETTINGS = frozenset(
    {
        "cocontraction_min",
        "dystonia_min_s",
        "dystonia_min_snr_db",
        "knock_g",
        "max_brief_channel_fraction",
        "max_twitch_g",
        "min_tremor_power",
        "posture_hold_fraction",
        "regular_train_cv",
        "regular_tremor_peak_power",
        "regular_tremor_regularity",
        "smooth_max_entropy",
        "spasm_min_s",
    }
)

#: Settings that act only once the segments and their features are computed: the rules'
#: thresholds (:class:`~movement.classify.RuleClassifier`), the class definitions applied
#: to any classifier's probabilities (:func:`~movement.classify.apply_definitions`), the
#: review flags, the joining of ``other`` bouts and the non-wear flags. A trained model
#: never sees them, so a model trained with other values of these is given the same
#: features as in training (:func:`feature_setting_changes` leaves them out). Every other
#: setting (filters, calibration, envelopes, rest level, detectors, segment lengths and
#: joining, the windows and bands features are measured in) changes what the model is
#: given; a setting added later is taken as one of those unless listed here.
#: (``isolation_s``, ``walking_band_hz``, ``tremor_band_hz``, ``max_brief_s``,
#: ``min_muap_fs_hz`` and the ``gait_*`` settings are class definitions too, but the
#: features are measured with them: not listed.)
LABEL_ONLY_SETTINGS = frozenset(
    {
        # the rules' thresholds
        *RULES_ONLY_SETTINGS,
        # the definitions every classifier's labels obey, review, bouts, non-wear
        "posture_max_deg",
        "min_event_snr_db",
        "review_margin",
        "other_bout_gap_s",
        "nonwear_window_s",
        "nonwear_step_s",
        "nonwear_sd_g",
        "nonwear_range_g",
        "nonwear_min_axes",
    }
)


def _comparable(value: Any) -> Any:
    """A setting's value as compared between a model's training and a run: a list or
    tuple as a tuple, numbers as floats (a value read back from JSON is a list, 4 and 4.0
    are one setting)."""
    if isinstance(value, (list, tuple)):
        return tuple(_comparable(v) for v in value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, numbers.Real):
        return float(value)
    return value


def feature_setting_changes(
    trained: dict[str, Any] | None, used: dict[str, Any]
) -> list[tuple[str, Any, Any]]:
    """The settings that change the segments' features and differ between a model's
    training (``trained``: one modality's :meth:`_Config.to_dict` as the model file keeps
    it) and a run (``used``): ``(name, trained value, value used)`` in ``used``'s order.

    Left out: :data:`LABEL_ONLY_SETTINGS` (they act on labels, not on what a model is
    given), and a setting only one side knows (a model trained by a version that did not
    have it, or whose setting was removed since: what it did then cannot be said).
    ``trained`` None (a model file without its settings: made before they were kept, or
    not by ``movement train``) gives none.

    Examples
    --------
    >>> a = AccelConfig().to_dict()
    >>> b = AccelConfig(k_on=5.0, review_margin=0.3).to_dict()
    >>> feature_setting_changes(a, b)
    [('k_on', 4.0, 5.0)]
    >>> feature_setting_changes({**a, "twitch_windows_s": [0.1, 0.2, 0.4]}, AccelConfig().to_dict())
    []
    """
    if not isinstance(trained, dict):
        return []
    out = []
    for name, value in used.items():
        if name in LABEL_ONLY_SETTINGS or name not in trained:
            continue
        if _comparable(trained[name]) != _comparable(value):
            out.append((name, trained[name], value))
    return out


def rules_setting_changes(modality: str, used: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """The rules' thresholds (:data:`RULES_ONLY_SETTINGS`) that ``used`` (one modality's
    :meth:`_Config.to_dict`) changes from the modality's defaults: ``(name, default,
    value used)`` in ``used``'s order. A trained model reads none of them, whatever it
    was trained with (its labels come from the simulator's truth, not from the rules), so
    they are compared with the defaults, not with a model's training settings.

    Examples
    --------
    >>> rules_setting_changes("accel", AccelConfig(dystonia_min_s=20.0, k_on=5.0).to_dict())
    [('dystonia_min_s', 2.0, 20.0)]
    >>> rules_setting_changes("accel", AccelConfig().to_dict())
    []
    """
    defaults = CONFIGS[modality]().to_dict()
    return [
        (name, defaults[name], value)
        for name, value in used.items()
        if name in RULES_ONLY_SETTINGS
        and name in defaults
        and _comparable(defaults[name]) != _comparable(value)
    ]
