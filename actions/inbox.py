"""Agency replies read one at a time: how many, who and when and what about, then the text on request."""
from __future__ import annotations

import re
from typing import Any

from actions.login import require_login
from actions.slots import AWAITING, MESSAGE_IDS, MESSAGE_INDEX
from actions.turn import Turn, TurnAction
from basics import registration, spoken

CADASTRAL_CODE = re.compile(r"\b\d{2}\.\d{2}\.\d{2}\.\d{3}\.\d{3}(?:\.\d{2}\.\d{3})?\b")


def _agency(message: dict[str, Any], lang: str) -> str:
    return message["agency"]["name"][lang]


def speakable(text: str, lang: str) -> str:
    """Agency text with its registration numbers and cadastral codes put in the form a listener follows."""
    text = registration.PATTERN.sub(lambda m: spoken.registration_number(m.group(0), lang), text)
    return CADASTRAL_CODE.sub(lambda m: spoken.cadastral_code(m.group(0), lang), text)


async def read_current(turn: Turn) -> None:
    ids, index = turn.slot(MESSAGE_IDS) or [], int(turn.slot(MESSAGE_INDEX) or 0)
    if not ids:
        turn.say("no_message_open")
        return
    async with turn.portal() as portal:
        message = await portal.message(ids[index])
    turn.say("message_head", n=index + 1, total=len(ids), agency=_agency(message, turn.lang),
             date=spoken.date(message["received_at"][:10], turn.lang), subject=speakable(message["subject"], turn.lang))
    turn.set(AWAITING, "read_body")


async def read_body(turn: Turn) -> None:
    ids, index = turn.slot(MESSAGE_IDS) or [], turn.slot(MESSAGE_INDEX)
    if not ids or index is None:
        turn.say("no_message_open")
        return
    async with turn.portal() as portal:
        message = await portal.message(ids[int(index)])
        await portal.mark_read(message["id"])
    turn.set(AWAITING, None)
    turn.say("message_body", body=speakable(message["body"], turn.lang))


class ActionCheckInbox(TurnAction):
    def name(self) -> str:
        return "action_check_inbox"

    async def act(self, turn: Turn) -> None:
        if not require_login(turn, "check_inbox"):
            return
        async with turn.portal() as portal:
            inbox = await portal.inbox()
        messages = sorted(inbox["messages"], key=lambda m: m["read"])  # unread first, newest first within
        turn.set(MESSAGE_IDS, [m["id"] for m in messages])
        turn.set(MESSAGE_INDEX, None)
        if not messages:
            turn.say("inbox_empty", who=turn.who())
            return
        key = "inbox_count" if inbox["unread"] else "inbox_none_unread"
        turn.say(key, who=turn.who(), unread=inbox["unread"], total=inbox["total"])
        turn.set(AWAITING, "read_inbox")


class ActionReadMessage(TurnAction):
    def name(self) -> str:
        return "action_read_message"

    async def act(self, turn: Turn) -> None:
        if not require_login(turn, "read_message"):
            return
        if not turn.slot(MESSAGE_IDS):
            async with turn.portal() as portal:
                inbox = await portal.inbox()
            turn.set(MESSAGE_IDS, [m["id"] for m in sorted(inbox["messages"], key=lambda m: m["read"])])
            if not inbox["messages"]:
                turn.say("inbox_empty", who=turn.who())
                return
        if turn.slot(MESSAGE_INDEX) is None:
            turn.set(MESSAGE_INDEX, 0.0)
        await read_current(turn)


class ActionMoveMessage(TurnAction):
    step = 1

    def name(self) -> str:
        return "action_next_message"

    async def act(self, turn: Turn) -> None:
        ids, index = turn.slot(MESSAGE_IDS) or [], turn.slot(MESSAGE_INDEX)
        if not ids or index is None:
            turn.say("no_message_open")
            return
        target = int(index) + self.step
        if not 0 <= target < len(ids):
            turn.say("no_next" if self.step > 0 else "no_previous")
            return
        turn.set(MESSAGE_INDEX, float(target))
        await read_current(turn)


class ActionPreviousMessage(ActionMoveMessage):
    step = -1

    def name(self) -> str:
        return "action_previous_message"


class ActionReadBody(TurnAction):
    def name(self) -> str:
        return "action_read_body"

    async def act(self, turn: Turn) -> None:
        await read_body(turn)
