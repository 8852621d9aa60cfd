"""The web widget in a real browser (Debian's chromium) against the real stack that `make run` starts:
keyboard alone, axe-core's WCAG A/AA audit, the accessibility tree, reflow at 400% zoom, media
preferences, voice in and out, reload, and the signed-in page."""
from __future__ import annotations

import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import jwt
import numpy as np
import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.browser import DESKTOP, SHORTCUT_NEWEST, ZOOM_400, WidgetPage, accessibility_tree, axe_violations, describe, launch
from tests.conftest import GIORGI, PHONE_PINS
from tests.servers import TEST_SECRET
from tests.stack import Stack
from voice.audio import Audio, wav_bytes
from voice.synthetic import user_says

pytestmark = pytest.mark.e2e

SPOKEN_NEED = "I want to change my address"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    # Georgian recognition needs an online engine; here it points at a closed port, as when it is down.
    running = Stack(tmp_path_factory.mktemp("widget"), MYGOV_VOICE_ASR_KA="google", MYGOV_VOICE_GOOGLE_KEY="operator-test-key",
                    MYGOV_VOICE_GOOGLE_ENDPOINT="http://127.0.0.1:9/speech").with_web().start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def microphone_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the fake microphone hears: a person-like English voice (flite; espeak-ng's own English is
    misrecognised by the offline model, docs/benchmarks.md), then silence so the widget's endpointing
    ends the turn. Chromium loops the file."""
    speech = user_says(SPOKEN_NEED)
    silence = np.zeros(int(speech.rate * 2.5), dtype=np.int16)
    lead = np.zeros(int(speech.rate * 0.5), dtype=np.int16)
    path = tmp_path_factory.mktemp("microphone") / "need.wav"
    path.write_bytes(wav_bytes(Audio(np.concatenate([lead, speech.samples, silence]), speech.rate)))
    return path


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright: Playwright, microphone_wav: Path) -> Iterator[Browser]:
    launched = launch(playwright, microphone_wav)
    yield launched
    launched.close()


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)
    context.grant_permissions(["microphone"])
    opened = context.new_page()
    yield opened
    context.close()


def url(stack: Stack, path: str) -> str:
    return f"{stack.settings.web_url}{path}"


def opened(stack: Stack, page: Page, path: str) -> WidgetPage:
    """The page at `path` with the widget opened by a click."""
    page.goto(url(stack, path))
    widget = WidgetPage(page)
    widget.launcher.click()
    return widget


def test_a_whole_conversation_by_keyboard_alone_and_focus_returns_to_the_launcher(stack: Stack, page: Page) -> None:
    page.goto(url(stack, "/en/"))
    widget = WidgetPage(page)
    widget.open_by_keyboard()
    assert widget.focused() == "mga-input"
    outline = page.evaluate("() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]; }")
    assert outline == ["solid", "3px"]  # focus is visible
    reply = widget.type_and_send("I need a certificate", containing="Say or type the number")
    assert "1:" in reply
    # Arriving messages never move focus.
    assert widget.focused() == "mga-input"
    page.keyboard.press("Shift+Tab")  # from the field back to the last option button
    chosen = page.evaluate("() => document.activeElement.textContent")
    assert chosen.startswith("3:") and "(type or say 3)" in chosen
    before = widget.bot_count()
    page.keyboard.press("Enter")
    widget.wait_for_reply(before)
    # The choice stays readable after use, marked as chosen, as a plain list.
    settled = page.locator("ul.mga-settled").last.inner_text()
    assert "(chosen)" in settled and "1:" in settled
    page.keyboard.press(SHORTCUT_NEWEST)
    assert "mga-msg mga-bot" in widget.focused()
    page.keyboard.press("Escape")
    assert widget.panel.is_hidden()
    assert "mga-launcher" in widget.focused()
    assert widget.launcher.get_attribute("aria-expanded") == "false"


def test_no_keyboard_trap_tab_leaves_the_open_panel(stack: Stack, page: Page) -> None:
    page.goto(url(stack, "/en/"))
    widget = WidgetPage(page)
    widget.open_by_keyboard()
    for _ in range(40):
        page.keyboard.press("Tab")
        if not page.evaluate("() => !!document.activeElement.closest('.mga-panel')"):
            break
    else:
        raise AssertionError("Tab never left the panel")
    assert widget.panel.is_visible()


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_axe_finds_no_wcag_violations_closed_and_open_at_100_and_400_percent(stack: Stack, page: Page, lang: str) -> None:
    page.goto(url(stack, "/" if lang == "ka" else "/en/"))
    widget = WidgetPage(page)
    for viewport in (DESKTOP, ZOOM_400):
        page.set_viewport_size(viewport)
        assert widget.panel.is_hidden()
        assert axe_violations(page) == [], describe(axe_violations(page))
        widget.launcher.click()
        if widget.bot_count() == 0:
            widget.type_and_send("გამარჯობა" if lang == "ka" else "hello")
        violations = axe_violations(page)
        assert violations == [], describe(violations)
        page.keyboard.press("Escape")


def test_names_follow_the_page_language(stack: Stack, page: Page) -> None:
    page.goto(url(stack, "/"))
    widget = WidgetPage(page)
    names = {node["name"] for node in accessibility_tree(page) if node["role"] == "button"}
    assert any("ასისტენტი" in name for name in names), names
    widget.launcher.click()
    assert page.locator("#mga-title").inner_text().startswith("ასისტენტი")
    assert page.locator("label[for=mga-input]").inner_text() == "თქვენი შეტყობინება"
    # The conversation switches to English; so does the interface, and each message says its language.
    widget.type_and_send("hello, I would like to speak English please")
    assert page.locator("label[for=mga-input]").inner_text() == "Your message"
    assert widget.bot_messages.last.get_attribute("lang") == "en"


def test_the_accessibility_tree_names_every_control_and_the_live_region_holds_only_the_newest_message(stack: Stack, page: Page) -> None:
    widget = opened(stack, page, "/en/")
    tree = accessibility_tree(page)
    roles = {node["role"] for node in tree}
    assert {"complementary", "dialog", "log", "status", "switch", "textbox"} <= roles
    dialog = next(n for n in tree if n["role"] == "dialog")
    assert dialog["name"] == "Assistant — My.gov.ge"
    assert next(n for n in tree if n["role"] == "log")["name"] == "Conversation"
    assert next(n for n in tree if n["role"] == "complementary")["name"] == "Assistant"
    unnamed = [n for n in tree if n["role"] in ("button", "switch", "textbox") and not n["name"].strip()]
    assert unnamed == []
    assert next(n for n in tree if n["role"] == "button" and "assistant" in n["name"].lower())["properties"]["expanded"] is True
    # Record every value the polite live region takes while a two-part answer arrives.
    page.evaluate("""() => { window.announced = []; const region = document.querySelector('.mga-announcer');
        new MutationObserver(() => window.announced.push(region.textContent))
            .observe(region, {childList: true, characterData: true, subtree: true}); }""")
    widget.type_and_send("I need a certificate", containing="Say or type the number")
    new_messages = [widget.bot_messages.nth(i).locator(".mga-text").inner_text() for i in range(widget.bot_count())]
    page.wait_for_function("n => window.announced.filter(t => t).length >= n && document.querySelector('.mga-announcer').textContent === ''",
                           arg=len(new_messages), timeout=30_000)
    announced = [text for text in page.evaluate("() => window.announced") if text]
    assert announced == [f"Assistant: {text}" for text in new_messages]  # each once, one at a time, in order
    assert page.locator(".mga-log").get_attribute("aria-live") == "off"  # the log itself is never re-read


def test_reflow_at_400_percent_targets_and_focus_never_hidden(stack: Stack, page: Page) -> None:
    page.set_viewport_size(ZOOM_400)
    widget = opened(stack, page, "/en/")
    widget.type_and_send("I need a certificate", containing="Say or type the number")
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    small = page.evaluate("""() => [...document.querySelectorAll('.mga button, .mga input')].filter(e => e.offsetParent)
        .map(e => [e.textContent || e.id, e.getBoundingClientRect().width, e.getBoundingClientRect().height])
        .filter(([, w, h]) => w < 44 || h < 44)""")
    assert small == []
    hidden = []
    page.evaluate("() => document.activeElement.blur()")
    for _ in range(40):
        page.keyboard.press("Tab")
        covered = page.evaluate("""() => { const e = document.activeElement; if (e === document.body) return null;
            const r = e.getBoundingClientRect();
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return hit && (hit === e || e.contains(hit)) ? null : (e.textContent || e.id || e.tagName); }""")
        if covered:
            hidden.append(covered)
    assert hidden == []


def test_forced_colors_reduced_motion_and_more_contrast_are_honoured(stack: Stack, page: Page) -> None:
    opened(stack, page, "/en/")
    page.evaluate("() => document.querySelector('.mga-status').classList.add('mga-working')")
    animation = "() => getComputedStyle(document.querySelector('.mga-working'), '::after').animationName"
    assert page.evaluate(animation) == "mga-pulse"
    page.emulate_media(reduced_motion="reduce")
    assert page.evaluate(animation) == "none"
    page.emulate_media(contrast="more")
    assert page.evaluate("() => getComputedStyle(document.querySelector('.mga-form input')).borderTopColor") == "rgb(0, 0, 0)"
    page.emulate_media(forced_colors="active")
    assert page.evaluate("() => matchMedia('(forced-colors: active)').matches")
    assert page.evaluate("() => getComputedStyle(document.querySelector('.mga-launcher')).borderTopStyle") == "solid"
    assert axe_violations(page) == []


def test_text_can_be_resized_to_200_percent_without_loss(stack: Stack, page: Page) -> None:
    page.goto(url(stack, "/en/"))
    page.evaluate("() => document.documentElement.style.fontSize = '200%'")
    widget = WidgetPage(page)
    widget.launcher.click()
    assert page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('#mga-input')).fontSize)") == 32
    widget.type_and_send("hello")
    assert widget.input.is_visible() and page.locator(".mga-mic").is_visible()


def test_voice_the_microphone_is_recognised_and_the_assistant_answers(stack: Stack, page: Page) -> None:
    widget = opened(stack, page, "/en/")
    page.locator(".mga-mic").click()
    page.wait_for_function("() => document.querySelectorAll('.mga-msg.mga-user').length > 0", timeout=60_000)
    assert widget.user_messages.last.locator(".mga-text").inner_text() == SPOKEN_NEED.lower()
    reply = widget.wait_for_reply(0)
    assert "address" in reply.lower()


def test_voice_replies_play_at_the_chosen_rate_and_the_microphone_stops_them(stack: Stack, page: Page) -> None:
    widget = opened(stack, page, "/en/")
    switch = page.get_by_role("switch", name="Voice replies")
    switch.click()
    assert switch.get_attribute("aria-checked") == "true"
    page.get_by_role("button", name="Slower").click()
    assert page.locator(".mga-rate").inner_text() == "Speed: 150 words a minute"
    widget.type_and_send("hello")
    # Real, playable audio of the reply: a WAV the browser decoded, seconds long, now playing.
    page.wait_for_function("() => { const a = document.querySelector('.mga-audio'); return a.duration > 1 && !a.paused; }",
                           timeout=30_000)
    # Pressing the microphone silences the assistant at once (barge-in).
    playing_then_silenced = page.evaluate("""() => { const a = document.querySelector('.mga-audio'); const playing = !a.paused;
        document.querySelector('.mga-mic').click(); return [playing, a.paused]; }""")
    assert playing_then_silenced == [True, True]


def test_the_speech_endpoints_answer_bad_input_clearly(stack: Stack) -> None:
    import httpx

    base = url(stack, "/api/speech")
    garbage = httpx.post(f"{base}/recognise?lang=en", content=b"not audio at all", timeout=60).json()
    assert garbage["problem"] == "bad_audio" and garbage["message"] == "I could not read that recording. Please try again."
    empty = httpx.post(f"{base}/recognise?lang=ka", content=b"", timeout=60).json()
    assert empty["problem"] == "bad_audio" and empty["message"].startswith("ჩანაწერი")
    huge = httpx.post(f"{base}/recognise", content=b"\0" * (stack.settings.web_max_audio_bytes + 1), timeout=60)
    assert huge.status_code == 413 and huge.json()["problem"] == "too_long"
    silence = httpx.post(f"{base}/recognise?lang=en", content=wav_bytes(Audio(np.zeros(32000, dtype=np.int16), 16000)), timeout=60).json()
    assert silence["problem"] == "no_speech"
    spoken = httpx.post(f"{base}/synthesise", json={"text": "გადასახადი 125.40 ლარია.", "lang": "ka", "rate": 200}, timeout=60)
    assert spoken.status_code == 200 and spoken.content[:4] == b"RIFF" and len(spoken.content) > 20_000
    assert httpx.post(f"{base}/synthesise", content=b"{", timeout=60).status_code == 400
    assert httpx.post(f"{base}/synthesise", json={"text": "", "lang": "en"}, timeout=60).status_code == 400


def test_georgian_recognition_unavailable_is_said_clearly(stack: Stack, page: Page) -> None:
    widget = opened(stack, page, "/")
    page.locator(".mga-mic").click()
    page.wait_for_function("() => document.querySelector('.mga-status').textContent.includes('მიუწვდომელია')", timeout=60_000)
    assert widget.user_messages.count() == 0


def test_a_denied_microphone_is_said_clearly(stack: Stack, playwright: Playwright) -> None:
    browser = launch(playwright, fake_microphone=False)
    try:
        page = browser.new_page()
        page.goto(url(stack, "/en/"))
        WidgetPage(page).launcher.click()
        page.locator(".mga-mic").click()
        page.wait_for_function("() => document.querySelector('.mga-status').textContent.includes('not allowed')", timeout=30_000)
    finally:
        browser.close()


def test_a_reload_in_the_middle_resumes_the_conversation(stack: Stack, page: Page) -> None:
    widget = opened(stack, page, "/en/")
    widget.type_and_send("how much tax do I owe?", containing="personal number")
    page.reload()
    assert widget.panel.is_visible()  # still open, with the conversation so far
    assert "personal number" in widget.bot_messages.last.inner_text()
    widget.type_and_send(GIORGI, containing="PIN")
    assert widget.input.get_attribute("type") == "password"
    reply = widget.type_and_send(PHONE_PINS[GIORGI], containing="tetri")
    assert "125 lari and 40 tetri" in reply
    # The PIN is typed into a password field, shown hidden, and never kept in the browser's storage.
    assert "(PIN hidden)" in widget.user_messages.last.inner_text()
    assert PHONE_PINS[GIORGI] not in page.evaluate("() => JSON.stringify(Object.assign({}, sessionStorage, localStorage))")


def test_the_signed_in_page_acts_as_that_citizen(stack: Stack, page: Page) -> None:
    page.goto(url(stack, "/en/account"))
    page.get_by_label("Personal number").fill(GIORGI)
    page.get_by_label("Phone PIN").fill(PHONE_PINS[GIORGI])
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text().startswith("Hello, Giorgi")
    widget = WidgetPage(page)
    widget.launcher.click()
    assert "125 lari and 40 tetri" in widget.type_and_send("how much tax do I owe?", containing="tetri")


def test_a_wrong_pin_on_the_sign_in_page_is_said_in_an_alert(stack: Stack, page: Page) -> None:
    page.goto(url(stack, "/en/account"))
    page.get_by_label("Personal number").fill(GIORGI)
    page.get_by_label("Phone PIN").fill("0000")
    page.get_by_role("button", name="Sign in").click()
    assert "wrong" in page.get_by_role("alert").inner_text()
    assert axe_violations(page) == []


@pytest.fixture(scope="module")
def embedding_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """Another site (its own origin) that embeds the widget with one script tag: (its URL, its folder)."""
    folder = tmp_path_factory.mktemp("embedding")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", folder
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("kind", ["forged", "expired"])
def test_a_forged_or_expired_token_is_refused(stack: Stack, page: Page, embedding_site: tuple[str, Path], kind: str) -> None:
    if kind == "forged":
        token = jwt.encode({"sub": GIORGI, "jti": "x", "exp": int(time.time()) + 600}, "not-the-portal-secret-" * 2, algorithm="HS256")
    else:
        token = jwt.encode({"sub": GIORGI, "jti": "y", "exp": int(time.time()) - 60}, TEST_SECRET, algorithm="HS256")
    site, folder = embedding_site
    (folder / f"{kind}.html").write_text(
        f'<!doctype html><html lang="en"><head><title>Embedding</title></head><body><main><h1>Embedding</h1></main>'
        f'<script src="{url(stack, "/widget.js")}" data-server="{stack.settings.rasa_url}" data-portal-token="{token}"></script>'
        f'</body></html>')
    page.goto(f"{site}/{kind}.html")
    widget = WidgetPage(page)
    widget.launcher.click()
    reply = widget.type_and_send("how much tax do I owe?", containing="log in")
    assert "125" not in reply
