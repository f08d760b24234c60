"""Reviewers' decisions: read the TSV a report page exports and apply it to events.

A report page (:func:`movement.report.write_report`) lets a person accept, reject
or relabel events; its "Export decisions (TSV)" button downloads
``<stem>_decisions.tsv`` with the columns of :data:`DECISION_COLUMNS`. Here those
decisions are read (:func:`read_decisions`), put back into an events table
(:func:`apply_decisions`) and turned into training rows
(:func:`reviewed_training_rows`, for ``movement train --reviewed DIR``).
"""

from __future__ import annotations

import csv
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .classify import CLASSES
from .errors import MovementError, NoSuchFileError

__all__ = [
    "DECISION_COLUMNS",
    "STATUSES",
    "read_decisions",
    "write_decisions",
    "apply_decisions",
    "reviewed_training_rows",
]

#: Columns of a decisions TSV, in order.
DECISION_COLUMNS = (
    "onset",
    "duration",
    "trial_type",
    "channel",
    "review_status",
    "reviewer",
    "comment",
    "new_trial_type",
)

#: The review statuses (as in the events table's ``review_status`` column).
STATUSES = ("accepted", "rejected", "relabelled")

_ALIASES = {
    "accept": "accepted",
    "accepted": "accepted",
    "reject": "rejected",
    "rejected": "rejected",
    "relabel": "relabelled",
    "relabelled": "relabelled",
    "relabeled": "relabelled",
}

#: ``<stem>_decisions.tsv``, also as browsers rename repeated downloads: ``<stem>_decisions (1).tsv``.
_DECISIONS_NAME = re.compile(r"^(?P<stem>.+)_decisions(?:\s*\(\d+\))?\.tsv$", re.IGNORECASE)


def _text(v: Any) -> str | None:
    """A cell as stripped text; missing / empty / ``n/a`` as None."""
    if v is None:
        return None
    if isinstance(v, float) and np.isnan(v):
        return None
    s = str(v).strip()
    return None if s == "" or s.lower() == "n/a" else s


def _channel_key(v: Any) -> str:
    """Channel text normalised for matching (``"emg1, emg2"`` == ``"emg1,emg2"``)."""
    s = _text(v)
    return "" if s is None else ",".join(p.strip() for p in s.split(","))


def _normalise(df: pd.DataFrame, source: str) -> pd.DataFrame:
    missing = [c for c in ("onset", "review_status") if c not in df.columns]
    if missing:
        raise MovementError(f"{source}: not a decisions table (no {', '.join(missing)} column)")
    out = pd.DataFrame(index=df.index)
    out["onset"] = pd.to_numeric(df["onset"], errors="coerce")
    if out["onset"].isna().any():
        bad = int(np.flatnonzero(out["onset"].isna().to_numpy())[0])
        raise MovementError(f"{source}: row {bad + 1} has no numeric onset")
    onset = out["onset"].to_numpy(dtype=float)
    if not (np.isfinite(onset) & (onset >= 0)).all():
        # (inf or -1 matched no event, and was said as "made on another event")
        bad = int(np.flatnonzero(~(np.isfinite(onset) & (onset >= 0)))[0])
        raise MovementError(
            f"{source}: row {bad + 1}: onset {df['onset'].iloc[bad]!r} is not a time in the "
            "recording (a finite number of seconds >= 0)"
        )
    if "duration" in df.columns:
        out["duration"] = pd.to_numeric(df["duration"], errors="coerce")
        given = [_text(v) is not None for v in df["duration"]]
        dur = out["duration"].to_numpy(dtype=float)
        # a duration given (not empty or n/a) is a finite number >= 0: text read as NaN
        # let a decision apply whatever its event's duration
        wrong = np.asarray(given, dtype=bool) & ~(np.isfinite(dur) & (dur >= 0))
        if wrong.any():
            bad = int(np.flatnonzero(wrong)[0])
            raise MovementError(
                f"{source}: row {bad + 1}: duration {df['duration'].iloc[bad]!r} is not a "
                "number of seconds >= 0 (or n/a)"
            )
    else:
        out["duration"] = np.nan
    for c in ("trial_type", "channel", "reviewer", "comment", "new_trial_type"):
        vals = [_text(v) for v in df[c]] if c in df.columns else [None] * len(df)
        out[c] = pd.Series(vals, index=df.index, dtype=object)
    status = []
    for k, v in enumerate(_text(x) for x in df["review_status"]):
        if v is None:
            status.append(None)
            continue
        s = _ALIASES.get(v.lower())
        if s is None:
            raise MovementError(
                f"{source}: row {k + 1}: review_status {v!r} is not one of {', '.join(STATUSES)}"
            )
        status.append(s)
    out["review_status"] = pd.Series(status, index=df.index, dtype=object)
    relab = out["review_status"] == "relabelled"
    for k in np.flatnonzero(relab.to_numpy()):
        new = out["new_trial_type"].iloc[k]
        if new not in CLASSES:
            raise MovementError(
                f"{source}: row {k + 1} is relabelled but new_trial_type is {new!r}; "
                f"use one of {', '.join(CLASSES)}"
            )
    out.loc[~relab, "new_trial_type"] = None
    return out.loc[:, list(DECISION_COLUMNS)].reset_index(drop=True)


