"""From a reply to audio: make the text speakable, synthesise it, and keep repeated prompts.

Prompts repeat all the time ("Please say yes or no.", help, the phone menu), so their synthesis is
kept (voice/prompt_cache.py). Replies filled with someone's data (a tax debt, a name, a registration
number) and text sent to the web's synthesis endpoint are personal: they are synthesised, handed back
and forgotten. Only two kinds of text are ever cached: the voice layer's own fixed sentences
(own_prompts), and a reply whose hint says it is the same for everyone (``cacheable``, from
basics/reply_hints.py); anything else is forgotten, whatever the caller passes."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from basics.settings import Settings
from basics.speech_rate import clamp_rate
from basics.spoken import for_speech
from voice.audio import Audio
from voice.prompt_cache import PromptCache
from voice.tts import EspeakNG, Synthesizer

CACHE_BYTES = 32 * 2**20  # about 12 minutes of 22.05 kHz speech, in memory and again on disk


@lru_cache(maxsize=1)
def own_prompts() -> frozenset[str]:
    """The voice layer's and the phone line's own sentences with nothing filled in: no one's data."""
    from voice.phone.menu import PHONE_PROMPTS
    from voice.prompts import PROMPTS
    return frozenset(text.strip() for table in (PROMPTS, PHONE_PROMPTS) for texts in table.values()
                     for text in texts.values() if "{" not in text)


class Speaker:
    """Speaks replies in Georgian or English at a rate and volume."""

    def __init__(self, synthesizer: Synthesizer, cache_dir: Path | None = None, cache_items: int = 256,
                 cache_bytes: int = CACHE_BYTES) -> None:
        self.synthesizer = synthesizer
        self.cache = PromptCache(cache_dir, cache_items, cache_bytes)
        self.hits = 0

    @classmethod
    def from_settings(cls, settings: Settings, synthesizer: Synthesizer | None = None) -> "Speaker":
        return cls(synthesizer or EspeakNG(settings.voice_ka_gain_db), settings.data_dir / "voice-cache",
                   settings.voice_cache_items)

    def speak(self, text: str, lang: str, rate: float, volume: float = 1.0, cacheable: bool = False) -> Audio:
        """The reply as audio; ``text`` may hold numbers, money, dates, URLs: for_speech handles them.
        ``cacheable``: the reply's hint says it is the same for everyone."""
        spoken = for_speech(text, lang)
        if not cacheable and text.strip() not in own_prompts():
            return self.synthesizer.synthesize(spoken, lang, clamp_rate(rate), volume)
        key = hashlib.sha256(f"{self.synthesizer.name}|{lang}|{clamp_rate(rate)}|{volume:.2f}|{spoken}"
                             .encode()).hexdigest()
        audio = self.cache.get(key)
        if audio is None:
            audio = self.synthesizer.synthesize(spoken, lang, clamp_rate(rate), volume)
            self.cache.put(key, audio)
        else:
            self.hits += 1
        return audio
