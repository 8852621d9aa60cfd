"""A spoken conversation end to end: English commands said by a synthetic user, recognised
offline, sent to the real assistant (portal + actions + Rasa), answered and spoken back; and the
voice session's own rules (confirmation of unsure recognitions, local repeat, rate following)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from actions.messages import TEXTS
from assistant.settings import load_settings
from voice.asr import Transcript
from voice.audio import read_wav, wav_bytes
from voice.listener import Heard
from voice.synthetic import user_says
from voice.talk import TalkSession
from tests.stack import Stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(tmp_path_factory.mktemp("voice-stack")).start()
    yield running
    running.stop()


def test_spoken_commands_reach_the_assistant_and_its_replies_are_spoken(stack: Stack, tmp_path: Path) -> None:
    inputs = []
    for number, words in enumerate(["hello", "yes", "help", "slower", "repeat"], 1):
        path = tmp_path / f"turn-{number}.wav"
        path.write_bytes(wav_bytes(user_says(words)))
        inputs.append(str(path))
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "assistant.cli", "talk", "--lang", "en", "--input-wav", *inputs,
                           "--output-dir", str(out), "--webhook", stack.webhook],
                          capture_output=True, text=True, timeout=300, env={**stack.env})
    assert done.returncode == 0, done.stderr
    turns = json.loads((out / "transcript.json").read_text())
    # "hello" is a short open-vocabulary result the recogniser is unsure of: confirmed first.
    assert turns[0]["user"]["text"] == "hello" and turns[0]["user"]["confidence"] < 0.3
    assert turns[0]["assistant"]["replies"] == ["Did you say: hello? Please say yes or no."]
    assert [t["user"]["sent"] for t in turns] == [None, "hello", "help", "slower", None]  # repeat is answered here
    assert TEXTS["greet"]["en"] in turns[1]["assistant"]["replies"]
    assert TEXTS["help"]["en"] in turns[2]["assistant"]["replies"]
    assert TEXTS["slower"]["en"] in turns[3]["assistant"]["replies"]
    assert [t["assistant"]["rate"] for t in turns] == [175, 175, 175, 150, 150]
    assert turns[4]["assistant"]["replies"] == turns[3]["assistant"]["replies"]
    for turn in turns:
        assert turn["earcons"] == ["listening", "working"]
        assert read_wav(out / turn["reply_audio"]).duration > 1.0


class FakeAssistant:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, text: str, lang: str) -> list[str]:
        self.sent.append(text)
        return [TEXTS["faster"]["en"]] if text == "faster" else [f"You said {text}."]


def heard(text: str, confidence: float, engine: str = "sphinx") -> Heard:
    return Heard(Transcript(text, confidence, engine))


@pytest.fixture
def session(tmp_path: Path) -> tuple[TalkSession, FakeAssistant]:
    assistant = FakeAssistant()
    settings = load_settings({"MYGOV_SETTINGS_FILE": "/nonexistent.yml", "MYGOV_DATA_DIR": str(tmp_path)})
    return TalkSession(settings, assistant, "en"), assistant  # type: ignore[arg-type]


def test_an_unsure_recognition_is_confirmed_before_it_is_sent(session: tuple[TalkSession, FakeAssistant]) -> None:
    talk, assistant = session
    assert talk.take_heard(heard("my tax debt", 0.2)).replies == ["Did you say: my tax debt? Please say yes or no."]
    assert assistant.sent == []
    talk.take_heard(heard("yes", 1.0, "commands"))
    assert assistant.sent == ["my tax debt"]
    talk.take_heard(heard("my messages", 0.25))
    assert talk.take_heard(heard("no", 1.0, "commands")).replies == ["All right, please say it again."]
    assert assistant.sent == ["my tax debt"]


def test_digits_are_sent_as_a_number_and_faster_follows_the_assistant(session: tuple[TalkSession, FakeAssistant]) -> None:
    talk, assistant = session
    talk.take_heard(heard("one two three four", 1.0, "commands"))
    assert assistant.sent == ["1234"]
    assert talk.take_heard(heard("faster", 1.0, "commands")).rate == 200


def test_a_problem_is_explained_and_nothing_is_sent(session: tuple[TalkSession, FakeAssistant]) -> None:
    talk, assistant = session
    exchange = talk.take_heard(Heard(Transcript("", 0.0, "google"), "unavailable", "offline"))
    assert "type your message" in exchange.replies[0] and exchange.audio is not None
    assert assistant.sent == []


def test_talk_without_a_sound_card_says_how_to_run_headless() -> None:
    done = subprocess.run([sys.executable, "-m", "assistant.cli", "talk"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "MYGOV_SETTINGS_FILE": "/nonexistent.yml"})
    assert done.returncode == 2 and "--input-wav" in done.stderr


def test_spell_reads_the_last_code_letter_by_letter(session: tuple[TalkSession, FakeAssistant]) -> None:
    talk, assistant = session
    talk.take_heard(heard("MG-7", 1.0, "typed"))  # the fake assistant answers "You said MG-7."
    spelled = talk.take_heard(heard("spell", 1.0, "commands")).replies
    assert spelled == ["em, gee, dash, seven"] and assistant.sent == ["MG-7"]
