"""The labeling screen on long articles, measured in Chromium: before and after.

    .venv/bin/python bench/labeling_screen.py [--runs 3] [--no-write]

Two articles, each with what a model proposed, opened in a real Label Studio as
an annotator opens them ("Label All Tasks"): the seed article with the
pre-annotator's prediction, and a 40-quote digest of our own example articles
(fixtures/gold.jsonl, one after another, until 40 quotes) with its gold as the
proposal. *Before* is the labeling config without its layout (`SCREEN_STYLE`)
and every arrow drawn and labelled (as files carry them); *after* is the
project as `labelstudio setup` makes it, with the arrows `push` draws. For each:
the words an overlay hides, the words an arrow's line crosses, the arrows and
their label tags, the time until every region and arrow is drawn (median of
`--runs`), and the gestures to label a quote the model missed (the seed's "he
would brief him", with its speaker and cue), read back from Label Studio's
export to check it. Screenshots go to test-artifacts/labeling-screen/, the
figures to docs/benchmarks.md. Not a test: run it by hand.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import django
from results import machine, record

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
django.setup()

from django.conf import settings  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from annotations.canonical import record_from_dict  # noqa: E402
from annotations.labelstudio import server  # noqa: E402
from annotations.labelstudio.client import LabelStudioClient  # noqa: E402
from annotations.labelstudio.convert import domain_to_result, result_to_domain  # noqa: E402
from annotations.preannotate import preannotate  # noqa: E402
from annotations.records import AnnotationRecord, DocumentRecord  # noqa: E402
from annotations.scheme import QUOTES_V1, SCREEN_STYLE, render_label_config  # noqa: E402
from tests.browser.conftest import CHROMIUM, FLAGS  # noqa: E402
from tests.browser.legibility import measure  # noqa: E402
from tests.browser.screen import LabelingScreen, sign_in, wait_until_drawn  # noqa: E402
from tests.stack import free_port  # noqa: E402

SHOTS = ROOT / "test-artifacts" / "labeling-screen"
DIGEST_QUOTES = 40
ANSWERS = {"quote_type": "indirect", "stance": "neutral", "claim_type": "commitment"}


def articles() -> dict[str, tuple[DocumentRecord, AnnotationRecord]]:
    """name -> (the document, the annotation shown as a prediction)."""
    records = [
        record_from_dict(json.loads(line))
        for line in (ROOT / "fixtures" / "gold.jsonl").read_text().splitlines()
    ]
    seed = next(r for r in records if r.external_id == "seed-trump-putin-call")
    texts, spans, attributions, relations = [], [], [], []
    offset = 0
    for number, article in enumerate(records):
        gold = article.annotations[0]
        ids = {span.id: f"a{number}-{span.id}" for span in gold.spans}
        for span in gold.spans:
            pieces = tuple((a + offset, b + offset) for a, b in span.fragments)
            spans.append(dataclasses.replace(span, id=ids[span.id], start=span.start + offset,
                                             end=span.end + offset, fragments=pieces))  # fmt: skip
        attributions += [
            dataclasses.replace(a, quote=ids[a.quote], speaker=ids.get(a.speaker),
                                cue=ids.get(a.cue))
            for a in gold.attributions
        ]  # fmt: skip
        relations += [
            dataclasses.replace(r, source=ids[r.source], target=ids[r.target])
            for r in gold.relations
        ]
        texts.append(article.text)
        offset += len(article.text) + 1
        if len(attributions) >= DIGEST_QUOTES:
            break
    digest = DocumentRecord("digest", "\n".join(texts), title="The week in review")
    shown = AnnotationRecord(kind="prediction", spans=spans, attributions=attributions,
                             relations=relations)  # fmt: skip
    return {"seed": (seed, preannotate(seed.text)), "digest": (digest, shown)}


def variants() -> dict[str, tuple[str, bool]]:
    """name -> (labeling config, whether arrows are compact)."""
    after = render_label_config(QUOTES_V1)
    before = after.replace(f"<Style>{SCREEN_STYLE}</Style>", "")
    assert before != after
    return {"before": (before, False), "after": (after, True)}


def missed_quote(annotation: AnnotationRecord):
    """The seed prediction less one quote (and its speaker and cue), and those spans."""
    spans = {span.id: span for span in annotation.spans}
    [missed] = [a for a in annotation.attributions if spans[a.quote].text == "he would brief him"]
    gone = {missed.quote, missed.speaker, missed.cue}
    shown = dataclasses.replace(
        annotation,
        spans=[s for s in annotation.spans if s.id not in gone],
        attributions=[a for a in annotation.attributions if a is not missed],
        relations=[r for r in annotation.relations if not {r.source, r.target} & gone],
    )
    return shown, missed, spans


def run(args: argparse.Namespace) -> list[dict]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-screen-") as scratch:
        config = server.ServerConfig(
            venv=settings.LABEL_STUDIO_VENV, data_dir=Path(scratch) / "ls", port=free_port(),
            username=settings.LABEL_STUDIO_USERNAME, password=settings.LABEL_STUDIO_PASSWORD,
            token=settings.LABEL_STUDIO_API_KEY, template_dir=settings.LABEL_STUDIO_TEMPLATE_DIR,
        )  # fmt: skip
        server.make_template(config)
        server.start(config)
        try:
            with (
                LabelStudioClient(config.url, config.token) as client,
                sync_playwright() as playwright,
            ):
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
                page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
                page.set_default_timeout(60_000)
                sign_in(page, config.url, config.username, config.password)
                for article, (document, proposal) in articles().items():
                    for variant, (label_config, compact) in variants().items():
                        figures = measure_one(
                            client, page, f"{article}-{variant}", document, proposal,
                            label_config, compact, args.runs,
                        )  # fmt: skip
                        figures.update(article=article, variant=variant)
                        print(json.dumps(figures))
                        results.append(figures)
                browser.close()
        finally:
            server.stop(config)
    return results


def measure_one(
    client: LabelStudioClient, page, name: str, document: DocumentRecord,
    proposal: AnnotationRecord, label_config: str, compact: bool, runs: int,
) -> dict:  # fmt: skip
    """Open the article in a project of its own; its figures."""
    seed = name.startswith("seed")
    shown, missed, spans = missed_quote(proposal) if seed else (proposal, None, None)
    result = domain_to_result(shown.spans, shown.attributions, shown.relations, QUOTES_V1,
                              compact=compact)  # fmt: skip
    regions = sum(1 for item in result if item["type"] == "labels")
    arrows = sum(1 for item in result if item["type"] == "relation")
    project = client.project_create(title=name, label_config=label_config,
                                    show_collab_predictions=True)  # fmt: skip
    prediction = {"model_version": "bench", "score": 1.0, "result": result}
    task = {"data": {"text": document.text, "title": document.title}, "predictions": [prediction]}
    client.tasks_import(project["id"], [task])

    def open_task(height: int) -> float:
        page.set_viewport_size({"width": 1440, "height": height})
        page.goto(f"{client.url}/projects/{project['id']}/data")
        page.get_by_role("button", name="Label All Tasks").wait_for()
        started = time.monotonic()
        page.get_by_role("button", name="Label All Tasks").click()
        wait_until_drawn(page, regions, arrows)
        return time.monotonic() - started

    seconds = [open_task(1000) for _ in range(runs)]
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    # Tall enough that the whole article is in view, so every word can be looked up.
    height = page.evaluate("() => document.querySelector('.lsf-richtext__container').scrollHeight")
    open_task(height + 800)
    legible = measure(page)
    page.screenshot(path=str(SHOTS / f"{name}-whole.png"), full_page=True)
    figures = {
        "words": legible.words,
        "quotes": len(shown.attributions), "regions": regions, "arrows": legible.arrows,
        "tags": legible.tags, "hidden": len(legible.hidden), "crossed": len(legible.crossed),
        "render_seconds": statistics.median(seconds),
    }  # fmt: skip
    if missed is not None:
        ui = LabelingScreen(page, document.text)
        label_missed(ui, missed, spans, compact)
        check_missed(client, project["id"], document, missed, spans)
        figures["gestures"] = {**ui.gestures, "total": ui.gesture_total}
    client.project_delete(project["id"])
    return figures


def label_missed(ui: LabelingScreen, missed, spans: dict, compact: bool) -> None:
    """Label the quote, its speaker and cue, link them and answer, as an annotator would."""
    quote, speaker, cue = spans[missed.quote], spans[missed.speaker], spans[missed.cue]
    ui.label("2", speaker.start, speaker.end)
    ui.label("3", cue.start, cue.end)
    ui.label("1", quote.start, quote.end)
    ui.relate((quote.start, quote.end), (speaker.start, speaker.end))
    if not compact:  # the cue beside the speaker needed its own arrow
        ui.relate((quote.start, quote.end), (cue.start, cue.end))
    ui.select(quote.start, quote.end)
    for choice_set in QUOTES_V1.choices:
        ui.press(next(c.hotkey for c in choice_set.values if c.value == ANSWERS[choice_set.name]))
    ui.speaker_name("Donald Trump")
    ui.submit()


def check_missed(client: LabelStudioClient, project: int, document, missed, spans) -> None:
    """Label Studio's export holds the quote with its speaker and cue."""
    quote, speaker, cue = spans[missed.quote], spans[missed.speaker], spans[missed.cue]
    _, tasks = client.export_snapshot(project)
    [annotation] = tasks[0]["annotations"]
    back = result_to_domain(annotation["result"], QUOTES_V1, text=document.text)
    assert back.problems == [], back.problems
    at = {(s.start, s.end): s.id for s in back.spans}
    [added] = [a for a in back.attributions if a.quote == at[(quote.start, quote.end)]]
    assert (added.speaker, added.cue) == (at[(speaker.start, speaker.end)],
                                          at[(cue.start, cue.end)]), added  # fmt: skip


