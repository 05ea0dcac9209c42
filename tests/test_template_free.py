"""Reading printings no template describes: labels, content, orientation, and the whole way
from a scan of each layout family to a search that finds its final owner."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from app.export import export
from app.ingest import PageImage
from app.page_task import read_image
from app.process import process_paths
from app.search import owner_query, search_owners
from db.archive import open_archive
from ocr import labels
from ocr.blocks import Block, find_blocks
from ocr.cells import CellReading
from ocr.engine import get_engine
from ocr.structure import LOOSE_LABEL, Item, _label_for
from samples.generator import make_page
from samples.layouts import FAMILIES
from translit import content
from translit.assemble import NOT_RECOGNISED, ROW_DOUBT, WRAP_DOUBT, _stroke, assign
from translit.fields import build_record

SEED = 31  # a seed the reader was not developed on


@pytest.mark.parametrize(("read", "word", "key"), [
    ("所在", "所在", "location"), ("所 在 地", "所在地", "location"), ("地畨", "地番", "lot"),
    ("地目", "地目", "category"), ("地稹", "地積", "area"), ("年月曰", "年月日", "date"),
    ("事由", "事由", "cause"), ("事故", "事故", "cause"), ("住 所", "住所", "address"),
    ("民名", "氏名", "name"), ("氏名又ハ名称", "氏名又ハ名稱", "name"), ("名称", "名稱", "name"),
    ("賃貸価格", "賃貸價格", "extra"), ("地价", "地價", "extra"), ("備考", "備考", "extra"),
    ("治革", "沿革", "section"), ("土 地 台 帳", "土地臺帳", "title"), ("林野臺張", "林野臺帳", "title"),
])
def test_labels_are_read_through_the_engines_look_alikes(read: str, word: str, key: str) -> None:
    label = labels.match(read)
    assert label is not None and (label.word, label.key) == (word, key)


@pytest.mark.parametrize("value", ["京畿道高陽郡碧蹄面城石里", "金正一", "百二十三番ノ四", "畓",
                                   "參百貳拾坪", "大正五年三月拾日", "所有權移轉", "地目變換", "地目變换",
                                   "地目変換", "仝"])
def test_values_are_no_labels(value: str) -> None:
    assert labels.match(value) is None
    assert labels.strip_label(value) == (None, value)


def test_labels_read_as_one_line_are_each_a_label() -> None:
    assert [w.word for w in labels.split_labels("住所氏名")] == ["住所", "氏名"]
    assert [w.key for w in labels.split_labels("年月日事由住所")] == ["date", "cause", "address"]
    for value in ("所有權移轉", "地目變換", "金正成", "住所"):
        assert labels.split_labels(value) is None


def test_a_label_read_on_one_line_with_its_value_is_split_off() -> None:
    label, rest = labels.strip_label("地番 百二十三番ノ四")
    assert label is not None and label.key == "lot" and rest == "百二十三番ノ四"


@pytest.mark.parametrize(("text", "kind"), [
    ("昭和拾參年貳月五日", "date"), ("百二十三番ノ四", "lot"), ("參百貳拾坪", "area"),
    ("七町二反二畝二步", "area"), ("畓", "category"), ("所有權移轉", "cause"),
    ("京畿道高陽郡碧蹄面城石里", "location"), ("高陽郡碧蹄面城石里二百番地", "address"),
    ("金本正一", "name"), ("南宮仁", "name"),
])
def test_content_says_what_a_value_is(text: str, kind: str) -> None:
    assert content.best(text)[0] == kind


@pytest.mark.parametrize("text", ["高陽郡意島而華里百四十七番地", "面幸州外里百十三番地",
                                  "高陽郡點島面于陽里百四十七春"])
def test_an_address_too_misread_for_the_gazetteer_is_an_address_by_its_shape(text: str) -> None:
    """Two or three characters of its place misread, an address still ends in a number
    and 番地 after a 郡/面/里, or begins with a county the gazetteer knows."""
    assert content.best(text)[0] == "address"


def test_a_county_with_its_rest_gone_pale_is_no_name() -> None:
    """高陽郡 leads with a surname (高), but no name ends in 郡."""
    assert "name" not in content.kinds("高陽郡知") and content.best("高一春")[0] == "name"


def test_an_address_under_the_cause_heading_is_filed_as_the_address() -> None:
    """A 事由 heading read over the address column (its own heading illegible): the
    misread address is filed as the owner's address, not as a second cause that parts
    its row in two and shifts every owner after it."""
    cells = [_value("高陽郡意島而華里百四十七番地", "cause", (1076, 1728, 1652, 1987)),
             _value("大正十五年三月二日", "date", (241, 1731, 693, 1990)),
             _value("遺贈", "cause", (710, 1731, 1060, 1987), None),
             _value("高一春", "name", (1669, 1731, 2045, 1987), None)]
    fields = {c.field: c.text for c in assign(cells) if c.field}
    assert fields["owners[0].address"] == "高陽郡意島而華里百四十七番地"
    assert fields["owners[0].cause"] == "遺贈" and "owners[1].name" not in fields


def test_a_name_under_a_closed_list_label_is_a_name() -> None:
    """事故 holds event words only: a name standing under it is the owner's name."""
    got = {c.field: c for c in assign([_value("嚴洙一", "cause", (0, 100, 200, 190)),
                                       _value("大正五年三月拾日", "date", (200, 100, 500, 190))])}
    assert got["owners[0].name"].text == "嚴洙一" and got["owners[0].name"].doubts


def test_content_contradicting_its_label_is_doubted() -> None:
    assert content.agrees("name", "大正五年三月拾日") == (False, "date")
    # a date under the 等級 heading of a card with no rules, reaching down its column
    assert content.agrees("grade", "大正柒年玖月貳拾貳日") == (False, "date")
    assert content.agrees("grade", "貳拾")[0] and content.agrees("grade", "壹佰貳拾參")[0]
    assert content.agrees("address", "京畿道高陽郡碧蹄面城石里")[0]
    assert content.agrees("date", "大正五年三月拾日")[0]


def _value(text: str, key: str | None, area: tuple[int, int, int, int],
           relation: str | None = "up") -> CellReading:
    return CellReading("", text, 0.95, ((0, 0),) * 4, False, False, float(len(text)),
                       key=key, relation=relation, area=area)


def test_one_table_of_history_and_owners_is_told_apart_by_its_entries() -> None:
    """Rows of one table in date order: a row with a date and an event word but no name is
    a 沿革 entry, a row with a name an owner; a 賃貸價格 column never leaks."""
    rows = [("大正五年三月拾日", "査定", None, None), ("大正五年三月拾日", "査定", "金正一", "高陽郡碧蹄面城石里"),
            ("昭和二年四月一日", "分割", None, None), ("昭和拾年五月七日", "賣買", "李文", "高陽郡中面日山里")]
    cells = [_value("拾貳圓", "extra", (900, 100, 1000, 160))]
    for i, (date, cause, name, address) in enumerate(rows):
        y = 100 + 100 * i
        cells.append(_value(date, "date", (0, y, 300, y + 90)))
        cells.append(_value(cause, "cause", (600, y, 700, y + 90)))
        if name:
            cells.append(_value(name, "name", (300, y, 400, y + 90)))
            cells.append(_value(address, "address", (400, y, 600, y + 90)))
    fields = {c.field: c.text for c in assign(cells) if c.field}
    assert fields["events[0].event"] == "査定" and fields["events[1].event"] == "分割"
    assert fields["owners[0].name"] == "金正一" and fields["owners[1].name"] == "李文"
    assert fields["owners[1].cause"] == "賣買" and "events[2].date" not in fields
    assert "拾貳圓" not in fields.values()


def test_a_row_dated_for_a_sale_whose_name_went_unread_is_an_owner() -> None:
    """A row with a date and 所有權移轉 but no name or address read (a name written small
    under a seal, a ditto mark read as noise): an owner whose name a clerk supplies, not
    a 沿革 entry that leaves the owners one short and shifts every owner after it."""
    rows = [("大正五年六月四日", "査定", "申炳一", "高陽郡恩平面碌磻里"),
            ("大正玖年伍月壹拾柒日", "所有權移轉", None, None),
            ("大正十五年十一月九日", "遺贈", "李一錫", "高陽郡纛島面華陽里")]
    cells = []
    for i, (date, cause, name, address) in enumerate(rows):
        y = 100 + 100 * i
        cells.append(_value(date, "date", (0, y, 300, y + 90), None))
        cells.append(_value(cause, "cause", (300, y, 400, y + 90), None))
        if name:
            cells.append(_value(address, "address", (400, y, 600, y + 90), None))
            cells.append(_value(name, "name", (600, y, 700, y + 90), None))
    cells.append(_value("昭和六年十二月二十二日", "date", (0, -100, 300, -10), None))
    cells.append(_value("分割", "cause", (300, -100, 400, -10), None))
    fields = {c.field: c.text for c in assign(cells) if c.field}
    assert fields["events[0].event"] == "分割" and "events[1].date" not in fields
    assert fields["owners[1].cause"] == "所有權移轉" and "owners[1].name" not in fields
    assert fields["owners[2].name"] == "李一錫"


def test_a_value_read_in_two_pieces_under_one_heading_is_one_value() -> None:
    """An address read as two pieces, a faded character between them (高陽郡知 面幸州外里…),
    each under the 住所 heading of its row: one address, marked, in one owner; as two
    values the second would open an owner of its own and shift every owner after it."""
    def piece(text: str, key: str, label: str, box: tuple[int, int, int, int]) -> CellReading:
        x0, y0, x1, y1 = box
        return replace(_value(text, key, box), label=label,
                       box=((x0, y0), (x1, y0), (x1, y1), (x0, y1)))

    cells = [piece("昭和十二年四月拾日", "date", "年月日", (336, 1601, 720, 1788)),
             piece("所有權保存", "cause", "事故", (738, 1601, 948, 1788)),
             piece("面幸州外里百十三番地", "address", "住所", (1152, 1664, 1403, 1685)),
             piece("高陽郡知", "address", "住所", (1006, 1665, 1107, 1687)),
             piece("河大炳", "name", "氏名", (1482, 1600, 1709, 1788)),
             piece("昭和壹拾捌年壹拾貳月貳拾日", "date", "年月日", (337, 1807, 719, 1994)),
             piece("賣買", "cause", "事故", (738, 1807, 948, 1994)),
             piece("松本正雄", "name", "氏名", (1482, 1807, 1709, 1997))]
    out = {c.field: c for c in assign(cells) if c.field}
    assert out["owners[0].address"].text == "高陽郡知面幸州外里百十三番地"
    assert any("two pieces" in d for d in out["owners[0].address"].doubts)
    assert out["owners[0].name"].text == "河大炳" and out["owners[1].name"].text == "松本正雄"
    assert "owners[2].name" not in out


