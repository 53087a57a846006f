"""Small HTML fragments shared by the admin pages; every value is escaped."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from rectify.rules.history import history_entries
from rectify.rules.status_wording import status_wording
from rectify.templatetags.rectify_status import status_html


def status_badge(task) -> SafeString:
    """The status once, as every page shows it (rectify.rules.status_wording): the printed
    result, else the status, coloured by the status, with the 统计口径 note where needed."""
    return status_html(status_wording(task.status, task.result_text))


def flag_title(node) -> str:
    return _("原文编号“{printed}”与推算编号“{derived}”不一致：原文照录并标记，未重新编号。").format(
        printed=node.printed_label, derived=node.number
    )


def label_flag(node) -> SafeString:
    """A ⚠ after a number whose printed label disagrees with the derived one (else empty)."""
    if node is None or not node.label_flagged:
        return mark_safe("")
    return format_html(
        ' <span class="rectify-flag" title="{}">⚠ {}</span>',
        flag_title(node), node.printed_label,
    )


def derived_number(node) -> SafeString:
    """The node's full derived number, e.g. ``(一)1.1)``, with the label flag if any."""
    if node is None:
        return mark_safe("—")
    return format_html('<span class="rectify-number">{}</span>{}', node.number_path,
                       label_flag(node))


def _value(value) -> str:
    if value is None or value == "":
        return _("（空）")
    return str(value)


def _related_names(model, entries) -> dict[tuple[str, object], str]:
    """Names of the related records that changes refer to by id: one query per field."""
    wanted: dict[str, set] = {}
    for entry in entries:
        for change in entry.changes:
            field = model._meta.get_field(change.field)
            if field.is_relation and field.many_to_one:
                wanted.setdefault(change.field, set()).update(
                    v for v in (change.old, change.new) if v is not None)
    names = {}
    for name, ids in wanted.items():
        related = model._meta.get_field(name).related_model
        for pk, record in related._default_manager.in_bulk(ids).items():
            names[(name, pk)] = str(record)
    return names


def change_log(obj) -> SafeString:
    """The record's history (who, when, field: before → after), newest first."""
    if obj is None or obj.pk is None:
        return mark_safe("—")
    model = type(obj)
    entries = history_entries(obj)
    related = _related_names(model, entries)
    rows = []
    for entry in entries:
        changes = []
        for change in entry.changes:
            field = model._meta.get_field(change.field)
            old, new = change.old, change.new
            if field.choices:
                labels = dict(field.flatchoices)
                old, new = labels.get(old, old), labels.get(new, new)
            elif field.is_relation:
                old = related.get((change.field, old), old)
                new = related.get((change.field, new), new)
            changes.append((change.label, _value(old), _value(new)))
        rows.append((
            timezone.localtime(entry.when).strftime("%Y-%m-%d %H:%M"),
            entry.user,
            entry.action,
            entry.reason,
            format_html_join("", "<li>{}" + pgettext("label separator", "：") + "{} → {}</li>",
                             changes),
        ))
    if not rows:
        return format_html("{}", _("暂无修改记录"))
    body = format_html_join(
        "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><ul>{}</ul></td></tr>", rows
    )
    return format_html(
        '<table class="rectify-change-log"><thead><tr><th>{}</th><th>{}</th><th>{}</th>'
        "<th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
        _("时间"), _("修改人"), _("操作"), _("原因"), _("字段：修改前 → 修改后"), body,
    )


def clipped(text) -> SafeString:
    """Long text in a list's cell: at most two lines (``.rectify-clip`` in
    static/rectify/admin.css), the whole text on hover."""
    return format_html('<span class="rectify-clip" title="{}">{}</span>', text, text)


@admin.display(description=gettext_lazy("巡察轮次"), ordering="round")
def round_column(obj) -> SafeString:
    """A list's round column: the round's long name (e.g. "县委上下联动专项巡察组上下联动专项巡察 ·
    中共新野县教育体育局党组") clipped, so that it leaves the problem or title its width."""
    return clipped(str(obj.round))
