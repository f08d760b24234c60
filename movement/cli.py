"""The ``movement`` command line: a thin argparse layer over the library.

Exit codes: 0 every input scored, 1 some inputs failed (the others are still
written), 2 usage error. Errors are one line; ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path
from typing import Any

from ._version import __version__
from .errors import MovementError

EPILOG = (
    "Research software, not a diagnostic device: labels describe how a signal looks.\n"
    "Run 'movement COMMAND --help' for a command's options."
)

# subcommands that live in other modules: name -> (module, help)
_EXTERNAL = {
    "simulate": ("movement.simulate", "write simulated recordings with ground-truth events"),
    "evaluate": ("movement.evaluate", "event-level metrics of predicted vs true events tables"),
    "train": ("movement.train", "train the segment classifier on simulated (and reviewed) data"),
    "info": ("movement.io.info", "show what a recording file holds"),
    "convert": (
        "movement.io.conversion",
        "convert recordings once to memory-mapped .npy + sidecar (fast, streamable re-scoring)",
    ),
    "report": ("movement.report", "write an HTML review page per scored recording"),
}


def _add_score(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "score",
        help="find and classify events in recordings",
        description=(
            "Find fasciculation-like and dystonia-like events in each recording and write "
            "<out>/<stem>_events.tsv + .json (BIDS events), and one <out>/summary.tsv (its\n"
            "columns described in summary.json).\n\n"
            "summary.tsv lists this run's files, then the rows of earlier runs into the same\n"
            "--out (ok and failed; a row whose input is no longer found says so in its\n"
            "message), and each folder that cannot be searched (an error row, exit code 1).\n"
            "It is rewritten every 10 s while the batch runs, the files not scored yet saying\n"
            "so. An output name over 200 bytes is shortened: its start and an 8-digit hash."
        ),
        epilog="Example: movement score data/ --out results/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="files, folders (searched recursively) or glob patterns",
    )
    p.add_argument(
        "--out", "-o", default="results", metavar="DIR", help="output folder (default: results)"
    )
    p.add_argument(
        "--modality",
        type=_modality,
        metavar="{accel,emg}",
        help="modality of every input: accel or emg, in any spelling a sidecar may use "
        "(EMG, sEMG, accelerometer...) (default: from sidecar / columns)",
    )
    p.add_argument(
        "--exclude",
        action="append",
        metavar="PATTERN",
        help="leave out of folder searches the files matching this glob pattern: the file "
        "name, its path relative to the folder given, or a folder on that path (e.g. "
        "derivatives, '*_raw.csv'); repeatable",
    )
    p.add_argument(
        "--fs",
        type=float,
        metavar="HZ",
        help="sampling rate of every input (default: sidecar, header or time column)",
    )
    p.add_argument(
        "--channels",
        metavar="LIST",
        help="comma-separated channel names or 0-based indices to keep (e.g. to drop a label column)",
    )
    p.add_argument(
        "--format",
        metavar="EXT",
        help="read the inputs whose extension is no known type as this type (e.g. txt for "
        "a table saved as .rit, .asc or .dat); files of known types keep their readers, and "
        "folders are still searched for the known types only",
    )
    p.add_argument(
        "--config",
        action="append",
        metavar="FILE",
        help="TOML or JSON file with [emg] / [accel] thresholds (repeatable: files are merged "
        "in order, a later one's value winning; --set applies after them)",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override one threshold, e.g. --set emg.k_on=4 (repeatable; a bare name, "
        "k_on=4, sets it for every modality that has it)",
    )
    p.add_argument(
        "--model",
        default="default",
        metavar="NAME|PATH",
        help="'default' (trained model shipped with the package), 'rules', or a model file",
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=1,
        metavar="N",
        help=(
            "parallel workers (default 1; -1 = all cores, -2 = all but one..., as joblib "
            "counts, never fewer than 1); a single large file streams its windows on them"
        ),
    )
    p.add_argument(
        "--backend",
        choices=["loky", "dask"],
        default=None,
        help="run workers locally (loky, the default) or on a Dask cluster (needs "
        "movement[dask]; the default with --scheduler)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler address, e.g. tcp://10.0.0.1:8786 (default: a local cluster); "
        "checked before --out is made. A file whose task kills its worker (out of memory?) "
        "gets an error row and the batch goes on; a cluster left with no worker for 60 s "
        "(MOVEMENT_DASK_NO_WORKER_S=SECONDS) ends the batch, the files not scored saying so "
        "(exit code 1)",
    )
    p.add_argument(
        "--shard",
        metavar="K/N|auto",
        help="score only shard K of N of the files (one task of a cluster array job; 'auto' "
        "reads SLURM_ARRAY_TASK_ID/COUNT); run again without --shard to collate summary.tsv",
    )
    p.add_argument(
        "--no-resume",
        action="store_true",
        help="re-score files even if the manifest says they are done (without it, a file "
        "is scored again when an output the manifest lists is missing, or its events table "
        "holds another number of events)",
    )
    p.add_argument(
        "--report",
        action="store_true",
        help="also write an HTML review page per recording (needs movement[report])",
    )
    p.add_argument(
        "--max-plots",
        type=int,
        metavar="N",
        help="with --report: event plots per page, review-flagged events first (default 200; "
        "a page already drawn is kept on resume: --no-resume draws it again)",
    )
    p.add_argument(
        "--per",
        action="append",
        choices=["day", "hour", "channel"],
        metavar="day|hour|channel",
        help="also write counts, rates and dystonia-like time per day (or hour) of each "
        "recording (<stem>_per_day.tsv) and of the batch (summary_per_day.tsv); days on the "
        "clock's midnights when the file gives its start time. 'channel': the same, with "
        "fasciculation intervals, per EMG channel or accelerometer (<stem>_per_channel.tsv). "
        "Repeatable",
    )
    p.add_argument(
        "--annotations",
        action="append",
        choices=["edf", "wfdb"],
        metavar="edf|wfdb",
        help="also write each recording's events as annotations a viewer opens beside it: "
        "an annotation-only EDF+ file (<stem>_events.edf, at the recording's start time; "
        "needs movement[edf]) or a WFDB annotation file (<stem>.mvt, annotator 'mvt', "
        "the recording's sample numbers; needs movement[wfdb]). Repeatable",
    )
    p.add_argument(
        "--collect",
        action="store_true",
        help="also write one table of every event of every recording in --out "
        "(events_all.tsv + .json, as `movement collect` does)",
    )
    p.add_argument(
        "--verify-inputs",
        action="store_true",
        help="read every input a resume would skip and compare its SHA-256 with the one "
        "recorded when it was scored (without it, only a file whose size, modification or "
        "status-change time changed is read: use it where those times say nothing)",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar or per-file lines")
    p.set_defaults(func=_run_score)


def _check_annotation_extras(formats: tuple[str, ...]) -> None:
    """``--annotations``: the optional package each format needs is installed (said once,
    before any file is scored)."""
    from importlib.util import find_spec

    from .errors import MissingExtraError

    for fmt, module in (("edf", "edfio"), ("wfdb", "wfdb")):
        if fmt in formats and find_spec(module) is None:
            raise MissingExtraError(f"--annotations {fmt}", fmt, module)


def output_file(value: str | Path, option: str = "--out", example: str = "out.json") -> Path:
    """The file an option such as ``--out`` names, checked before the work that fills it
    (``movement train``, ``movement evaluate --out``), as ``movement score`` checks its
    output folder first (:func:`movement.batch.output_folder`): not a folder, under a
    folder (its missing folders are made when the file is written), and that folder
    writable. One line naming the path as given, not the hidden temporary file written
    beside it; ``example`` is a file name the message suggests for a folder.

    Examples
    --------
    >>> import tempfile
    >>> output_file(tempfile.mkdtemp())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    movement.errors.MovementError: --out ...: is a folder; give a file name (e.g. .../...)
    """
    import os
    import tempfile

    from .batch import _os_reason

    out = Path(value)
    if out.is_dir():
        raise MovementError(
            f"{option} {value}: is a folder; give a file name (e.g. {out / example})"
        )
    # the nearest folder up the path that exists: where the file, or its missing folders,
    # will be made
    near = out.parent
    while not near.exists() and near != near.parent:
        near = near.parent
    if not near.is_dir():
        raise MovementError(f"{option} {value}: {near} is a file, not a folder")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".movement-check.", suffix=".tmp", dir=near)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        where = "its folder" if near == out.parent else "the folder"
        raise MovementError(
            f"{option} {value}: cannot write into {where} {near} ({_os_reason(exc)})"
        ) from None
    return out


def _model_option(value: str) -> str:
    """``--model``: ``default``, ``rules`` (any case) or an existing model file; checked
    once, before any file is scored."""
    if value.lower() in ("default", "rules"):
        return value.lower()
    if Path(value).is_dir():
        try:
            held = sorted(p.name for p in Path(value).glob("*.joblib") if p.is_file())
        except OSError:
            held = []
        inside = (
            f"; it holds {', '.join(held[:3])}{' ...' if len(held) > 3 else ''}" if held else ""
        )
        raise MovementError(
            f"--model {value}: is a folder, not a model file (give the .joblib file "
            f"`movement train` wrote, or default or rules{inside})"
        )
    if not Path(value).is_file():
        raise MovementError(f"--model {value}: no such model file (use default, rules or a path)")
    from .classify import read_model_file

    try:
        read_model_file(value)
    except MovementError as exc:
        raise MovementError(f"--model {exc}") from None
    return value


def _modality(text: str) -> str:
    """``--modality``: :func:`movement.io.info.modality_arg` (imported when used)."""
    from .io.info import modality_arg

    return modality_arg(text)


def _run_score(args: argparse.Namespace) -> int:
    import warnings

    from .batch import _UNSEARCHED, COLLECTED_TABLES, ScoreOptions, parse_shard, score_batch
    from .config import load_settings
    from .io import find_recordings, unlisted

    shard = parse_shard(args.shard) if args.shard else None
    settings = load_settings(args.config, args.set)
    model = _model_option(args.model)
    if args.jobs == 0:
        raise MovementError("--jobs must be 1 or more, or -1 for all cores (-2: all but one)")
    if args.max_plots is not None and args.max_plots < 0:
        raise MovementError(f"--max-plots must be 0 or more event plots, got {args.max_plots}")
    if args.max_plots is not None and not args.report:
        raise MovementError("--max-plots is for the review page: add --report")
    if args.scheduler and args.backend == "loky":
        raise MovementError("--scheduler is the address of a Dask cluster: use --backend dask")
    backend = args.backend or ("dask" if args.scheduler else "loky")
    # a missing file among others is that file's failure (a summary row), not the batch's
    missing = [i for i in args.inputs if not Path(i).exists() and not set("*?[") & set(i)]
    present = [i for i in args.inputs if i not in missing]
    if missing and not present:
        raise MovementError(f"{missing[0]}: no such file or folder")
    # a folder named that cannot be listed: an error row, the batch goes on, exit 1
    blocked = {i: why for i in present if Path(i).is_dir() and (why := unlisted(i))}
    if blocked and len(blocked) == len(present) and not missing:
        first = next(iter(blocked.items()))
        raise MovementError(f"{first[0]}: cannot be searched ({first[1]})")
    present = [i for i in present if i not in blocked]
    from .simulate import _warnings_as_lines

    with _warnings_as_lines():  # (other warnings of the search: one line each)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # (a collected events table of earlier results is no recording either)
            found = find_recordings(
                present, format=args.format, exclude=[*(args.exclude or ()), *COLLECTED_TABLES]
            )
        unsearched = list(blocked.items())
        for w in caught:  # (a subfolder that cannot be searched: an error row, as a folder)
            m = _UNSEARCHED.match(str(w.message))
            if m and issubclass(w.category, UserWarning):
                unsearched.append((m["folder"], m["why"]))
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if (note := found.unknown_note()) and not args.quiet:
        print(f"note: {note}", file=sys.stderr)
    paths = [*found, *(Path(m) for m in missing)]
    if not paths:
        said = "".join(f" ({f}: cannot be searched ({why}))" for f, why in unsearched)
        raise MovementError("no recordings found in: " + " ".join(args.inputs) + said)
    chans = (
        tuple(c.strip() for c in args.channels.split(",")) if args.channels is not None else None
    )
    opts = ScoreOptions(
        settings=settings,
        model=model,
        fs=args.fs,
        modality=args.modality,
        channels=chans,
        format=args.format,
        report=args.report,
        max_plots=200 if args.max_plots is None else args.max_plots,
        per=tuple(dict.fromkeys(args.per or ())),
        annotations=tuple(dict.fromkeys(args.annotations or ())),
        collect=args.collect,
        debug=args.debug,
    )
    _check_annotation_extras(opts.annotations)
    from . import batch
    from ._progress import write_line
    from .batch import say_model_settings

    with _warnings_as_lines():  # (a model trained with other settings: one line, once)
        say_model_settings(opts)
    shown: dict[int, str] = {}  # (the rows whose line is printed as each file finishes)

    def show(row: dict) -> None:
        shown[id(row)] = str(row.get("message") or "")
        _print_rows([row], args.quiet)

    summary = f"summary-shard-{shard[0]}-of-{shard[1]}.tsv" if shard else "summary.tsv"
    before = batch.SUMMARIES_WRITTEN
    try:
        with _warnings_as_lines():  # (what the batch's tables say of earlier files: a line)
            rows = score_batch(
                paths,
                args.out,
                opts,
                jobs=args.jobs,
                backend=backend,
                scheduler=args.scheduler,
                resume=not args.no_resume,
                progress=not args.quiet,
                shard=shard,
                on_row=show,
                unsearched=unsearched,
                verify_inputs=args.verify_inputs,
            )
    except KeyboardInterrupt:  # (what was scored is printed; the summary, if written, says)
        args.summary_written = summary if batch.SUMMARIES_WRITTEN > before else None
        raise
    # the files resumed, and those that failed before scoring: their lines now
    _print_rows([r for r in rows if id(r) not in shown], args.quiet)
    for r in rows:  # (what the batch added since: a per-day table not made...)
        said = shown.get(id(r))
        now = str(r.get("message") or "")
        if said is not None and now != said and r["status"] == "ok":
            write_line(f"warning {r['file']}: {now[len(said) :].lstrip('; ')}", sys.stderr)
    folders = [r for r in rows if r.get("unsearched")]
    files = [r for r in rows if not r.get("unsearched")]
    skipped = sum(1 for r in files if r["status"] == "ok" and r.get("resumed"))
    failed = sum(1 for r in files if r["status"] != "ok")
    scored = len(files) - skipped - failed
    print(
        (f"shard {shard[0]} of {shard[1]}: " if shard else "")
        + f"{scored} of {len(files)} recordings scored"
        + (f", {skipped} already scored (skipped)" if skipped else "")
        + f", {failed} failed"
        + (f" (see {summary})" if failed else "")
        + f"; results in {str(args.out).rstrip('/')}/"
        + (f"; {len(folders)} folder(s) could not be searched" if folders else ""),
        file=sys.stderr,
    )
    return 1 if failed or folders else 0


def _print_rows(rows: list[dict], quiet: bool) -> list[dict]:
    """A line per file of a batch (``ok``/``skip`` on stdout unless ``quiet``; warnings and
    errors on stderr), each flushed at once (a log or pipe sees it as the file finishes;
    above the progress bar on a terminal); returns the rows that failed."""
    from ._progress import write_line

    failed = [r for r in rows if r["status"] != "ok"]
    for r in rows:
        if r["status"] == "ok" and not quiet:
            write_line(
                ("skip   " if r.get("resumed") else "ok     ")
                + f"{r['file']}: {r['n_events']} events "
                f"({r['n_fasciculation']} fasciculation-like, {r['n_dystonia']} dystonia-like, "
                f"{r['n_other']} other)"
                + (
                    (
                        " (already scored with these parameters); its events table changed "
                        f"since its review page was drawn: {r['redrawn']} drawn again from it"
                    )
                    if r.get("resumed") and r.get("redrawn")
                    else " (already scored with these parameters; --no-resume scores it again)"
                    if r.get("resumed")
                    else ""
                ),
                sys.stdout,
            )
        if r["status"] == "ok" and r.get("message"):
            write_line(f"warning {r['file']}: {r['message']}", sys.stderr)
    for r in failed:
        write_line(f"error  {r['file']}: {r['message']}", sys.stderr)
    return failed


def _add_collect(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "collect",
        help="write one table of every event of every recording in an output folder",
        description=(
            "Write OUT/events_all.tsv: every event of every recording `movement score` wrote\n"
            "into OUT, one row each, after a `file` column naming its recording as\n"
            "summary.tsv does (and `stem`, its output name; `modality` and `units`, the unit\n"
            "of its peak_amplitude and rms: g, mV or a.u.), with the parameters hash and\n"
            "version that scored it; and OUT/events_all.json, which says how many recordings\n"
            "the table covers and which failed or were left out, and why.\n\n"
            "Reviews count: the events tables as reviewers left them, with the decisions\n"
            "files a review page exported (<stem>_decisions.tsv, in OUT or --decisions)\n"
            "applied on top. Rejected events stay in the table (review_status rejected).\n"
            "Run it again after a review: the table is not updated by itself."
        ),
        epilog="Example: movement collect results/   (or movement score data/ --out results/ --collect)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("out", metavar="OUT", help="an output folder of movement score")
    p.add_argument(
        "--decisions",
        metavar="DIR",
        help="folder of decisions files exported from review pages (default: OUT)",
    )
    p.set_defaults(func=_run_collect)


def _run_collect(args: argparse.Namespace) -> int:
    """``movement collect OUT``: the table, and a line saying what it holds (exit code 1
    when a recording's events table could not be read)."""
    import json

    from .batch import collect_events
    from .simulate import _warnings_as_lines

    with _warnings_as_lines():  # (decisions that match no event...: one line each)
        import warnings

        with warnings.catch_warnings():  # (what the line below says already)
            warnings.filterwarnings("ignore", message=r".* holds \d+ recording\(s\); not in it")
            table = collect_events(args.out, decisions=args.decisions)
    meta = json.loads(table.with_suffix(".json").read_text(encoding="utf-8"))
    got = meta["recordings"]
    unapplied = meta.get("decisions_not_applied") or []
    for r in got["left_out"]:
        print(f"error  {r['file']}: not in {table.name} ({r['why']})", file=sys.stderr)
    print(
        f"{got['n_events']} events of {got['n_in_table']} recordings in {table}"
        + (f"; {got['n_failed']} failed (see summary.tsv)" if got["n_failed"] else "")
        + (f"; {got['n_left_out']} left out" if got["n_left_out"] else "")
        + (
            f"; {got['n_moved']} moved or renamed and scored again under the new name, "
            "counted once (summary.tsv: status moved)"
            if got.get("n_moved")
            else ""
        )
        + (f"; {len(unapplied)} decisions file(s) not applied" if unapplied else ""),
        file=sys.stderr,
    )
    # (exit code 1: a recording, or a reviewer's decisions file, is not in the table)
    return 1 if got["n_left_out"] or unapplied else 0


def _add_review(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "review",
        help="fold the decisions exported from review pages into the events tables",
        description=(
            "movement review apply OUT: put the decisions a review page exported\n"
            "(<stem>_decisions.tsv, 'Export decisions (TSV)'; in OUT or --decisions) into\n"
            "OUT/<stem>_events.tsv: review_status, reviewer, comment, and a relabelled\n"
            "event's new class in trial_type (the model's in original_trial_type). Each\n"
            "table changed is written whole, after the table as it was is kept as\n"
            "<stem>_events_reviewed-<k>.tsv; applying the same decisions again changes\n"
            "nothing. The tables made from the events tables that OUT holds (per day, hour\n"
            "or channel, annotations, events_all.tsv) are made again. A decisions file of no\n"
            "recording in OUT, or one that cannot be read, is an error line (exit code 1);\n"
            "the others are still applied. A decision that matches no event (or another\n"
            "event than it was made on) is not applied: said, and exit code 1."
        ),
        epilog="Example: movement review apply results/ --decisions ~/Downloads",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("action", choices=["apply"], help="apply: fold decisions into the tables")
    p.add_argument("out", metavar="OUT", help="an output folder of movement score")
    p.add_argument(
        "--decisions",
        metavar="DIR",
        help="folder of decisions files exported from review pages (default: OUT)",
    )
    p.set_defaults(func=_run_review)


def _run_review(args: argparse.Namespace) -> int:
    """``movement review apply OUT``: a line per events table (applied on stdout, unless
    ``--quiet``; decisions not applied and errors on stderr), then one that sums up; exit
    code 1 when a decisions file, or a decision (one that matches no event...), could not
    be applied."""
    from ._progress import write_line
    from .batch import apply_review
    from .simulate import _warnings_as_lines

    with _warnings_as_lines():  # (a table made from the events not made again: one line)
        results = apply_review(args.out, decisions=args.decisions, debug=args.debug)

    def unapplied(counts: dict[str, int]) -> str:
        """``1 decision(s) match no event; not applied`` (empty: all applied)."""
        said = ", ".join(f"{n} decision(s) {why}" for why, n in counts.items())
        return f"{said}; not applied" if said else ""

    missed: dict[str, int] = {}  # decisions not applied, by why (every table's)
    n_missed = 0  # tables left unchanged whose decisions (some of them) were not applied
    for r in results:
        files = ", ".join(r["decisions"])
        if r["status"] == "error":
            write_line(f"error  {files}: {r['message']}", sys.stderr)
            continue
        for note in r["notes"]:
            write_line(f"warning {r['table']}: {note}", sys.stderr)
        counts = r.get("not_applied") or {}
        for why, n in counts.items():
            missed[why] = missed.get(why, 0) + n
        if r["status"] == "applied":
            if not args.quiet:
                write_line(
                    f"applied {r['table']}: {r['changed']} event(s) changed by {files} (the "
                    f"table as it was is kept as {r['backup']})"
                    + (f"; {unapplied(counts)}" if counts else ""),
                    sys.stdout,
                )
        elif counts:  # (nothing changed: not "already in it")
            n_missed += 1
            write_line(f"not     {r['table']}: {files}: {unapplied(counts)}", sys.stderr)
        elif not args.quiet:
            write_line(f"same    {r['table']}: {files} already in it, nothing changed", sys.stdout)
    n_err = sum(r["status"] == "error" for r in results)
    n_done = sum(r["status"] == "applied" for r in results)
    n_held = len(results) - n_done - n_err - n_missed
    print(
        f"{n_done} of {len(results)} events table(s) updated"
        + (f", {n_held} already held their decisions" if n_held else "")
        + (f", {n_err} not (see the error lines)" if n_err else "")
        + (f"; {unapplied(missed)}" if missed else "")
        + f"; in {str(args.out).rstrip('/')}/",
        file=sys.stderr,
    )
    # (exit code 1: a decisions file, or a decision, is not in the tables: as collect)
    return 1 if n_err or missed else 0


def _add_params(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "params",
        help="list every threshold with its value, unit and source (or write a config file)",
        description=(
            "List every parameter of each modality with its default (or the value after "
            "--config / --set), unit and source. --toml prints a config file to edit and pass "
            "back with --config."
        ),
    )
    p.add_argument("--modality", type=_modality, metavar="{accel,emg}", help="only this modality")
    p.add_argument(
        "--config",
        action="append",
        metavar="FILE",
        help="start from this TOML or JSON file (repeatable: merged in order, a later file's "
        "value winning)",
    )
    p.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="override one value"
    )
    p.add_argument(
        "--toml", action="store_true", help="print a TOML config file instead of the table"
    )
    p.set_defaults(func=_run_params)


def _toml_value(v: object) -> str:
    if v is None:
        return '"none"'
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (tuple, list)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return repr(v)


def _run_params(args: argparse.Namespace) -> int:
    from .config import load_settings

    settings = load_settings(args.config, args.set)
    if args.toml:  # (which version wrote the file: its defaults and sources)
        print(f"# movement {__version__} settings (movement params --toml)\n")
    for modality in [args.modality] if args.modality else ["emg", "accel"]:
        rows = settings.for_modality(modality).describe()
        if args.toml:
            print(f"[{modality}]")
            for r in rows:
                print(f"# {r['source']}" + (f" ({r['unit']})" if r["unit"] else ""))
                print(f"{r['name']} = {_toml_value(r['value'])}")
            print()
            continue
        print(f"{modality}:")
        width = max(len(r["name"]) for r in rows)
        for r in rows:
            value = f"{r['value']}" + (f" {r['unit']}" if r["unit"] else "")
            print(f"  {r['name']:<{width}}  {value:<16}  {r['source']}")
        print()
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``movement`` command."""
    parser = argparse.ArgumentParser(
        prog="movement",
        description=(
            "Find fasciculation-like (brief twitch) and dystonia-like (sustained, patterned) "
            "events in wearable accelerometer and EMG recordings, for research review."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"movement {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    parser.add_argument("--quiet", "-q", action="store_true", help=_QUIET_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_score(sub)
    _add_collect(sub)
    _add_review(sub)
    _add_params(sub)
    for name, (module, help_text) in _EXTERNAL.items():
        try:
            mod = import_module(module)
        except ImportError:
            continue
        configure: Callable | None = getattr(mod, "cli_configure", None)
        run: Callable | None = getattr(mod, "cli_run", None)
        if configure is None or run is None:
            continue
        p = sub.add_parser(
            name,
            help=help_text,
            # (the module docstring's first line, without its reStructuredText markup)
            description=(mod.__doc__ or help_text).strip().splitlines()[0].replace("``", ""),
        )
        configure(p)
        p.set_defaults(func=run)
    for p in sub.choices.values():  # --debug after the command too (the error lines say so)
        p.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS,
            help="show full tracebacks on errors",
        )  # fmt: skip
        _add_quiet(p)
    return parser


#: What ``--quiet`` does, for a command that does not say it itself.
_QUIET_HELP = (
    "no progress bars, per-file lines or notes (results, warnings and errors are still printed)"
)


def _add_quiet(p: argparse.ArgumentParser) -> None:
    """``--quiet`` / ``-q`` on every command, before or after it: a command's own option
    (score, convert, report), or one added here that :func:`_quiet_run` honours. Its
    default is left unset, so that ``movement -q COMMAND`` is not undone by the
    command's."""
    own = p._option_string_actions.get("--quiet")
    if own is not None:
        own.default = argparse.SUPPRESS
        return
    names = ["--quiet"] + ([] if "-q" in p._option_string_actions else ["-q"])
    p.add_argument(*names, action="store_true", default=argparse.SUPPRESS, help=_QUIET_HELP)


#: Subcommands that read recordings with ``--fs`` and ``--format`` (checked once, by main).
_READING_COMMANDS = ("score", "report", "info", "convert")


def _check_reading_options(args: argparse.Namespace) -> None:
    """``--fs`` a positive number of Hz, ``--format`` a type a reader is registered for:
    one line before any file is read (not an error per file)."""
    fs = getattr(args, "fs", None)
    if fs is not None and not (math.isfinite(fs) and fs > 0):
        raise MovementError(f"--fs must be a positive number of Hz, got {fs:g}")
    fmt = getattr(args, "format", None)
    if fmt is not None:
        from .io import READERS, _load_plugins

        _load_plugins()
        ext = (fmt if fmt.startswith(".") else "." + fmt).lower()
        if ext not in READERS:
            known = ", ".join(sorted(s.lstrip(".") for s in READERS))
            raise MovementError(f"--format {fmt}: no reader for this type (known: {known})")


#: Commands whose standard output is per-file lines only (their results are files): quiet
#: with ``--quiet`` (``movement simulate``: a line per file written).
_LINES_ON_STDOUT = ("simulate",)


def _quiet_run(args: argparse.Namespace) -> Any:
    """Run the command; with ``--quiet``, one that prints only per-file lines on standard
    output (:data:`_LINES_ON_STDOUT`) prints none. The others read ``args.quiet``
    themselves (score, convert, report), or print only their results, warnings and errors
    (params, info, evaluate, collect), which ``--quiet`` keeps."""
    if args.quiet and args.command in _LINES_ON_STDOUT:
        import io
        from contextlib import redirect_stdout

        with redirect_stdout(io.StringIO()):
            return args.func(args)
    return args.func(args)


class Terminated(KeyboardInterrupt):
    """SIGTERM (a cluster's time limit, ``kill``): handled as Ctrl-C, so a batch still
    writes its summary and removes its temporary files (exit code 143)."""


def _terminated(signum: int, frame: Any) -> None:
    raise Terminated


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM raises :class:`Terminated` within (the main thread only; restored after)."""
    import signal

    try:
        old = signal.signal(signal.SIGTERM, _terminated)
    except ValueError:  # (not the main thread: signals are not ours to handle)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``movement`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    if not hasattr(args, "debug"):
        args.debug = False
    if not hasattr(args, "quiet"):
        args.quiet = False
    with _sigterm_as_interrupt():
        return _main(args)


def _main(args: argparse.Namespace) -> int:
    try:
        out = getattr(args, "out", None)
        if isinstance(out, str) and not out.strip():
            # (Path("") is the current folder: score, convert and simulate wrote there)
            raise MovementError("--out is empty: give a folder (or file) to write to")
        if args.command in _READING_COMMANDS:
            _check_reading_options(args)
        return int(_quiet_run(args) or 0)
    except MovementError as exc:
        if args.debug:
            raise
        # per-file problems are summary rows; what reaches here is a usage problem
        print(f"movement: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed early (an OSError too)
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # an output folder that cannot be written, a cluster not reached
        if args.debug:
            raise
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        print(f"movement: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - a bug: one line, the traceback on --debug
        if args.debug:
            raise
        import traceback
        from pathlib import Path

        last = traceback.extract_tb(exc.__traceback__)[-1]
        print(
            f"movement: internal error {type(exc).__name__}: {exc} (at "
            f"{Path(last.filename).name}:{last.lineno}; re-run with --debug for the traceback)",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt as exc:
        # one line (the workers of a local Dask cluster are spared the Ctrl-C: no traceback
        # of theirs either); the files finished have had their lines
        term = isinstance(exc, Terminated)
        print(
            ("movement: terminated (SIGTERM)" if term else "movement: interrupted")
            + (
                f"; {written} says which files were scored"
                if (written := getattr(args, "summary_written", None))
                else ""
            ),
            file=sys.stderr,
        )
        return 143 if term else 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
