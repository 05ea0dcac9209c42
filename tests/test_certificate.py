"""Certificates: real PDFs read back with poppler and pdfium, signed, verified, tampered."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import cv2
import pytest
from PIL import Image
from sqlalchemy import select

from app import certificate, settings
from app.certificate import issue, payload
from app.certificate_check import verify_code, verify_file
from app.certificate_pdf import render
from app.cli import main
from app.fonts import FontMissingError, document_font
from app.ingest import ScanError
from app.review import correct_field
from app.scans import page_pixels
from app.search import QueryError
from db.models import AuditEntry, Parcel, Scan

pytestmark = pytest.mark.slow
LAND, FOREST = 1, 2


def _poppler(tool: str, *args: str) -> str:
    return subprocess.run([tool, *args], capture_output=True, text=True, check=True).stdout


def _record(archive, parcel_id: int) -> dict:
    with archive.session() as s:
        return s.get(Parcel, parcel_id).effective


def test_certificate_text_font_and_render(read_archive, tmp_path: Path) -> None:
    settings.put(read_archive, "office", "고양시청 민원봉사과")
    out = tmp_path / "cert.pdf"
    issued = issue(read_archive, LAND, out, actor="desk1", applicant="김철수 (손자)")
    record = _record(read_archive, LAND)
    text = _poppler("pdftotext", str(out), "-")
    squashed = "".join(text.split())
    assert "구토지대장열람확인서" in squashed
    assert record["location"]["hanja"] in squashed
    assert "".join(record["location"]["hangul"].split()) in squashed
    assert record["lot"]["text"] in text and record["lot"]["hanja"] in text
    assert "고양시청민원봉사과" in squashed and issued.number in text and issued.code in text
    fonts = _poppler("pdffonts", str(out)).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # all embedded
    assert any("Nanum" in line or "Un" in line for line in fonts)
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(out),
                    str(tmp_path / "page")], check=True)
    image = cv2.imread(str(tmp_path / "page.png"))
    assert image.shape[0] > image.shape[1]  # A4 portrait
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    height, width = grey.shape
    assert (grey[: height // 2] < 128).mean() > 0.01  # the title and the tables
    assert grey[height // 2:, : width // 2].mean() < 240  # the card as scanned


def test_qr_holds_number_and_code(read_archive, tmp_path: Path) -> None:
    out = tmp_path / "cert.pdf"
    issued = issue(read_archive, FOREST, out)
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(out), str(tmp_path / "page")],
                   check=True)
    decoded = [cv2.QRCodeDetector().detectAndDecode(cv2.imread(str(png)))[0]
               for png in sorted(tmp_path.glob("page*.png"))]
    assert payload(issued.number, issued.code) in decoded
    decoded = payload(issued.number, issued.code)
    assert verify_code(read_archive, decoded).ok


def test_verify_passes_then_fails_on_one_changed_byte(read_archive, tmp_path: Path) -> None:
    out = tmp_path / "cert.pdf"
    issue(read_archive, LAND, out)
    assert verify_file(read_archive, out).ok
    data = bytearray(out.read_bytes())
    for position in (len(data) // 2, len(data) // 3, 200):
        changed = tmp_path / f"changed-{position}.pdf"
        flipped = bytearray(data)
        flipped[position] ^= 0x01
        changed.write_bytes(bytes(flipped))
        result = verify_file(read_archive, changed)
        assert not result.ok, position
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(bytes(data[:100]))
    result = verify_file(read_archive, truncated)
    assert not result.ok and result.checks[0].detail


def test_verify_fails_when_one_word_is_changed(read_archive, tmp_path: Path) -> None:
    """A forger re-renders the certificate with another owner's name but the same number
    and code: the text no longer matches what was issued."""
    out = tmp_path / "cert.pdf"
    issued = issue(read_archive, LAND, out)
    forged = json.loads(json.dumps(issued.content))
    forged["owners"][-1][4] = "홍길동 (洪吉童)"
    with read_archive.session() as s:
        scan = s.scalars(select(Scan)).first()
    crop = Image.fromarray(page_pixels(read_archive, scan, 1))
    fake = tmp_path / "forged.pdf"
    qr = payload(issued.number, issued.code)
    fake.write_bytes(render(forged, issued.code, qr, crop, document_font(), qr))
    result = verify_file(read_archive, fake)
    assert not result.ok
    failed = {c.name for c in result.checks if not c.ok}
    assert failed == {"signature", "content", "file"}  # and the forger has no key to sign
    # and a content signed with another key is not this archive's code
    assert certificate.short_code(forged, b"another key") != issued.code


def test_verify_by_code_and_unknown_codes(read_archive, tmp_path: Path) -> None:
    issued = issue(read_archive, LAND, tmp_path / "cert.pdf")
    result = verify_code(read_archive, issued.code.lower().replace("-", " "))
    assert result.ok and result.number == issued.number
    assert result.content["land"] == issued.content["land"]
    assert not verify_code(read_archive, "AAAA-BBBB-CCCC").ok
    with pytest.raises(QueryError):
        verify_code(read_archive, "not a code")


def test_numbers_follow_and_certificates_are_audited(read_archive, tmp_path: Path) -> None:
    first = issue(read_archive, LAND, tmp_path / "a.pdf", actor="desk1", applicant="김철수")
    second = issue(read_archive, FOREST, tmp_path / "b.pdf", actor="desk2")
    assert first.number.endswith("000001") and second.number.endswith("000002")
    with read_archive.session() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "certificate")).all()
    assert [(r.actor, r.subject) for r in rows] == [("desk1", first.number),
                                                    ("desk2", second.number)]
    assert rows[0].detail["applicant"] == "김철수" and rows[0].detail["owners"]


def test_final_owner_only_and_confirmed_fields(read_archive, tmp_path: Path) -> None:
    record = _record(read_archive, LAND)
    correct_field(read_archive, LAND, "lot", record["lot"]["hanja"], actor="clerk-lee")
    issued = issue(read_archive, LAND, tmp_path / "c.pdf", final_only=True)
    assert len(issued.content["owners"]) == 1
    assert issued.content["owners"][0][0] == str(len(record["owners"]))
    lot_row = next(r for r in issued.content["land"] if r[0] == "지번")
    area_row = next(r for r in issued.content["land"] if r[0] == "면적")
    assert lot_row[2] == "확인 (clerk-lee)" and area_row[2].startswith("기계 판독")
    assert "최종소유자만" in "".join(_poppler("pdftotext", str(tmp_path / "c.pdf"), "-").split())


def test_missing_scan_and_missing_font_say_what_is_wrong(read_archive, tmp_path: Path,
                                                          monkeypatch) -> None:
    with read_archive.session() as s:
        stored = read_archive.folder / s.scalars(select(Scan)).first().stored
    stored.unlink()
    with pytest.raises(ScanError, match=stored.name):
        issue(read_archive, LAND, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
    monkeypatch.setattr("app.fonts.CANDIDATES", [])
    monkeypatch.setattr("app.fonts._fontconfig", lambda: [])
    with pytest.raises(FontMissingError, match="fonts-nanum"):
        document_font()
    with pytest.raises(FontMissingError, match="lacks"):
        document_font("/usr/share/fonts/truetype/nanum/NanumMyeongjo.ttf")


def test_cli_certificate_verify_and_settings(read_archive, tmp_path: Path, capsys) -> None:
    db = str(read_archive.folder / "toji.db")
    assert main(["settings", "office", "고양시청", "--db", db]) == 0
    assert "office = 고양시청" in capsys.readouterr().out
    # One number for a parcel: the one `toji export` writes issues its certificate, and
    # `toji search` prints the same.
    assert main(["export", "--db", db]) == 0
    exported = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    owner = _record(read_archive, FOREST)["owners"][-1]["name"]["hanja"]
    forest = next(p["id"] for p in exported if p["owners"][-1]["name"]["hanja"] == owner)
    out = tmp_path / "cli.pdf"
    assert main(["certificate", "--db", db, "--parcel", forest, "-o", str(out), "--json"]) == 0
    issued = json.loads(capsys.readouterr().out)
    assert out.exists() and issued["parcel"] == forest
    assert main(["search", "--db", db, "--name", owner, "--json"]) == 0
    found = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert forest in {hit["parcel"] for hit in found}
    assert main(["verify", str(out), "--db", db]) == 0
    assert main(["verify", issued["code"], "--db", db]) == 0
    assert "소재지" in capsys.readouterr().out
    out.write_bytes(out.read_bytes().replace(b"/Producer", b"/Producex"))
    assert main(["verify", str(out), "--db", db]) == 1
    assert main(["certificate", "--db", db, "--parcel", "999", "-o", str(out)]) == 2
    assert "no parcel 999" in capsys.readouterr().err
    assert main(["certificate", "--db", db, "--parcel", "parcel six", "-o", str(out)]) == 2
    assert "'parcel six' is not a parcel number" in capsys.readouterr().err
    assert main(["certificate", "--db", db, "--parcel", "0123456789abcdef-1", "-o",
                 str(out)]) == 2
    assert "no parcel 0123456789abcdef-1" in capsys.readouterr().err
    assert main(["settings", "colour", "--db", db]) == 2


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_issue_and_verify_on_each_backend(backend: str, tmp_path: Path) -> None:
    """A shared archive on PostgreSQL issues and verifies as a SQLite one does (its scans
    stay where they were taken from)."""
    from app.process import process_paths
    from tests.conftest import SAMPLES, fresh_archive

    archive = fresh_archive(backend, tmp_path)
    [outcome] = process_paths([SAMPLES / "land_s2026_0003_none.png"], archive)
    assert outcome.status == "stored"
    with archive.session() as s:
        parcel_id = s.scalars(select(Parcel.id)).one()
    issued = issue(archive, parcel_id, tmp_path / "c.pdf", applicant="김철수")
    assert verify_file(archive, tmp_path / "c.pdf").ok
    assert verify_code(archive, issued.code).content == issued.content
    archive.engine.dispose()
