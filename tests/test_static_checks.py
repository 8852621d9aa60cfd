"""Static checks, part of `make test`: ruff over all our Python and mypy over the packages.

Both read their configuration from pyproject.toml ([tool.ruff], [tool.mypy]): ruff rules E, F, W and I,
mypy strict on basics/, catalog_index/ and portal_client/ and basic elsewhere. Each test runs the tool from
this virtual environment and fails with the tool's findings. By hand: `.venv/bin/ruff check` and `.venv/bin/mypy`.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Every folder of ours with Python in it; mypy checks the packages (its `files` setting), not tests/ or benchmarks/.
RUFF_PATHS = ("basics", "portal_client", "catalog_index", "portal", "actions", "voice", "assistant", "tests", "benchmarks")


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing() -> None:
    result = run_tool("ruff", "check", "--no-fix", "--output-format", "concise", *RUFF_PATHS)
    assert result.returncode == 0, f"ruff findings (fix with `.venv/bin/ruff check --fix`):\n{result.stdout}{result.stderr}"


def test_mypy_finds_nothing() -> None:
    # The cache (.mypy_cache, from pyproject.toml) makes a second run take a second or two.
    result = run_tool("mypy")
    assert result.returncode == 0, f"mypy findings:\n{result.stdout}{result.stderr}"
