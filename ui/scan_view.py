"""A scan with its fields' boxes: zoom with the wheel, pan by dragging; each box coloured by
how sure the machine was (green sure, amber doubtful, red flagged), the chosen one bold.

The page's text lines are drawn too (thin, dashed); a click on one picks it, and in
drawing mode a drag draws a box on the scan instead of panning (both for a clerk to say
which field a piece of writing is)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QGraphicsPolygonItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
)

from app.review import FieldView, LineView

LINE = QColor(60, 90, 200)  # a text line not (yet) a field
PICKED = QColor(200, 0, 160)  # the line or box a clerk picked


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
    linePicked = Signal(int)  # noqa: N815 - Qt's signal style: a text line's id
    boxDrawn = Signal(tuple)  # noqa: N815 - (x0, y0, x1, y1) in scan pixels

    def __init__(self) -> None:
        super().__init__()
        self.setScene(QGraphicsScene(self))
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.boxes: dict[str, QGraphicsPolygonItem] = {}
        self.lines: dict[int, QGraphicsPolygonItem] = {}
        self.drawing = False
        self._start: QPointF | None = None
        self.drawn: QGraphicsRectItem | None = None

    def show_page(self, pixels: np.ndarray, fields: list[FieldView], threshold: float,
                  lines: list[LineView] | None = None) -> None:
        scene = self.scene()
        scene.clear()
        self.boxes, self.lines, self.drawn = {}, {}, None
        scene.addPixmap(pixmap(pixels))
        for line in lines or []:
            pen = QPen(LINE, 3, Qt.PenStyle.DashLine)
            item = scene.addPolygon(QPolygonF([QPointF(x, y) for x, y in line.box]), pen,
                                    QBrush(QColor(LINE.red(), LINE.green(), LINE.blue(), 25)))
            item.setToolTip(f"{line.text} ({line.confidence:.0%})")
            item.setData(0, line.line_id)
            self.lines[line.line_id] = item
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

    def pick_line(self, line_id: int | None) -> None:
        """Marks the line picked (None: none)."""
        for key, item in self.lines.items():
            item.setPen(QPen(PICKED if key == line_id else LINE, 8 if key == line_id else 3,
                             Qt.PenStyle.SolidLine if key == line_id else Qt.PenStyle.DashLine))
        if line_id is not None and self.drawn is not None:
            self.scene().removeItem(self.drawn)
            self.drawn = None

    def set_drawing(self, on: bool) -> None:
        """Drawing mode: a drag draws a box; otherwise it pans."""
        self.drawing = on
        self.setDragMode(QGraphicsView.DragMode.NoDrag if on else
                         QGraphicsView.DragMode.ScrollHandDrag)
        self.viewport().setCursor(Qt.CursorShape.CrossCursor if on else
                                  Qt.CursorShape.OpenHandCursor)

    def show_box(self, box: tuple[int, int, int, int] | None) -> None:
        """The box drawn, marked on the scan (None: taken away)."""
        if self.drawn is not None:
            self.scene().removeItem(self.drawn)
            self.drawn = None
        if box is not None:
            x0, y0, x1, y1 = box
            self.drawn = self.scene().addRect(QRectF(x0, y0, x1 - x0, y1 - y0),
                                              QPen(PICKED, 6), QBrush(QColor(200, 0, 160, 40)))

    def mousePressEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt's override
        if event.button() == Qt.MouseButton.LeftButton:
            point = self.mapToScene(event.position().toPoint())
            if self.drawing:
                self._start = point
                self.show_box((int(point.x()), int(point.y()), int(point.x()), int(point.y())))
                return
            for item in self.scene().items(point):
                if item.data(0) is not None:
                    self.linePicked.emit(int(item.data(0)))
                    break
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt's override
        if self.drawing and self._start is not None:
            self.show_box(self._box(self.mapToScene(event.position().toPoint())))
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt's override
        if self.drawing and self._start is not None:
            box = self._box(self.mapToScene(event.position().toPoint()))
            self._start = None
            self.show_box(box)
            if box[2] - box[0] >= 4 and box[3] - box[1] >= 4:
                self.boxDrawn.emit(box)
            return
        super().mouseReleaseEvent(event)

    def _box(self, point: QPointF) -> tuple[int, int, int, int]:
        start = self._start or point
        return (int(min(start.x(), point.x())), int(min(start.y(), point.y())),
                int(max(start.x(), point.x())), int(max(start.y(), point.y())))

    def wheelEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt's override
        factor = 1.2 if event.angleDelta().y() > 0 else 1 / 1.2
        self.scale(factor, factor)
