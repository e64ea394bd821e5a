"""The shape of the code that users rely on indirectly: a headless core, one SQL owner."""

from __future__ import annotations

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
