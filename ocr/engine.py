"""The OCR engine interface and its embedded default backend, rapidocr (PP-OCRv6-small).

Backends are chosen by name (`get_engine("rapidocr")`), loaded once per process and
reused: loading costs far more than reading a page. rapidocr carries its ONNX weights
inside its wheel, so nothing is ever downloaded at run time.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Protocol

import numpy as np

from ocr.records import TextLine
from ocr.unsure import ReadText, alternatives

# Measured on register pages: rapidocr's default (limit_type "min", 736) upscales
# small inputs, about 10x slower on line crops and worse on degraded scans. Capping
# the longer side near 1600 keeps a 300-dpi card's handwriting legible.
DETECTION_SIDE = 1600
# rapidocr pads every crop of a batch to at least 320 x 48 (a ratio of 6.7). A register's
# crops are mostly short (a label, a two-character name: ratio 1.5-3), so most of that
# width was padding the recogniser read for nothing: padding only to 96 reads the same
# text (the rare differences were fixes: 遗贈 -> 遺贈) about 40% faster on a page read by
# its labels, 28% on one read by its template (measured on the crops of 6 pages each).
RECOGNITION_MIN_WIDTH = 96


class EngineUnavailableError(RuntimeError):
    """The engine's package or model is missing; the message says what to install."""


class OcrEngine(Protocol):
    """Anything that turns an RGB page into text lines."""

    name: str

    def read(self, image: np.ndarray) -> list[TextLine]:
        """Detects and recognises every text line of an RGB uint8 image."""
        ...

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Recognises line crops (RGB uint8, text running left to right), no detection."""
        ...


class RapidOcrEngine:
    """PP-OCRv6-small detection and recognition through ONNX Runtime."""

    name = "rapidocr"

    def __init__(self, detection_side: int = DETECTION_SIDE,
                 recogniser: Path | None = None) -> None:
        if recogniser is not None:  # a fine-tuned model: models/NAME/model.onnx
            if not recogniser.is_file():
                raise EngineUnavailableError(
                    f"{recogniser}: the recogniser model is missing; 'toji models list' "
                    "shows the archive's models, 'toji models use default' the shipped one")
            self.name = f"rapidocr+{recogniser.parent.name}"
        try:
            from rapidocr import RapidOCR
        except ImportError as exc:  # the wheel or onnxruntime is absent
            raise EngineUnavailableError(
                f"the rapidocr engine cannot load ({exc}): install it with "
                "'pip install rapidocr onnxruntime' (or re-run 'make setup')"
            ) from exc
        try:
            params: dict[str, object] = {
                "Det.limit_type": "max",
                "Det.limit_side_len": detection_side,
                "Rec.rec_img_shape": [3, 48, RECOGNITION_MIN_WIDTH],
                "Global.log_level": "error",
            }
            if recogniser is not None:  # its dictionary is in the file's metadata
                params["Rec.model_path"] = str(recogniser)
            threads = os.environ.get("TOJI_OCR_THREADS")  # a batch worker's share of cores
            if threads:
                params["EngineConfig.onnxruntime.intra_op_num_threads"] = int(threads)
                params["EngineConfig.onnxruntime.inter_op_num_threads"] = 1
            self._ocr = RapidOCR(params=params)
        except Exception as exc:  # a model file missing or damaged inside the wheel
            raise EngineUnavailableError(
                f"the rapidocr models failed to load ({exc}): reinstall with "
                "'pip install --force-reinstall rapidocr'"
            ) from exc

    def _recogniser(self):  # noqa: ANN202 - rapidocr's TextRecognizer
        """rapidocr's recogniser, loaded once, its decoder kept the runners-up."""
        rec = self._ocr._load_rec_model()
        if not isinstance(rec.postprocess_op, _KeepRunnersUp):
            rec.postprocess_op = _KeepRunnersUp(rec.postprocess_op)
        return rec

    def read(self, image: np.ndarray) -> list[TextLine]:
        self._recogniser()
        result = self._ocr(np.ascontiguousarray(image[..., ::-1]))  # rapidocr wants BGR
        if result.boxes is None or result.txts is None:
            return []
        return [
            TextLine(text, tuple((float(x), float(y)) for x, y in box), float(score))  # type: ignore[arg-type]
            for box, text, score in zip(result.boxes, result.txts, result.scores, strict=True)
        ]


    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        if not crops:
            return []
        self._recogniser()
        result = self._ocr.recognize_txt([np.ascontiguousarray(c[..., ::-1]) for c in crops])
        return [(text, float(score)) for text, score in zip(result.txts, result.scores, strict=True)]

    def characters(self) -> list[str]:
        """The recogniser's dictionary in model order (as PaddleOCR's dict files hold it:
        without CTC's blank and the space it appends), for fine-tuning the same head."""
        return [c for c in self._recogniser().postprocess_op.character[1:] if c != " "]


