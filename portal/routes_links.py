"""Messenger account linking: a citizen's one-time code binds a Telegram or Messenger account to them.

The citizen, logged in, asks for a code (short-lived, single use, one live code each) and sends it to
the bot. The bot's channel redeems it here for a link id and a link secret, which it keeps; with
them it asks for a short-lived access token before passing the citizen's messages on. There is no
master key: each link is its own credential, and unlinking (by the citizen here, or by the bot)
revokes the tokens already issued through it. Wrong codes are counted per messenger account and
locked like PINs; a code is used up by one conditional UPDATE, so accounts trying it at once cannot
all redeem it. Codes travel only in request bodies, so the access log never sees them.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta
from functools import lru_cache

import jwt
from fastapi import APIRouter, Depends, Header, Response
from pydantic import constr
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from basics.settings import Settings
from portal.context import PortalContext, context, current_citizen, db_session
from portal.errors import ApiError, not_found
from portal.models import Citizen, MessengerLink, MessengerLinkCode, MessengerLinkToken, RevokedToken, utcnow
from portal.responses import LinkAccessToken, LinkCode, Linked, Links, Unlinked, errors
from portal.routes_auth import _token
from portal.schemas import Json, Strict

router = APIRouter(prefix="/v1/messenger-links", tags=["messenger links"], responses=errors(401))

CODE_DIGITS = 8  # not PIN-shaped (4-6 digits), so channels never seal it as a PIN
TOKEN_METHOD = "messenger-link"

Platform = constr(strict=True, regex=r"^(telegram|facebook)$")
Account = constr(strict=True, min_length=1, max_length=100)
LinkId = constr(strict=True, max_length=36)
Secret = constr(strict=True, min_length=1, max_length=200)


class Redeem(Strict):
    code: constr(strict=True, min_length=1, max_length=40)  # type: ignore[valid-type]
    platform: Platform  # type: ignore[valid-type]
    account: Account  # type: ignore[valid-type]


class LinkProof(Strict):
    link_id: LinkId  # type: ignore[valid-type]
    link_secret: Secret  # type: ignore[valid-type]


WRONG_LINK = ApiError(401, "link_revoked", "This messenger account is no longer linked. Ask the portal for a new code.",
                      "ეს ანგარიში აღარ არის დაკავშირებული. პორტალზე აიღეთ ახალი კოდი.")


@lru_cache(maxsize=4)
def _channel_key(settings: Settings) -> str:
    return settings.kept_secret("messenger_channel_key")


def channel_caller(x_channel_key: str | None = Header(default=None), ctx: PortalContext = Depends(context)) -> None:
    """Only the messenger channels redeem codes and renew tokens: guessing codes from anywhere else is refused
    before it is counted. The key alone gives nothing: a code, or a link secret, is still needed."""
    if not x_channel_key or not hmac.compare_digest(x_channel_key.encode(), _channel_key(ctx.settings).encode()):
        raise ApiError(403, "channel_only", "This endpoint is for the assistant's messenger channels only.",
                       "ეს მისამართი მხოლოდ ასისტენტის მესენჯერის არხებისთვისაა.")


def _digest(ctx: PortalContext, code: str) -> str:
    """The code as stored and looked up: keyed with the portal's secret, so a database copy cannot be searched."""
    digits = "".join(ch for ch in code if ch.isdigit())
    return ctx.tokens.digest("messenger-link-code", digits) if len(digits) == CODE_DIGITS else ""


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _link_json(link: MessengerLink) -> Json:
    return {"id": link.id, "platform": link.platform, "linked_at": link.linked_at.isoformat() + "Z",
            "last_used_at": link.last_used_at.isoformat() + "Z" if link.last_used_at else None}


def _revoke(db: Session, link: MessengerLink) -> None:
    """End the link and every unexpired token issued through it."""
    link.revoked_at = utcnow()
    tokens = db.execute(select(MessengerLinkToken).where(MessengerLinkToken.link_id == link.id,
                                                         MessengerLinkToken.expires_at > utcnow())).scalars()
    for token in tokens:
        db.merge(RevokedToken(jti=token.jti, expires_at=token.expires_at))


def _proven_link(db: Session, proof: LinkProof) -> MessengerLink:
    link = db.get(MessengerLink, proof.link_id)
    if link is None or link.revoked_at is not None or not hmac.compare_digest(link.secret_sha256, _sha256(proof.link_secret)):
        raise WRONG_LINK
    return link


