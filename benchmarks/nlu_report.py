"""NLU cross-validation report: `rasa test nlu --cross-validation` on the project's NLU data.

Not part of `make test`. Run from the project root:
    .venv/bin/python benchmarks/nlu_report.py                      # config.yml, 3 folds, into results/nlu/
    .venv/bin/python benchmarks/nlu_report.py --config benchmarks/configs/diet_ted.yml --out results/nlu-diet
Rasa writes its reports (intent_report.json, intent_errors.json, intent_successes.json, and with
--plots the confusion matrix and histogram) into the output folder; this script then prints the
per-intent F1 (worst first) and the intent accuracy per language variant (ka, ka-Latn, en; the
language is the NLU file's prefix). Rasa's evaluation undoes the FallbackClassifier, so these are the
classifier's own predictions; the "below fallback threshold" column is the share whose confidence is
under the config's FallbackClassifier threshold, i.e. that the served assistant would route to
`nlu_fallback` instead.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NLU_DIR = ROOT / "nlu_data" / "nlu"
LANGS = ("ka", "ka-Latn", "en")


def language_of(path: Path) -> str:
    return "ka-Latn" if path.name.startswith("ka_latn") else path.name.split("_")[0]


def text_languages() -> dict[str, str]:
    """Each example's language by its file; a text found in several files keeps the first."""
    import yaml

    found: dict[str, str] = {}
    for path in sorted(NLU_DIR.glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            for line in block.get("examples", "").splitlines():
                text = line.strip()
                if text.startswith("- "):
                    found.setdefault(text[2:].strip(), language_of(path))
    return found


def run_cross_validation(config: Path, out: Path, folds: int, plots: bool) -> float:
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "rasa", "test", "nlu", "--nlu", str(NLU_DIR), "--config", str(config),
               "--cross-validation", "--folds", str(folds), "--out", str(out), "--successes"]
    if not plots:
        command.append("--no-plot")
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    start = time.monotonic()
    with open(out / "rasa_test_nlu.log", "w") as log:
        done = subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    if done.returncode:
        sys.exit(f"rasa test nlu failed ({done.returncode}); see {out / 'rasa_test_nlu.log'}")
    return time.monotonic() - start


def fallback_threshold(config: Path) -> float:
    import yaml

    for part in yaml.safe_load(config.read_text(encoding="utf-8")).get("pipeline", []):
        if part.get("name") == "FallbackClassifier":
            return float(part.get("threshold", 0.3))
    return 0.0


def summarise(out: Path, threshold: float) -> str:
    report = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    results = []
    for name, correct in (("intent_successes.json", True), ("intent_errors.json", False)):
        path = out / name
        if path.exists():
            results += [(r["text"], r["intent"], r["intent_prediction"]["name"], correct,
                         (r["intent_prediction"].get("confidence") or 0.0) < threshold)
                        for r in json.loads(path.read_text(encoding="utf-8"))]
    languages = text_languages()
    right, total, fallback = Counter(), Counter(), Counter()
    confusions: dict[str, Counter] = defaultdict(Counter)
    for text, intent, predicted, correct, low in results:
        lang = languages.get(text, "?")
        for key in (lang, "all"):
            total[key] += 1
            right[key] += correct
            fallback[key] += low
        if not correct:
            confusions[intent][predicted] += 1

    lines = ["Intent accuracy per language (test folds combined):", "",
             f"| language | examples | accuracy | below fallback threshold ({threshold}) |", "|---|---|---|---|"]
    for key in (*LANGS, *sorted(set(total) - {*LANGS, "all"}), "all"):
        if total[key]:
            lines.append(f"| {key} | {total[key]} | {right[key] / total[key]:.3f} | {fallback[key] / total[key]:.1%} |")
    summary = {k: report[k] for k in ("accuracy", "macro avg", "weighted avg", "micro avg") if k in report}
    macro, weighted = summary.get("macro avg", {}), summary.get("weighted avg", {})
    lines += ["", f"Overall: accuracy {summary.get('accuracy', float('nan')):.3f}, "
              f"macro F1 {macro.get('f1-score', float('nan')):.3f}, weighted F1 {weighted.get('f1-score', float('nan')):.3f}.",
              "", "Per-intent F1, worst first (most frequent confusion):", "",
              "| intent | support | precision | recall | F1 | most often taken for |", "|---|---|---|---|---|---|"]
    intents = {k: v for k, v in report.items() if isinstance(v, dict) and "f1-score" in v and k not in summary}
    for name, row in sorted(intents.items(), key=lambda kv: (kv[1]["f1-score"], kv[0])):
        top = confusions[name].most_common(1)
        lines.append(f"| {name} | {row['support']} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1-score']:.3f} "
                     f"| {f'{top[0][0]} ({top[0][1]})' if top else ''} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "nlu")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--plots", action="store_true", help="let Rasa draw the confusion matrix and histogram")
    parser.add_argument("--summary-only", action="store_true", help="re-read an existing --out folder, run nothing")
    args = parser.parse_args()
    if not args.summary_only:
        print(f"rasa test nlu --cross-validation --folds {args.folds} with {args.config} into {args.out} ...", flush=True)
        seconds = run_cross_validation(args.config.resolve(), args.out.resolve(), args.folds, args.plots)
        print(f"done in {seconds:.0f} s\n")
    text = summarise(args.out, fallback_threshold(args.config))
    print(text)
    (args.out / "summary.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
