"""Outcome figures (整改成效数据) printed in a task's outcome text: "建立完善制度12项",
"追缴资金6300元", "党纪政务处分2人".

A pass of the parser (after the tree is built): each task's ``outcome`` is searched for the
common printed forms of each kind, and what is found is proposed in ``ParsedNode.figures``;
the loader writes the proposals as the task's outcome figures. The kinds and units are the
model's (``rectify.models.outcomes.FigureKind`` and ``UNITS``).

How a phrase is read:

  * A kind is named by its words, with the figure after them ("建立完善制度12项", "移交问题
    线索147件", "诫勉谈话1人") or before them ("修订12项制度", "对3名责任人进行诫勉谈话",
    "2人受到党纪处分"); at most a few characters and no punctuation lie between.
  * Numbers in Arabic (also full-width, "1,369.5") or Chinese numerals ("十二项", "两人");
    money in 元, 万元 or 亿元, always proposed in 万元 ("6300元" → 0.63).
  * Unsure → a doubt (疑点) on the task's line, and nothing is proposed: an approximate number
    ("200余万元", "约30万元", "近百人", "10项以上"); money that does not fit four decimals of
    万元; the same kind printed more than once in one outcome ("党纪处分3人、政务处分2人",
    "建立制度12项，其中新建制度5项"), where only a person can say whether the numbers add up.

Only the outcome is read: measures describe the work ("修订了……15个规章制度") and the
outcome usually repeats what counts, so reading both would count twice. Figures of the round
as a whole (the overall section's summary) are entered by staff.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rectify.models.outcomes import UNITS, FigureKind
from rectify.notice_import.parse_context import ParseContext, excerpt
from rectify.notice_import.parsed_notice import ParsedFigure, ParsedNode

SYSTEMS, FUNDS, LOSSES, LEADS = (FigureKind.SYSTEMS.value, FigureKind.FUNDS.value,
                                 FigureKind.LOSSES.value, FigureKind.LEADS.value)
DISCIPLINE, ORGANISATIONAL, ADMONITION = (FigureKind.DISCIPLINE.value,
                                          FigureKind.ORGANISATIONAL.value,
                                          FigureKind.ADMONITION.value)
EDUCATION, IMMEDIATE = FigureKind.EDUCATION.value, FigureKind.IMMEDIATE.value
#: How the doubts name the kinds: their Chinese labels (the parser's messages are Chinese).
KIND_NAMES = {SYSTEMS: "建立完善制度", FUNDS: "追缴/退缴/清退资金", LOSSES: "挽回经济损失",
              LEADS: "移交问题线索", DISCIPLINE: "党纪政务处分", ORGANISATIONAL: "组织处理",
              ADMONITION: "诫勉谈话", EDUCATION: "批评教育/提醒谈话", IMMEDIATE: "立行立改"}
#: Decimals of a stored value (the model's ``value``: four).
PLACES = 4

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")

# -- the pieces of a phrase ---------------------------------------------------------------------

#: Characters between a kind's words and its number: a few, no punctuation, no digits.
_GAP = r"[^，,。；;、：:！!？?\s\d（）()０-９]{0,8}?"
_SHORT_GAP = r"[^，,。；;、：:！!？?\s\d（）()０-９]{0,4}?"
_APPROX_BEFORE = r"(?P<before>约|近|逾|超过|超|将近|大约|大概|累计约|共约)?"
_NUMBER = (r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|"
           r"[零〇一二两三四五六七八九十百千]+)")
_APPROX_AFTER = r"(?P<after>余|多)?"
_APPROX_TAIL = r"(?P<tail>以上|左右|许|余)?"
#: Money needs its unit: 元, 万元 or 亿元 (万 and 亿 alone too, unless they count something else).
_MONEY = (_APPROX_BEFORE + _NUMBER + _APPROX_AFTER
          + r"(?:(?P<scale>亿|万)(?P<after2>余|多)?(?:元|(?![人名件项个次条户所笔元]))|元)"
          + _APPROX_TAIL)
_COUNT_UNITS = {SYSTEMS: "项|个|条|部|份", LEADS: "件|条|个", IMMEDIATE: "项|个|条|件"}
_PEOPLE_UNIT = "人次|人|名"


def _count(units: str) -> str:
    return _APPROX_BEFORE + _NUMBER + _APPROX_AFTER + f"(?P<unit>{units})" + _APPROX_TAIL


_PEOPLE = _count(_PEOPLE_UNIT)

_SYSTEM_VERBS = r"(?:建立|健全|完善|制定|修订|修改|出台|新建|新增|制修订|废止|清理|规范)"
_SYSTEM_WORDS = r"(?:规章制度|管理制度|制度机制|制度规定|制度文件|工作制度|制度)"
_FUND_VERBS = r"(?:追缴|退缴|清退|收回|追回|退还|返还|收缴|退赔|退回)"
_PUNISH = r"(?:党纪政务处分|党纪和政务处分|党纪、政务处分|党纪处分|政务处分|纪律处分|处分)"
_ADMONISH = r"(?:诫勉谈话|诫勉)"
_EDUCATE = r"(?:批评教育|提醒谈话|谈话提醒|批评提醒|提醒教育|约谈提醒)"
_ORGANISE = r"(?:组织处理)"


@dataclass(frozen=True)
class _Form:
    kind: str
    pattern: re.Pattern
    money: bool = False


def _forms() -> list[_Form]:
    def form(kind: str, pattern: str, money: bool = False) -> _Form:
        return _Form(kind, re.compile(pattern), money)

    systems = _COUNT_UNITS[SYSTEMS]
    return [
        # 建立完善制度12项 / 制定及修改完善制度12项 / 修订了12项制度 / 出台制度文件十二个
        form(SYSTEMS, _SYSTEM_VERBS + _GAP + _SYSTEM_WORDS + _SHORT_GAP + _count(systems)),
        form(SYSTEMS, _SYSTEM_VERBS + _SHORT_GAP + _count(systems) + _GAP + _SYSTEM_WORDS),
        # 追缴资金6300元 / 清退违规列支经费36.8万元 / 收回资金200余万元
        form(FUNDS, _FUND_VERBS + _GAP + _MONEY, money=True),
        # 挽回经济损失1369.5万元 / 挽回损失20万元
        form(LOSSES, r"挽回" + _SHORT_GAP + r"损失" + _SHORT_GAP + _MONEY, money=True),
        # 移交问题线索147件 / 移送纪检监察机关问题线索3条 / 移交5件问题线索
        form(LEADS, r"(?:移交|移送|转交|处置)" + _GAP + r"线索" + _SHORT_GAP
             + _count(_COUNT_UNITS[LEADS])),
        form(LEADS, r"(?:移交|移送|转交)" + _SHORT_GAP + _count(_COUNT_UNITS[LEADS])
             + _SHORT_GAP + r"线索"),
        # 组织处理2人 / 对2人进行组织处理 / 2人受到组织处理
        form(ORGANISATIONAL, _ORGANISE + _SHORT_GAP + _PEOPLE),
        form(ORGANISATIONAL, _PEOPLE + _GAP + _ORGANISE),
        # 诫勉谈话1人 / 诫勉0人 / 对3名责任人进行诫勉谈话
        form(ADMONITION, _ADMONISH + _SHORT_GAP + _PEOPLE),
        form(ADMONITION, _PEOPLE + _GAP + _ADMONISH),
        # 批评教育6人 / 提醒谈话十二人 / 对6人批评教育
        form(EDUCATION, _EDUCATE + _SHORT_GAP + _PEOPLE),
        form(EDUCATION, _PEOPLE + _GAP + _EDUCATE),
        # 党纪政务处分2人 / 给予党纪处分两人 / 给予2名干部政务处分 / 2人受到党纪处分
        form(DISCIPLINE, _PUNISH + _SHORT_GAP + _PEOPLE),
        form(DISCIPLINE, _PEOPLE + _GAP + _PUNISH),
        # 立行立改问题5个 / 立行立改12项 / 5项问题立行立改
        form(IMMEDIATE, r"立行立改" + _GAP + _count(_COUNT_UNITS[IMMEDIATE])),
        form(IMMEDIATE, _count(_COUNT_UNITS[IMMEDIATE]) + _SHORT_GAP + r"立行立改"),
    ]


FORMS = _forms()


# -- numbers --------------------------------------------------------------------------------


def chinese_number(text: str) -> int | None:
    """"十二" → 12, "两" → 2, "一百零五" → 105, "三千五百" → 3500; None if not a numeral."""
    if not text:
        return None
    if all(char in _CN_DIGITS for char in text):
        if len(text) == 1:
            return _CN_DIGITS[text]
        return int("".join(str(_CN_DIGITS[char]) for char in text))  # 二〇二三-style digits
    total, digit = 0, None
    for char in text:
        if char in _CN_DIGITS:
            if digit is not None and _CN_DIGITS[char] != 0:
                return None  # two digits in a row, e.g. "十二三"
            digit = _CN_DIGITS[char] or None
        elif char in _CN_UNITS:
            unit = _CN_UNITS[char]
            total += (1 if digit is None else digit) * unit
            digit = None
        else:
            return None
    return total + (digit or 0)


def parse_number(text: str) -> Decimal | None:
    """An Arabic ("1,369.5", full-width too) or Chinese numeral as a Decimal."""
    text = text.translate(_FULL_WIDTH)
    if text and text[0].isdigit():
        try:
            return Decimal(text.replace(",", ""))
        except InvalidOperation:
            return None
    value = chinese_number(text)
    return None if value is None else Decimal(value)


def _to_ten_thousands(value: Decimal, scale: str | None) -> Decimal:
    if scale == "亿":
        return value * 10000
    if scale == "万":
        return value
    return value / 10000


def _plain(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 0.63, 12, 1369.5."""
    text = f"{value.normalize():f}"
    return text


