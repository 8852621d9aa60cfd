"""A spoken conversation with the running assistant, one user turn at a time.

Each turn: the user's audio -> the listener (commands grammar first for English, then the
language's engine) -> local voice commands or the assistant's REST channel -> its replies ->
for_speech -> espeak-ng. The session is independent of where audio comes from and goes to: the
headless runner (files) and the microphone runner (voice/devices.py) both drive it.

Language, speech rate, what the assistant expects next and whether the conversation ends come with
every reply as its hint (basics/reply_hints.py), never guessed from the wording: "slower"/"faster"
are sent to the assistant, which keeps the rate (and stores it for a logged-in user), and the session
speaks at the rate the reply says."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Protocol

import httpx

from basics.reply_hints import Expects, Reply, reply_from
from basics.settings import Settings
from basics.speech_rate import DEFAULT_RATE
from basics.spoken import spell
from voice.asr import Transcript
from voice.audio import Audio
from voice.commands import as_digits
from voice.listener import Heard, Listener
from voice.prompts import prompt
from voice.speaker import Speaker

KEYPAD = "keypad"  # the engine name of a turn typed on a telephone keypad (see send_text)
LOCAL_COMMANDS = ("repeat", "stop", "spell")  # answered here at once; everything else goes to the assistant
YES = {"yes", "yeah", "yep", "correct", "კი", "დიახ", "ჰო", "ხო"}
NO = {"no", "nope", "არა"}
_SPELLABLE = re.compile(r"\b[\w-]*\d[\w-]*\b|\b[A-Z]{2,}\b")  # codes, numbers, abbreviations


@dataclass
class Exchange:
    """One user turn and what the assistant said back, as the transcript records it."""

    heard: Transcript
    problem: str | None = None
    sent: str | None = None  # what reached the assistant, if anything
    replies: list[str] = field(default_factory=list)
    lang: str = "en"
    rate: int = DEFAULT_RATE
    expects: Expects = None  # what the assistant waits for next (reply hint)
    ends: bool = False  # the assistant ended the conversation (reply hint)
    earcons: list[str] = field(default_factory=list)
    audio: Audio | None = None

    def record(self) -> dict:
        return {"user": {"text": self.heard.text, "confidence": self.heard.confidence, "engine": self.heard.engine,
                         "problem": self.problem, "sent": self.sent},
                "assistant": {"replies": self.replies, "lang": self.lang, "rate": self.rate,
                              "seconds": round(self.audio.duration, 2) if self.audio is not None else 0.0},
                "earcons": self.earcons}


class Assistant(Protocol):
    """What a spoken conversation needs of the assistant: its conversation id, one turn, and an end."""

    sender: str

    def send(self, text: str, lang: str, keypad: bool = False) -> Reply: ...

    def close(self) -> None: ...


class AssistantClient:
    """The assistant's REST channel."""

    def __init__(self, webhook: str, secret: str, sender: str | None = None, timeout: float = 60.0,
                 channel: str = "voice") -> None:
        """``secret``: the REST channel's shared secret (settings ``rest_secret``); it admits trusted back ends only."""
        self.webhook, self.sender, self.channel = webhook, sender or f"{channel}-{uuid.uuid4().hex}", channel
        self.http = httpx.Client(timeout=timeout, headers={"Authorization": f"Bearer {secret}"})

    def send(self, text: str, lang: str, keypad: bool = False) -> Reply:
        """``keypad``: typed on a telephone keypad, which the dialogue requires for PINs on voice channels."""
        metadata = {"channel": self.channel, "language": lang, **({"input": "keypad"} if keypad else {})}
        body = {"sender": self.sender, "message": text, "metadata": metadata}
        response = self.http.post(self.webhook, json=body)
        response.raise_for_status()
        return reply_from(response.json())

    def close(self) -> None:
        self.http.close()


