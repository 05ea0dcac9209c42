"""Korean words for what the core says in its own terms: field paths and match reasons."""

from __future__ import annotations

import re

from ui.i18n import t

FIELDS = {"location": "소재지", "lot": "지번", "category": "지목", "area": "면적",
          "grade": "등급", "date": "일자", "event": "사유", "cause": "사유", "address": "주소",
          "name": "성명"}
TABLES = {"events": "연혁", "owners": "소유자"}
REASONS = [
    (r"exact name", "이름 일치"),
    (r"linked Korean name", "연결된 한국 이름"),
    (r"one look-alike character from (.+)", r"\1와 한 글자 유사 (판독 혼동)"),
    (r"uncertain character (\S+): could be (\S+)", r"판독 불확실 글자 \1 (\2일 수 있음)"),
    (r"a character lost in reading", "판독 중 빠진 글자"),
    (r"a character read as no hanja", "읽지 못한 글자"),
    (r"same reading", "같은 한글 독음"),
    (r"name contains (.+)", r"이름에 \1 포함"),
    (r"one syllable from (.+)", r"\1와 한 음절 차이"),
    (r"place or lot", "장소·지번 일치"),
    (r"final owner", "최종 소유자"),
    (r"earlier owner \(row (\d+)\)", r"이전 소유자 (\1번째)"),
]


def field_label(path: str) -> str:
    """'owners[1].name' → '소유자 2 성명'."""
    m = re.fullmatch(r"(\w+)\[(\d+)\]\.(\w+)", path)
    if m:
        table, index, key = m.groups()
        return f"{t(TABLES.get(table, table))} {int(index) + 1} {t(FIELDS.get(key, key))}"
    return t(FIELDS.get(path, path))


def reason(why: str) -> str:
    """A match reason from db.search in Korean, part by part."""
    parts = []
    for part in why.split(", "):
        for pattern, korean in REASONS:
            if re.fullmatch(pattern, part):
                part = re.sub(pattern, korean, part)
                break
        parts.append(part)
    return ", ".join(parts)
