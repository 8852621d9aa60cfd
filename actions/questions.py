"""The one question form: login questions, application fields and the signing PIN, one per turn.

`asking` names the question; `pending` says what follows when the questions end. A short command
("back", "help", "cancel") is not taken as an answer, so the rules for commands can run instead.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from catalog_index import get_catalogue

from actions.application import (ActionApply, ActionContinueApplication, ActionMyApplications, ActionWriteLetter,
                                 agency_from_text, agency_names, next_field, question_for, readback, review)
from actions.inbox import ActionCheckInbox, ActionReadMessage
from actions.informational import TOPICS, ActionInformational
from actions.login import ActionActForCompany, ActionActForMyself, check_phone_pin, pin_digits
from actions.portal_errors import PortalAuthError, PortalError, PortalInvalid, PortalLocked
from actions.turn import SESSION_WARNING_INTENT, Turn, TurnAction, expect_secret, say_locked
from assistant.identity import EXPECTING_SECONDS
from assistant.pin_seal import is_sealed, message_text, open_value, seal_value, use_secret

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
        asking = turn.slot("asking") or ""
        if asking == "personal_number":
            turn.say("ask_personal_number")
        elif asking == "phone_pin":
            turn.say("ask_phone_pin")
        elif asking == "signing_pin":
            turn.say("ask_signing_pin_keypad" if turn.voice_channel else "ask_signing_pin_text")
        elif asking.startswith("field"):
            _, _, spec = await next_field(turn)
            if spec is not None:
                turn.say_text(question_for(spec, turn.lang))


class ValidateQuestionForm(FormValidationAction):
    def name(self) -> str:
        return "validate_question_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: dict[str, Any]) -> list[str]:
        return ["answer"] if tracker.get_slot("asking") else []

    async def extract_answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "answer":
            return {}
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        text = message_text(message, tracker.sender_id).strip()
        if intent in COMMAND_INTENTS and len(text.split()) <= COMMAND_MAX_WORDS or intent == SESSION_WARNING_INTENT:
            return {}
        if intent in ("affirm", "deny") and len(text.split()) <= COMMAND_MAX_WORDS:
            text = "yes" if intent == "affirm" else "no"
        return {"answer": text}

    async def validate_answer(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: dict[str, Any]) -> dict[str, Any]:
        if value is None:  # the slot was only cleared for a new question; nothing was said yet
            return {}
        turn = Turn(dispatcher, tracker, follow_language=False)
        asking = tracker.get_slot("asking") or ""
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
            return {"answer": "stopped", "asking": None, "pending": None}
        finally:
            self.extra_events = turn.events

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        self.extra_events: list[EventType] = []
        asking_before = tracker.get_slot("asking")  # the form's run changes the tracker's slots
        events = await super().run(dispatcher, tracker, domain)
        extra = [e for e in self.extra_events if e.get("name") not in {ev.get("name") for ev in events}]
        expect_secret(tracker.sender_id, asking_before, [*extra, *events])
        return [*extra, *events]

    @staticmethod
    def _personal_number(turn: Turn, text: str) -> dict[str, Any]:
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) != 11:
            turn.say("bad_personal_number")
            return {"answer": None}
        # Kept sealed, like the message it came in: the conversation store never holds it in the clear.
        return {"answer": None, "asking": "phone_pin", "login_personal_number": seal_value(digits, turn.conversation)}

    @staticmethod
    async def _phone_pin(turn: Turn, text: str) -> dict[str, Any]:
        pin = pin_digits(secret_answer(turn, text))
        if pin is None:
            turn.say("bad_pin_format")
            return {"answer": None}
        personal_number = open_value(turn.slot("login_personal_number"), turn.conversation, ttl=EXPECTING_SECONDS)
        if personal_number is None:  # too long ago: start the login again
            turn.say("bad_personal_number")
            return {"answer": None, "asking": "personal_number", "login_personal_number": None}
        try:
            problem = await check_phone_pin(turn, personal_number, pin)
        except PortalLocked as error:
            say_locked(turn, error)
            return {"answer": "locked", "asking": None, "pending": None, "login_personal_number": None}
        if problem:
            turn.say("wrong_pin", left=problem.split(":", 1)[1])
            return {"answer": None}
        return {"answer": "ok", "asking": None, "login_personal_number": None}

    @staticmethod
    async def _signing_pin(turn: Turn, text: str) -> dict[str, Any]:
        if turn.voice_channel and not turn.keypad:
            turn.say("pin_keypad_only")
            return {"answer": None}
        pin = pin_digits(secret_answer(turn, text))
        if pin is None:
            turn.say("bad_pin_format")
            return {"answer": None}
        try:
            async with turn.portal() as portal:
                await portal.approve_signature(turn.slot("signing_request_id"), pin)
        except PortalLocked as error:
            say_locked(turn, error)
            return {"answer": "locked", "asking": None, "pending": None}
        except PortalAuthError as error:
            turn.say("wrong_pin", left=(error.fields or {}).get("attempts_left", "?"))
            return {"answer": None}
        return {"answer": "signed", "asking": None}

    @staticmethod
    async def _field(turn: Turn, text: str) -> dict[str, Any]:
        app, service, spec = await next_field(turn)
        if spec is None:
            return {"answer": "done", "asking": None}
        if not spec.required and text.lower().strip(" .!") in SKIP_WORDS:
            text = ""
        elif spec.type == "agency":
            async with turn.portal() as portal:
                agency = agency_from_text(text, await portal.agencies())
            if agency is None:
                turn.say("unknown_agency")
                return {"answer": None}
            text = agency
        try:
            async with turn.portal() as portal:
                app = await portal.fill(app.id, {spec.name: text})
        except PortalInvalid as error:
            turn.say_text(error.field_message(spec.name, turn.lang) or error.spoken(turn.lang))
            return {"answer": None}
        agencies = await agency_names(turn) if spec.type == "agency" else {}
        turn.say("answer_saved", value=readback(spec, app.fields.get(spec.name, ""), turn.lang, agencies))
        changing_one = (turn.slot("asking") or "").startswith("field:")
        if app.next_field and not changing_one:
            return {"answer": None, "asking": "field"}
        return {"answer": "done", "asking": None}


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
        pending, answer = turn.slot("pending") or "", turn.slot("answer")
        turn.set("pending", None)
        turn.set("answer", None)
        if pending.startswith("intent:") and turn.token:
            turn.intent = pending.split(":", 1)[1]
            resumed = RESUME_ACTIONS.get(turn.intent)
            if resumed is not None:
                await resumed().act(turn)
        elif pending == "review":
            async with turn.portal() as portal:
                app = await portal.application(turn.slot("application_id"))
            await review(turn, app)
        elif pending == "send" and answer == "signed":
            turn.set("awaiting", "send")
            turn.say("signed", agency=await addressee(turn))


async def addressee(turn: Turn) -> str:
    """Who receives the application: the agency the user chose (letters), else the service's agency."""
    async with turn.portal() as portal:
        app = await portal.application(turn.slot("application_id"))
    chosen = app.fields.get("agency")
    agencies = await agency_names(turn) if chosen else {}
    if chosen in agencies:
        return agencies[chosen]
    service = get_catalogue().get(app.service_id)
    return (service.agency_name_ka if turn.lang == "ka" else service.agency_name_en) if service else ""
