"""One speech-rate range (basics/speech_rate.py): Rasa's slot, the portal's preference, the widget's
page and fallback, and every Python part take it from there, so no part can drift from another (the
widget once allowed rates the portal refused)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pydantic
import pytest
import yaml

from assistant.web.pages import WidgetTag
from basics.speech_rate import DEFAULT_RATE, MAX_RATE, MIN_RATE, RATE_STEP, clamp_rate, stepped
from portal.schemas import Preferences

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("basics", "portal_client", "catalog_index", "portal", "actions", "voice", "assistant")


def test_rasa_slot_has_the_same_range() -> None:
    """domain.yml cannot import Python; changing it retrains the model, so it repeats the numbers."""
    slot = yaml.safe_load((ROOT / "nlu_data" / "domain.yml").read_text(encoding="utf-8"))["slots"]["speech_rate"]
    assert (slot["min_value"], slot["max_value"]) == (MIN_RATE, MAX_RATE)


def test_portal_preference_accepts_exactly_the_range() -> None:
    for rate in (MIN_RATE, DEFAULT_RATE, MAX_RATE):
        assert Preferences(speech_rate=rate).speech_rate == rate
    for rate in (MIN_RATE - 1, MAX_RATE + 1):
        with pytest.raises(pydantic.ValidationError):
            Preferences(speech_rate=rate)
    field = Preferences.schema()["properties"]["speech_rate"]  # what the portal's OpenAPI shows
    assert (field["minimum"], field["maximum"]) == (MIN_RATE, MAX_RATE)


def test_the_page_gives_the_widget_the_range() -> None:
    html = WidgetTag("http://rasa").html()
    assert f'data-speech-rate="{DEFAULT_RATE}"' in html
    assert f'data-speech-rate-min="{MIN_RATE}" data-speech-rate-max="{MAX_RATE}" data-speech-rate-step="{RATE_STEP}"' in html


def test_the_widget_fallback_is_the_same_range_and_its_only_copy() -> None:
    """For a page that does not pass the range; defined once, in voice.ts."""
    sources = {path.name: path.read_text(encoding="utf-8") for path in (ROOT / "widget" / "src").glob("*.ts")}
    found = {name: re.findall(r"^export (?:const|let) (DEFAULT_RATE|MIN_RATE|MAX_RATE|RATE_STEP) = (\d+);", text, re.M)
             for name, text in sources.items()}
    assert {name: defs for name, defs in found.items() if defs} == {"voice.ts": [
        ("DEFAULT_RATE", str(DEFAULT_RATE)), ("MIN_RATE", str(MIN_RATE)), ("MAX_RATE", str(MAX_RATE)),
        ("RATE_STEP", str(RATE_STEP))]}


def test_no_python_part_keeps_its_own_numbers() -> None:
    """The range's names are defined only in basics/speech_rate.py, and its default and top (numbers
    no other setting shares) appear nowhere else as literals."""
    copies = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ROOT / "basics" / "speech_rate.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                named = isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and \
                    node.id in ("DEFAULT_RATE", "MIN_RATE", "MAX_RATE", "RATE_STEP")
                literal = isinstance(node, ast.Constant) and type(node.value) is int and node.value in (DEFAULT_RATE, MAX_RATE)
                if named or literal:
                    copies.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not copies, f"use basics.speech_rate instead: {copies}"


def test_steps_stay_within_the_range() -> None:
    assert stepped(MAX_RATE, 1) == MAX_RATE and stepped(MIN_RATE, -1) == MIN_RATE
    assert stepped(DEFAULT_RATE, 1) == DEFAULT_RATE + RATE_STEP
    assert clamp_rate(MAX_RATE * 2) == MAX_RATE and clamp_rate(0) == MIN_RATE
