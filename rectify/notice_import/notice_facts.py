"""Facts around the problem tree: title and issuer, dates, contacts and the round's facts.

All functions are best effort and total: they return empty values instead of raising, and they
only look at bounded slices of the text so that huge inputs stay cheap.
"""

from __future__ import annotations

import datetime
import re

from rectify.models.mark_formats import parse_chinese_numeral

#: Round facts only look at the first characters of the opening text.
FACTS_WINDOW = 20_000

_CN_YEAR_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4,
                   "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

_DATE_LINE_RE = re.compile(
    r"[（(]?[ \t\u3000]{0,3}(\d{4})[ \t\u3000]{0,3}年[ \t\u3000]{0,3}(\d{1,2})[ \t\u3000]{0,3}月"
    r"[ \t\u3000]{0,3}(\d{1,2})[ \t\u3000]{0,3}日[ \t\u3000]{0,3}[）)]?"
)
_CN_DATE_LINE_RE = re.compile(
    r"[（(]?([〇零○Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月"
    r"([一二三四五六七八九十]{1,3})日[）)]?"
)
_ISO_DATE_LINE_RE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_ISO_DATE_RE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")

_CHROME_RE = re.compile(
    r"当前的?位置|首页\s{0,3}[>＞»]|信息来源|信息时间|发布时间|发布日期|阅读次数|浏览次数|点击数|"
    r"【字号|字号[:：]|打印本页|我要打印|关闭窗口|分享到|文章来源|来源[:：]|作者[:：]|索引号|"
    r"发文机关|发布机构|成文日期|主题分类|上一篇|下一篇|扫一扫|责任编辑|【打印|【关闭|【收藏|"
    r"【纠错|附件下载|相关链接|网站地图"
)
#: Longest line that may still be page furniture at the end of a notice.
_FOOTER_CHROME_MAX = 120
_DOC_NUMBER_RE = re.compile(
    r"^[^\s，。；：]{1,20}[〔\[［(（]\d{4}[〕\]］)）]\s{0,3}\d{1,4}\s{0,3}号$"
)
_TITLE_END_RE = re.compile(r"(?:通报|公告|报告|公示|情况|通知|说明|简报)[)）]?$")
_BRACKET_PREFIX_RE = re.compile(r"^【[^】]{0,12}】")
_SENTENCE_PUNCT = frozenset("。；;，,：:！!？?")

_CLOSING_START_RE = re.compile(
    r"^(?:欢迎|特此(?:通报|公告|报告|公布)|联系(?:方式|电话|人|地址)|监督电话|举报电话|"
    r"电子邮箱|邮政信箱|通信地址|.{0,15}?如(?:有|对).{0,12}?(?:意见|建议))"
)

_PHONE_RE = re.compile(
    r"(?:电话|手机|热线|传真)[ \t\u3000]{0,3}[:：]?[ \t\u3000]{0,3}"
    r"([0-9０-９][0-9０-９\-－—()（）、/ ]{3,40}[0-9０-９])"
)
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){1,8}")
_ADDRESS_RE = re.compile(
    r"(?:邮政信箱|通信地址|通讯地址|邮寄地址|来信地址|联系地址|来访地址|地址|信箱)"
    r"[ \t\u3000]{0,3}[:：][ \t\u3000]{0,3}([^;；。\n]{2,150})"
)

