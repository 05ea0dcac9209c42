"""Cells to a register record: corrections, ditto marks, checks that call for review."""

from __future__ import annotations

import pytest

from ocr.cells import CellReading
from ocr.unsure import ReadText
from translit.correct import register_forms
from translit.fields import build_record

LAND = "土地臺帳"


def cell(field: str, text: str, confidence: float = 0.99, crossed: bool = False,
         aspect: float | None = None) -> CellReading:
    return CellReading(field, text, confidence, ((0, 0), (10, 0), (10, 10), (0, 10)), False,
                       crossed, len(text) if aspect is None else aspect)


def record(*cells: CellReading, form: str = LAND):
    return build_record(form, list(cells))


def test_a_clean_card_reads_whole() -> None:
    r = record(cell("location", "京畿道高陽郡碧蹄面城石里"), cell("lot", "百二十三番ノ四"),
               cell("category", "沓"), cell("area", "參百貳拾坪"), cell("grade", "拾貳"),
               cell("events[0].date", "大正五年三月拾日"), cell("events[0].event", "查定"),
               cell("owners[0].date", "大正五年三月拾日"), cell("owners[0].cause", "查定"),
               cell("owners[0].address", "高陽郡碧蹄面城石里百十二番地"),
               cell("owners[0].name", "金正一", crossed=True),
               cell("owners[1].date", "昭和拾參年貳月五日"), cell("owners[1].cause", "所有權移轉"),
               cell("owners[1].address", "仝"), cell("owners[1].name", "金本正一"))
    j = r.as_json()
    assert j["location"]["hanja"] == "京畿道高陽郡碧蹄面城石里"
    assert j["location"]["hangul"] == "경기도 고양군 벽제면 성석리"
    assert j["location"]["parts"]["myeon"] == "碧蹄面"
    assert (j["lot"]["text"], j["lot"]["main"], j["lot"]["sub"]) == ("123-4", 123, 4)
    assert (j["category"]["hanja"], j["category"]["raw"], j["category"]["hangul"]) == ("畓", "沓", "답")
    assert (j["area"]["value"], j["area"]["unit"], j["area"]["m2"]) == (320, "坪", 1057.85)
    assert j["grade"]["value"] == 12
    assert j["events"][0]["date"]["iso"] == "1916-03-10"
    assert j["events"][0]["event"] == {**j["events"][0]["event"], "hanja": "査定", "raw": "查定",
                                       "hangul": "사정"}
    assert j["owners"][0]["name"]["crossed"] is True
    assert j["owners"][0]["address"]["number"] == 112
    assert j["owners"][1]["address"]["hanja"] == "高陽郡碧蹄面城石里百十二番地"
    assert j["owners"][1]["address"]["ditto"] is True
    assert j["owners"][1]["date"]["iso"] == "1938-02-05"
    assert j["review"] == {"needs_review": False, "fields": []}


@pytest.mark.parametrize(("raw", "want"), [
    ("京畿道杨州郡", "京畿道楊州郡"), ("参百贰拾坪", "參百貳拾坪"), ("遗贈", "遺贈"),
    ("張鎮貴", "張鎭貴"), ("裴文", "裵文"), ("余", "余"), ("壱弐", "壱弐"), ("ＡＢ", "ＡＢ"),
])
def test_register_forms(raw: str, want: str) -> None:
    assert register_forms(raw) == want


def test_misread_ditto_marks_take_the_value_above() -> None:
    r = record(cell("owners[0].cause", "賣買"), cell("owners[0].address", "高陽郡中面日山里"),
               cell("owners[1].cause", "二", 0.36), cell("owners[1].address", "11", 0.5),
               cell("owners[2].cause", "〃"), cell("owners[2].address", "I", 0.3))
    for row in r.owners[1:]:
        assert row.cause.hanja == "賣買" and row.cause.ditto
        assert row.address.hanja == "高陽郡中面日山里" and row.address.ditto
    assert r.review() == []
    orphan = record(cell("owners[0].cause", "仝"))
    assert orphan.review() == ["owners[0].cause"]


def test_a_cause_misread_by_one_character_is_no_ditto_mark() -> None:
    # 賣贝 (買 read as the simplified 贝) is short like a misread mark, but it is 賣買:
    # taken for a mark it repeated 所有權移轉 from the row above, unmarked.
    r = record(cell("owners[0].cause", "所有權移轉"), cell("owners[1].cause", "賣贝"))
    assert r.owners[1].cause.hanja == "賣買" and not r.owners[1].cause.ditto


