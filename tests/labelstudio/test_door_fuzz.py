"""The doors Label Studio knocks on (webhook, ML backend), fuzzed with authenticated
garbage: every answer is a 2xx or a 4xx with a JSON body, never a 500, and what
breaks the scheme is kept raw and flagged, never half-stored."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.models import Annotation, WebhookEvent
from tests.labelstudio.test_ml_backend import AUTH
from tests.labelstudio.test_webhooks import RESULT, payload, post

pytestmark = pytest.mark.django_db
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.text(max_size=12)
json_values = st.recursive(
    scalars | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
actions = st.sampled_from(
    ["ANNOTATION_CREATED", "ANNOTATION_UPDATED", "ANNOTATIONS_DELETED", "TASKS_DELETED",
     "PROJECT_UPDATED", ""]
)  # fmt: skip


def result_items():
    """Result lists near what Label Studio sends, with any part of them bent."""
    good = st.sampled_from(RESULT)
    bent = st.builds(lambda item, key, value: {**item, key: value}, good,
                     st.sampled_from(["id", "value", "from_name", "type", "from_id", "to_id"]),
                     json_values)  # fmt: skip
    return st.lists(good | bent | json_values, max_size=6)


def answered(response) -> dict:
    assert response.status_code < 500, response.content[:300]
    body = response.json()
    assert isinstance(body, dict)
    return body


@FUZZ
@given(action=actions, project=json_values | st.just({"id": 5}), rest=json_values)
def test_garbage_envelopes_get_an_answer(client, document, action, project, rest):
    body = {"action": action, "project": project, "annotation": rest, "task": rest,
            "annotations": rest, "tasks": rest}  # fmt: skip
    answered(post(client, body))


@FUZZ
@given(result=result_items(), annotation_id=scalars, updated_at=scalars)
def test_bent_results_are_kept_raw_and_flagged_not_half_stored(
    client, document, result, annotation_id, updated_at
):
    body = payload(document, updated_at=updated_at)
    body["annotation"].update(id=annotation_id, result=result)
    answered(post(client, body))
    for annotation in Annotation.objects.filter(kind="human"):
        assert annotation.raw is not None
        # What is stored is what keeps to the scheme; the rest is listed as problems.
        if annotation.problems:
            assert all(isinstance(problem, str) for problem in annotation.problems)
    assert WebhookEvent.objects.filter(applied_at__isnull=True, attempts__gt=0).count() == 0


@FUZZ
@given(body=st.binary(max_size=200))
def test_bodies_that_are_not_json_get_a_400(client, document, body):
    response = post(client, body)
    assert response.status_code in (200, 400)
    answered(response)


tasks = json_values | st.lists(
    st.fixed_dictionaries(
        {"data": json_values | st.fixed_dictionaries({"text": json_values})},
        optional={"id": scalars},
    )
    | json_values,
    max_size=3,
)


@FUZZ
@given(tasks=tasks, label_config=json_values)
def test_the_ml_backend_answers_any_tasks_without_a_500(client, tasks, label_config):
    body = {"tasks": tasks, "label_config": label_config, "project": "1.1"}
    response = client.post(reverse("ml-predict"), data=json.dumps(body),
                           content_type="application/json", headers=AUTH)  # fmt: skip
    answer = answered(response)
    if response.status_code == 200:
        assert len(answer["results"]) == len(tasks)
    else:
        assert response.status_code == 400 and not isinstance(tasks, list)
