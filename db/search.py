"""Queries over the archive: text lines containing a string, and parcels by owner name,
place, lot, category and date, answered from the index that `db.index` keeps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Page, Scan, TextLineRow
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


LEVEL_COLUMNS = {"道": "do", "郡": "gun", "府": "gun", "面": "myeon", "邑": "myeon", "里": "ri",
                 "洞": "ri"}


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
    # The hangul name less one syllable as that shorter name is read: the syllable after
    # the gap may open the given name and take the initial law (임돌룡 less 돌: 임용,
    # as 林龍 reads), which the query's own syllables do not show (app.search fills it).
    shorter_readings: tuple[str, ...] = ()


EXACT, LOOKALIKE, UNCERTAIN, SAME_READING, PARTIAL, ONE_OFF, PLACE_ONLY = range(7)
Row = tuple[int, str | None, str | None, bool, float | None]  # id, hanja, hangul, final, conf


class _Sql:
    """A statement written out with its parameters beside it, in the order they appear.

    Owner search builds a handful of statements a query. Built as SQLAlchemy expressions
    they cost more to make than the database takes to answer them (profiled at 1 M
    owners: 11 of an exact-name query's 17 ms were spent building and caching
    expressions), so they are written here as text, the same on SQLite and PostgreSQL
    but for the placeholder."""

    def __init__(self, text: str = "", *params: object) -> None:
        self.text, self.params = text, list(params)

    def __add__(self, other: _Sql) -> _Sql:
        return _Sql(self.text + other.text, *self.params, *other.params)

    def run(self, session: Session) -> list[tuple]:
        connection = session.connection()
        text = self.text.replace("?", "%s") if connection.dialect.name != "sqlite" else self.text
        return [tuple(r) for r in connection.exec_driver_sql(text, tuple(self.params))]


def _marks(values: list) -> _Sql:  # noqa: ANN001
    return _Sql(", ".join("?" * len(values)), *values)


def _postings(*keys: str) -> _Sql:
    """The owners with any of these name keys."""
    return _Sql("o.id IN (SELECT owner_id FROM search_keys WHERE key IN (") + \
        _marks(list(keys)) + _Sql("))")


def _lookalikes(hanja: str, confusable: frozenset[frozenset[str]]) -> list[str]:
    """The name with one character swapped for one the recogniser confuses it with."""
    out = []
    for i, ch in enumerate(hanja):
        for pair in confusable:
            if ch in pair:
                out += [hanja[:i] + other + hanja[i + 1:] for other in pair if other != ch]
    return sorted(set(out))


def _alike_sql(query: str | None, confusable: frozenset[frozenset[str]]) -> _Sql:
    """How alike a hanja query and a name look, character by character in place, as the
    first key the database orders by (descending): a shared character counts 1, a pair the recogniser
    confuses 0.5, a name of another length 0. Among names one syllable off, the one
    misread by a single character comes first."""
    if not query:
        return _Sql()  # nothing to compare: PostgreSQL refuses a constant to order by
    terms = _Sql()
    for i, ch in enumerate(query):
        at = f"substr(o.name_hanja, {i + 1}, 1)"
        alikes = sorted(c for pair in confusable if ch in pair for c in pair if c != ch)
        terms += _Sql(f"{' + ' if i else ''}(CASE WHEN {at} = ? THEN 1.0", ch)
        if alikes:
            terms += _Sql(f" WHEN {at} IN (") + _marks(alikes) + _Sql(") THEN 0.5")
        terms += _Sql(" ELSE 0.0 END)")
    out = _Sql(f"(CASE WHEN length(o.name_hanja) = {len(query)} THEN ") + terms
    return out + _Sql(" ELSE 0.0 END) DESC, ")


def _filters(q: OwnerQuery, named: bool, postgres: bool = False) -> tuple[str, _Sql]:
    """The join and the conditions for the place, lot, category, dates and desk mode."""
    where = _Sql()
    if q.desk or not named:
        where += _Sql(" AND o.is_final = ?", True)
    join = " JOIN parcels p ON o.parcel_id = p.id" if (q.place_units or q.lot or
                                                       q.category) else ""
    for unit in q.place_units:
        if any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in unit):
            # The suffix names the level, so one indexed column answers (an OR of all four
            # would scan); a unit without a known suffix may be any level. With a name,
            # the name's candidates are the selective side: on SQLite the place column is
            # wrapped so the planner starts from them, not from the village's index.
            # PostgreSQL's planner weighs both by their statistics, which the wrapping
            # hides: it then guesses a township small and scans it (34 ms at 200 k).
            level = LEVEL_COLUMNS.get(unit[-1])
            columns = [level] if level else ["do", "gun", "myeon", "ri"]
            wrap = named and not postgres
            tests = [f"COALESCE(p.{c}, '') = ?" if wrap else f"p.{c} = ?" for c in columns]
            where += _Sql(" AND (" + " OR ".join(tests) + ")", *[unit] * len(columns))
        else:
            pattern = _like_pattern(unit)
            where += _Sql(" AND (p.location_hangul LIKE ? ESCAPE '\\' OR p.modern LIKE ? "
                          "ESCAPE '\\')", pattern, pattern)
    if q.lot:
        where += _Sql(" AND p.lot = ?", q.lot)
    if q.category:
        where += _Sql(" AND p.category = ?", q.category)
    if q.date_from:
        where += _Sql(" AND o.date_iso >= ?", q.date_from)
    if q.date_to:
        where += _Sql(" AND o.date_iso <= ?", q.date_to)
    return join, where




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

    def __init__(self, session: Session, q: OwnerQuery) -> None:
        self.session, self.q = session, q
        self.found: dict[int, tuple[int, str, Row]] = {}
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.join, self.where = _filters(q, True, self.postgres)
        self.alike = _alike_sql(q.name_hanja, q.confusable)

    @property
    def full(self) -> bool:
        return len(self.found) >= self.q.limit

    def tier(self, condition: _Sql, why: Callable[[Row], tuple[int, str] | None],
             many: bool = False, first: _Sql | None = None) -> None:
        """One tier. `many`: a tier of thousands of candidates (a common name's names one
        syllable off): its final owners and then the rest come in archive order, so the
        database stops at the page's end instead of ordering every candidate (4.8 → 1.2
        ms for 김정일 at 1 M owners). A hanja query first takes those that share all its
        hanja but one, in place: they are the most alike."""
        if self.full:
            return
        query = _Sql("SELECT o.id, o.name_hanja, o.name_hangul, o.is_final, o.confidence "
                     f"FROM owners o{self.join} WHERE (") + condition + _Sql(")") + self.where
        if self.found:
            query += _Sql(" AND o.id NOT IN (") + _marks(list(self.found)) + _Sql(")")
        if many and self.postgres:
            # PostgreSQL would walk the primary key in order, testing each owner against the
            # candidates, until the page is full: a whole-table walk when few of them pass
            # a place (25 ms at 200 k owners). `+ 0` makes it take the candidates first,
            # and then one pass over them serves final owners and the rest.
            self._take(query + _Sql(" ORDER BY o.is_final DESC, o.id + 0 LIMIT ?",
                                    self.q.limit - len(self.found)), why)
            return
        if many:
            for final in (True,) if self.q.desk else (True, False):
                self._take(query + _Sql(" AND o.is_final = ? ORDER BY o.id LIMIT ?", final,
                                        self.q.limit - len(self.found)), why)
            return
        self._take(query + _Sql(" ORDER BY ") + (first or _Sql()) + self.alike + _Sql(
            "o.is_final DESC, COALESCE(o.confidence, 0.0) DESC, o.id LIMIT ?",
            self.q.limit - len(self.found)), why)

    def _take(self, query: _Sql, why: Callable[[Row], tuple[int, str] | None]) -> None:
        if self.full:
            return
        for row in query.run(self.session):
            rank = why(row)
            if rank is not None and not self.full:
                self.found[row[0]] = (*rank, row)


def _doubt_keys(*names: str | None) -> list[str]:
    """Keys of names the recogniser read with a character lost (the ink held more: the
    query less one character) or read as no hanja (the query with one character open),
    in hanja and in hangul (a syllable's reading may change with its neighbours: 閔龍 is
    민용, 閔乭龍 민돌룡)."""
    keys: set[str] = set()
    for name in names:
        if name and len(name) >= 2:
            keys |= {"l:" + name[:i] + name[i + 1:] for i in range(len(name))}
            keys |= {"w:" + name[:i] + "?" + name[i + 1:] for i in range(len(name))}
    return sorted(keys)


def _doubt_why(query: str, hangul: str, row: Row) -> tuple[int, str]:
    """Why a name found through the recogniser's doubts may be the one asked for."""
    read = row[2] or ""
    if any(not "가" <= ch <= "힣" for ch in read):
        return UNCERTAIN, "a character read as no hanja"
    if len(read) == len(hangul) - 1:
        return UNCERTAIN, "a character lost in reading"
    written = row[1] or ""
    return UNCERTAIN, _uncertain_why(query, written if query != hangul else read, written)


