from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from annotations.roles import ANNOTATORS, REVIEWERS, ensure_groups

ROLES = ("admin", "reviewer", "annotator")


class Command(BaseCommand):
    help = "Create a user or change their role: admin, reviewer (admin review pages) or annotator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=ROLES)
        parser.add_argument("--password", help="set this password (new users need one)")
        parser.add_argument("--email", default="")

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        ensure_groups(Group, Permission)
        User = get_user_model()
        user, created = User.objects.get_or_create(username=options["username"])
        if created and not options["password"]:
            raise CommandError("a new user needs --password")
        if options["password"]:
            user.set_password(options["password"])
        if options["email"]:
            user.email = options["email"]
        role = options["role"]
        user.is_superuser = role == "admin"
        user.is_staff = role in ("admin", "reviewer")
        user.save()
        groups = {"reviewer": [REVIEWERS], "annotator": [ANNOTATORS], "admin": []}[role]
        user.groups.set(Group.objects.filter(name__in=groups))
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} {role} {user.username!r}.")
