from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


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
