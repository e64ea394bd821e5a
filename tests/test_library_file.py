"""A library file the store cannot use: each refusal is one LibraryError naming the file
and what to do, never a bare sqlite3 error."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tuinews.models import SourceKind
from tuinews.store import LibraryError, Store


@pytest.fixture
def library(db_path: Path) -> Path:
    with Store(db_path) as store:
        store.add_feed("/feeds/kept.xml", SourceKind.FILE)
    return db_path


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """`path` without write permission; skips where permissions do not stop writes."""
    mode = path.stat().st_mode
    path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        if os.access(path, os.W_OK):
            pytest.skip("running as root: file permissions do not stop writes")
        yield
    finally:
        path.chmod(mode)


@contextmanager
def locked_by_another_program(path: Path, statements: tuple[str, ...]) -> Iterator[None]:
    other = sqlite3.connect(path, isolation_level=None)
    try:
        for statement in statements:
            other.execute(statement)
        yield
    finally:
        other.close()


def test_a_text_file_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Shopping: bread, milk, a new feed reader.\n" * 20)
    with pytest.raises(LibraryError) as error:
        Store(notes)
    assert str(error.value) == f"{notes}: not a tuinews library (not an SQLite file)"
    assert notes.read_text() == "Shopping: bread, milk, a new feed reader.\n" * 20


def test_a_read_only_library_can_be_read_but_a_write_says_why(library: Path) -> None:
    with read_only(library), Store(library) as store:
        assert [feed.source for feed in store.feeds()] == ["/feeds/kept.xml"]
        with pytest.raises(LibraryError) as error:
            store.add_feed("/feeds/new.xml", SourceKind.FILE)
    assert str(error.value) == f"{library}: read-only (check the file's permissions)"


def test_a_library_in_a_read_only_folder_is_refused(library: Path) -> None:
    folder = library.parent
    with read_only(folder):
        with pytest.raises(LibraryError) as error:
            Store(library)
        assert str(error.value) == (
            f"{library}: read-only folder (check the permissions of {folder})"
        )
        with pytest.raises(LibraryError) as error:
            Store(folder / "new.db")
        assert (
            str(error.value)
            == f"{folder / 'new.db'}: cannot open or create it (check the permissions)"
        )


def test_a_folder_that_cannot_be_created_is_named(tmp_path: Path) -> None:
    in_the_way = tmp_path / "news"
    in_the_way.write_text("a file where the library's folder should be")
    with pytest.raises(LibraryError) as error:
        Store(in_the_way / "tuinews" / "library.db")
    assert str(error.value) == (
        f"cannot create folder {in_the_way / 'tuinews'}: {in_the_way} is a file"
    )


def test_a_folder_given_as_the_library_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LibraryError) as error:
        Store(tmp_path)
    assert str(error.value) == f"{tmp_path}: a folder, not a library file"


def test_a_library_locked_by_another_program_is_refused(library: Path) -> None:
    exclusive = ("PRAGMA locking_mode = EXCLUSIVE", "BEGIN EXCLUSIVE")
    with locked_by_another_program(library, exclusive), pytest.raises(LibraryError) as error:
        Store(library, busy_timeout=0.05)
    assert str(error.value) == f"{library}: locked by another program (try again when it is done)"


def test_a_write_while_another_process_writes_says_so_and_works_after(library: Path) -> None:
    with Store(library, busy_timeout=0.05) as store:
        with locked_by_another_program(library, ("BEGIN IMMEDIATE",)):
            assert len(store.feeds()) == 1  # reading goes on meanwhile
            with pytest.raises(LibraryError, match="locked by another program"):
                store.add_feed("/feeds/new.xml", SourceKind.FILE)
        store.add_feed("/feeds/new.xml", SourceKind.FILE)
        assert len(store.feeds()) == 2
