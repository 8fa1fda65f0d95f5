"""Pages of lists that grow with the corpus, found through the ordering's index: numbered
pages (the admin's lists and the API's `page=N`) and pages after a cursor, a row's
ordering key (the API's keyset pages, the admin's pages past the numbered ones)."""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Sequence
from functools import cached_property

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Page, Paginator
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import Col
from django.db.models.fields.tuple_lookups import (
    Tuple,
    TupleGreaterThan,
    TupleGreaterThanOrEqual,
    TupleLessThan,
    TupleLessThanOrEqual,
)
from django.db.models.lookups import Exact

# How far numbered pages reach into a list that grows with the corpus (the API's from its
# start, the admin's from either end): a numbered page is found by reading the keys
# before it from the ordering's index, 90 ms for a page half a million rows in; past
# this, pages follow one another by cursor.
NUMBERED_ROWS = 10_000
MAX_INTEGER = 2**63 - 1


class SeekPaginator(Paginator):
    """Django's paginator, with a page past the first found by its rows' ordering keys:
    read from the ordering's index alone (from its end for the pages nearer the end, so
    the last page costs what the first does), then the rows read between the page's
    first and last key, with joins and per-row counts computed for its own rows only (an
    OFFSET computes them for every row it skips). A list in an order no unique index
    holds is paged by OFFSET.

    `count_up_to`: the count stops there (`beyond` says whether more rows follow), and
    only pages within it are read (from the start of the index)."""

    beyond = False

    def __init__(
        self,
        object_list,
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
        *,
        count_up_to: int | None = None,
    ) -> None:
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.count_up_to = count_up_to

    @cached_property
    def count(self) -> int:
        if self.count_up_to is None:
            return self.object_list.count()
        counted = self.object_list.order_by().values("pk")[: self.count_up_to + 1].count()
        self.beyond = counted > self.count_up_to
        return min(counted, self.count_up_to)

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        key = ordering_key(self.object_list)
        if bottom == 0 or key is None:
            return super().page(number)
        columns, descending = key
        rows = self.object_list
        after = self.count - bottom  # rows from this page's first to the end
        if 0 < after < bottom + self.per_page and not self.beyond:
            # Nearer the end: the page's keys are read from the end of the index.
            size = min(self.per_page, after)
            keys = list(rows.reverse().values_list(*columns)[after - size : after])[::-1]
        else:
            keys = list(rows.values_list(*columns)[bottom : bottom + self.per_page])
        if not keys:
            return self._get_page(rows.none(), number, self)
        low, high = (keys[-1], keys[0]) if descending else (keys[0], keys[-1])
        rows = rows.filter(between(columns, low, high))
        return self._get_page(rows[: len(keys)], number, self)


def between(columns: tuple[str, ...], low: tuple, high: tuple) -> Q:
    """Rows whose key lies from `low` to `high`: the tuple comparisons, and the plain
    conditions on columns that they imply (the leading columns both keys share, the
    range of the next), which the planner estimates from the columns' statistics. From
    the tuples alone it expected half the table and walked another index, filtering
    (170 ms for a page of a 100,000-document collection)."""
    key = Tuple(*(F(column) for column in columns))
    condition = Q(TupleGreaterThanOrEqual(key, low), TupleLessThanOrEqual(key, high))
    for column, first, last in zip(columns, low, high, strict=True):
        if first != last:
            return condition & Q(**{f"{column}__gte": first, f"{column}__lte": last})
        condition &= Q(**{column: first})
    return condition


def ordering_key(queryset: QuerySet) -> tuple[tuple[str, ...], bool] | None:
    """The columns a queryset is ordered by and whether descending, when they are plain
    columns of its own table in one direction and together unique; else None."""
    meta = queryset.model._meta
    ordering = queryset.query.order_by or (meta.ordering if queryset.query.default_ordering else ())
    if not ordering or not all(isinstance(part, str) for part in ordering):
        return None
    descending = {part.startswith("-") for part in ordering}
    columns = []
    for part in ordering:
        name = part.lstrip("-")
        field = meta.pk if name == "pk" else meta._forward_fields_map.get(name)
        # A foreign key by its name sorts by the other model's ordering (a join).
        if field is None or not field.concrete or (field.is_relation and name == field.name):
            return None
        columns.append(field.attname)
    if len(descending) != 1 or not unique_together(meta, columns):
        return None
    return tuple(columns), descending.pop()


