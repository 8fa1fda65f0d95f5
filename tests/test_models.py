import pytest
from django.db import IntegrityError, transaction

from annotations.models import Annotation, Document, Span, Speaker
from tests import factories

pytestmark = pytest.mark.django_db


def assert_refused(create) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_external_id_is_unique_within_a_collection_only():
    doc = factories.document()
    assert_refused(lambda: factories.document(doc.collection, external_id="doc-1"))
    other = factories.collection("other")
    factories.document(other, external_id="doc-1")


@pytest.mark.parametrize(("start", "end"), [(5, 5), (9, 3), (-1, 4)])
def test_span_offsets_must_satisfy_zero_le_start_lt_end(start, end):
    annotation = factories.annotation(factories.document())
    assert_refused(
        lambda: Span.objects.create(
            annotation=annotation, region_id="bad", label="Quote", start=start, end=end, text=""
        )
    )


def test_span_label_and_annotation_kind_and_status_are_checked_by_the_database():
    doc = factories.document()
    annotation = factories.annotation(doc)
    assert_refused(
        lambda: Span.objects.create(
            annotation=annotation, region_id="x", label="Person", start=0, end=1, text='"'
        )
    )
    assert_refused(lambda: Annotation.objects.create(document=doc, kind="guess"))
    assert_refused(lambda: Document.objects.filter(pk=doc.pk).update(status="done"))


def test_label_studio_ids_are_unique():
    doc = factories.document()
    Document.objects.filter(pk=doc.pk).update(ls_task_id=7)
    assert_refused(lambda: factories.document(doc.collection, external_id="d2", ls_task_id=7))
    Annotation.objects.create(document=doc, kind="human", ls_annotation_id=3)
    assert_refused(
        lambda: Annotation.objects.create(document=doc, kind="human", ls_annotation_id=3)
    )
    doc.collection.ls_project_id = 1
    doc.collection.save()
    assert_refused(lambda: factories.collection("again", ls_project_id=1))


def test_one_annotation_per_source_key_and_document():
    doc = factories.document()
    Annotation.objects.create(document=doc, kind="gold", source_key="import:gold")
    assert_refused(
        lambda: Annotation.objects.create(document=doc, kind="gold", source_key="import:gold")
    )
    # Annotations without a source key (e.g. made in review) are not limited.
    Annotation.objects.create(document=doc, kind="gold")
    Annotation.objects.create(document=doc, kind="gold")


def test_speaker_names_are_unique_regardless_of_case_and_spacing():
    Speaker.objects.create(name="Yury Ushakov", key="yury ushakov")
    assert_refused(lambda: Speaker.objects.create(name="yury  USHAKOV", key="yury ushakov"))


def test_overlap_is_at_least_one():
    assert_refused(lambda: factories.collection(overlap=0))
