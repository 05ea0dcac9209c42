"""Processing scans into the archive: register each file once, read its pages, store them.

Each page is read cell by cell against the form templates and becomes a parcel record
(`translit.fields`); its cell readings are kept as text lines with their field. A page
that matches no form keeps the engine's whole-page lines and is marked "no form".
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
from db.index import index_parcel
from db.models import Page, Parcel, Scan, TextLineRow
from ocr.engine import OcrEngine, get_engine
from ocr.page import read_page
from translit.fields import build_record


@dataclass(frozen=True)
class Outcome:
    """What became of one file: stored, duplicate (already in the archive) or failed."""

    path: Path
    status: str
    scan_id: int | None = None
    pages: int = 0
    lines: int = 0
    review: int = 0  # pages with a field (or the whole page) for a clerk to check
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
    try:
        stored = archive.keep_scan(scan_file.data, scan_file.sha256, path.suffix)
    except OSError as exc:  # a full disk, a read-only folder: this file fails, others go on
        return Outcome(path, "failed", error=f"{path}: cannot copy into the archive "
                                              f"({exc.strerror or exc})")
    scan = Scan(sha256=scan_file.sha256, path=str(path.resolve()), stored=stored,
                size=len(scan_file.data))
    for image in images:
        scan.pages.append(read_into_page(image, engine))
    with archive.session() as session, session.begin():
        session.add(scan)
        session.flush()
        for page in scan.pages:
            if page.parcel is not None:
                index_parcel(session, page.parcel)
    review = sum(1 for p in scan.pages if p.parcel is None or p.parcel.needs_review)
    return Outcome(path, "stored", scan.id, len(images), sum(len(p.lines) for p in scan.pages),
                   review)


def read_into_page(image: ingest.PageImage, engine: OcrEngine) -> Page:
    """One page image read into a Page row with its text lines and, on a form, its parcel."""
    h, w = image.pixels.shape[:2]
    reading = read_page(image.pixels, engine)
    page = Page(number=image.number, width=w, height=h, dpi=image.dpi, engine=engine.name,
                form=reading.form, skew=round(reading.skew, 2),
                status="read" if reading.form else "no form")
    if reading.form is None:
        for order, line in enumerate(reading.lines):
            page.lines.append(TextLineRow(order=order, text=line.text, confidence=line.confidence,
                                          box=[list(p) for p in line.box]))
        return page
    for order, cell in enumerate(reading.cells):
        page.lines.append(TextLineRow(order=order, text=cell.text, confidence=cell.confidence,
                                      box=[list(p) for p in cell.box], field=cell.field))
    record = build_record(reading.form, reading.cells)
    # Summary columns, owners and keys are derived from the record by db.index on storing.
    page.parcel = Parcel(form=reading.form, needs_review=bool(record.review()),
                         record=record.as_json())
    return page


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
