"""One parcel as the person asking may see it: the search desk's detail pane.

A clerk sees the whole card: every owner row and a crop of every field read. A desk
user (조상땅 찾기) sees what the desk search answers: the land and its final owner, and
a crop of only those fields, never the earlier owners' names, addresses or causes. A
look at a parcel is a look at a person's record, so it is audit-logged ("view") with
who looked and for which applicant, as a search is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from app.auth import PermissionDenied, require
from app.personal import mask_personal
from app.review import shown
from app.scans import bounds, page_pixels
from app.search import current_actor, find_parcel
from db.archive import Archive
from db.models import AuditEntry, Page
from db.refs import parcel_ref


@dataclass(frozen=True)
class OwnerLine:
    """One owner row as the pane lists it (position 1 is the first owner)."""

    position: int
    date: str  # ISO, or ''
    cause: str
    name: str  # '한글 (漢字)'
    final: bool


@dataclass(frozen=True)
class ParcelDetail:
    parcel: str  # the parcel's number (db.refs)
    location: str
    modern: str
    lot: str
    category: str
    area: str
    owners: list[OwnerLine]
    crop: np.ndarray  # the card as scanned, around the fields shown
    desk: bool  # True: shown as the desk may see it (final owner only)


def _area(field: dict[str, Any] | None) -> str:
    text = shown(field)
    if field and field.get("m2"):
        text += f" = {field['m2']:,.2f}㎡"
    return text


def _only(pixels: np.ndarray, quads: list[list[list[float]]], pad: int = 6) -> np.ndarray:
    """The page with everything outside the fields shown greyed out: the rows between the
    location and the final owner hold earlier owners, whom the desk may not see."""
    out = np.full_like(pixels, 235)
    height, width = pixels.shape[:2]
    for quad in quads:
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        x0, y0 = max(0, int(min(xs)) - pad), max(0, int(min(ys)) - pad)
        x1, y1 = min(width, int(max(xs)) + pad), min(height, int(max(ys)) + pad)
        out[y0:y1, x0:x1] = pixels[y0:y1, x0:x1]
    return out


def parcel_detail(archive: Archive, parcel: str | int, applicant: str | None = None,
                  actor: str | None = None) -> ParcelDetail:
    """The parcel's land, owners and card crop, cut to what the signed-in role may see;
    the look is audit-logged."""
    principal = require("search.desk")
    desk = not principal.may("search.records")
    if desk and not applicant:
        raise PermissionDenied("an ancestral-land search needs the applicant: name, "
                               "relation to the owner and proof document")
    with archive.session() as session, session.begin():
        row = find_parcel(session, parcel)
        record = row.effective
        page = session.get(Page, row.page_id)
        number = parcel_ref(page.scan.sha256, page.number)
        pixels = page_pixels(archive, page.scan, page.number)
        owners = list(enumerate(record.get("owners") or []))
        listed = owners[-1:] if desk else owners
        lines = [OwnerLine(i + 1, (o.get("date") or {}).get("iso", ""), shown(o.get("cause")),
                           shown(o.get("name")), i == len(owners) - 1) for i, o in listed]
        session.add(AuditEntry(
            actor=actor or current_actor(), action="view", subject=number,
            detail={"owners": [line.name for line in lines], "desk": desk,
                    "applicant": mask_personal(applicant) if applicant else None}))
    quads = [f["box"] for f in (record.get("location"), record.get("lot"), record.get("category"),
                                record.get("area")) if f and f.get("box")]
    quads += [o["name"]["box"] for _, o in listed if (o.get("name") or {}).get("box")]
    if desk:
        pixels = _only(pixels, quads)
    height, width = pixels.shape[:2]
    x0, y0, x1, y1 = bounds(quads, width, height, 0.05) or (0, 0, width, height)
    return ParcelDetail(number, shown(record.get("location")), row.modern or "",
                        shown(record.get("lot")), shown(record.get("category")),
                        _area(record.get("area")), lines, pixels[y0:y1, x0:x1].copy(), desk)
