"""From a reply to audio: make the text speakable, synthesise it, and keep repeated prompts.

Prompts repeat all the time ("Please say yes or no.", help, the phone menu), so their synthesis is
kept (voice/prompt_cache.py). Replies filled with someone's data (a tax debt, a name, a registration
number) and text sent to the web's synthesis endpoint are personal: they are synthesised, handed back
and forgotten. The speaker itself decides, from the text alone, so no caller can cache personal text
by mistake: only a sentence written as it is in the code (fixed_texts) is ever cached."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from assistant.settings import Settings
from assistant.spoken import for_speech
from voice.audio import Audio
from voice.prompt_cache import PromptCache
from voice.tts import EspeakNG, Synthesizer, clamp_rate

CACHE_BYTES = 32 * 2**20  # about 12 minutes of 22.05 kHz speech, in memory and again on disk


@lru_cache(maxsize=1)
def fixed_texts() -> frozenset[str]:
    """Every sentence the assistant, the voice layer and the phone line say word for word, without
    anything filled in: the only texts that are both worth caching and certain to be no one's data."""
    from actions.messages import TEXTS
    from voice.phone.menu import PHONE_PROMPTS
    from voice.prompts import PROMPTS
    return frozenset(text.strip() for table in (TEXTS, PROMPTS, PHONE_PROMPTS) for texts in table.values()
                     for text in texts.values() if "{" not in text)


class Speaker:
    """Speaks replies in Georgian or English at a rate and volume."""

    def __init__(self, synthesizer: Synthesizer, cache_dir: Path | None = None, cache_items: int = 256,
                 cache_bytes: int = CACHE_BYTES) -> None:
        self.synthesizer = synthesizer
        self.cache = PromptCache(cache_dir, cache_items, cache_bytes)
        self.hits = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> "Speaker":
        return cls(EspeakNG(settings.voice_ka_gain_db), settings.data_dir / "voice-cache", settings.voice_cache_items)

    def speak(self, text: str, lang: str, rate: float, volume: float = 1.0) -> Audio:
        """The reply as audio; ``text`` may hold numbers, money, dates, URLs: for_speech handles them."""
        spoken = for_speech(text, lang)
        if text.strip() not in fixed_texts():
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
