"""From a recording to words: find the speech (VAD), refuse noise, then the command grammar and/or
the language's engine. Engines are created once and kept loaded between utterances."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.settings import Settings
from voice.asr import Engine, RecognitionUnavailable, Transcript, engine_name, make_engine
from voice.audio import Audio, AudioError, AudioTooLong, read_wav
from voice.vad import first_utterance, is_noise

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
        name = engine_name(lang, self.settings)
        if name not in self._engines:
            self._engines[name] = make_engine(name, self.settings)
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

    def hear(self, audio: Audio, lang: str, commands_only: bool = False, commands_first: bool = False) -> Heard:
        """``commands_only``: the grammar alone (rejects anything else); ``commands_first``: the
        grammar, then the open engine if the grammar rejected it (English only: the grammar is English)."""
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
            command = self.commands().recognize(speech)
            if command.text or commands_only:
                return Heard(command)
        try:
            return Heard(self.engine(lang).recognize(speech, lang))
        except RecognitionUnavailable as exc:
            return Heard(Transcript("", 0.0, engine_name(lang, self.settings)), UNAVAILABLE, str(exc))
