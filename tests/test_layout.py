"""Dependencies point one way: a lower app never imports a higher one."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Each app, and the apps above it that it must never import.
ABOVE = {
    "core": {"editorial", "timeline", "reactions", "imports", "explore", "webhooks", "desk"},
    "editorial": {"timeline", "reactions", "imports", "explore", "webhooks", "desk"},
    "timeline": {"reactions", "imports", "explore", "webhooks", "desk"},
    "reactions": {"imports", "explore", "webhooks", "desk"},
    "imports": {"explore", "webhooks", "desk"},
    "explore": {"desk"},
    "webhooks": {"desk"},
}


def imported(path):
    """The top-level packages a module imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("app", list(ABOVE))
def test_an_app_imports_no_app_above_it(app):
    reaching = {
        str(path.relative_to(ROOT)): sorted(imported(path) & ABOVE[app])
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    }
    assert {path: names for path, names in reaching.items() if names} == {}


def test_timeline_reaches_no_model_of_another_app_through_meta():
    reaching = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "timeline").rglob("*.py")
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "related_model" in line or '_meta.get_field("statements")' in line
    ]
    assert reaching == []
