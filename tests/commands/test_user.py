import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_roles_become_groups_and_staff_flags():
    call_command("user", "rita", "--role", "reviewer", "--password", "pw", stdout=io.StringIO())
    rita = get_user_model().objects.get(username="rita")
    assert rita.is_staff and not rita.is_superuser and rita.has_perm("annotations.review_document")
    assert not rita.has_perm("annotations.change_collection")
    call_command("user", "rita", "--role", "annotator", stdout=io.StringIO())
    rita = get_user_model().objects.get(username="rita")
    assert not rita.is_staff and rita.has_perm("annotations.view_document")
    assert not rita.has_perm("annotations.review_document")
    call_command("user", "ada", "--role", "admin", "--password", "pw", stdout=io.StringIO())
    assert get_user_model().objects.get(username="ada").is_superuser


def test_new_user_needs_a_password_and_nothing_is_written_without_one():
    with pytest.raises(CommandError, match="a new user needs a password"):
        call_command("user", "nobody", "--role", "reviewer")
    assert not get_user_model().objects.filter(username="nobody").exists()


def test_annotators_join_collections():
    from annotations.models import Collection

    Collection.objects.create(name="news")
    Collection.objects.create(name="sport")
    out = io.StringIO()
    call_command(
        "user", "ann", "--role", "annotator", "--password", "pw",
        "--collection", "news", "--collection", "sport", stdout=out,
    )  # fmt: skip
    assert "member of news, sport" in out.getvalue()
    ann = get_user_model().objects.get(username="ann")
    assert sorted(ann.collections.values_list("name", flat=True)) == ["news", "sport"]


def test_an_unknown_collection_writes_nothing():
    with pytest.raises(CommandError, match="no collection named 'nope'"):
        call_command(
            "user", "ann", "--role", "annotator", "--password", "pw", "--collection", "nope"
        )
    assert not get_user_model().objects.filter(username="ann").exists()
