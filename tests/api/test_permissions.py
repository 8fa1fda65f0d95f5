"""Every endpoint against every role: who may read, review, administer; and 401/403/404."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotations.models import Document, Export, Speaker
from annotations.services.exports import export_gold
from tests.api.conftest import ROLES

pytestmark = pytest.mark.django_db

READ, REVIEW, ADMIN = (401, 200, 200, 200), (401, 403, 200, 200), (401, 403, 403, 200)


def doc_id() -> int:
    return Document.objects.get(external_id="riverton-night-buses").pk


def speaker_id() -> int:
    return Speaker.objects.get(name="Dana Whitfield").pk


def export_id(settings) -> int:
    collection = Document.objects.first().collection
    return export_gold(collection=collection, fmt="jsonl", out=settings.EXPORT_DIR / "x").pk


MATRIX = [
    ("get", lambda s: "/api/collections/", None, READ),
    ("get", lambda s: "/api/collections/demo/", None, READ),
    ("post", lambda s: "/api/collections/", {"name": "new", "overlap": 2}, (401, 403, 403, 201)),
    ("patch", lambda s: "/api/collections/demo/", {"overlap": 2}, ADMIN),
    # Never computed in the fixture: reviewers learn so (404); a POST computes it (a job).
    ("get", lambda s: "/api/collections/demo/agreement/", None, (401, 403, 404, 404)),
    ("get", lambda s: "/api/collections/demo/agreement/documents/", None, (401, 403, 404, 404)),
    ("post", lambda s: "/api/collections/demo/agreement/", {}, (401, 403, 202, 202)),
    ("post", lambda s: "/api/collections/demo/preannotate/", {}, (401, 403, 403, 202)),
    ("get", lambda s: "/api/collections/demo/labelstudio/", {}, (401, 403, 200, 200)),
    ("post", lambda s: "/api/collections/demo/labelstudio/setup/", {}, (401, 403, 403, 202)),
    ("post", lambda s: "/api/collections/demo/labelstudio/push/", {}, (401, 403, 403, 202)),
    ("post", lambda s: "/api/collections/demo/labelstudio/pull/", {}, (401, 403, 403, 202)),
    ("get", lambda s: "/api/documents/", None, READ),
    ("get", lambda s: f"/api/documents/{doc_id()}/", None, READ),
    ("get", lambda s: f"/api/documents/{doc_id()}/review/", None, REVIEW),
    ("post", lambda s: f"/api/documents/{doc_id()}/adjudicate/", {"decisions": []}, REVIEW),
    ("post", lambda s: f"/api/documents/{doc_id()}/reject/", {"note": "off topic"}, REVIEW),
    ("post", lambda s: f"/api/documents/{doc_id()}/send-back/", {"note": "again"}, REVIEW),
    ("get", lambda s: "/api/annotations/", None, READ),
    ("get", lambda s: "/api/speakers/", None, READ),
    ("patch", lambda s: f"/api/speakers/{speaker_id()}/", {"external_id": "Q1"}, REVIEW),
    (
        "post",
        lambda s: f"/api/speakers/{speaker_id()}/merge/",
        lambda s: {"others": [Speaker.objects.get(name="Greg Olsen").pk]},
        REVIEW,
    ),
    ("get", lambda s: "/api/exports/", None, REVIEW),
    (
        "post",
        lambda s: "/api/exports/",
        {"collection": "demo", "format": "jsonl"},
        (401, 403, 403, 202),
    ),
    ("get", lambda s: f"/api/exports/{export_id(s)}/download/", None, REVIEW),
    ("get", lambda s: "/api/jobs/", None, READ),
    # The API's description is public; the data is not.
    ("get", lambda s: "/api/schema/", None, (200, 200, 200, 200)),
    ("get", lambda s: "/api/docs/", None, (200, 200, 200, 200)),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), MATRIX, ids=[str(i) for i in range(len(MATRIX))]
)
def test_role_matrix(api, settings, role, method, path, body, expected):
    call = getattr(api(role), method)
    body = body(settings) if callable(body) else body
    response = call(path(settings)) if body is None else call(path(settings), body, format="json")
    if response.streaming:
        # Read to the end, as a server does: the test client then closes the archive. (An
        # explicit close() would also close the test's database connection on PostgreSQL.)
        b"".join(response.streaming_content)
    assert response.status_code == expected[ROLES.index(role)], response.content[:300]
    if response.status_code in (401, 403):
        assert "detail" in response.json()


def test_import_is_for_admins_and_answers_with_a_job(api):
    upload = SimpleUploadedFile(
        "new.txt", b"A fresh article about nothing.", content_type="text/plain"
    )
    for role, expected in (("reviewer", 403), ("admin", 202)):
        upload.seek(0)
        response = api(role).post(
            "/api/collections/demo/import/", {"files": [upload]}, format="multipart"
        )
        assert response.status_code == expected
    job = response.json()
    assert (job["kind"], job["status"], job["result"]["documents"]["created"]) == (
        "import",
        "done",
        1,
    )
    assert api("admin").get(job["url"]).json()["status"] == "done"


def test_annotators_see_only_their_collections(api, users, demo):
    from annotations.services import collection_get_or_create

    other, _ = collection_get_or_create(name="other")
    Document.objects.create(collection=other, external_id="secret", text="hidden", text_hash="x")
    secret = Document.objects.get(external_id="secret").pk
    assert api("annotator").get(f"/api/documents/{secret}/").status_code == 404
    assert api("annotator").get("/api/collections/other/").status_code == 404
    assert api("annotator").get("/api/documents/", {"collection": "other"}).json()["results"] == []
    assert api("reviewer").get(f"/api/documents/{secret}/").status_code == 200


def test_unknown_ids_are_404_with_a_body(api):
    for path in ("/api/documents/999999/", "/api/collections/nope/", "/api/exports/999/download/"):
        response = api("admin").get(path)
        assert response.status_code == 404 and "detail" in response.json()


def test_users_without_a_role_are_forbidden(api, django_user_model):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    nobody = django_user_model.objects.create_user("nobody")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=nobody).key}")
    assert client.get("/api/documents/").status_code == 403


def test_an_annotator_token_cannot_export_or_review(api):
    annotator = api("annotator")
    assert (
        annotator.post(
            "/api/exports/", {"collection": "demo", "format": "jsonl"}, format="json"
        ).status_code
        == 403
    )
    assert (
        annotator.post(f"/api/documents/{doc_id()}/adjudicate/", {}, format="json").status_code
        == 403
    )
    assert not Export.objects.exists()
