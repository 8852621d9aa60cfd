"""Applications: draft, fill (validated against the form schema), attach, sign, submit, follow.

Every change of a draft (answers, attachments, a signing request, a signature, the submit) first
bumps the draft's version with one conditional UPDATE (`locked`). That UPDATE holds the row
(PostgreSQL) or the database (SQLite) until the change commits, so what the handler reads next is
exactly what it changes: two edits of different answers both land, a submit sends exactly the content
that was signed, and one draft is sent once. A client may send `If-Match: <version>` to change only the
version it saw; without it the server's own reading is the version that counts.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from datetime import datetime
from typing import Mapping, Optional

from fastapi import APIRouter, Depends, Header, Request, Response
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from catalog_index.forms import FieldError, validate_value
from portal.applications import DRAFT, SUBMITTED, content_sha256, next_registration_number, set_status
from portal.context import PortalContext, Subject, context, current_citizen, db_session, represents, subject
from portal.errors import ApiError, not_found
from portal.models import ENTITY, Agency, Application, Attachment, Citizen, Signature, SigningRequest, utcnow
from portal.responses import ApplicationOut, Applications, Approved, Attached, SigningRequestOut, errors
from portal.routes_catalogue import require_service
from portal.schemas import FieldUpdate, Json, NewApplication, PinApproval
from portal.security import check_secret

router = APIRouter(prefix="/v1", tags=["applications"], responses=errors(401, 403))


def iso(value: Optional[datetime]) -> Optional[str]:
    return value.isoformat() + "Z" if value else None


def application_json(app: Application) -> Json:
    service = require_service(app.service_id)
    fields = json.loads(app.fields)
    signature = app.signature
    return {
        "id": app.id, "service_id": app.service_id, "service_name": {"ka": service.name_ka, "en": service.name_en},
        "on_behalf_of": {"kind": app.subject_kind, "id": app.subject_id}, "status": app.status, "version": app.version,
        "fields": fields,
        "missing_required": [f.name for f in service.form if f.required and not fields.get(f.name)],
        "next_field": next((f.name for f in service.form if f.name not in fields), None),
        "attachments": [{"id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size,
                         "sha256": a.sha256} for a in app.attachments],
        "signature": None if signature is None else {
            "signer": signature.signer, "signed_at": iso(signature.signed_at), "content_sha256": signature.content_sha256,
            "valid": signature.content_sha256 == content_sha256(app)},
        "registration_number": app.registration_number, "created_at": iso(app.created_at),
        "updated_at": iso(app.updated_at), "submitted_at": iso(app.submitted_at),
        "history": [{"status": e.status, "at": iso(e.at)} for e in app.events],
    }


IfMatch = Header(default=None, description="The draft's version this change is meant for (optional)")

CHANGED_MEANWHILE = ApiError(409, "changed_meanwhile", "The application changed meanwhile. Look at it again, then try again.",
                             "განცხადება ამასობაში შეიცვალა. გადახედეთ და სცადეთ თავიდან.")


def owned(db: Session, application_id: str, who: Subject) -> Application:
    """The application if it belongs to the acting subject; 404 otherwise, so others' ids reveal nothing."""
    app = db.get(Application, application_id)
    if app is None or (app.subject_kind, app.subject_id) != (who.kind, who.id):
        raise not_found("The application", "განცხადება")
    return app


def editable(app: Application) -> None:
    if app.status != DRAFT:
        raise ApiError(409, "not_a_draft", "This application was already sent and can no longer be changed.",
                       "ეს განცხადება უკვე გაგზავნილია და ვეღარ შეიცვლება.")


def _version(if_match: str | None) -> int | None:
    """`If-Match: 3`, `"3"` or `W/"3"`; `*` or nothing means any version; anything else matches none."""
    if if_match is None or if_match.strip() == "*":
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    return int(value) if value.isdigit() and len(value) < 10 else -1


