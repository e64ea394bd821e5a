#!/usr/bin/env python3
"""Extraction benchmark: a web page → its main text, on the shared corpus of real pages.

For each of the pages in ../shared/corpus/extraction (152 news and blog pages with, in
expected.json, text that must be shown and boilerplate that must not), it times
tuinews.extract.extract_page and, for reference, trafilatura.extract() with its defaults,
and prints per page the median, 95th percentile and maximum. Then the score of the text a
user is shown (extract_page + render_html + to_text, as `tuinews show` prints it) against
the score of plain trafilatura's text, as the corpus's MANIFEST.md defines it: precision,
recall, F1, and how many boilerplate segments of the "appeal" pages got through. Last, the
bytes of HTML tuinews would store per page against the page's own size.

The pages are third-party data and are read from the shared folder, never copied here.
It measures; it does not judge: the exit status is 0 whenever the corpus was read (1
when it is missing).

The per-page times are each page's fastest of --runs runs (2 by default), so that they
show the steady cost; the slowest first run is printed apart, since a first call pays
one-time loading inside the libraries.

Usage:
  python bench/bench_extract.py               # every page, fastest of 2 runs
  python bench/bench_extract.py --runs 1      # one cold run per page
  python bench/bench_extract.py --corpus DIR  # another copy of the corpus
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from extraction_score import Score
from tuinews.extract import extract_page
from tuinews.models import NotAnArticle
from tuinews.render import render_html, to_text

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "extraction"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(function, runs: int) -> tuple[float, float, object]:
    """The first and the fastest of `runs` calls, in seconds, and the last call's result."""
    seconds: list[float] = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        try:
            result = function()
        except NotAnArticle as why:
            result = why
        seconds.append(time.perf_counter() - started)
    return seconds[0], min(seconds), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the extraction corpus")
    parser.add_argument("--runs", type=int, default=2, help="timed runs per page (fastest kept)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be positive")
    manifest = args.corpus / "expected.json"
    if not manifest.is_file():
        print(f"no extraction corpus at {args.corpus}: it lives only in the shared corpus")
        return 1
    expected = json.loads(manifest.read_text(encoding="utf-8"))

    started = time.perf_counter()
    import trafilatura  # what the first page pays once; kept out of the per-page times

    print(f"importing trafilatura: {time.perf_counter() - started:.2f} s (paid once)")

    ours_seconds: list[float] = []
    plain_seconds: list[float] = []
    ours_first: list[float] = []
    plain_first: list[float] = []
    ours, plain = Score(), Score()
    stored: list[int] = []
    raw: list[int] = []
    refused: list[str] = []
    for name, facts in sorted(expected.items()):
        data = (args.corpus / "pages" / name).read_bytes()
        url = facts["url"]
        first, seconds, page = timed(lambda data=data, url=url: extract_page(data, url), args.runs)
        ours_first.append(first)
        ours_seconds.append(seconds)
        if isinstance(page, NotAnArticle):
            refused.append(f"{name} ({page})")
            text = ""
        else:
            text = to_text(render_html(page.html, url.strip()))
            stored.append(len(page.html.encode("utf-8")))
            raw.append(len(data))
        ours.add(text, facts)
        first, seconds, plain_text = timed(lambda data=data: trafilatura.extract(data), args.runs)
        plain_first.append(first)
        plain_seconds.append(seconds)
        plain.add(plain_text or "", facts)

    print(
        f"\n{len(expected)} pages, {args.runs} run(s) each; refused: {', '.join(refused) or 'none'}"
    )
    print(f"\n{'seconds per page':<28} {'median':>9} {'p95':>6} {'max':>6}  total  first-run max")
    for label, seconds, first in (
        ("extract_page", ours_seconds, ours_first),
        ("plain trafilatura", plain_seconds, plain_first),
    ):
        print(
            f"{label:<28} {statistics.median(seconds):>9.3f} {percentile(seconds, 0.95):>6.3f}"
            f" {max(seconds):>6.3f}  {sum(seconds):>5.1f}  {max(first):.3f}"
        )
    print(f"\n{'score of the shown text':<28} {'precision':>9} {'recall':>6} {'F1':>6}   appeals")
    for label, score in (("extract_page + render", ours), ("plain trafilatura", plain)):
        print(
            f"{label:<28} {score.precision:>9.3f} {score.recall:>6.3f} {score.f1:>6.3f}"
            f"   {score.appeals}/{score.appeal_segments}"
        )
    print(f"\n{'bytes per page':<28} {'median':>9} {'mean':>9}")
    print(
        f"{'stored HTML':<28} {statistics.median(stored):>9,.0f} {statistics.mean(stored):>9,.0f}"
    )
    print(f"{'raw page':<28} {statistics.median(raw):>9,.0f} {statistics.mean(raw):>9,.0f}")
    share = sum(stored) / sum(raw)
    print(f"stored / raw, all pages: {share:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