def test_a_sliver_of_ink_read_unsurely_as_one_stroke_is_no_owner() -> None:
    """A worn rule's remnant beside the owners, read as 一 (0.42) under the 住所 row label:
    no value. As one it made an owner after the last, and so the final owner. A grade
    written 一 and read surely stays."""
    sliver = replace(_value("一", "address", (1567, 1185, 1571, 1241), "left"), confidence=0.42,
                     aspect=14.0)
    cells = [sliver, _value("昭和陸年貳月壹拾壹日", "date", (140, 1795, 626, 2044)),
             _value("鄭錫玉", "name", (1580, 1795, 1872, 2044))]
    fields = {c.field: c.text for c in assign(cells) if c.field}
    assert fields == {"owners[0].date": "昭和陸年貳月壹拾壹日", "owners[0].name": "鄭錫玉"}
    grade = replace(_value("一", "grade", (1458, 428, 1867, 549)), aspect=5.0)
    assert {c.field: c.text for c in assign([grade]) if c.field} == {"grade": "一"}
    # a ditto mark written down a column is a sliver read unsurely too, and stays one
    mark = replace(_value("川", "address", (145, 1133, 153, 1165), "right"), confidence=0.35,
                   aspect=4.0)
    assert not _stroke(mark) and _stroke(sliver)


def test_a_bare_number_under_the_lot_label_stays_the_lot() -> None:
    """A lot whose small 番 went unread reads as a number, which a grade is too: the 等級
    label near it is no better witness than the 地番 label it stands by, and the grade
    under its own label keeps its field."""
    lot = replace(_value("八十三", "lot", (1876, 257, 1983, 283), "left"), label="地番",
                  rivals=(("等級", "grade", "up", False),))
    grade = replace(_value("十五", "grade", (1895, 451, 2074, 538), "left"), label="等級")
    fields = {c.field: c.text for c in assign([lot, grade]) if c.field}
    assert fields == {"lot": "八十三", "grade": "十五"}


def test_an_owners_whole_row_read_as_one_line_is_parted_and_marked() -> None:
    """Date, cause and address written close in cells whose rules wore away, read as one
    line under 年月日: parted into the three values (the cause a word of the vocabulary,
    the address a place), each marked. As one date it left the row no cause or address."""
    cells = [_value("昭和十四年三月十二日所有權保存楊州郡九里面土坪里二百五番地", "date",
                    (100, 500, 1500, 560)),
             _value("金大成", "name", (1520, 500, 1700, 560))]
    assigned = [c for c in assign(cells) if c.field]
    fields = {c.field: c.text for c in assigned}
    assert fields == {"owners[0].date": "昭和十四年三月十二日", "owners[0].cause": "所有權保存",
                      "owners[0].address": "楊州郡九里面土坪里二百五番地", "owners[0].name": "金大成"}
    assert all(ROW_DOUBT in c.doubts for c in assigned if c.text != "金大成")


def test_owners_written_down_the_page_are_read_right_to_left() -> None:
    cells = []
    for i, name in enumerate(["金正一", "李文", "朴順洙"]):  # the first owner stands rightmost
        x = 1000 - 200 * i
        cells.append(_value(name, "name", (x, 500, x + 150, 800), "right"))
        cells.append(_value("昭和二年四月一日", "date", (x, 100, x + 150, 490), "right"))
    fields = {c.field: c.text for c in assign(cells) if c.field}
    assert [fields[f"owners[{i}].name"] for i in range(3)] == ["金正一", "李文", "朴順洙"]


def test_an_unlabelled_value_among_owners_written_down_stays_out_of_the_history_above() -> None:
    """A 沿革 table written across above an owner table written down: a ditto mark with
    no label, standing among the owners' columns, is of their table. (Put with the rows
    of the 沿革 table, it made its last entry an owner, and every owner moved along one.)"""
    cells = [_value("大正十二年十月八日", "date", (200, 550, 750, 640)),
             _value("査定", None, (1000, 570, 1100, 615), None),
             _value("昭和十五年十月二十六日", "date", (270, 675, 700, 715)),
             _value("地目變換", "cause", (1080, 680, 1310, 730))]
    for i, name in enumerate(["裵一光", "孫俊正"]):  # the first owner stands rightmost
        x = 1310 - 130 * i
        cells += [_value("大正十二年十月八日", "date", (x, 880, x + 60, 1290), "right"),
                  _value(name, "name", (x, 2050, x + 60, 2230), "right")]
    cells.append(_value("同", "address", (1190, 1730, 1230, 1785), None))
    fields = {c.field: c.text for c in assign(cells) if c.field}
    assert fields["events[1].event"] == "地目變換" and fields["owners[0].name"] == "裵一光"
    assert fields["owners[1].address"] == "同" and "owners[2].name" not in fields


def test_a_surname_read_alone_is_a_name_and_a_mark_under_a_loose_label_repeats_its_row() -> None:
    """Owners written down below a 沿革 table written across. The middle owner's name read
    only as its surname (羅 of 羅植) is still a name, marked: taken for no name, it was
    read as a ditto mark, and its column fell apart into a 沿革 entry and a lone cause.
    Its address, a ditto mark that only a heading of the 沿革 above stands near, repeats
    the address beside it on its row, the owner before (right to left)."""
    cells = []
    for y, date, event in ((522, "大正捌年壹月貳拾玖日", "查定"), (608, "昭和六年十一月二十四日", "合併"),
                           (695, "檀紀肆仟貳佰捌拾壹年捌月壹拾捌日", "地目變換")):
        cells += [_value(date, "date", (149, y, 629, y + 73)), _value(event, "cause", (642, y, 1336, y + 73))]
    for x, date, name, address in ((1160, "大正捌年壹月貳拾玖日", "高相九", "坡州郡坡平面金坡里"),
                                   (1018, "大正十一年一月八日", "羅", None),
                                   (867, "大正十一年八月九日", "千德鍾", "楊州郡白石面烘福里")):
        cells += [_value(date, "date", (x, 830, x + 40, 1160), "right"),
                  _value("遺贈", "cause", (x - 40, 1207, x + 80, 1366), "right"),
                  _value(name, "name", (x, 1840, x + 45, 1980), "right")]
        if address:
            cells.append(_value(address, "address", (x, 1410, x + 25, 1790), "right"))
    cells.append(replace(_value("仝", "cause", (1012, 1626, 1059, 1669)), doubts=(LOOSE_LABEL,)))
    fields = {c.field: c for c in assign(cells) if c.field}
    assert fields["events[2].event"].text == "地目變換" and "events[3].date" not in fields
    assert [fields[f"owners[{i}].name"].text for i in range(3)] == ["高相九", "羅", "千德鍾"]
    assert fields["owners[1].name"].doubts and fields["owners[1].date"].text == "大正十一年一月八日"
    assert fields["owners[1].address"].text == "仝" and "owners[3].name" not in fields
    # a character that is no surname, alone under the heading, is still no name
    alone = assign([_value("口", "name", (0, 0, 40, 40), "right")])
    assert not any(c.field for c in alone)


def test_owners_written_down_whose_later_columns_lost_their_labels_keep_their_order() -> None:
    """Only the first owner's column stands by legible row labels: the unlabelled values,
    its own date among them, are one table written down, read right to left."""
    cells = [_value("韓玉基", "name", (954, 1190, 1002, 1360), "right"),
             _value("高陽郡纛島面聖水里", "address", (958, 780, 995, 1100), "right"),
             _value("大正捌年壹拾壹月壹拾柒日", "date", (1384, 300, 1434, 920), "right"),
             _value("大正八年十一月十七日", None, (971, 230, 994, 520), None),
             _value("安德正", None, (704, 1180, 757, 1330), None),
             _value("高陽郡纛島面毛陳里", None, (697, 760, 729, 1110), None),
             _value("昭和貳年玖月壹拾參日", None, (695, 245, 725, 525), None)]
    fields = {c.field: c.text for c in assign(cells) if c.field}
    assert fields["owners[0].name"] == "韓玉基" and fields["owners[1].name"] == "安德正"


def test_an_era_date_under_a_sums_heading_is_a_date_and_a_sum_stays_aside() -> None:
    """On a card with no rules the 賃貸價格 heading reaches down to the 沿革 dates below
    its own sum: a date is no sum, and is filed as the date it surely is, marked; the
    sum itself stays a line of the page."""
    rent = replace(_value("三十四圓四十錢", "extra", (470, 645, 673, 670)), label="賃貸價格")
    date = replace(_value("大正貳年肆月壹拾參日", "extra", (250, 940, 970, 1010)), label="賃貸價格")
    cells = assign([rent, date, _value("査定", None, (1240, 955, 1380, 1020), None)])
    fields = {c.field: c for c in cells if c.field}
    assert fields["events[0].date"].text == "大正貳年肆月壹拾參日"
    assert any("賃貸價格" in d for d in fields["events[0].date"].doubts)
    assert "三十四圓四十錢" not in {c.text for c in fields.values()}
    # a note under 備考 may say anything, an event word too: it stays aside
    note = replace(_value("國有", "extra", (1700, 940, 1800, 1010)), label="備考")
    assert not any(c.field for c in assign([note]))


def test_a_row_read_as_one_line_is_parted_at_its_gaps_into_an_owner() -> None:
    """An owner's row whose rules wore away, read as one line with gaps (査定 高陽郡松浦面
    九山里 申善福) under the 事由 heading, is the owner's cause, address and name, each
    marked; read as one event it made the row a 沿革 entry. Parts of one kind, or a part
    that says nothing, leave the line whole."""
    cells = [_value("大正六年八月六日", "date", (200, 600, 600, 640)),
             _value("査定 高陽郡松浦面九山里 申善福", "cause", (650, 600, 1800, 640))]
    fields = {c.field: c for c in assign(cells) if c.field}
    assert fields["owners[0].name"].text == "申善福"
    assert fields["owners[0].address"].text == "高陽郡松浦面九山里"
    assert all("parted at its gaps" in " ".join(f.doubts) for k, f in fields.items()
               if k != "owners[0].date")
    whole = assign([_value("査定 分割", "cause", (650, 600, 900, 640))])
    assert [c.text for c in whole if c.field] == ["査定 分割"]


def test_a_date_and_its_event_read_as_one_line_are_two_fields() -> None:
    assert content.date_and_event("昭和八年九月三十日賣買") == ("昭和八年九月三十日", "賣買")
    assert content.date_and_event("昭和八年九月三十日李成文") is None  # a name is no event
    fields = {c.field: c.text for c in assign([
        _value("昭和八年九月三十日賣買", "date", (0, 100, 300, 190)),
        _value("李成文", "name", (300, 100, 400, 190))]) if c.field}
    assert fields == {"owners[0].date": "昭和八年九月三十日", "owners[0].cause": "賣買",
                      "owners[0].name": "李成文"}


