"""Queries over the archive: text lines containing a string, and parcels by owner name,
place, lot, category and date, answered from the index that `db.index` keeps."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein
from sqlalchemy import and_, func, intersect, or_, select
from sqlalchemy.orm import Session

from db.models import Owner, Page, Parcel, Scan, SearchKey, TextLineRow
from db.refs import parcel_ref


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


LEVEL_COLUMNS = {"道": Parcel.do, "郡": Parcel.gun, "府": Parcel.gun, "面": Parcel.myeon,
                 "邑": Parcel.myeon, "里": Parcel.ri, "洞": Parcel.ri}


@dataclass(frozen=True)
class OwnerHit:
    """A parcel found through one of its owner rows, with why it matched."""

    parcel_id: int  # the archive's row, for the services
    parcel: str  # the parcel's number, as every verb and window shows it (db.refs)
    file: str
    page: int
    owner: str  # hanja as recorded
    owner_hangul: str | None
    is_final: bool
    position: int
    location: str | None
    location_hangul: str | None
    modern: str | None
    lot: str | None
    category: str | None
    area_m2: float | None
    confidence: float | None
    rank: int  # see _name_candidates: 0 exact … 4 one syllable off, 5 by place or lot alone
    why: str


@dataclass(frozen=True)
class OwnerQuery:
    """What to look for. Names come as the hanja written (if any) and its hangul reading;
    place units as written (hanja units match a level exactly, hangul ones by reading)."""

    name_hanja: str | None = None
    name_hangul: str | None = None
    place_units: tuple[str, ...] = ()
    lot: str | None = None
    category: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    desk: bool = False  # final owners only, as 조상땅 찾기 answers
    limit: int = 50
    confusable: frozenset[frozenset[str]] = frozenset()  # hanja pairs OCR takes for each other


def _posting(key: str):  # noqa: ANN202 - a select of owner ids
    return select(SearchKey.owner_id).where(SearchKey.key == key)


EXACT, LOOKALIKE, SAME_READING, PARTIAL, ONE_OFF, PLACE_ONLY = range(6)


def _name_candidates(session: Session, q: OwnerQuery) -> dict[int, tuple[int, str, tuple]]:
    """owner id → (rank, why). Ranks: the hanja written (0), one character the recogniser
    confuses with it (1), the same reading in other hanja (2), a name containing the
    query (3), one syllable off (4). Every step is one indexed query: postings intersected
    and names checked inside the database, never long lists of ids sent in."""
    hanja, hangul = q.name_hanja, q.name_hangul
    found: dict[int, tuple[int, str, tuple]] = {}  # id → (rank, why, the row's sort columns)

    def classify(rows, default: tuple[int, str] | None) -> None:  # noqa: ANN001
        for owner_id, name_hanja, name_hangul, final, confidence in rows:
            if hanja and name_hanja == hanja:
                rank = (EXACT, "exact name")
            elif hanja and _one_lookalike(hanja, name_hanja or "", q.confusable):
                rank = (LOOKALIKE, f"one look-alike character from {hanja}")
            elif hangul and name_hangul == hangul:
                rank = (SAME_READING, "same reading") if hanja else (EXACT, "exact name")
            elif default is not None:
                rank = default
            elif hangul and name_hangul and Levenshtein.distance(name_hangul, hangul) <= 1:
                rank = (ONE_OFF, f"one syllable from {hangul}")
            else:
                continue
            if owner_id not in found or found[owner_id][0] > rank[0]:
                found[owner_id] = (*rank, (owner_id, name_hanja, final, confidence))

    def owners_where(condition):  # noqa: ANN001, ANN202
        return session.execute(select(Owner.id, Owner.name_hanja, Owner.name_hangul,
                                      Owner.is_final, Owner.confidence).where(condition))

    exact = [k for k in (f"h:{hanja}" if hanja else None, f"k:{hangul}" if hangul else None) if k]
    # A hit on an exact key that is not the row's own name came through a linked name.
    classify(owners_where(Owner.id.in_(select(SearchKey.owner_id).where(SearchKey.key.in_(exact)))),
             (EXACT, "linked Korean name"))
    # Partial names: by the reading's two-syllable pieces (a hanja query through its own
    # reading), then the hanja or hangul itself checked inside the database.
    for text, column in ((hanja, Owner.name_hanja), (hangul, Owner.name_hangul)):
        if not text or not hangul:
            continue
        if len(text) == 1:  # a surname alone: names that begin with it
            key = ("h:" if column is Owner.name_hanja else "k:") + text
            # A key range uses the index on SQLite; PostgreSQL's collation may not order
            # by code point, so there the prefix is matched with LIKE.
            begins = (and_(SearchKey.key >= key, SearchKey.key < key + "\U0010ffff")
                      if session.get_bind().dialect.name == "sqlite"
                      else SearchKey.key.startswith(key, autoescape=True))
            ids = select(SearchKey.owner_id).where(begins).limit(5000).scalar_subquery()
        elif len(hangul) >= 2:
            postings = [_posting("b:" + hangul[i:i + 2]) for i in range(len(hangul) - 1)]
            ids = intersect(*postings) if len(postings) > 1 else postings[0]
        else:
            continue
        classify(owners_where(and_(Owner.id.in_(ids), column.contains(text, autoescape=True))),
                 (PARTIAL, f"name contains {text}"))
    unfiltered = not (q.place_units or q.lot or q.category or q.date_from or q.date_to or q.desk)
    if unfiltered and len(found) >= q.limit:
        return found  # one-syllable-off names would rank below every hit already found
    if hangul and len(hangul) >= 2:
        deletions = [hangul[:i] + hangul[i + 1:] for i in range(len(hangul))]
        keys = [f"d:{hangul}"] + [f"k:{d}" for d in deletions] + [f"d:{d}" for d in deletions]
        classify(owners_where(Owner.id.in_(
            select(SearchKey.owner_id).where(SearchKey.key.in_(keys)))), None)
    return found


def _one_lookalike(query: str, name: str, confusable: frozenset[frozenset[str]]) -> bool:
    """True when the two differ in exactly one character, a pair the recogniser confuses."""
    if len(query) != len(name):
        return False
    differing = [(a, b) for a, b in zip(query, name, strict=True) if a != b]
    return len(differing) == 1 and frozenset(differing[0]) in confusable


def find_owners(session: Session, q: OwnerQuery) -> list[OwnerHit]:
    """Parcels by owner name, place, lot, category and date, ranked: exact before partial
    before one-syllable-off, then by hanja in common with a hanja query, final owners
    before earlier ones, confident before not.

    Two steps: every candidate is filtered and ranked on a few columns, then only the
    hits shown are loaded whole (file, page, place), so a common name stays fast."""
    query = select(Owner.id, Owner.name_hanja, Owner.is_final, Owner.confidence).join(
        Parcel, Owner.parcel_id == Parcel.id)
    named = bool(q.name_hanja or q.name_hangul)
    ranks: dict[int, tuple[int, str, tuple]] = {}
    filtered = bool(q.place_units or q.lot or q.category or q.date_from or q.date_to)
    if named:
        ranks = _name_candidates(session, q)
        if not ranks:
            return []
        query = query.where(Owner.id.in_(list(ranks)))
    if q.desk or not named:
        query = query.where(Owner.is_final.is_(True))
    for unit in q.place_units:
        if any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in unit):
            # The suffix names the level, so one indexed column answers (an OR of all four
            # would scan); a unit without a known suffix may be any level. With a name, the
            # name's candidates are the selective side: the place column is wrapped so the
            # planner starts from them, not from the village's index.
            column = LEVEL_COLUMNS.get(unit[-1])
            columns = [column] if column is not None else [Parcel.do, Parcel.gun, Parcel.myeon,
                                                           Parcel.ri]
            query = query.where(or_(*[(func.coalesce(c, "") if named else c) == unit
                                      for c in columns]))
        else:
            pattern = _like_pattern(unit)
            query = query.where(or_(Parcel.location_hangul.like(pattern, escape="\\"),
                                    Parcel.modern.like(pattern, escape="\\")))
    if q.lot:
        query = query.where(Parcel.lot == q.lot)
    if q.category:
        query = query.where(Parcel.category == q.category)
    if q.date_from:
        query = query.where(Owner.date_iso >= q.date_from)
    if q.date_to:
        query = query.where(Owner.date_iso <= q.date_to)
    if not named:
        query = query.order_by(Parcel.id).limit(q.limit)
    if named and not filtered:  # the candidates already carry what ranking needs
        rows = [r[2] for r in ranks.values() if r[2][2] or not q.desk]
    else:
        rows = list(session.execute(query))
    scored = sorted(rows, key=lambda r: (
        ranks.get(r[0], (PLACE_ONLY,))[0], -_alike(q.name_hanja, r[1] or "", q.confusable),
        not r[2], -(r[3] or 0), r[0]))
    shown = [r[0] for r in scored[:q.limit]]
    details = {row[0]: row for row in session.execute(
        select(Owner.id, Owner.name_hanja, Owner.name_hangul, Owner.is_final, Owner.position,
               Owner.confidence, Parcel.id, Parcel.location, Parcel.location_hangul,
               Parcel.modern, Parcel.lot, Parcel.category, Parcel.area_m2, Page.number, Scan.path,
               Scan.sha256)
        .join(Parcel, Owner.parcel_id == Parcel.id).join(Page, Parcel.page_id == Page.id)
        .join(Scan, Page.scan_id == Scan.id).where(Owner.id.in_(shown)))}
    hits = []
    for owner_id in shown:
        (_, hanja, hangul, final, position, confidence, parcel_id, location, location_hangul,
         modern, lot, category, area, page, path, sha256) = details[owner_id]
        rank, why = ranks[owner_id][:2] if owner_id in ranks else (PLACE_ONLY, "place or lot")
        why += ", final owner" if final else f", earlier owner (row {position + 1})"
        hits.append(OwnerHit(parcel_id, parcel_ref(sha256, page), path, page, hanja or "", hangul, final, position,
                             location, location_hangul, modern, lot, category, area,
                             confidence, rank, why))
    return hits


def _alike(query: str | None, name: str, confusable: frozenset[frozenset[str]]) -> float:
    """How alike a hanja query and a name look, character by character in place: a shared
    character counts 1, a pair the recogniser confuses 0.5. Among names one syllable
    off, the one misread by a single character scores highest."""
    if not query or len(query) != len(name):
        return 0
    return sum(1.0 if a == b else 0.5 if frozenset((a, b)) in confusable else 0.0
               for a, b in zip(query, name, strict=True))
