"""The package version, read from the installed metadata."""

from __future__ import annotations

try:
    from importlib.metadata import PackageNotFoundError, version

    __version__ = version("movement")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.3.0+unknown"
