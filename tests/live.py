"""One real Label Studio per test session, started from the migrated template (a plugin
loaded by tests/conftest.py, so Label Studio and browser tests share the server)."""

from __future__ import annotations

import time
import uuid

import pytest
from django.conf import settings

from annotations.labelstudio import server
from annotations.labelstudio.client import LabelStudioClient
from annotations.models import Collection
from tests.ci import unavailable
from tests.stack import free_port


def wait_for(condition, timeout: float = 15.0) -> bool:
    """Whether `condition()` came true within `timeout` seconds (Label Studio calls us back)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture(scope="session")
def label_studio_server(tmp_path_factory):
    venv = settings.LABEL_STUDIO_VENV
    if not (venv / "bin" / "label-studio").exists():
        unavailable(f"Label Studio is not installed in {venv}; run `make setup`")
    config = server.ServerConfig(
        venv=venv,
        data_dir=tmp_path_factory.mktemp("labelstudio"),
        port=free_port(),
        username=settings.LABEL_STUDIO_USERNAME,
        password=settings.LABEL_STUDIO_PASSWORD,
        token=settings.LABEL_STUDIO_API_KEY,
        template_dir=settings.LABEL_STUDIO_TEMPLATE_DIR,
    )
    server.make_template(config)
    server.start(config)
    yield config
    server.stop(config)


@pytest.fixture
def ls_client(label_studio_server, settings) -> LabelStudioClient:
    settings.LABEL_STUDIO_URL = label_studio_server.url
    with LabelStudioClient(label_studio_server.url, label_studio_server.token) as client:
        yield client


@pytest.fixture
def ls_collection(ls_client, settings):
    """A fresh collection; its Label Studio project is deleted afterwards."""
    collection = Collection.objects.create(name=f"it-{uuid.uuid4().hex[:10]}", overlap=2)
    yield collection
    collection.refresh_from_db()
    if collection.ls_project_id:
        ls_client.project_delete(collection.ls_project_id)
