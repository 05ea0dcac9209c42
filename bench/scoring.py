"""Scores OCR lines against a generated page's ground truth, shared by the benchmarks.

Whole-page OCR finds lines that need not coincide with the form's cells (one line may
run across two cells), so characters are matched by place, not by line: each read
character is placed evenly along its line's box and given to the ground-truth line
whose box holds that point. Characters that land in no line count as insertions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz.distance import Levenshtein

from ocr.records import TextLine

GROW = 10  # pixels of slack around a ground-truth box


@dataclass
class Score:
    """Edit errors and reference characters, split by kind of line."""

    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    chars: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    inserted: int = 0

    def add(self, other: Score) -> None:
        for k, v in other.errors.items():
            self.errors[k] += v
        for k, v in other.chars.items():
            self.chars[k] += v
        self.inserted += other.inserted

    def cer(self, kind: str | None = None) -> float:
        """Character error rate of one kind ("hand", "print"), or of all with insertions."""
        if kind:
            return self.errors[kind] / max(1, self.chars[kind])
        return (sum(self.errors.values()) + self.inserted) / max(1, sum(self.chars.values()))


def _points(line: TextLine) -> list[tuple[float, float, str]]:
    x0, y0, x1, y1 = line.bbox
    n = len(line.text)
    vertical = (y1 - y0) > 1.5 * (x1 - x0)
    out = []
    for k, ch in enumerate(line.text):
        t = (k + 0.5) / n
        out.append(((x0 + x1) / 2, y0 + t * (y1 - y0), ch) if vertical
                   else (x0 + t * (x1 - x0), (y0 + y1) / 2, ch))
    return out


def read_by_line(read: list[TextLine], truth: dict) -> tuple[dict[int, str], int]:
    """What the engine read inside each ground-truth line's box, and the stray characters."""
    lines = truth["lines"]
    found: dict[int, list[tuple[float, str]]] = defaultdict(list)
    stray = 0
    for line in read:
        for x, y, ch in _points(line):
            holders = [i for i, t in enumerate(lines)
                       if t["box"][0] - GROW <= x <= t["box"][2] + GROW
                       and t["box"][1] - GROW <= y <= t["box"][3] + GROW]
            if not holders:
                stray += 1
                continue
            i = min(holders, key=lambda j: (lines[j]["box"][2] - lines[j]["box"][0])
                    * (lines[j]["box"][3] - lines[j]["box"][1]))
            found[i].append((y if lines[i]["vertical"] else x, ch))
    return {i: "".join(ch for _, ch in sorted(found[i])) for i in range(len(lines))}, stray


def score_page(read: list[TextLine], truth: dict) -> Score:
    hypotheses, stray = read_by_line(read, truth)
    score = Score(inserted=stray)
    for i, t in enumerate(truth["lines"]):
        hypothesis = hypotheses[i]
        score.errors[t["kind"]] += Levenshtein.distance(hypothesis, t["text"])
        score.chars[t["kind"]] += len(t["text"])
    return score


def kind_of(path: str) -> str:
    if path.startswith("events"):
        return "event date" if path.endswith(".date") else "event"
    if path.startswith("owners"):
        key = path.rsplit(".", 1)[1]
        return "owner date" if key == "date" else key
    return path


def truth_fields(truth: dict) -> dict[str, dict[str, Any]]:
    """Form path → the truth's value object (hanja, reading, normalised value)."""
    out = {name: value for name, value in truth["fields"].items()}
    for i, e in enumerate(truth["events"]):
        out[f"events[{i}].date"], out[f"events[{i}].event"] = e["date"], e["event"]
    for i, o in enumerate(truth["owners"]):
        for key in ("date", "cause", "address", "name"):
            out[f"owners[{i}].{key}"] = o[key]
    return out


def normalised(kind: str, value: dict[str, Any]) -> Any:
    """The value a field means, which is what exact match compares."""
    if kind in ("event date", "owner date"):
        return value.get("iso")
    if kind == "lot":
        return value.get("text")
    if kind == "area":
        return (value.get("value"), value.get("unit"))
    if kind == "grade":
        return value.get("value")
    return value.get("hanja")
