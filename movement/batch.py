"""Scoring many files: joblib workers (or a Dask cluster), a manifest, atomic outputs.

Each worker reads one file, scores it and writes its own outputs, returning a
small summary row; the parent collects rows as they arrive, updates the manifest
(``<out>/manifest.json``) after each one and writes ``summary.tsv`` as it starts, every
:data:`SUMMARY_EVERY_S` seconds and at the end. A re-run skips files whose inputs and
parameters are unchanged and whose outputs are whole, so a batch that crashed resumes
where it stopped.

A cluster array job (SLURM, or any scheduler that runs N copies of one command) splits a
study with ``shard=(k, n)``: each copy scores the files whose name hashes to its shard and
keeps its own ``manifest-shard-K-of-N.json`` and ``summary-shard-K-of-N.tsv`` (no file is
written by two copies). Running the same command again without a shard afterwards finds
every file done in those manifests and writes the study's ``summary.tsv`` and
``manifest.json``.
"""

from __future__ import annotations

import errno
import json
import numbers
import os
import re
import sys
import time
import traceback
import warnings
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ._atomic import atomic_write_all
from ._version import __version__
from .config import Settings, params_hash
from .errors import MovementError, RecordingError
from .export import ANNOTATION_FORMATS, annotation_path
from .output import (
    PER_TABLES,
    atomic_write,
    events_to_tsv,
    per_columns,
    per_summary,
    summarise,
    write_events,
    write_summary,
)

__all__ = [
    "ScoreOptions",
    "unique_stems",
    "fit_stem",
    "MAX_STEM_BYTES",
    "is_streamed",
    "score_one",
    "score_batch",
    "score_options",
    "say_model_settings",
    "expand_inputs",
    "parse_shard",
    "shard_of",
    "collect_events",
    "apply_review",
    "COLLECTED_NAME",
]


@dataclass(frozen=True)
class ScoreOptions:
    """Everything that decides a file's result (hashed for the manifest)."""

    settings: Settings = field(default_factory=Settings)
    model: str = "default"
    fs: float | None = None
    modality: str | None = None
    channels: tuple[str, ...] | None = None
    #: read files whose extension is no known type as this type (``movement.read(format=)``)
    format: str | None = None
    report: bool = False
    #: event plots per review page at most (with ``report``; review-flagged events first:
    #: :func:`movement.report.select_event_plots`). Not hashed, as ``report``: a page
    #: already drawn is kept on resume (``--no-resume`` draws it again)
    max_plots: int = 200
    #: tables to write per day, hour or channel (``"day"``, ``"hour"``, ``"channel"``):
    #: ``<stem>_per_day.tsv`` and the batch's ``summary_per_day.tsv`` (made from the
    #: events tables: not hashed)
    per: tuple[str, ...] = ()
    #: annotation files to write beside each events table (``"edf"``: ``<stem>_events.edf``,
    #: ``"wfdb"``: ``<stem>.mvt``; made from the events tables: not hashed)
    annotations: tuple[str, ...] = ()
    #: also write the batch's table of every event of every recording (``events_all.tsv``,
    #: :func:`collect_events`; made from the events tables: not hashed)
    collect: bool = False
    debug: bool = False
    #: stream windows processed at once for a large file (same results; not hashed)
    threads: int = 1
    #: a progress bar of a streamed file's windows (a batch of one file; not hashed)
    window_progress: bool = False

    def key(self, modality: str | None = None) -> str:
        """Hash of what changes results (not ``debug`` or ``threads``); with ``modality``,
        of that modality's settings and model only (a file of that modality scores the
        same whatever the other's are: an EMG setting changed does not re-score
        accelerometry).

        A model file counts by its fitted models' content (:func:`_model_key`), not by its
        name, folder or modification time: renamed, moved, copied or trained again alike
        (same data, seed and settings), it re-scores nothing."""
        model: Any = self.model
        if model not in ("default", "rules") and Path(model).exists():
            model = _model_key(model, modality)
        settings = self.settings.to_dict()
        return params_hash(
            {
                "settings": settings if modality is None else {modality: settings[modality]},
                "model": model,
                "fs": self.fs,
                "modality": self.modality,
                "channels": self.channels,
                # (only when given: the hashes of earlier runs without it stay the same)
                **({"format": self.format} if self.format else {}),
                "version": __version__,
            }
        )


def _model_key(model: str, modality: str | None) -> Any:
    """What :meth:`ScoreOptions.key` holds of a model file: the parameters-hash identity
    of its model for ``modality`` (of each of its models without one): the fitted model's
    content (:class:`movement.classify.ModelName`), as the events' parameters hash. A
    file that is no usable model (each file then fails, saying why) counts by its path,
    size and modification time."""
    from .classify import load_model, read_model_file
    from .config import CONFIGS

    try:
        bundle, _ = read_model_file(model)
        held = [modality] if modality else sorted(bundle["models"])
        return {m: getattr(load_model(model, m, CONFIGS[m]())[1], "identity", None) for m in held}
    except (MovementError, KeyError, OSError):
        st = Path(model).stat()
        return f"{Path(model).resolve()}:{st.st_size}:{st.st_mtime_ns}"


#: The model-settings warnings said in this process (:func:`say_model_settings`).
_SAID: set[str] = set()


def say_model_settings(opts: ScoreOptions) -> None:
    """Warn, once per process and message, of each model in ``opts.model`` trained with
    settings that change the segments' features from ``opts.settings``'
    (:func:`movement.classify.settings_warning`), and of the rules' thresholds
    ``opts.settings`` changes, which a trained model does not read
    (:func:`movement.classify.rules_settings_warning`): said once for the batch, before
    its files are scored, and not in each file's summary row (each file's events JSON
    keeps it in its notes). ``--model rules``: nothing."""
    if opts.model == "rules":
        return
    from .classify import (
        ModelSettingsWarning,
        RuleClassifier,
        RulesOnlySettingsWarning,
        load_model,
        rules_settings_warning,
        settings_warning,
    )

    for m in ("emg", "accel"):
        cfg = opts.settings.for_modality(m)
        try:
            clf, name = load_model(opts.model, m, cfg)
        except MovementError:
            continue  # (no model for it, or a bad file: each file says so)
        if isinstance(clf, RuleClassifier):  # (no trained model for it: the rules)
            continue
        who = "the default model" if opts.model == "default" else f"model {opts.model}"
        used = cfg.to_dict()
        features = settings_warning(who, m, getattr(name, "trained_with", None), used)
        rules = rules_settings_warning(who, m, used)
        for said, kind in ((features, ModelSettingsWarning), (rules, RulesOnlySettingsWarning)):
            if said and said not in _SAID:
                _SAID.add(said)
                warnings.warn(said, kind, stacklevel=2)


def unique_stems(paths: Sequence[str | Path]) -> list[str]:
    """Output stems, unique within a batch, each a plain file name (no folder).

    A file's stem is its name up to the first dot. Where stems clash, their parent folders
    are prepended, as few as tell them apart (``s1/rest.csv``, ``s2/rest.csv`` ->
    ``s1_rest``, ``s2_rest``); files in one folder that differ only after the first dot
    (``a.edf`` and ``a.npz``, ``subj01.day1.csv`` and ``subj01.day2.csv``) take their
    whole name with the dots as underscores (``a_edf``, ``subj01_day1_csv``). The root
    of the file system is never part of a stem, so every output stays in the output folder.

    A stem longer than :data:`MAX_STEM_BYTES` (UTF-8 bytes: a long file name, or long
    folder names prepended where names clash) is shortened so that every output name
    (``<stem>_events_reviewed-<k>.tsv`` and the temporary file beside it) fits the file
    systems' 255-byte limit: its first bytes, ``_`` and 8 hex digits of a CRC-32 of the
    whole stem (:func:`fit_stem`: the same name on every run; the summary's ``file`` column
    and the manifest's ``source`` still name the file).

    Examples
    --------
    >>> unique_stems(["s1/rest.csv", "s2/rest.csv", "walk.csv"])
    ['s1_rest', 's2_rest', 'walk']
    >>> unique_stems(["d/a.edf", "d/a.npz", "d/b.csv"])
    ['a_edf', 'a_npz', 'b']
    >>> len(unique_stems(["d/" + "r" * 240 + ".csv"])[0])
    200
    """
    from collections import Counter

    paths = [Path(p) for p in _as_list(paths)]
    # parent folders, nearest last, without the root ("/" or a drive): never in a stem
    parents = [p.resolve().parent.parts[1:] for p in paths]
    base = [p.name.split(".")[0] or p.name for p in paths]
    whole = [p.name.replace(".", "_") for p in paths]
    depth = [0] * len(paths)

    def stem(i: int) -> str:
        prefix = parents[i][len(parents[i]) - depth[i] :] if depth[i] else ()
        return "_".join([*prefix, base[i]])

    while True:  # each pass moves every clashing stem one step on: at most ~2 x depth passes
        stems = [stem(i) for i in range(len(paths))]
        counts = Counter(stems)
        clash = [i for i, s in enumerate(stems) if counts[s] > 1]
        if not clash:
            return [fit_stem(s) for s in stems]
        moved = False
        for i in clash:
            if depth[i] < len(parents[i]):
                depth[i] += 1
                moved = True
            elif base[i] != whole[i]:  # one folder, one stem: the whole name
                base[i], depth[i] = whole[i], 0
                moved = True
        if not moved:  # the same file twice: numbered
            seen: Counter[str] = Counter()
            for i in clash:
                seen[stems[i]] += 1
                if seen[stems[i]] > 1:
                    base[i] = f"{base[i]}_{seen[stems[i]]}"


#: The longest output stem (UTF-8 bytes): the longest name written from it,
#: ``<stem>_events_reviewed-<k>.tsv`` (24 more bytes), in a temporary file beside its target
#: (``.<name>.<8 characters>.tmp``: 14 more) stays within 255 bytes, the limit of ext4, XFS,
#: Btrfs, APFS and NTFS.
MAX_STEM_BYTES = 200


def fit_stem(stem: str, limit: int = MAX_STEM_BYTES) -> str:
    """``stem`` itself when it is at most ``limit`` UTF-8 bytes long, else its first bytes
    (whole characters), ``_`` and the 8 hex digits of its CRC-32: ``limit`` bytes at most,
    the same on every run, and different for stems that differ anywhere.

    Examples
    --------
    >>> fit_stem("sub-01_wrist")
    'sub-01_wrist'
    >>> short = fit_stem("r" * 300)
    >>> len(short), short[-9:]
    (200, '_2f83b5f3')
    """
    data = stem.encode("utf-8")
    if len(data) <= limit:
        return stem
    head = data[: limit - 9].decode("utf-8", "ignore")
    return f"{head}_{zlib.crc32(data):08x}"


def _as_list(paths: Sequence[str | Path] | str | Path) -> list[str | Path]:
    """``paths`` as a list: one path (a str or path-like) is a list of one, not its
    characters."""
    if isinstance(paths, (str, os.PathLike)):
        return [paths]
    return list(paths)


def expand_inputs(paths: Sequence[str | Path] | str | Path) -> list[Path]:
    """Files, folders and glob patterns as the files :func:`score_batch` scores.

    A folder or a glob pattern is expanded with :func:`movement.io.find_recordings`
    (as ``movement score`` does); a file is kept, and so is a path that does not exist
    (its summary row then says "no such file", as the command line's other inputs). A
    WFDB record's signal file (``.dat``, or PhysioNet's ``.mat``) named beside its header
    (``.hea``), as a shell glob names both, is left out: the record is read from its
    header (named alone, it is an error row that says so).

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> for name in ("r1.hea", "r1.dat", "r2.dat"):
    ...     _ = (d / name).write_text("")
    >>> [p.name for p in expand_inputs([d / "r1.dat", d / "r1.hea", d / "r2.dat"])]
    ['r1.hea', 'r2.dat']
    """
    from .io import find_recordings

    out: list[Path] = []
    for item in _as_list(paths):
        p = Path(item)
        if p.is_dir() or (not p.exists() and set("*?[") & set(str(item))):
            out.extend(find_recordings([item], exclude=COLLECTED_TABLES))
        else:
            out.append(p)
    headers = {p.resolve() for p in out if p.suffix.lower() == ".hea"}
    if not headers:
        return out
    return [
        p
        for p in out
        if not (
            p.suffix.lower() in (".dat", ".mat")
            and p.is_file()
            and p.with_suffix(".hea").resolve() in headers
        )
    ]


def output_stems(
    paths: Sequence[str | Path], out_dir: str | Path, *, shards: bool = True
) -> list[str]:
    """The stems :func:`score_batch` writes ``paths`` under in ``out_dir``.

    A file already scored into ``out_dir`` (its source in the folder's manifests) keeps
    the stem it was written under. The others get :func:`unique_stems` names, unique
    among themselves *and* the folder's other sources, and never one the folder already
    holds: scoring ``sub-01/`` then ``sub-02/`` into one folder gives ``sub-02``'s
    ``0.txt`` the name ``sub-02_0``, and never overwrites ``sub-01``'s ``0_events.tsv``.

    With ``shards=False`` only the whole-study ``manifest.json`` is read, not the shards'
    manifests: what a shard of an array job uses, so that every shard computes the same
    names while the others write their manifests.
    """
    paths = [Path(p) for p in _as_list(paths)]
    claimed = _load_manifest(Path(out_dir), shards=shards)
    owner = {
        e["source"]: stem
        for stem, e in claimed.items()
        if isinstance(e, dict) and isinstance(e.get("source"), str)
    }
    resolved = [str(p.resolve()) for p in paths]
    # (a name too long to write, recorded by a run before names were shortened, never held
    # any results: the file gets a name that fits)
    stems: list[str | None] = [
        s if (s := owner.get(r)) is None or fit_stem(s) == s else None for r in resolved
    ]
    if len({s for s in stems if s}) < sum(1 for s in stems if s):  # one file listed twice
        stems = [None] * len(paths)
    new = [i for i, s in enumerate(stems) if s is None]
    if not new:
        return [str(s) for s in stems]
    mine = set(resolved)
    others = [Path(src) for src in owner if src not in mine]
    names = unique_stems([paths[i] for i in new] + others)[: len(new)]
    taken = set(claimed) | {s for s in stems if s}
    for i, name in zip(new, names, strict=True):
        stem, k = name, 1
        while stem in taken:  # a name the folder holds for a file since moved or deleted
            k += 1
            stem = fit_stem(f"{name}_{k}")
        stems[i] = stem
        taken.add(stem)
    return [str(s) for s in stems]


#: Files larger than this (their samples as float64) are scored in windows (bounded
#: memory) when their format streams.
STREAM_BYTES = 256 * 2**20
_STREAMABLE = (
    ".npy", ".parquet", ".pq", ".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz",
    ".edf", ".bdf", ".hea", ".h5", ".hdf5", ".mat", ".cwa", ".bin", ".gt3x",
)  # fmt: skip


