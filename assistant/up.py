"""`assistant up` (what `make run` calls): start every part on embedded defaults, stop them all on Ctrl-C.

How the parts are kept from outliving it: assistant/supervisor.py.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from assistant.phone import sip_address, sip_alive
from assistant.rasa_runtime import RASA_ENV, action_server_command, ensure_model, rasa_server_command
from assistant.supervisor import STOP_GRACE_SECONDS, Supervisor
from basics.ports import PortInUse, ensure_free
from basics.settings import Settings, get_settings


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
        Part("Portal backend", assistant + ["portal"], f"{settings.portal_base_url}/docs",
             f"{settings.portal_base_url}/health"),
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


def _wait_healthy(part: Part, process: subprocess.Popen[bytes], timeout: float, supervisor: Supervisor) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and supervisor.signalled is None:
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


def _stopping() -> int:
    with contextlib.suppress(OSError):  # after SIGHUP the terminal may be gone; stopping matters more
        print("\nStopping.", flush=True)
    return 0


def serve(parts: list[Part], env: dict[str, str], startup_timeout: float, grace: float = STOP_GRACE_SECONDS) -> int:
    """Start the parts in order, each once the one before answers; run until a stop signal or until a part ends.

    Separate from `run` so the supervision can be tested with cheap stand-in parts.
    """
    with Supervisor(grace) as supervisor:
        for part in parts:
            process = supervisor.start(part.command, env)
            healthy = _wait_healthy(part, process, startup_timeout, supervisor)
            if supervisor.signalled is not None:
                return _stopping()
            if not healthy:
                print(f"{part.name} did not start; see the messages above.", file=sys.stderr)
                return 1
            print(f"{part.name}: {part.url}", flush=True)
        print("Everything is running. Press Ctrl-C to stop.", flush=True)
        if supervisor.wait() is None:
            print("A part stopped unexpectedly; stopping the rest.", file=sys.stderr)
            return 1
        return _stopping()


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
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
    return serve(parts(settings, model), {**os.environ, **RASA_ENV}, args.startup_timeout)
