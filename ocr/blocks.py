"""Ink grouped into text blocks: the lines of writing inside a cell, or on a page with no rules.

Detection over a whole page costs more than reading every cell of it, so a block is
found from the ink itself, by cutting the region along the gaps in its ink (an X-Y
cut): first into bands at every empty row, then each band into blocks where a gap
is wide for the band's thickness, and so on inside each block. Writing runs across or
down the page; the region is cut both ways and the way whose blocks look more like
lines running that way wins (cut the wrong way, a column falls apart into its
characters). A printed label in the corner of a cell stands apart from the value in
its own band, and so becomes a block of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import cv2
import numpy as np

Rect = tuple[int, int, int, int]

MIN_SPECK = 16  # connected ink smaller than this is dust
MIN_INK = 60  # pixels of ink for a region to hold any writing
LINE_GAP = 2  # empty rows (or columns) that part two lines
WORD_GAP = 0.8  # a gap this wide for the line's thickness parts two blocks of one line
MIN_WORD_GAP = 10  # pixels: never part a line at a narrower gap
HAIRLINE = 0.25  # strips parted by less than this share of the thinner are one line
FRAGMENT = 0.6  # a strip this thin beside a line…
FRAGMENT_GAP = 0.15  # …and this close (shares of its own thickness) is part of it
SLIVER = 0.1  # a strip this thin beside a line, and this close (shares of the line), too
HEADING = 0.6  # a top band this thin beside the next…
HEADING_GAP = 0.3  # …and this far above it (shares of its thickness) is a printed label,
STROKE = 0.2  # …unless thinner than this share of the next band: a flat stroke, 一
TWO_CHARACTERS = 1.6  # a band this long for its thickness holds two characters or more
STACKED = 0.5  # lines one under another are at least this share of the thickest thick
THIN = 0.8  # a block thinner than this share of a character is a stroke, not a line
ONE_CHARACTER = 1.2  # a block up to this long for its thickness holds one character
DEPTH = 4  # cuts nested at most this deep
COLUMN = 1.5  # a block this much longer than wide holds two characters or more
MANY_PIECES = 60  # a cell holding this many pieces of ink holds many values: a table's worth
SEVERAL_LINES = 4  # a block thicker than this many of the page's usual ink pieces holds lines
VERTICAL = 1.25  # a one-character block this much taller than wide reads down
FAINT_STEPS = 3  # faint ink is followed on from the writing this many times at most
MIN_REACH = 5  # pixels: faint ink this near the writing always goes on from it
PALE_SPECK = 6  # pale ink smaller than this is grain, not a faded stroke
PALE_LENGTH = 0.3  # a stretch of pale ink alone this long for its line's thickness is a character
REACH = 2.0  # pale ink this many usual pieces of ink (about a character) from the writing joins it


@dataclass(frozen=True)
class Block:
    """A line of writing: its ink box in page pixels and its direction."""

    box: Rect
    vertical: bool

    @classmethod
    def shaped(cls, box: Rect) -> Block:
        """A block whose direction is read off its shape: down when clearly taller than
        wide (a near-square one character only when much taller)."""
        w, h = box[2] - box[0], box[3] - box[1]
        return cls(box, h > VERTICAL * w if max(w, h) < 1.6 * min(w, h) else h > w)


def _runs(profile: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """The stretches of a profile holding ink, parted by at least `gap` empty entries."""
    filled = np.flatnonzero(profile)
    if len(filled) == 0:
        return []
    breaks = np.flatnonzero(np.diff(filled) > gap)
    starts = np.concatenate([[filled[0]], filled[breaks + 1]])
    ends = np.concatenate([filled[breaks], [filled[-1]]]) + 1
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _extent(mask: np.ndarray, run: tuple[int, int], down: bool) -> tuple[int, int]:
    """Where along its length a line's ink runs."""
    band = mask[:, run[0]:run[1]] if down else mask[run[0]:run[1], :]
    filled = np.flatnonzero(band.any(axis=1 if down else 0))
    return int(filled[0]), int(filled[-1]) + 1


def _mend_lines(mask: np.ndarray, runs: list[tuple[int, int]],
                down: bool) -> list[tuple[int, int]]:
    """Lines put back together where an empty row happens to cross every character of a
    line (the tops of 姜 and 善 over their bodies): two strips parted by a hairline, or a
    strip much thinner than the line beside it, close to it and lying within its length."""
    out = list(runs)
    changed = True
    while changed and len(out) > 1:
        changed = False
        for k in range(len(out) - 1):
            (a0, a1), (b0, b1) = out[k], out[k + 1]
            thin, thick = sorted(((a1 - a0, out[k]), (b1 - b0, out[k + 1])))
            hairline = b0 - a1 <= HAIRLINE * thin[0]  # a cut no wider than a stroke's gap
            sliver = thin[0] <= SLIVER * thick[0] and b0 - a1 <= SLIVER * thick[0]
            if not hairline and not sliver and (thin[0] > FRAGMENT * thick[0]
                                                or b0 - a1 > FRAGMENT_GAP * thin[0]):
                continue
            t0, t1 = _extent(mask, thin[1], down)
            k0, k1 = _extent(mask, thick[1], down)
            slack = FRAGMENT_GAP * thin[0]
            within = t0 >= k0 - slack and t1 <= k1 + slack
            if within or (hairline and min(t1, k1) > max(t0, k0)):
                out[k:k + 2] = [(a0, b1)]
                changed = True
                break
    return out


