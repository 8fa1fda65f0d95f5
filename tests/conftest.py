import os

import pytest


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test is a failed one: it would hide a missing server or browser."""
    if os.getenv("CI", "").lower() not in {"1", "true", "yes"}:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and exitstatus == 0:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; failing the run.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def roles(db) -> None:
    """The role groups (a flush by a transactional test removes what migrations made)."""
    from django.contrib.auth.models import Group, Permission

    from annotations.roles import ensure_groups

    ensure_groups(Group, Permission)
