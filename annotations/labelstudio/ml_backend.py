"""Label Studio's ML backend protocol, so annotators can ask for predictions of a task.

Label Studio calls `health`, `setup` and `predict` under the URL it was given
(PUBLIC_URL/ml/), with HTTP basic auth (user `labelstudio`, the webhook secret
as password). Each request names its Label Studio project: the collection bound
to it predicts with its trained model (`Collection.model`), else with the rules; a
model whose file is missing or altered falls back to the rules, and the answer's
`model_version` says which predicted. Label Studio's "Start training" starts a
training job on the collection's reviewed gold, as `manage.py train`, the API and
the admin do.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from annotations.labelstudio.convert import domain_to_result
from annotations.models import Collection, Job
from annotations.preannotate import MODEL_VERSION, preannotate
from annotations.scheme import QUOTES_V1
from annotations.services.jobs import job_start
from annotations.services.preannotation import known_speakers, prediction_for
from annotations.services.training import ModelUnavailable, model_predictor

log = logging.getLogger(__name__)
USER = "labelstudio"
START_TRAINING = "START_TRAINING"


def _authorised(request: HttpRequest) -> bool:
    secret = settings.LABEL_STUDIO_WEBHOOK_SECRET
    header = request.headers.get("Authorization", "")
    if not secret or not header.startswith("Basic "):
        return False
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return hmac.compare_digest(f"{user}:{password}".encode(), f"{USER}:{secret}".encode())


def _denied() -> JsonResponse:
    response = JsonResponse({"detail": "authentication required"}, status=401)
    response["WWW-Authenticate"] = 'Basic realm="ml-backend"'
    return response


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    if not _authorised(request):
        return _denied()
    return JsonResponse(
        {"status": "UP", "model_class": "QuoteAttribution", "model_version": MODEL_VERSION}
    )


def _payload(request: HttpRequest) -> dict | None:
    try:
        payload = json.loads(request.body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return payload if isinstance(payload, dict) else None


def _collection_of(payload: dict) -> Collection | None:
    """The collection bound to the request's Label Studio project: `project` is
    "<id>.<timestamp>" in setup and predict, the project's JSON in a webhook."""
    project = payload.get("project")
    if isinstance(project, dict):
        project = project.get("id")
    project = str(project or "").partition(".")[0]
    if not project.isdigit() or len(project) >= 10:
        return None
    return Collection.objects.select_related("model").filter(ls_project_id=int(project)).first()


def _predictor(payload: dict):
    """The prediction function and version for the request's project: its collection's
    model, else the rules (also when the model cannot be loaded)."""
    collection = _collection_of(payload)
    if collection is None or collection.model is None:
        return preannotate, MODEL_VERSION
    try:
        return model_predictor(collection.model)
    except ModelUnavailable as error:
        log.warning("predicting for %s with the rules: %s", collection.name, error)
        return preannotate, MODEL_VERSION


@csrf_exempt
@require_POST
def setup(request: HttpRequest) -> JsonResponse:
    if not _authorised(request):
        return _denied()
    payload = _payload(request)
    if payload is None:
        return JsonResponse({"detail": "the body is not a JSON object"}, status=400)
    _, version = _predictor(payload)
    return JsonResponse({"model_version": version})


@csrf_exempt
@require_POST
def predict(request: HttpRequest) -> JsonResponse:
    if not _authorised(request):
        return _denied()
    payload = _payload(request)
    tasks = payload.get("tasks") if payload is not None else None
    if not isinstance(tasks, list):
        return JsonResponse({"detail": "expected {'tasks': [...]}"}, status=400)
    predict, version = _predictor(payload)
    known = known_speakers()
    results = []
    for task in tasks:
        data = task.get("data") if isinstance(task, dict) else None
        text = data.get("text") if isinstance(data, dict) else None
        if not isinstance(text, str):
            results.append({"result": [], "score": 0.0, "model_version": version})
            continue
        record = prediction_for(text, known, predict)
        scores = record.provenance.get("scores")
        result = domain_to_result(
            record.spans, record.attributions, record.relations, QUOTES_V1, scores
        )
        results.append({"result": result, "score": record.score or 0.0, "model_version": version})
    return JsonResponse({"results": results})


@csrf_exempt
@require_POST
def training(request: HttpRequest) -> JsonResponse:
    """Label Studio's "Start training" (`train`, or a START_TRAINING `webhook`): a
    training job on the reviewed gold of the project's collection, as `manage.py
    train` runs it; other webhook events are not this backend's business."""
    if not _authorised(request):
        return _denied()
    payload = _payload(request)
    if payload is None:
        return JsonResponse({"detail": "the body is not a JSON object"}, status=400)
    action = payload.get("action", START_TRAINING)
    if action != START_TRAINING:
        return JsonResponse({"status": "ignored", "detail": f"{action!r} starts no training"})
    collection = _collection_of(payload)
    if collection is None:
        return JsonResponse(
            {"detail": "no collection is bound to that Label Studio project"}, status=404
        )
    job = job_start(kind=Job.Kind.TRAIN, collection=collection, user=None)
    return JsonResponse(
        {
            "status": "started",
            "job": job.pk,
            "detail": f"training on the reviewed gold of {collection.name!r}; the new "
            "version predicts here once it does at least as well as the rules",
        }
    )
