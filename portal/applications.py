"""Application rules shared by the citizen's routes and the agency worker: content hash, numbering, replies."""
from __future__ import annotations

import hashlib
import json
import uuid

from sqlalchemy.orm import Session

from catalog_index import get_catalogue
from portal.models import Application, Citizen, Counter, InboxMessage, StatusEvent, utcnow

DRAFT, SUBMITTED, IN_REVIEW, COMPLETED, REJECTED = "draft", "submitted", "in_review", "completed", "rejected"


def content_sha256(application: Application) -> str:
    """What a signature covers: service, on whose behalf, every field and every attachment's hash."""
    content = {"service_id": application.service_id, "subject": [application.subject_kind, application.subject_id],
               "fields": json.loads(application.fields),
               "attachments": sorted((a.filename, a.sha256) for a in application.attachments)}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def next_registration_number(db: Session) -> str:
    year = utcnow().year
    name = f"registration-{year}"
    counter = db.get(Counter, name, with_for_update=True)
    if counter is None:
        counter = Counter(name=name, value=0)
        db.add(counter)
    counter.value += 1
    return f"MG-{year}-{counter.value:06d}"


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
