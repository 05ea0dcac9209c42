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

from dataclasses import dataclass, field, replace

from ocr import labels
from ocr.blocks import Block, find_blocks
from ocr.cells import CellReading, aspect_of, crop_for, ink_level, quad_on_scan, struck
from ocr.engine import OcrEngine
from ocr.layout import Grid
from ocr.preprocess import Prepared
from ocr.table import Rect, aligned, find_cells, neighbours

DIRECTIONS = ("left", "up", "right")  # where a value's label is looked for, in this order
MIN_CELLS = 4  # fewer regions than this is no table: read the page as loose blocks
MAX_BLOCKS = 400  # more blocks than any card holds is noise (a photo, a smudge): read none


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
            label, rest = labels.strip_label(text)
            if label is not None:  # label and value read as one line: keep both
                items.append(Item(label.word, conf, block, unit, label))
                text = rest
                label = None
        items.append(Item(text, conf, block, unit, label))
    return items


def _find(prepared: Prepared, grid: Grid) -> tuple[list[Rect], list[tuple[int | None, Block]], bool]:
    """The units (cells, or blocks when there is no table) and every block with its unit."""
    ink, rules = prepared.ink, grid.horizontal | grid.vertical
    level = ink_level(ink)
    h, w = ink.shape
    cells = find_cells(grid)
    if len(cells) >= MIN_CELLS:
        found: list[tuple[int | None, Block]] = [
            (i, b) for i, rect in enumerate(cells) for b in find_blocks(ink, rules, level, rect)]
        found += [(None, b) for b in find_blocks(ink, rules, level, (0, 0, w, h), grid.frame)]
        return cells, found, True
    loose = find_blocks(ink, rules, level, (0, 0, w, h))
    return [b.box for b in loose], [(i, b) for i, b in enumerate(loose)], False


def _label_for(units: list[Rect], index: int, by_unit: dict[int, list[Item]]
               ) -> tuple[labels.Label | None, str | None, str | None]:
    """The label of the value(s) in unit `index`, how it stands to them, and the section."""
    own = [it.label for it in by_unit.get(index, []) if it.label and it.label.key != "title"]
    if own:
        return own[0], "same", None
    candidates = []
    section = None
    for order, direction in enumerate(DIRECTIONS):
        for steps, j in enumerate(neighbours(units, index, direction)):
            items = by_unit.get(j, [])
            found = [it.label for it in items if it.label and it.label.key != "title"]
            if found:
                if any(it.label is None for it in items):  # a labelled value: not a heading
                    break
                exact = aligned(units[index], units[j], across=direction != "up")
                label = found[0]
                if label.key == "section" or (label.word == "所有者" and not exact):
                    section = section or ("events" if label.word == "沿革" else "owners")
                else:
                    candidates.append((not exact, steps, order, label, direction))
                break
    if not candidates:
        return None, None, section
    _, _, _, label, direction = min(candidates, key=lambda c: c[:3])
    return label, direction, section


def read_structure(prepared: Prepared, grid: Grid, engine: OcrEngine) -> Structure:
    """Every block of writing on the page, recognised, each value keyed by its label."""
    units, found, ruled = _find(prepared, grid)
    if len(found) > MAX_BLOCKS:
        found = sorted(found, key=lambda ub: -(ub[1].box[2] - ub[1].box[0]) *
                       (ub[1].box[3] - ub[1].box[1]))[:MAX_BLOCKS]
    items = _recognise(prepared, found, engine)
    by_unit: dict[int, list[Item]] = {}
    for it in items:
        if it.unit is not None:
            by_unit.setdefault(it.unit, []).append(it)
    words = [it.label.word for it in items if it.label]
    titles = [it.label.word for it in items if it.label and it.label.key == "title"]
    values, others = [], []
    keyed: dict[int, tuple[labels.Label | None, str | None, str | None]] = {}
    for it in items:
        if it.label is not None or not it.text.strip():
            continue
        reading = _reading(prepared, it)
        if it.unit is None:
            others.append(reading)
            continue
        if it.unit not in keyed:
            keyed[it.unit] = _label_for(units, it.unit, by_unit)
        label, relation, section = keyed[it.unit]
        area = units[it.unit] if ruled else it.block.box
        values.append(replace(reading, key=label.key if label else None,
                              label=label.word if label else None, relation=relation,
                              area=area, section=section))
    return Structure(values, words, titles[0] if titles else None, ruled, others)


def _reading(prepared: Prepared, item: Item) -> CellReading:
    box = item.block.box
    return CellReading("", item.text, item.confidence, quad_on_scan(prepared, box),
                       item.block.vertical, struck(prepared.red, box, item.block.vertical),
                       aspect_of(box))

