"""The review view: the scan beside the field form, flagged and doubtful fields first.

Keyboard-driven: Enter accepts the selected field as read (a confirmed version with the
reviewer's name), Ctrl+S stores the value typed as a correction, Down/Up move between
fields, Ctrl+PgDown/PgUp between pages. The hanja helper turns hangul typed into the
dictionary's hanja candidates; a double-click puts one into the value.

Every page is listed, parcel or none: a page the machine could not structure (미구조화)
shows its text lines as boxes; the clerk picks a line (on the scan or in the list) or
draws a box on the scan, chooses the field, and assigns it (`app.review.assign`): the
page becomes a parcel that search finds.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.archive import Archive
from app.review import (
    FieldView,
    LineView,
    PageEntry,
    assign,
    correct_field,
    hanja_candidates,
    page_for_review,
    pages_for_review,
)
from ui.i18n import t
from ui.labels import field_label
from ui.messages import explain
from ui.scan_view import ScanView, colour

SINGLE = ("location", "lot", "category", "area", "grade")
OWNER_KEYS = ("name", "address", "date", "cause")
EVENT_KEYS = ("date", "event")


def page_mark(entry: PageEntry) -> str:
    """What a page in the list needs: 미구조화 (no record yet), 양식 미인식 (no form), 검토 필요."""
    marks = []
    if entry.parcel_id is None:
        marks.append(t("미구조화"))
    if entry.status == "no form":
        marks.append(t("양식 미인식"))
    if entry.parcel_id is not None and entry.needs_review:
        marks.append(t("검토 필요"))
    return " · ".join(marks)


def assignable(record: dict | None) -> list[str]:
    """The field paths a clerk may assign on a page: owner rows first (the next empty row
    too), then the card's single fields, then the history rows."""
    record = record or {}
    owners = len(record.get("owners") or [])
    events = len(record.get("events") or [])
    paths = [f"owners[{i}].{k}" for i in range(owners + 1) for k in OWNER_KEYS]
    paths += list(SINGLE)
    paths += [f"events[{i}].{k}" for i in range(events + 1) for k in EVENT_KEYS]
    return paths


