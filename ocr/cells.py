"""Reading the form's cells one by one: find the ink in each, recognise it as one line.

On ruled forms this beats whole-page detection (bench/reading.py measures both): the
cell already says where a value is and to which field it belongs, detection can no
longer merge two cells into one line, and recognising all cells in one batch costs
less than detecting text over the whole page. A cell written vertically is turned a
quarter anticlockwise so its column reads left to right as the recogniser expects.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ocr.blocks import MIN_INK, MIN_SPECK
from ocr.engine import OcrEngine
from ocr.layout import Cell, Grid
from ocr.preprocess import Prepared

INSET = 5  # pixels kept clear of the cell's rules
INK_LEVELS = (150, 215)  # the page's Otsu level, kept within these: faded ink is light


@dataclass(frozen=True)
class CellReading:
    """What one written cell says, where its ink lies on the original scan (a quadrilateral,
    clockwise from top-left), and whether a red stroke runs through it (朱抹: a value
    struck out, kept as history)."""

    field: str
    text: str
    confidence: float
    box: tuple[tuple[float, float], ...]
    vertical: bool
    crossed: bool
    aspect: float = 1.0  # long side over short side of the ink: about the count of characters
    # Read by the printed labels rather than a template: what the label beside the value
    # names ("date", "name" …, None when no label was found), the label as printed and
    # where it stands ("same" cell, "left", "right", "up"), the cell (or, with no rules,
    # the block) holding the value in prepared pixels, the table part it sits in
    # ("events", "owners"), and doubts the reading already raises. `rivals`: the other
    # labels it stands by, best first (word, key, relation, whether in line with it).
    key: str | None = None
    label: str | None = None
    relation: str | None = None
    area: tuple[int, int, int, int] | None = None
    section: str | None = None
    doubts: tuple[str, ...] = ()
    rivals: tuple[tuple[str, str, str, bool], ...] = ()


def ink_level(ink: np.ndarray) -> int:
    """The grey level separating ink from paper on this page (faded pages sit higher)."""
    level, _ = cv2.threshold(ink, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return int(np.clip(level, *INK_LEVELS))


def paper_level(ink: np.ndarray) -> int:
    """The page's median grey, its paper: counted from the histogram, which is many
    times faster than sorting a page's pixels."""
    counts = cv2.calcHist([ink], [0], None, [256], [0, 256]).ravel().cumsum()
    return int(np.searchsorted(counts, (ink.size + 1) // 2))


def crop_for(ink: np.ndarray, box: tuple[int, int, int, int], vertical: bool,
             bounds: tuple[int, int, int, int] | None = None, level: int | None = None) -> np.ndarray:
    """The recogniser's input for an ink box: a margin of paper around it (within
    `bounds`), binarised at `level` if given, turned so a column reads left to right."""
    h, w = ink.shape
    x0, y0, x1, y1 = bounds or (0, 0, w, h)
    m = 8
    bx0, by0, bx1, by1 = box
    crop = ink[max(y0, by0 - m):min(y1, by1 + m), max(x0, bx0 - m):min(x1, bx1 + m)]
    if level is not None:
        crop = np.where(crop < level, 0, 255).astype(np.uint8)
    if vertical:
        crop = np.rot90(crop)
    return np.ascontiguousarray(np.dstack([crop] * 3))


def _ink_box(patch: np.ndarray, rules: np.ndarray,
             level: int) -> tuple[int, int, int, int] | None:
    ink = ((patch < level) & ~rules).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = [i for i in range(1, count) if stats[i, cv2.CC_STAT_AREA] >= MIN_SPECK]
    if sum(stats[i, cv2.CC_STAT_AREA] for i in keep) < MIN_INK:
        return None
    x0 = min(stats[i, cv2.CC_STAT_LEFT] for i in keep)
    y0 = min(stats[i, cv2.CC_STAT_TOP] for i in keep)
    x1 = max(stats[i, cv2.CC_STAT_LEFT] + stats[i, cv2.CC_STAT_WIDTH] for i in keep)
    y1 = max(stats[i, cv2.CC_STAT_TOP] + stats[i, cv2.CC_STAT_HEIGHT] for i in keep)
    return int(x0), int(y0), int(x1), int(y1)


def struck(red: np.ndarray, box: tuple[int, int, int, int], vertical: bool) -> bool:
    """A red line longer than a seal is wide, running along the entry's length."""
    x0, y0, x1, y1 = box
    pad = 20
    patch = red[max(0, y0 - pad):y1 + pad, max(0, x0 - pad):x1 + pad].astype(np.uint8)
    if not patch.any():
        return False
    extent = (y1 - y0) if vertical else (x1 - x0)
    length = max(160, int(extent * 0.8))
    kernel = np.ones((length, 1) if vertical else (1, length), np.uint8)
    if (patch.shape[0] if vertical else patch.shape[1]) < length:
        return False
    return bool(cv2.morphologyEx(patch, cv2.MORPH_OPEN, kernel).any())


def read_cells(prepared: Prepared, grid: Grid, cells: list[Cell], engine: OcrEngine,
               binarise: bool = False) -> list[CellReading]:
    """Recognises every written cell in one batch; empty cells are left out. With
    `binarise`, the recogniser sees pure black on white at the page's own ink level."""
    ink, rules = prepared.ink, grid.horizontal | grid.vertical
    h, w = ink.shape
    level = ink_level(ink)
    crops, found = [], []
    for cell in cells:
        x0, y0, x1, y1 = cell.rect
        x0, y0 = max(0, x0 + INSET), max(0, y0 + INSET)
        x1, y1 = min(w, x1 - INSET), min(h, y1 - INSET)
        if x1 - x0 < 8 or y1 - y0 < 8:
            continue
        box = _ink_box(ink[y0:y1, x0:x1], rules[y0:y1, x0:x1], level)
        if box is None:
            continue
        bx0, by0, bx1, by1 = box[0] + x0, box[1] + y0, box[2] + x0, box[3] + y0
        crops.append(crop_for(ink, (bx0, by0, bx1, by1), cell.vertical, (x0, y0, x1, y1),
                              level if binarise else None))
        found.append((cell, (bx0, by0, bx1, by1)))
    if not crops:
        return []
    results = engine.recognize(crops)
    return [CellReading(cell.field, text, conf, quad_on_scan(prepared, box), cell.vertical,
                        struck(prepared.red, box, cell.vertical), aspect_of(box))
            for (cell, box), (text, conf) in zip(found, results, strict=True)]


def aspect_of(box: tuple[int, int, int, int]) -> float:
    w, h = box[2] - box[0], box[3] - box[1]
    return round(max(w, h) / max(1, min(w, h)), 2)


def quad_on_scan(prepared: Prepared, box: tuple[int, int, int, int]) -> tuple[tuple[float, float], ...]:
    x0, y0, x1, y1 = box
    corners = prepared.to_original(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]))
    return tuple((round(float(x), 1), round(float(y), 1)) for x, y in corners)
