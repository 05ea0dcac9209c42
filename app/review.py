"""Review: a clerk's correction of a field, stored as a new version beside the machine's.

The machine's record (`parcels.record`) is never rewritten. A correction is a row of
`corrections` (old value, new value, who, when) and the record as it stands
(`parcels.current`) is rebuilt from it, read by the same field readers, so readings,
normalised values and search keys follow at once.

Every page is open to review, parcel or none (`pages_for_review`): on a page the machine
could not structure, a clerk says which line (or a box drawn on the scan, or a value
typed) is which field (`assign`), and the page becomes a parcel that search finds.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import func, select

from app.auth import require
from app.scans import is_vertical, page_pixels
from app.search import QueryError, current_actor, find_parcel
from db.archive import Archive
from db.index import index_parcel
from db.models import AuditEntry, Correction, Page, Parcel, Scan, TextLineRow
from db.refs import parcel_ref
from ocr.cells import CellReading
from ocr.page import LAND
from translit.dictionary import candidates
from translit.fields import READERS, build_record, reread
from translit.reading import is_hanja, read_name

PATH = re.compile(r"(\w+)(?:\[(\d+)\])?(?:\.(\w+))?")


@dataclass(frozen=True)
class Version:
    field: str
    value: str | None
    source: str  # "machine" or the clerk's name
    at: str | None


def field_at(record: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The field at a path such as 'lot' or 'owners[1].name', or None."""
    name, index, key = PATH.fullmatch(path).groups()  # type: ignore[union-attr]
    if index is None:
        return record.get(name)
    rows = record.get(name) or []
    return rows[int(index)].get(key) if int(index) < len(rows) else None


ROW_KEYS = {"owners": ("date", "cause", "address", "name"), "events": ("date", "event")}
UNSTRUCTURED = "unstructured"  # a record begun by a clerk on a page the machine could not read


def _set(record: dict[str, Any], path: str, value: dict[str, Any]) -> None:
    name, index, key = PATH.fullmatch(path).groups()  # type: ignore[union-attr]
    if index is None:
        record[name] = value
        return
    rows = record.get(name) or []
    record[name] = rows
    while len(rows) <= int(index):
        rows.append(dict.fromkeys(ROW_KEYS.get(name, ())))
    rows[int(index)][key] = value


def _reviewed(current: dict[str, Any], path: str, doubted: bool) -> None:
    """The record's review note once `path` has a clerk's value: the field no longer
    flagged (unless its value is doubted); a record a clerk began stays to review."""
    review = current.get("review") or {"needs_review": False, "fields": []}
    current["review"] = review
    review["fields"] = [f for f in review.get("fields", []) if f != path]
    if doubted:
        review["fields"].append(path)
    review["needs_review"] = bool(review["fields"]) or bool(review.get(UNSTRUCTURED))


def _revise(archive: Archive, parcel_ref: str | int, label: str, new_value: str, actor: str | None,
            change: Callable[[dict[str, Any]], str | None]) -> None:
    """One correction, in one transaction: `change` edits a copy of the record as it
    stands and returns the value it replaced; the row is kept and the parcel re-indexed."""
    with archive.session() as session, session.begin():
        parcel = find_parcel(session, parcel_ref)
        current = copy.deepcopy(parcel.effective)
        old = change(current)
        session.add(Correction(parcel_id=parcel.id, field=label, old_value=old,
                               new_value=new_value, actor=actor or current_actor()))
        parcel.current = current
        index_parcel(session, parcel)


def correct_field(archive: Archive, parcel: str | int, path: str, text: str,
                  actor: str | None = None) -> dict[str, Any]:
    """Stores a clerk's value for one field; returns the field as it now reads."""
    require("review")
    text = text.strip()
    if not text:
        raise QueryError("the corrected value is empty")
    try:
        field = reread(path, text)
    except ValueError as exc:
        raise QueryError(str(exc)) from None
    value = {**field.as_json(), "confirmed": True}

    def change(current: dict[str, Any]) -> str | None:
        old = field_at(current, path)
        _set(current, path, value)
        _reviewed(current, path, bool(field.problems))
        return old.get("hanja") if old else None

    _revise(archive, parcel, path, text, actor, change)
    return value


