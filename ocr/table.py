"""The table of a ruled form as cells, found from its rules alone.

Whatever a printing's geometry, its cells are the regions the rules enclose: the
paper inside the frame, less the (slightly thickened) rules, falls apart into one
connected region per cell, spans and all. Neighbours are then read off the rectangles
(`neighbours`): which cells stand to the left of a cell on its row, above it in its
column, and so on, as far as the table goes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import cv2
import numpy as np

from ocr.layout import Grid

Rect = tuple[int, int, int, int]

MIN_SIDE = 24  # regions narrower than this are the slivers between double rules
REACH = 15  # pixels: a short rule this close to a long one meets it
THICK = 9  # pixels across: a stroke this thick is writing, not a printed rule
SHORT = 1 / 45  # the shortest rule looked for, as a share of the page's side
MEND = 1 / 14  # the longest gap in a rule bridged, as a share of the page's side
FILL_SPAN = 1 / 8  # a rule this long (share of the page's side) is drawn whole…
FILL_SHARE = 0.4  # …when this share of it between its ends is found
INK_IN_GAP = 40  # pixels of writing in a gap that keep it open
CROSSED = 2  # rules across a gap (between its ends) that keep it open
OVERLAP = 0.5  # share of the smaller span two cells must share to be in one row or column
# The rules are mended on the page brought down to this longer side (a card at about
# 200 dpi) when it is larger: the constants above hold at that scale, where the lowest
# resolution pages are read, and the morphology costs a quarter at 400 dpi.
STRUCTURE_SIDE = 2200
GROW = 9  # pixels: rules are thickened to this, as the form finder's (`find_grid`) are
RIDGE_DEPTH = 12  # grey levels: a thin line this much darker than the paper beside it is ink


def thin_dark(ink: np.ndarray, red: np.ndarray) -> np.ndarray:
    """Lines thinner than THICK and RIDGE_DEPTH darker than the paper on either side of
    them, however pale: a rule printed pale on a darkened card is lighter than any level
    set between the page's ink and its paper, yet stands out from the paper beside it.
    The pink edges of a red strike (`red`) are no rule: one cut a struck name in two."""
    ridge = cv2.morphologyEx(ink, cv2.MORPH_BLACKHAT, np.ones((THICK, THICK), np.uint8))
    near_red = cv2.dilate(red.view(np.uint8), np.ones((THICK, THICK), np.uint8)) > 0
    return (ridge >= RIDGE_DEPTH) & ~near_red


def _short_rules(dark: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rules too short for the form finder's long openings (between the small cells of a
    heading row, say), told from strokes of writing by being thin: a brush stroke is
    thicker than any printed rule, so what survives a short opening across it is ink."""
    h, w = dark.shape
    thick_across = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((1, THICK), np.uint8))
    thick_down = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((THICK, 1), np.uint8))
    down = cv2.morphologyEx(dark & ~thick_across, cv2.MORPH_OPEN,
                            np.ones((max(30, int(h * SHORT)), 1), np.uint8))
    across = cv2.morphologyEx(dark & ~thick_down, cv2.MORPH_OPEN,
                              np.ones((1, max(30, int(w * SHORT))), np.uint8))
    return across, down


def _touching(short: np.ndarray, long_rules: np.ndarray) -> np.ndarray:
    """The short rules that meet a long one: a rule of the form joins the others, while a
    stroke of writing (一 in a date, the upright of 十) stands free inside its cell."""
    count, labels = cv2.connectedComponents(short)
    if count <= 1:
        return short
    # A few hundredths of the page are ink: only those pixels are looked at.
    points = cv2.findNonZero(short).reshape(-1, 2)
    inked = points[:, 1].astype(np.intp) * short.shape[1] + points[:, 0]
    which = labels.ravel()[inked]
    meets = np.zeros(count, np.uint8)
    meets[which[long_rules.ravel()[inked]]] = 1
    out = np.zeros_like(short)
    out.ravel()[inked] = meets[which]
    return out


