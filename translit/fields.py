"""Cells to a register record: every field with the hanja as read, the corrected hanja, its
normalised value, its confidence and place on the scan, and the reasons to review it.

Input is a plain list of `CellReading`s keyed by form path ("owners[2].name"); ditto
marks take the value of the row above; a struck-out value stays, marked `crossed`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from ocr.cells import CellReading
from ocr.unsure import unsure_of
from translit import correct, gazetteer, measures, reading, vocabulary
from translit.dates import DateReading, parse_date
from translit.numerals import DIGITS, NUMERAL_CHARS, parse_number

LOW_CONFIDENCE = 0.80
LOW_CONFIDENCE_NAME = 0.90  # names decide ancestral-land searches: doubt them sooner
# A name one of whose characters the recogniser gave this much to another is doubted,
# however sure the line: one wrong stroke makes another person (羅壽浩 read 羅書浩).
NAME_RIVAL = 0.2
MISSING_CHARS = 1.4  # ink this much longer than the text read: characters were lost
# A name's characters are about square: ink this much longer than the name read may hold
# one more, which search looks for (a lower bar than review's: a key costs a clerk nothing)
LOST_IN_NAME = 1.25
PATH = re.compile(r"(\w+)(?:\[(\d+)\])?(?:\.(\w+))?")
ADDRESS_NUMBER = re.compile(r"(?P<place>.*?)(?P<number>[^郡面里洞邑]+)番地")


@dataclass(frozen=True)
class Field:
    """One value of the record. `hanja` is the corrected reading, `raw` what the engine
    read; `value` holds the normalised form (iso, text, value/unit/m2, place parts)."""

    raw: str
    hanja: str
    confidence: float
    box: tuple[tuple[float, float], ...] | None = None
    value: dict[str, Any] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    ditto: bool = False
    crossed: bool = False

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"hanja": self.hanja, **self.value,
                               "confidence": round(self.confidence, 3)}
        if self.raw != self.hanja:
            out["raw"] = self.raw
        if self.box:
            out["box"] = [list(p) for p in self.box]
        if self.ditto:
            out["ditto"] = True
        if self.crossed:
            out["crossed"] = True
        if self.problems:
            out["problems"] = list(self.problems)
        return out


@dataclass(frozen=True)
class Event:
    date: Field | None
    event: Field | None


@dataclass(frozen=True)
class Owner:
    date: Field | None
    cause: Field | None
    address: Field | None
    name: Field | None


@dataclass(frozen=True)
class RegisterRecord:
    form: str
    location: Field | None
    lot: Field | None
    category: Field | None
    area: Field | None
    grade: Field | None
    events: tuple[Event, ...]
    owners: tuple[Owner, ...]

    def fields(self) -> Iterable[tuple[str, Field]]:
        """Every present field with its path, in card order."""
        for name in ("location", "lot", "category", "area", "grade"):
            f = getattr(self, name)
            if f is not None:
                yield name, f
        for rows, name, keys in ((self.events, "events", ("date", "event")),
                                 (self.owners, "owners", ("date", "cause", "address", "name"))):
            for i, row in enumerate(rows):
                for key in keys:
                    f = getattr(row, key)
                    if f is not None:
                        yield f"{name}[{i}].{key}", f

    def review(self) -> list[str]:
        """Paths of the fields a clerk should check."""
        return [path for path, f in self.fields() if f.problems]

    def as_json(self) -> dict[str, Any]:
        def j(f: Field | None) -> dict[str, Any] | None:
            return f.as_json() if f else None

        review = self.review()
        return {
            "form": self.form, "location": j(self.location), "lot": j(self.lot),
            "category": j(self.category), "area": j(self.area), "grade": j(self.grade),
            "events": [{"date": j(e.date), "event": j(e.event)} for e in self.events],
            "owners": [{"date": j(o.date), "cause": j(o.cause), "address": j(o.address),
                        "name": j(o.name)} for o in self.owners],
            "review": {"needs_review": bool(review), "fields": review},
        }


def _base(cell: CellReading) -> dict[str, Any]:
    return {"raw": cell.text, "confidence": cell.confidence, "box": cell.box,
            "crossed": cell.crossed}


def _low(cell: CellReading, threshold: float = LOW_CONFIDENCE) -> tuple[str, ...]:
    """Doubts any field shares: a low score, or ink too long for the characters read."""
    problems = []
    if cell.confidence < threshold:
        problems.append(f"low confidence {cell.confidence:.2f}")
    if cell.text and cell.aspect / len(cell.text) > MISSING_CHARS:
        problems.append("characters may be missing")
    return tuple(problems)


def read_location(cell: CellReading) -> Field:
    text = correct.register_forms(cell.text)
    match = correct.place(text)
    problems: tuple[str, ...] = ()
    if match.place is None:
        problems = ("place not in the gazetteer",)
        place = reading.read_place(text)
        value: dict[str, Any] = {"hangul": place.hangul, **place.details}
    else:
        value = _place_value(match)
        if match.distance > 1:
            problems = (f"place corrected by {match.distance} characters",)
    return Field(hanja=match.text, value=value, problems=problems + _low(cell), **_base(cell))


def _place_value(match: correct.PlaceMatch) -> dict[str, Any]:
    """A place's parts and its reading from the gazetteer (the place's own, 纛島 뚝도)."""
    assert match.place is not None
    names = [getattr(match.place, k) for k in match.levels]
    return {"hangul": " ".join(n[1] for n in names),
            "parts": {k: n[0] for k, n in zip(match.levels, names, strict=True)},
            "modern": gazetteer.modern_district(match.text) or "unmapped"}


def _mark_read_as_eight(text: str) -> str | None:
    """The lot with its mark put back, when the engine read ノ as 八: no mark was read and
    the sub number is digits side by side led by 八 (二十六番八六), while the main number
    is written with units (二十六): a clerk writes both numbers alike, so 八六 is ノ六."""
    m = measures.LOT.fullmatch(text)
    if not m or m["mark"] or not m["sub"] or len(m["sub"]) < 2 or m["sub"][0] not in "八捌":
        return None
    if not all(ch in DIGITS for ch in m["sub"]) or all(ch in DIGITS for ch in m["main"]):
        return None
    return f"{m['main']}番ノ{m['sub'][1:]}"


def read_lot(cell: CellReading) -> Field:
    text = correct.register_forms(cell.text)
    mended = _mark_read_as_eight(text)
    eight: tuple[str, ...] = ()
    if mended is not None and measures.parse_lot(mended) is not None:
        text, eight = mended, ("八 read as the sub number's mark ノ",)
    lot = measures.parse_lot(text)
    unread: tuple[str, ...] = ()
    if lot is None and measures.parse_lot(text + "番") is not None:
        text, unread = text + "番", ("番 was not read",)  # a bare number under 地番
        lot = measures.parse_lot(text)
    if lot is None:
        return Field(hanja=text, problems=("not a lot number",), **_base(cell))
    m = measures.LOT.fullmatch(text)
    assert m  # parse_lot matched it
    hanja = m["main"] + "番" + (f"ノ{m['sub']}" if m["sub"] else "")  # the sub mark as ノ
    unmarked = ("the sub number's mark ノ was not read",) if m["sub"] and not m["mark"] else ()
    return Field(hanja=hanja, value={"text": lot.text, "main": lot.main, "sub": lot.sub,
                                     "hangul": lot.hangul},
                 problems=_low(cell) + unread + unmarked + eight, **_base(cell))


def read_category(cell: CellReading) -> Field:
    c = correct.category(correct.register_forms(cell.text))
    problems = () if c.known else ("unknown land category",)
    value = {"hangul": vocabulary.CATEGORIES[c.text][0],
             "modern": vocabulary.CATEGORIES[c.text][1]} if c.known else {}
    return Field(hanja=c.text, value=value, problems=problems, **_base(cell))


AREA_CHARS = NUMERAL_CHARS | set("坪合勺町反畝步")
DATE_CHARS = NUMERAL_CHARS | set("年月日元" + "".join(vocabulary.ERAS))
RUNNER_UP = "characters no such value holds taken as the recogniser's next likeliest"


def _runners_up(read: str, allowed: frozenset[str] | set[str]) -> str | None:
    """The reading with each character its field never holds (牛 in a date, 抽 where 拾
    was written) taken as the likeliest of the recogniser's runners-up there that the
    field does hold (ocr.unsure): on a worn page the right character is often the
    second guess. None when no character changed, or the text no longer lines up with
    what was read."""
    text = correct.register_forms(read)
    unsure = dict(unsure_of(read))
    if not unsure or len(text) != len(read):
        return None
    chars = list(text)
    for at, ch in enumerate(chars):
        if ch in allowed:
            continue
        held = [alt for alt in (correct.register_forms(a) for a, _ in unsure.get(at, ()))
                if alt in allowed]
        if held:
            chars[at] = held[0]
    mended = "".join(chars)
    return mended if mended != text else None


def read_area(cell: CellReading) -> Field:
    text = correct.register_forms(cell.text)
    area = measures.parse_area(text)
    problems: tuple[str, ...] = ()
    if area is None and (mended := _runners_up(cell.text, AREA_CHARS)):
        area = measures.parse_area(mended)
        if area is not None:
            text, problems = mended, (RUNNER_UP,)
    if area is None:
        return Field(hanja=text, problems=("not an area",), **_base(cell))
    value: dict[str, Any] = {"value": float(area.value), "unit": area.unit,
                             "m2": round(float(area.m2), 2), "hangul": area.hangul}
    if area.unit == "步":
        value["parts"] = {u: n for u, n in area.parts.items() if n}
    return Field(hanja=text, value=value, problems=problems + _low(cell), **_base(cell))


def read_number_field(cell: CellReading) -> Field:
    text = correct.register_forms(cell.text)
    n = parse_number(text)
    if n is None:
        return Field(hanja=text, problems=("not a number",), **_base(cell))
    return Field(hanja=text, value={"value": n, "hangul": str(n)}, problems=_low(cell),
                 **_base(cell))


def read_date(cell: CellReading) -> Field:
    text = re.sub(r"\s+", "", correct.register_forms(cell.text))  # digits spaced: 19 47
    d = parse_date(text)
    problems = (d.problem,) if d.problem else ()
    fixed = text.translate(correct.DATE_LOOKALIKES)
    if not d.iso and fixed != text:
        mended = parse_date(fixed)
        if mended.iso:  # a look-alike misread
            text, d, problems = fixed, mended, ("date characters corrected",)
    if not d.iso and (second := _runners_up(cell.text, DATE_CHARS)):
        fixed = second.translate(correct.DATE_LOOKALIKES)  # what no runner-up mended
        mended = parse_date(fixed)
        if mended.iso:
            text, d, problems = fixed, mended, (RUNNER_UP,)
    if not d.iso and (from_era := _from_era(fixed) or _era_mended(fixed)):
        text, d, problems = from_era
    if d.iso and d.day is None:
        # A register dates each entry to the day: one that ends at its month lost its
        # day's characters (faded, or cut off with the cell's edge), which a clerk reads.
        problems += ("the day was not read",)
    value = {"iso": d.iso, "hangul": d.hangul} if d.iso else {}
    return Field(hanja=text, value=value, problems=problems, **_base(cell))


def _from_era(text: str) -> tuple[str, DateReading, tuple[str, ...]] | None:
    """A register's date begins with its era: a character or two read before it (a piece
    of the label beside it, a stroke of the row above) is not the date's. The date from
    the era on, when it reads whole, with the problem that marks it for the clerk to see
    what went; None when it does not."""
    for era in vocabulary.ERAS:
        at = text.find(era)
        if 0 < at <= 2:
            tail = parse_date(text[at:])
            if tail.iso:
                return text[at:], tail, (f"{text[:at]!r} before the era left out",)
    return None


def _era_mended(text: str) -> tuple[str, DateReading, tuple[str, ...]] | None:
    """A date whose era lost its first character (gone pale: 和十二年四月拾日) or had it
    misread (睡和): the one era it then reads whole in, with the problem that marks it.
    檀紀 and 西紀 share 紀; the year tells them apart (4282 is no year of 西紀)."""
    found = []
    for era in vocabulary.ERAS:
        for start in (1, 2):  # the first character lost, or read as another
            if text[start - 1:start] == era[1] and text[:start] != era[:start]:
                mended = era + text[start:]
                reading = parse_date(mended)
                if reading.iso:
                    found.append((mended, reading, (f"era read as {text[:start]!r}: taken as {era}",)))
    return found[0] if len(found) == 1 else None


def read_event(cell: CellReading) -> Field:
    c = correct.event(correct.register_forms(cell.text))
    problems = () if c.known else ("unknown event word",)
    if c.known and c.distance > 1:  # the word's head went unread: a guess from its end
        problems = (f"read as {cell.text!r}: taken as {c.text}",)
    value = {"hangul": vocabulary.EVENTS[c.text]} if c.known else {}
    return Field(hanja=c.text, value=value, problems=problems, **_base(cell))


def read_address(cell: CellReading) -> Field:
    text = correct.register_forms(cell.text)
    corrected = len(text) >= 3 and text[-1] == "地" and text[-2] not in NUMERAL_CHARS | {"番"} \
        and text[-3] in NUMERAL_CHARS
    if corrected:  # …四十八香地, 百十五魯地: after a number, only 番 stands before 地
        text = text[:-2] + "番地"
    m = ADDRESS_NUMBER.fullmatch(text)
    place_text, number_text = (m["place"], m["number"]) if m else (text, None)
    number = parse_number(number_text) if number_text else None
    match = correct.place(place_text)
    problems: tuple[str, ...] = ()
    if match.place is None:
        problems = ("place not in the gazetteer",)
    elif match.distance > 1:
        problems = (f"place corrected by {match.distance} characters",)
    if number_text and number is None:
        problems += ("unreadable 番地",)
    if corrected:
        problems += ("番地 corrected",)
    hanja = match.text + (f"{number_text}番地" if number_text else "")
    if match.place:
        value: dict[str, Any] = _place_value(match)
    else:
        place = reading.read_place(place_text)
        value = {"hangul": place.hangul, **place.details}
    if number is not None:
        value["number"] = number
        if "hangul" in value:
            value["hangul"] += f" {number}번지"
    return Field(hanja=hanja, value=value, problems=problems + _low(cell), **_base(cell))


def read_name(cell: CellReading) -> Field:
    text = correct.register_forms(cell.text)
    text = text.replace(" ", "")  # a gap the brush left inside a name, read as a space
    problems = list(_low(cell, LOW_CONFIDENCE_NAME))
    compound = {**{k: v for k, v in vocabulary.SURNAMES.items() if len(k) == 2},
                **vocabulary.SOSHI_SURNAMES}
    if text[:2] in compound:
        surname = text[:2]
    elif text[:1] in vocabulary.SURNAMES:
        surname = text[:1]
    elif text[:1] in correct.SURNAME_LOOKALIKES:
        surname = correct.SURNAME_LOOKALIKES[text[0]]
        text = surname + text[1:]
        problems.append("surname corrected")
    else:
        fixed = correct.to_vocabulary(text[:2], compound)
        surname = fixed.text if fixed.known else ""
        text = surname + text[2:] if fixed.known else text
        problems.append("surname corrected" if fixed.known else "unknown surname")
    given = "".join(correct.GIVEN_NAME_LOOKALIKES.get(ch, ch) for ch in text[len(surname):])
    text = text[:len(surname)] + given
    value: dict[str, Any] = {"hangul": reading.read_name(text).hangul}
    variants = _variants(cell.text, text, max(len(surname), 1))
    if variants:
        value["variants"] = variants
        if variants[0]["score"] >= NAME_RIVAL:
            problems.append(f"may read {variants[0]['hanja']}")
    if text and cell.aspect / len(text) > LOST_IN_NAME:
        value["lost"] = True  # the ink holds more than was read: search knows (db.index)
    unreadable = [i for i, ch in enumerate(text) if not reading.is_hanja(ch) and
                  not "가" <= ch <= "힣"]
    if unreadable and len(text) >= 2:  # ā, ?, a letter: a character it could not read
        value["unreadable"] = unreadable
    if not 2 <= len(text) <= 5:
        problems.append("implausible name length")
    return Field(hanja=text, value=value, problems=tuple(problems), **_base(cell))


MAX_VARIANTS = 8


def _variants(read: str, name: str, surname: int) -> list[dict[str, Any]]:
    """The names the recogniser's runners-up make (ocr.unsure), read as a name is read
    (the first `surname` characters as a surname), likeliest first: a search for any of
    them finds this owner ("판독 불확실 글자"). Only where the name still lines up with
    what was read, character for character."""
    unsure = unsure_of(read)
    if not unsure or len(read) != len(name):
        return []
    made: dict[str, tuple[float, int]] = {}
    for at, others in unsure:
        for ch, score in others:
            ch = correct.register_forms(ch)
            ch = (correct.SURNAME_LOOKALIKES if at < surname
                  else correct.GIVEN_NAME_LOOKALIKES).get(ch, ch)
            if len(ch) != 1 or ch == name[at] or not reading.is_hanja(ch):
                continue
            variant = name[:at] + ch + name[at + 1:]
            if variant not in made or made[variant][0] < score:
                made[variant] = (score, at)
    best = sorted(made.items(), key=lambda kv: -kv[1][0])[:MAX_VARIANTS]
    return [{"hanja": v, "hangul": reading.read_name(v).hangul, "at": at, "score": score}
            for v, (score, at) in best]


READERS = {"location": read_location, "lot": read_lot, "category": read_category,
           "area": read_area, "grade": read_number_field, "date": read_date,
           "event": read_event, "cause": read_event, "address": read_address,
           "name": read_name}
DITTO_FIELDS = ("cause", "address")


def _is_ditto(cell: CellReading, key: str) -> bool:
    """A ditto mark, or what the recogniser makes of one (二, 〃 as 'II' …): a reading too
    short to be a cause or an address, and not a cause misread by a character (賣貝 is
    賣買, not a mark repeating the cause above)."""
    text = correct.register_forms(cell.text)
    if text in vocabulary.DITTO_MARKS:
        return True
    return key in DITTO_FIELDS and len(text) <= 2 and not correct.event(text).known


def _ditto(cell: CellReading, above: Field | None) -> Field:
    if above is None:
        return Field(hanja=cell.text, ditto=True, problems=("ditto mark with nothing above",),
                     **_base(cell))
    return Field(hanja=above.hanja, value=above.value, ditto=True,
                 problems=tuple(p for p in above.problems if not p.startswith("low")),
                 **_base(cell))


def _check_order(rows: list[dict[str, Field]]) -> None:
    """Dates must not go backwards down a column: flag the one that does."""
    last = ""
    for row in rows:
        date = row.get("date")
        iso = date.value.get("iso") if date else None
        if iso and date:
            if iso < last:
                row["date"] = replace(date, problems=date.problems + ("date out of order",))
            last = max(last, iso)


def _check_area_unit(category: Field | None, area: Field | None, form: str) -> Field | None:
    if area is None or "unit" not in area.value:
        return area
    forest_unit = area.value["unit"] == "步"
    forest_category = category is not None and category.hanja == "林野"
    if forest_unit != (forest_category or form == "林野臺帳"):
        return replace(area, problems=area.problems + ("area unit does not fit the category",))
    return area


def _doubted(value: Field, cell: CellReading) -> Field:
    """A field with the doubts its reading raised before it was read as a value (a label
    that disagrees with the writing, a form not recognised)."""
    if not cell.doubts:
        return value
    return replace(value, problems=value.problems + tuple(d for d in cell.doubts
                                                          if d not in value.problems))


REQUIRED = {"events": ("date", "event"), "owners": ("date", "name")}
EXPECTED = ("location", "lot", "category", "area")  # every card has these
MISSING = "not found on the page"


def _check_whole(rows: list[dict[str, Field]], required: tuple[str, ...]) -> None:
    """An entry without its date or its name (or event) was read in part: its values, and
    those of the entries around it, may have slipped into one another's rows, so every
    field of the table goes to review."""
    lacking = sorted({k for row in rows for k in required if k not in row})
    if not lacking:
        return
    problem = "an entry of this table has no " + " or ".join(lacking)
    for row in rows:
        for key, f in row.items():
            row[key] = replace(f, problems=f.problems + (problem,))


def _fill_gaps(rows: list[dict[str, Field]]) -> None:
    """An entry lacking a value most entries of its table have (an owner with no 事故)
    gets it empty and marked: a clerk sees the gap, and the value may sit in a row
    beside it."""
    for key in sorted({k for row in rows for k in row}):
        if 2 * sum(key in row for row in rows) > len(rows):
            for row in rows:
                row.setdefault(key, _missing())


def _missing() -> Field:
    """A field every card has that nothing on the page was read as: empty, for review."""
    return Field(raw="", hanja="", confidence=0.0, problems=(MISSING,))


def build_record(form: str, cells: list[CellReading], expect_all: bool = False) -> RegisterRecord:
    """A register record from a page's cell readings. With `expect_all` (a page read by
    its labels, not a template) a field every card has but none was read for is kept as
    an empty field marked for review, so a clerk sees what is missing, as is a value
    most entries of a table have; and every field of a table one of whose entries lacks
    its date or its name is marked too."""
    single: dict[str, CellReading] = {}
    rows: dict[str, dict[int, dict[str, CellReading]]] = {"events": {}, "owners": {}}
    for cell in cells:
        m = PATH.fullmatch(cell.field) if cell.field else None
        if not m or (m[2] is None) != (m[3] is None) or (m[3] or m[1]) not in READERS:
            continue
        name, index, key = m.groups()
        if index is None:
            single[name] = cell
        elif name in rows and key:
            rows[name].setdefault(int(index), {})[key] = cell

    def read(cell: CellReading | None, key: str) -> Field | None:
        return _doubted(READERS[key](cell), cell) if cell else None

    built: dict[str, list[dict[str, Field]]] = {}
    for name, by_index in rows.items():
        out: list[dict[str, Field]] = []
        for index in sorted(by_index):
            row: dict[str, Field] = {}
            for key, cell in by_index[index].items():
                if _is_ditto(cell, key):
                    row[key] = _doubted(_ditto(cell, out[-1].get(key) if out else None), cell)
                else:
                    row[key] = _doubted(READERS[key](cell), cell)
            out.append(row)
        _check_order(out)
        if expect_all:
            _check_whole(out, REQUIRED[name])
            _fill_gaps(out)
        built[name] = out

    fields = {key: read(single.get(key), key) for key in EXPECTED}
    if expect_all:
        fields = {k: f or _missing() for k, f in fields.items()}
    fields["area"] = _check_area_unit(fields["category"], fields["area"], form)
    return RegisterRecord(
        form=form,
        location=fields["location"],
        lot=fields["lot"],
        category=fields["category"],
        area=fields["area"],
        grade=read(single.get("grade"), "grade"),
        events=tuple(Event(r.get("date"), r.get("event")) for r in built["events"]),
        owners=tuple(Owner(r.get("date"), r.get("cause"), r.get("address"), r.get("name"))
                     for r in built["owners"]),
    )


def reread(path: str, text: str) -> Field:
    """A field as a clerk typed it: read by the same reader as the machine's, confidence 1."""
    m = PATH.fullmatch(path)
    if not m:
        raise ValueError(f"not a field path: {path!r}")
    name, index, key = m.groups()
    reader = READERS.get(key or name)
    if reader is None or (index is None) != (key is None):
        raise ValueError(f"not a field of a register card: {path!r}")
    return reader(CellReading(path, text, 1.0, (), False, False, len(text)))