def test_a_cause_and_a_name_read_as_one_line_are_two_fields_marked() -> None:
    got = {c.field: c for c in assign([_value("相續南宮玉", "name", (300, 100, 700, 190)),
                                       _value("大正五年三月拾日", "date", (0, 100, 290, 190))])}
    assert got["owners[0].cause"].text == "相續" and got["owners[0].name"].text == "南宮玉"
    assert got["owners[0].name"].doubts
    assert content.cause_and_name("相續") is None and content.cause_and_name("賣買金") is None


def test_a_ditto_mark_read_on_the_end_of_a_name_is_the_rows_missing_value() -> None:
    """仝 written for the address, read on one line with the name before it: the name
    is 成正, and the mark repeats the address above."""
    cells = [_value("高陽郡中面白石里", "address", (400, 100, 600, 190)),
             _value("金正一", "name", (600, 100, 700, 190)),
             _value("大正五年三月拾日", "date", (0, 100, 300, 190)),
             _value("査定", "cause", (300, 100, 400, 190)),
             _value("成正仝", "name", (600, 200, 700, 290)),
             _value("大正肆年壹拾貳月壹日", "date", (0, 200, 300, 290)),
             _value("相續", "cause", (300, 200, 400, 290))]
    fields = {c.field: c.text for c in assign(cells) if c.field}
    assert fields["owners[1].name"] == "成正" and fields["owners[1].address"] == "仝"
    assert "owners[2].name" not in fields


def test_an_address_and_a_name_read_as_one_line_are_two_fields() -> None:
    assert content.place_and_name("高陽郡松浦面九山里 廉奉") == ("高陽郡松浦面九山里", "廉奉")
    assert content.place_and_name("高陽郡碧蹄面鳥里二百六十八番地") is None  # no name after it
    fields = {c.field: c.text for c in assign([
        _value("大正五年三月拾日", "date", (0, 100, 300, 190)),
        _value("高陽郡中面日山里二百番地金正一", "address", (300, 100, 700, 190))]) if c.field}
    assert fields == {"owners[0].date": "大正五年三月拾日",
                      "owners[0].address": "高陽郡中面日山里二百番地", "owners[0].name": "金正一"}


def test_a_date_read_in_two_pieces_is_one_value() -> None:
    """A long date read as two blocks (its line parted at a gap, or wrapped after the
    year) is one date, not a second owner; a name and a date side by side stay apart."""
    cells = [_value("檀紀肆仟貳佰捌拾玖年", "date", (276, 2217, 498, 2237)),
             _value("壹月壹拾伍日", "date", (515, 2216, 642, 2235)),
             _value("禹光學", "name", (1492, 2121, 1747, 2345))]
    fields = {c.field: c.text for c in assign(cells) if c.field}
    assert fields == {"owners[0].date": "檀紀肆仟貳佰捌拾玖年壹月壹拾伍日",
                      "owners[0].name": "禹光學"}
    cells = [_value("昭和八年九月三十日", "date", (0, 100, 300, 190)),
             _value("昭和十年一月五日", "date", (0, 200, 300, 290))]
    assert len({c.field for c in assign(cells)}) == 2  # two whole dates stay two
    cells = [_value("西紀1", "date", (100, 300, 180, 340)),
             _value("947年十月二十六日", "date", (200, 300, 600, 340))]
    fields = {c.field: c.text for c in assign(cells) if c.field}
    assert fields == {"events[0].date": "西紀1947年十月二十六日"}  # a piece with no era
    column = [replace(_value("大正三年九月二十一", "date", (1489, 251, 1552, 824), "right"),
                      vertical=True),
              replace(_value("日", "address", (1502, 865, 1532, 909), "left"), vertical=True)]
    fields = {c.field: c.text for c in assign(column) if c.field}
    assert fields == {"events[0].date": "大正三年九月二十一日"}  # the lone 日 was no address
    address = [replace(_value("高陽郡恩平面佛光里", "address", (900, 980, 960, 1500), "right"),
                       vertical=True),
               replace(_value("二百九十六番地", "address", (905, 1530, 955, 1800), "right"),
                       vertical=True)]
    read = [c for c in assign(address) if c.field]
    assert {c.field: c.text for c in read} == {"owners[0].address": "高陽郡恩平面佛光里二百九十六番地"}
    assert WRAP_DOUBT not in read[0].doubts  # only one value it could go on


def test_a_line_that_could_go_on_either_of_two_values_marks_both() -> None:
    """The rest of an address wrapped under two owners' addresses, as close to either:
    it is joined to one, and both are marked for review, since which is a guess."""
    cells = [_value("高陽郡纛島面毛陳里", "address", (100, 100, 400, 140)),
             _value("高陽郡元堂面城沙里", "address", (500, 100, 800, 140)),
             _value("三百四十五番地", "address", (350, 150, 560, 190))]
    read = [c for c in assign(cells) if c.field and c.field.endswith("address")]
    assert any(c.text.endswith("三百四十五番地") for c in read)
    assert len(read) == 2 and all(WRAP_DOUBT in c.doubts for c in read)


def test_a_value_off_its_column_joins_the_owner_beside_it_that_lacks_it() -> None:
    """An address written small beside its owner's column, off its line: it is that
    owner's, not an owner of its own that shifts every owner after it."""
    cells = []
    for i, (name, address) in enumerate([("洪文禮", None), ("蔡順喜", "高陽郡碧蹄面鳥里")]):
        x = 1600 - 450 * i  # right to left
        cells.append(replace(_value(name, "name", (x, 1800, x + 70, 2050), None), vertical=True))
        cells.append(replace(_value("大正九年十月十三日", "date", (x + 10, 220, x + 60, 720), None),
                             vertical=True))
        if address:
            cells.append(replace(_value(address, "address", (x, 1090, x + 70, 1670), None),
                                 vertical=True))
    cells.append(replace(_value("始興郡秀岩面秀岩里百七十五番地", "address", (1562, 1104, 1595, 1677),
                                None), vertical=True))
    fields = {c.field: c.text for c in assign(cells) if c.field}
    assert fields["owners[0].address"] == "始興郡秀岩面秀岩里百七十五番地"
    assert fields["owners[1].address"] == "高陽郡碧蹄面鳥里" and "owners[2].name" not in fields


def test_values_written_high_in_their_rows_join_the_rows_they_all_but_touch() -> None:
    """On a card with no rules, an owner's 遺贈 and the next owner's name written small
    and high in their rows, each nearer by its middle to the row above than any rule of
    thumb on middles allows, but all but touching its own row: each joins its own row.
    On their own they were owners, and every owner after them moved one along. A value
    as near the row above as its own stays apart."""
    def card(cause_top: int) -> dict[str, str]:
        cells = [_value("大正二年七月五日", "date", (244, 2020, 744, 2082), None),
                 _value("賣買", "cause", (923, 2019, 1099, 2109), None),
                 _value("高陽郡恩平面津寬內里", "address", (1260, 2010, 1857, 2068), None),
                 _value("張泰用", "name", (2035, 2015, 2337, 2111), None),
                 _value("遺贈", "cause", (1023, cause_top, 1101, cause_top + 39), None),
                 _value("大正壹拾貳年肆月壹拾伍日", "date", (226, 2198, 771, 2244), None),
                 _value("高陽郡恩平面津寬內里", "address", (1256, 2207, 1940, 2270), None),
                 _value("裵俊炳", "name", (2048, 2201, 2361, 2295), None),
                 _value("車洙正", "name", (2266, 2342, 2387, 2379), None),
                 _value("大正十五年三月十二日", "date", (247, 2410, 748, 2456), None),
                 _value("家督相續", "cause", (866, 2400, 1141, 2472), None),
                 _value("高陽郡恩平面津寬內里", "address", (1256, 2389, 1920, 2453), None)]
        return {c.field: c.text for c in assign(cells) if c.field}

    fields = card(2150)  # 9 pixels above its row, 41 below the row above
    assert [fields[f"owners[{i}].name"] for i in range(3)] == ["張泰用", "裵俊炳", "車洙正"]
    assert fields["owners[1].cause"] == "遺贈" and fields["owners[2].cause"] == "家督相續"
    assert "owners[3].name" not in fields and "owners[3].cause" not in fields
    apart = card(2111)  # as near the row above (touching it) as its own: an entry of its own
    assert "owners[1].name" not in apart and apart["owners[1].cause"] == "遺贈"


def test_an_event_word_beside_a_headed_one_on_its_row_is_a_note_not_an_entry() -> None:
    """訂正 written in the 備考 column beside a 沿革 row whose 事由 reads 地目變換 is a note
    on that row: the row keeps its headed event, and no entry is made of the note (made
    one, it shifted every entry after it). The note stays on the page as a line."""
    cells = []
    for i, (date, event) in enumerate([("大正十年七月十六日", "訂正"), ("昭和六年九月二十九日", "地目變換"),
                                       ("昭和十年一月九日", "分割")]):
        y = 1238 + 152 * i
        cells += [replace(_value(date, "date", (173, y, 1013, y + 142)), label="年月日"),
                  replace(_value(event, "cause", (1027, y, 1760, y + 142)), label="事由")]
    cells.append(_value("訂正", None, (1774, 1393, 2182, 1532), None))
    out = assign(cells)
    fields = {c.field: c.text for c in out if c.field}
    assert [fields[f"events[{i}].event"] for i in range(3)] == ["訂正", "地目變換", "分割"]
    assert "events[3].event" not in fields and "events[3].date" not in fields
    assert sum(c.text == "訂正" and not c.field for c in out) == 1


def test_a_name_under_the_heading_of_a_field_written_in_numbers_is_a_name() -> None:
    """A name whose own corner label went unread, taken as under the 地積 heading of the
    cell above: an area always holds a number, and a name none, so the name is the
    owner's (marked). Filed as an area it lost to the parcel's area, and the final
    owner had no name to be found by."""
    def headed(text: str, key: str, label: str, box: tuple[int, int, int, int]) -> CellReading:
        return replace(_value(text, key, box), label=label)

    cells = [headed("三百七十七坪", "area", "地積", (972, 630, 1363, 690)),
             headed("大正貳年壹拾貳月壹拾肆日", "date", "年月日", (226, 1447, 825, 1885)),
             headed("查定", "cause", "事由", (835, 1441, 1174, 1876)),
             headed("申甲喜", "area", "地積", (1249, 1482, 1503, 1571)),
             headed("高陽郡恩平面碌磻里", "address", "住所", (1630, 1451, 2116, 1702))]
    fields = {c.field: c for c in assign(cells) if c.field}
    assert fields["area"].text == "三百七十七坪" and fields["owners[0].name"].text == "申甲喜"
    assert any("地積" in d or "area" in d for d in fields["owners[0].name"].doubts)


