"""Shared fixtures: where the real recordings are, and signals with known answers.

Real recordings are looked up in ``tests/data/real`` (small copies shipped with the
project, see its SOURCES.md) first, then in the project's shared collection
``../shared/data/real``; a test that needs a file neither has is skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
REAL_DIRS = (TESTS / "data" / "real", REPO.parent / "shared" / "data" / "real")
DATA_DIR = REPO / "data"


def copies_with_sidecars(folder: Path, src: Path, stems: tuple[str, ...] = ("one", "two")) -> Path:
    """``folder`` made, holding a copy of recording ``src`` and its JSON sidecar per stem."""
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    for stem in stems:
        shutil.copy(src, folder / f"{stem}{src.suffix}")
        shutil.copy(src.with_suffix(".json"), folder / f"{stem}.json")
    return folder


def read_errors(path: Path, chunk_rows: int = 500, **kw) -> list[str]:
    """The one-line errors the whole read (``movement.read(path, **kw)``) and the chunked
    read (``stream._open`` with ``fs``, ``modality`` and ``channels`` of ``kw``) give for
    ``path``: [whole, chunked]."""
    import warnings

    import movement
    from movement import stream
    from movement.errors import RecordingError

    out = []
    for how in ("whole", "chunks"):
        with pytest.raises(RecordingError) as err, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if how == "whole":
                movement.read(path, **kw)
            else:
                stream._open(
                    path, fs=kw.get("fs"), modality=kw.get("modality"),
                    channels=kw.get("channels"), chunk_rows=chunk_rows,
                )  # fmt: skip
        out.append(str(err.value))
    return out


def find_real(relpath: str) -> Path | None:
    """``relpath`` under the first real-data folder that has it, else None."""
    for base in REAL_DIRS:
        p = base / relpath
        if p.exists():
            return p
    return None


@pytest.fixture
def real() -> Callable[[str], Path]:
    """``real("myo_wrist_gestures/12345-1/1.txt")`` -> path, or skip the test cleanly."""

    def get(relpath: str) -> Path:
        p = find_real(relpath)
        if p is None:
            pytest.skip(f"real recording {relpath} not available (tests/data/real or ../shared)")
        return p

    return get


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


#: A spike's onset is found within its own length plus the 10 ms RMS window: the zero-phase
#: band-pass spreads its energy symmetrically (a 15 ms spike: +-20 ms).
SPIKE_ONSET_TOL_S = 0.020


def muap(fs: float, duration_s: float = 0.015, amplitude: float = 0.5) -> np.ndarray:
    """A biphasic motor-unit-potential-like wave of ``duration_s`` (one period of a sine
    under a Hann window), peak about ``amplitude``."""
    n = max(3, int(round(duration_s * fs)))
    t = np.arange(n) / (n - 1)
    return amplitude * np.hanning(n) * np.sin(2 * np.pi * t) * 1.3


def emg_noise(rng: np.random.Generator, fs: float, seconds: float, k: int = 1, sd: float = 0.01):
    """Gaussian surface-EMG rest noise, (n, k)."""
    return rng.normal(0.0, sd, (int(round(seconds * fs)), k))


def accel_rest(rng: np.random.Generator, fs: float, seconds: float, noise_g: float = 0.002):
    """A still tri-axial accelerometer (gravity on z, MEMS noise), (n, 3) in g."""
    n = int(round(seconds * fs))
    x = rng.normal(0.0, noise_g, (n, 3))
    x[:, 2] += 1.0
    return x


def twitches_and_tremor(seed: int = 1, source: str | None = None, shift: float = 0.0):
    """120 s of wrist accelerometry at 100 Hz: gravity on z, 2 mg noise, four small twitches
    (10 + ``shift``, 31, 52.5, 88 s) and a 5.2 Hz tremor spell (60-75 s): a small page to
    review."""
    import movement

    fs = 100.0
    rng = np.random.default_rng(seed)
    n = int(120 * fs)
    t = np.arange(n) / fs
    x = rng.normal(0, 0.002, (n, 3))
    x[:, 2] += 1.0
    for on in (10.0 + shift, 31.0, 52.5, 88.0):
        i = int(on * fs)
        x[i : i + 20, 0] += np.hanning(20) * 0.06
    m = (t >= 60) & (t < 75)
    x[m, 1] += 0.05 * np.sin(2 * np.pi * 5.2 * t[m]) * (1 + 0.4 * rng.standard_normal(m.sum()))
    return movement.Recording(
        x, fs=fs, modality="accel", channels=("x", "y", "z"), units="g", source=source
    )


def jsdom_node() -> tuple[str, dict]:
    """``node`` and the environment in which it loads jsdom (``NODE_PATH``); the test is
    skipped without either (``npm install jsdom; NODE_PATH=<folder>/node_modules``)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("needs node with jsdom (NODE_PATH=<folder>/node_modules)")
    env = dict(os.environ)
    ok = subprocess.run(
        [node, "-e", "require('jsdom')"], env=env, capture_output=True, timeout=60
    ).returncode
    if ok != 0:
        pytest.skip("needs jsdom for node (npm install jsdom; NODE_PATH=<folder>/node_modules)")
    return node, env


