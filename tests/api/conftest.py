from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotations.models import Collection
from annotations.roles import ANNOTATORS, REVIEWERS

ROLES = ("anonymous", "annotator", "reviewer", "admin")


@pytest.fixture
def demo(settings, roles, tmp_path):
    settings.EXPORT_DIR = tmp_path / "exports"
    settings.UPLOAD_DIR = tmp_path / "uploads"
    for name, extra in (("gold.jsonl", ["--as-gold"]), ("annotators.jsonl", [])):
        call_command("import_documents", str(settings.BASE_DIR / "fixtures" / name), "--collection", "demo",
                     *extra, stdout=io.StringIO())  # fmt: skip
    return Collection.objects.get(name="demo")


@pytest.fixture
def users(django_user_model, roles, demo):
    annotator = django_user_model.objects.create_user("anna")
    annotator.groups.add(Group.objects.get(name=ANNOTATORS))
    demo.members.add(annotator)
    reviewer = django_user_model.objects.create_user("rita", is_staff=True)
    reviewer.groups.add(Group.objects.get(name=REVIEWERS))
    admin = django_user_model.objects.create_superuser("ada", "ada@example.com", "pw")
    return {"annotator": annotator, "reviewer": reviewer, "admin": admin}


@pytest.fixture
def api(users):
    """api(role) -> an APIClient authenticated with that role's token (none for anonymous)."""

    def client(role: str) -> APIClient:
        c = APIClient()
        if role != "anonymous":
            token, _ = Token.objects.get_or_create(user=users[role])
            c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return c

    return client
