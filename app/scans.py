"""The page images behind stored records, for certificates, exports and review.

A SQLite archive keeps its own copy of each scan (`scans.stored`, inside the archive
folder); a server archive refers to the file where it was taken from. Either way the
bytes must still hash to the scan's SHA-256: a changed file is not the page that was read.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np

from app.ingest import ScanError, ScanFile, page_image
from db.archive import Archive
from db.models import Scan


def scan_file(archive: Archive, scan: Scan) -> Path:
    """Where the scan's bytes are: the archive's copy when there is one. A stored path
    that would lead out of the archive folder (a tampered row) is refused."""
    if scan.stored and archive.folder is not None:
        folder = archive.folder.resolve()
        try:
            path = (folder / scan.stored).resolve()
        except (OSError, ValueError):  # a NUL byte, a loop of links
            raise ScanError(Path(scan.stored.replace("\x00", "")),
                            "stored path cannot be a file name") from None
        if not path.is_relative_to(folder / "scans"):
            raise ScanError(Path(scan.stored), "stored path leads outside the archive folder")
        return path
    return Path(scan.path)


def safe_name(text: str, limit: int = 80) -> str:
    """A file name made from data (a scan's name): letters, digits, '.', '-' and '_'
    only, never '.' or '..' alone, so an export never writes outside its folder."""
    name = re.sub(r"[^\w.-]+", "_", text)[:limit].strip(".") or "_"
    return name


def page_pixels(archive: Archive, scan: Scan, number: int) -> np.ndarray:
    """The RGB pixels of page `number` (1-based), or ScanError naming the file."""
    path = scan_file(archive, scan)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScanError(path, f"scan of record {scan.sha256[:12]} cannot be read "
                              f"({exc.strerror or exc})") from None
    if hashlib.sha256(data).hexdigest() != scan.sha256:
        raise ScanError(path, "scan file changed since it was read (SHA-256 differs)")
    return page_image(ScanFile(path, data, scan.sha256), number).pixels  # that page alone


def bounds(quads: list[list[list[float]]], width: int, height: int,
           margin: float = 0.06) -> tuple[int, int, int, int] | None:
    """The box (x0, y0, x1, y1) around the quads, widened by `margin` of the page, clipped."""
    points = [p for quad in quads for p in quad]
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    dx, dy = margin * width, margin * height
    x0, y0 = max(0, int(min(xs) - dx)), max(0, int(min(ys) - dy))
    x1, y1 = min(width, int(max(xs) + dx)), min(height, int(max(ys) + dy))
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def is_vertical(quad: list[list[float]], text: str) -> bool:
    """A line written top to bottom: much taller than wide, more than one character."""
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    return len(text) > 1 and (max(ys) - min(ys)) > 1.5 * (max(xs) - min(xs))
