"""Opening archives: created and migrated on first open, refused clearly when impossible."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from db.archive import ArchiveError, open_archive
from tests.conftest import old_archive


def test_first_open_creates_the_schema_at_head(archive_path: Path) -> None:
    archive = open_archive(archive_path)
    tables = set(inspect(archive.engine).get_table_names())
    assert {"scans", "pages", "text_lines", "audit_log", "alembic_version"} <= tables
    with archive.engine.connect() as c:
        assert c.execute(text("select version_num from alembic_version")).scalar() == "0012"
        assert c.execute(text("pragma journal_mode")).scalar() == "wal"
        assert c.execute(text("pragma foreign_keys")).scalar() == 1
    again = open_archive(archive_path)  # reopening migrates nothing and loses nothing
    assert set(inspect(again.engine).get_table_names()) == tables


def test_a_folder_or_a_non_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="is a folder"):
        open_archive(tmp_path)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 200)
    with pytest.raises(ArchiveError, match="junk.db"):
        open_archive(junk)


def test_an_archive_of_an_older_version_is_upgraded_keeping_its_rows(archive_path: Path) -> None:
    from sqlalchemy import create_engine

    old_archive(archive_path, "0001", "insert into scans (sha256, path, size, status, added_at) "
                "values ('ab', '/scans/1.png', 10, 'stored', '2026-01-01')")
    archive = open_archive(archive_path)
    with archive.engine.connect() as c:
        assert c.execute(text("select version_num from alembic_version")).scalar() == "0012"
        assert c.execute(text("select path from scans")).scalar() == "/scans/1.png"
    assert "parcels" in inspect(archive.engine).get_table_names()
    # the archive as it was is kept beside it, taken before the upgrade
    assert archive.backup is not None and archive.backup.name.startswith("toji.before-0001-")
    old = create_engine(f"sqlite:///{archive.backup}")
    with old.connect() as c:
        assert c.execute(text("select version_num from alembic_version")).scalar() == "0001"
        assert c.execute(text("select count(*) from scans")).scalar() == 1
    assert open_archive(archive_path).backup is None  # nothing to upgrade: no copy
