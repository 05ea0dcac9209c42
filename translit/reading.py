"""Hanja to hangul, by word: names, places and free text, read as a Korean reader would.

Free text is read left to right: a number followed by a counter (五年, 參百坪) is read
as a number first (年三 is a dictionary word that would break 大正五年三月); otherwise
the longest word of libhangul's list wins; a character no word covers is read alone.
A word with several readings takes the one that keeps the 두음법칙 at its start and
열/율 after a vowel or ㄴ inside, then one whose every syllable its character has (번지, not the
list's 번디, whose 디 is no reading of 地), else the list's first. A character alone
takes its main reading (金 금, 樂 락, 北 북).

Names are read by custom: the surname from the surname table (李 이, 柳 유, 金 김), the
given name as a word of its own (두음법칙 on its first syllable). Places are read from
the gazetteer, which beats every rule (纛島 뚝도).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from translit import dictionary, gazetteer, hangul, measures, vocabulary
from translit.dates import parse_date
from translit.numerals import NUMERAL_CHARS, parse_number

# Characters whose readings differ in meaning; the list gives them alphabetically, so
# the main one is named here (金 is 김 only as a surname, handled with names).
MAIN_READING: dict[str, str] = {
    "金": "금", "樂": "락", "不": "불", "率": "률", "北": "북", "車": "차", "行": "행",
    "更": "경", "見": "견", "易": "역", "說": "설", "復": "복", "惡": "악", "讀": "독",
    "度": "도", "省": "성", "殺": "살", "便": "편", "降": "강", "索": "색", "宅": "택",
    "切": "절", "參": "참", "則": "칙", "拓": "척", "洞": "동", "茶": "다", "畫": "화",
    "暴": "폭", "數": "수", "沈": "침", "識": "식", "狀": "상", "葉": "엽", "龜": "귀",
    "契": "계", "串": "곶", "否": "부", "辰": "진", "刺": "자", "覆": "복", "差": "차",
    "宿": "숙", "塞": "색", "句": "구", "乾": "건", "丹": "단", "賈": "가", "皮": "피",
    "布": "포", "糖": "당", "射": "사", "齊": "제", "什": "십",
}

# Counters after which a numeral run is a number, and how they read.
COUNTERS = {"番地": "번지", "年": "년", "月": "월", "日": "일", "番": "번", "坪": "평", "合": "홉", "勺": "작",
            "町": "정", "反": "단", "畝": "묘", "步": "보", "號": "호", "個": "개", "名": "명",
            "人": "인", "歲": "세", "圓": "원", "錢": "전", "等": "등", "筆": "필", "級": "급"}

# Japanese grammar left in entries, and legal words read the registers' way.
GRAMMAR = {"又ハ": "또는", "改メ": "고쳐", "及": "및", "但": "단", "ノ": "의", "ニ": "에",
           "ヨリ": "로부터", "ト": "와", "ハ": "는", "ヲ": "를", "トス": "로 함",
           "トシ": "로 하여", "ニ改メ": "로 고쳐"}
# Particles whose form follows the last syllable: (after a final consonant, after a vowel).
PARTICLES_BY_FINAL = {"ヲ": ("을", "를"), "ハ": ("은", "는"), "ト": ("과", "와"),
                      "トス": ("으로 함", "로 함"), "トシ": ("으로 하여", "로 하여"),
                      "ニ改メ": ("으로 고쳐", "로 고쳐")}

YEOL_BASE = {"렬": "렬", "열": "렬", "률": "률", "율": "률"}
SPACED = {"또는", "및", "고쳐", "단"}  # grammar words that stand apart

UNIT_SUFFIXES = ("道", "府", "郡", "邑", "面", "里", "洞")
UNIT_READING = {"道": "도", "府": "부", "郡": "군", "邑": "읍", "面": "면", "里": "리", "洞": "동"}


@dataclass(frozen=True)
class Part:
    hanja: str
    hangul: str
    source: str  # dictionary, character, number, gazetteer, surname, grammar, as-is, unknown


@dataclass(frozen=True)
class Reading:
    hangul: str
    parts: tuple[Part, ...] = ()
    details: dict[str, str] = field(default_factory=dict)

    @property
    def unknown(self) -> list[str]:
        return [p.hanja for p in self.parts if p.source == "unknown"]


def is_hanja(ch: str) -> bool:
    code = ord(ch)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x2FA1F


@functools.cache
def char_reading(ch: str) -> str | None:
    """A character's main reading: named above, else the list's reading with most senses,
    a 두음 form (이) giving way to its 본음 (리) so the rules can place it."""
    if ch in MAIN_READING:
        return MAIN_READING[ch]
    found = dictionary.readings(ch)
    if not found:
        return None
    bases = [r for r in found if not any(q != r and q in hangul.base_form(r) for q in found)]
    return max(bases or found, key=lambda r: dictionary.meaning_count(ch, r))


def apply_rules(syllables: str, initial: bool = True) -> str:
    """The 두음법칙 on the first syllable (when the word starts here) and 열/율 inside."""
    if not syllables:
        return syllables
    out = [hangul.initial_law(syllables[0]) if initial else syllables[0]]
    for s in syllables[1:]:
        out.append(hangul.yeol_rule(out[-1], s))
    return "".join(out)


def word_reading(word: str, initial: bool = True) -> str | None:
    """The reading of a dictionary word, chosen by the sound rules, then by composition."""
    found = dictionary.readings(word)
    if not found:
        return None
    if len(found) == 1:
        return found[0]

    def fits(r: str) -> bool:
        """Each syllable is a reading of its character (or its 두음 form): 번지, not 번디."""
        return len(r) == len(word) and all(
            any(syl in hangul.base_form(x) | {x, hangul.initial_law(x)}
                for x in dictionary.readings(ch)) or syl == char_reading(ch)
            for syl, ch in zip(r, word, strict=True))

    def score(r: str) -> tuple[bool, bool, bool]:
        first_ok = hangul.initial_law(r[0]) == r[0] if initial else True
        inside_ok = all(s == hangul.yeol_rule(r[i - 1], YEOL_BASE[s])
                        for i, s in enumerate(r) if i and s in YEOL_BASE)
        return first_ok, inside_ok, fits(r)

    return max(found, key=score)


def _number(text: str, i: int) -> tuple[int, int, str] | None:
    """(value, end, counter) of a numeral run at i that a counter follows (counter "" when
    the run ends the text). A lone 百, 千 or 萬 before a counter is a word (萬歲), not 10000."""
    j = i
    while j < len(text) and text[j] in NUMERAL_CHARS:
        j += 1
    counter = next((c for c in sorted(COUNTERS, key=len, reverse=True)
                    if text.startswith(c, j)), "")
    if j == i or (j < len(text) and not counter):
        return None
    if j - i == 1 and text[i] in "百千萬万" and j < len(text):
        return None
    value = parse_number(text[i:j])
    return (value, j, counter) if value is not None else None


def _grammar(text: str, i: int, previous: str) -> Part | None:
    for token in sorted(GRAMMAR, key=len, reverse=True):
        if text.startswith(token, i):
            reading = GRAMMAR[token]
            if token in PARTICLES_BY_FINAL and previous:
                after_consonant, after_vowel = PARTICLES_BY_FINAL[token]
                reading = after_consonant if hangul.has_final(previous[-1]) else after_vowel
            return Part(token, reading, "grammar")
    return None


def read_free(text: str) -> Reading:
    """Any register text: numbers, words, single characters, kana grammar, the rest as is."""
    text = unicodedata.normalize("NFC", text)
    parts: list[Part] = []
    i, longest = 0, dictionary.longest_word()
    while i < len(text):
        ch = text[i]
        previous = parts[-1].hangul if parts else ""
        grammar = _grammar(text, i, previous)
        if grammar and not (ch == "ノ" and i and text[i - 1] == "番"):
            parts.append(grammar)
            i += len(grammar.hanja)
            continue
        number = _number(text, i) if ch in NUMERAL_CHARS else None
        if number:
            value, j, counter = number
            parts.append(Part(text[i:j], str(value), "number"))
            if counter:
                parts.append(Part(counter, COUNTERS[counter], "counter"))
            i = j + len(counter)
            continue
        if not is_hanja(ch):
            parts.append(Part(ch, ch, "as-is"))
            i += 1
            continue
        starts_word = not parts or parts[-1].source not in ("character",)
        for size in range(min(longest, len(text) - i), 1, -1):
            word = text[i:i + size]
            if all(is_hanja(c) for c in word):
                reading = word_reading(word, True)
                if reading:
                    parts.append(Part(word, reading, "dictionary"))
                    i += size
                    break
        else:
            single = char_reading(ch)
            if single is None:
                parts.append(Part(ch, ch, "unknown"))
            else:
                prev = parts[-1].hangul[-1] if parts and parts[-1].hangul else ""
                reading = hangul.initial_law(single) if starts_word else hangul.yeol_rule(prev, single)
                parts.append(Part(ch, reading, "character"))
            i += 1
    return Reading(_join(parts), tuple(parts))


def _join(parts: list[Part]) -> str:
    """Readings run together as Korean spacing has them: a space before a number and after
    its counter, after a particle, and around 또는, 및, 고쳐."""
    out = []
    for k, part in enumerate(parts):
        prev = parts[k - 1] if k else None
        space = prev is not None and (
            part.source == "number" or part.hangul in SPACED or prev.hangul in SPACED
            or (prev.source in ("counter", "grammar") and part.source not in ("counter", "as-is")))
        out.append((" " if space else "") + part.hangul)
    return re.sub(r"\s+", " ", "".join(out)).strip()


def read_name(text: str) -> Reading:
    """A person's name: surname by custom (compound and 創氏 surnames first), given name
    as a word of its own."""
    text = unicodedata.normalize("NFC", text.strip())
    surnames = {**vocabulary.SOSHI_SURNAMES, **vocabulary.SURNAMES}
    surname = next((text[:n] for n in (2, 1) if text[:n] in surnames and len(text) > n), "")
    parts: list[Part] = []
    if surname:
        parts.append(Part(surname, surnames[surname], "surname"))
    given = text[len(surname):]
    readings = [char_reading(ch) for ch in given]
    if given and None not in readings:
        parts.append(Part(given, apply_rules("".join(readings)), "character"))  # type: ignore[arg-type]
    elif given:
        parts.extend(read_free(given).parts)
    return Reading("".join(p.hangul for p in parts), tuple(parts),
                   {"surname": surname} if surname else {})


def place_units(text: str) -> list[str]:
    """A place split into its units: the longest gazetteer name at each point, else up to
    the next administrative suffix (京畿道 高陽郡 纛島面 聖水里)."""
    known = gazetteer.readings()
    units, i = [], 0
    while i < len(text):
        name = next((text[i:j] for j in range(len(text), i, -1) if text[i:j] in known), None)
        if name is None:
            j = next((k + 1 for k in range(i + 1, len(text)) if text[k] in UNIT_SUFFIXES),
                     len(text))
            name = text[i:j]
        units.append(name)
        i += len(name)
    return units


def read_place(text: str) -> Reading:
    """A colonial place, read unit by unit from the gazetteer, else by word with its suffix;
    details say which of today's districts it lies in, or that it is unmapped."""
    text = unicodedata.normalize("NFC", text.strip())
    known = gazetteer.readings()
    parts: list[Part] = []
    for unit in place_units(text):
        if unit in known:
            parts.append(Part(unit, known[unit], "gazetteer"))
        elif unit[-1] in UNIT_READING and len(unit) > 1:
            stem = read_free(unit[:-1])
            parts.append(Part(unit, stem.hangul + UNIT_READING[unit[-1]],
                              "unknown" if stem.unknown else "character"))
        else:
            parts.append(Part(unit, read_free(unit).hangul, "character"))
    modern = gazetteer.modern_district(text)
    details = {"modern": modern} if modern else {"modern": "unmapped"}
    return Reading(" ".join(p.hangul for p in parts), tuple(parts), details)


