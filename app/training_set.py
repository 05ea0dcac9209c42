"""Clerk-confirmed lines as a PaddleOCR recognition training set, so an archive's own
corrections can fine-tune the recogniser (PaddleOCR's SimpleDataSet format).

Folder layout:
    images/<id>.png        one line crop each, upright, text running left to right
    train.txt, val.txt     "images/<id>.png<TAB>label" (about one line in ten to val)
    dict.txt               one character a line: the engine's own dictionary in its order,
                           then every label character it lacks (畓 …), so the trained head
                           keeps the pretrained rows and learns the new ones
A line is taken when a person confirmed or corrected its field; the label is the value
as the clerk established it, not what the machine read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from sqlalchemy import select

from app.review import PATH, field_at
from app.scans import is_vertical, page_pixels
from db.archive import Archive
from db.models import Page, Parcel

HEIGHT = 48  # PP-OCR recognisers read lines 48 pixels high
PAD = 0.08  # share of the line's height kept around it


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


def export_training_set(archive: Archive, folder: Path, dictionary: list[str]) -> TrainingSet:
    """Writes the training set; `dictionary` is the engine's characters in model order."""
    images = folder / "images"
    images.mkdir(parents=True, exist_ok=True)
    train, val, labels = [], [], []
    with archive.session() as session:
        query = select(Parcel).where(Parcel.current.is_not(None)).order_by(Parcel.id)
        for parcel in session.scalars(query):
            page = session.get(Page, parcel.page_id)
            pixels = None
            for row in page.lines:
                field = field_at(parcel.current, row.field) \
                    if row.field and PATH.fullmatch(row.field) else None
                if not field or not field.get("confirmed") or not field.get("hanja"):
                    continue
                if pixels is None:
                    pixels = page_pixels(archive, page.scan, page.number)
                label = field["hanja"]
                crop = line_crop(pixels, row.box, is_vertical(row.box, label))
                name = f"{page.scan.sha256[:8]}-p{page.number}-l{row.order}.png"
                cv2.imwrite(str(images / name), cv2.cvtColor(crop, cv2.COLOR_RGB2BGR))
                entry = f"images/{name}\t{label}"
                digest = hashlib.sha256(name.encode()).digest()[0]
                (val if digest < 26 else train).append(entry)  # ~10% to validation
                labels.append(label)
    known = set(dictionary)
    new = sorted({ch for label in labels for ch in label} - known)
    (folder / "dict.txt").write_text("\n".join(dictionary + new) + "\n", encoding="utf-8")
    for name, entries in (("train.txt", train), ("val.txt", val)):
        (folder / name).write_text("".join(e + "\n" for e in entries), encoding="utf-8")
    return TrainingSet(len(labels), len(train), len(val), "".join(new))
