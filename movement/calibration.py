"""Auto-calibration of tri-axial accelerometers against gravity.

A still accelerometer measures gravity only: 1 g in some direction. Offsets and gains
that drift from the factory's put still readings off the unit sphere, by 10-50 mg on
many devices in the field. The method of van Hees et al. (2014, J Appl Physiol 117:738,
"Autocalibration of accelerometer data for free-living physical activity assessment
using local gravity and temperature"), as GGIR (``g.calibrate``), actipy and wristpy
apply it before anything else:

1. the recording is cut into windows of ``calib_window_s`` (10 s); a window is *still*
   when every axis of a sensor has a standard deviation below ``calib_sd_g`` (13 mg),
   and its mean is one point of that sensor;
2. the points must cover the sphere: on every axis some beyond ``+calib_sphere_g`` and
   some beyond ``-calib_sphere_g`` (0.3 g), and there must be at least
   ``calib_min_windows`` (50) of them; else nothing is changed and the reason is said;
3. per axis an offset and a scale are fitted, by iterated weighted least squares, that
   bring the points to the closest point on the unit sphere (the weights favour points
   already close: ``1 / max(distance, 0.01 g)``);
4. the fit is applied (``offset + scale * x``) only when it lowers the mean distance of
   the points from the sphere (the *calibration error*) below ``calib_max_error_g``
   (10 mg); else the recording stays as read and the error is reported.

Temperature, which van Hees et al. also model, is not used: few of the formats read here
carry it. The statistics are per window (:class:`movement.wear.BlockStats`), so a long
recording read in chunks (``movement.stream``) is calibrated exactly as the whole array.

What is done with it: the calibrated acceleration is what every later step sees (the
clipping mask is judged on the values as read); ``events.attrs["calibration"]`` holds
the fit, and ``summary.tsv`` its error (``calibration_error_mg``) and whether it was
applied. A skipped or failed calibration is reported, never silent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .config import AccelConfig
from .wear import block_stats

__all__ = [
    "Calibration",
    "SiteCalibration",
    "calibration_of",
    "calibration_of_stats",
    "fit_gravity",
    "still_points",
    "window_len",
]

#: Iterations of the weighted least squares (GGIR ``g.calibrate``: up to 1000).
_MAX_ITER = 1000
#: The fit stops when the mean distance changes by less than this (g).
_TOL_G = 1e-10
#: Points closer to the sphere than this (g) weigh as much as at this distance.
_MIN_DIST_G = 0.01
#: Still readings (median norm) outside this range are not in g: nothing is fitted (a
#: miscalibrated device is off by a few per cent; mg or raw counts by orders of magnitude).
_NEAR_ONE_G = (0.8, 1.25)


def window_len(fs: float, window_s: float) -> int:
    """Samples per calibration window: ``round(window_s * fs)``, at least 2."""
    return max(2, int(round(window_s * fs)))


@dataclass(frozen=True)
class SiteCalibration:
    """The fit of one tri-axial sensor.

    ``offset`` and ``scale`` (3 each) map the values as read to calibrated ones,
    ``offset + scale * x``; ``error_before_g`` and ``error_after_g`` are the mean
    distances of the still points from the unit sphere before and after (``nan`` with
    no points); ``applied`` says whether the fit was used, and ``reason`` why not.
    """

    site: str
    channels: tuple[int, ...]
    n_windows: int
    offset: tuple[float, ...]
    scale: tuple[float, ...]
    error_before_g: float
    error_after_g: float
    applied: bool
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        def num(v: float, digits: int | None = None) -> float | None:
            return None if not np.isfinite(v) else round(float(v), digits) if digits else float(v)

        return {
            "site": self.site,
            "channels": list(self.channels),
            "applied": self.applied,
            "reason": self.reason,
            "n_windows": self.n_windows,
            "offset_g": [num(v) for v in self.offset],
            "scale": [num(v) for v in self.scale],
            "error_before_mg": num(1e3 * self.error_before_g, 4),
            "error_after_mg": num(1e3 * self.error_after_g, 4),
        }


@dataclass(frozen=True)
class Calibration:
    """Per-channel offset and scale for a recording, and the per-sensor fits behind them.

    Channels not in a fitted sensor keep offset 0 and scale 1.
    """

    offset: np.ndarray
    scale: np.ndarray
    sites: tuple[SiteCalibration, ...] = field(default=())

    @property
    def applied(self) -> bool:
        """Whether any sensor's fit is used."""
        return any(s.applied for s in self.sites)

    def apply(self, x: np.ndarray) -> np.ndarray:
        """``offset + scale * x`` per channel (a new float64 array), or ``x`` unchanged
        when no fit is applied.

        Examples
        --------
        >>> import numpy as np
        >>> cal = Calibration(np.array([0.1, 0.0]), np.array([2.0, 1.0]))
        >>> cal.apply(np.array([[1.0, 1.0]])).tolist()  # no site applied: unchanged
        [[1.0, 1.0]]
        """
        if not self.applied:
            return x
        out = np.multiply(x, self.scale, dtype=np.float64)
        out += self.offset
        return out

    def to_dict(self) -> dict[str, Any]:
        """What the events JSON records (errors in mg)."""
        return {"applied": self.applied, "sites": [s.to_dict() for s in self.sites]}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None, k: int) -> Calibration | None:
        """The calibration that :meth:`to_dict` recorded (``events.attrs["calibration"]``)
        for ``k`` channels, to redraw a recording as it was scored; None for None.

        Offsets and scales come back exactly; the errors as recorded (0.1 µg).
        """
        if not d:
            return None
        offset, scale = np.zeros(k), np.ones(k)
        sites = []
        for s in d.get("sites", []):  # loop over the sensors (a few)
            ch = [int(c) for c in s["channels"]]
            off = tuple(float(v) for v in s["offset_g"])
            sc = tuple(float(v) for v in s["scale"])
            if s["applied"]:
                offset[ch], scale[ch] = off, sc

            def g(v: float | None) -> float:
                return float("nan") if v is None else v / 1e3

            sites.append(
                SiteCalibration(
                    s["site"],
                    tuple(ch),
                    int(s["n_windows"]),
                    off,
                    sc,
                    g(s["error_before_mg"]),
                    g(s["error_after_mg"]),
                    bool(s["applied"]),
                    s.get("reason", ""),
                )  # fmt: skip
            )
        return cls(offset, scale, tuple(sites))


