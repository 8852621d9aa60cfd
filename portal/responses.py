"""Response shapes, declared so /openapi.json shows what every route returns.

Handlers still build plain dicts; FastAPI checks each against its model on the way out. `extra = "forbid"`
makes a key a handler returns without declaring it fail in the tests instead of silently vanishing from the
reply, and fields are listed in the order the handlers write them, so the JSON is byte for byte what it was.
Optional fields are those whose value may be null; where a key is left out altogether (a form question's
`choices`, an informational service's topic-specific keys) the route uses `response_model_exclude_unset`.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Union

from pydantic import BaseModel, Field


class Shape(BaseModel):
    class Config:
        extra = "forbid"


class Bilingual(Shape):
    ka: str
    en: str


class Named(Shape):
    """A category or an agency: an id and its name."""

    id: str
    name: Bilingual


class Health(Shape):
    status: str


# The catalogue (routes_catalogue.py)

class Categories(Shape):
    categories: List[Named]


class ServiceSummary(Shape):
    id: str
    name: Bilingual
    category: str
    kind: str = Field(..., description="functional (apply for it) or informational")
    agency: str
    online: Optional[bool]


class Services(Shape):
    services: List[ServiceSummary]


class Choice(Shape):
    value: str
    label: Bilingual


class Range(Shape):
    min: Optional[int]
    max: Optional[int]


class Question(Shape):
    """One question of a service's application form; the optional keys are present only when they apply."""

    name: str
    type: str
    required: bool
    label: Bilingual
    prompt: Bilingual = Field(..., description="The question as spoken")
    choices: Optional[List[Choice]]
    range: Optional[Range]
    date_range: Optional[str] = Field(None, description="past or future")
    max_length: Optional[int]


class ServiceDetail(ServiceSummary):
    agency_name: Bilingual
    signature_required: Optional[bool]
    fee: Optional[str]
    processing_time: Optional[str]
    inputs: List[str]
    sources: List[str]
    form: List[Question]


class Agencies(Shape):
    agencies: List[Named]


# Identity (routes_auth.py)

class Challenge(Shape):
    challenge_id: str
    sent_to: str = Field(..., description="Where the one-time code went, masked")


class AccessToken(Shape):
    access_token: str
    token_type: str
    expires_at: str
    expires_in: int
    method: str


class LoggedOut(Shape):
    logged_out: bool


class SentSms(Shape):
    text: str
    sent_at: str


class Outbox(Shape):
    messages: List[SentSms]


# The citizen's own data (routes_me.py)

class Represented(Shape):
    """A company the citizen represents."""

    id_code: str
    name: Bilingual
    legal_form: str
    role: str
    share_percent: Optional[int]


class Entities(Shape):
    entities: List[Represented]


class Me(Shape):
    personal_number: str
    name: Bilingual
    first_name: Bilingual
    preferred_language: str
    preferred_channel: str
    speech_rate: int
    entities: List[Represented]


class SavedPreferences(Shape):
    speech_rate: int
    preferred_language: str


class OnBehalf(Shape):
    kind: str = Field(..., description="person or entity")
    id: str


class NamedOnBehalf(OnBehalf):
    name: Bilingual


class InfoAnswer(Shape):
    """An informational service's answer; which optional keys are present depends on the topic."""

    topic: str
    on_behalf_of: NamedOnBehalf
    amount_tetri: Optional[int] = Field(None, description="tax-debt only")
    currency: Optional[str] = Field(None, description="tax-debt only")
    as_of: Optional[str] = Field(None, description="tax-debt only; null when nothing is recorded")
    registered_debtor: Optional[bool] = Field(None, description="debtor-status only")
    items: Optional[List[Dict[str, Any]]] = Field(None, description="the other topics: the records as kept")


class CallbackCreated(Shape):
    id: str
    expected_by: str
    within_hours: int
    phone_end: str = Field(..., description="The last two digits of the number to be called")


