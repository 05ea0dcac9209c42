"""The gazetteer of colonial place names (道·郡·面·里) with their Korean readings.

Loaded once from `translit/data/gazetteer.json`. A place's reading is the place's own
(纛島 is 뚝도), so it beats any character-by-character rule.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).with_name("data") / "gazetteer.json"
LEVELS = ("do", "gun", "myeon", "ri")

Name = tuple[str, str]  # (hanja, hangul)


@dataclass(frozen=True)
class Place:
    """One village with the chain of units above it."""

    do: Name
    gun: Name
    myeon: Name
    ri: Name


@functools.cache
def _data() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def as_tree() -> dict[Name, dict[Name, dict[Name, list[Name]]]]:
    """道 → 郡 → 面 → [里], each name as (hanja, hangul)."""
    return {
        (p["hanja"], p["hangul"]): {
            (c["hanja"], c["hangul"]): {
                (t["hanja"], t["hangul"]): [tuple(v) for v in t["villages"]]  # type: ignore[misc]
                for t in c["townships"]
            }
            for c in p["counties"]
        }
        for p in _data()["provinces"]
    }


@functools.cache
def places() -> tuple[Place, ...]:
    """Every village the gazetteer knows, with its 道, 郡 and 面."""
    return tuple(Place(do, gun, myeon, ri)
                 for do, counties in as_tree().items()
                 for gun, towns in counties.items()
                 for myeon, villages in towns.items()
                 for ri in villages)


@functools.cache
def readings() -> dict[str, str]:
    """Every place name at any level, hanja → hangul."""
    out: dict[str, str] = {}
    for place in places():
        for name in (place.do, place.gun, place.myeon, place.ri):
            out[name[0]] = name[1]
    return out
