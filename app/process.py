"""Processing scans into the archive: the simple entry point over `app.batch`.

Each page is read cell by cell against the form templates and becomes a parcel record
(`translit.fields`); its cell readings are kept as text lines with their field. A page
that matches no form keeps the engine's whole-page lines and is marked "no form".
Each page is stored in a transaction of its own, so a failure on one file leaves every
other file's rows whole. A scan already in the archive (same SHA-256) is not read again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from app.batch import Outcome, create_job, run_job
from db.archive import Archive

__all__ = ["Outcome", "process_paths"]


def process_paths(paths: Iterable[Path], archive: Archive, engine_name: str | None = None,
                  on_outcome: Callable[[Outcome], None] | None = None,
                  workers: int = 0) -> list[Outcome]:
    """Processes files, folders and list files as one job; returns each file's outcome
    (also reported through `on_outcome` as it happens). The engine is by default the
    archive's choice: the shipped recogniser or the model it trained (`toji models`)."""
    from app.recognisers import engine_for, resolve
    from ocr.engine import get_engine

    engine_name = engine_for(archive, engine_name)
    get_engine(resolve(archive, engine_name))  # an unknown or missing engine stops here
    outcomes: list[Outcome] = []

    def collect(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if on_outcome:
            on_outcome(outcome)

    run_job(archive, create_job(archive, paths, engine_name), workers=workers,
            on_outcome=collect)
    return outcomes
