"""The address parse (etl/address.py): every part on hand-checked examples, as village staff,
police and clerks write them. The town is the packaged Luoyang configuration."""

import pytest

from etl.address import AddressNormalizer
from etl.config import load_town_config

UNITS = ["洛阳社区", "戴溪社区", "湖滨社区", "岑村村", "汤墅村", "小留桥村", "谈家头村"]


@pytest.fixture(scope="module")
def n() -> AddressNormalizer:
    return AddressNormalizer(load_town_config(), UNITS)


def parts(n, written: str) -> tuple:
    p = n.parse(written)
    return (p.levels, p.unit, p.place, p.number, p.detail, p.remark)


@pytest.mark.parametrize(
    ("written", "levels", "unit"),
    [
        (
            "中国江苏省常州市武进区洛阳镇戴溪社区戴溪中路17号",
            "中国江苏省常州市武进区洛阳镇",
            "戴溪社区",
        ),
        ("江苏常州武进洛阳戴溪社区戴溪中路17号", "江苏常州武进洛阳", "戴溪社区"),
        ("常州市洛阳镇戴溪社区戴溪中路17号", "常州市洛阳镇", "戴溪社区"),
        ("武进区戴溪社区戴溪中路17号", "武进区", "戴溪社区"),
        ("中华人民共和国江苏省戴溪社区戴溪中路17号", "中华人民共和国江苏省", "戴溪社区"),
        # 洛阳 is the town, and the start of 洛阳社区: the text decides which.
        ("洛阳戴溪社区戴溪中路17号", "洛阳", "戴溪社区"),
        ("洛阳洛阳社区人民路3号", "洛阳", "洛阳社区"),
        ("洛阳社区人民路3号", "", "洛阳社区"),
        ("常州洛阳社区人民路3号", "常州", "洛阳社区"),
        ("洛阳镇洛阳社区人民路3号", "洛阳镇", "洛阳社区"),
    ],
)
def test_levels_before_the_village_are_dropped_in_any_form(n, written, levels, unit):
    got = parts(n, written)
    assert got[:2] == (levels, unit)
    assert got[2] in ("戴溪中路", "人民路")


def test_a_road_named_like_the_town_keeps_its_name(n):
    # 洛阳大道 begins with the town's bare name: with no unit after it, it is the road.
    assert parts(n, "洛阳大道20号") == ("", None, "洛阳大道", "20号", "", "")
    assert parts(n, "洛阳社区洛阳大道20号")[1:4] == ("洛阳社区", "洛阳大道", "20号")


@pytest.mark.parametrize(
    ("written", "unit"),
    [
        ("戴溪村委会", "戴溪社区"),
        ("戴溪村", "戴溪社区"),
        ("戴溪居委会", "戴溪社区"),
        ("戴溪社区居委会", "戴溪社区"),
        ("岑村村委会", "岑村村"),
        ("岑村村村委会", "岑村村"),
        ("岑村村委", "岑村村"),
        ("小留桥村民委员会", "小留桥村"),
        ("谈家头村委", "谈家头村"),
        ("湖滨村", "湖滨社区"),
    ],
)
def test_the_village_in_its_forms(n, written, unit):
    assert parts(n, written + "人民路3号")[1:4] == (unit, "人民路", "3号")


