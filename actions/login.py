"""Logging in inside the conversation (personal number, then phone PIN), out, and acting for a company."""
from __future__ import annotations

import re

from rasa_sdk.events import FollowupAction

from actions.portal_client import PortalClient
from actions.portal_errors import PortalAuthError
from actions.turn import Turn, TurnAction


def logged_in(turn: Turn) -> bool:
    return bool(turn.token)


def start_questions(turn: Turn, asking: str, pending: str | None) -> None:
    """Open the question form on `asking`; `pending` says what to do when the questions are done."""
    turn.set("asking", asking)
    turn.set("answer", None)
    turn.set("pending", pending)
    turn.set("awaiting", None)
    turn.events.append(FollowupAction("question_form"))


def require_login(turn: Turn, resume_intent: str) -> bool:
    """True when logged in; otherwise start the login questions and resume `resume_intent` after."""
    if logged_in(turn):
        return True
    if turn.messenger:
        turn.say("link_needed")
        return False
    turn.say("login_needed")
    start_questions(turn, "personal_number", f"intent:{resume_intent}")
    return False


def pin_digits(text: str) -> str | None:
    """The PIN in an answer: its one group of 4 to 6 digits ("2468", "24 68", "my pin is 2468"); else None."""
    groups = [re.sub(r"\D", "", group) for group in re.findall(r"\d(?:[\s-]?\d)*", text)]
    return groups[0] if len(groups) == 1 and 4 <= len(groups[0]) <= 6 else None


async def check_phone_pin(turn: Turn, personal_number: str, pin: str) -> str | None:
    """Log in; on success set the token and greet. Returns None, or the error to say before asking again."""
    async with PortalClient(source=turn.source) as anonymous:
        try:
            token = await anonymous.login_with_phone_pin(personal_number, pin)
        except PortalAuthError as error:
            left = (error.fields or {}).get("attempts_left")
            return f"wrong_pin:{left}" if left is not None else "wrong_pin:?"
    turn.log_in(token.access_token)
    async with turn.portal(act_for=False) as portal:
        me = await portal.me()
        if me.get("speech_rate") and not turn.tracker.get_slot("speech_rate"):
            turn.set("speech_rate", float(me["speech_rate"]))
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
        for slot in ("act_for", "act_for_name", "application_id", "message_ids", "message_index"):
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
        turn.set("options", [e["id_code"] for e in entities[:5]])
        turn.set("options_kind", "company")
        turn.say("which_company")
        turn.offer([e["name"][turn.lang] for e in entities[:5]])


def choose_company(turn: Turn, entity: dict) -> None:
    turn.set("act_for", entity["id_code"])
    turn.set("act_for_name", entity["name"][turn.lang])
    turn.set("options", None)
    turn.say("acting_for", name=entity["name"][turn.lang])


class ActionActForMyself(TurnAction):
    def name(self) -> str:
        return "action_act_for_myself"

    async def act(self, turn: Turn) -> None:
        if not require_login(turn, "act_for_myself"):
            return
        async with turn.portal(act_for=False) as portal:
            me = await portal.me()
        turn.set("act_for", None)
        turn.set("act_for_name", None)
        turn.say("acting_for_self", name=me["name"][turn.lang])
