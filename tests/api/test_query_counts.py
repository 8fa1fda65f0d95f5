"""List endpoints run a constant number of queries, with 1 object or 50, on any page."""

from django.contrib.auth.models import User
from django.test import TestCase
from rest_framework.test import APIClient

from annotations.models import Annotation, Collection, Export, Job, Model
from annotations.records import AnnotationKind
from annotations.services import speaker_create
from tests import factories

# Lists read by keyset: the page, then what it prefetches; no count.
KEYSET = {
    # documents: + annotations + spans + attributions (with their spans)
    "/api/documents/": 4,
    "/api/annotations/": 3,
    "/api/speakers/": 2,  # + aliases
    "/api/jobs/": 1,
}
# Short lists, numbered: count + page.
NUMBERED = {"/api/collections/": 2, "/api/exports/": 2, "/api/models/": 2}


class ListQueryCounts(TestCase):
    def setUp(self):
        self.client = APIClient()
        self.user = User.objects.create_superuser("ada", "a@example.com", "pw")
        self.client.force_authenticate(self.user)
        self.collection = factories.collection("news")

    def add(self, count: int, start: int = 0) -> None:
        for i in range(start, start + count):
            doc = factories.document(self.collection, external_id=f"doc-{i}")
            factories.annotation(doc, factories.quote_annotation(source_key=f"k{i}"))
            factories.annotation(
                doc, factories.quote_annotation(kind=AnnotationKind.GOLD, source_key="gold")
            )
            Export.objects.create(collection=self.collection, format="jsonl", status="done")
            Job.objects.create(collection=self.collection, kind=Job.Kind.PULL)
            speaker_create(name=f"Speaker {i}")
            model = Model.objects.create(
                name="news", version=i + 1, collection=self.collection, collection_name="news",
                base="rules", gold_documents=1, heldout_documents=0, training_seconds=1.0,
                file=f"news/{i + 1}.zip", sha256="0" * 64, size=1, created_by=self.user,
            )  # fmt: skip
            # Each collection names the model that predicts for it.
            other = factories.collection(f"other-{i}")
            Collection.objects.filter(pk__in=[other.pk, self.collection.pk]).update(model=model)

    def listed(self, path: str, queries: int, **params) -> dict:
        with self.assertNumQueries(queries):
            response = self.client.get(path, params)
        self.assertEqual(response.status_code, 200, response.content[:500])
        return response.json()

    def counts(self) -> dict[str, int]:
        found = {}
        for path, queries in KEYSET.items():
            found[path] = len(self.listed(path, queries, page_size=100)["results"])
            # A numbered page still answers, with its count (one query more).
            numbered = self.listed(path, queries + 1, page_size=100, page=1)
            self.assertEqual(numbered["count"], found[path])
        for path, queries in NUMBERED.items():
            found[path] = self.listed(path, queries, page_size=100)["count"]
        return found

    def searched(self, query: str) -> int:
        """Documents found by a search: ranked, so a numbered page, once a count up to
        the rank limit has found the matches few enough to rank (the page's count: on
        PostgreSQL a sample of the oldest documents first, here the whole list)."""
        from django.db import connection

        probe = 1 if connection.vendor == "postgresql" else 0
        with self.assertNumQueries(KEYSET["/api/documents/"] + 1 + probe):
            response = self.client.get("/api/documents/", {"q": query, "page_size": 100})
        self.assertEqual(response.status_code, 200)
        return response.json()["count"]

    def test_one_object(self):
        self.add(1)
        found = self.counts()
        self.assertEqual(found["/api/documents/"], 1)
        self.assertEqual(found["/api/annotations/"], 2)
        self.assertEqual(self.searched('"we will win" doc*'), 1)

    def test_fifty_objects(self):
        self.add(50)
        found = self.counts()
        self.assertEqual(found["/api/documents/"], 50)
        self.assertEqual(found["/api/annotations/"], Annotation.objects.count())
        self.assertEqual(self.searched('"we will win" doc*'), 50)
        self.assertEqual(self.searched("doc-7"), 1)

    def test_a_later_page_costs_what_the_first_costs(self):
        self.add(12)
        for path, queries in KEYSET.items():
            first = self.listed(path, queries, page_size=5)
            later = self.client.get(first["next"]).json()["next"]
            with self.assertNumQueries(queries):
                response = self.client.get(later)
            self.assertTrue(response.json()["results"], path)
