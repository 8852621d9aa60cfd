"""The portal's safeguards as a stranger meets them: throttled guessing, no enumeration, safe defaults, retention.

Also home of `portal_fixture`: a portal on SQLite and PostgreSQL with settings of a test module's own.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest
from sqlalchemy import create_engine, text

from basics.settings import load_settings
from portal_client.client import PortalClient
from portal_client.errors import PortalLocked
from tests.conftest import ANA, GIORGI, NINO, PHONE_PINS, Portal
from tests.servers import free_port, portal_process, postgres_database


class SecuredPortal(Portal):
    """A running portal whose database a test may look into."""

    def __init__(self, base_url: str, data_dir: Path, database_url: str) -> None:
        super().__init__(base_url, data_dir)
        self.database_url = database_url

    def count(self, table: str) -> int:
        engine = create_engine(self.database_url, future=True)
        try:
            with engine.connect() as connection:
                return connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
        finally:
            engine.dispose()


def portal_fixture(**settings: str) -> Any:
    """A module's `portal` fixture (SQLite and PostgreSQL) started with these settings (MYGOV_ names, lower case)."""

    @pytest.fixture(scope="module", params=["sqlite", "postgresql"])
    def portal(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecuredPortal]:
        data_dir = tmp_path_factory.mktemp(f"portal-{request.param}")
        with contextlib.ExitStack() as stack:
            url = stack.enter_context(postgres_database()) if request.param == "postgresql" else None
            base = stack.enter_context(portal_process(data_dir, url, **{"agency_reply_delay_seconds": "3600", **settings}))
            running = SecuredPortal(base, data_dir, url or f"sqlite:///{data_dir / 'portal.sqlite3'}")
            stack.callback(running.http.close)
            yield running

    return portal


# Every request names its source in X-Forwarded-For, believed from the test's own address only.
portal = portal_fixture(trusted_proxies="127.0.0.1", source_throttle_after="3", source_throttle_max_seconds="2",
                        lockout_attempts="16",
                        outbox_retention_hours=str(1.5 / 3600), otp_retention_hours=str(1.5 / 3600), otp_ttl_seconds="1",
                        retention_sweep_seconds="0.3", token_ttl_seconds="2")


def pin_login(portal: Portal, personal_number: str, pin: str, source: str) -> httpx.Response:
    return portal.http.post("/v1/auth/phone-pin", json={"personal_number": personal_number, "pin": pin},
                            headers={"X-Forwarded-For": source})


def test_a_guessing_source_waits_longer_and_longer_but_the_citizen_is_not_locked(portal: SecuredPortal) -> None:
    stranger = "203.0.113.7"
    assert [pin_login(portal, GIORGI, "0000", stranger).status_code for _ in range(3)] == [401, 401, 401]
    throttled = pin_login(portal, GIORGI, PHONE_PINS[GIORGI], stranger)  # even the right PIN, from there
    assert throttled.status_code == 429 and throttled.json()["error"]["code"] == "too_many_attempts"
    assert throttled.headers["Retry-After"] == "1" and throttled.json()["error"]["fields"]["retry_after_seconds"] == 1
    # The refused attempt never reached Giorgi's count: it holds the three wrong guesses, and he gets in.
    own = "198.51.100.20"
    assert pin_login(portal, GIORGI, "0000", own).json()["error"]["fields"]["attempts_left"] == 12
    assert pin_login(portal, GIORGI, PHONE_PINS[GIORGI], own).status_code == 200
    time.sleep(1.05)  # the wait the portal asked for
    assert pin_login(portal, ANA, "0000", stranger).status_code == 401  # one more guess, on anyone
    again = pin_login(portal, ANA, "0000", stranger)
    assert again.status_code == 429 and again.headers["Retry-After"] == "2"  # doubled
    time.sleep(2.05)
    assert pin_login(portal, ANA, "0000", stranger).status_code == 401
    assert pin_login(portal, ANA, "0000", stranger).headers["Retry-After"] == "2"  # capped at the maximum


def test_right_secrets_do_not_count_against_a_shared_address(portal: SecuredPortal) -> None:
    office = "192.0.2.44"
    assert [pin_login(portal, NINO, "0000", office).status_code for _ in range(2)] == [401, 401]
    for _ in range(4):  # each would be the third attempt, which makes the address wait; being right, it does not
        assert pin_login(portal, NINO, PHONE_PINS[NINO], office).status_code == 200
    assert pin_login(portal, NINO, "0000", office).status_code == 401  # the third failure is still checked
    assert pin_login(portal, NINO, PHONE_PINS[NINO], office).status_code == 429  # and now the address waits


def test_unknown_and_known_personal_numbers_look_the_same(portal: SecuredPortal) -> None:
    """Same status, same body, same time (medians of 15 interleaved tries each), and both lock alike."""
    times: dict[str, list[float]] = {ANA: [], "01099999999": []}
    for attempt in range(16):  # each from its own address, so the throttle never answers instead
        answers = []
        for personal_number, taken in times.items():
            started = time.perf_counter()
            response = portal.http.post("/v1/auth/id-card", json={"personal_number": personal_number, "pin": "0000"},
                                        headers={"X-Forwarded-For": f"10.0.{attempt}.{len(answers)}"})
            taken.append(time.perf_counter() - started)
            answers.append((response.status_code, response.json()["error"]))
        (known_status, known), (unknown_status, unknown) = answers
        assert known_status == unknown_status == (401 if attempt < 15 else 423)
        if attempt < 15:
            assert known == unknown and known["fields"]["attempts_left"] == 15 - attempt
        else:
            assert known["code"] == unknown["code"] == "locked" and known["message"] == unknown["message"]
    known_median, unknown_median = (statistics.median(taken[:15]) for taken in times.values())
    assert 0.6 < unknown_median / known_median < 1.6, times


