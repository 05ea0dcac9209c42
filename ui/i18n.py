"""The window speaks Korean first; English through a Qt translator over the same strings.

Every visible string goes through `t()` (QCoreApplication.translate in the "toji"
context), written in Korean in the code; `install(app, "en")` puts the English table
in front. A string missing from the table stays Korean rather than going blank.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTranslator

ENGLISH = {
    "토지 — 구 토지대장 판독": "Toji — old land registers",
    "일괄 처리": "Batch", "검수": "Review", "조상땅 찾기": "Search desk", "설정": "Settings",
    "폴더 추가": "Add folder", "파일 추가": "Add files", "목록 비우기": "Clear list",
    "시작": "Start", "일시정지": "Pause", "재개": "Resume", "취소": "Cancel",
    "실패 재시도": "Retry failed", "작업자 수": "Workers", "처리할 스캔": "Scans to process",
    "실패한 파일": "Failed files", "파일": "File", "이유": "Reason",
    "대기 중": "Idle", "멈춤 — 재개하면 이어서 처리합니다": "Paused — resume to go on",
    "완료": "Done", "쪽": "pages", "분당": "per min", "남은 시간": "left", "실패": "failed",
    "검토 필요": "to review", "이전 쪽": "Previous page", "다음 쪽": "Next page",
    "항목": "Field", "한자 판독": "Hanja read", "한글": "Korean", "OCR 원문": "Raw OCR",
    "신뢰도": "Confidence", "상태": "Status", "확인됨": "Confirmed", "기계 판독": "Machine",
    "확인 (Enter)": "Accept (Enter)", "수정 저장 (Ctrl+S)": "Save correction (Ctrl+S)",
    "다음 항목": "Next field", "한자 입력 도우미 — 한글로 입력": "Hanja helper — type hangul",
    "값 (한자)": "Value (hanja)", "검수할 필지가 없습니다": "Nothing to review",
    "이름 (한글 또는 한자)": "Name (hangul or hanja)", "장소": "Place", "지번": "Lot",
    "신청인": "Applicant", "관계": "Relation", "증빙 서류": "Proof", "검색": "Search",
    "최종 소유자만 (조상땅 찾기)": "Final owners only (desk)", "번호": "No.",
    "소유자": "Owner", "소재지": "Location", "지목": "Category", "면적(㎡)": "Area (m²)",
    "최종": "Final", "일치 이유": "Why", "증명서 발급": "Issue certificate",
    "건": "hits", "증명서": "Certificate", "저장": "Save", "인쇄": "Print", "닫기": "Close",
    "발급 기관": "Issuing office", "문서 글꼴": "Document font", "OCR 엔진": "OCR engine",
    "서명 키": "Signing key", "서명 키 보관 (이 PC)": "Keep signing keys (this PC)",
    "키 파일 (소유자만 읽기)": "Key file (owner only)", "운영체제 키링": "System keyring",
    "아직 없음 (첫 확인서 발급 때 만들어집니다)": "None yet (made with the first certificate)",
    "이 PC에 개인 키 있음": "Private key on this PC",
    "이 PC에 개인 키 없음: 발급할 수 없습니다 (toji keys import)":
        "No private key on this PC: cannot issue (toji keys import)",
    "이전 키": "retired keys", "서명 키를 쓸 수 없습니다": "The signing key cannot be used",
    "모델 폴더": "Model folder", "검토 기준 신뢰도": "Review threshold",
    "아카이브": "Archive", "다음에 열 아카이브 (파일 또는 URL)": "Archive to open next (file or URL)", "설정 저장": "Save settings", "저장했습니다": "Saved",
    "로그인": "Sign in", "사용자": "User", "비밀번호": "Password",
    "권한이 없습니다": "Not allowed", "오류": "Error",
    "로그인할 수 없습니다": "Cannot sign in", "입력을 확인해 주세요": "Please check the input",
    "스캔 파일을 읽을 수 없습니다": "The scan cannot be read",
    "미구조화": "Unstructured", "양식 미인식": "Form not recognised",
    "검수할 쪽이 없습니다": "No pages to review", "필지 없음": "No parcel",
    "직접 입력 (비우면 선택한 줄·상자의 판독)": "Type a value (empty: what the line or box reads)",
    "상자 그리기": "Draw a box", "항목으로 지정": "Assign to field", "항목 지정": "Assign a field",
    "줄을 고르거나 상자를 그리십시오": "Pick a line or draw a box",
    "항목 지정 — 기계가 읽지 못한 값": "Assign a field — values the machine could not place",
    "고른 줄": "Line picked", "그린 상자": "Box drawn",
    "모델": "Models", "사용 중": "In use", "만든 때": "Created", "검증 CER": "Held-out CER",
    "이전 CER": "CER before", "학습 줄": "Lines learnt", "새 글자": "New characters",
    "학습 시작": "Train", "선택한 모델 사용": "Use selected",
    "기본 모델로 되돌리기": "Back to the shipped model", "학습 횟수 (epoch)": "Epochs",
    "기본 (PP-OCRv6)": "Shipped (PP-OCRv6)", "이제 이 모델로 읽습니다: ": "Now reading with: ",
    "줄": "lines", "줄/초": "lines/s", "사용합니다": "now in use",
    "보관만 합니다 (더 나쁨)": "kept, not used (not better)",
    "최종 소유자": "Final owner", "현재": "Today", "면적": "Area",
}


class _Table(QTranslator):
    def __init__(self, table: dict[str, str]) -> None:
        super().__init__()
        self.table = table

    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str:
        return self.table.get(source, source)  # an empty answer would blank the text

    def isEmpty(self) -> bool:  # noqa: N802 - Qt's name
        return False


_installed: list[QTranslator] = []


def install(app: QCoreApplication, language: str) -> None:
    """Korean needs nothing; English installs the table."""
    if language == "en":
        translator = _Table(ENGLISH)
        app.installTranslator(translator)
        _installed.append(translator)  # kept alive as long as the application


def t(text: str) -> str:
    return QCoreApplication.translate("toji", text) or text
