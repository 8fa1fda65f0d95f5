from pathlib import Path

import pytest
from hypothesis import settings

from tests.ci import in_ci

# No deadlines: how fast an example runs says nothing on a busy two-core machine.
settings.register_profile("project", deadline=None)
settings.load_profile("project")

pytest_plugins = ["tests.live"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use the database may use the webhook inbox's database too."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and "databases" not in marker.kwargs:
            everything = pytest.mark.django_db(*marker.args, databases="__all__", **marker.kwargs)
            item.add_marker(everything, append=False)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test is a failed one: it would hide a missing server or browser."""
    if not in_ci():
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and exitstatus == 0:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; failing the run.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session", autouse=True)
def quick_passwords() -> None:
    """Users in tests need no costly password hashing (the real hasher is Django's default)."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def roles(db) -> None:
    """The role groups (a flush by a transactional test removes what migrations made)."""
    from django.contrib.auth.models import Group, Permission

    from annotations.services.users import ensure_groups

    ensure_groups(Group, Permission)


@pytest.fixture(autouse=True)
def immediate_jobs(settings) -> None:
    """Background jobs run in the request during tests (no worker process)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def no_label_studio(settings) -> None:
    """Nobody listens at Label Studio's address unless a test starts the real one
    (the `ls_client` fixture), so no test reaches a server someone left running."""
    settings.LABEL_STUDIO_URL = "http://127.0.0.1:9"


@pytest.fixture(autouse=True)
def model_dir(settings, tmp_path_factory) -> Path:
    """Trained models go to a folder of the test's own, never var/models."""
    settings.MODEL_DIR = tmp_path_factory.mktemp("models")
    return settings.MODEL_DIR


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    """Throttle counters live in the cache; each test starts with none spent."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def connections_closed_at_the_end(django_db_setup, django_db_blocker):
    """On PostgreSQL the inbox is a second session on the test database; it is closed
    before the database is dropped, whichever test ran last."""
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        connections.close_all()


@pytest.fixture(scope="session", autouse=True)
def deferred_fields_are_not_read():
    """A field left out by `.only()`/`.defer()` and read later costs a query per object
    (an N+1 hidden in a loop): anywhere in the suite, it fails the test instead."""
    from django.db.models.query_utils import DeferredAttribute

    original = DeferredAttribute.__get__

    def strict(self, instance, cls=None):
        if (
            instance is not None
            and self.field.attname not in instance.__dict__
            and self._check_parent_chain(instance) is None
        ):
            raise AssertionError(
                f"{type(instance).__name__}.{self.field.attname} was left out of the query "
                "(.only/.defer) and is read now: one more query per object"
            )
        return original(self, instance, cls)

    DeferredAttribute.__get__ = strict
    yield
    DeferredAttribute.__get__ = original
