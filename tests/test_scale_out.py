"""Scale-out mode: two Rasa replicas share conversations through the PostgreSQL tracker store and the
Redis lock store, so every message may land on either replica and nothing is lost."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from assistant.rasa_runtime import ensure_model, rasa_server_command
from basics.settings import load_settings
from tests.conftest import GIORGI, PHONE_PINS, SIGNING_PINS, Portal
from tests.servers import free_port, postgres_database
from tests.stack import Process, Stack

pytestmark = pytest.mark.e2e


def test_a_conversation_alternating_between_two_replicas(tmp_path: Path) -> None:
    with postgres_database() as tracker_db:
        stack = Stack(tmp_path, MYGOV_TRACKER_DB_URL=tracker_db,
                      MYGOV_LOCK_STORE_URL=f"redis://127.0.0.1:6379/{random.randint(1, 15)}")
        env_b = {**stack.env, "MYGOV_RASA_PORT": str(free_port())}
        settings_b = load_settings(env_b)
        replica_b = Process("rasa-b", rasa_server_command(settings_b, ensure_model(settings_b, quiet=True)), env_b,
                            f"{settings_b.rasa_url}/", tmp_path)
        try:
            stack.start()
            replica_b.start()
            a = stack.conversation()
            b = stack.conversation()
            b.sender = a.sender
            b.webhook = f"{settings_b.rasa_url}/webhooks/rest/webhook"

            assert "personal number" in a.say("I want to change my address") + b.say("yes")
            a.say(GIORGI)
            assert "Hello, Giorgi" in b.say(PHONE_PINS[GIORGI])
            assert "Noted: Zugdidi, Rustaveli street 2" in a.say("Zugdidi, Rustaveli street 2")
            assert "Noted: Permanent" in b.say("1")
            assert "Noted: yes" in a.say("yes")
            assert "Let us check your answers" in b.say("skip")
            assert "signing PIN" in a.say("yes")
            assert "cannot be undone" in b.say(SIGNING_PINS[GIORGI])
            assert "registration number" in a.say("yes")
            assert "125 lari and 40 tetri" in b.say("how much tax do I owe?")

            portal = Portal(stack.settings.portal_base_url, tmp_path)
            apps = portal.http.get("/v1/applications", params={"status": "submitted"}, headers=portal.login(GIORGI)).json()
            assert [a["fields"]["new_address"] for a in apps["applications"]] == ["Zugdidi, Rustaveli street 2"]
        finally:
            replica_b.stop()
            stack.stop()
