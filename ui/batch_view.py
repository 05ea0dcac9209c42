"""The batch view: choose folders or files, start, pause, resume, cancel; progress with
pages per minute and time left; failures with their reasons, and a retry.

The job runs in `app.batch` on a worker thread (pages are read in worker processes when
`workers` > 0); pausing sets the job's stop event, so the pages in hand are finished and
the job can be resumed — here, or with `toji process --resume`.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import batch
from app.archive import Archive
from ui.i18n import t
from ui.worker import Task


def describe(p: batch.Progress) -> str:
    return (f"{p.done}/{p.total} {t('쪽')} · {t('분당')} {p.pages_per_minute:.1f}{t('쪽')} · "
            f"{t('남은 시간')} {p.time_left} · {t('실패')} {p.failed} · {t('검토 필요')} {p.review}")


class BatchView(QWidget):
    def __init__(self, archive: Archive, engine: str = "rapidocr") -> None:
        super().__init__()
        self.archive, self.engine = archive, engine
        self.job: int | None = None
        self.stop = threading.Event()
        self.task: Task | None = None
        self.last: batch.Progress | None = None

        self.sources = QListWidget()
        add_folder = QPushButton(t("폴더 추가"))
        add_folder.clicked.connect(self._add_folder)
        add_files = QPushButton(t("파일 추가"))
        add_files.clicked.connect(self._add_files)
        clear = QPushButton(t("목록 비우기"))
        clear.clicked.connect(self.sources.clear)
        self.workers = QSpinBox()
        self.workers.setRange(0, 64)
        self.workers.setValue(2)
        self.start_button = QPushButton(t("시작"))
        self.start_button.clicked.connect(self.start)
        self.pause_button = QPushButton(t("일시정지"))
        self.pause_button.clicked.connect(self.pause)
        self.resume_button = QPushButton(t("재개"))
        self.resume_button.clicked.connect(self.resume)
        self.cancel_button = QPushButton(t("취소"))
        self.cancel_button.clicked.connect(self.cancel)
        self.retry_button = QPushButton(t("실패 재시도"))
        self.retry_button.clicked.connect(self.retry)
        self.bar = QProgressBar()
        self.status = QLabel(t("대기 중"))
        self.failures = QTableWidget(0, 2)
        self.failures.setHorizontalHeaderLabels([t("파일"), t("이유")])
        self.failures.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.failures.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents)

        choose = QHBoxLayout()
        for w in (add_folder, add_files, clear):
            choose.addWidget(w)
        choose.addStretch()
        choose.addWidget(QLabel(t("작업자 수")))
        choose.addWidget(self.workers)
        controls = QHBoxLayout()
        for w in (self.start_button, self.pause_button, self.resume_button,
                  self.cancel_button, self.retry_button):
            controls.addWidget(w)
        controls.addStretch()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(t("처리할 스캔")))
        layout.addLayout(choose)
        layout.addWidget(self.sources, 1)
        layout.addLayout(controls)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addWidget(QLabel(t("실패한 파일")))
        layout.addWidget(self.failures, 2)
        self._buttons(running=False)

    # -- choosing ----------------------------------------------------------------------
    def add_paths(self, paths: list[Path]) -> None:
        for path in paths:
            self.sources.addItem(str(path))

    def _add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, t("폴더 추가"))
        if folder:
            self.add_paths([Path(folder)])

    def _add_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, t("파일 추가"), "", "Scans (*.png *.jpg *.jpeg *.tif *.tiff *.bmp *.pdf)")
        self.add_paths([Path(f) for f in files])

    # -- running -----------------------------------------------------------------------
    def start(self) -> None:
        paths = [Path(self.sources.item(i).text()) for i in range(self.sources.count())]
        if not paths:
            return
        self.job = batch.create_job(self.archive, paths, self.engine)
        self.failures.setRowCount(0)
        self._run()

    def _run(self) -> None:
        self.stop = threading.Event()
        self.task = Task(batch.run_job, self.archive, self.job, self.workers.value(),
                         on_progress=lambda p: self.task.progress.emit(p),
                         on_outcome=lambda o: self.task.outcome.emit(o), stop=self.stop)
        self.task.progress.connect(self._progress)
        self.task.outcome.connect(self._outcome)
        self.task.succeeded.connect(self._finished)
        self.task.failed.connect(self._error)
        self._buttons(running=True)
        self.task.start()

    def pause(self) -> None:
        self.stop.set()

    def resume(self) -> None:
        if self.job is not None:
            self._run()

    def cancel(self) -> None:
        self.stop.set()
        self.job = None

    def retry(self) -> None:
        if self.job is not None and batch.retry_failed(self.archive, self.job):
            self.failures.setRowCount(0)
            self._run()

    def _progress(self, p: batch.Progress) -> None:
        self.last = p
        self.bar.setMaximum(max(p.total, 1))
        self.bar.setValue(p.done)
        self.status.setText(describe(p))

    def _outcome(self, o: batch.Outcome) -> None:
        if o.status == "failed":
            row = self.failures.rowCount()
            self.failures.insertRow(row)
            self.failures.setItem(row, 0, QTableWidgetItem(o.path.name))
            self.failures.setItem(row, 1, QTableWidgetItem(o.error or ""))

    def _finished(self, summary: batch.Summary) -> None:
        self._buttons(running=False, paused=summary.status == "stopped" and self.job is not None)
        if summary.status == "stopped":
            self.status.setText(f"{describe(summary.progress)} — {t('멈춤 — 재개하면 이어서 처리합니다')}")
        else:
            self.status.setText(f"{t('완료')}: {describe(summary.progress)}")

    def _error(self, message: str) -> None:
        self._buttons(running=False)
        self.status.setText(f"{t('오류')}: {message}")

    def _buttons(self, running: bool, paused: bool = False) -> None:
        self.start_button.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.resume_button.setEnabled(not running and paused)
        self.cancel_button.setEnabled(running or paused)
        self.retry_button.setEnabled(not running and self.failures.rowCount() > 0)

    def wait(self, ms: int = 600_000) -> None:
        """Blocks until the running job ends (tests and screenshots)."""
        if self.task is not None:
            self.task.wait(ms)
