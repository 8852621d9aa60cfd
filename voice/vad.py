"""Where the user's speech starts and ends (webrtcvad), and whether a sound is only noise.

The endpointer is the same for a file and a live microphone: frames go in one at a time, and the
turn ends after `end_of_speech_ms` of silence that follows real speech."""
from __future__ import annotations

import numpy as np
import webrtcvad

from voice.audio import ASR_RATE, Audio, resample

FRAME_MS = 20
FRAME_SAMPLES = ASR_RATE * FRAME_MS // 1000
MIN_SPEECH_MS = 160  # shorter bursts (a click, a cough) do not start a turn
PAD_MS = 200  # kept around the speech so the recogniser hears its onset and tail
NOISE_FLATNESS = 0.35  # median spectral flatness above this: hiss or static, not a voice


class Endpointer:
    """Feed 20 ms frames of 16 kHz audio; `ended` turns true at the end of the user's speech."""

    def __init__(self, mode: int = 2, end_of_speech_ms: int = 700) -> None:
        self._vad = webrtcvad.Vad(mode)
        self._end_frames = max(1, end_of_speech_ms // FRAME_MS)
        self._min_frames = MIN_SPEECH_MS // FRAME_MS
        self.frames = 0
        self.first_speech: int | None = None  # frame index where the speech began
        self.last_speech: int | None = None
        self._run = 0  # consecutive speech frames; a run this long confirms speech started
        self.ended = False

    def feed(self, frame: bytes) -> bool:
        """Take one frame; True once the end of speech has been reached."""
        if self.ended:
            return True
        speech = self._vad.is_speech(frame, ASR_RATE)
        if speech:
            self._run += 1
            if self.first_speech is None and self._run >= self._min_frames:
                self.first_speech = self.frames - self._run + 1
            self.last_speech = self.frames
        else:
            self._run = 0
            if self.first_speech is not None and self.frames - (self.last_speech or 0) >= self._end_frames:
                self.ended = True
        self.frames += 1
        return self.ended


def frames(audio: Audio) -> list[bytes]:
    """Whole 20 ms frames of the audio at 16 kHz (a trailing partial frame is dropped)."""
    pcm = resample(audio, ASR_RATE).pcm
    step = FRAME_SAMPLES * 2
    return [pcm[i:i + step] for i in range(0, len(pcm) - step + 1, step)]


def first_utterance(audio: Audio, mode: int = 2, end_of_speech_ms: int = 700) -> Audio | None:
    """The first stretch of speech at 16 kHz, with a little silence around it; None if nobody spoke."""
    endpointer = Endpointer(mode, end_of_speech_ms)
    chunks = frames(audio)
    for chunk in chunks:
        if endpointer.feed(chunk):
            break
    if endpointer.first_speech is None or endpointer.last_speech is None:
        return None
    pad = PAD_MS // FRAME_MS
    start, end = max(0, endpointer.first_speech - pad), min(len(chunks), endpointer.last_speech + 1 + pad)
    return Audio.from_pcm(b"".join(chunks[start:end]), ASR_RATE)


def is_noise(audio: Audio) -> bool:
    """True for hiss, static or a fan: a flat spectrum in most frames, which no voice has."""
    samples = resample(audio, ASR_RATE).samples.astype(np.float64)
    usable = len(samples) // 512 * 512
    if not usable:
        return False
    blocks = samples[:usable].reshape(-1, 512) * np.hanning(512)
    power = np.abs(np.fft.rfft(blocks, axis=1))[:, 1:] ** 2 + 1e-9
    flatness = np.exp(np.log(power).mean(axis=1)) / power.mean(axis=1)
    loud = blocks.std(axis=1) > 100  # near-silent blocks say nothing either way
    return bool(loud.any() and np.median(flatness[loud]) > NOISE_FLATNESS)
