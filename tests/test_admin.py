import io

import pytest
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from annotations.models import Annotation, Document, Speaker
from annotations.services import speaker_create
from tests import factories


def load_fixtures(settings_base_dir) -> None:
    call_command("import_documents", str(settings_base_dir / "fixtures" / "gold.jsonl"),
                 "--collection", "demo", "--as-gold", stdout=io.StringIO())  # fmt: skip


class AdminTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        from django.conf import settings
        from django.contrib.auth.models import User

        load_fixtures(settings.BASE_DIR)
        cls.admin = User.objects.create_superuser("admin", "admin@example.com", "pw")

    def setUp(self):
        self.client.force_login(self.admin)

    def seed(self) -> Document:
        return Document.objects.get(external_id="seed-trump-putin-call")

    def test_seed_document_page_shows_the_text_with_spans_highlighted(self):
        response = self.client.get(
            reverse("admin:annotations_document_change", args=[self.seed().pk])
        )
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn(
            '<span class="hl hl-Speaker" title="Speaker s3">Russian Presidential aide Yury Ushakov</span>',
            html,
        )
        self.assertIn('class="hl hl-Quote"', html)
        self.assertIn('class="hl hl-Cue" title="Cue c4">pointed out</span>', html)
        self.assertIn("<strong>Yury Ushakov</strong>", html)
        # The text cannot be edited: spans refer to it.
        self.assertNotIn('name="text"', html)

    def test_html_inside_a_document_renders_as_text(self):
        doc = factories.document(
            external_id="xss", text='<script>alert("x")</script> said <b>Bob</b>.'
        )
        response = self.client.get(reverse("admin:annotations_document_change", args=[doc.pk]))
        html = response.content.decode()
        self.assertNotIn('<script>alert("x")</script>', html)
        self.assertIn(
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; said &lt;b&gt;Bob&lt;/b&gt;.", html
        )

    def test_html_inside_spans_and_titles_is_escaped_too(self):
        text = '"<img src=x onerror=alert(1)>," said Ana Lopez. She added that it was close.'
        doc = factories.document(external_id="xss2", text=text, title="<i>t</i>")
        record = factories.quote_annotation()
        record.spans = [s.__class__(s.id, s.label, s.start + 16, s.end + 16, text[s.start + 16 : s.end + 16])
                        if s.id != "q1" else s.__class__("q1", "Quote", 0, 30, text[0:30]) for s in record.spans]  # fmt: skip
        factories.annotation(doc, record)
        html = self.client.get(
            reverse("admin:annotations_document_change", args=[doc.pk])
        ).content.decode()
        self.assertNotIn("<img src=x", html)
        self.assertIn("&lt;img src=x onerror=alert(1)&gt;", html)
        self.assertNotIn("<i>t</i>", html)

    def test_choosing_another_annotation_of_the_document(self):
        doc = self.seed()
        gold = doc.annotations.get()
        url = reverse("admin:annotations_document_change", args=[doc.pk])
        response = self.client.get(url, {"annotation": gold.pk})
        self.assertContains(response, f"<strong>{gold}</strong>", html=False)

    def test_document_list_filters_searches_and_counts_in_constant_queries(self):
        url = reverse("admin:annotations_document_changelist")
        response = self.client.get(url, {"status__exact": "gold", "q": "Hospital"})
        self.assertContains(response, "northgate-winter-staffing")
        self.assertNotContains(response, "riverton-night-buses")
        # session, user, the collection filter's choices, count, page
        with self.assertNumQueries(5):
            self.client.get(url)
        for index in range(20):
            factories.document(Document.objects.first().collection, external_id=f"extra-{index}")
        with self.assertNumQueries(5):
            self.client.get(url)
        # + whether the search matches too many to rank (on PostgreSQL a sample first)
        from django.db import connection

        with self.assertNumQueries(7 if connection.vendor == "postgresql" else 6):
            self.client.get(url, {"q": "extra*"})

    def test_document_search_box_searches_the_texts_best_first(self):
        url = reverse("admin:annotations_document_changelist")
        response = self.client.get(url, {"q": "hospital*"})
        rows = response.context["cl"].result_list
        self.assertEqual(rows[0].external_id, "northgate-winter-staffing")
        self.assertIn("riverton-night-buses", [row.external_id for row in rows])
        by_id = self.client.get(url, {"q": "seed-trump-putin-call"}).context["cl"].result_list
        self.assertEqual(by_id[0].external_id, "seed-trump-putin-call")
        # A column the reviewer sorts by wins over the rank (o=1: external id, descending).
        sorted_rows = self.client.get(url, {"q": "said", "o": "-1"}).context["cl"].result_list
        ids = [row.external_id for row in sorted_rows]
        self.assertEqual(ids, sorted(ids, reverse=True))
        self.assertEqual(len(ids), 8)

    def test_a_search_matching_too_many_to_rank_lists_them_in_the_lists_order(self):
        import annotations.fulltext as fulltext

        url = reverse("admin:annotations_document_changelist")
        ranked = [
            r.external_id for r in self.client.get(url, {"q": "said"}).context["cl"].result_list
        ]
        limit = fulltext.RANK_LIMIT
        fulltext.RANK_LIMIT = 2
        try:
            response = self.client.get(url, {"q": "said"})
        finally:
            fulltext.RANK_LIMIT = limit
        walked = [row.external_id for row in response.context["cl"].result_list]
        self.assertEqual(sorted(walked), sorted(ranked))
        expected = list(
            Document.objects.filter(external_id__in=walked).values_list("external_id", flat=True)
        )
        self.assertEqual(walked, expected)  # the list's own ordering (collection, external id)

    def test_document_search_that_means_nothing_says_why(self):
        url = reverse("admin:annotations_document_changelist")
        response = self.client.get(url, {"q": '"winter staffing'})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Search: the search has an unbalanced quote")
        self.assertEqual(len(response.context["cl"].result_list), 0)

    def test_collection_list_counts_documents_and_gold(self):
        response = self.client.get(reverse("admin:annotations_collection_changelist"))
        self.assertContains(response, '<td class="field-document_count">8</td>', html=False)
        self.assertContains(response, '<td class="field-gold_count">8</td>', html=False)

    def test_annotation_page_lists_spans_and_attributions(self):
        annotation = self.seed().annotations.get()
        response = self.client.get(
            reverse("admin:annotations_annotation_change", args=[annotation.pk])
        )
        self.assertContains(response, "Russian Presidential aide Yury Ushakov")
        self.assertContains(response, "commitment")
        url = reverse("admin:annotations_annotation_changelist")
        # session, user, the collection filter's choices, count, page, its documents
        with self.assertNumQueries(6):
            response = self.client.get(url)
        self.assertContains(response, '<td class="field-span_count">48</td>', html=False)

    def test_speaker_list_and_merge_action(self):
        url = reverse("admin:annotations_speaker_changelist")
        trump = Speaker.objects.get(name="Donald Trump")
        duplicate = speaker_create(name="D. J. Trump")
        ids = [str(trump.pk), str(duplicate.pk)]
        confirm = self.client.post(url, {"action": "merge_speakers", "_selected_action": ids})
        self.assertContains(confirm, "Choose the speaker to keep")
        done = self.client.post(
            url,
            {"action": "merge_speakers", "_selected_action": ids, "confirm": "yes",
             "target": str(trump.pk)},
        )  # fmt: skip
        self.assertEqual(done.status_code, 302)
        self.assertFalse(Speaker.objects.filter(pk=duplicate.pk).exists())
        self.assertIn("D. J. Trump", trump.aliases.values_list("name", flat=True))
        listing = self.client.get(url, {"q": "D. J. Trump"})
        self.assertContains(listing, "Donald Trump")

    def test_merge_needs_two_speakers(self):
        url = reverse("admin:annotations_speaker_changelist")
        one = Speaker.objects.first()
        response = self.client.post(
            url, {"action": "merge_speakers", "_selected_action": [one.pk]}, follow=True
        )
        self.assertContains(response, "Select at least two speakers to merge.")

    def test_unannotated_document_text_is_editable_and_normalised(self):
        doc = factories.document(
            Document.objects.first().collection, external_id="free", text="Old"
        )
        url = reverse("admin:annotations_document_change", args=[doc.pk])
        form = self.client.get(url)
        self.assertContains(form, 'name="text"')
        response = self.client.post(url, {
            "collection": doc.collection_id, "external_id": "free", "title": "", "text": "New\r\ntext",
            "source_url": "", "published": "", "meta": "{}", "status": "new",
        })  # fmt: skip
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        doc.refresh_from_db()
        self.assertEqual(doc.text, "New\ntext")

    def test_annotations_cannot_be_added_by_hand(self):
        response = self.client.get(reverse("admin:annotations_annotation_add"))
        self.assertEqual(response.status_code, 403)


@pytest.mark.django_db
def test_annotation_flagged_with_problems_shows_them(admin_client):
    doc = factories.document()
    annotation = factories.annotation(doc)
    Annotation.objects.filter(pk=annotation.pk).update(
        problems=["result[0]: region 'a' has unknown label 'Bogus'"]
    )
    url = reverse("admin:annotations_document_change", args=[doc.pk])
    response = admin_client.get(url)
    assert "region &#x27;a&#x27; has unknown label &#x27;Bogus&#x27;" in response.content.decode()
    listing = admin_client.get(
        reverse("admin:annotations_annotation_changelist"), {"problems": "yes"}
    )
    assert str(doc) in listing.content.decode()


@pytest.mark.django_db
def test_annotation_list_searches_by_annotator_and_document(admin_client):
    doc = factories.document(external_id="budget-talks", title="Budget talks")
    factories.annotation(doc)
    url = reverse("admin:annotations_annotation_changelist")
    for words in ("ana@example", "budget-talks", "Budget"):
        response = admin_client.get(url, {"q": words})
        assert response.status_code == 200 and "Budget talks" in response.content.decode()
    assert "Budget talks" not in admin_client.get(url, {"q": "nobody"}).content.decode()
