"""Whole conversations over HTTP against the real Rasa server, action server and portal.

Each test talks as a citizen would and then checks what a citizen would notice: what was said,
and what the portal now holds.
"""
from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from basics.reply_hints import ReplyHint, reply_from
from tests.conftest import ANA, GIORGI, NINO, PHONE_PINS, SIGNING_PINS, Portal
from tests.stack import Conversation, Stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def portal(stack: Stack) -> Portal:
    return Portal(stack.settings.portal_base_url, Path(stack.env["MYGOV_DATA_DIR"]))


def login(chat: Conversation, personal_number: str) -> str:
    chat.say(personal_number)
    return chat.say(PHONE_PINS[personal_number])


def address_change(stack: Stack, personal_number: str, need: str = "I want to change my address") -> Conversation:
    """A conversation that has found the address change, accepted to apply and logged in."""
    chat = stack.conversation()
    chat.say(need)
    chat.say("yes")
    login(chat, personal_number)
    return chat


def test_an_address_change_from_need_to_registration_number(stack: Stack, portal: Portal) -> None:
    chat = stack.conversation()
    found = chat.say("I moved and want to change my registered address")
    assert "address" in found.lower() and "Say yes or no" in found
    assert "personal number" in chat.say("yes")
    assert "Hello, Nino" in login(chat, NINO)
    next_question = chat.say("Tbilisi, Vazha-Pshavela avenue 12, flat 5")
    assert "Noted: Tbilisi, Vazha-Pshavela avenue 12, flat 5." in next_question and "2: Temporary" in next_question
    assert "Noted: Temporary" in chat.say("2")
    consent = chat.say("yes")
    assert "Noted: yes" in consent and "optional" in consent
    review = chat.say("skip")
    assert "Let us check your answers" in review and "1. New address: Tbilisi, Vazha-Pshavela avenue 12, flat 5." in review
    assert "signing PIN" in chat.say("yes")
    signed = chat.say(SIGNING_PINS[NINO])
    assert "cannot be undone" in signed and SIGNING_PINS[NINO] not in signed
    sent = chat.say("yes")
    assert "registration number is M G, 2026" in sent

    nino = portal.login(NINO)
    apps = portal.http.get("/v1/applications", params={"status": "submitted"}, headers=nino).json()["applications"]
    app = next(a for a in apps if a["service_id"] == "civil.address.registration")
    assert app["fields"] == {"new_address": "Tbilisi, Vazha-Pshavela avenue 12, flat 5", "registration_type": "temporary",
                             "owner_consent": "yes", "contact_phone": ""}
    assert app["signature"]["valid"] and app["signature"]["signer"] == NINO


def test_giorgis_tax_debt_in_both_languages(stack: Stack, portal: Portal) -> None:
    token = portal.login(GIORGI)["Authorization"].split()[1]
    english = stack.conversation(token)
    assert "The tax debt is 125 lari and 40 tetri." in english.say("How much tax do I owe?")
    georgian = stack.conversation()
    assert "სისტემაში" in georgian.say("მაქვს საგადასახადო დავალიანება?")
    assert "გიორგი" in login(georgian, GIORGI)
    assert "125 ლარი და 40 თეთრი" in georgian.say("რა დავალიანება მაქვს?")
    latin = stack.conversation(token)
    assert "125 ლარი და 40 თეთრი" in latin.say("ramdeni gadasaxadi maqvs gadasaxdeli?")


def test_nino_acting_for_her_company(stack: Stack) -> None:
    chat = stack.conversation()
    chat.say("I want to act on behalf of my company")
    assert "acting for Beridze Bakery LLC" in login(chat, NINO)
    debt = chat.say("does my company owe any tax?")
    assert debt.startswith("For Beridze Bakery LLC:") and "no tax debt" in debt
    assert "persons only" in chat.say("show my border crossings")
    assert "Nino Beridze, personally" in chat.say("back to me personally")
    assert "Exit on 14 March 2026 at Sarpi" in chat.say("when did I cross the border?")


