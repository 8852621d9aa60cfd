"""Knowing a conversation id gives no one a citizen's data, on any channel, and nothing a citizen typed
or was given to log in (portal token, PIN, personal number) is kept in the conversation store.

Real servers: portal, action server and Rasa with the product's channels; a plain socket.io client
plays the attacker's browser, the REST channel a trusted back end (the phone line, the terminal chat)."""
from __future__ import annotations

import asyncio
import json
import os
import re
import sqlite3
import stat
import time
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest
import socketio

from tests.conftest import GIORGI, NINO, PHONE_PINS, Portal, settings_of
from tests.stack import Stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def portal(stack: Stack) -> Portal:
    return Portal(stack.settings.portal_base_url, Path(stack.env["MYGOV_DATA_DIR"]))


class Browser:
    """One browser tab's socket.io connection: asks for a session, sends messages, hears replies."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = socketio.AsyncClient()
        self.replies: list[str] = []
        self.confirmed: asyncio.Future[dict[str, Any]] | None = None
        self.client.on("session_confirm", self._confirm)
        self.client.on("bot_uttered", lambda data: self.replies.append(data.get("text", "")))

    async def _confirm(self, data: dict[str, Any]) -> None:
        if self.confirmed is not None and not self.confirmed.done():
            self.confirmed.set_result(data)

    async def open(self, session_id: str | None = None, resume_secret: str | None = None) -> dict[str, Any]:
        self.confirmed = asyncio.get_running_loop().create_future()
        await self.client.connect(self.url, transports=["websocket"])
        await self.client.emit("session_request", {"session_id": session_id, "resume_secret": resume_secret})
        return await asyncio.wait_for(self.confirmed, 30)

    async def say(self, text: str, until: str, **extra: Any) -> str:
        """Send a message; wait for a reply containing `until`; return everything heard since sending."""
        start = len(self.replies)
        await self.client.emit("user_uttered", {"message": text, **extra})
        for _ in range(600):
            if any(until in reply for reply in self.replies[start:]):
                break
            await asyncio.sleep(0.05)
        return "\n".join(self.replies[start:])

    async def close(self) -> None:
        await self.client.disconnect()


def rest(stack: Stack, sender: str, text: str, secret: str | None = "", **body: Any) -> httpx.Response:
    headers = {} if secret is None else {"Authorization": f"Bearer {secret or stack.rest_secret}"}
    return httpx.post(stack.webhook, json={"sender": sender, "message": text, **body}, headers=headers, timeout=120)


def texts(response: httpx.Response) -> str:
    """What the assistant said, without the reply hints that follow each message."""
    return " ".join(message["text"] for message in response.json() if message.get("text"))


def strings_in(value: Any) -> Iterator[str]:
    """Every text in a stored event (numbers, such as timestamps and token offsets, are not what anyone typed)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def stored_events(stack: Stack) -> list[tuple[str, str]]:
    with sqlite3.connect(Path(stack.env["MYGOV_DATA_DIR"]) / "rasa_tracker.sqlite3") as db:
        return list(db.execute("SELECT sender_id, data FROM events"))


def test_the_rest_channel_admits_only_trusted_back_ends_and_stores_nothing_else(stack: Stack) -> None:
    for secret in (None, "wrong"):
        refused = rest(stack, "stranger-1", "how much tax do I owe?", secret=secret)
        assert refused.status_code == 401 and "secret" in refused.json()["message"]
    bad = httpx.post(stack.webhook, content=b"not json", timeout=30,
                     headers={"Authorization": f"Bearer {stack.rest_secret}", "Content-Type": "application/json"})
    assert bad.status_code == 400 and "sender" in bad.json()["message"]
    assert not [sender for sender, _ in stored_events(stack) if "stranger-1" in sender]


def test_a_web_session_cannot_be_joined_or_addressed_by_anyone_who_learns_its_id(stack: Stack, portal: Portal) -> None:
    token = portal.login(GIORGI)["Authorization"].split()[1]
    issued: list[str] = []

    async def scenario() -> None:
        victim, intruder = Browser(stack.settings.rasa_url), Browser(stack.settings.rasa_url)
        session = await victim.open()
        issued.extend((session["session_id"], session["resume_secret"]))
        assert len(session["session_id"]) >= 32 and session["resume_secret"]
        assert "125 lari" in await victim.say("how much tax do I owe?", "tetri", metadata={"portal_token": token})

        # The intruder asks for the victim's session id, without and with a guessed secret: a new, empty session.
        for guess in (None, "0" * 64):
            other = await intruder.open(session["session_id"], guess)
            assert other["session_id"] != session["session_id"]
            heard = await intruder.say("how much tax do I owe?", "log in", session_id=session["session_id"])
            assert "125" not in heard and "log in" in heard
            await intruder.close()
        # The victim heard none of the intruder's conversation.
        assert not any("log in" in reply for reply in victim.replies)

        # The victim's own tab resumes with its secret, still logged in.
        await victim.close()
        resumed = await victim.open(session["session_id"], session["resume_secret"])
        assert resumed["session_id"] == session["session_id"]
        assert "125 lari" in await victim.say("how much tax do I owe?", "tetri")
        await victim.close()

        # A trusted back end naming the web conversation on REST reaches a different conversation.
        for sender in (session["session_id"], f"web:{session['session_id']}"):
            answer = rest(stack, sender, "how much tax do I owe?").json()
            assert not any("125" in message.get("text", "") for message in answer)

    asyncio.run(scenario())
    logs = "".join(path.read_text(errors="replace") for path in Path(stack.env["MYGOV_DATA_DIR"]).glob("*.log"))
    assert logs and not any(secret in logs for secret in (*issued, token))


