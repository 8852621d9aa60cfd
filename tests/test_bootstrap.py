"""`make test` bootstraps once; when nothing changed, make has nothing to redo."""
from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_nothing_to_reinstall_when_nothing_changed() -> None:
    result = subprocess.run(["make", "-q", ".venv/.installed", "assistant/web/static/widget.js"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, "make would reinstall the environment or rebuild the widget although their inputs did not change"


def test_the_lock_pins_every_package() -> None:
    lines = [line for line in (ROOT / "requirements.lock").read_text().splitlines() if line and not line.startswith((" ", "#"))]
    assert lines and all("==" in line for line in lines)
    assert "python-socketio==5.9.0" in lines and "python-engineio==4.7.1" in lines and "rasa==3.6.21" in lines