def locked(db: Session, app: Application, if_match: str | None = None) -> None:
    """Claim the draft for this transaction (see the module's docstring) and reload it as it now is.

    409 `not_a_draft` once it was sent; 409 `changed_meanwhile` when it is not the version the client saw.
    """
    conditions = [Application.id == app.id, Application.status == DRAFT]
    expected = _version(if_match)
    if expected is not None:
        conditions.append(Application.version == expected)
    claimed = db.execute(update(Application).where(*conditions)
                         .values(version=Application.version + 1, updated_at=utcnow())
                         .execution_options(synchronize_session=False)).rowcount
    if claimed:
        db.refresh(app)
        return
    db.rollback()
    now = db.get(Application, app.id, populate_existing=True)
    if now is None:  # discarded meanwhile
        raise not_found("The application", "განცხადება")
    editable(now)
    raise CHANGED_MEANWHILE


def touched(app: Application) -> None:
    """Any change to a draft voids its signature (pending signing requests no longer match its content)."""
    app.signature = None


@router.post("/applications", status_code=201, response_model=ApplicationOut, responses=errors(404))
def create(body: NewApplication, who: Subject = Depends(subject), db: Session = Depends(db_session)) -> Json:
    service = require_service(body.service_id)
    if service.kind != "functional" or not service.form:
        raise ApiError(422, "not_applicable", "This service gives information; there is nothing to apply for.",
                       "ეს სერვისი საინფორმაციოა; განცხადების შევსება არ სჭირდება.")
    app = Application(id=str(uuid.uuid4()), subject_kind=who.kind, subject_id=who.id, author=who.citizen.personal_number,
                      service_id=service.id, status=DRAFT, fields="{}")
    set_status(app, DRAFT)
    db.add(app)
    db.commit()
    return application_json(app)


@router.get("/applications", response_model=Applications)
def list_applications(status: Optional[str] = None, who: Subject = Depends(subject), db: Session = Depends(db_session)) -> Json:
    query = select(Application).where(Application.subject_kind == who.kind, Application.subject_id == who.id)
    if status:
        query = query.where(Application.status == status)
    rows = db.execute(query.order_by(Application.updated_at.desc())).scalars()
    return {"applications": [application_json(a) for a in rows]}


@router.get("/applications/{application_id}", response_model=ApplicationOut, responses=errors(404))
def get_application(application_id: str, who: Subject = Depends(subject), db: Session = Depends(db_session)) -> Json:
    return application_json(owned(db, application_id, who))


def _validated(service_id: str, changes: Mapping[str, object], agency_ids: frozenset[str]) -> dict[str, object]:
    """Each answer normalised by the form's one validator (None clears it); 422 naming every answer to correct."""
    service = require_service(service_id)
    values: dict[str, object] = {}
    errors: dict[str, Json] = {}
    for name, raw in changes.items():
        spec = service.form_field(name)
        if spec is None:
            errors[name] = {"code": "unknown_field", "message": {"en": "This form has no such question.",
                                                                 "ka": "ამ ფორმაში ასეთი კითხვა არ არის."}}
            continue
        try:
            values[name] = None if raw is None else validate_value(spec, raw, agency_ids)
        except FieldError as exc:
            errors[name] = {"code": exc.code, "message": {"en": exc.message_en, "ka": exc.message_ka}}
    if errors:
        raise ApiError(422, "invalid_fields", "Some answers need correcting; nothing was changed.",
                       "ზოგიერთი პასუხი გასასწორებელია; არაფერი შეცვლილა.", errors)
    return values


@router.patch("/applications/{application_id}", response_model=ApplicationOut, responses=errors(404, 409))
def fill(application_id: str, body: FieldUpdate, if_match: Optional[str] = IfMatch, who: Subject = Depends(subject),
         db: Session = Depends(db_session)) -> Json:
    """Answers are validated first, then merged into the draft as it is under the lock: parallel edits all land."""
    app = owned(db, application_id, who)
    editable(app)
    changes = _validated(app.service_id, body.fields, frozenset(db.execute(select(Agency.id)).scalars()))
    locked(db, app, if_match)
    values = json.loads(app.fields)
    for name, value in changes.items():
        if value is None:  # clearing an answer, for example when the user goes back a question
            values.pop(name, None)
        else:
            values[name] = value
    app.fields = json.dumps(values, ensure_ascii=False)
    touched(app)
    db.commit()
    return application_json(app)


