"""Dependencies point one way (docs/architecture.md):

    public → announcements → reservations → accounts;  oversight reads the three lower apps;
    devdata (demo and benchmark data) and ops (backup) may read every app; nothing imports
    public, oversight, devdata or ops but config (URLs, settings) and the tests.

Every import counts, also those inside functions, and no two modules may import each other,
directly or round a longer cycle.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "reservations", "announcements", "public", "oversight", "devdata", "ops", "config")
ALLOWED = {
    "accounts": set(),
    "reservations": {"accounts"},
    "announcements": {"reservations", "accounts"},
    "public": {"announcements", "reservations", "accounts"},
    "oversight": {"announcements", "reservations", "accounts"},
    "devdata": {"accounts", "reservations", "announcements", "public", "oversight"},
    "ops": {"accounts", "reservations", "announcements", "public", "oversight"},
    "config": set(APPS) - {"config", "devdata"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """Project modules that `source` (the text of `module`) imports, wherever the import is."""
    found = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            found.add(target)
            # `from . import workflow` imports the module workflow.
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in APPS}


def project_modules() -> dict[str, set[str]]:
    graph = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = module_name(path)
            graph[name] = imported_modules(path.read_text(), name, is_package=path.name == "__init__.py")
    known = set(graph)
    # Keep only names that are modules ("from .models import Announcement" adds a class name).
    return {name: {i for i in imports if i in known and i != name} for name, imports in graph.items()}


def upward_imports(graph) -> list[str]:
    problems = []
    for module, imports in graph.items():
        app = module.split(".")[0]
        for target in imports:
            other = target.split(".")[0]
            if other != app and other not in ALLOWED[app]:
                problems.append(f"{module} imports {target}")
    return sorted(problems)


def cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, result = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return result


def without_packages(graph):
    # A package's __init__ importing its own submodules (urls → views) is not a cycle to worry about.
    return {m: {t for t in ts if not m.startswith(t + ".")} for m, ts in graph.items()}


def test_no_app_imports_a_higher_app():
    assert upward_imports(project_modules()) == []


def test_no_import_cycles_between_modules():
    assert cycles(without_packages(project_modules())) == []


def test_the_check_catches_an_upward_import_inside_a_function():
    source = "def f():\n    from public.cache import bump_public_cache\n"
    graph = project_modules()
    graph["announcements.workflow"] = graph["announcements.workflow"] | {
        m for m in imported_modules(source, "announcements.workflow") if m in graph
    }
    assert "announcements.workflow imports public.cache" in upward_imports(graph)


def test_the_check_catches_a_cycle():
    graph = project_modules()
    graph["accounts.rules"] = graph["accounts.rules"] | {"accounts.selectors"}
    assert ["accounts.rules", "accounts.selectors"] in cycles(without_packages(graph))


def test_the_workflow_imports_none_of_its_listeners():
    graph = project_modules()
    listeners = {"announcements.notifications", "public.services", "public.cache"}
    assert graph["announcements.workflow"] & listeners == set()
    assert "announcements.workflow" not in graph["announcements.notifications"]
