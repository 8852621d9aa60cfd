"""From a recording to words: find the speech (VAD), refuse noise, then the command grammar and/or
the language's engine. Engines are created once and kept loaded between utterances."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from basics.settings import Settings
from voice.asr import Engine, RecognitionUnavailable, SphinxEngine, Transcript, Unavailable, engine_name, make_engine
from voice.audio import ASR_RATE, Audio, AudioError, AudioTooLong, read_wav
from voice.sphinx import Stream
from voice.vad import FRAME_MS, PAD_MS, Endpointer, first_utterance, is_noise

if TYPE_CHECKING:
    from voice.commands import CommandRecognizer

NO_SPEECH, NOISE, UNAVAILABLE, BAD_AUDIO, TOO_LONG = "no_speech", "noise", "unavailable", "bad_audio", "too_long"


COMMAND_MAX_SECONDS = 1.6


@dataclass(frozen=True)
class Heard:
    """What was understood, or why nothing was (``problem``, a key of voice.prompts; ``detail`` for logs)."""

    transcript: Transcript
    problem: str | None = None
    detail: str = ""


class Listener:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._engines: dict[str, Engine] = {}
        self._commands: CommandRecognizer | None = None

    def engine(self, lang: str) -> Engine:
        """The language's engine, made once; one that cannot work is kept as Unavailable (said once in the log)."""
        name = engine_name(lang, self.settings)
        if name not in self._engines:
            try:
                self._engines[name] = make_engine(name, self.settings)
            except RecognitionUnavailable as exc:
                self._engines[name] = Unavailable(name, exc)
        return self._engines[name]

    def commands(self) -> "CommandRecognizer":
        """The English command recogniser, loaded on first use."""
        if self._commands is None:
            from voice.commands import CommandRecognizer
            self._commands = CommandRecognizer()
        return self._commands

    def hear_file(self, path: str, lang: str, commands_only: bool = False, commands_first: bool = False) -> Heard:
        try:
            audio = read_wav(path, self.settings.voice_max_utterance_seconds)
        except AudioError as exc:
            return Heard(Transcript("", 0.0, "none"), TOO_LONG if isinstance(exc, AudioTooLong) else BAD_AUDIO, str(exc))
        return self.hear(audio, lang, commands_only, commands_first)

    def live(self, lang: str, commands_first: bool = False) -> "LiveUtterance":
        """An utterance to be heard as it arrives (microphone, phone line), decoded while it is spoken."""
        return LiveUtterance(self, lang, commands_first)

    def hear(self, audio: Audio, lang: str, commands_only: bool = False, commands_first: bool = False,
             command: Transcript | None = None, decoded: Transcript | None = None) -> Heard:
        """``commands_only``: the grammar alone (rejects anything else); ``commands_first``: the
        grammar, then the open engine if the grammar rejected it (English only: the grammar is English).
        ``command``, ``decoded``: the grammar's and the open engine's results, already made while the
        audio arrived (LiveUtterance)."""
        speech = first_utterance(audio, self.settings.voice_vad_mode, self.settings.voice_end_of_speech_ms)
        if speech is None:
            return Heard(Transcript("", 0.0, "vad"), NO_SPEECH, "no speech found")
        if is_noise(speech):
            return Heard(Transcript("", 0.0, "vad"), NOISE, "only noise found")
        # A command is a word or two; a longer utterance skips the grammar, whose phone loop is slow on
        # sentences (1.7-4.7 s, docs/benchmarks.md) and would reject it anyway.
        short = speech.duration <= COMMAND_MAX_SECONDS
        use_grammar = lang == "en" and (commands_only or (commands_first and short))
        if use_grammar:
            command = command or self.commands().recognize(speech)
            if command.text or commands_only:
                return Heard(command)
        if decoded is not None:
            return Heard(decoded)
        try:
            return Heard(self.engine(lang).recognize(speech, lang))
        except RecognitionUnavailable as exc:
            return Heard(Transcript("", 0.0, engine_name(lang, self.settings)), UNAVAILABLE, str(exc))


class LiveUtterance:
    """Audio arriving 20 ms at a time. The endpointer watches for the end of speech while the offline
    English decoders (the command grammar while the speech is still short enough to be a command, and
    the open model) already work on the frames, so when the user stops only the last frames are left
    (docs/benchmarks.md)."""

    def __init__(self, listener: Listener, lang: str, commands_first: bool) -> None:
        settings = listener.settings
        self.listener, self.lang, self.commands_first = listener, lang, commands_first
        self.endpointer = Endpointer(settings.voice_vad_mode, settings.voice_end_of_speech_ms)
        self._frames: list[bytes] = []
        self._held: list[bytes] = []  # quiet frames not yet given to the decoders
        offline = lang == "en" and engine_name(lang, settings) == "sphinx"
        engine = listener.engine(lang) if offline else None
        self._sphinx = engine if isinstance(engine, SphinxEngine) else None
        self._open: Stream | None = self._sphinx.stream() if self._sphinx else None
        self._command: Stream | None = listener.commands().stream() if offline and commands_first else None
        if self._command:
            self._command.feed(QUIET)  # as CommandRecognizer.recognize pads its audio
        self._max_frames = int(settings.voice_max_utterance_seconds * 1000 / FRAME_MS)

    def feed(self, frame: bytes) -> bool:
        """One 20 ms frame of 16 kHz audio; True once the user has finished (or spoken too long)."""
        self._frames.append(frame)
        ended = self.endpointer.feed(frame)
        # Quiet after the speech reaches the decoders only if the user speaks again, as first_utterance
        # cuts a recording: trailing silence makes the open model invent words ("my message is she").
        last = self.endpointer.last_speech
        self._held.append(frame)
        if last is None or self.endpointer.frames - 1 - last <= PAD_MS // FRAME_MS:
            for stream in (self._open, self._command):
                if stream:
                    for held in self._held:
                        stream.feed(held)
            self._held = []
        started, last = self.endpointer.first_speech, self.endpointer.last_speech
        if self._command and started is not None and last is not None and (last - started) * FRAME_MS > COMMAND_MAX_SECONDS * 1000:
            self._command.close()  # too long to be a command: the grammar would reject it anyway
            self._command = None
        return ended or len(self._frames) >= self._max_frames

    def heard(self) -> Heard:
        """What was said, from what has been fed."""
        command = decoded = None
        if self._command:
            self._command.feed(QUIET)
            command = self.listener.commands().transcript(self._command.finish())
        if self._open and self._sphinx:
            decoded = self._sphinx.transcript(self._open.finish(posterior=True))
        self._open = self._command = None
        audio = Audio.from_pcm(b"".join(self._frames), ASR_RATE)
        return self.listener.hear(audio, self.lang, commands_first=self.commands_first, command=command, decoded=decoded)

    def close(self) -> None:
        """Stop without a result (barge-in, hang-up): the decoders are given back."""
        for stream in (self._open, self._command):
            if stream:
                stream.close()
        self._open = self._command = None


QUIET = bytes(ASR_RATE * 2 * 3 // 10)  # 0.3 s of silence at 16 kHz
