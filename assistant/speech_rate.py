"""Speech rate in words per minute: one range and one step for every part that speaks.

Blind users often listen at 300-450 wpm (field notes, section 2), so the range goes that high.
"""
from __future__ import annotations

DEFAULT_RATE, MIN_RATE, MAX_RATE, RATE_STEP = 175, 80, 450, 25


def stepped(rate: float, direction: int) -> int:
    """The rate one step slower (direction -1) or faster (+1), kept within the range."""
    return int(min(MAX_RATE, max(MIN_RATE, rate + direction * RATE_STEP)))
