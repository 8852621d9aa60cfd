"""Who a conversation acts for, kept on the server and never in the conversation itself.

A conversation id is not a secret: it is in Rasa's tracker store, in logs of other systems, on the
screen of whoever started it. So the citizen's portal token is never put in a slot or in message
metadata. The channel that authenticated the user (a signed-in page's token, a linked messenger
account) or the login inside the conversation puts it here; the action server reads it here. Rows are
keyed by a keyed hash of the conversation id, tokens are encrypted (Fernet, ``identity_key``) and
expire with the token itself. The same table says which secret the dialogue is asking for, so a
channel seals the next message whatever its wording ("my pin is 2468").

One SQL database shared by every Rasa replica and action server: ``identity_db_url``, else the
messenger links' or tracker store's database, else SQLite in the data directory.
"""
from __future__ import annotations

import base64
import json
import time
from functools import lru_cache
from typing import Any

from cryptography.fernet import InvalidToken
from sqlalchemy import Column, Float, MetaData, String, Table, Text, create_engine, delete, event, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from basics.keys import fernet, keyed_hash
from basics.settings import Settings, get_settings

# What the dialogue may be asking for that the channel must seal, whatever the message says.
SECRET_QUESTIONS = frozenset({"personal_number", "phone_pin", "signing_pin"})
# A question nobody answers stops sealing after this long.
EXPECTING_SECONDS = 900.0

_metadata = MetaData()
_identities = Table("conversation_identity", _metadata,
                    Column("key", String(64), primary_key=True),
                    Column("token", Text, nullable=True),  # Fernet-encrypted portal access token
                    Column("expires_at", Float, nullable=True),
                    Column("expecting", String(40), nullable=True),
                    Column("expecting_until", Float, nullable=True))
_used_seals = Table("used_seals", _metadata,
                    Column("digest", String(64), primary_key=True),
                    Column("expires_at", Float, nullable=False))


def token_expiry(token: str, default_ttl: float) -> float:
    """When a portal token ends, from its `exp` claim (read, not trusted: the portal checks the token)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(claims["exp"])
    except (IndexError, ValueError, KeyError, TypeError):
        return time.time() + default_ttl


def _engine(settings: Settings) -> Engine:
    url = settings.identity_db_url or settings.messenger_db_url or settings.tracker_db_url
    if not url:
        settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        url = f"sqlite:///{settings.data_dir / 'identity.sqlite3'}"
    if url.startswith("sqlite"):
        engine = create_engine(url, future=True, connect_args={"timeout": 15})

        def _wal(connection: Any, _record: Any) -> None:  # a DB-API connection (SQLAlchemy has no stubs here)
            connection.execute("PRAGMA journal_mode=WAL")
        event.listen(engine, "connect", _wal)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


class IdentityStore:
    """Portal tokens and expected secrets of conversations, encrypted and keyed by a keyed hash."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = _engine(settings)
        _metadata.create_all(self.engine)
        secret = settings.kept_secret("identity_key")
        self._secret, self._fernet = secret, fernet(secret)

    def _key(self, conversation_id: str) -> str:
        return keyed_hash(self._secret, conversation_id)

    def _save(self, conversation_id: str, **values: object) -> None:
        key = self._key(conversation_id)
        with self.engine.begin() as db:
            if db.execute(update(_identities).where(_identities.c.key == key).values(**values)).rowcount:
                return
        try:
            with self.engine.begin() as db:
                db.execute(_identities.insert().values(key=key, **values))
        except IntegrityError:  # another process inserted it first
            with self.engine.begin() as db:
                db.execute(update(_identities).where(_identities.c.key == key).values(**values))

    def _row(self, conversation_id: str):  # type: ignore[no-untyped-def]
        with self.engine.connect() as db:
            return db.execute(select(_identities).where(_identities.c.key == self._key(conversation_id))).first()

    def put_token(self, conversation_id: str, token: str) -> None:
        """This conversation now acts for the citizen of `token`, until the token expires."""
        self.arrive(conversation_id, token)

    def arrive(self, conversation_id: str, token: str | None) -> str | None:
        """A message arrives: keep the token its channel presents, if it changed, and say which secret the
        dialogue is asking for (see `expect`); one read of the row, for the channel's hot path."""
        row = self._row(conversation_id)
        if token and self._token_of(row) != token:
            self._save(conversation_id, token=self._fernet.encrypt(token.encode()).decode(),
                       expires_at=token_expiry(token, self.settings.token_ttl_seconds))
        return self._expecting_of(row)

    def token(self, conversation_id: str) -> str | None:
        return self._token_of(self._row(conversation_id))

    def _token_of(self, row: Any) -> str | None:
        if row is None or not row.token or (row.expires_at or 0) <= time.time():
            return None
        try:
            return self._fernet.decrypt(row.token.encode()).decode()
        except InvalidToken:
            return None

    def forget_token(self, conversation_id: str) -> None:
        with self.engine.begin() as db:
            db.execute(update(_identities).where(_identities.c.key == self._key(conversation_id))
                       .values(token=None, expires_at=None))

    def expect(self, conversation_id: str, question: str | None) -> None:
        """Which secret the dialogue is asking for now (None: none); the channel seals the next message."""
        secret = question if question in SECRET_QUESTIONS else None
        self._save(conversation_id, expecting=secret,
                   expecting_until=time.time() + EXPECTING_SECONDS if secret else None)

    def expecting(self, conversation_id: str) -> str | None:
        return self._expecting_of(self._row(conversation_id))

    @staticmethod
    def _expecting_of(row: Any) -> str | None:
        if row is None or not row.expecting or (row.expecting_until or 0) <= time.time():
            return None
        return str(row.expecting)

    def use_once(self, digest: str, until: float) -> bool:
        """True the first time a sealed secret is used; False for every later try, from any process."""
        try:
            with self.engine.begin() as db:
                db.execute(_used_seals.insert().values(digest=digest, expires_at=until))
            return True
        except IntegrityError:
            return False

    def sweep(self) -> None:
        """Forget what has expired: tokens, questions nobody answered, records of used seals."""
        now = time.time()
        with self.engine.begin() as db:
            db.execute(update(_identities).where(_identities.c.expires_at <= now).values(token=None, expires_at=None))
            db.execute(delete(_identities).where(_identities.c.token.is_(None),
                                                 (_identities.c.expecting_until.is_(None)) | (_identities.c.expecting_until <= now)))
            db.execute(delete(_used_seals).where(_used_seals.c.expires_at <= now))


@lru_cache(maxsize=4)
def identity_store(settings: Settings | None = None) -> IdentityStore:
    return IdentityStore(settings or get_settings())
