"""Review pages refuse events of another recording (another modality, another span of
the file, a longer recording, onsets past the end) and warn when the events name another
source file or a shorter recording."""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import movement
import movement.report  # noqa: F401  (the module; ``movement.report`` is also a function)
from movement.errors import MovementError
from movement.simulate import simulate

pytest.importorskip("matplotlib")
R = sys.modules["movement.report"]


def _save(folder: Path, stem: str, rec: movement.Recording) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / f"{stem}.npy", rec.data)
    (folder / f"{stem}.json").write_text(
        json.dumps({"SamplingFrequency": rec.fs, "Modality": rec.modality,
                    "ColumnNames": list(rec.channels)})
    )  # fmt: skip
    return folder / f"{stem}.npy"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("recs")
    return {
        "emg": _save(d, "emg", simulate("emg", 20, seed=1).recording),
        "accel": _save(d, "accel", simulate("accel", 120, seed=2).recording),
    }


@pytest.fixture(scope="module")
def accel(files: dict[str, Path]) -> tuple[movement.Recording, pd.DataFrame]:
    rec = movement.read(files["accel"])
    events = movement.score(rec, model="rules")
    assert len(events) >= 3 and events["onset"].max() > 60
    return rec, events


def _one_line(exc: pytest.ExceptionInfo) -> str:
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


def test_events_of_another_modality(files, accel, tmp_path: Path) -> None:
    _, acc_events = accel
    emg = movement.read(files["emg"])
    with pytest.raises(MovementError, match="found in accel data; emg.npy is emg") as info:
        R.write_report(emg, acc_events, tmp_path / "x_report.html")
    _one_line(info)
    with pytest.raises(MovementError, match="found in accel data; emg.npy is emg"):
        R.write_report_stream(files["emg"], acc_events, tmp_path / "y_report.html")
    assert not list(tmp_path.iterdir())  # nothing written


def test_modality_of_events_read_back(files, tmp_path: Path) -> None:
    """``movement report --events`` reads an ``_events.tsv`` back with its sidecar's
    ``parameters`` (which hold the modality) in ``attrs``, not ``attrs["modality"]``."""
    emg = movement.read(files["emg"])
    ev = pd.DataFrame({"onset": [1.0], "duration": [0.02], "trial_type": ["fasciculation-like"]})
    ev.attrs["parameters"] = {"modality": "accel", "config": {}, "model": "rules"}
    with pytest.raises(MovementError, match="found in accel data"):
        R.write_report(emg, ev, tmp_path / "x_report.html")
    ev.attrs["parameters"]["modality"] = "emg"
    assert R.write_report(emg, ev, tmp_path / "ok_report.html", max_event_plots=1).exists()


def test_whole_file_events_on_a_span(files, accel, tmp_path: Path) -> None:
    _, events = accel
    span = movement.read(files["accel"], start_s=30, stop_s=60)
    with pytest.raises(MovementError, match="found in the whole file; accel.npy was read as"):
        R.write_report(span, events, tmp_path / "x_report.html")
    # even when every event falls inside the span's length: its attrs give 120 s
    early = events[events["onset"] < 25].copy()
    early.attrs = dict(events.attrs)
    del early.attrs["notes"]  # (as if no reader notes were kept)
    with pytest.raises(MovementError, match="found in a 120 s recording; accel.npy is 30 s"):
        R.write_report(span, early, tmp_path / "x_report.html")


def test_events_of_another_span(files, tmp_path: Path) -> None:
    a = movement.read(files["accel"], start_s=0, stop_s=40)
    b = movement.read(files["accel"], start_s=60, stop_s=100)
    ev_a = movement.score(a, model="rules")
    with pytest.raises(MovementError, match=r"found in samples 0-\d+ of \d+ \(0-40 s\)"):
        R.write_report(b, ev_a, tmp_path / "x_report.html")
    # the span it was scored on: fine, in memory or read window by window
    assert R.write_report(a, ev_a, tmp_path / "a_report.html", max_event_plots=1).exists()
    assert R.write_report_stream(a, ev_a, tmp_path / "s_report.html", max_event_plots=1).exists()


def test_onsets_past_the_end(files, accel, tmp_path: Path) -> None:
    rec, events = accel
    ms = events.assign(onset=events["onset"] * 1000)
    with pytest.raises(MovementError, match="start after the end of accel.npy") as info:
        R.write_report(rec, ms, tmp_path / "x_report.html")
    assert "not in seconds" in _one_line(info)
    bare = ms.copy()
    bare.attrs = {}  # no provenance at all: the onsets alone
    with pytest.raises(MovementError, match=f"{len(bare)} of {len(bare)} events start after"):
        R.write_report_stream(files["accel"], bare, tmp_path / "y_report.html")


