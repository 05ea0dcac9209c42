"""Raw whole-page OCR on generated register pages: pages per minute and character error rate.

The baseline every later reading stage must beat. Pages come from a seed the committed
samples do not use; each is read once by the embedded engine, timed without generation.

    .venv/bin/python bench/ocr_pages.py --pages 30
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scoring import Score, score_page  # noqa: E402
from ocr.engine import get_engine  # noqa: E402
from samples.generator import make_page  # noqa: E402

LEVELS = ("none", "light", "heavy")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=30, help="pages in all, split over levels")
    parser.add_argument("--seed", type=int, default=90210)
    parser.add_argument("--engine", default="rapidocr")
    args = parser.parse_args()

    t0 = time.perf_counter()
    engine = get_engine(args.engine)
    load_s = time.perf_counter() - t0
    scores = {level: Score() for level in LEVELS}
    seconds = dict.fromkeys(LEVELS, 0.0)
    counts = dict.fromkeys(LEVELS, 0)
    for index in range(args.pages):
        level = LEVELS[index % len(LEVELS)]
        pixels, truth = make_page(args.seed, index, "mixed", level)
        t = time.perf_counter()
        read = engine.read(pixels)
        seconds[level] += time.perf_counter() - t
        counts[level] += 1
        scores[level].add(score_page(read, truth))

    total = Score()
    print(f"engine {args.engine}: model load {load_s:.2f} s; {args.pages} pages, seed {args.seed}")
    print(f"{'level':6} {'pages':>5} {'pages/min':>9} {'CER all':>8} {'CER hand':>8} {'CER print':>9}")
    figures: dict[str, dict[str, float]] = {}
    for level in LEVELS:
        s = scores[level]
        total.add(s)
        ppm = 60 * counts[level] / max(seconds[level], 1e-9)
        figures[level] = {"pages": counts[level], "pages_per_min": round(ppm, 2),
                          "cer": round(s.cer(), 4), "cer_hand": round(s.cer("hand"), 4),
                          "cer_print": round(s.cer("print"), 4)}
        print(f"{level:6} {counts[level]:5d} {ppm:9.1f} {s.cer():8.4f} {s.cer('hand'):8.4f} "
              f"{s.cer('print'):9.4f}")
    ppm_all = 60 * args.pages / sum(seconds.values())
    print(f"{'all':6} {args.pages:5d} {ppm_all:9.1f} {total.cer():8.4f} "
          f"{total.cer('hand'):8.4f} {total.cer('print'):9.4f}")
    print(json.dumps({"bench": "ocr_pages", "engine": args.engine, "pages": args.pages,
                      "seed": args.seed, "model_load_s": round(load_s, 3),
                      "pages_per_min": round(ppm_all, 2), "cer": round(total.cer(), 4),
                      "cer_hand": round(total.cer("hand"), 4),
                      "cer_print": round(total.cer("print"), 4), "levels": figures},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
