"""Deriving a parcel's searchable rows from its record: owners, events, name keys.

Run whenever a record is stored or corrected, so search always answers from the
record as it stands. Name keys make every name query an index lookup, with no scan:
  h:金本正一 / k:김본정일  the whole name, hanja and hangul
  b:김본                    each two-syllable piece of the reading, for partial names (two-
                            syllable given names included, which trigram indexes cannot
                            find); a partial hanja query goes through its reading too
  d:김정일                  the hangul name with one syllable left out: a name with one
                            syllable more is found by the query itself
  s:金正? / s:김정?          the name with one place open, hanja and hangul: two names one
                            character apart, the same length, share such a key
  u:金乭伊 / r:김돌이        a name the recogniser's runner-up for a character it was
                            unsure of makes (its field's `variants`, ocr.unsure), hanja
                            and hangul: the name as written may be this one
  l:金石 / l:김석            a name whose ink holds more than was read (`lost`): a name
                            with one more character may be the one written
  w:白?學 / w:백?학          a name with a character read as no hanja at all (`unreadable`,
                            白ā學), or one the recogniser was unsure of (where its
                            `variants` differ): any character may stand in its place, for
                            the one written may be none the recogniser knows (乭)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from db.models import Event, Owner, Parcel, SearchKey


def name_keys(hanja: str | None, hangul: str | None,
              variants: Iterable[dict[str, Any]] = (), lost: bool = False,
              unreadable: Iterable[int] = ()) -> set[str]:
    keys: set[str] = {"l:" + name for name in (hanja, hangul) if lost and name}
    variants = list(variants)
    unsure = {i for v in variants if hanja and len(v.get("hanja") or "") == len(hanja)
              for i, (ch, other) in enumerate(zip(hanja, v["hanja"], strict=True))
              if ch != other}
    unreadable = [i for i in {*unreadable, *unsure} if hangul and hanja
                  and len(hangul) == len(hanja) and i < len(hangul)]
    if unreadable:
        keys |= {"w:" + "".join("?" if i in unreadable else ch for i, ch in enumerate(name))
                 for name in (hanja, hangul) if name}
    for variant in variants:
        keys |= {f"u:{variant['hanja']}"} | ({f"r:{variant['hangul']}"}
                                              if variant.get("hangul") else set())
    if hanja:
        keys.add("h:" + hanja)
        if len(hanja) >= 2:
            keys |= {"s:" + hanja[:i] + "?" + hanja[i + 1:] for i in range(len(hanja))}
    if hangul:
        keys.add("k:" + hangul)
        keys |= {"b:" + hangul[i:i + 2] for i in range(len(hangul) - 1)}
        if len(hangul) >= 2:
            keys |= {"d:" + hangul[:i] + hangul[i + 1:] for i in range(len(hangul))}
            keys |= {"s:" + hangul[:i] + "?" + hangul[i + 1:] for i in range(len(hangul))}
    return keys


def _text(field: dict[str, Any] | None, key: str = "hanja") -> Any:
    return field.get(key) if field else None


def index_parcel(session: Session, parcel: Parcel) -> None:
    """Rewrites the parcel's owners, events, summary columns and keys from its record."""
    record = parcel.effective
    location = record.get("location") or {}
    parts = location.get("parts", {})
    parcel.location_hangul = location.get("hangul")
    parcel.modern = location.get("modern")
    parcel.do, parcel.gun = parts.get("do"), parts.get("gun")
    parcel.myeon, parcel.ri = parts.get("myeon"), parts.get("ri")
    parcel.location = location.get("hanja")
    parcel.lot = _text(record.get("lot"), "text")
    parcel.category = _text(record.get("category"))
    parcel.area_m2 = _text(record.get("area"), "m2")
    rows = record.get("owners", [])
    final = rows[-1].get("name") if rows else None
    parcel.final_owner = _text(final)
    parcel.needs_review = bool(record.get("review", {}).get("needs_review"))

    if parcel.id is not None:
        owner_ids = select(Owner.id).where(Owner.parcel_id == parcel.id)
        session.execute(delete(SearchKey).where(SearchKey.owner_id.in_(owner_ids)))
    parcel.owners = [
        Owner(position=i, is_final=i == len(rows) - 1,
              name_hanja=_text(row.get("name")), name_hangul=_text(row.get("name"), "hangul"),
              address=_text(row.get("address")), cause=_text(row.get("cause")),
              date_iso=_text(row.get("date"), "iso"),
              confidence=_text(row.get("name"), "confidence"))
        for i, row in enumerate(rows)
    ]
    parcel.events = [Event(position=i, date_iso=_text(e.get("date"), "iso"),
                           event=_text(e.get("event")))
                     for i, e in enumerate(record.get("events", []))]
    session.flush()
    linked = {i: (_text(link), _text(link, "hangul")) for i, row in enumerate(rows)
              if (link := (row.get("name") or {}).get("korean_name"))}
    doubts = {i: row["name"] for i, row in enumerate(rows)
              if (row.get("name") or {}).keys() & {"variants", "lost", "unreadable"}
              and not row["name"].get("confirmed")}
    write_keys(session, parcel.owners, linked, doubts)


def write_keys(session: Session, owners: Iterable[Owner],
               linked: dict[int, tuple[str | None, str | None]] | None = None,
               doubts: dict[int, dict[str, Any]] | None = None) -> None:
    """Keys for each owner's name, what the recogniser's doubts about it may make (its
    name field's `variants`, `lost` and `unreadable`; not once a clerk confirmed it),
    and a Korean name a clerk linked to it (創氏名)."""
    linked, doubts = linked or {}, doubts or {}
    rows = [{"key": key, "owner_id": o.id}
            for o in owners
            for key in name_keys(o.name_hanja, o.name_hangul,
                                 doubts.get(o.position, {}).get("variants", ()),
                                 bool(doubts.get(o.position, {}).get("lost")),
                                 doubts.get(o.position, {}).get("unreadable", ()))
            | name_keys(*linked.get(o.position, (None, None)))]
    if rows:
        session.execute(insert(SearchKey), rows)


def index_unindexed(session: Session) -> int:
    """Indexes parcels stored before owners were derived (an archive of an older version)."""
    parcels = session.scalars(select(Parcel).where(~Parcel.owners.any())).all()
    todo = [p for p in parcels if p.effective.get("owners")]
    for parcel in todo:
        index_parcel(session, parcel)
    return len(todo)
