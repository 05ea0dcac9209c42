"""The window's font: the same Korean font the certificates embed, registered with Qt so
hangul and hanja never show as empty boxes, whatever fonts the system has."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from app.fonts import DocumentFont, document_font


def use_korean_font(app: QApplication, setting: str | None = None) -> str:
    """Registers the document font and makes it the application's; returns its family."""
    font: DocumentFont = document_font(setting)
    ident = QFontDatabase.addApplicationFont(str(font.path))
    families = QFontDatabase.applicationFontFamilies(ident) if ident >= 0 else []
    family = families[0] if families else "NanumGothic"
    app.setFont(QFont(family, 10))
    return family
