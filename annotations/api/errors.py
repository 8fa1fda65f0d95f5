"""One map from errors to answers: a refused request is a 4xx with a JSON body, an
unreachable Label Studio a 503 (502 when it answered badly), never a 500."""

from __future__ import annotations

from django.db import IntegrityError
from django.http import JsonResponse
from django.views import defaults
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from annotations.errors import DomainError
from annotations.labelstudio.client import LabelStudioError


def error_answer(error: Exception) -> tuple[int, dict] | None:
    """(status, JSON body) for the errors the service expects; None for the others."""
    if isinstance(error, DomainError):
        return error.status, {"detail": str(error)}
    if isinstance(error, LabelStudioError):
        answer = status.HTTP_503_SERVICE_UNAVAILABLE if error.unreachable else 502
        body = {
            "detail": str(error),
            "label_studio": {"status": error.status, "retry": not error.permanent},
        }
        return answer, body
    if isinstance(error, IntegrityError):
        # Two requests raced for the same row; the loser changed nothing.
        return status.HTTP_409_CONFLICT, {
            "detail": "the change clashes with stored data; try again"
        }
    return None


def exception_handler(error: Exception, context: dict) -> Response | None:
    known = error_answer(error)
    if known is not None:
        code, body = known
        return Response(body, status=code)
    response = drf_exception_handler(error, context)
    if response is not None and isinstance(response.data, list):
        # A bare list of messages (e.g. from a search term) becomes one detail message,
        # so every error body is an object.
        response.data = {"detail": " ".join(str(message) for message in response.data)}
    return response


def bad_request(request, exception=None):
    """JSON for a request Django cannot read (too many files, a broken body) on the API."""
    if request.path.startswith("/api/"):
        detail = str(exception) if exception else "Bad request."
        return JsonResponse({"detail": detail}, status=400)
    return defaults.bad_request(request, exception)


def not_found(request, exception=None):
    """JSON for a missing API address, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)
