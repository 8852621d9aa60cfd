"""Hosted telephony: the Twilio Media Streams channel inside the real Rasa server (credentials.yml),
driven by a stand-in for Twilio that sends and expects messages shaped exactly as Twilio's public
documentation shows (docs/phone.md, "Hosted telephony"): the voice webhook, signed as Twilio signs it
(HMAC-SHA1 over the public URL and the form), answers TwiML <Connect><Stream> with a one-time token as
a <Parameter>, then `connected`, `start` (the token in customParameters), `media`, `dtmf`, `mark`,
`stop` over the websocket. The line takes one call at a time here (phone_max_calls=1)."""
from __future__ import annotations

import asyncio
import audioop
import base64
import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Iterator

import httpx
import numpy as np
import pytest
import websockets

from assistant.channels.twilio_media import TwilioMediaInput, signed_by_twilio, twilio_signature
from basics.settings import load_settings
from tests.conftest import GIORGI, PHONE_PINS
from tests.phone_caller import best_match, expected_greeting, wait_for
from tests.stack import Stack
from voice.audio import PHONE_RATE, resample
from voice.phone.menu import phone_prompt
from voice.speaker import Speaker

pytestmark = pytest.mark.e2e

RATE = 400
STREAM, CALL, ACCOUNT = "MZ18ad3ab5a668481ce02b83e7395059f0", "CA9a1c5e4b6f2d4e8b9c0a1b2c3d4e5f60", "AC25e16e9a716a4a1786a7c83f58e30482"
AUTH_TOKEN = "12345678901234567890123456789012"  # the Twilio account's auth token
PUBLIC = "https://voice.example.ge"  # where Twilio reaches us, through a TLS proxy
VOICE_PATH = "/webhooks/twilio_media/voice"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(tmp_path_factory.mktemp("twilio-stack"), MYGOV_VOICE_RATE=str(RATE),
                    MYGOV_PHONE_SILENCE_SECONDS="60", MYGOV_TWILIO_AUTH_TOKEN=AUTH_TOKEN,
                    MYGOV_TWILIO_PUBLIC_URL=PUBLIC, MYGOV_PHONE_MAX_CALLS="1").start()
    yield running
    running.stop()


def call_form(call: str = CALL) -> dict[str, str]:
    return {"AccountSid": ACCOUNT, "CallSid": call, "From": "+995555123456", "To": "+995322405405",
            "CallStatus": "ringing", "Direction": "inbound", "ApiVersion": "2010-04-01"}


def ring(stack: Stack, call: str = CALL, auth_token: str = AUTH_TOKEN, signed_url: str = PUBLIC + VOICE_PATH,
         signature: str | None = None) -> httpx.Response:
    """Twilio's voice webhook for an incoming call, signed with ``auth_token`` over ``signed_url``."""
    form = call_form(call)
    signature = twilio_signature(auth_token, signed_url, form) if signature is None else signature
    return httpx.post(f"{stack.settings.rasa_url}{VOICE_PATH}", data=form, headers={"X-Twilio-Signature": signature})


def stream_token(reply: httpx.Response) -> str | None:
    """The one-time token of the TwiML's <Stream>; None when the call was turned away (busy)."""
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/xml"), reply.text
    stream = ElementTree.fromstring(reply.text).find("./Connect/Stream")
    if stream is None:
        return None
    assert stream.get("url") == "wss://voice.example.ge/webhooks/twilio_media/stream"
    return next(p.get("value") for p in stream.findall("Parameter") if p.get("name") == "token")


def stream_url(stack: Stack) -> str:
    return f"ws://127.0.0.1:{stack.settings.rasa_port}/webhooks/twilio_media/stream"


def transcripts(stack: Stack) -> list[dict]:
    found = []
    for path in sorted((Path(stack.env["MYGOV_DATA_DIR"]) / "phone-calls").glob("*.json")):
        try:
            found.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError):
            continue
    return found