def _cut(mask: np.ndarray, down: bool, depth: int = 0, usual: float | None = None,
         pale: np.ndarray | None = None) -> list[Rect]:
    """Boxes (x0, y0, x1, y1 within `mask`) of the lines of writing, for writing that runs
    down the page (`down`) or across it. A band far thicker than the region's usual line
    (two lines joined by a title written down beside them, 所有者) is parted at gaps
    wide for a usual line, not for the band. `pale` (faint ink that goes on from the
    writing, `_with_faint`) fills a line's gaps and ends along its length: a character
    or two gone pale do not part a line, nor are they cut off its end; across the line
    it counts for nothing, so it never joins two lines."""
    along = 0 if down else 1  # the axis a line runs along: columns of a mask for `down`
    lines = _mend_lines(mask, _runs(mask.any(axis=along), LINE_GAP), down)
    if usual is None and lines:
        usual = float(np.median([a1 - a0 for a0, a1 in lines]))
    boxes: list[Rect] = []
    for a0, a1 in lines:
        band = mask[:, a0:a1] if down else mask[a0:a1, :]
        faint = None if pale is None else (pale[:, a0:a1] if down else pale[a0:a1, :])
        lengthwise = band.any(axis=1 - along)
        if faint is not None:
            lengthwise = lengthwise | faint.any(axis=1 - along)
        thickness = min(a1 - a0, usual or a1 - a0)
        gap = max(MIN_WORD_GAP, int(WORD_GAP * thickness))
        for b0, b1 in _runs(lengthwise, gap):
            part = band[b0:b1, :] if down else band[:, b0:b1]
            if not part.any():  # a character gone pale, standing apart in the line
                assert faint is not None
                part = faint[b0:b1, :] if down else faint[:, b0:b1]
                if b1 - b0 < PALE_LENGTH * thickness or not part.any():
                    continue
            box = (a0, b0, a1, b1) if down else (b0, a0, b1, a1)
            inner = _runs(part.any(axis=along), LINE_GAP)
            if depth < DEPTH and len(inner) > 1:  # lines parted once the block stood alone
                inner_pale = None if faint is None else (faint[b0:b1, :] if down else faint[:, b0:b1])
                boxes += [(x0 + box[0], y0 + box[1], x1 + box[0], y1 + box[1])
                          for x0, y0, x1, y1 in _cut(part, down, depth + 1, usual, inner_pale)]
            else:
                ys, xs = np.nonzero(part)
                bx0, by0, bx1, by1 = int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
                if faint is not None:  # as far along as the pale ink goes, too
                    reach = np.flatnonzero(lengthwise[b0:b1])
                    if down:
                        by0, by1 = min(by0, int(reach[0])), max(by1, int(reach[-1]) + 1)
                    else:
                        bx0, bx1 = min(bx0, int(reach[0])), max(bx1, int(reach[-1]) + 1)
                boxes.append((box[0] + bx0, box[1] + by0, box[0] + bx1, box[1] + by1))
    return boxes


def _lineness(boxes: list[Rect], down: bool, character: float) -> float:
    """How much a cut's blocks look like lines running its way: the characters beyond the
    first each block holds, its length over its thickness (no thinner than a character:
    faded strokes or a lone 一 stood on end are no lines). Cut the wrong way, a column
    falls apart into single characters, which hold none."""
    total = 0.0
    for x0, y0, x1, y1 in boxes:
        along, across = (y1 - y0, x1 - x0) if down else (x1 - x0, y1 - y0)
        total += max(0.0, along / max(1.0, across, THIN * character) - ONE_CHARACTER)
    return total


def _headed(mask: np.ndarray) -> bool:
    """Whether the region's top is a short line of small print over what is written below
    it (a label printed in the corner of its cell): a thin band as long as two characters
    or more, clear of a much thicker band beneath. Then the writing below is read as
    it lies, not as one column with the label."""
    bands = _mend_lines(mask, _runs(mask.any(axis=1), LINE_GAP), False)
    if len(bands) < 2:
        return False
    (t0, t1), (b0, b1) = bands[0], (bands[1][0], bands[-1][1])
    top, below = t1 - t0, b1 - b0
    if not STROKE * below <= top <= HEADING * below or b0 - t1 < HEADING_GAP * top:
        return False  # too thick for a label over its value, or a flat stroke (一)
    columns = np.flatnonzero(mask[t0:t1].any(axis=0))
    return columns[-1] - columns[0] >= TWO_CHARACTERS * top


