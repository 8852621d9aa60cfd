"""Keys derived from the kept secrets: one way to make a Fernet key and a keyed hash, used by every part."""
from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet

from basics.settings import Settings, get_settings


def fernet(secret: str) -> Fernet:
    """A Fernet key from any kept secret (its SHA-256), so secrets can be plain random strings."""
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()))


def keyed_hash(secret: str, value: str) -> str:
    """A stable name for a value (a conversation id, a call id) that reveals nothing of it without the secret."""
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()


@lru_cache(maxsize=16)
def kept_key(name: str, settings: Settings | None = None) -> str:
    """A kept secret read once per process: channels use them with every message."""
    return (settings or get_settings()).kept_secret(name)


@lru_cache(maxsize=8)
def kept_fernet(name: str, settings: Settings | None = None) -> Fernet:
    return fernet(kept_key(name, settings))


def conversation_tag(conversation_id: str, settings: Settings | None = None) -> str:
    """What logs and transcripts say instead of a conversation id: a short keyed hash, enough to correlate."""
    return keyed_hash(kept_key("session_key", settings), conversation_id)[:12]
