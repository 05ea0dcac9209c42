"""The archive's own recognisers: fine-tuned on the lines its clerks confirmed, kept in
`models/NAME/` beside the archive, and the one `toji process` reads with.

Each model folder holds the weights (`model.onnx`, its dictionary in the file's metadata,
as rapidocr reads it), the dictionary again as `dict.txt` for people and other tools, and
`model.json`: when and from what it learnt (pages, lines, the held-out pages) and how it
read the held-out lines against the model that was in use. The shipped model is never
touched and `use default` always brings it back.

Training holds out whole pages (about one in five, chosen by the page's digest, so the
same page is always on the same side): no line of a held-out page is ever trained on.
A model that reads the held-out lines no better than the model in use, or that no longer
reads the held-out pages' printed labels as they were read, is kept but not used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import re
import resource
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np
from sqlalchemy import select

from app.auth import require
from db.archive import Archive
from db.models import AuditEntry, RecogniserModel, Setting
from ocr.labels import match
from translit.vocabulary import DITTO_MARKS

if TYPE_CHECKING:  # imported where used: `toji` starts without the training set's imports
    from app.training_set import ConfirmedLine

SETTING = "recogniser"  # the archive setting naming the model in use; absent: the shipped one
DEFAULT = "default"
MODEL_FILE, INFO_FILE, DICT_FILE = "model.onnx", "model.json", "dict.txt"
# pages.engine records "rapidocr+NAME" (32 characters at most)
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,22}")
HELD_OUT = 0.2  # share of pages never trained on
# A new character starts as the class of the look-alike the shipped model reads it as
# (translit.correct's tables: 沓 for 畓, 瓦 for 乭); 乫 and 乶 have none in its dictionary
# and start as the average class. 乭 is in the dictionary, misread: topped up first.
SEEDS = {"畓": "沓", "乭": "瓦", "〃": "々", "岾": "站"}
FEW = 30  # a character seen in fewer training lines is topped up by --with-samples
KEPT_PER_PAGE = 12  # other crops of a confirmed page kept as the engine read them
LABELS_KEPT = 0.95  # a model that reads fewer held-out labels as before is not used


class ModelError(RuntimeError):
    """No such model, a bad name, too few lines to learn from, or training unavailable."""


@dataclass
class ModelInfo:
    name: str
    created: str
    epochs: int
    pages_trained: int
    lines_trained: int
    generated_lines: int
    pages_held_out: list[str]
    lines_held_out: int
    new_characters: str
    before: dict  # the model in use on the held-out lines (cer, exact, new characters)
    after: dict
    compared_with: str
    seconds: float
    lines_per_second: float
    peak_memory_mb: float
    switched: bool = False
    kept_trained: int = 0  # crops learnt as the engine read them (so the rest is not forgotten)
    labels_kept: float | None = None  # share of held-out printed labels still read as before


def models_folder(archive: Archive) -> Path:
    """Where the archive's models are read from: models/ beside a SQLite archive; for a
    server archive, which keeps them in its `models` table, this machine's cache of them
    (written out here first, so every desk and worker reads the same weights)."""
    if archive.folder is not None:
        return archive.folder / "models"
    import platformdirs

    server = archive.engine.url.render_as_string(hide_password=True)
    folder = platformdirs.user_cache_path("toji") / "models" / \
        hashlib.sha256(server.encode()).hexdigest()[:16]
    _written_out(archive, folder)
    return folder


# Cached model files this process has found to hold the weights of their row (path, sha):
# a page read again asks for its model's path, and is not to hash 10 MB each time.
_CHECKED: set[tuple[Path, str]] = set()


def _written_out(archive: Archive, folder: Path) -> None:
    """Makes the cache folder mirror a server archive's `models` table: each model whose
    weights it lacks (or holds other weights of) written into folder/NAME/, the file
    replaced whole; a finished model the table no longer holds (the database was made
    anew) taken away. A folder with no model.json yet is a model being trained: left."""
    with archive.session() as session:
        stored = dict(session.execute(select(RecogniserModel.name,
                                             RecogniserModel.sha256)).all())
        for name, sha in stored.items():
            target = folder / name / MODEL_FILE
            if (target, sha) in _CHECKED or target.is_file() \
                    and hashlib.sha256(target.read_bytes()).hexdigest() == sha:
                _CHECKED.add((target, sha))
                continue
            row = session.get(RecogniserModel, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            (target.parent / DICT_FILE).write_text(row.dictionary, encoding="utf-8")
            (target.parent / INFO_FILE).write_text(
                json.dumps(row.info, ensure_ascii=False, indent=1), encoding="utf-8")
            partial = target.with_suffix(".part")
            partial.write_bytes(row.weights)
            partial.replace(target)
            _CHECKED.add((target, sha))
    for info in folder.glob(f"*/{INFO_FILE}") if folder.is_dir() else []:
        if info.parent.name not in stored:
            _CHECKED.difference_update({c for c in _CHECKED if c[0].parent == info.parent})
            shutil.rmtree(info.parent, ignore_errors=True)


def _stored(archive: Archive, folder: Path, info: ModelInfo) -> None:
    """Keeps a model trained for a server archive in its `models` table, or brings its
    figures up to date there (a SQLite archive's model folder is already the archive's)."""
    if archive.folder is not None:
        return
    with archive.session() as session, session.begin():
        row = session.get(RecogniserModel, info.name)
        if row is not None:
            row.info = asdict(info)
            return
        weights = (folder / MODEL_FILE).read_bytes()
        session.add(RecogniserModel(
            name=info.name, sha256=hashlib.sha256(weights).hexdigest(), weights=weights,
            dictionary=(folder / DICT_FILE).read_text(encoding="utf-8"), info=asdict(info)))


def model_path(archive: Archive, name: str) -> Path:
    path = models_folder(archive) / name / MODEL_FILE
    if not NAME.fullmatch(name) or not path.is_file():
        raise ModelError(f"no model {name!r} in this archive: 'toji models list' shows them")
    return path


def list_models(archive: Archive) -> list[ModelInfo]:
    """The archive's models, oldest first; a model folder whose model.json is unreadable
    is named in the error rather than skipped."""
    folder = models_folder(archive)
    found = []
    keys = set(ModelInfo.__dataclass_fields__)
    for info in sorted(folder.glob(f"*/{INFO_FILE}")) if folder.is_dir() else []:
        try:
            data = json.loads(info.read_text(encoding="utf-8"))
            found.append(ModelInfo(**{k: v for k, v in data.items() if k in keys}))
        except (OSError, ValueError, TypeError) as exc:
            raise ModelError(f"{info}: cannot be read ({exc})") from None
    return sorted(found, key=lambda m: m.created)


def in_use(archive: Archive) -> str | None:
    """The name of the model `toji process` reads with, None for the shipped one."""
    with archive.session() as session:
        row = session.get(Setting, SETTING)
        return row.value if row and row.value != DEFAULT else None


def use(archive: Archive, name: str) -> None:
    """Reads with model `name` from now on; "default" goes back to the shipped model."""
    principal = require("settings")
    if name != DEFAULT:
        model_path(archive, name)
    with archive.session() as session, session.begin():
        session.merge(Setting(key=SETTING, value=name))
        session.add(AuditEntry(actor=principal.name, action="model.use", subject=name,
                               detail={}))


def engine_for(archive: Archive, engine: str | None = None) -> str:
    """The engine spec a job reads with: the one asked for, else the default engine with
    the archive's model in use (`rapidocr+NAME`)."""
    if engine:
        return engine
    name = in_use(archive)
    return f"rapidocr+{name}" if name else "rapidocr"


