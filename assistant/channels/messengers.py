"""One messenger turn, the same on Telegram and Facebook Messenger.

A message (text, or a voice note already downloaded) is: recognised if spoken; answered here if it
is a link code or /unlink (assistant/channels/linking.py); otherwise passed to the dialogue with the
linked citizen's fresh portal token, which the guard keeps server-side, and secrets sealed
(assistant/channels/guard.py). Conversation ids are the platform's account id namespaced by the
platform (``telegram:…``), so no other channel can address them. A spoken message is
answered in text and, when the platform can play it, also as a voice note at the user's rate.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import OutputChannel, UserMessage

from assistant.channels.guard import take_in
from assistant.channels.linking import Linker
from assistant.channels.replies import reply
from assistant.channels.voice_notes import VoiceNotes, conversation
from basics.identity import identity_store
from basics.reply_hints import reply_from
from basics.sealing import looks_like_pin
from basics.settings import Settings
from voice.prompts import prompt

log = logging.getLogger(__name__)

Handler = Callable[[UserMessage], Awaitable[Any]]
SendVoice = Callable[[str, bytes], Awaitable[Any]]
DEFAULT_LANG = "ka"


class Recording(OutputChannel):
    """Passes every reply on to the platform's account and keeps its text and reply hint, to be spoken
    as a voice note in the reply's language and at its rate. Hints never reach the platform."""

    def __init__(self, inner: OutputChannel, account: str) -> None:
        self.inner, self.account = inner, account
        self.said: list[dict[str, Any]] = []

    def name(self) -> str:  # type: ignore[override]
        return self.inner.name()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.said.append(dict(message))
        shown = {key: value for key, value in message.items() if key != "custom"}
        if any(shown.get(key) for key in ("text", "buttons", "quick_replies", "image", "attachment", "elements")):
            await self.inner.send_response(self.account, shown)


class MessengerTurns:
    """Everything a messenger channel does between the platform's webhook and Rasa."""

    def __init__(self, platform: str, settings: Settings) -> None:
        self.platform, self.settings = platform, settings
        self.linker = Linker(platform, settings)
        self.voice = VoiceNotes(settings)

    async def take(self, agent: Any, on_new_message: Handler, out: OutputChannel, account: str, *,
                   text: str | None = None, audio: bytes | None = None, lang_hint: str | None = None,
                   send_voice: SendVoice | None = None) -> None:
        sender = self.sender(account)
        state = await conversation(agent, sender)
        lang = _language(state.lang, lang_hint)
        if audio is not None:
            heard = await self.voice.hear(audio, lang)
            if heard.problem:
                log.info("%s voice message not recognised: %s", self.platform, heard.problem)
                await self._say(out, account, [prompt(heard.problem, lang)], lang, state.speech_rate, send_voice)
                return
            text = heard.transcript.text
            if not looks_like_pin(text) and not identity_store().expecting(sender):  # never repeat a secret, even spoken
                await out.send_text_message(account, reply("heard", lang, text=text))
        intercepted = await self.linker.intercept(account, text or "", lang)
        if intercepted:
            for line in intercepted.replies:
                await out.send_text_message(account, line)
            if intercepted.then is None:
                return
            text = intercepted.then
        metadata = {**await self.linker.metadata(account), "language": lang, "source": sender}
        if "portal_token" not in metadata:  # not linked, or the link ended: nothing may act for anyone
            identity_store().forget_token(sender)
        recording = Recording(out, account)
        await on_new_message(take_in(UserMessage(text or "", recording, sender, input_channel=self.platform,
                                                 metadata=metadata)))
        said = reply_from(recording.said)
        if audio is not None and send_voice is not None and said.texts:
            hint = said.hint  # "slower" in this very turn counts
            await self._speak(account, said.texts, hint["lang"] if hint else lang, hint["rate"] if hint else None,
                              send_voice)

    def sender(self, account: str) -> str:
        """The conversation id of a platform account."""
        return f"{self.platform}:{account}"

    async def language(self, agent: Any, account: str, hint: str | None = None) -> str:
        """The language to answer in: the conversation's, else the platform's hint, else Georgian."""
        return _language((await conversation(agent, self.sender(account))).lang, hint)

    async def _say(self, out: OutputChannel, account: str, texts: list[str], lang: str, rate: float | None,
                   send_voice: SendVoice | None) -> None:
        for line in texts:
            await out.send_text_message(account, line)
        if send_voice is not None:
            await self._speak(account, texts, lang, rate, send_voice)

    async def _speak(self, account: str, texts: list[str], lang: str, rate: float | None, send_voice: SendVoice) -> None:
        linked = await self.linker.session(account)
        rate = rate or (linked.speech_rate if linked else None) or self.settings.voice_rate
        try:
            note = await self.voice.speak(texts, lang, rate)
        except Exception:  # the text has been sent; a missing voice note must not fail the turn
            log.exception("%s voice reply could not be made", self.platform)
            return
        await send_voice(account, note)


def _language(conversation_lang: str | None, hint: str | None) -> str:
    return conversation_lang or (hint if hint in ("ka", "en") else None) or DEFAULT_LANG
