"""Sound rules on hangul syllables: the 두음법칙 and 렬/률 after a vowel or ㄴ.

A syllable is decomposed arithmetically (U+AC00 + (initial·21 + medial)·28 + final), so
the rules work on any syllable without tables of readings.
"""

from __future__ import annotations

BASE, LAST = 0xAC00, 0xD7A3
RIEUL, NIEUN, IEUNG = 5, 2, 11  # initial-consonant indices of ㄹ, ㄴ, ㅇ
FINAL_NIEUN = 4
# Medials before which an initial ㄹ/ㄴ becomes ㅇ (ㅑ ㅕ ㅖ ㅛ ㅠ ㅣ); before others ㄹ → ㄴ.
Y_MEDIALS = {2, 6, 7, 12, 17, 20}


def split(syllable: str) -> tuple[int, int, int] | None:
    """(initial, medial, final) indices, or None for a character that is no syllable."""
    code = ord(syllable) - BASE
    if not 0 <= code <= LAST - BASE:
        return None
    return code // 588, (code % 588) // 28, code % 28


def join(initial: int, medial: int, final: int) -> str:
    return chr(BASE + (initial * 21 + medial) * 28 + final)


def initial_law(syllable: str) -> str:
    """The 두음법칙 on a word's first syllable: 리 → 이, 로 → 노, 녀 → 여."""
    parts = split(syllable)
    if parts is None:
        return syllable
    initial, medial, final = parts
    if initial == RIEUL:
        return join(IEUNG if medial in Y_MEDIALS else NIEUN, medial, final)
    if initial == NIEUN and medial in Y_MEDIALS:
        return join(IEUNG, medial, final)
    return syllable


def base_form(syllable: str) -> set[str]:
    """The syllables whose 두음 form this one may be (이 ← 리, 니; 노 ← 로), itself included."""
    parts = split(syllable)
    out = {syllable}
    if parts is None:
        return out
    initial, medial, final = parts
    if initial == IEUNG and medial in Y_MEDIALS:
        out |= {join(RIEUL, medial, final), join(NIEUN, medial, final)}
    if initial == NIEUN and medial not in Y_MEDIALS:
        out.add(join(RIEUL, medial, final))
    return out


def has_final(syllable: str) -> bool:
    parts = split(syllable)
    return bool(parts and parts[2])


def yeol_rule(previous: str, syllable: str) -> str:
    """렬/률 become 열/율 after a vowel or ㄴ (先烈 선열, 比率 비율); elsewhere they stay."""
    if syllable not in ("렬", "률"):
        return syllable
    parts = split(previous)
    if parts is not None and parts[2] in (0, FINAL_NIEUN):
        return "열" if syllable == "렬" else "율"
    return syllable
