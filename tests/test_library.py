"""The Library facade as the two faces use it, where the CLI cannot show it."""

from __future__ import annotations

from pathlib import Path

from feedgen import numbered_items, rss

from tuinews.config import Config
from tuinews.library import Library, SourceRequest
from tuinews.models import ArticleView


def test_a_reader_tells_another_programs_writes_from_its_own(tmp_path: Path) -> None:
    """The TUI looks every few seconds for a cron refresh's writes; its own marks
    (written by its worker threads) must not look like one."""
    feed = tmp_path / "news.xml"
    feed.write_bytes(rss(numbered_items(3), title="News"))
    config = Config(db_path=tmp_path / "library.db")
    with Library(config) as reader, Library(config) as cron:
        reader.add_sources([SourceRequest(str(feed))])
        assert reader.changed_elsewhere() is None  # the first look sets the baseline
        (first, second, _) = reader.article_ids(ArticleView())

        reader.set_read([first], True)
        reader.set_starred([second], True)
        assert reader.changed_elsewhere() is None  # only its own writes

        cron.set_read([second], True)
        assert reader.changed_elsewhere() is False  # someone else's, but no new articles
        assert reader.changed_elsewhere() is None

        other = tmp_path / "other.xml"
        other.write_bytes(rss(numbered_items(2, prefix="Other"), title="Other"))
        reader.set_read([first], False)  # interleaved with the other program's import
        cron.add_sources([SourceRequest(str(other))])
        assert reader.changed_elsewhere() is True


def test_closing_while_another_thread_reads_leaves_that_thread_its_connection(
    tmp_path: Path,
) -> None:
    """The reader quits while a worker still opens an article: the worker must finish
    on its own connection (closing it under the worker crashed SQLite)."""
    import threading

    feed = tmp_path / "news.xml"
    feed.write_bytes(rss(numbered_items(50), title="News"))
    library = Library(Config(db_path=tmp_path / "library.db"))
    library.add_sources([SourceRequest(str(feed))])
    ids = library.article_ids(ArticleView())
    started, errors, opened = threading.Event(), [], []

    def worker() -> None:
        try:
            for _ in range(200):
                for article_id in ids:
                    opened.append(library.open_article(article_id).row.id)
                started.set()
        except Exception as error:  # what the worker would report as a notice
            errors.append(error)
            started.set()

    thread = threading.Thread(target=worker)
    thread.start()
    started.wait(timeout=30)
    library.close()  # from the main thread, as the app's on_unmount does
    thread.join(timeout=60)
    assert not thread.is_alive() and errors == []
    assert len(opened) == 200 * len(ids)
