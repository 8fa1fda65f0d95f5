"""List endpoints run a constant number of queries, with 1 object or 50."""

from django.contrib.auth.models import User
from django.test import TestCase
from rest_framework.test import APIClient

from annotations.models import Annotation, Export, Job
from annotations.records import AnnotationKind
from annotations.services import speaker_create
from tests import factories


class ListQueryCounts(TestCase):
    def setUp(self):
        self.client = APIClient()
        self.client.force_authenticate(User.objects.create_superuser("ada", "a@example.com", "pw"))
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

    def counts(self) -> dict[str, int]:
        found = {}
        for path in (
            "/api/collections/",
            "/api/documents/",
            "/api/annotations/",
            "/api/speakers/",
            "/api/exports/",
            "/api/jobs/",
        ):
            with self.assertNumQueries(self.expected[path]):
                response = self.client.get(path, {"page_size": 100})
            self.assertEqual(response.status_code, 200)
            found[path] = response.json()["count"]
        return found

    expected = {
        # count + page; documents: + annotations + spans + attributions (with their spans)
        "/api/collections/": 2,
        "/api/documents/": 5,
        "/api/annotations/": 4,
        "/api/speakers/": 3,  # + aliases
        "/api/exports/": 2,
        "/api/jobs/": 2,
    }

    def searched(self, query: str) -> int:
        """Documents found by a search: as many queries as the plain list."""
        with self.assertNumQueries(self.expected["/api/documents/"]):
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
