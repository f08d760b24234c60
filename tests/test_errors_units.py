"""The library as a Python user meets it: errors that are ``ValueError`` (a missing file a
``FileNotFoundError``), ``help()`` of ``movement.simulate``/``evaluate``/``report`` showing
the function, reviewed EMG events folded into training in mV whatever their table's unit,
and tables whose channels are stated in several units (a units row, a sidecar's list)."""

from __future__ import annotations

import errno
import json
import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import read_errors

import movement
from movement import stream
from movement.errors import (
    MissingExtraError,
    MovementError,
    NoSuchFileError,
    RecordingError,
    UnresolvedError,
)

# -- 1. errors: ValueError, FileNotFoundError, ImportError ----------------------------------


def _table(path: Path, n: int = 3000) -> Path:
    rng = np.random.default_rng(0)
    acc = np.round(rng.normal(0, 0.02, (n, 3)) + [0.0, 0.0, 1.0], 4)
    t = np.arange(n) / 100.0
    np.savetxt(path, np.c_[t, acc], delimiter=",", header="time,x,y,z", comments="", fmt="%.6g")
    return path


def test_every_movement_error_is_a_value_error(tmp_path) -> None:
    """``except ValueError`` (scikit-learn's convention for bad input) missed the
    library's own errors: a bad modality, a bad training option, a bad setting."""
    for cls in (MovementError, RecordingError, UnresolvedError, NoSuchFileError):
        assert issubclass(cls, ValueError), cls
    p = _table(tmp_path / "wrist.csv")
    with pytest.raises(ValueError, match="modality must be one of"):
        movement.read(p, modality="eeg")
    from movement.train import TrainingSpec

    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        TrainingSpec(seed=-1)
    with pytest.raises(ValueError, match="band_low_hz"):
        movement.Settings(emg={"band_low_hz": -5})
    # still the library's own, and still one line on the command line
    with pytest.raises(MovementError):
        movement.read(p, modality="eeg")
    from movement.cli import main

    assert main(["score", str(p), "--fs=-1", "--out", str(tmp_path / "o")]) == 2


def test_a_missing_file_is_a_file_not_found_error(tmp_path) -> None:
    """``movement.read`` of a missing file raised a ValueError-only RecordingError, which
    ``except FileNotFoundError`` (as for ``open``, ``pandas.read_csv``) did not catch."""
    from movement.io import convert, find_recordings
    from movement.review import read_decisions, reviewed_training_rows

    gone = tmp_path / "gone.csv"
    with pytest.raises(FileNotFoundError) as err:
        movement.read(gone)
    exc = err.value
    assert str(exc) == f"{gone}: no such file"  # (the library's one line, not OSError's)
    assert exc.errno == errno.ENOENT and exc.filename == str(gone) and exc.source == str(gone)
    assert isinstance(exc, RecordingError) and isinstance(exc, ValueError)
    back = pickle.loads(pickle.dumps(exc))  # (sent back from a worker process)
    assert type(back) is NoSuchFileError
    assert (str(back), back.filename, back.errno) == (str(exc), str(gone), errno.ENOENT)
    for call in (
        lambda: convert(gone, tmp_path / "out.npy"),
        lambda: find_recordings([gone]),
        lambda: read_decisions(tmp_path / "gone_decisions.tsv"),
        lambda: reviewed_training_rows(tmp_path / "nope", tmp_path),
    ):
        with pytest.raises(FileNotFoundError, match="no such"):
            call()


def test_a_missing_extra_is_an_import_error_that_pickles() -> None:
    """MissingExtraError could not be sent between processes (its pickle made it again
    from its message, which __init__ does not take)."""
    exc = MissingExtraError("EDF+ files", "edf", "edfio")
    assert isinstance(exc, ImportError) and isinstance(exc, MovementError)
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is MissingExtraError and str(back) == str(exc)
    assert "pip install 'movement[edf]'" in str(back)


# -- 2. help(movement.simulate) shows the function --------------------------------------

_FUNCS = {
    "simulate": ("simulate", "Simulate a recording with exact ground truth."),
    "evaluate": ("evaluate", "Compare predicted events with ground truth."),
    "report": ("write_report", "Write a self-contained HTML review page for one scored"),
}


