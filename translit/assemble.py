"""Values read by their labels, put together into the card's fields and rows.

`ocr.structure` hands over each value with the key its printed label gives (or none)
and the cell it sits in. Here the content has its say (`translit.content`): a value
whose label is illegible or missing is named by what it says, and one whose content
contradicts its label is kept under the label but marked for review. Then the values
of the 沿革 and owner tables are gathered into rows: values whose cells share a row
(or, in a table written down the page, a column) are one entry, read top to bottom
(or right to left). An entry with a name or an address is an owner; one with only a
date and an event word is a 沿革 entry, which is how a printing that keeps both in one
table is told apart.
"""

from __future__ import annotations

from dataclasses import replace

from ocr import labels
from ocr.cells import CellReading
from ocr.structure import LOOSE_LABEL
from ocr.table import gap, shared, union
from translit import content, correct, vocabulary
from translit.numerals import NUMERAL_CHARS

SINGLE = ("location", "lot", "category", "area", "grade")
ROW_KEYS = ("date", "cause", "address", "name")
OWNER_KEYS = ("name", "address")
CLOSED = ("cause", "category")  # keys whose values come from a closed vocabulary
NUMBERED = ("date", "lot", "area", "grade")  # keys whose values always hold a number
SUMS = ("賃貸價格", "地價")  # headings of columns of sums, kept aside
NOT_RECOGNISED = "form not recognised"
ROW_DOUBT = "read as one line with the values beside it"
WRAP_DOUBT = "a line between two values: which one it goes on is a guess"
MARK_DOUBT = "two strokes of one ditto mark, read apart: taken as one mark"
PIECES_DOUBT = "read in two pieces under one label: joined, what stood between them may be lost"
DITTO_SIZE = 0.3  # a ditto mark is at least this share of a character (the line it repeats) each way
WANDER = 0.8  # a value whose middle is this near a row's (for the thinner of the two) is in it
Rect = tuple[int, int, int, int]
LABEL_CHARS = frozenset("".join(labels.VOCABULARY))
STROKE_ASPECT = 4.0  # ink this many times longer than wide holds no one character…
STROKE_SURE = 0.5  # …read less surely than this
NAME_END_MARKS = "仝〃"  # ditto marks no name is written with (同 is a given name's character)
MARK_READINGS = ("二", "11")  # a ditto mark (〃) as the recogniser reads it, in numerals
SURE_SURNAME = 0.9  # a surname read alone this surely under a name heading is a name cut short
SURNAME_ALONE = "a surname alone: the given name went unread"


def _is_ditto(text: str) -> bool:
    text = correct.register_forms(text)
    return text in vocabulary.DITTO_MARKS or len(text) <= 2 and not content.kinds(text)


def _mark_like(text: str) -> bool:
    """A ditto mark, or what the recogniser reads one as in numerals (二, 11), which only
    where it stands tells from a number."""
    return _is_ditto(text) or text.strip() in MARK_READINGS


def _label_piece(text: str) -> bool:
    """A character or two of a printed label read apart from it (住 of 住所, 又 of
    氏名又ハ名稱): no value, though short enough to pass for a ditto mark."""
    word = labels.normalise(correct.register_forms(text))
    return 0 < len(word) <= 2 and word[0] not in vocabulary.DITTO_MARKS \
        and all(ch in LABEL_CHARS for ch in word) and not content.kinds(text)


def _no_name(text: str) -> bool:
    """A reading under a name heading that no name is: a single character, or marks no
    name holds (a seal's remnant, a stamp's border read as 口, T√)."""
    text = correct.register_forms(text)
    if text in vocabulary.DITTO_MARKS:
        return False
    return len(text) < 2 or not all("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"
                                    for ch in text)


def _surname_alone(cell: CellReading) -> bool:
    """A surname read surely, alone, under a name heading the value stands by: a name whose
    given name went too pale to read (羅 of 羅植). It is still the owner's name, and what
    makes its entry an owner's: taken for no name, it was read as a ditto mark and its
    entry as a 沿革 one. A seal's remnant or a stroke reads as no surname."""
    text = correct.register_forms(cell.text).strip()
    return (len(text) == 1 and text in vocabulary.SURNAMES and cell.confidence >= SURE_SURNAME
            and LOOSE_LABEL not in cell.doubts and not _stroke(cell))


