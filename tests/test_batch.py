"""Batches: resumable after kill -9, parallel on a pool and on Dask, the bad-input corpus,
progress, retry and watch mode. Pages are the committed samples (JPEG copies made
distinct by a comment segment, so each is a new scan with the same pixels)."""

from __future__ import annotations

import contextvars
import errno
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import func, select

from app import batch
from app.cli import main
from db.archive import open_archive
from db.models import Job, JobItem, Page, Parcel, Scan
from tests.conftest import JPEGS, ROOT, distinct_copies

pytestmark = pytest.mark.slow


def _stored_pages(db: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(db) as c:
        return c.execute("select s.sha256, p.number from pages p join scans s "
                         "on s.id = p.scan_id").fetchall()


def _integrity(db: Path) -> str:
    with sqlite3.connect(db) as c:
        return c.execute("pragma integrity_check").fetchone()[0]


def test_kill_9_at_random_moments_then_resume(tmp_path: Path) -> None:
    """Ten runs of a 30-page job killed with SIGKILL at random moments (inline and with
    two workers); after each, the archive is whole and no page is stored twice; the last
    resume finishes with every page stored exactly once."""
    distinct_copies(tmp_path / "in", 30)
    db = tmp_path / "archive" / "toji.db"
    toji = [sys.executable, "-m", "app.cli"]
    rng = random.Random(6)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    first = True
    stored_counts = []
    for trial in range(10):
        args = ["process", str(tmp_path / "in")] if first else ["process", "--resume"]
        workers = ["--workers", "2"] if trial % 3 == 2 else []
        proc = subprocess.Popen([*toji, *args, *workers, "--quiet", "--db", str(db)],
                                cwd=ROOT, env=env, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(1.0, 5.0))
        os.killpg(proc.pid, signal.SIGKILL)  # the power cut: the workers go too
        proc.wait()
        first = False
        assert _integrity(db) == "ok"
        pages = _stored_pages(db)
        assert len(pages) == len(set(pages)), "a page stored twice"
        with sqlite3.connect(db) as c:
            marked = c.execute("select count(*) from job_items where status = 'stored'"
                               ).fetchone()[0]
        assert marked == len(pages)  # every stored page is marked, every mark has its page
        stored_counts.append(len(pages))
    assert stored_counts == sorted(stored_counts), stored_counts  # nothing stored is lost
    print("stored after each kill:", stored_counts)
    done = subprocess.run([*toji, "process", "--resume", "--quiet", "--db", str(db)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    pages = _stored_pages(db)
    assert len(pages) == 30 and len(set(pages)) == 30
    assert _integrity(db) == "ok"
    archive = open_archive(db)
    with archive.session() as s:
        assert s.scalar(select(func.count()).select_from(Parcel)) == 30
        assert set(s.scalars(select(Scan.status))) == {"stored"}
        assert s.scalars(select(Job.status)).all() == ["done"]


def test_stop_then_resume_redoes_nothing(tmp_path: Path) -> None:
    scans = distinct_copies(tmp_path / "in", 4)
    archive = open_archive(tmp_path / "a" / "toji.db")
    job = batch.create_job(archive, scans)
    stop = threading.Event()
    seen = []

    def progress(p: batch.Progress) -> None:
        seen.append((p.done, p.total))
        if p.stored >= 2:
            stop.set()

    first = batch.run_job(archive, job, on_progress=progress, stop=stop)
    assert first.status == "stopped" and first.progress.stored == 2
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    outcomes = []
    second = batch.run_job(archive, batch.unfinished_job(archive), on_outcome=outcomes.append)
    assert second.status == "done" and second.progress.pages_this_run == 2
    assert second.progress.done == second.progress.total == 4
    assert [o.path.name for o in outcomes] == [s.name for s in scans[2:]]
    with archive.session() as s:
        assert s.scalar(select(func.count()).select_from(Page)) == 4
    with pytest.raises(batch.BatchError, match="no unfinished job"):
        batch.unfinished_job(archive)


def test_multipage_tiff_and_pdf_are_a_page_item_each(tmp_path: Path) -> None:
    frames = [Image.open(p).convert("RGB") for p in JPEGS[:3]]
    tiff = tmp_path / "book.tif"
    frames[0].save(tiff, save_all=True, append_images=frames[1:], dpi=(300, 300),
                   compression="jpeg")
    pdf = tmp_path / "book.pdf"
    frames[0].save(pdf, save_all=True, append_images=frames[1:2], resolution=300)
    archive = open_archive(tmp_path / "a" / "toji.db")
    outcomes = []
    summary = batch.run_job(archive, batch.create_job(archive, [tiff, pdf]), workers=2,
                            on_outcome=outcomes.append)
    assert [(o.path.name, o.status, o.pages) for o in outcomes] == [
        ("book.tif", "stored", 3), ("book.pdf", "stored", 2)]
    assert summary.progress.stored == 5
    with archive.session() as s:
        items = s.scalars(select(JobItem).where(JobItem.page.is_not(None))).all()
        assert sorted((Path(i.path).name, i.page) for i in items) == [
            ("book.pdf", 1), ("book.pdf", 2), ("book.tif", 1), ("book.tif", 2), ("book.tif", 3)]
        forms = s.scalars(select(Page.form).order_by(Page.id)).all()
    assert all(forms)  # every page of both was read on its form


def _bad_corpus(folder: Path) -> dict[Path, str]:
    """Each bad file and the words its error must hold."""
    folder.mkdir(parents=True)
    good = JPEGS[0].read_bytes()
    bad: dict[Path, str] = {}

    def put(name: str, data: bytes, reason: str) -> None:
        (folder / name).write_bytes(data)
        bad[folder / name] = reason

    put("zero.jpg", b"", "empty file")
    put("cut.jpg", good[: len(good) // 3], "damaged image")
    png = folder / "tmp.png"
    Image.open(JPEGS[0]).save(png)
    put("cut.png", png.read_bytes()[:40000], "damaged image")
    png.unlink()
    Image.open(JPEGS[0]).save(folder / "tmp.tif", compression="tiff_lzw")
    tiff = (folder / "tmp.tif").read_bytes()
    (folder / "tmp.tif").unlink()
    put("corrupt.tif", tiff[: len(tiff) // 2], "damaged image (TIFF")
    put("letter.jpg", "이것은 스캔이 아닙니다".encode(), "unrecognised format")
    put("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ntrailer", "PDF cannot be opened")
    locked = folder / "locked.pdf"
    canvas = Canvas(str(locked), encrypt="secret")
    canvas.drawString(100, 100, "locked")
    canvas.save()
    bad[locked] = "PDF cannot be opened"
    Image.new("1", (40_000, 40_000)).save(folder / "bomb.png")
    bad[folder / "bomb.png"] = "too large"
    return bad


def test_bad_input_corpus_fails_file_by_file(tmp_path: Path, monkeypatch) -> None:
    bad = _bad_corpus(tmp_path / "in")
    odd = tmp_path / "in" / "odd"
    odd.mkdir()
    base = Image.open(JPEGS[0]).resize((560, 800))
    base.convert("CMYK").save(odd / "cmyk.jpg")
    Image.fromarray(np.asarray(base.convert("L")).astype("uint16") * 256).save(odd / "deep16.png")
    base.convert("L").save(odd / "grey.png")
    base.convert("RGBA").save(odd / "alpha.png")
    korean = tmp_path / "in" / "고양 군 대장" / "신도면 1번.jpg"
    korean.parent.mkdir()
    korean.write_bytes(JPEGS[1].read_bytes())
    unreadable = distinct_copies(tmp_path / "in" / "locked", 1)[0]
    vanishing = distinct_copies(tmp_path / "vanishing", 2, start=10)
    full_disk = distinct_copies(tmp_path / "in" / "full", 1, start=20)[0]
    archive = open_archive(tmp_path / "a" / "toji.db")
    job = batch.create_job(archive, [tmp_path / "in", tmp_path / "vanishing"])
    for path in vanishing:  # the folder goes after the job listed it
        path.unlink()
    (tmp_path / "vanishing").rmdir()
    real_read = Path.read_bytes

    def read_bytes(self: Path) -> bytes:  # root reads anything: refuse this one by hand
        if self == unreadable:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_read(self)

    real_keep = type(archive).keep_scan

    def keep_scan(self, data: bytes, sha256: str, suffix: str):  # noqa: ANN001, ANN202
        if data == full_disk.read_bytes():
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_keep(self, data, sha256, suffix)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.setattr(type(archive), "keep_scan", keep_scan)
    outcomes = {}
    summary = batch.run_job(archive, job, on_outcome=lambda o: outcomes.update({o.path: o}))
    bad[unreadable] = "permission denied"
    bad[full_disk] = "No space left on device"
    for path in vanishing:
        bad[path] = "no such file"
    for path, reason in bad.items():
        outcome = outcomes[path]
        assert outcome.status == "failed", path
        assert outcome.error.startswith(str(path)) and reason in outcome.error, outcome.error
    for path in [korean, *odd.iterdir()]:
        assert outcomes[path].status == "stored", (path, outcomes[path].error)
    assert summary.status == "done" and len(summary.failures) == len(bad)
    with archive.session() as s:
        scans = s.scalars(select(Scan)).all()
    assert len(scans) == 5  # the good ones; no trace of the broken ones
    assert {Path(s.path).name for s in scans} == {korean.name, *(p.name for p in odd.iterdir())}
    stored = {p.name for p in (archive.folder / "scans").rglob("*.*")}
    assert stored == {Path(s.stored).name for s in scans}
    assert _integrity(archive.folder / "toji.db") == "ok"
    # the disk has room again: only the failures are retried, and the full-disk one lands
    monkeypatch.undo()
    assert batch.retry_failed(archive, job) == len(bad)
    again = batch.run_job(archive, job)
    assert again.progress.pages_this_run == 2  # the full disk and the unreadable one
    with archive.session() as s:
        assert s.scalar(select(func.count()).select_from(Scan)) == 7


def test_dask_local_cluster_reads_like_the_pool(tmp_path: Path) -> None:
    from distributed import Client, LocalCluster

    scans = distinct_copies(tmp_path / "in", 4)
    pooled = open_archive(tmp_path / "pool" / "toji.db")
    batch.run_job(pooled, batch.create_job(pooled, scans), workers=2)
    clustered = open_archive(tmp_path / "dask" / "toji.db")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        summary = batch.run_job(clustered, batch.create_job(clustered, scans), cluster=client)
    assert summary.status == "done" and summary.progress.stored == 4

    def records(archive) -> list[tuple]:  # noqa: ANN001
        """What was read (confidences may differ in the last digits: other thread counts)."""
        with archive.session() as s:  # in any order: pages finish in any order
            return sorted((r["location"]["hanja"], r["lot"]["hanja"], r["area"]["hanja"],
                     [o["name"]["hanja"] for o in r["owners"]])
                          for r in (p.record for p in s.scalars(select(Parcel))))

    assert records(clustered) == records(pooled)


def test_dask_workers_write_directly_to_postgresql(tmp_path: Path) -> None:
    from distributed import Client, LocalCluster

    from tests.conftest import fresh_archive

    archive = fresh_archive("postgresql", tmp_path)
    scans = distinct_copies(tmp_path / "in", 3)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        summary = batch.run_job(archive, batch.create_job(archive, scans), cluster=client)
    assert summary.status == "done" and summary.progress.stored == 3
    with archive.session() as s:
        assert s.scalar(select(func.count()).select_from(Page)) == 3
        assert set(s.scalars(select(JobItem.status).where(JobItem.page.is_not(None)))) == {
            "stored"}
    archive.engine.dispose()


def test_watch_takes_what_the_scanner_drops(tmp_path: Path) -> None:
    from app.watch import watch

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    archive = open_archive(tmp_path / "a" / "toji.db")
    stop = threading.Event()
    outcomes = []
    # a thread starts with an empty context: hand it the signed-in user, as the GUI does
    thread = threading.Thread(target=contextvars.copy_context().run, args=(watch, archive, inbox),
                              kwargs={"interval": 0.2, "on_outcome": outcomes.append,
                                      "stop": stop})
    thread.start()
    try:
        distinct_copies(inbox, 2)
        deadline = time.monotonic() + 90
        while len(outcomes) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert sorted(o.path.name for o in outcomes) == ["scan 000.jpg", "scan 001.jpg"]
    assert all(o.status == "stored" for o in outcomes)


def test_cli_progress_summary_and_refusals(tmp_path: Path, capsys) -> None:
    scans = distinct_copies(tmp_path / "in", 2)
    (tmp_path / "list.txt").write_text(f"# today's scans\n{scans[0]}\nin/{scans[1].name}\n",
                                       encoding="utf-8")
    db = str(tmp_path / "a" / "toji.db")
    assert main(["process", str(tmp_path / "list.txt"), "--db", db]) == 0
    out, err = capsys.readouterr()
    assert "2 stored, 0 duplicate, 0 failed" in out
    assert "2/2 pages" in err and "pages/min" in err and "job 1 done" in err
    assert main(["process", "--resume", "--db", db]) == 2
    assert "no unfinished job" in capsys.readouterr().err
    assert main(["process", "--retry", "--db", db]) == 2
    assert main(["process", "--db", db]) == 2


def test_cli_retries_one_failed_item(tmp_path: Path, capsys) -> None:
    good, later = distinct_copies(tmp_path / "in", 2)
    data = later.read_bytes()
    later.write_bytes(data[:1000])  # not yet whole: the scanner was still writing
    db = str(tmp_path / "a" / "toji.db")
    assert main(["process", str(tmp_path / "in"), "--quiet", "--db", db]) == 1
    err = capsys.readouterr().err
    [line] = [x for x in err.splitlines() if x.startswith("  item ")]
    item = int(line.split()[1].rstrip(":"))
    assert later.name in line and "--item ID" in err
    later.write_bytes(data)
    assert main(["process", "--retry", "--job", "1", "--item", str(item), "--quiet",
                 "--db", db]) == 0
    assert "1 stored, 0 duplicate, 0 failed" in capsys.readouterr().out
