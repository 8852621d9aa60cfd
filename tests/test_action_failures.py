"""An action that fails unexpectedly is heard as a short sentence in the user's language, never silence."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Iterator

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.slots import ASKING
from actions.turn import Turn, TurnAction
from tests.conftest import settings_of


class Broken(TurnAction):
    def name(self) -> str:
        return "action_broken"

    async def act(self, turn: Turn) -> None:
        turn.set(ASKING, "field")
        raise KeyError("a bug")


@pytest.fixture
def private_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with settings_of({"MYGOV_DATA_DIR": str(tmp_path), "MYGOV_SETTINGS_FILE": str(tmp_path / "none.yml")}, monkeypatch):
        yield


@pytest.mark.parametrize("text, expected", [("what is my tax debt?", "Sorry, something went wrong on my side."),
                                            ("რა ვალი მაქვს?", "ბოდიში, ჩემ მხარეს რაღაც არ გამოვიდა.")])
def test_an_unexpected_error_is_heard_as_a_sentence(private_settings: None, text: str, expected: str) -> None:
    tracker = Tracker("rest:someone", {}, {"text": text, "intent": {"name": "tax_debt", "confidence": 0.9}},
                      [], False, None, None, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(Broken().run(dispatcher, tracker, {}))
    assert [m["text"] for m in dispatcher.messages][0].startswith(expected)
    assert not any(event.get("name") == ASKING for event in events)  # nothing half done is kept
