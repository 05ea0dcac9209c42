"""Review: a clerk's correction of a field, stored as a new version beside the machine's.

The machine's record (`parcels.record`) is never rewritten. A correction is a row of
`corrections` (old value, new value, who, when) and the record as it stands
(`parcels.current`) is rebuilt from it, read by the same field readers, so readings,
normalised values and search keys follow at once.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.auth import require
from app.search import QueryError, current_actor
from db.archive import Archive
from db.index import index_parcel
from db.models import Correction, Parcel
from translit.fields import reread
from translit.reading import is_hanja, read_name

PATH = re.compile(r"(\w+)(?:\[(\d+)\])?(?:\.(\w+))?")


@dataclass(frozen=True)
class Version:
    field: str
    value: str | None
    source: str  # "machine" or the clerk's name
    at: str | None


def field_at(record: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The field at a path such as 'lot' or 'owners[1].name', or None."""
    name, index, key = PATH.fullmatch(path).groups()  # type: ignore[union-attr]
    if index is None:
        return record.get(name)
    rows = record.get(name) or []
    return rows[int(index)].get(key) if int(index) < len(rows) else None


def _set(record: dict[str, Any], path: str, value: dict[str, Any]) -> None:
    name, index, key = PATH.fullmatch(path).groups()  # type: ignore[union-attr]
    if index is None:
        record[name] = value
        return
    rows = record.setdefault(name, [])
    while len(rows) <= int(index):
        rows.append({})
    rows[int(index)][key] = value


def _revise(archive: Archive, parcel_id: int, label: str, new_value: str, actor: str | None,
            change: Callable[[dict[str, Any]], str | None]) -> None:
    """One correction, in one transaction: `change` edits a copy of the record as it
    stands and returns the value it replaced; the row is kept and the parcel re-indexed."""
    with archive.session() as session, session.begin():
        parcel = session.get(Parcel, parcel_id)
        if parcel is None:
            raise QueryError(f"no parcel {parcel_id} in this archive")
        current = copy.deepcopy(parcel.effective)
        old = change(current)
        session.add(Correction(parcel_id=parcel_id, field=label, old_value=old,
                               new_value=new_value, actor=actor or current_actor()))
        parcel.current = current
        index_parcel(session, parcel)


def correct_field(archive: Archive, parcel_id: int, path: str, text: str,
                  actor: str | None = None) -> dict[str, Any]:
    """Stores a clerk's value for one field; returns the field as it now reads."""
    require("review")
    text = text.strip()
    if not text:
        raise QueryError("the corrected value is empty")
    try:
        field = reread(path, text)
    except ValueError as exc:
        raise QueryError(str(exc)) from None
    value = {**field.as_json(), "confirmed": True}

    def change(current: dict[str, Any]) -> str | None:
        old = field_at(current, path)
        _set(current, path, value)
        review = current.setdefault("review", {"needs_review": False, "fields": []})
        review["fields"] = [f for f in review.get("fields", []) if f != path]
        if field.problems:
            review["fields"].append(path)
        review["needs_review"] = bool(review["fields"])
        return old.get("hanja") if old else None

    _revise(archive, parcel_id, path, text, actor, change)
    return value


def link_korean_name(archive: Archive, parcel_id: int, owner: int, name: str,
                     actor: str | None = None) -> dict[str, str]:
    """Links the Korean name a clerk established (from a 제적등본) to an owner row written
    under a 創氏 name, so a search for either finds the row. Kept as a correction."""
    require("review")
    name = name.strip().replace(" ", "")
    if not name:
        raise QueryError("the Korean name is empty")
    hanja = name if any(is_hanja(ch) for ch in name) else None
    link = {"hanja": hanja, "hangul": read_name(name).hangul if hanja else name}
    path = f"owners[{owner}].name"

    def change(current: dict[str, Any]) -> None:
        field = field_at(current, path)
        if field is None:
            raise QueryError(f"parcel {parcel_id} has no owner row {owner + 1}")
        field["korean_name"] = link

    _revise(archive, parcel_id, path + ".korean_name", name, actor, change)
    return link


def history(archive: Archive, parcel_id: int, path: str | None = None) -> list[Version]:
    """Every version of a parcel's fields: the machine's reading, then each correction."""
    require("history")
    with archive.session() as session:
        parcel = session.get(Parcel, parcel_id)
        if parcel is None:
            raise QueryError(f"no parcel {parcel_id} in this archive")
        corrections = session.scalars(select(Correction).where(
            Correction.parcel_id == parcel_id).order_by(Correction.id)).all()
        paths = [path] if path else list(dict.fromkeys(c.field for c in corrections))
        out = []
        for p in paths:
            machine = field_at(parcel.record, p) if PATH.fullmatch(p) else None
            out.append(Version(p, machine.get("hanja") if machine else None, "machine", None))
            out += [Version(p, c.new_value, c.actor, c.at.isoformat())
                    for c in corrections if c.field == p]
        return out


@dataclass(frozen=True)
class FieldView:
    """One field as the review screen shows it."""

    path: str
    hanja: str
    hangul: str
    raw: str
    confidence: float
    flagged: bool
    confirmed: bool
    box: list[list[float]] | None


def shown(field: dict[str, Any] | None) -> str:
    """A field as people read it: '한글 (漢字)', or whichever is known ('' for none)."""
    if not field:
        return ""
    hanja, hangul = field.get("hanja") or "", field.get("hangul") or ""
    if hangul and hanja and hangul != hanja:
        return f"{hangul} ({hanja})"
    return hangul or hanja


def field_paths(record: dict[str, Any]) -> list[str]:
    """Every field path of a record, in card order."""
    paths = [k for k in ("location", "lot", "category", "area", "grade") if record.get(k)]
    for table in ("events", "owners"):
        for i, row in enumerate(record.get(table) or []):
            paths += [f"{table}[{i}].{key}" for key, value in row.items()
                      if isinstance(value, dict)]
    return paths


def review_fields(archive: Archive, parcel_id: int) -> list[FieldView]:
    """A parcel's fields for review: flagged ones first, then the least confident."""
    require("review")
    with archive.session() as session:
        parcel = session.get(Parcel, parcel_id)
        if parcel is None:
            raise QueryError(f"no parcel {parcel_id} in this archive")
        record = parcel.effective
    flagged = set((record.get("review") or {}).get("fields") or [])
    views = []
    for path in field_paths(record):
        f = field_at(record, path) or {}
        views.append(FieldView(path, f.get("hanja", ""), f.get("hangul", ""),
                               f.get("raw", f.get("hanja", "")), float(f.get("confidence", 0)),
                               path in flagged, bool(f.get("confirmed")), f.get("box")))
    return sorted(views, key=lambda v: (not v.flagged, v.confirmed, v.confidence))


def review_queue(archive: Archive) -> list[int]:
    """Parcels to review: those with flagged fields first, then the rest, in id order."""
    require("review")
    with archive.session() as session:
        rows = session.execute(select(Parcel.id, Parcel.needs_review, Parcel.current)
                               .order_by(Parcel.id)).all()
    pending = [pid for pid, needs, current in rows
               if (current or {}).get("review", {}).get("needs_review", needs)]
    return pending + [pid for pid, *_ in rows if pid not in pending]
