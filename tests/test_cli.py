"""The `assistant` command as a user meets it: help, the portal alone, demo reset, `up` and Ctrl-C."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import psutil
import pytest

from tests.conftest import GIORGI, PHONE_PINS
from tests.servers import free_port, portal_process

pytestmark = pytest.mark.e2e

ASSISTANT = [sys.executable, "-m", "assistant.cli"]


def env_for(data_dir: Path, **settings: str) -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1", "MYGOV_DATA_DIR": str(data_dir),
            "MYGOV_SETTINGS_FILE": str(data_dir / "none.yml"), **{f"MYGOV_{k.upper()}": v for k, v in settings.items()}}


def test_help_lists_the_subcommands() -> None:
    out = subprocess.run(ASSISTANT + ["--help"], capture_output=True, text=True, check=True).stdout
    for command in ("up", "portal", "catalog", "train", "chat"):
        assert command in out
    portal_help = subprocess.run(ASSISTANT + ["portal", "--help"], capture_output=True, text=True, check=True).stdout
    for option in ("--host", "--port", "--database-url", "--reset-demo"):
        assert option in portal_help


def test_a_port_in_use_is_named(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for command in (["portal", "--port", str(port)], ["up"]):
            result = subprocess.run(ASSISTANT + command, capture_output=True, text=True, timeout=60,
                                    env=env_for(tmp_path, portal_port=str(port)))
            assert result.returncode == 1
            assert f"port {port}" in result.stderr and "already in use" in result.stderr
            assert "Traceback" not in result.stderr


def test_reset_demo_restores_the_initial_state(tmp_path: Path) -> None:
    with portal_process(tmp_path) as base:
        http = httpx.Client(base_url=base)
        token = http.post("/v1/auth/phone-pin", json={"personal_number": GIORGI, "pin": PHONE_PINS[GIORGI]}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        message = http.get("/v1/inbox", headers=headers).json()["messages"][0]["id"]
        http.post(f"/v1/inbox/{message}/read", headers=headers)
        assert http.get("/v1/inbox", headers=headers).json()["unread"] == 1
    reset = subprocess.run(ASSISTANT + ["portal", "--reset-demo"], capture_output=True, text=True, env=env_for(tmp_path), timeout=60)
    assert reset.returncode == 0 and "initial state" in reset.stdout
    with portal_process(tmp_path) as base:
        http = httpx.Client(base_url=base)
        token = http.post("/v1/auth/phone-pin", json={"personal_number": GIORGI, "pin": PHONE_PINS[GIORGI]}).json()["access_token"]
        assert http.get("/v1/inbox", headers={"Authorization": f"Bearer {token}"}).json()["unread"] == 2


def test_up_prints_where_to_reach_each_part_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(ASSISTANT + ["up"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=env_for(tmp_path, portal_port=str(port), actions_port=str(free_port()),
                                           rasa_port=str(free_port()), phone_port=str(free_port()),
                                           web_port=str(free_port())))
    lines = []
    for line in process.stdout:  # type: ignore[union-attr]
        lines.append(line)
        if "Press Ctrl-C" in line:
            break
    assert any(f"http://127.0.0.1:{port}" in line for line in lines), lines
    assert any("Assistant (Rasa, REST channel): http://127.0.0.1:" in line for line in lines), lines
    assert any("Web page with the assistant (Georgian; English at /en/): http://127.0.0.1:" in line for line in lines), lines
    assert any("Phone line (SIP over UDP; call it with any SIP phone): sip:assistant@127.0.0.1:" in line for line in lines), lines
    assert httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200
    children = psutil.Process(process.pid).children(recursive=True)
    assert children
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    gone, alive = psutil.wait_procs(children, timeout=15)
    assert not alive
    try:
        httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
        raise AssertionError("the portal still answers after Ctrl-C")
    except httpx.TransportError:
        pass
