"""Reading hanja as Korean, held to cases written from sources (tests/data/readings.tsv).

Each line names a kind, what a card says, the reading `toji read --as KIND` must put
first, and where the expectation comes from; a line ending in "fail" must be refused.
At least 99% must be right; every miss is listed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from translit.gazetteer import modern_district
from translit.reading import read_as

CASES = Path(__file__).with_name("data") / "readings.tsv"


def cases() -> list[list[str]]:
    rows = []
    for line in CASES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


def answer(kind: str, text: str) -> str:
    if kind == "today":
        return read_as(text, "category").details["today"]
    if kind == "modern":
        return modern_district(text) or "unmapped"
    return read_as(text, kind).hangul


def test_at_least_400_cases_cover_every_kind() -> None:
    rows = cases()
    assert len(rows) >= 400
    kinds = {r[0] for r in rows}
    assert kinds >= {"name", "place", "date", "area", "lot", "category", "event", "free",
                     "today", "modern"}


def test_readings_are_right() -> None:
    wrong = []
    rows = cases()
    for kind, text, expected, source, *flag in rows:
        if flag == ["fail"]:
            try:
                got = answer(kind, text)
            except ValueError:
                continue
            wrong.append(f"{kind} {text}: should be refused ({source}), read {got!r}")
            continue
        got = answer(kind, text)
        if got != expected:
            wrong.append(f"{kind} {text}: {got!r}, want {expected!r} ({source})")
    assert len(wrong) / len(rows) <= 0.01, "\n".join(wrong)


@pytest.mark.parametrize(("args", "first"), [
    (["大正五年三月拾日", "--as", "date"], "1916-03-10"),
    (["參百貳拾坪", "--as", "area"], "1057.85 m²"),
    (["金本正一", "--as", "name"], "김본정일"),
    (["百二十三番ノ四", "--as", "lot"], "123-4"),
    (["京畿道高陽郡碧蹄面城石里", "--as", "place"], "경기도 고양군 벽제면 성석리"),
    (["所有權移轉"], "소유권이전"),
])
def test_read_verb_prints_the_reading_first(args: list[str], first: str, capsys) -> None:
    assert main(["read", *args]) == 0
    assert capsys.readouterr().out.splitlines()[0] == first


def test_read_verb_refuses_what_it_cannot_convert(capsys) -> None:
    assert main(["read", "大正二十年一月一日", "--as", "date"]) == 1
    assert "outside the era" in capsys.readouterr().err
