"""What the window says when a service refuses: a Korean heading for the kind of refusal,
then the service's own words (which name the file, field or permission)."""

from __future__ import annotations

from app.auth import AuthError, PermissionDenied
from app.ingest import ScanError
from app.search import QueryError
from app.signing_keys import SigningKeyError
from ui.i18n import t

HEADINGS: list[tuple[type[BaseException], str]] = [
    (PermissionDenied, "권한이 없습니다"),
    (AuthError, "로그인할 수 없습니다"),
    (QueryError, "입력을 확인해 주세요"),
    (ScanError, "스캔 파일을 읽을 수 없습니다"),
    (SigningKeyError, "서명 키를 쓸 수 없습니다"),
]


def explain(exc: BaseException) -> str:
    heading = next((h for kind, h in HEADINGS if isinstance(exc, kind)), "오류")
    return f"{t(heading)}\n{exc}"
