"""`assistant say "TEXT" [--lang ka|en] [--rate WPM] --out FILE.wav`: speak a text into a file."""
from __future__ import annotations

import argparse
from pathlib import Path

from basics.settings import get_settings
from basics.speech_rate import MAX_RATE, MIN_RATE
from catalog_index.language import guess_language
from voice.audio import FORMATS, encode
from voice.speaker import Speaker


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("say", help="speak a text (Georgian or English) into a WAV file")
    parser.add_argument("text")
    parser.add_argument("--lang", choices=("ka", "en"), help="default: guessed from the text, else English")
    parser.add_argument("--rate", type=int, help=f"words per minute, {MIN_RATE}-{MAX_RATE} (default: settings)")
    parser.add_argument("--volume", type=float, help="0.0-2.0 (default: settings)")
    parser.add_argument("--format", choices=FORMATS, default="wav22k",
                        help="wav16k, wav22k (22.05 kHz) or ulaw8k (8 kHz mu-law, telephone)")
    parser.add_argument("--out", type=Path, required=True, help="the WAV file to write")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    if args.rate is not None and not MIN_RATE <= args.rate <= MAX_RATE:
        print(f"say: --rate must be between {MIN_RATE} and {MAX_RATE} words per minute")
        return 2
    lang = args.lang or guess_language(args.text) or "en"
    audio = Speaker.from_settings(settings).speak(args.text, lang, args.rate or settings.voice_rate,
                                                  settings.voice_volume if args.volume is None else args.volume)
    args.out.write_bytes(encode(audio, args.format))
    print(f"{args.out}: {audio.duration:.2f} s, {lang}, {args.format}")
    return 0
