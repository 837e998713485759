"""devdata is a development tool: installed only when DEBUG is on, and imported by nobody."""

import ast
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Folders that are not the project's code, plus the two that may import devdata.
NOT_SCANNED = {".venv", ".git", "build", "var", "staticfiles", "node_modules", "devdata", "tests"}


def _manage(*args, **env_vars) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", **env_vars)
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


INSTALLED = "from django.apps import apps; print(apps.is_installed('devdata'))"


def test_production_settings_do_not_install_devdata():
    assert _manage("shell", "-v", "0", "-c", INSTALLED, DEBUG="false", SECRET_KEY="x").strip() == "False"


def test_production_has_no_seed_commands():
    commands = _manage("help", "--commands", DEBUG="false", SECRET_KEY="x").split()

    assert "seed_demo" not in commands and "seed_bulk" not in commands
    assert "migrate" in commands


def test_debug_settings_install_devdata_with_its_commands():
    assert _manage("shell", "-v", "0", "-c", INSTALLED, DEBUG="true").strip() == "True"
    commands = _manage("help", "--commands", DEBUG="true").split()
    assert "seed_demo" in commands and "seed_bulk" in commands


def _imported_names(node) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0:
        return [node.module or ""]
    if (
        isinstance(node, ast.Call)
        and getattr(node.func, "attr", getattr(node.func, "id", "")) in {"import_module", "__import__"}
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ):
        return [str(node.args[0].value)]
    return []


def test_no_module_outside_devdata_and_tests_imports_devdata():
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in NOT_SCANNED or relative.parts[0].startswith("."):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if any(name.split(".")[0] == "devdata" for name in _imported_names(node)):
                offenders.append(f"{relative}:{node.lineno}")
    assert offenders == []
