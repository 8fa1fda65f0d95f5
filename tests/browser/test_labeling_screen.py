"""The labeling screen on a real article: the seed article, with its predictions, opened
in Label Studio in Chromium. No word is hidden under an overlay; a quote the model
missed is labelled with a counted number of gestures; what comes back by pull is
the annotation the annotator made: the prediction, and the quote they added."""

from __future__ import annotations

import dataclasses
import io
import json

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from annotations.canonical import record_from_dict, record_to_dict
from annotations.labelstudio import sync
from annotations.labelstudio.convert import domain_to_result
from annotations.models import Annotation, Document
from annotations.preannotate import preannotate
from annotations.records import AnnotationRecord
from annotations.scheme import QUOTES_V1
from annotations.selectors import annotation_records
from tests.browser.legibility import measure
from tests.browser.screen import LabelingScreen, sign_in, wait_until_drawn
from tests.stack import free_port

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SEED = "seed-trump-putin-call"
# The quote the model is made to miss, with its speaker and cue.
MISSED = ("he would brief him", "Trump", "told")
# What the annotator answers for it, by hotkey.
ANSWERS = {"quote_type": "indirect", "stance": "neutral", "claim_type": "commitment"}
NAME = "Donald Trump"


def seed_record():
    lines = (django_settings.BASE_DIR / "fixtures" / "gold.jsonl").read_text().splitlines()
    for line in lines:
        record = record_from_dict(json.loads(line))
        if record.external_id == SEED:
            return record
    raise AssertionError(f"{SEED} is not in fixtures/gold.jsonl")


def extents(record: AnnotationRecord) -> tuple[set, set, set]:
    """Spans, attributions and relations by their text extents (region ids differ)."""
    spans = {span.id: (span.label, span.pieces) for span in record.spans}
    attributions = {
        (spans[a.quote], spans.get(a.speaker), spans.get(a.cue), a.speaker_name,
         a.quote_type, a.stance, a.claim_type)
        for a in record.attributions
    }  # fmt: skip
    relations = {(r.type, spans[r.source], spans[r.target]) for r in record.relations}
    return set(spans.values()), attributions, relations


@pytest.fixture
def seed_task(ls_collection, ls_client, settings, tmp_path):
    """The seed article pushed with the model's prediction, less one quote it missed.
    Nobody listens for webhooks: what the annotator submits comes back by pull."""
    settings.PUBLIC_URL = f"http://127.0.0.1:{free_port()}"
    ls_collection.overlap = 1
    ls_collection.guidelines = (settings.BASE_DIR / "fixtures" / "guidelines.md").read_text()
    ls_collection.save()
    record = seed_record()
    full = preannotate(record.text)
    spans = {span.id: span for span in full.spans}
    [missed] = [a for a in full.attributions if spans[a.quote].text == MISSED[0]]
    assert (spans[missed.speaker].text, spans[missed.cue].text) == MISSED[1:]
    gone = {missed.quote, missed.speaker, missed.cue}
    assert all(a.speaker not in gone and a.cue not in gone
               for a in full.attributions if a is not missed)  # fmt: skip
    shown = dataclasses.replace(
        full,
        spans=[s for s in full.spans if s.id not in gone],
        attributions=[a for a in full.attributions if a is not missed],
        relations=[r for r in full.relations if not {r.source, r.target} & gone],
    )
    source = tmp_path / "seed.jsonl"
    line = record_to_dict(record, dataclasses.replace(shown, provenance={"model_version": "m1"}))
    source.write_text(json.dumps(line) + "\n")
    call_command("import_documents", str(source), "--collection", ls_collection.name,
                 stdout=io.StringIO())  # fmt: skip
    sync.project_setup(collection=ls_collection, client=ls_client)
    sync.push(collection=ls_collection, client=ls_client)
    document = Document.objects.get(collection=ls_collection)
    expected = dataclasses.replace(
        full,
        attributions=[
            dataclasses.replace(a, speaker_name=NAME, **ANSWERS) if a is missed else a
            for a in full.attributions
        ],
    )
    return (
        document,
        shown,
        expected,
        {
            k: spans[i]
            for k, i in zip(
                ("quote", "speaker", "cue"), (missed.quote, missed.speaker, missed.cue), strict=True
            )
        },
    )


def test_the_seed_article_is_legible_and_a_missed_quote_takes_few_gestures(
    seed_task, ls_collection, ls_client, people
):
    document, shown, expected, missed = seed_task
    result = domain_to_result(shown.spans, shown.attributions, shown.relations, QUOTES_V1)
    regions = sum(1 for item in result if item["type"] == "labels")
    arrows = sum(1 for item in result if item["type"] == "relation")
    assert all("labels" not in item for item in result if item["type"] == "relation")

    annotator = people("annotator")
    page = annotator.page
    page.set_viewport_size({"width": 1440, "height": 3600})  # the whole article in view
    sign_in(page, ls_client.url, django_settings.LABEL_STUDIO_USERNAME,
            django_settings.LABEL_STUDIO_PASSWORD)  # fmt: skip
    page.goto(f"{ls_client.url}/projects/{ls_collection.ls_project_id}/data")
    page.get_by_role("button", name="Label All Tasks").click()
    wait_until_drawn(page, regions, arrows)
    page.get_by_text("Labeling Instructions").wait_for()  # shown with the first task
    page.get_by_role("button", name="Close modal").click()
    annotator.shot("seed-with-predictions")
    legible = measure(page)
    assert legible.regions == regions and legible.arrows == arrows
    assert legible.words > 500
    assert legible.hidden == [] and legible.tags == 0, legible

    ui = LabelingScreen(page, document.text)
    quote, speaker, cue = (missed[k] for k in ("quote", "speaker", "cue"))
    ui.label("2", speaker.start, speaker.end)
    ui.label("3", cue.start, cue.end)
    ui.label("1", quote.start, quote.end)
    ui.relate((quote.start, quote.end), (speaker.start, speaker.end))  # the cue is beside it
    ui.select(quote.start, quote.end)
    for choice_set in QUOTES_V1.choices:
        ui.press(next(c.hotkey for c in choice_set.values if c.value == ANSWERS[choice_set.name]))
    ui.speaker_name(NAME)
    annotator.shot("missed-quote-labelled")
    ui.submit()
    annotator.shot("submitted")
    # Three spans (a key and a drag each), one arrow (select, Alt+R, click), the quote
    # selected, three answers by hotkey, the name (click, Enter) and Submit.
    assert dict(ui.gestures) == {"key": 8, "drag": 3, "click": 5, "typed": len(NAME)}

    pulled = sync.pull(collection=ls_collection, client=ls_client)
    assert (pulled.created, pulled.flagged) == (1, 0)
    human = Annotation.objects.get(document=document, kind="human")
    assert human.problems == []
    assert extents(annotation_records([human])[human.pk]) == extents(expected)
    assert annotator.console_errors == [] and annotator.outside == []
