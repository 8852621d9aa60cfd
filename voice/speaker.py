"""From a reply to audio: make the text speakable, synthesise it, and keep repeated prompts.

Prompts repeat all the time ("Please say yes or no.", help, errors), so each synthesis is kept in
memory (least recently used first out) and on disk, keyed by engine, language, rate, volume and the
spoken text."""
from __future__ import annotations

import hashlib
from collections import OrderedDict
from pathlib import Path

from assistant.settings import Settings
from assistant.spoken import for_speech
from voice.audio import Audio, read_wav, wav_bytes
from voice.tts import EspeakNG, Synthesizer, clamp_rate


class Speaker:
    """Speaks replies in Georgian or English at a rate and volume."""

    def __init__(self, synthesizer: Synthesizer, cache_dir: Path | None = None, cache_items: int = 256) -> None:
        self.synthesizer, self.cache_dir, self.cache_items = synthesizer, cache_dir, cache_items
        self._memory: OrderedDict[str, Audio] = OrderedDict()
        self.hits = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> "Speaker":
        return cls(EspeakNG(settings.voice_ka_gain_db), settings.data_dir / "voice-cache", settings.voice_cache_items)

    def speak(self, text: str, lang: str, rate: float, volume: float = 1.0) -> Audio:
        """The reply as audio; ``text`` may hold numbers, money, dates, URLs: for_speech handles them."""
        spoken = for_speech(text, lang)
        key = hashlib.sha256(f"{self.synthesizer.name}|{lang}|{clamp_rate(rate)}|{volume:.2f}|{spoken}"
                             .encode()).hexdigest()
        audio = self._memory.get(key) or self._from_disk(key)
        if audio is None:
            audio = self.synthesizer.synthesize(spoken, lang, clamp_rate(rate), volume)
            self._to_disk(key, audio)
        else:
            self.hits += 1
        self._memory[key] = audio
        self._memory.move_to_end(key)
        while len(self._memory) > self.cache_items:
            self._memory.popitem(last=False)
        return audio

    def _from_disk(self, key: str) -> Audio | None:
        path = self.cache_dir / f"{key}.wav" if self.cache_dir else None
        return read_wav(path) if path and path.is_file() else None

    def _to_disk(self, key: str, audio: Audio) -> None:
        if self.cache_dir:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = self.cache_dir / f"{key}.tmp"
            tmp.write_bytes(wav_bytes(audio))
            tmp.replace(self.cache_dir / f"{key}.wav")  # atomic: a reader never sees half a file
