"""Reviewers' decisions: read the TSV a report page exports and apply it to events.

A report page (:func:`movement.report.write_report`) lets a person accept, reject
or relabel events; its "Export decisions (TSV)" button downloads
``<stem>_decisions.tsv`` with the columns of :data:`DECISION_COLUMNS`. Here those
decisions are read (:func:`read_decisions`), put back into an events table
(:func:`apply_decisions`), carried to the events of a recording scored again
(:func:`carry_review`) and turned into training rows (:func:`reviewed_training_rows`,
for ``movement train --reviewed DIR``).

A decision is about an event: the stretch of signal at its ``onset`` (±1 ms), on its
``channel``, of its ``duration`` (±1 ms). The label it records (``trial_type``: the
model's label when the page was drawn) says what "accept" meant: a decision made when
the model labelled the same event otherwise keeps the reviewer's meaning (an accepted
``X`` is carried as relabelled to ``X``; a relabel to what the model now says is an
accept). Only a decision that records no duration needs its label to match.
"""

from __future__ import annotations

import codecs
import csv
import glob
import io
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
    "previous_review",
    "review_backups",
    "carry_review",
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

#: The classes as :data:`movement.classify.CLASSES` spells them, by their lower case
#: (a spreadsheet capitalises ``Dystonia-like``).
_CLASS_OF = {c.lower(): c for c in CLASSES}

#: The column of an events table holding the model's probability of each class.
P_COLUMNS = {
    "fasciculation-like": "p_fasciculation",
    "dystonia-like": "p_dystonia",
    "other": "p_other",
}

#: ``<stem>_decisions.tsv``, also as browsers rename repeated downloads: ``<stem>_decisions (1).tsv``.
_DECISIONS_NAME = re.compile(r"^(?P<stem>.+)_decisions(?:\s*\(\d+\))?\.tsv$", re.IGNORECASE)

#: A copy of a reviewed events table kept when its recording is scored again.
_BACKUP_NAME = re.compile(r"^(?P<stem>.+)_events_reviewed-(?P<k>\d+)\.tsv$")


def _text(v: Any) -> str | None:
    """A cell as stripped text; missing / empty / ``n/a`` as None."""
    if v is None:
        return None
    if isinstance(v, float) and np.isnan(v):
        return None
    s = str(v).strip()
    return None if s == "" or s.lower() == "n/a" else s


def _class(v: Any) -> str | None:
    """A class name as :data:`~movement.classify.CLASSES` spells it, whatever its case
    (``Dystonia-like`` -> ``dystonia-like``); other text as given, stripped."""
    s = _text(v)
    return None if s is None else _CLASS_OF.get(s.lower(), s)


def _channel_key(v: Any) -> str:
    """Channel text normalised for matching (``"emg1, emg2"`` == ``"emg1,emg2"``)."""
    s = _text(v)
    return "" if s is None else ",".join(p.strip() for p in s.split(","))


def _decoded(data: bytes, source: str) -> str:
    """A table's bytes as text: UTF-8 (with or without a byte-order mark), UTF-16 (as
    Excel's "Unicode Text" saves it, by its byte-order mark), else Windows-1252 (Excel's
    "Text (Tab delimited)" on Windows), said in a :class:`UserWarning` naming the file."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise MovementError(f"{source}: cannot read it as UTF-16 text ({exc})") from None
    elif len(data) >= 4 and data[1] == 0 and data[3] == 0 and data[0] != 0:
        return data.decode("utf-16-le", errors="replace")  # (UTF-16 without its mark)
    elif len(data) >= 4 and data[0] == 0 and data[2] == 0 and data[1] != 0:
        return data.decode("utf-16-be", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        warnings.warn(
            f"{source}: not UTF-8 text; read as Windows-1252 (ANSI, as Excel saves "
            "'Text (Tab delimited)'): check its accented letters, or save it as UTF-8",
            UserWarning,
            stacklevel=3,
        )
        return data.decode("cp1252", errors="replace")


def _table_text(path: str | Path) -> str:
    """The text of a tab-separated table a reviewer may have saved from a spreadsheet
    (see :func:`_decoded`); a missing file is a :class:`~movement.errors.NoSuchFileError`."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise NoSuchFileError("no such file", str(p)) from None
    except OSError as exc:
        raise MovementError(f"{p}: cannot read it ({exc.strerror or exc})") from None
    return _decoded(data, str(p))


