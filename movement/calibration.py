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

Two kinds of still window are not taken as they come, as GGIR (``g.calibrate``) does not
take them either: windows whose mean is no reading of gravity (``|a|`` below 0.5 g or
above 1.5 g: a stretch filled with zeros, as an EDF gap or a logger's fill value; GGIR drops
all-zero samples and means beyond 2 g) are left out; and a device lying still for an hour
or more (:data:`_LONG_STILL_S`: not worn, on a table) gives one point an hour of it (the
window in the middle of each hour), not 360, so that a stretch not worn does not outweigh
the orientations of the time worn (GGIR drops repeated windows "caused by periods of
nonwear"). Neither happens in a recording without such stretches. What the fit rests on
(still windows, in how many of the 6 orientations, what was left out) is said with it
(:attr:`SiteCalibration.basis`), and in the reason when it is skipped.

Temperature, which van Hees et al. also model, is not used: few of the formats read here
carry it. The statistics are per window (:class:`movement.wear.BlockStats`), so a long
recording read in chunks (``movement.stream``) is calibrated exactly as the whole array.

What is done with it: the calibrated acceleration is what every later step sees (the
clipping mask is judged on the values as read); ``events.attrs["calibration"]`` holds
the fit, and ``summary.tsv`` its error (``calibration_error_mg``), whether it was
applied, and how many of the 6 orientations the still points reach
(``calibration_orientations``: below 6 the fit is not tried, and the error, GGIR's
``cal.error.start``, checks only the orientations seen). A skipped or failed calibration
is reported, never silent.
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
#: A still window whose mean's norm is farther than this from 1 g is no reading of gravity
#: (a stretch of zeros, or of one written value): left out of the fit and its error. A
#: working sensor at rest reads 1 g within a few per cent (GGIR: all-zero samples and
#: means beyond 2 g left out).
_GRAVITY_BAND_G = 0.5
#: Norms below this (in any unit) are zeros, not a reading: left out of the unit check.
_ZERO = 0.1
#: A device still this long (s) was not worn, as van Hees et al. (2013) and GGIR judge
#: non-wear (60 min windows): its still windows count as one point this long. A constant,
#: not the events' non-wear setting, which acts on the events only (never on the values
#: the features see).
_LONG_STILL_S = 3600.0
#: The 6 orientations the still points are counted in: the axis nearest to gravity's
#: direction and its sign.
_FACES = ("+", "-")


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
    #: What the fit and its error rest on: the still points per orientation (``x+``,
    #: ``x-``...), still windows left out (not near 1 g), the windows of stretches still for
    #: ``long_still_s`` or more and the points they gave (one per ``long_still_s``), the
    #: windows' length, and whether the points reach every side of the sphere (enough of
    #: them, beyond ``calib_sphere_g`` on every axis both ways: the fit was tried).
    orientations: tuple[tuple[str, int], ...] = ()
    left_out: int = 0
    long_still: int = 0
    long_still_points: int = 0
    long_still_s: float = 3600.0
    window_s: float = 10.0
    sphere_covered: bool = False

    @property
    def basis(self) -> str:
        """What the fit and its error rest on, in words.

        Examples
        --------
        >>> SiteCalibration("xyz", (0, 1, 2), 3, (0,) * 3, (1,) * 3, 0.01, 0.01, False,
        ...     orientations=(("z+", 3),), window_s=10.0).basis
        '3 still 10 s windows, in 1 of 6 orientations (z+ 3)'
        """
        faces = [f"{k} {n}" for k, n in self.orientations if n]
        text = (
            f"{self.n_windows} still {self.window_s:g} s windows, in {len(faces)} of 6 "
            f"orientations" + (f" ({', '.join(faces)})" if faces else "")
        )
        if self.long_still:
            every = f"{self.long_still_s / 60:g} min"
            text += (
                f"; {self.long_still} windows of stretches still for {every} or more (not "
                f"worn?) counted as {self.long_still_points}, one every {every}"
            )
        if self.left_out:
            text += f"; {self.left_out} still windows not near 1 g (zeros?) left out"
        return text

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
            "orientations": {k: int(n) for k, n in self.orientations},
            "left_out_windows": int(self.left_out),
            "long_still_windows": int(self.long_still),
            "long_still_points": int(self.long_still_points),
            "long_still_s": float(self.long_still_s),
            "window_s": float(self.window_s),
            "sphere_covered": bool(self.sphere_covered),
            "basis": self.basis,
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
                    tuple((k, int(n)) for k, n in (s.get("orientations") or {}).items()),
                    int(s.get("left_out_windows", 0)),
                    int(s.get("long_still_windows", 0)),
                    int(s.get("long_still_points", 0)),
                    float(s.get("long_still_s", 3600.0)),
                    float(s.get("window_s", 10.0)),
                    bool(s.get("sphere_covered", False)),
                )  # fmt: skip
            )
        return cls(offset, scale, tuple(sites))


