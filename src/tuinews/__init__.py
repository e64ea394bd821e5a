"""tuinews: a terminal news reader with an offline SQLite cache and ranked search."""

__version__ = "0.1.0"
