from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotations.models import Collection
from annotations.roles import ANNOTATORS, REVIEWERS
from tests.shared_data import module_data

ROLES = ("anonymous", "annotator", "reviewer", "admin")


def make_demo(settings) -> dict:
    """The example corpus (gold and two annotators' versions) and one user per role."""
    from django.contrib.auth import get_user_model

    from annotations.services.users import ensure_groups

    for name, extra in (("gold.jsonl", ["--as-gold"]), ("annotators.jsonl", [])):
        call_command("import_documents", str(settings.BASE_DIR / "fixtures" / name), "--collection", "demo",
                     *extra, stdout=io.StringIO())  # fmt: skip
    from django.contrib.auth.models import Permission

    ensure_groups(Group, Permission)
    users = get_user_model().objects
    annotator = users.create_user("anna")
    annotator.groups.add(Group.objects.get(name=ANNOTATORS))
    Collection.objects.get(name="demo").members.add(annotator)
    reviewer = users.create_user("rita", is_staff=True)
    reviewer.groups.add(Group.objects.get(name=REVIEWERS))
    admin = users.create_superuser("ada", "ada@example.com", "pw")
    return {"annotator": annotator.pk, "reviewer": reviewer.pk, "admin": admin.pk}


demo_data = module_data(make_demo)


@pytest.fixture
def demo(demo_data, settings, db, tmp_path) -> Collection:
    """The demo collection; what a test changes is undone after it (the data stays)."""
    settings.EXPORT_DIR = tmp_path / "exports"
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return Collection.objects.get(name="demo")


@pytest.fixture
def users(demo, demo_data, django_user_model) -> dict:
    return {role: django_user_model.objects.get(pk=pk) for role, pk in demo_data.items()}


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
