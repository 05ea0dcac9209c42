"""Register-aware correction: hold each reading to what its field may say.

The recogniser was trained on Chinese: it answers simplified forms on faded ink (杨 for
楊, 贰 for 貳), the Chinese 查 for the registers' 査, and it cannot say 畓 at all (a
character made in Korea): it reads 沓. So a reading is first put into the registers'
own character forms, then matched against its field's vocabulary: the 지목 list, the
event words, the gazetteer. The raw reading is always kept beside the correction.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from translit import gazetteer, vocabulary

# Forms the registers use where the recogniser (or OpenCC) gives another.
REGISTER_FORMS = {"查": "査", "鎮": "鎭", "歩": "步", "裴": "裵"}

# Look-alikes for single-character 지목, which no edit distance can rescue.
# 華 is what the recogniser answers for a brush-written 垈 (代 over 土); no 지목 is 華.
CATEGORY_LOOKALIKES = {"沓": "畓", "畬": "畓", "岱": "垈", "袋": "垈", "華": "垈", "甶": "田",
                       "由": "田"}
# 畓 and 垈 are each two characters stacked (水 over 田, 代 over 土), and a brush leaves a
# gap between the halves that the recogniser reads as two characters. 水田 is what 畓
# means besides; as read, it is one edit from both 田 and 鹽田, so no vocabulary match
# can choose.
CATEGORY_HALVES = {"水田": "畓", "代土": "垈"}

# In dates, which hold only an era and numerals: what the recogniser makes of the
# formal numerals and the eras' characters on faded brush writing (陵 for 陸, 染 for 柒,
# 建 for 肆, 植 for 檀). Used only where the date as read does not parse.
DATE_LOOKALIKES = str.maketrans({"陵": "陸", "染": "柒", "建": "肆", "植": "檀", "壇": "檀",
                                 "太": "大", "招": "昭", "台": "壹", "式": "貳", "武": "貳",
                                 # 拾 (扌合) and the characters that share its parts
                                 **dict.fromkeys("給捨怡洽恰抬", "拾"),
                                 **dict.fromkeys("津律", "肆"), **dict.fromkeys("戴戒", "貳"),
                                 "柴": "柒", "例": "捌", "政": "玖",
                                 # a stroke short or a part alike: 什 仟, 玫 and 及 玖 (久),
                                 # 賣 壹 (士 over a body)
                                 "什": "仟", "玫": "玖", "及": "玖", "賣": "壹"})

# In names: 乭 (a given-name character made in Korea) is beyond the recogniser, which
# answers 瓦 or 雹; a surname misread as a look-alike that is no surname.
GIVEN_NAME_LOOKALIKES = {"瓦": "乭", "雹": "乭"}  # no given name is written with 瓦 or 雹

# Characters the recogniser takes for one another on faded brush writing, seen in this
# project's readings or alike in shape; search ranks a name one such character off above
# other one-syllable-off names.
CONFUSABLE: frozenset[frozenset[str]] = frozenset(frozenset(p) for p in (
    "甲田", "田由", "由申", "申甲", "鎭鎮", "乭瓦", "玉王", "大太", "永水", "東束", "吉告",
    "萬万", "順須", "植殖", "沓畓", "査查", "裵裴", "裵襄", "車查", "卓車", "錫鍚", "基碁",
    "炳柄", "泰秦", "承丞", "鍾鐘", "洙沫", "俊後", "德徳", "光先", "學学", "喜嘉", "鳳風",
    "龍竜", "來来", "禮礼", "文丈", "貴責", "成戍", "一二", "二三", "正五", "在任", "仁化",
    "福副", "奉秦", "春椿", "壽寿", "昌晶", "淳停", "善義", "浩治", "相想", "用田", "閔閱",
    "裵衰", "乭乳", "乭雹", "乭泵", "具異", "陸陛", "乭堯", "乭夏",
))
SURNAME_LOOKALIKES = {"由": "申", "中": "申", "査": "車", "襄": "裵", "褻": "裵", "衰": "裵",
                      "異": "具", "陛": "陸"}


@dataclass(frozen=True)
class Corrected:
    text: str
    known: bool  # the result is a word of the field's vocabulary
    distance: int  # edits made beyond character forms (0 when only forms changed)


@functools.cache
def _simplified_to_traditional():  # noqa: ANN202 - an opencc.OpenCC
    import opencc

    return opencc.OpenCC("s2t")


@functools.cache
def _protected() -> frozenset[str]:
    """Characters that are right as they are, which OpenCC would still change (余 → 餘)."""
    words = [*vocabulary.CATEGORIES, *vocabulary.EVENTS, *vocabulary.SURNAMES,
             *vocabulary.SOSHI_SURNAMES, *gazetteer.readings()]
    return frozenset("".join(words))


def register_forms(text: str) -> str:
    """NFC (folds compatibility ideographs), simplified → traditional, registers' forms."""
    text = unicodedata.normalize("NFC", text.strip())
    convert = _simplified_to_traditional().convert
    out = []
    for ch in text:
        if ch not in _protected() and ord(ch) > 0x2E80:
            ch = convert(ch)
        out.append(REGISTER_FORMS.get(ch, ch))
    return "".join(out)


