"""How a row that is not a record shows itself: the words of totals, footers and notes.

Each test looks at few cells — the first columns, the first filled cell — and asks for a
clear sign, so that no record is taken for something else: a 房屋编号 never reads 合计 or
填表人. A row with no such sign and too little in the template's columns to be a record is
not skipped: it is refused with its reason (see `etl.layout`).
"""

import re
import unicodedata

TOTAL_WORDS = re.compile(r"合计|小计|总计|共计")
# Who signs or stamps a form: the label (the words before a colon) opens with one of
# these (填表人：张三, 填表日期：…, 联系电话：…) or ends with one (村（社区）负责人,
# 单位（盖章）, 分管领导).
_SIGNATURE_OPENS = re.compile(
    r"^(填表|填报|制表|统计人|审核|审批人|负责人|联系人|联系电话|报送人|报送单位|报送日期|盖章)"
)
_SIGNATURE_ENDS = re.compile(r"(负责人|审核人|填表人|联系人|联系电话|盖章|签字|签名|领导)$")
# Notes below the data: 备注：…, 说明：…, 注1：…, 以下空白.
_NOTE = re.compile(
    r"^(备注|说明|填表说明|注意事项|注|附注)(\d|[:、.]|$)|^(此页|本页)?以下(空白|无)"
)
_LABEL_MAX = 24  # a total label is short: 合计, 戴溪社区小计, 本页合计（户）
_SIGNATURE_SPAN = 12  # a label ending in a signature word is short: 村（社区）负责人
_FIRST_COLUMNS = 3  # 序号, 房屋编号, 所属单位: where a total row writes its label
_SPACES = re.compile(r"[\s()\[\]（）【】]+")


def squeeze(value: object) -> str:
    """A text cell as compared here: full width → half width, no spaces, no brackets."""
    if not isinstance(value, str):
        return ""
    return _SPACES.sub("", unicodedata.normalize("NFKC", value))


def total_label(cells: list[object], key_pos: int | None) -> str | None:
    """The label of a total row (合计, 小计, 总计, 共计 in the first columns), else None.

    The label sits in one of the first three columns or is the first filled cell; a row
    whose key column (房屋编号 …) holds something else is a record, never a total.
    """
    filled = [i for i, v in enumerate(cells) if v is not None]
    places = sorted({*range(min(_FIRST_COLUMNS, len(cells))), *filled[:1]})
    for pos in places:
        text = squeeze(cells[pos])
        if text and len(text) <= _LABEL_MAX and TOTAL_WORDS.search(text):
            key = cells[key_pos] if key_pos is not None else None
            if key is not None and key_pos != pos and not TOTAL_WORDS.search(squeeze(key)):
                return None
            return str(cells[pos]).strip()
    return None


def is_footer(cells: list[object]) -> bool:
    """A signature or note line: its first filled cell opens with 填表人, 审核人, 负责人,
    联系电话, 填表日期, 单位（盖章）, 备注, 说明, 注, 以下空白 …"""
    first = next((v for v in cells if v is not None), None)
    text = squeeze(first)
    if not text:
        return False
    label = re.split(r"[:：]", text, maxsplit=1)[0]
    ends = len(label) <= _SIGNATURE_SPAN and _SIGNATURE_ENDS.search(label)
    signed = _SIGNATURE_OPENS.search(label) or ends
    return bool(signed or _NOTE.search(text))


def is_number(value: object) -> bool:
    """A row number as 序号 columns hold them (3, 3.0, '3')."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and value.strip().isdigit()


def first_words(cells: list[object], limit: int = 40) -> str:
    """What a row says, for messages: its filled cells joined, cut to `limit` characters."""
    text = " | ".join(str(v).strip() for v in cells if v is not None)
    return text if len(text) <= limit else text[: limit - 1] + "…"
