"""A parcel's number, the same in every verb, output and window: the first 16 hex digits
of its scan's SHA-256, a dash, and the page (`de37d06627e9ed42-1`).

Why this one and not the row number: it is made from the scan itself, so it survives a
page read again (`toji process --reread`), a backup restored, an export imported into
another archive. The archive's row number (`6`, which older versions printed as `#6`)
is still accepted wherever a parcel is asked for, so old scripts keep working.
"""

from __future__ import annotations

import re

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from db.models import Page, Parcel, Scan

REF = re.compile(r"([0-9a-f]{16})-(\d{1,6})")
ROW = re.compile(r"#?(\d{1,18})")


class BadReference(ValueError):
    """Text that is neither a parcel's number nor an archive row number."""


def parcel_ref(sha256: str, page: int) -> str:
    """The number of the parcel read from page `page` of the scan with this digest."""
    return f"{sha256[:16]}-{page}"


def parcel_id_for(session: Session, ref: str | int) -> int | None:
    """The parcel's row id for a number (or a row id), None when the archive has none."""
    if isinstance(ref, int):
        return ref if session.get(Parcel, ref) is not None else None
    text = ref.strip().lower()
    if m := ROW.fullmatch(text):
        row = int(m.group(1))
        return row if session.get(Parcel, row) is not None else None
    m = REF.fullmatch(text)
    if m is None:
        raise BadReference(f"{ref!r} is not a parcel number (like de37d06627e9ed42-1)")
    prefix, page = m.group(1), int(m.group(2))
    # A key range, not LIKE: it uses the unique index on the digest in either database.
    return session.scalar(
        select(Parcel.id).join(Page, Parcel.page_id == Page.id).join(Scan, Page.scan_id == Scan.id)
        .where(and_(Scan.sha256 >= prefix, Scan.sha256 < prefix + "g"), Page.number == page))


def refs_of(session: Session, parcel_ids: list[int]) -> dict[int, str]:
    """Row id → number, for parcels shown together (one query)."""
    if not parcel_ids:
        return {}
    rows = session.execute(
        select(Parcel.id, Scan.sha256, Page.number).join(Page, Parcel.page_id == Page.id)
        .join(Scan, Page.scan_id == Scan.id).where(Parcel.id.in_(parcel_ids)))
    return {pid: parcel_ref(sha, page) for pid, sha, page in rows}
