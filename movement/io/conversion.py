"""``movement convert``: read a recording once, keep it as a memory-mapped ``.npy`` + sidecar.

BDF's samples can only be read whole, device files (Axivity ``.cwa``, GENEActiv ``.bin``,
ActiGraph ``.gt3x``) are decoded again in each pass of a streamed scoring, and CSV parses about
100x slower than a ``.npy`` loads; a ``.npy`` is memory-mapped, so :mod:`movement.stream`
scores it in bounded memory. A study that is re-scored many times (new parameters, a new
model) pays for one conversion, itself in bounded memory for the files ``movement score``
streams (read in pieces, written row by row).

:func:`convert` reads the file with :func:`movement.read` (so units, channel selection and
the sampling rate are resolved exactly as when scoring) and writes:

* ``<stem>.npy``: the samples, (n_samples, n_channels), C order;
* ``<stem>.json``: the BIDS-style sidecar :func:`movement.read` understands
  (``SamplingFrequency``, ``Modality``, ``Units``, ``RecordingStartTime``), the column names
  (``ColumnNames``), the original sidecar's other keys and the provenance
  (``GeneratedBy``, ``Sources``, ``Conversion``: source file, movement version, date, the
  reader's notes and warnings);
* ``<stem>_annotations.tsv``: the file's annotations (EDF+, WFDB), when it has any;
  :func:`movement.read` reads them back.

:func:`cli_configure` / :func:`cli_run` wire it in as ``movement convert``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from .._atomic import atomic_path
from .._version import __version__
from ..errors import MovementError, NoSuchFileError, RecordingError
from . import (
    READERS,
    annotations_path,
    find_recordings,
    read,
    read_sidecar,
    sidecar_path,
    suffix_of,
)

__all__ = ["convert", "up_to_date", "output_path", "cli_configure", "cli_run"]

#: Output data types: float64 keeps the values bit for bit, float32 halves the size.
DTYPES = ("float64", "float32")

#: Rows copied into the output at a time (bounds the float32 cast's temporary).
_CHUNK_ROWS = 1 << 20

#: Sidecar keys :func:`convert` writes itself; an input sidecar's values (and aliases that
#: :func:`movement.read` would look at) are replaced, and its ``Channels`` selection is
#: already applied to the data.
_REPLACED_KEYS = {
    k.lower()
    for k in (
        "SamplingFrequency",
        "SamplingRate",
        "fs",
        "Modality",
        "RecordingType",
        "DataType",
        "Type",
        "Units",
        "Unit",
        "AccelerometerUnits",
        "RecordingStartTime",
        "StartTime",
        "AcquisitionDateTime",
        "Channels",
        "ChannelNames",
        "ColumnNames",
        "RecordingDuration",
        "GeneratedBy",
        "Sources",
        "Conversion",
    )
}


def output_path(path_in: str | Path, out: str | Path) -> Path:
    """The ``.npy`` that :func:`convert` writes for ``path_in``.

    ``out`` ending in ``.npy`` is the file itself; anything else is a folder, which gets
    ``<stem>.npy`` (the stem ends at the first dot: ``wrist.csv.gz`` -> ``wrist.npy``).
    """
    out = Path(out)
    if out.name.lower().endswith(".npy"):
        return out
    stem = Path(path_in).name.split(".")[0] or "recording"
    return out / f"{stem}.npy"


def _plain(value: Any) -> Any:
    """Notes as JSON values."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def _write_npy(target: Path, data: np.ndarray, dtype: str) -> None:
    """Write ``data`` as a C-order ``.npy`` of ``dtype`` at ``target``, in row chunks, synced."""
    mm = np.lib.format.open_memmap(target, mode="w+", dtype=np.dtype(dtype), shape=data.shape)
    try:
        for i in range(0, data.shape[0], _CHUNK_ROWS):
            mm[i : i + _CHUNK_ROWS] = data[i : i + _CHUNK_ROWS]
        mm.flush()
    finally:
        del mm
    with open(target, "rb") as fh:
        os.fsync(fh.fileno())


