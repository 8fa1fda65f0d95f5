"""The endpoint Label Studio calls when annotations or tasks change.

The view checks the secret and the envelope and keeps the payload in the inbox
(`sync.webhook_receive`), which nothing can block, then answers. The worker
applies it; with no worker running, the request applies what waits itself.
"""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from annotations.importers.normalize import unstorable
from annotations.labelstudio import sync

# Label Studio waits a second for the answer: a request applying the inbox itself waits
# no longer than this for the database; what it leaves, the worker or a later one applies.
REQUEST_PATIENCE = 0.3


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> JsonResponse:
    secret = settings.LABEL_STUDIO_WEBHOOK_SECRET
    given = request.headers.get(sync.WEBHOOK_HEADER, "")
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        return JsonResponse({"detail": "missing or wrong webhook secret"}, status=403)
    try:
        payload = json.loads(request.body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return JsonResponse({"detail": "the body is not JSON"}, status=400)
    if not isinstance(payload, dict) or not isinstance(payload.get("action"), str):
        return JsonResponse({"detail": "expected an object with an 'action'"}, status=400)
    if problem := unstorable(payload):
        return JsonResponse({"detail": f"the payload contains {problem}"}, status=400)
    event = sync.webhook_receive(payload=payload)
    if sync.worker_alive():
        return JsonResponse({"received": event.pk})
    sync.inbox_apply(patience=REQUEST_PATIENCE)
    event.refresh_from_db()
    return JsonResponse({"received": event.pk, **(event.result or {})})
