"""Synthetic users for tests, demos and the benchmark: English speech from flite's recorded-voice
models (closer to a person than espeak-ng, whose formant speech the English acoustic model mostly
fails on), Georgian from espeak-ng (the only Georgian voice there is), and phone-line degradation."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from voice.audio import PHONE_RATE, Audio, read_wav, resample, ulaw_wav_bytes
from voice.tts import EspeakNG

FLITE_VOICES = ("rms", "slt", "awb", "kal16")


def user_says(text: str, voice: str = "rms") -> Audio:
    """An English utterance in one of FLITE_VOICES, or Georgian with voice="ka" (espeak-ng)."""
    if voice == "ka":
        return EspeakNG().synthesize(text, "ka", 150, 1.0)
    if not shutil.which("flite"):
        raise RuntimeError("flite is not installed: run scripts/bootstrap.sh")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "u.wav"
        subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(out)], check=True, capture_output=True)
        return read_wav(out)


def over_the_phone(audio: Audio) -> Audio:
    """What the same speech sounds like after an 8 kHz mu-law telephone line."""
    return read_wav(ulaw_wav_bytes(resample(audio, PHONE_RATE)))
