"""Ages a clean page the way decades and a flatbed scanner do, from a seeded RNG.

Levels: "none" (as drawn), "light" (yellowed paper, faint noise and blur, skew within
±1°, JPEG), "heavy" (blotchy yellowing, faded and uneven ink, blur, noise, skew within
±3°, strong JPEG artefacts, dark scan borders). The geometric part is returned as a
2×3 affine matrix so every ground-truth box can follow its ink.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

LEVELS = ("none", "light", "heavy")


@dataclass(frozen=True)
class Ageing:
    paper_tint: float  # how far the paper goes toward old-paper yellow
    blotch: float  # amplitude of low-frequency staining
    fade: tuple[float, float]  # ink strength kept, min–max over the page
    blur: float  # Gaussian sigma in pixels
    noise: float  # Gaussian noise sigma, 0–255 scale
    skew: float  # maximum rotation, degrees
    jpeg: int | None  # JPEG quality, None for lossless
    border: tuple[int, int]  # dark scan border width range in pixels


AGEING = {
    "none": Ageing(0.0, 0.0, (1.0, 1.0), 0.0, 0.0, 0.0, None, (0, 0)),
    "light": Ageing(0.35, 0.03, (0.85, 1.0), 0.6, 4.0, 1.0, 88, (0, 0)),
    "heavy": Ageing(0.8, 0.10, (0.45, 0.9), 1.3, 9.0, 3.0, 45, (20, 70)),
}

OLD_PAPER = np.array([226, 208, 160], dtype=np.float32)


def _low_freq(rng: np.random.Generator, h: int, w: int, cells: int = 6) -> np.ndarray:
    """A smooth random field in [0, 1] (stains, uneven fading, uneven lighting)."""
    small = rng.random((cells, cells)).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1)


def age(page: Image.Image, level: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Returns the aged page (RGB uint8) and the 2×3 affine taking clean to aged coordinates."""
    if level not in AGEING:
        raise ValueError(f"unknown degradation {level!r}: choose one of {', '.join(LEVELS)}")
    a = AGEING[level]
    rng = np.random.default_rng(seed)
    img = np.asarray(page, dtype=np.float32)
    h, w = img.shape[:2]
    paper = img[0, 0].copy()
    matrix = np.array([[1, 0, 0], [0, 1, 0]], dtype=np.float64)
    if level == "none":
        return img.astype(np.uint8), matrix

    # Ink fades unevenly: pull every pixel toward the paper by a smooth random factor.
    strength = a.fade[0] + (a.fade[1] - a.fade[0]) * _low_freq(rng, h, w, 5)
    img = paper + (img - paper) * strength[..., None]
    # Paper yellows, with stains.
    tint = a.paper_tint * (0.8 + 0.2 * _low_freq(rng, h, w, 4))
    tinted_paper = paper + (OLD_PAPER - paper) * tint[..., None]
    img = img - paper + tinted_paper
    img -= 255 * a.blotch * _low_freq(rng, h, w, 9)[..., None]
    if a.blur:
        img = cv2.GaussianBlur(img, (0, 0), a.blur)
    img += rng.normal(0, a.noise, img.shape).astype(np.float32)
    img = img.clip(0, 255).astype(np.uint8)

    angle = float(rng.uniform(-a.skew, a.skew))
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    border_colour = tuple(int(v) for v in np.median(img[:50, :50].reshape(-1, 3), axis=0))
    img = cv2.warpAffine(img, matrix, (w, h), flags=cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=border_colour)
    if a.border[1]:
        # The scanner lid's dark frame around the sheet.
        b = [int(rng.integers(*a.border)) for _ in range(4)]
        img = cv2.copyMakeBorder(img, b[0], b[1], b[2], b[3], cv2.BORDER_CONSTANT,
                                 value=(30, 28, 26))
        img = cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)
        sx, sy = w / (w + b[2] + b[3]), h / (h + b[0] + b[1])
        shift = np.array([[sx, 0, b[2] * sx], [0, sy, b[0] * sy]])
        matrix = shift @ np.vstack([matrix, [0, 0, 1]])
    if a.jpeg:
        buf = io.BytesIO()
        Image.fromarray(img).save(buf, "JPEG", quality=a.jpeg)
        img = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    return img, matrix


def map_box(box: tuple[int, int, int, int], matrix: np.ndarray) -> tuple[list[list[int]], list[int]]:
    """The quad a clean box becomes under the affine, and that quad's enclosing box."""
    x0, y0, x1, y1 = box
    corners = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]], dtype=np.float64)
    quad = np.rint(corners @ matrix.T).astype(int)
    return quad.tolist(), [int(quad[:, 0].min()), int(quad[:, 1].min()),
                           int(quad[:, 0].max()), int(quad[:, 1].max())]