def test_a_location_written_outside_the_table_is_the_parcels_when_none_inside_is() -> None:
    """A card whose 所在 stands outside its ruled table (written above it, or in a cell
    whose rules did not close): the line read there that surely names a place down to
    its province is the parcel's location, marked, and leaves the page's other lines.
    An owner's address outside (no province), or a location read inside, keeps it so."""
    from translit.assemble import location_beyond

    inside = assign([replace(_value("三百七十七坪", "area", (972, 630, 1363, 690)), label="地積")])
    place = _value("京畿道高陽郡恩平面碌磻里", None, (1893, 445, 1959, 1184), None)
    stamp = _value("高陽郡", None, (100, 100, 200, 140), None)
    cells, others = location_beyond(inside, [stamp, place])
    taken = [c for c in cells if c.field == "location"]
    assert [c.text for c in taken] == ["京畿道高陽郡恩平面碌磻里"] and taken[0].doubts
    assert others == [stamp]
    address = _value("高陽郡恩平面碌磻里", None, (1893, 445, 1959, 1184), None)
    assert location_beyond(inside, [address]) == (inside, [address])
    located = assign([_value("京畿道楊州郡白石面烘福里", "location", (252, 311, 819, 365))])
    assert location_beyond(located, [place]) == (located, [place])


def test_half_an_entry_off_its_line_joins_the_other_half() -> None:
    """An owner's 事故 and 住所 written a little right of the column of his date and name
    (a hand that wanders): one owner, not two half-owners that shift the rest."""
    def down(text: str, key: str, box: tuple[int, int, int, int]) -> CellReading:
        return replace(_value(text, key, box, None), vertical=True)

    cells = [down("查定", "cause", (2049, 929, 2134, 1125)),
             down("楊州郡白石面福池里百番地", "address", (2053, 1266, 2103, 1945)),
             down("成大福", "name", (1969, 2065, 2055, 2355)),
             down("大正七年一月一日", "date", (1977, 306, 2039, 823)),
             down("徐東炳", "name", (1473, 2072, 1574, 2374)),
             down("賣買", "cause", (1458, 929, 1536, 1120)),
             down("昭和三年九月十八日", "date", (1445, 294, 1513, 807))]
    fields = {c.field: c.text for c in assign(cells) if c.field}
    assert fields["owners[0].name"] == "成大福" and fields["owners[0].cause"] == "查定"
    assert fields["owners[1].name"] == "徐東炳" and "owners[2].name" not in fields


def test_ditto_marks_with_nothing_of_their_own_are_no_entry() -> None:
    """Two ditto marks that pair with no entry (one under a heading of another table) do
    not become the first owner, ahead of the owners they belong to."""
    cells = [_value("∥", "date", (472, 1536, 795, 2031)),
             _value("同", "address", (520, 1600, 560, 1650), None),
             _value("大正十二年十月八日", "date", (1368, 892, 1407, 1284), "right"),
             _value("裵一光", "name", (1311, 2044, 1466, 2243), "right")]
    fields = {c.field: c.text for c in assign(cells) if c.field}
    assert fields == {"owners[0].date": "大正十二年十月八日", "owners[0].name": "裵一光"}


def test_a_label_the_writing_contradicts_yields_to_a_rival_it_agrees_with() -> None:
    """A name whose nearest label is a 年月日 heading of the table above, and whose own row
    label stands further off: filed under the row label, and read down like its row."""
    name = replace(_value("李成文", "date", (700, 3300, 950, 3650), "up"),
                   rivals=(("氏名", "name", "right", True),))
    date = _value("昭和八年九月三十日", "date", (700, 1500, 950, 2200), "right")
    got = {c.text: c for c in assign([name, date])}
    assert got["李成文"].field == "owners[0].name" and got["李成文"].relation == "right"
    assert got["昭和八年九月三十日"].field == "owners[0].date"
    kept = assign([replace(name, text="昭和八年九月三十日", key="date")])
    assert kept[0].key == "date"  # a date under a date heading keeps it


def test_a_row_is_linked_through_its_values_but_not_pulled_into_a_tall_cell() -> None:
    """An address written small and high in its row joins the row through the name beside
    it; a 沿革 row just above a tall owner row stays an entry of its own."""
    cells = [_value("高陽郡中面日山里二百番地", "address", (1300, 1333, 1750, 1359)),
             _value("大正十一年六月二十二日", "date", (220, 1359, 610, 1391)),
             _value("嚴在洙", "name", (1000, 1346, 1210, 1415))]
    fields = {c.field for c in assign(cells)}
    assert fields == {"owners[0].address", "owners[0].date", "owners[0].name"}
    cells = [_value("昭和十三年十二月二十五日", "date", (316, 1594, 1609, 1740)),
             _value("分割", "cause", (1623, 1594, 2678, 1740)),
             _value("高陽郡松浦面大化里", "address", (1455, 1821, 2191, 2507)),
             _value("河成", "name", (2206, 1823, 2677, 2507)),
             _value("大正四年一月八日", "date", (316, 1823, 1010, 2507))]
    fields = {c.field: c.text for c in assign(cells)}
    assert fields["events[0].event"] == "分割" and fields["owners[0].date"] == "大正四年一月八日"


def test_a_sure_value_takes_its_field_from_a_labelled_one_that_hardly_is() -> None:
    """A grade under the lot's label (its own label worn away) beside an unlabelled lot:
    the lot takes the field, the grade moves to what it reads as, and a clerk looks."""
    got = {c.field: c for c in assign([_value("二十三", "lot", (1174, 434, 1321, 480)),
                                       _value("八十二番", None, (1276, 303, 1510, 358), None)])}
    assert got["lot"].text == "八十二番" and got["grade"].text == "二十三"
    assert got["grade"].doubts
    got = {c.field: c.text for c in assign([_value("柒拾肆坪", "grade", (728, 319, 964, 373)),
                                            _value("二十一", "grade", (1178, 298, 1468, 399))])}
    assert got == {"grade": "二十一", "area": "柒拾肆坪"}  # a field already passed over


def test_a_name_parted_at_a_flat_stroke_is_one_and_a_seals_remnant_is_no_name() -> None:
    """元一壽 written down the page falls apart at the flat 一: one name again. What a
    stamp over a name column leaves (口, T√) is no owner of its own."""
    cells = [replace(_value("元", "name", (1500, 1800, 1560, 1850), "right"), vertical=True),
             replace(_value("一壽", "name", (1500, 1880, 1560, 2000), "right"), vertical=True),
             replace(_value("大正十一年七月二十日", "date", (1500, 200, 1560, 700), "right"),
                     vertical=True),
             replace(_value("口", "name", (1200, 1800, 1260, 1850), "right"), vertical=True),
             replace(_value("T√", "name", (900, 1800, 960, 1850), "right"), vertical=True)]
    fields = {c.field: c.text for c in assign(cells) if c.field}
    assert fields == {"owners[0].name": "元一壽", "owners[0].date": "大正十一年七月二十日"}


def test_pieces_of_a_label_are_no_value_and_a_ditto_mark_repeats_the_value_above() -> None:
    """住 of 住所 read apart under the name heading is filed nowhere; an unlabelled 仝
    under an address is the next owner's address."""
    cells = [_value("金正一", "name", (300, 100, 400, 190)),
             _value("高陽郡中面日山里", "address", (400, 100, 600, 190)),
             _value("李文", "name", (300, 200, 400, 290)),
             _value("仝", None, (480, 210, 520, 280), None),
             _value("住", "name", (300, 300, 340, 340))]
    fields = {c.field: c.text for c in assign(cells) if c.field}
    assert fields == {"owners[0].name": "金正一", "owners[0].address": "高陽郡中面日山里",
                      "owners[1].name": "李文", "owners[1].address": "仝"}


@pytest.mark.parametrize("mark", ["い", "Il", "二", "11"])
def test_a_ditto_mark_misread_as_a_character_repeats_the_value_above_it(mark: str) -> None:
    """〃 read as い, 川 or Il in an owner table with no labels: a character or two that
    say nothing, under an address, is that address repeated, and the record reads it so.
    (Two letters had passed for a name, however faintly, and so for no mark.) Read as
    二 or 11 it is no grade either: a grade stands among the parcel's particulars."""
    cells = [_value("高陽郡碧蹄面高陽里", None, (913, 1387, 1500, 1657), None),
             _value("南宮相正", None, (1517, 1387, 1876, 1657), None),
             _value(mark, None, (1150, 1700, 1180, 1740), None),
             _value("洪昌基", None, (1517, 1672, 1876, 1943), None)]
    assigned = assign(cells, understood=False)
    fields = {c.field: c.text for c in assigned if c.field}
    assert fields["owners[1].address"] == mark and "grade" not in fields
    record = build_record("土地臺帳", [c for c in assigned if c.field], expect_all=True)
    assert record.owners[1].address.hanja == "高陽郡碧蹄面高陽里"


def test_a_stroke_of_a_ditto_mark_under_a_row_label_off_its_line_is_no_grade() -> None:
    """Each stroke of a 〃 written down a column, read as 二 beside its row label's line
    (the label loose): no grade of the parcel."""
    def down(text: str, key: str, box: tuple[int, int, int, int]) -> CellReading:
        return replace(_value(text, key, box, "right"), vertical=True, label="住所")

    cells = [down("始興郡秀岩面秀岩里", "address", (987, 799, 1203, 1241)),
             down("李玉大", "name", (987, 1255, 1203, 1523)),
             replace(down("二", "address", (837, 1012, 842, 1034)), doubts=(LOOSE_LABEL,)),
             down("車光", "name", (757, 1255, 973, 1523))]
    fields = {c.field: c.text for c in assign(cells) if c.field}
    assert "grade" not in fields and fields["owners[1].name"] == "車光"


def test_the_two_strokes_of_a_ditto_mark_read_apart_are_one_mark() -> None:
    """〃 written down a column, its strokes read apart as 二 and 川 side by side: one
    mark repeating the cause of the owner before, not two causes that part its owner
    in two and shift every owner after."""
    def down(text: str, key: str, box: tuple[int, int, int, int], label: str) -> CellReading:
        return replace(_value(text, key, box, "right"), vertical=True, label=label)

    cells = [down("家督相續", "cause", (245, 701, 405, 931), "事故"),
             down("昭和二年十月一日", "date", (286, 239, 336, 644), "年月日"),
             down("許春玉", "name", (307, 1574, 377, 1790), "氏名"),
             down("二", "cause", (486, 823, 494, 852), "事故"),
             down("川", "cause", (499, 826, 506, 854), "事故"),
             down("昭和貳年壹月壹拾參日", "date", (477, 221, 521, 653), "年月日"),
             down("車植學", "name", (455, 1574, 520, 1793), "氏名")]
    fields = {c.field: c.text for c in assign(cells) if c.field}
    assert fields["owners[0].name"] == "車植學" and fields["owners[0].cause"] in ("二川", "川二")
    assert fields["owners[1].name"] == "許春玉" and "owners[2].name" not in fields
    record = build_record("土地臺帳", [c for c in assign(cells) if c.field])
    assert record.owners[0].cause is not None


