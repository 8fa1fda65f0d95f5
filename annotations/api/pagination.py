"""How API lists are cut into pages.

Short lists (collections, exports) answer numbered pages with a count. Lists that grow
with the corpus (documents, annotations, speakers, jobs) are read by keyset: a page starts
after the last row of the page before, found through an index, so the thousandth page
costs what the first costs, and the answer carries `next` and `previous` links but no
count (counting a million rows is the slow part of every page). On those lists `page=N`
still answers a numbered page with its count, for scripts that ask for one, within the
first NUMBERED_ROWS rows: the count stops there (`count_capped`) and the window's last
page links on by keyset. A numbered page deeper than that would read every row before
it from the index (90 ms at half a million), so it is refused with the way on, as
search engines refuse deep result pages.
"""

from __future__ import annotations

from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import QuerySet, prefetch_related_objects
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from annotations import paging
from annotations.paging import (
    InvalidCursor,
    SeekPaginator,
    decode_cursor,
    encode_cursor,
    past_cursor,
)


class Pagination(PageNumberPagination):
    """Pages of 50 (page_size up to 500); a page_size that is not a number is refused."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request) -> int:
        value = request.query_params.get(self.page_size_query_param)
        if value is not None and value != "":
            try:
                size = int(value)
            except ValueError:
                raise ValidationError({"page_size": ["expected a whole number"]}) from None
            if not 1 <= size <= self.max_page_size:
                raise ValidationError(
                    {"page_size": [f"must be between 1 and {self.max_page_size}"]}
                )
        return super().get_page_size(request)

    def paginate_queryset(self, queryset, request, view=None):
        value = request.query_params.get(self.page_query_param)
        if value not in (None, "", "last") and not value.lstrip("-").isdigit():
            raise ValidationError({"page": ["expected a page number"]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters


class KeysetPagination(Pagination):
    """Keyset pages in one of the view's orderings; numbered pages when `page` is given.

    The view names its orderings in `keyset_orderings`, the default first (or named by
    `keyset_default`): each maps to the model columns it sorts by, which must end unique
    and be an index's leading columns (`ordering=-name` is the same columns descending).
    A view whose filters fix a column to one value says so in `keyset_fixed(request)`
    ({column: value}), asked only for a page after a cursor.
    """

    cursor_query_param = "cursor"
    ordering_query_param = "ordering"

    def django_paginator_class(self, object_list, per_page: int) -> DjangoPaginator:
        """A paginator that finds a page through the ordering's index, told the count
        when the view has it already (a search counts its matches to know whether to
        rank them)."""
        paginator = SeekPaginator(object_list, per_page, count_up_to=paging.NUMBERED_ROWS)
        known = getattr(self.request, "search_count", None)
        if known is not None:
            paginator.count = known
        return paginator

    def paginate_queryset(self, queryset: QuerySet, request, view=None) -> list:
        self.request = request
        if getattr(view, "ranked", lambda _request: False)(request):
            # Best matches first is an order no index holds: numbered pages, as ranked.
            self.keyset = False
            return super().paginate_queryset(queryset, request, view)
        self.ordering, columns = self._ordering(request, view)
        self.columns = columns
        descending = self.ordering.startswith("-")
        queryset = queryset.order_by(*(f"-{c}" if descending else c for c in columns))
        cursor = request.query_params.get(self.cursor_query_param)
        self.keyset = bool(cursor) or not request.query_params.get(self.page_query_param)
        if not self.keyset:
            return super().paginate_queryset(queryset, request, view)
        size = self.get_page_size(request)
        key, backwards = self._decode(cursor, queryset.model) if cursor else (None, False)
        if key is not None:
            fixed = getattr(view, "keyset_fixed", lambda _request: {})(request)
            queryset = past_cursor(
                queryset, columns, key, descending=descending, back=backwards, fixed=fixed
            )
        # One row more than the page tells whether a page follows; what is prefetched
        # with the rows is read for the page's own.
        lookups = queryset._prefetch_related_lookups
        rows = list(queryset.prefetch_related(None)[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        prefetch_related_objects(rows, *lookups)
        if backwards:
            rows.reverse()
        # A page left empty (its rows deleted since) links nowhere: its cursor's own row
        # was on the page before, which the client came from.
        self.next_key = self.previous_key = None
        if rows and (backwards or more):
            self.next_key = self._key(rows[-1])
        if rows and (more if backwards else key is not None):
            self.previous_key = self._key(rows[0])
        return rows

    def get_page_number(self, request, paginator: SeekPaginator) -> int | str:
        """The page asked for, refused (400) past the first NUMBERED_ROWS rows."""
        number = super().get_page_number(request, paginator)
        asked = request.query_params.get(self.page_query_param)
        way_on = (
            f"numbered pages reach the first {paging.NUMBERED_ROWS:,} rows of this list: "
            "follow "
            "the last of them's `next` link (keyset pages reach every row), or ask for "
            "the reverse `ordering` to start from the other end"
        )
        if asked in self.last_page_strings and paginator.count and paginator.beyond:
            raise ValidationError({"page": [f"the list holds more rows than that; {way_on}"]})
        if (int(number) - 1) * paginator.per_page >= paging.NUMBERED_ROWS:
            raise ValidationError({"page": [way_on]})
        return number

    def get_paginated_response(self, data) -> Response:
        if not self.keyset:
            response = super().get_paginated_response(data)
            if self.page.paginator.beyond:
                response.data["count_capped"] = True
            return response
        return Response(
            {"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )

    def get_next_link(self) -> str | None:
        if not self.keyset:
            if self.page.paginator.beyond and not self.page.has_next() and len(self.page):
                # The window's last page: the rest of the list by keyset.
                return self._link(self._key(self.page[-1]), back=False)
            return super().get_next_link()
        return self._link(self.next_key, back=False)

    def get_previous_link(self) -> str | None:
        if not self.keyset:
            return super().get_previous_link()
        return self._link(self.previous_key, back=True)

    def get_paginated_response_schema(self, schema: dict) -> dict:
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "description": "How many there are; only on numbered pages (`page=N`), "
                    f"and at most {paging.NUMBERED_ROWS:,} (see `count_capped`).",
                },
                "count_capped": {
                    "type": "boolean",
                    "description": f"Present (true) when the list holds more than "
                    f"{paging.NUMBERED_ROWS:,} rows: `count` stops there, and so do numbered "
                    "pages; the last of them links on by keyset.",
                },
                "next": {**link, "description": "The page after this one (null: none)."},
                "previous": {**link, "description": "The page before this one (null: none)."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["description"] = (
                    f"A numbered page (or `last`) within the first {paging.NUMBERED_ROWS:,} rows, "
                    "answered with a count. Without it the list is read by keyset: "
                    "follow `next`."
                )
        names = list(view.keyset_orderings)
        default = getattr(view, "keyset_default", names[0])
        return [
            *parameters,
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where a page starts: take it from a `next` or `previous` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.ordering_query_param,
                "required": False,
                "in": "query",
                "description": f"The order of the list (default `{default}`).",
                "schema": {
                    "type": "string",
                    "enum": [f"{sign}{name}" for name in names for sign in ("", "-")],
                },
            },
        ]

    def _ordering(self, request, view) -> tuple[str, tuple[str, ...]]:
        orderings: dict[str, tuple[str, ...]] = view.keyset_orderings
        default = getattr(view, "keyset_default", next(iter(orderings)))
        name = request.query_params.get(self.ordering_query_param) or default
        columns = orderings.get(name.removeprefix("-"))
        if columns is None:
            choices = ", ".join(f"{sign}{n}" for n in orderings for sign in ("", "-"))
            raise ValidationError({"ordering": [f"expected one of {choices}"]})
        return name, columns

    def _key(self, row) -> list:
        return [getattr(row, column) for column in self.columns]

    def _link(self, key: list | None, *, back: bool) -> str | None:
        if key is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, self._encode(key, back))

    def _encode(self, key: list, back: bool) -> str:
        return encode_cursor(self.ordering, key, back=back)

    def _decode(self, cursor: str, model) -> tuple[list, bool]:
        try:
            return decode_cursor(cursor, ordering=self.ordering, model=model, columns=self.columns)
        except InvalidCursor:
            raise ValidationError(
                {"cursor": ["not a cursor this list gave: follow `next`"]}
            ) from None
