"""The command line's contract: verbs, exit codes, and clear words when set-up is missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from samples import fonts


def test_samples_verb_writes_pages_with_truth(tmp_path: Path, capsys) -> None:
    assert main(["samples", "--count", "2", "--out", str(tmp_path), "--seed", "4",
                 "--form", "land", "--degrade", "light"]) == 0
    images = capsys.readouterr().out.split()
    assert len(images) == 2
    for image in map(Path, images):
        data = json.loads(image.with_suffix(".json").read_text(encoding="utf-8"))
        assert data["form"] == "土地臺帳" and data["degrade"] == "light"
        assert data["file"] == image.name and data["lines"]


def test_missing_font_names_the_package(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(fonts, "FONT_DIRS", [])
    monkeypatch.setenv("TOJI_FONT_DIR", str(tmp_path))
    fonts.font.cache_clear()
    try:
        code = main(["samples", "--count", "1", "--out", str(tmp_path / "out")])
    finally:
        fonts.font.cache_clear()
    assert code == 2
    err = capsys.readouterr().err
    assert "font" in err and "is not installed" in err and "(apt-get install fonts-" in err


def test_unopenable_archive_and_empty_query(tmp_path: Path, capsys) -> None:
    assert main(["search", "金", "--db", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert main(["search", " ", "--db", str(tmp_path / "a.db")]) == 2
    assert "empty" in capsys.readouterr().err


def test_unknown_engine_is_a_clear_error(tmp_path: Path, capsys) -> None:
    page = tmp_path / "p.png"
    from PIL import Image

    Image.new("RGB", (50, 50), "white").save(page)
    assert main(["process", str(page), "--db", str(tmp_path / "a.db"), "--engine", "tesseract"]) == 2
    assert "unknown OCR engine 'tesseract'" in capsys.readouterr().err


def test_missing_verb_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2
