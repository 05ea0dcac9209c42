"""Reading the audit log (admins only): recent entries, and the chain's verification,
alone or against a head recorded outside the log (a backup's manifest, a certificate)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from app.auth import require
from app.backup import MANIFEST, BackupError
from app.certificate_check import audit_head
from db.archive import Archive
from db.audit import ChainCheck, Head, check_against, verify_chain
from db.models import AuditEntry


def recorded_head(source: Path) -> Head:
    """The head a backup (its folder or manifest.json) or a certificate PDF recorded."""
    if source.suffix.lower() == ".pdf":
        return audit_head(source)
    manifest = source / MANIFEST if source.is_dir() else source
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))["audit"]
        return Head.from_json(recorded)
    except OSError as exc:
        raise BackupError(f"{manifest}: cannot be read ({exc.strerror or exc})") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{manifest}: records no audit head ({exc}); backups made before "
                          f"this version do not") from None


def verify(archive: Archive, against: Path | None = None) -> ChainCheck:
    """Walks the whole chain; names the first row edited, or whose predecessor went; with
    `against`, also the rows deleted from the tail since that head was recorded."""
    require("audit")
    head = recorded_head(against) if against else None
    with archive.session() as session:
        return check_against(session, head) if head else verify_chain(session)


def recent(archive: Archive, limit: int = 50) -> list[AuditEntry]:
    require("audit")
    with archive.session() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
        return list(reversed(rows.all()))