@router.delete("/applications/{application_id}", status_code=204, responses=errors(404, 409))
def discard(application_id: str, if_match: Optional[str] = IfMatch, who: Subject = Depends(subject),
            db: Session = Depends(db_session)) -> Response:
    app = owned(db, application_id, who)
    locked(db, app, if_match)
    db.execute(delete(SigningRequest).where(SigningRequest.application_id == app.id))
    db.delete(app)
    db.commit()
    return Response(status_code=204)


@router.post("/applications/{application_id}/attachments", status_code=201,
             summary="Attach a file: the raw bytes as the body, its type as Content-Type, ?filename=",
             response_model=Attached, responses=errors(404, 409, 415))
async def attach(application_id: str, filename: str, request: Request, if_match: Optional[str] = IfMatch,
                 who: Subject = Depends(subject), ctx: PortalContext = Depends(context),
                 db: Session = Depends(db_session)) -> Json:
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type not in ctx.settings.attachment_types:
        raise ApiError(415, "unsupported_type", "Attach a PDF, JPEG, PNG or plain text file.",
                       "მიამაგრეთ PDF, JPEG, PNG ან ტექსტური ფაილი.", {"allowed": list(ctx.settings.attachment_types)})
    data = await request.body()
    limit = ctx.settings.attachment_max_bytes
    if not data or len(data) > limit:
        raise ApiError(413 if data else 422, "bad_size", f"A file must be between 1 byte and {limit // (1024 * 1024)} MB.",
                       f"ფაილის ზომა უნდა იყოს 1 ბაიტიდან {limit // (1024 * 1024)} მბ-მდე.")
    clean_name = "".join(ch for ch in filename if ch.isprintable() and ch not in '/\\').strip()[:200]
    if not clean_name:
        raise ApiError(422, "bad_filename", "Give the file a name.", "მიუთითეთ ფაილის სახელი.")
    return await asyncio.to_thread(_attach, db, application_id, who, if_match, clean_name, content_type, data)


def _attach(db: Session, application_id: str, who: Subject, if_match: str | None, filename: str, content_type: str,
            data: bytes) -> Json:
    """The database part of attaching, in a worker thread: waiting for the draft's lock must not stop the event loop."""
    app = owned(db, application_id, who)
    locked(db, app, if_match)
    attachment = Attachment(id=str(uuid.uuid4()), filename=filename, content_type=content_type, size=len(data),
                            sha256=hashlib.sha256(data).hexdigest(), data=data)
    app.attachments.append(attachment)
    touched(app)
    db.commit()
    return {"id": attachment.id, "filename": attachment.filename, "size": attachment.size, "sha256": attachment.sha256}


