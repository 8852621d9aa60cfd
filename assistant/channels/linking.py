"""Messenger account linking on the channel's side: link codes, the kept link secrets, fresh portal tokens.

A message that is a link code (8 digits, or ``/start CODE`` / ``/link CODE``) or ``/unlink`` is answered
here and never reaches Rasa, so no code is stored in a conversation or logged. A linked account's
link secret is kept encrypted (Fernet, ``messenger_link_key``) in a small table
(``messenger_db_url``, SQLite in the data dir by default); with it the channel asks the portal for
a short-lived access token, which it passes on as ``portal_token`` metadata with each message; the
channel guard keeps it server-side for the conversation (assistant/channels/guard.py).
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass

from cryptography.fernet import InvalidToken
from sqlalchemy import Column, MetaData, String, Table, create_engine, delete, select
from sqlalchemy.engine import Engine

from assistant.channels.replies import reply
from basics.keys import fernet
from basics.settings import Settings
from portal_client.client import PortalClient
from portal_client.errors import PortalAuthError, PortalError, PortalLocked

log = logging.getLogger(__name__)

LINK_CODE = re.compile(r"\s*(?:/(?:start|link)(?:@\w+)?\s+)?(\d{4}[\s-]?\d{4})\s*")
UNLINK = re.compile(r"\s*/unlink(?:@\w+)?\s*", re.IGNORECASE)
START = re.compile(r"\s*/start(?:@\w+)?\s*")
# A token is reused for at most this long, so an account unlinked on the portal stops being passed a
# (revoked) token within a minute; the portal refuses revoked tokens at once anyway.
REUSE_SECONDS = 60.0

_metadata = MetaData()
_links = Table("channel_messenger_links", _metadata,
               Column("platform", String(20), primary_key=True),
               Column("account", String(100), primary_key=True),
               Column("link_id", String(36), nullable=False),
               Column("secret", String(400), nullable=False))  # Fernet-encrypted link secret


@dataclass
class _Session:
    token: str
    renew_at: float
    speech_rate: int | None


@dataclass(frozen=True)
class Intercepted:
    """A message the channel answered itself; ``then`` is a text to pass on to the dialogue afterwards."""

    replies: list[str]
    then: str | None = None


class LinkStore:
    """Link ids and encrypted secrets per messenger account."""

    def __init__(self, settings: Settings) -> None:
        url = settings.messenger_db_url or settings.tracker_db_url
        if not url:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            url = f"sqlite:///{settings.data_dir / 'messenger_links.sqlite3'}"
        self.engine: Engine = create_engine(url, future=True, pool_pre_ping=True)
        _metadata.create_all(self.engine)
        self._fernet = fernet(settings.kept_secret("messenger_link_key"))

    def get(self, platform: str, account: str) -> tuple[str, str] | None:
        with self.engine.connect() as db:
            row = db.execute(select(_links.c.link_id, _links.c.secret)
                             .where(_links.c.platform == platform, _links.c.account == account)).first()
        if row is None:
            return None
        try:
            return row.link_id, self._fernet.decrypt(row.secret.encode()).decode()
        except InvalidToken:
            log.error("a kept link secret cannot be opened: was messenger_link_key changed?")
            return None

    def put(self, platform: str, account: str, link_id: str, secret: str) -> None:
        sealed = self._fernet.encrypt(secret.encode()).decode()
        with self.engine.begin() as db:
            db.execute(delete(_links).where(_links.c.platform == platform, _links.c.account == account))
            db.execute(_links.insert().values(platform=platform, account=account, link_id=link_id, secret=sealed))

    def remove(self, platform: str, account: str) -> None:
        with self.engine.begin() as db:
            db.execute(delete(_links).where(_links.c.platform == platform, _links.c.account == account))


class Linker:
    """One platform's linking: answers link and unlink messages, and supplies fresh tokens."""

    def __init__(self, platform: str, settings: Settings, store: LinkStore | None = None) -> None:
        self.platform, self.settings = platform, settings
        self.store = store or LinkStore(settings)
        self._sessions: dict[str, _Session] = {}

    async def intercept(self, account: str, text: str, lang: str) -> Intercepted | None:
        """The channel's own answer to a link code, /unlink or /start; None for anything else."""
        code = LINK_CODE.fullmatch(text or "")
        if code:
            return Intercepted([await self._redeem(account, code.group(1), lang)])
        if UNLINK.fullmatch(text or ""):
            return Intercepted([await self._unlink(account, lang)])
        if START.fullmatch(text or ""):
            linked = self.store.get(self.platform, account) is not None
            return Intercepted([] if linked else [reply("welcome", lang)], then="/greet")
        return None

    async def _redeem(self, account: str, code: str, lang: str) -> str:
        async with PortalClient(self.settings) as portal:
            try:
                linked = await portal.redeem_link_code(code, self.platform, account)
            except (PortalAuthError, PortalLocked) as error:
                return reply("wrong_code", lang, detail=error.spoken(lang)) if isinstance(error, PortalAuthError) \
                    else error.spoken(lang)
            except PortalError as error:
                return error.spoken(lang)
        self.store.put(self.platform, account, linked["link_id"], linked["link_secret"])
        self._sessions.pop(account, None)
        log.info("%s account linked", self.platform)
        return reply("linked", lang, name=linked["first_name"]["ka" if lang == "ka" else "en"])

    async def _unlink(self, account: str, lang: str) -> str:
        kept = self.store.get(self.platform, account)
        if kept is None:
            return reply("not_linked", lang)
        async with PortalClient(self.settings) as portal:
            try:
                await portal.unlink(*kept)
            except PortalAuthError:
                pass  # already ended on the portal: forget it here too
            except PortalError as error:
                return error.spoken(lang)
        self.store.remove(self.platform, account)
        self._sessions.pop(account, None)
        return reply("unlinked", lang)

    async def session(self, account: str) -> _Session | None:
        """A fresh portal token for a linked account; None when not linked (or the link was ended)."""
        cached = self._sessions.get(account)
        if cached and cached.renew_at > time.monotonic():
            return cached
        kept = self.store.get(self.platform, account)
        if kept is None:
            return None
        async with PortalClient(self.settings) as portal:
            try:
                issued = await portal.link_token(*kept)
            except PortalAuthError:
                self.store.remove(self.platform, account)  # unlinked on the portal
                self._sessions.pop(account, None)
                return None
        ttl = float(issued.get("expires_in") or self.settings.token_ttl_seconds)
        fresh = _Session(issued["access_token"], time.monotonic() + min(REUSE_SECONDS, ttl / 2),
                         issued.get("speech_rate"))
        self._sessions[account] = fresh
        return fresh

    async def metadata(self, account: str) -> dict:
        """What the dialogue gets with each message: the channel, and the citizen's token when linked."""
        data: dict = {"channel": self.platform}
        linked = await self.session(account)
        if linked:
            data["portal_token"] = linked.token
        return data
