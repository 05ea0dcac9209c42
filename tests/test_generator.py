"""The generator's ground truth matches what it drew: boxes hold the ink, texts the values."""

from __future__ import annotations

import re

import numpy as np
import pytest

from samples.card import FOREST, LAND
from samples.generator import generate, make_page
from samples.vocab import LAND_CATEGORIES

DITTO = set("仝〃同")


def _dark(pixels: np.ndarray) -> np.ndarray:
    """Dark, unsaturated pixels: ink and form rules (red seals and strikes excluded)."""
    rgb = pixels.astype(int)
    grey = rgb.mean(axis=2)
    saturation = rgb.max(axis=2) - rgb.min(axis=2)
    return (grey < 140) & (saturation < 60)


def _inside(mask_shape: tuple[int, int], boxes: list[list[int]], grow: int) -> np.ndarray:
    inside = np.zeros(mask_shape, bool)
    for x0, y0, x1, y1 in boxes:
        inside[max(0, y0 - grow):y1 + grow, max(0, x0 - grow):x1 + grow] = True
    return inside


@pytest.mark.parametrize("index", [0, 1, 2, 3])
def test_every_stroke_of_writing_lies_in_a_line_box(index: int) -> None:
    pixels, truth = make_page(11, index, "mixed", "none")
    dark = _dark(pixels)
    # Printed rules are long straight runs: remove them with an opening along each axis.
    import cv2

    d8 = dark.astype(np.uint8)
    rules = cv2.morphologyEx(d8, cv2.MORPH_OPEN, np.ones((1, 120), np.uint8)) | \
        cv2.morphologyEx(d8, cv2.MORPH_OPEN, np.ones((120, 1), np.uint8))
    rules = cv2.dilate(rules, np.ones((7, 7), np.uint8)).astype(bool)
    writing = dark & ~rules
    covered = _inside(dark.shape, [line["box"] for line in truth["lines"]], 2)
    assert writing.sum() > 5000
    assert (writing & ~covered).sum() / writing.sum() < 0.002
    for line in truth["lines"]:
        x0, y0, x1, y1 = line["box"]
        assert 0 <= x0 < x1 <= pixels.shape[1] and 0 <= y0 < y1 <= pixels.shape[0]
        assert dark[y0:y1, x0:x1].mean() > 0.03, line  # each box holds ink


def test_same_seed_same_page_and_ageing_keeps_boxes_on_the_ink() -> None:
    a, truth_a = make_page(5, 2, "mixed", "heavy")
    b, truth_b = make_page(5, 2, "mixed", "heavy")
    assert np.array_equal(a, b) and truth_a == truth_b
    clean, truth_clean = make_page(5, 2, "mixed", "none")
    assert [line["text"] for line in truth_clean["lines"]] == \
        [line["text"] for line in truth_a["lines"]]
    grey = a.astype(float).mean(axis=2)
    paper = np.median(grey)
    for line in truth_a["lines"]:
        x0, y0, x1, y1 = line["box"]
        # The darkest ink in the moved box stands well below the paper.
        assert np.percentile(grey[y0:y1, x0:x1], 2) < paper - 60, line


def test_truth_is_consistent_with_the_card() -> None:
    for index in range(12):
        _, truth = make_page(3, index, "mixed", "mixed")
        hand = {line["field"]: line for line in truth["lines"] if line["kind"] == "hand"}
        assert truth["form"] in (LAND, FOREST)
        assert hand["location"]["text"] == truth["fields"]["location"]["hanja"]
        assert hand["lot"]["text"] == truth["fields"]["lot"]["hanja"]
        allowed = {"林野"} if truth["form"] == FOREST else {c for c, *_ in LAND_CATEGORIES}
        assert truth["fields"]["category"]["hanja"] in allowed
        assert hand["category"]["text"] == truth["fields"]["category"]["hanja"]
        owners = truth["owners"]
        assert truth["final_owner"] == {k: v for k, v in owners[-1]["name"].items()
                                        if k not in ("crossed", "written")}
        isos = [o["date"]["iso"] for o in owners]
        assert isos == sorted(isos)
        for i, owner in enumerate(owners):
            for key in ("date", "cause", "address", "name"):
                line = hand[f"owners[{i}].{key}"]
                assert line["vertical"] == (truth["form"] == FOREST)
                if line["ditto"]:
                    assert line["text"] in DITTO
                    assert owner[key]["hanja"] == owners[i - 1][key]["hanja"]
                else:
                    assert line["text"] == owner[key]["hanja"]
            assert re.fullmatch(r"\d{4}-\d\d-\d\d", owner["date"]["iso"])
        assert not owners[-1]["name"].get("crossed")


