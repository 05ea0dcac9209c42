"""Finds the fonts the sample pages are drawn with, and says what to install when absent.

Handwriting is drawn in a brush font (AR PL UKai, Debian's fonts-arphic-ukai); the
printed form in a Myeongjo-style serif (UnBatang, fonts-unfonts-core). UKai lacks a
few characters the cards need (査, 壱, 歩), so every character falls back through the
list until a font that has it is found.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont
from PIL import ImageFont

FONT_DIRS = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
             Path.home() / ".local/share/fonts", Path("C:/Windows/Fonts")]

# role → candidate files (first found wins) and the package that brings them.
ROLES: dict[str, tuple[list[str], str]] = {
    "brush": (["ukai.ttc"], "fonts-arphic-ukai"),
    "print": (["UnBatang.ttf", "batang.ttc"], "fonts-unfonts-core"),
    "gothic": (["NanumGothic.ttf", "malgun.ttf"], "fonts-nanum"),
}


class FontMissingError(RuntimeError):
    """A font the generator needs is not installed; the message names the package."""


@dataclass(frozen=True)
class Font:
    path: Path
    index: int
    charset: frozenset[int]

    def has(self, ch: str) -> bool:
        return ord(ch) in self.charset

    def at(self, size: int) -> ImageFont.FreeTypeFont:
        return _pil_font(str(self.path), self.index, size)


@functools.lru_cache(maxsize=64)
def _pil_font(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=index)


def _search(name: str) -> Path | None:
    extra = os.environ.get("TOJI_FONT_DIR")
    dirs = ([Path(extra)] if extra else []) + FONT_DIRS
    for base in dirs:
        if base.is_file() and base.name == name:
            return base
        if base.is_dir():
            for hit in base.rglob(name):
                return hit
    return None


def _roles() -> dict[str, tuple[list[str], str]]:
    """The roles' fonts, with any a measurement swaps in: TOJI_SAMPLE_FONTS holds
    role=file pairs ("brush=UnGungseo.ttf,print=UnDotum.ttf"), so that pages drawn in
    fonts the reader was never developed against can be scored."""
    roles = dict(ROLES)
    for pair in filter(None, os.environ.get("TOJI_SAMPLE_FONTS", "").split(",")):
        role, _, name = pair.partition("=")
        if role.strip() not in ROLES or not name.strip():
            raise ValueError(f"TOJI_SAMPLE_FONTS: {pair!r} is not role=file with a role "
                             f"among {', '.join(ROLES)}")
        roles[role.strip()] = ([name.strip()], "")  # a font of one's choosing: no package
    return roles


@functools.cache
def font(role: str, default: bool = False) -> Font:
    """The font for a role ("brush", "print", "gothic"), or FontMissingError naming the
    package; `default`: the role's own font even where TOJI_SAMPLE_FONTS swaps another in."""
    names, package = (ROLES if default else _roles())[role]
    for name in names:
        path = _search(name)
        if path is not None:
            if path.suffix.lower() == ".ttc":
                face = TTCollection(str(path)).fonts[0]
            else:
                face = TTFont(str(path))
            return Font(path, 0, frozenset(face.getBestCmap()))
    where = f"install the Debian package {package} (apt-get install {package}), or " \
        if package else ""
    raise FontMissingError(
        f"the {role} font ({' or '.join(names)}) is not installed: "
        f"{where}point TOJI_FONT_DIR at a folder holding it"
    )


def font_for(ch: str, roles: tuple[str, ...]) -> Font:
    """The first font among roles that has ch, else any font of the generator's that has
    it (a swapped-in font lacks a character); the last of roles when none has it."""
    fonts = [font(r) for r in roles]
    for f in fonts:
        if f.has(ch):
            return f
    for role in ROLES:
        for default in (False, True):
            try:
                other = font(role, default)
            except FontMissingError:
                continue
            if other.has(ch):
                return other
    return fonts[-1]
