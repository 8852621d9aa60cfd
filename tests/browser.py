"""Debian's chromium driven by Playwright, and what the widget tests read from it: the axe-core audit,
the accessibility tree through the DevTools protocol, and the widget's own parts."""
from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Browser, Page, Playwright

from basics.settings import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
AXE = PROJECT_ROOT / "widget" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 800}
ZOOM_400 = {"width": 320, "height": 200}  # 1280 x 800 at 400% zoom (WCAG 1.4.10 Reflow)
SHORTCUT_NEWEST = "Alt+Shift+N"


def launch(playwright: Playwright, microphone_wav: Path | None = None, fake_microphone: bool = True) -> Browser:
    """Debian's chromium, never a downloaded browser; the network beyond loopback is closed here."""
    args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"]
    if fake_microphone:
        args += ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
    if microphone_wav:
        args.append(f"--use-file-for-fake-audio-capture={microphone_wav}")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=args)


def axe_violations(page: Page) -> list[dict]:
    """axe-core's WCAG 2.0/2.1/2.2 A and AA rules on the whole page: each violation with its nodes."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    return [{"id": v["id"], "help": v["help"], "nodes": [n["html"][:200] for n in v["nodes"]]} for v in result["violations"]]


def describe(violations: list[dict]) -> str:
    return json.dumps(violations, ensure_ascii=False, indent=1)


def accessibility_tree(page: Page) -> list[dict]:
    """Chromium's full accessibility tree (what a screen reader gets), as role/name pairs of visible nodes."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    return [{"role": (n.get("role") or {}).get("value", ""), "name": (n.get("name") or {}).get("value", ""),
             "properties": {p["name"]: p["value"].get("value") for p in n.get("properties", [])}}
            for n in nodes if not n.get("ignored")]


class WidgetPage:
    """The widget as a user meets it on a page: the launcher, the panel, messages, the field."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.launcher = page.locator(".mga-launcher")
        self.panel = page.locator(".mga-panel")
        self.input = page.locator("#mga-input")
        self.status = page.locator(".mga-status")
        self.bot_messages = page.locator(".mga-msg.mga-bot")
        self.user_messages = page.locator(".mga-msg.mga-user")

    def open_by_keyboard(self, max_tabs: int = 30) -> None:
        """Tab from the top of the page to the launcher and press Enter, as a keyboard user does."""
        for _ in range(max_tabs):
            self.page.keyboard.press("Tab")
            if self.page.evaluate("() => document.activeElement.classList.contains('mga-launcher')"):
                self.page.keyboard.press("Enter")
                return
        raise AssertionError("the launcher could not be reached with Tab")

    def focused(self) -> str:
        """The focused element, as id or class, to say where focus is."""
        return self.page.evaluate("() => { const e = document.activeElement; return e.id || e.className || e.tagName; }")

    def bot_count(self) -> int:
        return self.bot_messages.count()

    def wait_for_reply(self, after: int, containing: str = "", timeout: float = 90_000) -> str:
        """Wait until a new assistant message (after the first `after`) arrives; return all new ones."""
        self.page.wait_for_function(
            """([after, text]) => { const m = [...document.querySelectorAll('.mga-msg.mga-bot .mga-text')].slice(after);
                return m.length > 0 && (!text || m.some(e => e.textContent.includes(text))); }""",
            arg=[after, containing], timeout=timeout)
        return "\n".join(self.bot_messages.nth(i).locator(".mga-text").inner_text() for i in range(after, self.bot_count()))

    def type_and_send(self, text: str, containing: str = "") -> str:
        before = self.bot_count()
        self.input.fill(text)
        self.page.keyboard.press("Enter")
        return self.wait_for_reply(before, containing)