@pytest.mark.parametrize(("mark", "ink"), [("、", (951, 983, 960, 990)), ("以", (940, 983, 989, 994))])
def test_a_speck_read_as_a_mark_beside_a_name_is_no_ditto(mark: str,
                                                          ink: tuple[int, int, int, int]) -> None:
    """A speck of dust (9 × 7 pixels) or a sliver of a stroke (49 × 11) over a name, read
    as 、 or 以 under the name heading: no ditto mark a clerk wrote. Taken for one, it repeated the name above it as an entry
    of its own, and every owner after it moved along one. (Cells and ink as found on a
    card whose owner rows share one table with the 沿革.)"""
    def inked(text: str, key: str | None, area: tuple[int, int, int, int],
              ink: tuple[int, int, int, int]) -> CellReading:
        x0, y0, x1, y1 = ink
        return replace(_value(text, key, area), box=((x0, y0), (x1, y0), (x1, y1), (x0, y1)))

    cells = [inked("昭和六年十一月二十五日", "date", (101, 733, 506, 829), (120, 760, 490, 800)),
             inked("宋吉鍾", "name", (869, 733, 1079, 829), (880, 760, 1070, 805)),
             inked("昭和十三年七月七日", "date", (101, 953, 506, 1159), (120, 992, 480, 1034)),
             inked("高陽郡知道面花田里", "address", (521, 953, 855, 1049), (530, 985, 845, 1030)),
             inked(mark, "name", ink, ink),
             inked("安一", "name", (929, 992, 1046, 1034), (929, 992, 1046, 1034)),
             inked("相續", "cause", (1094, 953, 1471, 1049), (1200, 980, 1300, 1030))]
    fields = {c.field: c.text for c in assign(cells) if c.field}
    assert fields == {"owners[0].date": "昭和六年十一月二十五日", "owners[0].name": "宋吉鍾",
                      "owners[1].date": "昭和十三年七月七日", "owners[1].name": "安一",
                      "owners[1].address": "高陽郡知道面花田里", "owners[1].cause": "相續"}


def _item(text: str, box: tuple[int, int, int, int], unit: int) -> Item:
    return Item(text, 0.95, Block(box, False), unit, labels.match(text))


class _WholeLine:
    """An engine that reads any crop as one line, and counts what it was shown."""

    name = "whole-line"

    def __init__(self, text: str = "始興郡西面光明里五十一番地") -> None:
        self.text, self.crops = text, 0

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        self.crops += len(crops)
        return [(self.text, 0.97)] * len(crops)


def test_the_lot_label_after_a_number_ends_an_address_and_before_a_value_is_a_label() -> None:
    """番地 read apart from the address it ends (五十一番地) is no lot label: the line is
    read again whole. After a place name it stays the next cell's label."""
    from ocr.preprocess import Prepared
    from ocr.structure import _lines_rejoined

    page = Prepared(np.full((300, 700), 255, np.uint8), np.zeros((300, 700), bool), np.eye(3), 0, 0.0)
    ended = [_item("始興郡西面光明里五十一", (100, 100, 420, 140), 0),
             _item("番地", (430, 100, 490, 140), 0)]
    engine = _WholeLine()
    out = _lines_rejoined(page, ended, engine, 128)
    assert [(it.text, it.label) for it in out] == [("始興郡西面光明里五十一番地", None)]
    before = [_item("京畿道高陽郡", (100, 100, 300, 140), 0), _item("地番", (310, 100, 370, 140), 0)]
    engine = _WholeLine()
    assert _lines_rejoined(page, before, engine, 128) == before and engine.crops == 0


def test_a_wide_gap_joins_a_line_only_where_a_faded_character_fills_it() -> None:
    """Two pieces of a small line two characters apart are one line when faint ink (a
    character faded) spans the gap; with bare paper between them, or only a worn rule's
    trace, they are two values sharing a cell, an address and a name."""
    from ocr.structure import _one_line

    a, b = Block((100, 100, 300, 130), False), Block((360, 100, 500, 130), False)
    faded = np.zeros((300, 700), bool)
    assert not _one_line(a, b, 30, False, faded)
    trace = faded.copy()
    trace[90:140, 330:333] = True
    assert not _one_line(a, b, 30, False, trace)
    faded[105:125, 310:350] = True
    assert _one_line(a, b, 30, False, faded)
    far = Block((500, 100, 600, 130), False)
    assert not _one_line(a, far, 30, False, np.ones((300, 700), bool))


def test_a_label_read_off_the_head_of_a_faded_event_word_is_the_words_head() -> None:
    """所有 of a faded 所有權移轉, read apart, is 所有者 one edit off, a label; the rest
    (推移轉) beside it would be that label's value. Read with the rest it is an event word:
    the line is read again whole. 所有者 printed in full before a name stays a label."""
    from ocr.preprocess import Prepared
    from ocr.structure import _lines_rejoined

    page = Prepared(np.full((300, 700), 255, np.uint8), np.zeros((300, 700), bool), np.eye(3), 0, 0.0)
    head = [_item("所有", (100, 100, 160, 140), 0), _item("推移轉", (165, 100, 260, 140), 0)]
    assert head[0].label is not None
    out = _lines_rejoined(page, head, _WholeLine("所有權移轉"), 128)
    assert [(it.text, it.label) for it in out] == [("所有權移轉", None)]
    event = [_item("地目", (100, 100, 160, 140), 0), _item("變換", (165, 100, 230, 140), 0)]
    out = _lines_rejoined(page, event, _WholeLine("地目變換"), 128)
    assert [(it.text, it.label) for it in out] == [("地目變換", None)]
    printed = [_item("所有者", (100, 100, 190, 140), 0), _item("金正一", (195, 100, 290, 140), 0)]
    engine = _WholeLine("所有者金正一")
    assert _lines_rejoined(page, printed, engine, 128) == printed and engine.crops == 0


def test_a_name_cut_by_a_seals_frame_is_read_whole_past_the_shards() -> None:
    """A red seal's frame through the middle character of a name leaves shards read as
    nonsense, unsurely: the name read whole holds fewer characters than all the pieces,
    but all that the pieces read surely, and stands."""
    from ocr.preprocess import Prepared
    from ocr.structure import _lines_rejoined

    page = Prepared(np.full((300, 700), 255, np.uint8), np.zeros((300, 700), bool), np.eye(3), 0, 0.0)
    pieces = [_item("林", (100, 100, 150, 150), 0), replace(_item("いー", (160, 100, 180, 150), 0), confidence=0.35),
              replace(_item("立于", (185, 100, 230, 150), 0), confidence=0.5), _item("成", (240, 100, 290, 150), 0)]
    out = _lines_rejoined(page, pieces, _WholeLine("林淳成"), 128)
    assert [it.text for it in out] == ["林淳成"]
    # a piece of a character read as one more (賣 as 賣貝): the whole, read more surely
    # than the pieces, holds one character fewer and still stands; read less surely, not
    split = [replace(_item("賣貝", (100, 100, 150, 150), 0), confidence=0.93),
             replace(_item("買", (160, 100, 210, 150), 0), confidence=1.0)]
    assert [it.text for it in _lines_rejoined(page, split, _WholeLine("賣買"), 128)] == ["賣買"]
    assert _lines_rejoined(page, split, _WholeLine("賣"), 128) == split


def test_on_a_page_with_no_rules_a_date_cut_at_a_wide_gap_is_read_whole() -> None:
    """A hand that spaces its characters wide: on a card with no rules the date parted
    into 大正六年四 and 月二十二日, neither a date, and the rows fell apart. The pieces
    are read again whole, as in a cell; the cause beside them, further off, stays apart,
    and so do a cause close after a date read whole and a name close after a cause."""
    from ocr.preprocess import Prepared
    from ocr.structure import _loose_lines_rejoined

    page = Prepared(np.full((1200, 800), 255, np.uint8), np.zeros((1200, 800), bool), np.eye(3), 0, 0.0)
    boxes = [(163, 1046, 315, 1072), (338, 1047, 479, 1073), (572, 1004, 694, 1064),
             (149, 1142, 493, 1173), (547, 1130, 729, 1169),
             (100, 1300, 300, 1340), (330, 1300, 480, 1345)]
    texts = ["大正六年四", "月二十二日", "查定", "昭和六年一月二十日", "所有權移轉", "所有權保存", "大山英雄"]
    items = [_item(text, box, k) for k, (text, box) in enumerate(zip(texts, boxes, strict=True))]
    engine = _WholeLine("大正六年四月二十二日")
    units, out = _loose_lines_rejoined(page, list(boxes), items, engine, 200)
    assert engine.crops == 1
    assert [it.text for it in out] == ["大正六年四月二十二日", "查定", *texts[3:]]
    assert units[out[0].unit] == (163, 1046, 479, 1073) and [it.unit for it in out[1:]] == [2, 3, 4, 5, 6]


def test_on_a_page_with_no_rules_a_word_read_a_character_at_a_time_is_read_whole() -> None:
    """賣 and 買 written wide apart, each a block of its own: read as one cause, not as a
    cause of one character and a date of another."""
    from ocr.preprocess import Prepared
    from ocr.structure import _loose_lines_rejoined

    page = Prepared(np.full((1500, 800), 255, np.uint8), np.zeros((1500, 800), bool), np.eye(3), 0, 0.0)
    boxes = [(572, 1297, 617, 1354), (644, 1300, 689, 1360)]
    items = [_item("賣", boxes[0], 0), _item("買", boxes[1], 1)]
    units, out = _loose_lines_rejoined(page, list(boxes), items, _WholeLine("賣買"), 200)
    assert [(it.text, units[it.unit]) for it in out] == [("賣買", (572, 1297, 689, 1360))]
    # 地目 (a label's word) and 變換 beside it: the event 地目變換, read whole
    boxes = [(572, 1297, 660, 1354), (680, 1300, 780, 1360)]
    items = [_item("地目", boxes[0], 0), _item("變換", boxes[1], 1)]
    units, out = _loose_lines_rejoined(page, list(boxes), items, _WholeLine("地目變換"), 200)
    assert [(it.text, it.label) for it in out] == [("地目變換", None)]


def test_a_value_under_two_headings_takes_the_one_over_its_writing() -> None:
    """A cell running under 賃貸價格 and 等級 (the rule between their columns worn away)
    holds its grade under 等級."""
    units = [(300, 0, 500, 40), (100, 0, 200, 40), (50, 50, 550, 150)]
    by_unit = {0: [_item("賃貸價格", units[0], 0)], 1: [_item("等級", units[1], 1)],
               2: [_item("二十一", (110, 60, 190, 140), 2)]}
    label, relation, *_ = _label_for(units, 2, by_unit, False, frozenset(), (110, 60, 190, 140))
    assert (label.key, relation) == ("grade", "up")


