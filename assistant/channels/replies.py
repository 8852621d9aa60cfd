"""What the messenger channels say themselves (linking, and what they cannot take), in Georgian and English.

Everything else comes from the dialogue (actions/messages.py); these are answered before a message
reaches Rasa, because a link code must never be stored in a conversation."""
from __future__ import annotations

from basics.texts import pick

REPLIES: dict[str, dict[str, str]] = {
    "linked": {"ka": "ეს ანგარიში დაკავშირებულია: {name}, აქ თქვენი სახელით ვიმოქმედებ. გასაუქმებლად გამომიგზავნეთ /unlink.",
               "en": "This account is now linked to {name}; here I will act for you. To undo it, send /unlink."},
    "wrong_code": {"ka": "ეს კოდი არ გამოდგა: ვადაგასულია, უკვე გამოყენებულია ან არასწორია. {detail}",
                   "en": "That link code did not work: it is wrong, expired or already used. {detail}"},
    "unlinked": {"ka": "ანგარიში გაუქმებულია. აქ მხოლოდ საჯარო სერვისებია ხელმისაწვდომი; ხელახლა დასაკავშირებლად პორტალზე აიღეთ ახალი კოდი.",
                 "en": "This account is unlinked. Only public services are available here; to link again, get a new code on the portal."},
    "not_linked": {"ka": "ეს ანგარიში არ არის დაკავშირებული.", "en": "This account is not linked."},
    "welcome": {"ka": "პირადი მონაცემებისთვის დააკავშირეთ ანგარიში: პორტალზე, „ჩემი ანგარიში“, „მესენჯერები“, აიღეთ კოდი და გამომიგზავნეთ.",
                "en": "To use your own portal data here, link this account: on the portal, open My account, Messengers, "
                      "get a link code and send it to me."},
    "private_only": {"ka": "თქვენი უსაფრთხოებისთვის მხოლოდ პირად ჩატში ვსაუბრობ.",
                     "en": "To protect your privacy I only talk in a private chat."},
    "unsupported": {"ka": "შემიძლია წავიკითხო ტექსტი და მოვისმინო ხმოვანი შეტყობინება.",
                    "en": "I can read text messages and listen to voice messages."},
    "heard": {"ka": "მოვისმინე: {text}", "en": "I heard: {text}"},
}


def reply(key: str, lang: str, **values: object) -> str:
    return pick(REPLIES, key, lang, **values)
