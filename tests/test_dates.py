"""Era dates: conversions, 元年, the two-era years, and dates that must be flagged."""

import datetime as dt
import random

import pytest

from samples.values import write_date
from translit.dates import parse_date


@pytest.mark.parametrize(("text", "iso", "hangul"), [
    ("大正五年三月拾日", "1916-03-10", "대정 5년 3월 10일"),
    ("大正元年八月一日", "1912-08-01", "대정 원년 8월 1일"),
    ("明治四十五年七月二十九日", "1912-07-29", "명치 45년 7월 29일"),
    ("昭和拾參年貳月五日", "1938-02-05", "소화 13년 2월 5일"),
    ("昭和元年十二月二十五日", "1926-12-25", "소화 원년 12월 25일"),
    ("檀紀四二八三年六月一日", "1950-06-01", "단기 4283년 6월 1일"),
    ("西紀1965年三月一日", "1965-03-01", "서기 1965년 3월 1일"),
    ("隆熙三年五月六日", "1909-05-06", "융희 3년 5월 6일"),
])
def test_valid_dates(text: str, iso: str, hangul: str) -> None:
    reading = parse_date(text)
    assert (reading.iso, reading.problem, reading.hangul) == (iso, None, hangul)


@pytest.mark.parametrize(("text", "problem"), [
    ("大正二十年三月一日", "outside the era"),
    ("明治四十五年八月一日", "outside the era"),
    ("昭和五年二月三十日", "no such day"),
    ("昭和五年十三月一日", "no such day"),
    ("五年三月一日", "no era"),
    ("大正五年三月", None),
    ("大止五年三月一日", "unknown era"),
    ("大正五年三月X日", "unreadable"),
    ("三月一日", "not a date"),
])
def test_flagged_dates(text: str, problem: str | None) -> None:
    reading = parse_date(text)
    if problem is None:
        assert reading.iso == "1916-03" and reading.problem is None
    else:
        assert reading.iso is None and problem in reading.problem


def test_reads_every_date_the_generator_writes() -> None:
    rng = random.Random(8)
    start = dt.date(1913, 1, 1)
    for _ in range(2000):
        day = start + dt.timedelta(days=rng.randrange(62 * 365))
        written = write_date(day, rng)
        assert parse_date(written.hanja).iso == day.isoformat(), written.hanja
