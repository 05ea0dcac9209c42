"""Exports read back the way their users will: spreadsheets, PAGE-XML against the 2019
schema, searchable PDFs through poppler, and the training set through the recogniser."""

from __future__ import annotations

import csv
import importlib.metadata
import io
import os
import subprocess
from pathlib import Path

import cv2
import pytest
from sqlalchemy import select

from app.cli import main
from app.export import export_to
from app.review import correct_field
from db.models import AuditEntry, Parcel
from ocr.engine import get_engine

pytestmark = pytest.mark.slow
LAND, FOREST = 1, 2


def _record(archive, parcel_id: int) -> dict:
    with archive.session() as s:
        return s.get(Parcel, parcel_id).effective


def test_csv_has_a_bom_and_korean_columns(read_archive, tmp_path: Path) -> None:
    out = tmp_path / "parcels.csv"
    assert export_to(read_archive, "csv", out).startswith("2 parcel")
    data = out.read_bytes()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header, land = rows[0], rows[1]
    assert header[:4] == ["번호", "파일", "쪽", "대장"] and "최종 소유자(한자)" in header
    record = _record(read_archive, LAND)
    row = dict(zip(header, land, strict=True))
    assert row["소재지(한자)"] == record["location"]["hanja"]
    assert row["소재지"] == record["location"]["hangul"]
    assert row["최종 소유자(한자)"] == record["owners"][-1]["name"]["hanja"]
    assert row["지번"] == record["lot"]["text"]


