"""The simulated agency answers submitted applications on its own, so a demo shows a full round trip."""
from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.conftest import NINO, PHONE_PINS, SIGNING_PINS
from tests.servers import portal_process


def test_the_agency_replies_by_itself(tmp_path: Path) -> None:
    with portal_process(tmp_path, agency_reply_delay_seconds="0", agency_worker_interval_seconds="0.2") as base:
        http = httpx.Client(base_url=base, timeout=30)
        token = http.post("/v1/auth/phone-pin", json={"personal_number": NINO, "pin": PHONE_PINS[NINO]}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        app = http.post("/v1/applications", json={"service_id": "mygov.e-communication.letter"}, headers=headers).json()
        http.patch(f"/v1/applications/{app['id']}", headers=headers,
                   json={"fields": {"agency": "NAPR", "subject": "კითხვა", "body": "როდის იქნება ამონაწერი მზად?"}})
        request = http.post(f"/v1/applications/{app['id']}/signing-requests", headers=headers).json()
        http.post(f"/v1/signing-requests/{request['id']}/approve", json={"pin": SIGNING_PINS[NINO]}, headers=headers)
        assert http.post(f"/v1/applications/{app['id']}/submit", headers=headers).status_code == 200

        deadline = time.monotonic() + 30
        status = ""
        while time.monotonic() < deadline and status != "completed":
            status = http.get(f"/v1/applications/{app['id']}", headers=headers).json()["status"]
            time.sleep(0.1)  # poll politely; the loop waits on the condition, not on the clock
        assert status == "completed"
        history = [h["status"] for h in http.get(f"/v1/applications/{app['id']}", headers=headers).json()["history"]]
        assert history == ["draft", "submitted", "in_review", "completed"]
        replies = [m for m in http.get("/v1/inbox", headers=headers).json()["messages"] if m["application_id"] == app["id"]]
        assert len(replies) == 1 and replies[0]["agency"]["id"] == "NAPR" and not replies[0]["read"]
