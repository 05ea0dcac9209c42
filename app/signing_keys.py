"""The keys certificates are signed with, kept outside the archive.

The archive holds only the public half of each key (db.models.SigningKey: its X.509
certificate, and the issuers' certificates when the office imported its own). The
private half lives on the issuing PC, in a key file only its owner may read or in the
operating system's keyring, whichever this PC's settings choose. A backup, a restored
copy or a copied database file therefore verifies every certificate but issues none
until the office installs its key there.

The short code printed on paper is an HMAC made from the private key too, so it is no
more in the database than the key is. Keys rotate: a new key retires the current one,
whose public half stays in the archive (and private half on the PC) so that what it
signed keeps verifying.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import require
from db.archive import Archive
from db.models import AuditEntry, SigningKey

STORES = {
    "file": "a key file in this PC's Toji key folder, readable only by its owner",
    "keyring": "the operating system's keyring (Windows Credential Manager, macOS "
               "Keychain, Secret Service)",
}
KEYRING_SERVICE = "Toji certificate signing key"
VALID_YEARS = 10
CODE_INFO = b"toji certificate short code v1"


class SigningKeyError(RuntimeError):
    """A key that cannot be made, imported, stored or read; the message says why."""


class KeyMissingError(SigningKeyError):
    """This PC holds no private key for the archive's signing certificate."""


# ---- where this PC keeps private keys ---------------------------------------------------

def key_home() -> Path:
    """This PC's key folder: TOJI_KEYS, else Toji/keys in the user's configuration folder.
    Never inside an archive's folder, so no backup carries it."""
    configured = os.environ.get("TOJI_KEYS")
    return Path(configured) if configured else platformdirs.user_config_path("Toji") / "keys"


def store_choice() -> str:
    """Which store this PC keeps its private keys in ("file" unless chosen otherwise)."""
    try:
        choice = json.loads((key_home() / "store.json").read_text(encoding="utf-8"))["store"]
    except (OSError, ValueError, KeyError, TypeError):
        return "file"
    return choice if choice in STORES else "file"


def choose_store(name: str) -> None:
    """Sets this PC's store for keys made or imported from now on."""
    if name not in STORES:
        raise SigningKeyError(f"unknown key store {name!r}: choose one of {', '.join(STORES)}")
    if name == "keyring":
        KeyringStore().check()
    home = _private_folder()
    (home / "store.json").write_text(json.dumps({"store": name}), encoding="utf-8")


def _private_folder() -> Path:
    home = key_home()
    try:
        home.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            home.chmod(0o700)
    except OSError as exc:
        raise SigningKeyError(f"{home}: cannot make the key folder ({exc.strerror or exc})") \
            from None
    return home


class FileStore:
    """One PEM file a key (PKCS#8), named by its certificate's fingerprint, mode 0600."""

    name = "file"

    def path(self, fingerprint: str) -> Path:
        return key_home() / f"{fingerprint}.key"

    def save(self, fingerprint: str, pem: bytes) -> str:
        path = _private_folder() / f"{fingerprint}.key"
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(pem)
        except OSError as exc:
            raise SigningKeyError(f"{path}: cannot write the key ({exc.strerror or exc})") \
                from None
        return str(path)

    def load(self, fingerprint: str) -> bytes | None:
        path = self.path(fingerprint)
        if not path.is_file():
            return None
        if os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise SigningKeyError(f"{path}: others may read this key file; make it the "
                                  f"owner's alone (chmod 600 {path})")
        try:
            return path.read_bytes()
        except OSError as exc:
            raise SigningKeyError(f"{path}: cannot read the key ({exc.strerror or exc})") \
                from None


class KeyringStore:
    """The key's PEM as a secret of the operating system's keyring, under its fingerprint."""

    name = "keyring"

    def check(self) -> None:
        import keyring
        from keyring.backends.fail import Keyring as NoKeyring

        if isinstance(keyring.get_keyring(), NoKeyring):
            raise SigningKeyError("this PC has no operating-system keyring that Toji can "
                                  "use; keep the key in a file (toji keys store file)")

    def save(self, fingerprint: str, pem: bytes) -> str:
        import keyring
        from keyring.errors import KeyringError

        self.check()
        try:
            keyring.set_password(KEYRING_SERVICE, fingerprint, pem.decode("ascii"))
        except KeyringError as exc:
            raise SigningKeyError(f"the keyring refused the key: {exc}") from None
        return f"keyring ({KEYRING_SERVICE}, {fingerprint[:16]})"

    def load(self, fingerprint: str) -> bytes | None:
        import keyring
        from keyring.errors import KeyringError

        try:
            secret = keyring.get_password(KEYRING_SERVICE, fingerprint)
        except KeyringError:
            return None
        return secret.encode("ascii") if secret else None