def resolve(archive: Archive, engine: str) -> str:
    """`rapidocr+NAME` (what a job and its pages record) as the engine loads it:
    `rapidocr@/path/to/models/NAME/model.onnx`."""
    backend, plus, name = engine.partition("+")
    if backend == "rapidocr" and plus:
        return f"rapidocr@{model_path(archive, name)}"
    return engine


def page_engine(archive: Archive, engine: str) -> str:
    """The engine spec to read a stored page again as it was read (its `pages.engine`),
    the shipped recogniser when the model that read it is no longer in the archive."""
    try:
        return resolve(archive, engine)
    except ModelError:
        return "rapidocr"


def _held_out(page: str) -> bool:
    return hashlib.sha256(page.encode()).digest()[0] < 256 * HELD_OUT


def split(lines: list[ConfirmedLine]) -> tuple[list[ConfirmedLine], list[ConfirmedLine]]:
    """Training and held-out lines, by page: a page's lines are all on one side."""
    held = [line for line in lines if _held_out(line.page)]
    return [line for line in lines if not _held_out(line.page)], held


def generated_lines(count: int, wanted: str, context: list[str], seed: int = 0,
                    mixed: bool = True) -> list[ConfirmedLine]:
    """`count` lines drawn by the sample generator, each a confirmed value with one
    character replaced by one of `wanted` (characters with too few examples), so a rare
    character is learnt in the company it keeps (a ditto mark alone). Every glyph is bent
    and inked as no font draws it (samples.hand). With `mixed`, one line in three is
    written in the printed form's typeface instead of the brush, so that a character the
    model never had is learnt in more than one font's shape (the next clerk's hand is
    neither), and one in four is written down the page and turned a quarter as the
    reading pipeline turns a vertical line: taught upright only, a model read 乭 upright
    and dropped it from names written down a card in a brush it had not seen (皇甫乭 read
    皇甫)."""
    from PIL import Image

    from app.training_set import HEIGHT, ConfirmedLine, as_ink
    from samples.render import HAND_FONTS, PRINT_FONTS, write

    rng = random.Random(seed)
    lines = []
    for i in range(count):
        base = rng.choice(context) if context else "".join(rng.sample(wanted, len(wanted)))
        at = rng.randrange(len(base))
        text = base[:at] + wanted[i % len(wanted)] + base[at + 1:]
        if wanted[i % len(wanted)] in DITTO_MARKS:
            text = wanted[i % len(wanted)]  # a mark stands alone in its cell
        down = mixed and i % 4 == 3
        long, wide = 90 * len(text) + 80, 150
        page = Image.new("RGB", (wide, long) if down else (long, wide), (250, 249, 244))
        box = write(page, text, (10, 10, page.width - 10, page.height - 10), rng,
                    vertical=down, hand=True, colour=(25, 25, 30), varied=True,
                    roles=PRINT_FONTS if mixed and i % 3 == 2 else HAND_FONTS)
        if box is None:
            continue
        x0, y0, x1, y1 = box
        pad = int(0.08 * min(x1 - x0, y1 - y0))
        crop = np.asarray(page.crop((x0 - pad, y0 - pad, x1 + pad, y1 + pad)))
        if down:
            crop = np.rot90(crop)
        scale = HEIGHT / crop.shape[0]
        crop = as_ink(cv2.resize(np.ascontiguousarray(crop),
                                 (max(1, round(crop.shape[1] * scale)), HEIGHT),
                                 interpolation=cv2.INTER_AREA))
        lines.append(ConfirmedLine(f"generated-{seed}", f"generated-{seed}-{i}", crop, text))
    return lines


