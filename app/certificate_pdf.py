"""Lays a certificate's content out on A4 with ReportLab: title, issue block, the land,
its history and owners, the card as scanned, and the verification block (QR, code and
the fingerprint of the certificate the PDF is signed with).

Everything printed comes from the content dict, so what `toji verify` compares against
the archive is exactly what a reader sees. The text is real text in an embedded
TrueType font, so `pdftotext` and screen readers find the Korean and the hanja.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from PIL import Image as PILImage
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Image,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app.fonts import DocumentFont, register
from app.signing_keys import spaced

INK = colors.HexColor("#1f2933")
RULE = colors.HexColor("#9aa5b1")
HEAD = colors.HexColor("#e4e7eb")
WIDTH = A4[0] - 36 * mm  # text width between the margins
NOTICE = ("이 확인서는 보존 중인 구 대장 스캔 원본을 판독한 내용을 안내하는 열람용 문서이며, "
          "법적 효력이 있는 등본이 아닙니다. 판독란의 '기계 판독'은 담당자가 확인하지 않은 "
          "기계 판독 결과이고, '확인'은 담당자가 원본과 대조한 값입니다.")


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12, textColor=INK,
                          wordWrap="CJK")
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontSize=19, leading=24,
                                alignment=TA_CENTER, spaceAfter=2),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=9, alignment=TA_CENTER,
                                   textColor=colors.HexColor("#52606d")),
        "section": ParagraphStyle("section", parent=base, fontSize=11, leading=15,
                                  spaceBefore=8, spaceAfter=3),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11),
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10,
                                textColor=colors.HexColor("#52606d")),
        "mono": ParagraphStyle("mono", parent=base, fontSize=7.5, leading=10),
    }


def _table(rows: list[list[str]], header: list[str], widths: list[float],
           style: ParagraphStyle, font: str) -> Table:
    data = [[Paragraph(escape(h), style) for h in header]]
    data += [[Paragraph(escape(str(v)), style) for v in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD),
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]))
    return table


def _qr(text: str, size: float, font: str) -> Drawing:
    widget = QrCodeWidget(text, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.initialFontName = font  # else the drawing names Helvetica, which is not embedded
    drawing.add(widget)
    return drawing


def _card(crop: PILImage.Image, max_w: float, max_h: float) -> Image:
    buffer = BytesIO()
    crop.convert("RGB").save(buffer, "JPEG", quality=82, optimize=True)
    buffer.seek(0)
    scale = min(max_w / crop.width, max_h / crop.height)
    return Image(buffer, width=crop.width * scale, height=crop.height * scale)


class _CardBlock(Flowable):
    """The card crop beside the verification block, the crop scaled to the room left on the
    page (between 44 and 95 mm high, leaving room for the notes under it) so that a
    certificate stays on one page when it can."""

    def __init__(self, heading: Paragraph, crop: PILImage.Image, verify: list,
                 font: str) -> None:
        super().__init__()
        self.heading, self.crop, self.verify, self.font = heading, crop, verify, font
        self.table: Table | None = None

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        height = min(95 * mm, max(44 * mm, avail_height - 30 * mm))
        self.table = Table([[self.heading, ""],
                            [_card(self.crop, avail_width * 0.56, height), self.verify]],
                           colWidths=[avail_width * 0.6, avail_width * 0.4])
        self.table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                        ("SPAN", (0, 0), (1, 0)),
                                        ("FONT", (0, 0), (-1, -1), self.font),
                                        ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        return self.table.wrap(avail_width, avail_height)

    def draw(self) -> None:
        self.table.drawOn(self.canv, 0, 0)


def _verify_block(content: dict[str, Any], code: str, qr_payload: str, font: str,
                  st: dict[str, ParagraphStyle]) -> list:
    """Beside the card: QR, code, and the signer's fingerprint a receiver compares with
    the one the office publishes."""
    block = [_qr(qr_payload, 24 * mm, font), Spacer(1, 1 * mm),
             Paragraph(escape(f"확인코드 {code}"), st["section"])]
    signer = content.get("signer")
    if signer:
        block += [Paragraph(escape("서명 인증서 지문 (SHA-256)"), st["small"]),
                  Paragraph(escape(spaced(signer["fingerprint"])), st["mono"])]
    return block


def _how_to_check(content: dict[str, Any], st: dict[str, ParagraphStyle]) -> list:
    """Under the card, the page's full width: how to check it, and what it is not."""
    text = (f"발급번호 {content['number']}의 진위는 발급 기관에서 확인코드 또는 QR 코드로 "
            f"확인할 수 있습니다 (toji verify).")
    if content.get("signer"):
        text += (" PDF 파일은 전자서명(PAdES)으로 기관 없이도 PDF 뷰어에서 확인할 수 있으며, "
                 "서명 인증서 지문이 발급 기관이 공개한 것과 같아야 합니다.")
    return [Spacer(1, 1.5 * mm), Paragraph(escape(f"{text} {NOTICE}"), st["small"])]


