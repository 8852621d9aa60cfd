"""Identity: every login method works, wrong secrets lock, tokens expire and can be revoked."""
from __future__ import annotations

import time

import jwt

from tests.conftest import ANA, GIORGI, NINO, Portal
from tests.servers import TEST_SECRET
from tests.test_portal_security import portal_fixture

# Many wrong secrets from one address (127.0.0.1) here: the source throttle has its own tests.
portal = portal_fixture(source_throttle_after="1000")


def test_password_then_one_time_code_from_the_outbox(portal: Portal) -> None:
    step1 = portal.http.post("/v1/auth/password", json={"personal_number": GIORGI, "password": "Giorgi-demo-2026"})
    assert step1.status_code == 200, step1.text
    sms = portal.http.get("/v1/dev/outbox", params={"personal_number": GIORGI}).json()["messages"][0]["text"]
    code = sms.rsplit(" ", 1)[1]
    step2 = portal.http.post("/v1/auth/otp", json={"challenge_id": step1.json()["challenge_id"], "code": code})
    assert step2.status_code == 200
    me = portal.http.get("/v1/me", headers={"Authorization": f"Bearer {step2.json()['access_token']}"}).json()
    assert me["name"]["en"] == "Giorgi Maisuradze"
    reused = portal.http.post("/v1/auth/otp", json={"challenge_id": step1.json()["challenge_id"], "code": code})
    assert reused.status_code == 401


def test_id_card_login(portal: Portal) -> None:
    response = portal.http.post("/v1/auth/id-card", json={"personal_number": NINO, "pin": "1111"})
    assert response.status_code == 200
    assert response.json()["method"] == "id-card"


def test_unknown_person_gets_the_same_answer_as_a_wrong_pin(portal: Portal) -> None:
    unknown = portal.http.post("/v1/auth/phone-pin", json={"personal_number": "99999999999", "pin": "1234"})
    known = portal.http.post("/v1/auth/phone-pin", json={"personal_number": GIORGI, "pin": "1234"})
    assert unknown.status_code == known.status_code == 401
    assert unknown.json() == known.json()


def test_five_wrong_pins_lock_the_method_even_for_the_right_pin(portal: Portal) -> None:
    statuses = [portal.http.post("/v1/auth/id-card", json={"personal_number": ANA, "pin": "0000"}) for _ in range(5)]
    assert [r.status_code for r in statuses] == [401, 401, 401, 401, 423]
    assert statuses[0].json()["error"]["fields"]["attempts_left"] == 4
    right = portal.http.post("/v1/auth/id-card", json={"personal_number": ANA, "pin": "3333"})
    assert right.status_code == 423
    assert "15" in right.json()["error"]["message"]["en"]
    # Another method of the same person is not locked.
    assert portal.http.post("/v1/auth/phone-pin", json={"personal_number": ANA, "pin": "9753"}).status_code == 200


def test_a_right_pin_resets_the_count(portal: Portal) -> None:
    for _ in range(4):
        assert portal.http.post("/v1/auth/phone-pin", json={"personal_number": NINO, "pin": "0000"}).status_code == 401
    portal.login(NINO)
    wrong = portal.http.post("/v1/auth/phone-pin", json={"personal_number": NINO, "pin": "0000"})
    assert wrong.json()["error"]["fields"]["attempts_left"] == 4


def test_expired_forged_and_missing_tokens_are_refused(portal: Portal) -> None:
    now = int(time.time())
    expired = jwt.encode({"sub": GIORGI, "jti": "x", "iat": now - 3600, "exp": now - 60}, TEST_SECRET, algorithm="HS256")
    forged = jwt.encode({"sub": GIORGI, "jti": "y", "iat": now, "exp": now + 600}, "not-the-secret-but-long-enough-for-hs256", algorithm="HS256")
    for headers in ({"Authorization": f"Bearer {expired}"}, {"Authorization": f"Bearer {forged}"}, {}, {"Authorization": "Bearer"}):
        response = portal.http.get("/v1/info/tax-debt", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"


def test_logout_revokes_the_token(portal: Portal) -> None:
    headers = portal.login(GIORGI)
    assert portal.http.post("/v1/auth/logout", headers=headers).status_code == 200
    assert portal.http.get("/v1/me", headers=headers).status_code == 401