@pytest.mark.parametrize("name", sorted(_FUNCS))
def test_help_shows_the_function_in_any_import_order(name: str) -> None:
    """``help(movement.simulate)`` printed the module's text (and every member of it):
    now the function's signature and doc, as ``__doc__`` and ``inspect.signature`` give
    them, whether the package's name or the module was touched first (fresh interpreters)."""
    func, first_line = _FUNCS[name]
    check = (
        "import inspect, pydoc, sys\n"
        f"obj = movement.{name}\n"
        f"mod = sys.modules['movement.{name}']\n"
        f"text = pydoc.render_doc(obj, renderer=pydoc.plaintext)\n"
        f"assert {first_line!r} in text, text[:300]\n"
        "assert mod.__doc__.splitlines()[0] not in text, text[:300]\n"
        f"assert obj.__doc__ == mod.{func}.__doc__\n"
        f"assert inspect.signature(obj) == inspect.signature(mod.{func})\n"
        # the module itself stays a module, with its own text (doctest, Sphinx)
        "import types; assert isinstance(mod, types.ModuleType)\n"
        f"assert mod.__doc__ != mod.{func}.__doc__\n"
    )
    for first in (f"import movement; movement.{name}", f"import movement.{name}; import movement"):
        subprocess.run(
            [sys.executable, "-c", f"{first}\n{check}"], check=True, capture_output=True, text=True
        )


def test_the_package_name_is_its_module_namespace(monkeypatch) -> None:
    """Everything but the doc and the signature is the module's: attributes read, set and
    patched there, the module's function called (as patched), pickled as itself."""
    import movement.report as rep
    import movement.simulate as sim

    mod = sys.modules["movement.report"]
    assert rep is movement.report and rep.write_report is mod.write_report
    assert sim.Simulation is sys.modules["movement.simulate"].Simulation
    assert "write_report" in dir(movement.report)
    monkeypatch.setattr(movement.report, "write_report", lambda *a, **k: ("patched", a))
    assert mod.write_report(1) == ("patched", (1,))  # (set in the module)
    assert movement.report(2) == ("patched", (2,))  # (and the one called)
    monkeypatch.undo()
    assert movement.report.write_report is mod.write_report
    assert pickle.loads(pickle.dumps(movement.simulate)) is movement.simulate
    assert isinstance(movement.simulate("accel", 3, 0), sim.Simulation)


# -- 3. reviewed EMG events folded into training in mV ----------------------------------


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory) -> dict[str, Path]:
    """The same reviewed EMG events, written as a recording in mV, in µV and in V gives
    them (amplitudes in its unit, the sidecar saying which)."""
    from movement.output import write_events

    sim = movement.simulate("emg", 60, 3)
    assert sim.recording.units == "mV"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev = movement.score(sim.recording, model="rules")
    assert len(ev) >= 6
    ev["review_status"] = "accepted"
    root = tmp_path_factory.mktemp("reviewed")
    folders = {}
    for unit, factor in (("mV", 1.0), ("µV", 1e3), ("V", 1e-3)):
        table = ev.copy()
        table.attrs = {**ev.attrs, "units": unit}
        for c in ("peak_amplitude", "rms"):
            table[c] = table[c] * factor
        folders[unit] = root / unit.replace("µ", "u")
        write_events(table, folders[unit], "rec")
    return folders


