"""Yes, no and a number mean different things at different moments; `awaiting` says which."""
from __future__ import annotations

from actions.application import ONE_FIELD_PREFIX, begin_application, send, start_signing
from actions.inbox import read_body, read_current
from actions.login import choose_company, require_login, start_questions
from actions.services import known_service, option_number, present_service
from actions.slots import AWAITING, MESSAGE_INDEX, OPTIONS, OPTIONS_KIND, SERVICE_ID
from actions.turn import Turn, TurnAction
from catalog_index import get_catalogue

IRREVERSIBLE = {"send", "review"}  # a yes here signs or sends: only a clear yes counts
SURE = 0.8


class ActionAffirm(TurnAction):
    def name(self) -> str:
        return "action_affirm"

    async def act(self, turn: Turn) -> None:
        awaiting = turn.slot(AWAITING)
        if awaiting in IRREVERSIBLE and turn.confidence < SURE:
            turn.say("yes_or_no")
            return
        if awaiting == "confirm_service" and turn.slot(OPTIONS):
            service = known_service(turn, turn.slot(OPTIONS)[0])
            if service is not None:
                present_service(turn, service)
        elif awaiting == "offer_apply":
            offered = get_catalogue().get(turn.slot(SERVICE_ID) or "")
            turn.set(AWAITING, None)
            if offered is not None and require_login(turn, "apply"):
                await begin_application(turn, offered)
        elif awaiting == "review":
            turn.set(AWAITING, None)
            await start_signing(turn)
        elif awaiting == "send":
            await send(turn)
        elif awaiting == "read_inbox":
            turn.set(MESSAGE_INDEX, 0.0)
            await read_current(turn)
        elif awaiting == "read_body":
            await read_body(turn)
        else:
            turn.say("thanks")


class ActionDeny(TurnAction):
    def name(self) -> str:
        return "action_deny"

    async def act(self, turn: Turn) -> None:
        awaiting = turn.slot(AWAITING)
        turn.set(AWAITING, None)
        if awaiting == "confirm_service":
            turn.set(OPTIONS, None)
            turn.say("say_need_again")
        elif awaiting == "send":
            turn.say("not_sent")
        else:
            turn.say("thanks")


class ActionChooseOption(TurnAction):
    def name(self) -> str:
        return "action_choose_option"

    async def act(self, turn: Turn) -> None:
        options = turn.slot(OPTIONS) or []
        if not options:
            turn.say("no_options")
            return
        number = option_number(turn.text)
        if number is None or not 1 <= number <= len(options):
            turn.say("bad_option", count=len(options))
            return
        chosen, kind = options[number - 1], turn.slot(OPTIONS_KIND)
        if kind == "service":
            service = known_service(turn, chosen)
            if service is not None:
                present_service(turn, service)
        elif kind == "field":
            turn.set(AWAITING, None)
            start_questions(turn, ONE_FIELD_PREFIX + chosen, "review")
        elif kind == "company":
            async with turn.portal(act_for=False) as portal:
                entity = next(e for e in (await portal.me())["entities"] if e["id_code"] == chosen)
            choose_company(turn, entity)
