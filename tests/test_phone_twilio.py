"""Hosted telephony: the Twilio Media Streams channel inside the real Rasa server (credentials.yml),
driven by a stand-in for Twilio that sends and expects messages shaped exactly as Twilio's public
documentation shows (docs/phone.md, "Hosted telephony"): the voice webhook answers TwiML
<Connect><Stream>, then `connected`, `start`, `media`, `dtmf`, `mark`, `stop` over the websocket."""
from __future__ import annotations

import asyncio
import audioop
import base64
import json
from pathlib import Path
from typing import Iterator

import httpx
import numpy as np
import pytest
import websockets

from tests.conftest import GIORGI, PHONE_PINS
from tests.phone_caller import best_match, expected_greeting, wait_for
from tests.stack import Stack

RATE = 400
STREAM, CALL, ACCOUNT = "MZ18ad3ab5a668481ce02b83e7395059f0", "CA9a1c5e4b6f2d4e8b9c0a1b2c3d4e5f60", "AC25e16e9a716a4a1786a7c83f58e30482"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(tmp_path_factory.mktemp("twilio-stack"), MYGOV_VOICE_RATE=str(RATE),
                    MYGOV_PHONE_SILENCE_SECONDS="60").start()
    yield running
    running.stop()


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

    async def start(self) -> None:
        await self.send({"event": "connected", "protocol": "Call", "version": "1.0.0"})
        await self.send({"event": "start", "start": {
            "accountSid": ACCOUNT, "streamSid": STREAM, "callSid": CALL, "tracks": ["inbound"],
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}, "customParameters": {}},
            "streamSid": STREAM})

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


def test_the_voice_webhook_answers_twiml_that_connects_a_stream(stack: Stack) -> None:
    reply = httpx.post(f"{stack.settings.rasa_url}/webhooks/twilio_media/voice", data={
        "AccountSid": ACCOUNT, "CallSid": CALL, "From": "+995555123456", "To": "+995322405405", "CallStatus": "ringing",
        "Direction": "inbound", "ApiVersion": "2010-04-01"})
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/xml")
    port = stack.settings.rasa_port
    assert reply.text == ('<?xml version="1.0" encoding="UTF-8"?><Response><Connect>'
                          f'<Stream url="ws://127.0.0.1:{port}/webhooks/twilio_media/stream" /></Connect></Response>')


def test_a_media_stream_call_hears_the_greeting_logs_in_with_keys_and_gets_the_tax_debt(stack: Stack) -> None:
    url = f"ws://127.0.0.1:{stack.settings.rasa_port}/webhooks/twilio_media/stream"

    def replies() -> list[dict]:
        calls = [t for t in transcripts(stack) if t.get("transport") == "twilio_media"]
        return [e for e in calls[-1]["events"] if e["kind"] == "assistant"] if calls else []

    async def call() -> Twilio:
        async with websockets.connect(url) as ws:
            twilio = Twilio(ws)
            await twilio.start()
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
            await twilio.send({"event": "stop", "streamSid": STREAM, "stop": {"accountSid": ACCOUNT, "callSid": CALL}})
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
