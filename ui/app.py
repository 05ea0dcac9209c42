"""Starting the desktop application, and `toji gui --screenshot` for documentation and
tests: the same window rendered offscreen at 1366x768 with one view filled in."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from app.archive import Archive
from app.auth import AuthError, Principal, acting_as, create_user, has_users, sign_in

VIEWS = ("batch", "review", "search", "certificate")


def default_archive() -> str:
    """The archive chosen in the settings tab last time, else Toji/toji.db in the user's
    documents folder (made on first use: a clerk's first start opens a new archive)."""
    from PySide6.QtCore import QSettings

    chosen = QSettings("Toji", "Toji").value("archive")
    return str(chosen) if chosen else str(Path(platformdirs.user_documents_dir()) / "Toji" /
                                          "toji.db")


def application(language: str = "ko", offscreen: bool = False):  # noqa: ANN201 - QApplication
    """The QApplication, made once, with the Korean font and the language installed."""
    if offscreen:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ui.fonts import use_korean_font
    from ui.i18n import install

    app = QApplication.instance() or QApplication(sys.argv[:1])
    use_korean_font(app)
    install(app, language)
    return app


def _login(archive: Archive, interactive: bool = True) -> Principal:
    """The sign-in dialog (first run: the administrator's); TOJI_USER/TOJI_PASSWORD skip it.
    Offscreen (screenshots) there is no one to ask: the variables must be set."""
    from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit

    from ui.i18n import t

    name, password = os.environ.get("TOJI_USER"), os.environ.get("TOJI_PASSWORD")
    first = not has_users(archive)
    if not (name and password) and not interactive:
        raise AuthError("a screenshot signs in from TOJI_USER and TOJI_PASSWORD: set both")
    if not (name and password):
        dialog = QDialog()
        dialog.setWindowTitle(t("로그인"))
        user_box, password_box = QLineEdit(name or ""), QLineEdit()
        password_box.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout(dialog)
        form.addRow(t("사용자"), user_box)
        form.addRow(t("비밀번호"), password_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        form.addRow(buttons)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            raise AuthError("sign-in cancelled")
        name, password = user_box.text().strip(), password_box.text()
    if first:
        create_user(archive, name, "admin", password)
    return sign_in(archive, name, password)


def _relative(path: Path) -> Path:
    """The path from the working folder when there is one (not across Windows drives)."""
    try:
        return Path(os.path.relpath(path))
    except ValueError:
        return path


def _fill(window, view: str, archive: Archive, out: Path):  # noqa: ANN001, ANN202
    """Puts something to look at into the view being photographed."""
    if view == "batch":
        batch_view = window.views["batch"]
        samples = Path(__file__).resolve().parents[1] / "samples" / "pages"
        # As a clerk in the project's folder would add them: no machine's absolute path.
        batch_view.add_paths([_relative(p) for p in
                              sorted(samples.glob("*.jpg")) + sorted(samples.glob("*.png"))])
        batch_view.start()
        batch_view.wait()
    elif view == "review":
        review = window.views["review"]
        field = review.current()
        if field is not None and field.hangul:
            review.helper.setText(field.hangul[:1])  # the helper's candidates, on show
    elif view in ("search", "certificate"):
        from app.search import first_final_owner

        search = window.views["search"]
        name = first_final_owner(archive)
        search.applicant.setText("김민수")
        search.relation.setText("손자")
        search.proof.setText("제적등본")
        if name is not None:  # an empty archive is photographed as it opens
            search.name.setText(name)
            search.search()
        if view == "certificate" and search.selected_parcel() is not None:
            from ui.certificate_dialog import CertificateDialog

            dialog = CertificateDialog(archive, search.selected_parcel(),
                                       search.applicant_text())
            dialog.resize(1366, 768)
            return dialog
    window.show_view("search" if view == "certificate" else view)
    return window


def screenshot(archive: Archive, target: str, view: str, out: Path,
               language: str = "ko") -> Path:
    """Renders one view offscreen at 1366x768 into a PNG."""
    app = application(language, offscreen=True)
    from ui.main_window import MainWindow

    principal = _login(archive, interactive=False)
    with acting_as(principal):
        window = MainWindow(archive, target, principal)
        window.resize(1366, 768)
        window.show()
        shown = _fill(window, view, archive, out)
        shown.show()
        for _ in range(5):
            app.processEvents()
        out.parent.mkdir(parents=True, exist_ok=True)
        if not shown.grab().save(str(out)):
            raise OSError(f"{out}: cannot write the screenshot")
        window.close()
        shown.close()
    return out


def run(archive: Archive, target: str, language: str = "ko") -> int:
    """The application's event loop, signed in for its whole session."""
    app = application(language)
    from ui.main_window import MainWindow

    principal = _login(archive)
    with acting_as(principal):
        window = MainWindow(archive, target, principal)
        window.show()
        return app.exec()
