"""Speech synthesis: one interface, espeak-ng behind it everywhere, and optionally the platform's own
voices (pyttsx3) for the speakers of `assistant talk`.

espeak-ng is called directly (`--stdout`), not through pyttsx3: measured here, a direct call takes
about 33 ms for a 6-second sentence, is independent per call (no shared engine loop, so no
finished-utterance race and no wrong-rate carry-over between calls) and prints nothing of its own;
pyttsx3's in-process engine was faster (12 ms) but is one global loop per process and writes
"Audio saved" to stdout. See docs/benchmarks.md, Voice. So the servers (web, phone, messengers) keep
espeak-ng, and pyttsx3 serves one person at their own machine (setting `voice_engine`), where the
voices they already know (SAPI5 on Windows, NSSpeechSynthesizer on macOS) are worth its cost."""
from __future__ import annotations

import aifc  # stdlib on Python 3.10 (removed in 3.13): macOS writes AIFF
import contextlib
import io
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Callable, Protocol

import numpy as np

from basics.settings import Settings
from basics.speech_rate import clamp_rate
from voice.audio import Audio, AudioError, read_wav

VOICES = {"ka": "ka", "en": "en-us"}
PYTTSX3_DRIVERS = {"win32": "sapi5", "darwin": "nsss"}  # pyttsx3's own choice; espeak everywhere else
SYNTHESIS_SECONDS = 60  # longest wait for one utterance, as for the espeak-ng process


class TTSUnavailable(RuntimeError):
    """The synthesiser cannot run on this machine; the message says what to install."""


class Synthesizer(Protocol):
    name: str

    def synthesize(self, text: str, lang: str, rate: int, volume: float) -> Audio:
        """Speak text that is already fit for speech (see basics.spoken.for_speech)."""


def _gains(ka_gain_db: float) -> dict[str, float]:
    """The Georgian espeak voice peaks near full scale: it is lowered before the output stage."""
    return {"ka": 10 ** (ka_gain_db / 20), "en": 1.0}


def _level(volume: float, gain: float) -> float:
    """The loudness asked for, 0.0-2.0 (espeak's amplitude 100 = 1.0), with the language's gain."""
    return max(0.0, min(2.0, volume)) * gain


class EspeakNG:
    """espeak-ng as a subprocess: 22.05 kHz mono, Georgian and US English voices."""

    name = "espeak-ng"

    def __init__(self, ka_gain_db: float = -3.0, binary: str = "espeak-ng") -> None:
        found = shutil.which(binary)
        if not found:
            raise TTSUnavailable("espeak-ng is not installed: run scripts/bootstrap.sh (apt-get install espeak-ng).")
        self.binary = found
        self.gains = _gains(ka_gain_db)

    def synthesize(self, text: str, lang: str, rate: int, volume: float) -> Audio:
        # Amplitude is set inside espeak-ng, before its output stage, so a quieter Georgian voice
        # does not clip; scaling the finished samples afterwards could not undo clipping.
        amplitude = round(_level(volume, self.gains[lang]) * 100)
        command = [self.binary, "-v", VOICES[lang], "-s", str(clamp_rate(rate)), "-a", str(amplitude),
                   "-b", "1", "--stdin", "--stdout"]  # -b 1: the text is UTF-8
        done = subprocess.run(command, input=text.encode("utf-8"), capture_output=True, timeout=SYNTHESIS_SECONDS)
        if done.returncode != 0:
            raise TTSUnavailable(f"espeak-ng failed: {done.stderr.decode(errors='replace').strip()}")
        return _speech(done.stdout)