def tilt_rotation(angle_rad: np.ndarray) -> np.ndarray:
    """Gravity seen by a sensor rotated about x by ``angle_rad`` (per sample), (n, 3)."""
    return np.column_stack([np.zeros_like(angle_rad), np.sin(angle_rad), np.cos(angle_rad)])


#: Bad inputs: case -> (file name, what the one-line error must say).
BAD_CASES: dict[str, tuple[str, str]] = {
    "empty": ("empty.csv", "the file is empty"),
    "header only": ("header_only.csv", "no data rows"),
    "non-numeric": ("nonnumeric.csv", "non-numeric value 'abc' in column 'x' (data row 101)"),
    "too few samples": ("short.csv", "too short: 50 samples at 100 Hz"),
    "time backwards": ("backwards.csv", "time does not increase at row 301"),
    "no rate": ("nofs.csv", "unknown sampling rate"),
    "unreadable npy": ("garbage.npy", "not a readable .npy file"),
    "corrupt gzip": ("broken.csv.gz", "not a text table"),
    "corrupt mat": ("broken.mat", "not a readable MATLAB file"),
    "corrupt hdf5": ("broken.h5", "not an HDF5 file"),
    "unknown type": ("r.xyz", "unknown file type"),
}


def make_bad_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """Write one file per :data:`BAD_CASES` entry into ``folder``; case -> (path, fragment)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    t = np.arange(500) / 100.0
    x = accel_rest(rng, 100.0, 5.0)

    def table(ts: np.ndarray, xs: np.ndarray, header: str = "time,x,y,z") -> str:
        rows = [",".join(f"{v:.4f}" for v in r) for r in np.column_stack([ts, xs])]
        return "\n".join([header, *rows]) + "\n"

    text = {
        "empty": "",
        "header only": "time,x,y,z\n",
        "too few samples": table(t[:50], x[:50]),
        "no rate": "\n".join(["x,y,z"] + [",".join(f"{v:.4f}" for v in r) for r in x]) + "\n",
        "unknown type": "1,2,3\n",
    }
    lines = table(t, x).splitlines()
    lines[101] = "1.00,abc,0.1,1.0"
    text["non-numeric"] = "\n".join(lines) + "\n"
    tb = t.copy()
    tb[300] = tb[200]
    text["time backwards"] = table(tb, x)
    binary = {
        "unreadable npy": b"\x93NUMPY this is not an array",
        "corrupt gzip": b"this is not gzip data" * 10,
        "corrupt mat": b"this is not a MAT-file" * 10,
        "corrupt hdf5": b"this is not an HDF5 file" * 10,
    }
    out = {}
    for case, (name, fragment) in BAD_CASES.items():
        p = folder / name
        if case in binary:
            p.write_bytes(binary[case])
        else:
            p.write_text(text[case])
        out[case] = (p, fragment)
    return out
