"""`assistant web`: serve the demo portal pages with the widget, and the widget's speech endpoints."""
from __future__ import annotations

import argparse
import logging
import sys

from basics.ports import PortInUse, ensure_free
from basics.settings import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("web", help="serve the demo portal pages with the chat widget (port 8080)")
    parser.add_argument("--host", help="address to listen on (default from settings: 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default from settings: 8080)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from assistant.web.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = get_settings().with_overrides(web_host=args.host, web_port=args.port)
    try:
        ensure_free(settings.web_host, settings.web_port, "The web page")
    except PortInUse as exc:
        print(exc, file=sys.stderr)
        return 1
    uvicorn.run(create_app(settings), host=settings.web_host, port=settings.web_port,
                access_log=False, log_level="info", ws="none")
    return 0
