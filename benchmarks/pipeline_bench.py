"""Choose the Rasa pipeline with data: the light pipeline (config.yml) against stock DIET + TED
(benchmarks/configs/diet_ted.yml), both measured in one run on the same data and the same machine.

Not a test: it prints a Markdown report, and with --write-docs puts it into the
"## Conversation pipeline" section of docs/benchmarks.md (only between the generated-block markers).
Run from the project root:
    .venv/bin/python benchmarks/pipeline_bench.py --write-docs
    .venv/bin/python benchmarks/pipeline_bench.py --stock-epochs 30 --work /tmp/bench   # DIET epochs reduced
    .venv/bin/python benchmarks/pipeline_bench.py --work /tmp/bench --reuse             # re-measure serving only

What it measures, for each configuration:
1. Intent F1 (macro and weighted) per language variant (ka, ka-Latn, en) on a held-out 20%, split
   stratified by language and intent with a fixed seed; `rasa train nlu` on the other 80%.
2. Full `rasa train` time (cold: empty Rasa training cache) and its peak memory; Rasa server startup
   (process start to the first successful REST reply); server RSS after warm-up and after load.
3. Per-message latency over REST with the action server and the portal in the loop (a logged-in
   citizen asking about tax debt, border crossings, inbox, applications, help): one client sending
   N messages in turn (conversations of --turns messages), then 20 concurrent conversations, then one
   long conversation. Loopback only; client, portal, action server and Rasa share the machine.
The domain and training data are copied into the work folder first, so edits made while the
benchmark runs cannot give the two configurations different data.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from basics.processes import terminate  # noqa: E402  (after the path is set, for a run from a checkout)

LIGHT = ROOT / "config.yml"
STOCK = ROOT / "benchmarks" / "configs" / "diet_ted.yml"
DOMAIN = ROOT / "nlu_data" / "domain.yml"
NLU_DIR = ROOT / "nlu_data" / "nlu"
CORE_DIR = ROOT / "nlu_data" / "core"
DOCS = ROOT / "docs" / "benchmarks.md"
SECTION = "## Conversation pipeline"
BEGIN, END = "<!-- pipeline_bench:begin -->", "<!-- pipeline_bench:end -->"
LANGS = ("ka", "ka-Latn", "en")
GIORGI, GIORGI_PIN = "01024054321", "1357"
ENV = {"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1"}
MIB = 1024 * 1024

# One logged-in citizen's turns, cycled. Every one is answered by an action; all but "help" call the
# portal. (text, a piece the answer must contain, or None)
TURNS = (
    ("How much tax do I owe?", "125 lari and 40 tetri"),
    ("რა დავალიანება მაქვს?", "125 ლარი და 40 თეთრი"),
    ("ramdeni gadasaxadi maqvs gadasaxdeli?", "125 ლარი და 40 თეთრი"),
    ("show my border crossings", None),
    ("do I have any new messages?", None),
    ("what are my applications", None),
    ("what can I say", None),
    ("ჩემი საზღვრის კვეთები მაჩვენე", None),
)

# Goals from issue 4, section 5, for the chosen stack.
GOALS = {"p50": 50.0, "p95": 120.0, "rate": 40.0, "startup": 20.0, "rss": 800.0}


# ---------------------------------------------------------------- data


def snapshot(work: Path) -> str:
    """Copy the domain and training data into the work folder and train only from the copy.
    Returns the input fingerprint (the hash the product's model cache uses) of what was copied."""
    from assistant.rasa_runtime import model_hash

    global DOMAIN, NLU_DIR, CORE_DIR
    fingerprint = model_hash(LIGHT)
    data = work / "data"
    shutil.copytree(NLU_DIR, data / "nlu")
    shutil.copytree(CORE_DIR, data / "core")
    shutil.copy(DOMAIN, data / "domain.yml")
    DOMAIN, NLU_DIR, CORE_DIR = data / "domain.yml", data / "nlu", data / "core"
    return fingerprint


def language_of(path: Path) -> str:
    if path.name.startswith("ka_latn"):
        return "ka-Latn"
    return path.name.split("_")[0]


def read_examples(folder: Path | None = None) -> list[tuple[str, str, str]]:
    """(language, intent, text) for every NLU example; the language comes from the file name."""
    import yaml

    examples = []
    for path in sorted((folder or NLU_DIR).glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" not in block:
                continue
            for line in block["examples"].splitlines():
                text = line.strip()
                if text.startswith("- "):
                    examples.append((language_of(path), block["intent"], text[2:].strip()))
    return examples


def split(examples: list, test_share: float, seed: int) -> tuple[list, list]:
    """Stratified by (language, intent): about test_share of every group held out, at least one."""
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for example in examples:
        groups[example[:2]].append(example)
    rng = random.Random(seed)
    train, test = [], []
    for key in sorted(groups):
        items = sorted(groups[key])
        rng.shuffle(items)
        held = max(1, round(len(items) * test_share)) if len(items) > 1 else 0
        test += items[:held]
        train += items[held:]
    return train, test


def write_nlu(examples: list, path: Path) -> None:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for _, intent, text in examples:
        by_intent[intent].append(text)
    lines = ['version: "3.1"', "nlu:"]
    for intent in sorted(by_intent):
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {t}" for t in by_intent[intent]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- processes and memory


def tree_rss(pid: int) -> int:
    import psutil

    try:
        proc = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)])
    except psutil.NoSuchProcess:
        return 0


