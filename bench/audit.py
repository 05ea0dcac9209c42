"""The price of guarding personal data: appending hash-chained audit rows, walking the
chain, and a sign-in (argon2id) — each against a baseline measured in the same run.

    .venv/bin/python bench/audit.py --rows 100000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.auth import Principal, acting_as, create_user, sign_in  # noqa: E402
from db.archive import open_archive  # noqa: E402
from db.audit import _chain, verify_chain  # noqa: E402
from db.models import AuditEntry  # noqa: E402

BATCH = 1000


def append(archive, n: int) -> float:  # noqa: ANN001 - db.archive.Archive
    """Seconds to append n desk-search rows in transactions of BATCH."""
    start = time.perf_counter()
    for first in range(0, n, BATCH):
        with archive.session() as session, session.begin():
            session.add_all(AuditEntry(actor="desk1", action="desk search", subject=f"김{i}",
                                       detail={"hits": i % 7, "applicant": "김철수 (손자)"})
                            for i in range(first, min(n, first + BATCH)))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    archive = open_archive(Path(tempfile.mkdtemp(prefix="toji-bench-audit-")) / "toji.db")
    n = args.rows

    chained = append(archive, n)
    # Baseline: the same rows with the chain switched off (the listener removed), into a
    # fresh archive so that the walk below sees only chained rows.
    event.remove(Session, "before_flush", _chain)
    plain = append(open_archive(Path(tempfile.mkdtemp(prefix="toji-bench-audit-")) / "toji.db"),
                   n)
    event.listen(Session, "before_flush", _chain)
    start = time.perf_counter()
    with archive.session() as session:
        check = verify_chain(session)
    walked = time.perf_counter() - start
    assert check.ok and check.rows == n

    with acting_as(Principal("bench", "admin")):
        create_user(archive, "admin", "admin", "bench-password")
    start = time.perf_counter()
    for _ in range(5):
        sign_in(archive, "admin", "bench-password")
    signing = (time.perf_counter() - start) / 5
    start = time.perf_counter()
    for _ in range(1000):
        hashlib.sha256(b"bench-password").hexdigest()
    sha = (time.perf_counter() - start) / 1000

    print(f"append {n:,} chained audit rows: {n / chained:,.0f} rows/s "
          f"(the same rows unchained: {n / plain:,.0f} rows/s; x{chained / plain:.2f} the time)")
    print(f"verify the chain: {n / walked:,.0f} rows/s ({walked:.2f} s for {n:,})")
    print(f"sign-in (argon2id verify): {signing * 1000:.0f} ms; SHA-256 of the password "
          f"would take {sha * 1e6:.1f} us (x{signing / sha:,.0f}: the point of argon2)")
    print(json.dumps({"append_rows_per_s": round(n / chained), "plain_rows_per_s":
                      round(n / plain), "verify_rows_per_s": round(n / walked),
                      "sign_in_ms": round(signing * 1000, 1)}))


if __name__ == "__main__":
    main()
