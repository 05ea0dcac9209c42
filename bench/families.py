"""Reading printings never seen: each layout family read with its templates taken away.

For every family of the generator (`samples.layouts`), pages are drawn from a seed the
development did not use, read by the same per-page function `toji process` runs
(`app.page_task.read_image`) with every template of that family removed, stored in a
real SQLite archive and searched by the final owner's name through the search service,
in hanja and in hangul. Per family and overall it prints: fields read exactly (by
degradation), the final owner found, the share of pages that yield a parcel, the share
of wrong fields marked for review, and seconds per page. The baseline in the same run
is the template path: the families that have a template (land, forest) read with it.

    .venv/bin/python bench/reading.py --families --pages 24 --seed 4242 [--hand varied]
"""

from __future__ import annotations

import hashlib
import json
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from app.auth import Principal, acting_as
from app.batch import page_row
from app.ingest import PageImage
from app.page_task import read_image
from app.search import owner_query, search_owners
from bench.scoring import kind_of, normalised, truth_fields
from db.archive import open_archive
from db.index import index_parcel
from db.models import Scan
from ocr.engine import get_engine
from ocr.layout import load_templates
from samples.generator import make_page
from samples.hand import style as hand
from samples.layouts import FAMILIES

LEVELS = ("none", "light", "heavy")


class FamilyTally:
    """What one family's pages came to."""

    def __init__(self) -> None:
        self.right: dict[str, int] = defaultdict(int)  # by degradation level
        self.total: dict[str, int] = defaultdict(int)
        self.wrong = self.flagged_wrong = 0
        self.pages = self.with_parcel = 0
        self.found = {"hanja": 0, "hangul": 0}
        self.seconds: list[float] = []

    def exact(self, level: str | None = None) -> float:
        levels = [level] if level else list(self.total)
        return sum(self.right[k] for k in levels) / max(1, sum(self.total[k] for k in levels))

    def summary(self) -> dict[str, Any]:
        return {"pages": self.pages, "exact": round(self.exact(), 4),
                **{f"exact_{k}": round(self.exact(k), 4) for k in LEVELS if self.total[k]},
                "final_owner_hanja": round(self.found["hanja"] / max(1, self.pages), 4),
                "final_owner_hangul": round(self.found["hangul"] / max(1, self.pages), 4),
                "pages_with_parcel": round(self.with_parcel / max(1, self.pages), 4),
                "wrong_marked": round(self.flagged_wrong / max(1, self.wrong), 4),
                "wrong": self.wrong,
                "seconds_per_page": round(statistics.mean(self.seconds), 3) if self.seconds else 0}


def _score(tally: FamilyTally, level: str, record: dict[str, Any] | None, truth: dict,
           show: str | None) -> None:
    got = _fields_of(record) if record else {}
    for path, expected in truth_fields(truth).items():
        kind = kind_of(path)
        field = got.get(path) or {}
        ok = bool(field) and normalised(kind, field) == normalised(kind, expected)
        tally.total[level] += 1
        tally.right[level] += ok
        if not ok:
            tally.wrong += 1
            # A value not read at all is caught when the clerk is sent to its entry.
            row = path.split(".")[0] + "."
            flagged = bool(field.get("problems")) or (not field and "[" in path and any(
                f.get("problems") for p, f in got.items() if p.startswith(row)))
            tally.flagged_wrong += flagged
            if show:
                print(f"  {show} {path}: read {field.get('hanja')!r} want "
                      f"{expected['hanja']!r}{' [marked]' if flagged else ''}")
    # A field the card does not have (an extra owner row, a 賃貸價格 read as an event)
    # is a wrong field too: it can change who the final owner is.
    for path in set(got) - set(truth_fields(truth)):
        flagged = bool(got[path].get("problems"))
        tally.total[level] += 1
        tally.wrong += 1
        tally.flagged_wrong += flagged
        if show:
            print(f"  {show} {path}: read {got[path].get('hanja')!r}, not on the card"
                  f"{' [marked]' if flagged else ''}")


