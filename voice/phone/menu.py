"""What the phone line says by itself (welcome, the keypad menu, silence, time limit) and what each
menu key asks the assistant. Keys send Rasa's "/intent" messages, so the menu needs no NLU change."""
from __future__ import annotations

import re

from basics.texts import pick
from voice.commands import as_digits

MENU_KEYS = {"1": "/check_inbox", "2": "/tax_debt", "3": "/my_applications", "4": "/help",
             "0": "/human_handoff", "9": "/switch_language"}
# 9 says the other language's name, as a caller would: the dialogue's language switch reads the word.
SWITCH_TO = {"ka": "English", "en": "ქართულად"}


def menu_message(key: str, lang: str) -> str:
    """What a menu key sends to the assistant."""
    return SWITCH_TO[lang if lang in SWITCH_TO else "ka"] if key == "9" else MENU_KEYS[key]

PHONE_PROMPTS: dict[str, dict[str, str]] = {
    "welcome": {"ka": "გამარჯობა! ეს არის My.gov-ის ასისტენტი. თქვით, რა გჭირდებათ, ან გამოიყენეთ კლავიატურა.",
                "en": "Hello! This is the My.gov assistant. Say what you need, or use the keypad."},
    "menu": {"ka": "შეტყობინებებისთვის აკრიფეთ ერთი. საგადასახადო დავალიანებისთვის ორი. განცხადებებისთვის სამი. "
                   "დახმარებისთვის ოთხი. ოპერატორისთვის ნული. ვარსკვლავი იმეორებს, დიეზი ადასტურებს.",
             "en": "For your messages press 1. For tax debt, 2. For your applications, 3. For help, 4. "
                   "For a person, 0. Star repeats, hash confirms."},
    "other_language": {"ka": "For English press 9.", "en": "ქართულისთვის აკრიფეთ ცხრა."},
    "no_speech": {"ka": "ვერაფერი გავიგე. თქვით ან აკრიფეთ პასუხი.", "en": "I did not hear anything. Please say or type your answer."},
    "keypad_only": {"ka": "ხმის ამოცნობა ახლა მიუწვდომელია. გამოიყენეთ კლავიატურა.",
                    "en": "Speech recognition is not available right now. Please use the keypad."},
    "assistant_down": {"ka": "ასისტენტი ახლა არ პასუხობს. გთხოვთ, სცადეთ ცოტა ხანში.",
                       "en": "The assistant is not answering right now. Please try again in a moment."},
    "time_limit": {"ka": "ზარის დრო ამოიწურა. ნახვამდის!", "en": "The time for this call is up. Goodbye!"},
    "goodbye_silence": {"ka": "ვერაფერი გავიგე. ნახვამდის!", "en": "I did not hear anything. Goodbye!"},
}


def phone_prompt(key: str, lang: str) -> str:
    return pick(PHONE_PROMPTS, key, lang)


def menu_segments(lang: str) -> list[tuple[str, str]]:
    """The menu, with the other language's offer spoken in that language's voice."""
    other = "en" if lang == "ka" else "ka"
    return [(phone_prompt("menu", lang), lang), (phone_prompt("other_language", lang), other)]


_NUMBER = re.compile(r"\d(?:[\s-]?\d){3,}")


def redacted(text: str) -> str:
    """For logs and transcripts: any run of four or more digits (a PIN, a personal number, a code) is
    hidden, and so is an answer made only of spoken digits ("one three five seven")."""
    if as_digits(text.lower()):
        return f"[{len(as_digits(text.lower()) or '')} digits]"
    return _NUMBER.sub(lambda m: "#" * len(re.sub(r"\D", "", m.group())), text)