def _decoded_bytes(path: Path) -> int:
    """About the bytes of a file's samples as float64 (EDF holds 2 bytes a sample, BDF 3;
    a WFDB header says how many samples its record holds, and an HDF5 data set its shape
    (compressed or not; a ``.mat`` before v7.3 is not HDF5 and is read whole: 0);
    gzipped text is taken at 8x: measured 8.5x on data/sim_wrist_accel.csv.gz, less for
    noisier digits, and erring high only streams a file that would have fitted; a
    ``.npy`` by its header's shape, a Parquet file by its metadata's rows and columns;
    an Axivity ``.cwa`` by its blocks' declared samples, a GENEActiv ``.bin`` by its size
    over its first page's, a ``.gt3x`` by its info.txt's times; plain text by its size, about
    as large as its samples as float64)."""
    name = path.name.lower()
    if name.endswith((".h5", ".hdf5", ".mat")):
        try:
            from .io.hdf5 import open_hdf5

            n, k = open_hdf5(path, read_time=False).data.shape
            return 8 * n * k
        except (MovementError, OSError, ValueError):
            return 0  # not HDF5 (a .mat v4-v7.2), or broken: the whole-file read says what
    if name.endswith(".hea"):
        try:
            from .io.devices import open_wfdb

            n, k = open_wfdb(path).data.shape
            return 8 * n * k
        except (MovementError, OSError, ValueError):
            return 0  # the whole-file read says what is wrong
    if name.endswith(".cwa"):
        try:  # (the data blocks' declared samples, 3 axes; a gyroscope's are dropped)
            from .io.devices import _cwa_declared

            return 8 * 3 * _cwa_declared(path)[0]
        except (MovementError, OSError, ValueError):
            return 0  # the whole-file read says what is wrong
    if name.endswith(".bin"):
        try:  # (GENEActiv: the file's size over its first page's, 300 samples a page)
            from .io.devices import geneactiv_size

            return 8 * 3 * geneactiv_size(path)[0]
        except (MovementError, OSError, ValueError):
            return 0
    if name.endswith(".gt3x"):
        try:  # (its info.txt's start to last-sample time x rate)
            from .io.devices import gt3x_size

            return 8 * 3 * gt3x_size(path)[0]
        except Exception:  # noqa: BLE001 - not a zip (BadZipFile...): the whole read says
            return 0
    if name.endswith(".npy"):
        try:  # (the header's shape: an int16 file is a quarter of its float64 samples)
            import numpy as np

            arr = np.load(path, mmap_mode="r")
            return 8 * int(np.prod(arr.shape))
        except Exception:  # noqa: BLE001 - an empty file's EOFError...: the read says what
            return 0
    if name.endswith((".parquet", ".pq")):
        try:  # (compressed on disk: its metadata's rows x columns, as float64)
            import pyarrow.parquet as pq

            md = pq.ParquetFile(path).metadata
            return 8 * md.num_rows * md.num_columns
        except Exception:  # noqa: BLE001 - no pyarrow, or a broken file: the read says
            return path.stat().st_size
    size = path.stat().st_size
    if name.endswith(".edf"):
        return size * 4
    if name.endswith(".bdf"):
        return size * 8 // 3
    if name.endswith(".gz"):
        return size * 8
    return size


def is_streamed(
    path: Path,
    settings: Settings | None = None,
    *,
    fs: float | None = None,
    modality: str | None = None,
    channels: Sequence[str | int] | None = None,
) -> bool:
    """Whether a file is scored (and its report page made) in windows, bounded memory.

    Files in a format the stream reads in pieces, when their samples as float64 are over
    :data:`STREAM_BYTES`, and ``.npy``, EDF, WFDB and HDF5 files where streaming is also
    faster (:func:`movement.stream.streams_faster`: a day of 100 Hz accelerometry).
    """
    if not path.name.lower().endswith(_STREAMABLE):
        return False
    from .stream import streams_faster

    return _decoded_bytes(path) >= STREAM_BYTES or streams_faster(
        path, settings, fs=fs, modality=modality, channels=channels
    )


def _score_large(path: Path, opts: ScoreOptions) -> Any:
    """Events of a long file scored with :func:`movement.stream.score_stream`, or None.

    Streaming gives the same events as the in-memory path (tested); it is used for the
    files :func:`is_streamed` picks, with ``--report`` too (the page is then made in windows:
    :func:`movement.report.write_report_stream`). A file the streaming readers cannot
    parse is read whole.
    """
    from .io import format_for

    if format_for(path, opts.format) or not is_streamed(
        path, opts.settings, fs=opts.fs, modality=opts.modality, channels=opts.channels
    ):
        return None  # (a file read as the type --format gives is read whole)
    from .stream import score_stream

    try:
        return score_stream(
            path, opts.settings, model=opts.model, fs=opts.fs, modality=opts.modality,
            channels=opts.channels, threads=opts.threads, progress=opts.window_progress,
        )  # fmt: skip
    except (MovementError, OSError):  # (e.g. no room for a temporary file): read whole
        return None


def _keep_review(events: Any, out_dir: Path, stem: str) -> Any:
    """``events``, with the review a person filled into the events table being replaced.

    Scoring a file again (``--report`` for a missing page, ``--no-resume``, other settings)
    must not lose a review: the old table is kept as ``<stem>_events_reviewed-<k>.tsv``
    (once: a copy that holds the same bytes is not made again) and its decisions are
    applied to the new events that are the same events (onset, channel, the model's label
    and duration: :func:`movement.review.apply_decisions`); a warning says how many were
    carried over, and why the others were not. A table that cannot be read as an events
    table is kept too, and the warning says what is wrong with it.

    Rows deleted from the table by hand (a reviewer's way to reject, which changes its
    number of rows, so the batch scores it again) are events again in the new table, not
    reviewed: deleting a row is no decision (a table cut short by a crash looks the
    same), so they are not taken as rejected; the warning says how many came back and
    where (and that ``review_status`` ``rejected`` rejects), and the table as left is
    kept. Likewise rows added by hand, which the new events do not hold
    (:func:`_hand_edits`).
    """
    from .review import carry_review, previous_review, review_backups

    old = out_dir / f"{stem}_events.tsv"
    if not old.is_file():
        return events
    why_not = None
    try:
        dec = previous_review(old)
    except (MovementError, OSError, ValueError, KeyError) as exc:
        dec = None  # (unreadable as events: kept below, nothing to carry over)
        why_not = str(exc).replace(f"{old}: ", "")
    edits = _hand_edits(old, events)
    reviewed = dec is None or not dec.empty or bool(dec.attrs.get("skipped")) or bool(edits)
    if not reviewed and not review_backups(old):
        return events
    kept = _backup(old, out_dir, stem) if reviewed else None
    if dec is None:
        warnings.warn(
            f"{old.name} could not be read as an events table ({why_not}); nothing of it "
            f"was carried over, and it is kept as {kept.name}",
            UserWarning,
            stacklevel=2,
        )
        return events
    # the decisions of this table, and of the earlier ones kept beside it (newest first)
    out, carried = carry_review(events, old)
    said = [carried] if carried else []
    said.extend(edits)
    if not said:
        return out
    warnings.warn(
        "; ".join(said) + (f"; the previous table is kept as {kept.name}" if kept else ""),
        UserWarning,
        stacklevel=2,
    )
    return out


def _hand_edits(old: Path, events: Any, tolerance_s: float = 0.001) -> list[str]:
    """What a person changed in the events table ``old`` besides its review, by the new
    events of the same scoring: rows deleted (events of the new scoring the table no
    longer holds) or added (rows that are no event of it); each a sentence, none when
    the table holds exactly the new events (or when it cannot be told: scored with other
    parameters or by another version, as its sidecar says, whose events differ anyway;
    or rows both deleted and added, which is what a changed recording gives).

    An event is its onset, channel and duration (within ``tolerance_s``), as
    :func:`movement.review.apply_decisions` matches decisions to events."""
    import numpy as np
    import pandas as pd

    side = old.with_name(old.name[: -len(".tsv")] + ".json")
    try:
        js = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    attrs = getattr(events, "attrs", {})
    if (
        not isinstance(js, dict)
        or js.get("parameters_hash") != attrs.get("parameters_hash")
        or js.get("movement_version") != attrs.get("movement_version")
    ):
        return []
    try:
        table = _read_events(old)
    except (MovementError, OSError, ValueError, KeyError):
        return []
    if not {"onset", "duration"} <= set(table.columns) or not len(events):
        return []

    def keys(df: Any) -> tuple[Any, Any, Any]:
        on = pd.to_numeric(df["onset"], errors="coerce").to_numpy(np.float64)
        du = pd.to_numeric(df["duration"], errors="coerce").to_numpy(np.float64)
        ch = (
            np.array(
                [
                    ""
                    if v is None or (isinstance(v, float) and v != v)
                    else ",".join(p.strip() for p in str(v).split(","))
                    for v in df["channel"]
                ],
                dtype=object,
            )
            if "channel" in df.columns
            else np.full(len(df), "", dtype=object)
        )
        return on, du, ch

    old_on, old_du, old_ch = keys(table)
    new_on, new_du, new_ch = keys(events)
    order = np.argsort(new_on, kind="stable")
    sorted_on = new_on[order]
    found = np.zeros(len(events), dtype=bool)
    added = []
    for k in range(len(table)):  # loop over the old rows (search in the sorted onsets)
        lo = np.searchsorted(sorted_on, old_on[k] - tolerance_s - 1e-9, side="left")
        hi = np.searchsorted(sorted_on, old_on[k] + tolerance_s + 1e-9, side="right")
        cand = [
            j
            for j in order[lo:hi]
            if new_ch[j] == old_ch[k] and abs(new_du[j] - old_du[k]) <= tolerance_s + 1e-9
        ]
        if cand:
            found[cand[0]] = True
        else:
            added.append(k)
    back = np.flatnonzero(~found)
    if len(back) and len(added):
        return []  # (not edits by hand alone: the recording changed?)

    def at(on: Any, ch: Any, rows: Any) -> str:
        shown = [f"{on[j]:.3f} s" + (f" {ch[j]}" if ch[j] else "") for j in rows[:5]]
        return ", ".join(shown) + (" ..." if len(rows) > 5 else "")

    if len(back):
        return [
            f"{len(back)} event(s) deleted by hand from the previous {old.name} are back, "
            f"not reviewed ({at(new_on, new_ch, back)}): deleting a row does not reject its "
            "event (set its review_status to rejected)"
        ]
    if added:
        return [
            f"{len(added)} row(s) added by hand to the previous {old.name} are no event of "
            f"this scoring and are not in the new table ({at(old_on, old_ch, added)})"
        ]
    return []


def _backup(old: Path, out_dir: Path, stem: str) -> Path:
    """``old`` copied to the next free ``<stem>_events_reviewed-<k>.tsv``, unless the
    last such copy already holds the same bytes (scored again with nothing reviewed since)."""
    k = 1
    while (out_dir / f"{stem}_events_reviewed-{k}.tsv").exists():
        k += 1
    data = old.read_bytes()
    last = out_dir / f"{stem}_events_reviewed-{k - 1}.tsv"
    if k > 1 and last.read_bytes() == data:
        return last
    return atomic_write(out_dir / f"{stem}_events_reviewed-{k}.tsv", data)


def score_one(
    path: Path, stem: str, out_dir: Path, opts: ScoreOptions, *, name: str | None = None
) -> dict[str, Any]:
    """Score one file and write its outputs; errors become a summary row.

    ``name`` is the file as its summary row shows it (default: ``path``): a Dask worker
    is sent the absolute path of a file given as a relative one, and its outputs name the
    file by ``name`` too (the events sidecar's ``recording.source``, a review page's
    "File"), as a local run of the same command does. (A streamed file's review page,
    drawn from the file again, still says the path read.)
    """
    from .classify import ModelSettingsWarning
    from .io import format_for, read
    from .pipeline import score

    shown = str(path) if name is None else name

    try:
        if not path.is_file():
            raise RecordingError("no such file" if not path.exists() else "not a file", str(path))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            events = _score_large(path, opts)
            rec = None
            if events is None:
                rec = read(
                    path, fs=opts.fs, modality=opts.modality, channels=opts.channels,
                    format=format_for(path, opts.format),
                )  # fmt: skip
                events = score(rec, opts.settings, model=opts.model)
            if name is not None:
                # (a Dask worker reads the absolute path: the outputs name the file as the
                # summary does, as given, the same as a local run's)
                events.attrs["source"] = name
                if rec is not None:
                    rec.source = name
            scored = events  # (the summary counts what the model said, reviewed or not)
            events = _keep_review(events, out_dir, stem)
            try:
                write_events(events, out_dir, stem)  # (both or neither: a full disk)
                # period tables of the events replaced would contradict them (the batch
                # makes them again from these events when asked: _write_periods)
                for old in PER_TABLES:
                    (out_dir / f"{stem}_per_{old}.tsv").unlink(missing_ok=True)
                for fmt in ANNOTATION_FORMATS:  # (likewise the annotation files)
                    annotation_path(out_dir, stem, fmt).unlink(missing_ok=True)
                if not opts.report:  # (and the review page, drawn below when asked)
                    (out_dir / f"{stem}_report.html").unlink(missing_ok=True)
            except OSError as exc:
                if exc.errno == errno.ENAMETOOLONG:
                    raise MovementError(_too_long(exc, out_dir)) from None
                raise MovementError(
                    f"cannot write its events into {out_dir} ({_os_reason(exc)}); "
                    "the previous results are kept"
                ) from None
            if opts.report:
                from .report import write_report, write_report_stream

                page = out_dir / f"{stem}_report.html"
                if rec is None:  # streamed: the page too, window by window
                    write_report_stream(
                        path, events, page, fs=opts.fs, modality=opts.modality,
                        channels=opts.channels, progress=opts.window_progress,
                        max_event_plots=opts.max_plots,
                    )  # fmt: skip
                else:
                    write_report(rec, events, page, max_event_plots=opts.max_plots)
        row = summarise(shown, scored)
        # reader warnings (truncated file, resampling...) stay with the file's summary row
        # (a model trained with other settings is the batch's: said once, before it)
        notes = dict.fromkeys(
            str(w.message).replace(f"{path}: ", "").replace(f"{path.name}: ", "")
            for w in caught
            if issubclass(w.category, UserWarning)
            and not issubclass(w.category, ModelSettingsWarning)
        )
        row["message"] = "; ".join(notes)
    except MovementError as exc:
        if opts.debug:
            raise
        row = summarise(shown, error=str(exc).replace(f"{path}: ", "", 1))
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop a batch
        if opts.debug:
            raise
        if isinstance(exc, OSError) and exc.errno == errno.ENAMETOOLONG:
            row = summarise(shown, error=_too_long(exc, out_dir))
        else:
            last = traceback.extract_tb(exc.__traceback__)[-1]
            row = summarise(
                shown,
                error=f"internal error {type(exc).__name__}: {exc} (at {Path(last.filename).name}:{last.lineno}; "
                "re-run with --debug for the traceback)",
            )
    if row["status"] != "ok" and "previous results are kept" not in str(row.get("message")):
        if _is_file(out_dir / f"{stem}_events.tsv"):  # (a reader must not take it for this run's)
            row["message"] = (
                f"{row['message']}; its {stem}_events.tsv in the output folder is from an earlier run"
            )
    row["stem"] = stem
    return row


def _too_long(exc: OSError, out_dir: Path) -> str:
    """The summary row's message for a name too long for the file system: an output's
    (the output folder's path, ``--out``, is long), or a file the reader looks for beside
    the recording (``<name>_annotations.tsv`` of a long file name)."""
    name = str(exc.filename or "")
    try:
        output = bool(name) and Path(name).resolve().parent == Path(out_dir).resolve()
    except OSError:
        output = False
    if output or not name:
        return (
            f"output name too long for the file system: {name or out_dir}; rename the file "
            "or use a shorter --out"
        )
    return (
        f"a file name too long for the file system: {name} (looked for beside the "
        "recording); rename the file"
    )


def _is_file(path: Path) -> bool:
    """``path.is_file()``, False where the name cannot even be looked up (too long)."""
    try:
        return path.is_file()
    except OSError:
        return False


def _exists(path: Path) -> bool:
    """``path.exists()``, False where the name cannot even be looked up (too long)."""
    try:
        return path.exists()
    except OSError:
        return False


def _os_reason(exc: OSError) -> str:
    """An OSError's reason in a few words ("Not a directory", "File exists"...)."""
    return exc.strerror or str(exc)


