"""The archive learns from its clerks: the recogniser run in PyTorch, fine-tuned on
confirmed lines, kept in the archive, chosen with `toji models`, and pages read again."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import onnx
import pytest
from sqlalchemy import select

from app.auth import Principal, acting_as
from app.cli import main
from app.process import process_paths
from app.recognisers import (
    DICT_FILE,
    INFO_FILE,
    MODEL_FILE,
    SEEDS,
    ModelError,
    _shipped_model,
    engine_for,
    in_use,
    list_models,
    models_folder,
    train,
    use,
)
from app.review import correct_field, field_at
from bench.scoring import truth_fields
from db.archive import open_archive
from db.models import AuditEntry, Page, Parcel, Reading
from ocr import finetune
from ocr.engine import RapidOcrEngine
from ocr.torch_graph import GraphModule
from tests.conftest import SAMPLES, TEST_USER, truth

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before pytest-qt makes its application

# land_s2026_0003 is held out by its digest; 0004 and 0007 hold 畓 and are trained on
PAGES = ["land_s2026_0003_none.png", "land_s2026_0004_light.jpg", "land_s2026_0007_light.jpg"]


def _confirm_all(archive) -> int:
    """A clerk who confirms every field the machine placed, with the page's true value."""
    done = 0
    with archive.session() as session:
        pages = [(p.parcel.id, Path(p.scan.path), [ln.field for ln in p.lines if ln.field])
                 for p in session.scalars(select(Page)) if p.parcel]
    for parcel, path, fields in pages:
        wanted = truth_fields(truth(path))
        for field in dict.fromkeys(fields):
            if field in wanted and wanted[field].get("hanja"):
                correct_field(archive, parcel, field, wanted[field]["hanja"])
                done += 1
    return done


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory):
    """Three sample pages processed and confirmed, and a one-epoch fine-tune on them."""
    folder = tmp_path_factory.mktemp("trained")
    for name in PAGES:
        for f in SAMPLES.glob(Path(name).stem + ".*"):
            shutil.copy(f, folder / f.name)
    archive = open_archive(folder / "archive" / "toji.db")
    with acting_as(Principal(TEST_USER, "admin")):
        process_paths([folder / name for name in PAGES], archive)
        _confirm_all(archive)
        said: list[str] = []
        info = train(archive, "tiny", epochs=1, say=said.append)
    return archive, info, said


def test_graph_in_torch_reads_as_onnxruntime_does():
    import onnxruntime as ort
    import torch

    path = _shipped_model()
    x = np.random.default_rng(0).uniform(-1, 1, (2, 3, 48, 160)).astype(np.float32)
    expected = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]) \
        .run(None, {"x": x})[0]
    with torch.no_grad():
        got = GraphModule(onnx.load(str(path)))(torch.from_numpy(x)).numpy()
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() < 1e-4


def test_a_new_character_starts_as_its_look_alike_and_the_old_ones_stay(tmp_path: Path):
    base = onnx.load(str(_shipped_model()))
    old = finetune.characters(base)
    assert "畓" not in old and SEEDS["畓"] == "沓"
    trainer = finetune.Trainer(base, "畓", SEEDS)
    assert trainer.characters == [*old, "畓"]
    weight, bias, _ = finetune._head(trainer.model)
    w = onnx.numpy_helper.to_array(weight)
    assert w.shape[1] == len(old) + 3  # blank, the dictionary, 畓, space
    assert np.array_equal(w[:, len(old) + 1], w[:, old.index("沓") + 1])
    trainer.save(tmp_path / "m" / MODEL_FILE)
    crop = np.full((48, 160, 3), 255, np.uint8)
    crop[10:38, 20:140:12] = 0
    shipped = RapidOcrEngine().recognize([crop])
    widened = RapidOcrEngine(recogniser=tmp_path / "m" / MODEL_FILE)
    assert widened.name == "rapidocr+m"
    assert widened.recognize([crop]) == shipped  # untrained, it reads as the shipped one
    assert "畓" in widened.characters()


