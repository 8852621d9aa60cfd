"""The authorisation matrix: every citizen against every resource of every other citizen gets 404 and no data.

Acting for a company one does not represent is refused (403 `not_representative`, no data) before any
resource is looked at, or, where X-Act-For plays no part (approving a signature), the resource is not
there (404); without X-Act-For the company's resources are simply not there (404).
"""
from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

from tests.conftest import ANA, BAKERY, GIORGI, NINO, SIGNING_PINS
from tests.test_portal_security import SecuredPortal, portal_fixture

CHANNEL_KEY = "matrix-channel-key"
LETTER = {"agency": "NAPR", "subject": "საიდუმლო თემა", "body": "ეს წერილი მხოლოდ ავტორისთვისაა."}

portal = portal_fixture(messenger_channel_key=CHANNEL_KEY)


@dataclass(frozen=True)
class Resource:
    """One thing that belongs to `owner` (acting as `act_for`, if a company), and text only it may see."""

    owner: str
    kind: str
    method: str
    path: str
    secret: str
    act_for: str | None = None
    body: object = None


def _resources_of(portal: SecuredPortal, owner: str, act_for: str | None = None) -> list[Resource]:
    headers = {**portal.login(owner), **({"X-Act-For": act_for} if act_for else {})}
    app = portal.http.post("/v1/applications", json={"service_id": "mygov.e-communication.letter"}, headers=headers).json()
    path = f"/v1/applications/{app['id']}"
    assert portal.http.patch(path, json={"fields": LETTER}, headers=headers).status_code == 200
    attachment = portal.http.post(f"{path}/attachments", params={"filename": "private.txt"}, content=b"private words",
                                  headers={**headers, "Content-Type": "text/plain"}).json()
    request = portal.http.post(f"{path}/signing-requests", headers=headers).json()
    found = [Resource(owner, "application", method, path + tail, LETTER["subject"], act_for, body)
             for method, tail, body in (("GET", "", None), ("PATCH", "", {"fields": {"subject": "x"}}), ("DELETE", "", None),
                                        ("POST", "/submit", None), ("POST", "/signing-requests", None),
                                        ("POST", "/attachments?filename=a.txt", b"a"),
                                        ("DELETE", f"/attachments/{attachment['id']}", None))]
    found.append(Resource(owner, "signing request", "POST", f"/v1/signing-requests/{request['id']}/approve",
                          request["content_sha256"], act_for, {"pin": SIGNING_PINS[owner]}))  # even with the owner's PIN
    if act_for:
        found.append(Resource(owner, "company data", "GET", "/v1/info/tax-debt", BAKERY, act_for))
        return found
    for message in portal.http.get("/v1/inbox", headers=headers).json()["messages"]:
        message_path = f"/v1/inbox/{message['id']}"
        found += [Resource(owner, "message", "GET", message_path, message["subject"]),
                  Resource(owner, "message", "POST", f"{message_path}/read", message["subject"])]
        found += [Resource(owner, "attachment", "GET", f"{message_path}/attachments/{a['id']}", "%PDF")
                  for a in message["attachments"]]
    code = portal.http.post("/v1/messenger-links/codes", headers=headers).json()["code"]
    link = portal.http.post("/v1/messenger-links/redeem", headers={"X-Channel-Key": CHANNEL_KEY},
                            json={"code": code, "platform": "telegram", "account": f"matrix-{owner}"}).json()
    found.append(Resource(owner, "link", "DELETE", f"/v1/messenger-links/{link['link_id']}", link["link_id"]))
    return found


def _ask(portal: SecuredPortal, resource: Resource, headers: dict[str, str]) -> httpx.Response:
    body = resource.body
    if isinstance(body, bytes):
        return portal.http.request(resource.method, resource.path, content=body, headers={**headers, "Content-Type": "text/plain"})
    return portal.http.request(resource.method, resource.path, json=body, headers=headers)


@pytest.fixture(scope="module")
def everything(portal: SecuredPortal) -> list[Resource]:
    """Each citizen's resources, and the company's (made by its representative, Nino)."""
    return [r for owner in (NINO, GIORGI, ANA) for r in _resources_of(portal, owner)] + _resources_of(portal, NINO, BAKERY)


@pytest.mark.parametrize("attacker", [NINO, GIORGI, ANA])
def test_nobody_reaches_anything_of_another_citizen(portal: SecuredPortal, everything: list[Resource], attacker: str) -> None:
    resources = [r for r in everything if r.owner != attacker]
    assert {r.kind for r in resources} >= {"application", "signing request", "message", "attachment", "link"}
    own = portal.login(attacker)
    for resource in resources:
        answers = {"as themselves": _ask(portal, resource, own)}
        if resource.act_for:
            answers["acting for the company"] = _ask(portal, resource, {**own, "X-Act-For": resource.act_for})
        for how, answer in answers.items():
            if resource.kind == "company data" and how == "as themselves":
                continue  # without X-Act-For that path is the attacker's own data
            allowed = {(404, "not_found")} | ({(403, "not_representative")} if how == "acting for the company" else set())
            assert (answer.status_code, answer.json()["error"]["code"]) in allowed, (attacker, resource, how, answer.text)
            assert resource.secret not in answer.text
    # Nothing was changed by any of it: the owners still see their drafts as they were.
    for resource in resources:
        if resource.kind == "application" and resource.method == "GET":
            headers = {**portal.login(resource.owner), **({"X-Act-For": resource.act_for} if resource.act_for else {})}
            mine = portal.http.get(resource.path, headers=headers).json()
            assert mine["status"] == "draft" and mine["fields"]["subject"] == LETTER["subject"]
            assert len(mine["attachments"]) == 1
