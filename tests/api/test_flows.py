"""What a data engineer does through the API with a token, end to end."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotations.models import Annotation, Collection, Document, Job, Speaker
from annotations.services import speaker_create

pytestmark = pytest.mark.django_db


def riverton() -> Document:
    return Document.objects.get(external_id="riverton-night-buses")


def test_review_then_adjudicate_with_decisions(api):
    Annotation.objects.filter(kind="gold").delete()
    client = api("reviewer")
    review = client.get(f"/api/documents/{riverton().pk}/review/").json()
    assert review["annotators"] == ["ann@example.com", "bob@example.com"]
    assert [u["agreed"] for u in review["units"]] == [False, True, True, True, False, False]
    body = {
        "decisions": [
            {"unit": 0, "take": "bob@example.com", "stance": "oppose"},
            {"unit": 4, "take": None},
        ]
    }
    gold = client.post(f"/api/documents/{riverton().pk}/adjudicate/", body, format="json").json()
    assert (gold["kind"], gold["annotator"], len(gold["attributions"])) == ("gold", "rita", 5)
    assert gold["attributions"][0]["stance"] == "oppose"
    document = client.get(f"/api/documents/{riverton().pk}/").json()
    assert document["status"] == "gold" and len(document["annotations"]["gold"]) == 1


def test_adjudicate_refuses_bad_decisions_and_writes_nothing(api):
    Annotation.objects.filter(kind="gold").delete()
    client = api("reviewer")
    response = client.post(
        f"/api/documents/{riverton().pk}/adjudicate/",
        {"decisions": [{"unit": 4, "take": "bob@example.com"}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "quote 5: choose one of the versions that have it"}
    response = client.post(
        f"/api/documents/{riverton().pk}/adjudicate/",
        {"decisions": [{"unit": "x", "stance": "furious"}]},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["decisions"]["0"]) == {"unit", "take", "stance"}
    assert not Annotation.objects.filter(kind="gold").exists()


def test_adjudicate_with_redrawn_boundaries_and_an_added_quote(api):
    Annotation.objects.filter(kind="gold").delete()
    client = api("reviewer")
    text = riverton().text

    def at(piece):
        return {"start": text.index(piece), "end": text.index(piece) + len(piece)}

    body = {
        "decisions": [{"unit": 1, "take": "ann@example.com", "speaker_at": at("Dana Whitfield")}],
        "added": [{"quote_at": at("voted 7-2"), "speaker_at": at("The Riverton city council"),
                   "speaker_name": "Riverton city council", "claim_type": "factual"}],
    }  # fmt: skip
    gold = client.post(f"/api/documents/{riverton().pk}/adjudicate/", body, format="json").json()
    spans = {span["id"]: span for span in gold["spans"]}
    first, _, third = gold["attributions"][:3]
    assert spans[first["quote"]]["text"] == "voted 7-2"
    assert (spans[first["speaker"]]["text"], first["claim_type"]) == (
        "The Riverton city council",
        "factual",
    )
    assert spans[third["speaker"]]["text"] == "Dana Whitfield"
    assert len(gold["attributions"]) == 7
    bad = client.post(
        f"/api/documents/{riverton().pk}/adjudicate/",
        {"added": [{"quote_at": {"start": 9, "end": 3}}, {"speaker_name": "x"}]},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["added"]["0"]["quote_at"] == {
        "non_field_errors": ["start must be less than end"]
    }
    assert "quote_at" in bad.json()["added"]["1"]
    far = {
        "decisions": [{"unit": 0, "take": "ann@example.com", "cue_at": {"start": 5, "end": 10**6}}]
    }
    bad = client.post(f"/api/documents/{riverton().pk}/adjudicate/", far, format="json")
    assert bad.status_code == 400
    assert bad.json()["detail"].startswith(
        "quote 1: the cue 5-1000000 is not a stretch of the text"
    )
    assert Annotation.objects.filter(kind="gold").count() == 1


def test_export_job_then_download(api):
    client = api("admin")
    job = client.post(
        "/api/exports/",
        {"collection": "demo", "format": "conll", "split": "0.5,0.5"},
        format="json",
    ).json()
    assert (job["status"], job["done"], job["total"]) == ("done", 8, 8)
    export = client.get(f"/api/exports/{job['result']['export']}/").json()
    assert export["status"] == "done" and export["download"]
    response = client.get(export["download"])
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert any(n.endswith("train.conll") for n in names)
    bad = client.post(
        "/api/exports/", {"collection": "nope", "format": "xml", "seed": -1}, format="json"
    )
    assert bad.status_code == 400 and set(bad.json()) == {"collection", "format", "seed"}
    nul = client.post("/api/exports/", {"collection": "de\x00mo", "format": "conll"}, format="json")
    assert nul.status_code == 400 and "demo" in nul.json()["collection"][0]
    assert not Job.objects.filter(params__format="conll").exclude(pk=job["id"]).exists()


def test_collections_are_created_and_changed_through_the_service(api):
    client = api("admin")
    created = client.post(
        "/api/collections/", {"name": "wire", "title": "Wire", "overlap": 3}, format="json"
    )
    assert created.status_code == 201 and created.json()["overlap"] == 3
    bad = client.post("/api/collections/", {"name": "has space", "overlap": 0}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"name", "overlap"}
    unknown = client.patch("/api/collections/wire/", {"scheme": "quotes-v9"}, format="json")
    assert unknown.status_code == 400 and "unknown label scheme" in unknown.json()["detail"]
    assert Collection.objects.get(name="wire").scheme == "quotes-v1"
    assert not Collection.objects.filter(title="has space").exists()


def test_import_job_reports_failed_files_and_writes_nothing_from_them(api):
    client = api("admin")
    good = SimpleUploadedFile("good.txt", b"A quiet day in the city.")
    bad = SimpleUploadedFile("bad.jsonl", json.dumps({"id": "x", "text": ""}).encode())
    job = client.post(
        "/api/collections/demo/import/", {"files": [good, bad]}, format="multipart"
    ).json()
    assert job["status"] == "failed" and "1 file(s) failed" in job["error"]
    assert job["result"]["failed_files"] == {
        "bad.jsonl": ["bad.jsonl:1: the document text is empty"]
    }
    assert job["result"]["documents"]["created"] == 1
    assert not Document.objects.filter(external_id="x").exists()
    empty = client.post("/api/collections/demo/import/", {}, format="multipart")
    assert empty.status_code == 400 and "files" in empty.json()


def test_preannotate_and_label_studio_jobs_record_their_outcome(api):
    client = api("admin")
    done = client.post("/api/collections/demo/preannotate/").json()
    assert done["status"] == "done" and done["result"]["quotes"] > 0
    failed = client.post("/api/collections/demo/labelstudio/pull/").json()
    assert failed["status"] == "failed" and "has no Label Studio project yet" in failed["error"]
    full = client.post("/api/collections/demo/labelstudio/pull/", {"full": True}, format="json")
    assert full.status_code == 202 and full.json()["params"] == {"full": True}
    bad = client.post("/api/collections/demo/labelstudio/pull/", {"full": "maybe"}, format="json")
    assert bad.status_code == 400 and "full" in bad.json()


def test_jobs_are_private_to_whoever_started_them(api, users):
    api("admin").post("/api/collections/demo/preannotate/")
    assert len(api("admin").get("/api/jobs/").json()["results"]) == 1
    assert api("annotator").get("/api/jobs/").json()["results"] == []
    job = Job.objects.get()
    assert api("annotator").get(f"/api/jobs/{job.pk}/").status_code == 404


def test_speaker_merge_and_edit(api):
    client = api("reviewer")
    target, other = Speaker.objects.get(name="Greg Olsen"), speaker_create(name="G. Olsen")
    merged = client.post(
        f"/api/speakers/{target.pk}/merge/", {"others": [other.pk]}, format="json"
    ).json()
    assert "G. Olsen" in merged["aliases"]
    assert (
        client.patch(f"/api/speakers/{target.pk}/", {"external_id": "Q123"}, format="json").json()[
            "external_id"
        ]
        == "Q123"
    )
    assert (
        client.post(
            f"/api/speakers/{target.pk}/merge/", {"others": [target.pk]}, format="json"
        ).status_code
        == 400
    )
    found = client.get("/api/speakers/", {"search": "G. Olsen"}).json()
    assert [s["name"] for s in found["results"]] == ["Greg Olsen"]


def test_tokens_are_throttled_but_sessions_are_not(api, users, monkeypatch):
    from annotations.api.throttling import TokenRateThrottle

    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "2/min"})
    client = api("reviewer")
    statuses = [client.get("/api/collections/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    from rest_framework.test import APIClient

    session = APIClient()
    session.force_login(users["reviewer"])
    assert [session.get("/api/collections/").status_code for _ in range(3)] == [200, 200, 200]


def test_document_filters(api):
    client = api("reviewer")

    def found(path: str, **params) -> int:
        response = client.get(path, params)
        assert response.status_code == 200, response.json()
        return len(response.json()["results"])

    assert found("/api/documents/", q="Okafor") == 1
    assert found("/api/documents/", status="gold", collection="demo") == 8
    assert client.get("/api/documents/", {"status": "done"}).status_code == 400
    assert found("/api/annotations/", kind="human", collection="demo") == 4
    assert found("/api/annotations/", flagged="true") == 0


def test_label_studio_status_says_when_the_server_is_down(api):
    report = api("reviewer").get("/api/collections/demo/labelstudio/").json()
    assert report["healthy"] is False
    assert (report["documents"], report["pushed"], report["last_pull"]) == (8, 0, None)
    assert "tasks" not in report


def test_every_error_body_is_an_object(api):
    response = api("reviewer").get("/api/collections/", {"search": "a\x00b"})
    assert response.status_code == 400
    assert response.json() == {"detail": "Null characters are not allowed."}