def _top_up(count: int, new: str, counts: Counter,
            context: list[str]) -> list[ConfirmedLine]:
    """Generated lines for characters seen in fewer than FEW training lines: half of them
    for the characters the shipped model lacks or is known to misread (畓, 乭: SEEDS),
    the other half for the rest, rarest first."""
    if count <= 0:
        return []
    known_bad = [ch for ch in SEEDS if ch in counts or ch in new]
    first = "".join(dict.fromkeys([*new, *(ch for ch in known_bad if counts[ch] < FEW)]))
    rest = "".join(sorted((ch for ch in counts if counts[ch] < FEW and ch not in first),
                          key=lambda ch: (counts[ch], ch)))
    if not first and not rest:
        return []
    share = count // 2 if first and rest else count
    lines = generated_lines(share, first, context, seed=1) if first else []
    if rest:
        lines += generated_lines(count - len(lines), rest, context, seed=2)
    return lines


def _reader(spec: str, fresh: bool = False) -> Callable[[list[np.ndarray]], list[str]]:
    """Reads crops with an engine spec: the process's own engine, or with `fresh` one
    loaded anew (the model being trained, whose file changes each epoch)."""
    from ocr.engine import RapidOcrEngine, get_engine

    engine = RapidOcrEngine(recogniser=Path(spec.partition("@")[2])) if fresh \
        else get_engine(spec)
    return lambda crops: [text for text, _ in engine.recognize(crops)]


