"""Who may see what: each role against each service, passwords and lock-out, sign-in from
the command line, the hash-chained audit log, masked resident numbers, backup/restore."""

from __future__ import annotations

import io
import itertools
import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from app import auth, batch, settings
from app.audit_service import verify as verify_audit
from app.auth import PermissionDenied, Principal, acting_as
from app.backup import BackupError, backup, check, restore
from app.certificate import issue
from app.certificate_check import verify_code
from app.cli import main
from app.export import export
from app.review import correct_field, history
from app.search import owner_query, search_owners, search_text
from db.models import AuditEntry, Parcel, User
from tests.conftest import TEST_PASSWORD, TEST_USER

pytestmark = pytest.mark.slow
LAND = 1
_serial = itertools.count()
APPLICANT = "김철수 (손자), 제적등본"


def _name(archive) -> str:
    with archive.session() as s:
        return s.get(Parcel, LAND).effective["owners"][-1]["name"]["hanja"]


def _services(archive, tmp: Path) -> dict:
    name = _name(archive)
    return {
        "search lines": lambda: search_text(archive, "京畿道"),
        "desk search for an applicant": lambda: search_owners(
            archive, owner_query(name=name, desk=True), applicant=APPLICANT),
        "desk search, no applicant": lambda: search_owners(
            archive, owner_query(name=name, desk=True)),
        "full owner search": lambda: search_owners(archive, owner_query(name=name),
                                                   applicant=APPLICANT),
        "correct a field": lambda: correct_field(archive, LAND, "category", "畓"),
        "history": lambda: history(archive, LAND),
        "full export": lambda: export(archive, io.StringIO()),
        "start a batch": lambda: batch.create_job(archive, []),
        "certificate for an applicant": lambda: issue(archive, LAND, tmp / "c.pdf",
                                                      applicant=APPLICANT),
        "certificate, no applicant": lambda: issue(archive, LAND, tmp / "d.pdf"),
        "verify a code": lambda: verify_code(archive, "AAAA-BBBB-CCCC"),
        "settings": lambda: settings.put(archive, "office", "고양시청"),
        "add a user": lambda: auth.create_user(archive, f"user{next(_serial)}", "desk",
                                               "a-long-password"),
        "audit verify": lambda: verify_audit(archive),
        "check": lambda: check(archive),
        "backup": lambda: backup(archive, tmp / f"backup-{len(list(tmp.iterdir()))}"),
    }


ALLOWED = {
    "desk": {"desk search for an applicant", "certificate for an applicant", "verify a code"},
    "clerk": {"search lines", "desk search for an applicant", "desk search, no applicant",
              "full owner search", "correct a field", "history", "full export",
              "start a batch", "certificate for an applicant", "certificate, no applicant",
              "verify a code"},
}


@pytest.mark.parametrize("role", ["admin", "clerk", "desk"])
def test_each_role_against_each_service(read_archive, tmp_path: Path, role: str) -> None:
    auth.create_user(read_archive, "boss", "admin", "boss-password")  # the first user
    services = _services(read_archive, tmp_path)
    allowed = set(services) if role == "admin" else ALLOWED[role]
    with acting_as(Principal(f"a-{role}", role)):
        for label, call in services.items():
            if label in allowed:
                call()  # no PermissionDenied (and no other error)
            else:
                with pytest.raises(PermissionDenied):
                    call()
    with acting_as(Principal("nobody", "visitor")), pytest.raises(PermissionDenied):
        search_text(read_archive, "京畿道")


def test_passwords_are_argon2id_and_lock_out(read_archive) -> None:
    with pytest.raises(auth.AuthError, match="first user"):
        auth.create_user(read_archive, "desk1", "desk", "correct horse battery")
    auth.create_user(read_archive, "boss", "admin", "boss-password")
    auth.create_user(read_archive, "desk1", "desk", "correct horse battery")
    with read_archive.session() as s:
        stored = s.scalar(select(User.password_hash).where(User.name == "desk1"))
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert auth.sign_in(read_archive, "desk1", "correct horse battery") == \
        Principal("desk1", "desk")
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(auth.AuthError, match="wrong user name or password"):
            auth.sign_in(read_archive, "desk1", "wrong")
    with pytest.raises(auth.AuthError, match="locked"):
        auth.sign_in(read_archive, "desk1", "correct horse battery")
    auth.unlock(read_archive, "desk1")
    assert auth.sign_in(read_archive, "desk1", "correct horse battery").role == "desk"
    with pytest.raises(auth.AuthError, match="wrong user name or password"):
        auth.sign_in(read_archive, "nobody", "whatever")
    with read_archive.session() as s:
        refused = s.scalars(select(AuditEntry).where(AuditEntry.action == "sign-in.refused"))
        assert len(refused.all()) == auth.MAX_FAILURES + 2  # five, the locked try, nobody
    raw = (read_archive.folder / "toji.db").read_bytes()
    assert b"correct horse" not in raw
    with pytest.raises(auth.AuthError, match="8 characters"):
        auth.create_user(read_archive, "short", "desk", "short")


