"""What the store refuses to do, as exceptions a face can turn into one line."""

from __future__ import annotations


class FeedExists(ValueError):
    """The source is already in the library."""


class NewerLibrary(RuntimeError):
    """The database was written by a newer tuinews; we refuse to touch it."""
