"""``movement.simulate``, ``movement.evaluate`` and ``movement.report``: functions that
are also their modules' namespaces.

The three are modules of the package and, at the package, functions:
``movement.simulate("emg", 3)``, ``movement.report(rec, events, "page.html")``; the
README's ``movement.report.write_report(...)`` and ``movement.simulate.Simulation`` work
too. At the package each is a :class:`ModuleFunction`, in either order of imports (the
package, :mod:`movement`, puts it in place of the module the import system sets on it):

* called, it calls its module's function (looked up at each call, so a patched function
  is the one called);
* its ``__doc__``, ``__wrapped__``, ``__signature__`` are the function's, so ``help()``,
  ``inspect.signature`` and Jupyter's Shift-Tab show the function (``help()`` of the
  module itself showed the module's text);
* every other attribute is its module's: read, set and deleted there
  (``monkeypatch.setattr(movement.report, "write_report", ...)`` patches the module).

``sys.modules`` keeps the module itself (``importlib.import_module``, doctest, Sphinx),
callable as its function too.
"""

from __future__ import annotations

import inspect
import sys
import types
from typing import Any

#: The :class:`ModuleFunction` of each module made callable, by the module's name.
_FUNCTIONS: dict[str, ModuleFunction] = {}


class ModuleFunction:
    """A module's function, standing for the module at the package (see above).

    Not a module: ``help()`` documents a module as one (its text, then every member),
    whatever its ``__doc__``. ``__get__`` makes :func:`inspect.isroutine` (and so
    ``help()``) take it for a function.
    """

    __slots__ = ("_mf_module", "_mf_name")

    def __init__(self, module: types.ModuleType, func_name: str) -> None:
        object.__setattr__(self, "_mf_module", module)
        object.__setattr__(self, "_mf_name", func_name)

    @property
    def __wrapped__(self) -> Any:
        """The module's function (as it is now)."""
        return getattr(self._mf_module, self._mf_name)

    @property  # type: ignore[override]
    def __doc__(self) -> str | None:  # type: ignore[override]
        return self.__wrapped__.__doc__

    @property
    def __signature__(self) -> inspect.Signature:
        return inspect.signature(self.__wrapped__)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.__wrapped__(*args, **kwargs)

    def __get__(self, obj: Any, objtype: Any = None) -> ModuleFunction:
        # (as a class attribute it stays itself, as a staticmethod would)
        return self

    def __getattr__(self, name: str) -> Any:  # (what the class has not: the module's)
        return getattr(self._mf_module, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._mf_module, name, value)

    def __delattr__(self, name: str) -> None:
        delattr(self._mf_module, name)

    def __dir__(self) -> list[str]:
        return dir(self._mf_module)

    def __repr__(self) -> str:
        name = self._mf_module.__name__
        return f"<function {name}.{self._mf_name} (module {name!r}, callable as its function)>"

    def __reduce__(self) -> tuple:
        # (the package's own object again, in any process)
        return _function_of, (self._mf_module.__name__,)


def _function_of(module_name: str) -> ModuleFunction:
    """The :class:`ModuleFunction` of module ``module_name`` (imported when it is not)."""
    from importlib import import_module

    import_module(module_name)
    return _FUNCTIONS[module_name]


def function_of(module: Any) -> ModuleFunction | None:
    """The :class:`ModuleFunction` standing for ``module``, or None if none does."""
    if not isinstance(module, types.ModuleType):
        return None
    found = _FUNCTIONS.get(module.__name__)
    return found if found is not None and found._mf_module is module else None


def callable_module(module_name: str, func_name: str) -> None:
    """Make module ``module_name`` callable as its function ``func_name``, and make the
    :class:`ModuleFunction` that stands for it at the package (called at the module's end)."""
    module = sys.modules[module_name]

    func = getattr(module, func_name)

    class _CallableModule(types.ModuleType):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            return getattr(self, func_name)(*args, **kwargs)

    _CallableModule.__call__.__doc__ = func.__doc__  # (IPython's "Call docstring")
    module.__class__ = _CallableModule
    # inspect.signature(the module) (Jupyter's Shift-Tab): the function's, not
    # ``(*args, **kwargs)``
    module.__signature__ = inspect.signature(func)  # type: ignore[attr-defined]

    # one class each: its __call__'s doc is the function's (IPython's "Call docstring")
    def __call__(self: ModuleFunction, *args: Any, **kwargs: Any) -> Any:
        return self.__wrapped__(*args, **kwargs)

    __call__.__doc__ = func.__doc__
    # (a class made without __doc__ gets __doc__ = None, hiding ModuleFunction's property)
    own = {"__slots__": (), "__call__": __call__, "__doc__": vars(ModuleFunction)["__doc__"]}
    cls = type(func_name, (ModuleFunction,), own)
    cls.__qualname__ = f"ModuleFunction[{module_name}]"
    _FUNCTIONS[module_name] = cls(module, func_name)
