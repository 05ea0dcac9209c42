"""How fast hanja are read as Korean: words per second on one core, and dictionary load time.

Words are the values of generated register cards (names, places, dates, areas, lots,
categories, events: about 40 per card, 100 on a busy page), each read with its kind, as
`toji export` does. Load time is measured in fresh processes: once parsing libhangul's
text list (no cache), once from the compiled cache. Goals: 50,000 words/s, 0.5 s.

    .venv/bin/python bench/reading_speed.py --cards 500
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from samples.card import FOREST, LAND, draw_card  # noqa: E402
from translit import dictionary  # noqa: E402
from translit.reading import read_as  # noqa: E402

LOAD = "import time; t = time.perf_counter(); from translit import dictionary; dictionary.load(); print(time.perf_counter() - t)"


def load_seconds(cache_home: str) -> float:
    env = {**os.environ, "XDG_CACHE_HOME": cache_home}
    out = subprocess.run([sys.executable, "-c", LOAD], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    return float(out.strip())


def words(cards: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    for _ in range(cards):
        card = draw_card(rng, rng.choice([LAND, FOREST]), 4, 6)
        out += [(card.location.value.hanja, "place"), (card.lot.value.hanja, "lot"),
                (card.category.value.hanja, "category"), (card.area.value.hanja, "area")]
        for e in card.events:
            out += [(e.date.value.hanja, "date"), (e.event.value.hanja, "event")]
        for o in card.owners:
            out += [(o.date.value.hanja, "date"), (o.cause.value.hanja, "event"),
                    (o.address.value.hanja, "place"), (o.name.value.hanja, "name")]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as cache:
        cold = load_seconds(cache)  # parses the text list and writes the cache
        warm = min(load_seconds(cache) for _ in range(3))
    dictionary.load()
    items = words(args.cards, args.seed)
    for text, kind in items[:200]:  # warm the per-character caches as a long run would
        read_as(text, kind)
    t = time.perf_counter()
    for text, kind in items:
        read_as(text, kind)
    elapsed = time.perf_counter() - t
    rate = len(items) / elapsed
    print(f"dictionary load: {cold:.3f} s parsing the text list, {warm:.3f} s from the cache "
          f"(goal 0.5 s)")
    print(f"reading: {len(items)} words in {elapsed:.2f} s = {rate:,.0f} words/s on one core "
          f"(goal 50,000)")
    print(json.dumps({"bench": "reading_speed", "words": len(items), "words_per_s": round(rate),
                      "load_s_cached": round(warm, 3), "load_s_uncached": round(cold, 3)}))


if __name__ == "__main__":
    main()
