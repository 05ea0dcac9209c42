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
from ocr.cells import CellReading, read_cells
from ocr.engine import OcrEngine
from ocr.layout import Template, best_template, find_grid, load_templates, place_cells
from ocr.preprocess import Prepared, prepare, turned
from ocr.structure import Structure, read_structure

ENOUGH_LABELS = 4  # a page on which this many field labels read is the right way up
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


def _orientations(prepared: Prepared) -> list[Prepared]:
    """The page as prepared, then turned back if it was turned for being landscape (a
    landscape card is written down the page), then the other two ways."""
    order = [0, 3, 2, 1] if prepared.quarter_turns == 1 else [0, 2, 1, 3]
    return [turned(prepared, k) for k in order]


def read_by_labels(prepared: Prepared, engine: OcrEngine) -> tuple[Prepared, Structure]:
    """The orientation whose labels read best, and what was read in it."""
    best: tuple[Prepared, Structure] | None = None
    for candidate in _orientations(prepared):
        structure = read_structure(candidate, find_grid(candidate.ink), engine)
        if best is None or structure.score > best[1].score:
            best = (candidate, structure)
        if structure.score >= ENOUGH_LABELS:
            break
    assert best is not None
    return best


def read_page(rgb: np.ndarray, engine: OcrEngine, templates: list[Template] | None = None,
              binarise: bool = False) -> PageReading:
    """Reads a register page: by its template when one fits, else by its labels.
    Binarisation is off by default: the recognisers read the evened-out grey better."""
    templates = load_templates() if templates is None else templates
    prepared = prepare(rgb)
    grid = find_grid(prepared.ink)
    template, score = best_template(grid, templates)
    if template is None and templates:  # perhaps fed upside down
        turned_page = turned(prepared, 2)
        turned_grid = find_grid(turned_page.ink)
        turned_template, turned_score = best_template(turned_grid, templates)
        if turned_template is not None:
            prepared, grid, template, score = turned_page, turned_grid, turned_template, turned_score
    if template is not None and grid.frame is not None:
        cells = read_cells(prepared, grid, place_cells(template, grid.frame), engine, binarise)
        return PageReading(template.name, score, prepared.skew, prepared.quarter_turns, cells)
    page, structure = read_by_labels(prepared, engine)
    source = "labels" if structure.ruled and structure.score >= ENOUGH_LABELS else "content"
    return PageReading(_title(structure), 0.0, page.skew, page.quarter_turns, structure.values,
                       source,
                       structure.others)
