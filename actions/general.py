"""Commands honoured anywhere: help, repeat, back, cancel, start over, slower, faster, language,
a person, and the polite and the out-of-scope answers."""
from __future__ import annotations

import re
from typing import Any

from rasa_sdk.events import ActiveLoop
from rasa_sdk.forms import REQUESTED_SLOT

from actions.application import FIELD, next_field
from actions.messages import say
from actions.slots import (
    ANSWER,
    APPLICATION_ID,
    ASKING,
    AWAITING,
    LANG,
    LAST_CODE,
    LOGIN_PERSONAL_NUMBER,
    MESSAGE_IDS,
    MESSAGE_INDEX,
    OPTIONS,
    OPTIONS_KIND,
    PENDING,
    SERVICE_ID,
    SIGNING_REQUEST_ID,
    SPEECH_RATE,
)
from actions.turn import Turn, TurnAction, rate_of
from basics import registration, spoken
from basics.speech_rate import stepped
from portal_client.errors import PortalError

FLOW_SLOTS = (ASKING, ANSWER, PENDING, AWAITING, OPTIONS, OPTIONS_KIND, SIGNING_REQUEST_ID, LOGIN_PERSONAL_NUMBER, REQUESTED_SLOT)


def simple_reply(action: str, key: str, ends: bool = False) -> type[TurnAction]:
    """An action that says one text (and, with ``ends``, ends the conversation)."""

    async def act(self: TurnAction, turn: Turn) -> None:
        turn.say(key)
        turn.ends = ends

    return type(f"Reply_{key}", (TurnAction,), {"name": lambda self: action, "act": act})


ActionGreet = simple_reply("action_greet", "greet")
ActionGoodbye = simple_reply("action_goodbye", "goodbye", ends=True)
ActionThanks = simple_reply("action_thanks", "thanks")
ActionOutOfScope = simple_reply("action_out_of_scope", "out_of_scope")
ActionDefaultFallback = simple_reply("action_default_fallback", "not_understood")


class ActionSessionWarning(TurnAction):
    """The warning before the session ends, with a "continue" button for screens: it asks for a repeat,
    which extends the session and says again where the user was (WCAG 2.2.1, timing adjustable)."""

    def name(self) -> str:
        return "action_session_warning"

    async def act(self, turn: Turn) -> None:
        turn.dispatcher.utter_message(text=say("session_warning", turn.lang),
                                      buttons=[{"title": say("continue_session", turn.lang), "payload": "/repeat"}])


class ActionHelp(TurnAction):
    def name(self) -> str:
        return "action_help"

    async def act(self, turn: Turn) -> None:
        turn.say("help_in_question" if turn.tracker.active_loop_name else "help")


class ActionRepeat(TurnAction):
    """Say again what was said last. Inside a question the form asks again itself, so it is heard once."""

    def name(self) -> str:
        return "action_repeat"

    async def act(self, turn: Turn) -> None:
        if turn.tracker.active_loop_name:
            return
        said: list[str] = []
        users_seen = 0
        for event in reversed(turn.tracker.events):
            if event.get("event") == "user" and not _external(event):
                users_seen += 1
                if users_seen == 2:
                    break
            elif event.get("event") == "bot" and users_seen == 1 and event.get("text"):
                said.insert(0, event["text"])
        if not said:
            turn.say("nothing_to_repeat")
        for text in said:
            turn.say_text(text)


def _external(event: dict[str, Any]) -> bool:
    """A reminder's trigger is stored as a user event, but the user said nothing then."""
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name", "").startswith("EXTERNAL_")


class ActionSpell(TurnAction):
    """Spell a word or number: the one the user names ("spell Sarpi"), else the last code or name said."""

    def name(self) -> str:
        return "action_spell"

    async def act(self, turn: Turn) -> None:
        target = spell_target(turn.text, turn.slot(LAST_CODE) or last_bot_text(turn))
        if not target:
            turn.say("nothing_to_spell")
            return
        turn.say("spell", spelled=spoken.spell(target, turn.lang))


def last_bot_text(turn: Turn) -> str:
    return next((e.get("text") or "" for e in reversed(turn.tracker.events) if e.get("event") == "bot"), "")


SPELL_WORDS = {"spell", "it", "that", "the", "word", "number", "please", "letter", "by", "digit", "დამიმარცვლე",
               "დაამარცვლე", "ასო-ასო", "ასოებით", "ციფრებით", "ეს", "ის", "damimarcvle", "aso-aso"}