# -- the pass -----------------------------------------------------------------------------------


@dataclass
class _Found:
    kind: str
    start: int
    end: int
    printed: str
    value: Decimal | None
    unsure: str = ""


def _read(form: _Form, match: re.Match) -> _Found:
    printed = match.group(0)
    groups = match.groupdict()
    found = _Found(form.kind, match.start(), match.end(), printed, None)
    value = parse_number(groups["num"])
    if value is None:
        found.unsure = f"“{printed}”中的数字无法识别"
        return found
    approx = (groups.get("before") or groups.get("after") or groups.get("after2")
              or groups.get("tail"))
    if approx:
        found.unsure = f"“{printed}”是约数（{approx}）"
        return found
    if form.money:
        value = _to_ten_thousands(value, groups.get("scale"))
        if value != value.quantize(Decimal(1).scaleb(-PLACES)):
            found.unsure = f"“{printed}”换算为万元后超过{PLACES}位小数"
            return found
    elif value != value.to_integral_value():
        found.unsure = f"“{printed}”不是整数"
        return found
    found.value = value
    return found


def find_figures(text: str) -> tuple[list[ParsedFigure], list[str]]:
    """The figures printed in ``text`` and what is unsure (messages of doubts, in Chinese).

    Overlapping phrases are read once: the earliest, then the longest.
    """
    if not text:
        return [], []
    matches: list[tuple[_Form, re.Match]] = []
    for form in FORMS:
        matches.extend((form, match) for match in form.pattern.finditer(text))
    matches.sort(key=lambda pair: (pair[1].start(), -(pair[1].end() - pair[1].start())))
    taken: list[_Found] = []
    end = -1
    for form, match in matches:
        if match.start() < end:
            continue
        taken.append(_read(form, match))
        end = match.end()
    by_kind: dict[str, list[_Found]] = {}
    for found in taken:
        by_kind.setdefault(found.kind, []).append(found)
    figures, doubts = [], []
    for found in taken:
        same = by_kind[found.kind]
        name = KIND_NAMES[found.kind]
        if len(same) > 1:
            if found is same[0]:
                printed = "、".join(f"“{item.printed}”" for item in same)
                doubts.append(f"“{name}”印有多处（{printed}），是否应相加无法判断，"
                              "未导入，请人工填报")
            continue
        if found.unsure:
            doubts.append(f"{found.unsure}，“{name}”未导入，请人工核对后填报")
            continue
        figures.append(ParsedFigure(kind=found.kind, value=_plain(found.value),
                                    unit=str(UNITS[found.kind]), printed=found.printed))
    return figures, doubts


def read_task_figures(tasks: list[ParsedNode], ctx: ParseContext) -> None:
    """Propose each task's figures from its outcome; what is unsure becomes a doubt."""
    for node in tasks:
        figures, doubts = find_figures(node.outcome)
        node.figures = figures
        for message in doubts:
            ctx.doubt(node.line, f"任务“{excerpt(node.title)}”的整改成效：{message}")
