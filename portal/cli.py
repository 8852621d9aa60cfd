"""`assistant portal`: serve the portal backend alone, or restore its demo data."""
from __future__ import annotations

import argparse
import logging
import sys

from basics.ports import PortInUse, ensure_free
from basics.settings import Settings, get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("portal", help="serve the portal backend (our stand-in for My.gov.ge's API)")
    parser.add_argument("--host", help="address to listen on (default from settings: 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default from settings: 8000)")
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: SQLite file in the data directory)")
    parser.add_argument("--reset-demo", action="store_true", help="restore the demo data to its initial state and exit")
    parser.set_defaults(func=run)


def portal_settings(args: argparse.Namespace) -> Settings:
    return get_settings().with_overrides(portal_host=args.host, portal_port=args.port, database_url=args.database_url)


def serve(settings: Settings) -> None:
    import uvicorn

    from portal.app import create_app

    ensure_free(settings.portal_host, settings.portal_port, "The portal")
    # proxy_headers off: uvicorn would believe X-Forwarded-For from 127.0.0.1; portal/attempts.py decides whom to believe.
    uvicorn.run(create_app(settings), host=settings.portal_host, port=settings.portal_port,
                access_log=False, log_level="info", ws="none", proxy_headers=False)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = portal_settings(args)
    if args.reset_demo:
        from portal.db import make_engine
        from portal.demo_data import reset_demo_data

        reset_demo_data(make_engine(settings.sqlalchemy_url))
        print("The portal's demo data is back to its initial state.")
        return 0
    from portal.errors import UnsafeSettings

    try:
        serve(settings)
    except (PortInUse, UnsafeSettings) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0
