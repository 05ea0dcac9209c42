"""Certificates: one parcel's record as a signed A4 PDF a citizen takes home.

What a certificate says (its content) is fixed when it is issued and kept in the
archive's register with a short code over it: an HMAC made from the office's signing
key, which lives outside the archive (app.signing_keys). The PDF prints the content,
the code, a QR code holding number and code, and the signing certificate's
fingerprint; then it is signed as a PDF (PAdES) with that key, so any PDF reader shows
who signed it and whether it changed. The content also records the audit chain's head
at the issue, so a certificate out in the world shows if the log's tail is cut later.
Checking a certificate is app.certificate_check.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import pdf_signature, settings
from app.auth import PermissionDenied, require
from app.certificate_pdf import render
from app.fonts import document_font
from app.personal import mask_personal
from app.review import field_at, field_paths, shown
from app.scans import bounds, page_pixels
from app.search import current_actor, find_parcel
from app.signing_keys import Signer, signer_for_issue, spaced
from db.archive import Archive
from db.audit import Head, chain_head
from db.models import AuditEntry, Certificate, Correction, Page, Parcel, Scan
from db.refs import parcel_ref

KST = dt.timezone(dt.timedelta(hours=9), "KST")  # Korea keeps no summer time
PAYLOAD = re.compile(r"TOJI-CERT:(\d{4}-\d{6}):([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})")
AUDIT_HEAD = re.compile(r"TOJI-AUDIT:(\d+):(\d+):([0-9a-f]{64})")
TITLES = {"土地臺帳": "구토지대장 열람 확인서", "林野臺帳": "구임야대장 열람 확인서"}
CROP_HEIGHT = 1100  # pixels kept of the card crop: sharp at print size, small in the PDF


class CertificateError(RuntimeError):
    """A certificate that cannot be made or checked; the message says why."""


@dataclass(frozen=True)
class Issued:
    number: str
    code: str
    path: Path
    content: dict[str, Any]


def short_code(content: dict[str, Any], key: bytes) -> str:
    """The short code: HMAC-SHA256 of the canonical JSON, 60 bits in base32, XXXX-XXXX-XXXX."""
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    digest = hmac.new(key, canonical.encode("utf-8"), hashlib.sha256).digest()
    letters = base64.b32encode(digest).decode("ascii")[:12]
    return "-".join(letters[i:i + 4] for i in range(0, 12, 4))


def payload(number: str, code: str) -> str:
    """What the QR code holds."""
    return f"TOJI-CERT:{number}:{code}"


def keywords(number: str, code: str, head: Head) -> str:
    """The PDF's Keywords: the QR's payload, then the audit chain's head at the issue
    (covered by the signature, read by `toji audit verify --against`)."""
    return f"{payload(number, code)} TOJI-AUDIT:{head.rows}:{head.last_id}:{head.hash}"


def printed(content: dict[str, Any]) -> list[str]:
    """Every value the certificate prints, which its text must still hold."""
    values = [content["title"], content["number"], content["issued_text"], content["office"]]
    for table in ("land", "events", "owners"):
        for row in content[table]:
            values += row
    if content.get("signer"):
        values.append(spaced(content["signer"]["fingerprint"]))
    return [v for v in values if v]


# ---- what the certificate says ---------------------------------------------------------

def _date(value: dict[str, Any] | None) -> str:
    if not value:
        return ""
    iso = value.get("iso")
    if iso:
        y, m, d = (int(x) for x in iso.split("-"))
        words = (value.get("hangul") or "").split(" ")
        era = " ".join(words[:2]) if words[0] and not words[0][0].isdigit() else ""
        return f"{y}. {m}. {d}." + (f" ({era})" if era else "")
    return value.get("hangul") or value.get("hanja") or ""


class _Sources:
    """Says for each field whether a person confirmed it or the machine read it."""

    def __init__(self, record: dict[str, Any], confirmers: dict[str, str]) -> None:
        self.flagged = set((record.get("review") or {}).get("fields") or [])
        self.confirmers = confirmers

    def __call__(self, path: str, value: dict[str, Any] | None) -> str:
        if not value:
            return "판독 없음"
        if value.get("confirmed"):
            return f"확인 ({self.confirmers.get(path, '담당자')})"
        text = f"기계 판독 {round(100 * float(value.get('confidence') or 0))}%"
        return f"검토 필요 · {text}" if path in self.flagged else text


def _land_rows(record: dict[str, Any], parcel: Parcel, source: _Sources) -> list[list[str]]:
    location, lot = record.get("location") or {}, record.get("lot") or {}
    area, grade = record.get("area") or {}, record.get("grade") or {}
    category = record.get("category") or {}
    area_text = shown(area)
    if area.get("m2") is not None:
        area_text += f" = {float(area['m2']):,.2f}㎡"
    lot_text = lot.get("text") or ""
    if lot.get("hanja"):
        lot_text = f"{lot_text} ({lot['hanja']})" if lot_text else lot["hanja"]
    rows = [
        ["소재지 (현재)", parcel.modern or location.get("modern") or "-", source("location", location)],
        ["소재지 (당시)", shown(location), source("location", location)],
        ["지번", lot_text, source("lot", lot)],
        ["지목", shown(category), source("category", category)],
        ["면적", area_text, source("area", area)],
    ]
    if grade:
        rows.append(["등급", str(grade.get("value", grade.get("hanja", ""))),
                     source("grade", grade)])
    return rows


def _owner_name(name: dict[str, Any] | None) -> str:
    text = shown(name)
    linked = (name or {}).get("korean_name")
    if linked:
        text += f" ※ 한국 이름 {shown(linked)}"
    return text


def _content(session, parcel: Parcel, number: str, issued: dt.datetime, office: str,  # noqa: ANN001
             actor: str, applicant: str | None, final_only: bool,
             signer: Signer | None = None, head: Head | None = None) -> dict[str, Any]:
    record = parcel.effective
    confirmers: dict[str, str] = {}
    for c in session.scalars(select(Correction).where(Correction.parcel_id == parcel.id)
                             .order_by(Correction.id)):
        confirmers[c.field] = c.actor
    source = _Sources(record, confirmers)
    page = session.get(Page, parcel.page_id)
    scan = session.get(Scan, page.scan_id)
    events = [[_date(e.get("date")), shown(e.get("event")),
               source(f"events[{i}].event", e.get("event"))]
              for i, e in enumerate(record.get("events") or [])]
    owners_all = list(enumerate(record.get("owners") or []))
    listed = owners_all[-1:] if final_only else owners_all
    owners = [[str(i + 1), _date(o.get("date")), shown(o.get("cause")),
               shown(o.get("address")), _owner_name(o.get("name")),
               source(f"owners[{i}].name", o.get("name"))] for i, o in listed]
    content = {
        "version": 2,
        "title": TITLES.get(parcel.form, "구대장 열람 확인서"),
        "number": number,
        "issued_at": issued.isoformat(timespec="seconds"),
        "issued_text": f"{issued:%Y}년 {issued.month}월 {issued.day}일 {issued:%H:%M} (KST)",
        "office": office,
        "issued_by": actor,
        "applicant": applicant or "",
        "parcel": parcel_ref(scan.sha256, page.number),
        "form": parcel.form,
        "scan": {"sha256": scan.sha256, "page": page.number, "file": Path(scan.path).name},
        "land": _land_rows(record, parcel, source),
        "events": events,
        "owners": owners,
        "owners_shown": "final" if final_only else "all",
    }
    if signer is not None:
        content["signer"] = {"fingerprint": signer.fingerprint, "subject": signer.subject}
    if head is not None:
        content["audit"] = head.as_json()
    return content


def card_crop(archive: Archive, session, parcel: Parcel) -> Image.Image:  # noqa: ANN001
    """The card as scanned: the region around every field read, at print resolution."""
    page = session.get(Page, parcel.page_id)
    scan = session.get(Scan, page.scan_id)
    pixels = page_pixels(archive, scan, page.number)
    height, width = pixels.shape[:2]
    quads = [f["box"] for f in (field_at(parcel.record, p) for p in field_paths(parcel.record))
             if f and f.get("box")]
    left, top, right, bottom = bounds(quads, width, height) or (0, 0, width, height)
    region = pixels[top:bottom, left:right]
    if region.shape[0] > CROP_HEIGHT:  # area averaging: sharp, and many times Lanczos' speed
        size = (round(region.shape[1] * CROP_HEIGHT / region.shape[0]), CROP_HEIGHT)
        region = cv2.resize(region, size, interpolation=cv2.INTER_AREA)
    return Image.fromarray(np.ascontiguousarray(region))


def _next_number(session, year: int) -> str:  # noqa: ANN001
    count = session.scalar(select(func.count()).select_from(Certificate)
                           .where(Certificate.number.like(f"{year}-%")))
    return f"{year}-{(count or 0) + 1:06d}"


def _write(out: Path, data: bytes) -> None:
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".part")
        partial.write_bytes(data)
        os.replace(partial, out)
    except OSError as exc:
        raise CertificateError(f"{out}: cannot write ({exc.strerror or exc})") from None


def issue(archive: Archive, parcel_ref: str | int, out: Path, actor: str | None = None,
          applicant: str | None = None, final_only: bool = False,
          now: dt.datetime | None = None) -> Issued:
    """Issues a certificate for a parcel: numbered, signed, written to `out`, kept in the
    archive and audit-logged (who, for whom, about which owners)."""
    principal = require("certificate")
    if not principal.may("search.records") and not applicant:
        raise PermissionDenied("a certificate from the desk names its applicant")
    applicant = mask_personal(applicant) if applicant else None
    actor = actor or current_actor()
    font = document_font(settings.get(archive, "font"))
    office = settings.get(archive, "office") or ""
    issued = (now or dt.datetime.now(dt.UTC)).astimezone(KST).replace(microsecond=0)
    for attempt in range(3):  # two desks may take the same number at once
        try:
            with archive.session() as session, session.begin():
                parcel = find_parcel(session, parcel_ref)
                signer = signer_for_issue(session, office, actor)
                number = _next_number(session, issued.year)
                head = chain_head(session)
                content = _content(session, parcel, number, issued, office, actor, applicant,
                                   final_only, signer, head)
                code = short_code(content, signer.code_key())
                data = render(content, code, payload(number, code),
                              card_crop(archive, session, parcel), font,
                              keywords(number, code, head))
                data = pdf_signature.sign(data, signer, f"{content['title']} {number}", office)
                session.add(Certificate(number=number, code=code, parcel_id=parcel.id,
                                        issued_at=issued, actor=actor, applicant=applicant,
                                        content=content, signer=signer.fingerprint,
                                        file_sha256=hashlib.sha256(data).hexdigest()))
                session.add(AuditEntry(actor=actor, action="certificate", subject=number,
                                       detail={"parcel": content["parcel"], "applicant": applicant,
                                               "owners": [o[4] for o in content["owners"]]}))
                session.flush()
                _write(out, data)
            return Issued(number, code, out, content)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def preview(archive: Archive, parcel_ref: str | int, applicant: str | None = None,
            final_only: bool = False) -> bytes:
    """The certificate as it would be issued, for the GUI's preview: marked as a preview,
    not numbered, not signed, not stored."""
    principal = require("certificate")
    font = document_font(settings.get(archive, "font"))
    now = dt.datetime.now(dt.UTC).astimezone(KST).replace(microsecond=0)
    with archive.session() as session:
        parcel = find_parcel(session, parcel_ref)
        content = _content(session, parcel, "미리보기", now, settings.get(archive, "office") or "",
                           principal.name, mask_personal(applicant) if applicant else None,
                           final_only)
        return render(content, "미리보기", "preview", card_crop(archive, session, parcel), font,
                      "preview")