@pytest.mark.parametrize("x", [260, 1800])
def test_a_short_value_under_no_heading_takes_the_nearest_along_its_row(x: int) -> None:
    """A grade (八) written in a wide cell that runs under 等級 and 備考, over neither."""
    units = [(100, 0, 200, 40), (900, 0, 1000, 40), (2000, 0, 2100, 40), (50, 50, 2200, 150)]
    by_unit = {0: [_item("等級", units[0], 0)], 1: [_item("地價", units[1], 1)],
               2: [_item("備考", units[2], 2)], 3: [_item("八", (x, 60, x + 30, 100), 3)]}
    label, relation, *_ = _label_for(units, 3, by_unit, False, frozenset(), (x, 60, x + 30, 100))
    assert (label.word, relation) == ("等級" if x < 500 else "備考", "up")


def test_a_row_label_across_its_rows_values_beats_a_heading_across_bare_paper() -> None:
    """A date of the fifth owner of a table written down the page: its row label stands
    past four owners' dates, a heading of the 沿革 table above it across empty paper;
    neither lines up with it. The row label is its own."""
    units = [(500, 700, 650, 1200), *[(660 + 150 * k, 700, 800 + 150 * k, 1200) for k in range(4)],
             (1280, 900, 1310, 1000), (100, 400, 600, 440)]
    by_unit = {0: [_item("昭和八年五月九日", units[0], 0)],
               **{k: [_item("大正三年五月九日", units[k], k)] for k in range(1, 5)},
               5: [_item("年月日", units[5], 5)], 6: [_item("年月日", units[6], 6)]}
    label, relation, *_ = _label_for(units, 0, by_unit, False)
    assert (label.key, relation) == ("date", "right")


def test_a_cell_a_worn_region_runs_around_keeps_its_label_and_value() -> None:
    """A printing that labels each cell in its top-right corner, its rules worn (the
    boxes as found on such a card): a region left open at the top runs around the
    所在地 cell, its middle over that cell. The cell still keeps its label and value
    together; before, each was taken to run around the other, and the location, parted
    from its label, lost its field to an owner's address."""
    from ocr.structure import _split_crowded

    cells = [(110, 338, 2651, 575), (124, 359, 1962, 600)]
    items = [_item("地番", (2521, 370, 2611, 413), 0), _item("九番ノ四", (2225, 461, 2545, 537), 0),
             _item("所在地", (1768, 381, 1905, 423), 1),
             _item("京畿道高陽郡神道面東山里", (492, 497, 1590, 583), 1)]
    units, placed, blocks, _ = _split_crowded(cells, items, len(cells))
    by_unit: dict[int, list[Item]] = {}
    for it in placed:
        by_unit.setdefault(it.unit, []).append(it)
    unit_of = {it.text: it.unit for it in placed}
    place = unit_of["京畿道高陽郡神道面東山里"]
    assert unit_of["所在地"] == place and units[place] == cells[1]
    assert _label_for(units, place, by_unit, False, blocks)[:2] == (labels.match("所在地"), "same")
    assert unit_of["地番"] != unit_of["九番ノ四"]  # the region around it is parted


def test_a_corner_label_of_a_parted_cell_labels_no_other_cells_value() -> None:
    """The same printing: two cells of a row run into one are parted into blocks, and
    the 地積 label in the corner of one is no heading of an owner's name far below it,
    which had been filed as an area and lost."""
    from ocr.structure import _split_crowded

    cells = [(128, 581, 2657, 891), (2190, 1303, 2669, 1770)]
    items = [_item("地目", (1237, 623, 1327, 666), 0), _item("地積", (2513, 603, 2611, 650), 0),
             _item("林野", (250, 736, 454, 831), 0), _item("參町捌反參畝玖步", (1581, 687, 1933, 736), 0),
             _item("孫吉炳", (2250, 1450, 2600, 1550), 1)]
    units, placed, blocks, cornered = _split_crowded(cells, items, len(cells))
    by_unit: dict[int, list[Item]] = {}
    for it in placed:
        by_unit.setdefault(it.unit, []).append(it)
    name = next(it.unit for it in placed if it.text == "孫吉炳")
    assert _label_for(units, name, by_unit, False, blocks, None, cornered)[0] is None
    assert _label_for(units, name, by_unit, False, blocks)[0].word == "地積"  # as it had been


def test_with_no_rules_a_heading_reaches_down_its_column_but_not_past_row_labels() -> None:
    """A heading over a column of values written close one under another labels each of
    them; a row label with its value beside it labels that value only."""
    units = [(700, 100, 780, 140), (680, 170, 820, 230), (680, 250, 820, 310),  # 備考, 分筆, 登錄
             (100, 400, 180, 440), (220, 400, 420, 440), (200, 480, 700, 540)]  # 等級, 十二, date
    texts = ["備考", "分筆", "登錄", "等級", "壹拾柒", "大正六年十二月十九日"]
    by_unit = {k: [_item(text, units[k], k)] for k, text in enumerate(texts)}
    assert _label_for(units, 2, by_unit, True)[0].word == "備考"
    assert _label_for(units, 4, by_unit, True)[0].word == "等級"
    assert _label_for(units, 5, by_unit, True)[0] is None


def test_an_unlabelled_value_is_named_by_its_content_and_doubted() -> None:
    cells = assign([_value("京畿道高陽郡碧蹄面城石里", None, (0, 0, 500, 90), None),
                    _value("金正一", None, (0, 200, 200, 290), None)], understood=False)
    by_field = {c.field: c for c in cells}
    assert by_field["location"].doubts and by_field["owners[0].name"].doubts
    assert NOT_RECOGNISED in by_field["owners[0].name"].doubts


def test_a_label_in_the_corner_of_a_cell_is_a_block_of_its_own() -> None:
    page = Image.new("L", (900, 300), 255)
    from PIL import ImageDraw

    from samples import fonts

    draw = ImageDraw.Draw(page)
    draw.text((12, 8), "地番", font=fonts.font("print").at(30), fill=0)
    draw.text((250, 120), "百二十三番", font=fonts.font("brush").at(84), fill=0)
    ink = np.asarray(page)
    blocks = find_blocks(ink, np.zeros_like(ink, bool), 150, (0, 0, 900, 300))
    assert len(blocks) == 2
    small, big = sorted(blocks, key=lambda b: b.box[2] - b.box[0])
    assert small.box[2] < 100 and big.box[0] > 200 and not big.vertical


def test_a_corner_label_over_a_value_written_small_is_no_column_with_it() -> None:
    """A value written small (査定, not twice the label's height) under the corner label
    事由, its first character right below the label: cut down the cell, label and 査
    stood in one column, read as 查 alone, and the value lost its first half. (The
    boxes of the characters as found on a card of the corner family.)"""
    ink = np.full((240, 230), 255, np.uint8)
    for x0, y0, x1, y1 in [(18, 11, 44, 39), (48, 11, 74, 39),  # 事由, printed
                           (30, 75, 79, 124), (92, 75, 140, 124)]:  # 査定, written
        ink[y0:y1, x0:x1] = 0
    blocks = find_blocks(ink, np.zeros_like(ink, bool), 150, (0, 0, 230, 240),
                         region=np.ones_like(ink, bool))  # a ruled cell
    assert [(b.box, b.vertical) for b in blocks] == [((18, 11, 74, 39), False),
                                                    ((30, 75, 140, 124), False)]


def test_dates_stacked_in_a_cell_whose_row_rules_wore_away_are_three_lines() -> None:
    """Three owners' dates in one cell of the 年月日 column, the rules between its rows
    worn away (the boxes as found on such a card). The lines' length, taken for a
    character's size, made each look short, and the cell was read as one column (三)."""
    ink = np.full((700, 430), 255, np.uint8)
    for x0, y0, x1, y1 in [(38, 92, 381, 135), (31, 343, 391, 375), (52, 584, 374, 617)]:
        ink[y0:y1, x0:x1] = 0
    blocks = find_blocks(ink, np.zeros_like(ink, bool), 150, (0, 0, 430, 700),
                         region=np.ones_like(ink, bool))
    assert [(b.box[1], b.vertical) for b in blocks] == [(92, False), (343, False), (584, False)]


def test_a_title_written_down_beside_two_lines_does_not_join_them() -> None:
    """所有者 printed down the side of a value line and the label line under it: the
    lines are still parted from each other and from the title."""
    from PIL import ImageDraw

    from samples import fonts

    page = Image.new("L", (1200, 400), 255)
    draw = ImageDraw.Draw(page)
    for i, ch in enumerate("所有者"):
        draw.text((10, 60 + 32 * i), ch, font=fonts.font("print").at(34), fill=0)
    draw.text((120, 40), "昭和八年九月三日", font=fonts.font("print").at(44), fill=0)
    draw.text((700, 40), "閔文龍", font=fonts.font("print").at(44), fill=0)
    draw.text((120, 150), "年月日", font=fonts.font("print").at(26), fill=0)
    draw.text((700, 150), "名稱", font=fonts.font("print").at(26), fill=0)
    for y in (240, 320):  # the card's other rows: what a usual line is
        draw.text((120, y), "大正三年五月二十日", font=fonts.font("print").at(44), fill=0)
    ink = np.asarray(page)
    boxes = [b.box for b in find_blocks(ink, np.zeros_like(ink, bool), 150, (0, 0, 1200, 400))]
    values = [b for b in boxes if b[0] >= 100 and b[3] < 120]
    labels_ = [b for b in boxes if b[0] >= 100 and 120 < b[1] < 200]
    assert len(values) == 2 and len(labels_) == 2, boxes


def test_columns_side_by_side_whose_rows_run_together_are_read_as_columns() -> None:
    """Two names written down one cell (its rule between them worn), the second a little
    lower: cut across, their characters run together into one block; they are two
    columns."""
    from PIL import ImageDraw

    from samples import fonts

    page = Image.new("L", (400, 400), 255)
    draw = ImageDraw.Draw(page)
    for i, ch in enumerate("張浩洙"):
        draw.text((60, 40 + 86 * i), ch, font=fonts.font("print").at(80), fill=0)
    for i, ch in enumerate("張在植"):
        draw.text((260, 52 + 86 * i), ch, font=fonts.font("print").at(80), fill=0)
    ink = np.asarray(page)
    blocks = find_blocks(ink, np.zeros_like(ink, bool), 150, (0, 0, 400, 400))
    assert len(blocks) == 2 and all(b.vertical for b in blocks), [b.box for b in blocks]


