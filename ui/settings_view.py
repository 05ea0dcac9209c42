"""Settings: the archive (shown; the one to open next time can be chosen), the OCR engine and its model folder and the review
threshold (this PC's, in QSettings), the issuing office and the document font (the
archive's, shared by every desk; admins only — the service refuses others), the
signing key (the archive's certificate in use, whether this PC holds its private key,
and where this PC keeps keys: a file or the system keyring), and the archive's
recognisers (ui.models_view)."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from app import settings, signing_keys
from app.archive import Archive
from app.batch import ENGINES
from ui.i18n import t
from ui.messages import explain
from ui.models_view import ModelsPanel

STORE_LABELS = {"file": "키 파일 (소유자만 읽기)", "keyring": "운영체제 키링"}


class SettingsView(QWidget):
    def __init__(self, archive: Archive, target: str) -> None:
        super().__init__()
        self.archive = archive
        self.local = QSettings("Toji", "Toji")
        self.engine = QComboBox()
        self.engine.addItems(list(ENGINES))
        self.engine.setCurrentText(str(self.local.value("engine", "rapidocr")))
        self.models = QLineEdit(str(self.local.value("models", "")))
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0.5, 1.0)
        self.threshold.setSingleStep(0.01)
        self.threshold.setValue(float(self.local.value("threshold", 0.8)))
        self.office = QLineEdit(settings.get(archive, "office") or "")
        self.font = QLineEdit(settings.get(archive, "font") or "")
        save = QPushButton(t("설정 저장"))
        save.clicked.connect(self.save)
        form = QFormLayout(self)
        self.archive_path = QLineEdit(str(self.local.value("archive", target)))
        form.addRow(t("아카이브"), QLabel(target))
        form.addRow(t("다음에 열 아카이브 (파일 또는 URL)"), self.archive_path)
        form.addRow(t("OCR 엔진"), self.engine)
        form.addRow(t("모델 폴더"), self.models)
        form.addRow(t("검토 기준 신뢰도"), self.threshold)
        form.addRow(t("발급 기관"), self.office)
        form.addRow(t("문서 글꼴"), self.font)
        self.key_state = QLabel(self._key_state())
        self.key_state.setWordWrap(True)
        self.key_store = QComboBox()
        for name in signing_keys.STORES:
            self.key_store.addItem(t(STORE_LABELS[name]), name)
        self.key_store.setCurrentIndex(list(signing_keys.STORES).index(
            signing_keys.store_choice()))
        form.addRow(t("서명 키"), self.key_state)
        form.addRow(t("서명 키 보관 (이 PC)"), self.key_store)
        form.addRow(save)
        self.models_panel = ModelsPanel(archive)  # 설정 → 모델: train, switch, roll back
        form.addRow(self.models_panel)

    def _key_state(self) -> str:
        """The signing certificate in use and whether this PC can sign with it."""
        try:
            keys = signing_keys.list_keys(self.archive)
        except Exception as exc:  # noqa: BLE001 - a role that may not see keys
            return explain(exc)
        current = next((k for k in keys if k.retired_at is None), None)
        if current is None:
            return t("아직 없음 (첫 확인서 발급 때 만들어집니다)")
        here = t("이 PC에 개인 키 있음") if current.on_this_pc else \
            t("이 PC에 개인 키 없음: 발급할 수 없습니다 (toji keys import)")
        retired = len(keys) - 1
        older = f" · {t('이전 키')} {retired}" if retired else ""
        return f"SHA-256 {signing_keys.spaced(current.fingerprint)}\n{here}{older}"

    def save(self) -> None:
        self.local.setValue("archive", self.archive_path.text().strip())
        self.local.setValue("engine", self.engine.currentText())
        self.local.setValue("models", self.models.text())
        self.local.setValue("threshold", self.threshold.value())
        try:
            signing_keys.choose_store(self.key_store.currentData())
        except signing_keys.SigningKeyError as exc:
            QMessageBox.warning(self, t("서명 키"), explain(exc))
            return
        try:
            settings.put(self.archive, "office", self.office.text())
            if self.font.text():
                settings.put(self.archive, "font", self.font.text())
        except Exception as exc:  # noqa: BLE001 - a clerk or desk user: not theirs to set
            QMessageBox.warning(self, t("권한이 없습니다"), explain(exc))
            return
        QMessageBox.information(self, t("설정"), t("저장했습니다"))