def read_decisions(path: str | Path) -> pd.DataFrame:
    """Read a decisions TSV exported by a report page.

    Parameters
    ----------
    path : str or Path
        ``<stem>_decisions.tsv``: tab-separated, ``n/a`` for missing values, columns
        :data:`DECISION_COLUMNS` (only ``onset`` and ``review_status`` are required).

    Returns
    -------
    DataFrame
        Columns :data:`DECISION_COLUMNS`. ``onset``/``duration`` are floats (s); text
        columns hold str or None; ``review_status`` is one of :data:`STATUSES` (or None
        for a row with a comment only); ``new_trial_type`` is set only for relabelled rows.

    Raises
    ------
    MovementError
        The file cannot be read, lacks ``onset``/``review_status``, has an unknown
        status, or a relabelled row without a valid ``new_trial_type``.

    Examples
    --------
    >>> import io
    >>> text = ("onset\\tduration\\ttrial_type\\tchannel\\treview_status\\treviewer\\tcomment"
    ...         "\\tnew_trial_type\\n1.5\\t0.02\\tother\\tch1\\trelabelled\\tAB\\tn/a"
    ...         "\\tfasciculation-like\\n")
    >>> d = read_decisions(io.StringIO(text))
    >>> d.loc[0, ["review_status", "new_trial_type"]].tolist()
    ['relabelled', 'fasciculation-like']
    """
    source = str(getattr(path, "name", path))
    try:
        # no CSV quoting: the page writes a comment as typed ('"not sure' is text)
        df = pd.read_csv(
            path, sep="\t", dtype=str, keep_default_na=False, na_filter=False,
            quoting=csv.QUOTE_NONE,
        )  # fmt: skip
    except FileNotFoundError:
        raise NoSuchFileError("no such file", source) from None
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise MovementError(f"{source}: cannot read decisions ({exc})") from None
    df.columns = [str(c).strip() for c in df.columns]
    return _normalise(df, source)


def write_decisions(decisions: pd.DataFrame, path: str | Path) -> Path:
    """Write decisions as the TSV a report page exports (atomic; ``n/a`` for missing).

    Parameters
    ----------
    decisions : DataFrame
        With at least ``onset`` and ``review_status``; see :data:`DECISION_COLUMNS`.
    path : str or Path

    Returns
    -------
    Path
    """
    from .output import atomic_write

    d = _normalise(decisions.astype(object), str(path))
    d["onset"] = d["onset"].map(lambda v: f"{v:.6f}")
    d["duration"] = d["duration"].map(lambda v: "n/a" if pd.isna(v) else f"{v:.6f}")
    for c in DECISION_COLUMNS[2:]:
        d[c] = [
            "n/a" if _text(v) is None else re.sub(r"[\t\r\n]+", " ", str(v)).strip() for v in d[c]
        ]
    text = d.to_csv(sep="\t", index=False, lineterminator="\n", quoting=csv.QUOTE_NONE)
    return atomic_write(Path(path), text)


