"""Reading the audit log (admins only): recent entries, and the chain's verification."""

from __future__ import annotations

from sqlalchemy import select

from app.auth import require
from db.archive import Archive
from db.audit import ChainCheck, verify_chain
from db.models import AuditEntry


def verify(archive: Archive) -> ChainCheck:
    """Walks the whole chain; names the first row edited, or whose predecessor went."""
    require("audit")
    with archive.session() as session:
        return verify_chain(session)


def recent(archive: Archive, limit: int = 50) -> list[AuditEntry]:
    require("audit")
    with archive.session() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
        return list(reversed(rows.all()))
