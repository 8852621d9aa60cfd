"""The `assistant` command: one entry point whose subcommands live beside the code they drive."""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Sequence

# Each module has register(subparsers), which adds its subcommands and sets `func` on them.
SUBCOMMAND_MODULES = (
    "assistant.up",
    "assistant.train",
    "assistant.chat",
    "portal.cli",
    "catalog_index.cli",
    "assistant.say",
    "assistant.listen",
    "assistant.talk",
    "assistant.web.cli",
    "assistant.phone",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant",
        description="My.gov assistant: an accessible voice and chat assistant for the e-government portal.",
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    os.umask(0o077)  # databases, secrets, recordings and logs in the data directory are private
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
