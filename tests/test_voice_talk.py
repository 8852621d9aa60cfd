"""A spoken conversation end to end: English commands said by a synthetic user, recognised
offline, sent to the real assistant (portal + actions + Rasa), answered and spoken back; and the
voice session's own rules (confirmation of unsure recognitions, local repeat, rate following)."""
from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from actions.messages import TEXTS
from basics.reply_hints import Reply, ReplyHint
from basics.settings import load_settings
from tests.stack import Stack
from voice.asr import Transcript
from voice.audio import read_wav, wav_bytes
from voice.listener import Heard
from voice.synthetic import user_says
from voice.talk import TalkSession

pytestmark = pytest.mark.e2e


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
    """Answers as the REST channel does: texts, and a reply hint that carries the conversation's rate."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.rate = 175.0

    def send(self, text: str, lang: str) -> Reply:
        self.sent.append(text)
        if text == "faster":
            self.rate = 200.0
        hint: ReplyHint = {"lang": "en", "rate": self.rate, "expects": None, "ends": False, "fixed": False}
        return Reply([TEXTS["faster"]["en"]] if text == "faster" else [f"You said {text}."], hint)


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


class PulseAudio:
    """A private PulseAudio server with two null sinks: `speakers` (what the assistant plays) and `mic`
    (what the test says; its monitor is the default source), reached through ALSA's pulse plugin, so
    `assistant talk` runs its real microphone loop on a machine without a sound card."""

    def __init__(self, root: Path) -> None:
        (root / "run").mkdir()
        (root / "home").mkdir()
        (root / "home" / ".asoundrc").write_text("pcm.!default { type pulse }\nctl.!default { type pulse }\n")
        self.env = {**os.environ, "XDG_RUNTIME_DIR": str(root / "run"), "HOME": str(root / "home")}
        self.root = root
        self.server = subprocess.Popen(["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit",
                                        "-L", "module-native-protocol-unix", "-L", "module-null-sink sink_name=speakers",
                                        "-L", "module-null-sink sink_name=mic"], env=self.env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):  # ready when both sinks are there (each try waits for pactl to connect)
            sources = subprocess.run(["pactl", "list", "short", "sources"], env=self.env, capture_output=True, text=True)
            if "mic.monitor" in sources.stdout and "speakers.monitor" in sources.stdout:
                break
            if self.server.poll() is not None:
                raise RuntimeError("pulseaudio did not start")
        else:
            raise RuntimeError("pulseaudio did not load its null sinks")
        subprocess.run(["pactl", "set-default-source", "mic.monitor"], env=self.env, check=True)
        subprocess.run(["pactl", "set-default-sink", "speakers"], env=self.env, check=True)

    def say(self, words: str) -> None:
        """Speak into the microphone, in real time (returns when said)."""
        path = self.root / "said.wav"
        path.write_bytes(wav_bytes(user_says(words)))
        subprocess.run(["paplay", "-d", "mic", str(path)], env=self.env, check=True, timeout=30)

    def stop(self) -> None:
        self.server.terminate()
        self.server.wait(timeout=10)


@pytest.fixture()
def pulse(tmp_path: Path) -> Iterator[PulseAudio]:
    server = PulseAudio(tmp_path)
    yield server
    server.stop()


class Talking:
    """`assistant talk` in microphone mode, and what it prints (every reply, for braille and screen readers)."""

    def __init__(self, pulse: PulseAudio, *args: str, **env: str) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "assistant.cli", "talk", *args], env={**pulse.env, **env},
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        start_new_session=True)  # no terminal: hidden input is read from stdin
        self.lines: "queue.Queue[str]" = queue.Queue()
        threading.Thread(target=lambda: [self.lines.put(line) for line in self.process.stdout], daemon=True).start()  # type: ignore[union-attr]

    def wait_for(self, text: str, timeout: float = 120) -> str:
        """Until the talk loop prints `text`; a failure after `timeout` s. Returns what it printed."""
        seen, deadline = [], time.monotonic() + timeout
        while text not in "".join(seen):
            try:
                seen.append(self.lines.get(timeout=max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                raise AssertionError(f"never said {text!r}; said: {''.join(seen)!r}") from None
        return "".join(seen)

    def type(self, text: str) -> None:
        self.process.stdin.write(text + "\n")  # type: ignore[union-attr]
        self.process.stdin.flush()  # type: ignore[union-attr]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def test_the_microphone_loop_hears_the_user_and_speaking_interrupts_the_reply(stack: Stack, pulse: PulseAudio) -> None:
    talk = Talking(pulse, "--lang", "en", "--webhook", stack.webhook, MYGOV_DATA_DIR=stack.env["MYGOV_DATA_DIR"])
    help_text = TEXTS["help"]["en"].splitlines()[0]
    try:
        talk.wait_for("Speak after the tone.")
        pulse.say("help")
        talk.wait_for(help_text)
        # The help is long; saying "repeat" while it plays stops it and is heard (barge-in). Without
        # barge-in the words would be lost under the playback and the help never said again.
        pulse.say("repeat")
        talk.wait_for(help_text)
    finally:
        talk.stop()


def test_without_a_recogniser_the_terminal_takes_typed_input_unseen(stack: Stack, pulse: PulseAudio) -> None:
    # Georgian needs the online engine; here it is unreachable, as when the network is down.
    talk = Talking(pulse, "--lang", "ka", "--webhook", stack.webhook, MYGOV_DATA_DIR=stack.env["MYGOV_DATA_DIR"],
                   MYGOV_VOICE_ASR_KA="google",
                   MYGOV_VOICE_GOOGLE_KEY="operator-test-key", MYGOV_VOICE_GOOGLE_ENDPOINT="http://127.0.0.1:9/speech")
    try:
        talk.wait_for("ისაუბრეთ სიგნალის შემდეგ.")
        pulse.say("hello")
        talk.wait_for("ხმის ამოცნობა ახლა მიუწვდომელია")
        talk.type("გამარჯობა")  # read by the hidden prompt that follows (stdin buffers it until then)
        said = talk.wait_for(TEXTS["greet"]["ka"].splitlines()[0])
        assert "გამარჯობა\n" not in said  # what was typed is not shown back
    finally:
        talk.stop()
