"""One turn of an action: the user's language, their portal session, and what to say and set.

Every action in this package subclasses `TurnAction`, so language, the citizen's portal session and
portal failures are handled the same way everywhere. The session is never in the conversation: it is
kept server-side for the conversation id (basics/identity.py), put there by the channel that
authenticated the user or by the login questions.
"""
from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Callable, Iterator

import httpx
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, ReminderScheduled, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import say
from actions.slots import ACT_FOR, ACT_FOR_NAME, ASKING, AWAITING, LANG, OPTIONS, SPEECH_RATE
from basics import spoken
from basics.identity import identity_store
from basics.reply_hints import HINT, Expects, ReplyHint
from basics.sealing import message_text
from basics.settings import get_settings
from basics.speech_rate import DEFAULT_RATE
from catalog_index.language import guess_language
from portal_client.client import PortalClient
from portal_client.errors import PortalAuthError, PortalError, PortalLocked

SESSION_WARNING_INTENT = "EXTERNAL_session_warning"
DEFAULT_LANG = "ka"
MAX_MESSAGE_CHARS = 1000
log = logging.getLogger(__name__)

# How actions reach the portal: over HTTP at `portal_base_url`, unless a test routes every call to the
# portal app in-process with `portal_transport` (see tests/test_actions_in_process.py).
_transport: httpx.AsyncBaseTransport | None = None


@contextmanager
def portal_transport(transport: httpx.AsyncBaseTransport) -> Iterator[None]:
    """Within this block every action calls the portal through `transport` (for example `httpx.ASGITransport`)."""
    global _transport
    before, _transport = _transport, transport
    try:
        yield
    finally:
        _transport = before


def portal_client(token: str | None = None, act_for: str | None = None, source: str | None = None) -> PortalClient:
    """A portal client for one turn: as the citizen of `token`, or anonymous without one."""
    return PortalClient(token=token, act_for=act_for, source=source, transport=_transport)


class Turn:
    """What one action needs: the tracker, where to speak, and the events it will return."""

    def __init__(self, dispatcher: CollectingDispatcher, tracker: Tracker, follow_language: bool = True) -> None:
        self.dispatcher, self.tracker = dispatcher, tracker
        self.conversation: str = tracker.sender_id
        self.events: list[EventType] = []
        self.fixed: set[str] = set()  # texts said as written, with nothing filled in (see reply hints)
        self.ends = False  # this turn ends the conversation (goodbye)
        self.text: str = message_text(tracker.latest_message, self.conversation)
        intent = (tracker.latest_message or {}).get("intent") or {}
        self.intent: str = intent.get("name") or ""
        self.confidence: float = float(intent.get("confidence") or 0.0)
        # True for the first action after the user spoke, the one that answers the message itself.
        self.answering_message = tracker.latest_action_name == "action_listen"
        metadata = (tracker.latest_message or {}).get("metadata") or {}
        # An answer to a question (an address, a name) says nothing about the conversation's language.
        # So does a "/intent" message (a phone menu key): it is not written in any language.
        guessed = guess_language(self.text) if follow_language and not tracker.active_loop_name \
            and not self.text.startswith("/") else None
        # A channel may know the user's language before any word does (a messenger app's language setting).
        hinted = metadata.get("language") if isinstance(metadata, dict) and metadata.get("language") in ("ka", "en") else None
        self.lang: str = guessed or tracker.get_slot(LANG) or hinted or DEFAULT_LANG
        if self.lang != tracker.get_slot(LANG):
            self.set(LANG, self.lang)
        self.token: str | None = identity_store().token(self.conversation)
        # On voice channels a PIN must come from the keypad, never spoken aloud where others may hear it.
        self.keypad: bool = isinstance(metadata, dict) and metadata.get("input") == "keypad"
        self.channel: str = (metadata.get("channel") if isinstance(metadata, dict) else None) or tracker.get_latest_input_channel() or ""
        # Who is typing, as the channel saw them: the portal throttles wrong secrets per source.
        self.source: str | None = metadata.get("source") if isinstance(metadata, dict) else None

    def slot(self, name: str) -> Any:
        for event in reversed(self.events):
            if event.get("event") == "slot" and event.get("name") == name:
                return event.get("value")
        return self.tracker.get_slot(name)

    def set(self, name: str, value: Any) -> None:
        self.events.append(SlotSet(name, value))

    def say(self, key: str, **values: object) -> None:
        text = say(key, self.lang, **values)
        if not values:
            self.fixed.add(text)
        self.dispatcher.utter_message(text=text)

    def say_text(self, text: str) -> None:
        self.dispatcher.utter_message(text=text)

    def offer(self, items: list[str]) -> None:
        """Numbered choices, said in full and also sent as buttons whose payload is the number, so a
        tap, a typed number and a spoken number all mean the same."""
        self.dispatcher.utter_message(text=spoken.options(items, self.lang),
                                      buttons=[{"title": f"{n}: {item}", "payload": str(n)} for n, item in enumerate(items, 1)])

    def who(self) -> str:
        """A prefix naming the company when acting for one, so every answer says on whose behalf it is."""
        name = self.slot(ACT_FOR_NAME)
        return say("on_behalf", self.lang, name=name) if name else ""

    @property
    def voice_channel(self) -> bool:
        return self.channel in {"phone", "twilio_voice", "voice"}

    @property
    def messenger(self) -> bool:
        """Telegram or Messenger: identity comes only from a linked account, never a PIN typed into the chat."""
        return self.channel in {"telegram", "facebook"}

    def log_in(self, token: str) -> None:
        """From now on this conversation acts for the citizen of `token` (kept server-side, never in a slot)."""
        self.token = token
        identity_store().put_token(self.conversation, token)

    def log_out(self) -> None:
        self.token = None
        identity_store().forget_token(self.conversation)

    def portal(self, act_for: bool = True) -> PortalClient:
        return portal_client(self.token, self.slot(ACT_FOR) if act_for else None, self.source)


