#!/usr/bin/env python3
"""Render benchmark: laying out one very large article body.

A source may hand us one article of up to max_document_mb (50 MB by default), and the
reader and `tuinews show` lay out its whole body. For bodies of 1 and 5 MB (by default):
three quarters short paragraphs with links, then one <pre> line of 4 % of the size and
one word without a space of 20 % (200 KB and 1 MB at 5 MB, as in the suite's test). It
times render_html + to_text at 80 columns and reports the median of a few runs, the
throughput, and how the time grows with the size: linear layout grows as the size does
(5x from 1 to 5 MB); a quadratic step shows as far more (25x), long before the absolute
figure looks bad on a fast machine.

It measures; it does not judge: a missed target is reported as MISSED, never turned into
a failing exit status. The exit status is 1 only when the layout is wrong (a paragraph
or a link lost), so a fast run that skipped work is never reported as fast.

Usage:
  python bench/bench_render.py                   # 1 and 5 MB, 3 runs each
  python bench/bench_render.py --sizes 1 5 20 --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from tuinews.render import render_html, to_text

PARAGRAPH = '<p>Word <b>bold</b> <a href="/l{0}">link</a> &amp; more words here.</p>\n'
DISTINCT_LINKS = 50
# Time growth over size growth, from the smallest body to the largest: 1.0 is linear.
GROWTH_TARGET = 1.5
FIVE_MB_TARGET_S = 10.0  # what the test suite used to assert; linear layout takes ~3 s


def body(megabytes: float) -> tuple[str, int]:
    """A body of about `megabytes` MB and its paragraph count."""
    size = int(megabytes * 1_000_000)
    paragraphs = max(size * 3 // 4 // len(PARAGRAPH), DISTINCT_LINKS)
    markup = "".join(PARAGRAPH.format(n % DISTINCT_LINKS) for n in range(paragraphs))
    return markup + f"<pre>{'x' * (size // 25)}</pre><p>{'y' * (size // 5)}</p>", paragraphs


def time_layout(markup: str, paragraphs: int, runs: int) -> list[float]:
    """Seconds per run; SystemExit(1) when the text is not the whole body."""
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        article = render_html(markup, base_url="https://news.example/")
        text = to_text(article, width=80)
        seconds.append(time.perf_counter() - started)
        whole = (
            text.count("Word bold link [") == paragraphs
            and len(article.links) == DISTINCT_LINKS
            and text.endswith(f"[{DISTINCT_LINKS}] https://news.example/l{DISTINCT_LINKS - 1}")
        )
        if not whole:
            print("tuinews failed: the laid-out text lost paragraphs or links", file=sys.stderr)
            raise SystemExit(1)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 5], help="MB per body")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per size")
    args = parser.parse_args(argv)
    if args.runs < 1 or any(size <= 0 for size in args.sizes):
        parser.error("--runs and every size must be positive")

    medians: dict[float, float] = {}
    print(f"{'size':>8}  {'median':>9}  {'max':>9}  {'MB/s':>6}  target")
    for size in sorted(set(args.sizes)):
        markup, paragraphs = body(size)
        seconds = time_layout(markup, paragraphs, args.runs)
        medians[size] = median = statistics.median(seconds)
        target = ""
        if size == 5:
            verdict = "ok" if median <= FIVE_MB_TARGET_S else "MISSED"
            target = f"<= {FIVE_MB_TARGET_S:.1f} s {verdict}"
        line = (
            f"{len(markup) / 1e6:>6.2f} MB  {median:>7.2f} s  {max(seconds):>7.2f} s  "
            f"{len(markup) / 1e6 / median:>6.2f}  {target}"
        )
        print(line.rstrip())
    if len(medians) > 1:
        small, large = min(medians), max(medians)
        growth = (medians[large] / medians[small]) / (large / small)
        verdict = "ok" if growth <= GROWTH_TARGET else "MISSED"
        print(
            f"growth {small:g} -> {large:g} MB: time x{medians[large] / medians[small]:.1f} "
            f"for size x{large / small:.1f}, {growth:.2f} of linear "
            f"(<= {GROWTH_TARGET}) {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
