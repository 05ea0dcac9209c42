"""Queries over the archive: text lines containing a string, and parcels by owner name,
place, lot, category and date, answered from the index that `db.index` keeps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein
from sqlalchemy import and_, case, false, func, intersect, literal, or_, select
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
    rank: int  # see _Ranker: 0 exact … 5 one syllable off, 6 by place or lot alone
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


EXACT, LOOKALIKE, UNCERTAIN, SAME_READING, PARTIAL, ONE_OFF, PLACE_ONLY = range(7)
Row = tuple[int, str | None, str | None, bool, float | None]  # id, hanja, hangul, final, conf


def _postings(*keys: str):  # noqa: ANN202 - a select of owner ids
    return select(SearchKey.owner_id).where(SearchKey.key.in_(keys))


def _lookalikes(hanja: str, confusable: frozenset[frozenset[str]]) -> list[str]:
    """The name with one character swapped for one the recogniser confuses it with."""
    out = []
    for i, ch in enumerate(hanja):
        for pair in confusable:
            if ch in pair:
                out += [hanja[:i] + other + hanja[i + 1:] for other in pair if other != ch]
    return sorted(set(out))


def _alike_sql(query: str | None, column, confusable: frozenset[frozenset[str]]):  # noqa: ANN001, ANN202
    """How alike a hanja query and a name look, character by character in place, as a
    column the database orders by: a shared character counts 1, a pair the recogniser
    confuses 0.5; the query less one character scores a quarter above a name with one
    other character; a name of another length 0. Among names one syllable off, the one
    misread by a single character comes first."""
    if not query:
        return literal(0.0)
    terms = []
    for i, ch in enumerate(query):
        at = func.substr(column, i + 1, 1)
        alikes = sorted(c for pair in confusable if ch in pair for c in pair if c != ch)
        whens = [(at == ch, 1.0)] + ([(at.in_(alikes), 0.5)] if alikes else [])
        terms.append(case(*whens, else_=0.0))
    same = func.length(column) == len(query)
    if len(query) < 2:
        return case((same, sum(terms[1:], terms[0])), else_=0.0)
    # The query with one character dropped is the recogniser's commonest slip on a
    # character it cannot read: above a name with one character replaced.
    dropped = sorted({query[:i] + query[i + 1:] for i in range(len(query))})
    return case((same, sum(terms[1:], terms[0])), (column.in_(dropped), len(query) - 0.75),
                else_=0.0)


def _uncertain_why(query: str, read: str, shown: str) -> str:
    """Which character the recogniser was unsure of: where the name as read (`read`,
    in the query's script) and the query differ; `shown` is the name as written, whose
    character at that place is named."""
    for at, (was, asked) in enumerate(zip(read, query, strict=False)):
        if was != asked:
            written = shown[at] if len(shown) == len(read) else was
            return f"uncertain character {written}: could be {asked}"
    return "uncertain character"


class _Ranker:
    """Candidates found tier by tier, best tier first, each tier ranked and cut inside the
    database (alike, final owner, confidence, id) with every filter applied: only as
    many rows as can still be shown come back, and the search stops once it has them.
    Tiers: the hanja written (0), one character the recogniser confuses with it (1), a
    name the recogniser read with a character it was unsure of, whose other reading is
    the query (2), the same reading in other hanja (3), a name containing the query (4),
    one syllable off (5)."""

    def __init__(self, session: Session, q: OwnerQuery, filtered) -> None:  # noqa: ANN001
        self.session, self.q, self.filtered = session, q, filtered
        self.found: dict[int, tuple[int, str, Row]] = {}
        self.alike = _alike_sql(q.name_hanja, Owner.name_hanja, q.confusable)

    @property
    def full(self) -> bool:
        return len(self.found) >= self.q.limit

    def rows(self, condition, extra: int = 1) -> list[Row]:  # noqa: ANN001
        query = self.filtered(select(Owner.id, Owner.name_hanja, Owner.name_hangul,
                                     Owner.is_final, Owner.confidence).where(condition))
        if self.found:
            query = query.where(Owner.id.not_in(list(self.found)))
        query = query.order_by(self.alike.desc(), Owner.is_final.desc(),
                               func.coalesce(Owner.confidence, 0.0).desc(), Owner.id)
        return [tuple(r) for r in self.session.execute(
            query.limit((self.q.limit - len(self.found)) * extra))]

    def tier(self, condition, why: Callable[[Row], tuple[int, str] | None],  # noqa: ANN001
             extra: int = 1) -> None:
        if self.full:
            return
        for row in self.rows(condition, extra):
            rank = why(row)
            if rank is not None and not self.full:
                self.found[row[0]] = (*rank, row)


def _doubt_keys(hangul: str | None) -> list[str]:
    """Keys of names the recogniser read with a character lost (the ink held more: the
    query less one syllable) or read as no hanja (the query with one syllable open)."""
    if not hangul or len(hangul) < 2:
        return []
    return sorted({"l:" + hangul[:i] + hangul[i + 1:] for i in range(len(hangul))}
                  | {"w:" + hangul[:i] + "?" + hangul[i + 1:] for i in range(len(hangul))})


def _doubt_why(query: str, hangul: str, row: Row) -> tuple[int, str]:
    """Why a name found through the recogniser's doubts may be the one asked for."""
    read = row[2] or ""
    if any(not "가" <= ch <= "힣" for ch in read):
        return UNCERTAIN, "a character read as no hanja"
    if len(read) == len(hangul) - 1:
        return UNCERTAIN, "a character lost in reading"
    return UNCERTAIN, _uncertain_why(query, row[1] if query != hangul else read, row[1] or "")


def _name_candidates(session: Session, q: OwnerQuery, filtered) -> dict[int, tuple[int, str, Row]]:  # noqa: ANN001
    """owner id → (rank, why, row), at most q.limit of them, best first. Every step is an
    indexed lookup of name keys (db.index), never long lists of ids sent in."""
    hanja, hangul = q.name_hanja, q.name_hangul
    r = _Ranker(session, q, filtered)
    if hanja:
        r.tier(or_(Owner.id.in_(_postings("h:" + hanja)),
                   and_(Owner.id.in_(_postings("k:" + hangul)) if hangul else false(),
                        func.coalesce(Owner.name_hangul, "") != (hangul or ""))),
               lambda row: (EXACT, "exact name" if row[1] == hanja else "linked Korean name"))
        variants = _lookalikes(hanja, q.confusable)
        if variants:
            r.tier(Owner.id.in_(_postings(*["h:" + v for v in variants])),
                   lambda row: (LOOKALIKE, f"one look-alike character from {hanja}"))
        r.tier(Owner.id.in_(_postings("u:" + hanja, *_doubt_keys(hangul))),
               lambda row: _doubt_why(hanja, hangul or "", row))
        if hangul:
            r.tier(Owner.id.in_(_postings("k:" + hangul)),
                   lambda row: (SAME_READING, "same reading"))
    elif hangul:
        r.tier(Owner.id.in_(_postings("k:" + hangul)),
               lambda row: (EXACT, "exact name" if row[2] == hangul else "linked Korean name"))
        r.tier(Owner.id.in_(_postings("r:" + hangul, *_doubt_keys(hangul))),
               lambda row: _doubt_why(hangul, hangul, row))
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
            pieces = [_postings("b:" + hangul[i:i + 2]) for i in range(len(hangul) - 1)]
            ids = intersect(*pieces) if len(pieces) > 1 else pieces[0]
        else:
            continue
        r.tier(and_(Owner.id.in_(ids), column.contains(text, autoescape=True)),
               lambda row, text=text: (PARTIAL, f"name contains {text}"))
    if hangul and len(hangul) >= 2:
        deletions = [hangul[:i] + hangul[i + 1:] for i in range(len(hangul))]
        keys = [f"d:{hangul}"] + [f"k:{d}" for d in deletions] + [f"d:{d}" for d in deletions]
        # A shared deletion key may hide two syllables apart: fetch more, keep one apart.
        r.tier(Owner.id.in_(_postings(*keys)),
               lambda row: (ONE_OFF, f"one syllable from {hangul}") if row[2] and
               Levenshtein.distance(row[2], hangul) <= 1 else None, extra=3)
    return r.found


def find_owners(session: Session, q: OwnerQuery) -> list[OwnerHit]:
    """Parcels by owner name, place, lot, category and date, ranked: exact before
    look-alike before uncertain characters before the same reading before partial
    before one syllable off, then by hanja in common with a hanja query, final owners
    before earlier ones, confident before not.

    Ranked and cut inside the database, tier by tier (see _Ranker); only the hits shown
    are then loaded whole (file, page, place), so a common name stays fast."""
    named = bool(q.name_hanja or q.name_hangul)

    def filtered(query):  # noqa: ANN001, ANN202 - the place, lot, date and desk conditions
        if q.desk or not named:
            query = query.where(Owner.is_final.is_(True))
        if not (q.place_units or q.lot or q.category):
            return _dates(query, q)
        query = query.join(Parcel, Owner.parcel_id == Parcel.id)
        for unit in q.place_units:
            if any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in unit):
                # The suffix names the level, so one indexed column answers (an OR of all
                # four would scan); a unit without a known suffix may be any level. With a
                # name, the name's candidates are the selective side: the place column is
                # wrapped so the planner starts from them, not from the village's index.
                column = LEVEL_COLUMNS.get(unit[-1])
                columns = [column] if column is not None else [Parcel.do, Parcel.gun,
                                                               Parcel.myeon, Parcel.ri]
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
        return _dates(query, q)

    if named:
        ranks = _name_candidates(session, q, filtered)
        shown = list(ranks)
    else:
        ranks = {}
        # In the place index's own order when the parcels are joined: no sort at all.
        order = Parcel.id if (q.place_units or q.lot or q.category) else Owner.parcel_id
        shown = list(session.scalars(filtered(select(Owner.id)).order_by(order)
                                     .limit(q.limit)))
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
        hits.append(OwnerHit(parcel_id, parcel_ref(sha256, page), path, page, hanja or "",
                             hangul, final, position, location, location_hangul, modern, lot,
                             category, area, confidence, rank, why))
    return hits


def _dates(query, q: OwnerQuery):  # noqa: ANN001, ANN202
    if q.date_from:
        query = query.where(Owner.date_iso >= q.date_from)
    if q.date_to:
        query = query.where(Owner.date_iso <= q.date_to)
    return query
