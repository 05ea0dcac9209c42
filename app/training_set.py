"""Clerk-confirmed lines as a PaddleOCR recognition training set, so an archive's own
corrections can fine-tune the recogniser (PaddleOCR's SimpleDataSet format).

Folder layout:
    images/<id>.png        one line crop each, upright, text running left to right
    train.txt, val.txt     "images/<id>.png<TAB>label" (about one line in ten to val)
    dict.txt               one character a line: the engine's own dictionary in its order,
                           then every label character it lacks (畓 …), so the trained head
                           keeps the pretrained rows and learns the new ones
A line is taken when a person confirmed or corrected its field; the label is the value
as the clerk established it, not what the machine read. The same lines (`confirmed_lines`,
cut as the reading pipeline cuts them) are what `toji train` learns from.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from sqlalchemy import select

from app.review import PATH, field_at
from app.scans import is_vertical, page_pixels
from db.archive import Archive
from db.models import Page, Parcel
from ocr.labels import match
from translit.correct import register_forms
from translit.reading import is_hanja
from translit.vocabulary import DITTO_MARKS

HEIGHT = 48  # PP-OCR recognisers read lines 48 pixels high
PAD = 0.08  # share of the line's height kept around it
SURE = 0.9  # a crop the engine read at least this confidently is kept as it read it


@dataclass(frozen=True)
class TrainingSet:
    lines: int
    train: int
    val: int
    new_characters: str


def line_crop(pixels: np.ndarray, quad: list[list[float]], vertical: bool) -> np.ndarray:
    """The quad cut out upright (perspective undone), padded, vertical lines turned a
    quarter to the left as the reading pipeline turns them, scaled to 48 pixels high."""
    src = np.array(quad, dtype=np.float32)
    width = max(np.linalg.norm(src[1] - src[0]), np.linalg.norm(src[2] - src[3]))
    height = max(np.linalg.norm(src[3] - src[0]), np.linalg.norm(src[2] - src[1]))
    pad = PAD * min(width, height)
    w, h = int(round(width + 2 * pad)), int(round(height + 2 * pad))
    dst = np.array([[pad, pad], [pad + width, pad], [pad + width, pad + height],
                    [pad, pad + height]], dtype=np.float32)
    crop = cv2.warpPerspective(pixels, cv2.getPerspectiveTransform(src, dst), (w, h),
                               flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    if vertical:
        crop = np.rot90(crop)
    scale = HEIGHT / crop.shape[0]
    return cv2.resize(crop, (max(1, round(crop.shape[1] * scale)), HEIGHT),
                      interpolation=cv2.INTER_AREA)


@dataclass(frozen=True)
class ConfirmedLine:
    """A line crop and the value a clerk established for it; `page` names its page
    (scan digest and number), so training can hold out whole pages."""

    page: str
    name: str
    image: np.ndarray  # as the recogniser was fed it: the ink image's grey, upright
    text: str
    kept: bool = False  # no clerk's value: a crop labelled as the engine that read it read it


def confirmed_lines(archive: Archive, kept: int = 0) -> list[ConfirmedLine]:
    """Every line whose field a person confirmed or corrected, labelled with the value as
    the clerk established it. A field read from more than one line (a value wrapped into
    the next) is left out: which part of the value each line holds is not known.

    The crop is the one the reading pipeline fed the recogniser: each page is read again
    by the engine that read it (the shipped one when that model is gone), every crop kept,
    and a line's crop is the one that read as the line's stored text. A model trained on
    colour cuts of the scan would be fed grey, cleaned ink at reading time and learn the
    wrong thing (measured: line CER fell 84% while the fields read got worse). A line
    whose crop cannot be found so (its text read by two crops, or by none) is cut from
    the scan at its box (`as_ink`).

    `kept`: up to that many other crops of each such page too (its printed labels first),
    labelled as the engine that read the page read them. Clerks confirm values, never the
    labels, nor the blank and stray crops a page is also cut into; a model trained on
    values alone forgets the rest (measured: 34 of 138 labels read otherwise, 年月日 as
    年月日四七; an address's 高 郡 里 read into cells holding none), and the fields read
    got worse while the values' CER fell by half."""
    from app.forms import templates

    found = []
    forms = templates(archive)  # the archive's forms, read once, as every page was read by them
    with archive.session() as session:
        query = select(Parcel).where(Parcel.current.is_not(None)).order_by(Parcel.id)
        for parcel in session.scalars(query):
            page = session.get(Page, parcel.page_id)
            rows = [row for row in page.lines if row.field and PATH.fullmatch(row.field)]
            counts = Counter(row.field for row in rows)
            wanted = []
            for row in rows:
                field = field_at(parcel.current, row.field)
                if counts[row.field] == 1 and field and field.get("confirmed") \
                        and field.get("hanja"):
                    label = taught(row.text, field_at(parcel.record, row.field), field["hanja"])
                    if label:
                        wanted.append((row, label))
            if not wanted:
                continue
            pixels = page_pixels(archive, page.scan, page.number)
            crops, others = _pipeline_crops(archive, page, pixels, forms)
            key = f"{page.scan.sha256[:8]}-p{page.number}"
            used = set()
            for row, label in wanted:
                crop = crops.get(row.text)
                used.add(id(crop))
                if crop is None:
                    cut = line_crop(pixels, row.box, is_vertical(row.box, label))
                    crop = as_ink(cut)
                found.append(ConfirmedLine(key, f"{key}-l{row.order}", crop, label))
            rest = [(crop, text) for crop, text in others if id(crop) not in used]
            found += [ConfirmedLine(key, f"{key}-kept{i}", crop, text, kept=True)
                      for i, (crop, text) in enumerate(rest[:kept])]
    return found


def taught(read: str, machine: dict | None, value: str) -> str | None:
    """What the crop of a line read as `read`, whose field a clerk confirmed as `value`,
    teaches: the value, a ditto mark, or nothing.

    A ditto mark stands for a value written above: the clerk confirms the value, the line
    shows 仝 or 〃. Taught as the value, the model read every 同 as an address (measured:
    高陽郡面里 for 仝 on held-out pages); so the line teaches the mark. The shipped model
    has no 〃 and reads one as kana, letters or digits (に, Il, 11); once fine-tuned it
    reads such a mark as 日 or 1, which say something, and the entry lost the value the
    mark repeated. So a mark the pipeline took as a ditto, and the clerk let stand, is
    taught as 〃 when it was read as no hanja, and as itself when read as a mark (whatever
    value the clerk gave it: the one above may have been misread). A line
    shorter or longer by more than half the value cannot show it (a piece of a wrapped
    value, or another cell's writing), nor can one read as no hanja at all."""
    mark, ditto = register_forms(read), bool((machine or {}).get("ditto"))
    if mark in DITTO_MARKS:
        return mark
    if not any(is_hanja(ch) for ch in read):
        return "〃" if ditto else None
    if ditto:
        return None
    return value if abs(len(read) - len(value)) <= max(2, len(value) // 2) else None


def as_ink(rgb: np.ndarray) -> np.ndarray:
    """An RGB cut as the pipeline's ink image has it: the red channel (red seals and
    strokes fade into the paper, black ink stays), as three equal channels."""
    return np.ascontiguousarray(np.dstack([rgb[..., 0]] * 3))


def _pipeline_crops(archive: Archive, page: Page, pixels: np.ndarray, forms: list,
                    ) -> tuple[dict[str, np.ndarray], list[tuple[np.ndarray, str]]]:
    """The page read again as it was read: each crop by the text it read as (only texts
    one crop alone read as), and every distinct crop the engine read with confidence,
    with its reading: printed labels first (one of each word, then the rest), then the
    others in a fixed shuffled order. A crop read as nothing, or unsurely, is not kept:
    taught to a model, "nothing" on faint writing became nothing on every faint value."""
    from app.ingest import PageImage
    from app.page_task import read_image
    from app.recognisers import page_engine
    from ocr.engine import RecordingEngine, get_engine

    recorder = RecordingEngine(get_engine(page_engine(archive, page.engine)))
    read_image(PageImage(page.number, pixels, page.dpi), recorder, forms)
    by_text: dict[str, dict[bytes, np.ndarray]] = {}
    sure: set[bytes] = set()
    for crop, text, confidence in recorder.read_crops:
        by_text.setdefault(text, {})[crop.tobytes()] = crop
        if text and confidence >= SURE:
            sure.add(crop.tobytes())
    unique = {text: next(iter(c.values())) for text, c in by_text.items() if len(c) == 1}
    every = [(crop, text) for text, c in by_text.items() for key, crop in c.items()
             if key in sure]
    every.sort(key=lambda ct: hashlib.sha256(ct[0].tobytes()[::97]).digest())
    labels = [(c, t) for c, t in every if match(t)]
    first = list({t: (c, t) for c, t in reversed(labels)}.values())  # one crop per word
    then = [(c, t) for c, t in labels if not any(c is f for f, _ in first)]
    others = [(c, t) for c, t in every if not match(t)]
    return unique, first + then + others


def export_training_set(archive: Archive, folder: Path, dictionary: list[str]) -> TrainingSet:
    """Writes the training set; `dictionary` is the engine's characters in model order."""
    images = folder / "images"
    images.mkdir(parents=True, exist_ok=True)
    train, val, labels = [], [], []
    for line in confirmed_lines(archive):
        name = line.name + ".png"
        scale = HEIGHT / line.image.shape[0]  # PaddleOCR's recognisers read 48-pixel lines
        crop = cv2.resize(line.image, (max(1, round(line.image.shape[1] * scale)), HEIGHT),
                          interpolation=cv2.INTER_AREA)
        cv2.imwrite(str(images / name), cv2.cvtColor(crop, cv2.COLOR_RGB2BGR))
        entry = f"images/{name}\t{line.text}"
        digest = hashlib.sha256(name.encode()).digest()[0]
        (val if digest < 26 else train).append(entry)  # ~10% to validation
        labels.append(line.text)
    known = set(dictionary)
    new = sorted({ch for label in labels for ch in label} - known)
    (folder / "dict.txt").write_text("\n".join(dictionary + new) + "\n", encoding="utf-8")
    for name, entries in (("train.txt", train), ("val.txt", val)):
        (folder / name).write_text("".join(e + "\n" for e in entries), encoding="utf-8")
    return TrainingSet(len(labels), len(train), len(val), "".join(new))
