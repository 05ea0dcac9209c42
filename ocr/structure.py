"""Reading a form no template describes: cells from its rules, meaning from its labels.

Every block of writing on the page is recognised in one batch. Blocks that read as a
printed label (`ocr.labels`) name the values they stand by, and a value finds its label
where printings put them: in its own cell (a small label in a corner, or the label read
on the same line), in the cell to its left or right on its row (a row label, as the
vertical colonial tables have, read right to left), or at the head of its column above
it. A label whose cells line up with the value's wins over one that only borders it (the
沿革 down the side of a table is a section title, not the label of each row). A page
with no rules is read the same way with each block standing for a cell.

What comes out is one `CellReading` per value with the label's `key`; which row of
the owner table a value belongs to, and what an unlabelled value is, is decided from
the values themselves (`translit.assemble`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np

from ocr import labels
from ocr.blocks import VERTICAL, Block, find_blocks
from ocr.cells import (
    CellReading,
    aspect_of,
    crop_for,
    ink_level,
    paper_level,
    quad_on_scan,
    struck,
)
from ocr.engine import OcrEngine
from ocr.layout import Grid
from ocr.preprocess import Prepared
from ocr.table import Rect, aligned, gap, neighbours, shared, table_of, thin_dark, union
from translit import content
from translit.numerals import NUMERAL_CHARS

DIRECTIONS = ("left", "up", "right")  # where a value's label is looked for, in this order
MIN_CELLS = 4  # fewer regions than this is no table: read the page as loose blocks
LOOSE_LABEL = "label not in line with the value"
CORNER = 0.3  # a label centred within this share of a cell's sides is in its corner
LOOSE_REACH = 4  # on a page with no rules a label stands within this many line widths
SAMPLE = 12  # blocks read more than one way to tell which way up the page is
SURER = 0.5  # a sample read this much surer (summed confidence) one way is read right
MIN_GLYPH = 12  # blocks thinner than this (a rule's remnant, a dash) tell nothing
PIECES = 3  # a cell holding this many blocks or more…
THIN_PIECE = 0.8  # …each thinner than this share of a character…
ONE_LINE = 1.5  # …and together no thicker than this many, holds one line cut to pieces
PIECE_GAP = 0.5  # a piece this close beside a line (for its thickness), within its length, is of it
STRIP = 0.45  # a block thinner than this share of a character, by another, is part of it
SPAN = 2.5  # a label's cell up to this much longer than a loose value beside it is its own
IN_LINE = 0.6  # …when this share of the shorter of the two lies beside the other
CUT_WIDTHS = 0.6  # pieces of a character cut through: each this share of the others' width…
CUT_GAP = 0.15  # …this close to them (a share of its width)…
CUT_SQUARE = 1.4  # …and together about square: neither side longer than this many of the other
MAX_BLOCKS = 400  # more blocks than any card holds is noise (a photo, a smudge): the largest
PIECE_STEP = 1.5  # pieces of a cell's line parted by up to this many line thicknesses…
FADED_STEP = 2.5  # …or this many, where faint ink (a character faded) spans the gap…
FADED_SHARE = 0.3  # …over this share of its length (a worn rule's trace spans none of it)…
PIECE_THICK = 1.5  # …none thicker than this many of the line (else it runs the other way)…
WHOLE_DATE = re.compile(r".+年.+月.+日")  # a piece read as a whole date ends its line: a cause follows
SURE_ENOUGH = 0.1  # …are read whole when the whole reads no less surely than this below them
READ_SURELY = 0.8  # …and holds at least the characters of the pieces read this surely


@dataclass(frozen=True)
class Item:
    """One recognised block: what it says, whether it is a label, where it stands."""

    text: str
    confidence: float
    block: Block
    unit: int | None  # its cell (ruled page) or its own index (page without rules)
    label: labels.Label | None = None


@dataclass(frozen=True)
class Structure:
    """A page read by its labels: the values with their keys, the labels found (how
    well the page was understood), the title, and whether a ruled table was found."""

    values: list[CellReading]
    labels: list[str]
    title: str | None
    ruled: bool
    others: list[CellReading] = field(default_factory=list)  # writing outside the table

    @property
    def score(self) -> int:
        """How many field labels were read: the measure of a right-way-up page."""
        return sum(1 for word in self.labels if labels.VOCABULARY[word] not in ("title",))


def _recognise(prepared: Prepared, found: list[tuple[int | None, Block]],
               engine: OcrEngine) -> list[Item]:
    crops = [crop_for(prepared.ink, b.box, b.vertical) for _, b in found]
    results = engine.recognize(crops) if crops else []
    items: list[Item] = []
    for (unit, block), (text, conf) in zip(found, results, strict=True):
        label = labels.match(text)
        if label is None:
            several = labels.split_labels(text)
            if several is not None:  # labels of cells whose rules wore away, read as one
                items += [Item(word.word, conf, part, unit, word)
                          for word, part in zip(several, _cut_along(block, several), strict=True)]
                continue
            label, rest = labels.strip_label(text)
            if label is not None:  # label and value read as one line: keep both
                items.append(Item(label.word, conf, block, unit, label))
                text = rest
                label = None
        items.append(Item(text, conf, block, unit, label))
    return items


def _cut_along(block: Block, words: list[labels.Label]) -> list[Block]:
    """A block of several labels cut along its line in proportion to their lengths."""
    x0, y0, x1, y1 = block.box
    start, end = (y0, y1) if block.vertical else (x0, x1)
    total = sum(len(w.word) for w in words)
    parts, done = [], 0
    for w in words:
        a = start + (end - start) * done // total
        done += len(w.word)
        b = start + (end - start) * done // total
        parts.append(Block((x0, a, x1, b) if block.vertical else (a, y0, b, y1), block.vertical))
    return parts


@dataclass(frozen=True)
class Layout:
    """Where the writing is: the units (cells, or the blocks themselves when the page has
    no table), every block with its unit (None: outside the table), and whether ruled.
    Units from `cells` on are blocks that no cell held (where worn rules enclosed none)."""

    units: list[Rect]
    found: list[tuple[int | None, Block]]
    ruled: bool
    cells: int = 0
    pale: int = 255  # the grey between the page's ink and its paper that pale ink is darker than


def find_layout(prepared: Prepared, grid: Grid) -> Layout:
    """The cells of the page's table and the blocks of writing in and around them."""
    ink = prepared.ink
    level = ink_level(ink)
    # Rules printed pale and thin fall partly above the reader's ink level: they are
    # looked for halfway between it and the paper, and so is writing gone pale.
    pale = (level + paper_level(ink)) // 2
    rules, cells, regions = table_of(grid, (ink < pale) | thin_dark(ink, prepared.red))
    h, w = ink.shape
    if len(cells) >= MIN_CELLS:
        held = [find_blocks(ink, rules, level, rect, region=region, faint=pale)
                for rect, region in zip(cells, regions, strict=True)]
        size = _character([b for blocks in held for b in blocks])
        found: list[tuple[int | None, Block]] = [
            (i, b) for i, blocks in enumerate(held) for b in _strips_joined(blocks, size)]
        table = (min(c[0] for c in cells), min(c[1] for c in cells),
                 max(c[2] for c in cells), max(c[3] for c in cells))
        units = list(cells)
        for b in _between_cells(ink, rules, level, table, cells, regions):
            units.append(b.box)  # writing where faint rules enclosed no cell: its own unit
            found.append((len(units) - 1, b))
        found += [(None, b) for b in find_blocks(ink, rules, level, (0, 0, w, h), table,
                                                 faint=pale)]
        return Layout(units, found, True, len(cells), pale)
    loose = find_blocks(ink, rules, level, (0, 0, w, h), faint=pale)
    return Layout([b.box for b in loose], [(i, b) for i, b in enumerate(loose)], False, pale=pale)