def _stroke(cell: CellReading) -> bool:
    """One character read unsurely off a sliver of ink many times longer than wide (a
    worn rule's remnant, a stray stroke, turned and read as 一): no value. Filed as one
    it made an owner of its own, after the last, and so the final owner. A ditto mark
    (〃, read as 川) is such a sliver too: whether it is one, its size beside the value
    it would repeat tells (`_dittos_keyed`)."""
    return len(cell.text.strip()) == 1 and cell.confidence < STROKE_SURE \
        and cell.aspect >= STROKE_ASPECT and not _is_ditto(cell.text)


def _keyed(cell: CellReading) -> CellReading:
    """The value with the key it will be filed under, and any doubt about it."""
    key, doubts = cell.key, list(cell.doubts)
    if key == "extra":
        # A column of sums (賃貸價格, 地價) holds 圓 and 錢; what surely reads as a field
        # under one (an era date, the sums' heading reaching down a card with no rules)
        # is that field. Notes (備考) may hold anything, and stay aside.
        kind, strength = content.best(cell.text)
        if cell.label not in SUMS or strength < content.SURE:
            return cell
        return replace(cell, key=kind, doubts=(
            *doubts, f"the label says {cell.label}, the writing reads as {kind}"))
    if key == "name" and _surname_alone(cell):
        return replace(cell, doubts=(*doubts, SURNAME_ALONE))
    if _label_piece(cell.text) or key == "name" and _no_name(cell.text) or _stroke(cell):
        return replace(cell, key=None)  # kept as a line of the page, filed nowhere
    if key is None:
        kind, strength = content.best(cell.text)
        if strength < content.LIKELY:
            return cell
        key = kind
        doubts.append("no label: named by what it says")
    elif not _is_ditto(cell.text):
        rival = _rival(cell)
        if rival is not None:
            return rival
        # A label that only stands near the value, an owner's label on a value of the
        # 沿革 (a row label of the owner table beside it), or one whose words are a closed
        # list (事故, 地目) over a value that is none of them (a name under 事故) yields to
        # what the value likely says; any label yields to what it surely says (a place the
        # gazetteer knows under a heading of another table, whose own labels wore away).
        # So does a label of a field written in numbers (地積, 地番, 等級, 年月日) over a
        # value without one (a name under the 地積 heading of the cell above, its own
        # corner label unread). Either way a clerk looks.
        loose = LOOSE_LABEL in cell.doubts or cell.section == "events" and key in OWNER_KEYS \
            or key in CLOSED or key in NUMBERED and not any(ch in NUMERAL_CHARS for ch in cell.text)
        fits, kind = content.agrees(key, cell.text, content.LIKELY if loose else content.SURE)
        if not fits and kind:
            doubts.append(f"the label says {key}, the writing reads as {kind}")
            key = kind
    return replace(cell, key=key, doubts=tuple(doubts))


def _contenders(cells: list[CellReading], key: str) -> list[CellReading]:
    """The values keyed to a field the card has once, the one it takes first: a labelled
    one before one named by what it says, unless the labelled one hardly reads as the
    field and the other surely does (a grade under a worn-away label, beside the lot)."""
    def fit(c: CellReading) -> float:
        return content.kinds(c.text).get(key, 0.0)

    mine = sorted((c for c in cells if c.key == key and not c.field),
                  key=lambda c: (c.label is None, -fit(c), (c.area or (0, 0, 0, 0))[1]))
    sure = [c for c in mine if fit(c) >= content.SURE]
    if mine and fit(mine[0]) < content.LIKELY and sure:
        mine.remove(sure[0])
        mine.insert(0, sure[0])
    return mine


def _moved(cell: CellReading, cells: list[CellReading]) -> CellReading:
    """A value that lost its field to another: filed where what it says puts it, when
    that is a field of the card nothing else is keyed to."""
    kind = _named(cell.text)
    if kind in SINGLE and not any(c.key == kind for c in cells):
        return replace(cell, key=kind, doubts=cell.doubts + (
            f"another value holds the {cell.key}: taken as the {kind} it reads as",))
    return cell


def _rival(cell: CellReading) -> CellReading | None:
    """The value under another label it stands by, when what it says contradicts the
    nearest label and agrees with that one (a name under a date heading two tables up,
    beside its own row label): None when the nearest label stands."""
    if not cell.rivals:
        return None
    fits, kind = content.agrees(cell.key or "", cell.text, content.LIKELY)
    if fits or kind is None:
        return None
    said = content.kinds(cell.text)
    for word, key, relation, in_line in cell.rivals:
        if key in said:
            doubts = tuple(d for d in cell.doubts if d != LOOSE_LABEL)
            return replace(cell, key=key, label=word, relation=relation,
                           doubts=doubts if in_line else doubts + (LOOSE_LABEL,))
    return None