def _quoted_header(text: str) -> bool:
    """Whether a table's header has every field in double quotes (R's ``write.table``,
    "quote all text cells" in a spreadsheet): its cells are then CSV-quoted."""
    first = text.split("\n", 1)[0].rstrip("\r")
    fields = first.split("\t")
    return len(fields) > 1 and all(
        len(f.strip()) >= 2 and f.strip()[0] == '"' and f.strip()[-1] == '"' for f in fields
    )


def _other_separator(text: str, columns: list[str]) -> bool:
    """Whether a table read as tab-separated is one column whose header holds another
    separator (a table saved as CSV under a ``.tsv`` name)."""
    first = text.split("\n", 1)[0]
    return len(columns) == 1 and any(s in first for s in (",", ";"))


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
        norm = _class if c in ("trial_type", "new_trial_type") else _text
        vals = [norm(v) for v in df[c]] if c in df.columns else [None] * len(df)
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


def _as_decisions(events: pd.DataFrame) -> pd.DataFrame:
    """An events table reviewed in place (no ``new_trial_type``: a relabelled row holds
    its new class in ``trial_type``, the model's label in ``original_trial_type`` when the
    table has it) in the columns of a decisions table."""
    out = events.astype(object).copy()
    status = [_ALIASES.get((_text(v) or "").lower()) for v in out["review_status"]]
    relab = np.array([s == "relabelled" for s in status], dtype=bool)
    label = out["trial_type"] if "trial_type" in out.columns else pd.Series([None] * len(out))
    model = (
        out["original_trial_type"]
        if "original_trial_type" in out.columns
        else pd.Series([None] * len(out), index=out.index, dtype=object)
    )
    out["new_trial_type"] = pd.Series(
        np.where(relab, label.to_numpy(object), None), index=out.index, dtype=object
    )
    out["trial_type"] = pd.Series(
        np.where(relab, model.to_numpy(object), label.to_numpy(object)),
        index=out.index,
        dtype=object,
    )
    return out


def read_decisions(path: str | Path) -> pd.DataFrame:
    """Read a decisions TSV exported by a report page.

    Also a reviewed events table (``<stem>_events.tsv`` with ``review_status`` filled in,
    or a kept copy ``<stem>_events_reviewed-<k>.tsv``): a relabelled row there holds its
    new class in ``trial_type`` (and the model's label in ``original_trial_type``). As a
    spreadsheet may save it: UTF-8 with or without a byte-order mark, UTF-16 (by its mark)
    or Windows-1252 (ANSI; said in a warning), every field in double quotes (R's
    ``write.table``), class names and statuses in any case (``Dystonia-like``, ``Reject``).

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
        The file cannot be read, lacks ``onset``/``review_status`` (saved with another
        separator, say), has an unknown status, or a relabelled row without a valid
        ``new_trial_type``.

    Examples
    --------
    >>> import io
    >>> text = ("onset\\tduration\\ttrial_type\\tchannel\\treview_status\\treviewer\\tcomment"
    ...         "\\tnew_trial_type\\n1.5\\t0.02\\tother\\tch1\\trelabelled\\tAB\\tn/a"
    ...         "\\tFasciculation-like\\n")
    >>> d = read_decisions(io.StringIO(text))
    >>> d.loc[0, ["review_status", "new_trial_type"]].tolist()
    ['relabelled', 'fasciculation-like']
    """
    source = str(getattr(path, "name", path))
    if hasattr(path, "read"):
        raw = path.read()
        text = _decoded(raw, source) if isinstance(raw, bytes) else str(raw)
    else:
        text = _table_text(path)
    # no CSV quoting: the page writes a comment as typed ('"not sure' is text); a table
    # whose header is quoted throughout was quoted by what saved it
    quoting = csv.QUOTE_MINIMAL if _quoted_header(text) else csv.QUOTE_NONE
    try:
        df = pd.read_csv(
            io.StringIO(text), sep="\t", dtype=str, keep_default_na=False, na_filter=False,
            quoting=quoting,
        )  # fmt: skip
    except pd.errors.EmptyDataError:
        raise MovementError(f"{source}: empty file, not a decisions table") from None
    except (ValueError, pd.errors.ParserError) as exc:
        raise MovementError(f"{source}: cannot read decisions ({exc})") from None
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in ("onset", "review_status") if c not in df.columns]
    if missing and _other_separator(text, list(df.columns)):
        raise MovementError(
            f"{source}: not a tab-separated decisions table (no {', '.join(missing)} column; "
            "saved with another separator?)"
        )
    if not missing and "new_trial_type" not in df.columns and "trial_type" in df.columns:
        df = _as_decisions(df)  # (an events table reviewed in place)
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