def test_small_labels_over_their_lines_do_not_run_a_page_together() -> None:
    """A page with no rules whose small labels stand close over each line of values: each
    line stays a line, however many are stacked (mending a line never snowballs)."""
    from ocr.blocks import _mend_lines

    mask = np.zeros((400, 700), bool)
    runs = []
    for top in range(0, 340, 86):
        mask[top:top + 18, 100:300] = True  # a label's line
        mask[top + 24:top + 79, 100:580] = True  # its value's, a few pixels under it
        runs += [(top, top + 18), (top + 24, top + 79)]
    assert _mend_lines(mask, runs, down=False) == runs


def test_a_column_cut_into_strips_is_one_line_again() -> None:
    """A name column whose characters share a white gap falls into strips and pieces;
    joined, it is one block, while a second column a character away stays apart."""
    from ocr.blocks import Block
    from ocr.structure import _strips_joined

    pieces = [Block((1696, 3341, 1739, 3527), True), Block((1700, 3554, 1739, 3620), True),
              Block((1744, 3380, 1752, 3421), True), Block((1744, 3466, 1753, 3518), True),
              Block((1757, 3392, 1777, 3429), True), Block((1757, 3464, 1779, 3521), True),
              Block((1759, 3605, 1785, 3614), False)]
    other = Block((1900, 3341, 1950, 3620), True)
    joined = _strips_joined(pieces + [other], 56.5)
    assert sorted(b.box for b in joined) == [(1696, 3341, 1785, 3620), other.box]
    assert all(b.vertical for b in joined)
    # pieces beside a column, within its length and close: the right halves of a name
    halves = [Block((1381, 1912, 1407, 2070), True), Block((1415, 1909, 1429, 1923), False),
              Block((1413, 1986, 1432, 2011), True)]
    assert [b.box for b in _strips_joined(halves, 31.0)] == [(1381, 1909, 1432, 2070)]
    label_over_line = [Block((100, 10, 160, 30), False), Block((100, 36, 600, 90), False)]
    assert len(_strips_joined(label_over_line, 50.0)) == 2  # a label close over its value


def test_a_line_cut_through_at_a_white_row_is_one_line_again() -> None:
    """A name written across whose three characters a white row cut through (a brush
    hand's dry stroke, a fold) falls into nine pieces: joined, it is one line. A small
    label printed over its value, narrower and further off, stays its own block, and two
    lines one over the other stay two."""
    from ocr.blocks import Block
    from ocr.structure import _strips_joined

    pieces = [Block(box, False) for box in [
        (719, 1738, 786, 1768), (811, 1740, 854, 1768), (886, 1737, 946, 1768),
        (715, 1771, 779, 1779), (818, 1771, 863, 1779), (899, 1771, 938, 1778),
        (727, 1782, 782, 1803), (803, 1782, 855, 1808), (888, 1782, 950, 1805)]]
    assert [b.box for b in _strips_joined(pieces, 33.0)] == [(715, 1737, 950, 1808)]
    label_over_name = [Block((700, 1700, 740, 1716), False), Block((719, 1738, 786, 1808), False),
                       Block((811, 1738, 870, 1808), False)]
    assert (700, 1700, 740, 1716) in [b.box for b in _strips_joined(label_over_name, 33.0)]
    two_dates = [Block((100, 100, 500, 130), False), Block((100, 134, 480, 164), False)]
    assert len(_strips_joined(two_dates, 33.0)) == 2  # two lines a hairline apart stay two


def test_writing_no_cell_encloses_is_still_read() -> None:
    """Labels in a row whose faint rules closed no cell are found, and what the cells
    hold is not found twice."""
    from PIL import ImageDraw

    from ocr.structure import _between_cells
    from samples import fonts

    page = Image.new("L", (1000, 600), 255)
    draw = ImageDraw.Draw(page)
    draw.text((60, 40), "所在", font=fonts.font("print").at(40), fill=0)  # in no cell
    draw.text((300, 350), "金正一", font=fonts.font("print").at(60), fill=0)  # in a cell
    ink = np.asarray(page)
    cells = [(0, 200, 1000, 600)]
    regions = [np.ones((400, 1000), bool)]
    found = _between_cells(ink, np.zeros_like(ink, bool), 150, (0, 0, 1000, 600), cells, regions)
    assert len(found) == 1 and found[0].box[1] < 200 and found[0].box[0] < 200


def _scan(tmp_path: Path, name: str, pixels: np.ndarray) -> Path:
    path = tmp_path / f"{name}.png"
    Image.fromarray(pixels).save(path)
    return path


@pytest.mark.slow
def test_every_family_goes_from_scan_to_search(archive_path: Path, tmp_path: Path) -> None:
    """One clean page of every layout family: processed, exported as a parcel, and its
    final owner found by name in hanja and in hangul."""
    archive = open_archive(archive_path)
    truths = {}
    for family in FAMILIES:
        pixels, truth = make_page(SEED, 1, "mixed", "none", layout=family)
        truths[_scan(tmp_path, family, pixels).name] = truth
    outcomes = process_paths(sorted(tmp_path.glob("*.png")), archive)
    assert all(o.status == "stored" for o in outcomes)
    out = io.StringIO()
    assert export(archive, out) == len(FAMILIES)
    parcels = {Path(p["file"]).name: p for p in map(json.loads, out.getvalue().splitlines())}
    for name, truth in truths.items():
        final = truth["final_owner"]
        assert parcels[name]["owners"][-1]["name"]["hanja"] == final["hanja"], name
        for query in (final["hanja"], final["hangul"]):
            hits = search_owners(archive, owner_query(name=query))
            assert any(h.is_final and Path(h.file).name == name for h in hits), (name, query)


@pytest.mark.slow
def test_a_card_with_no_rules_yields_its_parcel() -> None:
    pixels, truth = make_page(SEED, 0, "land", "none", layout="ruleless")
    reading = read_image(PageImage(1, pixels, truth["dpi"]), get_engine(), [])
    assert reading.record is not None
    assert reading.record["location"]["hanja"] == truth["fields"]["location"]["hanja"]
    assert reading.record["owners"][-1]["name"]["hanja"] == truth["final_owner"]["hanja"]