@router.delete("/applications/{application_id}/attachments/{attachment_id}", status_code=204, responses=errors(404, 409))
def detach(application_id: str, attachment_id: str, if_match: Optional[str] = IfMatch, who: Subject = Depends(subject),
           db: Session = Depends(db_session)) -> Response:
    app = owned(db, application_id, who)
    locked(db, app, if_match)
    attachment = next((a for a in app.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise not_found("The attachment", "მიმაგრებული ფაილი")
    app.attachments.remove(attachment)
    touched(app)
    db.commit()
    return Response(status_code=204)


@router.post("/applications/{application_id}/signing-requests", status_code=201,
             summary="Ask the citizen's card reader to sign the draft as it is now", response_model=SigningRequestOut,
             responses=errors(404, 409))
def request_signature(application_id: str, if_match: Optional[str] = IfMatch, who: Subject = Depends(subject),
                      db: Session = Depends(db_session)) -> Json:
    app = owned(db, application_id, who)
    locked(db, app, if_match)
    missing = application_json(app)["missing_required"]
    if missing:
        raise ApiError(422, "incomplete", "Answer every required question before signing.",
                       "ხელმოწერამდე უპასუხეთ ყველა სავალდებულო კითხვას.", {name: "required" for name in missing})
    request = SigningRequest(id=str(uuid.uuid4()), application_id=app.id, personal_number=who.citizen.personal_number,
                             content_sha256=content_sha256(app))
    db.add(request)
    db.commit()
    return {"id": request.id, "application_id": app.id, "content_sha256": request.content_sha256, "status": request.status,
            "version": app.version}


NOT_PENDING = ApiError(409, "not_pending", "This signing request was already used. Ask for a new one.",
                       "ხელმოწერის ეს მოთხოვნა უკვე გამოყენებულია. მოითხოვეთ ახალი.")
DRAFT_CHANGED = ApiError(409, "draft_changed", "The draft changed after this signing request. Ask for a new one.",
                         "განცხადება შეიცვალა ხელმოწერის მოთხოვნის შემდეგ. მოითხოვეთ ახალი.")


@router.post("/signing-requests/{request_id}/approve",
             summary="The card reader stand-in: the citizen approves with the signing PIN", response_model=Approved,
             responses=errors(404, 409, 423))
def approve(request_id: str, body: PinApproval, citizen: Citizen = Depends(current_citizen),
            ctx: PortalContext = Depends(context), db: Session = Depends(db_session)) -> Json:
    """The PIN is checked first (under lockout); then, with the draft claimed, the request must still be pending,
    the content still the one it shows, and a company's signer still its representative."""
    request = db.get(SigningRequest, request_id)
    if request is None or request.personal_number != citizen.personal_number:
        raise not_found("The signing request", "ხელმოწერის მოთხოვნა")
    if request.status != "pending":
        raise NOT_PENDING
    ctx.lockout.verify(db, "signing_pin", citizen.personal_number, lambda: check_secret(body.pin, citizen.signing_pin_hash))
    db.commit()
    app = db.get(Application, request.application_id)
    if app is None:  # discarded meanwhile, and its requests with it
        raise not_found("The signing request", "ხელმოწერის მოთხოვნა")
    try:
        locked(db, app)
    except ApiError:
        _mark(db, request, "stale")
        raise DRAFT_CHANGED from None
    if content_sha256(app) != request.content_sha256:
        db.rollback()
        _mark(db, request, "stale")
        raise DRAFT_CHANGED
    if app.subject_kind == ENTITY and not represents(db, citizen.personal_number, app.subject_id):
        db.rollback()
        raise ApiError(403, "not_representative", "You are no longer registered as a representative of this company, "
                       "so you cannot sign for it.", "თქვენ აღარ ხართ ამ კომპანიის წარმომადგენელი და მის სახელით ხელს ვერ მოაწერთ.")
    if not _mark(db, request, "approved", commit=False):
        db.rollback()
        raise NOT_PENDING
    app.signature = Signature(signer=citizen.personal_number, signed_at=utcnow(), content_sha256=request.content_sha256)
    db.commit()
    return {"status": "approved", "application": application_json(app)}


def _mark(db: Session, request: SigningRequest, status: str, commit: bool = True) -> bool:
    """Move a pending signing request on, once: whether this call did it."""
    moved = db.execute(update(SigningRequest).where(SigningRequest.id == request.id, SigningRequest.status == "pending")
                       .values(status=status).execution_options(synchronize_session=False)).rowcount == 1
    if commit:
        db.commit()
    return moved


@router.post("/applications/{application_id}/submit", summary="Send a signed application to the agency",
             response_model=ApplicationOut, responses=errors(404, 409))
def submit(application_id: str, if_match: Optional[str] = IfMatch, who: Subject = Depends(subject),
           db: Session = Depends(db_session)) -> Json:
    """Re-hashed with the draft claimed: exactly the signed content goes, or nothing does."""
    app = owned(db, application_id, who)
    locked(db, app, if_match)
    if app.signature is None or app.signature.content_sha256 != content_sha256(app):
        raise ApiError(409, "not_signed", "Sign the application with your ID card before sending it.",
                       "გაგზავნამდე მოაწერეთ განცხადებას ხელი პირადობის მოწმობით.")
    app.registration_number = next_registration_number(db)
    app.submitted_at = utcnow()
    set_status(app, SUBMITTED)
    db.commit()
    return application_json(app)
