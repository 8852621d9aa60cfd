"""Rasa's REST and socket.io channels, with PIN-shaped messages sealed (see assistant/pin_seal.py).

Same names and URLs as Rasa's own (``/webhooks/rest/webhook``, socket.io at ``/socket.io``), so any
client of those channels works unchanged.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint

from assistant.pin_seal import seal

Handler = Callable[[UserMessage], Awaitable[Any]]


def sealing(on_new_message: Handler) -> Handler:
    async def handle(message: UserMessage) -> Any:
        message.text, message.metadata = seal(message.text or "", message.metadata)
        return await on_new_message(message)

    return handle


class RestInput(RasaRestInput):
    def blueprint(self, on_new_message: Handler) -> Blueprint:
        return super().blueprint(sealing(on_new_message))


class SocketIOInput(RasaSocketIOInput):
    def blueprint(self, on_new_message: Handler) -> Blueprint:
        return super().blueprint(sealing(on_new_message))