def run_timed(command: list[str], env: dict[str, str], log: Path) -> tuple[float, int]:
    """Run to completion; return wall seconds and the peak RSS of the process tree (sampled 5x/s)."""
    start = time.monotonic()
    with open(log, "w") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.2)
    seconds = time.monotonic() - start
    if proc.returncode:
        raise RuntimeError(f"{' '.join(command)} failed ({proc.returncode}); see {log}:\n{log.read_text()[-3000:]}")
    return seconds, peak


def rasa_env(cache_dir: Path) -> dict[str, str]:
    return {**os.environ, **ENV, "RASA_CACHE_DIRECTORY": str(cache_dir)}


# ---------------------------------------------------------------- 1. intent F1 on a held-out split


def parse_main(model: str, texts_file: str, out_file: str) -> None:
    """Child-process mode: load a model, parse every text, write the predictions (keeps TensorFlow
    out of the benchmark process)."""
    import logging

    logging.disable(logging.WARNING)
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    texts = json.loads(Path(texts_file).read_text(encoding="utf-8"))

    async def parse_all() -> list[dict]:
        results = []
        for text in texts:
            start = time.perf_counter()
            parsed = await agent.parse_message(text)
            ms = (time.perf_counter() - start) * 1000
            ranking = [r["name"] for r in parsed.get("intent_ranking", []) if r["name"] != "nlu_fallback"]
            results.append({"served": parsed["intent"]["name"], "classifier": ranking[0] if ranking else None, "ms": ms})
        return results

    Path(out_file).write_text(json.dumps(asyncio.run(parse_all())), encoding="utf-8")


def intent_scores(config: Path, train: list, test: list, work: Path) -> dict:
    from sklearn.metrics import f1_score

    folder = work / f"split-{config.stem}"
    folder.mkdir()
    write_nlu(train, folder / "train.yml")
    env = rasa_env(folder / "cache")
    seconds, _ = run_timed([sys.executable, "-m", "rasa", "train", "nlu", "--config", str(config), "--nlu",
                            str(folder / "train.yml"), "--out", str(folder), "--fixed-model-name", "nlu"],
                           env, folder / "train.log")
    (folder / "texts.json").write_text(json.dumps([t for _, _, t in test], ensure_ascii=False), encoding="utf-8")
    with open(folder / "parse.log", "w") as log:
        subprocess.run([sys.executable, __file__, "--parse", str(folder / "nlu.tar.gz"), str(folder / "texts.json"),
                        str(folder / "predictions.json")], cwd=ROOT, env=env, check=True, stdout=log, stderr=log)
    predictions = json.loads((folder / "predictions.json").read_text(encoding="utf-8"))
    scores: dict = {"nlu_train_s": seconds, "parse_ms": [p["ms"] for p in predictions]}
    for lang in (*LANGS, "all"):
        rows = [(ex, p) for ex, p in zip(test, predictions) if lang in ("all", ex[0])]
        truth = [ex[1] for ex, _ in rows]
        labels = sorted(set(truth))
        raw = [p["classifier"] for _, p in rows]
        scores[lang] = {
            "n": len(rows),
            "macro": f1_score(truth, raw, labels=labels, average="macro", zero_division=0),
            "weighted": f1_score(truth, raw, labels=labels, average="weighted", zero_division=0),
            "fallback": sum(p["served"] == "nlu_fallback" for _, p in rows) / len(rows),
            "served_acc": sum(p["served"] == t for t, (_, p) in zip(truth, rows)) / len(rows),
        }
    return scores


