"""The review view: the scan beside the field form, flagged and doubtful fields first.

Keyboard-driven: Enter accepts the selected field as read (a confirmed version with the
reviewer's name), Ctrl+S stores the value typed as a correction, Down/Up move between
fields, Ctrl+PgDown/PgUp between pages. The hanja helper turns hangul typed into the
dictionary's hanja candidates; a double-click puts one into the value.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
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

from app.review import FieldView, correct_field, review_fields, review_queue
from app.scans import page_pixels
from db.archive import Archive
from db.models import Page, Parcel
from translit.dictionary import candidates
from ui.i18n import t
from ui.labels import field_label
from ui.messages import explain
from ui.scan_view import ScanView, colour


class ReviewView(QWidget):
    def __init__(self, archive: Archive, threshold: float = 0.8) -> None:
        super().__init__()
        self.archive, self.threshold = archive, threshold
        self.queue: list[int] = []
        self.index = 0
        self.fields: list[FieldView] = []

        self.scan = ScanView()
        self.page_label = QLabel()
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

        nav = QHBoxLayout()
        nav.addWidget(previous)
        nav.addWidget(self.page_label, 1)
        nav.addWidget(following)
        actions = QHBoxLayout()
        for w in (accept, save, following_field):
            actions.addWidget(w)
        side = QWidget()
        form = QVBoxLayout(side)
        form.addLayout(nav)
        form.addWidget(self.table, 1)
        form.addWidget(self.value)
        form.addLayout(actions)
        form.addWidget(self.helper)
        form.addWidget(self.choices)
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

    def load(self) -> None:
        self.queue = review_queue(self.archive)
        self.go(0)

    @property
    def parcel_id(self) -> int | None:
        return self.queue[self.index] if self.queue else None

    def go(self, index: int) -> None:
        if not self.queue:
            self.page_label.setText(t("검수할 필지가 없습니다"))
            return
        self.index = max(0, min(index, len(self.queue) - 1))
        self.refresh()

    def refresh(self, keep: str | None = None) -> None:
        pid = self.parcel_id
        self.fields = review_fields(self.archive, pid)
        with self.archive.session() as session:
            parcel = session.get(Parcel, pid)
            page = session.get(Page, parcel.page_id)
            scan = page.scan
            pixels = page_pixels(self.archive, scan, page.number)
            name = scan.path.rsplit("/", 1)[-1]
        flagged = sum(f.flagged for f in self.fields)
        self.page_label.setText(f"#{pid}  {name} {page.number}{t('쪽')}  "
                                f"({self.index + 1}/{len(self.queue)}, {t('검토 필요')} {flagged})")
        self.scan.show_page(pixels, self.fields, self.threshold)
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
        for hanja in candidates(text.strip()):
            if all(metrics.inFontUcs4(ord(ch)) for ch in hanja):
                self.choices.addItem(hanja)
