"""The search desk (조상땅 찾기): name in hangul or hanja, place, lot, and the applicant;
sortable results saying why each matched; the chosen parcel's card and fields; one
click to its certificate. A desk user's searches are desk searches (final owners)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.auth import current
from app.review import shown
from app.search import owner_query, search_owners
from db.archive import Archive
from db.models import Page, Parcel
from ui.i18n import t
from ui.labels import reason
from ui.messages import explain
from ui.scan_view import pixmap

COLUMNS = ["번호", "소유자", "한글", "소재지", "지번", "지목", "면적(㎡)", "최종", "일치 이유"]


class SearchView(QWidget):
    def __init__(self, archive: Archive) -> None:
        super().__init__()
        self.archive = archive
        self.hits = []
        self.name, self.place, self.lot = QLineEdit(), QLineEdit(), QLineEdit()
        self.applicant, self.relation, self.proof = QLineEdit(), QLineEdit(), QLineEdit()
        self.desk = QCheckBox(t("최종 소유자만 (조상땅 찾기)"))
        principal = current()
        self.desk.setChecked(True)
        self.desk.setEnabled(principal is None or principal.may("search.records"))
        go = self.search_button = QPushButton(t("검색"))
        go.clicked.connect(self.search)
        for box in (self.name, self.place, self.lot):
            box.returnPressed.connect(self.search)
        form = QFormLayout()
        form.addRow(t("이름 (한글 또는 한자)"), self.name)
        form.addRow(t("장소"), self.place)
        form.addRow(t("지번"), self.lot)
        who = QHBoxLayout()
        for label, box in ((t("신청인"), self.applicant), (t("관계"), self.relation),
                           (t("증빙 서류"), self.proof)):
            who.addWidget(QLabel(label))
            who.addWidget(box)
        form.addRow(who)
        row = QHBoxLayout()
        row.addWidget(self.desk)
        row.addStretch()
        row.addWidget(go)
        form.addRow(row)

        self.model = QStandardItemModel(0, len(COLUMNS))
        self.model.setHorizontalHeaderLabels([t(c) for c in COLUMNS])
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._show)
        self.count = QLabel()
        self.card = QLabel()
        self.card.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.card.setMinimumWidth(260)
        self.details = QTextBrowser()
        self.certify = QPushButton(t("증명서 발급"))
        self.certify.clicked.connect(self.open_certificate)
        self.certify.setEnabled(False)

        left = QWidget()
        column = QVBoxLayout(left)
        column.addLayout(form)
        column.addWidget(self.count)
        column.addWidget(self.table, 1)
        right = QWidget()
        detail = QVBoxLayout(right)
        detail.addWidget(self.card, 2)
        detail.addWidget(self.details, 2)
        detail.addWidget(self.certify)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([880, 480])
        QVBoxLayout(self).addWidget(split)

    def applicant_text(self) -> str | None:
        name = self.applicant.text().strip()
        if not name:
            return None
        relation, proof = self.relation.text().strip(), self.proof.text().strip()
        return name + (f" ({relation})" if relation else "") + (f", {proof}" if proof else "")

    def search(self) -> None:
        try:
            query = owner_query(self.name.text() or None, self.place.text() or None,
                                self.lot.text() or None, desk=self.desk.isChecked())
            self.hits = search_owners(self.archive, query, applicant=self.applicant_text())
        except Exception as exc:  # noqa: BLE001 - a refused query or role: say why
            QMessageBox.warning(self, t("오류"), explain(exc))
            return
        self.model.setRowCount(0)
        for h in self.hits:
            values = [h.parcel_id, h.owner, h.owner_hangul, h.location_hangul or h.location,
                      h.lot or "", h.category or "", h.area_m2, "✓" if h.is_final else "",
                      reason(h.why)]
            items = []
            for v in values:
                item = QStandardItem()
                item.setData(v if isinstance(v, (int, float)) else str(v or ""),
                             Qt.ItemDataRole.DisplayRole)
                items.append(item)
            self.model.appendRow(items)
        self.count.setText(f"{len(self.hits)}{t('건')}")
        if self.hits:
            self.table.selectRow(0)

    def selected_parcel(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return int(self.model.item(rows[0].row(), 0).data(Qt.ItemDataRole.DisplayRole)) \
            if rows else None

    def _show(self) -> None:
        from app.scans import bounds, page_pixels

        pid = self.selected_parcel()
        self.certify.setEnabled(pid is not None)
        if pid is None:
            return
        with self.archive.session() as session:
            parcel = session.get(Parcel, pid)
            record = parcel.effective
            page = session.get(Page, parcel.page_id)
            pixels = page_pixels(self.archive, page.scan, page.number)
        quads = [f["box"] for f in (record.get("location"), record.get("lot")) if f and
                 f.get("box")] + [o["name"]["box"] for o in record.get("owners") or []
                                  if o.get("name", {}).get("box")]
        h, w = pixels.shape[:2]
        x0, y0, x1, y1 = bounds(quads, w, h, 0.05) or (0, 0, w, h)
        self.card.setPixmap(pixmap(pixels[y0:y1, x0:x1]).scaled(
            self.card.width(), 300, Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation))
        self.details.setHtml(_record_html(record, parcel.modern))

    def open_certificate(self) -> None:
        from ui.certificate_dialog import CertificateDialog

        pid = self.selected_parcel()
        if pid is None:
            return
        try:
            CertificateDialog(self.archive, pid, self.applicant_text(), self).exec()
        except Exception as exc:  # noqa: BLE001 - a desk user without applicant, a scan gone
            QMessageBox.warning(self, t("오류"), explain(exc))


def _shown(field: dict | None) -> str:
    return shown(field) or "-"


def _record_html(record: dict, modern: str | None) -> str:
    area = record.get("area") or {}
    rows = [("소재지", _shown(record.get("location"))), ("현재", modern or "-"),
            ("지번", _shown(record.get("lot"))), ("지목", _shown(record.get("category"))),
            ("면적", _shown(area) + (f" = {area['m2']:,.2f}㎡" if area.get("m2") else ""))]
    owners = "".join(
        f"<tr><td>{i + 1}</td><td>{(o.get('date') or {}).get('iso', '')}</td>"
        f"<td>{_shown(o.get('cause'))}</td><td><b>{_shown(o.get('name'))}</b></td></tr>"
        for i, o in enumerate(record.get("owners") or []))
    land = "".join(f"<tr><th align=left>{t(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return (f"<table>{land}</table><h4>{t('소유자')}</h4>"
            f"<table cellspacing=4>{owners}</table>")