def test_replies_are_read_one_at_a_time_and_marked_read(stack: Stack, portal: Portal) -> None:
    giorgi = portal.login(GIORGI)
    token = giorgi["Authorization"].split()[1]
    chat = stack.conversation(token)
    unread_before = portal.http.get("/v1/inbox", headers=giorgi).json()["unread"]
    assert f"Unread messages: {unread_before}" in chat.say("do I have any new messages?")
    first = chat.say("yes")
    assert "Message 1 of" in first and "Subject:" in first
    body = chat.say("yes")
    assert "For the next message, say: next." in body
    assert portal.http.get("/v1/inbox", headers=giorgi).json()["unread"] == unread_before - 1
    assert "Message 2 of" in chat.say("next")
    assert "Message 2 of" in chat.say("repeat")
    assert "Message 1 of" in chat.say("previous message")


def test_wrong_pins_lock_the_login(stack: Stack) -> None:
    chat = stack.conversation()
    chat.say("log in")
    chat.say(ANA)
    for left in (4, 3, 2, 1):
        wrong = chat.say("0000")
        assert f"{left} attempts left" in wrong and "0000" not in wrong
    assert "locked for 15 minutes" in chat.say("0000")
    assert "Hello" in chat.say("hello")


def test_finding_a_service_confirms_suggests_or_says_none_fits(stack: Stack) -> None:
    chat = stack.conversation()
    none = chat.say("Who will win the football match tonight?")
    assert "cannot help" in none or "found no service" in none
    suggestions = chat.say("certificate")
    assert "1:" in suggestions and "Say or type the number" in suggestions and "4:" not in suggestions
    assert "It is provided by" in chat.say("2")
    georgian = stack.conversation()
    reply = georgian.say("რა ღირს პასპორტის აღება?")
    assert "ბიომეტრიული პასპორტის" in reply and "საფასური: 150 ლარი" in reply
    english = stack.conversation()
    assert "You will need:" in english.say("what documents do I need to register my car?")


def test_commands_inside_an_application(stack: Stack) -> None:
    chat = address_change(stack, GIORGI, "I need to register my new address")
    first = "Batumi, Gorgiladze street 1"
    chat.say(first)
    question = chat.say("repeat")
    assert question.count("permanent or temporary") == 1 and "1:" in question
    back = chat.say("back")
    assert "new address" in back.lower()
    help_text = chat.say("help")
    assert "waiting for your answer" in help_text
    assert "Cancelled" in chat.say("cancel")
    resumed = chat.say("continue my application")
    assert "continuing the application" in resumed and "new address" in resumed.lower()


def test_garbage_and_very_long_messages_get_a_clear_answer(stack: Stack) -> None:
    chat = stack.conversation()
    for text in ("🙂🙂🙂", "\x00\x01\x02", "asdkjh qwe zxcmnb", "ა" * 5000, "x " * 3000):
        reply = chat.say(text)
        assert reply.strip(), f"no answer to {text[:20]!r}"
        assert "Traceback" not in reply
    assert "Hello" in chat.say("hello")


def test_a_letter_is_read_back_before_it_is_sent(stack: Stack, portal: Portal) -> None:
    chat = stack.conversation(portal.login(GIORGI)["Authorization"].split()[1])
    assert "for example: Tbilisi City Hall" in chat.say("I want to write a letter to an agency")
    assert "Noted: Tbilisi City Hall" in chat.say("Tbilisi City Hall")
    chat.say("Street lights on my street")
    review = chat.say("The street lights on Chavchavadze avenue have not worked for a month.")
    assert "Let us check your answers" in review and "Chavchavadze" in review
    chat.say("yes")
    assert "Tbilisi City Hall" in chat.say(SIGNING_PINS[GIORGI])
    assert "registration number" in chat.say("yes")


def test_pins_are_not_stored_or_logged(stack: Stack) -> None:
    """Runs after conversations that typed phone and signing PINs."""
    data_dir = Path(stack.env["MYGOV_DATA_DIR"])
    with sqlite3.connect(data_dir / "rasa_tracker.sqlite3") as tracker_store:
        stored = [row[0] for row in tracker_store.execute("SELECT data FROM events")]
    assert any('"[PIN]"' in event for event in stored)
    logs = "".join(p.read_text(errors="replace") for p in data_dir.glob("*.log"))
    for pin in (PHONE_PINS[NINO], PHONE_PINS[GIORGI], SIGNING_PINS[NINO], SIGNING_PINS[GIORGI]):
        assert not any(f'"{pin}"' in event for event in stored)
        assert not re.search(rf"\b{pin}\b", logs)


