"""Short non-speech sounds that tell a blind user what the assistant is doing without words:
"listening" (a rising two-note chime: speak now) and "working" (two soft low ticks: wait)."""
from __future__ import annotations

import numpy as np

from voice.audio import Audio

RATE = 22050


def _tone(freq: float, ms: int, level: float) -> np.ndarray:
    t = np.arange(int(RATE * ms / 1000)) / RATE
    envelope = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)  # 10 ms fades: no clicks
    return level * envelope * np.sin(2 * np.pi * freq * t)


def _join(*parts: np.ndarray) -> Audio:
    return Audio((np.concatenate(parts) * 32767).astype(np.int16), RATE)


def listening() -> Audio:
    return _join(_tone(660, 90, 0.3), _tone(990, 120, 0.3))


def working() -> Audio:
    gap = np.zeros(int(RATE * 0.12))
    return _join(_tone(440, 40, 0.2), gap, _tone(440, 40, 0.2))


EARCONS = {"listening": listening, "working": working}
