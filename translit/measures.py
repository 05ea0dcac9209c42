"""Lots and areas: 百二十三番ノ四 → 123-4; 參百貳拾坪 → 320 坪 = 128000/121 m².

Areas stay exact: 1 坪 = 400/121 m² and 1 步 = 1 坪, so the square metres are a
fraction, rounded only when shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from translit.numerals import parse_number

SQM_PER_PYEONG = Fraction(400, 121)
# The sub number's mark is small and faint and is sometimes not read (九百四十六番十二):
# a number after 番 is still the sub number, read without its mark (`mark` empty).
# The sub number's mark: ノ as printed or written (之, の, 丿, 乃), or as a recogniser
# trained on Chinese answers for it (a slash or a bracket: 五百十五番／五).
LOT = re.compile(r"(?P<main>[^番]+)番(?:地)?(?:(?P<mark>[ノ之の丿乃/／)）]?)(?P<sub>.+))?")
LAND_AREA = re.compile(r"(?P<p>[^坪合勺]+)坪(?:(?P<h>[^坪合勺]+)合)?(?:(?P<s>[^坪合勺]+)勺)?")
FOREST_AREA = re.compile(r"(?:(?P<c>[^町反畝步]+)町)?(?:(?P<t>[^町反畝步]+)反)?"
                         r"(?:(?P<m>[^町反畝步]+)畝)?(?:(?P<b>[^町反畝步]+)步)?")
UNIT_HANGUL = {"坪": "평", "合": "홉", "勺": "작", "町": "정", "反": "단", "畝": "묘", "步": "보"}


@dataclass(frozen=True)
class Lot:
    main: int
    sub: int | None

    @property
    def text(self) -> str:
        return f"{self.main}-{self.sub}" if self.sub else str(self.main)

    @property
    def hangul(self) -> str:
        return f"{self.main}번지" + (f"의 {self.sub}" if self.sub else "")


@dataclass(frozen=True)
class Area:
    value: Fraction  # in 坪 for land, in 步 for forest (the same size)
    unit: str  # "坪" or "步"
    parts: dict[str, int]  # as written: {"坪": 320} or {"町": 1, "反": 2}

    @property
    def m2(self) -> Fraction:
        return self.value * SQM_PER_PYEONG

    @property
    def hangul(self) -> str:
        return " ".join(f"{n}{UNIT_HANGUL[u]}" for u, n in self.parts.items() if n)


def parse_lot(text: str) -> Lot | None:
    """A 地番: main number, and the sub number after ノ (or 之), if any."""
    m = LOT.fullmatch(text.strip())
    if not m:
        return None
    main = parse_number(m["main"])
    sub = parse_number(m["sub"]) if m["sub"] else None
    if main is None or (m["sub"] and sub is None):
        return None
    return Lot(main, sub)


def parse_area(text: str) -> Area | None:
    """A 地積 in 坪 (合 = 1/10, 勺 = 1/100) or in 町·反·畝·步 (3000·300·30·1 步)."""
    text = text.strip().replace("歩", "步")
    land = LAND_AREA.fullmatch(text)
    if land:
        counts = [parse_number(land[g]) if land[g] else 0 for g in ("p", "h", "s")]
        if None in counts:
            return None
        p, h, s = counts
        value = Fraction(p) + Fraction(h, 10) + Fraction(s, 100)  # type: ignore[arg-type]
        return Area(value, "坪", {"坪": p, "合": h, "勺": s})  # type: ignore[dict-item]
    forest = FOREST_AREA.fullmatch(text)
    if forest and any(forest.groupdict().values()):
        raw = dict(zip("町反畝步", (forest[g] for g in "ctmb"), strict=True))
        counts = {u: parse_number(v) if v else 0 for u, v in raw.items()}
        if None in counts.values():
            return None
        bu = counts["町"] * 3000 + counts["反"] * 300 + counts["畝"] * 30 + counts["步"]  # type: ignore[operator]
        return Area(Fraction(bu), "步", counts)  # type: ignore[arg-type]
    return None
