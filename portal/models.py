"""The portal's tables. A resource belongs to a subject: a citizen, or a company a citizen represents."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import registry, relationship
from sqlalchemy.orm.decl_api import DeclarativeMeta

from basics.speech_rate import DEFAULT_RATE

_registry = registry()


class Base(metaclass=DeclarativeMeta):
    """What `declarative_base()` makes, spelled as a class so type checkers see a base class, not a variable."""

    __abstract__ = True
    registry = _registry
    metadata = _registry.metadata
    __init__ = _registry.constructor


PERSON = "person"
ENTITY = "entity"


def utcnow() -> datetime:
    """Naive UTC, the same on SQLite and PostgreSQL."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Citizen(Base):
    __tablename__ = "citizens"
    personal_number = Column(String(11), primary_key=True)
    first_name_ka = Column(String(100), nullable=False)
    last_name_ka = Column(String(100), nullable=False)
    first_name_en = Column(String(100), nullable=False)
    last_name_en = Column(String(100), nullable=False)
    phone = Column(String(20), nullable=False)
    email = Column(String(200), nullable=False)
    preferred_language = Column(String(2), nullable=False, default="ka")
    preferred_channel = Column(String(20), nullable=False, default="chat")
    accessibility_needs = Column(String(100), nullable=False, default="")
    speech_rate = Column(Integer, nullable=False, default=DEFAULT_RATE)
    password_hash = Column(String(200), nullable=False)
    phone_pin_hash = Column(String(200), nullable=False)
    card_pin_hash = Column(String(200), nullable=False)
    signing_pin_hash = Column(String(200), nullable=False)


class Entity(Base):
    __tablename__ = "entities"
    id_code = Column(String(9), primary_key=True)
    name_ka = Column(String(200), nullable=False)
    name_en = Column(String(200), nullable=False)
    legal_form = Column(String(20), nullable=False)


class Representation(Base):
    __tablename__ = "representations"
    __table_args__ = (UniqueConstraint("entity_id", "personal_number"),)
    id = Column(Integer, primary_key=True)
    entity_id = Column(String(9), ForeignKey("entities.id_code"), nullable=False)
    personal_number = Column(String(11), ForeignKey("citizens.personal_number"), nullable=False)
    role = Column(String(50), nullable=False)
    share_percent = Column(Integer, nullable=True)
    entity = relationship(Entity)


class AttemptCount(Base):
    """Failed secrets counted per scope and key (a citizen's method, a messenger account, a source address).

    Changed only by single conditional UPDATEs (portal/attempts.py), so parallel attempts cannot lose a count.
    """

    __tablename__ = "attempt_counts"
    scope = Column(String(40), primary_key=True)
    key = Column(String(100), primary_key=True)
    failures = Column(Integer, nullable=False, default=0)
    window_started = Column(DateTime, nullable=True)
    locked_until = Column(DateTime, nullable=True)


class OtpChallenge(Base):
    __tablename__ = "otp_challenges"
    id = Column(String(36), primary_key=True)
    personal_number = Column(String(11), nullable=False)
    code_hash = Column(String(200), nullable=False)
    expires_at = Column(DateTime, nullable=False)
    used = Column(Boolean, nullable=False, default=False)


class RevokedToken(Base):
    __tablename__ = "revoked_tokens"
    jti = Column(String(36), primary_key=True)
    expires_at = Column(DateTime, nullable=False)


class OutboxMessage(Base):
    """SMS the portal would send; kept for the demo and tests to read (development outbox)."""

    __tablename__ = "dev_outbox"
    id = Column(Integer, primary_key=True)
    personal_number = Column(String(11), nullable=False, index=True)
    text = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Agency(Base):
    __tablename__ = "agencies"
    id = Column(String(20), primary_key=True)
    name_ka = Column(String(300), nullable=False)
    name_en = Column(String(300), nullable=False)


class InfoRecord(Base):
    """One fact the state holds about a subject (informational services), with a JSON payload."""

    __tablename__ = "info_records"
    id = Column(Integer, primary_key=True)
    subject_kind = Column(String(10), nullable=False)
    subject_id = Column(String(11), nullable=False, index=True)
    topic = Column(String(30), nullable=False)
    payload = Column(Text, nullable=False)


class Application(Base):
    __tablename__ = "applications"
    id = Column(String(36), primary_key=True)
    subject_kind = Column(String(10), nullable=False)
    subject_id = Column(String(11), nullable=False, index=True)
    author = Column(String(11), nullable=False)
    service_id = Column(String(100), nullable=False)
    status = Column(String(20), nullable=False)
    version = Column(Integer, nullable=False, default=0, server_default="0")  # bumped by every change of a draft
    fields = Column(Text, nullable=False, default="{}")
    registration_number = Column(String(30), nullable=True, unique=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow)
    submitted_at = Column(DateTime, nullable=True)
    attachments = relationship("Attachment", order_by="Attachment.created_at", cascade="all, delete-orphan")
    events = relationship("StatusEvent", order_by="StatusEvent.id", cascade="all, delete-orphan")
    signature = relationship("Signature", uselist=False, cascade="all, delete-orphan")


