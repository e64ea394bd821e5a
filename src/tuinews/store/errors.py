"""What the store refuses to do, as exceptions a face can show as one line."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class FeedExists(ValueError):
    """The source is already in the library."""


class LibraryError(ValueError):
    """The library file cannot be used as it is; the message names it and says what to do."""


class NewerLibrary(LibraryError):
    """The database was written by a newer tuinews; we refuse to touch it."""


def explain(path: Path, error: sqlite3.Error) -> LibraryError | None:
    """SQLite's complaint about the file itself, in the user's terms; None for any other."""
    name = error.sqlite_errorname or ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return LibraryError(f"{path}: locked by another program (try again when it is done)")
    if name == "SQLITE_READONLY_DIRECTORY":
        return LibraryError(f"{path}: read-only folder (check the permissions of {path.parent})")
    if name.startswith("SQLITE_READONLY"):
        return LibraryError(f"{path}: read-only (check the file's permissions)")
    if name == "SQLITE_FULL":
        return LibraryError(f"{path}: the disk is full (free some space, then try again)")
    if name.startswith("SQLITE_IOERR"):
        return LibraryError(f"{path}: the disk refused a write or read ({error}; is it full?)")
    if name == "SQLITE_NOTADB":
        return LibraryError(f"{path}: not a tuinews library (not an SQLite file)")
    if name.startswith("SQLITE_CANTOPEN"):
        if path.is_dir():
            return LibraryError(f"{path}: a folder, not a library file")
        return LibraryError(f"{path}: cannot open or create it (check the permissions)")
    return None


def open_error(path: Path, error: sqlite3.Error) -> LibraryError:
    """Any SQLite error while opening: the library cannot be used, whatever the cause."""
    return explain(path, error) or LibraryError(f"{path}: cannot open the library ({error})")


def folder_error(folder: Path, error: OSError) -> LibraryError:
    """The library's folder could not be made: say which path is in the way, if one is."""
    in_the_way = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    reason = f"{in_the_way} is a file" if in_the_way else error.strerror
    return LibraryError(f"cannot create folder {folder}: {reason}")
