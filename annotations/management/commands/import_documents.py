from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from annotations import importers
from annotations.importers.normalize import InputError
from annotations.scheme import UnknownScheme, get_scheme
from annotations.services import (
    CollectionError,
    ImportFailed,
    ImportResult,
    collection_get_or_create,
    documents_import,
)


class Command(BaseCommand):
    help = (
        "Import documents (and any annotations with them) from .txt, canonical JSONL, "
        "brat standoff or Label Studio JSON. Each file is imported whole or not at all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument("--collection", required=True, help="collection name (created if new)")
        parser.add_argument(
            "--format", default=importers.AUTO, choices=[importers.AUTO, *importers.FORMATS]
        )
        parser.add_argument(
            "--as-gold", action="store_true", help="store the annotations as gold (reviewed)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check everything, write nothing"
        )

    def handle(self, *args, **options) -> None:
        console = Console(file=self.stdout._out, highlight=False, soft_wrap=True)
        errors = Console(file=self.stderr._out, highlight=False, soft_wrap=True)
        try:
            sources, warnings = importers.discover(options["paths"], options["format"])
        except InputError as error:
            raise CommandError(str(error)) from None
        if not sources:
            raise CommandError("no importable files under the given paths")
        try:
            collection, created = collection_get_or_create(name=options["collection"])
            scheme = get_scheme(collection.scheme)
        except (UnknownScheme, CollectionError) as error:
            raise CommandError(str(error)) from None
        if created:
            console.print(f"Created collection {collection.name!r}.")
        read_options = importers.ReadOptions(max_bytes=settings.DOCUMENT_MAX_BYTES, scheme=scheme)
        total, failed = ImportResult(warnings=list(warnings)), []
        with _progress(console, sources) as progress:
            task = progress.add_task("importing", total=sum(s.size for s in sources), docs=0)
            seen = 0

            def on_document(_record) -> None:
                nonlocal seen
                seen += 1
                progress.update(task, docs=seen)

            for source in sources:
                try:
                    total.add(
                        documents_import(
                            collection=collection,
                            items=importers.read(source, read_options),
                            as_gold=options["as_gold"],
                            dry_run=options["dry_run"],
                            on_document=on_document,
                        )
                    )
                except ImportFailed as failure:
                    failed.append((source, failure.result))
                    total.warnings.extend(failure.result.warnings)
                progress.advance(task, source.size)
        for warning in total.warnings:
            errors.print(f"warning: {warning}", markup=False)
        for source, result in failed:
            errors.print(f"FAILED {source.path} ({result.error_count} error(s)):", markup=False)
            for error in result.errors:
                errors.print(f"  {error}", markup=False)
            if result.error_count > len(result.errors):
                errors.print(
                    f"  … and {result.error_count - len(result.errors)} more", markup=False
                )
        self._summary(console, total, failed, options["dry_run"])
        if failed:
            raise CommandError(f"{len(failed)} file(s) failed; nothing from them was written")

    def _summary(self, console: Console, total: ImportResult, failed: list, dry_run: bool) -> None:
        prefix = "Dry run, nothing written. Would have imported" if dry_run else "Imported"
        console.print(
            f"{prefix}: documents {total.documents_created} new, "
            f"{total.documents_updated} updated, {total.documents_unchanged} skipped "
            f"(unchanged); annotations {total.annotations_created} new, "
            f"{total.annotations_updated} updated, {total.annotations_unchanged} skipped. "
            f"Files failed: {len(failed)}.",
            markup=False,
        )


def _progress(console: Console, sources: list) -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[docs]} documents"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal or len(sources) == 0,
    )
