"""Fuzzing every operation of the portal's own /openapi.json: hostile input gets a clear 4xx, never a 5xx.

Requests are generated from each operation's parameters and body schema with a fixed seed: real ids
and form questions of the caller mixed with lone surrogates, numbers and dates of thousands of digits,
wrong types, nested junk and bodies that are not JSON. They carry a real citizen's token, the agency
key and the channel key, so the handlers behind authentication are reached too.
"""
from __future__ import annotations

import json
import random
import uuid
from typing import Any
from urllib.parse import quote

import httpx

from tests.conftest import BAKERY, GIORGI, NINO
from tests.servers import TEST_AGENCY_KEY
from tests.test_portal_security import SecuredPortal, portal_fixture

CHANNEL_KEY = "fuzz-channel-key"
PER_OPERATION = 8
JUNK_TEXT = ["", " ", "\ud800", "a\udfffb", "\x00\x07", "\udc00\ud800", "9" * 5000, "1" + "0" * 4400, "12345678901234567890-01-01",
             "01.01.99999999999999999999", "99999999999999999999", "-0", "1e999", "NaN", "ა" * 400,
             "' OR '1'='1", "../../etc/passwd", "%ED%A0%80", "\u202e", "x" * 70000]
JUNK_VALUES: list[Any] = [*JUNK_TEXT, 0, -1, 10**40, 1.5, True, None, [], {}, [[[[]]]], {"a": {"b": [1, "\ud800"]}}]
HUGE_ANSWERS: list[Any] = ["9" * 5000, "1" + "0" * 4400, "-" + "7" * 4301, 10**40, "12345678901234567890-01-01",
                           "01.01.99999999999999999999", "99999999999999999999 მარტი 2026", "31/12/" + "9" * 300]
RAW_BODIES = ["not json", "", "null", "[]", "{", '{"fields": {"x": 1' + "0" * 5000 + "}}", "[" * 5000 + "]" * 5000,
              '{"a": NaN}', '{"pin": "\\ud800", "personal_number": "\\udfff"}']
HEADER_JUNK = ["", "0", "*", "abc", "9" * 60, 'W/"1"', "%ff", "x" * 5000]

portal = portal_fixture(source_throttle_after="1000", messenger_channel_key=CHANNEL_KEY)


