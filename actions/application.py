"""Applications by conversation: one question per turn from the portal's form, check your answers,
sign with the ID card's signing PIN, send after a confirmation, and read the registration number."""
from __future__ import annotations

from typing import Any, NamedTuple

from rapidfuzz import fuzz, process

from actions.login import require_login, start_questions
from actions.messages import say
from actions.services import known_service
from actions.slots import APPLICATION_ID, ASKING, AWAITING, LAST_CODE, OPTIONS, OPTIONS_KIND, SERVICE_ID, SIGNING_REQUEST_ID
from actions.turn import Turn, TurnAction
from basics import spoken
from catalog_index import Service, get_catalogue
from catalog_index.forms import FormField
from portal_client.client import Application

LETTER_SERVICES = {"write_letter": "mygov.e-communication.letter", "public_info_request": "mygov.public-information.request"}
PUBLIC_INFORMATION = {"mygov.public-information.request", "cec.public-information.request"}
# `asking` while the questions go through the application's form; "field:<name>" asks that one field only.
FIELD = "field"
ONE_FIELD_PREFIX = "field:"


def field_label(spec: FormField, lang: str) -> str:
    return spec.label_ka if lang == "ka" else spec.label_en


def readback(spec: FormField, value: str, lang: str, agencies: dict[str, str] | None = None) -> str:
    """An answer as the user should hear it back: choices by label, yes/no in words, numbers for speech."""
    if not value:
        return ""
    if spec.type == "agency":
        return (agencies or {}).get(value, value)
    if spec.type == "choice":
        choice = next((c for c in spec.choices if c.value == value), None)
        return (choice.label_ka if lang == "ka" else choice.label_en) if choice else value
    if spec.type == "yes_no":
        return {"yes": {"ka": "კი", "en": "yes"}, "no": {"ka": "არა", "en": "no"}}[value][lang]
    if spec.type == "date":
        return spoken.date(value, lang)
    if spec.type in ("personal_number", "id_code", "phone"):
        return spoken.digits(value.removeprefix("+995"), lang)
    if spec.type == "cadastral_code":
        return spoken.cadastral_code(value, lang)
    return value


def question_for(spec: FormField, lang: str) -> str:
    prompt = spec.prompt_ka if lang == "ka" else spec.prompt_en
    if not spec.required:
        prompt = f"{prompt} {say('optional', lang)}"
    if spec.type == "agency":
        prompt = f"{prompt} {say('agency_hint', lang)}"
    if spec.type == "choice":
        labels = [c.label_ka if lang == "ka" else c.label_en for c in spec.choices]
        return f"{prompt} {spoken.options(labels, lang)}"
    return prompt


async def begin_application(turn: Turn, service: Service) -> None:
    if service.kind != "functional":
        turn.say("not_applicable")
        return
    if not service.form:
        turn.say("offline_apply")
        return
    async with turn.portal() as portal:
        app = await portal.create_application(service.id)
    turn.set(APPLICATION_ID, app.id)
    turn.set(SERVICE_ID, service.id)
    turn.say("draft_started", name=service.name(turn.lang))
    if service.id in PUBLIC_INFORMATION:
        turn.say("public_info_deadline")
    start_questions(turn, FIELD, "review")


async def agency_names(turn: Turn) -> dict[str, str]:
    async with turn.portal() as portal:
        return {a["id"]: a["name"][turn.lang] for a in await portal.agencies()}


async def review(turn: Turn, app: Application) -> None:
    """GOV.UK's "check your answers", spoken: numbered answers, then yes or a number to change."""
    service = known_service(turn, app.service_id)
    if service is None:
        return
    agencies = await agency_names(turn) if any(f.type == "agency" for f in service.form) else {}
    turn.say("review_intro")
    for number, spec in enumerate(service.form, start=1):
        value = readback(spec, app.fields.get(spec.name, ""), turn.lang, agencies) or spoken_empty(turn)
        turn.say("review_line", n=number, label=field_label(spec, turn.lang), value=value)
    turn.set(AWAITING, "review")
    turn.set(OPTIONS, [spec.name for spec in service.form])
    turn.set(OPTIONS_KIND, "field")
    turn.say("review_question")


def spoken_empty(turn: Turn) -> str:
    return say("empty_answer", turn.lang)


