"""A YAML config file (.yaml / .yml) gives the settings its TOML twin gives; its errors
are one line naming the file, as TOML's and JSON's are (a .yaml was read as TOML and
refused as "not valid TOML")."""

from __future__ import annotations

import json
import sys

import pytest

from movement.cli import main
from movement.config import load_settings
from movement.errors import MovementError

pytest.importorskip("yaml")

TOML = "[emg]\nk_on = 5\ntremor_band_hz = [3, 7]\n\n[accel]\nposture_min_deg = 12\n"
YAML = "emg:\n  k_on: 5\n  tremor_band_hz: [3, 7]\naccel:\n  posture_min_deg: 12\n"


def test_yaml_gives_the_settings_of_its_toml_twin(tmp_path):
    (tmp_path / "c.toml").write_text(TOML)
    for name in ("c.yaml", "c.yml"):
        (tmp_path / name).write_text(YAML)
        got = load_settings(tmp_path / name)
        assert got == load_settings(tmp_path / "c.toml")
        assert got.emg.k_on == 5.0 and got.accel.posture_min_deg == 12.0


def test_an_empty_yaml_file_is_the_defaults(tmp_path):
    (tmp_path / "c.yaml").write_text("# nothing set yet\n")
    assert load_settings(tmp_path / "c.yaml") == load_settings(None)


@pytest.mark.parametrize(
    "text, said",
    [
        ("emg:\n  k_on: 5\n  k_on: 6\n", "key 'k_on' given twice (line 2)"),
        ("emg:\n  k_on: [5\n", "not valid YAML"),
        ("emg:\n  k_onn: 5\n", "k_onn"),
        ("emg: !!python/object:os.system {}\n", "not valid YAML"),
    ],
)
def test_yaml_errors_name_the_file_in_one_line(tmp_path, text, said):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(MovementError) as err:
        load_settings(path)
    msg = str(err.value)
    assert str(path) in msg and said in msg and "\n" not in msg


def test_without_pyyaml_the_error_says_what_to_install(tmp_path, monkeypatch):
    path = tmp_path / "c.yaml"
    path.write_text(YAML)
    monkeypatch.setitem(sys.modules, "yaml", None)  # (import yaml raises ImportError)
    with pytest.raises(MovementError, match=r"needs PyYAML: pip install 'movement\[yaml\]'"):
        load_settings(path)


def test_the_cli_scores_with_a_yaml_config(tmp_path, capsys):
    from pathlib import Path

    data = Path(__file__).resolve().parent.parent / "data" / "sim_forearm_emg.npy"
    (tmp_path / "c.yaml").write_text(YAML)
    (tmp_path / "c.toml").write_text(TOML)
    hashes = []
    for cfg in ("c.yaml", "c.toml"):
        out = tmp_path / cfg.replace(".", "_")
        args = ["score", str(data), "--out", str(out), "--config", str(tmp_path / cfg)]
        assert main([*args, "--model", "rules", "-q"]) == 0
        side = json.loads((out / "sim_forearm_emg_events.json").read_text())
        hashes.append(_find(side, "parameters_hash"))
    assert hashes[0] is not None and hashes[0] == hashes[1]


def _find(tree, key):
    """The first value of ``key`` anywhere in a JSON tree."""
    if isinstance(tree, dict):
        if key in tree:
            return tree[key]
        tree = list(tree.values())
    if isinstance(tree, list):
        for v in tree:
            if (got := _find(v, key)) is not None:
                return got
    return None
