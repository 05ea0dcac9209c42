"""The Korean font that certificates and PDFs are set in, found and checked once.

ReportLab embeds TrueType outlines (a `glyf` table) only, and a certificate must show
hangul and the register's hanja (畓, 垈, 臺帳 …). NanumGothic and UnBatang hold all
KS X 1001 hanja; NanumMyeongjo has no hanja and Noto CJK (CFF outlines) cannot be
embedded, so a candidate is accepted only when it passes both checks. Order: the
archive's `font` setting or TOJI_FONT, then the usual files of Debian, Windows and
macOS, then the NanumGothic that ships inside Toji (app/data, SIL OFL 1.1, licence
beside it), so that an installed wheel needs no font package; then whatever
fontconfig knows for Korean.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont, TTLibError

# Characters a certificate cannot do without: hangul, the forms' words, categories, units.
REQUIRED = "구토지대장열람확인서소유자畓垈臺帳林野坪町步番地郡面里"
CANDIDATES = [
    "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
    "/usr/share/fonts/truetype/unfonts-core/UnBatang.ttf",
    "/usr/share/fonts/truetype/unfonts-core/UnDotum.ttf",
    "C:/Windows/Fonts/malgun.ttf",
    "C:/Windows/Fonts/batang.ttc",
    "C:/Windows/Fonts/gulim.ttc",
    "/Library/Fonts/NanumGothic.ttf",
    str(Path.home() / ".local/share/fonts/NanumGothic.ttf"),
    str(Path(__file__).resolve().parent / "data" / "NanumGothic.ttf"),
]
INSTALL = ("install fonts-nanum (Debian/Ubuntu: apt-get install fonts-nanum; Windows has "
           "Malgun Gothic), or name a font file with `toji settings font PATH` or TOJI_FONT "
           "(NanumGothic.ttf, UnBatang.ttf, malgun.ttf; NanumMyeongjo lacks hanja and "
           "Noto CJK .otf/.ttc cannot be embedded)")


class FontMissingError(RuntimeError):
    """No usable Korean TrueType font; the message says what to install or set."""


@dataclass(frozen=True)
class DocumentFont:
    path: Path
    index: int  # face within a .ttc collection

    @property
    def name(self) -> str:
        return f"Toji-{self.path.stem}-{self.index}"


def _faces(path: Path) -> list[TTFont]:
    if path.suffix.lower() == ".ttc":
        return list(TTCollection(str(path), lazy=True).fonts)
    return [TTFont(str(path), lazy=True)]


@functools.cache
def check(path: Path) -> DocumentFont | str:
    """The first face of `path` fit for documents, or why none is."""
    if not path.is_file():
        return f"{path}: no such font file"
    try:
        faces = _faces(path)
    except (TTLibError, OSError, ValueError) as exc:
        return f"{path}: not a font ReportLab can read ({exc})"
    why = f"{path}: has no TrueType outlines (CFF/OTF cannot be embedded)"
    for index, face in enumerate(faces):
        if "glyf" not in face:
            continue
        cmap = face.getBestCmap() or {}
        missing = [ch for ch in REQUIRED if ord(ch) not in cmap]
        if not missing:
            return DocumentFont(path, index)
        why = f"{path}: lacks {''.join(missing)}"
    return why


def _fontconfig() -> list[str]:
    if shutil.which("fc-list") is None:
        return []
    try:
        out = subprocess.run(["fc-list", ":lang=ko", "file"], capture_output=True, text=True,
                             timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(line.split(":")[0].strip() for line in out.splitlines() if line.strip())


def document_font(setting: str | None = None) -> DocumentFont:
    """The font to embed, or FontMissingError saying what to install or set."""
    chosen = setting or os.environ.get("TOJI_FONT")
    if chosen:
        found = check(Path(chosen))
        if isinstance(found, DocumentFont):
            return found
        raise FontMissingError(f"the document font cannot be used: {found}. {INSTALL}")
    for candidate in CANDIDATES + _fontconfig():
        found = check(Path(candidate))
        if isinstance(found, DocumentFont):
            return found
    raise FontMissingError(f"no Korean TrueType font with hanja was found: {INSTALL}")


def register(font: DocumentFont) -> str:
    """Registers the font with ReportLab (once) and returns its name there."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont as ReportLabFont

    if font.name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(ReportLabFont(font.name, str(font.path),
                                              subfontIndex=font.index))
    return font.name
