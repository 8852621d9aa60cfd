"""No race wins: parallel guesses, edits, signatures, submits and link codes, as real concurrent HTTP requests."""
from __future__ import annotations

import math
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, TypeVar

import httpx

from tests.conftest import ANA, BAKERY, GIORGI, NINO, PHONE_PINS, SIGNING_PINS
from tests.test_portal_security import SecuredPortal, portal_fixture

T = TypeVar("T")
CHANNEL_KEY = "race-channel-key"
ADDRESS = {"new_address": "თბილისი, ვაჟა-ფშაველას გამზირი 12, ბინა 5", "registration_type": "2", "owner_consent": "კი"}

portal = portal_fixture(trusted_proxies="127.0.0.1", messenger_channel_key=CHANNEL_KEY)


def at_once(calls: list[Callable[[], T]], workers: int = 12) -> list[T]:
    """Run the calls on at most `workers` threads; the first `workers` of them are released together by a barrier."""
    workers = min(workers, len(calls))
    barrier = threading.Barrier(workers)

    def run(index: int, call: Callable[[], T]) -> T:
        if index < workers:
            barrier.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(run, range(len(calls)), calls))


def client(portal: SecuredPortal) -> httpx.Client:
    return httpx.Client(base_url=portal.base_url, timeout=60)


def signed_draft(portal: SecuredPortal, headers: dict[str, str], pin: str) -> dict:
    app = portal.http.post("/v1/applications", json={"service_id": "civil.address.registration"}, headers=headers).json()
    assert portal.http.patch(f"/v1/applications/{app['id']}", json={"fields": ADDRESS}, headers=headers).status_code == 200
    request = portal.http.post(f"/v1/applications/{app['id']}/signing-requests", headers=headers).json()
    approved = portal.http.post(f"/v1/signing-requests/{request['id']}/approve", json={"pin": pin}, headers=headers)
    assert approved.status_code == 200, approved.text
    return approved.json()["application"]


def test_sixty_wrong_pins_at_once_check_at_most_five_then_the_right_pin_waits(portal: SecuredPortal) -> None:
    with client(portal) as http:  # each guess from its own address: only the citizen's count holds them back
        answers = at_once([lambda n=n: http.post("/v1/auth/phone-pin", json={"personal_number": GIORGI, "pin": "0000"},
                                                 headers={"X-Forwarded-For": f"198.18.0.{n}"}) for n in range(60)])
    statuses = Counter(r.status_code for r in answers)
    assert set(statuses) == {401, 423}, statuses
    left = sorted(r.json()["error"]["fields"]["attempts_left"] for r in answers if r.status_code == 401)
    assert left == sorted(set(left)) and set(left) <= {1, 2, 3, 4}  # each check had its own number: at most 5 checks
    right = portal.http.post("/v1/auth/phone-pin", json={"personal_number": GIORGI, "pin": PHONE_PINS[GIORGI]},
                             headers={"X-Forwarded-For": "198.18.9.9"})
    assert right.status_code == 423 and right.json()["error"]["fields"]["minutes"] == 15


def test_a_burst_from_one_address_is_held_back_by_the_throttle(portal: SecuredPortal) -> None:
    started = time.monotonic()
    with client(portal) as http:
        answers = at_once([lambda: http.post("/v1/auth/id-card", json={"personal_number": ANA, "pin": "0000"},
                                             headers={"X-Forwarded-For": "198.19.0.1"}) for _ in range(30)])
    # Five checks, then one more after each wait of 1 s, 2 s, 4 s ... that passed while the burst lasted.
    waits_passed = math.floor(math.log2(time.monotonic() - started + 1))
    statuses = Counter(r.status_code for r in answers)
    assert statuses[401] + statuses[423] <= 5 + waits_passed and statuses[429] >= 30 - 5 - waits_passed, statuses


def test_submit_racing_an_edit_sends_only_signed_content(portal: SecuredPortal) -> None:
    nino = portal.login(NINO)
    with client(portal) as http:
        for _ in range(6):
            app = signed_draft(portal, nino, SIGNING_PINS[NINO])
            path = f"/v1/applications/{app['id']}"
            submit, edit = at_once([lambda: http.post(f"{path}/submit", headers=nino),
                                    lambda: http.patch(path, json={"fields": {"owner_consent": "no"}}, headers=nino)])
            final = http.get(path, headers=nino).json()
            if submit.status_code == 200:
                assert edit.status_code == 409 and edit.json()["error"]["code"] == "not_a_draft"
                assert final["fields"]["owner_consent"] == "yes" and final["signature"]["valid"]
                assert final["signature"]["content_sha256"] == app["signature"]["content_sha256"]
            else:
                assert submit.status_code == 409 and submit.json()["error"]["code"] == "not_signed", submit.text
                assert edit.status_code == 200 and final["status"] == "draft" and final["signature"] is None


