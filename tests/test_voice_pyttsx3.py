"""The pyttsx3 synthesiser for `assistant talk`, tested where pyttsx3 drives espeak (Linux): every
utterance at its own rate and voice (no carry-over), complete when read (no save-to-file race),
nothing printed, and the setting that chooses it. Windows (SAPI5) and macOS (NSSpeechSynthesizer)
cannot run here; their AIFF output is read from a file written like theirs."""
from __future__ import annotations

import aifc
import dataclasses
import itertools
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from basics.settings import Settings
from voice.tts import EspeakNG, Pyttsx3, TTSUnavailable, _speech, local_synthesizer

ROOT = Path(__file__).resolve().parent.parent
TEXT = {"ka": "გამარჯობა, როგორ ხართ დღეს?", "en": "Hello there, how are you today?"}


@pytest.fixture(scope="module")
def pyttsx3_voice() -> Pyttsx3:
    return Pyttsx3(driver="espeak")


@pytest.fixture(scope="module")
def expected() -> dict[tuple[str, int], float]:
    """How long espeak-ng itself takes to say each text at each rate: pyttsx3 drives the same voices."""
    espeak = EspeakNG()
    return {(lang, rate): espeak.synthesize(TEXT[lang], lang, rate, 1.0).duration for lang in TEXT for rate in (80, 175, 450)}


def test_every_utterance_has_its_own_voice_and_rate(pyttsx3_voice: Pyttsx3, expected: dict) -> None:
    """Changing voice and rate between every call was where the rate of the previous one was heard."""
    for lang, rate in itertools.islice(itertools.cycle(itertools.product(TEXT, (450, 80, 175))), 18):
        audio = pyttsx3_voice.synthesize(TEXT[lang], lang, rate, 1.0)
        assert audio.rate == 22050 and audio.duration == pytest.approx(expected[lang, rate], rel=0.1), (lang, rate)


def test_the_first_utterance_of_a_process_is_complete_when_read() -> None:
    """Where runAndWait returned before the file existed: a fresh process, as `assistant talk` starts,
    and a text long enough (about 24 s) that espeak is still writing when a loop turn ends."""
    text = "Hello there, how are you today? This is a longer sentence to make synthesis take a while. " * 5
    said = subprocess.run([sys.executable, "-c", "from voice.tts import Pyttsx3; "
                           f"print(Pyttsx3(driver='espeak').synthesize({text!r}, 'en', 175, 1.0).duration)"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    assert float(said.stdout) == pytest.approx(EspeakNG().synthesize(text, "en", 175, 1.0).duration, rel=0.05)


def test_callers_in_threads_take_turns(pyttsx3_voice: Pyttsx3, expected: dict) -> None:
    durations: dict[tuple[str, int], float] = {}

    def say(lang: str, rate: int) -> None:
        durations[lang, rate] = pyttsx3_voice.synthesize(TEXT[lang], lang, rate, 1.0).duration

    threads = [threading.Thread(target=say, args=key) for key in (("ka", 80), ("en", 450), ("en", 175))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert durations == pytest.approx({key: expected[key] for key in durations}, rel=0.1) and len(durations) == 3


def test_nothing_is_printed_and_nothing_sayable_is_silence(pyttsx3_voice: Pyttsx3, capfd: pytest.CaptureFixture) -> None:
    pyttsx3_voice.synthesize(TEXT["ka"], "ka", 175, 1.0)
    assert pyttsx3_voice.synthesize("  ", "en", 175, 1.0).duration == 0
    assert capfd.readouterr().out == ""  # pyttsx3 prints "Audio saved to ..." for every file


def test_volume_is_the_same_scale_as_espeak_ng(pyttsx3_voice: Pyttsx3) -> None:
    loud, quiet = (np.abs(pyttsx3_voice.synthesize(TEXT["en"], "en", 175, v).samples).max() for v in (1.0, 0.25))
    assert quiet < loud / 2


def test_a_language_without_an_installed_voice_is_named(pyttsx3_voice: Pyttsx3, monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a Windows machine without a Georgian voice: the message names what there is."""
    english = [v for v in pyttsx3_voice.engine.getProperty("voices") if "en-us" in v.languages]
    monkeypatch.setattr(pyttsx3_voice.engine, "getProperty", lambda name: english)
    monkeypatch.setattr(pyttsx3_voice, "voices", {})
    with pytest.raises(TTSUnavailable, match="no installed espeak voice speaks 'ka'.*English"):
        pyttsx3_voice.synthesize(TEXT["ka"], "ka", 175, 1.0)


def test_macos_aiff_is_read_as_mono(tmp_path: Path) -> None:
    with aifc.open(str(tmp_path / "speech.aiff"), "wb") as out:
        out.setnchannels(2), out.setsampwidth(2), out.setframerate(22050)
        out.writeframes(np.array([[1000, 3000], [-2000, -2000]] * 100, ">i2").tobytes())
    audio = _speech((tmp_path / "speech.aiff").read_bytes())
    assert audio.rate == 22050 and list(audio.samples[:2]) == [2000, -2000] and len(audio.samples) == 200


def test_the_voice_engine_setting_chooses_the_synthesiser() -> None:
    assert local_synthesizer(Settings()).name == "espeak-ng"
    assert local_synthesizer(dataclasses.replace(Settings(), voice_engine="pyttsx3")).name == "pyttsx3"
    with pytest.raises(TTSUnavailable, match="unknown voice_engine 'festival'"):
        local_synthesizer(dataclasses.replace(Settings(), voice_engine="festival"))
