"""Label Studio's ML backend protocol, so annotators can ask for predictions of a task.

Label Studio calls `health`, `setup` and `predict` under the URL it was given
(PUBLIC_URL/ml/), with HTTP basic auth (user `labelstudio`, the webhook secret
as password). Training is not offered: the rules do not learn.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from annotations.labelstudio.convert import domain_to_result
from annotations.preannotate import MODEL_VERSION
from annotations.scheme import QUOTES_V1
from annotations.services.preannotation import known_speakers, prediction_for

USER = "labelstudio"


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
        {"status": "UP", "model_class": "QuoteRules", "model_version": MODEL_VERSION}
    )


@csrf_exempt
@require_POST
def setup(request: HttpRequest) -> JsonResponse:
    if not _authorised(request):
        return _denied()
    return JsonResponse({"model_version": MODEL_VERSION})


@csrf_exempt
@require_POST
def predict(request: HttpRequest) -> JsonResponse:
    if not _authorised(request):
        return _denied()
    try:
        payload = json.loads(request.body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return JsonResponse({"detail": "the body is not JSON"}, status=400)
    tasks = payload.get("tasks") if isinstance(payload, dict) else None
    if not isinstance(tasks, list):
        return JsonResponse({"detail": "expected {'tasks': [...]}"}, status=400)
    known = known_speakers()
    results = []
    for task in tasks:
        data = task.get("data") if isinstance(task, dict) else None
        text = data.get("text") if isinstance(data, dict) else None
        if not isinstance(text, str):
            results.append({"result": [], "score": 0.0, "model_version": MODEL_VERSION})
            continue
        record = prediction_for(text, known)
        scores = record.provenance.get("scores")
        result = domain_to_result(
            record.spans, record.attributions, record.relations, QUOTES_V1, scores
        )
        results.append(
            {"result": result, "score": record.score or 0.0, "model_version": MODEL_VERSION}
        )
    return JsonResponse({"results": results})


@csrf_exempt
@require_POST
def training(request: HttpRequest) -> JsonResponse:
    if not _authorised(request):
        return _denied()
    return JsonResponse({"status": "ignored", "detail": "rule-based predictions do not train"})
