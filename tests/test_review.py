"""The review page and its actions, through the Django test client, per role."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from annotations.models import Annotation, Collection, Document, DocumentAgreement, Span
from annotations.scheme import QUOTES_V1, validate_annotation
from annotations.selectors import annotation_records, review_next
from tests.shared_data import module_data

pytestmark = pytest.mark.django_db


def make_demo(settings) -> None:
    """The example corpus with two annotators' versions, waiting for review (no gold)."""
    for name, extra in (("gold.jsonl", ["--as-gold"]), ("annotators.jsonl", [])):
        call_command("import_documents", str(settings.BASE_DIR / "fixtures" / name), "--collection", "demo",
                     *extra, stdout=io.StringIO())  # fmt: skip
    Document.objects.update(status=Document.Status.ANNOTATED)
    Annotation.objects.filter(kind="gold").delete()


demo_data = module_data(make_demo)


@pytest.fixture
def demo(demo_data):
    return Collection.objects.get(name="demo")


@pytest.fixture
def reviewer(django_user_model, roles):
    user = django_user_model.objects.create_user("rita", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


def url(document):
    return reverse("admin:annotations_document_review", args=[document.pk])


def riverton():
    return Document.objects.get(external_id="riverton-night-buses")


def test_opening_the_review_page_shows_versions_and_disagreements(client, demo, reviewer):
    client.force_login(reviewer)
    response = client.get(url(riverton()))
    html = response.content.decode()
    assert response.status_code == 200
    assert "ann@example.com" in html and "bob@example.com" in html
    assert html.count('class="unit disputed"') == 3 and html.count('class="unit agreed"') == 3
    assert 'class="version"' in html and "hl-Quote" in html
    assert riverton().status == Document.Status.IN_REVIEW


def test_accepting_the_defaults_makes_gold_from_both_versions(client, demo, reviewer):
    client.force_login(reviewer)
    response = client.post(url(riverton()), {"action": "accept"}, follow=True)
    assert b"Accepted as gold." in response.content
    gold = Annotation.objects.get(document=riverton(), kind="gold")
    assert (gold.made_by, gold.reviewer, gold.source_key) == ("rita", reviewer, "review")
    assert sorted(gold.based_on.values_list("annotator__email", flat=True)) == [
        "ann@example.com",
        "bob@example.com",
    ]
    assert gold.provenance["annotators"] == ["ann@example.com", "bob@example.com"]
    record = annotation_records([gold])[gold.pk]
    assert validate_annotation(QUOTES_V1, riverton().text, record) == []
    assert len(record.attributions) == 6  # Bob missed one quote; Ann's version keeps it
    assert riverton().status == Document.Status.GOLD


def test_decisions_change_fields_drop_quotes_and_a_second_review_replaces_the_first(
    client, demo, reviewer
):
    client.force_login(reviewer)
    client.get(url(riverton()))
    form = {"action": "accept", "take-0": "bob@example.com", "stance-1": "oppose", "speaker_name-1": "D. Whitfield",
            "take-4": "__none__", "cue_from-5": "__none__", "claim_type-2": "__none__"}  # fmt: skip
    client.post(url(riverton()), form)
    client.post(url(riverton()), form)
    gold = Annotation.objects.get(document=riverton(), kind="gold")
    record = annotation_records([gold])[gold.pk]
    assert len(record.attributions) == 5
    first, second, third = record.attributions[:3]
    assert first.stance == "neutral"  # Bob's version
    assert (second.stance, second.speaker_name) == ("oppose", "D. Whitfield")
    assert third.claim_type == ""
    assert record.attributions[-1].cue is None


def test_bad_decisions_are_reported_and_write_nothing(client, demo, reviewer):
    client.force_login(reviewer)
    response = client.post(
        url(riverton()), {"action": "accept", "take-4": "bob@example.com"}, follow=True
    )
    assert b"hoose one of the versions that have it" in response.content
    assert not Annotation.objects.filter(kind="gold").exists()


def test_reject_and_send_back(client, demo, reviewer, settings):
    client.force_login(reviewer)
    doc = riverton()
    response = client.post(url(doc), {"action": "send_back", "note": ""}, follow=True)
    assert b"ay what the annotators should change" in response.content
    client.post(url(doc), {"action": "send_back", "note": "Mark the cue as 'told reporters'."})
    doc.refresh_from_db()
    assert doc.status == Document.Status.QUEUED
    assert doc.meta["review_notes"][-1]["note"] == "Mark the cue as 'told reporters'."
    client.post(url(doc), {"action": "reject", "note": "Not news."})
    doc.refresh_from_db()
    assert doc.status == Document.Status.REJECTED


def test_a_single_version_can_be_accepted(client, demo, reviewer):
    client.force_login(reviewer)
    doc = riverton()
    doc.annotations.filter(annotator__email="bob@example.com").delete()
    html = client.get(url(doc)).content.decode()
    assert html.count('class="unit agreed"') == 6
    client.post(url(doc), {"action": "accept"})
    assert Annotation.objects.filter(document=doc, kind="gold").exists()


def test_roles(client, demo, reviewer, django_user_model, roles):
    doc = riverton()
    annotator = django_user_model.objects.create_user("anna", password="pw")
    annotator.groups.add(Group.objects.get(name="Annotators"))
    client.force_login(annotator)  # annotators work in Label Studio: no admin at all
    assert client.get(url(doc)).status_code == 302
    assert client.get(reverse("dashboard")).status_code == 302
    staff = django_user_model.objects.create_user("sam", password="pw", is_staff=True)
    client.force_login(staff)  # staff without the review permission
    assert client.get(url(doc)).status_code == 403
    assert client.get(reverse("dashboard")).status_code == 403
    client.force_login(reviewer)
    assert client.get(reverse("dashboard"), {"collection": "demo"}).status_code == 200
    change = reverse("admin:annotations_collection_change", args=[doc.collection_id])
    assert client.post(change, {"name": "renamed", "overlap": 5}).status_code == 403  # no settings
    assert client.get(reverse("admin:annotations_collection_add")).status_code == 403


def test_dashboard_charts(client, demo, reviewer, monkeypatch):
    client.force_login(reviewer)
    html = client.get(reverse("dashboard"), {"collection": "demo"}).content.decode()
    assert html.count('class="chart"') == 7 and "Compute agreement" in html
    # The button starts a job (run at once here); the page then reads the stored report.
    response = client.post(reverse("dashboard"), {"collection": "demo"})
    assert response.status_code == 302 and response["Location"].endswith("?collection=demo")
    import annotations.selectors
    from annotations.services import collections

    def computed_in_the_request(*args, **kwargs):
        raise AssertionError("the dashboard computed agreement while someone waited")

    monkeypatch.setattr(annotations.selectors, "human_versions", computed_in_the_request)
    monkeypatch.setattr(collections, "human_versions", computed_in_the_request)
    html = client.get(reverse("dashboard"), {"collection": "demo"}).content.decode()
    assert html.count('class="chart"') == 8
    assert "Documents by status" in html and "Agreement: span F1" in html
    assert "Compute again" in html
    # The documents of most disagreement, read from their rows, each a link to its review.
    assert "Documents with the most disagreement" in html
    for row in DocumentAgreement.objects.filter(collection__name="demo"):
        assert reverse("admin:annotations_document_review", args=[row.document_id]) in html
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("dashboard") in index


def at(piece, after=""):
    """Offsets of a piece of Riverton's text as the review form takes them: "start-end"."""
    text = riverton().text
    start = text.index(piece, text.index(after) if after else 0)
    return f"{start}-{start + len(piece)}"


def test_reviewer_redraws_boundaries_and_adds_a_missed_quote(client, demo, reviewer):
    doc = riverton()
    # Neither annotator marked the "according to" quote.
    Span.objects.filter(
        annotation__document=doc, label="Quote", text__startswith="the pilot will"
    ).delete()
    client.force_login(reviewer)
    html = client.get(url(doc)).content.decode()
    assert 'name="quote_at-0"' in html and 'name="new-0-quote_at"' in html
    assert "review.js" in html
    form = {
        "action": "accept",
        "quote_at-2": at("the pilot would cost more than the transit agency had estimated."),
        "speaker_at-2": at("Greg Olsen"),
        "new-0-quote_at": at(" the pilot will cost about $1.4 million and begin in March"),
        "new-0-speaker_at": at("the transit agency", after="According"),
        "new-0-cue_at": at("According to"),
        "new-0-speaker_name": "Riverton Transit Agency",
        "new-0-quote_type": "indirect",
        "new-1-quote_at": "",
    }
    response = client.post(url(doc), form, follow=True)
    assert b"Accepted as gold." in response.content
    gold = Annotation.objects.get(document=doc, kind="gold")
    record = annotation_records([gold])[gold.pk]
    assert validate_annotation(QUOTES_V1, doc.text, record) == []
    spans = record.span_by_id()
    said = {spans[a.quote].text: a for a in record.attributions}
    olsen = said["the pilot would cost more than the transit agency had estimated."]
    assert spans[olsen.speaker].text == "Greg Olsen"
    agency = said["the pilot will cost about $1.4 million and begin in March"]
    assert (spans[agency.speaker].text, spans[agency.cue].text) == (
        "the transit agency",
        "According to",
    )
    assert (agency.speaker_name, agency.quote_type) == ("Riverton Transit Agency", "indirect")
    # Opening the page again shows the reviewer's boundaries and added quote, so that
    # accepting again keeps them.
    html = client.get(url(doc)).content.decode()
    assert f'name="speaker_at-2" value="{at("Greg Olsen")}"' in html
    assert f'name="new-0-quote_at" value="{at("the pilot will cost about")[:4]}' in html
    assert 'value="Riverton Transit Agency"' in html


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            {"quote_at-0": "12 to 40"},
            "quote 1: the quote: write its place as start-end, like 120-145",
        ),
        ({"cue_at-1": "40-12"}, "quote 2: the cue 40-12 is not a stretch of the text"),
        ({"speaker_at-1": "99999-100000"}, "quote 2: the speaker 99999-100000 is not a stretch"),
        ({"new-0-speaker_name": "Somebody"}, "added quote 1: say where the quote is (start-end)"),
        ({"new-0-quote_at": "0-10", "new-0-stance": "furious"}, "unknown"),
    ],
)
def test_bad_boundaries_are_reported_and_write_nothing(client, demo, reviewer, form, message):
    client.force_login(reviewer)
    response = client.post(url(riverton()), {"action": "accept", **form}, follow=True)
    assert message in response.content.decode().lower()
    assert not Annotation.objects.filter(kind="gold").exists()


