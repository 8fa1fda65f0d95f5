import io
import json
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from annotations.models import Annotation, Collection, Document
from tests.importers.test_jsonl import RECORD

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_documents", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_documents", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), str(failure.value)


def test_imports_the_fixtures_as_gold_and_reports_counts(settings):
    out, _ = run(settings.BASE_DIR / "fixtures" / "gold.jsonl", "--collection", "demo", "--as-gold")
    assert "Created collection 'demo'." in out
    assert "documents 8 new, 0 updated, 0 skipped (unchanged); annotations 8 new" in out
    assert "Files failed: 0." in out
    assert Document.objects.filter(status="gold").count() == 8
    out, _ = run(settings.BASE_DIR / "fixtures" / "gold.jsonl", "--collection", "demo", "--as-gold")
    assert (
        "documents 0 new, 0 updated, 8 skipped (unchanged); annotations 0 new, 0 updated, 8 skipped"
        in out
    )


def test_a_failing_file_writes_nothing_while_good_files_are_imported(tmp_path):
    (tmp_path / "good.txt").write_text("A fine article.")
    (tmp_path / "bad.jsonl").write_text(
        json.dumps(RECORD) + "\n" + json.dumps({"id": "x", "text": ""})
    )
    out, err, message = run_failing(tmp_path, "--collection", "news")
    assert f"FAILED {tmp_path / 'bad.jsonl'} (1 error(s)):" in err
    assert f"{tmp_path / 'bad.jsonl'}:2: the document text is empty" in err
    assert "documents 1 new" in out and "Files failed: 1." in out
    assert message == "1 file(s) failed; nothing from them was written"
    assert list(Document.objects.values_list("external_id", flat=True)) == ["good"]


def test_brat_event_pointing_at_a_missing_entity(tmp_path):
    (tmp_path / "a.txt").write_text("He said “no.”")
    (tmp_path / "a.ann").write_text(
        "T1\tContent 8 13\t“no.”\nE1\tAttribution:T1 Content:T1 Source:T7\n"
    )
    _, err, _ = run_failing(tmp_path / "a.ann", "--collection", "news")
    assert f"{tmp_path / 'a.ann'}:2: E1: its speaker T7 is not a defined entity" in err
    assert not Document.objects.exists()


def test_size_limit_is_a_setting(tmp_path, settings):
    settings.DOCUMENT_MAX_BYTES = 10
    (tmp_path / "long.txt").write_text("x" * 11)
    _, err, _ = run_failing(tmp_path / "long.txt", "--collection", "news")
    assert "the document is 11 bytes, over the limit of 10 (setting DOCUMENT_MAX_BYTES)" in err


def test_unknown_labels_fail_the_file(tmp_path):
    record = {**RECORD, "spans": [{**RECORD["spans"][0], "label": "Person"}], "attributions": []}
    (tmp_path / "a.jsonl").write_text(json.dumps(record))
    _, err, _ = run_failing(tmp_path / "a.jsonl", "--collection", "news")
    assert "unknown label 'Person' (the scheme has Quote, Speaker, Cue)" in err
    assert not Annotation.objects.exists()


def test_bad_arguments(tmp_path):
    _, _, message = run_failing(tmp_path / "nope.txt", "--collection", "news")
    assert message.endswith("nope.txt: no such file or directory")
    (tmp_path / "a.txt").write_text("x")
    _, _, message = run_failing(tmp_path / "a.txt", "--collection", "not a slug")
    assert "must be 1-100 letters" in message
    assert not Collection.objects.exists()
    (tmp_path / "empty").mkdir()
    _, _, message = run_failing(tmp_path / "empty", "--collection", "news")
    assert message == "no importable files under the given paths"


def test_dry_run(tmp_path):
    (tmp_path / "a.txt").write_text("Text.")
    out, _ = run(tmp_path, "--collection", "news", "--dry-run")
    assert "Dry run, nothing written. Would have imported: documents 1 new" in out
    assert not Document.objects.exists()


def test_exit_status_and_message_from_the_command_line(tmp_path, settings):
    completed = subprocess.run(
        [sys.executable, "manage.py", "import_documents", str(tmp_path / "missing.jsonl"),
         "--collection", "news"],
        cwd=settings.BASE_DIR, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 1
    assert (
        completed.stderr.strip()
        == f"CommandError: {tmp_path / 'missing.jsonl'}: no such file or directory"
    )


def test_a_corpus_as_shipped_imports_one_version_per_annotator(tmp_path):
    from tests.importers.test_brat_corpus import ANN_A, ANN_B, corpus

    corpus(tmp_path, a1=ANN_A, b2=ANN_B)
    out, err = run(tmp_path, "--collection", "news", "--format", "brat",
                   "--brat-profile", "polnear", "--dry-run")  # fmt: skip
    assert (
        f"{tmp_path / 'attributions' / 'budget_a1.ann'}: 1 document(s), 3 Cue spans, 4 Quote spans"
        in out
    )
    assert "1 split spans" in out and "1 skipped Discuss" in out
    assert "budget_a1.ann:18: E4: an attribution with no content" in err
    assert "Dry run, nothing written." in out
    assert not Document.objects.exists() and not Annotation.objects.exists()

    out, _ = run(tmp_path, "--collection", "news", "--brat-profile", "polnear")
    assert "documents 1 new, 0 updated, 1 skipped (unchanged); annotations 2 new" in out
    [document] = Document.objects.all()
    assert sorted(document.annotations.values_list("kind", "annotator__name")) == [
        ("human", "a1"), ("human", "b2"),
    ]  # fmt: skip
    split = document.annotations.get(annotator__name="a1").spans.get(region_id="T1")
    assert len(split.fragments) == 2 and split.text == document.text[split.start : split.end]
    report = io.StringIO()
    call_command("agreement", "--collection", "news", "--json", stdout=report)
    unitizing = json.loads(report.getvalue())["unitizing"]
    assert unitizing["tokens"] > 30 and -1 <= unitizing["pooled"] <= 1


def test_brat_options_are_checked_before_anything_is_written(tmp_path):
    from tests.importers.test_brat_corpus import ANN_A, ANN_B, corpus

    corpus(tmp_path, a1=ANN_A, b2=ANN_B)
    _, _, message = run_failing(tmp_path, "--collection", "news", "--brat-map", "Discuss=Person")
    assert "--brat-map: 'Discuss=Person' is not LABEL=TARGET" in message
    _, _, message = run_failing(tmp_path, "--collection", "news", "--brat-profile", "polnear",
                                "--as-gold")  # fmt: skip
    assert "--as-gold keeps one annotation per document, but" in message
    assert "has 2 .ann files (a1, b2)" in message
    assert not Collection.objects.exists() and not Document.objects.exists()