def _stores() -> list[FileStore | KeyringStore]:
    """This PC's chosen store first; the other one is still looked in for older keys."""
    chosen = KeyringStore() if store_choice() == "keyring" else FileStore()
    return [chosen, FileStore() if chosen.name == "keyring" else KeyringStore()]


@functools.lru_cache(maxsize=8)
def _parse(pem: bytes) -> PrivateKeyTypes:
    """Parsing an RSA key checks it, which takes tens of milliseconds: once per key and
    process. The store is still read every time, so a key removed is a key gone."""
    return serialization.load_pem_private_key(pem, password=None)


def _load_private(fingerprint: str) -> PrivateKeyTypes | None:
    for store in _stores():
        pem = store.load(fingerprint)
        if pem:
            try:
                return _parse(pem)
            except ValueError as exc:
                raise SigningKeyError(f"the key {fingerprint[:16]} in this PC's {store.name} "
                                      f"store is damaged ({exc})") from None
    return None


# ---- a key ready to sign with -----------------------------------------------------------

def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the certificate's DER, lower-case hex: what the page prints."""
    return certificate.fingerprint(hashes.SHA256()).hex()


def spaced(fp: str) -> str:
    """A fingerprint as people read it aloud: upper case, in groups of four."""
    return " ".join(fp[i:i + 4].upper() for i in range(0, len(fp), 4))


@dataclass(frozen=True)
class Signer:
    fingerprint: str
    subject: str
    certificate: x509.Certificate
    chain: list[x509.Certificate]
    private_key: PrivateKeyTypes

    def code_key(self) -> bytes:
        """The short code's HMAC key, made from the private key (so kept where it is)."""
        return code_key(self.private_key)


def code_key(private_key: PrivateKeyTypes) -> bytes:
    der = private_key.private_bytes(serialization.Encoding.DER,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    return hmac.new(der, CODE_INFO, hashlib.sha256).digest()


def _pem(certificates: list[x509.Certificate]) -> str:
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode("ascii")
                   for c in certificates)


def certificates_of(row: SigningKey) -> tuple[x509.Certificate, list[x509.Certificate]]:
    chain = x509.load_pem_x509_certificates(row.chain.encode("ascii")) if row.chain else []
    return x509.load_pem_x509_certificate(row.certificate.encode("ascii")), chain


def _subject(certificate: x509.Certificate) -> str:
    return certificate.subject.rfc4514_string()


def _install(session: Session, certificate: x509.Certificate, chain: list[x509.Certificate],
             private_key: PrivateKeyTypes, source: str, actor: str) -> SigningKey:
    """Stores the private key on this PC and the public half in the archive, retiring
    the key in use: from now on certificates are signed with this one."""
    fp = fingerprint(certificate)
    pem = private_key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    where = _stores()[0].save(fp, pem)
    now = dt.datetime.now(dt.UTC)
    row = session.scalars(select(SigningKey).where(SigningKey.fingerprint == fp)).first()
    for current in session.scalars(select(SigningKey).where(SigningKey.retired_at.is_(None))):
        if current is not row:
            current.retired_at = now
    if row is None:
        row = SigningKey(fingerprint=fp, subject=_subject(certificate),
                         certificate=_pem([certificate]), chain=_pem(chain), source=source,
                         made_at=now, made_by=actor)
        session.add(row)
    row.retired_at = None
    session.add(AuditEntry(actor=actor, action="signing key", subject=fp,
                           detail={"source": source, "subject": row.subject, "stored": where}))
    session.flush()
    return row


def _fit(text: str, limit: int = 64) -> str:
    """The text cut to X.509's 64 bytes of UTF-8 for a name (a hangul syllable is 3)."""
    while len(text.encode("utf-8")) > limit:
        text = text[:-1]
    return text.strip()


def _self_signed(office: str) -> tuple[x509.Certificate, PrivateKeyTypes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "KR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, _fit(office) or "Toji"),
        x509.NameAttribute(NameOID.COMMON_NAME, "구대장 열람 확인서 서명 (Toji)"),
    ])
    now = dt.datetime.now(dt.UTC)
    usage = x509.KeyUsage(digital_signature=True, content_commitment=True,
                          key_encipherment=False, data_encipherment=False, key_agreement=False,
                          key_cert_sign=False, crl_sign=False, encipher_only=False,
                          decipher_only=False)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * VALID_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256()))
    return certificate, key


def make_key(archive: Archive, office: str, actor: str) -> SigningKey:
    """A new key pair with a self-signed certificate in the office's name; retires the
    key in use (rotation). The office publishes the fingerprint for receivers."""
    require("settings")
    certificate, key = _self_signed(office)
    with archive.session() as session, session.begin():
        row = _install(session, certificate, [], key, "made", actor)
        session.expunge(row)
    return row


