from __future__ import annotations

import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Create the admin account if it does not exist (ADMIN_USERNAME, ADMIN_PASSWORD, "
        "ADMIN_EMAIL). An existing account is left as it is."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default=os.getenv("ADMIN_USERNAME", "admin"))
        parser.add_argument("--password", default=os.getenv("ADMIN_PASSWORD", "admin"))
        parser.add_argument("--email", default=os.getenv("ADMIN_EMAIL", "admin@example.com"))

    def handle(self, *args, **options) -> None:
        User = get_user_model()
        if User.objects.filter(username=options["username"]).exists():
            self.stdout.write(f"Admin user {options['username']!r} exists; left unchanged.")
            return
        User.objects.create_superuser(
            username=options["username"], email=options["email"], password=options["password"]
        )
        self.stdout.write(f"Created admin user {options['username']!r}.")
