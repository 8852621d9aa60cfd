"""The messenger channels' parts that need no server: which channels Rasa is given, link-code
recognition, the webhook signature check, and the voice-note codec."""
from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest
import yaml

from assistant.channels.facebook import signature_valid
from assistant.channels.linking import LINK_CODE, UNLINK
from assistant.rasa_runtime import credentials, write_credentials
from basics.settings import load_settings
from tests.conftest import ANA, GIORGI, Portal
from voice import compressed
from voice.audio import AudioError
from voice.synthetic import user_says


def settings(tmp_path: Path, **env: str):
    return load_settings({"MYGOV_SETTINGS_FILE": "/nonexistent.yml", "MYGOV_DATA_DIR": str(tmp_path), **env})


def test_messenger_channels_are_given_to_rasa_only_when_configured_and_without_their_secrets(tmp_path: Path) -> None:
    plain = credentials(settings(tmp_path))
    assert not any("telegram" in name or "facebook" in name for name in plain)
    configured = settings(tmp_path, MYGOV_TELEGRAM_TOKEN="1:secret-token", MYGOV_FACEBOOK_PAGE_TOKEN="page-secret",
                          MYGOV_FACEBOOK_APP_SECRET="app-secret")
    written = write_credentials(configured).read_text()
    channels = yaml.safe_load(written)
    assert "assistant.channels.telegram.TelegramInput" in channels and "assistant.channels.facebook.FacebookInput" in channels
    assert set(plain) <= set(channels)  # the channels of credentials.yml stay
    assert "secret" not in written


@pytest.mark.parametrize("text, code", [("48213907", "48213907"), ("4821 3907", "4821 3907"), ("4821-3907", "4821-3907"),
                                        ("/start 48213907", "48213907"), ("/link 4821 3907", "4821 3907")])
def test_link_codes_are_recognised(text: str, code: str) -> None:
    match = LINK_CODE.fullmatch(text)
    assert match and match.group(1) == code


@pytest.mark.parametrize("text", ["2468", "01024054321", "my code is 48213907", "555123456", "482139071"])
def test_pins_personal_numbers_and_sentences_are_not_link_codes(text: str) -> None:
    assert LINK_CODE.fullmatch(text) is None


def test_unlink_command() -> None:
    assert UNLINK.fullmatch("/unlink") and UNLINK.fullmatch("/unlink@mygov_bot") and not UNLINK.fullmatch("unlink me")


def test_the_webhook_signature_needs_the_app_secret() -> None:
    body = b'{"object":"page"}'
    sha256 = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    sha1 = "sha1=" + hmac.new(b"s3cret", body, hashlib.sha1).hexdigest()
    assert signature_valid("s3cret", body, {"X-Hub-Signature-256": sha256})
    assert signature_valid("s3cret", body, {"X-Hub-Signature": sha1})
    assert not signature_valid("other", body, {"X-Hub-Signature-256": sha256})
    assert not signature_valid("s3cret", body + b" ", {"X-Hub-Signature-256": sha256})
    assert not signature_valid("s3cret", body, {"X-Hub-Signature": "md5=" + hashlib.md5(body).hexdigest()})
    assert not signature_valid("", body, {"X-Hub-Signature-256": "sha256=" + hmac.new(b"", body, hashlib.sha256).hexdigest()})
    assert not signature_valid("s3cret", body, {})


def test_voice_notes_are_what_telegram_plays_and_garbage_is_refused() -> None:
    speech = user_says("help")
    note = compressed.encode_ogg_opus(speech)
    assert note[:4] == b"OggS" and b"OpusHead" in note[:200]  # sendVoice takes OGG with Opus only
    assert abs(compressed.decode(note).duration - speech.duration) < 0.05
    with pytest.raises(AudioError):
        compressed.decode(b"not audio at all" * 20)
    with pytest.raises(AudioError):
        compressed.decode(note, max_seconds=0.2)


def test_the_portal_links_an_account_issues_tokens_for_it_and_revokes_them_on_unlinking(portal: Portal) -> None:
    """On SQLite and PostgreSQL (the `portal` fixture): the link endpoints as a channel calls them."""
    channel = {"X-Channel-Key": settings(portal.data_dir).kept_secret("messenger_channel_key")}
    citizen = portal.login(GIORGI)
    code = portal.http.post("/v1/messenger-links/codes", headers=citizen).json()["code"]
    assert len(code) == 8 and code.isdigit()
    redeemed = portal.http.post("/v1/messenger-links/redeem", headers=channel,
                                json={"code": f"{code[:4]} {code[4:]}", "platform": "facebook", "account": "psid-1"})
    assert redeemed.status_code == 200, redeemed.text
    proof = {k: redeemed.json()[k] for k in ("link_id", "link_secret")}
    issued = portal.http.post("/v1/messenger-links/token", headers=channel, json=proof).json()
    bearer = {"Authorization": f"Bearer {issued['access_token']}"}
    assert issued["method"] == "messenger-link" and portal.http.get("/v1/inbox", headers=bearer).status_code == 200

    link_id = portal.http.get("/v1/messenger-links", headers=citizen).json()["links"][0]["id"]
    assert portal.http.delete(f"/v1/messenger-links/{link_id}", headers=portal.login(ANA)).status_code == 404  # not Ana's
    assert portal.http.delete(f"/v1/messenger-links/{link_id}", headers=citizen).status_code == 204
    assert portal.http.get("/v1/inbox", headers=bearer).status_code == 401  # revoked at once, not in 15 minutes
    assert portal.http.post("/v1/messenger-links/token", headers=channel, json=proof).status_code == 401

    wrong = {"code": "00000000", "platform": "facebook", "account": "psid-guesser"}
    statuses = [portal.http.post("/v1/messenger-links/redeem", headers=channel, json=wrong).status_code for _ in range(6)]
    assert statuses == [401, 401, 401, 401, 423, 423]
