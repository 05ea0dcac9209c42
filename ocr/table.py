"""The table of a ruled form as cells, found from its rules alone.

Whatever a printing's geometry, its cells are the regions the rules enclose: the
paper inside the frame, less the (slightly thickened) rules, falls apart into one
connected region per cell, spans and all. Neighbours are then read off the rectangles
(`neighbours`): which cells stand to the left of a cell on its row, above it in its
column, and so on, as far as the table goes.
"""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np

from ocr.layout import Grid

Rect = tuple[int, int, int, int]

MIN_SIDE = 24  # regions narrower than this are the slivers between double rules
MEND = 1 / 14  # the longest gap in a rule bridged, as a share of the page's side
OVERLAP = 0.5  # share of the smaller span two cells must share to be in one row or column


def mended(grid: Grid) -> np.ndarray:
    """The rules with worn stretches bridged: a gap shorter than MEND of the page's side
    between two pieces of one rule is taken for ink the plate or the years lost."""
    h, w = grid.horizontal.shape
    across = cv2.morphologyEx(grid.horizontal.astype(np.uint8), cv2.MORPH_CLOSE,
                              np.ones((1, max(3, int(w * MEND))), np.uint8))
    down = cv2.morphologyEx(grid.vertical.astype(np.uint8), cv2.MORPH_CLOSE,
                            np.ones((max(3, int(h * MEND)), 1), np.uint8))
    return (across | down) > 0


def _extent(rules: np.ndarray) -> Rect | None:
    """The box of the table: where its rules run. None with too few rules for a table."""
    ys, xs = np.nonzero(rules)
    if len(xs) == 0:
        return None
    x0, y0, x1, y1 = int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())
    h, w = rules.shape
    if x1 - x0 < w / 4 or y1 - y0 < h / 6:
        return None
    return x0, y0, x1, y1


def find_cells(rules: np.ndarray) -> list[Rect]:
    """The cells inside the table whose (mended) rules are `rules`, each the box of one
    region they enclose, in reading order of their top-left corners."""
    extent = _extent(rules)
    if extent is None:
        return []
    fx0, fy0, fx1, fy1 = extent
    free = ~rules[fy0:fy1 + 1, fx0:fx1 + 1]
    count, _, stats, _ = cv2.connectedComponentsWithStats(free.astype(np.uint8), connectivity=4)
    cells = []
    for x, y, w, h, area in stats[1:]:
        if w >= MIN_SIDE and h >= MIN_SIDE and area >= 0.3 * w * h:
            cells.append((int(x + fx0), int(y + fy0), int(x + w + fx0), int(y + h + fy0)))
    return sorted(cells, key=lambda r: (r[1], r[0]))


def _shared(a0: int, a1: int, b0: int, b1: int) -> float:
    """The share of the smaller of two spans that they have in common."""
    return max(0, min(a1, b1) - max(a0, b0)) / max(1, min(a1 - a0, b1 - b0))


def neighbours(cells: list[Rect], index: int, direction: str) -> Iterator[int]:
    """The cells in a direction ("left", "right", "up", "down") of cell `index` that share
    its row (or column), nearest first."""
    x0, y0, x1, y1 = cells[index]
    found = []
    for j, (a0, b0, a1, b1) in enumerate(cells):
        if j == index:
            continue
        if direction in ("left", "right"):
            if _shared(y0, y1, b0, b1) < OVERLAP:
                continue
            distance = x0 - a1 if direction == "left" else a0 - x1
        else:
            if _shared(x0, x1, a0, a1) < OVERLAP:
                continue
            distance = y0 - b1 if direction == "up" else b0 - y1
        if distance >= -MIN_SIDE:
            found.append((distance, j))
    yield from (j for _, j in sorted(found))


def aligned(a: Rect, b: Rect, across: bool, tolerance: float = 0.25) -> bool:
    """Whether two cells span the same rows (`across`: side by side) or the same columns."""
    (a0, a1), (b0, b1) = ((a[1], a[3]), (b[1], b[3])) if across else ((a[0], a[2]), (b[0], b[2]))
    slack = tolerance * (a1 - a0)
    return abs(a0 - b0) <= slack and abs(a1 - b1) <= slack
