"""Public reference data: the service catalogue with form schemas, and the agency directory."""
from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog_index import Service, get_catalogue
from portal.context import db_session
from portal.errors import not_found
from portal.models import Agency
from portal.responses import Agencies, Categories, ServiceDetail, Services, errors
from portal.schemas import Json

router = APIRouter(prefix="/v1", tags=["catalogue"])


def service_summary(service: Service) -> Json:
    return {"id": service.id, "name": {"ka": service.name_ka, "en": service.name_en}, "category": service.category,
            "kind": service.kind, "agency": service.agency, "online": service.online}


def require_service(service_id: str) -> Service:
    service = get_catalogue().get(service_id)
    if service is None:
        raise not_found(f"The service {service_id!r}", "სერვისი")
    return service


@router.get("/catalogue/categories", response_model=Categories)
def categories() -> Json:
    return {"categories": [{"id": c.id, "name": {"ka": c.name_ka, "en": c.name_en}} for c in get_catalogue().categories]}


@router.get("/catalogue/services", response_model=Services)
def services(category: Optional[str] = None, kind: Optional[str] = None) -> Json:
    chosen = [s for s in get_catalogue().services if (category in (None, s.category)) and (kind in (None, s.kind))]
    return {"services": [service_summary(s) for s in chosen]}


@router.get("/catalogue/services/{service_id}", response_model=ServiceDetail, response_model_exclude_unset=True,
            responses=errors(404))
def service_detail(service_id: str) -> Json:
    service = require_service(service_id)
    return {**service_summary(service),
            "agency_name": {"ka": service.agency_name_ka, "en": service.agency_name_en},
            "signature_required": service.signature_required, "fee": service.fee,
            "processing_time": service.processing_time, "inputs": list(service.inputs),
            "sources": list(service.sources), "form": [f.to_json() for f in service.form]}


@router.get("/agencies", response_model=Agencies)
def agencies(db: Session = Depends(db_session)) -> Json:
    rows = db.execute(select(Agency).order_by(Agency.id)).scalars()
    return {"agencies": [{"id": a.id, "name": {"ka": a.name_ka, "en": a.name_en}} for a in rows]}
