"""Label Studio's webhooks as they arrived: what waits, what was applied, what failed."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from annotations.admin.calls import run
from annotations.labelstudio.sync import inbox_retry
from annotations.models import WebhookEvent


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("waiting", "waiting"), ("applied", "applied"), ("failed", "failed")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        match self.value():
            case "waiting":
                return queryset.filter(applied_at__isnull=True)
            case "applied":
                return queryset.filter(applied_at__isnull=False, error="")
            case "failed":
                return queryset.exclude(error="")
        return queryset


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    """Read-only; an event set aside after failing can be queued again once mended."""

    list_display = ["__str__", "action", "state", "attempts", "applied_at"]
    list_filter = [StateFilter, "action"]
    readonly_fields = [f.name for f in WebhookEvent._meta.fields]
    actions = ["apply_again"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="state")
    def state(self, obj: WebhookEvent) -> str:
        if obj.error:
            return "failed" if obj.applied_at else "retrying"
        return "applied" if obj.applied_at else "waiting"

    @admin.action(description="Apply the selected failed events again", permissions=["view"])
    def apply_again(self, request: HttpRequest, queryset: QuerySet) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        queued = run(request, lambda: inbox_retry(event_ids=ids))
        if queued is not None:
            self.message_user(request, f"{queued} event(s) queued again.")
