"""What every request handler needs, built once per app: settings, sessions, tokens, lockout, throttle."""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Iterator

from fastapi import Depends, Header, Request
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from basics.settings import Settings
from portal.attempts import Lockout, SourceThrottle
from portal.errors import UNAUTHENTICATED, ApiError
from portal.models import ENTITY, PERSON, Citizen, Representation
from portal.security import Principal, TokenService


@dataclass(frozen=True)
class PortalContext:
    settings: Settings
    sessions: sessionmaker
    tokens: TokenService
    lockout: Lockout
    throttle: SourceThrottle
    agency_key: str


@dataclass(frozen=True)
class Subject:
    """On whose behalf a request acts: the citizen, or a company they currently represent."""

    kind: str
    id: str
    citizen: Citizen


def context(request: Request) -> PortalContext:
    return request.app.state.portal


def db_session(ctx: PortalContext = Depends(context)) -> Iterator[Session]:
    with ctx.sessions() as session:
        yield session


def principal(
    authorization: str | None = Header(default=None),
    ctx: PortalContext = Depends(context),
    db: Session = Depends(db_session),
) -> Principal:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise UNAUTHENTICATED
    return ctx.tokens.verify(authorization.split(" ", 1)[1].strip(), db)


def current_citizen(who: Principal = Depends(principal), db: Session = Depends(db_session)) -> Citizen:
    citizen = db.get(Citizen, who.personal_number)
    if citizen is None:
        raise UNAUTHENTICATED
    return citizen


def represents(db: Session, personal_number: str, entity_id: str) -> bool:
    query = select(Representation.id).where(Representation.personal_number == personal_number,
                                            Representation.entity_id == entity_id)
    return db.execute(query).first() is not None


def subject(
    x_act_for: str | None = Header(default=None, description="Identification code of a company you represent"),
    citizen: Citizen = Depends(current_citizen),
    db: Session = Depends(db_session),
) -> Subject:
    if not x_act_for:
        return Subject(PERSON, citizen.personal_number, citizen)
    if not represents(db, citizen.personal_number, x_act_for.strip()):
        raise ApiError(403, "not_representative", "You are not registered as a representative of this company.",
                       "თქვენ არ ხართ რეგისტრირებული ამ კომპანიის წარმომადგენლად.")
    return Subject(ENTITY, x_act_for.strip(), citizen)


def agency_caller(x_agency_key: str | None = Header(default=None), ctx: PortalContext = Depends(context)) -> None:
    """The agency side of the portal (back office), not something a citizen's assistant can call."""
    if not x_agency_key or not hmac.compare_digest(x_agency_key, ctx.agency_key):
        raise ApiError(403, "agency_only", "This endpoint is for agencies only.", "ეს მისამართი მხოლოდ უწყებებისთვისაა.")