class Pyttsx3:
    """The platform's installed voices through pyttsx3: SAPI5 on Windows, NSSpeechSynthesizer on macOS,
    espeak on Linux. A voice is chosen by language; none for a language is a TTSUnavailable naming
    the voices there are.

    Saving to a file races, measured here with pyttsx3 2.99's espeak driver: on a new engine
    runAndWait can return before the file exists (espeak writes it later, from its own thread), and a
    voice or rate set while espeak still works through its command queue is cancelled by the next
    runAndWait, so that utterance comes out at the previous rate. Hence a new engine runs one empty
    loop first, each call waits for espeak's queue after setting voice and rate, and the file (in a
    temporary directory of its own) is read only after the engine's finished-utterance notification.
    pyttsx3 is one engine per process, so calls take turns; its "Audio saved to ..." line is kept off
    our standard output."""

    name = "pyttsx3"
    turn = threading.Lock()  # pyttsx3.init gives every caller in a process the same engine

    def __init__(self, ka_gain_db: float = -3.0, driver: str | None = None) -> None:
        self.driver = driver or PYTTSX3_DRIVERS.get(sys.platform, "espeak")
        self.gains = _gains(ka_gain_db)
        self.voices: dict[str, str] = {}
        self.finished = threading.Event()
        with self.turn:
            try:
                import pyttsx3
                self.engine = pyttsx3.init(self.driver)
                if self.engine.isBusy():  # a new engine holds every property change until its first loop
                    self.engine.runAndWait()
            except (ImportError, OSError, RuntimeError) as exc:
                raise TTSUnavailable(f"pyttsx3 cannot start its {self.driver} driver: {exc}") from exc
            self.engine.connect("finished-utterance", self._finished)

    def synthesize(self, text: str, lang: str, rate: int, volume: float) -> Audio:
        if not text.strip():
            return Audio.from_pcm(b"", 22050)
        with self.turn, tempfile.TemporaryDirectory(prefix="mygov-tts-") as folder, \
                contextlib.redirect_stdout(io.StringIO()):
            path = Path(folder) / "speech.wav"
            self.engine.setProperty("voice", self.voice(lang))
            self.engine.setProperty("rate", clamp_rate(rate))
            self.engine.setProperty("volume", min(1.0, _level(volume, self.gains[lang])))  # pyttsx3's loudest is 1.0
            self._settle()
            self.finished.clear()
            self.engine.save_to_file(text, str(path))
            self.engine.runAndWait()
            if not self.finished.wait(SYNTHESIS_SECONDS) or not path.exists():
                raise TTSUnavailable(f"pyttsx3 ({self.driver}) did not finish speaking within {SYNTHESIS_SECONDS} s")
            return _speech(path.read_bytes())

    def voice(self, lang: str) -> str:
        """The id of an installed voice for the language: its exact variant (US English) first."""
        if lang not in self.voices:
            installed = self.engine.getProperty("voices")
            tags = {v.id: [str(t).replace("_", "-").lower() for t in v.languages or ()] for v in installed}
            exact = [v for v, t in tags.items() if VOICES[lang] in t]
            close = [v for v, t in tags.items() if any(tag.split("-")[0] == lang for tag in t)]
            if not exact + close:
                names = ", ".join(sorted({v.name for v in installed})) or "none"
                raise TTSUnavailable(f"no installed {self.driver} voice speaks {lang!r} (installed: {names})")
            self.voices[lang] = (exact + close)[0]
        return self.voices[lang]

    def _settle(self) -> None:
        if self.driver == "espeak":
            from pyttsx3.drivers import _espeak
            _espeak.Synchronize()  # the voice and rate just set are applied, not waiting in espeak's queue

    def _finished(self, completed: bool, **_: object) -> None:
        if completed:
            self.finished.set()


def _speech(data: bytes) -> Audio:
    """A synthesiser's file as audio: WAV, or AIFF (macOS writes it whatever the file is called);
    nothing sayable (only punctuation) gives silence."""
    try:
        return _aiff(data) if data[:4] == b"FORM" else read_wav(data)
    except AudioError:
        return Audio.from_pcm(b"", 22050)


def _aiff(data: bytes) -> Audio:
    with aifc.open(io.BytesIO(data)) as file:
        if file.getsampwidth() != 2:
            raise TTSUnavailable(f"the voice wrote {8 * file.getsampwidth()}-bit AIFF; only 16-bit is read")
        frames = np.frombuffer(file.readframes(file.getnframes()), ">i2").reshape(-1, file.getnchannels())
        return Audio(frames.mean(axis=1).round().astype(np.int16), file.getframerate())


ENGINES: dict[str, Callable[[float], Synthesizer]] = {EspeakNG.name: EspeakNG, Pyttsx3.name: Pyttsx3}


def local_synthesizer(settings: Settings) -> Synthesizer:
    """The synthesiser for the speakers of `assistant talk`, chosen by the `voice_engine` setting."""
    if settings.voice_engine not in ENGINES:
        raise TTSUnavailable(f"unknown voice_engine {settings.voice_engine!r}; use one of {', '.join(ENGINES)}")
    return ENGINES[settings.voice_engine](settings.voice_ka_gain_db)
