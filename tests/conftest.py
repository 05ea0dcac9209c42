"""Shared fixtures: committed sample pages, a fresh archive per test, the OCR engine once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "pages"
JPEGS = sorted(SAMPLES.glob("*.jpg"))


def sample_pages() -> list[Path]:
    return sorted(p for p in SAMPLES.iterdir() if p.suffix in (".png", ".jpg"))


def truth(page: Path) -> dict:
    return json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))


TEST_USER, TEST_PASSWORD = "tester", "test-password-1"


@pytest.fixture(autouse=True)
def signed_in(monkeypatch: pytest.MonkeyPatch):
    """Every test runs signed in as an administrator: services called directly see the
    principal, and `toji` commands (here or in subprocesses) sign in from the
    environment, making the tester the first administrator of a new archive."""
    from app.auth import Principal, acting_as

    monkeypatch.setenv("TOJI_USER", TEST_USER)
    monkeypatch.setenv("TOJI_PASSWORD", TEST_PASSWORD)
    with acting_as(Principal(TEST_USER, "admin")) as principal:
        yield principal


@pytest.fixture(autouse=True)
def key_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's PC keeps its signing keys here, never in the user's own folder."""
    folder = tmp_path / "pc-keys"
    monkeypatch.setenv("TOJI_KEYS", str(folder))
    return folder


@pytest.fixture
def archive_path(tmp_path: Path) -> Path:
    return tmp_path / "archive" / "toji.db"


def fresh_archive(backend: str, folder: Path):
    """An empty archive on SQLite (a file in folder) or on the test PostgreSQL server
    (its schema emptied first). PostgreSQL missing: skipped, but a failure under CI."""
    import os

    from sqlalchemy import create_engine, text

    from db.archive import open_archive

    if backend == "sqlite":
        return open_archive(folder / "toji.db")
    url = os.environ.get("TOJI_TEST_DATABASE_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("TOJI_TEST_DATABASE_URL is not set: PostgreSQL must run in CI")
        pytest.skip("no PostgreSQL server (make test starts one)")
    engine = create_engine(url)
    with engine.begin() as c:
        c.execute(text("drop schema public cascade"))
        c.execute(text("create schema public"))
    engine.dispose()
    return open_archive(url)


def store_truth(archive, truth: dict, path: str) -> int:
    """Stores a generated page's record as if read perfectly (no OCR): the field stage on
    the truth's own lines. Returns the parcel id."""
    import hashlib

    from db.index import index_parcel
    from db.models import Page, Parcel, Scan
    from ocr.cells import CellReading
    from translit.fields import build_record

    cells = [CellReading(line["field"], line["text"], 0.99, ((0, 0),) * 4, line["vertical"],
                         line["crossed"], line.get("aspect", len(line["text"])))
             for line in truth["lines"] if line["field"]]
    record = build_record(truth["form"], cells)
    with archive.session() as session, session.begin():
        scan = Scan(sha256=hashlib.sha256(path.encode()).hexdigest(), path=path, size=0)
        page = Page(number=1, width=1, height=1, engine="truth", form=truth["form"])
        page.parcel = Parcel(form=truth["form"], needs_review=bool(record.review()),
                             record=record.as_json())
        scan.pages.append(page)
        session.add(scan)
        session.flush()
        index_parcel(session, page.parcel)
        return page.parcel.id


@pytest.fixture(scope="session")
def _read_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive holding two committed pages read by the real engine (one 土地臺帳 with
    two owners, one 林野臺帳), made once per test session."""
    from app.auth import Principal, acting_as
    from app.process import process_paths
    from db.archive import open_archive

    folder = tmp_path_factory.mktemp("read") / "archive"
    archive = open_archive(folder / "toji.db")
    pages = [SAMPLES / "land_s2026_0007_light.jpg", SAMPLES / "forest_s2026_0006_none.png"]
    with acting_as(Principal(TEST_USER, "admin")):
        assert all(o.status == "stored" for o in process_paths(pages, archive))
    archive.engine.dispose()
    return folder


@pytest.fixture
def read_archive(_read_folder: Path, tmp_path: Path):
    """A copy of the session's read archive, for one test to change as it likes."""
    import shutil

    from db.archive import open_archive

    folder = tmp_path / "archive"
    shutil.copytree(_read_folder, folder)
    return open_archive(folder / "toji.db")


def distinct_copies(folder: Path, count: int, start: int = 0) -> list[Path]:
    """`count` JPEG scans with different bytes (a COM segment) and the samples' pixels;
    copies made with different `start`s differ too."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(start, start + count):
        data = JPEGS[i % len(JPEGS)].read_bytes()
        note = f"copy {i}".encode()
        segment = b"\xff\xfe" + (len(note) + 2).to_bytes(2, "big") + note
        path = folder / f"scan {i:03d}.jpg"
        path.write_bytes(data[:2] + segment + data[2:])
        out.append(path)
    return out


def old_archive(path: Path, revision: str, *statements: str) -> None:
    """An archive file as an older Toji left it: migrated only to `revision`, with the
    rows the SQL `statements` insert, for the upgrade tests."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, text

    from db.archive import MIGRATIONS

    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()
