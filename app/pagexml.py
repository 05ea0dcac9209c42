"""Pages as PAGE-XML (the 2019-07-15 schema), so an archive can move to Transkribus or
eScriptorium with its layout, lines and fields.

Layout of an export folder (what Transkribus imports): each page image beside a
`page/` folder holding one XML per image, same base name. In each XML the form is a
TableRegion (custom `toji {parcel:de37d06627e9ed42-1;}`, the parcel's number as every
verb prints it); every field of the card is a TextRegion inside it (custom attribute
`structure {type:name;} toji {field:owners[0].name;}`) holding the engine's line(s)
with their own TextEquiv (the raw reading, with its confidence); the region's first
TextEquiv is the value as it stands (corrected hanja), the second its Korean reading.
Lines outside any field (a page with no form) are regions of type "other".
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from io import BytesIO
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import select

from app.review import PATH, field_at
from app.scans import bounds, is_vertical, page_pixels, safe_name, scan_file
from db.archive import Archive
from db.models import Page, Scan, TextLineRow
from db.refs import parcel_ref

NS = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"
SCHEMA = f"{NS} {NS}/pagecontent.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
RASTER = {".png", ".jpg", ".jpeg", ".bmp"}


def _el(parent: ET.Element, tag: str, **attrs: Any) -> ET.Element:
    return ET.SubElement(parent, f"{{{NS}}}{tag}",
                         {k: str(v) for k, v in attrs.items() if v is not None})


def _points(quad: list[list[float]], width: int, height: int) -> str:
    return " ".join(f"{min(max(round(x), 0), width - 1)},{min(max(round(y), 0), height - 1)}"
                    for x, y in quad)


def _text_equiv(parent: ET.Element, text: str, conf: float | None = None,
                index: int | None = None, comments: str | None = None) -> None:
    equiv = _el(parent, "TextEquiv", index=index,
                conf=None if conf is None else f"{min(max(conf, 0.0), 1.0):.4f}",
                comments=comments)
    _el(equiv, "Unicode").text = text


def _line(region: ET.Element, row: TextLineRow, width: int, height: int) -> None:
    line = _el(region, "TextLine", id=f"l{row.order}",
               readingDirection="top-to-bottom" if is_vertical(row.box, row.text) else None)
    _el(line, "Coords", points=_points(row.box, width, height))
    _text_equiv(line, row.text, row.confidence)


def _kind(path: str) -> str:
    name, _, key = PATH.fullmatch(path).groups()  # type: ignore[union-attr]
    return key or name


def page_xml(page: Page, image_name: str, record: dict[str, Any] | None,
             lines: list[TextLineRow], now: dt.datetime) -> bytes:
    """One page's PAGE-XML document."""
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}PcGts", {f"{{{XSI}}}schemaLocation": SCHEMA})
    meta = _el(root, "Metadata")
    _el(meta, "Creator").text = "Toji"
    stamp = now.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds")
    _el(meta, "Created").text = stamp
    _el(meta, "LastChange").text = stamp
    number = parcel_ref(page.scan.sha256, page.number)
    _el(meta, "Comments").text = (f"{'parcel ' + number if record is not None else 'no parcel'}; "
                                  f"{page.form or 'no form'}; engine {page.engine}")
    w, h = page.width, page.height
    xml_page = _el(root, "Page", imageFilename=image_name, imageWidth=w, imageHeight=h)
    by_field: dict[str, list[TextLineRow]] = {}
    loose = []
    for row in lines:
        if row.field and record is not None:
            by_field.setdefault(row.field, []).append(row)
        else:
            loose.append(row)
    if by_field:
        frame = bounds([r.box for rows in by_field.values() for r in rows], w, h, 0.01)
        table = _el(xml_page, "TableRegion", id="form", custom=f"structure {{type:{page.form};}} toji {{parcel:{number};}}")
        x0, y0, x1, y1 = frame or (0, 0, w - 1, h - 1)
        _el(table, "Coords", points=f"{x0},{y0} {x1 - 1},{y0} {x1 - 1},{y1 - 1} {x0},{y1 - 1}")
        for n, (path, rows) in enumerate(by_field.items()):
            field = field_at(record, path) if PATH.fullmatch(path) else None
            region = _el(table, "TextRegion", id=f"f{n}", type="other",
                         custom=f"structure {{type:{_kind(path)};}} toji {{field:{path};}}")
            _el(region, "Coords", points=_points((field or {}).get("box") or rows[0].box, w, h))
            for row in rows:
                _line(region, row, w, h)
            if field and field.get("hanja"):
                source = "confirmed" if field.get("confirmed") else "machine"
                _text_equiv(region, field["hanja"], field.get("confidence"), 1, source)
                if field.get("hangul"):
                    _text_equiv(region, field["hangul"], None, 2, "hangul reading")
    for row in loose:
        region = _el(xml_page, "TextRegion", id=f"r{row.order}", type="other")
        _el(region, "Coords", points=_points(row.box, w, h))
        _line(region, row, w, h)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _image(archive: Archive, scan: Scan, page: Page) -> tuple[bytes, str]:
    """The page image's bytes and suffix: the scan itself when it is one raster page."""
    path = scan_file(archive, scan)
    suffix = Path(scan.path).suffix.lower()
    if suffix in RASTER:
        return path.read_bytes(), suffix
    buffer = BytesIO()
    Image.fromarray(page_pixels(archive, scan, page.number)).save(buffer, "PNG")
    return buffer.getvalue(), ".png"


def export_page_xml(archive: Archive, folder: Path) -> int:
    """Writes every page's image and PAGE-XML into `folder`; returns how many pages."""
    (folder / "page").mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    count = 0
    with archive.session() as session:
        pages = session.scalars(select(Page).order_by(Page.scan_id, Page.number)).all()
        for page in pages:
            scan = page.scan
            stem = safe_name(Path(scan.path).stem)
            data, suffix = _image(archive, scan, page)
            base = f"{scan.sha256[:8]}-{stem}-p{page.number}"
            (folder / (base + suffix)).write_bytes(data)
            record = page.parcel.effective if page.parcel else None
            (folder / "page" / f"{base}.xml").write_bytes(
                page_xml(page, base + suffix, record, list(page.lines), now))
            count += 1
    return count
