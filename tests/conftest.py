"""Shared fixtures: a real portal server per test module, on SQLite and on PostgreSQL."""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator, Mapping

import httpx
import pytest

from tests.servers import TEST_AGENCY_KEY, portal_process, postgres_database
from tests.stack import Stack

NINO, GIORGI, ANA = "01001012345", "01024054321", "01008087654"
PHONE_PINS = {NINO: "2468", GIORGI: "1357", ANA: "9753"}
SIGNING_PINS = {NINO: "5678", GIORGI: "8642", ANA: "1928"}
BAKERY = "404123456"


class Portal:
    """A running portal and an HTTP client for it, with the small conveniences tests need."""

    def __init__(self, base_url: str, data_dir: Path) -> None:
        self.base_url, self.data_dir = base_url, data_dir
        self.http = httpx.Client(base_url=base_url, timeout=30.0)

    def login(self, personal_number: str) -> dict[str, str]:
        response = self.http.post("/v1/auth/phone-pin", json={"personal_number": personal_number, "pin": PHONE_PINS[personal_number]})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def agency(self) -> dict[str, str]:
        return {"X-Agency-Key": TEST_AGENCY_KEY}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def portal(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    data_dir = tmp_path_factory.mktemp(f"portal-{request.param}")
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(postgres_database()) if request.param == "postgresql" else None
        base = stack.enter_context(portal_process(data_dir, url, agency_reply_delay_seconds="3600"))
        client = Portal(base, data_dir)
        yield client
        client.http.close()


@contextlib.contextmanager
def settings_of(environment: Mapping[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This test process reads the settings (and kept secrets) a server started with `environment` reads."""
    from basics.identity import identity_store
    from basics.keys import kept_fernet, kept_key
    from basics.settings import get_settings

    for name, value in environment.items():
        if name.startswith("MYGOV_"):
            monkeypatch.setenv(name, value)
    caches = (get_settings, identity_store, kept_fernet, kept_key)
    for cached in caches:
        cached.cache_clear()
    try:
        yield
    finally:
        for cached in caches:
            cached.cache_clear()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The whole product on default settings, started once per test worker and shared by the modules that
    need nothing else; a module with settings of its own defines its own `stack`. Shared state: after
    tests/test_conversation.py, Ana's phone PIN is locked (its lockout test); log in as Nino or Giorgi."""
    running = Stack(tmp_path_factory.mktemp("stack")).start()
    yield running
    running.stop()
