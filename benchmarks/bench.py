"""Benchmarks of movement: long-recording streaming, EMG accuracy vs NeuroKit2, floor, scaling.

Run from the repository root::

    python benchmarks/bench.py            # full: 24 h and 7 days of accelerometry (~15 min)
    python benchmarks/bench.py --quick    # 2 h and 12 h, 2 min of EMG (~2 min)

Every case runs in a fresh subprocess; its peak memory is that process's ``ru_maxrss``
(``os.wait4``), its time the wall-clock time of the work (imports excluded). Inputs are
written to ``benchmarks/_work/`` (git-ignored) and reused on the next run. The results
are printed and written to ``benchmarks/results.md``.

NeuroKit2 pins ``pandas<3``; when it cannot be imported here, the script looks for a
virtual environment at ``benchmarks/_work/nk-venv`` (see ``benchmarks/README.md``),
otherwise its row says "not installed". actipy (the accelerometer peer timed on the same
24 h) likewise: imported here, or from ``benchmarks/_work/actipy-venv``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work"
ROOT = HERE.parent
ACCEL_FS = 100.0
EMG_FS = 2000.0


# --------------------------------------------------------------------------- machine


def machine() -> dict[str, str]:
    """Cores, RAM, CPU model, Python and library versions."""
    from importlib.metadata import version

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024**2:.1f} GB"
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "python": platform.python_version(),
        "numpy": version("numpy"),
        "scipy": version("scipy"),
        "pandas": version("pandas"),
        "os": platform.platform(),
    }


# --------------------------------------------------------------------------- inputs


def _tag(hours: float) -> str:
    """A file-name tag without dots (sidecars are found by the part before the first dot)."""
    return f"{int(round(hours * 60))}min"


def _sidecar(path: Path, fs: float, modality: str) -> None:
    side = {
        "SamplingFrequency": fs,
        "Modality": modality,
        "Units": "g" if modality == "accel" else "mV",
    }
    path.with_suffix(".json").write_text(json.dumps(side) + "\n")


def accel_hours(hours: float, name: str) -> Path:
    """A tri-axial 100 Hz ``.npy`` of ``hours``: simulated hours (24 distinct ones, then repeated)."""
    from numpy.lib.format import open_memmap

    from movement.simulate import simulate

    path = WORK / f"{name}.npy"
    n = int(round(hours * 3600 * ACCEL_FS))
    if path.exists():
        try:
            if np.load(path, mmap_mode="r").shape == (n, 3):
                return path
        except ValueError:
            pass
    cache = WORK / "accel_hours"
    cache.mkdir(parents=True, exist_ok=True)
    out = open_memmap(path, mode="w+", dtype=np.float64, shape=(n, 3))
    per = int(3600 * ACCEL_FS)
    for i, a in enumerate(range(0, n, per)):
        hour = cache / f"h{i % 24:02d}.npy"
        if not hour.exists():
            np.save(hour, simulate("accel", 3600, seed=2024, stream=i % 24).recording.data)
        h = np.load(hour)
        out[a : min(n, a + per)] = h[: min(n, a + per) - a]
    out.flush()
    del out
    _sidecar(path, ACCEL_FS, "accel")
    return path


def accel_edf(npy: Path) -> Path | None:
    """The same recording as an EDF file (16-bit, +-16 g: 0.5 mg steps), or None without edfio."""
    try:
        import edfio
    except ImportError:
        return None
    path = npy.with_suffix(".edf")
    x = np.load(npy, mmap_mode="r")
    if path.exists() and path.stat().st_mtime >= npy.stat().st_mtime:
        return path
    sigs = [
        edfio.EdfSignal(
            np.asarray(x[:, j]),
            ACCEL_FS,
            label=f"Acc {c}",
            physical_dimension="g",
            physical_range=(-16, 16),
        )
        for j, c in enumerate("XYZ")
    ]
    tmp = path.with_suffix(".edf.tmp")
    edfio.Edf(sigs).write(tmp)
    tmp.replace(path)
    return path


def accel_h5(npy: Path) -> Path | None:
    """The same recording as an HDF5 file (data set ``data``, rate attribute), or None
    without h5py."""
    try:
        import h5py
    except ImportError:
        return None
    path = npy.with_suffix(".h5")
    if path.exists() and path.stat().st_mtime >= npy.stat().st_mtime:
        return path
    tmp = path.with_suffix(".h5.tmp")
    with h5py.File(tmp, "w") as f:
        d = f.create_dataset("data", data=np.load(npy, mmap_mode="r"))
        d.attrs["fs"] = ACCEL_FS
        d.attrs["modality"] = "accel"
        f["channels"] = ["x", "y", "z"]
    tmp.replace(path)
    return path


def accel_csv(npy: Path) -> Path:
    """The same recording as a device-style CSV export: a column of dates
    (``2019-03-21 14:58:00.000``) and the three axes in g to 0.1 mg (4 decimals)."""
    path = npy.with_suffix(".csv")
    if path.exists() and path.stat().st_mtime >= npy.stat().st_mtime:
        return path
    x = np.load(npy, mmap_mode="r")
    t0 = np.datetime64("2019-03-21T14:58:00.000")
    step = np.timedelta64(int(round(1000 / ACCEL_FS)), "ms")
    tmp = path.with_suffix(".csv.tmp")
    with open(tmp, "w") as f:
        f.write("time,x,y,z\n")
        for a in range(0, len(x), 1_000_000):  # loop over blocks of rows
            b = min(len(x), a + 1_000_000)
            stamps = np.char.replace((t0 + np.arange(a, b) * step).astype(str), "T", " ")
            block = pd.DataFrame(np.round(x[a:b], 4), columns=list("xyz"))
            block.insert(0, "time", stamps)
            block.to_csv(f, header=False, index=False)
    tmp.replace(path)
    return path


def accel_jitter_csv(npy: Path) -> Path:
    """The same recording as a logger's CSV with a jittered clock: whole milliseconds
    off by up to 2 ms (seeded), a 45 s hole a third of the way in, the axes to 0.1 mg.
    Read whole it is put on a uniform grid; streamed, chunk by chunk onto the same grid."""
    path = npy.with_name(npy.stem + "_jitter.csv")
    if path.exists() and path.stat().st_mtime >= npy.stat().st_mtime:
        return path
    x = np.load(npy, mmap_mode="r")
    rng = np.random.default_rng(1)
    period_ms = int(round(1000 / ACCEL_FS))
    hole_at = len(x) // 3
    tmp = path.with_suffix(".csv.tmp")
    with open(tmp, "w") as f:
        f.write("time,x,y,z\n")
        for a in range(0, len(x), 1_000_000):  # loop over blocks of rows
            b = min(len(x), a + 1_000_000)
            ms = np.arange(a, b) * period_ms + rng.integers(-2, 3, b - a)
            ms[np.arange(a, b) >= hole_at] += 45_000
            block = pd.DataFrame(np.round(x[a:b], 4), columns=list("xyz"))
            block.insert(0, "time", ms)
            block.to_csv(f, header=False, index=False)
    tmp.replace(path)
    return path


def emg_input(minutes: float, confounders: str) -> tuple[Path, Path]:
    """10 min (or ``minutes``) of 1-channel 2 kHz EMG with ~170 known bursts, and its truth."""
    from movement.simulate import SimulationParams, simulate

    tag = f"emg_{int(round(minutes * 60))}s_{confounders}"
    path, truth = WORK / f"{tag}.npy", WORK / f"{tag}_events.tsv"
    if not (path.exists() and truth.exists()):
        params = SimulationParams(fasciculation_rate_per_min=12.0, dystonia_rate_per_min=5.0)
        sim = simulate(
            "emg",
            minutes * 60,
            seed=11,
            n_channels=1,
            confounders=None if confounders == "default" else confounders,
            params=params,
        )
        np.save(path, sim.recording.data)
        sim.events.to_csv(truth, sep="\t", index=False)
        _sidecar(path, EMG_FS, "emg")
    return path, truth


# --------------------------------------------------------------------------- cases (children)


def emg_long_input(minutes: float, n_channels: int = 4) -> Path:
    """A long multi-channel 2 kHz EMG ``.npy`` (simulated, seed 6), for the streamed vs
    whole-recording comparison."""
    from movement.simulate import simulate

    path = WORK / f"emg{n_channels}ch_{int(round(minutes * 60))}s.npy"
    if not path.exists():
        sim = simulate("emg", minutes * 60, seed=6, n_channels=n_channels)
        np.save(path, sim.recording.data)
        _sidecar(path, EMG_FS, "emg")
    return path


def _case_stream(path: str, window_s: float | None = None, threads: int = 1) -> dict[str, Any]:
    from movement.stream import score_stream

    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t = time.perf_counter()
    ev = score_stream(path, window_s=window_s, threads=threads)
    dt = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "time": dt,
        "user": r1.ru_utime - r0.ru_utime,
        "sys": r1.ru_stime - r0.ru_stime,
        "events": len(ev),
        "windows": ev.attrs["stream"]["windows"],
    }


def _case_whole(path: str) -> dict[str, Any]:
    """In-memory movement.score, timed per stage."""
    import movement
    from movement import pipeline
    from movement.classify import load_model

    t0 = time.perf_counter()
    rec = movement.read(path)
    t1 = time.perf_counter()
    cfg = pipeline._config_for(rec.modality, None)
    clf, name = load_model("default", rec.modality, cfg)
    pre = pipeline.preprocess(rec, cfg)
    t2 = time.perf_counter()
    seg = pipeline.segment(pre, cfg)
    t3 = time.perf_counter()
    feats = pipeline.segment_features(pre, seg, cfg, rec.modality, rec.duration)
    t4 = time.perf_counter()
    ev = pipeline._label(feats, clf, cfg, rec, name)
    t5 = time.perf_counter()
    return {
        "time": t5 - t0,
        "read": t1 - t0,
        "preprocess": t2 - t1,
        "segment": t3 - t2,
        "features": t4 - t3,
        "label": t5 - t4,
        "events": len(ev),
    }


def _case_floor(path: str) -> dict[str, Any]:
    """Load the .npy, one zero-phase band-pass, vector magnitude and a 1 s moving RMS."""
    from scipy import signal

    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t = time.perf_counter()
    x = np.load(path)
    sos = signal.butter(4, [0.5, 20.0], btype="bandpass", fs=ACCEL_FS, output="sos")
    y = signal.sosfiltfilt(sos, x, axis=0)
    vm = np.sqrt(np.einsum("ij,ij->i", y, y))
    w = int(ACCEL_FS)
    c = np.concatenate([[0.0], np.cumsum(vm * vm)])
    rms = np.sqrt(np.maximum((c[w:] - c[:-w]) / w, 0))
    dt = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    # the kernel's share (page faults of ~1 GB of fresh arrays): what varies from run to run
    return {
        "time": dt,
        "user": r1.ru_utime - r0.ru_utime,
        "sys": r1.ru_stime - r0.ru_stime,
        "checksum": float(rms.mean()),
    }


def _case_actipy(path: str) -> dict[str, Any]:
    """actipy's preprocessing of the same recording: ``actipy.process`` with its defaults
    (20 Hz low-pass, gravity calibration, non-wear detection, uniform resampling) on the
    ``.npy`` loaded into the time-indexed DataFrame it takes (load and index timed too)."""
    import actipy

    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t = time.perf_counter()
    x = np.load(path)
    step = pd.Timedelta(int(round(1e9 / ACCEL_FS)), unit="ns")
    index = pd.date_range("2024-01-01", periods=len(x), freq=step, name="time")
    df = pd.DataFrame(x, columns=["x", "y", "z"], index=index)
    t1 = time.perf_counter()
    data, info = actipy.process(df, ACCEL_FS, verbose=False)
    dt = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "time": dt,
        "process": time.perf_counter() - t1,
        "user": r1.ru_utime - r0.ru_utime,
        "sys": r1.ru_stime - r0.ru_stime,
        "rows": len(data),
        "version": getattr(actipy, "__version__", "?"),
        "calibrated": bool(info.get("CalibOK", info.get("Calibrated", False))),
    }


def _case_actipy_device(path: str) -> dict[str, Any]:
    """actipy from a device file: ``actipy.read_device`` (its Java reader, then the same
    steps as ``actipy.process``, with their defaults)."""
    import actipy

    r0 = resource.getrusage(resource.RUSAGE_SELF)
    k0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    data, info = actipy.read_device(
        path,
        lowpass_hz=20,
        calibrate_gravity=True,
        detect_nonwear=True,
        resample_hz="uniform",
        verbose=False,
    )
    dt = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    k1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "time": dt,
        # (the Java reader's CPU too: a child process)
        "user": r1.ru_utime - r0.ru_utime + k1.ru_utime - k0.ru_utime,
        "rows": len(data),
        "version": getattr(actipy, "__version__", "?"),
    }


def _case_emg_movement(path: str, truth: str) -> dict[str, Any]:
    """Read + score: the first call (it loads the model, once per process), then the median
    of 5 more calls (one 0.2 s call is at the mercy of a shared VM's scheduler)."""
    import statistics

    import movement
    from movement.evaluate import evaluate

    t = time.perf_counter()
    ev = movement.score(movement.read(path))
    first = time.perf_counter() - t
    times = []
    for _ in range(5):  # loop over repeated calls
        t = time.perf_counter()
        ev = movement.score(movement.read(path))
        times.append(time.perf_counter() - t)
    dt = statistics.median(times)
    import pandas as pd

    tr = pd.read_csv(truth, sep="\t")
    det = _detection_f1(ev["onset"].to_numpy(), tr["onset"].to_numpy(), 0.05)
    res = evaluate(ev, tr, duration=float(movement.read(path).duration), modality="emg")
    f1 = res.events["f1"].to_dict()
    return {
        "time": dt,
        "first_call": first,
        "events": len(ev),
        **det,
        "class_f1": {k: float(v) for k, v in f1.items()},
    }


def _case_emg_neurokit(path: str, truth: str) -> dict[str, Any]:
    import neurokit2 as nk
    import pandas as pd

    x = np.load(path)
    t = time.perf_counter()
    onsets = []
    for j in range(x.shape[1]):  # neurokit2 takes one channel
        _, info = nk.emg_process(x[:, j], sampling_rate=int(EMG_FS))
        onsets.extend(np.asarray(info["EMG_Onsets"], dtype=float) / EMG_FS)
    dt = time.perf_counter() - t
    tr = pd.read_csv(truth, sep="\t")
    det = _detection_f1(np.sort(np.array(onsets)), tr["onset"].to_numpy(), 0.05)
    return {"time": dt, "events": len(onsets), "version": nk.__version__, **det}


def _case_batch(paths: list[str], jobs: int, out: str) -> dict[str, Any]:
    from movement.batch import score_batch

    t = time.perf_counter()
    rows = score_batch([Path(p) for p in paths], out, jobs=jobs, resume=False, progress=False)
    errors = [r.get("error") for r in rows if r["status"] != "ok"]
    return {
        "time": time.perf_counter() - t,
        "ok": sum(r["status"] == "ok" for r in rows),
        "first_error": errors[0] if errors else "",
    }


def _case_report(path: str, out: str) -> dict[str, Any]:
    """``movement score FILE --report``: the events and the HTML review page (streamed
    for a long file: one more pass over the windows draws the page)."""
    from movement.batch import ScoreOptions, score_batch

    t = time.perf_counter()
    rows = score_batch(
        [Path(path)], out, ScoreOptions(report=True), jobs=1, resume=False, progress=False
    )
    page = next(Path(out).glob("*_report.html"), None)
    return {
        "time": time.perf_counter() - t,
        "ok": sum(r["status"] == "ok" for r in rows),
        "events": rows[0].get("n_events"),
        "page_mb": page.stat().st_size / 2**20 if page else 0.0,
    }


def _case_batch_dask(paths: list[str], out: str, workers: int = 2) -> dict[str, Any]:
    """The same batch on a Dask LocalCluster (loopback, one thread per worker process): the
    cluster's start, a first batch (its workers import movement and load the model) and a
    second one on the warm workers (the reported time)."""
    try:
        from dask.distributed import LocalCluster
    except ImportError:
        return {"error": "dask not installed"}
    from movement.batch import score_batch

    t0 = time.perf_counter()
    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
    )
    t1 = time.perf_counter()
    times = []
    try:
        for _ in range(2):
            t = time.perf_counter()
            rows = score_batch(
                [Path(p) for p in paths], out, jobs=workers, backend="dask",
                scheduler=cluster.scheduler_address, resume=False, progress=False,
            )  # fmt: skip
            times.append(time.perf_counter() - t)
    finally:
        cluster.close()
    return {
        "time": times[-1],
        "first": times[0],
        "start": t1 - t0,
        "ok": sum(r["status"] == "ok" for r in rows),
    }


