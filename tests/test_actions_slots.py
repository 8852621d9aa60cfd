"""The slot-name constants of actions/slots.py are exactly the slots the domain declares."""
from __future__ import annotations

from pathlib import Path

import yaml

from actions import slots

DOMAIN = Path(__file__).resolve().parent.parent / "nlu_data" / "domain.yml"


def test_the_constants_are_the_slots_of_the_domain() -> None:
    declared = set(yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))["slots"])
    constants = {name: value for name, value in vars(slots).items() if name.isupper() and isinstance(value, str)}
    assert set(constants.values()) == declared
    assert all(name == value.upper() for name, value in constants.items())  # one constant per slot, named after it
