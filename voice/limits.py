"""How often one source may ask for something costly (an INVITE on the phone line, a synthesis or a
recognition on the web): a sliding one-minute window per source address, so one source cannot take
the capacity every caller shares. The table of sources is bounded, so a flood of forged addresses
cannot fill memory either."""
from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from typing import Callable

WINDOW_SECONDS = 60.0
MAX_SOURCES = 10_000  # sources remembered at once; the longest quiet is forgotten first


class PerSourceLimit:
    """At most ``per_minute`` admissions per source in any sliding minute (0 or less: no limit)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute, self.clock = per_minute, clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def admit(self, source: str) -> int:
        """0 when ``source`` may go ahead (and it is counted); else the whole seconds until it may."""
        if self.per_minute <= 0:
            return 0
        now = self.clock()
        times = self._seen.pop(source, None) or deque()
        while times and times[0] <= now - WINDOW_SECONDS:
            times.popleft()
        self._seen[source] = times  # most recently seen last
        while len(self._seen) > MAX_SOURCES:
            self._seen.popitem(last=False)
        if len(times) >= self.per_minute:
            return max(1, math.ceil(times[0] + WINDOW_SECONDS - now))
        times.append(now)
        return 0
