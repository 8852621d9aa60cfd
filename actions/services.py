"""Finding a service from a need, choosing among options, and what a service costs and needs."""
from __future__ import annotations

import re

from actions.slots import AWAITING, OPTIONS, OPTIONS_KIND, SERVICE_ID
from actions.turn import Turn, TurnAction
from catalog_index import Service, get_catalogue
from catalog_index.matcher import search

MAX_SUGGESTIONS = 3
_OPTION_WORDS = {
    1: ("1", "one", "first", "ერთ", "პირველ", "pirvel", "ert"), 2: ("2", "two", "second", "ორ", "მეორე", "meore", "ori"),
    3: ("3", "three", "third", "სამ", "მესამე", "mesame", "sami"), 4: ("4", "four", "fourth", "ოთხ", "მეოთხე", "meotxe"),
    5: ("5", "five", "fifth", "ხუთ", "მეხუთე", "mexute"),
}


def option_number(text: str) -> int | None:
    """The option a user picked: a digit, or a number word or ordinal in Georgian or English."""
    digits = re.findall(r"\d+", text)
    if digits:
        return int(digits[0])
    words = re.findall(r"[\w']+", text.lower())
    for number, stems in _OPTION_WORDS.items():
        if any(word.startswith(stem) for word in words for stem in stems if not stem.isdigit() and len(word) <= len(stem) + 3):
            return number
    return None


def known_service(turn: Turn, service_id: str | None) -> Service | None:
    """The catalogue's service `service_id`; else None, after telling the user it is gone (the catalogue
    changed since it was chosen, or a draft outlived its service)."""
    service = get_catalogue().get(service_id or "")
    if service is None:
        turn.say("service_gone")
    return service


# A need often comes with its question: "how much does a passport cost?" is answered, not only routed.
FEE_WORDS = ("ღირ", "ფას", "საფას", "girs", "fasi", "cost", "price", "fee", "how much", "how long", "რამდენ ხან")
DOCUMENT_WORDS = ("დოკუმენტ", "საბუთ", "dokument", "sabut", "document", "papers", "bring")


def present_service(turn: Turn, service: Service) -> None:
    """Name and describe a service, answer the question the need came with, then offer the next step."""
    turn.set(SERVICE_ID, service.id)
    turn.set(OPTIONS, None)
    agency = service.agency_name_ka if turn.lang == "ka" else service.agency_name_en
    turn.say("route", name=service.name(turn.lang))
    turn.say("service_intro", description=service.description(turn.lang), agency=agency)
    asked = turn.text.lower()
    if any(word in asked for word in FEE_WORDS):
        describe_fee_time(turn, service)
    if any(word in asked for word in DOCUMENT_WORDS):
        describe_documents(turn, service)
    if service.kind == "functional" and service.form:
        turn.set(AWAITING, "offer_apply")
        turn.say("offer_apply")
    else:
        turn.set(AWAITING, None)
        turn.say("offer_more")


def describe_fee_time(turn: Turn, service: Service) -> None:
    fee = service.fee_for_speech(turn.lang)
    if fee:
        turn.say("fee", fee=fee.rstrip("."))
    else:
        turn.say("fee_unknown")


def describe_documents(turn: Turn, service: Service) -> None:
    documents = service.documents(turn.lang)
    if documents:
        turn.say("documents", documents=", ".join(documents))
    else:
        turn.say("documents_unknown")


def describe_where(turn: Turn, service: Service) -> None:
    turn.say("online_unknown" if service.online is None else "online_yes" if service.online else "online_no")


class ActionFindService(TurnAction):
    def name(self) -> str:
        return "action_find_service"

    async def act(self, turn: Turn) -> None:
        matches = search(turn.text.strip(), lang=turn.lang, top=MAX_SUGGESTIONS)
        catalogue = get_catalogue()
        if not matches:
            turn.set(OPTIONS, None)
            names = [c.name_ka if turn.lang == "ka" else c.name_en for c in catalogue.categories]
            turn.say("no_service", categories=", ".join(names))
            return
        best = matches[0]
        if best.band == "route":
            service = known_service(turn, best.id)
            if service is not None:
                present_service(turn, service)
        elif best.band == "confirm":
            turn.set(OPTIONS, [best.id])
            turn.set(OPTIONS_KIND, "service")
            turn.set(AWAITING, "confirm_service")
            turn.say("did_you_mean", name=best.name_ka if turn.lang == "ka" else best.name_en)
        else:
            turn.set(OPTIONS, [m.id for m in matches])
            turn.set(OPTIONS_KIND, "service")
            turn.set(AWAITING, None)
            turn.say("suggest")
            turn.offer([m.name_ka if turn.lang == "ka" else m.name_en for m in matches])


class ActionServiceInfo(TurnAction):
    def name(self) -> str:
        return "action_service_info"

    async def act(self, turn: Turn) -> None:
        service = get_catalogue().get(turn.slot(SERVICE_ID) or "")
        if service is None:  # a question with no service in view is taken as a need
            await ActionFindService().act(turn)
            return
        {"ask_documents": describe_documents, "ask_where": describe_where}.get(turn.intent, describe_fee_time)(turn, service)
        if service.kind == "functional" and service.form:
            turn.set(AWAITING, "offer_apply")
            turn.say("offer_apply")
