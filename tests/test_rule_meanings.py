"""Every rule name an event's ``reason`` can hold is explained (the names were nowhere:
``held``, ``strong``, ``local``, ``off_heartbeat``...), in the code and the README."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from movement.classify import RULE_MEANINGS, RuleClassifier

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _names(modality: str) -> set[str]:
    clf = RuleClassifier(modality).fit()
    X = pd.DataFrame({"duration": [0.05, 5.0], "scale": ["brief", "sustained"]})
    return {k for k in clf._scores(X) if not k.startswith("_")}


def test_every_rule_of_both_modalities_has_a_meaning():
    names = _names("emg") | _names("accel")
    assert names == set(RULE_MEANINGS)


def test_the_readme_lists_every_rule_with_its_meaning():
    for name, meaning in RULE_MEANINGS.items():
        row = re.search(rf"^\| `{name}` \| (.+) \|$", README, re.MULTILINE)
        assert row, f"{name} not in the README's table of rule names"
        assert row.group(1) == meaning
