"""Admin lists over big tables: counted up to a point then estimated (PostgreSQL), deep
pages found through the ordering's index, the same rows as an OFFSET would show."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from annotations.admin import pagination
from annotations.admin.pagination import LargeTablePaginator
from annotations.models import Annotation, Collection, Document, Job, Speaker, WebhookEvent
from annotations.paging import ordering_key
from annotations.services import speaker_create
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def documents() -> list[Document]:
    news, wires = factories.collection("news"), factories.collection("wires")
    return [
        factories.document(collection, external_id=f"d-{i:03d}")
        for collection in (wires, news)
        for i in range(13)
    ]


def test_orderings_an_index_serves_are_keys():
    assert ordering_key(Document.objects.all()) == (("collection_id", "external_id"), False)
    assert ordering_key(Job.objects.all()) == (("created_at", "id"), True)
    assert ordering_key(Speaker.objects.all()) == (("key",), False)
    assert ordering_key(Annotation.objects.order_by("document_id", "kind", "pk")) == (
        ("document_id", "kind", "id"),
        False,
    )
    # A foreign key by name sorts by the other model's ordering; directions mixed; not unique.
    assert ordering_key(Document.objects.order_by("collection", "external_id")) is None
    assert ordering_key(Document.objects.order_by("collection_id", "-external_id")) is None
    assert ordering_key(Document.objects.order_by("status", "external_id")) is None
    assert ordering_key(Document.objects.order_by("collection__name", "external_id")) is None


@pytest.mark.parametrize("ordering", [("collection_id", "external_id"), ("-id",)])
def test_every_page_shows_what_an_offset_would(documents, ordering):
    rows = Document.objects.order_by(*ordering)
    paginator = LargeTablePaginator(rows, 5)
    assert paginator.count == 26 and not paginator.estimated
    for number in paginator.page_range:
        shown = [d.pk for d in paginator.page(number).object_list]
        assert shown == [d.pk for d in rows[(number - 1) * 5 : number * 5]]


def test_past_the_estimated_end_a_page_is_empty(admin_client, documents, monkeypatch):
    monkeypatch.setattr(pagination, "EXACT_UP_TO", 10)
    paginator = LargeTablePaginator(Document.objects.all(), 5)
    shown = admin_client.get(reverse("admin:annotations_document_changelist")).content.decode()
    if connection.vendor == "postgresql":
        # More than counted: the planner's estimate, and any page may be asked for.
        assert paginator.count > 10 and paginator.estimated
        assert list(paginator.page(1000).object_list) == []
        assert ">about</span> " in shown
    else:
        assert paginator.count == 26 and not paginator.estimated
        assert "26 documents" in shown and ">about</span>" not in shown


def test_admin_lists_read_deep_pages_in_constant_queries(
    admin_client, documents, django_assert_num_queries
):
    url = reverse("admin:annotations_document_changelist")
    assert "26 documents" in admin_client.get(url).content.decode()
    wires = documents[0].collection
    for index in range(100):
        factories.document(wires, external_id=f"x-{index:03d}")
    # news' 13, then wires' 13 and x-000 to x-073 on the first page; the rest on the second
    # session, user, the collection filter's choices, count, the page's first key, the page
    with django_assert_num_queries(6):
        second = admin_client.get(url, {"p": 2})
    html = second.content.decode()
    assert "x-074" in html and "x-099" in html and "x-073" not in html
    assert "126 documents" in html


def test_the_inbox_lists_the_newest_event_first(admin_client):
    WebhookEvent.objects.create(action="ANNOTATION_CREATED", payload={"n": 1})
    WebhookEvent.objects.create(action="TASKS_DELETED", payload={"n": 2})
    url = reverse("admin:annotations_webhookevent_changelist")
    html = admin_client.get(url).content.decode()
    assert html.index("TASKS_DELETED received") < html.index("ANNOTATION_CREATED received")
    filtered = admin_client.get(url, {"action": "TASKS_DELETED"}).content.decode()
    assert "ANNOTATION_CREATED received" not in filtered


def add_rows(count: int) -> None:
    collection = Collection.objects.first() or factories.collection("bulk")
    start = Document.objects.count()
    for i in range(start, start + count):
        doc = factories.document(collection, external_id=f"bulk-{i:04d}")
        factories.annotation(doc, factories.quote_annotation(source_key=f"k{i}"))
        speaker_create(name=f"Speaker {i:04d}")
        Job.objects.create(collection=collection, kind=Job.Kind.PULL)


# session, user, the filters' choices (collections), count, page, what the page prefetches
LISTS = {
    "document": 5,
    "annotation": 6,  # + its documents
    "speaker": 5,  # no filters; + aliases
    "job": 5,
}


@pytest.mark.parametrize("model", LISTS)
def test_admin_lists_run_the_same_queries_for_3_rows_or_130_on_any_page(
    admin_client, django_assert_num_queries, model
):
    url = reverse(f"admin:annotations_{model}_changelist")
    add_rows(3)
    with django_assert_num_queries(LISTS[model]):
        assert admin_client.get(url).status_code == 200
    add_rows(127)
    with django_assert_num_queries(LISTS[model]):
        assert admin_client.get(url).status_code == 200
    with django_assert_num_queries(LISTS[model] + 1):  # + the page's keys
        assert admin_client.get(url, {"p": 2}).status_code == 200


def test_rows_are_written_as_django_writes_them(admin_client, admin_user, documents, rf):
    """The checkbox and the links each row builds without a template or a reverse are
    the markup and URLs Django's own would give, under any script prefix."""
    from django.contrib.admin import ModelAdmin, site
    from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
    from django.contrib.admin.views.main import ChangeList
    from django.urls import get_script_prefix, resolve, set_script_prefix
    from django.utils.html import escape

    from annotations.admin.rendering import object_url

    document = documents[0]
    model_admin = site._registry[Document]
    assert model_admin.action_checkbox(document) == ModelAdmin.action_checkbox(
        model_admin, document
    )
    changelist = reverse("admin:annotations_document_changelist")
    for query in ({}, {"status": document.status, "collection__id__exact": document.collection_id}):
        request = rf.get(changelist, query)
        request.user, request.resolver_match = admin_user, resolve(changelist)
        change_list = model_admin.get_changelist_instance(request)
        filters = model_admin.get_preserved_filters(request)
        django_url = add_preserved_filters(
            {"preserved_filters": filters, "opts": Document._meta},
            ChangeList.url_for_result(change_list, document),
        )
        assert change_list.url_for_result(document) == django_url
        assert ("_changelist_filters" in django_url) == bool(query)
        page = admin_client.get(changelist, query).content.decode()
        assert f'href="{escape(django_url)}"' in page
    before = get_script_prefix()
    for prefix in ("/", "/under/", before):
        set_script_prefix(prefix)
        url = object_url("admin:annotations_document_review", document.pk)
        assert url == reverse("admin:annotations_document_review", args=[document.pk])
    assert f'name="_selected_action" value="{document.pk}" class="action-select"' in page
