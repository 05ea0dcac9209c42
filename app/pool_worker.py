"""The start of a batch pool worker, kept free of heavy imports on purpose.

A pool worker beside a desktop window runs `nice` steps below it, so that on a PC with
as many workers as cores the window still answers at once (alone, a batch is as fast).
The priority must drop before the worker imports the OCR stack and loads its models,
the costliest moments of its life: this module imports nothing of Toji until then.
"""

from __future__ import annotations

import os


def start(engine_name: str, threads: int, nice: int) -> None:
    """Lower this process's priority (POSIX; Windows keeps the normal one), then warm up."""
    if nice and hasattr(os, "nice"):
        os.nice(nice)
    from app.page_task import warm

    warm(engine_name, threads)
