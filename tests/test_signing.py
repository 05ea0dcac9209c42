"""Signed certificates: pdfsig and pyHanko read the signature, keys live outside the
archive, an imported office key chains to its CA, keys rotate, and the audit log's
tail is checked against heads recorded outside it."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from keyring.backend import KeyringBackend

from app import signing_keys
from app.audit_service import verify as audit_verify
from app.backup import BackupError, backup, restore
from app.certificate import issue
from app.certificate_check import verify_code, verify_file
from app.cli import main
from app.pdf_signature import examine
from app.search import search_text
from app.signing_keys import KeyMissingError, SigningKeyError
from db.models import Certificate

pytestmark = pytest.mark.slow
LAND, FOREST = 1, 2


def _pdfsig(path: Path) -> str:
    done = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True)
    return done.stdout + done.stderr


def _signed_ranges(pdfsig_text: str) -> list[tuple[int, int]]:
    line = next(x for x in pdfsig_text.splitlines() if "Signed Ranges" in x)
    return [tuple(int(n) for n in part.strip(" []").split(" - "))
            for part in line.split(":", 1)[1].split("],")]


def test_pdfsig_and_pyhanko_agree_on_a_signed_and_a_changed_certificate(
        read_archive, tmp_path: Path) -> None:
    out = tmp_path / "cert.pdf"
    issued = issue(read_archive, LAND, out)
    report = _pdfsig(out)
    assert "Signature is Valid" in report and "Total document signed" in report, report
    assert "구대장 열람 확인서 서명" in report
    fingerprint = issued.content["signer"]["fingerprint"]
    seen = examine(out.read_bytes(), [])
    assert seen.signed and seen.intact and seen.whole_file and seen.slot_clean
    assert seen.fingerprint == fingerprint
    # the fingerprint the receiver compares is printed on the page
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True,
                          text=True).stdout
    assert signing_keys.spaced(fingerprint)[:19] in text
    data = out.read_bytes()
    (first_start, first_end), (second_start, second_end) = _signed_ranges(report)
    for position in (first_end // 2, (second_start + second_end) // 2):
        changed = tmp_path / f"changed-{position}.pdf"
        flipped = bytearray(data)
        flipped[position] ^= 0x01
        changed.write_bytes(bytes(flipped))
        assert "Signature is Valid" not in _pdfsig(changed), position
        assert not examine(changed.read_bytes(), []).intact, position
        assert not verify_file(read_archive, changed).ok, position
        assert not verify_file(None, changed).ok, position
    # a signed file with something appended after signing is no longer the file signed
    appended = tmp_path / "appended.pdf"
    appended.write_bytes(data + b"\n% a later revision\n")
    assert not verify_file(None, appended).ok


def test_a_receiver_without_the_archive_checks_the_signature_and_hears_what_is_left(
        read_archive, tmp_path: Path, capsys) -> None:
    out = tmp_path / "cert.pdf"
    issue(read_archive, FOREST, out)
    alone = verify_file(None, out)
    assert alone.ok and [c.name for c in alone.checks] == ["signature"]
    assert any("fingerprint" in u for u in alone.unchecked)
    assert any("register" in u for u in alone.unchecked)
    published = tmp_path / "office.pem"
    db = str(read_archive.folder / "toji.db")
    assert main(["keys", "export", "--db", db]) == 0
    published.write_text(capsys.readouterr().out, encoding="ascii")
    assert main(["verify", str(out), "--trust", str(published), "--json"]) == 0
    said = json.loads(capsys.readouterr().out)
    assert said["ok"] and {c["name"] for c in said["checks"]} == {"signature", "signer"}
    stranger, _ = signing_keys._self_signed("다른 기관")
    other = tmp_path / "other.pem"
    other.write_bytes(stranger.public_bytes(serialization.Encoding.PEM))
    assert main(["verify", str(out), "--trust", str(other)]) == 1
    assert main(["verify", "ABCD-EFGH-JKLM"]) == 2  # a code needs the register
    assert "give --db" in capsys.readouterr().err


def test_a_restored_backup_without_the_key_verifies_but_refuses_to_issue(
        read_archive, tmp_path: Path, monkeypatch) -> None:
    old = tmp_path / "old.pdf"
    issued = issue(read_archive, LAND, old)
    manifest = backup(read_archive, tmp_path / "backup")
    assert not list((tmp_path / "backup").rglob("*.key"))
    with sqlite3.connect(tmp_path / "backup" / "toji.db") as c:  # nor a secret in the data
        assert not c.execute("select * from settings where key like '%key%'").fetchall()
    assert manifest["audit"]["rows"] > 0
    monkeypatch.setenv("TOJI_KEYS", str(tmp_path / "another-pc"))
    restored = restore(tmp_path / "backup", tmp_path / "restored" / "toji.db")
    with pytest.raises(KeyMissingError, match="toji keys import"):
        issue(restored, FOREST, tmp_path / "new.pdf")
    assert not (tmp_path / "new.pdf").exists()
    checked = verify_file(restored, old)
    assert checked.ok, checked.checks
    assert any("holds no key" in u for u in checked.unchecked)
    assert verify_code(restored, issued.code).ok


def _ca_and_p12(tmp_path: Path, password: bytes) -> tuple[x509.Certificate, bytes]:
    """A certification authority of the test's own, and an office key it certified, in a
    PKCS#12 as a GPKI office would hold it."""
    now = dt.datetime.now(dt.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test GPKI Root")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(1)
          .not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=365))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                       False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    office = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "고양시청"),
                        x509.NameAttribute(NameOID.COMMON_NAME, "고양시청 민원봉사과")])
    leaf = (x509.CertificateBuilder().subject_name(office).issuer_name(ca_name)
            .public_key(key.public_key()).serial_number(2)
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=300))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False,
                                         False), critical=True)
            .sign(ca_key, hashes.SHA256()))
    data = pkcs12.serialize_key_and_certificates(
        b"office", key, leaf, [ca], serialization.BestAvailableEncryption(password))
    return ca, data


