"""Reader mode: what is not the story is folded into one dim line, never deleted."""

from __future__ import annotations

import json
from pathlib import Path

from test_ui import Running, reader_text, settle

FOOTER = (
    "The Harbourne Courier is published every weekday by the Courier Trust, a charity"
    " registered in England."
)
APPEAL = "Support our journalism: become a member today and help keep local news free for everyone."


def courier(tmp_path: Path, count: int = 4) -> Path:
    """A folder of articles from one site: each ends with the site's footer, and the
    first carries a donation appeal among its paragraphs."""
    folder = tmp_path / "Courier"
    folder.mkdir()
    places = ["Saltby", "Marrow Point", "Eastmere", "Kestrel Bay", "Harbourne Quay"]
    boats = ["Marigold", "Kittiwake", "Sea Holly", "Cormorant", "Pelican"]
    for number in range(count):
        story = [
            f"Ferry story {number}",
            "",
            f"The {boats[number]} crossed the estuary to {places[number]} on Tuesday, a"
            " record for the winter timetable, the harbour master said.",
            *([APPEAL] if number == 0 else []),
            f"Passengers bound for {places[number]} waited on average at the old quay,"
            f" and the {boats[number]} left on time.",
            FOOTER,
        ]
        (folder / f"story-{number}.txt").write_text("\n\n".join(story) + "\n")
    return folder


def first_story_id(cli) -> int:
    rows = json.loads(cli("articles", "--json").out)
    return next(row["id"] for row in rows if row["title"] == "Ferry story 0")


def flowing(text: str) -> str:
    return " ".join(text.split())


def test_show_folds_the_sites_footer_and_the_appeal_and_all_unfolds(cli, tmp_path) -> None:
    assert cli("add", str(courier(tmp_path))).code == 0
    article_id = first_story_id(cli)

    shown = flowing(cli("show", str(article_id)).out)
    assert "Marigold crossed the estuary" in shown and "bound for Saltby waited" in shown
    assert FOOTER not in shown and APPEAL not in shown
    assert "▸ 1 paragraph folded: appeal (--all shows them)" in shown
    assert "▸ 1 paragraph folded: template (--all shows them)" in shown

    everything = flowing(cli("show", str(article_id), "--all").out)
    assert FOOTER in everything and APPEAL in everything and "folded" not in everything
    assert everything.index("estuary") < everything.index(APPEAL) < everything.index(FOOTER)

    data = json.loads(cli("show", str(article_id), "--json").out)
    assert data["source"] == "feed"
    assert FOOTER not in data["paragraphs"] and data["paragraphs"][0].startswith("The Marigold")
    assert {"why": ["appeal"], "paragraphs": [APPEAL]} in data["folded"]
    assert {"why": ["template"], "paragraphs": [FOOTER]} in data["folded"]


def test_a_paragraph_two_stories_share_is_not_template(cli, tmp_path) -> None:
    folder = courier(tmp_path, count=2)  # the footer in two articles only: a shared quote
    assert cli("add", str(folder)).code == 0
    shown = flowing(cli("show", str(first_story_id(cli))).out)
    assert FOOTER in shown and "template" not in shown


def test_an_appeal_glued_to_the_first_sentence_folds_and_the_sentence_stays(cli, tmp_path) -> None:
    folder = tmp_path / "Wire"
    folder.mkdir()
    glued = (
        "Every contribution, however big or small, makes all the difference."
        "It is highly unlikely that the ferry will run on Sunday, the operator said."
    )
    (folder / "ferry.txt").write_text(
        "Ferry cancelled\n\n" + glued + "\n\nThe next sailing is on Monday at nine.\n"
    )
    assert cli("add", str(folder)).code == 0
    (row,) = json.loads(cli("articles", "--json").out)
    data = json.loads(cli("show", str(row["id"]), "--json").out)
    assert data["paragraphs"][0].startswith("It is highly unlikely that the ferry")
    assert data["folded"] == [
        {
            "why": ["appeal"],
            "paragraphs": ["Every contribution, however big or small, makes all the difference."],
        }
    ]


async def test_z_shows_the_folded_paragraphs_and_folds_them_again(cli, tmp_path, db_path) -> None:
    assert cli("add", str(courier(tmp_path))).code == 0
    article_id = first_story_id(cli)
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        articles = app.query_one("#articles")
        await settle(pilot)
        for _ in range(5):  # the list is newest first: walk down to the first story
            if articles.current_id == article_id:
                break
            await pilot.press("j")
            await settle(pilot)
        folded = flowing(reader_text(app))
        assert "paragraph folded: template · z shows them" in folded
        assert FOOTER not in folded

        await pilot.press("z")
        await settle(pilot)
        unfolded = flowing(reader_text(app))
        assert FOOTER in unfolded and APPEAL in unfolded and "folded" not in unfolded

        await pilot.press("z")
        await settle(pilot)
        assert FOOTER not in flowing(reader_text(app))
