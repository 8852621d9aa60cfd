"""The whole product as real processes for end-to-end tests: portal, action server and Rasa server,
each on a free port, each stoppable and restartable, sharing one temporary data directory."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx

from assistant.rasa_runtime import RASA_ENV, action_server_command, ensure_model, rasa_server_command
from basics.processes import terminate
from basics.settings import Settings, load_settings
from tests.servers import TEST_AGENCY_KEY, TEST_SECRET, free_port, wait_until_healthy


class Process:
    """One server process with its log, started and stopped on demand."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], health_url: str, log_dir: Path) -> None:
        self.name, self.command, self.env, self.health_url = name, command, env, health_url
        self.log = log_dir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 180.0) -> None:
        with open(self.log, "a") as out:
            self.process = subprocess.Popen(self.command, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        wait_until_healthy(self.health_url, self.process, self.log, timeout)

    def stop(self) -> None:
        if self.process:
            terminate(self.process)

    def restart(self) -> None:
        self.stop()
        self.start()


class Stack:
    """Portal + action server + Rasa, configured through the product's own settings."""

    def __init__(self, data_dir: Path, **overrides: str) -> None:
        ports = {"MYGOV_PORTAL_PORT": free_port(), "MYGOV_ACTIONS_PORT": free_port(), "MYGOV_RASA_PORT": free_port(),
                 "MYGOV_WEB_PORT": free_port()}
        self.env = {**os.environ, **RASA_ENV, "PYTHONUNBUFFERED": "1", "MYGOV_DATA_DIR": str(data_dir),
                    "MYGOV_SECRET_KEY": TEST_SECRET, "MYGOV_AGENCY_API_KEY": TEST_AGENCY_KEY,
                    "MYGOV_SETTINGS_FILE": str(data_dir / "none.yml"), "MYGOV_AGENCY_REPLY_DELAY_SECONDS": "3600",
                    "MYGOV_DEV_OUTBOX": "true",
                    **{k: str(v) for k, v in ports.items()}, **overrides}
        self.settings: Settings = load_settings(self.env)
        model = ensure_model(self.settings, quiet=True)
        actions_base = self.settings.actions_url.rsplit("/", 1)[0]
        self.portal = Process("portal", [sys.executable, "-m", "assistant.cli", "portal"], self.env,
                              f"{self.settings.portal_base_url}/health", data_dir)
        self.actions = Process("actions", action_server_command(self.settings), self.env, f"{actions_base}/health", data_dir)
        self.rasa = Process("rasa", rasa_server_command(self.settings, model), self.env, f"{self.settings.rasa_url}/", data_dir)
        self.web = Process("web", [sys.executable, "-m", "assistant.cli", "web"], self.env, f"{self.settings.web_url}/health", data_dir)
        self.webhook = f"{self.settings.rasa_url}/webhooks/rest/webhook"
        self.parts = [self.portal, self.actions, self.rasa]

    def with_web(self) -> "Stack":
        """Also serve the web pages with the widget and its speech endpoints, as `make run` does."""
        self.parts.append(self.web)
        return self

    def start(self) -> "Stack":
        for part in self.parts:
            part.start()
        return self

    def stop(self) -> None:
        for part in reversed(self.parts):
            part.stop()

    @property
    def rest_secret(self) -> str:
        return self.settings.kept_secret("rest_secret")

    def conversation(self, token: str | None = None) -> "Conversation":
        return Conversation(self.webhook, self.rest_secret, token)


class Conversation:
    """One user talking to the assistant over the REST channel, as a trusted back end does."""

    def __init__(self, webhook: str, secret: str, token: str | None = None) -> None:
        self.webhook, self.token = webhook, token
        self.sender = f"test-{uuid.uuid4().hex[:12]}"
        self.http = httpx.Client(timeout=120, headers={"Authorization": f"Bearer {secret}"})

    def send(self, text: str) -> list[dict]:
        """Send one message; return what the REST channel delivered (texts, buttons, reply hints)."""
        body: dict = {"sender": self.sender, "message": text}
        if self.token:
            body["metadata"] = {"portal_token": self.token}
        response = self.http.post(self.webhook, json=body)
        response.raise_for_status()
        return response.json()

    def say(self, text: str) -> str:
        """Send one message; return everything the assistant answered, one reply per line."""
        return "\n".join(m["text"] for m in self.send(text) if m.get("text"))