def parse_shard(text: str, environ: dict[str, str] | None = None) -> tuple[int, int]:
    """``"K/N"`` (1 <= K <= N) or ``"auto"`` as ``(k, n)``.

    ``auto`` reads a SLURM array job's ``SLURM_ARRAY_TASK_ID``, ``SLURM_ARRAY_TASK_MIN``,
    ``SLURM_ARRAY_TASK_STEP`` and ``SLURM_ARRAY_TASK_COUNT`` (``sbatch --array=1-20`` or
    ``0-19``: 20 shards; ``--array=1-39:2``: 20 shards, task 3 is shard 2).

    Examples
    --------
    >>> parse_shard("3/8")
    (3, 8)
    >>> parse_shard("auto", {"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "0",
    ...                      "SLURM_ARRAY_TASK_COUNT": "4"})
    (1, 4)
    >>> parse_shard("auto", {"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1",
    ...                      "SLURM_ARRAY_TASK_STEP": "2", "SLURM_ARRAY_TASK_COUNT": "2"})
    (2, 2)
    """
    env = os.environ if environ is None else environ
    if text.strip().lower() == "auto":
        try:
            task = int(env["SLURM_ARRAY_TASK_ID"])
            count = int(env["SLURM_ARRAY_TASK_COUNT"])
            first = int(env.get("SLURM_ARRAY_TASK_MIN", "0"))
            step = int(env.get("SLURM_ARRAY_TASK_STEP") or "1")
        except (KeyError, ValueError):
            raise MovementError(
                "--shard auto needs a SLURM array job (SLURM_ARRAY_TASK_ID and "
                "SLURM_ARRAY_TASK_COUNT); elsewhere give --shard K/N"
            ) from None
        if step < 1 or (task - first) % step:
            raise MovementError(
                f"--shard auto: array task {task} is not on the array's {first}:{step} "
                "steps (a list of task ids?); give --shard K/N instead"
            )
        k, n = (task - first) // step + 1, count
    else:
        m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if not m:
            raise MovementError(f"--shard must be K/N (e.g. 3/8) or auto, got {text!r}")
        k, n = int(m.group(1)), int(m.group(2))
    if not 1 <= k <= n:
        raise MovementError(f"--shard {k}/{n}: K must be between 1 and N")
    return k, n


def shard_of(stem: str, n: int) -> int:
    """The shard (1..n) a file's output name belongs to: a stable hash (CRC-32) of it.

    The same in every copy of an array job, whatever order the files are listed in or
    which other files the folder holds.
    """
    return zlib.crc32(stem.encode("utf-8")) % n + 1


def _shard_tag(shard: tuple[int, int] | None) -> str:
    return "" if shard is None else f"-shard-{shard[0]}-of-{shard[1]}"


def _fingerprint(path: Path, content: bool = False) -> dict[str, Any]:
    """What resume compares of an input: its size, modification time and status-change
    time (``ctime``), with ``content`` its SHA-256 too; and the size, time and SHA-256 of
    its JSON sidecar (:func:`movement.io.sidecar_path`, when there is one: a few hundred
    bytes), so that an edited, added or removed sidecar (another ``SamplingFrequency``)
    scores the file again. The recording's SHA-256 is taken once, by the worker that
    scores it, before it reads the file (:func:`_indexed`; a 200 MB file: 0.22 s from the
    page cache, 0.32 s from disk, where scoring it took 9 s); :func:`_unchanged` says how
    resume uses it."""
    from .io import sidecar_path

    st = path.stat()
    fp: dict[str, Any] = {
        "size": st.st_size, "mtime_ns": st.st_mtime_ns, "ctime_ns": st.st_ctime_ns,
    }  # fmt: skip
    if content:
        fp["sha256"] = _sha256(path)
    side = sidecar_path(path)
    try:
        if side != path and side.is_file():
            ss = side.stat()
            fp["sidecar"] = {
                "size": ss.st_size, "mtime_ns": ss.st_mtime_ns, "sha256": _sha256(side),
            }  # fmt: skip
    except OSError:
        pass  # (unreadable: the reader says so when the file is scored)
    return fp


def _sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes (hex), read in 1 MiB blocks."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(2**20):
            digest.update(block)
    return digest.hexdigest()


def _unchanged(stored: Any, path: Path, verify: bool = False) -> dict[str, Any] | None:
    """The fingerprint to keep for an input scored before when it is unchanged since
    (``stored``: its manifest entry's), else None (score it again).

    Its size differing, it changed. Its size, modification and status-change times the
    same, nothing wrote to it since (every write changes the ``ctime``, and so does
    setting the modification time back: ``touch -d``, ``os.utime``, ``cp -p`` onto it; no
    call sets the ``ctime``): unchanged, without reading it. Otherwise (a time differs: a
    file touched, copied, renamed or ``chmod``-ed, or edited with its old modification
    time put back), and always with ``verify`` (``--verify-inputs``: a file system whose
    ``ctime`` says nothing, such as Windows', where it is the creation time), the file is
    read and its SHA-256 decides; a file found the same keeps its results and gets the
    new times (read once, not on every run). Its sidecar is compared by content.

    An entry written before inputs were hashed holds no SHA-256: its size and
    modification time decide, as they did then (with ``verify``, which it cannot answer,
    the file is scored again).
    """
    if not isinstance(stored, dict):
        return None
    try:
        now = _fingerprint(path)
    except OSError:
        return None
    if stored.get("size") != now["size"]:
        return None
    old_side, new_side = stored.get("sidecar"), now.get("sidecar")
    if (old_side is None) != (new_side is None):
        return None
    if isinstance(old_side, dict) and isinstance(new_side, dict):
        keys = ("sha256",) if "sha256" in old_side else ("size", "mtime_ns")
        if any(old_side.get(k) != new_side.get(k) for k in keys):
            return None
    elif old_side is not None:
        return None
    if "sha256" not in stored:  # (an entry of before: by size and time; never verified)
        return stored if stored.get("mtime_ns") == now["mtime_ns"] and not verify else None
    same_times = all(stored.get(k) == now[k] for k in ("mtime_ns", "ctime_ns"))
    if same_times and not verify:
        return {**now, "sha256": stored["sha256"]}
    try:
        digest = _sha256(path)
    except OSError:
        return None
    return {**now, "sha256": digest} if digest == stored["sha256"] else None


def _same_file_key(fp: Any) -> str | None:
    """An input's size and modification time, and its sidecar's (a file moved or copied
    keeps them; the ``ctime`` and SHA-256 are left out, so an entry of an earlier version
    compares too), as text: :func:`_folder_rows` finds where an earlier input went."""
    if not isinstance(fp, dict):
        return None
    side = fp.get("sidecar")
    key = {
        "size": fp.get("size"),
        "mtime_ns": fp.get("mtime_ns"),
        "sidecar": (
            {"size": side.get("size"), "mtime_ns": side.get("mtime_ns")}
            if isinstance(side, dict)
            else None
        ),
    }
    return json.dumps(key, sort_keys=True)


def _load_manifest(out_dir: Path, *, shards: bool = True) -> dict[str, Any]:
    """Every file entry of ``manifest.json`` and (``shards``) of the shards' manifests in
    ``out_dir``.

    Where several manifests describe one stem, the entry made last wins (``scored_ns``;
    an entry without it, from an earlier version, counts as oldest): a study scored by
    shards, collated and then scored again with other settings is described by the
    whole-study manifest, not by the shards' older entries. Between entries of one time,
    a later manifest's ok entry wins (a shard's over ``manifest.json``).
    """
    files: dict[str, Any] = {}
    paths = [out_dir / "manifest.json"]
    if shards:
        paths += sorted(out_dir.glob("manifest-shard-*-of-*.json"))
    for p in paths:  # loop over a few manifests
        if not p.exists():
            continue
        try:
            data = json.loads(p.read_text())
        except (OSError, ValueError):
            continue
        entries = data.get("files", {}) if isinstance(data, dict) else {}
        for stem, entry in entries.items() if isinstance(entries, dict) else ():
            if not isinstance(entry, dict):
                continue
            if stem not in files:
                files[stem] = entry
                continue
            new, old = _scored_ns(entry), _scored_ns(files[stem])
            if new > old or (new == old and entry.get("status") == "ok"):
                files[stem] = entry
    return files


def _scored_ns(entry: dict[str, Any]) -> int:
    """When a manifest entry was made (``time.time_ns()``; -1 for an entry without it)."""
    t = entry.get("scored_ns")
    return t if isinstance(t, int) and not isinstance(t, bool) else -1


def _save_manifest(
    out_dir: Path, files: dict[str, Any], shard: tuple[int, int] | None = None
) -> None:
    name = f"manifest{_shard_tag(shard)}.json"
    data = json.dumps({"movement_version": __version__, "files": files}, indent=1, sort_keys=True)
    try:
        atomic_write(out_dir / name, data + "\n")
    except OSError as exc:
        raise _cannot_write(out_dir, name, exc) from None


#: How many summaries this process has written (the command line points at one after an
#: interrupt only when this run wrote it).
SUMMARIES_WRITTEN = 0


def _save_summary(rows: list[dict[str, Any]], out_dir: Path, shard: tuple[int, int] | None) -> None:
    name = _summary_name(shard)
    try:
        write_summary(rows, out_dir, name)
    except OSError as exc:
        raise _cannot_write(out_dir, name, exc) from None
    global SUMMARIES_WRITTEN
    SUMMARIES_WRITTEN += 1


def _cannot_write(out_dir: Path, name: str, exc: OSError) -> MovementError:
    """One line naming the output folder (a full disk, a folder made read-only)."""
    return MovementError(
        f"the output folder {out_dir} (--out): cannot write {name} ({_os_reason(exc)})"
    )


def _progress(it: Iterator[Any], total: int, enabled: bool) -> Iterator[Any]:
    """A progress bar of files on a terminal (:func:`movement._progress.progress`)."""
    from ._progress import progress

    return progress(it, total, enabled)


def score_options(opts: Any) -> ScoreOptions:
    """``opts`` of :func:`score_batch` as a :class:`ScoreOptions`: itself, None (the
    defaults) or a dict of its fields (``{"model": "rules", "settings": Settings()}``),
    checked before any file is scored: ``settings`` must be a :class:`Settings`, ``model``
    ``"default"``, ``"rules"`` or a model file's path (a batch's workers load it). Anything
    else is one :class:`~movement.errors.MovementError` saying what is accepted.

    Examples
    --------
    >>> score_options({"model": "rules"}).model
    'rules'
    >>> score_options({"modell": "rules"})
    Traceback (most recent call last):
    ...
    movement.errors.MovementError: options: ScoreOptions has no field 'modell' (its fields: settings, model, fs, modality, channels, format, report, max_plots, per, annotations, collect, debug, threads, window_progress)
    """
    from dataclasses import fields

    from .config import AccelConfig, EMGConfig

    if opts is None:
        return ScoreOptions()
    if isinstance(opts, dict):
        known = [f.name for f in fields(ScoreOptions)]
        unknown = [str(k) for k in opts if k not in known]
        if unknown:
            raise MovementError(
                f"options: ScoreOptions has no field {', '.join(repr(k) for k in unknown)} "
                f"(its fields: {', '.join(known)})"
            )
        opts = ScoreOptions(**opts)
    elif not isinstance(opts, ScoreOptions):
        raise MovementError(
            "options must be a ScoreOptions (movement.batch.ScoreOptions(settings=..., "
            "model=...)) or a dict of its fields ({'model': 'rules'}), got "
            f"{type(opts).__name__}"
        )
    if not isinstance(opts.settings, Settings):
        hint = (
            f": one modality's config goes in Settings({opts.settings.modality}=...)"
            if isinstance(opts.settings, (EMGConfig, AccelConfig))
            else ": overrides go through Settings().with_overrides([...])"
        )
        raise MovementError(
            f"options: settings must be a Settings, got {type(opts.settings).__name__}{hint}"
        )
    plots = opts.max_plots
    if not isinstance(plots, numbers.Integral) or isinstance(plots, bool) or plots < 0:
        raise MovementError(
            f"options: max_plots must be a whole number of event plots, 0 or more, got {plots!r}"
        )
    if type(plots) is not int:  # (a numpy integer: kept as a plain int)
        opts = replace(opts, max_plots=int(plots))
    if opts.model is None or isinstance(opts.model, os.PathLike):  # (as movement.score)
        opts = replace(opts, model="default" if opts.model is None else os.fspath(opts.model))
    if not isinstance(opts.model, str) or not opts.model:
        raise MovementError(
            "options: model must be 'default', 'rules' or a model file's path (a batch's "
            f"workers load it), got {type(opts.model).__name__}"
        )
    return opts


def score_batch(
    paths: Sequence[str | Path] | str | Path,
    out_dir: str | Path,
    opts: ScoreOptions | dict[str, Any] | None = None,
    *,
    jobs: int = 1,
    backend: str = "loky",
    scheduler: str | None = None,
    resume: bool = True,
    progress: bool = True,
    shard: tuple[int, int] | None = None,
    on_row: Callable[[dict[str, Any]], None] | None = None,
    unsearched: Sequence[tuple[str | Path, str]] = (),
    verify_inputs: bool = False,
    **misplaced: Any,
) -> list[dict[str, Any]]:
    """Score files in parallel and write ``summary.tsv``; returns the summary rows.

    The options (settings, model, rate...) are one argument, ``opts``: a
    :class:`ScoreOptions`, or a dict of its fields (:func:`score_options` checks either
    before anything is scored)::

        from movement import Settings
        from movement.batch import ScoreOptions, score_batch

        s = Settings().with_overrides(["accel.k_on=5"])
        score_batch(["a.csv", "b.csv"], "out", ScoreOptions(settings=s, model="rules"))
        score_batch(["a.csv", "b.csv"], "out", {"settings": s, "model": "rules"})

    Parameters
    ----------
    paths : sequence of str or Path, or one
        Recordings, folders and glob patterns: folders and patterns are expanded with
        :func:`movement.io.find_recordings` (:func:`expand_inputs`); a file that does not
        exist gets a "no such file" summary row.
    out_dir : path
        Output folder (created). Each file's outputs are named by :func:`output_stems`:
        a folder that already holds other recordings' results keeps them.
    opts : ScoreOptions or dict, optional
        What decides the results (settings, model, rate, modality, channels, format) and
        what is written (report, per-period tables, annotations); the defaults when
        omitted. A field given to ``score_batch`` itself (``settings=``, ``model=``) is
        refused, saying it goes in ``opts``.
    jobs : int
        Worker processes (``-1``: all cores).
    backend : {"loky", "dask"}
        ``dask`` runs the same batch on a Dask cluster, a task per file (``movement[dask]``).
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``); a local cluster when omitted.
    resume : bool
        Skip files already scored with the same inputs and parameters (as recorded in
        ``manifest.json`` or in any shard's manifest). An input whose size, modification
        and status-change times are those recorded is the same without being read; one
        whose times differ is read, and its SHA-256 (recorded when it was scored)
        decides (:func:`_unchanged`).
    verify_inputs : bool
        Read every input resumed and compare its SHA-256 with the one recorded, whatever
        its times say (a file system whose status-change time says nothing of writes).
    shard : (k, n), optional
        Score only the files of shard ``k`` of ``n`` (:func:`shard_of`; one copy of a
        cluster array job, see :func:`parse_shard`), recording them in
        ``manifest-shard-K-of-N.json`` and ``summary-shard-K-of-N.tsv``. The returned rows
        are that shard's.
    on_row : callable, optional
        Called with each file's summary row as it is scored (in the order files finish;
        not for files resumed): the command line's line of each file as it finishes.
    unsearched : sequence of (folder, reason), optional
        Folders that could not be searched (no permission): each gets an error row
        ("cannot be searched (reason); its recordings are left out", with
        ``"unsearched": True``) in the summary and the returned rows, after the files'. A
        folder of ``paths`` (or a subfolder of one) that cannot be searched is added.

    Returns
    -------
    list of dict
        The files' summary rows, in the order of ``paths`` (a file resumed has
        ``"resumed": True``), then the rows of ``unsearched``. A Dask batch whose cluster
        failed, or had no worker for :data:`DASK_NO_WORKER_S` seconds, returns too: the
        files it did not score have error rows saying why.

    ``summary.tsv`` lists these rows, then the rows of the folder's other files from
    earlier runs (see :func:`_folder_rows`: both ok and failed; one whose input is no
    longer found says so in its message). While the batch runs, the summary is written
    again every :data:`SUMMARY_EVERY_S` seconds, the files not scored yet saying so, so
    that a batch killed outright (``kill -9``) leaves no summary of an earlier run.

    Examples
    --------
    Two simulated wrist recordings (with their sidecars) scored into a folder, with the
    rule-based classifier, and one table of all their events (``collect``):

    >>> import tempfile
    >>> from movement.simulate import simulate, write_simulation
    >>> folder = Path(tempfile.mkdtemp())
    >>> for i in range(2):
    ...     _ = write_simulation(simulate("accel", 60, seed=i), folder / "in", f"wrist{i}")
    >>> opts = ScoreOptions(model="rules", collect=True)
    >>> rows = score_batch(folder / "in", folder / "out", opts, progress=False)
    >>> [(Path(r["file"]).name, r["status"], r["n_events"] > 0) for r in rows]
    [('wrist0.csv', 'ok', True), ('wrist1.csv', 'ok', True)]
    >>> sorted(p.name for p in (folder / "out").glob("*.tsv"))
    ['events_all.tsv', 'summary.tsv', 'wrist0_events.tsv', 'wrist1_events.tsv']

    The same call again skips both: inputs and parameters unchanged, outputs whole.

    >>> again = score_batch(folder / "in", folder / "out", opts, progress=False)
    >>> [r.get("resumed") for r in again]
    [True, True]

    Options as a dict; a setting changed scores the files again:

    >>> s = Settings().with_overrides(["accel.k_on=6"])
    >>> rows = score_batch(folder / "in", folder / "out", {"model": "rules", "settings": s},
    ...                    progress=False)
    >>> [r.get("resumed", False) for r in rows]
    [False, False]
    """
    if misplaced:
        from dataclasses import fields

        known = {f.name for f in fields(ScoreOptions)}
        options = [k for k in misplaced if k in known]
        if not options:  # (as Python says it of any other name)
            raise TypeError(
                f"score_batch() got an unexpected keyword argument {next(iter(misplaced))!r}"
            )
        given = ", ".join(f"{k}=" for k in options)
        raise MovementError(
            f"score_batch takes {given} in its options: "
            f"score_batch(paths, out, ScoreOptions({given.replace('=', '=...')})) or "
            f"score_batch(paths, out, {{{', '.join(repr(k) + ': ...' for k in options)}}}) "
            "(movement.batch.ScoreOptions)"
        )
    opts = score_options(opts)
    inputs = _as_list(paths)
    paths, blocked = _expand_searched(inputs)
    blocked = [*((str(f), str(why)) for f, why in unsearched), *blocked]
    if inputs and not paths and not blocked:
        raise MovementError("no recordings found in: " + " ".join(str(i) for i in inputs))
    if backend not in ("loky", "dask"):
        raise MovementError(f"unknown backend {backend!r}; use loky or dask")
    # a cluster is reached before the output folder is made: an address nobody answers at
    # leaves nothing behind
    client = _connect(scheduler) if backend == "dask" else None
    try:
        out = output_folder(out_dir)
        with _output_lock(out, shard):
            say_model_settings(opts)  # (once for the batch, not in every file's row)
            return _score_into(
                paths, out, opts, jobs=jobs, backend=backend, scheduler=scheduler,
                resume=resume, progress=progress, shard=shard, on_row=on_row, client=client,
                unsearched=list(dict.fromkeys(blocked)), verify_inputs=verify_inputs,
            )  # fmt: skip
    finally:
        if client is not None:
            _close_client(client)


