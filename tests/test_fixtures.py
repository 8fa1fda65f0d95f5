"""The example corpus: every record valid, and together they cover the hard cases."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from annotations.canonical import record_from_dict
from annotations.scheme import QUOTES_V1, complete_attributions, validate_annotation

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


def records():
    with (FIXTURES / "gold.jsonl").open(encoding="utf-8") as stream:
        return [json.loads(line) for line in stream]


@pytest.mark.parametrize("raw", records(), ids=lambda r: r["id"])
def test_every_gold_record_satisfies_the_scheme(raw):
    record = record_from_dict(raw)
    [annotation] = record.annotations
    assert validate_annotation(QUOTES_V1, record.text, annotation) == []
    # Every quote is attributed explicitly in the fixtures.
    assert complete_attributions(annotation).attributions == annotation.attributions


def test_the_seed_article_is_included_unchanged():
    seed = (FIXTURES / "seed" / "000_2923d8a93a2ebe0b.txt").read_text(encoding="utf-8")
    assert seed.startswith("The Presidents of Russia and the United States spoke again")
    assert [r["id"] for r in records() if r["text"] == seed] == ["seed-trump-putin-call"]


def test_together_they_cover_the_hard_cases():
    all_records = records()
    assert len(all_records) >= 8
    attributions = [(r, a) for r in all_records for a in r["attributions"]]
    spans = {(r["id"], s["id"]): s for r in all_records for s in r["spans"]}

    def text(record, span_id):
        return spans[(record["id"], span_id)]["text"] if span_id else None

    types = {a["quote_type"] for _, a in attributions}
    assert types == {"direct", "indirect", "mixed"}
    assert {a["claim_type"] for _, a in attributions} >= {"factual", "opinion", "prediction",
                                                           "commitment", "demand", "question"}  # fmt: skip
    pronouns = {"he", "she", "they", "it"}
    assert any((text(r, a.get("speaker")) or "").lower() in pronouns for r, a in attributions)
    assert any("speaker" not in a and a.get("speaker_name") for _, a in attributions)  # implicit
    assert any((text(r, a.get("cue")) or "").lower() == "according to" for r, a in attributions)
    # Split around the cue: one quote in pieces.
    assert any(s.get("fragments") for r in all_records for s in r["spans"] if s["label"] == "Quote")
    # One cue for several quotes ("said X and that Y", a paragraph that goes on).
    cues = [(r["id"], a["cue"]) for r, a in attributions if a.get("cue")]
    assert len(cues) > len(set(cues))
    # Nested reporting: one quote inside another.
    quotes = [
        (r["id"], s["start"], s["end"])
        for r in all_records
        for s in r["spans"]
        if s["label"] == "Quote"
    ]
    assert any(d1 == d2 and s1 < s2 and e2 <= e1 for d1, s1, e1 in quotes for d2, s2, e2 in quotes)
    quote_texts = [text(r, a["quote"]) for r, a in attributions]
    assert any("…" in t or "..." in t for t in quote_texts)  # ellipses
    assert any(t.startswith("‘") and t.endswith("”") for t in quote_texts)  # mixed marks
    assert any(t.startswith(("«", "„")) for t in quote_texts)  # other marks
    pieces = [
        r["text"][start:end]
        for r in all_records
        for s in r["spans"]
        if s["label"] == "Quote"
        for start, end in s.get("fragments") or [(s["start"], s["end"])]
    ]
    assert any(piece.count('"') == 1 for piece in pieces)  # unmatched straight mark
    assert any("\n" in t for t in quote_texts)  # over several paragraphs
    assert (
        sum(1 for r in all_records for rel in r.get("relations", []) if rel["type"] == "coref")
        >= 10
    )
