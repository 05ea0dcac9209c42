"""Makes labelled synthetic register pages: a scan and its ground-truth JSON, side by side.

Real register scans hold personal data and are not public, so tests and benchmarks
run on pages drawn here. Each page comes from its own seed (the set's seed and the
page's number), so any single page can be remade, and content and ageing use separate
random streams: the same card can be drawn clean and degraded.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from samples import degrade
from samples.card import FOREST, LAND, Card, Entry, draw_card
from samples.form import FORMS
from samples.render import draw_page

FORM_CHOICES = ("land", "forest", "mixed")
DEGRADE_CHOICES = (*degrade.LEVELS, "mixed")
DPI = 300


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


def make_page(seed: int, index: int, form_choice: str, level: str) -> tuple[Any, dict[str, Any]]:
    """One page's pixels (RGB array) and its ground truth, fully determined by its seed."""
    s = page_seed(seed, index)
    rng = random.Random(s)
    form_name = {"land": LAND, "forest": FOREST}.get(form_choice) or rng.choice([LAND, FOREST])
    if level == "mixed":
        level = degrade.LEVELS[index % len(degrade.LEVELS)]
    form = FORMS[form_name]
    card = draw_card(rng, form_name, form.max_events, form.max_owners)
    clean, lines, seals = draw_page(form, card, rng)
    pixels, matrix = degrade.age(clean, level, s)
    truth = {"form": form_name, "dpi": DPI, "seed": seed, "index": index, "degrade": level,
             "size": [pixels.shape[1], pixels.shape[0]], **truth_of(card), "lines": [],
             "seals": [degrade.map_box(b, matrix)[1] for b in seals]}
    for line in lines:
        record = line.as_json()
        record["quad"], record["box"] = degrade.map_box(line.box, matrix)
        truth["lines"].append(record)
    return pixels, truth


def generate(count: int, out: Path, seed: int = 1, form: str = "mixed",
             level: str = "mixed", start: int = 0) -> Iterator[GeneratedPage]:
    """Writes `count` pages into `out`; clean pages as PNG, aged ones as JPEG, as scanned."""
    if form not in FORM_CHOICES:
        raise ValueError(f"unknown form {form!r}: choose one of {', '.join(FORM_CHOICES)}")
    if level not in DEGRADE_CHOICES:
        raise ValueError(f"unknown degradation {level!r}: choose one of {', '.join(DEGRADE_CHOICES)}")
    out.mkdir(parents=True, exist_ok=True)
    for index in range(start, start + count):
        pixels, truth = make_page(seed, index, form, level)
        kind = "land" if truth["form"] == LAND else "forest"
        stem = f"{kind}_s{seed}_{index:04d}_{truth['degrade']}"
        image_path = out / (stem + (".png" if truth["degrade"] == "none" else ".jpg"))
        img = Image.fromarray(pixels)
        if image_path.suffix == ".png":
            img.save(image_path, dpi=(DPI, DPI), optimize=True)
        else:
            img.save(image_path, quality=90, dpi=(DPI, DPI))
        truth["file"] = image_path.name
        truth_path = image_path.with_suffix(".json")
        truth_path.write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
        yield GeneratedPage(image_path, truth_path)