class CallbackSummary(Shape):
    id: str
    topic: str
    expected_by: str


class Callbacks(Shape):
    callback_requests: List[CallbackSummary]


# Applications (routes_applications.py, agency.py)

class FileInfo(Shape):
    id: str
    filename: str
    content_type: str
    size: int
    sha256: str


class SignatureInfo(Shape):
    signer: str
    signed_at: Optional[str]
    content_sha256: str
    valid: bool = Field(..., description="Whether it still covers the draft's content")


class StatusChange(Shape):
    status: str
    at: Optional[str]


class ApplicationOut(Shape):
    id: str
    service_id: str
    service_name: Bilingual
    on_behalf_of: OnBehalf
    status: str
    version: int
    fields: Dict[str, Any] = Field(..., description="The answers so far, by question name")
    missing_required: List[str]
    next_field: Optional[str] = Field(None, description="The first unanswered question; null when all are answered")
    attachments: List[FileInfo]
    signature: Optional[SignatureInfo]
    registration_number: Optional[str]
    created_at: Optional[str]
    updated_at: Optional[str]
    submitted_at: Optional[str]
    history: List[StatusChange]


class Applications(Shape):
    applications: List[ApplicationOut]


class Attached(Shape):
    id: str
    filename: str
    size: int
    sha256: str


class SigningRequestOut(Shape):
    id: str
    application_id: str
    content_sha256: str
    status: str
    version: int


class Approved(Shape):
    status: str
    application: ApplicationOut


class Representative(Shape):
    entity_id: str
    personal_number: str
    registered: bool


# The inbox (routes_inbox.py)

class FileRef(Shape):
    id: str
    filename: str
    content_type: str


class MessageSummary(Shape):
    id: str
    agency: Named
    subject: str
    language: str
    received_at: Optional[str]
    read: bool
    application_id: Optional[str]
    attachments: List[FileRef]


class Message(MessageSummary):
    body: str


class Inbox(Shape):
    unread: int
    total: int
    messages: List[MessageSummary]


# Messenger links (routes_links.py)

class LinkCode(Shape):
    code: str
    expires_at: str
    expires_in: int


class Link(Shape):
    id: str
    platform: str
    linked_at: str
    last_used_at: Optional[str]


class Links(Shape):
    links: List[Link]


class Linked(Shape):
    link_id: str
    link_secret: str
    preferred_language: str
    first_name: Bilingual


class LinkAccessToken(AccessToken):
    speech_rate: int
    preferred_language: str


class Unlinked(Shape):
    unlinked: bool


# Errors (errors.py, app.py): one shape for every status

class ErrorDetail(Shape):
    code: str
    message: Bilingual
    fields: Optional[Dict[str, Any]] = Field(None, description="Per-field details, when there are any")


class ErrorBody(Shape):
    error: ErrorDetail


_MEANING = {
    400: "Malformed JSON, or a NUL character in the address",
    401: "Not logged in (token missing, invalid or expired), or a wrong secret",
    403: "Not allowed: not a representative of the company in X-Act-For, or not an agency or messenger channel",
    404: "Nothing of yours here (another subject's resource answers 404 too)",
    409: "The draft changed meanwhile, was already sent, or is not signed; or the request was already used",
    413: "The request or file is too large",
    415: "This file type is not accepted",
    422: "Missing or invalid values; `fields` says which",
    423: "Too many wrong secrets: this method is locked for a while",
    429: "Too many wrong attempts from this source: wait (Retry-After)",
    500: "The portal failed; no details are given",
}


def errors(*statuses: int) -> Dict[Union[int, str], Dict[str, Any]]:
    """OpenAPI entries for these statuses, all in the one error shape (for FastAPI's `responses=`)."""
    return {status: {"model": ErrorBody, "description": _MEANING[status]} for status in statuses}


FILE: Dict[Union[int, str], Dict[str, Any]] = {
    200: {"description": "The file, with its own Content-Type", "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}},
}
