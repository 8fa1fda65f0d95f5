"""A split quote from a corpus as shipped, through a real Label Studio and every export."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from annotations.adjudication import default_decisions
from annotations.labelstudio import sync
from annotations.labelstudio.convert import domain_to_result, result_to_domain
from annotations.models import Annotation, Document
from annotations.scheme import QUOTES_V1
from annotations.selectors import annotation_records
from annotations.services import review
from annotations.services.exports import export_gold
from tests.importers.test_brat_corpus import ANN_A, corpus
from tests.live import free_port

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
FORMATS = ("jsonl", "conll", "spacy", "hf", "brat", "labelstudio")


def record_of(annotation: Annotation):
    return annotation_records([annotation])[annotation.pk]


def content(record):
    """What an annotation says, whatever its span ids: spans by place, attributions by them."""
    spans = record.span_by_id()

    def place(span_id):
        span = spans.get(span_id)
        return (span.label, span.pieces) if span else None

    return (
        sorted((s.label, s.pieces, s.text) for s in record.spans),
        sorted(
            (
                place(a.quote),
                place(a.speaker),
                place(a.cue),
                a.speaker_name,
                a.quote_type,
                a.stance,
                a.claim_type,
            )
            for a in record.attributions
        ),  # fmt: skip
    )


def test_a_split_quote_goes_through_label_studio_and_every_export_unchanged(
    ls_collection, ls_client, tmp_path, settings, django_user_model
):
    settings.PUBLIC_URL = f"http://127.0.0.1:{free_port()}"  # webhooks lost; pull repairs
    (tmp_path / "corpus").mkdir()
    corpus(tmp_path / "corpus", a1=ANN_A)
    call_command("import_documents", str(tmp_path / "corpus"), "--collection", ls_collection.name,
                 "--brat-profile", "polnear", stdout=io.StringIO())  # fmt: skip
    [document] = Document.objects.filter(collection=ls_collection)
    imported = Annotation.objects.get(document=document, annotator__name="a1")
    source = record_of(imported)
    [split] = [s for s in source.spans if s.fragments]

    # An annotator makes the same annotation in Label Studio: a region per piece.
    sync.project_setup(collection=ls_collection, client=ls_client)
    sync.push(collection=ls_collection, client=ls_client)
    document.refresh_from_db()
    result = domain_to_result(source.spans, source.attributions, source.relations, QUOTES_V1)
    ids = (split.id, f"{split.id}.2")
    pieces = [r for r in result if r.get("type") == "labels" and r["id"] in ids]
    assert [(r["value"]["start"], r["value"]["end"]) for r in pieces] == list(split.fragments)
    made = ls_client.annotation_create(document.ls_task_id, result, lead_time=20)
    pulled = sync.pull(collection=ls_collection, client=ls_client)
    assert (pulled.created, pulled.flagged) == (1, 0)
    from_ls = Annotation.objects.get(ls_annotation_id=made["id"])
    assert record_of(from_ls).spans == source.spans
    assert record_of(from_ls).attributions == source.attributions

    # The reviewer settles the gold from it and sends it back as ground truth.
    imported.delete()
    reviewer = django_user_model.objects.create_user("rita")
    state = review.review_state(document)
    gold = review.document_adjudicate(
        document=document, reviewer=reviewer, decisions=default_decisions(state.units)
    ).gold
    gold_record = record_of(gold)
    assert content(gold_record) == content(source)
    review.gold_push(document=document, client=ls_client)
    _, [task] = ls_client.export_snapshot(ls_collection.ls_project_id)
    [truth] = [a for a in task["annotations"] if a["ground_truth"]]
    back = result_to_domain(truth["result"], QUOTES_V1, text=document.text)
    assert back.problems == [] and back.spans == gold_record.spans

    # Every export: the token formats leave the words between the pieces untagged, and the
    # formats that carry annotations re-import to the same gold.
    for fmt in FORMATS:
        export_gold(collection=ls_collection, fmt=fmt, out=tmp_path / fmt, split="1")
    rows = [line.split("\t") for line in (tmp_path / "conll/train.conll").read_text().splitlines()
            if line and not line.startswith("#")]  # fmt: skip
    gap = range(split.fragments[0][1], split.fragments[1][0])
    between = [row for row in rows if int(row[1]) in gap]
    assert between and all(row[3] == "O" for row in between)
    reimports = {
        "jsonl": (tmp_path / "jsonl/train.jsonl", ["--as-gold"]),
        "brat": (tmp_path / "brat/brat", ["--as-gold"]),
        "labelstudio": (tmp_path / "labelstudio/labelstudio.json", []),
    }
    for fmt, (path, extra) in reimports.items():
        call_command("import_documents", str(path), "--collection", f"back-{fmt}", *extra,
                     stdout=io.StringIO())  # fmt: skip
        again = Annotation.objects.get(document__collection__name=f"back-{fmt}", kind="gold")
        assert content(record_of(again)) == content(gold_record), fmt