def link_korean_name(archive: Archive, parcel: str | int, owner: int, name: str,
                     actor: str | None = None) -> dict[str, str]:
    """Links the Korean name a clerk established (from a 제적등본) to an owner row written
    under a 創氏 name, so a search for either finds the row. Kept as a correction."""
    require("review")
    name = name.strip().replace(" ", "")
    if not name:
        raise QueryError("the Korean name is empty")
    hanja = name if any(is_hanja(ch) for ch in name) else None
    link = {"hanja": hanja, "hangul": read_name(name).hangul if hanja else name}
    path = f"owners[{owner}].name"

    def change(current: dict[str, Any]) -> None:
        field = field_at(current, path)
        if field is None:
            raise QueryError(f"parcel {parcel} has no owner row {owner + 1}")
        field["korean_name"] = link

    _revise(archive, parcel, path + ".korean_name", name, actor, change)
    return link


def history(archive: Archive, parcel_ref: str | int, path: str | None = None) -> list[Version]:
    """Every version of a parcel's fields: the machine's reading, then each correction."""
    require("history")
    with archive.session() as session:
        parcel = find_parcel(session, parcel_ref)
        corrections = session.scalars(select(Correction).where(
            Correction.parcel_id == parcel.id).order_by(Correction.id)).all()
        paths = [path] if path else list(dict.fromkeys(c.field for c in corrections))
        out = []
        for p in paths:
            machine = field_at(parcel.record, p) if PATH.fullmatch(p) else None
            out.append(Version(p, machine.get("hanja") if machine else None, "machine", None))
            out += [Version(p, c.new_value, c.actor, c.at.isoformat())
                    for c in corrections if c.field == p]
        return out


@dataclass(frozen=True)
class FieldView:
    """One field as the review screen shows it."""

    path: str
    hanja: str
    hangul: str
    raw: str
    confidence: float
    flagged: bool
    confirmed: bool
    box: list[list[float]] | None


def shown(field: dict[str, Any] | None) -> str:
    """A field as people read it: '한글 (漢字)', or whichever is known ('' for none)."""
    if not field:
        return ""
    hanja, hangul = field.get("hanja") or "", field.get("hangul") or ""
    if hangul and hanja and hangul != hanja:
        return f"{hangul} ({hanja})"
    return hangul or hanja


def field_paths(record: dict[str, Any]) -> list[str]:
    """Every field path of a record, in card order."""
    paths = [k for k in ("location", "lot", "category", "area", "grade") if record.get(k)]
    for table in ("events", "owners"):
        for i, row in enumerate(record.get(table) or []):
            paths += [f"{table}[{i}].{key}" for key, value in row.items()
                      if isinstance(value, dict)]
    return paths


def review_fields(archive: Archive, parcel_ref: str | int) -> list[FieldView]:
    """A parcel's fields for review: flagged ones first, then the least confident."""
    require("review")
    with archive.session() as session:
        parcel = find_parcel(session, parcel_ref)
        record = parcel.effective
    flagged = set((record.get("review") or {}).get("fields") or [])
    views = []
    for path in field_paths(record):
        f = field_at(record, path) or {}
        views.append(FieldView(path, f.get("hanja", ""), f.get("hangul", ""),
                               f.get("raw", f.get("hanja", "")), float(f.get("confidence", 0)),
                               path in flagged, bool(f.get("confirmed")), f.get("box")))
    return sorted(views, key=lambda v: (not v.flagged, v.confirmed, v.confidence))


def review_queue(archive: Archive) -> list[int]:
    """Parcels to review: those with flagged fields first, then the rest, in id order."""
    require("review")
    with archive.session() as session:
        rows = session.execute(select(Parcel.id, Parcel.needs_review, Parcel.current)
                               .order_by(Parcel.id)).all()
    pending = [pid for pid, needs, current in rows
               if (current or {}).get("review", {}).get("needs_review", needs)]
    return pending + [pid for pid, *_ in rows if pid not in pending]


# ---- every page, and a clerk's assignment of a field -----------------------------------

@dataclass(frozen=True)
class PageEntry:
    """One page as the review list shows it."""

    page_id: int
    file: str  # the scan's file name
    number: int
    status: str  # "read" or "no form"
    form: str | None
    template: str | None
    parcel_id: int | None  # None: the machine made no record of the page
    needs_review: bool
    lines: int
    parcel: str | None = None  # the parcel's number as every verb shows it (db.refs)


