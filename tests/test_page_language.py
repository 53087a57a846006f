"""Every page speaks the language it was asked for (issue 18).

The test walks every named URL of the project (``django.urls.get_resolver()``, namespaces and
all: admin, api, work, ledger, dashboard, jobs, accounts, public…) on the seeded demo data, with
a few more rows (``walk_data``: a job, a token, a proposal, an extension…), fills the URLs'
arguments with rows (the first of their model), and GETs each page as the inspection staff
(``staff``) in English and in Chinese (the ``django_language`` cookie, as the language switch
sets it, and ``Accept-Language``). The admin is walked model by model: the changelist, the add
and the change page of every registered model, its history and a historical version, the app
lists, and the custom admin pages (users, groups and login records as a superuser: staff may
not open them). The browsable API is read as HTML (``?format=api``).

What a reader sees is checked: text nodes outside ``<script>``/``<style>``, and the attributes
shown to a user (``title``, ``placeholder``, ``aria-label``, ``alt``, a button's ``value``).

- In English, no Han character may be left that is not the user's data. User data are the
  text values stored in the database (every CharField and TextField without choices of every
  row, and the strings of JSON fields, removed from the page longest first, also when a page
  cuts them short), the derived Chinese numbers of the problem tree (一、 （一） ① 一是…, made
  by ``rectify.models.mark_formats``), the languages' own names in the language switch
  (简体中文), and Chinese quoted in “…” (a help text quoting the words a notice prints). A
  string of a JSON field or a history's reason that is also a source string of the catalogue
  (a status label frozen in a snapshot, 导入通报) is *not* user data: a page must translate it.
  Headings, table headers, labels and buttons must not start in lower case, and the API's
  answers (JSON) must carry their labels (``status_label``…) in English.
- In Chinese, no English word may be left that is not user data, code (a placeholder, a path,
  a file name, a token with digits or underscores) or one of the short list of names and
  abbreviations in ``ENGLISH_ALLOWED``. Words that Django and django-axes leave in English
  are translated by ``rectify/locale/zh_Hans``. In the browsable API only the project's words
  are checked in Chinese, the forms' labels and help texts: the rest of the page is Django
  REST framework's, written into its templates in English, and the views' descriptions are
  the API's English documentation (``test_api_descriptions_carry_no_markup``).

The public pages (``/notices/…``) are exempt from the English check: they are the printed
notice itself, a Chinese 公文, and ``rectify.public.public_access.chinese_page`` renders them,
header and footer included, in Chinese whatever the reader's language (``Content-Language:
zh-Hans``); they are still walked, and checked in Chinese like every other page. Likewise a
publication's ``content`` in the API is the published document, frozen in Chinese, and the
admin's preview of a notice's summary paragraph (``summary-preview``) prints the notice's
words.

URLs that only answer a POST, return a file, redirect, or have no row to show are listed in
``SKIPPED`` with the reason; a walked URL that answers anything but a page fails the test and
must be listed there instead. A failure names the language, the URL and the text.
"""

from __future__ import annotations

import datetime
import decimal
import json
import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from rectify.models.mark_formats import DEFAULT_LEVEL_FORMATS, chinese_numeral, circled

pytestmark = pytest.mark.django_db

