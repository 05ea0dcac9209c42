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
from ocr.cells import CellReading
from ocr.engine import OcrEngine, get_engine
from ocr.layout import Template
from ocr.page import FOREST, LAND, read_page
from translit.assemble import assign, location_beyond
from translit.fields import build_record
from translit.vocabulary import FOREST_UNITS


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
    template: str | None = None  # the template the page was read by; None: by its labels


def warm(engine_name: str, threads: int | None = None) -> None:
    """A worker's start: share the cores fairly, then load the models once."""
    if threads:
        os.environ["TOJI_OCR_THREADS"] = str(threads)
        import cv2

        cv2.setNumThreads(1)
    get_engine(engine_name)


def read_image(image: ingest.PageImage, engine: OcrEngine,
               templates: list[Template] | None = None) -> PageReading:
    """One decoded page read by its template or its labels. A page that holds a value
    yields a record (marked for review when its form was not recognised); only a page
    with nothing on it to file yields none, and keeps its lines for the clerk."""
    h, w = image.pixels.shape[:2]
    reading = read_page(image.pixels, engine, templates)
    cells, others = location_beyond(assign(reading.cells, reading.understood), reading.others)
    lines = [(c.text, c.confidence, [list(p) for p in c.box], c.field or None)
             for c in [*cells, *others]]
    form = reading.form or (FOREST if _forest(cells) else LAND)
    record = build_record(form, cells, expect_all=reading.template is None) \
        if any(c.field for c in cells) else None
    needs_review = record is None or bool(record.review())
    page_form = reading.form if reading.understood else None
    return PageReading(image.number, w, h, image.dpi, engine.name, page_form,
                       round(reading.skew, 2), lines, record.as_json() if record else None,
                       needs_review, reading.template)


def _forest(cells: list[CellReading]) -> bool:
    """A card with no legible title is a forest card when its area is in 町反畝步."""
    units = set(FOREST_UNITS) | {"歩"}
    return any(c.field == "area" and units & set(c.text) for c in cells)


def _templates(forms: list[dict] | None) -> list[Template] | None:
    """The archive's templates as a worker receives them (plain JSON, which pickles); None
    for the built-in forms alone."""
    return None if forms is None else [Template.from_json(f) for f in forms]


def read_page_task(source: str, sha256: str, number: int, engine_name: str,
                   forms: list[dict] | None = None) -> PageReading:
    """Reads page `number` of the scan at `source`, which must still hash to `sha256`, by
    the templates `forms` (`app.forms.template_json`: built-in and learnt; None for the
    built-in ones). Bad input raises ingest.ScanError naming the file."""
    path = Path(source)
    scan = ingest.load(path)
    if scan.sha256 != sha256:
        raise ingest.ScanError(path, "changed since it was registered (SHA-256 differs)")
    return read_image(ingest.page_image(scan, number), get_engine(engine_name),
                      _templates(forms))


@functools.cache
def _archive(url: str):  # noqa: ANN202 - db.archive.Archive, opened once per worker
    from db.archive import open_archive

    return open_archive(url)


def read_and_store(url: str, item_id: int, source: str, sha256: str, number: int,
                   engine_name: str, forms: list[dict] | None = None) -> tuple[int, bool]:
    """A cluster worker's task on a PostgreSQL archive: read the page and store it itself.
    Returns (lines, needs review)."""
    from app.batch import store_page

    reading = read_page_task(source, sha256, number, engine_name, forms)
    store_page(_archive(url), item_id, reading)
    return len(reading.lines), reading.needs_review