class Attachment(Base):
    __tablename__ = "attachments"
    id = Column(String(36), primary_key=True)
    application_id = Column(String(36), ForeignKey("applications.id"), nullable=False)
    filename = Column(String(200), nullable=False)
    content_type = Column(String(100), nullable=False)
    size = Column(Integer, nullable=False)
    sha256 = Column(String(64), nullable=False)
    data = Column(LargeBinary, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class SigningRequest(Base):
    """A request shown on the citizen's card reader; approved with the signing PIN."""

    __tablename__ = "signing_requests"
    id = Column(String(36), primary_key=True)
    application_id = Column(String(36), ForeignKey("applications.id"), nullable=False)
    personal_number = Column(String(11), nullable=False)
    content_sha256 = Column(String(64), nullable=False)
    status = Column(String(20), nullable=False, default="pending")
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Signature(Base):
    __tablename__ = "signatures"
    application_id = Column(String(36), ForeignKey("applications.id"), primary_key=True)
    signer = Column(String(11), nullable=False)
    signed_at = Column(DateTime, nullable=False)
    content_sha256 = Column(String(64), nullable=False)


class StatusEvent(Base):
    __tablename__ = "status_events"
    id = Column(Integer, primary_key=True)
    application_id = Column(String(36), ForeignKey("applications.id"), nullable=False)
    status = Column(String(20), nullable=False)
    at = Column(DateTime, nullable=False, default=utcnow)


class InboxMessage(Base):
    __tablename__ = "inbox_messages"
    id = Column(String(36), primary_key=True)
    subject_kind = Column(String(10), nullable=False)
    subject_id = Column(String(11), nullable=False, index=True)
    agency_id = Column(String(20), ForeignKey("agencies.id"), nullable=False)
    application_id = Column(String(36), nullable=True)
    subject = Column(String(300), nullable=False)
    body = Column(Text, nullable=False)
    language = Column(String(2), nullable=False)
    received_at = Column(DateTime, nullable=False, default=utcnow)
    read_at = Column(DateTime, nullable=True)
    agency = relationship(Agency)
    attachments = relationship("InboxAttachment", cascade="all, delete-orphan")


class InboxAttachment(Base):
    __tablename__ = "inbox_attachments"
    id = Column(String(36), primary_key=True)
    message_id = Column(String(36), ForeignKey("inbox_messages.id"), nullable=False)
    filename = Column(String(200), nullable=False)
    content_type = Column(String(100), nullable=False)
    data = Column(LargeBinary, nullable=False)


class CallbackRequest(Base):
    """The citizen asked to talk to a person; an operator calls back."""

    __tablename__ = "callback_requests"
    id = Column(String(36), primary_key=True)
    personal_number = Column(String(11), nullable=False, index=True)
    phone = Column(String(20), nullable=False)
    topic = Column(String(300), nullable=False)
    language = Column(String(2), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expected_by = Column(DateTime, nullable=False)


class Counter(Base):
    """Named sequences (registration numbers) that work the same on SQLite and PostgreSQL."""

    __tablename__ = "counters"
    name = Column(String(30), primary_key=True)
    value = Column(Integer, nullable=False)


class MessengerLinkCode(Base):
    """A one-time code a logged-in citizen sends to a messenger bot to link that account (one live code each)."""

    __tablename__ = "messenger_link_codes"
    code_digest = Column(String(64), primary_key=True)  # HMAC of the code with the portal's key: never the code
    personal_number = Column(String(11), ForeignKey("citizens.personal_number"), nullable=False, index=True)
    expires_at = Column(DateTime, nullable=False)
    used = Column(Boolean, nullable=False, default=False)


class MessengerLink(Base):
    """A messenger account acting as a citizen; the bot proves it with the link secret (only its hash is kept)."""

    __tablename__ = "messenger_links"
    id = Column(String(36), primary_key=True)
    personal_number = Column(String(11), ForeignKey("citizens.personal_number"), nullable=False, index=True)
    platform = Column(String(20), nullable=False)
    account = Column(String(100), nullable=False)
    secret_sha256 = Column(String(64), nullable=False)
    linked_at = Column(DateTime, nullable=False, default=utcnow)
    last_used_at = Column(DateTime, nullable=True)
    revoked_at = Column(DateTime, nullable=True)


class MessengerLinkToken(Base):
    """Access tokens issued through a link, so unlinking revokes them at once."""

    __tablename__ = "messenger_link_tokens"
    jti = Column(String(36), primary_key=True)
    link_id = Column(String(36), ForeignKey("messenger_links.id"), nullable=False, index=True)
    expires_at = Column(DateTime, nullable=False)