@dataclass(frozen=True)
class _Data:
    training: list[ConfirmedLine]  # values clerks confirmed, and crops kept as read
    held: list[ConfirmedLine]  # the held-out pages' values
    held_labels: list[ConfirmedLine]  # and their printed labels: is the print still read?
    generated: list[ConfirmedLine]
    new: str  # characters the labels hold and the shipped model lacks


def _gather(archive: Archive, with_samples: int, known: set[str]) -> _Data:
    from app.training_set import confirmed_lines

    lines = confirmed_lines(archive, kept=KEPT_PER_PAGE)
    training, held = split(lines)
    values = [ln for ln in training if not ln.kept]
    held_values = [ln for ln in held if not ln.kept]
    if len(values) < 8 or not held_values:
        pages = len({ln.page for ln in lines})
        raise ModelError(f"{len(values) + len(held_values)} confirmed line(s) on {pages} "
                         "page(s): confirm fields on more pages before training (at least "
                         "8 lines to learn from and one page to hold out)")
    new = "".join(sorted({ch for ln in values + held_values for ch in ln.text} - known))
    counts = Counter(ch for ln in values for ch in set(ln.text))
    generated = _top_up(with_samples, new, counts, [ln.text for ln in values])
    labels = [ln for ln in held if ln.kept and match(ln.text)]
    return _Data(training, held_values, labels, generated, new)


def _lines(lines: list[ConfirmedLine]) -> list:
    from ocr.finetune import Line

    return [Line(ln.image, ln.text, ln.page) for ln in lines]


