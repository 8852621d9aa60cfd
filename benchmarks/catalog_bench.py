"""Benchmark the catalogue matcher against two baselines, and at 10,000 services.

Not a test: it prints a Markdown report for docs/benchmarks.md. Run from the project root:
    .venv/bin/python benchmarks/catalog_bench.py
Baselines: rapidfuzz WRatio over the two service names; rank_bm25 (Okapi) over names plus
synonyms with plain lower-case word tokens. Needs files: the dev set and our extra lines.
"""
from __future__ import annotations

import argparse
import dataclasses
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

from rank_bm25 import BM25Okapi
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from catalog_index.catalogue import Catalogue, get_catalogue  # noqa: E402
from catalog_index.evaluate import evaluate, read_needs  # noqa: E402
from catalog_index.matcher import build_index  # noqa: E402

NEEDS = (ROOT / "tests/data/dev_needs.jsonl", ROOT / "tests/data/extra_needs.jsonl")
SCALE = 10_000
Ranker = Callable[[str, str], Sequence[str]]


def wratio_baseline(catalogue: Catalogue) -> Ranker:
    choices = {(s.id, lang): s.name(lang) for s in catalogue.services for lang in ("ka", "en")}

    def rank(text: str, _lang: str) -> list[str]:
        found = process.extract(text, choices, scorer=fuzz.WRatio, limit=10)
        return list(dict.fromkeys(key[0] for _, _, key in found))[:5]
    return rank


def bm25_baseline(catalogue: Catalogue) -> Ranker:
    words = re.compile(r"\w+")
    docs = [" ".join([s.name_ka, s.name_en, *s.synonyms("ka"), *s.synonyms("en")]).lower() for s in catalogue.services]
    bm25 = BM25Okapi([words.findall(d) for d in docs])
    ids = [s.id for s in catalogue.services]

    def rank(text: str, _lang: str) -> list[str]:
        scores = bm25.get_scores(words.findall(text.lower()))
        best = sorted(range(len(ids)), key=lambda i: -scores[i])[:5]
        return [ids[i] for i in best if scores[i] > 0]
    return rank


def timed(rank: Ranker, needs: list[dict]) -> tuple[dict, list[float]]:
    latencies: list[float] = []

    def clocked(text: str, lang: str) -> Sequence[str]:
        start = time.perf_counter()
        out = rank(text, lang)
        latencies.append((time.perf_counter() - start) * 1000)
        return out
    return evaluate(needs, clocked), latencies


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def replicated(catalogue: Catalogue, size: int) -> Catalogue:
    copies = [dataclasses.replace(s, id=f"{s.id}#{i}") for i in range(size // len(catalogue.services) + 1) for s in catalogue.services]
    return Catalogue(catalogue.categories, tuple(copies[:size]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=SCALE, help="services in the scale run")
    args = parser.parse_args()
    catalogue = get_catalogue()
    needs = [need for path in NEEDS for need in read_needs(path)]
    start = time.perf_counter()
    index = build_index(catalogue)
    build_ms = (time.perf_counter() - start) * 1000
    index.search("warm-up")
    rankers = {
        "matcher": lambda text, _lang: [m.id for m in index.search(text)],
        "rapidfuzz WRatio (names)": wratio_baseline(catalogue),
        "rank_bm25 (names+synonyms)": bm25_baseline(catalogue),
    }
    print(f"{len(needs)} needs ({', '.join(p.name for p in NEEDS)}); {len(catalogue.services)} services; "
          f"index build {build_ms:.0f} ms (includes loading the lemmatiser).\n")
    print("| ranker | lang | top-1 | top-3 | MRR | no-service precision | p50 ms | p95 ms |")
    print("|---|---|---|---|---|---|---|---|")
    for name, rank in rankers.items():
        tallies, latencies = timed(rank, needs)
        for lang in ("ka", "ka-Latn", "en", "all"):
            s = tallies[lang].summary()
            lat = f"{pct(latencies, 50):.2f} | {pct(latencies, 95):.2f}" if lang == "all" else " | "
            print(f"| {name} | {lang} | {s['top1']} | {s['top3']} | {s['mrr']} | {s['no_service_precision']} | {lat} |")

    big = replicated(catalogue, args.scale)
    start = time.perf_counter()
    big_index = build_index(big)
    build_s = time.perf_counter() - start
    latencies = []
    for need in needs:
        t0 = time.perf_counter()
        big_index.search(need["text"])
        latencies.append((time.perf_counter() - t0) * 1000)
    print(f"\nScale run: {len(big.services)} services (catalogue replicated): build {build_s:.2f} s (goal <= 5 s); "
          f"query p50 {pct(latencies, 50):.2f} ms, p95 {pct(latencies, 95):.2f} ms (goal <= 10 ms).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
