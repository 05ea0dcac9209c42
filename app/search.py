"""The search service: every query is answered from the archive and written to the audit log."""

from __future__ import annotations

import getpass

from db.archive import Archive
from db.models import AuditEntry
from db.search import LineHit, lines_containing


class QueryError(ValueError):
    """A query that cannot be run (empty, or only spaces)."""


def current_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return "unknown"


def search_text(archive: Archive, text: str, limit: int = 100,
                actor: str | None = None) -> list[LineHit]:
    """Lines containing `text`; the search is audit-logged with who asked and how many hits."""
    query = text.strip()
    if not query:
        raise QueryError("the search text is empty")
    with archive.session() as session, session.begin():
        hits = lines_containing(session, query, limit)
        session.add(AuditEntry(actor=actor or current_actor(), action="search",
                               subject=query, detail={"hits": len(hits)}))
    return hits
