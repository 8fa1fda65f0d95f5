"""One service per operation: every door refuses the same way, and a refusal writes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from annotations.adjudication import review_rows
from annotations.models import Annotation, Collection, Document, Job, Speaker
from annotations.services import review, speaker_create

pytestmark = pytest.mark.django_db


def riverton() -> Document:
    return Document.objects.get(external_id="riverton-night-buses")


def test_renaming_a_speaker_onto_another_is_a_409_not_a_500(api, admin_client):
    lopez = speaker_create(name="Ana Lopez")
    other = Speaker.objects.get(name="Greg Olsen")
    answer = api("reviewer").patch(f"/api/speakers/{other.pk}/", {"name": "ana  LOPEZ"})
    assert answer.status_code == 409
    assert answer.json() == {
        "detail": f"'ana LOPEZ' is the name of another speaker ({lopez.pk}); merge them"
    }
    other.refresh_from_db()
    assert other.name == "Greg Olsen"
    # The admin's form goes through the same service and says the same.
    page = admin_client.post(
        reverse("admin:annotations_speaker_change", args=[other.pk]),
        {"name": "ANA lopez", "external_id": "", "description": "",
         "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0"},
        follow=True,
    )  # fmt: skip
    assert page.status_code == 200 and b"is the name of another speaker" in page.content
    assert Speaker.objects.get(pk=other.pk).name == "Greg Olsen"


def test_a_refused_collection_change_changes_nothing(api, demo):
    Collection.objects.create(name="taken")
    admin = api("admin")
    refused = admin.patch("/api/collections/demo/", {"name": "taken", "overlap": 3})
    assert refused.status_code == 409
    assert (
        refused.json()["detail"] == "a collection named 'taken' exists already; choose another name"
    )
    demo.refresh_from_db()
    assert (demo.name, demo.overlap) == ("demo", 1)
    renamed = admin.patch("/api/collections/demo/", {"name": "other", "overlap": 3})
    assert renamed.status_code == 200 and renamed.json()["name"] == "other"
    demo.refresh_from_db()
    assert (demo.name, demo.overlap) == ("other", 3)
    assert admin.post("/api/collections/", {"name": "taken"}).status_code == 409


def test_label_studio_down_is_a_503_with_the_reason_and_nothing_changes(api):
    Document.objects.filter(pk=riverton().pk).update(ls_task_id=12345, status="in_review")
    answer = api("reviewer").post(f"/api/documents/{riverton().pk}/send-back/", {"note": "again"})
    assert answer.status_code == 503
    body = answer.json()
    assert body["detail"].startswith("cannot reach Label Studio to read task 12345")
    assert body["label_studio"] == {"status": None, "retry": True}
    assert riverton().status == "in_review"


def test_adjudicate_and_push_refuses_before_writing_when_the_document_is_not_in_label_studio(api):
    Annotation.objects.filter(kind="gold").delete()
    answer = api("reviewer").post(f"/api/documents/{riverton().pk}/adjudicate/",
                                  {"push": True}, format="json")  # fmt: skip
    assert answer.status_code == 409
    assert "is not in Label Studio; push it first" in answer.json()["detail"]
    assert not Annotation.objects.filter(kind="gold").exists()


def test_adjudicate_and_push_writes_the_gold_and_starts_the_push_as_a_job(api, settings):
    Document.objects.filter(pk=riverton().pk).update(ls_task_id=12345)
    answer = api("reviewer").post(f"/api/documents/{riverton().pk}/adjudicate/",
                                  {"push": True}, format="json")  # fmt: skip
    assert answer.status_code == 200
    job = answer.json()["push_job"]
    assert job["kind"] == "labelstudio_gold_push" and job["status"] == "failed"
    assert "cannot reach Label Studio" in job["error"]  # nobody listens in tests
    assert Annotation.objects.filter(document=riverton(), kind="gold").count() == 1
    again = api("admin").post(f"/api/jobs/{job['id']}/retry/")
    assert again.status_code == 202 and again.json()["id"] != job["id"]
    done = api("admin").post(f"/api/jobs/{again.json()['id']}/retry/")
    assert done.status_code in (202, 409)


def test_a_second_review_rewrites_the_one_gold_whatever_its_source(api):
    before = Annotation.objects.get(document=riverton(), kind="gold")
    assert before.source_key == "import:gold"
    reviewer = api("reviewer")
    for stance in ("oppose", "support"):
        body = {"decisions": [{"unit": 0, "take": "bob@example.com", "stance": stance}]}
        answer = reviewer.post(f"/api/documents/{riverton().pk}/adjudicate/", body, format="json")
        assert answer.status_code == 200
    [gold] = Annotation.objects.filter(document=riverton(), kind="gold")
    assert gold.pk == before.pk and gold.source_key == "review"
    assert gold.attributions.order_by("quote__start").first().stance == "support"


def test_the_api_review_shows_the_rows_the_admin_page_shows(api, admin_client):
    state = review.review_state(riverton())
    rows, added = review_rows(state.units, state.gold_record)
    answer = api("reviewer").get(f"/api/documents/{riverton().pk}/review/").json()
    assert [u["default"] for u in answer["units"]] == [row.default for row in rows]
    assert [u["differs"] for u in answer["units"]] == [row.differs for row in rows]
    assert all(u["gold"] is not None for u in answer["units"])
    assert answer["added_in_gold"] == [] and added == []
    page = admin_client.get(reverse("admin:annotations_document_review", args=[riverton().pk]))
    assert page.content.decode().count("current-gold") == len(rows)


def test_the_admin_starts_the_jobs_the_api_starts(admin_client, demo, settings, tmp_path):
    settings.EXPORT_DIR = tmp_path / "exports"
    url = reverse("admin:annotations_collection_changelist")
    pushed = admin_client.post(
        url, {"action": "push_to_label_studio", "_selected_action": [demo.pk]}, follow=True
    )
    job = Job.objects.get(kind=Job.Kind.PUSH)
    assert f"job {job.pk}" in pushed.content.decode()
    assert job.status == "failed" and "no Label Studio project yet" in job.error
    page = admin_client.get(reverse("admin:annotations_job_changelist"))
    assert b"labelstudio_push" in page.content or b"Push" in page.content
    retried = admin_client.post(
        reverse("admin:annotations_job_changelist"),
        {"action": "retry", "_selected_action": [job.pk]},
        follow=True,
    )
    assert Job.objects.filter(kind=Job.Kind.PUSH).count() == 2
    assert b"retry of job" in retried.content
