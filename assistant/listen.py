"""`assistant listen FILE.wav [--lang ka|en] [--commands] --json`: what a recording says."""
from __future__ import annotations

import argparse
import json

from basics.settings import get_settings
from voice.listener import Listener
from voice.prompts import prompt


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("listen", help="recognise the speech in a WAV file")
    parser.add_argument("file")
    parser.add_argument("--lang", choices=("ka", "en"), default="en")
    parser.add_argument("--commands", action="store_true",
                        help="only yes/no, digits and navigation words (offline, English); anything else is rejected")
    parser.add_argument("--json", action="store_true", help='print {"text", "confidence", "engine"}')
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    heard = Listener(get_settings()).hear_file(args.file, args.lang, commands_only=args.commands)
    result = {"text": heard.transcript.text, "confidence": heard.transcript.confidence, "engine": heard.transcript.engine}
    if heard.problem:
        result |= {"problem": heard.problem, "message": prompt(heard.problem, args.lang), "detail": heard.detail}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(result.get("message") or result["text"] or prompt("not_understood", args.lang))
    return 1 if heard.problem else 0
