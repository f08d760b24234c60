"""``tilt_edges`` (vectorised over runs) against its former loop over runs, on random inputs."""

from __future__ import annotations

import numpy as np
import pytest

from movement.segment import tilt_edges


def _tilt_edges_loop(
    orientation: np.ndarray,
    runs: np.ndarray,
    fs: float,
    search_s: float,
    fraction: float = 0.1,
    min_deg: float = 0.0,
    require_change: bool = False,
) -> np.ndarray:
    """``movement.segment.tilt_edges`` before it was vectorised (loop over runs)."""
    n = orientation.shape[0]
    out = np.array(runs, dtype=np.int64, copy=True)
    if len(out) == 0:
        return out
    s = max(1, int(round(search_s * fs)))
    q = max(1, int(round(0.25 * fs)))  # the reference directions: 0.25 s means

    def unit(v: np.ndarray) -> np.ndarray:
        return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12)

    def angle(u: np.ndarray, r: np.ndarray) -> np.ndarray:
        return np.degrees(np.arccos(np.clip(u @ r, -1.0, 1.0)))

    def mean_dir(i0: int, i1: int) -> np.ndarray:
        return unit(orientation[i0 : max(i1, i0 + 1)].mean(axis=0))

    def onset_edge(a: int, r1: np.ndarray, mid: int) -> tuple[int | None, bool]:
        """From outside the run (a - s) up to ``mid``: (located onset or None, changed)."""
        lo = max(0, a - s)
        if mid - lo <= q:
            return None, False
        r0 = mean_dir(lo, lo + q)
        held = float(angle(r1[None, :], r0)[0])
        th = angle(unit(orientation[lo:mid]), r0)
        changed = float(angle(mean_dir(mid - q, mid)[None, :], r0)[0]) >= min_deg
        half = np.flatnonzero(th >= 0.5 * held)
        if held >= min_deg and len(half):
            below = np.flatnonzero(th[: half[0]] <= fraction * held)
            if len(below):
                return lo + int(below[-1]) + 1, changed
        return None, changed

    def offset_edge(b: int, r1: np.ndarray, mid: int) -> tuple[int | None, bool]:
        """From ``mid`` out to b + s: (located offset or None, changed)."""
        hi = min(n, b + s)
        if hi - mid <= q:
            return None, False
        r0 = mean_dir(hi - q, hi)
        held = float(angle(r1[None, :], r0)[0])
        th = angle(unit(orientation[mid:hi]), r0)
        changed = float(angle(mean_dir(mid, mid + q)[None, :], r0)[0]) >= min_deg
        half = np.flatnonzero(th >= 0.5 * held)
        if held >= min_deg and len(half):
            below = np.flatnonzero(th[half[-1] :] <= fraction * held)
            if len(below):
                return mid + int(half[-1] + below[0]), changed
        return None, changed

    changed = np.zeros(len(out), dtype=bool)
    for i, (a, b) in enumerate(runs):  # loop over runs
        a, b = int(a), int(b)
        quarter = (b - a) // 4
        r1 = mean_dir(a + quarter, b - quarter)
        on, ch_on = onset_edge(a, r1, min(a + s, a + 2 * quarter + 1))
        off, ch_off = offset_edge(b, r1, max(b - s, a + 2 * quarter))
        # a run at the recording's edge may be a posture held beyond it: it is cut, never
        # dropped
        inner = a > q and b < n - q
        if require_change and ch_on != ch_off:
            # one edge is the slow drift of the resting direction across the threshold, not
            # a tilt change: the posture is the hold next to the other edge, which starts
            # (ends) where the orientation is last (first) closer to the direction outside
            # the drifting edge than to the hold (a held posture may drift a little too)
            keep = True
            if ch_off:
                end = off if off is not None else b
                hold = max(a + 1, end - s)
                r_h = mean_dir(max(a, hold - q), hold)
                # the hold is the tilted state: it differs from the direction outside the
                # drifting edge by at least half the tilt at the changed edge; a run holding
                # the rest it started from only touches the next change (the low-passed
                # gravity's smear ahead of a tilt, the rest after a posture's return)
                lo, hi = max(0, a - s), min(n, b + s)
                r_out = mean_dir(lo, lo + q)
                tilt = float(angle(r_h[None, :], mean_dir(hi - q, hi))[0])
                keep = float(angle(r_h[None, :], r_out)[0]) >= max(min_deg, 0.5 * tilt)
                u = unit(orientation[a:hold])
                away = np.flatnonzero(angle(u, r_h) > angle(u, r_out))
                if len(away):
                    a2 = a + int(away[-1]) + 1
                    on, _ = onset_edge(a2, r_h, max(min(a2 + s, hold), a2 + 1))
                    on = a2 if on is None else on
                    # and the offset is located against the hold, not the run's centre
                    off2, _ = offset_edge(b, r_h, max(b - s, on + 1))
                    off = off if off2 is None else off2
            else:
                begin = on if on is not None else a
                hold = min(b - 1, begin + s)
                r_h = mean_dir(hold, min(b, hold + q))
                lo, hi = max(0, a - s), min(n, b + s)
                r_out = mean_dir(hi - q, hi)
                tilt = float(angle(r_h[None, :], mean_dir(lo, lo + q))[0])
                keep = float(angle(r_h[None, :], r_out)[0]) >= max(min_deg, 0.5 * tilt)
                u = unit(orientation[hold:b])
                away = np.flatnonzero(angle(u, r_h) > angle(u, r_out))
                if len(away):
                    b2 = hold + int(away[0])
                    off, _ = offset_edge(b2, r_h, min(max(b2 - s, hold), b2 - 1))
                    off = b2 if off is None else off
                    on2, _ = onset_edge(a, r_h, min(a + s, off))
                    on = on if on2 is None else on2
            keep = keep or not inner
            ch_on = ch_on and keep
            ch_off = ch_off and keep
        elif require_change and ch_on and ch_off and inner:
            # a posture goes away from a direction and comes back to it: a run between two
            # different tilts (the rest between a posture's return and the next spasm, off a
            # stale reference) is closer to each of them than they are to each other
            lo, hi = max(0, a - s), min(n, b + s)
            r_b, r_a = mean_dir(lo, lo + q), mean_dir(hi - q, hi)
            apart = float(angle(r_b[None, :], r_a)[0])
            away = min(float(angle(r1[None, :], r_b)[0]), float(angle(r1[None, :], r_a)[0]))
            ch_on = ch_off = apart < away
        changed[i] = ch_on or ch_off
        if on is not None:
            out[i, 0] = on
        if off is not None:
            out[i, 1] = off
    out[:, 1] = np.maximum(out[:, 1], out[:, 0] + 1)
    return out[changed] if require_change else out