_BODY_RE = re.compile(
    r"(?:中央|省委|市委|州委|盟委|县委|区委|旗委|"
    r"(?:省分行|市分行|分行|总行|集团公司|集团|公司|学校|大学|学院|医院|校|院)?(?:党委|党组)|"
    r"党工委)"
    r"[^\s，,。；;、：:“”\"《》()（）]{0,12}?(?:巡视|巡察)组"
)
_KINDS = (
    "上下联动专项巡察", "提级巡察", "交叉巡察", "专项巡察", "机动巡察", "常规巡察",
    "巡察“回头看”", "“回头看”巡察", "专项巡视", "机动巡视", "常规巡视", "巡视“回头看”",
)
_RANGE_RE = re.compile(
    r"(\d{4})\s{0,3}年\s{0,3}(\d{1,2})\s{0,3}月\s{0,3}(\d{1,2})\s{0,3}日?\s{0,3}"
    r"(?:至|到|—|－|-|~|～)\s{0,3}(?:(\d{4})\s{0,3}年\s{0,3})?(?:(\d{1,2})\s{0,3}月\s{0,3})?"
    r"(\d{1,2})\s{0,3}日"
)
_DATE_RE = re.compile(r"(?:(\d{4})\s{0,3}年\s{0,3})?(\d{1,2})\s{0,3}月\s{0,3}(\d{1,2})\s{0,3}日")
_SENTENCE_RE = re.compile(r"[^。；;！!？?\n]+")
_PERIOD_RE = re.compile(
    r"(\d{1,3}|[一二三四五六七八九十两]{1,3})\s{0,3}个月(?:的|时间)?(?:的)?(?:集中)?整改(?:期)?"
)
_PERIOD2_RE = re.compile(
    r"(?:集中)?整改期(?:限)?(?:为|是)?\s{0,3}(\d{1,3}|[一二三四五六七八九十两]{1,3})\s{0,3}个月"
)


def safe_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except (ValueError, OverflowError):
        return None


def parse_date_line(text: str) -> datetime.date | None:
    """A line that is nothing but a date ("2024年10月10日", "二〇二四年十月十日")."""
    if len(text) > 30:
        return None
    m = _DATE_LINE_RE.fullmatch(text)
    if m:
        return safe_date(int(m[1]), int(m[2]), int(m[3]))
    m = _ISO_DATE_LINE_RE.fullmatch(text)
    if m:
        return safe_date(int(m[1]), int(m[2]), int(m[3]))
    m = _CN_DATE_LINE_RE.fullmatch(text)
    if m:
        year = 0
        for ch in m[1]:
            year = year * 10 + _CN_YEAR_DIGITS.get(ch, 0)
        month = parse_chinese_numeral(m[2])
        day = parse_chinese_numeral(m[3])
        if month and day:
            return safe_date(year, month, day)
    return None


def is_chrome(text: str) -> bool:
    """Web page furniture ("您当前的位置…", "【信息时间:…") printed above a notice."""
    return bool(_CHROME_RE.search(text[:300]))


def is_footer_chrome(text: str) -> bool:
    """A short line of page furniture after a notice ("【打印本页】【关闭窗口】", "下一篇：…")."""
    return len(text) <= _FOOTER_CHROME_MAX and is_chrome(text)


def chrome_date(text: str) -> datetime.date | None:
    m = _ISO_DATE_RE.search(text[:300])
    return safe_date(int(m[1]), int(m[2]), int(m[3])) if m else None


def is_doc_number(text: str) -> bool:
    return len(text) <= 40 and bool(_DOC_NUMBER_RE.match(text))


def strip_bracket_prefix(text: str) -> str:
    """"【通报】中共…的通报" -> "中共…的通报"."""
    return _BRACKET_PREFIX_RE.sub("", text, count=1).strip()


def looks_like_title(text: str) -> bool:
    return len(text) <= 100 and (bool(_TITLE_END_RE.search(text)) or text.startswith("关于"))


def has_sentence_punct(text: str) -> bool:
    return any(ch in _SENTENCE_PUNCT for ch in text)


def looks_like_signature(text: str) -> bool:
    """A short organisation line without sentence punctuation."""
    return 2 <= len(text) <= 40 and not has_sentence_punct(text)


def is_closing_start(text: str) -> bool:
    return bool(_CLOSING_START_RE.match(text[:80]))


def issuer_from_title(title: str) -> str:
    index = title.find("关于")
    return title[:index].strip() if index > 0 else ""