#: What :mod:`movement.io` warns of a subfolder it could not search.
_UNSEARCHED = re.compile(r"^(?P<folder>.*): cannot be searched \((?P<why>.*?)\); its recordings")


def _expand_searched(inputs: list[Any]) -> tuple[list[Path], list[tuple[str, str]]]:
    """:func:`expand_inputs`, and the subfolders it could not search (folder, reason),
    taken from its warnings (an error row each in the summary, not a warning); other
    warnings are warned again."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paths = expand_inputs(inputs)
    blocked = []
    for w in caught:
        m = _UNSEARCHED.match(str(w.message))
        if m and issubclass(w.category, UserWarning):
            blocked.append((m["folder"], m["why"]))
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return paths, blocked


def _connect(scheduler: str | None) -> Any:
    """A Dask client of ``scheduler`` (None: a local cluster, made once the files to score
    are known), or a :class:`MovementError` saying what is missing or not answering; the
    worker wait (:data:`DASK_NO_WORKER_S`) checked too."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise MovementError("--backend dask needs: pip install 'movement[dask]'") from None
    _no_worker_s()  # (a bad MOVEMENT_DASK_NO_WORKER_S: said before anything is made)
    if not scheduler:
        return None
    try:
        return Client(scheduler, timeout=f"{DASK_WAIT_S:g}s")
    except (OSError, TimeoutError) as exc:  # (an address nobody answers at)
        said = (str(exc).strip().splitlines() or [""])[0]
        raise MovementError(
            f"--scheduler {scheduler}: no Dask scheduler answered within "
            f"{DASK_WAIT_S:g} s ({type(exc).__name__}{': ' + said if said else ''})"
        ) from None


def output_folder(out_dir: str | Path) -> Path:
    """``out_dir`` made (with its parents) and checked writable, before anything is
    written: one line otherwise (a file of that name, no permission, a read-only disk).
    What every command that writes into an ``--out`` folder calls first."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise MovementError(f"the output folder {out} (--out) is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MovementError(
            f"the output folder {out} (--out): cannot create it ({_os_reason(exc)})"
        ) from None
    _check_writable(out)
    return out


def _check_writable(out: Path) -> None:
    """Refuse an output folder no file can be written into (read-only, no permission),
    before anything is scored (a temporary file is created in it and removed)."""
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(prefix=".movement-check.", suffix=".tmp", dir=out)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise MovementError(
            f"the output folder {out} (--out): cannot write into it ({_os_reason(exc)})"
        ) from None


#: The lock file a batch holds in its output folder (``fcntl.flock``).
LOCK_NAME = ".movement.lock"


@contextmanager
def _output_lock(
    out: Path, shard: tuple[int, int] | None, busy: str | None = None
) -> Iterator[None]:
    """Hold the output folder for one batch: two batches writing into one folder at
    once lose each other's results (each rewrites the manifest and summary).

    A whole-study run locks ``.movement.lock`` exclusively; a shard run takes it shared
    plus ``.movement-shard-K-of-N.lock`` exclusively, so the shards of one array job run
    together, but never with a whole-study run, and one shard never twice at once. A
    lock already taken is a :class:`MovementError`; where the file system has no locks
    (or no ``fcntl``: Windows) the batch goes on without one.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    wanted = [(LOCK_NAME, fcntl.LOCK_SH if shard else fcntl.LOCK_EX)]
    if shard is not None:
        wanted.append((f".movement{_shard_tag(shard)}.lock", fcntl.LOCK_EX))
    held: list[int] = []
    try:
        for name, mode in wanted:
            try:
                fd = os.open(out / name, os.O_RDWR | os.O_CREAT, 0o666)
            except OSError:
                break  # no lock file: no lock
            held.append(fd)
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
            except BlockingIOError:
                raise MovementError(
                    busy
                    or f"another `movement score` is writing results into {out}; wait for "
                    "it to end, or score into another --out"
                ) from None
            except OSError:
                break  # a file system without locks: go on without
        yield
    finally:
        for fd in held:
            # (unlocked explicitly: a forked worker still holding a copy of the descriptor
            # would otherwise keep the lock)
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            except OSError:
                pass
            os.close(fd)


def _score_into(
    paths: list[Path],
    out: Path,
    opts: ScoreOptions,
    *,
    jobs: int,
    backend: str,
    scheduler: str | None,
    resume: bool,
    progress: bool,
    shard: tuple[int, int] | None,
    on_row: Callable[[dict[str, Any]], None] | None = None,
    client: Any = None,
    unsearched: Sequence[tuple[str, str]] = (),
    verify_inputs: bool = False,
) -> list[dict[str, Any]]:
    """:func:`score_batch`'s work once the output folder exists, is writable and locked
    (``client``: the Dask client of ``scheduler``, connected before the folder was made)."""
    key = opts.key()
    by_modality = {m: opts.key(m) for m in ("emg", "accel")}
    claimed = _load_manifest(out)
    # files scored here before keep their names; a shard reads only the whole-study
    # manifest for them (written by no shard): the same names in every shard of an array
    # job, while the others write their manifests
    stems = output_stems(paths, out, shards=shard is None)
    mine = list(range(len(paths)))
    if shard is not None:
        mine = [i for i in mine if shard_of(stems[i], shard[1]) == shard[0]]
    known = claimed if resume else {}
    # what this run's manifest keeps: its own files (a shard), or every file known (also
    # with --no-resume: the folder's other results stay recorded, and so never overwritten)
    manifest = {stems[i]: claimed[stems[i]] for i in mine if stems[i] in claimed}
    if shard is None:
        manifest = dict(claimed)
    rows: dict[int, dict[str, Any]] = {}
    todo = []
    refreshed = False  # (a file found the same by its content: its new times recorded)
    for i in mine:
        p, stem = paths[i], stems[i]
        other = claimed.get(stem, {}).get("source") if isinstance(claimed.get(stem), dict) else None
        if other is not None and other != str(p.resolve()):  # (a shard's name: taken here)
            rows[i] = {
                **summarise(str(p), error=f"its output name {stem} holds the results of "
                f"{other} in {out}; score it into another --out"),
                "stem": stem,
            }  # fmt: skip
            continue
        entry = known.get(stem)
        fresh = None
        if (
            entry is not None
            and entry.get("status") == "ok"
            and _same_key(entry, key, by_modality)
            and entry.get("source") == str(Path(p).resolve())
            and _outputs_intact(out, stem, entry, opts)
        ):  # (then the input itself: this may read it)
            fresh = _unchanged(entry.get("fingerprint"), Path(p), verify_inputs)
        if entry is not None and fresh is not None:
            if fresh != entry.get("fingerprint"):  # (found the same by its content)
                manifest[stem] = {**entry, "fingerprint": fresh}
                refreshed = True
            rows[i] = {**entry["row"], "stem": stem, "resumed": True}
        else:
            todo.append(i)
    # folders that could not be searched: an error row each (their recordings are unknown)
    blocked = [
        {
            **summarise(str(folder), error=f"cannot be searched ({why}); its recordings are left out"),
            "unsearched": True,
        }
        for folder, why in unsearched
    ]  # fmt: skip

    owned = None  # (a local Dask cluster made here, in the try below: closed here)
    n_jobs = _n_jobs(jobs)
    serial = backend == "loky" and (n_jobs == 1 or len(todo) <= 1)
    if serial and len(todo) == 1 and n_jobs > 1:
        # one file and spare cores: a large file's stream windows share them (same results)
        opts = replace(opts, threads=n_jobs)
    if serial and len(todo) == 1 and progress:
        opts = replace(opts, window_progress=True)  # one file: its windows' progress

    def record(i: int, row: dict[str, Any]) -> None:
        """A file's row, and its manifest entry (the newest entry of a stem wins)."""
        fp = row.pop("_fingerprint", None)  # (the worker's, taken before it read the file)
        rows[i] = row
        if on_row is not None:
            on_row(row)
        p = Path(paths[i])
        scored_as = row.get("modality")
        if fp is None:
            try:
                fp = _fingerprint(p) if p.exists() else None
            except OSError:
                fp = None
        manifest[stems[i]] = {
            "source": str(p.resolve()),
            "fingerprint": fp,
            "key": key,
            **({f"key_{scored_as}": by_modality[scored_as]} if scored_as in by_modality else {}),
            "status": row["status"],
            "row": {k: v for k, v in row.items() if k != "stem"},
            "scored_ns": time.time_ns(),
            # (what resume checks is still there: _outputs_intact)
            **({"outputs": _outputs_of(stems[i], opts)} if row["status"] == "ok" else {}),
        }

    def summary_now(why: tuple[str, str]) -> list[dict[str, Any]]:
        """The summary's rows so far: files not scored (yet) say ``why``."""
        now = [rows.get(i) or _not_reached(paths[i], stems[i], manifest, out, *why) for i in mine]
        return _folder_rows([*now, *blocked], manifest, out, shard)

    interrupted = False
    stopped = None  # why the batch stopped before every file was scored (a cluster failure)
    late: list[tuple[int, dict[str, Any]]] = []  # files finished while the batch stopped
    results: Any = None
    try:
        if backend == "dask" and client is None:
            client = owned = _local_client(max(1, min(n_jobs, len(todo))), opts.debug)
        if client is not None and todo:
            _wait_for_workers(client, scheduler)
        from ._memory import heap_reuse

        # files scored here and in forked workers reuse the heap's memory from file to file,
        # without numpy's hugepages (see _memory.set_hugepage)
        # (eight 4 h accelerometer files: 6.4 s instead of 7.3-7.6 s on one worker, 3.8-3.9 s
        # instead of 4.1-4.3 s on two)
        with heap_reuse():
            if serial:
                results = (_indexed(i, Path(paths[i]), stems[i], out, opts) for i in todo)
            elif backend == "loky":
                tasks = [(i, Path(paths[i]), stems[i], out, opts) for i in todo]
                results = _with_parent(tasks, n_jobs, late)
            else:
                # absolute paths: a worker's working folder is not this one (the summary
                # rows still name each file as it was given)
                tasks = [
                    (i, Path(paths[i]).absolute(), stems[i], out.absolute(), opts, str(paths[i]))
                    for i in todo
                ]
                results = _on_dask(client, tasks, late)
            interrupted = True  # until the loop ends
            if todo:
                # a summary of an earlier run must not pass for this one's (after a kill -9
                # the folder holds no other): written now, and again every SUMMARY_EVERY_S
                _save_summary(summary_now(_RUNNING), out, shard)
            written = time.monotonic()
            for i, row in _progress(results, len(todo), progress):
                record(i, row)
                _save_manifest(out, manifest, shard)
                if time.monotonic() - written >= SUMMARY_EVERY_S:
                    _save_summary(summary_now(_RUNNING), out, shard)
                    written = time.monotonic()
            interrupted = False
    except MovementError:
        raise
    except Exception as exc:
        if client is None:
            raise
        # a scheduler lost mid-batch: the files not scored say so (below), exit code 1
        said = (str(exc).strip().splitlines() or [""])[0]
        stopped = (
            f"the Dask cluster failed ({type(exc).__name__}{': ' + said if said else ''}); "
            "run it again to go on"
        )
        interrupted = False
    finally:
        if results is not None and hasattr(results, "close"):
            results.close()  # (its workers stopped; the files they finished meanwhile: late)
        for i, row in late:  # (written whole before the batch stopped: recorded)
            if i not in rows:
                record(i, row)
        if late:
            _save_manifest(out, manifest, shard)
        if owned is not None:
            _close_client(owned)
        if interrupted:  # Ctrl-C, SIGTERM: what was done is said
            _save_summary(summary_now(_INTERRUPTED), out, shard)
    if stopped is not None:
        for i in mine:
            if i not in rows:
                rows[i] = _not_reached(paths[i], stems[i], manifest, out, "not scored", stopped)
    if opts.report:  # (pages of files resumed whose events table changed since: drawn again)
        for i in mine:
            r = rows.get(i)
            if r is not None and r.get("resumed") and r.get("status") == "ok":
                _redraw_if_stale(Path(paths[i]), stems[i], out, opts, r)
    ordered = [rows[i] for i in mine]
    if manifest and (shard is None or refreshed):
        # (with what shards recorded: nothing left to score; and the times of files
        # found the same by their content)
        _save_manifest(out, manifest, shard)
    folder = _folder_rows([*ordered, *blocked], manifest, out, shard)
    earlier = folder[len(ordered) + len(blocked) :]  # (files of earlier runs: no line of theirs)
    said_before = [str(r.get("message") or "") for r in earlier]
    for period in opts.per:  # (before the summary: a table not made is said in its row)
        _write_periods(folder, out, period, shard, opts.debug)
    for period in PER_TABLES:  # (a batch table not asked for: no rows of outdated tables)
        if period not in opts.per and _is_file(
            out / f"summary_per_{period}{_shard_tag(shard)}.tsv"
        ):
            _write_periods(folder, out, period, shard, opts.debug, make=False)
    for fmt in opts.annotations:
        _write_annotations(folder, out, fmt, opts.debug)
    if opts.collect or _is_file(out / f"{COLLECTED_NAME}{_shard_tag(shard)}.tsv"):
        _write_collected(folder, out, shard, debug=opts.debug)
    for r, was in zip(earlier, said_before, strict=True):  # (what the tables said of them)
        now = str(r.get("message") or "")
        if now != was:
            warnings.warn(
                f"{r.get('file')}: {now[len(was) :].lstrip('; ')}", UserWarning, stacklevel=3
            )
    _save_summary(folder, out, shard)
    return [*ordered, *blocked]


