"""The portal's ASGI application: routes, one error shape, a body-size limit, logs without personal data."""
from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import logging
import time
import traceback
from functools import partial
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from basics.settings import Settings
from portal import agency, retention, routes_applications, routes_auth, routes_catalogue, routes_inbox, routes_links, routes_me
from portal.attempts import Lockout, SourceThrottle
from portal.background import every
from portal.context import PortalContext
from portal.db import make_engine, make_session_factory
from portal.demo_data import ensure_demo_data
from portal.errors import ApiError, UnsafeSettings
from portal.responses import Health, errors
from portal.security import TokenService

log = logging.getLogger("portal")
_HERE = Path(__file__).parent


class BodyLimit:
    """Refuse bodies over the limit with 413 before the application reads them, declared or chunked.

    A declared length is checked at once (the server never delivers more than it). A chunked body is
    read here up to the limit and handed on whole, so no handler meets the overflow halfway.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None:
            if declared.isdigit() and int(declared) > self.max_bytes:
                return await _too_large(self.max_bytes, send)
            return await self.app(scope, receive, send)
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                return await _too_large(self.max_bytes, send)
            more = message.get("more_body", False)
        whole: list[Message] = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

        async def replay() -> Message:
            return whole.pop() if whole else await receive()

        await self.app(scope, replay, send)


UNSTORABLE = ApiError(400, "bad_characters", "The address contains a character that cannot be stored (NUL).",
                      "მისამართი შეიცავს სიმბოლოს, რომელსაც ვერ შევინახავთ (NUL).")


class NoNul:
    """Refuse a NUL character in the path or query (400) before any handler: PostgreSQL cannot store or compare it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and ("\x00" in scope["path"] or b"%00" in scope.get("query_string", b"")):
            return await _send_error(UNSTORABLE, send)
        await self.app(scope, receive, send)


async def _too_large(max_bytes: int, send: Send) -> None:
    await _send_error(ApiError(413, "too_large", f"The request is larger than {max_bytes // (1024 * 1024)} MB.",
                               f"მოთხოვნა {max_bytes // (1024 * 1024)} მბ-ზე დიდია."), send)


