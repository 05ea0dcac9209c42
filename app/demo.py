"""`toji demo`: the bundled sample pages through the whole job, into the user's own folder.

A clerk who has just installed Toji (a wheel, pipx, a Windows PC) sees it work end to
end without a checkout, a Makefile or a system package: the sample scans inside the
wheel are processed into a fresh archive, searched as the service desk does for a
citizen (조상땅 찾기), and the final owner's parcel is issued as a certificate, signed
with a key made on first issue, which is then verified as a receiver would (the PDF's
signature alone) and as the office does (with the archive); a backup follows, and the
audit chain is verified against the head its manifest recorded. Everything goes into the user's data folder
(platformdirs: ~/.local/share/toji, %LOCALAPPDATA%\\toji …), never into the installed
package, which may be read-only. The demo archive gets an administrator of its own whose
password is printed, so that the same archive can be opened in `toji gui`.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

import platformdirs

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "pages"
NAME, APPLICANT, RELATION, PROOF = "남궁인", "남궁민", "손자", "제적등본"
OFFICE = "고양시 (데모)"


def demo_folder(folder: str | None = None) -> Path:
    """Where the demo writes: the given folder, else `demo` in the user's data folder."""
    return Path(folder).expanduser() if folder else Path(platformdirs.user_data_dir("toji")) / "demo"


def run_demo(main: Callable[[list[str]], int], folder: Path, samples: Path = SAMPLES) -> int:
    """Runs the job with the CLI's own verbs (`main`), so the demo is what a clerk would
    type; returns the first failing step's exit code, else 0."""
    if not samples.is_dir() or not any(samples.iterdir()):
        print(f"toji demo: the sample pages are missing from {samples}: reinstall Toji")
        return 2
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    # the demo's own PC key folder: trying Toji leaves no signing key among the user's
    os.environ.setdefault("TOJI_KEYS", str(folder / "pc-keys"))
    os.environ.setdefault("TOJI_USER", "admin")
    password = os.environ.setdefault("TOJI_PASSWORD", secrets.token_urlsafe(12))
    db, pdf = str(folder / "archive.db"), str(folder / "certificate.pdf")
    desk = ["--applicant", APPLICANT, "--relation", RELATION, "--proof", PROOF]
    steps = [
        ["process", str(samples), "--db", db],
        ["search", "高陽郡", "--db", db],
        ["search", "--name", NAME, "--desk", *desk, "--db", db],
        ["settings", "office", OFFICE, "--db", db],
    ]
    for step in steps:
        print(f"\n$ toji {' '.join(step)}", flush=True)
        code = main(step)
        if code not in (0, 1):  # 1: done, with pages for a clerk to review
            return code
    parcel = _final_parcel(db)
    if parcel is None:
        print(f"toji demo: no parcel of {NAME} was found in the samples")
        return 2
    backups = str(folder / "backup")
    for step in (["certificate", "--db", db, "--parcel", parcel, *desk, "-o", pdf],
                 ["verify", pdf], ["verify", pdf, "--db", db], ["keys", "list", "--db", db],
                 ["backup", backups, "--db", db],
                 ["audit", "verify", "--against", backups, "--db", db]):
        print(f"\n$ toji {' '.join(step)}", flush=True)
        code = main(step)
        if code != 0:
            return code
    print(f"\nToji demo done in {folder}\n  archive      {db}\n  certificate  {pdf}\n"
          f"  backup       {backups}\n"
          f"  sign in as   {os.environ['TOJI_USER']} / {password}  (toji gui --db {db})")
    return 0


def _final_parcel(db: str) -> str | None:
    """The parcel whose final owner is the demo's ancestor (searched as the desk does)."""
    from app.auth import Principal, acting_as
    from app.search import owner_query, search_owners
    from db.archive import open_archive

    archive = open_archive(db)
    with acting_as(Principal(os.environ["TOJI_USER"], "admin")):
        hits = search_owners(archive, owner_query(name=NAME, desk=True), applicant=APPLICANT)
    return next((h.parcel for h in hits if h.is_final), None)