class _Events:
    """An events table prepared for matching decisions to its events (:meth:`find`)."""

    def __init__(self, out: pd.DataFrame, tolerance_s: float) -> None:
        self.out = out
        self.tol = tolerance_s
        self.cols = {c: out.columns.get_loc(c) for c in out.columns}
        self.on = pd.to_numeric(out["onset"], errors="coerce").to_numpy(np.float64)
        self.ch = (
            np.array([_channel_key(v) for v in out["channel"]], dtype=object)
            if "channel" in out.columns
            else np.full(len(out), "", dtype=object)
        )
        self.durs = (
            pd.to_numeric(out["duration"], errors="coerce").to_numpy(np.float64)
            if "duration" in out.columns
            else None
        )

    def cell(self, j: int, c: str) -> Any:
        return self.out.iat[j, self.cols[c]] if c in self.cols else None

    def labels(self, j: int) -> tuple[str | None, str | None]:
        """Event ``j``'s model label (None when unknown: relabelled in place without
        ``original_trial_type``) and its label now."""
        now = _class(self.cell(j, "trial_type"))
        original = _class(self.cell(j, "original_trial_type"))
        if original is not None:
            return original, now
        if _ALIASES.get((_text(self.cell(j, "review_status")) or "").lower()) == "relabelled":
            return None, now
        return now, now

    def find(self, d: pd.Series) -> tuple[int | None, str, str]:
        """The event decision ``d`` belongs to, or None with why not (``unmatched``,
        ``ambiguous``, ``changed``) and a text naming the decision."""
        at = f"{float(d['onset']):.3f} s"
        diff = np.abs(self.on - float(d["onset"]))
        near = diff <= self.tol + 1e-9
        if d["channel"] is None:  # no channel given: the onset alone (unless it is ambiguous)
            cand = np.flatnonzero(near)
            if len({self.ch[c] for c in cand}) > 1:
                return None, "ambiguous", at
        else:
            cand = np.flatnonzero(near & (self.ch == _channel_key(d["channel"])))
        if len(cand) == 0:
            return None, "unmatched", f"{at} ({d['channel'] or 'any channel'})"
        j = int(cand[np.argmin(diff[cand])])
        other = _made_on_another_event(d, self, j)
        if other:
            return None, "changed", f"{at} ({other})"
        return j, "", at


def _made_on_another_event(d: pd.Series, ev: _Events, j: int) -> str | None:
    """How the event a decision was made on differs from event ``j`` (the one at its onset
    on its channel), or None when they are the same event.

    The same event is the same stretch of signal: onset, channel and duration (each within
    the tolerance). The label a decision records is the model's label when it was made: a
    model trained since, or other settings, may label the same event otherwise, and the
    decision still holds (:func:`_meaning` says what it means now). Only a decision that
    records no duration (hand-made) needs its label to be the event's (the model's, or its
    label now), as the one sign left that it is the same event."""
    dur = d["duration"]
    durs = ev.durs
    if durs is not None and dur is not None and np.isfinite(dur) and np.isfinite(durs[j]):
        if abs(durs[j] - float(dur)) > ev.tol + 1e-5 * abs(float(dur)) + 1e-9:
            return f"{float(dur):.3f} s long, now {durs[j]:.3f} s"
        return None
    seen = d["trial_type"]
    if seen is not None and "trial_type" in ev.cols:
        model, now = ev.labels(j)
        if model is not None and seen not in (model, now):
            return f"{seen}, now {model}"
    return None


