"""A stand-in for Telegram's Bot API server (https://core.telegram.org/bots/api), and a Telegram user.

Calls come in as ``/bot<token>/<method>`` (JSON, form or multipart; answered ``{"ok": true, "result": …}``)
and files are served at ``/file/bot<token>/<file_path>``, the documented shapes. Implemented: getMe,
setWebhook, sendMessage, sendVoice, getFile, answerCallbackQuery, sendChatAction."""
from __future__ import annotations

import itertools
import json
import threading
import time
from typing import Any

import httpx

from tests.standins.base import Call, StandIn, json_response

BOT = {"id": 7000000001, "is_bot": True, "first_name": "My.gov assistant", "username": "mygov_test_bot"}
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramAPI(StandIn):
    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, bytes): user uploads and bot sends
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add_file(self, data: bytes, folder: str = "voice", suffix: str = "oga") -> str:
        """A file a user sent (as Telegram stores it); returns its file_id."""
        with self._lock:
            n = next(self._ids)
            file_id = f"AwACAgIAAx{n:06d}"
            self.files[file_id] = (f"{folder}/file_{n}.{suffix}", data)
        return file_id

    def respond(self, path: str, query: dict[str, str], params: dict[str, Any], files: dict[str, bytes]) -> tuple[int, str, bytes]:
        params = {**query, **params}
        if path.startswith(f"/file/bot{self.token}/"):
            wanted = path.split(f"/file/bot{self.token}/", 1)[1]
            for file_path, data in self.files.values():
                if file_path == wanted:
                    return 200, "application/octet-stream", data
            return json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        method = path[len(prefix):]
        self.record(Call(method, params, files, query))
        result = self._result(method, params, files)
        if result is None:
            return json_response({"ok": False, "error_code": 404, "description": "Not Found: method not found"}, 404)
        return json_response({"ok": True, "result": result})

    def _sent(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        return {"message_id": next(self._ids), "date": int(time.time()), "from": BOT,
                "chat": {"id": chat_id, "type": "private"}, **extra}

    def _result(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        lower = method.lower()
        if lower == "getme":
            return BOT
        if lower in ("setwebhook", "answercallbackquery", "sendchataction", "deletewebhook"):
            return True
        if lower == "sendmessage":
            return self._sent(params, text=params.get("text", ""))
        if lower == "sendvoice":
            file_id = self.add_file(files.get("voice", b""), "voice", "ogg")
            return self._sent(params, voice={"file_id": file_id, "file_unique_id": file_id[-8:], "duration": 1,
                                             "mime_type": "audio/ogg", "file_size": len(self.files[file_id][1])})
        if lower == "getfile":
            file_path, data = self.files[params["file_id"]]
            return {"file_id": params["file_id"], "file_unique_id": params["file_id"][-8:], "file_size": len(data),
                    "file_path": file_path}
        return None

    def sent_texts(self, calls: list[Call]) -> list[str]:
        return [c.params["text"] for c in calls if c.method == "sendMessage"]

    def keyboard(self, call: Call) -> Any:
        markup = call.params.get("reply_markup")
        return json.loads(markup) if isinstance(markup, str) else markup


class TelegramUser:
    """A person in a private chat with the bot: each update is posted to the bot's webhook as Telegram would."""

    _updates = itertools.count(100)

    def __init__(self, api: TelegramAPI, webhook: str, secret: str, user_id: int, language_code: str = "en") -> None:
        self.api, self.webhook, self.secret = api, webhook, secret
        self.user = {"id": user_id, "is_bot": False, "first_name": "Test", "language_code": language_code}
        self.http = httpx.Client(timeout=180)

    def message(self, **content: Any) -> dict[str, Any]:
        return {"message_id": next(self._updates), "date": int(time.time()), "from": self.user,
                "chat": {"id": self.user["id"], "type": "private", "first_name": "Test"}, **content}

    def post(self, update: dict[str, Any], secret: str | None = None) -> tuple[httpx.Response, list[Call]]:
        """Post one update; the bot has made all its API calls for it by the time the webhook answers."""
        mark = self.api.mark()
        headers = {SECRET_HEADER: self.secret if secret is None else secret}
        response = self.http.post(self.webhook, json={"update_id": next(self._updates), **update}, headers=headers)
        return response, self.api.since(mark)

    def says(self, text: str) -> list[Call]:
        response, calls = self.post({"message": self.message(text=text)})
        assert response.status_code == 200, response.text
        return calls

    def taps(self, data: str, on: int = 1) -> list[Call]:
        query = {"id": str(next(self._updates)), "from": self.user, "chat_instance": "1",
                 "message": {**self.message(text="…"), "from": BOT}, "data": data}
        response, calls = self.post({"callback_query": query})
        assert response.status_code == 200, response.text
        return calls

    def records(self, ogg: bytes, duration: int = 2) -> list[Call]:
        file_id = self.api.add_file(ogg)
        voice = {"file_id": file_id, "file_unique_id": file_id[-8:], "duration": duration, "mime_type": "audio/ogg",
                 "file_size": len(ogg)}
        response, calls = self.post({"message": self.message(voice=voice)})
        assert response.status_code == 200, response.text
        return calls