def test_a_bare_stem_is_left_to_the_geocoder(n):
    # 岑村 may be the village or begin a road (岑村中路): not decided here.
    assert parts(n, "岑村岑村中路19号")[1:3] == (None, "岑村岑村中路")
    assert n.bare_stem("岑村岑村中路") == ("岑村村", "岑村中路")


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("人民路12号", "12号"),
        ("人民路十二号", "12号"),
        ("人民路一百零三号", "103号"),
        ("人民路一零三号", "103号"),
        ("人民路廿一号", "21号"),
        ("人民路两号", "2号"),
        ("人民路１２号", "12号"),
        ("人民路12號", "12号"),
        ("人民路12#", "12号"),
        ("人民路#12", "12号"),
        ("人民路No.12", "12号"),
        ("人民路第12号", "12号"),
        ("人民路012号", "12号"),
        ("人民路 12", "12号"),
        ("人民路12 号", "12号"),
        # the sub-number (附号), however written
        ("人民路12号-1", "12-1号"),
        ("人民路12-1号", "12-1号"),
        ("人民路12号之一", "12-1号"),
        ("人民路十二号之二", "12-2号"),
        ("人民路12之1号", "12-1号"),
        ("人民路12号附1号", "12-1号"),
        ("人民路12号附2", "12-2号"),
        ("人民路12号－1", "12-1号"),
        ("人民路12—1号", "12-1号"),
        ("人民路12-1", "12-1号"),
    ],
)
def test_the_door_number(n, written, number):
    assert parts(n, "戴溪社区" + written)[2:4] == ("人民路", number)


@pytest.mark.parametrize(
    ("tail", "detail", "remark"),
    [
        ("2楼", "2层", ""),
        ("二楼", "2层", ""),
        ("二层", "2层", ""),
        ("3F", "3层", ""),
        ("302室", "302室", ""),
        ("302", "302室", ""),
        ("201房间", "201室", ""),
        ("3层301室", "3层301室", ""),
        ("2幢301室", "2幢301室", ""),
        ("3栋2单元402", "3幢2单元402室", ""),
        ("1号楼2单元201室", "1幢2单元201室", ""),
        ("A座", "A幢", ""),
        ("1-302", "1幢302室", ""),
        ("2-1-501", "2幢1单元501室", ""),
        ("-101室", "101室", ""),
        ("东侧", "", "东侧"),
        ("后面平房", "", "后面平房"),
        ("对面", "", "对面"),
        ("旁边", "", "旁边"),
        ("附近", "", "附近"),
        ("楼上", "", "楼上"),  # upstairs, not building 12
        ("二楼东", "2层", "东"),
        ("一楼门面", "1层", "门面"),
        ("（张三家）", "", "张三家"),
        ("东边第二间", "", "东边2间"),
    ],
)
def test_what_follows_the_door_is_detail_or_remark(n, tail, detail, remark):
    got = parts(n, "戴溪社区人民路12号" + tail)
    assert got[2:] == ("人民路", "12号", detail, remark)


def test_the_normal_form_is_the_door_and_its_detail_and_is_stable(n):
    written = "江苏省常州市武进区洛阳镇戴溪村委会人民路十二号之一3栋201室东侧"
    p = n.parse(written)
    assert p.door == "戴溪社区人民路12-1号" and p.main_door == "戴溪社区人民路12号"
    assert n(written) == "戴溪社区人民路12-1号3幢201室"
    assert n(n(written)) == n(written)
    assert n("戴溪社区人民路12号后面平房") == "戴溪社区人民路12号"


def test_groups_and_estates(n):
    assert parts(n, "岑村村第三村民小组5号")[1:4] == ("岑村村", "3组", "5号")
    assert parts(n, "岑村村三组5号2楼")[1:5] == ("岑村村", "3组", "5号", "2层")
    # An estate numbers its buildings, not its doors: the building is the door.
    assert parts(n, "湖滨社区阳光花园3幢201室")[1:5] == ("湖滨社区", "阳光花园", "3幢", "201室")


def test_punctuation_and_spaces_do_not_matter(n):
    for written in ("戴溪社区 人民路 12号", "【戴溪社区】人民路12号", "戴溪社区，人民路12号。",
                    "戴溪社区-人民路-12号", " “戴溪社区人民路12号” "):  # fmt: skip
        assert n(written) == "戴溪社区人民路12号", written


def test_resolve_unit_reads_the_unit_column_with_levels(n):
    assert n.resolve_unit("洛阳镇戴溪村委会") == "戴溪社区"
    assert n.resolve_unit("洛阳社区") == "洛阳社区"
    assert n.resolve_unit("岑村") == "岑村村"
    assert n.resolve_unit("别的村") is None
