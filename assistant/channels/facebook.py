"""Facebook Messenger through Rasa's own channel, configured from settings, with what Rasa's lacks:

- the Graph API URL is a setting (``facebook_api_url``), so a test stand-in can take the Send API calls;
- sending is asynchronous (httpx): fbmessenger's blocking ``requests`` calls would stall every
  conversation in the Rasa process while Facebook answers;
- the webhook signature is required: ``X-Hub-Signature-256`` (or the older ``X-Hub-Signature``),
  compared in constant time, only sha256/sha1 (Rasa's looks the algorithm name up in hashlib);
- every messaging event of a batch is handled (Rasa's handles the first only); echoes are ignored;
- account linking, the linked citizen's token, sealed PINs (assistant/channels/messengers.py);
- buttons as quick replies (up to 13), with the numbered text kept in the message; voice messages
  (audio attachments) are recognised and answered in text.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any, Awaitable, Callable, Iterable

import httpx
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.facebook import FacebookInput as RasaFacebookInput
from rasa.core.channels.facebook import MessengerBot as RasaMessengerBot
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from assistant.channels.messengers import MessengerTurns
from assistant.channels.replies import reply
from basics.settings import Settings, get_settings

log = logging.getLogger(__name__)

QUICK_REPLIES_MAX, QUICK_REPLY_TITLE_MAX, TEXT_MAX = 13, 20, 2000
AUDIO_MAX_BYTES = 2 * 1024 * 1024
_ALGORITHMS = {"sha256": hashlib.sha256, "sha1": hashlib.sha1}


def signature_valid(app_secret: str, body: bytes, headers: Any) -> bool:
    """True when the body was signed with the app secret (X-Hub-Signature-256 preferred)."""
    header = headers.get("X-Hub-Signature-256") or headers.get("X-Hub-Signature") or ""
    algorithm, _, signature = header.partition("=")
    digest = _ALGORITHMS.get(algorithm.lower())
    if not app_secret or digest is None or not signature:
        return False
    expected = hmac.new(app_secret.encode(), body, digest).hexdigest()
    return hmac.compare_digest(expected, signature.lower())


def _title(text: str) -> str:
    return text if len(text) <= QUICK_REPLY_TITLE_MAX else text[: QUICK_REPLY_TITLE_MAX - 1] + "…"


class MessengerBot(RasaMessengerBot):
    """The Send API (POST {graph}/me/messages) without blocking the event loop."""

    def __init__(self, page_token: str, api_url: str, timeout: float = 10.0) -> None:
        self.page_token, self.api_url = page_token, api_url.rstrip("/")
        self.http = httpx.AsyncClient(timeout=timeout, trust_env=False)

    async def _post(self, body: dict[str, Any]) -> None:
        reply_ = await self.http.post(f"{self.api_url}/me/messages", params={"access_token": self.page_token}, json=body)
        if reply_.is_error:
            log.error("the Send API refused a message: HTTP %d", reply_.status_code)

    async def _message(self, recipient_id: str, message: dict[str, Any]) -> None:
        await self._post({"recipient": {"id": recipient_id}, "messaging_type": "RESPONSE", "message": message})

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in text.strip().split("\n\n"):
            for start in range(0, len(part), TEXT_MAX):
                await self._message(recipient_id, {"text": part[start:start + TEXT_MAX]})

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any) -> None:
        """Buttons become quick replies: the whole numbered text stays in the message."""
        await self.send_quick_replies(recipient_id, text, buttons)

    async def send_quick_replies(self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any) -> None:
        chips = [{"content_type": "text", "title": _title(str(b["title"])), "payload": str(b.get("payload", b["title"]))}
                 for b in quick_replies[:QUICK_REPLIES_MAX]]
        await self._message(recipient_id, {"text": text[:TEXT_MAX], "quick_replies": chips})

    async def send_action(self, recipient_id: str, sender_action: str) -> None:
        await self._post({"recipient": {"id": recipient_id}, "sender_action": sender_action})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._message(recipient_id, {"attachment": {"type": "image", "payload": {"url": image, "is_reusable": True}}})

    async def send_elements(self, recipient_id: str, elements: Iterable[dict[str, Any]], **kwargs: Any) -> None:
        elements = list(elements)
        for element in elements:
            self._add_postback_info(element.get("buttons", []))
        await self._message(recipient_id, {"attachment": {"type": "template",
                                                          "payload": {"template_type": "generic", "elements": elements}}})

    async def send_custom_json(self, recipient_id: str, json_message: Any, **kwargs: Any) -> None:
        await self._message(recipient_id, json_message)


class FacebookInput(RasaFacebookInput):
    @classmethod
    def name(cls) -> str:
        return "facebook"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "FacebookInput":
        """Rasa's keys (verify, secret, page-access-token) when given, else settings."""
        settings, given = get_settings(), credentials or {}
        page_token = given.get("page-access-token") or settings.facebook_page_token
        secret = given.get("secret") or settings.facebook_app_secret
        if not page_token or not secret:
            raise ValueError("Facebook Messenger needs the page access token and the app secret: set "
                             "MYGOV_FACEBOOK_PAGE_TOKEN and MYGOV_FACEBOOK_APP_SECRET (see docs/configuration.md).")
        return cls(given.get("verify") or settings.facebook_verify_token, secret, page_token,
                   api_url=given.get("api_url") or settings.facebook_api_url, settings=settings)

    def __init__(self, fb_verify: str, fb_secret: str, fb_access_token: str,
                 api_url: str = "https://graph.facebook.com/v19.0", settings: Settings | None = None) -> None:
        super().__init__(fb_verify, fb_secret, fb_access_token)
        self.api_url = api_url
        self.settings = settings or get_settings()

    def get_output_channel(self) -> MessengerBot:
        return MessengerBot(self.fb_access_token, self.api_url)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        facebook = Blueprint("mygov_facebook", __name__)
        turns = MessengerTurns("facebook", self.settings)
        out = self.get_output_channel()

        @facebook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @facebook.route("/webhook", methods=["GET"])
        async def verification(request: Request) -> HTTPResponse:
            given = request.args.get("hub.verify_token") or ""
            if request.args.get("hub.mode") == "subscribe" and self.fb_verify and \
                    hmac.compare_digest(given.encode(), self.fb_verify.encode()):
                return response.text(request.args.get("hub.challenge") or "")
            return response.text("invalid verify token", status=403)

        @facebook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not signature_valid(self.fb_secret, request.body, request.headers):
                log.warning("a Messenger webhook without a valid signature was refused")
                return response.text("invalid signature", status=403)
            payload = request.json or {}
            for entry in payload.get("entry") or []:
                for event in entry.get("messaging") or []:
                    try:
                        await self._handle(event, request, on_new_message, out, turns)
                    except Exception:  # answered 200 all the same: Facebook would only send it again
                        log.exception("a Messenger event could not be handled")
            return response.text("success")

        return facebook

    async def _handle(self, event: dict[str, Any], request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                      out: MessengerBot, turns: MessengerTurns) -> None:
        sender = str((event.get("sender") or {}).get("id") or "")
        message = event.get("message") or {}
        if not sender or message.get("is_echo"):
            return
        agent = request.app.ctx.agent
        text = (message.get("quick_reply") or {}).get("payload") or message.get("text") \
            or (event.get("postback") or {}).get("payload")
        audio = next((a for a in message.get("attachments") or [] if a.get("type") == "audio"), None)
        await out.send_action(sender, "mark_seen")
        if text:
            await turns.take(agent, on_new_message, out, sender, text=text)
        elif audio:
            await turns.take(agent, on_new_message, out, sender, audio=await self._download(audio))
        elif message or event.get("postback"):
            await out.send_text_message(sender, reply("unsupported", await turns.language(agent, sender)))

    async def _download(self, attachment: dict[str, Any]) -> bytes:
        """An audio attachment's bytes from its URL (Facebook's CDN), at most AUDIO_MAX_BYTES."""
        url = (attachment.get("payload") or {}).get("url") or ""
        if not url.startswith(("https://", "http://")):
            return b""
        async with httpx.AsyncClient(timeout=15.0, trust_env=False) as http:
            async with http.stream("GET", url) as streamed:
                data = b""
                async for chunk in streamed.aiter_bytes():
                    data += chunk
                    if len(data) > AUDIO_MAX_BYTES:
                        return b""
                return data
