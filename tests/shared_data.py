"""Data made once for all the tests of a module (Django's setUpTestData, for pytest).

The builder runs outside any test's transaction, once per module; every test
then runs in a transaction that is rolled back, so the data it finds is always
the same. When the module is done the database is emptied again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command


def module_data(build: Callable[[Any], Any]) -> Any:
    """A module-scoped fixture giving what `build(settings)` returns."""

    @pytest.fixture(scope="module")
    def fixture(django_db_setup, django_db_blocker):
        from django.conf import settings

        with django_db_blocker.unblock():
            try:
                yield build(settings)
            finally:
                call_command("flush", interactive=False, verbosity=0)

    return fixture
