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


def test_new_user_needs_a_password():
    with pytest.raises(CommandError, match="a new user needs --password"):
        call_command("user", "nobody", "--role", "reviewer")
