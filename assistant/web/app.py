"""The web front: demo portal pages with the widget, the widget's script, and the speech endpoints the
widget's microphone and voice replies use. The conversation itself goes straight from the browser to
Rasa's socket.io channel; this server never sees it."""
from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from actions.portal_client import PortalClient
from actions.portal_errors import PortalError
from assistant.settings import Settings
from assistant.speech_rate import DEFAULT_RATE
from assistant.web.pages import WidgetTag, account_page, login_page, prefix, public_page
from assistant.web.speech import Speech

STATIC = Path(__file__).parent / "static"
TOKEN_COOKIE = "mygov_token"
log = logging.getLogger("assistant.web")


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="My.gov assistant: web pages and speech", docs_url=None, redoc_url=None)
    speech = Speech(settings)
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

    @app.post("/api/speech/recognise")
    async def recognise(request: Request, lang: str = "en") -> JSONResponse:
        body = await request.body()
        if len(body) > settings.web_max_audio_bytes:
            return JSONResponse(speech.refusal("too_long", lang), 413)
        result = await run_in_threadpool(speech.recognise, body, lang)
        return JSONResponse(result, 200)

    @app.post("/api/speech/synthesise")
    async def synthesise(request: Request) -> Response:
        try:
            wanted = await request.json()
            text, lang, rate = str(wanted["text"])[:5000], str(wanted.get("lang", "ka")), int(wanted.get("rate", DEFAULT_RATE))
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "Send JSON: {\"text\": ..., \"lang\": \"ka\" or \"en\", \"rate\": 80-450}."}, 400)
        if lang not in ("ka", "en") or not text.strip():
            return JSONResponse({"error": "lang must be ka or en, and text must not be empty."}, 400)
        audio = await run_in_threadpool(speech.synthesise, text, lang, rate)
        return Response(audio, media_type="audio/wav")

    return app


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
