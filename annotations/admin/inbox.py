"""Label Studio's webhooks as they arrived: what waits, what was applied, what failed."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from annotations.admin.calls import run
from annotations.admin.pagination import LargeListAdmin
from annotations.labelstudio.sync import inbox_retry
from annotations.labelstudio.sync.common import WEBHOOK_ACTIONS
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


class ActionFilter(admin.SimpleListFilter):
    """The actions Label Studio is asked to send (listing the actions stored would read
    every event)."""

    title = "action"
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [(action, action) for action in WEBHOOK_ACTIONS]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(WebhookEvent)
class WebhookEventAdmin(LargeListAdmin, admin.ModelAdmin):
    """Read-only; an event set aside after failing can be queued again once mended.
    One event per annotation saved in Label Studio: the newest first."""

    list_display = ["__str__", "action", "state", "attempts", "applied_at"]
    list_filter = [StateFilter, ActionFilter]
    ordering = ["-id"]
    readonly_fields = [f.name for f in WebhookEvent._meta.fields]
    actions = ["apply_again"]

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
