"""Applications end to end: fill, attach, sign, submit, agency reply; and nobody else can touch them."""
from __future__ import annotations

import hashlib

import pytest

from tests.conftest import ANA, BAKERY, GIORGI, NINO, SIGNING_PINS, Portal

ADDRESS = {"new_address": "თბილისი, ვაჟა-ფშაველას გამზირი 12, ბინა 5", "registration_type": "2", "owner_consent": "კი"}


def draft(portal: Portal, headers: dict[str, str], service_id: str = "civil.address.registration") -> dict:
    response = portal.http.post("/v1/applications", json={"service_id": service_id}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def sign(portal: Portal, headers: dict[str, str], application_id: str, pin: str) -> dict:
    request = portal.http.post(f"/v1/applications/{application_id}/signing-requests", headers=headers)
    assert request.status_code == 201, request.text
    return portal.http.post(f"/v1/signing-requests/{request.json()['id']}/approve", json={"pin": pin}, headers=headers)


def test_full_round_trip(portal: Portal) -> None:
    nino = portal.login(NINO)
    app = draft(portal, nino)
    assert app["status"] == "draft" and app["next_field"] == "new_address"
    filled = portal.http.patch(f"/v1/applications/{app['id']}", json={"fields": ADDRESS}, headers=nino).json()
    assert filled["fields"] == {**ADDRESS, "registration_type": "temporary", "owner_consent": "yes"}
    assert filled["missing_required"] == []
    pdf = b"%PDF-1.4\n% lease agreement\n"
    attached = portal.http.post(f"/v1/applications/{app['id']}/attachments", params={"filename": "lease.pdf"},
                                content=pdf, headers={**nino, "Content-Type": "application/pdf"})
    assert attached.status_code == 201 and attached.json()["sha256"] == hashlib.sha256(pdf).hexdigest()

    signed = sign(portal, nino, app["id"], SIGNING_PINS[NINO])
    assert signed.status_code == 200, signed.text
    signature = signed.json()["application"]["signature"]
    assert signature["signer"] == NINO and signature["valid"] and len(signature["content_sha256"]) == 64

    sent = portal.http.post(f"/v1/applications/{app['id']}/submit", headers=nino).json()
    assert sent["status"] == "submitted" and sent["registration_number"].startswith("MG-")
    assert [h["status"] for h in sent["history"]] == ["draft", "submitted"]
    assert portal.http.patch(f"/v1/applications/{app['id']}", json={"fields": {"new_address": "ბათუმი, გორგილაძის 1"}},
                             headers=nino).status_code == 409

    unread_before = portal.http.get("/v1/inbox", headers=nino).json()["unread"]
    done = portal.http.post(f"/v1/agency/applications/{app['id']}/advance", json={"status": "completed"}, headers=portal.agency())
    assert done.status_code == 200 and done.json()["status"] == "completed"
    inbox = portal.http.get("/v1/inbox", params={"unread": True}, headers=nino).json()
    assert inbox["unread"] == unread_before + 1
    reply = next(m for m in inbox["messages"] if m["application_id"] == app["id"])
    assert reply["agency"]["id"] == "PSDA"
    body = portal.http.get(f"/v1/inbox/{reply['id']}", headers=nino).json()
    assert sent["registration_number"] in body["body"] and body["language"] == "ka"
    assert portal.http.post(f"/v1/inbox/{reply['id']}/read", headers=nino).json()["read"] is True
    assert portal.http.get("/v1/inbox", headers=nino).json()["unread"] == unread_before


def test_a_letter_to_an_agency_keeps_georgian_text_exactly(portal: Portal) -> None:
    giorgi = portal.login(GIORGI)
    app = draft(portal, giorgi, "mygov.e-communication.letter")
    text = "გამარჯობა! ქ. თბილისი, „ვაკე“ — 2026 წ.\nმეორე ხაზი 😊 ე\u0301 ‍👩‍👩‍👧"
    filled = portal.http.patch(f"/v1/applications/{app['id']}", headers=giorgi,
                               json={"fields": {"agency": "TCH", "subject": "საჯარო ინფორმაცია", "body": text}})
    assert filled.status_code == 200, filled.text
    stored = portal.http.get(f"/v1/applications/{app['id']}", headers=giorgi).json()["fields"]
    assert stored["body"] == text
    wrong = portal.http.patch(f"/v1/applications/{app['id']}", headers=giorgi, json={"fields": {"agency": "NOPE"}})
    assert wrong.status_code == 422 and wrong.json()["error"]["fields"]["agency"]["code"] == "unknown_agency"


def test_invalid_answers_are_named_and_nothing_is_lost(portal: Portal) -> None:
    nino = portal.login(NINO)
    app = draft(portal, nino)
    portal.http.patch(f"/v1/applications/{app['id']}", json={"fields": {"new_address": ADDRESS["new_address"]}}, headers=nino)
    bad = portal.http.patch(f"/v1/applications/{app['id']}", headers=nino,
                            json={"fields": {"registration_type": "forever", "contact_phone": "12", "favourite_colour": "blue"}})
    assert bad.status_code == 422
    fields = bad.json()["error"]["fields"]
    assert set(fields) == {"registration_type", "contact_phone", "favourite_colour"}
    assert fields["contact_phone"]["message"]["ka"] and fields["contact_phone"]["message"]["en"]
    kept = portal.http.get(f"/v1/applications/{app['id']}", headers=nino).json()
    assert kept["fields"] == {"new_address": ADDRESS["new_address"]}
    control = portal.http.patch(f"/v1/applications/{app['id']}", json={"fields": {"new_address": "თბილისი\x00\x07 ქუჩა 1"}}, headers=nino)
    assert control.status_code == 422


def test_a_changed_draft_voids_the_signature(portal: Portal) -> None:
    nino = portal.login(NINO)
    app = draft(portal, nino)
    portal.http.patch(f"/v1/applications/{app['id']}", json={"fields": ADDRESS}, headers=nino)
    assert sign(portal, nino, app["id"], SIGNING_PINS[NINO]).status_code == 200
    changed = portal.http.patch(f"/v1/applications/{app['id']}", json={"fields": {"owner_consent": "no"}}, headers=nino).json()
    assert changed["signature"] is None
    refused = portal.http.post(f"/v1/applications/{app['id']}/submit", headers=nino)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_signed"

    stale = portal.http.post(f"/v1/applications/{app['id']}/signing-requests", headers=nino).json()
    portal.http.patch(f"/v1/applications/{app['id']}", json={"fields": {"owner_consent": "yes"}}, headers=nino)
    approve = portal.http.post(f"/v1/signing-requests/{stale['id']}/approve", json={"pin": SIGNING_PINS[NINO]}, headers=nino)
    assert approve.status_code == 409 and approve.json()["error"]["code"] == "draft_changed"


def test_signing_needs_a_complete_draft_and_the_right_pin(portal: Portal) -> None:
    giorgi = portal.login(GIORGI)
    app = draft(portal, giorgi)
    incomplete = portal.http.post(f"/v1/applications/{app['id']}/signing-requests", headers=giorgi)
    assert incomplete.status_code == 422 and "new_address" in incomplete.json()["error"]["fields"]
    portal.http.patch(f"/v1/applications/{app['id']}", json={"fields": ADDRESS}, headers=giorgi)
    wrong = sign(portal, giorgi, app["id"], "0000")
    assert wrong.status_code == 401 and wrong.json()["error"]["fields"]["attempts_left"] == 4
    assert portal.http.get(f"/v1/applications/{app['id']}", headers=giorgi).json()["signature"] is None


def test_nobody_else_can_read_or_change_an_application(portal: Portal) -> None:
    nino, giorgi = portal.login(NINO), portal.login(GIORGI)
    app = draft(portal, nino)
    path = f"/v1/applications/{app['id']}"
    assert portal.http.get(path, headers=giorgi).status_code == 404
    assert portal.http.patch(path, json={"fields": ADDRESS}, headers=giorgi).status_code == 404
    assert portal.http.post(f"{path}/submit", headers=giorgi).status_code == 404
    assert portal.http.post(f"{path}/signing-requests", headers=giorgi).status_code == 404
    assert portal.http.delete(path, headers=giorgi).status_code == 404
    assert app["id"] not in {a["id"] for a in portal.http.get("/v1/applications", headers=giorgi).json()["applications"]}
    portal.http.patch(path, json={"fields": ADDRESS}, headers=nino)
    request = portal.http.post(f"{path}/signing-requests", headers=nino).json()
    stolen = portal.http.post(f"/v1/signing-requests/{request['id']}/approve", json={"pin": "8642"}, headers=giorgi)
    assert stolen.status_code == 404
    nino_message = portal.http.get("/v1/inbox", headers=nino).json()["messages"][0]["id"]
    assert portal.http.get(f"/v1/inbox/{nino_message}", headers=giorgi).status_code == 404
    assert portal.http.post(f"/v1/inbox/{nino_message}/read", headers=giorgi).status_code == 404
    # Nino's personal drafts are not the company's, and the reverse.
    assert app["id"] not in {a["id"] for a in portal.http.get("/v1/applications", headers={**nino, "X-Act-For": BAKERY}).json()["applications"]}


def test_a_company_application_belongs_to_the_company(portal: Portal) -> None:
    nino = portal.login(NINO)
    as_bakery = {**nino, "X-Act-For": BAKERY}
    app = draft(portal, as_bakery, "mygov.e-communication.letter")
    assert app["on_behalf_of"] == {"kind": "entity", "id": BAKERY}
    assert portal.http.get(f"/v1/applications/{app['id']}", headers=nino).status_code == 404
    assert portal.http.get(f"/v1/applications/{app['id']}", headers=as_bakery).status_code == 200


@pytest.mark.parametrize("content_type, size, status", [("application/x-msdownload", 10, 415), ("application/pdf", 6 * 1024 * 1024, 413),
                                                          ("application/pdf", 0, 422)])
def test_attachment_limits(portal: Portal, content_type: str, size: int, status: int) -> None:
    nino = portal.login(NINO)
    app = draft(portal, nino)
    response = portal.http.post(f"/v1/applications/{app['id']}/attachments", params={"filename": "x.bin"},
                                content=b"x" * size, headers={**nino, "Content-Type": content_type})
    assert response.status_code == status
    assert response.json()["error"]["message"]["ka"]
    assert portal.http.get(f"/v1/applications/{app['id']}", headers=nino).json()["attachments"] == []


def test_a_draft_waiting_for_a_signature_can_still_be_discarded(portal: Portal) -> None:
    ana = portal.login(ANA)
    app = draft(portal, ana)
    portal.http.patch(f"/v1/applications/{app['id']}", json={"fields": ADDRESS}, headers=ana)
    request = portal.http.post(f"/v1/applications/{app['id']}/signing-requests", headers=ana).json()
    assert portal.http.delete(f"/v1/applications/{app['id']}", headers=ana).status_code == 204
    assert portal.http.get(f"/v1/applications/{app['id']}", headers=ana).status_code == 404
    gone = portal.http.post(f"/v1/signing-requests/{request['id']}/approve", json={"pin": SIGNING_PINS[ANA]}, headers=ana)
    assert gone.status_code == 404
