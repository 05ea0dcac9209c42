"""Scans as searchable PDFs, as OCRmyPDF makes them: each page is the scan itself, at
its own resolution (a JPEG scan is embedded as it is, not recompressed), under an
invisible text layer placed over each line where it was read.

The text layer holds the value as it stands (a clerk's correction over the machine's
reading) and, for fields with one, the Korean reading too, so a search for 高陽 and for
고양 both land on the line. Vertical lines are laid out one character under the other.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from app.fonts import DocumentFont, register
from app.review import PATH, field_at
from app.scans import is_vertical, page_pixels, safe_name, scan_file
from db.archive import Archive
from db.models import Page, Scan, TextLineRow
from db.refs import parcel_ref

DEFAULT_DPI = 300


def _texts(row: TextLineRow, record: dict[str, Any] | None, single: bool) -> list[str]:
    """What the line's text layer says: the field's value and reading, or what was read."""
    field = field_at(record, row.field) if record and row.field and PATH.fullmatch(row.field) \
        else None
    if field and single and field.get("hanja"):
        return [field["hanja"]] + ([field["hangul"]] if field.get("hangul") else [])
    return [row.text]


def _place(canvas: Canvas, font: str, text: str, quad: list[list[float]], scale: float,
           height: float, vertical: bool, band: tuple[float, float]) -> None:
    """Writes `text` invisibly over the quad's box (band: the share of the box it takes)."""
    xs, ys = [p[0] * scale for p in quad], [p[1] * scale for p in quad]
    x0, x1, top, bottom = min(xs), max(xs), min(ys), max(ys)
    if vertical:
        span = x1 - x0
        x0, x1 = x0 + band[0] * span, x0 + band[1] * span
        step = (bottom - top) / max(len(text), 1)
        size = max(min(step, x1 - x0) * 0.9, 1.0)
        for i, ch in enumerate(text):
            t = canvas.beginText(x0, height - (top + (i + 1) * step) + 0.1 * step)
            t.setTextRenderMode(3)
            t.setFont(font, size)
            t.textOut(ch)
            canvas.drawText(t)
        return
    span = bottom - top
    top, bottom = top + band[0] * span, top + band[1] * span
    size = max((bottom - top) * 0.85, 1.0)
    natural = stringWidth(text, font, size) or 1.0
    t = canvas.beginText(x0, height - bottom + 0.12 * (bottom - top))
    t.setTextRenderMode(3)
    t.setFont(font, size)
    t.setHorizScale(100.0 * (x1 - x0) / natural)
    t.textOut(text)
    canvas.drawText(t)


def _image(archive: Archive, scan: Scan, page: Page, single_raster: bool) -> ImageReader:
    if single_raster and Path(scan.path).suffix.lower() in (".jpg", ".jpeg"):
        return ImageReader(BytesIO(scan_file(archive, scan).read_bytes()))  # passed through
    return ImageReader(Image.fromarray(page_pixels(archive, scan, page.number)))


def write_scan(archive: Archive, scan: Scan, out: Path, font: DocumentFont) -> int:
    """One scan as a searchable PDF at `out`; returns its number of pages."""
    name = register(font)
    canvas = Canvas(str(out), initialFontName=name, pageCompression=1)
    canvas.setTitle(Path(scan.path).name)
    canvas.setCreator("Toji")
    pages = list(scan.pages)
    # The parcels' numbers, as every verb prints them, so a PDF found later leads back.
    canvas.setKeywords(" ".join(parcel_ref(scan.sha256, p.number) for p in pages if p.parcel))
    for page in pages:
        scale = 72.0 / (page.dpi or DEFAULT_DPI)
        width, height = page.width * scale, page.height * scale
        canvas.setPageSize((width, height))
        canvas.drawImage(_image(archive, scan, page, len(pages) == 1), 0, 0, width, height)
        record = page.parcel.effective if page.parcel else None
        fields = [r.field for r in page.lines]
        for row in page.lines:
            texts = _texts(row, record, fields.count(row.field) == 1)
            vertical = is_vertical(row.box, texts[0])
            for i, text in enumerate(texts):
                band = (i / len(texts), (i + 1) / len(texts))
                _place(canvas, name, text, row.box, scale, height, vertical, band)
        canvas.showPage()
    canvas.save()
    return len(pages)


def export_searchable(archive: Archive, folder: Path, font: DocumentFont) -> int:
    """Writes every scan as `folder/<name>.pdf`; returns how many scans."""
    from sqlalchemy import select

    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    with archive.session() as session:
        for scan in session.scalars(select(Scan).order_by(Scan.id)):
            stem = safe_name(Path(scan.path).stem)
            write_scan(archive, scan, folder / f"{scan.sha256[:8]}-{stem}.pdf", font)
            count += 1
    return count
