"""What production needs set, checked by `manage.py check --deploy` (and so by
`manage.py serve` before it starts anything)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def production_settings(app_configs=None, **kwargs) -> list:
    problems = []
    required = {
        "LABEL_STUDIO_API_KEY": "the token this service uses to call Label Studio",
        "LABEL_STUDIO_WEBHOOK_SECRET": "the secret Label Studio's webhooks must carry",
    }
    for name, what in required.items():
        if not getattr(settings, name):
            problems.append(Error(f"{name} is not set: {what}.", id="annotations.E001"))
    for name in ("PUBLIC_URL", "LABEL_STUDIO_URL"):
        url = urlsplit(getattr(settings, name))
        if url.scheme not in ("http", "https") or not url.hostname:
            problems.append(
                Error(
                    f"{name} must be an http(s) address, is {getattr(settings, name)!r}.",
                    id="annotations.E002",
                )  # fmt: skip
            )
    if "*" in settings.ALLOWED_HOSTS:
        problems.append(
            Warning(
                "ALLOWED_HOSTS accepts any host; name the server's hosts.", id="annotations.W001"
            )  # fmt: skip
        )
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        problems.append(
            Warning(
                "DATABASE_URL is not set: a team's server belongs on PostgreSQL "
                "(SQLite serializes every write).",
                id="annotations.W002",
            )  # fmt: skip
        )
    return problems
