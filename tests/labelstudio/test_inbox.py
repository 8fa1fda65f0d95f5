"""The webhook inbox: events wait in order, are applied once, and a failing one is set aside."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from annotations.labelstudio.sync import inbox
from annotations.models import Annotation, WebhookEvent
from annotations.routers import INBOX
from tests.labelstudio.test_webhooks import payload, post

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def worker_running():
    """A worker's recent beat: the view then only keeps the event."""
    inbox.worker_beat(worker_id="w1", host="here", pid=1)


def test_with_a_worker_alive_the_view_only_keeps_the_event(client, document, worker_running):
    answer = post(client, payload(document)).json()
    assert set(answer) == {"received"}
    assert not Annotation.objects.exists()
    event = WebhookEvent.objects.using(INBOX).get()
    assert event.applied_at is None and event.action == "ANNOTATION_CREATED"

    assert inbox.inbox_apply() == inbox.Applied(applied=1)
    assert Annotation.objects.get().ls_annotation_id == 12
    event.refresh_from_db()
    assert event.applied_at and event.result["created"] == 1
    assert inbox.inbox_apply() == inbox.Applied()  # nothing waits any more


def test_events_apply_in_the_order_they_came(client, document, worker_running):
    post(client, payload(document, updated_at="2026-11-26T10:00:00Z"))
    newer = payload(document, "ANNOTATION_UPDATED", updated_at="2026-11-26T10:01:00Z")
    newer["annotation"]["result"] = newer["annotation"]["result"][:1]
    post(client, newer)
    post(
        client, {"action": "ANNOTATIONS_DELETED", "annotations": [{"id": 12}], "project": {"id": 5}}
    )
    assert inbox.inbox_apply(limit=2) == inbox.Applied(applied=2)
    assert Annotation.objects.get(ls_annotation_id=12).spans.count() == 1
    inbox.inbox_apply()
    assert not Annotation.objects.filter(ls_annotation_id=12).exists()


def test_an_event_that_keeps_failing_is_set_aside_and_can_be_queued_again(
    client, document, worker_running, monkeypatch, admin_client
):
    post(client, payload(document))

    def broken(**_):
        raise RuntimeError("a bug while applying")

    monkeypatch.setattr(inbox, "webhook_apply", broken)
    for attempt in range(1, inbox.MAX_ATTEMPTS + 1):
        assert inbox.inbox_apply() == inbox.Applied(failed=1)
        event = WebhookEvent.objects.using(INBOX).get()
        assert event.attempts == attempt and "a bug while applying" in event.error
    assert event.applied_at is not None  # given up: it no longer blocks the queue
    assert inbox.inbox_apply() == inbox.Applied()

    listing = admin_client.get(
        reverse("admin:annotations_webhookevent_changelist") + "?state=failed"
    )
    assert listing.status_code == 200 and "ANNOTATION_CREATED" in listing.content.decode()

    monkeypatch.undo()
    answer = admin_client.post(
        reverse("admin:annotations_webhookevent_changelist"),
        {"action": "apply_again", "_selected_action": [event.pk]},
        follow=True,
    )
    assert "1 event(s) queued again." in answer.content.decode()
    assert inbox.inbox_apply() == inbox.Applied(applied=1)
    assert Annotation.objects.filter(ls_annotation_id=12).exists()


def test_only_events_set_aside_are_queued_again(client, document, worker_running):
    post(client, payload(document))
    inbox.inbox_apply()
    applied = WebhookEvent.objects.using(INBOX).get()
    assert inbox.inbox_retry(event_ids=[applied.pk]) == 0
    applied.refresh_from_db()
    assert applied.applied_at is not None


def test_workers_are_alive_while_they_beat(settings):
    inbox.worker_beat(worker_id="w1", host="here", pid=1)
    inbox.worker_beat(worker_id="w2", host="here", pid=2)
    WorkerBeat = inbox.WorkerBeat
    WorkerBeat.objects.using(INBOX).filter(worker_id="w2").update(
        beat_at=timezone.now() - timedelta(seconds=settings.WORKER_GONE_AFTER + 1)
    )
    assert inbox.workers_alive(worker_ids=["w1", "w2", "w3"]) == {"w1"}
    assert inbox.worker_alive()


def test_pruning_forgets_old_applied_events_only(client, document, worker_running):
    post(client, payload(document))
    post(client, payload(document, "ANNOTATION_UPDATED", updated_at="2026-11-26T11:00:00Z"))
    inbox.inbox_apply(limit=1)
    WebhookEvent.objects.using(INBOX).filter(applied_at__isnull=False).update(
        applied_at=timezone.now() - timedelta(days=31)
    )
    assert inbox.inbox_prune() == 1
    assert WebhookEvent.objects.using(INBOX).filter(applied_at__isnull=True).count() == 1