def test_an_office_key_imported_from_pkcs12_signs_and_its_ca_vouches(
        read_archive, tmp_path: Path, capsys, monkeypatch) -> None:
    ca, data = _ca_and_p12(tmp_path, b"gpki-pass")
    with pytest.raises(SigningKeyError, match="password"):
        signing_keys.import_pkcs12(read_archive, data, b"wrong", "admin", "office.p12")
    p12 = tmp_path / "office.p12"
    p12.write_bytes(data)
    monkeypatch.setenv("P12_PASSWORD", "gpki-pass")
    db = str(read_archive.folder / "toji.db")
    assert main(["keys", "import", str(p12), "--password-env", "P12_PASSWORD",
                 "--db", db]) == 0
    assert "고양시청 민원봉사과" in capsys.readouterr().out
    out = tmp_path / "cert.pdf"
    issue(read_archive, LAND, out)
    assert "고양시청 민원봉사과" in _pdfsig(out)
    ca_pem = tmp_path / "ca.pem"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    by_ca = verify_file(None, out, trust=[ca])
    assert by_ca.ok and any(c.name == "signer" and c.ok for c in by_ca.checks)
    assert examine(out.read_bytes(), [ca]).trusted
    assert verify_file(read_archive, out).ok
    assert main(["verify", str(out), "--trust", str(ca_pem)]) == 0


def test_rotation_keeps_old_certificates_verifying(read_archive, tmp_path: Path,
                                                   capsys) -> None:
    first = issue(read_archive, LAND, tmp_path / "first.pdf")
    db = str(read_archive.folder / "toji.db")
    assert main(["keys", "new", "--db", db]) == 0
    second = issue(read_archive, LAND, tmp_path / "second.pdf")
    old, new = first.content["signer"]["fingerprint"], second.content["signer"]["fingerprint"]
    assert old != new
    for issued in (first, second):
        result = verify_file(read_archive, issued.path)
        assert result.ok and not result.unchecked, result.checks
        assert verify_code(read_archive, issued.code).ok
    assert "retired" in next(c.detail for c in verify_file(read_archive, first.path).checks
                             if c.name == "signer")
    capsys.readouterr()
    assert main(["keys", "list", "--db", db]) == 0
    listed = capsys.readouterr().out
    assert f"{old}  retired" in listed and f"{new}  in use" in listed


