"""The one question form: login questions, application fields and the signing PIN, one per turn.

`asking` names the question; `pending` says what follows when the questions end. A short command
("back", "help", "cancel") is not taken as an answer, so the rules for commands can run instead.
"""
from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction

from actions.application import (
    FIELD,
    ActionApply,
    ActionContinueApplication,
    ActionMyApplications,
    ActionWriteLetter,
    agency_from_text,
    agency_names,
    next_field,
    one_field,
    question_for,
    readback,
    review,
)
from actions.inbox import ActionCheckInbox, ActionReadMessage
from actions.informational import TOPICS, ActionInformational
from actions.login import ActionActForCompany, ActionActForMyself, WrongPin, check_phone_pin, pin_digits, resumed_intent
from actions.slots import ANSWER, APPLICATION_ID, ASKING, AWAITING, LANG, LOGIN_PERSONAL_NUMBER, PENDING, SIGNING_REQUEST_ID, SPEECH_RATE
from actions.turn import DEFAULT_LANG, SESSION_WARNING_INTENT, Turn, TurnAction, attach_hints, expect_secret, expects, say_locked
from basics.identity import EXPECTING_SECONDS
from basics.sealing import is_sealed, message_text, open_value, seal_value, use_secret
from basics.speech_rate import DEFAULT_RATE
from catalog_index import get_catalogue
from portal_client.errors import PortalAuthError, PortalError, PortalInvalid, PortalLocked

COMMAND_INTENTS = {"help", "repeat", "back", "cancel", "restart", "slower", "faster", "switch_language", "human_handoff"}
COMMAND_MAX_WORDS = 4
SKIP_WORDS = {"skip", "no", "none", "გამოტოვე", "გამოტოვება", "არა", "gamotove", "ara", "-"}
# What runs when the questions end, by the intent that needed a login first.
RESUME_ACTIONS: dict[str, type[TurnAction]] = {
    **{intent: ActionInformational for intent in TOPICS},
    "check_inbox": ActionCheckInbox, "read_message": ActionReadMessage, "my_applications": ActionMyApplications,
    "apply": ActionApply, "continue_application": ActionContinueApplication, "write_letter": ActionWriteLetter,
    "public_info_request": ActionWriteLetter, "act_for_company": ActionActForCompany, "act_for_myself": ActionActForMyself,
}


class ActionAskAnswer(TurnAction):
    follows_language = False

    def name(self) -> str:
        return "action_ask_answer"

    async def act(self, turn: Turn) -> None:
        asking = turn.slot(ASKING) or ""
        if asking == "personal_number":
            turn.say("ask_personal_number")
        elif asking == "phone_pin":
            turn.say("ask_phone_pin")
        elif asking == "signing_pin":
            turn.say("ask_signing_pin_keypad" if turn.voice_channel else "ask_signing_pin_text")
        elif asking.startswith(FIELD):
            found = await next_field(turn)
            if found is not None and found.spec is not None:
                turn.say_text(question_for(found.spec, turn.lang))


# The turn of the answer being validated. rasa-sdk makes one action object for all conversations, so
# nothing of a conversation may live on it; a context variable belongs to this one request's task.
_validated: ContextVar[Turn | None] = ContextVar("validated_turn", default=None)


