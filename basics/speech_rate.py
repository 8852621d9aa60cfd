"""Speech rate in words per minute: one range and one step for every part that speaks.

Blind users often listen at 300-450 wpm (field notes, section 2), so the range goes that high. The
portal's preference schema, the synthesisers, the dialogue's "slower"/"faster" and the web widget
(through its script tag, assistant/web/pages.py) all take the range from here; Rasa's domain.yml
repeats it for the `speech_rate` slot, held equal by tests/test_speech_rate_range.py.
"""
from __future__ import annotations

DEFAULT_RATE, MIN_RATE, MAX_RATE, RATE_STEP = 175, 80, 450, 25


def clamp_rate(rate: float) -> int:
    """The rate kept within the range, in whole words a minute."""
    return int(min(MAX_RATE, max(MIN_RATE, rate)))


def stepped(rate: float, direction: int) -> int:
    """The rate one step slower (direction -1) or faster (+1), kept within the range."""
    return clamp_rate(rate + direction * RATE_STEP)
