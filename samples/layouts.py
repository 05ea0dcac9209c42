"""Printings of the register card: layout families, each randomised within itself.

The card was printed for six decades by many offices, so a reader trained or tested on
one printing learns where that printing put things, not how to read a card. Each family
here is one way of laying the card out (labels in a corner, in a cell of their own to
the left or above, as column headings or row labels; written across or down; the 沿革
and the owners in one table or two); each call draws one printing of it: its cell
sizes, margins, wording, extra columns and rules. Field paths are the same in every
family, so the ground truth reads the same whatever the printing.

Families: `land` and `forest` (today's two forms, moved and scaled as a whole so their
templates still fit), `corner`, `vertical`, `combined`, `above` and `ruleless`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from samples import values, vocab
from samples.card import FOREST, LAND, Card, Entry, draw_card
from samples.form import FORMS, PAGE_H, PAGE_W, Cell, Form, Rect, Rules
from samples.values import Value

FAINT_INKS = [(120, 132, 170), (150, 120, 110), (110, 150, 140)]
MIXED = "mixed"


@dataclass(frozen=True)
class Frame:
    """A page and the area inside its margins, at 300 dpi."""

    width: int
    height: int
    left: int
    top: int
    right: int
    bottom: int


@dataclass(frozen=True)
class Family:
    """A way of laying the card out: how to draw one printing of it for a card, and the
    card it has room for (drawn first, since a printing's rows follow the card)."""

    build: Callable[[random.Random, Card], Form]
    capacity: tuple[int, int]  # the most events and owners a card of this printing holds
    content: str | None = None  # the card kind the printing is for; None: either kind


# --- shared pieces -------------------------------------------------------------------

def _frame(rng: random.Random, landscape: bool) -> Frame:
    w, h = int(PAGE_W * rng.uniform(0.95, 1.06)), int(PAGE_H * rng.uniform(0.95, 1.04))
    if landscape:
        w, h = h, w
    return Frame(w, h, rng.randint(70, 170), rng.randint(60, 140),
                 w - rng.randint(70, 170), h - rng.randint(70, 150))


def _cuts(rng: random.Random, start: int, end: int, weights: list[float],
          jitter: float = 0.15) -> list[int]:
    """Cuts [start, end] into len(weights) parts in proportion, each jittered: the edges."""
    drawn = [w * rng.uniform(1 - jitter, 1 + jitter) for w in weights]
    edges, acc = [start], 0.0
    for w in drawn:
        acc += w
        edges.append(start + round((end - start) * acc / sum(drawn)))
    return edges


def _rules(rng: random.Random, allow_hidden: bool = True) -> Rules:
    """Most printings are ruled plainly; some faintly, some worn, a few not at all."""
    r = rng.random()
    if r < 0.5:
        return Rules(width=rng.randint(2, 4))
    if r < 0.72:
        return Rules(rng.choice(FAINT_INKS), rng.randint(1, 3))
    if r < 0.95 or not allow_hidden:
        colour = rng.choice([Rules().colour, *FAINT_INKS])
        return Rules(colour, rng.randint(1, 3), drop=rng.uniform(0.1, 0.35))
    return Rules(hidden=True)


def _title(rng: random.Random, form_name: str) -> str:
    return " ".join(form_name) if rng.random() < 0.35 else form_name


WORDING: dict[str, list[str]] = {
    "location": ["所在", "所在地"], "lot": ["地番"], "category": ["地目"], "area": ["地積"],
    "grade": ["等級"], "date": ["年月日"], "event": ["事由", "事故"],
    "cause": ["事故", "事由"], "address": ["住所"], "name": ["氏名", "氏名又ハ名稱", "名稱"],
}


def _word(rng: random.Random, key: str) -> str:
    """A heading as one printing words it (事故 or 事由, 氏名 or 名稱 …)."""
    return rng.choice(WORDING[key])


def _rows_for(rng: random.Random, used: int, cap: int) -> int:
    """Printed rows: at least those written, often a few left empty."""
    return rng.randint(used, max(used, cap))


def _particulars(card: Card, rng: random.Random) -> list[tuple[str, str]]:
    """(label, field) of the parcel's particulars this printing has, extras included."""
    items = [(_word(rng, "location"), "location"), ("地番", "lot"), ("地目", "category"),
             ("地積", "area")]
    if card.grade:
        items.append(("等級", "grade"))
        if rng.random() < 0.5:
            items.append(("賃貸價格", "extra[0].賃貸價格"))
    if rng.random() < 0.3:
        items.append(("地價", "extra[0].地價"))
    return items


# --- today's two forms, reprinted -----------------------------------------------------

def _reprint(rng: random.Random, card: Card) -> Form:
    """Today's form for the card's kind, moved and scaled as a whole: its templates
    are fitted to the outer frame, so the cells keep their proportions exactly."""
    base = FORMS[card.form]
    scale = rng.uniform(0.88, 1.0)
    page = (int(PAGE_W * rng.uniform(0.97, 1.06)), int(PAGE_H * rng.uniform(0.97, 1.05)))
    x0 = min(c.rect[0] for c in base.cells)
    x1 = max(c.rect[2] for c in base.cells)
    y0, y1 = base.title_box[1], max(c.rect[3] for c in base.cells)
    dx = rng.uniform(40, max(40, page[0] - 40 - (x1 - x0) * scale)) - x0 * scale
    dy = rng.uniform(30, max(30, page[1] - 40 - (y1 - y0) * scale)) - y0 * scale

    def move(r: Rect) -> Rect:
        return (round(r[0] * scale + dx), round(r[1] * scale + dy),
                round(r[2] * scale + dx), round(r[3] * scale + dy))

    cells = tuple(Cell(move(c.rect), c.label, c.field, c.vertical) for c in base.cells)
    _, ty0, _, ty1 = move(base.title_box)
    title_box = (round(x0 * scale + dx), ty0, round(x1 * scale + dx), ty1)
    return Form(base.name, title_box, cells, base.max_events, base.max_owners, page,
                _title(rng, base.name), rules=_rules(rng, allow_hidden=False))


# --- corner: labels printed small in the corner of each value cell ---------------------

def _corner(rng: random.Random, card: Card) -> Form:
    f = _frame(rng, landscape=False)
    side = rng.choice(["corner", "corner-right"])
    title_h = rng.randint(110, 150)
    cells: list[Cell] = []
    y = f.top + title_h + rng.randint(20, 60)
    items = _particulars(card, rng)
    for row in (items[:2], items[2:]):
        h = rng.randint(170, 230)
        xs = _cuts(rng, f.left, f.right, [5 if k == "location" else 2 for _, k in row])
        cells += [Cell((xs[i], y, xs[i + 1], y + h), label, key, label_at=side)
                  for i, (label, key) in enumerate(row)]
        y += h
    head_w = rng.randint(90, 120)
    rows = _rows_for(rng, len(card.events), 4)
    row_h = rng.randint(150, 185)
    bottom = y + rows * row_h
    cells.append(Cell((f.left, y, f.left + head_w, bottom), "沿革", vertical=True))
    xs = _cuts(rng, f.left + head_w, f.right, [5, 4])
    event_word = _word(rng, "event")
    for i in range(rows):
        top = y + i * row_h
        cells += [Cell((xs[0], top, xs[1], top + row_h), "年月日", f"events[{i}].date",
                       label_at=side),
                  Cell((xs[1], top, xs[2], top + row_h), event_word, f"events[{i}].event",
                       label_at=side)]
    y = bottom
    columns = ["date", "cause", "address", "name"]
    if rng.random() < 0.4:
        columns[2:] = ["name", "address"]
    labelled = rng.random() < 0.7  # or no headings at all: the reader goes by content
    rows = _rows_for(rng, len(card.owners), 6)
    row_h = (f.bottom - y) // rows
    cells.append(Cell((f.left, y, f.left + head_w, y + rows * row_h), "所有者", vertical=True))
    xs = _cuts(rng, f.left + head_w, f.right,
               [{"date": 5, "cause": 3, "address": 6, "name": 3.5}[k] for k in columns])
    words = {k: _word(rng, k) for k in columns}
    for i in range(rows):
        top = y + i * row_h
        for j, key in enumerate(columns):
            cells.append(Cell((xs[j], top, xs[j + 1], top + row_h),
                              words[key] if labelled else None, f"owners[{i}].{key}",
                              label_at=side))
    return Form(card.form, (f.left, f.top, f.right, f.top + title_h), tuple(cells),
                4, 6, (f.width, f.height), _title(rng, card.form), rules=_rules(rng))


# --- vertical: landscape, written down, columns read right to left ---------------------

def _vertical(rng: random.Random, card: Card) -> Form:
    f = _frame(rng, landscape=True)
    right, top = f.right, f.top
    if rng.random() < 0.5:
        title_w = rng.randint(130, 170)
        title_box: Rect = (right - title_w, top, right, f.bottom)
        right -= title_w + rng.randint(0, 30)
        title_vertical = True
    else:
        title_h = rng.randint(110, 140)
        title_box, title_vertical = (f.left, top, f.right, top + title_h), False
        top += title_h + rng.randint(10, 40)
    cells, x = _vertical_particulars(rng, card, right, top, f.bottom)
    event_cells, x = _column_block(rng, x, top, f.bottom, "沿革", "events",
                                   [("date", 0.62), ("event", 0.38)],
                                   _rows_for(rng, len(card.events), 4),
                                   rng.randint(115, 140))
    owner_cols = _rows_for(rng, len(card.owners), 6)
    label_w = rng.randint(95, 125)
    owner_cells, _ = _column_block(rng, x, top, f.bottom, "所有者", "owners",
                                   [("date", 0.3), ("cause", 0.15), ("address", 0.33),
                                    ("name", 0.22)],
                                   owner_cols, (x - f.left - label_w) // owner_cols, label_w)
    return Form(card.form, title_box, tuple(cells + event_cells + owner_cells), 4, 6,
                (f.width, f.height), _title(rng, card.form), title_vertical, _rules(rng))


def _vertical_particulars(rng: random.Random, card: Card, right: int, top: int,
                          bottom: int) -> tuple[list[Cell], int]:
    """The particulars as columns from the right: the label at the top, the value below."""
    label_h = rng.randint(160, 210)
    label_vertical = rng.random() < 0.5
    cells: list[Cell] = []
    x = right
    for label, key in _particulars(card, rng):
        w = rng.randint(160, 190) if key == "location" else rng.randint(125, 150)
        vertical_label = label_vertical or len(label) > 2  # too long to print across
        cells += [Cell((x - w, top, x, top + label_h), label, vertical=vertical_label),
                  Cell((x - w, top + label_h, x, bottom), field=key, vertical=True)]
        x -= w
    return cells, x


def _column_block(rng: random.Random, right: int, top: int, bottom: int, heading: str,
                  rows_of: str, bands: list[tuple[str, float]], columns: int, col_w: int,
                  label_w: int | None = None) -> tuple[list[Cell], int]:
    """A table written in columns read right to left: a heading across its top, row labels
    in a column of their own at the right, one column per entry. Returns its left edge."""
    head_h = rng.randint(80, 110)
    label_w = label_w or rng.randint(95, 125)
    assert col_w >= 110, "the page is too narrow for this many columns"
    left = right - label_w - columns * col_w
    cells = [Cell((left, top, right, top + head_h), heading)]
    ys = _cuts(rng, top + head_h, bottom, [share for _, share in bands], 0.1)
    for b, (key, _) in enumerate(bands):
        y0, y1 = ys[b], ys[b + 1]
        cells.append(Cell((right - label_w, y0, right, y1), _word(rng, key), vertical=True))
        for i in range(columns):
            x1 = right - label_w - i * col_w
            cells.append(Cell((x1 - col_w, y0, x1, y1), field=f"{rows_of}[{i}].{key}",
                              vertical=True))
    return cells, left


# --- combined: labels to the left, one table of history and owners in date order ------

def _combined(rng: random.Random, card: Card) -> Form:
    f = _frame(rng, landscape=False)
    title_h = rng.randint(110, 150)
    y = f.top + title_h + rng.randint(20, 60)
    items = _particulars(card, rng)
    cells: list[Cell] = []
    for row in (items[:2], items[2:5], items[5:]):
        if row:
            h = rng.randint(140, 190)
            cells += _left_labelled_row(rng, row, f.left, f.right, y, h)
            y += h
    y += rng.choice([0, rng.randint(20, 50)])
    cells += _date_ordered_table(rng, card, f.left, f.right, y, f.bottom)
    return Form(card.form, (f.left, f.top, f.right, f.top + title_h), tuple(cells),
                4, 7, (f.width, f.height), _title(rng, card.form), rules=_rules(rng))


def _left_labelled_row(rng: random.Random, row: list[tuple[str, str]], left: int,
                       right: int, y: int, h: int) -> list[Cell]:
    """Label cell, value cell, label cell, value cell … across one band."""
    weights: list[float] = []
    for label, key in row:
        weights += [0.6 + 0.25 * len(label), 5 if key == "location" else 2]
    xs = _cuts(rng, left, right, weights, 0.1)
    cells = []
    for i, (label, key) in enumerate(row):
        cells += [Cell((xs[2 * i], y, xs[2 * i + 1], y + h), label),
                  Cell((xs[2 * i + 1], y, xs[2 * i + 2], y + h), field=key)]
    return cells


def _date_ordered_table(rng: random.Random, card: Card, left: int, right: int, top: int,
                        bottom: int) -> list[Cell]:
    """One table for the 沿革 and the owners, a row per entry in date order: an event
    writes its word under 事由 and leaves the name empty."""
    columns = ["date", "name", "address", "why"]
    if rng.random() < 0.3:
        columns[1:3] = ["address", "name"]
    if rng.random() < 0.3:
        columns.insert(1, columns.pop())
    if rng.random() < 0.75:
        columns.append("rent")
    words = {"date": "年月日", "name": _word(rng, "name"), "address": "住所",
             "why": _word(rng, "cause"), "rent": "賃貸價格"}
    share = {"date": 6, "name": 3.5, "address": 6, "why": 3.5, "rent": 2.5}
    xs = _cuts(rng, left, right, [share[k] for k in columns])
    head_h = rng.randint(80, 110)
    cells = [Cell((xs[j], top, xs[j + 1], top + head_h), words[k]) for j, k in enumerate(columns)]
    entries = sorted([(e.date.value.extra["iso"], 0, i) for i, e in enumerate(card.events)] +
                     [(o.date.value.extra["iso"], 1, i) for i, o in enumerate(card.owners)])
    row_h = rng.randint(140, 190)
    rows = max(len(entries), (bottom - top - head_h) // row_h)
    row_h = (bottom - top - head_h) // rows
    for r in range(rows):
        y = top + head_h + r * row_h
        paths = _combined_row(rng, entries[r] if r < len(entries) else None, r)
        cells += [Cell((xs[j], y, xs[j + 1], y + row_h), field=paths.get(k))
                  for j, k in enumerate(columns)]
    return cells


def _combined_row(rng: random.Random, entry: tuple[str, int, int] | None,
                  row: int) -> dict[str, str]:
    """The field path each column of one row of the combined table holds."""
    if entry is None:
        return {}
    _, is_owner, i = entry
    if is_owner:
        paths = {k: f"owners[{i}].{k}" for k in ("date", "name", "address")}
        paths["why"] = f"owners[{i}].cause"
    else:
        paths = {"date": f"events[{i}].date", "why": f"events[{i}].event"}
    if rng.random() < (0.15 if is_owner else 0.6):
        paths["rent"] = f"extra[{row + 1}].賃貸價格"
    return paths


# --- above: labels in their own cells above their values; two tables -----------------

def _above(rng: random.Random, card: Card) -> Form:
    f = _frame(rng, landscape=False)
    title_h = rng.randint(110, 150)
    y = f.top + title_h + rng.randint(20, 60)
    items = _particulars(card, rng)
    if rng.random() < 0.4:
        items.append(("備考", "extra[0].備考"))
    cells: list[Cell] = []
    label_h = rng.randint(70, 95)
    for row in (items[:3], items[3:]):
        h = rng.randint(130, 170)
        xs = _cuts(rng, f.left, f.right, [4 if k in ("location", "extra[0].備考") else 2
                                          for _, k in row])
        for i, (label, key) in enumerate(row):
            cells += [Cell((xs[i], y, xs[i + 1], y + label_h), label),
                      Cell((xs[i], y + label_h, xs[i + 1], y + label_h + h), field=key)]
        y += label_h + h
    y += rng.randint(20, 60)
    event_cols = [("date", 5), ("event", 4)] + ([("note", 3)] if rng.random() < 0.35 else [])
    event_rows = _rows_for(rng, len(card.events), 4)
    row_h = rng.randint(120, 160)
    cells += _headed_table(rng, "沿革", "events", event_cols, event_rows, row_h,
                           f.left, f.right, y, label_h)
    y += 2 * label_h + event_rows * row_h + rng.randint(20, 60)
    owner_cols = [("date", 5), ("cause", 3), ("address", 6), ("name", 3.5)]
    if rng.random() < 0.35:
        owner_cols[2:] = owner_cols[:1:-1]
    owner_rows = _rows_for(rng, len(card.owners), 6)
    row_h = (f.bottom - y - 2 * label_h) // owner_rows
    cells += _headed_table(rng, "所有者", "owners", owner_cols, owner_rows, row_h,
                           f.left, f.right, y, label_h)
    return Form(card.form, (f.left, f.top, f.right, f.top + title_h), tuple(cells),
                4, 6, (f.width, f.height), _title(rng, card.form), rules=_rules(rng))


def _headed_table(rng: random.Random, heading: str, rows_of: str,
                  columns: list[tuple[str, float]], rows: int, row_h: int, left: int,
                  right: int, top: int, head_h: int) -> list[Cell]:
    """A table under its own heading band, then a row of column headings, then rows; a
    `note` column is the printing's 備考, filled now and then."""
    xs = _cuts(rng, left, right, [w for _, w in columns])
    cells = [Cell((left, top, right, top + head_h), heading)]
    y = top + head_h
    cells += [Cell((xs[j], y, xs[j + 1], y + head_h), "備考" if k == "note" else _word(rng, k))
              for j, (k, _) in enumerate(columns)]
    y += head_h
    for i in range(rows):
        for j, (k, _) in enumerate(columns):
            path = f"extra[{i + 1}].備考" if k == "note" else f"{rows_of}[{i}].{k}"
            cells.append(Cell((xs[j], y, xs[j + 1], y + row_h), field=path))
        y += row_h
    return cells


# --- ruleless: no rules; each label printed with its value beside it ------------------

def _ruleless(rng: random.Random, card: Card) -> Form:
    f = _frame(rng, landscape=False)
    title_h = rng.randint(110, 150)
    y = f.top + title_h + rng.randint(40, 90)
    line_h = rng.randint(120, 160)
    cells, y = _label_value_lines(rng, _particulars(card, rng), f, y, line_h)
    for heading, rows_of, keys, rows in (
            ("沿革", "events", ["date", "event"], len(card.events)),
            ("所有者", "owners", ["date", "cause", "address", "name"], len(card.owners))):
        y += rng.randint(20, 60)
        cells.append(Cell((f.left, y, f.left + 90 * len(heading), y + line_h), heading))
        y += line_h
        xs = _cuts(rng, f.left + rng.randint(40, 120), f.right,
                   [{"date": 5, "event": 4, "cause": 3, "address": 6, "name": 3.5}[k]
                    for k in keys])
        for i in range(rows):
            cells += [Cell((xs[j], y, xs[j + 1], y + line_h), field=f"{rows_of}[{i}].{k}")
                      for j, k in enumerate(keys)]
            y += line_h
    return Form(card.form, (f.left, f.top, f.right, f.top + title_h), tuple(cells),
                3, 5, (f.width, f.height), _title(rng, card.form), rules=Rules(hidden=True))


def _label_value_lines(rng: random.Random, items: list[tuple[str, str]], f: Frame, y: int,
                       line_h: int) -> tuple[list[Cell], int]:
    """Each label printed with room for its value right beside it, wrapping to the next
    line at the margin. Returns the cells and the top of the next free line."""
    room = {"location": 1000, "lot": 520, "area": 560}
    cells: list[Cell] = []
    x = f.left
    for label, key in items:
        label_w = 70 * len(label) + 40
        value_w = int(room.get(key, 420) * rng.uniform(0.9, 1.15))
        if x + label_w + value_w > f.right and x > f.left:
            x, y = f.left, y + line_h
        cells += [Cell((x, y, x + label_w, y + line_h), label),
                  Cell((x + label_w, y, x + label_w + value_w, y + line_h), field=key)]
        x += label_w + value_w + rng.randint(40, 120)
    return cells, y + line_h


FAMILIES: dict[str, Family] = {
    "land": Family(_reprint, (FORMS[LAND].max_events, FORMS[LAND].max_owners), LAND),
    "forest": Family(_reprint, (FORMS[FOREST].max_events, FORMS[FOREST].max_owners), FOREST),
    "corner": Family(_corner, (4, 6)),
    "vertical": Family(_vertical, (4, 6)),
    "combined": Family(_combined, (4, 7)),
    "above": Family(_above, (4, 6)),
    "ruleless": Family(_ruleless, (3, 5)),
}
LAYOUT_CHOICES = (*FAMILIES, MIXED)


def family_for(layout: str, index: int, form_name: str | None) -> str:
    """The family of one page: the one asked for, or for `mixed` each in turn (those
    that print the card kind asked for, when one is)."""
    if layout != MIXED:
        if layout not in FAMILIES:
            raise ValueError(f"unknown layout {layout!r}: choose one of "
                             f"{', '.join(LAYOUT_CHOICES)}")
        return layout
    fitting = [n for n, f in FAMILIES.items() if form_name is None or f.content in (None, form_name)]
    return fitting[index % len(fitting)]


def print_card(rng: random.Random, family: str, form_name: str) -> tuple[Card, Form]:
    """Draws a card of the family's capacity, one printing of the family for it, and the
    values of the extra columns that printing has."""
    spec = FAMILIES[family]
    card = draw_card(rng, spec.content or form_name, *spec.capacity)
    form = spec.build(rng, card)
    for cell in form.cells:
        if cell.field and cell.field.startswith("extra") and rng.random() < 0.85:
            value = extra_value(rng, cell.field.split(".", 1)[1])
            card.extras[cell.field] = Entry(value, value.hanja)
    return card, form


def extra_value(rng: random.Random, label: str) -> Value:
    """A plausible entry for a column some printings add: money for 賃貸價格 and 地價, a
    short note for 備考."""
    if label == "備考":
        return Value(*rng.choice([*vocab.LATER_EVENTS, ("國有", "국유"), ("分筆", "분필")]))
    formal = rng.random() < 0.5
    yen = rng.randint(0, 40) if label == "賃貸價格" else rng.randint(5, 3000)
    sen = rng.choice(range(5, 100, 5)) if label == "賃貸價格" or yen < 20 else 0
    if not yen and not sen:
        yen = 1
    hanja = (f"{values.write_number(yen, formal)}圓" if yen else "") + \
        (f"{values.write_number(sen, formal)}錢" if sen else "")
    hangul = " ".join(p for p in (f"{yen}원" if yen else "", f"{sen}전" if sen else "") if p)
    return Value(hanja, hangul, {"value": yen + sen / 100, "unit": "圓"})