@pytest.mark.slow
def test_a_tiny_fine_tune_writes_a_model_that_toji_process_reads_with(trained, tmp_path, capsys):
    archive, info, said = trained
    assert "畓" in info.new_characters
    assert info.lines_trained > 10 and info.pages_trained == 2
    assert info.pages_held_out and info.lines_held_out > 0
    folder = models_folder(archive) / "tiny"
    assert "畓" in (folder / DICT_FILE).read_text(encoding="utf-8").split()
    stored = json.loads((folder / INFO_FILE).read_text(encoding="utf-8"))
    assert stored["before"]["lines"] == stored["after"]["lines"] == info.lines_held_out
    assert any("held-out before" in s for s in said) and any("epoch 1/1" in s for s in said)
    use(archive, "tiny")
    page = tmp_path / "land_s2026_0001_light.jpg"
    shutil.copy(SAMPLES / page.name, page)
    db = str(archive.folder / "toji.db")
    assert main(["process", str(page), "--db", db, "--quiet"]) == 0
    with archive.session() as session:
        engines = {p.scan.path: p.engine for p in session.scalars(select(Page))}
    assert engines[str(page)] == "rapidocr+tiny"
    capsys.readouterr()
    assert main(["models", "list", "--db", db, "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["name"] for r in rows if r["in_use"]] == ["tiny"]
    assert {r["name"] for r in rows} >= {"default", "tiny"}


@pytest.mark.slow
def test_models_use_and_roll_back(trained, capsys):
    archive, _info, _said = trained
    db = str(archive.folder / "toji.db")
    assert main(["models", "use", "tiny", "--db", db]) == 0
    assert engine_for(archive) == "rapidocr+tiny"
    assert main(["models", "use", "default", "--db", db]) == 0
    assert in_use(archive) is None and engine_for(archive) == "rapidocr"
    assert main(["models", "use", "nosuch", "--db", db]) == 2
    assert "no model 'nosuch'" in capsys.readouterr().err
    assert engine_for(archive) == "rapidocr"  # a failed switch changes nothing
    with archive.session() as session:
        switches = session.scalars(select(AuditEntry.subject)
                                   .where(AuditEntry.action == "model.use")).all()
    assert switches[-2:] == ["tiny", "default"]  # who switched, and to what, is logged


@pytest.mark.slow
def test_a_model_worse_than_the_one_in_use_is_kept_but_not_used(trained, monkeypatch):
    archive, _info, _said = trained
    use(archive, "tiny")
    monkeypatch.setattr(finetune, "LEARNING_RATE", 0.5)  # a step that wrecks the weights
    said: list[str] = []
    info = train(archive, "wild", epochs=1, say=said.append)
    assert info.compared_with == "tiny"
    assert info.after["cer"] >= info.before["cer"] and not info.switched
    assert in_use(archive) == "tiny"
    assert (models_folder(archive) / "wild" / MODEL_FILE).is_file()
    assert any("NOT used" in s for s in said)
    assert {m.name for m in list_models(archive)} >= {"tiny", "wild"}
    with pytest.raises(ModelError, match="exists"):
        train(archive, "wild", epochs=1)


def test_training_with_nothing_confirmed_says_what_to_do(tmp_path: Path):
    archive = open_archive(tmp_path / "empty" / "toji.db")
    with pytest.raises(ModelError, match="confirm fields on more pages"):
        train(archive, "none", epochs=1)
    with pytest.raises(ModelError, match="model name"):
        train(archive, "Bad Name!", epochs=1)


@pytest.mark.slow
def test_reread_keeps_the_old_reading_and_the_clerks_values(tmp_path: Path, capsys):
    page = tmp_path / "land_s2026_0000_none.png"
    shutil.copy(SAMPLES / page.name, page)
    db = str(tmp_path / "a" / "toji.db")
    assert main(["process", str(page), "--db", db, "--quiet"]) == 0
    archive = open_archive(db)
    with archive.session() as session:
        parcel = session.scalars(select(Parcel)).one()
        parcel_id, machine = parcel.id, parcel.record
    correct_field(archive, parcel_id, "lot", "九十九番")
    assert main(["process", "--reread", "--model", "default", "--db", db]) == 0
    assert "1 page(s) read again with rapidocr" in capsys.readouterr().err
    with archive.session() as session:
        parcel = session.get(Parcel, parcel_id)
        lot = field_at(parcel.current, "lot")
        assert lot["hanja"] == "九十九番" and lot["confirmed"]
        assert field_at(parcel.record, "lot").get("confirmed") is None  # the machine's
        old = session.scalars(select(Reading)).one()
        assert old.record == machine and old.engine == "rapidocr" and old.lines
        assert parcel.lot == "99"  # indexed from the record as it stands
    assert main(["process", "--reread", "--only-review", "--db", db, "--quiet"]) in (0, 1)
    assert main(["process", "--model", "tiny", str(page), "--db", db]) == 2
    assert "--reread" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.gui
def test_the_settings_models_panel_trains_off_the_gui_thread_and_switches(trained, qtbot,
                                                                          monkeypatch):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    from ui.app import application
    from ui.models_view import ModelsPanel

    application(offscreen=True)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: None)
    archive, _info, _said = trained
    use(archive, "default")
    panel = ModelsPanel(archive)
    qtbot.addWidget(panel)
    names = [panel.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(panel.table.rowCount())]
    assert names[0] == "default" and "tiny" in names
    panel.table.selectRow(names.index("tiny"))
    panel.use_selected()
    assert in_use(archive) == "tiny"
    panel.default_button.click()
    assert in_use(archive) is None
    seen: list[object] = []
    panel.epochs.setValue(1)
    panel.train()
    panel.task.progress.connect(seen.append)
    assert not panel.train_button.isEnabled()
    qtbot.waitUntil(lambda: panel.train_button.isEnabled(), timeout=240_000)
    assert seen and seen[-1].held_out_cer is not None  # the epoch's held-out CER came
    assert panel.table.rowCount() == len(names) + 1
    assert "CER" in panel.status.text()


def test_an_archive_of_0007_gains_the_readings_table(tmp_path: Path):
    from sqlalchemy import inspect, text

    from tests.conftest import old_archive

    path = tmp_path / "old" / "toji.db"
    path.parent.mkdir()
    old_archive(path, "0007", "insert into scans (sha256, path, size, status, added_at) "
                "values ('ab', '/s/1.png', 10, 'stored', '2026-01-01')")
    archive = open_archive(path)
    assert "readings" in inspect(archive.engine).get_table_names()
    with archive.engine.connect() as c:
        assert c.execute(text("select version_num from alembic_version")).scalar() == "0012"
        assert c.execute(text("select count(*) from readings")).scalar() == 0
        assert c.execute(text("select count(*) from scans")).scalar() == 1


def test_a_ditto_mark_is_taught_as_the_mark_and_a_piece_of_a_value_not_at_all():
    from app.training_set import taught

    assert taught("仝", None, "高陽郡神道面三松里") == "仝"  # the clerk confirms what 仝 stands for
    # a 〃 the shipped model read as kana or digits: taught as the mark it lacks, so the
    # fine-tuned model does not read it as 日 or 1, which say something
    assert taught("11", {"ditto": True}, "高陽郡神道面") == "〃"
    assert taught("に", {"ditto": True, "hanja": "遺贈"}, "遺贈") == "〃"
    assert taught("リI", None, "遺贈") is None  # no hanja, not taken as a mark: a smudge
    assert taught("相", {"ditto": True}, "相續") is None  # a mark, or 相續 cut short?
    assert taught("三百四十二番地", None, "楊州郡白石面福池里三百四十二番地") is None  # a wrapped piece
    assert taught("高阳郡碧蹄面碧蹄", None, "高陽郡碧蹄面碧蹄里") == "高陽郡碧蹄面碧蹄里"
    assert taught("沓", None, "畓") == "畓" and taught("瓦春", None, "河乭春") == "河乭春"


def test_generated_lines_are_bent_by_hand_and_not_all_in_one_font(monkeypatch):
    """A character the model never had is learnt from generated lines: drawn in one font's
    shape only, it is lost in the next clerk's hand."""
    import samples.render
    from app.recognisers import generated_lines

    monkeypatch.setenv("TOJI_SAMPLE_HAND", "font")  # how `toji train` runs: no such setting
    calls = []
    real = samples.render.write

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(samples.render, "write", spy)
    lines = generated_lines(8, "畓", ["金乭男", "高陽郡碧蹄面"], seed=3)
    assert len(lines) == 8 and all("畓" in ln.text for ln in lines)
    assert all(c["varied"] for c in calls)
    assert [c["roles"][0] for c in calls].count("print") == 2
    down = [ln for ln, c in zip(lines, calls, strict=True) if c["vertical"]]
    assert len(down) == 2  # written down the page, and turned to lie as the pipeline turns it
    assert all(ln.image.shape[0] == 48 and ln.image.shape[1] > 2 * 48 for ln in down)
    plain = generated_lines(3, "畓", ["金乭男"], seed=3, mixed=False)
    assert len(plain) == 3
    assert all(c["roles"][0] == "brush" and not c["vertical"] for c in calls[8:])


def test_augmenting_slants_a_line_in_some_draws():
    import random

    image = np.full((48, 60, 3), 250, np.uint8)
    image[6:42, 28:32] = 20  # one upright stroke
    rng = random.Random(5)
    leans = []
    for _ in range(20):
        out = finetune.augment(image, rng).min(axis=2)
        top, bottom = (np.mean(np.nonzero(out[y] < 128)[0]) for y in (10, 38))
        leans.append(abs(top - bottom))
    assert max(leans) > 2.5 and min(leans) < 1.0


@pytest.mark.slow
def test_a_server_archive_keeps_its_models_in_the_database(trained, tmp_path, monkeypatch):
    """A PostgreSQL archive has no folder of its own: a model trained for it is a row of
    its `models` table, written out to each desk's cache, and `toji process` reads with
    it there; a model the database no longer holds leaves the cache."""
    from sqlalchemy import delete

    from app.recognisers import _stored, resolve
    from db.models import RecogniserModel
    from tests.conftest import fresh_archive

    archive, info, _ = trained
    trained_file = models_folder(archive) / "tiny" / MODEL_FILE
    server = fresh_archive("postgresql", tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "desk1"))
    _stored(server, trained_file.parent, info)
    use(server, "tiny")
    assert engine_for(server) == "rapidocr+tiny"
    cached = Path(resolve(server, "rapidocr+tiny").partition("@")[2])
    assert cached.is_relative_to(tmp_path / "desk1")
    assert cached.read_bytes() == trained_file.read_bytes()
    page = tmp_path / "land_s2026_0001_light.jpg"
    shutil.copy(SAMPLES / page.name, page)
    url = server.engine.url.render_as_string(hide_password=False)
    assert main(["process", str(page), "--db", url, "--quiet"]) == 0
    with server.session() as session:
        assert [p.engine for p in session.scalars(select(Page))] == ["rapidocr+tiny"]
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "desk2"))  # another desk
    assert [m.name for m in list_models(server)] == ["tiny"]
    assert (models_folder(server) / "tiny" / DICT_FILE).read_text(encoding="utf-8") \
        == (trained_file.parent / DICT_FILE).read_text(encoding="utf-8")
    with server.session() as session, session.begin():
        session.execute(delete(RecogniserModel))
    assert list_models(server) == [] and not (models_folder(server) / "tiny").exists()


@pytest.mark.slow
def test_a_backup_keeps_the_archives_models(trained, tmp_path):
    """The model an archive reads with is part of it: a backup holds its files, hashed,
    and the restored archive reads with it."""
    from app.backup import backup, restore
    from app.recognisers import resolve

    archive, _, _ = trained
    use(archive, "tiny")
    manifest = backup(archive, tmp_path / "backup")
    assert {Path(m["path"]).name for m in manifest["models"]} >= {MODEL_FILE, DICT_FILE,
                                                                  INFO_FILE}
    restored = restore(tmp_path / "backup", tmp_path / "restored" / "toji.db")
    assert engine_for(restored) == "rapidocr+tiny"
    path = Path(resolve(restored, "rapidocr+tiny").partition("@")[2])
    assert path.is_relative_to(tmp_path / "restored")
    assert path.read_bytes() == (models_folder(archive) / "tiny" / MODEL_FILE).read_bytes()
    use(archive, "default")
