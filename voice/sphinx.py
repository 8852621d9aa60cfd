"""pocketsphinx kept loaded: the English acoustic model with a search per use, decoded under a lock.
SpeechRecognition's recognize_sphinx reloads the model on every call and its grammar= breaks after
the first call with pocketsphinx 5, so we hold our own decoders."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pocketsphinx import Decoder

from voice.audio import ASR_RATE, Audio, resample


@dataclass(frozen=True)
class Decoded:
    words: tuple[str, ...]  # without silences and fillers
    posterior: float | None  # posterior probability of the whole hypothesis, 0-1, when asked for

    @property
    def text(self) -> str:
        return " ".join(self.words)


class Sphinx:
    """A loaded decoder; ``config`` as pocketsphinx's (e.g. ``wip``); the default search is the
    en-us language model, or a grammar given with ``jsgf``."""

    def __init__(self, jsgf: str | None = None, extra_words: dict[str, str] | None = None, **config: Any) -> None:
        self._decoder = Decoder(loglevel="FATAL", **config)
        for word, phones in (extra_words or {}).items():
            if self._decoder.lookup_word(word) is None:
                self._decoder.add_word(word, phones, False)
        if jsgf:
            self._decoder.add_jsgf_string("grammar", jsgf)
            self._decoder.activate_search("grammar")
        self._lock = threading.Lock()

    def decode(self, audio: Audio, posterior: bool = False) -> Decoded:
        """The best path; ``posterior`` also computes its probability (costly on a big lattice)."""
        pcm = resample(audio, ASR_RATE).pcm
        with self._lock:
            self._decoder.start_utt()
            self._decoder.process_raw(pcm, full_utt=True)
            self._decoder.end_utt()
            # "two(2)" is the second pronunciation of "two"; <s>, <sil>, [NOISE] are not words.
            words = tuple(s.word.split("(")[0] for s in self._decoder.seg() if not s.word.startswith(("<", "[")))
            prob = None
            if posterior:
                hyp = self._decoder.hyp()
                prob = hyp.prob if hyp else 0.0
        return Decoded(words, prob)


@lru_cache(maxsize=1)
def open_vocabulary() -> Sphinx:
    """The process's open-vocabulary English decoder: loading takes about a second, so once."""
    return Sphinx()
