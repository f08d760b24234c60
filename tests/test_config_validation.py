"""Every threshold is checked once, when settings are built: the library constructor,
``--set`` and ``--config`` files give the same one-line error naming the parameter
(``emg.filter_order must be a whole number, got 2.5``), and the CLI exits 2."""

from __future__ import annotations

import importlib.util
import json
import math
import re
import sys
from dataclasses import fields, replace
from pathlib import Path

import numpy as np
import pytest

from movement.cli import main
from movement.config import _RULES, CONFIGS, AccelConfig, EMGConfig, Settings, load_settings
from movement.errors import MovementError

REPO = Path(__file__).resolve().parents[1]

# (modality, name, bad value, fragment of the error after "modality.name")
BAD = [
    ("emg", "k_on", math.nan, "must be a finite number"),
    ("emg", "k_on", math.inf, "must be a finite number"),
    ("emg", "k_on", -5.0, ">= 0"),
    ("emg", "k_off", -1.0, ">= 0"),
    ("emg", "band_low_hz", 0.0, "> 0"),
    ("emg", "band_high_hz", -math.inf, "must be a finite number"),
    ("emg", "baseline_window_s", 0.0, "> 0"),
    ("emg", "baseline_quantile", 1.0, "in [0, 1)"),
    ("emg", "min_snr_on_db", math.nan, "must be a finite number"),
    ("emg", "muap_false_alarms_per_h", 0.0, "> 0"),
    ("emg", "sustained_active_fraction", 1.5, "in [0, 1]"),
    ("emg", "notch_hz", -50.0, "0 or >= 1"),
    # (a notch of a millionth of a hertz: a singular filter, an internal LinAlgError)
    ("emg", "notch_hz", 1e-6, "0 or >= 1"),
    ("emg", "filter_order", 2.5, "must be a whole number"),
    ("emg", "filter_order", 0, "in [1, 100]"),
    # (order 200 filtered 2 kHz EMG into values of 1e17, 1000 failed with an OverflowError)
    ("emg", "filter_order", 200, "in [1, 100]"),
    ("accel", "filter_order", 1000, "numerically unstable"),
    # (a window longer than the 0.5 s noise blocks failed with an internal error)
    ("emg", "muap_windows_s", (0.004, 0.6), "each in (0, 0.5]"),
    ("emg", "muap_whitening_order", 31.5, "must be a whole number"),
    ("emg", "muap_windows_s", (0.004, -0.008), "each in (0, 0.5]"),
    ("emg", "muap_windows_s", (), "one or more numbers"),
    ("emg", "artefact_band_hz", (15.0, 1.0), "low < high"),
    ("emg", "tremor_band_hz", (3.0, math.nan), "low < high"),
    ("emg", "walking_band_hz", (1.4, 2.5, 3.0), "two numbers"),
    ("emg", "ecg_removal", 2, "true or false"),
    ("accel", "k_on", math.nan, "must be a finite number"),
    ("accel", "gravity_cutoff_hz", -0.25, "> 0"),
    ("accel", "filter_order", 2.5, "must be a whole number"),
    ("accel", "nonwear_min_axes", 1.5, "must be a whole number"),
    ("accel", "calib_min_windows", 0, ">= 1"),
    ("accel", "nonwear_window_s", 0.0, "> 0"),
    ("accel", "orientation_median_s", -1.0, ">= 0"),
    ("accel", "twitch_windows_s", (0.1, math.inf), "each > 0"),
    ("accel", "periodic_band_hz", (12.0, 3.0), "low < high"),
    ("accel", "posture_hold_fraction", -0.1, "in [0, 1]"),
    ("accel", "clip_g", 0.0, "> 0"),
]

# (modality, changes, fragment): values fine alone, not together
INVERTED = [
    ("emg", {"band_low_hz": 500.0}, "emg.band_low_hz (500.0) must be below emg.band_high_hz"),
    ("emg", {"band_low_hz": 30.0, "band_high_hz": 30.0}, "must be below emg.band_high_hz"),
    ("emg", {"min_brief_s": 0.1}, "emg.min_brief_s (0.1) must be below emg.max_brief_s"),
    ("accel", {"motion_highpass_hz": 50.0}, "accel.motion_highpass_hz (50.0) must be below"),
    ("accel", {"posture_max_deg": 5.0}, "accel.posture_min_deg (10.0) must be below"),
    ("accel", {"periodic_window_s": 0.1}, "accel.periodic_window_s (0.1) must hold at least one"),
    # hysteresis: an off threshold above the on one was clamped to it, silently
    ("emg", {"k_off": 3.5}, "emg.k_off (3.5) must not be above emg.k_on (3.0)"),
    ("accel", {"k_on": 1.0}, "accel.k_off (2.0) must not be above accel.k_on (1.0)"),
    (
        "accel",
        {"posture_off_fraction": 0.8},
        "accel.posture_off_fraction (0.8) must not be above accel.posture_on_fraction (0.7)",
    ),
]


