"""The package imports downward: the engine knows nothing of the commands that use it, and the
review modules (report, diff, explain) sit below the API rather than calling back into it.

Read from the source with :mod:`ast`, every import counted wherever it is written (a lazy import
inside a function is still a dependency), so a cycle cannot come back unnoticed."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "qofrules"

#: What sits above evaluation: the commands, their outputs and the API that serves them.
ABOVE_THE_ENGINE = {"qofrules.api", "qofrules.cli", "qofrules.commands", "qofrules.outputs", "qofrules.lsp",
                    "qofrules.report", "qofrules.differ", "qofrules.explain", "qofrules.render",
                    "qofrules.validate", "qofrules.rules", "qofrules.sarif"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """Every qofrules module the file imports, relative imports resolved, ``from X import y``
    counted as both X and X.y (y may be a submodule)."""
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            found.add(origin)
            found.update(f"{origin}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] == "qofrules"}


def reaches(names: set[str], forbidden: set[str]) -> set[str]:
    return {n for n in names if any(n == f or n.startswith(f + ".") for f in forbidden)}


ENGINE_FILES = sorted((PACKAGE / "engine").glob("*.py"))


@pytest.mark.parametrize("path", ENGINE_FILES, ids=[p.name for p in ENGINE_FILES])
def test_the_engine_imports_nothing_above_it(path):
    assert not reaches(imported(path), ABOVE_THE_ENGINE), f"{path.name} reaches up into the commands"


@pytest.mark.parametrize("name", ["report", "differ", "explain", "charts", "render"])
def test_the_review_modules_do_not_call_back_into_the_api(name):
    assert not reaches(imported(PACKAGE / f"{name}.py"), {"qofrules.api", "qofrules.cli"})


def test_the_checker_sees_a_relative_import_of_the_api():
    """The resolver itself: api.py's own lazy import of the report is found (else the tests above
    would pass on any file)."""
    assert "qofrules.report" in imported(PACKAGE / "api.py")
    assert "qofrules.engine.fastpath" in imported(PACKAGE / "engine" / "__init__.py")