def test_reviewed_emg_events_are_trained_on_in_mv(reviewed) -> None:
    """Reviewed events in µV (or V) were folded into training in their table's units,
    amplitudes 1000 times those the model learns (in mV, its simulated recordings'):
    now taken to mV as scoring gives them (pipeline.model_features)."""
    from movement import train as T
    from movement.review import reviewed_training_rows

    mv, labels = T._reviewed_rows(reviewed["mV"], "emg")
    assert len(mv) >= 6
    for unit in ("µV", "V"):
        other, other_labels = T._reviewed_rows(reviewed[unit], "emg")
        assert other_labels.tolist() == labels.tolist()
        num = mv.select_dtypes("number").columns
        pd.testing.assert_frame_equal(other[num], mv[num], rtol=1e-9)
    # the events tables' rows keep their units, and say which
    rows = reviewed_training_rows(reviewed["µV"], reviewed["µV"])
    assert rows["units"].unique().tolist() == ["µV"]
    assert rows["peak_amplitude"].tolist() == pytest.approx((mv["peak_amplitude"] * 1e3).tolist())
    # the same trained model from either table
    spec = T.TrainingSpec(n_recordings=4, duration_s=60.0, seed=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = T.train("emg", spec, reviewed=reviewed["mV"])
        b = T.train("emg", spec, reviewed=reviewed["µV"])
    X = mv.assign(peak_amplitude=mv["peak_amplitude"] * np.linspace(0.2, 5, len(mv)))
    np.testing.assert_allclose(
        a["models"]["emg"].predict_proba(X), b["models"]["emg"].predict_proba(X), atol=1e-12
    )
    assert a["training"]["per_modality"]["emg"]["n_reviewed_segments"] == len(mv)


def test_in_model_units_keeps_what_has_no_known_unit() -> None:
    """a.u., an unknown unit and accelerometry are taken as they are (as scoring does)."""
    from movement.train import in_model_units

    rows = pd.DataFrame(
        {"units": ["a.u.", "counts", None], "peak_amplitude": [2.0, 3.0, 4.0], "rms": [1.0] * 3}
    )
    pd.testing.assert_frame_equal(in_model_units(rows, "emg"), rows)
    g = rows.assign(units="g")
    pd.testing.assert_frame_equal(in_model_units(g, "accel"), g)


# -- 4. channels stated in several units --------------------------------------------------


def _acc(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.round(rng.normal(0, 0.02, (n, 3)) + [0.0, 0.0, 1.0], 4)


def _write(path: Path, names: list[str], units: list[str] | None, cols: np.ndarray) -> Path:
    t = np.arange(len(cols)) / 100.0
    lines = [",".join(["time", *names])]
    if units:
        lines.append(",".join(["s", *units]))
    lines += [",".join(f"{v:.6g}" for v in row) for row in np.c_[t, cols]]
    path.write_text("\n".join(lines) + "\n")
    return path


def _both(path: Path, **kw) -> movement.Recording:
    """``path`` read whole and in chunks alike (rate, channels, units, notes, samples)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rec = movement.read(path, **kw)
        src = stream._open(
            path,
            fs=None,
            modality=kw.get("modality"),
            channels=kw.get("channels"),
            chunk_rows=700,
        )
    assert (src.meta.channels, src.meta.modality, src.meta.units) == (
        tuple(rec.channels),
        rec.modality,
        rec.units,
    )
    assert src.meta.notes == rec.notes
    np.testing.assert_array_equal(np.asarray(src.read(0, rec.n_samples)), rec.data)
    return rec


def _errors(path: Path, **kw) -> list[str]:
    """The one line the whole read and the chunked read give for ``path``."""
    return read_errors(path, chunk_rows=700, **kw)


def test_two_accelerometers_in_units_of_their_own(tmp_path) -> None:
    """A units row 's,g,g,g,m/s^2,m/s^2,m/s^2' (wrist in g, ankle in m/s²) was read with
    the ankle scaled as the wrist (9.81 'g' at rest) and a warning: now a one-line error
    naming each sensor's unit and how to read it; each sensor read apart is in g."""
    n = 3000
    acc = _acc(n)
    names = ["wrist_x", "wrist_y", "wrist_z", "ankle_x", "ankle_y", "ankle_z"]
    p = _write(tmp_path / "two.csv", names, ["g"] * 3 + ["m/s^2"] * 3, np.c_[acc, 9.80665 * acc])
    whole, chunks = _errors(p, modality="accel")
    assert (
        whole
        == chunks
        == (
            f"{p}: the channels are in different units, as its units row states (wrist_x, "
            "wrist_y, wrist_z: g; ankle_x, ankle_y, ankle_z: m/s^2): a recording is read in one "
            "unit; read each sensor apart (channels= or --channels: wrist_x,wrist_y,wrist_z or "
            "ankle_x,ankle_y,ankle_z)"
        )
    )
    for sensor in ("wrist_x,wrist_y,wrist_z", "ankle_x,ankle_y,ankle_z"):
        rec = _both(p, modality="accel", channels=sensor)
        assert rec.units == "g"
        np.testing.assert_allclose(rec.data, acc, atol=1e-5)
    # one unit spelled two ways is one unit
    q = _write(tmp_path / "one.csv", names, ["m/s^2"] * 3 + ["m/s2"] * 3, 9.80665 * np.c_[acc, acc])
    np.testing.assert_allclose(_both(q, modality="accel").data, np.c_[acc, acc], atol=1e-5)


def test_an_accelerometer_and_emg_in_one_table(tmp_path) -> None:
    """'s,g,g,g,mV': the table was scored whole as EMG in a.u. (the accelerometer's
    columns too, and the EMG's mV lost): now an error saying which columns are which;
    the EMG read apart is in mV, the accelerometer in g."""
    n = 3000
    rng = np.random.default_rng(2)
    emg = rng.normal(0, 0.05, (n, 1))
    p = _write(
        tmp_path / "ae.csv", ["ax", "ay", "az", "emg"], ["g", "g", "g", "mV"], np.c_[_acc(n), emg]
    )
    whole, chunks = _errors(p)
    assert whole == chunks
    assert "(ax, ay, az: g; emg: mV)" in whole and "--channels: ax,ay,az or emg)" in whole
    rec = _both(p, channels=["emg"])
    assert (rec.modality, rec.units) == ("emg", "mV")
    rec = _both(p, channels="ax,ay,az")
    assert (rec.modality, rec.units) == ("accel", "g")
    # units given win over the row's (as over a sidecar's)
    with pytest.warns(UserWarning, match="look wrong by orders of magnitude"):
        assert movement.read(p, channels=["emg"], units="uV").units == "uV"


def test_a_sidecar_lists_each_channels_unit(tmp_path) -> None:
    """A sidecar's ``Units`` list of units that differ was refused ("must be one unit");
    now it gives each channel's unit, as a units row does."""
    n = 3000
    acc = _acc(n)
    p = _write(
        tmp_path / "imu.csv", ["ax", "ay", "az", "bx", "by", "bz"], None, np.c_[acc, 1000 * acc]
    )
    side = tmp_path / "imu.json"
    side.write_text(json.dumps({"Modality": "accel", "Units": ["g"] * 3 + ["mg"] * 3}))
    whole, chunks = _errors(p)
    assert whole == chunks
    assert "as sidecar imu.json's Units states (ax, ay, az: g; bx, by, bz: mg)" in whole
    rec = _both(p, channels="bx,by,bz")
    np.testing.assert_allclose(rec.data, acc, atol=1e-6)
    side.write_text(json.dumps({"Modality": "accel", "Units": ["g", "mg"]}))
    with pytest.raises(RecordingError, match="Units lists 2 units for the file's 6 channels"):
        movement.read(p)
    side.write_text(json.dumps({"Modality": "accel", "Units": ["g", 5]}))
    with pytest.raises(RecordingError, match="must be one unit as text .*, or a list of one"):
        movement.read(p)


def test_accelerometer_columns_beside_emg_are_warned_of(tmp_path) -> None:
    """acc_x, acc_y, acc_z beside emg_uV, no unit saying which is which: the table was
    scored as EMG without a word; now a warning (and a note) says so, and how to read
    each apart."""
    n = 3000
    rng = np.random.default_rng(3)
    p = _write(
        tmp_path / "ae.csv",
        ["acc_x", "acc_y", "acc_z", "emg_uV"],
        None,
        np.c_[_acc(n), 50 * rng.normal(size=(n, 1))],
    )
    with pytest.warns(
        UserWarning, match=r"acc_x, acc_y, acc_z look like an accelerometer's beside EMG \(emg_uV\)"
    ):
        rec = movement.read(p)
    assert rec.modality == "emg" and "channels= or --channels: emg_uV" in rec.notes["sensors"]
    assert _both(p).notes == rec.notes
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (the EMG alone: nothing to say)
        movement.read(p, channels=["emg_uV"])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda p: __import__("movement.classify").classify.load_model(p, "accel", None),
            "no such model file",
        ),
        (lambda p: movement.evaluate.read_events(p), "no such file"),
        (lambda p: movement.evaluate(p, p), "no such file or folder (predictions)"),
        (lambda p: __import__("movement.stream").stream.score_stream(p), "no such file"),
    ],
)
def test_every_missing_input_is_a_file_not_found_error(tmp_path, call, message):
    # a model file, a true events table, evaluate's folders and a streamed recording: a
    # caller catches FileNotFoundError (and ValueError) for all of them, as for read()
    missing = tmp_path / "missing.npy"
    with pytest.raises(FileNotFoundError) as exc:
        call(str(missing))
    assert isinstance(exc.value, ValueError)
    assert str(exc.value) == f"{missing}: {message}"
    assert exc.value.filename == str(missing)