class TurnAction(Action, ABC):
    """An action that speaks in the user's language and turns portal failures into one clear sentence."""

    follows_language = True  # False for actions that run right after an answer to a question

    @abstractmethod
    def name(self) -> str: ...

    @abstractmethod
    async def act(self, turn: Turn) -> None: ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        turn = Turn(dispatcher, tracker, self.follows_language)
        try:
            problem = screen(turn) if turn.answering_message else None
            if problem:
                turn.say(problem)
            else:
                await self.act(turn)
            # A messenger channel renews the token with every message: that session never runs out.
            if turn.token and turn.answering_message and not turn.messenger:
                turn.events.append(session_warning_reminder())
        except PortalLocked as error:
            say_locked(turn, error)
        except PortalAuthError:
            turn.log_out()
            turn.set(ACT_FOR, None)
            turn.set(ACT_FOR_NAME, None)
            # On a messenger the channel renews the token with every message: a refusal means the link ended.
            turn.say("link_needed" if turn.messenger else "session_expired")
        except PortalError as error:
            turn.say_text(error.spoken(turn.lang))
        except Exception as error:  # a blind user must hear something, never silence after a crash
            log.error("action %s failed: %s", self.name(), type(error).__name__)
            turn.events.clear()  # half an action's changes would leave the dialogue in a state nobody planned
            turn.say("internal_error")
        expect_secret(tracker.sender_id, tracker.get_slot(ASKING), turn.events)
        attach_hints(dispatcher.messages, turn.lang, rate_of(turn), expects(turn.slot), turn.ends, turn.fixed)
        return turn.events


def expects(slot: Callable[[str], Any]) -> Expects:
    """What the dialogue waits for after this turn, from its slots (see basics/reply_hints.py)."""
    asking = slot(ASKING) or ""
    if asking in ("phone_pin", "signing_pin"):
        return "pin"
    if asking == "personal_number":
        return "digits"
    if asking:
        return "text"
    if len(slot(OPTIONS) or []) > 1:
        return "choice"
    return "yes_no" if slot(AWAITING) else None


def attach_hints(messages: list[dict[str, Any]], lang: str, rate: float, expected: Expects, ends: bool,
                 fixed: set[str]) -> None:
    """Give every message of the turn its reply hint, so channels never read the dialogue from the wording."""
    for message in messages:
        hint: ReplyHint = {"lang": lang, "rate": rate, "expects": expected, "ends": ends,
                           "fixed": (message.get("text") or "") in fixed}
        message["custom"] = {**(message.get("custom") or {}), HINT: hint}


def expect_secret(conversation: str, asking_before: str | None, events: list[EventType]) -> None:
    """Tell the channels when a question for a secret starts or ends, so they seal what answers it."""
    asked = [e.get("value") for e in events if e.get("event") == "slot" and e.get("name") == ASKING]
    if asked and asked[-1] != asking_before:
        identity_store().expect(conversation, asked[-1])


def say_locked(turn: Turn, error: PortalLocked) -> None:
    """A lock of the citizen's login (423), or a wait the portal imposes on this source (429), each said as it is."""
    fields = error.fields or {}
    if error.status != 429:
        turn.say("locked", minutes=fields.get("minutes", 15))
        return
    seconds = int(fields.get("retry_after_seconds") or 60)
    if seconds < 120:
        wait = spoken.count_phrase(seconds, "წამი" if turn.lang == "ka" else ("second", "seconds"), turn.lang)
    else:
        wait = spoken.count_phrase(-(-seconds // 60), "წუთი" if turn.lang == "ka" else ("minute", "minutes"), turn.lang)
    turn.say("wait_before_retry", wait=wait)


def session_warning_reminder() -> EventType:
    """A warning shortly before the session ends; any message from the user cancels and renews it."""
    due = datetime.now() + timedelta(seconds=get_settings().session_warning_seconds)
    return ReminderScheduled(SESSION_WARNING_INTENT, trigger_date_time=due, name="session_warning", kill_on_user_message=True)


def screen(turn: Turn) -> str | None:
    """Why a message should not be acted on (empty, huge, no words), as the key of what to say; else None."""
    text = turn.text.strip()
    if not text:
        return "empty"
    if len(text) > MAX_MESSAGE_CHARS:
        return "too_long"
    if not any(ch.isalnum() for ch in text) or re.search(r"(.)\1{9,}", text):
        return "not_understood"
    return None


def rate_of(turn: Turn) -> float:
    return float(turn.slot(SPEECH_RATE) or DEFAULT_RATE)
