"""Scan to archive to search, on committed sample pages with the real OCR engine."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.process import process_paths
from app.search import QueryError, search_text
from db.archive import open_archive
from db.models import AuditEntry, Page, Scan, TextLineRow
from tests.conftest import sample_pages, truth

pytestmark = pytest.mark.slow


def _counts(archive) -> tuple[int, int, int]:
    with archive.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(t))
                     for t in (Scan, Page, TextLineRow))  # type: ignore[return-value]


def test_process_then_search_finds_the_page(archive_path: Path) -> None:
    page = next(p for p in sample_pages() if p.stem.endswith("none"))
    archive = open_archive(archive_path)
    [outcome] = process_paths([page], archive)
    assert outcome.status == "stored" and outcome.pages == 1 and outcome.lines > 20
    township = truth(page)["fields"]["location"]["myeon"]["hanja"]
    hits = search_text(archive, township, actor="tester")
    assert hits and all(h.scan_path == str(page.resolve()) for h in hits)
    assert any(township in h.line and h.page == 1 for h in hits)
    with archive.session() as s:
        entry = s.scalars(select(AuditEntry)).one()
        assert (entry.actor, entry.action, entry.subject) == ("tester", "search", township)
        assert entry.detail == {"hits": len(hits)}
        stored = s.scalars(select(TextLineRow)).all()
        assert all(len(r.box) == 4 and 0 <= r.confidence <= 1 for r in stored)
    with pytest.raises(QueryError):
        search_text(archive, "   ")


def test_same_scan_twice_is_stored_once(archive_path: Path, tmp_path: Path) -> None:
    page = sample_pages()[0]
    copy = tmp_path / "다른 이름.png"
    shutil.copy(page, copy)
    archive = open_archive(archive_path)
    process_paths([page], archive)
    before = _counts(archive)
    outcomes = process_paths([page, copy], archive)
    assert [o.status for o in outcomes] == ["duplicate", "duplicate"]
    assert _counts(archive) == before


def test_bad_files_beside_good_ones(archive_path: Path, tmp_path: Path, capsys) -> None:
    good = sample_pages()[0]
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    text = tmp_path / "letter.jpg"
    text.write_text("not a scan", encoding="utf-8")
    truncated = tmp_path / "cut.jpg"
    truncated.write_bytes(next(p for p in sample_pages() if p.suffix == ".jpg")
                          .read_bytes()[:20000])
    missing = tmp_path / "gone.tif"
    code = main(["process", str(empty), str(good), str(text), str(truncated), str(missing),
                 "--db", str(archive_path)])
    out, err = capsys.readouterr()
    assert code == 1
    assert "1 stored, 0 duplicate, 4 failed" in out
    for path, reason in [(empty, "empty file"), (text, "unrecognised format"),
                         (truncated, "damaged image"), (missing, "no such file")]:
        [line] = [x for x in err.splitlines() if x.startswith(f"toji: error: {path}: ")]
        assert reason in line
    assert _counts(open_archive(archive_path))[0] == 1


def test_cli_search_prints_file_page_and_line(archive_path: Path, capsys) -> None:
    page = next(p for p in sample_pages() if p.stem.endswith("none"))
    assert main(["process", str(page), "--db", str(archive_path)]) == 0
    county = truth(page)["fields"]["location"]["gun"]["hanja"]
    capsys.readouterr()
    assert main(["search", county, "--db", str(archive_path)]) == 0
    out = capsys.readouterr().out
    assert f"{page.resolve()}  page 1  " in out and county in out


def test_the_archive_folder_keeps_a_copy_of_each_scan(archive_path: Path) -> None:
    page = sample_pages()[0]
    archive = open_archive(archive_path)
    process_paths([page], archive)
    with archive.session() as s:
        scan = s.scalars(select(Scan)).one()
    copy = archive_path.parent / scan.stored
    assert copy.read_bytes() == page.read_bytes() and scan.sha256 in copy.name