async def _send_error(error: ApiError, send: Send) -> None:
    """An error answered by a middleware, outside FastAPI, in the one error shape."""
    body = json.dumps(error.body(), ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": error.status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def _error_response(error: ApiError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status, headers=error.headers)


def _route(request: Request) -> str:
    """The route template (/v1/applications/{application_id}), never the path with its ids."""
    return getattr(request.scope.get("route"), "path", "-")


def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    problems = exc.errors()
    if any(p.get("type") == "json_invalid" for p in problems):
        return _error_response(ApiError(400, "malformed_json", "The request body is not valid JSON.",
                                        "მოთხოვნის შიგთავსი არ არის სწორი JSON."))
    fields: dict[str, Any] = {}
    for problem in problems:
        location = [str(part) for part in problem.get("loc", ()) if part not in ("body", "query", "path", "header")]
        fields[".".join(location) or "body"] = {"code": problem.get("type", "invalid"),
                                                "message": {"en": problem.get("msg", ""), "ka": "არასწორი მნიშვნელობა."}}
    return _error_response(ApiError(422, "invalid_request", "Some values are missing or of the wrong type.",
                                    "ზოგიერთი მნიშვნელობა აკლია ან არასწორი ტიპისაა.", fields))


def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    codes = {400: ("malformed_json", "The request body is not valid JSON (or holds a number too long to read).",
                   "მოთხოვნის შიგთავსი არ არის სწორი JSON (ან შეიცავს ზედმეტად გრძელ რიცხვს)."),  # FastAPI's only 400
             404: ("not_found", "There is nothing at this address.", "ამ მისამართზე არაფერია."),
             405: ("method_not_allowed", "This method is not allowed here.", "ეს მეთოდი აქ დაუშვებელია.")}
    code, en, ka = codes.get(exc.status_code, ("http_error", str(exc.detail), "შეცდომა."))
    return _error_response(ApiError(exc.status_code, code, en, ka))


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    """Log where it broke (route template, exception type, the portal's own file and line), never what was sent:
    exception messages and tracebacks can hold bodies, SQL parameters and personal numbers."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [frame for frame in frames if Path(frame.filename).parent == _HERE] or frames
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else "-"
    log.error("500 %s %s: %s at %s", request.method, _route(request), type(exc).__name__, where)
    return _error_response(ApiError(500, "internal", "Something went wrong on our side. Nothing you sent was lost; try again.",
                                    "ჩვენს მხარეს რაღაც შეფერხდა. გამოგზავნილი არ დაკარგულა; სცადეთ თავიდან."))


def _refuse_unsafe(settings: Settings) -> None:
    """The development outbox shows one-time codes to anyone who asks: never on an address others can reach."""
    try:
        loopback = settings.portal_host == "localhost" or ipaddress.ip_address(settings.portal_host).is_loopback
    except ValueError:
        loopback = False
    if settings.dev_outbox and not loopback:
        raise UnsafeSettings(f"The development SMS outbox (dev_outbox) shows one-time login codes to anyone, so the "
                             f"portal will not run it on {settings.portal_host}. Turn it off (MYGOV_DEV_OUTBOX=false) "
                             f"or listen on 127.0.0.1.")


def create_app(settings: Settings, run_agency_worker: bool = True) -> FastAPI:
    _refuse_unsafe(settings)
    engine = make_engine(settings.sqlalchemy_url)
    sessions = make_session_factory(engine)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if await asyncio.to_thread(ensure_demo_data, engine):
            log.info("seeded the demo data")
        workers = [asyncio.create_task(every(settings.retention_sweep_seconds, partial(retention.sweep, sessions, settings),
                                             "retention sweep deleted %d row(s)"))]
        if run_agency_worker:
            workers.append(asyncio.create_task(every(
                settings.agency_worker_interval_seconds,
                partial(agency.answer_due, sessions, settings.agency_reply_delay_seconds),
                "agency worker answered %d application(s)")))
        yield
        for worker in workers:
            worker.cancel()
        engine.dispose()

    app = FastAPI(title="My.gov portal (reference backend)", version="1.0",
                  description="Our stand-in for My.gov.ge's API: catalogue, identity, informational services, "
                              "applications with qualified e-signature, electronic communication and replies.",
                  lifespan=lifespan, responses=errors(400, 413, 422, 500))
    tokens = TokenService(settings.kept_secret("secret_key"), settings.token_ttl_seconds)
    app.state.portal = PortalContext(settings=settings, sessions=sessions, tokens=tokens,
                                     lockout=Lockout(settings.lockout_attempts, settings.lockout_minutes),
                                     throttle=SourceThrottle(settings.source_throttle_after, settings.source_throttle_max_seconds,
                                                             settings.trusted_proxies, partial(tokens.digest, "source")),
                                     agency_key=settings.kept_secret("agency_api_key"))
    for module in (routes_catalogue, routes_auth, routes_me, routes_applications, routes_inbox, agency, routes_links):
        app.include_router(module.router)
    if settings.dev_outbox:
        app.include_router(routes_auth.outbox_router)
    app.add_exception_handler(ApiError, lambda _, exc: _error_response(exc))
    # Starlette types every handler as taking any Exception, though it calls each only with the class it is registered for.
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)  # for what fails outside the access log (the body limit)

    @app.middleware("http")
    async def access_log(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """Method, route template, status and time only: never ids, bodies or personal numbers.

        An unexpected error is answered here, so it never travels on to the server's own traceback log.
        """
        started = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception as exc:
            response = _unexpected(request, exc)
        log.info("%s %s %d %.0fms", request.method, _route(request), response.status_code,
                 (time.perf_counter() - started) * 1000)
        return response

    @app.get("/health", tags=["service"], response_model=Health)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(NoNul)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app
