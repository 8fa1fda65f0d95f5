"""What the suite does differently in CI (CI=true): nothing it needs may be missing."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    return os.getenv("CI", "").lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> NoReturn:
    """A server or browser the test needs is missing: skipped on a developer's machine,
    failed in CI, where it would otherwise hide that the set-up is broken."""
    if in_ci():
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)