# ---------------------------------------------------------------- 2. training


def stock_config(epochs: int, work: Path) -> Path:
    """benchmarks/configs/diet_ted.yml, or a copy with DIET's and TED's epochs changed."""
    if epochs == 100:
        return STOCK
    import yaml

    config = yaml.safe_load(STOCK.read_text(encoding="utf-8"))
    for part in (*config["pipeline"], *config["policies"]):
        if part["name"] in ("DIETClassifier", "TEDPolicy"):
            part["epochs"] = epochs
    path = work / f"diet_ted-{epochs}epochs.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def epoch_loops(log: Path) -> float:
    """Seconds spent in the epoch loops of TensorFlow components, from tqdm's "Epochs: n/n [mm:ss<"
    (one physical line per loop; carriage returns separate its updates)."""
    total = 0.0
    for line in log.read_bytes().decode("utf-8", "replace").split("\n"):
        done = re.findall(r"Epochs: 100%.*?\| (\d+)/\1 \[(?:(\d+):)?(\d+):(\d+)<", line)
        if done:
            _, hours, minutes, seconds = done[-1]
            total += int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    return total


def full_train(config: Path, work: Path) -> tuple[Path, float, int, float]:
    out = work / "trained"
    out.mkdir(exist_ok=True)
    name = config.stem
    log = work / f"train-{config.stem}.log"
    seconds, peak = run_timed([sys.executable, "-m", "rasa", "train", "--config", str(config), "--domain", str(DOMAIN),
                               "--data", str(NLU_DIR), str(CORE_DIR), "--out", str(out), "--fixed-model-name", name],
                              rasa_env(work / f"cache-{config.stem}"), log)
    return out / f"{name}.tar.gz", seconds, peak, epoch_loops(log)


# ---------------------------------------------------------------- 3. serving


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


@dataclass
class Serving:
    startup_s: float = 0.0
    imports_s: float = 0.0
    rss_warm: int = 0
    rss_after: int = 0
    seq_ms: list[float] = field(default_factory=list)
    long_ms: list[float] = field(default_factory=list)
    conc_ms: list[float] = field(default_factory=list)
    conc_rate: float = 0.0
    checked: int = 0
    correct: int = 0
    errors: int = 0


async def converse(client, webhook: str, token: str, turns: int, offset: int, result: Serving, into: list) -> None:
    sender = f"bench-{uuid.uuid4().hex[:12]}"
    for i in range(turns):
        text, expected = TURNS[(offset + i) % len(TURNS)]
        start = time.perf_counter()
        response = await client.post(webhook, json={"sender": sender, "message": text, "metadata": {"portal_token": token}})
        into.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200 or not response.json():
            result.errors += 1
            continue
        if expected:
            result.checked += 1
            result.correct += expected in "\n".join(m.get("text", "") for m in response.json())


async def serve_measure(webhook: str, rest_secret: str, token: str, pid: int, sequential: int, conversations: int,
                        turns: int, long: int) -> Serving:
    import httpx

    result = Serving()
    limits = httpx.Limits(max_connections=conversations + 5, max_keepalive_connections=conversations + 5)
    async with httpx.AsyncClient(timeout=120, limits=limits, headers={"Authorization": f"Bearer {rest_secret}"}) as client:
        warm: list[float] = []
        await converse(client, webhook, token, 2 * len(TURNS), 0, Serving(), warm)
        await asyncio.sleep(1)
        result.rss_warm = tree_rss(pid)
        # one client: N messages in conversations of `turns` messages each (a fresh sender each time)
        for i in range(0, sequential, turns):
            await converse(client, webhook, token, min(turns, sequential - i), i, result, result.seq_ms)
        start = time.perf_counter()
        await asyncio.gather(*(converse(client, webhook, token, turns, i, result, result.conc_ms)
                               for i in range(conversations)))
        result.conc_rate = len(result.conc_ms) / (time.perf_counter() - start)
        # one long conversation: does a message get slower as the tracker grows?
        await converse(client, webhook, token, long, 0, result, result.long_ms)
        result.rss_after = tree_rss(pid)
    return result


