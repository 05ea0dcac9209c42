"""The gazetteer of colonial place names (道·郡·面·里) with their readings and today's districts.

Loaded once from `translit/data/gazetteer.json` (its `source` says where each level
comes from): every province and county of 1914 nationwide, and the townships and
villages of 高陽郡 and its neighbours. A place's reading is the place's own (纛島 is
뚝도), so it beats any character-by-character rule.
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
    """道 → 郡 → 面 → [里] down to every village known, each name as (hanja, hangul);
    units with no village below them are left out."""
    tree: dict[Name, dict[Name, dict[Name, list[Name]]]] = {}
    for p in _data()["provinces"]:
        for c in p["counties"]:
            for t in c["townships"]:
                if t["villages"]:
                    tree.setdefault((p["hanja"], p["hangul"]), {}).setdefault(
                        (c["hanja"], c["hangul"]), {})[(t["hanja"], t["hangul"])] = [
                        tuple(v) for v in t["villages"]]  # type: ignore[misc]
    return tree


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
    """Every place name at any level, hanja → hangul (a name repeated in two places with
    two readings keeps the first; none does in the shipped list)."""
    out: dict[str, str] = {}
    for p in _data()["provinces"]:
        out.setdefault(p["hanja"], p["hangul"])
        for c in p["counties"]:
            out.setdefault(c["hanja"], c["hangul"])
            for t in c["townships"]:
                out.setdefault(t["hanja"], t["hangul"])
                for hanja, hangul in t["villages"]:
                    out.setdefault(hanja, hangul)
    return out


@functools.cache
def _modern() -> dict[str, str]:
    """道, 道郡, 道郡面 (and 郡, 郡面 without the 道), written together → today's district."""
    out: dict[str, str] = {}
    for p in _data()["provinces"]:
        out[p["hanja"]] = p["modern"]
        for c in p["counties"]:
            out[p["hanja"] + c["hanja"]] = out.setdefault(c["hanja"], c["modern"])
            for t in c["townships"]:
                out[p["hanja"] + c["hanja"] + t["hanja"]] = t["modern"]
                out.setdefault(c["hanja"] + t["hanja"], t["modern"])
    return out


def modern_district(text: str) -> str | None:
    """Today's district for a written place (道 optional), from its deepest known unit."""
    known = _modern()
    for end in range(len(text), 0, -1):
        if text[:end] in known:
            return known[text[:end]]
    return None
