"""Reading the audit log (admins only): recent entries, and the chain's verification,
alone or against a head recorded outside the log (a backup's manifest, a certificate)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from sqlalchemy import select

from app.auth import require
from app.backup import MANIFEST, BackupError, canonical
from app.certificate_check import audit_head
from app.signing_keys import known_certificates, signature_holds
from db.archive import Archive
from db.audit import ChainCheck, Head, check_against, verify_chain
from db.models import AuditEntry


def recorded_head(archive: Archive, source: Path) -> Head:
    """The head a backup (its folder or manifest.json) or a certificate PDF recorded. A
    signed manifest must hold its signature, by one of the archive's keys; a manifest
    edited since, or signed by a key not the archive's, is refused."""
    if source.suffix.lower() == ".pdf":
        with archive.session() as session:
            return audit_head(source, known_certificates(session))
    path = source / MANIFEST if source.is_dir() else source
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        head = Head.from_json(manifest["audit"])
    except OSError as exc:
        raise BackupError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{path}: records no audit head ({exc}); backups made before "
                          f"this version do not") from None
    signed = manifest.get("signature")
    if signed is not None:
        with archive.session() as session:
            row = known_certificates(session).get(str(signed.get("fingerprint")))
        try:
            value = base64.b64decode(str(signed.get("value")), validate=True)
        except ValueError:
            value = b""
        if row is None or not signature_holds(row, canonical(manifest), value):
            raise BackupError(f"{path}: its signature does not hold (edited since the backup, "
                              f"or signed by a key not this archive's): its audit head cannot "
                              f"be trusted")
    return head


def verify(archive: Archive, against: Path | None = None) -> ChainCheck:
    """Walks the whole chain; names the first row edited, or whose predecessor went; with
    `against`, also the rows deleted from the tail since that head was recorded."""
    require("audit")
    head = recorded_head(archive, against) if against else None
    with archive.session() as session:
        return check_against(session, head) if head else verify_chain(session)


def recent(archive: Archive, limit: int = 50) -> list[AuditEntry]:
    require("audit")
    with archive.session() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
        return list(reversed(rows.all()))

