"""PDF signatures (PAdES baseline B, via pyHanko): signing a certificate as issued, and
examining a signature without any secret, as a bank or court would with a PDF reader.

Signing appends an incremental update holding a CMS signature over every byte before
it, with the signer's certificate (and its issuers') embedded. Examining answers three
questions separately: is it signed, is every byte as signed, and is the signer one the
caller trusts (the archive's own certificates, or those given with --trust).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from io import BytesIO

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from app.signing_keys import Signer, fingerprint

FIELD = "Toji"

# pyHanko logs a full traceback at ERROR for every untrusted chain; the verdict is ours
# to report, so its loggers stay quiet unless someone configures them.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
    logging.getLogger(_name).propagate = False


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _cms_signer(signer: Signer):  # noqa: ANN202 - a pyhanko SimpleSigner
    """pyHanko's SimpleSigner parses its DER key again for every signature, and parsing
    an RSA key checks it (tens of ms, twice per PDF); this one signs with the key
    object already loaded, and leaves any other mechanism to pyHanko."""
    from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from pyhanko.sign import signers
    from pyhanko.sign.general import get_pyca_cryptography_hash
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    class LoadedKeySigner(signers.SimpleSigner):
        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
            try:
                name = mechanism.signature_algo
            except ValueError:
                name = mechanism["algorithm"].native
            key, digest = signer.private_key, get_pyca_cryptography_hash(digest_algorithm)
            if name == "rsassa_pkcs1v15" and isinstance(key, RSAPrivateKey):
                return key.sign(data, PKCS1v15(), digest)
            if name == "ecdsa" and isinstance(key, EllipticCurvePrivateKey):
                return key.sign(data, ECDSA(digest))
            return super().sign_raw(data, digest_algorithm)

    key = asn1_keys.PrivateKeyInfo.load(signer.private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return LoadedKeySigner(
        signing_cert=_asn1(signer.certificate), signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([_asn1(c) for c in signer.chain]))


def sign(data: bytes, signer: Signer, reason: str, location: str) -> bytes:
    """The PDF with the office's signature appended (the bytes before it unchanged)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata

    cms_signer = _cms_signer(signer)
    meta = PdfSignatureMetadata(field_name=FIELD, md_algorithm="sha256",
                                subfilter=fields.SigSeedSubFilter.PADES,
                                reason=reason, location=location)
    writer = IncrementalPdfFileWriter(BytesIO(data))
    return signers.sign_pdf(writer, meta, signer=cms_signer,
                            bytes_reserved=_room(signer)).getvalue()


def _room(signer: Signer) -> int:
    """Bytes to reserve for the CMS: the certificates it embeds and room to spare for the
    signature and its attributes. Given, pyHanko skips signing once more to measure."""
    embedded = sum(len(c.public_bytes(serialization.Encoding.DER))
                   for c in [signer.certificate, *signer.chain])
    return (embedded + 4096 + 1023) // 1024 * 1024


def _slot_clean(data: bytes, embedded) -> bool:  # noqa: ANN001 - pyHanko's EmbeddedPdfSignature
    """The signature's slot (the one gap in the signed bytes) holds the CMS and zeros after
    it, as signed. pyHanko and pdfsig read only the CMS and let any byte after it change;
    Toji does not. (Fields the CMS itself leaves unsigned can still change unseen here,
    as in any PAdES verifier; the issuing archive's byte-for-byte check sees those.)"""
    try:
        _, first, second, _ = (int(n) for n in embedded.byte_range)
        raw = bytes.fromhex(data[first:second].strip(b"<>").decode("ascii"))
    except (TypeError, ValueError):
        return False
    if len(raw) < 2 or raw[0] != 0x30:
        return False
    size = raw[1]
    if size & 0x80:
        width = size & 0x7F
        length = 2 + width + int.from_bytes(raw[2:2 + width], "big")
    else:
        length = 2 + size
    return length <= len(raw) and not any(raw[length:])


@dataclass(frozen=True)
class SignatureReport:
    signed: bool
    intact: bool = False  # the signature matches the bytes it covers
    whole_file: bool = False  # and it covers the whole file: nothing added or changed
    slot_clean: bool = False  # and the unused room after the CMS is as signed (zeros)
    trusted: bool | None = None  # None: no certificate to trust was given
    fingerprint: str | None = None
    subject: str | None = None
    signed_at: str | None = None
    problem: str | None = None


def examine(data: bytes, trust: list[x509.Certificate]) -> SignatureReport:
    """What a PDF's signature says. `trust`: certificates to accept as the signer or its
    issuer; empty, and trust is left unanswered (None)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # noqa: BLE001 - pyHanko's parser raises many kinds on damage
        return SignatureReport(False, problem=f"the PDF's structure cannot be read ({exc})")
    if not signatures:
        return SignatureReport(False, problem="the PDF carries no signature")
    embedded = signatures[-1]
    try:
        context = ValidationContext(trust_roots=[_asn1(c) for c in trust],
                                    allow_fetching=False, revocation_mode="soft-fail")
        status = validate_pdf_signature(embedded, context)
        certificate = x509.load_der_x509_certificate(embedded.signer_cert.dump())
    except Exception as exc:  # noqa: BLE001 - any damage inside the CMS is a failed check
        return SignatureReport(True, problem=f"the signature cannot be read ({exc})")
    return SignatureReport(
        True, intact=bool(status.intact and status.valid),
        slot_clean=_slot_clean(data, embedded),
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        trusted=bool(status.trusted) if trust else None,
        fingerprint=fingerprint(certificate), subject=certificate.subject.rfc4514_string(),
        signed_at=status.signer_reported_dt.isoformat(timespec="seconds")
        if status.signer_reported_dt else None)
