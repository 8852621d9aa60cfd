"""The web front: demo portal pages with the widget, the widget's script, and the speech endpoints the
widget's microphone and voice replies use. The conversation itself goes straight from the browser to
Rasa's socket.io channel; this server never sees it."""
from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from assistant.web.pages import WidgetTag, account_page, login_page, prefix, public_page
from assistant.web.speech import Speech
from basics.client_source import client_source
from basics.settings import Settings
from basics.speech_rate import DEFAULT_RATE, MAX_RATE, MIN_RATE
from portal_client.client import PortalClient
from portal_client.errors import PortalError
from voice.limits import PerSourceLimit
from voice.prompts import prompt

STATIC = Path(__file__).parent / "static"
TOKEN_COOKIE = "mygov_token"
log = logging.getLogger("assistant.web")


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="My.gov assistant: web pages and speech", docs_url=None, redoc_url=None)
    rasa = settings.web_rasa_url or settings.rasa_url

    @app.get("/health", include_in_schema=False)
    def health() -> dict:
        return {"status": "ok"}

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/widget.js", include_in_schema=False)
    def widget() -> Response:
        script = STATIC / "widget.js"
        if not script.exists():
            return Response("// The widget is not built: run `make run` (it builds widget/ with npm).", 503,
                            media_type="text/javascript")
        return FileResponse(script, media_type="text/javascript", headers={"Cache-Control": "no-cache"})

    for lang in ("ka", "en"):
        _pages(app, settings, lang, rasa)

    _speech_endpoints(app, settings, Speech(settings))

    return app


def _speech_endpoints(app: FastAPI, settings: Settings, speech: Speech) -> None:
    """Recognition and synthesis for the widget. Anyone can call them, so each source gets
    ``web_speech_requests_per_minute`` per endpoint, bodies are capped before they are read in full,
    and the text to speak is capped at ``web_speech_max_chars``. What is spoken is never kept
    (voice/speaker.py caches fixed prompts only)."""
    recognitions = PerSourceLimit(settings.web_speech_requests_per_minute)
    syntheses = PerSourceLimit(settings.web_speech_requests_per_minute)

    @app.post("/api/speech/recognise")
    async def recognise(request: Request, lang: str = "en") -> JSONResponse:
        wait = recognitions.admit(_source(request, settings))
        if wait:
            return _refused("too_many_requests", lang, 429, wait)
        body = await _body(request, settings.web_max_audio_bytes)
        if body is None:
            return _refused("too_long", lang, 413)
        result = await run_in_threadpool(speech.recognise, body, lang)
        return JSONResponse(result, 200)

    @app.post("/api/speech/synthesise")
    async def synthesise(request: Request) -> Response:
        wait = syntheses.admit(_source(request, settings))
        if wait:
            return _refused("too_many_requests", "ka", 429, wait)
        body = await _body(request, settings.web_speech_max_chars * JSON_BYTES_PER_CHAR + 1024)
        if body is None:
            return _refused("text_too_long", "ka", 413)
        try:
            wanted = json.loads(body)
            text, lang, rate = wanted["text"], wanted.get("lang", "ka"), int(wanted.get("rate", DEFAULT_RATE))
            if not isinstance(text, str) or lang not in ("ka", "en") or not text.strip():
                raise ValueError("no text, or another language")
            text.encode("utf-8")  # a lone surrogate (\ud800) is not text anyone can speak
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError):
            return JSONResponse({"error": f"Send JSON: {{\"text\": \"...\", \"lang\": \"ka\" or \"en\", "
                                          f"\"rate\": {MIN_RATE}-{MAX_RATE}}}."}, 400)
        if len(text) > settings.web_speech_max_chars:
            return _refused("text_too_long", lang, 413)
        audio = await run_in_threadpool(speech.synthesise, text, lang, rate)
        return Response(audio, media_type="audio/wav")


# The longest JSON spelling of one character: a surrogate pair escaped as two \uXXXX.
JSON_BYTES_PER_CHAR = 12


def _refused(problem: str, lang: str, status: int, retry_after: int = 0) -> JSONResponse:
    """A refusal the widget can show and say: ``message`` in the page's language, ``messages`` in both.
    ``text`` and ``confidence`` keep the shape of a recognition result, which the widget reads."""
    body = {"text": "", "confidence": 0.0, "problem": problem, "message": prompt(problem, lang),
            "messages": {"ka": prompt(problem, "ka"), "en": prompt(problem, "en")}}
    return JSONResponse(body, status, headers={"Retry-After": str(retry_after)} if retry_after else None)


async def _body(request: Request, limit: int) -> bytes | None:
    """The request body, or None as soon as it is longer than ``limit`` (never read in full)."""
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > limit:
            return None
    return bytes(received)


def _source(request: Request, settings: Settings) -> str:
    return client_source(request.client.host if request.client else None,
                         request.headers.get("x-forwarded-for", ""), settings.trusted_proxies)


def _pages(app: FastAPI, settings: Settings, lang: str, rasa: str) -> None:
    """The public page, the sign-in page and the signed-in page in one language."""
    base = prefix(lang)
    public = WidgetTag(rasa)

    @app.get(f"{base}/", response_class=HTMLResponse, include_in_schema=False)
    def home() -> str:
        return public_page(lang, public)

    @app.get(f"{base}/account", response_class=HTMLResponse, include_in_schema=False)
    async def account(request: Request) -> Response:
        token = request.cookies.get(TOKEN_COOKIE)
        if not token:
            return HTMLResponse(login_page(lang, public))
        try:
            async with PortalClient(settings, token=token) as portal:
                me = await portal.me()
        except PortalError:
            page = HTMLResponse(login_page(lang, public, "expired"))
            page.delete_cookie(TOKEN_COOKIE)
            return page
        tag = WidgetTag(rasa, token, int(me.get("speech_rate") or DEFAULT_RATE))
        return HTMLResponse(account_page(lang, tag, me["name"][lang]))

    @app.post(f"{base}/account/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
        personal_number = (form.get("personal_number") or [""])[0].strip()
        pin = (form.get("pin") or [""])[0].strip()
        try:
            async with PortalClient(settings) as portal:
                token = await portal.login_with_phone_pin(personal_number, pin)
        except PortalError:
            return HTMLResponse(login_page(lang, public, "bad_login"), 401)
        done = RedirectResponse(f"{base}/account", 303)
        done.set_cookie(TOKEN_COOKIE, token.access_token, httponly=True, samesite="strict", max_age=settings.token_ttl_seconds)
        return done

    @app.post(f"{base}/account/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        token = request.cookies.get(TOKEN_COOKIE)
        if token:
            try:
                async with PortalClient(settings, token=token) as portal:
                    await portal.logout()
            except PortalError:
                pass  # already expired or revoked: signed out either way
        done = RedirectResponse(f"{base}/", 303)
        done.delete_cookie(TOKEN_COOKIE)
        return done
