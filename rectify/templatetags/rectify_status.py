"""A task's status as every page shows it (the rule: rectify.rules.status_wording)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from rectify.rules.status_wording import StatusWording, status_wording

register = template.Library()


@register.simple_tag
def status_shown(status: str, result_text: str = "") -> StatusWording:
    """``{% status_shown task.status task.result_text as shown %}``: text, printed, basis."""
    return status_wording(status, result_text)


@register.simple_tag
def task_status(status: str, result_text: str = "") -> SafeString:
    """The status once: the printed result (or the status) in a tag coloured by the status,
    then the small 统计口径 note where it adds something."""
    return status_html(status_wording(status, result_text))


def status_html(shown: StatusWording) -> SafeString:
    kind = "printed" if shown.printed else "label"
    html = format_html('<span class="task-status status-{} status-{}">{}</span>',
                       shown.status, kind, shown.text)
    if shown.basis:
        html = format_html('{} <small class="status-basis">{}</small>', html, shown.basis)
    return html
