"""Hosted telephony: a Rasa channel for Twilio Media Streams, so an operator without a PBX can connect
a phone number. Twilio calls ``POST /webhooks/twilio_media/voice``; we answer with TwiML
``<Connect><Stream>``, and Twilio opens a websocket to ``/webhooks/twilio_media/stream`` carrying
JSON messages: ``connected``, ``start``, ``media`` (base64 G.711 mu-law, 8 kHz), ``dtmf``, ``mark``,
``stop``; we send ``media``, ``mark`` and ``clear`` back.

The call itself is the same conversation as on the SIP line (voice/phone/call.py: keypad menu,
barge-in, silence, the call-length limit with its spoken notice, Georgian by default), with our own
ASR and TTS; only the media transport differs. Messages go to Rasa inside this process, through the
same guard as every channel (assistant/channels/guard.py), as conversation ``twilio:<random>``.

Who may call: only Twilio. The voice webhook checks X-Twilio-Signature with ``twilio_auth_token``
(no token configured: every call is refused) and hands out a one-time stream token, short-lived and
bound to the CallSid, as a ``<Parameter>`` of the stream (Twilio returns it in ``start``); a stream
without an unused token is closed. ``phone_max_calls`` counts streams running and tokens handed out;
over it the webhook answers ``<Reject reason="busy"/>``, as the SIP line answers 486. Neither the
CallSid nor a token is logged or kept in clear (voice/phone/pseudonym.py)."""
from __future__ import annotations

import asyncio
import audioop
import base64
import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid
from typing import Any, Callable, Optional
from xml.sax.saxutils import quoteattr

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from assistant.channels.guard import Handler, guarded
from basics.reply_hints import Reply, reply_from
from basics.settings import Settings, get_settings

log = logging.getLogger("mygov.phone")
CHUNK_BYTES = 160  # 20 ms of mu-law at 8 kHz per media message
MAX_MESSAGE_CHARS = 65536  # a media message is about 300 characters; anything far bigger is refused
TOKEN_SECONDS = 60.0  # Twilio opens the stream right after our TwiML; a token unused by then is void
START_SECONDS = 10.0  # a websocket must show its token (the ``start`` message) this soon
BUSY = '<?xml version="1.0" encoding="UTF-8"?><Response><Reject reason="busy" /></Response>'


def twilio_signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    """X-Twilio-Signature as Twilio computes it: HMAC-SHA1 over the URL and the sorted POST parameters."""
    data = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    return base64.b64encode(hmac.new(auth_token.encode(), data.encode("utf-8", "surrogatepass"),
                                     hashlib.sha1).digest()).decode()


def signed_by_twilio(auth_token: str, url: str, params: dict[str, str], signature: str) -> bool:
    """True only with a token configured and the signature Twilio would make for this URL and form."""
    if not auth_token:
        return False
    expected = twilio_signature(auth_token, url, params)
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "surrogatepass"))


class StreamTokens:
    """One-time tokens for the stream, each bound to the CallSid whose webhook it answered."""

    def __init__(self, seconds: float = TOKEN_SECONDS) -> None:
        self.seconds = seconds
        self._issued: dict[str, tuple[float, str]] = {}  # token -> (deadline, CallSid)

    def issue(self, call_sid: str) -> str:
        token = secrets.token_urlsafe(32)
        self._issued[token] = (time.monotonic() + self.seconds, call_sid)
        return token

    def redeem(self, token: str, call_sid: str) -> bool:
        """True once for a token issued for this call and not yet expired; it is spent either way."""
        deadline, issued_for = self._issued.pop(token, (0.0, ""))
        return time.monotonic() < deadline and hmac.compare_digest(issued_for.encode(), call_sid.encode())

    @property
    def outstanding(self) -> int:
        """Tokens handed out and still usable: calls about to start."""
        now = time.monotonic()
        for token in [t for t, (deadline, _) in self._issued.items() if deadline <= now]:
            del self._issued[token]
        return len(self._issued)


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

    def send(self, text: str, lang: str, keypad: bool = False) -> Reply:
        """Called from a worker thread (PhoneCall runs turns off the event loop)."""
        out = CollectingOutputChannel()
        metadata = {"channel": "phone", "language": lang, **({"input": "keypad"} if keypad else {})}
        message = UserMessage(text, out, self.sender, input_channel=TwilioMediaInput.name(), metadata=metadata)
        async def turn() -> None:
            await self.handler(message)

        asyncio.run_coroutine_threadsafe(turn(), self.loop).result(timeout=120)
        return reply_from(out.messages)

    def close(self) -> None:
        """Nothing to release: the turns run inside this Rasa process."""


