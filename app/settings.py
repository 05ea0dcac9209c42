"""Archive-wide settings, kept in the archive so every desk that opens it agrees.

`office` is printed on certificates as the issuing office; `font` names the document
font file (otherwise one is looked for, see app.fonts). No secret is kept here: the key
certificates are signed with lives outside the archive (app.signing_keys).
"""

from __future__ import annotations

from app.auth import require
from db.archive import Archive
from db.models import Setting

PUBLIC = {
    "office": "Issuing office printed on certificates (발급 기관)",
    "font": "Document font file for certificates and PDFs (a TrueType .ttf/.ttc with hanja)",
}
DEFAULTS = {"office": "토지 대장 보존 기관 (toji settings office 로 설정)"}


class SettingError(ValueError):
    """An unknown setting name."""


def get(archive: Archive, name: str) -> str | None:
    if name not in PUBLIC:
        raise SettingError(f"unknown setting {name!r}: choose one of {', '.join(PUBLIC)}")
    with archive.session() as session:
        row = session.get(Setting, name)
        return row.value if row else DEFAULTS.get(name)


def put(archive: Archive, name: str, value: str) -> None:
    require("settings")
    if name not in PUBLIC:
        raise SettingError(f"unknown setting {name!r}: choose one of {', '.join(PUBLIC)}")
    with archive.session() as session, session.begin():
        session.merge(Setting(key=name, value=value))
