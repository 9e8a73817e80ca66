"""The layout the code promises (docs/architecture.md): stages import only earlier stages, no cycles,
handlers depend on the engine and never the other way, except at the two entry points."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {"engine": "shiftwork.engine", "handlers": "shiftwork.handlers", "deploy": "shiftwork.deploy"}
# Pipeline order; a module may import its own stage or an earlier one. The top of engine/ (errors) is 0.
STAGES = ("language", "schedule", "events", "plan", "execute", "dispatch", "cli")
# Entry points load the handlers (so they register their actions); nothing else in the engine may.
ENTRY_POINTS = {"shiftwork.engine.__main__", "shiftwork.engine.cli.main", "shiftwork.engine.dispatch.lambda_handler"}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    parts[0] = PACKAGES[parts[0]]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


PACKAGE_NAMES: set[str] = set()  # modules that are packages (__init__.py): relative imports start there


def sources() -> dict[str, str]:
    out = {}
    for top in PACKAGES:
        for path in sorted((ROOT / top).rglob("*.py")) if (ROOT / top).is_dir() else ():
            out[module_name(path)] = path.read_text(encoding="utf-8")
            if path.name == "__init__.py":
                PACKAGE_NAMES.add(module_name(path))
    return out


def imports(name: str, text: str) -> set[str]:
    """Every module `name` imports, at any depth (a deferred import is still a dependency)."""
    found: set[str] = set()
    package = name if name in PACKAGE_NAMES else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                anchor = parts[: len(parts) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # `from pkg import module`
    return found


def stage(name: str) -> int | None:
    """0 for the top of the engine, 1.. for its stages, None outside the engine."""
    parts = name.split(".")
    if parts[:2] != ["shiftwork", "engine"]:
        return None
    return STAGES.index(parts[2]) + 1 if len(parts) > 3 and parts[2] in STAGES else 0


def problems(mods: dict[str, str]) -> list[str]:
    """Backward imports, engine → handlers imports outside the entry points, top-level names, and cycles."""
    out: list[str] = []
    graph: dict[str, set[str]] = {}
    for name, text in mods.items():
        deps = imports(name, text)
        for dep in sorted(deps):
            if dep.split(".")[0] in ("engine", "handlers"):
                out.append(f"{name} imports top-level {dep!r}; the package is shiftwork.{dep}")
        internal = {d for d in deps if d in mods and d != name}
        graph[name] = internal
        for dep in sorted(internal):
            mine, theirs = stage(name), stage(dep)
            if dep.startswith("shiftwork.handlers") and mine is not None and name not in ENTRY_POINTS:
                out.append(f"{name} imports {dep}: only the entry points load the handlers")
            if mine is not None and theirs is not None and theirs > mine and name not in ENTRY_POINTS:
                out.append(f"{name} (stage {STAGES[mine - 1] if mine else 'engine'}) imports {dep} "
                           f"(later stage {STAGES[theirs - 1]}): stages import only earlier stages")
    out.extend(f"import cycle: {' -> '.join(c)}" for c in cycles(graph))
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component larger than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp) + [sorted(comp)[0]])

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_code_follows_the_pipeline() -> None:
    assert problems(sources()) == []


def test_engine_top_level_keeps_at_most_five_modules() -> None:
    top = sorted(p.name for p in (ROOT / "engine").glob("*.py"))
    assert len(top) <= 5, top
    assert {p.name for p in (ROOT / "engine").iterdir() if p.is_dir() and not p.name.startswith("__")} == set(STAGES)


@pytest.mark.parametrize("module, text, expected", [
    ("shiftwork.engine.language.model", "from shiftwork.engine.dispatch.state import State\n",
     "(stage language) imports shiftwork.engine.dispatch.state (later stage dispatch)"),
    ("shiftwork.engine.plan.planner", "def f():\n    from shiftwork.engine.cli.report import render_table\n",
     "(stage plan) imports shiftwork.engine.cli.report (later stage cli)"),
    ("shiftwork.engine.language.registry", "import shiftwork.handlers\n", "only the entry points load the handlers"),
    ("shiftwork.engine.schedule.cron", "from engine.language import cronexpr\n", "imports top-level 'engine.language'"),
])
def test_a_backward_import_is_caught(module: str, text: str, expected: str) -> None:
    mods = sources()
    mods[module] = mods[module] + text
    assert any(expected in p for p in problems(mods)), problems(mods)


def test_a_cycle_is_caught() -> None:
    mods = sources()
    mods["shiftwork.engine.language.suggest"] += "from shiftwork.engine.language.loader import load\n"
    assert any(p.startswith("import cycle:") and "shiftwork.engine.language.suggest" in p for p in problems(mods))


def test_tests_and_benches_import_the_installed_names() -> None:
    bad = []
    for folder in ("tests", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for dep in imports("tests.x", path.read_text(encoding="utf-8")):
                if dep.split(".")[0] in ("engine", "handlers"):
                    bad.append(f"{path.relative_to(ROOT)}: {dep}")
    assert bad == []
