"""The dialogue's actions run in-process, in the style of RasaHQ/financial-demo: a tracker fixture in, the
real action, its messages and events out. The portal is the real app too, in this process: the actions'
portal client goes through `httpx.ASGITransport` (the hook `actions.turn.portal_transport`), so these
tests take seconds, with no Rasa server and no processes."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest
import yaml
from fastapi import FastAPI
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from actions.dispatch import ActionAffirm
from actions.informational import ActionInformational
from actions.login import ActionLogin, WrongPin, check_phone_pin
from actions.questions import ActionAskAnswer, ValidateQuestionForm
from actions.slots import ANSWER, ASKING, AWAITING, LANG, LOGIN_PERSONAL_NUMBER, OPTIONS, SPEECH_RATE
from actions.turn import Turn, portal_client, portal_transport
from basics.identity import identity_store
from basics.sealing import seal, seal_value
from basics.settings import get_settings
from basics.speech_rate import DEFAULT_RATE
from portal.app import create_app
from tests.conftest import ANA, GIORGI, NINO, PHONE_PINS, settings_of

DOMAIN: dict[str, Any] = yaml.safe_load((Path(__file__).resolve().parent.parent / "nlu_data" / "domain.yml").read_text("utf-8"))
# After Giorgi's right PIN: logged in, his preferred speech rate taken from the portal, the question form ends.
GIORGI_LOGGED_IN = {ANSWER: "ok", ASKING: None, LOGIN_PERSONAL_NUMBER: None, SPEECH_RATE: 175.0, REQUESTED_SLOT: None}


@pytest.fixture(scope="module")
def portal_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The portal app of `assistant portal`, with its demo data, on SQLite in a private data directory."""
    data_dir = tmp_path_factory.mktemp("in-process")
    environment = {"MYGOV_DATA_DIR": str(data_dir), "MYGOV_SETTINGS_FILE": str(data_dir / "none.yml"), "MYGOV_DEV_OUTBOX": "true"}
    with pytest.MonkeyPatch.context() as monkeypatch, settings_of(environment, monkeypatch):
        app = create_app(get_settings(), run_agency_worker=False)
        asyncio.run(start(app))
        with portal_transport(httpx.ASGITransport(app=app)):
            yield app


async def start(app: FastAPI) -> None:
    """Run the app's start-up once (it seeds the demo data); ASGITransport itself sends no lifespan events."""
    async with app.router.lifespan_context(app):
        pass


def tracker(conversation: str, text: str, intent: str = "", slots: dict[str, Any] | None = None,
            in_question: bool = False) -> Tracker:
    """The tracker an action gets right after the user said `text`. A message inside a question is sealed as the
    channel seals it (basics/sealing.py), and the question form is the active loop waiting for its answer."""
    metadata: dict[str, Any] = {}
    if in_question:
        text, metadata = seal(text, {}, conversation, expecting=(slots or {}).get(ASKING))
    message = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": [], "metadata": metadata}
    state = {LANG: "en", **(slots or {}), **({REQUESTED_SLOT: ANSWER} if in_question else {})}
    return Tracker(conversation, state, message, [{"event": "user", "text": text, "parse_data": message}], False, None,
                   {"name": "question_form"} if in_question else {}, "action_listen")


async def run(action: Action, state: Tracker) -> tuple[list[dict[str, Any]], list[EventType]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, state, DOMAIN)
    return dispatcher.messages, events


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [message["text"] for message in messages]


def slot_values(events: list[EventType]) -> dict[str, Any]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


async def log_in(conversation: str, personal_number: str) -> None:
    """Act as the citizen in `conversation`, as a channel that signed them in does: their token, kept server-side."""
    async with portal_client() as anonymous:
        token = await anonymous.login_with_phone_pin(personal_number, PHONE_PINS[personal_number])
    identity_store().put_token(conversation, token.access_token)


def test_the_tax_debt_is_said_with_its_reply_hint(portal_app: FastAPI) -> None:
    async def scenario() -> tuple[list[dict[str, Any]], list[EventType]]:
        await log_in("rest:tax", GIORGI)
        return await run(ActionInformational(), tracker("rest:tax", "How much tax do I owe?", "tax_debt"))

    messages, events = asyncio.run(scenario())
    assert texts(messages) == ["The tax debt is 125 lari and 40 tetri."]
    assert messages[0]["custom"]["hint"] == {"lang": "en", "rate": DEFAULT_RATE, "expects": None, "ends": False, "fixed": False}
    assert any(event.get("event") == "reminder" for event in events)  # the session warning, renewed by this message


