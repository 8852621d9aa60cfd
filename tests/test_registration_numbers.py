"""One registration-number rule (basics/registration.py): what the portal issues is what the dialogue
finds in a reply, reads out, spells on request and speaks, at every length the sequence can reach
(the three copies there were accepted 6, exactly 6, and 4 to 8 digits)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from actions.general import spell_target
from actions.inbox import speakable
from basics import registration, spoken
from portal.applications import next_registration_number
from portal.db import create_schema

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("basics", "portal_client", "catalog_index", "portal", "actions", "voice", "assistant")


@pytest.fixture()
def issued() -> str:
    """A number as the portal gives it on sending, from its own counter."""
    engine = create_engine("sqlite://")
    create_schema(engine)
    with Session(engine) as db:
        return next_registration_number(db)


def test_the_portal_issues_the_format(issued: str) -> None:
    year = int(issued.split("-")[1])
    assert issued == registration.format_number(year, 1) and registration.PATTERN.fullmatch(issued)


@pytest.mark.parametrize("sequence", [1, 42, 999_999, 1_000_000])
def test_every_issued_number_is_recognised_read_spelled_and_spoken(sequence: int) -> None:
    number = registration.format_number(2026, sequence)
    reply = f"Reply to application {number}: completed."
    assert registration.PATTERN.findall(reply) == [number]
    assert spoken.registration_number(number, "en") in speakable(reply, "en")  # the inbox reads it out
    assert spell_target("spell it", f"The registration number is {number}.") == number
    for lang in ("ka", "en"):
        assert spoken.registration_number(number, lang, words=True) in spoken.for_speech(reply, lang)


def test_the_issued_number_from_the_portal_is_spoken(issued: str) -> None:
    assert spoken.for_speech(f"განცხადება {issued} მიღებულია.", "ka") == \
        f"განცხადება {spoken.registration_number(issued, 'ka', words=True)}, მიღებულია."


def test_other_codes_are_not_registration_numbers() -> None:
    for text in ("01.10.14.004.018.01.500", "01001012345", "MG-26-000042", "MG-2026-00042", "XMG-2026-000042"):
        assert not registration.PATTERN.search(text), text


def test_no_other_module_keeps_a_pattern_of_its_own() -> None:
    copies = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ROOT / "basics" / "registration.py":
                continue
            copies += [f"{path.relative_to(ROOT)}:{node.lineno}" for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                       if isinstance(node, ast.Constant) and isinstance(node.value, str)
                       and ("-\\d{4}-" in node.value or node.value.startswith("MG-"))]
    assert not copies, f"use basics.registration instead: {copies}"