class Fuzzer:
    """Generates requests for one operation at a time from the schema and pools of real and hostile values."""

    def __init__(self, portal: SecuredPortal, spec: dict[str, Any], rng: random.Random) -> None:
        self.portal, self.spec, self.rng = portal, spec, rng
        self.auth = {**portal.login(NINO), "X-Agency-Key": TEST_AGENCY_KEY, "X-Channel-Key": CHANNEL_KEY}
        self.real: dict[str, list[str]] = {"personal_number": [GIORGI, "01099999999"], "entity_id": [BAKERY],
                                           "topic": ["tax-debt", "border-crossings", "enterprises"]}
        self.questions: list[str] = []
        self._drafts_with_numbers_and_dates()
        inbox = portal.http.get("/v1/inbox", headers=self.auth).json()["messages"]
        self.real["message_id"] = [m["id"] for m in inbox]
        self.real["attachment_id"] = [a["id"] for m in inbox for a in m["attachments"]]

    def _drafts_with_numbers_and_dates(self) -> None:
        services = self.portal.http.get("/v1/catalogue/services", params={"kind": "functional"}).json()["services"]
        self.real["service_id"] = [s["id"] for s in services[:5]]
        drafts = []
        for service in services:
            form = self.portal.http.get(f"/v1/catalogue/services/{service['id']}").json()["form"]
            if {"number", "date"} & {question["type"] for question in form}:
                drafts.append(self.portal.http.post("/v1/applications", json={"service_id": service["id"]},
                                                    headers=self.auth).json()["id"])
                self.questions += [question["name"] for question in form]
            if len(drafts) == 3:
                break
        self.real["application_id"] = drafts

    def pick(self, name: str) -> Any:
        real = self.real.get(name)
        if real and self.rng.random() < 0.6:
            return self.rng.choice(real)
        return self.rng.choice([str(uuid.uuid4()), *JUNK_TEXT[:14]])

    def value(self, schema: dict[str, Any], name: str = "") -> Any:
        schema = self._resolved(schema)
        if self.rng.random() < 0.25:
            return self.rng.choice(JUNK_VALUES)
        if schema.get("type") == "object" or "properties" in schema:
            return self.body(schema)
        if name in self.real:
            return self.pick(name)
        pattern = schema.get("pattern", "")
        if "ka|en" in pattern:
            return "ka"
        if r"\d{4,6}" in pattern or r"\d{6}" in pattern:
            return "0000" if "4,6" in pattern else "000000"
        return self.rng.choice(["text", "ბიძინა", "5", "2026-03-14", "14 მარტი 2026", *JUNK_TEXT])

    def body(self, schema: dict[str, Any]) -> dict[str, Any]:
        schema = self._resolved(schema)
        result: dict[str, Any] = {}
        for name, property_schema in schema.get("properties", {}).items():
            if self.rng.random() < 0.9:
                result[name] = self.value(property_schema, name)
        if schema.get("additionalProperties") not in (None, False):  # a form's answers: real questions, hostile values
            for _ in range(self.rng.randint(1, 3)):
                key = self.rng.choice(self.questions) if self.rng.random() < 0.9 else self.rng.choice(["\ud800", "9" * 300, ""])
                result[key] = self.rng.choice([*HUGE_ANSWERS, "2026-03-14", "42"] if self.rng.random() < 0.7 else JUNK_VALUES)
        if self.rng.random() < 0.1:
            result[self.rng.choice(["extra", "\udfff"])] = self.rng.choice(JUNK_VALUES)
        return result

    def _resolved(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def request(self, method: str, path: str, operation: dict[str, Any]) -> httpx.Request:
        query, headers = [], dict(self.auth)
        for parameter in operation.get("parameters", []):
            name, where = parameter["name"], parameter["in"]
            if where == "path":
                path = path.replace("{" + name + "}", _escaped(self.pick(name)) or "-")
            elif where == "query" and self.rng.random() < 0.8:
                query.append(f"{name}={_escaped(self.value(parameter.get('schema', {}), name))}")
            elif name.lower() in ("x-act-for", "if-match") and self.rng.random() < 0.3:
                headers[name] = self.rng.choice([BAKERY, *HEADER_JUNK])
        if path == "/v1/auth/logout":  # a token of its own, so the other requests keep theirs
            headers["Authorization"] = self.portal.login(NINO)["Authorization"]
        content: bytes | None = None
        if "requestBody" in operation:
            headers["Content-Type"] = "application/json"
            schema = next(iter(operation["requestBody"]["content"].values()))["schema"]
            content = (self.rng.choice(RAW_BODIES) if self.rng.random() < 0.25 else json.dumps(self.body(schema))).encode()
        elif path.endswith("/attachments") and method == "post":
            headers["Content-Type"] = self.rng.choice(["text/plain", "application/pdf", "image/png", "", "a/b; x=%ff"])
            content = self.rng.randbytes(self.rng.choice([0, 1, 100, 70000]))
        url = path + ("?" + "&".join(query) if query else "")
        return self.portal.http.build_request(method.upper(), url, headers=headers, content=content)


def _escaped(value: Any) -> str:
    """Any value as URL text (cut to fit a URL): lone surrogates become bytes no UTF-8 decoder accepts."""
    text = value if isinstance(value, str) else json.dumps(value)
    return quote(text.encode("utf-8", "surrogatepass"), safe="")[:20000]


def test_no_operation_answers_hostile_input_with_a_server_error(portal: SecuredPortal) -> None:
    spec = portal.http.get("/openapi.json").json()
    fuzzer = Fuzzer(portal, spec, random.Random(20261201))
    operations = sorted(((method, path, operation) for path, item in spec["paths"].items() for method, operation in item.items()),
                        key=lambda found: found[0] == "delete")  # the real drafts stay for every other operation
    assert len(operations) >= 40
    failures, sent = [], 0
    for method, path, operation in operations:
        for _ in range(PER_OPERATION):
            request = fuzzer.request(method, path, operation)
            response = portal.http.send(request)
            sent += 1
            if response.status_code >= 500:
                failures.append(f"{method.upper()} {path} -> {response.status_code} for {request.content[:120]!r}")
            elif response.status_code >= 400:
                assert response.json()["error"]["code"], (method, path, response.text[:200])
    assert sent >= 300
    assert failures == [], "\n".join(failures)
    assert NINO not in "".join(p.read_text() for p in portal.data_dir.glob("portal-*.log"))
