"""The errors a request can meet, by what they mean to whoever asked. Pure.

Services raise a DomainError (or a subclass) when they refuse a request, having
written nothing; its `status` is the HTTP answer the API gives and the admin
shows its message. Label Studio's own failures are LabelStudioError
(labelstudio/client.py): unreachable is 503, a refusal or bad answer 502.
"""

from __future__ import annotations


class DomainError(Exception):
    """A request the service refuses as it stands (bad input, a rule it breaks)."""

    status = 400


class NotFound(DomainError):
    """What the request names does not exist."""

    status = 404


class Conflict(DomainError):
    """The request clashes with what is stored (a name taken, a state that forbids it)."""

    status = 409
