"""The per-page function every batch runs, in this process, in a pool worker or on a
Dask worker: one page of one scan file in, a plain picklable reading out.

A worker loads the OCR models once (`warm`) and keeps them for every page it is given.
Nothing here touches the database, except `read_and_store`, which a cluster worker
runs against a PostgreSQL archive so that it writes its own pages.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import ingest
from ocr.engine import OcrEngine, get_engine
from ocr.page import read_page
from translit.fields import build_record


@dataclass(frozen=True)
class PageReading:
    """What one page was read as: its size, form and lines, and the record made of them."""

    number: int
    width: int
    height: int
    dpi: int | None
    engine: str
    form: str | None
    skew: float
    lines: list[tuple[str, float, list[list[float]], str | None]]  # text, conf, box, field
    record: dict[str, Any] | None
    needs_review: bool


def warm(engine_name: str, threads: int | None = None) -> None:
    """A worker's start: share the cores fairly, then load the models once."""
    if threads:
        os.environ["TOJI_OCR_THREADS"] = str(threads)
        import cv2

        cv2.setNumThreads(1)
    get_engine(engine_name)


def read_image(image: ingest.PageImage, engine: OcrEngine) -> PageReading:
    """One decoded page read cell by cell (or whole, when no form fits)."""
    h, w = image.pixels.shape[:2]
    reading = read_page(image.pixels, engine)
    if reading.form is None:
        lines = [(line.text, line.confidence, [list(p) for p in line.box], None)
                 for line in reading.lines]
        return PageReading(image.number, w, h, image.dpi, engine.name, None,
                           round(reading.skew, 2), lines, None, True)
    lines = [(c.text, c.confidence, [list(p) for p in c.box], c.field) for c in reading.cells]
    record = build_record(reading.form, reading.cells)
    return PageReading(image.number, w, h, image.dpi, engine.name, reading.form,
                       round(reading.skew, 2), lines, record.as_json(), bool(record.review()))


def read_page_task(source: str, sha256: str, number: int, engine_name: str) -> PageReading:
    """Reads page `number` of the scan at `source`, which must still hash to `sha256`.
    Bad input raises ingest.ScanError naming the file."""
    path = Path(source)
    scan = ingest.load(path)
    if scan.sha256 != sha256:
        raise ingest.ScanError(path, "changed since it was registered (SHA-256 differs)")
    return read_image(ingest.page_image(scan, number), get_engine(engine_name))


@functools.cache
def _archive(url: str):  # noqa: ANN202 - db.archive.Archive, opened once per worker
    from db.archive import open_archive

    return open_archive(url)


def read_and_store(url: str, item_id: int, source: str, sha256: str, number: int,
                   engine_name: str) -> tuple[int, bool]:
    """A cluster worker's task on a PostgreSQL archive: read the page and store it itself.
    Returns (lines, needs review)."""
    from app.batch import store_page

    reading = read_page_task(source, sha256, number, engine_name)
    store_page(_archive(url), item_id, reading)
    return len(reading.lines), reading.needs_review