def _write_npy_from(target: Path, src: Any, shape: tuple[int, int], dtype: str) -> None:
    """Write a streamed source's rows (:mod:`movement.stream`) as the ``.npy`` of
    :func:`_write_npy`: read front to back, ``_CHUNK_ROWS`` rows at a time, written to the
    file (not through a memory map, whose written pages would count in the process's
    resident memory until they reach the disk)."""
    dt = np.dtype(dtype)
    from numpy.lib import format as npformat

    with open(target, "wb") as fh:
        npformat.write_array_header_1_0(
            fh, {"descr": npformat.dtype_to_descr(dt), "fortran_order": False, "shape": shape}
        )
        for a in range(0, shape[0], _CHUNK_ROWS):  # loop over pieces of rows
            b = min(shape[0], a + _CHUNK_ROWS)
            fh.write(np.ascontiguousarray(src.read(a, b), dtype=dt).tobytes())
        fh.flush()
        os.fsync(fh.fileno())


#: Formats a long file of which is converted in pieces, as ``movement score`` streams it
#: (formats with annotations, and the memory-mapped ones, are read as before)
_STREAMED = (
    ".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz", ".parquet", ".pq", ".cwa", ".bin",
    ".gt3x",
)  # fmt: skip


def _stream_source(
    path: Path,
    *,
    fs: float | None,
    modality: str | None,
    channels: Sequence[str | int] | None,
    units: str | None,
) -> Any:
    """The streamed reader of a file ``movement score`` would stream (a day of a device file,
    a large table), or None: read whole (other files, and those the stream leaves to the
    whole read)."""
    if not path.name.lower().endswith(_STREAMED):
        return None
    from ..batch import is_streamed
    from ..stream import _CHUNK_ROWS as rows
    from ..stream import _NotStreamable, _open

    if not is_streamed(path, fs=fs, modality=modality, channels=channels):
        return None
    try:
        return _open(path, fs=fs, modality=modality, channels=channels, chunk_rows=rows,
                     units=units)  # fmt: skip
    except _NotStreamable:
        return None


def _streamed_view(src: Any) -> Any:
    """What :func:`_sidecar` reads of a recording, from a streamed source's header."""
    from types import SimpleNamespace

    m = src.meta
    return SimpleNamespace(
        fs=m.fs, modality=m.modality, units=m.units, channels=m.channels, start=m.start,
        duration=m.n_samples / m.fs, notes=m.notes, annotations=None,
        data=SimpleNamespace(shape=(m.n_samples, len(m.channels))),
    )  # fmt: skip