class Twilio:
    """Twilio's side of one Media Stream, as its documentation describes it."""

    def __init__(self, ws: websockets.WebSocketClientProtocol) -> None:
        self.ws, self.sequence, self.chunk = ws, 0, 0
        self.audio = bytearray()  # mu-law the assistant sent
        self.received: list[dict] = []

    async def send(self, message: dict) -> None:
        if message["event"] != "connected":
            self.sequence += 1
            message = {"event": message["event"], "sequenceNumber": str(self.sequence), **message}
        await self.ws.send(json.dumps(message))

    async def start(self, token: str | None, call: str = CALL) -> None:
        await self.send({"event": "connected", "protocol": "Call", "version": "1.0.0"})
        await self.send({"event": "start", "start": {
            "accountSid": ACCOUNT, "streamSid": STREAM, "callSid": call, "tracks": ["inbound"],
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            "customParameters": {} if token is None else {"token": token}}, "streamSid": STREAM})

    async def admitted(self) -> bool:
        """True when the assistant starts talking on this stream; False when it closes it unheard."""
        try:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), 30))
        except websockets.ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 1008  # policy violation: not admitted
            return False
        assert message["event"] == "media" and message["streamSid"] == STREAM
        return True

    async def stop(self, call: str = CALL) -> None:
        await self.send({"event": "stop", "streamSid": STREAM, "stop": {"accountSid": ACCOUNT, "callSid": call}})

    async def until_closed(self) -> None:
        """Take what is still sent, as Twilio does, until the assistant closes the stream."""
        async def drain() -> None:
            try:
                async for _ in self.ws:
                    pass
            except websockets.ConnectionClosed:
                pass
        await asyncio.wait_for(drain(), 30)

    async def caller_audio(self, frames: int) -> None:
        """The caller's side of the line: 20 ms of mu-law silence per message."""
        for _ in range(frames):
            self.chunk += 1
            await self.send({"event": "media", "media": {"track": "inbound", "chunk": str(self.chunk),
                                                          "timestamp": str(self.chunk * 20),
                                                          "payload": base64.b64encode(b"\xff" * 160).decode()},
                             "streamSid": STREAM})

    async def key(self, digit: str) -> None:
        await self.send({"event": "dtmf", "streamSid": STREAM, "dtmf": {"track": "inbound_track", "digit": digit}})

    async def until(self, what: str, check, timeout: float = 60.0) -> object:
        """Read what the assistant sends until ``check()`` holds."""
        async def loop() -> object:
            while True:
                result = check()
                if result:
                    return result
                try:
                    message = json.loads(await asyncio.wait_for(self.ws.recv(), 0.2))
                except asyncio.TimeoutError:
                    continue
                assert message.get("streamSid") == STREAM, message
                self.received.append(message)
                if message["event"] == "media":
                    self.audio += base64.b64decode(message["media"]["payload"])
        try:
            return await asyncio.wait_for(loop(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"timed out waiting for {what}") from None


def test_only_a_webhook_signed_by_twilio_gets_a_stream(stack: Stack) -> None:
    assert ring(stack, signature="").status_code == 403  # unsigned
    assert ring(stack, auth_token="another account's token").status_code == 403  # forged
    assert ring(stack, signed_url=f"{stack.settings.rasa_url}{VOICE_PATH}").status_code == 403  # not the public URL
    assert not signed_by_twilio("", PUBLIC + VOICE_PATH, call_form(), twilio_signature("", PUBLIC + VOICE_PATH, call_form()))
    # The signature is Twilio's own: the example in Twilio's documentation ("Validating requests").
    example = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234", "From": "+12349013030",
               "To": "+18005551212"}
    assert twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", example) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_a_media_stream_call_hears_the_greeting_logs_in_with_keys_and_gets_the_tax_debt(stack: Stack) -> None:
    url = stream_url(stack)
    token = stream_token(ring(stack))

    def replies() -> list[dict]:
        calls = [t for t in transcripts(stack) if t.get("transport") == "twilio_media"]
        return [e for e in calls[-1]["events"] if e["kind"] == "assistant"] if calls else []

    async def call() -> Twilio:
        async with websockets.connect(url) as ws:
            twilio = Twilio(ws)
            await twilio.start(token)
            await twilio.caller_audio(25)
            # The greeting is three sentences (welcome, menu, the other language's offer), each ending in a mark.
            await twilio.until("the greeting's marks", lambda: sum(m["event"] == "mark" for m in twilio.received) >= 3)
            greeting = bytes(twilio.audio)
            await twilio.key("2")  # while the greeting still plays (no mark echoed yet): barge-in clears it
            await twilio.until("a clear message", lambda: any(m["event"] == "clear" for m in twilio.received))
            await twilio.until("the first question", lambda: len(replies()) >= 1)
            for digit in GIORGI + "#":
                await twilio.key(digit)
            await twilio.until("the PIN question", lambda: len(replies()) >= 2)
            for digit in PHONE_PINS[GIORGI] + "#":
                await twilio.key(digit)
            await twilio.until("the tax debt", lambda: len(replies()) >= 3)
            marks = [m for m in twilio.received if m["event"] == "mark"]
            await twilio.send({"event": "mark", "streamSid": STREAM, "mark": {"name": marks[-1]["mark"]["name"]}})
            await twilio.stop()
            twilio.audio = bytearray(greeting)
            return twilio

    twilio = asyncio.run(call())
    assert replies()[0]["asks"] and replies()[1]["asks"]
    assert "125 ლარი და 40 თეთრი" in " ".join(replies()[2]["replies"])
    recorded = np.frombuffer(audioop.ulaw2lin(bytes(twilio.audio), 2), dtype="<i2").astype(np.float64)
    assert best_match(recorded, expected_greeting(stack.env, RATE)) > 0.9
    outgoing = {m["event"] for m in twilio.received}
    assert outgoing == {"media", "mark", "clear"}
    call_record = [t for t in transcripts(stack) if t.get("transport") == "twilio_media"][-1]
    assert GIORGI not in json.dumps(call_record)
    assert [e["digits"] for e in call_record["events"] if e["kind"] == "keypad_entry"] == [11, 4]
    ended = wait_for("the call to end on Twilio's stop", lambda: [
        t for t in transcripts(stack) if t.get("transport") == "twilio_media" and t["state"] == "ended"], 30)
    assert ended[-1]["ended_by"] == "caller"  # type: ignore[index]
    assert CALL not in json.dumps(call_record) and "twilio:" not in json.dumps(call_record)  # pseudonyms only