#: Named URLs not walked, and why (admin views of every model are named by their suffix).
SKIPPED = {
    "set_language": "POST only (the language switch's form)",
    "logout": "POST only",
    "accounts:password_reset_confirm": "a valid link redirects to its form (a one-time token)",
    "accounts:token_revoke": "POST only",
    "public:round_latest": "redirects to the round's newest version (walked as notice_detail)",
    "public:notice_json": "a file (JSON open data: the notice's own Chinese text)",
    "public:notice_csv": "a file (CSV)",
    "public:notice_docx": "a file (Word)",
    "public:notice_pdf": "a file (PDF)",
    "public:feed": "an Atom feed of the notices' Chinese titles, not a page",
    "rest_framework:login": "redirects a signed-in user",
    "rest_framework:logout": "POST only",
    "api:schema": "the OpenAPI schema: a YAML file (its descriptions are checked below)",
    "api:token": "POST only (a token for a user name and password)",
    "api:token-revoke": "POST only",
    "api:task-change-status": "POST only",
    "api:task-decide-extension": "POST only",
    "api:task-evidence": "POST only in the browsable API's forms (a multipart upload)",
    "api:task-reopen": "POST only",
    "api:task-reorder-measures": "POST only",
    "api:task-request-extension": "POST only",
    "api:task-review": "POST only",
    "api:task-sign-off": "POST only",
    "api:task-proposal": "POST only",
    "api:publication-withdraw": "POST only",
    "api:notification-read-all": "POST only",
    "api:notification-read": "POST only",
    "api:evidence-download": "a file (the evidence)",
    "ledger:import": "POST only (the upload; its form is on the ledger's page)",
    "ledger:apply": "POST only",
    "ledger:cancel": "POST only",
    "ledger:job_preview": "needs a ledger upload's preview job",
    "work:progress": "POST only (its form is on the task's page)",
    "work:measure_add": "POST only (its form is on the task's page)",
    "work:figure_add": "POST only (its form is on the task's page)",
    "work:proposal": "POST only (its form is on the task's page)",
    "work:extension": "POST only (its form is on the task's page)",
    "work:round_categories": "JSON for the task list's category filter script",
    "work:entry_add": "POST only",
    "work:measure_reorder": "POST only",
    "work:measure_delete": "POST only",
    "work:figure_delete": "POST only",
    "work:evidence": "a file (the evidence)",
    "work:evidence_add": "POST only",
    "work:evidence_delete": "POST only",
    "work:withdraw": "POST only",
    "work:review_task": "POST only",
    "work:reopen": "POST only",
    "work:extension_decision": "POST only",
    "work:round_report": "a file (Word)",
    "work:round_plan_xlsx": "a file (Excel)",
    "work:round_plan_docx": "a file (Word)",
    "work:notifications_read_all": "POST only",
    "work:notification": "redirects to the notification's task",
    "work:notification_read": "POST only",
    "dashboard:export_csv": "a file (CSV)",
    "dashboard:export_xlsx": "a file (Excel)",
    "jobs:run_periodic": "POST only",
    "jobs:status": "JSON for the page's script (the job's state)",
    "jobs:download": "a file (the job's result)",
    "admin:login": "redirects a signed-in user",
    "admin:logout": "POST only",
    "admin:autocomplete": "JSON for the select boxes' script",
    "admin:jsi18n": "JavaScript (Django's own catalogue)",
    "admin:view_on_site": "redirects to the object's page",
    "admin:rectify_publication_add": "no one adds a publication here (a notice's publish page)",
    "admin:axes_accessattempt_add": "login records are written by logins, never added",
    "admin:axes_accesslog_add": "login records are written by logins, never added",
    "admin:axes_accessfailurelog_add": "login records are written by logins, never added",
    "*_delete": "the admin's delete confirmation: the object's related rows, then a POST",
}

NO_ROW = "no row to show"

#: Words a Chinese page may show in Latin letters (names, formats, abbreviations).
ENGLISH_ALLOWED = {
    # the product, the software it names, file formats and protocols
    "Rectify", "Django", "Redis", "Celery", "Axes", "API", "OpenAPI", "REST", "JSON", "CSV",
    "Excel", "Word", "Office", "PowerPoint", "PDF", "JPG", "PNG", "GIF", "WebP", "Atom",
    "ID", "IP", "URL", "HTTP", "GET", "POST", "ETag", "Authorization", "Token", "LDAP", "KB", "MB",
    "true", "false",
    # Django's own Chinese: 按住 Control 键或 Mac 上的 Command 键来选择多项
    "Control", "Mac", "Command",
}
#: Phrases allowed as a whole (a word of them alone is not).
PHRASES_ALLOWED = (
    "Celery beat",
    "Access Log for",  # django-axes names its login records so, in its code
)
#: Whole snippets Django writes into its templates in English, not translatable: the alt
#: text of the admin's search icon and of its yes/no icons.
SNIPPETS_ALLOWED = {"Search", "True", "False"}

