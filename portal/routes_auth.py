"""Login by password plus one-time code, by ID card, or by phone PIN; logout; the development outbox."""
from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Callable

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.context import PortalContext, context, db_session, principal
from portal.errors import ApiError
from portal.models import Citizen, OtpChallenge, OutboxMessage, utcnow
from portal.responses import AccessToken, Challenge, LoggedOut, Outbox, errors
from portal.schemas import Json, OtpLogin, PasswordLogin, PinLogin
from portal.security import Principal, check_secret, hash_secret

router = APIRouter(prefix="/v1/auth", tags=["identity"])
outbox_router = APIRouter(prefix="/v1/dev", tags=["development"])

CODE_EXPIRED = ApiError(401, "code_expired", "This code has expired or was used. Log in again.",
                        "კოდი ვადაგასულია ან უკვე გამოყენებულია. თავიდან გაიარეთ ავტორიზაცია.")


def _token(ctx: PortalContext, citizen: Citizen, method: str) -> Json:
    token, expires = ctx.tokens.issue(citizen.personal_number, method)
    return {"access_token": token, "token_type": "bearer", "expires_at": expires.isoformat() + "Z",
            "expires_in": ctx.settings.token_ttl_seconds, "method": method}


def _citizen_secret(ctx: PortalContext, db: Session, request: Request, personal_number: str, secret: str,
                    method: str, stored: Callable[[Citizen], str]) -> Citizen:
    """Check one login secret behind the source's throttle and the citizen's lockout (portal/attempts.py).

    An unknown personal number is counted, checked as slowly and refused in the same words as a wrong secret.
    """
    citizen = db.get(Citizen, personal_number)
    with ctx.throttle.attempt(db, request):
        ctx.lockout.verify(db, method, personal_number, lambda: check_secret(secret, stored(citizen) if citizen else None))
    db.commit()
    assert citizen is not None  # a right secret needs a stored one
    return citizen


LOGIN_ERRORS = errors(401, 423, 429)


@router.post("/password", summary="Step 1 of web login: password; a one-time code goes by SMS", response_model=Challenge,
             responses=LOGIN_ERRORS)
def password_login(body: PasswordLogin, request: Request, ctx: PortalContext = Depends(context),
                   db: Session = Depends(db_session)) -> Json:
    citizen = _citizen_secret(ctx, db, request, body.personal_number, body.password, "password", lambda c: c.password_hash)
    code = f"{secrets.randbelow(10**6):06d}"
    challenge = OtpChallenge(id=str(uuid.uuid4()), personal_number=citizen.personal_number, code_hash=hash_secret(code),
                             expires_at=utcnow() + timedelta(seconds=ctx.settings.otp_ttl_seconds))
    db.add(challenge)
    db.add(OutboxMessage(personal_number=citizen.personal_number, text=f"My.gov: your one-time code is {code}"))
    db.commit()
    return {"challenge_id": challenge.id, "sent_to": "SMS ***" + citizen.phone[-2:]}


@router.post("/otp", summary="Step 2 of web login: the one-time code", response_model=AccessToken,
             responses=LOGIN_ERRORS)
def otp_login(body: OtpLogin, request: Request, ctx: PortalContext = Depends(context), db: Session = Depends(db_session)) -> Json:
    with ctx.throttle.attempt(db, request):  # guessing challenge ids costs the source like guessing codes
        challenge = db.get(OtpChallenge, body.challenge_id)
        if challenge is None or challenge.used or challenge.expires_at < utcnow():
            raise CODE_EXPIRED
        ctx.lockout.verify(db, "otp", challenge.personal_number, lambda: check_secret(body.code, challenge.code_hash))
        used = db.execute(update(OtpChallenge).where(OtpChallenge.id == challenge.id, OtpChallenge.used.is_(False))
                          .values(used=True).execution_options(synchronize_session=False)).rowcount
        if not used:  # a parallel request with the same code won
            raise CODE_EXPIRED
    db.commit()
    return _token(ctx, db.get(Citizen, challenge.personal_number), "password+otp")


@router.post("/id-card", summary="Login with the ID card in the reader and its authentication PIN", response_model=AccessToken,
             responses=LOGIN_ERRORS)
def id_card_login(body: PinLogin, request: Request, ctx: PortalContext = Depends(context),
                  db: Session = Depends(db_session)) -> Json:
    citizen = _citizen_secret(ctx, db, request, body.personal_number, body.pin, "card_pin", lambda c: c.card_pin_hash)
    return _token(ctx, citizen, "id-card")


@router.post("/phone-pin", summary="Login for voice and phone channels with the phone PIN", response_model=AccessToken,
             responses=LOGIN_ERRORS)
def phone_pin_login(body: PinLogin, request: Request, ctx: PortalContext = Depends(context),
                    db: Session = Depends(db_session)) -> Json:
    citizen = _citizen_secret(ctx, db, request, body.personal_number, body.pin, "phone_pin", lambda c: c.phone_pin_hash)
    return _token(ctx, citizen, "phone-pin")


@router.post("/logout", summary="End this token's session", response_model=LoggedOut, responses=errors(401))
def logout(who: Principal = Depends(principal), ctx: PortalContext = Depends(context), db: Session = Depends(db_session)) -> Json:
    ctx.tokens.revoke(who, db)
    db.commit()
    return {"logged_out": True}


@outbox_router.get("/outbox", summary="SMS the portal sent (development mode only, never on a public address)", response_model=Outbox)
def dev_outbox(personal_number: str, db: Session = Depends(db_session)) -> Json:
    rows = db.execute(select(OutboxMessage).where(OutboxMessage.personal_number == personal_number)
                      .order_by(OutboxMessage.id.desc()).limit(20)).scalars()
    return {"messages": [{"text": m.text, "sent_at": m.created_at.isoformat() + "Z"} for m in rows]}
