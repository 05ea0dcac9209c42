"""Draws the values of one register card and writes them the way clerks wrote them.

Each function returns a `Value`: the hanja as written on the card, its Korean
reading, and the normalised value (ISO date, lot text, area in m²) — the ground
truth the reading stages are later scored against. This module writes numbers;
`translit` reads them, so the two are kept independent on purpose.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from samples import vocab

PLAIN_DIGITS = "〇一二三四五六七八九"
FORMAL_DIGITS = "〇壹貳參肆伍陸柒捌玖"
PLAIN_UNITS = {10: "十", 100: "百", 1000: "千"}
FORMAL_UNITS = {10: "拾", 100: "佰", 1000: "仟"}
HANGUL_DIGITS = ["", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구"]

SQM_PER_PYEONG = Fraction(400, 121)

# (era hanja, era hangul, first day, last day, western year of era year 1 minus one)
ERAS: list[tuple[str, str, dt.date, dt.date, int]] = [
    ("明治", "명치", dt.date(1868, 1, 25), dt.date(1912, 7, 29), 1867),
    ("大正", "대정", dt.date(1912, 7, 30), dt.date(1926, 12, 24), 1911),
    ("昭和", "소화", dt.date(1926, 12, 25), dt.date(1945, 8, 14), 1925),
    ("西紀", "서기", dt.date(1945, 8, 15), dt.date(1947, 12, 31), 0),
    ("檀紀", "단기", dt.date(1948, 1, 1), dt.date(1961, 12, 31), -2333),
    ("西紀", "서기", dt.date(1962, 1, 1), dt.date(1975, 12, 31), 0),
]


@dataclass(frozen=True)
class Value:
    """One written value: what the clerk wrote, how it reads, what it means."""

    hanja: str
    hangul: str
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"hanja": self.hanja, "hangul": self.hangul, **self.extra}


def write_number(n: int, formal: bool = False) -> str:
    """Writes 1–9999 in hanja positional words: 123 → 百二十三, formal 壹佰貳拾參.

    Clerks omit the leading 一 before 十/百/千 in plain writing (十五, 百二) but keep
    壹 in formal writing (壹拾伍), as the cards show.
    """
    if not 0 < n < 10000:
        raise ValueError(f"cannot write {n} in register numerals")
    digits, units = (FORMAL_DIGITS, FORMAL_UNITS) if formal else (PLAIN_DIGITS, PLAIN_UNITS)
    out = []
    for place in (1000, 100, 10):
        d, n = divmod(n, place)
        if d:
            out.append(("" if d == 1 and not formal else digits[d]) + units[place])
    if n:
        out.append(digits[n])
    return "".join(out)


def read_number(n: int) -> str:
    """Sino-Korean reading of 1–9999 (123 → 백이십삼), used for lot and area readings."""
    out = []
    for place, name in ((1000, "천"), (100, "백"), (10, "십")):
        d, n = divmod(n, place)
        if d:
            out.append(("" if d == 1 else HANGUL_DIGITS[d]) + name)
    if n:
        out.append(HANGUL_DIGITS[n])
    return "".join(out)


def era_of(day: dt.date) -> tuple[str, str, int]:
    """The era a date was written in and its year within that era."""
    for hanja, hangul, first, last, offset in ERAS:
        if first <= day <= last:
            return hanja, hangul, day.year - offset
    raise ValueError(f"{day} falls outside the eras of the registers (1868–1975)")


def write_date(day: dt.date, rng: random.Random) -> Value:
    """A date as a clerk wrote it: 大正五年三月拾日, 元年 for year 1, mixed numeral styles."""
    era, era_hangul, year = era_of(day)
    formal = rng.random() < 0.4
    year_text = "元" if year == 1 else write_number(year, formal)
    if era == "西紀":
        year_text = write_number(year, formal) if rng.random() < 0.5 else str(year)
    day_text = write_number(day.day, formal)
    if day.day == 10 and not formal and rng.random() < 0.5:
        day_text = "拾"  # 拾 for ten is common even in otherwise plain dates
    hanja = f"{era}{year_text}年{write_number(day.month, formal)}月{day_text}日"
    hangul = f"{era_hangul} {'원' if year == 1 else year}년 {day.month}월 {day.day}일"
    return Value(hanja, hangul, {"iso": day.isoformat()})


def random_date(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def write_lot(rng: random.Random) -> Value:
    """地番: main number, sometimes a sub number after ノ (百二十三番ノ四 → 123-4)."""
    main = rng.choice([rng.randint(1, 99), rng.randint(100, 999), rng.randint(1, 30)])
    sub = rng.randint(1, 12) if rng.random() < 0.35 else None
    hanja = f"{write_number(main)}番" + (f"ノ{write_number(sub)}" if sub else "")
    text = f"{main}-{sub}" if sub else str(main)
    hangul = f"{read_number(main)}번" + (f"의 {read_number(sub)}" if sub else "")
    return Value(hanja, hangul, {"text": text, "main": main, "sub": sub})


def write_land_area(rng: random.Random) -> Value:
    """地積 in 坪, with 合 (1/10) now and then: 參百貳拾坪, 五拾坪三合."""
    pyeong = rng.choice([rng.randint(20, 400), rng.randint(400, 3000)])
    hop = rng.randint(1, 9) if rng.random() < 0.15 else 0
    formal = rng.random() < 0.6
    hanja = f"{write_number(pyeong, formal)}坪" + (f"{write_number(hop, formal)}合" if hop else "")
    value = Fraction(pyeong) + Fraction(hop, 10)
    hangul = f"{pyeong}평" + (f" {hop}홉" if hop else "")
    return Value(hanja, hangul, {"value": float(value), "unit": "坪",
                                 "m2": round(float(value * SQM_PER_PYEONG), 2)})


def write_forest_area(rng: random.Random) -> Value:
    """地積 in 町·反·畝·步 (1 町 = 10 反 = 100 畝 = 3,000 步; 1 步 = 1 坪)."""
    parts = {"町": rng.randint(0, 12), "反": rng.randint(0, 9), "畝": rng.randint(0, 9),
             "步": rng.choice([0, rng.randint(1, 29)])}
    if not any(parts.values()):
        parts["反"] = 3
    formal = rng.random() < 0.6
    hanja = "".join(f"{write_number(n, formal)}{unit}" for unit, n in parts.items() if n)
    readings = {"町": "정", "反": "단", "畝": "묘", "步": "보"}
    hangul = " ".join(f"{n}{readings[u]}" for u, n in parts.items() if n)
    bu = parts["町"] * 3000 + parts["反"] * 300 + parts["畝"] * 30 + parts["步"]
    return Value(hanja, hangul, {"value": bu, "unit": "步", "parts": parts,
                                 "m2": round(float(bu * SQM_PER_PYEONG), 2)})


def write_grade(rng: random.Random) -> Value:
    grade = rng.randint(3, 28)
    return Value(write_number(grade, rng.random() < 0.5), str(grade), {"value": grade})


def korean_name(rng: random.Random) -> Value:
    """A Korean name: surname plus one or two given syllables, read with the 두음법칙."""
    surname, surname_reading = rng.choice(vocab.SURNAMES)
    allowed = [s for s in vocab.GIVEN_SYLLABLES if s[0] != surname]
    syllables = rng.sample(allowed, 2 if rng.random() < 0.85 else 1)
    hanja = surname + "".join(s[0] for s in syllables)
    given = syllables[0][2] + "".join(s[1] for s in syllables[1:])
    return Value(hanja, surname_reading + given, {"surname": surname, "soshi": False})


def soshi_name(rng: random.Random) -> Value:
    """A 創氏 name of 1940–1945 (金本正一 → 김본정일), kept and read the Korean way."""
    surname, surname_reading = rng.choice(vocab.SOSHI_SURNAMES)
    given, given_reading = rng.choice(vocab.SOSHI_GIVEN)
    return Value(surname + given, surname_reading + given_reading,
                 {"surname": surname, "soshi": True})


def pick_place(rng: random.Random) -> dict[str, tuple[str, str]]:
    """One 道·郡·面·里 path; 高陽郡 is drawn most, as Goyang's archive is the model."""
    province, counties = rng.choice(list(vocab.PLACES.items()))
    county_keys = list(counties)
    county = county_keys[0] if rng.random() < 0.6 else rng.choice(county_keys)
    township, villages = rng.choice(list(counties[county].items()))
    village = rng.choice(villages)
    return {"do": province, "gun": county, "myeon": township, "ri": village}


def place_value(place: dict[str, tuple[str, str]], levels: tuple[str, ...]) -> Value:
    hanja = "".join(place[k][0] for k in levels)
    hangul = " ".join(place[k][1] for k in levels)
    return Value(hanja, hangul, {k: {"hanja": place[k][0], "hangul": place[k][1]}
                                 for k in levels})