async def call_with(stack: Stack, token: str | None, while_up=lambda: None) -> bool:
    """A stream opened with ``token``, as Twilio would; True if the assistant answered it (then
    ``while_up()`` runs and the caller hangs up), False if it was closed unheard."""
    async with websockets.connect(stream_url(stack)) as ws:
        twilio = Twilio(ws)
        await twilio.start(token)
        if not await twilio.admitted():
            return False
        while_up()
        await twilio.stop()
        await twilio.until_closed()
        return True


def free_line_token(stack: Stack) -> str:
    """A token from a signed webhook, once the line has a free place (the last call may still be ending)."""
    return wait_for("the line to be free", lambda: stream_token(ring(stack)), 30)  # type: ignore[return-value]


def test_a_stream_needs_an_unused_token_from_a_signed_webhook(stack: Stack) -> None:
    token = free_line_token(stack)
    assert asyncio.run(call_with(stack, None)) is False  # no token
    assert asyncio.run(call_with(stack, "x" + token[1:])) is False  # a made-up token
    assert asyncio.run(call_with(stack, token)) is True  # the one Twilio was given
    assert asyncio.run(call_with(stack, token)) is False  # used once already


def test_over_the_call_limit_twilio_is_told_busy(stack: Stack) -> None:
    def second_call() -> None:  # while the only place is taken
        busy = ring(stack, call="CA" + "1" * 32)
        assert ElementTree.fromstring(busy.text).find("./Reject").get("reason") == "busy"  # type: ignore[union-attr]

    assert asyncio.run(call_with(stack, free_line_token(stack), second_call)) is True
    assert asyncio.run(call_with(stack, free_line_token(stack))) is True  # the place is free again


class TwilioSocket:
    """Twilio's end of the websocket, in process: what it sends is queued, what it receives is kept."""

    def __init__(self, *messages: dict) -> None:
        self.incoming: asyncio.Queue[str | None] = asyncio.Queue()
        for message in messages:
            self.incoming.put_nowait(json.dumps(message))
        self.sent: list[dict] = []

    async def recv(self) -> str | None:
        return await self.incoming.get()

    async def send(self, data: str) -> None:
        self.sent.append(json.loads(data))

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.incoming.put_nowait(None)


def test_the_call_length_limit_ends_with_the_spoken_notice(tmp_path: Path) -> None:
    """No assistant needed: the limit falls during the greeting, so nothing reaches Rasa."""
    settings = load_settings({"MYGOV_SETTINGS_FILE": str(tmp_path / "none.yml"), "MYGOV_DATA_DIR": str(tmp_path),
                              "MYGOV_PHONE_MAX_CALL_SECONDS": "2", "MYGOV_VOICE_RATE": "450"})
    channel = TwilioMediaInput()
    token = channel.tokens.issue(CALL)
    start = {"event": "start", "streamSid": STREAM, "start": {"callSid": CALL, "streamSid": STREAM,
                                                                "customParameters": {"token": token}}}
    ws = TwilioSocket({"event": "connected"}, start)

    async def no_assistant(message: object) -> None:
        raise AssertionError("nothing should reach the assistant")

    asyncio.run(asyncio.wait_for(channel._stream(ws, no_assistant, settings), 60))
    events = [m["event"] for m in ws.sent]
    assert "clear" in events  # the greeting was cut off ...
    notice = bytearray()  # ... and the last thing sent, after it, is the notice
    for message in ws.sent[len(events) - 1 - events[::-1].index("clear"):]:
        if message["event"] == "media":
            notice += base64.b64decode(message["media"]["payload"])
    expected = resample(Speaker.from_settings(settings).speak(phone_prompt("time_limit", "ka"), "ka", 450), PHONE_RATE)
    heard = np.frombuffer(audioop.ulaw2lin(bytes(notice), 2), dtype="<i2").astype(np.float64)
    assert best_match(heard, expected.samples.astype(np.float64)) > 0.9
    ended = json.loads(next((tmp_path / "phone-calls").glob("*.json")).read_text())
    assert ended["ended_by"] == "time_limit" and channel.active == 0
