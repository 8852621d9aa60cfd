"""Voice notes on messengers: recognise what the user said, and speak the assistant's answer back.

Decoding, recognition and synthesis are CPU work and blocking calls, so they run in a worker thread
and never stall the Rasa server's event loop; one lock keeps the loaded recognisers single-threaded
(pocketsphinx decoders are not thread-safe). The user's language and rate are read from their
conversation (slots ``lang`` and ``speech_rate``), so "slower" in a chat also slows the voice notes."""
from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from typing import Any

from basics.settings import Settings
from catalog_index.language import guess_language
from voice import compressed
from voice.asr import Transcript
from voice.audio import AudioError, AudioTooLong
from voice.listener import BAD_AUDIO, TOO_LONG, Heard, Listener
from voice.speaker import Speaker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Conversation:
    """What the channel knows of a user's conversation before passing a message on."""

    lang: str | None
    speech_rate: float | None


async def conversation(agent: Any, sender_id: str) -> Conversation:
    """The user's language and speech rate from Rasa's tracker store; nothing when unknown."""
    try:
        tracker = await agent.tracker_store.retrieve(sender_id)
    except Exception:  # a tracker store hiccup must not lose the message
        log.warning("could not read the conversation's language and rate", exc_info=True)
        tracker = None
    if tracker is None:
        return Conversation(None, None)
    return Conversation(tracker.get_slot("lang"), tracker.get_slot("speech_rate"))


class VoiceNotes:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._listener: Listener | None = None
        self._speaker: Speaker | None = None

    async def hear(self, data: bytes, lang: str) -> Heard:
        return await asyncio.to_thread(self._hear, data, lang)

    async def speak(self, texts: list[str], lang: str | None, rate: float) -> bytes:
        """The replies as one OGG/Opus voice note, in their own language."""
        text = "\n".join(texts)
        return await asyncio.to_thread(self._speak, text, guess_language(text) or lang or "ka", rate)

    def _hear(self, data: bytes, lang: str) -> Heard:
        try:
            audio = compressed.decode(data, max_seconds=self.settings.voice_max_utterance_seconds)
        except AudioError as exc:
            return Heard(Transcript("", 0.0, "none"), TOO_LONG if isinstance(exc, AudioTooLong) else BAD_AUDIO, str(exc))
        with self._lock:
            if self._listener is None:
                self._listener = Listener(self.settings)
            return self._listener.hear(audio, lang, commands_first=True)

    def _speak(self, text: str, lang: str, rate: float) -> bytes:
        with self._lock:
            if self._speaker is None:
                self._speaker = Speaker.from_settings(self.settings)
            audio = self._speaker.speak(text, lang, rate, self.settings.voice_volume)
        return compressed.encode_ogg_opus(audio)
