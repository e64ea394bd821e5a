"""The extraction corpus's score, as its MANIFEST.md describes it (trafilatura's own
evaluation): shared by tests/test_extract.py and bench/bench_extract.py."""

from __future__ import annotations

from dataclasses import dataclass


def flat(text: str) -> str:
    """Whitespace normalised, so a segment is found however the text was wrapped."""
    return " ".join(text.split())


@dataclass
class Score:
    found: int = 0  # `with` segments in the text: true positives
    missed: int = 0  # `with` segments not in it: false negatives
    leaked: int = 0  # `without` segments in it: false positives
    appeals: int = 0  # `without` segments of "appeal" pages that got through
    appeal_segments: int = 0

    def add(self, text: str, expected: dict) -> None:
        text = flat(text)
        for segment in expected["with"]:
            if flat(segment) in text:
                self.found += 1
            else:
                self.missed += 1
        for segment in expected["without"]:
            leaked = flat(segment) in text
            self.leaked += leaked
            if expected["appeal"]:
                self.appeals += leaked
                self.appeal_segments += 1

    @property
    def precision(self) -> float:
        return self.found / (self.found + self.leaked)

    @property
    def recall(self) -> float:
        return self.found / (self.found + self.missed)

    @property
    def f1(self) -> float:
        return 2 * self.precision * self.recall / (self.precision + self.recall)

    def line(self, name: str) -> str:
        return (
            f"{name}: precision {self.precision:.3f} recall {self.recall:.3f} "
            f"F1 {self.f1:.3f}, appeal segments let through {self.appeals}/{self.appeal_segments}"
        )
