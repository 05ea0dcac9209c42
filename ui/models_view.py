"""설정 → 모델: the archive's recognisers. Admins train one on the lines clerks confirmed
(off the GUI thread, with its progress), choose the one pages are read with, and roll
back to the shipped model. Everything goes through `app.recognisers`, which checks the
role; others see the list."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app import recognisers
from app.archive import Archive
from app.auth import current
from ui.i18n import t
from ui.messages import explain
from ui.worker import Task

COLUMNS = ("모델", "사용 중", "만든 때", "검증 CER", "이전 CER", "학습 줄", "새 글자")


class ModelsPanel(QGroupBox):
    def __init__(self, archive: Archive) -> None:
        super().__init__(t("모델"))
        self.archive = archive
        self.task: Task | None = None
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([t(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 50)
        self.epochs.setValue(5)
        self.train_button = QPushButton(t("학습 시작"))
        self.train_button.clicked.connect(self.train)
        self.use_button = QPushButton(t("선택한 모델 사용"))
        self.use_button.clicked.connect(self.use_selected)
        self.default_button = QPushButton(t("기본 모델로 되돌리기"))
        self.default_button.clicked.connect(lambda: self._use(recognisers.DEFAULT))
        self.progress = QProgressBar()
        self.status = QLabel(t("대기 중"))
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel(t("학습 횟수 (epoch)")))
        buttons.addWidget(self.epochs)
        for button in (self.train_button, self.use_button, self.default_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        principal = current()
        admin = principal is not None and principal.may("settings")
        for button in (self.train_button, self.use_button, self.default_button):
            button.setEnabled(admin)
        self.refresh()

    def refresh(self) -> None:
        active = recognisers.in_use(self.archive) or recognisers.DEFAULT
        rows = [(recognisers.DEFAULT, "", "", "", "", "")]
        for m in recognisers.list_models(self.archive):
            rows.append((m.name, m.created.replace("T", " ")[:16], f"{m.after['cer']:.4f}",
                         f"{m.before['cer']:.4f} ({m.compared_with})", str(m.lines_trained),
                         m.new_characters or "-"))
        self.table.setRowCount(len(rows))
        for r, (name, created, cer, before, lines, new) in enumerate(rows):
            shown = t("기본 (PP-OCRv6)") if name == recognisers.DEFAULT else name
            for c, text in enumerate((shown, "●" if name == active else "", created, cer,
                                      before, lines, new)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, name)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()

    def use_selected(self) -> None:
        item = self.table.item(self.table.currentRow(), 0)
        if item is not None:
            self._use(item.data(Qt.ItemDataRole.UserRole))

    def _use(self, name: str) -> None:
        try:
            recognisers.use(self.archive, name)
        except Exception as exc:  # noqa: BLE001 - shown to the user, the window stays up
            QMessageBox.warning(self, t("오류"), explain(exc))
            return
        self.status.setText(t("이제 이 모델로 읽습니다: ") + name)
        self.refresh()

    def train(self) -> None:
        self.task = Task(recognisers.train, self.archive, None, self.epochs.value(), 0,
                         say=lambda text: self.task.outcome.emit(text),
                         progress=lambda p: self.task.progress.emit(p))
        self.task.progress.connect(self._progress)
        self.task.outcome.connect(self.status.setText)
        self.task.succeeded.connect(self._trained)
        self.task.failed.connect(self._failed)
        self.train_button.setEnabled(False)
        self.progress.setRange(0, 100)
        self.task.start()

    def _progress(self, p) -> None:  # noqa: ANN001 - ocr.finetune.Progress
        done = (p.epoch - 1 + p.lines / max(p.total, 1)) / max(p.epochs, 1)
        self.progress.setValue(int(100 * done))
        cer = f", {t('검증 CER')} {p.held_out_cer:.4f}" if p.held_out_cer is not None else ""
        self.status.setText(f"epoch {p.epoch}/{p.epochs} · {p.lines}/{p.total} "
                            f"{t('줄')} · {p.lines_per_second:.1f} {t('줄/초')}{cer}")

    def _trained(self, info) -> None:  # noqa: ANN001 - app.recognisers.ModelInfo
        self.train_button.setEnabled(True)
        self.progress.setValue(100)
        verdict = t("사용합니다") if info.switched else t("보관만 합니다 (더 나쁨)")
        self.status.setText(f"{info.name}: CER {info.before['cer']:.4f} → "
                            f"{info.after['cer']:.4f} · {verdict}")
        self.refresh()

    def _failed(self, message: str) -> None:
        self.train_button.setEnabled(True)
        self.status.setText(message)
        QMessageBox.warning(self, t("오류"), message)