def test_a_longer_recordings_events_on_the_stream_path(files, accel, tmp_path: Path) -> None:
    _, events = accel
    short = _save(tmp_path, "short", movement.read(files["accel"], stop_s=30))
    early = events[events["onset"] < 25].copy()
    early.attrs = {k: v for k, v in events.attrs.items() if k != "notes"}
    with pytest.raises(MovementError, match="found in a 120 s recording; short.npy is 30 s"):
        R.write_report_stream(short, early, tmp_path / "x_report.html")


def test_a_shorter_recording_warns(files, accel, tmp_path: Path) -> None:
    rec, events = accel
    early = events[events["onset"] < 25].copy()
    early.attrs = dict(events.attrs, duration=30.0, notes={})
    with pytest.warns(UserWarning, match="found in a 30 s recording; accel.npy is 120 s"):
        page = R.write_report(rec, early, tmp_path / "w_report.html", max_event_plots=1)
    assert page.exists()


def test_another_source_path_warns(files, accel, tmp_path: Path) -> None:
    """A renamed or moved file is legitimate: a warning, and the page."""
    rec, events = accel
    moved = _save(tmp_path / "moved", "renamed", rec)
    with pytest.warns(UserWarning, match=r"found in .*accel\.npy; drawn on .*renamed\.npy"):
        page = R.write_report_stream(moved, events, tmp_path / "m_report.html", max_event_plots=1)
    assert page.exists()
    again = movement.read(moved)
    with pytest.warns(UserWarning, match="renamed.npy"):
        R.write_report(again, events, tmp_path / "n_report.html", max_event_plots=1)


def test_the_same_file_does_not_warn(files, accel, tmp_path: Path, monkeypatch) -> None:
    rec, events = accel
    monkeypatch.chdir(files["accel"].parent)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # the same file named by a relative path
        R.write_report_stream("accel.npy", events, tmp_path / "s_report.html", max_event_plots=1)
        R.write_report(rec, events, tmp_path / "w_report.html", max_event_plots=1)


def test_scored_events_stay_fine(files, tmp_path: Path) -> None:
    """Events with no provenance, inside the recording (a hand-made table), and events
    reaching a little past the end (drawn clipped) are drawn as before."""
    emg = movement.read(files["emg"])
    ev = pd.DataFrame(
        {"onset": [2.0, emg.duration - 0.5], "duration": [0.02, 3.0],
         "trial_type": ["fasciculation-like", "dystonia-like"]}
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert R.write_report(emg, ev, tmp_path / "h_report.html", max_event_plots=2).exists()


def test_a_rate_found_in_the_file_at_scoring_is_kept_by_report_events(tmp_path) -> None:
    """The sample's rate came from its sidecar when scored: `report --events --fs 50` now
    refuses (it drew 100 Hz events on a 50 Hz reading before), and so does a streamed page
    or the library given events read back."""
    from pathlib import Path

    import movement
    from movement.cli import main
    from movement.errors import MovementError
    from movement.export import read_bids_events
    from movement.report import write_report

    data = Path(__file__).resolve().parent.parent / "data" / "sim_wrist_accel.csv"
    out = tmp_path / "res"
    assert main(["score", str(data), "--out", str(out)]) == 0
    assert (
        main(
            ["report", str(data), "--events", str(out), "--out", str(tmp_path / "p"), "--fs", "50"]
        )
        == 1
    )
    assert not (tmp_path / "p" / "sim_wrist_accel_report.html").exists()
    back = read_bids_events(out / "sim_wrist_accel_events.tsv")
    with pytest.raises(MovementError, match="scored at 100 Hz; .* is read at 50 Hz"):
        write_report(movement.read(data, fs=50), back, tmp_path / "x.html")
    assert main(["report", str(data), "--events", str(out), "--out", str(tmp_path / "p")]) == 0


def test_a_span_from_the_first_to_the_last_sample_is_the_whole_file(tmp_path) -> None:
    """Events scored from movement.read(path, start_s=0) (a span note of the whole file) and
    read back: `report --events` draws them (it refused them as another span)."""
    from pathlib import Path

    import movement
    from movement.cli import main
    from movement.export import read_bids_events
    from movement.output import write_events

    data = Path(__file__).resolve().parent.parent / "data" / "sim_wrist_accel.csv"
    rec = movement.read(data, start_s=0)
    assert "span" in rec.notes
    out = tmp_path / "ev"
    write_events(movement.score(rec), out, "sim_wrist_accel")
    assert main(["report", str(data), "--events", str(out), "--out", str(tmp_path / "p")]) == 0
    # a real span is still refused, and the message says how to draw it
    part = movement.read(data, start_s=10, stop_s=55)
    write_events(movement.score(part), out, "sim_wrist_accel")
    back = read_bids_events(out / "sim_wrist_accel_events.tsv")
    assert back.attrs["source"] == str(data)
    from movement.report import write_report

    with pytest.raises(MovementError, match="movement.read\\(path, start_s=, stop_s=\\)"):
        write_report(movement.read(data), back, tmp_path / "x.html")
    write_report(movement.read(data, start_s=10, stop_s=55), back, tmp_path / "y.html")