def test_old_codes_challenges_and_revocations_are_swept(portal: SecuredPortal) -> None:
    step1 = portal.http.post("/v1/auth/password", json={"personal_number": ANA, "password": "Ana-demo-2026"},
                             headers={"X-Forwarded-For": "192.0.2.80"})
    assert step1.status_code == 200
    assert portal.http.post("/v1/auth/logout", headers=portal.login(ANA)).status_code == 200
    tables = ("dev_outbox", "otp_challenges", "revoked_tokens")
    assert all(portal.count(table) > 0 for table in tables)
    deadline = time.monotonic() + 20  # kept 1.5 s (tokens live 2 s), swept every 0.3 s
    while time.monotonic() < deadline and any(portal.count(table) for table in tables):
        time.sleep(0.2)
    assert {table: portal.count(table) for table in tables} == dict.fromkeys(tables, 0)
    assert portal.http.get("/v1/dev/outbox", params={"personal_number": ANA}).json()["messages"] == []


def test_the_outbox_never_runs_on_a_public_address(tmp_path: Path) -> None:
    env = {**os.environ, "MYGOV_DATA_DIR": str(tmp_path), "MYGOV_SETTINGS_FILE": str(tmp_path / "none.yml"),
           "MYGOV_DEV_OUTBOX": "true"}
    started = subprocess.run([sys.executable, "-m", "assistant.cli", "portal", "--host", "0.0.0.0", "--port", str(free_port())],
                             env=env, capture_output=True, text=True, timeout=60)
    assert started.returncode != 0
    assert "outbox" in started.stderr and "0.0.0.0" in started.stderr and "Traceback" not in started.stderr


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecuredPortal]:
    """A portal on the defaults that matter here (no outbox, no trusted proxy), in a data dir it creates itself.

    Its last test fails logins from 127.0.0.1 until that address must wait: keep it last.
    """
    logs = tmp_path_factory.mktemp("plain")
    data_dir = logs / "var"
    settings = {"DATA_DIR": str(data_dir), "dev_outbox": "false", "trusted_proxies": "", "source_throttle_after": "2"}
    with portal_process(logs, **settings) as base:
        running = SecuredPortal(base, logs, f"sqlite:///{data_dir / 'portal.sqlite3'}")
        yield running
        running.http.close()


def test_the_outbox_is_off_unless_turned_on(plain: SecuredPortal) -> None:
    assert plain.http.get("/v1/dev/outbox", params={"personal_number": NINO}).status_code == 404
    assert "/v1/dev/outbox" not in plain.http.get("/openapi.json").text


def test_every_file_the_portal_makes_is_private(plain: SecuredPortal) -> None:
    guess = plain.http.post("/v1/messenger-links/redeem", json={}, headers={"X-Channel-Key": "guess"})
    assert guess.status_code == 403  # the channel key it compares with is generated into the data dir
    data_dir = plain.data_dir / "var"
    made = sorted(data_dir.rglob("*"))
    assert {"portal.sqlite3", "messenger_channel_key.txt"} <= {path.name for path in made}
    modes = {path.name: oct(path.stat().st_mode & 0o777) for path in [data_dir, *made]}
    assert modes == {path.name: "0o700" if path == data_dir else "0o600" for path in [data_dir, *made]}


def test_an_unexpected_error_is_logged_with_its_route_only(plain: SecuredPortal) -> None:
    engine = create_engine(plain.database_url, future=True)
    with engine.begin() as connection:  # break a table a handler needs, as a failing disk or migration would
        connection.execute(text("ALTER TABLE attempt_counts RENAME TO attempt_counts_away"))
    try:
        failed = plain.http.post("/v1/auth/phone-pin", json={"personal_number": NINO, "pin": "8181"})
    finally:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE attempt_counts_away RENAME TO attempt_counts"))
        engine.dispose()
    assert failed.status_code == 500 and failed.json()["error"]["code"] == "internal"
    assert "Traceback" not in failed.text and "attempt_counts" not in failed.text
    log = "".join(path.read_text() for path in plain.data_dir.glob("portal-*.log"))
    assert "POST /v1/auth/phone-pin 500" in log and "500 POST /v1/auth/phone-pin: OperationalError at " in log
    assert "Traceback" not in log and "8181" not in log and NINO not in log


def test_forwarded_addresses_are_believed_only_from_a_trusted_proxy(plain: SecuredPortal) -> None:
    statuses = [pin_login(plain, ANA, "0000", f"203.0.113.{n}").status_code for n in range(3)]
    assert statuses == [401, 401, 429]  # one source (the peer), however many addresses it claims

    async def through_the_dialogue() -> PortalLocked:  # what the assistant's client makes of the wait
        settings = load_settings({"MYGOV_PORTAL_URL": plain.base_url, "MYGOV_SETTINGS_FILE": "/nonexistent"})
        async with PortalClient(settings) as anonymous:
            with pytest.raises(PortalLocked) as waiting:
                await anonymous.login_with_phone_pin(ANA, PHONE_PINS[ANA])
        return waiting.value

    waiting = asyncio.run(through_the_dialogue())
    assert waiting.status == 429 and waiting.fields["minutes"] == 1 and "seconds" in waiting.spoken("en")