def _lines(mask: np.ndarray, cell: bool = True, pale: np.ndarray | None = None
           ) -> tuple[list[Rect], bool]:
    """The region's lines, cut across and down, whichever makes more of them look like
    lines (across on a tie: a single character, say). A character is about as large as
    the usual block cut across is long: a column's characters one by one (a flat 一 as
    wide as the rest), or a line, which then weighs little (cut down, a page's writing
    can run together into one block far thicker)."""
    across = _cut(mask, down=False, pale=pale)
    if cell and _headed(mask):  # a page's title over its columns is no corner label
        return across, False
    down = _cut(mask, down=True, pale=pale)
    if not across or not down:
        return across, False
    if len(down) == 1 and _stacked_lines(across):
        return across, False  # lines one under another, which no cut down parts
    character = float(np.median([max(x1 - x0, y1 - y0) for x0, y0, x1, y1 in across]))
    widths = [x1 - x0 for x0, _, x1, _ in down]
    if len(down) > 1 and all(y1 - y0 >= COLUMN * (x1 - x0) for x0, y0, x1, y1 in down):
        # Columns side by side, each at least two characters long: a character is about
        # as wide as they are, however thick their rows run together cut across.
        character = min(character, COLUMN * float(np.median(widths)))
    if _lineness(down, True, character) > _lineness(across, False, character):
        return down, True
    return across, False


def _stacked_lines(boxes: list[Rect]) -> bool:
    """Whether a cut across found two lines or more, each a few characters long: then
    the writing runs across, though the lines' length, taken for a character's size,
    makes each look short (stacked dates in a cell whose rules between rows wore away).
    Strips far thinner than the thickest line (a worn rule's trace) are not lines."""
    thickest = max(y1 - y0 for _, y0, _, y1 in boxes)
    lines = sorted((y0, y1) for x0, y0, x1, y1 in boxes
                   if y1 - y0 >= STACKED * thickest and x1 - x0 >= TWO_CHARACTERS * (y1 - y0))
    # Lines apart by a line's thickness at least: the halves of one line that a stroke
    # across it (a red strike, set to paper) parted stand closer.
    return len(lines) >= 2 and all(b0 - a1 >= min(a1 - a0, b1 - b0)
                                   for (a0, a1), (b0, b1) in pairwise(lines))


def _recut(mask: np.ndarray, boxes: list[Rect], down: bool, thick: float, depth: int = 0,
           pale: np.ndarray | None = None) -> list[Rect]:
    """Blocks far thicker than a line (on a page with no rules, or in a table whose rules
    are too faint to part its cells, a title across the top of columns written down, or
    a row of labels across them, runs them all together) cut again the other way, and
    so on: an X-Y cut that turns where one way finds no gap."""
    out: list[Rect] = []
    for box in boxes:
        bx0, by0, bx1, by1 = box
        if depth >= DEPTH or min(bx1 - bx0, by1 - by0) <= thick:
            out.append(box)
            continue
        turned = not down
        inside = None if pale is None else pale[by0:by1, bx0:bx1]
        parts = [(x0 + bx0, y0 + by0, x1 + bx0, y1 + by0)
                 for x0, y0, x1, y1 in _cut(mask[by0:by1, bx0:bx1], turned, pale=inside)]
        if len(parts) <= 1:
            out.append(box)
            continue
        out += _recut(mask, parts, turned, thick, depth + 1, pale)
    return out


def _around(height: int, width: int, hole: Rect | None) -> list[tuple[slice, slice]]:
    """An area (rows, columns) less a hole in it, as the strips above, below, left and
    right of the hole; the whole area when there is none."""
    if hole is None:
        return [(slice(0, height), slice(0, width))]
    hx0, hy0 = min(max(0, hole[0]), width), min(max(0, hole[1]), height)
    hx1, hy1 = min(max(hx0, hole[2]), width), min(max(hy0, hole[3]), height)
    strips = [(slice(0, hy0), slice(0, width)), (slice(hy1, height), slice(0, width)),
              (slice(hy0, hy1), slice(0, hx0)), (slice(hy0, hy1), slice(hx1, width))]
    return [(ys, xs) for ys, xs in strips if ys.stop > ys.start and xs.stop > xs.start]


