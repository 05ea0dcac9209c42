"""Certificates: one parcel's record as a signed A4 PDF a citizen takes home.

What a certificate says (its content) is fixed when it is issued and kept in the
archive with an HMAC code over it made with the archive's secret key. The PDF prints
the content, the code and a QR code holding number and code. `verify_file` checks a
PDF (issued here, content as issued, every byte as issued); `verify_code` checks a
paper by the code printed on it and returns what it must say.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import settings
from app.auth import PermissionDenied, require
from app.certificate_pdf import render
from app.fonts import document_font
from app.personal import mask_personal
from app.review import field_at, field_paths, shown
from app.scans import bounds, page_pixels
from app.search import QueryError, current_actor, find_parcel
from db.archive import Archive
from db.models import AuditEntry, Certificate, Correction, Page, Parcel, Scan
from db.refs import parcel_ref

KST = dt.timezone(dt.timedelta(hours=9), "KST")  # Korea keeps no summer time
PAYLOAD = re.compile(r"TOJI-CERT:(\d{4}-\d{6}):([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})")
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


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Verification:
    number: str | None
    checks: list[Check] = field(default_factory=list)
    content: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)


def sign(content: dict[str, Any], key: bytes) -> str:
    """The short code: HMAC-SHA256 of the canonical JSON, 60 bits in base32, XXXX-XXXX-XXXX."""
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    digest = hmac.new(key, canonical.encode("utf-8"), hashlib.sha256).digest()
    letters = base64.b32encode(digest).decode("ascii")[:12]
    return "-".join(letters[i:i + 4] for i in range(0, 12, 4))


def payload(number: str, code: str) -> str:
    """What the QR code holds."""
    return f"TOJI-CERT:{number}:{code}"


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
             actor: str, applicant: str | None, final_only: bool) -> dict[str, Any]:
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
    return {
        "version": 1,
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


def _crop(archive: Archive, session, parcel: Parcel) -> Image.Image:  # noqa: ANN001
    """The card as scanned: the region around every field read, at print resolution."""
    page = session.get(Page, parcel.page_id)
    scan = session.get(Scan, page.scan_id)
    pixels = page_pixels(archive, scan, page.number)
    height, width = pixels.shape[:2]
    quads = [f["box"] for f in (field_at(parcel.record, p) for p in field_paths(parcel.record))
             if f and f.get("box")]
    box = bounds(quads, width, height) or (0, 0, width, height)
    image = Image.fromarray(pixels).crop(box)
    if image.height > CROP_HEIGHT:
        image = image.resize((round(image.width * CROP_HEIGHT / image.height), CROP_HEIGHT),
                             Image.Resampling.LANCZOS)
    return image


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
                number = _next_number(session, issued.year)
                content = _content(session, parcel, number, issued, office, actor, applicant,
                                   final_only)
                code = sign(content, settings.certificate_key(session))
                data = render(content, code, payload(number, code), _crop(archive, session, parcel),
                              font)
                session.add(Certificate(number=number, code=code, parcel_id=parcel.id,
                                        issued_at=issued, actor=actor, applicant=applicant,
                                        content=content,
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
        return render(content, "미리보기", "preview", _crop(archive, session, parcel), font)


# ---- verification ----------------------------------------------------------------------

def printed(content: dict[str, Any]) -> list[str]:
    """Every value the certificate prints, which its text must still hold."""
    values = [content["title"], content["number"], content["issued_text"], content["office"]]
    for table in ("land", "events", "owners"):
        for row in content[table]:
            values += row
    return [v for v in values if v]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _lookup(session, number: str | None = None, code: str | None = None):  # noqa: ANN001, ANN202
    query = select(Certificate)
    query = query.where(Certificate.number == number) if number else \
        query.where(Certificate.code == code)
    return session.scalars(query).first()


def _signature_check(session, cert: Certificate | None, code: str) -> list[Check]:  # noqa: ANN001
    if cert is None:
        return [Check("issued here", False, "no certificate with this number or code "
                                            "was issued by this archive")]
    expected = sign(cert.content, settings.certificate_key(session))
    return [Check("issued here", True, f"{cert.number}, {cert.content['issued_text']}, "
                                       f"by {cert.actor}"),
            Check("code", hmac.compare_digest(expected, code) and
                  hmac.compare_digest(expected, cert.code),
                  "the code matches the archive's signature over the content"
                  if expected == code == cert.code else
                  f"the code {code} is not the archive's signature for {cert.number}")]


def _log(archive: Archive, actor: str | None, subject: str, result: Verification) -> Verification:
    with archive.session() as session, session.begin():
        session.add(AuditEntry(actor=actor or current_actor(), action="verify", subject=subject,
                               detail={"ok": result.ok, "number": result.number}))
    return result


def verify_code(archive: Archive, text: str, actor: str | None = None) -> Verification:
    """Checks the code (or QR payload) read off a paper; returns what it must say."""
    require("verify")
    found = PAYLOAD.search(text)
    if found:
        number, code = found.groups()
    else:
        letters = re.sub(r"[\s-]", "", text).upper()
        if not re.fullmatch(r"[A-Z2-7]{12}", letters):
            raise QueryError(f"{text!r} is not a certificate code (XXXX-XXXX-XXXX) "
                             "nor a QR payload")
        number, code = None, "-".join(letters[i:i + 4] for i in range(0, 12, 4))
    with archive.session() as session, session.begin():
        cert = _lookup(session, number, code)
        checks = _signature_check(session, cert, code)
        result = Verification(cert.number if cert else number, checks,
                              cert.content if cert else None)
    return _log(archive, actor, result.number or code, result)


def _read_pdf(path: Path) -> tuple[bytes, str, str]:
    """The file's bytes, its keywords and its text, or CertificateError naming the file."""
    import pypdfium2 as pdfium

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CertificateError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise CertificateError(f"{path}: not a PDF that can be opened ({exc})") from None
    try:
        keywords = document.get_metadata_dict().get("Keywords", "")
        text = "\n".join(document[i].get_textpage().get_text_range()
                         for i in range(len(document)))
    except pdfium.PdfiumError as exc:
        raise CertificateError(f"{path}: PDF damaged ({exc})") from None
    finally:
        document.close()
    return data, keywords, text


def verify_file(archive: Archive, path: Path, actor: str | None = None) -> Verification:
    """Checks a certificate PDF: issued by this archive, code right, text as issued, bytes
    as issued. A damaged file that no longer opens fails with the reason."""
    require("verify")
    try:
        data, keywords, text = _read_pdf(path)
    except CertificateError as exc:
        return _log(archive, actor, str(path),
                    Verification(None, [Check("readable", False, str(exc))]))
    found = PAYLOAD.search(keywords) or PAYLOAD.search(_squash(text))
    if found is None:
        return _log(archive, actor, str(path), Verification(None, [Check(
            "certificate number", False, f"{path}: holds no Toji certificate number and code")]))
    number, code = found.group(1), found.group(2)
    with archive.session() as session, session.begin():
        cert = _lookup(session, number)
        checks = _signature_check(session, cert, code)
        if cert is not None:
            squashed = _squash(text)
            missing = [v for v in printed(cert.content) if _squash(v) not in squashed]
            checks.append(Check("content", not missing, "every value as issued" if not missing
                                else "changed or missing: " + "; ".join(missing[:5])))
            same = hashlib.sha256(data).hexdigest() == cert.file_sha256
            checks.append(Check("file", same, "byte for byte the file issued" if same else
                                "the file differs from the one issued (altered or re-saved)"))
        result = Verification(number, checks, cert.content if cert else None)
    return _log(archive, actor, number, result)