def _partial(session: Session, text: str, hangul: str, hanja: bool) -> _Sql | None:
    """Names containing `text`: by the reading's two-syllable pieces (a hanja query
    through its own reading), a surname alone by the names that begin with it; the text
    itself then checked inside the database."""
    if len(text) == 1:
        key = ("h:" if hanja else "k:") + text
        # A key range uses the index on SQLite; PostgreSQL's collation may not order by
        # code point, so there the prefix is matched with LIKE.
        if session.get_bind().dialect.name == "sqlite":
            ids = _Sql("SELECT owner_id FROM search_keys WHERE key >= ? AND key < ? LIMIT 5000",
                       key, key + "\U0010ffff")
        else:
            ids = _Sql("SELECT owner_id FROM search_keys WHERE key LIKE ? ESCAPE '\\' "
                       "LIMIT 5000", _like_pattern(key)[1:])
        ids = _Sql("o.id IN (") + ids + _Sql(")")
    elif len(hangul) >= 2:
        ids = _pieces(hangul)
    else:
        return None
    column = "o.name_hanja" if hanja else "o.name_hangul"
    return ids + _Sql(f" AND {column} LIKE ? ESCAPE '\\'", _like_pattern(text))


def _pieces(hangul: str) -> _Sql:
    """The owners whose reading holds every two-syllable piece of this one but the first.
    The first holds the surname, 황보 or 남궁 whole: thousands of owners share it, and an
    INTERSECT costs what its longest list does (11 of a 황보창룡 + 交河面 query's 18 ms at
    1 M owners). The name itself is checked after, so fewer pieces find no fewer names."""
    pieces = ["b:" + hangul[i:i + 2] for i in range(len(hangul) - 1)]
    pieces = pieces[1:] or pieces
    return _Sql("o.id IN (") + _Sql(" INTERSECT ".join(
        ["SELECT owner_id FROM search_keys WHERE key = ?"] * len(pieces)), *pieces) + _Sql(")")


def _name_candidates(session: Session, q: OwnerQuery) -> dict[int, tuple[int, str, Row]]:
    """owner id → (rank, why, row), at most q.limit of them, best first. Every step is an
    indexed lookup of name keys (db.index), never long lists of ids sent in."""
    hanja, hangul = q.name_hanja, q.name_hangul
    r = _Ranker(session, q)
    if hanja:
        exact = _postings("h:" + hanja)
        if hangul:  # or a Korean name a clerk linked to the row (its own reading differs)
            exact = _postings("h:" + hanja, "k:" + hangul) + _Sql(
                " AND (o.name_hanja = ? OR COALESCE(o.name_hangul, '') <> ?)", hanja, hangul)
        r.tier(exact,
               lambda row: (EXACT, "exact name" if row[1] == hanja else "linked Korean name"))
        variants = _lookalikes(hanja, q.confusable)
        if variants:
            r.tier(_postings(*["h:" + v for v in variants]),
                   lambda row: (LOOKALIKE, f"one look-alike character from {hanja}"))
        r.tier(_postings("u:" + hanja, *_doubt_keys(hanja, hangul),
                         *["l:" + name for name in q.shorter_readings]),
               lambda row: _doubt_why(hanja, hangul or "", row))
        if hangul:
            r.tier(_postings("k:" + hangul), lambda row: (SAME_READING, "same reading"))
    elif hangul:
        r.tier(_postings("k:" + hangul),
               lambda row: (EXACT, "exact name" if row[2] == hangul else "linked Korean name"))
        r.tier(_postings("r:" + hangul, *_doubt_keys(hangul),
                         *["l:" + name for name in q.shorter_readings]),
               lambda row: _doubt_why(hangul, hangul, row))
    if hangul:
        if hanja and len(hangul) >= 2:  # one lookup of the pieces, either script checked
            in_hanja = _Sql("o.name_hanja LIKE ? ESCAPE '\\'", _like_pattern(hanja))
            in_hangul = _Sql("o.name_hangul LIKE ? ESCAPE '\\'", _like_pattern(hangul))

            def holds(row: Row) -> tuple[int, str]:
                return PARTIAL, f"name contains {hanja if hanja in (row[1] or '') else hangul}"

            r.tier(_pieces(hangul) + _Sql(" AND (") + in_hanja + _Sql(" OR ") + in_hangul +
                   _Sql(")"), holds,
                   first=_Sql("(CASE WHEN ") + in_hanja + _Sql(" THEN 0 ELSE 1 END), "))
        else:
            for text, is_hanja in ((hanja, True), (hangul, False)):
                condition = _partial(session, text, hangul, is_hanja) if text else None
                if condition is not None:
                    r.tier(condition, lambda row, text=text: (PARTIAL, f"name contains {text}"))
    if hangul and len(hangul) >= 2:
        def one_off(row: Row) -> tuple[int, str] | None:
            if row[2] and Levenshtein.distance(row[2], hangul) <= 1:
                return ONE_OFF, f"one syllable from {hangul}"
            return None

        if hanja and len(hanja) >= 2:  # first those with the same hanja but one, in place
            r.tier(_postings(*[f"s:{hanja[:i]}?{hanja[i + 1:]}" for i in range(len(hanja))]),
                   one_off, many=True)
        # One syllable more (the name less one is the query), less (the query less one
        # is the name), or another in one place (both with that place open).
        keys = [f"d:{hangul}"] + [f"k:{hangul[:i] + hangul[i + 1:]}" for i in range(len(hangul))]
        keys += [f"s:{hangul[:i]}?{hangul[i + 1:]}" for i in range(len(hangul))]
        r.tier(_postings(*keys), one_off, many=True)
    return r.found


