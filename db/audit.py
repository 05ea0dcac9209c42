"""The audit log as a hash chain: each row carries the hash of the row before it and its
own hash over (previous hash, time, actor, action, subject, detail). Editing a row
breaks its hash; deleting one breaks the next row's link. The database also refuses
UPDATE and DELETE on the table (triggers, migration 0006): the chain is for whoever
goes around the database.

Hashes are filled in for every new AuditEntry just before it is flushed, wherever it
was added, so no service can forget; on PostgreSQL an advisory lock keeps two desks
from linking to the same previous row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, event, func, select
from sqlalchemy.orm import Session

from db.models import AuditEntry

GENESIS = "0" * 64
LOCK = 7_356_291  # pg_advisory_xact_lock key for the audit chain


def _stamp(at: dt.datetime) -> str:
    """The time as hashed: UTC, naive, microseconds (what SQLite gives back)."""
    if at.tzinfo is not None:
        at = at.astimezone(dt.UTC).replace(tzinfo=None)
    return at.isoformat(sep=" ", timespec="microseconds")


def row_hash(prev: str, at: dt.datetime, actor: str, action: str, subject: str,
             detail: dict[str, Any] | None) -> str:
    body = json.dumps([prev, _stamp(at), actor, action, subject, detail or {}],
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _previous(connection: Connection) -> str:
    """The last row's hash, holding PostgreSQL's chain lock for the transaction."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK})")
    last = connection.exec_driver_sql(
        "SELECT row_hash FROM audit_log ORDER BY id DESC LIMIT 1").scalar()
    return last or GENESIS


def append(session: Session, actor: str, action: str, subject: str,
           detail: dict[str, Any]) -> None:
    """One row written at once with a Core insert, chained like every other: the search
    desk logs each query this way, a third of the time the ORM's flush of one entry takes
    (the row is in the same transaction as the answer, so an answered search is logged)."""
    connection = session.connection()
    prev = _previous(connection)
    at = dt.datetime.now(dt.UTC)
    connection.execute(AuditEntry.__table__.insert(), {
        "at": at, "actor": actor, "action": action, "subject": subject, "detail": detail,
        "prev_hash": prev, "row_hash": row_hash(prev, at, actor, action, subject, detail)})


@event.listens_for(Session, "before_flush")
def _chain(session: Session, _context, _instances) -> None:  # noqa: ANN001
    new = [obj for obj in session.new if isinstance(obj, AuditEntry)]
    if not new:
        return
    prev = _previous(session.connection())
    for entry in new:
        entry.at = entry.at or dt.datetime.now(dt.UTC)  # aware: exact on either database
        entry.detail = entry.detail or {}
        entry.prev_hash = prev
        entry.row_hash = row_hash(prev, entry.at, entry.actor, entry.action, entry.subject,
                                  entry.detail)
        prev = entry.row_hash


@dataclass(frozen=True)
class ChainCheck:
    rows: int
    broken_at: int | None  # the id of the first row that does not hold
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(session: Session) -> ChainCheck:
    """Walks the chain in id order; names the first row that was edited, or the row
    whose predecessor was deleted or edited."""
    prev, count = GENESIS, 0
    query = select(AuditEntry.id, AuditEntry.at, AuditEntry.actor, AuditEntry.action,
                   AuditEntry.subject, AuditEntry.detail, AuditEntry.prev_hash,
                   AuditEntry.row_hash).order_by(AuditEntry.id)
    for row in session.execute(query).yield_per(5000):
        count += 1
        if row.prev_hash != prev:
            return ChainCheck(count, row.id, f"row {row.id} does not follow the row before "
                                             f"it: a row was deleted or edited before it")
        expected = row_hash(prev, row.at, row.actor, row.action, row.subject, row.detail)
        if row.row_hash != expected:
            return ChainCheck(count, row.id, f"row {row.id} was edited after it was written")
        prev = row.row_hash
    return ChainCheck(count, None, None)


@dataclass(frozen=True)
class Head:
    """Where the chain ended at some moment: kept outside the log (a backup's manifest, a
    certificate), it shows whether rows were deleted from the tail since."""

    rows: int
    last_id: int
    hash: str

    def as_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "last_id": self.last_id, "hash": self.hash}

    @classmethod
    def from_json(cls, value: Any) -> Head:
        """A head as recorded, or ValueError saying what is wrong with it."""
        try:
            head = cls(int(value["rows"]), int(value["last_id"]), str(value["hash"]))
        except (TypeError, KeyError, ValueError):
            raise ValueError(f"not an audit head: {value!r}") from None
        if len(head.hash) != 64 or head.rows < 0:
            raise ValueError(f"not an audit head: {value!r}")
        return head


def chain_head(session: Session) -> Head:
    last = session.execute(select(AuditEntry.id, AuditEntry.row_hash)
                           .order_by(AuditEntry.id.desc()).limit(1)).first()
    if last is None:
        return Head(0, 0, GENESIS)
    rows = session.scalar(select(func.count()).select_from(AuditEntry)
                          .where(AuditEntry.id <= last.id))
    return Head(rows, last.id, last.row_hash)


def check_against(session: Session, head: Head) -> ChainCheck:
    """The chain as it is now, walked whole, and then held against a head recorded
    earlier: the row that ended it must still be there, with as many rows up to it."""
    walked = verify_chain(session)
    if not walked.ok or head.rows == 0:
        return walked
    row_hash_then = session.scalar(select(AuditEntry.row_hash)
                                   .where(AuditEntry.id == head.last_id))
    rows_then = session.scalar(select(func.count()).select_from(AuditEntry)
                               .where(AuditEntry.id <= head.last_id))
    if row_hash_then != head.hash or rows_then != head.rows:
        return ChainCheck(walked.rows, head.last_id,
                          f"rows were deleted from the log: it held {head.rows} row(s) up to "
                          f"row {head.last_id} (hash {head.hash[:16]}…), and now holds "
                          f"{rows_then} up to there"
                          + ("" if row_hash_then is None or row_hash_then == head.hash
                             else f", row {head.last_id} being another row")
                          + f"; {walked.rows} row(s) in all")
    return walked
