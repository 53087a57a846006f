"""The result of a task (整改结果) and its status, as the notice prints them.

  * Any label whose content is a short status phrase (opens like 已/正在/持续/长期/基本…,
    at most 30 characters, no full stop inside, maps to a canonical status) is the result,
    whatever the label (整改进展 / 整改情况 / 完成情况 / 整改结果 / 整改成效 / 进展情况); its
    content may also be the next line. 整改结果 takes any short phrase (unknown ones become a
    doubt); "已完成。通过整改，…" gives the result and then the outcome (the split is
    :func:`first_sentence`).
  * "（已完成）" or "【已完成】" after the title is the result when no result line is printed
    (:func:`take_title_status`).
  * A result's deadline ("持续推进，2024年6月底前完成") becomes ``deadline``.
  * A second result is not imported (a doubt).

Where a result sits among the measures and the outcome is decided by the task body reader
(:mod:`rectify.notice_import.task_body`); here a result is recognised and recorded.
"""

from __future__ import annotations

import re

from rectify.notice_import.parse_context import ParseContext
from rectify.notice_import.parsed_notice import ParsedNode
from rectify.notice_import.status_words import (
    RESULT_TRAILING,
    canonical_status,
    is_status_phrase,
    parse_deadline,
)

_TITLE_STATUS_RE = re.compile(
    r"[（(【\[]\s{0,3}((?:已完成|已整改|基本完成|正在推进|正在整改|整改中|持续推进|长期坚持|已办结|"
    r"完成整改|整改完成|已销号|整改到位|已落实|部分完成|未完成)[^（()）【】\[\]]{0,20}?)"
    r"\s{0,3}[）)】\]]\s{0,3}[。.]?$"
)


def is_result_phrase(word: str, content: str) -> bool:
    """Whether ``content`` after the label ``word`` is a printed result, not prose.

    Any result label followed by a short phrase whose first clause is a status
    ("阶段性完成，剩余1个项目计划2024年5月开工") is a result too.
    """
    text = content.strip().rstrip(RESULT_TRAILING)
    if not text or len(text) > 40 or text.startswith("一是"):
        return False
    if "。" in text:
        return False
    if word == "整改结果":
        return True
    status = canonical_status(text)
    if word in ("完成情况", "整改完成情况"):
        return status is not None or len(text) <= 12
    if status is not None and len(text) <= 20:
        return True
    head = re.split(r"[，,]", text, maxsplit=1)[0]
    return status is not None and is_status_phrase(head)


#: Who or what a status sentence in prose speaks of ("该问题已完成整改", "此项工作已阶段性完成").
_STATUS_SUBJECT_RE = re.compile(
    r"^(?:目前|现|现已|截至目前|截止目前|至此|总体上|整体上)?[，,]?"
    r"(?:(?:该|此|本|上述)(?:项|个)?(?:问题|工作|任务|事项|整改任务|整改事项|整改)?)?"
    r"(?:整改工作|整改)?"
)
#: The status itself, as prose prints it.
_STATUS_VERB_RE = re.compile(
    r"^(?:已经?|均已|全部)?(?:全部|基本|阶段性|按期)?"
    r"(?:完成(?:了)?(?:整改|销号)?|整改(?:完成|到位|完毕)|办结|销号|落实到位|整改)"
    r"|^(?:正在|持续|仍在|还在)(?:推进|整改|落实)(?:中)?|^(?:整改中|推进中)"
)
#: Words after the status that are still part of it ("，将持续推进", "，长期坚持").
STATUS_TAIL_MAX = 12
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[。；;！!])")


def split_status_sentence(text: str) -> tuple[str, str]:
    """A status printed as the last sentence of prose: ("……措施。", "该问题已完成整改").

    Only a short last sentence that is nothing but a status ("目前该问题已完成整改。",
    "此项工作已阶段性完成，将持续推进。", "该问题基本完成整改。") counts; returns the text
    before it and the sentence without its closing punctuation, else (text, "").
    """
    stripped = text.rstrip()
    parts = [part for part in _SENTENCE_SPLIT_RE.split(stripped) if part]
    if not parts:
        return text, ""
    sentence = parts[-1].strip().rstrip(RESULT_TRAILING)
    if _is_status_sentence(sentence, False):
        return "".join(parts[:-1]).rstrip(), sentence
    # "……，逐项明确整改时限，目前该问题已完成整改。": a last clause naming its subject is the
    # status too; the sentence stays whole where it was printed.
    clause = re.split(r"[，,]", sentence)[-1].strip()
    if clause != sentence and _is_status_sentence(clause, True):
        return text, clause
    return text, ""


def _is_status_sentence(sentence: str, needs_subject: bool) -> bool:
    if not sentence or len(sentence) > 30:
        return False
    subject = _STATUS_SUBJECT_RE.match(sentence)
    if needs_subject and (subject is None or subject.end() == 0):
        return False
    rest = sentence[subject.end():] if subject else sentence
    verb = _STATUS_VERB_RE.match(rest)
    if verb is None or verb.end() == 0:
        return False
    tail = rest[verb.end():]
    if len(tail) > STATUS_TAIL_MAX or (tail and tail[0] not in "，,、"):
        return False
    return canonical_status(sentence) is not None


def first_sentence(text: str) -> tuple[str, str]:
    """Split after the first 。 or ；: ("已完成。", "通过整改，……")."""
    for index, char in enumerate(text[:60]):
        if char in "。；;":
            return text[: index + 1], text[index + 1:].strip()
    return text, ""


def record_result(node: ParsedNode, ctx: ParseContext, line: int, content: str) -> bool:
    """Store a printed result with its status and deadline; False (a doubt) for a second one."""
    text = content.strip().rstrip(RESULT_TRAILING)
    if node.result:
        ctx.doubt(line, f"任务已有整改结果“{node.result}”，重复的结果“{text}”未导入")
        return False
    node.result = text
    node.status = canonical_status(text)
    if node.status is None:
        ctx.doubt(
            line,
            f"整改结果“{text}”无法对应到标准状态（正在推进/已完成/已完成，长期坚持），"
            "请人工确认",
        )
    deadline = parse_deadline(text, ctx.default_year)
    if deadline is not None:
        node.deadline = deadline
    return True


def take_title_status(node: ParsedNode, ctx: ParseContext) -> bool:
    """"1.关于……的问题（已完成）": the status printed after the title becomes the result.

    Returns whether one was found (and cut from the title).
    """
    title = node.title
    m = _TITLE_STATUS_RE.search(title, max(0, len(title) - 40))
    if not m or m.start() == 0:
        return False
    node.result = m.group(1).strip().rstrip(RESULT_TRAILING)
    node.status = canonical_status(node.result)
    node.deadline = node.deadline or parse_deadline(node.result, ctx.default_year)
    node.title = title[: m.start()].strip()
    return True