def _still_windows(
    stats: np.ndarray, b: int, channels: list[int], cfg: AccelConfig, factor: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """The means (g) of the still windows of one sensor (see :func:`still_points`), and
    the still stretch each is in: the number of windows with movement before it (windows
    with missing samples neither end a stretch nor count in it)."""
    s = stats[:, :, channels]
    cnt, s1, s2 = s[:, 0], s[:, 1], s[:, 2]
    full = np.all(cnt == b, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s1 / cnt
        var = np.maximum(s2 / cnt - mean * mean, 0.0) * cnt / np.maximum(cnt - 1, 1)
    sd = np.sqrt(var) * abs(factor)
    quiet = np.all(sd < cfg.calib_sd_g, axis=1)
    still = full & quiet
    moving = np.all(cnt > 1, axis=1) & ~quiet
    return mean[still] * factor, np.cumsum(moving)[still]


def _thin_long_still(
    points: np.ndarray, stretch: np.ndarray, per: int
) -> tuple[np.ndarray, int, int]:
    """The still points with each stretch (``stretch``: its number, the same for the
    points of one) of ``per`` or more still windows kept as one window in ``per``: the
    middle window of each ``per`` of it (the last ``per`` taking the rest). Returns the
    points, and how many windows such stretches held and gave.

    Examples
    --------
    >>> pts = np.arange(11.0)[:, None] * [1.0, 0.0, 0.0]  # a still window, then ten more
    >>> kept, held, gave = _thin_long_still(pts, np.r_[0, [1] * 10], 4)
    >>> kept[:, 0].tolist(), held, gave
    ([0.0, 3.0, 8.0], 10, 2)
    """
    if not len(stretch):
        return points, 0, 0
    cut = np.flatnonzero(np.diff(stretch) != 0) + 1
    starts = np.r_[0, cut]
    stops = np.r_[cut, len(stretch)]
    keep = np.ones(len(stretch), dtype=bool)
    held = gave = 0
    for a, z in zip(starts, stops, strict=True):  # loop over still stretches (runs)
        if z - a < per:
            continue
        k = (z - a) // per  # one point an hour of it
        keep[a:z] = False
        edges = a + per * np.arange(k + 1)
        edges[-1] = z
        keep[(edges[:-1] + edges[1:]) // 2] = True
        held += int(z - a)
        gave += int(k)
    return points[keep], held, gave


def _orientations(points: np.ndarray, names: list[str]) -> tuple[tuple[str, int], ...]:
    """How many still points have each of the 6 orientations (the axis nearest gravity's
    direction and its sign), named ``x+``, ``x-``..."""
    out = []
    if len(points):
        axis = np.argmax(np.abs(points), axis=1)
        sign = points[np.arange(len(points)), axis] >= 0
    for a, name in enumerate(names):  # loop over the 3 axes
        for face, up in zip(_FACES, (True, False), strict=True):
            n = int(np.count_nonzero((axis == a) & (sign == up))) if len(points) else 0
            out.append((f"{name}{face}", n))
    return tuple(out)


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
    return _still_windows(stats, b, channels, cfg, factor)[0]


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
    points: np.ndarray,
    site: str,
    channels: list[int],
    names: list[str],
    cfg: AccelConfig,
    where: np.ndarray | None = None,
) -> SiteCalibration:
    """Fit one sensor, or say why its readings are left as they are. ``where``: the
    still stretch of each point (:func:`_still_windows`), for those still for an hour or
    more."""
    n_still = len(points)
    norm = np.linalg.norm(points, axis=1)
    ident = (0.0, 0.0, 0.0), (1.0, 1.0, 1.0)
    base: dict[str, Any] = {"window_s": float(cfg.calib_window_s)}
    # what is not gravity, and the stretches not worn, once the unit is known to be g (a
    # unit other than g keeps every point, and is said below)
    reading = norm[norm >= _ZERO]
    typical = float(np.median(reading)) if len(reading) else 0.0
    if _NEAR_ONE_G[0] < typical < _NEAR_ONE_G[1]:
        near = np.abs(norm - 1.0) < _GRAVITY_BAND_G
        base["left_out"] = int(n_still - near.sum())
        points = points[near]
        if where is not None:
            per = max(1, int(round(_LONG_STILL_S / cfg.calib_window_s)))
            points, held, gave = _thin_long_still(points, where[near], per)
            base.update(
                long_still=held, long_still_points=gave, long_still_s=per * cfg.calib_window_s
            )
    n = len(points)
    base["orientations"] = _orientations(points, names)
    before = float(np.mean(np.abs(np.linalg.norm(points, axis=1) - 1.0))) if n else float("nan")
    thinned = bool(base.get("left_out") or base.get("long_still"))

    def skip(reason: str, off=ident[0], sc=ident[1], after=float("nan")) -> SiteCalibration:
        if thinned:  # (what the points rest on, when some were left out)
            reason += f" ({SiteCalibration(site, (), n, off, sc, 0, 0, False, **base).basis})"
        return SiteCalibration(
            site, tuple(channels), n, off, sc, before, after, False, reason, **base
        )

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
    base["sphere_covered"] = True
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
    return SiteCalibration(site, tuple(channels), n, o, s, before, after, True, **base)


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
        points, where = _still_windows(stats, b, g, cfg, factor)
        fit = _fit_site(points, _site_name(names), g, names, cfg, where)
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
