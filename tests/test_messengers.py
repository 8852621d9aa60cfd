"""Telegram and Facebook Messenger end to end: the real portal, action server and Rasa (with the
messenger channels configured from settings) talking to local stand-ins of the platforms' APIs.

Each webhook call returns only after the bot has made its API calls for that update, so tests read
what was sent right after posting; the only wait is for the webhook registration at start-up, on a
condition variable."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np
import pytest

from actions.messages import TEXTS
from tests.conftest import ANA, GIORGI, Portal
from tests.servers import free_port
from tests.stack import Stack
from tests.standins.facebook import GraphAPI, MessengerUser
from tests.standins.telegram import TelegramAPI, TelegramUser
from voice import compressed
from voice.prompts import PROMPTS
from voice.synthetic import user_says

pytestmark = pytest.mark.e2e

TELEGRAM_TOKEN = "7000000001:TEST-token-for-the-stand-in"
FB_PAGE_TOKEN, FB_APP_SECRET, FB_VERIFY = "EAAtest-page-token", "test-app-secret", "test-verify-token"


class Messengers:
    def __init__(self, stack: Stack, telegram: TelegramAPI, graph: GraphAPI) -> None:
        self.stack, self.telegram, self.graph = stack, telegram, graph
        self.portal = Portal(stack.settings.portal_base_url, Path(stack.env["MYGOV_DATA_DIR"]))
        registered = telegram.wait_for(lambda c: c.method == "setWebhook")
        self.secret = registered.params["secret_token"]
        self.webhook_url = registered.params["url"]
        self._ids = iter(range(500_000_001, 600_000_000))

    def telegram_user(self, language_code: str = "en") -> TelegramUser:
        return TelegramUser(self.telegram, f"{self.stack.settings.rasa_url}/webhooks/telegram/webhook", self.secret,
                            next(self._ids), language_code)

    def messenger_user(self) -> MessengerUser:
        return MessengerUser(self.graph, f"{self.stack.settings.rasa_url}/webhooks/facebook/webhook", FB_APP_SECRET,
                             str(next(self._ids)))

    def link_code(self, personal_number: str) -> str:
        response = self.portal.http.post("/v1/messenger-links/codes", headers=self.portal.login(personal_number))
        assert response.status_code == 201, response.text
        return response.json()["code"]

    def logs(self) -> str:
        data_dir = Path(self.stack.env["MYGOV_DATA_DIR"])
        return "".join(path.read_text(errors="replace") for path in data_dir.glob("*.log"))


@pytest.fixture(scope="module")
def messengers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Messengers]:
    telegram, graph = TelegramAPI(TELEGRAM_TOKEN).start(), GraphAPI(FB_PAGE_TOKEN).start()
    stack = Stack(tmp_path_factory.mktemp("messengers"),
                  MYGOV_TELEGRAM_TOKEN=TELEGRAM_TOKEN, MYGOV_TELEGRAM_API_URL=telegram.url,
                  MYGOV_TELEGRAM_WEBHOOK_URL="https://bot.example.ge/webhooks/telegram/webhook",
                  MYGOV_FACEBOOK_PAGE_TOKEN=FB_PAGE_TOKEN, MYGOV_FACEBOOK_APP_SECRET=FB_APP_SECRET,
                  MYGOV_FACEBOOK_VERIFY_TOKEN=FB_VERIFY, MYGOV_FACEBOOK_API_URL=graph.api_url,
                  # Georgian recognition is online only: here it cannot be reached, at once.
                  MYGOV_VOICE_ASR_KA="google", MYGOV_VOICE_GOOGLE_KEY="operator-test-key",
                  MYGOV_VOICE_GOOGLE_ENDPOINT=f"http://127.0.0.1:{free_port()}/recognize")
    try:
        yield Messengers(stack.start(), telegram, graph)
    finally:
        stack.stop()
        telegram.stop()
        graph.stop()


def test_the_webhook_is_registered_with_a_secret_and_updates_without_it_are_refused(messengers: Messengers) -> None:
    assert messengers.webhook_url == "https://bot.example.ge/webhooks/telegram/webhook"
    assert len(messengers.secret) >= 32
    user = messengers.telegram_user()
    for wrong in ("", "not-the-secret"):
        response, calls = user.post({"message": user.message(text="my messages")}, secret=wrong)
        assert response.status_code == 403 and calls == []


def test_a_citizen_links_telegram_with_a_portal_code_reads_the_inbox_and_unlinks(messengers: Messengers) -> None:
    user = messengers.telegram_user()
    before = messengers.telegram.sent_texts(user.says("my messages"))
    assert TEXTS["link_needed"]["en"] in before

    code = messengers.link_code(GIORGI)
    linked = messengers.telegram.sent_texts(user.says(code))
    assert linked == ["This account is now linked to Giorgi; here I will act for you. To undo it, send /unlink."]

    inbox = messengers.telegram.sent_texts(user.says("my messages"))
    assert "Unread messages: 2, 2 in all. Shall I read them?" in inbox
    links = messengers.portal.http.get("/v1/messenger-links", headers=messengers.portal.login(GIORGI)).json()["links"]
    assert [link["platform"] for link in links] == ["telegram"]

    again = messengers.telegram.sent_texts(user.says(code))  # single use
    assert again[0].startswith("That link code did not work")

    assert messengers.telegram.sent_texts(user.says("/unlink"))[0].startswith("This account is unlinked.")
    after = messengers.telegram.sent_texts(user.says("my messages"))
    assert TEXTS["link_needed"]["en"] in after and not any("Unread" in text for text in after)
    assert messengers.portal.http.get("/v1/messenger-links", headers=messengers.portal.login(GIORGI)).json()["links"] == []
    assert code not in messengers.logs()  # codes are never logged, by any part


def test_unlinking_on_the_portal_ends_the_bots_access(messengers: Messengers) -> None:
    user = messengers.telegram_user()
    user.says(messengers.link_code(ANA))
    assert any("There are no messages" in t for t in messengers.telegram.sent_texts(user.says("my messages")))
    headers = messengers.portal.login(ANA)
    link = messengers.portal.http.get("/v1/messenger-links", headers=headers).json()["links"][0]
    assert messengers.portal.http.delete(f"/v1/messenger-links/{link['id']}", headers=headers).status_code == 204
    replies = messengers.telegram.sent_texts(user.says("my messages"))
    assert not any("There are no messages" in text for text in replies)


def test_the_bot_talks_in_private_chats_only(messengers: Messengers) -> None:
    user = messengers.telegram_user()
    group = {**user.message(text="my messages"), "chat": {"id": -100123, "type": "group", "title": "Family"}}
    response, calls = user.post({"message": group})
    assert response.status_code == 200
    assert messengers.telegram.sent_texts(calls) == ["To protect your privacy I only talk in a private chat."]


def test_an_unlinked_user_gets_public_services_only(messengers: Messengers) -> None:
    user = messengers.telegram_user()
    started = messengers.telegram.sent_texts(user.says("/start"))
    assert started[0].startswith("To use your own portal data here, link this account") and TEXTS["greet"]["en"] in started
    tax = messengers.telegram.sent_texts(user.says("how much tax do I owe?"))
    assert TEXTS["link_needed"]["en"] in tax and not any("125" in text for text in tax)
    assert not any("personal number" in text.lower() for text in tax)  # no PIN login inside a messenger chat
    public = " ".join(messengers.telegram.sent_texts(user.says("how much does a passport cost?")))
    assert "passport" in public.lower() and TEXTS["link_needed"]["en"] not in public


def test_wrong_link_codes_are_counted_and_locked(messengers: Messengers) -> None:
    user = messengers.telegram_user()
    replies = [messengers.telegram.sent_texts(user.says(f"1234 567{n}"))[0] for n in range(5)]
    assert "4 attempts left" in replies[0] and "1 attempts left" in replies[3]
    assert "locked" in replies[4]
    good = messengers.link_code(GIORGI)
    assert "locked" in messengers.telegram.sent_texts(user.says(good))[0]  # even a right code, while locked


def test_a_superseded_or_expired_code_is_refused(messengers: Messengers, tmp_path: Path) -> None:
    user = messengers.telegram_user()
    first = messengers.link_code(GIORGI)
    messengers.link_code(GIORGI)  # one live code per citizen: the first stops working
    assert messengers.telegram.sent_texts(user.says(first))[0].startswith("That link code did not work")

    from tests.servers import portal_process

    with portal_process(tmp_path, messenger_link_code_ttl_seconds="0", messenger_channel_key="channel-key") as base:
        portal = Portal(base, tmp_path)
        code = portal.http.post("/v1/messenger-links/codes", headers=portal.login(GIORGI)).json()["code"]
        attempt = {"code": code, "platform": "telegram", "account": "1"}
        not_a_channel = portal.http.post("/v1/messenger-links/redeem", json=attempt)
        assert not_a_channel.status_code == 403  # guesses from outside the channels are not even counted
        channel = {"X-Channel-Key": "channel-key"}
        expired = portal.http.post("/v1/messenger-links/redeem", json=attempt, headers=channel)
        assert expired.status_code == 401 and expired.json()["error"]["code"] == "wrong_secret"
        forged = portal.http.post("/v1/messenger-links/token", json={"link_id": "x", "link_secret": "y"}, headers=channel)
        assert forged.status_code == 401


def _speech_in(note: bytes) -> float:
    """Seconds of the decoded voice note, after checking it holds sound and not silence."""
    audio = compressed.decode(note)
    assert float(np.sqrt(np.mean(audio.samples.astype(np.float64) ** 2))) > 300
    return audio.duration


def test_an_english_voice_note_is_recognised_and_answered_in_text_and_voice_at_the_users_rate(messengers: Messengers) -> None:
    user = messengers.telegram_user("en")
    note = compressed.encode_ogg_opus(user_says("help"))
    calls = user.records(note)
    assert [c.method for c in calls][:2] == ["getFile", "sendMessage"]
    texts = messengers.telegram.sent_texts(calls)
    assert texts[0] == "I heard: help" and TEXTS["help"]["en"] in texts
    voice = [c for c in calls if c.method == "sendVoice"]
    assert len(voice) == 1 and voice[0].files["voice"][:4] == b"OggS"
    normal = _speech_in(voice[0].files["voice"])

    assert TEXTS["slower"]["en"] in messengers.telegram.sent_texts(user.says("slower"))
    slower = [c for c in user.records(note) if c.method == "sendVoice"][0]
    assert _speech_in(slower.files["voice"]) > normal * 1.08  # 150 instead of 175 words a minute


def test_a_georgian_voice_note_without_the_online_recogniser_gets_a_clear_answer(messengers: Messengers) -> None:
    user = messengers.telegram_user("ka")
    calls = user.records(compressed.encode_ogg_opus(user_says("გამარჯობა", voice="ka")))
    assert messengers.telegram.sent_texts(calls) == [PROMPTS["unavailable"]["ka"]]
    assert [c.method for c in calls].count("sendVoice") == 1


def test_options_come_as_an_inline_keyboard_with_the_numbered_text(messengers: Messengers) -> None:
    user = messengers.telegram_user()
    calls = user.says("certificate")
    with_keyboard = [c for c in calls if c.method == "sendMessage" and c.params.get("reply_markup")]
    assert with_keyboard, messengers.telegram.sent_texts(calls)
    text = with_keyboard[0].params["text"]
    rows = messengers.telegram.keyboard(with_keyboard[0])["inline_keyboard"]
    assert text.startswith("1: ") and "Say or type the number." in text
    assert [row[0]["callback_data"] for row in rows] == [str(n) for n in range(1, len(rows) + 1)]
    tapped = user.taps("1")
    assert tapped[0].method == "answerCallbackQuery" and messengers.telegram.sent_texts(tapped)


def test_messenger_checks_the_signature_and_serves_a_linked_citizen(messengers: Messengers) -> None:
    user = messengers.messenger_user()
    payload = user.event({"mid": "m_forged", "text": "my messages"})
    for signature in ("", "sha256=" + "0" * 64, "md5=abc"):
        response, calls = user.post(payload, signature=signature)
        assert response.status_code == 403 and calls == []
    challenge = user.http.get(user.webhook, params={"hub.mode": "subscribe", "hub.verify_token": FB_VERIFY,
                                                    "hub.challenge": "1158201444"})
    assert challenge.text == "1158201444"
    assert user.http.get(user.webhook, params={"hub.mode": "subscribe", "hub.verify_token": "wrong",
                                               "hub.challenge": "1"}).status_code == 403

    assert TEXTS["link_needed"]["en"] in GraphAPI.texts(user.says("my messages"))
    assert GraphAPI.texts(user.says(messengers.link_code(GIORGI)))[0].startswith("This account is now linked to Giorgi")
    assert "Unread messages: 2, 2 in all. Shall I read them?" in GraphAPI.texts(user.says("my messages"))


def test_messenger_options_come_as_quick_replies(messengers: Messengers) -> None:
    user = messengers.messenger_user()
    user.says("hello")  # Messenger tells nothing of the user's language: their words do
    calls = user.says("certificate")
    chips = [c.params["message"] for c in calls if c.method == "message" and "quick_replies" in c.params["message"]]
    assert chips and chips[0]["text"].startswith("1: ")
    assert [q["payload"] for q in chips[0]["quick_replies"]] == [str(n) for n in range(1, len(chips[0]["quick_replies"]) + 1)]
    assert all(len(q["title"]) <= 20 for q in chips[0]["quick_replies"])
    assert GraphAPI.texts(user.taps(chips[0]["quick_replies"][0]["title"], "1"))


def test_a_messenger_voice_message_is_recognised_and_answered_in_text(messengers: Messengers) -> None:
    user = messengers.messenger_user()
    user.says("hello")
    texts = GraphAPI.texts(user.records(compressed.encode_ogg_opus(user_says("help"))))
    assert texts[0] == "I heard: help" and TEXTS["help"]["en"] in texts


def test_a_pin_typed_into_a_messenger_is_sealed_before_rasa_stores_it(messengers: Messengers) -> None:
    import sqlite3

    user = messengers.telegram_user()
    user.says("86420")
    tracker = Path(messengers.stack.env["MYGOV_DATA_DIR"]) / "rasa_tracker.sqlite3"
    with sqlite3.connect(tracker) as db:
        texts = [row[0] for row in db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'",
                                              (f"telegram:{user.user['id']}",))]
    assert texts and all("86420" not in text for text in texts) and any('"[PIN]"' in text for text in texts)


def test_knowing_a_linked_account_id_gives_no_access_through_another_channel(messengers: Messengers) -> None:
    telegram, messenger = messengers.telegram_user(), messengers.messenger_user()
    telegram.says(messengers.link_code(GIORGI))
    messenger.says(messengers.link_code(GIORGI))
    assert "Unread messages: 2" in " ".join(messengers.telegram.sent_texts(telegram.says("my messages")))
    assert "Unread messages: 2" in " ".join(GraphAPI.texts(messenger.says("my messages")))
    ids = (str(telegram.user["id"]), f"telegram:{telegram.user['id']}", messenger.psid, f"facebook:{messenger.psid}")
    for sender in ids:  # a trusted back end's REST call names the account
        rest = messengers.stack.conversation()
        rest.sender = sender
        answer = rest.say("my messages")
        assert "Unread" not in answer and "log in" in answer