#: Seconds between the summaries a running batch writes (from the manifest and the rows so
#: far: a batch killed with SIGKILL leaves one that says so). 200 small files' summary is
#: written in ~10 ms.
SUMMARY_EVERY_S = 10.0

#: Why a file has no results in a running batch's summary (the summary written every
#: :data:`SUMMARY_EVERY_S`: if the batch was killed, it still says so): (what, why).
_RUNNING = (
    "not scored (yet)",
    "the batch was running when this summary was written; if it is no longer running, it "
    "was stopped (run it again to go on)",
)
#: Why a file has no results in an interrupted batch's summary.
_INTERRUPTED = ("not scored", "the batch was interrupted (run it again to go on)")


def _outputs_of(stem: str, opts: ScoreOptions) -> list[str]:
    """The outputs a file scored with ``opts`` has (their names, in the manifest)."""
    names = [f"{stem}_events.tsv", f"{stem}_events.json"]
    return [*names, f"{stem}_report.html"] if opts.report else names


def _outputs_intact(out: Path, stem: str, entry: dict[str, Any], opts: ScoreOptions) -> bool:
    """Whether a file scored before still has its outputs, so resuming may skip it: every
    output its manifest entry lists (the events table and its JSON sidecar for an entry
    from before they were listed; the page too when ``--report`` asks for one now), and an
    events table of as many events as the entry recorded (a table cut short, emptied or
    of another scoring is scored again; a reviewer's edits keep its rows). Cheap: a stat
    per output and one read of the events table."""
    names = entry.get("outputs")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        names = _outputs_of(stem, replace(opts, report=False))
    page = f"{stem}_report.html"  # (checked when asked for now: deleting pages is no damage)
    names = [n for n in names if n != page] + ([page] if opts.report else [])
    if not all(_is_file(out / n) for n in names):
        return False
    expected = (entry.get("row") or {}).get("n_events")
    if not isinstance(expected, int) or isinstance(expected, bool):
        return True
    return _event_rows(out / f"{stem}_events.tsv") == expected


def _page_stale(out: Path, stem: str) -> bool:
    """Whether ``<stem>_report.html`` is older than ``<stem>_events.tsv``: the table was
    changed after the page was drawn (``movement review apply``, a reviewer's edit)."""
    try:
        page = (out / f"{stem}_report.html").stat().st_mtime_ns
        return (out / f"{stem}_events.tsv").stat().st_mtime_ns > page
    except OSError:
        return False


def _redraw_if_stale(
    path: Path, stem: str, out: Path, opts: ScoreOptions, row: dict[str, Any]
) -> None:
    """A file resumed with ``--report``: its review page drawn again from its events table
    when the table is newer than the page (its decisions applied since), as ``movement
    report FILE --events OUT`` draws it (the recording read as it was scored). ``row`` gets
    ``redrawn`` (the page's name); a page that cannot be drawn again is removed (it shows
    the events before the table's changes; the next ``--report`` scores the file again,
    with its page), said in the row's message."""
    if not _page_stale(out, stem):
        return
    from .report import report_one

    page = out / f"{stem}_report.html"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # (said when the file was scored)
            report_one(
                path, stem, out, out, opts.settings, opts.channels, fs=opts.fs,
                modality=opts.modality, model=opts.model, max_plots=opts.max_plots,
                format=opts.format,
            )  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - one page must not stop a batch
        if opts.debug:
            raise
        try:
            page.unlink(missing_ok=True)
            gone = "removed: --report scores the file again, with its page"
        except OSError:
            gone = "it is outdated"
        said = (
            f"its {page.name} is older than its events table and could not be drawn again "
            f"({str(exc).replace(f'{path}: ', '')}); {gone}"
        )
        row["message"] = "; ".join(m for m in (row.get("message"), said) if m)
        return
    row["redrawn"] = page.name


def _event_rows(path: Path) -> int:
    """The data rows of an events table (-1: unreadable): its lines less the header, or,
    where a quoted field holds a line break (a reviewer's comment), its TSV records."""
    try:
        data = path.read_bytes()
    except OSError:
        return -1
    if not data:
        return -1
    lines = data.count(b"\n") + (not data.endswith(b"\n"))
    if b'"' not in data:
        return lines - 1
    import csv
    import io

    text = data.decode("utf-8", "replace")
    return sum(1 for rec in csv.reader(io.StringIO(text), delimiter="\t") if rec) - 1


#: The table of every event of every recording scored into an output folder
#: (:func:`collect_events`): ``events_all.tsv`` and its sidecar ``events_all.json``; never
#: a recording's name (those end in ``_events.tsv``). A shard's is
#: ``events_all-shard-K-of-N.tsv``.
COLLECTED_NAME = "events_all"

#: The collected tables' names, as ``exclude`` patterns of :func:`movement.io.find_recordings`:
#: a folder of results scored again does not take them for recordings.
COLLECTED_TABLES = (f"{COLLECTED_NAME}.tsv", f"{COLLECTED_NAME}-shard-*-of-*.tsv")

#: Review columns every collected table has (n/a where no reviewer filled them).
_REVIEW_COLUMNS = ("review_status", "reviewer", "comment", "original_trial_type")


def collect_events(out_dir: str | Path, *, decisions: str | Path | None = None) -> Path:
    """Write one table of every event of every recording scored into ``out_dir``:
    ``events_all.tsv``, with its sidecar ``events_all.json``; returns the table's path.

    What ``movement collect OUT`` runs, and ``movement score --collect`` at the end of a
    batch (``ScoreOptions(collect=True)``). Each row is an event of a recording's
    ``<stem>_events.tsv`` as it is now, after ``file`` (the recording, as ``summary.tsv``
    names it: as it was given, so the two tables join on it), ``stem`` (its output
    name), ``modality`` and ``units`` (its events sidecar's: the unit of the row's
    ``peak_amplitude`` and ``rms``, g, mV or a.u.), with the table's own columns, and
    ending in ``parameters_hash`` and ``movement_version`` (its events sidecar's: what scored it). The recordings come in
    the order of their ``file``, each one's events in its table's order: the same bytes
    for the same folder, after a batch or on its own.

    Reviews: the events tables as reviewers left them, so a review filled into a table
    (``review_status``, ``reviewer``, ``comment``; a relabelled event's new class in
    ``trial_type``) is in the collected table, its statuses spelled as
    :data:`movement.review.STATUSES` (``accept`` -> ``accepted``). The decisions a review
    page exported (``<stem>_decisions.tsv``, also ``<stem>_decisions (1).tsv``, newer ones
    last) in ``decisions`` (default: ``out_dir``) are applied on top, as
    ``movement train --reviewed`` applies them (:func:`movement.review.apply_decisions`).
    Rejected events stay in the table, with ``review_status`` ``rejected``: leave them out
    to count as ``summary.tsv`` and the per-day tables do. The backups of earlier reviews
    (``<stem>_events_reviewed-<k>.tsv``) are not read: scoring again carried them over.
    Collect again after a review: the table is not updated by itself (but every
    ``movement score`` into the folder makes it again once it is there, as
    ``--collect``). Decisions that could not be applied are said, one warning each: those
    :func:`~movement.review.apply_decisions` did not apply (no event at that onset...), a
    decisions file that cannot be read, and one of no recording scored here (no
    ``<stem>_events.tsv``: another folder's, or a file renamed); the sidecar lists them
    too (``decisions_not_applied``: whole files).

    Recordings the summary lists as failed have no events table here; the sidecar says
    how many recordings the table covers, which failed (with the summary's message) and
    which were left out (an events table that cannot be read), with their reasons.

    Parameters
    ----------
    out_dir : str or Path
        A folder ``movement score`` (or :func:`score_batch`) wrote results into: its
        ``manifest.json`` (or shards' manifests) list the recordings.
    decisions : str or Path, optional
        A folder of decisions files exported from review pages; default ``out_dir``.

    Returns
    -------
    Path
        ``out_dir / "events_all.tsv"`` (written whole or not at all, with its sidecar).

    Warns
    -----
    UserWarning
        Recordings left out (an events table that cannot be read), or failed: how many;
        each decision (or decisions file) not applied, and why.

    Raises
    ------
    MovementError
        ``out_dir`` is no output folder of ``movement score``, a batch is writing into
        it, or the table cannot be written. A folder that does not exist (``out_dir``,
        ``decisions``) is a :class:`~movement.errors.NoSuchFileError`.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from movement.simulate import simulate, write_simulation
    >>> folder = Path(tempfile.mkdtemp())
    >>> for i in range(2):
    ...     _ = write_simulation(simulate("accel", 60, seed=i), folder / "in", f"rec{i}")
    >>> rows = score_batch(folder / "in", folder / "out", {"model": "rules"}, progress=False)
    >>> table = pd.read_csv(collect_events(folder / "out"), sep="\\t")
    >>> sorted(set(table["stem"])), len(table) == sum(r["n_events"] for r in rows)
    (['rec0', 'rec1'], True)
    >>> import json
    >>> json.loads((folder / "out" / "events_all.json").read_text())["recordings"]["n_in_table"]
    2
    """
    from .errors import NoSuchFileError

    out = Path(out_dir)
    if not out.exists():
        raise NoSuchFileError("no such folder", str(out))
    if not out.is_dir():
        raise MovementError(f"{out}: not a folder (give the --out folder of movement score)")
    if not (out / "manifest.json").is_file() and not any(out.glob("manifest-shard-*-of-*.json")):
        raise MovementError(
            f"{out}: no manifest.json: not a folder movement score wrote results into"
        )
    folder = None if decisions is None else Path(decisions)
    if folder is not None and not folder.is_dir():
        raise NoSuchFileError("no such decisions folder", str(folder))
    busy = f"a `movement score` is writing results into {out}; collect once it has ended"
    with _output_lock(out, None, busy=busy):
        rows = _folder_rows([], _load_manifest(out), out, None)
        failed = _summary_failures(out)
        if failed is not None:  # (the summary's failures: folders not searched too)
            stems = {r.get("file"): r.get("stem") for r in rows}
            failed = [{**r, "stem": stems.get(r.get("file"))} for r in failed]
            rows = [r for r in rows if r.get("status") == "ok"] + failed
        table = _write_collected(rows, out, None, decisions=folder)
    meta = json.loads(table.with_suffix(".json").read_text(encoding="utf-8"))
    got = meta["recordings"]
    missing = [
        f"{n} {what}"
        for n, what in (
            (got["n_failed"], "failed (summary.tsv says why)"),
            (got["n_left_out"], f"left out (their events tables cannot be read; {table.stem}"
             ".json says why)"),
            (got.get("n_moved", 0), "moved or renamed since they were scored, and scored "
             "again under the new name (summary.tsv: status moved)"),
        )
        if n
    ]  # fmt: skip
    if missing:
        warnings.warn(
            f"{table.name} holds {got['n_in_table']} recording(s); not in it: "
            + ", ".join(missing),
            UserWarning,
            stacklevel=2,
        )
    # a reviewer's decisions not in the table: one line each (also in the sidecar)
    for entry in got["in_table"]:
        for note in entry.get("notes") or []:
            warnings.warn(f"{entry['file']}: {note}", UserWarning, stacklevel=2)
    for d in meta.get("decisions_not_applied", []):
        if not any(d["file"] in n for e in got["in_table"] for n in e.get("notes") or []):
            warnings.warn(f"{d['file']}: not applied ({d['why']})", UserWarning, stacklevel=2)
    return table


def apply_review(
    out_dir: str | Path, *, decisions: str | Path | None = None, debug: bool = False
) -> list[dict[str, Any]]:
    """Fold the decisions exported from review pages into the events tables of an output
    folder: what ``movement review apply OUT`` runs.

    Each ``<stem>_decisions.tsv`` (also ``<stem>_decisions (1).tsv`` as browsers name a
    second download; older ones first, so a newer one's decision of an event wins) in
    ``decisions`` (default: ``out_dir``) is applied to ``out_dir/<stem>_events.tsv`` with
    :func:`movement.review.read_decisions` and :func:`movement.review.apply_decisions`
    (the same matching as ``movement collect`` and ``movement train --reviewed``: an
    event at the decision's onset, on its channel, of its duration). A table the decisions
    change is written whole or not at all, after the table as it was is kept as
    ``<stem>_events_reviewed-<k>.tsv`` (as scoring again keeps a reviewed table); its
    sidecar gains the description of a column the decisions add (``original_trial_type``).
    Applying the same decisions again changes nothing, and writes nothing.

    The tables made from the events tables that the folder holds are made again from the
    reviewed tables: the per-day / per-hour / per-channel tables (where the batch's
    ``summary_per_<period>.tsv`` is there), annotation files already written, and
    ``events_all.tsv``.

    A decisions file of no recording in the folder (no ``<stem>_events.tsv``), or one that
    cannot be read, is an error of its own (its table is left as it was); the others are
    still applied.

    Parameters
    ----------
    out_dir : str or Path
        A folder ``movement score`` wrote results into.
    decisions : str or Path, optional
        The folder of the decisions files (default ``out_dir``).

    Returns
    -------
    list of dict
        One per events table decisions were found for: ``table`` (its name), ``decisions``
        (the files' names), ``status`` (``applied``, ``unchanged`` or ``error``),
        ``changed`` (events whose label or review changed), ``backup`` (the copy kept, or
        None), ``notes`` (decisions not applied, and why: one sentence each),
        ``not_applied`` (how many decisions were not applied, by why: ``{"match no
        event": 1}``; empty when all were) and ``message`` (for an error). A table left
        ``unchanged`` with ``not_applied`` did not hold those decisions: they match none
        of its events.

    Warns
    -----
    UserWarning
        A table made from the events that could not be made again (said why).

    Raises
    ------
    MovementError
        ``out_dir`` is not a folder, holds no decisions files, or a batch is writing into
        it. A folder that does not exist is a :class:`~movement.errors.NoSuchFileError`.
    """
    from .errors import NoSuchFileError
    from .review import _decision_files

    out = Path(out_dir)
    if not out.exists():
        raise NoSuchFileError("no such folder", str(out))
    if not out.is_dir():
        raise MovementError(f"{out}: not a folder (give the --out folder of movement score)")
    folder = out if decisions is None else Path(decisions)
    if not folder.is_dir():
        raise NoSuchFileError("no such decisions folder", str(folder))
    by_stem = _decision_files(folder)
    if not by_stem:
        raise MovementError(
            f"{folder}: no decisions files (<stem>_decisions.tsv, as a review page's "
            "'Export decisions (TSV)' names them)"
            + ("" if decisions is not None else "; give their folder with --decisions")
        )
    busy = (
        f"a `movement score` is writing results into {out}; apply the decisions once it has ended"
    )
    results = []
    with _output_lock(out, None, busy=busy):
        for stem, files in sorted(by_stem.items()):  # loop over the events tables
            results.append(_apply_to_table(out, stem, files, debug))
        if any(r["status"] == "applied" for r in results):
            for said in _refresh_tables(out, folder, debug):
                warnings.warn(said, UserWarning, stacklevel=2)
    return results


