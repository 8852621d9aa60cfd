"""The widget's speech endpoints: a browser recording (WebM/Opus) to text through voice/'s recognisers,
and a reply to WAV through voice/'s synthesiser at the user's rate. Engines stay loaded between calls."""
from __future__ import annotations

import logging
import threading

from basics.settings import Settings
from voice.audio import AudioError, AudioTooLong, encode
from voice.compressed import decode
from voice.listener import BAD_AUDIO, TOO_LONG, Listener
from voice.prompts import prompt
from voice.speaker import Speaker

log = logging.getLogger("assistant.web.speech")
Json = dict[str, object]


class Speech:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.listener = Listener(settings)
        self.speaker = Speaker.from_settings(settings)
        self._lock = threading.Lock()  # the recognisers are not thread-safe; one utterance at a time

    def refusal(self, problem: str, lang: str) -> Json:
        return {"text": "", "confidence": 0.0, "problem": problem, "message": prompt(problem, _lang(lang))}

    def recognise(self, recording: bytes, lang: str) -> Json:
        """{"text", "confidence", "engine"}, or a "problem" with a "message" to show and say."""
        lang = _lang(lang)
        try:
            audio = decode(recording, max_seconds=self.settings.voice_max_utterance_seconds)
        except AudioError as exc:
            log.info("unreadable recording: %s", exc)  # ffmpeg's words, never what was said
            return self.refusal(TOO_LONG if isinstance(exc, AudioTooLong) else BAD_AUDIO, lang)
        with self._lock:
            heard = self.listener.hear(audio, lang, commands_first=lang == "en")
        if heard.problem:
            return self.refusal(heard.problem, lang)
        transcript = heard.transcript
        return {"text": transcript.text, "confidence": transcript.confidence, "engine": transcript.engine}

    def synthesise(self, text: str, lang: str, rate: int) -> bytes:
        with self._lock:
            return encode(self.speaker.speak(text, _lang(lang), rate, self.settings.voice_volume), "wav22k")


def _lang(lang: str) -> str:
    return lang if lang in ("ka", "en") else "en"