def _rejoined(cells: list[CellReading]) -> list[CellReading]:
    """A value written on two lines of its cell (a long date wrapped after its year), its
    lines read as two values: joined again where the two together say what their label
    does, at least as well as the first line alone and better than the second alone
    (an era's piece joins the rest of its date; the next owner's whole date does not),
    and the second is not what its own label says (a lone 日 cut off a column, joined;
    二百九十六番地 under its village, joined)."""
    out = list(cells)
    pair = _pieces(out)
    while pair is not None:
        first, second = pair
        x0, y0, x1, y1 = first.area or (0, 0, 0, 0)
        a0, b0, a1, b1 = second.area or (0, 0, 0, 0)
        # The rest of a line that could go on another value as well is a guess, for both.
        rivals = [c for c in out if c is not first and _joins(c, second)]
        joined = replace(first, text=first.text + second.text,
                         doubts=first.doubts + ((WRAP_DOUBT,) if rivals else ()),
                         area=(min(x0, a0), min(y0, b0), max(x1, a1), max(y1, b1)))
        out = [joined if c is first else
               replace(c, doubts=c.doubts + (WRAP_DOUBT,)) if any(c is r for r in rivals) else c
               for c in out if c is not second]
        pair = _pieces(out)
    return out


def _pieces(cells: list[CellReading]) -> tuple[CellReading, CellReading] | None:
    """Two values that are one read in two pieces, first piece first; None if none are."""
    for first in cells:
        for second in cells:
            if _joins(first, second):
                return first, second
    return None


def _joins(first: CellReading, second: CellReading) -> bool:
    """Whether `second` is the rest of `first`, read as a value of its own."""
    key = first.key or _named(first.text)  # its label's kind, or else what it says
    if first.field or key is None or second is first or second.field \
            or not _wrapped(first, second):
        return False
    alone = content.kinds(second.text)
    strength = content.kinds(first.text + second.text).get(key, 0.0)
    if second.key not in (None, key) and alone.get(second.key, 0.0) >= content.LIKELY:
        return False  # what its own label says it is
    if alone.get(key, 0.0) >= strength:
        return False  # as much a value on its own (the next owner's date, say)
    before = content.kinds(first.text).get(key, 0.0)
    if strength >= max(content.SURE, before):
        return True
    # A name is never sure by what it says: pieces join when only together they read
    # as a name (元 and 一壽, a column parted at the flat stroke of 一).
    return key == "name" and strength >= content.LIKELY and strength > before


def _named(text: str) -> str | None:
    """The kind an unlabelled value likely is by what it says, if any."""
    kind, strength = content.best(text)
    return kind if strength >= content.LIKELY else None


def _wrapped(first: CellReading, second: CellReading) -> bool:
    """Whether `second` goes on from `first`: further along its line past a gap, or its
    next line (under it; to its left for writing down the page), close by."""
    if first.area is None or second.area is None:
        return False
    across = not first.vertical
    (f0, f1), (s0, s1) = _span(first.area, across), _span(second.area, across)
    (g0, g1), (t0, t1) = _span(first.area, not across), _span(second.area, not across)
    thick = max(f1 - f0, s1 - s0)
    if shared(f0, f1, s0, s1) >= 0.5 and 0 <= t0 - g1 <= 2 * thick:
        return True  # on along the line
    if not across:  # columns run right to left: the next one stands to the left
        f0, f1, s0, s1 = -f1, -f0, -s1, -s0
    return shared(g0, g1, t0, t1) > 0 and 0 <= s0 - f1 <= thick