class ValidateQuestionForm(FormValidationAction):
    def name(self) -> str:
        return "validate_question_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: dict[str, Any]) -> list[str]:
        return [ANSWER] if tracker.get_slot(ASKING) else []

    # rasa-sdk finds extract_<slot> and validate_<slot> by name: these two are for the slot ANSWER.
    async def extract_answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> dict[str, Any]:
        if tracker.get_slot(REQUESTED_SLOT) != ANSWER:
            return {}
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        text = message_text(message, tracker.sender_id).strip()
        if intent in COMMAND_INTENTS and len(text.split()) <= COMMAND_MAX_WORDS or intent == SESSION_WARNING_INTENT:
            return {}
        if intent in ("affirm", "deny") and len(text.split()) <= COMMAND_MAX_WORDS:
            text = "yes" if intent == "affirm" else "no"
        return {ANSWER: text}

    async def validate_answer(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: dict[str, Any]) -> dict[str, Any]:
        if value is None:  # the slot was only cleared for a new question; nothing was said yet
            return {}
        turn = Turn(dispatcher, tracker, follow_language=False)
        asking = tracker.get_slot(ASKING) or ""
        text = str(value).strip()
        try:
            if asking == "personal_number":
                return self._personal_number(turn, text)
            if asking == "phone_pin":
                return await self._phone_pin(turn, text)
            if asking == "signing_pin":
                return await self._signing_pin(turn, text)
            return await self._field(turn, text)
        except PortalError as error:  # the portal is down or refused: say so once and stop asking
            turn.say_text(error.spoken(turn.lang))
            return stop()
        finally:
            _validated.set(turn)

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        _validated.set(None)
        asking_before = tracker.get_slot(ASKING)  # the form's run changes the tracker's slots
        events = await super().run(dispatcher, tracker, domain)
        turn = _validated.get()
        said = turn.events if turn else []
        extra = [e for e in said if e.get("name") not in {ev.get("name") for ev in events}]
        expect_secret(tracker.sender_id, asking_before, [*extra, *events])
        latest = {e.get("name"): e.get("value") for e in [*extra, *events] if e.get("event") == "slot"}

        def slot(name: str) -> Any:
            return latest[name] if name in latest else tracker.get_slot(name)

        attach_hints(dispatcher.messages, slot(LANG) or DEFAULT_LANG, float(slot(SPEECH_RATE) or DEFAULT_RATE),
                     expects(slot), False, turn.fixed if turn else set())
        return [*extra, *events]

    @staticmethod
    def _personal_number(turn: Turn, text: str) -> dict[str, Any]:
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) != 11:
            turn.say("bad_personal_number")
            return ask_again()
        # Kept sealed, like the message it came in: the conversation store never holds it in the clear.
        return {ANSWER: None, ASKING: "phone_pin", LOGIN_PERSONAL_NUMBER: seal_value(digits, turn.conversation)}

    @staticmethod
    async def _phone_pin(turn: Turn, text: str) -> dict[str, Any]:
        pin = pin_digits(secret_answer(turn, text))
        if pin is None:
            turn.say("bad_pin_format")
            return ask_again()
        personal_number = open_value(turn.slot(LOGIN_PERSONAL_NUMBER), turn.conversation, ttl=EXPECTING_SECONDS)
        if personal_number is None:  # too long ago: start the login again
            turn.say("bad_personal_number")
            return {ANSWER: None, ASKING: "personal_number", LOGIN_PERSONAL_NUMBER: None}
        try:
            wrong = await check_phone_pin(turn, personal_number, pin)
        except PortalLocked as error:
            say_locked(turn, error)
            return {ANSWER: "locked", ASKING: None, PENDING: None, LOGIN_PERSONAL_NUMBER: None}
        if wrong is not None:
            wrong.say(turn)
            return ask_again()
        return {ANSWER: "ok", ASKING: None, LOGIN_PERSONAL_NUMBER: None}

    @staticmethod
    async def _signing_pin(turn: Turn, text: str) -> dict[str, Any]:
        if turn.voice_channel and not turn.keypad:
            turn.say("pin_keypad_only")
            return ask_again()
        pin = pin_digits(secret_answer(turn, text))
        if pin is None:
            turn.say("bad_pin_format")
            return ask_again()
        try:
            async with turn.portal() as portal:
                await portal.approve_signature(turn.slot(SIGNING_REQUEST_ID), pin)
        except PortalLocked as error:
            say_locked(turn, error)
            return {ANSWER: "locked", ASKING: None, PENDING: None}
        except PortalAuthError as error:
            WrongPin.of(error).say(turn)
            return ask_again()
        return {ANSWER: "signed", ASKING: None}

    @staticmethod
    async def _field(turn: Turn, text: str) -> dict[str, Any]:
        found = await next_field(turn)
        if found is None:  # its service is gone, and that was said
            return stop()
        app, spec = found.app, found.spec
        if spec is None:
            return done()
        if not spec.required and text.lower().strip(" .!") in SKIP_WORDS:
            text = ""
        elif spec.type == "agency":
            async with turn.portal() as portal:
                agency = agency_from_text(text, await portal.agencies())
            if agency is None:
                turn.say("unknown_agency")
                return ask_again()
            text = agency
        try:
            async with turn.portal() as portal:
                app = await portal.fill(app.id, {spec.name: text})
        except PortalInvalid as error:
            turn.say_text(error.field_message(spec.name, turn.lang) or error.spoken(turn.lang))
            return ask_again()
        agencies = await agency_names(turn) if spec.type == "agency" else {}
        turn.say("answer_saved", value=readback(spec, app.fields.get(spec.name, ""), turn.lang, agencies))
        if app.next_field and one_field(turn.slot(ASKING)) is None:
            return {ANSWER: None, ASKING: FIELD}
        return done()


# What a validation returns (a new dict each time: rasa-sdk merges it into the tracker's slots).
def ask_again() -> dict[str, Any]:
    """The same question once more."""
    return {ANSWER: None}


def done() -> dict[str, Any]:
    """The questions are answered: go on with what they were for."""
    return {ANSWER: "done", ASKING: None}


def stop() -> dict[str, Any]:
    """Stop asking (the reason was said), and forget what the questions were for."""
    return {ANSWER: "stopped", ASKING: None, PENDING: None}


def secret_answer(turn: Turn, text: str) -> str:
    """The secret to hand to the portal: a sealed one opens only once, so a stored copy cannot be replayed."""
    message = turn.tracker.latest_message
    return (use_secret(message, turn.conversation) or "") if is_sealed(message) else text


class ActionQuestionDone(TurnAction):
    """The questions are answered: go on with what they were for."""

    follows_language = False

    def name(self) -> str:
        return "action_question_done"

    async def act(self, turn: Turn) -> None:
        pending, answer = turn.slot(PENDING), turn.slot(ANSWER)
        turn.set(PENDING, None)
        turn.set(ANSWER, None)
        intent = resumed_intent(pending)
        if intent is not None and turn.token:
            turn.intent = intent
            resumed = RESUME_ACTIONS.get(intent)
            if resumed is not None:
                await resumed().act(turn)
        elif pending == "review":
            async with turn.portal() as portal:
                app = await portal.application(turn.slot(APPLICATION_ID))
            await review(turn, app)
        elif pending == "send" and answer == "signed":
            turn.set(AWAITING, "send")
            turn.say("signed", agency=await addressee(turn))


async def addressee(turn: Turn) -> str:
    """Who receives the application: the agency the user chose (letters), else the service's agency."""
    async with turn.portal() as portal:
        app = await portal.application(turn.slot(APPLICATION_ID))
    chosen = app.fields.get("agency")
    agencies = await agency_names(turn) if chosen else {}
    if chosen in agencies:
        return agencies[chosen]
    service = get_catalogue().get(app.service_id)
    return (service.agency_name_ka if turn.lang == "ka" else service.agency_name_en) if service else ""