class ReviewView(QWidget):
    def __init__(self, archive: Archive, threshold: float = 0.8) -> None:
        super().__init__()
        self.archive, self.threshold = archive, threshold
        self.pages: list[PageEntry] = []
        self.index = 0
        self.fields: list[FieldView] = []
        self.lines: list[LineView] = []
        self.picked_line: int | None = None
        self.picked_box: tuple[int, int, int, int] | None = None

        self.scan = ScanView()
        self.scan.linePicked.connect(self.pick_line)
        self.scan.boxDrawn.connect(self.pick_box)
        self.page_label = QLabel()
        self.page_box = QComboBox()
        self.page_box.setMinimumContentsLength(24)
        self.page_box.activated.connect(self.go)
        previous = QPushButton(t("이전 쪽"))
        previous.clicked.connect(lambda: self.go(self.index - 1))
        following = QPushButton(t("다음 쪽"))
        following.clicked.connect(lambda: self.go(self.index + 1))
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels([t("항목"), t("한자 판독"), t("한글"), t("OCR 원문"),
                                              t("신뢰도"), t("상태")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selected)
        self.value = QLineEdit()
        self.value.setPlaceholderText(t("값 (한자)"))
        self.helper = QLineEdit()
        self.helper.setPlaceholderText(t("한자 입력 도우미 — 한글로 입력"))
        self.helper.textChanged.connect(self._candidates)
        self.choices = QListWidget()
        self.choices.setFlow(QListWidget.Flow.LeftToRight)
        self.choices.setWrapping(True)
        self.choices.setMaximumHeight(90)
        self.choices.itemDoubleClicked.connect(lambda item: self.value.insert(item.text()))
        accept = QPushButton(t("확인 (Enter)"))
        accept.clicked.connect(self.accept_field)
        save = QPushButton(t("수정 저장 (Ctrl+S)"))
        save.clicked.connect(self.save_correction)
        following_field = QPushButton(t("다음 항목"))
        following_field.clicked.connect(lambda: self.move(1))

        # a clerk's assignment: a line or a box drawn on the scan becomes a field
        self.line_list = QListWidget()
        self.line_list.setMaximumHeight(110)
        self.line_list.currentRowChanged.connect(self._line_row)
        self.field_box = QComboBox()
        self.field_box.setMinimumContentsLength(12)
        self.assign_text = QLineEdit()
        self.assign_text.setPlaceholderText(t("직접 입력 (비우면 선택한 줄·상자의 판독)"))
        self.draw_button = QPushButton(t("상자 그리기"))
        self.draw_button.setCheckable(True)
        self.draw_button.toggled.connect(self.scan.set_drawing)
        self.assign_button = QPushButton(t("항목으로 지정"))
        self.assign_button.clicked.connect(self.assign_field)
        self.picked_label = QLabel(t("줄을 고르거나 상자를 그리십시오"))
        assignment = QGroupBox(t("항목 지정 — 기계가 읽지 못한 값"))
        grid = QVBoxLayout(assignment)
        grid.addWidget(self.line_list)
        row = QHBoxLayout()
        row.addWidget(self.picked_label, 1)
        row.addWidget(self.draw_button)
        grid.addLayout(row)
        row = QHBoxLayout()
        row.addWidget(QLabel(t("항목")))
        row.addWidget(self.field_box)
        row.addWidget(self.assign_text, 1)
        row.addWidget(self.assign_button)
        grid.addLayout(row)

        nav = QHBoxLayout()
        nav.addWidget(previous)
        nav.addWidget(self.page_box, 1)
        nav.addWidget(following)
        actions = QHBoxLayout()
        for w in (accept, save, following_field):
            actions.addWidget(w)
        side = QWidget()
        form = QVBoxLayout(side)
        form.addLayout(nav)
        form.addWidget(self.page_label)
        form.addWidget(self.table, 1)
        form.addWidget(self.value)
        form.addLayout(actions)
        form.addWidget(self.helper)
        form.addWidget(self.choices)
        form.addWidget(assignment)
        split = QSplitter()
        split.addWidget(self.scan)
        split.addWidget(side)
        split.setSizes([560, 800])
        QVBoxLayout(self).addWidget(split)

        self.table.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: ANN001, N802 - Qt's override
        """Enter on the field list accepts the field (the table would ignore it)."""
        if watched is self.table and event.type() == QEvent.Type.KeyPress and \
                event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.accept_field()
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt's override
        """Ctrl+S saves the value typed; Ctrl+PgDown/PgUp change page — from any child."""
        control = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if control and event.key() == Qt.Key.Key_S:
            self.save_correction()
        elif control and event.key() == Qt.Key.Key_PageDown:
            self.go(self.index + 1)
        elif control and event.key() == Qt.Key.Key_PageUp:
            self.go(self.index - 1)
        else:
            super().keyPressEvent(event)

    def load(self, page_id: int | None = None, keep: str | None = None) -> None:
        """Lists every page (again), then shows `page_id` or the first one."""
        self.pages = pages_for_review(self.archive)
        self.page_box.clear()
        for entry in self.pages:
            mark = page_mark(entry)
            self.page_box.addItem(f"{entry.file} {entry.number}{t('쪽')}"
                                  + (f"  [{mark}]" if mark else ""), entry.page_id)
        index = next((i for i, e in enumerate(self.pages) if e.page_id == page_id), 0)
        self.go(index, keep)

    @property
    def entry(self) -> PageEntry | None:
        return self.pages[self.index] if self.pages else None

    @property
    def parcel_id(self) -> int | None:
        return self.entry.parcel_id if self.entry else None

    @property
    def page_id(self) -> int | None:
        return self.entry.page_id if self.entry else None

    def go(self, index: int, keep: str | None = None) -> None:
        if not self.pages:
            self.page_label.setText(t("검수할 쪽이 없습니다"))
            return
        self.index = max(0, min(index, len(self.pages) - 1))
        self.page_box.setCurrentIndex(self.index)
        self.refresh(keep)

    def refresh(self, keep: str | None = None) -> None:
        entry = self.entry
        shown = page_for_review(self.archive, entry.page_id)
        self.fields, self.lines, record = shown.fields, shown.lines, shown.record
        pixels = shown.pixels
        flagged = sum(f.flagged for f in self.fields)
        subject = entry.parcel if entry.parcel is not None else t("필지 없음")
        mark = page_mark(entry)
        self.page_label.setText(f"{subject}  {entry.file} {entry.number}{t('쪽')}  "
                                f"({self.index + 1}/{len(self.pages)}, {t('검토 필요')} {flagged})"
                                + (f"  {mark}" if mark else ""))
        self.scan.show_page(pixels, self.fields, self.threshold, self.lines)
        self._fill_assignment(record)
        self.table.setRowCount(len(self.fields))
        for row, f in enumerate(self.fields):
            status = t("확인됨") if f.confirmed else (t("검토 필요") if f.flagged else t("기계 판독"))
            for col, text in enumerate([field_label(f.path), f.hanja, f.hangul, f.raw,
                                        f"{f.confidence:.0%}", status]):
                item = QTableWidgetItem(text)
                if col == 5:
                    item.setForeground(colour(f, self.threshold))
                self.table.setItem(row, col, item)
        target = next((i for i, f in enumerate(self.fields) if f.path == keep), 0)
        if self.fields:
            self.table.selectRow(target)
        self.table.setFocus()

    # ---- a clerk's assignment of a line or a drawn box to a field ----------------------

    def _fill_assignment(self, record: dict | None) -> None:
        self.picked_line, self.picked_box = None, None
        self.line_list.blockSignals(True)
        self.line_list.clear()
        for line in self.lines:
            taken = f"  → {field_label(line.field)}" if line.field else ""
            self.line_list.addItem(f"{line.text}  ({line.confidence:.0%}){taken}")
        self.line_list.blockSignals(False)
        self.field_box.clear()
        for path in assignable(record):
            self.field_box.addItem(field_label(path), path)
        self.assign_text.clear()
        self.picked_label.setText(t("줄을 고르거나 상자를 그리십시오"))

    def _line_row(self, row: int) -> None:
        if 0 <= row < len(self.lines):
            self.pick_line(self.lines[row].line_id)

    def pick_line(self, line_id: int) -> None:
        """A line picked, on the scan or in the list."""
        row = next((i for i, line in enumerate(self.lines) if line.line_id == line_id), None)
        if row is None:
            return
        self.picked_line, self.picked_box = line_id, None
        self.scan.pick_line(line_id)
        if self.line_list.currentRow() != row:
            self.line_list.blockSignals(True)
            self.line_list.setCurrentRow(row)
            self.line_list.blockSignals(False)
        self.picked_label.setText(f"{t('고른 줄')}: {self.lines[row].text}")

    def pick_box(self, box: tuple) -> None:
        """A box drawn on the scan (scan pixels): read by the engine when assigned."""
        self.picked_line, self.picked_box = None, tuple(int(v) for v in box)
        self.scan.pick_line(None)
        self.scan.show_box(self.picked_box)
        self.line_list.clearSelection()
        self.picked_label.setText(f"{t('그린 상자')}: {list(self.picked_box)}")

    def choose_field(self, path: str) -> None:
        index = self.field_box.findData(path)
        if index < 0:
            self.field_box.addItem(field_label(path), path)
            index = self.field_box.count() - 1
        self.field_box.setCurrentIndex(index)

    def assign_field(self) -> None:
        """Assigns the line picked, the box drawn or the value typed to the field chosen."""
        path = self.field_box.currentData()
        typed = self.assign_text.text().strip() or None
        if path is None or self.page_id is None:
            return
        if self.picked_line is None and self.picked_box is None and typed is None:
            QMessageBox.information(self, t("항목 지정"), t("줄을 고르거나 상자를 그리십시오"))
            return
        page_id = self.page_id
        try:
            assign(self.archive, page_id, path, line_id=self.picked_line, box=self.picked_box,
                   text=typed)
        except Exception as exc:  # noqa: BLE001 - refused value or role: say so, stay
            QMessageBox.warning(self, t("오류"), explain(exc))
            return
        self.draw_button.setChecked(False)
        self.load(page_id, keep=path)  # the page has a parcel now, perhaps moved in the list

    def current(self) -> FieldView | None:
        row = self.table.currentRow()
        return self.fields[row] if 0 <= row < len(self.fields) else None

    def _selected(self) -> None:
        field = self.current()
        if field is not None:
            self.value.setText(field.hanja)
            self.scan.focus(field.path)

    def move(self, step: int) -> None:
        row = self.table.currentRow() + step
        if 0 <= row < self.table.rowCount():
            self.table.selectRow(row)

    def _store(self, text: str) -> None:
        field = self.current()
        if field is None:
            return
        try:
            correct_field(self.archive, self.parcel_id, field.path, text)
        except Exception as exc:  # noqa: BLE001 - refused value or role: say so, stay
            QMessageBox.warning(self, t("오류"), explain(exc))
            return
        row = self.table.currentRow()
        self.refresh()
        self.table.selectRow(min(row, self.table.rowCount() - 1))  # the next one moved up

    def accept_field(self) -> None:
        """The machine's reading is right: stored as a confirmed version."""
        field = self.current()
        if field is not None:
            self._store(field.hanja)

    def save_correction(self) -> None:
        self._store(self.value.text())

    def _candidates(self, text: str) -> None:
        """The dictionary's hanja for what was typed, those the font can draw."""
        self.choices.clear()
        metrics = QFontMetrics(self.choices.font())
        for hanja in hanja_candidates(text.strip()):
            if all(metrics.inFontUcs4(ord(ch)) for ch in hanja):
                self.choices.addItem(hanja)
