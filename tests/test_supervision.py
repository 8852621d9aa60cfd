"""`assistant up`'s supervision with real processes: no part or part's child outlives it, however it ends.

Starting the real product takes minutes here, so `assistant.up.serve` runs cheap stand-in parts: each
answers HTTP on one port and has a child of its own on another port. The stand-ins do nothing to help:
a part dies on SIGTERM without passing it on, and one part's child ignores SIGTERM.
"""
from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import psutil
import pytest

from basics.ports import PortInUse, ensure_free
from basics.processes import dying_with
from tests.servers import free_port

GRACE = 1.0  # seconds `serve` gives a part before SIGKILL: short, for the stubborn child
GRANDCHILD = """
import signal, socket, sys
if sys.argv[2] == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", int(sys.argv[1])))
listener.listen()
while True:
    signal.pause()
"""
PART = """
import http.server, subprocess, sys
subprocess.Popen([sys.executable, "-c", sys.argv[3], sys.argv[2], sys.argv[4]])
class Healthy(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Healthy).serve_forever()
"""
SUPERVISOR = """
import json, os, sys
from assistant.up import Part, serve
sys.exit(serve([Part(**part) for part in json.loads(sys.argv[1])], dict(os.environ), 30.0, float(sys.argv[2])))
"""


@dataclass
class Running:
    supervisor: psutil.Process
    process: subprocess.Popen[str]  # the supervisor, or the shell that started it in the background
    ports: list[int]
    descendants: list[psutil.Process]  # the parts, their children and the keeper
    parts: list[psutil.Process]  # in start order


def eventually(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.05)


def ended(process: psutil.Process) -> bool:
    """Gone, or a zombie (where process 1 does not reap orphans, their zombies stay; they hold no port)."""
    try:
        return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def port_free(port: int) -> bool:
    try:
        ensure_free("127.0.0.1", port, "a stand-in")  # what the next `assistant up` checks
        return True
    except PortInUse:
        return False


def assert_all_stopped(running: Running, seconds: float = GRACE + 5) -> None:
    eventually(lambda: all(ended(p) for p in running.descendants), seconds, "every part and child has ended")
    eventually(lambda: all(port_free(port) for port in running.ports), seconds, "every port is free")


@contextlib.contextmanager
def supervising(background: bool = False) -> Iterator[Running]:
    """Two stand-in parts under `serve`, until everything answers; whatever survives the test is killed."""
    ports = [free_port() for _ in range(4)]
    parts = [{"name": f"Part {n}", "command": [sys.executable, "-c", PART, str(ports[2 * n]), str(ports[2 * n + 1]),
                                               GRANDCHILD, kind],
              "url": f"http://127.0.0.1:{ports[2 * n]}/", "health_url": f"http://127.0.0.1:{ports[2 * n]}/"}
             for n, kind in enumerate(("plain", "stubborn"))]
    command = [sys.executable, "-c", SUPERVISOR, json.dumps(parts), str(GRACE)]
    if background:  # as a script's `assistant up &`: no terminal, stdin from /dev/null, SIGINT ignored
        command = ["sh", "-c", '"$@" & wait $!', "sh", *command]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=background)
    descendants: list[psutil.Process] = []
    try:
        for line in process.stdout:  # type: ignore[union-attr]
            if line.startswith("Everything is running."):
                break
        else:
            raise AssertionError(f"the supervisor ended early: {process.communicate(timeout=10)}")
        supervisor = psutil.Process(process.pid)
        if background:
            supervisor = supervisor.children()[0]
        eventually(lambda: not any(port_free(port) for port in ports), 10, "every stand-in listens")
        descendants = supervisor.children(recursive=True)
        assert len(descendants) == 5, descendants  # two parts, their two children, the keeper
        started = sorted((p for p in descendants if p.cmdline()[1:3] == ["-c", PART]), key=psutil.Process.create_time)
        yield Running(supervisor, process, ports, descendants, started)
    finally:
        if process.poll() is None:
            process.kill()
        for leftover in descendants:
            with contextlib.suppress(psutil.NoSuchProcess):
                leftover.kill()
        process.communicate(timeout=10)


def test_a_killed_supervisor_takes_every_part_and_their_children_with_it() -> None:
    with supervising() as running:
        running.supervisor.kill()
        assert_all_stopped(running)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=lambda s: s.name)
def test_each_stop_signal_stops_everything_cleanly(signum: signal.Signals) -> None:
    with supervising() as running:
        running.supervisor.send_signal(signum)
        out, err = running.process.communicate(timeout=GRACE + 10)
        assert running.process.returncode == 0, err
        assert out == "\nStopping.\n" and err == ""
        assert_all_stopped(running, seconds=1)


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
def test_started_in_the_background_a_signal_still_stops_everything(signum: signal.Signals) -> None:
    with supervising(background=True) as running:
        running.supervisor.send_signal(signum)
        running.process.communicate(timeout=GRACE + 10)
        assert running.process.returncode == 0  # the shell's `wait` hands on the supervisor's exit code
        assert_all_stopped(running, seconds=1)


def test_a_part_that_ends_stops_the_rest_and_its_own_children() -> None:
    with supervising() as running:
        running.parts[0].kill()  # its child is left behind in its group
        _out, err = running.process.communicate(timeout=GRACE + 10)
        assert running.process.returncode == 1
        assert err == "A part stopped unexpectedly; stopping the rest.\n"
        assert_all_stopped(running, seconds=1)


def test_the_parts_end_with_the_supervisor_even_without_the_keeper() -> None:
    with supervising() as running:
        keeper = next(p for p in running.supervisor.children() if p not in running.parts)
        keeper.kill()
        eventually(lambda: ended(keeper), 5, "the keeper has ended")
        running.supervisor.kill()
        eventually(lambda: all(ended(part) for part in running.parts), 5, "PR_SET_PDEATHSIG ended the parts")


def test_a_child_whose_parent_died_before_it_could_be_told_ends_at_once() -> None:
    not_its_parent = psutil.Process().ppid()
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"],
                             preexec_fn=dying_with(not_its_parent))  # noqa: PLW1509 (no threads here)
    assert child.wait(timeout=5) == -signal.SIGKILL
