"""Settings that passed the checks and could not run, repeated ``--config`` files, empty
``--set`` values and one setting with two hashes.

1. A finite value far beyond any use (``accel.baseline_window_s=1e308``) passed the checks
   and then failed every file as an internal error (OverflowError, LinAlgError): durations
   are now at most 24 h, frequencies 1 MHz, dB margins 200 dB, whitening orders 10000 lags,
   refused in one line up front; a value at the bound runs.
2. ``--config a.toml --config b.toml`` kept only ``b.toml``: files are merged in order.
3. ``--set accel.twitch_windows_s=`` (an unset shell variable) switched the detector off;
   an empty value is now an error for every parameter. ``none`` and ``[]`` (and ``0`` and
   ``none`` where 0 is off) are one setting with one parameters hash.
"""

from __future__ import annotations

from dataclasses import fields

import pytest

from movement.cli import main
from movement.config import (
    _RULES,
    CONFIGS,
    MAX_DB,
    MAX_DURATION_S,
    MAX_FREQUENCY_HZ,
    MAX_LAGS,
    AccelConfig,
    EMGConfig,
    Settings,
    load_settings,
    params_hash,
)
from movement.errors import MovementError

#: The defaults' parameters hashes before these changes (they must not change).
DEFAULT_HASHES = ("b8173621ecf13114", "21f14d280fea9346", "879604e56469d4f3")

NAMES = [(m, f.name) for m, cls in CONFIGS.items() for f in fields(cls)]


def _cap(name: str) -> float | None:
    for ending, cap in (
        ("_s", MAX_DURATION_S),
        ("_hz", MAX_FREQUENCY_HZ),
        ("_db", MAX_DB),
        ("_whitening_order", MAX_LAGS),
    ):
        if name.endswith(ending):
            return cap
    return None


def _one_line(exc: pytest.ExceptionInfo) -> str:
    text = str(exc.value)
    assert "\n" not in text
    return text


def test_the_defaults_and_their_hashes_are_unchanged() -> None:
    s = Settings()
    got = (params_hash(s.to_dict()), params_hash(s.emg.to_dict()), params_hash(s.accel.to_dict()))
    assert got == DEFAULT_HASHES


# --------------------------------------------------------------------------- 1. upper bounds

CAPPED = [
    (m, n)
    for m, n in NAMES
    if _cap(n) is not None and not (_RULES[n].hi is not None and _RULES[n].hi <= _cap(n))
]


def test_every_duration_frequency_db_and_order_has_an_upper_bound() -> None:
    # (the ones with a tighter bound of their own: bridge_gap_s, muap_windows_s)
    assert {n for _, n in CAPPED} >= {
        "baseline_window_s", "merge_gap_s", "periodic_window_s", "orientation_median_s",
        "calib_window_s", "nonwear_step_s", "burst_chain_gap_s", "gait_window_s",
        "sustained_window_s", "sustained_rms_s", "artefact_min_s", "twitch_windows_s",
        "periodic_band_hz", "min_snr_on_db", "muap_whitening_order",
    }  # fmt: skip
    assert len(CAPPED) > 40
    assert all(_RULES[n].cap == _cap(n) for _, n in CAPPED)


@pytest.mark.parametrize(("modality", "name"), CAPPED)
@pytest.mark.parametrize("value", [1e308, 1e17, 1e9])
def test_a_value_beyond_any_use_is_refused_in_one_line(modality, name, value) -> None:
    kind = _RULES[name].kind
    text = {"band": f"1,{value:g}", "windows": f"0.1,{value:g}"}.get(kind, f"{value:g}")
    with pytest.raises(MovementError) as exc:
        Settings().with_overrides([f"{modality}.{name}={text}"])
    msg = _one_line(exc)
    assert msg.startswith(f"{modality}.{name} must be ") and "at most" in msg


@pytest.mark.parametrize("name", ["min_snr_on_db", "brief_snr_on_db"])
def test_a_db_margin_is_bounded_both_ways(name) -> None:
    assert EMGConfig(**{name: -MAX_DB}).replace(**{name: MAX_DB})
    for bad in (-1e9, 1e9, -MAX_DB - 1):
        with pytest.raises(MovementError, match=f"emg.{name} must be a finite number, >= -200"):
            EMGConfig(**{name: bad})


def test_the_error_states_the_bound() -> None:
    with pytest.raises(MovementError) as exc:
        Settings().with_overrides(["accel.baseline_window_s=1e308"])
    assert _one_line(exc) == (
        "accel.baseline_window_s must be a finite number, > 0, at most 86400 s (24 h), got 1e+308"
    )
    with pytest.raises(MovementError, match=r"high edge at most 1e6 Hz, got \(3.0, 1e\+308\)"):
        AccelConfig(periodic_band_hz=(3.0, 1e308))


