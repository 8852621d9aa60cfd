"""A stand-in for Facebook's Graph API Send API (POST /<version>/me/messages?access_token=…), and a
Messenger user whose webhook events are signed with the app secret (X-Hub-Signature-256), as documented
at developers.facebook.com/docs/messenger-platform (webhook events, Send API, quick replies)."""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any

import httpx

from tests.standins.base import Call, StandIn, json_response

PAGE_ID = "102030405060708"


class GraphAPI(StandIn):
    def __init__(self, page_token: str, version: str = "v19.0") -> None:
        super().__init__()
        self.page_token, self.version = page_token, version
        self._ids = itertools.count(1)
        self.files: dict[str, bytes] = {}  # attachment URLs on the platform's CDN

    def add_file(self, data: bytes) -> str:
        """An attachment a user sent, as the URL a webhook event carries."""
        path = f"/cdn/audioclip-{next(self._ids)}.mp4"
        self.files[path] = data
        return self.url + path

    @property
    def api_url(self) -> str:
        return f"{self.url}/{self.version}"

    def respond(self, path: str, query: dict[str, str], params: dict[str, Any], files: dict[str, bytes]) -> tuple[int, str, bytes]:
        if path in self.files:
            return 200, "audio/mp4", self.files[path]
        if query.get("access_token") != self.page_token:
            return json_response({"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}}, 400)
        if path != f"/{self.version}/me/messages":
            return json_response({"error": {"message": "Unknown path", "type": "GraphMethodException", "code": 100}}, 400)
        self.record(Call("sender_action" if "sender_action" in params else "message", params, files, query))
        recipient = (params.get("recipient") or {}).get("id")
        if "sender_action" in params:
            return json_response({"recipient_id": recipient})
        return json_response({"recipient_id": recipient, "message_id": f"m_{next(self._ids)}"})

    @staticmethod
    def texts(calls: list[Call]) -> list[str]:
        return [c.params["message"]["text"] for c in calls if c.method == "message" and "text" in c.params["message"]]


class MessengerUser:
    """A person writing to the page; events are signed like Facebook signs them."""

    _mids = itertools.count(1)

    def __init__(self, api: GraphAPI, webhook: str, app_secret: str, psid: str) -> None:
        self.api, self.webhook, self.app_secret, self.psid = api, webhook, app_secret, psid
        self.http = httpx.Client(timeout=180)

    def event(self, message: dict[str, Any]) -> dict[str, Any]:
        now = int(time.time() * 1000)
        return {"object": "page", "entry": [{"id": PAGE_ID, "time": now, "messaging": [
            {"sender": {"id": self.psid}, "recipient": {"id": PAGE_ID}, "timestamp": now, "message": message}]}]}

    def post(self, payload: dict[str, Any], signature: str | None = None) -> tuple[httpx.Response, list[Call]]:
        body = json.dumps(payload).encode()
        if signature is None:
            signature = "sha256=" + hmac.new(self.app_secret.encode(), body, hashlib.sha256).hexdigest()
        mark = self.api.mark()
        response = self.http.post(self.webhook, content=body, headers={"Content-Type": "application/json",
                                                                      "X-Hub-Signature-256": signature})
        return response, self.api.since(mark)

    def says(self, text: str) -> list[Call]:
        response, calls = self.post(self.event({"mid": f"m_{next(self._mids)}", "text": text}))
        assert response.status_code == 200, response.text
        return calls

    def records(self, audio: bytes) -> list[Call]:
        attachment = {"type": "audio", "payload": {"url": self.api.add_file(audio)}}
        response, calls = self.post(self.event({"mid": f"m_{next(self._mids)}", "attachments": [attachment]}))
        assert response.status_code == 200, response.text
        return calls

    def taps(self, title: str, payload: str) -> list[Call]:
        response, calls = self.post(self.event({"mid": f"m_{next(self._mids)}", "text": title,
                                                "quick_reply": {"payload": payload}}))
        assert response.status_code == 200, response.text
        return calls
