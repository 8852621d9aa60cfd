"""Speech synthesis as a listener meets it: every reply of the assistant can be spoken in both
languages, nothing unsayable reaches the voice, the rate and format options do what they say."""
from __future__ import annotations

import os
import re
import stat
import string
import subprocess
import sys

import numpy as np
import pytest

from actions.messages import TEXTS
from basics.spoken import for_speech
from voice.audio import Audio, encode, read_wav, resample
from voice.speaker import Speaker
from voice.tts import EspeakNG

SAMPLES = {"amount": "125.40 ₾", "fee": "25 GEL", "number": "MG-2026-000042", "date": "2026-03-14", "time": "14:30",
           "code": "01.10.14.004.018.01.500", "phone_end": "56", "count": "3", "n": "2", "total": "5", "left": "2",
           "unread": "1", "minutes": "15", "hours": "24", "share": "50%", "value": "01001012345"}
SAYABLE = {"ka": re.compile(r"[\u10D0-\u10FF .,?!:;'-]*"), "en": re.compile(r"[A-Za-z .,?!:;'-]*")}


def filled(template: str) -> str:
    names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
    return template.format(**{n: SAMPLES.get(n, "My.gov ID") for n in names})


@pytest.fixture(scope="module")
def speaker() -> Speaker:
    return Speaker(EspeakNG(), cache_dir=None)


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_every_reply_is_speakable_and_synthesises(speaker: Speaker, lang: str) -> None:
    for key, texts in TEXTS.items():
        text = filled(texts[lang])
        spoken = for_speech(text, lang)
        assert SAYABLE[lang].fullmatch(spoken), f"{key}: unsayable characters left in {spoken!r}"
        audio = speaker.speak(text, lang, rate=450)
        assert audio.duration > 0.2 and np.abs(audio.samples).max() > 1000, f"{key} ({lang}) is silent"


def test_speaking_rate_changes_how_long_a_reply_takes(speaker: Speaker) -> None:
    for lang in ("ka", "en"):
        text = TEXTS["help"][lang]
        slow, normal, fast = (speaker.speak(text, lang, rate).duration for rate in (80, 175, 450))
        assert slow > 1.8 * normal and normal > 1.8 * fast


def test_the_georgian_voice_does_not_clip(speaker: Speaker) -> None:
    for texts in TEXTS.values():
        audio = speaker.speak(filled(texts["ka"]), "ka", 175)
        assert np.abs(audio.samples.astype(int)).max() < 32000


def test_output_rates_and_mu_law_round_trip(speaker: Speaker) -> None:
    audio = speaker.speak(TEXTS["greet"]["en"], "en", 175)
    assert read_wav(encode(audio, "wav16k")).rate == 16000
    assert read_wav(encode(audio, "wav22k")).rate == 22050
    phone = encode(audio, "ulaw8k")
    assert phone[20:22] == b"\x07\x00"  # WAVE_FORMAT_MULAW
    back = read_wav(phone)
    assert back.rate == 8000 and abs(back.duration - audio.duration) < 0.01
    reference = resample(audio, 8000).samples.astype(float)
    n = min(len(reference), len(back.samples))
    assert np.corrcoef(reference[:n], back.samples[:n].astype(float))[0, 1] > 0.99


class CountingSynth:
    name = "counting"

    def __init__(self) -> None:
        self.calls = 0

    def synthesize(self, text: str, lang: str, rate: int, volume: float) -> Audio:
        self.calls += 1
        return Audio(np.full(1600, 1000, dtype=np.int16), 16000)


def test_repeated_prompts_come_from_the_cache(tmp_path) -> None:
    synth = CountingSynth()
    first = Speaker(synth, tmp_path)
    for _ in range(3):  # a reply whose hint says it is the same for everyone
        first.speak("Please say yes or no.", "en", 175, cacheable=True)
    first.speak("Please say yes or no.", "en", 200, cacheable=True)  # another rate is another recording
    assert synth.calls == 2
    Speaker(synth, tmp_path).speak("Please say yes or no.", "en", 175, cacheable=True)  # a new process finds it on disk
    assert synth.calls == 2
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()} == {0o600}


def test_personal_replies_are_never_kept(tmp_path) -> None:
    """A filled-in reply (a debt, a name) is synthesised every time and written nowhere."""
    synth = CountingSynth()
    speaker = Speaker(synth, tmp_path)
    personal = "Giorgi Maisuradze, your tax debt is 125.40 GEL."
    for _ in range(3):
        speaker.speak(personal, "en", 175)
    speaker.speak("Please say yes or no.", "en", 175)  # a reply without a hint saying it is fixed: not kept either
    assert synth.calls == 4 and speaker.hits == 0
    assert list(tmp_path.iterdir()) == []


def test_the_cache_is_capped_in_entries_and_bytes(tmp_path) -> None:
    prompts = [TEXTS[key]["en"] for key in ("yes_or_no", "greet", "help", "goodbye")]
    by_items = Speaker(CountingSynth(), tmp_path / "items", cache_items=2)
    by_bytes = Speaker(CountingSynth(), tmp_path / "bytes", cache_bytes=2 * 3300)  # room for two recordings of 3200 bytes (and their headers)
    for speaker in (by_items, by_bytes):
        for text in prompts:
            speaker.speak(text, "en", 175, cacheable=True)
        assert len(list(speaker.cache.directory.iterdir())) == 2  # type: ignore[union-attr]
        speaker.speak(prompts[-1], "en", 175, cacheable=True)  # the newest is kept ...
        speaker.speak(prompts[0], "en", 175, cacheable=True)  # ... the oldest was evicted, from memory and disk
        assert speaker.synthesizer.calls == len(prompts) + 1  # type: ignore[attr-defined]


def test_an_older_cache_of_every_reply_is_cleared(tmp_path) -> None:
    old = tmp_path / ("ab" * 32 + ".wav")  # how the cache named files when it kept everything
    old.write_bytes(b"RIFF")
    Speaker(CountingSynth(), tmp_path)
    assert not old.exists()


def test_say_command_writes_the_requested_file(tmp_path) -> None:
    out = tmp_path / "fee.wav"
    env_run = [sys.executable, "-m", "assistant.cli", "say", "თქვენი გადასახადია 125.40 ₾.", "--format", "ulaw8k",
               "--rate", "300", "--out", str(out)]
    done = subprocess.run(env_run, capture_output=True, text=True, env=_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert read_wav(out).rate == 8000 and "ka" in done.stdout
    too_fast = subprocess.run(env_run[:-4] + ["--rate", "900", "--out", str(out)], capture_output=True, text=True,
                              env=_env(tmp_path))
    assert too_fast.returncode == 2 and "80" in too_fast.stdout


def _env(tmp_path) -> dict[str, str]:
    return {**os.environ, "MYGOV_DATA_DIR": str(tmp_path), "MYGOV_SETTINGS_FILE": str(tmp_path / "none.yml")}
