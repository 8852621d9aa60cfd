"""Score the matcher on needs files shaped like the dev set, per language.

Each JSON line has ``text``, ``lang`` and ``service`` (an id, or null when no service fits), and
may list ``also_ok`` ids. Top-1, top-3 and MRR are over lines with a service; ``no_service``
precision is the share of null lines answered with an empty result.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

Ranker = Callable[[str, str | None], Sequence[str]]  # (text, lang if the line has one) -> ranked service ids


@dataclass
class Tally:
    lines: int = 0
    top1: float = 0.0
    top3: float = 0.0
    rr: float = 0.0
    no_service_lines: int = 0
    no_service_right: int = 0
    misses: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, float | int | None]:
        n = self.lines
        return {
            "lines": n,
            "top1": round(self.top1 / n, 3) if n else None,
            "top3": round(self.top3 / n, 3) if n else None,
            "mrr": round(self.rr / n, 3) if n else None,
            "no_service_lines": self.no_service_lines,
            "no_service_precision": round(self.no_service_right / self.no_service_lines, 3) if self.no_service_lines else None,
        }


def read_needs(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def evaluate(needs: Iterable[dict[str, Any]], rank: Ranker) -> dict[str, Tally]:
    """Tallies per language (and ``all``), with the texts that missed for inspection."""
    tallies: dict[str, Tally] = {}
    for need in needs:
        ids = list(rank(need["text"], need.get("lang")))
        for tally in (tallies.setdefault(need.get("lang") or "?", Tally()), tallies.setdefault("all", Tally())):
            if need.get("service") is None:
                tally.no_service_lines += 1
                tally.no_service_right += not ids
                if ids:
                    tally.misses.append(f"{need['text']!r}: expected no service, got {ids[0]}")
                continue
            ok = {need["service"], *need.get("also_ok", ())}
            rank_of = next((i for i, sid in enumerate(ids, 1) if sid in ok), None)
            tally.lines += 1
            tally.top1 += rank_of == 1
            tally.top3 += rank_of is not None and rank_of <= 3
            tally.rr += 1 / rank_of if rank_of else 0.0
            if rank_of != 1:
                tally.misses.append(f"{need['text']!r}: expected {need['service']}, got {ids[:3]}")
    return tallies
