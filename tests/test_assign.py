"""Every page reaches review, parcel or none; a clerk's assignment of a line, a box drawn on
the scan or a typed value to a field makes the page a parcel that search finds at once."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from sqlalchemy import select

from app.auth import PermissionDenied, Principal, acting_as
from app.process import process_paths
from app.review import assign, history, page_lines, pages_for_review, review_fields
from app.search import QueryError, owner_query, search_owners
from db.archive import open_archive
from db.models import AuditEntry, Page, Parcel, Scan, TextLineRow

NAME, READING = "李容九", "이용구"


def name_sheet(path: Path, name: str = NAME) -> Path:
    """A blank sheet, no rules and no labels, with one name written on it."""
    from samples.fonts import font

    image = Image.new("RGB", (1400, 1900), "white")
    ImageDraw.Draw(image).text((500, 800), name, font=font("print").at(90), fill="black")
    image.save(path)
    return path


def unstructured_page(archive, text: str = NAME) -> tuple[int, int]:
    """A page stored as the machine leaves one it could not structure: its lines, no
    parcel. Returns (page id, line id)."""
    with archive.session() as s, s.begin():
        scan = Scan(sha256=hashlib.sha256(text.encode()).hexdigest(), path="/scans/sheet.png",
                    size=0)
        page = Page(number=1, width=1400, height=1900, engine="rapidocr", status="no form")
        page.lines.append(TextLineRow(order=0, text=text, confidence=0.97, field=None,
                                      box=[[503, 817], [769, 817], [769, 903], [503, 903]]))
        scan.pages.append(page)
        s.add(scan)
        s.flush()
        return page.id, page.lines[0].id


def found(archive, name: str) -> list[int]:
    return [h.parcel_id for h in search_owners(archive, owner_query(name))]


def test_a_clerks_line_assignment_makes_a_searchable_parcel(archive_path: Path) -> None:
    archive = open_archive(archive_path)
    page_id, line_id = unstructured_page(archive)
    [entry] = pages_for_review(archive)
    assert (entry.page_id, entry.parcel_id, entry.status, entry.needs_review, entry.lines) == \
        (page_id, None, "no form", True, 1)
    assert [line.text for line in page_lines(archive, page_id)] == [NAME]
    assert found(archive, NAME) == []

    made = assign(archive, page_id, "owners[0].name", line_id=line_id)
    assert made.created and made.value["hanja"] == NAME and made.value["hangul"] == READING
    assert made.value["box"] and made.value["assigned"]
    assert found(archive, NAME) == [made.parcel_id] == found(archive, READING)
    with archive.session() as s:
        parcel = s.get(Parcel, made.parcel_id)
        assert parcel.page_id == page_id and parcel.form == "土地臺帳"
        assert parcel.record["owners"] == []  # the machine read no owner: kept as it was
        assert parcel.effective["owners"][0]["name"]["hanja"] == NAME
        assert parcel.needs_review  # the rest of the card is still to be read
        assert s.get(TextLineRow, line_id).field is None  # what the engine read is kept
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "review.assign")).one()
        assert entry.detail == {"field": "owners[0].name", "parcel": made.parcel_id,
                                "line": line_id, "box": None, "created": True}
    [listed] = pages_for_review(archive)
    assert listed.parcel_id == made.parcel_id and listed.needs_review

    # a second field on the same page: a correction of the parcel it has now
    more = assign(archive, page_id, "location", text="京畿道高陽郡元堂面")
    assert not more.created and more.parcel_id == made.parcel_id
    assert more.value["confirmed"] and more.value["hangul"].startswith("경기도")
    assert [v.value for v in history(archive, made.parcel_id, "owners[0].name")] == [None, NAME]
    assert {f.path for f in review_fields(archive, made.parcel_id)} == {"location",
                                                                          "owners[0].name"}
    assert found(archive, NAME) == [made.parcel_id]


def test_an_assignment_on_a_parcel_is_a_correction(read_archive) -> None:
    with read_archive.session() as s:
        parcel = s.get(Parcel, 1)
        machine = parcel.record["lot"]
        line = s.scalars(select(TextLineRow).where(TextLineRow.page_id == parcel.page_id,
                                                   TextLineRow.field == "lot")).first()
    made = assign(read_archive, parcel.page_id, "lot", line_id=line.id, text="八十八番ノ八")
    assert not made.created and made.parcel_id == 1
    with read_archive.session() as s:
        parcel = s.get(Parcel, 1)
        assert parcel.record["lot"] == machine  # never overwritten
        assert parcel.effective["lot"]["text"] == "88-8" and parcel.lot == "88-8"


def test_assign_refuses_clearly(archive_path: Path) -> None:
    archive = open_archive(archive_path)
    page_id, line_id = unstructured_page(archive)
    for path in ("owner.name", "owners[0]", "owners[0].colour", "nothing", ""):
        with pytest.raises(QueryError, match="field"):
            assign(archive, page_id, path, line_id=line_id)
    with pytest.raises(QueryError, match="no page 99"):
        assign(archive, 99, "lot", text="一")
    with pytest.raises(QueryError, match="no line 99"):
        assign(archive, page_id, "lot", line_id=99)
    with pytest.raises(QueryError, match="a line, a box"):
        assign(archive, page_id, "lot", text=" ")
    with pytest.raises(QueryError, match="holds no part"):
        assign(archive, page_id, "lot", box=(5000, 5000, 5100, 5100))
    with acting_as(Principal("desk1", "desk")), pytest.raises(PermissionDenied):
        assign(archive, page_id, "lot", line_id=line_id)
    with archive.session() as s:
        assert s.scalar(select(Parcel.id)) is None  # nothing refused left anything behind


@pytest.mark.slow
def test_a_page_with_a_name_but_no_form_reaches_review_then_search(archive_path: Path,
                                                                    tmp_path: Path) -> None:
    """The issue's case end to end: a sheet with no form, only a name on it, is processed
    and yields a parcel (what it says names the field) marked "form not recognised",
    which search finds and the review lists; the clerk's assignment of its line (and of
    a box drawn around the same name, read by the engine) is kept as the clerk's version,
    still found by search, hanja and hangul."""
    archive = open_archive(archive_path)
    outcomes = process_paths([name_sheet(tmp_path / "sheet.png")], archive)
    assert [o.status for o in outcomes] == ["stored"]
    [entry] = pages_for_review(archive)
    assert entry.parcel_id is not None and entry.status == "no form" and entry.needs_review
    with archive.session() as s:
        record = s.get(Parcel, entry.parcel_id).record
    assert record["owners"][0]["name"]["hanja"] == NAME
    assert "form not recognised" in record["owners"][0]["name"]["problems"]
    assert found(archive, NAME) == [entry.parcel_id] == found(archive, READING)

    [line] = [v for v in page_lines(archive, entry.page_id) if NAME in v.text]
    made = assign(archive, entry.page_id, "owners[0].name", line_id=line.line_id)
    assert not made.created and made.parcel_id == entry.parcel_id
    assert found(archive, NAME) == [made.parcel_id] == found(archive, READING)

    xs = [p[0] for p in line.box]
    ys = [p[1] for p in line.box]
    box = (int(min(xs)) - 10, int(min(ys)) - 10, int(max(xs)) + 10, int(max(ys)) + 10)
    drawn = assign(archive, entry.page_id, "owners[1].name", box=box)
    assert not drawn.created and drawn.value["hanja"] == NAME
    assert drawn.value["box"] == [[box[0], box[1]], [box[2], box[1]], [box[2], box[3]],
                                  [box[0], box[3]]]
    assert set(found(archive, READING)) == {made.parcel_id}  # one hit per owner row
    with archive.session() as s:
        assert [o.name_hangul for o in s.get(Parcel, made.parcel_id).owners] == [READING] * 2


def test_pages_for_review_lists_every_page(read_archive) -> None:
    page_id, _ = unstructured_page(read_archive)
    pages = pages_for_review(read_archive)
    assert page_id in [p.page_id for p in pages] and len(pages) == 3
    assert pages[0].page_id == page_id or pages[0].needs_review  # the page to structure first
    assert {p.parcel_id for p in pages} == {None, 1, 2}
    assert all(p.file for p in pages) and np.all([p.number == 1 for p in pages])