def test_xlsx_has_parcels_and_owners_sheets(read_archive, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "parcels.xlsx"
    export_to(read_archive, "xlsx", out)
    book = load_workbook(out)
    assert book.sheetnames == ["필지", "소유자"]
    parcels, owners = book["필지"], book["소유자"]
    record = _record(read_archive, FOREST)
    values = [c.value for c in parcels[3]]
    assert record["location"]["hanja"] in values
    assert owners.max_row - 1 == len(_record(read_archive, LAND)["owners"]) + len(record["owners"])


def _page_schema():
    from lxml import etree

    try:
        xsd = importlib.metadata.distribution("ocrd-validators").locate_file(
            "ocrd_validators/page.xsd")
    except importlib.metadata.PackageNotFoundError:
        if os.environ.get("CI"):
            pytest.fail("ocrd-validators (the PAGE 2019 schema) must be installed in CI")
        pytest.skip("ocrd-validators not installed (make setup installs it)")
    return etree.XMLSchema(etree.parse(str(xsd)))


def test_page_xml_validates_against_the_2019_schema(read_archive, tmp_path: Path) -> None:
    from lxml import etree

    schema = _page_schema()
    assert export_to(read_archive, "page-xml", tmp_path / "page-out").startswith("2 page")
    documents = sorted((tmp_path / "page-out" / "page").glob("*.xml"))
    assert len(documents) == 2
    ns = {"pc": "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"}
    for path in documents:
        doc = etree.parse(str(path))
        assert schema.validate(doc), (path.name, schema.error_log)
        page = doc.find("pc:Page", ns)
        image = cv2.imread(str(tmp_path / "page-out" / page.get("imageFilename")))
        assert image.shape[:2] == (int(page.get("imageHeight")), int(page.get("imageWidth")))
    land = etree.parse(str(documents[0] if "land" in documents[0].name else documents[1]))
    lot = land.find(".//pc:TextRegion[@custom='structure {type:lot;} toji {field:lot;}']", ns)
    record = _record(read_archive, LAND)
    equivs = lot.findall("pc:TextEquiv/pc:Unicode", ns)
    assert [e.text for e in equivs] == [record["lot"]["hanja"], record["lot"]["hangul"]]
    assert lot.find("pc:TextLine/pc:TextEquiv/pc:Unicode", ns).text
    # a field a clerk confirmed says so
    correct_field(read_archive, LAND, "category", "畓", actor="clerk")
    export_to(read_archive, "page-xml", tmp_path / "again")
    again = next((tmp_path / "again" / "page").glob("*land*.xml")).read_text(encoding="utf-8")
    assert 'comments="confirmed"' in again and "<Unicode>畓</Unicode>" in again


def test_searchable_pdf_has_the_scan_and_text_over_each_line(read_archive,
                                                             tmp_path: Path) -> None:
    assert export_to(read_archive, "pdf", tmp_path / "pdf").startswith("2 scan")
    land = next((tmp_path / "pdf").glob("*land*.pdf"))
    images = subprocess.run(["pdfimages", "-list", str(land)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    assert len(images) == 1 and images[0].split()[3:5] == ["2244", "3189"]
    assert images[0].split()[8] == "jpeg"  # the JPEG scan as it was, not recompressed
    record = _record(read_archive, LAND)
    text = subprocess.run(["pdftotext", str(land), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert record["location"]["hanja"] in text and record["location"]["hangul"] in text
    # the text lies over the line it was read from (pdftotext crops in points at 72 dpi)
    box = record["lot"]["box"]
    x0, y0 = min(p[0] for p in box) * 72 / 300, min(p[1] for p in box) * 72 / 300
    x1, y1 = max(p[0] for p in box) * 72 / 300, max(p[1] for p in box) * 72 / 300
    inside = subprocess.run(
        ["pdftotext", "-x", str(int(x0)), "-y", str(int(y0)), "-W", str(int(x1 - x0) + 1),
         "-H", str(int(y1 - y0) + 1), str(land), "-"],
        capture_output=True, text=True, check=True).stdout
    assert record["lot"]["hanja"] in inside and record["location"]["hanja"] not in inside


def test_training_set_follows_paddleocr_format(read_archive, tmp_path: Path) -> None:
    record = _record(read_archive, LAND)
    correct_field(read_archive, LAND, "category", "畓", actor="clerk")
    correct_field(read_archive, LAND, "lot", record["lot"]["hanja"], actor="clerk")
    correct_field(read_archive, FOREST, "owners[0].name",
                  _record(read_archive, FOREST)["owners"][0]["name"]["hanja"], actor="clerk")
    folder = tmp_path / "train"
    summary = export_to(read_archive, "paddle", folder)
    assert summary.startswith("3 line")
    entries = [line.split("\t") for name in ("train.txt", "val.txt")
               for line in (folder / name).read_text(encoding="utf-8").splitlines()]
    assert sorted(label for _, label in entries) == sorted(
        ["畓", record["lot"]["hanja"],
         _record(read_archive, FOREST)["owners"][0]["name"]["hanja"]])
    characters = (folder / "dict.txt").read_text(encoding="utf-8").splitlines()
    engine = get_engine()
    assert characters[: len(engine.characters())] == engine.characters()
    assert characters[len(engine.characters()):] == ["畓"]  # the model's dictionary lacks it
    assert all(ch in characters for _, label in entries for ch in label)
    for path, label in entries:
        crop = cv2.cvtColor(cv2.imread(str(folder / path)), cv2.COLOR_BGR2RGB)
        assert crop.shape[0] == 48 and crop.shape[1] >= 24
        if label != "畓":  # upright and whole: the recogniser reads the label back
            assert engine.recognize([crop])[0][0] == label


def test_cli_exports_and_audit(read_archive, tmp_path: Path, capsys) -> None:
    db = str(read_archive.folder / "toji.db")
    assert main(["export", "--db", db, "--format", "csv"]) == 0
    assert "번호,파일" in capsys.readouterr().out
    assert main(["export", "--db", db, "--format", "xlsx"]) == 2
    assert "give --out" in capsys.readouterr().err
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert main(["export", "--db", db, "--format", "page-xml", "--out", str(blocker)]) == 2
    assert main(["export", "--db", db, "--format", "xlsx",
                 "--out", str(tmp_path / "missing" / "deeper" / "x.xlsx")]) == 2
    assert "cannot write" in capsys.readouterr().err
    with read_archive.session() as s:
        formats = [e.detail["format"] for e in s.scalars(
            select(AuditEntry).where(AuditEntry.action == "export"))]
    assert formats == ["csv"]
