"""The sample generator writes numbers, dates, lots and areas as the cards do."""

import datetime as dt
import random

import pytest

from samples import values


@pytest.mark.parametrize(("n", "plain", "formal"), [
    (1, "一", "壹"), (10, "十", "壹拾"), (15, "十五", "壹拾伍"), (20, "二十", "貳拾"),
    (123, "百二十三", "壹佰貳拾參"), (320, "三百二十", "參佰貳拾"), (1004, "千四", "壹仟肆"),
    (2624, "二千六百二十四", "貳仟陸佰貳拾肆"),
])
def test_write_number(n: int, plain: str, formal: str) -> None:
    assert values.write_number(n) == plain
    assert values.write_number(n, formal=True) == formal


def test_write_number_refuses_what_cards_never_hold() -> None:
    with pytest.raises(ValueError):
        values.write_number(0)


@pytest.mark.parametrize(("day", "era", "year"), [
    (dt.date(1912, 7, 29), "明治", 45), (dt.date(1912, 7, 30), "大正", 1),
    (dt.date(1916, 3, 10), "大正", 5), (dt.date(1926, 12, 25), "昭和", 1),
    (dt.date(1938, 2, 5), "昭和", 13), (dt.date(1950, 6, 1), "檀紀", 4283),
    (dt.date(1965, 1, 1), "西紀", 1965),
])
def test_era_of(day: dt.date, era: str, year: int) -> None:
    assert values.era_of(day)[0::2] == (era, year)


def test_write_date_year_one_is_gannen() -> None:
    v = values.write_date(dt.date(1912, 8, 1), random.Random(0))
    assert v.hanja.startswith("大正元年")
    assert v.extra["iso"] == "1912-08-01"
    assert v.hangul == "대정 원년 8월 1일"


def test_lot_and_areas_are_consistent() -> None:
    rng = random.Random(5)
    for _ in range(200):
        lot = values.write_lot(rng)
        main, sub = lot.extra["main"], lot.extra["sub"]
        assert lot.extra["text"] == (f"{main}-{sub}" if sub else str(main))
        assert ("ノ" in lot.hanja) == bool(sub)
        land = values.write_land_area(rng)
        assert land.extra["m2"] == pytest.approx(land.extra["value"] * 400 / 121, abs=0.006)
        forest = values.write_forest_area(rng)
        p = forest.extra["parts"]
        assert forest.extra["value"] == p["町"] * 3000 + p["反"] * 300 + p["畝"] * 30 + p["步"]


def test_names_follow_reading_customs() -> None:
    rng = random.Random(3)
    for _ in range(300):
        name = values.korean_name(rng)
        assert len(name.hangul) == len(name.hanja)
        assert not name.hangul[1:].startswith(("룡", "례", "래"))  # 두음법칙 on the given name
        soshi = values.soshi_name(rng)
        assert soshi.extra["soshi"] and soshi.hangul[0] in "김암송신평국궁대산안성덕목"
