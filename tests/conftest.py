"""Shared fixtures: an isolated home for every test, and the CLI run in-process."""

from __future__ import annotations

import sqlite3
import threading
import webbrowser
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from webserver import Server

from tuinews.cli import main

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the developer's own config or library."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.delenv("TUINEWS_DB", raising=False)
    monkeypatch.delenv("TUINEWS_DEBUG", raising=False)
    for desktop in ("DISPLAY", "WAYLAND_DISPLAY"):  # no test copies to the developer's
        monkeypatch.delenv(desktop, raising=False)  # clipboard (see test_clipboard.py)
    return home


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "library.db"


@pytest.fixture
def cli(db_path: Path, capsys: pytest.CaptureFixture[str]):
    """Run `tuinews --db DB ARGS...` in this process, as a user would type it."""

    def run(*args: str) -> Run:
        capsys.readouterr()
        code = main(["--db", str(db_path), *args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def sql(db_path: Path) -> Iterator:
    """Read the library file directly, to check what the program stored."""
    connections: list[sqlite3.Connection] = []

    def query(statement: str, *params: object) -> list[tuple]:
        conn = sqlite3.connect(db_path)
        connections.append(conn)
        return conn.execute(statement, params).fetchall()

    yield query
    for conn in connections:
        conn.close()


@pytest.fixture
def server() -> Iterator[Server]:
    """An HTTP server on 127.0.0.1 whose routes each test sets (see webserver.py)."""
    httpd = Server()
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield httpd
    httpd.stop.set()  # wakes slow handlers so the test does not wait for them
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def browser(monkeypatch) -> list[str]:
    """The URLs a desktop browser was asked to open (it records instead of starting)."""
    opened: list[str] = []

    class Browser(webbrowser.BackgroundBrowser):
        def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
            opened.append(url)
            return True

    monkeypatch.setattr("webbrowser.get", lambda using=None: Browser("true"))
    return opened
