"""`assistant train`: train the conversation model if its inputs changed (cached by their hash)."""
from __future__ import annotations

import argparse
from pathlib import Path

from assistant.rasa_runtime import CONFIG, ensure_model
from basics.settings import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("train", help="train the conversation model (only when its training data changed)")
    parser.add_argument("--config", type=Path, default=CONFIG, help="Rasa pipeline and policies (default: config.yml)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    print(f"Model: {ensure_model(get_settings(), args.config)}")
    return 0
