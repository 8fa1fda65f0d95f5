"""What PostgreSQL's planner expects of a query, where counting would cost a scan."""

from __future__ import annotations

import json

from django.db.models import QuerySet


def planned_rows(queryset: QuerySet) -> int:
    """How many rows PostgreSQL's planner expects the query to return (from the table's
    statistics: `reltuples` for a whole table, the filters' selectivity otherwise)."""
    plan = json.loads(queryset.order_by().values("pk").explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])
