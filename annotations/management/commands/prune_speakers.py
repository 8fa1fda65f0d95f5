"""Clean a speaker registry that earlier pre-annotation runs filled with predicted names."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from annotations.services import speakers_prune_predicted


class Command(BaseCommand):
    help = (
        "Remove the speakers only predictions named (no person's annotation names them, no "
        "alias, identifier or description); their quotes keep the name as text."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="say what would go")

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            names = speakers_prune_predicted()
            if options["dry_run"]:
                transaction.set_rollback(True)
        verb = "would remove" if options["dry_run"] else "removed"
        listed = ", ".join(names[:50]) + (f" and {len(names) - 50} more" if len(names) > 50 else "")
        self.stdout.write(
            f"{verb} {len(names)} speaker(s) only predictions named"
            + (f": {listed}" if names else "")
        )