def _apply_to_table(out: Path, stem: str, files: list[Path], debug: bool) -> dict[str, Any]:
    """:func:`apply_review` of one events table: its result (see there)."""
    import numpy as np
    import pandas as pd

    from .output import COLUMN_DESCRIPTIONS, refuse_non_numbers
    from .review import _snap_to_table, apply_decisions, read_decisions

    tsv = out / f"{stem}_events.tsv"
    result: dict[str, Any] = {
        "table": tsv.name, "decisions": [f.name for f in files], "status": "error",
        "changed": 0, "backup": None, "notes": [], "not_applied": {}, "message": None,
    }  # fmt: skip
    if not tsv.is_file():
        result["message"] = (
            f"no {tsv.name} in {out}: no recording scored here has the output name {stem} "
            "(another folder's decisions, or a file renamed?)"
        )
        return result
    try:
        before = _read_events(tsv)
        if "onset" not in before.columns:
            raise MovementError(f"{tsv}: not an events table (no onset column)")
        typed = before["onset"].to_numpy(object)
        onset = pd.to_numeric(before["onset"], errors="coerce").to_numpy(np.float64)
        bad = np.flatnonzero(~np.isfinite(onset))
        if len(bad):
            refuse_non_numbers(str(tsv), "onset", typed, bad)
        events = before
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always", UserWarning)
            for f in files:  # loop over its decisions files, oldest first
                events = apply_decisions(events, _snap_to_table(read_decisions(f), events))
    except (MovementError, OSError, ValueError, KeyError) as exc:
        if debug:
            raise
        result["message"] = f"{str(exc).replace(f'{tsv}: ', '')}; {tsv.name} was left as it was"
        return result
    result["notes"] = list(dict.fromkeys(str(w.message) for w in said))
    from .review import not_applied

    # (decisions that match no event...: not applied, not "already in it")
    result["not_applied"] = not_applied(result["notes"])
    if "original_trial_type" not in before.columns and events["original_trial_type"].isna().all():
        events = events.drop(columns="original_trial_type")  # (no relabel: no new column)
    # (rows compared as written: the label, review and the probability of a new label)
    text = events_to_tsv(events)
    was = events_to_tsv(before.reindex(columns=events.columns)).split("\n")
    changed = sum(a != b for a, b in zip(was[1:], text.split("\n")[1:], strict=True))
    result["changed"] = changed
    if not changed:
        result["status"] = "unchanged"
        return result
    side = tsv.with_name(f"{stem}_events.json")
    items: list[tuple[Path, str]] = [(tsv, text)]
    try:
        meta = json.loads(side.read_text(encoding="utf-8")) if side.is_file() else None
    except (OSError, ValueError):
        meta = None
    if isinstance(meta, dict) and any(c not in meta for c in events.columns):
        for c in events.columns:  # (a column the decisions added: described)
            meta.setdefault(c, COLUMN_DESCRIPTIONS.get(c, {"Description": c}))
        items.append((side, json.dumps(meta, indent=2, ensure_ascii=False) + "\n"))
    try:
        kept = _backup(tsv, out, stem)
        atomic_write_all(items)
    except OSError as exc:
        if debug:
            raise
        result["message"] = f"cannot write {tsv.name} ({_os_reason(exc)}); it was left as it was"
        return result
    result.update(status="applied", backup=kept.name)
    return result


def _refresh_tables(out: Path, decisions: Path, debug: bool) -> list[str]:
    """The tables made from the events tables that ``out`` holds, made again after the
    events tables changed (:func:`apply_review`): per-period / per-channel tables where
    the batch's table is there, annotation files already written, ``events_all.tsv``.
    Returns what could not be made, one sentence each."""
    manifest = _load_manifest(out)
    if not manifest:
        return []
    rows = [dict(r) for r in _folder_rows([], manifest, out, None)]
    before = [str(r.get("message") or "") for r in rows]
    for period in PER_TABLES:
        if _is_file(out / f"summary_per_{period}.tsv"):
            _write_periods(rows, out, period, None, debug)
    for fmt in ANNOTATION_FORMATS:
        had = [r for r in rows if r.get("stem") and _is_file(annotation_path(out, r["stem"], fmt))]
        if had:
            _write_annotations(had, out, fmt, debug)
    if _is_file(out / f"{COLLECTED_NAME}.tsv"):
        _write_collected(rows, out, None, decisions=decisions, debug=debug)
    said = []
    for r, was in zip(rows, before, strict=True):
        now = str(r.get("message") or "")
        if now != was:
            said.append(f"{r.get('file')}: {now[len(was) :].lstrip('; ')}")
    return said


def _summary_failures(out: Path) -> list[dict[str, Any]] | None:
    """The rows ``summary.tsv`` gives as failed (``file`` and ``message``), or None where
    there is no summary to read."""
    import csv

    try:
        with open(out / _summary_name(None), newline="", encoding="utf-8") as fh:
            table = list(csv.DictReader(fh, delimiter="\t"))
    except (OSError, ValueError, csv.Error):
        return None
    return [
        {"file": r.get("file"), "status": r.get("status"), "message": r.get("message")}
        for r in table
        if r.get("status") not in (None, "ok")
    ]


