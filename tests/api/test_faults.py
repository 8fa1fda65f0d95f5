"""Faults found by probing from outside, each kept fixed."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from dataclasses import replace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotations.models import Collection, Job, Speaker, SpeakerAlias
from annotations.records import AnnotationKind
from annotations.services import speaker_create
from tests import factories

pytestmark = pytest.mark.django_db


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_two_uploads_with_one_name_are_refused_not_one_dropped(api, demo):
    files = [upload("story.txt", b"One story."), upload("story.txt", b"Another story.")]
    answer = api("admin").post("/api/collections/demo/import/", {"files": files},
                               format="multipart")  # fmt: skip
    assert answer.status_code == 400
    assert answer.json()["detail"].startswith("several uploaded files are named 'story.txt'")
    assert not Job.objects.exists()


def test_uploads_of_no_known_format_are_refused_without_naming_the_server_folder(api, demo):
    answer = api("admin").post("/api/collections/demo/import/",
                               {"files": [upload("photo.png", b"\x89PNG")]}, format="multipart")  # fmt: skip
    assert answer.status_code == 400
    detail = answer.json()["detail"]
    assert "none of the uploaded files ('photo.png') is in a format the import reads" in detail
    assert "uploads" not in detail and not Job.objects.exists()


def test_a_filter_value_it_cannot_read_is_a_400_not_ignored(api, demo):
    answer = api("reviewer").get("/api/annotations/", {"flagged": "maybe"})
    assert answer.status_code == 400 and "flagged" in answer.json()
    assert api("reviewer").get("/api/annotations/", {"flagged": "true"}).status_code == 200


def named(speaker_name: str):
    record = factories.quote_annotation(kind=AnnotationKind.HUMAN)
    record.attributions = [replace(a, speaker_name=speaker_name) for a in record.attributions]
    return record


def test_annotators_see_only_the_speakers_of_their_collections(api, demo):
    hidden = Collection.objects.create(name="secret")
    factories.annotation(factories.document(hidden, external_id="s-1"), named("Hidden Person"))
    listed = api("annotator").get("/api/speakers/", {"page_size": 500}).json()["results"]
    names = {speaker["name"] for speaker in listed}
    assert names == set(
        Speaker.objects.filter(attributions__annotation__document__collection=demo).values_list(
            "name", flat=True
        )
    )
    assert "Hidden Person" not in names and Speaker.objects.filter(name="Hidden Person").exists()
    assert "Hidden Person" in {
        s["name"]
        for s in api("reviewer").get("/api/speakers/", {"page_size": 500}).json()["results"]
    }


def test_a_name_that_is_a_speakers_own_never_becomes_another_speakers_alias():
    speaker_create(name="Ana Lopez")  # someone else altogether
    factories.annotation(factories.document(), named("Dr. Ana Lopez Garcia"))
    assert Speaker.objects.filter(name="Dr. Ana Lopez Garcia").exists()
    assert not SpeakerAlias.objects.filter(key="ana lopez").exists()


def test_a_jsonl_file_that_begins_with_a_byte_order_mark_is_read(tmp_path):
    from django.core.management import call_command

    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"id": "x", "text": "Hello."}).encode())
    call_command("import_documents", str(path), "--collection", "news", stdout=io.StringIO())
    assert Collection.objects.get(name="news").documents.get().external_id == "x"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "false"}, "Configuration error: SECRET_KEY must be set when DEBUG is off"),
        ({"DEBUG": "false", "SECRET_KEY": "x"}, "SECRET_KEY has 1 characters; use at least 50"),
    ],
)
def test_production_settings_missing_say_so_in_a_line(env, message, settings):
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", **env},
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert message in done.stderr and "Traceback" not in done.stderr
