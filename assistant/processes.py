"""Stopping a child process politely, then firmly: used by `assistant up`, the tests and the benchmarks."""
from __future__ import annotations

import subprocess


def terminate(process: subprocess.Popen, timeout: float = 20.0) -> None:
    """SIGTERM, wait up to `timeout` seconds, then SIGKILL; returns once the process is gone."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
