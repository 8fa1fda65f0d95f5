import io
import json

import pytest
from django.core.management import CommandError, call_command

from annotations.models import Collection, DocumentAgreement

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_annotators(settings):
    call_command("import_documents", str(settings.BASE_DIR / "fixtures" / "annotators.jsonl"),
                 "--collection", "demo", stdout=io.StringIO())  # fmt: skip


def run(*args) -> str:
    out = io.StringIO()
    call_command("agreement", *args, stdout=out)
    return out.getvalue()


def test_json_report_of_the_two_annotator_fixture(two_annotators):
    report = json.loads(run("--collection", "demo", "--json"))
    assert (report["documents"], report["annotators"]) == (
        2,
        ["ann@example.com", "bob@example.com"],
    )
    [pair] = report["pairs"]
    # Bob dropped one of Ann's 12 quotes: TP 11, FN 1 -> F1 = 22/23.
    assert pair["spans"]["Quote"]["exact"] == pytest.approx(22 / 23)
    # "told" against "told reporters", and one cue dropped.
    assert pair["spans"]["Cue"]["exact"] < 1
    # The documents, as the API lists them: the most disagreement first.
    assert [d["document"] for d in report.pop("per_document")] == [
        "riverton-night-buses",
        "northgate-winter-staffing",
    ]
    assert report.pop("per_document_count") == 2
    assert 0 < report["choices"]["stance"]["alpha"] < 1
    # Stored for the pages that show it: the report on the collection, a row per document.
    collection = Collection.objects.get(name="demo")
    computed_at = report.pop("computed_at")
    assert collection.agreement == report
    assert computed_at.startswith(collection.agreement_at.strftime("%Y-%m-%dT%H:%M:%S."))
    assert DocumentAgreement.objects.filter(collection=collection).count() == 2


def test_table_and_errors(two_annotators):
    out = run("--collection", "demo")
    assert "2 document(s) with two or more annotators" in out and "Krippendorff" in out
    assert "Documents with the most disagreement (2 in all)" in out
    assert out.index("riverton-night-buses") < out.index("northgate-winter-staffing")
    with pytest.raises(CommandError, match="no collection named 'x'"):
        run("--collection", "x")


def test_nothing_to_compare():
    call_command("collection", "empty", stdout=io.StringIO())
    assert "No document of 'empty' has two human annotations yet." in run("--collection", "empty")