def _detection_f1(pred: np.ndarray, truth: np.ndarray, tol: float) -> dict[str, float]:
    """Class-agnostic event F1: one-to-one matches with onsets within ``tol`` seconds."""
    pred = np.sort(np.asarray(pred, dtype=float))
    used = np.zeros(len(pred), dtype=bool)
    tp = 0
    for t in np.sort(np.asarray(truth, dtype=float)):  # a loop over true events (hundreds)
        lo, hi = np.searchsorted(pred, [t - tol, t + tol + 1e-12])
        cand = [i for i in range(lo, hi) if not used[i]]
        if cand:
            used[min(cand, key=lambda i: abs(pred[i] - t))] = True
            tp += 1
    fp, fn = len(pred) - tp, len(truth) - tp
    prec = tp / max(tp + fp, 1)
    rec = tp / max(tp + fn, 1)
    return {
        "f1": 2 * prec * rec / max(prec + rec, 1e-12),
        "precision": prec,
        "recall": rec,
    }


def _case_inputs(
    day_h: float, week_h: float, lengths: list[float], batch_h: float, emg_min: float
) -> dict[str, Any]:
    return {
        "day": str(accel_hours(day_h, f"accel_{_tag(day_h)}")),
        "week": str(accel_hours(week_h, f"accel_{_tag(week_h)}")),
        "by_len": {str(h): str(accel_hours(h, f"accel_{_tag(h)}")) for h in lengths},
        "batch": [str(accel_hours(batch_h, f"batch{i}_{_tag(batch_h)}")) for i in range(24)],
        "emg_clean": [str(p) for p in emg_input(emg_min, "none")],
        "emg_conf": [str(p) for p in emg_input(emg_min, "default")],
        "emg_long": str(emg_long_input(6 * emg_min)),
        "emg_long8": str(emg_long_input(6 * emg_min, n_channels=8)),
        **_day_formats(accel_hours(day_h, f"accel_{_tag(day_h)}")),
        "day_nonwear": str(accel_nonwear(accel_hours(day_h, f"accel_{_tag(day_h)}"))),
        "cwa": {
            k: None if c is None else str(c)
            for k, c in (("day", accel_cwa(day_h)), ("week", accel_cwa(week_h)))
        },
        "bin": None if (g := accel_geneactiv(day_h)) is None else str(g),
    }