def test_cli_first_run_makes_the_admin_then_signs_in(tmp_path: Path, capsys,
                                                     monkeypatch) -> None:
    db = str(tmp_path / "a" / "toji.db")
    assert main(["audit", "list", "--db", db]) == 0
    assert "administrator" in capsys.readouterr().err
    monkeypatch.setenv("TOJI_PASSWORD", "not the password")
    assert main(["audit", "list", "--db", db]) == 2
    assert "wrong user name or password" in capsys.readouterr().err
    monkeypatch.setenv("TOJI_PASSWORD", TEST_PASSWORD)
    monkeypatch.setenv("TOJI_NEW_PASSWORD", "desk-password-1")
    assert main(["users", "add", "desk1", "--role", "desk", "--db", db]) == 0
    monkeypatch.setenv("TOJI_USER", "desk1")
    monkeypatch.setenv("TOJI_PASSWORD", "desk-password-1")
    assert main(["export", "--db", db]) == 2
    assert "desk1 (desk) may not export" in capsys.readouterr().err
    assert main(["search", "--name", "김철수", "--desk", "--db", db]) == 2
    assert "needs the applicant" in capsys.readouterr().err
    assert main(["search", "--name", "김철수", "--desk", "--applicant", "김영수",
                 "--relation", "손자", "--proof", "제적등본 800101-1234567", "--db", db]) == 0
    monkeypatch.delenv("TOJI_USER")
    monkeypatch.delenv("TOJI_PASSWORD")
    assert main(["audit", "list", "--db", db]) == 2
    assert "TOJI_USER" in capsys.readouterr().err
    monkeypatch.setenv("TOJI_USER", TEST_USER)
    monkeypatch.setenv("TOJI_PASSWORD", TEST_PASSWORD)
    capsys.readouterr()
    assert main(["audit", "list", "--db", db]) == 0
    listing = capsys.readouterr().out
    assert "desk1  desk search  김철수" in listing
    assert "김영수 (손자), 제적등본 800101-1******" in listing
    assert "1234567" not in (tmp_path / "a" / "toji.db").read_bytes().decode("latin-1")


def test_audit_chain_names_the_row_that_was_edited_or_deleted(read_archive, capsys) -> None:
    db = read_archive.folder / "toji.db"
    for text in ("京畿道", "高陽郡", "坪"):
        search_text(read_archive, text)
    assert main(["audit", "verify", "--db", str(db)]) == 0
    assert "audit log intact" in capsys.readouterr().out
    with sqlite3.connect(db) as c:
        ids = [r[0] for r in c.execute("select id from audit_log order by id")]
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            c.execute("update audit_log set subject = 'x' where id = ?", (ids[1],))
    with sqlite3.connect(db) as c:  # someone who goes around the database
        c.execute("drop trigger audit_log_no_update")
        c.execute("update audit_log set subject = '忠淸道' where id = ?", (ids[1],))
    assert main(["audit", "verify", "--db", str(db)]) == 1
    assert f"BROKEN at row {ids[1]}: row {ids[1]} was edited" in capsys.readouterr().out
    with sqlite3.connect(db) as c:
        c.execute("update audit_log set subject = '高陽郡' where id = ?", (ids[1],))
        c.execute("drop trigger audit_log_no_delete")
        c.execute("delete from audit_log where id = ?", (ids[1],))
    assert main(["audit", "verify", "--db", str(db)]) == 1
    assert f"BROKEN at row {ids[2]}" in capsys.readouterr().out


def test_resident_numbers_are_masked_wherever_kept(read_archive, tmp_path: Path) -> None:
    name = _name(read_archive)
    search_owners(read_archive, owner_query(name=name, desk=True),
                  applicant="김철수 800101-1234567")
    issued = issue(read_archive, LAND, tmp_path / "c.pdf", applicant="김철수 8001011234567")
    assert issued.content["applicant"] == "김철수 800101-1******"
    with read_archive.session() as s:
        details = [json.dumps(e.detail, ensure_ascii=False) for e in s.scalars(
            select(AuditEntry))]
    assert any("800101-1******" in d for d in details)
    assert not any("1234567" in d for d in details)


def _tables(db: Path) -> dict[str, list]:
    with sqlite3.connect(db) as c:
        names = [r[0] for r in c.execute(
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")]
        return {n: c.execute(f'select * from "{n}" order by 1').fetchall() for n in names}


def test_backup_then_restore_gives_an_equal_archive(read_archive, tmp_path: Path) -> None:
    correct_field(read_archive, LAND, "category", "畓")
    source = read_archive.folder / "toji.db"
    before = _tables(source)
    manifest = backup(read_archive, tmp_path / "backup")
    assert len(manifest["scans"]) == 2
    with pytest.raises(BackupError, match="not empty"):
        backup(read_archive, tmp_path / "backup")
    restored = restore(tmp_path / "backup", tmp_path / "restored" / "toji.db")
    assert _tables(tmp_path / "restored" / "toji.db") == before
    scans = sorted(p.relative_to(tmp_path / "restored") for p in
                   (tmp_path / "restored" / "scans").rglob("*.*"))
    assert scans == sorted(Path(s["path"]) for s in manifest["scans"])
    assert check(restored) == []
    with pytest.raises(BackupError, match="an archive is there already"):
        restore(tmp_path / "backup", tmp_path / "restored" / "toji.db")
    changed = tmp_path / "backup" / manifest["scans"][0]["path"]
    changed.write_bytes(changed.read_bytes()[:-10])
    with pytest.raises(BackupError, match=changed.name):
        restore(tmp_path / "backup", tmp_path / "again" / "toji.db")
    copy = read_archive.folder / manifest["scans"][1]["path"]
    copy.write_bytes(b"not the scan")
    [problem] = check(read_archive)
    assert problem.what == "scan" and copy.name in problem.detail


def test_cli_backup_restore_check(read_archive, tmp_path: Path, capsys) -> None:
    db = str(read_archive.folder / "toji.db")
    assert main(["backup", str(tmp_path / "b"), "--db", db]) == 0
    assert main(["restore", str(tmp_path / "b"), "--db", str(tmp_path / "r" / "toji.db")]) == 0
    assert main(["check", "--db", str(tmp_path / "r" / "toji.db")]) == 0
    assert "archive healthy" in capsys.readouterr().err