def test_accept_and_review_the_next_document_of_the_collection(client, demo, reviewer):
    client.force_login(reviewer)
    # Only documents with human annotations wait for review.
    Document.objects.exclude(annotations__kind="human").update(status=Document.Status.NEW)
    waiting = list(
        Document.objects.filter(status=Document.Status.ANNOTATED)
        .order_by("external_id")
        .values_list("pk", flat=True)
    )
    first, second = (Document.objects.get(pk=pk) for pk in waiting)
    assert review_next(second) == first  # past the last, round to the first
    html = client.get(url(first)).content.decode()
    assert "1 other document of demo waits for review" in html
    assert f'class="next-document" href="{url(second)}"' in html
    response = client.post(url(first), {"action": "accept_next"})
    assert (response.status_code, response["Location"]) == (302, url(second))
    assert Document.objects.get(pk=first.pk).status == Document.Status.GOLD
    # With none left waiting, the reviewer stays on the page and is told so.
    response = client.post(url(second), {"action": "accept_next"}, follow=True)
    assert response.redirect_chain[-1][0] == url(second)
    html = response.content.decode()
    assert "No other document of demo waits for review." in html
    assert "0 other documents of demo wait for review" in html
    assert "Accept as gold and review the next" not in html


def test_the_next_document_to_review_is_by_external_id_across_waiting_statuses(demo):
    documents = list(Document.objects.filter(collection=demo).order_by("external_id")[:3])
    assert len(documents) == 3
    Document.objects.filter(collection=demo).update(status=Document.Status.GOLD)
    statuses = [Document.Status.ANNOTATED, Document.Status.IN_REVIEW, Document.Status.ANNOTATED]
    for document, status in zip(documents, statuses, strict=True):
        Document.objects.filter(pk=document.pk).update(status=status)
    a, b, c = (Document.objects.get(pk=d.pk) for d in documents)
    assert (review_next(a), review_next(b), review_next(c)) == (b, c, a)
    Document.objects.filter(pk__in=[b.pk, c.pk]).update(status=Document.Status.GOLD)
    assert review_next(a) is None


def test_a_long_review_queue_is_counted_up_to_a_bound(client, demo, reviewer, monkeypatch):
    import annotations.admin.review as review_admin

    monkeypatch.setattr(review_admin, "WAITING_SHOWN", 0)
    client.force_login(reviewer)
    html = client.get(url(riverton())).content.decode()
    assert "More than 0 other document" in html
