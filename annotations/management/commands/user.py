from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations.services.users import ROLES, UserError, user_role_set


class Command(BaseCommand):
    help = (
        "Create a user or change their role: admin, reviewer (admin review pages) or "
        "annotator (reads the documents of the collections they belong to)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=ROLES)
        parser.add_argument("--password", help="set this password (new users need one)")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--collection",
            action="append",
            default=[],
            dest="collections",
            metavar="NAME",
            help="make them a member of this collection (repeatable)",
        )

    def handle(self, *args, **options) -> None:
        try:
            user, created = user_role_set(
                username=options["username"],
                role=options["role"],
                password=options["password"],
                email=options["email"],
                collections=options["collections"],
            )
        except UserError as error:
            raise CommandError(str(error)) from None
        verb = "Created" if created else "Updated"
        member = (
            f", member of {', '.join(options['collections'])}" if options["collections"] else ""
        )
        self.stdout.write(f"{verb} {options['role']} {user.username!r}{member}.")
