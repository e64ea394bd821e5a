"""The shape of the code that users rely on indirectly: a headless core, one SQL owner."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

from conftest import ROOT

PACKAGE = ROOT / "src" / "tuinews"


def test_the_core_and_cli_never_import_textual() -> None:
    """`tuinews refresh` from cron must work without a terminal UI being loaded."""
    code = (
        "import sys, pkgutil, importlib, tuinews\n"
        "for m in pkgutil.walk_packages(tuinews.__path__, 'tuinews.'):\n"
        "    if not m.name.startswith('tuinews.ui'):\n"
        "        importlib.import_module(m.name)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] == 'textual'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_only_the_store_speaks_sql() -> None:
    speaking = {
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if re.search(r"^\s*(import|from) (sqlite3|sqlite_utils)\b", path.read_text(), re.MULTILINE)
    }
    assert "store/queries.py" in speaking  # the pattern does find an import
    assert {path for path in speaking if not path.startswith("store/")} == set()


# The faces reach the core through the Library alone: a new operation is written once.
FACES = [PACKAGE / "cli.py", *sorted((PACKAGE / "ui").glob("*.py"))]
BEHIND_THE_LIBRARY = (
    "tuinews.store",
    "tuinews.search_query",
    "tuinews.sources",
    "tuinews.refresh",
    "tuinews.fetch",
    "tuinews.parse",
    "tuinews.opml",
    "tuinews.pages",
    "tuinews.extract",
    "tuinews.fold",
    "tuinews.parallel",
)  # and tuinews.render's inner modules: its package names (layout, to_text) are for faces


def _imported_modules(path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            if node.module == "tuinews":  # from tuinews import store
                names.update(f"tuinews.{alias.name}" for alias in node.names)
    return names


def test_the_cli_and_the_tui_reach_the_core_only_through_the_library() -> None:
    crossing = {
        f"{path.relative_to(PACKAGE).as_posix()} imports {name}"
        for path in FACES
        for name in _imported_modules(path)
        if any(name == part or name.startswith(part + ".") for part in BEHIND_THE_LIBRARY)
        or name.startswith("tuinews.render.")
    }
    assert crossing == set()


def test_the_layering_check_sees_a_face_that_goes_around_the_library(tmp_path) -> None:
    """The check above must be able to fail: a function-level import is found too."""
    face = tmp_path / "face.py"
    face.write_text(
        "def f():\n    from tuinews.store import Store\n    from tuinews import sources\n"
    )
    assert {"tuinews.store", "tuinews.sources"} <= _imported_modules(face)
