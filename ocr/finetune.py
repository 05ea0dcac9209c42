"""Fine-tuning the default engine's recogniser (PP-OCRv6-small, ONNX) on an archive's lines.

The stack: the shipped ONNX graph run in PyTorch (`ocr.torch_graph`), trained with CTC
loss on the CPU, and its weights written back into the same graph, so the result is an
ONNX file rapidocr loads like its own (`Rec.model_path`), its dictionary in the file's
`character` metadata as rapidocr reads it. Characters the labels hold and the model lacks
(畓, 乭, 〃 …) widen the last layer: a new class starts as a copy of a look-alike the
model already knows (沓 for 畓), so training only has to tell the two apart.

Lines are fed as rapidocr feeds them (BGR, 48 pixels high, scaled to [-1, 1], padded
with zeros on the right), so what is learnt is what the engine will see.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

from ocr.torch_graph import GraphModule

HEIGHT = 48
STRIDE = 8  # input columns per output step of the PP-OCRv6 recogniser
BATCH = 16
# A batch holds at most this many input columns (16 lines of 320 pixels): long lines go
# in smaller batches, so memory stays bounded whatever the archive's lines are like.
BATCH_COLUMNS = 16 * 320
LEARNING_RATE = 1e-4
# Trained: the backbone's last 12 convolutions (of 54), the sequence neck and the head.
# The earlier layers (strokes, edges) serve any hand; running them without gradients
# halves a step (16 lines of 320 pixels: 2.2 s whole, 1.0 s so; the forward pass alone,
# which no choice saves, is 0.75 s).
TRAINED_CONVOLUTIONS = 12


@dataclass(frozen=True)
class Line:
    """A line crop (RGB, upright, text left to right) and what it says; `page` groups the
    lines of one page, so a page is trained on or held out whole."""

    image: np.ndarray
    text: str
    page: str


@dataclass
class Progress:
    epoch: int
    epochs: int
    lines: int  # lines trained on so far in this epoch
    total: int  # lines per epoch
    lines_per_second: float
    loss: float
    held_out_cer: float | None = None  # after each epoch


@dataclass
class Score:
    """How a model reads a set of lines: character error rate, share of lines read
    exactly, and how many occurrences of the given characters were read as themselves."""

    cer: float
    exact: float
    lines: int
    focus_read: int = 0
    focus_total: int = 0
    readings: list[str] = field(default_factory=list, repr=False)

    @property
    def focus_recall(self) -> float | None:
        return self.focus_read / self.focus_total if self.focus_total else None

    def as_json(self) -> dict:
        return {"cer": round(self.cer, 5), "exact": round(self.exact, 5), "lines": self.lines,
                "new_characters_read": self.focus_read,
                "new_characters_total": self.focus_total}


def characters(model: onnx.ModelProto) -> list[str]:
    """The dictionary in model order (without CTC's blank and the trailing space)."""
    meta = {p.key: p.value for p in model.metadata_props}
    return meta["character"].splitlines()


def _head(model: onnx.ModelProto) -> tuple[onnx.TensorProto, onnx.TensorProto, str]:
    """The last layer's weight and bias, and the name of the logits (the final Softmax's
    input): the layer whose width is the number of classes."""
    classes = len(characters(model)) + 2
    inits = {i.name: i for i in model.graph.initializer}
    softmax = next(n for n in model.graph.node if n.output[0] == model.graph.output[0].name)
    weight = next(i for i in model.graph.initializer
                  if len(i.dims) == 2 and i.dims[1] == classes)
    bias = next(i for i in model.graph.initializer
                if len(i.dims) == 1 and i.dims[0] == classes)
    assert weight.name in inits and softmax.op_type == "Softmax"
    return weight, bias, softmax.input[0]


def widen(model: onnx.ModelProto, new: Sequence[str],
          seeds: dict[str, str]) -> onnx.ModelProto:
    """A copy of the model whose dictionary ends with `new`. Each new class starts as its
    seed's class (a look-alike already known), else as the average class with the lowest
    bias, so it is never read until it has been learnt."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    if not new:
        return model
    chars = characters(model)
    index = {c: i + 1 for i, c in enumerate(chars)}  # class 0 is CTC's blank
    weight, bias, _ = _head(model)
    w, b = numpy_helper.to_array(weight), numpy_helper.to_array(bias)
    columns, biases = [], []
    for ch in new:
        seed = index.get(seeds.get(ch, ""))
        columns.append(w[:, seed] if seed else w[:, 1:-1].mean(axis=1))
        biases.append(b[seed] if seed else b.min())
    space_w, space_b = w[:, -1:], b[-1:]  # rapidocr appends the space class last
    w = np.concatenate([w[:, :-1], np.stack(columns, axis=1), space_w], axis=1)
    b = np.concatenate([b[:-1], np.array(biases, np.float32), space_b])
    weight.CopyFrom(numpy_helper.from_array(w.astype(np.float32), weight.name))
    bias.CopyFrom(numpy_helper.from_array(b.astype(np.float32), bias.name))
    for prop in model.metadata_props:
        if prop.key == "character":
            prop.value = "\n".join([*chars, *new])
    del model.graph.value_info[:]  # shapes inferred for the old width
    return model


def tensor(images: Sequence[np.ndarray], min_steps: Sequence[int] = ()) -> torch.Tensor:
    """A batch as rapidocr makes one: BGR, 48 high, [-1, 1], zero-padded on the right; a
    line is given at least `min_steps` output steps (CTC needs one per character and one
    between repeats)."""
    resized = []
    for i, image in enumerate(images):
        h, w = image.shape[:2]
        width = max(1, math.ceil(HEIGHT * w / h))
        line = cv2.resize(np.ascontiguousarray(image[..., ::-1]), (width, HEIGHT))
        resized.append(line.astype(np.float32).transpose(2, 0, 1) / 127.5 - 1.0)
        if i < len(min_steps):
            resized[-1] = np.pad(resized[-1], ((0, 0), (0, 0),
                                               (0, max(0, min_steps[i] * STRIDE - width))))
    width = max(r.shape[2] for r in resized)
    batch = np.zeros((len(resized), 3, HEIGHT, width), np.float32)
    for i, r in enumerate(resized):
        batch[i, :, :, : r.shape[2]] = r
    return torch.from_numpy(batch)


def augment(image: np.ndarray, rng: random.Random) -> np.ndarray:
    """A little of what scans and hands vary in: scale, a pixel or two of shift, a slant,
    strokes a pixel thicker or thinner, contrast, blur; and on one line in three what old
    paper and a cheap scan do, faded ink, grain and JPEG blocks. The slant and the stroke
    weight are what a new clerk's hand changes first; the wear is where a fine-tune on a
    few hundred lines loses the shipped model's hardiness first (measured: the fields of
    heavily worn held-out pages read worse after it while their clean pages read better)."""
    h, w = image.shape[:2]
    sx, sy = rng.uniform(0.9, 1.1), rng.uniform(0.92, 1.08)
    shear = rng.uniform(-0.15, 0.15)  # x per y, about the line's middle
    matrix = np.float32([[sx, shear, rng.uniform(-2, 2) - shear * h / 2],
                         [0, sy, rng.uniform(-2, 2)]])
    out = cv2.warpAffine(image, matrix, (max(1, round(w * sx)), h),
                         borderMode=cv2.BORDER_REPLICATE)
    weight = rng.random()
    if weight < 0.3:  # ink is dark: a minimum filter thickens it, a maximum thins it
        out = (cv2.erode if weight < 0.15 else cv2.dilate)(out, np.ones((2, 2), np.uint8))
    worn = rng.random() < 0.33
    if rng.random() < (0.6 if worn else 0.3):
        out = cv2.GaussianBlur(out, (3, 3), 0)
    gain = rng.uniform(0.45, 0.9) if worn else rng.uniform(0.8, 1.1)
    out = 255 - (255 - out.astype(np.float32)) * gain
    if worn:
        grain = np.random.default_rng(rng.getrandbits(32)).normal(0, rng.uniform(3, 9),
                                                                   out.shape[:2])
        out = out + grain[..., None]
    out = np.clip(out, 0, 255).astype(np.uint8)
    if worn and rng.random() < 0.5:
        _, data = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(40, 85)])
        out = cv2.imdecode(data, cv2.IMREAD_COLOR)
    return out


def _width(line: Line) -> int:
    return max(math.ceil(HEIGHT * line.image.shape[1] / line.image.shape[0]),
               _steps(line.text) * STRIDE)


def _batches(lines: Sequence[Line]) -> list[list[Line]]:
    """Lines of like widths together (little padding), at most BATCH lines and
    BATCH_COLUMNS columns of padded input each."""
    batches: list[list[Line]] = []
    for line in sorted(lines, key=_width):
        batch = batches[-1] if batches else None
        if batch and len(batch) < BATCH and _width(line) * (len(batch) + 1) <= BATCH_COLUMNS:
            batch.append(line)
        else:
            batches.append([line])
    return batches


def _train_from(model: onnx.ModelProto) -> str | None:
    """The node training starts at: the TRAINED_CONVOLUTIONS-th convolution from the end
    of the backbone (which ends at its pooling into a sequence)."""
    nodes = list(model.graph.node)
    end = next((i for i, n in enumerate(nodes) if n.op_type == "AveragePool"), len(nodes))
    convs = [n.name for n in nodes[:end] if n.op_type == "Conv"]
    return convs[-TRAINED_CONVOLUTIONS] if len(convs) > TRAINED_CONVOLUTIONS else None


def _steps(text: str) -> int:
    repeats = sum(a == b for a, b in zip(text, text[1:], strict=False))
    return len(text) + repeats + 1


def _targets(texts: Sequence[str], index: dict[str, int]) -> torch.Tensor:
    return torch.tensor([index[c] for t in texts for c in t], dtype=torch.int64)


def score(read: Callable[[list[np.ndarray]], list[str]], lines: Sequence[Line],
          focus: str = "") -> Score:
    """Reads the lines and scores them against their text; `focus` characters (those the
    shipped model lacked) are counted where the alignment reads them as themselves."""
    from rapidfuzz.distance import Levenshtein

    readings = read([line.image for line in lines]) if lines else []
    errors = chars = exact = focus_read = focus_total = 0
    for line, got in zip(lines, readings, strict=True):
        errors += Levenshtein.distance(line.text, got)
        chars += len(line.text)
        exact += got == line.text
        if focus and any(c in focus for c in line.text):
            focus_total += sum(c in focus for c in line.text)
            for op in Levenshtein.opcodes(line.text, got):
                if op.tag == "equal":
                    focus_read += sum(c in focus for c in line.text[op.src_start:op.src_end])
    return Score(errors / max(chars, 1), exact / max(len(lines), 1), len(lines),
                 focus_read, focus_total, readings)


class Trainer:
    """One fine-tune: the widened model in torch, trained a given number of epochs."""

    def __init__(self, base: onnx.ModelProto, new: Sequence[str], seeds: dict[str, str],
                 seed: int = 0) -> None:
        torch.manual_seed(seed)
        self.rng = random.Random(seed)
        self.model = widen(base, new, seeds)
        self.characters = characters(self.model)
        self.index = {c: i + 1 for i, c in enumerate(self.characters)}
        self.index[" "] = len(self.characters) + 1
        _, _, logits = _head(self.model)
        self.net = GraphModule(self.model, output=logits, train_from=_train_from(self.model))
        trained = [p for p in self.net.parameters() if p.requires_grad]
        self.optimiser = torch.optim.AdamW(trained, lr=LEARNING_RATE, weight_decay=1e-4)

    def usable(self, line: Line) -> bool:
        """A line whose characters the model has (an empty text teaches it to read nothing
        where the shipped model read nothing)."""
        return all(c in self.index for c in line.text)

    def epoch(self, lines: Sequence[Line], number: int, epochs: int,
              progress: Callable[[Progress], None] | None = None) -> float:
        """One pass over the lines in batches of like widths; returns the mean loss."""
        lines = [line for line in lines if self.usable(line)]
        batches = _batches(lines)
        self.rng.shuffle(batches)
        steps_total = epochs * max(len(batches), 1)
        start, seen, losses = time.perf_counter(), 0, []
        for b, batch in enumerate(batches):
            step = (number - 1) * len(batches) + b
            for group in self.optimiser.param_groups:  # cosine decay over the whole run
                group["lr"] = LEARNING_RATE * 0.5 * (1 + math.cos(math.pi * step / steps_total))
            texts = [line.text for line in batch]
            images = [augment(line.image, self.rng) for line in batch]
            x = tensor(images, [_steps(t) for t in texts])
            logits = self.net(x)  # N, T, C
            log_probs = F.log_softmax(logits, dim=2).permute(1, 0, 2)
            lengths = torch.full((len(batch),), log_probs.shape[0], dtype=torch.int64)
            loss = F.ctc_loss(log_probs, _targets(texts, self.index), lengths,
                              torch.tensor([len(t) for t in texts]), blank=0,
                              zero_infinity=True)
            self.optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.net.parameters(), 5.0)
            self.optimiser.step()
            losses.append(float(loss.detach()))
            seen += len(batch)
            if progress:
                progress(Progress(number, epochs, seen, len(lines),
                                  seen / (time.perf_counter() - start), losses[-1]))
        return float(np.mean(losses)) if losses else 0.0

    def save(self, path: Path) -> None:
        """Writes the trained ONNX model, its dictionary in its metadata."""
        model = onnx.ModelProto.FromString(self.model.SerializeToString())
        self.net.write_back(model)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        onnx.save(model, str(partial))
        partial.replace(path)
