"""Bytes in, ParsedFeed out: feed documents and article files."""