def _faint_rules(inked: np.ndarray, thicken: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Long rules among what the page's own ink level calls ink: rules printed so pale
    that the form finder's local threshold passes over them are still ink to the reader,
    and would run every cell together if left in."""
    h, w = inked.shape
    # A thin pale rule wavers between two rows of pixels: each is thickened across itself.
    across = cv2.morphologyEx(cv2.dilate(inked, np.ones((3, 1), np.uint8)), cv2.MORPH_OPEN,
                              np.ones((1, max(40, w // 18)), np.uint8))
    down = cv2.morphologyEx(cv2.dilate(inked, np.ones((1, 3), np.uint8)), cv2.MORPH_OPEN,
                            np.ones((max(40, h // 25), 1), np.uint8))
    # Only thin runs are rules: a stain or a shadow as long is as thick as it is long.
    across &= ~cv2.morphologyEx(across, cv2.MORPH_OPEN, np.ones((THICK, 1), np.uint8))
    down &= ~cv2.morphologyEx(down, cv2.MORPH_OPEN, np.ones((1, THICK), np.uint8))
    return cv2.dilate(across, thicken) > 0, cv2.dilate(down, thicken) > 0


def mended(grid: Grid, inked: np.ndarray | None = None, grow: int = GROW) -> np.ndarray:
    """The rules, short ones included (and, given the page's ink as `inked`, pale ones),
    with worn stretches bridged: a gap shorter than MEND of the page's side between two
    pieces of one rule is taken for ink the plate or the years lost. Thickened as the
    form finder's are (by `grow` pixels), so no cell touches its rules."""
    h, w = grid.horizontal.shape
    thicken = np.ones((grow, grow), np.uint8)
    across, down = grid.horizontal.astype(np.uint8), grid.vertical.astype(np.uint8)
    if inked is not None:
        pale_across, pale_down = _faint_rules(inked.astype(np.uint8), thicken)
        across |= pale_across
        down |= pale_down
    if grid.dark is not None:
        long_rules = cv2.dilate(across | down, np.ones((REACH, REACH), np.uint8)) > 0
        short_across, short_down = (_touching(mask, long_rules) for mask in _short_rules(grid.dark))
        across |= cv2.dilate(short_across, thicken) > 0
        down |= cv2.dilate(short_down, thicken) > 0
    across = cv2.morphologyEx(across, cv2.MORPH_CLOSE, np.ones((1, max(3, int(w * MEND))), np.uint8))
    down = cv2.morphologyEx(down, cv2.MORPH_CLOSE, np.ones((max(3, int(h * MEND)), 1), np.uint8))
    writing = None
    if grid.dark is not None:
        writing = (grid.dark > 0) & ~((across | down) > 0)
    return _filled(across > 0, writing, down > 0, grow) | _filled(
        (down > 0).T, None if writing is None else writing.T, (across > 0).T, grow).T


def table_of(grid: Grid, inked: np.ndarray) -> tuple[np.ndarray, list[Rect], list[np.ndarray]]:
    """The page's mended rules, its cells and their regions (`mended`, `find_cells`),
    found at the structure's scale (STRUCTURE_SIDE) and brought back to the page's. A
    mask is brought down keeping a pixel wherever its neighbourhood held any, so a
    hairline rule stays whole."""
    h, w = inked.shape
    scale = STRUCTURE_SIDE / max(h, w)
    if scale >= 1:
        rules = mended(grid, inked)
        return rules, *find_cells(rules)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    reach = np.ones((math.ceil(1 / scale),) * 2, np.uint8)

    def down(mask: np.ndarray) -> np.ndarray:
        as_bytes = mask.view(np.uint8) if mask.dtype == bool else mask
        # Each pixel kept takes in the block of the page's pixels from it on right and
        # down, the block it stands for: no edge moves.
        return cv2.resize(cv2.dilate(as_bytes, reach, anchor=(0, 0)), size,
                          interpolation=cv2.INTER_NEAREST)

    small = Grid(down(grid.horizontal) > 0, down(grid.vertical) > 0, None,
                 None if grid.dark is None else down(grid.dark))
    # Thickened as at the page's scale, so a cell's box ends where it would there.
    rules = mended(small, down(inked) > 0, max(3, round(GROW * scale)) | 1)
    cells, regions = find_cells(rules)
    sx, sy = w / size[0], h / size[1]
    page_cells = [(round(x0 * sx), round(y0 * sy), min(w, round(x1 * sx)), min(h, round(y1 * sy)))
                  for x0, y0, x1, y1 in cells]
    page_regions = [cv2.resize(region.view(np.uint8), (x1 - x0, y1 - y0),
                               interpolation=cv2.INTER_NEAREST) > 0
                    for (x0, y0, x1, y1), region in zip(page_cells, regions, strict=True)]
    page_rules = cv2.resize(rules.view(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST) > 0
    return page_rules, page_cells, page_regions


def _filled(rules: np.ndarray, writing: np.ndarray | None, crossing: np.ndarray,
            grow: int) -> np.ndarray:
    """Horizontal rules (rows of the mask) drawn whole between their ends where most of
    their length is there: a worn rule is one rule, however many stretches it lost. A gap
    with writing in it is left open: rules do not run through what a clerk wrote, so the
    two pieces are rules of two cells that only happen to line up. So is a gap that
    crosses CROSSED or more of the `crossing` rules (`grow` thick) between its ends: wear
    takes a stretch of a rule, not the rule from a whole stack of cells, which is a part
    of the card (a 沿革 table between two tables' columns) without that column."""
    length = rules.shape[1]
    candidates = np.flatnonzero(rules.any(axis=1))  # rows holding rule (few): only these
    held = np.ascontiguousarray(rules[candidates])
    first = np.argmax(held, axis=1)
    last = length - 1 - np.argmax(held[:, ::-1], axis=1)
    span = last - first + 1
    whole = (span >= length * FILL_SPAN) & (held.sum(axis=1) >= FILL_SHARE * span)
    out = rules.copy()
    rows = candidates[whole]
    if len(rows) == 0:
        return out
    bands = np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)
    for band in bands:
        line = np.concatenate([[False], rules[band].any(axis=0), [False]]).astype(np.int8)
        steps = np.diff(line)
        starts, ends = np.flatnonzero(steps == 1), np.flatnonzero(steps == -1)
        top, bottom = band[0], band[-1] + 1
        for gap_start, gap_end in zip(ends[:-1], starts[1:], strict=True):
            if writing is not None and writing[top:bottom, gap_start:gap_end].sum() > INK_IN_GAP:
                continue
            crossed = crossing[top:bottom, gap_start + grow:gap_end - grow].any(axis=0)
            if np.count_nonzero(np.diff(crossed.astype(np.int8)) == 1) + crossed[:1].sum() >= CROSSED:
                continue
            out[top:bottom, gap_start:gap_end] = True
    return out


def _extent(rules: np.ndarray) -> Rect | None:
    """The box of the table: where its rules run. None with too few rules for a table."""
    xs, ys = np.flatnonzero(rules.any(axis=0)), np.flatnonzero(rules.any(axis=1))
    if len(xs) == 0:
        return None
    x0, y0, x1, y1 = int(xs[0]), int(ys[0]), int(xs[-1]), int(ys[-1])
    h, w = rules.shape
    if x1 - x0 < w / 4 or y1 - y0 < h / 6:
        return None
    return x0, y0, x1, y1


def find_cells(rules: np.ndarray) -> tuple[list[Rect], list[np.ndarray]]:
    """The cells inside the table whose (mended) rules are `rules`, each the box of one
    region they enclose, in reading order of their top-left corners, with the region
    itself (a mask the size of the box): where a rule is missing a region is no
    rectangle, and its box overlaps its neighbours', but its writing is its own."""
    extent = _extent(rules)
    if extent is None:
        return [], []
    fx0, fy0, fx1, fy1 = extent
    free = ~rules[fy0:fy1 + 1, fx0:fx1 + 1]
    count, regions, stats, _ = cv2.connectedComponentsWithStats(free.astype(np.uint8),
                                                                 connectivity=4)
    cells = []
    for index, (x, y, w, h, area) in enumerate(stats[1:], start=1):
        if w >= MIN_SIDE and h >= MIN_SIDE and area >= 0.3 * w * h:
            rect = (int(x + fx0), int(y + fy0), int(x + w + fx0), int(y + h + fy0))
            cells.append((rect, regions[y:y + h, x:x + w] == index))
    cells.sort(key=lambda cell: (cell[0][1], cell[0][0]))
    return [rect for rect, _ in cells], [mask for _, mask in cells]


def union(boxes: list[Rect]) -> Rect:
    """The box holding all `boxes`."""
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def gap(a: Rect, b: Rect) -> int:
    """The paper between two boxes: across plus down (0 where they overlap)."""
    return max(0, max(a[0], b[0]) - min(a[2], b[2])) + max(0, max(a[1], b[1]) - min(a[3], b[3]))


def shared(a0: int, a1: int, b0: int, b1: int) -> float:
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
            if shared(y0, y1, b0, b1) < OVERLAP:
                continue
            distance = x0 - a1 if direction == "left" else a0 - x1
        else:
            if shared(x0, x1, a0, a1) < OVERLAP:
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