def extract_contacts(text: str) -> dict[str, str]:
    """Phone, postal address and e-mail from the closing text (only keys found)."""
    text = text[:FACTS_WINDOW]
    contacts: dict[str, str] = {}
    m = _PHONE_RE.search(text)
    if m:
        contacts["phone"] = m[1].strip()
    m = _ADDRESS_RE.search(text)
    if m:
        address = re.split(r"[，,（(]?\s{0,3}(?:邮编|邮政编码)", m[1], maxsplit=1)[0]
        address = address.strip().rstrip("，,、（( ")
        if address:
            contacts["address"] = address
    m = _EMAIL_RE.search(text)
    if m:
        contacts["email"] = m[0].rstrip(".")
    return contacts


_CN_NUMBER = r"[0-9０-９]{1,4}|[一二三四五六七八九十百两]{1,5}"
_COUNTS_RE = re.compile(
    rf"反馈(?:的|了)?[^。；;]{{0,30}}?(?:(?P<aspects>{_CN_NUMBER})\s{{0,2}}(?:个|大)?方面(?:的)?"
    rf"[、，,\s]{{0,2}})?(?P<problems>{_CN_NUMBER})\s{{0,2}}(?:个|项|条)\s{{0,2}}"
    r"(?:具体|反馈|主要)?(?:问题|整改任务|整改事项|整改问题)"
)
#: "巡察反馈问题8个", "共指出问题6个": the number after the problems.
_COUNTS_AFTER_RE = re.compile(
    rf"(?:反馈|指出|发现)(?:的|了)?(?:具体|主要)?问题\s{{0,2}}(?:共|共计|合计)?\s{{0,2}}"
    rf"(?P<problems>{_CN_NUMBER})\s{{0,2}}(?:个|项|条)(?!方面)"
)
#: "梳理形成37项整改任务": the tasks a notice says it holds.
_TASK_COUNT_RE = re.compile(
    rf"(?:共|计|梳理|形成|细化|明确|列出|确定|分解|建立)[^。；;，,\d]{{0,8}}?"
    rf"(?P<problems>{_CN_NUMBER})\s{{0,2}}(?:项|个|条)\s{{0,2}}(?:具体)?整改(?:任务|事项)"
)
_COMPLETED_RE = re.compile(
    rf"(?:已完成(?:整改)?|完成整改|已整改(?:到位)?|已全部整改)\s{{0,2}}(?P<n>{_CN_NUMBER})\s{{0,2}}(?:个|项|条)"
)
_IN_PROGRESS_RE = re.compile(
    rf"(?:正在(?:整改|推进)|持续(?:推进|整改)|未完成(?:整改)?|推进中|整改中)\s{{0,2}}"
    rf"(?P<n>{_CN_NUMBER})\s{{0,2}}(?:个|项|条)"
)


def _count_value(text: str | None) -> int | None:
    if not text:
        return None
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return int(text) if text.isdigit() else parse_chinese_numeral(text)


def extract_stated_counts(text: str) -> dict[str, int]:
    """Counts a notice states about itself: "巡察反馈的3个方面9个问题，已完成整改7个，正在推进2个",
    "反馈问题8个", "梳理形成37项整改任务" (the problems, else the tasks it names).

    Returns only the keys found among ``aspects``, ``problems``, ``completed`` and
    ``in_progress``; the completion counts are read in the same sentence as the problems.
    """
    text = (text or "")[:FACTS_WINDOW]
    m = _COUNTS_RE.search(text) or _COUNTS_AFTER_RE.search(text) or _TASK_COUNT_RE.search(text)
    if not m:
        return {}
    counts: dict[str, int] = {}
    for key in ("aspects", "problems"):
        value = _count_value(m.groupdict().get(key))
        if value is not None:
            counts[key] = value
    end = text.find("。", m.end())
    sentence = text[m.end():end if end >= 0 else len(text)]
    for key, pattern in (("completed", _COMPLETED_RE), ("in_progress", _IN_PROGRESS_RE)):
        found = pattern.search(sentence)
        value = _count_value(found.group("n")) if found else None
        if value is not None:
            counts[key] = value
    return counts


_YEAR_MONTH_RE = re.compile(r"(\d{4})\s{0,3}年(?:\s{0,3}(\d{1,2})\s{0,3}月)?")


