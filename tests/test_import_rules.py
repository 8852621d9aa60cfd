"""The layers import one way: no cycles between top-level packages, and each package only what it may.

Read from the code itself (every import statement, also those inside functions), so a new import that
breaks a rule fails here before anyone builds on it. `python -m tests.test_import_rules` prints the
package graph (docs/architecture.md shows it)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("basics", "portal_client", "catalog_index", "portal", "actions", "voice", "assistant")
# What each package may import of ours; everything not listed is forbidden.
ALLOWED: dict[str, set[str]] = {
    "basics": set(),
    "catalog_index": {"basics"},
    "portal_client": {"basics"},
    "portal": {"basics", "catalog_index"},
    "actions": {"basics", "catalog_index", "portal_client"},
    "voice": {"basics", "catalog_index"},
    "assistant": {"basics", "catalog_index", "portal_client", "portal", "actions", "voice"},
}


def imported_packages(source: str) -> set[str]:
    """The top-level packages of ours that a module's code imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else \
            [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else []
        found.update(name.split(".")[0] for name in names if name.split(".")[0] in PACKAGES)
    return found


def package_graph() -> dict[str, dict[str, list[str]]]:
    """For each package, the packages it imports, each with the modules that do."""
    graph: dict[str, dict[str, list[str]]] = {package: {} for package in PACKAGES}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for target in imported_packages(path.read_text(encoding="utf-8")) - {package}:
                graph[package].setdefault(target, []).append(str(path.relative_to(ROOT)))
    return graph


def broken_rules(graph: dict[str, dict[str, list[str]]]) -> list[str]:
    return [f"{module} imports {target}" for package, targets in graph.items() for target, modules in targets.items()
            if target not in ALLOWED[package] for module in modules]


def cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    found: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        for target in graph[node]:
            if target == path[0]:
                found.append([*path, target])
            elif target not in path:
                visit(target, [*path, target])

    for package in PACKAGES:
        visit(package, [package])
    return found


def test_each_package_imports_only_the_layers_below_it() -> None:
    assert broken_rules(package_graph()) == []


def test_no_cycles_between_top_level_packages() -> None:
    assert cycles(package_graph()) == []


def test_a_wrong_import_is_caught() -> None:
    graph = package_graph()
    graph["portal"]["assistant"] = ["portal/app.py"]
    graph["assistant"].setdefault("portal", ["assistant/cli.py"])
    assert "portal/app.py imports assistant" in broken_rules(graph)
    assert ["portal", "assistant", "portal"] in cycles(graph)
    assert imported_packages("def f():\n    from voice.talk import TalkSession\n") == {"voice"}


if __name__ == "__main__":
    for package, targets in package_graph().items():
        print(f"{package} -> {', '.join(sorted(targets)) or '(nothing of ours)'}")
