"""Admin lists over tables that grow with the corpus: no full count, deep pages through
the index, and only orderings an index serves."""

from __future__ import annotations

from functools import cached_property

from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db import connections
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from annotations.admin.rendering import URL_PLACEHOLDER, url_pattern
from annotations.paging import SeekPaginator
from annotations.planner import planned_rows

# Up to this many rows a list is counted; past it PostgreSQL's estimate is shown.
EXACT_UP_TO = 10_000


class LargeTablePaginator(SeekPaginator):
    """Counts exactly up to EXACT_UP_TO rows and, on PostgreSQL, takes the planner's
    estimate beyond (a count reads every row: seconds at a million). SQLite, which
    serves one person's corpus, always counts. Pages are found as SeekPaginator finds
    them."""

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
