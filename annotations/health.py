"""Liveness and readiness, for a load balancer or an orchestrator: no authentication, no
secrets in the answer.

`/healthz` answers while the process can answer at all. `/readyz` says whether this
server can do its work: the database reachable and migrated, the webhook inbox
reachable, a background worker beating (jobs and webhooks need one), and Label
Studio reachable (reported; not required, as the admin and the API work without it).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from annotations.labelstudio.sync import client_from_settings, worker_alive
from annotations.routers import INBOX


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    required: bool = True
    detail: str = ""

    def as_json(self) -> dict:
        answer = {"ok": self.ok, "required": self.required}
        if self.detail:
            answer["detail"] = self.detail
        return answer


# Migrations do not come undone while a server runs: once seen applied, not looked at again.
_migrated: set[str] = set()


def _database(alias: str, name: str) -> list[Check]:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return [Check(name, False, detail="unreachable")]
    if alias in _migrated:
        return [Check(name, True)]
    try:
        executor = MigrationExecutor(connections[alias])
        waiting = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return [Check(name, False, detail="unreachable")]
    if waiting:
        return [Check(name, False, detail=f"{len(waiting)} migration(s) not applied")]
    _migrated.add(alias)
    return [Check(name, True)]


def readiness() -> list[Check]:
    checks = _database("default", "database") + _database(INBOX, "inbox")
    try:
        beating = worker_alive()
    except DatabaseError:
        beating = False
    checks.append(Check("worker", beating, detail="" if beating else "no worker is beating"))
    with client_from_settings(timeout=2) as client:
        reachable = client.health()
    checks.append(
        Check("labelstudio", reachable, required=False, detail="" if reachable else "unreachable")
    )
    return checks


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "alive"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks = readiness()
    ready = all(check.ok for check in checks if check.required)
    return JsonResponse(
        {"status": "ready" if ready else "not ready",
         "checks": {check.name: check.as_json() for check in checks}},
        status=200 if ready else 503,
    )  # fmt: skip