def _text(value: object) -> str:
    """``value`` as a user types it after ``--set name=``."""
    if isinstance(value, tuple):
        return ",".join(repr(v) for v in value) if value else "[]"
    return repr(value)


def _toml(value: object) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return repr(value)


def _one_line(exc: pytest.ExceptionInfo) -> str:
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


# --------------------------------------------------------------------------- defaults


def test_every_parameter_has_a_rule() -> None:
    for cls in CONFIGS.values():
        missing = [f.name for f in fields(cls) if f.name not in _RULES]
        assert not missing, f"{cls.__name__}: no validation rule for {missing}"


@pytest.mark.parametrize("modality", sorted(CONFIGS))
def test_every_default_validates_unchanged(modality: str) -> None:
    cfg = CONFIGS[modality]()
    for f in fields(cfg):  # loop over the parameters
        value = getattr(cfg, f.name)
        assert value == f.default
        assert _RULES[f.name].check(f"{modality}.{f.name}", value) == value
    # rebuilt from its dict (as a stored run's settings are), and from the CLI's TOML
    assert CONFIGS[modality](**cfg.to_dict()) == cfg
    assert Settings() == load_settings()


def test_params_toml_round_trips(tmp_path, capsys) -> None:
    assert main(["params", "--toml"]) == 0
    path = tmp_path / "thresholds.toml"
    path.write_text(capsys.readouterr().out)
    assert load_settings(path) == Settings()


# --------------------------------------------------------------------------- bad values


@pytest.mark.parametrize(("modality", "name", "value", "fragment"), BAD)
def test_bad_value_through_the_library(modality, name, value, fragment) -> None:
    cls = CONFIGS[modality]
    with pytest.raises(MovementError) as exc:
        cls(**{name: value})
    msg = _one_line(exc)
    assert msg.startswith(f"{modality}.{name} must be ") and fragment in msg
    with pytest.raises(MovementError, match=rf"^{modality}\.{name} must be "):
        cls().replace(**{name: value})
    with pytest.raises(MovementError, match=rf"^{modality}\.{name} must be "):
        replace(cls(), **{name: value})  # dataclasses.replace runs the same checks


@pytest.mark.parametrize(("modality", "name", "value", "fragment"), BAD)
def test_bad_value_through_set(modality, name, value, fragment) -> None:
    item = f"{modality}.{name}={_text(value)}"
    with pytest.raises(MovementError) as exc:
        Settings().with_overrides([item])
    msg = _one_line(exc)
    assert msg.startswith(f"{modality}.{name} must be ") and fragment in msg


@pytest.mark.parametrize(("modality", "name", "value", "fragment"), BAD)
@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_bad_value_through_a_config_file(tmp_path, modality, name, value, fragment, suffix):
    path = tmp_path / f"thresholds{suffix}"
    if suffix == ".toml":
        path.write_text(f"[{modality}]\n{name} = {_toml(value)}\n")
    else:  # (Python's json writes NaN / Infinity, and reads them back)
        path.write_text(json.dumps({modality: {name: value}}))
    with pytest.raises(MovementError) as exc:
        load_settings(path)
    msg = _one_line(exc)
    assert msg.startswith(f"{path}: {modality}.{name} must be ") and fragment in msg


@pytest.mark.parametrize(("modality", "changes", "fragment"), INVERTED)
def test_inverted_pairs_are_refused(tmp_path, modality, changes, fragment) -> None:
    with pytest.raises(MovementError, match=re.escape(fragment)):
        CONFIGS[modality](**changes)
    items = [f"{modality}.{k}={v}" for k, v in changes.items()]
    with pytest.raises(MovementError, match=re.escape(fragment)):
        Settings().with_overrides(items)
    path = tmp_path / "thresholds.toml"
    path.write_text(f"[{modality}]\n" + "".join(f"{k} = {v}\n" for k, v in changes.items()))
    with pytest.raises(MovementError, match=re.escape(fragment)):
        load_settings(path)


