"""`assistant chat`: a plain-text conversation in the terminal, made for screen readers.

Plain lines only: no colours, no spinners, no redrawing. Each reply line starts with "Assistant:".
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
import uuid

import httpx

from basics.settings import get_settings

PROMPT = "You: "


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("chat", help="chat with the assistant in the terminal (plain text, screen-reader friendly)")
    parser.add_argument("--url", help="the Rasa REST webhook (default from settings)")
    parser.add_argument("--token", help="a portal access token, to act as that citizen without logging in")
    parser.add_argument("--start", action="store_true", help="start the whole product first if it is not running")
    parser.set_defaults(func=run)


def reachable(url: str) -> bool:
    try:
        httpx.get(url.split("/webhooks")[0] + "/", timeout=2)
        return True
    except httpx.HTTPError:
        return False


def send(http: httpx.Client, url: str, sender: str, text: str, token: str | None) -> list[str]:
    body: dict = {"sender": sender, "message": text}
    if token:
        body["metadata"] = {"portal_token": token}
    response = http.post(url, json=body)
    response.raise_for_status()
    return [m["text"] for m in response.json() if m.get("text")]


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    url = args.url or f"{settings.rasa_url}/webhooks/rest/webhook"
    stack = None
    if not reachable(url):
        if not args.start:
            print("The assistant is not running. Start it with: make run. Or use: assistant chat --start")
            return 1
        print("Starting the assistant. This can take a minute.", flush=True)
        stack = subprocess.Popen([sys.executable, "-m", "assistant.cli", "up"], stdout=subprocess.DEVNULL)
        while not reachable(url):
            if stack.poll() is not None:
                print("The assistant could not start.")
                return 1
            time.sleep(0.5)
    sender = f"chat-{uuid.uuid4().hex}"
    print("Type your message and press Enter. An empty line or Ctrl-D ends the chat.")
    try:
        with httpx.Client(timeout=60, headers={"Authorization": f"Bearer {settings.kept_secret('rest_secret')}"}) as http:
            for line in sys.stdin if not sys.stdin.isatty() else iter(lambda: input(PROMPT), ""):
                text = line.strip()
                if not text:
                    break
                try:
                    replies = send(http, url, sender, text, args.token)
                except httpx.HTTPError:
                    print("Assistant: I cannot reach the assistant right now. Please try again.")
                    continue
                for reply in replies:
                    print(f"Assistant: {reply}", flush=True)
    except (EOFError, KeyboardInterrupt):
        pass
    finally:
        if stack is not None:
            stack.terminate()
            stack.wait(timeout=30)
    return 0
