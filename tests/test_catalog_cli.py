"""The ``assistant catalog`` command, run as a real subprocess the way a user or the portal runs it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSISTANT = Path(sys.executable).parent / "assistant"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(ASSISTANT), "catalog", *args], input=stdin, capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT, timeout=60)


def test_search_json_prints_ranked_matches_with_the_agreed_keys():
    result = run("search", "ბინა ჩემს სახელზე როგორ გადავაფორმო?", "--top", "3", "--json")
    assert result.returncode == 0, result.stderr
    matches = json.loads(result.stdout)
    assert 1 <= len(matches) <= 3
    assert all(set(m) == {"id", "score", "band", "name_ka", "name_en"} for m in matches)
    assert matches[0]["id"] == "napr.property.ownership-registration"
    assert [m["score"] for m in matches] == sorted((m["score"] for m in matches), reverse=True)


def test_batch_answers_one_json_line_per_input_line_in_order():
    needs = ["shps-s gaxsna minda online", "what's the weather tomorrow", "", "my grandmother died, what papers do we need"]
    result = run("search", "--batch", "--json", "--top", "2", stdin="\n".join(needs) + "\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == len(needs)
    assert lines[0][0]["id"] == "napr.business.registration"
    assert lines[1] == [] and lines[2] == []
    assert lines[3][0]["id"] == "civil.death.registration"
    assert all(len(line) <= 2 for line in lines)


def test_human_output_is_plain_lines_for_a_screen_reader():
    found = run("search", "I lost my driving licence")
    assert found.returncode == 0
    first = found.stdout.splitlines()[0]
    assert first.startswith("1. Replacement of lost driving licence") and "sa.driving-licence.replace-lost" in first
    assert "\x1b" not in found.stdout and not any(ch in found.stdout for ch in "│┌─╭")
    assert run("search", "pizza").stdout.strip() == "No service fits this need."


def test_show_reads_out_a_service_and_rejects_unknown_ids():
    shown = run("show", "civil.id-card.issue")
    assert shown.returncode == 0
    assert "Issuance of electronic ID card" in shown.stdout and "60 GEL" in shown.stdout
    assert "Documents:" in shown.stdout
    missing = run("show", "no.such.service")
    assert missing.returncode == 1 and "no.such.service" in missing.stderr


def test_eval_reports_scores_per_language(tmp_path):
    needs = tmp_path / "needs.jsonl"
    needs.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in [
        {"text": "პასპორტი მჭირდება", "lang": "ka", "service": "civil.passport.issue"},
        {"text": "I need an extract", "lang": "en", "service": "napr.business.extract", "also_ok": ["napr.property.extract"]},
        {"text": "what's the weather", "lang": "en", "service": None},
    ]), encoding="utf-8")
    result = run("eval", str(needs), "--json")
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout)
    assert scores["ka"]["top1"] == 1.0
    assert scores["en"]["lines"] == 1 and scores["en"]["top3"] == 1.0
    assert scores["en"]["no_service_precision"] == 1.0