def _parted(cells: list[CellReading]) -> list[CellReading]:
    """Each value that is two read as one line (a date and its event, an address and its
    owner's name), as the two values."""
    out = []
    for cell in cells:
        if cell.field:
            out.append(cell)
            continue
        keys, both = ("date", "cause"), None
        if cell.key in (None, "date", "cause"):
            row = content.row_read_whole(cell.text)
            if row is not None:
                out += [replace(cell, text=text, key=key, doubts=cell.doubts + (ROW_DOUBT,))
                        for key, text in row]
                continue
            both = content.date_and_event(cell.text)
        if both is None and cell.key in (None, "address", "name"):
            keys, both = ("address", "name"), content.place_and_name(cell.text)
        if cell.key == "name" and len(cell.text.strip()) > 2 \
                and cell.text.strip()[-1] in NAME_END_MARKS:
            # 仝 written after the name for the address beside it, read on one line: no
            # name holds the mark; it is the row's ditto (`_ditto_placed` files it).
            name = cell.text.strip()
            out += [replace(cell, text=name[:-1]),
                    replace(cell, text=name[-1], doubts=cell.doubts + (ROW_DOUBT,))]
            continue
        if both is None and cell.key in (None, "cause", "name"):
            keys, both = ("cause", "name"), content.cause_and_name(cell.text)
            if both is not None:  # which column the line stood in, the label cannot say
                cell = replace(cell, doubts=cell.doubts + (ROW_DOUBT,))
        if both is None and cell.key in (None, *ROW_KEYS):
            out += _parted_at_gaps(cell)
            continue
        if both is None:
            out.append(cell)
            continue
        out += [replace(cell, text=text, key=key) for text, key in zip(both, keys, strict=True)]
    return out


def _parted_at_gaps(cell: CellReading) -> list[CellReading]:
    """A whole row read as one line (査定 高陽郡松浦面九山里 申善福: the rules between its
    cells worn away), parted at the gaps the recogniser read, when each part is likely a
    value of an entry and no two of one kind; each part is marked. Read as one value, it
    made an owner's row a 沿革 entry and moved every owner after it along one."""
    parts = cell.text.split()
    if len(parts) < 2:
        return [cell]
    named = [content.best(part) for part in parts]
    kinds = [kind for kind, strength in named if strength >= content.LIKELY]
    if len(kinds) < len(parts) or len(set(kinds)) < len(kinds) \
            or not set(kinds) <= {*ROW_KEYS, "location"}:
        return [cell]
    return [replace(cell, text=part, key="address" if kind == "location" else kind,
                    doubts=cell.doubts + (ROW_DOUBT + ": parted at its gaps",))
            for part, kind in zip(parts, kinds, strict=True)]


def _span(area: Rect, across: bool) -> tuple[int, int]:
    return (area[1], area[3]) if across else (area[0], area[2])


def _written_across(cells: list[CellReading]) -> bool:
    """Whether the entries run in rows (a value's neighbours in its entry stand beside it)
    rather than in columns: values of one key stacked in a column mean rows."""
    stacked = beside = 0
    for i, a in enumerate(cells):
        for b in cells[i + 1:]:
            if a.key != b.key or a.area is None or b.area is None:
                continue
            if shared(*_span(a.area, False), *_span(b.area, False)) >= 0.5:
                stacked += 1
            elif shared(*_span(a.area, True), *_span(b.area, True)) >= 0.5:
                beside += 1
    return stacked >= beside


def _entries(cells: list[CellReading]) -> list[list[CellReading]]:
    """The row values grouped into entries, in reading order. A value under a column
    heading is in a table written across, one beside a row label in a table written
    down; for the others (a label in the cell, or none) the values' own layout tells."""
    across = [c for c in cells if c.relation == "up"]
    down = [c for c in cells if c.relation in ("left", "right")]
    rest = [c for c in cells if c.relation not in ("up", "left", "right")]
    # One standing among the values of a table of either kind is of that table (a ditto
    # mark in the owners' columns, below a 沿革 table written across).
    inside_down = [c for c in rest if _among(c, down) and not _among(c, across)]
    inside_across = [c for c in rest if _among(c, across) and not _among(c, down)]
    placed = {id(c) for c in inside_down + inside_across}
    written_across = _written_across(rest)  # the others as all of them stand
    rest = [c for c in rest if id(c) not in placed]
    across += inside_across
    down += inside_down
    if written_across:
        across += rest
    else:
        down += rest
    return _grouped(across, True) + _grouped(down, False)


def _among(cell: CellReading, table: list[CellReading]) -> bool:
    """Whether the middle of `cell` lies within the box the `table`'s values fill."""
    boxes = [c.area for c in table if c.area is not None]
    if cell.area is None or not boxes:
        return False
    x, y = (cell.area[0] + cell.area[2]) / 2, (cell.area[1] + cell.area[3]) / 2
    return min(b[0] for b in boxes) <= x <= max(b[2] for b in boxes) \
        and min(b[1] for b in boxes) <= y <= max(b[3] for b in boxes)


