"""Reading stored pages again with another model (`toji process --reread`), so an
archive improves after it learns.

The page's earlier machine reading (its lines, its record, the engine and model that
made it) is kept whole as a `readings` row; the new reading takes its place as the
machine's version. A field a clerk confirmed or corrected is never overwritten: the
record as it stands (`parcels.current`) is the new reading with every confirmed field
carried over. A page the new model cannot make a record of keeps the one it had.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.auth import require
from app.batch import page_row
from app.forms import templates
from app.ingest import PageImage, ScanError
from app.page_task import read_image
from app.review import _reviewed, _set, field_at, field_paths
from app.scans import page_pixels
from db.archive import Archive
from db.index import index_parcel
from db.models import Page, Parcel, Reading, TextLineRow


@dataclass(frozen=True)
class Reread:
    page_id: int
    status: str  # "reread", "kept" (the new reading made no record), "failed"
    kept_confirmed: int = 0  # confirmed fields carried over
    needs_review: bool = False
    error: str | None = None


def pages_to_reread(archive: Archive, only_review: bool) -> list[int]:
    """Every page, or only those with something to review (a flagged field, no parcel)."""
    with archive.session() as session:
        rows = session.execute(select(Page.id, Parcel.needs_review, Parcel.current)
                               .outerjoin(Parcel, Parcel.page_id == Page.id)
                               .order_by(Page.id)).all()
    if not only_review:
        return [page_id for page_id, *_ in rows]
    return [page_id for page_id, needs, current in rows
            if needs is None or (current or {}).get("review", {}).get("needs_review", needs)]


def carried_over(new: dict[str, Any], current: dict[str, Any] | None) -> tuple[dict | None, int]:
    """The record as it stands after a reread: the new reading with the clerk's confirmed
    fields put back (None when no clerk had touched it), and how many were put back."""
    if not current:
        return None, 0
    merged = copy.deepcopy(new)
    kept = 0
    for path in field_paths(current):
        field = field_at(current, path)
        if field and field.get("confirmed"):
            _set(merged, path, copy.deepcopy(field))
            _reviewed(merged, path, bool(field.get("problems")))
            kept += 1
    review = current.get("review") or {}
    if review.get("unstructured"):  # a record a clerk began stays one
        merged.setdefault("review", {})["unstructured"] = True
        merged["review"]["needs_review"] = True
    return merged, kept


def reread_page(archive: Archive, page_id: int, engine, forms) -> Reread:  # noqa: ANN001
    """Reads one stored page again with `engine` and stores it as the machine's version."""
    with archive.session() as session:
        page = session.get(Page, page_id)
        if page is None:
            return Reread(page_id, "failed", error=f"no page {page_id} in this archive")
        try:
            pixels = page_pixels(archive, page.scan, page.number)
        except ScanError as exc:
            return Reread(page_id, "failed", error=str(exc))
        image = PageImage(page.number, pixels, page.dpi)
    reading = read_image(image, engine, forms)
    with archive.session() as session, session.begin():
        page = session.get(Page, page_id)
        parcel = page.parcel
        if reading.record is None and parcel is not None:
            return Reread(page_id, "kept", needs_review=parcel.needs_review)
        session.add(Reading(
            page_id=page.id, engine=page.engine, form=page.form, template=page.template,
            lines=[[ln.text, ln.confidence, ln.box, ln.field] for ln in page.lines],
            record=parcel.record if parcel else None,
            needs_review=parcel.needs_review if parcel else True,
            replaced_by=reading.engine))
        fresh = page_row(reading)
        page.engine, page.form, page.template = fresh.engine, fresh.form, fresh.template
        page.status, page.skew = fresh.status, fresh.skew
        page.lines.clear()
        session.flush()
        for row in fresh.lines:
            page.lines.append(TextLineRow(order=row.order, text=row.text,
                                          confidence=row.confidence, box=row.box,
                                          field=row.field))
        kept = 0
        if reading.record is not None:
            if parcel is None:
                parcel = Parcel(form=reading.record["form"], needs_review=reading.needs_review,
                                record=reading.record)
                page.parcel = parcel
            else:
                parcel.form, parcel.record = reading.record["form"], reading.record
                parcel.current, kept = carried_over(reading.record, parcel.current)
                parcel.needs_review = reading.needs_review
            session.flush()
            index_parcel(session, parcel)
        needs = (parcel.effective.get("review") or {}).get("needs_review", True) \
            if parcel else True
        return Reread(page_id, "reread", kept, needs)


def reread(archive: Archive, engine_spec: str, only_review: bool = False,
           on_page: Callable[[Reread, int, int], None] | None = None) -> list[Reread]:
    """Reads the archive's pages (or only those to review) again with the engine spec
    (`rapidocr@PATH` for a model of the archive's); a page that fails is reported and the
    rest go on."""
    require("process")
    from ocr.engine import get_engine

    engine = get_engine(engine_spec)
    forms = templates(archive)
    ids = pages_to_reread(archive, only_review)
    done = []
    for i, page_id in enumerate(ids, 1):
        try:
            outcome = reread_page(archive, page_id, engine, forms)
        except Exception as exc:  # noqa: BLE001 - one bad page must not stop the others
            outcome = Reread(page_id, "failed", error=f"page {page_id}: {exc}")
        done.append(outcome)
        if on_page:
            on_page(outcome, i, len(ids))
    return done
