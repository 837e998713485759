"""Dependencies point one way (docs/architecture.md):

    public → announcements → reservations → accounts;  oversight reads the three lower apps;
    certificates (CA管理, 证书登录, signing) reads accounts, and public reads certificates;
    config (URLs, settings) reads every app but devdata, which production does not install.

devdata (demo and benchmark data) reads the domain apps below public, oversight included (its
stories run filing campaigns through oversight's services). Of public only seed_bulk imports the
search-field and cache helpers (`public.search`, `public.cache`): it writes published notices in
bulk, without the workflow whose public listener would otherwise fill those fields and clear the
cache. ops (backup) may read every app. Nothing else imports public, oversight, devdata or ops.

Every import counts, also those inside functions, and no two modules may import each other,
directly or round a longer cycle. The same direction holds for URLs: an app names only its own
URLs and those of the apps it may import (`{% url %}` in templates/<app>/, `reverse()`,
`reverse_lazy()` and `redirect()` in its Python).
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = (
    "accounts",
    "certificates",
    "reservations",
    "announcements",
    "public",
    "oversight",
    "devdata",
    "ops",
    "config",
)
ALLOWED = {
    "accounts": set(),
    "certificates": {"accounts"},
    "reservations": {"accounts"},
    "announcements": {"reservations", "accounts"},
    "public": {"announcements", "reservations", "accounts", "certificates"},
    "oversight": {"announcements", "reservations", "accounts"},
    "devdata": {"accounts", "certificates", "reservations", "announcements", "oversight"},
    "ops": {"accounts", "certificates", "reservations", "announcements", "public", "oversight"},
    "config": set(APPS) - {"config", "devdata"},
}
# The one exemption the docstring names: (importing module, imported module).
EXEMPT = {
    ("devdata.management.commands.seed_bulk", "public.cache"),
    ("devdata.management.commands.seed_bulk", "public.search"),
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
            if other != app and other not in ALLOWED[app] and (module, target) not in EXEMPT:
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


URL_CALLS = {"reverse", "reverse_lazy", "redirect"}
TEMPLATE_URL = re.compile(r"""\{%\s*url\s+(['"])([^'"]+)\1""")


def url_owners() -> dict[str, str]:
    """Which app defines each URL namespace ("public") and each name outside a namespace
    ("healthz"): namespaces from `app_name` in an app's urls modules, bare names from config."""
    owners = {}
    for app in APPS:
        for path in (ROOT / app).glob("urls*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [
                    "app_name"
                ]:
                    owners[node.value.value] = app
                elif isinstance(node, ast.keyword) and node.arg == "name" and app == "config":
                    owners[node.value.value] = app
    return owners


def owner_of(url_name: str, owners: dict[str, str]) -> str | None:
    """The app that defines `url_name`; None for names of Django or a library ("admin:index")."""
    return owners.get(url_name.split(":")[0] if ":" in url_name else url_name)


def url_names_in_python(source: str) -> set[str]:
    """Literal URL names passed to reverse(), reverse_lazy() or redirect() (a path like "/" is
    not a name and is skipped by the owner lookup)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        first = node.args[0]
        if func in URL_CALLS and isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    return names


def url_names_in_template(source: str) -> set[str]:
    return {match.group(2) for match in TEMPLATE_URL.finditer(source)}


def url_sources() -> list[tuple[str, str, set[str]]]:
    """(app, file, URL names) for every Python file of an app and every template in
    templates/<app>/."""
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                found.append((app, str(path.relative_to(ROOT)), url_names_in_python(path.read_text())))
        for path in (ROOT / "templates" / app).rglob("*"):
            if path.is_file():
                found.append((app, str(path.relative_to(ROOT)), url_names_in_template(path.read_text())))
    return found


def upward_url_uses(sources, owners) -> list[str]:
    problems = []
    for app, file, names in sources:
        for name in names:
            other = owner_of(name, owners)
            if other is not None and other != app and other not in ALLOWED[app]:
                problems.append(f"{file} uses {name} of {other}")
    return sorted(problems)


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


def test_no_app_uses_a_higher_apps_urls():
    assert upward_url_uses(url_sources(), url_owners()) == []


def test_url_owners_are_the_apps_that_define_them():
    owners = url_owners()

    assert {
        name: owners[name] for name in ("accounts", "announcements", "public", "oversight", "healthz")
    } == {
        "accounts": "accounts",
        "announcements": "announcements",
        "public": "public",
        "oversight": "oversight",
        "healthz": "config",
    }


def test_the_url_check_catches_a_higher_apps_url_in_a_template_and_in_python():
    template = "<a href=\"{% url 'public:detail' notice.public_id %}\">{% url 'announcements:list' %}</a>"
    python = 'def f(n):\n    return redirect("oversight:compare") or reverse("admin:index")\n'
    sources = [
        ("announcements", "templates/announcements/x.html", url_names_in_template(template)),
        ("reservations", "reservations/x.py", url_names_in_python(python)),
    ]

    assert upward_url_uses(sources, url_owners()) == [
        "reservations/x.py uses oversight:compare of oversight",
        "templates/announcements/x.html uses public:detail of public",
    ]


def test_the_import_check_allows_devdata_only_its_named_public_imports():
    graph = project_modules()
    graph["devdata.management.commands.seed_demo"] = graph["devdata.management.commands.seed_demo"] | {
        "public.cache"
    }

    assert upward_imports(graph) == ["devdata.management.commands.seed_demo imports public.cache"]