def test_pale_thin_rules_are_found_where_they_waver_between_rows() -> None:
    """A rule printed pale and one pixel thin, lighter than the reader's ink level and
    wavering between two rows, is still a rule; a broad grey stain is not."""
    from ocr.table import GROW, _faint_rules

    page = np.full((600, 900), 255, np.uint8)
    for x in range(100, 800):  # a pale rule stepping down a row every 30 pixels
        page[300 + (x - 100) // 30, x] = 200
    page[450:520, 100:800] = 200  # a stain as long
    level = 177
    across, _ = _faint_rules((page < (level + 255) // 2).astype(np.uint8),
                             np.ones((GROW, GROW), np.uint8))
    assert across[300:326, 100:800].any(axis=0).mean() > 0.9
    assert not across[470:500, 200:700].any()


def test_rules_paler_than_any_ink_level_are_found_by_the_paper_beside_them() -> None:
    """A card whose rules are printed only a little darker than its darkened paper
    (noisy, as a scan is) still falls into its cells: each rule stands out from the
    paper either side of it, though any level between ink and paper passes over it."""
    from ocr.layout import Grid
    from ocr.table import table_of, thin_dark

    rng = np.random.default_rng(7)
    page = np.clip(rng.normal(250, 3, (1200, 900)), 0, 255).astype(np.uint8)
    for y in (100, 400, 700, 1000):
        page[y:y + 3, 100:800] = 228
    for x in (100, 450, 800):
        page[100:1003, x:x + 3] = 228
    page[230:260, 180:380] = 60  # writing in two of the cells
    page[530:560, 520:720] = 60
    empty = np.zeros(page.shape, bool)
    grid = Grid(empty, empty, None, None)
    assert len(table_of(grid, page < 200)[1]) < 6  # by the ink level alone: one cell
    _, cells, _ = table_of(grid, (page < 200) | thin_dark(page, empty))
    assert len(cells) == 6
    assert any(x0 <= 180 and x1 >= 380 and y0 <= 230 and y1 >= 260 and y1 < 400
               for x0, y0, x1, y1 in cells)
    red = np.zeros(page.shape, bool)  # a red strike, its pink edge as pale as a rule
    red[820:825, 150:400] = True
    page[818:820, 150:400] = 228
    assert thin_dark(page, empty)[815:822, 160:390].any()
    assert not thin_dark(page, red)[816:829, 160:390].any()


def test_a_red_strike_on_darkened_paper_hides_no_writing() -> None:
    """Pure red is measured against the card's own paper: on a card yellowed darker, a
    red strike through a name is as light against it as on a fresh one, and goes;
    black ink beside it stays. (Left dark, a strike ran through a struck owner's name
    as a line, and cut it into two owners.)"""
    from ocr.preprocess import prepare

    page = np.zeros((800, 600, 3), np.uint8)
    page[:] = (205, 191, 154)  # paper darkened with age
    page[300:340, 100:500] = (30, 28, 26)  # writing
    page[318:323, 80:520] = (160, 90, 50)  # a red strike through it, darkened too
    prepared = prepare(page, quarter_turns=0)
    beyond = prepared.red.copy()
    beyond[:, 90:510] = False  # the strike beyond the writing, the paper's edge trimmed
    assert beyond.sum() > 50 and np.median(prepared.ink[beyond]) > 240
    writing = prepared.ink[300:330, 120:480][~prepared.red[300:330, 120:480]]
    assert np.median(writing) < 100


def test_a_worn_rule_is_drawn_whole_but_not_across_a_stack_of_cells() -> None:
    """A rule with a stretch worn off between two crossing rules is one rule; a rule of
    the tables above and below whose gap crosses the rows of a table between them (a
    沿革 table with no such column) stays two pieces."""
    from ocr.table import _filled

    rules = np.zeros((200, 1000), bool)
    rules[100:103, :200] = rules[100:103, 800:] = True
    ends = np.zeros_like(rules)
    ends[:, 196:205] = ends[:, 796:805] = True
    assert _filled(rules, None, ends, 9)[100:103, 200:800].all()
    rows = ends.copy()
    for x in (350, 500, 650):
        rows[:, x:x + 9] = True
    assert not _filled(rules, None, rows, 9)[100:103, 400:450].any()


def test_a_short_rule_meeting_a_long_one_is_a_rule_and_a_free_stroke_is_not() -> None:
    from ocr.table import _touching

    long_rules = np.zeros((200, 300), bool)
    long_rules[50:53, 10:290] = True
    short = np.zeros((200, 300), np.uint8)
    short[48:120, 100:102] = 255  # a rule down from the long one, crossing it
    short[150:152, 180:240] = 255  # a flat stroke in the cell below, 一
    kept = _touching(short, long_rules) > 0
    assert kept[48:120, 100:102].all() and not kept[150:152].any()


def test_a_large_page_is_structured_at_a_200_dpi_cards_scale(monkeypatch) -> None:
    """A card scanned at over 300 dpi has its cells found at the structure's scale are the cells found at its
    own, within a few pixels, and their regions are the page's size."""
    from ocr import table
    from ocr.cells import ink_level, paper_level
    from ocr.layout import find_grid
    from ocr.preprocess import prepare

    pixels, _ = make_page(5, 4, "land", "none", layout="combined")  # at 330 dpi
    page = prepare(pixels)
    grid = find_grid(page.ink)
    level = ink_level(page.ink)
    inked = page.ink < (level + paper_level(page.ink)) // 2
    assert max(page.ink.shape) > 1.4 * table.STRUCTURE_SIDE
    rules, cells, regions = table.table_of(grid, inked)
    monkeypatch.setattr(table, "STRUCTURE_SIDE", 10 ** 6)
    _, own_cells, _ = table.table_of(grid, inked)
    assert rules.shape == page.ink.shape and abs(len(cells) - len(own_cells)) <= 1
    for (x0, y0, x1, y1), region in zip(cells, regions, strict=True):
        assert region.shape == (y1 - y0, x1 - x0)
    for own in own_cells:
        if min(own[2] - own[0], own[3] - own[1]) > 60:  # a sliver may go either way
            assert min(max(abs(a - b) for a, b in zip(c, own, strict=True)) for c in cells) <= 4


@pytest.mark.slow
def test_a_card_written_down_whose_rules_all_wore_away_yields_its_owners() -> None:
    """A landscape card written down the page, its rules gone and its title across the
    top of its columns: one cut for the whole page runs everything into one block, so
    a block far thicker than a line is cut again the other way. (Seed 6161 page 2 of the
    vertical family: it once yielded nothing.)"""
    pixels, truth = make_page(6161, 2, "mixed", "heavy", layout="vertical")
    reading = read_image(PageImage(1, pixels, truth["dpi"]), get_engine(), [])
    assert reading.record is not None
    names = [o["name"]["hanja"] for o in reading.record["owners"] if o.get("name")]
    assert truth["final_owner"]["hanja"] in names


@pytest.mark.slow
@pytest.mark.parametrize(("family", "turn"), [("above", cv2.ROTATE_180),
                                             ("vertical", cv2.ROTATE_90_CLOCKWISE),
                                             ("vertical", cv2.ROTATE_90_COUNTERCLOCKWISE),
                                             ("ruleless", cv2.ROTATE_90_CLOCKWISE),
                                             ("corner", cv2.ROTATE_90_COUNTERCLOCKWISE)])
def test_a_card_fed_upside_down_or_sideways_is_turned_by_its_writing(family: str,
                                                                      turn: int) -> None:
    pixels, truth = make_page(SEED, 0, "mixed", "none", layout=family)
    reading = read_image(PageImage(1, cv2.rotate(pixels, turn), truth["dpi"]), get_engine(), [])
    assert reading.record is not None
    assert reading.record["owners"][-1]["name"]["hanja"] == truth["final_owner"]["hanja"]
    assert reading.record["lot"]["text"] == truth["fields"]["lot"]["text"]


def test_a_line_gone_pale_in_the_middle_is_one_line() -> None:
    """A brush running dry leaves two characters of a date pale: at the page's ink level
    they fall to dust and the line parts there, each part read short. Pale ink going on
    from the writing is writing; a pale stain far from it is not."""
    from PIL import ImageDraw

    from samples import fonts

    page = Image.new("L", (1100, 400), 255)
    draw = ImageDraw.Draw(page)
    brush = fonts.font("brush").at(40)
    for i, (ch, grey) in enumerate(zip("大正貳年壹拾貳月貳拾日", [30, 30, 30, 185, 190, 30, 30, 30,
                                                             30, 30, 30], strict=True)):
        draw.text((40 + 46 * i, 60), ch, font=brush, fill=grey)
    draw.ellipse((700, 250, 760, 300), fill=190)  # a pale stain, far from the writing
    ink = np.asarray(page)
    rules = np.zeros_like(ink, bool)
    parted = find_blocks(ink, rules, 150, (0, 0, 1100, 400))
    whole = find_blocks(ink, rules, 150, (0, 0, 1100, 400), faint=(150 + 255) // 2)
    assert len([b for b in parted if b.box[1] < 200]) == 2  # what the ink level alone sees
    assert [b.box[0] < 60 and b.box[2] > 520 for b in whole] == [True]


def test_a_faded_card_is_straightened_by_its_own_ink_level() -> None:
    """Ink faded lighter than a fixed grey left the skew to a few dark strokes; the
    page's own level finds the rules' angle."""
    from ocr.preprocess import estimate_skew

    page = np.full((1600, 1200), 250, np.uint8)
    for y in range(200, 1500, 100):  # pale rules
        page[y:y + 3, 100:1100] = 190
    page[700:760, 500:540] = 60  # one dark character's worth of ink
    centre = (600, 800)
    turned = cv2.warpAffine(page, cv2.getRotationMatrix2D(centre, 2.5, 1.0), (1200, 1600),
                            borderValue=250)
    assert abs(estimate_skew(turned) + 2.5) < 0.2


@pytest.mark.slow
def test_a_page_the_ink_cut_makes_nothing_of_is_read_by_the_detector(monkeypatch) -> None:
    """Where the block finder finds nothing legible, the engine's own text detector
    reads the page, and what it says still makes a parcel, marked for review."""
    from ocr import page as page_module
    from ocr.structure import Layout

    monkeypatch.setattr(page_module, "find_layout", lambda prepared, grid: Layout([], [], False))
    pixels, truth = make_page(SEED, 0, "land", "none", layout="ruleless")
    reading = read_image(PageImage(1, pixels, truth["dpi"]), get_engine(), [])
    assert reading.record is not None and reading.needs_review
    named = [o["name"] for o in reading.record["owners"] if o.get("name")]
    assert truth["final_owner"]["hanja"] in [n["hanja"] for n in named]
    assert all(any(NOT_RECOGNISED in p for p in n["problems"]) for n in named)


def test_a_date_cut_at_its_wide_spaced_digits_is_read_whole() -> None:
    """Digits written at a character's pitch leave gaps wider than the line parts at, and
    a digit gone pale stands alone: the pieces of one line in one cell are read again
    as one crop, so the cell holds one value, not four values in four rows."""
    from PIL import ImageDraw

    from ocr.layout import find_grid
    from ocr.preprocess import prepare
    from ocr.structure import find_layout, read_structure
    from samples import fonts

    page = Image.new("RGB", (1400, 900), (250, 249, 244))
    draw = ImageDraw.Draw(page)
    for x in (100, 800, 1300):
        draw.line((x, 100, x, 800), fill=(40, 40, 60), width=3)
    for y in (100, 450, 800):
        draw.line((100, y, 1300, y), fill=(40, 40, 60), width=3)
    brush = fonts.font("brush").at(44)
    x = 140
    for ch, grey in zip("西紀1945年十月二十二日", [30, 30, 30, 30, 30, 190, 30, 30, 30, 30, 30,
                                             30, 30], strict=True):
        draw.text((x, 250), ch, font=brush, fill=(grey, grey, grey))
        x += 48
    draw.text((900, 250), "金正一", font=brush, fill=(30, 30, 30))
    prepared = prepare(np.asarray(page))
    structure = read_structure(prepared, find_layout(prepared, find_grid(prepared.ink)),
                               get_engine())
    texts = [v.text.replace(" ", "") for v in structure.values]
    assert "西紀1945年十月二十二日" in texts, texts
    assert "金正一" in texts


def test_a_note_above_the_history_table_is_no_entry_of_it() -> None:
    """A note under 備考 beside the parcel's particulars reads as an event word (國有,
    登錄). Standing wholly above the 沿革 rows that their headings label, it is no 沿革
    entry: filed as the first one (with no date), it shifted every entry after it."""
    def labelled(text: str, word: str, area: tuple[int, int, int, int]) -> CellReading:
        return replace(_value(text, labels.VOCABULARY[word], area), label=word)

    cells = [labelled("十三番", "地番", (1190, 300, 1390, 370)),
             labelled("參町柒反柒畝貳拾壹步", "地積", (330, 460, 660, 492)),
             _value("國有", None, (1690, 470, 1830, 540), None),
             labelled("登錄", "地番", (820, 420, 940, 480))]
    for i, (date, event) in enumerate([("大正十三年七月七日", "査定"), ("昭和四年九月二十四日", "合併")]):
        y = 780 + 130 * i
        cells += [labelled(date, "年月日", (160, y, 870, y + 70)),
                  labelled(event, "事由", (1120, y, 1960, y + 110))]
    fields = {c.field: c.text for c in assign(cells) if c.field}
    assert [fields.get(f"events[{i}].event") for i in range(3)] == ["査定", "合併", None]
    assert fields["events[0].date"] == "大正十三年七月七日"
    assert "國有" not in fields.values() and "登錄" not in fields.values()
    # A first entry whose date faded, right above the next, is still an entry.
    faded = _value("訂正", None, (1120, 690, 1960, 760), None)
    fields = {c.field: c.text for c in assign([*cells, faded]) if c.field}
    assert [fields.get(f"events[{i}].event") for i in range(3)] == ["訂正", "査定", "合併"]
    # So is one further up whose date broke into pieces that read as no date.
    broken = [_value("査定", None, (1975, 560, 2125, 630), None),
              _value("大正七年", None, (870, 540, 970, 560), None),
              _value("月三十", None, (1018, 540, 1081, 560), None)]
    fields = {c.field: c.text for c in assign([*cells, *broken]) if c.field}
    assert fields["events[0].event"] == "査定" and fields["events[1].event"] == "査定"


def test_a_name_struck_through_in_opaque_red_stays_one_line() -> None:
    """朱抹 drawn opaque over a name hides the ink beneath it. Set to paper, the strokes
    left a clean empty row across the name, which parted it into two lines read as
    fragments (車東福 as 忠 and 早木福). The ink on both sides is joined beneath the red;
    red over paper stays paper."""
    from PIL import ImageDraw

    from ocr.preprocess import prepare
    from samples import fonts

    page = Image.new("RGB", (700, 260), (250, 248, 240))
    draw = ImageDraw.Draw(page)
    draw.text((60, 60), "車東福", font=fonts.font("print").at(110), fill=(30, 30, 30))
    for y in (112, 128):  # two strokes, as a clerk strikes an entry
        draw.line((40, y, 560, y), fill=(196, 38, 36), width=5)
    draw.line((40, 220, 560, 220), fill=(196, 38, 36), width=5)  # red on bare paper
    ink = prepare(np.asarray(page), quarter_turns=0).ink
    assert ink[-45:].min() > 200  # the stroke on bare paper (the page's last rows) is gone
    blocks = find_blocks(ink, np.zeros_like(ink, bool), 150, (0, 0, ink.shape[1], ink.shape[0]))
    assert len(blocks) == 1 and blocks[0].box[3] - blocks[0].box[1] > 90, [b.box for b in blocks]