def train(archive: Archive, name: str | None = None, epochs: int = 5, with_samples: int = 0,
          say: Callable[[str], None] = print,
          progress: Callable[[object], None] | None = None) -> ModelInfo:
    """Fine-tunes the default engine's recogniser on the archive's confirmed lines, keeps
    it as models/NAME/, and uses it from now on if it reads the held-out pages' values
    better than the model in use and still reads their printed labels. `progress`
    receives `ocr.finetune.Progress` as batches go."""
    require("settings")
    try:
        import onnx

        from ocr import finetune
    except ImportError as exc:
        raise ModelError(f"training needs PyTorch and onnx ({exc.name} is missing): install "
                         "them with pip install 'toji[train]' (or re-run 'make setup')") from None
    name = name or dt.datetime.now().strftime("m%Y%m%d-%H%M%S")
    if not NAME.fullmatch(name):
        raise ModelError(f"model name {name!r}: use lower-case letters, digits, - and _, "
                         "at most 23 characters")
    folder = models_folder(archive) / name
    if folder.exists():
        raise ModelError(f"{folder}: a model of that name exists; choose another --out")
    base = onnx.load(str(_shipped_model()))  # every fine-tune starts from the wheel's weights
    data = _gather(archive, with_samples, set(finetune.characters(base)) | {" "})
    values = [ln for ln in data.training if not ln.kept]
    say(f"{len(values)} line(s) from {len({ln.page for ln in values})} page(s) to learn "
        f"from, with {len(data.training) - len(values)} other crop(s) kept as read and "
        f"{len(data.generated)} generated line(s); {len(data.held)} line(s) of "
        f"{len({ln.page for ln in data.held})} page(s) held out; new characters: "
        f"{data.new or 'none'}")
    current = in_use(archive)
    held = _lines(data.held)
    before = finetune.score(_reader(resolve(archive, engine_for(archive))), held, data.new)
    say(f"held-out before ({current or DEFAULT}): CER {before.cer:.4f}, "
        f"lines exact {before.exact:.3f}{_new_read(before)}")
    trainer = finetune.Trainer(base, data.new, SEEDS)
    lines = _lines(data.training + data.generated)
    start, trained = time.perf_counter(), 0
    target = folder / MODEL_FILE
    after, kept = before, None
    for epoch in range(1, epochs + 1):
        loss = trainer.epoch(lines, epoch, epochs, progress)
        trained += len(lines)
        trainer.save(target)
        read = _reader(f"rapidocr@{target}", fresh=True)
        after = finetune.score(read, held, data.new)
        kept = finetune.score(read, _lines(data.held_labels)).exact \
            if data.held_labels else None
        rate = trained / (time.perf_counter() - start)
        labels = f", printed labels read as before {kept:.3f}" if kept is not None else ""
        say(f"epoch {epoch}/{epochs}: loss {loss:.3f}, {rate:.1f} lines/s, "
            f"held-out CER {after.cer:.4f}, lines exact {after.exact:.3f}"
            f"{_new_read(after)}{labels}")
        if progress:
            progress(finetune.Progress(epoch, epochs, len(lines), len(lines), rate, loss,
                                       after.cer))
    seconds = time.perf_counter() - start
    (folder / DICT_FILE).write_text("\n".join(trainer.characters) + "\n", encoding="utf-8")
    info = ModelInfo(
        name=name, created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        epochs=epochs, pages_trained=len({ln.page for ln in values}),
        lines_trained=len(values), generated_lines=len(data.generated),
        pages_held_out=sorted({ln.page for ln in data.held}), lines_held_out=len(held),
        new_characters=data.new, before=before.as_json(), after=after.as_json(),
        compared_with=current or DEFAULT, seconds=round(seconds, 1),
        lines_per_second=round(trained / seconds, 2),
        peak_memory_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        kept_trained=len(data.training) - len(values), labels_kept=kept)
    _stored(archive, folder, info)  # on a server, every desk can read it before it is used
    _decide(archive, info, say)
    (folder / INFO_FILE).write_text(json.dumps(asdict(info), ensure_ascii=False, indent=1),
                                    encoding="utf-8")
    _stored(archive, folder, info)  # its figures again, now saying whether it is used
    return info


def _decide(archive: Archive, info: ModelInfo, say: Callable[[str], None]) -> None:
    """Uses the new model only if it reads the held-out values better than the model in
    use and still reads the held-out pages' printed labels as they were read."""
    before, after = info.before["cer"], info.after["cer"]
    forgets = info.labels_kept is not None and info.labels_kept < LABELS_KEPT
    info.switched = after < before and not forgets
    if info.switched:
        use(archive, info.name)
        say(f"model {info.name} is now in use (held-out CER {before:.4f} -> {after:.4f})")
    elif forgets:
        say(f"model {info.name} is kept but NOT used: it reads only {info.labels_kept:.0%} "
            f"of the held-out printed labels as before (at least {LABELS_KEPT:.0%} needed)")
    else:
        say(f"model {info.name} is kept but NOT used: its held-out CER {after:.4f} is not "
            f"better than {before:.4f} of {info.compared_with}")


def _new_read(score) -> str:  # noqa: ANN001 - ocr.finetune.Score
    """How many held-out occurrences of the characters the shipped model lacked were
    read as themselves ('' when the held-out lines hold none)."""
    if not score.focus_total:
        return ""
    return f", new characters read {score.focus_read}/{score.focus_total}"


def _shipped_model() -> Path:
    """The recogniser inside the rapidocr wheel: where every fine-tune starts."""
    import rapidocr

    path = Path(rapidocr.__file__).parent / "models" / "PP-OCRv6_rec_small.onnx"
    if not path.is_file():
        raise ModelError(f"{path}: the shipped recogniser is missing; reinstall with "
                         "'pip install --force-reinstall rapidocr'")
    return path
