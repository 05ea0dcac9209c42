"""A hand no font draws alike: each written character bent, thickened or thinned, and
inked unevenly, so that a recogniser trained on some pages is measured on glyphs it has
never seen in that exact shape.

A font draws every 田 the same; a clerk does not. `varied()` is off by default (the pages
every other benchmark and test was measured on stay as they were) and on where
TOJI_SAMPLE_HAND=varied, as `bench/train.py` draws its pages. With it on, `draw_page`
also squeezes some entries between the rows (a later addition written small against
the rule above).
"""

from __future__ import annotations

import os
import random

import cv2
import numpy as np
from PIL import Image

SQUEEZED = 0.12  # share of entries written small against the rule above


def style() -> str:
    """The hand pages are drawn in: "font" (each glyph as its font draws it) or "varied"."""
    chosen = os.environ.get("TOJI_SAMPLE_HAND", "font")
    if chosen not in ("font", "varied"):
        raise ValueError(f"TOJI_SAMPLE_HAND={chosen!r}: choose font or varied")
    return chosen


def varied() -> bool:
    return style() == "varied"


def _smooth_field(rng: np.random.Generator, h: int, w: int, cells: int) -> np.ndarray:
    """Random values in [-1, 1] varying smoothly over an h×w image."""
    coarse = rng.uniform(-1, 1, (cells, cells)).astype(np.float32)
    return cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)


class Brush:
    """The ink a brush holds along one entry: full after a dip, drier with each
    character, dipped again when it runs low, so density drifts along the line rather
    than jumping from one character to the next."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.load = rng.uniform(0.85, 1.0)

    def next(self) -> float:
        density = self.load
        self.load -= self.rng.uniform(0.0, 0.06)
        if self.load < 0.68:
            self.load = self.rng.uniform(0.88, 1.0)
        return density


def character(mask: Image.Image, rng: random.Random, density: float = 1.0) -> Image.Image:
    """One glyph's ink mask as one hand wrote it this once: elastically bent (up to 6%
    of its size), its strokes a pixel thicker or thinner, inked at `density` (the
    brush's load), denser here and drier there within the character."""
    noise = np.random.default_rng(rng.getrandbits(32))
    ink = np.asarray(mask, dtype=np.float32) / 255.0
    pad = max(4, int(0.08 * max(ink.shape)))
    ink = np.pad(ink, pad)
    h, w = ink.shape
    amplitude = noise.uniform(0.02, 0.06) * max(h, w)
    dx = _smooth_field(noise, h, w, 4) * amplitude
    dy = _smooth_field(noise, h, w, 4) * amplitude
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    ink = cv2.remap(ink, xs + dx, ys + dy, cv2.INTER_LINEAR, borderValue=0)
    weight = noise.choice([-1, 0, 0, 0, 1])  # a pixel more or less of stroke
    if weight:
        ink = (cv2.dilate if weight > 0 else cv2.erode)(ink, np.ones((2, 2), np.uint8))
    ink = np.clip(ink * density * (0.88 + 0.12 * _smooth_field(noise, h, w, 3)), 0, 1)
    out = Image.fromarray((ink * 255).astype(np.uint8), "L")
    bbox = out.getbbox()
    return out.crop(bbox) if bbox else out
