"""Both OCR backends behind the same interface, held to the same tests.

The PaddleOCR backend lives in .venv-paddle (`make paddle`, which `make test` runs).
Where that environment is missing the paddle cases are skipped, except under CI,
where a missing backend is a failure.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ocr.engine import EngineUnavailableError, RememberingEngine, get_engine
from ocr.page import read_page
from samples.fonts import font
from samples.generator import make_page
from translit.correct import register_forms
from translit.fields import build_record

pytestmark = pytest.mark.slow

LINES = ["京畿道高陽郡碧蹄面城石里", "大正五年三月拾日", "參百貳拾坪"]


@pytest.fixture(scope="module", params=["rapidocr", "paddle"])
def engine(request):
    try:
        return get_engine(request.param)
    except EngineUnavailableError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"{request.param} must run in CI: {exc}")
        pytest.skip(str(exc))


def _rendered(text: str, size: int = 56) -> np.ndarray:
    face = font("print").at(size)
    img = Image.new("RGB", (size * (len(text) + 2), size * 2), "white")
    ImageDraw.Draw(img).text((size, size // 2), text, font=face, fill="black")
    return np.asarray(img)


def test_read_finds_lines_with_boxes(engine) -> None:
    page = np.full((700, 1200, 3), 255, np.uint8)
    for i, text in enumerate(LINES):
        line = _rendered(text)
        page[60 + i * 200:60 + i * 200 + line.shape[0], 40:40 + line.shape[1]] = line
    lines = sorted(engine.read(page), key=lambda t: t.bbox[1])
    assert [register_forms(t.text) for t in lines] == LINES
    for i, t in enumerate(lines):
        x0, y0, x1, y1 = t.bbox
        assert x0 >= 30 and 30 + i * 200 <= y0 <= 200 + i * 200 and 0.5 <= t.confidence <= 1.0


def test_recognize_reads_crops_in_order(engine) -> None:
    results = engine.recognize([_rendered(t) for t in LINES])
    # both models answer simplified forms now and then (贰 for 貳): the registers' forms
    assert [register_forms(text) for text, _ in results] == LINES
    assert engine.recognize([]) == []


def test_a_crop_read_once_is_not_read_again(engine) -> None:
    """The remembering engine reads only crops it has not seen, and answers in order."""
    asked: list[int] = []

    class Counting:
        name = "counting"

        def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
            asked.append(len(crops))
            return engine.recognize(crops)

    a, b = _rendered("高陽郡"), _rendered("李文")
    remembering = RememberingEngine(Counting())
    first = remembering.recognize([a, b])
    assert remembering.recognize([b, a.copy(), b]) == [first[1], first[0], first[1]]
    assert asked == [2]
    assert remembering.recognize([np.ascontiguousarray(a[:, ::-1])])  # another crop is read
    assert asked == [2, 1]


def test_a_page_reads_into_a_record(engine) -> None:
    pixels, truth = make_page(5150, 0, "land", "light")
    reading = read_page(pixels, engine)
    record = build_record(reading.form, reading.cells)
    assert reading.form == truth["form"]
    assert record.lot.value["text"] == truth["fields"]["lot"]["text"]
    assert record.location.hanja == truth["fields"]["location"]["hanja"]
    assert record.category.hanja == truth["fields"]["category"]["hanja"]
    names = [o.name.hanja for o in record.owners]
    want = [o["name"]["hanja"] for o in truth["owners"]]
    assert sum(a == b for a, b in zip(names, want, strict=False)) >= len(want) - 1


def test_a_missing_paddle_environment_is_a_clear_error(tmp_path, monkeypatch) -> None:
    from ocr.paddle_engine import PaddleEngine

    monkeypatch.setenv("TOJI_PADDLE_PYTHON", str(tmp_path / "nowhere" / "python"))
    with pytest.raises(EngineUnavailableError, match="make paddle"):
        PaddleEngine()
