"""Draws a card on its printed form: ruled cells, printed labels, handwritten entries.

Handwriting is imitated one character at a time in a brush font: each character gets
its own size, tilt and baseline jitter, the entry its own slant, slope and spacing, so no two
entries look alike. Every written line's box is the union of the ink actually drawn,
which is what makes the ground truth exact.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

from samples import fonts, vocab
from samples import hand as hands
from samples.card import Card, Entry
from samples.form import FORM_INK, Cell, Form, Rect, Rules

PAPER = (250, 249, 244)
RED = (196, 38, 36)

HAND_FONTS = ("brush", "print")
PRINT_FONTS = ("print", "brush")


@dataclass(frozen=True)
class Line:
    """One written or printed line as drawn: its text, ink box and what it belongs to."""

    text: str
    box: Rect
    kind: str  # "hand" or "print"
    field: str | None
    vertical: bool
    crossed: bool = False
    ditto: bool = False

    def as_json(self) -> dict[str, Any]:
        x0, y0, x1, y1 = self.box
        return {"text": self.text, "box": list(self.box),
                "quad": [[x0, y0], [x1, y0], [x1, y1], [x0, y1]],
                "kind": self.kind, "field": self.field, "vertical": self.vertical,
                "crossed": self.crossed, "ditto": self.ditto}


def _glyph(ch: str, size: int, roles: tuple[str, ...], tilt: float,
           slant: float = 0.0) -> Image.Image:
    """One character as an ink mask (L), sheared by `slant` (x per y) and tilted by `tilt`
    degrees, cropped to its ink."""
    face = fonts.font_for(ch, roles).at(size)
    left, top, right, bottom = face.getbbox(ch)
    mask = Image.new("L", (right - left + 8, bottom - top + 8), 0)
    ImageDraw.Draw(mask).text((4 - left, 4 - top), ch, font=face, fill=255)
    if slant:
        extra = int(abs(slant) * mask.height) + 1
        mask = mask.transform((mask.width + extra, mask.height), Image.Transform.AFFINE,
                              (1, slant, -extra if slant > 0 else 0, 0, 1, 0),
                              resample=Image.Resampling.BICUBIC)
    if tilt:
        mask = mask.rotate(tilt, resample=Image.Resampling.BICUBIC, expand=True)
    bbox = mask.getbbox()
    return mask.crop(bbox) if bbox else mask


def _union(boxes: list[Rect]) -> Rect:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def write(page: Image.Image, text: str, cell: Rect, rng: random.Random, *, vertical: bool,
          hand: bool, colour: tuple[int, int, int], max_size: int = 84,
          spacing: float | None = None, varied: bool | None = None,
          roles: tuple[str, ...] | None = None) -> Rect | None:
    """Writes text inside a cell, fitted to it; returns the box of the ink drawn.

    `spacing` (character pitch in sizes) spreads printed text, as titles printed
    "土 地 臺 帳" are; by default print is set close and handwriting varies. `varied`
    bends each handwritten glyph (samples.hand; by default as TOJI_SAMPLE_HAND says),
    and `roles` chooses the fonts (by default the brush for a hand, print for print).
    """
    x0, y0, x1, y1 = cell
    w, h = x1 - x0, y1 - y0
    n = max(1, len(text))
    pad = (0.05 if vertical else 0.08) if hand else 0.18
    pitch = max(1.08, spacing or 0.0)
    if vertical:
        size = min(max_size, int(w * 0.62), int(h * (1 - 2 * pad) / (n * pitch)))
    else:
        size = min(max_size, int(h * 0.55), int(w * (1 - 2 * pad) / (n * pitch)))
    size = max(size, 14)
    if spacing is None:
        spacing = rng.uniform(0.98, 1.15) if hand else 1.04
    slope = rng.uniform(-0.025, 0.025) if hand else 0.0
    slant = rng.uniform(-0.18, 0.12) if hand else 0.0
    run = n * size * spacing
    if vertical:
        along = y0 + (h - run) / 2 + (rng.uniform(-0.3, 0.3) * (h - run) / 2 if hand else 0)
        across = x0 + w / 2 + (rng.uniform(-0.12, 0.12) * w if hand else 0)
    else:
        start = rng.uniform(pad, max(pad, 1 - pad - run / w)) if hand else (1 - run / w) / 2
        along = x0 + start * w
        across = y0 + h / 2 + (rng.uniform(-0.12, 0.12) * h if hand else 0)
    roles = roles or (HAND_FONTS if hand else PRINT_FONTS)
    if varied is None:
        varied = hands.varied()
    brush = hands.Brush(rng) if hand and varied else None
    drawn: list[Rect] = []
    for i, ch in enumerate(text):
        s = int(size * (rng.uniform(0.9, 1.08) if hand else 1.0))
        glyph = _glyph(ch, s, roles, rng.uniform(-4, 4) if hand else 0.0, slant)
        if brush is not None:
            glyph = hands.character(glyph, rng, brush.next())
        step = i * size * spacing
        drift = step * slope + (rng.uniform(-0.05, 0.05) * size if hand else 0)
        # Centre each character in its slot so narrow ones (ノ, 一) stay in line.
        if vertical:
            cx, cy = across + drift, along + step + size / 2
        else:
            cx, cy = along + step + size / 2, across + drift
        px, py = int(cx - glyph.width / 2), int(cy - glyph.height / 2)
        page.paste(colour, (px, py, px + glyph.width, py + glyph.height), glyph)
        drawn.append((px, py, px + glyph.width, py + glyph.height))
    return _union(drawn) if drawn else None


def _field_entry(card: Card, path: str) -> Entry | None:
    """The card's entry at a form path ("owners[2].name"), or None past the last row."""
    m = re.fullmatch(r"(\w+)(?:\[(\d+)\]\.(\w+))?", path)
    assert m, path
    name, index, attr = m.groups()
    if name == "extra":
        return card.extras.get(path)
    if index is None:
        return getattr(card, name)
    rows = getattr(card, name)
    return getattr(rows[int(index)], attr) if int(index) < len(rows) else None


