"""Field reading on generated pages: this pipeline against the raw whole-page engine.

For every field type it prints exact-match accuracy and character error rate, for the
pipeline (prepare → layout → cells → register-aware fields) and for the raw engine of
bench/ocr_pages.py on the same pages in the same run; then seconds per page for each,
how often 畓 is read right, and what share of wrong fields the pipeline marked for
review. A third column answers whether reading cell by cell beats detecting over the
whole page: the raw engine's lines, placed into the same layout's cells and put through
the same field stage ("page+fields"). Pages come from a seed the committed samples do
not use.

    .venv/bin/python bench/reading.py --pages 210
    .venv/bin/python bench/reading.py --families --pages 24 --seed 4242
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rapidfuzz.distance import Levenshtein  # noqa: E402

from bench.scoring import kind_of, normalised, read_by_line, truth_fields  # noqa: E402
from ocr.cells import CellReading  # noqa: E402
from ocr.engine import get_engine  # noqa: E402
from ocr.layout import best_template, find_grid, load_templates, place_cells  # noqa: E402
from ocr.page import read_page  # noqa: E402
from ocr.preprocess import prepare  # noqa: E402
from ocr.records import TextLine  # noqa: E402
from samples.generator import make_page  # noqa: E402
from translit.fields import RegisterRecord, build_record  # noqa: E402

LEVELS = ("none", "light", "heavy")
KINDS = ("location", "lot", "category", "area", "grade", "event date", "event",
         "owner date", "cause", "address", "name")


def whole_page_cells(pixels, lines: list[TextLine], templates) -> tuple[str, list[CellReading]]:  # noqa: ANN001
    """The whole-page engine's characters dealt into the layout's cells, by where they lie."""
    prepared = prepare(pixels)
    grid = find_grid(prepared.ink)
    template, _ = best_template(grid, templates)
    if template is None:
        return "", []
    cells = place_cells(template, grid.frame)
    found: dict[str, list[tuple[float, str, float]]] = defaultdict(list)
    for line in lines:
        quad = np.array(line.box, dtype=float)
        moved = (np.hstack([quad, np.ones((4, 1))]) @ prepared.matrix.T)[:, :2]
        x0, y0 = moved.min(axis=0)
        x1, y1 = moved.max(axis=0)
        vertical = (y1 - y0) > 1.5 * (x1 - x0)
        for k, ch in enumerate(line.text):
            t = (k + 0.5) / len(line.text)
            x, y = ((x0 + x1) / 2, y0 + t * (y1 - y0)) if vertical else (x0 + t * (x1 - x0), (y0 + y1) / 2)
            for cell in cells:
                cx0, cy0, cx1, cy1 = cell.rect
                if cx0 <= x <= cx1 and cy0 <= y <= cy1:
                    found[cell.field].append((y if cell.vertical else x, ch, line.confidence))
                    break
    readings = []
    for cell in cells:
        chars = sorted(found.get(cell.field, []))
        if chars:
            text = "".join(ch for _, ch, _ in chars)
            conf = min(c for *_, c in chars)
            readings.append(CellReading(cell.field, text, conf, (), cell.vertical, False, len(text)))
    return template.name, readings


def record_fields(record: RegisterRecord) -> dict[str, dict[str, Any]]:
    return {path: {"hanja": f.hanja, **f.value, "flagged": bool(f.problems)}
            for path, f in record.fields()}


class Tally:
    def __init__(self) -> None:
        self.right: dict[str, int] = defaultdict(int)
        self.total: dict[str, int] = defaultdict(int)
        self.errors: dict[str, int] = defaultdict(int)
        self.chars: dict[str, int] = defaultdict(int)

    def add(self, kind: str, right: bool, hypothesis: str, reference: str) -> None:
        self.total[kind] += 1
        self.right[kind] += right
        self.errors[kind] += Levenshtein.distance(hypothesis, reference)
        self.chars[kind] += len(reference)

    def accuracy(self, kinds: tuple[str, ...] | None = None) -> float:
        ks = kinds or tuple(self.total)
        return sum(self.right[k] for k in ks) / max(1, sum(self.total[k] for k in ks))

    def cer(self, kinds: tuple[str, ...] | None = None) -> float:
        ks = kinds or tuple(self.total)
        return sum(self.errors[k] for k in ks) / max(1, sum(self.chars[k] for k in ks))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=210)
    parser.add_argument("--seed", type=int, default=31337)
    parser.add_argument("--engine", default="rapidocr")
    parser.add_argument("--show-errors", action="store_true", help="print each wrong field")
    parser.add_argument("--binarise", action="store_true",
                        help="let the pipeline's recogniser see binarised cells")
    parser.add_argument("--families", action="store_true",
                        help="each layout family read without its templates (bench/families.py)")
    parser.add_argument("--hand", choices=["font", "varied"], default=None,
                        help="varied: each glyph bent, weighted and inked anew, the brush "
                             "drying along a line (samples/hand.py; TOJI_SAMPLE_HAND)")
    args = parser.parse_args()
    if args.hand:
        os.environ["TOJI_SAMPLE_HAND"] = args.hand
    if args.families:
        from bench.families import run

        run(args.pages, args.seed, args.show_errors)
        return

    engine = get_engine(args.engine)
    templates = load_templates()
    pipeline, raw, page_fields = Tally(), Tally(), Tally()
    by_level = {level: Tally() for level in LEVELS}
    seconds = {"pipeline": 0.0, "raw": 0.0}
    wrong = flagged_wrong = flagged_right = right_total = 0
    paddy = paddy_right = 0
    read_right: dict[str, int] = defaultdict(int)  # Korean reading equal to the truth's
    read_total: dict[str, int] = defaultdict(int)
    for index in range(args.pages):
        level = LEVELS[index % len(LEVELS)]
        pixels, truth = make_page(args.seed, index, "mixed", level)

        t = time.perf_counter()
        reading = read_page(pixels, engine, templates, binarise=args.binarise)
        record = build_record(reading.form or "", reading.cells)
        seconds["pipeline"] += time.perf_counter() - t
        t = time.perf_counter()
        raw_lines = engine.read(pixels)
        seconds["raw"] += time.perf_counter() - t

        got = record_fields(record)
        form, cells = whole_page_cells(pixels, raw_lines, templates)
        from_page = record_fields(build_record(form, cells))
        raw_text, _ = read_by_line(raw_lines, truth)
        line_of = {line["field"]: i for i, line in enumerate(truth["lines"]) if line["field"]}
        for path, expected in truth_fields(truth).items():
            kind = kind_of(path)
            field = got.get(path, {})
            ok = bool(field) and normalised(kind, field) == normalised(kind, expected)
            pipeline.add(kind, ok, field.get("hanja", ""), expected["hanja"])
            by_level[level].add(kind, ok, field.get("hanja", ""), expected["hanja"])
            other = from_page.get(path, {})
            page_fields.add(kind, bool(other) and normalised(kind, other) == normalised(kind, expected),
                            other.get("hanja", ""), expected["hanja"])
            raw_hypothesis = raw_text.get(line_of.get(path, -1), "")
            raw.add(kind, raw_hypothesis == expected["hanja"], raw_hypothesis, expected["hanja"])
            if ok:
                right_total += 1
                flagged_right += field.get("flagged", False)
            else:
                wrong += 1
                flagged_wrong += field.get("flagged", False)
                if args.show_errors:
                    print(f"  {level:5} p{index} {path}: read {field.get('hanja')!r} "
                          f"({normalised(kind, field) if field else None}) want "
                          f"{expected['hanja']!r} ({normalised(kind, expected)})"
                          f"{' [flagged]' if field.get('flagged') else ''}")
            if ok and kind != "lot":  # the truth writes lots' readings another way
                read_total[kind] += 1
                read_right[kind] += field.get("hangul") == expected["hangul"]
            if kind == "category" and expected["hanja"] == "畓":
                paddy += 1
                paddy_right += ok

    n = args.pages
    print(f"{n} pages (seed {args.seed}), engine {args.engine}"
          f"{', binarised cells' if args.binarise else ''}")
    print(f"{'field':12} {'exact pipe':>10} {'page+fields':>11} {'exact raw':>9} {'CER pipe':>9} "
          f"{'CER raw':>8} {'count':>6}")
    per_field = {}
    for kind in KINDS:
        if not pipeline.total[kind]:
            continue
        per_field[kind] = {"exact": round(pipeline.accuracy((kind,)), 4),
                           "exact_page_fields": round(page_fields.accuracy((kind,)), 4),
                           "exact_raw": round(raw.accuracy((kind,)), 4),
                           "cer": round(pipeline.cer((kind,)), 4),
                           "cer_raw": round(raw.cer((kind,)), 4),
                           "count": pipeline.total[kind]}
        f = per_field[kind]
        print(f"{kind:12} {f['exact']:10.4f} {f['exact_page_fields']:11.4f} {f['exact_raw']:9.4f} "
              f"{f['cer']:9.4f} {f['cer_raw']:8.4f} {f['count']:6d}")
    print(f"{'all':12} {pipeline.accuracy():10.4f} {page_fields.accuracy():11.4f} "
          f"{raw.accuracy():9.4f} {pipeline.cer():9.4f} {raw.cer():8.4f} "
          f"{sum(pipeline.total.values()):6d}")
    levels = {level: round(t.accuracy(), 4) for level, t in by_level.items()}
    print("exact match by level (pipeline): " + ", ".join(f"{k} {v:.4f}" for k, v in levels.items()))
    sp = {k: v / n for k, v in seconds.items()}
    print(f"seconds per page: pipeline {sp['pipeline']:.3f}, raw engine {sp['raw']:.3f} "
          f"(ratio {sp['pipeline'] / sp['raw']:.2f})")
    print(f"畓 read right: {paddy_right}/{paddy}")
    reading_share = sum(read_right.values()) / max(1, sum(read_total.values()))
    misread = {k: read_total[k] - read_right[k] for k in read_total if read_right[k] < read_total[k]}
    print(f"Korean reading equal to the truth's, on fields read right: {reading_share:.4f}"
          + (f" (differing: {misread})" if misread else ""))
    caught = flagged_wrong / max(1, wrong)
    false_alarms = flagged_right / max(1, right_total)
    print(f"wrong fields marked for review: {flagged_wrong}/{wrong} ({caught:.1%}); "
          f"right fields marked anyway: {flagged_right}/{right_total} ({false_alarms:.1%})")
    print(json.dumps({
        "bench": "reading", "pages": n, "seed": args.seed, "engine": args.engine,
        "binarise": args.binarise,
        "exact": round(pipeline.accuracy(), 4), "exact_raw": round(raw.accuracy(), 4),
        "exact_page_fields": round(page_fields.accuracy(), 4),
        "cer": round(pipeline.cer(), 4), "cer_raw": round(raw.cer(), 4),
        "exact_by_level": levels, "fields": per_field,
        "seconds_per_page": round(sp["pipeline"], 3), "seconds_per_page_raw": round(sp["raw"], 3),
        "paddy_right": paddy_right, "paddy": paddy, "hangul_right": round(reading_share, 4),
        "review_catch_rate": round(caught, 4), "review_false_alarm_rate": round(false_alarms, 4),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