def apply_decisions(
    events: pd.DataFrame, decisions: pd.DataFrame, *, tolerance_s: float = 0.001
) -> pd.DataFrame:
    """Put reviewers' decisions into an events table.

    A decision belongs to the event on the same ``channel`` whose ``onset`` is
    within ``tolerance_s`` (the nearest one when several are); a decision without a
    channel, to the event at that onset on any channel (not applied, with a warning,
    when events on different channels share it). A decision that records the label
    and duration of the event it was made on (as a page's export does) is applied only
    to an event with that label (the model's, before any relabelling) and that duration
    (within ``tolerance_s``): an events table scored again with other settings or
    another model can have another event at that onset. Later decisions for the same
    event override earlier ones.

    Parameters
    ----------
    events : DataFrame
        An events table (:func:`movement.score`, or an ``_events.tsv`` read back).
    decisions : DataFrame
        From :func:`read_decisions` (normalised again here, so a hand-made table
        with ``accept``/``reject``/``relabel`` also works).
    tolerance_s : float
        Largest onset difference for a match, in seconds (default 1 ms).

    Returns
    -------
    DataFrame
        A copy of ``events`` (same rows, order and ``attrs``) with ``review_status``,
        ``reviewer`` and ``comment`` filled for matched events; relabelled events get the
        new ``trial_type`` and keep the model's label in ``original_trial_type`` (None for
        the other rows). Decisions that match no event, or were made on another
        event, are reported with a :class:`UserWarning`.

    Examples
    --------
    >>> ev = pd.DataFrame({"onset": [1.0, 2.0], "duration": [0.02, 3.0], "channel": ["ch1", "ch1"],
    ...                    "trial_type": ["fasciculation-like", "dystonia-like"]})
    >>> dec = pd.DataFrame({"onset": [2.0004], "channel": ["ch1"], "review_status": ["relabel"],
    ...                     "new_trial_type": ["other"]})
    >>> out = apply_decisions(ev, dec)
    >>> out[["trial_type", "original_trial_type", "review_status"]].values.tolist()[1]
    ['other', 'dystonia-like', 'relabelled']
    """
    if "onset" not in events.columns:
        raise MovementError("events table has no 'onset' column")
    dec = _normalise(decisions.astype(object), "decisions")
    out = events.copy()
    out.attrs = dict(events.attrs)
    for c in ("review_status", "reviewer", "comment", "original_trial_type"):
        if c not in out.columns:
            out[c] = pd.Series([None] * len(out), index=out.index, dtype=object)
        else:
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    if "trial_type" in out.columns:
        out["trial_type"] = out["trial_type"].astype(object)
    on = pd.to_numeric(out["onset"], errors="coerce").to_numpy(np.float64)
    ch = (
        np.array([_channel_key(v) for v in out["channel"]], dtype=object)
        if "channel" in out.columns
        else np.full(len(out), "", dtype=object)
    )
    cols = {c: out.columns.get_loc(c) for c in out.columns}
    unmatched: list[str] = []
    ambiguous: list[str] = []
    changed: list[str] = []
    durs = (
        pd.to_numeric(out["duration"], errors="coerce").to_numpy(np.float64)
        if "duration" in out.columns
        else None
    )
    for k in range(len(dec)):
        d = dec.iloc[k]
        if d["review_status"] is None and d["comment"] is None:
            continue
        diff = np.abs(on - float(d["onset"]))
        near = diff <= tolerance_s + 1e-9
        if d["channel"] is None:  # no channel given: the onset alone (unless it is ambiguous)
            cand = np.flatnonzero(near)
            if len({ch[c] for c in cand}) > 1:
                ambiguous.append(f"{float(d['onset']):.3f} s")
                continue
        else:
            cand = np.flatnonzero(near & (ch == _channel_key(d["channel"])))
        if len(cand) == 0:
            unmatched.append(f"{float(d['onset']):.3f} s ({d['channel'] or 'any channel'})")
            continue
        j = int(cand[np.argmin(diff[cand])])
        other = _made_on_another_event(d, out, j, cols, durs, tolerance_s)
        if other:
            changed.append(f"{float(d['onset']):.3f} s ({other})")
            continue
        if d["review_status"] is not None:
            out.iat[j, cols["review_status"]] = d["review_status"]
        out.iat[j, cols["reviewer"]] = d["reviewer"]
        out.iat[j, cols["comment"]] = d["comment"]
        if "trial_type" not in cols:
            continue
        original = out.iat[j, cols["original_trial_type"]]
        if d["review_status"] == "relabelled":
            if original is None:
                out.iat[j, cols["original_trial_type"]] = out.iat[j, cols["trial_type"]]
            out.iat[j, cols["trial_type"]] = d["new_trial_type"]
        elif d["review_status"] is not None and original is not None:
            # a later accept/reject undoes an earlier relabel of the same event
            out.iat[j, cols["trial_type"]] = original
            out.iat[j, cols["original_trial_type"]] = None
    if unmatched:
        shown = ", ".join(unmatched[:5]) + (" ..." if len(unmatched) > 5 else "")
        warnings.warn(
            f"{len(unmatched)} decision(s) match no event within {tolerance_s * 1000:g} ms on "
            f"the same channel: {shown}",
            UserWarning,
            stacklevel=2,
        )
    if changed:
        shown = ", ".join(changed[:5]) + (" ..." if len(changed) > 5 else "")
        warnings.warn(
            f"{len(changed)} decision(s) were made on another event than the one now at that "
            f"onset (scored again with other settings or another model?), and were not "
            f"applied: {shown}",
            UserWarning,
            stacklevel=2,
        )
    if ambiguous:
        shown = ", ".join(ambiguous[:5]) + (" ..." if len(ambiguous) > 5 else "")
        warnings.warn(
            f"{len(ambiguous)} decision(s) without a channel match events on several "
            f"channels at the same onset, and were not applied (give the channel): {shown}",
            UserWarning,
            stacklevel=2,
        )
    return out


