"""`manage.py labelstudio` against the session's real Label Studio."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests import factories

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def run(*args) -> str:
    out = io.StringIO()
    call_command("labelstudio", *args, stdout=out)
    return out.getvalue()


def test_setup_push_pull_status_from_the_command_line(ls_collection, ls_client):
    name = ls_collection.name
    factories.document(ls_collection)
    assert "Created project" in run("setup", "--collection", name)
    assert "Checked project" in run("setup", "--collection", name)
    assert "1 task(s) created with 0 prediction(s)" in run("push", "--collection", name)
    assert "annotations 0 new" in run("pull", "--collection", name)
    report = json.loads(run("status", "--collection", name, "--json"))
    assert (report["documents"], report["pushed"], report["tasks"], report["webhook"]) == (
        1,
        1,
        1,
        True,
    )


def test_errors_are_clear(ls_collection, ls_client, settings):
    with pytest.raises(CommandError, match="no collection named 'nope'"):
        run("push", "--collection", "nope")
    with pytest.raises(
        CommandError, match="has no Label Studio project yet; run `manage.py labelstudio setup"
    ):
        run("push", "--collection", ls_collection.name)
    settings.LABEL_STUDIO_URL = "http://127.0.0.1:9"
    with pytest.raises(CommandError, match="cannot reach Label Studio to create a project"):
        run("setup", "--collection", ls_collection.name)
    settings.LABEL_STUDIO_URL = "https://labelstudio.example.org"
    with pytest.raises(CommandError, match="is not on this machine; there is nothing to start"):
        run("serve")