def accel_nonwear(day: Path) -> Path:
    """The day with 3.5 h off the wrist (02:00-05:30: the sensor still on a table, 1 g on
    its z axis plus 8 mg of sensor noise, the consumer MEMS level of ``domain.md``) and a
    raw device's calibration error on every sample (gains 1.02 / 0.98 / 1.01, offsets
    +30 / -20 / +10 mg): the input ``peers.md`` timed actipy on (3.5 h of non-wear), on
    which both tools' calibration and non-wear steps have work to do."""
    path = WORK / f"{day.stem}_nonwear.npy"
    if not path.exists():
        x = np.load(day)
        # (a shorter recording: the same share of it, 2/24 to 5.5/24 of its length)
        a, b = len(x) * 2 // 24, len(x) * 11 // 48
        rng = np.random.default_rng(35)
        x[a:b] = rng.normal(0.0, 0.008, (b - a, 3))
        x[a:b, 2] += 1.0
        x = x * np.array([1.02, 0.98, 1.01]) + np.array([0.03, -0.02, 0.01])
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, x)
        tmp.replace(path)
        _sidecar(path, ACCEL_FS, "accel")
    return path


def accel_cwa(hours: float) -> Path | None:
    """An Axivity ``.cwa`` of about ``hours``: the real AX3 test file's 145 blocks (176 s of
    a wrist) repeated (``device_tiles.tile_cwa``), or None without actfast (``devices``)."""
    try:
        import actfast  # noqa: F401
    except ImportError:
        return None
    from device_tiles import tile_cwa

    src = ROOT / "tests" / "data" / "real" / "wearable_device_files" / "ax3_testfile.cwa"
    copies = int(np.ceil(hours * 3600 / 176.0))  # (each copy 176 s on from the last)
    # (contiguous copies since 0.8.0: a new name, so that older tiles, with sub-second
    # pauses between copies, of the same size, are not reused)
    path = WORK / f"ax3c_{_tag(hours)}.cwa"
    if not (path.exists() and path.stat().st_size == 1024 + copies * 145 * 512):
        tile_cwa(src, path, copies)
    return path


