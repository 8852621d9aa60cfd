"""Voice benchmark (not a test): TTS real-time factor, time from the end of the user's speech to
reply audio with offline engines, and command-recogniser accuracy on clean and 8 kHz phone audio.

Run: .venv/bin/python benchmarks/voice_bench.py [--voices rms,slt]
The assistant's own reply time (Rasa) is left out: it is measured in the conversation benchmark;
here a fixed reply stands in for it so the numbers are the voice layer's alone."""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from actions.messages import TEXTS  # noqa: E402
from basics.settings import load_settings  # noqa: E402
from basics.spoken import for_speech  # noqa: E402
from voice.commands import CommandRecognizer  # noqa: E402
from voice.listener import Listener  # noqa: E402
from voice.speaker import Speaker  # noqa: E402
from voice.synthetic import over_the_phone, user_says  # noqa: E402
from voice.tts import VOICES, EspeakNG  # noqa: E402
from voice.vad import frames  # noqa: E402

IN_GRAMMAR = ("yes no repeat back next previous cancel help slower faster stop spell one two three four five six "
              "seven eight nine zero").split() + ["one two three", "four five six seven"]
OUT_OF_GRAMMAR = ["hello", "banana", "what is the weather today", "I want to change my address", "my messages",
                  "tax debt", "talk to a person", "good morning", "thank you", "goodbye", "apply for a passport",
                  "please", "address", "message", "nest", "yesterday", "helpful", "bank"]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def tts_rtf() -> None:
    synth = EspeakNG()
    for lang in ("ka", "en"):
        ratios, firsts = [], []
        for texts in list(TEXTS.values())[:40]:
            text = for_speech(texts[lang].replace("{", "").replace("}", ""), lang)
            start = time.perf_counter()
            audio = synth.synthesize(text, lang, 175, 1.0)
            elapsed = time.perf_counter() - start
            if audio.duration > 0.5:
                ratios.append(elapsed / audio.duration)
            firsts.append(first_byte(text, lang))
        print(f"| TTS {lang} real-time factor (p50 / p95) | {pct(ratios, .5):.4f} / {pct(ratios, .95):.4f} |")
        print(f"| TTS {lang} first audio byte, ms (p50 / p95) | {pct(firsts, .5):.0f} / {pct(firsts, .95):.0f} |")


def first_byte(text: str, lang: str) -> float:
    """espeak-ng streaming to a pipe: time until the first samples after the 44-byte header."""
    start = time.perf_counter()
    process = subprocess.Popen(["espeak-ng", "-v", VOICES[lang], "-b", "1", "--stdin", "--stdout"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    process.stdin.write(text.encode())
    process.stdin.close()
    process.stdout.read(44 + 2)
    elapsed = (time.perf_counter() - start) * 1000
    process.stdout.read()
    process.wait()
    return elapsed


def end_of_speech_to_reply(voice: str) -> None:
    """From the frame where the endpointer says "the user has finished" to complete reply audio.

    The utterance is decoded while it arrives (LiveUtterance), so the frames are fed before the clock
    starts; feeding is timed too: if it were slower than real time, the lag would add to the wait, and
    it is counted in (``max(0, feed time - audio time)``)."""
    settings = load_settings({"MYGOV_SETTINGS_FILE": "/nonexistent.yml"})
    listener, speaker = Listener(settings), Speaker(EspeakNG(), None)
    listener.hear(user_says("yes", voice), "en", commands_first=True)  # load the models first
    totals, feed_ratios = [], []
    for words in ["help", "repeat", "one two three", "yes", "I want to change my address", "my messages"]:
        live = listener.live("en", commands_first=True)
        fed = 0
        feeding = time.perf_counter()
        for frame in frames(user_says(words, voice)) + [b"\0" * 640] * 50:
            fed += 1
            if live.feed(frame):
                break
        feed_seconds, audio_seconds = time.perf_counter() - feeding, fed * 0.02
        feed_ratios.append(feed_seconds / audio_seconds)
        start = time.perf_counter()  # the turn has just ended
        heard = live.heard()
        speaker.speak(TEXTS["help"]["en"] if heard.transcript.text else TEXTS["yes_or_no"]["en"], "en", 175)
        lag = max(0.0, feed_seconds - audio_seconds)
        totals.append((time.perf_counter() - start + lag) * 1000)
    print(f"| end of speech to reply audio, offline, ms, {voice} (p50 / p95 / max) | "
          f"{pct(totals, .5):.0f} / {pct(totals, .95):.0f} / {max(totals):.0f} |")
    print(f"| decoding while the user speaks, {voice}: real-time factor (p50 / max) | "
          f"{pct(feed_ratios, .5):.2f} / {max(feed_ratios):.2f} |")


def commands(voice: str, recognizer: CommandRecognizer) -> None:
    for line, degrade in (("clean", lambda a: a), ("8 kHz mu-law", over_the_phone)):
        right = sum(recognizer.recognize(degrade(user_says(t, voice))).text == t for t in IN_GRAMMAR)
        false = sum(bool(recognizer.recognize(degrade(user_says(t, voice))).text) for t in OUT_OF_GRAMMAR)
        print(f"| commands, flite {voice}, {line}: correct / false accepts | {right}/{len(IN_GRAMMAR)} / "
              f"{false}/{len(OUT_OF_GRAMMAR)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--voices", default="rms,slt", help="flite voices saying the user's words")
    voices = parser.parse_args().voices.split(",")
    print("| measure | value |\n|---|---|")
    tts_rtf()
    for voice in voices:
        end_of_speech_to_reply(voice)
    recognizer = CommandRecognizer()
    for voice in voices:
        commands(voice, recognizer)


if __name__ == "__main__":
    main()
