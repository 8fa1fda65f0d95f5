from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations.errors import DomainError
from annotations.services import collection_put


class Command(BaseCommand):
    help = "Create a collection or change its title, overlap, scheme or guidelines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--title")
        parser.add_argument("--overlap", type=int, help="annotators per document")
        parser.add_argument("--scheme", help="label scheme (default quotes-v1)")
        parser.add_argument(
            "--guidelines", type=Path, help="Markdown file shown to annotators as instructions"
        )

    def handle(self, *args, **options) -> None:
        guidelines = None
        if options["guidelines"] is not None:
            try:
                guidelines = options["guidelines"].read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(f"{options['guidelines']}: cannot read: {error}") from None
        try:
            collection, created = collection_put(
                name=options["name"],
                title=options["title"],
                overlap=options["overlap"],
                scheme=options["scheme"],
                guidelines=guidelines,
            )
        except DomainError as error:
            raise CommandError(str(error)) from None
        verb = "Created" if created else "Updated"
        self.stdout.write(
            f"{verb} collection {collection.name!r} (scheme {collection.scheme}, "
            f"overlap {collection.overlap})."
        )