@pytest.mark.parametrize(("cells", "flagged"), [
    ([cell("events[0].date", "大正二十年三月一日")], "events[0].date"),
    ([cell("events[0].date", "昭和五年一月一日"), cell("events[1].date", "大正五年一月一日")],
     "events[1].date"),
    ([cell("category", "林野"), cell("area", "五十坪")], "area"),
    ([cell("category", "田"), cell("area", "三反五畝")], "area"),
    ([cell("category", "宅")], "category"),
    ([cell("lot", "百二十番地ノ")], "lot"),
    ([cell("lot", "九百四十六番十二")], "lot"),
    ([cell("area", "參百坪", 0.5)], "area"),
    ([cell("owners[0].name", "金正一", 0.85)], "owners[0].name"),
    ([cell("owners[0].name", "金正", aspect=3.2)], "owners[0].name"),
    ([cell("owners[0].name", "一高一")], "owners[0].name"),
    ([cell("events[0].event", "買賣變換")], "events[0].event"),
    ([cell("location", "全羅北道全州郡")], "location"),
])
def test_checks_mark_fields_for_review(cells: list[CellReading], flagged: str) -> None:
    assert flagged in record(*cells).review()


def test_a_date_misread_with_look_alikes_is_read_and_marked() -> None:
    date = record(cell("owners[0].date", "植紀建仟貳佰捌拾玖年壹月壹拾伍日")).owners[0].date
    assert (date.hanja, date.value["iso"]) == ("檀紀肆仟貳佰捌拾玖年壹月壹拾伍日", "1956-01-15")
    assert date.problems == ("date characters corrected",)


@pytest.mark.parametrize(("read", "iso"), [
    ("大正壹拾年壹拾貳月壹給陸日", "1921-12-16"),  # 給 捨 洽 share 拾's parts
    ("大正壹捨年壹拾貳月壹拾陸日", "1921-12-16"),
    ("昭和壹拾陸年柒月壹拾律日", "1941-07-14"),  # 律 津 for 肆
    ("檀紀肆仟貳佰捌拾參年壹拾戴月戒拾玖日", "1950-12-29"),  # 戴 戒 for 貳
    ("西紀壹什玖佰肆拾柒年壹拾貳月壹日", "1947-12-01"),  # 什 for 仟
    ("檀紀肆仟貳佰玫拾壹年壹拾月壹拾及日", "1958-10-19"),  # 玫 and 及 for 玖
    ("昭和壹拾捌年賣拾貳月貳拾日", "1943-12-20"),  # 賣 for 壹
])
def test_formal_numerals_misread_as_characters_sharing_their_parts_are_mended(read: str,
                                                                           iso: str) -> None:
    date = record(cell("owners[0].date", read)).owners[0].date
    assert date.value["iso"] == iso and date.problems == ("date characters corrected",)


@pytest.mark.parametrize("banji", ["壽", "魯", "普"])
def test_the_banji_of_an_address_misread_after_its_number_is_mended_and_marked(banji: str) -> None:
    """After a lot's number only 番 stands before 地: whatever was read there is 番."""
    address = record(cell("owners[0].address", f"高陽郡碧蹄面觀山里三百四十八{banji}地")).owners[0].address
    assert address.hanja == "高陽郡碧蹄面觀山里三百四十八番地" and address.value["number"] == 348
    assert "番地 corrected" in address.problems
    plain = record(cell("owners[0].address", "高陽郡碧蹄面觀山里")).owners[0].address
    assert plain.hanja == "高陽郡碧蹄面觀山里" and "番地 corrected" not in plain.problems


def test_a_lot_whose_sub_mark_was_not_read_keeps_its_sub_number() -> None:
    lot = record(cell("lot", "九百四十六番十二")).lot
    assert (lot.hanja, lot.value["text"]) == ("九百四十六番ノ十二", "946-12")
    assert lot.problems == ("the sub number's mark ノ was not read",)
    assert not record(cell("lot", "九百四十六番ノ十二")).lot.problems


def test_a_value_most_entries_have_is_kept_empty_for_review_where_one_lacks_it() -> None:
    owners = [cell(f"owners[{i}].{k}", v) for i, row in enumerate([
        {"date": "大正三年二月十六日", "cause": "査定", "name": "孫成植"},
        {"date": "大正五年一月十三日", "name": "金禮植"},
        {"date": "昭和五年二月十七日", "cause": "賣買", "name": "朴東鎭"}]) for k, v in row.items()]
    r = build_record(LAND, owners, expect_all=True)
    assert r.owners[1].cause.hanja == "" and "owners[1].cause" in r.review()
    assert "owners[0].cause" not in r.review()
    assert build_record(LAND, owners).owners[1].cause is None  # a template's card: as read


