"""Exporting the archive's parcels: one JSON object per parcel, keys other tools read.

Keys (kept stable): id, file, page, sha256, form, location, lot, category, area, grade,
events, owners, review. Each value object holds `hanja` (corrected), `raw` when the
engine read otherwise, normalised keys (`iso`, `text`, `value`/`unit`/`m2`) and, where
the vocabularies give it, `hangul`; plus `confidence` and `box` on the scan.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, TextIO

from sqlalchemy import select

from db.archive import Archive
from db.models import Page, Parcel, Scan

FORMATS = ("jsonl",)


def parcel_objects(archive: Archive) -> Iterator[dict[str, Any]]:
    """Every parcel in scan and page order, as its export object."""
    query = (select(Parcel, Page.number, Scan.path, Scan.sha256)
             .join(Page, Parcel.page_id == Page.id).join(Scan, Page.scan_id == Scan.id)
             .order_by(Scan.path, Page.number))
    with archive.session() as session:
        for parcel, page, path, sha256 in session.execute(query):
            yield {"id": f"{sha256[:16]}-{page}", "file": path, "page": page,
                   "sha256": sha256, **parcel.record}


def export(archive: Archive, out: TextIO, fmt: str = "jsonl") -> int:
    """Writes every parcel to `out`; returns how many."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    count = 0
    for obj in parcel_objects(archive):
        out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        count += 1
    return count
