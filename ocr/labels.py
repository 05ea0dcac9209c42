"""The printed words of a register form, and what each names.

A printing of the card is understood through its labels, not through where it put
them: 所在 or 所在地 names the location wherever it stands, 事故 or 事由 the cause of
an entry, 氏名 / 氏名又ハ名稱 / 名稱 the owner's name. The recogniser reads printed
labels well but not perfectly, and its misreadings are the look-alikes of a Chinese
model (台 for 臺, 称 for 稱, 民 for 氏 …), so a reading is put into the registers' own
forms and then matched within a small edit distance.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein


@dataclass(frozen=True)
class Label:
    """A printed label: the word as printed and what it names.

    `key` is the field a value beside it holds (location, lot, category, area, grade,
    date, cause, address, name), "extra" for columns Toji keeps aside (賃貸價格, 地價,
    備考), "section" for the titles of a table (沿革, 所有者), "title" for the card's
    title (土地臺帳, 林野臺帳)."""

    word: str
    key: str


VOCABULARY: dict[str, str] = {
    "所在": "location", "所在地": "location", "土地所在": "location", "所在地番": "location",
    "地番": "lot", "番地": "lot",
    "地目": "category",
    "地積": "area", "面積": "area", "反別": "area",
    "等級": "grade", "地位等級": "grade",
    "年月日": "date", "日附": "date", "登記年月日": "date",
    "事故": "cause", "事由": "cause", "原因": "cause", "事故事由": "cause",
    "住所": "address", "所有者住所": "address",
    "氏名": "name", "氏名又ハ名稱": "name", "氏名又は名稱": "name", "名稱": "name",
    "所有者氏名": "name", "所有者": "name",
    "賃貸價格": "extra", "地價": "extra", "備考": "extra", "摘要": "extra", "申告": "extra",
    "沿革": "section",
    "土地臺帳": "title", "林野臺帳": "title", "土地大帳": "title",
}

# What a Chinese-trained recogniser answers for the labels' characters (simplified or
# Japanese forms, look-alikes seen on faded print), mapped back to the printed form.
LOOKALIKES = str.maketrans({
    "台": "臺", "壹": "臺", "帐": "帳", "張": "帳", "称": "稱", "秤": "稱", "価": "價",
    "价": "價", "償": "價", "贷": "貸", "貨": "貸", "赁": "賃", "积": "積", "績": "積",
    "稹": "積", "级": "級", "民": "氏", "氐": "氏", "畨": "番", "香": "番", "采": "番",
    "且": "目", "治": "沿", "拾": "沿", "草": "革", "际": "所", "他": "地", "池": "地",
    "敌": "故", "往": "住", "任": "住", "备": "備", "八": "ハ", "义": "又", "叉": "又",
    "田": "由", "占": "在", "存": "在", "右": "在", "埜": "野", "筹": "等", "曰": "日",
})

# Words that begin with a label but are values (a 沿革 event), never split; compared in
# traditional forms, whichever of 變変变 and 換换 the engine read.
NOT_SPLIT = ("地目變換",)
TRADITIONAL = str.maketrans({"変": "變", "变": "變", "换": "換"})

NOISE = re.compile(r"[\s・·.,、。:：;()（）\[\]「」『』|│丨1Il!]")
MAX_DISTANCE = {1: 0, 2: 0, 3: 1, 4: 1}  # edits allowed by the label's length (longer: 2)


def normalise(text: str) -> str:
    """A reading as the printed word: NFC, no spaces or stray marks, look-alikes undone."""
    text = unicodedata.normalize("NFKC", text)
    return NOISE.sub("", text).translate(LOOKALIKES)


def match(text: str) -> Label | None:
    """The label a reading is, or None when it is no label (a value, or illegible)."""
    word = normalise(text)
    if not word or len(word) > 8:
        return None
    if word in VOCABULARY:
        return Label(word, VOCABULARY[word])
    best: tuple[int, str] | None = None
    for known in VOCABULARY:
        if abs(len(known) - len(word)) > 1:
            continue
        d = Levenshtein.distance(word, known)
        if d <= MAX_DISTANCE.get(len(known), 2) and (best is None or d < best[0]):
            best = (d, known)
    return Label(best[1], VOCABULARY[best[1]]) if best else None


def strip_label(text: str) -> tuple[Label | None, str]:
    """A label read together with its value on one line ("地番 百二十三番"): the label and
    the rest. Only a label at the start counts, and only when something follows it."""
    if match(text) is not None or any(w in text.translate(TRADITIONAL) for w in NOT_SPLIT):
        return None, text
    word = normalise(text[:10])
    for size in range(min(7, len(word) - 1), 1, -1):
        label = VOCABULARY.get(word[:size])
        if label and label not in ("title", "section"):
            raw = _raw_prefix(text, size)
            rest = text[raw:].strip(" :：・")
            if rest:
                return Label(word[:size], label), rest
    return None, text


def _raw_prefix(text: str, chars: int) -> int:
    """How many characters of the raw text hold the first `chars` normalised ones."""
    seen = 0
    for i, ch in enumerate(text):
        if normalise(ch):
            seen += 1
        if seen == chars:
            return i + 1
    return len(text)


def split_labels(text: str) -> list[Label] | None:
    """Two or three labels read as one line (住所氏名: a heading row whose rules between
    its cells wore away), in order; None when the text is not wholly labels."""
    word = normalise(text)
    if not word or len(word) > 12 or match(text) is not None:
        return None
    for size in range(2, len(word) - 1):
        head = match(word[:size])
        if head is None or head.key == "title" or word[:size] != head.word:
            continue
        rest = word[size:]
        tail = match(rest)
        if tail is not None and tail.key != "title" and tail.word == rest:
            return [head, tail]
        more = split_labels(rest)
        if more is not None and len(more) == 2:
            return [head, *more]
    return None

