"""Start real servers for tests: the portal as its own process, on a free port, against a chosen database."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Iterator

import httpx

from basics.processes import terminate

TEST_AGENCY_KEY = "test-agency-key"
TEST_SECRET = "test-secret-key-for-signing-tokens"
POSTGRES_ADMIN_URL = os.environ.get("MYGOV_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(url: str, process: subprocess.Popen, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server did not answer {url} in {timeout} s:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A throwaway PostgreSQL database on the local server, dropped afterwards."""
    from sqlalchemy import create_engine, text

    name = f"mygov_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def portal_process(data_dir: Path, database_url: str | None = None, **settings: str) -> Iterator[str]:
    """Run `assistant portal` as a real process; yield its base URL; stop it afterwards."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "MYGOV_DATA_DIR": str(data_dir), "MYGOV_SECRET_KEY": TEST_SECRET,
           "MYGOV_AGENCY_API_KEY": TEST_AGENCY_KEY, "MYGOV_SETTINGS_FILE": str(data_dir / "none.yml"),
           "MYGOV_DEV_OUTBOX": "true", **{f"MYGOV_{k.upper()}": v for k, v in settings.items()}}
    args = [sys.executable, "-m", "assistant.cli", "portal", "--port", str(port)]
    if database_url:
        args += ["--database-url", database_url]
    log = data_dir / f"portal-{port}.log"
    with open(log, "w") as out:
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(f"{base}/health", process, log)
        yield base
    finally:
        terminate(process)
