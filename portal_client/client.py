"""The one typed async client the action server uses for every portal call.

Idempotent calls (GET, PUT, DELETE) are retried with backoff when the portal does not answer;
calls that create or change something are sent once, so a retry can never file twice.
"""
from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional

import httpx

from basics.settings import Settings, get_settings
from portal_client.errors import PortalUnavailable, error_from_response

Json = dict[str, Any]
IDEMPOTENT = frozenset({"GET", "PUT", "DELETE", "HEAD"})
RETRY_STATUSES = frozenset({502, 503, 504})


@dataclass(frozen=True)
class Token:
    access_token: str
    expires_at: str
    method: str


@dataclass(frozen=True)
class Application:
    id: str
    service_id: str
    status: str
    fields: dict[str, str]
    missing_required: list[str]
    next_field: Optional[str]
    signed: bool
    registration_number: Optional[str]
    raw: Json

    @classmethod
    def from_json(cls, data: Json) -> "Application":
        signature = data.get("signature") or {}
        return cls(data["id"], data["service_id"], data["status"], data.get("fields", {}), data.get("missing_required", []),
                   data.get("next_field"), bool(signature.get("valid")), data.get("registration_number"), data)


@lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    """Built once, not per client: loading the CA bundle is slow."""
    return ssl.create_default_context()