def _meaning(
    d: pd.Series, model: str | None, now: str | None
) -> tuple[str | None, str | None, str | None]:
    """A decision's status and new class for an event the model labels ``model`` (and that
    is labelled ``now``), and a note when the model labelled it otherwise when the decision
    was made.

    An accept says the label the reviewer saw is right. When the model now says another,
    the reviewer's label is carried as a relabel to it; a relabel to what the model now
    says is an accept; a reject is a reject. (A decision recording the event's label now,
    a reviewer's relabel a page of an earlier version showed, means the same, unsaid.)"""
    status, new, seen = d["review_status"], d["new_trial_type"], d["trial_type"]
    if status == "relabelled" and model is not None and new == model and seen in (None, model):
        return "accepted", None, None  # (a relabel to the model's own label)
    if status is None or model is None or seen is None or seen == model:
        return status, new, None
    quiet = seen == now
    if status == "accepted":
        note = f"accepted {seen}, now {model}: relabelled {seen}"
        return "relabelled", seen, None if quiet else note
    if status == "relabelled" and new == model:
        note = f"relabelled {seen} -> {new}, which the model now says: accepted"
        return "accepted", None, None if quiet else note
    return status, new, None


def _merged_comment(
    old: str | None, new: str | None, old_by: str | None, new_by: str | None
) -> str | None:
    """An event's comment after a later decision's: an empty one keeps the earlier (named
    ``Smith: earlier`` when another reviewer decides now); one that holds the earlier (the
    page shows it to edit) or equals it replaces it; another one is added after it
    (``earlier; later``; ``Smith: earlier; Jones: later`` when two reviewers wrote them)."""
    if new is None or new == old:  # (kept; named when another reviewer's decision follows it)
        named = old and old_by and new_by and new_by != old_by and not old.startswith(f"{old_by}: ")
        return f"{old_by}: {old}" if named else old
    if old is None or old in new:
        return new
    if new in old:
        return old  # (applied again: already there)
    if new_by and old_by and new_by != old_by:
        first = old if old.startswith(f"{old_by}: ") else f"{old_by}: {old}"
        return f"{first}; {new_by}: {new}"
    return f"{old}; {new}"


def _set_probability(ev: _Events, j: int, label: str | None) -> None:
    """``probability``: the model's probability of ``label`` (its ``p_`` column), n/a
    when the table has none for it."""
    if "probability" not in ev.cols:
        return
    col = P_COLUMNS.get(label or "")
    p = pd.to_numeric(ev.cell(j, col), errors="coerce") if col in ev.cols else np.nan
    ev.out.iat[j, ev.cols["probability"]] = float(p) if np.isfinite(p) else np.nan


def _reasons(said: dict[str, list[str]], tolerance_s: float) -> list[str]:
    """What was said about decisions (:meth:`_Events.find`'s why, and ``meant``: applied as
    they meant), as sentences."""
    texts = {
        "unmatched": f"{{n}} decision(s) match no event within {tolerance_s * 1000:g} ms on "
        "the same channel: ",
        "changed": "{n} decision(s) were made on another event than the one now at that "
        "onset (scored again with other settings?), and were not applied: ",
        "ambiguous": "{n} decision(s) without a channel match events on several channels at "
        "the same onset, and were not applied (give the channel): ",
        "meant": "{n} decision(s) were made when the model labelled the event otherwise "
        "(another model or settings since), and were applied as the reviewer's label: ",
    }
    out = []
    for why, text in texts.items():
        items = said.get(why) or []
        if items:
            shown = ", ".join(items[:5]) + (" ..." if len(items) > 5 else "")
            out.append(text.format(n=len(items)) + shown)
    return out


