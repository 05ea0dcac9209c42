"""One page from pixels to cell readings: prepare, find the form, read its cells.

A printing Toji has a template for is read the fast way: the template's cells laid
over the page's rules. Any other page is read by its printed labels (`ocr.structure`),
in whichever of its four orientations yields the most labels; a page with no rules
at all is read the same way, block by block. What was read is never dropped: values
no label or content could place stay on the page as lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ocr import labels
from ocr.blocks import Block, Rect
from ocr.cells import CellReading, aspect_of, quad_on_scan, read_cells, struck
from ocr.engine import OcrEngine, RememberingEngine
from ocr.layout import (
    Grid,
    Template,
    TemplateCell,
    best_template,
    find_grid,
    load_templates,
    place_cells,
)
from ocr.preprocess import Prepared, prepare, rotate_quarters, turned, turned_box
from ocr.structure import (
    Layout,
    Sampled,
    Structure,
    find_layout,
    label_sample,
    read_structure,
    sample_hits,
)
from ocr.table import GROW

MIN_LEARNT = 4  # fields a page must yield to serve as a template
# A cell read by its labels ends where its rules, thickened by GROW, end: grown by half
# that it stands on them, where a template's cells stand.
ON_RULE = GROW // 2 + 1
ENOUGH_LABELS = 4  # a page on which this many field labels read is the right way up…
SURE_LABELS = 6  # …unless another way reads better; with this many, surely
LAND, FOREST = "土地臺帳", "林野臺帳"


@dataclass(frozen=True)
class PageReading:
    form: str | None  # the template's name, the title read, or None when nothing was found
    match: float  # share of the template's rules found on the page (0 without a template)
    skew: float
    quarter_turns: int
    cells: list[CellReading] = field(default_factory=list)
    source: str = "template"  # "template", "labels" (read by its labels) or "content"
    others: list[CellReading] = field(default_factory=list)  # writing outside the form
    template: str | None = None  # the name of the template read by, if any
    frame: tuple[int, int, int, int] | None = None  # the table's outer rules, as read

    @property
    def understood(self) -> bool:
        """Whether the form itself was recognised (by a template or by its labels)."""
        return self.source != "content"


def _title(structure: Structure) -> str | None:
    """The card's title: read as one label, or spread over blocks (土 地 臺 帳)."""
    if structure.title in (LAND, FOREST):
        return structure.title
    text = labels.normalise("".join(c.text for c in structure.others))
    if "林野" in text:
        return FOREST
    if "土地" in text or "臺帳" in text:
        return LAND
    return None


def read_by_labels(prepared: Prepared, engine: OcrEngine, grid: Grid | None = None
                   ) -> tuple[Prepared, Structure, tuple[int, int, int, int] | None]:
    """The page turned upright by its writing, what was read on it, and its frame.

    A landscape scan was turned for being landscape, but a landscape card written down
    the page is right as scanned: the labels of a sample of the smallest blocks tell
    (a short label reads either way; one printed down the page, or a value, only when
    right). A page on which hardly a label was read is tried every way. `grid`: the
    page's rules, when already found."""
    engine = RememberingEngine(engine)  # a sample is read once, not again with the page
    grid = grid or find_grid(prepared.ink)
    layout, frame = find_layout(prepared, grid), grid.frame
    if prepared.quarter_turns == 1:
        sample = label_sample(layout)
        scores = {turns: sample_hits(prepared, sample, turns, engine) for turns in (0, 3)}
        best = _best(scores)
        total, lying = scores[best].labels, scores[best].lying
        # Read mostly as columns: perhaps a card written across, turned a quarter clockwise
        # too far; hardly read at all: perhaps upside down.
        more = [(best + 3) % 4] if lying < total / 2 else []
        if total < ENOUGH_LABELS:
            more = [2, 1]
        scores |= {turns: sample_hits(prepared, sample, turns, engine) for turns in more
                   if turns not in scores}
        best = _best(scores)
        if best:
            prepared, layout, frame = _turned(prepared, layout, frame, best)
    structure = read_structure(prepared, layout, engine)
    if structure.score < SURE_LABELS:
        # Hardly a label read: the sample misled (on a faint page its smallest blocks are
        # pieces of characters), or the page lies a way no sample was taken of. The other
        # turns are read whole, the likeliest first, until one reads as a form; the page
        # keeps the turn that read the most labels. A few labels read (short ones read
        # either way) make a form only if no other turn's sample reads better.
        sample = label_sample(layout)
        scores = {turns: sample_hits(prepared, sample, turns, engine) for turns in (2, 1, 3)}
        if structure.score >= ENOUGH_LABELS:
            as_is = sample_hits(prepared, sample, 0, engine)
            scores = {turns: sampled for turns, sampled in scores.items() if sampled.beats(as_is)}
        beaten = {t: sum(scores[o].beats(scores[t]) for o in scores) for t in scores}
        here = prepared, layout, frame
        for turns in sorted(scores, key=beaten.__getitem__):
            page, page_layout, page_frame = _turned(*here, turns)
            other = read_structure(page, page_layout, engine)
            if other.score > structure.score:
                prepared, frame, structure = page, page_frame, other
            if structure.score >= ENOUGH_LABELS:
                break
    return prepared, structure, frame


