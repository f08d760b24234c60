"""The README's code blocks run as written, and what the README says about their output holds.

Every fenced block of ``README.md`` is accounted for here. A Python block runs (the blocks of
one section share a namespace), from a temporary folder holding a copy of ``data/``. A shell
block is split into commands (lines, and ``&&``); a ``movement`` or ``python -m movement``
command runs through ``sys.executable -m movement`` in a temporary folder, its placeholder
paths (``/data/study``, ``raw/``...) standing for folders that hold the shipped samples or
test recordings. A command that cannot run here is listed in :data:`NOT_RUN` with the reason.
A block or command that is neither run nor listed fails
:func:`test_every_block_is_run_or_listed`, so a new README example has to be placed on one
side or the other; an entry whose command left the README fails
:func:`test_every_listed_command_is_still_in_the_readme`.

Beside the blocks, the checks read the text around them: the files a command writes, the
columns the Output section lists, the printed lines and exit codes it states. Options the text
adds to a block's command (``--report``, ``--per day``...) run in-process (``main``) on the
block's results, which saves an interpreter start per call.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from conftest import DATA_DIR, REPO

import movement
from movement.batch import shard_of
from movement.cli import build_parser, main

README = REPO / "README.md"

# -- what runs, what does not -----------------------------------------------------------------

#: Shell commands (as the README writes them, comments left out) that a test below runs:
#: command -> the runner (a fixture or test of this file) that does.
RUN: dict[str, str] = {
    "movement score data/ --out results/": "quick_start",
    "#SBATCH --array=1-20": "test_array_job (the array's task ids)",
    "movement score /data/study --out /scratch/results --shard auto": "test_array_job",
    "movement score /data/study --out /scratch/results": "test_array_job",
    "movement convert raw/ --out cache/": "test_convert_once_rescore_often",
    "movement score cache/ --out results/": "test_convert_once_rescore_often",
}

#: Shell commands that cannot run in a test: command -> why. What they name is checked by
#: :func:`test_not_run_commands_name_what_exists`.
NOT_RUN: dict[str, str] = {
    'pip install ".[all]"': "installs packages; the tests run in the environment it made "
    "(the extra is checked to exist)",
    'pip install ".[all,test]"': "installs packages (the extras are checked to exist)",
    'pip install -e ".[all,test]"': "installs packages (the extras are checked to exist)",
    "python -m pytest": "the whole test suite (~7 min), of which this file is part",
    "ruff check movement tests benchmarks": "lints the whole working tree, which CI does itself "
    "(checked to be .ci/run's command); here it would fail on another file's edit",
    "ruff format --check movement tests benchmarks": "as ruff check (checked to be .ci/run's "
    "command)",
    "bash .ci/run": "makes fresh virtual environments, installs from the network and runs the "
    "suite twice (the script is checked to exist)",
    "python benchmarks/bench.py": "the benchmarks take minutes and GBs (the script is checked "
    "to exist)",
}

#: Sections whose Python blocks run (in one namespace per section): section -> runner.
PY_RUN: dict[str, str] = {
    "Quick start (fresh machine)": "test_quick_start_python",
    "Library API": "test_library_api_python",
}

#: Python blocks that cannot run, and blocks of any other kind (output shown, a config file):
#: (section, first line) -> why.
BLOCKS_NOT_RUN: dict[tuple[str, str], str] = {}

SHELL = {"bash", "sh", "shell", "console"}
PYTHON = {"python", "py", "pycon"}


# -- reading the README -----------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    section: str  # the nearest ## / ### heading above it
    lang: str
    text: str
    line: int  # of the opening fence, 1-based


def readme_blocks(text: str | None = None) -> list[Block]:
    """The fenced code blocks of the README, in order."""
    lines = (README.read_text(encoding="utf-8") if text is None else text).splitlines()
    blocks, section, fence, start, lang, body = [], "", None, 0, "", []
    for i, line in enumerate(lines, 1):
        if fence is None:
            m = re.match(r"^(`{3,}|~{3,})\s*([\w+-]*)", line)
            if m:
                fence, start, lang, body = m.group(1), i, m.group(2).lower(), []
                continue
            h = re.match(r"^#{2,3}\s+(.*?)\s*#*\s*$", line)
            if h:
                section = h.group(1)
        elif line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
            blocks.append(Block(section, lang, "\n".join(body), start))
            fence = None
        else:
            body.append(line)
    assert fence is None, f"README.md: the code block opened at line {start} is not closed"
    return blocks


def shell_commands(text: str) -> list[str]:
    """A shell block's commands: one per line (``\\`` continues one) and per ``&&``; comments
    left out, ``#SBATCH`` directives kept."""
    out: list[str] = []
    joined = re.sub(r"\\\n\s*", " ", text)
    for raw in joined.splitlines():
        line = raw.strip()
        if line.startswith("#SBATCH"):
            out.append(" ".join(line.split()))
            continue
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        out += [" ".join(c.split()) for c in line.split("&&") if c.strip()]
    return out


