"""Finding the printed form on a prepared page and the cells a clerk wrote in.

The ruled grid is pulled out by morphology (long thin openings keep only the rules),
its outer frame located, and each form template in `ocr/templates/*.json` is laid over
it: the template whose every cell edge falls on a detected rule wins. A local variant
of a form is a new JSON file there, not new code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

TEMPLATE_DIR = Path(__file__).with_name("templates")
MIN_MATCH = 0.6  # share of template edges found on the page for a form to count as found

Rect = tuple[int, int, int, int]


@dataclass(frozen=True)
class TemplateCell:
    rect: Rect
    vertical: bool
    field: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class Template:
    """A printing's cells. `form` is the kind of card it is (土地臺帳 or 林野臺帳): a
    template learnt from an archive's page has a name of its own."""

    name: str
    frame: Rect
    title_box: Rect
    cells: tuple[TemplateCell, ...]
    form: str | None = None

    @property
    def kind(self) -> str:
        return self.form or self.name

    @classmethod
    def from_json(cls, data: dict) -> Template:
        cells = tuple(TemplateCell(tuple(c["rect"]), c.get("vertical", False),  # type: ignore[arg-type]
                                   c.get("field"), c.get("label")) for c in data["cells"])
        return cls(data["name"], tuple(data["frame"]), tuple(data.get("title_box", (0, 0, 0, 0))),  # type: ignore[arg-type]
                   cells, data.get("form"))

    def to_json(self) -> dict:
        cells = [{k: v for k, v in (("rect", list(c.rect)), ("vertical", c.vertical),
                                    ("field", c.field), ("label", c.label)) if v is not None}
                 for c in self.cells]
        out = {"name": self.name, "frame": list(self.frame), "title_box": list(self.title_box),
               "cells": cells}
        if self.form:
            out["form"] = self.form
        return out

    @classmethod
    def from_file(cls, path: Path) -> Template:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))


def load_templates(folder: Path = TEMPLATE_DIR) -> list[Template]:
    return [Template.from_file(p) for p in sorted(folder.glob("*.json"))]


@dataclass(frozen=True)
class Grid:
    """The rules found on a page (masks, dilated for tolerance) and the frame they make."""

    horizontal: np.ndarray
    vertical: np.ndarray
    frame: Rect | None
    dark: np.ndarray | None = None  # the thresholded page the rules were taken from


@dataclass(frozen=True)
class Cell:
    """A template cell placed on the page, in prepared-page pixels."""

    field: str
    rect: Rect
    vertical: bool


def find_grid(ink: np.ndarray) -> Grid:
    """Extracts horizontal and vertical rules and the outer frame of the form."""
    h, w = ink.shape
    dark = cv2.adaptiveThreshold(ink, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                 31, 25)
    edge = 6  # a line along the very edge is the scan's border, not the form's rule
    dark[:edge, :] = dark[-edge:, :] = 0
    dark[:, :edge] = dark[:, -edge:] = 0
    horizontal = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((1, max(40, w // 18)), np.uint8))
    vertical = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((max(40, h // 25), 1), np.uint8))
    rows = np.flatnonzero(horizontal.sum(axis=1) / 255 > 0.35 * w)
    cols = np.flatnonzero(vertical.sum(axis=0) / 255 > 0.35 * h)
    frame = None
    if len(rows) >= 2 and len(cols) >= 2 and rows[-1] - rows[0] > h / 3 and cols[-1] - cols[0] > w / 2:
        frame = (int(cols[0]), int(rows[0]), int(cols[-1]), int(rows[-1]))
    grow = np.ones((9, 9), np.uint8)
    return Grid(cv2.dilate(horizontal, grow) > 0, cv2.dilate(vertical, grow) > 0, frame, dark)


def _placer(template: Template, frame: Rect):  # noqa: ANN202 - returns a mapping function
    tx0, ty0, tx1, ty1 = template.frame
    fx0, fy0, fx1, fy1 = frame
    sx, sy = (fx1 - fx0) / (tx1 - tx0), (fy1 - fy0) / (ty1 - ty0)

    def place(rect: Rect) -> Rect:
        x0, y0, x1, y1 = rect
        return (round(fx0 + (x0 - tx0) * sx), round(fy0 + (y0 - ty0) * sy),
                round(fx0 + (x1 - tx0) * sx), round(fy0 + (y1 - ty0) * sy))

    return place


def match_score(template: Template, grid: Grid, upside_down: bool = False) -> float:
    """Share of the template's cell edges that lie on detected rules. `upside_down`: the
    share the page would score turned over, read off its rules as they lie (a page
    fed upside down is turned only once a template is known to fit it that way)."""
    if grid.frame is None:
        return 0.0
    h, w = grid.horizontal.shape
    frame = grid.frame
    if upside_down:  # the frame's rules' outermost pixels, the page turned over
        frame = (w - 1 - frame[2], h - 1 - frame[3], w - 1 - frame[0], h - 1 - frame[1])
    place = _placer(template, frame)
    found = total = 0.0
    for cell in template.cells:
        x0, y0, x1, y1 = place(cell.rect)
        x0, x1 = max(0, x0), min(w - 1, x1)
        y0, y1 = max(0, y0), min(h - 1, y1)
        if x1 - x0 < 10 or y1 - y0 < 10:
            continue
        if upside_down:  # pixel (x, y) of the page turned over is (w-1-x, h-1-y) of this one
            edges = (grid.horizontal[h - 1 - y0, w - x1:w - x0],
                     grid.horizontal[h - 1 - y1, w - x1:w - x0],
                     grid.vertical[h - y1:h - y0, w - 1 - x0], grid.vertical[h - y1:h - y0, w - 1 - x1])
        else:
            edges = (grid.horizontal[y0, x0:x1], grid.horizontal[y1, x0:x1],
                     grid.vertical[y0:y1, x0], grid.vertical[y0:y1, x1])
        for edge in edges:
            found += edge.mean()
            total += 1
    return found / total if total else 0.0


def best_template(grid: Grid, templates: list[Template], upside_down: bool = False
                  ) -> tuple[Template | None, float]:
    """The template that fits the page best (turned over, with `upside_down`), or None
    when none fits well enough."""
    scored = sorted(((match_score(t, grid, upside_down), t) for t in templates),
                    key=lambda st: -st[0])
    if not scored or scored[0][0] < MIN_MATCH:
        return None, scored[0][0] if scored else 0.0
    return scored[0][1], scored[0][0]


def place_cells(template: Template, frame: Rect) -> list[Cell]:
    """The template's writable cells in page pixels."""
    place = _placer(template, frame)
    return [Cell(c.field, place(c.rect), c.vertical) for c in template.cells if c.field]
