"""The phone line end to end: baresip (a real SIP phone from Debian) calls `assistant phone`, which
talks to the real assistant (portal + actions + Rasa). Keys are RFC 2833 telephone events.

The greeting is Georgian, and no offline Georgian recogniser exists (docs/phone.md), so "heard" is
proven by comparing what the caller recorded with the same sentences synthesised here: the
normalised cross-correlation of the two waveforms and their lengths."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest

from tests.conftest import GIORGI, PHONE_PINS, Portal
from tests.phone_caller import Baresip, PhoneLine, best_match, expected_greeting, wait_for
from tests.stack import Stack
from voice.audio import read_wav

pytestmark = pytest.mark.e2e

RATE = 400  # words per minute: the fast speech many blind callers choose, and short tests


@pytest.fixture(scope="module")
def line(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PhoneLine]:
    phone = PhoneLine({**stack.env, "MYGOV_VOICE_RATE": str(RATE)}, tmp_path_factory.mktemp("phone-logs"),
                      phone_silence_seconds="30").start()
    yield phone
    assert phone.stop() == 0


def events(transcript: dict | None, kind: str) -> list[dict]:
    return [e for e in (transcript or {}).get("events", []) if e["kind"] == kind]


def replies_after(line: PhoneLine, caller: Baresip, count: int) -> list[dict]:
    """Wait until the call's transcript holds ``count`` assistant replies; return them."""
    return wait_for(f"{count} assistant replies", lambda: (lambda r: r if len(r) >= count else None)(
        events(line.transcript_of(caller), "assistant")), 90)  # type: ignore[return-value]


def test_a_caller_hears_the_greeting_logs_in_on_the_keypad_and_gets_the_tax_debt_and_a_callback(
        stack: Stack, line: PhoneLine, tmp_path: Path) -> None:
    portal = Portal(stack.settings.portal_base_url, Path(stack.env["MYGOV_DATA_DIR"]))

    def callbacks() -> int:
        return len(portal.http.get("/v1/callback-requests", headers=portal.login(GIORGI)).json()["callback_requests"])

    before = callbacks()  # the stack is shared with other modules
    caller = Baresip(tmp_path, "giorgi")
    try:
        caller.dial(line.uri)
        wait_for("the greeting to play to its end", lambda: events(line.transcript_of(caller), "played"), 60)
        caller.keys("2")  # tax debt: the assistant first asks who is calling
        asked = replies_after(line, caller, 1)[-1]
        assert asked["asks"] and asked["lang"] == "ka"
        caller.keys(GIORGI + "#")
        asked = replies_after(line, caller, 2)[-1]
        assert asked["asks"]  # the phone PIN, on the keypad
        caller.keys(PHONE_PINS[GIORGI] + "#")
        debt = replies_after(line, caller, 3)[-1]
        assert "125 ლარი და 40 თეთრი" in " ".join(debt["replies"])
        caller.keys("*")  # star repeats the last answer, here, without asking the assistant again
        wait_for("the answer said again", lambda: any(e["kind"] == "prompt" and "125 ლარი და 40 თეთრი" in e["texts"][0]
                                                      for e in events(line.transcript_of(caller), "prompt")), 30)
        caller.keys("0")  # a person
        handoff = replies_after(line, caller, 4)[-1]
        assert "დაგირეკავთ" in " ".join(handoff["replies"])
        caller.hang_up()
    finally:
        caller.stop()
    transcript = wait_for("the call to end", lambda: (lambda t: t if t and t["state"] == "ended" else None)(
        line.transcript_of(caller)), 30)
    assert transcript["ended_by"] == "caller" and transcript["codec"] == "PCMU"  # type: ignore[index]
    assert callbacks() == before + 1  # the callback request is in the portal, for Giorgi
    # The personal number and the PIN appear in no log and no transcript of the phone line.
    written = line.log.read_text() + "".join(p.read_text() for p in line.calls_dir.glob("*.json"))
    assert GIORGI not in written and not re.search(rf"\b{PHONE_PINS[GIORGI]}\b", written)
    assert not re.search(r"phone-[0-9a-f]{12}", written)  # the conversation is named by a pseudonym only
    assert [e["digits"] for e in events(transcript, "keypad_entry")] == [11, 4]  # type: ignore[arg-type]
    assert events(transcript, "barge_in")  # type: ignore[arg-type]  keys stopped the questions being read
    # The greeting reached the caller: the same speech, the same length.
    recorded = read_wav(caller.recording()).samples.astype(np.float64)
    expected = expected_greeting(stack.env, RATE)
    assert best_match(recorded, expected) > 0.9
    assert len(recorded) > len(expected)


def test_two_calls_at_once_are_two_conversations(line: PhoneLine, tmp_path: Path) -> None:
    first, second = Baresip(tmp_path, "nino"), Baresip(tmp_path, "ana")
    try:
        first.dial(line.uri)
        second.dial(line.uri)
        for caller in (first, second):
            wait_for("the greeting", lambda: events(line.transcript_of(caller), "prompt"), 30)
        first.keys("4")  # help
        second.keys("9")  # English
        help_reply = replies_after(line, first, 1)[-1]
        english = replies_after(line, second, 1)[-1]
        both = [line.transcript_of(c) for c in (first, second)]
        assert all(t and t["state"] == "answered" for t in both)  # both calls were up at the same time
        assert both[0]["conversation"] != both[1]["conversation"]  # type: ignore[index]
        assert help_reply["lang"] == "ka" and english["lang"] == "en"
        assert "English" in " ".join(english["replies"])
        wait_for("the menu in English", lambda: any(e["texts"][0].startswith("For your messages press 1") for e in events(
            line.transcript_of(second), "prompt")), 30)
        first.hang_up()
        second.hang_up()
    finally:
        first.stop()
        second.stop()