def test_generate_writes_image_and_truth_side_by_side(tmp_path) -> None:
    pages = list(generate(3, tmp_path, seed=9, form="forest", level="mixed"))
    assert [p.image.suffix for p in pages] == [".png", ".jpg", ".jpg"]
    for p in pages:
        assert p.truth.exists() and p.truth.stem == p.image.stem
        assert "forest" in p.image.name
    with pytest.raises(ValueError, match="unknown form"):
        list(generate(1, tmp_path, form="castle"))


@pytest.mark.slow
def test_drawn_text_reads_back_as_the_truth_says() -> None:
    """OCR of each horizontal handwritten line's box gives (nearly) the truth's text."""
    from rapidfuzz.distance import Levenshtein

    from ocr.engine import get_engine

    pixels, truth = make_page(21, 0, "land", "none")
    engine = get_engine()
    errors = total = 0
    for line in truth["lines"]:
        if line["kind"] != "hand" or line["vertical"] or line["text"] in DITTO:
            continue
        x0, y0, x1, y1 = line["box"]
        crop = pixels[max(0, y0 - 12):y1 + 12, max(0, x0 - 12):x1 + 12]
        read = "".join(t.text for t in engine.read(crop))
        errors += Levenshtein.distance(read, line["text"])
        total += len(line["text"])
    assert total > 40
    assert errors / total < 0.1


def test_a_measurement_can_draw_pages_in_fonts_swapped_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """TOJI_SAMPLE_FONTS swaps a role's font (held-out hands and printings); a character
    the swapped font lacks still comes from a font that has it, and a wrong spec is told."""
    from samples import fonts

    monkeypatch.setenv("TOJI_SAMPLE_FONTS", "brush=UnGungseo.ttf")
    fonts.font.cache_clear()
    try:
        assert fonts.font("brush").path.name == "UnGungseo.ttf"
        assert fonts.font_for("金", ("brush", "print")).path.name == "UnGungseo.ttf"
        assert fonts.font_for("併", ("brush", "print")).has("併")  # not in KS X 1001 fonts
        monkeypatch.setenv("TOJI_SAMPLE_FONTS", "hand=UnGungseo.ttf")
        fonts.font.cache_clear()
        with pytest.raises(ValueError, match="TOJI_SAMPLE_FONTS"):
            fonts.font("brush")
    finally:
        monkeypatch.delenv("TOJI_SAMPLE_FONTS")
        fonts.font.cache_clear()


def test_a_varied_hand_draws_the_same_card_in_glyphs_no_font_draws(monkeypatch):
    """TOJI_SAMPLE_HAND=varied bends, weights and inks each written glyph anew: the same
    card (same text) with other ink; the default hand is untouched by it."""
    from samples import hand
    from samples.generator import make_page

    monkeypatch.delenv("TOJI_SAMPLE_HAND", raising=False)
    font_pixels, font_truth = make_page(5, 0, "land", "none")
    again, _ = make_page(5, 0, "land", "none")
    assert np.array_equal(font_pixels, again)
    monkeypatch.setenv("TOJI_SAMPLE_HAND", "varied")
    varied_pixels, varied_truth = make_page(5, 0, "land", "none")
    assert varied_truth["final_owner"] == font_truth["final_owner"]
    assert [ln["text"] for ln in varied_truth["lines"]] == \
        [ln["text"] for ln in font_truth["lines"]]
    assert not np.array_equal(font_pixels, varied_pixels)
    assert np.array_equal(varied_pixels, make_page(5, 0, "land", "none")[0])  # seeded
    monkeypatch.setenv("TOJI_SAMPLE_HAND", "scribble")
    with pytest.raises(ValueError, match="TOJI_SAMPLE_HAND"):
        hand.varied()
