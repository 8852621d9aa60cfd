"""What every channel does to a message before Rasa stores it: identity out, secrets sealed.

A channel that authenticated its user may pass their portal token as ``portal_token`` metadata; it is
taken out of the message here and kept server-side for that conversation (basics/identity.py), so
the conversation store never holds it. Secrets are then sealed (basics/sealing.py). The channel
also says who is typing (``source``: a web page's address, a messenger account, a caller); it is kept
only as a keyed hash, which the action server passes to the portal so wrong secrets are throttled per
source rather than per assistant.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage

from basics.identity import identity_store
from basics.keys import conversation_tag
from basics.sealing import seal

Handler = Callable[[UserMessage], Awaitable[Any]]
TOKEN_KEY = "portal_token"
SOURCE_KEY = "source"


def take_in(message: UserMessage) -> UserMessage:
    metadata = dict(message.metadata or {})
    token = metadata.pop(TOKEN_KEY, None)
    expecting = identity_store().arrive(message.sender_id, token if isinstance(token, str) else None)
    source = metadata.pop(SOURCE_KEY, None)
    metadata[SOURCE_KEY] = conversation_tag(f"source:{source or message.sender_id}")
    message.text, message.metadata = seal(message.text or "", metadata, message.sender_id, expecting)
    return message


def guarded(on_new_message: Handler) -> Handler:
    async def handle(message: UserMessage) -> Any:
        return await on_new_message(take_in(message))

    return handle
