"""Speech synthesis: one interface, espeak-ng behind it.

espeak-ng is called directly (`--stdout`), not through pyttsx3: measured here, a direct call takes
about 33 ms for a 6-second sentence, is independent per call (no shared engine loop, so no
finished-utterance race and no wrong-rate carry-over between calls) and prints nothing of its own;
pyttsx3's in-process engine was faster (12 ms) but is one global loop per process and writes
"Audio saved" to stdout. See docs/benchmarks.md, Voice."""
from __future__ import annotations

import shutil
import subprocess
from typing import Protocol

from voice.audio import Audio, AudioError, read_wav

MIN_RATE, MAX_RATE, DEFAULT_RATE = 80, 450, 175
VOICES = {"ka": "ka", "en": "en-us"}


class TTSUnavailable(RuntimeError):
    """The synthesiser cannot run on this machine; the message says what to install."""


class Synthesizer(Protocol):
    name: str

    def synthesize(self, text: str, lang: str, rate: int, volume: float) -> Audio:
        """Speak text that is already fit for speech (see assistant.spoken.for_speech)."""


def clamp_rate(rate: float) -> int:
    return int(min(MAX_RATE, max(MIN_RATE, rate)))


class EspeakNG:
    """espeak-ng as a subprocess: 22.05 kHz mono, Georgian and US English voices."""

    name = "espeak-ng"

    def __init__(self, ka_gain_db: float = -3.0, binary: str = "espeak-ng") -> None:
        found = shutil.which(binary)
        if not found:
            raise TTSUnavailable("espeak-ng is not installed: run scripts/bootstrap.sh (apt-get install espeak-ng).")
        self.binary = found
        self.gains = {"ka": 10 ** (ka_gain_db / 20), "en": 1.0}

    def synthesize(self, text: str, lang: str, rate: int, volume: float) -> Audio:
        # Amplitude is set inside espeak-ng, before its output stage, so a quieter Georgian voice
        # does not clip; scaling the finished samples afterwards could not undo clipping.
        amplitude = round(max(0.0, min(2.0, volume)) * self.gains[lang] * 100)
        command = [self.binary, "-v", VOICES[lang], "-s", str(clamp_rate(rate)), "-a", str(amplitude),
                   "-b", "1", "--stdin", "--stdout"]  # -b 1: the text is UTF-8
        done = subprocess.run(command, input=text.encode("utf-8"), capture_output=True, timeout=60)
        if done.returncode != 0:
            raise TTSUnavailable(f"espeak-ng failed: {done.stderr.decode(errors='replace').strip()}")
        try:
            return read_wav(done.stdout)
        except AudioError:
            return Audio.from_pcm(b"", 22050)  # nothing to say (only punctuation): silence
