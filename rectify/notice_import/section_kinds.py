"""Whether an unlabelled section states problems or tells how the rectification was organised.

Most notices open with a section on how the rectification was organised (整改工作组织情况,
整改工作基本情况, 整体推进情况, 压实整改责任 …) whose paragraphs are run-in headings
("（一）提高政治站位，强化组织领导。局党组……") or numbered work steps ("1.强化组织领导。
成立……领导小组……"). They are not problems, whatever their numbering. Only headings that
carry no label (整改情况：, 整改结果： …) are judged here; a labelled section holds tasks.

  * *Organisational*: the title reads like one (:data:`_ORGANISATION_TITLE_RE`: 组织, 推进情况,
    基本情况, 总体, 压实, 责任, 领导, 政治站位 …) and states no problem, or every child heading
    is a work step: a run-in heading (a short phrase ended by 。 with text after it) or a
    phrase opening with a verb of work (强化, 健全, 压实, 坚持 …), neither stating a problem.
  * *Problem*: the title names an aspect ("…方面", "关于“…”") or states a problem
    (:func:`states_problem`: 不到位, 不够, 薄弱, 滞后, 关于“…”的问题 …; "问题导向",
    "问题清单", "反馈问题" are not problems), or, under a title that does not name the
    organisation, a child heading states one.
  * *Unclear*: neither; the parser then keeps the section as overall text and says so in a
    doubt on its line, so that staff can read it as a task in the preview.
"""

from __future__ import annotations

import re

from rectify.notice_import.heading_tree import RawHeading, reads_like_aspect

ORGANISATIONAL = "organisational"
PROBLEM = "problem"
UNCLEAR = "unclear"

_ORGANISATION_TITLE_RE = re.compile(
    r"整体|总体|总的|基本情况|工作情况|推进情况|开展情况|组织情况|组织开展|主要做法|工作措施|"
    r"组织领导|领导小组|政治站位|政治责任|主体责任|政治自觉|思想认识|高度重视|扛牢|扛起|扛稳|"
    r"压实|压紧|整改责任|整改工作|工作机制|以上率下|统筹推进|督促检查|跟踪督办"
)
#: A work step opens with a verb of organising ("强化组织领导。", "坚持书记带头，……").
_WORK_VERB_RE = re.compile(
    r"^(?:坚持|强化|加强|健全|完善|压实|压紧|提高|提升|细化|建立|制定|成立|狠抓|突出|聚焦|"
    r"深化|推动|抓实|抓好|严格|统筹|注重|夯实|扛起|扛牢|扛稳|把牢|明确|优化|构建|开展|"
    r"坚决|切实|全面|高位|层层|以上率下|立足|着力|紧盯|拧紧|树牢|增强|主动|认真|迅速|"
    r"第一时间|高度重视|提高站位)"
)
#: Words of a problem ("…落实不到位", "…基础薄弱", "关于“…”的问题").
_PROBLEM_STATE_RE = re.compile(
    r"不到位|不够|不足|不力|不严|不实|不规范|不高|不强|不深|不细|不全|不及时|不精准|不充分|"
    r"不健全|不完善|不明显|不平衡|不彻底|不扎实|薄弱|滞后|缓慢|迟缓|偏低|偏高|偏慢|偏少|"
    r"缺失|缺乏|缺位|弱化|淡化|虚化|差距|漏洞|短板|盲区|乱象|违规|违反|超标准|超范围|"
    r"流于形式|走过场|仍有发生|时有发生|屡禁不止|问题突出|存在.{0,12}问题|的问题"
)
#: "问题" in words of method, not of a problem ("坚持问题导向", "建立问题清单").
_BENIGN_PROBLEM_RE = re.compile(
    r"问题(?:导向|清单|台账|整改|线索|销号|账单)|(?:反馈|发现|查找|查摆|梳理|解决|研究|整改|"
    r"具体|突出|共性|个性|重点|难点|瓶颈)问题"
)
#: "关于“…”" names what the inspection found: a problem's heading or category.
_ABOUT_RE = re.compile(r"^关于[“\"]")
_RUN_IN_RE = re.compile(r"^[^。；;！!？?]{2,40}[。；;！!？?].{6,}")


def states_problem(text: str) -> bool:
    """Whether a heading's text states a problem."""
    return bool(_PROBLEM_STATE_RE.search(_BENIGN_PROBLEM_RE.sub("", text[:200])))


def _head(title: str) -> str:
    """The run-in heading's own phrase: the text before its first sentence end."""
    return re.split(r"[。；;！!？?]", title, maxsplit=1)[0]


def is_work_step(title: str) -> bool:
    """A run-in heading or a phrase opening with a verb of work, stating no problem."""
    if not title:
        return False
    head = _head(title)
    if states_problem(head):
        return False
    return bool(_RUN_IN_RE.match(title)) or bool(_WORK_VERB_RE.match(head))


def reads_organisational(title: str) -> bool:
    """A title that names the organisation of the rectification, not a problem."""
    return bool(_ORGANISATION_TITLE_RE.search(title)) and not states_problem(title)


def section_kind(raw: RawHeading) -> str:
    """Organisational, problem or unclear: an unlabelled section (its title and children).

    In this order: a title naming an aspect or stating a problem → problem; a title naming
    the organisation → organisational (its steps may well say "对整改不到位的严肃追责"); a
    child stating a problem → problem; every child a work step → organisational.
    """
    title = raw.title
    children = [child for child in raw.children if child.title]
    if states_problem(_head(title)) or reads_like_aspect(title) or _ABOUT_RE.search(title):
        return PROBLEM
    if reads_organisational(title):
        return ORGANISATIONAL
    if any(
        states_problem(_head(child.title)) and not is_work_step(child.title)
        for child in children
    ):
        return PROBLEM
    if children and all(is_work_step(child.title) for child in children):
        return ORGANISATIONAL
    if not children and is_work_step(title):
        return ORGANISATIONAL
    return UNCLEAR