def test_the_login_questions_take_a_personal_number_then_a_sealed_pin(portal_app: FastAPI) -> None:
    conversation, form = "rest:login", ValidateQuestionForm()

    async def scenario() -> None:
        messages, events = await run(ActionLogin(), tracker(conversation, "log me in", "login"))
        asked = slot_values(events)
        assert asked[ASKING] == "personal_number" and any(e.get("event") == "followup" for e in events)

        messages, events = await run(form, tracker(conversation, GIORGI, slots=asked, in_question=True))
        asked = {**asked, **slot_values(events)}
        assert messages == [] and asked[ASKING] == "phone_pin"
        assert GIORGI not in str(events)  # the personal number is kept sealed, never in the clear
        assert identity_store().expecting(conversation) == "phone_pin"  # the channel seals whatever answers it

        messages, _ = await run(ActionAskAnswer(), tracker(conversation, GIORGI, slots=asked, in_question=True))
        assert texts(messages) == ["Now type your phone PIN. It will not be shown or spoken."]
        assert messages[0]["custom"]["hint"]["expects"] == "pin"

        messages, events = await run(form, tracker(conversation, PHONE_PINS[GIORGI], slots=asked, in_question=True))
        assert texts(messages) == ["Hello, Giorgi. You are logged in."]
        assert slot_values(events) == GIORGI_LOGGED_IN
        assert identity_store().token(conversation) and identity_store().expecting(conversation) is None

    asyncio.run(scenario())


def test_a_service_gone_from_the_catalogue_is_said(portal_app: FastAPI) -> None:
    state = tracker("rest:gone", "yes", "affirm", slots={AWAITING: "confirm_service", OPTIONS: ["no.such.service"]})
    messages, _ = asyncio.run(run(ActionAffirm(), state))
    assert texts(messages) == ["This service is no longer available with me. Tell me what you need, or say: talk to a person."]


def pin_question(conversation: str, personal_number: str, pin: str) -> Tracker:
    """The moment the user types `pin`, after the login question took `personal_number`."""
    slots = {ASKING: "phone_pin", LOGIN_PERSONAL_NUMBER: seal_value(personal_number, conversation)}
    return tracker(conversation, pin, slots=slots, in_question=True)


def test_a_wrong_pin_is_a_typed_result_said_with_the_attempts_left(portal_app: FastAPI) -> None:
    async def scenario() -> tuple[WrongPin | None, list[dict[str, Any]], list[EventType]]:
        wrong = await check_phone_pin(Turn(CollectingDispatcher(), tracker("rest:typed", "0000")), NINO, "0000")
        messages, events = await run(ValidateQuestionForm(), pin_question("rest:wrong", NINO, "0001"))
        return wrong, messages, events

    wrong, messages, events = asyncio.run(scenario())
    assert wrong == WrongPin(attempts_left=4)
    assert texts(messages) == ["That PIN is not correct. 3 attempts left."]
    assert slot_values(events) == {ANSWER: None}  # the same question again
    assert identity_store().token("rest:wrong") is None


class LoginsTogether(httpx.AsyncBaseTransport):
    """Holds each login request until `count` of them are in flight, so the conversations' validations overlap."""

    def __init__(self, inner: httpx.AsyncBaseTransport, count: int) -> None:
        self.inner, self.count, self.waiting = inner, count, 0
        self.all_in = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/auth/phone-pin":
            self.waiting += 1
            if self.waiting == self.count:
                self.all_in.set()
            await asyncio.wait_for(self.all_in.wait(), timeout=10)
        return await self.inner.handle_async_request(request)


def test_two_conversations_in_flight_at_once_never_see_each_others_events(portal_app: FastAPI) -> None:
    form = ValidateQuestionForm()  # rasa-sdk makes one action object for every conversation

    async def scenario() -> list[tuple[list[dict[str, Any]], list[EventType]]]:
        with portal_transport(LoginsTogether(httpx.ASGITransport(app=portal_app), count=2)):
            return list(await asyncio.gather(run(form, pin_question("rest:giorgi", GIORGI, PHONE_PINS[GIORGI])),
                                             run(form, pin_question("rest:ana", ANA, "0000"))))

    (giorgi_said, giorgi_events), (ana_said, ana_events) = asyncio.run(scenario())
    assert texts(giorgi_said) == ["Hello, Giorgi. You are logged in."]
    assert slot_values(giorgi_events) == GIORGI_LOGGED_IN
    assert texts(ana_said) == ["That PIN is not correct. 4 attempts left."]
    assert slot_values(ana_events) == {ANSWER: None}
    assert identity_store().token("rest:giorgi") and identity_store().token("rest:ana") is None
