"""The package version: the source tree's it is imported from, or the installed package's.

Every result carries it (``movement_version``), and a batch re-scores results of another
version, so it must be the version of the code that runs. Imported from a source tree (a
checkout ahead of an installed copy on ``PYTHONPATH``, a notebook in a checkout, an
editable install) it is the tree's ``pyproject.toml``'s: the installed copy's metadata, or
a ``movement.egg-info`` a build left in the checkout, may be of another version. Otherwise
(an installed copy) it is the installed metadata's.
"""

from __future__ import annotations

from pathlib import Path


def _source_tree_version(here: Path) -> str | None:
    """The version in the ``pyproject.toml`` beside the package, if it is movement's."""
    import tomllib

    try:
        with open(here.parent.parent / "pyproject.toml", "rb") as f:
            project = tomllib.load(f).get("project", {})
    except (OSError, ValueError):
        return None
    if project.get("name") != "movement" or not isinstance(project.get("version"), str):
        return None
    return project["version"]


def _find_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    # a source tree (a checkout on PYTHONPATH, an editable install, a notebook in it): its
    # own pyproject.toml, whatever metadata is found first (a build leaves a
    # movement.egg-info in the checkout, which goes stale with the next version bump)
    source = _source_tree_version(Path(__file__).resolve())
    if source is not None:
        return source
    try:
        return version("movement")  # an installed copy (no pyproject.toml beside it)
    except PackageNotFoundError:
        return "unknown"


__version__ = _find_version()