class TwilioMediaInput(InputChannel):
    """Settings: ``twilio_auth_token`` (required: without it every call is refused), ``twilio_public_url``
    (the https base URL Twilio calls; signatures cover the exact URL, which a TLS proxy changes),
    ``phone_max_calls``. Credentials (credentials.yml): ``stream_url``, the public wss:// URL of /stream
    (default: derived from the public URL, else from the request)."""

    @classmethod
    def name(cls) -> str:
        return "twilio_media"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> "TwilioMediaInput":
        return cls((credentials or {}).get("stream_url") or "")

    def __init__(self, stream_url: str = "") -> None:
        self.stream_url = stream_url
        self.tokens = StreamTokens()
        self.active = 0  # streams running now
        self._parts: Any = None  # (Listener, Speaker, Pseudonyms), made at the first call
        self._warned = False

    def _call_parts(self, settings: Settings) -> Any:
        if self._parts is None:
            from voice.listener import Listener
            from voice.phone.pseudonym import Pseudonyms
            from voice.speaker import Speaker
            self._parts = (Listener(settings), Speaker.from_settings(settings), Pseudonyms(settings))
        return self._parts

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        handler = guarded(on_new_message)
        blueprint = Blueprint("twilio_media_webhook", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> Any:
            return response.json({"status": "ok"})

        @blueprint.route("/voice", methods=["POST"])
        async def voice(request: Request) -> Any:
            return self._answer(request, get_settings())

        @blueprint.websocket("/stream")
        async def stream(request: Request, ws: Any) -> None:
            await self._stream(ws, handler, get_settings())

        return blueprint

    def _answer(self, request: Request, settings: Settings) -> Any:
        """The voice webhook: 403 unless Twilio signed it; busy when the line is full; else the stream."""
        params = {key: values[0] for key, values in (request.form or {}).items()}
        if not settings.twilio_auth_token and not self._warned:
            self._warned = True
            log.warning("Twilio call refused: set MYGOV_TWILIO_AUTH_TOKEN to accept calls")
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signed_by_twilio(settings.twilio_auth_token, _signed_url(request, settings), params, signature):
            return response.text("invalid signature", status=403)
        if self.active + self.tokens.outstanding >= settings.phone_max_calls:
            log.info("Twilio call refused: the line is full (%d calls)", settings.phone_max_calls)
            return response.text(BUSY, content_type="text/xml")
        token = self.tokens.issue(params.get("CallSid", ""))
        twiml = (f'<?xml version="1.0" encoding="UTF-8"?><Response><Connect>'
                 f"<Stream url={quoteattr(self._stream_url(request, settings))}>"
                 f'<Parameter name="token" value={quoteattr(token)} /></Stream></Connect></Response>')
        return response.text(twiml, content_type="text/xml")

    def _stream_url(self, request: Request, settings: Settings) -> str:
        if self.stream_url:
            return self.stream_url
        base = settings.twilio_public_url.rstrip("/") or f"{request.scheme}://{request.host}"
        scheme, rest = base.split("://", 1)
        secure = scheme in ("https", "wss")
        return f"{'wss' if secure else 'ws'}://{rest}{request.path.rsplit('/', 1)[0]}/stream"

    async def _stream(self, ws: Any, handler: Handler, settings: Settings) -> None:
        """One Media Stream: admitted by its token, counted while it runs."""
        start = await _start_of(ws)
        details = start["start"] if start else {}
        parameters = details.get("customParameters")
        token = str(parameters.get("token", "")) if isinstance(parameters, dict) else ""
        if not (token and self.tokens.redeem(token, str(details.get("callSid", "")))):
            log.info("refused a media stream without a valid one-time token")
            await ws.close(code=1008, reason="not admitted")
            return
        self.active += 1
        try:
            await self._call(ws, handler, settings, start)  # type: ignore[arg-type]
        finally:
            self.active -= 1

    async def _call(self, ws: Any, handler: Handler, settings: Settings, start: dict) -> None:
        """Run the phone conversation until ``stop``, the caller leaving, or the conversation's end."""
        from voice.phone.call import CallRecord, PhoneCall
        from voice.talk import TalkSession

        details = start.get("start") or {}
        loop = asyncio.get_running_loop()
        outgoing: asyncio.Queue[dict] = asyncio.Queue()
        media = StreamMedia(outgoing.put_nowait, str(start.get("streamSid") or details.get("streamSid") or ""))
        sender = f"twilio:{uuid.uuid4().hex}"
        listener, speaker, pseudonym = self._call_parts(settings)
        session = TalkSession(settings, InProcessAssistant(handler, loop, sender), settings.phone_language,
                              listener=listener, speaker=speaker)
        transcript = CallRecord.new(settings, pseudonym(str(details.get("callSid", ""))), "twilio")
        transcript.data.update({"codec": "PCMU", "transport": "twilio_media", "conversation": pseudonym(sender)})
        call = PhoneCall.from_settings(session, media, transcript, settings)  # type: ignore[arg-type]
        sender_task = loop.create_task(_send_all(ws, outgoing))
        conversation = loop.create_task(call.run_for(settings.phone_max_call_seconds))
        conversation.add_done_callback(lambda _: outgoing.put_nowait({"close": True}))
        how = "caller"
        try:
            while True:
                raw = await ws.recv()
                if raw is None:
                    break
                message = _parse(raw)
                if message is None:
                    continue
                if message.get("event") == "stop":
                    break
                media.received(message)
        except Exception as exc:  # noqa: BLE001 - a broken stream ends this call only
            log.info("media stream closed: %s", type(exc).__name__)
        finally:
            if conversation.done() and not conversation.cancelled():
                how = "error" if conversation.exception() else conversation.result()
            else:
                conversation.cancel()
            sender_task.cancel()
            transcript.end(how)


def _signed_url(request: Request, settings: Settings) -> str:
    """The URL Twilio signed: the public base URL and this path when configured, else the request's."""
    if not settings.twilio_public_url:
        return request.url
    query = f"?{request.query_string}" if request.query_string else ""
    return f"{settings.twilio_public_url.rstrip('/')}{request.path}{query}"


async def _start_of(ws: Any) -> dict | None:
    """The ``start`` message, after at most a ``connected``; None for anything else or nothing in time."""
    async def first_start() -> dict | None:
        while True:
            raw = await ws.recv()
            message = _parse(raw) if raw is not None else None
            kind = message.get("event") if message else None
            if kind == "start" and isinstance(message.get("start"), dict):  # type: ignore[union-attr]
                return message
            if kind != "connected":
                return None

    try:
        return await asyncio.wait_for(first_start(), START_SECONDS)
    except Exception:  # noqa: BLE001 - timed out, or the socket closed: not admitted
        return None


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
