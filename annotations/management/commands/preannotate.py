from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from annotations.errors import DomainError
from annotations.selectors import collection_named, predicting_model
from annotations.services.preannotation import collection_preannotate
from annotations.services.training import ModelUnavailable


class Command(BaseCommand):
    help = (
        "Predict quotes, speakers and cues for every document of a collection; the "
        "predictions are pushed to Label Studio for annotators to correct."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--collection", required=True)
        parser.add_argument(
            "--model",
            metavar="NAME[:VERSION]",
            help="a trained model (its newest version unless one is given), or 'rules'; "
            "default: the collection's model, else the rules",
        )
        parser.add_argument(
            "--out", type=Path, help="also write the predictions as canonical JSONL"
        )

    def handle(self, *args, **options) -> None:
        console = Console(file=self.stdout._out, highlight=False, soft_wrap=True)
        try:
            collection = collection_named(options["collection"])
            model = predicting_model(collection, options["model"])
        except DomainError as error:
            raise CommandError(str(error)) from None
        out_path: Path | None = options["out"]
        try:
            out = out_path.open("w", encoding="utf-8") if out_path else None
        except OSError as error:
            raise CommandError(f"{out_path}: cannot write: {error.strerror}") from None
        columns = (TextColumn("predicting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        quiet = not console.is_terminal
        try:
            with Progress(*columns, console=console, transient=True, disable=quiet) as progress:
                task = progress.add_task("predict", total=collection.documents.count())
                result = collection_preannotate(
                    collection=collection,
                    model=model,
                    out=out,
                    on_batch=lambda count: progress.advance(task, count),
                )
        except ModelUnavailable as error:
            raise CommandError(f"{error}; run with --model rules to use the rules") from None
        finally:
            if out is not None:
                out.close()
        console.print(
            f"{result.model_version} on {collection.name!r}: {result.documents} document(s), "
            f"{result.quotes} quote(s); predictions {result.created} new, {result.updated} "
            f"updated, {result.unchanged} unchanged."
            + (f" Written to {out_path}." if out_path else "")
        )