def _between_cells(ink: np.ndarray, rules: np.ndarray, level: int, table: Rect,
                   cells: list[Rect], regions: list[np.ndarray]) -> list[Block]:
    """Writing inside the table that no cell holds: labels in a row whose faint or worn
    rules enclosed no region of their own."""
    x0, y0, x1, y1 = table
    covered = np.zeros((y1 - y0, x1 - x0), bool)
    for (cx0, cy0, cx1, cy1), region in zip(cells, regions, strict=True):
        covered[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0] |= region
    return [b for b in find_blocks(ink, rules, level, table, region=~covered)
            if min(b.box[2] - b.box[0], b.box[3] - b.box[1]) >= MIN_GLYPH]


def _character(blocks: list[Block]) -> float:
    """The page's usual character size: how thick its usual line of writing is."""
    sides = [min(b.box[2] - b.box[0], b.box[3] - b.box[1]) for b in blocks]
    sides = [side for side in sides if side >= MIN_GLYPH]
    return float(np.median(sides)) if sides else 0.0


def _strips_joined(blocks: list[Block], character: float) -> list[Block]:
    """A cell's blocks with the thin strips a line was cut into joined back to the line
    beside them: a column whose characters happen to share a white gap (a brush hand,
    a seal over a name) falls apart into strips that read as noise. A line so mended
    also takes in the rest of itself, cut off at a gap no wider than a character's.
    A cell holding only pieces thinner than a character that together are one line
    thick (a name whose characters were all cut through at one white row) is one line."""
    if len(blocks) >= PIECES and all(
            min(b.box[2] - b.box[0], b.box[3] - b.box[1]) < THIN_PIECE * character
            for b in blocks):
        whole = union([b.box for b in blocks])
        if min(whole[2] - whole[0], whole[3] - whole[1]) <= ONE_LINE * character:
            return [Block.shaped(whole)]
    out = list(blocks)
    mended: set[int] = set()
    while len(out) > 1:
        group = (_strip_pair(out, character) or _cut_through(out)
                 or _in_line_pair(out, mended, character))
        if group is None:
            break
        out = [c for c in out if all(c is not g for g in group)]
        out.append(Block.shaped(union([g.box for g in group])))
        mended.add(id(out[-1]))
    return out


