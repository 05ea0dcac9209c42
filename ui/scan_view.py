"""A scan with its fields' boxes: zoom with the wheel, pan by dragging; each box coloured by
how sure the machine was (green sure, amber doubtful, red flagged), the chosen one bold."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QGraphicsPolygonItem, QGraphicsScene, QGraphicsView

from app.review import FieldView


def pixmap(pixels: np.ndarray) -> QPixmap:
    pixels = np.ascontiguousarray(pixels)
    h, w = pixels.shape[:2]
    image = QImage(pixels.data, w, h, 3 * w, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(image.copy())


def colour(field: FieldView, threshold: float) -> QColor:
    if field.confirmed:
        return QColor(30, 120, 220)
    if field.flagged:
        return QColor(220, 40, 40)
    if field.confidence < threshold:
        return QColor(230, 150, 0)
    return QColor(40, 160, 70)


class ScanView(QGraphicsView):
    def __init__(self) -> None:
        super().__init__()
        self.setScene(QGraphicsScene(self))
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.boxes: dict[str, QGraphicsPolygonItem] = {}

    def show_page(self, pixels: np.ndarray, fields: list[FieldView], threshold: float) -> None:
        scene = self.scene()
        scene.clear()
        self.boxes = {}
        scene.addPixmap(pixmap(pixels))
        for field in fields:
            if not field.box:
                continue
            c = colour(field, threshold)
            item = scene.addPolygon(QPolygonF([QPointF(x, y) for x, y in field.box]),
                                    QPen(c, 4), QBrush(QColor(c.red(), c.green(), c.blue(), 40)))
            item.setToolTip(f"{field.path}: {field.hanja} ({field.confidence:.0%})")
            self.boxes[field.path] = item
        self.resetTransform()
        self.fitInView(scene.itemsBoundingRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def focus(self, path: str, zoom: bool = True) -> None:
        """Marks the field's box and brings it into view: zoomed to the field with its
        neighbours around it (the card's row), or only centred."""
        for name, item in self.boxes.items():
            pen = item.pen()
            pen.setWidth(10 if name == path else 4)
            item.setPen(pen)
        if path not in self.boxes:
            return
        box = self.boxes[path].boundingRect()
        if zoom:
            page = self.scene().itemsBoundingRect()
            side = max(box.width(), box.height()) * 1.5 + page.width() * 0.15
            self.fitInView(box.adjusted(-side, -side, side, side),
                           Qt.AspectRatioMode.KeepAspectRatio)
        self.centerOn(self.boxes[path])

    def wheelEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt's override
        factor = 1.2 if event.angleDelta().y() > 0 else 1 / 1.2
        self.scale(factor, factor)
