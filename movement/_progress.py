"""One progress display for the command line: tqdm when installed, else a counter line."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

__all__ = ["progress"]


def progress(
    it: Iterator[Any], total: int, enabled: bool, desc: str = "scoring", unit: str = "file"
) -> Iterator[Any]:
    """``it``, shown as a progress bar on a terminal (stderr) when ``enabled`` and
    ``total`` > 1; unchanged otherwise (pipes, logs, notebooks get no control characters)."""
    if not (enabled and total > 1 and sys.stderr.isatty()):
        return it
    try:
        from tqdm import tqdm

        return iter(tqdm(it, total=total, unit=unit, desc=desc))
    except ImportError:
        return _counter(it, total, desc)


def _counter(it: Iterator[Any], total: int, desc: str) -> Iterator[Any]:
    for k, item in enumerate(it, 1):
        print(f"\r{desc} {k}/{total}", end="" if k < total else "\n", file=sys.stderr, flush=True)
        yield item