def _made_on_another_event(
    d: pd.Series,
    out: pd.DataFrame,
    j: int,
    cols: dict[str, int],
    durs: np.ndarray | None,
    tolerance_s: float,
) -> str | None:
    """How a decision's recorded label / duration differ from event ``j``'s, or None."""
    seen = d["trial_type"]
    if seen is not None and "trial_type" in cols:
        original = out.iat[j, cols["original_trial_type"]]
        now = out.iat[j, cols["trial_type"]]
        unknown = original is None and out.iat[j, cols["review_status"]] == "relabelled"
        model_label = original if original is not None else now
        if not unknown and seen != model_label:  # (relabelled in place: the model's unknown)
            return f"{seen}, now {model_label}"
    dur = d["duration"]
    if durs is not None and dur is not None and np.isfinite(dur) and np.isfinite(durs[j]):
        if abs(durs[j] - float(dur)) > tolerance_s + 1e-5 * abs(float(dur)) + 1e-9:
            return f"{float(dur):.3f} s long, now {durs[j]:.3f} s"
    return None


def previous_review(tsv: str | Path) -> pd.DataFrame:
    """The decisions a reviewer filled into an events table (``review_status``, ``reviewer``
    or ``comment``), as a decisions table; empty when there are none.

    A row relabelled in place (``review_status`` ``relabelled``, the new class in
    ``trial_type``) keeps the model's label when the table has ``original_trial_type``. A
    row whose status or new class is not one this package knows is left out, and said in
    ``attrs["skipped"]`` (the others still count).

    Raises
    ------
    MovementError
        The file is not an events table as ``movement score`` writes it (tab-separated,
        with ``onset`` and ``review_status`` columns): saved with another separator, say.
    """
    from .export import read_bids_events

    tsv = Path(tsv)
    events = read_bids_events(tsv)
    missing = [c for c in ("onset", "review_status") if c not in events.columns]
    if missing:
        raise MovementError(
            f"{tsv}: not a tab-separated events table (no {', '.join(missing)} column; saved "
            "with another separator?)"
        )
    skipped: list[str] = []
    status: list[str | None] = []
    keep = np.ones(len(events), dtype=bool)
    for k, v in enumerate(_text(x) for x in events["review_status"]):
        st = None if v is None else _ALIASES.get(v.lower())
        if v is not None and st is None:
            skipped.append(f"row {k + 1}: review_status {v!r} is not one of {', '.join(STATUSES)}")
            keep[k] = False
        elif st == "relabelled" and _text(events["trial_type"].iloc[k]) not in CLASSES:
            skipped.append(
                f"row {k + 1}: relabelled, but trial_type {events['trial_type'].iloc[k]!r} is "
                f"not one of {', '.join(CLASSES)}"
            )
            keep[k] = False
        status.append(st)
    events = events.assign(review_status=pd.Series(status, index=events.index, dtype=object))
    filled = np.zeros(len(events), dtype=bool)
    for c in ("review_status", "reviewer", "comment"):
        if c in events.columns:
            filled |= np.array([_text(v) is not None for v in events[c]], dtype=bool)
    rows = events[filled & keep]
    dec = pd.DataFrame(index=rows.index)
    for c in DECISION_COLUMNS:
        dec[c] = rows[c].astype(object) if c in rows.columns else None
    relab = (rows["review_status"] == "relabelled").to_numpy(bool)
    if relab.any():
        dec.loc[relab, "new_trial_type"] = rows.loc[relab, "trial_type"].to_numpy(object)
        dec.loc[relab, "trial_type"] = (
            rows.loc[relab, "original_trial_type"].to_numpy(object)
            if "original_trial_type" in rows.columns
            else None
        )
    out = _normalise(dec.reset_index(drop=True), str(tsv))
    out.attrs["skipped"] = skipped
    return out


