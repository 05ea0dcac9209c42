"""Real vocabularies the synthetic registers draw from, each word with its Korean reading.

The readings here are the ground truth the sample pages carry, so every entry is a
word a clerk would read the same way: colonial place names of Gyeonggi (高陽郡 and
its neighbours, as organised in 1914), the colonial 지목 list, the event and cause
words of the 沿革 and 所有者 columns, common surnames with their customary readings,
and given names and 創氏 (Japanese-style) names of the period.
"""

from __future__ import annotations

from translit import gazetteer

# 道 → 郡 → 面 → 里 with readings, from the reader's own gazetteer: pages are drawn from the
# places a reader is expected to know.
PLACES = gazetteer.as_tree()

# Colonial 지목 (1910–1950), with the weight each has on land cards: paddies and dry
# fields dominate, as they did.
LAND_CATEGORIES: list[tuple[str, str, float]] = [
    ("畓", "답", 0.36), ("田", "전", 0.30), ("垈", "대", 0.16), ("雜種地", "잡종지", 0.04),
    ("墳墓地", "분묘지", 0.04), ("池沼", "지소", 0.02), ("社寺地", "사사지", 0.02),
    ("道路", "도로", 0.02), ("溝渠", "구거", 0.02), ("堤防", "제방", 0.01),
    ("河川", "하천", 0.01),
]
FOREST_CATEGORY = ("林野", "임야")

# 沿革 entries after the first (the first is always the survey's 査定).
LATER_EVENTS: list[tuple[str, str]] = [
    ("分割", "분할"), ("合併", "합병"), ("地目變換", "지목변환"), ("登錄", "등록"),
    ("訂正", "정정"),
]
SURVEY_EVENT = ("査定", "사정")

# 事故 (cause) of a change of owner.
TRANSFER_CAUSES: list[tuple[str, str]] = [
    ("所有權移轉", "소유권이전"), ("賣買", "매매"), ("相續", "상속"), ("家督相續", "가독상속"),
    ("所有權保存", "소유권보존"), ("遺贈", "유증"),
]

# Surnames with the reading custom gives them (李 이, 柳 유, 林 임 …).
SURNAMES: list[tuple[str, str]] = [
    ("金", "김"), ("李", "이"), ("朴", "박"), ("崔", "최"), ("鄭", "정"), ("姜", "강"),
    ("趙", "조"), ("尹", "윤"), ("張", "장"), ("林", "임"), ("韓", "한"), ("申", "신"),
    ("吳", "오"), ("徐", "서"), ("權", "권"), ("黃", "황"), ("安", "안"), ("宋", "송"),
    ("柳", "유"), ("洪", "홍"), ("全", "전"), ("高", "고"), ("文", "문"), ("梁", "양"),
    ("孫", "손"), ("裵", "배"), ("白", "백"), ("許", "허"), ("南", "남"), ("沈", "심"),
    ("盧", "노"), ("河", "하"), ("成", "성"), ("車", "차"), ("具", "구"), ("禹", "우"),
    ("羅", "나"), ("閔", "민"), ("呂", "여"), ("廉", "염"), ("陸", "육"), ("龍", "용"),
    ("元", "원"), ("蔡", "채"), ("千", "천"), ("玄", "현"), ("嚴", "엄"), ("南宮", "남궁"),
    ("皇甫", "황보"),
]

# Given-name syllables as (hanja, reading, reading at the start of the given name).
# The third column applies the 두음법칙 (龍 룡 → 용, 禮 례 → 예 as the first syllable).
GIVEN_SYLLABLES: list[tuple[str, str, str]] = [
    ("正", "정", "정"), ("一", "일", "일"), ("永", "영", "영"), ("在", "재", "재"),
    ("成", "성", "성"), ("植", "식", "식"), ("順", "순", "순"), ("吉", "길", "길"),
    ("福", "복", "복"), ("萬", "만", "만"), ("錫", "석", "석"), ("鎭", "진", "진"),
    ("基", "기", "기"), ("東", "동", "동"), ("炳", "병", "병"), ("泰", "태", "태"),
    ("承", "승", "승"), ("鍾", "종", "종"), ("用", "용", "용"), ("洙", "수", "수"),
    ("浩", "호", "호"), ("俊", "준", "준"), ("相", "상", "상"), ("德", "덕", "덕"),
    ("奉", "봉", "봉"), ("春", "춘", "춘"), ("壽", "수", "수"), ("光", "광", "광"),
    ("昌", "창", "창"), ("學", "학", "학"), ("淳", "순", "순"), ("喜", "희", "희"),
    ("善", "선", "선"), ("玉", "옥", "옥"), ("鳳", "봉", "봉"), ("龍", "룡", "용"),
    ("來", "래", "내"), ("禮", "례", "예"), ("乭", "돌", "돌"), ("甲", "갑", "갑"),
    ("大", "대", "대"), ("仁", "인", "인"), ("文", "문", "문"), ("貴", "귀", "귀"),
]

# 創氏 surnames (1940–1945) and Japanese-style given names, read the Korean way
# (金本正一 김본정일): the surname's first character keeps its surname reading.
SOSHI_SURNAMES: list[tuple[str, str]] = [
    ("金本", "김본"), ("金山", "김산"), ("岩本", "암본"), ("松本", "송본"), ("新井", "신정"),
    ("平山", "평산"), ("國本", "국본"), ("宮本", "궁본"), ("大山", "대산"), ("山本", "산본"),
    ("安田", "안전"), ("星山", "성산"), ("德山", "덕산"), ("木村", "목촌"), ("金城", "김성"),
]
SOSHI_GIVEN: list[tuple[str, str]] = [
    ("正一", "정일"), ("英雄", "영웅"), ("武雄", "무웅"), ("秀雄", "수웅"), ("義雄", "의웅"),
    ("正雄", "정웅"), ("一郎", "일랑"), ("太郎", "태랑"), ("次郎", "차랑"), ("三郎", "삼랑"),
    ("茂", "무"), ("清", "청"), ("勇", "용"), ("博", "박"),
]

# Seal faces stamped by registry clerks over entries (red, round or square).
SEAL_TEXTS: list[str] = ["印", "確認", "登記濟", "訂正"]
