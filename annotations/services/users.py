"""People and their roles (see annotations.roles)."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group, Permission
from django.db import transaction

from annotations.errors import DomainError
from annotations.models import Collection
from annotations.roles import ANNOTATORS, PERMISSIONS, REVIEWERS

ROLES = ("admin", "reviewer", "annotator")
ROLE_GROUPS = {"admin": [], "reviewer": [REVIEWERS], "annotator": [ANNOTATORS]}


class UserError(DomainError):
    """The request cannot be carried out as given; nothing was written."""


def ensure_groups(group_model, permission_model) -> None:
    """Create or repair the groups (models passed in, so migrations can call it too)."""
    for name, codenames in PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.set(
            permission_model.objects.filter(
                content_type__app_label="annotations", codename__in=codenames
            )
        )


@transaction.atomic
def user_role_set(
    *,
    username: str,
    role: str,
    password: str | None = None,
    email: str = "",
    collections: Sequence[str] = (),
) -> tuple[AbstractUser, bool]:
    """Create the user or change their role; `collections` are added to their memberships.

    Returns the user and whether they were created.
    """
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    found = {c.name: c for c in Collection.objects.filter(name__in=collections)}
    missing = sorted(set(collections) - set(found))
    if missing:
        raise UserError(f"no collection named {', '.join(map(repr, missing))}")
    ensure_groups(Group, Permission)
    user, created = get_user_model().objects.get_or_create(username=username)
    if created and not password:
        raise UserError("a new user needs a password")
    if password:
        user.set_password(password)
    if email:
        user.email = email
    user.is_superuser = role == "admin"
    user.is_staff = role in ("admin", "reviewer")
    user.save()
    user.groups.set(Group.objects.filter(name__in=ROLE_GROUPS[role]))
    for collection in found.values():
        collection.members.add(user)
    return user, created