def _grouped(cells: list[CellReading], across: bool) -> list[list[CellReading]]:
    """Values sharing a row (`across`) or a column, as entries top to bottom or right to
    left. Two values of different keys that stand in one line are linked, and so are
    the values linked through them: a small address written high in its row is in the
    row of the name beside it, which is in the date's. Where the links join two values
    of one key (a value spanning rows), the entry is parted again in reading order."""
    def position(c: CellReading) -> tuple[float, float]:
        x0, y0, x1, y1 = c.area or (0, 0, 0, 0)
        return ((y0 + y1) / 2, x0) if across else (-(x0 + x1) / 2, y0)

    cells = sorted(cells, key=position)
    spans = [_span(c.area or (0, 0, 0, 0), across) for c in cells]
    group = list(range(len(cells)))

    def root(i: int) -> int:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    for i in range(len(cells)):
        for j in range(i + 1, len(cells)):
            if cells[i].key != cells[j].key and _same_line(spans[i], spans[j]):
                group[root(j)] = root(i)
    linked: dict[int, list[int]] = {}
    for i in range(len(cells)):
        linked.setdefault(root(i), []).append(i)
    groups = _strays_joined(list(linked.values()), cells, spans)
    entries: list[list[CellReading]] = []
    for members in sorted(groups, key=lambda m: position(cells[m[0]])):
        members = _notes_aside(members, cells, spans)
        values, bands = _pieces_joined([cells[i] for i in members],
                                       [spans[i] for i in members], across)
        entries += _in_order(_ditto_placed(values), bands)
    return entries


def _notes_aside(members: list[int], cells: list[CellReading], spans: list[tuple[int, int]]
                 ) -> list[int]:
    """An entry's values less those named only by what they say that stand on the line
    of a value of their key under its heading: a note beside the row (訂正 in the 備考
    column beside the 事由 地目變換), not a second entry. Parted into one, it shifted
    every entry after it. It stays on the page as a line, for a clerk to see."""
    headed = [i for i in members if cells[i].label is not None and LOOSE_LABEL not in cells[i].doubts]
    return [i for i in members if cells[i].label is not None or _is_ditto(cells[i].text)
            or not any(cells[j].key == cells[i].key and shared(*spans[j], *spans[i]) >= 0.5
                       for j in headed)]


def _pieces_joined(cells: list[CellReading], spans: list[tuple[int, int]], across: bool
                   ) -> tuple[list[CellReading], list[tuple[int, int]]]:
    """Two values under one label, on one line of one entry: the pieces of one value (a
    character gone too pale to read between 高陽郡知 and 面幸州外里), joined in the order
    they are written and marked. A row holds one value a label; read as two, the second
    would be an entry of its own and shift every entry after it."""
    cells, spans = list(cells), list(spans)
    joined = True
    while joined:
        joined = False
        pairs = [(m, n) for m in range(len(cells)) for n in range(m + 1, len(cells))]
        for i, j in pairs:
            a, b = cells[i], cells[j]
            if a.key != b.key:
                continue
            pieces = a.label is not None and (a.label, a.relation) == (b.label, b.relation) \
                and not _is_ditto(a.text) and not _is_ditto(b.text) \
                and shared(*spans[i], *spans[j]) >= 0.5
            if not pieces and not _strokes_of_a_mark(a, b):
                continue
            first, second = (a, b) if _along(a, across) <= _along(b, across) else (b, a)
            area = _union_area(a.area, b.area)
            cells[i] = replace(first, text=first.text + second.text, area=area,
                               box=_union_box(first.box, second.box),
                               confidence=min(a.confidence, b.confidence),
                               doubts=first.doubts + (PIECES_DOUBT if pieces else MARK_DOUBT,))
            spans[i] = (min(spans[i][0], spans[j][0]), max(spans[i][1], spans[j][1]))
            del cells[j], spans[j]
            joined = True
            break
    return cells, spans


def _strokes_of_a_mark(a: CellReading, b: CellReading) -> bool:
    """Two ditto marks of one key side by side, no further apart than a mark is long:
    the two strokes of one 〃, read apart (二 and 川 down a column)."""
    if not (_mark_like(a.text) and _mark_like(b.text)) or a.area is None or b.area is None:
        return False
    size = max(a.area[2] - a.area[0], a.area[3] - a.area[1], b.area[2] - b.area[0],
               b.area[3] - b.area[1])
    return gap(a.area, b.area) <= size


def _along(cell: CellReading, across: bool) -> float:
    """Where a value's ink begins along its line: from the left in a row, from the top
    in a column."""
    return min(p[0] if across else p[1] for p in cell.box)


def _union_area(a: Rect | None, b: Rect | None) -> Rect | None:
    return a or b if a is None or b is None else union([a, b])


