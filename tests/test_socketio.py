"""The socket.io channel as other Rasa web widgets speak it (`user_uttered` / `bot_uttered`), with the
portal token in the message metadata, and the warning before a session ends."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Iterator

import pytest
import socketio

from tests.conftest import GIORGI, Portal
from tests.stack import Stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(tmp_path_factory.mktemp("socketio"), MYGOV_SESSION_WARNING_SECONDS="3").start()
    yield running
    running.stop()


async def talk(url: str, messages: list[dict], wait_for: str, timeout: float = 60.0) -> list[str]:
    """Connect, start a session, send the messages, and collect replies until one contains `wait_for`."""
    client = socketio.AsyncClient()
    replies: list[str] = []
    done, confirmed = asyncio.Event(), asyncio.Future()

    @client.on("session_confirm")
    async def on_confirm(session_id: str) -> None:
        confirmed.set_result(session_id)

    @client.on("bot_uttered")
    async def on_bot(data: dict) -> None:
        replies.append(data.get("text", ""))
        if wait_for in replies[-1]:
            done.set()

    await client.connect(url, transports=["websocket"])
    await client.emit("session_request", {"session_id": None})
    session_id = await asyncio.wait_for(confirmed, timeout)
    for message in messages:
        await client.emit("user_uttered", {**message, "session_id": session_id})
    try:
        await asyncio.wait_for(done.wait(), timeout)
    finally:
        await client.disconnect()
    return replies


def test_a_plain_socketio_client_acts_as_the_logged_in_citizen_and_is_warned_before_the_session_ends(stack: Stack) -> None:
    portal = Portal(stack.settings.portal_base_url, Path(stack.env["MYGOV_DATA_DIR"]))
    token = portal.login(GIORGI)["Authorization"].split()[1]
    replies = asyncio.run(talk(stack.settings.rasa_url, [{"message": "how much tax do I owe?", "metadata": {"portal_token": token}}],
                               wait_for="session will end"))
    assert "The tax debt is 125 lari and 40 tetri." in replies
    assert "Your session will end in two minutes. Say anything to continue." in replies


def test_a_forged_token_is_refused(stack: Stack) -> None:
    replies = asyncio.run(talk(stack.settings.rasa_url, [{"message": "how much tax do I owe?",
                                                          "metadata": {"portal_token": "forged.token.value"}}],
                               wait_for="log in"))
    assert not any("125" in reply for reply in replies)