def readme_commands() -> list[str]:
    return [c for b in readme_blocks() if b.lang in SHELL for c in shell_commands(b.text)]


def commands_for(runner: str) -> list[str]:
    """The README's commands that ``runner`` runs, in README order (at least one)."""
    cmds = [c for c in readme_commands() if RUN.get(c, "").split(" (")[0] == runner]
    assert cmds, f"README.md has no command for {runner} any more: see RUN"
    return cmds


def section_text(heading: str) -> str:
    """The README's text from the heading ``heading`` (``"## Output"``) to the next one."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n{heading}\n") + 1
    m = re.compile(r"^#{1,3} ", re.M).search(text, start + len(heading))
    return text[start : m.start() if m else len(text)]


def paragraph(starting: str) -> str:
    """The README's paragraph that holds ``starting``, from there to its blank line."""
    text = README.read_text(encoding="utf-8")
    start = text.index(starting)
    end = text.find("\n\n", start)
    return text[start : end if end >= 0 else len(text)]


def ticked(text: str) -> list[str]:
    """The ``code`` spans of ``text``."""
    return re.findall(r"`([^`]+)`", text)


# -- running the commands ---------------------------------------------------------------------


def argv_of(cmd: str, subs: dict[str, str] | None = None) -> list[str]:
    """``movement ...`` / ``python -m movement ...`` as an argument list for
    ``sys.executable -m movement``; ``subs`` replaces placeholder paths (a word or its start)."""
    words = shlex.split(cmd)
    for key, value in (subs or {}).items():
        stem = key.rstrip("/")
        words = [
            value + w[len(stem) :] if w == stem or w.startswith(stem + "/") else w for w in words
        ]
    if words[:3] == ["python", "-m", "movement"]:
        words = words[3:]
    elif words[:1] == ["movement"]:
        words = words[1:]
    else:
        raise AssertionError(f"not a movement command: {cmd}")
    return [sys.executable, "-m", "movement", *words]


