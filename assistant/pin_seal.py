"""PINs never reach the conversation's storage in the clear.

A channel seals any message that looks like a PIN (4 to 6 digits alone): the text Rasa stores and
classifies becomes "[PIN]" and the digits travel encrypted in the message metadata. Only the action
server, which holds the same key, opens them, and only to hand them to the portal.
"""
from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from typing import Any, Mapping

from cryptography.fernet import Fernet, InvalidToken

from assistant.settings import get_settings

SEALED_TEXT = "[PIN]"
METADATA_KEY = "sealed_pin"
_PIN_SHAPED = re.compile(r"\s*\d(?:[\s-]?\d){3,5}\s*")


@lru_cache(maxsize=1)
def _fernet() -> Fernet:
    secret = get_settings().kept_secret("pin_seal_key")
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()))


def looks_like_pin(text: str | None) -> bool:
    return bool(text) and _PIN_SHAPED.fullmatch(text or "") is not None


def seal(text: str, metadata: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """The text and metadata to pass on: a PIN-shaped text is replaced and its digits encrypted."""
    metadata = dict(metadata or {})
    if not looks_like_pin(text):
        return text, metadata
    digits = re.sub(r"\D", "", text)
    metadata[METADATA_KEY] = _fernet().encrypt(digits.encode()).decode()
    return SEALED_TEXT, metadata


def message_text(message: Mapping[str, Any] | None) -> str:
    """What the user typed, with a sealed PIN opened again (for the action server only)."""
    message = message or {}
    text = message.get("text") or ""
    sealed = (message.get("metadata") or {}).get(METADATA_KEY)
    if text == SEALED_TEXT and isinstance(sealed, str):
        try:
            return _fernet().decrypt(sealed.encode()).decode()
        except InvalidToken:
            return ""
    return text
