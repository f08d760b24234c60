"""One progress display for the command line: tqdm when installed, else a counter line."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any, TextIO

__all__ = ["progress", "write_line"]

#: The bars shown now (a line written meanwhile goes above them: :func:`write_line`).
_SHOWN: list[Any] = []


def progress(
    it: Iterator[Any], total: int, enabled: bool, desc: str = "scoring", unit: str = "file"
) -> Iterator[Any]:
    """``it``, shown as a progress bar on a terminal (stderr) when ``enabled`` and
    ``total`` > 1; unchanged otherwise (pipes, logs, notebooks get no control characters)."""
    if not (enabled and total > 1 and sys.stderr.isatty()):
        return it
    try:
        from tqdm import tqdm
    except ImportError:
        return _counter(it, total, desc)
    return _shown(tqdm(it, total=total, unit=unit, desc=desc))


def _shown(bar: Any) -> Iterator[Any]:
    _SHOWN.append(bar)
    try:
        yield from bar
    finally:
        _SHOWN.remove(bar)


def _counter(it: Iterator[Any], total: int, desc: str) -> Iterator[Any]:
    _SHOWN.append("counter")
    try:
        for k, item in enumerate(it, 1):
            print(
                f"\r{desc} {k}/{total}", end="" if k < total else "\n", file=sys.stderr, flush=True
            )
            yield item
    finally:
        _SHOWN.remove("counter")


def write_line(text: str, file: TextIO | None = None) -> None:
    """Print one line at once (flushed: a pipe or a log gets it now, not when the buffer
    fills), above a progress bar shown on the terminal."""
    file = sys.stdout if file is None else file
    bar = _SHOWN[-1] if _SHOWN else None
    if bar is None:
        print(text, file=file, flush=True)
    elif bar == "counter" and file.isatty():  # (the counter's line cleared first)
        print(f"\r\033[K{text}", file=file, flush=True)
    elif bar == "counter":
        print(text, file=file, flush=True)
    else:
        bar.write(text, file=file)
        file.flush()
