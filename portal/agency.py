"""The agency side: a back-office API and a worker that answers submitted applications after a delay."""
from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from portal.applications import COMPLETED, IN_REVIEW, REJECTED, SUBMITTED, agency_reply, set_status
from portal.context import agency_caller, db_session, represents
from portal.errors import ApiError, not_found
from portal.models import Application, Citizen, Entity, Representation, utcnow
from portal.responses import ApplicationOut, Representative, errors
from portal.routes_applications import application_json
from portal.schemas import AgencyAdvance, Json, RepresentationBody

router = APIRouter(prefix="/v1/agency", tags=["agency back office"], dependencies=[Depends(agency_caller)], responses=errors(403))


def advance(db: Session, app: Application, status: str, subject: str | None = None, body: str | None = None) -> bool:
    """Move an application on; claim it with a conditional update so two workers never answer twice."""
    claimed = db.execute(update(Application).where(Application.id == app.id, Application.status == app.status)
                         .values(status=status, updated_at=utcnow())).rowcount
    if claimed != 1:
        db.rollback()
        return False
    db.refresh(app)
    set_status(app, status)
    if status in (COMPLETED, REJECTED):
        agency_reply(db, app, subject, body)
    db.commit()
    return True


def answer_due(sessions: sessionmaker, delay_seconds: float) -> int:
    """One pass of the simulated agency: every application submitted `delay_seconds` ago is answered."""
    answered = 0
    with sessions() as db:
        due = db.execute(select(Application).where(Application.status == SUBMITTED,
                                                   Application.submitted_at <= utcnow() - timedelta(seconds=delay_seconds))).scalars()
        for app in list(due):
            if advance(db, app, IN_REVIEW):
                answered += advance(db, app, COMPLETED)
    return answered


@router.post("/applications/{application_id}/advance", summary="Move an application on and, when done, reply",
             response_model=ApplicationOut, responses=errors(404, 409))
def advance_application(application_id: str, body: AgencyAdvance, db: Session = Depends(db_session)) -> Json:
    app = db.get(Application, application_id)
    if app is None:
        raise not_found("The application", "განცხადება")
    if app.status not in (SUBMITTED, IN_REVIEW):
        raise ApiError(409, "not_in_progress", "Only a submitted application can be moved on.",
                       "მხოლოდ გაგზავნილი განცხადების განხილვა შეიძლება.")
    if not advance(db, app, body.status, body.reply_subject, body.reply_body):
        raise ApiError(409, "changed_meanwhile", "The application changed meanwhile; try again.",
                       "განცხადება ამასობაში შეიცვალა; სცადეთ თავიდან.")
    return application_json(app)


@router.put("/entities/{entity_id}/representatives/{personal_number}", summary="Register a representative",
            response_model=Representative, responses=errors(404))
def add_representative(entity_id: str, personal_number: str, body: RepresentationBody, db: Session = Depends(db_session)) -> Json:
    if db.get(Entity, entity_id) is None or db.get(Citizen, personal_number) is None:
        raise not_found("The company or the person", "კომპანია ან პირი")
    if not represents(db, personal_number, entity_id):
        db.add(Representation(entity_id=entity_id, personal_number=personal_number, role=body.role))
        db.commit()
    return {"entity_id": entity_id, "personal_number": personal_number, "registered": True}


@router.delete("/entities/{entity_id}/representatives/{personal_number}", summary="End a representation",
               response_model=Representative)
def remove_representative(entity_id: str, personal_number: str, db: Session = Depends(db_session)) -> Json:
    rows = db.execute(select(Representation).where(Representation.entity_id == entity_id,
                                                   Representation.personal_number == personal_number)).scalars()
    for row in rows:
        db.delete(row)
    db.commit()
    return {"entity_id": entity_id, "personal_number": personal_number, "registered": False}