def still_points(
    stats: np.ndarray, b: int, channels: list[int], cfg: AccelConfig, factor: float = 1.0
) -> np.ndarray:
    """The means (g) of the still windows of one sensor from per-window statistics.

    Parameters
    ----------
    stats : ndarray (n_windows, 5, k)
        :func:`movement.wear.block_stats` of the recording with windows of ``b`` rows.
    b : int
        Rows per window: only whole windows without a missing sample count.
    channels : list of int
        The sensor's three columns.
    cfg : AccelConfig
    factor : float
        Unit factor to apply to the statistics (values read in mg: 0.001).

    Returns
    -------
    ndarray (m, 3)
    """
    s = stats[:, :, channels]
    cnt, s1, s2 = s[:, 0], s[:, 1], s[:, 2]
    full = np.all(cnt == b, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s1 / cnt
        var = np.maximum(s2 / cnt - mean * mean, 0.0) * cnt / np.maximum(cnt - 1, 1)
    sd = np.sqrt(var) * abs(factor)
    still = full & np.all(sd < cfg.calib_sd_g, axis=1)
    return mean[still] * factor


def fit_gravity(points: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Offset and scale per axis that bring still readings onto the unit sphere.

    Iterated weighted least squares (van Hees et al. 2014): each point's target is the
    closest point of the sphere to its calibrated value; per axis, the target is
    regressed on the reading; weights ``1 / max(distance, 0.01 g)``.

    Parameters
    ----------
    points : ndarray (m, 3)
        Means of still windows (g).

    Returns
    -------
    offset, scale : ndarray (3,)
    error_before, error_after : float
        Mean distance of the points from the unit sphere (g) as read and calibrated.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> u = rng.normal(size=(200, 3))
    >>> u /= np.linalg.norm(u, axis=1, keepdims=True)      # true gravity directions
    >>> raw = (u - [0.02, -0.03, 0.01]) / [1.03, 0.98, 1.01]  # a miscalibrated device
    >>> off, sc, before, after = fit_gravity(raw)
    >>> np.round(off, 3).tolist(), np.round(sc, 3).tolist(), after < 1e-6 < 0.01 < before
    ([0.02, -0.03, 0.01], [1.03, 0.98, 1.01], True)
    """
    v = np.asarray(points, dtype=np.float64)
    offset, scale = np.zeros(3), np.ones(3)
    err0 = float(np.mean(np.abs(np.linalg.norm(v, axis=1) - 1.0))) if len(v) else np.nan
    if len(v) < 3:
        return offset, scale, err0, err0
    w = np.ones(len(v))
    prev = np.inf
    for _ in range(_MAX_ITER):  # loop over the fit's iterations (stops when settled)
        c = offset + scale * v
        norm = np.linalg.norm(c, axis=1, keepdims=True)
        target = c / np.maximum(norm, 1e-12)
        # weighted least squares per axis: target ~ offset + scale * v
        sw = w.sum()
        vm = (w @ v) / sw
        tm = (w @ target) / sw
        dv = v - vm
        den = w @ (dv * dv)
        scale = np.where(den > 0, (w @ (dv * (target - tm))) / np.where(den > 0, den, 1.0), 1.0)
        offset = tm - scale * vm
        dist = np.abs(np.linalg.norm(offset + scale * v, axis=1) - 1.0)
        err = float(dist.mean())
        w = 1.0 / np.maximum(dist, _MIN_DIST_G)
        if abs(prev - err) < _TOL_G:
            break
        prev = err
    return offset, scale, err0, err


def _fit_site(
    points: np.ndarray, site: str, channels: list[int], names: list[str], cfg: AccelConfig
) -> SiteCalibration:
    """Fit one sensor, or say why its readings are left as they are."""
    n = len(points)
    ident = (0.0, 0.0, 0.0), (1.0, 1.0, 1.0)
    before = float(np.mean(np.abs(np.linalg.norm(points, axis=1) - 1.0))) if n else float("nan")

    def skip(reason: str, off=ident[0], sc=ident[1], after=float("nan")) -> SiteCalibration:
        return SiteCalibration(site, tuple(channels), n, off, sc, before, after, False, reason)

    if n < cfg.calib_min_windows:
        return skip(
            f"{n} still {cfg.calib_window_s:g} s window(s); calibration needs "
            f"{cfg.calib_min_windows}"
        )
    typical = float(np.median(np.linalg.norm(points, axis=1)))
    if not _NEAR_ONE_G[0] < typical < _NEAR_ONE_G[1]:
        # (values in another unit than g, e.g. raw counts or mg kept as 'a.u.')
        return skip(
            f"still readings are {typical:.3g} on average, not ~1: calibration needs "
            "acceleration in g"
        )
    lim = cfg.calib_sphere_g
    short = [
        f"{names[a]}{sign}"
        for a in range(3)
        for sign, ok in (("+", points[:, a].max() > lim), ("-", points[:, a].min() < -lim))
        if not ok
    ]
    if short:
        return skip(
            "still orientations do not cover the sphere (no still reading beyond "
            f"{lim:g} g toward {', '.join(short)})"
        )
    off, sc, before, after = fit_gravity(points)
    o, s = tuple(float(v) for v in off), tuple(float(v) for v in sc)
    if not after < before:
        return skip("the fit does not lower the error", o, s, after)
    if not after < cfg.calib_max_error_g:
        return skip(
            f"error after the fit {1e3 * after:.1f} mg is not below "
            f"{1e3 * cfg.calib_max_error_g:g} mg",
            o,
            s,
            after,
        )
    return SiteCalibration(site, tuple(channels), n, o, s, before, after, True)


def calibration_of_stats(
    stats: np.ndarray,
    b: int,
    channels: tuple[str, ...],
    cfg: AccelConfig,
    factor: float = 1.0,
) -> Calibration:
    """The calibration of a recording from its per-window statistics.

    Parameters
    ----------
    stats : ndarray (n_windows, 5, k)
        :func:`movement.wear.block_stats` with windows of ``b`` rows
        (:func:`window_len` of ``calib_window_s``).
    b : int
    channels : tuple of str
        The recording's channel names (tri-axial sensors: consecutive triplets).
    cfg : AccelConfig
    factor : float
        Unit factor still to apply to the statistics.
    """
    from .preprocess import _accel_groups, _site_name

    k = len(channels)
    offset, scale = np.zeros(k), np.ones(k)
    sites = []
    for g in _accel_groups(channels):  # loop over the sensors (a few)
        if len(g) != 3:
            continue
        names = [channels[i] for i in g]
        fit = _fit_site(still_points(stats, b, g, cfg, factor), _site_name(names), g, names, cfg)
        sites.append(fit)
        if fit.applied:
            offset[g] = fit.offset
            scale[g] = fit.scale
    return Calibration(offset, scale, tuple(sites))


def calibration_of(
    x: np.ndarray, fs: float, channels: tuple[str, ...], cfg: AccelConfig
) -> Calibration | None:
    """The calibration of the accelerometer recording ``x`` (n, k; g), or None when
    ``cfg.calibrate`` is off or no sensor is tri-axial.

    Examples
    --------
    >>> import numpy as np
    >>> from movement.config import AccelConfig
    >>> fs, rng = 10.0, np.random.default_rng(1)
    >>> u = rng.normal(size=(120, 3))
    >>> u /= np.linalg.norm(u, axis=1, keepdims=True)  # 120 still 10 s postures
    >>> x = np.repeat(u * 1.02 + 0.03, 100, axis=0) + rng.normal(0, 0.003, (12000, 3))
    >>> cal = calibration_of(x, fs, ("x", "y", "z"), AccelConfig())
    >>> cal.applied, round(cal.sites[0].error_before_g, 2), cal.sites[0].error_after_g < 0.001
    (True, 0.03, True)
    """
    if not cfg.calibrate or len(channels) % 3:
        return None
    b = window_len(fs, cfg.calib_window_s)
    return calibration_of_stats(block_stats(x, b), b, channels, cfg)
