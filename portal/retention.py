"""Personal data kept only as long as it is needed: SMS, login challenges and token revocations expire."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import sessionmaker

from basics.settings import Settings
from portal.models import OtpChallenge, OutboxMessage, RevokedToken, utcnow


def sweep(sessions: sessionmaker, settings: Settings) -> int:
    """Delete what is past its retention; return how many rows went.

    A challenge's age counts from when it was issued; a revocation goes once its token has expired,
    because an expired token is refused anyway.
    """
    now = utcnow()
    issued_before = now - timedelta(hours=settings.otp_retention_hours) + timedelta(seconds=settings.otp_ttl_seconds)
    statements = (delete(OutboxMessage).where(OutboxMessage.created_at < now - timedelta(hours=settings.outbox_retention_hours)),
                  delete(OtpChallenge).where(OtpChallenge.expires_at < issued_before),
                  delete(RevokedToken).where(RevokedToken.expires_at < now))
    with sessions() as db:
        deleted = sum(db.execute(statement).rowcount for statement in statements)
        db.commit()
    return deleted
