"""Forms an archive learns: a page read by its labels kept as the template of its printing,
listed with the pages it matched, and used for the next page of that printing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import inspect, select, text

from app.auth import PermissionDenied, Principal, acting_as
from app.cli import main
from app.forms import FormError, find_page, learn, list_forms, templates
from app.process import process_paths
from db.archive import open_archive
from db.models import AuditEntry, Form, Page, Scan
from tests.conftest import old_archive


@pytest.fixture(scope="module")
def printing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One page of a printing no built-in template describes, saved twice (PNG and BMP):
    the same pixels, two scans with different bytes."""
    from samples.generator import make_page

    folder = tmp_path_factory.mktemp("printing")
    pixels, _ = make_page(1, 0, "land", "none", layout="combined")
    image = Image.fromarray(pixels)
    png, bmp = folder / "first.png", folder / "second.bmp"
    image.save(png)
    image.save(bmp)
    return png, bmp


def test_migration_adds_forms_to_a_fresh_and_an_existing_archive(archive_path: Path) -> None:
    fresh = open_archive(archive_path.with_name("fresh.db"))
    assert "forms" in inspect(fresh.engine).get_table_names()
    assert "template" in {c["name"] for c in inspect(fresh.engine).get_columns("pages")}
    old_archive(archive_path, "0006",
                "insert into scans (sha256, path, size, status, added_at) "
                "values ('ab', '/s/1.png', 10, 'stored', '2026-01-01')",
                "insert into pages (scan_id, number, width, height, engine, status) "
                "values (1, 1, 10, 10, 'x', 'no form')")
    archive = open_archive(archive_path)
    with archive.engine.connect() as c:
        assert c.execute(text("select version_num from alembic_version")).scalar() == "0012"
        assert c.execute(text("select template from pages")).one() == (None,)
        assert c.execute(text("select count(*) from forms")).scalar() == 0
    assert [f.source for f in list_forms(archive)] == ["built-in", "built-in"]


@pytest.mark.slow
def test_learn_a_form_then_the_next_page_of_its_printing_is_read_by_it(
        archive_path: Path, printing: tuple[Path, Path], capsys) -> None:
    png, bmp = printing
    archive = open_archive(archive_path)
    assert [o.status for o in process_paths([png], archive)] == ["stored"]
    with archive.session() as s:
        page = s.scalars(select(Page)).one()
        assert page.template is None and page.status == "read"  # read by its labels
        first = page.id
    assert find_page(archive, f"{png}:1") == first == find_page(archive, str(png))
    info = learn(archive, first, "京畿 combined 1")
    assert info.kind == "土地臺帳" and info.fields >= 8 and info.source == "learnt"
    assert [t.name for t in templates(archive)][-1] == "京畿 combined 1"
    with archive.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "form.learn")).one()
        assert entry.subject == "京畿 combined 1" and entry.detail["page"] == first
        assert s.scalars(select(Form)).one().created_by == "tester"

    assert [o.status for o in process_paths([bmp], archive)] == ["stored"]
    with archive.session() as s:
        second = s.scalars(select(Page).join(Scan).where(Scan.path.like("%second.bmp"))).one()
        assert second.template == "京畿 combined 1" and second.form == "土地臺帳"
        assert second.parcel is not None
        record = second.parcel.record
    assert record["owners"] and record["location"]
    counts = {f.name: f.pages for f in list_forms(archive)}
    assert counts["京畿 combined 1"] == 1

    # the command line: learning again under a new name, then the list as JSON
    assert main(["forms", "learn", str(first), "--name", "combined again",
                 "--db", str(archive_path)]) == 0
    assert "combined again" in capsys.readouterr().out
    assert main(["forms", "list", "--json", "--db", str(archive_path)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    by_name = {r["name"]: r for r in rows}
    assert by_name["京畿 combined 1"]["pages"] == 1 and by_name["京畿 combined 1"]["page"] == first
    assert by_name["combined again"]["source"] == "learnt"
    assert by_name["土地臺帳"]["source"] == "built-in"
    assert main(["forms", "list", "--db", str(archive_path)]) == 0
    assert "京畿 combined 1  土地臺帳  learnt" in capsys.readouterr().out


def test_learn_refuses_clearly(archive_path: Path, capsys) -> None:
    archive = open_archive(archive_path)
    with pytest.raises(FormError, match="no page 7"):
        learn(archive, 7, "x")
    with pytest.raises(FormError, match="built-in"):
        learn(archive, 1, "土地臺帳")
    with pytest.raises(FormError, match="1 to 64"):
        learn(archive, 1, " ")
    with archive.session() as s, s.begin():
        s.add(Form(name="taken", kind="土地臺帳", template={"cells": []}, created_by="x"))
    with pytest.raises(FormError, match="exists already"):
        learn(archive, 1, "taken")
    with acting_as(Principal("desk1", "desk")), pytest.raises(PermissionDenied):
        learn(archive, 1, "y")
    assert main(["forms", "learn", "3", "--name", "z", "--db", str(archive_path)]) == 2
    assert "no page 3" in capsys.readouterr().err
    assert main(["forms", "learn", "--db", str(archive_path)]) == 2
    assert main(["forms", "learn", "/no/such.png:2", "--name", "z",
                 "--db", str(archive_path)]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.slow
def test_a_page_with_no_table_cannot_be_a_form(archive_path: Path, tmp_path: Path) -> None:
    blank = tmp_path / "blank.png"
    Image.new("RGB", (1200, 1600), "white").save(blank)
    archive = open_archive(archive_path)
    process_paths([blank], archive)
    with archive.session() as s:
        page_id = s.scalars(select(Page.id)).one()
    with pytest.raises(FormError, match=f"page {page_id}"):
        learn(archive, page_id, "blank")
