"""Secrets typed into a conversation never reach its storage in the clear.

A channel seals a message with digits in it when the dialogue is asking for a secret (personal
number, phone PIN, signing PIN: see basics/identity.py), whatever its wording ("my pin is 2468"),
and any message that is only a PIN (4 to 6 digits) or a personal number (11 digits). The text Rasa stores and
classifies becomes "[PIN]"; the original travels encrypted in the metadata, bound to its conversation
and readable for ``pin_seal_seconds``. Only the action server opens it. A secret handed to the portal
is opened with `use_secret`, which works once: a sealed PIN copied from the store cannot be replayed.
"""
from __future__ import annotations

import hashlib
import json
import re
import time
from typing import Any, Mapping

from cryptography.fernet import InvalidToken

from basics.identity import identity_store
from basics.keys import conversation_tag, kept_fernet
from basics.settings import get_settings

SEALED_TEXT = "[PIN]"
METADATA_KEY = "sealed_pin"
_SECRET_SHAPED = re.compile(r"\s*(?:\d(?:[\s-]?\d){3,5}|\d(?:[\s-]?\d){10})\s*")


def looks_like_pin(text: str | None) -> bool:
    """A PIN or a personal number alone, as typed or spoken (digits with spaces or dashes)."""
    return bool(text) and _SECRET_SHAPED.fullmatch(text or "") is not None


def seal_value(value: str, conversation_id: str) -> str:
    """`value` encrypted and bound to one conversation (also for values the dialogue keeps in a slot)."""
    payload = json.dumps({"c": conversation_tag(conversation_id), "v": value})
    return kept_fernet("pin_seal_key").encrypt(payload.encode()).decode()


def open_value(sealed: object, conversation_id: str, ttl: float | None = None) -> str | None:
    """The sealed value, if it was sealed for this conversation and not too long ago; else None."""
    if not isinstance(sealed, str):
        return None
    try:
        payload = kept_fernet("pin_seal_key").decrypt(sealed.encode(), ttl=int(ttl or get_settings().pin_seal_seconds))
        data = json.loads(payload)
    except (InvalidToken, ValueError):
        return None
    return str(data["v"]) if data.get("c") == conversation_tag(conversation_id) else None


def seal(text: str, metadata: Mapping[str, Any] | None, conversation_id: str,
         expecting: str | None = None) -> tuple[str, dict[str, Any]]:
    """The text and metadata to pass on: a secret, or anything said while one is asked, is sealed."""
    metadata = {k: v for k, v in (metadata or {}).items() if k != METADATA_KEY}  # never trust a client's seal
    # While a secret is asked, any message with a digit in it is taken as the secret; "help" or "cancel"
    # still reach the dialogue as words.
    if not (looks_like_pin(text) or (expecting and any(ch.isdigit() for ch in text))):
        return text, metadata
    metadata[METADATA_KEY] = seal_value(text, conversation_id)
    return SEALED_TEXT, metadata


def is_sealed(message: Mapping[str, Any] | None) -> bool:
    return _sealed(message) is not None


def _sealed(message: Mapping[str, Any] | None) -> object:
    message = message or {}
    return (message.get("metadata") or {}).get(METADATA_KEY) if message.get("text") == SEALED_TEXT else None


def message_text(message: Mapping[str, Any] | None, conversation_id: str) -> str:
    """What the user typed, a sealed text opened again for the dialogue's own use (never stored by it)."""
    sealed = _sealed(message)
    if sealed is None:
        return (message or {}).get("text") or ""
    return open_value(sealed, conversation_id) or ""


def use_secret(message: Mapping[str, Any] | None, conversation_id: str) -> str | None:
    """A sealed secret to hand to the portal: opened once only, however often the message is replayed."""
    sealed = _sealed(message)
    if sealed is None:
        return None
    value = open_value(sealed, conversation_id)
    if value is None:
        return None
    digest = hashlib.sha256(str(sealed).encode()).hexdigest()
    return value if identity_store().use_once(digest, time.time() + get_settings().pin_seal_seconds + 60) else None
