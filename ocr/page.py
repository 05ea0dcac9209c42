"""One page from pixels to cell readings: prepare, find the form, read its cells.

A page on which no known form is found (a cover sheet, a form without a template) is
read whole by the engine instead, so nothing on it is lost; its lines carry no field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ocr.cells import CellReading, read_cells
from ocr.engine import OcrEngine
from ocr.layout import Template, best_template, find_grid, load_templates, place_cells
from ocr.preprocess import prepare, turned_half
from ocr.records import TextLine


@dataclass(frozen=True)
class PageReading:
    form: str | None  # the matched template's name, None when read whole
    match: float  # share of the template's rules found on the page
    skew: float
    quarter_turns: int
    cells: list[CellReading] = field(default_factory=list)
    lines: list[TextLine] = field(default_factory=list)  # only for pages read whole


def read_page(rgb: np.ndarray, engine: OcrEngine, templates: list[Template] | None = None,
              binarise: bool = False) -> PageReading:
    """Reads a register page cell by cell, or whole when it matches no form template.
    Binarisation is off by default: the recognisers read the evened-out grey better."""
    templates = load_templates() if templates is None else templates
    prepared = prepare(rgb)
    grid = find_grid(prepared.ink)
    template, score = best_template(grid, templates)
    if template is None:  # perhaps fed upside down
        turned = turned_half(prepared)
        turned_grid = find_grid(turned.ink)
        turned_template, turned_score = best_template(turned_grid, templates)
        if turned_template is not None:
            prepared, grid, template, score = turned, turned_grid, turned_template, turned_score
    if template is None or grid.frame is None:
        return PageReading(None, score, prepared.skew, prepared.quarter_turns,
                           lines=engine.read(rgb))
    cells = read_cells(prepared, grid, place_cells(template, grid.frame), engine, binarise)
    return PageReading(template.name, score, prepared.skew, prepared.quarter_turns, cells)
