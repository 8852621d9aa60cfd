"""Bad requests get a clear 4xx in one JSON shape, never a stack trace, and change nothing."""
from __future__ import annotations

from typing import Iterator

import httpx
import pytest

from tests.conftest import NINO, Portal


def error_of(response) -> dict:  # type: ignore[no-untyped-def]
    body = response.json()
    assert "Traceback" not in response.text
    return body["error"]


def test_malformed_json(portal: Portal) -> None:
    response = portal.http.post("/v1/auth/phone-pin", content=b'{"personal_number": "0100', headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and error_of(response)["code"] == "malformed_json"


@pytest.mark.parametrize("body", [{"personal_number": 1001012345, "pin": "2468"}, {"personal_number": NINO, "pin": 2468},
                                  {"personal_number": NINO}, {"personal_number": NINO, "pin": "2468", "extra": True},
                                  ["not", "an", "object"], {"personal_number": "01001O12345", "pin": "2468"}])
def test_wrong_types_and_shapes(portal: Portal, body: object) -> None:
    response = portal.http.post("/v1/auth/phone-pin", json=body)
    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid_request"


def test_huge_body(portal: Portal) -> None:
    response = portal.http.post("/v1/auth/phone-pin", content=b"{" + b" " * (9 * 1024 * 1024) + b"}",
                                headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and error_of(response)["code"] == "too_large"


def test_unknown_service_and_unknown_route(portal: Portal) -> None:
    headers = portal.login(NINO)
    response = portal.http.post("/v1/applications", json={"service_id": "civil.time-machine"}, headers=headers)
    assert response.status_code == 404 and "civil.time-machine" in error_of(response)["message"]["en"]
    informational = portal.http.post("/v1/applications", json={"service_id": "rs.tax-debt.info"}, headers=headers)
    assert informational.status_code == 422
    assert portal.http.get("/v1/nothing-here").status_code == 404
    assert portal.http.delete("/v1/agencies").status_code == 405


def test_logs_hold_no_pins_or_personal_numbers(portal: Portal) -> None:
    portal.login(NINO)
    portal.http.post("/v1/auth/phone-pin", json={"personal_number": NINO, "pin": "1212"})
    logs = "".join(p.read_text() for p in portal.data_dir.glob("portal-*.log"))
    assert "GET" in logs or "POST" in logs
    for secret in (NINO, "2468", "1212", "5678"):
        assert secret not in logs


def raw_json(portal: Portal, method: str, path: str, text: str, headers: dict[str, str] | None = None) -> httpx.Response:
    """Send JSON exactly as written, escapes and all (a client library would refuse to encode some of it)."""
    return portal.http.request(method, path, content=text.encode(), headers={**(headers or {}), "Content-Type": "application/json"})


def test_lone_surrogates_and_nul_are_refused_even_anonymously(portal: Portal) -> None:
    nino = portal.login(NINO)
    app = portal.http.post("/v1/applications", json={"service_id": "civil.citizenship"}, headers=nino).json()
    for method, path, text, headers in [
            ("POST", "/v1/auth/otp", '{"challenge_id": "\\ud800", "code": "123456"}', None),
            ("POST", "/v1/auth/password", '{"personal_number": "01001012345", "password": "a\\udfffb"}', None),
            ("POST", "/v1/callback-requests", '{"topic": "\\udc00\\ud800"}', nino),
            ("POST", "/v1/callback-requests", '{"topic": "call me", "phone": "\\u0000"}', nino),
            ("PATCH", f"/v1/applications/{app['id']}", '{"fields": {"\\ud800": "x"}}', nino),
            ("PATCH", f"/v1/applications/{app['id']}", '{"fields": {"current_citizenship": "\\ud83d"}}', nino)]:
        response = raw_json(portal, method, path, text, headers)
        assert response.status_code == 422 and error_of(response)["code"] == "invalid_request", (path, response.text)
    assert portal.http.get("/v1/inbox/%00", headers=nino).status_code == 400
    assert portal.http.get(f"/v1/applications/{app['id']}", headers=nino).json()["fields"] == {}


@pytest.mark.parametrize("service_id, question", [("civil.citizenship", "years_in_georgia"),
                                                  ("civil.death.registration", "death_date")])
@pytest.mark.parametrize("answer", ["9" * 5000, "-" + "7" * 4301, "12345678901234567890-01-01", "1.1.99999999999999999999"])
def test_numbers_and_dates_no_computer_holds_are_invalid_answers(portal: Portal, service_id: str, question: str,
                                                                  answer: str) -> None:
    nino = portal.login(NINO)
    app = portal.http.post("/v1/applications", json={"service_id": service_id}, headers=nino).json()
    response = portal.http.patch(f"/v1/applications/{app['id']}", json={"fields": {question: answer}}, headers=nino)
    assert response.status_code == 422 and question in error_of(response)["fields"]
    huge = raw_json(portal, "PATCH", f"/v1/applications/{app['id']}", '{"fields": {"%s": 1%s}}' % (question, "0" * 5000), nino)
    assert huge.status_code == 400 and error_of(huge)["code"] == "malformed_json"


def test_a_chunked_body_over_the_limit(portal: Portal) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the size is known only by reading
        yield b'{"personal_number": "'
        for _ in range(9 * 16):
            yield b"0" * 65536

    response = portal.http.post("/v1/auth/phone-pin", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and error_of(response)["code"] == "too_large"
    small = portal.http.post("/v1/auth/phone-pin", content=iter([b'{"personal_number": "01001012345", ', b'"pin": "2468"}']),
                             headers={"Content-Type": "application/json"})
    assert small.status_code == 200
