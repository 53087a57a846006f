"""The search (检索): two-character Chinese words found in problems, measures, progress and
outcomes on every surface, kept current on every write, scoped by the permission rule, and
highlighted safely. The suite runs on SQLite and on PostgreSQL (where the grams' GIN index
serves the search)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rectify.models import Measure, RectificationTask, TaskSearchText
from rectify.models.choices import Status, WithholdGround
from rectify.rules import text_search
from rectify.services import search_index, tasks
from rectify.services.records import delete_record, save_record
from rectify.services.workflow import change_status

pytestmark = pytest.mark.django_db

WORK = reverse("work:index")
PUBLIC = reverse("public:notice_list")
ADMIN = reverse("admin:rectify_rectificationtask_changelist")


# -- the rule -----------------------------------------------------------------------------------


def test_grams_are_the_characters_and_pairs_of_each_run():
    assert text_search.grams("Ab 教师") == sorted({"a", "b", "ab", "教", "师", "教师"})
    # Nothing spans a line, a space or a part's marker.
    stored = text_search.joined([("title", "食堂"), ("measure", "教 师")])
    assert "堂教" not in text_search.grams(stored) and "教师" not in text_search.grams(stored)


def test_query_words_and_their_grams():
    assert text_search.query_words("  食堂  教师 食堂 ") == ["食堂", "教师"]
    assert len(text_search.query_words(" ".join(str(n) for n in range(20)))) == 10
    assert text_search.word_grams("教") == ["教"]
    assert text_search.word_grams("教师") == ["教师"]
    assert text_search.word_grams("学校食堂") == ["学校", "校食", "食堂"]
    assert text_search.grams_decide("教师") and not text_search.grams_decide("学校食堂")
    assert text_search.caseless("教师1") and not text_search.caseless("ABC")


def test_highlight_escapes_the_text_and_the_words():
    html = text_search.highlight('<script>alert("食堂")</script> & 食堂', "食堂")
    assert html == ("&lt;script&gt;alert(&quot;<mark>食堂</mark>&quot;)&lt;/script&gt; &amp; "
                    "<mark>食堂</mark>")
    assert text_search.highlight("a<b>c", "<b>") == "a<mark>&lt;b&gt;</mark>c"
    assert text_search.highlight("Rectify", "rect") == "<mark>Rect</mark>ify"
    assert text_search.highlight("<i>", "") == "&lt;i&gt;"


def test_first_hit_names_the_part_and_cuts_around_the_word():
    stored = text_search.joined([("title", "学校食堂管理"),
                                 ("measure", "甲" * 50 + "组织教师培训" + "乙" * 50)])
    hit = text_search.first_hit(stored, ["教师"])
    assert hit.kind == "measure" and hit.label == "整改措施"
    assert "教师" in hit.text and hit.text.startswith("…") and hit.text.endswith("…")
    assert len(hit.text) <= 62
    assert text_search.first_hit(stored, ["食堂"]) is None  # the title, shown already


# -- the records ------------------------------------------------------------------------------


@pytest.fixture
def school(make_round, bureau, other_bureau, staff_user):
    """Bureau A's tasks, each holding 食堂 or 教师 in another place, and bureau B's task
    holding both. Some written through the services, some straight (both are indexed)."""
    rnd = make_round()
    new = {}

    def task(key, **fields):
        new[key] = save_record(RectificationTask(round=rnd, **{"title": f"问题{key}", **fields}),
                               staff_user)

    task("title", title="学校食堂管理不规范")
    task("detail", detail="涉及教师队伍建设")
    task("measure")
    save_record(Measure(task=new["measure"], text="开展食堂专项检查"), staff_user)
    task("progress", progress="已组织教师专题培训")
    task("entry")
    tasks.add_progress_entry(new["entry"], staff_user, "食堂已全面整改")
    task("outcome", outcome="经过整改，教师满意度提高", result_text="食堂改造正在推进")
    new["plain"] = RectificationTask.objects.create(round=rnd, title="无关的问题")
    Measure.objects.create(task=new["plain"], text="建立工作台账")
    other = make_round(party_group=other_bureau, inspecting_body="另一巡察组")
    new["other"] = RectificationTask.objects.create(round=other, title="别的单位食堂问题",
                                                    progress="教师")
    return new


def ids(response) -> set[int]:
    assert response.status_code == 200
    return {row["id"] for row in response.data["results"]}


def page_ids(response) -> set[int]:
    assert response.status_code == 200
    return {task.pk for task in response.context["page"].object_list}


def pks(school, *keys) -> set[int]:
    return {school[key].pk for key in keys}


CANTEEN = ("title", "measure", "entry", "outcome", "other")
TEACHER = ("detail", "progress", "outcome", "other")


def test_every_surface_finds_the_words_wherever_they_are(school, staff_user, staff_client,
                                                         api_client):
    api = api_client(staff_user)
    for word, keys in (("食堂", CANTEEN), ("教师", TEACHER)):
        expected = pks(school, *keys)
        assert ids(api.get(reverse("api:task-list"), {"q": word})) == expected, word
        assert page_ids(staff_client.get(WORK, {"q": word})) == expected, word
        admin = staff_client.get(ADMIN, {"q": word})
        assert {task.pk for task in admin.context["cl"].result_list} == expected, word
    # Every word must appear; one-character words and Latin words too.
    assert ids(api.get(reverse("api:task-list"), {"q": "食堂 满意"})) == pks(school, "outcome")
    assert ids(api.get(reverse("api:task-list"), {"q": "堂"})) == pks(school, *CANTEEN)
    assert ids(api.get(reverse("api:task-list"), {"q": "食堂专项检查"})) == pks(school, "measure")
    assert ids(api.get(reverse("api:task-list"), {"q": "食堂教师"})) == set()


def test_latin_words_ignore_case(school, staff_user, api_client):
    task = school["plain"]
    task.detail = "落实 OA 系统 Rectify 台账"
    save_record(task, staff_user)
    api = api_client(staff_user)
    for word in ("rectify", "RECTIFY", "oa", "Oa"):
        assert ids(api.get(reverse("api:task-list"), {"q": word})) == {task.pk}, word


def test_measures_are_searched_too(school, staff_user, api_client):
    found = api_client(staff_user).get(reverse("api:measure-list"), {"q": "食堂"})
    assert found.status_code == 200
    assert [row["text"] for row in found.data["results"]] == ["开展食堂专项检查"]


def test_a_clerk_never_finds_another_bureaus_task(school, clerk_user, api_client, client):
    api = api_client(clerk_user)
    mine = pks(school, *CANTEEN) - pks(school, "other")
    assert ids(api.get(reverse("api:task-list"), {"q": "食堂"})) == mine
    client.force_login(clerk_user)
    assert page_ids(client.get(WORK, {"q": "食堂"})) == mine
    assert ids(api.get(reverse("api:task-list"), {"q": "别的单位"})) == set()


# -- kept current -------------------------------------------------------------------------------


def found(word) -> set[int]:
    return set(search_index.search_tasks(RectificationTask.objects.all(), word)
               .values_list("pk", flat=True))


def test_the_index_follows_each_edit_and_deletion(school, staff_user):
    measure = Measure.objects.get(task=school["measure"])
    measure.text = "开展宿舍专项检查"
    save_record(measure, staff_user, expected_version=measure.version)
    assert school["measure"].pk not in found("食堂")
    assert found("宿舍") == {school["measure"].pk}
    delete_record(measure, staff_user)
    assert found("宿舍") == set()
    entry = school["entry"].progress_entries.get()
    delete_record(entry, staff_user)
    assert school["entry"].pk not in found("食堂")
    tasks.update_progress(school["plain"], staff_user, "食堂已改造")
    assert school["plain"].pk in found("食堂")
    delete_record(school["plain"], staff_user)
    assert not TaskSearchText.objects.filter(task_id=school["plain"].pk).exists()
    # Straight saves and deletions (no service) are followed too.
    straight = Measure.objects.create(task=school["title"], text="更新厨房设备")
    assert found("厨房") == {school["title"].pk}
    straight.delete()
    assert found("厨房") == set()


def test_a_save_that_changes_no_searched_field_leaves_the_row_alone(school, staff_user):
    task = RectificationTask.objects.get(pk=school["title"].pk)
    with CaptureQueriesContext(connection) as captured:
        change_status([task], Status.COMPLETED, staff_user)
    assert not [q for q in captured if "rectify_tasksearchtext" in q["sql"]]


def test_batched_writes_each_row_once(school, staff_user):
    task = school["plain"]
    with CaptureQueriesContext(connection) as captured, search_index.batched():
        for text in ("甲措施", "乙措施", "丙措施"):
            save_record(Measure(task=task, text=text), staff_user)
        assert found("丙措施") == set()  # not yet
    writes = [q for q in captured if "INSERT INTO" in q["sql"]
              and "rectify_tasksearchtext" in q["sql"]]
    assert len(writes) == 1
    assert found("丙措施") == {task.pk}


def test_rebuild_writes_what_the_writes_kept(school):
    kept = dict(TaskSearchText.objects.values_list("task_id", "text"))
    RectificationTask.objects.filter(pk=school["plain"].pk).update(title="直接改写的食堂")
    out = io.StringIO()
    call_command("rebuild_search", stdout=out)
    assert "已重建 8 项整改任务" in out.getvalue()
    rebuilt = dict(TaskSearchText.objects.values_list("task_id", "text"))
    assert {k: v for k, v in rebuilt.items() if k != school["plain"].pk} == {
        k: v for k, v in kept.items() if k != school["plain"].pk}
    assert school["plain"].pk in found("食堂")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the grams' index: PostgreSQL")
def test_postgresql_asks_the_grams_index():
    two = str(search_index.search_tasks(RectificationTask.objects.all(), "教师").query)
    assert "@>" in two and "LIKE" not in two.upper()  # exact from the grams
    longer = str(search_index.search_tasks(RectificationTask.objects.all(), "学校食堂").query)
    assert "@>" in longer and "LIKE" in longer.upper()  # the text tested after the index
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s",
                       ["rectify_tasksearchtext"])
        assert any("gin (grams)" in row[0] for row in cursor.fetchall())


# -- what the pages show -------------------------------------------------------------------------


def test_the_work_list_marks_the_hit_and_says_where_it_was(school, staff_client):
    task = school["title"]
    task.title = '<script>x</script>学校食堂管理不规范'
    task.save()
    html = staff_client.get(WORK, {"q": "食堂"}).content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;学校<mark>食堂</mark>管理不规范" in html
    assert "<script>x</script>" not in html
    assert '<small class="search-hit">整改措施：开展<mark>食堂</mark>专项检查</small>' in html
    assert '<small class="search-hit">进展记录：<mark>食堂</mark>已全面整改</small>' in html


def test_the_admin_marks_the_hit_in_the_problem_column(school, staff_client):
    html = staff_client.get(ADMIN, {"q": "食堂"}).content.decode()
    assert "学校<mark>食堂</mark>管理不规范" in html


def test_search_queries_do_not_grow_with_the_hits(school, make_round, staff_client,
                                                  django_assert_max_num_queries):
    def count(address) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(address, {"q": "食堂"}).status_code == 200
        return len(captured)

    few = {address: count(address) for address in (WORK, ADMIN)}
    rnd = make_round(inspecting_body="第三巡察组")
    RectificationTask.objects.bulk_create(
        RectificationTask(round=rnd, position=n, title=f"第{n}所学校食堂问题")
        for n in range(1, 41))
    search_index.refresh_tasks(rnd.tasks.values_list("pk", flat=True))
    for address, queries in few.items():
        with django_assert_max_num_queries(queries):
            assert staff_client.get(address, {"q": "食堂"}).status_code == 200


# -- the public search --------------------------------------------------------------------------

SECRET = "在办案件涉及的食堂问题"


@pytest.fixture
def published(small_round, small_notice, staff_user, publish):
    """The small round published, with one task withheld from the public and a measure
    holding 食堂; and another round, never published, holding 食堂 too."""
    withheld = small_round.tasks.get(title="综合改革成效不明显")
    withheld.title = SECRET
    withheld.withhold_ground = WithholdGround.OPEN_CASE
    save_record(withheld, staff_user)
    shown = small_round.tasks.get(title="三年攻坚存在短板")
    save_record(Measure(task=shown, text="整治学校食堂"), staff_user)
    draft = RectificationTask.objects.create(
        round=small_round.__class__.objects.create(
            party_group=small_round.party_group, inspecting_body="未发布巡察组", kind="常规巡察",
            feedback_date=datetime.date(2024, 1, 1)),
        title="未发布的食堂问题")
    publication = publish(small_notice)
    return {"publication": publication, "withheld": withheld, "shown": shown, "draft": draft}


def test_the_public_finds_what_was_published_and_sees_which_task(client, published):
    response = client.get(PUBLIC, {"q": "食堂"})
    pub = published["publication"]
    assert [p.pk for p in response.context["page"].object_list] == [pub.pk]
    html = response.content.decode()
    anchor = f'href="{pub.get_absolute_url()}#task-{published["shown"].pk}"'
    assert anchor in html
    assert "整改措施：整治学校<mark>食堂</mark>" in html
    assert SECRET not in html and "未发布的食堂问题" not in html
    assert f"#task-{published['withheld'].pk}" not in html
    secret = client.get(PUBLIC, {"q": SECRET}).content.decode().replace(
        f'value="{SECRET}"', "", 1)
    assert list(client.get(PUBLIC, {"q": SECRET}).context["page"].object_list) == []
    assert SECRET not in secret


def test_the_party_reader_finds_the_withheld_task(staff_client, published):
    response = staff_client.get(PUBLIC, {"q": "在办案件"})
    assert [p.pk for p in response.context["page"].object_list] == [
        published["publication"].pk]
    assert f"#task-{published['withheld'].pk}" in response.content.decode()


def test_the_published_version_is_searched_as_published(client, published, staff_user):
    """Later edits change the records' search, not what a published version holds."""
    measure = published["shown"].measures.get(text="整治学校食堂")
    measure.text = "整治学校宿舍"
    save_record(measure, staff_user, expected_version=measure.version)
    assert [p.pk for p in client.get(PUBLIC, {"q": "食堂"}).context["page"].object_list] == [
        published["publication"].pk]
    assert list(client.get(PUBLIC, {"q": "宿舍"}).context["page"].object_list) == []