def test_hysteresis_off_at_or_below_on_is_accepted() -> None:
    # equal: one threshold (no hysteresis), as the code applied an off above the on one
    assert EMGConfig(k_on=2.0, k_off=2.0).k_off == 2.0
    assert AccelConfig(k_on=0.0, k_off=0.0).k_on == 0.0
    assert AccelConfig(posture_on_fraction=0.5, posture_off_fraction=0.5).posture_off_fraction
    # both changed at once: checked together, whichever is given first
    s = Settings().with_overrides(["emg.k_on=1", "emg.k_off=0.5"])
    assert (s.emg.k_on, s.emg.k_off) == (1.0, 0.5)


@pytest.mark.parametrize(
    ("item", "fragment"),
    [
        ("emg.k_on=abc", "emg.k_on must be a finite number, >= 0, got 'abc'"),
        ("emg.k_on=none", "emg.k_on must be a finite number, >= 0, got none"),
        ("emg.artefact_min_ratio=off", "(0 turns the detector off), got none"),
        ("emg.muap_windows_s=a,b", "emg.muap_windows_s must be one or more numbers"),
        ("emg.ecg_removal=maybe", "emg.ecg_removal must be true or false, got 'maybe'"),
        ("k_on=nan", "emg.k_on must be a finite number"),  # a bare name: every modality
    ],
)
def test_bad_text_through_set(item: str, fragment: str) -> None:
    with pytest.raises(MovementError) as exc:
        Settings().with_overrides([item])
    assert fragment in _one_line(exc)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--set", "emg.k_on=nan"], "emg.k_on must be a finite number, >= 0, got nan"),
        (["--set", "emg.k_on=-5"], "emg.k_on must be a finite number, >= 0, got -5.0"),
        (["--set", "emg.k_on=inf"], "emg.k_on must be a finite number, >= 0, got inf"),
        (["--set", "emg.band_low_hz=500"], "emg.band_low_hz (500.0) must be below"),
        (["--set", "emg.filter_order=2.5"], "emg.filter_order must be a whole number, got 2.5"),
        (["--config", "{tmp}/bad.toml"], "bad.toml: emg.filter_order must be a whole number"),
        (["--set", "emg.k_off=5"], "emg.k_off (5.0) must not be above emg.k_on (3.0)"),
        (
            ["--config", "{tmp}/k.toml"],
            "k.toml: accel.k_off (2.5) must not be above accel.k_on (2.0)",
        ),
    ],
)
@pytest.mark.parametrize("command", ["score", "params"])
def test_cli_exits_2_with_one_line(tmp_path, capsys, command, args, fragment) -> None:
    (tmp_path / "bad.toml").write_text("[emg]\nfilter_order = 2.5\n")
    (tmp_path / "k.toml").write_text("[accel]\nk_on = 2\nk_off = 2.5\n")
    (tmp_path / "in").mkdir()
    argv = [command] + [a.replace("{tmp}", str(tmp_path)) for a in args]
    if command == "score":  # the settings are checked before any recording is looked for
        argv += [str(tmp_path / "in"), "--out", str(tmp_path / "out"), "-q"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("movement: error: ") and err.count("\n") == 1
    assert fragment in err
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- good values


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("emg.filter_order=3", 3),
        ("emg.filter_order=3.0", 3),  # a whole number written as a float
        ("accel.calib_min_windows=1e2", 100),
        ("emg.notch_hz=50", 50.0),
        ("emg.notch_hz=none", None),
        ("emg.notch_hz=0", 0.0),  # 0 is off, as none
        ("emg.sustained_window_s=none", None),
        ("emg.crosstalk_ratio=off", None),
        ("emg.artefact_min_ratio=0", 0.0),
        ("emg.artefact_tail_peak_fraction=1", 1.0),  # >= 1 turns the tail off
        ("emg.muap_whitening_order=0", 0),  # no whitening
        ("emg.min_muap_fs_hz=4000", 4000.0),
        ("emg.min_snr_on_db=-3", -3.0),  # a dB margin may be negative
        ("emg.muap_windows_s=0.008", (0.008,)),
        ("emg.tremor_band_hz=[2.5, 9]", (2.5, 9.0)),
        ("accel.twitch_windows_s=none", None),
        ("accel.twitch_windows_s=0.1 0.2", (0.1, 0.2)),
        ("accel.orientation_median_s=off", None),
        ("accel.motion_highpass_hz=none", None),
        ("accel.periodic_hop_s=none", None),  # half the window
        ("accel.posture_max_deg=none", None),
        ("accel.clip_g=none", None),
        ("accel.nonwear_window_s=none", None),
        ("accel.max_rest_level_g=0.02", 0.02),
        ("accel.sustained_edge_fraction=none", None),
        ("accel.calibrate=off", False),
        ("accel.baseline_window_s=3000", 3000.0),
    ],
)
def test_good_values_through_set(item: str, expected: object) -> None:
    key, _, _ = item.partition("=")
    modality, _, name = key.partition(".")
    value = getattr(Settings().with_overrides([item]).for_modality(modality), name)
    assert value == expected and type(value) is type(expected)


