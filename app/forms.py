"""Forms: the printings an archive reads the fast way, built in or taught by a clerk.

A printing Toji has never met is read by its printed labels. Once such a page reads well,
a clerk may keep it as a template (`learn`): it is stored in the archive, and every later
page of that printing is read by it (`templates`, which every batch hands its workers).
Each page remembers the template it was read by, so `list_forms` can say how many pages
each form matched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from app.auth import require
from app.ingest import load
from app.recognisers import page_engine
from app.scans import page_pixels
from app.search import QueryError
from db.archive import Archive
from db.models import AuditEntry, Form, Page, Scan
from ocr.engine import get_engine
from ocr.layout import Template, load_templates
from ocr.page import learn_template, read_page
from translit.assemble import assign

NAME_LENGTH = 64


class FormError(QueryError):
    """A form that cannot be learnt: no such page, a name in use, a page with no table."""


@dataclass(frozen=True)
class FormInfo:
    """One form as `toji forms list` shows it."""

    name: str
    kind: str  # 土地臺帳 or 林野臺帳
    source: str  # "built-in" or "learnt"
    fields: int  # cells with a field
    pages: int  # pages read by it
    created_by: str | None = None
    created_at: str | None = None
    page_id: int | None = None  # the page it was learnt from


def _learnt(archive: Archive) -> list[Form]:
    with archive.session() as session:
        return list(session.scalars(select(Form).order_by(Form.id)))


def templates(archive: Archive) -> list[Template]:
    """Every template pages are read by: the built-in forms, then those the archive learnt."""
    return [*load_templates(), *(Template.from_json(f.template) for f in _learnt(archive))]


def template_json(archive: Archive) -> list[dict]:
    """The same as plain JSON dicts, as batch workers receive them (they pickle)."""
    return [t.to_json() for t in templates(archive)]


def list_forms(archive: Archive) -> list[FormInfo]:
    """Each form with how many pages of the archive were read by it."""
    require("review")
    with archive.session() as session:
        counts = dict(session.execute(select(Page.template, func.count())
                                      .where(Page.template.is_not(None))
                                      .group_by(Page.template)).all())
    out = [FormInfo(t.name, t.kind, "built-in", sum(bool(c.field) for c in t.cells),
                    counts.get(t.name, 0)) for t in load_templates()]
    for f in _learnt(archive):
        cells = f.template.get("cells", [])
        out.append(FormInfo(f.name, f.kind, "learnt", sum(bool(c.get("field")) for c in cells),
                            counts.get(f.name, 0), f.created_by, f.created_at.isoformat(),
                            f.page_id))
    return out


def find_page(archive: Archive, ref: str) -> int:
    """A page id from what a clerk types: `12` (a page id), or `FILE[:N]`, a scan already in
    the archive (found by its SHA-256) and its page number (1 when left out)."""
    ref = ref.strip()
    if ref.isdigit():
        return int(ref)
    path, number = ref, 1
    head, sep, tail = ref.rpartition(":")
    if sep and tail.isdigit() and head:
        path, number = head, int(tail)
    sha256 = load(Path(path)).sha256
    with archive.session() as session:
        page_id = session.scalar(select(Page.id).join(Scan).where(Scan.sha256 == sha256,
                                                                  Page.number == number))
    if page_id is None:
        raise FormError(f"{path}: page {number} of this scan is not in the archive")
    return page_id


def learn(archive: Archive, page_id: int, name: str, engine_name: str | None = None,
          actor: str | None = None) -> FormInfo:
    """Keeps the printing of page `page_id` as the template `name`: the page's scan is read
    again by its labels (never by a template), its values given their fields, and the
    cells they sit in stored in the archive. Audit-logged."""
    principal = require("process")
    name = name.strip()
    if not name or len(name) > NAME_LENGTH:
        raise FormError(f"a form's name is 1 to {NAME_LENGTH} characters, not {name!r}")
    if name in {t.name for t in load_templates()}:
        raise FormError(f"{name} is a built-in form's name: choose another")
    with archive.session() as session:
        if session.scalar(select(Form.id).where(Form.name == name)) is not None:
            raise FormError(f"a form named {name} exists already: choose another name")
        page = session.get(Page, page_id)
        if page is None:
            raise FormError(f"no page {page_id} in this archive")
        scan, number, engine = page.scan, page.number, engine_name or page.engine
        pixels = page_pixels(archive, scan, number)
    reading = read_page(pixels, get_engine(page_engine(archive, engine)), templates=[])
    if not reading.understood:
        raise FormError(f"page {page_id} could not be read by its labels (too few printed "
                        "labels were found): it cannot serve as a form")
    try:
        template = learn_template(reading, assign(reading.cells, reading.understood), name)
    except ValueError as exc:
        raise FormError(f"page {page_id} cannot serve as a form: {exc}") from None
    by = actor or principal.name
    with archive.session() as session, session.begin():
        if session.scalar(select(Form.id).where(Form.name == name)) is not None:
            raise FormError(f"a form named {name} exists already: choose another name")
        form = Form(name=name, kind=template.kind, template=template.to_json(), page_id=page_id,
                    created_by=by)
        session.add(form)
        fields = sum(bool(c.field) for c in template.cells)
        session.add(AuditEntry(actor=by, action="form.learn", subject=name,
                               detail={"page": page_id, "kind": template.kind, "fields": fields}))
        session.flush()
        return FormInfo(name, template.kind, "learnt", fields, 0, by,
                        form.created_at.isoformat(), page_id)
