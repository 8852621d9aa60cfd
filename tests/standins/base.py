"""A small threaded HTTP server that records every API call, for the platform stand-ins.

Tests wait for a call with ``wait_for`` (a condition variable, not a sleep) and read what was sent."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Call:
    """One request to the stand-in: the API method, its parameters and uploaded files."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)


def parse_body(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    """JSON, form-urlencoded or multipart/form-data, as platform clients send them."""
    if not body:
        return {}, {}
    if content_type.startswith("application/json"):
        return json.loads(body), {}
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        params: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            data = part.get_payload(decode=True) or b""
            if part.get_filename():
                files[name] = data
            else:
                params[name] = data.decode()
        return params, files
    return dict(parse_qsl(body.decode())), {}


class StandIn:
    """Serves ``handle(path, call) -> (status, content_type, body)`` on a free local port."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._changed = threading.Condition()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                params, files = parse_body(self.headers.get("Content-Type", ""), self.rfile.read(length))
                status, kind, body = stand_in.respond(url.path, dict(parse_qsl(url.query)), params, files)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "StandIn":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def respond(self, path: str, query: dict[str, str], params: dict[str, Any], files: dict[str, bytes]) -> tuple[int, str, bytes]:
        raise NotImplementedError

    def record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def wait_for(self, accept: Callable[[Call], bool], timeout: float = 60.0) -> Call:
        """The first recorded call `accept` takes, waiting for it if it has not come yet."""
        with self._changed:
            found: list[Call] = []
            ok = self._changed.wait_for(lambda: found.extend(c for c in self.calls if accept(c)) or bool(found), timeout)
            if not ok:
                raise AssertionError(f"no matching call in {timeout} s; calls: {[c.method for c in self.calls]}")
            return found[0]

    def since(self, mark: int) -> list[Call]:
        with self._changed:
            return self.calls[mark:]

    def mark(self) -> int:
        with self._changed:
            return len(self.calls)


def json_response(data: Any, status: int = 200) -> tuple[int, str, bytes]:
    return status, "application/json", json.dumps(data).encode()
