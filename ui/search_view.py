"""The search desk (조상땅 찾기): name in hangul or hanja, place, lot, and the applicant;
sortable results saying why each matched; the chosen parcel's card and fields; one
click to its certificate. A desk user's searches are desk searches (final owners), and
the detail pane shows what `app.parcel_view` gives the signed-in role: a desk user sees
the land and its final owner only. A refused query is said under the form, not in a
box that stops the desk."""

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

from app.archive import Archive
from app.auth import current
from app.parcel_view import ParcelDetail, parcel_detail
from app.search import owner_query, search_owners
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
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b00020")
        self.problem.setWordWrap(True)
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
        column.addWidget(self.problem)
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
            self.problem.setText(explain(exc))
            return
        self.problem.clear()
        self.model.setRowCount(0)
        for h in self.hits:
            values = [h.parcel, h.owner, h.owner_hangul, h.location_hangul or h.location,
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

    def selected_parcel(self) -> str | None:
        """The chosen hit's parcel number (db.refs), as every verb takes it."""
        rows = self.table.selectionModel().selectedRows()
        return str(self.model.item(rows[0].row(), 0).data(Qt.ItemDataRole.DisplayRole)) \
            if rows else None

    def _show(self) -> None:
        number = self.selected_parcel()
        self.certify.setEnabled(number is not None)
        if number is None:
            return
        try:
            detail = parcel_detail(self.archive, number, self.applicant_text())
        except Exception as exc:  # noqa: BLE001 - a scan gone, a desk user without applicant
            self.problem.setText(explain(exc))
            self.card.clear()
            self.details.clear()
            return
        self.detail = detail
        self.card.setPixmap(pixmap(detail.crop).scaled(
            self.card.width(), 300, Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation))
        self.details.setHtml(_detail_html(detail))

    def open_certificate(self) -> None:
        from ui.certificate_dialog import CertificateDialog

        number = self.selected_parcel()
        if number is None:
            return
        try:
            CertificateDialog(self.archive, number, self.applicant_text(), self).exec()
        except Exception as exc:  # noqa: BLE001 - a desk user without applicant, a scan gone
            QMessageBox.warning(self, t("오류"), explain(exc))


def _detail_html(detail: ParcelDetail) -> str:
    rows = [("번호", detail.parcel), ("소재지", detail.location or "-"),
            ("현재", detail.modern or "-"), ("지번", detail.lot or "-"),
            ("지목", detail.category or "-"), ("면적", detail.area or "-")]
    owners = "".join(
        f"<tr><td>{o.position}</td><td>{o.date}</td><td>{o.cause or '-'}</td>"
        f"<td><b>{o.name or '-'}</b></td></tr>" for o in detail.owners)
    land = "".join(f"<tr><th align=left>{t(k)}</th><td>{v}</td></tr>" for k, v in rows)
    title = t("최종 소유자") if detail.desk else t("소유자")
    return f"<table>{land}</table><h4>{title}</h4><table cellspacing=4>{owners}</table>"