def breakdown(settings, token: str, count: int = 60) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Where one message's time goes, without Rasa: the portal alone (the tax-debt lookup) and the
    action server alone (action_informational for a tax-debt message, which itself calls the portal)."""
    import httpx

    from basics.identity import IdentityStore

    portal, actions = settings.portal_base_url, settings.actions_url
    IdentityStore(settings).put_token("bench", token)  # as a channel does for a signed-in user

    def p50(call) -> float:
        times = []
        for _ in range(count):
            start = time.perf_counter()
            call()
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times[5:])

    with httpx.Client(timeout=30) as http:
        portal_ms = p50(lambda: http.get(f"{portal}/v1/info/tax-debt", headers={"Authorization": f"Bearer {token}"})
                        .raise_for_status())
        message = {"intent": {"name": "tax_debt", "confidence": 0.9}, "entities": [], "text": "How much tax do I owe?",
                   "metadata": {}}
        body = {"next_action": "action_informational", "sender_id": "bench", "version": "3.6.21", "domain": {},
                "tracker": {"sender_id": "bench", "slots": {"lang": "en"}, "latest_message": message,
                            "events": [{"event": "user", "text": message["text"], "parse_data": message,
                                        "metadata": message["metadata"]}],
                            "paused": False, "followup_action": None, "active_loop": {},
                            "latest_action_name": "action_listen", "latest_event_time": time.time()}}

        def action() -> None:
            response = http.post(actions, json=body,
                                 headers={"Authorization": f"Bearer {settings.kept_secret('actions_secret')}"})
            response.raise_for_status()
            if "125" not in json.dumps(response.json(), ensure_ascii=False):
                raise RuntimeError(f"action server answered unexpectedly: {response.text[:300]}")
        action_ms = p50(action)
    start = time.perf_counter()
    for _ in range(20):
        httpx.AsyncClient()
    return {"portal": portal_ms, "action": action_ms, "client": (time.perf_counter() - start) / 20 * 1000}


def start_rasa(command: list[str], env: dict, webhook: str, log: Path,
               timeout: float = 600) -> tuple[subprocess.Popen, float, float]:
    """Start the Rasa server; seconds from process start to the first successful REST reply, and to the
    log line "Starting Rasa server" (Python imports, TensorFlow's included, are done by then)."""
    import httpx

    start = time.monotonic()
    with open(log, "w") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    probe = {"sender": f"startup-{uuid.uuid4().hex[:8]}", "message": "hello"}
    imported = 0.0
    while time.monotonic() - start < timeout:
        if not imported and "Starting Rasa server" in log.read_text(errors="replace"):
            imported = time.monotonic() - start
        if proc.poll() is not None:
            raise RuntimeError(f"Rasa exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            response = httpx.post(webhook, json=probe, timeout=30)
            if response.status_code == 200 and response.json():
                return proc, time.monotonic() - start, imported
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"Rasa did not answer in {timeout} s; see {log}")


def stop(proc: subprocess.Popen) -> None:
    terminate(proc, timeout=30)


def serve_all(models: dict[str, Path], work: Path, args: argparse.Namespace) -> dict:
    import httpx

    from assistant.rasa_runtime import model_hash, rasa_server_command
    from tests.stack import Stack

    data = work / "stack"
    data.mkdir()
    # tests.stack.Stack trains config.yml unless it finds a model under the name ensure_model expects
    # for the current inputs; point that name at our light model (Stack serves only portal + actions here).
    (work / "models").mkdir(exist_ok=True)
    alias = work / "models" / f"{LIGHT.stem}-{model_hash(LIGHT)}.tar.gz"
    if not alias.exists():
        alias.symlink_to(models["light"])
    stack = Stack(data, MYGOV_MODELS_DIR=str(work / "models"), **ENV)
    for part in (stack.portal, stack.actions):
        part.start()
    results: dict = {}
    try:
        token = httpx.post(f"{stack.settings.portal_base_url}/v1/auth/phone-pin",
                           json={"personal_number": GIORGI, "pin": GIORGI_PIN}, timeout=30).json()["access_token"]
        results["breakdown"] = breakdown(stack.settings, token)
        for name, model in models.items():
            own = work / f"rasa-{name}"  # its own tracker store (SQLite) and endpoints file
            own.mkdir()
            settings = stack.settings.with_overrides(data_dir=own)
            proc, startup, imported = start_rasa(rasa_server_command(settings, model), stack.env, stack.webhook,
                                                 own / "rasa.log")
            try:
                measured = asyncio.run(serve_measure(stack.webhook, stack.rest_secret, token, proc.pid, args.messages,
                                                     args.conversations, args.turns, args.long))
                measured.startup_s, measured.imports_s = startup, imported
                results[name] = measured
                (own / "latencies.json").write_text(json.dumps({"sequential": measured.seq_ms, "concurrent": measured.conc_ms,
                                                                "long": measured.long_ms}))
            finally:
                stop(proc)
            print(f"  served {name}: startup {startup:.1f} s, p50 {statistics.median(measured.seq_ms):.0f} ms", flush=True)
    finally:
        stack.stop()
    return results


# ---------------------------------------------------------------- report


def ratio(light: float, stock: float) -> str:
    return f"{light / stock:.2f}" if stock else "n/a"


def verdict(value: float, goal: float, lower_is_better: bool = True) -> str:
    met = value <= goal if lower_is_better else value >= goal
    if met:
        return "met"
    return f"**not met** ({value / goal:.1f}x the goal)" if lower_is_better else f"**not met** ({value / goal:.0%} of the goal)"


def report(f1: dict, train: dict, serve: dict, split_sizes: tuple[int, int], args, total_s: float,
           loads: list[float]) -> str:
    L, S = "light", "stock"
    lines = [
        f"Run: {time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, {os.cpu_count()} cores, "
        f"total {total_s / 60:.1f} min. Split: {split_sizes[0]} training / {split_sizes[1]} held-out examples "
        f"(20% of every language x intent, seed {args.seed}). Serving: {args.messages} sequential messages by one "
        f"client in conversations of {args.turns}; then {args.conversations} concurrent conversations x {args.turns} "
        f"messages; then one {args.long}-message conversation. "
        f"Stock DIET/TED epochs: {args.stock_epochs}" + (" (Rasa's default)." if args.stock_epochs == 100 else
                                                          " (reduced from Rasa's default 100 to fit the run time).")
        + " 1-minute load average at start / before serving / end: " + " / ".join(f"{x:.1f}" for x in loads) + ".",
        "",
        "Intent classification on the held-out split (F1 of the classifier's top intent; `fallback` = share of "
        "held-out messages that the FallbackClassifier turns into `nlu_fallback`, which our rules send to the "
        "catalogue search; `accuracy as served` = share whose final intent, after the fallback, is the true one):",
        "",
        "| language | n | macro F1 light | macro F1 stock | ratio | weighted F1 light | weighted F1 stock | ratio "
        "| fallback light | fallback stock | accuracy as served light | accuracy as served stock |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for lang in (*LANGS, "all"):
        a, b = f1[L][lang], f1[S][lang]
        lines.append(f"| {lang} | {a['n']} | {a['macro']:.3f} | {b['macro']:.3f} | {ratio(a['macro'], b['macro'])} "
                     f"| {a['weighted']:.3f} | {b['weighted']:.3f} | {ratio(a['weighted'], b['weighted'])} "
                     f"| {a['fallback']:.1%} | {b['fallback']:.1%} | {a['served_acc']:.3f} | {b['served_acc']:.3f} |")
    sl, ss = serve[L], serve[S]
    rows = [
        ("`rasa train nlu` on the 80% split, s", f1[L]["nlu_train_s"], f1[S]["nlu_train_s"], None),
        ("full `rasa train` (cold cache), s", train[L][0], train[S][0], None),
        *([("full `rasa train`, stock estimated at 100 epochs, s", train[L][0],
            train[S][0] + train[S][2] * (100 / args.stock_epochs - 1), None)] if args.stock_epochs != 100 else []),
        ("peak RSS while training, MiB", train[L][1] / MIB, train[S][1] / MIB, None),
        ("in-process NLU parse p50, ms", statistics.median(f1[L]["parse_ms"]), statistics.median(f1[S]["parse_ms"]), None),
        ("startup to first REST reply, s", sl.startup_s, ss.startup_s, ("startup", "<= 20 s")),
        ("of which: until \"Starting Rasa server\" (imports), s", sl.imports_s, ss.imports_s, None),
        ("Rasa server RSS after warm-up, MiB", sl.rss_warm / MIB, ss.rss_warm / MIB, ("rss", "<= 800 MiB")),
        ("Rasa server RSS after all messages, MiB", sl.rss_after / MIB, ss.rss_after / MIB, None),
        ("one client p50, ms", statistics.median(sl.seq_ms), statistics.median(ss.seq_ms), ("p50", "<= 50 ms")),
        ("one client p95, ms", percentile(sl.seq_ms, 0.95), percentile(ss.seq_ms, 0.95), ("p95", "<= 120 ms")),
        ("one client, msg/s", len(sl.seq_ms) / (sum(sl.seq_ms) / 1000), len(ss.seq_ms) / (sum(ss.seq_ms) / 1000), None),
        (f"{args.conversations} concurrent, msg/s", sl.conc_rate, ss.conc_rate, ("rate", ">= 40 msg/s")),
        (f"{args.conversations} concurrent p50, ms", statistics.median(sl.conc_ms), statistics.median(ss.conc_ms), None),
        (f"{args.conversations} concurrent p95, ms", percentile(sl.conc_ms, 0.95), percentile(ss.conc_ms, 0.95), None),
        (f"one {args.long}-message conversation: p50 of messages 1-10, ms", statistics.median(sl.long_ms[:10]),
         statistics.median(ss.long_ms[:10]), None),
        (f"one {args.long}-message conversation: p50 of the last 10, ms", statistics.median(sl.long_ms[-10:]),
         statistics.median(ss.long_ms[-10:]), None),
    ]
    lines += ["", "Cost and speed (light = config.yml, stock = benchmarks/configs/diet_ted.yml; goals apply to the "
              "chosen light stack):", "",
              "| measure | light | stock | light/stock | goal | light meets goal? |", "|---|---|---|---|---|---|"]
    for label, a, b, goal in rows:
        fmt = (lambda v: f"{v:.2f}") if a < 10 and b < 10 else (lambda v: f"{v:.0f}" if v >= 100 else f"{v:.1f}")
        if goal:
            key, text = goal
            status = verdict(a, GOALS[key], lower_is_better=key != "rate")
        else:
            text = status = ""
        lines.append(f"| {label} | {fmt(a)} | {fmt(b)} | {ratio(a, b)} | {text} | {status} |")
    b = serve["breakdown"]
    lines += ["", f"Where one message's time goes, without Rasa (p50, one client): the portal alone answers the tax-debt "
              f"lookup in {b['portal']:.1f} ms; the action server alone runs `action_informational` for it in "
              f"{b['action']:.1f} ms; constructing one `httpx.AsyncClient()` (which the action server's portal client "
              f"does on every turn; it loads the CA bundle) takes {b['client']:.1f} ms in this process."]
    for name, s in (("light", sl), ("stock", ss)):
        lines.append("")
        lines.append(f"Checked answers ({name}): {s.correct}/{s.checked} tax-debt replies carried the portal's "
                     f"125.40 GEL in the right language; {s.errors} empty or failed replies.")
    return "\n".join(lines)


def commit() -> str:
    done = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def write_docs(block: str, command: str) -> None:
    """Replace only the generated block inside our own section; create the section if it is missing."""
    generated = f"{BEGIN}\nCommand (from the project root):\n\n```\n{command}\n```\n\n{block}\n{END}"
    text = DOCS.read_text(encoding="utf-8")
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: generated, text, flags=re.S)
    elif SECTION in text:
        raise SystemExit(f"{DOCS}: '{SECTION}' has no generated block markers; add them by hand")
    else:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\n{generated}\n"
    DOCS.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--messages", type=int, default=200, help="sequential messages by one client")
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--turns", type=int, default=10, help="messages per conversation (sequential and concurrent)")
    parser.add_argument("--long", type=int, default=100, help="messages in one long conversation (tracker growth)")
    parser.add_argument("--stock-epochs", type=int, default=100,
                        help="DIET and TED epochs of the stock configuration (default 100, Rasa's default)")
    parser.add_argument("--work", type=Path, help="keep data copy, models and logs here (default: a temporary directory)")
    parser.add_argument("--reuse", action="store_true",
                        help="with --work: reuse the models and F1 results of an earlier run there; re-measure serving")
    parser.add_argument("--write-docs", action="store_true", help=f"write the table into {DOCS.relative_to(ROOT)}")
    parser.add_argument("--parse", nargs=3, metavar=("MODEL", "TEXTS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.parse:
        return parse_main(*args.parse)
    if args.reuse and not args.work:
        parser.error("--reuse needs --work")
    os.environ.update(ENV)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="pipeline-bench-") as tmp:
        work = (args.work or Path(tmp)).resolve()
        work.mkdir(parents=True, exist_ok=True)
        saved = work / "results.json"
        loads = [os.getloadavg()[0]]
        if args.reuse:
            if not saved.exists():
                raise SystemExit(f"--reuse: no {saved}; run once with --work {work} first")
            earlier = json.loads(saved.read_text())
            f1, trained, fingerprint = earlier["f1"], earlier["trained"], earlier["fingerprint"]
            models = {name: Path(path) for name, path in earlier["models"].items()}
            sizes = tuple(earlier["sizes"])
            args.stock_epochs = earlier["stock_epochs"]
            for leftover in ("stack", "models", "rasa-light", "rasa-stock"):
                shutil.rmtree(work / leftover, ignore_errors=True)
        else:
            if any(work.iterdir()):
                raise SystemExit(f"{work} is not empty; give an empty --work folder, or --reuse")
            fingerprint = snapshot(work)
            train_set, test_set = split(read_examples(), 0.2, args.seed)
            sizes = (len(train_set), len(test_set))
            configs = {"light": LIGHT, "stock": stock_config(args.stock_epochs, work)}
            f1, trained, models = {}, {}, {}
            for name, config in configs.items():
                print(f"[{name}] intent F1: rasa train nlu on {len(train_set)} examples ...", flush=True)
                f1[name] = intent_scores(config, train_set, test_set, work)
                print(f"[{name}] full rasa train ...", flush=True)
                model, seconds, peak, loops = full_train(config, work)
                trained[name], models[name] = (seconds, peak, loops), model
                print(f"  {name}: nlu-train {f1[name]['nlu_train_s']:.0f} s, macro F1 {f1[name]['all']['macro']:.3f}, "
                      f"full train {seconds:.0f} s", flush=True)
            saved.write_text(json.dumps({"f1": f1, "trained": trained, "models": {k: str(v) for k, v in models.items()},
                                         "fingerprint": fingerprint, "sizes": sizes, "stock_epochs": args.stock_epochs,
                                         "when": time.strftime("%Y-%m-%d %H:%M")}))
        print("serving with portal and action server ...", flush=True)
        loads.append(os.getloadavg()[0])
        served = serve_all(models, work, args)
        loads.append(os.getloadavg()[0])
        block = report(f1, trained, served, sizes, args, time.monotonic() - started, loads)
        block = block.replace("Run: ", f"Run: inputs {fingerprint} (commit {commit()}), ", 1)
        if args.reuse:
            block = block.replace("Run: ", f"Run (serving re-measured; training and F1 from the run of "
                                  f"{json.loads(saved.read_text())['when']}, total time is this re-run's): ", 1)
    command = " ".join([".venv/bin/python", "benchmarks/pipeline_bench.py", *sys.argv[1:]])
    print(f"\nCommand: {command}\n\n{block}")
    if args.write_docs:
        write_docs(block, command)
        print(f"\nWritten to {DOCS.relative_to(ROOT)} ({SECTION}).")


if __name__ == "__main__":
    main()
