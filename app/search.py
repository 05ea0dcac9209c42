"""The search service: every query is answered from the archive and written to the audit log.

Owner searches take a name in hanja or hangul (a hanja name is also looked up by its
reading, so 金本正一 finds 김본정일 and the reverse), a place at any level in colonial
hanja or in hangul (today's names too), a lot, a category and a date range.
"""

from __future__ import annotations

import getpass
import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import PermissionDenied, require
from app.personal import mask_personal
from db.archive import Archive
from db.audit import append
from db.models import Owner, Parcel
from db.refs import BadReference, parcel_id_for
from db.search import LineHit, OwnerHit, OwnerQuery, find_owners, lines_containing
from translit import measures
from translit.correct import CONFUSABLE, register_forms
from translit.hangul import initial_law
from translit.reading import is_hanja, place_units, read_name


class QueryError(ValueError):
    """A query that cannot be run (empty, or only spaces)."""


def current_actor() -> str:
    """The signed-in user's name; the operating system's user for an unsigned caller."""
    from app.auth import current

    principal = current()
    if principal is not None:
        return principal.name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return "unknown"


def search_text(archive: Archive, text: str, limit: int = 100,
                actor: str | None = None) -> list[LineHit]:
    """Lines containing `text`; the search is audit-logged with who asked and how many hits."""
    require("search.records")
    query = text.strip()
    if not query:
        raise QueryError("the search text is empty")
    with archive.session() as session, session.begin():
        hits = lines_containing(session, query, limit)
        append(session, actor or current_actor(), "search", query, {"hits": len(hits)})
    return hits


def find_parcel(session: Session, ref: str | int) -> Parcel:
    """The parcel with this number (`de37d06627e9ed42-1`, see db.refs; an archive row
    number is accepted too), or a QueryError naming what was asked for."""
    try:
        parcel_id = parcel_id_for(session, ref)
    except BadReference as exc:
        raise QueryError(str(exc)) from None
    if parcel_id is None:
        raise QueryError(f"no parcel {ref} in this archive")
    return session.get(Parcel, parcel_id)


def first_final_owner(archive: Archive) -> str | None:
    """The first parcel's final owner (hangul, else hanja), to fill the search desk when
    the GUI photographs it; None while the archive holds no owner."""
    require("search.records")
    with archive.session() as session:
        owner = session.execute(select(Owner.name_hangul, Owner.name_hanja)
                                .where(Owner.is_final).order_by(Owner.parcel_id)).first()
    return (owner[0] or owner[1]) if owner else None


_SURROGATE = re.compile("[\ud800-\udfff]")


def owner_query(name: str | None = None, place: str | None = None, lot: str | None = None,
                category: str | None = None, date_from: str | None = None,
                date_to: str | None = None, desk: bool = False, limit: int = 50) -> OwnerQuery:
    """Turns what a clerk typed into a query, or a QueryError saying what is wrong."""
    for label, value in (("name", name), ("place", place), ("lot", lot),
                         ("category", category), ("from", date_from), ("to", date_to)):
        if value and _SURROGATE.search(value):
            # what a terminal passes on for bytes that are not UTF-8 (surrogateescape)
            raise QueryError(f"the {label} {value!r} holds bytes that are not text; "
                             f"type it again in UTF-8")
    name = unicodedata.normalize("NFC", (name or "").replace(" ", "")) or None
    place = unicodedata.normalize("NFC", (place or "").strip()) or None
    if not (name or place or lot or category):
        raise QueryError("give a name, a place, a lot or a category to search by")
    name_hanja = name_hangul = None
    if name:
        if any(is_hanja(ch) for ch in name):
            name_hanja = register_forms(name)
            name_hangul = read_name(name_hanja).hangul
        elif re.fullmatch(r"[가-힣]+", name):
            name_hangul = name
        else:
            raise QueryError(f"the name {name!r} is neither hanja nor hangul")
    units: tuple[str, ...] = ()
    if place:
        units = tuple(place_units(place.replace(" ", ""))) if any(is_hanja(c) for c in place) \
            else tuple(place.split())
    lot_text = None
    if lot:
        lot = lot.strip()
        if re.fullmatch(r"\d+(-\d+)?", lot):
            lot_text = lot
        else:
            parsed = measures.parse_lot(lot)
            if parsed is None:
                raise QueryError(f"the lot {lot!r} is not a lot number (123, 123-4 or 百二十三番ノ四)")
            lot_text = parsed.text
    for label, value in (("from", date_from), ("to", date_to)):
        if value and not re.fullmatch(r"\d{4}(-\d\d(-\d\d)?)?", value):
            raise QueryError(f"the date {label} {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    # "to 1938-02" takes in every day of that month: compare against the prefix's end.
    return OwnerQuery(name_hanja, name_hangul, units, lot_text, category, date_from,
                      date_to and date_to + "\uffff", desk, limit, CONFUSABLE,
                      _shorter_readings(name_hangul or ""))


def _shorter_readings(hangul: str) -> tuple[str, ...]:
    """The name less one syllable inside it, where the syllable after the gap, opening
    the given name, reads otherwise (the initial law): 임돌룡 → 임용, 안돌래 → 안내. A
    name read short of its ink (林乭龍 read as 林龍, the shipped model has no 乭) is
    stored under that reading."""
    forms = set()
    for gap in range(1, len(hangul) - 1):
        after = initial_law(hangul[gap + 1])
        if after != hangul[gap + 1]:
            forms.add(hangul[:gap] + after + hangul[gap + 2:])
    return tuple(sorted(forms))


def search_owners(archive: Archive, query: OwnerQuery, actor: str | None = None,
                  applicant: str | None = None) -> list[OwnerHit]:
    """Parcels by owner, place or lot; the search and who asked are audit-logged. A desk
    user searches as 조상땅 찾기 does (final owners), always for a named applicant."""
    principal = require("search.desk")
    if not principal.may("search.records"):
        if not query.desk:
            raise PermissionDenied(f"{principal.name} (desk) searches final owners only "
                                   "(desk mode)")
        if not applicant:
            raise PermissionDenied("an ancestral-land search needs the applicant: name, "
                                   "relation to the owner and proof document")
    applicant = mask_personal(str(applicant)) if applicant else None
    with archive.session() as session, session.begin():
        hits = find_owners(session, query)
        subject = query.name_hanja or query.name_hangul or " ".join(query.place_units) \
            or query.lot or query.category or ""
        append(session, actor or current_actor(),
               "desk search" if query.desk else "owner search", subject,
               {"name": query.name_hanja or query.name_hangul, "place": list(query.place_units),
                "lot": query.lot, "hits": len(hits), "applicant": applicant})
    return hits
