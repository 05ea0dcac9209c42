"""Checking a certificate: a PDF anyone received, or the code read off a paper.

A PDF is checked first by its signature, which needs no secret and no archive: is it
signed, is every byte as signed, and is the signer trusted (one of the archive's
signing certificates, retired ones included, or a certificate given with --trust).
When the issuing archive is at hand its register is checked too: issued here, the
code, the text and the bytes as issued. Whatever could not be checked is said, with
what would check it, so a receiver without Toji's archive knows where they stand.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import require
from app.certificate import AUDIT_HEAD, PAYLOAD, CertificateError, printed, short_code
from app.pdf_signature import SignatureReport, examine
from app.search import QueryError, current_actor
from app.signing_keys import (
    certificates_of,
    code_key,
    known_certificates,
    private_key,
    spaced,
)
from db.archive import Archive
from db.audit import Head
from db.models import AuditEntry, Certificate


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
    unchecked: list[str] = field(default_factory=list)  # what could not be checked, and why

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)


def load_trust(paths: list[Path]) -> list[x509.Certificate]:
    """Certificates (PEM, one or several, or DER) a receiver trusts as signer or issuer."""
    found: list[x509.Certificate] = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CertificateError(f"{path}: cannot be read ({exc.strerror or exc})") from None
        try:
            found += (x509.load_pem_x509_certificates(data) if b"-----BEGIN" in data
                      else [x509.load_der_x509_certificate(data)])
        except ValueError:
            raise CertificateError(f"{path}: not an X.509 certificate (PEM or DER)") from None
    return found


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _lookup(session: Session, number: str | None = None,
            code: str | None = None) -> Certificate | None:
    query = select(Certificate)
    query = query.where(Certificate.number == number) if number else \
        query.where(Certificate.code == code)
    return session.scalars(query).first()


def _register_checks(cert: Certificate | None, code: str) -> tuple[list[Check], list[str]]:
    """Issued here, and the code: recomputed from the signing key when this PC holds it,
    else matched against the register's copy (and said so)."""
    if cert is None:
        return [Check("issued here", False, "no certificate with this number or code "
                                            "was issued by this archive")], []
    checks = [Check("issued here", True, f"{cert.number}, {cert.content['issued_text']}, "
                                         f"by {cert.actor}")]
    unchecked: list[str] = []
    key = private_key(cert.signer) if cert.signer else None
    if key is not None:
        expected = short_code(cert.content, code_key(key))
        same = hmac.compare_digest(expected, code) and hmac.compare_digest(expected, cert.code)
        checks.append(Check("code", same, "the code is the signing key's over the content as "
                                          "issued" if same else
                            f"the code {code} is not the one made for {cert.number}"))
        return checks, unchecked
    same = hmac.compare_digest(cert.code, code)
    checks.append(Check("code", same, "the code is the one the register holds" if same else
                        f"the code {code} is not the one issued as {cert.number}"))
    if cert.signer:
        unchecked.append("the code recomputed from the signing key: this PC holds no key "
                         f"{cert.signer[:16]} (the register's copy was matched instead)")
    return checks, unchecked


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
    with archive.session() as session:
        cert = _lookup(session, number, code)
        checks, unchecked = _register_checks(cert, code)
        result = Verification(cert.number if cert else number, checks,
                              cert.content if cert else None, unchecked)
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
        try:
            keywords = document.get_metadata_value("Keywords")
        except UnicodeDecodeError:  # damaged metadata: the number is read from the text
            keywords = ""
        text = "\n".join(document[i].get_textpage().get_text_range()
                         for i in range(len(document)))
    except (pdfium.PdfiumError, UnicodeDecodeError) as exc:
        raise CertificateError(f"{path}: PDF damaged ({exc})") from None
    finally:
        document.close()
    return data, keywords, text


