"""Speech recognition: one interface, engines chosen per language in settings.

- ``sphinx``: offline English, pocketsphinx kept loaded (voice/sphinx.py).
- ``google``: online, ka-GE and en-US, through SpeechRecognition; given up on after
  ``voice_online_timeout_seconds``; when it cannot be reached the user is offered keypad or typing.
  Opt-in only (the user's voice leaves the machine): it must be chosen in settings, it needs the
  operator's own key (never the library's shared one), and it speaks HTTPS only, plain http being
  allowed to a loopback address alone (a local stand-in or proxy).
- ``whisper``: faster-whisper, only if the operator installed it and gave a local model directory.
- ``none``: recognition off for that language; keypad and typing only.
No offline Georgian recogniser exists in any package we can install (field notes, section 2)."""
from __future__ import annotations

import importlib.util
import ipaddress
import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from basics.settings import Settings
from voice.audio import ASR_RATE, Audio, resample

if TYPE_CHECKING:
    from voice.sphinx import Decoded, Stream

log = logging.getLogger("voice.asr")
ENGINES = ("sphinx", "google", "whisper", "none")
GOOGLE_LANGS = {"ka": "ka-GE", "en": "en-US"}


@dataclass(frozen=True)
class Transcript:
    text: str  # "" when nothing was understood
    confidence: float  # 0-1
    engine: str


class RecognitionUnavailable(RuntimeError):
    """The engine cannot be used now (offline, not installed, not configured); says why, for the log."""


class Engine(Protocol):
    name: str

    def recognize(self, audio: Audio, lang: str) -> Transcript:
        """Recognise one utterance (16 kHz mono)."""


class SphinxEngine:
    name = "sphinx"

    def __init__(self) -> None:
        from voice.sphinx import open_vocabulary  # loading costs about a second: only when used
        self.sphinx = open_vocabulary()

    def recognize(self, audio: Audio, lang: str) -> Transcript:
        if lang != "en":
            raise RecognitionUnavailable("pocketsphinx has an English model only; no offline Georgian recogniser exists")
        return self.transcript(self.sphinx.decode(audio, posterior=True))

    def stream(self) -> "Stream":
        """An utterance decoded while it arrives, on a decoder of its own (voice/listener.py LiveUtterance)."""
        from voice.sphinx import stream_pool
        return stream_pool().stream()

    def transcript(self, decoded: "Decoded") -> Transcript:
        # The whole-sentence posterior shrinks with length; per word it is comparable across lengths.
        confidence = (decoded.posterior or 0.0) ** (1 / len(decoded.words)) if decoded.words else 0.0
        return Transcript(decoded.text, round(confidence, 3), self.name)


class GoogleEngine:
    """Google's speech API through SpeechRecognition; fails fast without network."""

    name = "google"

    def __init__(self, endpoint: str, key: str, timeout: float) -> None:
        if not key:
            raise RecognitionUnavailable("online recognition needs the operator's own key: set MYGOV_VOICE_GOOGLE_KEY")
        if not _private_enough(endpoint):
            raise RecognitionUnavailable("online recognition refused: MYGOV_VOICE_GOOGLE_ENDPOINT must be https:// "
                                         "(plain http only to a loopback address)")
        import speech_recognition as sr
        self.sr, self.endpoint, self.key = sr, endpoint, key
        self.recognizer = sr.Recognizer()
        self.recognizer.operation_timeout = timeout

    def recognize(self, audio: Audio, lang: str) -> Transcript:
        data = self.sr.AudioData(resample(audio, ASR_RATE).pcm, ASR_RATE, 2)
        try:
            result = self.recognizer.recognize_google(data, key=self.key, language=GOOGLE_LANGS[lang],
                                                      show_all=True, endpoint=self.endpoint)
        except self.sr.RequestError as exc:
            raise RecognitionUnavailable(f"online recognition could not be reached: {exc}") from None
        except self.sr.UnknownValueError:
            return Transcript("", 0.0, self.name)
        except OSError as exc:  # a socket timeout escapes SpeechRecognition's own handling
            raise RecognitionUnavailable(f"online recognition did not answer: {exc}") from None
        alternatives = result.get("alternative", []) if isinstance(result, dict) else []
        if not alternatives:
            return Transcript("", 0.0, self.name)
        best = max(alternatives, key=lambda a: a.get("confidence", 0.0))
        return Transcript(best.get("transcript", ""), float(best.get("confidence", 0.5)), self.name)


class WhisperEngine:
    """faster-whisper with a local model directory; never downloads anything."""

    name = "whisper"

    def __init__(self, model_dir: str) -> None:
        if importlib.util.find_spec("faster_whisper") is None:
            raise RecognitionUnavailable("faster-whisper is not installed; the operator can install it "
                                         "(pip install faster-whisper) and set MYGOV_VOICE_WHISPER_MODEL")
        if not model_dir:
            raise RecognitionUnavailable("no local Whisper model configured: set MYGOV_VOICE_WHISPER_MODEL "
                                         "to a faster-whisper model directory")
        from faster_whisper import WhisperModel
        self.model = WhisperModel(model_dir, device="cpu", compute_type="int8", local_files_only=True)

    def recognize(self, audio: Audio, lang: str) -> Transcript:
        samples = resample(audio, ASR_RATE).samples.astype("float32") / 32768
        segments, _ = self.model.transcribe(samples, language=lang, beam_size=1)
        segments = list(segments)
        if not segments:
            return Transcript("", 0.0, self.name)
        text = " ".join(s.text.strip() for s in segments)
        confidence = math.exp(sum(s.avg_logprob for s in segments) / len(segments))
        return Transcript(text, round(confidence, 3), self.name)


def _private_enough(endpoint: str) -> bool:
    """HTTPS, or plain http to this machine (a stand-in or a local proxy that adds TLS itself)."""
    url = urlsplit(endpoint)
    if url.scheme == "https":
        return bool(url.hostname)
    if url.scheme != "http" or not url.hostname:
        return False
    if url.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(url.hostname).is_loopback
    except ValueError:
        return False


class Unavailable:
    """An engine that cannot work here (not chosen, not configured, not installed): every utterance
    gets the "type or use the keypad" answer; why is logged once, when it is first asked for."""

    def __init__(self, name: str, why: RecognitionUnavailable) -> None:
        self.name, self.why = name, str(why)
        log.info("speech recognition %r unavailable: %s", name, self.why)

    def recognize(self, audio: Audio, lang: str) -> Transcript:
        raise RecognitionUnavailable(self.why)


def make_engine(name: str, settings: Settings) -> Engine:
    """The engine called ``name``; RecognitionUnavailable when it cannot work here."""
    if name == "sphinx":
        return SphinxEngine()
    if name == "google":
        return GoogleEngine(settings.voice_google_endpoint, settings.voice_google_key,
                            settings.voice_online_timeout_seconds)
    if name == "whisper":
        return WhisperEngine(settings.voice_whisper_model)
    if name == "none":
        raise RecognitionUnavailable("speech recognition is switched off for this language")
    raise RecognitionUnavailable(f"unknown recognition engine {name!r}; use one of {', '.join(ENGINES)}")


def engine_name(lang: str, settings: Settings) -> str:
    return settings.voice_asr_ka if lang == "ka" else settings.voice_asr_en
