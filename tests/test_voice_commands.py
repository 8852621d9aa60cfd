"""The command recogniser as a caller meets it: commands said in several voices are understood,
numbers come out as digits, and speech that is not a command is refused instead of being forced
into one (a grammar on its own never refuses)."""
from __future__ import annotations

import pytest

from voice.commands import CommandRecognizer, as_digits
from voice.synthetic import over_the_phone, user_says

COMMANDS = ["yes", "no", "repeat", "back", "next", "previous", "cancel", "help", "slower", "faster", "stop", "spell"]
NOT_COMMANDS = ["I want to change my address", "what is the weather today", "talk to a person", "apply for a passport",
                "good morning", "banana", "goodbye", "thank you"]


@pytest.fixture(scope="module")
def recognizer() -> CommandRecognizer:
    return CommandRecognizer()


def test_navigation_and_yes_no_are_understood(recognizer: CommandRecognizer) -> None:
    heard = {word: recognizer.recognize(user_says(word)).text for word in COMMANDS}
    assert sum(heard[w] == w for w in COMMANDS) >= len(COMMANDS) - 1, heard
    assert heard["yes"] == "yes" and heard["cancel"] == "cancel" and heard["stop"] == "stop"


def test_digits_become_a_number(recognizer: CommandRecognizer) -> None:
    assert as_digits(recognizer.recognize(user_says("one two three")).text) == "123"
    assert as_digits(recognizer.recognize(user_says("five six seven")).text) == "567"
    assert as_digits("yes") is None


def test_speech_that_is_not_a_command_is_refused(recognizer: CommandRecognizer) -> None:
    accepted = {t: r for t in NOT_COMMANDS if (r := recognizer.recognize(user_says(t)).text)}
    assert not accepted, f"forced into commands: {accepted}"


def test_commands_over_a_phone_line_and_in_another_voice(recognizer: CommandRecognizer) -> None:
    assert recognizer.recognize(over_the_phone(user_says("cancel"))).text == "cancel"
    assert recognizer.recognize(user_says("repeat", "awb")).text == "repeat"
    assert recognizer.recognize(over_the_phone(user_says("I want to change my address"))).text == ""