def test_whole_floats_from_config_files_become_integers(tmp_path) -> None:
    toml = tmp_path / "a.toml"
    toml.write_text("[emg]\nfilter_order = 3.0\n[accel]\nnonwear_min_axes = 3.0\n")
    s = load_settings(toml)
    assert s.emg.filter_order == 3 and type(s.emg.filter_order) is int
    assert type(s.accel.nonwear_min_axes) is int
    js = tmp_path / "a.json"
    js.write_text('{"accel": {"filter_order": 2.0, "twitch_windows_s": [0.1, 0.2]}}')
    s = load_settings(js)
    assert s.accel.filter_order == 2 and s.accel.twitch_windows_s == (0.1, 0.2)


def test_numpy_values_are_accepted() -> None:
    cfg = AccelConfig(k_on=np.float64(4.5), filter_order=np.int64(2), calibrate=np.bool_(False))
    assert cfg.filter_order == 2 and type(cfg.filter_order) is int
    assert cfg.calibrate is False and cfg.k_on == 4.5


def test_a_whole_number_for_a_real_parameter_is_the_same_setting(tmp_path) -> None:
    """`k_on = 4` in a TOML or JSON file, or AccelConfig(k_on=4), gave another parameters
    hash than `--set accel.k_on=4` (4.0), for the same events: a resumed batch scored the
    files again, and the provenance said the settings differed."""
    from movement.config import params_hash

    toml = tmp_path / "a.toml"
    toml.write_text("[accel]\nk_on = 4\ntremor_band_hz = [2.5, 8]\n")
    js = tmp_path / "a.json"
    js.write_text('{"accel": {"k_on": 4, "tremor_band_hz": [2.5, 8]}}')
    ways = [
        load_settings(toml).accel,
        load_settings(js).accel,
        AccelConfig(k_on=4, tremor_band_hz=(2.5, 8)),
        AccelConfig(k_on=np.float32(4), tremor_band_hz=(np.int64(2.5 * 2) / 2, np.int64(8))),
        Settings().with_overrides(["accel.k_on=4", "accel.tremor_band_hz=2.5,8"]).accel,
        AccelConfig(k_on=4.0, tremor_band_hz=(2.5, 8.0)),
    ]
    assert len({params_hash(c.to_dict()) for c in ways}) == 1
    assert all(type(c.k_on) is float for c in ways)
    assert all(type(v) is float for c in ways for v in c.tremor_band_hz)


def test_values_used_in_the_repo_stay_valid() -> None:
    """Values the tests, doctests and benchmarks set (they must not be refused)."""
    EMGConfig(muap_false_alarms_per_h=3600.0, sustained_false_alarms_per_h=3600)
    EMGConfig(isolation_s=1.0, ecg_removal=False, notch_hz=50.0)
    EMGConfig().replace(artefact_min_ratio=0.0, artefact_tail_peak_fraction=1.0)
    AccelConfig(twitch_windows_s=None, nonwear_window_s=None, calibrate=False)
    AccelConfig(nonwear_window_s=1800.0, nonwear_range_g=0.5, baseline_window_s=600)
    for hop in (0.1, 0.25, 0.3, 0.37, 0.5, 0.7, 1.0, 1.4, 2.2):
        replace(AccelConfig(), periodic_hop_s=hop)
    replace(AccelConfig(), baseline_window_s=600.0, twitch_windows_s=None, gravity_cutoff_hz=0.4)
    Settings().with_overrides(["emg.min_muap_fs_hz=4000", "accel.k_on=5", "emg.k_on=4"])


