"""Yes, no and a number mean different things at different moments; `awaiting` says which."""
from __future__ import annotations

from catalog_index import get_catalogue

from actions.application import begin_application, send, start_signing
from actions.inbox import read_body, read_current
from actions.login import choose_company, require_login, start_questions
from actions.services import option_number, present_service
from actions.turn import Turn, TurnAction


IRREVERSIBLE = {"send", "review"}  # a yes here signs or sends: only a clear yes counts
SURE = 0.8


class ActionAffirm(TurnAction):
    def name(self) -> str:
        return "action_affirm"

    async def act(self, turn: Turn) -> None:
        awaiting = turn.slot("awaiting")
        catalogue = get_catalogue()
        if awaiting in IRREVERSIBLE and turn.confidence < SURE:
            turn.say("yes_or_no")
            return
        if awaiting == "confirm_service" and turn.slot("options"):
            present_service(turn, catalogue.get(turn.slot("options")[0]))  # type: ignore[arg-type]
        elif awaiting == "offer_apply":
            service = catalogue.get(turn.slot("service_id") or "")
            turn.set("awaiting", None)
            if service is not None and require_login(turn, "apply"):
                await begin_application(turn, service)
        elif awaiting == "review":
            turn.set("awaiting", None)
            await start_signing(turn)
        elif awaiting == "send":
            await send(turn)
        elif awaiting == "read_inbox":
            turn.set("message_index", 0.0)
            await read_current(turn)
        elif awaiting == "read_body":
            await read_body(turn)
        else:
            turn.say("thanks")


class ActionDeny(TurnAction):
    def name(self) -> str:
        return "action_deny"

    async def act(self, turn: Turn) -> None:
        awaiting = turn.slot("awaiting")
        turn.set("awaiting", None)
        if awaiting == "confirm_service":
            turn.set("options", None)
            turn.say("say_need_again")
        elif awaiting == "send":
            turn.say("not_sent")
        else:
            turn.say("thanks")


class ActionChooseOption(TurnAction):
    def name(self) -> str:
        return "action_choose_option"

    async def act(self, turn: Turn) -> None:
        options = turn.slot("options") or []
        if not options:
            turn.say("no_options")
            return
        number = option_number(turn.text)
        if number is None or not 1 <= number <= len(options):
            turn.say("bad_option", count=len(options))
            return
        chosen, kind = options[number - 1], turn.slot("options_kind")
        if kind == "service":
            present_service(turn, get_catalogue().get(chosen))  # type: ignore[arg-type]
        elif kind == "field":
            turn.set("awaiting", None)
            start_questions(turn, f"field:{chosen}", "review")
        elif kind == "company":
            async with turn.portal(act_for=False) as portal:
                entity = next(e for e in (await portal.me())["entities"] if e["id_code"] == chosen)
            choose_company(turn, entity)