def _decision_files(decisions_dir: Path) -> dict[str, list[Path]]:
    """Decision files per stem, oldest first (so newer downloads override)."""
    found: dict[str, list[Path]] = {}
    for p in sorted(decisions_dir.glob("*.tsv")):
        m = _DECISIONS_NAME.match(p.name)
        if m:
            found.setdefault(m.group("stem"), []).append(p)
    for files in found.values():
        files.sort(key=lambda q: (q.stat().st_mtime_ns, q.name))
    return found


def _snap_to_table(decisions: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Move decision onsets onto event onsets that are their ``%.6g`` rounding.

    ``_events.tsv`` tables hold 10 significant digits; a table rounded to 6 (by early
    development versions, or by a spreadsheet) has, after 1000 s, onsets more than
    1 ms from the exact onsets a page made from the in-memory events (``movement score
    --report``) exports.
    """
    on = pd.to_numeric(events["onset"], errors="coerce").to_numpy(np.float64)
    if not len(on):
        return decisions
    out = decisions.copy()
    order = np.sort(on)
    for k, v in enumerate(out["onset"].to_numpy(np.float64)):
        r = float(f"{v:.6g}")
        j = int(np.clip(np.searchsorted(order, r), 0, len(order) - 1))
        for cand in (order[j], order[max(j - 1, 0)]):
            if abs(cand - r) <= 1e-9 * max(1.0, abs(r)) and abs(cand - v) > 1e-3:
                out.iat[k, out.columns.get_loc("onset")] = cand
                break
    return out


def _reviewed_in_place(tsv: Path) -> bool:
    """Whether an events table has a ``review_status`` filled in (cheap: that column only)."""
    try:
        col = pd.read_csv(tsv, sep="\t", usecols=["review_status"], dtype=str)["review_status"]
    except (OSError, ValueError):
        return False
    return any(_text(v) is not None for v in col)


def _with_statuses(events: pd.DataFrame, tsv: Path) -> pd.DataFrame:
    """``events`` with its own ``review_status`` normalised (``accept`` -> ``accepted``...);
    an unknown status is an error naming the table and row."""
    if "review_status" not in events.columns:
        return events
    status = []
    for k, v in enumerate(_text(x) for x in events["review_status"]):
        s = None if v is None else _ALIASES.get(v.lower())
        if v is not None and s is None:
            raise MovementError(
                f"{tsv}: row {k + 1}: review_status {v!r} is not one of {', '.join(STATUSES)}"
            )
        if s == "relabelled" and _text(events["trial_type"].iloc[k]) not in CLASSES:
            raise MovementError(
                f"{tsv}: row {k + 1} is relabelled but trial_type is "
                f"{events['trial_type'].iloc[k]!r}; use one of {', '.join(CLASSES)}"
            )
        status.append(s)
    out = events.copy()
    out["review_status"] = pd.Series(status, index=events.index, dtype=object)
    if "original_trial_type" not in out.columns:  # (the model's label is not kept in place)
        out["original_trial_type"] = pd.Series([None] * len(out), index=out.index, dtype=object)
    return out


def reviewed_training_rows(events_dir: str | Path, decisions_dir: str | Path) -> pd.DataFrame:
    """Features and reviewed labels of every reviewed event, for retraining.

    Pairs each ``<stem>_decisions.tsv`` in ``decisions_dir`` (also ``<stem>_decisions
    (1).tsv`` as browsers name repeated downloads; newer files override older ones)
    with ``<stem>_events.tsv`` in ``events_dir`` and applies the decisions. An events
    table whose ``review_status`` column a reviewer filled in place counts as well
    (``accepted``/``rejected``, or ``relabelled`` with the new class in ``trial_type``);
    its decisions file, when there is one, is applied on top.

    Parameters
    ----------
    events_dir : str or Path
        Folder with ``<stem>_events.tsv`` (+ ``.json``) from ``movement score``.
    decisions_dir : str or Path
        Folder with the exported decisions (may be the same folder).

    Returns
    -------
    DataFrame
        One row per reviewed event: ``stem``, ``modality`` and ``units`` (the unit of the
        amplitude features, ``peak_amplitude`` and ``rms``: the recording's; both from the
        events sidecar, None when unknown), ``onset``, ``channel``, ``model_label`` (the
        label the model gave), ``review_status``, ``label`` (accepted → the model's label,
        relabelled → the reviewer's label, rejected → ``other``), then ``duration``,
        ``scale`` and the feature columns present in the events tables
        (:data:`movement.features.FEATURES`), as the tables hold them (amplitudes in
        ``units``: :func:`movement.train.train` takes EMG's to mV).

    Raises
    ------
    MovementError
        A folder does not exist, or a decisions file has no events table.
    """
    import json

    from .export import read_bids_events
    from .features import FEATURES

    ev_dir, dec_dir = Path(events_dir), Path(decisions_dir)
    for d, what in ((ev_dir, "events"), (dec_dir, "decisions")):
        if not d.is_dir():
            raise NoSuchFileError(f"no such {what} folder", str(d))
    lead = [
        "stem", "modality", "units", "onset", "channel", "model_label", "review_status", "label",
    ]  # fmt: skip
    frames = []
    by_stem = _decision_files(dec_dir)
    # events tables whose review_status a reviewer filled in place (no decisions file)
    for tsv in sorted(ev_dir.glob("*_events.tsv")):
        stem = tsv.name[: -len("_events.tsv")]
        if stem not in by_stem and _reviewed_in_place(tsv):
            by_stem[stem] = []
    for stem, files in sorted(by_stem.items()):
        tsv = ev_dir / f"{stem}_events.tsv"
        if not tsv.exists():
            raise MovementError(f"{files[-1]}: no {tsv.name} in {ev_dir}")
        events = read_bids_events(tsv)
        # (an events table without labels, or with an onset that is not a number, failed
        # with an internal KeyError / ValueError)
        missing = [c for c in ("onset", "trial_type") if c not in events.columns]
        if missing:
            raise MovementError(
                f"{tsv}: not an events table as movement score writes it (no "
                f"{', '.join(missing)} column)"
            )
        onsets = pd.to_numeric(events["onset"], errors="coerce").to_numpy(np.float64)
        if not np.isfinite(onsets).all():
            bad = int(np.flatnonzero(~np.isfinite(onsets))[0])
            raise MovementError(f"{tsv}: row {bad + 1} has no numeric onset")
        events = _with_statuses(events.assign(onset=onsets), tsv)
        if "channel" in events.columns:
            events["channel"] = events["channel"].map(lambda v: None if pd.isna(v) else str(v))
        modality = units = None
        side = tsv.with_name(f"{stem}_events.json")
        if side.exists():
            try:
                rec = json.loads(side.read_text()).get("recording") or {}
                modality, units = rec.get("modality"), rec.get("units")
            except (OSError, ValueError, AttributeError):
                modality = units = None
            if not isinstance(units, str):  # (units: the amplitudes' one unit, as text)
                units = None
        for f in files:
            events = apply_decisions(events, _snap_to_table(read_decisions(f), events))
        done = events[events["review_status"].isin(STATUSES)].copy()
        if done.empty:
            continue
        model_label = done["original_trial_type"].where(
            done["original_trial_type"].notna(), done["trial_type"]
        )
        label = done["trial_type"].where(done["review_status"] != "rejected", "other")
        feats = [c for c in ("duration", "scale", *FEATURES) if c in done.columns]
        part = pd.DataFrame(
            {
                "stem": stem,
                "modality": modality,
                "units": units,
                "onset": done["onset"].to_numpy(float),
                "channel": done["channel"].to_numpy(object) if "channel" in done.columns else None,
                "model_label": model_label.to_numpy(object),
                "review_status": done["review_status"].to_numpy(object),
                "label": label.to_numpy(object),
            }
        )
        for c in feats:
            part[c] = done[c].to_numpy()
        frames.append(part)
    if not frames:
        return pd.DataFrame(columns=[*lead, "duration", "scale", *FEATURES])
    return pd.concat(frames, ignore_index=True)
