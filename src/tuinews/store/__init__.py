"""The library file: the only package that speaks SQL."""

from tuinews.store.errors import FeedExists, LibraryError, NewerLibrary
from tuinews.store.queries import SNIPPET_END, SNIPPET_START, FetchState, FileState, Store

__all__ = [
    "SNIPPET_END",
    "SNIPPET_START",
    "FeedExists",
    "FetchState",
    "FileState",
    "LibraryError",
    "NewerLibrary",
    "Store",
]
