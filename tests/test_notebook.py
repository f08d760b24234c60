"""The tutorial notebook runs from top to bottom without a cell error.

Executed with nbclient in a kernel named ``python3`` whose command is pinned to the
interpreter running pytest (``sys.executable -m ipykernel_launcher``), so the
notebook sees the same environment, with ``movement`` installed, even when a
user-level ``python3`` kernelspec points at another Python. Nothing is installed or
registered: the kernel spec lives only in this process. Skipped when nbformat,
nbclient, ipykernel or matplotlib is missing (``pip install 'movement[report,test]'``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")
kernelspec = pytest.importorskip("jupyter_client.kernelspec")
manager = pytest.importorskip("jupyter_client.manager")

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
TUTORIAL = NOTEBOOKS / "tutorial.ipynb"
KERNEL = "python3"
TIMEOUT_S = 300


class _ThisPython(kernelspec.KernelSpecManager):
    """Resolves ``python3`` to an ipykernel on ``sys.executable``, without touching disk."""

    def get_kernel_spec(self, kernel_name: str) -> kernelspec.KernelSpec:
        if kernel_name != KERNEL:
            return super().get_kernel_spec(kernel_name)
        return kernelspec.KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name="Python 3 (this interpreter)",
            language="python",
            metadata={"debugger": True},
        )


def test_tutorial_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert TUTORIAL.exists(), f"{TUTORIAL} is missing"
    nb = nbformat.read(TUTORIAL, as_version=4)
    # The notebook writes its outputs (batch results, HTML page) here, not to a fresh
    # temporary folder that would outlive the test; the kernel inherits the environment.
    monkeypatch.setenv("MOVEMENT_TUTORIAL_OUT", str(tmp_path / "out"))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    km = manager.AsyncKernelManager(kernel_name=KERNEL, kernel_spec_manager=_ThisPython())
    client = nbclient.NotebookClient(
        nb,
        km=km,
        kernel_name=KERNEL,
        timeout=TIMEOUT_S,
        allow_errors=False,
        extra_arguments=["--InteractiveShell.colors=nocolor"],  # plain tracebacks on failure
        resources={"metadata": {"path": str(NOTEBOOKS)}},  # cwd = notebooks/
    )
    failure = None
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:
        failure = str(exc)
    if failure is not None:
        pytest.fail(f"a notebook cell failed:\n{failure}", pytrace=False)

    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "the notebook has no code cells"
    assert all(c.get("execution_count") for c in code), "some code cells did not run"
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
    assert (tmp_path / "out" / "results" / "summary.tsv").exists()
    assert (tmp_path / "out" / "sim_wrist_accel_report.html").exists()


def test_tutorial_is_committed_without_outputs() -> None:
    """Outputs are cleared before commit so diffs stay readable."""
    nb = nbformat.read(TUTORIAL, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.get("outputs"), "clear the notebook's outputs before committing"
            assert cell.get("execution_count") is None
