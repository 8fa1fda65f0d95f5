"""Liveness and readiness answer without authentication and without secrets."""

import pytest
from django.db import OperationalError, connections

from annotations import health
from annotations.labelstudio.sync import worker_beat

pytestmark = pytest.mark.django_db


def test_healthz_answers_while_the_process_does(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.json() == {"status": "alive"}
    assert "no-store" in answer["Cache-Control"]


def test_ready_when_the_database_is_migrated_and_a_worker_beats(client):
    worker_beat(worker_id="w1", host="here", pid=1)
    answer = client.get("/readyz")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"] == {"ok": True, "required": True}
    # Label Studio is away in tests: reported, but the service still serves.
    assert body["checks"]["labelstudio"] == {"ok": False, "required": False,
                                             "detail": "unreachable"}  # fmt: skip


def test_not_ready_without_a_worker(client):
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["checks"]["worker"] == {
        "ok": False, "required": True, "detail": "no worker is beating"
    }  # fmt: skip


def test_not_ready_when_the_database_is_unreachable(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    worker_beat(worker_id="w1", host="here", pid=1)
    monkeypatch.setattr(connections["default"], "cursor", refuse)
    monkeypatch.setattr(health, "worker_alive", lambda: True)
    answer = health.readyz(client.get("/healthz").wsgi_request)
    assert answer.status_code == 503
    assert b'"database": {"ok": false, "required": true, "detail": "unreachable"}' in answer.content


def test_the_answers_hold_no_secrets(client, settings):
    settings.LABEL_STUDIO_API_KEY = "secret-token-abc"
    settings.LABEL_STUDIO_URL = "http://user:pw@127.0.0.1:9"
    body = client.get("/readyz").content.decode()
    assert "secret-token-abc" not in body and "pw@" not in body and "127.0.0.1" not in body
