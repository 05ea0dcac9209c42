"""Batches at archive scale: durable, resumable, parallel.

A job lists its files as items. The coordinator opens a file (hash, duplicate check,
page count, the archive's copy) and, in one transaction, registers the scan and turns
the file item into one item per page. Each page is then read by the same function
(`app.page_task`) inline, in a process pool (`workers`) or on a Dask cluster
(`cluster`), and stored in one transaction together with its item's new status — so
whatever moment a run dies at, a page is either stored and marked, or neither, and
`resume` redoes exactly the pages that were not stored. With SQLite the coordinator is
the only writer; on a cluster over PostgreSQL the workers store their own pages.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import datetime as dt
import multiprocessing
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from app import ingest, pool_worker
from app.auth import require
from app.forms import template_json
from app.page_task import PageReading, read_and_store, read_page_task, warm
from app.recognisers import resolve
from app.scans import scan_file
from app.search import current_actor
from db.archive import Archive
from db.index import index_parcel
from db.models import Job, JobItem, Page, Parcel, Scan, TextLineRow
from ocr.engine import ENGINES as _ENGINES

ENGINES = tuple(_ENGINES)  # the OCR engines a job can read with (the GUI offers these)

FINISHED = ("stored", "duplicate", "failed", "split")


class BatchError(RuntimeError):
    """A batch that cannot run (no job to resume, a cluster that cannot be reached)."""


@dataclass
class Progress:
    """Where a run stands; the CLI draws it as a bar, the GUI from its callback."""

    total: int = 0  # pages known, plus files not yet opened (counted as one page)
    done: int = 0
    stored: int = 0
    duplicate: int = 0
    failed: int = 0
    review: int = 0
    started: float = field(default_factory=time.monotonic)
    pages_this_run: int = 0
    current: str | None = None

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def pages_per_minute(self) -> float:
        return 60.0 * self.pages_this_run / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        rate = self.pages_per_minute
        return 60.0 * (self.total - self.done) / rate if rate > 0 else None

    @property
    def time_left(self) -> str:
        """The time left as h:mm:ss ('-:--:--' before the first page is read)."""
        eta = self.eta_seconds
        if eta is None:
            return "-:--:--"
        return f"{int(eta) // 3600}:{int(eta) % 3600 // 60:02d}:{int(eta) % 60:02d}"


@dataclass
class Summary:
    job_id: int
    status: str  # done | stopped
    progress: Progress
    failures: list[tuple[int, str]]  # (item id, 'PATH: reason'), for `--retry`


@dataclass(frozen=True)
class Outcome:
    """What became of one file: stored, duplicate (already in the archive) or failed."""

    path: Path
    status: str
    scan_id: int | None = None
    pages: int = 0
    lines: int = 0
    review: int = 0  # pages with a field (or the whole page) for a clerk to check
    error: str | None = None


# ---- jobs -------------------------------------------------------------------------------

def create_job(archive: Archive, paths: Iterable[Path], engine: str = "rapidocr",
               actor: str | None = None) -> int:
    """A new job over files, folders (recursively) and list files; returns its id."""
    require("process")
    paths = list(paths)
    with archive.session() as session, session.begin():
        job = Job(engine=engine, actor=actor or current_actor(), sources=[str(p) for p in paths])
        session.add(job)
        session.flush()
        session.add_all(JobItem(job_id=job.id, path=str(p)) for p in ingest.expand(paths))
        return job.id


def add_files(archive: Archive, job_id: int, paths: Iterable[Path]) -> int:
    """Queues more files on a job (watch mode); returns how many."""
    require("process")
    with archive.session() as session, session.begin():
        items = [JobItem(job_id=job_id, path=str(p)) for p in paths]
        session.add_all(items)
        session.execute(update(Job).where(Job.id == job_id).values(status="running"))
        return len(items)


def unfinished_job(archive: Archive) -> int:
    """The last job that did not finish, for `--resume`."""
    with archive.session() as session:
        job_id = session.scalar(select(Job.id).where(Job.status != "done")
                                .order_by(Job.id.desc()))
    if job_id is None:
        raise BatchError("no unfinished job in this archive to resume")
    return job_id


def retry_failed(archive: Archive, job_id: int, item_ids: list[int] | None = None) -> int:
    """Queues a job's failed items again (all, or those named); returns how many."""
    require("process")
    with archive.session() as session, session.begin():
        query = select(JobItem).where(JobItem.job_id == job_id, JobItem.status == "failed")
        if item_ids:
            query = query.where(JobItem.id.in_(item_ids))
        items = session.scalars(query).all()
        for item in items:
            item.status, item.error, item.attempts = "queued", None, item.attempts + 1
            if item.page is not None and item.scan_id is None:  # its scan row went: reopen
                item.page = None
        session.execute(update(Job).where(Job.id == job_id).values(status="running"))
        return len(items)


