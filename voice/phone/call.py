"""One telephone conversation: the caller's speech (VAD, then the listener of voice/) and keypad keys
in, the assistant's replies as 8 kHz speech out. The conversation itself is voice/talk.py's
TalkSession, so the phone behaves like `assistant talk`; this module adds what only a phone has:
keys, barge-in, silence handling and a transcript without personal data."""
from __future__ import annotations

import asyncio
import audioop
import collections
import json
import logging
import os
import time
import uuid
from pathlib import Path

from basics.settings import Settings
from voice.audio import ASR_RATE, PHONE_RATE, Audio, resample
from voice.phone.menu import MENU_KEYS, menu_message, menu_segments, phone_prompt, redacted
from voice.phone.rtp import Media
from voice.talk import Exchange, TalkSession
from voice.vad import FRAME_MS, FRAME_SAMPLES, PAD_MS, Endpointer

log = logging.getLogger("mygov.phone")
FRAME_BYTES = FRAME_SAMPLES * 2  # one 20 ms frame at 16 kHz
MAX_UTTERANCE_SECONDS = 30.0  # a caller's single utterance; longer ones are cut (a phone turn is short)


class CallRecord:
    """The call as a test or an operator may read it: what was said and pressed, with digits hidden.
    ``call`` and ``caller`` are pseudonyms (voice/phone/pseudonym.py), never a Call-ID, a CallSid, a
    number or a conversation id; the file is readable by the server's user alone."""

    def __init__(self, path: Path | None, call: str, caller: str) -> None:
        self.path = path
        self.data: dict = {"call": call, "caller": caller, "started": time.time(), "state": "answered", "events": []}

    @classmethod
    def new(cls, settings: Settings, call: str, caller: str) -> "CallRecord":
        """A new call's transcript in data_dir/phone-calls, or in memory only when ``phone_transcripts`` is off."""
        path = None
        if settings.phone_transcripts:
            directory = settings.data_dir / "phone-calls"
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            path = directory / f"{int(time.time())}-{uuid.uuid4().hex[:8]}.json"
        return cls(path, call, caller)

    def add(self, kind: str, **values: object) -> None:
        self.data["events"].append({"kind": kind, **values})
        self.save()

    def end(self, how: str) -> None:
        self.data["state"], self.data["ended_by"] = "ended", how
        self.save()

    def save(self) -> None:
        if self.path is None:
            return
        tmp = self.path.with_suffix(".tmp")
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as out:
            out.write(json.dumps(self.data, ensure_ascii=False, indent=1))
        tmp.replace(self.path)  # readers never see half a file


class Utterances:
    """Turns the caller's 8 kHz frames into utterances: webrtcvad at 16 kHz, with 200 ms kept before
    the speech so its onset is heard. ``on_start`` fires when speech is confirmed (barge-in)."""

    def __init__(self, vad_mode: int, end_ms: int, max_seconds: float, on_start, on_utterance) -> None:
        self.vad_mode, self.end_ms, self.max_frames = vad_mode, end_ms, int(max_seconds * 1000 / FRAME_MS)
        self.on_start, self.on_utterance = on_start, on_utterance
        self._state: tuple[int, tuple[tuple[int, int], ...]] | None = None
        self._pending = b""
        self._reset()

    def _reset(self) -> None:
        self._endpointer = Endpointer(self.vad_mode, self.end_ms)
        self._frames: collections.deque[bytes] = collections.deque()
        self._started = False

    def feed(self, pcm8k: bytes) -> None:
        up, self._state = audioop.ratecv(pcm8k, 2, 1, PHONE_RATE, ASR_RATE, self._state)
        self._pending += up
        while len(self._pending) >= FRAME_BYTES:
            frame, self._pending = self._pending[:FRAME_BYTES], self._pending[FRAME_BYTES:]
            self._frame(frame)

    def _frame(self, frame: bytes) -> None:
        ended = self._endpointer.feed(frame)
        self._frames.append(frame)
        if not self._started:
            if self._endpointer.first_speech is None:
                while len(self._frames) > PAD_MS // FRAME_MS + 10:  # keep the onset and a little before
                    self._frames.popleft()
                return
            self._started = True
            self.on_start()
        if ended or len(self._frames) >= self.max_frames:
            audio = Audio.from_pcm(b"".join(self._frames), ASR_RATE)
            self._reset()
            self.on_utterance(audio)


