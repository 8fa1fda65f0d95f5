"""Admin lists over big tables: counted up to a point then estimated (PostgreSQL), deep
pages found through the ordering's index, the same rows as an OFFSET would show."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.db.models import Q
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
        # The search bar's count too says it is an estimate.
        assert re.search(
            r'<span class="small quiet"><span title="[^"]*">about</span> \d+ results', shown
        )
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


def link(html: str, name: str) -> str | None:
    """The href of the "next" or "previous" link by cursor."""
    found = re.search(rf'<a href="([^"]*)" class="{name}" rel="(prev|next)"', html)
    return unescape(found.group(1)) if found else None


@pytest.fixture
def short_window(monkeypatch):
    """Pages of 5, numbered within 10 rows of either end (26 documents: 1, 2, 5 and 6)."""
    from django.contrib.admin import site

    from annotations import paging

    monkeypatch.setattr(paging, "NUMBERED_ROWS", 10)
    monkeypatch.setattr(site._registry[Document], "list_per_page", 5)


def ids_on(html: str) -> list[str]:
    return re.findall(r'<th class="field-external_id"><a [^>]*>([^<]*)</a>', html)


def test_a_long_list_numbers_pages_near_its_ends_and_walks_between_by_cursor(
    admin_client, documents, short_window
):
    url = reverse("admin:annotations_document_changelist")
    every = [d.external_id for d in Document.objects.order_by("collection_id", "external_id")]
    second = admin_client.get(url, {"p": 2}).content.decode()
    assert ids_on(second) == every[5:10]
    # Pages 3 and 4 are not numbered: no links to them, "next" goes on by cursor.
    assert "?p=3" not in second and "?p=4" not in second
    assert "?p=5" in second and "?p=6" in second
    walked, page = ids_on(second), second
    while link(page, "next"):
        assert "cursor=" in link(page, "next") and "p=" not in link(page, "next")
        page = admin_client.get(url + link(page, "next")).content.decode()
        walked += ids_on(page)
    assert walked == every[5:]
    # Back from the end by "previous", to the first row.
    back = ids_on(page)
    while link(page, "previous"):
        page = admin_client.get(url + link(page, "previous")).content.decode()
        back = ids_on(page) + back
    assert back == every
    # The first numbered page of the end links back by cursor to the rows before it.
    fifth = admin_client.get(url, {"p": 5}).content.decode()
    assert ids_on(fifth) == every[20:25]
    before = admin_client.get(url + link(fifth, "previous")).content.decode()
    assert ids_on(before) == every[15:20]
    assert link(admin_client.get(url).content.decode(), "next") is None  # page 2 follows


def test_a_page_between_the_numbered_ones_sends_to_the_last_of_the_first(
    admin_client, documents, short_window
):
    url = reverse("admin:annotations_document_changelist")
    response = admin_client.get(url, {"p": 3, "status": "new"})
    assert response.status_code == 302
    assert response["Location"] == f"{url}?p=2&status=new"
    shown = admin_client.get(response["Location"]).content.decode()
    assert "Page 3 is not numbered" in shown and "within 10 rows of either end" in shown
    # Nearer the end: the first numbered page of the end (26 rows: page 5).
    response = admin_client.get(url, {"p": 4})
    assert response["Location"] == f"{url}?p=5"


def test_cursor_pages_keep_the_filters_and_start_at_the_cursor(
    admin_client, documents, short_window, monkeypatch, django_assert_num_queries
):
    from annotations import paging

    monkeypatch.setattr(paging, "NUMBERED_ROWS", 5)
    news = Collection.objects.get(name="news")
    url = reverse("admin:annotations_document_changelist")
    query = {"collection__id__exact": news.pk}
    first = admin_client.get(url, query).content.decode()
    assert link(first, "next") is not None and f"collection__id__exact={news.pk}" in link(
        first, "next"
    )
    # session, user, the filter's choices, count, the page's rows (+ one to see past it)
    with django_assert_num_queries(5):
        page = admin_client.get(url + link(first, "next")).content.decode()
    assert ids_on(page) == [f"d-{i:03d}" for i in range(5, 10)]
    # Links from a cursor page to numbered pages, orders and filters, and the search
    # form, leave the cursor (the rows' links keep it, to come back to this page).
    own = re.findall(r'href="(\?[^"]*)"(?! class="(?:next|previous)")', page)
    assert own and not [href for href in own if "cursor" in href]
    assert 'name="cursor"' not in page and "_changelist_filters=" in page
    assert f'<input type="hidden" name="collection__id__exact" value="{news.pk}">' in page
    filtered = Document.objects.filter(collection=news)
    assert paging.fixed_by_filter(filtered, "collection_id") == {"collection_id": news.pk}
    assert paging.fixed_by_filter(Document.objects.all(), "collection_id") == {}
    either = Document.objects.filter(Q(collection=news) | Q(external_id="x"))
    assert paging.fixed_by_filter(either, "collection_id") == {}


def test_a_cursor_the_list_did_not_give_shows_the_first_page_and_says_so(
    admin_client, documents, short_window
):
    url = reverse("admin:annotations_document_changelist")
    for cursor in ("garbage", paging_cursor("-id", [3]), paging_cursor(None, [1, "\x00"])):
        shown = admin_client.get(url, {"cursor": cursor}).content.decode()
        assert "That link to a page is not one this list gave." in shown
        assert ids_on(shown)[:1] == ["d-000"]


def paging_cursor(ordering: str | None, key: list) -> str:
    from annotations.paging import encode_cursor

    return encode_cursor(ordering or "collection_id,external_id", key, back=False)


def test_a_list_newest_first_walks_by_its_time_and_id(admin_client, short_window, monkeypatch):
    from django.contrib.admin import site

    monkeypatch.setattr(site._registry[Job], "list_per_page", 5)
    collection = factories.collection("jobs")
    for _ in range(26):
        Job.objects.create(collection=collection, kind=Job.Kind.PULL)
    url = reverse("admin:annotations_job_changelist")
    every = list(Job.objects.order_by("-created_at", "-id").values_list("pk", flat=True))
    page = admin_client.get(url, {"p": 2}).content.decode()
    walked = job_ids(page)
    while link(page, "next"):
        page = admin_client.get(url + link(page, "next")).content.decode()
        walked += job_ids(page)
    assert walked == every[5:]


def job_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'name="_selected_action" value="(\d+)"', html)]
