"""Roles in the API: annotator < reviewer < admin (see annotations.roles)."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

ANNOTATOR, REVIEWER, ADMIN = "annotator", "reviewer", "admin"
RANK = {ANNOTATOR: 1, REVIEWER: 2, ADMIN: 3}


def role_of(user) -> str | None:
    if not user or not user.is_authenticated:
        return None
    if user.is_superuser or user.has_perm("annotations.change_collection"):
        return ADMIN
    if user.has_perm("annotations.review_document"):
        return REVIEWER
    if user.has_perm("annotations.view_document"):
        return ANNOTATOR
    return None


class RolePermission(BasePermission):
    """Each view says which role an action needs (`roles`); reads default to annotator,
    writes to admin."""

    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        have = role_of(request.user)
        if have is None:
            return False
        roles = getattr(view, "roles", {})
        default = ANNOTATOR if request.method in SAFE_METHODS else ADMIN
        needed = roles.get(getattr(view, "action", None), default)
        return RANK[have] >= RANK[needed]