def test_one_draft_is_submitted_once(portal: SecuredPortal) -> None:
    nino = portal.login(NINO)  # not Giorgi: his phone PIN is locked by the sixty guesses
    app = signed_draft(portal, nino, SIGNING_PINS[NINO])
    with client(portal) as http:
        answers = at_once([lambda: http.post(f"/v1/applications/{app['id']}/submit", headers=nino) for _ in range(4)])
    assert sorted(r.status_code for r in answers) == [200, 409, 409, 409]
    assert {r.json()["error"]["code"] for r in answers if r.status_code == 409} == {"not_a_draft"}
    history = portal.http.get(f"/v1/applications/{app['id']}", headers=nino).json()["history"]
    assert [h["status"] for h in history] == ["draft", "submitted"]


def test_parallel_submits_of_different_drafts_get_different_numbers(portal: SecuredPortal) -> None:
    ana = portal.login(ANA)
    apps = [signed_draft(portal, ana, SIGNING_PINS[ANA]) for _ in range(8)]
    with client(portal) as http:
        answers = at_once([lambda app=app: http.post(f"/v1/applications/{app['id']}/submit", headers=ana) for app in apps])
    assert [r.status_code for r in answers] == [200] * 8, [r.text for r in answers if r.status_code != 200]
    numbers = {r.json()["registration_number"] for r in answers}
    assert len(numbers) == 8


def test_parallel_edits_of_different_answers_all_land(portal: SecuredPortal) -> None:
    nino = portal.login(NINO)
    app = portal.http.post("/v1/applications", json={"service_id": "civil.address.registration"}, headers=nino).json()
    path = f"/v1/applications/{app['id']}"
    with client(portal) as http:
        answers = at_once([lambda name=name, value=value: http.patch(path, json={"fields": {name: value}}, headers=nino)
                           for name, value in ADDRESS.items()])
    assert [r.status_code for r in answers] == [200] * len(ADDRESS)
    final = portal.http.get(path, headers=nino).json()
    assert final["fields"] == {**ADDRESS, "registration_type": "temporary", "owner_consent": "yes"}
    assert final["version"] == len(ADDRESS)


def test_a_stale_version_is_refused_and_the_current_one_accepted(portal: SecuredPortal) -> None:
    nino = portal.login(NINO)
    app = portal.http.post("/v1/applications", json={"service_id": "civil.address.registration"}, headers=nino).json()
    path = f"/v1/applications/{app['id']}"
    first = portal.http.patch(path, json={"fields": {"owner_consent": "yes"}}, headers={**nino, "If-Match": str(app["version"])})
    assert first.status_code == 200
    stale = portal.http.patch(path, json={"fields": {"owner_consent": "no"}}, headers={**nino, "If-Match": str(app["version"])})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "changed_meanwhile"
    current = portal.http.patch(path, json={"fields": {"owner_consent": "no"}},
                                headers={**nino, "If-Match": f'"{first.json()["version"]}"'})
    assert current.status_code == 200 and current.json()["fields"]["owner_consent"] == "no"


def test_a_link_code_tried_by_several_accounts_at_once_links_one(portal: SecuredPortal) -> None:
    code = portal.http.post("/v1/messenger-links/codes", headers=portal.login(ANA)).json()["code"]
    with client(portal) as http:
        answers = at_once([lambda n=n: http.post("/v1/messenger-links/redeem", headers={"X-Channel-Key": CHANNEL_KEY},
                                                 json={"code": code, "platform": "telegram", "account": f"racer-{n}"})
                           for n in range(8)])
    assert sorted(r.status_code for r in answers) == [200] + [401] * 7
    assert len(portal.http.get("/v1/messenger-links", headers=portal.login(ANA)).json()["links"]) == 1


def test_a_former_representative_cannot_approve_the_companys_signature(portal: SecuredPortal) -> None:
    nino = portal.login(NINO)
    as_bakery = {**nino, "X-Act-For": BAKERY}
    app = portal.http.post("/v1/applications", json={"service_id": "mygov.e-communication.letter"}, headers=as_bakery).json()
    portal.http.patch(f"/v1/applications/{app['id']}", headers=as_bakery,
                      json={"fields": {"agency": "NAPR", "subject": "კითხვა", "body": "როდის იქნება ამონაწერი მზად?"}})
    request = portal.http.post(f"/v1/applications/{app['id']}/signing-requests", headers=as_bakery).json()
    representation = f"/v1/agency/entities/{BAKERY}/representatives/{NINO}"
    assert portal.http.delete(representation, headers=portal.agency()).status_code == 200
    try:
        refused = portal.http.post(f"/v1/signing-requests/{request['id']}/approve", json={"pin": SIGNING_PINS[NINO]},
                                   headers=nino)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_representative"
        assert "representative" in refused.json()["error"]["message"]["en"]
    finally:
        portal.http.put(representation, json={"role": "director"}, headers=portal.agency())
    assert portal.http.get(f"/v1/applications/{app['id']}", headers=as_bakery).json()["signature"] is None
