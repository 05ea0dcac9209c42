"""What a value says it is, whatever label it stands by: the second witness to a field.

An era date has its shape (昭和拾參年貳月五日), a lot its 番 and ノ, an area its 坪 or
町反畝步, a 지목 and an event word their closed vocabularies, a place the gazetteer, a
name its leading surname. Each kind gets a strength in 0–1: how sure the text alone
makes it. Where a label and the content disagree the field goes to review; where there
is no legible label the content alone names the field.
"""

from __future__ import annotations

import functools
import re

from translit import correct, gazetteer, measures, vocabulary
from translit.dates import PATTERN, parse_date
from translit.numerals import NUMERAL_CHARS, parse_number

KINDS = ("date", "lot", "area", "category", "cause", "location", "address", "name", "grade")
SURE = 0.8  # a kind this strong overrides a label that says otherwise, or stands for one
LIKELY = 0.5  # strong enough to name a value that has no label
UNITS = set("坪合勺町反畝步歩")
LOT_MARKS = re.compile(r"番|ノ|之")


def _is_numeral(text: str) -> bool:
    return bool(text) and all(ch in NUMERAL_CHARS for ch in text)


def _written_name(ch: str) -> bool:
    """A character a name is written in: hanja, or hangul on a later card."""
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\uac00" <= ch <= "\ud7a3"


def _name_strength(text: str) -> float:
    if not 2 <= len(text) <= 5 or _is_numeral(text) or any(ch in UNITS for ch in text):
        return 0.0  # given names hold numerals (正一, 一郎), but not only numerals
    if not all(_written_name(ch) for ch in text):
        return 0.0  # letters, digits, marks (〃 read as Il): no name
    if any(text.startswith(county) for county in _counties()):
        return 0.0  # 高陽郡 and its rest gone pale: a place, though 高 is a surname
    if text[:2] in vocabulary.SOSHI_SURNAMES or text[:2] in vocabulary.SURNAMES:
        return 0.7
    if text[0] in vocabulary.SURNAMES or text[0] in correct.SURNAME_LOOKALIKES:
        return 0.6 if len(text) <= 4 else 0.4
    return 0.15


def kinds(text: str) -> dict[str, float]:
    """Each kind the text could be, with how strongly the text alone says so."""
    text = correct.register_forms(text)
    out: dict[str, float] = {}
    if not text:
        return out
    if PATTERN.fullmatch(text):
        out["date"] = 1.0 if parse_date(text).iso else 0.8
    elif "年" in text and "月" in text:
        out["date"] = 0.6
    if LOT_MARKS.search(text) and measures.parse_lot(text) and not text.endswith("番地"):
        out["lot"] = 0.9
    if any(ch in UNITS for ch in text) and measures.parse_area(text):
        out["area"] = 0.95
    if len(text) <= 4:
        c = correct.category(text)
        if c.known:  # one character in two misread is a guess (河錫 is no 河川)
            out["category"] = 0.9 if c.distance == 0 else 0.6 if 2 * c.distance < len(text) else 0.4
    e = correct.event(text)
    if e.known:
        out["cause"] = 0.95 if e.distance == 0 else 0.7
    place_text = re.sub(r"[^郡面里洞邑]+番地$", "", text)
    p = correct.place(place_text)
    if p.place is not None and len(place_text) >= 4:
        strength = 0.9 if p.distance == 0 else 0.6
        with_do = "do" in p.levels
        out["location"] = strength if with_do else strength * 0.8
        out["address"] = strength * (1.0 if text.endswith("番地") or not with_do else 0.8)
    if "address" not in out:
        shape = _place_shape(text)
        if shape:
            out["address"] = shape
    if _is_numeral(text) and len(text) <= 4 and parse_number(text) is not None:
        out["grade"] = 0.6
    name = _name_strength(text)
    if name and name > max(out.values(), default=0.0):
        out["name"] = name
    return out


BANJI_END = re.compile("[" + "".join(sorted(NUMERAL_CHARS)) + "]+.地$")  # 番 as read or misread


@functools.cache
def _counties() -> frozenset[str]:
    return frozenset(p.gun[0] for p in gazetteer.places())


