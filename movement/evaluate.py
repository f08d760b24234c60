"""Event-level evaluation of predicted events tables against ground truth.

Four views of agreement between a predicted events table and a true one
(both with ``onset``, ``duration``, ``trial_type``; see ``docs/internals.md``):

* **Event-based** metrics in the spirit of sed_eval's ``EventBasedMetrics``:
  per class, predicted events are matched one-to-one to true events of the
  same class; a pair may match only when the onsets are within the class
  collar and, for sustained classes, the offsets (or the overlap) agree too.
  The matching has maximum cardinality, and among those the smallest total
  normalised onset/offset distance (deterministic). TP, FP, FN, precision,
  recall and F1 per class (NaN for a class with no true and no predicted event),
  and the macro-F1 over the two target classes (over the defined ones).
* **Segment-based** metrics in the spirit of sed_eval's ``SegmentBasedMetrics``:
  the recording is cut into fixed segments (1 s by default); a class is
  active in a segment when any of its events overlaps it.
* **False alarms per hour** of each target class: unmatched predicted events
  (event-based FP) divided by the recording hours.
* **Confusion** of matched events: predicted and true events are matched
  regardless of class (onset within the larger collar, or any overlap), then
  counted true class x predicted class, with a ``missed`` column and a
  ``spurious`` row.

Tolerances (:class:`Tolerances`, defaults and why)
---------------------------------------------------
``fasciculation-like`` (brief twitches): onset only, within
``brief_collar_emg = 0.05 s`` for EMG (a motor-unit potential lasts ~5-15 ms,
so tens of ms already allows for the detector's envelope smoothing) and
``brief_collar_accel = 0.2 s`` for accelerometry (sed_eval's default collar;
the limb's mechanical response to a twitch is slower and low-pass filtered).
When the modality is unknown the accelerometer (more lenient) collar is used
and a note says so. Durations of twitches are not judged: they are too short
for an offset criterion to mean anything beyond the onset one.

``dystonia-like`` and ``other`` (sustained): the onset must lie within
``max(sustained_collar, sustained_onset_fraction * true length)`` =
``max(0.5 s, 20 % of the true length)`` -- the start of a sustained posture is
gradual and raters disagree by about a second -- and, with the default
``sustained_criterion="offset"``, the offset within
``max(sustained_collar, sustained_offset_fraction * true length)`` =
``max(0.5 s, 50 % of the true length)`` as in sed_eval. The alternative
``sustained_criterion="overlap"`` (timescoring style) asks instead for
IoU >= ``min_iou`` (0.3) or an overlap covering >= ``min_true_overlap`` (50 %)
of the true event, still with the onset collar.

Conventions when a count is zero: precision is NaN when nothing was predicted,
recall is NaN when nothing was true; F1 = 2TP / (2TP + FP + FN), which is 1
when there is neither a true nor a predicted event of the class (agreement on
absence) and 0 when there are only false alarms or only misses.

Examples
--------
>>> import pandas as pd
>>> from movement.evaluate import evaluate
>>> truth = pd.DataFrame({"onset": [1.0, 5.0], "duration": [0.02, 4.0],
...                       "trial_type": ["fasciculation-like", "dystonia-like"]})
>>> pred = pd.DataFrame({"onset": [1.01, 5.3, 20.0], "duration": [0.03, 3.5, 0.02],
...                      "trial_type": ["fasciculation-like", "dystonia-like",
...                                     "fasciculation-like"]})
>>> res = evaluate(pred, truth, modality="emg", duration=3600.0)
>>> int(res.events.loc["fasciculation-like", "fp"]), round(res.macro_f1, 3)
(1, 0.833)
>>> res.false_alarms_per_hour["fasciculation-like"]
1.0
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import os
import sys
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching

from ._atomic import atomic_write
from ._callable import callable_module  # noqa: E402
from .errors import MovementError, NoSuchFileError
from .io import _normalise_modality

__all__ = [
    "CLASSES",
    "TARGET_CLASSES",
    "EvaluationResult",
    "Tolerances",
    "cli_configure",
    "cli_run",
    "evaluate",
    "read_events",
]

#: Every class an events table may hold, in reporting order.
CLASSES: tuple[str, ...] = ("fasciculation-like", "dystonia-like", "other")
#: The classes the detectors are judged on (macro-F1, false alarms).
TARGET_CLASSES: tuple[str, ...] = ("fasciculation-like", "dystonia-like")
_BRIEF = "fasciculation-like"
_SUFFIX = "_events.tsv"
_MODALITIES = ("accel", "emg")
_EPS = 1e-9  # seconds: float slack on collar comparisons
#: seconds an event may reach past the recording's end (an annotation's rounding); further
#: is refused: onsets in another unit, or events of another recording
_BEYOND_S = 1.0

EventsLike = pd.DataFrame | str | os.PathLike


# --------------------------------------------------------------------------- tolerances


@dataclass(frozen=True)
class Tolerances:
    """How close a predicted event must be to a true one to count as found.

    Parameters
    ----------
    brief_collar_emg : float
        Onset collar (s) for ``fasciculation-like`` events in EMG. Default 0.05.
    brief_collar_accel : float
        Onset collar (s) for ``fasciculation-like`` events in accelerometry,
        also used when the modality is unknown. Default 0.2 (sed_eval's collar).
    sustained_collar : float
        Minimum onset and offset collar (s) for ``dystonia-like`` and ``other``
        events. Default 0.5.
    sustained_onset_fraction : float
        The onset collar of a sustained event grows to this fraction of the
        true event's length. Default 0.2.
    sustained_offset_fraction : float
        The offset collar grows to this fraction of the true length (sed_eval's
        ``percentage_of_length``). Default 0.5.
    sustained_criterion : {"offset", "overlap"}
        What sustained events need besides the onset collar: the offset within
        its collar (sed_eval style, default) or enough overlap.
    min_iou : float
        With ``"overlap"``: intersection over union at least this. Default 0.3.
    min_true_overlap : float
        With ``"overlap"``: or the overlap covers at least this fraction of the
        true event. Default 0.5.
    segment : float
        Segment length (s) of the segment-based metrics. Default 1.0.

    Examples
    --------
    >>> tol = Tolerances(brief_collar_emg=0.03)
    >>> tol.brief_collar("emg"), tol.brief_collar(None)
    (0.03, 0.2)
    """

    brief_collar_emg: float = 0.05
    brief_collar_accel: float = 0.2
    sustained_collar: float = 0.5
    sustained_onset_fraction: float = 0.2
    sustained_offset_fraction: float = 0.5
    sustained_criterion: Literal["offset", "overlap"] = "offset"
    min_iou: float = 0.3
    min_true_overlap: float = 0.5
    segment: float = 1.0

    def __post_init__(self) -> None:
        for name in ("brief_collar_emg", "brief_collar_accel", "sustained_collar", "segment"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
                raise MovementError(f"tolerance {name} must be a positive number, got {v!r}")
        for name in (
            "sustained_onset_fraction",
            "sustained_offset_fraction",
            "min_iou",
            "min_true_overlap",
        ):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and 0 <= v <= 1):
                raise MovementError(f"tolerance {name} must be between 0 and 1, got {v!r}")
        if self.sustained_criterion not in ("offset", "overlap"):
            raise MovementError(
                f"sustained_criterion must be 'offset' or 'overlap', got {self.sustained_criterion!r}"
            )

    def brief_collar(self, modality: str | None) -> float:
        """Onset collar (s) of brief events for ``modality`` (``None``: accelerometer's)."""
        return self.brief_collar_emg if modality == "emg" else self.brief_collar_accel

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict."""
        return asdict(self)


# --------------------------------------------------------------------------- reading


def read_events(path: str | os.PathLike) -> pd.DataFrame:
    """Read a BIDS ``*_events.tsv`` table (``n/a`` is missing) and check it.

    Parameters
    ----------
    path : str or path-like
        The tab-separated file. It needs ``onset``, ``duration`` and
        ``trial_type`` columns; other columns are kept as read.

    Returns
    -------
    DataFrame
        Ordered by onset, ``onset``/``duration`` as float (a missing duration
        is 0), ``trial_type`` normalised to ``fasciculation-like``,
        ``dystonia-like`` or ``other``.

    Raises
    ------
    MovementError
        One line naming the file when it is missing or malformed.

    Examples
    --------
    >>> events = read_events("sub-01_events.tsv")  # doctest: +SKIP
    """
    p = Path(path)
    if not p.exists():
        raise NoSuchFileError("no such file", str(p))
    if p.is_dir():
        raise MovementError(f"{p}: is a folder, expected an events .tsv file")
    try:
        df = pd.read_csv(p, sep="\t", na_values=["n/a"], keep_default_na=False, dtype=str)
    except pd.errors.EmptyDataError:
        raise MovementError(
            f"{p}: empty file (expected a header with onset, duration, trial_type)"
        ) from None
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise MovementError(f"{p}: cannot read as a tab-separated table ({first})") from None
    return _clean(df, str(p))


def _clean(df: pd.DataFrame, src: str) -> pd.DataFrame:
    """Check and normalise an events table; errors name ``src``."""
    if not isinstance(df, pd.DataFrame):
        raise MovementError(f"{src}: expected a DataFrame, got {type(df).__name__}")
    cols = {str(c).strip().lower(): c for c in df.columns}
    missing = [c for c in ("onset", "duration", "trial_type") if c not in cols]
    if missing:
        raise MovementError(f"{src}: missing column(s) {', '.join(missing)}")
    out = df.rename(columns={cols[c]: c for c in ("onset", "duration", "trial_type")}).copy()
    onset = pd.to_numeric(out["onset"], errors="coerce").to_numpy(float)
    dur_raw = out["duration"]
    duration = pd.to_numeric(dur_raw, errors="coerce").to_numpy(float)
    bad_on = ~np.isfinite(onset)
    if bad_on.any():
        i = int(np.flatnonzero(bad_on)[0])
        raise MovementError(
            f"{src}: onset of row {i + 1} is not a number ({out['onset'].iloc[i]!r})"
        )
    bad_dur = ~np.isfinite(duration) & dur_raw.notna().to_numpy()
    if bad_dur.any():
        i = int(np.flatnonzero(bad_dur)[0])
        raise MovementError(f"{src}: duration of row {i + 1} is not a number ({dur_raw.iloc[i]!r})")
    duration = np.where(np.isfinite(duration), duration, 0.0)
    if (duration < 0).any():
        i = int(np.flatnonzero(duration < 0)[0])
        raise MovementError(f"{src}: duration of row {i + 1} is negative ({duration[i]})")
    tt = out["trial_type"].astype("string").str.strip().str.lower()
    tt = tt.str.replace("_", "-", regex=False).str.replace(" ", "-", regex=False)
    known = tt.isin(CLASSES).fillna(False).to_numpy(bool)
    if not known.all():
        i = int(np.flatnonzero(~known)[0])
        raise MovementError(
            f"{src}: unknown trial_type {out['trial_type'].iloc[i]!r} in row {i + 1} "
            f"(expected {', '.join(CLASSES)})"
        )
    out["onset"] = onset
    out["duration"] = duration
    out["trial_type"] = tt.astype(object).to_numpy()
    return out.sort_values("onset", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- matching


def _window_pairs(
    t_sorted: np.ndarray, lo_val: np.ndarray, hi_val: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """All (i, k) with ``lo_val[i] <= t_sorted[k] <= hi_val[i]`` (``t_sorted`` ascending)."""
    lo = np.searchsorted(t_sorted, lo_val, side="left")
    hi = np.searchsorted(t_sorted, hi_val, side="right")
    counts = np.maximum(hi - lo, 0)
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    pi = np.repeat(np.arange(len(lo_val)), counts)
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    k = np.repeat(lo, counts) + (np.arange(total) - offsets)
    return pi, k


#: Components with more candidate cells than this are solved on a sparse graph.
_DENSE_CELLS = 1_000_000


def _sparse_assignment(
    n_p: int, n_t: int, ip: np.ndarray, it: np.ndarray, cs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Maximum matching of least cost on a sparse bipartite graph (costs in [0, 1]).

    Square graph: predictions + one stand-in per true event on the left, true
    events + one stand-in per prediction on the right. A real edge costs 1 + c,
    its mirror between the two stand-ins costs 1, and leaving an event
    unmatched (edge to its own stand-in) costs B = min(n_p, n_t) + 3 -- more
    than any gain in total cost, so the size of the matching comes first.
    """
    big = float(min(n_p, n_t) + 3)
    n = n_p + n_t
    rows = np.concatenate((ip, n_p + it, np.arange(n_p), n_p + np.arange(n_t)))
    cols = np.concatenate((it, n_t + ip, n_t + np.arange(n_p), np.arange(n_t)))
    w = np.concatenate(
        (1.0 + np.clip(cs, 0.0, 1.0), np.ones(len(ip)), np.full(n_p, big), np.full(n_t, big))
    )
    g = coo_matrix((w, (rows, cols)), shape=(n, n)).tocsr()
    r, c = min_weight_full_bipartite_matching(g)
    real = (r < n_p) & (c < n_t)
    return r[real], c[real]


def _max_matching(
    n_p: int, n_t: int, pi: np.ndarray, tj: np.ndarray, cost: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One-to-one matching of maximum size, then least total cost (costs in [0, 1]).

    The candidate graph is split into connected components; a component with
    one edge is matched directly, others by ``linear_sum_assignment`` on a
    dense block where non-edges cost more than any set of real edges.
    """
    if len(pi) == 0:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    n = n_p + n_t
    g = coo_matrix((np.ones(len(pi)), (pi, tj + n_p)), shape=(n, n))
    _, labels = connected_components(g, directed=False)
    lab = labels[pi]
    order = np.lexsort((tj, pi, lab))
    lab_s, pi_s, tj_s, c_s = lab[order], pi[order], tj[order], cost[order]
    bounds = np.flatnonzero(np.diff(lab_s)) + 1
    starts = np.concatenate(([0], bounds))
    sizes = np.diff(np.concatenate((starts, [len(lab_s)])))
    single = starts[sizes == 1]
    mp = [pi_s[single]]
    mt = [tj_s[single]]
    for s, z in zip(starts[sizes > 1], sizes[sizes > 1], strict=True):
        ps, ts, cs = pi_s[s : s + z], tj_s[s : s + z], c_s[s : s + z]
        up, ip = np.unique(ps, return_inverse=True)
        ut, it = np.unique(ts, return_inverse=True)
        if len(up) * len(ut) <= _DENSE_CELLS:
            big = float(min(len(up), len(ut)) + 1)
            m = np.full((len(up), len(ut)), big)
            m[ip, it] = np.clip(cs, 0.0, 1.0)
            r, c = linear_sum_assignment(m)
            ok = m[r, c] < big
        else:
            r, c = _sparse_assignment(len(up), len(ut), ip, it, cs)
            ok = np.ones(len(r), bool)
        mp.append(up[r[ok]])
        mt.append(ut[c[ok]])
    return np.concatenate(mp), np.concatenate(mt)


def _class_pairs(
    p_on: np.ndarray,
    p_off: np.ndarray,
    t_on: np.ndarray,
    t_off: np.ndarray,
    cls: str,
    tol: Tolerances,
    modality: str | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate (pred, true, cost) pairs of one class; events sorted by onset."""
    if len(p_on) == 0 or len(t_on) == 0:
        e = np.empty(0, np.intp)
        return e, e, np.empty(0)
    if cls == _BRIEF:
        c = tol.brief_collar(modality)
        pi, tj = _window_pairs(t_on, p_on - c - _EPS, p_on + c + _EPS)
        d = np.abs(p_on[pi] - t_on[tj])
        keep = d <= c + _EPS
        return pi[keep], tj[keep], np.minimum(d[keep] / c, 1.0)
    t_len = t_off - t_on
    c_on = np.maximum(tol.sustained_collar, tol.sustained_onset_fraction * t_len)
    # windows centred on each true event (its own collar): no over-generation
    tj, pi = _window_pairs(p_on, t_on - c_on - _EPS, t_on + c_on + _EPS)
    d_on = np.abs(p_on[pi] - t_on[tj])
    keep = d_on <= c_on[tj] + _EPS
    pi, tj, d_on = pi[keep], tj[keep], d_on[keep]
    on_cost = d_on / c_on[tj]
    if tol.sustained_criterion == "offset":
        c_off = np.maximum(tol.sustained_collar, tol.sustained_offset_fraction * t_len[tj])
        d_off = np.abs(p_off[pi] - t_off[tj])
        keep = d_off <= c_off + _EPS
        cost = 0.5 * on_cost + 0.5 * d_off / c_off
    else:
        inter = np.clip(np.minimum(p_off[pi], t_off[tj]) - np.maximum(p_on[pi], t_on[tj]), 0, None)
        union = np.maximum(p_off[pi], t_off[tj]) - np.minimum(p_on[pi], t_on[tj])
        iou = np.where(union > 0, inter / np.where(union > 0, union, 1.0), 1.0)
        tl = t_len[tj]
        cover = np.where(tl > 0, inter / np.where(tl > 0, tl, 1.0), 1.0)
        keep = (iou >= tol.min_iou - 1e-12) | (cover >= tol.min_true_overlap - 1e-12)
        cost = 0.5 * on_cost + 0.5 * (1.0 - iou)
    return pi[keep], tj[keep], cost[keep]


def _any_class_pairs(
    p_on: np.ndarray,
    p_off: np.ndarray,
    p_cls: np.ndarray,
    t_on: np.ndarray,
    t_off: np.ndarray,
    t_cls: np.ndarray,
    tol: Tolerances,
    modality: str | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Class-blind candidates: onset within the larger collar, or overlapping intervals.

    Cost prefers the same class (0.5 for a different class) and then closer onsets.
    """
    if len(p_on) == 0 or len(t_on) == 0:
        e = np.empty(0, np.intp)
        return e, e, np.empty(0)
    t_len = t_off - t_on
    collar = np.maximum(
        tol.brief_collar(modality),
        np.maximum(tol.sustained_collar, tol.sustained_onset_fraction * t_len),
    )
    tj1, pi1 = _window_pairs(p_on, t_on - collar - _EPS, t_on + collar + _EPS)
    # overlap of closed intervals: one starts inside the other
    tj2, pi2 = _window_pairs(p_on, t_on, t_off)
    pi3, tj3 = _window_pairs(t_on, p_on, p_off)
    pi2, tj2 = np.concatenate((pi2, pi3)), np.concatenate((tj2, tj3))
    # ... but intervals of positive length that only touch do not overlap
    inter = np.minimum(p_off[pi2], t_off[tj2]) - np.maximum(p_on[pi2], t_on[tj2])
    keep = (inter > 0) | (p_off[pi2] == p_on[pi2]) | (t_off[tj2] == t_on[tj2])
    pi2, tj2 = pi2[keep], tj2[keep]
    n_t = len(t_on)
    key = np.unique(np.concatenate((pi1 * n_t + tj1, pi2 * n_t + tj2)))
    pi, tj = key // n_t, key % n_t
    d = np.minimum(np.abs(p_on[pi] - t_on[tj]) / collar[tj], 1.0)
    cost = 0.5 * (p_cls[pi] != t_cls[tj]) + 0.5 * d
    return pi, tj, cost


def _activity(on: np.ndarray, off: np.ndarray, n_seg: int, seg: float) -> np.ndarray:
    """Boolean roll: segment k active when an event overlaps [k*seg, (k+1)*seg)."""
    roll = np.zeros(n_seg + 1, np.int64)
    if len(on):
        first = np.clip(np.floor(on / seg).astype(np.int64), 0, n_seg - 1)
        last = np.ceil(off / seg).astype(np.int64) - 1
        last = np.clip(np.maximum(last, first), 0, n_seg - 1)
        np.add.at(roll, first, 1)
        np.add.at(roll, last + 1, -1)
    return np.cumsum(roll[:-1]) > 0


# --------------------------------------------------------------------------- per-file counts

_CONF_ROWS = (*CLASSES, "spurious")
_CONF_COLS = (*CLASSES, "missed")


def _codes(labels: np.ndarray) -> np.ndarray:
    """Index of each label in :data:`CLASSES`."""
    return pd.Categorical(labels, categories=list(CLASSES)).codes.astype(np.intp)


@dataclass
class _FileCounts:
    name: str
    status: str
    n_true: dict[str, int]
    n_pred: dict[str, int]
    tp: dict[str, int]
    seg: dict[str, tuple[int, int, int, int]]  # tp, fp, fn, tn
    confusion: np.ndarray
    duration: float
    duration_from: str
    modality: str | None
    modality_from: str


#: The most segments of the segment-based metrics (a few hundred MB of arrays): 116 days
#: in segments of 1 s.
_MAX_SEGMENTS = 10**7


def _count(
    pred: pd.DataFrame,
    truth: pd.DataFrame,
    *,
    name: str,
    status: str,
    duration: float,
    duration_from: str,
    modality: str | None,
    modality_from: str,
    tol: Tolerances,
) -> _FileCounts:
    p_on_all = pred["onset"].to_numpy(float)
    p_off_all = p_on_all + pred["duration"].to_numpy(float)
    p_cls = pred["trial_type"].to_numpy(object)
    t_on_all = truth["onset"].to_numpy(float)
    t_off_all = t_on_all + truth["duration"].to_numpy(float)
    t_cls = truth["trial_type"].to_numpy(object)
    n_true, n_pred, tp, seg = {}, {}, {}, {}
    end = max(
        duration,
        float(p_off_all.max()) if len(p_off_all) else 0.0,
        float(t_off_all.max()) if len(t_off_all) else 0.0,
    )
    n_seg = max(1, math.ceil(end / tol.segment - 1e-9))
    if n_seg > _MAX_SEGMENTS:  # (not an internal MemoryError)
        raise MovementError(
            f"{name}: {end:.6g} s in segments of {tol.segment:g} s is {n_seg:.3g} segments, over "
            f"{_MAX_SEGMENTS:.0e}: a longer --segment, or onsets and durations in seconds"
        )
    p_free = np.ones(len(p_cls), bool)
    t_free = np.ones(len(t_cls), bool)
    same_p, same_t = [], []
    for cls in CLASSES:
        pm, tm = p_cls == cls, t_cls == cls
        p_on, p_off, t_on, t_off = p_on_all[pm], p_off_all[pm], t_on_all[tm], t_off_all[tm]
        pi, tj, cost = _class_pairs(p_on, p_off, t_on, t_off, cls, tol, modality)
        mp, mt = _max_matching(len(p_on), len(t_on), pi, tj, cost)
        n_true[cls], n_pred[cls], tp[cls] = int(tm.sum()), int(pm.sum()), len(mp)
        same_p.append(np.flatnonzero(pm)[mp])
        same_t.append(np.flatnonzero(tm)[mt])
        ref = _activity(t_on, t_off, n_seg, tol.segment)
        est = _activity(p_on, p_off, n_seg, tol.segment)
        seg[cls] = (
            int((ref & est).sum()),
            int((est & ~ref).sum()),
            int((ref & ~est).sum()),
            int((~ref & ~est).sum()),
        )
    # confusion: the event-based matches first, then the rest paired regardless of class
    mp1, mt1 = np.concatenate(same_p), np.concatenate(same_t)
    p_free[mp1] = False
    t_free[mt1] = False
    fp_idx, ft_idx = np.flatnonzero(p_free), np.flatnonzero(t_free)
    pi, tj, cost = _any_class_pairs(
        p_on_all[fp_idx],
        p_off_all[fp_idx],
        p_cls[fp_idx],
        t_on_all[ft_idx],
        t_off_all[ft_idx],
        t_cls[ft_idx],
        tol,
        modality,
    )
    mp2, mt2 = _max_matching(len(fp_idx), len(ft_idx), pi, tj, cost)
    mp = np.concatenate((mp1, fp_idx[mp2]))
    mt = np.concatenate((mt1, ft_idx[mt2]))
    p_code = _codes(p_cls)
    t_code = _codes(t_cls)
    conf = np.zeros((len(_CONF_ROWS), len(_CONF_COLS)), np.int64)
    np.add.at(conf, (t_code[mt], p_code[mp]), 1)
    p_free[mp] = False
    t_free[mt] = False
    np.add.at(conf, (np.full(int(p_free.sum()), 3), p_code[p_free]), 1)
    np.add.at(conf, (t_code[t_free], np.full(int(t_free.sum()), 3)), 1)
    return _FileCounts(
        name,
        status,
        n_true,
        n_pred,
        tp,
        seg,
        conf,
        duration,
        duration_from,
        modality,
        modality_from,
    )


# --------------------------------------------------------------------------- metrics


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den > 0 else float("nan")


def _f1(tp: int, fp: int, fn: int) -> float:
    """F1; NaN (undefined) when the class has no true and no predicted event.

    Examples
    --------
    >>> _f1(3, 1, 0), _f1(0, 0, 0)
    (0.8571428571428571, nan)
    """
    den = 2 * tp + fp + fn
    return 2.0 * tp / den if den > 0 else float("nan")


def _macro(f1s: Sequence[float]) -> float:
    """The mean of the defined F1s (a class absent from truth and predictions alike is
    left out: a detector that finds nothing in a recording with no events of that class
    is neither right nor wrong about it); NaN when none is defined."""
    v = np.asarray(f1s, dtype=float)
    return float(v[np.isfinite(v)].mean()) if np.isfinite(v).any() else float("nan")


def _event_table(files: Sequence[_FileCounts], tol: Tolerances) -> pd.DataFrame:
    rows = []
    mods = sorted({f.modality or "unknown" for f in files})
    for cls in CLASSES:
        nt = sum(f.n_true[cls] for f in files)
        npred = sum(f.n_pred[cls] for f in files)
        tp = sum(f.tp[cls] for f in files)
        fp, fn = npred - tp, nt - tp
        if cls == _BRIEF:
            collar = ", ".join(
                f"{tol.brief_collar(None if m == 'unknown' else m):g} s ({m})" for m in mods
            )
            crit = f"onset within {collar}"
        else:
            crit = (
                f"onset within max({tol.sustained_collar:g} s, "
                f"{tol.sustained_onset_fraction:g}*length) and "
                + (
                    f"offset within max({tol.sustained_collar:g} s, "
                    f"{tol.sustained_offset_fraction:g}*length)"
                    if tol.sustained_criterion == "offset"
                    else f"IoU>={tol.min_iou:g} or overlap>={tol.min_true_overlap:g}*length"
                )
            )
        rows.append(
            {
                "class": cls,
                "n_true": nt,
                "n_pred": npred,
                "tp": tp,
                "fp": fp,
                "fn": fn,
                "precision": _ratio(tp, npred),
                "recall": _ratio(tp, nt),
                "f1": _f1(tp, fp, fn),
                "criterion": crit,
            }
        )
    return pd.DataFrame(rows).set_index("class")


def _segment_table(files: Sequence[_FileCounts]) -> pd.DataFrame:
    rows = []
    for cls in CLASSES:
        tp, fp, fn, tn = (sum(f.seg[cls][k] for f in files) for k in range(4))
        rows.append(
            {
                "class": cls,
                "tp": tp,
                "fp": fp,
                "fn": fn,
                "tn": tn,
                "precision": _ratio(tp, tp + fp),
                "recall": _ratio(tp, tp + fn),
                "f1": _f1(tp, fp, fn),
                "specificity": _ratio(tn, tn + fp),
            }
        )
    return pd.DataFrame(rows).set_index("class")


def _file_row(f: _FileCounts) -> dict[str, Any]:
    hours = f.duration / 3600.0
    row: dict[str, Any] = {
        "file": f.name,
        "status": f.status,
        "duration_s": f.duration,
        "duration_from": f.duration_from,
        "modality": f.modality or "unknown",
        "modality_from": f.modality_from,
        "n_true": sum(f.n_true.values()),
        "n_pred": sum(f.n_pred.values()),
    }
    f1s = []
    for cls in TARGET_CLASSES:
        short = "fasc" if cls == _BRIEF else "dyst"
        tp = f.tp[cls]
        fp, fn = f.n_pred[cls] - tp, f.n_true[cls] - tp
        f1 = _f1(tp, fp, fn)
        f1s.append(f1)
        row.update(
            {
                f"{short}_tp": tp,
                f"{short}_fp": fp,
                f"{short}_fn": fn,
                f"{short}_f1": f1,
                f"{short}_fa_per_h": _ratio(fp, hours),
            }
        )
    row["macro_f1"] = _macro(f1s)
    return row


# --------------------------------------------------------------------------- result


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _unjson(x: Any) -> Any:
    return float("nan") if x is None else x


@dataclass
class EvaluationResult:
    """What :func:`evaluate` found.

    Attributes
    ----------
    events : DataFrame
        Event-based metrics, one row per class (index ``class``): ``n_true``,
        ``n_pred``, ``tp``, ``fp``, ``fn``, ``precision``, ``recall``, ``f1``,
        ``criterion`` (the matching rule, in words).
    segments : DataFrame
        Segment-based metrics per class: ``tp``, ``fp``, ``fn``, ``tn``,
        ``precision``, ``recall``, ``f1``, ``specificity``.
    confusion : DataFrame
        Counts, rows = true class plus ``spurious`` (predictions matching no
        true event), columns = predicted class plus ``missed`` (true events no
        prediction matched). Pairs here need only an onset within the larger
        collar or an overlap, so the diagonal can exceed the event-based TP.
    false_alarms_per_hour : dict
        Target class -> unmatched predictions per recording hour (NaN when
        the total duration is 0).
    macro_f1 : float
        Mean event-based F1 of ``fasciculation-like`` and ``dystonia-like``, over those
        of the two that occur in the truth or the predictions (a class with neither has
        an undefined F1, NaN, and is left out; NaN when both are).
    hours : float
        Total recording hours the false alarms are divided by.
    per_file : DataFrame
        One row per file (a single row for DataFrame inputs).
    tolerances : Tolerances
    notes : list of str
        What was decided (duration and modality sources, unpaired files).
    """

    events: pd.DataFrame
    segments: pd.DataFrame
    confusion: pd.DataFrame
    false_alarms_per_hour: dict[str, float]
    macro_f1: float
    hours: float
    per_file: pd.DataFrame
    tolerances: Tolerances = field(default_factory=Tolerances)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (NaN becomes ``None``).

        Examples
        --------
        >>> import pandas as pd
        >>> t = pd.DataFrame({"onset": [1.0], "duration": [0.0],
        ...                   "trial_type": ["fasciculation-like"]})
        >>> evaluate(t, t).to_dict()["macro_f1"]
        1.0
        """
        ev = self.events.reset_index().to_dict(orient="records")
        sg = self.segments.reset_index().to_dict(orient="records")
        return _jsonable(
            {
                "macro_f1": self.macro_f1,
                "events": ev,
                "segments": sg,
                "segment_s": self.tolerances.segment,
                "false_alarms_per_hour": dict(self.false_alarms_per_hour),
                "hours": self.hours,
                "confusion": {
                    "rows": list(self.confusion.index),
                    "columns": list(self.confusion.columns),
                    "counts": self.confusion.to_numpy().tolist(),
                },
                "per_file": self.per_file.to_dict(orient="records"),
                "tolerances": self.tolerances.to_dict(),
                "notes": list(self.notes),
                "movement_version": _version(),
            }
        )

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> EvaluationResult:
        """Rebuild a result from :meth:`to_dict` output (e.g. a JSON file)."""

        def frame(records: list[dict[str, Any]], index: str | None) -> pd.DataFrame:
            df = pd.DataFrame([{k: _unjson(v) for k, v in r.items()} for r in records])
            return df.set_index(index) if index and len(df) else df

        conf = d["confusion"]
        return cls(
            events=frame(d["events"], "class"),
            segments=frame(d["segments"], "class"),
            confusion=pd.DataFrame(
                np.asarray(conf["counts"], dtype=np.int64).reshape(
                    len(conf["rows"]), len(conf["columns"])
                ),
                index=pd.Index(conf["rows"], name="true"),
                columns=pd.Index(conf["columns"], name="predicted"),
            ),
            false_alarms_per_hour={k: _unjson(v) for k, v in d["false_alarms_per_hour"].items()},
            macro_f1=_unjson(d["macro_f1"]),
            hours=_unjson(d["hours"]),
            per_file=frame(d["per_file"], None),
            tolerances=Tolerances(**d["tolerances"]),
            notes=list(d.get("notes", [])),
        )

    def write_json(self, path: str | os.PathLike) -> Path:
        """Write :meth:`to_dict` as JSON atomically (temporary file, then rename)."""
        text = json.dumps(self.to_dict(), indent=2, allow_nan=False) + "\n"
        return atomic_write(path, text)

    def to_text(self) -> str:
        """A readable summary: event, segment, false-alarm and confusion tables."""

        def num(v: Any) -> str:
            if isinstance(v, float):
                return "n/a" if not math.isfinite(v) else f"{v:.3f}"
            return str(v)

        def table(df: pd.DataFrame, cols: Sequence[str], first: str) -> list[str]:
            head = [first, *cols]
            body = [[str(i), *(num(df.loc[i, c]) for c in cols)] for i in df.index]
            widths = [max(len(r[k]) for r in [head, *body]) for k in range(len(head))]
            fmt = [
                head[0].ljust(widths[0])
                + "  "
                + "  ".join(h.rjust(w) for h, w in zip(head[1:], widths[1:], strict=True))
            ]
            for r in body:
                fmt.append(
                    r[0].ljust(widths[0])
                    + "  "
                    + "  ".join(x.rjust(w) for x, w in zip(r[1:], widths[1:], strict=True))
                )
            return ["  " + line for line in fmt]

        metric_cols = ["n_true", "n_pred", "tp", "fp", "fn", "precision", "recall", "f1"]
        lines = ["Event-based metrics (one-to-one matching within collars)"]
        lines += table(self.events, metric_cols, "class")
        lines += [f"  macro-F1 (fasciculation-like, dystonia-like): {num(self.macro_f1)}"]
        for cls in CLASSES:
            lines.append(f"  {cls}: {self.events.loc[cls, 'criterion']}")
        lines += ["", f"Segment-based metrics ({self.tolerances.segment:g} s segments)"]
        lines += table(
            self.segments, ["tp", "fp", "fn", "tn", "precision", "recall", "f1"], "class"
        )
        fa = ", ".join(f"{c} {num(v)}" for c, v in self.false_alarms_per_hour.items())
        lines += ["", f"False alarms per hour ({self.hours:.3f} h): {fa}"]
        lines += ["", "Confusion of matched events (rows true, columns predicted)"]
        lines += table(self.confusion, list(self.confusion.columns), "true \\ predicted")
        if len(self.per_file) > 1 or any(self.per_file.get("status", pd.Series()) != "ok"):
            pf = self.per_file.set_index("file")
            cols = ["status", "n_true", "n_pred", "fasc_f1", "dyst_f1", "macro_f1", "duration_from"]
            lines += ["", "Per file"]
            lines += table(pf, cols, "file")
        if self.notes:
            lines += ["", "Notes"] + [f"  - {n}" for n in self.notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


def _version() -> str:
    try:
        from ._version import __version__

        return str(__version__)
    except ImportError:  # pragma: no cover
        return "unknown"


# --------------------------------------------------------------------------- duration, modality


def _sidecars(truth_path: Path, stem: str) -> list[Path]:
    """``<stem>.json`` then ``<stem>_*.json`` (not ``_events.json``) beside the truth file."""
    folder = truth_path.parent
    out = []
    first = folder / f"{stem}.json"
    if first.is_file():
        out.append(first)
    for p in sorted(folder.glob(f"{glob.escape(stem)}_*.json")):
        if not p.name.endswith("_events.json") and p != first:
            out.append(p)
    return out


def _get(d: dict[str, Any], *keys: str) -> Any:
    lower = {str(k).lower(): v for k, v in d.items()}
    for k in keys:
        if k.lower() in lower and lower[k.lower()] not in (None, "", "n/a"):
            return lower[k.lower()]
    return None


def _load_json(p: Path) -> dict[str, Any]:
    try:
        data = json.loads(p.read_text())
    except (OSError, ValueError) as exc:
        raise MovementError(f"{p}: sidecar is not valid JSON ({exc})") from None
    return data if isinstance(data, dict) else {}


def _from_sidecars(truth_path: Path | None, stem: str) -> tuple[float | None, str, str | None, str]:
    """(duration, where from, modality, where from) from JSON sidecars beside the truth file."""
    dur: float | None = None
    dur_from = ""
    mod: str | None = None
    mod_from = ""
    if truth_path is None:
        return None, "", None, ""
    for side in _sidecars(truth_path, stem):
        d = _load_json(side)
        if dur is None:
            v = _get(d, "Duration", "RecordingDuration", "duration_s")
            fs = _get(d, "SamplingFrequency", "SamplingRate", "fs")
            n = _get(d, "NumberOfSamples", "SampleCount", "n_samples", "Samples")
            try:
                if v is not None and _positive(float(v)):
                    dur, dur_from = float(v), f"sidecar {side.name}"
                elif fs is not None and n is not None and _positive(float(fs)):
                    if _positive(float(n) / float(fs)):
                        dur = float(n) / float(fs)
                        dur_from = f"sidecar {side.name} (samples / rate)"
            except (TypeError, ValueError):
                raise MovementError(f"{side}: Duration/SamplingFrequency is not a number") from None
        if mod is None:
            mod = _normalise_modality(_get(d, "Modality", "RecordingType", "DataType", "Type"))
            if mod is not None:
                mod_from = f"sidecar {side.name}"
    return dur, dur_from, mod, mod_from


def _from_recording(truth_path: Path | None, stem: str) -> tuple[float | None, str, str | None]:
    """Duration and modality of a recording file named ``<stem>.*`` or ``<stem>_*.*``."""
    if truth_path is None:
        return None, "", None
    try:
        from .io import is_recording_file, read
    except ImportError:  # pragma: no cover
        return None, "", None
    folder = truth_path.parent
    cands = [
        *sorted(folder.glob(f"{glob.escape(stem)}.*")),
        *sorted(folder.glob(f"{glob.escape(stem)}_*")),
    ]
    for p in cands:
        if not p.is_file() or not is_recording_file(p):
            continue
        try:
            rec = read(p)
        except (MovementError, OSError, ValueError):
            continue
        return rec.data.shape[0] / rec.fs, f"recording {p.name}", rec.modality
    return None, "", None


def _positive(x: float) -> bool:
    return math.isfinite(x) and x > 0


#: Where the duration and modality a DataFrame's ``attrs`` give came from.
_Attrs = tuple[float | None, str, str | None, str]
_NO_ATTRS: _Attrs = (None, "", None, "")


@dataclass(frozen=True)
class _Side:
    """The provenance one side of a comparison carries: a DataFrame's ``attrs``, or the
    ``<stem>_events.json`` sidecar of an events file (as :func:`movement.export.read_bids_events`
    puts it in ``attrs``). ``src`` names it in ``duration_from``/``modality_from`` and notes,
    ``who`` in error messages."""

    attrs: Mapping[str, Any] | None
    what: str  # "predictions" or "truth"
    src: str = ""
    who: str = ""
    frame: bool = True

    @property
    def verb(self) -> str:
        return "say" if self.frame else "says"


def _frame_side(df: Any, what: str) -> _Side:
    """A DataFrame's ``attrs`` (``None`` for anything else)."""
    a = getattr(df, "attrs", None)
    ok = isinstance(df, pd.DataFrame) and isinstance(a, Mapping)
    return _Side(a if ok else None, what, f"attrs of the {what}", f"the {what}' attrs", True)


def _file_side(path: Path, what: str) -> _Side:
    """The ``<stem>_events.json`` sidecar of an events file, read as
    :func:`movement.export.read_bids_events` reads it (none, or unreadable: no attrs)."""
    from .export import _sidecar_attrs, events_paths

    try:
        side = events_paths(path)[1]
    except MovementError:
        return _Side(None, what, frame=False)
    if not side.is_file():
        return _Side(None, what, frame=False)
    return _Side(
        _sidecar_attrs(side),
        what,
        f"sidecar {side.name} of the {what}",
        f"the {what}' sidecar {side}",
        False,
    )


def _attrs_of(side: _Side) -> tuple[float | None, str | None]:
    """Duration (s) and modality in an events table's ``attrs`` (as :func:`movement.score`
    sets them: ``duration``, ``modality``, else ``parameters["modality"]``) or its sidecar."""
    a = side.attrs
    if not isinstance(a, Mapping):
        return None, None
    give = "give" if side.frame else "gives"
    raw_mod = a.get("modality")
    params = a.get("parameters")
    if raw_mod is None and isinstance(params, Mapping):
        raw_mod = params.get("modality")
    mod = _normalise_modality(raw_mod)
    if raw_mod is not None and mod is None:
        raise MovementError(f"{side.who} {give} modality {raw_mod!r} (expected 'accel' or 'emg')")
    raw_dur = a.get("duration")
    dur = None
    if raw_dur is not None:
        try:
            dur = float(raw_dur)
        except (TypeError, ValueError):
            dur = float("nan")
        if isinstance(raw_dur, bool) or not _positive(dur):
            raise MovementError(
                f"{side.who} {give} duration {raw_dur!r} (expected a positive number of seconds)"
            )
    return dur, mod


def _from_attrs(pred: Any, truth: Any) -> _Attrs:
    """(duration, where from, modality, where from) from the ``attrs`` (or ``_events.json``
    sidecars, :class:`_Side`) of the predictions (first) and the truth; refused when the two
    describe different recordings."""
    ps = pred if isinstance(pred, _Side) else _frame_side(pred, "predictions")
    ts = truth if isinstance(truth, _Side) else _frame_side(truth, "truth")
    p_dur, p_mod = _attrs_of(ps)
    t_dur, t_mod = _attrs_of(ts)
    # (two DataFrames: "the predictions' attrs say ... and the truth's ...", as before)
    t_who = "the truth's" if ps.frame and ts.frame else f"{ts.who} {ts.verb}"
    if p_mod is not None and t_mod is not None and p_mod != t_mod:
        raise MovementError(
            f"{ps.who} {ps.verb} modality {p_mod} and {t_who} {t_mod}: "
            "events of different recordings"
        )
    if p_dur is not None and t_dur is not None and abs(p_dur - t_dur) > _BEYOND_S:
        raise MovementError(
            f"{ps.who} {ps.verb} a {p_dur:g} s recording and {t_who} {t_dur:g} s: "
            "events of different recordings"
        )
    dur, dur_from = (
        (p_dur, ps.src)
        if p_dur is not None
        else (t_dur, ts.src)
        if t_dur is not None
        else (None, "")
    )
    mod, mod_from = (
        (p_mod, ps.src)
        if p_mod is not None
        else (t_mod, ts.src)
        if t_mod is not None
        else (None, "")
    )
    return dur, dur_from, mod, mod_from


def _say(src: str) -> str:
    """``src`` with its verb: "the attrs of the predictions say", "the sidecar x.json says"."""
    return f"the {src} " + ("say" if src.startswith("attrs") else "says")


def _resolve(
    pred: pd.DataFrame,
    truth: pd.DataFrame,
    truth_path: Path | None,
    stem: str,
    duration: float | None,
    modality: str | None,
    attrs: _Attrs = _NO_ATTRS,
) -> tuple[float, str, str | None, str]:
    """Duration and modality of one file, and where each came from: the argument, else the
    events' ``attrs``, a sidecar, a recording beside the truth file, the latest event end."""
    dur, dur_from, mod, mod_from = _from_sidecars(truth_path, stem)
    a_dur, a_dur_from, a_mod, a_mod_from = attrs
    if a_mod is not None:
        if modality is None and mod is not None and mod != a_mod:
            raise MovementError(
                f"{stem}: {_say(a_mod_from)} modality {a_mod} but the {mod_from} says {mod}"
            )
        mod, mod_from = a_mod, a_mod_from
    if a_dur is not None:
        if duration is None and dur is not None and abs(dur - a_dur) > _BEYOND_S:
            raise MovementError(
                f"{stem}: {_say(a_dur_from)} a {a_dur:g} s recording but the {dur_from} "
                f"says {dur:g} s"
            )
        dur, dur_from = a_dur, a_dur_from
    if duration is not None:
        dur, dur_from = float(duration), "argument"
    if modality is not None:
        mod, mod_from = modality, "argument"
    if dur is None or mod is None:
        r_dur, r_from, r_mod = _from_recording(truth_path, stem)
        if dur is None and r_dur is not None:
            dur, dur_from = r_dur, r_from
        if mod is None and r_mod is not None:
            mod, mod_from = r_mod, r_from
    if dur is None:
        ends = [0.0]
        for df in (pred, truth):
            if len(df):
                ends.append(float((df["onset"] + df["duration"]).max()))
        dur, dur_from = max(ends), "events (latest event end)"
    if mod is None:
        mod_from = "no argument, attrs, sidecar or recording: accelerometer brief collar used"
    return dur, dur_from, mod, mod_from


def _check_within(
    pred: pd.DataFrame, truth: pd.DataFrame, duration: float, duration_from: str, where: str
) -> None:
    """Refuse events that reach past the recording's end by more than :data:`_BEYOND_S`:
    onsets in another unit (ms), or events of another (longer) recording."""
    for what, df in (("predicted", pred), ("true", truth)):
        if not len(df):
            continue
        end = (df["onset"] + df["duration"]).to_numpy(float)
        i = int(np.argmax(end))
        if end[i] > duration + _BEYOND_S:
            raise MovementError(
                f"{where}a {what} event at {df['onset'].iloc[i]:g} s ends at "
                f"{end[i]:g} s, beyond the recording's {duration:g} s (duration from "
                f"{duration_from}): onsets not in seconds, or events of another recording"
            )


# --------------------------------------------------------------------------- evaluate


def _stem(p: Path) -> str:
    name = p.name
    return name[: -len(_SUFFIX)] if name.endswith(_SUFFIX) else name.split(".")[0]


def _collect(folder: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for p in sorted(folder.rglob(f"*{_SUFFIX}")):
        if p.name.startswith(".") or not p.is_file():
            continue
        s = _stem(p)
        if s in found:
            raise MovementError(f"{p}: the stem {s!r} also names {found[s]} (pairing is by stem)")
        found[s] = p
    return found


def _some(folder: Path, found: dict[str, Path], n: int = 3) -> str:
    """A few files of a folder's ``_collect`` (paths within it), for an error message."""
    if not found:
        return f"no *{_SUFFIX} files"
    names = [p.relative_to(folder).as_posix() for p in found.values()]
    more = f" ... ({len(names)} files)" if len(names) > n else ""
    return ", ".join(names[:n]) + more


def _as_input(x: Any, what: str) -> tuple[str, Any]:
    if isinstance(x, pd.DataFrame):
        return "frame", x
    if isinstance(x, str | os.PathLike):
        p = Path(x)
        if not p.exists():
            raise NoSuchFileError(f"no such file or folder ({what})", str(p))
        return ("folder" if p.is_dir() else "file"), p
    raise MovementError(f"{what}: expected a DataFrame, a file or a folder, got {type(x).__name__}")


def evaluate(
    pred: EventsLike,
    truth: EventsLike,
    *,
    duration: float | None = None,
    modality: str | None = None,
    tolerances: Tolerances | None = None,
) -> EvaluationResult:
    """Compare predicted events with ground truth.

    Parameters
    ----------
    pred, truth : DataFrame, path to a ``*_events.tsv`` file, or folder
        Events tables with ``onset``, ``duration`` (s) and ``trial_type``.
        Two folders are paired by stem (``<stem>_events.tsv``, searched
        recursively); a truth file without a prediction counts as all misses
        and is reported with status ``no prediction``; a prediction without a
        truth file is left out and named in ``notes``; two folders with no
        stem in common are an error. Counts are pooled (summed) over files.
    duration : float, optional
        Recording length (s, > 0) of each file, for false alarms per hour and the
        segment grid. Otherwise from the ``attrs`` of a DataFrame
        (``attrs["duration"]``, as :func:`movement.score` sets it: the
        predictions' first, then the truth's) or, for a file, from its
        ``<stem>_events.json`` sidecar (as ``movement score`` writes it, read as
        :func:`movement.export.read_bids_events` reads it into ``attrs``: a path
        and the DataFrame read from it are judged alike), then from a JSON sidecar beside
        the truth file (``<stem>.json`` or ``<stem>_*.json``:
        ``Duration``/``RecordingDuration``, or ``SamplingFrequency`` with
        ``NumberOfSamples``), then from a recording ``<stem>.*`` beside it, then
        the latest event end. ``per_file.duration_from`` and ``notes`` say which.
        An event ending more than 1 s after this duration is refused (onsets in
        another unit, or events of another recording).
    modality : {"accel", "emg"}, optional
        Picks the brief-event collar. Otherwise from the DataFrames' ``attrs``
        (``attrs["modality"]``, else ``attrs["parameters"]["modality"]``) or the
        files' ``_events.json`` sidecars, the truth's recording sidecar or the recording; when unknown, the accelerometer collar is used.
        ``per_file.modality_from`` and ``notes`` say which.
    tolerances : Tolerances, optional
        Collars and segment length; defaults as documented in :class:`Tolerances`.

    Returns
    -------
    EvaluationResult

    Warns
    -----
    UserWarning
        When true events of one class overlap each other (or start together), or two
        true ``fasciculation-like`` events start within the brief-event collar of each
        other: one line per file naming how many per class, also in ``notes``. Such
        events are most often one event annotated twice; they are still counted as given
        (each one a true event, so ``n_true`` grows and recall falls): remove the
        duplicates if they are not meant. True events of different classes may overlap
        without a word.

    Raises
    ------
    MovementError
        For a missing or malformed input, naming the file; two folders with no
        stem in common; a duration that is not
        a positive number; events reaching past the duration; predictions and
        truth whose ``attrs`` (or sidecars) describe different recordings.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"onset": [2.0, 10.0], "duration": [0.05, 6.0],
    ...                   "trial_type": ["fasciculation-like", "dystonia-like"]})
    >>> p = t.assign(onset=t["onset"] + [0.03, 1.0])
    >>> res = evaluate(p, t, modality="emg")
    >>> res.events["f1"].round(2).tolist()  # no "other" on either side: undefined
    [1.0, 1.0, nan]
    >>> res = evaluate(p, t, modality="emg", tolerances=Tolerances(brief_collar_emg=0.02))
    >>> int(res.events.loc["fasciculation-like", "tp"])  # 0.03 s late: outside 0.02 s
    0
    >>> res.confusion.loc["fasciculation-like"].tolist()  # still paired (larger collar)
    [1, 0, 0, 0]
    """
    tol = tolerances or Tolerances()
    if modality is not None and modality not in _MODALITIES:
        raise MovementError(f"modality must be 'accel' or 'emg', got {modality!r}")
    if duration is not None:
        try:
            dur_arg = float(duration)
        except (TypeError, ValueError):
            dur_arg = float("nan")
        if isinstance(duration, bool) or not _positive(dur_arg):
            raise MovementError(f"duration must be a positive number of seconds, got {duration!r}")
        duration = dur_arg
    pk, pv = _as_input(pred, "predictions")
    tk, tv = _as_input(truth, "truth")
    notes: list[str] = []
    # what each side says of its recording: a DataFrame's attrs, or a file's
    # <stem>_events.json sidecar (as read_bids_events reads it): the same either way
    p_frame = _frame_side(pv, "predictions") if pk == "frame" else None
    t_frame = _frame_side(tv, "truth") if tk == "frame" else None
    _from_attrs(p_frame, t_frame)  # (a DataFrame's bad attrs: refused before any file is read)
    no_side_p = _Side(None, "predictions", frame=False)
    jobs: list[tuple[str, str, pd.DataFrame, pd.DataFrame, Path | None, _Side, _Side]] = []
    if pk == "folder" or tk == "folder":
        if pk != "folder" or tk != "folder":
            raise MovementError(
                f"{pv if pk == 'folder' else tv}: a folder must be compared with a folder "
                "(predictions and truth)"
            )
        tfiles, pfiles = _collect(tv), _collect(pv)
        if not tfiles:
            raise MovementError(f"{tv}: no *{_SUFFIX} files in the truth folder")
        if not set(tfiles) & set(pfiles):
            # nothing paired: every truth file would count as all misses and a class absent
            # on both sides as F1 1.0, a score of folders that were never compared
            raise MovementError(
                f"no prediction file pairs with a truth file (pairing is by <stem>{_SUFFIX}): "
                f"predictions {pv}: {_some(pv, pfiles)}; truth {tv}: {_some(tv, tfiles)}"
            )
        for stem, tpath in tfiles.items():
            tdf = read_events(tpath)
            t_side = _file_side(tpath, "truth")
            if stem in pfiles:
                pdf = read_events(pfiles[stem])
                jobs.append(
                    (stem, "ok", pdf, tdf, tpath, _file_side(pfiles[stem], "predictions"), t_side)
                )
            else:
                jobs.append((stem, "no prediction", tdf.iloc[:0], tdf, tpath, no_side_p, t_side))
        missing = [s for s in tfiles if s not in pfiles]
        if missing:
            notes.append(
                f"{len(missing)} truth file(s) without a prediction, counted as all misses: "
                + ", ".join(missing)
            )
        extra = [s for s in pfiles if s not in tfiles]
        if extra:
            notes.append(
                f"{len(extra)} prediction file(s) without truth, not scored: " + ", ".join(extra)
            )
    else:
        pdf = read_events(pv) if pk == "file" else _clean(pv, "predictions")
        tdf = read_events(tv) if tk == "file" else _clean(tv, "truth")
        tpath = tv if tk == "file" else None
        name = _stem(tv) if tk == "file" else (_stem(pv) if pk == "file" else "truth")
        p_side = p_frame if p_frame is not None else _file_side(pv, "predictions")
        t_side = t_frame if t_frame is not None else _file_side(tv, "truth")
        jobs.append((name, "ok", pdf, tdf, tpath, p_side, t_side))

    jobs = [
        (n, st, _model_labels(pdf, n, notes), _reviewed_truth(tdf, n, notes), tp, ps, ts)
        for n, st, pdf, tdf, tp, ps, ts in jobs
    ]
    resolved_attrs: list[_Attrs] = []
    for *_, ps, ts in jobs:
        a_dur, a_dur_from, a_mod, a_mod_from = attrs = _from_attrs(ps, ts)
        resolved_attrs.append(attrs)
        said = []
        if duration is not None and a_dur is not None and abs(a_dur - duration) > _BEYOND_S:
            said.append(f"duration argument {duration:g} s used; {_say(a_dur_from)} {a_dur:g} s")
        if modality is not None and a_mod is not None and a_mod != modality:
            said.append(f"modality argument {modality} used; {_say(a_mod_from)} {a_mod}")
        notes.extend(x for x in said if x not in notes)
    made_by = _provenance(pk, pv, [n for n, st, *_ in jobs if st == "ok"])
    if made_by:
        notes.append(made_by)
    files: list[_FileCounts] = []
    for (name, status, pdf, tdf, tpath, *_), attrs in zip(jobs, resolved_attrs, strict=True):
        dur, dur_from, mod, mod_from = _resolve(pdf, tdf, tpath, name, duration, modality, attrs)
        _overlapping_truth(tdf, name, notes, tol.brief_collar(mod))
        if not dur_from.startswith("events"):
            _check_within(pdf, tdf, dur, dur_from, "" if pk == tk == "frame" else f"{name}: ")
        files.append(
            _count(
                pdf,
                tdf,
                name=name,
                status=status,
                duration=dur,
                duration_from=dur_from,
                modality=mod,
                modality_from=mod_from,
                tol=tol,
            )
        )
    return _summarise(files, tol, notes)


def _model_labels(pred: pd.DataFrame, name: str, notes: list[str]) -> pd.DataFrame:
    """Predictions as the model made them: an events table reviewed since (relabelled
    events keep the model's label in ``original_trial_type``) is judged on the model's
    labels, whatever the reviewer changed (rejected events stay predictions)."""
    if "original_trial_type" not in pred.columns or pred.empty:
        return pred
    orig = pred["original_trial_type"]
    known = orig.notna() & orig.astype("string").str.strip().str.lower().isin(CLASSES).fillna(False)
    if not known.any():
        return pred
    out = pred.copy()
    out.loc[known, "trial_type"] = orig[known].astype(str).str.strip().str.lower().to_numpy()
    notes.append(
        f"predictions {name}: the model's labels of {int(known.sum())} event(s) a reviewer "
        "relabelled"
    )
    return out


def _reviewed_truth(truth: pd.DataFrame, name: str, notes: list[str]) -> pd.DataFrame:
    """A reviewed events table as truth: the events a reviewer rejected are not events (a
    relabelled one already carries its new ``trial_type``)."""
    if "review_status" not in truth.columns or truth.empty:
        return truth
    status = truth["review_status"].astype("string").str.strip().str.lower()
    rejected = status.isin(["rejected", "reject"]).fillna(False).to_numpy(bool)
    if rejected.any():
        notes.append(f"truth {name}: {int(rejected.sum())} rejected event(s) left out")
    return truth[~rejected].reset_index(drop=True)


def _overlapping_truth(
    truth: pd.DataFrame, name: str, notes: list[str], brief_collar: float
) -> dict[str, int]:
    """Warn (and note) when true events of one class overlap one another.

    Two true events of one class that overlap in time (or start together), or two
    ``fasciculation-like`` events whose onsets lie within the brief-event collar
    (``brief_collar``: one prediction could be either), are almost always one event
    annotated twice (a table concatenated with itself, two raters' annotations merged):
    each still counts as a true event, so ``n_true`` doubles and recall halves. They are
    counted as given (a researcher may mean them), with one warning line naming how
    many per class. Events of different classes may overlap (a twitch within a dystonic
    posture) and are not reported.

    Returns the number of events per class that overlap an earlier one of that class.

    Examples
    --------
    >>> t = pd.DataFrame({"onset": [1.0, 1.01, 5.0, 9.0], "duration": [0.005, 0.005, 1.0, 1.0],
    ...                   "trial_type": ["fasciculation-like"] * 2 + ["dystonia-like"] * 2})
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     _overlapping_truth(t, "rec", [], 0.05)
    {'fasciculation-like': 1}
    >>> print(w[0].message)  # doctest: +NORMALIZE_WHITESPACE
    truth rec: 1 fasciculation-like event(s) coincide with another true event of the same
    class (overlapping, or fasciculation-like onsets within 0.05 s: annotated twice?); each
    is counted as a true event
    """
    found: dict[str, int] = {}
    if len(truth) < 2:
        return found
    for cls in CLASSES:
        g = truth[truth["trial_type"] == cls]
        if len(g) < 2:
            continue
        on = g["onset"].to_numpy(float)
        order = np.argsort(on, kind="stable")
        on = on[order]
        off = on + g["duration"].to_numpy(float)[order]
        reach = np.maximum.accumulate(off)[:-1]  # the latest end of the events before
        gap = brief_collar if cls == _BRIEF else 0.0
        close = (on[1:] < reach - _EPS) | (on[1:] - on[:-1] <= gap + _EPS)
        if n := int(close.sum()):
            found[cls] = n
    if found:
        counts = ", ".join(f"{n} {c}" for c, n in found.items())
        text = (
            f"truth {name}: {counts} event(s) coincide with another true event of the same "
            f"class (overlapping, or fasciculation-like onsets within {brief_collar:g} s: "
            "annotated twice?); each is counted as a true event"
        )
        if text not in notes:
            notes.append(text)
        warnings.warn(text, UserWarning, stacklevel=3)
    return found


def _provenance(kind: str, pred: Any, stems: list[str]) -> str | None:
    """What made the predictions (version, parameters hash, model) per modality, from their
    ``attrs`` or ``_events.json`` sidecars; a note that says so, and when they differ."""
    from .export import _sidecar_attrs, events_paths

    seen: dict[tuple[str, ...], list[str]] = {}
    if kind == "frame":
        sources = [("predictions", dict(getattr(pred, "attrs", {}) or {}))]
    else:
        found = _collect(Path(pred)) if kind == "folder" else {_stem(Path(pred)): Path(pred)}
        sources = []
        for stem in stems if kind == "folder" else list(found):
            if stem in found:
                try:
                    sources.append((stem, _sidecar_attrs(events_paths(found[stem])[1])))
                except MovementError:
                    sources.append((stem, {}))
    for stem, a in sources:
        key = tuple(
            str(a.get(k)) if a.get(k) is not None else "unknown"
            for k in ("modality", "movement_version", "parameters_hash", "model")
        )
        seen.setdefault(key, []).append(stem)
    lines = []
    for modality in sorted({k[0] for k in seen}):
        ways = {k[1:]: v for k, v in seen.items() if k[0] == modality}
        known = {k: v for k, v in ways.items() if k != ("unknown",) * 3}
        if not known:
            continue
        text = "; ".join(
            f"movement {v}, parameters {h}, model {m}"
            + (f" ({len(s)} files)" if len(ways) > 1 else "")
            for (v, h, m), s in sorted(known.items())
        )
        what = f"predictions ({modality})" if modality != "unknown" else "predictions"
        lines.append(
            f"{what} made {len(ways)} ways, pooled: {text}"
            if len(ways) > 1
            else f"{what} made by {text}"
        )
    return "; ".join(lines) or None


def _summarise(files: list[_FileCounts], tol: Tolerances, notes: list[str]) -> EvaluationResult:
    events = _event_table(files, tol)
    segments = _segment_table(files)
    conf = pd.DataFrame(
        sum((f.confusion for f in files), np.zeros((len(_CONF_ROWS), len(_CONF_COLS)), np.int64)),
        index=pd.Index(_CONF_ROWS, name="true"),
        columns=pd.Index(_CONF_COLS, name="predicted"),
    )
    hours = sum(f.duration for f in files) / 3600.0
    fa = {c: _ratio(int(events.loc[c, "fp"]), hours) for c in TARGET_CLASSES}
    macro = _macro([events.loc[c, "f1"] for c in TARGET_CLASSES])
    per_file = pd.DataFrame([_file_row(f) for f in files])
    sources = sorted({f.duration_from.split(" ")[0] for f in files})
    notes = [f"duration from: {', '.join(sources)}", *notes]
    mods = sorted({f"{f.modality or 'unknown'} ({f.modality_from})" for f in files})
    if len(mods) <= 3:
        notes.insert(1, f"modality: {'; '.join(mods)}")
    return EvaluationResult(
        events=events,
        segments=segments,
        confusion=conf,
        false_alarms_per_hour=fa,
        macro_f1=macro,
        hours=hours,
        per_file=per_file,
        tolerances=tol,
        notes=notes,
    )


# --------------------------------------------------------------------------- command line


def cli_configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``movement evaluate PRED TRUTH`` arguments to ``parser``."""
    parser.description = (
        "Compare predicted events tables with ground truth: event-based and segment-based "
        "precision/recall/F1, false alarms per hour, and a confusion matrix."
    )
    parser.add_argument("pred", metavar="PRED", help="predicted *_events.tsv file or folder")
    parser.add_argument("truth", metavar="TRUTH", help="true *_events.tsv file or folder")
    parser.add_argument("--out", metavar="FILE.json", help="also write the results as JSON")
    parser.add_argument(
        "--modality",
        choices=_MODALITIES,
        help="recording modality (picks the brief-event collar; default: from sidecars)",
    )
    d = Tolerances()
    parser.add_argument(
        "--collar-brief",
        type=float,
        metavar="S",
        help=f"onset collar of fasciculation-like events (default {d.brief_collar_emg:g} s EMG, "
        f"{d.brief_collar_accel:g} s accelerometer)",
    )
    parser.add_argument(
        "--collar-sustained",
        type=float,
        metavar="S",
        help=f"minimum onset/offset collar of dystonia-like and other events "
        f"(default {d.sustained_collar:g} s)",
    )
    parser.add_argument(
        "--segment",
        type=float,
        metavar="S",
        help=f"segment length of the segment-based metrics (default {d.segment:g} s)",
    )
    parser.add_argument(
        "--duration",
        type=float,
        metavar="S",
        help="recording length in seconds (default: sidecar, recording, or latest event end)",
    )


def cli_run(args: argparse.Namespace) -> int:
    """Run ``movement evaluate``: print the tables, write JSON with ``--out``."""
    changes: dict[str, Any] = {}
    for option in ("collar_brief", "collar_sustained", "segment", "duration"):
        v = getattr(args, option, None)  # (named as the user wrote them, not as Tolerances)
        if v is not None and not (math.isfinite(v) and v > 0):
            raise MovementError(
                f"--{option.replace('_', '-')} must be a positive number of s, got {v:g}"
            )
    if getattr(args, "collar_brief", None) is not None:
        changes["brief_collar_emg"] = changes["brief_collar_accel"] = args.collar_brief
    if getattr(args, "collar_sustained", None) is not None:
        changes["sustained_collar"] = args.collar_sustained
    if getattr(args, "segment", None) is not None:
        changes["segment"] = args.segment
    tol = replace(Tolerances(), **changes)
    out = None
    if getattr(args, "out", None):
        from .cli import output_file

        out = output_file(
            args.out, example="evaluation.json"
        )  # (before the comparison, not after it)
        for what, given in (("predictions", args.pred), ("truth", args.truth)):
            if Path(given).is_file() and out.exists() and out.resolve() == Path(given).resolve():
                raise MovementError(
                    f"--out {args.out}: is the {what} file; give another file for the JSON results"
                )
    from .simulate import _warnings_as_lines

    with _warnings_as_lines():  # (overlapping true events: one `warning: ...` line)
        res = evaluate(
            args.pred,
            args.truth,
            duration=getattr(args, "duration", None),
            modality=getattr(args, "modality", None),
            tolerances=tol,
        )
    print(res.to_text())
    if out is not None:
        written = res.write_json(out)
        print(f"wrote {written}", file=sys.stderr)
    return 0


callable_module(__name__, "evaluate")
