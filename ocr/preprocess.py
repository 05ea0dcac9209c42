"""Cleaning a scan before reading it: orientation, border, skew, paper, red seals.

Every step is geometric or photometric, never destructive of the original: the result
carries the 3×3 matrix from original scan pixels to prepared pixels, so any box found
later maps back onto the scan the clerk sees (`Prepared.to_original`).

The ink image is the scan's red channel, evened out against its own background. In the
red channel a red seal or a red strike (朱抹) is nearly as light as the paper (and pure
red is set to paper), so the black ink beneath reads through; the red itself is kept apart in `red`, because a red
stroke through an entry means "crossed out", which is history to record, not noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MAX_SKEW = 4.0  # degrees searched either way
SKEW_INK = (150, 235)  # the reduced page's ink level, kept within these
RED_ALONE = 178  # red this light against its paper (0.7 of it, in the red channel) hides no ink
STRIKE_REACH = 10  # pixels: ink this near on both sides of a red stroke runs on beneath it…
STRIKE_FRINGE = 3  # …beyond its fringe, this many pixels either side of the pure red


@dataclass(frozen=True)
class Prepared:
    ink: np.ndarray  # uint8 grey, paper ~255, ink dark, red suppressed
    red: np.ndarray  # bool, red seal and strike pixels
    matrix: np.ndarray  # 3×3, original scan pixels → prepared pixels
    quarter_turns: int  # clockwise quarter turns applied
    skew: float  # degrees of rotation applied to straighten the page

    def to_original(self, points: np.ndarray) -> np.ndarray:
        """Maps (N, 2) prepared-pixel points back to original scan pixels."""
        inverse = np.linalg.inv(self.matrix)
        pts = np.hstack([np.asarray(points, dtype=np.float64), np.ones((len(points), 1))])
        return (pts @ inverse.T)[:, :2]


def quarter_turn_matrix(turns: int, w: int, h: int) -> np.ndarray:
    """Clockwise quarter turns of a w×h image as a 3×3 matrix on pixel coordinates."""
    turns %= 4
    if turns == 0:
        return np.eye(3)
    if turns == 1:
        return np.array([[0, -1, h - 1], [1, 0, 0], [0, 0, 1]], dtype=np.float64)
    if turns == 2:
        return np.array([[-1, 0, w - 1], [0, -1, h - 1], [0, 0, 1]], dtype=np.float64)
    return np.array([[0, 1, 0], [-1, 0, w - 1], [0, 0, 1]], dtype=np.float64)


def turned_box(box: tuple[int, int, int, int], turns: int, w: int, h: int
               ) -> tuple[int, int, int, int]:
    """A box (x0, y0, x1, y1, ends exclusive) of a w×h image, the image turned `turns`
    quarters clockwise: the pixels it holds are the same pixels turned."""
    x0, y0, x1, y1 = box
    turns %= 4
    if turns == 1:
        return h - y1, x0, h - y0, x1
    if turns == 2:
        return w - x1, h - y1, w - x0, h - y0
    if turns == 3:
        return y0, w - x1, y1, w - x0
    return box


def rotate_quarters(image: np.ndarray, turns: int) -> np.ndarray:
    turns %= 4
    codes = {1: cv2.ROTATE_90_CLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return image if turns == 0 else cv2.rotate(image, codes[turns])


def _paper_box(grey: np.ndarray) -> tuple[int, int, int, int]:
    """The sheet inside a scanner's dark border: rows and columns mostly (over half)
    light, counted rather than by a median, which sorts every row of the page."""
    light = grey > 90
    rows = np.flatnonzero(np.count_nonzero(light, axis=1) * 2 > grey.shape[1])
    cols = np.flatnonzero(np.count_nonzero(light, axis=0) * 2 > grey.shape[0])
    if len(rows) < grey.shape[0] // 2 or len(cols) < grey.shape[1] // 2:
        return 0, 0, grey.shape[1], grey.shape[0]
    inset = 4  # step inside the edge, where border and paper blur into a rule-like line
    return (int(cols[0]) + inset, int(rows[0]) + inset,
            int(cols[-1]) + 1 - inset, int(rows[-1]) + 1 - inset)


def _even_out(grey: np.ndarray) -> np.ndarray:
    """Divides by a smooth estimate of the paper so stains and yellowing vanish."""
    h, w = grey.shape
    small = cv2.resize(grey, (max(1, w // 8), max(1, h // 8)), interpolation=cv2.INTER_AREA)
    paper = cv2.dilate(small, np.ones((7, 7), np.uint8))  # ink is thinner than 56 px
    paper = cv2.medianBlur(paper, 9)
    paper = cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    return np.clip(grey.astype(np.float32) / np.maximum(paper, 1) * 255, 0, 255).astype(np.uint8)


def _bridged(ink: np.ndarray, gone: np.ndarray) -> np.ndarray:
    """`ink` with the `gone` pixels (pure red) set to paper, except where writing runs on
    both sides of them: an opaque red stroke drawn through a name hides the ink beneath,
    and set to paper it would leave a clean empty row across the whole name, which
    parts it into two lines that read as nothing. Ink on both sides (above and below,
    or left and right) within `STRIKE_REACH`, darker than pure red would be, is joined
    across the stroke; the grain of the paper around a seal's ring is not, nor the
    stroke's own dark fringe (which, taken for writing on both sides, drew a dark line
    through the whole name, and a line that long was taken out as a rule)."""
    ink = ink.copy()
    ink[gone] = 255
    ys, xs = np.nonzero(gone)
    if not len(ys):
        return ink
    pad = STRIKE_REACH
    y0, y1 = max(0, ys.min() - pad), ys.max() + pad + 1
    x0, x1 = max(0, xs.min() - pad), xs.max() + pad + 1
    area, hidden = ink[y0:y1, x0:x1], gone[y0:y1, x0:x1]
    # The stroke's own dark fringe (red blurred into the paper) is no writing beside it.
    sides = area.copy()
    sides[cv2.dilate(hidden.view(np.uint8), np.ones((3, 3), np.uint8),
                     iterations=STRIKE_FRINGE) > 0] = 255
    down, across = np.ones((pad, 1), np.uint8), np.ones((1, pad), np.uint8)
    above, below = cv2.erode(sides, down, anchor=(0, pad - 1)), cv2.erode(sides, down, anchor=(0, 0))
    left, right = cv2.erode(sides, across, anchor=(pad - 1, 0)), cv2.erode(sides, across, anchor=(0, 0))
    joined = np.minimum(np.maximum(above, below), np.maximum(left, right))
    beneath = hidden & (joined <= RED_ALONE)
    area[beneath] = joined[beneath]
    return ink


def estimate_skew(ink: np.ndarray) -> float:
    """The rotation (degrees) that makes the printed rules horizontal: the angle whose
    row profile of ink is sharpest, searched coarse then fine on a reduced page. Ink is
    what is darker than the reduced page's own Otsu level: on a faded card a fixed grey
    keeps only a few dark characters, whose rows say little, and the card is left
    askew (or turned further), its rules then no grid."""
    h, w = ink.shape
    scale = 800 / max(h, w)
    small = cv2.resize(ink, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
    level, _ = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    dark = (small < np.clip(level, *SKEW_INK)).astype(np.float32)
    centre = (dark.shape[1] / 2, dark.shape[0] / 2)

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rotated = cv2.warpAffine(dark, m, (dark.shape[1], dark.shape[0]))
        profile = rotated.sum(axis=1)
        return float((profile ** 2).sum())

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.25), key=sharpness)
    return float(max(np.arange(best - 0.25, best + 0.25 + 1e-9, 0.05), key=sharpness))


def prepare(rgb: np.ndarray, quarter_turns: int | None = None) -> Prepared:
    """Straightens and cleans an RGB scan. Landscape scans of these portrait cards are
    turned a quarter clockwise unless `quarter_turns` says otherwise; whether a page is
    upside down is decided by the layout, which knows where the title belongs."""
    h, w = rgb.shape[:2]
    turns = (1 if w > h else 0) if quarter_turns is None else quarter_turns % 4
    matrix = quarter_turn_matrix(turns, w, h)
    image = rotate_quarters(rgb, turns)

    x0, y0, x1, y1 = _paper_box(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY))
    image = image[y0:y1, x0:x1]
    matrix = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], dtype=np.float64) @ matrix

    r = image[..., 0].astype(np.int16)
    gb = np.maximum(image[..., 1], image[..., 2]).astype(np.int16)
    red = (r - gb > 45) & (r > 110)
    ink = _even_out(image[..., 0])
    # Pure red (no ink beneath) goes to paper; red over ink stays dark enough to read.
    # Measured against the paper: on a darkened card pure red is darker than on a fresh one.
    ink = _bridged(ink, red & (ink > RED_ALONE))

    skew = estimate_skew(ink)
    if abs(skew) > 0.02:
        ph, pw = ink.shape
        m = cv2.getRotationMatrix2D((pw / 2, ph / 2), skew, 1.0)
        ink = cv2.warpAffine(ink, m, (pw, ph), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_CONSTANT, borderValue=255)
        red = cv2.warpAffine(red.astype(np.uint8), m, (pw, ph), flags=cv2.INTER_NEAREST) > 0
        matrix = np.vstack([m, [0, 0, 1]]) @ matrix
    return Prepared(ink, red, matrix, turns, skew)


def turned(prepared: Prepared, turns: int) -> Prepared:
    """The same page turned `turns` quarters clockwise more: for a scan fed upside down or
    sideways, which only the writing on it reveals."""
    turns %= 4
    if turns == 0:
        return prepared
    h, w = prepared.ink.shape
    m = quarter_turn_matrix(turns, w, h)
    red = rotate_quarters(prepared.red.astype(np.uint8), turns) > 0
    return Prepared(rotate_quarters(prepared.ink, turns), red, m @ prepared.matrix,
                    (prepared.quarter_turns + turns) % 4, prepared.skew)
