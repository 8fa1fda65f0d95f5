"""The whole loop in real browsers: two annotators label a pushed task in Label Studio,
a reviewer settles the gold version in the admin, and the export contains it."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from annotations.labelstudio import sync
from annotations.models import Annotation, Document
from annotations.selectors import annotation_records
from tests.browser.screen import LabelingScreen
from tests.live import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TITLE = "Council approves new cycle lanes"
TEXT = (
    f"{TITLE}\n"
    "The city council voted on Tuesday to build 12 kilometres of cycle lanes.\n"
    "“This is the safest network we can afford,” said Mayor Lena Hart.\n"
    "Shopkeepers on Mill Road said the plan would cost them customers.\n"
)


def at(part: str, after: str = "") -> tuple[int, int]:
    """Offsets of `part`, looked for after the text `after`."""
    start = TEXT.index(part, TEXT.index(after) + len(after) if after else 0)
    return start, start + len(part)


def prediction() -> dict:
    """What a model proposed: the mayor's quote without its marks and no speaker or cue
    for it; the shopkeepers' quote complete."""
    spans = [
        ("q1", "Quote", at("This is the safest network we can afford")),
        ("q2", "Quote", at("the plan would cost them customers")),
        ("s2", "Speaker", at("Shopkeepers on Mill Road")),
        ("c2", "Cue", at("said", after="Mill Road")),
    ]
    out = [
        {"id": span_id, "label": label, "start": start, "end": end}
        for span_id, label, (start, end) in spans
    ]
    return {
        "id": "cycle-lanes",
        "title": TITLE,
        "text": TEXT,
        "spans": out,
        "attributions": [
            {"quote": "q1", "quote_type": "direct"},
            {
                "quote": "q2",
                "speaker": "s2",
                "cue": "c2",
                "speaker_name": "Mill Road shopkeepers",
                "quote_type": "indirect",
                "stance": "oppose",
                "claim_type": "prediction",
            },
        ],  # fmt: skip
        "provenance": {"model_version": "e2e-model-1"},
    }


@pytest.fixture
def pushed(ls_collection, ls_client, live_server, settings, tmp_path, roles):
    """A collection of one document with a prediction, set up and pushed to Label Studio."""
    settings.PUBLIC_URL = live_server.url
    ls_collection.guidelines = (settings.BASE_DIR / "fixtures" / "guidelines.md").read_text()
    ls_collection.overlap = 2
    ls_collection.save()
    source = tmp_path / "cycle-lanes.jsonl"
    source.write_text(json.dumps(prediction()) + "\n")
    call_command("import_documents", str(source), "--collection", ls_collection.name,
                 stdout=io.StringIO())  # fmt: skip
    sync.project_setup(collection=ls_collection, client=ls_client)
    sync.push(collection=ls_collection, client=ls_client)
    document = Document.objects.get(collection=ls_collection)
    assert document.ls_task_id and Annotation.objects.filter(kind="prediction").count() == 1
    return document


PASSWORD = "annotator-pass-123"
QUOTE = at("“This is the safest network we can afford,”")
PREDICTED_QUOTE = at("This is the safest network we can afford")
MAYOR = at("Mayor Lena Hart")
SAID = at("said", after="afford")


def sign_up(person, invite: str, email: str) -> None:
    """A new annotator follows the invite link and creates an account."""
    page = person.page
    page.goto(invite)
    person.shot("sign-up")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("button[type=submit], input[type=submit]").first.click()
    page.wait_for_url(lambda url: "/user/signup" not in url)


def open_next_task(person, base: str, project: int) -> LabelingScreen:
    """From the project's data manager, "Label All Tasks" opens the next task for them."""
    page = person.page
    page.goto(f"{base}/projects/{project}/data")
    page.get_by_role("button", name="Label All Tasks").click()
    page.wait_for_selector(".lsf-richtext__container .htx-highlight", timeout=30_000)
    # The guidelines open with the first task.
    page.get_by_text("Labeling Instructions").wait_for()
    person.shot("guidelines")
    page.get_by_role("button", name="Close modal").click()
    person.shot("task-with-predictions")
    return LabelingScreen(page, TEXT)


def submit(person, ui: LabelingScreen) -> None:
    ui.submit()
    person.shot("submitted")


def human_record(document: Document, annotator: str):
    annotation = Annotation.objects.get(document=document, kind="human", annotator__email=annotator)
    return annotation, annotation_records([annotation])[annotation.pk]


def extents(record) -> set[tuple[str, int, int]]:
    return {(span.label, span.start, span.end) for span in record.spans}


def by_quote(record) -> dict[tuple[int, int], dict]:
    spans = {span.id: span for span in record.spans}

    def extent(span_id):
        return (spans[span_id].start, spans[span_id].end) if span_id else None

    return {
        extent(a.quote): {
            "speaker": extent(a.speaker),
            "cue": extent(a.cue),
            "name": a.speaker_name,
            "quote_type": a.quote_type,
            "stance": a.stance,
            "claim_type": a.claim_type,
        }  # fmt: skip
        for a in record.attributions
    }


