"""Processing scans into the archive: register each file once, read its pages, store lines.

Each scan is stored in a transaction of its own, so a failure on one file leaves
every other file's rows whole. A scan already in the archive (same SHA-256) is not
read again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app import ingest
from db.archive import Archive
from db.models import Page, Scan, TextLineRow
from ocr.engine import get_engine


@dataclass(frozen=True)
class Outcome:
    """What became of one file: stored, duplicate (already in the archive) or failed."""

    path: Path
    status: str
    scan_id: int | None = None
    pages: int = 0
    lines: int = 0
    error: str | None = None


def process_file(path: Path, archive: Archive, engine_name: str = "rapidocr") -> Outcome:
    """Registers and reads one scan file; bad input comes back as a failed Outcome."""
    try:
        scan_file = ingest.load(path)
        with archive.session() as session:
            existing = session.scalar(select(Scan).where(Scan.sha256 == scan_file.sha256))
            if existing is not None:
                return Outcome(path, "duplicate", existing.id, len(existing.pages))
        images = ingest.pages_of(scan_file)
    except ingest.ScanError as exc:
        return Outcome(path, "failed", error=str(exc))

    engine = get_engine(engine_name)
    scan = Scan(sha256=scan_file.sha256, path=str(path.resolve()), size=len(scan_file.data))
    line_count = 0
    for image in images:
        h, w = image.pixels.shape[:2]
        page = Page(number=image.number, width=w, height=h, dpi=image.dpi, engine=engine.name)
        for order, line in enumerate(engine.read(image.pixels)):
            page.lines.append(TextLineRow(order=order, text=line.text,
                                          confidence=line.confidence,
                                          box=[list(p) for p in line.box]))
            line_count += 1
        scan.pages.append(page)
    with archive.session() as session, session.begin():
        session.add(scan)
    return Outcome(path, "stored", scan.id, len(images), line_count)


def process_paths(paths: Iterable[Path], archive: Archive, engine_name: str = "rapidocr",
                  on_outcome: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Processes files and folders in order; every outcome is reported as it happens."""
    outcomes = []
    for path in ingest.expand(paths):
        outcome = process_file(path, archive, engine_name)
        if on_outcome:
            on_outcome(outcome)
        outcomes.append(outcome)
    return outcomes
