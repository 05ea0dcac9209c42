"""The main window: batch, review, search desk and settings as tabs, the user and the
archive in the status bar. Views a role cannot use are not offered (the services would
refuse them anyway)."""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget

from app.archive import Archive
from app.auth import Principal
from ui.batch_view import BatchView
from ui.i18n import t
from ui.review_view import ReviewView
from ui.search_view import SearchView
from ui.settings_view import SettingsView


class MainWindow(QMainWindow):
    def __init__(self, archive: Archive, target: str, principal: Principal) -> None:
        super().__init__()
        self.setWindowTitle(t("토지 — 구 토지대장 판독"))
        local = QSettings("Toji", "Toji")  # this PC's choices (the settings tab)
        if local.value("models"):
            os.environ["TOJI_PADDLE_MODELS"] = str(local.value("models"))
        engine = str(local.value("engine", "rapidocr"))
        threshold = float(local.value("threshold", 0.8))
        self.tabs = QTabWidget()
        self.views: dict[str, object] = {}
        if principal.may("process"):
            self.views["batch"] = BatchView(archive, engine)
            self.tabs.addTab(self.views["batch"], t("일괄 처리"))
        if principal.may("review"):
            self.views["review"] = ReviewView(archive, threshold)
            self.tabs.addTab(self.views["review"], t("검수"))
            self.views["review"].load()
        self.views["search"] = SearchView(archive)
        self.tabs.addTab(self.views["search"], t("조상땅 찾기"))
        self.views["settings"] = SettingsView(archive, target)
        self.tabs.addTab(self.views["settings"], t("설정"))
        self.setCentralWidget(self.tabs)
        self.statusBar().addWidget(QLabel(f"{t('사용자')}: {principal.name} ({principal.role})"
                                          f"  ·  {t('아카이브')}: {target}"))
        self.resize(1366, 768)

    def show_view(self, name: str) -> None:
        self.tabs.setCurrentWidget(self.views[name])
