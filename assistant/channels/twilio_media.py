"""Hosted telephony: a Rasa channel for Twilio Media Streams, so an operator without a PBX can connect
a phone number. Twilio calls ``POST /webhooks/twilio_media/voice``; we answer with TwiML
``<Connect><Stream>``, and Twilio opens a websocket to ``/webhooks/twilio_media/stream`` carrying
JSON messages: ``connected``, ``start``, ``media`` (base64 G.711 mu-law, 8 kHz), ``dtmf``, ``mark``,
``stop``; we send ``media``, ``mark`` and ``clear`` back.

The call itself is the same conversation as on the SIP line (voice/phone/call.py: keypad menu,
barge-in, silence, Georgian by default), with our own ASR and TTS; only the media transport differs.
Messages go to Rasa inside this process, through the same PIN sealing as the REST channel."""
from __future__ import annotations

import asyncio
import audioop
import base64
import hashlib
import hmac
import json
import logging
import time
import uuid
from typing import Any, Callable, Optional
from xml.sax.saxutils import quoteattr

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from assistant.channels.sealed import Handler, sealing
from assistant.settings import Settings, get_settings

log = logging.getLogger("mygov.phone")
CHUNK_BYTES = 160  # 20 ms of mu-law at 8 kHz per media message
MAX_MESSAGE_CHARS = 65536  # a media message is about 300 characters; anything far bigger is refused


def twilio_signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    """X-Twilio-Signature as Twilio computes it: HMAC-SHA1 over the URL and the sorted POST parameters."""
    data = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    return base64.b64encode(hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()).decode()


class StreamMedia:
    """The Media Streams side of a call, with the interface PhoneCall expects of RTP media: ``play``,
    ``stop_playback`` (sends ``clear``), ``playing_seconds``, and callbacks for audio and keys. Twilio
    buffers what we send and plays it in real time, so the time left is kept from the audio sent."""

    def __init__(self, send: Callable[[dict], None], stream_sid: str) -> None:
        self.send, self.stream_sid = send, stream_sid
        self.early_keys: list[str] = []
        self.on_audio: Callable[[bytes], None] = lambda _: None
        self.on_key: Callable[[str], None] = self.early_keys.append
        self.on_played: Callable[[], None] = lambda: None
        self._ends_at = 0.0
        self._marks = 0
        self._last_mark = ""

    @property
    def playing_seconds(self) -> float:
        return max(0.0, self._ends_at - time.monotonic())

    def play(self, pcm8k: bytes) -> None:
        ulaw = audioop.lin2ulaw(pcm8k, 2)
        for start in range(0, len(ulaw), CHUNK_BYTES):
            self.send({"event": "media", "streamSid": self.stream_sid,
                       "media": {"payload": base64.b64encode(ulaw[start:start + CHUNK_BYTES]).decode()}})
        self._marks += 1
        self._last_mark = f"played-{self._marks}"
        self.send({"event": "mark", "streamSid": self.stream_sid, "mark": {"name": self._last_mark}})
        self._ends_at = max(self._ends_at, time.monotonic()) + len(ulaw) / 8000

    def stop_playback(self) -> bool:
        playing = self.playing_seconds > 0
        if playing:
            self.send({"event": "clear", "streamSid": self.stream_sid})
            self._ends_at = 0.0
        return playing

    def received(self, message: dict) -> None:
        """One message from Twilio after ``start``."""
        kind = message.get("event")
        if kind == "media":
            media = message.get("media") or {}
            if media.get("track", "inbound") in ("inbound", "inbound_track"):
                payload = base64.b64decode(str(media.get("payload", "")), validate=False)[: CHUNK_BYTES * 10]
                if payload:
                    self.on_audio(audioop.ulaw2lin(payload, 2))
        elif kind == "dtmf":
            digit = str((message.get("dtmf") or {}).get("digit", ""))
            if len(digit) == 1 and digit in "0123456789*#ABCD":
                self.on_key(digit)
        elif kind == "mark" and (message.get("mark") or {}).get("name") == self._last_mark:
            self._ends_at = 0.0
            self.on_played()


class InProcessAssistant:
    """What TalkSession needs of the assistant (``send``), answered by this Rasa process itself."""

    def __init__(self, handler: Handler, loop: asyncio.AbstractEventLoop, sender: str) -> None:
        self.handler, self.loop, self.sender = handler, loop, sender

    def send(self, text: str, lang: str, keypad: bool = False) -> list[str]:
        """Called from a worker thread (PhoneCall runs turns off the event loop)."""
        out = CollectingOutputChannel()
        metadata = {"channel": "phone", "language": lang, **({"input": "keypad"} if keypad else {})}
        message = UserMessage(text, out, self.sender, input_channel=TwilioMediaInput.name(), metadata=metadata)
        asyncio.run_coroutine_threadsafe(self.handler(message), self.loop).result(timeout=120)
        return [m["text"] for m in out.messages if m.get("text")]


