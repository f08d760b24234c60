"""Exceptions raised at the boundary of the library.

Every error a user can cause with a bad file or a bad option is a subclass of
:class:`MovementError`, so the command line prints one line (``file: problem``)
instead of a traceback.

:class:`MovementError` is a :class:`ValueError`, as scikit-learn's, NumPy's and pandas'
bad arguments are: ``except ValueError`` catches a bad recording, option or model given
to the library. A file that does not exist is also a :class:`FileNotFoundError`
(:class:`NoSuchFileError`, as ``open`` and ``pandas.read_csv`` raise), and an optional
package not installed also an :class:`ImportError` (:class:`MissingExtraError`).

Examples
--------
>>> import movement
>>> try:
...     movement.Settings(emg={"band_low_hz": -1})
... except ValueError as exc:
...     print(type(exc).__name__)
MovementError
"""

from __future__ import annotations

import errno


class MovementError(ValueError):
    """Base class of the errors ``movement`` raises for bad input or options.

    A :class:`ValueError`: code that catches ``ValueError`` around a call of the library
    catches these too; ``except MovementError`` catches the library's own alone.
    """


class RecordingError(MovementError):
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


class NoSuchFileError(RecordingError, FileNotFoundError):
    """A file or folder to read does not exist.

    A :class:`RecordingError` (so a :class:`MovementError` and a :class:`ValueError`) and
    Python's :class:`FileNotFoundError`, with ``errno`` (``ENOENT``), ``strerror`` and
    ``filename`` set as ``open`` sets them; ``str()`` is the library's one line
    (``path: no such file``).

    Examples
    --------
    >>> import movement
    >>> try:
    ...     movement.read("no/such/file.csv")
    ... except FileNotFoundError as exc:
    ...     print(exc, "|", exc.filename)
    no/such/file.csv: no such file | no/such/file.csv
    """

    def __init__(self, message: str = "no such file", source: str | None = None) -> None:
        super().__init__(message, source)
        self.errno = errno.ENOENT
        self.strerror = message
        self.filename = source

    def __str__(self) -> str:
        # (OSError's own is "[Errno 2] no such file: 'path'")
        return BaseException.__str__(self)

    def __reduce__(self) -> tuple:
        # (OSError's keeps neither the message nor the file apart: a copy sent between
        # processes is made again from both)
        return type(self), (self.strerror, self.filename)


class MissingExtraError(MovementError, ImportError):
    """An optional dependency is needed for this format or feature.

    An :class:`ImportError` too (``except ImportError``). As every
    :class:`MovementError`, it is a :class:`ValueError` as well: the format or option
    asked for cannot be used where the package is not installed.
    """

    def __init__(self, what: str, extra: str, module: str) -> None:
        self.what, self.extra, self.module = what, extra, module
        super().__init__(
            f"{what} needs the optional package '{module}': "
            f"install it with  pip install 'movement[{extra}]'"
        )

    def __reduce__(self) -> tuple:
        # (ImportError's makes it again from its message alone, which __init__ does not take)
        return type(self), (self.what, self.extra, self.module)
