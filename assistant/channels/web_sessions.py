"""The web widget's socket.io channel: sessions the server issues and only their own browser tab resumes.

Rasa's own channel lets any client name any session id, in its ``session_request`` and in every
message, and join that session's room: knowing an id was enough to hear and act in someone else's
conversation. Here the server issues an unguessable id and a resume secret (a keyed hash of the id)
that only the tab that got it holds. A ``session_request`` with a valid id and secret resumes it;
anything else gets a new, empty session. Each socket speaks only for the session it was confirmed;
the ``session_id`` a message names is ignored. Conversation ids are namespaced ``web:``. Only the
metadata a page may give passes on (its citizen's portal token, the page's language).
Events and URL are Rasa's (``user_uttered``/``bot_uttered`` at ``/socket.io``); ``session_confirm``
carries ``{"session_id", "resume_secret"}``.
"""
from __future__ import annotations

import hmac
import logging
import secrets
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint, response
from sanic.request import Request
from socketio import AsyncServer

from assistant.channels.guard import SOURCE_KEY, TOKEN_KEY, Handler, guarded
from basics.keys import keyed_hash
from basics.settings import get_settings

log = logging.getLogger(__name__)

NAMESPACE = "web:"
PAGE_METADATA = (TOKEN_KEY, "language")
MAX_MESSAGE_CHARS = 5000


class WebSessions:
    """Issues session ids with their resume secrets, and checks a secret a tab presents."""

    def __init__(self, key: str) -> None:
        self.key = key

    def secret(self, session_id: str) -> str:
        return keyed_hash(self.key, NAMESPACE + session_id)

    def resume_or_new(self, request: Any) -> str:
        """The session a tab may resume, or a new one."""
        if isinstance(request, dict):
            session_id, secret = request.get("session_id"), request.get("resume_secret")
            if isinstance(session_id, str) and isinstance(secret, str) and \
                    hmac.compare_digest(secret.encode(), self.secret(session_id).encode()):
                return session_id
        return secrets.token_hex(16)


class HintedOutput(SocketIOOutput):
    """Rasa's socket.io output, each ``bot_uttered`` carrying its message's reply hint (``custom``)
    in the same event, so the widget knows what the message expects without reading its words."""

    def __init__(self, sio: AsyncServer, bot_message_evt: str) -> None:
        super().__init__(sio, bot_message_evt)
        self._custom: Any = None

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self._custom = message.get("custom")
        await super().send_response(recipient_id, {k: v for k, v in message.items() if k != "custom"})

    async def _send_message(self, socket_id: str, response: Any) -> None:
        if self._custom:
            response = {**response, "custom": self._custom}
        await super()._send_message(socket_id, response)


class SocketIOInput(RasaSocketIOInput):
    def get_output_channel(self) -> Any:
        """The output for messages Rasa sends by itself (the session warning), hints included."""
        return HintedOutput(self.sio, self.bot_message_evt) if self.sio is not None else None

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[])
        blueprint = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        sessions = WebSessions(get_settings().kept_secret("session_key"))
        confirmed: dict[str, str] = {}  # socket id -> the conversation it speaks for
        handle = guarded(on_new_message)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> Any:
            return response.json({"status": "ok"})

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str) -> None:
            confirmed.pop(sid, None)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            session_id = sessions.resume_or_new(data)
            previous = confirmed.get(sid)
            if previous:
                sio.leave_room(sid, previous, namespace=self.namespace)
            confirmed[sid] = NAMESPACE + session_id
            sio.enter_room(sid, confirmed[sid], namespace=self.namespace)
            await sio.emit("session_confirm", {"session_id": session_id, "resume_secret": sessions.secret(session_id)},
                           room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def user_uttered(sid: str, data: Any) -> None:
            conversation = confirmed.get(sid)
            if conversation is None or not isinstance(data, dict):
                log.info("a web message without a confirmed session was ignored")
                return
            given = data.get(self.metadata_key)
            metadata = {k: v for k, v in given.items() if k in PAGE_METADATA} if isinstance(given, dict) else {}
            metadata["channel"] = "web"
            request = (sio.get_environ(sid, namespace=self.namespace) or {}).get("sanic.request")
            metadata[SOURCE_KEY] = getattr(request, "remote_addr", "") or getattr(request, "ip", "") or conversation
            text = data.get("message")
            message = UserMessage(text[:MAX_MESSAGE_CHARS] if isinstance(text, str) else "",
                                  HintedOutput(sio, self.bot_message_evt), conversation,
                                  input_channel=self.name(), metadata=metadata)
            await handle(message)

        return blueprint