def _with_faint(writing: np.ndarray, faint: np.ndarray, reach: int) -> np.ndarray:
    """The writing with the faint ink that goes on from it: each piece of `faint` (ink
    lighter than the page's ink level, darker than its paper) holding no writing that
    comes within `reach` of the writing, whole, and so on from what it added. A brush
    running dry leaves a character or two of a line pale; at the ink level they fall to
    dust, the line parts at them and each part is read short. Faint specks far from any
    writing (a stain, the paper's grain) stay out."""
    count, pieces, stats, _ = cv2.connectedComponentsWithStats(faint.view(np.uint8),
                                                                connectivity=8)
    if count <= 1:
        return writing
    holds_writing = np.zeros(count, bool)
    holds_writing[pieces[writing]] = True
    pale = np.flatnonzero(~holds_writing & (stats[:, cv2.CC_STAT_AREA] >= PALE_SPECK))
    pale = pale[pale > 0]
    height, width = writing.shape
    # Each pale piece's box grown by `reach`, clipped to the region: the writing in it is
    # counted off the writing's integral image, for every piece at once.
    x0 = np.maximum(0, stats[pale, cv2.CC_STAT_LEFT] - reach)
    y0 = np.maximum(0, stats[pale, cv2.CC_STAT_TOP] - reach)
    x1 = np.minimum(width, stats[pale, cv2.CC_STAT_LEFT] + stats[pale, cv2.CC_STAT_WIDTH] + reach)
    y1 = np.minimum(height, stats[pale, cv2.CC_STAT_TOP] + stats[pale, cv2.CC_STAT_HEIGHT] + reach)
    out = writing
    for _ in range(FAINT_STEPS):
        if not len(pale):
            break
        total = cv2.integral(out.view(np.uint8))
        near = (total[y1, x1] - total[y0, x1] - total[y1, x0] + total[y0, x0]) > 0
        if not near.any():
            break
        joined = np.zeros(count, bool)
        joined[pale[near]] = True
        out = out | joined[pieces]
        pale, x0, y0, x1, y1 = (a[~near] for a in (pale, x0, y0, x1, y1))
    return out


def find_blocks(ink: np.ndarray, rules: np.ndarray, level: int, rect: Rect,
                outside: Rect | None = None, region: np.ndarray | None = None,
                faint: int | None = None) -> list[Block]:
    """The text blocks inside `rect` of a prepared page (rules removed), only within
    `region` (a mask the size of `rect`) if given, and leaving out the area `outside`
    (the table, when reading what surrounds it: only the margins around it are looked
    at for ink, not the whole page). With `faint` (a grey between the ink level and the
    paper), pale ink that goes on from the writing fills its lines' gaps and ends
    (`_with_faint`, `_cut`)."""
    x0, y0, x1, y1 = rect
    clean = np.zeros((y1 - y0, x1 - x0), bool)
    pale = np.zeros_like(clean) if faint is not None else None
    hole = None if outside is None else (outside[0] - x0, outside[1] - y0,
                                         outside[2] - x0, outside[3] - y0)
    sides, pieces, kept_ink = [], 0, 0
    for rows, columns in _around(y1 - y0, x1 - x0, hole):
        ys, xs = slice(rows.start + y0, rows.stop + y0), slice(columns.start + x0, columns.stop + x0)
        mask = (ink[ys, xs] < level) & ~rules[ys, xs]
        if region is not None:
            mask &= region[rows, columns]
        if np.count_nonzero(mask) < (MIN_INK if hole is None else MIN_SPECK):
            continue  # an empty cell, the commonest kind
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.view(np.uint8),
                                                                    connectivity=8)
        keep = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] >= MIN_SPECK)
        keep = keep[keep > 0]
        side = np.maximum(stats[keep, cv2.CC_STAT_WIDTH], stats[keep, cv2.CC_STAT_HEIGHT])
        if len(keep) == count - 1:  # no dust
            clean[rows, columns] = mask
        else:
            kept = np.zeros(count, bool)
            kept[keep] = True
            clean[rows, columns] = kept[labels]
        if faint is not None and keep.size:
            light = (ink[ys, xs] < faint) & ~rules[ys, xs]
            if region is not None:
                light &= region[rows, columns]
            pale[rows, columns] = _with_faint(clean[rows, columns], light,
                                              max(MIN_REACH, int(REACH * np.median(side))))
        sides.append(side)
        pieces += len(keep)
        kept_ink += int(stats[keep, cv2.CC_STAT_AREA].sum())
    if kept_ink < MIN_INK:
        return []
    boxes, down = _lines(clean, cell=region is not None, pale=pale)
    if region is None or pieces >= MANY_PIECES:  # a page's writing, not one value's
        boxes = _recut(clean, boxes, down, SEVERAL_LINES * float(np.median(np.concatenate(sides))),
                       pale=pale)
    blocks = []
    for bx0, by0, bx1, by1 in boxes:
        w, h = bx1 - bx0, by1 - by0
        if w * h < MIN_INK:
            continue
        blocks.append(Block.shaped((bx0 + x0, by0 + y0, bx1 + x0, by1 + y0)))
    return blocks