def _place_shape(text: str) -> float:
    """How surely a place the gazetteer cannot match (two of its characters misread:
    高陽郡意島而華里百四十七番地) is still an address by its shape: it ends in a lot's
    number and 番地 after a 郡, 面, 里 or 洞, or it begins with a county the gazetteer
    knows (the rest misread)."""
    if len(text) < 5:
        return 0.0
    if BANJI_END.search(text) and any(ch in text for ch in "郡面里洞"):
        return 0.7
    if any(text.startswith(county) for county in _counties()):
        return 0.6
    return 0.0


PLACE_END = re.compile(r"(?:番地|[里洞])\s*")


def place_and_name(text: str) -> tuple[str, str] | None:
    """An owner's address and name read as one line (高陽郡松浦面九山里 廉奉: their rule
    wore away), parted after the place; None when the text is not so."""
    ends = list(PLACE_END.finditer(text))
    if not ends:
        return None
    place, name = text[:ends[-1].end()].strip(), text[ends[-1].end():].strip()
    if not name or _name_strength(name) < 0.6:
        return None
    return (place, name) if kinds(place).get("address", 0.0) >= LIKELY else None


def cause_and_name(text: str) -> tuple[str, str] | None:
    """An entry's cause and its owner's name read as one line (相續南宮玉: the columns
    side by side, their rule worn), parted after the event word; None when the text is
    not so."""
    text = correct.register_forms(text)
    cause = _leading_event(text)
    if cause is None:
        return None
    name = text[len(cause):].strip()
    return (cause, name) if name and _name_strength(name) >= 0.6 else None


def _leading_event(text: str) -> str | None:
    """The longest event word the text begins with, if any."""
    return max((word for word in vocabulary.EVENTS if text.startswith(word)), key=len, default=None)


def _dated(text: str) -> tuple[str, str] | None:
    """A line that begins with a whole era date (to the day): the date, and what follows."""
    found = PATTERN.match(text)
    if not found or not found.group("d"):
        return None
    return text[:found.end()], text[found.end():].strip()


def row_read_whole(text: str) -> list[tuple[str, str]] | None:
    """An owner's whole row read as one line (昭和十四年三月十二日所有權保存楊州郡九里面
    土坪里二百五番地: the rules between its cells worn, the writing close), parted into
    (key, text): the date, the cause that follows it (a word of the vocabulary), and
    the address, with the name after it if one follows. None when the text is not so."""
    dated = _dated(text)
    if dated is None:
        return None
    date, rest = dated[0], correct.register_forms(dated[1])
    cause = _leading_event(rest)
    if cause is None or not rest[len(cause):].strip():
        return None
    rest = rest[len(cause):].strip()
    parts = [("date", date), ("cause", cause)]
    both = place_and_name(rest)
    if both is not None:
        return [*parts, ("address", both[0]), ("name", both[1])]
    return [*parts, ("address", rest)] if kinds(rest).get("address", 0.0) >= LIKELY else None


def best(text: str) -> tuple[str | None, float]:
    """The kind the text most strongly is, and how strongly (None, 0 when nothing fits)."""
    found = kinds(text)
    if not found:
        return None, 0.0
    kind = max(found, key=lambda k: found[k])
    return kind, found[kind]


def agrees(key: str, text: str, sure: float = SURE) -> tuple[bool, str | None]:
    """Whether a value fits the label it stands by; else the kind its content says (a
    disagreement counts only where the content is at least `sure` of itself)."""
    found = kinds(text)
    if not found or key in found or key == "extra":
        return True, None
    if key in ("lot", "grade") and _is_numeral(correct.register_forms(text)):
        return True, None  # a lot whose 番 was written small and not read: a number still
    if key == "location" and "address" in found or key == "address" and "location" in found:
        return True, None
    kind, strength = max(found.items(), key=lambda kv: kv[1])
    return (strength < sure), kind


def date_and_event(text: str) -> tuple[str, str] | None:
    """A date and the event it dates read as one line (昭和八年九月三十日賣買: written in one
    cell, or in two whose rule wore away), parted; None when the text is not so."""
    dated = _dated(text)
    if dated is None or not dated[1] or not correct.event(dated[1]).known:
        return None
    return dated