def _best(scores: dict[int, Sampled]) -> int:
    """The turn whose sample reads best; on a tie, the one tried first (fewest turns)."""
    best = next(iter(scores))
    for turns, sampled in scores.items():
        if sampled.beats(scores[best]):
            best = turns
    return best


def _turned(prepared: Prepared, layout: Layout, frame: Rect | None, turns: int
            ) -> tuple[Prepared, Layout, Rect | None]:
    """The page turned, and what was found on it turned with it: a quarter turn moves
    every pixel exactly, so the cells and blocks are the same cells and blocks, each
    block's direction read again off its turned shape."""
    page = turned(prepared, turns)
    h, w = prepared.ink.shape

    def box(rect: Rect) -> Rect:
        return turned_box(rect, turns, w, h)

    found = [(unit, Block.shaped(box(b.box))) for unit, b in layout.found]
    units = [box(u) for u in layout.units]
    return (page, Layout(units, found, layout.ruled, layout.cells, layout.pale),
            _frame_turned(frame, turns, w, h))


def _frame_turned(frame: Rect | None, turns: int, w: int, h: int) -> Rect | None:
    """A frame (its rules' outermost pixels, ends included) on the page turned."""
    if frame is None:
        return None
    x0, y0, x1, y1 = turned_box((frame[0], frame[1], frame[2] + 1, frame[3] + 1), turns, w, h)
    return x0, y0, x1 - 1, y1 - 1


def _grid_upside_down(grid: Grid) -> Grid:
    """The rules of a page turned over, turned with it rather than found again."""
    h, w = grid.horizontal.shape
    return Grid(rotate_quarters(grid.horizontal, 2), rotate_quarters(grid.vertical, 2),
                _frame_turned(grid.frame, 2, w, h),
                None if grid.dark is None else rotate_quarters(grid.dark, 2))


def read_page(rgb: np.ndarray, engine: OcrEngine, templates: list[Template] | None = None,
              binarise: bool = False) -> PageReading:
    """Reads a register page: by its template when one fits, else by its labels.
    Binarisation is off by default: the recognisers read the evened-out grey better."""
    templates = load_templates() if templates is None else templates
    prepared = prepare(rgb)
    grid = find_grid(prepared.ink)
    template, score = best_template(grid, templates)
    if template is None and templates:  # perhaps fed upside down
        turned_template, turned_score = best_template(grid, templates, upside_down=True)
        if turned_template is not None:
            prepared, grid = turned(prepared, 2), _grid_upside_down(grid)
            template, score = turned_template, turned_score
    if template is not None and grid.frame is not None:
        cells = read_cells(prepared, grid, place_cells(template, grid.frame), engine, binarise)
        return PageReading(template.kind, score, prepared.skew, prepared.quarter_turns, cells,
                           template=template.name, frame=grid.frame)
    page, structure, frame = read_by_labels(prepared, engine, grid)
    if not structure.values and not structure.others:
        # Nothing legible where the ink was looked for (writing run together with a
        # stain or a shadow into one block, a sheet the cut could not part): the
        # engine's own text detector has its say, so the page keeps what it holds.
        return PageReading(None, 0.0, page.skew, page.quarter_turns, detected(page, engine),
                           "content", frame=frame)
    source = "labels" if structure.ruled and structure.score >= ENOUGH_LABELS else "content"
    return PageReading(_title(structure), 0.0, page.skew, page.quarter_turns, structure.values,
                       source, structure.others, frame=frame)


def detected(prepared: Prepared, engine: OcrEngine) -> list[CellReading]:
    """The page's lines as the engine's detector finds them, each a value with no label
    (what it says names it), standing for its own cell."""
    grey = prepared.ink
    out = []
    for line in engine.read(np.dstack([grey, grey, grey])):
        if not line.text.strip():
            continue
        x0, y0, x1, y1 = (int(round(v)) for v in line.bbox)
        box = (max(0, x0), max(0, y0), min(grey.shape[1], x1), min(grey.shape[0], y1))
        block = Block.shaped(box)
        out.append(CellReading("", line.text, line.confidence, quad_on_scan(prepared, box),
                               block.vertical, struck(prepared.red, box, block.vertical),
                               aspect_of(box), area=box))
    return out


def learn_template(reading: PageReading, cells: list[CellReading], name: str) -> Template:
    """A template of the printing of a page read by its labels, from its values' cells
    once they have their fields (`translit.assemble.assign`): the next page of the same
    printing is read the fast way. Needs the table's outer frame, which templates are
    fitted to, and a few fields."""
    if reading.frame is None:
        raise ValueError("the page's table has no outer frame to fit a template to")

    def on_rules(area: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        """The cell's edges on its rules, where `match_score` looks for them."""
        x0, y0, x1, y1 = area
        return x0 - ON_RULE, y0 - ON_RULE, x1 + ON_RULE, y1 + ON_RULE

    placed = tuple(TemplateCell(on_rules(c.area), c.vertical, c.field) for c in cells
                   if c.field and c.area is not None)
    if len(placed) < MIN_LEARNT:
        raise ValueError(f"only {len(placed)} fields were read on the page: "
                         f"a template needs at least {MIN_LEARNT}")
    return Template(name, reading.frame, (0, 0, 0, 0), placed, reading.form or LAND)