def accel_geneactiv(hours: float) -> Path | None:
    """A GENEActiv ``.bin`` of about ``hours`` at 85.7 Hz: the real test file's 16 whole
    pages (4800 samples, 56 s) repeated (``device_tiles.tile_geneactiv``), or None without
    actfast (``devices``). 85.7 Hz is a rate whose analysis grids meet only every 3161 s
    (the stream's cores are offset there: :func:`movement.stream.plan`)."""
    try:
        import actfast  # noqa: F401
    except ImportError:
        return None
    from device_tiles import tile_geneactiv

    src = ROOT / "tests" / "data" / "real" / "wearable_device_files" / "GENEActiv_testfile.bin"
    copies = int(np.ceil(hours * 3600 * 85.7 / 4800))
    path = WORK / f"geneactiv_{_tag(hours)}.bin"
    if not path.exists():
        tmp = path.with_suffix(".tmp.bin")
        tile_geneactiv(src, tmp, copies)
        tmp.replace(path)
    return path


def _day_formats(day: Path) -> dict[str, str | None]:
    """The day as EDF, HDF5, a CSV with dates and a CSV with a jittered clock (None: the
    extra to write it is not installed)."""
    edf, h5 = accel_edf(day), accel_h5(day)
    return {
        "day_edf": None if edf is None else str(edf),
        "day_h5": None if h5 is None else str(h5),
        "day_csv": str(accel_csv(day)),
        "day_jitter": str(accel_jitter_csv(day)),
    }


CASES = {
    "inputs": _case_inputs,
    "stream": _case_stream,
    "whole": _case_whole,
    "floor": _case_floor,
    "emg_movement": _case_emg_movement,
    "emg_neurokit": _case_emg_neurokit,
    "actipy": _case_actipy,
    "actipy_device": _case_actipy_device,
    "batch": _case_batch,
    "batch_dask": _case_batch_dask,
    "report": _case_report,
}


def _child(name: str, kwargs: str) -> None:
    if name == "emg_neurokit":
        import neurokit2  # noqa: F401
    elif name in ("actipy", "actipy_device"):
        import actipy  # noqa: F401
    else:
        import movement.batch  # noqa: F401
        import movement.evaluate  # noqa: F401
        import movement.stream  # noqa: F401
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = CASES[name](**json.loads(kwargs))
    out["base_mb"] = base / 1024
    print("RESULT " + json.dumps(out))


# --------------------------------------------------------------------------- parent


def _cpu(runs: list[dict[str, Any]], key: str) -> str:
    """The CPU times ``key`` ("user" or "sys") of a case's runs, as "a, b, c"."""
    return ", ".join(f"{x[key]:.2f}" for x in runs if key in x)


def run_case(name: str, python: str | None = None, **kwargs: Any) -> dict[str, Any]:
    """Run one case in a fresh process; add its peak RSS (MB) and exit status."""
    return run_cases([(name, python, kwargs)])[0]


