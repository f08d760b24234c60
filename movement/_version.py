"""The package version: the installed package's, or the source tree's it is imported from.

Every result carries it (``movement_version``), and a batch re-scores results of another
version, so it must be the version of the code that runs. The installed metadata is that
version only when this module is the installed one: a source tree imported ahead of an
installed copy (``PYTHONPATH``, a notebook in a checkout) reads its own
``pyproject.toml`` instead (it stamped the installed copy's version before).
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
    from importlib.metadata import PackageNotFoundError, distribution

    here = Path(__file__).resolve()
    try:
        dist = distribution("movement")
    except PackageNotFoundError:
        dist = None
    if dist is not None:
        try:
            installed = Path(str(dist.locate_file("movement/_version.py"))).resolve()
        except (OSError, ValueError):
            installed = None
        if installed == here:
            return dist.version  # this module is the installed one
    # a source tree (or an editable install, whose metadata comes from it)
    source = _source_tree_version(here)
    if source is not None:
        return source
    return dist.version if dist is not None else "unknown"


__version__ = _find_version()