def test_names_restore_what_the_recogniser_cannot_say() -> None:
    r = record(cell("owners[0].name", "韓瓦學"), cell("owners[1].name", "由昌俊"),
               cell("owners[2].name", "皇浦來用"), cell("owners[3].name", "金本正一"),
               cell("owners[4].name", "星甫來用"), cell("owners[5].name", "中學鎭"),
               cell("owners[6].name", "褻禮正"), cell("owners[7].name", "異吉德"),
               cell("owners[8].name", "陛乭"), cell("owners[9].name", "南雹大"))
    names = [o.name.hanja for o in r.owners]
    assert names == ["韓乭學", "申昌俊", "皇甫來用", "金本正一", "星甫來用", "申學鎭", "裵禮正",
                     "具吉德", "陸乭", "南乭大"]
    # surname guesses are shown to a clerk; 星甫 is as near 皇甫 as 星山: left as read
    assert r.review() == ["owners[1].name", "owners[2].name", "owners[4].name",
                          "owners[5].name", "owners[6].name", "owners[7].name", "owners[8].name"]


def test_forest_area_and_arabic_years() -> None:
    r = record(cell("category", "林野"), cell("area", "壹町貳反參畝拾步"),
               cell("events[0].date", "西紀1965年三月一日"), form="林野臺帳")
    assert r.area.value["value"] == 3000 + 600 + 90 + 10
    assert r.area.value["parts"] == {"町": 1, "反": 2, "畝": 3, "步": 10}
    assert r.events[0].date.value["iso"] == "1965-03-01"
    assert r.review() == []


@pytest.mark.parametrize(("read", "lot"), [("二十六番八六", "26-6"), ("二十九番八八", "29-8")])
def test_the_sub_mark_read_as_eight_is_put_back_and_marked(read: str, lot: str) -> None:
    r = record(cell("lot", read))
    assert r.lot.value["text"] == lot and r.lot.hanja.count("ノ") == 1
    assert r.review() == ["lot"]


def test_a_sub_number_written_with_units_keeps_its_eight() -> None:
    assert record(cell("lot", "七番ノ八十")).lot.value["text"] == "7-80"
    assert record(cell("lot", "二六番八六")).lot.value["text"] == "26-86"  # written alike


@pytest.mark.parametrize("read", ["五百十五番／五", "五百十五番/五", "五百十五番)五"])
def test_the_sub_mark_read_as_a_slash_or_bracket_is_the_mark(read: str) -> None:
    """A recogniser trained on Chinese answers ノ with what it looks like."""
    lot = record(cell("lot", read)).lot
    assert (lot.hanja, lot.value["text"], lot.problems) == ("五百十五番ノ五", "515-5", ())


def test_a_lot_whose_ban_was_not_read_is_a_lot_marked() -> None:
    """八十三番 written small, its 番 too faint to read: a bare number under 地番."""
    lot = record(cell("lot", "八十三")).lot
    assert (lot.hanja, lot.value["text"], lot.problems) == ("八十三番", "83", ("番 was not read",))


def test_a_date_that_ends_at_its_month_is_marked() -> None:
    """昭和二年六月一日 read without its day: a register dates each entry to the day."""
    date = record(cell("events[0].date", "昭和二年六月")).events[0].date
    assert date.value["iso"] == "1927-06" and date.problems == ("the day was not read",)
    assert not record(cell("events[0].date", "昭和二年六月一日")).events[0].date.problems


def test_a_category_read_as_its_two_stacked_halves_is_the_one_character() -> None:
    """畓 is 水 over 田 and 垈 代 over 土; a brush's gap between the halves reads as two
    characters, one edit from 田 and from 鹽田 alike. 华 is what the recogniser answers
    for a brush-written 垈."""
    for raw, hanja, hangul in (("水田", "畓", "답"), ("代土", "垈", "대"), ("田", "田", "전"),
                               ("鹽田", "鹽田", "염전"), ("华", "垈", "대")):
        j = record(cell("category", raw)).as_json()["category"]
        assert (j["hanja"], j["hangul"], j.get("raw", raw)) == (hanja, hangul, raw)
        assert not j.get("problems")


