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


@functools.cache
def font(role: str) -> Font:
    """The font for a role ("brush", "print", "gothic"), or FontMissingError naming the package."""
    names, package = ROLES[role]
    for name in names:
        path = _search(name)
        if path is not None:
            if path.suffix.lower() == ".ttc":
                face = TTCollection(str(path)).fonts[0]
            else:
                face = TTFont(str(path))
            return Font(path, 0, frozenset(face.getBestCmap()))
    raise FontMissingError(
        f"the {role} font ({' or '.join(names)}) is not installed: "
        f"install the Debian package {package} (apt-get install {package}), "
        f"or point TOJI_FONT_DIR at a folder holding it"
    )


def font_for(ch: str, roles: tuple[str, ...]) -> Font:
    """The first font among roles that has ch; the last one when none has it."""
    fonts = [font(r) for r in roles]
    for f in fonts:
        if f.has(ch):
            return f
    return fonts[-1]
