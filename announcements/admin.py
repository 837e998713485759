from django.contrib import admin

from .models import FlowLogEntry


@admin.register(FlowLogEntry)
class FlowLogEntryAdmin(admin.ModelAdmin):
    """The flow log, read-only: no page can add, change or delete an entry (it is append-only)."""

    list_display = ("created_at", "announcement", "actor", "action", "from_state", "to_state", "reason")
    list_filter = ("action", "to_state")
    search_fields = ("announcement__title", "reason")
    list_select_related = ("announcement", "actor")
    readonly_fields = (
        "announcement",
        "actor",
        "action",
        "from_state",
        "to_state",
        "reason",
        "snapshot",
        "created_at",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
