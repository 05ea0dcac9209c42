"""Long work off the GUI thread: a QThread that runs one service call in the caller's
context (so the signed-in user goes with it) and reports through signals, which Qt
delivers on the GUI thread."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QThread, Signal


class Task(QThread):
    progress = Signal(object)
    outcome = Signal(object)
    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self._call = (fn, args, kwargs)
        self._context = contextvars.copy_context()

    def run(self) -> None:
        fn, args, kwargs = self._call
        try:
            result = self._context.run(fn, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - shown to the clerk, the window stays up
            self.failed.emit(str(exc))
        else:
            self.succeeded.emit(result)
