"""The socket.io channel as other Rasa web widgets speak it (`user_uttered` / `bot_uttered`), with the
portal token in the message metadata, and the warning before a session ends."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Iterator

import pytest
import socketio
from playwright.sync_api import sync_playwright

from tests.browser import WidgetPage, launch
from tests.conftest import GIORGI, PHONE_PINS, Portal
from tests.stack import Stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(tmp_path_factory.mktemp("socketio"), MYGOV_SESSION_WARNING_SECONDS="3").with_web().start()
    yield running
    running.stop()


async def talk(url: str, messages: list[dict], wait_for: str, timeout: float = 60.0) -> list[str]:
    """Connect, start a session, send the messages, and collect replies until one contains `wait_for`."""
    client = socketio.AsyncClient()
    replies: list[str] = []
    done, confirmed = asyncio.Event(), asyncio.Future()

    @client.on("session_confirm")
    async def on_confirm(session: dict) -> None:
        confirmed.set_result(session["session_id"])

    @client.on("bot_uttered")
    async def on_bot(data: dict) -> None:
        replies.append(data.get("text", ""))
        if wait_for in replies[-1]:
            done.set()

    await client.connect(url, transports=["websocket"])
    await client.emit("session_request", {"session_id": None})
    await asyncio.wait_for(confirmed, timeout)
    for message in messages:
        await client.emit("user_uttered", message)
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


def test_the_widget_warns_before_the_session_ends_and_continue_keeps_the_place(stack: Stack) -> None:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page()
            page.goto(f"{stack.settings.web_url}/en/account")
            page.get_by_label("Personal number").fill(GIORGI)
            page.get_by_label("Phone PIN").fill(PHONE_PINS[GIORGI])
            page.get_by_role("button", name="Sign in").click()
            widget = WidgetPage(page)
            widget.launcher.click()
            widget.type_and_send("how much tax do I owe?", containing="tetri")
            warned = widget.wait_for_reply(1, containing="session will end")
            assert "Say anything to continue." in warned
            before = widget.bot_count()
            page.get_by_role("button", name="Continue").click()
            # Continuing says again where the user was.
            assert "125 lari and 40 tetri" in widget.wait_for_reply(before, containing="tetri")
            assert "(chosen)" in page.locator("ul.mga-settled").last.inner_text()
        finally:
            browser.close()
