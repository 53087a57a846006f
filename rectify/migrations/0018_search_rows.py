"""The search's own rows (rectify.models.search_rows), built for the records already stored,
and on PostgreSQL the GIN indexes that serve their grams.

The build is this migration's own copy of what rectify.services.search_index writes (as
the models stand here); ``manage.py rebuild_search`` builds the rows again with the code of
the day.
"""

from collections import defaultdict

import django.db.models.deletion
import rectify.models.search_rows
from django.db import migrations, models

from rectify.rules.text_search import grams, joined

BATCH = 2000
TASK_FIELDS = (("title", "title"), ("detail", "detail"), ("leader", "responsible_leader"),
               ("department", "responsible_department"), ("progress", "progress"),
               ("outcome", "outcome"), ("result", "result_text"))
GIN_INDEXES = {
    "rectify_tasksearchtext": "task_search_grams_gin",
    "rectify_publishedsearchtext": "published_search_grams_gin",
}


def build_task_rows(apps):
    Task = apps.get_model("rectify", "RectificationTask")
    Measure = apps.get_model("rectify", "Measure")
    Entry = apps.get_model("rectify", "ProgressEntry")
    Row = apps.get_model("rectify", "TaskSearchText")
    ids = list(Task._base_manager.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        measures, entries = defaultdict(list), defaultdict(list)
        for task_id, text, unit in (Measure._base_manager.filter(task_id__in=chunk)
                                    .order_by("task_id", "position", "pk")
                                    .values_list("task_id", "text", "responsible_unit")):
            measures[task_id] += [("measure", text), ("unit", unit)]
        for task_id, text in (Entry._base_manager.filter(task_id__in=chunk)
                              .order_by("task_id", "date", "pk").values_list("task_id", "text")):
            entries[task_id].append(("entry", text))
        rows = []
        for values in Task._base_manager.filter(pk__in=chunk).values(
                "pk", *(field for _kind, field in TASK_FIELDS)):
            text = joined([*((kind, values[field]) for kind, field in TASK_FIELDS),
                           *measures[values["pk"]], *entries[values["pk"]]])
            rows.append(Row(task_id=values["pk"], text=text, grams=grams(text)))
        Row.objects.bulk_create(rows)


def _tasks(nodes):
    for node in nodes:
        if node.get("kind") == "task":
            yield node
        else:
            yield from _tasks(node.get("children", []))


def _headings(nodes):
    for node in nodes:
        if node.get("kind") != "task":
            yield node.get("title", "")
            yield from _headings(node.get("children", []))


def _notice_text(content):
    issuer = content.get("issuer", {})
    return joined([("notice", content.get("notice", {}).get("title", "")),
                   ("issuer", issuer.get("name", "")), ("issuer", issuer.get("short_name", "")),
                   *(("heading", title) for title in _headings(content.get("tree", [])))])


def build_publication_rows(apps):
    Publication = apps.get_model("rectify", "Publication")
    Row = apps.get_model("rectify", "PublishedSearchText")
    for pub in Publication.objects.order_by("pk").iterator(100):
        snapshot = pub.snapshot or {}
        public = pub.public_snapshot if pub.for_public else None
        public_ids = {n.get("id") for n in _tasks(public.get("tree", []))} if public else set()
        rows = []
        if pub.for_party:
            text = _notice_text(snapshot)
            rows.append(Row(publication=pub, party=True, public=False, text=text,
                            grams=grams(text)))
        if public:
            text = _notice_text(public)
            rows.append(Row(publication=pub, party=False, public=True, text=text,
                            grams=grams(text)))
        for position, node in enumerate(_tasks(snapshot.get("tree", [])), start=1):
            in_public = node.get("id") in public_ids
            if not (pub.for_party or in_public):
                continue
            text = joined([("title", node.get("title", "")),
                           *(("measure", m.get("text", "")) for m in node.get("measures", [])),
                           ("outcome", node.get("outcome", "")),
                           ("result", node.get("result", ""))])
            rows.append(Row(publication=pub, task_id=node.get("id"), position=position,
                            number=(node.get("number_path") or "")[:100],
                            title=node.get("title", ""), party=pub.for_party,
                            public=in_public, text=text, grams=grams(text)))
        Row.objects.bulk_create(rows, batch_size=BATCH)


def build(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        for table in GIN_INDEXES:
            # Rows kept small (text and grams out of line, in the TOAST table): the rows the
            # index finds are read for their ids only, from few pages; and no statistics on
            # the grams, so that the planner always takes the index (a gram in most rows
            # would otherwise make it scan every row, reading each row's grams).
            schema_editor.execute(f"ALTER TABLE {table} SET (toast_tuple_target = 128)")
            schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN grams SET STATISTICS 0")
    build_task_rows(apps)
    build_publication_rows(apps)
    if postgresql:
        for table, name in GIN_INDEXES.items():
            schema_editor.execute(f"CREATE INDEX {name} ON {table} USING gin (grams)")
            schema_editor.execute(f"ANALYZE {table}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in GIN_INDEXES.values():
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('rectify', '0017_jobs'),
    ]

    operations = [
        migrations.CreateModel(
            name='TaskSearchText',
            fields=[
                ('task', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='search_row', serialize=False, to='rectify.rectificationtask', verbose_name='整改任务')),
                ('text', models.TextField(blank=True, verbose_name='检索文本')),
                ('grams', rectify.models.search_rows.GramsField(blank=True, default=list, verbose_name='检索字元')),
            ],
            options={
                'verbose_name': '任务检索文本',
                'verbose_name_plural': '任务检索文本',
                'default_permissions': (),
            },
        ),
        migrations.CreateModel(
            name='PublishedSearchText',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('task_id', models.BigIntegerField(blank=True, help_text='发布时的任务编号；通报本身的一行为空', null=True, verbose_name='任务编号')),
                ('position', models.PositiveIntegerField(default=0, verbose_name='顺序')),
                ('number', models.CharField(blank=True, max_length=100, verbose_name='编号')),
                ('title', models.TextField(blank=True, verbose_name='问题')),
                ('party', models.BooleanField(default=False, verbose_name='党内版本')),
                ('public', models.BooleanField(default=False, verbose_name='公开版本')),
                ('text', models.TextField(blank=True, verbose_name='检索文本')),
                ('grams', rectify.models.search_rows.GramsField(blank=True, default=list, verbose_name='检索字元')),
                ('publication', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='search_rows', to='rectify.publication', verbose_name='已发布通报')),
            ],
            options={
                'verbose_name': '通报检索文本',
                'verbose_name_plural': '通报检索文本',
                'ordering': ['publication', 'position'],
                'default_permissions': (),
            },
        ),
        migrations.RunPython(build, drop_indexes, elidable=False),
    ]