def unique_together(meta, columns: list[str]) -> bool:
    if any(meta.get_field(column).unique for column in columns):
        return True
    return any(
        {meta.get_field(name).attname for name in constraint.fields} <= set(columns)
        for constraint in meta.total_unique_constraints
    )


class InvalidCursor(ValueError):
    """A cursor that this list did not give: garbled, for another ordering, or holding
    values its columns cannot."""


def encode_cursor(ordering: str, key: Sequence, *, back: bool) -> str:
    """Where a page starts, for a link: the key of the row it follows (or, `back`, the row
    it precedes) in the named ordering."""
    values = [v.isoformat() if isinstance(v, datetime.datetime) else v for v in key]
    text = json.dumps({"o": ordering, "k": values, "b": back}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(
    cursor: str, *, ordering: str, model, columns: Sequence[str]
) -> tuple[list, bool]:
    """The key and direction an encode_cursor link carries, as the columns hold them;
    InvalidCursor for anything else (a database would refuse some values: a string
    with NUL, an integer out of range)."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        values, back, named = data["k"], data["b"], data["o"]
    except (ValueError, TypeError, KeyError, binascii.Error):
        raise InvalidCursor(cursor) from None
    if named != ordering or not isinstance(back, bool):
        raise InvalidCursor(cursor)
    if not isinstance(values, list) or len(values) != len(columns):
        raise InvalidCursor(cursor)
    try:
        key = [_column_value(model, c, v) for c, v in zip(columns, values, strict=True)]
    except (DjangoValidationError, FieldDoesNotExist, ValueError, TypeError):
        raise InvalidCursor(cursor) from None
    return key, back


def _column_value(model, column: str, value):
    if not isinstance(value, int | str) or isinstance(value, bool):
        raise ValueError(column)
    if isinstance(value, int) and abs(value) > MAX_INTEGER:
        raise ValueError(column)
    if isinstance(value, str) and "\x00" in value:
        raise ValueError(column)
    converted = model._meta.get_field(column).to_python(value)
    naive = isinstance(converted, datetime.datetime) and converted.tzinfo is None
    if converted is None or naive:
        raise ValueError(column)
    return converted


def past_cursor(
    queryset: QuerySet,
    columns: Sequence[str],
    key: Sequence,
    *,
    descending: bool,
    back: bool,
    fixed: dict | None = None,
) -> QuerySet:
    """The rows after `key` in the ordering (`back`: before it, nearest first), ordered
    so that the index is read from the key on. `fixed` names columns a filter holds at
    one value: when it holds the leading one at the key's, the rest of the key is also
    compared on its own, so that the scan starts at the key (from the tuple alone
    PostgreSQL started at the filter's first row: 2,481 buffers for a page in the middle
    of a million documents, 19 with this)."""
    after = TupleLessThan if descending != back else TupleGreaterThan
    rows = queryset.order_by(*(f"-{c}" if descending else c for c in columns))
    rows = rows.filter(after(Tuple(*(F(c) for c in columns)), list(key)))
    if len(columns) > 1 and (fixed or {}).get(columns[0], object()) == key[0]:
        rows = rows.filter(after(Tuple(*(F(c) for c in columns[1:])), list(key[1:])))
    return rows.reverse() if back else rows


def fixed_by_filter(queryset: QuerySet, column: str) -> dict:
    """{column: value} when the queryset's filters hold its own `column` at one value
    (an `exact` condition beside the others, as the admin's list filters add); else {}."""
    where = queryset.query.where
    if where.connector != "AND" or where.negated:
        return {}
    for condition in where.children:
        if (
            isinstance(condition, Exact)
            and isinstance(condition.lhs, Col)
            and condition.lhs.alias == queryset.query.base_table
            and condition.lhs.target.attname == column
            and not hasattr(condition.rhs, "resolve_expression")
        ):
            return {column: condition.rhs}
    return {}
