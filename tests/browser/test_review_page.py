"""A reviewer resolves a disagreement in the real browser and accepts gold."""

import io

import pytest
from django.core.management import call_command

from annotations.models import Annotation, Document
from annotations.selectors import annotation_records

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings, roles):
    for name, extra in (("gold.jsonl", ["--as-gold"]), ("annotators.jsonl", [])):
        call_command("import_documents", str(settings.BASE_DIR / "fixtures" / name), "--collection", "demo",
                     *extra, stdout=io.StringIO())  # fmt: skip
    Annotation.objects.filter(kind="gold").delete()
    Document.objects.update(status=Document.Status.ANNOTATED)
    call_command(
        "user", "rita", "--role", "reviewer", "--password", "rita-pass-123", stdout=io.StringIO()
    )


def test_reviewer_resolves_a_disagreement_and_accepts_gold(live_server, steps, demo):
    page = steps.page
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", "rita-pass-123")
    page.click("input[type=submit]")
    steps.shot("logged-in")
    doc = Document.objects.get(external_id="riverton-night-buses")
    page.goto(f"{live_server.url}/admin/annotations/document/{doc.pk}/change/")
    page.get_by_role("link", name="Review").click()
    page.wait_for_selector("table.units")
    steps.shot("review-page")
    disputed = page.locator("tr.unit.disputed")
    assert disputed.count() == 3
    # The first quote: Ann says "support", Bob "neutral"; the reviewer settles it.
    first = page.locator("#unit-0")
    assert first.locator(".differs").count() >= 1
    first.locator("select[name=stance-0]").select_option("neutral")
    first.locator("input[name=speaker_name-0]").fill("Dana Whitfield")
    # Bob left out the "according to" quote; the reviewer drops it too.
    page.locator("#unit-4 input[value=__none__]").check()
    # Both marked "Council member Greg Olsen" as the speaker; the reviewer keeps only
    # the name, selecting it with the mouse in a version and taking the selection.
    olsen = doc.text.index("Greg Olsen")
    drag_select(page, olsen, olsen + len("Greg Olsen"))
    third = page.locator("#unit-2")
    third.get_by_text("redraw boundaries").click()
    third.locator("input[name=speaker_at-2] + button.use-selection").click()
    assert third.locator("input[name=speaker_at-2]").input_value() == f"{olsen}-{olsen + 10}"
    assert third.locator(".extent-text").nth(1).inner_text() == "“Greg Olsen”"
    steps.shot("decisions-made")
    page.get_by_role("button", name="Accept as gold", exact=True).click()
    page.wait_for_selector(".messagelist .success")
    steps.shot("accepted")
    assert "Accepted as gold" in page.locator(".messagelist").inner_text()
    gold = Annotation.objects.get(document=doc, kind="gold")
    record = annotation_records([gold])[gold.pk]
    assert len(record.attributions) == 5
    assert record.attributions[0].stance == "neutral"
    spans = record.span_by_id()
    assert spans[record.attributions[2].speaker].text == "Greg Olsen"
    assert Document.objects.get(pk=doc.pk).status == Document.Status.GOLD
    assert steps.console_errors == []


def drag_select(page, start: int, end: int) -> None:
    """Select characters start..end of the first version's text with the mouse."""
    edges = page.evaluate(
        """([start, end]) => {
            const root = document.querySelector("#review .document-text");
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            const nodes = [];
            let seen = 0;
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                nodes.push([node, seen]);
                seen += node.length;
            }
            function box(offset) {
                const [node, base] = nodes.filter(([n, b]) => b <= offset && offset < b + n.length)[0];
                node.parentElement.scrollIntoView({block: "center"});
                const range = document.createRange();
                range.setStart(node, offset - base);
                range.setEnd(node, offset - base + 1);
                return range.getBoundingClientRect();
            }
            box(start);
            const first = box(start), last = box(end - 1);
            return [[first.left + 1, first.top + first.height / 2],
                    [last.right - 1, last.top + last.height / 2]];
        }""",
        [start, end],
    )
    page.mouse.move(*edges[0])
    page.mouse.down()
    page.mouse.move(*edges[1], steps=6)
    page.mouse.up()


@pytest.fixture
def long_article(settings, roles, tmp_path):
    """The seed article (19 quotes) in review: its gold as Ann's version, the
    pre-annotator's as Bob's."""
    import dataclasses
    import json

    from annotations.canonical import record_from_dict, record_to_dict
    from annotations.preannotate import preannotate

    lines = (settings.BASE_DIR / "fixtures" / "gold.jsonl").read_text().splitlines()
    seed = next(r for r in map(record_from_dict, map(json.loads, lines))
                if r.external_id == "seed-trump-putin-call")  # fmt: skip
    versions = tmp_path / "versions.jsonl"
    with versions.open("w") as out:
        for who, annotation in (("ann@example.com", seed.annotations[0]),
                                ("bob@example.com", preannotate(seed.text))):  # fmt: skip
            version = dataclasses.replace(annotation, provenance={"annotator": who})
            out.write(json.dumps(record_to_dict(seed, version)) + "\n")
    call_command("import_documents", str(versions), "--collection", "long", stdout=io.StringIO())
    call_command(
        "user", "rita", "--role", "reviewer", "--password", "rita-pass-123", stdout=io.StringIO()
    )
    return Document.objects.get(external_id="seed-trump-putin-call")


@pytest.mark.parametrize("width", [1280, 1440])
def test_a_long_article_reviews_a_quote_per_screen_without_scrolling_sideways(
    live_server, steps, long_article, width
):
    page = steps.page
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", "rita-pass-123")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/annotations/document/{long_article.pk}/review/")
    page.wait_for_selector("table.units")
    steps.shot(f"review-{width}")
    layout = page.evaluate(
        """() => ({
            wide: document.documentElement.scrollWidth - document.documentElement.clientWidth,
            rows: [...document.querySelectorAll("tr.unit")].map(r => r.getBoundingClientRect()),
            fields: [...document.querySelectorAll("td.decision select")]
                .map(s => s.getBoundingClientRect().width),
            sidebar: !!document.querySelector("#nav-sidebar"),
        })"""
    )
    assert layout["wide"] == 0, "the page scrolls sideways"
    assert len(layout["rows"]) >= 18
    # A quote's row (its text, every version and the decision) fits on one screen.
    assert max(row["height"] for row in layout["rows"]) < 800
    assert all(row["right"] <= width for row in layout["rows"])
    assert min(layout["fields"]) >= 140, "decision fields squeezed too narrow to read"
    assert not layout["sidebar"]
    assert steps.console_errors == []
