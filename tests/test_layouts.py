"""Layout families: every printing draws the whole card, its truth matches its pixels,
and pages without a layout stay exactly as they were."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from samples.card import FOREST, LAND
from samples.form import FORMS
from samples.generator import DPI_RANGE, generate, make_page
from samples.layouts import FAMILIES, LAYOUT_CHOICES, family_for, print_card
from tests.conftest import SAMPLES

CASES = [(family, kind) for family, spec in FAMILIES.items() for kind in ("land", "forest")
         if spec.content in (None, {"land": LAND, "forest": FOREST}[kind])]


def _dark(pixels: np.ndarray) -> np.ndarray:
    """Dark, unsaturated pixels: ink and printing (red seals and strikes excluded)."""
    rgb = pixels.astype(int)
    return (rgb.mean(axis=2) < 140) & (rgb.max(axis=2) - rgb.min(axis=2) < 60)


def _field_paths(truth: dict) -> set[str]:
    """Every field the truth says was written, as form paths."""
    paths = set(truth["fields"]) | set(truth["extras"])
    for table in ("events", "owners"):
        for i, row in enumerate(truth[table]):
            paths |= {f"{table}[{i}].{key}" for key, value in row.items()
                      if isinstance(value, dict)}
    return paths


@pytest.mark.parametrize(("family", "kind"), CASES)
@pytest.mark.parametrize("seed", [1, 8])
def test_every_family_draws_the_whole_card_inside_its_boxes(family: str, kind: str,
                                                            seed: int) -> None:
    pixels, truth = make_page(seed, 3, kind, "none", family)
    assert truth["layout"] == family and truth["form"] == {"land": LAND, "forest": FOREST}[kind]
    assert DPI_RANGE[0] <= truth["dpi"] <= DPI_RANGE[1]
    h, w = pixels.shape[:2]
    assert truth["size"] == [w, h]
    # A page of 190 × 270 mm (or turned), give or take the family's paper sizes.
    short, long_ = sorted((w, h))
    assert 0.9 * 2244 <= short * 300 / truth["dpi"] <= 1.1 * 2244
    assert 0.9 * 3189 <= long_ * 300 / truth["dpi"] <= 1.1 * 3189
    dark = _dark(pixels)
    for line in truth["lines"]:
        x0, y0, x1, y1 = line["box"]
        assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h, line
        assert dark[y0:y1, x0:x1].mean() > 0.03, line
    hand = {line["field"]: line for line in truth["lines"] if line["kind"] == "hand"}
    assert _field_paths(truth) == set(hand)
    for path, extra in truth["extras"].items():
        assert path.startswith("extra[") and hand[path]["text"] == extra["hanja"]
    assert hand["location"]["text"] == truth["fields"]["location"]["hanja"]
    if family == "vertical":
        assert all(line["vertical"] for line in hand.values())


def test_a_page_without_rules_has_no_ink_outside_its_lines() -> None:
    pixels, truth = make_page(4, 0, "land", "none", "ruleless")
    dark = _dark(pixels)
    covered = np.zeros(dark.shape, bool)
    for x0, y0, x1, y1 in (line["box"] for line in truth["lines"]):
        covered[max(0, y0 - 2):y1 + 2, max(0, x0 - 2):x1 + 2] = True
    assert (dark & ~covered).sum() / dark.sum() < 0.002


def test_combined_table_holds_events_and_owners_in_date_order() -> None:
    _, truth = make_page(6, 1, "land", "none", "combined")
    rows: dict[int, str] = {}
    for line in truth["lines"]:
        field = line["field"] or ""
        if field.endswith("].date"):
            rows[line["box"][1]] = field
    in_order = [rows[y] for y in sorted(rows)]
    isos = [truth[f.split("[")[0]][int(f.split("[")[1].split("]")[0])]["date"]["iso"]
            for f in in_order]
    assert isos == sorted(isos)
    assert any(f.startswith("events") for f in in_order)
    assert any(f.startswith("owners") for f in in_order)


def test_same_seed_same_printing_and_ageing_keeps_the_layout() -> None:
    a, truth_a = make_page(5, 2, "mixed", "heavy", "vertical")
    b, truth_b = make_page(5, 2, "mixed", "heavy", "vertical")
    assert np.array_equal(a, b) and truth_a == truth_b
    clean, truth_clean = make_page(5, 2, "mixed", "none", "vertical")
    assert [line["text"] for line in truth_clean["lines"]] == \
        [line["text"] for line in truth_a["lines"]]


def test_printings_of_a_family_differ() -> None:
    sizes = {tuple(make_page(2, i, "land", "none", "corner")[1]["size"]) for i in range(3)}
    assert len(sizes) == 3


def test_land_and_forest_families_keep_their_template_proportions() -> None:
    for family, name in (("land", LAND), ("forest", FOREST)):
        _, form = print_card(random.Random(3), family, name)
        base = FORMS[name]
        xs = np.array([c.rect for c in base.cells], float)
        ys = np.array([c.rect for c in form.cells], float)
        # One scale and one shift take today's cells onto the printing's, to a pixel.
        scale = (ys[:, 2] - ys[:, 0]).sum() / (xs[:, 2] - xs[:, 0]).sum()
        shift = (ys - xs * scale).mean(axis=0)
        assert np.abs(ys - (xs * scale + shift)).max() <= 1.5
        assert [c.field for c in form.cells] == [c.field for c in base.cells]


def test_mixed_cycles_through_the_families_that_print_the_kind_asked() -> None:
    assert {family_for("mixed", i, None) for i in range(len(FAMILIES))} == set(FAMILIES)
    land_only = {family_for("mixed", i, LAND) for i in range(len(FAMILIES))}
    assert "forest" not in land_only and "land" in land_only
    with pytest.raises(ValueError, match="unknown layout"):
        family_for("castle", 0, None)
    with pytest.raises(ValueError, match="prints"):
        make_page(1, 0, "land", "none", "forest")


def test_generate_names_pages_after_their_family(tmp_path) -> None:
    pages = list(generate(2, tmp_path, seed=3, form="land", level="none", layout="mixed"))
    for page in pages:
        truth = json.loads(page.truth.read_text(encoding="utf-8"))
        assert page.image.name.startswith(f"{truth['layout']}_land_s3_")
        assert truth["file"] == page.image.name
    assert "mixed" in LAYOUT_CHOICES
    with pytest.raises(ValueError, match="unknown layout"):
        list(generate(1, tmp_path, layout="castle"))


@pytest.mark.parametrize("name", ["land_s2026_0000_none", "forest_s2026_0002_heavy"])
def test_pages_without_a_layout_are_drawn_as_before(name: str) -> None:
    committed = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    _, truth = make_page(2026, committed["index"], "mixed", committed["degrade"])
    assert "layout" not in truth and "extras" not in truth
    assert truth["lines"] == committed["lines"]
