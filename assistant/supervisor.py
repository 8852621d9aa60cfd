"""Run the product's parts so that none outlives `assistant up`, however it ends (Linux).

Each part runs in a process group of its own, so a stop reaches its own children (server workers)
too, and the kernel sends it SIGTERM when `assistant up` dies (PR_SET_PDEATHSIG). That signal
reaches only the part, not its children, so a keeper process in a session of its own holds a pipe
from `assistant up`: when the pipe closes without a goodbye (SIGKILL, a crash), the keeper stops
the parts' whole groups. SIGTERM, SIGINT and SIGHUP get handlers instead of their defaults, so each
stops everything cleanly, also when a shell started `assistant up` in the background with SIGINT
ignored.
"""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from types import FrameType, TracebackType
from typing import Any, final

from basics.processes import POLL_SECONDS, dying_with, stop_groups

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
STOP_GRACE_SECONDS = 10.0
GOODBYE = b"done\n"


@final
class Supervisor:
    """Start parts, wait until a stop signal arrives or a part ends, stop them all on leaving the `with`."""

    _keeper: subprocess.Popen[bytes]
    _to_keeper: int  # the pipe's writing end; it closes when this process ends, however it ends

    def __init__(self, grace: float = STOP_GRACE_SECONDS) -> None:
        self.grace = grace
        self.signalled: int | None = None
        self.processes: list[subprocess.Popen[bytes]] = []
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> Supervisor:
        for signum in STOP_SIGNALS:
            if signum == signal.SIGHUP and signal.getsignal(signum) == signal.SIG_IGN:
                continue  # started under nohup: asked to outlive the terminal
            self._previous[signum] = signal.signal(signum, self._note_signal)
        from_supervisor, self._to_keeper = os.pipe()  # not inherited by the parts, so only our end counts
        self._keeper = subprocess.Popen([sys.executable, "-m", __name__, str(self.grace)], stdin=from_supervisor,
                                        start_new_session=True)
        os.close(from_supervisor)
        return self

    def _note_signal(self, signum: int, _frame: FrameType | None) -> None:
        """Only noted: raising here could interrupt a start between Popen and the bookkeeping."""
        self.signalled = signum

    def start(self, command: list[str], env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes]:
        """Start one part in a process group of its own that ends with this process."""
        # preexec_fn is safe here: `assistant up` runs no other threads.
        process = subprocess.Popen(command, env=env, start_new_session=True,
                                   preexec_fn=dying_with(os.getpid()))  # noqa: PLW1509
        self.processes.append(process)
        self._tell_keeper(f"{process.pid}\n".encode())
        return process

    def wait(self) -> int | None:
        """The stop signal that arrived, or None as soon as a part has ended."""
        while self.signalled is None:
            if any(process.poll() is not None for process in self.processes):
                return None
            time.sleep(POLL_SECONDS)
        return self.signalled

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        stop_groups([process.pid for process in self.processes], self.grace)
        for process in self.processes:
            process.wait()
        self._tell_keeper(GOODBYE)
        os.close(self._to_keeper)
        self._keeper.wait()
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)

    def _tell_keeper(self, line: bytes) -> None:
        """A keeper that was killed leaves the parts to PR_SET_PDEATHSIG; that is no reason to fail."""
        with contextlib.suppress(BrokenPipeError):
            os.write(self._to_keeper, line)


def keep(grace: float) -> None:
    """The keeper: note the parts' groups from the pipe; if it closes without a goodbye, stop them."""
    groups = []
    for line in sys.stdin.buffer:
        if line == GOODBYE:
            return
        groups.append(int(line))
    stop_groups(groups, grace)


if __name__ == "__main__":
    keep(float(sys.argv[1]))
