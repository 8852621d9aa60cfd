"""Who is asking, as far as a server can tell: the peer's address or, behind trusted proxies, the nearest
address in X-Forwarded-For that they did not add (a client can write anything before that)."""
from __future__ import annotations

import ipaddress
from typing import Collection


def client_source(peer: str | None, forwarded_for: str, trusted: Collection[str]) -> str:
    address = peer or "unknown"
    forwarded = [part.strip() for part in forwarded_for.split(",") if part.strip()]
    while address in trusted and forwarded:
        address = forwarded.pop()
    try:
        return ipaddress.ip_address(address).compressed
    except ValueError:
        return address[:100]  # a label a trusted proxy passes (the assistant's keyed hash of its user)
