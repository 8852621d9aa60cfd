"""Rasa's REST channel, for trusted back ends only: the phone line, the terminal chat and talk loop,
a portal's own server. Each request must carry ``Authorization: Bearer <rest_secret>``; without it the
answer is 401 and nothing is stored. Conversation ids are namespaced ``rest:`` so no REST caller can
address a conversation of another channel. Same URL as Rasa's own (``/webhooks/rest/webhook``).
The channel is always configured, so it also runs the retention sweep (assistant/retention.py).
"""
from __future__ import annotations

import asyncio
import hmac
from typing import Any, Optional

from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request

from assistant.channels.guard import Handler, guarded
from assistant.retention import sweep_forever
from basics.settings import get_settings

NAMESPACE = "rest:"
MAX_SENDER_CHARS = 200


class RestInput(RasaRestInput):
    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> "RestInput":
        return cls()

    def __init__(self) -> None:
        self.secret = get_settings().kept_secret("rest_secret")

    async def _extract_sender(self, req: Request) -> Optional[str]:
        return NAMESPACE + str(req.json["sender"])

    def get_metadata(self, request: Request) -> Optional[dict[str, Any]]:
        """A trusted back end's metadata as given; it may name its user's ``source`` (the phone line, a caller's
        address); otherwise each REST conversation is its own source."""
        metadata = request.json.get("metadata")
        return dict(metadata) if isinstance(metadata, dict) else {}

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        blueprint = super().blueprint(guarded(on_new_message))

        @blueprint.middleware("request")
        async def admit(request: Request) -> Any:
            if request.method != "POST":
                return None
            given = request.headers.get("authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {self.secret}".encode()):
                return response.json({"error": "unauthorized", "message": "This channel needs the REST secret."}, status=401)
            return problem(request)

        sweeping: list[asyncio.Task[None]] = []

        @blueprint.listener("after_server_start")
        async def keep_only_what_is_needed(_app: Any, loop: Any) -> None:
            sweeping.append(loop.create_task(sweep_forever(get_settings())))

        @blueprint.listener("before_server_stop")
        async def stop_sweeping(_app: Any, _loop: Any) -> None:
            for task in sweeping:
                task.cancel()

        return blueprint


def problem(request: Request) -> Any:
    """A clear 400 for a body Rasa's handler would fail on; None for a good one."""
    try:
        body = request.json
    except Exception:  # Sanic raises its own error for a body that is not JSON
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("message"), str) \
            or not isinstance(body.get("sender"), str) or not 0 < len(body["sender"]) <= MAX_SENDER_CHARS:
        return response.json({"error": "bad_request",
                              "message": "Send JSON with a text 'sender' (1-200 characters) and a text 'message'."}, status=400)
    return None
