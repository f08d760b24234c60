"""movement: find fasciculation-like and dystonia-like events in wearable recordings.

Research software, not a diagnostic device. The pipeline reads as its steps::

    rec = movement.read("wrist.csv")      # io        -> Recording
    events = movement.score(rec)           # preprocess -> segment -> features -> classify

Heavy modules are imported lazily so ``import movement`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from ._version import __version__
from .config import AccelConfig, EMGConfig, Settings, load_settings
from .errors import MovementError, RecordingError
from .recording import Recording

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


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        mod, attr = _LAZY[name]
        module = import_module(mod)
        # ``simulate``, ``evaluate`` and ``report`` are modules of the package too: the
        # name is the module, callable as its function (movement._callable), so that
        # ``movement.report(...)`` and ``movement.report.write_report(...)`` both work in
        # any order of imports (the import system sets the module here on its first import)
        value = module if mod == f"{__name__}.{name}" else getattr(module, attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'movement' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_LAZY))


__all__ = [
    "__version__",
    "Recording",
    "Settings",
    "EMGConfig",
    "AccelConfig",
    "load_settings",
    "MovementError",
    "RecordingError",
    *_LAZY,
]
