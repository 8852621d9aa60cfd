"""The portal's ASGI application: routes, one error shape, a body-size limit, logs without personal data."""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any, AsyncIterator

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.settings import Settings
from portal import agency, routes_applications, routes_auth, routes_catalogue, routes_inbox, routes_me
from portal import routes_links
from portal.context import PortalContext
from portal.db import make_engine, make_session_factory
from portal.demo_data import ensure_demo_data
from portal.errors import ApiError
from portal.security import Lockout, TokenService

log = logging.getLogger("portal")


class BodyLimit:
    """Refuse bodies over the limit with 413 before reading them whole, declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            return await _too_large(self.max_bytes, send)
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise ApiError(413, "too_large", "The request is too large.", "მოთხოვნა ძალიან დიდია.")
            return message

        await self.app(scope, limited, send)


async def _too_large(max_bytes: int, send: Send) -> None:
    error = ApiError(413, "too_large", f"The request is larger than {max_bytes // (1024 * 1024)} MB.",
                     f"მოთხოვნა {max_bytes // (1024 * 1024)} მბ-ზე დიდია.")
    body = json.dumps(error.body(), ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def _error_response(error: ApiError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status)


def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    problems = exc.errors()
    if any(p.get("type") == "json_invalid" for p in problems):
        return _error_response(ApiError(400, "malformed_json", "The request body is not valid JSON.",
                                        "მოთხოვნის შიგთავსი არ არის სწორი JSON."))
    fields: dict[str, Any] = {}
    for problem in problems:
        location = [str(part) for part in problem.get("loc", ()) if part not in ("body", "query", "path", "header")]
        fields[".".join(location) or "body"] = {"code": problem.get("type", "invalid"), "message": {"en": problem.get("msg", ""), "ka": "არასწორი მნიშვნელობა."}}
    return _error_response(ApiError(422, "invalid_request", "Some values are missing or of the wrong type.",
                                    "ზოგიერთი მნიშვნელობა აკლია ან არასწორი ტიპისაა.", fields))


def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    codes = {404: ("not_found", "There is nothing at this address.", "ამ მისამართზე არაფერია."),
             405: ("method_not_allowed", "This method is not allowed here.", "ეს მეთოდი აქ დაუშვებელია.")}
    code, en, ka = codes.get(exc.status_code, ("http_error", str(exc.detail), "შეცდომა."))
    return _error_response(ApiError(exc.status_code, code, en, ka))


def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected %s", type(exc).__name__)
    return _error_response(ApiError(500, "internal", "Something went wrong on our side. Nothing you sent was lost; try again.",
                                    "ჩვენს მხარეს რაღაც შეფერხდა. გამოგზავნილი არ დაკარგულა; სცადეთ თავიდან."))


def create_app(settings: Settings, run_agency_worker: bool = True) -> FastAPI:
    engine = make_engine(settings.sqlalchemy_url)
    sessions = make_session_factory(engine)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if await asyncio.to_thread(ensure_demo_data, engine):
            log.info("seeded the demo data")
        worker = None
        if run_agency_worker:
            worker = asyncio.create_task(agency.run_worker(sessions, settings.agency_reply_delay_seconds,
                                                           settings.agency_worker_interval_seconds))
        yield
        if worker:
            worker.cancel()
        engine.dispose()

    app = FastAPI(title="My.gov portal (reference backend)", version="1.0",
                  description="Our stand-in for My.gov.ge's API: catalogue, identity, informational services, "
                              "applications with qualified e-signature, electronic communication and replies.",
                  lifespan=lifespan)
    app.state.portal = PortalContext(settings=settings, sessions=sessions,
                                     tokens=TokenService(settings.kept_secret("secret_key"), settings.token_ttl_seconds),
                                     lockout=Lockout(settings.lockout_attempts, settings.lockout_minutes),
                                     agency_key=settings.kept_secret("agency_api_key"))
    for module in (routes_catalogue, routes_auth, routes_me, routes_applications, routes_inbox, agency, routes_links):
        app.include_router(module.router)
    if settings.dev_outbox:
        app.include_router(routes_auth.outbox_router)
    app.add_exception_handler(ApiError, lambda _, exc: _error_response(exc))
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)

    @app.middleware("http")
    async def access_log(request: Request, call_next):  # type: ignore[no-untyped-def]
        """Method, route template and status only: never ids, bodies or personal numbers."""
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        log.info("%s %s %d %.0fms", request.method, getattr(route, "path", "-"), response.status_code,
                 (time.perf_counter() - started) * 1000)
        return response

    @app.get("/health", tags=["service"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app