def run(cmd: str, cwd: Path, subs: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(argv_of(cmd, subs), capture_output=True, text=True, cwd=cwd, timeout=300)


def in_process(argv: list[str], cwd: Path) -> tuple[int, str, str]:
    """``main(argv)`` from ``cwd``: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                rc = main(argv)
            except SystemExit as exc:  # (--help)
                rc = exc.code
    return rc, out.getvalue(), err.getvalue()


def copy_samples(folder: Path) -> Path:
    """``folder/data``: a copy of the shipped ``data/`` (samples and real recordings)."""
    shutil.copytree(DATA_DIR, folder / "data")
    return folder


def read_tsv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", na_values="n/a", keep_default_na=False)


def out_of(cmd: str, cwd: Path) -> Path:
    words = shlex.split(cmd)
    return cwd / words[words.index("--out") + 1]


# -- every block is covered -------------------------------------------------------------------


def test_readme_blocks_are_found() -> None:
    blocks = readme_blocks()
    assert blocks, "no fenced code block found in README.md"
    text = (
        "# T\n## A\n```bash\nmovement x  # c\n# only a comment\na && \\\n  b\n```\n"
        "## B\n```python\n# not a heading\nx = 1\n```\n"
    )
    parsed = readme_blocks(text)
    assert [(b.section, b.lang, b.line) for b in parsed] == [("A", "bash", 3), ("B", "python", 10)]
    assert shell_commands(parsed[0].text) == ["movement x", "a", "b"]


def test_every_block_is_run_or_listed() -> None:
    missing = []
    for b in readme_blocks():
        if b.lang in SHELL:
            missing += [
                f"line {b.line} ({b.section}): {c}"
                for c in shell_commands(b.text)
                if c not in RUN and c not in NOT_RUN
            ]
            continue
        first = b.text.strip().splitlines()[0] if b.text.strip() else ""
        if (b.lang in PYTHON and b.section in PY_RUN) or (b.section, first) in BLOCKS_NOT_RUN:
            continue
        missing.append(f"line {b.line} ({b.section}): {b.lang or 'plain'} block {first!r}")
    assert not missing, (
        "README code neither run nor listed as not runnable (add it to RUN / PY_RUN with a "
        "test, or to NOT_RUN / BLOCKS_NOT_RUN with the reason):\n" + "\n".join(missing)
    )


def test_every_listed_command_is_still_in_the_readme() -> None:
    commands = set(readme_commands())
    stale = sorted(c for c in [*RUN, *NOT_RUN] if c not in commands)
    blocks = readme_blocks()
    stale += [s for s in PY_RUN if not any(b.section == s and b.lang in PYTHON for b in blocks)]
    stale += [
        f"{s}: {first}"
        for s, first in BLOCKS_NOT_RUN
        if not any(b.section == s and b.text.strip().startswith(first) for b in blocks)
    ]
    assert not stale, f"listed here but no longer in README.md: {stale}"


def test_not_run_commands_name_what_exists() -> None:
    """The extras the pip lines install exist, the scripts exist, and the lint commands
    marked "as CI" are the ones CI runs."""
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    ci = (REPO / ".ci" / "run").read_text()
    ci_lines = {ln.strip() for ln in ci.splitlines()}
    for cmd in NOT_RUN:
        if cmd not in readme_commands():
            continue
        words = shlex.split(cmd)
        if words[:2] == ["pip", "install"]:
            for name in re.findall(r"\[([^\]]*)\]", words[-1])[0].split(","):
                assert name in extras, f"{cmd}: pyproject.toml has no extra {name!r}"
        elif words[0] == "ruff":
            assert cmd in ci_lines, f"README says {cmd!r} is what CI runs; .ci/run does not"
        elif words[0] in ("bash", "python") and words[1] != "-m":
            assert (REPO / words[1]).is_file(), f"{cmd}: no such file {words[1]}"
    assert "python -m pytest" in ci  # the README's test command is CI's


# -- Quick start ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def quick_start(tmp_path_factory) -> SimpleNamespace:
    """The Quick start block's commands, run in a folder holding a copy of ``data/``."""
    work = copy_samples(tmp_path_factory.mktemp("quick_start"))
    cmds = commands_for("quick_start")
    runs = [run(c, work) for c in cmds]
    out = out_of(cmds[-1], work)
    return SimpleNamespace(
        work=work, cmds=cmds, runs=runs, out=out, listing=sorted(p.name for p in out.iterdir())
    )


def test_quick_start_commands_succeed(quick_start) -> None:
    for cmd, r in zip(quick_start.cmds, quick_start.runs, strict=True):
        assert r.returncode == 0, f"{cmd}: exit {r.returncode}\n{r.stderr}"
        assert "Traceback" not in r.stderr
    r = quick_start.runs[-1]
    m = re.search(r"(\d+) of (\d+) recordings scored, 0 failed; results in results/", r.stderr)
    assert m and m.group(1) == m.group(2), r.stderr
    assert len(re.findall(r"^ok ", r.stdout, re.M)) == int(m.group(1))


def test_quick_start_writes_events_per_recording_and_one_summary(quick_start) -> None:
    """ "`results/` then holds `<stem>_events.tsv` + `<stem>_events.json` per recording,
    one `summary.tsv` (with `summary.json`...)" and the batch's `manifest.json`."""
    summary = read_tsv(quick_start.out / "summary.tsv")
    assert (summary["status"] == "ok").all()
    names = {Path(f).name for f in summary["file"]}
    assert {"sim_wrist_accel.csv", "sim_forearm_emg.npy"} <= names  # the samples
    stems = {n.split(".")[0] for n in names}  # "the stem ending at the file name's first dot"
    expected = {f"{s}_events.{ext}" for s in stems for ext in ("tsv", "json")}
    # (the batch's lock, `.movement.lock`, stays: a lock file held with flock, Batches section)
    assert "one `summary.tsv` (with `summary.json`" in README.read_text()
    batch = {"summary.tsv", "summary.json", "manifest.json", ".movement.lock"}
    assert set(quick_start.listing) == expected | batch


def output_table() -> list[tuple[str, str]]:
    """The Output section's table of the events columns: (column cell, meaning cell) rows."""
    output = section_text("## Output")
    start = output.index("| column | meaning |")
    table = output[start : output.index("\n\n", start)]
    rows = [row.strip().strip("|").split("|", 1) for row in table.splitlines()[2:]]
    return [(first.strip(), meaning.strip()) for first, meaning in rows]


def stated_values(column: str) -> set[str]:
    """The values the Output table gives for ``column`` (its meaning cell's code spans)."""
    return {
        v for first, meaning in output_table() if column in ticked(first) for v in ticked(meaning)
    }


def test_events_table_has_the_columns_the_output_section_lists(quick_start) -> None:
    listed = []
    for first, meaning in output_table():
        listed += ticked(first) if first != "features" else ticked(meaning)
        listed += [t for t in ticked(meaning) if t.startswith("p_")]
    for stem in ("sim_wrist_accel", "sim_forearm_emg"):
        header = (quick_start.out / f"{stem}_events.tsv").read_text().splitlines()[0]
        assert sorted(header.split("\t")) == sorted(listed), stem


def test_events_values_are_what_the_output_section_says(quick_start) -> None:
    """`trial_type` is one of the three labels; `review` is "`True` for every dystonia-like
    event"; `review_status` is `n/a` until a reviewer fills it."""
    assert stated_values("trial_type") == {"fasciculation-like", "dystonia-like", "other"}
    tables = [read_tsv(p) for p in sorted(quick_start.out.glob("*_events.tsv"))]
    events = pd.concat(tables, ignore_index=True)
    assert (events["trial_type"] == "dystonia-like").any()  # (else the next line tells nothing)
    assert set(events["trial_type"]) <= stated_values("trial_type")
    assert events.loc[events["trial_type"] == "dystonia-like", "review"].all()
    assert events["review_status"].isna().all()


def test_scale_values_are_the_ones_the_output_section_lists() -> None:
    from movement.simulate import simulate

    sim = simulate("emg", 60, 2, confounders=["motion_artefact"])  # one artefact, seed 2
    scales = set(movement.score(sim.recording)["scale"])
    if "artefact" not in scales:
        pytest.skip("no motion artefact found in the simulated recording: pick another seed")
    assert scales <= stated_values("scale")


def test_events_sidecar_records_what_the_output_section_says(quick_start) -> None:
    """ "`<stem>_events.json` describes every column and records the package version, the
    model, every parameter and their hash, and the reader's decisions"."""
    said = "describes every column and records the package version, the model"
    assert said in " ".join(README.read_text().split())
    side = json.loads((quick_start.out / "sim_wrist_accel_events.json").read_text())
    header = (quick_start.out / "sim_wrist_accel_events.tsv").read_text().splitlines()[0]
    for col in header.split("\t"):
        assert side[col]["Description"], col
    assert side["movement_version"] == movement.__version__
    assert side["model"] and side["parameters"]["config"]
    assert re.fullmatch(r"[0-9a-f]{16}", side["parameters_hash"])
    assert "units" in side["recording"]["reader_notes"]


#: summary.tsv columns the Output section describes in words, not by name: column -> words.
SUMMARY_IN_WORDS = {
    "file": "one row per input: file, `stem`",
    "status": "status (`ok`/`error`, or `moved`",
    "message": "message (the error",
    "duration_s": "duration and time recorded",
    "n_fasciculation": "count and rate per minute",
    "n_dystonia": "count and rate per minute",
    "n_other": "count and rate per minute",
    "rate_per_min_fasciculation": "count and rate per minute",
    "rate_per_min_dystonia": "count and rate per minute",
    "rate_per_min_other": "count and rate per minute",
    "dystonia_time_fraction": "fraction of time recorded in dystonia-like events",
    "n_review": "the number flagged for review",
    "parameters_hash": "the parameters hash",
}
#: Code spans of that paragraph that are values or events-JSON keys, not summary columns.
SUMMARY_NOT_COLUMNS = {"ok", "error", "moved", "n/a", "rhythm_s", "searched_s", "not_searched"}


def test_summary_has_the_columns_the_output_section_lists(quick_start) -> None:
    text = paragraph("`<out>/summary.tsv` has one row per input")
    named = {
        t for t in ticked(text) if re.fullmatch(r"[a-z_/]+", t) and t not in SUMMARY_NOT_COLUMNS
    }
    header = set(read_tsv(quick_start.out / "summary.tsv").columns)
    assert named <= header, f"named in the README, not in summary.tsv: {named - header}"
    flat = " ".join(text.split())
    for col in header - named:
        assert col in SUMMARY_IN_WORDS, f"summary.tsv column {col} is not in the README"
        assert SUMMARY_IN_WORDS[col] in flat, (
            f"{col}: the README no longer says {SUMMARY_IN_WORDS[col]!r}"
        )


def test_quick_start_python(tmp_path, monkeypatch) -> None:
    """The Quick start's Python block, from a folder holding ``data/``."""
    monkeypatch.chdir(copy_samples(tmp_path))
    section = next(s for s, runner in PY_RUN.items() if runner == "test_quick_start_python")
    ns: dict = {"__name__": "readme"}
    for b in readme_blocks():
        if b.section == section and b.lang in PYTHON:
            exec(compile(b.text, f"README.md:{b.line}", "exec"), ns)
    rec, events = ns["rec"], ns["events"]
    assert isinstance(rec, movement.Recording) and rec.units == "g"  # "validated, in g"
    assert isinstance(events, pd.DataFrame) and len(events) > 0  # "one row per segment"
    assert events["review"].dtype == bool  # events[events.review] selects
    assert events.attrs["movement_version"] == movement.__version__
    assert re.fullmatch(r"[0-9a-f]{16}", events.attrs["parameters_hash"])
    assert [p.name for p in tmp_path.iterdir()] == ["data"]  # it writes nothing


def test_library_api_python(tmp_path, monkeypatch) -> None:
    """The Library API's block (the stages one by one) on the wrist sample: the events of
    ``movement.score``, as its text says."""
    monkeypatch.chdir(copy_samples(tmp_path))
    rec = movement.read("data/sim_wrist_accel.csv")
    ns: dict = {"__name__": "readme", "movement": movement, "rec": rec}
    blocks = [b for b in readme_blocks() if b.section == "Library API" and b.lang in PYTHON]
    assert blocks
    for b in blocks:
        exec(compile(b.text, f"README.md:{b.line}", "exec"), ns)
    scored = movement.score(rec)
    pd.testing.assert_frame_equal(ns["events"], scored.loc[:, list(ns["events"].columns)])


# -- the options the Quick start's text adds --------------------------------------------------


@pytest.fixture(scope="module")
def options(quick_start) -> SimpleNamespace:
    """ "Add `--report` ..., `--per day` ..., `--annotations edf` (or `wfdb`) ...;
    `movement evaluate results/ data/` compares the events with the simulated samples'
    ground truth", on the Quick start's results (in-process)."""
    w = quick_start.work
    report = in_process(["score", "data/", "--out", "results/", "--report"], w)
    tables = in_process(
        ["score", "data/", "--out", "results/", "--per", "day", "--per", "channel"]
        + ["--annotations", "edf", "--annotations", "wfdb"],
        w,
    )
    evaluate = in_process(["evaluate", "results/", "data/"], w)
    stems = [f.split("_events.tsv")[0] for f in quick_start.listing if f.endswith("_events.tsv")]
    return SimpleNamespace(
        report=report, tables=tables, evaluate=evaluate, out=quick_start.out, stems=stems
    )


def test_report_per_day_and_annotations_write_their_files(options) -> None:
    for rc, _, err in (options.report, options.tables):
        assert rc == 0, err
    for stem in options.stems:
        for name in (
            f"{stem}_report.html",  # "an HTML review page per recording"
            f"{stem}_per_day.tsv",
            f"{stem}_per_channel.tsv",
            f"{stem}_events.edf",  # --annotations edf
            f"{stem}.mvt",  # --annotations wfdb
        ):
            assert (options.out / name).is_file(), name
    for name in ("summary_per_day.tsv", "summary_per_channel.tsv"):
        assert (options.out / name).is_file(), name


def test_tables_on_a_scored_folder_resume_every_file(options) -> None:
    """ "asking for them on a folder already scored resumes every file and only adds the
    tables"."""
    _, out, err = options.tables
    lines = [ln for ln in out.splitlines() if ln.strip()]
    assert lines and all(ln.startswith("skip ") for ln in lines), out
    assert f"0 of {len(options.stems)} recordings scored" in err


def test_evaluate_compares_with_the_samples_ground_truth(options) -> None:
    rc, out, err = options.evaluate
    assert rc == 0, err
    assert "Event-based metrics" in out
    per_file = out.split("Per file", 1)[1]
    for stem in ("sim_forearm_emg", "sim_wrist_accel"):
        assert re.search(rf"^\s*{stem}\s+ok\s", per_file, re.M), per_file


def test_per_day_tables_have_the_columns_the_readme_lists(options) -> None:
    text = paragraph("**Per day and per hour")
    named = {t for t in ticked(text) if re.fullmatch(r"[a-z_]+", t)}
    header = set(read_tsv(options.out / f"{options.stems[0]}_per_day.tsv").columns)
    counts = {c for c in header if c.startswith(("n_", "rate_per_min_"))} - {"n_review"}
    words = {"parameters_hash": "the parameters hash", "movement_version": "the version"}
    assert "count" in text and "rate per minute" in text
    for col, said in words.items():
        assert said in " ".join(text.split()), col
    undescribed = header - named - counts - set(words)
    assert not undescribed, f"per-day columns the README does not describe: {undescribed}"
    assert "file" in named and "file" in set(read_tsv(options.out / "summary_per_day.tsv"))


def test_per_channel_tables_have_the_columns_the_readme_lists(options) -> None:
    text = paragraph("**Per channel")
    named = {t for t in ticked(text) if re.fullmatch(r"[a-z_]+", t)}
    named |= (
        {"fasciculation_interval_cv"}
        if "`fasciculation_interval_median_s` and `_cv`" in text
        else set()
    )
    header = set(read_tsv(options.out / "sim_forearm_emg_per_channel.tsv").columns)
    counts = {c for c in header if c.startswith(("n_", "rate_per_min_"))} - {"n_review"}
    flat = " ".join(text.split())
    assert "the count and rate per minute recorded of each label" in flat
    assert "the parameters hash and the version" in flat
    described = named | counts | {"parameters_hash", "movement_version"}
    assert header <= described, f"per-channel columns not in the README: {header - described}"
    channels = read_tsv(options.out / "sim_forearm_emg_per_channel.tsv")["channel"]
    assert len(channels) == movement.read(DATA_DIR / "sim_forearm_emg.npy").n_channels


def test_help_for_every_command() -> None:
    """ "`movement --help` and `movement COMMAND --help` explain every option"."""
    rc, out, _ = in_process(["--help"], REPO)
    assert rc == 0 and "usage: movement" in out
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert {"score", "report", "evaluate", "convert", "train", "info", "params"} <= set(sub.choices)
    for name, parser in sub.choices.items():
        rc, out, _ = in_process([name, "--help"], REPO)
        assert rc == 0 and out.startswith(f"usage: movement {name}"), name
        for action in parser._actions:
            for opt in action.option_strings:
                assert opt in out, f"movement {name} --help does not explain {opt}"


# -- Batches, long recordings, clusters: the array job ------------------------------------------


def test_array_job(tmp_path, monkeypatch, capsys) -> None:
    """The SLURM block: every task of the array (its ``#SBATCH --array`` ids, run in-process
    with the variables SLURM sets: an interpreter start per task would take most of this
    file's time), then the collating command (a subprocess). ``/data/study`` is a folder of
    the two simulated samples, ``/scratch/results`` a temporary folder."""
    study = tmp_path / "data" / "study"
    study.mkdir(parents=True)
    for stem, ext in (("sim_wrist_accel", ".csv"), ("sim_forearm_emg", ".npy")):
        for suffix in (ext, ".json"):  # the recording and its sidecar
            shutil.copy2(DATA_DIR / f"{stem}{suffix}", study / f"{stem}{suffix}")
    results = tmp_path / "scratch" / "results"
    subs = {"/data/study": str(study), "/scratch/results": str(results)}
    cmds = commands_for("test_array_job")
    directive = next(c for c in cmds if c.startswith("#SBATCH"))
    first, last = map(int, re.search(r"--array=(\d+)-(\d+)\b", directive).groups())
    n = last - first + 1
    shard_cmd = next(c for c in cmds if "--shard auto" in c)
    collate = [c for c in cmds if c not in (directive, shard_cmd)]
    assert cmds.index(shard_cmd) < cmds.index(collate[0])  # "then, once all tasks have finished"

    argv = argv_of(shard_cmd, subs)[3:]
    for task in range(first, last + 1):
        for key, value in {"ID": task, "MIN": first, "MAX": last, "COUNT": n, "STEP": 1}.items():
            monkeypatch.setenv(f"SLURM_ARRAY_TASK_{key}", str(value))
        assert main(argv) == 0, capsys.readouterr().err
    capsys.readouterr()
    # "keeping its own manifest-shard-K-of-N.json and summary-shard-K-of-N.tsv"
    for stem in ("sim_wrist_accel", "sim_forearm_emg"):
        k = shard_of(stem, n)
        assert (results / f"manifest-shard-{k}-of-{n}.json").is_file()
        assert stem in (results / f"summary-shard-{k}-of-{n}.tsv").read_text()
    assert not (results / "summary.tsv").exists() and not (results / "manifest.json").exists()

    for cmd in collate:
        r = run(cmd, tmp_path, subs)
        assert r.returncode == 0, f"{cmd}: exit {r.returncode}\n{r.stderr}"
    # "Running the command once more without --shard finds every file done and writes the
    # study's summary.tsv and manifest.json"
    lines = [ln for ln in r.stdout.splitlines() if ln.strip()]
    assert len(lines) == 2 and all(ln.startswith("skip ") for ln in lines), r.stdout
    summary = read_tsv(results / "summary.tsv")
    assert sorted(Path(f).name for f in summary["file"]) == [
        "sim_forearm_emg.npy",
        "sim_wrist_accel.csv",
    ]
    assert (summary["status"] == "ok").all()
    assert set(json.loads((results / "manifest.json").read_text())["files"]) >= {
        "sim_wrist_accel",
        "sim_forearm_emg",
    }


def test_batch_scripts_start_with_an_interpreter_line() -> None:
    for b in readme_blocks():
        if b.lang in SHELL and "#SBATCH" in b.text:
            assert b.text.lstrip().startswith("#!"), f"README.md line {b.line}"


# -- Convert once, re-score often -----------------------------------------------------------------


def test_convert_once_rescore_often(tmp_path, real, capsys) -> None:
    """``raw/`` holds the Axivity AX3 test file (``raw/*.cwa``, as the block's comment says)."""
    pytest.importorskip("actfast")
    cwa = real("wearable_device_files/ax3_testfile.cwa")
    (tmp_path / "raw").mkdir()
    shutil.copy2(cwa, tmp_path / "raw" / cwa.name)
    cmds = commands_for("test_convert_once_rescore_often")
    for cmd in cmds:
        r = run(cmd, tmp_path)
        assert r.returncode == 0, f"{cmd}: exit {r.returncode}\n{r.stderr}"
    cache, results = out_of(cmds[0], tmp_path), out_of(cmds[-1], tmp_path)
    # "writes a memory-mapped <stem>.npy with a <stem>.json sidecar (rate, modality, units,
    # start, channel names, ... provenance: source file, movement version, the reader's notes
    # and warnings)"
    assert sorted(p.name for p in cache.iterdir()) == ["ax3_testfile.json", "ax3_testfile.npy"]
    side = json.loads((cache / "ax3_testfile.json").read_text())
    for key in ("SamplingFrequency", "Modality", "Units", "RecordingStartTime", "ColumnNames"):
        assert key in side, key
    conv = side["Conversion"]
    assert conv["SourceFile"] == cwa.name and conv["Version"] == movement.__version__
    assert "ReaderNotes" in conv and "Warnings" in conv
    # "`movement.read` of the `.npy` gives the same recording, bit for bit"
    a, b = movement.read(tmp_path / "raw" / cwa.name), movement.read(cache / "ax3_testfile.npy")
    assert np.array_equal(np.asarray(a.data), np.asarray(b.data))
    assert (a.fs, list(a.channels), a.modality, a.start) == (
        b.fs,
        list(b.channels),
        b.modality,
        b.start,
    )
    summary = read_tsv(results / "summary.tsv")
    assert summary["status"].tolist() == ["ok"] and (results / "ax3_testfile_events.tsv").is_file()
    # "A re-run skips files whose output was converted from the same file"
    before = (cache / "ax3_testfile.npy").stat().st_mtime_ns
    rc, out, err = in_process(argv_of(cmds[0])[3:], tmp_path)
    assert rc == 0, err
    assert out.startswith("skip ") and (cache / "ax3_testfile.npy").stat().st_mtime_ns == before
    # "`--dtype float32` halves the size"
    rc, _, err = in_process([*argv_of(cmds[0])[3:-1], "cache32/", "--dtype", "float32"], tmp_path)
    assert rc == 0, err
    size = (cache / "ax3_testfile.npy").stat().st_size
    assert (tmp_path / "cache32" / "ax3_testfile.npy").stat().st_size == pytest.approx(
        size / 2, rel=0.01
    )


# -- settings: the inline commands of "How each class is decided" ------------------------------


def test_settings_commands(tmp_path) -> None:
    """`movement params --toml > thresholds.toml`, `--config thresholds.toml`, the same as
    JSON, `--set emg.k_on=4`, a bare name, and a bad value's one line with exit code 2."""
    text = " ".join(section_text("## How each class is decided").split())
    for said in (
        "`movement params --toml > thresholds.toml`",
        '`{"emg": {"k_on": 4}}`',
        "(`--set emg.k_on=4`)",
        "a bare name (`--set k_on=4`) sets that parameter of every modality that has it",
        "(`emg.filter_order must be a whole number, got 2.5`), exit code 2, before any file "
        "is read",
    ):
        assert said in text, said

    def k_on(*args: str) -> dict[str, str]:
        rc, out, err = in_process(["params", *args], tmp_path)
        assert rc == 0, err
        found, modality = {}, None
        for line in out.splitlines():
            if line.rstrip(":") in ("emg", "accel") and line.endswith(":"):
                modality = line[:-1]
            elif line.split()[:1] == ["k_on"]:
                found[modality] = line.split()[1]
        return found

    rc, toml_text, err = in_process(["params", "--toml"], tmp_path)
    assert rc == 0, err
    (tmp_path / "thresholds.toml").write_text(toml_text)
    defaults = k_on()
    assert k_on("--config", "thresholds.toml") == defaults
    assert k_on("--set", "emg.k_on=4") == {**defaults, "emg": "4.0"}
    (tmp_path / "thresholds.json").write_text('{"emg": {"k_on": 4}}')
    assert k_on("--config", "thresholds.json") == {**defaults, "emg": "4.0"}
    assert k_on("--set", "k_on=5") == {"emg": "5.0", "accel": "5.0"}
    s = movement.Settings().with_overrides(["emg.k_on=4"])
    assert s.emg.k_on == 4 and s.accel.k_on == movement.Settings().accel.k_on

    rc, out, err = in_process(
        ["score", "not_read.csv", "--out", "o", "--set", "emg.filter_order=2.5"], tmp_path
    )
    assert rc == 2
    assert err == "movement: error: emg.filter_order must be a whole number, got 2.5\n"
    assert not (tmp_path / "o").exists()
