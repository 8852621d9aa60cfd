"""Child processes that end with their parent, and stopping them politely, then firmly (Linux).

Used by `assistant up` (through assistant/supervisor.py), the tests and the benchmarks.
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterable
from typing import Any

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
POLL_SECONDS = 0.05


def terminate(process: subprocess.Popen[Any], timeout: float = 20.0) -> None:
    """SIGTERM, wait up to `timeout` seconds, then SIGKILL; returns once the process is gone."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def dying_with(parent: int) -> Callable[[], None]:
    """A `preexec_fn` after which the child gets SIGTERM when `parent` dies, however it dies (even SIGKILL).

    The kernel sends the signal when the thread that forked exits, so call Popen from the main thread.
    `parent` is read before the fork: if it already died in between, the child was reparented and the
    setting came too late, so the child ends itself before it runs anything. The setting is not
    inherited by the child's own children; they are reached through its process group (`stop_groups`).
    """
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork, not in the child

    def preexec() -> None:
        # Until exec the child still has the parent's Python handler, which would only note a SIGTERM.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if prctl(PR_SET_PDEATHSIG, signal.SIGTERM) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)

    return preexec


def live_groups() -> set[int]:
    """The process groups that have a live process, from /proc.

    Zombies do not count: they hold no port, and an orphan's zombie may never be reaped where
    process 1 does not reap (as in some containers), so `killpg(pgid, 0)` would see it forever.
    """
    groups = set()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                text = stat.read()
        except OSError:  # it ended while we looked
            continue
        state, _ppid, group = text[text.rindex(b")") + 2:].split()[:3]
        if state not in (b"Z", b"X"):
            groups.add(int(group))
    return groups


def signal_groups(pgids: Iterable[int], signum: int) -> None:
    """Send a signal to every process of each group; a group that is already empty is skipped."""
    for pgid in pgids:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signum)


def stop_groups(pgids: list[int], grace: float) -> None:
    """SIGTERM every process of each group, wait up to `grace` seconds for all to end, then SIGKILL the rest.

    Whole groups, not only their leaders: a part's own children (server workers) end with it even when
    the part does not pass the signal on, or died first and left them behind.
    """
    signal_groups(pgids, signal.SIGTERM)
    deadline = time.monotonic() + grace
    left = pgids
    while True:
        live = live_groups()
        left = [pgid for pgid in left if pgid in live]
        if not left or time.monotonic() >= deadline:
            break
        time.sleep(POLL_SECONDS)
    signal_groups(left, signal.SIGKILL)
