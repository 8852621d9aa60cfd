"""Compressed audio (WebM/Opus from browsers, OGG/Opus from messengers, MP3...) to our WAV and back,
through ffmpeg: no Python Opus decoder is as complete, and ffmpeg is one Debian package."""
from __future__ import annotations

import shutil
import subprocess

from voice.audio import Audio, AudioError, read_wav, wav_bytes

TIMEOUT_SECONDS = 30


def _ffmpeg(arguments: list[str], data: bytes) -> bytes:
    binary = shutil.which("ffmpeg")
    if not binary:
        raise AudioError("ffmpeg is not installed: run scripts/bootstrap.sh (apt-get install ffmpeg).")
    try:
        done = subprocess.run([binary, "-hide_banner", "-loglevel", "error", "-nostdin", *arguments],
                              input=data, capture_output=True, timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired as exc:
        raise AudioError("the audio took too long to convert") from exc
    if done.returncode != 0 or not done.stdout:
        raise AudioError("the audio could not be read: " + done.stderr.decode(errors="replace").strip()[:200])
    return done.stdout


def decode(data: bytes, rate: int = 16000, max_seconds: float | None = None) -> Audio:
    """Any container and codec ffmpeg knows, as mono 16-bit audio at `rate`."""
    if not data:
        raise AudioError("the recording is empty")
    limit = ["-t", str(max_seconds + 1)] if max_seconds else []
    wav = _ffmpeg(["-i", "pipe:0", *limit, "-ac", "1", "-ar", str(rate), "-c:a", "pcm_s16le", "-f", "wav", "pipe:1"], data)
    return read_wav(wav, max_seconds=max_seconds)


def encode_ogg_opus(audio: Audio) -> bytes:
    """A voice note as messengers expect it: OGG container, Opus codec."""
    return _ffmpeg(["-f", "wav", "-i", "pipe:0", "-c:a", "libopus", "-b:a", "32k", "-f", "ogg", "pipe:1"], wav_bytes(audio))