class _KeepRunnersUp:
    """rapidocr's CTC decoder, whose texts also carry what the recogniser was unsure of
    (ocr.unsure): the same text, with each doubted character's runners-up."""

    def __init__(self, decoder) -> None:  # noqa: ANN001 - rapidocr's CTCLabelDecode
        self._decoder = decoder
        self.character = decoder.character

    def __call__(self, preds: np.ndarray, return_word_box: bool = False, **kwargs):  # noqa: ANN003, ANN204
        lines, words = self._decoder(preds, return_word_box, **kwargs)
        kept = []
        for probs, (text, score) in zip(preds, lines, strict=True):
            decoded, unsure = alternatives(probs, self.character)
            kept.append((ReadText(text, unsure) if unsure and decoded == text else text, score))
        return kept, words


class RememberingEngine:
    """An engine that reads each distinct crop once. A page read by its labels is sampled
    one way and another before it is read whole, and the way it is read whole crops the
    sampled blocks exactly as one of its samples did: those are not read again."""

    def __init__(self, engine: OcrEngine) -> None:
        self._engine = engine
        self.name = engine.name
        self._read: dict[tuple[tuple[int, ...], bytes], tuple[str, float]] = {}

    def read(self, image: np.ndarray) -> list[TextLine]:
        return self._engine.read(image)

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        keys = [(c.shape, c.tobytes()) for c in crops]
        new = {k: c for k, c in zip(keys, crops, strict=True) if k not in self._read}
        if new:
            self._read.update(zip(new, self._engine.recognize(list(new.values())), strict=True))
        return [self._read[k] for k in keys]


class RecordingEngine:
    """An engine that keeps every crop it was asked to recognise with what it read, so
    a recogniser can be trained on exactly what the reading pipeline feeds it (the
    page's ink channel, cut and turned as the pipeline cuts and turns it)."""

    def __init__(self, engine: OcrEngine) -> None:
        self._engine = engine
        self.name = engine.name
        self.read_crops: list[tuple[np.ndarray, str, float]] = []

    def read(self, image: np.ndarray) -> list[TextLine]:
        return self._engine.read(image)

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        results = self._engine.recognize(crops)
        self.read_crops += [(c, text, score)
                            for c, (text, score) in zip(crops, results, strict=True)]
        return results


def _paddle() -> OcrEngine:
    from ocr.paddle_engine import PaddleEngine  # imported late: it imports this module

    return PaddleEngine()


ENGINES = {"rapidocr": RapidOcrEngine, "paddle": _paddle}


@functools.cache
def get_engine(name: str = "rapidocr") -> OcrEngine:
    """The named engine, loaded once per process. `rapidocr@PATH` is the default engine
    reading with the recogniser at PATH (a model the archive trained); its pages record
    `rapidocr+NAME`, NAME being the model's folder."""
    backend, _, model = name.partition("@")
    if backend == "rapidocr" and model:
        return RapidOcrEngine(recogniser=Path(model))
    try:
        factory = ENGINES[name]
    except KeyError:
        raise EngineUnavailableError(
            f"unknown OCR engine {name!r}: choose one of {', '.join(ENGINES)}"
        ) from None
    return factory()
