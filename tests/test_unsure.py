"""What the recogniser was unsure of (ocr.unsure): decoded from its own scores, carried
with the text, turned into name variants that search indexes."""

from __future__ import annotations

import pickle
import random

import numpy as np
import pytest

from ocr.cells import CellReading
from ocr.unsure import ReadText, alternatives, unsure_of
from translit.fields import read_name

CHARS = ["<blank>", "金", "石", "乭", "伊", "右"]


def _steps(*rows: dict[str, float]) -> np.ndarray:
    probs = np.full((len(rows), len(CHARS)), 1e-4)
    for t, row in enumerate(rows):
        for ch, p in row.items():
            probs[t, CHARS.index(ch)] = p
    return probs


def test_ctc_decoding_keeps_the_runners_up_of_a_doubted_character() -> None:
    probs = _steps({"金": 0.99}, {"金": 0.98}, {"<blank>": 0.9}, {"石": 0.6, "乭": 0.3},
                   {"石": 0.5, "乭": 0.45, "右": 0.02}, {"<blank>": 0.99}, {"伊": 0.97})
    text, unsure = alternatives(probs, CHARS)
    assert text == "金石伊"
    # one run of two steps is one character; a class scores its best over the run
    assert unsure == ((1, (("乭", 0.45), ("右", 0.02))),)


def test_a_sure_reading_carries_nothing_and_an_edit_drops_the_doubts() -> None:
    assert alternatives(_steps({"金": 0.99}, {"伊": 0.999}), CHARS) == ("金伊", ())
    read = ReadText("金石伊", ((1, (("乭", 0.45),)),))
    assert read == "金石伊" and unsure_of(read) and not unsure_of(read[:2] + "伊")
    assert unsure_of(pickle.loads(pickle.dumps(read))) == read.unsure  # to batch workers


def test_a_name_read_with_a_doubt_makes_variants_read_as_names() -> None:
    read = ReadText("金石伊", ((1, (("乭", 0.45), ("右", 0.02))), (0, (("全", 0.2),))))
    field = read_name(CellReading("owners[0].name", read, 0.8, (), False, False, 3.0))
    assert field.hanja == "金石伊"
    assert [(v["hanja"], v["hangul"], v["at"]) for v in field.value["variants"]] == [
        ("金乭伊", "김돌이", 1), ("全石伊", "전석이", 0), ("金右伊", "김우이", 1)]
    # a name that no longer lines up with what was read keeps none
    spaced = ReadText(" 金石伊", ((2, (("乭", 0.45),)),))
    assert "variants" not in read_name(CellReading("x", spaced, 0.8, (), False, False, 3.0)).value


def test_a_sure_name_with_a_strong_runner_up_is_doubted_and_a_weak_one_is_not() -> None:
    """Read surely as a line, 羅書浩 still gave 壽 a good share of its middle character:
    one stroke makes another person, so the name goes to review. A faint runner-up, or
    only the simplified form of the character read, does not."""
    strong = ReadText("羅書浩", ((1, (("壽", 0.28),)),))
    field = read_name(CellReading("owners[0].name", strong, 0.97, (), False, False, 3.0))
    assert "may read 羅壽浩" in field.problems
    for unsure in (((1, (("壽", 0.05),)),), ((0, (("罗", 0.4),)),)):
        field = read_name(CellReading("owners[0].name", ReadText("羅書浩", unsure), 0.97, (),
                                      False, False, 3.0))
        assert not field.problems


@pytest.mark.slow
def test_the_shipped_recogniser_says_what_it_doubted() -> None:
    """Real crops, drawn small and blurred: the default engine's text carries runners-up
    for the characters it doubted, at positions of the text, never the character read."""
    import cv2
    from PIL import Image

    from ocr.engine import get_engine
    from samples.render import write

    rng = random.Random(5)
    crops = []
    for name in ("姜鎭玉", "裵炳泰", "柳鎭奉", "洪基鎭", "沈禮鎭", "裵龍文", "具鎭承", "廉鎭吉"):
        page = Image.new("RGB", (90 * len(name) + 80, 150), (250, 249, 244))
        x0, y0, x1, y1 = write(page, name, (10, 10, page.width - 10, 140), rng, vertical=False,
                               hand=True, colour=(25, 25, 30))
        crop = np.asarray(page.crop((x0 - 6, y0 - 6, x1 + 6, y1 + 6)))
        crops.append(cv2.GaussianBlur(cv2.resize(crop, None, fx=0.3, fy=0.3,
                                                 interpolation=cv2.INTER_AREA), (3, 3), 0))
    doubted = [(text, unsure_of(text)) for text, _ in get_engine("rapidocr").recognize(crops)
               if unsure_of(text)]
    assert doubted
    for text, unsure in doubted:
        for at, others in unsure:
            assert 0 <= at < len(text) and others
            assert all(ch != text[at] and 0.01 <= p < 1 for ch, p in others)


def test_ink_longer_than_the_name_read_and_a_letter_in_it_are_kept_as_doubts() -> None:
    lost = read_name(CellReading("owners[0].name", "孫仁", 1.0, (), False, False, 3.3))
    assert lost.value.get("lost") and "characters may be missing" in lost.problems
    assert "lost" not in read_name(CellReading("x", "孫仁", 1.0, (), False, False, 2.1)).value
    assert read_name(CellReading("x", "白ā學", 0.7, (), False, False, 3.0)).value[
        "unreadable"] == [1]


def test_a_gap_read_as_a_space_is_not_part_of_the_name() -> None:
    field = read_name(CellReading("owners[0].name", "元 德善", 0.9, (), False, False, 3.0))
    assert (field.hanja, field.value["hangul"]) == ("元德善", "원덕선")
