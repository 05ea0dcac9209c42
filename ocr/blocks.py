"""Ink grouped into text blocks: the lines of writing inside a cell, or on a page with no rules.

Detection over a whole page costs more than reading every cell of it, so a block is
found from the ink itself: connected strokes become pieces, pieces of a like size that
stand close in a row or a column become one block. A printed label in the corner of a
cell is much smaller than the hand beside it, and so stays a block of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

Rect = tuple[int, int, int, int]

MIN_SPECK = 16  # connected ink smaller than this is dust
MIN_INK = 60  # pixels of ink for a region to hold any writing
TOUCH = 5  # strokes this close (a dilation this wide) are pieces of one character
LINK = 0.6  # pieces of one line stand at most this share of the larger piece apart
LINE_LINK = 1.0  # …or, when they stand in one line, this share (a flat 一 in a column)
IN_LINE = 0.6  # share of the narrower piece's band inside the other's: one line
LIKE_SIZE = 2.2  # pieces further apart in size than this belong to different lines…
NEAR = 0.15  # …unless they nearly touch (this share of the larger piece)
VERTICAL = 1.25  # a block this much taller than wide is a column of writing


@dataclass(frozen=True)
class Block:
    """A line of writing: its ink box in page pixels and its direction."""

    box: Rect
    vertical: bool


class _Sets:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, i: int, j: int) -> None:
        self.parent[self.find(i)] = self.find(j)

    def groups(self) -> list[list[int]]:
        out: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            out.setdefault(self.find(i), []).append(i)
        return list(out.values())


def _gaps(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """The horizontal and vertical gaps between two boxes (0 where they overlap)."""
    dx = max(0.0, float(max(a[0], b[0]) - min(a[2], b[2])))
    dy = max(0.0, float(max(a[1], b[1]) - min(a[3], b[3])))
    return dx, dy


def _merge(boxes: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    return np.array([[boxes[g, 0].min(), boxes[g, 1].min(), boxes[g, 2].max(), boxes[g, 3].max()]
                     for g in groups])


def _in_line(a: np.ndarray, b: np.ndarray, across: bool) -> bool:
    """Whether two pieces side by side (`across`) or one above the other share a line:
    most of the narrower one lies within the other's band."""
    lo, hi = (1, 3) if across else (0, 2)
    shared = min(a[hi], b[hi]) - max(a[lo], b[lo])
    return shared >= IN_LINE * max(1, min(a[hi] - a[lo], b[hi] - b[lo]))


def _linked(a: np.ndarray, b: np.ndarray) -> bool:
    dx, dy = _gaps(a, b)
    if dx > 0 and dy > 0:  # diagonal neighbours are not one line
        return False
    size_a = max(a[2] - a[0], a[3] - a[1])
    size_b = max(b[2] - b[0], b[3] - b[1])
    big, small = max(size_a, size_b), max(1, min(size_a, size_b))
    gap = dx + dy
    if gap <= NEAR * big:
        return True
    if big / small > LIKE_SIZE:
        return False
    reach = LINE_LINK if _in_line(a, b, across=dx > 0) else LINK
    return gap <= reach * big


def group_boxes(pieces: np.ndarray) -> list[Rect]:
    """Piece boxes (N × 4: x0, y0, x1, y1) grouped into the boxes of text blocks."""
    if len(pieces) == 0:
        return []
    sets = _Sets(len(pieces))
    reach = LINE_LINK * float(np.max(pieces[:, 2:] - pieces[:, :2]))
    order = np.argsort(pieces[:, 0])
    for n, i in enumerate(order):
        for j in order[n + 1:]:
            if pieces[j, 0] - pieces[i, 2] > reach:  # sorted by x: nothing further links
                break
            if _linked(pieces[i], pieces[j]):
                sets.join(int(i), int(j))
    return [tuple(int(v) for v in box) for box in _merge(pieces, sets.groups())]  # type: ignore[misc]


def find_blocks(ink: np.ndarray, rules: np.ndarray, level: int, rect: Rect,
                outside: Rect | None = None) -> list[Block]:
    """The text blocks inside `rect` of a prepared page (rules removed), optionally
    leaving out the area `outside` (the table, when reading what surrounds it)."""
    x0, y0, x1, y1 = rect
    mask = (ink[y0:y1, x0:x1] < level) & ~rules[y0:y1, x0:x1]
    if outside is not None:
        ox0, oy0, ox1, oy1 = outside
        mask[max(0, oy0 - y0):max(0, oy1 - y0), max(0, ox0 - x0):max(0, ox1 - x0)] = False
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8),
                                                                connectivity=8)
    keep = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] >= MIN_SPECK)
    keep = keep[keep > 0]
    if stats[keep, cv2.CC_STAT_AREA].sum() < MIN_INK:
        return []
    # Strokes that (nearly) touch are one piece of a character.
    clean = np.isin(labels, keep).astype(np.uint8)
    clean = cv2.dilate(clean, np.ones((TOUCH, TOUCH), np.uint8))
    _, _, pstats, _ = cv2.connectedComponentsWithStats(clean, connectivity=8)
    p = pstats[1:]
    pieces = np.stack([p[:, 0], p[:, 1], p[:, 0] + p[:, 2], p[:, 1] + p[:, 3]], axis=1)
    blocks = []
    for bx0, by0, bx1, by1 in group_boxes(pieces):
        w, h = bx1 - bx0, by1 - by0
        if w * h < MIN_INK:
            continue
        blocks.append(Block((bx0 + x0, by0 + y0, bx1 + x0, by1 + y0), h > VERTICAL * w))
    return blocks
