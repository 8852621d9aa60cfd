"""`assistant up` (what `make run` calls): start every part on embedded defaults, stop them all on Ctrl-C."""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from assistant.phone import sip_address, sip_alive
from assistant.ports import PortInUse, ensure_free
from assistant.rasa_runtime import RASA_ENV, action_server_command, ensure_model, rasa_server_command
from assistant.settings import Settings, get_settings


@dataclass(frozen=True)
class Part:
    name: str
    command: list[str]
    url: str
    health_url: str


def listeners(settings: Settings) -> list[tuple[str, str, int]]:
    """Each part's name and the address it listens on, checked before anything starts."""
    return [("The portal", settings.portal_host, settings.portal_port),
            ("The action server", settings.actions_host, settings.actions_port),
            ("The Rasa server", settings.rasa_host, settings.rasa_port),
            ("The web page", settings.web_host, settings.web_port)]


def parts(settings: Settings, model: Path) -> list[Part]:
    """The product's processes, in start order."""
    assistant = [sys.executable, "-m", "assistant.cli"]
    actions_base = settings.actions_url.rsplit("/", 1)[0]
    return [
        Part("Portal backend", assistant + ["portal"], f"{settings.portal_base_url}/docs", f"{settings.portal_base_url}/health"),
        Part("Action server", action_server_command(settings), settings.actions_url, f"{actions_base}/health"),
        Part("Assistant (Rasa, REST channel)", rasa_server_command(settings, model),
             f"{settings.rasa_url}/webhooks/rest/webhook", f"{settings.rasa_url}/"),
        Part("Web page with the assistant (Georgian; English at /en/)", assistant + ["web"], f"{settings.web_url}/",
             f"{settings.web_url}/health"),
        Part("Phone line (SIP over UDP; call it with any SIP phone)", assistant + ["phone"], sip_address(settings),
             sip_address(settings)),
    ]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("up", help="start the whole product on embedded defaults (what `make run` calls)")
    parser.add_argument("--startup-timeout", type=float, default=180.0, help="seconds to wait for each part to answer")
    parser.set_defaults(func=run)


def _wait_healthy(part: Part, process: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            if part.health_url.startswith("sip:"):  # the phone line answers SIP OPTIONS, not HTTP
                host, port = part.health_url.split("@", 1)[1].rsplit(":", 1)
                if sip_alive(host, int(port)):
                    return True
            elif httpx.get(part.health_url, timeout=1.0).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    env = {**os.environ, **RASA_ENV}
    try:
        for name, host, port in listeners(settings):
            ensure_free(host, port, name)
        ensure_free(settings.phone_host, settings.phone_port, "The phone line", socket.SOCK_DGRAM)
    except PortInUse as exc:
        print(exc, file=sys.stderr)
        return 1
    # The REST channel's secret exists before anything starts, so `assistant chat` and `talk` can use it.
    settings.kept_secret("rest_secret")
    model = ensure_model(settings)
    processes: list[subprocess.Popen] = []
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        for part in parts(settings, model):
            process = subprocess.Popen(part.command, env=env, start_new_session=True)
            processes.append(process)
            if not _wait_healthy(part, process, args.startup_timeout):
                print(f"{part.name} did not start; see the messages above.", file=sys.stderr)
                return 1
            print(f"{part.name}: {part.url}", flush=True)
        print("Everything is running. Press Ctrl-C to stop.", flush=True)
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        print("A part stopped unexpectedly; stopping the rest.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping.", flush=True)
        return 0
    finally:
        _stop(processes)