def _stamp_seal(page: Image.Image, near: Rect, rng: random.Random, text: str) -> Rect:
    """A red seal pressed over an entry: translucent, so the ink below still shows."""
    size = rng.randint(110, 150)
    cx = rng.randint(near[0], max(near[0], near[2] - size // 2))
    cy = (near[1] + near[3]) // 2 + rng.randint(-30, 30)
    layer = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(layer)
    if rng.random() < 0.5:
        draw.ellipse((3, 3, size - 4, size - 4), outline=255, width=7)
    else:
        draw.rectangle((4, 4, size - 5, size - 5), outline=255, width=7)
    write(layer, text, (14, 14, size - 14, size - 14), rng, vertical=len(text) > 1,
          hand=False, colour=255)  # type: ignore[arg-type]
    alpha = layer.point(lambda v: int(v * rng.uniform(0.55, 0.75)))
    x, y = cx - size // 2, cy - size // 2
    page.paste(RED, (x, y, x + size, y + size), alpha)
    return (x, y, x + size, y + size)


def _strike(page: Image.Image, box: Rect, vertical: bool, rng: random.Random) -> None:
    """朱抹: one or two red strokes through a superseded entry."""
    draw = ImageDraw.Draw(page)
    x0, y0, x1, y1 = box
    for k in range(rng.choice([1, 2])):
        off = (k - 0.5) * 14 if k else 0
        if vertical:
            cx = (x0 + x1) / 2 + off
            draw.line((cx + rng.uniform(-8, 8), y0 - 10, cx + rng.uniform(-8, 8), y1 + 10),
                      fill=RED, width=5)
        else:
            cy = (y0 + y1) / 2 + off
            draw.line((x0 - 10, cy + rng.uniform(-8, 8), x1 + 10, cy + rng.uniform(-8, 8)),
                      fill=RED, width=5)


def draw_page(form: Form, card: Card,
              rng: random.Random) -> tuple[Image.Image, list[Line], list[Rect]]:
    """The clean page (before any ageing), every line drawn on it, and its seals' boxes."""
    page = Image.new("RGB", form.page_size, PAPER)
    draw = ImageDraw.Draw(page)
    lines: list[Line] = [_title(page, form, rng)]
    if not form.rules.plain:
        _draw_rules(draw, form, rng)
    entry_rects: dict[Rect, Rect] = {}
    for cell in form.cells:
        if form.rules.plain:
            draw.rectangle(cell.rect, outline=FORM_INK, width=3)
        if not cell.label:
            continue
        if cell.label_at != "cell":
            line, entry_rects[cell.rect] = _corner_label(page, cell, rng)
            lines.append(line)
            continue
        box = write(page, cell.label, cell.rect, rng, vertical=cell.vertical, hand=False,
                    colour=FORM_INK, max_size=48)
        assert box
        lines.append(Line(cell.label, box, "print", None, cell.vertical))
    ink = rng.choice([(22, 20, 24), (35, 28, 22), (20, 24, 40)])
    seals: list[Rect] = []
    for cell in form.cells:
        entry = _field_entry(card, cell.field) if cell.field else None
        if entry is None:
            continue
        rect = entry_rects.get(cell.rect, cell.rect)
        if hands.varied() and not cell.vertical and rng.random() < hands.SQUEEZED:
            x0, y0, x1, y1 = rect  # squeezed in against the rule above, small
            rect = (x0, y0 + 2, x1, y0 + max(24, int(0.42 * (y1 - y0))))
        box = write(page, entry.written, rect, rng, vertical=cell.vertical, hand=True,
                    colour=ink)
        assert box
        lines.append(Line(entry.written, box, "hand", cell.field, cell.vertical,
                          entry.crossed, entry.ditto))
        if entry.crossed:
            _strike(page, box, cell.vertical, rng)
        if cell.field and cell.field.endswith(".name") and _owner_of(card, cell.field).sealed:
            seals.append(box)
    stamped = [_stamp_seal(page, box, rng, rng.choice(vocab.SEAL_TEXTS)) for box in seals]
    return page, lines, stamped


def _title(page: Image.Image, form: Form, rng: random.Random) -> Line:
    """The printed title; a spaced one ("土 地 臺 帳") is set wide and recorded unspaced,
    as a reader reports it."""
    printed = form.title or form.name
    text = printed.replace(" ", "")
    box = write(page, text, form.title_box, rng, vertical=form.title_vertical, hand=False,
                colour=FORM_INK, max_size=104, spacing=1.9 if " " in printed else None)
    assert box
    return Line(text, box, "print", None, form.title_vertical)


def _corner_label(page: Image.Image, cell: Cell, rng: random.Random) -> tuple[Line, Rect]:
    """Prints a cell's label small in its top corner; returns its line and the part of the
    cell left for the entry (below the label)."""
    assert cell.label
    x0, y0, x1, y1 = cell.rect
    size = max(22, min(38, (y1 - y0) // 5))
    w, h = int(len(cell.label) * size * 1.75), int(size / 0.55) + 2
    inset = 6
    left = x1 - inset - w if cell.label_at == "corner-right" else x0 + inset
    box = write(page, cell.label, (left, y0 + inset, left + w, y0 + inset + h), rng,
                vertical=False, hand=False, colour=FORM_INK, max_size=size)
    assert box
    return Line(cell.label, box, "print", None, False), (x0, box[3] + 4, x1, y1)


def _draw_rules(draw: ImageDraw.ImageDraw, form: Form, rng: random.Random) -> None:
    """Every distinct cell edge once, in the printing's ink and width, with worn stretches
    left out."""
    rules: Rules = form.rules
    if rules.hidden:
        return
    edges: set[Rect] = set()
    for x0, y0, x1, y1 in (cell.rect for cell in form.cells):
        edges |= {(x0, y0, x1, y0), (x0, y1, x1, y1), (x0, y0, x0, y1), (x1, y0, x1, y1)}
    for x0, y0, x1, y1 in sorted(edges):
        length = max(x1 - x0, y1 - y0)
        pieces = max(1, length // 160)
        for k in range(pieces):
            if rules.drop and rng.random() < rules.drop:
                continue
            a, b = k / pieces, (k + 1) / pieces
            draw.line((x0 + (x1 - x0) * a, y0 + (y1 - y0) * a,
                       x0 + (x1 - x0) * b, y0 + (y1 - y0) * b),
                      fill=rules.colour, width=rules.width)


def _owner_of(card: Card, path: str):  # noqa: ANN202 - a card.Owner
    index = int(re.search(r"\[(\d+)\]", path).group(1))  # type: ignore[union-attr]
    return card.owners[index]