def _write_collected(
    rows: list[dict[str, Any]],
    out: Path,
    shard: tuple[int, int] | None,
    *,
    decisions: Path | None = None,
    debug: bool = False,
) -> Path:
    """``events_all.tsv`` (a shard's: ``events_all-shard-K-of-N.tsv``) and its sidecar, of
    the recordings ``rows`` (summary rows with their ``stem``) give as scored
    (:func:`collect_events`); one whose table cannot be read is left out, and said in
    its row's message and the sidecar. Memory holds one recording's table at a time."""
    import hashlib
    from contextlib import ExitStack

    import pandas as pd

    from ._atomic import atomic_path
    from .export import read_bids_events
    from .output import events_to_tsv
    from .review import _decision_files

    scored = sorted(
        (r for r in rows if r.get("status") == "ok" and r.get("stem")),
        key=lambda r: (str(r.get("file")), str(r.get("stem"))),
    )
    failed = [
        {"file": r.get("file"), "message": r.get("message")}
        for r in rows
        if r.get("status") not in ("ok", "moved")
    ]
    # (inputs moved or renamed and scored again under the new name: the new rows hold
    # their events; left out, not counted twice)
    moved = [
        {"file": r.get("file"), "stem": r.get("stem"), "message": r.get("message")}
        for r in rows
        if r.get("status") == "moved"
    ]
    by_stem = _decision_files(decisions or out)
    # the columns: every table's, in the order first seen (a header read each)
    columns: list[str] = []
    for r in scored:
        try:
            head = pd.read_csv(out / f"{r['stem']}_events.tsv", sep="\t", nrows=0).columns
        except (OSError, ValueError):
            continue  # (said when it is read whole)
        if "onset" in head:  # (not an events table: left out, said below)
            columns.extend(c for c in map(str, head) if c not in columns)
    # (modality and units: each recording's, from its events sidecar: peak_amplitude and
    # rms are in g, mV or a.u. by recording)
    lead, tail = ["file", "stem", "modality", "units"], ["parameters_hash", "movement_version"]
    columns = [c for c in columns if c not in (*lead, *tail)]
    columns += [c for c in _REVIEW_COLUMNS if c not in columns]
    name = f"{COLLECTED_NAME}{_shard_tag(shard)}"
    covered: list[dict[str, Any]] = []
    left_out: list[dict[str, Any]] = []
    # decisions files of no recording scored here (a stem renamed, another study's
    # download, a recording that failed): applied to nothing, and said
    not_applied = _orphan_decisions(by_stem, scored, rows, out, shard)
    n_events = 0
    try:
        with ExitStack() as stack:
            tsv = stack.enter_context(atomic_path(out / f"{name}.tsv"))
            side = stack.enter_context(atomic_path(out / f"{name}.json"))
            with open(tsv, "w", encoding="utf-8", newline="") as fh:
                fh.write("\t".join([*lead, *columns, *tail]) + "\n")
                for r in scored:  # loop over the recordings
                    stem = r["stem"]
                    table = out / f"{stem}_events.tsv"
                    try:
                        data = table.read_bytes()
                        events = read_bids_events(table)
                        if "onset" not in events.columns:
                            raise ValueError("no onset column: not an events table")
                    except (MovementError, OSError, ValueError, KeyError) as exc:
                        if debug:
                            raise
                        why = str(exc).replace(f"{table}: ", "")
                        left_out.append({"file": r.get("file"), "stem": stem, "why": why})
                        said = f"not in {name}.tsv ({why})"
                        r["message"] = "; ".join(m for m in (r.get("message"), said) if m)
                        continue
                    events, notes, applied, bad = _reviewed(events, by_stem.get(stem, []), debug)
                    not_applied.extend(bad)
                    if notes:  # (said in its summary row too: a batch's line of the file)
                        said = f"{name}.tsv: " + "; ".join(notes)
                        r["message"] = "; ".join(m for m in (r.get("message"), said) if m)
                    # (what scored it: its events sidecar's, else its summary row's)
                    made = {k: events.attrs.get(k) or r.get(k) for k in tail}
                    part = events.reindex(columns=columns)
                    said_as = {
                        "modality": events.attrs.get("modality") or r.get("modality"),
                        "units": events.attrs.get("units"),
                    }
                    for k in ("units", "modality"):
                        part.insert(0, k, said_as[k])
                    part.insert(0, "stem", stem)
                    part.insert(0, "file", r.get("file"))
                    for k in tail:
                        part[k] = made[k]
                    if len(part):  # (the header written once, above)
                        fh.write(events_to_tsv(part).split("\n", 1)[1])
                    n_events += len(part)
                    covered.append(
                        {
                            "file": r.get("file"), "stem": stem, **said_as,
                            "n_events": len(part), **made,
                            "events_sha256": hashlib.sha256(data).hexdigest(),
                            **({"decisions": applied} if applied else {}),
                            **({"notes": notes} if notes else {}),
                        }
                    )  # fmt: skip
                fh.flush()
                os.fsync(fh.fileno())
            meta = _collected_sidecar(
                columns, covered, failed, left_out, n_events, decisions, not_applied, moved
            )
            with open(side, "w", encoding="utf-8") as fh:
                fh.write(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
    except OSError as exc:
        raise _cannot_write(out, f"{name}.tsv", exc) from None
    return out / f"{name}.tsv"


def _reviewed(
    events: Any, files: list[Path], debug: bool
) -> tuple[Any, list[str], list[str], list[dict[str, str]]]:
    """``events`` with its review statuses spelled as :data:`movement.review.STATUSES`
    (a status typed otherwise is kept, and said) and the decisions ``files`` (oldest
    first) applied; and what was said (notes), the decisions files applied, and those
    that could not be (``file``, ``why``)."""
    import pandas as pd

    from .review import _ALIASES, STATUSES, _snap_to_table, apply_decisions, read_decisions

    notes: list[str] = []
    if "review_status" in events.columns:
        status = []
        for k, v in enumerate(events["review_status"].to_numpy(object)):
            text = v.strip() if isinstance(v, str) else None
            known = _ALIASES.get(text.lower()) if text else None
            if text and known is None:
                notes.append(
                    f"row {k + 1}: review_status {text!r} is not one of {', '.join(STATUSES)} "
                    "(kept as typed)"
                )
            status.append(known or text or None)
        events = events.assign(review_status=pd.Series(status, index=events.index, dtype=object))
    applied: list[str] = []
    failed: list[dict[str, str]] = []
    for f in files:  # loop over the recording's decisions files
        try:
            with warnings.catch_warnings(record=True) as said:
                warnings.simplefilter("always", UserWarning)
                events = apply_decisions(events, _snap_to_table(read_decisions(f), events))
        except (MovementError, OSError, ValueError, KeyError) as exc:
            if debug:
                raise
            why = str(exc).replace(f"{f}: ", "")
            notes.append(f"{f.name} not applied ({why})")
            failed.append({"file": f.name, "why": why})
            continue
        applied.append(f.name)
        notes.extend(f"{f.name}: {w.message}" for w in said)
    return events, notes, applied, failed


def _orphan_decisions(
    by_stem: dict[str, list[Path]],
    scored: list[dict[str, Any]],
    rows: list[dict[str, Any]],
    out: Path,
    shard: tuple[int, int] | None,
) -> list[dict[str, str]]:
    """The decisions files whose stem is no recording's in the table (``file``, ``why``):
    no events table of that name in ``out``, or its recording failed. A shard's table
    leaves out the other shards' recordings: their files are not counted as orphans
    there."""
    have = {str(r.get("stem")) for r in scored}
    failed = {str(r.get("stem")) for r in rows if r.get("stem") and r.get("status") != "ok"}
    found = []
    for stem, files in sorted(by_stem.items()):
        if stem in have or (shard is not None and shard_of(stem, shard[1]) != shard[0]):
            continue
        why = (
            f"its recording failed, so {out} holds no {stem}_events.tsv"
            if stem in failed
            else f"no recording scored into {out} has the output name {stem} (no "
            f"{stem}_events.tsv: another folder's decisions, or a file renamed?)"
        )
        found.extend({"file": f.name, "why": why} for f in files)
    return found


def _collected_sidecar(
    columns: list[str],
    covered: list[dict[str, Any]],
    failed: list[dict[str, Any]],
    left_out: list[dict[str, Any]],
    n_events: int,
    decisions: Path | None,
    not_applied: Sequence[dict[str, str]] = (),
    moved: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """``events_all.json``: its columns described, which recordings it covers and which
    not (failed, left out, or moved: scored again under a new path or name), and the
    versions and parameters that scored them."""
    from .output import COLUMN_DESCRIPTIONS, _jsonable

    described = {
        "file": {
            "Description": "The recording, as summary.tsv names it (as it was given to "
            "movement score)"
        },
        "stem": {"Description": "Its output name: <stem>_events.tsv and <stem>_events.json"},
        "modality": {
            "Description": "The recording's modality (emg or accel), as its "
            "<stem>_events.json says (recording.modality)"
        },
        "units": {
            "Description": "The unit of this row's peak_amplitude and rms: the recording's, "
            "as its <stem>_events.json says (recording.units): g for accelerometry, mV (or "
            "a.u. where the file did not say) for EMG; compare amplitudes of one unit only"
        },
        **{c: COLUMN_DESCRIPTIONS.get(c, {"Description": c}) for c in columns},
        "parameters_hash": {
            "Description": "Hash of the parameters and model the recording was scored with "
            "(its <stem>_events.json holds them)"
        },
        "movement_version": {"Description": "The version that scored the recording"},
    }
    for c in ("peak_amplitude", "rms"):  # (several recordings: a unit per row)
        if c in described:
            described[c] = {**described[c], "Units": "the row's units column (g, mV or a.u.)"}
    hashes = sorted({str(c["parameters_hash"]) for c in covered if c.get("parameters_hash")})
    return _jsonable(
        {
            **described,
            # (the version that collected the table: not under "movement_version", the
            # column's description, which it overwrote)
            "GeneratedBy": [{"Name": "movement", "Version": __version__}],
            "parameters_hashes": hashes,
            "recordings": {
                "n_in_table": len(covered),
                "n_events": n_events,
                "n_failed": len(failed),
                "n_left_out": len(left_out),
                "n_moved": len(moved),
                "in_table": covered,
                "failed": failed,
                "left_out": left_out,
                "moved": list(moved),
            },
            # decisions files applied to no recording: of none scored here, or unreadable
            "decisions_not_applied": list(not_applied),
            "review": (
                "The events tables as reviewers left them (review_status, reviewer, "
                "comment; a relabelled event's new class in trial_type), with the "
                "<stem>_decisions.tsv files exported from review pages in "
                f"{'the output folder' if decisions is None else decisions} applied on "
                "top; rejected events are kept (review_status rejected): summary.tsv "
                "does not count them"
            ),
            "disclaimer": "Research software, not a diagnostic device: labels describe "
            "how a signal looks.",
        }
    )


def _write_annotations(rows: list[dict[str, Any]], out: Path, fmt: str, debug: bool) -> None:
    """The ``fmt`` annotation file of every file ``rows`` gives as scored, made from its
    events table and sidecar where missing or older than the table (a file resumed,
    scored without ``--annotations``, or whose table a reviewer has edited since). One
    that cannot be made is said in the file's summary row."""
    from .export import read_bids_events, write_annotations

    for r in rows:  # loop over the files
        stem = r.get("stem")
        if r.get("status") != "ok" or not stem:
            continue
        target = annotation_path(out, stem, fmt)
        table = out / f"{stem}_events.tsv"
        try:
            if target.exists() and target.stat().st_mtime_ns >= table.stat().st_mtime_ns:
                continue
            write_annotations(read_bids_events(table), target, fmt)
        except (MovementError, OSError, ValueError, KeyError) as exc:
            if debug:
                raise
            said = f"{fmt} annotations not written ({exc})"
            r["message"] = "; ".join(m for m in (r.get("message"), said) if m)


def _write_periods(
    rows: list[dict[str, Any]],
    out: Path,
    period: str,
    shard: tuple[int, int] | None,
    debug: bool,
    *,
    make: bool = True,
) -> None:
    """``<stem>_per_<period>.tsv`` (``period``: day, hour or channel) of every file
    ``rows`` gives as scored (made from its events table where missing or older than the
    table: a file resumed, scored without ``--per``, or whose table a reviewer has edited
    since), then the batch's ``summary_per_<period>.tsv``: those tables one after another,
    with a ``file`` column. A file whose events cannot be read gets a line in its summary
    row's message (and its old table, outdated, is removed); so does a warning of its
    table (a review status no summary knows).

    ``make=False`` (a batch run without ``--per <period>``, on a folder that holds the
    batch's table): no table is made, and the batch's table is made again from the files'
    tables that are up to date, so that it never holds the rows of a table that is gone
    (its file scored again) or older than its events table (reviewed since); a file whose
    rows are left out says so in its summary row's message."""
    import pandas as pd

    name = f"summary_per_{period}{_shard_tag(shard)}.tsv"
    if not make:
        try:
            had = set(
                pd.read_csv(out / name, sep="\t", usecols=["file"], dtype=str)["file"].dropna()
            )
        except (OSError, ValueError, KeyError):
            had = set()
    tables = []
    for r in rows:  # loop over the files
        stem = r.get("stem")
        if r.get("status") != "ok" or not stem:
            continue
        target = out / f"{stem}_per_{period}.tsv"
        events = out / f"{stem}_events.tsv"
        try:
            if target.exists() and target.stat().st_mtime_ns >= events.stat().st_mtime_ns:
                table = pd.read_csv(
                    target, sep="\t", na_values=["n/a"], keep_default_na=False,
                    dtype={"channel": str, "clock_start": str},
                )  # fmt: skip
            elif not make:
                if r.get("file") in had:
                    said = (
                        f"its rows are left out of {name}: its {target.name} is "
                        + (
                            "older than its events table (edited since)"
                            if target.exists()
                            else "gone (scored again)"
                        )
                        + f"; --per {period} makes it again"
                    )
                    r["message"] = "; ".join(m for m in (r.get("message"), said) if m)
                continue
            else:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always", UserWarning)
                    table = per_summary(_read_events(events), period)
                atomic_write(target, events_to_tsv(table))
                for w in caught:  # (said in the file's row: its line on the console)
                    said = f"per-{period} table: {w.message}"
                    r["message"] = "; ".join(m for m in (r.get("message"), said) if m)
        except (OSError, ValueError, KeyError) as exc:
            if debug:
                raise
            what = str(exc) if isinstance(exc, MovementError) else f"{type(exc).__name__}: {exc}"
            # (a table of the events before: it would contradict them, and the batch's)
            try:
                target.unlink(missing_ok=True)
                gone = ""
            except OSError:
                gone = f"; its old {target.name} could not be removed: it is outdated"
            said = f"per-{period} table not made ({what}){gone}"
            r["message"] = "; ".join(m for m in (r.get("message"), said) if m)
            continue
        tables.append(table.assign(file=r.get("file")))
    cols = ["file", *per_columns(period)]
    both = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=cols)
    try:
        atomic_write(out / name, events_to_tsv(both[cols]))
    except OSError as exc:
        raise _cannot_write(out, name, exc) from None


def _read_events(path: Path) -> Any:
    """An events table and its sidecar's provenance
    (:func:`movement.export.read_bids_events`), also as a spreadsheet saved it (UTF-16,
    Windows-1252: the review module's reader, where it has one)."""
    from . import review
    from .export import read_bids_events

    return getattr(review, "_read_events_table", read_bids_events)(path)


def _not_reached(
    path: str | Path,
    stem: str,
    manifest: dict[str, Any],
    out: Path,
    what: str = _INTERRUPTED[0],
    why: str = _INTERRUPTED[1],
) -> dict[str, Any]:
    """The summary row of a file a batch did not score (interrupted, stopped, or not yet
    reached): the results an earlier run left in the folder when there are some (the
    manifest's ok entry for this file, its events still there: they were made with other
    settings, or before the file changed, and say so), else an error row: ``what: why``."""
    entry = manifest.get(stem)
    if (
        isinstance(entry, dict)
        and entry.get("status") == "ok"
        and isinstance(entry.get("row"), dict)
        and entry.get("source") == str(Path(path).resolve())
        and _exists(out / f"{stem}_events.tsv")
    ):
        return {
            **entry["row"],
            "message": f"earlier results, {what.replace('not scored', 'not scored again')}: {why}",
            "stem": stem,
        }
    return {**summarise(str(path), error=f"{what}: {why}"), "stem": stem}


#: Seconds a Dask batch waits for a worker to join the scheduler.
DASK_WAIT_S = 10.0


def _wait_for_workers(client: Any, scheduler: str | None) -> None:
    """Wait up to :data:`DASK_WAIT_S` for a worker to join the scheduler; none is a
    :class:`MovementError` (tasks would wait for one forever)."""
    if client.nthreads():
        return
    address = scheduler or client.scheduler.address
    try:
        client.wait_for_workers(1, timeout=DASK_WAIT_S)
    except TimeoutError:
        raise MovementError(
            f"no Dask worker joined the scheduler {address} within {DASK_WAIT_S:g} s; "
            f"start workers first (dask worker {address})"
        ) from None


#: Seconds a Dask batch goes on waiting while its cluster has no worker at all (every worker
#: died or left mid-batch): then the files not scored are said so, and the batch ends
#: (``MOVEMENT_DASK_NO_WORKER_S`` sets it).
DASK_NO_WORKER_S = 60.0
DASK_NO_WORKER_ENV = "MOVEMENT_DASK_NO_WORKER_S"


def _no_worker_s() -> float:
    """:data:`DASK_NO_WORKER_S`, or the seconds ``MOVEMENT_DASK_NO_WORKER_S`` gives."""
    text = os.environ.get(DASK_NO_WORKER_ENV, "").strip()
    if not text:
        return DASK_NO_WORKER_S
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise MovementError(
            f"{DASK_NO_WORKER_ENV}={text}: give the seconds to wait for a Dask worker (> 0)"
        )
    return value


def _on_dask(
    client: Any,
    tasks: list[tuple[Any, ...]],
    late: list[tuple[int, dict[str, Any]]] | None = None,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Score ``tasks`` (``_indexed`` arguments) on the Dask cluster, yielding
    ``(index, row)`` as files finish.

    Every file is a task of its own, handed to the scheduler, which runs them on all the
    workers' threads. (joblib's Dask backend takes the cluster's thread count for its
    ``n_jobs``, whatever is asked: with one worker thread it scored every file
    sequentially in this process.)

    A worker that dies (out of memory?) takes the blame for every task it held, and a task
    blamed more often than the scheduler allows (``distributed.scheduler.allowed-failures``)
    fails with ``KilledWorker``, whether it killed the worker or only queued beside the one
    that did. Such files are submitted again at the end, once each and one at a time: the
    file that kills a worker again gets an error row, the others their results; the batch
    goes on either way. When the cluster has had no worker for :func:`_no_worker_s`
    seconds (all of them died or left), the files not scored get rows that say so and the
    batch ends: tasks would wait for a worker forever. Closing the client at the end of
    the batch forgets the tasks not run (an interrupted batch); a file finished but not yet
    collected when the batch stops is added to ``late``.
    """
    from dask.distributed import as_completed

    limit = _no_worker_s()
    futures = [client.submit(_indexed, *args, pure=False) for args in tasks]
    args_of = {fut.key: args for fut, args in zip(futures, tasks, strict=True)}
    pending = set(futures)
    again: list[tuple[Any, ...]] = []  # (killed a worker, or queued beside one that died)
    retried: set[Any] = set()  # (the tasks of files tried again)
    ac = as_completed(futures)
    idle_since = None
    checked = time.monotonic()
    try:
        while pending or again:
            if not pending:  # (the files to try again: one at a time, alone on the cluster)
                args = again.pop(0)
                fut = client.submit(_indexed, *args, pure=False)
                args_of[fut.key] = args
                retried.add(fut.key)
                pending.add(fut)
                ac.add(fut)
            batch = ac.next_batch(block=False)
            for fut in batch:
                pending.discard(fut)
                args = args_of[fut.key]
                if fut.key not in retried and _killed(fut):
                    again.append(args)
                    continue
                yield _dask_result(fut, args, again=fut.key in retried)
            if batch:
                continue
            now = time.monotonic()
            if now - checked < 1.0:
                time.sleep(0.05)
                continue
            checked = now
            if client.nthreads():
                idle_since = None
                continue
            idle_since = now if idle_since is None else idle_since
            if now - idle_since < limit:
                continue
            why = (
                f"not scored: no Dask worker for {limit:g} s (every worker died or left; "
                "run it again once workers are up)"
            )
            left = [args_of[f.key] for f in pending] + again
            for args in sorted(left, key=lambda a: a[0]):
                row = summarise(_dask_name(args), error=why)
                row["stem"] = args[2]
                yield args[0], row
            client.cancel(list(pending))
            pending.clear()
            again.clear()
    finally:
        for fut in pending if late is not None else ():
            if fut.status == "finished":  # (done, not collected yet)
                try:
                    late.append(fut.result(timeout=5))
                except Exception:  # noqa: BLE001, S112 - not collected: not recorded
                    continue


def _local_client(n_workers: int, debug: bool = False) -> Any:
    """A Dask client of a local cluster of ``n_workers`` processes of one thread each,
    made for one batch (closed at its end), whose workers are spared the terminal's Ctrl-C.

    Ctrl-C signals every process of the terminal's group: each worker process printed a
    ~30-line ``KeyboardInterrupt`` traceback, and the cluster's shutdown a warning per
    worker (tasks cancelled, workers killed), around the batch's own line. The worker
    processes ignore SIGINT: they inherit it from this process, which ignores it
    (:func:`_sigint_ignored`) from the cluster's start until they are started (a few
    tenths of a second: a Ctrl-C pressed then is lost; press it again), and a worker
    started again later, after one died, from :func:`_spare_ctrl_c`'s setup on. So
    Ctrl-C stops this process only, which stops the batch (writing what was done) and
    closes the cluster. The cluster's logs are said from ERROR up (``debug``: from
    WARNING up, Dask's default).
    """
    import logging
    import threading

    from dask.distributed import Client

    made: dict[str, Any] = {}

    def make() -> None:
        try:
            made["client"] = Client(
                processes=True, n_workers=n_workers, threads_per_worker=1,
                silence_logs=logging.WARNING if debug else logging.ERROR,
            )  # fmt: skip
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            made["error"] = exc

    # (made in a thread, so that this one gives Ctrl-C back once the workers are started,
    # not once they have joined the cluster: a second or more)
    thread = threading.Thread(target=make, name="movement local Dask cluster", daemon=True)
    try:
        with _sigint_ignored():
            thread.start()
            _wait_for_workers_started(n_workers, thread)
        thread.join()
    except BaseException:
        thread.join()  # (Ctrl-C while the cluster starts: closed once made, not left behind)
        if "client" in made:
            _close_client(made["client"])
        raise
    if "error" in made:
        raise made["error"]
    client = made["client"]
    try:
        client.register_plugin(_spare_ctrl_c(), name="movement-spare-ctrl-c")
    except BaseException:
        _close_client(client)
        raise
    return client


#: Seconds :func:`_wait_for_workers_started` waits at most for the worker processes to start.
_WORKERS_START_S = 30.0


def _wait_for_workers_started(n: int, thread: Any) -> None:
    """Wait until ``n`` worker processes of a local Dask cluster being made (by ``thread``)
    are started (``multiprocessing``'s spawned children of this process), the thread has
    ended, or :data:`_WORKERS_START_S` seconds have passed."""
    import psutil  # (a dependency of dask.distributed)

    me = psutil.Process()
    before = {c.pid for c in me.children()}  # (another cluster's workers: not these)
    deadline = time.monotonic() + _WORKERS_START_S
    while thread.is_alive() and time.monotonic() < deadline:
        started = 0
        for child in me.children():  # loop over this process's children
            if child.pid in before:
                continue
            try:
                started += any("multiprocessing.spawn" in part for part in child.cmdline())
            except (psutil.Error, OSError):
                continue
        if started >= n:
            return
        time.sleep(0.01)


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """SIGINT ignored within the block (restored after): a process started meanwhile
    inherits it, and ignores Ctrl-C for good. Nothing off the main thread (where signals
    are not this code's to set)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def _spare_ctrl_c() -> Any:
    """A Dask worker plugin that makes a worker ignore SIGINT (Ctrl-C) once it has
    started: for a worker started again after one died, which did not inherit it."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class SpareCtrlC(WorkerPlugin):  # (sent to the workers by value)
        def setup(self, worker: Any) -> None:
            import signal
            import threading

            if threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGINT, signal.SIG_IGN)

    return SpareCtrlC()


def _killed(fut: Any) -> bool:
    """Whether a Dask task failed because the workers it was on died (``KilledWorker``)."""
    from distributed import KilledWorker

    if fut.status != "error":
        return False
    try:
        return isinstance(fut.exception(timeout=5), KilledWorker)
    except Exception:  # noqa: BLE001 - the cluster gone: said when its result is taken
        return False


def _dask_name(args: tuple[Any, ...]) -> str:
    """The file a Dask task scores, as its summary row names it."""
    return str(args[5]) if len(args) > 5 and args[5] is not None else str(args[1])


def _dask_result(
    fut: Any, args: tuple[Any, ...], again: bool = False
) -> tuple[int, dict[str, Any]]:
    """A finished Dask task's ``(index, row)``: a task that killed every worker it ran on
    (``KilledWorker``; ``again``: also when submitted again, alone) fails its file only.
    A scheduler lost raises (the batch stops)."""
    from distributed import KilledWorker

    try:
        return fut.result()
    except KilledWorker as exc:
        tries = getattr(exc, "allowed_failures", None)
        tries = (tries + 1) * (2 if again else 1) if isinstance(tries, int) else None
        said = "" if tries is None else " once" if tries == 1 else f" {tries} times"
        alone = ", the last time alone on the cluster" if again else ""
        error = (
            f"the Dask worker scoring this file died{said}{alone} (out of memory, or a crash "
            "in native code?); a re-run retries it"
        )
    except Exception as exc:
        opts = args[4]
        if fut.status != "error" or getattr(opts, "debug", False):
            raise  # (not the task's own error: the cluster failed)
        error = f"internal error on the Dask worker {type(exc).__name__}: {exc}"
    row = summarise(_dask_name(args), error=error)
    row["stem"] = args[2]
    return args[0], row


def _close_client(client: Any) -> None:
    """Close a Dask client; a scheduler already gone is not a second error."""
    try:
        client.close()
    except Exception:  # noqa: BLE001, S110 - the batch's own error (if any) says what failed
        pass


def _same_key(entry: dict[str, Any], key: str, by_modality: dict[str, str]) -> bool:
    """Whether a manifest entry was scored with these options: all of them, or those of its
    own modality (the other modality's settings do not change its results)."""
    if entry.get("key") == key:
        return True
    modality = (entry.get("row") or {}).get("modality")
    return modality in by_modality and entry.get(f"key_{modality}") == by_modality[modality]


def _summary_name(shard: tuple[int, int] | None) -> str:
    return f"summary{_shard_tag(shard)}.tsv"


def _folder_rows(
    rows: list[dict[str, Any]],
    manifest: dict[str, Any],
    out: Path,
    shard: tuple[int, int] | None,
) -> list[dict[str, Any]]:
    """``summary.tsv``'s rows: this run's files, then every other file the folder's
    manifest holds a row of, from earlier runs (scored into this ``--out`` in steps), so
    that the summary lists every recording whose results the folder holds, and every
    recording that failed, until it is scored: an ok row whose events are no longer there
    is left out. A row whose input is no longer found at the path it was scored from
    (renamed, moved or deleted since) says so first in its message; where the folder
    holds the same file (same size and modification time) scored under its new path or
    name, in this run or an earlier one, the message names it and the row's status is
    ``moved`` (its results are the new row's: a study moved or renamed and scored again
    is not counted twice, and :func:`collect_events` leaves it out); else (deleted, or
    not scored again) it keeps its status. A shard's summary lists its own files."""
    if shard is not None:
        return rows
    mine = {r.get("stem") for r in rows}
    moved = {}  # (files by size and time: where an earlier input went)
    for stem, entry in sorted(manifest.items()):  # the folder's inputs still there
        source = entry.get("source") if isinstance(entry, dict) else None
        if stem not in mine and isinstance(source, str) and _exists(Path(source)):
            if same := _same_file_key(entry.get("fingerprint")):
                file = (
                    (entry.get("row") or {}).get("file")
                    if isinstance(entry.get("row"), dict)
                    else None
                )
                moved[same] = file or source
    this_run = {r.get("file") for r in rows}
    for r in rows:  # (this run's files first)
        entry = manifest.get(r.get("stem"))
        if isinstance(entry, dict) and (same := _same_file_key(entry.get("fingerprint"))):
            moved[same] = r.get("file")
    earlier = []
    for stem, entry in sorted(manifest.items()):  # loop over the folder's files
        if (
            stem in mine
            or not isinstance(entry, dict)
            or entry.get("status") not in ("ok", "error")
            or not isinstance(entry.get("row"), dict)
            or (entry["status"] == "ok" and not _exists(out / f"{stem}_events.tsv"))
        ):
            continue
        row = {**entry["row"], "stem": stem}
        source = entry.get("source")
        if isinstance(source, str) and not _exists(Path(source)):
            same = moved.get(_same_file_key(entry.get("fingerprint")) or "")
            gone = f"input no longer found at {source} (row from an earlier run" + (
                f"; the same file, by size and time, is {same}"
                + (" of this run)" if same in this_run else ", scored into this folder)")
                if same
                else ")"
            )
            row["message"] = "; ".join(m for m in (gone, row.get("message")) if m)
            if same:  # (its results are those of the file it became: not counted twice)
                row["status"] = "moved"
        earlier.append(row)
    return [*rows, *earlier]


def _indexed(
    i: int, path: Path, stem: str, out: Path, opts: ScoreOptions, name: str | None = None
) -> tuple[int, dict[str, Any]]:
    """``(i, row)`` of :func:`score_one` (``name``: the file as its summary row shows it).

    The row holds the input's fingerprint with its SHA-256 (``"_fingerprint"``, taken
    before the file is read: a file changed while it is scored is scored again next time;
    :func:`_fingerprint`), which the batch moves into the manifest. What escapes
    :func:`score_one` (a bug) is this file's error row, not the batch's: in a worker
    process it was taken for the worker's death."""
    from ._memory import heap_reuse

    # (a no-op where the caller holds it: here and in forked workers; on a Dask worker it
    # replaces the nanny's MALLOC_TRIM_THRESHOLD_=65536, which returns every freed array
    # to the kernel and pays its page faults again on the next one)
    global _CHILD_BUSY
    _CHILD_BUSY = True
    try:
        try:
            fp = _fingerprint(path, content=True) if path.is_file() else None
        except OSError:
            fp = None  # (unreadable: score_one says why)
        with heap_reuse():
            if name is None:
                row = score_one(path, stem, out, opts)
            else:
                row = score_one(path, stem, out, opts, name=name)
        if isinstance(row, dict) and fp is not None:
            row["_fingerprint"] = fp
        return i, row
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop a batch
        if opts.debug:
            raise
        last = traceback.extract_tb(exc.__traceback__)[-1]
        error = (
            _too_long(exc, out)
            if isinstance(exc, OSError) and exc.errno == errno.ENAMETOOLONG
            else f"internal error {type(exc).__name__}: {exc} (at {Path(last.filename).name}:"
            f"{last.lineno}; re-run with --debug for the traceback)"
        )
        row = summarise(str(path) if name is None else name, error=error)
        row["stem"] = stem
        return i, row
    finally:
        _CHILD_BUSY = False
        if _CHILD_EXIT:  # (a forked worker's SIGTERM, once its file is cleaned up)
            os._exit(_CHILD_EXIT)


#: Whether this process is scoring a file (a forked worker's signals: :func:`_child_signal`).
_CHILD_BUSY = False
#: The exit code a forked worker leaves with once its file is cleaned up (SIGTERM).
_CHILD_EXIT = 0


def _child_signal(signum: int, frame: Any) -> None:
    """A forked worker's Ctrl-C or SIGTERM (the terminal, or a cluster's time limit,
    signals the whole process group; SIGTERM also comes when the parent dies).

    A file being scored is interrupted as in the parent (its outputs' temporary files are
    removed); after SIGTERM the worker then exits. An idle worker, waiting for its next
    file, exits at once, quietly (Python's default printed a traceback of the pool's
    queue on the terminal).
    """
    import signal

    if _CHILD_BUSY:
        if signum != signal.SIGINT:
            global _CHILD_EXIT
            _CHILD_EXIT = 128 + signum
        raise KeyboardInterrupt
    os._exit(128 + signum)


def _n_jobs(jobs: int) -> int:
    """Worker count: ``-1`` all cores, ``-2`` all but one, as joblib counts."""
    import os

    cores = os.cpu_count() or 1
    return max(1, jobs if jobs > 0 else cores + 1 + jobs)


def _with_parent(
    tasks: list[tuple[Any, ...]],
    n_jobs: int,
    late: list[tuple[int, dict[str, Any]]] | None = None,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Score ``tasks`` (``_indexed`` arguments) on ``n_jobs`` cores: ``n_jobs - 1`` loky
    worker processes plus this process, yielding ``(index, row)`` as files finish.

    A worker process needs ~1-1.5 s to start (import numpy, scipy, pandas, scikit-learn)
    before its first file; this process has them imported already and scores files
    meanwhile, so a batch of small files is not held up by start-up. Files are handed
    out one at a time from a shared queue (whoever is free takes the next). Every
    process runs its native thread pools (OpenMP, BLAS) on one thread, as joblib's own
    loky backend does: more busy threads than cores make scikit-learn's per-tree
    OpenMP predictions wait on descheduled threads (on a busy shared 2-core VM a 0.1 s
    prediction of the default model was measured at 24-32 s).

    A worker that dies (out of memory, a crash in native code) breaks the pool: every file
    the workers were scoring fails with it, not only the one that killed it. Those files
    are scored again once each, alone in a new worker process, at the end (the others go
    on in a new pool): the file that kills its worker again gets the error row, the
    others their results. Files the workers finish while the batch stops (Ctrl-C,
    SIGTERM to this process only: they finish their files) are added to ``late``.
    """
    import queue
    import threading
    from collections import deque

    try:
        from threadpoolctl import threadpool_limits  # a dependency of scikit-learn
    except ImportError:  # pragma: no cover
        threadpool_limits = None

    pending = deque(tasks)
    done: queue.Queue[Any] = queue.Queue()
    lock = threading.Lock()
    # (no more processes than files: --jobs 1000 for two files started ~999 workers)
    n_jobs = max(1, min(n_jobs, len(tasks)))
    opts = tasks[0][4] if tasks else ScoreOptions()
    pool: dict[str, Any] = {"executor": None, "owned": False, "generation": 0}
    inflight: set[Any] = set()

    def new_pool() -> None:
        old, owned = pool["executor"], pool["owned"]
        if old is not None and owned:
            old.shutdown(wait=True, cancel_futures=True)  # (broken: its workers are gone)
        executor, owned = _worker_pool(n_jobs - 1, opts)
        with lock:  # (the broken pool's files all failed with it: none is in flight)
            pool.update(executor=executor, owned=owned, generation=pool["generation"] + 1)
            inflight.clear()

    def submit_next() -> None:
        with lock:
            if not pending or len(inflight) >= n_jobs - 1:
                return
            args = pending.popleft()
            executor, generation = pool["executor"], pool["generation"]
        try:
            fut = executor.submit(_indexed, *args)
        except Exception:  # noqa: BLE001 - a broken pool: a new one takes the file
            with lock:
                pending.appendleft(args)
            return
        fut.movement_args = args
        fut.movement_generation = generation
        with lock:
            inflight.add(fut)
        fut.add_done_callback(finished)

    def finished(fut: Any) -> None:
        with lock:
            inflight.discard(fut)
        done.put(fut)
        if not _broke(fut):
            submit_next()

    suspects: list[tuple[Any, ...]] = []  # (scoring when a worker died: again, alone)
    left = len(tasks)
    try:
        new_pool()
        for _ in range(n_jobs - 1):
            submit_next()
        with nullcontext() if threadpool_limits is None else threadpool_limits(limits=1):
            while left:
                try:
                    item = done.get_nowait()
                except queue.Empty:
                    with lock:
                        args = pending.popleft() if pending else None
                    item = done.get() if args is None else _Done(_indexed(*args))
                left -= 1
                if not _broke(item):
                    yield _result_of(item)
                    continue
                suspects.append(item.movement_args)
                if item.movement_generation == pool["generation"]:  # (once per pool)
                    new_pool()
                    for _ in range(n_jobs - 1):
                        submit_next()
            for args in suspects:  # loop over the files of broken pools, each alone
                yield _alone(args, opts)
    finally:
        executor = pool["executor"]
        if executor is not None and pool["owned"]:  # loky's reusable one stays up
            executor.shutdown(wait=True, cancel_futures=True)
        while late is not None:  # (files finished while the batch stopped)
            try:
                item = done.get_nowait()
            except queue.Empty:
                break
            if item.done() and not item.cancelled() and item.exception() is None:
                late.append(item.result())


def _broke(item: Any) -> bool:
    """Whether a finished file's future failed because its worker pool broke (a worker
    died: this file's, or another's)."""
    from concurrent.futures import BrokenExecutor

    if isinstance(item, _Done) or not item.done() or item.cancelled():
        return False
    return isinstance(item.exception(), BrokenExecutor)


def _alone(args: tuple[Any, ...], opts: ScoreOptions) -> tuple[int, dict[str, Any]]:
    """Score one file of a broken pool again, alone in a new worker process: its results,
    or, if that worker dies too, the file's error row (it is what kills them)."""
    from concurrent.futures import BrokenExecutor

    executor, owned = _worker_pool(1, opts)
    try:
        fut = executor.submit(_indexed, *args)
        fut.movement_args = args
        try:
            return fut.result()
        except BrokenExecutor as exc:
            return _died(args, exc, alone=True)
    except BrokenExecutor as exc:  # (a pool that cannot start: said as a death too)
        return _died(args, exc, alone=True)
    finally:
        if owned:
            executor.shutdown(wait=True)


def _died(args: tuple[Any, ...], exc: BaseException, alone: bool) -> tuple[int, dict[str, Any]]:
    """The error row of a file whose worker process died."""
    i, path, stem = args[0], args[1], args[2]
    how = ", and again when it was scored alone in a new one" if alone else ""
    row = summarise(
        str(path),
        error=f"the worker process scoring this file died{how} ({type(exc).__name__}: out "
        "of memory or a crash in native code?); a re-run retries it",
    )
    row["stem"] = stem
    return i, row


def _result_of(item: Any) -> tuple[int, dict[str, Any]]:
    """A finished file's ``(index, row)``. A worker's error other than its death (a result
    that could not be sent back) fails the file it was scoring, and the batch goes on."""
    try:
        return item.result()
    except Exception as exc:
        args = getattr(item, "movement_args", None)
        if args is None or getattr(args[4], "debug", False):
            raise
        i, path, stem = args[0], args[1], args[2]
        row = summarise(str(path), error=f"the worker process failed ({type(exc).__name__}: {exc})")
        row["stem"] = stem
        return i, row


#: How worker processes start on Linux: ``fork`` (default) or ``loky`` (a fresh interpreter).
WORKER_START_ENV = "MOVEMENT_WORKER_START"


def _worker_pool(n: int, opts: ScoreOptions) -> tuple[Any, bool]:
    """An executor of ``n`` worker processes, each with native thread pools on one thread,
    and whether it is this batch's own (to shut down at the end).

    On Linux the workers are forked from this process after it has imported the
    pipeline and loaded the model, so they start in milliseconds instead of the
    ~1.5 s of CPU a fresh interpreter needs (numpy, scipy, pandas, scikit-learn and
    the model: measured 1.5-1.8 s); a child sets every native pool (BLAS, OpenMP) to
    one thread before it scores anything, so no thread pool inherited from this
    process is used across the fork. Elsewhere, or with ``MOVEMENT_WORKER_START=loky``,
    joblib's loky executor starts fresh interpreters (and is reused between batches).
    """
    import multiprocessing as mp
    import os

    if sys.platform.startswith("linux") and os.environ.get(WORKER_START_ENV, "fork") == "fork":
        from concurrent.futures import ProcessPoolExecutor

        _warm(opts)
        ends: list[Any] = []  # filled before the first submit forks the workers
        pool = ProcessPoolExecutor(
            max_workers=n, mp_context=mp.get_context("fork"), initializer=_child_init,
            initargs=(os.getpid(), ends),
        )  # fmt: skip
        ends.extend(_parent_ends(pool))
        return pool, True
    from joblib.externals.loky import get_reusable_executor

    one = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    return get_reusable_executor(max_workers=n, env=one), False


def _warm(opts: ScoreOptions) -> None:
    """Import the pipeline and load the model here, so forked workers inherit them."""
    from . import pipeline, stream  # noqa: F401
    from .classify import load_model
    from .config import AccelConfig

    if opts.model != "rules":
        try:
            load_model(opts.model, "accel", AccelConfig())
        except MovementError:
            pass  # a bad model file is reported per file, as without workers


def _parent_ends(pool: Any) -> list[Any]:
    """The pipe ends of ``pool`` only its parent uses: the job queue's writing end and the
    result queue's reading end (private attributes of ``ProcessPoolExecutor``; none
    where they are missing)."""
    ends = [
        getattr(getattr(pool, "_call_queue", None), "_writer", None),
        getattr(getattr(pool, "_result_queue", None), "_reader", None),
    ]
    return [e for e in ends if e is not None]


def _child_init(parent: int | None = None, ends: Sequence[Any] = ()) -> None:
    """A forked worker: exits with its parent, and every native thread pool on one thread
    (as joblib's loky workers).

    A worker holding both ends of its job pipe never sees the pipe close, so one whose
    parent was killed waited for jobs forever (~200 MB each): it closes the parent's ends
    (a job read then ends), and on Linux asks the kernel for SIGTERM when the parent dies
    (``prctl(PR_SET_PDEATHSIG)``: the parent *thread* that forked it, the one running the
    batch).
    """
    import signal

    for end in ends:
        try:
            end.close()
        except OSError:
            pass
    if parent is not None:
        _exit_with_parent(parent)
    signal.signal(signal.SIGINT, _child_signal)
    signal.signal(signal.SIGTERM, _child_signal)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        return
    global _CHILD_LIMITS
    _CHILD_LIMITS = threadpool_limits(limits=1)


def _exit_with_parent(parent: int) -> None:
    """Linux: SIGTERM this process when its parent dies (nothing where that fails)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0) != 0:
            return
    except (OSError, AttributeError):  # pragma: no cover - no prctl
        return
    if os.getppid() != parent:  # the parent died before the request: no signal will come
        os._exit(1)


_CHILD_LIMITS: Any = None


class _Done:
    """A finished result with a future's ``result()`` (for the shared queue)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value