def pages_for_review(archive: Archive) -> list[PageEntry]:
    """Every page of the archive, with or without a parcel: pages with no parcel and
    parcels to review first, then the rest, each in page order."""
    require("review")
    with archive.session() as session:
        counts = dict(session.execute(select(TextLineRow.page_id, func.count())
                                      .group_by(TextLineRow.page_id)).all())
        rows = session.execute(
            select(Page.id, Scan.path, Page.number, Page.status, Page.form, Page.template,
                   Parcel.id, Parcel.needs_review, Parcel.current, Scan.sha256)
            .join(Scan, Scan.id == Page.scan_id).outerjoin(Parcel, Parcel.page_id == Page.id)
            .order_by(Page.id)).all()
    entries = []
    for page_id, path, number, status, form, template, parcel_id, needs, current, sha in rows:
        if parcel_id is None:
            review = True
        else:
            review = bool((current or {}).get("review", {}).get("needs_review", needs))
        entries.append(PageEntry(page_id, path.replace("\\", "/").rsplit("/", 1)[-1], number,
                                 status, form, template, parcel_id, review,
                                 counts.get(page_id, 0),
                                 None if parcel_id is None else parcel_ref(sha, number)))
    return sorted(entries, key=lambda e: (not e.needs_review, e.page_id))


@dataclass(frozen=True)
class LineView:
    """A text line of a page as the engine read it, for a clerk to pick."""

    line_id: int
    text: str
    confidence: float
    box: list[list[float]]
    field: str | None  # the field the machine gave it, if any


def page_lines(archive: Archive, page_id: int) -> list[LineView]:
    require("review")
    with archive.session() as session:
        if session.get(Page, page_id) is None:
            raise QueryError(f"no page {page_id} in this archive")
        rows = session.scalars(select(TextLineRow).where(TextLineRow.page_id == page_id)
                               .order_by(TextLineRow.order)).all()
        return [LineView(r.id, r.text, r.confidence, r.box, r.field) for r in rows]


@dataclass(frozen=True)
class PageForReview:
    """What the review screen shows of one page: the scan, the record as it stands (None
    when the machine made none), its fields for review and the engine's lines."""

    pixels: np.ndarray
    record: dict[str, Any] | None
    fields: list[FieldView]
    lines: list[LineView]


def page_for_review(archive: Archive, page_id: int) -> PageForReview:
    require("review")
    with archive.session() as session:
        page = session.get(Page, page_id)
        if page is None:
            raise QueryError(f"no page {page_id} in this archive")
        pixels = page_pixels(archive, page.scan, page.number)
        record = page.parcel.effective if page.parcel is not None else None
        parcel_id = page.parcel.id if page.parcel is not None else None
    fields = review_fields(archive, parcel_id) if parcel_id is not None else []
    return PageForReview(pixels, record, fields, page_lines(archive, page_id))


def hanja_candidates(hangul: str) -> list[str]:
    """Hanja that read as `hangul`, for the review screen's input helper."""
    return candidates(hangul)


@dataclass(frozen=True)
class Assignment:
    parcel_id: int
    created: bool  # the page had no parcel: this assignment made it
    value: dict[str, Any]  # the field as it now reads


def check_path(path: str) -> tuple[str, str | None, str | None]:
    """A field path of a register card ('location', 'owners[0].name' …), or QueryError."""
    m = PATH.fullmatch(path or "")
    if not m:
        raise QueryError(f"not a field path: {path!r}")
    name, index, key = m.groups()
    if (index is None) != (key is None) or (key or name) not in READERS or \
            (index is not None and name not in ROW_KEYS) or \
            (key is not None and key not in ROW_KEYS.get(name, ())):
        raise QueryError(f"not a field of a register card: {path!r}")
    return name, index, key