def test_a_key_file_others_can_read_is_refused(read_archive, tmp_path: Path,
                                               key_folder: Path) -> None:
    issued = issue(read_archive, LAND, tmp_path / "a.pdf")
    key = key_folder / f"{issued.content['signer']['fingerprint']}.key"
    assert key.stat().st_mode & 0o777 == 0o600
    key.chmod(0o644)
    with pytest.raises(SigningKeyError, match="chmod 600"):
        issue(read_archive, LAND, tmp_path / "b.pdf")


class _MemoryKeyring(KeyringBackend):
    """A keyring that keeps secrets in memory, standing in for the system's."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


def test_a_pc_may_keep_its_key_in_the_keyring(read_archive, tmp_path: Path,
                                              key_folder: Path) -> None:
    import keyring

    before = keyring.get_keyring()
    memory = _MemoryKeyring()
    keyring.set_keyring(memory)
    try:
        signing_keys.choose_store("keyring")
        issued = issue(read_archive, LAND, tmp_path / "a.pdf")
        fingerprint = issued.content["signer"]["fingerprint"]
        assert (signing_keys.KEYRING_SERVICE, fingerprint) in memory.secrets
        assert not list(key_folder.glob("*.key"))
        assert verify_file(read_archive, issued.path).ok
        memory.secrets.clear()  # another PC's keyring
        with pytest.raises(KeyMissingError):
            issue(read_archive, LAND, tmp_path / "b.pdf")
    finally:
        keyring.set_keyring(before)
    with pytest.raises(SigningKeyError, match="unknown key store"):
        signing_keys.choose_store("safe")


def _delete_last_audit_rows(db: Path, count: int) -> None:
    with sqlite3.connect(db) as c:  # someone who goes around the database
        c.execute("drop trigger if exists audit_log_no_delete")
        last = [r[0] for r in c.execute(
            "select id from audit_log order by id desc limit ?", (count,))]
        c.executemany("delete from audit_log where id = ?", [(i,) for i in last])


def test_rows_cut_from_the_audit_tail_show_against_a_backup_and_a_certificate(
        read_archive, tmp_path: Path, capsys) -> None:
    db = read_archive.folder / "toji.db"
    for text in ("京畿道", "高陽郡"):
        search_text(read_archive, text)
    cert = issue(read_archive, LAND, tmp_path / "c.pdf")
    backup(read_archive, tmp_path / "backup")
    assert audit_verify(read_archive, tmp_path / "backup").ok
    assert audit_verify(read_archive, cert.path).ok
    search_text(read_archive, "坪")  # rows after the backup may come and go unseen
    _delete_last_audit_rows(db, 1)
    assert audit_verify(read_archive).ok  # the chain alone cannot tell
    assert audit_verify(read_archive, tmp_path / "backup").ok
    _delete_last_audit_rows(db, 2)  # the backup's own row and the one before it
    assert audit_verify(read_archive).ok
    against = audit_verify(read_archive, tmp_path / "backup")
    assert not against.ok and "deleted" in against.reason
    assert main(["audit", "verify", "--against", str(tmp_path / "backup"),
                 "--db", str(db)]) == 1
    assert "rows were deleted" in capsys.readouterr().out
    search_text(read_archive, "京畿道")  # the same row ids again, other rows
    assert not audit_verify(read_archive, tmp_path / "backup" / "manifest.json").ok
    # the manifest was signed with the office's key: moving its head back is seen too
    manifest_path = tmp_path / "backup" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert manifest["signature"]["fingerprint"] == cert.content["signer"]["fingerprint"]
    manifest["audit"] = {"rows": 1, "last_id": 1, "hash": "0" * 64}
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(BackupError, match="signature does not hold"):
        audit_verify(read_archive, manifest_path)
    with read_archive.session() as s:
        assert s.query(Certificate).count() == 1


def test_a_certificate_head_counts_only_when_its_signature_holds(read_archive,
                                                                 tmp_path: Path) -> None:
    from app.certificate import CertificateError

    cert = issue(read_archive, LAND, tmp_path / "c.pdf")
    changed = tmp_path / "changed.pdf"
    data = bytearray(cert.path.read_bytes())
    data[400] ^= 0x01
    changed.write_bytes(bytes(data))
    with pytest.raises(CertificateError, match="signature does not hold"):
        audit_verify(read_archive, changed)
    # a certificate made and signed elsewhere, claiming the log was shorter: anyone could
    # have written its head
    from PIL import Image

    from app.certificate import keywords
    from app.certificate_pdf import render
    from app.fonts import document_font
    from app.pdf_signature import sign
    from app.signing_keys import Signer, fingerprint
    from db.audit import Head

    certificate, key = signing_keys._self_signed("다른 기관")
    stranger = Signer(fingerprint(certificate), "x", certificate, [], key)
    claim = keywords(cert.number, cert.code, Head(1, 1, "0" * 64))
    forged = render(cert.content, cert.code, claim, Image.new("RGB", (40, 30), "white"),
                    document_font(), claim)
    resigned = tmp_path / "resigned.pdf"
    resigned.write_bytes(sign(forged, stranger, "x", "x"))
    with pytest.raises(CertificateError, match="not this archive's"):
        audit_verify(read_archive, resigned)
    assert audit_verify(read_archive, cert.path).ok


def test_upgrading_takes_the_old_key_out_and_old_certificates_still_verify(
        read_archive, tmp_path: Path) -> None:
    """A certificate issued before signing (no PDF signature, its code made with the key
    the archive used to hold) verifies by the register; the upgrade drops that key."""
    import hashlib

    from PIL import Image
    from sqlalchemy import text

    from app.certificate import payload
    from app.certificate_pdf import render
    from app.fonts import document_font
    from db.archive import open_archive
    from tests.conftest import old_archive

    issued = issue(read_archive, LAND, tmp_path / "new.pdf")
    content = {k: v for k, v in issued.content.items() if k not in ("signer", "audit")}
    content["number"], code = "2025-000001", "ABCD-EFGH-JKLM"
    qr = payload(content["number"], code)
    data = render(content, code, qr, Image.new("RGB", (80, 60), "white"), document_font(), qr)
    old = tmp_path / "old.pdf"
    old.write_bytes(data)
    with read_archive.session() as s, s.begin():
        s.add(Certificate(number=content["number"], code=code, parcel_id=LAND,
                          issued_at=dt.datetime(2025, 5, 1, tzinfo=dt.UTC), actor="desk1",
                          content=content, file_sha256=hashlib.sha256(data).hexdigest()))
    checked = verify_file(read_archive, old)
    assert checked.ok, checked.checks
    assert "issued before" in next(c.detail for c in checked.checks if c.name == "signature")
    assert verify_code(read_archive, code).ok
    assert not verify_file(None, old).ok  # alone, an unsigned file proves nothing
    archive_path = tmp_path / "older" / "toji.db"
    old_archive(archive_path, "0010", "insert into settings (key, value) values "
                                      "('certificate_key', 'ab'), ('office', '고양시청')")
    upgraded = open_archive(archive_path)
    with upgraded.engine.connect() as c:
        assert c.execute(text("select key from settings")).scalars().all() == ["office"]
        assert c.execute(text("select count(*) from signing_keys")).scalar() == 0


def test_a_byte_changed_in_the_signatures_unused_room_is_refused(
        read_archive, tmp_path: Path) -> None:
    """The gap the signature does not cover holds its CMS, then zeros: changing a zero
    leaves the CMS valid for pdfsig and pyHanko, but the file is no longer the one signed,
    and Toji says so."""
    out = tmp_path / "cert.pdf"
    issue(read_archive, LAND, out)
    data = out.read_bytes()
    (_, first_end), (second_start, _) = _signed_ranges(_pdfsig(out))
    slot = data[first_end:second_start]
    padding = first_end + len(slot.rstrip(b"0>")) + 8  # well inside the zeros
    changed = tmp_path / "padded.pdf"
    flipped = bytearray(data)
    flipped[padding] = ord("1")
    changed.write_bytes(bytes(flipped))
    assert "Signature is Valid" in _pdfsig(changed)  # it reads only the CMS
    seen = examine(changed.read_bytes(), [])
    assert seen.intact and not seen.slot_clean
    alone = verify_file(None, changed)
    assert not alone.ok and "unused room" in alone.checks[0].detail
    assert verify_file(None, out).ok
