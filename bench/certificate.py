"""Certificates and exports: seconds per certificate issued and signed (goal: at most
0.3 s), per verify, and per page for each export format, on the committed sample pages
read by the engine.

Baselines measured in the same run, so figures travel across noisy machines: decoding
the card's scan alone (the least a certificate with a card crop must do), the unsigned
layout (the card crop and the PDF as rendered, not signed nor stored), and the PDF
signature alone over that layout.

    .venv/bin/python bench/certificate.py --certificates 100
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image  # noqa: E402
from sqlalchemy import select  # noqa: E402

from app.auth import Principal, acting_as  # noqa: E402
from app.certificate import card_crop, issue  # noqa: E402
from app.certificate_check import verify_file  # noqa: E402
from app.certificate_pdf import render  # noqa: E402
from app.export import export_to  # noqa: E402
from app.fonts import document_font  # noqa: E402
from app.pdf_signature import sign  # noqa: E402
from app.process import process_paths  # noqa: E402
from app.scans import page_pixels  # noqa: E402
from app.signing_keys import signer_for_issue  # noqa: E402
from db.archive import open_archive  # noqa: E402
from db.models import Page, Parcel  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "pages"
GOAL_S = 0.3


def _timed(fn, runs: int) -> list[float]:  # noqa: ANN001
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def _p95(times: list[float]) -> float:
    return sorted(times)[max(0, round(0.95 * len(times)) - 1)]


def _line(name: str, times: list[float], base: float | None = None,
          layout: float | None = None) -> str:
    mean = statistics.fmean(times)
    ratio = f"  x{mean / base:.2f} of scan decode" if base else ""
    ratio += f"  x{mean / layout:.2f} of unsigned layout" if layout else ""
    return f"{name:<36} mean {mean:.3f} s  p95 {_p95(times):.3f} s  (n={len(times)}){ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=100)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="toji-bench-cert-"))
    os.environ["TOJI_KEYS"] = str(work / "pc-keys")  # the bench's key, not the user's
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
    content, code = issued.content, issued.code
    text_only = _timed(lambda: render(content, code, "x", blank, font, "x"), 20)
    with archive.session() as session:
        parcel = session.get(Parcel, parcels[0])
        signer = signer_for_issue(session, "", "bench")
        layout = _timed(lambda: render(content, code, "x", card_crop(archive, session, parcel),
                                       font, "x"), 20)
        laid_out = render(content, code, "x", card_crop(archive, session, parcel), font, "x")
    signing = _timed(lambda: sign(laid_out, signer, "bench", "bench"), 20)
    verify = _timed(lambda: verify_file(archive, work / "text-only.pdf"), 20)
    alone = _timed(lambda: verify_file(None, work / "text-only.pdf"), 20)
    unsigned = statistics.fmean(layout)
    print(f"certificates on {len(parcels)} sample parcels, {work}")
    print(_line("decode the card's scan (baseline)", decode))
    print(_line("unsigned layout (crop and PDF)", layout, base))
    print(_line("PDF signature alone", signing, base, unsigned))
    print(_line("certificate (issue, sign, store)", certs, base, unsigned))
    print(_line("layout without crop (text only)", text_only, base))
    print(_line("verify a PDF with the archive", verify, base))
    print(_line("verify a PDF alone (signature)", alone, base))
    exports = {}
    for fmt, target in (("csv", "p.csv"), ("xlsx", "p.xlsx"), ("page-xml", "page"),
                        ("pdf", "pdf")):
        [t] = _timed(lambda f=fmt, o=target: export_to(archive, f, work / o), 1)
        exports[fmt] = round(t / len(pages), 4)
        print(f"export {fmt:<27} {exports[fmt]:.3f} s per page ({len(pages)} pages)")
    mean = statistics.fmean(certs)
    print(f"goal: issuing, signature included, at most {GOAL_S} s (mean): "
          f"{'met' if mean <= GOAL_S else 'MISSED'}")
    print(json.dumps({"certificate_s": round(mean, 4), "certificate_p95_s": round(_p95(certs), 4),
                      "scan_decode_s": round(base, 4),
                      "unsigned_layout_s": round(unsigned, 4),
                      "signature_s": round(statistics.fmean(signing), 4),
                      "ratio_to_decode": round(mean / base, 2),
                      "ratio_to_unsigned_layout": round(mean / unsigned, 2),
                      "text_only_s": round(statistics.fmean(text_only), 4),
                      "verify_s": round(statistics.fmean(verify), 4),
                      "verify_alone_s": round(statistics.fmean(alone), 4),
                      "export_s_per_page": exports}))


if __name__ == "__main__":
    with acting_as(Principal("bench", "admin")):  # the services check roles
        main()
