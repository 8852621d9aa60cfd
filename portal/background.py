"""Work the portal does on its own, again and again: the simulated agency, the retention sweep."""
from __future__ import annotations

import asyncio
import logging
from typing import Callable

log = logging.getLogger("portal")


async def every(seconds: float, work: Callable[[], int], done: str) -> None:
    """Run `work` in a thread every `seconds` for ever; log `done` with its count when it did something.

    A failed pass is logged and the next one tried: the loop must outlive a database hiccup.
    """
    while True:
        try:
            count = await asyncio.to_thread(work)
            if count:
                log.info(done, count)
        except Exception:
            log.exception("background pass failed (%s)", done.split(" %", 1)[0])
        await asyncio.sleep(seconds)
