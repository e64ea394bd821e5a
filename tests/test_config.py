"""The settings file as a user writes it: a real config.toml at the XDG config path.

Mistakes in a value stop with one line naming the file and the setting.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tuinews.config import ConfigError, load_config


@pytest.fixture
def config_file(isolated_home: Path):
    """Write `text` to ~/.config/tuinews/config.toml; returns that path."""

    def write(text: str) -> Path:
        path = isolated_home / ".config" / "tuinews" / "config.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.mark.parametrize("value", ["42", '""', '"   "', "true", '["a.db"]', "{ path = 'a.db' }"])
def test_a_library_path_that_is_not_a_path_is_named(config_file, value: str) -> None:
    path = config_file(f"[library]\ndb = {value}\n")
    with pytest.raises(ConfigError) as raised:
        load_config()
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and "library.db" in message
    assert "\n" not in message


def test_the_library_path_from_the_file_is_used(config_file, tmp_path: Path) -> None:
    config_file(f'[library]\ndb = "{tmp_path / "news.db"}"\n')
    config = load_config()
    assert config.db_path == tmp_path / "news.db"