CODES = re.compile(rf"{registration.PATTERN.pattern}|\d[\d .-]{{3,}}\d")  # registration numbers, other codes


def spell_target(user_text: str, bot_text: str) -> str:
    """A word the user asked for, else the last code said (kept in `last_code`), else the last word said."""
    named = [w for w in re.findall(r"[\w.-]+", user_text) if w.lower() not in SPELL_WORDS]
    if named:
        return " ".join(named)
    codes = CODES.findall(bot_text)
    if codes:
        return codes[-1].strip()
    words = re.findall(r"[^\W\d_]{3,}", bot_text)
    return words[-1] if words else ""


class ActionBack(TurnAction):
    """One step back: inside an application, the previous question is asked again."""

    def name(self) -> str:
        return "action_back"

    async def act(self, turn: Turn) -> None:
        asking = turn.slot(ASKING) or ""
        if asking == "phone_pin":
            turn.set(ASKING, "personal_number")
        elif asking == FIELD and turn.slot(APPLICATION_ID):
            found = await next_field(turn)
            if found is None:
                return
            names = [f.name for f in found.service.form]
            position = names.index(found.spec.name) if found.spec else len(names)
            if position > 0:
                async with turn.portal() as portal:
                    await portal.fill(found.app.id, {names[position - 1]: None})
        elif not asking:
            turn.say("back_nothing")


class ActionCancel(TurnAction):
    def name(self) -> str:
        return "action_cancel"

    async def act(self, turn: Turn) -> None:
        busy = turn.tracker.active_loop_name or turn.slot(AWAITING) or turn.slot(ASKING)
        for slot in FLOW_SLOTS:
            turn.set(slot, None)
        turn.events.append(ActiveLoop(None))
        turn.say("cancelled" if busy else "nothing_to_cancel")


class ActionRestart(TurnAction):
    def name(self) -> str:
        return "action_restart"

    async def act(self, turn: Turn) -> None:
        for slot in (*FLOW_SLOTS, SERVICE_ID, APPLICATION_ID, MESSAGE_IDS, MESSAGE_INDEX):
            turn.set(slot, None)
        turn.events.append(ActiveLoop(None))
        turn.say("restarted")


class ActionChangeRate(TurnAction):
    """Slower or faster; kept as the user's preference in the portal when they are logged in."""

    direction = -1

    def name(self) -> str:
        return "action_slower"

    async def act(self, turn: Turn) -> None:
        current = rate_of(turn)
        new = stepped(current, self.direction)
        if new == current:
            turn.say("slowest" if self.direction < 0 else "fastest")
            return
        turn.set(SPEECH_RATE, float(new))
        if turn.token:
            try:
                async with turn.portal(act_for=False) as portal:
                    await portal.set_preferences(speech_rate=int(new))
            except PortalError:
                pass  # the rate still applies to this conversation
        turn.say("slower" if self.direction < 0 else "faster")


class ActionFaster(ActionChangeRate):
    direction = 1

    def name(self) -> str:
        return "action_faster"


class ActionSwitchLanguage(TurnAction):
    def name(self) -> str:
        return "action_switch_language"

    async def act(self, turn: Turn) -> None:
        text = turn.text.lower()
        if re.search(r"english|ინგლის|inglis|ingli", text):
            target = "en"
        elif re.search(r"georgian|ქართ|kartul|qartul", text):
            target = "ka"
        else:
            target = "en" if turn.tracker.get_slot(LANG) == "ka" else "ka"
        turn.lang = target
        turn.set(LANG, target)
        turn.say("language_switched")


class ActionHumanHandoff(TurnAction):
    def name(self) -> str:
        return "action_human_handoff"

    async def act(self, turn: Turn) -> None:
        for slot in FLOW_SLOTS:
            turn.set(slot, None)
        turn.events.append(ActiveLoop(None))
        if not turn.token:
            turn.say("handoff_anonymous")
            return
        topic = (turn.slot(SERVICE_ID) or "assistant conversation")[:300]
        async with turn.portal(act_for=False) as portal:
            request = await portal.request_callback(topic, turn.lang)
        turn.say("handoff", phone_end=spoken.digits(request["phone_end"], turn.lang), hours=request["within_hours"])