def _union_box(a: tuple[tuple[float, float], ...], b: tuple[tuple[float, float], ...]
               ) -> tuple[tuple[float, float], ...]:
    xs, ys = [p[0] for p in a + b], [p[1] for p in a + b]
    return (min(xs), min(ys)), (max(xs), min(ys)), (max(xs), max(ys)), (min(xs), max(ys))


def _strays_joined(groups: list[list[int]], cells: list[CellReading],
                   spans: list[tuple[int, int]]) -> list[list[int]]:
    """Values off their line (an address written small beside its owner's column; half
    an entry's values wandered off the other half's line; an event word written high in
    its row, all but touching it) join the entry beside them that has none of their keys,
    when that entry is clearly nearer than any that shares one: by their middles, or by
    the paper between, no more than half the thinner's thickness and half that to any
    other. On their own they would be an entry, and shift every entry after them."""
    def middle(members: list[int]) -> float:
        return sum(spans[i][0] + spans[i][1] for i in members) / (2 * len(members))

    def band(members: list[int]) -> tuple[int, int]:
        return min(spans[i][0] for i in members), max(spans[i][1] for i in members)

    def paper(a: list[int], b: list[int]) -> int:
        (a0, a1), (b0, b1) = band(a), band(b)
        return max(0, max(a0, b0) - min(a1, b1))

    out = [list(g) for g in groups]
    for part in sorted(out, key=len):
        if not part:
            continue
        keys = {cells[i].key for i in part}
        others = [g for g in out if g is not part and g]
        lacking = [g for g in others if not keys & {cells[i].key for i in g}]
        if not lacking:
            continue
        having = [g for g in others if g not in lacking]
        nearest = min(lacking, key=lambda g: abs(middle(g) - middle(part)))
        closest = min(lacking, key=lambda g: paper(g, part))
        thick = min(band(g)[1] - band(g)[0] for g in (part, closest))
        if 2 * paper(closest, part) <= min([thick, *(paper(g, part) for g in having)]):
            nearest = closest  # all but touching its entry, written high or low in its row
        elif 2 * abs(middle(nearest) - middle(part)) >= min(
                (abs(middle(g) - middle(part)) for g in having), default=float("inf")):
            continue
        said = ", ".join(sorted(k or "" for k in keys))
        for i in part:
            cells[i] = replace(cells[i], doubts=cells[i].doubts + (
                f"off its line: joined to the entry beside it, which had no {said}",))
        nearest.extend(part)
        part.clear()
    return [g for g in out if g]


def _dittos_keyed(cells: list[CellReading]) -> list[CellReading]:
    """A ditto mark with no label takes the key of the value it repeats: the nearest one
    above it in its column, or, in a table written down the page, to its right in its
    row (the entry before). Unplaced it would leave its entry without that value. So
    does what the recogniser makes of a mark (〃 read as い, 川, 11): a character or two
    that say nothing. So does a mark whose label only stands near it (a heading of the
    row above reaching down): what it repeats stands in line with it."""
    out = list(cells)
    across = _written_across([c for c in cells if c.key in ROW_KEYS and not c.field])
    for i, cell in enumerate(cells):
        if cell.field or cell.area is None or not _mark_like(cell.text) or _label_piece(cell.text):
            continue
        if cell.key is not None and not (LOOSE_LABEL in cell.doubts and _is_ditto(cell.text)):
            continue
        rows = [c for c in cells if c is not cell and c.key in ROW_KEYS and c.area is not None]
        before = [c for c in rows if _repeats(cell.area, c.area, _mark_across(cell, rows, across))]
        if before:
            nearest = min(before, key=lambda c: gap(cell.area, c.area))
            if min(_ink_sides(cell)) < DITTO_SIZE * min(_ink_sides(nearest)):
                continue  # a speck of dust or a sliver of a stroke, read as 、 or 以: no mark
            # The label it only stood near says nothing of its table either.
            out[i] = replace(cell, key=nearest.key, relation=None, doubts=cell.doubts + (
                f"a ditto mark: taken as the {nearest.key} it repeats",))
    return out


def _mark_across(mark: CellReading, rows: list[CellReading], page: bool) -> bool:
    """Whether the table a mark stands among is written across: among values under column
    headings and none beside row labels, yes; among those beside row labels, no (a card
    whose 沿革 is written across and its owners down); else as most of the page is."""
    across = [c for c in rows if c.relation == "up"]
    down = [c for c in rows if c.relation in ("left", "right")]
    if _among(mark, down) != _among(mark, across):
        return _among(mark, across)
    return page


