"""The command recogniser: yes/no, digits and navigation words through a JSGF grammar.

A grammar alone never rejects: any sound is forced into the nearest command. So the grammar offers
one more path, a "garbage" loop of single phones; speech that is not a command is cheaper to explain
as a string of phones than as a command, and lands there. The garbage weight was tuned on
synthesised commands and out-of-grammar sentences (benchmarks/voice_bench.py): it trades a few
rejected real commands (asked again) for almost no false commands (which would act wrongly)."""
from __future__ import annotations

import numpy as np

from voice.asr import Transcript
from voice.audio import Audio
from voice.sphinx import Decoded, Pool, Sphinx, Stream

YES_NO = ("yes", "no")
DIGITS = ("zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
NAVIGATION = ("repeat", "back", "next", "previous", "cancel", "help", "slower", "faster", "stop", "spell")
DIGIT_VALUES = {w: str(i) for i, w in enumerate(DIGITS[:1] + DIGITS[2:])} | {"oh": "0"}
# The en-us acoustic model's phones, each a one-phone "word" of the garbage loop.
_PHONES = ("AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH UW V "
           "W Y Z ZH").split()
GARBAGE_WEIGHT = 1e-3
WORD_INSERTION = 0.65  # pocketsphinx -wip; each garbage phone is a "word", so this prices garbage per phone
ENGINE = "commands"


def _grammar() -> str:
    garbage = " | ".join(f"ph_{p.lower()}" for p in _PHONES)
    return f"""#JSGF V1.0;
grammar commands;
public <utterance> = /1/ <command> | /{GARBAGE_WEIGHT}/ <garbage>;
<command> = {" | ".join(YES_NO + NAVIGATION)} | <digit>+;
<digit> = {" | ".join(DIGITS)};
<garbage> = <phone>+;
<phone> = {garbage};
"""


def _decoder() -> Sphinx:
    # Beams tighter than pocketsphinx's defaults (1e-48, 7e-29): the garbage loop otherwise keeps
    # thousands of phone paths alive; measured 4x faster with the same accuracy. Tighter still
    # (1e-25/1e-15) is 3x faster again (real-time factor 0.13 instead of 0.40) but forced "thank you"
    # into "seven two": not worth it, as 0.40 already keeps up with a user while they speak.
    return Sphinx(jsgf=_grammar(), extra_words={f"ph_{p.lower()}": p for p in _PHONES},
                  wip=WORD_INSERTION, beam=1e-30, wbeam=1e-20, bestpath=False)


class CommandRecognizer:
    """English commands, offline; anything else comes back with empty text (rejected)."""

    def __init__(self) -> None:
        self.sphinx = _decoder()
        self._streams = Pool(_decoder)

    def recognize(self, audio: Audio) -> Transcript:
        return self.transcript(self.sphinx.decode(with_silence(audio)))

    def stream(self) -> Stream:
        """A command decoded while it is spoken (voice/listener.py LiveUtterance)."""
        return self._streams.stream()

    def transcript(self, decoded: Decoded) -> Transcript:
        if not decoded.words or any(w.startswith("ph_") for w in decoded.words):
            return Transcript("", 0.0, ENGINE)
        return Transcript(decoded.text, 1.0, ENGINE)  # the garbage path already rejected what was unsure


def with_silence(audio: Audio, seconds: float = 0.3) -> Audio:
    """Quiet before and after: the garbage loop otherwise claims a word's clipped onset or tail."""
    pad = np.zeros(int(audio.rate * seconds), dtype=np.int16)
    return Audio(np.concatenate([pad, audio.samples, pad]), audio.rate)


def as_digits(text: str) -> str | None:
    """"one two three" -> "123"; None when the words are not all digits."""
    words = text.split()
    return "".join(DIGIT_VALUES[w] for w in words) if words and all(w in DIGIT_VALUES for w in words) else None
