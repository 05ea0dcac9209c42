"""Registering a scan: its bytes, their SHA-256, and the page images inside it.

Scans arrive as PNG, JPEG, TIFF (several pages) or PDF (each page a scan). Whatever is
wrong with a file becomes one `ScanError` naming the file and the problem, so a batch
can report it and go on.
"""

from __future__ import annotations

import contextlib
import hashlib
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

SCAN_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".pdf"}
MAX_PIXELS = 120_000_000  # a 300-dpi A2 sheet is 35 Mpx; beyond this is a bomb, not a scan
PDF_DPI = 300
MAGIC = {b"II*\x00": "TIFF", b"MM\x00*": "TIFF", b"\x89PNG": "PNG", b"\xff\xd8": "JPEG",
         b"BM": "BMP"}


class ScanError(Exception):
    """A file that cannot be taken in as a scan; str() is 'PATH: reason'."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple:  # crosses process boundaries from batch workers intact
        return (ScanError, (self.path, self.reason))


@dataclass(frozen=True)
class PageImage:
    number: int  # 1-based within the scan
    pixels: np.ndarray  # RGB uint8
    dpi: int | None


@dataclass(frozen=True)
class ScanFile:
    path: Path
    data: bytes
    sha256: str


LIST_SUFFIXES = {".txt", ".lst"}


def expand(paths: Iterable[Path]) -> Iterator[Path]:
    """Files as given, the scans inside folders (recursively, in name order), and the
    paths a list file names (.txt or .lst: one path a line, relative to the list's folder,
    # for comments)."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*")
                              if p.is_file() and p.suffix.lower() in SCAN_SUFFIXES)
        elif path.suffix.lower() in LIST_SUFFIXES and path.is_file():
            try:
                lines = path.read_text(encoding="utf-8-sig").splitlines()
            except (OSError, UnicodeDecodeError):
                yield path  # processing it then names the problem
                continue
            named = [line.strip() for line in lines if line.strip() and
                     not line.lstrip().startswith("#")]
            yield from expand(path.parent / name for name in named)
        else:
            yield path


def load(path: Path) -> ScanFile:
    """Reads a scan's bytes and hashes them; errors name the file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ScanError(path, "no such file") from None
    except IsADirectoryError:
        raise ScanError(path, "is a folder, not a scan") from None
    except PermissionError:
        raise ScanError(path, "cannot be read (permission denied)") from None
    except OSError as exc:
        raise ScanError(path, f"cannot be read ({exc.strerror or exc})") from None
    if not data:
        raise ScanError(path, "empty file (0 bytes)")
    return ScanFile(path, data, hashlib.sha256(data).hexdigest())


def pages_of(scan: ScanFile) -> list[PageImage]:
    """Decodes every page of a scan to RGB pixels."""
    return [page_image(scan, n) for n in range(1, page_count(scan) + 1)]


def page_count(scan: ScanFile) -> int:
    """How many pages the scan holds, from its header (nothing decoded)."""
    if scan.data.startswith(b"%PDF"):
        import pypdfium2 as pdfium

        try:
            document = pdfium.PdfDocument(scan.data)
        except pdfium.PdfiumError as exc:
            raise ScanError(scan.path, f"PDF cannot be opened ({exc})") from None
        try:
            count = len(document)
        finally:
            document.close()
        if not count:
            raise ScanError(scan.path, "PDF has no pages")
        return count
    with _opened(scan) as image:
        return getattr(image, "n_frames", 1)


def page_image(scan: ScanFile, number: int) -> PageImage:
    """Decodes page `number` (1-based) alone: a worker reads one page of a long TIFF or
    PDF without decoding the others."""
    if scan.data.startswith(b"%PDF"):
        import pypdfium2 as pdfium

        try:
            document = pdfium.PdfDocument(scan.data)
            try:
                if not 1 <= number <= len(document):
                    raise ScanError(scan.path, f"has no page {number}")
                bitmap = document[number - 1].render(scale=PDF_DPI / 72)
                return PageImage(number, np.asarray(bitmap.to_pil().convert("RGB")), PDF_DPI)
            finally:
                document.close()
        except pdfium.PdfiumError as exc:
            raise ScanError(scan.path, f"PDF page {number} cannot be rendered ({exc})") from None
    with _opened(scan) as image:
        try:
            image.seek(number - 1)
        except EOFError:
            raise ScanError(scan.path, f"has no page {number}") from None
        try:
            image.load()
            dpi = image.info.get("dpi")
            return PageImage(number, _to_rgb(image), round(float(dpi[0])) if dpi else None)
        except (OSError, SyntaxError, ValueError) as exc:
            raise ScanError(scan.path, f"damaged image, page {number} ({exc})") from None


@contextlib.contextmanager
def _opened(scan: ScanFile) -> Iterator[Image.Image]:
    """The image opened with the size guards on; every failure a ScanError naming the file."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # PIL's notes on damaged files
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(scan.data))
            w, h = image.size
            if w * h > MAX_PIXELS:
                raise ScanError(scan.path, f"image too large ({w} x {h} pixels)")
            yield image
    except ScanError:
        raise
    except UnidentifiedImageError:
        kind = next((k for magic, k in MAGIC.items() if scan.data.startswith(magic)), None)
        if kind:  # the right signature, a structure that cannot be read: a damaged file
            raise ScanError(scan.path, f"damaged image ({kind} that cannot be decoded)") \
                from None
        raise ScanError(scan.path, "not an image or PDF (unrecognised format)") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ScanError(scan.path, "image too large (decompression bomb guard)") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ScanError(scan.path, f"damaged image ({exc})") from None


def _to_rgb(frame: Image.Image) -> np.ndarray:
    if frame.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale: scale to 8 bits rather than clip.
        grey = np.asarray(frame, dtype=np.float64)
        top = grey.max() or 1.0
        frame = Image.fromarray((grey * (255.0 / top)).astype(np.uint8))
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        frame = frame.convert("RGBA")
        white = Image.new("RGBA", frame.size, (255, 255, 255, 255))
        frame = Image.alpha_composite(white, frame)
    return np.asarray(frame.convert("RGB"))
