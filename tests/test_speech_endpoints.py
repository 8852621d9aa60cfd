"""The widget's speech endpoints as anyone on the network can call them (`assistant web`, a real
process): text too long for speech is refused in both languages, each source address gets a budget
per endpoint, bad requests never break the server, and what is spoken for someone is never kept on
disk, while fixed prompts are (privately). Every loopback address is a source of its own
(127.0.0.0/8), so each test speaks from its own address."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from actions.messages import TEXTS
from basics.processes import terminate
from tests.servers import free_port, wait_until_healthy
from voice.prompts import PROMPTS

PER_MINUTE = 4
MAX_CHARS = 1000  # the default of web_speech_max_chars


class Web:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir, port = data_dir, free_port()
        self.url = f"http://127.0.0.1:{port}/api/speech"
        env = {**os.environ, "MYGOV_DATA_DIR": str(data_dir), "MYGOV_SETTINGS_FILE": str(data_dir / "none.yml"),
               "MYGOV_WEB_SPEECH_REQUESTS_PER_MINUTE": str(PER_MINUTE), "PYTHONUNBUFFERED": "1"}
        self.log = data_dir / "web.log"
        with open(self.log, "w") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "assistant.cli", "web", "--port", str(port)],
                                            env=env, stdout=out, stderr=subprocess.STDOUT)
        wait_until_healthy(f"http://127.0.0.1:{port}/health", self.process, self.log)

    def client(self, source: str) -> httpx.Client:
        """A caller at ``source`` (a loopback address)."""
        return httpx.Client(transport=httpx.HTTPTransport(local_address=source), timeout=60)

    @property
    def cached(self) -> list[Path]:
        return sorted((self.data_dir / "voice-cache").iterdir())


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    running = Web(tmp_path_factory.mktemp("speech-web"))
    yield running
    terminate(running.process)


def refusal(response: httpx.Response, status: int, problem: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["problem"] == problem and body["message"]
    assert set(body["messages"]) == {"ka", "en"} and all(body["messages"].values())
    return body


def test_text_longer_than_the_cap_is_refused_in_both_languages(web: Web) -> None:
    with web.client("127.0.0.11") as http:
        longest = ("ა" * 9 + " ") * (MAX_CHARS // 10)
        spoken = http.post(f"{web.url}/synthesise", json={"text": longest, "lang": "ka", "rate": 450})
        assert spoken.status_code == 200 and spoken.headers["content-type"] == "audio/wav"
        refused = refusal(http.post(f"{web.url}/synthesise", json={"text": longest + "ა", "lang": "en"}), 413, "text_too_long")
        assert refused["message"] == refused["messages"]["en"]
        huge = http.post(f"{web.url}/synthesise", content=b'{"text": "' + b"a" * 50_000 + b'"}')
        refusal(huge, 413, "text_too_long")


def test_each_source_has_a_budget_per_endpoint(web: Web) -> None:
    prompt = {"text": TEXTS["yes_or_no"]["en"], "lang": "en"}
    with web.client("127.0.0.12") as http:
        assert [http.post(f"{web.url}/synthesise", json=prompt).status_code for _ in range(PER_MINUTE)] == [200] * PER_MINUTE
        over = http.post(f"{web.url}/synthesise", json=prompt)
        refusal(over, 429, "too_many_requests")
        assert 1 <= int(over.headers["retry-after"]) <= 60
        heard = http.post(f"{web.url}/recognise?lang=ka", content=b"not a recording")  # another endpoint, its own budget
        assert heard.status_code == 200 and heard.json()["problem"] == "bad_audio"
    with web.client("127.0.0.13") as http:  # another source is not held back
        assert http.post(f"{web.url}/synthesise", json=prompt).status_code == 200


@pytest.mark.parametrize("body", [
    b"not json", b"[]", b'"text"', b"{}", b'{"text": 5}', b'{"text": {"a": 1}}', b'{"text": "   "}',
    b'{"text": "hello", "lang": "fr"}', b'{"text": "hello", "rate": "fast"}', b'{"text": "hello", "rate": 1e400}',
    b'{"text": "hello", "rate": NaN}', b'{"text": "hello", "rate": [1]}', b'{"text": "\\ud800"}',
    b'{"text": "hello", "lang": ["ka"]}', b"\xff\xfe\x00",
])
def test_bad_requests_are_answered_not_failed(web: Web, body: bytes) -> None:
    source = f"127.0.1.{zlib.crc32(body) % 250 + 1}"
    with web.client(source) as http:
        response = http.post(f"{web.url}/synthesise", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400 and "error" in response.json()


def test_what_is_spoken_for_someone_is_not_kept_but_fixed_prompts_are(web: Web) -> None:
    before = set(web.cached)
    with web.client("127.0.0.14") as http:
        personal = {"text": "Giorgi Maisuradze, your tax debt is 125.40 GEL.", "lang": "en"}
        assert http.post(f"{web.url}/synthesise", json=personal).status_code == 200
        assert set(web.cached) == before
        fixed = {"text": PROMPTS["not_understood"]["en"], "lang": "en", "rate": 333}  # the voice layer's own
        assert http.post(f"{web.url}/synthesise", json=fixed).status_code == 200
        assert http.post(f"{web.url}/synthesise", json=personal).status_code == 200
    added = sorted(set(web.cached) - before)
    assert len(added) == 1  # the fixed prompt alone
    assert stat.S_IMODE(added[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(added[0].parent.stat().st_mode) == 0o700
    assert "125" not in json.dumps([p.name for p in added])