def test_a_phone_conversation_cannot_be_taken_over_from_the_web(stack: Stack) -> None:
    caller = "phone-" + os.urandom(16).hex()
    metadata = {"channel": "phone", "input": "keypad"}
    assert "personal number" in texts(rest(stack, caller, "how much tax do I owe?", metadata=metadata))
    rest(stack, caller, NINO, metadata=metadata)
    assert "no tax debt" in texts(rest(stack, caller, PHONE_PINS[NINO], metadata=metadata))

    async def intrude() -> str:
        intruder = Browser(stack.settings.rasa_url)
        session = await intruder.open(f"rest:{caller}")
        assert session["session_id"] != f"rest:{caller}"
        heard = await intruder.say("show my border crossings", "log in", session_id=f"rest:{caller}")
        await intruder.close()
        return heard

    heard = asyncio.run(intrude())
    assert "Sarpi" not in heard and "log in" in heard


def test_a_pin_said_in_a_sentence_logs_in_and_no_secret_is_stored_anywhere(stack: Stack, portal: Portal) -> None:
    token = portal.login(NINO)["Authorization"].split()[1]
    rest(stack, "token-user", "how much tax do I owe?", metadata={"portal_token": token})
    sender = "pin-user-" + os.urandom(8).hex()
    rest(stack, sender, "how much tax do I owe?")
    rest(stack, sender, f"my personal number is {GIORGI}")
    answer = texts(rest(stack, sender, f"my pin is {PHONE_PINS[GIORGI]}"))
    assert "Hello, Giorgi" in answer and "125 lari" in answer

    events = stored_events(stack)
    assert any(sender in event_sender for event_sender, _ in events)
    data_dir = Path(stack.env["MYGOV_DATA_DIR"])
    said = [text for _, data in events for text in strings_in(json.loads(data))]  # texts, slots, metadata
    for secret in (token, token.split(".")[2], GIORGI, PHONE_PINS[GIORGI]):
        assert not [text for text in said if re.search(rf"(?<!\d){re.escape(secret)}(?!\d)", text)], secret
    for path in data_dir.glob("*.sqlite3*"):
        if not path.name.startswith("portal"):  # the portal itself knows its citizens
            assert token.encode() not in path.read_bytes() and GIORGI.encode() not in path.read_bytes(), path.name
    for path in data_dir.iterdir():
        if path.is_file() and not path.name.endswith(".log"):
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path.name


def test_a_sealed_pin_copied_from_the_store_does_not_log_in_again(stack: Stack) -> None:
    sender = "replay-" + os.urandom(8).hex()
    rest(stack, sender, "how much tax do I owe?")
    rest(stack, sender, NINO)
    assert "no tax debt" in texts(rest(stack, sender, PHONE_PINS[NINO]))
    rest(stack, sender, "log out")
    sealed = [data for event_sender, data in stored_events(stack) if event_sender == f"rest:{sender}" and "sealed_pin" in data]
    assert sealed
    copied = json.loads(sealed[-1])["metadata"]
    rest(stack, sender, "how much tax do I owe?")
    rest(stack, sender, NINO)
    replayed = texts(rest(stack, sender, "[PIN]", metadata=copied))
    assert "no tax debt" not in replayed and "Hello" not in replayed


def test_the_action_server_answers_rasa_only_and_cors_lists_configured_origins(stack: Stack) -> None:
    call = {"next_action": "action_greet", "sender_id": "x", "tracker": {}, "domain": {}}
    assert httpx.post(stack.settings.actions_url, json=call, timeout=30).status_code == 401
    assert httpx.post(stack.settings.actions_url, json=call, headers={"Authorization": "Bearer guess"}, timeout=30).status_code == 401
    preflight = httpx.options(stack.webhook, headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
                              timeout=30)
    assert preflight.headers.get("access-control-allow-origin") not in ("https://evil.example", "*")


@pytest.fixture
def action_server_settings(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This test process sees the settings and kept secrets the running action server sees."""
    with settings_of(stack.env, monkeypatch):
        yield


def test_a_sealed_secret_opens_once_in_its_own_conversation_and_only_briefly(action_server_settings: None) -> None:
    from basics.keys import conversation_tag, kept_fernet
    from basics.sealing import message_text, seal, use_secret

    text, metadata = seal("my pin is 2468", {"sealed_pin": "forged"}, "rest:a", expecting="phone_pin")
    message = {"text": text, "metadata": metadata}
    assert text == "[PIN]" and "2468" not in json.dumps(metadata) and metadata["sealed_pin"] != "forged"
    assert message_text(message, "rest:b") == "" and use_secret(message, "rest:b") is None
    assert use_secret(message, "rest:a") == "my pin is 2468"
    assert use_secret(message, "rest:a") is None  # replayed: refused, from any process
    stale = kept_fernet("pin_seal_key").encrypt_at_time(
        json.dumps({"c": conversation_tag("rest:a"), "v": "2468"}).encode(), int(time.time()) - 600).decode()
    assert use_secret({"text": "[PIN]", "metadata": {"sealed_pin": stale}}, "rest:a") is None
    assert seal("help", {}, "rest:a", expecting="phone_pin")[0] == "help"  # commands still reach the dialogue


def test_conversations_older_than_the_retention_are_deleted(stack: Stack, action_server_settings: None) -> None:
    """Last in this module: it empties the stack's conversation store."""
    from assistant.retention import sweep
    from basics.settings import get_settings

    sender = "old-" + os.urandom(8).hex()
    rest(stack, sender, "hello")
    assert any(event_sender == f"rest:{sender}" for event_sender, _ in stored_events(stack))
    assert sweep(get_settings().with_overrides(conversation_retention_days=1.0)) == 0  # recent: kept
    assert sweep(get_settings().with_overrides(conversation_retention_days=0.0)) > 0
    assert not stored_events(stack)
