"""Admin lists over tables that grow with the corpus: no full count, deep pages through
the index, and only orderings an index serves."""

from __future__ import annotations

from functools import cached_property

from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import F, QuerySet
from django.db.models.fields.tuple_lookups import (
    Tuple,
    TupleGreaterThanOrEqual,
    TupleLessThanOrEqual,
)
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from annotations.admin.rendering import URL_PLACEHOLDER, url_pattern
from annotations.planner import planned_rows

# Up to this many rows a list is counted; past it PostgreSQL's estimate is shown.
EXACT_UP_TO = 10_000


class LargeTablePaginator(Paginator):
    """Counts exactly up to EXACT_UP_TO rows and, on PostgreSQL, takes the planner's
    estimate beyond (a count reads every row: seconds at a million). SQLite, which
    serves one person's corpus, always counts.

    A page past the first is found by its rows' ordering keys, read from the ordering's
    index alone (from its end for the pages nearer the end, so the last page costs what
    the first does), then read between its first and last key, with joins and per-row
    counts computed for its own rows only (an OFFSET computes them for every row it
    skips).
    """

    @cached_property
    def count(self) -> int:
        return self.counted[0]

    @property
    def estimated(self) -> bool:
        """Whether `count` is the planner's estimate rather than a count."""
        return self.counted[1]

    # Set when the rows are known to be more than EXACT_UP_TO (a search that matched
    # too many to rank): they are not counted, even that far.
    more_than_exact: bool = False

    @cached_property
    def counted(self) -> tuple[int, bool]:
        rows = self.object_list
        if connections[rows.db].vendor != "postgresql":
            return rows.count(), False
        if self.more_than_exact:
            return max(planned_rows(rows), EXACT_UP_TO + 1), True
        exact = rows.order_by().values("pk")[: EXACT_UP_TO + 1].count()
        if exact <= EXACT_UP_TO:
            return exact, False
        return max(planned_rows(rows), exact), True

    def validate_number(self, number) -> int:
        if not self.estimated:
            return super().validate_number(number)
        # Any page may hold rows when the count is an estimate; past the end, none.
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        key = ordering_key(self.object_list)
        if bottom == 0 or key is None:
            return super().page(number)
        columns, descending = key
        rows = self.object_list
        after = self.count - bottom  # rows from this page's first to the end
        if 0 < after < bottom + self.per_page:
            # Nearer the end: the page's keys are read from the end of the index.
            size = min(self.per_page, after)
            keys = list(rows.reverse().values_list(*columns)[after - size : after])[::-1]
        else:
            keys = list(rows.values_list(*columns)[bottom : bottom + self.per_page])
        if not keys:
            return self._get_page(rows.none(), number, self)
        low, high = (keys[-1], keys[0]) if descending else (keys[0], keys[-1])
        key_columns = Tuple(*(F(column) for column in columns))
        rows = rows.filter(
            TupleGreaterThanOrEqual(key_columns, low), TupleLessThanOrEqual(key_columns, high)
        )
        return self._get_page(rows[: len(keys)], number, self)


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


class LargeChangeList(ChangeList):
    """Django's change list, with each row's link made from one pattern: reversed once,
    the list's filters added once (Django resolves each row's URL again to add them)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
        head, tail = url_pattern(name, current_app=self.model_admin.admin_site.name)
        if self.preserved_filters:
            context = {"preserved_filters": self.preserved_filters, "opts": self.opts}
            linked = add_preserved_filters(context, f"{head}{URL_PLACEHOLDER}{tail}")
            head, _, tail = linked.partition(URL_PLACEHOLDER)
            self.preserved_filters = ""  # in the pattern: the rows need not add them
        self.row_url = (head, tail)

    def url_for_result(self, result) -> str:
        head, tail = self.row_url
        return f"{head}{int(getattr(result, self.pk_attname))}{tail}"


class LargeListAdmin:
    """A ModelAdmin mixin for lists that grow with the corpus: the estimating paginator,
    no second count of the unfiltered table, no sorting by columns no index serves
    (the list keeps its default ordering, which one does), and rows written without a
    template or a URL lookup each (a page holds a hundred)."""

    paginator = LargeTablePaginator
    show_full_result_count = False
    sortable_by: tuple[str, ...] = ()

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        paginator = super().get_paginator(
            request, queryset, per_page, orphans, allow_empty_first_page
        )
        paginator.more_than_exact = getattr(request, "search_many", False)
        return paginator

    def get_changelist(self, request, **kwargs) -> type[ChangeList]:
        return LargeChangeList

    def action_checkbox(self, obj) -> SafeString:
        """Django's checkbox for the row, written as its form widget renders it (through
        the template engine, half the time a page took to render its rows)."""
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )
