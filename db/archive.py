"""Opening an archive: a SQLite file by default, any SQLAlchemy URL (PostgreSQL) by choice.

Opening always brings the schema to the newest migration, so an archive made by an
older Toji is upgraded in place — a SQLite archive only after a copy of it is taken
beside it (`NAME.before-REV-TIME.db`, through SQLite's online backup). SQLite runs in
WAL mode with foreign keys enforced.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")


class ArchiveError(RuntimeError):
    """The archive cannot be opened (bad path, not a database, no permission)."""


@dataclass(frozen=True)
class Archive:
    engine: Engine
    sessions: sessionmaker[Session]
    backup: Path | None = None  # the copy taken before an upgrade, if one was made
    folder: Path | None = None  # a SQLite archive's folder: the database and scans/

    def keep_scan(self, data: bytes, sha256: str, suffix: str) -> str | None:
        """Copies a scan into the archive folder (scans/ab/abcd….jpg), once; returns its
        path relative to the folder, or None for a server database (scans stay put)."""
        if self.folder is None:
            return None
        relative = Path("scans") / sha256[:2] / (sha256 + suffix.lower())
        target = self.folder / relative
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(target.suffix + ".part")
            partial.write_bytes(data)
            partial.replace(target)  # a crash never leaves half a scan under its name
        return relative.as_posix()

    def session(self) -> Session:
        return self.sessions()


def database_url(target: str | Path) -> str:
    """A URL for a path (SQLite) or the URL itself when one is given."""
    text = str(target)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


CACHE_KIB = 64 * 1024
MMAP_BYTES = 1 << 30


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API objects
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    # A search at a million owners touches a few thousand rows scattered over a GB file:
    # read through memory mapping and a larger page cache, not a read call per page.
    cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    cursor.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
    cursor.close()


def _postgres_settings(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API objects
    """An archive's statements are short lookups: a parallel plan's workers take longer
    to start (10-20 ms, measured) than such a query takes to answer. Its working set is
    in memory, where a lookup by key costs about what reading on does: with the default
    random_page_cost (4, for spinning disks) the planner scans all owners rather than
    look up two thousand name candidates (21 → 12 ms at 200 k owners)."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
        cursor.execute("SET random_page_cost = 1.1")
    dbapi_connection.commit()


def open_archive(target: str | Path) -> Archive:
    """Opens (creating if needed) the archive at a path or URL and migrates it to head."""
    url = database_url(target)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if path.is_dir():
            raise ArchiveError(f"{path}: is a folder, not an archive file")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(f"{path}: cannot create its folder ({exc.strerror})") from exc
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgres_settings)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    backup = None
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        head = ScriptDirectory.from_config(config).get_current_head()
        if current is not None and current != head and engine.dialect.name == "sqlite":
            backup = _backup(Path(url.removeprefix("sqlite:///")), current)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except Exception as exc:
        engine.dispose()
        raise ArchiveError(f"{target}: cannot open the archive ({exc.__class__.__name__}: "
                           f"{str(exc).splitlines()[0]})") from exc
    folder = Path(url.removeprefix("sqlite:///")).parent if engine.dialect.name == "sqlite" \
        and url != "sqlite:///:memory:" else None
    archive = Archive(engine, sessionmaker(engine, expire_on_commit=False), backup, folder)
    import db.audit  # noqa: F401 - registers the audit chain on every session
    from db.index import index_unindexed  # after the schema is there

    with archive.session() as session, session.begin():
        index_unindexed(session)
    return archive


def copy_sqlite(path: Path, target: Path) -> None:
    """A consistent copy of a SQLite database through its online backup API, taken while
    it may be open and in use elsewhere."""
    source, copy = sqlite3.connect(path), sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


def _backup(path: Path, revision: str) -> Path:
    """The copy kept beside an archive before its upgrade."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.before-{revision}-{stamp}{path.suffix}")
    copy_sqlite(path, target)
    return target
