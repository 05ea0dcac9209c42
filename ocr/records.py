"""The records the OCR stage hands on: plain frozen dataclasses, no behaviour beyond geometry."""

from __future__ import annotations

from dataclasses import dataclass

Point = tuple[float, float]


@dataclass(frozen=True)
class TextLine:
    """One recognised line: its text, its quadrilateral on the page (clockwise from the
    top-left, in the scan's pixel coordinates) and the engine's confidence in 0–1."""

    text: str
    box: tuple[Point, Point, Point, Point]
    confidence: float

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """The enclosing axis-aligned box (x0, y0, x1, y1)."""
        xs = [p[0] for p in self.box]
        ys = [p[1] for p in self.box]
        return min(xs), min(ys), max(xs), max(ys)
