"""Writing files whole or not at all: a temporary file beside the target, then a rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path


def _plain_mode() -> int:
    """Permissions a plain ``open()`` would give a new file (``mkstemp`` makes 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """A temporary path beside ``target``; renamed over it when the block ends without error.

    On an error the temporary file is removed and ``target`` is left as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, _plain_mode())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: str | Path, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` via a temporary file and an atomic rename."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data.encode() if isinstance(data, str) else data)
        fh.flush()
        os.fsync(fh.fileno())
    return Path(path)


def atomic_write_all(items: Sequence[tuple[str | Path, str | bytes]]) -> list[Path]:
    """Write several files together: each ``(path, data)`` to a temporary file beside its
    target, and only once every one is written whole, all renamed over their targets.

    A failure while writing (a full disk) leaves every target as it was: an events table
    is never left beside the JSON sidecar of another scoring.
    """
    with ExitStack() as stack:
        tmps = [stack.enter_context(atomic_path(path)) for path, _ in items]
        for tmp, (_, data) in zip(tmps, items, strict=True):
            with open(tmp, "wb") as fh:
                fh.write(data.encode() if isinstance(data, str) else data)
                fh.flush()
                os.fsync(fh.fileno())
    return [Path(path) for path, _ in items]
