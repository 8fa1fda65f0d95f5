from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import reset_queries
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from annotations.errors import NotFound
from annotations.scheme import QUOTES_V1
from annotations.selectors import collection_named, stored_agreement
from annotations.services.collections import (
    collection_agreement_compute,
    collection_prediction_use_compute,
)

# Documents of most disagreement shown in the table (--json lists as many as the API).
WORST = 10


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


class Command(BaseCommand):
    help = (
        "Inter-annotator agreement of a collection's human annotations: span F1 per label, "
        "speaker and cue agreement, token-wise Krippendorff's alpha (unitizing) pooled and per "
        "label, Krippendorff's alpha and Cohen's kappa per choice. The report, and each "
        "document's figures, are stored for the dashboard, the API and the dataset card."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--collection", required=True)
        parser.add_argument(
            "--json",
            action="store_true",
            help="print the report as JSON, as the API gives it (the 100 documents of most "
            "disagreement in per_document)",
        )

    def handle(self, *args, **options) -> None:
        try:
            collection = collection_named(options["collection"])
        except NotFound as error:
            raise CommandError(str(error)) from None
        console = Console(file=self.stdout._out, highlight=False, soft_wrap=True, width=120)
        columns = (TextColumn("comparing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        quiet = options["json"] or not console.is_terminal
        with Progress(*columns, console=console, transient=True, disable=quiet) as progress:
            task = progress.add_task("agreement", total=2 * collection.documents.count())

            def advance(done: int) -> None:
                progress.advance(task, done)
                # With DEBUG on, Django keeps the SQL of the last 9,000 queries: tens of
                # megabytes over a large collection. A request drops it as it starts; this
                # one long run drops it as it goes.
                reset_queries()

            collection_agreement_compute(collection=collection, on_documents=advance)
            use = collection_prediction_use_compute(collection=collection, on_documents=advance)
        report = stored_agreement(collection)
        if options["json"]:
            self.stdout.write(
                json.dumps(report, indent=2, ensure_ascii=False, cls=DjangoJSONEncoder)
            )
            return
        self._prediction_use(console, use)
        if not report["documents"]:
            console.print(f"No document of {collection.name!r} has two human annotations yet.")
            return
        console.print(
            f"{collection.name}: {report['documents']} document(s) with two or more annotators "
            f"({', '.join(report['annotators'])})."
        )
        spans = Table("label", "F1 exact", "F1 overlap", title="Spans (pooled over pairs)")
        for label, scores in report["spans"].items():
            spans.add_row(label, _fmt(scores["exact"]), _fmt(scores["overlap"]))
        console.print(spans)
        attribution = report["attribution"]
        console.print(
            f"Matched quotes: {attribution['matched_quotes']}; same speaker "
            f"{_fmt(attribution['same_speaker'])}, same cue {_fmt(attribution['same_cue'])}."
        )
        unitizing = report["unitizing"]
        tokens = Table(
            "tokens",
            "pooled",
            *(label for label in unitizing if label not in ("tokens", "pooled")),
            title="Krippendorff's alpha unitizing, token-wise",
        )
        tokens.add_row(
            str(unitizing["tokens"]),
            *(_fmt(value) for key, value in unitizing.items() if key != "tokens"),
        )
        console.print(tokens)
        choices = Table(
            "choice",
            "units",
            "Krippendorff's alpha",
            "mean Cohen's kappa",
            title="Per-quote choices (a missing quote counts as disagreement)",
        )
        for name, scores in report["choices"].items():
            choices.add_row(
                name, str(scores["units"]), _fmt(scores["alpha"]), _fmt(scores["kappa_mean"])
            )
        console.print(choices)
        pairs = Table(
            "annotators",
            "docs",
            "quote F1",
            "α tokens",
            "speaker",
            "cue",
            *(f"κ {c}" for c in report["choices"]),
            title="Pairs",
        )
        for pair in report["pairs"]:
            pairs.add_row(
                " / ".join(pair["annotators"]),
                str(pair["documents"]),
                _fmt(pair["spans"]["Quote"]["overlap"]),
                _fmt(pair["unitizing"]["pooled"]),
                _fmt(pair["same_speaker"]),
                _fmt(pair["same_cue"]),
                *(_fmt(k) for k in pair["kappa"].values()),
            )
        console.print(pairs)
        self._worst(console, report)

    def _prediction_use(self, console: Console, use: dict) -> None:
        without = use["without_predictions"]
        if not use["versions"]:
            return
        table = Table(
            "model version",
            "annotations",
            *(f"{label} kept / edited / deleted / added" for label in QUOTES_V1.label_names()),
            "seconds each",
            title="Predictions annotators started from (seconds each without: "
            f"{_seconds(without['mean_seconds'])} over {without['annotations']})",
        )
        for version, figures in use["versions"].items():
            table.add_row(
                version,
                str(figures["annotations"]),
                *(
                    " / ".join(str(v) for v in counts.values())
                    for counts in figures["spans"].values()
                ),
                _seconds(figures["lead_time"]["mean_seconds"]),
            )
        console.print(table)

    def _worst(self, console: Console, report: dict) -> None:
        worst = Table(
            "document",
            "annotators",
            "quotes",
            "quote F1",
            "in disagreement",
            title=f"Documents with the most disagreement ({report['per_document_count']} in all)",
        )
        for row in report["per_document"][:WORST]:
            worst.add_row(
                row["document"],
                ", ".join(row["annotators"]),
                str(row["quotes"]),
                _fmt(row["quote_f1_overlap"]),
                str(row["units_with_disagreement"]),
            )
        console.print(worst)


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"