def _orientation(rng: np.random.Generator, n: int, fs: float) -> np.ndarray:
    """Held tilts joined by ramps, with sensor noise: (n, 3) unit-ish directions."""
    ang = np.zeros((n, 2))
    t = 0
    while t < n:
        hold = int(rng.uniform(0.3, 20) * fs)
        ramp = int(rng.uniform(0.05, 2) * fs)
        target = rng.normal(0, 30, 2) * (rng.random() < 0.6)
        begin = ang[t - 1] if t else np.zeros(2)
        e = min(n, t + ramp)
        ang[t:e] = np.linspace(begin, target, ramp + 1)[1:][: e - t]
        ang[e : min(n, e + hold)] = target
        t = e + hold
    ang = np.radians(ang)
    o = np.column_stack(
        [
            np.sin(ang[:, 0]),
            np.sin(ang[:, 1]) * np.cos(ang[:, 0]),
            np.cos(ang[:, 0]) * np.cos(ang[:, 1]),
        ]
    )
    return o + rng.normal(0, rng.choice([0.001, 0.01, 0.05]), o.shape)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tilt_edges_matches_the_loop_over_runs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    moved = dropped = 0
    for _ in range(100):
        fs = float(rng.choice([25.0, 50.0, 100.0]))
        n = int(rng.uniform(5, 300) * fs)
        o = _orientation(rng, n, fs)
        if rng.random() < 0.5:
            o = np.ascontiguousarray(o.T).T  # the filters' channels-first layout
        k = int(rng.integers(0, 12))
        a = np.sort(rng.integers(0, n - 1, k))
        runs = np.column_stack([a, np.minimum(n, a + rng.integers(1, int(30 * fs), k))])
        kw = {
            "fraction": float(rng.choice([0.1, 0.2])),
            "min_deg": float(rng.choice([0.0, 2.0, 4.0, 8.0])),
            "require_change": bool(rng.random() < 0.7),
        }
        search_s = float(rng.choice([0.5, 2.0, 4.0]))
        ref = _tilt_edges_loop(o, runs, fs, search_s, **kw)
        got = tilt_edges(o, runs, fs, search_s, **kw)
        np.testing.assert_array_equal(got, ref)
        moved += len(ref) == len(runs) and bool((ref != runs).any())
        dropped += len(ref) < len(runs)
    assert moved > 5 and dropped > 5  # both kinds of outcome were exercised
