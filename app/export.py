"""Exporting the archive, so it can leave Toji with all its work.

Formats: `jsonl` (one object per parcel; keys kept stable: id, file, page, sha256,
form, location, lot, category, area, grade, events, owners, review; each value object
holds `hanja` (corrected), `raw` when the engine read otherwise, normalised keys and,
where the vocabularies give it, `hangul`, plus `confidence` and `box` on the scan),
`csv` and `xlsx` (spreadsheets, Korean column names), and three folder formats:
`page-xml` (PAGE 2019 per page, with the images), `pdf` (a searchable PDF per scan)
and `paddle` (clerk-confirmed lines as a PaddleOCR training set). Every export is
audit-logged: it carries the names of everyone in the archive.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select

from app.auth import require
from app.search import QueryError, current_actor
from db.archive import Archive
from db.models import AuditEntry, Page, Parcel, Scan
from db.refs import parcel_ref

STREAM_FORMATS = ("jsonl", "csv")
FORMATS = ("jsonl", "csv", "xlsx", "page-xml", "pdf", "paddle")
FOLDER_FORMATS = ("page-xml", "pdf", "paddle")


def parcel_objects(archive: Archive) -> Iterator[dict[str, Any]]:
    """Every parcel in scan and page order, as its export object."""
    query = (select(Parcel, Page.number, Scan.path, Scan.sha256)
             .join(Page, Parcel.page_id == Page.id).join(Scan, Page.scan_id == Scan.id)
             .order_by(Scan.path, Page.number))
    with archive.session() as session:
        for parcel, page, path, sha256 in session.execute(query):
            yield {"id": parcel_ref(sha256, page), "file": path, "page": page,
                   "sha256": sha256, **parcel.record}


def _jsonl(archive: Archive, out: TextIO) -> int:
    count = 0
    for obj in parcel_objects(archive):
        out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        count += 1
    return count


def _audit(archive: Archive, fmt: str, target: str, count: int, actor: str | None) -> None:
    with archive.session() as session, session.begin():
        session.add(AuditEntry(actor=actor or current_actor(), action="export", subject=target,
                               detail={"format": fmt, "count": count}))


def export(archive: Archive, out: TextIO, fmt: str = "jsonl", actor: str | None = None) -> int:
    """Writes a stream format (jsonl, csv) to `out`; returns how many parcels."""
    from app.export_table import write_csv

    require("export")
    if fmt not in STREAM_FORMATS:
        raise QueryError(f"{fmt} is written to a file or folder: give --out")
    count = _jsonl(archive, out) if fmt == "jsonl" else write_csv(archive, out)
    _audit(archive, fmt, getattr(out, "name", "<stream>"), count, actor)
    return count


def export_to(archive: Archive, fmt: str, out: Path, actor: str | None = None) -> str:
    """Writes any format to a file (jsonl, csv, xlsx) or a folder (page-xml, pdf, paddle);
    returns a one-line summary. OSError propagates for the caller to name the path."""
    from app.export_table import write_csv, write_xlsx

    require("export")
    if fmt not in FORMATS:
        raise QueryError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if fmt in FOLDER_FORMATS and out.exists() and not out.is_dir():
        raise QueryError(f"{out}: {fmt} writes a folder, and this is a file")
    if fmt == "jsonl":
        with out.open("w", encoding="utf-8") as stream:
            summary = f"{_jsonl(archive, stream)} parcel(s)"
    elif fmt == "csv":
        with out.open("w", encoding="utf-8-sig", newline="") as stream:
            summary = f"{write_csv(archive, stream)} parcel(s)"
    elif fmt == "xlsx":
        summary = f"{write_xlsx(archive, out)} parcel(s)"
    elif fmt == "page-xml":
        from app.pagexml import export_page_xml

        summary = f"{export_page_xml(archive, out)} page(s)"
    elif fmt == "pdf":
        from app import settings
        from app.fonts import document_font
        from app.searchable_pdf import export_searchable

        font = document_font(settings.get(archive, "font"))
        summary = f"{export_searchable(archive, out, font)} scan(s)"
    else:
        from app.training_set import export_training_set
        from ocr.engine import get_engine

        made = export_training_set(archive, out, get_engine("rapidocr").characters())
        summary = (f"{made.lines} line(s): {made.train} train, {made.val} val"
                   + (f"; characters added to the dictionary: {made.new_characters}"
                      if made.new_characters else ""))
    _audit(archive, fmt, str(out), int(summary.split()[0]), actor)
    return summary
