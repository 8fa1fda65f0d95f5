"""Domain errors become 400 answers with a JSON body, never 500s."""

from __future__ import annotations

from django.http import JsonResponse
from django.views import defaults
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from annotations.exporters import ExportError
from annotations.scheme import UnknownScheme
from annotations.services import CollectionError, DocumentLocked, SpeakerMergeError
from annotations.services.review import ReviewError

DOMAIN_ERRORS = (
    ReviewError,
    CollectionError,
    ExportError,
    SpeakerMergeError,
    DocumentLocked,
    UnknownScheme,
)


def exception_handler(error: Exception, context: dict) -> Response | None:
    if isinstance(error, DOMAIN_ERRORS):
        return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(error, context)
    if response is not None and isinstance(response.data, list):
        # A bare list of messages (e.g. from a search term) becomes one detail message,
        # so every error body is an object.
        response.data = {"detail": " ".join(str(message) for message in response.data)}
    return response


def not_found(request, exception=None):
    """JSON for a missing API address, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)