def _marks_unnamed(cells: list[CellReading]) -> list[CellReading]:
    """二 or 11 under no 等級 label, standing among the rows' values: a ditto mark as the
    recogniser reads one (〃), not the grade its numeral alone would name it. A grade
    stands among the parcel's particulars; filed as one, the mark left its entry without
    the value it repeats."""
    rows = [c for c in cells if c.key in ROW_KEYS]
    return [replace(c, key=None) if c.key == "grade" and labels.VOCABULARY.get(c.label or "") != "grade"
            and c.text.strip() in MARK_READINGS and _among(c, rows) else c for c in cells]


def _ink_sides(cell: CellReading) -> tuple[float, float]:
    """The width and height of a value's ink on the scan."""
    xs, ys = [p[0] for p in cell.box], [p[1] for p in cell.box]
    return max(xs) - min(xs), max(ys) - min(ys)


def _repeats(mark: Rect, value: Rect, across: bool) -> bool:
    """Whether `value` is the one before `mark` in its column (`across`: rows read top
    to bottom) or in its row (columns read right to left)."""
    if across:
        return shared(mark[0], mark[2], value[0], value[2]) >= 0.5 and value[3] <= mark[1]
    return shared(mark[1], mark[3], value[1], value[3]) >= 0.5 and value[0] >= mark[2]


def _ditto_placed(cells: list[CellReading]) -> list[CellReading]:
    """A ditto mark (同, 〃) under a label its row already has a value for, in a row that
    lacks just one kind: the mark stands for that one (同 for the address above, under
    a heading read from another table). It says nothing of its own kind, so only its
    row can place it."""
    keys = [c.key for c in cells]
    missing = [k for k in ROW_KEYS if k not in keys]
    if len(missing) != 1:
        return cells
    for i, cell in enumerate(cells):
        if keys.count(cell.key) > 1 and _is_ditto(cell.text):
            doubt = f"a ditto mark under {cell.key}, which its row has: taken as {missing[0]}"
            return [*cells[:i], replace(cell, key=missing[0], doubts=cell.doubts + (doubt,)),
                    *cells[i + 1:]]
    return cells


def _in_order(cells: list[CellReading], spans: list[tuple[int, int]]
              ) -> list[list[CellReading]]:
    """Linked values as one entry, or, where a key comes twice, as entries in reading
    order, a new one where a key comes again or a value leaves the line."""
    if len({c.key for c in cells}) == len(cells):
        return [cells]
    entries: list[list[CellReading]] = []
    band: tuple[int, int] | None = None
    for cell, span in zip(cells, spans, strict=True):
        entry = entries[-1] if entries else None
        if entry is not None and band is not None and _same_line(band, span) \
                and cell.key not in {c.key for c in entry}:
            entry.append(cell)
            band = (min(band[0], span[0]), max(band[1], span[1]))
        else:
            entries.append([cell])
            band = span
    return entries


def _same_line(band: tuple[int, int], span: tuple[int, int]) -> bool:
    """Whether a value stands in an entry's row (or column): most of it within the band,
    or, for values written loose in a cell whose rules wore away, its middle near the
    band's (hands wander up and down a row)."""
    if shared(*band, *span) >= 0.5:
        return True
    middle = abs((band[0] + band[1]) - (span[0] + span[1])) / 2
    return middle <= WANDER * min(band[1] - band[0], span[1] - span[0])


def _apart(rows: list[CellReading], particulars: list[CellReading]) -> list[CellReading]:
    """The row values that stand before every table: named a row field only by what
    they say (no row label over them, no table section), and lying before the first
    row (above it; in a table written down, right of it) that holds a labelled value
    or a date, apart from it by more than their own thickness, and standing among the
    parcel's particulars. A note under 備考 (國有, 登錄) reads as an event word, but a 沿革
    entry has its date and stands among the others; filed as the first entry, the note
    shifted every entry after it. Such a value stays a line of the page, filed nowhere.
    Values after the labelled rows are kept: there the labels of a card whose rules
    wore away stop reaching."""
    anchored = [c for c in rows if c.area is not None and (
        c.section is not None or labels.VOCABULARY.get(c.label or "") in ROW_KEYS)]
    if not anchored:
        return []
    headed = sum(c.relation == "up" for c in anchored)
    beside = sum(c.relation in ("left", "right") for c in anchored)
    across = headed > beside if headed != beside else _written_across(anchored)
    anchors = anchored + [c for c in rows if c.key == "date" and c.area is not None]
    held = {id(c) for c in anchors}
    # Wholly before, by more than its own thickness: a 沿革 entry whose date and label
    # faded stands right above the next, a note a row or more away.
    if across:
        top = min(c.area[1] for c in anchors if c.area is not None)
        before = [c for c in rows if id(c) not in held and c.area is not None
                  and top - c.area[3] > c.area[3] - c.area[1]]
    else:
        right = max(c.area[2] for c in anchors if c.area is not None)
        before = [c for c in rows if id(c) not in held and c.area is not None
                  and c.area[0] - right > c.area[2] - c.area[0]]
    # Among the parcel's particulars (a note beside them), not below them: between the
    # particulars and the first dated row stands an entry whose date broke into pieces.
    boxes = [p.area for p in particulars if p.area is not None]
    if not boxes:
        return []
    if across:
        end = max(b[3] for b in boxes)
        return [c for c in before if c.area is not None and c.area[1] < end]
    end = min(b[0] for b in boxes)
    return [c for c in before if c.area is not None and c.area[2] > end]


