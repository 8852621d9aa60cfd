"""Telegram through Rasa's own channel (aiogram), configured from settings, with what Rasa's lacks:

- the Bot API server URL is a setting (``telegram_api_url``: a local Bot API server, or a test stand-in);
- updates must carry the webhook secret (``X-Telegram-Bot-Api-Secret-Token``, set with setWebhook),
  instead of Rasa's per-update getMe, which proves nothing about the sender of the update;
- private chats only; account linking, the linked citizen's token, sealed PINs (assistant/channels/messengers.py);
- voice notes (OGG/Opus) recognised, and answered with text and a voice note (sendVoice);
- buttons as an inline keyboard, one button a row, with the numbered text kept in the message;
- the webhook is registered when the server has started, in its own event loop (Rasa's calls
  asyncio.run while building the blueprint, leaving aiogram's session on a closed loop).
"""
from __future__ import annotations

import hmac
import io
import logging
from typing import Any, Awaitable, Callable

from aiogram import Bot
from aiogram.bot.api import TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.core.channels.telegram import TelegramOutput as RasaTelegramOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from assistant.channels.messengers import MessengerTurns
from assistant.channels.replies import reply
from basics.settings import Settings, get_settings
from voice.prompts import prompt

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CALLBACK_DATA_MAX = 64  # bytes, the Bot API's limit
TEXT_MAX = 4096  # characters in one message, the Bot API's limit
VOICE_MAX_BYTES = 2 * 1024 * 1024


class TelegramOutput(RasaTelegramOutput):
    def __init__(self, access_token: str, api_url: str) -> None:
        Bot.__init__(self, access_token, server=TelegramAPIServer.from_base(api_url))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Paragraphs as separate messages (as Rasa's), and none longer than Telegram takes."""
        for part in text.strip().split("\n\n"):
            for start in range(0, len(part), TEXT_MAX):
                await self.send_message(recipient_id, part[start:start + TEXT_MAX])

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]],
                                     button_type: str | None = None, **kwargs: Any) -> None:
        """The whole numbered text, and one inline button a row whose data is the button's payload."""
        markup = InlineKeyboardMarkup()
        for button in buttons:
            payload = str(button.get("payload", button.get("title", "")))
            if len(payload.encode()) <= CALLBACK_DATA_MAX:
                markup.row(InlineKeyboardButton(str(button["title"])[:64], callback_data=payload))
        await self.send_message(recipient_id, text[:TEXT_MAX], reply_markup=markup)

    async def send_voice_note(self, chat_id: str, ogg: bytes) -> None:
        await self.send_voice(chat_id, InputFile(io.BytesIO(ogg), filename="reply.ogg"))


class TelegramInput(RasaTelegramInput):
    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "TelegramInput":
        """Rasa's keys (access_token, verify, webhook_url) when given, else settings."""
        settings, given = get_settings(), credentials or {}
        token = given.get("access_token") or settings.telegram_token
        if not token:
            raise ValueError("Telegram needs a bot token: set MYGOV_TELEGRAM_TOKEN (see docs/configuration.md).")
        return cls(token, given.get("verify"), given.get("webhook_url") or settings.telegram_webhook_url,
                   api_url=given.get("api_url") or settings.telegram_api_url, settings=settings)

    def __init__(self, access_token: str, verify: str | None, webhook_url: str | None, debug_mode: bool = False,
                 api_url: str = "https://api.telegram.org", settings: Settings | None = None) -> None:
        super().__init__(access_token, verify, webhook_url, debug_mode)
        self.api_url = api_url
        self.settings = settings or get_settings()
        self.secret = self.settings.kept_secret("telegram_webhook_secret")

    def get_output_channel(self) -> TelegramOutput:
        return TelegramOutput(self.access_token, self.api_url)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram = Blueprint("mygov_telegram", __name__)
        out = self.get_output_channel()
        turns = MessengerTurns("telegram", self.settings)

        @telegram.listener("after_server_start")
        async def register(_app: Any, _loop: Any) -> None:
            try:
                me = await out.get_me()
                if self.verify and me.username != self.verify:
                    log.error("the Telegram token belongs to @%s, not @%s", me.username, self.verify)
                if self.webhook_url:
                    await out.request("setWebhook", {"url": self.webhook_url, "secret_token": self.secret,
                                                     "allowed_updates": '["message","edited_message","callback_query"]'})
                log.info("Telegram bot @%s connected", me.username)
            except Exception as exc:  # the other channels keep working; the operator reads why
                log.error("Telegram could not be set up (%s); check MYGOV_TELEGRAM_TOKEN and MYGOV_TELEGRAM_API_URL", exc)

        @telegram.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @telegram.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), self.secret.encode()):
                return response.text("forbidden", status=403)
            try:
                update = Update(**(request.json or {}))
            except Exception:
                return response.text("malformed update", status=400)
            try:
                await self._handle(update, request, on_new_message, out, turns)
            except Exception:  # answered 200 all the same: Telegram would only send the update again
                log.exception("a Telegram update could not be handled")
            return response.text("success")

        return telegram

    async def _handle(self, update: Update, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                      out: TelegramOutput, turns: MessengerTurns) -> None:
        if update.callback_query:
            await out.answer_callback_query(update.callback_query.id)
            message, text = update.callback_query.message, update.callback_query.data
            user = update.callback_query.from_user
        else:
            message = update.message or update.edited_message
            text, user = (message.text, message.from_user) if message else (None, None)
        if message is None:  # channel posts, inline queries and the like: nothing to answer
            return
        chat_id = str(message.chat.id)
        lang_hint = (user.language_code or "")[:2] if user else None
        if message.chat.type != "private":
            await out.send_message(chat_id, reply("private_only", lang_hint if lang_hint == "en" else "ka"))
            return
        agent = request.app.ctx.agent
        lang = await turns.language(agent, chat_id, lang_hint)
        if message.voice and not update.callback_query:
            audio = await self._voice(out, message.voice)
            if audio is None:
                await out.send_message(chat_id, prompt("too_long", lang))
                return
            await turns.take(agent, on_new_message, out, chat_id, audio=audio, lang_hint=lang_hint,
                             send_voice=out.send_voice_note)
        elif text:
            await turns.take(agent, on_new_message, out, chat_id, text=text, lang_hint=lang_hint)
        else:
            await out.send_message(chat_id, reply("unsupported", lang))

    async def _voice(self, out: TelegramOutput, voice: Any) -> bytes | None:
        """The voice note's bytes through getFile and the file download URL; None when it is too long."""
        if (voice.file_size or 0) > VOICE_MAX_BYTES or (voice.duration or 0) > self.settings.voice_max_utterance_seconds + 1:
            return None
        file = await out.get_file(voice.file_id)
        data = await out.download_file(file.file_path)
        return data.getvalue()[: VOICE_MAX_BYTES + 1]
