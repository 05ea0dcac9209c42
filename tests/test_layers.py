"""Who may import whom (ARCHITECTURE.md): ui → app → ocr, translit, db. Read from the
source, so a shortcut through the database from a window fails here, not in review."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ("ocr", "translit", "db", "app")


def imported(path: Path) -> set[str]:
    """Top-level packages a module imports, at any depth of the file (lazy imports too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_reader_sees_lazy_imports(tmp_path: Path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text("import os\ndef f():\n    from db.models import Owner\n", encoding="utf-8")
    assert imported(sample) == {"os", "db"}


@pytest.mark.parametrize("path", sorted((ROOT / "ui").glob("*.py")), ids=lambda p: p.name)
def test_ui_imports_app_and_nothing_below_it(path: Path) -> None:
    below = imported(path) & {"db", "ocr", "translit", "samples"}
    assert not below, f"ui/{path.name} imports {sorted(below)}: go through an app service"


@pytest.mark.parametrize("package", CORE)
def test_the_core_never_imports_qt_or_ui(package: str) -> None:
    for path in sorted((ROOT / package).rglob("*.py")):
        # `toji gui` is the one way in: the command line starts the window it names.
        bad = imported(path) & ({"PySide6"} if path == ROOT / "app" / "cli.py"
                                else {"PySide6", "ui"})
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"
