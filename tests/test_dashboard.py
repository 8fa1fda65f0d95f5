"""The dashboard's counts: stored on the collection, recounted after writes, never a scan
of every span while the page loads."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.urls import reverse

import annotations.admin.dashboard as dashboard
import annotations.selectors
from annotations.models import Annotation, Attribution, Collection, Document, Job, Span
from annotations.records import AnnotationRecord
from annotations.selectors import collection_stats, stats_merged
from annotations.services.annotations import AnnotationWrite, annotation_rows_write
from annotations.services.collections import collection_stats_compute, collection_stats_invalidate
from annotations.services.documents import documents_refresh_status
from annotations.services.review import document_review_open
from tests.shared_data import module_data

pytestmark = pytest.mark.django_db


def make_demo(settings) -> None:
    fixtures = settings.BASE_DIR / "fixtures"
    call_command("import_documents", str(fixtures / "gold.jsonl"), "--collection", "demo",
                 "--as-gold", stdout=io.StringIO())  # fmt: skip
    call_command("import_documents", str(fixtures / "annotators.jsonl"), "--collection", "demo",
                 stdout=io.StringIO())  # fmt: skip
    call_command("import_documents", str(fixtures / "annotators.jsonl"), "--collection", "other",
                 stdout=io.StringIO())  # fmt: skip


demo_data = module_data(make_demo)


@pytest.fixture
def demo(demo_data):
    return Collection.objects.get(name="demo")


@pytest.fixture
def reviewer(client, django_user_model, roles):
    user = django_user_model.objects.create_user("rita", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Reviewers"))
    client.force_login(user)
    return user


def page(client, collection: str = "demo") -> str:
    response = client.get(reverse("dashboard"), {"collection": collection} if collection else {})
    assert response.status_code == 200
    return response.content.decode()


def charts_of(html: str) -> str:
    start = html.index('<div class="charts">')
    return html[start : html.index("</div>", start)]


def test_counts_are_those_of_the_rows(demo):
    stats = collection_stats(demo)
    documents = Document.objects.filter(collection=demo)
    assert sum(stats["status"].values()) == documents.count()
    assert stats["status"]["gold"] == documents.filter(status="gold").count() > 0
    humans = Annotation.objects.filter(document__collection=demo, kind="human")
    per_annotator = dict(humans.values_list("annotator__key").annotate(n=Count("pk")))
    assert stats["annotators"] == per_annotator and len(per_annotator) == 2
    assert sum(stats["days"].values()) == humans.count()
    gold_spans = Span.objects.filter(annotation__kind="gold", annotation__document__collection=demo)
    assert stats["gold_labels"] == dict(gold_spans.values_list("label").annotate(n=Count("pk")))
    gold_quotes = Attribution.objects.filter(
        annotation__kind="gold", annotation__document__collection=demo
    )
    assert sum(stats["quote_type"].values()) == gold_quotes.count() > 0


def test_merged_counts_add_up():
    merged = stats_merged(
        [{"status": {"new": 2}, "flagged": 1}, {"status": {"new": 1, "gold": 4}, "flagged": 0}]
    )
    assert merged == {"status": {"new": 3, "gold": 4}, "flagged": 1}
    assert stats_merged([]) == {}


def test_the_page_reads_stored_counts_until_something_is_written(client, demo, reviewer,
                                                                 monkeypatch):  # fmt: skip
    other = Collection.objects.get(name="other")
    first = page(client, "other")
    other.refresh_from_db()
    assert other.stats and not other.stats_stale and "Documents by status" in first
    assert "in_review" not in other.stats["status"]

    def scanned(*args, **kwargs):
        raise AssertionError("the dashboard counted rows while someone waited")

    monkeypatch.setattr(annotations.selectors, "collection_stats", scanned)
    assert charts_of(page(client, "other")) == charts_of(first)
    # A write marks the counts stale: the next look counts again, and shows the change.
    monkeypatch.undo()
    document = Document.objects.filter(collection=other, annotations__kind="human").first()
    document_review_open(document=document, reviewer=reviewer)
    other.refresh_from_db()
    assert other.stats_stale
    assert charts_of(page(client, "other")) != charts_of(first)
    assert Collection.objects.get(pk=other.pk).stats["status"]["in_review"] == 1


def test_one_load_runs_the_same_queries_whatever_the_size(client, demo, reviewer,
                                                          django_assert_max_num_queries):  # fmt: skip
    page(client)
    page(client, collection="")
    with django_assert_max_num_queries(8):
        page(client)
    with django_assert_max_num_queries(8):
        page(client, collection="")


def test_a_large_collection_is_recounted_by_a_job(client, demo, reviewer, monkeypatch):
    monkeypatch.setattr(dashboard, "INLINE_LIMIT", 1)
    collection_stats_invalidate(collection_ids=[demo.pk])
    html = page(client)
    job = Job.objects.get(kind=Job.Kind.STATS, collection=demo)
    assert job.status == Job.Status.DONE and job.created_by == reviewer
    assert job.result["documents"] == demo.documents.count()
    assert "Documents by status" in html and not Collection.objects.get(pk=demo.pk).stats_stale


def test_all_collections_add_their_counts(client, demo, reviewer):
    html = page(client, collection="")
    total = Document.objects.count()
    assert f"<strong>{total}</strong> documents" in html
    assert Collection.objects.filter(stats__isnull=True).count() == 0


def test_a_failed_count_leaves_the_collection_marked(demo, monkeypatch):
    collection_stats_compute(collection=demo)

    def broken(collection):
        raise RuntimeError("database went away")

    monkeypatch.setattr(annotations.selectors, "collection_stats", broken)
    with pytest.raises(RuntimeError):
        collection_stats_compute(collection=demo)
    assert Collection.objects.get(pk=demo.pk).stats_stale


@pytest.mark.parametrize("door", ["annotation", "status", "delete"])
def test_writes_mark_only_their_collection(demo, door, admin_client):
    for collection in Collection.objects.all():
        collection_stats_compute(collection=collection)
    document = Document.objects.filter(collection=demo, annotations__kind="human").first()
    if door == "annotation":
        record = AnnotationRecord(kind="prediction", source_key="test", spans=[], attributions=[])
        annotation_rows_write(writes=[AnnotationWrite(document.pk, record)])
    elif door == "status":
        Document.objects.filter(pk=document.pk).update(status="new", ls_task_id=None)
        documents_refresh_status(document_ids=[document.pk])
    else:
        human = Annotation.objects.filter(document=document, kind="human").first()
        url = reverse("admin:annotations_annotation_delete", args=[human.pk])
        assert admin_client.post(url, {"post": "yes"}).status_code == 302
    stale = dict(Collection.objects.values_list("name", "stats_stale"))
    assert stale == {"demo": True, "other": False}


def test_the_stats_command_recounts_what_changed(demo):
    out = io.StringIO()
    call_command("stats", stdout=out)
    assert "demo: counted" in out.getvalue() and "other: counted" in out.getvalue()
    out = io.StringIO()
    call_command("stats", stdout=out)
    assert out.getvalue().strip() == "Every collection's counts are up to date."
    out = io.StringIO()
    call_command("stats", "--collection", "demo", stdout=out)
    assert out.getvalue().startswith("demo: counted")
    with pytest.raises(CommandError, match="no collection named 'nope'"):
        call_command("stats", "--collection", "nope")
