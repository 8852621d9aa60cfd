"""Every third-party package our code imports is declared in pyproject.toml, or is a named part of a
declared package's own stack, or an optional engine the operator installs. A package that only arrives
transitively (as cryptography and sounddevice did) can vanish with any upgrade of whatever brought it.

Read from the code itself (every import statement, also those inside functions), like
tests/test_import_rules.py; `python -m tests.test_dependencies` lists each import and what provides it."""
from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import sys
from functools import lru_cache
from pathlib import Path

import tomli  # pytest's own dependency on Python 3.10, which has no tomllib

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("basics", "portal_client", "catalog_index", "portal", "actions", "voice", "assistant")
# Imported directly but part of the stack of a declared package that requires it (checked below):
# Rasa's channels and action server are sanic apps, its Telegram channel is aiogram's, and the portal's
# request schemas are pydantic models as FastAPI (and rasa 3.6's pin) require; starlette is FastAPI's base.
STACK = {"aiogram": "rasa", "sanic": "rasa", "pydantic": "rasa", "starlette": "fastapi"}
# Imported only after importlib.util.find_spec finds it: the operator installs it, nothing depends on it.
OPTIONAL = {"faster_whisper"}


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@lru_cache(maxsize=1)
def third_party_imports() -> dict[str, set[str]]:
    """Top-level module -> the files of ours that import it, for modules outside the stdlib and our code."""
    found: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else \
                    [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else []
                for top in {name.split(".")[0] for name in names} - set(sys.stdlib_module_names) - set(PACKAGES):
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


@lru_cache(maxsize=1)
def distributions_of() -> dict[str, set[str]]:
    """Top-level module -> the installed distributions that provide it (Python 3.10's
    packages_distributions reads only top_level.txt, which wheels built by newer tools leave out)."""
    provided: dict[str, set[str]] = {}
    for dist in metadata.distributions():
        tops = (dist.read_text("top_level.txt") or "").split() or \
            [Path(f.parts[0]).stem for f in dist.files or () if f.parts[0] not in ("..", "__pycache__")
             and not f.parts[0].endswith((".dist-info", ".egg-info", ".data", ".pth"))]
        for top in tops:
            provided.setdefault(top, set()).add(normal(dist.metadata["Name"]))
    return provided


def declared() -> set[str]:
    project = tomli.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    return {normal(re.match(r"[A-Za-z0-9._-]+", r).group(0)) for r in requirements}  # type: ignore[union-attr]


def required_by(provider: str) -> set[str]:
    requirements = metadata.requires(provider) or []
    return {normal(re.match(r"[A-Za-z0-9._-]+", r).group(0)) for r in requirements}  # type: ignore[union-attr]


def provenance() -> dict[str, str]:
    """Each third-party import and what provides it: declared, a declared package's stack, optional, or a problem."""
    ours, dists = declared(), distributions_of()
    out = {}
    for module, files in sorted(third_party_imports().items()):
        names = dists.get(module, set())
        if names & ours:
            out[module] = f"declared ({', '.join(sorted(names & ours))})"
        elif module in STACK and STACK[module] in ours:
            out[module] = f"part of {STACK[module]}'s stack ({', '.join(sorted(names))})"
        elif module in OPTIONAL:
            out[module] = "optional, installed by the operator"
        else:
            out[module] = f"NOT DECLARED ({', '.join(sorted(names)) or 'not installed'}), imported by {', '.join(sorted(files))}"
    return out


def test_every_third_party_import_is_declared() -> None:
    undeclared = {module: how for module, how in provenance().items() if how.startswith("NOT")}
    assert not undeclared, f"declare these in pyproject.toml and regenerate the lock (README): {undeclared}"


def test_the_stack_exceptions_are_true() -> None:
    """A named stack member is really required by its declared provider and not declared itself (then
    it belongs in the plain list); an optional engine is not declared either."""
    ours, dists = declared(), distributions_of()
    for module, provider in STACK.items():
        assert dists[module] & required_by(provider), f"{provider} no longer requires {module}: declare it"
        assert not dists[module] & ours, f"{module} is declared: take it off STACK"
    assert all(not dists.get(module, set()) & ours for module in OPTIONAL)


def test_the_lock_was_regenerated_after_pyproject_changed() -> None:
    """Each declared package is pinned in requirements.lock as wanted by pyproject.toml itself."""
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    entries = {normal(m[1]): m[2] for m in re.finditer(r"^(\S+)==\S+\n((?:    .*\n)*)", lock, re.M)}
    stale = sorted(name for name in declared() if "mygov-assistant (pyproject.toml)" not in entries.get(name, ""))
    assert not stale, f"regenerate requirements.lock as README says: {stale}"


if __name__ == "__main__":
    for module, how in provenance().items():
        print(f"{module}: {how}")
