"""Makes labelled synthetic register pages: a scan and its ground-truth JSON, side by side.

Real register scans hold personal data and are not public, so tests and benchmarks
run on pages drawn here. Each page comes from its own seed (the set's seed and the
page's number), so any single page can be remade, and content and ageing use separate
random streams: the same card can be drawn clean and degraded.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from samples import degrade, layouts
from samples.card import FOREST, LAND, Card, Entry, draw_card
from samples.form import FORMS, Rect
from samples.render import Line, draw_page

FORM_CHOICES = ("land", "forest", "mixed")
DEGRADE_CHOICES = (*degrade.LEVELS, "mixed")
DPI = 300
DPI_RANGE = (200, 400)  # scans of layout pages come at any of these resolutions


@dataclass(frozen=True)
class GeneratedPage:
    image: Path
    truth: Path


def page_seed(seed: int, index: int) -> int:
    return seed * 1_000_003 + index


def _entry_json(entry: Entry) -> dict[str, Any]:
    out = entry.value.as_json()
    if entry.ditto:
        out["written"] = entry.written
    if entry.crossed:
        out["crossed"] = True
    return out


def truth_of(card: Card) -> dict[str, Any]:
    """The card's fields as a reader should report them: hanja, reading, normalised value."""
    fields: dict[str, Any] = {name: _entry_json(getattr(card, name))
                              for name in ("location", "lot", "category", "area")}
    if card.grade:
        fields["grade"] = _entry_json(card.grade)
    return {
        "fields": fields,
        "events": [{"date": _entry_json(e.date), "event": _entry_json(e.event)}
                   for e in card.events],
        "owners": [{"date": _entry_json(o.date), "cause": _entry_json(o.cause),
                    "address": _entry_json(o.address), "name": _entry_json(o.name),
                    "sealed": o.sealed} for o in card.owners],
        "final_owner": card.owners[-1].name.value.as_json(),
    }


def make_page(seed: int, index: int, form_choice: str, level: str,
              layout: str | None = None) -> tuple[Any, dict[str, Any]]:
    """One page's pixels (RGB array) and its ground truth, fully determined by its seed.

    Without a layout the page is today's land or forest form at 300 dpi, exactly as it
    has always been drawn; with one (a family of `samples.layouts`, or "mixed") it is a
    printing of that family, scanned at a resolution between 200 and 400 dpi.
    """
    s = page_seed(seed, index)
    rng = random.Random(s)
    form_name = {"land": LAND, "forest": FOREST}.get(form_choice) or rng.choice([LAND, FOREST])
    if level == "mixed":
        level = degrade.LEVELS[index % len(degrade.LEVELS)]
    if layout is None:
        form = FORMS[form_name]
        card = draw_card(rng, form_name, form.max_events, form.max_owners)
        clean, lines, seals = draw_page(form, card, rng)
        family, dpi = None, DPI
    else:
        asked = form_name if form_choice in ("land", "forest") else None
        family = layouts.family_for(layout, index, asked)
        content = layouts.FAMILIES[family].content
        if asked and content not in (None, asked):
            raise ValueError(f"layout {family!r} prints {content} cards, not {asked}")
        card, form = layouts.print_card(rng, family, form_name)
        clean, lines, seals = draw_page(form, card, rng)
        dpi = rng.randint(*DPI_RANGE)
        clean, lines, seals = _at_dpi(clean, lines, seals, dpi / DPI)
    pixels, matrix = degrade.age(clean, level, s)
    truth = {"form": card.form, "dpi": dpi, "seed": seed, "index": index, "degrade": level,
             "size": [pixels.shape[1], pixels.shape[0]], **truth_of(card), "lines": [],
             "seals": [degrade.map_box(b, matrix)[1] for b in seals]}
    if family is not None:
        truth["layout"] = family
        truth["extras"] = {path: {"label": path.split(".", 1)[1], **_entry_json(entry)}
                           for path, entry in card.extras.items()}
    for line in lines:
        record = line.as_json()
        record["quad"], record["box"] = degrade.map_box(line.box, matrix)
        truth["lines"].append(record)
    return pixels, truth


def _at_dpi(page: Image.Image, lines: list[Line], seals: list[Rect],
            factor: float) -> tuple[Image.Image, list[Line], list[Rect]]:
    """The page as scanned at another resolution: pixels resampled, every box scaled
    outward so it still holds all of its ink."""
    size = (round(page.width * factor), round(page.height * factor))

    def scale(box: Rect) -> Rect:
        return (math.floor(box[0] * factor), math.floor(box[1] * factor),
                min(size[0], math.ceil(box[2] * factor)), min(size[1], math.ceil(box[3] * factor)))

    return (page.resize(size, Image.Resampling.LANCZOS),
            [dataclasses.replace(line, box=scale(line.box)) for line in lines],
            [scale(box) for box in seals])


def generate(count: int, out: Path, seed: int = 1, form: str = "mixed",
             level: str = "mixed", start: int = 0,
             layout: str | None = None) -> Iterator[GeneratedPage]:
    """Writes `count` pages into `out`; clean pages as PNG, aged ones as JPEG, as scanned.

    Pages of a layout family are named after it (`corner_land_s1_0000_none.png`).
    """
    if form not in FORM_CHOICES:
        raise ValueError(f"unknown form {form!r}: choose one of {', '.join(FORM_CHOICES)}")
    if level not in DEGRADE_CHOICES:
        raise ValueError(f"unknown degradation {level!r}: choose one of {', '.join(DEGRADE_CHOICES)}")
    if layout is not None and layout not in layouts.LAYOUT_CHOICES:
        raise ValueError(f"unknown layout {layout!r}: choose one of "
                         f"{', '.join(layouts.LAYOUT_CHOICES)}")
    out.mkdir(parents=True, exist_ok=True)
    for index in range(start, start + count):
        pixels, truth = make_page(seed, index, form, level, layout)
        kind = "land" if truth["form"] == LAND else "forest"
        stem = f"{kind}_s{seed}_{index:04d}_{truth['degrade']}"
        if layout is not None:
            stem = f"{truth['layout']}_{stem}"
        image_path = out / (stem + (".png" if truth["degrade"] == "none" else ".jpg"))
        img = Image.fromarray(pixels)
        dpi = (truth["dpi"], truth["dpi"])
        if image_path.suffix == ".png":
            img.save(image_path, dpi=dpi, optimize=True)
        else:
            img.save(image_path, quality=90, dpi=dpi)
        truth["file"] = image_path.name
        truth_path = image_path.with_suffix(".json")
        truth_path.write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
        yield GeneratedPage(image_path, truth_path)
