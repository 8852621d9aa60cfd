"""Application rules shared by the citizen's routes and the agency worker: content hash, numbering, replies."""
from __future__ import annotations

import hashlib
import json
import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from basics.registration import format_number
from catalog_index import get_catalogue
from portal.db import insert_missing
from portal.models import Application, Citizen, Counter, InboxMessage, StatusEvent, utcnow

DRAFT, SUBMITTED, IN_REVIEW, COMPLETED, REJECTED = "draft", "submitted", "in_review", "completed", "rejected"


def content_sha256(application: Application) -> str:
    """What a signature covers: service, on whose behalf, every field and every attachment's hash."""
    content = {"service_id": application.service_id, "subject": [application.subject_kind, application.subject_id],
               "fields": json.loads(application.fields),
               "attachments": sorted((a.filename, a.sha256) for a in application.attachments)}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def next_registration_number(db: Session) -> str:
    """The next number of this year, from a counter row changed by one UPDATE: parallel submits never share one."""
    year = utcnow().year
    name = f"registration-{year}"
    insert_missing(db, Counter, name=name, value=0)
    db.execute(update(Counter).where(Counter.name == name).values(value=Counter.value + 1)
               .execution_options(synchronize_session=False))
    value = db.execute(select(Counter.value).where(Counter.name == name)).scalar_one()
    return format_number(year, value)


def set_status(application: Application, status: str) -> None:
    application.status = status
    application.updated_at = utcnow()
    application.events.append(StatusEvent(status=status, at=application.updated_at))


def agency_reply(db: Session, application: Application, subject: str | None = None, body: str | None = None) -> InboxMessage:
    """The agency's answer lands in the inbox of whoever the application was for, in the author's language."""
    service = get_catalogue().get(application.service_id)
    author = db.get(Citizen, application.author)
    lang = author.preferred_language if author else "ka"
    fields = json.loads(application.fields)
    agency = fields.get("agency") or (service.agency if service and service.agency != "VARIOUS" else "PSDA")
    name = service.name(lang) if service else application.service_id
    number = application.registration_number
    if lang == "ka":
        default_subject = f"პასუხი განცხადებაზე {number}"
        default_body = f"თქვენი განცხადება „{name}“, რეგისტრაციის ნომერი {number}, განხილულია და დაკმაყოფილებულია."
    else:
        default_subject = f"Reply to application {number}"
        default_body = f"Your application \"{name}\", registration number {number}, has been reviewed and completed."
    message = InboxMessage(id=str(uuid.uuid4()), subject_kind=application.subject_kind, subject_id=application.subject_id,
                           agency_id=agency, application_id=application.id, subject=subject or default_subject,
                           body=body or default_body, language=lang, received_at=utcnow())
    db.add(message)
    return message