# ---- storing ------------------------------------------------------------------------------

def page_row(reading: PageReading) -> Page:
    """The rows for one page read: page, text lines and, on a form, the parcel."""
    page = Page(number=reading.number, width=reading.width, height=reading.height,
                dpi=reading.dpi, engine=reading.engine, form=reading.form, skew=reading.skew,
                status="read" if reading.form else "no form", template=reading.template)
    for order, (text, confidence, box, field_path) in enumerate(reading.lines):
        page.lines.append(TextLineRow(order=order, text=text, confidence=confidence, box=box,
                                      field=field_path))
    if reading.record is not None:
        page.parcel = Parcel(form=reading.record["form"], needs_review=reading.needs_review,
                             record=reading.record)
    return page


def store_page(archive: Archive, item_id: int, reading: PageReading) -> bool:
    """Stores a page and marks its item stored, in one transaction. False when the item
    was already stored (a task run twice): nothing is written twice."""
    with archive.session() as session, session.begin():
        item = session.get(JobItem, item_id, with_for_update=True)
        if item is None or item.status != "queued" or item.scan_id is None:
            return False
        page = page_row(reading)
        page.scan_id = item.scan_id
        session.add(page)
        session.flush()
        if page.parcel is not None:
            index_parcel(session, page.parcel)
        item.status, item.page_id, item.error = "stored", page.id, None
        _close_scan(archive, session, item.scan_id)  # never takes out: a page is stored
        return True


def _fail(archive: Archive, item_id: int, error: str) -> None:
    copy = None
    with archive.session() as session, session.begin():
        item = session.get(JobItem, item_id)
        if item is None or item.status != "queued":
            return
        item.status, item.error = "failed", error
        if item.scan_id is not None:
            copy = _close_scan(archive, session, item.scan_id)
    if copy is not None:
        copy.unlink(missing_ok=True)


def _close_scan(archive: Archive, session, scan_id: int) -> Path | None:  # noqa: ANN001
    """When every page of a scan is finished: 'stored' (or 'partial'); a scan with no page
    stored is taken out again, so a broken file leaves nothing behind. Returns the
    archive's copy of such a scan, to delete once the transaction is committed."""
    statuses = session.scalars(select(JobItem.status).where(
        JobItem.scan_id == scan_id, JobItem.page.is_not(None))).all()
    scan = session.get(Scan, scan_id)
    if "queued" in statuses or scan is None:
        return None
    if "stored" in statuses:
        scan.status = "stored" if "failed" not in statuses else "partial"
        return None
    copy = scan_file(archive, scan) if scan.stored and archive.folder is not None else None
    session.execute(update(JobItem).where(JobItem.scan_id == scan_id).values(scan_id=None))
    session.delete(scan)
    return copy


# ---- opening files ------------------------------------------------------------------------

def _split(archive: Archive, item_id: int) -> tuple[str, int | None, int, str | None]:
    """Opens a file item: (status, scan id, pages, error). A new scan becomes page items."""
    with archive.session() as session:
        item = session.get(JobItem, item_id)
        path = Path(item.path)
    try:
        scan = ingest.load(path)
        with archive.session() as session:
            existing = session.scalar(select(Scan.id).where(Scan.sha256 == scan.sha256))
        if existing is not None:
            _set(archive, item_id, "duplicate", scan_id=existing)
            return "duplicate", existing, 0, None
        count = ingest.page_count(scan)
        stored = archive.keep_scan(scan.data, scan.sha256, path.suffix)
    except ingest.ScanError as exc:
        _set(archive, item_id, "failed", error=str(exc))
        return "failed", None, 0, str(exc)
    except OSError as exc:  # a full disk, a read-only archive folder
        error = f"{path}: cannot copy into the archive ({exc.strerror or exc})"
        _set(archive, item_id, "failed", error=error)
        return "failed", None, 0, error
    with archive.session() as session, session.begin():
        item = session.get(JobItem, item_id)
        row = Scan(sha256=scan.sha256, path=str(path.resolve()), stored=stored,
                   size=len(scan.data), status="reading")
        session.add(row)
        session.flush()
        session.add_all(JobItem(job_id=item.job_id, path=item.path, page=n, scan_id=row.id)
                        for n in range(1, count + 1))
        item.status, item.scan_id = "split", row.id
        return "split", row.id, count, None


