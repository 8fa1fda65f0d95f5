import pytest

from annotations.models import Collection
from annotations.records import text_hash
from annotations.services import (
    CollectionError,
    CollectionExists,
    DocumentError,
    DocumentLocked,
    collection_create,
    collection_put,
    collection_update,
    document_create,
    document_update,
    document_update_text,
)
from tests import factories

pytestmark = pytest.mark.django_db


def test_text_can_change_until_a_span_refers_to_it():
    doc = factories.document()
    document_update_text(document=doc, text="New text.")
    doc.refresh_from_db()
    assert doc.text == "New text."
    assert doc.text_hash == text_hash("New text.")


def test_text_is_locked_once_spans_exist():
    doc = factories.document()
    factories.annotation(doc)
    with pytest.raises(DocumentLocked, match="has spans that refer to its text"):
        document_update_text(document=doc, text="Something else")
    doc.refresh_from_db()
    assert doc.text == factories.TEXT


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"meta": {"note": "a\x00b"}}, "meta: contains a NUL character"),
        ({"title": "a\ud800"}, "title: contains an unpaired surrogate"),
    ],
)
def test_what_no_database_can_store_is_refused(changes, message):
    doc = factories.document()
    with pytest.raises(DocumentError, match=message):
        document_update(document=doc, **changes)
    with pytest.raises(DocumentError, match=message):
        document_create(collection=doc.collection, external_id="new", text="Text.", **changes)
    assert doc.collection.documents.count() == 1


def test_collection_put_creates_then_changes_only_what_is_given():
    collection, created = collection_put(name="news", title="News", overlap=2)
    assert created and (collection.title, collection.overlap) == ("News", 2)
    collection, created = collection_put(name="news", guidelines="# Rules")
    assert not created and (collection.title, collection.overlap, collection.guidelines) == (
        "News", 2, "# Rules",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "bad name"}, "must be 1-100 letters"),
        ({"name": "ok", "overlap": 0}, "overlap must be between 1 and 100"),
    ],
)
def test_collection_create_refuses_bad_settings(kwargs, message):
    with pytest.raises(CollectionError, match=message):
        collection_create(**kwargs)
    assert not Collection.objects.exists()


def test_a_refused_change_writes_nothing_a_rename_keeps_the_collection():
    news = collection_create(name="news", overlap=2)
    collection_create(name="taken")
    with pytest.raises(CollectionExists, match="a collection named 'taken' exists already"):
        collection_update(collection=news, name="taken", overlap=3)
    with pytest.raises(CollectionError, match="overlap must be between"):
        collection_update(collection=news, title="New", overlap=0)
    news.refresh_from_db()
    assert (news.name, news.title, news.overlap) == ("news", "", 2)
    renamed = collection_update(collection=news, name="other", overlap=3)
    assert (renamed.pk, renamed.name, renamed.overlap) == (news.pk, "other", 3)
    with pytest.raises(CollectionExists):
        collection_create(name="other")


def test_scheme_cannot_change_under_annotations(monkeypatch):
    doc = factories.document()
    factories.annotation(doc)
    from annotations import scheme

    monkeypatch.setitem(scheme.SCHEMES, "quotes-v2", scheme.QUOTES_V1)
    with pytest.raises(CollectionError, match="its scheme cannot change"):
        collection_update(collection=doc.collection, scheme="quotes-v2")