class TwilioMediaInput(InputChannel):
    """Credentials (credentials.yml): ``auth_token`` (checks X-Twilio-Signature when set) and
    ``stream_url`` (the public wss:// URL of /stream; by default derived from the request)."""

    @classmethod
    def name(cls) -> str:
        return "twilio_media"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> "TwilioMediaInput":
        credentials = credentials or {}
        return cls(credentials.get("auth_token") or "", credentials.get("stream_url") or "")

    def __init__(self, auth_token: str = "", stream_url: str = "") -> None:
        self.auth_token, self.stream_url = auth_token, stream_url
        self._voice: Any = None  # (Listener, Speaker), loaded at the first call

    def _voice_parts(self, settings: Settings) -> Any:
        if self._voice is None:
            from voice.listener import Listener
            from voice.speaker import Speaker
            self._voice = (Listener(settings), Speaker.from_settings(settings))
        return self._voice

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        handler = sealing(on_new_message)
        blueprint = Blueprint("twilio_media_webhook", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> Any:
            return response.json({"status": "ok"})

        @blueprint.route("/voice", methods=["POST"])
        async def voice(request: Request) -> Any:
            params = {key: values[0] for key, values in (request.form or {}).items()}
            if self.auth_token:
                expected = twilio_signature(self.auth_token, request.url, params)
                if not hmac.compare_digest(expected, request.headers.get("X-Twilio-Signature", "")):
                    return response.text("invalid signature", status=403)
            url = self.stream_url or f"{'wss' if request.scheme in ('https', 'wss') else 'ws'}://{request.host}" \
                                     f"{request.path.rsplit('/', 1)[0]}/stream"
            twiml = (f'<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url={quoteattr(url)} />'
                     f"</Connect></Response>")
            return response.text(twiml, content_type="text/xml")

        @blueprint.websocket("/stream")
        async def stream(request: Request, ws: Any) -> None:
            await self._call(ws, handler)

        return blueprint

    async def _call(self, ws: Any, handler: Handler) -> None:
        """One Media Stream: wait for ``start``, then run the phone conversation until ``stop``."""
        from voice.phone.call import PhoneCall, Transcript
        from voice.talk import TalkSession

        settings = get_settings()
        outgoing: asyncio.Queue[dict] = asyncio.Queue()
        media: StreamMedia | None = None
        conversation: asyncio.Task | None = None
        sender_task = asyncio.get_running_loop().create_task(_send_all(ws, outgoing))
        transcript: Transcript | None = None
        how = "caller"
        try:
            while True:
                raw = await ws.recv()
                if raw is None:
                    break
                message = _parse(raw)
                if message is None:
                    continue
                if message.get("event") == "start" and media is None:
                    start = message.get("start") or {}
                    stream_sid = str(message.get("streamSid") or start.get("streamSid") or "")
                    media = StreamMedia(outgoing.put_nowait, stream_sid)
                    sender = f"phone-{uuid.uuid4().hex[:16]}"
                    listener, speaker = self._voice_parts(settings)
                    session = TalkSession(settings, InProcessAssistant(handler, asyncio.get_running_loop(), sender),
                                          settings.phone_language, listener=listener, speaker=speaker)
                    transcript = _transcript(settings, str(start.get("callSid", "")), sender)
                    call = PhoneCall(session, media, transcript, settings.phone_silence_seconds,  # type: ignore[arg-type]
                                     settings.phone_digit_timeout_seconds, settings.voice_vad_mode,
                                     settings.voice_end_of_speech_ms, min(30.0, settings.voice_max_utterance_seconds))
                    conversation = asyncio.get_running_loop().create_task(
                        asyncio.wait_for(call.run(), settings.phone_max_call_seconds))
                    conversation.add_done_callback(lambda _: outgoing.put_nowait({"close": True}))
                elif message.get("event") == "stop":
                    break
                elif media is not None:
                    media.received(message)
        except Exception as exc:  # noqa: BLE001 - a broken stream ends this call only
            log.info("media stream closed: %s", type(exc).__name__)
        finally:
            if conversation is not None and conversation.done() and not conversation.cancelled():
                problem = conversation.exception()
                how = "time_limit" if isinstance(problem, asyncio.TimeoutError) else "error" if problem \
                    else conversation.result()
            elif conversation is not None:
                conversation.cancel()
            sender_task.cancel()
            if transcript is not None:
                transcript.end(how)


async def _send_all(ws: Any, outgoing: "asyncio.Queue[dict]") -> None:
    while True:
        message = await outgoing.get()
        if message.get("close"):
            await ws.close()
            return
        await ws.send(json.dumps(message))


def _parse(raw: Any) -> dict | None:
    """A Twilio message, or None for anything that is not one (binary, huge, not JSON, not an object)."""
    if not isinstance(raw, str) or len(raw) > MAX_MESSAGE_CHARS:
        return None
    try:
        message = json.loads(raw)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None


def _transcript(settings: Settings, call_sid: str, sender: str) -> Any:
    from voice.phone.call import Transcript
    directory = settings.data_dir / "phone-calls" if settings.phone_transcripts else None
    path = None
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{int(time.time())}-{uuid.uuid4().hex[:8]}.json"
    transcript = Transcript(path, hashlib.sha256(call_sid.encode()).hexdigest()[:8], "twilio")
    transcript.data.update({"codec": "PCMU", "transport": "twilio_media", "sender": sender})
    return transcript