def _box_text(archive: Archive, page: Page, box: tuple[int, int, int, int],
              engine_name: str | None) -> tuple[str, float, bool]:
    """What the engine reads in a box drawn on the page's scan (scan pixels)."""
    from ocr.engine import get_engine

    x0, y0, x1, y1 = (int(round(v)) for v in box)
    x0, x1 = sorted((x0, x1))
    y0, y1 = sorted((y0, y1))
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(page.width, x1), min(page.height, y1)
    if x1 - x0 < 4 or y1 - y0 < 4:
        raise QueryError(f"the box {list(box)} holds no part of page {page.id}")
    crop = page_pixels(archive, page.scan, page.number)[y0:y1, x0:x1]
    vertical = (y1 - y0) > 1.5 * (x1 - x0)
    if vertical:  # a column read left to right, as the recogniser expects
        crop = np.ascontiguousarray(np.rot90(crop))
    from app.recognisers import page_engine  # it imports this module

    spec = engine_name or page_engine(archive, page.engine)
    text, confidence = get_engine(spec).recognize([crop])[0]
    if not text.strip():
        raise QueryError("nothing could be read in the box drawn: type the value instead")
    return text.strip(), float(confidence), vertical


def assign(archive: Archive, page_id: int, path: str, *, line_id: int | None = None,
           box: tuple[int, int, int, int] | None = None, text: str | None = None,
           engine_name: str | None = None, actor: str | None = None) -> Assignment:
    """A clerk says what is field `path` on page `page_id`: a stored text line (`line_id`),
    a box drawn on the scan (x0, y0, x1, y1 in scan pixels; the engine reads it), or a
    value typed (`text`; with a line or box it is the value and they say where it is).

    The value is read as a machine value is. A page with no parcel gets one here — the
    machine's record of it empty, the clerk's value its first version, kept to review —
    and search finds it at once; on a parcel it is a correction beside the machine's
    reading, as `correct_field` stores it. Audit-logged."""
    principal = require("review")
    name, index, key = check_path(path)
    if line_id is None and box is None and not (text or "").strip():
        raise QueryError("say what the field holds: a line, a box on the scan or a value")
    by = actor or principal.name
    with archive.session() as session:
        page = session.get(Page, page_id)
        if page is None:
            raise QueryError(f"no page {page_id} in this archive")
        quad: list[list[float]] | None = None
        confidence, vertical = 1.0, False
        if line_id is not None:
            line = session.get(TextLineRow, line_id)
            if line is None or line.page_id != page_id:
                raise QueryError(f"no line {line_id} on page {page_id}")
            quad, confidence = line.box, line.confidence
            vertical = is_vertical(line.box, line.text)
            read = line.text
        elif box is not None:
            x0, y0, x1, y1 = box
            quad = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
            read, confidence, vertical = _box_text(archive, page, box, engine_name) \
                if not (text or "").strip() else (text, 1.0, (y1 - y0) > 1.5 * (x1 - x0))
        else:
            read = text or ""
    value_text = ((text or "").strip() or read).strip()
    if not value_text:
        raise QueryError(f"line {line_id} holds no text to assign")
    if text and text.strip():
        confidence = 1.0
    cell = CellReading(path, value_text, confidence,
                       tuple(tuple(p) for p in quad) if quad else (), vertical, False,
                       len(value_text))
    field = READERS[key or name](cell)
    value = {**field.as_json(), "assigned": True}
    if text and text.strip():
        value["confirmed"] = True
    with archive.session() as session, session.begin():
        page = session.get(Page, page_id)
        parcel = page.parcel
        created = parcel is None
        if created:
            form = page.form or LAND
            machine = build_record(form, []).as_json()
            machine["review"] = {"needs_review": True, "fields": [], UNSTRUCTURED: True}
            parcel = Parcel(form=form, needs_review=True, record=machine)
            page.parcel = parcel
            session.flush()
        current = copy.deepcopy(parcel.effective)
        old = field_at(current, path)
        _set(current, path, value)
        _reviewed(current, path, bool(field.problems))
        session.add(Correction(parcel_id=parcel.id, field=path,
                               old_value=old.get("hanja") if old else None,
                               new_value=value_text, actor=by))
        parcel.current = current
        index_parcel(session, parcel)
        session.add(AuditEntry(actor=by, action="review.assign", subject=f"page {page_id}",
                               detail={"field": path, "parcel": parcel.id, "line": line_id,
                                       "box": list(box) if box is not None else None,
                                       "created": created}))
        return Assignment(parcel.id, created, value)