def test_a_character_read_before_a_dates_era_is_left_out_and_marked() -> None:
    """A date begins with its era: 所 read before 大正 (a piece of a label beside it) is
    not the date's. The date from the era on is kept, marked; a date that does not read
    from its era on stays as read."""
    j = record(cell("owners[0].date", "所大正染年參月參拾壹日")).as_json()["owners"][0]["date"]
    assert (j["hanja"], j["iso"]) == ("大正柒年參月參拾壹日", "1918-03-31")
    assert j["problems"]
    j = record(cell("owners[0].date", "所大正年參月")).as_json()["owners"][0]["date"]
    assert j["hanja"] == "所大正年參月" and "iso" not in j and j["problems"]
    j = record(cell("owners[0].date", "大正七年三月三十一日")).as_json()["owners"][0]["date"]
    assert j["iso"] == "1918-03-31" and not j.get("problems")


@pytest.mark.parametrize(("read", "hanja", "iso"), [
    ("和十二年四月拾日", "昭和十二年四月拾日", "1937-04-10"),  # 昭 gone pale
    ("睡和柒年柒月參拾日", "昭和柒年柒月參拾日", "1932-07-30"),  # 昭 misread
    ("紀四千二百八十二年九月九日", "檀紀四千二百八十二年九月九日", "1949-09-09"),
    ("紀1963年九月三十日", "西紀1963年九月三十日", "1963-09-30"),  # the year tells 西紀 from 檀紀
])
def test_a_date_whose_era_lost_its_first_character_is_mended_and_marked(
        read: str, hanja: str, iso: str) -> None:
    j = record(cell("owners[0].date", read)).as_json()["owners"][0]["date"]
    assert (j["hanja"], j["iso"]) == (hanja, iso) and j["problems"]


def test_a_date_with_no_era_at_all_is_not_given_one() -> None:
    """Which era a bare 十二年 belongs to the page does not say: it stays for the clerk."""
    j = record(cell("owners[0].date", "十二年四月拾日")).as_json()["owners"][0]["date"]
    assert "iso" not in j and j["problems"]


def test_an_event_word_whose_head_went_pale_is_the_word_it_ends_and_marked() -> None:
    """權保存: the end of 所有權保存 and of no other event word. 保存 alone (two characters)
    and 定, which end several words, stay as read."""
    j = record(cell("owners[0].cause", "權保存")).as_json()["owners"][0]["cause"]
    assert j["hanja"] == "所有權保存" and j["problems"]
    j = record(cell("owners[0].cause", "保存")).as_json()["owners"][0]["cause"]
    assert j["hanja"] == "保存" and j["problems"]


def test_an_event_word_read_with_pieces_of_its_characters_as_more_is_the_word_marked() -> None:
    """賣 read as 賣四 and 買 as 買貝: the one word the reading begins with and holds in
    order. A name that holds an event word's characters (金國石有) is no event."""
    j = record(cell("owners[0].cause", "賣四買貝")).as_json()["owners"][0]["cause"]
    assert j["hanja"] == "賣買" and j["problems"]
    from translit import correct
    assert not correct.event("金國石有").known


def test_a_date_takes_the_recognisers_runner_up_where_it_read_what_no_date_holds() -> None:
    """牛 and 渠 are in no date; the recogniser's next guesses there were 年 (after 午,
    which is in none either) and 柒. A date that parses as read is left alone, and so
    is one whose runners-up hold nothing a date does."""
    read = ReadText("大正玖牛壹拾壹月貳拾渠日", ((3, (("午", 0.32), ("年", 0.06))), (10, (("柒", 0.32),))))
    date = record(cell("owners[0].date", read)).owners[0].date
    assert (date.hanja, date.value["iso"]) == ("大正玖年壹拾壹月貳拾柒日", "1920-11-27")
    assert date.problems
    sure = ReadText("大正玖年壹拾壹月貳拾柒日", ((3, (("午", 0.32),)),))
    assert not record(cell("owners[0].date", sure)).owners[0].date.problems
    lost = ReadText("大正玖牛壹拾壹月貳拾柒日", ((3, (("午", 0.32),)),))
    assert "iso" not in record(cell("owners[0].date", lost)).as_json()["owners"][0]["date"]


def test_an_area_takes_the_recognisers_runner_up_where_it_read_what_no_area_holds() -> None:
    read = ReadText("壹招町肆反參畝", ((1, (("拾", 0.2),)),))
    area = record(cell("area", read), form="林野臺帳").area
    assert area.hanja == "壹拾町肆反參畝" and area.problems


def test_a_date_whose_digits_were_read_spaced_is_read_whole() -> None:
    j = record(cell("owners[0].date", "西紀19 47年五月七日")).as_json()["owners"][0]["date"]
    assert (j["hanja"], j["iso"]) == ("西紀1947年五月七日", "1947-05-07")
