"""Backups of a SQLite archive, their restoration, and a check of an archive's health.

`backup` copies the database through SQLite's online backup API (consistent while
desks keep working) and every scan the archive holds, and writes `manifest.json` with
the SHA-256 of the database copy and of each scan, and the audit chain's head in the
copy (`toji audit verify --against` shows rows deleted from the tail since). When this
PC holds the office's signing key the manifest is signed with it, so its head cannot be
edited unseen either. No signing key is in a backup: they live on the issuing PC
(app.signing_keys). `restore` re-checks every hash
before it copies anything back, into a place that holds no archive yet. `check` runs
SQLite's integrity check, rehashes every scan and walks the audit chain.
A PostgreSQL archive is backed up by the server's own tools (pg_dump).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app.auth import require
from app.signing_keys import current_signer, sign_bytes
from db.archive import Archive, copy_sqlite, open_archive
from db.audit import Head, chain_head, verify_chain
from db.models import AuditEntry, Scan

MANIFEST = "manifest.json"
DATABASE = "toji.db"


class BackupError(RuntimeError):
    """A backup or restore that cannot be made; the message names the file and why."""


@dataclass(frozen=True)
class Problem:
    what: str  # "database", "scan", "audit"
    detail: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _database(archive: Archive) -> Path:
    if archive.folder is None or archive.engine.dialect.name != "sqlite":
        raise BackupError("toji backup copies SQLite archives; back up a PostgreSQL archive "
                          "with the server's own tools (pg_dump)")
    return Path(archive.engine.url.database)


def canonical(manifest: dict) -> bytes:
    """The bytes a manifest's signature is made over: all of it but the signature."""
    body = {k: v for k, v in manifest.items() if k != "signature"}
    return json.dumps(body, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def _copied_head(database: Path) -> Head:
    """The audit chain's head in the copy just made: exactly what the backup holds."""
    engine = create_engine(f"sqlite:///{database}")
    try:
        with Session(engine) as session:
            return chain_head(session)
    finally:
        engine.dispose()


def backup(archive: Archive, dest: Path) -> dict:
    """Writes a backup into the empty (or new) folder `dest`; returns its manifest."""
    principal = require("backup")
    database = _database(archive)
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest}: not empty; a backup goes into a new folder")
    try:
        dest.mkdir(parents=True, exist_ok=True)
        copy_sqlite(database, dest / DATABASE)
        scans = []
        with archive.session() as session:
            rows = session.scalars(select(Scan).where(Scan.stored.is_not(None))
                                   .order_by(Scan.id)).all()
        for scan in rows:
            source = archive.folder / scan.stored
            target = dest / scan.stored
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            if _sha256(target) != scan.sha256:
                raise BackupError(f"{source}: the archive's copy of a scan no longer matches "
                                  f"its SHA-256; run toji check")
            scans.append({"path": scan.stored, "sha256": scan.sha256, "size": scan.size})
        models = _models_copied(archive.folder, dest)
    except OSError as exc:
        raise BackupError(f"{dest}: cannot write the backup ({exc.strerror or exc})") from None
    manifest = {"created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "source": str(database), "by": principal.name,
                "database": {"file": DATABASE, "sha256": _sha256(dest / DATABASE)},
                "audit": _copied_head(dest / DATABASE).as_json(),
                "scans": scans, "models": models}
    with archive.session() as session:
        signer = current_signer(session)
    if signer is not None:
        manifest["signature"] = {"fingerprint": signer.fingerprint, "value": base64.b64encode(
            sign_bytes(signer, canonical(manifest))).decode("ascii")}
    (dest / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                 encoding="utf-8")
    with archive.session() as session, session.begin():
        session.add(AuditEntry(actor=principal.name, action="backup", subject=str(dest),
                               detail={"scans": len(scans)}))
    return manifest


def _models_copied(folder: Path, dest: Path) -> list[dict]:
    """Copies the recognisers the archive fine-tuned (models/NAME/: weights, dictionary,
    figures) into the backup: the archive's setting names the one pages are read with,
    and the clerks' confirmations it learnt from are not to be learnt again."""
    copied = []
    for path in sorted((folder / "models").glob("*/*")):
        if path.is_file() and path.suffix != ".part":  # .part: a model being written
            relative = path.relative_to(folder).as_posix()
            (dest / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest / relative)
            copied.append({"path": relative, "sha256": _sha256(dest / relative),
                           "size": path.stat().st_size})
    return copied


def restore(source: Path, target: Path) -> Archive:
    """Restores a backup folder as the archive file `target` (its folder gets the scans).
    Every hash is checked first; an existing archive is never overwritten."""
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source / MANIFEST}: not a Toji backup manifest ({exc})") from None
    if target.exists():
        raise BackupError(f"{target}: an archive is there already; restore into a new place")
    database = source / manifest["database"]["file"]
    if not database.is_file() or _sha256(database) != manifest["database"]["sha256"]:
        raise BackupError(f"{database}: missing or changed since the backup (SHA-256)")
    files = manifest["scans"] + manifest.get("models", [])  # models: since migration 0012
    for scan in files:
        path = source / scan["path"]
        if not path.is_file() or _sha256(path) != scan["sha256"]:
            raise BackupError(f"{path}: missing or changed since the backup (SHA-256)")
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    for scan in files:
        copy = folder / scan["path"]
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / scan["path"], copy)
    copy_sqlite(database, target)
    return open_archive(target)


def check(archive: Archive) -> list[Problem]:
    """Everything wrong with an archive: database integrity, scans missing or changed,
    the audit chain. An empty list is a healthy archive."""
    require("backup")
    problems = []
    if archive.engine.dialect.name == "sqlite":
        with archive.engine.connect() as connection:
            rows = [r[0] for r in connection.exec_driver_sql("PRAGMA integrity_check")]
        if rows != ["ok"]:
            problems += [Problem("database", r) for r in rows]
    with archive.session() as session:
        for scan in session.scalars(select(Scan).order_by(Scan.id)):
            path = archive.folder / scan.stored if scan.stored and archive.folder else \
                Path(scan.path)
            if not path.is_file():
                problems.append(Problem("scan", f"{path}: missing (scan {scan.id})"))
            elif _sha256(path) != scan.sha256:
                problems.append(Problem("scan", f"{path}: changed (SHA-256 differs, scan "
                                                f"{scan.id})"))
        chain = verify_chain(session)
        if not chain.ok:
            problems.append(Problem("audit", chain.reason or ""))
    return problems
