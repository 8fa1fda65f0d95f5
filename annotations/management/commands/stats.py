from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations.errors import NotFound
from annotations.models import Collection
from annotations.selectors import collection_named
from annotations.services.collections import collection_stats_compute


class Command(BaseCommand):
    help = (
        "Recount the dashboard's figures (documents by status, annotations per annotator and "
        "day, gold labels and choices) of one collection or of every collection changed "
        "since its last count, and store them; the dashboard then reads them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--collection", help="this collection only, changed or not")

    def handle(self, *args, **options) -> None:
        if options["collection"]:
            try:
                collections = [collection_named(options["collection"])]
            except NotFound as error:
                raise CommandError(str(error)) from None
        else:
            changed = Collection.objects.filter(stats_stale=True) | Collection.objects.filter(
                stats__isnull=True
            )
            collections = list(changed.order_by("name"))
        for collection in collections:
            stats = collection_stats_compute(collection=collection)
            documents = sum(stats["status"].values())
            self.stdout.write(f"{collection.name}: counted {documents} document(s)")
        if not collections:
            self.stdout.write("Every collection's counts are up to date.")
