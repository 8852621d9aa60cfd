"""What the state holds about the user or the company they act for, said for the ear."""
from __future__ import annotations

from typing import Any

from actions.login import require_login
from actions.slots import ACT_FOR, LAST_CODE
from actions.turn import Turn, TurnAction
from basics import spoken

TOPICS = {"tax_debt": "tax-debt", "border_crossings": "border-crossings", "my_companies": "enterprises",
          "my_documents": "documents", "my_property": "property", "debtor_status": "debtor-status"}
MAX_ITEMS = 5


class ActionInformational(TurnAction):
    def name(self) -> str:
        return "action_informational"

    async def act(self, turn: Turn) -> None:
        topic = TOPICS.get(turn.intent, "tax-debt")
        if not require_login(turn, turn.intent if turn.intent in TOPICS else "tax_debt"):
            return
        if topic in ("border-crossings", "enterprises") and turn.slot(ACT_FOR):
            turn.say("not_for_companies")
            return
        async with turn.portal() as portal:
            data = await portal.info(topic)
        getattr(self, "_" + topic.replace("-", "_"))(turn, data, turn.who(), turn.lang)

    @staticmethod
    def _tax_debt(turn: Turn, data: dict[str, Any], who: str, lang: str) -> None:
        if data["amount_tetri"]:
            turn.say("tax_debt", who=who, amount=spoken.money(data["amount_tetri"], lang))
        else:
            turn.say("tax_debt_none", who=who)

    @staticmethod
    def _border_crossings(turn: Turn, data: dict[str, Any], who: str, lang: str) -> None:
        items = data["items"]
        if not items:
            turn.say("border_none", who=who)
            return
        turn.say("border_count", who=who, count=len(items))
        for item in items[:MAX_ITEMS]:
            turn.say(f"border_{item['direction']}", date=spoken.date(item["date"], lang), place=item[f"checkpoint_{lang}"])

    @staticmethod
    def _enterprises(turn: Turn, data: dict[str, Any], who: str, lang: str) -> None:
        if not data["items"]:
            turn.say("companies_none", who=who)
        roles = {"director": {"ka": "დირექტორი", "en": "director"}}
        for item in data["items"][:MAX_ITEMS]:
            turn.set(LAST_CODE, item["id_code"])
            turn.say("company", name=item["name"][lang], code=spoken.digits(item["id_code"], lang),
                     role=roles.get(item["role"], {}).get(lang, item["role"]), share=item["share_percent"] or 0)

    @staticmethod
    def _documents(turn: Turn, data: dict[str, Any], who: str, lang: str) -> None:
        if not data["items"]:
            turn.say("documents_none", who=who)
        for item in data["items"][:MAX_ITEMS]:
            turn.say("document", title=item[f"title_{lang}"], date=spoken.date(item["date"], lang), role=item[f"role_{lang}"])

    @staticmethod
    def _property(turn: Turn, data: dict[str, Any], who: str, lang: str) -> None:
        if not data["items"]:
            turn.say("property_none", who=who)
        for item in data["items"][:MAX_ITEMS]:
            turn.set(LAST_CODE, item["cadastral_code"])
            turn.say("property", kind=item[f"type_{lang}"], city=item[f"city_{lang}"],
                     code=spoken.cadastral_code(item["cadastral_code"], lang))

    @staticmethod
    def _debtor_status(turn: Turn, data: dict[str, Any], who: str, lang: str) -> None:
        turn.say("debtor_yes" if data["registered_debtor"] else "debtor_no", who=who)
