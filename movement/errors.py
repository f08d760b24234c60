"""Exceptions raised at the boundary of the library.

Every error a user can cause with a bad file or a bad option is a subclass of
:class:`MovementError`, so the command line prints one line (``file: problem``)
instead of a traceback.
"""

from __future__ import annotations


class MovementError(Exception):
    """Base class of the errors ``movement`` raises for bad input or options."""


class RecordingError(MovementError, ValueError):
    """A recording cannot be read or is not usable (empty, too short, non-finite...)."""

    def __init__(self, message: str, source: str | None = None) -> None:
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)


class UnresolvedError(RecordingError):
    """A file was read, but its sampling rate or modality is neither given nor stated in it.

    ``missing`` is ``"fs"`` or ``"modality"``: what the caller must give (``--fs``,
    ``--modality`` or a sidecar). :func:`movement.io.info.info` catches it to describe
    such a file anyway.
    """

    def __init__(self, message: str, source: str | None = None, missing: str = "") -> None:
        self.missing = missing
        super().__init__(message, source)


class MissingExtraError(MovementError, ImportError):
    """An optional dependency is needed for this format or feature."""

    def __init__(self, what: str, extra: str, module: str) -> None:
        super().__init__(
            f"{what} needs the optional package '{module}': "
            f"install it with  pip install 'movement[{extra}]'"
        )
