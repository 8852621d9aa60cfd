"""Applications: draft, fill (validated against the form schema), attach, sign, submit, follow."""
from __future__ import annotations

import hashlib
import json
import uuid
from typing import Optional

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog_index.forms import FieldError, validate_value
from portal.applications import DRAFT, SUBMITTED, content_sha256, next_registration_number, set_status
from portal.context import PortalContext, Subject, context, current_citizen, db_session, subject
from portal.errors import ApiError, not_found
from portal.models import Agency, Application, Attachment, Citizen, Signature, SigningRequest, utcnow
from portal.routes_catalogue import require_service
from portal.schemas import FieldUpdate, Json, NewApplication, PinApproval
from portal.security import check_secret

router = APIRouter(prefix="/v1", tags=["applications"])


def iso(value) -> Optional[str]:  # type: ignore[no-untyped-def]
    return value.isoformat() + "Z" if value else None


def application_json(app: Application) -> Json:
    service = require_service(app.service_id)
    fields = json.loads(app.fields)
    signature = app.signature
    return {
        "id": app.id, "service_id": app.service_id, "service_name": {"ka": service.name_ka, "en": service.name_en},
        "on_behalf_of": {"kind": app.subject_kind, "id": app.subject_id}, "status": app.status, "fields": fields,
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


def touched(app: Application) -> None:
    """Any change to a draft voids its signature and pending signing requests."""
    app.updated_at = utcnow()
    app.signature = None


@router.post("/applications", status_code=201)
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


@router.get("/applications")
def list_applications(status: Optional[str] = None, who: Subject = Depends(subject), db: Session = Depends(db_session)) -> Json:
    query = select(Application).where(Application.subject_kind == who.kind, Application.subject_id == who.id)
    if status:
        query = query.where(Application.status == status)
    rows = db.execute(query.order_by(Application.updated_at.desc())).scalars()
    return {"applications": [application_json(a) for a in rows]}


@router.get("/applications/{application_id}")
def get_application(application_id: str, who: Subject = Depends(subject), db: Session = Depends(db_session)) -> Json:
    return application_json(owned(db, application_id, who))


@router.patch("/applications/{application_id}")
def fill(application_id: str, body: FieldUpdate, who: Subject = Depends(subject), db: Session = Depends(db_session)) -> Json:
    app = owned(db, application_id, who)
    editable(app)
    service = require_service(app.service_id)
    agency_ids = frozenset(db.execute(select(Agency.id)).scalars())
    values, errors = json.loads(app.fields), {}
    for name, raw in body.fields.items():
        spec = service.form_field(name)
        if spec is None:
            errors[name] = {"code": "unknown_field", "message": {"en": "This form has no such question.",
                                                                 "ka": "ამ ფორმაში ასეთი კითხვა არ არის."}}
            continue
        if raw is None:  # clearing an answer, for example when the user goes back a question
            values.pop(name, None)
            continue
        try:
            values[name] = validate_value(spec, raw, agency_ids)
        except FieldError as exc:
            errors[name] = {"code": exc.code, "message": {"en": exc.message_en, "ka": exc.message_ka}}
    if errors:
        raise ApiError(422, "invalid_fields", "Some answers need correcting; nothing was changed.",
                       "ზოგიერთი პასუხი გასასწორებელია; არაფერი შეცვლილა.", errors)
    app.fields = json.dumps(values, ensure_ascii=False)
    touched(app)
    db.commit()
    return application_json(app)


@router.delete("/applications/{application_id}", status_code=204)
def discard(application_id: str, who: Subject = Depends(subject), db: Session = Depends(db_session)) -> Response:
    app = owned(db, application_id, who)
    editable(app)
    db.delete(app)
    db.commit()
    return Response(status_code=204)


@router.post("/applications/{application_id}/attachments", status_code=201,
             summary="Attach a file: the raw bytes as the body, its type as Content-Type, ?filename=")
async def attach(application_id: str, filename: str, request: Request, who: Subject = Depends(subject),
                 ctx: PortalContext = Depends(context), db: Session = Depends(db_session)) -> Json:
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
    app = owned(db, application_id, who)
    editable(app)
    attachment = Attachment(id=str(uuid.uuid4()), filename=clean_name, content_type=content_type, size=len(data),
                            sha256=hashlib.sha256(data).hexdigest(), data=data)
    app.attachments.append(attachment)
    touched(app)
    db.commit()
    return {"id": attachment.id, "filename": attachment.filename, "size": attachment.size, "sha256": attachment.sha256}


@router.delete("/applications/{application_id}/attachments/{attachment_id}", status_code=204)
def detach(application_id: str, attachment_id: str, who: Subject = Depends(subject), db: Session = Depends(db_session)) -> Response:
    app = owned(db, application_id, who)
    editable(app)
    attachment = next((a for a in app.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise not_found("The attachment", "მიმაგრებული ფაილი")
    app.attachments.remove(attachment)
    touched(app)
    db.commit()
    return Response(status_code=204)


@router.post("/applications/{application_id}/signing-requests", status_code=201,
             summary="Ask the citizen's card reader to sign the draft as it is now")
def request_signature(application_id: str, who: Subject = Depends(subject), db: Session = Depends(db_session)) -> Json:
    app = owned(db, application_id, who)
    editable(app)
    missing = application_json(app)["missing_required"]
    if missing:
        raise ApiError(422, "incomplete", "Answer every required question before signing.",
                       "ხელმოწერამდე უპასუხეთ ყველა სავალდებულო კითხვას.", {name: "required" for name in missing})
    request = SigningRequest(id=str(uuid.uuid4()), application_id=app.id, personal_number=who.citizen.personal_number,
                             content_sha256=content_sha256(app))
    db.add(request)
    db.commit()
    return {"id": request.id, "application_id": app.id, "content_sha256": request.content_sha256, "status": request.status}


@router.post("/signing-requests/{request_id}/approve",
             summary="The card reader stand-in: the citizen approves with the signing PIN")
def approve(request_id: str, body: PinApproval, citizen: Citizen = Depends(current_citizen),
            ctx: PortalContext = Depends(context), db: Session = Depends(db_session)) -> Json:
    request = db.get(SigningRequest, request_id)
    if request is None or request.personal_number != citizen.personal_number:
        raise not_found("The signing request", "ხელმოწერის მოთხოვნა")
    if request.status != "pending":
        raise ApiError(409, "not_pending", "This signing request was already used. Ask for a new one.",
                       "ხელმოწერის ეს მოთხოვნა უკვე გამოყენებულია. მოითხოვეთ ახალი.")
    app = db.get(Application, request.application_id)
    if app is None or app.status != DRAFT or content_sha256(app) != request.content_sha256:
        request.status = "stale"
        db.commit()
        raise ApiError(409, "draft_changed", "The draft changed after this signing request. Ask for a new one.",
                       "განცხადება შეიცვალა ხელმოწერის მოთხოვნის შემდეგ. მოითხოვეთ ახალი.")
    ctx.lockout.ensure_open(db, citizen.personal_number, "signing_pin")
    if not check_secret(body.pin, citizen.signing_pin_hash):
        raise ctx.lockout.failed(db, citizen.personal_number, "signing_pin")
    ctx.lockout.succeeded(db, citizen.personal_number, "signing_pin")
    request.status = "approved"
    app.signature = Signature(signer=citizen.personal_number, signed_at=utcnow(), content_sha256=request.content_sha256)
    db.commit()
    return {"status": "approved", "application": application_json(app)}


@router.post("/applications/{application_id}/submit", summary="Send a signed application to the agency")
def submit(application_id: str, who: Subject = Depends(subject), db: Session = Depends(db_session)) -> Json:
    app = owned(db, application_id, who)
    editable(app)
    if app.signature is None or app.signature.content_sha256 != content_sha256(app):
        raise ApiError(409, "not_signed", "Sign the application with your ID card before sending it.",
                       "გაგზავნამდე მოაწერეთ განცხადებას ხელი პირადობის მოწმობით.")
    app.registration_number = next_registration_number(db)
    app.submitted_at = utcnow()
    set_status(app, SUBMITTED)
    db.commit()
    return application_json(app)
