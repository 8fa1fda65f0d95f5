from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import reset_queries
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from annotations.errors import NotFound
from annotations.exporters import FORMATS, ExportError
from annotations.selectors import collection_named
from annotations.services.exports import DEFAULT_SEED, DEFAULT_SPLIT, export_gold


class Command(BaseCommand):
    help = (
        "Export a collection's gold annotations as a dataset folder with its card "
        "(README.md): canonical JSONL, CoNLL, spaCy, Hugging Face, brat or Label Studio JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--collection", required=True)
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("--out", required=True, type=Path, help="a new or empty folder")
        parser.add_argument("--split", default=DEFAULT_SPLIT, help="train,dev,test ratios")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--include-unreviewed",
            action="store_true",
            help="add the single human annotation of documents without gold, as silver",
        )

    def handle(self, *args, **options) -> None:
        console = Console(file=self.stdout._out, highlight=False, soft_wrap=True)
        try:
            collection = collection_named(options["collection"])
        except NotFound as error:
            raise CommandError(str(error)) from None
        columns = (TextColumn("exporting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        quiet = not console.is_terminal
        # reset_queries() as the items pass: with DEBUG on, Django would keep the SQL of
        # the last 9,000 queries (tens of megabytes at a million documents).
        try:
            with Progress(*columns, console=console, transient=True, disable=quiet) as progress:
                task = progress.add_task("export", total=collection.documents.count())
                export = export_gold(
                    collection=collection,
                    fmt=options["format"],
                    out=options["out"],
                    split=options["split"],
                    seed=options["seed"],
                    include_unreviewed=options["include_unreviewed"],
                    on_item=lambda item: (progress.advance(task), reset_queries()),
                )
        except (ExportError, OSError) as error:
            raise CommandError(str(error)) from None
        documents = export.counts.get("documents", {})
        per_split = ", ".join(f"{name} {count}" for name, count in documents.items()) or "none"
        console.print(
            f"Exported {sum(documents.values())} document(s) of {collection.name!r} as "
            f"{options['format']} to {export.path} ({per_split}); card: {export.path}/README.md."
        )
