"""pocketsphinx kept loaded: the English acoustic model with a search per use, decoded under a lock.
SpeechRecognition's recognize_sphinx reloads the model on every call and its grammar= breaks after
the first call with pocketsphinx 5, so we hold our own decoders."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

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
        with self._lock:
            self._decoder.start_utt()
            self._decoder.process_raw(resample(audio, ASR_RATE).pcm, full_utt=True)
            return self._end(posterior)

    def stream(self, on_done: Callable[[], None] | None = None) -> "Stream":
        """Decode an utterance while it is spoken; the decoder is this stream's until it finishes."""
        self._lock.acquire()
        self._decoder.start_utt()
        return Stream(self, on_done)

    def _end(self, posterior: bool) -> Decoded:
        self._decoder.end_utt()
        # "two(2)" is the second pronunciation of "two"; <s>, <sil>, [NOISE] and a grammar's "(NULL)"
        # transitions (seen without the bestpath pass) are not words.
        words = tuple(s.word.split("(")[0] for s in self._decoder.seg() or () if not s.word.startswith(("<", "[", "(")))
        prob = None
        if posterior:
            hyp = self._decoder.hyp()
            prob = hyp.prob if hyp else 0.0
        return Decoded(words, prob)


class Stream:
    """One utterance fed 20 ms at a time as it arrives, so that at the end of speech only the last
    frames are left to decode: the open model takes about half of real time on sentences, which
    after the fact was most of the wait before the reply (docs/benchmarks.md)."""

    def __init__(self, sphinx: Sphinx, on_done: Callable[[], None] | None = None) -> None:
        self._sphinx: Sphinx | None = sphinx
        self._on_done = on_done

    def feed(self, pcm16k: bytes) -> None:
        if self._sphinx:
            self._sphinx._decoder.process_raw(pcm16k, False, False)

    def finish(self, posterior: bool = False) -> Decoded:
        """The result; the decoder is free again. A second call (or one after close) is an error."""
        if not self._sphinx:
            raise RuntimeError("this stream has already finished")
        sphinx, self._sphinx = self._sphinx, None
        try:
            return sphinx._end(posterior)
        finally:
            sphinx._lock.release()
            if self._on_done:
                self._on_done()

    def close(self) -> None:
        """Give the decoder back without a result (the user was interrupted or hung up)."""
        if self._sphinx:
            self.finish()


class Pool:
    """Decoders of one kind for streams: one per utterance being heard at the same moment (a stream
    holds its decoder for the whole utterance), made when needed and kept loaded."""

    def __init__(self, make: Callable[[], Sphinx] = Sphinx) -> None:
        self._make = make
        self._free: list[Sphinx] = []
        self._lock = threading.Lock()

    def stream(self) -> Stream:
        with self._lock:
            sphinx = self._free.pop() if self._free else self._make()
        return sphinx.stream(lambda: self._give_back(sphinx))

    def _give_back(self, sphinx: Sphinx) -> None:
        with self._lock:
            self._free.append(sphinx)


@lru_cache(maxsize=1)
def open_vocabulary() -> Sphinx:
    """The process's open-vocabulary English decoder: loading takes about a second, so once."""
    return Sphinx()


@lru_cache(maxsize=1)
def stream_pool() -> Pool:
    """The process's decoders for utterances heard as they arrive."""
    return Pool()