def test_describe_gives_each_parameters_accepted_values() -> None:
    rows = {r["name"]: r for r in AccelConfig().describe()}
    assert "at most 86400 s (24 h)" in rows["baseline_window_s"]["accepts"]
    assert all(r["accepts"] for r in rows.values())


@pytest.mark.parametrize("command", ["score", "params"])
def test_cli_refuses_it_before_any_file(tmp_path, capsys, command) -> None:
    (tmp_path / "in").mkdir()
    argv = [command, "--set", "accel.orientation_median_s=1e12"]
    if command == "score":
        argv += [str(tmp_path / "in"), "--out", str(tmp_path / "out"), "-q"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("movement: error: accel.orientation_median_s must be ")
    assert err.count("\n") == 1
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def short_recordings():
    from movement.simulate import simulate

    return {
        "accel": simulate("accel", 60.0, 3).recording,
        "emg": simulate("emg", 20.0, 3).recording,
    }


# the values that failed each file before (an internal error), at the new bound: they run
AT_THE_BOUND = [
    ("accel", "baseline_window_s"),
    ("accel", "orientation_median_s"),
    ("accel", "merge_gap_s"),
    ("accel", "periodic_window_s"),
    ("accel", "posture_sharp_steady_s"),
    ("accel", "gait_window_s"),
    ("accel", "nonwear_step_s"),
    ("accel", "calib_window_s"),
    ("accel", "twitch_windows_s"),
    ("accel", "min_snr_on_db"),
    ("emg", "sustained_rms_s"),
    ("emg", "sustained_block_s"),
    ("emg", "muap_whitening_order"),
    ("emg", "artefact_min_s"),
    ("emg", "brief_snr_on_db"),
]


@pytest.mark.parametrize(("modality", "name"), AT_THE_BOUND)
def test_a_value_at_the_bound_runs(short_recordings, modality, name) -> None:
    import movement

    cap = _cap(name)
    value = (cap,) if _RULES[name].kind == "windows" else cap
    cfg = CONFIGS[modality]().replace(**{name: value})
    events = movement.score(short_recordings[modality], cfg, model="rules")
    assert events.attrs["parameters"]["config"][name] == value


# --------------------------------------------------------------------------- 2. --config twice


@pytest.fixture
def two_files(tmp_path):
    a = tmp_path / "a.toml"
    a.write_text("[emg]\nk_on = 6\nk_off = 5\n[accel]\nk_on = 5\n")
    b = tmp_path / "b.json"
    b.write_text('{"emg": {"k_on": 7}, "accel": {"merge_gap_s": 0.25}}')
    return a, b


def test_several_config_files_are_merged_in_order(two_files) -> None:
    a, b = two_files
    s = load_settings([a, b])
    assert (s.emg.k_on, s.emg.k_off, s.accel.k_on, s.accel.merge_gap_s) == (7.0, 5.0, 5.0, 0.25)
    s = load_settings([b, a], ["emg.k_off=1"])  # a later: its k_on wins; --set last
    assert (s.emg.k_on, s.emg.k_off, s.accel.merge_gap_s) == (6.0, 1.0, 0.25)
    assert load_settings((a,)) == load_settings(a) == load_settings(str(a))


def test_merged_files_are_checked_together(tmp_path) -> None:
    """The values are checked once merged (k_off = 5 in one file, k_on = 6 in the next);
    an error names the file that gave the value it is about."""
    off = tmp_path / "off.toml"
    off.write_text("[emg]\nk_off = 5\n")
    on = tmp_path / "on.toml"
    on.write_text("[emg]\nk_on = 6\n")
    assert load_settings([off, on]).emg.k_off == 5.0
    with pytest.raises(MovementError, match=r"off.toml: emg.k_off \(5.0\) must not be above"):
        load_settings(off)
    low = tmp_path / "low.toml"
    low.write_text("[emg]\nk_on = 4\n")
    with pytest.raises(MovementError) as exc:
        load_settings([on, off, low])
    assert _one_line(exc).startswith(f"{off}, {low}: emg.k_off (5.0) must not be above")
    bad = tmp_path / "bad.toml"
    bad.write_text("[emg]\nfilter_order = 2.5\n")
    with pytest.raises(MovementError, match=r"bad.toml: emg.filter_order must be a whole"):
        load_settings([on, bad])
    with pytest.raises(MovementError, match="a path or a list of paths"):
        load_settings(3)


def test_params_with_two_config_files_shows_both(two_files, capsys) -> None:
    a, b = two_files
    assert main(["params", "--config", str(a), "--config", str(b), "--toml"]) == 0
    out = capsys.readouterr().out
    emg, _, accel = out.partition("[accel]")
    assert "\nk_on = 7.0\n" in emg and "\nk_off = 5.0\n" in emg
    assert "\nk_on = 5.0\n" in accel and "\nmerge_gap_s = 0.25\n" in accel


def test_score_with_two_config_files_uses_both(tmp_path, two_files) -> None:
    import json
    from pathlib import Path

    a, b = two_files
    data = Path(__file__).resolve().parents[1] / "data" / "sim_wrist_accel.csv"
    out = tmp_path / "out"
    argv = ["score", str(data), "--out", str(out), "--model", "rules", "-q"]
    assert main([*argv, "--config", str(a), "--config", str(b)]) == 0
    sidecar = json.loads((out / "sim_wrist_accel_events.json").read_text())
    text = json.dumps(sidecar)
    assert '"merge_gap_s": 0.25' in text and '"k_on": 5.0' in text


# --------------------------------------------------------------------------- 3. empty values


@pytest.mark.parametrize(("modality", "name"), NAMES)
def test_an_empty_value_is_an_error_for_every_parameter(modality, name) -> None:
    for item in (f"{modality}.{name}=", f"{modality}.{name}=  "):
        with pytest.raises(MovementError) as exc:
            Settings().with_overrides([item])
        msg = _one_line(exc)
        assert msg.startswith(f"{modality}.{name} must be ") and "got an empty value" in msg
        if _RULES[name].optional:
            assert msg.endswith("(write none to switch it off)")


def test_an_empty_value_in_a_config_file_or_a_bare_name_is_an_error(tmp_path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[accel]\ntwitch_windows_s = ""\n')
    with pytest.raises(MovementError, match=r"c.toml: accel.twitch_windows_s .*empty value"):
        load_settings(cfg)
    with pytest.raises(MovementError, match=r"k_on must be .*got an empty value"):
        Settings().with_overrides(["k_on="])


def test_cli_refuses_an_empty_value(tmp_path, capsys) -> None:
    (tmp_path / "in").mkdir()
    argv = ["score", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "-q"]
    assert main([*argv, "--set", "accel.twitch_windows_s="]) == 2
    err = capsys.readouterr().err
    assert "accel.twitch_windows_s must be" in err and "write none to switch it off" in err


def test_none_still_switches_a_detector_off() -> None:
    assert Settings().with_overrides(["accel.twitch_windows_s=none"]).accel.twitch_windows_s is None


# --------------------------------------------------------------------------- 3. one hash


@pytest.mark.parametrize("off", ["none", "[]", "()", "off"])
def test_no_twitch_window_is_none(off) -> None:
    cfg = Settings().with_overrides([f"accel.twitch_windows_s={off}"]).accel
    assert cfg.twitch_windows_s is None
    assert params_hash(cfg.to_dict()) == params_hash(AccelConfig(twitch_windows_s=None).to_dict())
    assert AccelConfig(twitch_windows_s=[]).twitch_windows_s is None
    assert AccelConfig(twitch_windows_s=()) == AccelConfig(twitch_windows_s=None)


ZERO_IS_OFF = [(m, n) for m, n in NAMES if _RULES[n].zero_is_off]


def test_the_zero_is_off_parameters() -> None:
    assert {n for _, n in ZERO_IS_OFF} == {
        "notch_hz", "bridge_gap_s", "motion_highpass_hz", "orientation_median_s",
        "max_rest_level_g", "sustained_window_s", "sustained_edge_fraction",
        "crosstalk_ratio", "periodic_hop_s", "other_bout_gap_s",
    }  # fmt: skip


@pytest.mark.parametrize(("modality", "name"), ZERO_IS_OFF)
def test_zero_and_none_have_one_hash(modality, name) -> None:
    """0 and none both mean off here (the code reads either as off): one hash, so a
    resumed batch does not score again, and the provenance says they are the same."""
    base = CONFIGS[modality]()
    zero, none = base.replace(**{name: 0}), base.replace(**{name: None})
    assert zero.to_dict()[name] is None
    assert params_hash(zero.to_dict()) == params_hash(none.to_dict())
    if getattr(base, name) is not None:  # (on by default: off is another setting)
        assert params_hash(zero.to_dict()) != params_hash(base.to_dict())
    assert getattr(zero, name) == 0  # (the value itself as given)
