"""The benchmark's scorer: matches read characters to truth lines by place."""

from bench.scoring import score_page
from ocr.records import TextLine


def _line(text: str, x0: float, y0: float, x1: float, y1: float) -> TextLine:
    return TextLine(text, ((x0, y0), (x1, y0), (x1, y1), (x0, y1)), 0.9)


TRUTH = {"lines": [
    {"text": "所在", "box": [0, 0, 100, 50], "kind": "print", "vertical": False},
    {"text": "京畿道", "box": [120, 0, 270, 50], "kind": "hand", "vertical": False},
    {"text": "金本正一", "box": [400, 0, 450, 200], "kind": "hand", "vertical": True},
]}


def test_a_perfect_reading_scores_zero() -> None:
    read = [_line("所在", 0, 0, 100, 50), _line("京畿道", 120, 0, 270, 50),
            _line("金本正一", 400, 0, 450, 200)]
    score = score_page(read, TRUTH)
    assert score.cer() == 0 and score.chars == {"print": 2, "hand": 7}


def test_one_line_across_two_cells_is_split_by_place() -> None:
    score = score_page([_line("所在京畿道", 0, 0, 270, 50)], TRUTH)
    assert score.errors["print"] == 0 and score.errors["hand"] == 0 + 4  # name unread


def test_misreads_and_stray_characters_count() -> None:
    read = [_line("所在", 0, 0, 100, 50), _line("京幾道", 120, 0, 270, 50),
            _line("金本正一", 400, 0, 450, 200), _line("X", 900, 900, 950, 950)]
    score = score_page(read, TRUTH)
    assert score.errors["hand"] == 1 and score.inserted == 1
    assert score.cer() == 2 / 9 and score.cer("hand") == 1 / 7