def _year_before(text: str, position: int) -> tuple[int, int | None] | None:
    """The last "2023年(8月)" printed within 300 characters before ``position``."""
    found = None
    for m in _YEAR_MONTH_RE.finditer(text, max(0, position - 300), position):
        found = m
    if found is None:
        return None
    return int(found[1]), int(found[2]) if found[2] else None


def _cn_or_int(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    return parse_chinese_numeral(text)


def extract_round_facts(text: str, default_year: int | None = None) -> dict[str, object]:
    """Inspection facts from the opening text; missing ones are None. Dates are ISO strings."""
    text = (text or "")[:FACTS_WINDOW]
    facts: dict[str, object] = {
        "inspecting_body": None,
        "kind": None,
        "superior_body": None,
        "inspection_start": None,
        "inspection_end": None,
        "feedback_date": None,
        "rectification_period": None,
        "rectification_months": None,
    }
    bodies = list(_BODY_RE.finditer(text))
    inspecting = None
    for m in bodies:
        after = text[m.end():m.end() + 12].lstrip(" ，,")
        if after.startswith(("对", "进驻", "于")):
            inspecting = m
            break
    if inspecting is None and bodies:
        inspecting = bodies[0]
    if inspecting is not None:
        facts["inspecting_body"] = inspecting[0]
        for m in bodies:
            if m[0] == inspecting[0]:
                continue
            before = text[max(0, m.start() - 12):m.start()]
            higher = "巡视" in m[0] and "巡察" in inspecting[0]
            if higher or "根据" in before or "按照" in before:
                facts["superior_body"] = m[0]
                break
    for kind in _KINDS:
        if kind in text:
            facts["kind"] = kind
            break
    if facts["kind"] is None and inspecting is not None:
        facts["kind"] = "巡视" if "巡视" in inspecting[0] else "巡察"

    ranges = list(_RANGE_RE.finditer(text))
    chosen = None
    for m in ranges:
        sentence_start = max(text.rfind("。", 0, m.start()), 0)
        sentence_end = text.find("。", m.end())
        sentence = text[sentence_start:sentence_end if sentence_end >= 0 else len(text)]
        if "巡" in sentence:
            chosen = m
            break
    if chosen is None and ranges:
        chosen = ranges[0]
    end_date = None
    if chosen is not None:
        start = safe_date(int(chosen[1]), int(chosen[2]), int(chosen[3]))
        end_year = int(chosen[4]) if chosen[4] else int(chosen[1])
        end_month = int(chosen[5]) if chosen[5] else int(chosen[2])
        if not chosen[4] and start is not None and end_month < start.month:
            end_year += 1
        end_date = safe_date(end_year, end_month, int(chosen[6]))
        if start is not None:
            facts["inspection_start"] = start.isoformat()
        if end_date is not None:
            facts["inspection_end"] = end_date.isoformat()

    reference = end_date or (
        datetime.date.fromisoformat(facts["inspection_start"])  # type: ignore[arg-type]
        if facts["inspection_start"] else None
    )
    for sentence in _SENTENCE_RE.finditer(text):
        s = sentence[0]
        index = s.find("反馈")
        if index < 0:
            continue
        for m in _DATE_RE.finditer(s, 0, index):
            absolute = sentence.start() + m.start()
            if chosen is not None and chosen.start() <= absolute < chosen.end():
                continue
            if m[1]:
                year = int(m[1])
            elif reference is not None:
                year = reference.year
                if (int(m[2]), int(m[3])) < (reference.month, reference.day):
                    year += 1
            elif (earlier := _year_before(text, absolute)) is not None:
                # "2023年8月至10月……11月2日反馈": the year printed last before it.
                year, month = earlier
                if month and int(m[2]) < month:
                    year += 1
            elif default_year:
                year = default_year
            else:
                continue
            value = safe_date(year, int(m[2]), int(m[3]))
            if value is not None:
                facts["feedback_date"] = value.isoformat()
                break
        if facts["feedback_date"]:
            break

    m = _PERIOD_RE.search(text) or _PERIOD2_RE.search(text)
    if m:
        facts["rectification_period"] = m[0]
        facts["rectification_months"] = _cn_or_int(m[1])
    return facts
