"""The Rasa project is valid, and every flow is reached from a citizen's words in each language variant."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.rasa_runtime import CONFIG, DOMAIN, RASA_ENV, TRAINING_DATA, ensure_model
from basics.settings import PROJECT_ROOT, get_settings

pytestmark = pytest.mark.e2e

RASA = [sys.executable, "-m", "rasa"]
ENV = {**os.environ, **RASA_ENV}


def test_rasa_data_validate_is_clean() -> None:
    result = subprocess.run([*RASA, "data", "validate", "--fail-on-warnings", "--config", str(CONFIG), "--domain", str(DOMAIN),
                             "--data", *map(str, TRAINING_DATA)], cwd=PROJECT_ROOT, env=ENV, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_test_stories_in_georgian_latin_georgian_and_english(tmp_path: Path) -> None:
    model = ensure_model(get_settings(), quiet=True)
    result = subprocess.run([*RASA, "test", "core", "--stories", str(PROJECT_ROOT / "tests" / "stories"), "--model", str(model),
                             "--out", str(tmp_path)], cwd=PROJECT_ROOT, env=ENV, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    failed = (tmp_path / "failed_test_stories.yml").read_text(encoding="utf-8")
    assert "None of the test stories failed" in failed, failed
