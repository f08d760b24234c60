"""Let ``movement.NAME(...)`` work whether ``NAME`` resolved to the function or its module.

The package exposes ``simulate``, ``evaluate`` and ``report`` lazily as functions under
the same names as their modules. Importing a module first (``import movement.evaluate``)
makes ``movement.evaluate`` the module; this makes such a module forward calls to its
function, so both orders work.
"""

from __future__ import annotations

import inspect
import sys
import types
from typing import Any


def callable_module(module_name: str, func_name: str) -> None:
    """Make module ``module_name`` callable as its function ``func_name``."""
    module = sys.modules[module_name]

    func = getattr(module, func_name)

    class _CallableModule(types.ModuleType):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            return getattr(self, func_name)(*args, **kwargs)

    _CallableModule.__call__.__doc__ = func.__doc__  # (IPython's "Call docstring")
    module.__class__ = _CallableModule
    # inspect.signature(movement.simulate) (Jupyter's Shift-Tab): the function's, not
    # ``(*args, **kwargs)``
    module.__signature__ = inspect.signature(func)  # type: ignore[attr-defined]