def _strip_pair(blocks: list[Block], character: float) -> tuple[Block, Block] | None:
    """A strip standing up, thinner than a character's share, and the nearest block it
    touches (a column cut into slivers at a white gap its characters share); or a
    piece beside a line, thinner than it, lying within its length and close (the right
    halves of a column's characters, cut off at a white gap they share)."""
    for strip in blocks:
        x0, y0, x1, y1 = strip.box
        if x1 - x0 >= STRIP * character or y1 - y0 <= x1 - x0:
            continue  # only a sliver standing up: one lying over a line is its label
        near = [b for b in blocks if b is not strip and gap(b.box, strip.box) <= STRIP * character]
        if near:
            return strip, min(near, key=lambda b: gap(b.box, strip.box))
    for line in blocks:
        for piece in blocks:
            if piece is not line and line.vertical and _beside(piece.box, line.box):
                return piece, line
    return None


def _cut_through(blocks: list[Block]) -> tuple[Block, ...] | None:
    """The pieces of one character of a line written across, one over the other: a white
    row (a fold, a scratch, a brush's dry stroke) cut it through. Each is about as wide
    as the rest, a hairline off them, and together they are about as tall as wide, as a
    character is: two lines one over the other are far wider than tall, and a label
    printed over its value is narrower than the value and stands further off."""
    for start in blocks:
        if start.vertical:
            continue
        chain, whole = [start], start.box
        grown = True
        while grown:
            grown = False
            for b in blocks:
                if b.vertical or any(b is c for c in chain):
                    continue
                narrow, wide = sorted((b.box[2] - b.box[0], whole[2] - whole[0]))
                if (narrow >= CUT_WIDTHS * wide
                        and shared(b.box[0], b.box[2], whole[0], whole[2]) >= CUT_WIDTHS
                        and gap(b.box, whole) <= CUT_GAP * narrow):
                    chain.append(b)
                    whole = union([whole, b.box])
                    grown = True
        w, h = whole[2] - whole[0], whole[3] - whole[1]
        if len(chain) > 1 and h <= CUT_SQUARE * w and w <= CUT_SQUARE * h:
            return tuple(chain)
    return None


def _beside(piece: Rect, column: Rect) -> bool:
    """Whether `piece` stands beside a column of writing, within its length, thinner and
    close. (Only columns: what stands close over or under a line is its label.)"""
    thick = column[2] - column[0]
    slack = STRIP * thick
    return (column[1] - slack <= piece[1] and piece[3] <= column[3] + slack
            and piece[2] - piece[0] < thick and column[3] - column[1] > 2 * thick
            and gap(piece, column) <= PIECE_GAP * thick)


def _in_line_pair(blocks: list[Block], mended: set[int], character: float
                  ) -> tuple[Block, Block] | None:
    """A mended line and a block that goes on along it past a gap under a character."""
    for line in blocks:
        if id(line) not in mended:
            continue
        down = line.vertical
        for other in blocks:
            if other is line:
                continue
            axis = 0 if down else 1  # across a column its x-span, across a line its y-span
            share = shared(line.box[axis], line.box[axis + 2], other.box[axis], other.box[axis + 2])
            if share >= 0.5 and gap(line.box, other.box) < character:
                return line, other
    return None


def label_sample(layout: Layout) -> list[Block]:
    """The page's smallest blocks of writing: printed labels, mostly."""
    return sorted((b for _, b in layout.found
                   if min(b.box[2] - b.box[0], b.box[3] - b.box[1]) >= MIN_GLYPH),
                  key=lambda b: max(b.box[2] - b.box[0], b.box[3] - b.box[1]))[:SAMPLE]


