"""Folders of .txt/.md/.html article files, as a user keeps them."""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import DATA


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the hand-made articles, under a folder name the feed should take."""
    target = tmp_path / "Local Desk"
    target.mkdir()
    for path in (DATA / "articles").iterdir():
        if path.suffix in {".txt", ".md", ".html"} and path.name != "MANIFEST.md":
            shutil.copy(path, target / path.name)
    return target


def articles_by_title(cli) -> dict[str, dict]:
    return {row["title"]: row for row in json.loads(cli("articles", "--json").out)}


def show(cli, title: str) -> str:
    result = cli("show", str(articles_by_title(cli)[title]["id"]))
    assert result.code == 0
    return result.out


def bump_mtime(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def test_each_file_is_one_article_in_a_feed_named_after_the_folder(cli, folder: Path) -> None:
    result = cli("add", str(folder))
    assert result.code == 0 and "5 articles" in result.out
    (feed,) = json.loads(cli("feeds", "--json").out)
    assert feed["title"] == "Local Desk" and feed["kind"] == "folder"
    assert set(articles_by_title(cli)) == {
        "Harbourne Council Votes to Keep Its Last Passenger Ferry",
        "Volunteers Map Every Street Tree in Eastmere for the First Time",
        "Kestrel Valley Rail Trial Cuts Commute Times, Independent Report Finds",
        "Night Market Returns to the Old Tram Depot After Four-Year Absence",
        "Library Opens Monthly Repair Café for Broken Appliances",
    }


def test_plain_text_shows_headline_standfirst_and_paragraphs(cli, folder: Path) -> None:
    cli("add", str(folder))
    text = show(cli, "Harbourne Council Votes to Keep Its Last Passenger Ferry")
    lines = text.splitlines()
    assert lines[0] == "Harbourne Council Votes to Keep Its Last Passenger Ferry"
    standfirst = "A late amendment saves the 90-year-old crossing for at least three more years"
    start = next(i for i, line in enumerate(lines) if line.startswith(standfirst))
    end = lines.index("", start)  # the standfirst wraps to the width: a paragraph of its own
    assert lines[start - 1] == "" and end - start <= 2
    assert " ".join(lines[start:end]).endswith("but the money still has to be found.")
    assert text.count("\n\n") >= 6  # the body keeps its paragraph breaks
    assert "Harbourne's last passenger ferry will keep running" in text


def test_news_text_with_one_paragraph_per_line_keeps_them_and_has_no_false_standfirst(
    cli, sql, tmp_path: Path
) -> None:
    folder = tmp_path / "Scraped"
    folder.mkdir()
    story = [
        "Harbourne keeps its last passenger ferry",
        "Every contribution, however big or small, makes all the difference to our newsroom.",
        "Harbourne's last passenger ferry will keep running until at least the spring of 2028"
        " after the town council voted by six to five on Tuesday night to fund it.",
        "Council officers had proposed ending the subsidy in October, arguing that passenger"
        " numbers had fallen by almost a third since the new road bridge opened upstream.",
    ]
    (folder / "ferry.txt").write_text("\n".join(story) + "\n")
    assert cli("add", str(folder)).code == 0
    (row,) = json.loads(cli("articles", "--json").out)
    assert row["title"] == story[0]
    text = cli("show", str(row["id"]), "--all").out  # reader mode folds the appeal
    paragraphs = text.split("\n\n")
    for line in story[1:]:  # every line its own paragraph, in order, none of them a lead
        assert any(" ".join(p.split()) == line for p in paragraphs), line
    flowing = " ".join(text.split())  # the terminal's width decides where lines wrap
    assert flowing.index(story[1]) < flowing.index("Harbourne's last") < flowing.index("Council")
    assert sql("SELECT summary FROM articles") == [("",)]  # the appeal is no standfirst


def test_show_wraps_the_title_and_the_standfirst_to_the_terminal(
    cli, folder: Path, monkeypatch
) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    cli("add", str(folder))
    text = show(cli, "Harbourne Council Votes to Keep Its Last Passenger Ferry")
    head, standfirst = text.split("\n\n", 2)[:2]
    lines = head.splitlines()
    rule = next(i for i, line in enumerate(lines) if set(line) == {"="})
    title = lines[:rule]
    assert len(title) == 2 and " ".join(title) == (
        "Harbourne Council Votes to Keep Its Last Passenger Ferry"
    )
    assert len(lines[rule]) == max(map(len, title)) <= 40  # under the title, as wide as it
    assert all(len(line) <= 40 for line in standfirst.splitlines())
    assert " ".join(standfirst.split()).startswith("A late amendment saves the 90-year-old")


def test_non_ascii_text_survives(cli, folder: Path) -> None:
    cli("add", str(folder))
    text = show(cli, "Kestrel Valley Rail Trial Cuts Commute Times, Independent Report Finds")
    assert "€" in text and "—" in text and "’" in text


def test_markdown_renders_as_text_without_markup_syntax(cli, folder: Path) -> None:
    cli("add", str(folder))
    text = show(cli, "Night Market Returns to the Old Tram Depot After Four-Year Absence")
    assert "Forty stalls, a string quartet and a queue around the block" in text
    assert "*Forty" not in text
    assert "What has changed" in text and "## " not in text
    assert "• Amplified music must stop at 10pm" in text and "**" not in text
    assert not re.search(r"^\|.*\|$", text, re.MULTILINE)  # tables are laid out, not piped


def test_html_article_takes_title_standfirst_byline_and_date(cli, folder: Path) -> None:
    cli("add", str(folder))
    title = "Library Opens Monthly Repair Café for Broken Appliances"
    row = articles_by_title(cli)[title]
    assert row["author"] == "the Westbrook Courier news desk"
    assert row["published"] == "2025-03-08T00:00:00Z"
    text = show(cli, title)
    assert "Volunteers fixed 37 items on the first afternoon" in text
    assert "[image: Volunteers at long tables repairing a lamp and a toaster]" in text
    flowing = " ".join(text.split())  # undo the wrapping
    assert "“Most things that get thrown away have one small fault,” she said." in flowing
    assert "<p" not in text and "&ldquo;" not in text


def test_files_without_a_date_are_dated_by_their_modification_time(cli, folder: Path) -> None:
    path = folder / "harbourne_ferry_vote.txt"
    os.utime(path, (1_700_000_000, 1_700_000_000))
    cli("add", str(folder))
    row = articles_by_title(cli)["Harbourne Council Votes to Keep Its Last Passenger Ferry"]
    assert row["published"] == datetime.fromtimestamp(1_700_000_000, UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def test_rescan_updates_changed_files_and_keeps_reading_state(cli, folder: Path) -> None:
    cli("add", str(folder))
    old_title = "Volunteers Map Every Street Tree in Eastmere for the First Time"
    article_id = articles_by_title(cli)[old_title]["id"]
    cli("mark", str(article_id), "--read")
    cli("mark", str(article_id), "--star")

    path = folder / "eastmere_tree_survey.txt"
    path.write_text("Tree Survey: Corrected Figures\n" + path.read_text().split("\n", 1)[1])
    bump_mtime(path)
    result = cli("refresh")
    assert "0 new articles, 1 updated" in result.out

    updated = articles_by_title(cli)["Tree Survey: Corrected Figures"]
    assert updated["id"] == article_id and updated["read"] and updated["starred"]
    assert old_title not in articles_by_title(cli)


def test_rescan_adds_new_files_and_keeps_deleted_ones(cli, folder: Path) -> None:
    cli("add", str(folder))
    (folder / "harbourne_ferry_vote.txt").unlink()
    (folder / "late_news.md").write_text("# Late News\n\n*Just in.*\n\nA short item.\n")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4 not an article")

    assert "1 new articles" in cli("refresh").out
    titles = set(articles_by_title(cli))
    assert "Late News" in titles
    assert "Harbourne Council Votes to Keep Its Last Passenger Ferry" in titles
    assert len(titles) == 6


def test_touching_a_file_without_changing_it_updates_nothing(cli, folder: Path) -> None:
    cli("add", str(folder))
    bump_mtime(folder / "library_repair_cafe.html")
    assert "0 new articles, 0 updated" in cli("refresh").out


def test_hidden_files_are_not_articles(cli, folder: Path) -> None:
    (folder / ".draft.md").write_text("# Secret draft\n")
    result = cli("add", str(folder))
    assert result.code == 0 and result.err == ""
    assert "Secret draft" not in articles_by_title(cli)
    assert len(articles_by_title(cli)) == 5


PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06"


def test_binary_and_empty_files_are_skipped_and_named(cli, folder: Path) -> None:
    (folder / "photo.txt").write_bytes(PNG_HEADER + bytes(range(256)))
    (folder / "dump.md").write_bytes(b"\xff\xfe\x00garbage\x00\x1b[2J")
    (folder / "noise.html").write_bytes(bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 40)
    (folder / "blank.txt").write_bytes(b"")
    (folder / "spaces.md").write_text("  \n\t\n\n")

    result = cli("add", str(folder))
    assert result.code == 0
    assert "5 articles" in result.out
    titles = set(articles_by_title(cli))
    assert len(titles) == 5
    assert not titles & {"photo", "dump", "noise", "blank", "spaces"}
    assert result.err.count("\n") == 1
    assert "skipped 3 files that are not text: dump.md, noise.html, photo.txt" in result.err
    assert "skipped 2 files that are empty: blank.txt, spaces.md" in result.err


def test_a_skipped_file_is_named_again_until_it_becomes_an_article(cli, folder: Path) -> None:
    (folder / "later.txt").write_bytes(b"")
    cli("add", str(folder))
    assert "skipped 1 file that is empty: later.txt" in cli("refresh").err

    (folder / "later.txt").write_text("Written at Last\n\nThe body.\n")
    bump_mtime(folder / "later.txt")
    result = cli("refresh")
    assert "1 new articles" in result.out and result.err == ""
    assert "Written at Last" in articles_by_title(cli)


def test_text_from_other_editors_is_read_as_text(cli, folder: Path) -> None:
    (folder / "latin.txt").write_bytes(
        "Café Crème Reopens\n\nThe façade is restored.\n".encode("cp1252")
    )
    (folder / "notepad.txt").write_bytes(
        "Notepad Über Alles\n\nSaved as Unicode.\n".encode("utf-16")
    )
    result = cli("add", str(folder))
    assert result.err == ""
    titles = articles_by_title(cli)
    assert {"Café Crème Reopens", "Notepad Über Alles"} <= set(titles)
    assert "The façade is restored." in show(cli, "Café Crème Reopens")


def test_a_file_over_the_size_limit_is_named_and_the_others_still_come_in(
    cli, folder: Path, isolated_home: Path
) -> None:
    config = isolated_home / ".config" / "tuinews" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[refresh]\nmax_document_mb = 1\n")
    (folder / "huge.txt").write_text("Huge\n\n" + "word " * 300_000)
    result = cli("add", str(folder))
    assert result.code == 0
    assert len(articles_by_title(cli)) == 5
    assert "huge.txt: file larger than 1 MB, not read" in result.err


def test_a_saved_web_page_keeps_its_story_and_loses_the_page_chrome(cli, tmp_path: Path) -> None:
    from test_pages import STORY, story_page

    folder = tmp_path / "Saved"
    folder.mkdir()
    (folder / "keeper.html").write_bytes(story_page("The keeper's logbooks", STORY))
    (folder / "note.html").write_text("<p>Buy milk</p>")  # no story to extract: kept whole
    assert cli("add", str(folder)).code == 0
    titles = articles_by_title(cli)
    text = " ".join(show(cli, "The keeper's logbooks").split())
    assert all(paragraph in text for paragraph in STORY)
    for chrome in ("Home", "Sport", "cookies", "Most read", "Something else", "All rights"):
        assert chrome not in text, chrome
    (note,) = [title for title in titles if "keeper" not in title]
    assert "Buy milk" in show(cli, note)