def _is_owner(entry: list[CellReading]) -> bool:
    """An entry with a name or an address, or dated for a change of owner (a sale, an
    inheritance) whose name and address could not be read: filed as a 沿革 entry, it
    would leave the owners one short and shift every owner after it."""
    if any(c.key in OWNER_KEYS for c in entry):
        return True
    if any(c.key == "cause" and correct.event(correct.register_forms(c.text)).text
           in vocabulary.OWNER_CAUSES for c in entry):
        return True
    return all(c.section == "owners" for c in entry)


def assign(cells: list[CellReading], understood: bool = True) -> list[CellReading]:
    """Field paths for values read by their labels ("owners[1].name" …); values that fit
    no field keep an empty path (they stay on the page as lines). When the form was not
    understood (`understood` False: no table, or hardly a label), every field is doubted."""
    if all(c.field for c in cells):
        return cells
    keyed = _dittos_keyed(_marks_unnamed([_keyed(c) if not c.field else c
                                          for c in _parted(_rejoined(cells))]))
    out: list[CellReading] = []
    taken: set[int] = set()
    pending = list(SINGLE)
    while pending:
        key = pending.pop(0)
        mine = _contenders(keyed, key)
        if not mine:
            continue
        out.append(replace(mine[0], field=key))
        taken.add(id(mine[0]))
        for loser in mine[1:]:
            moved = _moved(loser, keyed)
            if moved is not loser:  # a field already passed over is looked at again
                keyed = [moved if c is loser else c for c in keyed]
                pending += [moved.key] if moved.key not in pending else []
    rows = [c for c in keyed if c.key in ROW_KEYS and not c.field and id(c) not in taken]
    apart = {id(c) for c in _apart(rows, [c for c in keyed if c.key in SINGLE])}
    rows = [c for c in rows if id(c) not in apart]
    counts = {"events": 0, "owners": 0}
    for entry in _entries(rows):
        if all(_is_ditto(c.text) for c in entry):
            continue  # marks that repeat what is above them, with nothing of their own
        table = "owners" if _is_owner(entry) else "events"
        index = counts[table]
        counts[table] += 1
        for cell in entry:
            key = cell.key if table == "owners" else ("event" if cell.key == "cause" else cell.key)
            if table == "events" and key not in ("date", "event"):
                key = "event"
            out.append(replace(cell, field=f"{table}[{index}].{key}"))
            taken.add(id(cell))
    out += [c for c in keyed if id(c) not in taken]
    if not understood:
        out = [replace(c, doubts=c.doubts + (NOT_RECOGNISED,)) if c.field else c for c in out]
    return out


def location_beyond(cells: list[CellReading], others: list[CellReading]
                    ) -> tuple[list[CellReading], list[CellReading]]:
    """The page's values, and the lines read outside its table, with the parcel's location
    taken from those lines when no value of the table was filed as it: a line that surely
    names a place down to its province (京畿道高陽郡…) is where a card wrote its 所在
    above or beside its table, or where a cell the rules did not close left it. Marked;
    without it the parcel had no location to be found by."""
    if any(c.field == "location" for c in cells):
        return cells, others
    places = [(content.kinds(c.text).get("location", 0.0), i) for i, c in enumerate(others)]
    strength, best = max(places, default=(0.0, -1))
    if strength < content.SURE:
        return cells, others
    found = replace(others[best], field="location", key="location", doubts=others[best].doubts + (
        "written outside the table: taken as the location",))
    return [*cells, found], others[:best] + others[best + 1:]

