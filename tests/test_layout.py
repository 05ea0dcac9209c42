"""Preprocessing and layout without OCR: straighten, find the frame, pick the form."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from ocr.layout import (
    TEMPLATE_DIR,
    best_template,
    find_grid,
    load_templates,
    match_score,
    place_cells,
)
from ocr.page import _grid_upside_down
from ocr.preprocess import prepare, rotate_quarters, turned, turned_box
from samples.card import FOREST, LAND
from samples.form import FORMS
from samples.generator import make_page


def test_templates_describe_the_sample_forms() -> None:
    """The JSON templates and the generator's forms are the same cards."""
    templates = {t.name: t for t in load_templates()}
    assert set(templates) == {LAND, FOREST}
    for name, form in FORMS.items():
        fields = {(c.field, c.rect, c.vertical) for c in form.cells if c.field}
        assert {(c.field, c.rect, c.vertical) for c in templates[name].cells if c.field} == fields
    for path in TEMPLATE_DIR.glob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))  # each file stands alone as JSON


@pytest.mark.parametrize(("index", "level"), [(0, "none"), (1, "light"), (2, "heavy"),
                                              (4, "heavy"), (5, "heavy")])
def test_each_page_finds_its_own_form(index: int, level: str) -> None:
    pixels, truth = make_page(606, index, "mixed", level)
    prepared = prepare(pixels)
    grid = find_grid(prepared.ink)
    template, score = best_template(grid, load_templates())
    assert template is not None and template.name == truth["form"] and score > 0.95
    # every written line's centre, moved into the prepared page, lies in its own cell
    cells = {c.field: c.rect for c in place_cells(template, grid.frame)}
    for line in truth["lines"]:
        if line["kind"] != "hand":
            continue
        x0, y0, x1, y1 = line["box"]
        cx, cy, _ = prepared.matrix @ np.array([(x0 + x1) / 2, (y0 + y1) / 2, 1])
        rx0, ry0, rx1, ry1 = cells[line["field"]]
        assert rx0 - 6 <= cx <= rx1 + 6 and ry0 - 6 <= cy <= ry1 + 6, line["field"]


def test_landscape_and_upside_down_scans_are_turned() -> None:
    pixels, truth = make_page(606, 3, "mixed", "light")
    sideways = cv2.rotate(pixels, cv2.ROTATE_90_COUNTERCLOCKWISE)
    prepared = prepare(sideways)
    assert prepared.quarter_turns == 1 and prepared.ink.shape[0] > prepared.ink.shape[1]
    templates = load_templates()
    upside_down = prepare(cv2.rotate(pixels, cv2.ROTATE_180))
    assert best_template(find_grid(upside_down.ink), templates)[0] is None
    turned_page = turned(upside_down, 2)
    assert best_template(find_grid(turned_page.ink), templates)[0].name == truth["form"]
    # …which its rules tell as they lie, exactly as they would turned over
    grid = find_grid(upside_down.ink)
    for template in templates:
        assert match_score(template, grid, upside_down=True) == pytest.approx(
            match_score(template, _grid_upside_down(grid)))
    assert best_template(grid, templates, upside_down=True)[0].name == truth["form"]
    # the matrix still maps original pixels onto the turned page
    corner = turned_page.to_original(np.array([[0.0, 0.0]]))[0]
    h, w = pixels.shape[:2]
    assert corner[0] > w / 2 and corner[1] > h / 2


def test_a_page_without_a_form_matches_nothing() -> None:
    blank = np.full((3000, 2100, 3), 245, np.uint8)
    cv2.putText(blank, "NOT A REGISTER", (200, 1500), cv2.FONT_HERSHEY_SIMPLEX, 4, (0, 0, 0), 8)
    grid = find_grid(prepare(blank).ink)
    assert best_template(grid, load_templates())[0] is None


def test_red_seals_and_strikes_leave_the_ink_image() -> None:
    pixels, truth = make_page(606, 0, "land", "none")
    prepared = prepare(pixels)
    assert prepared.red.any()
    ys, xs = np.nonzero(prepared.red)
    # where only red was drawn the ink image is paper; the strokes of the names stay
    assert np.median(prepared.ink[ys, xs]) > 240
    assert (prepared.ink < 100).sum() > 20_000


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
def test_a_box_turns_with_the_page(turns: int) -> None:
    """What was found on a page is turned with it, not found again: the turned box holds
    exactly the turned pixels."""
    image = np.zeros((50, 80), np.uint8)
    image[10:20, 30:70] = 1  # x 30–70, y 10–20
    ys, xs = np.nonzero(rotate_quarters(image, turns))
    assert turned_box((30, 10, 70, 20), turns, 80, 50) == \
        (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
