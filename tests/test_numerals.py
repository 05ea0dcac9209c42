"""Hanja numerals in every form the cards use, and what is not a numeral."""

import pytest

from samples.values import write_number
from translit.numerals import parse_number


@pytest.mark.parametrize(("text", "value"), [
    ("一", 1), ("十", 10), ("拾", 10), ("十五", 15), ("壹拾伍", 15), ("二十", 20), ("廿", 20),
    ("廿五", 25), ("卅", 30), ("百二十三", 123), ("壹佰貳拾參", 123), ("參百貳拾", 320),
    ("壱百弐拾参", 123), ("千四", 1004), ("二千六百二十四", 2624), ("壱〇", 10), ("一九", 19),
    ("一九四六", 1946), ("1946", 1946), ("１２", 12), ("三萬", 30000), ("萬二千", 12000),
    ("〇", 0), ("百", 100), ("拾壹", 11),
])
def test_parse_number(text: str, value: int) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "番", "二三十", "十十", "十百", "大正", "五五十"])
def test_not_numbers(text: str) -> None:
    assert parse_number(text) is None


def test_reads_everything_the_generator_writes() -> None:
    for n in range(1, 10000):
        assert parse_number(write_number(n)) == n
        assert parse_number(write_number(n, formal=True)) == n