#: What :func:`_reasons` says of decisions that were not applied: the sentence's start
#: -> its short form (``1 decision(s) match no event``).
_NOT_APPLIED = {
    "match no event": "match no event",
    "were made on another event": "were made on another event",
    "without a channel match events on several channels": "match events on several channels",
}


def not_applied(notes: list[str]) -> dict[str, int]:
    """How many decisions the warnings of :func:`apply_decisions` (``notes``, their texts)
    say were not applied, by why (:data:`_NOT_APPLIED`'s short forms; those applied as
    the reviewer meant them are not counted)."""
    counts: dict[str, int] = {}
    for note in notes:
        m = re.match(r"^(?:.*?: )?(\d+) decision\(s\) (.*)$", note)
        if not m:
            continue
        for start, short in _NOT_APPLIED.items():
            if m.group(2).startswith(start):
                counts[short] = counts.get(short, 0) + int(m.group(1))
    return counts


def _prepared(events: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``events`` (its ``attrs`` too) with the review columns decisions fill."""
    if "onset" not in events.columns:
        raise MovementError("events table has no 'onset' column")
    out = events.copy()
    out.attrs = dict(events.attrs)
    for c in ("review_status", "reviewer", "comment", "original_trial_type"):
        if c not in out.columns:
            out[c] = pd.Series([None] * len(out), index=out.index, dtype=object)
        else:
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    if "trial_type" in out.columns:
        out["trial_type"] = out["trial_type"].astype(object)
    if "probability" in out.columns:
        out["probability"] = pd.to_numeric(out["probability"], errors="coerce").astype(float)
    return out


def apply_decisions(
    events: pd.DataFrame, decisions: pd.DataFrame, *, tolerance_s: float = 0.001
) -> pd.DataFrame:
    """Put reviewers' decisions into an events table.

    A decision belongs to the event on the same ``channel`` whose ``onset`` is within
    ``tolerance_s`` (the nearest one when several are) and whose ``duration`` is the one
    the decision records (within ``tolerance_s``); a decision without a channel, to the
    event at that onset on any channel (not applied, with a warning, when events on
    different channels share it). An events table scored again with other settings can
    have another event at that onset: one of another duration is another event, and such
    decisions are not applied (said in a warning). A decision that records no duration
    applies only to an event with the label it records (the model's, or the event's now).

    The label a decision records (``trial_type``, the model's label when it was made) says
    what it meant: a model trained since may label the same event otherwise, and then an
    accepted ``X`` is applied as relabelled to ``X`` (the reviewer says ``X``), and a relabel
    to what the model now says as accepted (both said in a warning).

    Later decisions for the same event override earlier ones: a later accept or reject
    undoes an earlier relabel. Their comments are kept: a later comment that is empty
    keeps the earlier one, one that holds it (a page shows the earlier comment to edit)
    replaces it, and another one is added after it (``Smith: held wrist; Jones: artefact``
    when two reviewers wrote them). A decision without a reviewer keeps the event's.

    A relabelled event's ``probability`` is the model's probability of its new class (its
    ``p_`` column; n/a when the table has none), as for every event the probability of its
    ``trial_type``; the model's probability of its own label stays in that label's ``p_``
    column.

    Parameters
    ----------
    events : DataFrame
        An events table (:func:`movement.score`, or an ``_events.tsv`` read back).
    decisions : DataFrame
        From :func:`read_decisions` (normalised again here, so a hand-made table
        with ``accept``/``reject``/``relabel`` also works).
    tolerance_s : float
        Largest onset (and duration) difference for a match, in seconds (default 1 ms).

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
    out = _prepared(events)
    dec = _normalise(decisions.astype(object), "decisions")
    ev = _Events(out, tolerance_s)
    cols = ev.cols
    said: dict[str, list[str]] = {"unmatched": [], "ambiguous": [], "changed": [], "meant": []}
    for k in range(len(dec)):
        d = dec.iloc[k]
        if d["review_status"] is None and d["comment"] is None:
            continue
        j, why, what = ev.find(d)
        if j is None:
            said[why].append(what)
            continue
        model, now = ev.labels(j) if "trial_type" in cols else (None, None)
        status, new, note = _meaning(d, model, now)
        if note:
            said["meant"].append(f"{what} ({note})")
        old_by = _text(out.iat[j, cols["reviewer"]])
        if status is not None:
            out.iat[j, cols["review_status"]] = status
        if d["reviewer"] is not None:
            out.iat[j, cols["reviewer"]] = d["reviewer"]
        out.iat[j, cols["comment"]] = _merged_comment(
            _text(out.iat[j, cols["comment"]]), d["comment"], old_by, d["reviewer"]
        )
        if "trial_type" not in cols or status is None:
            continue
        original = _class(out.iat[j, cols["original_trial_type"]])
        if status == "relabelled":
            if original is None and model is not None:
                out.iat[j, cols["original_trial_type"]] = model
            out.iat[j, cols["trial_type"]] = new
            _set_probability(ev, j, new)
        elif original is not None:
            # a later accept/reject undoes an earlier relabel of the same event
            out.iat[j, cols["trial_type"]] = original
            out.iat[j, cols["original_trial_type"]] = None
            _set_probability(ev, j, original)
    for text in _reasons(said, tolerance_s):
        warnings.warn(text, UserWarning, stacklevel=2)
    return out


def _read_events_table(tsv: Path) -> pd.DataFrame:
    """An events table as :func:`movement.export.read_bids_events` reads it (text columns
    as text, ``n/a`` missing, its sidecar's provenance in ``attrs``), also as a spreadsheet
    may have saved it (:func:`_decoded`: UTF-16, Windows-1252) and a kept copy
    ``<stem>_events_reviewed-<k>.tsv`` (read as itself; the sidecar beside it is the
    newer table's, so its ``attrs`` are left out)."""
    from .export import _TEXT, NA, _sidecar_attrs, typed_events_columns

    tsv = Path(tsv)
    text = _table_text(tsv)
    try:
        df = pd.read_csv(
            io.StringIO(text), sep="\t", na_values=[NA], keep_default_na=False,
            dtype=dict.fromkeys(_TEXT, str),
        )  # fmt: skip
    except pd.errors.EmptyDataError:
        raise MovementError(f"{tsv}: empty file, not an events table") from None
    except (ValueError, pd.errors.ParserError) as exc:
        raise MovementError(f"{tsv}: cannot read it as an events table ({exc})") from None
    df.columns = [str(c).strip() for c in df.columns]
    df = typed_events_columns(df)
    if tsv.name.endswith("_events.tsv"):
        df.attrs.update(_sidecar_attrs(tsv.with_name(tsv.name[: -len(".tsv")] + ".json")))
    df.attrs["events_file"] = str(tsv)
    return df


def previous_review(tsv: str | Path) -> pd.DataFrame:
    """The decisions a reviewer filled into an events table (``review_status``, ``reviewer``
    or ``comment``), as a decisions table; empty when there are none.

    ``tsv``: a ``<stem>_events.tsv``, or a kept copy ``<stem>_events_reviewed-<k>.tsv``, in
    UTF-8, UTF-16 or Windows-1252 (:func:`read_decisions` says how). A row relabelled in
    place (``review_status`` ``relabelled``, the new class in ``trial_type``, in any case)
    keeps the model's label when the table has ``original_trial_type``. A row whose status
    or new class is not one this package knows is left out, and said in
    ``attrs["skipped"]`` (the others still count).

    Raises
    ------
    MovementError
        The file is not an events table as ``movement score`` writes it (tab-separated,
        with an ``onset`` column): saved with another separator, say.
    """
    tsv = Path(tsv)
    events = _read_events_table(tsv)
    if "onset" not in events.columns:
        missing = ", ".join(c for c in ("onset", "review_status") if c not in events.columns)
        raise MovementError(
            f"{tsv}: not a tab-separated events table (no {missing} column; saved "
            "with another separator?)"
        )
    if "review_status" not in events.columns:  # (a table written without review columns)
        events = events.assign(review_status=None)
    skipped: list[str] = []
    status: list[str | None] = []
    keep = np.ones(len(events), dtype=bool)
    labels = (
        events["trial_type"] if "trial_type" in events.columns else pd.Series([None] * len(events))
    )
    for k, v in enumerate(_text(x) for x in events["review_status"]):
        st = None if v is None else _ALIASES.get(v.lower())
        if v is not None and st is None:
            skipped.append(f"row {k + 1}: review_status {v!r} is not one of {', '.join(STATUSES)}")
            keep[k] = False
        elif st == "relabelled" and _class(labels.iloc[k]) not in CLASSES:
            skipped.append(
                f"row {k + 1}: relabelled, but trial_type {labels.iloc[k]!r} is "
                f"not one of {', '.join(CLASSES)}"
            )
            keep[k] = False
        status.append(st)
    events = events.assign(review_status=pd.Series(status, index=events.index, dtype=object))
    filled = np.zeros(len(events), dtype=bool)
    for c in ("review_status", "reviewer", "comment"):
        if c in events.columns:
            filled |= np.array([_text(v) is not None for v in events[c]], dtype=bool)
    rows = _as_decisions(events[filled & keep])
    dec = pd.DataFrame(index=rows.index)
    for c in DECISION_COLUMNS:
        dec[c] = rows[c].astype(object) if c in rows.columns else None
    out = _normalise(dec.reset_index(drop=True), str(tsv))
    out.attrs["skipped"] = skipped
    return out


def review_backups(tsv: str | Path) -> list[Path]:
    """The copies ``<stem>_events_reviewed-<k>.tsv`` kept beside ``<stem>_events.tsv`` when
    its recording was scored again (each a reviewed table it replaced), newest (highest
    ``k``) first."""
    tsv = Path(tsv)
    if not tsv.name.endswith("_events.tsv"):
        return []
    stem = tsv.name[: -len("_events.tsv")]
    found = []
    try:
        names = list(tsv.parent.glob(f"{glob.escape(stem)}_events_reviewed-*.tsv"))
    except OSError:
        return []
    for p in names:
        m = _BACKUP_NAME.match(p.name)
        if m and m.group("stem") == stem and p.is_file():
            found.append((int(m.group("k")), p))
    return [p for _, p in sorted(found, reverse=True)]


def carry_review(
    events: pd.DataFrame, tsv: str | Path, *, tolerance_s: float = 0.001
) -> tuple[pd.DataFrame, str | None]:
    """The review of a recording's earlier events put into its new events (scored again).

    The earlier reviews are the events table ``tsv`` being replaced and the copies of
    earlier reviewed tables kept beside it (:func:`review_backups`). Each new event gets
    the decision of the newest of them that has one for the same event (onset, channel and
    duration: :func:`apply_decisions`, which also says what a decision made when the model
    labelled the event otherwise means): scored with other settings, then with the first
    ones again, the events come back, and so do their decisions.

    Parameters
    ----------
    events : DataFrame
        The new events table.
    tsv : str or Path
        The ``<stem>_events.tsv`` they replace (it may be gone: its copies still count).
    tolerance_s : float
        As :func:`apply_decisions`'.

    Returns
    -------
    (DataFrame, str or None)
        ``events`` with the decisions applied (a copy), and one sentence saying how many of
        the replaced table's decisions were carried over (why the others were not) and how
        many came from the kept copies; ``(events, None)`` when the replaced table holds no
        review and no kept copy a decision for the new events.
    """
    tsv = Path(tsv)
    tables = ([tsv] if tsv.is_file() else []) + review_backups(tsv)
    ev = _Events(_prepared(events), tolerance_s)
    taken: dict[int, pd.Series] = {}
    parts: list[str] = []
    earlier: list[tuple[str, int]] = []
    for t in tables:
        try:
            dec = previous_review(t)
        except MovementError as exc:  # (a kept copy unreadable was said when it was kept)
            if t == tsv:
                parts.append(f"{t.name} not read ({str(exc).replace(f'{t}: ', '')})")
            continue
        skipped = list(dec.attrs.get("skipped", []))
        said: dict[str, list[str]] = {"unmatched": [], "changed": [], "ambiguous": []}
        n = 0
        for k in range(len(dec)):
            d = dec.iloc[k]
            j, why, what = ev.find(d)
            if j is None:
                said[why].append(what)
            elif j not in taken or t == tsv:  # (else a newer review decided it)
                taken[j] = d  # (two decisions of one table on one event: the later)
                n += 1
        total = len(dec) + len(skipped)
        if t == tsv and total:
            why_not = "; ".join([*_reasons(said, tolerance_s), *skipped])
            parts.insert(
                0,
                f"the review in the previous {tsv.name} was carried over to the new "
                f"events: {n} of {total} decision(s)"
                + (f" ({why_not})" if n < total and why_not else ""),
            )
        elif t != tsv and n:
            earlier.append((t.name, n))
    if earlier:
        parts.append(
            f"{sum(n for _, n in earlier)} "
            + ("more " if parts else "")
            + "decision(s) of earlier reviews kept beside it were carried over to the new "
            f"events ({', '.join(f'{name}: {n}' for name, n in earlier)})"
        )
    if not parts:
        return events, None
    if not taken:
        return ev.out, "; ".join(parts)
    chosen = pd.DataFrame([taken[j] for j in sorted(taken)]).reset_index(drop=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always", UserWarning)
        out = apply_decisions(events, chosen, tolerance_s=tolerance_s)
    parts.extend(str(x.message) for x in w)
    return out, "; ".join(parts)


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
    """Whether an events table has a ``review_status`` filled in (cheap: that column only;
    in any encoding :func:`_decoded` reads, with a warning for Windows-1252)."""
    try:
        text = _table_text(tsv)
        quoting = csv.QUOTE_MINIMAL if _quoted_header(text) else csv.QUOTE_NONE
        col = pd.read_csv(
            io.StringIO(text), sep="\t", usecols=["review_status"], dtype=str, quoting=quoting
        )["review_status"]
    except (MovementError, ValueError):
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
        if s == "relabelled" and _class(events["trial_type"].iloc[k]) not in CLASSES:
            raise MovementError(
                f"{tsv}: row {k + 1} is relabelled but trial_type is "
                f"{events['trial_type'].iloc[k]!r}; use one of {', '.join(CLASSES)}"
            )
        status.append(s)
    out = events.copy()
    out["review_status"] = pd.Series(status, index=events.index, dtype=object)
    for c in ("trial_type", "original_trial_type"):  # (Dystonia-like, as a spreadsheet typed it)
        if c in out.columns:
            out[c] = pd.Series([_class(v) for v in out[c]], index=out.index, dtype=object)
    if "original_trial_type" not in out.columns:  # (the model's label is not kept in place)
        out["original_trial_type"] = pd.Series([None] * len(out), index=out.index, dtype=object)
    return out


def reviewed_training_rows(events_dir: str | Path, decisions_dir: str | Path) -> pd.DataFrame:
    """Features and reviewed labels of every reviewed event, for retraining.

    Pairs each ``<stem>_decisions.tsv`` in ``decisions_dir`` (also ``<stem>_decisions
    (1).tsv`` as browsers name repeated downloads; newer files override older ones)
    with ``<stem>_events.tsv`` in ``events_dir`` and applies the decisions. An events
    table whose ``review_status`` column a reviewer filled in place counts as well
    (``accepted``/``rejected``, or ``relabelled`` with the new class in ``trial_type``;
    statuses and classes in any case, the table in UTF-8, UTF-16 or Windows-1252); its
    decisions file, when there is one, is applied on top.

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
        events = _read_events_table(tsv)
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