def test_two_annotators_a_reviewer_and_the_export(
    pushed, ls_client, live_server, people, settings, tmp_path
):
    document = pushed
    project = document.collection.ls_project_id
    invite = ls_client.invite_url()
    predicted_q2 = {
        "speaker": at("Shopkeepers on Mill Road"), "cue": at("said", after="Mill Road"),
        "name": "Mill Road shopkeepers", "quote_type": "indirect", "stance": "oppose",
        "claim_type": "prediction",
    }  # fmt: skip

    # --- Ann corrects the prediction and completes the mayor's quote -------------------
    ann = people("ann")
    sign_up(ann, invite, "ann@example.org")
    ui = open_next_task(ann, ls_client.url, project)
    page = ann.page
    ui.region(*PREDICTED_QUOTE).click()
    ann.shot("predicted-quote-selected")
    # The predicted quote lacks its quote marks: she deletes it and draws it again.
    page.keyboard.press("Backspace")
    ui.label("1", *QUOTE)
    ui.label("2", *MAYOR)
    ui.label("3", *SAID)
    ann.shot("spans-drawn")
    # "said" stands next to the mayor: it is the quote's cue without an arrow.
    ui.relate(QUOTE, MAYOR)
    ann.shot("relations-drawn")
    ui.region(*QUOTE).click()
    ui.choose("direct")
    page.keyboard.press("s")  # support, by its hotkey
    ui.choose("opinion")
    ui.speaker_name("Lena Hart")
    ann.shot("choices-set")
    submit(ann, ui)

    assert wait_for(
        lambda: Annotation.objects.filter(annotator__email="ann@example.org").exists()
    ), list(Annotation.objects.values_list("kind", "annotator__key", "ls_annotation_id"))
    annotation, record = human_record(document, "ann@example.org")
    assert annotation.problems == [] and annotation.raw["result"]
    assert extents(record) == {
        ("Quote", *QUOTE), ("Speaker", *MAYOR), ("Cue", *SAID),
        ("Quote", *at("the plan would cost them customers")),
        ("Speaker", *at("Shopkeepers on Mill Road")), ("Cue", *at("said", after="Mill Road")),
    }  # fmt: skip
    assert by_quote(record) == {
        QUOTE: {"speaker": MAYOR, "cue": SAID, "name": "Lena Hart", "quote_type": "direct",
                "stance": "support", "claim_type": "opinion"},
        at("the plan would cost them customers"): predicted_q2,
    }  # fmt: skip

    # --- Bob keeps the predicted boundaries and judges the quote differently -----------
    bob = people("bob")
    sign_up(bob, invite, "bob@example.org")
    ui = open_next_task(bob, ls_client.url, project)
    ui.label("2", *MAYOR)
    ui.relate(PREDICTED_QUOTE, MAYOR)  # left unlabelled: Quote -> Speaker reads as said_by
    ui.region(*PREDICTED_QUOTE).click()
    bob.page.keyboard.press("n")  # neutral
    bob.page.keyboard.press("f")  # factual
    bob.shot("choices-set")
    submit(bob, ui)

    assert wait_for(lambda: Annotation.objects.filter(annotator__email="bob@example.org").exists())
    _, record = human_record(document, "bob@example.org")
    assert by_quote(record)[PREDICTED_QUOTE] == {
        "speaker": MAYOR, "cue": None, "name": "", "quote_type": "direct",
        "stance": "neutral", "claim_type": "factual",
    }  # fmt: skip
    assert wait_for(
        lambda: Document.objects.get(pk=document.pk).status == Document.Status.ANNOTATED
    )

    # --- Rita reviews: Ann's boundaries and cue, Bob's stance ---------------------------
    call_command("user", "rita", "--role", "reviewer", "--password", "rita-pass-123",
                 stdout=io.StringIO())  # fmt: skip
    rita = people("rita")
    page = rita.page
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", "rita-pass-123")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/annotations/document/{document.pk}/change/")
    rita.shot("document")
    page.get_by_role("link", name="Review").click()
    page.wait_for_selector("table.units")
    row = page.locator("tr.unit", has_text="safest network")
    assert row.locator(".differs").count() >= 1
    rita.shot("review-page")
    row.locator('input[type=radio][value="ann@example.org"]').check()
    row.locator("select[name^=stance-]").select_option("neutral")
    rita.shot("decided")
    page.get_by_role("button", name="Accept as gold and send to Label Studio").click()
    page.wait_for_selector(".messagelist .success")
    rita.shot("accepted")

    gold = Annotation.objects.get(document=document, kind="gold")
    record = annotation_records([gold])[gold.pk]
    expected = {
        QUOTE: {"speaker": MAYOR, "cue": SAID, "name": "Lena Hart", "quote_type": "direct",
                "stance": "neutral", "claim_type": "opinion"},
        at("the plan would cost them customers"): predicted_q2,
    }  # fmt: skip
    assert by_quote(record) == expected
    assert gold.ls_annotation_id is not None  # the task's ground truth in Label Studio
    assert Document.objects.get(pk=document.pk).status == Document.Status.GOLD

    # --- The export holds that gold -----------------------------------------------------
    out = tmp_path / "export"
    call_command("export_gold", "--collection", document.collection.name, "--format", "jsonl",
                 "--out", str(out), stdout=io.StringIO())  # fmt: skip
    [line] = [row for f in sorted(out.glob("*.jsonl")) for row in f.read_text().splitlines()]
    exported = json.loads(line)
    spans = {s["id"]: (s["start"], s["end"]) for s in exported["spans"]}
    assert {
        spans[a["quote"]]: (spans.get(a["speaker"]), spans.get(a["cue"]), a["stance"])
        for a in exported["attributions"]
    } == {q: (v["speaker"], v["cue"], v["stance"]) for q, v in expected.items()}
    for person in (ann, bob, rita):
        assert person.console_errors == [] and person.outside == []
