"""Logging in inside the conversation (personal number, then phone PIN), out, and acting for a company."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk.events import FollowupAction

from actions.slots import (
    ACT_FOR,
    ACT_FOR_NAME,
    ANSWER,
    APPLICATION_ID,
    ASKING,
    AWAITING,
    MESSAGE_IDS,
    MESSAGE_INDEX,
    OPTIONS,
    OPTIONS_KIND,
    PENDING,
    SPEECH_RATE,
)
from actions.turn import Turn, TurnAction, portal_client
from portal_client.errors import PortalAuthError

# `pending` after the login questions: the intent that needed the login, resumed when they end.
RESUME_PREFIX = "intent:"


@dataclass(frozen=True)
class WrongPin:
    """The portal refused a PIN; `attempts_left` is how many tries remain before the lock, when it says."""

    attempts_left: int | None

    @classmethod
    def of(cls, error: PortalAuthError) -> WrongPin:
        left = (error.fields or {}).get("attempts_left")
        return cls(left if isinstance(left, int) else None)

    def say(self, turn: Turn) -> None:
        if self.attempts_left is None:
            turn.say("wrong_pin_again")
        else:
            turn.say("wrong_pin", left=self.attempts_left)


def logged_in(turn: Turn) -> bool:
    return bool(turn.token)


def start_questions(turn: Turn, asking: str, pending: str | None) -> None:
    """Open the question form on `asking`; `pending` says what to do when the questions are done."""
    turn.set(ASKING, asking)
    turn.set(ANSWER, None)
    turn.set(PENDING, pending)
    turn.set(AWAITING, None)
    turn.events.append(FollowupAction("question_form"))


def resumed_intent(pending: str | None) -> str | None:
    """The intent to resume after the login questions, read from `pending` (see `require_login`); else None."""
    return pending.removeprefix(RESUME_PREFIX) if pending and pending.startswith(RESUME_PREFIX) else None


def require_login(turn: Turn, resume_intent: str) -> bool:
    """True when logged in; otherwise start the login questions and resume `resume_intent` after."""
    if logged_in(turn):
        return True
    if turn.messenger:
        turn.say("link_needed")
        return False
    turn.say("login_needed")
    start_questions(turn, "personal_number", RESUME_PREFIX + resume_intent)
    return False


def pin_digits(text: str) -> str | None:
    """The PIN in an answer: its one group of 4 to 6 digits ("2468", "24 68", "my pin is 2468"); else None."""
    groups = [re.sub(r"\D", "", group) for group in re.findall(r"\d(?:[\s-]?\d)*", text)]
    return groups[0] if len(groups) == 1 and 4 <= len(groups[0]) <= 6 else None


async def check_phone_pin(turn: Turn, personal_number: str, pin: str) -> WrongPin | None:
    """Log in; on success set the token and greet (None). A refused PIN is returned, to say before asking again."""
    async with portal_client(source=turn.source) as anonymous:
        try:
            token = await anonymous.login_with_phone_pin(personal_number, pin)
        except PortalAuthError as error:
            return WrongPin.of(error)
    turn.log_in(token.access_token)
    async with turn.portal(act_for=False) as portal:
        me = await portal.me()
        if me.get("speech_rate") and not turn.tracker.get_slot(SPEECH_RATE):
            turn.set(SPEECH_RATE, float(me["speech_rate"]))
    turn.say("logged_in", name=me["first_name"][turn.lang])
    return None


class ActionLogin(TurnAction):
    def name(self) -> str:
        return "action_login"

    async def act(self, turn: Turn) -> None:
        if logged_in(turn):
            async with turn.portal(act_for=False) as portal:
                me = await portal.me()
            turn.say("already_logged_in", name=me["first_name"][turn.lang])
            return
        if turn.messenger:
            turn.say("link_needed")
            return
        start_questions(turn, "personal_number", None)


class ActionLogout(TurnAction):
    def name(self) -> str:
        return "action_logout"

    async def act(self, turn: Turn) -> None:
        if turn.messenger and logged_in(turn):
            turn.say("messenger_logout")  # the linked account would be logged in again with the next message
            return
        if not logged_in(turn):
            turn.say("not_logged_in")
            return
        async with turn.portal() as portal:
            await portal.logout()
        turn.log_out()
        for slot in (ACT_FOR, ACT_FOR_NAME, APPLICATION_ID, MESSAGE_IDS, MESSAGE_INDEX):
            turn.set(slot, None)
        turn.say("logged_out")


class ActionActForCompany(TurnAction):
    def name(self) -> str:
        return "action_act_for_company"

    async def act(self, turn: Turn) -> None:
        if not require_login(turn, "act_for_company"):
            return
        async with turn.portal(act_for=False) as portal:
            entities = (await portal.me())["entities"]
        if not entities:
            turn.say("no_companies")
            return
        if len(entities) == 1:
            choose_company(turn, entities[0])
            return
        turn.set(OPTIONS, [e["id_code"] for e in entities[:5]])
        turn.set(OPTIONS_KIND, "company")
        turn.say("which_company")
        turn.offer([e["name"][turn.lang] for e in entities[:5]])


def choose_company(turn: Turn, entity: dict[str, Any]) -> None:
    turn.set(ACT_FOR, entity["id_code"])
    turn.set(ACT_FOR_NAME, entity["name"][turn.lang])
    turn.set(OPTIONS, None)
    turn.say("acting_for", name=entity["name"][turn.lang])


class ActionActForMyself(TurnAction):
    def name(self) -> str:
        return "action_act_for_myself"

    async def act(self, turn: Turn) -> None:
        if not require_login(turn, "act_for_myself"):
            return
        async with turn.portal(act_for=False) as portal:
            me = await portal.me()
        turn.set(ACT_FOR, None)
        turn.set(ACT_FOR_NAME, None)
        turn.say("acting_for_self", name=me["name"][turn.lang])