def test_the_portal_going_down_mid_application_loses_nothing(stack: Stack) -> None:
    chat = address_change(stack, GIORGI)
    chat.say("Kutaisi, Rustaveli street 7")
    stack.portal.stop()
    try:
        down = chat.say("1")
        assert "not answering" in down and "saved" in down
    finally:
        stack.portal.start()
    resumed = chat.say("continue my application")
    assert "continuing the application" in resumed and "permanent or temporary" in resumed
    assert "Noted: Permanent" in chat.say("1")


def test_the_conversation_survives_restarts_of_the_action_server_and_rasa(stack: Stack) -> None:
    chat = address_change(stack, NINO)
    stack.actions.restart()
    assert "Noted: Rustavi, Megobroba avenue 3" in chat.say("Rustavi, Megobroba avenue 3")
    stack.rasa.restart()
    assert "Noted: Permanent" in chat.say("1")
    assert "Noted: yes" in chat.say("yes")


def test_terminal_chat_is_plain_text_for_screen_readers(stack: Stack, portal: Portal) -> None:
    token = portal.login(GIORGI)["Authorization"].split()[1]
    result = subprocess.run([sys.executable, "-m", "assistant.cli", "chat", "--url", stack.webhook, "--token", token],
                            input="hello\nhow much tax do I owe?\n", capture_output=True, text=True, timeout=120, env=stack.env)
    lines = result.stdout.splitlines()
    assert result.returncode == 0
    assert "Assistant: Hello! I am the My.gov assistant. Tell me what you need. For help, say: help." in lines
    assert "Assistant: The tax debt is 125 lari and 40 tetri." in lines
    assert "\x1b" not in result.stdout and "\r" not in result.stdout


def test_terminal_chat_says_clearly_when_the_assistant_is_not_running() -> None:
    from tests.servers import free_port

    result = subprocess.run([sys.executable, "-m", "assistant.cli", "chat", "--url",
                             f"http://127.0.0.1:{free_port()}/webhooks/rest/webhook"], input="hello\n",
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "not running" in result.stdout and "make run" in result.stdout


def test_a_person_calls_back_and_the_speech_rate_is_kept(stack: Stack, portal: Portal) -> None:
    headers = portal.login(NINO)
    chat = stack.conversation(headers["Authorization"].split()[1])
    assert "more slowly" in chat.say("please speak slower")
    assert portal.http.get("/v1/me", headers=headers).json()["speech_rate"] == 150
    assert "faster" in chat.say("speak faster")
    assert portal.http.get("/v1/me", headers=headers).json()["speech_rate"] == 175
    before = len(portal.http.get("/v1/callback-requests", headers=headers).json()["callback_requests"])
    reply = chat.say("I want to talk to a real person")
    assert "within 4 hours" in reply and "5 6" in reply
    assert len(portal.http.get("/v1/callback-requests", headers=headers).json()["callback_requests"]) == before + 1


def test_spelling_a_code_that_was_said(stack: Stack, portal: Portal) -> None:
    chat = stack.conversation(portal.login(GIORGI)["Authorization"].split()[1])
    assert "cadastral code" in chat.say("what property do I own?")
    spelled = chat.say("spell it")
    assert spelled.startswith("Letter by letter:") and "zero" in spelled


def test_every_reply_says_what_it_expects_in_its_hint(stack: Stack) -> None:
    """Channels read the dialogue's state from the reply hints, never from the wording."""
    chat = stack.conversation()

    def hint(text: str) -> ReplyHint:
        reply = reply_from(chat.send(text))
        assert reply.texts and reply.hint is not None
        return reply.hint

    found = hint("I want to change my address")
    assert (found["lang"], found["expects"], found["ends"]) == ("en", "yes_no", False)
    assert hint("yes")["expects"] == "digits"
    assert hint(GIORGI)["expects"] == "pin"
    assert hint(PHONE_PINS[GIORGI])["expects"] == "text"
    assert hint("cancel")["expects"] is None
    rate = hint("slower")["rate"]
    assert rate < found["rate"]
    georgian = hint("გამარჯობა")
    assert georgian["lang"] == "ka" and georgian["rate"] == rate and georgian["fixed"]
    goodbye = hint("goodbye")
    assert goodbye["ends"] and goodbye["fixed"]
