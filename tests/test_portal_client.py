"""The action server's portal client: typed results, clear typed errors, retries only where safe."""
from __future__ import annotations

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest

from basics.settings import load_settings
from portal_client.client import PortalClient
from portal_client.errors import PortalAuthError, PortalConflict, PortalInvalid, PortalLocked, PortalUnavailable
from tests.conftest import GIORGI, NINO, PHONE_PINS, SIGNING_PINS, Portal
from tests.servers import free_port
from tests.test_portal_security import portal_fixture

portal = portal_fixture(source_throttle_after="1000")  # a lockout from 127.0.0.1, then more logins from there


def client_for(base_url: str, token: str | None = None, act_for: str | None = None) -> PortalClient:
    settings = load_settings({"MYGOV_PORTAL_URL": base_url, "MYGOV_PORTAL_RETRIES": "2", "MYGOV_PORTAL_TIMEOUT_SECONDS": "5",
                              "MYGOV_SETTINGS_FILE": "/nonexistent"})
    return PortalClient(settings, token=token, act_for=act_for)


async def logged_in(base_url: str, personal_number: str) -> PortalClient:
    async with client_for(base_url) as anonymous:
        token = await anonymous.login_with_phone_pin(personal_number, PHONE_PINS[personal_number])
    return client_for(base_url, token.access_token)


def test_an_application_through_the_client(portal: Portal) -> None:
    async def scenario() -> None:
        async with await logged_in(portal.base_url, GIORGI) as giorgi:
            assert (await giorgi.info("tax-debt"))["amount_tetri"] == 12540
            app = await giorgi.create_application("mygov.public-information.request")
            assert app.next_field == "agency"
            with pytest.raises(PortalInvalid) as refused:
                await giorgi.fill(app.id, {"agency": "NOWHERE"})
            assert refused.value.field_message("agency", "ka")
            app = await giorgi.fill(app.id, {"agency": "TCH", "subject": "ბიუჯეტი", "request_text": "2026 წლის ბიუჯეტი", "delivery": "1"})
            with pytest.raises(PortalConflict):
                await giorgi.submit(app.id)
            request = await giorgi.request_signature(app.id)
            with pytest.raises(PortalAuthError) as wrong:
                await giorgi.approve_signature(request["id"], "0000")
            assert wrong.value.fields["attempts_left"] == 4
            assert (await giorgi.approve_signature(request["id"], SIGNING_PINS[GIORGI])).signed
            sent = await giorgi.submit(app.id)
            assert sent.status == "submitted" and sent.registration_number
            assert sent.id in {a.id for a in await giorgi.applications(status="submitted")}

    asyncio.run(scenario())


def test_lockout_reaches_the_dialogue_as_its_own_error(portal: Portal) -> None:
    async def scenario() -> None:
        async with client_for(portal.base_url) as anonymous:
            for _ in range(4):
                with pytest.raises(PortalAuthError):
                    await anonymous.login_with_phone_pin(NINO, "0000")
            with pytest.raises(PortalLocked) as locked:
                await anonymous.login_with_phone_pin(NINO, "0000")
            assert "15" in locked.value.spoken("en") and "15" in locked.value.spoken("ka")

    asyncio.run(scenario())


def test_portal_down_is_a_clear_sentence_in_both_languages() -> None:
    async def scenario() -> None:
        async with client_for(f"http://127.0.0.1:{free_port()}", token="whatever") as client:
            with pytest.raises(PortalUnavailable) as down:
                await client.applications()
            assert "saved" in down.value.spoken("en")
            assert "შენახულია" in down.value.spoken("ka")

    asyncio.run(scenario())


class FlakyServer(BaseHTTPRequestHandler):
    """Answers 503 to the first request of each method, then 200: a portal restarting."""

    seen: dict[str, int] = {}

    def _answer(self) -> None:
        count = FlakyServer.seen[self.command] = FlakyServer.seen.get(self.command, 0) + 1
        body = b'{"agencies": []}' if count > 1 else b'{"error": {"code": "busy"}}'
        self.send_response(200 if count > 1 else 503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def flaky_url() -> Iterator[str]:
    FlakyServer.seen = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), FlakyServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_reads_are_retried_but_writes_are_sent_once(flaky_url: str) -> None:
    async def scenario() -> None:
        async with client_for(flaky_url, token="t") as client:
            assert await client.agencies() == []
            with pytest.raises(PortalUnavailable):
                await client.request_callback("help", "en")
        assert FlakyServer.seen == {"GET": 2, "POST": 1}

    asyncio.run(scenario())
