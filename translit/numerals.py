"""Hanja numerals as clerks wrote them: plain (百二十三), formal (壹佰貳拾參), Japanese forms
(壱 弐 参), 廿 and 卅, positional digits (壱〇, 一九), and Arabic figures from 1962 on."""

from __future__ import annotations

DIGITS: dict[str, int] = {
    **{c: 0 for c in "〇零○"},
    **{c: 1 for c in "一壹壱弌"}, **{c: 2 for c in "二貳弐贰貮"}, **{c: 3 for c in "三參参叁弎"},
    **{c: 4 for c in "四肆"}, **{c: 5 for c in "五伍"}, **{c: 6 for c in "六陸"},
    **{c: 7 for c in "七柒漆"}, **{c: 8 for c in "八捌"}, **{c: 9 for c in "九玖"},
    **{str(d): d for d in range(10)}, **{chr(0xFF10 + d): d for d in range(10)},
}
UNITS: dict[str, int] = {"十": 10, "拾": 10, "什": 10, "百": 100, "佰": 100, "陌": 100,
                         "千": 1000, "仟": 1000, "阡": 1000}
MYRIAD = {"萬": 10_000, "万": 10_000}
TENS = {"廿": 20, "卄": 20, "卅": 30, "丗": 30, "卌": 40}

NUMERAL_CHARS = frozenset(DIGITS) | frozenset(UNITS) | frozenset(MYRIAD) | frozenset(TENS)


def parse_number(text: str) -> int | None:
    """The value of a written number, or None when it is not one (a misreading).

    Digits without any unit are positional (壱〇 = 10, 一九四六 = 1946); with units they
    multiply (三百二十 = 320, 廿五 = 25); a unit with no digit before it means one (拾 = 10).
    """
    text = text.strip()
    if not text or any(ch not in NUMERAL_CHARS for ch in text):
        return None
    if all(ch in DIGITS for ch in text):
        value = 0
        for ch in text:
            value = value * 10 + DIGITS[ch]
        return value
    total = section = 0
    digit: int | None = None
    last_unit = 10_000
    for ch in text:
        if ch in DIGITS:
            if digit is not None:
                return None  # two digits side by side inside a unit number: not a numeral
            digit = DIGITS[ch]
        elif ch in UNITS:
            if UNITS[ch] >= last_unit:
                return None  # 十 after 十, or 百 after 十: out of order
            section += (1 if digit is None else digit) * UNITS[ch]
            digit, last_unit = None, UNITS[ch]
        elif ch in TENS:
            if digit is not None or last_unit <= 10:
                return None
            section += TENS[ch]
            last_unit = 10
        else:  # 萬
            total += (section + (digit or 0) or 1) * MYRIAD[ch]
            section, digit, last_unit = 0, None, 10_000
    return total + section + (digit or 0)