class Sampled(NamedTuple):
    """A sample read with the page turned one way: how many blocks read as labels, how
    many of those lie across, and how sure the recogniser was of all it read."""

    labels: int
    lying: int
    sure: float

    def beats(self, other: Sampled) -> bool:
        """More labels wins; then, clearly more sure (crops that are the same either way
        read alike, so only writing that differs moves the sum); then labels lying across."""
        if self.labels != other.labels:
            return self.labels > other.labels
        if abs(self.sure - other.sure) > SURER:
            return self.sure > other.sure
        return self.lying > other.lying


def sample_hits(prepared: Prepared, sample: list[Block], turns: int,
                engine: OcrEngine) -> Sampled:
    """How the sample's blocks read with the page turned `turns` quarters clockwise (a
    block standing up turned to be read as a column is): the measure of which way up
    the page is.

    The recogniser reads a line upright and a column turned a quarter, so a page turned
    a quarter the wrong way still reads one kind of its writing (its lines, or its
    columns) exactly as the right way does, and only the other kind tells them apart:
    upright it reads, and surely, turned it does not. When nothing tells (all the
    sample's writing runs one way), labels lying across win: a short label is printed
    across more often than down. Only a sample is read, so a page fed sideways costs
    little more than one fed right."""
    crops, lying = [], []
    for block in sample:
        crop = np.rot90(crop_for(prepared.ink, block.box, False), -turns)
        standing = crop.shape[0] > VERTICAL * crop.shape[1]
        lying.append(not standing)
        crops.append(np.ascontiguousarray(np.rot90(crop) if standing else crop))
    results = engine.recognize(crops)
    read = [labels.match(text) is not None for text, _ in results]
    return Sampled(sum(read), sum(hit for hit, flat in zip(read, lying, strict=True) if flat),
                   sum(conf for text, conf in results if text.strip()))


def _within(label: Rect, value: Rect, across: bool) -> bool:
    """Whether a label and a value written loose (blocks of a cell that held several, its
    rules worn) stand in one row (`across`) or column: mostly side by side, the label
    no more than a little longer (a tall section title beside many rows is no row's
    label)."""
    (l0, l1), (v0, v1) = ((label[1], label[3]), (value[1], value[3])) if across else \
        ((label[0], label[2]), (value[0], value[2]))
    return shared(l0, l1, v0, v1) >= IN_LINE and l1 - l0 <= SPAN * (v1 - v0)


def _written_beside(units: list[Rect], by_unit: dict[int, list[Item]], unit: int,
                    direction: str, labelled: bool) -> bool:
    """Whether right beside a loose block on its line stands a label (`labelled`) or a
    value: a row label and its value, which no column heading above reaches past."""
    x0, y0, x1, y1 = units[unit]
    j = next(neighbours(units, unit, direction), None)
    if j is None or gap(units[unit], units[j]) > LOOSE_REACH * min(x1 - x0, y1 - y0):
        return False
    items = by_unit.get(j, [])
    return bool(items) and all((it.label is not None) == labelled for it in items)


def _heading_over(units: list[Rect], by_unit: dict[int, list[Item]], near: list[int],
                  first: int, ink: Rect) -> int:
    """Of the headings in one row above a value, the one over its writing, or, over none
    of it (a short value in a wide cell), the one nearest it along the row."""
    row = [k for k in near if shared(units[k][1], units[k][3], units[first][1],
                                     units[first][3]) >= IN_LINE
           and by_unit.get(k) and all(it.label for it in by_unit[k])]
    middle = (ink[0] + ink[2]) / 2
    return max(row, key=lambda k: (shared(units[k][0], units[k][2], ink[0], ink[2]),
                                   -abs((units[k][0] + units[k][2]) / 2 - middle)))


def _blank(units: list[Rect], index: int, label: int, passed: list[int], across: bool) -> int:
    """The bare paper between a value and a label, the written cells passed on the way
    not counted: a row goes on through its values to its row label, while a heading
    of another table stands across empty space."""
    axis = 0 if across else 1
    filled = sum(units[k][axis + 2] - units[k][axis] for k in passed)
    return max(0, gap(units[index], units[label]) - filled)


