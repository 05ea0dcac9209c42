"""Fuzzing at scale: generated input through everything that takes what people type or
what files hold. Prints how many inputs each target took, how many it refused cleanly
(its documented error, or a verifier's "not verified"), and every crash (goal: none).
A mutated certificate the verifier still takes is counted as taken and listed, apart
from those changed only inside the signature's own slot, in fields CMS leaves unsigned
(the letter case of the signer's issuer name, compared case-insensitively): any PAdES
verifier takes those, and only the issuing archive's byte-for-byte check refuses them.

Targets: the owner-search query parser, the parcel-number parser, the field readers a
clerk's correction goes through (dates, lots, areas, names, addresses, categories),
the hanja reader, numerals, file-name handling, the audit head of a backup manifest,
and the certificate PDF verifier without an archive (a signed certificate, mutated:
bytes flipped, cut, spliced, repeated, appended to, or random bytes). Inputs come from
a seeded generator mixing random text with pieces of real register writing, so a run
is repeatable; each crash prints its seed and input.

    .venv/bin/python bench/fuzz.py --examples 100000
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.auth import Principal, acting_as  # noqa: E402
from app.certificate import CertificateError, issue  # noqa: E402
from app.certificate_check import verify_file  # noqa: E402
from app.process import process_paths  # noqa: E402
from app.scans import safe_name  # noqa: E402
from app.search import QueryError, owner_query  # noqa: E402
from db.archive import open_archive  # noqa: E402
from db.audit import Head  # noqa: E402
from db.refs import BadReference, parcel_id_for  # noqa: E402
from translit import measures  # noqa: E402
from translit.dates import parse_date  # noqa: E402
from translit.fields import reread  # noqa: E402
from translit.numerals import parse_number  # noqa: E402
from translit.reading import read_as  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "pages"
# Pieces of real register writing, so generated text reaches past the first check.
PIECES = ["明治", "大正", "昭和", "檀紀", "西紀", "元", "年", "月", "日", "十", "二十", "百", "千",
          "〇", "一", "三", "九", "番", "地", "ノ", "坪", "合", "勺", "町", "反", "畝", "步",
          "田", "畓", "垈", "林野", "京畿道", "高陽郡", "碌磻里", "金", "李", "南宮", "仁",
          "査定", "賣買", "相續", "김", "남궁", "인", "철수", "-", " ", "·", "(", ")", "%",
          "_", "'", '"', ";", "\\", "/", "..", "\x00", "\u200b", "\ufeff", "𠀀", "ā", "ㄱ",
          "123", "4", "-5", "0", "99999999999999999999", "1938-02", "2026", "e", "Ⅲ"]
FIELDS = ["location", "lot", "category", "area", "grade", "events[0].date",
          "events[1].event", "owners[0].date", "owners[2].cause", "owners[0].address",
          "owners[0].name", "owners[9].name", "name", "owners[0]", "owners.name", ""]


def text(rng: random.Random) -> str:
    """A string: real pieces, random code points, or both."""
    kind = rng.random()
    if kind < 0.55:
        return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 8)))
    if kind < 0.8:
        return "".join(chr(rng.choice([rng.randint(32, 126), rng.randint(0x3400, 0x9FFF),
                                       rng.randint(0xAC00, 0xD7A3), rng.randint(0, 0x10FFFF)]))
                       for _ in range(rng.randint(0, 24))).replace("\ud800", "")
    return "".join(rng.choice(PIECES) if rng.random() < 0.5 else chr(rng.randint(0, 0x2FFFF))
                   for _ in range(rng.randint(0, 40)))


def _surrogate_free(value: str) -> str:
    return value.encode("utf-8", "replace").decode("utf-8")


class Pdfs:
    """A signed certificate and its mutations, written to files for the verifier."""

    def __init__(self, folder: Path) -> None:
        os.environ["TOJI_KEYS"] = str(folder / "pc-keys")
        archive = open_archive(folder / "archive" / "toji.db")
        page = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".png", ".jpg"))[0]
        process_paths([page], archive)
        self.signed = issue(archive, 1, folder / "signed.pdf").path.read_bytes()
        self.folder = folder
        first, second = (int(n) for n in re.search(
            rb"/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)", self.signed).groups())
        self.slot = (first, second)  # the signature's slot: the bytes it does not cover
        self.accepted: list[list] = []  # signed bytes changed, yet verified: a defect
        self.unsigned_changes: list[list] = []  # only the CMS's unsigned fields changed

    def mutate(self, rng: random.Random) -> bytes:
        """Another file than the one signed (a mutation that changed nothing is redrawn)."""
        while True:
            data = self._mutation(rng)
            if data != self.signed:
                return data

    def _mutation(self, rng: random.Random) -> bytes:
        data = bytearray(self.signed)
        kind = rng.randrange(7)
        if kind == 0:
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif kind == 1:
            data = data[:rng.randrange(len(data))]
        elif kind == 2:
            start, end = sorted(rng.randrange(len(data)) for _ in range(2))
            other = rng.randrange(len(data))
            data[start:end] = self.signed[other:other + (end - start) // 2]
        elif kind == 3:
            data += text(rng).encode("utf-8", "replace") * rng.randint(1, 50)
        elif kind == 4:
            data = bytearray(rng.randbytes(rng.randint(0, 4096)))
        elif kind == 5:
            data = bytearray(b"%PDF-1.7\n" + rng.randbytes(rng.randint(0, 2048)))
        else:
            start = rng.randrange(len(data))
            data[start:start] = data[start:start + rng.randint(1, 4096)]
        return bytes(data)


def targets(pdfs: Pdfs, session) -> dict[str, tuple[Callable[[random.Random], object],  # noqa: ANN001
                                                    tuple[type[BaseException], ...]]]:
    """Each target: a function of the generator that feeds it one input, and the errors
    it documents as a clean refusal."""
    def query(rng: random.Random) -> object:
        return owner_query(name=text(rng) or None, place=text(rng) or None,
                           lot=text(rng) if rng.random() < 0.5 else None,
                           date_from=text(rng) if rng.random() < 0.2 else None)

    def field(rng: random.Random) -> object:
        path = rng.choice(FIELDS) if rng.random() < 0.9 else text(rng)
        return reread(path, text(rng))

    def manifest_head(rng: random.Random) -> object:
        value = rng.choice([{"rows": text(rng), "last_id": text(rng), "hash": text(rng)},
                            {"rows": rng.randint(-5, 10), "last_id": 1, "hash": "0" * 64},
                            text(rng), None, [1, 2], {"rows": 1}])
        return Head.from_json(value)

    def pdf(rng: random.Random) -> object:
        path = pdfs.folder / "mutated.pdf"
        data = pdfs.mutate(rng)
        path.write_bytes(data)
        result = verify_file(None, path)
        if result.ok:  # a changed file verified: where does it differ?
            differs = [i for i, (a, b) in enumerate(zip(data, pdfs.signed, strict=False))
                       if a != b]
            in_slot = len(data) == len(pdfs.signed) and all(
                pdfs.slot[0] <= i < pdfs.slot[1] for i in differs)
            (pdfs.unsigned_changes if in_slot else pdfs.accepted).append(differs[:5])
        return result

    def file_name(rng: random.Random) -> object:
        name = safe_name(text(rng))
        if "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
            raise AssertionError(f"unsafe name {name!r}")
        return name

    return {
        "owner query": (query, (QueryError,)),
        "parcel number": (lambda rng: parcel_id_for(session, text(rng)), (BadReference,)),
        "field reader (correction)": (field, (ValueError,)),
        "date": (lambda rng: parse_date(text(rng)), ()),
        "lot": (lambda rng: measures.parse_lot(text(rng)), ()),
        "area": (lambda rng: measures.parse_area(text(rng)), ()),
        "numeral": (lambda rng: parse_number(text(rng)), ()),
        "hanja reading": (lambda rng: read_as(text(rng), rng.choice(["free", "name",
                                                                      "place"])), ()),
        "file name": (file_name, ()),
        "backup audit head": (manifest_head, (ValueError,)),
        "certificate PDF verifier": (pdf, (CertificateError,)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--pdf-share", type=float, default=0.02,
                        help="the share of inputs that go to the PDF verifier (slow)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="toji-fuzz-"))
    pdfs = Pdfs(folder)
    archive = open_archive(folder / "archive" / "toji.db")
    taken, refused, crashes = Counter(), Counter(), []
    start = time.perf_counter()
    with archive.session() as session:
        table = targets(pdfs, session)
        names = [n for n in table if n != "certificate PDF verifier"]
        for i in range(args.examples):
            rng = random.Random(f"{args.seed}-{i}")
            name = "certificate PDF verifier" if rng.random() < args.pdf_share \
                else names[i % len(names)]
            feed, documented = table[name]
            taken[name] += 1
            try:
                outcome = feed(rng)
                if getattr(outcome, "ok", True) is False:  # a verifier's "no" is a refusal
                    refused[name] += 1
            except documented:
                refused[name] += 1
            except Exception as exc:  # noqa: BLE001 - a crash is what this bench counts
                crashes.append((name, f"{args.seed}-{i}", exc, traceback.format_exc(limit=3)))
    seconds = time.perf_counter() - start
    print(f"fuzzed {args.examples} inputs in {seconds:.0f} s (seed {args.seed}), {folder}")
    print(f"{'target':<28} {'inputs':>8} {'taken':>8} {'refused':>8} {'crashes':>8}")
    crashed = Counter(name for name, *_ in crashes)
    for name in [*table, "all"]:
        inputs, no, bad = (sum(taken.values()), sum(refused.values()), len(crashes)) \
            if name == "all" else (taken[name], refused[name], crashed[name])
        print(f"{name:<28} {inputs:>8} {inputs - no - bad:>8} {no:>8} {bad:>8}")
    for name, seed, exc, trace in crashes[:50]:
        print(f"\nCRASH {name} (input seed {seed}): {type(exc).__name__}: "
              f"{_surrogate_free(str(exc))[:300]}\n{_surrogate_free(trace)}")
    print(f"changed certificates that verified, signed bytes changed: {len(pdfs.accepted)}")
    for differs in pdfs.accepted[:10]:
        print(f"  differs at {differs}")
    print(f"changed certificates that verified, only inside the signature's slot (fields the "
          f"CMS does not sign, such as the letter case of the signer's issuer name; the "
          f"archive's byte check refuses them): {len(pdfs.unsigned_changes)}")
    print(f"goal: no crash: {'met' if not crashes else 'MISSED'}")
    sys.exit(1 if crashes else 0)


if __name__ == "__main__":
    with acting_as(Principal("fuzz", "admin")):
        main()
