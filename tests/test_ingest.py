"""Scans in every form a clerk will meet, and every way a file can be wrong."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app import ingest


def _page(tmp_path: Path, name: str = "page.png", mode: str = "RGB") -> Path:
    path = tmp_path / name
    Image.new(mode, (120, 80), "white" if mode != "1" else 1).save(path)
    return path


def _pages(path: Path) -> list[ingest.PageImage]:
    return ingest.pages_of(ingest.load(path))


def test_hash_identifies_the_bytes(tmp_path: Path) -> None:
    a = ingest.load(_page(tmp_path, "a.png"))
    b = ingest.load(_page(tmp_path, "b.png"))
    assert a.sha256 == b.sha256 and len(a.sha256) == 64


@pytest.mark.parametrize("mode", ["RGB", "L", "RGBA", "CMYK", "I;16", "1", "P"])
def test_every_colour_mode_becomes_rgb(tmp_path: Path, mode: str) -> None:
    suffix = ".tif" if mode in ("CMYK", "I;16") else ".png"
    [page] = _pages(_page(tmp_path, "p" + suffix, mode))
    assert page.pixels.shape == (80, 120, 3) and page.pixels.dtype == np.uint8


def test_multipage_tiff_and_pdf_give_each_page(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (100, 60), c) for c in ("white", "grey", "black")]
    tiff = tmp_path / "book.tiff"
    frames[0].save(tiff, save_all=True, append_images=frames[1:], dpi=(300, 300))
    pages = _pages(tiff)
    assert [p.number for p in pages] == [1, 2, 3] and pages[0].dpi == 300
    pdf = tmp_path / "book.pdf"
    frames[0].save(pdf, save_all=True, append_images=frames[1:2], resolution=72)
    assert [p.number for p in _pages(pdf)] == [1, 2]


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "empty file"),
    (b"just some text, not a scan", "unrecognised format"),
    (b"%PDF-1.4\n garbage that is no PDF", "PDF cannot be opened"),
])
def test_bad_bytes_get_a_named_reason(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.jpg"
    path.write_bytes(content)
    with pytest.raises(ingest.ScanError, match=reason) as info:
        _pages(path)
    assert str(path) in str(info.value)


def test_truncated_image_is_damaged(tmp_path: Path) -> None:
    good = tmp_path / "full.jpg"
    Image.effect_noise((400, 300), 60).convert("RGB").save(good, quality=90)
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(good.read_bytes()[:3000])
    with pytest.raises(ingest.ScanError, match="damaged image"):
        _pages(cut)


def test_decompression_bomb_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.png"
    Image.new("1", (40_000, 40_000)).save(bomb)
    with pytest.raises(ingest.ScanError, match="too large"):
        _pages(bomb)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ingest.ScanError, match="no such file"):
        ingest.load(tmp_path / "nowhere.png")
    with pytest.raises(ingest.ScanError, match="is a folder"):
        ingest.load(tmp_path)


def test_expand_walks_folders_for_scans_only(tmp_path: Path) -> None:
    sub = tmp_path / "묶음 1"
    sub.mkdir()
    for name in ("b.png", "a.JPG", "notes.txt"):
        (sub / name).write_bytes(b"x")
    assert [p.name for p in ingest.expand([tmp_path])] == ["a.JPG", "b.png"]