def _set(archive: Archive, item_id: int, status: str, **values: Any) -> None:
    with archive.session() as session, session.begin():
        session.execute(update(JobItem).where(JobItem.id == item_id)
                        .values(status=status, **values))


# ---- where pages are read -----------------------------------------------------------------

class _Inline:
    """Reads pages in this process, one at a time."""

    def __init__(self, engine: str) -> None:
        warm(engine)
        self.done: collections.deque = collections.deque()

    def submit(self, fn: Callable, *args: Any) -> cf.Future:
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:  # noqa: BLE001 - handed to the coordinator like a worker's
            future.set_exception(exc)
        self.done.append(future)
        return future

    def next_done(self, pending: set) -> cf.Future:
        return self.done.popleft()

    def close(self) -> None:
        pass


WORKER_NICE = 5  # pool workers yield the CPU to the window and the coordinating process


class _Pool:
    """A pool of worker processes, each loading the models once and reading on one thread
    (as OCRmyPDF's jobs do): pages in parallel scale better than threads within a page,
    so on N cores `--workers N` is the fastest."""

    def __init__(self, engine: str, workers: int) -> None:
        self.executor = cf.ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=pool_worker.start, initargs=(engine, 1, WORKER_NICE))

    def submit(self, fn: Callable, *args: Any) -> cf.Future:
        return self.executor.submit(fn, *args)

    def next_done(self, pending: set) -> cf.Future:
        done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
        return next(iter(done))

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


class _Cluster:
    """A Dask distributed cluster at `address` (or a Client given directly, in tests)."""

    def __init__(self, address: Any, engine: str) -> None:
        try:
            from distributed import Client, as_completed
        except ImportError:
            raise BatchError("--cluster needs Dask: pip install 'toji[cluster]'") from None
        try:
            self.client = address if isinstance(address, Client) else \
                Client(address, timeout="20s")
        except OSError as exc:
            raise BatchError(f"cannot reach the Dask scheduler at {address} ({exc})") from None
        self.own = not isinstance(address, Client)
        self.client.run(warm, engine, 1)  # a Dask worker runs a task per thread it has
        self.completed = as_completed()

    def submit(self, fn: Callable, *args: Any):  # noqa: ANN201 - distributed.Future
        future = self.client.submit(fn, *args, pure=False)
        self.completed.add(future)
        return future

    def next_done(self, pending: set):  # noqa: ANN201
        return next(self.completed)

    def close(self) -> None:
        if self.own:
            self.client.close()


# ---- the run ------------------------------------------------------------------------------

@dataclass
class _File:
    path: str
    pages: int
    done: int = 0
    stored: int = 0
    lines: int = 0
    review: int = 0
    errors: list[str] = field(default_factory=list)


def _source(archive: Archive, scan_id: int) -> tuple[str, str]:
    with archive.session() as session:
        scan = session.get(Scan, scan_id)
        return str(scan_file(archive, scan).resolve()), scan.sha256


def _count(archive: Archive, job_id: int, progress: Progress) -> None:
    with archive.session() as session:
        rows = session.execute(select(JobItem.status, func.count())
                               .where(JobItem.job_id == job_id)
                               .group_by(JobItem.status)).all()
        review = session.scalar(select(func.count()).select_from(JobItem)
                                .join(Parcel, Parcel.page_id == JobItem.page_id)
                                .where(JobItem.job_id == job_id, Parcel.needs_review))
    for status, n in rows:
        if status == "split":
            continue
        progress.total += n
        if status != "queued":
            progress.done += n
            setattr(progress, status, getattr(progress, status) + n)
    progress.review = review or 0