def _fields_of(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {k: record[k] for k in ("location", "lot", "category", "area", "grade") if record.get(k)}
    for i, e in enumerate(record.get("events", [])):
        for key in ("date", "event"):
            if e.get(key):
                out[f"events[{i}].{key}"] = e[key]
    for i, o in enumerate(record.get("owners", [])):
        for key in ("date", "cause", "address", "name"):
            if o.get(key):
                out[f"owners[{i}].{key}"] = o[key]
    return out


def run(pages: int, seed: int, show_errors: bool = False) -> dict[str, Any]:
    engine = get_engine()
    builtin = load_templates()
    families: dict[str, FamilyTally] = {}
    template_path = FamilyTally()
    workdir = Path(tempfile.mkdtemp(prefix="toji-bench-families-"))
    archive = open_archive(str(workdir / "archive.db"))
    owners: list[tuple[str, int, dict]] = []  # family, page id, final owner truth
    engine.recognize([np.full((48, 96, 3), 255, np.uint8)])  # load the models before timing
    for family, spec in FAMILIES.items():
        tally = families.setdefault(family, FamilyTally())
        kept = [t for t in builtin if spec.content is None or t.kind != spec.content]
        for index in range(pages):
            level = LEVELS[index % len(LEVELS)]
            pixels, truth = make_page(seed, index, "mixed", level, layout=family)
            image = PageImage(1, pixels, truth["dpi"])
            start = time.perf_counter()
            reading = read_image(image, engine, kept)
            tally.seconds.append(time.perf_counter() - start)
            tally.pages += 1
            tally.with_parcel += reading.record is not None
            if show_errors and reading.record is None:
                print(f"  {family} p{index} {level}: no parcel ({len(reading.lines)} lines)")
            _score(tally, level, reading.record, truth,
                   f"{family} p{index} {level}" if show_errors else None)
            with archive.session() as session, session.begin():
                page = page_row(reading)
                page.scan = Scan(sha256=hashlib.sha256(f"{family}-{seed}-{index}".encode()).hexdigest(),
                                 path=f"{family}_{index}.png", size=0)
                session.add(page)
                session.flush()
                if page.parcel is not None:
                    index_parcel(session, page.parcel)
                    owners.append((family, page.parcel.id, truth["final_owner"]))
            if spec.content is not None:  # the same page read the fast way, for the baseline
                start = time.perf_counter()
                fast = read_image(image, engine, builtin)
                template_path.seconds.append(time.perf_counter() - start)
                template_path.pages += 1
                template_path.with_parcel += fast.record is not None
                _score(template_path, level, fast.record, truth, None)
    with acting_as(Principal("bench", "admin")):
        for family, parcel_id, final in owners:
            for script, name in (("hanja", final["hanja"]), ("hangul", final["hangul"])):
                hits = search_owners(archive, owner_query(name=name, limit=200))
                found = any(h.parcel_id == parcel_id and h.is_final for h in hits)
                families[family].found[script] += found
                if show_errors and not found:
                    print(f"  {family} parcel {parcel_id}: final owner {name} not found")
    return _report(families, template_path, pages, seed)


def _report(families: dict[str, FamilyTally], template_path: FamilyTally, pages: int,
            seed: int) -> dict[str, Any]:
    overall = FamilyTally()
    for t in families.values():
        for level in LEVELS:
            overall.right[level] += t.right[level]
            overall.total[level] += t.total[level]
        overall.wrong += t.wrong
        overall.flagged_wrong += t.flagged_wrong
        overall.pages += t.pages
        overall.with_parcel += t.with_parcel
        for k in overall.found:
            overall.found[k] += t.found[k]
        overall.seconds += t.seconds
    base = statistics.mean(template_path.seconds) if template_path.seconds else float("nan")
    print(f"{pages} pages a family (seed {seed}, hand {hand()}), every family read without "
          f"its templates")
    print(f"{'family':10} {'exact':>6} {'clean':>6} {'light':>6} {'heavy':>6} {'owner漢':>7} "
          f"{'owner한':>7} {'parcel':>6} {'marked':>7} {'s/page':>6} {'×tmpl':>6}")
    rows = {**families, "overall": overall}
    out: dict[str, Any] = {"bench": "families", "pages_per_family": pages, "seed": seed,
                           "hand": hand()}
    for name, t in rows.items():
        s = t.summary()
        out[name] = s
        print(f"{name:10} {s['exact']:6.3f} {s.get('exact_none', 0):6.3f} "
              f"{s.get('exact_light', 0):6.3f} {s.get('exact_heavy', 0):6.3f} "
              f"{s['final_owner_hanja']:7.3f} {s['final_owner_hangul']:7.3f} "
              f"{s['pages_with_parcel']:6.3f} {s['wrong_marked']:7.3f} "
              f"{s['seconds_per_page']:6.3f} {s['seconds_per_page'] / base:6.2f}")
    tp = template_path.summary()
    out["template_path"] = tp
    print(f"template path (land and forest pages read with their templates): exact "
          f"{tp['exact']:.3f} (clean {tp.get('exact_none', 0):.3f}), {tp['seconds_per_page']:.3f} "
          f"s/page")
    print(json.dumps(out, ensure_ascii=False))
    return out
