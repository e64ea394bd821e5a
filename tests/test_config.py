"""The settings file as a user writes it: a real config.toml at the XDG config path.

Mistakes in a value stop with one line naming the file and the setting; settings we do
not know (typos, or ones from another version) are warned about and otherwise ignored.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tuinews.config import (
    DEFAULT_MAX_DOWNLOAD_MB,
    ConfigError,
    load_config,
    unknown_binding_warnings,
)


@pytest.fixture
def config_file(isolated_home: Path):
    """Write `text` to ~/.config/tuinews/config.toml; returns that path."""

    def write(text: str) -> Path:
        path = isolated_home / ".config" / "tuinews" / "config.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


def refusal(path) -> str:
    """The one-line error `load_config` gives for the file at `path`."""
    with pytest.raises(ConfigError) as raised:
        load_config()
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    return message


@pytest.mark.parametrize("value", ["42", '""', '"   "', "true", '["a.db"]', "{ path = 'a.db' }"])
def test_a_library_path_that_is_not_a_path_is_named(config_file, value: str) -> None:
    path = config_file(f"[library]\ndb = {value}\n")
    assert "library.db" in refusal(path)


def test_the_library_path_from_the_file_is_used(config_file, tmp_path: Path) -> None:
    config_file(f'[library]\ndb = "{tmp_path / "news.db"}"\n')
    config = load_config()
    assert config.db_path == tmp_path / "news.db"
    assert config.warnings == ()


def test_a_misspelt_table_is_a_warning_not_an_error(config_file, tmp_path: Path) -> None:
    path = config_file(f'[librar]\ndb = "{tmp_path / "news.db"}"\n')
    config = load_config()
    assert config.warnings == (f"{path}: unknown table [librar] ignored (did you mean [library]?)",)
    assert config.db_path != tmp_path / "news.db"  # ignored means ignored


def test_a_misspelt_setting_is_a_warning_and_the_default_stays(config_file) -> None:
    path = config_file("[refresh]\nmax_downlod_mb = 5\nmax_document_mb = 2\n")
    config = load_config()
    assert config.warnings == (
        f"{path}: unknown setting refresh.max_downlod_mb ignored (did you mean max_download_mb?)",
    )
    assert config.max_download_bytes == DEFAULT_MAX_DOWNLOAD_MB * 1024 * 1024
    assert config.max_document_bytes == 2 * 1024 * 1024  # the settings beside it still apply


def test_a_setting_above_every_table_says_where_it_belongs(config_file) -> None:
    path = config_file('db = "news.db"\nshiny = 1\n')
    assert load_config().warnings == (
        f"{path}: unknown setting db ignored (it belongs under [library])",
        f"{path}: unknown setting shiny ignored",
    )


def test_keys_are_collected_for_the_ui_to_check(config_file) -> None:
    path = config_file('[keys]\nnext_unread = "N"\nnext_unred = "x"\nfrobnicate = "f"\n')
    config = load_config()
    assert config.keys == {"next_unread": "N", "next_unred": "x", "frobnicate": "f"}
    assert config.warnings == ()  # only the UI knows its binding ids
    assert unknown_binding_warnings(config.keys, {"next_unread", "quit"}, path) == [
        f"{path}: [keys] next_unred: no such binding, ignored (did you mean next_unread?)",
        f"{path}: [keys] frobnicate: no such binding, ignored",
    ]


@pytest.mark.parametrize("minutes", [0, 1, 1.5, 60, 10080])
def test_auto_refresh_is_off_or_at_least_a_minute(config_file, minutes: float) -> None:
    config_file(f"[refresh]\nauto_refresh_minutes = {minutes}\n")
    assert load_config().auto_refresh_minutes == minutes


@pytest.mark.parametrize(
    "minutes", ["1e-9", "0.5", "-1", "10081", "1e300", "nan", "inf", "true", '"5"']
)
def test_auto_refresh_too_often_or_not_a_number_is_refused(config_file, minutes: str) -> None:
    path = config_file(f"[refresh]\nauto_refresh_minutes = {minutes}\n")
    assert "auto_refresh_minutes" in refusal(path)


@pytest.mark.parametrize("key", ["max_document_mb", "max_download_mb"])
@pytest.mark.parametrize("size", ["nan", "inf", "0", "-3", "1e-9", "0.05", "1025", "true"])
def test_a_size_limit_that_is_no_usable_size_is_refused(config_file, key: str, size: str) -> None:
    path = config_file(f"[refresh]\n{key} = {size}\n")
    assert f"refresh.{key} must be a size in MB from 0.1 to 1024" in refusal(path)


@pytest.mark.parametrize("size", [0.1, 1, 50, 1024])
def test_a_size_limit_in_range_is_used(config_file, size: float) -> None:
    config_file(f"[refresh]\nmax_download_mb = {size}\n")
    assert load_config().max_download_bytes == int(size * 1024 * 1024)


@pytest.mark.parametrize("mode", ["auto", "always", "never"])
def test_every_feed_fetches_pages_as_the_config_says(config_file, mode: str) -> None:
    config_file(f'[feeds]\nfull_text = "{mode}"\n')
    assert load_config().full_text.value == mode


def test_a_full_text_setting_that_is_no_choice_is_refused(config_file) -> None:
    path = config_file('[feeds]\nfull_text = "sometimes"\n')
    assert "feeds.full_text must be one of auto | always | never" in refusal(path)
