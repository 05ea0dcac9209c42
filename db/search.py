"""Queries over what the machine read. For now: pages whose text lines contain a string."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Page, Scan, TextLineRow


@dataclass(frozen=True)
class LineHit:
    scan_path: str
    page: int
    line: str
    confidence: float
    box: list[list[float]]


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def lines_containing(session: Session, text: str, limit: int = 100) -> list[LineHit]:
    """Text lines containing `text`, most confident first, with their page and scan."""
    query = (
        select(Scan.path, Page.number, TextLineRow.text, TextLineRow.confidence, TextLineRow.box)
        .join(Page, Page.scan_id == Scan.id)
        .join(TextLineRow, TextLineRow.page_id == Page.id)
        .where(TextLineRow.text.like(_like_pattern(text), escape="\\"))
        .order_by(TextLineRow.confidence.desc(), Scan.path, Page.number)
        .limit(limit)
    )
    return [LineHit(*row) for row in session.execute(query)]
