from __future__ import annotations

from pathlib import Path

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
from annotations.errors import DomainError
from annotations.importers.brat import PROFILES
from annotations.services import ImportResult
from annotations.services.import_files import (
    FilesImport,
    ImportOptionsError,
    discover_sources,
    files_import,
    import_profile,
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
            "--dry-run",
            action="store_true",
            help="check everything and report what each file would give; write nothing",
        )
        parser.add_argument(
            "--brat-profile",
            default="default",
            choices=list(PROFILES),
            help="how a brat corpus's labels read as the scheme (polnear: PolNeAR as shipped)",
        )
        parser.add_argument(
            "--brat-map",
            default="",
            metavar="LABEL=TARGET,...",
            help="brat labels, event types or roles read as Quote, Speaker, Cue, "
            "Attribution or skip, on top of the profile",
        )

    def handle(self, *args, **options) -> None:
        console = Console(file=self.stdout._out, highlight=False, soft_wrap=True)
        errors = Console(file=self.stderr._out, highlight=False, soft_wrap=True)
        dry_run = options["dry_run"]
        try:
            profile = import_profile(options["brat_profile"], options["brat_map"])
            sources, warnings = discover_sources(
                options["paths"], options["format"], as_gold=options["as_gold"]
            )
        except ImportOptionsError as error:
            raise CommandError(str(error)) from None
        try:
            report = self._import(console, sources, warnings, profile, options)
        except DomainError as error:
            raise CommandError(str(error)) from None
        if report.collection_created:
            verb = "Would create" if dry_run else "Created"
            console.print(f"{verb} collection {report.collection.name!r}.")
        if options["dry_run"] or options["verbosity"] > 1:
            for source in report.sources:
                if not source.failed:
                    console.print(f"{source.name}: {describe(source.result)}", markup=False)
        for warning in report.total.warnings:
            errors.print(f"warning: {warning}", markup=False)
        for source in report.failed:
            result = source.result
            errors.print(f"FAILED {source.name} ({result.error_count} error(s)):", markup=False)
            for error in result.errors:
                errors.print(f"  {error}", markup=False)
            if result.error_count > len(result.errors):
                errors.print(
                    f"  … and {result.error_count - len(result.errors)} more", markup=False
                )
        self._summary(console, report, options["dry_run"])
        if report.failed:
            raise CommandError(
                f"{len(report.failed)} file(s) failed; nothing from them was written"
            )

    def _import(self, console, sources, warnings, profile, options) -> FilesImport:
        with _progress(console, sources) as progress:
            task = progress.add_task("importing", total=sum(s.size for s in sources), docs=0)
            seen = 0

            def on_document(_record) -> None:
                nonlocal seen
                seen += 1
                progress.update(task, docs=seen)

            return files_import(
                collection=options["collection"],
                sources=sources,
                warnings=warnings,
                profile=profile,
                as_gold=options["as_gold"],
                dry_run=options["dry_run"],
                on_source=lambda source: progress.advance(task, source.size),
                on_document=on_document,
            )

    def _summary(self, console: Console, report: FilesImport, dry_run: bool) -> None:
        total = report.total
        prefix = "Dry run, nothing written. Would have imported" if dry_run else "Imported"
        console.print(
            f"{prefix}: documents {total.documents_created} new, "
            f"{total.documents_updated} updated, {total.documents_unchanged} skipped "
            f"(unchanged); annotations {total.annotations_created} new, "
            f"{total.annotations_updated} updated, {total.annotations_unchanged} skipped. "
            f"Files failed: {len(report.failed)}.",
            markup=False,
        )
        if total.contents:
            console.print(f"In all: {describe(total)}", markup=False)


def describe(result: ImportResult) -> str:
    """What an input holds, in a line: documents, annotations, spans, what was skipped."""
    parts = [f"{result.documents} document(s)"]
    parts += [f"{count} {what}" for what, count in sorted(result.contents.items()) if count]
    return ", ".join(parts)


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