@router.post("/codes", status_code=201, summary="A one-time code to link a messenger account to you", response_model=LinkCode)
def new_code(citizen: Citizen = Depends(current_citizen), ctx: PortalContext = Depends(context),
             db: Session = Depends(db_session)) -> Json:
    db.execute(update(MessengerLinkCode).where(MessengerLinkCode.personal_number == citizen.personal_number,
                                               MessengerLinkCode.used.is_(False)).values(used=True))
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    ttl = ctx.settings.messenger_link_code_ttl_seconds
    expires = utcnow() + timedelta(seconds=ttl)
    db.add(MessengerLinkCode(code_digest=_digest(ctx, code), personal_number=citizen.personal_number, expires_at=expires))
    db.commit()
    return {"code": code, "expires_at": expires.isoformat() + "Z", "expires_in": ttl}


@router.get("", summary="Your linked messenger accounts", response_model=Links)
def links(citizen: Citizen = Depends(current_citizen), db: Session = Depends(db_session)) -> Json:
    rows = db.execute(select(MessengerLink).where(MessengerLink.personal_number == citizen.personal_number,
                                                  MessengerLink.revoked_at.is_(None))
                      .order_by(MessengerLink.linked_at)).scalars()
    return {"links": [_link_json(link) for link in rows]}


@router.delete("/{link_id}", status_code=204, summary="Unlink a messenger account; its access ends at once", responses=errors(404))
def unlink(link_id: str, citizen: Citizen = Depends(current_citizen), db: Session = Depends(db_session)) -> Response:
    link = db.get(MessengerLink, link_id)
    if link is None or link.personal_number != citizen.personal_number or link.revoked_at is not None:
        raise not_found("The linked account", "დაკავშირებული ანგარიში")
    _revoke(db, link)
    db.commit()
    return Response(status_code=204)


@router.post("/redeem", summary="For a messenger channel: link the account that sent this code",
             dependencies=[Depends(channel_caller)], response_model=Linked, responses=errors(403, 423))
def redeem(body: Redeem, ctx: PortalContext = Depends(context), db: Session = Depends(db_session)) -> Json:
    digest = _digest(ctx, body.code)

    def use_code() -> bool:
        return bool(digest) and db.execute(
            update(MessengerLinkCode).where(MessengerLinkCode.code_digest == digest, MessengerLinkCode.used.is_(False),
                                            MessengerLinkCode.expires_at >= utcnow())
            .values(used=True).execution_options(synchronize_session=False)).rowcount == 1

    ctx.lockout.verify(db, f"link:{body.platform}", body.account, use_code)  # a wrong code has no citizen yet
    row = db.get(MessengerLinkCode, digest)
    previous = db.execute(select(MessengerLink).where(MessengerLink.platform == body.platform,
                                                      MessengerLink.account == body.account,
                                                      MessengerLink.revoked_at.is_(None))).scalars()
    for link in previous:  # an account acts for one citizen at a time
        _revoke(db, link)
    secret = secrets.token_urlsafe(32)
    link = MessengerLink(id=str(uuid.uuid4()), personal_number=row.personal_number, platform=body.platform,
                         account=body.account, secret_sha256=_sha256(secret))
    db.add(link)
    citizen = db.get(Citizen, row.personal_number)
    db.commit()
    return {"link_id": link.id, "link_secret": secret, "preferred_language": citizen.preferred_language,
            "first_name": {"ka": citizen.first_name_ka, "en": citizen.first_name_en}}


@router.post("/token", summary="For a messenger channel: a short-lived access token for a linked account",
             dependencies=[Depends(channel_caller)], response_model=LinkAccessToken, responses=errors(403))
def link_token(body: LinkProof, ctx: PortalContext = Depends(context), db: Session = Depends(db_session)) -> Json:
    link = _proven_link(db, body)
    citizen = db.get(Citizen, link.personal_number)
    issued = _token(ctx, citizen, TOKEN_METHOD)
    claims = jwt.decode(issued["access_token"], options={"verify_signature": False})
    db.add(MessengerLinkToken(jti=claims["jti"], link_id=link.id,
                              expires_at=utcnow() + timedelta(seconds=ctx.settings.token_ttl_seconds)))
    link.last_used_at = utcnow()
    db.execute(delete(MessengerLinkToken).where(MessengerLinkToken.link_id == link.id,
                                                MessengerLinkToken.expires_at < utcnow()))  # expired: nothing to revoke
    db.commit()
    return {**issued, "speech_rate": citizen.speech_rate, "preferred_language": citizen.preferred_language}


@router.post("/unlink", summary="For a messenger channel: the account's owner asked the bot to unlink it",
             dependencies=[Depends(channel_caller)], response_model=Unlinked, responses=errors(403))
def unlink_by_bot(body: LinkProof, db: Session = Depends(db_session)) -> Json:
    _revoke(db, _proven_link(db, body))
    db.commit()
    return {"unlinked": True}
