"""``movement info``: what a recording file holds, without running the pipeline.

:func:`info` reads the file with :func:`movement.read` (whole, for now) and returns a
plain dict; :func:`cli_configure` / :func:`cli_run` are the command-line hooks that
``movement.cli`` wires in as ``movement info FILE... [--json]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path
from typing import Any

from ..errors import MovementError, UnresolvedError
from . import READERS, format_for, suffix_of
from .hdf5 import is_hdf5

#: How many annotations :func:`info` lists (all are counted).
N_FIRST_ANNOTATIONS = 5


#: Formats described from their header and a sample of rows (the windowed readers of
#: :mod:`movement.stream`), their missing samples counted in one pass in chunks: a week of
#: 100 Hz ``.npy`` in 3.3 s and 0.22 GB (imports included), not 13 s and 5 GB. Tables:
#: below.
_HEADER_ONLY = {".npy", ".edf", ".hea", ".h5", ".hdf5", ".mat"}  # (.mat: v7.3, HDF5)
#: Tables described in chunks when ``movement score`` would stream them (256 MiB of samples
#: and more): two passes in bounded memory instead of a whole read (a 36 h Parquet file took
#: 1.75 GB); a table the windowed reader cannot take (a time column that goes back, or
#: writes its dates two ways) is still read whole.
_TABLES = {".csv", ".tsv", ".parquet", ".pq"}
#: Device files described in pieces when ``movement score`` would stream them (3 windows and
#: more: a day of 100 Hz): their decoding passes in bounded memory, not a whole read (a day
#: of a ``.cwa`` read whole held 2 GB)
_DEVICES = {".cwa", ".bin", ".gt3x"}


#: What :func:`info` assumes to describe a file whose rate or modality it cannot tell
#: (reported as unknown): a rate of 1 Hz counts the samples; EMG leaves the values as stored.
_PLACEHOLDER = {"fs": 1.0, "modality": "emg"}

#: What to give for each unknown, in :func:`format_info`.
_NEEDS = {
    "fs": "give --fs HZ, a sidecar JSON with SamplingFrequency, or a time column",
    "modality": "give --modality accel|emg, or a sidecar JSON with Modality",
}


def info(path: str | Path, **read_kwargs: Any) -> dict[str, Any]:
    """Describe a recording file.

    A file whose sampling rate or modality is neither given nor stated in it (a plain
    table without a sidecar) is still described: those fields are ``None`` and
    ``unresolved`` names them, so that ``movement info`` says what to give before
    ``movement score`` is run.

    Parameters
    ----------
    path : str or Path
        The recording.
    **read_kwargs
        Passed to :func:`movement.read` (``fs``, ``modality``, ``channels``, ``units``,
        ``format``).

    Returns
    -------
    dict
        ``file``, ``format`` (reader description), ``suffix``, ``fs``, ``n_channels``,
        ``channels``, ``units``, ``modality``, ``n_samples``, ``duration_s``, ``start``
        (ISO text or None), ``n_annotations``, ``annotations`` (the first few as dicts
        with ``onset``, ``duration``, ``description``), ``notes`` (what the reader
        decided), ``warnings`` (messages issued while reading) and ``unresolved`` (``"fs"``
        and/or ``"modality"``: what the file does not say; ``fs``/``duration_s`` or
        ``modality``/``units`` are then ``None``) and ``missing`` (its missing samples:
        ``samples``, ``runs``, ``longest_s``, ``dropouts`` short enough to bridge,
        ``pieces``; a long file described from its header is read once in chunks for
        them).

    Raises
    ------
    MovementError
        The file cannot be read (a one-line message).

    Examples
    --------
    >>> from movement.io.info import info
    >>> info("emg_healthy.hea")["fs"]  # doctest: +SKIP
    4000.0
    >>> info("S01R02.txt")["unresolved"]  # doctest: +SKIP
    ['modality']
    """
    p = Path(path)
    kwargs = dict(read_kwargs)
    unresolved: list[str] = []
    while True:  # at most once per unknown (rate, then modality)
        try:
            rec, anns, caught, scanned = _read_header(p, kwargs)
            break
        except UnresolvedError as exc:
            if exc.missing not in _PLACEHOLDER or exc.missing in unresolved:
                raise
            unresolved.append(exc.missing)
            kwargs[exc.missing] = _PLACEHOLDER[exc.missing]
    suffix = (kwargs.get("format") or suffix_of(p)).lower()
    if suffix and not suffix.startswith("."):
        suffix = "." + suffix
    reader = READERS.get(suffix)
    n_ann = 0 if anns is None else len(anns)
    first: list[dict[str, Any]] = []
    if n_ann:
        for row in anns.head(N_FIRST_ANNOTATIONS).itertuples(index=False):
            first.append(
                {
                    "onset": float(row.onset),
                    "duration": float(row.duration) if row.duration == row.duration else None,
                    "description": str(row.description),
                }
            )
    notes = {str(k): _plain(v) for k, v in rec.notes.items()}
    for what in unresolved:  # (the placeholders' notes say nothing about the file)
        notes.pop({"fs": "fs_from", "modality": "modality_from"}[what], None)
    known_fs = "fs" not in unresolved
    known_mod = "modality" not in unresolved
    from ..recording import Recording, nan_runs, pieces_between

    if isinstance(rec, Recording):
        runs, pieces = nan_runs(rec.gaps), rec.pieces
    else:  # a long file's header, and the runs one pass found
        runs = scanned
        pieces = pieces_between(runs, rec.n_samples, rec.fs)
    missing = _missing(runs, pieces, rec, known_fs, known_mod)
    return {
        "file": str(p),
        "format": reader.description if reader else suffix,
        "suffix": suffix,
        "fs": float(rec.fs) if known_fs else None,
        "n_channels": len(rec.channels),
        "channels": list(rec.channels),
        # (without a modality the values are as stored: a unit only if the file declares one)
        "units": rec.units if known_mod or rec.units != "a.u." else None,
        "modality": rec.modality if known_mod else None,
        "n_samples": int(rec.n_samples),
        "duration_s": float(rec.n_samples / rec.fs) if known_fs else None,
        "start": rec.start.isoformat() if rec.start is not None else None,
        "n_annotations": n_ann,
        "annotations": first,
        "notes": notes,
        # what the readers report (truncation...), not library deprecation noise
        "warnings": [str(w.message) for w in caught if issubclass(w.category, UserWarning)],
        "unresolved": unresolved,
        "missing": missing,
    }


def _missing(runs: Any, pieces: Any, rec: Any, known_fs: bool, known_mod: bool) -> dict[str, Any]:
    """The recording's missing samples (``runs``: [start, stop) rows where any channel is
    missing; ``pieces``: the stretches scored apart, between gaps over 60 s):
    ``samples``, ``runs``, ``longest_s`` and, with its rate and modality known,
    ``dropouts`` (runs the modality's default ``bridge_gap_s`` bridges) and ``pieces``."""
    import numpy as np

    from ..config import Settings
    from ..recording import bridge_rows

    length = runs[:, 1] - runs[:, 0]
    out: dict[str, Any] = {"samples": int(length.sum()), "runs": int(len(runs))}
    if known_fs:
        out["longest_s"] = round(float(length.max()) / rec.fs, 6) if len(runs) else 0.0
        out["pieces"] = int(len(pieces))
        if known_mod:
            cfg = Settings().for_modality(rec.modality)
            limit = bridge_rows(getattr(cfg, "bridge_gap_s", None), rec.fs)
            out["dropouts"] = int(np.count_nonzero(length <= limit)) if limit else 0
    return out


def _read_header(p: Path, kwargs: dict[str, Any]) -> tuple[Any, Any, list[Any], Any]:
    """The recording (or, for long formats, its header) and annotations of ``p``, the
    warnings issued while reading, and (for long formats) its runs of missing rows."""
    from . import read

    suffix = (kwargs.get("format") or suffix_of(p)).lower()
    if suffix and not suffix.startswith("."):
        suffix = "." + suffix
    lazy = (
        not kwargs.get("format")
        and suffix in _HEADER_ONLY
        and (suffix != ".mat" or (p.is_file() and is_hdf5(p)))
    )
    if not lazy and not kwargs.get("format") and suffix in _TABLES and p.is_file():
        from ..batch import STREAM_BYTES, _decoded_bytes

        lazy = _decoded_bytes(p) >= STREAM_BYTES
    if not lazy and not kwargs.get("format") and suffix in _DEVICES and p.is_file():
        from ..batch import is_streamed

        lazy = is_streamed(p, fs=kwargs.get("fs"), modality=kwargs.get("modality"),
                           channels=kwargs.get("channels"))  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if lazy:  # a long file: its header and a sample of rows, not all its samples
            from ..stream import _NotStreamable, described

            try:
                # its missing samples too, from one pass in chunks (memory-mapped, or a
                # table's first pass)
                rec, anns, runs = described(p, **kwargs)
            except _NotStreamable:  # (a time column that goes back...: read whole)
                caught.clear()
                rec = read(p, **kwargs)
                return rec, rec.annotations, list(caught), None
        else:
            rec = read(p, **kwargs)
            anns, runs = rec.annotations, None
    return rec, anns, list(caught), runs


def _plain(value: Any) -> Any:
    """Notes as JSON-friendly values."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def _duration_text(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min ({seconds:.0f} s)"
    return f"{seconds / 3600:.2f} h ({seconds:.0f} s)"


def format_info(d: dict[str, Any]) -> str:
    """A readable, multi-line block for one :func:`info` dict."""
    chans = ", ".join(d["channels"])
    if len(chans) > 80:
        chans = chans[:77] + "..."
    rate = "unknown: " + _NEEDS["fs"] if d["fs"] is None else f"{d['fs']:g} Hz"
    dur = "unknown" if d["duration_s"] is None else _duration_text(d["duration_s"])
    lines = [
        f"{d['file']}",
        f"  format      {d['format']}",
        f"  modality    {d['modality'] or 'unknown: ' + _NEEDS['modality']}",
        f"  rate        {rate}",
        f"  channels    {d['n_channels']}: {chans}",
        f"  units       {d['units'] or 'as stored (not stated in the file)'}",
        f"  samples     {d['n_samples']}",
        f"  duration    {dur}",
        f"  start       {d['start'] or 'unknown'}",
        f"  annotations {d['n_annotations']}",
    ]
    for a in d["annotations"]:
        dur = f" ({a['duration']:g} s)" if a["duration"] else ""
        lines.append(f"    {a['onset']:10.3f} s{dur}  {a['description']}")
    if d["n_annotations"] > len(d["annotations"]):
        lines.append(f"    ... {d['n_annotations'] - len(d['annotations'])} more")
    m = d.get("missing")
    if not m["runs"]:
        lines.append("  missing     none")
    else:
        text = f"{m['samples']} sample(s) in {m['runs']} run(s)"
        if "longest_s" in m:
            text += f", the longest {m['longest_s']:g} s"
        if "dropouts" in m:
            text += f"; {m['dropouts']} dropout(s) short enough to bridge (bridge_gap_s)"
        if m.get("pieces", 1) > 1:
            text += f"; {m['pieces']} pieces between gaps over 60 s"
        lines.append(f"  missing     {text}")
    for k, v in d["notes"].items():
        lines.append(f"  note        {k}: {v}")
    for w in d["warnings"]:
        lines.append(f"  WARNING     {w}")
    return "\n".join(lines)


def modality_arg(text: str) -> str:
    """``--modality`` as ``"accel"`` or ``"emg"``: any spelling a sidecar's ``Modality`` may
    use (:func:`movement.recording.normalise_modality`), else a usage error (exit code 2).

    Examples
    --------
    >>> modality_arg("EMG"), modality_arg("accelerometer")
    ('emg', 'accel')
    """
    from ..recording import modality_words, normalise_modality

    mod = normalise_modality(text)
    if mod is None:
        raise argparse.ArgumentTypeError(f"must be accel or emg ({modality_words()}), got {text!r}")
    return mod


def cli_configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``movement info`` arguments: ``FILE...``, ``--json`` and the reading options
    of ``movement score`` (``--fs``, ``--modality``, ``--channels``)."""
    parser.add_argument("files", nargs="+", metavar="FILE", help="recording file(s) to describe")
    parser.add_argument(
        "--modality",
        type=modality_arg,
        metavar="{accel,emg}",
        help="modality of every file (default: from sidecar / header / channel names); a "
        "sidecar's spellings are taken too (EMG, sEMG, accelerometer...)",
    )
    parser.add_argument(
        "--fs",
        type=float,
        metavar="HZ",
        help="sampling rate of every file (default: sidecar, header or time column)",
    )
    parser.add_argument(
        "--channels",
        metavar="LIST",
        help="comma-separated channel names or 0-based indices to keep, as in movement score",
    )
    parser.add_argument(
        "--format",
        metavar="EXT",
        help="read files whose extension is no known type as this type (e.g. txt for a "
        "table saved as .rit, .asc or .dat)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print a JSON list (one object per file) instead"
    )


def cli_run(args: argparse.Namespace) -> int:
    """Run ``movement info``: print one block (or JSON object) per file.

    Returns
    -------
    int
        0 when every file was read, 1 when any failed (each failure is printed as one
        line ``file: problem`` on stderr). A file read whose rate or modality is unknown
        counts as read: its block says what to give (JSON: ``unresolved``).
    """
    results: list[dict[str, Any]] = []
    failed = 0
    given: dict[str, Any] = {}
    if getattr(args, "modality", None):
        given["modality"] = args.modality
    if getattr(args, "fs", None) is not None:
        given["fs"] = args.fs
    if getattr(args, "channels", None) is not None:
        given["channels"] = tuple(c.strip() for c in args.channels.split(","))
    for f in args.files:
        try:
            fmt = format_for(f, getattr(args, "format", None))
            d = info(f, **given, **({"format": fmt} if fmt else {}))
        except MovementError as exc:
            failed += 1
            msg = str(exc)
            print(msg if msg.startswith(str(f)) else f"{f}: {msg}", file=sys.stderr)
            if args.json:
                results.append({"file": str(f), "error": msg})
            continue
        results.append(d)
        if not args.json:
            print(format_info(d))
            print()
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    return 1 if failed else 0


__all__ = ["info", "format_info", "cli_configure", "cli_run"]