def _write_text(target: Path, text: str) -> None:
    with open(target, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _annotations_tsv(annotations: Any) -> str:
    """``onset``, ``duration``, ``description`` as tab-separated text (``n/a`` for missing)."""
    df = annotations[["onset", "duration", "description"]].copy()
    df["onset"] = df["onset"].astype(np.float64)
    df["duration"] = df["duration"].astype(np.float64)
    df["description"] = df["description"].astype(str)
    # floats as repr (shortest text that reads back to the same value)
    return df.to_csv(sep="\t", index=False, na_rep="n/a", lineterminator="\n")


def convert(
    path_in: str | Path,
    path_out: str | Path,
    *,
    fs: float | None = None,
    modality: str | None = None,
    channels: Sequence[str | int] | None = None,
    units: str | None = None,
    dtype: str = "float64",
    overwrite: bool = False,
) -> Path:
    """Convert a recording once into a memory-mapped ``.npy`` with a JSON sidecar.

    The file is read with :func:`movement.read` (the same rate, modality, channel and unit
    resolution as when scoring it), or, a file ``movement score`` would stream (a day of an
    Axivity ``.cwa`` or GENEActiv ``.bin``, a large CSV or Parquet table), in pieces by
    :mod:`movement.stream`'s readers (the same values, in bounded memory), and written as ``<stem>.npy`` (samples x channels),
    ``<stem>.json`` (sidecar: rate, modality, units, start, column names, provenance) and,
    when the file has annotations (EDF+, WFDB), ``<stem>_annotations.tsv``.
    ``movement.read`` of the result gives the same rate, modality, channels, units, start,
    annotations and, with ``dtype="float64"``, bit-identical data; ``movement score``
    streams it in bounded memory.

    Each file is written to a temporary file beside it and renamed into place only when
    complete (the ``.npy`` last), so a failure leaves no partial output.

    Parameters
    ----------
    path_in : str or Path
        Any recording :func:`movement.read` reads.
    path_out : str or Path
        The ``.npy`` to write, or a folder (anything not ending in ``.npy``) that gets
        ``<stem>.npy``; created when missing.
    fs, modality, channels, units
        As for :func:`movement.read`.
    dtype : {"float64", "float32"}
        ``"float32"`` halves the file; results of scoring it can then differ from the
        original's in the last digits (float32 keeps about 7 significant digits), and a
        value right at a threshold can fall the other way.
    overwrite : bool
        Replace existing outputs. Without it, outputs that :func:`up_to_date` says were
        converted from this file as it is now, with the same options, are kept and their
        path returned (a re-run skips them); other existing outputs are an error. An output
        that would replace the input itself, or its own sidecar or annotations table, is
        always an error.

    Returns
    -------
    Path
        The ``.npy`` written.

    Raises
    ------
    MovementError
        The input cannot be read (one line naming the file), the outputs exist, or an
        argument is invalid.

    Examples
    --------
    >>> import movement
    >>> npy = movement.io.convert("wrist.cwa", "cache/")  # doctest: +SKIP
    >>> rec = movement.read(npy)  # doctest: +SKIP
    """
    if dtype not in DTYPES:
        raise MovementError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
    p_in = Path(path_in)
    src = str(p_in)
    npy = output_path(p_in, path_out)
    side = sidecar_path(npy)
    ann = annotations_path(npy)
    if not p_in.exists():
        raise NoSuchFileError("no such file", src)
    if p_in.is_file():
        own = {p_in.resolve(), sidecar_path(p_in).resolve(), annotations_path(p_in).resolve()}
        for target in (npy, side, ann):
            if target.resolve() in own:
                raise RecordingError(
                    f"the output {target} would replace the input or its own "
                    f"{'sidecar' if target.suffix == '.json' else 'file'}: write to another folder",
                    src,
                )
    if not overwrite:
        if up_to_date(p_in, npy, fs=fs, modality=modality, channels=channels, units=units,
                      dtype=dtype):  # fmt: skip
            return npy  # converted before from this very file with these options
        existing = [str(t) for t in (npy, side, ann) if t.exists()]
        if existing:
            raise RecordingError(
                f"output exists: {', '.join(existing)}, converted from another file, with "
                "other options or by another movement version (overwrite=True / --force "
                "replaces it)",
                src,
            )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        stream = _stream_source(p_in, fs=fs, modality=modality, channels=channels, units=units)
        if stream is None:
            caught.clear()  # (what an attempt to stream said, the whole read says again)
            rec = read(p_in, fs=fs, modality=modality, channels=channels, units=units)
        else:
            rec = _streamed_view(stream)
    messages = list(
        dict.fromkeys(
            str(w.message).replace(f"{src}: ", "", 1)
            for w in caught
            if issubclass(w.category, UserWarning)
        )
    )
    for w in caught:  # what reading said, said again to the caller
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    annotations = rec.annotations if rec.annotations is not None and len(rec.annotations) else None
    sidecar = _sidecar(
        rec, p_in, dtype, messages, annotations is not None, fs, modality, channels, units
    )
    with ExitStack() as stack:
        # the .npy is renamed into place last: a sidecar without its .npy is never read
        tmp_npy = stack.enter_context(atomic_path(npy))
        tmp_side = stack.enter_context(atomic_path(side))
        tmp_ann = stack.enter_context(atomic_path(ann)) if annotations is not None else None
        if stream is None:
            _write_npy(tmp_npy, rec.data, dtype)
        else:
            _write_npy_from(tmp_npy, stream, rec.data.shape, dtype)
        _write_text(tmp_side, json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n")
        if tmp_ann is not None:
            _write_text(tmp_ann, _annotations_tsv(annotations))
    if annotations is None and ann.exists():  # overwrite: a stale table would be read back
        ann.unlink()
    return npy


def _options(
    fs: float | None,
    modality: str | None,
    channels: Sequence[str | int] | None,
    units: str | None,
) -> dict[str, Any]:
    """The reading options a conversion records (those given)."""
    options = {"fs": fs, "modality": modality, "channels": channels, "units": units}
    return {k: _plain(v) for k, v in options.items() if v is not None}


def up_to_date(
    path_in: str | Path,
    npy: str | Path,
    *,
    fs: float | None = None,
    modality: str | None = None,
    channels: Sequence[str | int] | None = None,
    units: str | None = None,
    dtype: str = "float64",
) -> bool:
    """Whether ``npy`` is :func:`convert`'s output for ``path_in`` as it is now.

    Its sidecar must name the same source file (name, size in bytes, modification time),
    the same options and dtype, and this movement version; a re-run of a conversion then
    skips the files done.
    """
    p_in, npy = Path(path_in), Path(npy)
    side = sidecar_path(npy)
    if not (npy.is_file() and side.is_file() and p_in.is_file()):
        return False
    try:
        conv = json.loads(side.read_text(encoding="utf-8")).get("Conversion") or {}
    except (OSError, ValueError, AttributeError):
        return False
    st = p_in.stat()
    return (
        conv.get("SourceFile") == p_in.name
        and conv.get("SourceBytes") == st.st_size
        and conv.get("SourceMtimeNs") == st.st_mtime_ns
        and conv.get("DType") == dtype
        and conv.get("Options") == _options(fs, modality, channels, units)
        and conv.get("Version") == __version__
    )


def _sidecar(
    rec: Any,
    p_in: Path,
    dtype: str,
    messages: list[str],
    has_annotations: bool,
    fs: float | None,
    modality: str | None,
    channels: Sequence[str | int] | None,
    units: str | None,
) -> dict[str, Any]:
    """The output sidecar: what ``movement.read`` resolved, the input sidecar's other keys, provenance."""
    suffix = suffix_of(p_in)
    reader = READERS.get(suffix)
    out: dict[str, Any] = {
        "SamplingFrequency": float(rec.fs),
        "Modality": rec.modality,
        "Units": rec.units,
        "ColumnNames": list(rec.channels),
        "RecordingDuration": float(rec.duration),
    }
    if rec.start is not None:
        out["RecordingStartTime"] = rec.start.isoformat()
    for k, v in read_sidecar(p_in).items():
        if k.lower() not in _REPLACED_KEYS:
            out[k] = v
    out["GeneratedBy"] = [
        {"Name": "movement", "Version": __version__, "Description": "movement convert"}
    ]
    out["Sources"] = [p_in.name]
    out["Conversion"] = {
        "SourceFile": p_in.name,
        "SourceFormat": reader.description if reader else suffix,
        "SourceBytes": p_in.stat().st_size,
        "SourceMtimeNs": p_in.stat().st_mtime_ns,
        "Version": __version__,
        "Date": datetime.now(UTC).isoformat(timespec="seconds"),
        "DType": dtype,
        "Shape": list(rec.data.shape),
        "Options": _options(fs, modality, channels, units),
        "ReaderNotes": {str(k): _plain(v) for k, v in rec.notes.items()},
        "Warnings": messages,
        "Annotations": annotations_path(Path(p_in.name)).name if has_annotations else None,
    }
    return out


# -- command line -----------------------------------------------------------------------------


def cli_configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``movement convert`` arguments."""
    parser.description = (
        "Read each recording once (device files, BDF, CSV...) and write it as a memory-mapped "
        "<stem>.npy with a <stem>.json sidecar (and <stem>_annotations.tsv when the file has "
        "annotations). 'movement score' then streams the .npy in bounded memory."
    )
    parser.epilog = "Example: movement convert raw/*.cwa --out cache/ && movement score cache/"
    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="files, folders (searched recursively) or glob patterns",
    )
    parser.add_argument(
        "--out",
        "-o",
        required=True,
        metavar="DIR|FILE.npy",
        help="output folder (created when missing), or the .npy to write for a single input",
    )
    parser.add_argument(
        "--modality",
        choices=["accel", "emg"],
        help="modality of every input (default: from sidecar / columns)",
    )
    parser.add_argument(
        "--fs",
        type=float,
        metavar="HZ",
        help="sampling rate of every input (default: sidecar, header or time column)",
    )
    parser.add_argument(
        "--channels",
        metavar="LIST",
        help="comma-separated channel names or 0-based indices to keep (e.g. to drop a label column)",
    )
    parser.add_argument(
        "--dtype",
        choices=list(DTYPES),
        default="float64",
        help="float64 (default) keeps the values exactly; float32 halves the size "
        "(results may differ in the last digits)",
    )
    parser.add_argument(
        "--force", "-f", action="store_true", help="replace outputs that already exist"
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no per-file lines")


def cli_run(args: argparse.Namespace) -> int:
    """Run ``movement convert``: one line per file, a bad file does not stop the batch.

    Returns
    -------
    int
        0 when every input was converted, 1 when any failed (each failure is one line
        ``error  FILE: problem`` on stderr).
    """
    debug = bool(getattr(args, "debug", False))
    paths = find_recordings(args.inputs)
    if not paths:
        raise MovementError("no recordings found in: " + " ".join(args.inputs))
    single = str(args.out).lower().endswith(".npy")
    if single and len(paths) > 1:
        raise MovementError(
            f"--out {args.out} names one .npy but {len(paths)} inputs were given: "
            "give a folder instead"
        )
    if args.out is not None:
        from ..batch import output_folder

        # (a file of that name, no permission: one line, exit 2, before any file is read)
        output_folder(Path(args.out).parent if single else args.out)
    chans = [c.strip() for c in args.channels.split(",")] if args.channels is not None else None
    failed: list[str] = []
    written: dict[Path, Path] = {}
    skipped = 0
    from ..batch import unique_stems

    # into a folder: the names movement score gives (parent folders where names clash:
    # sub-01/0.txt, sub-02/0.txt -> sub-01_0.npy, sub-02_0.npy), except for the outputs
    # of an earlier run found by a folder search, which are their own outputs
    own = {p for p in paths if not single and output_path(p, args.out).resolve() == p.resolve()}
    rest = [p for p in paths if p not in own]
    names = dict(zip(rest, unique_stems(rest), strict=True))
    for p in paths:
        target = (
            output_path(p, args.out) if single or p in own else Path(args.out) / f"{names[p]}.npy"
        )
        key = target.resolve()
        if key == p.resolve() and not single:
            # a folder search that finds the outputs of an earlier run (--out inside the input)
            skipped += 1
            if not args.quiet:
                print(f"skip   {p}: it is its own output (converted before)")
            continue
        if not args.force and up_to_date(
            p, target, fs=args.fs, modality=args.modality, channels=chans, dtype=args.dtype
        ):
            skipped += 1
            written[key] = p
            if not args.quiet:
                print(f"skip   {p}: {target} is up to date")
            continue
        t0 = time.perf_counter()
        try:
            if key in written:
                raise RecordingError(
                    f"same output name {target.name} as {written[key]}: convert it to another folder",
                    str(p),
                )
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                npy = convert(
                    p,
                    target,
                    fs=args.fs,
                    modality=args.modality,
                    channels=chans,
                    dtype=args.dtype,
                    overwrite=args.force,
                )
        except MovementError as exc:
            if debug:
                raise
            failed.append(str(p))
            msg = str(exc)
            print(f"error  {msg if msg.startswith(str(p)) else f'{p}: {msg}'}", file=sys.stderr)
            continue
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the batch
            if debug:
                raise
            failed.append(str(p))
            text = str(exc).strip().splitlines()
            print(
                f"error  {p}: {type(exc).__name__}" + (f": {text[0]}" if text else ""),
                file=sys.stderr,
            )
            continue
        written[key] = p
        for m in dict.fromkeys(
            str(w.message).replace(f"{p}: ", "", 1)
            for w in caught
            if issubclass(w.category, UserWarning)
        ):
            print(f"warning {p}: {m}", file=sys.stderr)
        if not args.quiet:
            size = npy.stat().st_size / 1e6
            print(f"ok     {p} -> {npy} ({size:.1f} MB, {time.perf_counter() - t0:.1f} s)")
    n = len(paths) - skipped
    print(
        (f"{n - len(failed)} of {n} recordings converted" if n else "nothing to convert")
        + (f" ({skipped} skipped)" if skipped else "")
        + (f"; {len(failed)} failed: {', '.join(failed)}" if failed else ""),
        file=sys.stderr,
    )
    return 1 if failed else 0