class PhoneCall:
    """The conversation of one call. ``run`` returns when it should end (the caller is silent, said
    goodbye); the gateway hangs up, and cancels ``run`` when the caller hangs up first."""

    @classmethod
    def from_settings(cls, session: TalkSession, media: Media, transcript: CallRecord, settings: Settings) -> "PhoneCall":
        """The one call setup of every phone line (SIP and Twilio): the same timings from the same settings."""
        return cls(session, media, transcript, settings.phone_silence_seconds, settings.phone_digit_timeout_seconds,
                   settings.voice_vad_mode, settings.voice_end_of_speech_ms,
                   min(MAX_UTTERANCE_SECONDS, settings.voice_max_utterance_seconds))

    def __init__(self, session: TalkSession, media: Media, transcript: CallRecord, silence_seconds: float,
                 digit_timeout_seconds: float, vad_mode: int, end_of_speech_ms: int, max_utterance_seconds: float) -> None:
        self.session, self.media, self.transcript = session, media, transcript
        self.silence_seconds, self.digit_timeout = silence_seconds, digit_timeout_seconds
        self.events: asyncio.Queue[tuple[str, object]] = asyncio.Queue()
        self.keys = ""  # digits typed for an answer, sent on # (or after a pause)
        self.entry = False  # the assistant asked for a value: digits answer it instead of choosing from the menu
        self.last_said: list[tuple[str, str]] = []
        self.utterances = Utterances(vad_mode, end_of_speech_ms, max_utterance_seconds,
                                     self._speech_started, lambda audio: self.events.put_nowait(("speech", audio)))
        media.on_audio, media.on_key = self.utterances.feed, self._key_pressed
        media.on_played = lambda: self.transcript.add("played")
        for key in media.early_keys:  # pressed while the call was being set up: not lost
            self._key_pressed(key)

    # Inputs (called from the media protocol) ------------------------------------------------------
    def _speech_started(self) -> None:
        if self.media.stop_playback():
            self.transcript.add("barge_in", by="speech")

    def _key_pressed(self, key: str) -> None:
        if self.media.stop_playback():
            self.transcript.add("barge_in", by="key")
        self.events.put_nowait(("key", key))

    # The conversation -----------------------------------------------------------------------------
    async def run_for(self, seconds: float) -> str:
        """``run``, ended after ``seconds`` with a spoken "the time is up"; says how the call ended."""
        try:
            return await asyncio.wait_for(self.run(), seconds)
        except asyncio.TimeoutError:
            pass
        self.media.stop_playback()
        lang = self.session.lang
        await self.say([(phone_prompt("time_limit", lang), lang)], remember=False)
        try:
            await asyncio.wait_for(self.finish_playback(), 15)
        except asyncio.TimeoutError:
            pass  # the caller still hears the end; the hang-up is not held up
        return "time_limit"

    async def run(self) -> str:
        lang = self.session.lang
        await self.say([(phone_prompt("welcome", lang), lang)] + menu_segments(lang), remember=False)
        self.last_said = menu_segments(lang)  # what silence and * repeat: the menu, not the welcome
        silences = 0
        while True:
            waiting = self.digit_timeout if self.keys else self.silence_seconds
            try:
                kind, value = await asyncio.wait_for(self.events.get(), self.media.playing_seconds + waiting)
            except asyncio.TimeoutError:
                if self.keys:  # a pause after digits sends them, as # would
                    await self.send_keys()
                    continue
                silences += 1
                self.transcript.add("silence", count=silences)
                lang = self.session.lang
                if silences == 1:
                    await self.say([(phone_prompt("no_speech", lang), lang)] + self.last_said, remember=False)
                elif silences == 2:
                    self.entry = False
                    await self.say(menu_segments(lang), remember=True)
                else:
                    await self.say([(phone_prompt("goodbye_silence", lang), lang)], remember=False)
                    await self.finish_playback()
                    return "silence"
                continue
            silences = 0
            if kind == "key":
                await self.key(str(value))
            elif kind == "speech":
                await self.speech(value)  # type: ignore[arg-type]

    async def key(self, key: str) -> None:
        if key == "*":
            self.transcript.add("key", key="*")
            self.keys = ""
            await self.say(self.last_said, remember=False)
        elif key == "#":
            self.transcript.add("key", key="#")
            if self.keys:
                await self.send_keys()
        elif key.isdigit() and (self.entry or self.keys):
            self.keys += key
            self.transcript.add("digit")  # which digit is never recorded
        elif key in MENU_KEYS:
            message = menu_message(key, self.session.lang)
            self.transcript.add("key", key=key, sends=message)
            exchange = await self.exchange(lambda: self.session.send_text(message, keypad=True))
            if key == "9" and exchange is not None:  # the menu again, now in the caller's language
                await self.say(menu_segments(self.session.lang), remember=True)

    async def send_keys(self) -> None:
        typed, self.keys = self.keys, ""
        self.transcript.add("keypad_entry", digits=len(typed))
        await self.exchange(lambda: self.session.send_text(typed, keypad=True))

    async def speech(self, audio: Audio) -> None:
        self.transcript.add("speech", seconds=round(audio.duration, 2))
        session = self.session
        heard = await asyncio.to_thread(session.listener.hear, audio, session.lang, False, True)
        self.transcript.add("heard", text=redacted(heard.transcript.text), engine=heard.transcript.engine,
                            problem=heard.problem)
        if heard.problem == "unavailable":  # no recogniser for this language now: the keypad still works
            self.entry = False
            await self.say([(phone_prompt("keypad_only", session.lang), session.lang)] + menu_segments(session.lang),
                           remember=False)
            return
        await self.exchange(lambda: session.take_heard(heard))

    async def exchange(self, turn, speak: bool = True) -> Exchange | None:
        """Run one turn of the TalkSession off the event loop (it waits for Rasa and synthesises);
        None when the assistant could not be reached: the caller is told, and the call goes on."""
        try:
            exchange: Exchange = await asyncio.to_thread(turn)
        except Exception as exc:  # noqa: BLE001 - the assistant being down must not drop the call
            log.warning("call %s: the assistant did not answer (%s)", self.transcript.data["call"], type(exc).__name__)
            self.transcript.add("assistant_unreachable")
            lang = self.session.lang
            await self.say([(phone_prompt("assistant_down", lang), lang)], remember=False)
            return None
        if speak:
            await self.play_exchange(exchange)
        return exchange

    async def play_exchange(self, exchange: Exchange) -> None:
        if exchange.audio is not None:
            self.entry = exchange.expects is not None  # digits now answer the question, not the menu
            self.transcript.add("assistant", replies=[redacted(r) for r in exchange.replies], lang=exchange.lang,
                                seconds=round(exchange.audio.duration, 2), asks=self.entry)
            self.media.play(resample(exchange.audio, PHONE_RATE).pcm)
            if exchange.sent is not None:
                self.last_said = [("\n".join(exchange.replies), exchange.lang)]

    async def say(self, segments: list[tuple[str, str]], remember: bool) -> None:
        """Speak the gateway's own sentences (welcome, menu, silence prompts) in their languages."""
        speaker, rate, volume = self.session.speaker, self.session.rate, self.session.settings.voice_volume
        audios = await asyncio.to_thread(lambda: [speaker.speak(text, lang, rate, volume) for text, lang in segments])
        seconds = 0.0
        for audio in audios:
            pcm = resample(audio, PHONE_RATE).pcm
            seconds += len(pcm) / 2 / PHONE_RATE
            self.media.play(pcm)
        self.transcript.add("prompt", texts=[t for t, _ in segments], seconds=round(seconds, 2))
        if remember:
            self.last_said = list(segments)

    async def finish_playback(self) -> None:
        """Let the caller hear the last words before hanging up (real time: the audio is being sent)."""
        while self.media.playing_seconds > 0:
            await asyncio.sleep(min(0.5, self.media.playing_seconds + 0.05))
