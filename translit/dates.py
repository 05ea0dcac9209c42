"""Era dates to ISO 8601: 大正五年三月拾日 → 1916-03-10, 元年 = year 1.

A date that falls outside its era (大正 20年, 明治45年 after 7 July 30th) or that does not
exist (2月30日) is a reading error to flag, never converted.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from translit.numerals import parse_number

# era → (western year of era year 0, first day, last day), after ../shared/DOMAIN.md.
ERA_SPANS: dict[str, tuple[int, dt.date, dt.date]] = {
    "隆熙": (1906, dt.date(1907, 8, 2), dt.date(1910, 8, 29)),
    "明治": (1867, dt.date(1868, 1, 25), dt.date(1912, 7, 29)),
    "大正": (1911, dt.date(1912, 7, 30), dt.date(1926, 12, 24)),
    "昭和": (1925, dt.date(1926, 12, 25), dt.date(1945, 8, 15)),
    "檀紀": (-2333, dt.date(1945, 8, 15), dt.date(1961, 12, 31)),
    "西紀": (0, dt.date(1945, 8, 15), dt.date(2000, 12, 31)),
}
ERA_HANGUL = {"隆熙": "융희", "明治": "명치", "大正": "대정", "昭和": "소화", "檀紀": "단기",
              "西紀": "서기"}
PATTERN = re.compile(r"(?P<era>隆熙|明治|大正|昭和|檀紀|西紀)?(?P<y>[^年]+)年(?P<m>[^月]+)月"
                     r"(?:(?P<d>[^日]+)日)?")


@dataclass(frozen=True)
class DateReading:
    era: str | None
    year: int | None
    month: int | None
    day: int | None
    iso: str | None  # set only for a valid date within its era
    problem: str | None  # why it could not be converted

    @property
    def hangul(self) -> str | None:
        if self.era is None or self.year is None:
            return None
        year = "원" if self.year == 1 and self.era not in ("檀紀", "西紀") else str(self.year)
        parts = [f"{ERA_HANGUL[self.era]} {year}년"]
        if self.month:
            parts.append(f"{self.month}월")
        if self.day:
            parts.append(f"{self.day}일")
        return " ".join(parts)


def parse_date(text: str) -> DateReading:
    """Reads an era date; `problem` says what is wrong when `iso` is None."""
    m = PATTERN.fullmatch(text.strip())
    if not m:
        return DateReading(None, None, None, None, None, f"not a date: {text!r}")
    era = m["era"]
    year = 1 if m["y"] == "元" else parse_number(m["y"])
    month = parse_number(m["m"])
    day = parse_number(m["d"]) if m["d"] else None
    if era is None:
        problem = "no era name" if year is not None else f"unknown era in {text!r}"
        return DateReading(None, year, month, day, None, problem)
    if year is None or month is None or (m["d"] and day is None):
        return DateReading(era, year, month, day, None, f"unreadable number in {text!r}")
    offset, first, last = ERA_SPANS[era]
    try:
        date = dt.date(year + offset, month, day or 1)
    except ValueError:
        return DateReading(era, year, month, day, None, f"no such day: {year}年{month}月{day}日")
    if not first <= date <= last:
        return DateReading(era, year, month, day, None,
                           f"{era} {year} falls outside the era ({first.year}–{last.year})")
    iso = date.isoformat() if day else date.isoformat()[:7]
    return DateReading(era, year, month, day, iso, None)