KINDS = ("name", "place", "date", "area", "lot", "category", "event", "free")


def read_as(text: str, kind: str = "free") -> Reading:
    """Reads text as one kind of field. The first value is what a person needs: the
    reading; for a date its ISO form, for an area its square metres, for a lot 123-4."""
    text = unicodedata.normalize("NFC", text.strip())
    if kind == "name":
        return read_name(text)
    if kind == "place":
        return read_place(text)
    if kind == "date":
        d = parse_date(text)
        if d.iso is None:
            raise ValueError(f"{text!r} is not a date that can be converted: {d.problem}")
        return Reading(d.iso, details={"reading": d.hangul or "", "era": d.era or ""})
    if kind == "area":
        area = measures.parse_area(text)
        if area is None:
            raise ValueError(f"{text!r} is not an area in 坪·合·勺 or 町·反·畝·步")
        m2 = area.m2
        return Reading(f"{float(m2):.2f} m²", details={
            "reading": area.hangul, "value": f"{area.value} {area.unit}",
            "exact": f"{m2.numerator}/{m2.denominator} m²" if m2.denominator > 1 else f"{m2} m²"})
    if kind == "lot":
        lot = measures.parse_lot(text)
        if lot is None:
            raise ValueError(f"{text!r} is not a lot number (main 番, sub after ノ)")
        return Reading(lot.text, details={"reading": lot.hangul})
    if kind == "category":
        if text not in vocabulary.CATEGORIES:
            raise ValueError(f"{text!r} is not a land category of the registers")
        then, today = vocabulary.CATEGORIES[text]
        return Reading(then, details={"today": today})
    if kind == "event" and text in vocabulary.EVENTS:
        return Reading(vocabulary.EVENTS[text], (Part(text, vocabulary.EVENTS[text], "event"),))
    if kind in ("event", "free"):
        return read_free(text)
    raise ValueError(f"unknown kind {kind!r}: choose one of {', '.join(KINDS)}")