#: Attributes a reader sees or hears.
SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}

HAN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")
TOKEN = re.compile(r"[A-Za-z0-9_.'’-]+")
WORD = re.compile(r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*")
EMAIL = re.compile(r"\S+@\S+")
FILE_NAME = re.compile(r"\S+\.(?:docx|xlsx|pdf|csv|json|txt|png|jpg)\b", re.I)
#: A permission of a historical model in the user and group forms: django-simple-history
#: names those models "historical …" in their migrations' options (see the docstring).
HISTORICAL_PERMISSION = re.compile(r"[^|]+ \| historical [^|]+ \| [^|]+")
MASKED = re.compile(r"\S*\*{4,}\S*")  # the admin's summary of a password hash
PLACEHOLDER = re.compile(r"\{\w+\}")
URL_TEXT = re.compile(r"(?:https?://|/)[\w./?=&%:-]+")


class VisibleText(HTMLParser):
    """The text of a page a reader sees: text nodes and shown attributes, as snippets."""

    HIDDEN = {"script", "style", "template"}
    LABELS = {"h1", "h2", "h3", "h4", "th", "dt", "label", "legend", "caption", "summary",
              "button", "title"}

    def __init__(self, *, drop_classes=(), forms_only: bool = False):
        super().__init__(convert_charrefs=True)
        self.snippets: list[str] = []
        self.stack: list[tuple[str, bool, bool]] = []
        self.drop_classes = set(drop_classes)
        self.forms_only = forms_only
        #: The first words of headings, table headers, labels and buttons.
        self.labels: list[str] = []
        self.label_open = False
        #: Open navigation (the header's menu, breadcrumbs, the admin's user links), by depth:
        #: every link and every piece between separators there is a label.
        self.navigation: list[int] = []

    def hidden(self) -> bool:
        if any(dropped for _, dropped, _ in self.stack):
            return True
        return self.forms_only and not any(kept for _, _, kept in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = set((attrs.get("class") or "").split())
        dropped = tag in self.HIDDEN or bool(classes & self.drop_classes)
        # The browsable API's forms: a field's label and help text (not the raw-data form's).
        kept = ((tag == "label" and not (attrs.get("for") or "").startswith("id__"))
                or "help-block" in classes)
        if tag not in {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "col",
                       "area", "base", "embed", "param", "track"}:
            self.stack.append((tag, dropped, kept))
        if tag in self.LABELS:
            self.label_open = True
        if (tag == "nav" or classes & {"crumbs", "breadcrumbs", "breadcrumb"}
                or attrs.get("id") == "user-tools"):
            self.navigation.append(len(self.stack) - 1)  # its place in the stack
        if tag == "a" and self.navigation:
            self.label_open = True
        if self.hidden() or dropped:
            return
        for name in SHOWN_ATTRIBUTES:
            if attrs.get(name):
                self.snippets.append(attrs[name])
        if tag == "input" and attrs.get("type") in {"submit", "button", "reset"}:
            if attrs.get("value"):
                self.snippets.append(attrs["value"])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break
        while self.navigation and self.navigation[-1] >= len(self.stack):
            self.navigation.pop()

    def handle_data(self, data):
        if not self.hidden() and data.strip():
            self.snippets.append(data.strip())
            if self.label_open:
                self.labels.append(data.strip())
            elif self.navigation:
                self.labels += [part.strip() for part in re.split(r"[›/|·]", data)
                                if part.strip()]
        if data.strip():
            self.label_open = False


def visible_snippets(html: str, *, api: bool, forms_only: bool = False,
                     labels: list | None = None) -> list[str]:
    # The browsable API's answer (headers and JSON) and its raw-data form are data; a
    # notice's summary paragraph previewed in the admin is the notice's printed words.
    drop = {"response-info", "request-info"} if api else {"summary-preview"}
    parser = VisibleText(drop_classes=drop, forms_only=forms_only)
    parser.feed(html)
    parser.close()
    if labels is not None:
        labels += parser.labels
    return parser.snippets


# -- user data --------------------------------------------------------------------------------


def catalogue_sources() -> set[str]:
    """The catalogue's source strings: Chinese text that is the interface's, not the user's."""
    catalog = translation.trans_real.translation("en")._catalog
    sources = set()
    for key in catalog.keys():  # noqa: SIM118 (a TranslationCatalog is not iterable)
        msgid = key[0] if isinstance(key, tuple) else key
        if "\x04" in msgid:
            msgid = msgid.split("\x04", 1)[1]
        sources.add(msgid)
    return sources


def _json_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


#: Stored fields whose values are the interface's words, kept as they were written: the
#: reason a history records (导入通报) is shown translated, as are JSON snapshots' labels.
INTERFACE_FIELDS = {"history_change_reason"}


def stored_texts() -> list[str]:
    """Every text the database holds, longest first (what a page may print as data).

    Also the default mark formats, which a new round's form shows as its value."""
    interface = catalogue_sources()
    texts: set[str] = set(DEFAULT_LEVEL_FORMATS) | {json.dumps(DEFAULT_LEVEL_FORMATS,
                                                               ensure_ascii=False)}
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields
                  if isinstance(f, (models.CharField, models.TextField, models.JSONField))
                  and not f.choices]
        if not fields:
            continue
        for row in model._default_manager.values_list(*[f.attname for f in fields]):
            for field, value in zip(fields, row, strict=True):
                keep_interface = (isinstance(field, models.JSONField)
                                  or field.name in INTERFACE_FIELDS)
                for text in _json_strings(value):
                    for line in [*str(text).splitlines(), str(text)]:
                        line = line.strip()
                        if line and not (keep_interface and line in interface):
                            texts.add(line)
    return sorted(texts, key=len, reverse=True)


def templated_texts(data: list[str]) -> list[re.Pattern]:
    """Stored texts with placeholders (a notice's summary, 共{tasks}项…), as printed."""
    patterns = []
    for text in data:
        if re.search(r"\{\w+\}", text) and len(re.findall(r"[\u3400-\u9fff]", text)) >= 4:
            parts = re.split(r"\{\w+\}", text)
            patterns.append(re.compile(r"[\d.,%]*".join(map(re.escape, parts))))
    return patterns


def tree_numbers() -> re.Pattern:
    """The derived marks of the problem tree: 一、 （一） (一) 十二是 ① …"""
    numerals = "|".join(chinese_numeral(n) for n in range(200, 0, -1))
    circles = "".join(circled(n) for n in range(1, 51))
    return re.compile(rf"[（(](?:{numerals})[）)]|(?:{numerals})(?:、|是)|[{circles}]")


LANGUAGE_NAMES = ("简体中文", "English")


#: An English help text may quote the Chinese words a notice prints (e.g. “整改情况”).
QUOTED_CHINESE = re.compile(r"“[^”]*[\u3000-\u303f\u3400-\u9fff\uff00-\uffef][^”]*”")


def without_user_data(text: str, data: list[str], numbers: re.Pattern,
                      templated: list[re.Pattern], everything: str) -> str:
    # A stored text cut short (truncatechars, or the admin's inline rows): the start of a
    # stored text, of 12 characters or more.
    pieces = [piece.strip() for piece in re.split(r"[›\n]", text)]
    text = "\n".join(piece for piece in pieces
                     if not (len(piece.rstrip("…").rstrip()) >= 12
                             and "\n" + piece.rstrip("…").rstrip() in everything))
    for pattern in templated:
        text = pattern.sub(" ", text)
    for value in data:
        if value in text:
            text = text.replace(value, " ")
    text = numbers.sub(" ", text)
    for name in LANGUAGE_NAMES:
        text = text.replace(name, " ")
    return text


# -- the walk ---------------------------------------------------------------------------------


def named_urls():
    """(qualified name, route) of every named URL, namespaces included."""
    found = []

    def walk(resolver, prefix, namespaces):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
                walk(pattern, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found.append((":".join(namespaces + (pattern.name,)),
                              prefix + str(pattern.pattern), pattern))

    walk(get_resolver(), "", ())
    return found


#: The path segment before an argument → the model whose row fills it.
SEGMENT_MODELS = {
    "tasks": "rectify.RectificationTask",
    "measures": "rectify.Measure",
    "figures": "rectify.OutcomeFigure",
    "evidence": "rectify.Evidence",
    "rounds": "rectify.InspectionRound",
    "notifications": "rectify.Notification",
    "party-groups": "bureaus.PartyGroup",
    "categories": "rectify.ProblemCategory",
    "notices": "rectify.Notice",
    "publications": "rectify.Publication",
    "jobs": "rectify.Job",
    "tokens": "rectify.ApiToken",
}


def argument_model(name: str, route: str, kwarg: str):
    if name.startswith("public:"):
        return apps.get_model("rectify.InspectionRound" if kwarg == "round_pk"
                              else "rectify.Publication")
    before = re.split(rf"<[^>]*\b{kwarg}>|\(\?P<{kwarg}>", route)[0]
    segment = [part for part in re.split(r"[/^]", before) if part][-1]
    return apps.get_model(SEGMENT_MODELS[segment])


def first_pk(model):
    row = model._default_manager.order_by("pk").first()
    return row.pk if row else None


def admin_targets():
    """(name, url) of the admin's pages: every registered model's changelist, add, change and
    history, the app lists, the index, and the custom pages."""
    targets = []
    registered = {(m._meta.app_label, m._meta.model_name): m for m in admin.site._registry}
    for name, _route, pattern in named_urls():
        if not name.startswith("admin:"):
            continue
        short = name.removeprefix("admin:")
        if short == "app_list":
            for app_label in sorted({label for label, _ in registered}):
                targets.append((name, reverse(name, kwargs={"app_label": app_label})))
            continue
        kwargs = pattern.pattern.regex.groupindex
        if not pattern.pattern.regex.groups:
            targets.append((name, reverse(name)))
            continue
        model = next((m for (label, model_name), m in registered.items()
                      if short.startswith(f"{label}_{model_name}_")), None)
        if model is None:
            targets.append((name, None))
            continue
        pk = first_pk(model)
        if short.endswith("_simple_history"):  # one historical version of a row
            version = model.history.filter(pk=pk).order_by("history_id").first()
            targets.append((name, reverse(name, args=[pk, version.history_id])
                            if version else None))
            continue
        targets.append((name, reverse(name, kwargs=dict.fromkeys(kwargs, pk))
                        if pk else None))
    return targets


def site_targets():
    targets = []
    for name, route, pattern in named_urls():
        if name.startswith("admin:"):
            continue
        kwargs = list(pattern.pattern.regex.groupindex)
        if "format" in kwargs:
            continue  # the API's format suffixes: the same views
        if skip_reason(name):
            targets.append((name, None))
            continue
        values = {}
        for kwarg in kwargs:
            model = argument_model(name, route, kwarg)
            values[kwarg] = first_pk(model)
        if any(value is None for value in values.values()):
            targets.append((name, None))
        else:
            targets.append((name, reverse(name, kwargs=values)))
    return targets


def skip_reason(name: str) -> str | None:
    if name in SKIPPED:
        return SKIPPED[name]
    if name.startswith("admin:") and name.endswith("_delete"):
        return SKIPPED["*_delete"]
    return None


@pytest.fixture
def walk_data(seeded, demo_staff_client, evidence_root):
    """Rows the seed lacks, so that their pages are walked too: a job, an API token, and on
    the first task (whose pages are walked) a progress entry, an outcome figure, an evidence
    file, a proposal
    waiting for review and a pending extension request; a returned proposal on another,
    which is also left out of the public version (the publish page lists it)."""
    from rectify.ledger.ledger_views import EXPORT_JOB
    from rectify.models import OutcomeFigure, RectificationTask
    from rectify.models.choices import Status, WithholdGround
    from rectify.models.outcomes import FigureKind
    from rectify.services import api_tokens, jobs, tasks, workflow
    from rectify.services import deadline_extensions as extensions
    from rectify.services.outcome_figures import add_figure
    from rectify.services.records import save_record
    from tests.evidence_helpers import pdf_upload
    from tests.seed_helpers import demo_user

    staff, leader = demo_user("staff"), demo_user("leader_xinye")
    clerk = demo_user("clerk_xinye")
    jobs.submit(EXPORT_JOB, staff, {"filters": {}})
    api_tokens.issue_token(staff, "walk")
    first, second = RectificationTask.objects.order_by("pk")[:2]
    tasks.add_progress_entry(first, clerk, "已召开专题会议部署整改。")
    add_figure(OutcomeFigure(round=first.round, task=first, kind=FigureKind.FUNDS,
                             value=decimal.Decimal("7.132"), note="追缴资金"), clerk)
    workflow.submit_proposal(first, clerk, Status.COMPLETED, "整改已完成。",
                             completion_date=datetime.date(2024, 9, 30), upload=pdf_upload(),
                             description="会议纪要")
    first.refresh_from_db()
    extensions.request_extension(first, clerk, first.deadline + datetime.timedelta(days=60)
                                 if first.deadline else datetime.date(2027, 6, 30),
                                 "需要跨年度推进。")
    workflow.submit_proposal(second, clerk, Status.COMPLETED, "整改已完成。",
                             completion_date=datetime.date(2024, 9, 30), upload=pdf_upload())
    second.refresh_from_db()
    workflow.return_proposal(second, leader, "佐证材料不足。")
    second.refresh_from_db()
    second.withhold_ground, second.withhold_note = WithholdGround.PRIVACY, "涉及个人信息。"
    save_record(second, staff, "不向社会公开")
    return demo_staff_client


#: The keys of the API's answers whose values are the interface's words (a status's label).
LABEL_KEYS = {"status_label", "kind_label", "decision_label", "level_label", "progress_label",
              "display_label"}


def json_labels(value) -> list[str]:
    """The labels of an API answer; not those of a publication's ``content``, the published
    document frozen as it was printed (in Chinese, like the public pages)."""
    if isinstance(value, dict):
        return [label for key, item in value.items() if key != "content"
                for label in ([item] if key in LABEL_KEYS and isinstance(item, str)
                              else json_labels(item))]
    if isinstance(value, list):
        return [label for item in value for label in json_labels(item)]
    return []


def lower_case(label: str, usernames: set[str]) -> bool:
    """A heading, table header, label or button that starts in lower case (not a name)."""
    first = label.split()[0]
    return (first[0].islower() and first.isalpha() and first not in usernames
            and first not in {"json", "api"})  # the browsable API's format names


def english_findings(text: str) -> list[str]:
    return [match.group(0) for match in HAN.finditer(text)]


def without_code(text: str) -> str:
    """Placeholders, e-mail addresses, file names, paths and URLs: not words."""
    for pattern in (PLACEHOLDER, EMAIL, FILE_NAME, URL_TEXT, MASKED):
        text = pattern.sub(" ", text)
    return text


def chinese_findings(text: str) -> list[str]:
    for phrase in PHRASES_ALLOWED:
        text = text.replace(phrase, " ")
    # Tokens with digits, dots or underscores are codes (UTF-8, md5, updated_at); one letter
    # is a symbol (共N项).
    return [token for token in TOKEN.findall(text)
            if WORD.fullmatch(token) and len(token) > 1 and token not in ENGLISH_ALLOWED]


def test_every_page_speaks_its_language(walk_data, capsys):
    client = walk_data
    superuser = Client()
    superuser.force_login(get_user_model().objects.create_superuser("walker", "w@example.org"))
    data = stored_texts()
    usernames = set(apps.get_model("auth.User").objects.values_list("username", flat=True))
    numbers = tree_numbers()
    templated = templated_texts(data)
    everything = "\n" + "\n".join(data)
    findings: dict[str, list[str]] = {"en": [], "zh-hans": []}
    walked, skipped, unexpected = [], [], []
    for name, url in admin_targets() + site_targets():
        reason = skip_reason(name)
        if reason is None and url is None:
            reason = NO_ROW
        if reason:
            skipped.append(f"{name}: {reason}")
            continue
        api = name.startswith("api:") and name != "api:docs"
        address = url + "?format=api" if api else url
        walked.append(address)
        for language in ("en", "zh-hans"):
            client.cookies["django_language"] = language
            response = client.get(address, HTTP_ACCEPT_LANGUAGE=language)
            if response.status_code in (403, 404) and name.startswith("admin:"):
                # Users, groups and login records: the superuser's pages.
                superuser.cookies["django_language"] = language
                response = superuser.get(address, HTTP_ACCEPT_LANGUAGE=language)
            content_type = response.headers.get("Content-Type", "")
            if response.status_code != 200 or not content_type.startswith("text/html"):
                unexpected.append(f"{address} ({name}, {language}) answers "
                                  f"{response.status_code} {content_type}")
                continue
            if language == "en" and name.startswith("public:"):
                continue  # the printed notice: Chinese by design (see the docstring)
            labels = []
            snippets = visible_snippets(response.content.decode(), api=api,
                                        forms_only=api and language != "en", labels=labels)
            if language == "en":
                findings[language] += [
                    f"{language} {address}: a label in lower case: {label[:80]!r}"
                    for label in labels if lower_case(label, usernames)]
            if api and language == "en":
                # The API's answer is data, but its labels are the interface's words.
                answer = client.get(url, {"format": "json"}, HTTP_ACCEPT_LANGUAGE=language)
                snippets += json_labels(answer.json())
            for snippet in snippets:
                if language == "en":
                    text = without_user_data(snippet, data, numbers, templated, everything)
                    found = english_findings(QUOTED_CHINESE.sub(" ", text))
                elif snippet in SNIPPETS_ALLOWED or HISTORICAL_PERMISSION.fullmatch(snippet):
                    continue
                else:
                    text = without_user_data(without_code(snippet), data, numbers, templated,
                                             everything)
                    found = [w for w in chinese_findings(text) if w not in usernames]
                if found:
                    findings[language].append(
                        f"{language} {address}: {', '.join(found)!s} in {snippet[:120]!r}")
    translation.deactivate()
    with capsys.disabled():
        print(f"\nwalked {len(walked)} URLs (twice each), skipped {len(skipped)}; findings: "
              f"en {len(findings['en'])}, zh-hans {len(findings['zh-hans'])}")
        print("no row to show: " + ", ".join(s for s in skipped if s.endswith(NO_ROW)))
    assert not unexpected, "list these in SKIPPED with the reason:\n" + "\n".join(unexpected)
    unique = {lang: sorted(set(items)) for lang, items in findings.items()}
    assert len(walked) >= 100, f"only {len(walked)} URLs walked"
    assert not unique["en"] and not unique["zh-hans"], "\n".join(
        unique["en"] + unique["zh-hans"])


MARKUP = re.compile(r"``|:class:|:func:|:meth:|\*\*")


def marked_descriptions(value, where: str = "") -> list[str]:
    """The schema's descriptions, summaries and titles that carry markup."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in {"description", "summary", "title"} and isinstance(item, str):
                if MARKUP.search(item):
                    found.append(f"{where}/{key}: {item[:100]!r}")
            else:
                found += marked_descriptions(item, f"{where}/{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += marked_descriptions(item, f"{where}/{i}")
    return found


def test_api_descriptions_carry_no_markup(demo_staff_client):
    """The OpenAPI schema's descriptions (view docstrings, help texts) are plain text, and so
    is the browsable API's description of a view."""
    for language in ("en", "zh-hans"):
        schema = demo_staff_client.get("/api/schema/?format=json",
                                       HTTP_ACCEPT_LANGUAGE=language).json()
        marked = marked_descriptions(schema)
        assert not marked, f"{language}:\n" + "\n".join(marked)
    page = demo_staff_client.get("/api/tasks/?format=api", HTTP_ACCEPT_LANGUAGE="en")
    description = re.search(r'<div class="pull-left">(.*?)</div>',
                            page.content.decode(), re.S).group(1)
    assert "Rectification tasks with their measures." in description
    assert "``" not in description and "整改任务" not in description
