"""The desktop application, driven through its views with pytest-qt (offscreen). Korean
goes in with setText or QInputMethodEvent commit strings (keyClicks aborts on it)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="toji-qsettings-")  # not the user's

from PySide6.QtCore import QCoreApplication, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QFontMetrics, QImage, QInputMethodEvent  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from app.auth import Principal, acting_as  # noqa: E402
from app.certificate_check import verify_file  # noqa: E402
from app.cli import main  # noqa: E402
from app.parcel_view import parcel_detail  # noqa: E402
from db.archive import open_archive  # noqa: E402
from db.models import AuditEntry, Correction, Page, Parcel  # noqa: E402
from db.refs import parcel_ref  # noqa: E402
from tests.conftest import distinct_copies  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.slow]
LAND = 1


@pytest.fixture(scope="module")
def app():
    from ui.app import application

    return application(offscreen=True)


@pytest.fixture
def no_dialogs(monkeypatch) -> list[str]:
    """Message boxes are modal: record what they would say instead."""
    from PySide6.QtWidgets import QMessageBox

    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: said.append(a[2]))
    monkeypatch.setattr(QMessageBox, "information", lambda *a: said.append(a[2]))
    return said


def _number(archive) -> str:
    with archive.session() as s:
        page = s.get(Parcel, LAND).page
        return parcel_ref(page.scan.sha256, page.number)


def _record(archive) -> dict:
    with archive.session() as s:
        return s.get(Parcel, LAND).effective


def test_the_font_has_hangul_and_hanja(app) -> None:
    metrics = QFontMetrics(app.font())
    assert all(metrics.inFontUcs4(ord(ch)) for ch in "조상땅찾기畓臺帳坪")


def test_search_desk_finds_explains_and_shows(app, qtbot, read_archive, no_dialogs) -> None:
    from ui.search_view import SearchView

    view = SearchView(read_archive)
    qtbot.addWidget(view)
    name = _record(read_archive)["owners"][-1]["name"]
    view.name.setText(name["hangul"])
    view.applicant.setText("김철수")
    view.relation.setText("손자")
    view.proof.setText("제적등본")
    qtbot.mouseClick(view.search_button, Qt.MouseButton.LeftButton)
    assert view.model.rowCount() >= 1 and not no_dialogs
    assert view.model.item(0, 1).text() == name["hanja"]
    assert "최종 소유자" in view.model.item(0, 8).text()  # the reason, in Korean
    assert view.selected_parcel() == _number(read_archive)  # the number every verb takes
    assert _record(read_archive)["location"]["hangul"] in view.details.toPlainText()
    assert not view.card.pixmap().isNull()
    view.table.sortByColumn(6, Qt.SortOrder.DescendingOrder)  # sortable by area
    with read_archive.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "desk search")).one()
        looked = s.scalars(select(AuditEntry).where(AuditEntry.action == "view")).one()
    assert entry.detail["applicant"] == "김철수 (손자), 제적등본"
    assert looked.subject == _number(read_archive)  # a look at a record is logged too


def test_a_desk_user_searches_as_the_desk(app, qtbot, read_archive, no_dialogs) -> None:
    from ui.search_view import SearchView

    with acting_as(Principal("desk1", "desk")):
        view = SearchView(read_archive)
        qtbot.addWidget(view)
        assert view.desk.isChecked() and not view.desk.isEnabled()
        view.name.setText(_record(read_archive)["owners"][-1]["name"]["hangul"])
        view.search()  # no applicant: the service refuses, the window says why
        said = view.problem.text()
        assert not no_dialogs and "applicant" in said and view.model.rowCount() == 0
        assert said.startswith("권한이 없습니다")  # a Korean heading first, in the window

        # With an applicant, the detail pane shows what the desk service returns: the
        # land and its final owner, never the owners before.
        view.applicant.setText("김철수")
        view.search()
        assert view.model.rowCount() >= 1 and not view.problem.text()
        allowed = parcel_detail(read_archive, view.selected_parcel(), "김철수")
    record = _record(read_archive)
    shown = view.details.toPlainText()
    assert allowed.desk and [o.position for o in allowed.owners] == [len(record["owners"])]
    assert allowed.owners[0].name in shown
    earlier = [o["name"]["hangul"] for o in record["owners"][:-1]]
    assert earlier and not any(name in shown for name in earlier)
    assert view.card.pixmap().width() > 0
    with acting_as(Principal("clerk1", "clerk")):
        whole = parcel_detail(read_archive, view.selected_parcel())
    assert not whole.desk and len(whole.owners) == len(record["owners"])


def test_review_accept_correct_and_hanja_helper(app, qtbot, read_archive, no_dialogs) -> None:
    from ui.review_view import ReviewView

    view = ReviewView(read_archive)
    qtbot.addWidget(view)
    view.load()
    assert view.parcel_id is not None and view.table.rowCount() > 5
    first = view.current()
    assert first is not None and view.value.text() == first.hanja
    fields = view.fields
    assert fields == sorted(fields, key=lambda f: (not f.flagged, f.confirmed, f.confidence))
    qtbot.keyClick(view.table, Qt.Key.Key_Return)  # accept as read
    pid = view.parcel_id
    with read_archive.session() as s:
        accepted = s.scalars(select(Correction).where(Correction.parcel_id == pid)).one()
    assert (accepted.field, accepted.new_value, accepted.actor) == (first.path, first.hanja,
                                                                    "tester")
    # the hanja helper: hangul typed through the input method, a candidate picked
    view.helper.setFocus()
    event = QInputMethodEvent()
    event.setCommitString("답")
    QCoreApplication.sendEvent(view.helper, event)
    assert view.helper.text() == "답"
    items = [view.choices.item(i).text() for i in range(view.choices.count())]
    assert "畓" in items
    row = next(i for i, f in enumerate(view.fields) if f.path.endswith("category") or
               f.path == "category")
    view.table.selectRow(row)
    view.value.clear()
    view.value.insert("畓")
    qtbot.keyClick(view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    with read_archive.session() as s:
        assert s.get(Parcel, pid).effective["category"]["hanja"] == "畓"
    assert not no_dialogs


def test_certificate_dialog_previews_then_issues(app, qtbot, read_archive,
                                                 tmp_path: Path) -> None:
    from PySide6.QtWidgets import QLabel

    from ui.certificate_dialog import CertificateDialog

    dialog = CertificateDialog(read_archive, LAND, "김철수 (손자), 제적등본")
    qtbot.addWidget(dialog)
    previews = [label for label in dialog.findChildren(QLabel)
                if label.pixmap() is not None and not label.pixmap().isNull()]
    assert previews and previews[0].pixmap().height() > previews[0].pixmap().width()
    issued = dialog.issue_to(tmp_path / "c.pdf")
    assert issued.number.endswith("000001") and verify_file(read_archive, issued.path).ok


def test_batch_never_blocks_the_window(app, qtbot, tmp_path: Path) -> None:
    """A 50-page batch on two workers while a 50 ms heartbeat timer runs: the GUI thread
    is never held longer than 200 ms."""
    from ui.batch_view import BatchView

    scans = distinct_copies(tmp_path / "in", 50)
    archive = open_archive(tmp_path / "a" / "toji.db")
    view = BatchView(archive)
    qtbot.addWidget(view)
    view.add_paths([tmp_path / "in"])
    view.workers.setValue(2)
    gc.collect()  # the earlier tests' garbage (scans, pixmaps) is theirs, not the batch's
    beats: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: beats.append(time.monotonic()))
    timer.start(50)
    view.start()
    qtbot.waitUntil(lambda: not view.task.isRunning(), timeout=600_000)
    timer.stop()
    gaps = [b - a for a, b in zip(beats, beats[1:], strict=False)]
    print(f"heartbeat: {len(beats)} beats, longest gap {max(gaps) * 1000:.0f} ms, "
          f"median {sorted(gaps)[len(gaps) // 2] * 1000:.0f} ms")
    assert len(beats) > 100
    assert max(gaps) < 0.2, f"the GUI thread was blocked {max(gaps) * 1000:.0f} ms"
    assert view.bar.value() == view.bar.maximum() == len(scans)
    assert "50/50" in view.status.text()
    with archive.session() as s:
        assert s.scalar(select(func.count()).select_from(Page)) == 50


def test_batch_pause_and_resume(app, qtbot, tmp_path: Path) -> None:
    from ui.batch_view import BatchView

    distinct_copies(tmp_path / "in", 4)
    archive = open_archive(tmp_path / "a" / "toji.db")
    view = BatchView(archive)
    qtbot.addWidget(view)
    view.add_paths([tmp_path / "in"])
    view.workers.setValue(0)
    view.start()
    qtbot.waitUntil(lambda: view.last is not None and view.last.stored >= 1, timeout=120_000)
    view.pause()
    # The thread's end reaches the window as a queued signal: wait for the window to
    # have handled it (its pause button off), not only for the thread.
    qtbot.waitUntil(lambda: not view.task.isRunning() and not view.pause_button.isEnabled(),
                    timeout=120_000)
    assert view.resume_button.isEnabled() and view.last.stored < 4
    view.resume()
    qtbot.waitUntil(lambda: not view.task.isRunning(), timeout=300_000)
    with archive.session() as s:
        assert s.scalar(select(func.count()).select_from(Page)) == 4


def test_english_is_available(app) -> None:
    from ui.i18n import _installed, install, t

    install(app, "en")
    try:
        assert t("일괄 처리") == "Batch" and t("없는 문장") == "없는 문장"
    finally:
        app.removeTranslator(_installed.pop())
    assert t("일괄 처리") == "일괄 처리"


@pytest.mark.parametrize("view", ["review", "search", "certificate"])
def test_screenshot_of_each_view(app, read_archive, tmp_path: Path, view: str, capsys) -> None:
    out = tmp_path / f"{view}.png"
    db = str(read_archive.folder / "toji.db")
    assert main(["gui", "--db", db, "--screenshot", str(out), "--view", view]) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1366, 768)
    dark = sum(1 for y in range(0, 768, 8) for x in range(0, 1366, 8)
               if image.pixelColor(x, y).lightness() < 100)
    assert dark > 40  # text and scans drawn, not an empty window


VIEWS = ("batch", "review", "search", "certificate", "settings")


def test_screenshot_of_every_view_on_an_empty_archive(tmp_path: Path) -> None:
    """A new archive has no page and no owner: every view still photographs, and returns
    (a message box shown offscreen would wait for ever: hence a process with a limit)."""
    db = str(tmp_path / "empty" / "toji.db")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TOJI_USER": "admin",
           "TOJI_PASSWORD": "a-long-test-password"}
    for view in VIEWS:
        out = tmp_path / f"{view}.png"
        done = subprocess.run([sys.executable, "-m", "app.cli", "gui", "--db", db,
                               "--screenshot", str(out), "--view", view],
                              env=env, capture_output=True, text=True, timeout=240)
        assert done.returncode == 0, (view, done.stderr[-2000:])
        assert QImage(str(out)).width() == 1366, view


def test_no_hang_without_a_display_or_credentials(app, read_archive, tmp_path: Path,
                                                  monkeypatch, capsys) -> None:
    db = str(read_archive.folder / "toji.db")
    monkeypatch.delenv("TOJI_PASSWORD")
    assert main(["gui", "--db", db, "--screenshot", str(tmp_path / "x.png")]) == 2
    assert "TOJI_USER and TOJI_PASSWORD" in capsys.readouterr().err
    monkeypatch.delenv("QT_QPA_PLATFORM")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert main(["gui", "--db", db]) == 2
    assert "no display" in capsys.readouterr().err


def _sheet_archive(folder: Path):
    """An archive with one page the machine could not structure: a sheet with one name
    on it, kept as a scan, its line stored and no parcel (as processing leaves it)."""
    import hashlib

    from db.models import Scan, TextLineRow
    from tests.test_assign import name_sheet

    archive = open_archive(folder / "archive" / "toji.db")
    sheet = name_sheet(folder / "sheet.png")
    data = sheet.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    with archive.session() as s, s.begin():
        scan = Scan(sha256=sha, path=str(sheet), size=len(data),
                    stored=archive.keep_scan(data, sha, ".png"))
        page = Page(number=1, width=1400, height=1900, engine="rapidocr", status="no form")
        page.lines.append(TextLineRow(order=0, text="李容九", confidence=0.99, field=None,
                                      box=[[503, 817], [769, 817], [769, 903], [503, 903]]))
        scan.pages.append(page)
        s.add(scan)
    return archive


def test_review_lists_a_page_with_no_parcel_and_a_clerk_assigns_its_line(
        app, qtbot, tmp_path: Path, no_dialogs) -> None:
    from PySide6.QtCore import QPoint

    from app.search import owner_query, search_owners
    from ui.review_view import ReviewView

    archive = _sheet_archive(tmp_path)
    view = ReviewView(archive)
    qtbot.addWidget(view)
    view.resize(1366, 768)
    view.show()
    view.load()
    assert view.parcel_id is None and view.page_id is not None and view.table.rowCount() == 0
    assert "미구조화" in view.page_box.itemText(0) and "양식 미인식" in view.page_box.itemText(0)
    assert view.line_list.count() == 1 and len(view.scan.lines) == 1

    # a click on the line's box on the scan picks it
    [line] = view.lines
    centre = view.scan.mapFromScene(636, 860)
    qtbot.mouseClick(view.scan.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert view.picked_line == line.line_id and view.line_list.currentRow() == 0
    view.choose_field("owners[0].name")
    qtbot.mouseClick(view.assign_button, Qt.MouseButton.LeftButton)
    assert not no_dialogs
    assert view.parcel_id is not None and [f.path for f in view.fields] == ["owners[0].name"]
    assert "미구조화" not in view.page_box.itemText(view.index)
    for name in ("李容九", "이용구"):
        hits = search_owners(archive, owner_query(name))
        assert [h.parcel_id for h in hits] == [view.parcel_id]

    # a box drawn on the scan, with the value typed: the location
    view.draw_button.setChecked(True)
    viewport = view.scan.viewport()
    start, end = view.scan.mapFromScene(100, 100), view.scan.mapFromScene(700, 300)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    assert view.picked_box is not None and view.picked_line is None
    x0, y0, x1, y1 = view.picked_box
    assert abs(x0 - 100) < 8 and abs(y1 - 300) < 8
    view.choose_field("location")
    view.assign_text.setText("京畿道高陽郡元堂面")
    qtbot.mouseClick(view.assign_button, Qt.MouseButton.LeftButton)
    assert not no_dialogs and not view.draw_button.isChecked()
    assert {f.path for f in view.fields} == {"owners[0].name", "location"}
    with archive.session() as s:
        parcel = s.get(Parcel, view.parcel_id)
        assert parcel.effective["location"]["hangul"].startswith("경기도")
        assert parcel.effective["location"]["box"][0] == [x0, y0]
        assert parcel.record["owners"] == [] and parcel.record["location"] is None
    view.grab().save(str(tmp_path / "assigned.png"))


def test_review_refuses_an_assignment_with_nothing_picked(app, qtbot, tmp_path: Path,
                                                          no_dialogs) -> None:
    from ui.review_view import ReviewView

    view = ReviewView(_sheet_archive(tmp_path))
    qtbot.addWidget(view)
    view.load()
    view.assign_field()
    assert no_dialogs and view.parcel_id is None


def test_settings_show_the_signing_key_and_keep_this_pcs_store(
        app, read_archive, tmp_path: Path, key_folder: Path, no_dialogs, monkeypatch) -> None:
    import json

    from app.certificate import issue
    from app.signing_keys import spaced
    from ui.settings_view import SettingsView

    assert "첫 확인서" in SettingsView(read_archive, "toji.db").key_state.text()
    issued = issue(read_archive, LAND, tmp_path / "c.pdf")
    view = SettingsView(read_archive, "toji.db")
    shown = view.key_state.text()
    assert spaced(issued.content["signer"]["fingerprint"]) in shown and "개인 키 있음" in shown
    view.resize(1000, 700)
    view.grab().save(str(tmp_path / "settings.png"))
    assert view.key_store.currentData() == "file"
    view.save()
    assert no_dialogs == ["저장했습니다"]
    assert json.loads((key_folder / "store.json").read_text())["store"] == "file"
    monkeypatch.setenv("TOJI_KEYS", str(tmp_path / "another-pc"))  # a restored copy elsewhere
    assert "개인 키 없음" in SettingsView(read_archive, "toji.db").key_state.text()
