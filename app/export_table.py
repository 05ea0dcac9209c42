"""Parcels as a table for spreadsheets: CSV in UTF-8 with a BOM (so Excel opens the
Korean intact) and XLSX with a parcels sheet and an owners sheet; Korean column names.

Values are the record as it stands (clerks' corrections applied); each row says
whether the parcel still has fields to review.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select

from db.archive import Archive
from db.models import Page, Parcel, Scan
from db.refs import parcel_ref

PARCEL_COLUMNS = [
    "번호", "파일", "쪽", "대장", "도", "군", "면", "리", "소재지", "소재지(한자)",
    "현재 행정구역", "지번", "지번(한자)", "지목", "지목(한자)", "면적", "면적 단위",
    "면적(㎡)", "등급", "최종 소유자", "최종 소유자(한자)", "최종 소유자 주소",
    "소유권 취득일", "취득 사유", "소유자 수", "검토 필요", "검토 항목",
]
OWNER_COLUMNS = ["번호", "순위", "성명", "성명(한자)", "주소", "주소(한자)", "일자",
                 "사유", "최종 소유자", "신뢰도"]


def _get(field: dict[str, Any] | None, key: str) -> Any:
    return (field or {}).get(key)


def _parcels(archive: Archive) -> Iterator[tuple[Parcel, int, str, str]]:
    query = (select(Parcel, Page.number, Scan.path, Scan.sha256)
             .join(Page, Parcel.page_id == Page.id).join(Scan, Page.scan_id == Scan.id)
             .order_by(Parcel.id))
    with archive.session() as session:
        yield from session.execute(query)


def parcel_row(parcel: Parcel, page: int, path: str, sha256: str) -> list[Any]:
    r = parcel.effective
    loc, area = r.get("location") or {}, r.get("area") or {}
    parts = loc.get("parts") or {}
    owners = r.get("owners") or []
    final = owners[-1] if owners else {}
    review = r.get("review") or {}
    return [
        parcel_ref(sha256, page), Path(path).name, page, parcel.form, parts.get("do"), parts.get("gun"),
        parts.get("myeon"), parts.get("ri"), loc.get("hangul"), loc.get("hanja"),
        parcel.modern or loc.get("modern"), _get(r.get("lot"), "text"),
        _get(r.get("lot"), "hanja"), _get(r.get("category"), "hangul"),
        _get(r.get("category"), "hanja"), area.get("value"), area.get("unit"), area.get("m2"),
        _get(r.get("grade"), "value"), _get(final.get("name"), "hangul"),
        _get(final.get("name"), "hanja"), _get(final.get("address"), "hangul"),
        _get(final.get("date"), "iso"), _get(final.get("cause"), "hangul"), len(owners),
        "예" if review.get("needs_review") else "아니요", ", ".join(review.get("fields") or []),
    ]


def owner_rows(parcel: Parcel, ref: str) -> Iterator[list[Any]]:
    owners = parcel.effective.get("owners") or []
    for i, o in enumerate(owners):
        name = o.get("name") or {}
        yield [ref, i + 1, name.get("hangul"), name.get("hanja"),
               _get(o.get("address"), "hangul"), _get(o.get("address"), "hanja"),
               _get(o.get("date"), "iso"), _get(o.get("cause"), "hangul"),
               "예" if i == len(owners) - 1 else "", name.get("confidence")]


def write_csv(archive: Archive, out: TextIO) -> int:
    """Writes the parcels sheet as CSV; `out` should be opened with encoding 'utf-8-sig'
    and newline=''. Returns the number of parcels."""
    writer = csv.writer(out)
    writer.writerow(PARCEL_COLUMNS)
    count = 0
    for parcel, page, path, sha256 in _parcels(archive):
        writer.writerow(["" if v is None else v for v in parcel_row(parcel, page, path, sha256)])
        count += 1
    return count


def write_xlsx(archive: Archive, out: Path) -> int:
    """Writes an XLSX workbook (sheets 필지 and 소유자); returns the number of parcels."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=False)
    parcels = book.active
    parcels.title = "필지"
    owners = book.create_sheet("소유자")
    for sheet, columns in ((parcels, PARCEL_COLUMNS), (owners, OWNER_COLUMNS)):
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for i, name in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = max(8, 2.2 * len(name) + 2)
    count = 0
    for parcel, page, path, sha256 in _parcels(archive):
        parcels.append(parcel_row(parcel, page, path, sha256))
        for row in owner_rows(parcel, parcel_ref(sha256, page)):
            owners.append(row)
        count += 1
    parcels.auto_filter.ref = parcels.dimensions
    book.save(out)
    return count