DETAILS = ("SELECT o.id, o.name_hanja, o.name_hangul, o.is_final, o.position, o.confidence, "
           "p.id, p.location, p.location_hangul, p.modern, p.lot, p.category, p.area_m2, "
           "g.number, s.path, s.sha256 FROM owners o JOIN parcels p ON o.parcel_id = p.id "
           "JOIN pages g ON p.page_id = g.id JOIN scans s ON g.scan_id = s.id WHERE o.id IN (")


def find_owners(session: Session, q: OwnerQuery) -> list[OwnerHit]:
    """Parcels by owner name, place, lot, category and date, ranked: exact before
    look-alike before uncertain characters before the same reading before partial
    before one syllable off, then by hanja in common with a hanja query, final owners
    before earlier ones, confident before not.

    Ranked and cut inside the database, tier by tier (see _Ranker); only the hits shown
    are then loaded whole (file, page, place), so a common name stays fast."""
    if q.name_hanja or q.name_hangul:
        ranks = _name_candidates(session, q)
        shown = list(ranks)
    else:
        ranks = {}
        join, where = _filters(q, False)
        # In the place index's own order when the parcels are joined: no sort at all.
        order = "p.id" if join else "o.parcel_id"
        query = _Sql(f"SELECT o.id FROM owners o{join} WHERE 1 = 1") + where + \
            _Sql(f" ORDER BY {order} LIMIT ?", q.limit)
        shown = [row[0] for row in query.run(session)]
    if not shown:
        return []
    details = {row[0]: row for row in (_Sql(DETAILS) + _marks(shown) + _Sql(")")).run(session)}
    hits = []
    for owner_id in shown:
        (_, hanja, hangul, final, position, confidence, parcel_id, location, location_hangul,
         modern, lot, category, area, page, path, sha256) = details[owner_id]
        rank, why = ranks[owner_id][:2] if owner_id in ranks else (PLACE_ONLY, "place or lot")
        why += ", final owner" if final else f", earlier owner (row {position + 1})"
        hits.append(OwnerHit(parcel_id, parcel_ref(sha256, page), path, page, hanja or "",
                             hangul, bool(final), position, location, location_hangul, modern,
                             lot, category, area, confidence, rank, why))
    return hits