def import_pkcs12(archive: Archive, data: bytes, password: bytes | None, actor: str,
                  source_name: str = "PKCS#12") -> SigningKey:
    """The office's own key and certificate (a GPKI .p12/.pfx) become the signing key;
    the issuers' certificates travel with it so receivers can build the chain."""
    require("settings")
    try:
        key, certificate, others = pkcs12.load_key_and_certificates(data, password)
    except ValueError as exc:
        raise SigningKeyError(f"{source_name}: not a PKCS#12 file this password opens "
                              f"({exc})") from None
    if key is None or certificate is None:
        raise SigningKeyError(f"{source_name}: holds no private key with its certificate")
    with archive.session() as session, session.begin():
        row = _install(session, certificate, list(others or []), key, "imported", actor)
        session.expunge(row)
    return row


def _in_use(session: Session) -> SigningKey | None:
    return session.scalars(select(SigningKey).where(SigningKey.retired_at.is_(None))
                           .order_by(SigningKey.id.desc())).first()


def signer_for_issue(session: Session, office: str, actor: str) -> Signer:
    """The key to sign with now. The first certificate an archive issues makes one; an
    archive whose key is not on this PC refuses, saying how to install it."""
    row = _in_use(session)
    if row is None:  # the archive's first certificate
        certificate, key = _self_signed(office)
        row = _install(session, certificate, [], key, "made", actor)
    private = _load_private(row.fingerprint)
    if private is None:
        raise KeyMissingError(
            f"this PC holds no private key for the archive's signing certificate "
            f"{spaced(row.fingerprint)[:19]}… ({row.subject}), so it cannot issue "
            f"certificates (it still verifies them). Install the office's key: "
            f"`toji keys import OFFICE.p12 --db …`, or copy its key file {row.fingerprint}.key "
            f"into {key_home()} (mode 600); or make a new key: `toji keys new --db …`")
    return _signer(row, private)


def current_signer(session: Session) -> Signer | None:
    """The key in use when this PC holds it, else None (nothing is made)."""
    row = _in_use(session)
    private = _load_private(row.fingerprint) if row else None
    if row is None or private is None:
        return None
    return _signer(row, private)


def _signer(row: SigningKey, private: PrivateKeyTypes) -> Signer:
    certificate, chain = certificates_of(row)
    return Signer(row.fingerprint, row.subject, certificate, chain, private)


def sign_bytes(signer: Signer, data: bytes) -> bytes:
    """A plain signature (RSA PKCS#1 v1.5 or ECDSA, SHA-256), for files beside the PDFs
    such as a backup's manifest."""
    key = signer.private_key
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(hashes.SHA256()))
    raise SigningKeyError(f"the key {signer.fingerprint[:16]} is of a kind Toji does not "
                          f"sign files with ({type(key).__name__})")


def signature_holds(row: SigningKey, data: bytes, signature: bytes) -> bool:
    """Whether `signature` over `data` was made with the key of the archive's `row`."""
    public = certificates_of(row)[0].public_key()
    try:
        if isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except InvalidSignature:
        return False
    return True


def private_key(fp: str) -> PrivateKeyTypes | None:
    """The private key of a certificate, when this PC holds it (to recompute a code)."""
    return _load_private(fp)


def known_certificates(session: Session) -> dict[str, SigningKey]:
    """Every signing certificate the archive has had, by fingerprint."""
    return {row.fingerprint: row for row in session.scalars(select(SigningKey))}


@dataclass(frozen=True)
class KeyInfo:
    fingerprint: str
    subject: str
    source: str
    made_at: dt.datetime
    made_by: str
    retired_at: dt.datetime | None
    on_this_pc: bool


def list_keys(archive: Archive) -> list[KeyInfo]:
    require("certificate")
    with archive.session() as session:
        rows = session.scalars(select(SigningKey).order_by(SigningKey.id)).all()
        return [KeyInfo(r.fingerprint, r.subject, r.source, r.made_at, r.made_by,
                        r.retired_at, _has_private(r.fingerprint)) for r in rows]


def _has_private(fp: str) -> bool:
    try:
        return _load_private(fp) is not None
    except SigningKeyError:
        return False


def export_certificate(archive: Archive, fp: str | None = None) -> str:
    """The PEM of the signing certificate in use (or the one named), to publish: receivers
    give it to `toji verify --trust` or compare its fingerprint."""
    require("certificate")
    with archive.session() as session:
        query = select(SigningKey).order_by(SigningKey.id.desc())
        query = query.where(SigningKey.fingerprint.startswith(fp.lower().replace(" ", ""))) \
            if fp else query.where(SigningKey.retired_at.is_(None))
        row = session.scalars(query).first()
        if row is None:
            raise SigningKeyError("the archive has no such signing certificate; "
                                  "see toji keys list")
        return row.certificate + row.chain
