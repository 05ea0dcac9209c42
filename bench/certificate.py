"""Certificates and exports: seconds per certificate (goal: at most 0.5 s), per verify,
and per page for each export format, on the committed sample pages read by the engine.

Baselines measured in the same run, so figures travel across noisy machines: decoding
the card's scan alone (the least a certificate with a card crop must do), and laying
out the same certificate without the crop and QR (text and tables only).

    .venv/bin/python bench/certificate.py --certificates 100
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image  # noqa: E402
from sqlalchemy import select  # noqa: E402

from app.auth import Principal, acting_as  # noqa: E402
from app.certificate import issue  # noqa: E402
from app.certificate_check import verify_file  # noqa: E402
from app.certificate_pdf import render  # noqa: E402
from app.export import export_to  # noqa: E402
from app.fonts import document_font  # noqa: E402
from app.process import process_paths  # noqa: E402
from app.scans import page_pixels  # noqa: E402
from db.archive import open_archive  # noqa: E402
from db.models import Page, Parcel  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "pages"


def _timed(fn, runs: int) -> list[float]:  # noqa: ANN001
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def _line(name: str, times: list[float], base: float | None = None) -> str:
    mean = statistics.fmean(times)
    p95 = sorted(times)[max(0, round(0.95 * len(times)) - 1)]
    ratio = f"  x{mean / base:.2f} of scan decode" if base else ""
    return f"{name:<34} mean {mean:.3f} s  p95 {p95:.3f} s  (n={len(times)}){ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=100)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="toji-bench-cert-"))
    archive = open_archive(work / "archive" / "toji.db")
    pages = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".png", ".jpg"))
    process_paths(pages, archive)
    with archive.session() as session:
        parcels = [p.id for p in session.scalars(select(Parcel).order_by(Parcel.id))]
        page_rows = {p.id: session.get(Page, p.page_id) for p in session.scalars(select(Parcel))}
        scans = {pid: page.scan for pid, page in page_rows.items()}
    font = document_font()
    issue(archive, parcels[0], work / "warm.pdf")  # font registration, first imports

    n = args.certificates
    decode = _timed(lambda: page_pixels(archive, scans[parcels[0]], 1), 20)
    base = statistics.fmean(decode)
    counter = iter(range(n))

    def one() -> None:
        i = next(counter)
        issue(archive, parcels[i % len(parcels)], work / f"c{i}.pdf", applicant="bench")

    certs = _timed(one, n)
    issued = issue(archive, parcels[0], work / "text-only.pdf")
    blank = Image.new("RGB", (8, 8), "white")
    text_only = _timed(lambda: render(issued.content, issued.code, "x", blank, font), 20)
    verify = _timed(lambda: verify_file(archive, work / "text-only.pdf"), 20)
    print(f"certificates on {len(parcels)} sample parcels, {work}")
    print(_line("decode the card's scan (baseline)", decode))
    print(_line("certificate (issue, sign, store)", certs, base))
    print(_line("layout without crop (text only)", text_only, base))
    print(_line("verify a certificate PDF", verify, base))
    exports = {}
    for fmt, target in (("csv", "p.csv"), ("xlsx", "p.xlsx"), ("page-xml", "page"),
                        ("pdf", "pdf")):
        [t] = _timed(lambda f=fmt, o=target: export_to(archive, f, work / o), 1)
        exports[fmt] = round(t / len(pages), 4)
        print(f"export {fmt:<27} {exports[fmt]:.3f} s per page ({len(pages)} pages)")
    mean = statistics.fmean(certs)
    print(f"goal: at most 0.5 s per certificate: {'met' if mean <= 0.5 else 'NOT met'}")
    print(json.dumps({"certificate_s": round(mean, 4), "scan_decode_s": round(base, 4),
                      "ratio_to_decode": round(mean / base, 2),
                      "text_only_s": round(statistics.fmean(text_only), 4),
                      "verify_s": round(statistics.fmean(verify), 4),
                      "export_s_per_page": exports}))


if __name__ == "__main__":
    with acting_as(Principal("bench", "admin")):  # the services check roles
        main()