class PortalClient:
    """Calls the portal as one citizen (their own token), optionally acting for a company they represent."""

    def __init__(self, settings: Settings | None = None, token: str | None = None, act_for: str | None = None,
                 source: str | None = None, transport: httpx.AsyncBaseTransport | None = None) -> None:
        """``source``: who is typing, as the channel saw them (a keyed hash); the portal throttles wrong
        secrets per source, and believes this header only from the assistant's own addresses.
        ``transport``: how requests travel (httpx's own over the network when None; tests pass
        `httpx.ASGITransport(app=portal_app)` to reach the portal in-process)."""
        self._settings = settings or get_settings()
        headers = {"Accept": "application/json"}
        if source:
            headers["X-Forwarded-For"] = source
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if act_for:
            headers["X-Act-For"] = act_for
        # A client per turn is cheap only without proxy discovery from the environment (trust_env) and
        # with one shared TLS context: together they cost 20-50 ms a turn (docs/benchmarks.md).
        self._http = httpx.AsyncClient(base_url=self._settings.portal_base_url, headers=headers, verify=_tls_context(),
                                       trust_env=False, timeout=self._settings.portal_timeout_seconds, transport=transport)

    async def __aenter__(self) -> "PortalClient":
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _call(self, method: str, path: str, **kwargs: Any) -> Json:
        """The portal's JSON answer ({} for 204 No Content), or the typed error of a refusal."""
        attempts = 1 + (self._settings.portal_retries if method in IDEMPOTENT else 0)
        for attempt in range(attempts):
            try:
                response = await self._http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                failure: Exception = PortalUnavailable(type(exc).__name__)
            else:
                if response.status_code not in RETRY_STATUSES or attempt == attempts - 1:
                    return self._result(response)
                failure = PortalUnavailable(f"HTTP {response.status_code}")
            if attempt < attempts - 1:
                await asyncio.sleep(0.2 * 2**attempt)
        raise failure

    @staticmethod
    def _result(response: httpx.Response) -> Json:
        if response.status_code == 204:
            return {}
        try:
            body = response.json()
        except ValueError:
            body = None
        if not response.is_success:
            raise error_from_response(response.status_code, body)
        if not isinstance(body, dict):  # every answer of the portal's API is a JSON object
            raise PortalUnavailable(f"HTTP {response.status_code} without a JSON object")
        return body

    # Identity
    async def login_with_phone_pin(self, personal_number: str, pin: str) -> Token:
        data = await self._call("POST", "/v1/auth/phone-pin", json={"personal_number": personal_number, "pin": pin})
        return Token(data["access_token"], data["expires_at"], data["method"])

    async def logout(self) -> None:
        await self._call("POST", "/v1/auth/logout")

    async def me(self) -> Json:
        return await self._call("GET", "/v1/me")

    async def set_preferences(self, speech_rate: int | None = None, preferred_language: str | None = None) -> Json:
        body = {k: v for k, v in {"speech_rate": speech_rate, "preferred_language": preferred_language}.items() if v is not None}
        return await self._call("PATCH", "/v1/me/preferences", json=body)

    # Catalogue and agencies
    async def service(self, service_id: str) -> Json:
        return await self._call("GET", f"/v1/catalogue/services/{service_id}")

    async def agencies(self) -> list[Json]:
        agencies: list[Json] = (await self._call("GET", "/v1/agencies"))["agencies"]
        return agencies

    # Informational services: documents, enterprises, border-crossings, tax-debt, property, debtor-status
    async def info(self, topic: str) -> Json:
        return await self._call("GET", f"/v1/info/{topic}")

    # Applications
    async def create_application(self, service_id: str) -> Application:
        return Application.from_json(await self._call("POST", "/v1/applications", json={"service_id": service_id}))

    async def applications(self, status: str | None = None) -> list[Application]:
        data = await self._call("GET", "/v1/applications", params={"status": status} if status else None)
        return [Application.from_json(a) for a in data["applications"]]

    async def application(self, application_id: str) -> Application:
        return Application.from_json(await self._call("GET", f"/v1/applications/{application_id}"))

    async def fill(self, application_id: str, fields: dict[str, str | None]) -> Application:
        return Application.from_json(await self._call("PATCH", f"/v1/applications/{application_id}", json={"fields": fields}))

    async def attach(self, application_id: str, filename: str, content: bytes, content_type: str) -> Json:
        return await self._call("POST", f"/v1/applications/{application_id}/attachments", params={"filename": filename},
                                content=content, headers={"Content-Type": content_type})

    async def request_signature(self, application_id: str) -> Json:
        return await self._call("POST", f"/v1/applications/{application_id}/signing-requests")

    async def approve_signature(self, request_id: str, signing_pin: str) -> Application:
        data = await self._call("POST", f"/v1/signing-requests/{request_id}/approve", json={"pin": signing_pin})
        return Application.from_json(data["application"])

    async def submit(self, application_id: str) -> Application:
        return Application.from_json(await self._call("POST", f"/v1/applications/{application_id}/submit"))

    async def discard(self, application_id: str) -> None:
        await self._call("DELETE", f"/v1/applications/{application_id}")

    # Inbox
    async def inbox(self, unread_only: bool = False) -> Json:
        return await self._call("GET", "/v1/inbox", params={"unread": "true"} if unread_only else None)

    async def message(self, message_id: str) -> Json:
        return await self._call("GET", f"/v1/inbox/{message_id}")

    async def mark_read(self, message_id: str) -> Json:
        return await self._call("POST", f"/v1/inbox/{message_id}/read")

    # A person
    async def request_callback(self, topic: str, language: str, phone: str | None = None) -> Json:
        return await self._call("POST", "/v1/callback-requests", json={"topic": topic, "language": language, "phone": phone})

    # Messenger links: for the messenger channels, which prove themselves with the channel key and each
    # account with its own link secret (never a citizen's password, never a key that opens every account)
    def _channel(self) -> dict[str, str]:
        return {"X-Channel-Key": self._settings.kept_secret("messenger_channel_key")}

    async def redeem_link_code(self, code: str, platform: str, account: str) -> Json:
        return await self._call("POST", "/v1/messenger-links/redeem", headers=self._channel(),
                                json={"code": code, "platform": platform, "account": account})

    async def link_token(self, link_id: str, link_secret: str) -> Json:
        return await self._call("POST", "/v1/messenger-links/token", headers=self._channel(),
                                json={"link_id": link_id, "link_secret": link_secret})

    async def unlink(self, link_id: str, link_secret: str) -> None:
        await self._call("POST", "/v1/messenger-links/unlink", headers=self._channel(),
                         json={"link_id": link_id, "link_secret": link_secret})
