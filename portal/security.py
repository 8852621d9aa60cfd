"""Secrets at rest (scrypt), signed short-lived access tokens (JWT, HS256) and wrong-secret lockout."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from sqlalchemy.orm import Session

from portal.errors import UNAUTHENTICATED, ApiError
from portal.models import AuthAttempts, RevokedToken, utcnow

_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_secret(secret: str, stored: str) -> bool:
    try:
        _, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    digest = hashlib.scrypt(secret.encode(), salt=bytes.fromhex(salt_hex), **_SCRYPT)
    return hmac.compare_digest(digest.hex(), digest_hex)


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


class Lockout:
    """Counts wrong secrets per citizen and method; after `attempts` the method is locked for a while."""

    def __init__(self, attempts: int, minutes: int) -> None:
        self.attempts, self.minutes = attempts, minutes

    table: Any = AuthAttempts  # a subclass counts in another table keyed by two columns

    def _new(self, personal_number: str, method: str) -> Any:
        return AuthAttempts(personal_number=personal_number, method=method, failures=0)

    def _row(self, db: Session, personal_number: str, method: str) -> Any:
        row = db.get(self.table, (personal_number, method), with_for_update=True)
        if row is None:
            row = self._new(personal_number, method)
            db.add(row)
        return row

    def ensure_open(self, db: Session, personal_number: str, method: str) -> None:
        row = db.get(self.table, (personal_number, method))
        if row is not None and row.locked_until is not None and row.locked_until > utcnow():
            raise self._locked_error(row.locked_until)

    def failed(self, db: Session, personal_number: str, method: str) -> ApiError:
        """Record a wrong secret, commit it, and return the error to raise."""
        row = self._row(db, personal_number, method)
        row.failures += 1
        left = self.attempts - row.failures
        if left <= 0:
            row.failures = 0
            row.locked_until = utcnow() + timedelta(minutes=self.minutes)
            db.commit()
            return self._locked_error(row.locked_until)
        db.commit()
        return ApiError(401, "wrong_secret", f"That is not correct. {left} attempts left before a {self.minutes}-minute lock.",
                        f"არასწორია. დარჩა {left} მცდელობა, შემდეგ {self.minutes} წუთით დაიბლოკება.",
                        {"attempts_left": left})

    def succeeded(self, db: Session, personal_number: str, method: str) -> None:
        row = db.get(self.table, (personal_number, method))
        if row is not None:
            row.failures, row.locked_until = 0, None

    def _locked_error(self, until: datetime) -> ApiError:
        minutes = max(1, int((until - utcnow()).total_seconds() // 60) + 1)
        return ApiError(423, "locked", f"Too many wrong attempts. This method is locked for {minutes} more minutes.",
                        f"ძალიან ბევრი არასწორი მცდელობა. ეს მეთოდი დაბლოკილია კიდევ {minutes} წუთით.",
                        {"locked_until": until.isoformat() + "Z", "minutes": minutes})
