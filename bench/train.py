"""The archive learns from its clerks: a fine-tune measured on pages it never saw.

Generated pages are processed into an archive with the shipped recogniser; on the
training pages a simulated clerk confirms every field the machine placed (the value
taken from the page's truth); `toji train` fine-tunes on those lines. Then pages held
out of all of it are read before and after, in the same run:

- line CER and exact lines: every handwritten line of a held-out page, cut at its true
  box (its ink as the pipeline sees it: the red channel) and read by the shipped
  recogniser and by the new one;
- 畓 as the recogniser itself reads it (no 沓 → 畓 rule): on those lines, and on
  generated lines that put 畓 in the company of names and addresses, drawn both in the
  training brush and in the brush left out of training (a held-out page holds 畓 only a
  few times, in its 地目; these lines give a hundred occurrences in a hand never seen);
- 乭, which the shipped model has but misreads, counted the same way on the lines;
- field exact-match: the held-out pages processed with the shipped model, then read
  again with the new one (`toji process --reread`).

Two held-out sets: pages drawn in the training pages' brush, and pages drawn in a brush
left out of training (UnGungseo by default), which is the figure that says what a new
hand will see. Training time, lines per second and peak memory come from the run.

    .venv/bin/python bench/train.py --pages 100 --held-out 20 --seed 808
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from app.auth import Principal, acting_as  # noqa: E402
from app.process import process_paths  # noqa: E402
from app.recognisers import MODEL_FILE, generated_lines, models_folder, train  # noqa: E402
from app.reread import reread  # noqa: E402
from app.review import correct_field  # noqa: E402
from app.training_set import as_ink, line_crop  # noqa: E402
from bench.families import FamilyTally, _score  # noqa: E402
from bench.scoring import truth_fields  # noqa: E402
from db.archive import Archive, open_archive  # noqa: E402
from db.models import Page  # noqa: E402
from ocr import finetune  # noqa: E402
from ocr.engine import RapidOcrEngine  # noqa: E402

LEFT_OUT_BRUSH = "UnGungseo.ttf"


def make_pages(folder: Path, count: int, seed: int, layout: str, hand: str,
               fonts: str = "") -> Path:
    """Draws pages with `toji samples` in a process of its own (fonts are chosen once a
    process); `fonts` swaps a brush in (TOJI_SAMPLE_FONTS), `hand` varies each glyph
    (TOJI_SAMPLE_HAND, samples/hand.py)."""
    env = {**os.environ, "TOJI_SAMPLE_FONTS": fonts, "TOJI_SAMPLE_HAND": hand}
    subprocess.run([sys.executable, "-m", "app.cli", "samples", "--count", str(count),
                    "--seed", str(seed), "--layout", layout, "--out", str(folder)],
                   check=True, env=env, stdout=subprocess.DEVNULL,
                   cwd=Path(__file__).resolve().parents[1])
    return folder


def truth_of(archive: Archive) -> dict[int, tuple[dict, Path, int | None, list[str]]]:
    """page id -> (truth, scan path, parcel id, fields placed on its lines)."""
    out = {}
    with archive.session() as session:
        for page in session.scalars(select(Page)):
            path = Path(page.scan.path)
            truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
            out[page.id] = (truth, path, page.parcel.id if page.parcel else None,
                            [ln.field for ln in page.lines if ln.field])
    return out


def confirm(archive: Archive) -> int:
    """The simulated clerk: every field the machine placed on a line is confirmed with
    the value the page really holds."""
    done = 0
    for truth, _path, parcel, fields in truth_of(archive).values():
        wanted = truth_fields(truth)
        for path in dict.fromkeys(fields):
            if parcel is not None and path in wanted and wanted[path].get("hanja"):
                correct_field(archive, parcel, path, wanted[path]["hanja"])
                done += 1
    return done


def true_lines(folder: Path) -> list[finetune.Line]:
    """Every handwritten value of the pages, cut at its true box."""
    lines = []
    for truth_file in sorted(folder.glob("*.json")):
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        image = next(p for p in folder.glob(truth_file.stem + ".*") if p.suffix != ".json")
        pixels = cv2.cvtColor(cv2.imread(str(image)), cv2.COLOR_BGR2RGB)
        for line in truth["lines"]:
            if line["kind"] == "hand" and line["field"] and not line["crossed"]:
                crop = as_ink(line_crop(pixels, line["quad"], line["vertical"]))
                lines.append(finetune.Line(crop, line["text"], truth_file.stem))
    return lines


def company_lines(count: int, contexts: list[str], seed: int,
                  brush: str = "") -> list[finetune.Line]:
    """`count` generated lines, each a name or address with 畓 written into it, drawn in
    the varied hand by a process of its own (fonts and hand are chosen once a process);
    `brush` swaps the brush font in."""
    with ProcessPoolExecutor(1, mp_context=get_context("spawn"), initializer=_hand,
                             initargs=(brush,)) as pool:
        return pool.submit(_company, count, contexts, seed).result()


def _hand(brush: str) -> None:
    os.environ["TOJI_SAMPLE_HAND"] = "varied"
    os.environ["TOJI_SAMPLE_FONTS"] = f"brush={brush}" if brush else ""


def _company(count: int, contexts: list[str], seed: int) -> list[finetune.Line]:
    return [finetune.Line(ln.image, ln.text, ln.page)
            for ln in generated_lines(count, "畓", contexts, seed=seed, mixed=False)]


def field_exact(archive: Archive) -> float:
    tally = FamilyTally()
    with archive.session() as session:
        for page in session.scalars(select(Page)):
            truth = json.loads(Path(page.scan.path).with_suffix(".json")
                               .read_text(encoding="utf-8"))
            record = page.parcel.effective if page.parcel else None
            _score(tally, truth["degrade"], record, truth, None)
    return tally.exact()


def held_out(name: str, folder: Path, model: Path, shipped: RapidOcrEngine,
             tuned: RapidOcrEngine, workdir: Path) -> dict:
    lines = true_lines(folder)
    read_with = {"before": shipped, "after": tuned}
    scores = {k: finetune.score(lambda crops, e=e: [t for t, _ in e.recognize(crops)],
                                lines, "畓") for k, e in read_with.items()}
    dol = {k: finetune.score(lambda crops, s=s: s.readings, lines, "乭")
           for k, s in scores.items()}  # the same readings, counted for 乭
    archive = open_archive(workdir / f"{name}.db")
    process_paths([folder], archive)
    fields_before = field_exact(archive)
    reread(archive, f"rapidocr@{model}")
    fields_after = field_exact(archive)
    return {
        "pages": len(list(folder.glob("*.json"))), "lines": len(lines),
        "cer_before": round(scores["before"].cer, 4), "cer_after": round(scores["after"].cer, 4),
        "cer_fall": round(1 - scores["after"].cer / max(scores["before"].cer, 1e-9), 3),
        "lines_exact_before": round(scores["before"].exact, 3),
        "lines_exact_after": round(scores["after"].exact, 3),
        "fields_exact_before": round(fields_before, 4),
        "fields_exact_after": round(fields_after, 4),
        "dap_lines": scores["after"].focus_total,
        "dap_before": scores["before"].focus_recall, "dap_after": scores["after"].focus_recall,
        "dol_lines": dol["after"].focus_total,
        "dol_before": dol["before"].focus_recall, "dol_after": dol["after"].focus_recall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=100, help="pages in all")
    parser.add_argument("--held-out", type=int, default=20, help="of them, never trained on")
    parser.add_argument("--seed", type=int, default=808)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--with-samples", type=int, default=200)
    parser.add_argument("--layout", default="mixed", help="samples --layout (default mixed)")
    parser.add_argument("--left-out-brush", default=LEFT_OUT_BRUSH)
    parser.add_argument("--hand", choices=["varied", "font"], default="varied",
                        help="varied: every glyph bent and inked as no font draws it")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="toji-bench-train-"))
    trained = args.pages - args.held_out
    print(f"drawing {trained} training pages, {args.held_out} held out in the same brush "
          f"and {args.held_out} in {args.left_out_brush} (seed {args.seed}, hand {args.hand}) ...", flush=True)
    folders = {
        "train": make_pages(workdir / "train", trained, args.seed, args.layout, args.hand),
        "same_brush": make_pages(workdir / "same", args.held_out, args.seed + 1, args.layout,
                                 args.hand),
        "left_out_brush": make_pages(workdir / "other", args.held_out, args.seed + 2,
                                     args.layout, args.hand, f"brush={args.left_out_brush}"),
    }
    archive = open_archive(workdir / "train.db")
    with acting_as(Principal("bench", "admin")):
        start = time.perf_counter()
        process_paths([folders["train"]], archive)
        print(f"processed {trained} pages in {time.perf_counter() - start:.0f} s", flush=True)
        print(f"the clerk confirmed {confirm(archive)} fields", flush=True)
        info = train(archive, "bench", args.epochs, args.with_samples,
                     say=lambda text: print("  " + text, flush=True))
        model = models_folder(archive) / "bench" / MODEL_FILE
        shipped, tuned = RapidOcrEngine(), RapidOcrEngine(recogniser=model)
        results = {name: held_out(name, folder, model, shipped, tuned, workdir)
                   for name, folder in folders.items() if name != "train"}
        contexts = [o[key]["hanja"] for t in folders["same_brush"].glob("*.json")
                    for o in json.loads(t.read_text(encoding="utf-8"))["owners"]
                    for key in ("name", "address")]
        in_company = {}
        for brush in ("", args.left_out_brush):
            company = company_lines(100, contexts, args.seed, brush)
            in_company[brush or "training brush"] = {
                k: finetune.score(lambda crops, e=e: [t for t, _ in e.recognize(crops)],
                                  company, "畓").focus_recall
                for k, e in (("before", shipped), ("after", tuned))}
    print()
    kept = f"{info.labels_kept:.3f}" if info.labels_kept is not None else "-"
    print(f"training: {info.lines_trained} lines of {info.pages_trained} pages "
          f"(+{info.kept_trained} crops kept as read, {info.generated_lines} generated), "
          f"{args.epochs} epochs, {info.seconds:.0f} s, "
          f"{info.lines_per_second:.1f} lines/s, peak memory {info.peak_memory_mb:.0f} MB; "
          f"new characters: {info.new_characters or 'none'}; held-out labels read as "
          f"before {kept}")
    print(f"{'held-out set':<16}{'pages':>6}{'lines':>6}{'CER before':>11}{'after':>8}"
          f"{'fall':>7}{'lines ok':>9}{'→':>2}{'':>6}{'fields ok':>10}{'→':>2}{'':>7}"
          f"{'畓 read':>8}{'→':>2}{'':>12}{'乭 read':>8}{'→':>2}")
    for name, r in results.items():
        dap, dol = (f"{r[k + '_before'] or 0:.2f}→{r[k + '_after']:.2f} ({r[k + '_lines']})"
                    if r[k + "_lines"] else "none" for k in ("dap", "dol"))
        print(f"{name:<16}{r['pages']:>6}{r['lines']:>6}{r['cer_before']:>11.4f}"
              f"{r['cer_after']:>8.4f}{r['cer_fall']:>7.0%}{r['lines_exact_before']:>9.3f}"
              f" → {r['lines_exact_after']:.3f}{r['fields_exact_before']:>10.4f}"
              f" → {r['fields_exact_after']:.4f}   {dap:<18}{dol}")
    for brush, read in in_company.items():
        print(f"畓 among names and addresses, 100 generated lines in the {brush}: "
              f"{read['before'] or 0:.2f} → {read['after']:.2f}")
    print(json.dumps({"bench": "train", "seed": args.seed, "pages": args.pages,
                      "epochs": args.epochs, "lines_trained": info.lines_trained,
                      "generated": info.generated_lines, "kept": info.kept_trained,
                      "labels_kept": info.labels_kept, "seconds": info.seconds,
                      "lines_per_second": info.lines_per_second,
                      "peak_memory_mb": info.peak_memory_mb, "held_out": results,
                      "dap_in_company": in_company}, ensure_ascii=False))


if __name__ == "__main__":
    main()
