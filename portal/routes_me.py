"""The citizen's own data: profile, companies represented, informational services, callback requests."""
from __future__ import annotations

import json
import uuid
from datetime import timedelta

from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.context import Subject, current_citizen, db_session, subject
from portal.errors import ApiError, not_found
from portal.models import ENTITY, PERSON, CallbackRequest, Citizen, Entity, InfoRecord, Representation, utcnow
from portal.responses import CallbackCreated, Callbacks, Entities, InfoAnswer, Me, SavedPreferences, errors
from portal.schemas import CallbackBody, Json, Preferences

router = APIRouter(prefix="/v1", tags=["citizen"], responses=errors(401))

INFO_TOPICS = ("documents", "enterprises", "border-crossings", "tax-debt", "property", "debtor-status")
CALLBACK_HOURS = 4


def _entities(db: Session, personal_number: str) -> list[Json]:
    rows = db.execute(select(Representation).where(Representation.personal_number == personal_number)).scalars()
    return [{"id_code": r.entity.id_code, "name": {"ka": r.entity.name_ka, "en": r.entity.name_en},
             "legal_form": r.entity.legal_form, "role": r.role, "share_percent": r.share_percent} for r in rows]


@router.get("/me", response_model=Me)
def me(citizen: Citizen = Depends(current_citizen), db: Session = Depends(db_session)) -> Json:
    return {"personal_number": citizen.personal_number,
            "name": {"ka": f"{citizen.first_name_ka} {citizen.last_name_ka}", "en": f"{citizen.first_name_en} {citizen.last_name_en}"},
            "first_name": {"ka": citizen.first_name_ka, "en": citizen.first_name_en},
            "preferred_language": citizen.preferred_language, "preferred_channel": citizen.preferred_channel,
            "speech_rate": citizen.speech_rate, "entities": _entities(db, citizen.personal_number)}


@router.patch("/me/preferences", response_model=SavedPreferences)
def preferences(body: Preferences, citizen: Citizen = Depends(current_citizen), db: Session = Depends(db_session)) -> Json:
    if body.speech_rate is not None:  # within basics.speech_rate's range: the schema checked it
        citizen.speech_rate = body.speech_rate
    if body.preferred_language is not None:
        citizen.preferred_language = body.preferred_language
    db.commit()
    return {"speech_rate": citizen.speech_rate, "preferred_language": citizen.preferred_language}


@router.get("/me/entities", response_model=Entities)
def entities(citizen: Citizen = Depends(current_citizen), db: Session = Depends(db_session)) -> Json:
    return {"entities": _entities(db, citizen.personal_number)}


def _records(db: Session, who: Subject, topic: str) -> list[Json]:
    rows = db.execute(select(InfoRecord).where(InfoRecord.subject_kind == who.kind, InfoRecord.subject_id == who.id,
                                               InfoRecord.topic == topic).order_by(InfoRecord.id)).scalars()
    return [json.loads(r.payload) for r in rows]


@router.get("/info/{topic}", summary="Informational services: what the state holds about you or your company",
            response_model=InfoAnswer, response_model_exclude_unset=True, responses=errors(403, 404))
def info(topic: str, who: Subject = Depends(subject), db: Session = Depends(db_session)) -> Json:
    if topic not in INFO_TOPICS:
        raise not_found(f"The informational service {topic!r}", "საინფორმაციო სერვისი")
    entity = db.get(Entity, who.id) if who.kind == ENTITY else None
    on_behalf = {"kind": who.kind, "id": who.id,
                 "name": {"ka": entity.name_ka, "en": entity.name_en} if entity else
                 {"ka": f"{who.citizen.first_name_ka} {who.citizen.last_name_ka}", "en": f"{who.citizen.first_name_en} {who.citizen.last_name_en}"}}
    result: Json = {"topic": topic, "on_behalf_of": on_behalf}
    if topic == "tax-debt":
        records = _records(db, who, topic)
        result.update({"amount_tetri": sum(r["amount_tetri"] for r in records), "currency": "GEL",
                       "as_of": records[-1]["as_of"] if records else None})
    elif topic == "debtor-status":
        result["registered_debtor"] = any(r.get("registered") for r in _records(db, who, topic))
    elif topic == "enterprises":
        if who.kind != PERSON:
            raise ApiError(422, "not_for_entities", "Enterprise participation is asked for a person, not a company.",
                           "საწარმოებში მონაწილეობა მოწმდება პირისთვის და არა კომპანიისთვის.")
        result["items"] = _entities(db, who.id)
    elif topic == "border-crossings" and who.kind != PERSON:
        raise ApiError(422, "not_for_entities", "Border crossings are kept for persons, not companies.",
                       "საზღვრის კვეთის ინფორმაცია ინახება პირებზე და არა კომპანიებზე.")
    else:
        result["items"] = _records(db, who, topic)
    return result


@router.post("/callback-requests", status_code=201, summary="Ask a person from the contact centre to call back",
             response_model=CallbackCreated)
def callback(body: CallbackBody, citizen: Citizen = Depends(current_citizen), db: Session = Depends(db_session)) -> Json:
    now = utcnow()
    request = CallbackRequest(id=str(uuid.uuid4()), personal_number=citizen.personal_number, phone=body.phone or citizen.phone,
                              topic=body.topic, language=body.language, created_at=now,
                              expected_by=now + timedelta(hours=CALLBACK_HOURS))
    db.add(request)
    db.commit()
    return {"id": request.id, "expected_by": request.expected_by.isoformat() + "Z", "within_hours": CALLBACK_HOURS,
            "phone_end": request.phone[-2:]}


@router.get("/callback-requests", response_model=Callbacks)
def callbacks(citizen: Citizen = Depends(current_citizen), db: Session = Depends(db_session)) -> Json:
    rows = db.execute(select(CallbackRequest).where(CallbackRequest.personal_number == citizen.personal_number)
                      .order_by(CallbackRequest.created_at.desc())).scalars()
    return {"callback_requests": [{"id": r.id, "topic": r.topic, "expected_by": r.expected_by.isoformat() + "Z"} for r in rows]}
