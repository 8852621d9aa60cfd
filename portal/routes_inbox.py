"""Replies and letters from agencies: list, read one, mark read, fetch an attachment."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.context import Subject, db_session, subject
from portal.errors import not_found
from portal.models import InboxMessage, utcnow
from portal.responses import FILE, Inbox, Message, MessageSummary, errors
from portal.routes_applications import iso
from portal.schemas import Json

router = APIRouter(prefix="/v1/inbox", tags=["inbox"], responses=errors(401, 403))


def message_json(message: InboxMessage, with_body: bool) -> Json:
    data: Json = {"id": message.id, "agency": {"id": message.agency.id, "name": {"ka": message.agency.name_ka, "en": message.agency.name_en}},
                  "subject": message.subject, "language": message.language, "received_at": iso(message.received_at),
                  "read": message.read_at is not None, "application_id": message.application_id,
                  "attachments": [{"id": a.id, "filename": a.filename, "content_type": a.content_type} for a in message.attachments]}
    if with_body:
        data["body"] = message.body
    return data


def owned_message(db: Session, message_id: str, who: Subject) -> InboxMessage:
    message = db.get(InboxMessage, message_id)
    if message is None or (message.subject_kind, message.subject_id) != (who.kind, who.id):
        raise not_found("The message", "შეტყობინება")
    return message


@router.get("", response_model=Inbox)
def inbox(unread: bool = False, who: Subject = Depends(subject), db: Session = Depends(db_session)) -> Json:
    query = select(InboxMessage).where(InboxMessage.subject_kind == who.kind, InboxMessage.subject_id == who.id)
    messages = list(db.execute(query.order_by(InboxMessage.received_at.desc())).scalars())
    unread_count = sum(1 for m in messages if m.read_at is None)
    shown = [m for m in messages if m.read_at is None] if unread else messages
    return {"unread": unread_count, "total": len(messages), "messages": [message_json(m, with_body=False) for m in shown]}


@router.get("/{message_id}", summary="One message with its body (does not mark it read)", response_model=Message,
            responses=errors(404))
def read_message(message_id: str, who: Subject = Depends(subject), db: Session = Depends(db_session)) -> Json:
    return message_json(owned_message(db, message_id, who), with_body=True)


@router.post("/{message_id}/read", summary="Mark a message read", response_model=MessageSummary, responses=errors(404))
def mark_read(message_id: str, who: Subject = Depends(subject), db: Session = Depends(db_session)) -> Json:
    message = owned_message(db, message_id, who)
    message.read_at = message.read_at or utcnow()
    db.commit()
    return message_json(message, with_body=False)


@router.get("/{message_id}/attachments/{attachment_id}", response_class=Response, responses={**FILE, **errors(404)})
def attachment(message_id: str, attachment_id: str, who: Subject = Depends(subject), db: Session = Depends(db_session)) -> Response:
    message = owned_message(db, message_id, who)
    found = next((a for a in message.attachments if a.id == attachment_id), None)
    if found is None:
        raise not_found("The attachment", "მიმაგრებული ფაილი")
    return Response(found.data, media_type=found.content_type,
                    headers={"Content-Disposition": f'attachment; filename="{found.filename}"'})
