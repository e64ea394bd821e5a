"""The library file: the only package that speaks SQL."""

from tuinews.store.errors import FeedExists, LibraryError, NewerLibrary
from tuinews.store.queries import FetchState, FileState, Store

__all__ = [
    "FeedExists",
    "FetchState",
    "FileState",
    "LibraryError",
    "NewerLibrary",
    "Store",
]