def _in_corner(box: Rect, cell: Rect) -> bool:
    """Whether a label is printed in a corner of its cell (one that labels the value
    written beside it) rather than filling it as a heading does."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    w, h = cell[2] - cell[0], cell[3] - cell[1]
    fx, fy = (cx - cell[0]) / max(1, w), (cy - cell[1]) / max(1, h)
    return min(fx, 1 - fx) < CORNER and min(fy, 1 - fy) < CORNER


Rival = tuple[str, str, str, bool]  # a label a value could also have: word, key, relation, in line


def _label_for(units: list[Rect], index: int, by_unit: dict[int, list[Item]], loose: bool,
               blocks: frozenset[int] = frozenset(), ink: Rect | None = None,
               cornered: dict[int, frozenset[int]] | None = None
               ) -> tuple[labels.Label | None, str | None, str | None, bool, tuple[Rival, ...]]:
    """The label of the value(s) in unit `index`, how it stands to them, the section, and
    whether the label's cell lines up with the value's (else it only stands near it).
    A label whose cell lines up with the value's wins, then one that is a block of a
    parted cell (in `blocks`) standing in the value's row or column, then the nearest
    (of those only near, the one across the least bare paper).
    On a page with no rules (`loose`) a label stands right beside its value, or heads a
    column of values written close one under another; no further. The other labels
    found are its rivals, for the content to choose from when it contradicts. `ink`:
    where the value is written in its cell, which picks its heading when the cell runs
    under several (a rule between two columns worn away). `cornered`: labels printed in
    a corner of a parted cell, with the units of their cell; another cell's value passes
    them by (in a printing that labels every cell in its corner, the label of the cell
    above is no heading of the owner table below)."""
    own = [it.label for it in by_unit.get(index, []) if it.label and it.label.key != "title"]
    if own:
        return own[0], "same", None, True, ()
    candidates = []
    section = None
    for order, direction in enumerate(DIRECTIONS):
        passed: list[int] = []  # the written cells on the way to a label
        near = list(neighbours(units, index, direction))
        for steps, j in enumerate(near):
            if loose and ((steps > 0 and direction != "up") or gap(
                    units[passed[-1] if passed else index], units[j]) > LOOSE_REACH * min(
                    units[index][2] - units[index][0], units[index][3] - units[index][1])):
                break
            items = by_unit.get(j, [])
            found = [it.label for it in items if it.label and it.label.key != "title"]
            if loose and not found and _written_beside(units, by_unit, j, "left", labelled=True):
                break  # a value with a row label of its own: no column runs through it
            if found and all(_in_corner(it.block.box, units[j]) for it in items):
                continue  # an empty cell of a printing that labels every cell in its corner
            if found and cornered and j in cornered and index not in cornered[j]:
                continue  # the same, its cell parted into blocks where its rules wore away
            if found:
                if any(it.label is None for it in items):  # a labelled value: not a heading
                    break
                if loose and passed and _written_beside(units, by_unit, j, "right", labelled=False):
                    break  # the label of the value beside it, not a column's heading
                across = direction != "up"
                if not across and ink is not None:
                    j = _heading_over(units, by_unit, near, j, ink)
                    found = [it.label for it in by_unit[j] if it.label]
                # How well it lines up: cell to cell, block in line, or only near.
                parted = {index, j} & blocks  # ink boxes: in line at best, never aligned
                rank = 0 if not parted and aligned(units[index], units[j], across) else 1 if (
                    parted and _within(units[j], units[index], across)) else 2
                label = found[0]
                # 所有者 heads the owners' name column when over it, in line; beside the
                # values, or only near, it is the owner table's title.
                if label.key == "section" or (label.word == "所有者" and (
                        rank == 2 or direction != "up")):
                    section = section or ("events" if label.word == "沿革" else "owners")
                else:
                    # Of labels only near in a table, the one across the least bare
                    # paper; with no rules, the one the value follows (left, then up).
                    nearness = steps if rank < 2 or loose else \
                        _blank(units, index, j, passed, across)
                    candidates.append((rank, nearness, order, label, direction))
                break
            passed.append(j)
    if not candidates:
        return None, None, section, False, ()
    candidates.sort(key=lambda c: c[:3])
    rank, _, _, label, direction = candidates[0]
    rivals = tuple((c[3].word, c[3].key, c[4], c[0] < 2) for c in candidates[1:])
    return label, direction, section, rank < 2, rivals


def read_structure(prepared: Prepared, layout: Layout, engine: OcrEngine) -> Structure:
    """Every block of writing on the page, recognised, each value keyed by its label."""
    units, found, ruled = layout.units, layout.found, layout.ruled
    if len(found) > MAX_BLOCKS:
        found = sorted(found, key=lambda ub: -(ub[1].box[2] - ub[1].box[0]) *
                       (ub[1].box[3] - ub[1].box[1]))[:MAX_BLOCKS]
    items = _recognise(prepared, found, engine)
    if ruled:
        items = _lines_rejoined(prepared, items, engine, layout.pale)
        units, items, blocks, cornered = _split_crowded(units, items, layout.cells)
    else:
        units, items = _loose_lines_rejoined(prepared, units, items, engine, layout.pale)
        blocks, cornered = frozenset(), {}
    by_unit: dict[int, list[Item]] = {}
    for it in items:
        if it.unit is not None:
            by_unit.setdefault(it.unit, []).append(it)
    words = [it.label.word for it in items if it.label]
    titles = [it.label.word for it in items if it.label and it.label.key == "title"]
    values, others = [], []
    keyed: dict[int, tuple[labels.Label | None, str | None, str | None, bool,
                           tuple[Rival, ...]]] = {}
    for it in items:
        if it.label is not None or not it.text.strip():
            continue
        reading = _reading(prepared, it)
        if it.unit is None:
            others.append(reading)
            continue
        if it.unit not in keyed:
            keyed[it.unit] = _label_for(units, it.unit, by_unit, not ruled, blocks,
                                        it.block.box, cornered)
        label, relation, section, exact, rivals = keyed[it.unit]
        area = units[it.unit]
        if relation == "same":
            area = _beside_label(area, it.block.box, [o.block.box for o in by_unit[it.unit]
                                                      if o.label is not None])
        values.append(replace(reading, key=label.key if label else None,
                              label=label.word if label else None, relation=relation,
                              area=area, section=section,
                              doubts=(LOOSE_LABEL,) if label and not exact else (),
                              rivals=rivals))
    return Structure(values, words, titles[0] if titles else None, ruled, others)


def _thickness(block: Block, down: bool) -> int:
    x0, y0, x1, y1 = block.box
    return x1 - x0 if down else y1 - y0


def _one_line(a: Block, b: Block, thick: int, down: bool, faded: np.ndarray) -> bool:
    """Whether `b` goes on from `a` along one line `thick` thick written `down` or across:
    no thicker than the line (a digit or a single character may look either way), most
    of the thinner lying beside the other, and `b` after `a` past a gap of at most
    PIECE_STEP thicknesses (the wide pitch of 1 9 4), or FADED_STEP where the `faded`
    ink (a mask of the page) spans the gap: a character gone too pale to read, even in a
    line written small. Two values side by side in one cell (its rule worn away) have
    bare paper between them."""
    (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = a.box, b.box
    if _thickness(b, down) > PIECE_THICK * thick:
        return False  # a line running the other way
    if down:
        across, start, end = shared(ax0, ax1, bx0, bx1), ay1, by0
    else:
        across, start, end = shared(ay0, ay1, by0, by1), ax1, bx0
    step = PIECE_STEP * max(thick, _thickness(b, down))
    if across < IN_LINE or end < start:
        return False
    if end - start <= step:
        return True
    if end - start > step * FADED_STEP / PIECE_STEP:
        return False
    if down:
        gap = faded[start:end, max(ax0, bx0):min(ax1, bx1)].any(axis=1)
    else:
        gap = faded[max(ay0, by0):min(ay1, by1), start:end].any(axis=0)
    return gap.size > 0 and gap.mean() >= FADED_SHARE


def _number_ends(before: Item, label: Item) -> bool:
    """A lot's label read straight after a number on its line is that number's end: the
    番地 of an address (五十一番地), never a label, which stands before its value."""
    return label.label is not None and label.label.key == "lot" \
        and before.text.strip()[-1:] in NUMERAL_CHARS


def _opens_value(label: Item, after: Item) -> bool:
    """A label whose line goes on into a value that, read with it, is a word of a field:
    the value's head, not a label. Matched only roughly (所有 of a faded 所有權移轉, read
    as 所有者 one edit off), the two need only likely be a word; read exactly (地目 of the
    event 地目變換), they must surely be one. A label printed before its value stays one."""
    if label.label is None:
        return False
    exact = labels.normalise(label.text) == label.label.word
    whole = content.best(label.text + after.text)[1]
    return whole >= (content.SURE if exact else content.LIKELY) \
        and whole > content.best(after.text)[1]


def _spelled(run: list[Item]) -> bool:
    """A word written a character at a time, each standing apart (賣, 買)."""
    return all(len(it.text.strip()) == 1 for it in run)


def _date_or_word(run: list[Item]) -> bool:
    """Pieces that are a date's (年 and 月 among them) or a word's: one by one, or
    together a word of the events' or the 지목's closed lists (地目 變換)."""
    joined = "".join(it.text for it in run)
    return _spelled(run) or all(mark in joined for mark in "年月") or _sure_word(joined)


def _sure_word(text: str) -> bool:
    """Whether a text is surely a word of a closed list (an event, a 지목)."""
    found = content.kinds(text)
    return max(found.get("cause", 0.0), found.get("category", 0.0)) >= content.SURE


def _lines_rejoined(prepared: Prepared, items: list[Item], engine: OcrEngine, pale: int,
                    dates_only: bool = False) -> list[Item]:
    """A cell's line cut into pieces (a character or two gone pale between them, digits
    spaced at a character's pitch), each read short, read again whole: the pieces of
    one line, with no label between them, are read as one crop, and that reading
    replaces them when it holds at least what the pieces read surely held, about as
    surely (a seal's frame through a character leaves shards read as nonsense). Cut
    apart, each piece would be a value of its own in a row of its own. The line runs
    the way the cell's longest piece does. `dates_only`: only the pieces of a date, or
    of a word read a character at a time, are read whole (on a page with no rules,
    where two values of a row may stand as close as the pieces of one)."""
    by_unit: dict[int, list[Item]] = {}
    for it in items:
        if it.unit is not None:
            by_unit.setdefault(it.unit, []).append(it)
    faded = prepared.ink < pale  # the layout's own level: faint ink is darker
    runs: list[tuple[list[Item], bool]] = []
    for mine in by_unit.values():
        plain = [it for it in mine if it.label is None]
        if not plain or len(mine) < 2:
            continue
        longest = max(plain, key=lambda it: max(it.block.box[2] - it.block.box[0],
                                                it.block.box[3] - it.block.box[1]))
        down = longest.block.vertical
        mine.sort(key=lambda it: it.block.box[1] if down else it.block.box[0])
        for k, it in enumerate(mine):
            if it.label is None:
                continue
            after = next((o for o in mine[k + 1:] if o.label is None and _one_line(
                it.block, o.block, _thickness(it.block, down), down, faded)), None)
            if after is not None and _opens_value(it, after):
                mine[k] = replace(it, label=None)
                items = [mine[k] if o is it else o for o in items]
        open_runs: list[list[Item]] = []
        for it in mine:
            run = next((r for r in open_runs if not WHOLE_DATE.fullmatch(r[-1].text.strip())
                        and _one_line(r[-1].block, it.block,
                                      max(_thickness(o.block, down) for o in r), down, faded)),
                       None)
            if it.label is not None and not (run and _number_ends(run[-1], it)):
                # a label between two pieces closes their line
                open_runs = [r for r in open_runs if r is not run]
                runs += [(r, down) for r in ([run] if run else []) if len(r) > 1]
            elif run is not None:
                run.append(it)
            else:
                open_runs.append([it])
        runs += [(r, down) for r in open_runs if len(r) > 1]
    if dates_only:
        runs = [(run, down) for run, down in runs if _date_or_word(run)]
    if not runs:
        return items
    wholes = [Block(union([it.block.box for it in run]), down) for run, down in runs]
    read = engine.recognize([crop_for(prepared.ink, b.box, b.vertical) for b in wholes])
    out = list(items)
    for (run, _), whole, (text, confidence) in zip(runs, wholes, read, strict=True):
        held = sum(len(it.text.strip()) for it in run if it.confidence >= READ_SURELY)
        # One character fewer than the pieces held stands when the whole reads more
        # surely than they did: a piece of a character read as one more (賣 as 賣貝).
        surer = confidence >= sum(it.confidence for it in run) / len(run)
        if labels.match(text) is not None or len(text.strip()) < held - surer \
                or confidence < min(it.confidence for it in run) - SURE_ENOUGH \
                or dates_only and not _spelled(run) and not WHOLE_DATE.fullmatch(text.strip()) \
                and not _sure_word(text):
            continue
        first = next(i for i, it in enumerate(out) if it is run[0])
        out = [it for it in out if not any(it is r for r in run)]
        out.insert(first, Item(text, confidence, whole, run[0].unit))
    return out


def _loose_lines_rejoined(prepared: Prepared, units: list[Rect], items: list[Item],
                          engine: OcrEngine, pale: int) -> tuple[list[Rect], list[Item]]:
    """On a page with no rules, a date cut into pieces (a hand spacing its characters
    wide: 大正六年四, 月二十二日) is read whole as in a cell (`_lines_rejoined`), the whole
    page taken for the cell: each block there is a unit of its own, and so is a date
    read whole, and so is a word read a character at a time (賣, 買) or in pieces that
    together are a word of a closed list (地目 變換, the first read as a label). Only these: two
    values of a row (a cause and a name) may stand as close as the pieces of one line,
    and read as one they are neither."""
    home = {}  # id of the item as offered → its own unit
    offered = []
    for it in items:
        one = replace(it, unit=0)
        home[id(one)] = it.unit
        offered.append(one)
    joined = _lines_rejoined(prepared, offered, engine, pale, dates_only=True)
    if len(joined) == len(items):
        return units, items
    units, out = list(units), []
    for it in joined:
        if id(it) in home:
            out.append(replace(it, unit=home[id(it)]))
        else:
            units.append(it.block.box)
            out.append(replace(it, unit=len(units) - 1))
    return units, out


def _split_crowded(cells: list[Rect], items: list[Item], enclosed: int
                   ) -> tuple[list[Rect], list[Item], frozenset[int], dict[int, frozenset[int]]]:
    """Units for pairing: a cell holding one value (and perhaps its label before it, in a
    corner or on its line) stays a unit; a cell holding more (two fields whose rule is
    worn away, a whole table whose rules are faint), a value followed by a label, or
    a region running around other cells, gives each of its blocks a unit of its own,
    its box, so that blocks in it are paired by where they stand, as on a page with
    no rules. Also returns which units are such blocks, with the blocks no rules held
    (units from `enclosed` on, the count of cells: a row label whose column's rules
    wore away), and the labels among them printed in a corner of their cell, each with
    the units of its cell: such a label names only what is written in its own cell (of
    a region running around others, its bounds are no cell's, nor its corners)."""
    held: dict[int, list[Item]] = {}
    for it in items:
        if it.unit is not None:
            held.setdefault(it.unit, []).append(it)
    units: list[Rect] = []
    moved: dict[int, int] = {}  # id(item) → its new unit
    parted: list[int] = []
    cornered: dict[int, frozenset[int]] = {}
    for index, cell in enumerate(cells):
        mine = held.get(index, [])
        if not mine:
            continue
        named = [it for it in mine if it.label is not None]
        plain = [it for it in mine if it.label is None]
        around = _encloses(cells, index)
        alone = len(named) <= 1 and len(plain) <= 1 and not around
        if index < enclosed and alone and not (
                named and plain and _follows(named[0].block.box, plain[0].block.box)):
            units.append(cell)
            for it in mine:
                moved[id(it)] = len(units) - 1
        else:
            start = len(units)
            for it in mine:
                units.append(it.block.box)
                moved[id(it)] = len(units) - 1
                parted.append(len(units) - 1)
            mates = frozenset(range(start, len(units)))
            if index < enclosed and not around:
                cornered |= {moved[id(it)]: mates for it in named
                             if _in_corner(it.block.box, cell)}
    return (units, [replace(it, unit=moved.get(id(it))) for it in items], frozenset(parted),
            cornered)


def _encloses(cells: list[Rect], index: int) -> bool:
    """Whether a cell's bounds hold another, smaller cell: a region that runs around
    others where a rule wore away, so what it holds is not one cell's label and value.
    The cell it runs around does not hold it in turn, though the region's middle may
    fall within it (a wide strip around the top of a row, its middle over the cell of
    所在地): that cell keeps its label and value together."""
    x0, y0, x1, y1 = cells[index]
    area = (x1 - x0) * (y1 - y0)
    return any(x0 < (c[0] + c[2]) / 2 < x1 and y0 < (c[1] + c[3]) / 2 < y1
               and (c[2] - c[0]) * (c[3] - c[1]) < area
               for j, c in enumerate(cells) if j != index)


def _follows(label: Rect, value: Rect) -> bool:
    """Whether a label stands after the value in its cell (to its right on its line, or
    below it): the label of the next cell, whose rule wore away, not of this value. A
    label above the value, in either corner, is its own."""
    return label[0] >= value[2] and label[3] > value[1] or label[1] >= value[3]


def _beside_label(cell: Rect, value: Rect, label_boxes: list[Rect]) -> Rect:
    """The part of a cell its value is written in, the corner its label is printed in
    cut off (so that a template of the printing reads the value without the label)."""
    x0, y0, x1, y1 = cell
    for lx0, ly0, lx1, ly1 in label_boxes:
        if ly1 <= value[1]:
            y0 = max(y0, ly1 + 1)
        elif ly0 >= value[3]:
            y1 = min(y1, ly0 - 1)
        elif lx1 <= value[0]:
            x0 = max(x0, lx1 + 1)
        elif lx0 >= value[2]:
            x1 = min(x1, lx0 - 1)
    return x0, y0, x1, y1


def _reading(prepared: Prepared, item: Item) -> CellReading:
    box = item.block.box
    return CellReading("", item.text, item.confidence, quad_on_scan(prepared, box),
                       item.block.vertical, struck(prepared.red, box, item.block.vertical),
                       aspect_of(box))

