"""Watch mode: process what a scanner drops into a folder, as it arrives.

A file is taken once it has kept the same size and modification time over two looks
(a scanner still writing it is left alone), then queued on the watch's job and run.
Everything a batch guarantees holds: a watch that dies is resumed with `--resume`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app import ingest
from app.batch import Outcome, add_files, create_job, run_job
from db.archive import Archive


def _signatures(folder: Path) -> dict[Path, tuple[int, float]]:
    found = {}
    for path in ingest.expand([folder]) if folder.is_dir() else []:
        try:
            stat = path.stat()
        except OSError:  # gone between the listing and the look
            continue
        found[path] = (stat.st_size, stat.st_mtime)
    return found


def watch(archive: Archive, folder: Path, engine: str = "rapidocr", workers: int = 0,
          interval: float = 5.0, on_outcome: Callable[[Outcome], None] | None = None,
          stop: threading.Event | None = None, cluster: Any = None) -> int:
    """Watches `folder` until `stop` is set (or Ctrl-C); returns the job's id."""
    stop = stop or threading.Event()
    job_id = create_job(archive, [], engine)
    seen: dict[Path, tuple[int, float]] = {}
    taken: set[Path] = set()
    try:
        while not stop.is_set():
            current = _signatures(folder)
            ready = sorted(p for p, sig in current.items()
                           if p not in taken and seen.get(p) == sig and sig[0] > 0)
            seen = current
            if ready:
                add_files(archive, job_id, ready)
                taken.update(ready)
                run_job(archive, job_id, workers, cluster, on_outcome=on_outcome, stop=stop)
            stop.wait(interval)
    except KeyboardInterrupt:
        pass
    return job_id
