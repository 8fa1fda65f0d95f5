"""Admin lists over tables that grow with the corpus: no full count, pages through the
index, and only orderings an index serves.

A long list numbers its pages within NUMBERED_ROWS of either end (the first hundred pages
and the last hundred of a million documents); the pages between follow one another by
cursor (`cursor=`, a row's ordering key and which side of it, as in the API), each found
through the index at the cost of the first. A numbered page in between would read the
keys of every row before it: 90 ms at half a million."""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.views.main import PAGE_VAR, ChangeList
from django.core.paginator import EmptyPage, Page, PageNotAnInteger
from django.db import connections
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from annotations import paging
from annotations.admin.rendering import URL_PLACEHOLDER, url_pattern
from annotations.paging import (
    InvalidCursor,
    SeekPaginator,
    decode_cursor,
    encode_cursor,
    fixed_by_filter,
    ordering_key,
    past_cursor,
)
from annotations.planner import planned_rows

# Up to this many rows a list is counted; past it PostgreSQL's estimate is shown.
EXACT_UP_TO = 10_000
# The query parameter of a page that follows (or precedes) a row.
CURSOR_VAR = "cursor"


class PageNotNumbered(Exception):
    """A numbered page too deep in a long list: the page to go to instead."""

    def __init__(self, asked: int, instead: int) -> None:
        super().__init__(asked, instead)
        self.asked, self.instead = asked, instead


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

    def numbered(self, number: int) -> bool:
        """Whether the page is within NUMBERED_ROWS of either end of the list."""
        bottom = (number - 1) * self.per_page
        return bottom < paging.NUMBERED_ROWS or self.count - bottom <= paging.NUMBERED_ROWS

    def page(self, number) -> Page:
        number = self.validate_number(number)
        if not self.numbered(number):
            last_of_start = paging.NUMBERED_ROWS // self.per_page
            first_of_end = -(-(self.count - paging.NUMBERED_ROWS) // self.per_page) + 1
            nearer_end = number - last_of_start > first_of_end - number
            raise PageNotNumbered(number, instead=first_of_end if nearer_end else last_of_start)
        return super().page(number)

    def get_elided_page_range(self, number=1, *, on_each_side=3, on_ends=2):
        """Django's page links, the pages that are not numbered left out; number 0 (a
        page after a cursor) links to the ends."""
        if number == 0:
            last = self.num_pages
            pages = range(1, last + 1)
            if last > 2 * on_ends:
                pages = [*pages[:on_ends], self.ELLIPSIS, *pages[-on_ends:]]
        else:
            pages = super().get_elided_page_range(
                number, on_each_side=on_each_side, on_ends=on_ends
            )
        shown: list = []
        for page in pages:
            if page != self.ELLIPSIS and not self.numbered(page):
                page = self.ELLIPSIS
            if page != self.ELLIPSIS or not shown or shown[-1] != self.ELLIPSIS:
                shown.append(page)
        return shown


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

    def get_filters_params(self, params=None) -> dict:
        lookup = super().get_filters_params(params)
        lookup.pop(CURSOR_VAR, None)
        return lookup

    def get_query_string(self, new_params=None, remove=None) -> str:
        """Links to other pages, orders and filters start from a page's number, not from
        the cursor of the page shown."""
        return super().get_query_string(new_params, [*(remove or []), CURSOR_VAR])

    def get_results(self, request: HttpRequest) -> None:
        """The page asked for by number, or the rows after (before) a cursor; the links
        by cursor to the pages beside it that are not numbered (`next_url`,
        `previous_url`)."""
        self.next_url = self.previous_url = None
        self.key = ordering_key(self.queryset)
        cursor = request.GET.get(CURSOR_VAR)
        # Not carried on by the search form (its hidden fields) or any other link.
        self.params.pop(CURSOR_VAR, None)
        self.filter_params.pop(CURSOR_VAR, None)
        key = back = None
        if cursor and self.key:
            columns, _descending = self.key
            try:
                key, back = decode_cursor(
                    cursor, ordering=self.cursor_ordering, model=self.model, columns=columns
                )
            except InvalidCursor:
                messages.error(request, "That link to a page is not one this list gave.")
        if key is None:
            super().get_results(request)
            paginator, rows, number = self.paginator, self.result_list, self.page_num
            if self.multi_page and self.key and len(rows):
                if number > 1 and not paginator.numbered(number - 1):
                    self.previous_url = self.cursor_url(rows[0], back=True)
                if number < paginator.num_pages and not paginator.numbered(number + 1):
                    self.next_url = self.cursor_url(rows[len(rows) - 1], back=False)
            return
        self.page_num = 1
        super().get_results(request)  # the count and the paginator (no rows are read)
        columns, descending = self.key
        fixed = fixed_by_filter(self.queryset, columns[0])
        found = past_cursor(
            self.queryset, columns, key, descending=descending, back=back, fixed=fixed
        )
        rows = list(found[: self.list_per_page + 1])
        more = len(rows) > self.list_per_page
        rows = rows[: self.list_per_page]
        if back:
            rows.reverse()
        self.result_list = rows
        self.page_num = 0  # not numbered
        self.multi_page = True
        if rows and (more or not back):
            self.previous_url = self.cursor_url(rows[0], back=True)
        if rows and (more or back):
            self.next_url = self.cursor_url(rows[-1], back=False)

    @property
    def cursor_ordering(self) -> str:
        columns, descending = self.key
        return ",".join(f"-{c}" if descending else c for c in columns)

    def cursor_url(self, row, *, back: bool) -> str:
        columns, _descending = self.key
        token = encode_cursor(self.cursor_ordering, [getattr(row, c) for c in columns], back=back)
        return self.get_query_string({CURSOR_VAR: token})


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

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        try:
            return super().changelist_view(request, extra_context)
        except PageNotNumbered as deep:
            self.message_user(
                request,
                f"Page {deep.asked:,} is not numbered: in a list this long, pages are "
                f"numbered within {paging.NUMBERED_ROWS:,} rows of either end. Here is "
                f"page {deep.instead:,}, the nearest that is; “next” and “previous” walk "
                "on from it, and a filter or a search narrows the list.",
                messages.INFO,
            )
            query = request.GET.copy()
            query[PAGE_VAR] = str(deep.instead)
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")

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