def run_job(archive: Archive, job_id: int, workers: int = 0, cluster: Any = None,
            on_progress: Callable[[Progress], None] | None = None,
            on_outcome: Callable[[Outcome], None] | None = None,
            stop: threading.Event | None = None) -> Summary:
    """Runs a job's queued items to the end (or until `stop` is set); returns a summary.
    `workers` 0 reads in this process; N a pool of N processes; `cluster` a Dask address."""
    require("process")
    with archive.session() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise BatchError(f"no job {job_id} in this archive")
        engine = resolve(archive, job.engine)  # rapidocr+NAME: the archive's model's file
        files = session.scalars(select(JobItem.id).where(
            JobItem.job_id == job_id, JobItem.status == "queued", JobItem.page.is_(None))
            .order_by(JobItem.id)).all()
        pages = session.execute(select(JobItem.id, JobItem.scan_id, JobItem.page).where(
            JobItem.job_id == job_id, JobItem.status == "queued", JobItem.page.is_not(None))
            .order_by(JobItem.id)).all()
        tracked: dict[int, _File] = {}
        for scan_id in {p.scan_id for p in pages}:
            statuses = session.execute(select(JobItem.status, JobItem.path).where(
                JobItem.scan_id == scan_id, JobItem.page.is_not(None))).all()
            tracked[scan_id] = _File(statuses[0].path, len(statuses),
                                     sum(s.status != "queued" for s in statuses),
                                     sum(s.status == "stored" for s in statuses))
    forms = template_json(archive)  # built-in and learnt: once a job, handed to each page
    progress = Progress()
    _count(archive, job_id, progress)
    direct = cluster is not None and archive.engine.dialect.name == "postgresql"
    runner = (_Cluster(cluster, engine) if cluster is not None else
              _Pool(engine, workers) if workers > 0 else _Inline(engine))
    queue = collections.deque((p.id, p.scan_id, p.page) for p in pages)
    files_left = collections.deque(files)
    pending: dict[Any, tuple[int, int]] = {}
    capacity = 1 if workers == 0 and cluster is None else 2 * max(workers, 2)
    failures: list[tuple[int, str]] = []

    def report() -> None:
        if on_progress:
            on_progress(progress)

    def file_done(scan_id: int) -> None:
        f = tracked.pop(scan_id)
        status = "stored" if f.stored else "failed"
        if on_outcome:
            on_outcome(Outcome(Path(f.path), status, scan_id if f.stored else None, f.stored,
                               f.lines, f.review, "; ".join(f.errors) or None))

    try:
        report()
        while queue or files_left or pending:
            stopping = stop is not None and stop.is_set()
            while not stopping and len(pending) < capacity and (queue or files_left):
                if not queue:
                    item_id = files_left.popleft()
                    status, scan_id, count, error = _split(archive, item_id)
                    if status == "split":
                        with archive.session() as session:
                            ids = session.execute(select(JobItem.id, JobItem.page).where(
                                JobItem.scan_id == scan_id, JobItem.page.is_not(None))
                                .order_by(JobItem.page)).all()
                        queue.extend((i, scan_id, n) for i, n in ids)
                        with archive.session() as session:
                            path = session.get(JobItem, item_id).path
                        tracked[scan_id] = _File(path, count)
                        progress.total += count - 1
                    else:
                        progress.done += 1
                        setattr(progress, status, getattr(progress, status) + 1)
                        if status == "failed":
                            failures.append((item_id, error or ""))
                        if on_outcome:
                            with archive.session() as session:
                                path = Path(session.get(JobItem, item_id).path)
                            on_outcome(Outcome(path, status, scan_id, error=error))
                        report()
                    continue
                item_id, scan_id, number = queue.popleft()
                source, sha256 = _source(archive, scan_id)
                progress.current = f"{tracked[scan_id].path} p.{number}"
                if direct:
                    handle = runner.submit(read_and_store, str(archive.engine.url.render_as_string(
                        hide_password=False)), item_id, source, sha256, number, engine, forms)
                else:
                    handle = runner.submit(read_page_task, source, sha256, number, engine, forms)
                pending[handle] = (item_id, scan_id)
            if not pending:
                break
            handle = runner.next_done(set(pending))
            item_id, scan_id = pending.pop(handle)
            f = tracked[scan_id]
            try:
                result = handle.result()
            except Exception as exc:  # noqa: BLE001 - a page's failure never stops the batch
                # named by the file the clerk gave, not the archive's copy of it
                error = f"{f.path}: {exc.reason}" if isinstance(exc, ingest.ScanError) else \
                    f"{f.path}: page could not be read ({type(exc).__name__}: {exc})"
                _fail(archive, item_id, error)
                failures.append((item_id, error))
                f.errors.append(error)
                progress.failed += 1
            else:
                if direct:
                    lines, review = result
                else:
                    store_page(archive, item_id, result)
                    lines, review = len(result.lines), result.needs_review
                f.stored += 1
                f.lines += lines
                f.review += int(review)
                progress.stored += 1
                progress.review += int(review)
                progress.pages_this_run += 1
            f.done += 1
            progress.done += 1
            if f.done == f.pages:
                file_done(scan_id)
            report()
    finally:
        runner.close()
    with archive.session() as session, session.begin():
        left = session.scalar(select(func.count()).select_from(JobItem).where(
            JobItem.job_id == job_id, JobItem.status == "queued"))
        job = session.get(Job, job_id)
        job.status = "done" if not left else "stopped"
        job.finished_at = dt.datetime.now(dt.UTC) if not left else None
        status = job.status
    return Summary(job_id, status, progress, failures)
