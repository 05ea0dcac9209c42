"""The printed forms of 土地臺帳 and 林野臺帳 at 300 dpi: ruled cells and their labels.

A form is a list of cells, each a rectangle with a printed label, a field that a clerk
fills in, or both (a label printed small in the cell's corner above the entry). Field names are paths into the card ("owners[2].name"), so
the ground truth says which field every written line belongs to. Land cards write
owners in horizontal rows; forest cards in vertical columns read right to left, as
the real 林野臺帳 does.
"""

from __future__ import annotations

from dataclasses import dataclass

from samples.card import FOREST, LAND

PAGE_W, PAGE_H = 2244, 3189  # 190 × 270 mm at 300 dpi
LEFT, RIGHT, BOTTOM = 100, 2144, 3060

FORM_INK = (52, 60, 92)

Rect = tuple[int, int, int, int]


@dataclass(frozen=True)
class Cell:
    rect: Rect
    label: str | None = None  # printed text, for label cells
    field: str | None = None  # card path, for cells a clerk writes in
    vertical: bool = False
    # Where the label is printed: "cell" fills the cell (a label cell of its own);
    # "corner" / "corner-right" prints it small in the top-left / top-right corner of a
    # cell that also holds the field's entry.
    label_at: str = "cell"


@dataclass(frozen=True)
class Rules:
    """How a printing's rules look: ink, stroke width, and how much of them is missing.

    Real forms were printed in pale inks, on worn plates, or without rules at all; a
    reader that needs every rule to find a cell fails on them.
    """

    colour: tuple[int, int, int] = FORM_INK
    width: int = 3
    drop: float = 0.0  # chance that one stretch of a rule is missing
    hidden: bool = False  # no rules at all

    @property
    def plain(self) -> bool:
        """Today's rules: every cell outlined whole, in the form's ink."""
        return self == Rules()


@dataclass(frozen=True)
class Form:
    name: str
    title_box: Rect
    cells: tuple[Cell, ...]
    max_events: int
    max_owners: int
    page_size: tuple[int, int] = (PAGE_W, PAGE_H)  # width, height at 300 dpi
    title: str | None = None  # as printed ("土 地 臺 帳"); None prints the name
    title_vertical: bool = False
    rules: Rules = Rules()


def _header(land: bool) -> list[Cell]:
    cells = [
        Cell((LEFT, 260, 270, 420), label="所在"),
        Cell((270, 260, 1500, 420), field="location"),
        Cell((1500, 260, 1670, 420), label="地番"),
        Cell((1670, 260, RIGHT, 420), field="lot"),
        Cell((LEFT, 420, 270, 570), label="地目"),
        Cell((270, 420, 560, 570), field="category"),
        Cell((560, 420, 730, 570), label="地積"),
    ]
    if land:
        cells += [Cell((730, 420, 1500, 570), field="area"),
                  Cell((1500, 420, 1670, 570), label="等級"),
                  Cell((1670, 420, RIGHT, 570), field="grade")]
    else:
        cells.append(Cell((730, 420, RIGHT, 570), field="area"))
    return cells


def _events(rows: int) -> list[Cell]:
    top, head, row_h = 570, 80, 140
    bottom = top + head + rows * row_h
    cells = [Cell((LEFT, top, 200, bottom), label="沿革", vertical=True),
             Cell((200, top, 1000, top + head), label="年月日"),
             Cell((1000, top, RIGHT, top + head), label="事由")]
    for i in range(rows):
        y = top + head + i * row_h
        cells += [Cell((200, y, 1000, y + row_h), field=f"events[{i}].date"),
                  Cell((1000, y, RIGHT, y + row_h), field=f"events[{i}].event")]
    return cells


def _owner_rows(top: int, rows: int) -> list[Cell]:
    head = 80
    row_h = (BOTTOM - top - head) // rows
    columns = [("年月日", "date", 200, 760), ("事故", "cause", 760, 1080),
               ("住所", "address", 1080, 1800), ("氏名", "name", 1800, RIGHT)]
    cells = [Cell((LEFT, top, 200, BOTTOM), label="所有者", vertical=True)]
    cells += [Cell((x0, top, x1, top + head), label=label) for label, _, x0, x1 in columns]
    for i in range(rows):
        y = top + head + i * row_h
        cells += [Cell((x0, y, x1, y + row_h), field=f"owners[{i}].{key}")
                  for _, key, x0, x1 in columns]
    return cells


def _owner_columns(top: int, columns: int) -> list[Cell]:
    head_w = 140
    bands = [("年月日", "date", 660), ("事故", "cause", 280), ("住所", "address", 720)]
    used = sum(h for *_, h in bands)
    bands.append(("氏名", "name", BOTTOM - top - used))
    col_w = (RIGHT - head_w - LEFT) // columns
    cells: list[Cell] = []
    y = top
    for label, key, h in bands:
        cells.append(Cell((RIGHT - head_w, y, RIGHT, y + h), label=label, vertical=True))
        for i in range(columns):
            x1 = RIGHT - head_w - i * col_w
            cells.append(Cell((x1 - col_w, y, x1, y + h), field=f"owners[{i}].{key}",
                              vertical=True))
        y += h
    return cells


FORMS: dict[str, Form] = {
    LAND: Form(LAND, (0, 110, PAGE_W, 230),
               tuple(_header(True) + _events(4) + _owner_rows(1240, 6)), 4, 6),
    FOREST: Form(FOREST, (0, 110, PAGE_W, 230),
                 tuple(_header(False) + _events(3) + _owner_columns(1100, 8)), 3, 8),
}
