"""The demo citizens, company, agencies and records: seeded on first start, restored by --reset-demo.

Every credential here is for the demo only and is listed in the README.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from catalog_index import get_catalogue
from portal.db import create_schema, drop_schema, make_session_factory
from portal.models import ENTITY, PERSON, Agency, Citizen, Entity, InboxAttachment, InboxMessage, InfoRecord, Representation
from portal.security import hash_secret

NINO, GIORGI, ANA = "01001012345", "01024054321", "01008087654"
BAKERY = "404123456"

CITIZENS = [
    dict(personal_number=NINO, first_name_ka="ნინო", last_name_ka="ბერიძე", first_name_en="Nino", last_name_en="Beridze",
         phone="+995555123456", email="nino.beridze@example.ge", preferred_language="ka", preferred_channel="voice",
         accessibility_needs="blind", password="Nino-demo-2026", phone_pin="2468", card_pin="1111", signing_pin="5678"),
    dict(personal_number=GIORGI, first_name_ka="გიორგი", last_name_ka="მაისურაძე", first_name_en="Giorgi",
         last_name_en="Maisuradze", phone="+995555654321", email="giorgi.maisuradze@example.ge", preferred_language="ka",
         preferred_channel="chat", accessibility_needs="low vision", password="Giorgi-demo-2026", phone_pin="1357",
         card_pin="2222", signing_pin="8642"),
    dict(personal_number=ANA, first_name_ka="ანა", last_name_ka="კაპანაძე", first_name_en="Ana", last_name_en="Kapanadze",
         phone="+995555987654", email="ana.kapanadze@example.ge", preferred_language="en", preferred_channel="chat",
         accessibility_needs="", password="Ana-demo-2026", phone_pin="9753", card_pin="3333", signing_pin="1928"),
]

# Agencies reached through e-communication: those the catalogue names, plus Tbilisi City Hall.
EXTRA_AGENCIES = [("TCH", "თბილისის მერია", "Tbilisi City Hall")]

INFO = [
    (PERSON, NINO, "border-crossings", {"direction": "exit", "date": "2026-03-14", "checkpoint_ka": "სარფი", "checkpoint_en": "Sarpi"}),
    (PERSON, NINO, "border-crossings", {"direction": "entry", "date": "2026-03-21", "checkpoint_ka": "სარფი", "checkpoint_en": "Sarpi"}),
    (PERSON, NINO, "documents", {"title_ka": "შპს „ბერიძის საცხობის“ წესდება", "title_en": "Charter of Beridze Bakery LLC",
                                  "role_ka": "დამფუძნებელი", "role_en": "founder", "date": "2024-05-02", "number": "B24-118345"}),
    (PERSON, GIORGI, "tax-debt", {"amount_tetri": 12540, "as_of": "2026-11-01"}),
    (PERSON, GIORGI, "property", {"type_ka": "ბინა", "type_en": "apartment", "city_ka": "თბილისი", "city_en": "Tbilisi",
                                   "cadastral_code": "01.10.14.004.018.01.500", "share_percent": 100}),
    (PERSON, GIORGI, "documents", {"title_ka": "ნასყიდობის ხელშეკრულება", "title_en": "Purchase agreement",
                                    "role_ka": "მყიდველი", "role_en": "buyer", "date": "2021-09-17", "number": "882021-0917-14"}),
]

INBOX = [
    (NINO, "NAPR", "ამონაწერი მზადაა", "თქვენს მიერ მოთხოვნილი ამონაწერი საჯარო რეესტრიდან მზადაა. ამონაწერი თან ერთვის ამ შეტყობინებას.",
     "2026-11-20T10:15:00", True),
    (GIORGI, "NAPR", "ამონაწერი მზადაა", "უძრავი ქონების ამონაწერი, საკადასტრო კოდი 01.10.14.004.018.01.500, მზადაა და თან ერთვის ამ შეტყობინებას.",
     "2026-11-18T09:00:00", True),
    (GIORGI, "TCH", "პასუხი საჯარო ინფორმაციის მოთხოვნაზე",
     "თქვენს მოთხოვნაზე გაცნობებთ, რომ 2026 წელს ვაკის რაიონში ქუჩების რეაბილიტაციაზე დაიხარჯა 2 400 000 ლარი. დეტალური ინფორმაცია თან ერთვის.",
     "2026-11-22T14:30:00", False),
]


def _agencies() -> list[Agency]:
    seen: dict[str, Agency] = {}
    for service in get_catalogue().services:
        if service.agency and service.agency != "VARIOUS" and service.agency not in seen:
            seen[service.agency] = Agency(id=service.agency, name_ka=service.agency_name_ka, name_en=service.agency_name_en)
    for agency_id, name_ka, name_en in EXTRA_AGENCIES:
        seen.setdefault(agency_id, Agency(id=agency_id, name_ka=name_ka, name_en=name_en))
    return list(seen.values())


def _seed(db: Session) -> None:
    for data in CITIZENS:
        data = dict(data)
        secrets = {k: hash_secret(data.pop(k)) for k in ("password", "phone_pin", "card_pin", "signing_pin")}
        db.add(Citizen(**data, password_hash=secrets["password"], phone_pin_hash=secrets["phone_pin"],
                       card_pin_hash=secrets["card_pin"], signing_pin_hash=secrets["signing_pin"]))
    db.add(Entity(id_code=BAKERY, name_ka="შპს „ბერიძის საცხობი“", name_en="Beridze Bakery LLC", legal_form="LLC"))
    db.add(Representation(entity_id=BAKERY, personal_number=NINO, role="director", share_percent=100))
    db.add_all(_agencies())
    db.add(InfoRecord(subject_kind=ENTITY, subject_id=BAKERY, topic="tax-debt", payload=json.dumps({"amount_tetri": 0, "as_of": "2026-11-01"})))
    for kind, subject, topic, payload in INFO:
        db.add(InfoRecord(subject_kind=kind, subject_id=subject, topic=topic, payload=json.dumps(payload, ensure_ascii=False)))
    for owner, agency, subject, body, received, with_extract in INBOX:
        message = InboxMessage(id=str(uuid.uuid4()), subject_kind=PERSON, subject_id=owner, agency_id=agency, subject=subject,
                               body=body, language="ka", received_at=datetime.fromisoformat(received))
        if with_extract:
            message.attachments.append(InboxAttachment(id=str(uuid.uuid4()), filename="amonatseri.pdf",
                                                       content_type="application/pdf", data=b"%PDF-1.4\n% demo extract\n"))
        db.add(message)


def ensure_demo_data(engine: Engine) -> bool:
    """Create the schema and seed the demo data if the database is empty; True when it seeded."""
    create_schema(engine)
    with make_session_factory(engine)() as db:
        if db.execute(select(Citizen.personal_number).limit(1)).first() is not None:
            return False
        _seed(db)
        db.commit()
        return True


def reset_demo_data(engine: Engine) -> None:
    """Drop everything and seed the demo data again: the initial state."""
    drop_schema(engine)
    ensure_demo_data(engine)
