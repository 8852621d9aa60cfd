"""Bad requests get a clear 4xx in one JSON shape, never a stack trace, and change nothing."""
from __future__ import annotations

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
