"""movement: find fasciculation-like and dystonia-like events in wearable recordings.

Research software, not a diagnostic device. The pipeline reads as its steps::

    rec = movement.read("wrist.csv")      # io        -> Recording
    events = movement.score(rec)           # preprocess -> segment -> features -> classify

Heavy modules are imported lazily so ``import movement`` stays fast.
"""

from __future__ import annotations

import sys
import types
from importlib import import_module
from typing import Any

from ._callable import function_of


class _Package(types.ModuleType):
    """The package's module: a submodule the import system sets on it that is callable
    as its function (``simulate``, ``evaluate``, ``report``) is set as the function that
    stands for it (:class:`movement._callable.ModuleFunction`), so ``movement.simulate``
    is that in any order of imports."""

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, function_of(value) or value)


sys.modules[__name__].__class__ = _Package  # (before any submodule is imported)

from ._version import __version__  # noqa: E402
from .config import AccelConfig, EMGConfig, Settings, load_settings  # noqa: E402
from .errors import MovementError, NoSuchFileError, RecordingError  # noqa: E402
from .recording import Recording  # noqa: E402

_LAZY = {
    "read": ("movement.io", "read"),
    "score": ("movement.pipeline", "score"),
    "simulate": ("movement.simulate", "simulate"),
    "evaluate": ("movement.evaluate", "evaluate"),
    "info": ("movement.io.info", "info"),
    "convert": ("movement.io", "convert"),
    "report": ("movement.report", "write_report"),
    "period_summary": ("movement.output", "period_summary"),
    "channel_summary": ("movement.output", "channel_summary"),
}


#: The package's modules, imported on first use as ``movement.<name>`` (as the README's
#: library table writes them: ``movement.plot.plot_event``), not by ``import movement``.
_SUBMODULES = frozenset(
    {
        "batch",
        "calibration",
        "classify",
        "cli",
        "config",
        "errors",
        "export",
        "features",
        "io",
        "output",
        "pipeline",
        "plot",
        "preprocess",
        "recording",
        "review",
        "segment",
        "stream",
        "train",
        "wear",
    }
)


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        module = import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    if name in _LAZY:
        mod, attr = _LAZY[name]
        module = import_module(mod)
        # ``simulate``, ``evaluate`` and ``report`` are modules of the package too: the
        # name is the function standing for its module (movement._callable), so that
        # ``movement.report(...)``, ``help(movement.report)`` and
        # ``movement.report.write_report(...)`` all work in any order of imports (the
        # import system sets the module here on its first import: _Package swaps it)
        if mod == f"{__name__}.{name}":
            value = function_of(module) or module  # (the module while it is imported)
        else:
            value = getattr(module, attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'movement' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)


__all__ = [
    "__version__",
    "Recording",
    "Settings",
    "EMGConfig",
    "AccelConfig",
    "load_settings",
    "MovementError",
    "RecordingError",
    "NoSuchFileError",
    *_LAZY,
]
