"""The dependency rule holds, and the check that keeps it can fail: the import-linter
contracts of pyproject.toml run on the checkout and on a copy given an upward import and a
cycle; no module is over the size limit the layout set."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import ROOT

PACKAGES = ("network", "routing", "maps", "railplan", "benchmarks")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=folder, capture_output=True, text=True, check=False
    )


def copy(tmp: Path) -> Path:
    for p in (*PACKAGES, "data"):
        shutil.copytree(ROOT / p, tmp / p, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp)
    return tmp


def test_the_checkout_keeps_every_contract() -> None:
    res = lint_imports(ROOT)
    assert res.returncode == 0, res.stdout
    assert "0 broken" in res.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("routing/api.py", "import maps", "routing is not allowed to import maps"),
        ("network/core.py", "import routing", "network is not allowed to import routing"),
        (
            "maps/draw.py",
            "import routing.optimise",
            "maps is not allowed to import routing.optimise",
        ),
        (
            "routing/domain/plan.py",
            "import ortools",
            "routing.domain is not allowed to import ortools",
        ),
        (
            "routing/io/errors.py",
            "import routing.io.plan_files",
            "No import cycles between sibling modules BROKEN",
        ),
    ],
)
def test_an_upward_import_or_a_cycle_breaks_a_contract(
    module: str, line: str, broken: str, tmp_path: Path
) -> None:
    folder = copy(tmp_path)
    with (folder / module).open("a") as f:
        f.write(f"\n{line}  # added by the test\n")
    res = lint_imports(folder)
    assert res.returncode != 0
    assert broken in res.stdout, res.stdout


#: functions allowed over the limit, and why
LONG_FUNCTIONS = {
    # one Alembic revision: the schema's tables written out, one statement each
    "railplan/ledger/migrations/versions/0001_initial.py:upgrade",
    # the reference MIP is written apart from the optimiser on purpose, as one readable model
    "benchmarks/reference.py:solve_reference",
}
MAX_MODULE_LINES = 700
MAX_FUNCTION_LINES = 100


def _python_files() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def test_no_module_is_over_the_size_limit() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in _python_files()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_function_is_over_the_size_limit() -> None:
    long = {}
    for p in _python_files():
        rel = str(p.relative_to(ROOT))
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = (node.end_lineno or node.lineno) - node.lineno + 1
                if n > MAX_FUNCTION_LINES and f"{rel}:{node.name}" not in LONG_FUNCTIONS:
                    long[f"{rel}:{node.name}"] = n
    assert long == {}
