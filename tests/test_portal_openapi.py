"""The portal's OpenAPI document shows the shape of every reply, and real replies have the shape it declares.

Client authors (and the assistant's typed client) read /openapi.json; an operation declared as "any object",
or a declared shape the real reply does not have, would mislead them. The check below is a small reading of
the JSON schemas FastAPI makes from pydantic 1 models: a required key is present and not null, an optional one
may be null or absent, undeclared keys are refused where the schema says so, and values have their type.
"""
from __future__ import annotations

import re
from typing import Any

import httpx

from tests.conftest import NINO, PHONE_PINS, Portal

Doc = dict[str, Any]
_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
                                       "object": (dict,), "array": (list,)}


def _resolved(doc: Doc, schema: Doc) -> Doc:
    """Follow `$ref`, and pydantic's `allOf: [one $ref]` wrapper around a described field."""
    while True:
        if "$ref" in schema:
            schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        elif len(schema.get("allOf", ())) == 1:
            schema = schema["allOf"][0]
        else:
            return schema


def _fits(kind: str, value: Any) -> bool:
    return isinstance(value, _TYPES[kind]) and not (kind in ("integer", "number") and isinstance(value, bool))


def mismatches(doc: Doc, schema: Doc, value: Any, where: str = "$") -> list[str]:
    schema = _resolved(doc, schema)
    if "anyOf" in schema:
        return [] if any(not mismatches(doc, option, value, where) for option in schema["anyOf"]) else [f"{where}: no anyOf fits"]
    kind = schema.get("type")
    if kind is not None and not _fits(kind, value):
        return [f"{where}: {type(value).__name__} where {kind} is declared"]
    problems: list[str] = []
    if kind == "array":
        for index, item in enumerate(value):
            problems += mismatches(doc, schema.get("items", {}), item, f"{where}[{index}]")
    if kind == "object":
        declared = schema.get("properties", {})
        problems += [f"{where}.{key}: required, but missing or null" for key in schema.get("required", ()) if value.get(key) is None]
        if schema.get("additionalProperties") is False:
            problems += [f"{where}.{key}: not declared" for key in value if key not in declared]
        for key, item in value.items():
            if item is not None and key in declared:
                problems += mismatches(doc, declared[key], item, f"{where}.{key}")
    return problems


def openapi(portal: Portal) -> Doc:
    response = portal.http.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def assert_declared(doc: Doc, method: str, path: str, response: httpx.Response, status: int = 200) -> Any:
    """The reply has the status and the shape the document declares for this operation; its JSON, for more checks."""
    assert response.status_code == status, response.text
    declared = doc["paths"][path][method]["responses"][str(status)]["content"]["application/json"]["schema"]
    body = response.json()
    assert mismatches(doc, declared, body) == [], f"{method.upper()} {path} {status}"
    return body


def test_every_operation_declares_its_reply_and_errors_in_the_one_shape(portal: Portal) -> None:
    doc = openapi(portal)
    error = doc["components"]["schemas"]["ErrorBody"]
    problems = []
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            name, responses = f"{method.upper()} {path}", operation["responses"]
            success = [status for status in ("200", "201", "204") if status in responses]
            if len(success) != 1:
                problems.append(f"{name}: success statuses {success}")
                continue
            content = responses[success[0]].get("content", {})
            if success[0] == "204":
                problems += [f"{name}: 204 with a body"] if content else []
            elif "application/json" in content:
                if not _resolved(doc, content["application/json"]["schema"]).get("properties"):
                    problems.append(f"{name}: {success[0]} declares no properties")
            elif content != {"*/*": {"schema": {"type": "string", "format": "binary"}}}:
                problems.append(f"{name}: neither JSON nor a file: {content}")
            for status, response in responses.items():
                if re.fullmatch(r"[45]\d\d", status) and _resolved(doc, response["content"]["application/json"]["schema"]) != error:
                    problems.append(f"{name}: {status} is not in the one error shape")
            problems += [f"{name}: no 422 declared"] if "422" not in responses else []
    assert problems == []
    assert "HTTPValidationError" not in doc["components"]["schemas"]  # FastAPI's own 422 shape, which the portal never sends


def test_login_profile_and_information_replies_have_their_declared_shapes(portal: Portal) -> None:
    doc = openapi(portal)
    step1 = assert_declared(doc, "post", "/v1/auth/password", portal.http.post(
        "/v1/auth/password", json={"personal_number": NINO, "password": "Nino-demo-2026"}))
    sms = assert_declared(doc, "get", "/v1/dev/outbox", portal.http.get("/v1/dev/outbox", params={"personal_number": NINO}))
    code = re.search(r"\d{6}", sms["messages"][0]["text"])
    assert code is not None
    token = assert_declared(doc, "post", "/v1/auth/otp", portal.http.post(
        "/v1/auth/otp", json={"challenge_id": step1["challenge_id"], "code": code.group()}))
    nino = {"Authorization": f"Bearer {token['access_token']}"}
    phone = {"personal_number": NINO, "pin": PHONE_PINS[NINO]}
    assert_declared(doc, "post", "/v1/auth/phone-pin", portal.http.post("/v1/auth/phone-pin", json=phone))
    assert_declared(doc, "get", "/v1/me", portal.http.get("/v1/me", headers=nino))
    debt = assert_declared(doc, "get", "/v1/info/{topic}", portal.http.get("/v1/info/tax-debt", headers=nino))
    assert {"amount_tetri", "currency", "as_of"} <= debt.keys() and "items" not in debt  # absent, not null
    documents = assert_declared(doc, "get", "/v1/info/{topic}", portal.http.get("/v1/info/documents", headers=nino))
    assert "items" in documents and "amount_tetri" not in documents
    assert_declared(doc, "get", "/v1/applications/{application_id}", portal.http.get("/v1/applications/nothing", headers=nino), 404)
    assert_declared(doc, "post", "/v1/auth/phone-pin", portal.http.post("/v1/auth/phone-pin", json={"personal_number": 1}), 422)


def test_application_inbox_and_catalogue_replies_have_their_declared_shapes(portal: Portal) -> None:
    doc, nino = openapi(portal), portal.login(NINO)
    created = assert_declared(doc, "post", "/v1/applications", portal.http.post(
        "/v1/applications", json={"service_id": "civil.address.registration"}, headers=nino), 201)
    assert created["next_field"] is not None and created["signature"] is None and created["submitted_at"] is None
    assert_declared(doc, "get", "/v1/applications", portal.http.get("/v1/applications", headers=nino))
    assert_declared(doc, "get", "/v1/applications/{application_id}", portal.http.get(f"/v1/applications/{created['id']}", headers=nino))
    inbox = assert_declared(doc, "get", "/v1/inbox", portal.http.get("/v1/inbox", headers=nino))
    assert inbox["messages"] and all("body" not in message for message in inbox["messages"])
    one = assert_declared(doc, "get", "/v1/inbox/{message_id}", portal.http.get(f"/v1/inbox/{inbox['messages'][0]['id']}", headers=nino))
    assert one["body"]
    service = assert_declared(doc, "get", "/v1/catalogue/services/{service_id}",
                              portal.http.get("/v1/catalogue/services/civil.address.registration"))
    optional = ("choices", "range", "date_range", "max_length")
    assert all(question[key] is not None for question in service["form"] for key in optional if key in question)  # absent, not null
