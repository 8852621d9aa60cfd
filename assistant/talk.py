"""`assistant talk [--lang ka|en]`: a spoken conversation with the running assistant; with
`--input-wav FILE... --output-dir DIR` it runs headless (one file per user turn)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from basics.settings import get_settings
from voice.audio import FORMATS


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("talk", help="talk to the running assistant by voice (microphone, or WAV files)")
    parser.add_argument("--lang", choices=("ka", "en"), default="ka", help="the language to start listening in")
    parser.add_argument("--input-wav", nargs="+", type=Path, metavar="FILE", help="headless: one WAV per user turn")
    parser.add_argument("--output-dir", type=Path, help="headless: where replies and transcript.json are written")
    parser.add_argument("--format", choices=FORMATS, default="wav22k", help="headless reply audio format")
    parser.add_argument("--webhook", help="the assistant's REST webhook (default: from settings)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from voice.speaker import Speaker  # loads speech models: only for this command
    from voice.talk import AssistantClient, TalkSession
    from voice.tts import local_synthesizer
    settings = get_settings()
    speaker = Speaker.from_settings(settings, local_synthesizer(settings))
    session = TalkSession(settings, AssistantClient(args.webhook or f"{settings.rasa_url}/webhooks/rest/webhook",
                                                     settings.kept_secret("rest_secret")),
                          args.lang, speaker=speaker)
    if args.input_wav:
        if not args.output_dir:
            print("talk: --input-wav needs --output-dir", file=sys.stderr)
            return 2
        from voice.headless import run_files
        transcript = run_files(session, args.input_wav, args.output_dir, args.format)
        for entry in transcript:
            print(f"user: {entry['user']['text'] or entry['user']['problem']}\nassistant: {' '.join(entry['assistant']['replies'])}")
        print(f"{len(transcript)} turns; replies and transcript.json in {args.output_dir}")
        return 0
    from voice.devices import available, run_microphone
    problem = available()
    if problem:
        print(f"talk: {problem}", file=sys.stderr)
        return 2
    return run_microphone(session)