def render(content: dict[str, Any], code: str, qr_payload: str, crop: PILImage.Image,
           font: DocumentFont, keywords: str) -> bytes:
    """The certificate as PDF bytes (not yet signed: see app.pdf_signature)."""
    name = register(font)
    st = _styles(name)
    out = BytesIO()
    number = content["number"]

    def footer(canvas, doc) -> None:  # noqa: ANN001 - ReportLab's callback signature
        canvas.saveState()
        canvas.setFont(name, 7.5)
        canvas.setFillColor(colors.HexColor("#52606d"))
        canvas.drawString(18 * mm, 10 * mm, f"발급번호 {number} · 확인코드 {code}")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"{doc.page}쪽")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
        bottomMargin=18 * mm, title=content["title"], author=content["office"],
        subject=f"{content['title']} {number}", creator="Toji",
        keywords=keywords, initialFontName=name)
    story: list = [
        Paragraph(escape(content["title"]), st["title"]),
        Paragraph(escape(f"{content['form']} 記載 內容 確認 · 열람용 (등본 아님)"), st["subtitle"]),
        Spacer(1, 4 * mm),
        _table([[number, content["issued_text"], content["office"]]],
               ["발급번호", "발급일시", "발급기관"], [WIDTH * 0.22, WIDTH * 0.33, WIDTH * 0.45],
               st["cell"], name),
        Spacer(1, 1.5 * mm),
        _table([[content["issued_by"], content["applicant"] or "-",
                 f"{content['scan']['file']} {content['scan']['page']}쪽"]],
               ["담당자", "신청인", "원본 스캔"], [WIDTH * 0.22, WIDTH * 0.33, WIDTH * 0.45],
               st["cell"], name),
        Paragraph("토지의 표시", st["section"]),
        _table(content["land"], ["항목", "내용", "판독"],
               [WIDTH * 0.17, WIDTH * 0.58, WIDTH * 0.25], st["cell"], name),
    ]
    if content["events"]:
        story += [Paragraph("연혁", st["section"]),
                  _table(content["events"], ["일자", "사유", "판독"],
                         [WIDTH * 0.35, WIDTH * 0.40, WIDTH * 0.25], st["cell"], name)]
    heading = "소유자" + (" (최종 소유자만 표시)" if content["owners_shown"] == "final" else "")
    story += [Paragraph(heading, st["section"]),
              _table(content["owners"], ["순위", "일자", "사유", "주소", "성명", "판독"],
                     [WIDTH * w for w in (0.07, 0.19, 0.12, 0.28, 0.18, 0.16)],
                     st["cell"], name)]
    verify = _verify_block(content, code, qr_payload, name, st)
    story.append(_CardBlock(Paragraph("대장 원본 (스캔)", st["section"]), crop, verify, name))
    story += _how_to_check(content, st)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
