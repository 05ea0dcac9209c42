"""The certificate dialog: the certificate as it will be issued (a preview: not numbered,
not stored), then save — which issues it, numbered and signed — or print."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.archive import Archive
from app.certificate import issue, preview
from ui.i18n import t
from ui.messages import explain


def pages_as_images(pdf: bytes, dpi: int = 96) -> list[QImage]:
    document = pdfium.PdfDocument(pdf)
    try:
        images = []
        for page in document:
            image = page.render(scale=dpi / 72).to_pil().convert("RGB")
            data = image.tobytes()
            images.append(QImage(data, image.width, image.height, 3 * image.width,
                                 QImage.Format.Format_RGB888).copy())
        return images
    finally:
        document.close()


class CertificateDialog(QDialog):
    def __init__(self, archive: Archive, parcel: str, applicant: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive, self.parcel, self.applicant = archive, parcel, applicant
        self.setWindowTitle(f"{t('증명서')} — {parcel}")
        self.issued = None
        pages = QWidget()
        column = QVBoxLayout(pages)
        for image in pages_as_images(preview(archive, parcel, applicant)):
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(image))
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            column.addWidget(label)
        scroll = QScrollArea()
        scroll.setWidget(pages)
        scroll.setWidgetResizable(True)
        save = QPushButton(t("저장"))
        save.clicked.connect(self.save)
        printing = QPushButton(t("인쇄"))
        printing.clicked.connect(self.print_)
        close = QPushButton(t("닫기"))
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch()
        for b in (save, printing, close):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self.resize(760, 720)

    def issue_to(self, path: Path):  # noqa: ANN201 - app.certificate.Issued
        self.issued = issue(self.archive, self.parcel, path, applicant=self.applicant)
        return self.issued

    def save(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, t("저장"), f"certificate-{self.parcel}.pdf",
                                              "PDF (*.pdf)")
        if name:
            try:
                issued = self.issue_to(Path(name))
            except Exception as exc:  # noqa: BLE001 - refused or unwritable: say so
                QMessageBox.warning(self, t("오류"), explain(exc))
                return
            QMessageBox.information(self, t("증명서"), f"{issued.number} · {issued.code}\n{name}")

    def print_(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self).exec() != QDialog.DialogCode.Accepted:
            return
        out = Path(tempfile.mkdtemp(prefix="toji-print-")) / "certificate.pdf"
        issued = self.issue_to(out)
        painter = QPainter(printer)
        for i, image in enumerate(pages_as_images(issued.path.read_bytes(), 300)):
            if i:
                printer.newPage()
            target = painter.viewport()
            scaled = image.scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(0, 0, scaled)
        painter.end()