async def start_signing(turn: Turn) -> None:
    async with turn.portal() as portal:
        request = await portal.request_signature(turn.slot(APPLICATION_ID))
    turn.set(SIGNING_REQUEST_ID, request["id"])
    start_questions(turn, "signing_pin", "send")


async def send(turn: Turn) -> None:
    async with turn.portal() as portal:
        app = await portal.submit(turn.slot(APPLICATION_ID))
    turn.set(AWAITING, None)
    turn.set(APPLICATION_ID, None)
    turn.set(LAST_CODE, app.registration_number)
    turn.say("sent", number=spoken.registration_number(app.registration_number or "", turn.lang))
    if app.service_id in PUBLIC_INFORMATION:
        turn.say("public_info_deadline")


def agency_from_text(text: str, agencies: list[dict[str, Any]]) -> str | None:
    """An agency named in the user's words (Georgian or English, full or short), or None."""
    names = {}
    for agency in agencies:
        names[agency["id"].lower()] = agency["id"]
        names[agency["name"]["ka"].lower()] = agency["id"]
        names[agency["name"]["en"].lower()] = agency["id"]
    found = process.extractOne(text.lower(), list(names), scorer=fuzz.WRatio, score_cutoff=80)
    return names[found[0]] if found else None


class ActionApply(TurnAction):
    def name(self) -> str:
        return "action_apply"

    async def act(self, turn: Turn) -> None:
        service = get_catalogue().get(turn.slot(SERVICE_ID) or "")
        if service is None:
            turn.say("which_service")
            return
        if require_login(turn, "apply"):
            await begin_application(turn, service)


class ActionWriteLetter(TurnAction):
    def name(self) -> str:
        return "action_write_letter"

    async def act(self, turn: Turn) -> None:
        intent = turn.intent
        service = known_service(turn, LETTER_SERVICES.get(intent, LETTER_SERVICES["write_letter"]))
        if service is None:
            return
        turn.set(SERVICE_ID, service.id)
        if require_login(turn, intent):
            await begin_application(turn, service)


class ActionContinueApplication(TurnAction):
    def name(self) -> str:
        return "action_continue_application"

    async def act(self, turn: Turn) -> None:
        if not require_login(turn, "continue_application"):
            return
        async with turn.portal() as portal:
            drafts = await portal.applications(status="draft")
        if not drafts:
            turn.say("no_draft")
            return
        app = drafts[0]
        service = known_service(turn, app.service_id)
        if service is None:
            return
        turn.set(APPLICATION_ID, app.id)
        turn.set(SERVICE_ID, app.service_id)
        turn.say("draft_resumed", name=service.name(turn.lang))
        if app.next_field:
            start_questions(turn, FIELD, "review")
        else:
            await review(turn, app)


class ActionMyApplications(TurnAction):
    def name(self) -> str:
        return "action_my_applications"

    async def act(self, turn: Turn) -> None:
        if not require_login(turn, "my_applications"):
            return
        async with turn.portal() as portal:
            apps = await portal.applications()
        if not apps:
            turn.say("applications_none", who=turn.who())
            return
        turn.say("applications_count", who=turn.who(), count=len(apps))
        for app in apps[:5]:
            service = get_catalogue().get(app.service_id)
            number = say("registration_suffix", turn.lang, number=spoken.registration_number(app.registration_number, turn.lang)) \
                if app.registration_number else ""
            turn.say("application_line", name=service.name(turn.lang) if service else app.service_id,
                     status=say(f"status_{app.status}", turn.lang), number=number)


class NextField(NamedTuple):
    """An application, its service, and the question to ask now (None when every question is answered)."""

    app: Application
    service: Service
    spec: FormField | None


def one_field(asking: str | None) -> str | None:
    """The one field the user chose to change, from `asking` ("field:<name>"); else None."""
    return asking.removeprefix(ONE_FIELD_PREFIX) if asking and asking.startswith(ONE_FIELD_PREFIX) else None


async def next_field(turn: Turn) -> NextField | None:
    """The application's next unanswered question (or the one the user chose to change); None, said to the
    user, when the application's service is no longer in the catalogue."""
    async with turn.portal() as portal:
        app = await portal.application(turn.slot(APPLICATION_ID))
    service = known_service(turn, app.service_id)
    if service is None:
        return None
    name = one_field(turn.slot(ASKING)) or app.next_field
    return NextField(app, service, service.form_field(name) if name else None)
