"""Where the library lives and the user's settings (TOML at the XDG config path).

A missing config file means defaults; a broken one is a one-line error, not a traceback.
A setting we do not know (a typo, or one from a newer version) is a warning, not an error,
so that one misspelt key does not lock the user out of their library.
"""

from __future__ import annotations

import difflib
import enum
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import platformdirs

from tuinews.models import FullText

E = TypeVar("E", bound=enum.Enum)

APP_NAME = "tuinews"
DEFAULT_MAX_DOCUMENT_MB = 50
DEFAULT_MAX_DOWNLOAD_MB = 20

# Every table and key the file may hold. [keys] is open here: its keys are binding ids,
# which only the UI knows (see unknown_binding_warnings).
KNOWN_SETTINGS: dict[str, frozenset[str] | None] = {
    "library": frozenset({"db"}),
    "refresh": frozenset({"max_document_mb", "max_download_mb", "auto_refresh_minutes"}),
    "reading": frozenset({"mark_read_on_open"}),
    "feeds": frozenset({"full_text"}),  # what every feed does unless it says otherwise
    "keys": None,
}


class ConfigError(ValueError):
    """The config file exists but cannot be used; the message names it."""


@dataclass(frozen=True, slots=True)
class Config:
    db_path: Path
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_MB * 1024 * 1024
    max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_MB * 1024 * 1024
    mark_read_on_open: bool = True
    auto_refresh_minutes: float = 0  # 0: only when asked (r / R, or a cron `tuinews refresh`)
    full_text: FullText = FullText.AUTO  # fetch the linked page of articles that are a summary
    keys: dict[str, str] = field(default_factory=dict)  # binding id → keys, e.g. "n" → "N,space"
    warnings: tuple[str, ...] = ()  # one line each, naming the file: settings we ignored


def config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "library.db"


def load_config(db_override: str | None = None) -> Config:
    """The library path: `--db`, else `TUINEWS_DB`, else the config file, else XDG data."""
    path = config_path()
    settings: dict = {}
    if path.is_file():
        import tomllib  # only when there is a config file to read

        try:
            settings = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise ConfigError(f"{path}: {error}") from None
    library = _table(settings, "library", path)
    refresh = _table(settings, "refresh", path)
    reading = _table(settings, "reading", path)
    feeds = _table(settings, "feeds", path)
    keys = _table(settings, "keys", path)
    if not all(isinstance(value, str) and value for value in keys.values()):
        raise ConfigError(f'{path}: [keys] maps a binding to keys, e.g. next_unread = "N"')
    mark_read = reading.get("mark_read_on_open", True)
    if not isinstance(mark_read, bool):
        raise ConfigError(f"{path}: reading.mark_read_on_open must be true or false")
    configured_db = library.get("db")
    if configured_db is not None and not (isinstance(configured_db, str) and configured_db.strip()):
        raise ConfigError(f'{path}: library.db must be the library file\'s path, e.g. "~/news.db"')

    db = db_override or os.environ.get("TUINEWS_DB") or configured_db
    max_mb = _size_mb(refresh, "max_document_mb", DEFAULT_MAX_DOCUMENT_MB, path)
    download_mb = _size_mb(refresh, "max_download_mb", DEFAULT_MAX_DOWNLOAD_MB, path)
    return Config(
        db_path=Path(db).expanduser() if db else default_db_path(),
        max_document_bytes=int(max_mb * 1024 * 1024),
        max_download_bytes=int(download_mb * 1024 * 1024),
        mark_read_on_open=mark_read,
        auto_refresh_minutes=_auto_refresh_minutes(refresh, path),
        full_text=_choice(feeds, "feeds.full_text", FullText, FullText.AUTO, path),
        keys=dict(keys),
        warnings=tuple(_unknown_settings_warnings(settings, path)),
    )


def unknown_binding_warnings(
    keys: Mapping[str, str], known_ids: Iterable[str], path: Path
) -> list[str]:
    """One line per [keys] entry that names no binding: the UI passes its binding ids,
    since the core must not import Textual to learn them."""
    known = set(known_ids)
    return [
        f"{path}: [keys] {binding}: no such binding, ignored{_did_you_mean(binding, known)}"
        for binding in keys
        if binding not in known
    ]


def _unknown_settings_warnings(settings: dict, path: Path) -> list[str]:
    warnings = []
    for name, value in settings.items():
        if name not in KNOWN_SETTINGS:
            if isinstance(value, dict):
                hint = _did_you_mean(name, KNOWN_SETTINGS, shown="[{}]")
                warnings.append(f"{path}: unknown table [{name}] ignored{hint}")
            else:
                warnings.append(f"{path}: unknown setting {name} ignored{_owning_table(name)}")
            continue
        known_keys = KNOWN_SETTINGS[name]
        if known_keys is None:
            continue
        for key in value:
            if key not in known_keys:
                hint = _did_you_mean(key, known_keys)
                warnings.append(f"{path}: unknown setting {name}.{key} ignored{hint}")
    return warnings


def _did_you_mean(name: str, choices: Iterable[str], shown: str = "{}") -> str:
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f" (did you mean {shown.format(close[0])}?)" if close else ""


def _owning_table(key: str) -> str:
    """A known key written above every table header belongs to no table; say which."""
    for table, keys in KNOWN_SETTINGS.items():
        if keys and key in keys:
            return f" (it belongs under [{table}])"
    return ""


# A cap below 100 KB refuses ordinary feeds; above 1 GB it no longer protects memory.
SIZE_RANGE_MB = (0.1, 1024)
# More often than a minute refetches every feed near-continuously; a timer of more
# than a week is no automatic refresh at all (and a huge one overflows the event loop).
AUTO_REFRESH_RANGE_MINUTES = (1, 7 * 24 * 60)


def _size_mb(table: dict, key: str, default: float, path: Path) -> float:
    value = table.get(key, default)
    low, high = SIZE_RANGE_MB
    if not _is_number(value) or not low <= value <= high:
        raise ConfigError(f"{path}: refresh.{key} must be a size in MB from {low} to {high}")
    return value


def _auto_refresh_minutes(table: dict, path: Path) -> float:
    """0 turns it off; otherwise minutes within AUTO_REFRESH_RANGE_MINUTES."""
    value = table.get("auto_refresh_minutes", 0)
    low, high = AUTO_REFRESH_RANGE_MINUTES
    if not _is_number(value) or (value != 0 and not low <= value <= high):
        raise ConfigError(
            f"{path}: refresh.auto_refresh_minutes must be 0 (off) or minutes from {low} to {high}"
        )
    return value


def _choice(table: dict, setting: str, kind: type[E], default: E, path: Path) -> E:
    """`setting` is "table.key"; the value must be one of the enum's."""
    value = table.get(setting.partition(".")[2], default.value)
    try:
        return kind(value)
    except ValueError:
        choices = " | ".join(choice.value for choice in kind)
        raise ConfigError(f"{path}: {setting} must be one of {choices}") from None


def _is_number(value: object) -> bool:
    """TOML allows `nan` and `inf`; neither makes a size or a period (int() fails on both)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _table(settings: dict, name: str, path: Path) -> dict:
    table = settings.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{name}] must be a table")
    return table