class TalkSession:
    """The voice side of one conversation: language, rate, last reply, pending confirmation."""

    def __init__(self, settings: Settings, assistant: Assistant, lang: str = "en",
                 listener: Listener | None = None, speaker: Speaker | None = None) -> None:
        self.settings, self.assistant, self.lang = settings, assistant, lang
        self.listener = listener or Listener(settings)
        self.speaker = speaker or Speaker.from_settings(settings)
        self.rate = settings.voice_rate
        self.last: Reply = Reply([])  # the assistant's last answer, for "repeat" and "spell"
        self.pending: str | None = None  # a low-confidence recognition waiting for yes or no

    def take(self, audio: Audio) -> Exchange:
        """Handle one spoken utterance; the returned exchange carries the reply audio."""
        exchange = self.take_heard(self.listener.hear(audio, self.lang, commands_first=True))
        exchange.earcons = ["listening", "working"]
        return exchange

    def take_file(self, path: str) -> Exchange:
        """Handle one recorded utterance; a damaged or overlong file gets a spoken explanation."""
        exchange = self.take_heard(self.listener.hear_file(path, self.lang, commands_first=True))
        exchange.earcons = ["listening", "working"]
        return exchange

    def send_text(self, text: str, keypad: bool = False) -> Exchange:
        """A typed or keypad turn (the fallback when speech cannot be recognised)."""
        return self.take_heard(Heard(Transcript(text, 1.0, KEYPAD if keypad else "typed")))

    def take_heard(self, heard: Heard) -> Exchange:
        exchange = Exchange(heard.transcript, heard.problem, lang=self.lang)
        reply = self._answer(heard, exchange)
        exchange.replies = reply.texts
        if reply.hint is not None:  # the assistant says in which language and at which rate
            self.lang, self.rate = reply.hint["lang"], int(reply.hint["rate"])
            exchange.expects, exchange.ends = reply.hint["expects"], reply.hint["ends"]
        exchange.lang, exchange.rate = self.lang, self.rate
        if exchange.replies:
            exchange.audio = self.speaker.speak("\n".join(exchange.replies), exchange.lang, self.rate,
                                                self.settings.voice_volume, cacheable=reply.fixed)
        return exchange

    def _answer(self, heard: Heard, exchange: Exchange) -> Reply:
        text = heard.transcript.text.strip()
        if heard.problem:
            return self._prompt(heard.problem)
        if not text:
            return self._prompt("not_understood")
        if self.pending is not None:
            pending, self.pending = self.pending, None
            if text.lower() in YES:
                return self._send(pending, exchange)
            if text.lower() in NO:
                return self._prompt("say_again")
        if text in LOCAL_COMMANDS:
            return self._local(text)
        if heard.transcript.engine not in ("commands", "typed", KEYPAD) and heard.transcript.confidence < self.settings.voice_confirm_below:
            self.pending = text
            return Reply([prompt("did_you_say", self.lang, text=text)])
        return self._send(as_digits(text) or text, exchange)

    def _prompt(self, key: str) -> Reply:
        """One of the voice layer's own fixed sentences."""
        return Reply([prompt(key, self.lang)], fixed=True)

    def _send(self, text: str, exchange: Exchange) -> Reply:
        exchange.sent = text
        keypad = exchange.heard.engine == KEYPAD
        reply = self.assistant.send(text, self.lang, keypad=True) if keypad else self.assistant.send(text, self.lang)
        if reply.texts:
            self.last = reply
        return reply

    def _local(self, command: str) -> Reply:
        if command == "stop":
            return Reply([])  # playback has already stopped (barge-in); say nothing
        if not self.last.texts:
            return self._prompt("nothing_to_repeat")
        if command == "repeat":
            return self.last
        codes = _SPELLABLE.findall(" ".join(self.last.texts))
        return Reply([spell(code, self.lang) for code in codes]) if codes else self.last

    @property
    def last_replies(self) -> list[str]:
        return self.last.texts
