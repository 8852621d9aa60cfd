"""The action server as the product runs it: rasa-sdk's app, on loopback by default, for Rasa only.

rasa-sdk binds 0.0.0.0 and answers anyone; its error handler echoes the whole request (the tracker)
back. Here it listens on ``actions_host`` and refuses every call to ``/webhook`` that does not carry
the shared secret Rasa sends (``Authorization: Bearer <actions_secret>``, written into Rasa's
endpoints by assistant/rasa_runtime.py), and an unexpected error answers without the request.
"""
from __future__ import annotations

import hmac
import logging
import os
from typing import Any

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from sanic import response
from sanic.request import Request

from basics.settings import get_settings

log = logging.getLogger(__name__)
ACTIONS_PACKAGE = "actions"


def build_app(secret: str) -> Any:
    app = create_app(ACTIONS_PACKAGE, cors_origins=[])

    @app.middleware("request")
    async def admit(request: Request) -> Any:
        if request.path == "/health":
            return None
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {secret}".encode()):
            return response.json({"error": "unauthorized"}, status=401)
        return None

    @app.exception(Exception)
    async def failed(request: Request, exception: Exception) -> Any:
        log.error("action server error on %s: %s", request.path, type(exception).__name__)
        return response.json({"error": "internal error"}, status=500)

    return app


def main() -> None:
    os.umask(0o077)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    app = build_app(settings.kept_secret("actions_secret"))
    log.info("action server on http://%s:%s", settings.actions_host, settings.actions_port)
    app.run(settings.actions_host, settings.actions_port, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
