"""Personal data that must not be kept in clear: resident registration numbers
(주민등록번호, YYMMDD-GNNNNNN). Wherever an applicant or a note is stored or logged,
the number keeps its birth date and the digit after the hyphen; the rest is masked.
"""

from __future__ import annotations

import re

RRN = re.compile(r"(?<!\d)(\d{6})\s*-?\s*([1-8])\d{6}(?!\d)")


def mask_personal(text: str) -> str:
    """'김철수 800101-1234567' → '김철수 800101-1******'."""
    return RRN.sub(lambda m: f"{m.group(1)}-{m.group(2)}******", text)