def _signature_checks(report: SignatureReport, cert: Certificate | None,
                      known: dict[str, Any] | None) -> tuple[list[Check], list[str]]:
    """The PDF signature: present, intact over the whole file, and by a trusted signer."""
    if not report.signed:
        if cert is not None and cert.signer is None:  # issued before certificates were signed
            return [Check("signature", True, "none: issued before Toji signed certificates; "
                                             "the archive's register vouches for it")], []
        return [Check("signature", False, f"no valid PDF signature ({report.problem})")], []
    who = f"{report.subject}, SHA-256 {spaced(report.fingerprint or '')}"
    if not report.intact:
        detail = report.problem or "the signature does not match the bytes: changed after signing"
        checks = [Check("signature", False, detail)]
    elif not report.whole_file:
        checks = [Check("signature", False, "the signature holds for an earlier revision, "
                                            "but the file was changed after signing")]
    elif not report.slot_clean:
        checks = [Check("signature", False, "the signature itself holds, but bytes in its "
                                            "unused room were changed after signing: this is "
                                            "not the file signed")]
    else:
        checks = [Check("signature", True, f"PAdES signature by {who}; every byte as signed")]
    unchecked: list[str] = []
    if known is not None:
        row = known.get(report.fingerprint or "")
        if row is None:
            checks.append(Check("signer", False, f"{who} is none of this archive's signing "
                                                 f"certificates"))
        elif cert is not None and cert.signer and cert.signer != report.fingerprint:
            checks.append(Check("signer", False, f"{cert.number} was signed with "
                                                 f"{cert.signer[:16]}…, not with this key"))
        else:
            state = "in use" if row.retired_at is None else \
                f"retired {row.retired_at:%Y-%m-%d}"
            checks.append(Check("signer", bool(report.trusted),
                                f"the archive's signing certificate ({row.source}, {state})"))
    elif report.trusted is not None:
        checks.append(Check("signer", report.trusted,
                            "a certificate given with --trust vouches for the signer"
                            if report.trusted else
                            "no certificate given with --trust vouches for the signer"))
    else:
        unchecked.append(f"whether the signer is the issuing office: compare the fingerprint "
                         f"{spaced(report.fingerprint or '')} with the one the office "
                         f"publishes, or give its certificate with --trust")
    return checks, unchecked


def verify_file(archive: Archive | None, path: Path, actor: str | None = None,
                trust: list[x509.Certificate] | None = None) -> Verification:
    """Checks a certificate PDF: its signature always; with the issuing archive, also its
    register (issued here, code, text and bytes as issued). A damaged file that no longer
    opens fails with the reason."""
    if archive is not None:
        require("verify")

    def done(result: Verification) -> Verification:
        return _log(archive, actor, result.number or str(path), result) if archive else result

    try:
        data, keywords, text = _read_pdf(path)
    except CertificateError as exc:
        return done(Verification(None, [Check("readable", False, str(exc))]))
    found = PAYLOAD.search(keywords) or PAYLOAD.search(_squash(text))
    if found is None:
        return done(Verification(None, [Check(
            "certificate number", False, f"{path}: holds no Toji certificate number and code")]))
    number, code = found.group(1), found.group(2)
    if archive is None:
        report = examine(data, trust or [])
        checks, unchecked = _signature_checks(report, None, None)
        unchecked.append("the issuing archive's register (issued, code, content as issued): "
                         "give --db where the archive is")
        return Verification(number, checks, None, unchecked)
    with archive.session() as session:
        known = known_certificates(session)
        roots = list(trust or [])
        for row in known.values():
            certificate, chain = certificates_of(row)
            roots += [certificate, *chain]
        cert = _lookup(session, number)
        checks, unchecked = _signature_checks(examine(data, roots), cert, known)
        register, not_here = _register_checks(cert, code)
        checks, unchecked = checks + register, unchecked + not_here
        if cert is not None:
            squashed = _squash(text)
            missing = [v for v in printed(cert.content) if _squash(v) not in squashed]
            checks.append(Check("content", not missing, "every value as issued" if not missing
                                else "changed or missing: " + "; ".join(missing[:5])))
            same = hashlib.sha256(data).hexdigest() == cert.file_sha256
            checks.append(Check("file", same, "byte for byte the file issued" if same else
                                "the file differs from the one issued (altered or re-saved)"))
        result = Verification(number, checks, cert.content if cert else None, unchecked)
    return done(result)


def audit_head(path: Path, signers: Collection[str]) -> Head:
    """The audit chain's head a certificate recorded when it was issued. Its signature
    must hold, by one of `signers` (the archive's keys, by fingerprint): a head from a
    changed file, or from a file anyone could sign, proves nothing."""
    data, keywords, _ = _read_pdf(path)
    report = examine(data, [])
    if not (report.signed and report.intact and report.whole_file and report.slot_clean):
        raise CertificateError(f"{path}: its signature does not hold, so the audit head it "
                               f"carries cannot be trusted")
    if report.fingerprint not in signers:
        raise CertificateError(f"{path}: signed by a key that is not this archive's, so the "
                               f"audit head it carries cannot be trusted")
    found = AUDIT_HEAD.search(keywords)
    if found is None:
        raise CertificateError(f"{path}: records no audit head (issued before certificates "
                               f"carried one)")
    return Head(int(found.group(1)), int(found.group(2)), found.group(3))