def run_cases(cases: list[tuple[str, str | None, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Run cases at the same time, each in a fresh process (one case: just that one)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    procs = []
    for name, python, kwargs in cases:
        fh = tempfile.TemporaryFile("w+")
        p = subprocess.Popen(
            [python or sys.executable, __file__, "--case", name, "--kwargs", json.dumps(kwargs)],
            stdout=fh,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=str(ROOT),
        )
        procs.append((p, fh))
    results = []
    for p, fh in procs:
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        fh.seek(0)
        text = fh.read()
        fh.close()
        results.append(_parse(text, p.returncode, usage))
    return results


def _parse(text: str, returncode: int, usage: Any) -> dict[str, Any]:
    res: dict[str, Any] = {}
    for line in text.splitlines():
        if line.startswith("RESULT "):
            res = json.loads(line[7:])
    if not res:
        res = {"error": text.strip().splitlines()[-1] if text.strip() else f"exit {returncode}"}
    res["peak_mb"] = usage.ru_maxrss / 1024  # Linux: kilobytes
    return res


def _peer_python(module: str, venv: str) -> str | None:
    """The interpreter that imports a peer ``module``: this one, else the virtual
    environment ``benchmarks/_work/<venv>`` (None: neither)."""
    import importlib.util

    if importlib.util.find_spec(module) is not None:
        return sys.executable
    python = WORK / venv / "bin" / "python"
    return str(python) if python.exists() else None


def _neurokit_python() -> str | None:
    return _peer_python("neurokit2", "nk-venv")


def _actipy_python() -> str | None:
    return _peer_python("actipy", "actipy-venv")


def run_median(
    n: int, name: str, python: str | None = None, **kwargs: Any
) -> tuple[dict[str, Any], str]:
    """A case run ``n`` times in fresh processes: its median run (by time), and the runs'
    times and user CPU times as a note."""
    runs = [run_case(name, python=python, **kwargs) for _ in range(n)]
    ok = sorted((r for r in runs if "time" in r), key=lambda r: r["time"])
    if not ok:
        return runs[0], ""
    times = ", ".join(f"{r['time']:.2f}" for r in runs if "time" in r)
    return ok[len(ok) // 2], (
        f"median of {len(ok)} runs ({times} s; CPU user {_cpu(runs, 'user')} s)"
    )


def _fmt_mb(r: dict[str, Any]) -> str:
    return f"{r['peak_mb']:.0f} (Δ {r['peak_mb'] - r.get('base_mb', 0):.0f})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small inputs for a fast check")
    ap.add_argument("--case", help=argparse.SUPPRESS)
    ap.add_argument("--kwargs", default="{}", help=argparse.SUPPRESS)
    ap.add_argument("--skip-neurokit", action="store_true", help="skip the slow NeuroKit2 run")
    ap.add_argument("--skip-actipy", action="store_true", help="skip the actipy run")
    args = ap.parse_args(argv)
    if args.case:
        _child(args.case, args.kwargs)
        return 0

    sys.path.insert(0, str(ROOT))
    WORK.mkdir(parents=True, exist_ok=True)
    quick = args.quick
    day_h, week_h = (2.0, 12.0) if quick else (24.0, 168.0)
    lengths = (0.25, 0.5, 1.0, 2.0) if quick else (1.0, 2.0, 4.0, 8.0)
    emg_min = 2.0 if quick else 10.0
    mach = machine()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in mach.items()), flush=True)
    print("writing inputs to", WORK, flush=True)
    t = time.perf_counter()
    batch_h = 0.5 if quick else 4.0  # long enough that a worker's start-up (~1 s) is small
    # generated in a child process, so that this parent stays small: a child's peak RSS
    # on Linux starts from its parent's RSS at fork time (the derived EDF, HDF5 and CSV
    # files too: a CSV written here once put every later case's peak at 417 MB)
    inp = run_case(
        "inputs",
        day_h=day_h,
        week_h=week_h,
        lengths=list(lengths),
        batch_h=batch_h,
        emg_min=emg_min,
    )
    if "day" not in inp:
        print("input generation failed:", inp.get("error"))
        return 1
    day, week = Path(inp["day"]), Path(inp["week"])
    by_len = {float(h): Path(p) for h, p in inp["by_len"].items()}
    study_files = [Path(p) for p in inp["batch"]]  # a small study: 24 files
    batch_files = study_files[:8]
    emg_clean = tuple(Path(p) for p in inp["emg_clean"])
    emg_conf = tuple(Path(p) for p in inp["emg_conf"])
    print(f"inputs ready in {time.perf_counter() - t:.0f} s", flush=True)
    lengths = tuple(by_len)

    rows: list[tuple[str, str, str, str, str]] = []  # section, case, time, memory, note
    R: dict[str, dict[str, Any]] = {}

    def add(section: str, case: str, r: dict[str, Any], note: str = "") -> None:
        R[case] = r
        tm = f"{r['time']:.2f}" if "time" in r else r.get("error", "failed")
        rows.append((section, case, tm, _fmt_mb(r), note))
        print(f"  {case}: {tm} s, peak {_fmt_mb(r)} MB {note}", flush=True)

    # (a) long recordings, streaming; the 24 h stream is run 3 times (the median run is
    # reported) and (c) the floor 5 times after it (its fastest run is reported: on this VM
    # the floor took 0.6 s in quiet spells and 0.9-2.8 s in others, the difference being
    # kernel time for the page faults of its ~1 GB of fresh arrays; the floor is the least
    # the work costs, so its fastest run is the conservative one)
    print("(a) streaming accelerometry, (c) floor", flush=True)
    runs = {
        name: [run_case(name, path=str(day)) for _ in range(n)]
        for name, n in (("stream", 3), ("floor", 5))
    }

    def pick_run(name: str, fastest: bool) -> tuple[dict[str, Any], str]:
        ok = sorted((r for r in runs[name] if "time" in r), key=lambda r: r["time"])
        if not ok:
            return runs[name][0], ""
        times = ", ".join(f"{r['time']:.2f}" for r in runs[name] if "time" in r)
        how = "fastest" if fastest else "median"
        return ok[0 if fastest else len(ok) // 2], f"{how} of {len(ok)} runs ({times} s)"

    r, spread = pick_run("stream", fastest=False)
    add(
        "a",
        f"stream {day_h:g} h accel (.npy)",
        r,
        f"{r.get('events')} events, {r.get('windows')} windows; {spread}; "
        f"CPU user {_cpu(runs['stream'], 'user')} s, kernel {_cpu(runs['stream'], 'sys')} s",
    )
    r = run_case("stream", path=str(day), threads=2)
    add(
        "a",
        f"stream {day_h:g} h accel (.npy), threads=2",
        r,
        f"{r.get('events')} events; two windows at a time (`movement score FILE --jobs 2`)",
    )
    day_edf = Path(inp["day_edf"]) if inp["day_edf"] else None
    if day_edf is not None:
        r = run_case("stream", path=str(day_edf))
        add(
            "a",
            f"stream {day_h:g} h accel (EDF, {day_edf.stat().st_size / 2**20:.0f} MB)",
            r,
            f"{r.get('events')} events; memory-mapped, each window's records decoded "
            "(16-bit samples, 0.5 mg steps)",
        )
    day_h5 = Path(inp["day_h5"]) if inp["day_h5"] else None
    if day_h5 is not None:
        r = run_case("stream", path=str(day_h5))
        add(
            "a",
            f"stream {day_h:g} h accel (HDF5, {day_h5.stat().st_size / 2**20:.0f} MB)",
            r,
            f"{r.get('events')} events; each window's rows read as a hyperslab (h5py)",
        )
    day_csv = Path(inp["day_csv"])
    r = run_case("stream", path=str(day_csv))
    add(
        "a",
        f"stream {day_h:g} h accel (CSV with dates, {day_csv.stat().st_size / 2**20:.0f} MB)",
        r,
        f"{r.get('events')} events (values to 0.1 mg); parsed in chunks, the dates once",
    )
    day_jitter = Path(inp["day_jitter"])
    size_mb = day_jitter.stat().st_size / 2**20
    r = run_case("stream", path=str(day_jitter))
    add(
        "a",
        f"stream {day_h:g} h accel (CSV, jittered ms clock and a hole, {size_mb:.0f} MB)",
        r,
        f"{r.get('events')} events; put on the whole read's uniform grid chunk by chunk",
    )
    r = run_case("whole", path=str(day_jitter))
    add(
        "a",
        f"in-memory score {day_h:g} h accel (CSV, jittered clock and a hole)",
        r,
        f"{r.get('events')} events; read whole, then put on the grid",
    )
    ap_py = None if args.skip_actipy else _actipy_python()

    def actipy_device(path: str, kind: str) -> None:
        """actipy's reader and preprocessing of the same device file, median of 3 runs."""
        if ap_py is None:
            return
        r, spread = run_median(3, "actipy_device", python=ap_py, path=path)
        add(
            "a",
            f"actipy read_device {day_h:g} h (the same {kind})",
            r,
            f"actipy {r.get('version', '')}: its Java reader + the steps of "
            f"`actipy.process`, no event detection; {spread} (with the Java child's); "
            "the peak is the Python process's (the reader is a Java child process)",
        )

    def stream_device(path: str, what: str, how: str) -> None:
        """movement's stream of a day of a device file, median of 3 runs."""
        size_mb = Path(path).stat().st_size / 2**20
        r, spread = run_median(3, "stream", path=path)
        add(
            "a",
            f"stream {day_h:g} h accel ({what}, {size_mb:.0f} MB)",
            r,
            f"{r.get('events')} events, {r.get('windows')} windows; {how}; {spread}",
        )

    cwa = inp["cwa"]
    if cwa["day"]:
        stream_device(
            cwa["day"],
            "Axivity .cwa",
            "a real AX3 file's blocks repeated, read in pieces of blocks by actfast, put on "
            "the grid as the whole read",
        )
        r = run_case("whole", path=cwa["day"])
        add(
            "a",
            f"in-memory score {day_h:g} h accel (Axivity .cwa)",
            r,
            f"{r.get('events')} events; read whole by actfast, then put on the grid",
        )
        actipy_device(cwa["day"], ".cwa")
        r = run_case("stream", path=cwa["week"])
        add(
            "a",
            f"stream {week_h:g} h accel (Axivity .cwa, "
            f"{Path(cwa['week']).stat().st_size / 2**20:.0f} MB)",
            r,
            f"{r.get('events')} events, {r.get('windows')} windows",
        )
    if inp["bin"]:
        stream_device(
            inp["bin"],
            "GENEActiv .bin, 85.7 Hz",
            "a real GENEActiv file's pages repeated, read in pieces of pages by actfast; at "
            "85.7 Hz the analysis grids meet every 3161 s (offset cores since 0.4.4)",
        )
        actipy_device(inp["bin"], ".bin")
    r = run_case("report", path=str(day), out=str(WORK / "report_out"))
    add(
        "a",
        f"score {day_h:g} h accel with --report (.npy)",
        r,
        f"{r.get('events')} events; review page {r.get('page_mb', 0):.1f} MB, streamed "
        "(timeline and 200 event plots drawn window by window)",
    )
    r = run_case("stream", path=str(week))
    add(
        "a",
        f"stream {week_h:g} h accel (.npy)",
        r,
        f"{r.get('events')} events, {r.get('windows')} windows",
    )
    r = run_case("whole", path=str(day))
    add("a", f"in-memory score {day_h:g} h accel", r, f"{r.get('events')} events")
    # multi-channel EMG: short windows (4 overlaps), a recording-wide co-contraction scale
    emg_long = Path(inp["emg_long"])
    emg_long_min = 6 * emg_min
    r = run_case("stream", path=str(emg_long))
    add(
        "a",
        f"stream {emg_long_min:g} min 4-channel 2 kHz EMG (.npy)",
        r,
        f"{r.get('events')} events, {r.get('windows')} windows",
    )
    r = run_case("whole", path=str(emg_long))
    add(
        "a",
        f"in-memory score {emg_long_min:g} min 4-channel 2 kHz EMG",
        r,
        f"{r.get('events')} events",
    )
    # the example: an hour of 8-channel 2 kHz EMG (58 M values; streamed only: read
    # whole, its float64 values alone are 0.46 GB before any processing)
    r = run_case("stream", path=inp["emg_long8"])
    add(
        "a",
        f"stream {emg_long_min:g} min 8-channel 2 kHz EMG (.npy)",
        r,
        f"{r.get('events')} events, {r.get('windows')} windows",
    )

    # (c) floor (run above, after the 24 h stream)
    r, spread = pick_run("floor", fastest=True)
    add(
        "c",
        f"floor {day_h:g} h: load + sosfiltfilt + moving RMS",
        r,
        f"{spread}; CPU user {_cpu(runs['floor'], 'user')} s, "
        f"kernel (page faults) {_cpu(runs['floor'], 'sys')} s",
    )
    # the floor's own two-process scaling on this machine: the floor twice at the same time
    pair = run_cases([("floor", None, {"path": str(day)})] * 2)
    if all("time" in p for p in pair):
        both = {"time": max(p["time"] for p in pair), "peak_mb": max(p["peak_mb"] for p in pair)}
        both["base_mb"] = min(p.get("base_mb", 0) for p in pair)
        add("c", f"2 floors {day_h:g} h at the same time (2 processes)", both)
    # actipy's preprocessing alone on the same 24 h (the goal: the whole of movement
    # faster), and on the day with 3.5 h off the wrist and a calibration error, where both
    # tools' calibration and non-wear steps have work (movement streamed on it too)
    nonwear = Path(inp["day_nonwear"])
    off_h = day_h * 3.5 / 24  # (accel_nonwear: 02:00-05:30 of a day)
    r, spread = run_median(3, "stream", path=str(nonwear))
    add(
        "a",
        f"stream {day_h:g} h accel, {off_h:g} h non-wear + calibration error (.npy)",
        r,
        f"{r.get('events')} events; {spread}",
    )
    for tag, src in (("", day), (f", {off_h:g} h non-wear + calibration error", nonwear)):
        case = f"actipy process {day_h:g} h{tag}"
        if ap_py is None:
            rows.append(("c", case, "not installed", "", ""))
            print(f"  {case}: not installed", flush=True)
            continue
        r, spread = run_median(3, "actipy", python=ap_py, path=str(src))
        add(
            "c",
            case,
            r,
            f"actipy {r.get('version', '')}: load + DataFrame + `actipy.process` (20 Hz "
            f"low-pass, gravity calibration, non-wear, uniform resampling); {spread}; "
            f"process alone {r.get('process', float('nan')):.2f} s",
        )

    # (b) EMG vs neurokit2
    print("(b) EMG", flush=True)
    nk_py = None if args.skip_neurokit else _neurokit_python()
    for tag, (p, tr) in (("clean", emg_clean), ("confounders", emg_conf)):
        r = run_case("emg_movement", path=str(p), truth=str(tr))
        cf = r.get("class_f1", {})
        add(
            "b",
            f"movement EMG {emg_min:g} min ({tag})",
            r,
            f"F1 {r.get('f1', float('nan')):.2f} (P {r.get('precision', 0):.2f} R {r.get('recall', 0):.2f}); "
            f"class F1 fasc {cf.get('fasciculation-like', float('nan')):.2f} dyst {cf.get('dystonia-like', float('nan')):.2f}; "
            f"first call (loads the model) {r.get('first_call', float('nan')):.2f} s",
        )
        if nk_py is None:
            R[f"nk {tag}"] = {}
            rows.append(("b", f"neurokit2 EMG {emg_min:g} min ({tag})", "not installed", "", ""))
            print("  neurokit2: not installed", flush=True)
        else:
            r = run_case("emg_neurokit", python=nk_py, path=str(p), truth=str(tr))
            R[f"nk {tag}"] = r
            add(
                "b",
                f"neurokit2 {r.get('version', '')} emg_process EMG {emg_min:g} min ({tag})",
                r,
                f"F1 {r.get('f1', float('nan')):.2f} (P {r.get('precision', 0):.2f} R {r.get('recall', 0):.2f})",
            )
            R[f"nk {tag}"] = r

    # (d) scaling
    print("(d) scaling", flush=True)

    # each batch 3 times, jobs=1 and jobs=2 alternating (a slow spell of the shared VM then
    # hits both), the median run of each reported
    def batch_medians(files: list[Path], tag: str) -> None:
        runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
        for _ in range(3):
            for jobs in (1, 2):
                out = WORK / f"batch_out_{len(files)}_{jobs}"
                runs[jobs].append(
                    run_case("batch", paths=[str(p) for p in files], jobs=jobs, out=str(out))
                )
        for jobs in (1, 2):
            ok = sorted((r for r in runs[jobs] if "time" in r), key=lambda r: r["time"])
            r = ok[len(ok) // 2] if ok else runs[jobs][0]
            times = ", ".join(f"{x['time']:.2f}" for x in runs[jobs] if "time" in x)
            add(
                "d",
                f"batch {tag}, jobs={jobs}",
                r,
                f"{r.get('ok')}/{len(files)} ok {r.get('first_error', '')}; "
                f"median of {len(ok)} runs ({times} s)".strip(),
            )

    # the machine's own ceiling for two processes: two one-worker batches of half the files
    # each, at the same time in two processes (nothing shared; the slower one is reported)
    halves = [batch_files[:4], batch_files[4:]]
    pair = run_cases(
        [
            (
                "batch",
                None,
                {"paths": [str(p) for p in h], "jobs": 1, "out": str(WORK / f"batch_half_{k}")},
            )
            for k, h in enumerate(halves)
        ]
    )
    if all("time" in p for p in pair):
        both = {"time": max(p["time"] for p in pair), "peak_mb": max(p["peak_mb"] for p in pair)}
        both["base_mb"] = min(p.get("base_mb", 0) for p in pair)
        add(
            "d",
            f"2 one-worker batches of 4 × {batch_h:g} h at the same time (2 processes)",
            both,
            ", ".join(f"{p['time']:.2f}" for p in pair) + " s",
        )
    batch_medians(batch_files, f"8 × {batch_h:g} h accel")
    # a small study (24 files): each worker's fixed start (model, first file) counts less
    batch_medians(study_files, f"{len(study_files)} × {batch_h:g} h accel")
    r = run_case(
        "batch_dask", paths=[str(p) for p in batch_files], out=str(WORK / "batch_out_dask")
    )
    add(
        "d",
        f"batch {len(batch_files)} × {batch_h:g} h accel, Dask LocalCluster, 2 workers",
        r,
        f"{r.get('ok')}/{len(batch_files)} ok; warm workers (peak: the client's); cluster start "
        f"{r.get('start', float('nan')):.1f} s, first batch (workers import and load the "
        f"model) {r.get('first', float('nan')):.2f} s",
    )
    per_len: dict[float, dict[str, Any]] = {}
    for h in lengths:
        r = run_case("whole", path=str(by_len[h]))
        per_len[h] = r
        note = (
            f"read {r['read']:.2f} + pre {r['preprocess']:.2f} + seg {r['segment']:.2f} + "
            f"feat {r['features']:.2f} + label {r['label']:.2f} s; {r['events']} segments, "
            f"features {1000 * r['features'] / max(r['events'], 1):.2f} ms/segment"
            if "read" in r
            else ""
        )
        add("d", f"in-memory score {h:g} h accel", r, note)

    # ratios
    ratios: list[str] = []

    def ratio(label: str, a: str, b: str, factor: float = 1.0, digits: int = 1) -> None:
        ra, rb = R.get(a, {}), R.get(b, {})
        if "time" in ra and "time" in rb and rb["time"] > 0:
            ratios.append(f"{label} = {factor * ra['time'] / rb['time']:.{digits}f}×")

    ratio(
        f"stream {day_h:g} h / floor {day_h:g} h",
        f"stream {day_h:g} h accel (.npy)",
        f"floor {day_h:g} h: load + sosfiltfilt + moving RMS",
    )
    # the same comparison in CPU time spent in user space, the least of each case's runs:
    # the floor's wall time swings with the kernel's page-fault work (0.6-2.8 s on this VM),
    # its user time much less; this ratio is the one noise does not flatter
    users = {k: [x["user"] for x in v if "user" in x] for k, v in runs.items()}
    if users.get("stream") and users.get("floor"):
        ratios.append(
            f"stream {day_h:g} h / floor {day_h:g} h in user CPU time (least of each) = "
            f"{min(users['stream']) / min(users['floor']):.1f}×"
        )
    ratio(
        f"actipy's preprocessing {day_h:g} h / movement's whole stream {day_h:g} h",
        f"actipy process {day_h:g} h",
        f"stream {day_h:g} h accel (.npy)",
        digits=2,
    )
    ratio(
        f"the same, {off_h:g} h non-wear + calibration error",
        f"actipy process {day_h:g} h, {off_h:g} h non-wear + calibration error",
        f"stream {day_h:g} h accel, {off_h:g} h non-wear + calibration error (.npy)",
        digits=2,
    )
    ratio(
        f"actipy read_device {day_h:g} h / movement's stream of the same .cwa",
        f"actipy read_device {day_h:g} h (the same .cwa)",
        f"stream {day_h:g} h accel (Axivity .cwa, {Path(cwa['day']).stat().st_size / 2**20:.0f} MB)"
        if cwa["day"]
        else "",
        digits=2,
    )
    ratio(
        f"actipy read_device {day_h:g} h / movement's stream of the same .bin",
        f"actipy read_device {day_h:g} h (the same .bin)",
        f"stream {day_h:g} h accel (GENEActiv .bin, 85.7 Hz, "
        f"{Path(inp['bin']).stat().st_size / 2**20:.0f} MB)"
        if inp["bin"]
        else "",
        digits=2,
    )
    ratio(
        f"in-memory {day_h:g} h / floor",
        f"in-memory score {day_h:g} h accel",
        f"floor {day_h:g} h: load + sosfiltfilt + moving RMS",
    )
    ratio(
        f"in-memory / stream, {6 * emg_min:g} min 4-channel EMG",
        f"in-memory score {6 * emg_min:g} min 4-channel 2 kHz EMG",
        f"stream {6 * emg_min:g} min 4-channel 2 kHz EMG (.npy)",
    )
    ratio(
        f"stream {week_h:g} h / stream {day_h:g} h",
        f"stream {week_h:g} h accel (.npy)",
        f"stream {day_h:g} h accel (.npy)",
    )
    for tag in ("clean", "confounders"):
        nk = R.get(f"nk {tag}", {})
        mv = R.get(f"movement EMG {emg_min:g} min ({tag})", {})
        if "time" in nk and "time" in mv:
            ratios.append(
                f"neurokit2 / movement ({tag} EMG) = {nk['time'] / mv['time']:.0f}× "
                f"(first call of the process, model loading included: "
                f"{nk['time'] / mv['first_call']:.0f}×)"
            )
    ratio(
        "the floor's own 2-process scaling (2 × floor / 2 floors at once)",
        f"floor {day_h:g} h: load + sosfiltfilt + moving RMS",
        f"2 floors {day_h:g} h at the same time (2 processes)",
        factor=2.0,
        digits=2,
    )
    ratio(
        "batch jobs=1 / jobs=2",
        f"batch 8 × {batch_h:g} h accel, jobs=1",
        f"batch 8 × {batch_h:g} h accel, jobs=2",
        digits=2,
    )
    ratio(
        f"batch of {len(study_files)} files jobs=1 / jobs=2",
        f"batch {len(study_files)} × {batch_h:g} h accel, jobs=1",
        f"batch {len(study_files)} × {batch_h:g} h accel, jobs=2",
        digits=2,
    )
    ratio(
        "batch jobs=1 / two independent one-worker halves at once (this machine's 2-process ceiling)",
        f"batch 8 × {batch_h:g} h accel, jobs=1",
        f"2 one-worker batches of 4 × {batch_h:g} h at the same time (2 processes)",
        digits=2,
    )
    if all("time" in per_len[h] for h in lengths):
        h0 = lengths[0]
        sec = [per_len[h]["time"] / (h / h0) / per_len[h0]["time"] for h in lengths]
        ratios.append(
            "time per hour relative to "
            + f"{h0:g} h: "
            + ", ".join(f"{h:g} h {s:.2f}" for h, s in zip(lengths, sec, strict=True))
        )
    sa = R.get(f"stream {day_h:g} h accel (.npy)", {})
    sw = R.get(f"stream {week_h:g} h accel (.npy)", {})
    if "peak_mb" in sa and "peak_mb" in sw:
        ratios.append(
            f"peak RSS stream {week_h:g} h / {day_h:g} h = {sw['peak_mb'] / sa['peak_mb']:.2f}×"
        )
    print("\nratios:")
    for line in ratios:
        print("  " + line)

    md = _markdown(mach, rows, ratios, quick)
    target = HERE / ("results_quick.md" if quick else "results.md")
    target.write_text(md)
    print("\n" + md)
    print(f"written to {target}")
    return 0


def _markdown(
    mach: dict[str, str], rows: list[tuple[str, str, str, str, str]], ratios: list[str], quick: bool
) -> str:
    sections = {
        "a": "(a) long accelerometer recordings",
        "b": "(b) EMG onsets vs NeuroKit2 (hit = onset within ±50 ms)",
        "c": "(c) floor",
        "d": "(d) scaling",
    }
    lines = [
        "# Benchmark results" + (" (quick)" if quick else ""),
        "",
        f"Machine: {mach['cpu']}, {mach['cores']} cores, {mach['ram']} RAM; Python {mach['python']}, "
        f"numpy {mach['numpy']}, scipy {mach['scipy']}, pandas {mach['pandas']}; {mach['os']}.",
        "Each case in a fresh process; peak = max RSS of that process in MB "
        "(Δ = above the interpreter after imports). Shared VM: read the ratios, not the seconds.",
        "",
        "| section | case | time (s) | peak MB | notes |",
        "|---|---|---|---|---|",
    ]
    for sec, case, tm, mem, note in rows:
        lines.append(f"| {sections[sec].split(' ', 1)[0]} | {case} | {tm} | {mem} | {note} |")
    lines += ["", "Ratios:", ""] + [f"- {r}" for r in ratios] + [""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