def _benchmark():
    path = REPO / "benchmarks" / "stream_equivalence.py"
    spec = importlib.util.spec_from_file_location("_stream_equivalence", path)
    mod = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(REPO / "tests"))
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.path.remove(str(REPO / "tests"))
    return mod


def test_benchmark_random_settings_stay_valid() -> None:
    """``benchmarks/stream_equivalence.py --settings random`` draws settings with
    ``dataclasses.replace`` (which validates): every draw must pass."""
    bench = _benchmark()
    for seed in range(300):  # loop over the benchmark's seeds
        bench._random_accel(np.random.default_rng(seed + 555))
        for base in (EMGConfig(), EMGConfig(ecg_removal=False, notch_hz=50.0)):
            bench._random_emg(np.random.default_rng(seed + 555), base)


def test_a_periodicity_window_of_no_whole_sample_finds_no_tremor() -> None:
    """accel.periodic_window_s below one sample (allowed with periodic_band_hz from 0 Hz)
    failed scoring with a ZeroDivisionError (an internal error)."""
    import numpy as np

    from movement.segment import periodic_runs

    x = np.random.default_rng(0).normal(size=(3000, 1))
    assert periodic_runs(x, 100.0, 0.001, (0.0, 12.0), 0.3, 0.0).shape == (0, 2)


@pytest.mark.parametrize(
    "text",
    ['{"emg": {"k_on": 4}, "emg": {"k_off": 1}}', '{"emg": {"k_on": 4, "k_on": 5}}'],
)
def test_a_json_config_giving_a_key_twice_is_refused(tmp_path, text) -> None:
    """JSON keeps the last of two equal keys: the first [emg] table's k_on was lost
    silently (TOML refuses a key given twice)."""
    path = tmp_path / "dup.json"
    path.write_text(text)
    with pytest.raises(MovementError, match="given twice in one table"):
        load_settings(path)


def test_a_config_file_that_set_completes_is_checked_with_the_overrides(tmp_path) -> None:
    """`--config` with `k_on = 1` and `--set emg.k_off=0.5` was refused (the file was checked
    alone, k_off 1.5 above k_on 1) although the run would use k_on 1, k_off 0.5. Now the values
    are checked together; a file wrong whatever --set says still names the file."""
    from movement.config import load_settings

    cfg = tmp_path / "c.toml"
    cfg.write_text("[emg]\nk_on = 1.0\n")
    with pytest.raises(MovementError, match=r"c.toml: emg.k_off \(1.5\) must not be above"):
        load_settings(cfg)
    s = load_settings(cfg, ["emg.k_off=0.5"])
    assert (s.emg.k_on, s.emg.k_off) == (1.0, 0.5)
    with pytest.raises(MovementError, match=r"c.toml: emg.k_off \(1.5\) must not be above"):
        load_settings(cfg, ["emg.k_off=1.2"])  # (still above)
    cfg.write_text("[emg]\nk_on = 4.0\n")
    s = load_settings(cfg, ["emg.k_off=3"])  # a valid file, then the overrides
    assert (s.emg.k_on, s.emg.k_off) == (4.0, 3.0)
    with pytest.raises(
        MovementError, match=r"emg.k_off \(5.0\) must not be above emg.k_on \(4.0\)"
    ):
        load_settings(cfg, ["emg.k_off=5"])


@pytest.mark.parametrize("modality", ["accel", "emg"])
def test_none_switches_bout_joining_off_as_zero_does(modality: str) -> None:
    """`--set accel.other_bout_gap_s=none` was refused (0 was needed), though `none`
    switches a step off everywhere else; both are one setting, with one hash."""
    import movement
    from movement.config import params_hash
    from movement.simulate import simulate

    ways = [
        Settings().with_overrides([f"{modality}.other_bout_gap_s=none"]),
        Settings().with_overrides([f"{modality}.other_bout_gap_s=0"]),
    ]
    cfgs = [getattr(s, modality) for s in ways]
    assert len({params_hash(c.to_dict()) for c in cfgs}) == 1
    assert cfgs[0].to_dict()["other_bout_gap_s"] is None
    # and nothing is joined: as many "other" rows as with 0
    rec = simulate(modality, 60, seed=5).recording
    a, b = (movement.score(rec, s, model="rules") for s in ways)
    assert a["trial_type"].tolist() == b["trial_type"].tolist()
    assert not a["reason"].str.contains("segments joined").any()
