"""Secrets at rest (scrypt) and signed short-lived access tokens (JWT, HS256) with revocation."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from sqlalchemy.orm import Session

from portal.errors import UNAUTHENTICATED
from portal.models import RevokedToken, utcnow

_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


# A hash of nothing anyone knows, checked when there is no stored secret, so that costs the same time.
_STAND_IN = hash_secret(secrets.token_urlsafe(32))


def check_secret(secret: str, stored: str | None) -> bool:
    """Whether the secret matches; with nothing stored (an unknown person), as slowly as a real check, and False."""
    try:
        _, salt_hex, digest_hex = (stored or _STAND_IN).split("$")
    except ValueError:
        return False
    digest = hashlib.scrypt(secret.encode(), salt=bytes.fromhex(salt_hex), **_SCRYPT)
    return stored is not None and hmac.compare_digest(digest.hex(), digest_hex)


@dataclass(frozen=True)
class Principal:
    """Who is calling: a citizen, proven by a token obtained with `method`."""

    personal_number: str
    method: str
    jti: str
    expires_at: datetime


class TokenService:
    def __init__(self, secret: str, ttl_seconds: int) -> None:
        self._secret, self._ttl = secret, ttl_seconds

    def issue(self, personal_number: str, method: str) -> tuple[str, datetime]:
        now = utcnow()
        expires = now + timedelta(seconds=self._ttl)
        claims = {"sub": personal_number, "amr": method, "jti": str(uuid.uuid4()),
                  "iat": int(now.timestamp()), "exp": int(expires.timestamp())}
        return jwt.encode(claims, self._secret, algorithm="HS256"), expires

    def verify(self, token: str, db: Session) -> Principal:
        try:
            claims = jwt.decode(token, self._secret, algorithms=["HS256"], options={"require": ["exp", "sub", "jti"]})
        except jwt.PyJWTError:
            raise UNAUTHENTICATED from None
        if db.get(RevokedToken, claims["jti"]) is not None:
            raise UNAUTHENTICATED
        return Principal(claims["sub"], claims.get("amr", ""), claims["jti"], datetime.utcfromtimestamp(claims["exp"]))

    def digest(self, purpose: str, value: str) -> str:
        """A keyed hash of a short secret (a link code), useless to anyone holding only the database."""
        return hmac.new(self._secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    @staticmethod
    def revoke(principal: Principal, db: Session) -> None:
        db.merge(RevokedToken(jti=principal.jti, expires_at=principal.expires_at))