def report(results: list[dict], args: argparse.Namespace) -> str:
    lines = [
        "<!-- labeling-screen:start -->",
        f"### Labeling screen ({date.today().isoformat()}, {machine()}, Label Studio 1.23.2, "
        "Chromium)",
        "",
        "`bench/labeling_screen.py`: each article opened in Label Studio as an annotator opens "
        "it, with the model's proposal. *before*: no layout, every arrow drawn and labelled; "
        "*after*: the project as `labelstudio setup` makes it, with the arrows `push` draws. "
        "Hidden: words an overlay (an arrow's label tag, a panel) covers; crossed: words an "
        "arrow's line runs through. Render: from *Label All Tasks* until every region and "
        f"arrow is drawn (median of {args.runs}). Screenshots: "
        "`test-artifacts/labeling-screen/`.",
        "",
        "| article | screen | words | quotes | arrows | label tags | words hidden | "
        "words crossed | render s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['article']} | {r['variant']} | {r['words']} | {r['quotes']} | {r['arrows']} | "
            f"{r['tags']} | {r['hidden']} ({r['hidden'] / r['words']:.1%}) | "
            f"{r['crossed']} ({r['crossed'] / r['words']:.1%}) | {r['render_seconds']:.1f} |"
        )
    lines += ["", "Gestures to label a quote the model missed (the seed's *he would brief him*, "
              "with its speaker and cue), checked in Label Studio's export:", ""]  # fmt: skip
    for r in results:
        if "gestures" in r:
            g = r["gestures"]
            lines.append(
                f"- {r['variant']}: {g['total']} gestures ({g.get('key', 0)} keys, "
                f"{g.get('drag', 0)} drags, {g.get('click', 0)} clicks) and the name typed "
                f"({g.get('typed', 0)} characters)."
            )
    lines += [
        "- Confirming a correct proposed quote: none needed (it is part of the annotation "
        "when the task opens); one click shows its answers, and one *Submit* ends the task.",
        "",
        "<!-- labeling-screen:end -->",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    results = run(args)
    block = report(results, args)
    print(block)
    if not args.no_write:
        record("labeling-screen", block)


if __name__ == "__main__":
    main()