def to_vocabulary(text: str, words: Collection[str], max_distance: int = 1) -> Corrected:
    """The vocabulary word a reading stands for: itself, or the one word within
    `max_distance` edits (none when two words are equally near)."""
    if text in words:
        return Corrected(text, True, 0)
    if len(text) < 2:
        return Corrected(text, False, 0)
    # A list, not the mapping itself: given a dict, rapidfuzz compares its values.
    near = process.extract(text, list(words), scorer=Levenshtein.distance,
                           score_cutoff=max_distance, limit=2)
    if not near or (len(near) > 1 and near[0][1] == near[1][1]):
        return Corrected(text, False, 0)
    return Corrected(near[0][0], True, int(near[0][1]))


def category(text: str) -> Corrected:
    text = CATEGORY_HALVES.get(text, text)
    text = "".join(CATEGORY_LOOKALIKES.get(ch, ch) for ch in text)
    return to_vocabulary(text, vocabulary.CATEGORIES)


def event(text: str) -> Corrected:
    """The event word a reading is; or the one word it is the end of, when its head went
    too pale to read (權保存 of 所有權保存: the edits are the characters lost)."""
    found = to_vocabulary(text, vocabulary.EVENTS)
    if found.known or len(text) < 3:
        return found
    ends = [word for word in vocabulary.EVENTS if word.endswith(text)]
    if len(ends) == 1:
        return Corrected(ends[0], True, len(ends[0]) - len(text))
    # Each character read with a piece of itself as one more (賣 as 賣四, 買 as 買貝):
    # the one word the reading begins with and holds the rest of in order, at most
    # doubled (a name holding 國 and 有, 金國石有, begins with no event word's character).
    within = [word for word in vocabulary.EVENTS if len(text) <= 2 * len(word)
              and text[0] == word[0] and _in_order(word, text)]
    if len(within) == 1:
        return Corrected(within[0], True, len(text) - len(within[0]))
    return found


def _in_order(word: str, text: str) -> bool:
    """Whether the characters of `word` stand in `text` in order (others between them)."""
    rest = iter(text)
    return all(ch in rest for ch in word)


@dataclass(frozen=True)
class PlaceMatch:
    text: str  # the gazetteer's spelling, or the reading when nothing is near
    place: gazetteer.Place | None
    levels: tuple[str, ...]  # which of 道 郡 面 里 the text names
    distance: int


@functools.cache
def _place_index() -> dict[str, tuple[gazetteer.Place, tuple[str, ...]]]:
    index = {}
    for p in gazetteer.places():
        for levels in (("do", "gun", "myeon", "ri"), ("gun", "myeon", "ri")):
            index["".join(getattr(p, k)[0] for k in levels)] = (p, levels)
    return index


def place(text: str, max_distance: int = 2) -> PlaceMatch:
    """The gazetteer place a written location or address names (with or without 道)."""
    index = _place_index()
    if text in index:
        return PlaceMatch(text, *index[text], 0)
    near = process.extract(text, list(index), scorer=Levenshtein.distance,
                           score_cutoff=max_distance, limit=2)
    if not near or (len(near) > 1 and near[0][1] == near[1][1]):
        return PlaceMatch(text, None, (), 0)
    return PlaceMatch(near[0][0], *index[near[0][0]], int(near[0][1]))
